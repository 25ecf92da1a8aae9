/* Page tables, pages, locks and TLB flushes as built-ins. */
#include "kbuiltin.h"

#include <stdio.h>
#include <string.h>

#include "../check/checks.h"
#include "../lang/program.h"
#include "../machine/access.h"
#include "../machine/pagetable.h"
#include "../machine/psc.h"
#include "../machine/tlb.h"
#include "kbuiltin_2008.h"
#include "kstate.h"

struct mn_kstate *mn_kctx(struct mn_ctx *ctx)
{
	struct mn_kstate *ks = mn_ks(ctx->w, &ctx->prog->layout);
	if (!ks)
		snprintf(ctx->err, sizeof(ctx->err), "kernel built-in in a scenario without an mm");
	return ks;
}

int mn_agent_mm(const struct mn_ctx *ctx)
{
	int mm = ctx->prog->agents[ctx->agent].mm;
	const struct mn_kstate *ks = mn_ks_c(ctx->w, &ctx->prog->layout);
	if (mm < 0 && ks && ctx->agent < MN_NACTX && ks->use_mm[ctx->agent])
		mm = ks->use_mm[ctx->agent] - 1; /* a kernel thread borrowing an mm */
	return mm;
}

int mn_kctx_mm(struct mn_ctx *ctx)
{
	int mm = mn_agent_mm(ctx);
	if (mm < 0)
		snprintf(ctx->err, sizeof(ctx->err), "agent %s has no mm",
			 ctx->prog->agents[ctx->agent].name);
	return mm;
}

#define KSTART MN_KSTART

int mn_bad_addr(struct mn_ctx *ctx, mn_val addr)
{
	if (addr < 0 || addr >= MN_VA_LIMIT) {
		snprintf(ctx->err, sizeof(ctx->err), "address %#llx outside the model's %#x",
			 (unsigned long long)addr, MN_VA_LIMIT);
		return 1;
	}
	return 0;
}

int mn_bad_range(struct mn_ctx *ctx, mn_val start, mn_val end, int nonempty)
{
	if (start < 0 || end < start + (nonempty != 0) || end > MN_VA_LIMIT) {
		snprintf(ctx->err, sizeof(ctx->err), "bad range [%#llx, %#llx)",
			 (unsigned long long)start, (unsigned long long)end);
		return 1;
	}
	return 0;
}

struct mn_dev *mn_kctx_dev(struct mn_ctx *ctx, mn_val d)
{
	struct mn_kstate *ks = mn_kctx(ctx);
	if (!ks)
		return NULL;
	if (d < 0 || d >= ctx->prog->ndevs) {
		snprintf(ctx->err, sizeof(ctx->err), "no device %lld", (long long)d);
		return NULL;
	}
	return &ks->dev[d];
}

void mn_flush_cpu(struct mn_cpu *c, int mm, uint32_t start, uint32_t end, uint32_t stride)
{
	mn_tlb_flush_stride(c->tlb, mm, start, end, stride);
	/* INVLPG (and a CR3 write) drops every paging-structure-cache entry of the PCID,
	 * whatever its address (SDM vol. 3 §4.10.4.1) */
	mn_psc_flush(c->psc, mm, 0, MN_VA_LIMIT);
}

void mn_flush_cpus(struct mn_kstate *ks, int mm, uint32_t start, uint32_t end)
{
	for (int c = 0; c < MN_NCPU; c++)
		mn_flush_cpu(&ks->cpu[c], mm, start, end, MN_PAGE_SIZE);
}

struct mn_gather *mn_gather_of(struct mn_kstate *ks, int agent, int create)
{
	for (int i = 0; i < MN_NOPS; i++)
		if (ks->gather[i].agent == agent + 1)
			return &ks->gather[i];
	/* From the agent's own slot on: which slot a gather gets does not depend on the
	 * order the agents began theirs (with fewer agents than slots), so gathers of
	 * different mms commute, as their footprints say. */
	for (int k = 0; create && k < MN_NOPS; k++) {
		int i = (agent + k) % MN_NOPS;
		if (!ks->gather[i].agent) {
			ks->gather[i].agent = (uint8_t)(agent + 1);
			return &ks->gather[i];
		}
	}
	return NULL;
}

/* ---- locks ---- */

int kb_mmap_read_lock_en(const struct mn_ctx *ctx, const mn_val *a)
{
	(void)a;
	const struct mn_kstate *ks = mn_ks_c(ctx->w, &ctx->prog->layout);
	int mm = mn_agent_mm(ctx);
	return !ks || mm < 0 || !ks->mm[mm].mmap_writer;
}

int kb_mmap_read_lock(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	KSTART;
	mn_might_sleep(ctx); /* down_read: a sleeping lock */
	m->mmap_readers++;
	return 0;
}

int kb_mmap_read_unlock(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	KSTART;
	if (!m->mmap_readers) {
		snprintf(ctx->err, sizeof(ctx->err), "mmap_read_unlock without the lock");
		return -1;
	}
	m->mmap_readers--;
	return 0;
}

