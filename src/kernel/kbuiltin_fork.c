/* fork at run time: the parts of dup_mmap and copy_pte_range that write the child's mm,
 * and the child's start (wake_up_new_task). */
#include "kbuiltin_fork.h"

#include <stdio.h>

#include "../lang/program.h"
#include "../machine/access.h"
#include "../machine/pagetable.h"
#include "kstate.h"

/* The child mm named by a built-in's first argument: another mm than the agent's, not yet
 * woken. NULL with ctx->err set. */
static struct mn_mm *child_of(struct mn_ctx *ctx, struct mn_kstate *ks, int mm, mn_val c)
{
	if (c < 0 || c >= ctx->prog->nmms || c == mm) {
		snprintf(ctx->err, sizeof(ctx->err), "fork: %lld is not another mm of the scenario",
			 (long long)c);
		return NULL;
	}
	if (ks->mm[c].forked) {
		snprintf(ctx->err, sizeof(ctx->err), "fork: mm %lld already runs", (long long)c);
		return NULL;
	}
	return &ks->mm[c];
}

int kb_dup_vma(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	MN_KSTART;
	struct mn_mm *cm = child_of(ctx, ks, mm, a[0]);
	if (!cm)
		return -1;
	/* the i-th VMA by start address (slots may have holes) */
	const struct mn_vma *src = NULL;
	for (int k = 0; k < MN_NVMA && !src; k++) {
		int below = 0;
		for (int j = 0; j < MN_NVMA; j++)
			below += m->vma[j].used && m->vma[j].start < m->vma[k].start;
		if (m->vma[k].used && below == a[1])
			src = &m->vma[k];
	}
	if (!src) {
		snprintf(ctx->err, sizeof(ctx->err), "dup_vma: no VMA %lld", (long long)a[1]);
		return -1;
	}
	if (src->flags & MN_VM_PFNMAP) {
		/* the model's device file is one per mm: unmap_mapping_range would not reach
		 * the child's copy of the mapping */
		snprintf(ctx->err, sizeof(ctx->err), "fork of a pfnmap mapping is not modelled");
		return -1;
	}
	/* dup_mmap copies in address order into an empty mm, so the slots stay sorted */
	for (int k = 0; k < MN_NVMA; k++) {
		if (cm->vma[k].used) {
			if (cm->vma[k].start >= src->start) {
				snprintf(ctx->err, sizeof(ctx->err), "dup_vma: the child is not empty");
				return -1;
			}
			continue;
		}
		cm->vma[k] = *src;
		cm->anon_parent = (uint8_t)(mm + 1); /* anon_vma_fork */
		return 0;
	}
	snprintf(ctx->err, sizeof(ctx->err), "dup_vma: more VMAs than the model holds");
	return -1;
}

int kb_child_pte_alloc(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	MN_KSTART;
	struct mn_walk wk;
	if (!child_of(ctx, ks, mm, a[0]) || mn_bad_addr(ctx, a[1]))
		return -1;
	*ret = mn_pt_walk(ks, (int)a[0], (uint32_t)a[1], 1, &wk) ? 0 : -1;
	return 0;
}

int kb_child_set_pte_at(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	MN_KSTART;
	struct mn_walk wk;
	if (!child_of(ctx, ks, mm, a[0]) || mn_bad_addr(ctx, a[1]))
		return -1;
	mn_pte *s = mn_pt_walk(ks, (int)a[0], (uint32_t)a[1], 0, &wk);
	if (!s) {
		snprintf(ctx->err, sizeof(ctx->err), "child_set_pte_at(%#llx): no page table",
			 (unsigned long long)a[1]);
		return -1;
	}
	if (a[2] && !(a[2] & MN_PTE_PRESENT)) {
		snprintf(ctx->err, sizeof(ctx->err), "fork of a non-present PTE at %#llx "
			 "(copy_nonpresent_pte) is not modelled", (unsigned long long)a[1]);
		return -1;
	}
	*s = (mn_pte)a[2];
	return 0;
}

