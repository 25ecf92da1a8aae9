#include "kinit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../machine/access.h"
#include "../machine/devtypes.h"
#include "../machine/pagetable.h"
#include "kstate.h"
#include "../util/xalloc.h"

/* Which notifier callbacks each secondary MMU's driver implements in 6.1. */
static uint16_t dev_ops(int type)
{
	switch (type) {
	case MN_DEV_IOMMU_SVA: /* intel-svm / amd iommu_v2: release and the TLB hook */
		return MN_OP_RELEASE | MN_OP_INVALIDATE_RANGE;
	case MN_DEV_KVM: /* kvm_mmu_notifier_ops, less x86's no-op ->invalidate_range */
		return MN_OP_RELEASE | MN_OP_INVALIDATE_RANGE_START | MN_OP_INVALIDATE_RANGE_END |
		       MN_OP_CLEAR_FLUSH_YOUNG | MN_OP_CLEAR_YOUNG | MN_OP_TEST_YOUNG |
		       MN_OP_CHANGE_PTE;
	default:
		/* gru_mmuops has no ->release in 6.1; the bit stays because the mmun-2008
		 * walks list subscribers by it, and the 6.1 dispatch does nothing for it */
		return MN_OP_RELEASE | MN_OP_INVALIDATE_RANGE_START | MN_OP_INVALIDATE_RANGE_END;
	}
}

static int populate(struct mn_kstate *ks, int mm, uint32_t va, int writable, char *err,
		    unsigned errlen)
{
	struct mn_walk wk;
	mn_pte *s = mn_pt_walk(ks, mm, va, 1, &wk);
	int f;
	for (f = 1; f < MN_NFRAMES && ks->frame[f].kind != MN_FRAME_FREE; f++)
		;
	if (!s || f == MN_NFRAMES) {
		snprintf(err, errlen, "populated memory does not fit the model (%d frames, %d "
			 "page-table pages)", MN_NFRAMES, MN_NPT);
		return -1;
	}
	struct mn_page *fr = &ks->frame[f];
	fr->kind = MN_FRAME_ANON;
	fr->refcount = 1;
	fr->mapcount = 1;
	fr->flags = MN_PG_ANON_EXCLUSIVE;
	fr->owner_mm = (uint8_t)(mm + 1);
	*s = MN_PTE_PRESENT | MN_PTE_ACCESSED | MN_PTE_DIRTY | MN_PTE_SOFT_DIRTY | MN_PTE_MKPFN(f) |
	     (writable ? MN_PTE_WRITE : 0);
	return 0;
}

/* A populated page of a `file` mapping: the page cache's page of its file index (read in
 * at the first mapping), mapped as a fault would map it: writable and dirty (the page
 * PageDirty, as page_mkwrite left it) for `rw`, read-only and clean for `ro`. */
static int file_populate(struct mn_kstate *ks, int mm, uint32_t va, int index, int writable,
			 char *err, unsigned errlen)
{
	struct mn_walk wk;
	mn_pte *s = mn_pt_walk(ks, mm, va, 1, &wk);
	int f = ks->pcache[index] - 1;
	if (f < 0)
		for (f = 1; f < MN_NFRAMES && ks->frame[f].kind != MN_FRAME_FREE; f++)
			;
	if (!s || f == MN_NFRAMES) {
		snprintf(err, errlen, "populated memory does not fit the model (%d frames, %d "
			 "page-table pages)", MN_NFRAMES, MN_NPT);
		return -1;
	}
	struct mn_page *fr = &ks->frame[f];
	if (!ks->pcache[index]) {
		fr->kind = MN_FRAME_FILE;
		fr->refcount = 1; /* the page cache's */
		ks->pcache[index] = (uint8_t)(f + 1);
	}
	fr->refcount++;
	fr->mapcount++;
	if (writable)
		fr->flags |= MN_PG_DIRTY;
	*s = MN_PTE_PRESENT | MN_PTE_ACCESSED | MN_PTE_MKPFN(f) |
	     (writable ? MN_PTE_WRITE | MN_PTE_DIRTY | MN_PTE_SOFT_DIRTY : 0);
	return 0;
}

/* A write fault in a `thp` VMA over a whole PMD range (do_huge_pmd_anonymous_page): one
 * compound page mapped by a huge PMD entry, dirty and young. */
