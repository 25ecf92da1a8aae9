/* Built-ins for the first MMU-notifier proposal (the mmun-2008 profile) and for the
 * `protocol` check's "sleeping where the caller may not sleep":
 *  - atomic context: spinlocks (the 2008 i_mmap_lock, a driver's spinlock), RCU read
 *    sections (the 2008 notifier walks), non_block_start sections (6.1's non-blockable
 *    callbacks), and might_sleep(), which fires `protocol` inside any of them or with a
 *    PT lock held. The blocking locks (mmap_lock, dev_lock) call might_sleep too;
 *  - devices whose driver fills the device's table itself (the 2008 drivers: XPmem, GRU,
 *    KVM): accesses through that table with an accessed bit for age_page, the ranges a
 *    driver has under invalidation, PageRmapExternal;
 *  - what reclaim and the 6.1 OOM reaper need: a swap entry, mmap_read_trylock. */
#ifndef MN_KBUILTIN_2008_H
#define MN_KBUILTIN_2008_H

#include "kbuiltin.h"
#include "kbuiltin_hmm.h" /* kb_dev_lock_en: the same driver lock */

/* might_sleep() for the blocking built-ins: fires `protocol` when the calling agent is in
 * atomic context (a spinlock, an RCU read section, a non_block section or a PT lock). */
void mn_might_sleep(struct mn_ctx *ctx);

BI(kb_might_sleep); BI(kb_in_atomic); BI(kb_rcu_read_lock); BI(kb_rcu_read_unlock);
BI(kb_non_block_start); BI(kb_non_block_end); BI(kb_i_mmap_lock); EN(kb_i_mmap_lock_en);
BI(kb_i_mmap_unlock); BI(kb_dev_spin_lock); BI(kb_dev_spin_unlock);
BI(kb_mmap_read_trylock);
BI(kb_hw_ext_read); BI(kb_hw_ext_write); BI(kb_ext_test_and_clear_young);
BI(kb_ext_zap_page); BI(kb_ext_mapped); BI(kb_ext_range_begin); BI(kb_ext_range_end);
BI(kb_ext_range_busy); BI(kb_ext_ranges); BI(kb_ext_wait_range); EN(kb_ext_wait_range_en);
BI(kb_ext_wait_idle); EN(kb_ext_wait_idle_en); BI(kb_dev_count); BI(kb_dev_stopped);
BI(kb_page_set_rmap_external); BI(kb_page_rmap_external); BI(kb_swap_pte);
BI(kb_lock_page); EN(kb_lock_page_en); BI(kb_trylock_page); BI(kb_unlock_page);

/* Built-ins that change only the calling agent's own context: not steps. */
#define KL(name, n, ret, fn, doc, ...) { name, n, { __VA_ARGS__ }, ret, 0, fn, NULL, NULL, doc },

