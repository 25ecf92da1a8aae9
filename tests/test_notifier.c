/* The MMU-notifier core's state rules, one test per rule of Linux 6.1 mm/mmu_notifier.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "notifier/notifier.h"

/* Same convention as support.h: the last line is what tests/run_all.py counts. Kept local
 * so this test does not depend on the language and engine headers. */
#define RUN_TESTS(tests)                                                                   \
	do {                                                                               \
		int n_ = (int)(sizeof(tests) / sizeof((tests)[0]));                        \
		int failed_ = cmocka_run_group_tests(tests, NULL, NULL);                   \
		printf("RESULT passed=%d failed=%d\n", n_ - failed_, failed_);             \
		return failed_ ? 1 : 0;                                                    \
	} while (0)

#define OPS_KVM (MN_OP_RELEASE | MN_OP_INVALIDATE_RANGE_START | MN_OP_INVALIDATE_RANGE_END | \
		 MN_OP_CLEAR_YOUNG | MN_OP_CHANGE_PTE)
#define OPS_SVA (MN_OP_RELEASE | MN_OP_INVALIDATE_RANGE | MN_OP_ALLOC_NOTIFIER | \
		 MN_OP_FREE_NOTIFIER)
#define OPS_GRU (MN_OP_RELEASE | MN_OP_INVALIDATE_RANGE_START | MN_OP_INVALIDATE_RANGE_END | \
		 MN_OP_ALLOC_NOTIFIER | MN_OP_FREE_NOTIFIER)

static void fresh(struct mn_notifier_mm *n)
{
	memset(n, 0xa5, sizeof(*n)); /* mn_notifier_mm_init must not rely on prior zeroes */
	mn_notifier_mm_init(n);
}

static int reg(struct mn_notifier_mm *n, uint16_t ops, int dev)
{
	enum mn_protocol p = MN_PROT_BLOCKABLE_FAILED;
	int s = mn_register(n, ops, dev, 1, 1, &p);
	assert_int_equal(p, MN_PROT_OK);
	return s;
}

/* Starts an invalidation and returns the number of intervals it hit. */
static int inv_start(struct mn_notifier_mm *n, uint32_t start, uint32_t end, int *out,
		     uint32_t *cur)
{
	int tmp[MN_NINTERVAL], k = -1;
	uint32_t c = 0;
	int any = mn_itree_inv_start(n, start, end, out ? out : tmp, &k, &c);
	assert_int_equal(any, k > 0);
	if (cur)
		*cur = c;
	return k;
}

/* ---- subscriptions ---- */

/* mmu_notifier_subscriptions_init: nothing allocated, no seq yet. */
static void test_init_zeroes(void **state)
{
	(void)state;
	struct mn_notifier_mm n, zero;
	fresh(&n);
	memset(&zero, 0, sizeof(zero));
	assert_memory_equal(&n, &zero, sizeof(n));
	assert_int_equal(n.allocated, 0);
	assert_int_equal(n.invalidate_seq, 0);
}

/* __mmu_notifier_register: the first register allocates with invalidate_seq = 2, users = 1. */
static void test_register_allocates_seq2(void **state)
{
	(void)state;
	struct mn_notifier_mm n;
	fresh(&n);
	int s = reg(&n, OPS_KVM, 4);
	assert_int_equal(s, 0);
	assert_int_equal(n.allocated, 1);
	assert_int_equal(n.invalidate_seq, 2);
	assert_int_equal(n.has_itree, 0);
	assert_int_equal(n.sub[s].used, 1);
	assert_int_equal(n.sub[s].hashed, 1);
	assert_int_equal(n.sub[s].users, 1);
	assert_int_equal(n.sub[s].dev, 4);
	assert_int_equal(n.sub[s].ops, OPS_KVM);
	/* A second register does not re-initialise the seq. */
	n.invalidate_seq = 6;
	reg(&n, OPS_SVA, 1);
	assert_int_equal(n.invalidate_seq, 6);
}

/* hlist_add_head_rcu: the newest subscription is at order 0, the others shift back. */
static void test_register_head_of_list(void **state)
{
	(void)state;
	struct mn_notifier_mm n;
	fresh(&n);
	int a = reg(&n, OPS_KVM, 0);
	int b = reg(&n, OPS_SVA, 1);
	int c = reg(&n, OPS_GRU, 2);
	assert_int_equal(n.sub[c].order, 0);
	assert_int_equal(n.sub[b].order, 1);
	assert_int_equal(n.sub[a].order, 2);
}

/* mmap_assert_write_locked: register without the mmap_lock is a protocol breach, no change. */
static void test_register_needs_mmap_write_lock(void **state)
{
	(void)state;
	struct mn_notifier_mm n, before;
	enum mn_protocol p = MN_PROT_OK;
	fresh(&n);
	before = n;
	assert_int_equal(mn_register(&n, OPS_KVM, 0, 0, 1, &p), -1);
	assert_int_equal(p, MN_PROT_REGISTER_WITHOUT_MMAP_LOCK);
	assert_memory_equal(&n, &before, sizeof(n));
}

