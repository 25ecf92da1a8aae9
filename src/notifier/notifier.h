/* The MMU-notifier core of Linux 6.1 (mm/mmu_notifier.c) as plain data and C rules.
 *
 * This file holds the *state* of the core and the rules that change it: subscriptions
 * (the hlist of struct mmu_notifier), interval notifiers with the per-mm invalidate_seq,
 * register/unregister/get/put, and the bookkeeping of invalidations. The *calls* into
 * drivers happen in library code (lib/<profile>/mmu_notifier.mnl), which asks this core
 * whom to call, in which order, and reports back, so that every callback is a step of its
 * own and can interleave with other agents as in the kernel.
 *
 * Everything lives inside the world: no pointers, fixed capacities.
 */
#ifndef MN_NOTIFIER_H
#define MN_NOTIFIER_H

#include <stdint.h>

#define MN_NSUB 3      /* struct mmu_notifier per mm */
#define MN_NINTERVAL 3 /* struct mmu_interval_notifier per mm */

/* Linux's EAGAIN, the one error a non-blockable start callback may return. The model does
 * not take the host's errno values. */
#define MN_EAGAIN 11

/* enum mmu_notifier_event, in the kernel's order. */
enum mn_event {
	MN_EV_UNMAP,
	MN_EV_CLEAR,
	MN_EV_PROTECTION_VMA,
	MN_EV_PROTECTION_PAGE,
	MN_EV_SOFT_DIRTY,
	MN_EV_RELEASE,
	MN_EV_MIGRATE,
	MN_EV_EXCLUSIVE,
	MN_NEVENTS
};

extern const char *const mn_event_names[MN_NEVENTS];

/* Which callbacks a subscriber's ops implement (struct mmu_notifier_ops members). */
enum mn_op_bits {
	MN_OP_RELEASE = 1 << 0,
	MN_OP_CLEAR_FLUSH_YOUNG = 1 << 1,
	MN_OP_CLEAR_YOUNG = 1 << 2,
	MN_OP_TEST_YOUNG = 1 << 3,
	MN_OP_CHANGE_PTE = 1 << 4,
	MN_OP_INVALIDATE_RANGE_START = 1 << 5,
	MN_OP_INVALIDATE_RANGE_END = 1 << 6,
	MN_OP_INVALIDATE_RANGE = 1 << 7,
	MN_OP_ALLOC_NOTIFIER = 1 << 8,
	MN_OP_FREE_NOTIFIER = 1 << 9,
};

/* struct mmu_notifier: one hlist subscriber. */
struct mn_subscription {
	uint8_t used;
	uint8_t hashed;  /* still on the list (not yet removed by release/unregister) */
	uint8_t dev;     /* device (driver instance) it belongs to */
	uint8_t users;   /* mmu_notifier_get/put reference count */
	uint16_t ops;    /* enum mn_op_bits */
	uint8_t order;   /* position on the hlist: 0 is the head (newest); 0 when not hashed */
	uint8_t pad;
};

enum mn_interval_state {
	MN_ITV_FREE,
	MN_ITV_LIVE,           /* in the interval tree */
	MN_ITV_INSERT_PENDING, /* inserted while an invalidation was active: deferred */
	MN_ITV_REMOVE_PENDING, /* removed while an invalidation was active: deferred */
};

/* struct mmu_interval_notifier. */
struct mn_interval {
	uint32_t start, last; /* inclusive range, as the kernel's interval tree */
	uint32_t invalidate_seq;
	uint8_t state;        /* enum mn_interval_state */
	uint8_t dev;
	uint8_t pos;          /* in-order position in the tree (LIVE, REMOVE_PENDING), else 0 */
	uint8_t dpos;         /* position on the deferred list, 0 = head (*_PENDING), else 0 */
};

/* struct mmu_notifier_subscriptions, per mm. */
struct mn_notifier_mm {
	uint8_t allocated;               /* mm->notifier_subscriptions exists */
	uint8_t active_invalidate_ranges;
	uint8_t has_itree;               /* set once any interval notifier was inserted */
	uint8_t pad;
	uint32_t invalidate_seq;         /* starts at 2; odd while an overlapping invalidation runs */
	struct mn_subscription sub[MN_NSUB];
	struct mn_interval itv[MN_NINTERVAL];
};

