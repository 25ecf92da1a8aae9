/* Deferred TLB flushes and soft-dirty tracking as built-ins (see kbuiltin_tlb.h).
 *
 * mm->tlb_flush_pending is the count of include/linux/mm_inline.h (inc before the PTEs
 * change, dec after the flush). The mmu_gather keeps, per agent, the range and the
 * cleared_ptes / freed_tables bits of include/asm-generic/tlb.h: tlb_flush_mmu_tlbonly
 * flushes only when one of those bits is set, the rule 0758cd830494 introduced and 6.1
 * keeps (tlb.h:436-449). The page batch of the same gather is kbuiltin.c's
 * tlb_remove_page / tlb_batch_free. */
#include "kbuiltin_tlb.h"

#include <stdio.h>
#include <string.h>

#include "../lang/program.h"
#include "../machine/pagetable.h"
#include "../machine/tlb.h"
#include "kbuiltin_gup.h"
#include "kstate.h"

enum {
	MN_TLBG_BEGUN = 1,        /* tlb_gather_mmu was called (and inc_tlb_flush_pending) */
	MN_TLBG_FULLMM = 2,       /* tlb_gather_mmu_fullmm, or the nested rule of finish */
	MN_TLBG_CLEARED_PTES = 4, /* tlb_flush_pte_range / tlb_remove_tlb_entry */
	MN_TLBG_FREED_TABLES = 8, /* free_pgtables, or the nested rule of tlb_finish_mmu */
	MN_TLBG_CLEARED_PMDS = 16, /* tlb_remove_pmd_tlb_entry / tlb_flush_pmd_range */
};

#define KSTART MN_KSTART

/* ---- flush_tlb_mm and the pending count ---- */

int kb_flush_tlb_mm(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	KSTART;
	mn_flush_cpus(ks, mm, 0, MN_VA_LIMIT);
	return 0;
}

int kb_inc_tlb_flush_pending(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	KSTART;
	if (m->tlb_flush_pending == UINT8_MAX) {
		snprintf(ctx->err, sizeof(ctx->err), "tlb_flush_pending overflows");
		return -1;
	}
	m->tlb_flush_pending++;
	return 0;
}

int kb_dec_tlb_flush_pending(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	KSTART;
	if (!m->tlb_flush_pending) {
		snprintf(ctx->err, sizeof(ctx->err), "dec_tlb_flush_pending with none pending");
		return -1;
	}
	m->tlb_flush_pending--;
	return 0;
}

int kb_mm_tlb_flush_pending(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	KSTART;
	*ret = m->tlb_flush_pending != 0;
	return 0;
}

int kb_mm_tlb_flush_nested(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	KSTART;
	*ret = m->tlb_flush_pending > 1;
	return 0;
}

/* ---- page tables and VMAs ---- */

int kb_ptep_test_and_clear_young(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	KSTART;
	struct mn_walk wk;
	if (mn_bad_addr(ctx, a[0]))
		return -1;
	mn_pte *s = mn_pt_walk(ks, mm, (uint32_t)a[0], 0, &wk);
	if (!s) {
		snprintf(ctx->err, sizeof(ctx->err), "no page table for %#llx",
			 (unsigned long long)a[0]);
		return -1;
	}
	*ret = (*s & MN_PTE_PRESENT) && (*s & MN_PTE_ACCESSED);
	if (*ret)
		*s &= ~MN_PTE_ACCESSED;
	return 0;
}

int kb_pmd_none(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	KSTART;
	struct mn_walk wk;
	if (mn_bad_addr(ctx, a[0]))
		return -1;
	*ret = mn_pt_walk(ks, mm, (uint32_t)a[0], 0, &wk) == NULL;
	mn_ptwalk_note(ks, ctx->agent, mm, (uint32_t)a[0], !*ret);
	return 0;
}