/* BUG_ON(mm_users <= 0): register on a dead mm is refused, nothing allocated. */
static void test_register_needs_live_mm(void **state)
{
	(void)state;
	struct mn_notifier_mm n, before;
	enum mn_protocol p = MN_PROT_OK;
	fresh(&n);
	before = n;
	assert_int_equal(mn_register(&n, OPS_KVM, 0, 1, 0, &p), -1);
	assert_int_equal(p, MN_PROT_REGISTER_DEAD_MM);
	assert_memory_equal(&n, &before, sizeof(n));
}

/* The table is fixed-size: a register past MN_NSUB fails cleanly. */
static void test_register_full(void **state)
{
	(void)state;
	struct mn_notifier_mm n, before;
	enum mn_protocol p = MN_PROT_BLOCKABLE_FAILED;
	fresh(&n);
	for (int i = 0; i < MN_NSUB; i++)
		assert_int_equal(reg(&n, OPS_KVM, i), i);
	before = n;
	assert_int_equal(mn_register(&n, OPS_KVM, 9, 1, 1, &p), -1);
	assert_int_equal(p, MN_PROT_OK);
	assert_memory_equal(&n, &before, sizeof(n));
}

/* find_get_mmu_notifier: same ops and device -> the same subscription, users++. */
static void test_get_reuses_same_ops_and_dev(void **state)
{
	(void)state;
	struct mn_notifier_mm n;
	enum mn_protocol p;
	fresh(&n);
	int a = mn_get(&n, OPS_SVA, 3, 1, 1, &p);
	assert_int_equal(p, MN_PROT_OK);
	assert_int_equal(a, 0);
	assert_int_equal(n.sub[a].users, 1);
	int b = mn_get(&n, OPS_SVA, 3, 1, 1, &p);
	assert_int_equal(b, a);
	assert_int_equal(n.sub[a].users, 2);
	assert_int_equal(n.sub[a].order, 0);
	assert_int_equal(n.sub[1].used, 0);
}

/* A different ops or a different device is a different notifier: a new registration. */
static void test_get_distinct_ops_or_dev_registers(void **state)
{
	(void)state;
	struct mn_notifier_mm n;
	enum mn_protocol p;
	fresh(&n);
	int a = mn_get(&n, OPS_SVA, 3, 1, 1, &p);
	int b = mn_get(&n, OPS_SVA, 4, 1, 1, &p);
	int c = mn_get(&n, OPS_GRU, 3, 1, 1, &p);
	assert_int_not_equal(a, b);
	assert_int_not_equal(b, c);
	assert_int_not_equal(a, c);
	assert_int_equal(n.sub[a].users, 1);
	assert_int_equal(n.sub[b].users, 1);
	assert_int_equal(n.sub[c].users, 1);
	assert_int_equal(n.sub[c].order, 0);
	assert_int_equal(n.sub[a].order, 2);
}

/* mmu_notifier_get_locked asserts the mmap_lock first; the mm_users check belongs to the
 * register path only, so finding an existing one on a dying mm still works. */
static void test_get_protocol_checks(void **state)
{
	(void)state;
	struct mn_notifier_mm n;
	enum mn_protocol p = MN_PROT_OK;
	fresh(&n);
	int a = mn_get(&n, OPS_SVA, 0, 1, 1, &p);
	assert_int_equal(mn_get(&n, OPS_SVA, 0, 0, 1, &p), -1);
	assert_int_equal(p, MN_PROT_REGISTER_WITHOUT_MMAP_LOCK);
	assert_int_equal(n.sub[a].users, 1);
	assert_int_equal(mn_get(&n, OPS_SVA, 0, 1, 0, &p), a);
	assert_int_equal(p, MN_PROT_OK);
	assert_int_equal(n.sub[a].users, 2);
	assert_int_equal(mn_get(&n, OPS_GRU, 0, 1, 0, &p), -1);
	assert_int_equal(p, MN_PROT_REGISTER_DEAD_MM);
	/* users is a counter with a ceiling: -EOVERFLOW rather than wrapping. */
	n.sub[a].users = UINT8_MAX;
	assert_int_equal(mn_get(&n, OPS_SVA, 0, 1, 1, &p), -1);
	assert_int_equal(n.sub[a].users, UINT8_MAX);
}

/* The lookup walks the hlist: a subscription unhashed by exit_mmap's release is not found. */
static void test_get_ignores_unhashed(void **state)
{
	(void)state;
	struct mn_notifier_mm n;
	enum mn_protocol p;
	fresh(&n);
	int a = mn_get(&n, OPS_SVA, 0, 1, 1, &p);
	mn_release_all(&n);
	int b = mn_get(&n, OPS_SVA, 0, 1, 1, &p);
	assert_int_not_equal(a, b);
	assert_int_equal(n.sub[a].users, 1);
	assert_int_equal(n.sub[b].users, 1);
	assert_int_equal(n.sub[b].hashed, 1);
}