#define MN_BUILTINS_2008                                                                         \
	KB("might_sleep", 0, TY_VOID, kb_might_sleep, NULL,                                      \
	   "the caller may sleep here: `protocol` fires in atomic context (spinlock, RCU, "     \
	   "non_block section, PT lock)", TY_VOID)                                               \
	KL("in_atomic", 0, TY_INT, kb_in_atomic,                                                 \
	   "1 when the agent is in atomic context (may not sleep)", TY_VOID)                     \
	KL("rcu_read_lock", 0, TY_VOID, kb_rcu_read_lock,                                        \
	   "enters an RCU read section (2008's classic RCU: preemption off, no sleeping)",       \
	   TY_VOID)                                                                              \
	KL("rcu_read_unlock", 0, TY_VOID, kb_rcu_read_unlock, "leaves the RCU read section",     \
	   TY_VOID)                                                                              \
	KL("non_block_start", 0, TY_VOID, kb_non_block_start,                                    \
	   "6.1: the code up to non_block_end must not sleep (non-blockable callbacks)",         \
	   TY_VOID)                                                                              \
	KL("non_block_end", 0, TY_VOID, kb_non_block_end, "ends the non_block section",          \
	   TY_VOID)                                                                              \
	KB("i_mmap_lock", 0, TY_VOID, kb_i_mmap_lock, kb_i_mmap_lock_en,                         \
	   "2008: spin_lock(&mapping->i_mmap_lock) of the mm's file mappings (atomic context)",  \
	   TY_VOID)                                                                              \
	KB("i_mmap_unlock", 0, TY_VOID, kb_i_mmap_unlock, NULL, "releases the i_mmap_lock",      \
	   TY_VOID)                                                                              \
	KB("dev_spin_lock", 1, TY_VOID, kb_dev_spin_lock, kb_dev_lock_en,                      \
	   "takes device d's driver lock as a spinlock (atomic context until unlocked)", TY_INT) \
	KB("dev_spin_unlock", 1, TY_VOID, kb_dev_spin_unlock, NULL,                              \
	   "releases the driver spinlock", TY_INT)                                               \
	KB("mmap_read_trylock", 0, TY_INT, kb_mmap_read_trylock, NULL,                           \
	   "takes mmap_lock for read if no writer holds it: 1, else 0", TY_VOID)                 \
	KB("hw_ext_read", 1, TY_INT, kb_hw_ext_read, NULL,                                       \
	   "device read through the table its driver fills (no walker), setting the entry's "   \
	   "accessed bit; -1 not mapped, -2 device stopped", TY_INT)                             \
	KB("hw_ext_write", 2, TY_INT, kb_hw_ext_write, NULL,                                     \
	   "device write (value >= 0) through that table; 0, -1 not mapped or read-only, -2 "   \
	   "device stopped", TY_INT, TY_INT)                                                     \
	KB("ext_test_and_clear_young", 2, TY_INT, kb_ext_test_and_clear_young, NULL,             \
	   "1 when device d used its entry for addr since the last call (clears the bit)",      \
	   TY_INT, TY_INT)                                                                       \
	KB("ext_zap_page", 2, TY_VOID, kb_ext_zap_page, NULL,                                    \
	   "device d's driver drops every entry that maps page (its own reverse map)", TY_INT,  \
	   TY_HANDLE)                                                                            \
	KB("ext_mapped", 3, TY_INT, kb_ext_mapped, NULL,                                         \
	   "1 when device d has an entry in [start, end)", TY_INT, TY_INT, TY_INT)               \
	KB("ext_range_begin", 3, TY_VOID, kb_ext_range_begin, NULL,                              \
	   "device d's driver records [start, end) as under invalidation (at most 3 at once)",   \
	   TY_INT, TY_INT, TY_INT)                                                               \
	KB("ext_range_end", 3, TY_VOID, kb_ext_range_end, NULL,                                  \
	   "forgets one record of [start, end) (`error` if there is none)", TY_INT, TY_INT,      \
	   TY_INT)                                                                               \
	KB("ext_range_busy", 2, TY_INT, kb_ext_range_busy, NULL,                                 \
	   "1 when addr is inside a range device d has under invalidation", TY_INT, TY_INT)     \
	KB("ext_ranges", 1, TY_INT, kb_ext_ranges, NULL,                                         \
	   "how many ranges device d has under invalidation", TY_INT)                            \
	KB("ext_wait_range", 2, TY_VOID, kb_ext_wait_range, kb_ext_wait_range_en,                \
	   "waits until addr is in no range device d has under invalidation", TY_INT, TY_INT)   \
	KB("ext_wait_idle", 1, TY_VOID, kb_ext_wait_idle, kb_ext_wait_idle_en,                   \
	   "waits until device d has no range under invalidation", TY_INT)                       \
	KB("dev_stopped", 1, TY_INT, kb_dev_stopped, NULL,                                      \
	   "1 once device d was stopped (dev_stop, from ->release)", TY_INT)                     \
	KP("dev_count", 0, TY_INT, kb_dev_count, "how many devices the scenario declares",       \
	   TY_VOID)                                                                              \
	KB("page_set_rmap_external", 1, TY_VOID, kb_page_set_rmap_external, NULL,                \
	   "2008 SetPageRmapExternal: a device references the page (rmap notifier)", TY_HANDLE)  \
	KB("page_rmap_external", 1, TY_INT, kb_page_rmap_external, NULL,                         \
	   "2008 PageRmapExternal", TY_HANDLE)                                                   \
	KB("lock_page", 1, TY_VOID, kb_lock_page, kb_lock_page_en,                               \
	   "takes the page lock (PG_locked; sleeps while another holds it)", TY_HANDLE)          \
	KB("trylock_page", 1, TY_INT, kb_trylock_page, NULL,                                     \
	   "takes the page lock if free: 1, else 0 (TestSetPageLocked)", TY_HANDLE)              \
	KB("unlock_page", 1, TY_VOID, kb_unlock_page, NULL, "releases the page lock", TY_HANDLE)  \
	KP("swap_pte", 0, TY_INT, kb_swap_pte,                                                   \
	   "a swap entry (not present): the page went to swap; swap-in is not modelled",         \
	   TY_VOID)

#endif