int kb_mmap_write_lock_en(const struct mn_ctx *ctx, const mn_val *a)
{
	(void)a;
	const struct mn_kstate *ks = mn_ks_c(ctx->w, &ctx->prog->layout);
	int mm = mn_agent_mm(ctx);
	return !ks || mm < 0 || (!ks->mm[mm].mmap_writer && !ks->mm[mm].mmap_readers);
}

int kb_mmap_write_lock(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	KSTART;
	mn_might_sleep(ctx); /* down_write */
	m->mmap_writer = (uint8_t)(ctx->agent + 1);
	return 0;
}

int kb_mmap_write_unlock(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	KSTART;
	if (m->mmap_writer != ctx->agent + 1) {
		snprintf(ctx->err, sizeof(ctx->err), "mmap_write_unlock without the lock");
		return -1;
	}
	m->mmap_writer = 0;
	return 0;
}

/* mmap_write_downgrade (6.1 kernel/locking/rwsem.c downgrade_write): the writer becomes
 * a reader at once, so that other readers (faults, madvise, GUP) may run while it goes on,
 * and no writer can come in between. */
int kb_mmap_write_downgrade(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	KSTART;
	if (m->mmap_writer != ctx->agent + 1) {
		snprintf(ctx->err, sizeof(ctx->err), "mmap_write_downgrade without the write lock");
		return -1;
	}
	m->mmap_writer = 0;
	m->mmap_readers++;
	return 0;
}

/* The page-table page holding addr's PTE (or huge entry), or -1. */
static int pte_table(struct mn_kstate *ks, int mm, mn_val addr)
{
	struct mn_walk wk;
	if (addr < 0 || addr >= MN_VA_LIMIT)
		return -1;
	if (!mn_pt_walk(ks, mm, (uint32_t)addr, 0, &wk))
		return -1;
	return wk.pt;
}

void mn_ptwalk_forget(struct mn_kstate *ks, int agent)
{
	if (agent < MN_NACTX)
		memset(&ks->ptwalk[agent], 0, sizeof(ks->ptwalk[agent]));
}

void mn_ptwalk_note(struct mn_kstate *ks, int agent, int mm, uint32_t va, int found)
{
	struct mn_walk wk;
	mn_ptwalk_forget(ks, agent);
	if (agent >= MN_NACTX || !found || !mn_pt_slot(ks, mm, va, 2, 0, &wk) || wk.pt < 0)
		return;
	ks->ptwalk[agent].key = (uint16_t)(((va >> MN_PMD_SHIFT) << 4 | (uint32_t)wk.pt) + 1);
	ks->ptwalk[agent].gen = ks->pt[wk.pt].gen;
}

/* The page-table page whose lock pte_lock(addr) takes, or -1. After the agent's pmd_none
 * read addr's PMD entry, through the PMD table it read it in, as 6.1's
 * pte_offset_map_lock (pte_lockptr(mm, pmd): ptlock_ptr(pmd_page(*pmd))) re-reads the
 * entry through the walker's pointer, even after free_pgtables unlinked that table; *gone
 * when the table was freed since: reading it is a use after free. Otherwise by address. */
static int lock_table(const struct mn_kstate *ks, int agent, int mm, mn_val addr, int *gone)
{
	*gone = 0;
	if (addr < 0 || addr >= MN_VA_LIMIT)
		return -1;
	uint32_t va = (uint32_t)addr;
	unsigned key = agent < MN_NACTX ? ks->ptwalk[agent].key : 0;
	if (!key || key == MN_PTWALK_LOST || (key - 1) >> 4 != va >> MN_PMD_SHIFT)
		return pte_table((struct mn_kstate *)ks, mm, addr);
	int p = (int)((key - 1) & 0xf);
	if (mn_pt_gone(&ks->pt[p], ks->ptwalk[agent].gen, 2)) {
		*gone = 1;
		return -1;
	}
	mn_pte e = ks->pt[p].e[mn_pt_index(va, 2)];
	if (!(e & MN_PTE_PRESENT))
		return -1; /* cleared under the walker: the model does not follow pmd_page(none) */
	if (e & MN_PTE_HUGE)
		return p;
	int t = (int)MN_PTE_PFN(e);
	return t < MN_NPT && ks->pt[t].level == 1 ? t : -1;
}

int kb_pte_lock_en(const struct mn_ctx *ctx, const mn_val *a)
{
	struct mn_kstate *ks = mn_ks(ctx->w, &ctx->prog->layout);
	int mm = mn_agent_mm(ctx);
	if (!ks || mm < 0)
		return 1;
	int gone;
	int t = lock_table(ks, ctx->agent, mm, a[0], &gone);
	return gone || mn_pt_lock_free(ks, t);
}

int mn_pt_lock_free(const struct mn_kstate *ks, int t)
{
	return t < 0 || !ks->pt[t].lock;
}

int mn_pt_lock_take(struct mn_ctx *ctx, struct mn_kstate *ks, int t, const char *what,
		    const char *table, mn_val addr)
{
	if (t < 0) {
		snprintf(ctx->err, sizeof(ctx->err), "%s(%#llx): no %s", what,
			 (unsigned long long)addr, table);
		return -1;
	}
	ks->pt[t].lock = (uint8_t)(ctx->agent + 1);
	return 0;
}

