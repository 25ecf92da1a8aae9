/* Transparent huge pages (mm/huge_memory.c, mm/khugepaged.c) as built-ins: the compound
 * page, the PMD entry and its lock, and the PTE table a split fills or a collapse empties.
 *
 * What is simplified, and why:
 * - A THP is one frame standing for the whole compound page (MN_PG_COMPOUND), as a hugetlb
 *   page is: one refcount and one mapcount, the head's. Its MN_PTRS subpages each keep a
 *   word (kstate thp[], at most MN_NTHP THPs at once), so data survives split and
 *   collapse page by page. After a split every PTE maps that one frame (the kernel's PTE
 *   i maps page + i, and the model finds subpage i from the address).
 * - The page-table page a THP deposits (pgtable_trans_huge_deposit) is not kept: the
 *   split allocates its PTE table when it needs it (pmd_populate_split), and the collapse
 *   frees the table it emptied (pte_free_table). With 12 page-table pages the split can
 *   fail for lack of one where the kernel cannot; it is then an error, not a fallback.
 * - The PMD lock is the lock of the PMD table page (one split PT lock per table page, as
 *   pte_lock); x86's pmd_lock is per PMD page too. */
#include "kbuiltin_thp.h"

#include <stdio.h>
#include <string.h>

#include "../check/checks.h"
#include "../lang/program.h"
#include "../machine/access.h"
#include "../machine/pagetable.h"
#include "../machine/tlb.h"
#include "kstate.h"

#define KSTART MN_KSTART
#define HPAGE_SIZE (MN_PAGE_SIZE << MN_PT_BITS)

/* vma_alloc_folio(HPAGE_PMD_ORDER) then clear_huge_page: a zeroed compound page. */
int kb_alloc_huge_page(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	struct mn_kstate *ks = mn_kctx(ctx);
	if (!ks)
		return -1;
	*ret = 0;
	int slot;
	for (slot = 0; slot < MN_NTHP; slot++) {
		int used = 0;
		for (int f = 1; f < MN_NFRAMES; f++)
			used |= ks->frame[f].kind != MN_FRAME_FREE && ks->frame[f].thp == slot + 1;
		if (!used)
			break;
	}
	if (slot == MN_NTHP)
		return 0; /* no compound page free: the fault falls back to small pages */
	for (int f = 1; f < MN_NFRAMES; f++) {
		struct mn_page *fr = &ks->frame[f];
		if (fr->kind != MN_FRAME_FREE)
			continue;
		fr->kind = MN_FRAME_ANON;
		fr->refcount = 1;
		fr->mapcount = 0;
		fr->flags = MN_PG_COMPOUND;
		fr->data = 0;
		fr->thp = (uint8_t)(slot + 1);
		fr->owner_mm = (uint8_t)(ctx->prog->agents[ctx->agent].mm + 1);
		memset(&ks->thp[slot], 0, sizeof(ks->thp[slot]));
		*ret = MN_HANDLE(MN_HK_FRAME, f);
		return 0;
	}
	return 0;
}

int kb_pmd_trans_huge(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	/* x86 pmd_trans_huge looks at _PAGE_PSE: an invalidated (splitting) PMD is one too */
	*ret = (a[0] & MN_PTE_HUGE) != 0;
	return 0;
}

/* The PMD entry for addr; with alloc the tables above it are allocated. */
static mn_pte *pmd_slot(struct mn_ctx *ctx, struct mn_kstate *ks, int mm, mn_val addr,
			int alloc, int *table)
{
	struct mn_walk wk;
	if (mn_bad_addr(ctx, addr))
		return NULL;
	mn_pte *s = mn_pt_slot(ks, mm, (uint32_t)addr, 2, alloc, &wk);
	if (table)
		*table = s ? wk.pt : -1;
	return s;
}

int kb_pmd_alloc(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	KSTART;
	if (mn_bad_addr(ctx, a[0]))
		return -1;
	*ret = pmd_slot(ctx, ks, mm, a[0], 1, NULL) ? 0 : -1;
	return 0;
}

int kb_mm_find_pmd(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	KSTART;
	if (mn_bad_addr(ctx, a[0]))
		return -1;
	*ret = pmd_slot(ctx, ks, mm, a[0], 0, NULL) != NULL;
	return 0;
}

int kb_pmd_get(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	KSTART;
	if (mn_bad_addr(ctx, a[0]))
		return -1;
	mn_pte *s = pmd_slot(ctx, ks, mm, a[0], 0, NULL);
	*ret = s ? *s : 0;
	return 0;
}