static int thp_populate(struct mn_kstate *ks, int mm, uint32_t va, int writable, char *err,
			unsigned errlen)
{
	struct mn_walk wk;
	mn_pte *s = mn_pt_slot(ks, mm, va, 2, 1, &wk);
	int f, slot;
	for (f = 1; f < MN_NFRAMES && ks->frame[f].kind != MN_FRAME_FREE; f++)
		;
	for (slot = 0; slot < MN_NTHP; slot++) {
		int used = 0;
		for (int g = 1; g < MN_NFRAMES; g++)
			used |= ks->frame[g].kind != MN_FRAME_FREE && ks->frame[g].thp == slot + 1;
		if (!used)
			break;
	}
	if (!s || f == MN_NFRAMES || slot == MN_NTHP) {
		snprintf(err, errlen, "transparent huge pages do not fit the model (%d THPs)",
			 MN_NTHP);
		return -1;
	}
	struct mn_page *fr = &ks->frame[f];
	fr->kind = MN_FRAME_ANON;
	fr->refcount = 1;
	fr->mapcount = 1;
	fr->flags = MN_PG_ANON_EXCLUSIVE | MN_PG_COMPOUND;
	fr->thp = (uint8_t)(slot + 1);
	fr->owner_mm = (uint8_t)(mm + 1);
	*s = MN_PTE_PRESENT | MN_PTE_HUGE | MN_PTE_ACCESSED | MN_PTE_DIRTY | MN_PTE_SOFT_DIRTY |
	     MN_PTE_MKPFN(f) | (writable ? MN_PTE_WRITE : 0);
	return 0;
}

/* A hugetlb mapping: one huge page per PMD entry when populated; with `shares`, this mm's
 * PUD entry points at the other mm's PMD page instead (huge_pmd_share), so both map the
 * same huge pages through one PMD page, which counts each huge page as mapped once. */
static int hugetlb_map(struct mn_kstate *ks, const struct mn_prog *p, int mm,
		       const struct map_info *mp, char *err, unsigned errlen)
{
	struct mn_walk wk;
	(void)p;
	if (mp->shares >= 0) {
		mn_pte *theirs = mn_pt_slot(ks, mp->shares, mp->start, 3, 0, &wk);
		mn_pte *mine = mn_pt_slot(ks, mm, mp->start, 3, 1, &wk);
		if (!theirs || !(*theirs & MN_PTE_PRESENT) || !mine) {
			snprintf(err, errlen, "mm %d: nothing to share at %#x (declare the shared "
				 "mapping populated first)", mp->shares, mp->start);
			return -1;
		}
		*mine = *theirs;
		ks->pt[MN_PTE_PFN(*theirs)].users++;
		return 0;
	}
	uint32_t huge = 1u << MN_PMD_SHIFT;
	if (mp->start % huge || mp->len % huge) {
		snprintf(err, errlen, "hugetlb mapping at %#x must be made of whole huge pages "
			 "(%#x)", mp->start, huge);
		return -1;
	}
	for (uint32_t va = mp->start; mp->populate && va < mp->start + mp->len; va += huge) {
		mn_pte *s = mn_pt_slot(ks, mm, va, 2, 1, &wk);
		int f;
		for (f = 1; f < MN_NFRAMES && ks->frame[f].kind != MN_FRAME_FREE; f++)
			;
		if (!s || f == MN_NFRAMES) {
			snprintf(err, errlen, "hugetlb pages do not fit the model");
			return -1;
		}
		struct mn_page *fr = &ks->frame[f];
		fr->kind = MN_FRAME_FILE; /* a hugetlbfs page: its page cache holds a reference */
		fr->refcount = 2;
		fr->mapcount = 1;
		fr->owner_mm = (uint8_t)(mm + 1);
		*s = MN_PTE_PRESENT | MN_PTE_HUGE | MN_PTE_ACCESSED | MN_PTE_DIRTY |
		     MN_PTE_SOFT_DIRTY | MN_PTE_MKPFN(f) | ((mp->vm_flags & MN_VM_WRITE) ? MN_PTE_WRITE : 0);
	}
	return 0;
}

/* A VM_PFNMAP mapping of the device file: its device memory is set aside as frames of
 * their own (MN_FRAME_IOMEM, one per page, in no allocator and with no counts), the first
 * recorded as the VMA's vm_pgoff. With `populate` the driver's mmap maps them at once
 * (remap_pfn_range: special PTEs from vm_page_prot, young, writable in a writable shared
 * mapping, not dirty); otherwise its fault handler inserts them (lib/linux-6.1/pfnmap.mnl). */