int kb_pte_lock(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	KSTART;
	int gone;
	int t = lock_table(ks, ctx->agent, mm, a[0], &gone);
	mn_ptwalk_forget(ks, ctx->agent);
	if (gone) {
		/* The walker's PMD table was freed since it read the entry (a walk that
		 * free_pgtables did not wait for): re-reading the entry and locking the table it
		 * names touch freed memory, a use after free as a device's walk of a freed table
		 * is. What the freed page holds is not modelled: the walker locks nothing, its
		 * reads go to the live tables (none there: free_pgtables cleared them) and
		 * pte_unlock ends the walk. */
		ctx->fired |= 1u << MN_CHECK_UAF;
		ks->ptwalk[ctx->agent].key = MN_PTWALK_LOST;
		return 0;
	}
	return mn_pt_lock_take(ctx, ks, t, "pte_lock", "page table", a[0]);
}

int kb_pte_unlock(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	KSTART;
	if (ctx->agent < MN_NACTX && ks->ptwalk[ctx->agent].key == MN_PTWALK_LOST) {
		mn_ptwalk_forget(ks, ctx->agent); /* the lock pte_lock took in freed memory */
		return 0;
	}
	int t = pte_table(ks, mm, a[0]);
	if (t < 0 || ks->pt[t].lock != ctx->agent + 1) {
		/* The kernel unlocks the ptl it took, even if the table is no longer reachable
		 * from this mm (huge_pmd_unshare): the one page-table lock the agent holds. */
		int held = -1, n = 0;
		for (int k = 0; k < MN_NPT; k++)
			if (ks->pt[k].lock == ctx->agent + 1)
				held = k, n++;
		if (n != 1) {
			snprintf(ctx->err, sizeof(ctx->err), "pte_unlock(%#llx) without the lock",
				 (unsigned long long)a[0]);
			return -1;
		}
		t = held;
	}
	ks->pt[t].lock = 0;
	return 0;
}

/* ---- page tables ---- */

static mn_pte *slot_of(struct mn_ctx *ctx, struct mn_kstate *ks, int mm, mn_val addr)
{
	struct mn_walk wk;
	if (mn_bad_addr(ctx, addr))
		return NULL;
	mn_pte *s = mn_pt_walk(ks, mm, (uint32_t)addr, 0, &wk);
	if (!s)
		snprintf(ctx->err, sizeof(ctx->err), "no page table for %#llx",
			 (unsigned long long)addr);
	return s;
}

int kb_pte_get(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	KSTART;
	struct mn_walk wk;
	if (mn_bad_addr(ctx, a[0]))
		return -1;
	mn_pte *s = mn_pt_walk(ks, mm, (uint32_t)a[0], 0, &wk);
	*ret = s ? *s : 0;
	return 0;
}

int kb_pte_alloc(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	KSTART;
	struct mn_walk wk;
	if (mn_bad_addr(ctx, a[0]))
		return -1;
	mn_ptwalk_forget(ks, ctx->agent); /* __pte_alloc reads the PMD entry again */
	*ret = mn_pt_walk(ks, mm, (uint32_t)a[0], 1, &wk) ? 0 : -1;
	return 0;
}

int kb_set_pte_at(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	KSTART;
	mn_pte *s = slot_of(ctx, ks, mm, a[0]);
	if (!s)
		return -1;
	*s = (mn_pte)a[1];
	return 0;
}

int kb_ptep_get_and_clear(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	KSTART;
	mn_pte *s = slot_of(ctx, ks, mm, a[0]);
	if (!s)
		return -1;
	*ret = *s;
	/* an empty huge entry stays a huge slot (huge_ptep_get_and_clear): set_huge_pte_at
	 * and the walker must still find it at the PMD level */
	*s &= MN_PTE_HUGE;
	return 0;
}



int kb_ptep_set_wrprotect(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	KSTART;
	mn_pte *s = slot_of(ctx, ks, mm, a[0]);
	if (!s)
		return -1;
	*s &= ~MN_PTE_WRITE;
	return 0;
}


int kb_flush_tlb_range(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	KSTART;
	if (mn_bad_addr(ctx, a[0]) || a[1] < a[0] || a[1] > MN_VA_LIMIT) {
		if (!ctx->err[0])
			snprintf(ctx->err, sizeof(ctx->err), "bad range");
		return -1;
	}
	mn_flush_cpus(ks, mm, (uint32_t)a[0], (uint32_t)a[1]);
	return 0;
}

int kb_vma_flags(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	KSTART;
	*ret = -1;
	for (int i = 0; i < MN_NVMA; i++) {
		const struct mn_vma *v = &m->vma[i];
		if (MN_VMA_LIVE(v) && a[0] >= v->start && a[0] < v->end)
			*ret = v->flags;
	}
	return 0;
}

/* ---- pure PTE helpers ---- */

int kb_pte_none(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	*ret = (a[0] & ~(mn_val)MN_PTE_HUGE) == 0; /* huge_pte_none too */
	return 0;
}

