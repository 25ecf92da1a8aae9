/* Page-table pages and the walk the hardware (and the kernel) does over them. */
#ifndef MN_PAGETABLE_H
#define MN_PAGETABLE_H

#include "../kernel/kstate.h"

static inline unsigned mn_pt_index(uint32_t va, int level)
{
	return (va >> (MN_PAGE_SHIFT + MN_PT_BITS * (unsigned)(level - 1))) & (MN_PTRS - 1);
}

/* A table page remembered as a table of `level` with generation gen (by a PMD value a
 * walker read, or a paging-structure-cache entry) is that table no longer: it was freed
 * since, and maybe reused. Reading it is a use after free. */
static inline int mn_pt_gone(const struct mn_ptpage *t, uint16_t gen, int level)
{
	return t->gen != gen || t->level != level;
}

/* A fresh zeroed table page of the given level, or -1 when none is free. */
int mn_pt_alloc(struct mn_kstate *ks, int mm, int level);
/* Frees a table page: its generation changes so that walks through stale entries show. */
void mn_pt_free(struct mn_kstate *ks, int pt);

struct mn_walk {
	int pt;     /* table page holding the leaf slot, or -1 */
	int level;  /* level of that slot: 1 PTE, 2 PMD (huge), ... */
	int freed;  /* the walk went through a freed page-table page */
};

/* The slot mapping va in mm: the PTE, or the PMD/PUD entry if a huge leaf maps it. With
 * alloc, missing tables down to the PTE level are allocated (__pte_alloc and friends).
 * Returns NULL when a table is missing (or cannot be allocated). */
mn_pte *mn_pt_walk(struct mn_kstate *ks, int mm, uint32_t va, int alloc, struct mn_walk *wk);
/* The entry for va at `level` (2: the PMD entry, 3: the PUD entry), allocating the tables
 * above it when alloc; NULL when missing. Does not look at what the entry holds. */
mn_pte *mn_pt_slot(struct mn_kstate *ks, int mm, uint32_t va, int level, int alloc,
		   struct mn_walk *wk);

#endif
