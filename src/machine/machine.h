/* The simulated hardware: physical frames, page-table pages, CPU TLBs and device IOTLBs.
 * Everything is plain data inside the world (indices, no pointers).
 *
 * Geometry is scaled down (see docs/model.md): 4 KiB pages as in the kernel, but 8 entries
 * per page-table level instead of 512, so a PMD maps 8 pages (0x8000, the model's "2 MiB")
 * and a PUD maps 64 pages (0x40000, the model's "1 GiB"). Virtual addresses use bits 12..23.
 */
#ifndef MN_MACHINE_H
#define MN_MACHINE_H

#include <stdint.h>

#define MN_PAGE_SHIFT 12
#define MN_PAGE_SIZE (1u << MN_PAGE_SHIFT)
#define MN_PT_BITS 3
#define MN_PTRS (1u << MN_PT_BITS)
#define MN_PMD_SHIFT (MN_PAGE_SHIFT + MN_PT_BITS)
#define MN_PUD_SHIFT (MN_PMD_SHIFT + MN_PT_BITS)
#define MN_PGD_SHIFT (MN_PUD_SHIFT + MN_PT_BITS)
#define MN_VA_BITS (MN_PGD_SHIFT + MN_PT_BITS)
#define MN_VA_LIMIT (1u << MN_VA_BITS)

#define MN_NFRAMES 12 /* data frames; frame 0 is the zero page */
#define MN_NPT 12     /* page-table pages */
#define MN_NCPU 3
#define MN_NTLB 4     /* entries per CPU TLB and per device IOTLB */
#define MN_NDEV 3
#define MN_NPSC 2     /* paging-structure-cache (PDE-cache) entries per device walker */

enum mn_frame_kind {
	MN_FRAME_FREE,
	MN_FRAME_ZERO,
	MN_FRAME_ANON,
	MN_FRAME_FILE,
	MN_FRAME_DEVICE_PRIVATE,
	MN_FRAME_IOMEM, /* device memory a VM_PFNMAP mapping names (a BAR, VRAM): not in the
			 * page allocator, no refcount or mapcount (src/kernel/kbuiltin_pfnmap.c) */
};

enum mn_frame_flags {
	MN_PG_DIRTY = 1,
	MN_PG_KSM = 2,
	MN_PG_LOCKED = 4,
	MN_PG_ANON_EXCLUSIVE = 8, /* PageAnonExclusive: this mm alone may write it */
	MN_PG_LAZYFREE = 16,      /* MADV_FREE'd: reclaim may drop it while its PTE is clean */
	MN_PG_RMAP_EXTERNAL = 32, /* 2008 PageRmapExternal: a device references it (rmap notifier) */
	MN_PG_COMPOUND = 64,      /* a PMD-sized transparent huge page (src/kernel/kbuiltin_thp.c) */
	MN_PG_MAYBE_DMA_PINNED = 128, /* page_maybe_dma_pinned: a FOLL_PIN reference is held */
	MN_PG_NODE1 = 256,        /* on NUMA node 1 (page migration); node 0 otherwise */
	MN_PG_IOMEM_REVOKED = 512, /* MN_FRAME_IOMEM taken away by its driver after
				    * unmap_mapping_range: any access to it is a use after free */
};
/* the number of FOLL_PIN references held (MN_PG_MAYBE_DMA_PINNED while it is not 0) */
#define MN_PG_PINS_SHIFT 12
#define MN_PG_PINS_MASK 0xf000u

/* A transparent huge page is one frame standing for the whole compound page (as a
 * hugetlb page is): one refcount and mapcount (the head's), and a word per subpage
 * here, so that each of the PMD's pages keeps its own data through split and collapse. */
#define MN_NTHP 2
struct mn_thp_data {
	int32_t data[MN_PTRS];
};

/* One page of memory: its contents are a single word. */
struct mn_page {
	int32_t data;
	uint16_t refcount;
	int16_t mapcount;
	uint16_t gen; /* changes each time the frame is freed, so stale users are caught */
	uint8_t kind;
	uint8_t owner_mm; /* mm that allocated it, +1; 0 for none */
	uint8_t owner_dev; /* device-private pages: the device whose memory it is, +1 */
	uint8_t thp;       /* MN_PG_COMPOUND: its subpages' words are kstate thp[thp - 1] */
	uint16_t flags;    /* enum mn_frame_flags */
};

/* A page-table entry at any level. Non-leaf entries name a page-table page; leaf entries
 * name a frame. Not-present entries may carry a swap-style entry (migration, device
 * private) in `kind`. */
