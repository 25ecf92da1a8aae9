/* The machine: page tables, TLBs, the access path and what the checks see on it. */
#include "support.h"
#include "check/checks.h"
#include "kernel/kstate.h"
#include "machine/access.h"
#include "machine/pagetable.h"
#include "machine/psc.h"
#include "machine/tlb.h"

/* One mm whose page at va maps frame f (allocating the tables). */
static void map(struct mn_kstate *ks, uint32_t va, int f, mn_pte bits)
{
	struct mn_walk wk;
	if (!ks->mm[0].used) {
		ks->mm[0].used = 1;
		ks->mm[0].pgd = (uint8_t)mn_pt_alloc(ks, -1, 4);
	}
	mn_pte *s = mn_pt_walk(ks, 0, va, 1, &wk);
	assert_non_null(s);
	/* as the kernel makes PTEs: x86 pte_mkdirty and new mappings carry soft-dirty */
	*s = MN_PTE_PRESENT | MN_PTE_SOFT_DIRTY | MN_PTE_MKPFN(f) | bits;
	ks->frame[f].kind = MN_FRAME_ANON;
	ks->frame[f].refcount = 1;
}

static void test_walk_allocates_each_level(void **state)
{
	(void)state;
	static struct mn_kstate ks;
	memset(&ks, 0, sizeof(ks));
	map(&ks, 0x1000, 1, MN_PTE_WRITE);
	/* pgd, pud, pmd and pte tables */
	int used = 0;
	for (int i = 0; i < MN_NPT; i++)
		used += ks.pt[i].level != 0;
	assert_int_equal(used, 4);
	/* the next page shares every table; a page 8 pages on needs a new PTE table */
	map(&ks, 0x2000, 2, 0);
	map(&ks, 0x9000, 3, 0);
	used = 0;
	for (int i = 0; i < MN_NPT; i++)
		used += ks.pt[i].level != 0;
	assert_int_equal(used, 5);
	struct mn_walk wk;
	mn_pte *s = mn_pt_walk(&ks, 0, 0x2000, 0, &wk);
	assert_non_null(s);
	assert_int_equal(MN_PTE_PFN(*s), 2);
	assert_int_equal(wk.level, 1);
	assert_null(mn_pt_walk(&ks, 0, 0x100000, 0, &wk)); /* no tables there */
}

static void test_walk_through_freed_table(void **state)
{
	(void)state;
	static struct mn_kstate ks;
	memset(&ks, 0, sizeof(ks));
	map(&ks, 0x1000, 1, 0);
	struct mn_walk wk;
	mn_pt_walk(&ks, 0, 0x1000, 0, &wk);
	uint16_t gen = ks.pt[wk.pt].gen;
	mn_pt_free(&ks, wk.pt); /* freed while the PMD still points at it */
	assert_int_equal(ks.pt[wk.pt].gen, gen + 1);
	assert_null(mn_pt_walk(&ks, 0, 0x1000, 0, &wk));
	assert_true(wk.freed);
}

static void test_tlb_canonical(void **state)
{
	(void)state;
	struct mn_tlbe a[MN_NTLB], b[MN_NTLB];
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	struct mn_tlbe x = { .vpn = 3, .pfn = 1 }, y = { .vpn = 2, .pfn = 2 }, z = { .vpn = 9, .pfn = 3 };
	mn_tlb_fill(a, x);
	mn_tlb_fill(a, y);
	mn_tlb_fill(a, z);
	mn_tlb_fill(b, z);
	mn_tlb_fill(b, x);
	mn_tlb_fill(b, y);
	/* the same translations in any order of filling are the same bytes */
	assert_memory_equal(a, b, sizeof(a));
	assert_int_equal(a[0].vpn, 2);
	assert_int_equal(mn_tlb_flush(a, 0, 0x1000, 0x2000), 1); /* vpn 2 is page 0x1000 */
	assert_int_equal(a[0].vpn, 3);
	assert_int_equal(a[2].vpn, 0);
	assert_null(mn_tlb_lookup(a, 0, 1));
	assert_non_null(mn_tlb_lookup(a, 0, 8));
	assert_null(mn_tlb_lookup(a, 1, 8)); /* another mm's translation */
}