/* mmu_notifier_put: the last reference unhashes and frees; the hlist closes up. */
static void test_put_last_reference_frees(void **state)
{
	(void)state;
	struct mn_notifier_mm n;
	enum mn_protocol p;
	fresh(&n);
	int a = mn_get(&n, OPS_SVA, 0, 1, 1, &p);
	int b = mn_get(&n, OPS_GRU, 1, 1, 1, &p);
	int c = mn_get(&n, OPS_KVM, 2, 1, 1, &p);
	mn_get(&n, OPS_GRU, 1, 1, 1, &p);
	assert_int_equal(n.sub[b].users, 2);
	assert_int_equal(mn_put(&n, b), 0);
	assert_int_equal(n.sub[b].users, 1);
	assert_int_equal(n.sub[b].hashed, 1);
	assert_int_equal(mn_put(&n, b), 1);
	assert_int_equal(n.sub[b].used, 0);
	assert_int_equal(n.sub[b].hashed, 0);
	assert_int_equal(n.sub[c].order, 0);
	assert_int_equal(n.sub[a].order, 1);
	/* The slot is reusable and goes to the head. */
	int d = reg(&n, OPS_KVM, 7);
	assert_int_equal(d, b);
	assert_int_equal(n.sub[d].order, 0);
	assert_int_equal(n.sub[c].order, 1);
	assert_int_equal(n.sub[a].order, 2);
}

/* WARN_ON(!users): an unbalanced put changes nothing. */
static void test_put_unbalanced(void **state)
{
	(void)state;
	struct mn_notifier_mm n, before;
	fresh(&n);
	int a = reg(&n, OPS_KVM, 0);
	n.sub[a].users = 0;
	before = n;
	assert_int_equal(mn_put(&n, a), 0);
	assert_int_equal(mn_put(&n, 2), 0);
	assert_int_equal(mn_put(&n, -1), 0);
	assert_memory_equal(&n, &before, sizeof(n));
}

/* mmu_notifier_unregister: ->release is owed while still hashed; the slot is freed. */
static void test_unregister_hashed(void **state)
{
	(void)state;
	struct mn_notifier_mm n;
	fresh(&n);
	int a = reg(&n, OPS_KVM, 0);
	int b = reg(&n, OPS_SVA, 1);
	int c = reg(&n, OPS_GRU, 2);
	assert_int_equal(mn_unregister(&n, b), 1);
	assert_int_equal(n.sub[b].used, 0);
	assert_int_equal(n.sub[c].order, 0);
	assert_int_equal(n.sub[a].order, 1);
	assert_int_equal(mn_unregister(&n, c), 1);
	assert_int_equal(n.sub[a].order, 0);
	/* A second unregister of a freed slot is a no-op. */
	assert_int_equal(mn_unregister(&n, c), 0);
}

/* After exit_mmap's release unhashed it, unregister must not call ->release again. */
static void test_unregister_after_release(void **state)
{
	(void)state;
	struct mn_notifier_mm n;
	fresh(&n);
	int a = reg(&n, OPS_KVM, 0);
	mn_release_all(&n);
	assert_int_equal(mn_unregister(&n, a), 0);
	assert_int_equal(n.sub[a].used, 0);
}

/* Dispatch walks the hlist head first, skipping ops without the callback. */
static void test_subscribers_order_and_filter(void **state)
{
	(void)state;
	struct mn_notifier_mm n;
	int out[MN_NSUB];
	fresh(&n);
	assert_int_equal(mn_subscribers(&n, MN_OP_RELEASE, out), 0);
	int kvm = reg(&n, OPS_KVM, 0);
	int sva = reg(&n, OPS_SVA, 1);
	int gru = reg(&n, OPS_GRU, 2);
	assert_int_equal(mn_subscribers(&n, MN_OP_RELEASE, out), 3);
	assert_int_equal(out[0], gru);
	assert_int_equal(out[1], sva);
	assert_int_equal(out[2], kvm);
	assert_int_equal(mn_subscribers(&n, MN_OP_INVALIDATE_RANGE_END, out), 2);
	assert_int_equal(out[0], gru);
	assert_int_equal(out[1], kvm);
	assert_int_equal(mn_subscribers(&n, MN_OP_INVALIDATE_RANGE, out), 1);
	assert_int_equal(out[0], sva);
	/* "any of" the asked bits. */
	assert_int_equal(mn_subscribers(&n, MN_OP_INVALIDATE_RANGE | MN_OP_CHANGE_PTE, out), 2);
	assert_int_equal(out[0], sva);
	assert_int_equal(out[1], kvm);
	assert_int_equal(mn_subscribers(&n, MN_OP_TEST_YOUNG, out), 0);
	/* Unhashed ones are no longer called. */
	mn_unregister(&n, gru);
	assert_int_equal(mn_subscribers(&n, MN_OP_INVALIDATE_RANGE_END, out), 1);
	assert_int_equal(out[0], kvm);
}

