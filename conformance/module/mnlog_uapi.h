/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mnlog: user/kernel interface of the MMU-notifier logging module used by
 * mnsim's conformance harness. Shared by mnlog.c (kernel) and ops.c (user).
 */
#ifndef MNLOG_UAPI_H
#define MNLOG_UAPI_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* What a record is. */
enum mnlog_kind {
	MNLOG_MARKER = 0,		/* written by MNLOG_IOC_MARKER */
	MNLOG_RELEASE,
	MNLOG_CLEAR_FLUSH_YOUNG,
	MNLOG_CLEAR_YOUNG,
	MNLOG_TEST_YOUNG,
	MNLOG_CHANGE_PTE,
	MNLOG_INVALIDATE_RANGE_START,
	MNLOG_INVALIDATE_RANGE_END,
	MNLOG_INVALIDATE_RANGE,
	MNLOG_INTERVAL_INVALIDATE,
	MNLOG_NKINDS
};

#define MNLOG_NO_EVENT 0xffff	/* record has no mmu_notifier_event */

/* flags */
#define MNLOG_F_BLOCKABLE	0x01	/* mmu_notifier_range_blockable(range) */
#define MNLOG_F_OWNER		0x02	/* range->owner == this module's owner cookie */
#define MNLOG_F_RANGE		0x04	/* start/end are meaningful */
#define MNLOG_F_ADDR		0x08	/* start is a single address (change_pte, test_young) */

struct mnlog_rec {
	__u64 seq;		/* global sequence number, from 1 */
	__u64 start;		/* range start, or the address */
	__u64 end;		/* range end (exclusive) */
	__u64 cur_seq;		/* interval_invalidate: the cur_seq argument */
	__u64 aux;		/* marker: id; change_pte: pte value */
	__u32 pid;		/* current->pid of the context running the callback */
	__u32 sub;		/* subscriber: (file id << 8) | (0 = mmu_notifier, 1+i = interval i) */
	__u16 kind;		/* enum mnlog_kind */
	__u16 event;		/* enum mmu_notifier_event, or MNLOG_NO_EVENT */
	__u8 flags;		/* MNLOG_F_* */
	__u8 pad[3];
	char comm[16];		/* current->comm */
};

struct mnlog_interval {
	__u64 start;
	__u64 length;
};

struct mnlog_read {
	__u64 buf;		/* user pointer to struct mnlog_rec[max] */
	__u32 max;		/* in: capacity in records */
	__u32 count;		/* out: records copied (consumed from the ring) */
	__u64 dropped;		/* out: records lost to overflow since load */
};

#define MNLOG_IOC_MAGIC 'M'
/* register an mmu_notifier on current->mm (one per open file) */
#define MNLOG_IOC_REGISTER	_IO(MNLOG_IOC_MAGIC, 1)
/* insert an interval notifier on current->mm; returns its index (0..) */
#define MNLOG_IOC_INSERT_INTERVAL _IOW(MNLOG_IOC_MAGIC, 2, struct mnlog_interval)
/* write a marker record with the given id */
#define MNLOG_IOC_MARKER	_IOW(MNLOG_IOC_MAGIC, 3, __u64)
/* copy records out of the ring (consuming them) */
#define MNLOG_IOC_READ		_IOWR(MNLOG_IOC_MAGIC, 4, struct mnlog_read)
/* mmu_notifier_unregister (logs the release it triggers) */
#define MNLOG_IOC_UNREGISTER	_IO(MNLOG_IOC_MAGIC, 5)
/* remove interval notifier number arg */
#define MNLOG_IOC_REMOVE_INTERVAL _IOW(MNLOG_IOC_MAGIC, 6, __u64)

#define MNLOG_MAX_INTERVALS 8

#endif
