/* What each kernel built-in reads and writes, for partial-order reduction. Objects are
 * classes of kernel state (all frames are one object, a PTE is one object per page
 * number, ...), so two steps look dependent whenever they might touch the same thing:
 * coarse but sound. A built-in missing from the table touches everything.
 *
 * Reads commute with reads. A lock acquire is a write of its lock (it excludes and is
 * excluded), except mmap_read_lock/unlock, which are reads: readers commute with each
 * other and conflict with the writer's acquire, which writes. */
#include <stdlib.h>
#include <string.h>

#include "../lang/program.h"
#include "../machine/machine.h"
#include "kstate.h"
#include "../util/xalloc.h"
#include "kbuiltin.h"
#include "kinit.h"

/* Objects of one mm are 32 apart (MN_NMM = 2 fits the 256 bits); state shared by every
 * mm (frames, TLBs, drivers, the write log, operation records) is listed once. */
enum obj {
	O_WLOG = 64, /* the last completed writes */
	O_MEM,       /* every page frame: data, counts, flags */
	O_DEVLOCK,   /* drivers' locks */
	O_ACTX,      /* the i_mmap_locks (an agent's own atomic-context depth, which
		      * might_sleep reads, is no one else's business and is no object) */
	O_PTPOOL,    /* the free page-table pages every mm allocates from */
	O_IMMAP,     /* the model file's rmap: i_mmap_rwsem, detached VMAs (file_specs) */
	O_ANONVMA,   /* the anon_vmas' rwsems (anon_specs); which mms' VMAs each anon_vma
		      * holds goes with those mms' VMAs */
	O_IRQ,       /* which agents have interrupts disabled (the actx column's XR/XW) */
	O_CTLB,      /* + CPU: that CPU's TLB */
	O_DTLB = O_CTLB + MN_NCPU, /* + device: its IOTLB or mirror table, and its state */
	O_SHARED_END = O_DTLB + MN_NDEV,
	O_MM = 96,   /* + 32 * mm: */
	O_MMAP = 0,  /*   mmap_lock */
	O_VMA,       /*   VMAs */
	O_SUBS,      /*   notifier subscriptions (the hlist) */
	O_GATHER,    /*   mmu_gathers and tlb_flush_pending */
	O_PTALLOC,   /*   upper page-table levels and page-table pages */
	O_OPS,       /*   the records of the operations running on the mm (stale, dirty,
		      *   discards); each agent's record has its own slot */
	O_ITREE,     /*   interval notifiers: the tree, invalidate_seq, active ranges */
	O_WPSEQ,     /*   mm->write_protect_seq (the mmap column's XR/XW) */
	O_PTE = 8,   /*   + PMD index % 16: the PTEs (or the huge entry) under one PMD */
	O_PTLOCK = 24, /* + PMD index % 8: the split PT lock */
};

_Static_assert(O_SHARED_END <= O_MM, "shared footprint objects overlap the mms'");

#define NPTE 16
#define NPTLOCK 8

/* pte and ptlock name the address in the first argument; a huge entry maps the whole PMD
 * range, so PTE objects are per PMD range. */
enum { R = 1, W = 2, A = 4 };
/* The second object of a column: XR/XW in the mmap column read/write the mm's
 * write_protect_seq, in the actx column which agents have interrupts off (a CPU flush
 * waits for the others' IPIs). An agent's own bit, which might_sleep also reads, is
 * nobody else's business. */
enum { XR = 8, XW = 16 };
struct spec {
	const char *name;
	uint8_t mmap, vma, notifier, ops, wlog, mem, tlb, devlock, gather, actx, ptalloc;
	uint8_t pte;    /* R/W of the PTE of args[0] (all PTEs when args is NULL) */
	uint8_t ptlock; /* W of the PT lock of args[0]; A: of every PT lock of the mm */
	uint8_t all_pte; /* R/W of every PTE */
};

