/* Built-ins for transparent huge pages: the compound page, PMD entries and their lock,
 * split and collapse of the PTE table (src/kernel/kbuiltin_thp.c). */
#ifndef MN_KBUILTIN_THP_H
#define MN_KBUILTIN_THP_H

#include "kbuiltin.h"

BI(kb_alloc_huge_page); BI(kb_pmd_trans_huge); BI(kb_pmd_alloc); BI(kb_mm_find_pmd);
BI(kb_pmd_get); BI(kb_pmd_lock); EN(kb_pmd_lock_en); BI(kb_pmd_unlock); BI(kb_set_pmd_at);
BI(kb_pmdp_huge_get_and_clear); BI(kb_pmdp_invalidate_ad); BI(kb_pmd_populate_split);
BI(kb_page_ref_add); BI(kb_page_split_rmap); BI(kb_pte_offset_get); BI(kb_pte_offset_clear);
BI(kb_pte_free_table); BI(kb_copy_huge_subpage); BI(kb_range_in_vma);
BI(kb_flush_tlb_range_stride); BI(kb_tlb_flush_pmd_range); BI(kb_tlb_remove_pmd_tlb_entry);

#define MN_BUILTINS_THP                                                                          \
	KB("alloc_huge_page", 0, TY_HANDLE, kb_alloc_huge_page, NULL,                            \
	   "a zeroed PMD-sized compound page (one frame, a word per subpage), refcount 1; the "  \
	   "null handle when none is free",                                                      \
	   TY_VOID)                                                                              \
	KP("pmd_trans_huge", 1, TY_INT, kb_pmd_trans_huge,                                       \
	   "1 for a huge PMD entry, present or invalidated (x86 looks at PSE)", TY_INT)          \
	KB("pmd_alloc", 1, TY_INT, kb_pmd_alloc, NULL,                                           \
	   "allocates the tables down to addr's PMD table; 0, or -1 when out of memory", TY_INT) \
	KB("mm_find_pmd", 1, TY_INT, kb_mm_find_pmd, NULL,                                       \
	   "1 when addr's PMD table exists (6.1 mm_find_pmd: the PUD is present)", TY_INT)       \
	KB("pmd_get", 1, TY_INT, kb_pmd_get, NULL,                                               \
	   "reads addr's PMD entry (a huge leaf or a PTE table; 0: none)", TY_INT)               \
	KB("pmd_lock", 1, TY_VOID, kb_pmd_lock, kb_pmd_lock_en,                                  \
	   "takes the PT lock of addr's PMD table page", TY_INT)                                 \
	KB("pmd_unlock", 1, TY_VOID, kb_pmd_unlock, NULL, "releases the lock pmd_lock took",    \
	   TY_INT)                                                                               \
	KB("set_pmd_at", 2, TY_VOID, kb_set_pmd_at, NULL, "writes addr's PMD entry", TY_INT,     \
	   TY_INT)                                                                               \
	KB("pmdp_huge_get_and_clear", 1, TY_INT, kb_pmdp_huge_get_and_clear, NULL,               \
	   "clears addr's PMD entry to none, returns the old one (no flush)", TY_INT)             \
	KB("pmdp_invalidate_ad", 1, TY_INT, kb_pmdp_invalidate_ad, NULL,                         \
	   "makes addr's huge PMD not present (still huge), returns the old entry (no flush)",   \
	   TY_INT)                                                                               \
	KB("pmd_populate_split", 2, TY_INT, kb_pmd_populate_split, NULL,                         \
	   "__split_huge_pmd_locked: a PTE table mapping each subpage of the huge entry old "    \
	   "(write, young, soft-dirty kept, not dirty) replaces addr's PMD entry",               \
	   TY_INT, TY_INT)                                                                       \
	KB("page_ref_add", 2, TY_VOID, kb_page_ref_add, NULL, "adds n references to the page",   \
	   TY_HANDLE, TY_INT)                                                                    \
	KB("page_split_rmap", 1, TY_VOID, kb_page_split_rmap, NULL,                              \
	   "a PMD-mapped THP becomes mapped by its PMD's PTEs (mapcount + HPAGE_PMD_NR - 1)",    \
	   TY_HANDLE)                                                                            \
	KB("pte_offset_get", 2, TY_INT, kb_pte_offset_get, NULL,                                 \
	   "reads addr's PTE in the PTE table a (detached) PMD value names", TY_INT, TY_INT)      \
	KB("pte_offset_clear", 2, TY_INT, kb_pte_offset_clear, NULL,                             \
	   "clears addr's PTE in the PTE table a (detached) PMD value names, returns it",        \
	   TY_INT, TY_INT)                                                                       \
	KB("pte_free_table", 1, TY_VOID, kb_pte_free_table, NULL,                                \
	   "frees the PTE table a (detached) PMD value names", TY_INT)                           \
	KB("copy_huge_subpage", 3, TY_VOID, kb_copy_huge_subpage, NULL,                          \
	   "copy_user_highpage(hpage subpage of addr, src)", TY_HANDLE, TY_INT, TY_HANDLE)       \
	KB("range_in_vma", 2, TY_INT, kb_range_in_vma, NULL,                                     \
	   "1 when one VMA holds [start, end)", TY_INT, TY_INT)                                  \
	KB("native_flush_tlb_range_stride", 3, TY_VOID, kb_flush_tlb_range_stride, kb_ipi_en,    \
	   "x86 flush_tlb_mm_range with a stride (PAGE_SIZE or PMD_SIZE): INVLPG at start, "      \
	   "start + stride, ... on every CPU; each drops the entries translating that address " \
	   "(waits while another agent has interrupts disabled)",                                \
	   TY_INT, TY_INT, TY_INT)                                                               \
	KB("tlb_flush_pmd_range", 2, TY_VOID, kb_tlb_flush_pmd_range, NULL,                      \
	   "mmu_gather: a huge PMD in [addr, addr + size) changed (cleared_pmds)", TY_INT,       \
	   TY_INT)                                                                               \
	KB("tlb_remove_pmd_tlb_entry", 1, TY_VOID, kb_tlb_remove_pmd_tlb_entry, NULL,            \
	   "mmu_gather: the huge PMD at addr was cleared: its PMD range is flushed with a PMD "   \
	   "stride unless PTEs were cleared too",                                                \
	   TY_INT)

#endif