/* mn_hlist_release: every subscription leaves the list but stays allocated. */
static void test_release_all(void **state)
{
	(void)state;
	struct mn_notifier_mm n;
	int out[MN_NSUB];
	fresh(&n);
	int a = reg(&n, OPS_KVM, 0);
	int b = reg(&n, OPS_SVA, 1);
	mn_release_all(&n);
	assert_int_equal(n.sub[a].used, 1);
	assert_int_equal(n.sub[b].used, 1);
	assert_int_equal(n.sub[a].hashed, 0);
	assert_int_equal(n.sub[b].hashed, 0);
	assert_int_equal(n.sub[a].order, 0);
	assert_int_equal(n.sub[b].order, 0);
	assert_int_equal(mn_subscribers(&n, 0xffff, out), 0);
	/* get/put users survive: put still frees. */
	assert_int_equal(mn_put(&n, b), 1);
	assert_int_equal(n.sub[b].used, 0);
}

/* ---- interval notifiers ---- */

/* Idle insert: allocation + has_itree on first use, seq 2, interval seq = seq - 1 (odd). */
static void test_interval_insert_idle(void **state)
{
	(void)state;
	struct mn_notifier_mm n;
	fresh(&n);
	int i = mn_interval_insert(&n, 0x1000, 0x2000, 5);
	assert_int_equal(i, 0);
	assert_int_equal(n.allocated, 1);
	assert_int_equal(n.has_itree, 1);
	assert_int_equal(n.invalidate_seq, 2);
	assert_int_equal(n.itv[i].state, MN_ITV_LIVE);
	assert_int_equal(n.itv[i].start, 0x1000);
	assert_int_equal(n.itv[i].last, 0x2fff);
	assert_int_equal(n.itv[i].dev, 5);
	assert_int_equal(n.itv[i].invalidate_seq, 1);
	int w = -1;
	assert_int_equal(mn_interval_read_begin(&n, i, &w), 1);
	assert_int_equal(w, 0);
	/* A later idle insert takes the current seq - 1. */
	n.invalidate_seq = 8;
	int j = mn_interval_insert(&n, 0, 1, 0);
	assert_int_equal(n.itv[j].invalidate_seq, 7);
	assert_int_equal(n.sub[0].used, 0); /* register(NULL) adds no hlist subscriber */
}

/* length 0 or start + length - 1 overflowing is -EOVERFLOW, after register(NULL) ran. */
static void test_interval_insert_bad_length(void **state)
{
	(void)state;
	struct mn_notifier_mm n;
	fresh(&n);
	assert_int_equal(mn_interval_insert(&n, 0x1000, 0, 0), -1);
	assert_int_equal(n.allocated, 1);
	assert_int_equal(n.has_itree, 1);
	assert_int_equal(n.itv[0].state, MN_ITV_FREE);
	assert_int_equal(mn_interval_insert(&n, 0xfffff000u, 0x1001, 0), -1);
	assert_int_equal(n.itv[0].state, MN_ITV_FREE);
	/* Exactly reaching the top is fine. */
	int i = mn_interval_insert(&n, 0xfffff000u, 0x1000, 0);
	assert_int_equal(i, 0);
	assert_int_equal(n.itv[i].last, UINT32_MAX);
	/* Full table. */
	mn_interval_insert(&n, 0, 1, 0);
	mn_interval_insert(&n, 0, 1, 0);
	assert_int_equal(mn_interval_insert(&n, 0, 1, 0), -1);
}

/* Insert while an invalidation that hit nothing runs: seq |= 1, into the tree at once, seq
 * equal to the mm's, so read_begin waits for the last inv_end. */
static void test_interval_insert_active_even(void **state)
{
	(void)state;
	struct mn_notifier_mm n;
	fresh(&n);
	mn_interval_insert(&n, 0x10000, 0x1000, 0);
	assert_int_equal(inv_start(&n, 0, 0x1000, NULL, NULL), 0);
	assert_int_equal(n.active_invalidate_ranges, 1);
	assert_int_equal(n.invalidate_seq, 2);
	int i = mn_interval_insert(&n, 0, 0x1000, 1);
	assert_int_equal(n.itv[i].state, MN_ITV_LIVE);
	assert_int_equal(n.invalidate_seq, 3);
	assert_int_equal(n.itv[i].invalidate_seq, 3);
	int w = 0;
	assert_int_equal(mn_interval_read_begin(&n, i, &w), 3);
	assert_int_equal(w, 1);
	/* A new invalidation sees it immediately. */
	int out[MN_NINTERVAL];
	assert_int_equal(inv_start(&n, 0x800, 0x900, out, NULL), 1);
	assert_int_equal(out[0], i);
	assert_int_equal(mn_itree_inv_end(&n), MN_PROT_OK);
	assert_int_equal(n.invalidate_seq, 3);
	assert_int_equal(mn_itree_inv_end(&n), MN_PROT_OK);
	assert_int_equal(n.invalidate_seq, 4);
	assert_int_equal(mn_interval_read_begin(&n, i, &w), 3);
	assert_int_equal(w, 0);
	assert_int_equal(mn_interval_read_retry(&n, i, 3), 0);
}