int kb_pte_present(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	*ret = (a[0] & MN_PTE_PRESENT) != 0;
	return 0;
}

int kb_pte_write(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	*ret = (a[0] & MN_PTE_WRITE) != 0;
	return 0;
}

int kb_pte_dirty(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	*ret = (a[0] & MN_PTE_DIRTY) != 0;
	return 0;
}

int kb_pte_page(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	if (!(a[0] & MN_PTE_PRESENT)) {
		snprintf(ctx->err, sizeof(ctx->err), "pte_page of a PTE that is not present");
		return -1;
	}
	*ret = MN_HANDLE(MN_HK_FRAME, MN_PTE_PFN((mn_pte)a[0]));
	return 0;
}

int kb_pte_mkwrite(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	*ret = a[0] | MN_PTE_WRITE;
	return 0;
}

int kb_pte_mkdirty(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	/* x86 pte_mkdirty sets the soft-dirty bit along with D */
	*ret = a[0] | MN_PTE_DIRTY | MN_PTE_SOFT_DIRTY;
	return 0;
}

int kb_pte_mkold(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	*ret = a[0] & ~(mn_val)MN_PTE_ACCESSED;
	return 0;
}

int kb_pte_young(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	*ret = (a[0] & MN_PTE_ACCESSED) != 0;
	return 0;
}

int kb_pte_mkclean(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	*ret = a[0] & ~(mn_val)MN_PTE_DIRTY;
	return 0;
}

int kb_pte_wrprotect(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	*ret = a[0] & ~(mn_val)MN_PTE_WRITE;
	return 0;
}

static int frame_of(struct mn_ctx *ctx, mn_val h)
{
	if (MN_HANDLE_KIND(h) != MN_HK_FRAME || MN_HANDLE_IDX(h) >= MN_NFRAMES) {
		snprintf(ctx->err, sizeof(ctx->err), "handle is not a page");
		return -1;
	}
	return MN_HANDLE_IDX(h);
}

int kb_mk_pte(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	int f = frame_of(ctx, a[0]);
	if (f < 0)
		return -1;
	*ret = MN_PTE_PRESENT | MN_PTE_ACCESSED | MN_PTE_MKPFN(f) | (f == 0 ? MN_PTE_SPECIAL : 0);
	return 0;
}

int kb_is_null(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	*ret = MN_HANDLE_KIND(a[0]) == MN_HK_NONE;
	return 0;
}

/* ---- pages ---- */

int kb_alloc_page(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	struct mn_kstate *ks = mn_kctx(ctx);
	if (!ks)
		return -1;
	*ret = 0;
	for (int f = 1; f < MN_NFRAMES; f++) {
		struct mn_page *fr = &ks->frame[f];
		if (fr->kind != MN_FRAME_FREE)
			continue;
		fr->kind = MN_FRAME_ANON;
		fr->refcount = 1;
		fr->mapcount = 0;
		fr->flags = 0;
		fr->data = 0;
		fr->owner_mm = (uint8_t)(mn_agent_mm(ctx) + 1);
		*ret = MN_HANDLE(MN_HK_FRAME, f);
		return 0;
	}
	return 0;
}

struct mn_page *mn_kctx_page(struct mn_ctx *ctx, mn_val h)
{
	struct mn_kstate *ks = mn_kctx(ctx);
	int f = ks ? frame_of(ctx, h) : -1;
	if (f < 0)
		return NULL;
	if (ks->frame[f].kind == MN_FRAME_FREE)
		ctx->fired |= 1u << MN_CHECK_UAF; /* the kernel itself touching a freed page */
	return &ks->frame[f];
}

int kb_copy_page(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_page *dst = mn_kctx_page(ctx, a[0]), *src = mn_kctx_page(ctx, a[1]);
	if (!dst || !src)
		return -1;
	/* copy_highpage, or copy_user_huge_page between two THPs: every subpage. A copy
	 * between a THP and a small page uses the THP's first subpage (nothing in the
	 * library copies one subpage with copy_page; the collapse uses copy_huge_subpage). */
	struct mn_kstate *ks = mn_kctx(ctx);
	for (uint32_t i = 0; i < MN_PTRS; i++)
		*mn_page_word(ks, MN_HANDLE_IDX(a[0]), i << MN_PAGE_SHIFT) =
			*mn_page_word(ks, MN_HANDLE_IDX(a[1]), i << MN_PAGE_SHIFT);
	return 0;
}

int kb_get_page(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_page *f = mn_kctx_page(ctx, a[0]);
	if (!f)
		return -1;
	if (f->kind != MN_FRAME_ZERO)
		f->refcount++;
	return 0;
}

int kb_put_page(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_page *f = mn_kctx_page(ctx, a[0]);
	if (!f)
		return -1;
	if (f->kind == MN_FRAME_ZERO)
		return 0;
	if (!f->refcount) {
		snprintf(ctx->err, sizeof(ctx->err), "put_page of a free page");
		return -1;
	}
	mn_page_put(mn_kctx(ctx), f);
	return 0;
}