static void test_access_fills_tlb_and_sets_bits(void **state)
{
	(void)state;
	static struct mn_kstate ks;
	memset(&ks, 0, sizeof(ks));
	map(&ks, 0x1000, 1, MN_PTE_WRITE);
	struct mn_tlbe *tlb = ks.cpu[0].tlb;
	uint32_t fired = 0;
	int32_t v = 0;
	assert_int_equal(mn_access(&ks, tlb, NULL, 0, 0x1000, 0, &v, &fired), MN_ACCESS_OK);
	struct mn_walk wk;
	mn_pte *s = mn_pt_walk(&ks, 0, 0x1000, 0, &wk);
	assert_true(*s & MN_PTE_ACCESSED);
	assert_false(*s & MN_PTE_DIRTY);
	struct mn_tlbe *e = mn_tlb_lookup(tlb, 0, 1);
	assert_non_null(e);
	assert_false(e->flags & MN_PTE_DIRTY);
	/* a write through the clean entry re-walks and sets D in PTE and entry */
	v = 5;
	assert_int_equal(mn_access(&ks, tlb, NULL, 0, 0x1000, 1, &v, &fired), MN_ACCESS_OK);
	assert_true(*s & MN_PTE_DIRTY);
	assert_true(e->flags & MN_PTE_DIRTY);
	assert_int_equal(ks.frame[1].data, 5);
	assert_int_equal(fired, 0);
}

static void test_clean_entry_write_faults_if_pte_changed(void **state)
{
	(void)state;
	static struct mn_kstate ks;
	memset(&ks, 0, sizeof(ks));
	map(&ks, 0x1000, 1, MN_PTE_WRITE);
	struct mn_tlbe *tlb = ks.cpu[0].tlb;
	uint32_t fired = 0;
	int32_t v = 0;
	mn_access(&ks, tlb, NULL, 0, 0x1000, 0, &v, &fired);
	struct mn_walk wk;
	*mn_pt_walk(&ks, 0, 0x1000, 0, &wk) &= ~MN_PTE_WRITE; /* write-protected, not flushed */
	v = 1;
	assert_int_equal(mn_access(&ks, tlb, NULL, 0, 0x1000, 1, &v, &fired), MN_ACCESS_FAULT);
	assert_null(mn_tlb_lookup(tlb, 0, 1)); /* the fault dropped the translation */
	assert_int_equal(ks.frame[1].data, 0);
}

static void test_dirty_entry_writes_without_walk(void **state)
{
	(void)state;
	static struct mn_kstate ks;
	memset(&ks, 0, sizeof(ks));
	map(&ks, 0x1000, 1, MN_PTE_WRITE);
	struct mn_tlbe *tlb = ks.cpu[0].tlb;
	uint32_t fired = 0;
	int32_t v = 1;
	mn_access(&ks, tlb, NULL, 0, 0x1000, 1, &v, &fired);
	struct mn_walk wk;
	*mn_pt_walk(&ks, 0, 0x1000, 0, &wk) = 0; /* cleared, not flushed */
	v = 2;
	/* a dirty writable entry is used as is: the write lands in the old frame */
	assert_int_equal(mn_access(&ks, tlb, NULL, 0, 0x1000, 1, &v, &fired), MN_ACCESS_OK);
	assert_int_equal(ks.frame[1].data, 2);
}

static void test_uaf_on_freed_or_reused_frame(void **state)
{
	(void)state;
	static struct mn_kstate ks;
	memset(&ks, 0, sizeof(ks));
	map(&ks, 0x1000, 1, MN_PTE_WRITE);
	struct mn_tlbe *tlb = ks.dev[0].tlb;
	uint32_t fired = 0;
	int32_t v = 0;
	mn_access(&ks, tlb, NULL, 0, 0x1000, 0, &v, &fired);
	assert_int_equal(fired, 0);
	/* freed and reallocated: a new generation */
	ks.frame[1].gen++;
	mn_access(&ks, tlb, NULL, 0, 0x1000, 0, &v, &fired);
	assert_true(fired & (1u << MN_CHECK_UAF));
}

/* A device walker's PDE cache: a walk keeps the PMD entry it used, a later walk of the
 * same PMD range goes through it without the upper levels, a walk through it once the
 * table was freed is a use after free, and ih=0 flushes drop it. */