/* Insert while the tree is frozen (odd seq): deferred, invisible to new invalidations,
 * applied by the last inv_end. */
static void test_interval_insert_deferred(void **state)
{
	(void)state;
	struct mn_notifier_mm n;
	int out[MN_NINTERVAL];
	uint32_t cur;
	fresh(&n);
	int a = mn_interval_insert(&n, 0, 0x1000, 0);
	assert_int_equal(inv_start(&n, 0, 0x1000, out, &cur), 1);
	assert_int_equal(cur, 3);
	int b = mn_interval_insert(&n, 0, 0x1000, 1);
	assert_int_equal(n.itv[b].state, MN_ITV_INSERT_PENDING);
	assert_int_equal(n.itv[b].invalidate_seq, 3);
	assert_int_equal(n.invalidate_seq, 3);
	int w = 0;
	mn_interval_read_begin(&n, b, &w);
	assert_int_equal(w, 1);
	assert_int_equal(inv_start(&n, 0, 0x1000, out, NULL), 1);
	assert_int_equal(out[0], a);
	assert_int_equal(n.active_invalidate_ranges, 2);
	mn_itree_inv_end(&n);
	assert_int_equal(n.itv[b].state, MN_ITV_INSERT_PENDING);
	mn_itree_inv_end(&n);
	assert_int_equal(n.itv[b].state, MN_ITV_LIVE);
	assert_int_equal(n.invalidate_seq, 4);
	assert_int_equal(inv_start(&n, 0, 0x1000, out, &cur), 2);
	assert_int_equal(cur, 5);
}

/* interval_tree_iter_first(range->start, range->end - 1): end exclusive, last inclusive. */
static void test_inv_start_overlap_bounds(void **state)
{
	(void)state;
	struct mn_notifier_mm n;
	int out[MN_NINTERVAL];
	fresh(&n);
	int i = mn_interval_insert(&n, 0x2000, 0x1000, 0); /* [0x2000, 0x2fff] */
	assert_int_equal(inv_start(&n, 0x1000, 0x2000, out, NULL), 0); /* ends at start */
	mn_itree_inv_end(&n);
	assert_int_equal(inv_start(&n, 0x3000, 0x4000, out, NULL), 0); /* starts past last */
	mn_itree_inv_end(&n);
	assert_int_equal(n.invalidate_seq, 2);
	assert_int_equal(inv_start(&n, 0x1000, 0x2001, out, NULL), 1); /* first byte */
	assert_int_equal(out[0], i);
	mn_itree_inv_end(&n);
	assert_int_equal(inv_start(&n, 0x2fff, 0x3000, out, NULL), 1); /* last byte */
	mn_itree_inv_end(&n);
	/* The release range [0, ULONG_MAX) covers it. */
	assert_int_equal(inv_start(&n, 0, UINT32_MAX, out, NULL), 1);
	mn_itree_inv_end(&n);
	/* The kernel does not guard an empty range: [s, s) queries [s, s - 1], which still
	 * meets an interval that strictly contains s. */
	assert_int_equal(inv_start(&n, 0x2800, 0x2800, out, NULL), 1);
	mn_itree_inv_end(&n);
	assert_int_equal(n.invalidate_seq, 10);
	assert_int_equal(n.active_invalidate_ranges, 0);
}

/* Every invalidation is counted, overlapping or not; only overlapping ones make seq odd. */
static void test_inv_start_counts_non_overlapping(void **state)
{
	(void)state;
	struct mn_notifier_mm n;
	uint32_t cur = 0;
	fresh(&n);
	mn_interval_insert(&n, 0x10000, 0x1000, 0);
	assert_int_equal(inv_start(&n, 0, 0x1000, NULL, &cur), 0);
	assert_int_equal(inv_start(&n, 0x1000, 0x2000, NULL, NULL), 0);
	assert_int_equal(n.active_invalidate_ranges, 2);
	assert_int_equal(n.invalidate_seq, 2);
	assert_int_equal(cur, 2);
	mn_itree_inv_end(&n);
	mn_itree_inv_end(&n);
	assert_int_equal(n.active_invalidate_ranges, 0);
	assert_int_equal(n.invalidate_seq, 2); /* even: nothing to release */
}

