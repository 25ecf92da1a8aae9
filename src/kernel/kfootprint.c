/* What each kernel built-in reads and writes, for partial-order reduction. Objects are
 * classes of kernel state (all frames are one object, a PTE is one object per page
 * number, ...), so two steps look dependent whenever they might touch the same thing:
 * coarse but sound. A built-in missing from the table touches everything.
 *
 * Reads commute with reads. A lock acquire is a write of its lock (it excludes and is
 * excluded), except mmap_read_lock/unlock, which are reads: readers commute with each
 * other and conflict with the writer's acquire, which writes. */
#include <string.h>

#include "../lang/program.h"
#include "../machine/machine.h"
#include "kstate.h"
#include "../util/xalloc.h"
#include "kbuiltin.h"

/* Objects of one mm are 32 apart (MN_NMM = 2 fits the 256 bits); state shared by every
 * mm (frames, TLBs, drivers, the write log, operation records) is listed once. */
enum obj {
	O_OPS = 64,  /* operation records (stale, discards) */
	O_WLOG,      /* the last completed writes */
	O_MEM,       /* every page frame: data, counts, flags */
	O_TLB,       /* every CPU TLB, device IOTLB and mirror, device state */
	O_DEVLOCK,   /* drivers' locks */
	O_ACTX,      /* atomic context (might_sleep) */
	O_PTPOOL,    /* the free page-table pages every mm allocates from */
	O_MM = 96,   /* + 32 * mm: */
	O_MMAP = 0,  /*   mmap_lock */
	O_VMA,       /*   VMAs */
	O_NOTIFIER,  /*   subscriptions, intervals, invalidate_seq */
	O_GATHER,    /*   mmu_gathers and tlb_flush_pending */
	O_PTALLOC,   /*   upper page-table levels and page-table pages */
	O_PTE = 8,   /*   + PMD index % 16: the PTEs (or the huge entry) under one PMD */
	O_PTLOCK = 24, /* + PMD index % 8: the split PT lock */
};

#define NPTE 16
#define NPTLOCK 8

/* pte and ptlock name the address in the first argument; a huge entry maps the whole PMD
 * range, so PTE objects are per PMD range. */
enum { R = 1, W = 2, A = 4 };
struct spec {
	const char *name;
	uint8_t mmap, vma, notifier, ops, wlog, mem, tlb, devlock, gather, actx, ptalloc;
	uint8_t pte;    /* R/W of the PTE of args[0] (all PTEs when args is NULL) */
	uint8_t ptlock; /* W of the PT lock of args[0]; A: of every PT lock of the mm */
	uint8_t all_pte; /* R/W of every PTE */
};