static int pmd_table(struct mn_kstate *ks, int mm, mn_val addr)
{
	struct mn_walk wk;
	if (addr < 0 || addr >= MN_VA_LIMIT)
		return -1;
	return mn_pt_slot(ks, mm, (uint32_t)addr, 2, 0, &wk) ? wk.pt : -1;
}

int kb_pmd_lock_en(const struct mn_ctx *ctx, const mn_val *a)
{
	struct mn_kstate *ks = mn_ks(ctx->w, &ctx->prog->layout);
	int mm = mn_agent_mm(ctx);
	if (!ks || mm < 0)
		return 1;
	return mn_pt_lock_free(ks, pmd_table(ks, mm, a[0]));
}

int kb_pmd_lock(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	KSTART;
	mn_ptwalk_forget(ks, ctx->agent); /* the walk goes on under the PMD lock instead */
	return mn_pt_lock_take(ctx, ks, pmd_table(ks, mm, a[0]), "pmd_lock", "PMD table", a[0]);
}

int kb_pmd_unlock(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	KSTART;
	int t = pmd_table(ks, mm, a[0]);
	if (t < 0 || ks->pt[t].lock != ctx->agent + 1) {
		snprintf(ctx->err, sizeof(ctx->err), "pmd_unlock(%#llx) without the lock",
			 (unsigned long long)a[0]);
		return -1;
	}
	ks->pt[t].lock = 0;
	return 0;
}

int kb_set_pmd_at(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	KSTART;
	mn_pte *s = pmd_slot(ctx, ks, mm, a[0], 0, NULL);
	if (!s) {
		if (!ctx->err[0])
			snprintf(ctx->err, sizeof(ctx->err), "set_pmd_at: no PMD table");
		return -1;
	}
	*s = (mn_pte)a[1];
	return 0;
}

int kb_pmdp_huge_get_and_clear(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	KSTART;
	mn_pte *s = pmd_slot(ctx, ks, mm, a[0], 0, NULL);
	if (!s) {
		if (!ctx->err[0])
			snprintf(ctx->err, sizeof(ctx->err), "pmdp_huge_get_and_clear: no PMD table");
		return -1;
	}
	*ret = *s;
	*s = 0; /* pmd_none: a later fault may map a THP or a PTE table here */
	return 0;
}

/* arch/x86/mm/pgtable.c pmdp_invalidate_ad: pmdp_establish(pmd_mkinvalid(*pmdp)), an
 * xchg, so the old value has whatever A/D bits the hardware set up to that moment. The
 * entry stays huge (PSE) but not present: walks fault, and the fault path waits on the
 * PMD lock. No flush. */
int kb_pmdp_invalidate_ad(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	KSTART;
	mn_pte *s = pmd_slot(ctx, ks, mm, a[0], 0, NULL);
	if (!s || !(*s & MN_PTE_HUGE)) {
		if (!ctx->err[0])
			snprintf(ctx->err, sizeof(ctx->err), "pmdp_invalidate of a PMD that is not huge");
		return -1;
	}
	*ret = *s;
	*s &= ~MN_PTE_PRESENT;
	return 0;
}

/* __split_huge_pmd_locked, from the PTE table on: the withdrawn table (allocated here)
 * gets one PTE per subpage with the huge entry's write, young and soft-dirty bits (not
 * dirty: 6.1 moves that to the page, "we don't do pte_mkdirty"), then pmd_populate
 * makes it visible. The table is not reachable before, so this is one step. */
int kb_pmd_populate_split(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	KSTART;
	mn_pte old = (mn_pte)a[1];
	mn_pte *s = pmd_slot(ctx, ks, mm, a[0], 0, NULL);
	if (!s || !(old & MN_PTE_HUGE)) {
		if (!ctx->err[0])
			snprintf(ctx->err, sizeof(ctx->err), "pmd_populate_split of a PMD that is not huge");
		return -1;
	}
	int t = mn_pt_alloc(ks, mm, 1);
	if (t < 0) {
		snprintf(ctx->err, sizeof(ctx->err), "split: no page-table page free (%d)", MN_NPT);
		return -1;
	}
	mn_pte pte = MN_PTE_PRESENT | MN_PTE_MKPFN(MN_PTE_PFN(old)) |
		     (old & (MN_PTE_WRITE | MN_PTE_ACCESSED | MN_PTE_SOFT_DIRTY | MN_PTE_SPECIAL));
	for (int i = 0; i < (int)MN_PTRS; i++)
		ks->pt[t].e[i] = pte;
	*s = MN_PTE_PRESENT | MN_PTE_WRITE | MN_PTE_MKPFN(t);
	*ret = 0;
	return 0;
}

static struct mn_page *page_arg(struct mn_ctx *ctx, mn_val h)
{
	return mn_kctx_page(ctx, h);
}