/* Contract breaches the core detects; the caller turns them into the `protocol` check. */
enum mn_protocol {
	MN_PROT_OK = 0,
	MN_PROT_REGISTER_WITHOUT_MMAP_LOCK,
	MN_PROT_REGISTER_DEAD_MM,
	MN_PROT_END_WITHOUT_START,
	MN_PROT_FAILING_NOTIFIER_HAS_END,
	MN_PROT_BLOCKABLE_FAILED,
};

/* mmu_notifier_subscriptions_init: no subscriptions yet (all zero). They are allocated,
 * with invalidate_seq = 2, by the first register or interval insert. */
void mn_notifier_mm_init(struct mn_notifier_mm *n);

/* ---- subscriptions (mmu_notifier_register & co.) ---- */

/* __mmu_notifier_register: needs mmap_lock held for write and mm_users > 0 (else a
 * protocol error is returned and nothing changes). Allocates the subscriptions the first
 * time. The new subscription goes to the head of the list. Returns the subscription
 * index (>= 0) or -1 when full or refused; *prot says why it was refused. */
int mn_register(struct mn_notifier_mm *n, uint16_t ops, int dev, int mmap_write_locked,
		int mm_users, enum mn_protocol *prot);
/* mmu_notifier_get_locked: an existing hashed subscription of the same ops and device (the
 * kernel compares the ops pointer, which is per driver) gets users++ (refused, -1, at the
 * counter's limit); otherwise registers with users = 1. The mmap_lock is checked first, the
 * mm_users only on the register path, as in the kernel. */
int mn_get(struct mn_notifier_mm *n, uint16_t ops, int dev, int mmap_write_locked,
	   int mm_users, enum mn_protocol *prot);
/* mmu_notifier_put: users--; returns 1 when the last reference went: the subscription is
 * unhashed and freed (the kernel frees after an SRCU grace period; the model frees at
 * once, so library code that holds a list from mn_subscribers across steps must check
 * that each entry is still used before calling it). */
int mn_put(struct mn_notifier_mm *n, int sub);
/* mmu_notifier_unregister: returns 1 when the subscription was still hashed (so ->release
 * is owed), then unhashes and frees it. The kernel calls ->release while the subscription is
 * still on the list (concurrent callbacks, and exit_mmap's own ->release, can still reach
 * it) and only then unhashes. Library code that wants that window calls ->release when
 * sub[i].hashed and then mn_unregister, whose result is then only informational. */
int mn_unregister(struct mn_notifier_mm *n, int sub);
/* The subscribers to call, in hlist order (head first), that implement any of `ops`:
 * writes their indices to out and returns how many. */
int mn_subscribers(const struct mn_notifier_mm *n, uint16_t ops, int *out);
/* __mmu_notifier_release: unhashes every subscription (after ->release ran). */
void mn_release_all(struct mn_notifier_mm *n);

/* ---- interval notifiers ---- */

/* mmu_interval_notifier_insert (+ __mmu_interval_notifier_insert). The first insert
 * allocates the subscriptions and sets has_itree (mmu_notifier_register(NULL, mm)), even
 * if the insert then fails. With no invalidation active the interval goes into the tree
 * with seq = mm seq - 1 (odd, so read_begin does not wait). With invalidations active:
 * if the mm seq is odd the insertion is deferred to the last mn_itree_inv_end
 * (INSERT_PENDING), else the mm seq is made odd and the interval goes into the tree at
 * once; either way its seq is the mm's (odd) seq, so read_begin waits for the last end.
 * Returns the interval index, or -1 when length is 0, start + length - 1 overflows
 * (-EOVERFLOW), or the table is full. The kernel's mm_users check (WARN, -EINVAL) is the
 * caller's. */
int mn_interval_insert(struct mn_notifier_mm *n, uint32_t start, uint32_t length, int dev);
/* mmu_interval_notifier_remove. While the mm seq is odd the tree cannot change: a LIVE
 * interval becomes REMOVE_PENDING (still in the tree, still invalidated) until the last
 * mn_itree_inv_end, and the mm seq is returned: the remover waits until the mm seq differs
 * from it. An INSERT_PENDING interval is just dropped from the deferred list. With the seq
 * even (even if invalidations that overlap no interval are active) removal is immediate.
 * Returns 0 when removal was immediate. */