static int pfnmap_map(struct mn_kstate *ks, int mm, struct mn_vma *v, const struct map_info *mp,
		      char *err, unsigned errlen)
{
	for (uint32_t va = mp->start; va < mp->start + mp->len; va += MN_PAGE_SIZE) {
		int f;
		for (f = 1; f < MN_NFRAMES && ks->frame[f].kind != MN_FRAME_FREE; f++)
			;
		/* the frames of one mapping are consecutive (vm_pgoff + offset) */
		if (f == MN_NFRAMES || (va != mp->start && f != v->pgoff + (int)((va - mp->start) /
									   MN_PAGE_SIZE))) {
			snprintf(err, errlen, "pfnmap mapping at %#x does not fit the model's frames",
				 mp->start);
			return -1;
		}
		if (va == mp->start)
			v->pgoff = (uint8_t)f;
		ks->frame[f].kind = MN_FRAME_IOMEM;
		if (!mp->populate)
			continue;
		struct mn_walk wk;
		mn_pte *s = mn_pt_walk(ks, mm, va, 1, &wk);
		if (!s) {
			snprintf(err, errlen, "page tables do not fit the model (%d pages)", MN_NPT);
			return -1;
		}
		*s = MN_PTE_PRESENT | MN_PTE_ACCESSED | MN_PTE_SPECIAL | MN_PTE_MKPFN(f) |
		     ((mp->vm_flags & MN_VM_WRITE) ? MN_PTE_WRITE : 0);
	}
	return 0;
}

/* What fork() leaves behind (dup_mmap, copy_pte_range): the child gets the parent's
 * VMAs and PTEs; private writable anonymous pages become CoW in both, shared by
 * reference. Done before the run starts, so no notifier sees it. */
static int copy_mm(struct mn_kstate *ks, int parent, int child, char *err, unsigned errlen)
{
	struct mn_mm *pm = &ks->mm[parent], *cm = &ks->mm[child];
	for (int k = 0; k < MN_NVMA; k++) {
		if (pm->vma[k].used && (pm->vma[k].flags & MN_VM_PFNMAP)) {
			/* the model's device file is one per mm: unmap_mapping_range would not
			 * reach the child's copy */
			snprintf(err, errlen, "fork of a pfnmap mapping is not modelled");
			return -1;
		}
	}
	memcpy(cm->vma, pm->vma, sizeof(cm->vma));
	cm->anon_parent = (uint8_t)(parent + 1); /* anon_vma_fork */
	for (int k = 0; k < MN_NVMA; k++) {
		const struct mn_vma *v = &pm->vma[k];
		for (uint32_t va = v->start; v->used && va < v->end; va += MN_PAGE_SIZE) {
			struct mn_walk wk;
			mn_pte *ps = mn_pt_walk(ks, parent, va, 0, &wk);
			if (!ps || !(*ps & MN_PTE_PRESENT))
				continue;
			mn_pte *cs = mn_pt_walk(ks, child, va, 1, &wk);
			if (!cs) {
				snprintf(err, errlen, "fork: page tables do not fit the model");
				return -1;
			}
			if (v->flags & MN_VM_FILE)
				break; /* no anon_vma: the child faults the file's pages in */
			if (!(v->flags & MN_VM_SHARED))
				*ps &= ~MN_PTE_WRITE;
			*cs = *ps & ~MN_PTE_ACCESSED;
			struct mn_page *f = &ks->frame[MN_PTE_PFN(*ps)];
			if (f->kind != MN_FRAME_ZERO) {
				f->refcount++;
				f->mapcount++;
				f->flags &= ~MN_PG_ANON_EXCLUSIVE; /* page_try_dup_anon_rmap */
			}
		}
	}
	return 0;
}

int mn_kernel_pt_split(const struct mn_prog *p)
{
	if (p->nmms < 2)
		return 0;
	for (int mm = 0; mm < p->nmms; mm++)
		for (int k = 0; k < p->mms[mm].nmap; k++)
			if (p->mms[mm].map[k].shares >= 0)
				return 0; /* huge_pmd_share: one mm's page in another's tables */
	return 1;
}

/* The page-table pages reachable from page t of the given level. */
static int pt_pages(const struct mn_kstate *ks, int t, int level)
{
	int n = 1;
	for (int i = 0; level > 1 && i < (int)MN_PTRS; i++) {
		mn_pte e = ks->pt[t].e[i];
		int c = (int)MN_PTE_PFN(e);
		if ((e & MN_PTE_PRESENT) && !(e & MN_PTE_HUGE) && c < MN_NPT &&
		    ks->pt[c].level == level - 1)
			n += pt_pages(ks, c, level - 1);
	}
	return n;
}

static int kernel_build(const struct mn_prog *p, struct mn_kstate *ks, char *err,
			unsigned errlen);