/* Is v in the set asked for (enum mn_vma_set)? */
static int vma_in_set(const struct mn_vma *v, int set)
{
	if (!v->used)
		return 0;
	if (set == MN_VMAS_ALL)
		return 1;
	if (set == MN_VMAS_DEVFILE)
		return (v->flags & MN_VM_PFNMAP) != 0;
	return !(v->flags & MN_VM_DETACHED) == (set == MN_VMAS_LIVE);
}

/* The VMA of rank i by start address in the set (enum mn_vma_set), or NULL. The slots
 * are not kept in address order (vma_remove leaves holes), so rank them here. */
const struct mn_vma *mn_vma_rank(const struct mn_mm *m, mn_val i, int set)
{
	for (int k = 0; k < MN_NVMA; k++) {
		const struct mn_vma *v = &m->vma[k];
		if (!vma_in_set(v, set))
			continue;
		int below = 0;
		for (int j = 0; j < MN_NVMA; j++)
			below += vma_in_set(&m->vma[j], set) && m->vma[j].start < v->start;
		if (below == i)
			return v;
	}
	return NULL;
}

int kb_vma_count(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	KSTART;
	*ret = 0;
	for (int k = 0; k < MN_NVMA; k++)
		*ret += MN_VMA_LIVE(&m->vma[k]);
	return 0;
}

int kb_vma_start(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	KSTART;
	const struct mn_vma *v = mn_vma_rank(m, a[0], MN_VMAS_LIVE);
	*ret = v ? (mn_val)v->start : -1;
	return 0;
}

int kb_vma_end(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	KSTART;
	const struct mn_vma *v = mn_vma_rank(m, a[0], MN_VMAS_LIVE);
	*ret = v ? (mn_val)v->end : -1;
	return 0;
}

mn_val mn_vma_field(const struct mn_vma *v, mn_val field)
{
	if (!v)
		return -1;
	switch (field) {
	case 0:
		return v->start;
	case 1:
		return v->end;
	case 2:
		return v->flags & ~MN_VM_DETACHED;
	default:
		return v->pgoff;
	}
}

/* unmap_region's walk of the detached VMAs (6.1 unmap_vmas over mt_detach), by rank in
 * address order. */
int kb_detached_vma(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	KSTART;
	*ret = mn_vma_field(mn_vma_rank(m, a[0], MN_VMAS_DETACHED), a[1]);
	return 0;
}

/* ---- pure PTE helpers ---- */

int kb_pte_soft_dirty(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	*ret = (a[0] & MN_PTE_SOFT_DIRTY) != 0;
	return 0;
}

int kb_pte_clear_soft_dirty(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	*ret = a[0] & ~(mn_val)MN_PTE_SOFT_DIRTY;
	return 0;
}

int kb_pte_mksoft_dirty(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	*ret = a[0] | MN_PTE_SOFT_DIRTY;
	return 0;
}

/* pte_swp_soft_dirty: a non-present entry's soft-dirty bit (the model keeps it in the
 * same bit as a present PTE's; pte_swp_mksoft_dirty and pte_swp_clear_soft_dirty are
 * therefore pte_mksoft_dirty and pte_clear_soft_dirty) */
int kb_pte_swp_soft_dirty(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	*ret = !(a[0] & MN_PTE_PRESENT) && (a[0] & MN_PTE_SOFT_DIRTY);
	return 0;
}

int kb_pte_mkyoung(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	*ret = a[0] | MN_PTE_ACCESSED;
	return 0;
}

/* ---- mmu_gather ---- */

/* The agent's begun gather, or NULL with the error set. */
static struct mn_gather *begun(struct mn_ctx *ctx, struct mn_kstate *ks, const char *what)
{
	struct mn_gather *g = mn_gather_of(ks, ctx->agent, 0);
	if (!g || !(g->tlb & MN_TLBG_BEGUN)) {
		snprintf(ctx->err, sizeof(ctx->err), "%s without tlb_gather_mmu", what);
		return NULL;
	}
	return g;
}

