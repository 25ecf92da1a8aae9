/* Built-ins for deferred TLB flushes and soft-dirty tracking: the mm's tlb_flush_pending
 * count, flush_tlb_mm, an mmu_gather that records what it changed (the rule of
 * tlb_flush_mmu_tlbonly), soft-dirty and young PTE bits, and iteration over the VMAs
 * (clear_refs walks every VMA of the mm). */
#ifndef MN_KBUILTIN_TLB_H
#define MN_KBUILTIN_TLB_H

#include "kbuiltin.h"

/* mm-wide flushes and the pending count (include/linux/mm_inline.h) */
BI(kb_flush_tlb_mm); BI(kb_inc_tlb_flush_pending); BI(kb_dec_tlb_flush_pending);
BI(kb_mm_tlb_flush_pending); BI(kb_mm_tlb_flush_nested);
/* page tables and VMAs */
BI(kb_ptep_test_and_clear_young); BI(kb_pmd_none); BI(kb_vma_count); BI(kb_vma_start);
BI(kb_vma_end); BI(kb_detached_vma);
/* pure PTE helpers */
BI(kb_pte_soft_dirty); BI(kb_pte_clear_soft_dirty); BI(kb_pte_mksoft_dirty);
BI(kb_pte_swp_soft_dirty); BI(kb_pte_mkyoung);
/* mmu_gather: the recorded range (include/asm-generic/tlb.h, mm/mmu_gather.c) */
BI(kb_tlb_gather_mmu); BI(kb_tlb_gather_mmu_fullmm); BI(kb_tlb_flush_pte_range);
BI(kb_tlb_remove_tlb_entry); BI(kb_tlb_nested_full_flush); BI(kb_tlb_flush); EN(kb_tlb_flush_en);
BI(kb_tlb_range_start); BI(kb_tlb_range_end); BI(kb_tlb_reset_range);
BI(kb_tlb_gather_finish);
struct mn_kstate;
struct mn_mm;
struct mn_vma;
/* The VMA of rank i by start address (vma_start(i)), or NULL. */
enum mn_vma_set {
	MN_VMAS_LIVE,     /* the mm's VMAs: what find_vma and the page walks see */
	MN_VMAS_DETACHED, /* those a munmap in progress detached (MN_VM_DETACHED) */
	MN_VMAS_ALL,      /* both: a detached VMA stays in its file's i_mmap until
			   * free_pgtables unlinks it */
	MN_VMAS_DEVFILE,  /* the device file's i_mmap: VM_PFNMAP VMAs, detached or not */
};
const struct mn_vma *mn_vma_rank(const struct mn_mm *m, mn_val i, int set);
/* field 0 of v: its start, 1 its end, 2 its flags (without MN_VM_DETACHED), 3 its
 * vm_pgoff; -1 for no VMA */
mn_val mn_vma_field(const struct mn_vma *v, mn_val field);
/* The agent's gather frees a page-table page whose range starts at addr: the range
 * widens by that page and freed_tables is set (0; -1 with ctx->err without a gather). */
int mn_gather_freed_table(struct mn_ctx *ctx, struct mn_kstate *ks, uint32_t addr);