static void test_psc_walk(void **state)
{
	(void)state;
	static struct mn_kstate ks;
	memset(&ks, 0, sizeof(ks));
	map(&ks, 0x1000, 1, MN_PTE_WRITE);
	map(&ks, 0x2000, 2, MN_PTE_WRITE);
	struct mn_dev *d = &ks.dev[0];
	uint32_t fired = 0;
	int32_t v = 0;
	assert_int_equal(mn_access(&ks, d->tlb, d->psc, 0, 0x1000, 0, &v, &fired), MN_ACCESS_OK);
	struct mn_walk wk;
	mn_pt_walk(&ks, 0, 0x1000, 0, &wk);
	int pte_table = wk.pt;
	struct mn_psce *c = mn_psc_lookup(d->psc, 0, 0x7000); /* the same PMD range */
	assert_non_null(c);
	assert_int_equal(c->pt, pte_table);
	assert_null(mn_psc_lookup(d->psc, 0, 0x8000));
	assert_null(mn_psc_lookup(d->psc, 1, 0x1000)); /* another mm's */
	/* the PMD entry cleared: the walk still finds the table through the cache */
	mn_pte *pmd = mn_pt_slot(&ks, 0, 0x2000, 2, 0, &wk);
	mn_pte saved = *pmd;
	*pmd = 0;
	assert_int_equal(mn_access(&ks, d->tlb, d->psc, 0, 0x2000, 0, &v, &fired), MN_ACCESS_OK);
	assert_int_equal(fired, 0);
	/* freed (and reused: same index, new generation): use after free, then the walk
	 * from the root, which faults at the cleared PMD entry and caches nothing */
	mn_pt_free(&ks, pte_table);
	assert_int_equal(mn_pt_alloc(&ks, 0, 1), pte_table);
	memset(d->tlb, 0, sizeof(d->tlb));
	assert_int_equal(mn_access(&ks, d->tlb, d->psc, 0, 0x2000, 0, &v, &fired), MN_ACCESS_FAULT);
	assert_int_equal(fired, 1u << MN_CHECK_UAF);
	assert_null(mn_psc_lookup(d->psc, 0, 0x2000));
	/* linked again: cached again; a flush of any page of the range drops it */
	*pmd = saved;
	fired = 0;
	mn_access(&ks, d->tlb, d->psc, 0, 0x2000, 0, &v, &fired);
	assert_non_null(mn_psc_lookup(d->psc, 0, 0x2000));
	assert_int_equal(mn_psc_flush(d->psc, 0, 0x8000, 0x9000), 0);
	assert_int_equal(mn_psc_flush(d->psc, 0, 0x7000, 0x8000), 1);
	assert_null(mn_psc_lookup(d->psc, 0, 0x2000));
}

static void test_psc_canonical(void **state)
{
	(void)state;
	struct mn_psce a[MN_NPSC], b[MN_NPSC];
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	mn_psc_fill(a, 0, 0x9000, 3, 1);
	mn_psc_fill(a, 1, 0x1000, 4, 2);
	mn_psc_fill(b, 1, 0x1000, 4, 2);
	mn_psc_fill(b, 0, 0x9000, 3, 1);
	assert_memory_equal(a, b, sizeof(a));
	mn_psc_fill(a, 0, 0x10000, 5, 0); /* full: the lowest goes */
	assert_null(mn_psc_lookup(a, 0, 0x9000));
	assert_non_null(mn_psc_lookup(a, 0, 0x10000));
	assert_non_null(mn_psc_lookup(a, 1, 0x1000));
	assert_int_equal(mn_psc_flush(a, 1, 0, MN_VA_LIMIT + 0x1000), 1);
}