int kb_page_ref_add(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_page *f = page_arg(ctx, a[0]);
	if (!f)
		return -1;
	if (f->kind == MN_FRAME_ZERO)
		return 0;
	if (a[1] < 0 || f->refcount + a[1] > UINT16_MAX) {
		snprintf(ctx->err, sizeof(ctx->err), "page_ref_add out of range");
		return -1;
	}
	f->refcount = (uint16_t)(f->refcount + a[1]);
	return 0;
}

/* __split_huge_pmd_locked's rmap: each subpage's _mapcount goes up and the compound
 * mapcount down (page_remove_rmap(page, vma, true)). One frame holds both counts. */
int kb_page_split_rmap(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_page *f = page_arg(ctx, a[0]);
	if (!f)
		return -1;
	if (f->kind == MN_FRAME_ZERO)
		return 0;
	if (!(f->flags & MN_PG_COMPOUND) || f->mapcount < 1) {
		snprintf(ctx->err, sizeof(ctx->err), "page_split_rmap of a page not PMD-mapped");
		return -1;
	}
	f->mapcount = (int16_t)(f->mapcount + (int)MN_PTRS - 1);
	return 0;
}

/* The PTE table a (former) PMD value names, for a table that is no longer reachable
 * from the mm (collapse_huge_page after pmdp_collapse_flush). */
static mn_pte *detached(struct mn_ctx *ctx, struct mn_kstate *ks, mn_val pmdval, mn_val addr)
{
	int t = (int)MN_PTE_PFN((mn_pte)pmdval);
	if (!(pmdval & MN_PTE_PRESENT) || (pmdval & MN_PTE_HUGE) || t >= MN_NPT ||
	    ks->pt[t].level != 1 || addr < 0 || addr >= MN_VA_LIMIT) {
		snprintf(ctx->err, sizeof(ctx->err), "not a PTE table: %#llx",
			 (unsigned long long)pmdval);
		return NULL;
	}
	return &ks->pt[t].e[mn_pt_index((uint32_t)addr, 1)];
}

int kb_pte_offset_get(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_kstate *ks = mn_kctx(ctx);
	mn_pte *s = ks ? detached(ctx, ks, a[0], a[1]) : NULL;
	if (!s)
		return -1;
	*ret = *s;
	return 0;
}

int kb_pte_offset_clear(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_kstate *ks = mn_kctx(ctx);
	mn_pte *s = ks ? detached(ctx, ks, a[0], a[1]) : NULL;
	if (!s)
		return -1;
	*ret = *s;
	*s = 0;
	return 0;
}

int kb_pte_free_table(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_kstate *ks = mn_kctx(ctx);
	if (!ks || !detached(ctx, ks, a[0], 0))
		return -1;
	mn_pt_free(ks, (int)MN_PTE_PFN((mn_pte)a[0]));
	return 0;
}

/* __collapse_huge_page_copy for one PTE: copy_user_highpage into the subpage of the huge
 * page that addr falls in. */
int kb_copy_huge_subpage(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_page *dst = page_arg(ctx, a[0]);
	struct mn_page *src = dst ? page_arg(ctx, a[2]) : NULL;
	if (!dst || !src || mn_bad_addr(ctx, a[1]))
		return -1;
	if (!(dst->flags & MN_PG_COMPOUND)) {
		snprintf(ctx->err, sizeof(ctx->err), "copy_huge_subpage into a small page");
		return -1;
	}
	struct mn_kstate *ks = mn_kctx(ctx);
	*mn_page_word(ks, MN_HANDLE_IDX(a[0]), (uint32_t)a[1]) =
		*mn_page_word(ks, MN_HANDLE_IDX(a[2]), (uint32_t)a[1]);
	return 0;
}

int kb_range_in_vma(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	KSTART;
	*ret = 0;
	for (int i = 0; i < MN_NVMA; i++) {
		const struct mn_vma *v = &m->vma[i];
		if (MN_VMA_LIVE(v) && a[0] >= v->start && a[1] <= v->end && a[0] < a[1])
			*ret = 1;
	}
	return 0;
}

int kb_flush_tlb_range_stride(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	KSTART;
	if (mn_bad_range(ctx, a[0], a[1], 0))
		return -1;
	if (a[2] != MN_PAGE_SIZE && a[2] != HPAGE_SIZE) {
		snprintf(ctx->err, sizeof(ctx->err), "stride is PAGE_SIZE or PMD_SIZE");
		return -1;
	}
	for (int c = 0; c < MN_NCPU; c++)
		mn_flush_cpu(&ks->cpu[c], mm, (uint32_t)a[0], (uint32_t)a[1],
				    (uint32_t)a[2]);
	return 0;
}