/* Each mm's share of the page-table pages: what its initial tables take, plus an even
 * part of the rest. Found by building the initial state once with one pool. */
static int pt_shares(const struct mn_prog *p, struct mn_kstate *ks, char *err, unsigned errlen)
{
	struct mn_kstate *probe = xcalloc(1, sizeof(*probe));
	int rc = kernel_build(p, probe, err, errlen), used[MN_NMM], total = 0;
	for (int mm = 0; rc == 0 && mm < p->nmms; mm++)
		total += used[mm] = pt_pages(probe, probe->mm[mm].pgd, 4);
	free(probe);
	if (rc)
		return rc;
	int lo = 0, extra = (MN_NPT - total) / p->nmms;
	for (int mm = 0; mm < p->nmms; mm++) {
		int hi = mm + 1 == p->nmms ? MN_NPT : lo + used[mm] + extra;
		ks->pt_lo[mm] = (uint8_t)lo;
		ks->pt_hi[mm] = (uint8_t)hi;
		lo = hi;
	}
	return 0;
}

int mn_kernel_init(const struct mn_prog *p, struct mn_world *w, char *err, unsigned errlen)
{
	struct mn_kstate *ks = mn_ks(w, &p->layout);
	if (!ks)
		return 0;
	if (mn_kernel_pt_split(p) && pt_shares(p, ks, err, errlen))
		return -1;
	return kernel_build(p, ks, err, errlen);
}

static int kernel_build(const struct mn_prog *p, struct mn_kstate *ks, char *err,
			unsigned errlen)
{
	/* frame 0 is the zero page: never freed, never written */
	ks->frame[0].kind = MN_FRAME_ZERO;
	ks->frame[0].refcount = 1;
	for (int mm = 0; mm < p->nmms; mm++) {
		struct mn_mm *m = &ks->mm[mm];
		int pgd = mn_pt_alloc(ks, mm, 4);
		if (pgd < 0) {
			snprintf(err, errlen, "too many mms for the model");
			return -1;
		}
		m->used = 1;
		m->pgd = (uint8_t)pgd;
		m->users = 1;
		if (p->mms[mm].fork_of >= 0) {
			if (copy_mm(ks, p->mms[mm].fork_of, mm, err, errlen))
				return -1;
			continue;
		}
		for (int k = 0; k < p->mms[mm].nmap; k++) {
			const struct map_info *mp = &p->mms[mm].map[k];
			m->vma[k].used = 1;
			m->vma[k].start = mp->start;
			m->vma[k].end = mp->start + mp->len;
			m->vma[k].flags = mp->vm_flags;
			if (mp->vm_flags & MN_VM_HUGETLB) {
				if (hugetlb_map(ks, p, mm, mp, err, errlen))
					return -1;
				continue;
			}
			if (mp->vm_flags & MN_VM_PFNMAP) {
				if (pfnmap_map(ks, mm, &m->vma[k], mp, err, errlen))
					return -1;
				continue;
			}
			for (uint32_t va = mp->start; mp->populate && va < mp->start + mp->len;
			     va += MN_PAGE_SIZE) {
				uint32_t huge = 1u << MN_PMD_SHIFT;
				if (mp->vm_flags & MN_VM_FILE) {
					if (file_populate(ks, mm, va, (int)((va - mp->start) >> MN_PAGE_SHIFT),
							  mp->vm_flags & MN_VM_WRITE, err, errlen))
						return -1;
					continue;
				}
				if ((mp->vm_flags & MN_VM_HUGEPAGE) && va % huge == 0 &&
				    va + huge <= mp->start + mp->len) {
					if (thp_populate(ks, mm, va, mp->vm_flags & MN_VM_WRITE, err,
							 errlen))
						return -1;
					va += huge - MN_PAGE_SIZE;
					continue;
				}
				if (populate(ks, mm, va, mp->vm_flags & MN_VM_WRITE, err, errlen))
					return -1;
			}
		}
	}
	for (int c = 0; c < p->nagents; c++)
		if (p->agents[c].cpu >= 0 && p->agents[c].mm >= 0)
			ks->cpu[p->agents[c].cpu].mm = (uint8_t)(p->agents[c].mm + 1);
	for (int d = 0; d < p->ndevs; d++) {
		struct mn_dev *dv = &ks->dev[d];
		struct mn_mm *m = &ks->mm[p->devs[d].mm];
		enum mn_protocol prot;
		dv->type = (uint8_t)p->devs[d].type;
		dv->mm = (uint8_t)(p->devs[d].mm + 1);
		if (p->devs[d].type == MN_DEV_PINNED)
			continue; /* pins pages, no notifier */
		if ((p->devs[d].type == MN_DEV_HMM_MIRROR || p->devs[d].type == MN_DEV_ODP) &&
		    !(p->hlist_types & (1u << p->devs[d].type))) {
			/* lib/test_hmm.c dmirror_fops_open, ib_umem_odp_get: one interval,
			 * over the whole space unless the scenario names one */
			int itv = p->devs[d].itv_len ?
					  mn_interval_insert(&m->notifier, p->devs[d].itv_start,
							     p->devs[d].itv_len, d) :
					  mn_interval_insert(&m->notifier, 0, MN_VA_LIMIT, d);
			if (itv < 0) {
				snprintf(err, errlen, "too many interval notifiers for the model");
				return -1;
			}
			dv->drv[1] = itv;
			continue;
		}
		/* bound at set-up, with mmap_lock held for write as mmu_notifier_register wants
		 * (an `hlist` type of the profile's core file: the ODP of linux-4.12, whose
		 * ib_umem_odp registered one per ucontext) */
		if (mn_register(&m->notifier, dev_ops(p->devs[d].type), d, 1, m->users, &prot) < 0) {
			snprintf(err, errlen, "too many notifier subscriptions for the model");
			return -1;
		}
	}
	return 0;
}