static void test_incoherent_read(void **state)
{
	(void)state;
	static struct mn_kstate ks;
	memset(&ks, 0, sizeof(ks));
	map(&ks, 0x1000, 1, MN_PTE_WRITE | MN_PTE_DIRTY);
	map(&ks, 0x2000, 2, MN_PTE_WRITE | MN_PTE_DIRTY);
	uint32_t fired = 0;
	int32_t v = 7;
	mn_access(&ks, ks.cpu[0].tlb, NULL, 0, 0x1000, 1, &v, &fired);
	mn_access(&ks, ks.cpu[1].tlb, NULL, 0, 0x1000, 0, &v, &fired);
	assert_int_equal(v, 7);
	assert_int_equal(fired, 0);
	/* the other CPU reads through a translation to another frame */
	struct mn_tlbe e = { .vpn = 2, .pfn = 2, .gen = ks.frame[2].gen };
	mn_tlb_flush(ks.cpu[1].tlb, 0, 0, MN_VA_LIMIT);
	mn_tlb_fill(ks.cpu[1].tlb, e);
	mn_access(&ks, ks.cpu[1].tlb, NULL, 0, 0x1000, 0, &v, &fired);
	assert_int_equal(v, 0);
	assert_true(fired & (1u << MN_CHECK_INCOHERENT));
}

static void test_wlog_sorted_and_discard(void **state)
{
	(void)state;
	static struct mn_kstate a, b;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	mn_wlog_set(&a, 0, 0x3000, 1);
	mn_wlog_set(&a, 0, 0x1000, 2);
	mn_wlog_set(&b, 0, 0x1000, 2);
	mn_wlog_set(&b, 0, 0x3000, 1);
	assert_memory_equal(a.wlog, b.wlog, sizeof(a.wlog));
	int32_t v;
	assert_true(mn_wlog_get(&a, 0, 0x3000, &v));
	assert_int_equal(v, 1);
	mn_wlog_discard(&a, 0, 0x1000);
	assert_false(mn_wlog_get(&a, 0, 0x1000, &v));
	assert_true(mn_wlog_get(&a, 0, 0x3000, &v));
	assert_int_equal(a.wlog[0].value, 1);
	assert_int_equal(a.wlog[1].key, 0);
}

static void test_fork_shares_pages_cow(void **state)
{
	(void)state;
	struct mn_prog *p = must_load("kernel linux-6.1\n"
				      "mm parent { map 0x1000 anon rw populate; map 0x4000 anon ro populate }\n"
				      "fork parent child\n"
				      "P0 @cpu0 parent { }\n");
	const struct mn_kstate *ks = mn_ks_c(p->init, &p->layout);
	assert_non_null(ks);
	struct mn_walk wk;
	mn_pte pe = *mn_pt_walk((struct mn_kstate *)ks, 0, 0x1000, 0, &wk);
	mn_pte ce = *mn_pt_walk((struct mn_kstate *)ks, 1, 0x1000, 0, &wk);
	assert_int_equal(MN_PTE_PFN(pe), MN_PTE_PFN(ce));
	assert_false(pe & MN_PTE_WRITE); /* both sides write-protected for CoW */
	assert_false(ce & MN_PTE_WRITE);
	const struct mn_page *f = &ks->frame[MN_PTE_PFN(pe)];
	assert_int_equal(f->refcount, 2);
	assert_int_equal(f->mapcount, 2);
	assert_false(f->flags & MN_PG_ANON_EXCLUSIVE);
	assert_int_equal(ks->cpu[0].mm, 1); /* CR3 of the parent */
	mn_prog_free(p);
}

static void test_too_much_memory_is_an_input_error(void **state)
{
	(void)state;
	struct mn_diag d;
	assert_null(load_text("kernel linux-6.1\nmm m { map 0x1000 0x20000 anon rw populate }\n"
			      "P0 @cpu0 m { }\n",
			      &d));
	assert_non_null(strstr(d.msg, "does not fit"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk_allocates_each_level),
		cmocka_unit_test(test_walk_through_freed_table),
		cmocka_unit_test(test_tlb_canonical),
		cmocka_unit_test(test_access_fills_tlb_and_sets_bits),
		cmocka_unit_test(test_clean_entry_write_faults_if_pte_changed),
		cmocka_unit_test(test_dirty_entry_writes_without_walk),
		cmocka_unit_test(test_uaf_on_freed_or_reused_frame),
		cmocka_unit_test(test_psc_walk),
		cmocka_unit_test(test_psc_canonical),
		cmocka_unit_test(test_incoherent_read),
		cmocka_unit_test(test_wlog_sorted_and_discard),
		cmocka_unit_test(test_fork_shares_pages_cow),
		cmocka_unit_test(test_too_much_memory_is_an_input_error),
	};
	RUN_TESTS(tests);
}