/* __tlb_reset_range: [TASK_SIZE, 0) or, for fullmm, [~0, ~0) (the model's top). */
static void reset_range(struct mn_gather *g)
{
	int full = (g->tlb & MN_TLBG_FULLMM) != 0;
	g->start = MN_VA_LIMIT;
	g->end = full ? MN_VA_LIMIT : 0;
	g->tlb &= (uint8_t)~(MN_TLBG_CLEARED_PTES | MN_TLBG_CLEARED_PMDS | MN_TLBG_FREED_TABLES);
}

static int gather_begin(struct mn_ctx *ctx, int fullmm)
{
	KSTART;
	struct mn_gather *g = mn_gather_of(ks, ctx->agent, 1);
	if (!g) {
		snprintf(ctx->err, sizeof(ctx->err), "too many mmu_gathers at once");
		return -1;
	}
	if (g->tlb & MN_TLBG_BEGUN) {
		snprintf(ctx->err, sizeof(ctx->err), "nested tlb_gather_mmu by one agent");
		return -1;
	}
	if (m->tlb_flush_pending == UINT8_MAX) {
		snprintf(ctx->err, sizeof(ctx->err), "tlb_flush_pending overflows");
		return -1;
	}
	g->tlb = (uint8_t)(MN_TLBG_BEGUN | (fullmm ? MN_TLBG_FULLMM : 0));
	reset_range(g);
	m->tlb_flush_pending++; /* __tlb_gather_mmu ends with inc_tlb_flush_pending */
	return 0;
}

int kb_tlb_gather_mmu(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	return gather_begin(ctx, 0);
}

int kb_tlb_gather_mmu_fullmm(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	return gather_begin(ctx, 1);
}

static int adjust(struct mn_ctx *ctx, mn_val addr, mn_val size, const char *what, int bit)
{
	KSTART;
	if (mn_bad_addr(ctx, addr))
		return -1;
	if (size <= 0 || addr + size > MN_VA_LIMIT) {
		snprintf(ctx->err, sizeof(ctx->err), "%s: bad size", what);
		return -1;
	}
	struct mn_gather *g = begun(ctx, ks, what);
	if (!g)
		return -1;
	/* __tlb_adjust_range, then cleared_ptes or cleared_pmds */
	if ((uint32_t)addr < g->start)
		g->start = (uint32_t)addr;
	if ((uint32_t)(addr + size) > g->end)
		g->end = (uint32_t)(addr + size);
	g->tlb |= (uint8_t)bit;
	return 0;
}

int mn_gather_freed_table(struct mn_ctx *ctx, struct mn_kstate *ks, uint32_t addr)
{
	struct mn_gather *g = begun(ctx, ks, "free_pgtables");
	if (!g)
		return -1;
	/* pte_free_tlb / pmd_free_tlb / pud_free_tlb: tlb_flush_p?d_range(addr, PAGE_SIZE)
	 * and freed_tables (include/asm-generic/tlb.h) */
	if (addr < g->start)
		g->start = addr;
	if (addr + MN_PAGE_SIZE > g->end)
		g->end = addr + MN_PAGE_SIZE;
	g->tlb |= MN_TLBG_FREED_TABLES;
	return 0;
}

int kb_tlb_flush_pte_range(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	return adjust(ctx, a[0], a[1], "tlb_flush_pte_range", MN_TLBG_CLEARED_PTES);
}

/* include/asm-generic/tlb.h tlb_flush_pmd_range: a huge PMD changed in [addr, addr+size). */
int kb_tlb_flush_pmd_range(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	return adjust(ctx, a[0], a[1], "tlb_flush_pmd_range", MN_TLBG_CLEARED_PMDS);
}

/* tlb_remove_pmd_tlb_entry: the huge PMD at addr was cleared (its whole PMD range). */
int kb_tlb_remove_pmd_tlb_entry(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	mn_val huge = a[0] & ~(mn_val)((MN_PAGE_SIZE << MN_PT_BITS) - 1);
	return adjust(ctx, huge, MN_PAGE_SIZE << MN_PT_BITS, "tlb_remove_pmd_tlb_entry",
		      MN_TLBG_CLEARED_PMDS);
}