/* 1 when some PTE of a `file` mapping maps frame f dirty: the page's data is newer than
 * the disk, and the kernel knows (the next writeback's folio_mkclean finds it). */
static int file_pte_dirty(const struct mn_kstate *ks, int f)
{
	for (int mm = 0; mm < MN_NMM; mm++) {
		for (int k = 0; ks->mm[mm].used && k < MN_NVMA; k++) {
			const struct mn_vma *v = &ks->mm[mm].vma[k];
			for (uint32_t va = v->start; v->used && (v->flags & MN_VM_FILE) && va < v->end;
			     va += MN_PAGE_SIZE) {
				struct mn_walk wk;
				mn_pte *s = mn_pt_walk((struct mn_kstate *)ks, mm, va, 0, &wk);
				if (s && (*s & MN_PTE_PRESENT) && (*s & MN_PTE_DIRTY) &&
				    (int)MN_PTE_PFN(*s) == f)
					return 1;
			}
		}
	}
	return 0;
}

int mn_kernel_lost_write(const struct mn_prog *p, const struct mn_world *w)
{
	const struct mn_kstate *ks = mn_ks_c(w, &p->layout);
	if (!ks)
		return 0;
	/* The file: a page the kernel believes clean (not PageDirty, no dirty PTE maps it) is
	 * one it may drop without writing it: it must hold what its disk block holds. */
	for (int i = 0; i < MN_NPCACHE; i++) {
		int f = ks->pcache[i] - 1;
		if (f >= 0 && !(ks->frame[f].flags & MN_PG_DIRTY) &&
		    ks->frame[f].data != ks->disk[i] && !file_pte_dirty(ks, f))
			return 1;
	}
	for (int i = 0; i < MN_NWLOG; i++) {
		const struct mn_wlog *l = &ks->wlog[i];
		if (!l->key)
			continue;
		int mm = (int)((l->key - 1) >> 16);
		uint32_t va = ((l->key - 1) & 0xffff) << MN_PAGE_SHIFT;
		struct mn_walk wk;
		/* the walk does not change anything; the cast only reuses the kernel's walker */
		mn_pte *s = mn_pt_walk((struct mn_kstate *)ks, mm, va, 0, &wk);
		if (s && !(*s & MN_PTE_PRESENT) && mn_pte_swp_kind(*s) == MN_SWP_SWAP &&
		    MN_PTE_PFN(*s) < MN_NSWAP && ks->swap[MN_PTE_PFN(*s)].used) {
			/* swapped out: the swap cache's page, or the slot's written contents */
			const struct mn_swap *sw = &ks->swap[MN_PTE_PFN(*s)];
			int32_t held = sw->cache ? ks->frame[sw->cache - 1].data : sw->data;
			if (held != l->value)
				return 1;
			continue;
		}
		/* a device-exclusive entry still names the page that holds the data */
		if (!s || (!(*s & MN_PTE_PRESENT) && !mn_swp_device_exclusive(mn_pte_swp_kind(*s))))
			continue; /* unmapped since: nothing left to hold the write */
		if (*mn_page_word((struct mn_kstate *)ks, (int)MN_PTE_PFN(*s), va) != l->value)
			return 1;
	}
	return 0;
}
