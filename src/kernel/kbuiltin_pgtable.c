/* Page-table pages freed at munmap (mm/memory.c free_pgtables, free_pgd_range and the
 * free_p?d_range functions, 6.1 :228-438), mremap's VMA copy and its write-log move. */
#include "kbuiltin_pgtable.h"

#include <stdio.h>

#include "../lang/program.h"
#include "../machine/access.h"
#include "../machine/pagetable.h"
#include "kbuiltin_tlb.h"
#include "kstate.h"

/* The span of the addresses one table page of `level` maps (level 1: a PTE table). */
static uint32_t table_span(int level)
{
	return 1u << (MN_PAGE_SHIFT + MN_PT_BITS * (unsigned)level);
}

/* free_pte_range, free_pmd_range, free_pud_range: the table *slot points to (of `level`)
 * covers [addr, end); its lower tables go first, then the table itself if no VMA outside
 * [floor, ceiling) may still need it (ceiling 0: the top of the address space). */
static int free_table(struct mn_ctx *ctx, struct mn_kstate *ks, mn_pte *slot, int level,
		      uint32_t addr, uint32_t end, uint32_t floor, uint32_t ceiling)
{
	int t = (int)MN_PTE_PFN(*slot);
	if (t >= MN_NPT || ks->pt[t].level != level || ks->pt[t].users != 1)
		return 0; /* a shared (hugetlb) PMD page is not this mm's to free */
	if (level > 1) {
		uint32_t span = table_span(level - 1), next;
		for (uint32_t a = addr; a != end; a = next) {
			next = (a & ~(span - 1)) + span;
			if (next > end || next == 0)
				next = end;
			mn_pte *e = &ks->pt[t].e[mn_pt_index(a, level)];
			if (!(*e & MN_PTE_PRESENT) || (*e & MN_PTE_HUGE))
				continue; /* p?d_none_or_clear_bad; a huge entry is no table */
			if (free_table(ctx, ks, e, level - 1, a, next, floor, ceiling))
				return -1;
		}
	}
	uint32_t start = addr & ~(table_span(level) - 1);
	if (level > 1) {
		/* free_pte_range has no test: free_pgd_range's rounding made it */
		if (start < floor)
			return 0;
		if (ceiling) {
			uint32_t c = ceiling & ~(table_span(level) - 1);
			if (!c || end - 1 > c - 1)
				return 0;
		}
	}
	if (ks->pt[t].lock) {
		snprintf(ctx->err, sizeof(ctx->err), "free_pgtables: a PT lock is held in %#x", start);
		return -1;
	}
	*slot = 0;                                     /* p?d_clear */
	ks->pt[t].freeing = (uint8_t)(ctx->agent + 1); /* p?d_free_tlb */
	return mn_gather_freed_table(ctx, ks, start);
}

int kb_free_pgtables(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	MN_KSTART;
	if (mn_bad_range(ctx, a[0], a[1], 1))
		return -1;
	uint32_t addr = (uint32_t)a[0], end = (uint32_t)a[1];
	/* unmap_region: floor is the end of the VMA below (prev), ceiling the start of the
	 * one above (next), 0 for FIRST_USER_ADDRESS / USER_PGTABLES_CEILING. The VMAs of
	 * [start, end) are batched into one free_pgd_range, as free_pgtables does for VMAs
	 * less than a PMD apart. */
	uint32_t floor = 0, ceiling = 0;
	for (int k = 0; k < MN_NVMA; k++) {
		const struct mn_vma *v = &m->vma[k];
		if (MN_VMA_LIVE(v) && v->end <= addr && v->end > floor)
			floor = v->end;
		if (MN_VMA_LIVE(v) && v->start >= end && (!ceiling || v->start < ceiling))
			ceiling = v->start;
	}
	/* free_pgd_range (6.1 :297): only whole PMD ranges between floor and ceiling */
	uint32_t pmd = table_span(1);
	addr &= ~(pmd - 1);
	if (addr < floor)
		addr += pmd;
	if (ceiling) {
		ceiling &= ~(pmd - 1);
		if (!ceiling)
			return 0;
	}
	if (end - 1 > ceiling - 1)
		end -= pmd;
	if (addr > end - 1)
		return 0;
	uint32_t span = table_span(3), next;
	for (uint32_t va = addr; va != end; va = next) {
		next = (va & ~(span - 1)) + span;
		if (next > end || next == 0)
			next = end;
		mn_pte *e = &ks->pt[m->pgd].e[mn_pt_index(va, 4)];
		if (!(*e & MN_PTE_PRESENT))
			continue;
		if (free_table(ctx, ks, e, 3, va, next, floor, ceiling))
			return -1;
	}
	return 0;
}