/* Callbacks go in interval-tree order: ascending start, equal starts by insertion. */
static void test_inv_start_tree_order(void **state)
{
	(void)state;
	struct mn_notifier_mm n;
	int out[MN_NINTERVAL];
	fresh(&n);
	int hi = mn_interval_insert(&n, 0x5000, 0x1000, 0);
	int lo = mn_interval_insert(&n, 0x1000, 0x8000, 1);
	int mid = mn_interval_insert(&n, 0x1000, 0x1000, 2); /* same start as lo, later */
	assert_int_equal(inv_start(&n, 0, 0x10000, out, NULL), 3);
	assert_int_equal(out[0], lo);
	assert_int_equal(out[1], mid);
	assert_int_equal(out[2], hi);
	mn_itree_inv_end(&n);
	/* Removing the first keeps the others' order and lets a new one slot in. */
	mn_interval_remove(&n, lo);
	int first = mn_interval_insert(&n, 0, 0x2000, 3);
	assert_int_equal(inv_start(&n, 0x1000, 0x6000, out, NULL), 3);
	assert_int_equal(out[0], first);
	assert_int_equal(out[1], mid);
	assert_int_equal(out[2], hi);
	assert_int_equal(n.itv[first].pos, 0);
	assert_int_equal(n.itv[mid].pos, 1);
	assert_int_equal(n.itv[hi].pos, 2);
}

/* The deferred list is LIFO, so deferred inserts of equal start enter the tree newest
 * first and are then walked in that order. */
static void test_deferred_insert_lifo_order(void **state)
{
	(void)state;
	struct mn_notifier_mm n;
	int out[MN_NINTERVAL];
	fresh(&n);
	int a = mn_interval_insert(&n, 0, 0x1000, 0);
	inv_start(&n, 0, 0x1000, NULL, NULL);
	int b = mn_interval_insert(&n, 0x4000, 0x1000, 1);
	int c = mn_interval_insert(&n, 0x4000, 0x1000, 2);
	assert_int_equal(n.itv[c].dpos, 0);
	assert_int_equal(n.itv[b].dpos, 1);
	mn_itree_inv_end(&n);
	assert_int_equal(n.itv[b].dpos, 0);
	assert_int_equal(n.itv[c].dpos, 0);
	assert_int_equal(inv_start(&n, 0, 0x10000, out, NULL), 3);
	assert_int_equal(out[0], a);
	assert_int_equal(out[1], c);
	assert_int_equal(out[2], b);
}

/* mn_itree_inv_end: only the last one out bumps an odd seq; an even seq stays put. */
static void test_inv_end_last_one_out(void **state)
{
	(void)state;
	struct mn_notifier_mm n;
	fresh(&n);
	mn_interval_insert(&n, 0, 0x1000, 0);
	inv_start(&n, 0x8000, 0x9000, NULL, NULL); /* misses */
	inv_start(&n, 0, 0x1000, NULL, NULL);      /* hits */
	inv_start(&n, 0, 0x1000, NULL, NULL);      /* hits, seq already odd */
	assert_int_equal(n.invalidate_seq, 3);
	assert_int_equal(n.active_invalidate_ranges, 3);
	mn_itree_inv_end(&n);
	mn_itree_inv_end(&n);
	assert_int_equal(n.invalidate_seq, 3);
	assert_int_equal(n.active_invalidate_ranges, 1);
	mn_itree_inv_end(&n); /* the non-overlapping one ends last: it still unfreezes */
	assert_int_equal(n.invalidate_seq, 4);
	assert_int_equal(n.active_invalidate_ranges, 0);
}

/* An end with nothing counted would wrap the kernel's counter: reported, no change. */
static void test_inv_end_without_start(void **state)
{
	(void)state;
	struct mn_notifier_mm n, before;
	fresh(&n);
	mn_interval_insert(&n, 0, 0x1000, 0);
	before = n;
	assert_int_equal(mn_itree_inv_end(&n), MN_PROT_END_WITHOUT_START);
	assert_memory_equal(&n, &before, sizeof(n));
}

/* __mmu_notifier_invalidate_range_start/end touch the itree only when has_itree. */
static void test_inv_start_gated_by_has_itree(void **state)
{
	(void)state;
	struct mn_notifier_mm n, before;
	fresh(&n);
	before = n;
	assert_int_equal(inv_start(&n, 0, 0x1000, NULL, NULL), 0); /* no subscriptions */
	assert_int_equal(mn_itree_inv_end(&n), MN_PROT_OK);
	assert_memory_equal(&n, &before, sizeof(n));
	reg(&n, OPS_KVM, 0);
	before = n;
	assert_int_equal(inv_start(&n, 0, 0x1000, NULL, NULL), 0); /* hlist only */
	assert_int_equal(n.active_invalidate_ranges, 0);
	assert_int_equal(mn_itree_inv_end(&n), MN_PROT_OK);
	assert_memory_equal(&n, &before, sizeof(n));
}

