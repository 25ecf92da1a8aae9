#include "pagetable.h"

#include <string.h>

int mn_pt_alloc(struct mn_kstate *ks, int mm, int level)
{
	int lo = 0, hi = MN_NPT;
	if (mm >= 0 && mm < MN_NMM && ks->pt_hi[mm]) {
		lo = ks->pt_lo[mm];
		hi = ks->pt_hi[mm];
	}
	for (int i = lo; i < hi; i++) {
		struct mn_ptpage *t = &ks->pt[i];
		if (t->level)
			continue;
		memset(t->e, 0, sizeof(t->e));
		t->level = (uint8_t)level;
		t->users = 1;
		t->lock = 0;
		t->freeing = 0;
		return i;
	}
	return -1;
}

void mn_pt_free(struct mn_kstate *ks, int pt)
{
	struct mn_ptpage *t = &ks->pt[pt];
	memset(t->e, 0, sizeof(t->e));
	t->level = 0;
	t->users = 0;
	t->lock = 0;
	t->freeing = 0;
	t->gen++;
}

mn_pte *mn_pt_walk(struct mn_kstate *ks, int mm, uint32_t va, int alloc, struct mn_walk *wk)
{
	int t = ks->mm[mm].pgd;
	wk->pt = -1;
	wk->level = 0;
	wk->freed = 0;
	for (int level = 4;; level--) {
		mn_pte *slot = &ks->pt[t].e[mn_pt_index(va, level)];
		if (level == 1 || (*slot & MN_PTE_HUGE)) {
			wk->pt = t;
			wk->level = level;
			return slot;
		}
		if (!(*slot & MN_PTE_PRESENT)) {
			if (!alloc)
				return NULL;
			int n = mn_pt_alloc(ks, mm, level - 1);
			if (n < 0)
				return NULL;
			*slot = MN_PTE_PRESENT | MN_PTE_WRITE | MN_PTE_MKPFN(n);
		}
		int next = (int)MN_PTE_PFN(*slot);
		if (next >= MN_NPT || ks->pt[next].level != level - 1) {
			wk->freed = 1; /* the entry points at a page-table page that is gone */
			return NULL;
		}
		t = next;
	}
}

mn_pte *mn_pt_slot(struct mn_kstate *ks, int mm, uint32_t va, int level, int alloc,
		   struct mn_walk *wk)
{
	int t = ks->mm[mm].pgd;
	wk->pt = -1;
	wk->level = 0;
	wk->freed = 0;
	for (int l = 4;; l--) {
		mn_pte *slot = &ks->pt[t].e[mn_pt_index(va, l)];
		if (l == level) {
			wk->pt = t;
			wk->level = l;
			return slot;
		}
		if (!(*slot & MN_PTE_PRESENT)) {
			if (!alloc)
				return NULL;
			int n = mn_pt_alloc(ks, mm, l - 1);
			if (n < 0)
				return NULL;
			*slot = MN_PTE_PRESENT | MN_PTE_WRITE | MN_PTE_MKPFN(n);
		}
		if (*slot & MN_PTE_HUGE)
			return NULL;
		t = (int)MN_PTE_PFN(*slot);
	}
}