void mn_page_put(struct mn_kstate *ks, struct mn_page *f)
{
	if (--f->refcount == 0) {
		/* freed: a new generation, so that every translation made before shows stale */
		uint16_t gen = f->gen;
		if (f->thp && f->thp <= MN_NTHP) /* a THP's subpage words go with it */
			memset(&ks->thp[f->thp - 1], 0, sizeof(struct mn_thp_data));
		memset(f, 0, sizeof(*f));
		f->gen = (uint16_t)(gen + 1);
	}
}

int kb_page_count(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_kstate *ks = mn_kctx(ctx);
	int f = frame_of(ctx, a[0]);
	if (!ks || f < 0)
		return -1;
	*ret = ks->frame[f].refcount;
	return 0;
}

int kb_page_mapcount(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_kstate *ks = mn_kctx(ctx);
	int f = frame_of(ctx, a[0]);
	if (!ks || f < 0)
		return -1;
	*ret = ks->frame[f].mapcount;
	return 0;
}

static int rmap_delta(struct mn_ctx *ctx, mn_val h, int delta)
{
	struct mn_page *f = mn_kctx_page(ctx, h);
	if (!f)
		return -1;
	if (f->kind == MN_FRAME_ZERO)
		return 0;
	if (f->mapcount + delta < 0) {
		snprintf(ctx->err, sizeof(ctx->err), "page_remove_rmap of an unmapped page");
		return -1;
	}
	f->mapcount = (int16_t)(f->mapcount + delta);
	return 0;
}

/* __page_set_anon_rmap with exclusive: the page is this mm's alone, and its anon_vma
 * becomes the VMA's (the mm the agent works on; src/kernel/kbuiltin_rmap.c). */
static int set_exclusive(struct mn_ctx *ctx, mn_val h)
{
	struct mn_kstate *ks = mn_kctx(ctx);
	int f = frame_of(ctx, h);
	if (!ks || f < 0)
		return -1;
	int mm = mn_agent_mm(ctx);
	if (f) {
		ks->frame[f].flags |= MN_PG_ANON_EXCLUSIVE;
		if (mm >= 0 && ks->frame[f].kind == MN_FRAME_ANON)
			ks->frame[f].owner_mm = (uint8_t)(mm + 1);
	}
	return 0;
}

/* 6.1 maps a new anonymous page exclusive (__page_set_anon_rmap with exclusive). */
int kb_page_add_new_anon_rmap(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	return rmap_delta(ctx, a[0], 1) ? -1 : set_exclusive(ctx, a[0]);
}

int kb_page_move_anon_rmap(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	return set_exclusive(ctx, a[0]);
}

int kb_page_try_share_anon_rmap(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_kstate *ks = mn_kctx(ctx);
	int f = frame_of(ctx, a[0]);
	if (!ks || f < 0)
		return -1;
	/* 6.1 include/linux/rmap.h: a page that may be pinned stays exclusive (-EBUSY) */
	if (ks->frame[f].flags & MN_PG_MAYBE_DMA_PINNED) {
		*ret = -16;
		return 0;
	}
	ks->frame[f].flags &= (uint16_t)~MN_PG_ANON_EXCLUSIVE;
	*ret = 0;
	return 0;
}

int kb_pages_identical(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_page *x = mn_kctx_page(ctx, a[0]), *y = mn_kctx_page(ctx, a[1]);
	if (!x || !y)
		return -1;
	struct mn_kstate *ks = mn_kctx(ctx);
	*ret = 1;
	for (uint32_t i = 0; i < MN_PTRS; i++)
		*ret &= *mn_page_word(ks, MN_HANDLE_IDX(a[0]), i << MN_PAGE_SHIFT) ==
			*mn_page_word(ks, MN_HANDLE_IDX(a[1]), i << MN_PAGE_SHIFT);
	return 0;
}

int kb_page_mark_lazyfree(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_kstate *ks = mn_kctx(ctx);
	int f = frame_of(ctx, a[0]);
	if (!ks || f < 0)
		return -1;
	if (f)
		ks->frame[f].flags |= MN_PG_LAZYFREE;
	return 0;
}

int kb_page_anon_exclusive(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_kstate *ks = mn_kctx(ctx);
	int f = frame_of(ctx, a[0]);
	if (!ks || f < 0)
		return -1;
	*ret = (ks->frame[f].flags & MN_PG_ANON_EXCLUSIVE) != 0;
	return 0;
}

/* 6.1 mm/ksm.c set_page_stable_node (try_to_merge_one_page with no kpage): PageKsm is
 * the anon mapping's PAGE_MAPPING_KSM bit; alloc_page clears it with the other flags. */
int kb_page_set_ksm(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_kstate *ks = mn_kctx(ctx);
	int f = frame_of(ctx, a[0]);
	if (!ks || f < 0)
		return -1;
	if (!f || ks->frame[f].kind == MN_FRAME_ZERO)
		return 0;
	/* stable_tree_insert: the model's one stable node is this page's from now on */
	int k = ks->ksm.kpfn - 1;
	if (k >= 0 && k != f && ks->frame[k].kind == MN_FRAME_ANON && (ks->frame[k].flags & MN_PG_KSM)) {
		snprintf(ctx->err, sizeof(ctx->err), "a second KSM page: the model's stable tree holds one");
		return -1;
	}
	ks->frame[f].flags |= MN_PG_KSM;
	memset(&ks->ksm, 0, sizeof(ks->ksm));
	ks->ksm.kpfn = (uint8_t)(f + 1);
	return 0;
}

