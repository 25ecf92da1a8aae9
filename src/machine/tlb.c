#include "tlb.h"

#include <string.h>

/* A HUGE entry (a PMD-level translation) covers MN_PTRS pages from its vpn, as x86 caches
 * a 2 MiB page in one entry; every other entry covers one page. */
static uint32_t npages(const struct mn_tlbe *e)
{
	return (e->flags & MN_PTE_HUGE) ? MN_PTRS : 1;
}

/* Sort key: (mm, page, size); a 4 KiB and a 2 MiB entry for the same page (possible on
 * x86 until a flush) get distinct keys, so the order stays canonical. */
static uint32_t key(const struct mn_tlbe *e)
{
	return (uint32_t)e->mm << 17 | (uint32_t)e->vpn << 1 | ((e->flags & MN_PTE_HUGE) != 0);
}

static int covers(const struct mn_tlbe *e, int mm, uint32_t vpn)
{
	return e->vpn && e->mm == mm && vpn + 1 >= e->vpn && vpn + 1 < e->vpn + npages(e);
}

struct mn_tlbe *mn_tlb_lookup(struct mn_tlbe *tlb, int mm, uint32_t vpn)
{
	for (int i = 0; i < MN_NTLB && tlb[i].vpn; i++)
		if (covers(&tlb[i], mm, vpn))
			return &tlb[i];
	return NULL;
}

static void pack(struct mn_tlbe *tlb)
{
	struct mn_tlbe out[MN_NTLB];
	int n = 0;
	memset(out, 0, sizeof(out));
	for (int i = 0; i < MN_NTLB; i++)
		if (tlb[i].vpn)
			out[n++] = tlb[i];
	/* insertion sort: at most MN_NTLB entries */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && key(&out[j - 1]) > key(&out[j]); j--) {
			struct mn_tlbe t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	memcpy(tlb, out, sizeof(out));
}

void mn_tlb_fill(struct mn_tlbe *tlb, struct mn_tlbe e)
{
	int i;
	for (i = 0; i < MN_NTLB && tlb[i].vpn; i++)
		if (key(&tlb[i]) == key(&e)) {
			tlb[i] = e; /* the same translation, refreshed */
			return;
		}
	if (i == MN_NTLB)
		i = 0; /* full: evict the lowest */
	tlb[i] = e;
	pack(tlb);
}

/* x86 INVLPG of one address drops every entry that translates it, whatever its size. */
static int drop_if(struct mn_tlbe *tlb, int mm, uint32_t start, uint32_t end,
		   uint32_t stride)
{
	int n = 0;
	for (int i = 0; i < MN_NTLB; i++) {
		struct mn_tlbe *e = &tlb[i];
		if (!e->vpn || e->mm != mm)
			continue;
		uint32_t lo = ((uint32_t)e->vpn - 1) << MN_PAGE_SHIFT;
		uint32_t hi = lo + (npages(e) << MN_PAGE_SHIFT);
		int hit = 0;
		for (uint32_t va = start; va < end && !hit; va += stride)
			hit = va >= lo && va < hi;
		if (hit) {
			memset(e, 0, sizeof(*e));
			n++;
		}
	}
	if (n)
		pack(tlb);
	return n;
}

int mn_tlb_flush(struct mn_tlbe *tlb, int mm, uint32_t start, uint32_t end)
{
	return drop_if(tlb, mm, start, end, MN_PAGE_SIZE);
}

int mn_tlb_flush_stride(struct mn_tlbe *tlb, int mm, uint32_t start, uint32_t end,
			uint32_t stride)
{
	return drop_if(tlb, mm, start, end, stride);
}