#define MN_BUILTINS_TLB                                                                          \
	KB("native_flush_tlb_mm", 0, TY_VOID, kb_flush_tlb_mm, kb_ipi_en,                               \
	   "flushes every CPU TLB entry of the agent's mm (no notifier, as in 6.1; waits while " \
	   "another agent has interrupts disabled)", TY_VOID)                                    \
	KB("inc_tlb_flush_pending", 0, TY_VOID, kb_inc_tlb_flush_pending, NULL,                  \
	   "mm->tlb_flush_pending + 1: a deferred flush is coming (before changing PTEs)",       \
	   TY_VOID)                                                                              \
	KB("dec_tlb_flush_pending", 0, TY_VOID, kb_dec_tlb_flush_pending, NULL,                  \
	   "mm->tlb_flush_pending - 1, after the flush (`error` below zero)", TY_VOID)           \
	KB("mm_tlb_flush_pending", 0, TY_INT, kb_mm_tlb_flush_pending, NULL,                     \
	   "1 while some agent has a deferred flush of the mm pending", TY_VOID)                 \
	KB("mm_tlb_flush_nested", 0, TY_INT, kb_mm_tlb_flush_nested, NULL,                      \
	   "1 while more than one deferred flush of the mm is pending", TY_VOID)                 \
	KB("ptep_test_and_clear_young", 1, TY_INT, kb_ptep_test_and_clear_young, NULL,          \
	   "atomically clears the accessed bit of addr's PTE, returns the old one (no flush)",   \
	   TY_INT)                                                                               \
	KB("pmd_none", 1, TY_INT, kb_pmd_none, NULL,                                             \
	   "1 when no page table holds addr's PTE (a page walk skips it); 0 remembers the PMD " \
	   "entry read for the agent's pte_lock", TY_INT)                                       \
	KB("vma_count", 0, TY_INT, kb_vma_count, NULL, "how many VMAs the agent's mm has",       \
	   TY_VOID)                                                                              \
	KB("vma_start", 1, TY_INT, kb_vma_start, NULL,                                           \
	   "start of the i-th VMA in address order, -1 past the last", TY_INT)                   \
	KB("vma_end", 1, TY_INT, kb_vma_end, NULL,                                               \
	   "end of the i-th VMA in address order, -1 past the last", TY_INT)                     \
	KB("detached_vma", 2, TY_INT, kb_detached_vma, NULL,                                     \
	   "the i-th VMA munmap detached: field 0 start, 1 end, 2 flags; -1 past the last",      \
	   TY_INT, TY_INT)                                                                       \
	KP("pte_soft_dirty", 1, TY_INT, kb_pte_soft_dirty, "1 when the soft-dirty bit is set",   \
	   TY_INT)                                                                               \
	KP("pte_clear_soft_dirty", 1, TY_INT, kb_pte_clear_soft_dirty,                           \
	   "the PTE without the soft-dirty bit", TY_INT)                                         \
	KP("pte_mksoft_dirty", 1, TY_INT, kb_pte_mksoft_dirty, "the PTE with the soft-dirty bit", \
	   TY_INT)                                                                               \
	KP("pte_swp_soft_dirty", 1, TY_INT, kb_pte_swp_soft_dirty,                               \
	   "1 when a non-present entry (swap, migration, device) carries the soft-dirty bit",    \
	   TY_INT)                                                                               \
	KP("pte_swp_mksoft_dirty", 1, TY_INT, kb_pte_mksoft_dirty,                               \
	   "the non-present entry with the soft-dirty bit", TY_INT)                              \
	KP("pte_swp_clear_soft_dirty", 1, TY_INT, kb_pte_clear_soft_dirty,                       \
	   "the non-present entry without the soft-dirty bit", TY_INT)                           \
	KP("pte_mkyoung", 1, TY_INT, kb_pte_mkyoung, "the PTE with the accessed bit", TY_INT)     \
	KB("tlb_gather_mmu", 0, TY_VOID, kb_tlb_gather_mmu, NULL,                                \
	   "begins the agent's mmu_gather: empty range, inc_tlb_flush_pending", TY_VOID)         \
	KB("tlb_gather_mmu_fullmm", 0, TY_VOID, kb_tlb_gather_mmu_fullmm, NULL,                  \
	   "the same for the whole mm (fullmm: a flush covers every address)", TY_VOID)          \
	KB("tlb_flush_pte_range", 2, TY_VOID, kb_tlb_flush_pte_range, NULL,                      \
	   "mmu_gather: widens the range to flush by [addr, addr + size), cleared_ptes",         \
	   TY_INT, TY_INT)                                                                       \
	KB("tlb_remove_tlb_entry", 1, TY_VOID, kb_tlb_remove_tlb_entry, NULL,                    \
	   "mmu_gather: addr's PTE was changed: flush its page (tlb_flush_pte_range of a page)", \
	   TY_INT)                                                                               \
	KB("tlb_nested_full_flush", 0, TY_VOID, kb_tlb_nested_full_flush, NULL,                  \
	   "tlb_finish_mmu when nested: fullmm, range reset, freed_tables (a full flush)",       \
	   TY_VOID)                                                                              \
	KB("native_tlb_flush", 0, TY_INT, kb_tlb_flush, kb_tlb_flush_en,                                \
	   "the CPU flush of tlb_flush_mmu_tlbonly: only if something was recorded (then it "    \
	   "waits while another agent has interrupts disabled); 1 if done",                      \
	   TY_VOID)                                                                              \
	KB("tlb_range_start", 0, TY_INT, kb_tlb_range_start, NULL,                               \
	   "start of the gather's recorded range (TASK_SIZE when empty)", TY_VOID)               \
	KB("tlb_range_end", 0, TY_INT, kb_tlb_range_end, NULL,                                   \
	   "end of the gather's recorded range (0 when empty, TASK_SIZE after a full reset)",    \
	   TY_VOID)                                                                              \
	KB("tlb_reset_range", 0, TY_VOID, kb_tlb_reset_range, NULL,                              \
	   "__tlb_reset_range: nothing recorded any more", TY_VOID)                              \
	KB("tlb_gather_finish", 0, TY_VOID, kb_tlb_gather_finish, NULL,                          \
	   "end of tlb_finish_mmu: dec_tlb_flush_pending; the gather ends (pages already freed)", \
	   TY_VOID)

#endif