int kb_page_ksm(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_kstate *ks = mn_kctx(ctx);
	int f = frame_of(ctx, a[0]);
	if (!ks || f < 0)
		return -1;
	*ret = (ks->frame[f].flags & MN_PG_KSM) != 0;
	return 0;
}

int kb_page_add_anon_rmap(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	return rmap_delta(ctx, a[0], 1);
}

int kb_page_remove_rmap(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	return rmap_delta(ctx, a[0], -1);
}

int kb_zero_page(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	(void)a;
	*ret = MN_HANDLE(MN_HK_FRAME, 0);
	return 0;
}

int kb_is_zero_page(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	*ret = MN_HANDLE_KIND(a[0]) == MN_HK_FRAME && MN_HANDLE_IDX(a[0]) == 0;
	return 0;
}

/* ---- mmu_gather, VMAs ---- */


int kb_tlb_remove_page(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_kstate *ks = mn_kctx(ctx);
	int f = frame_of(ctx, a[0]);
	if (!ks || f < 0)
		return -1;
	struct mn_gather *g = mn_gather_of(ks, ctx->agent, 1);
	if (!g) {
		snprintf(ctx->err, sizeof(ctx->err), "too many mmu_gathers at once");
		return -1;
	}
	if (f)
		g->pages |= (uint16_t)(1u << f);
	return 0;
}

int kb_tlb_batch_free(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_kstate *ks = mn_kctx(ctx);
	if (!ks)
		return -1;
	struct mn_gather *g = mn_gather_of(ks, ctx->agent, 0);
	if (!g)
		return 0;
	uint16_t pages = g->pages;
	g->pages = 0; /* the gather's recorded range stays for tlb_gather_finish */
	for (int f = 1; f < MN_NFRAMES; f++) {
		if (!(pages >> f & 1))
			continue;
		mn_val h = MN_HANDLE(MN_HK_FRAME, f);
		if (kb_put_page(ctx, &h, ret))
			return -1;
	}
	(void)a;
	return 0;
}

/* Splits the VMA holding addr at addr (split_vma); 0, or -1 when no slot is free. */
int mn_vma_split(struct mn_mm *m, uint32_t addr)
{
	for (int i = 0; i < MN_NVMA; i++) {
		struct mn_vma *v = &m->vma[i];
		if (!MN_VMA_LIVE(v) || addr <= v->start || addr >= v->end)
			continue;
		for (int j = 0; j < MN_NVMA; j++) {
			if (m->vma[j].used)
				continue;
			m->vma[j] = *v;
			m->vma[j].start = addr;
			if (v->flags & MN_VM_PGOFF) /* __split_vma: the upper part, further on */
				m->vma[j].pgoff = (uint8_t)(v->pgoff + ((addr - v->start) >> MN_PAGE_SHIFT));
			v->end = addr;
			return 0;
		}
		return -1;
	}
	return 0;
}

/* Keeps the VMAs sorted by start, free slots last: equal layouts are equal bytes. */
void mn_vma_sort(struct mn_mm *m)
{
	for (int i = 1; i < MN_NVMA; i++)
		for (int j = i; j > 0; j--) {
			struct mn_vma *x = &m->vma[j - 1], *y = &m->vma[j];
			if ((!x->used && y->used) || (x->used && y->used && x->start > y->start)) {
				struct mn_vma t = *x;
				*x = *y;
				*y = t;
			}
		}
}

int kb_vma_set_write(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	KSTART;
	if (a[0] < 0 || a[1] <= a[0] || a[1] > MN_VA_LIMIT) {
		snprintf(ctx->err, sizeof(ctx->err), "bad range");
		return -1;
	}
	return mn_vma_set_flag(ctx, m, (uint32_t)a[0], (uint32_t)a[1], MN_VM_WRITE, a[2] != 0);
}

int mn_vma_set_flag(struct mn_ctx *ctx, struct mn_mm *m, uint32_t start, uint32_t end,
		    uint16_t flag, int on)
{
	if (mn_vma_split(m, start) || mn_vma_split(m, end)) {
		snprintf(ctx->err, sizeof(ctx->err), "more VMAs than the model holds (%d)", MN_NVMA);
		return -1;
	}
	for (int i = 0; i < MN_NVMA; i++) {
		struct mn_vma *v = &m->vma[i];
		if (!MN_VMA_LIVE(v) || v->start < start || v->end > end)
			continue;
		if (on)
			v->flags |= flag;
		else
			v->flags &= (uint16_t)~flag;
	}
	mn_vma_sort(m);
	return 0;
}

