/* TLBs: CPU TLBs and device IOTLBs share one representation. Valid entries are kept
 * sorted by (mm, page) and packed at the front, so that two TLBs holding the same
 * translations are the same bytes. Capacity is fixed; when full, filling evicts the
 * lowest entry (real TLBs evict at will; the model does not explore evictions). */
#ifndef MN_TLB_H
#define MN_TLB_H

#include "machine.h"

/* The entry translating page vpn of mm (a 4 KiB entry for it, or a 2 MiB one covering
 * it), or NULL. */
struct mn_tlbe *mn_tlb_lookup(struct mn_tlbe *tlb, int mm, uint32_t vpn);
/* Adds e, replacing an entry with the same (mm, page, size). */
void mn_tlb_fill(struct mn_tlbe *tlb, struct mn_tlbe e);
/* Drops entries of mm that translate any page in [start, end) (a 2 MiB entry goes when
 * any of its pages is in the range); returns how many. */
int mn_tlb_flush(struct mn_tlbe *tlb, int mm, uint32_t start, uint32_t end);
/* x86 flush_tlb_mm_range with a stride: one INVLPG at start, start + stride, ... < end;
 * each drops the entries translating that address. With a 2 MiB stride a 4 KiB entry
 * between two of those addresses stays (the kernel uses it only over huge PMDs). */
int mn_tlb_flush_stride(struct mn_tlbe *tlb, int mm, uint32_t start, uint32_t end,
			uint32_t stride);

#endif