static const struct spec specs[] = {
	/*  name                  mmap vma ntf ops wlog mem tlb dlk gth actx ptal pte ptlk allpte */
	{ "hw_load",                0, 0, 0, R, W, W, W, 0, 0, 0, R, W, 0, 0 },
	{ "hw_store",               0, 0, 0, R, W, W, W, 0, 0, 0, R, W, 0, 0 },
	{ "hw_dma_read",            0, 0, 0, R, W, W, W, 0, 0, 0, R, W, 0, 0 },
	{ "hw_dma_write",           0, 0, 0, R, W, W, W, 0, 0, 0, R, W, 0, 0 },
	{ "hw_mirror_read",         0, 0, 0, 0, W, W, W, 0, 0, 0, 0, 0, 0, 0 },
	{ "hw_mirror_write",        0, 0, 0, 0, W, W, W, 0, 0, 0, 0, 0, 0, 0 },
	{ "mmap_read_lock",         R, 0, 0, 0, 0, 0, 0, 0, 0, R, 0, 0, 0, 0 },
	{ "mmap_read_unlock",       R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "mmap_write_lock",        W, 0, 0, 0, 0, 0, 0, 0, 0, R, 0, 0, 0, 0 },
	{ "mmap_write_unlock",      W, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "pte_lock",               0, 0, 0, 0, 0, 0, 0, 0, 0, 0, R, 0, W, 0 },
	{ "pte_unlock",             0, 0, 0, 0, 0, 0, 0, 0, 0, 0, R, 0, W, 0 },
	{ "pte_get",                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, R, R, 0, 0 },
	{ "pte_alloc",              0, 0, 0, 0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0 },
	{ "pmd_none",               0, 0, 0, 0, 0, 0, 0, 0, 0, 0, R, R, 0, 0 },
	{ "set_pte_at",             0, 0, 0, 0, 0, 0, 0, 0, 0, 0, R, W, 0, 0 },
	{ "ptep_get_and_clear",     0, 0, 0, 0, 0, 0, 0, 0, 0, 0, R, W, 0, 0 },
	{ "ptep_set_wrprotect",     0, 0, 0, 0, 0, 0, 0, 0, 0, 0, R, W, 0, 0 },
	{ "ptep_test_and_clear_young", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, R, W, 0, 0 },
	{ "native_flush_tlb_range", 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0 },
	{ "native_flush_tlb_mm",    0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0 },
	{ "native_tlb_flush",       0, 0, 0, 0, 0, 0, W, 0, R, 0, 0, 0, 0, 0 },
	{ "vma_flags",              0, R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "vma_count",              0, R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "vma_start",              0, R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "vma_end",                0, R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "vma_set_write",          0, W, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "vma_remove",             0, W, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "alloc_page",             0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "alloc_device_page",      0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "copy_page",              0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "get_page",               0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "put_page",               0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "page_count",             0, 0, 0, 0, 0, R, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "page_mapcount",          0, 0, 0, 0, 0, R, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "page_anon_exclusive",    0, 0, 0, 0, 0, R, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "page_ksm",               0, 0, 0, 0, 0, R, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "page_set_ksm",           0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "pages_identical",        0, 0, 0, 0, 0, R, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "device_page_owner",      0, 0, 0, 0, 0, R, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "page_add_new_anon_rmap", 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "page_add_anon_rmap",     0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "page_remove_rmap",       0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "page_move_anon_rmap",    0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "page_try_share_anon_rmap", 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "page_mark_lazyfree",     0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "tlb_remove_page",        0, 0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0 },
	{ "tlb_batch_free",         0, 0, 0, 0, 0, W, 0, 0, W, 0, 0, 0, 0, 0 },
	{ "tlb_gather_mmu",         0, 0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0 },
	{ "tlb_gather_mmu_fullmm",  0, 0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0 },
	{ "tlb_flush_pte_range",    0, 0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0 },
	{ "tlb_remove_tlb_entry",   0, 0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0 },
	{ "tlb_nested_full_flush",  0, 0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0 },
	{ "tlb_range_start",        0, 0, 0, 0, 0, 0, 0, 0, R, 0, 0, 0, 0, 0 },
	{ "tlb_range_end",          0, 0, 0, 0, 0, 0, 0, 0, R, 0, 0, 0, 0, 0 },
	{ "tlb_reset_range",        0, 0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0 },
	{ "tlb_gather_finish",      0, 0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0 },
	{ "inc_tlb_flush_pending",  0, 0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0 },
	{ "dec_tlb_flush_pending",  0, 0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0 },
	{ "mm_tlb_flush_pending",   0, 0, 0, 0, 0, 0, 0, 0, R, 0, 0, 0, 0, 0 },
	{ "mm_tlb_flush_nested",    0, 0, 0, 0, 0, 0, 0, 0, R, 0, 0, 0, 0, 0 },
	{ "op_begin",               0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "op_end",                 0, 0, 0, W, W, R, R, 0, 0, 0, R, 0, 0, R },
	{ "wlog_discard",           0, 0, 0, W, W, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "mn_nsubs",               0, 0, R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "mn_sub_at",              0, 0, R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "mn_sub_type",            0, 0, R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "mn_sub_of_dev",          0, 0, R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "mn_unregister",          0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "mn_release_all",         0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "mn_itree_begin",         0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "mn_itree_end",           0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "mn_itree_at",            0, 0, R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "mn_itree_cur_seq",       0, 0, R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "mmu_interval_read_begin", 0, 0, R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "mmu_interval_read_retry", 0, 0, R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "mmu_interval_set_seq",   0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "alloc_huge_page",        0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "pmd_alloc",              0, 0, 0, 0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0 },
	{ "mm_find_pmd",            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, R, 0, 0, 0 },
	{ "pmd_get",                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, R, R, 0, 0 },
	/* one lock per PMD table page: it covers every PMD range of the table, so all */
	{ "pmd_lock",               0, 0, 0, 0, 0, 0, 0, 0, 0, 0, R, 0, A, 0 },
	{ "pmd_unlock",             0, 0, 0, 0, 0, 0, 0, 0, 0, 0, R, 0, A, 0 },
	{ "set_pmd_at",             0, 0, 0, 0, 0, 0, 0, 0, 0, 0, R, W, 0, 0 },
	{ "pmdp_huge_get_and_clear", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, R, W, 0, 0 },
	{ "pmdp_invalidate_ad",     0, 0, 0, 0, 0, 0, 0, 0, 0, 0, R, W, 0, 0 },
	{ "pmd_populate_split",     0, 0, 0, 0, 0, 0, 0, 0, 0, 0, W, W, 0, 0 },
	{ "page_ref_add",           0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "page_split_rmap",        0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	/* a detached PTE table: no address names it, so every PTE */
	{ "pte_offset_get",         0, 0, 0, 0, 0, 0, 0, 0, 0, 0, R, 0, 0, R },
	{ "pte_offset_clear",       0, 0, 0, 0, 0, 0, 0, 0, 0, 0, R, 0, 0, W },
	{ "pte_free_table",         0, 0, 0, 0, 0, 0, 0, 0, 0, 0, W, 0, 0, W },
	{ "copy_huge_subpage",      0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "range_in_vma",           0, R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "native_flush_tlb_range_stride", 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0 },
	{ "tlb_flush_pmd_range",    0, 0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0 },
	{ "tlb_remove_pmd_tlb_entry", 0, 0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0 },
	{ "iotlb_flush",            0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0 },
	{ "dev_stop",               0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0 },
	{ "mirror_install",         0, 0, 0, 0, 0, R, W, 0, 0, 0, 0, 0, 0, 0 },
	{ "dev_lock",               0, 0, 0, 0, 0, 0, 0, W, 0, R, 0, 0, 0, 0 },
	{ "dev_unlock",             0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0 },
	{ "dev_trylock",            0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0 },
	/* driver words live with the driver's lock (dev->drv) */
	{ "dev_word",               0, 0, 0, 0, 0, 0, 0, R, 0, 0, 0, 0, 0, 0 },
	{ "dev_set_word",           0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0 },
	{ "dev_word_add",           0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0 },
	{ "dev_word_wait_zero",     0, 0, 0, 0, 0, 0, 0, R, 0, R, 0, 0, 0, 0 },
	{ "dev_spin_lock",          0, 0, 0, 0, 0, 0, 0, W, 0, W, 0, 0, 0, 0 },
	{ "dev_spin_unlock",        0, 0, 0, 0, 0, 0, 0, W, 0, W, 0, 0, 0, 0 },
	{ "hw_ext_read",            0, 0, 0, 0, W, W, W, 0, 0, 0, 0, 0, 0, 0 },
	{ "hw_ext_write",           0, 0, 0, 0, W, W, W, 0, 0, 0, 0, 0, 0, 0 },
	{ "ext_young",              0, 0, 0, 0, 0, 0, R, 0, 0, 0, 0, 0, 0, 0 },
	{ "ext_test_and_clear_young", 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0 },
	{ "ext_mapped",             0, 0, 0, 0, 0, 0, R, 0, 0, 0, 0, 0, 0, 0 },
	{ "dev_stopped",            0, 0, 0, 0, 0, 0, R, 0, 0, 0, 0, 0, 0, 0 },
	{ "page_pin",               0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "page_maybe_dma_pinned",  0, 0, 0, 0, 0, R, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "fork_wait",              0, R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "page_try_dup_anon_rmap", 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "vma_needs_copy",         0, R, 0, 0, 0, 0, 0, 0, 0, 0, R, 0, 0, R },
	{ "free_pgtables",          0, R, 0, 0, 0, 0, 0, 0, W, 0, W, 0, 0, W },
	{ "tlb_table_free",         0, 0, 0, 0, 0, 0, 0, 0, W, 0, W, 0, 0, 0 },
	{ "vma_copy",               0, W, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "wlog_move",              0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "find_vma_intersection",  0, R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	/* reclaim and migration (kbuiltin_reclaim.c): mm->tlb_flush_batched is with the
	 * mm's deferred-flush state (gather), swap slots with the frames (mem); the agent's
	 * own tlb_ubc is touched only by the agent */
	{ "tlb_ubc_set_pending",   0, 0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0 },
	{ "try_to_unmap_flush",     0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0 },
	{ "try_to_unmap_flush_dirty", 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0 },
	{ "mm_tlb_flush_batched",   0, 0, 0, 0, 0, 0, 0, 0, R, 0, 0, 0, 0, 0 },
	{ "tlb_flush_batched_done", 0, 0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0 },
	{ "add_to_swap",            0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "swap_duplicate",         0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "swap_writepage",         0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "remove_mapping",         0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "lookup_swap_cache",      0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "swap_readpage",          0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "swap_free",              0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "page_swap_entry",        0, 0, 0, 0, 0, R, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "folio_free_swap",        0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "page_mark_dirty",        0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "page_test_dirty",        0, 0, 0, 0, 0, R, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "page_to_nid",            0, 0, 0, 0, 0, R, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "alloc_page_node",        0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "lock_page",              0, 0, 0, 0, 0, W, 0, 0, 0, R, 0, 0, 0, 0 },
	{ "trylock_page",           0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "unlock_page",            0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	/* VM_PFNMAP (kbuiltin_pfnmap.c): the device file's i_mmap_rwsem goes with the VMAs
	 * (it guards the file's VMA tree), readers commuting as mmap_read_lock's do; the
	 * device driver's mutex with the drivers' locks */
	{ "linear_page_index",      0, R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "iomem_revoke",           0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "iomem_revoked",          0, 0, 0, 0, 0, R, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "iomem_lock",             0, 0, 0, 0, 0, 0, 0, W, 0, R, 0, 0, 0, 0 },
	{ "iomem_unlock",           0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0 },
	{ "i_mmap_lock_read",       0, R, 0, 0, 0, 0, 0, 0, 0, R, 0, 0, 0, 0 },
	{ "i_mmap_unlock_read",     0, R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "i_mmap_lock_write",      0, W, 0, 0, 0, 0, 0, 0, 0, R, 0, 0, 0, 0 },
	{ "i_mmap_unlock_write",    0, W, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
};

/* Built-ins that write another mm than the agent's (fork's child, named by an argument):
 * their rows apply to every mm, and to every PTE of it. */
static const struct spec cross_specs[] = {
	/*  name                  mmap vma ntf ops wlog mem tlb dlk gth actx ptal pte ptlk allpte */
	{ "dup_vma",                0, W, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "child_pte_alloc",        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0 },
	{ "child_set_pte_at",       0, 0, 0, 0, 0, 0, 0, 0, 0, 0, R, W, 0, 0 },
	{ "wake_up_new_task",       0, W, 0, 0, W, 0, 0, 0, 0, 0, R, R, 0, 0 },
};
#define NSPECS (sizeof(specs) / sizeof(specs[0]))
#define NCROSS (sizeof(cross_specs) / sizeof(cross_specs[0]))

static void mark(struct mn_fp *fp, uint8_t how, unsigned obj)
{
	if (how & W)
		fp_write(fp, obj);
	else if (how & R)
		fp_read(fp, obj);
}

static void mark_mm(struct mn_fp *fp, const struct spec *s, const mn_val *args, int mm)
{
	unsigned base = O_MM + 32u * (unsigned)mm;
	mark(fp, s->mmap, base + O_MMAP);
	mark(fp, s->vma, base + O_VMA);
	mark(fp, s->notifier, base + O_NOTIFIER);
	mark(fp, s->gather, base + O_GATHER);
	mark(fp, s->ptalloc, base + O_PTALLOC);
	if (s->all_pte || (s->pte && !args))
		for (unsigned k = 0; k < NPTE; k++)
			mark(fp, s->all_pte | s->pte, base + O_PTE + k);
	else if (s->pte)
		mark(fp, s->pte, base + O_PTE + (unsigned)((uint64_t)args[0] >> MN_PMD_SHIFT) % NPTE);
	if (s->ptlock && (!args || (s->ptlock & A)))
		for (unsigned k = 0; k < NPTLOCK; k++)
			mark(fp, W, base + O_PTLOCK + k);
	else if (s->ptlock)
		mark(fp, W, base + O_PTLOCK + (unsigned)((uint64_t)args[0] >> MN_PMD_SHIFT) % NPTLOCK);
}

void mn_kernel_fp_prepare(struct mn_prog *prog)
{
	prog->kfp_spec = xcalloc((size_t)mn_nbuiltins, sizeof(*prog->kfp_spec));
	for (int b = 0; b < mn_nbuiltins; b++) {
		prog->kfp_spec[b] = -1;
		for (size_t i = 0; i < NSPECS + NCROSS; i++)
			if (!strcmp(i < NSPECS ? specs[i].name : cross_specs[i - NSPECS].name,
				    mn_builtins[b].name))
				prog->kfp_spec[b] = (int16_t)i;
	}
}

void mn_kernel_fp(const struct mn_prog *prog, int bi, int agent, const mn_val *args,
		  struct mn_fp *fp)
{
	int row = prog->kfp_spec ? prog->kfp_spec[bi] : -1;
	const struct spec *s = row < 0 ? NULL : (size_t)row < NSPECS ? &specs[row] :
			       &cross_specs[row - (int)NSPECS];
	if (!s) {
		fp_all(fp);
		return;
	}
	fp_clear(fp);
	mark(fp, s->ops, O_OPS);
	mark(fp, s->wlog, O_WLOG);
	mark(fp, s->mem, O_MEM);
	mark(fp, s->tlb, O_TLB);
	mark(fp, s->devlock, O_DEVLOCK);
	mark(fp, s->actx, O_ACTX);
	/* whoever may allocate (or free) page-table pages takes them from one pool: which
	 * page an mm gets depends on the others' order */
	mark(fp, s->ptalloc & W, O_PTPOOL);
	/* the agent's own mm, or every mm when the agent is not known (static futures) or
	 * the built-in writes another mm */
	int mm = agent >= 0 ? prog->agents[agent].mm : -1;
	if ((size_t)row >= NSPECS) {
		mm = -1;
		args = NULL;
	}
	for (int m = 0; m < MN_NMM; m++)
		if (mm < 0 || m == mm)
			mark_mm(fp, s, args, m);
}