int kb_vma_remove(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	KSTART;
	for (int i = 0; i < MN_NVMA; i++) {
		struct mn_vma *v = &m->vma[i];
		if (!v->used || a[1] <= v->start || a[0] >= v->end)
			continue;
		if (v->flags & MN_VM_FILE) {
			/* it leaves the mm but stays in the file's rmap until unlink_file_vma */
			struct mn_vma *d = &ks->detached[mm];
			if (d->used) {
				snprintf(ctx->err, sizeof(ctx->err),
					 "more than one file VMA detached at once is not modelled");
				return -1;
			}
			*d = *v;
			d->flags &= (uint16_t)~MN_VM_DETACHED;
			if (a[0] > v->start)
				d->start = (uint32_t)a[0];
			if (a[1] < v->end)
				d->end = (uint32_t)a[1];
			d->pgoff = (uint8_t)(v->pgoff + ((d->start - v->start) >> MN_PAGE_SHIFT));
		}
		if (a[0] <= v->start && a[1] >= v->end) {
			memset(v, 0, sizeof(*v));
		} else if (a[0] <= v->start) {
			if (v->flags & MN_VM_PGOFF) /* what is left maps the file further on */
				v->pgoff = (uint8_t)(v->pgoff + (((uint32_t)a[1] - v->start) >> MN_PAGE_SHIFT));
			v->start = (uint32_t)a[1];
		} else if (a[1] >= v->end) {
			v->end = (uint32_t)a[0];
		} else {
			snprintf(ctx->err, sizeof(ctx->err), "splitting a VMA in two is not modelled");
			return -1;
		}
	}
	return 0;
}

/* 6.1 do_mas_align_munmap (mm/mmap.c :2448) up to the downgrade: the VMAs are split at
 * start and end (__split_vma) and [start, end) leaves the mm's tree for mt_detach, where
 * only unmap_region reads it (detached_vma) until vma_remove frees it (remove_mt). */
int kb_vma_detach(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	KSTART;
	if (a[0] < 0 || a[1] <= a[0] || a[1] > MN_VA_LIMIT) {
		snprintf(ctx->err, sizeof(ctx->err), "bad range");
		return -1;
	}
	if (mn_vma_split(m, (uint32_t)a[0]) || mn_vma_split(m, (uint32_t)a[1])) {
		snprintf(ctx->err, sizeof(ctx->err), "more VMAs than the model holds (%d)", MN_NVMA);
		return -1;
	}
	for (int i = 0; i < MN_NVMA; i++) {
		struct mn_vma *v = &m->vma[i];
		if (MN_VMA_LIVE(v) && v->start >= a[0] && v->end <= a[1])
			v->flags |= MN_VM_DETACHED;
	}
	mn_vma_sort(m);
	return 0;
}

/* ---- what the checks remember ---- */

int kb_wlog_discard(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	KSTART;
	if (mn_bad_addr(ctx, a[0]))
		return -1;
	mn_wlog_discard(ks, mm, (uint32_t)a[0]);
	for (int i = 0; i < MN_NOPS; i++)
		if (ks->op[i].mms && ks->op[i].agent == ctx->agent)
			ks->op[i].discards = 1;
	return 0;
}

/* ---- operation boundaries ----
 * An agent has one operation record at a time. A kernel thread's rmap walk is one
 * operation on every mm it visits: the record gets one range per mm (op_widen). */

static struct mn_opr *op_of(struct mn_kstate *ks, int agent)
{
	for (int i = 0; i < MN_NOPS; i++)
		if (ks->op[i].mms && ks->op[i].agent == agent)
			return &ks->op[i];
	return NULL;
}

/* The agent's record (made when create and there is none), or NULL with ctx->err set. */
static struct mn_opr *op_record(struct mn_ctx *ctx, struct mn_kstate *ks, int create)
{
	struct mn_opr *me = op_of(ks, ctx->agent);
	for (int k = 0; !me && create && k < MN_NOPS; k++) { /* from the agent's slot, as mn_gather_of */
		struct mn_opr *o = &ks->op[(ctx->agent + k) % MN_NOPS];
		if (!o->mms) {
			memset(o, 0, sizeof(*o));
			o->agent = (uint8_t)ctx->agent;
			return o;
		}
	}
	if (!me)
		snprintf(ctx->err, sizeof(ctx->err), create ? "too many operations at once" : "op_end without op_begin");
	return me;
}

int kb_op_begin(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	KSTART;
	struct mn_opr *o = op_of(ks, ctx->agent);
	if (o && ((o->mms >> mm) & 1)) {
		snprintf(ctx->err, sizeof(ctx->err), "op_begin inside an operation");
		return -1;
	}
	if (!(o = op_record(ctx, ks, 1)))
		return -1;
	o->mms |= (uint8_t)(1u << mm);
	o->start[mm] = (uint32_t)a[0];
	o->end[mm] = (uint32_t)a[1];
	return 0;
}

int kb_op_widen(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	KSTART;
	if (mn_bad_range(ctx, a[0], a[1], 1))
		return -1;
	struct mn_opr *o = op_record(ctx, ks, 1);
	if (!o)
		return -1;
	if (!((o->mms >> mm) & 1)) {
		o->mms |= (uint8_t)(1u << mm);
		o->start[mm] = (uint32_t)a[0];
		o->end[mm] = (uint32_t)a[1];
		return 0;
	}
	if ((uint32_t)a[0] < o->start[mm])
		o->start[mm] = (uint32_t)a[0];
	if ((uint32_t)a[1] > o->end[mm])
		o->end[mm] = (uint32_t)a[1];
	return 0;
}

