/* The kernel's side of the world: memory, mms with their VMAs and locks, the notifier
 * core's per-mm state, and what the checks remember. Present only in scenarios that use
 * the kernel model (they declare an mm); plain tests have none of it. */
#ifndef MN_KSTATE_H
#define MN_KSTATE_H

#include <stddef.h>

#include "../machine/machine.h"
#include "../notifier/notifier.h"
#include "mnsim/world.h"

#define MN_NMM 2
#define MN_NVMA 4
#define MN_NWLOG 6
#define MN_NOPS 8 /* agents that can be inside a core-mm operation at once */
#define MN_NSWAP 4 /* swap slots */
#define MN_NPCACHE 4 /* pages of the model's one file (its page cache and its disk blocks) */

enum mn_vm_flags {
	MN_VM_READ = 1,
	MN_VM_WRITE = 2,
	MN_VM_SHARED = 4,
	MN_VM_ANON = 8,
	MN_VM_HUGETLB = 16,
	MN_VM_PFNMAP = 32,
	MN_VM_HUGEPAGE = 64, /* MADV_HUGEPAGE: THP faults (the `thp` mapping kind) */
	MN_VM_FILE = 128,    /* maps the model's file (vm_file, with page_mkwrite): `file` kind */
	MN_VM_UFFD_WP = 256, /* registered with userfaultfd in write-protect mode */
	/* munmap took it out of the mm's tree (6.1 do_mas_align_munmap's mt_detach): only
	 * unmap_region still sees it (detached_vma_*), until vma_remove frees it. Lookups
	 * under mmap_lock held for read (faults, madvise, GUP) no longer find it, which
	 * matters once munmap has downgraded the lock. */
	MN_VM_DETACHED = 512,
};
/* a VMA the mm's lookups see: used and not detached by a munmap in progress */
#define MN_VMA_LIVE(v) ((v)->used && !((v)->flags & MN_VM_DETACHED))
/* VMAs that map a file and follow its vm_pgoff: the model's file (MN_VM_FILE) or the
 * device file of the mm (MN_VM_PFNMAP) */
#define MN_VM_PGOFF (MN_VM_FILE | MN_VM_PFNMAP)

struct mn_vma {
	uint32_t start, end;
	uint16_t flags;
	uint8_t used;
	uint8_t pgoff; /* vm_pgoff of a VMA that maps a file (MN_VM_PGOFF): the page of the
			* file its start maps, kept when the VMA is cut or moved; 0 otherwise.
			* MN_VM_FILE: the model file's page index; MN_VM_PFNMAP: the device
			* file's page, which is the frame remap_pfn_range maps there */
};

struct mn_mm {
	uint8_t used;
	uint8_t pgd;          /* page-table page of the top level */
	uint8_t users;        /* mm_users */
	uint8_t mmap_writer;  /* agent + 1 holding mmap_lock for write */
	uint8_t mmap_readers;
	uint8_t tlb_flush_pending;
	uint8_t released; /* mmu_notifier_release ran: no hlist subscriber sees anything more */
	uint8_t forked;   /* a run-time fork filled this (empty) mm and woke its task: the
			   * child's agents may run (src/kernel/kbuiltin_fork.c) */
	/* mm->tlb_flush_batched (6.1 mm/rmap.c): generations of batched reclaim unmaps
	 * pending and flushed by flush_tlb_batched_pending (src/kernel/kbuiltin_reclaim.c) */
	uint8_t batch_pending;
	uint8_t batch_flushed;
	uint8_t wp_seq; /* mm->write_protect_seq: odd while fork write-protects (kbuiltin_gup.c) */
	/* the i_mmap_rwsem of the device file the mm's VM_PFNMAP VMAs map (one file per mm):
	 * readers, and the writer as agent + 1 (src/kernel/kbuiltin_pfnmap.c). Not the model
	 * file's (mn_kstate.i_mmap_readers): two files, two rwsems */
	uint8_t devfile_i_mmap_readers;
	uint8_t devfile_i_mmap_writer;
	uint8_t iomem_lock; /* that device driver's mutex: agent + 1 */
	/* The anon_vmas (src/kernel/kbuiltin_rmap.c): the mm this one was forked from, + 1
	 * (its VMAs joined that mm's anon_vmas: anon_vma_fork), and, for an mm that was not
	 * forked, the readers of the rwsem its family's anon_vmas share (anon_vma->root):
	 * rmap walks in progress (anon_vma_lock_read) */
	uint8_t anon_parent;
	uint8_t anon_vma_readers;
	struct mn_vma vma[MN_NVMA];
	struct mn_notifier_mm notifier;
};

