/* TLBs: CPU TLBs and device IOTLBs share one representation. Valid entries are kept
 * sorted by (mm, page) and packed at the front, so that two TLBs holding the same
 * translations are the same bytes. Capacity is fixed; when full, filling evicts the
 * lowest entry (real TLBs evict at will; the model does not explore evictions). */
#ifndef MN_TLB_H
#define MN_TLB_H

#include "machine.h"

struct mn_tlbe *mn_tlb_lookup(struct mn_tlbe *tlb, int mm, uint32_t vpn);
void mn_tlb_fill(struct mn_tlbe *tlb, struct mn_tlbe e);
/* Drops entries of mm for pages in [start, end); returns how many. */
int mn_tlb_flush(struct mn_tlbe *tlb, int mm, uint32_t start, uint32_t end);

#endif