/* read_begin / set_seq / read_retry: the collision-retry protocol. */
static void test_read_begin_retry_set_seq(void **state)
{
	(void)state;
	struct mn_notifier_mm n;
	uint32_t cur = 0;
	int w = -1;
	fresh(&n);
	int i = mn_interval_insert(&n, 0, 0x1000, 0);
	uint32_t seq = mn_interval_read_begin(&n, i, &w);
	assert_int_equal(seq, 1);
	assert_int_equal(w, 0);
	/* An invalidation collides: the driver's callback stamps the interval. */
	inv_start(&n, 0, 0x1000, NULL, &cur);
	assert_int_equal(cur, 3);
	mn_interval_set_seq(&n, i, cur);
	assert_int_equal(n.itv[i].invalidate_seq, 3);
	assert_int_equal(mn_interval_read_retry(&n, i, seq), 1);
	/* A read started now must wait: the interval's seq is the running one. */
	uint32_t seq2 = mn_interval_read_begin(&n, i, &w);
	assert_int_equal(seq2, 3);
	assert_int_equal(w, 1);
	mn_itree_inv_end(&n);
	/* After the wait the same seq is valid: no retry unless another collision. */
	assert_int_equal(mn_interval_read_begin(&n, i, &w), 3);
	assert_int_equal(w, 0);
	assert_int_equal(mn_interval_read_retry(&n, i, seq2), 0);
}

/* Remove with the tree unfrozen and idle: immediate, nothing to wait for. */
static void test_remove_immediate(void **state)
{
	(void)state;
	struct mn_notifier_mm n;
	int out[MN_NINTERVAL];
	fresh(&n);
	int a = mn_interval_insert(&n, 0, 0x1000, 0);
	int b = mn_interval_insert(&n, 0x1000, 0x1000, 1);
	assert_int_equal(mn_interval_remove(&n, a), 0);
	assert_int_equal(n.itv[a].state, MN_ITV_FREE);
	assert_int_equal(n.itv[b].pos, 0);
	assert_int_equal(inv_start(&n, 0, 0x10000, out, NULL), 1);
	assert_int_equal(out[0], b);
	assert_int_equal(mn_interval_remove(&n, a), 0); /* already free */
}

/* Remove while the tree is frozen: the interval stays in the tree (and is still
 * invalidated) until the last inv_end; the remover waits on the returned seq. */
static void test_remove_deferred(void **state)
{
	(void)state;
	struct mn_notifier_mm n;
	int out[MN_NINTERVAL];
	fresh(&n);
	int a = mn_interval_insert(&n, 0, 0x1000, 0);
	int b = mn_interval_insert(&n, 0x1000, 0x1000, 1);
	inv_start(&n, 0, 0x1000, NULL, NULL);
	uint32_t wait = mn_interval_remove(&n, a);
	assert_int_equal(wait, 3);
	assert_int_equal(n.itv[a].state, MN_ITV_REMOVE_PENDING);
	assert_int_equal(inv_start(&n, 0, 0x2000, out, NULL), 2);
	assert_int_equal(out[0], a);
	assert_int_equal(out[1], b);
	mn_itree_inv_end(&n);
	assert_int_equal(n.itv[a].state, MN_ITV_REMOVE_PENDING);
	assert_int_equal(n.invalidate_seq, wait);
	mn_itree_inv_end(&n);
	assert_int_equal(n.itv[a].state, MN_ITV_FREE);
	assert_int_not_equal(n.invalidate_seq, wait);
	assert_int_equal(n.itv[b].pos, 0);
	assert_int_equal(inv_start(&n, 0, 0x2000, out, NULL), 1);
	assert_int_equal(out[0], b);
}

/* Removing an insert still on the deferred list drops it at once. */
static void test_remove_pending_insert(void **state)
{
	(void)state;
	struct mn_notifier_mm n;
	int out[MN_NINTERVAL];
	fresh(&n);
	mn_interval_insert(&n, 0, 0x1000, 0);
	inv_start(&n, 0, 0x1000, NULL, NULL);
	int b = mn_interval_insert(&n, 0x5000, 0x1000, 1);
	int c = mn_interval_insert(&n, 0x6000, 0x1000, 2);
	assert_int_equal(n.itv[b].dpos, 1);
	assert_int_equal(mn_interval_remove(&n, c), 0);
	assert_int_equal(n.itv[c].state, MN_ITV_FREE);
	assert_int_equal(n.itv[b].dpos, 0);
	mn_itree_inv_end(&n);
	assert_int_equal(n.itv[b].state, MN_ITV_LIVE);
	assert_int_equal(n.itv[c].state, MN_ITV_FREE);
	assert_int_equal(inv_start(&n, 0x5000, 0x7000, out, NULL), 1);
	assert_int_equal(out[0], b);
}

/* With invalidations running but none hitting an interval (even seq) removal is immediate:
 * the test is mn_itree_is_invalidating, not active_invalidate_ranges. */
static void test_remove_active_even_immediate(void **state)
{
	(void)state;
	struct mn_notifier_mm n;
	fresh(&n);
	int a = mn_interval_insert(&n, 0, 0x1000, 0);
	inv_start(&n, 0x8000, 0x9000, NULL, NULL);
	assert_int_equal(n.active_invalidate_ranges, 1);
	assert_int_equal(mn_interval_remove(&n, a), 0);
	assert_int_equal(n.itv[a].state, MN_ITV_FREE);
	assert_int_equal(n.invalidate_seq, 2);
}

