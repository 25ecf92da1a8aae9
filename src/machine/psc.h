/* Paging-structure caches: the PDE cache of a hardware walker (struct mn_psce). Valid
 * entries are kept sorted by key and packed at the front, as TLB entries are, so that two
 * caches holding the same entries are the same bytes. */
#ifndef MN_PSC_H
#define MN_PSC_H

#include "machine.h"

/* The entry of mm that covers va's PMD range, or NULL. */
struct mn_psce *mn_psc_lookup(struct mn_psce *psc, int mm, uint32_t va);
/* Caches the PMD entry of va's range in mm: it names PTE table pt, of generation gen. A
 * full cache evicts its lowest entry (the model does not explore evictions). */
void mn_psc_fill(struct mn_psce *psc, int mm, uint32_t va, int pt, uint16_t gen);
/* Drops the entries of mm whose PMD range meets [start, end); returns how many. */
int mn_psc_flush(struct mn_psce *psc, int mm, uint32_t start, uint32_t end);

#endif
