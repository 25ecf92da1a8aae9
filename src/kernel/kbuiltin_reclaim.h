/* Built-ins for reclaim and page migration (Linux 6.1 mm/vmscan.c, mm/rmap.c,
 * mm/swap_state.c, mm/migrate.c): the batched unmap flush (current->tlb_ubc and
 * mm->tlb_flush_batched), swap slots with their contents and the swap cache, and the NUMA
 * node of a page. */
#ifndef MN_KBUILTIN_RECLAIM_H
#define MN_KBUILTIN_RECLAIM_H

#include "kbuiltin.h"

/* the batched unmap flush (mm/rmap.c, CONFIG_ARCH_WANT_BATCHED_UNMAP_TLB_FLUSH) */
BI(kb_tlb_ubc_set_pending); BI(kb_try_to_unmap_flush); BI(kb_try_to_unmap_flush_dirty);
EN(kb_try_to_unmap_flush_en); EN(kb_try_to_unmap_flush_dirty_en);
BI(kb_mm_tlb_flush_batched); BI(kb_tlb_flush_batched_done); BI(kb_batch_pending);
/* swap (mm/swapfile.c, mm/swap_state.c, mm/page_io.c) */
BI(kb_add_to_swap); BI(kb_mk_swap_entry); BI(kb_pte_is_swap); BI(kb_swap_duplicate);
BI(kb_swap_writepage); BI(kb_remove_mapping); BI(kb_lookup_swap_cache);
BI(kb_swap_readpage); BI(kb_swap_free); BI(kb_pte_swp_exclusive);
BI(kb_page_mark_dirty); BI(kb_page_test_dirty); BI(kb_folio_free_swap); BI(kb_page_swap_entry);
/* NUMA nodes, pages by number */
BI(kb_page_to_nid); BI(kb_alloc_page_node); BI(kb_pfn_to_page);

#define MN_BUILTINS_RECLAIM                                                                      \
	KB("tlb_ubc_set_pending", 1, TY_VOID, kb_tlb_ubc_set_pending, NULL,          \
	   "try_to_unmap_one deferred its CPU flush: the agent's tlb_ubc needs a flush "        \
	   "(writable if the PTE was dirty) and mm->tlb_flush_batched gets one more pending "   \
	   "generation", TY_INT)                                                                 \
	KB("try_to_unmap_flush", 0, TY_VOID, kb_try_to_unmap_flush, kb_try_to_unmap_flush_en,    \
	   "arch_tlbbatch_flush if the agent's tlb_ubc needs it: every CPU TLB is flushed "     \
	   "(x86 flushes all of them; no notifier in 6.1; the IPIs wait while another agent "   \
	   "has interrupts disabled)", TY_VOID)                                                  \
	KB("try_to_unmap_flush_dirty", 0, TY_VOID, kb_try_to_unmap_flush_dirty,                  \
	   kb_try_to_unmap_flush_dirty_en,                                                       \
	   "the same, only if a batched PTE was dirty (before the page's IO)", TY_VOID)         \
	KB("mm_tlb_flush_batched", 0, TY_INT, kb_mm_tlb_flush_batched, NULL,                     \
	   "atomic_read(&mm->tlb_flush_batched): pending | flushed << 16", TY_VOID)              \
	KP("batch_pending", 1, TY_INT, kb_batch_pending,                                         \
	   "1 when a tlb_flush_batched value has pending generations not flushed", TY_INT)       \
	KB("tlb_flush_batched_done", 1, TY_VOID, kb_tlb_flush_batched_done, NULL,                \
	   "atomic_cmpxchg(&mm->tlb_flush_batched, batch, pending | pending << 16): nothing "   \
	   "if another unmap was batched since batch was read", TY_INT)                          \
	KB("add_to_swap", 1, TY_INT, kb_add_to_swap, NULL,                                       \
	   "a free swap slot for the page, which enters the swap cache (a reference) dirty; "   \
	   "the slot number, or -1 when there is none", TY_HANDLE)                               \
	KP("mk_swap_entry", 2, TY_INT, kb_mk_swap_entry,                                         \
	   "a swap PTE for slot, exclusive or not (pte_swp_mkexclusive)", TY_INT, TY_INT)        \
	KP("pte_is_swap", 1, TY_INT, kb_pte_is_swap, "1 for a swap entry naming a slot", TY_INT) \
	KP("pte_swp_exclusive", 1, TY_INT, kb_pte_swp_exclusive,                                 \
	   "1 when the swap entry says the page was exclusive", TY_INT)                          \
	KB("swap_duplicate", 1, TY_INT, kb_swap_duplicate, NULL,                                 \
	   "one more swap PTE names the entry's slot; 0, -1 for a free slot", TY_INT)            \
	KB("swap_writepage", 1, TY_VOID, kb_swap_writepage, NULL,                                \
	   "pageout of a swap-cache page: its contents go to its slot, the page is clean "      \
	   "(writeback completes at once); a page no swap PTE needs leaves the swap cache "      \
	   "dirty instead (folio_free_swap)", TY_HANDLE)                                         \
	KB("remove_mapping", 1, TY_INT, kb_remove_mapping, NULL,                                 \
	   "__remove_mapping: if only the caller and the swap cache hold the page, it leaves "  \
	   "the swap cache (the cache's reference dropped): 1; else 0", TY_HANDLE)               \
	KB("lookup_swap_cache", 1, TY_HANDLE, kb_lookup_swap_cache, NULL,                        \
	   "the page in the swap cache for the entry's slot, with a reference; or null (also "   \
	   "for an entry whose slot was freed since it was read)",        \
	   TY_INT)                                                                               \
	KB("swap_readpage", 2, TY_INT, kb_swap_readpage, NULL,                                   \
	   "swap_readpage(page, entry): the slot's contents into the page: 0; -1 when the "     \
	   "slot was freed since the entry was read", TY_HANDLE, TY_INT)                         \
	KB("swap_free", 1, TY_VOID, kb_swap_free, NULL,                                          \
	   "one swap PTE less names the slot; the slot is free when none does and no page is "  \
	   "in the swap cache for it", TY_INT)                                                   \
	KB("page_swap_entry", 1, TY_INT, kb_page_swap_entry, NULL,                               \
	   "the swap entry of the page's slot while it is in the swap cache (page_private), "   \
	   "else 0", TY_HANDLE)                                                                  \
	KB("folio_free_swap", 1, TY_INT, kb_folio_free_swap, NULL,                               \
	   "a swap-cache page no swap PTE needs any more leaves the cache and frees its slot: " \
	   "1; else 0", TY_HANDLE)                                                               \
	KB("page_mark_dirty", 1, TY_VOID, kb_page_mark_dirty, NULL,                              \
	   "folio_mark_dirty: the page's contents are newer than its backing store",            \
	   TY_HANDLE)                                                                            \
	KB("page_test_dirty", 1, TY_INT, kb_page_test_dirty, NULL, "folio_test_dirty",           \
	   TY_HANDLE)                                                                            \
	KB("page_to_nid", 1, TY_INT, kb_page_to_nid, NULL, "the page's NUMA node (0 or 1)",      \
	   TY_HANDLE)                                                                            \
	KB("alloc_page_node", 1, TY_HANDLE, kb_alloc_page_node, NULL,                            \
	   "alloc_page on NUMA node nid (0 or 1), or the null handle", TY_INT)                   \
	KP("pfn_to_page", 1, TY_HANDLE, kb_pfn_to_page, "the page of frame number pfn",          \
	   TY_INT)

#endif