typedef uint32_t mn_pte;
#define MN_PTE_PRESENT 0x1u
#define MN_PTE_WRITE 0x2u
#define MN_PTE_ACCESSED 0x4u
#define MN_PTE_DIRTY 0x8u
#define MN_PTE_HUGE 0x10u      /* leaf at PMD or PUD level */
#define MN_PTE_SOFT_DIRTY 0x20u
#define MN_PTE_SPECIAL 0x40u   /* zero page, pfnmap: no struct-page refcounting */
#define MN_PTE_UFFD_WP 0x80u   /* userfaultfd write-protected (x86 _PAGE_UFFD_WP, software) */
#define MN_PTE_KIND_SHIFT 8    /* not-present kinds */
#define MN_PTE_KIND_MASK (0xfu << MN_PTE_KIND_SHIFT)
#define MN_PTE_PFN_SHIFT 16
#define MN_PTE_PFN(e) ((e) >> MN_PTE_PFN_SHIFT)
#define MN_PTE_MKPFN(pfn) ((mn_pte)(pfn) << MN_PTE_PFN_SHIFT)

enum mn_swp_kind {
	MN_SWP_NONE,
	MN_SWP_MIGRATION_READ,
	MN_SWP_MIGRATION_WRITE,
	MN_SWP_DEVICE_PRIVATE_READ,
	MN_SWP_DEVICE_PRIVATE_WRITE,
	MN_SWP_DEVICE_EXCLUSIVE_READ, /* make_readable_device_exclusive_entry */
	MN_SWP_SWAP,
	MN_SWP_DEVICE_EXCLUSIVE_WRITE, /* make_writable_device_exclusive_entry */
};

static inline int mn_swp_device_exclusive(int kind)
{
	return kind == MN_SWP_DEVICE_EXCLUSIVE_READ || kind == MN_SWP_DEVICE_EXCLUSIVE_WRITE;
}

static inline int mn_pte_swp_kind(mn_pte e)
{
	return (int)((e & MN_PTE_KIND_MASK) >> MN_PTE_KIND_SHIFT);
}

struct mn_ptpage {
	mn_pte e[MN_PTRS];
	uint16_t gen;
	uint8_t level;  /* 4 pgd, 3 pud, 2 pmd, 1 pte; 0 free */
	uint8_t users;  /* mms sharing it (hugetlb shared PMD pages) */
	uint8_t lock;   /* split PT lock: owner agent + 1 */
	uint8_t freeing; /* unlinked by free_pgtables, freed by that agent's gather: agent + 1 */
	uint8_t pad[2];
};

/* A cached translation. x86 caches accessed/dirty: a write through an entry whose dirty
 * bit is clear re-walks to set D in the PTE. */
/* A device translation made through a device-exclusive entry (the mirror's atomic
 * mapping): valid only while the CPU PTE stays that entry. */
#define MN_TLBE_DEVICE_EXCLUSIVE 0x80u

struct mn_tlbe {
	uint16_t vpn;     /* virtual page number + 1; 0 = invalid */
	uint8_t pfn;
	uint8_t flags;    /* MN_PTE_WRITE | MN_PTE_DIRTY | MN_PTE_HUGE as cached, or
			   * MN_TLBE_DEVICE_EXCLUSIVE; a HUGE entry
			   * is a 2 MiB (PMD) translation: vpn is the PMD's first page and
			   * it covers the PMD's MN_PTRS pages (x86 large-page TLB entries) */
	uint16_t gen;     /* frame generation when the entry was made */
	uint8_t mm;       /* mm index */
	uint8_t pad;
};

/* A paging-structure-cache entry: Intel's PDE cache (SDM vol. 3 §4.10.3; VT-d's
 * first-level paging-structure caches). A walk that used a present PMD entry naming a PTE
 * table may keep that entry, and a later walk of the same PMD range starts at the table
 * without reading the upper levels again. The table's generation when the entry was
 * made tells a walk through it that the table was freed (or reused) since: `uaf`
 * (src/machine/psc.c). */
struct mn_psce {
	uint16_t key;     /* (mm << 9 | PMD range index) + 1; 0 = invalid */
	uint8_t pt;       /* the PTE table the PMD entry named */
	uint8_t pad;
	uint16_t gen;     /* that table's generation (struct mn_ptpage.gen) */
};

struct mn_cpu {
	struct mn_tlbe tlb[MN_NTLB];
	uint8_t mm;       /* mm whose page tables are loaded (CR3), +1; 0 none */
	uint8_t pad;
	struct mn_psce psc[MN_NPSC]; /* the walker's PDE cache, tagged by mm as with PCIDs */
	uint8_t pad2[2];
};

/* Device hardware: an IOTLB and the state a device keeps (stopped after release). */
enum { MN_NDRV = 6 };

struct mn_dev {
	struct mn_tlbe tlb[MN_NTLB];
	uint8_t type;     /* enum mn_dev_type */
	uint8_t mm;       /* bound mm index, +1 */
	uint8_t stopped;  /* the driver told the hardware to stop (release) */
	uint8_t pad;
	/* the walker's paging-structure cache: filled only by the iommu_sva walker
	 * (hw_dma_*), emptied with the IOTLB by iotlb_flush and dev_stop */
	struct mn_psce psc[MN_NPSC];
	int32_t drv[MN_NDRV]; /* driver words: [0] the driver's lock, [1] its interval or
			       * first range, the rest sequence numbers and counters */
};

#endif