/* The last completed write to a virtual page of an mm, for `incoherent` and
 * `lost_write`. */
struct mn_wlog {
	uint32_t key; /* (mm << 16 | vpn) + 1; 0 unused */
	int32_t value;
};

/* A core-mm operation in progress, for `stale`: a translation is judged when the
 * operation that changed it returns, and not while another one on the same range runs. */
struct mn_opr {
	uint32_t start[MN_NMM], end[MN_NMM]; /* the range on each mm it is on */
	uint8_t mms; /* bit per mm it is on: one, except for a kernel thread's rmap walk
		      * (the mappings of a page in several mms, op_widen) */
	uint8_t agent;
	uint8_t discards; /* it throws data away: writes racing with it may be lost */
	uint8_t pad;
};
/* op covers page va of mm */
static inline int mn_op_covers(const struct mn_opr *o, int mm, uint32_t va)
{
	return ((o->mms >> mm) & 1) && va >= o->start[mm] && va < o->end[mm];
}

/* An mmu_gather: the batch of pages to free once the TLBs are flushed, and what
 * tlb_gather_mmu .. tlb_finish_mmu recorded for the flush (src/kernel/kbuiltin_tlb.c). */
struct mn_gather {
	uint16_t pages; /* bit per frame */
	uint8_t agent;  /* + 1; 0 unused */
	uint8_t tlb;    /* begun, fullmm, cleared_ptes, freed_tables (MN_TLBG_* bits) */
	uint32_t start; /* recorded range [start, end): [TASK_SIZE, 0) when nothing is */
	uint32_t end;
};

/* What makes an agent's context atomic, for the `protocol` check's "sleeping where the
 * caller may not sleep" (src/kernel/kbuiltin_2008.c): spinlocks and RCU read sections it
 * is in, non_block_start sections, and the mappings' i_mmap_lock (a spinlock in 2008).
 * PT locks held count too; they are read from the page-table pages themselves. */
#define MN_NACTX 16 /* agents that can enter an atomic context */
struct mn_actx {
	uint8_t depth[MN_NACTX];     /* per agent: spinlocks + RCU + non_block sections */
	uint8_t i_mmap_lock[MN_NMM]; /* the mm's file mappings' i_mmap_lock: agent + 1 */
	uint16_t irqs_off;           /* bit per agent: interrupts disabled (local_irq_save) */
	uint8_t pad[4];
};

/* What a kernel page-table walker holds between reading a PMD entry (pmd_none) and
 * taking the PT lock through it (pte_lock), per agent: the PMD table the entry is in, with
 * its generation. 6.1's pte_offset_map_lock re-reads the entry through the walker's
 * pointer into that table (src/kernel/kbuiltin.c). */
struct mn_ptwalk {
	uint16_t key; /* (PMD range index << 4 | PMD table) + 1; 0 none; or MN_PTWALK_LOST */
	uint16_t gen; /* that table's generation when the entry was read */
};
/* the walker's pte_lock read a freed page-table page: it holds no lock (pte_unlock ends
 * that) and the walk reads the live tables again */
#define MN_PTWALK_LOST 0xffffu
_Static_assert(MN_NPT <= 16, "struct mn_ptwalk keeps a page-table page in 4 bits");