static const struct spec specs[] = {
	/*  name                  mmap vma ntf ops wlog mem tlb dlk gth actx ptal pte ptlk allpte */
	{ "hw_load",                0, 0, 0, R, R, R, W, 0, 0, 0, R, W, 0, 0 },
	{ "hw_store",               0, 0, 0, R, W, W, W, 0, 0, 0, R, W, 0, 0 },
	{ "hw_dma_read",            0, 0, 0, R, R, R, W, 0, 0, 0, R, W, 0, 0 },
	{ "hw_dma_write",           0, 0, 0, R, W, W, W, 0, 0, 0, R, W, 0, 0 },
	{ "hw_mirror_read",         0, 0, 0, 0, R, R, W, 0, 0, 0, 0, 0, 0, 0 },
	{ "hw_mirror_write",        0, 0, 0, 0, W, W, W, 0, 0, 0, 0, 0, 0, 0 },
	{ "mmap_read_lock",         R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "mmap_read_unlock",       R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "mmap_write_lock",        W, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "mmap_write_unlock",      W, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "mmap_write_downgrade",   W, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "pte_lock",               0, 0, 0, 0, 0, 0, 0, 0, 0, 0, R, 0, W, 0 },
	{ "pte_unlock",             0, 0, 0, 0, 0, 0, 0, 0, 0, 0, R, 0, W, 0 },
	{ "pte_get",                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, R, R, 0, 0 },
	{ "pte_alloc",              0, 0, 0, 0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0 },
	{ "pmd_none",               0, 0, 0, 0, 0, 0, 0, 0, 0, 0, R, R, 0, 0 },
	{ "set_pte_at",             0, 0, 0, 0, 0, 0, 0, 0, 0, 0, R, W, 0, 0 },
	{ "ptep_get_and_clear",     0, 0, 0, 0, 0, 0, 0, 0, 0, 0, R, W, 0, 0 },
	{ "ptep_set_wrprotect",     0, 0, 0, 0, 0, 0, 0, 0, 0, 0, R, W, 0, 0 },
	{ "ptep_test_and_clear_young", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, R, W, 0, 0 },
	{ "native_flush_tlb_range", 0, 0, 0, 0, 0, 0, W, 0, 0, XR, 0, 0, 0, 0 },
	{ "native_flush_tlb_mm",    0, 0, 0, 0, 0, 0, W, 0, 0, XR, 0, 0, 0, 0 },
	{ "native_tlb_flush",       0, 0, 0, 0, 0, 0, W, 0, R, XR, 0, 0, 0, 0 },
	{ "vma_flags",              0, R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "vma_count",              0, R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "vma_start",              0, R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "vma_end",                0, R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "vma_set_write",          0, W, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "vma_remove",             0, W, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "vma_detach",             0, W, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "detached_vma",           0, R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
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
	{ "native_flush_tlb_range_stride", 0, 0, 0, 0, 0, 0, W, 0, 0, XR, 0, 0, 0, 0 },
	{ "tlb_flush_pmd_range",    0, 0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0 },
	{ "tlb_remove_pmd_tlb_entry", 0, 0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0 },
	/* a CPU's or device's TLB object covers its walker's paging-structure cache too (a
	 * device's also its state, struct mn_dev): the accesses that fill the cache and the
	 * flushes that empty it write that object already, and a walk through a cached PMD
	 * entry reads the PTE table of the address's PMD range (pte) and the table's
	 * generation (ptalloc), as a walk from the root does */
	{ "iotlb_flush",            0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0 },
	{ "iotlb_flush_leaf",       0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0 },
	{ "dev_stop",               0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0 },
	{ "mirror_install",         0, 0, 0, 0, 0, R, W, 0, 0, 0, 0, 0, 0, 0 },
	{ "dev_lock",               0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0 },
	{ "dev_unlock",             0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0 },
	{ "dev_trylock",            0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0 },
	/* driver words live with the driver's lock (dev->drv) */
	{ "dev_word",               0, 0, 0, 0, 0, 0, 0, R, 0, 0, 0, 0, 0, 0 },
	{ "dev_set_word",           0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0 },
	{ "dev_word_add",           0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0 },
	{ "dev_word_wait_zero",     0, 0, 0, 0, 0, 0, 0, R, 0, 0, 0, 0, 0, 0 },
	{ "dev_spin_lock",          0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0 },
	{ "dev_spin_unlock",        0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0 },
	{ "hw_ext_read",            0, 0, 0, 0, R, R, W, 0, 0, 0, 0, 0, 0, 0 },
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
	{ "try_to_unmap_flush",     0, 0, 0, 0, 0, 0, W, 0, 0, XR, 0, 0, 0, 0 },
	{ "try_to_unmap_flush_dirty", 0, 0, 0, 0, 0, 0, W, 0, 0, XR, 0, 0, 0, 0 },
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
	{ "lock_page",              0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "trylock_page",           0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "unlock_page",            0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	/* the agent's own atomic-context depth and kthread_use_mm: nobody else reads them */
	{ "might_sleep",            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "kthread_use_mm",         0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "kthread_unuse_mm",       0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "i_mmap_lock",            0, 0, 0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0 },
	{ "i_mmap_unlock",          0, 0, 0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0 },
	{ "mmap_read_trylock",      R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	/* the PUD entry goes: every PMD entry under it with it */
	{ "huge_pmd_unshare",       0, 0, 0, 0, 0, 0, 0, 0, 0, 0, W, W, 0, W },
	/* the file's page cache and disk are with the frames (mem); userfaultfd (kbuiltin_file.c) */
	{ "uffd_wait_wp",           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, R, R, 0, 0 },
	{ "vma_set_uffd_wp",        0, W, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "linear_page_index",      0, R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "vma_address",            0, R, 0, 0, 0, R, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "find_get_page",          0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "filemap_add_page",       0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "page_test_clear_dirty",  0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "writepage",              0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "page_add_file_rmap",     0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "detached_vma_address",   0, 0, 0, 0, 0, R, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "i_mmap_lock_read",       0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "i_mmap_unlock_read",     0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "unlink_file_vma",        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	/* GUP-fast (kbuiltin_gup.c): the interrupt state, the lockless reads, the reference */
	{ "local_irq_save",         0, 0, 0, 0, 0, 0, 0, 0, 0, XW, 0, 0, 0, 0 },
	{ "local_irq_restore",      0, 0, 0, 0, 0, 0, 0, 0, 0, XW, 0, 0, 0, 0 },
	{ "gup_fast_pmd",           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, R, R, 0, 0 },
	{ "gup_fast_pte",           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, R, R, 0, 0 },
	{ "gup_fast_recheck",       0, 0, 0, 0, 0, 0, 0, 0, 0, 0, R, R, 0, 0 },
	{ "try_grab_folio",         0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "unpin_user_page",        0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "mm_wp_seq_begin",        XW, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "mm_wp_seq_end",          XW, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "mm_wp_seq_read",         XR, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "mm_wp_seq_retry",        XR, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	/* VM_PFNMAP (kbuiltin_pfnmap.c): the device file's i_mmap_rwsem is the mm's (one device
	 * file per mm) and goes with its VMAs, the file's VMA tree it guards; readers commute
	 * as mmap_read_lock's do. The model file's rwsem is O_IMMAP (file_specs): another
	 * file. The device driver's mutex goes with the drivers' locks. */
	{ "iomem_revoke",           0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "iomem_revoked",          0, 0, 0, 0, 0, R, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "iomem_lock",             0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0 },
	{ "iomem_unlock",           0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0 },
	{ "devfile_vma",            0, R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "devfile_i_mmap_lock_read", 0, R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "devfile_i_mmap_unlock_read", 0, R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "devfile_i_mmap_lock_write", 0, W, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "devfile_i_mmap_unlock_write", 0, W, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	/* the rmap of anonymous and KSM pages (kbuiltin_rmap.c): a page's anon_vma and the
	 * stable node are with the frames; the anon_vma tree is the mms' VMAs (a kernel
	 * thread's rows cover every mm); the rwsems are O_ANONVMA (anon_specs). The
	 * agent's operation record is its mm's, or every mm's for a kernel thread. */
	{ "op_widen",               0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "op_active",              0, 0, 0, R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "folio_anon_vma",         0, 0, 0, 0, 0, R, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "anon_vma_lock_read",     0, R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "anon_vma_unlock_read",   0, R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "anon_vma_address",       0, R, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "stable_tree_append",     0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "ksm_rmap_item",          0, 0, 0, 0, 0, R, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "folio_migrate_flags",    0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0, 0, 0 },
};

/* A value per built-in name, for the tables below that qualify a row's columns. */
struct named {
	const char *name;
	uint8_t v;
};
#define LOOKUP(table, name, dflt) lookup(table, sizeof(table) / sizeof(table[0]), name, dflt)

static int lookup(const struct named *t, size_t n, const char *name, int dflt)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].name, name))
			return t[i].v;
	return dflt;
}

/* Built-ins that also touch the model file's rmap: its i_mmap_rwsem and the VMAs munmap
 * detached but has not unlinked from it yet (one object of its own, which only the rmap
 * walkers and munmap touch). The device file of VM_PFNMAP VMAs is another file, whose
 * i_mmap_rwsem is with the mm's VMAs (the devfile_i_mmap_* rows). */
static const struct named file_specs[] = {
	{ "i_mmap_lock_read", W },
	{ "i_mmap_unlock_read", W },
	{ "unlink_file_vma", W },
	{ "detached_vma_address", R },
	{ "vma_remove", W },
};

/* Built-ins that touch the anon_vmas' rwsems: the rmap walkers, and unlink_anon_vmas
 * (vma_remove), which waits for them. */
static const struct named anon_specs[] = {
	{ "anon_vma_lock_read", W },
	{ "anon_vma_unlock_read", W },
	{ "vma_remove", R },
};

/* Built-ins that write another mm than the agent's (fork's child, named by an argument):
 * their rows apply to every mm, and to every PTE of it. */
static const struct spec cross_specs[] = {
	/*  name                  mmap vma ntf ops wlog mem tlb dlk gth actx ptal pte ptlk allpte */
	{ "dup_vma",                0, W, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "child_pte_alloc",        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0 },
	{ "child_set_pte_at",       0, 0, 0, 0, 0, 0, 0, 0, 0, 0, R, W, 0, 0 },
	{ "wake_up_new_task",       0, W, 0, 0, W, 0, 0, 0, 0, 0, R, R, 0, 0 },
	{ "child_mmput",            0, W, R, 0, 0, W, 0, 0, 0, 0, W, W, 0, W },
};
/* Which TLBs a row's tlb column means (a TLB object also covers the device's state). A
 * built-in not listed here touches every TLB. */
enum tlb_scope {
	TS_ALL,     /* every CPU TLB and every device */
	TS_OWN,     /* the agent's own hardware: its CPU's TLB, or its device */
	TS_MM_CPUS, /* the TLBs of the CPUs that can hold the agent's mm: those its CPU
		     * agents run on (only their loads and stores fill CPU TLBs) */
	TS_CPUS,    /* every CPU TLB */
	TS_MM_ALL,  /* the TLBs that can hold the agent's mm: TS_MM_CPUS and its devices */
	TS_DEV_ARG, /* the device named by the first argument */
};

static const struct named tlb_scopes[] = {
	{ "hw_load", TS_OWN },
	{ "hw_store", TS_OWN },
	{ "hw_dma_read", TS_OWN },
	{ "hw_dma_write", TS_OWN },
	{ "hw_mirror_read", TS_OWN },
	{ "hw_mirror_write", TS_OWN },
	{ "hw_ext_read", TS_OWN },
	{ "hw_ext_write", TS_OWN },
	{ "native_flush_tlb_range", TS_MM_CPUS },
	{ "native_flush_tlb_mm", TS_MM_CPUS },
	{ "native_tlb_flush", TS_MM_CPUS },
	{ "native_flush_tlb_range_stride", TS_MM_CPUS },
	{ "try_to_unmap_flush", TS_CPUS },
	{ "try_to_unmap_flush_dirty", TS_CPUS },
	{ "iotlb_flush", TS_DEV_ARG },
	{ "iotlb_flush_leaf", TS_DEV_ARG },
	{ "dev_stop", TS_DEV_ARG },
	{ "mirror_install", TS_DEV_ARG },
	{ "ext_young", TS_DEV_ARG },
	{ "ext_test_and_clear_young", TS_DEV_ARG },
	{ "ext_mapped", TS_DEV_ARG },
	{ "dev_stopped", TS_DEV_ARG },
	{ "op_end", TS_MM_ALL },
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

/* What a row's notifier column means: the subscriptions, the interval tree, or (a row
 * not listed here) both. */
enum { NS_BOTH, NS_SUBS, NS_ITREE };
static const struct named notifier_parts[] = {
	{ "mn_nsubs", NS_SUBS },
	{ "mn_sub_at", NS_SUBS },
	{ "mn_sub_type", NS_SUBS },
	{ "mn_sub_of_dev", NS_SUBS },
	{ "mn_unregister", NS_SUBS },
	{ "mn_release_all", NS_SUBS },
	{ "mn_itree_begin", NS_ITREE },
	{ "mn_itree_end", NS_ITREE },
	{ "mn_itree_at", NS_ITREE },
	{ "mn_itree_cur_seq", NS_ITREE },
	{ "mmu_interval_read_begin", NS_ITREE },
	{ "mmu_interval_read_retry", NS_ITREE },
	{ "mmu_interval_set_seq", NS_ITREE },
};

static int notifier_part(const char *name)
{
	return LOOKUP(notifier_parts, name, NS_BOTH);
}

/* The objects of mm a row touches: with part 0 those that do not depend on the
 * arguments, with part 1 the PTE and PT lock its first argument names (every one of them
 * when args is NULL). */
static void mark_mm(struct mn_fp *fp, const struct spec *s, const mn_val *args, int mm,
		    int part, int ntf_part)
{
	unsigned base = O_MM + 32u * (unsigned)mm;
	if (part == 0) {
		mark(fp, s->mmap, base + O_MMAP);
		mark(fp, s->vma, base + O_VMA);
		if (ntf_part != NS_ITREE)
			mark(fp, s->notifier, base + O_SUBS);
		if (ntf_part != NS_SUBS)
			mark(fp, s->notifier, base + O_ITREE);
		mark(fp, s->gather, base + O_GATHER);
		mark(fp, s->mmap >> 3, base + O_WPSEQ);
		mark(fp, s->ptalloc, base + O_PTALLOC);
		mark(fp, s->ops, base + O_OPS);
		if (s->all_pte)
			for (unsigned k = 0; k < NPTE; k++)
				mark(fp, s->all_pte | s->pte, base + O_PTE + k);
		if (s->ptlock & A)
			for (unsigned k = 0; k < NPTLOCK; k++)
				mark(fp, W, base + O_PTLOCK + k);
		return;
	}
	if (s->pte && !s->all_pte && !args)
		for (unsigned k = 0; k < NPTE; k++)
			mark(fp, s->pte, base + O_PTE + k);
	else if (s->pte && !s->all_pte)
		mark(fp, s->pte, base + O_PTE + (unsigned)((uint64_t)args[0] >> MN_PMD_SHIFT) % NPTE);
	if (s->ptlock && !(s->ptlock & A) && !args)
		for (unsigned k = 0; k < NPTLOCK; k++)
			mark(fp, W, base + O_PTLOCK + k);
	else if (s->ptlock && !(s->ptlock & A))
		mark(fp, W, base + O_PTLOCK + (unsigned)((uint64_t)args[0] >> MN_PMD_SHIFT) % NPTLOCK);
}

static const struct spec *spec_of(int row)
{
	if (row < 0)
		return NULL;
	return (size_t)row < NSPECS ? &specs[row] : &cross_specs[row - (int)NSPECS];
}

static int is_cross(int row)
{
	return row >= (int)NSPECS;
}

static int scope_of(const char *name)
{
	return LOOKUP(tlb_scopes, name, TS_ALL);
}

static void mark_tlbs(const struct mn_prog *prog, struct mn_fp *fp, uint8_t how, int scope,
		      int agent, const mn_val *args)
{
	const struct agent_info *ai = agent >= 0 ? &prog->agents[agent] : NULL;
	if (scope == TS_OWN && ai && ai->cpu >= 0 && ai->cpu < MN_NCPU) {
		mark(fp, how, O_CTLB + (unsigned)ai->cpu);
		return;
	}
	if (scope == TS_OWN && ai && ai->dev >= 0 && ai->dev < MN_NDEV) {
		mark(fp, how, O_DTLB + (unsigned)ai->dev);
		return;
	}
	if (scope == TS_DEV_ARG && args && args[0] >= 0 && args[0] < MN_NDEV) {
		mark(fp, how, O_DTLB + (unsigned)args[0]);
		return;
	}
	if (scope == TS_DEV_ARG) {
		for (unsigned d = 0; d < MN_NDEV; d++)
			mark(fp, how, O_DTLB + d);
		return;
	}
	if ((scope == TS_MM_CPUS || scope == TS_MM_ALL) && ai && ai->mm >= 0) {
		for (int i = 0; i < prog->nagents; i++) {
			const struct agent_info *o = &prog->agents[i];
			if (o->cpu >= 0 && o->cpu < MN_NCPU && o->mm == ai->mm)
				mark(fp, how, O_CTLB + (unsigned)o->cpu);
		}
		for (int d = 0; scope == TS_MM_ALL && d < prog->ndevs && d < MN_NDEV; d++)
			if (prog->devs[d].mm == ai->mm)
				mark(fp, how, O_DTLB + (unsigned)d);
		return;
	}
	for (unsigned c = 0; c < MN_NCPU; c++)
		mark(fp, how, O_CTLB + c);
	if (scope == TS_CPUS)
		return;
	for (unsigned d = 0; d < MN_NDEV; d++)
		mark(fp, how, O_DTLB + d);
}

/* Everything a row touches that does not depend on the arguments: computed once per
 * built-in and agent, since footprints are asked for at every state. */
static void base_fp(const struct mn_prog *prog, int bi, int agent, struct mn_fp *fp)
{
	const struct spec *s = spec_of(prog->kfp_spec[bi]);
	if (!s) {
		fp_all(fp);
		return;
	}
	fp_clear(fp);
	mark(fp, s->wlog, O_WLOG);
	mark(fp, s->mem, O_MEM);
	mark(fp, s->devlock, O_DEVLOCK);
	mark(fp, s->actx, O_ACTX);
	mark(fp, s->actx >> 3, O_IRQ);
	/* whoever may allocate (or free) page-table pages takes them from one pool: which
	 * page an mm gets depends on the others' order, unless each mm has its own share
	 * (or there is one mm, whose upper levels the row writes anyway) */
	if (prog->nmms > 1 && !mn_kernel_pt_split(prog))
		mark(fp, s->ptalloc & W, O_PTPOOL);
	mark(fp, (uint8_t)LOOKUP(file_specs, s->name, 0), O_IMMAP);
	mark(fp, (uint8_t)LOOKUP(anon_specs, s->name, 0), O_ANONVMA);
	int scope = scope_of(mn_builtins[bi].name);
	if (s->tlb && scope != TS_DEV_ARG)
		mark_tlbs(prog, fp, s->tlb, scope, agent, NULL);
	/* the agent's own mm, or every mm when the built-in writes another mm */
	int mm = agent >= 0 ? prog->agents[agent].mm : -1;
	if (is_cross(prog->kfp_spec[bi]))
		mm = -1;
	for (int m = 0; m < MN_NMM; m++)
		if (mm < 0 || m == mm)
			mark_mm(fp, s, NULL, m, 0, notifier_part(mn_builtins[bi].name));
}

void mn_kernel_fp_prepare(struct mn_prog *prog)
{
	size_t na = (size_t)(prog->nagents ? prog->nagents : 1);
	prog->kfp_spec = xcalloc((size_t)mn_nbuiltins, sizeof(*prog->kfp_spec));
	prog->kfp_base = xcalloc((size_t)mn_nbuiltins * na, sizeof(*prog->kfp_base));
	prog->kfp_devarg = xcalloc((size_t)mn_nbuiltins, sizeof(*prog->kfp_devarg));
	/* only the built-ins the program calls: footprints are asked of no others, and
	 * matching every built-in's name against the table was much of a small run's time */
	uint8_t *used = xcalloc((size_t)mn_nbuiltins, 1);
	for (size_t pc = 0; pc < prog->ncode; pc++)
		if (prog->code[pc].op == OP_BUILTIN)
			used[prog->code[pc].a] = 1;
	for (int b = 0; b < mn_nbuiltins; b++) {
		prog->kfp_spec[b] = -1;
		if (!used[b])
			continue;
		for (size_t i = 0; i < NSPECS + NCROSS; i++)
			if (!strcmp(i < NSPECS ? specs[i].name : cross_specs[i - NSPECS].name,
				    mn_builtins[b].name))
				prog->kfp_spec[b] = (int16_t)i;
		prog->kfp_devarg[b] = scope_of(mn_builtins[b].name) == TS_DEV_ARG;
		for (size_t a = 0; a < na; a++)
			base_fp(prog, b, prog->nagents ? (int)a : -1, &prog->kfp_base[(size_t)b * na + a]);
	}
	free(used);
}

void mn_kernel_fp(const struct mn_prog *prog, int bi, int agent, const mn_val *args,
		  struct mn_fp *fp)
{
	size_t na = (size_t)(prog->nagents ? prog->nagents : 1);
	*fp = prog->kfp_base[(size_t)bi * na + (size_t)(agent >= 0 ? agent : 0)];
	const struct spec *s = spec_of(prog->kfp_spec[bi]);
	if (!s)
		return;
	if (s->tlb && prog->kfp_devarg[bi])
		mark_tlbs(prog, fp, s->tlb, TS_DEV_ARG, agent, args);
	int mm = agent >= 0 ? prog->agents[agent].mm : -1;
	if (is_cross(prog->kfp_spec[bi])) {
		args = NULL;
		mm = -1;
	}
	for (int m = 0; m < MN_NMM; m++)
		if (mm < 0 || m == mm)
			mark_mm(fp, s, args, m, 1, NS_BOTH);
}
