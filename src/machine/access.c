#include "access.h"

#include <string.h>

#include "../check/checks.h"
#include "pagetable.h"
#include "psc.h"
#include "tlb.h"

static uint32_t wlog_key(int mm, uint32_t va)
{
	return ((uint32_t)mm << 16 | (va >> MN_PAGE_SHIFT)) + 1;
}

int mn_wlog_get(const struct mn_kstate *ks, int mm, uint32_t va, int32_t *value)
{
	uint32_t k = wlog_key(mm, va);
	for (int i = 0; i < MN_NWLOG; i++) {
		if (ks->wlog[i].key == k) {
			*value = ks->wlog[i].value;
			return 1;
		}
	}
	return 0;
}

void mn_wlog_set(struct mn_kstate *ks, int mm, uint32_t va, int32_t value)
{
	uint32_t k = wlog_key(mm, va);
	int free_slot = -1;
	for (int i = 0; i < MN_NWLOG; i++) {
		if (ks->wlog[i].key == k) {
			ks->wlog[i].value = value;
			return;
		}
		if (!ks->wlog[i].key && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0)
		return; /* more written pages than the log holds: they go unchecked */
	/* keep the log sorted by key: equal logs are equal bytes */
	int i = free_slot;
	ks->wlog[i].key = k;
	ks->wlog[i].value = value;
	for (; i > 0 && (!ks->wlog[i - 1].key || ks->wlog[i - 1].key > ks->wlog[i].key); i--) {
		struct mn_wlog t = ks->wlog[i];
		ks->wlog[i] = ks->wlog[i - 1];
		ks->wlog[i - 1] = t;
	}
}

int mn_wlog_at(const struct mn_kstate *ks, int i, int mm, uint32_t *va)
{
	uint32_t k = ks->wlog[i].key;
	if (!k || (int)((k - 1) >> 16) != mm)
		return 0;
	*va = ((k - 1) & 0xffff) << MN_PAGE_SHIFT;
	return 1;
}

void mn_wlog_discard(struct mn_kstate *ks, int mm, uint32_t va)
{
	uint32_t k = wlog_key(mm, va);
	int i;
	for (i = 0; i < MN_NWLOG && ks->wlog[i].key != k; i++)
		;
	if (i == MN_NWLOG)
		return;
	/* close the gap: the log stays sorted and packed */
	memmove(&ks->wlog[i], &ks->wlog[i + 1], sizeof(ks->wlog[0]) * (size_t)(MN_NWLOG - i - 1));
	memset(&ks->wlog[MN_NWLOG - 1], 0, sizeof(ks->wlog[0]));
}

int32_t *mn_page_word(struct mn_kstate *ks, int pfn, uint32_t va)
{
	struct mn_page *f = &ks->frame[pfn];
	if ((f->flags & MN_PG_COMPOUND) && f->thp && f->thp <= MN_NTHP)
		return &ks->thp[f->thp - 1].data[(va >> MN_PAGE_SHIFT) & (MN_PTRS - 1)];
	return &f->data;
}

/* The word an entry leads to, and whether touching it is a use after free. */
static int32_t *target(struct mn_kstate *ks, const struct mn_tlbe *e, uint32_t va,
		       uint32_t *fired)
{
	if (mn_frame_gone(&ks->frame[e->pfn], e->gen))
		*fired |= 1u << MN_CHECK_UAF;
	return mn_page_word(ks, e->pfn, va);
}

static void touch(struct mn_kstate *ks, int32_t *word, int mm, uint32_t va, int write,
		  int32_t *val, uint32_t *fired)
{
	if (write) {
		*word = *val;
		mn_wlog_set(ks, mm, va, *val);
		return;
	}
	int32_t last;
	*val = *word;
	if (mn_wlog_get(ks, mm, va, &last) && last != *val)
		*fired |= 1u << MN_CHECK_INCOHERENT;
}

/* 1 when frame pfn is a page of the model's file (in its page cache). */
static int file_page(const struct mn_kstate *ks, int pfn)
{
	for (int i = 0; i < MN_NPCACHE; i++)
		if (ks->pcache[i] == pfn + 1)
			return 1;
	return 0;
}

/* A store that went through without the kernel seeing it: if the page's PTE no longer
 * says it was written (soft-dirty cleared, or clean while the page is lazily freeable or
 * is a file page that is not PageDirty, which writeback would not write again), the
 * kernel believes the page clean and the data can be lost. A store racing with an
 * operation on the page is the operation's business; only stores outside one count. */
static void dirty_check(struct mn_kstate *ks, int mm, uint32_t va, int pfn, uint32_t *fired)
{
	struct mn_walk wk;
	mn_pte *pte = mn_pt_walk(ks, mm, va, 0, &wk);
	if (!pte || !(*pte & MN_PTE_PRESENT) || (int)MN_PTE_PFN(*pte) != pfn)
		return; /* a different page now: uaf, stale and lost_write judge that */
	if (ks->frame[pfn].kind == MN_FRAME_IOMEM)
		return; /* device memory: no page to write back, and soft-dirty is not tracked
			 * in a VM_PFNMAP VMA (clear_refs skips it, it keeps VM_SOFTDIRTY) */
	for (int i = 0; i < MN_NOPS; i++) {
		if (mn_op_covers(&ks->op[i], mm, va))
			return;
	}
	int lost_soft_dirty = !(*pte & MN_PTE_SOFT_DIRTY);
	int lost_dirty = (ks->frame[pfn].flags & MN_PG_LAZYFREE) && !(*pte & MN_PTE_DIRTY);
	if (!(*pte & MN_PTE_DIRTY) && !(ks->frame[pfn].flags & MN_PG_DIRTY) && file_page(ks, pfn))
		lost_dirty = 1;
	if (lost_soft_dirty || lost_dirty)
		*fired |= 1u << MN_CHECK_DIRTY;
}

/* The hardware walk for va in mm: with a paging-structure cache (psc not NULL), through
 * its entry for va's PMD range when it has one, else from the root, keeping the PMD entry
 * the walk used when it names a PTE table. The entry is kept whether or not the PTE then
 * translates: a walker may cache any present upper entry it read, and the model's
 * IOMMU keeps it across the fault (the x86 CPU rule that a page fault drops the entries
 * for its address is not assumed of the IOMMU). Reading through an entry whose table
 * was freed since is `uaf`; what the walker would find in that memory is not modelled:
 * the entry is dropped and the walk starts again from the root. */
static mn_pte *hw_walk(struct mn_kstate *ks, struct mn_psce *psc, int mm, uint32_t va,
		       struct mn_walk *wk, uint32_t *fired)
{
	struct mn_psce *c = psc ? mn_psc_lookup(psc, mm, va) : NULL;
	if (c && !mn_pt_gone(&ks->pt[c->pt], c->gen, 1)) {
		wk->pt = c->pt;
		wk->level = 1;
		wk->freed = 0;
		return &ks->pt[c->pt].e[mn_pt_index(va, 1)];
	}
	if (c) {
		*fired |= 1u << MN_CHECK_UAF; /* a walk of a freed page-table page */
		mn_psc_flush(psc, mm, va, va + 1);
	}
	mn_pte *pte = mn_pt_walk(ks, mm, va, 0, wk);
	if (wk->freed)
		*fired |= 1u << MN_CHECK_UAF;
	if (psc && pte && wk->level == 1)
		mn_psc_fill(psc, mm, va, wk->pt, ks->pt[wk->pt].gen);
	return pte;
}

int mn_access(struct mn_kstate *ks, struct mn_tlbe *tlb, struct mn_psce *psc, int mm,
	      uint32_t va, int write, int32_t *val, uint32_t *fired)
{
	uint32_t vpn = va >> MN_PAGE_SHIFT;
	struct mn_tlbe *e = mn_tlb_lookup(tlb, mm, vpn);
	struct mn_walk wk;

	if (e) {
		if (write && !(e->flags & MN_PTE_WRITE)) {
			/* protection fault; x86 drops the faulting translation as it faults */
			mn_tlb_flush(tlb, mm, vpn << MN_PAGE_SHIFT, (vpn + 1) << MN_PAGE_SHIFT);
			return MN_ACCESS_FAULT;
		}
		if (write && !(e->flags & MN_PTE_DIRTY)) {
			/* x86: a write through a clean entry re-walks to set D atomically and
			 * faults if the PTE no longer matches */
			mn_pte *pte = hw_walk(ks, psc, mm, va, &wk, fired);
			if (!pte || !(*pte & MN_PTE_PRESENT) || !(*pte & MN_PTE_WRITE) ||
			    MN_PTE_PFN(*pte) != e->pfn) {
				mn_tlb_flush(tlb, mm, vpn << MN_PAGE_SHIFT, (vpn + 1) << MN_PAGE_SHIFT);
				return MN_ACCESS_FAULT;
			}
			*pte |= MN_PTE_DIRTY | MN_PTE_ACCESSED;
			e->flags |= MN_PTE_DIRTY;
		}
		touch(ks, target(ks, e, va, fired), mm, va, write, val, fired);
		if (write)
			dirty_check(ks, mm, va, e->pfn, fired);
		return MN_ACCESS_OK;
	}
	mn_pte *pte = hw_walk(ks, psc, mm, va, &wk, fired);
	if (!pte || !(*pte & MN_PTE_PRESENT) || (write && !(*pte & MN_PTE_WRITE)))
		return MN_ACCESS_FAULT;
	*pte |= MN_PTE_ACCESSED;
	if (write)
		*pte |= MN_PTE_DIRTY;
	struct mn_tlbe ne;
	memset(&ne, 0, sizeof(ne));
	/* a huge PMD leaf is cached as one 2 MiB entry, as x86 does */
	int huge = wk.level == 2 && (*pte & MN_PTE_HUGE);
	ne.vpn = (uint16_t)((huge ? vpn & ~(uint32_t)(MN_PTRS - 1) : vpn) + 1);
	ne.pfn = (uint8_t)MN_PTE_PFN(*pte);
	ne.flags = (uint8_t)(*pte & (MN_PTE_WRITE | MN_PTE_DIRTY)) | (huge ? MN_PTE_HUGE : 0);
	ne.mm = (uint8_t)mm;
	ne.gen = ks->frame[ne.pfn].gen;
	mn_tlb_fill(tlb, ne);
	e = mn_tlb_lookup(tlb, mm, vpn);
	touch(ks, target(ks, e, va, fired), mm, va, write, val, fired);
	if (write) /* the walk set D, but soft-dirty is the kernel's to set */
		dirty_check(ks, mm, va, e->pfn, fired);
	return MN_ACCESS_OK;
}