/* kernel/fork.c: copy_process has returned and kernel_clone wakes the child. From the
 * checks' point of view the child's memory now holds, page for page, the parent's last
 * completed writes: each logged write of the parent to a page the child shares with it
 * is logged for the child too. (Writes that reached a shared page through a stale TLB
 * entry before dup_mmap's flush_tlb_mm are among them; the kernel gives no guarantee
 * about writes racing with fork, and dup_mmap is done when they are.) A page fork copied
 * for the child (copy_present_page: the parent's may be pinned) is not followed: it holds
 * what the parent's held at the copy, and DMA through the pin may have written the
 * parent's since. */
int kb_wake_up_new_task(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	MN_KSTART;
	struct mn_mm *cm = child_of(ctx, ks, mm, a[0]);
	if (!cm)
		return -1;
	struct mn_wlog copy[MN_NWLOG];
	int n = 0;
	for (int i = 0; i < MN_NWLOG; i++)
		if (ks->wlog[i].key && (int)((ks->wlog[i].key - 1) >> 16) == mm)
			copy[n++] = ks->wlog[i];
	for (int i = 0; i < n; i++) {
		uint32_t va = ((copy[i].key - 1) & 0xffff) << MN_PAGE_SHIFT;
		struct mn_walk wk;
		mn_pte *s = mn_pt_walk(ks, (int)a[0], va, 0, &wk);
		mn_pte *p = mn_pt_walk(ks, mm, va, 0, &wk);
		if (s && (*s & MN_PTE_PRESENT) &&
		    !(p && (*p & MN_PTE_PRESENT) && MN_PTE_PFN(*p) != MN_PTE_PFN(*s)))
			mn_wlog_set(ks, (int)a[0], va, copy[i].value);
	}
	cm->forked = 1;
	return 0;
}

int kb_fork_wait_en(const struct mn_ctx *ctx, const mn_val *a)
{
	(void)a;
	const struct mn_kstate *ks = mn_ks_c(ctx->w, &ctx->prog->layout);
	int mm = mn_agent_mm(ctx);
	return !ks || mm < 0 || ks->mm[mm].forked;
}

int kb_fork_wait(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	MN_KSTART;
	return 0;
}

/* include/linux/rmap.h: page_try_dup_anon_rmap (6.1 :234-265). page_needs_cow_for_dma's
 * MMF_HAS_PINNED test is taken as true: every pin sets it before it pins. */
int kb_page_try_dup_anon_rmap(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_page *f = mn_kctx_page(ctx, a[0]);
	if (!f)
		return -1;
	*ret = 0;
	if (f->kind == MN_FRAME_ZERO)
		return 0;
	/* page_needs_cow_for_dma: an exclusive page that may be pinned is not shared; the
	 * caller copies it for the child (copy_present_page) */
	if ((f->flags & MN_PG_ANON_EXCLUSIVE) && (f->flags & MN_PG_MAYBE_DMA_PINNED)) {
		*ret = -16; /* -EBUSY */
		return 0;
	}
	f->flags &= (uint16_t)~MN_PG_ANON_EXCLUSIVE;
	f->mapcount++;
	return 0;
}

/* mm/memory.c: vma_needs_copy (6.1 :1250). The model keeps no anon_vma: a private VMA is
 * taken to have one when some PTE of it is not empty. This differs from the kernel for a
 * VMA whose pages were all zapped (the anon_vma stays, the kernel still copies and
 * notifies) and for one mapping only the zero page (no anon_vma yet: the kernel skips it).
 * A shared mapping has no anon_vma and the kernel lets the child refault its pages; the
 * model cannot fault in shared anonymous mappings, so it copies their PTEs instead, which
 * is what the refault would map, with no notifier either way (copy_page_range is not CoW
 * there). A `file` mapping's pages can be faulted in: it is not copied, as in 6.1. */
int kb_vma_needs_copy(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	MN_KSTART;
	*ret = 0;
	for (int k = 0; k < MN_NVMA; k++) {
		const struct mn_vma *v = &m->vma[k];
		if (!v->used || a[0] < v->start || a[0] >= v->end)
			continue;
		if (v->flags & MN_VM_FILE)
			break; /* a MAP_SHARED file: no anon_vma, the child faults the pages in */
		for (uint32_t va = v->start; va < v->end && !*ret; va += MN_PAGE_SIZE) {
			struct mn_walk wk;
			mn_pte *s = mn_pt_walk(ks, mm, va, 0, &wk);
			*ret = s && *s;
		}
	}
	return 0;
}