int kb_op_active(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	KSTART;
	const struct mn_opr *o = op_of(ks, ctx->agent);
	*ret = o && ((o->mms >> mm) & 1);
	return 0;
}

/* A translation the TLB entry e still gives for page va that the page table no longer
 * allows. */
static int stale_entry(struct mn_kstate *ks, const struct mn_tlbe *e, uint32_t va, int dev)
{
	struct mn_walk wk;
	mn_pte *s = mn_pt_walk(ks, e->mm, va, 0, &wk);
	if (!s)
		return 1;
	int kind = mn_pte_swp_kind(*s);
	if (!(*s & MN_PTE_PRESENT) && (kind == MN_SWP_DEVICE_PRIVATE_READ ||
				       kind == MN_SWP_DEVICE_PRIVATE_WRITE)) {
		/* the owning device maps its own memory, which the CPU cannot */
		return MN_PTE_PFN(*s) != e->pfn ||
		       ((e->flags & MN_PTE_WRITE) && kind != MN_SWP_DEVICE_PRIVATE_WRITE);
	}
	if (!(*s & MN_PTE_PRESENT) && mn_swp_device_exclusive(kind)) {
		/* make_device_exclusive_range (6.1 mm/rmap.c): a device may map the page,
		 * writable only through a writable entry; a CPU TLB entry may not */
		return !dev || MN_PTE_PFN(*s) != e->pfn ||
		       ((e->flags & MN_PTE_WRITE) && kind != MN_SWP_DEVICE_EXCLUSIVE_WRITE);
	}
	if (e->flags & MN_TLBE_DEVICE_EXCLUSIVE)
		return 1; /* an atomic mapping outlives the device-exclusive entry */
	if (!(*s & MN_PTE_PRESENT))
		return 1;
	if (MN_PTE_PFN(*s) != e->pfn)
		return 1;
	return (e->flags & MN_PTE_WRITE) && !(*s & MN_PTE_WRITE);
}

/* Another operation on the page of va has not returned yet. */
static int op_busy(const struct mn_kstate *ks, const struct mn_opr *me, int mm, uint32_t va)
{
	for (int i = 0; i < MN_NOPS; i++) {
		const struct mn_opr *o = &ks->op[i];
		if (o != me && mn_op_covers(o, mm, va))
			return 1;
	}
	return 0;
}

int kb_op_end(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	KSTART;
	struct mn_opr *me = op_record(ctx, ks, 0);
	if (!me)
		return -1;
	if (!((me->mms >> mm) & 1)) {
		snprintf(ctx->err, sizeof(ctx->err), "op_end without op_begin on this mm");
		return -1;
	}
	uint32_t start = me->start[mm], end = me->end[mm];
	/* Each TLB entry of the mm, at each page of the range it translates (one for a 4 KiB
	 * entry, a PMD's worth for a 2 MiB one): the entries, not the range's pages, are
	 * walked, since the range may be the whole address space (clear_refs, exit). */
	for (int c = 0; c < MN_NCPU + MN_NDEV; c++) {
		struct mn_tlbe *tlb = c < MN_NCPU ? ks->cpu[c].tlb : ks->dev[c - MN_NCPU].tlb;
		for (int k = 0; k < MN_NTLB; k++) {
			if (!tlb[k].vpn || tlb[k].mm != mm)
				continue;
			uint32_t n = (tlb[k].flags & MN_PTE_HUGE) ? MN_PTRS : 1;
			uint32_t first = (uint32_t)(tlb[k].vpn - 1) << MN_PAGE_SHIFT;
			uint32_t last = first + (n << MN_PAGE_SHIFT);
			/* the pages of the range: start + i pages */
			uint32_t va = start;
			if (first > va)
				va += (first - va + MN_PAGE_SIZE - 1) & ~(uint32_t)(MN_PAGE_SIZE - 1);
			for (; va < last && va < end; va += MN_PAGE_SIZE)
				if (!op_busy(ks, me, mm, va) &&
				    stale_entry(ks, &tlb[k], va, c >= MN_NCPU))
					ctx->fired |= 1u << MN_CHECK_STALE;
		}
	}
	/* A write that raced with a discarding operation may be lost (MADV_DONTNEED's
	 * contract); one after it returns may not. The logged pages of the mm in the range
	 * are dropped (the log, not the range, is walked). */
	for (int i = MN_NWLOG - 1; me->discards && i >= 0; i--) {
		uint32_t va;
		if (mn_wlog_at(ks, i, mm, &va) && va >= (start & ~(uint32_t)(MN_PAGE_SIZE - 1)) &&
		    va + (start & (MN_PAGE_SIZE - 1)) < end)
			mn_wlog_discard(ks, mm, va);
	}
	me->mms &= (uint8_t)~(1u << mm);
	if (!me->mms)
		memset(me, 0, sizeof(*me));
	return 0;
}