int kb_tlb_remove_tlb_entry(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	mn_val page = a[0] & ~(mn_val)(MN_PAGE_SIZE - 1);
	return adjust(ctx, page, MN_PAGE_SIZE, "tlb_remove_tlb_entry", MN_TLBG_CLEARED_PTES);
}

int kb_tlb_nested_full_flush(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	KSTART;
	struct mn_gather *g = begun(ctx, ks, "tlb_nested_full_flush");
	if (!g)
		return -1;
	g->tlb |= MN_TLBG_FULLMM;
	reset_range(g);
	g->tlb |= MN_TLBG_FREED_TABLES;
	return 0;
}

/* The flush's IPIs (flush_tlb_mm_range) wait for CPUs with interrupts disabled; a gather
 * that recorded nothing sends none. */
int kb_tlb_flush_en(const struct mn_ctx *ctx, const mn_val *a)
{
	(void)a;
	const struct mn_kstate *ks = mn_ks_c(ctx->w, &ctx->prog->layout);
	if (!ks || mn_ipi_done(ks, ctx->agent))
		return 1;
	for (int i = 0; i < MN_NOPS; i++)
		if (ks->gather[i].agent == ctx->agent + 1)
			return !(ks->gather[i].tlb & (MN_TLBG_CLEARED_PTES | MN_TLBG_CLEARED_PMDS |
						      MN_TLBG_FREED_TABLES));
	return 1; /* no gather: the step reports the error */
}

int kb_tlb_flush(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	KSTART;
	struct mn_gather *g = begun(ctx, ks, "tlb_flush");
	if (!g)
		return -1;
	*ret = 0;
	if (!(g->tlb & (MN_TLBG_CLEARED_PTES | MN_TLBG_CLEARED_PMDS | MN_TLBG_FREED_TABLES)))
		return 0; /* nothing recorded: tlb_flush_mmu_tlbonly returns early */
	/* x86 tlb_flush: flush_tlb_mm_range over the range, or all of it for fullmm; the
	 * stride is tlb_get_unmap_shift: a page when PTEs were cleared, a PMD when only
	 * huge PMDs were */
	if (g->tlb & MN_TLBG_FULLMM) {
		mn_flush_cpus(ks, mm, 0, MN_VA_LIMIT);
	} else {
		uint32_t stride = (g->tlb & (MN_TLBG_CLEARED_PTES | MN_TLBG_FREED_TABLES)) ?
					  MN_PAGE_SIZE : MN_PAGE_SIZE << MN_PT_BITS;
		for (int c = 0; c < MN_NCPU; c++)
			mn_flush_cpu(&ks->cpu[c], mm, g->start, g->end, stride);
	}
	*ret = 1;
	return 0;
}

int kb_tlb_range_start(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	KSTART;
	struct mn_gather *g = begun(ctx, ks, "tlb_range_start");
	if (!g)
		return -1;
	*ret = g->start;
	return 0;
}

int kb_tlb_range_end(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	KSTART;
	struct mn_gather *g = begun(ctx, ks, "tlb_range_end");
	if (!g)
		return -1;
	*ret = g->end;
	return 0;
}

int kb_tlb_reset_range(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	KSTART;
	struct mn_gather *g = begun(ctx, ks, "tlb_reset_range");
	if (!g)
		return -1;
	reset_range(g);
	return 0;
}

int kb_tlb_gather_finish(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	KSTART;
	/* kbuiltin.c's tlb_batch_free ends the whole slot with the page batch: a gather
	 * whose pages were freed has no slot left, and only the pending count remains. */
	struct mn_gather *g = mn_gather_of(ks, ctx->agent, 0);
	if (g && g->pages) {
		snprintf(ctx->err, sizeof(ctx->err),
			 "tlb_gather_finish with gathered pages (tlb_batch_free first)");
		return -1;
	}
	if (!m->tlb_flush_pending) {
		snprintf(ctx->err, sizeof(ctx->err), "dec_tlb_flush_pending with none pending");
		return -1;
	}
	m->tlb_flush_pending--;
	if (g)
		memset(g, 0, sizeof(*g));
	return 0;
}