uint32_t mn_interval_remove(struct mn_notifier_mm *n, int itv);
/* mmu_interval_read_begin: returns the interval's seq; *must_wait is set when that seq is
 * the mm's odd invalidate_seq (an invalidation covering the interval is running). */
uint32_t mn_interval_read_begin(const struct mn_notifier_mm *n, int itv, int *must_wait);
/* mmu_interval_read_retry: 1 when the interval's seq moved since read_begin. */
int mn_interval_read_retry(const struct mn_notifier_mm *n, int itv, uint32_t seq);
/* mmu_interval_set_seq, called by the driver's invalidate callback. */
void mn_interval_set_seq(struct mn_notifier_mm *n, int itv, uint32_t cur_seq);

/* ---- invalidation bookkeeping ---- */

/* mn_itree_inv_start_range, only when the kernel calls it: with subscriptions allocated
 * (mm_has_notifiers) and has_itree (__mmu_notifier_invalidate_range_start); otherwise
 * nothing changes and nothing overlaps. active_invalidate_ranges++ (every invalidation,
 * overlapping or not); if an interval in the tree (LIVE or REMOVE_PENDING) overlaps the
 * mm's invalidate_seq becomes odd. The query is the kernel's [start, end - 1] inclusive
 * (uint32 arithmetic). Writes the overlapping intervals in tree order (ascending start;
 * equal starts in tree-insertion order) to out (room for MN_NINTERVAL), their count to
 * *nout, and the mm seq to pass to their callbacks (mmu_interval_set_seq) to *cur_seq.
 * Returns 1 when any interval overlaps. The release path (mn_itree_release) is
 * start = 0, end = UINT32_MAX. */
int mn_itree_inv_start(struct mn_notifier_mm *n, uint32_t start, uint32_t end, int *out,
		       int *nout, uint32_t *cur_seq);
/* The intervals in the tree that overlap [start, end), in tree order, without changing
 * anything: while an invalidation runs the tree is frozen, so library code can walk this
 * list one step at a time and see what mn_itree_inv_start saw. */
int mn_itree_overlaps(const struct mn_notifier_mm *n, uint32_t start, uint32_t end, int *out);
/* mn_itree_inv_end, when the kernel calls it (allocated and has_itree, else nothing):
 * active_invalidate_ranges--; the last one out with an odd seq makes it even again and
 * applies the deferred inserts and removes. An end with no invalidation counted is refused
 * (the kernel's counter would wrap): MN_PROT_END_WITHOUT_START. Callers may ignore the
 * result. */
enum mn_protocol mn_itree_inv_end(struct mn_notifier_mm *n);
/* mn_itree_invalidate: an interval's ->invalidate returned false. In a blockable range the
 * kernel WARNs and goes on with the next interval: MN_PROT_BLOCKABLE_FAILED, nothing
 * changes. Otherwise it ends the itree invalidation here (mn_itree_inv_end) and returns
 * -EAGAIN before any hlist subscriber is called; the caller must not call range_end. */
enum mn_protocol mn_itree_invalidate_failed(struct mn_notifier_mm *n, int blockable);

/* mn_hlist_invalidate_range_start: start callback of `sub` returned rc != 0. The kernel
 * goes on calling every other start and then (assuming, not checking, a non-blockable
 * range) calls invalidate_range_end on every subscriber that implements it
 * (mn_subscribers(n, MN_OP_INVALIDATE_RANGE_END)), failed ones included. The itree part,
 * already started, is not ended on this path in 6.1. Nothing changes here. Returns the
 * breach the kernel WARNs about: a failure in a blockable range or with an error other
 * than -EAGAIN (MN_PROT_BLOCKABLE_FAILED), or a failing subscriber that implements end
 * (MN_PROT_FAILING_NOTIFIER_HAS_END); else MN_PROT_OK. When both hold, the first WARN
 * (MN_PROT_BLOCKABLE_FAILED) is returned. -EAGAIN is -MN_EAGAIN. */
enum mn_protocol mn_start_failed(const struct mn_notifier_mm *n, int sub, int rc, int blockable);

#endif