/* A swap slot (swap_map count and contents; src/kernel/kbuiltin_reclaim.c). A swap PTE
 * names its slot by number. While the page is in the swap cache, `cache` names it and its
 * contents are the page's; after writeback `data` holds them. */
struct mn_swap {
	int32_t data;  /* what swap_writepage wrote */
	uint8_t used;
	uint8_t count; /* swap PTEs naming the slot (swap_duplicate / swap_free) */
	uint8_t cache; /* the page in the swap cache for this slot: frame + 1; 0 none */
	uint8_t pad;
};

/* The model's KSM stable tree holds one stable node (src/kernel/kbuiltin_rmap.c): the KSM
 * page (kpfn) and the rmap_items of its mappings, each the (mm, address) where ksmd
 * merged it (stable_tree_append); rmap_walk_ksm visits them. Freed with the page. */
#define MN_NKSMITEM 4
struct mn_ksm_node {
	uint8_t kpfn;  /* frame + 1; 0: no stable node */
	uint8_t nitem;
	uint16_t item[MN_NKSMITEM]; /* mm << 12 | page number of the address */
};

/* current->tlb_ubc (struct tlbflush_unmap_batch), per agent */
enum { MN_UBC_FLUSH_REQUIRED = 1, MN_UBC_WRITABLE = 2 };

struct mn_kstate {
	struct mn_page frame[MN_NFRAMES];
	struct mn_ptpage pt[MN_NPT];
	/* With pt_hi[mm] not 0, mm allocates its page-table pages from [pt_lo, pt_hi) only
	 * (mn_kernel_pt_split): which page an mm gets then does not depend on what the other
	 * mms allocated or freed. */
	uint8_t pt_lo[MN_NMM], pt_hi[MN_NMM];
	struct mn_cpu cpu[MN_NCPU];
	struct mn_dev dev[MN_NDEV];
	struct mn_mm mm[MN_NMM];
	struct mn_wlog wlog[MN_NWLOG];
	struct mn_opr op[MN_NOPS];
	struct mn_gather gather[MN_NOPS];
	struct mn_actx actx;
	uint8_t use_mm[MN_NACTX]; /* per agent: the mm a kernel thread works on (kthread_use_mm), +1 */
	struct mn_thp_data thp[MN_NTHP]; /* subpage words of the transparent huge pages */
	uint8_t ubc[MN_NACTX];    /* per agent: its batched unmap flush (MN_UBC_* bits) */
	struct mn_ptwalk ptwalk[MN_NACTX]; /* per agent: the PMD entry its walk read */
	struct mn_swap swap[MN_NSWAP];
	/* The one file `file` mappings map (src/kernel/kbuiltin_file.c): its page cache,
	 * frame + 1 per page index (0: not cached), and what writeback last wrote of each
	 * page to the disk. */
	uint8_t pcache[MN_NPCACHE];
	int32_t disk[MN_NPCACHE];
	/* per mm, the part of a `file` VMA that munmap detached from the mm (vma_remove) and
	 * that stays in the file's rmap (i_mmap) until unlink_file_vma; used 0 when none.
	 * Its footprint is the file's rmap (kfootprint.c), not the mm's VMAs. */
	struct mn_vma detached[MN_NMM];
	/* the model file's i_mmap_rwsem held for read: rmap walks in progress. The device file
	 * of VM_PFNMAP mappings is another file, with its own rwsem (mn_mm.devfile_i_mmap_*):
	 * nothing walks or unlinks both under one lock, so the two stay apart */
	uint8_t i_mmap_readers;
	uint8_t pad_file[3];
	struct mn_ksm_node ksm;
};

static inline struct mn_kstate *mn_ks(struct mn_world *w, const struct mn_layout *l)
{
	return l->kernel_off ? (struct mn_kstate *)((char *)w + l->kernel_off) : NULL;
}

static inline const struct mn_kstate *mn_ks_c(const struct mn_world *w,
					      const struct mn_layout *l)
{
	return l->kernel_off ? (const struct mn_kstate *)((const char *)w + l->kernel_off) : NULL;
}

#endif
