#include "tlb.h"

#include <string.h>

static uint32_t key(const struct mn_tlbe *e)
{
	return (uint32_t)e->mm << 16 | e->vpn;
}

struct mn_tlbe *mn_tlb_lookup(struct mn_tlbe *tlb, int mm, uint32_t vpn)
{
	for (int i = 0; i < MN_NTLB && tlb[i].vpn; i++)
		if (tlb[i].mm == mm && tlb[i].vpn == vpn + 1)
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
	struct mn_tlbe *old = mn_tlb_lookup(tlb, e.mm, (uint32_t)e.vpn - 1);
	if (old) {
		*old = e;
		return;
	}
	int i;
	for (i = 0; i < MN_NTLB && tlb[i].vpn; i++)
		;
	if (i == MN_NTLB)
		i = 0; /* full: evict the lowest */
	tlb[i] = e;
	pack(tlb);
}

int mn_tlb_flush(struct mn_tlbe *tlb, int mm, uint32_t start, uint32_t end)
{
	int n = 0;
	for (int i = 0; i < MN_NTLB; i++) {
		uint32_t va = ((uint32_t)tlb[i].vpn - 1) << MN_PAGE_SHIFT;
		if (tlb[i].vpn && tlb[i].mm == mm && va >= start && va < end) {
			memset(&tlb[i], 0, sizeof(tlb[i]));
			n++;
		}
	}
	if (n)
		pack(tlb);
	return n;
}