/* mn_itree_invalidate: a false ->invalidate WARNs when blockable, else rolls back. */
static void test_itree_invalidate_failed(void **state)
{
	(void)state;
	struct mn_notifier_mm n, before;
	fresh(&n);
	mn_interval_insert(&n, 0, 0x1000, 0);
	inv_start(&n, 0, 0x1000, NULL, NULL);
	before = n;
	assert_int_equal(mn_itree_invalidate_failed(&n, 1), MN_PROT_BLOCKABLE_FAILED);
	assert_memory_equal(&n, &before, sizeof(n));
	assert_int_equal(mn_itree_invalidate_failed(&n, 0), MN_PROT_OK);
	assert_int_equal(n.active_invalidate_ranges, 0);
	assert_int_equal(n.invalidate_seq, 4);
}

/* The two WARN_ONs of mn_hlist_invalidate_range_start. */
static void test_start_failed_warns(void **state)
{
	(void)state;
	struct mn_notifier_mm n;
	fresh(&n);
	int kvm = reg(&n, OPS_KVM, 0); /* has range_end */
	int sva = reg(&n, MN_OP_INVALIDATE_RANGE_START, 1);
	assert_int_equal(mn_start_failed(&n, sva, 0, 0), MN_PROT_OK);
	assert_int_equal(mn_start_failed(&n, sva, -MN_EAGAIN, 0), MN_PROT_OK);
	assert_int_equal(mn_start_failed(&n, sva, -MN_EAGAIN, 1), MN_PROT_BLOCKABLE_FAILED);
	assert_int_equal(mn_start_failed(&n, sva, -12, 0), MN_PROT_BLOCKABLE_FAILED);
	assert_int_equal(mn_start_failed(&n, kvm, -MN_EAGAIN, 0),
			 MN_PROT_FAILING_NOTIFIER_HAS_END);
	assert_int_equal(mn_start_failed(&n, kvm, -12, 1), MN_PROT_BLOCKABLE_FAILED);
}

/* enum mmu_notifier_event names, in the kernel's order. */
static void test_event_names(void **state)
{
	(void)state;
	static const char *const want[] = { "UNMAP", "CLEAR", "PROTECTION_VMA",
					    "PROTECTION_PAGE", "SOFT_DIRTY", "RELEASE",
					    "MIGRATE", "EXCLUSIVE" };
	assert_int_equal(MN_NEVENTS, 8);
	for (int e = 0; e < MN_NEVENTS; e++) {
		assert_non_null(mn_event_names[e]);
		assert_string_equal(mn_event_names[e], want[e]);
	}
	assert_int_equal(MN_EV_RELEASE, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_zeroes),
		cmocka_unit_test(test_register_allocates_seq2),
		cmocka_unit_test(test_register_head_of_list),
		cmocka_unit_test(test_register_needs_mmap_write_lock),
		cmocka_unit_test(test_register_needs_live_mm),
		cmocka_unit_test(test_register_full),
		cmocka_unit_test(test_get_reuses_same_ops_and_dev),
		cmocka_unit_test(test_get_distinct_ops_or_dev_registers),
		cmocka_unit_test(test_get_protocol_checks),
		cmocka_unit_test(test_get_ignores_unhashed),
		cmocka_unit_test(test_put_last_reference_frees),
		cmocka_unit_test(test_put_unbalanced),
		cmocka_unit_test(test_unregister_hashed),
		cmocka_unit_test(test_unregister_after_release),
		cmocka_unit_test(test_subscribers_order_and_filter),
		cmocka_unit_test(test_release_all),
		cmocka_unit_test(test_interval_insert_idle),
		cmocka_unit_test(test_interval_insert_bad_length),
		cmocka_unit_test(test_interval_insert_active_even),
		cmocka_unit_test(test_interval_insert_deferred),
		cmocka_unit_test(test_inv_start_overlap_bounds),
		cmocka_unit_test(test_inv_start_counts_non_overlapping),
		cmocka_unit_test(test_inv_start_tree_order),
		cmocka_unit_test(test_deferred_insert_lifo_order),
		cmocka_unit_test(test_inv_end_last_one_out),
		cmocka_unit_test(test_inv_end_without_start),
		cmocka_unit_test(test_inv_start_gated_by_has_itree),
		cmocka_unit_test(test_read_begin_retry_set_seq),
		cmocka_unit_test(test_remove_immediate),
		cmocka_unit_test(test_remove_deferred),
		cmocka_unit_test(test_remove_pending_insert),
		cmocka_unit_test(test_remove_active_even_immediate),
		cmocka_unit_test(test_itree_invalidate_failed),
		cmocka_unit_test(test_start_failed_warns),
		cmocka_unit_test(test_event_names),
	};
	RUN_TESTS(tests);
}
