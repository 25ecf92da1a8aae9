/* Built-ins that free page-table pages (mm/memory.c free_pgtables -> free_pgd_range, and
 * the mmu_gather's table batch) and the VMA and write-log side of mremap. */
#ifndef MN_KBUILTIN_PGTABLE_H
#define MN_KBUILTIN_PGTABLE_H

#include "kbuiltin.h"

BI(kb_free_pgtables); BI(kb_tlb_table_free); BI(kb_vma_copy); BI(kb_wlog_move);
BI(kb_find_vma_intersection);

#define MN_BUILTINS_PGTABLE                                                                      \
	KB("free_pgtables", 2, TY_VOID, kb_free_pgtables, NULL,                                  \
	   "free_pgd_range over [start, end) (whose VMAs are gone) between the VMAs left below " \
	   "and above (floor, ceiling): each page-table page no VMA needs is unlinked and "      \
	   "queued on the agent's mmu_gather, whose range widens by one page at the table's "    \
	   "start (freed_tables)", TY_INT, TY_INT)                                               \
	KB("tlb_table_free", 0, TY_VOID, kb_tlb_table_free, NULL,                                \
	   "tlb_table_flush: frees the page-table pages the agent's gather queued", TY_VOID)     \
	KB("vma_copy", 3, TY_VOID, kb_vma_copy, NULL,                                            \
	   "mremap's copy_vma: a VMA [new, new + len) with the flags of the VMA holding "        \
	   "[old, old + len)", TY_INT, TY_INT, TY_INT)                                           \
	KB("wlog_move", 3, TY_VOID, kb_wlog_move, NULL,                                          \
	   "mremap moved [old, old + len) to new: the last writes the checks remember move "     \
	   "with the pages (unless new was written since)", TY_INT, TY_INT, TY_INT)           \
	KB("find_vma_intersection", 2, TY_INT, kb_find_vma_intersection, NULL,                  \
	   "1 when some VMA of the agent's mm overlaps [start, end)", TY_INT, TY_INT)

#endif
