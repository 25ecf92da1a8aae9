/* Built-ins for interval notifiers, mirroring drivers (hmm_mirror) and device-private
 * memory: the notifier core's interval side, the driver's lock and mirror page table,
 * and the device's accesses through it. */
#ifndef MN_KBUILTIN_HMM_H
#define MN_KBUILTIN_HMM_H

#include "kbuiltin.h"

BI(kb_itree_begin); BI(kb_itree_at); BI(kb_itree_cur_seq); BI(kb_itree_end);
BI(kb_itv_dev); BI(kb_read_begin); EN(kb_read_begin_en); BI(kb_read_retry); BI(kb_set_seq);
BI(kb_dev_lock); EN(kb_dev_lock_en); BI(kb_dev_unlock); BI(kb_dev_trylock);
/* A device's access through its driver-filled table (hw_mirror_*, and with ext the
 * stopped check and accessed bit of hw_ext_*). */
int mn_dev_table_access(struct mn_ctx *ctx, mn_val addr, int write, mn_val value, int ext,
			mn_val *ret);

BI(kb_mirror_install); BI(kb_hw_mirror_read); BI(kb_hw_mirror_write); BI(kb_my_dev);
BI(kb_dev_type); BI(kb_dev_interval); BI(kb_alloc_device_page); BI(kb_mk_device_private);
BI(kb_pte_device_private); BI(kb_device_page_owner); BI(kb_mn_trace_itv);
BI(kb_mk_device_exclusive); BI(kb_pte_device_exclusive); BI(kb_pte_device_exclusive_write);
BI(kb_device_exclusive_page);

#define MN_BUILTINS_HMM                                                                          \
	KB("mn_itree_begin", 3, TY_INT, kb_itree_begin, NULL,                                    \
	   "mn_itree_inv_start_range over [start, end) for event: how many intervals overlap",  \
	   TY_INT, TY_INT, TY_INT)                                                               \
	KB("mn_itree_at", 3, TY_HANDLE, kb_itree_at, NULL,                                       \
	   "the i-th interval overlapping [start, end), in tree order (frozen while active)",    \
	   TY_INT, TY_INT, TY_INT)                                                               \
	KB("mn_itree_cur_seq", 0, TY_INT, kb_itree_cur_seq, NULL,                                \
	   "the mm's invalidate_seq, handed to interval callbacks as cur_seq", TY_VOID)          \
	KB("mn_itree_end", 0, TY_VOID, kb_itree_end, NULL,                                       \
	   "mn_itree_inv_end: the last invalidation out makes the seq even", TY_VOID)            \
	KP("itv_dev", 1, TY_INT, kb_itv_dev, "device owning an interval notifier", TY_HANDLE)    \
	KB("mmu_interval_read_begin", 1, TY_INT, kb_read_begin, kb_read_begin_en,                \
	   "waits while an invalidation covers the interval; returns its seq", TY_HANDLE)       \
	KB("mmu_interval_read_retry", 2, TY_INT, kb_read_retry, NULL,                            \
	   "1 when the interval's seq moved since read_begin", TY_HANDLE, TY_INT)               \
	KB("mmu_interval_set_seq", 2, TY_VOID, kb_set_seq, NULL,                                 \
	   "the driver's invalidate callback records cur_seq", TY_HANDLE, TY_INT)               \
	KB("dev_lock", 1, TY_VOID, kb_dev_lock, kb_dev_lock_en,                                  \
	   "takes the driver's mutex of device d (blocks)", TY_INT)                              \
	KB("dev_unlock", 1, TY_VOID, kb_dev_unlock, NULL, "releases the driver's mutex",         \
	   TY_INT)                                                                               \
	KB("dev_trylock", 1, TY_INT, kb_dev_trylock, NULL,                                       \
	   "takes the driver's mutex if free: 1, else 0", TY_INT)                                \
	KB("mirror_install", 3, TY_VOID, kb_mirror_install, NULL,                                \
	   "the driver maps addr in device d's page table as the PTE (or device-private "        \
	   "entry) pte says",                                                                    \
	   TY_INT, TY_INT, TY_INT)                                                               \
	KB("hw_mirror_read", 1, TY_INT, kb_hw_mirror_read, NULL,                                 \
	   "device read through its own page table only (no walker); -1 when not mapped",        \
	   TY_INT)                                                                               \
	KB("hw_mirror_write", 2, TY_INT, kb_hw_mirror_write, NULL,                               \
	   "device write (value >= 0) through its own page table; 0, or -1 when not mapped",    \
	   TY_INT, TY_INT)                                                                       \
	KP("my_dev", 0, TY_INT, kb_my_dev, "the calling agent's device, or -1", TY_VOID)         \
	KP("dev_type", 1, TY_INT, kb_dev_type, "the DEV_* type of device d", TY_INT)             \
	KP("dev_interval", 1, TY_HANDLE, kb_dev_interval,                                        \
	   "the interval notifier device d inserted at set-up", TY_INT)                          \
	KB("alloc_device_page", 1, TY_HANDLE, kb_alloc_device_page, NULL,                        \
	   "a free frame of device d's private memory, or the null handle", TY_INT)              \
	KP("mk_device_private", 2, TY_INT, kb_mk_device_private,                                 \
	   "a device-private swap entry for page (writable or not)", TY_HANDLE, TY_INT)          \
	KP("pte_device_private", 1, TY_INT, kb_pte_device_private,                               \
	   "1 for a device-private entry", TY_INT)                                               \
	KP("mk_device_exclusive", 2, TY_INT, kb_mk_device_exclusive,                             \
	   "a device-exclusive swap entry for page (writable or not)", TY_HANDLE, TY_INT)        \
	KP("pte_device_exclusive", 1, TY_INT, kb_pte_device_exclusive,                           \
	   "1 for a device-exclusive entry", TY_INT)                                             \
	KP("pte_device_exclusive_write", 1, TY_INT, kb_pte_device_exclusive_write,               \
	   "1 for a writable device-exclusive entry", TY_INT)                                    \
	KP("device_exclusive_page", 1, TY_HANDLE, kb_device_exclusive_page,                      \
	   "the page a device-exclusive entry names", TY_INT)                                    \
	KB("device_page_owner", 1, TY_INT, kb_device_page_owner, NULL,                           \
	   "the device whose private memory the entry's page is, or -1", TY_INT)                 \
	KP("mn_trace_itv", 5, TY_VOID, kb_mn_trace_itv,                                          \
	   "records an interval_invalidate callback for --trace-notifier (with cur_seq)",        \
	   TY_INT, TY_INT, TY_INT, TY_INT, TY_INT)

#endif
