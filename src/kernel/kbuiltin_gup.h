/* Built-ins of the lock-free GUP walk (6.1 mm/gup.c, CONFIG_HAVE_FAST_GUP on x86):
 * interrupts disabled on the walker's CPU, the lockless reads of the page tables, the
 * speculative reference (try_grab_folio) and its undo, FOLL_PIN's unpin, and
 * mm->write_protect_seq, which fork's copy_page_range writes and the FOLL_PIN walk reads.
 *
 * Interrupts: an agent with interrupts disabled (local_irq_save) holds up every x86 TLB
 * flush of the other agents, because the flush's IPIs wait for each CPU to take them
 * (native_flush_tlb_multi with wait); mn_ipi_en is the enabled test those flush built-ins
 * share. Page-table pages are freed after such a flush (x86 6.1 frees them with the page
 * batch: pv_ops.mmu.tlb_remove_table is tlb_remove_page on bare metal), which is what
 * keeps a table alive under the walker. */
#ifndef MN_KBUILTIN_GUP_H
#define MN_KBUILTIN_GUP_H

#include "kbuiltin.h"

struct mn_kstate;
/* 1 when an IPI sent by agent `agent` would be taken at once: no other agent has
 * interrupts disabled. */
int mn_ipi_done(const struct mn_kstate *ks, int agent);
struct mn_page;
/* One more FOLL_PIN reference on f (page_pin, try_grab_folio): 0, or -1 with ctx->err. */
int mn_page_pin_add(struct mn_ctx *ctx, struct mn_page *f);

BI(kb_local_irq_save); BI(kb_local_irq_restore); BI(kb_gup_fast_pmd); BI(kb_gup_fast_pte);
BI(kb_gup_fast_recheck); BI(kb_pte_special); BI(kb_try_grab_folio);
BI(kb_unpin_user_page); BI(kb_mm_wp_seq_begin); BI(kb_mm_wp_seq_end); BI(kb_mm_wp_seq_read);
BI(kb_mm_wp_seq_retry);

#define MN_BUILTINS_GUP                                                                          \
	KB("local_irq_save", 0, TY_VOID, kb_local_irq_save, NULL,                                \
	   "disables interrupts on the agent's CPU: other agents' TLB-flush IPIs wait until "    \
	   "local_irq_restore (not nested)", TY_VOID)                                            \
	KB("local_irq_restore", 0, TY_VOID, kb_local_irq_restore, NULL,                          \
	   "enables interrupts again", TY_VOID)                                                  \
	KB("gup_fast_pmd", 1, TY_INT, kb_gup_fast_pmd, NULL,                                     \
	   "the lockless walk's READ_ONCE of addr's PGD, PUD and PMD entries (one step): the "   \
	   "PMD entry, 0 when a level is missing; an entry naming a PTE table carries the "      \
	   "table's generation in bits 32 and up", TY_INT)                                       \
	KB("gup_fast_pte", 2, TY_INT, kb_gup_fast_pte, NULL,                                     \
	   "ptep_get_lockless of addr's PTE in the PTE table the PMD value (from gup_fast_pmd) " \
	   "names; a table freed since fires `uaf` and reads as none", TY_INT, TY_INT)           \
	KB("gup_fast_recheck", 3, TY_INT, kb_gup_fast_recheck, NULL,                             \
	   "gup_pte_range's re-check: 1 when addr's PMD entry still is pmd and the PTE in the "  \
	   "table pmd names still is pte (a freed table fires `uaf`)", TY_INT, TY_INT, TY_INT)   \
	KP("pte_special", 1, TY_INT, kb_pte_special,                                             \
	   "1 for a special PTE (the zero page, a VM_PFNMAP mapping's raw PFN): no struct page " \
	   "is counted for it (vm_normal_page is NULL); GUP-fast leaves it to the slow path",    \
	   TY_INT)                                                                               \
	KB("try_grab_folio", 2, TY_INT, kb_try_grab_folio, NULL,                                 \
	   "GUP-fast's speculative reference (FOLL_PIN when pin): 0 when the page's count is "   \
	   "already 0 (being freed), else 1; the zero page is never pinned", TY_HANDLE, TY_INT)  \
	KB("unpin_user_page", 1, TY_VOID, kb_unpin_user_page, NULL,                              \
	   "drops a FOLL_PIN reference (page_maybe_dma_pinned ends with the last pin; the last " \
	   "reference frees the page)", TY_HANDLE)                                               \
	KB("mm_wp_seq_begin", 0, TY_VOID, kb_mm_wp_seq_begin, NULL,                             \
	   "raw_write_seqcount_begin(&mm->write_protect_seq) (fork, mmap_lock held for write)",  \
	   TY_VOID)                                                                              \
	KB("mm_wp_seq_end", 0, TY_VOID, kb_mm_wp_seq_end, NULL,                                 \
	   "raw_write_seqcount_end(&mm->write_protect_seq)", TY_VOID)                            \
	KB("mm_wp_seq_read", 0, TY_INT, kb_mm_wp_seq_read, NULL,                                 \
	   "raw_read_seqcount(&mm->write_protect_seq): odd while a fork write-protects",         \
	   TY_VOID)                                                                              \
	KB("mm_wp_seq_retry", 1, TY_INT, kb_mm_wp_seq_retry, NULL,                               \
	   "read_seqcount_retry(&mm->write_protect_seq, seq): 1 when it moved since seq",        \
	   TY_INT)

#endif
