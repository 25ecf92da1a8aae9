#include "psc.h"

#include <string.h>

static uint16_t key(int mm, uint32_t va)
{
	return (uint16_t)(((uint32_t)mm << (MN_VA_BITS - MN_PMD_SHIFT) | va >> MN_PMD_SHIFT) + 1);
}

struct mn_psce *mn_psc_lookup(struct mn_psce *psc, int mm, uint32_t va)
{
	uint16_t k = key(mm, va);
	for (int i = 0; i < MN_NPSC && psc[i].key; i++)
		if (psc[i].key == k)
			return &psc[i];
	return NULL;
}

/* packed at the front, sorted by key (at most MN_NPSC entries) */
static void pack(struct mn_psce *psc)
{
	struct mn_psce out[MN_NPSC];
	int n = 0;
	memset(out, 0, sizeof(out));
	for (int i = 0; i < MN_NPSC; i++)
		if (psc[i].key)
			out[n++] = psc[i];
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && out[j - 1].key > out[j].key; j--) {
			struct mn_psce t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	memcpy(psc, out, sizeof(out));
}

void mn_psc_fill(struct mn_psce *psc, int mm, uint32_t va, int pt, uint16_t gen)
{
	struct mn_psce e = { key(mm, va), (uint8_t)pt, 0, gen };
	int i;
	for (i = 0; i < MN_NPSC && psc[i].key; i++)
		if (psc[i].key == e.key) {
			psc[i] = e; /* the same PMD range, refreshed */
			return;
		}
	if (i == MN_NPSC)
		i = 0; /* full: evict the lowest */
	psc[i] = e;
	pack(psc);
}

int mn_psc_flush(struct mn_psce *psc, int mm, uint32_t start, uint32_t end)
{
	int n = 0;
	if (end > MN_VA_LIMIT)
		end = MN_VA_LIMIT;
	if (start >= end)
		return 0;
	uint16_t lo = key(mm, start), hi = key(mm, end - 1);
	for (int i = 0; i < MN_NPSC; i++)
		if (psc[i].key && psc[i].key >= lo && psc[i].key <= hi) {
			memset(&psc[i], 0, sizeof(psc[i]));
			n++;
		}
	if (n)
		pack(psc);
	return n;
}