/* mm/mmu_gather.c: tlb_table_flush at tlb_flush_mmu_free, after the TLB flush. x86 6.1 on
 * bare metal frees page tables with the page batch (pv_ops.mmu.tlb_remove_table is
 * tlb_remove_page), so after that flush, whose IPIs waited for every CPU with interrupts
 * disabled: the only walker that may still hold a table it read, GUP-fast, is done by
 * then (kbuiltin_gup.c). The free is immediate; the RCU table free is not modelled. */
int kb_tlb_table_free(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	struct mn_kstate *ks = mn_kctx(ctx);
	if (!ks)
		return -1;
	for (int t = 0; t < MN_NPT; t++)
		if (ks->pt[t].level && ks->pt[t].freeing == ctx->agent + 1)
			mn_pt_free(ks, t);
	return 0;
}

int kb_vma_copy(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	MN_KSTART;
	if (mn_bad_range(ctx, a[0], a[0] + a[1], 1) || mn_bad_range(ctx, a[2], a[2] + a[1], 1))
		return -1;
	const struct mn_vma *src = NULL;
	int free_slot = -1;
	for (int k = 0; k < MN_NVMA; k++) {
		const struct mn_vma *v = &m->vma[k];
		if (MN_VMA_LIVE(v) && a[0] >= v->start && a[0] + a[1] <= v->end)
			src = v;
		if (v->used && a[2] < v->end && a[2] + a[1] > v->start) {
			snprintf(ctx->err, sizeof(ctx->err), "vma_copy: [%#llx, +%#llx) is mapped",
				 (unsigned long long)a[2], (unsigned long long)a[1]);
			return -1;
		}
		if (!v->used && free_slot < 0)
			free_slot = k;
	}
	if (!src || free_slot < 0) {
		snprintf(ctx->err, sizeof(ctx->err), !src ? "vma_copy: no VMA holds the range" :
			 "more VMAs than the model holds (%d)", MN_NVMA);
		return -1;
	}
	struct mn_vma nv = *src;
	if (src->flags & MN_VM_PGOFF) /* copy_vma: vm_pgoff of the old range's start */
		nv.pgoff = (uint8_t)(src->pgoff + (((uint32_t)a[0] - src->start) >> MN_PAGE_SHIFT));
	nv.start = (uint32_t)a[2];
	nv.end = (uint32_t)(a[2] + a[1]);
	/* keep the slots sorted by start, free slots last (equal layouts, equal bytes) */
	int k = free_slot;
	m->vma[k] = nv;
	for (; k > 0 && (!m->vma[k - 1].used || m->vma[k - 1].start > m->vma[k].start); k--) {
		struct mn_vma t = m->vma[k];
		m->vma[k] = m->vma[k - 1];
		m->vma[k - 1] = t;
	}
	return 0;
}

int kb_wlog_move(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	MN_KSTART;
	if (mn_bad_range(ctx, a[0], a[0] + a[2], 1) || mn_bad_range(ctx, a[1], a[1] + a[2], 1))
		return -1;
	for (mn_val off = 0; off < a[2]; off += MN_PAGE_SIZE) {
		int32_t v, newer;
		uint32_t from = (uint32_t)(a[0] + off), to = (uint32_t)(a[1] + off);
		if (!mn_wlog_get(ks, mm, from, &v))
			continue;
		mn_wlog_discard(ks, mm, from);
		if (!mn_wlog_get(ks, mm, to, &newer))
			mn_wlog_set(ks, mm, to, v);
	}
	return 0;
}

int kb_find_vma_intersection(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	MN_KSTART;
	*ret = 0;
	for (int k = 0; k < MN_NVMA; k++)
		*ret |= MN_VMA_LIVE(&m->vma[k]) && a[0] < m->vma[k].end && a[1] > m->vma[k].start;
	return 0;
}
