/* Reclaim and migration built-ins (see kbuiltin_reclaim.h).
 *
 * The batched unmap flush follows 6.1 mm/rmap.c: try_to_unmap_one with TTU_BATCH_FLUSH
 * clears a PTE without flushing and records in current->tlb_ubc that a flush is owed
 * (set_tlb_ubc_flush_pending); try_to_unmap_flush pays it (arch_tlbbatch_flush) before
 * reclaim frees the pages. mm->tlb_flush_batched counts generations of such deferred
 * unmaps so that mprotect, zap, madvise and mremap, which only look at PTEs, can flush
 * first when a reclaim may still owe one (flush_tlb_batched_pending). Simplified:
 *  - should_defer_flush is always true (mm_cpumask is not modelled: another CPU may
 *    always hold the translation);
 *  - arch_tlbbatch_flush flushes every CPU TLB entirely, as x86's flush of the batch's
 *    cpumask does for user entries (all CPUs, since the cpumask is not modelled);
 *  - the pending/flushed counters are 8-bit and restart at pending 1, flushed 0 beyond
 *    100 pending, as the kernel restarts beyond TLB_FLUSH_BATCH_PENDING_LARGE.
 *
 * Swap: MN_NSWAP slots, each with its swap_map count, the page in the swap cache for it
 * and the contents written back. A swap PTE is kind MN_SWP_SWAP with the slot number in
 * the PFN field and MN_PTE_WRITE standing for _PAGE_SWP_EXCLUSIVE. Writeback completes
 * inside swap_writepage (as a synchronous device such as zram would), so reclaim frees a
 * written page in the same pass; swap-in reads the slot synchronously. */
#include "kbuiltin_reclaim.h"

#include <stdio.h>
#include <string.h>

#include "../lang/program.h"
#include "../machine/tlb.h"
#include "kbuiltin_gup.h"
#include "kstate.h"

#define KSTART MN_KSTART
#define PENDING_LARGE 100

/* ---- the batched unmap flush ---- */

int kb_tlb_ubc_set_pending(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	KSTART;
	if (ctx->agent >= MN_NACTX) {
		snprintf(ctx->err, sizeof(ctx->err), "too many agents for a tlb_ubc");
		return -1;
	}
	ks->ubc[ctx->agent] |= (uint8_t)(MN_UBC_FLUSH_REQUIRED | (a[0] ? MN_UBC_WRITABLE : 0));
	if (m->batch_pending > PENDING_LARGE) {
		m->batch_pending = 1;
		m->batch_flushed = 0;
	} else {
		m->batch_pending++;
	}
	return 0;
}

static void tlbbatch_flush(struct mn_kstate *ks, int agent)
{
	for (int c = 0; c < MN_NCPU; c++)
		for (int mm = 0; mm < MN_NMM; mm++)
			mn_flush_cpu(&ks->cpu[c], mm, 0, MN_VA_LIMIT, MN_PAGE_SIZE);
	ks->ubc[agent] = 0;
}

/* arch_tlbbatch_flush's IPIs, when a flush is owed, wait for CPUs with interrupts off */
static int ubc_flush_en(const struct mn_ctx *ctx, uint8_t need)
{
	const struct mn_kstate *ks = mn_ks_c(ctx->w, &ctx->prog->layout);
	return !ks || ctx->agent >= MN_NACTX || !(ks->ubc[ctx->agent] & need) ||
	       mn_ipi_done(ks, ctx->agent);
}

int kb_try_to_unmap_flush_en(const struct mn_ctx *ctx, const mn_val *a)
{
	(void)a;
	return ubc_flush_en(ctx, MN_UBC_FLUSH_REQUIRED);
}

int kb_try_to_unmap_flush_dirty_en(const struct mn_ctx *ctx, const mn_val *a)
{
	(void)a;
	return ubc_flush_en(ctx, MN_UBC_WRITABLE);
}

int kb_try_to_unmap_flush(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	struct mn_kstate *ks = mn_kctx(ctx);
	if (!ks)
		return -1;
	if (ctx->agent < MN_NACTX && (ks->ubc[ctx->agent] & MN_UBC_FLUSH_REQUIRED))
		tlbbatch_flush(ks, ctx->agent);
	return 0;
}

int kb_try_to_unmap_flush_dirty(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	struct mn_kstate *ks = mn_kctx(ctx);
	if (!ks)
		return -1;
	if (ctx->agent < MN_NACTX && (ks->ubc[ctx->agent] & MN_UBC_WRITABLE))
		tlbbatch_flush(ks, ctx->agent);
	return 0;
}

int kb_mm_tlb_flush_batched(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	KSTART;
	*ret = (mn_val)m->batch_pending | (mn_val)m->batch_flushed << 16;
	return 0;
}

int kb_batch_pending(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	*ret = (a[0] & 0xffff) != (a[0] >> 16 & 0xffff);
	return 0;
}

int kb_tlb_flush_batched_done(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	KSTART;
	mn_val now = (mn_val)m->batch_pending | (mn_val)m->batch_flushed << 16;
	if (now == a[0])
		m->batch_flushed = m->batch_pending;
	return 0;
}

/* ---- swap ---- */

static int frame_arg(struct mn_ctx *ctx, mn_val h)
{
	if (MN_HANDLE_KIND(h) != MN_HK_FRAME || MN_HANDLE_IDX(h) >= MN_NFRAMES ||
	    MN_HANDLE_IDX(h) == 0) {
		snprintf(ctx->err, sizeof(ctx->err), "handle is not a data page");
		return -1;
	}
	return MN_HANDLE_IDX(h);
}

/* The slot a swap entry names, or NULL with the error set. */
static struct mn_swap *slot_of_entry(struct mn_ctx *ctx, struct mn_kstate *ks, mn_val e)
{
	int s = (int)MN_PTE_PFN((mn_pte)e);
	if ((e & MN_PTE_PRESENT) || mn_pte_swp_kind((mn_pte)e) != MN_SWP_SWAP || s >= MN_NSWAP ||
	    !ks->swap[s].used) {
		snprintf(ctx->err, sizeof(ctx->err), "%#llx is not the entry of a swap slot in use",
			 (unsigned long long)e);
		return NULL;
	}
	return &ks->swap[s];
}

/* The slot of an entry that may have gone stale: NULL when it is not a swap entry or
 * its slot is free. */
static struct mn_swap *stale_entry_ok(struct mn_kstate *ks, mn_val e)
{
	int s = (int)MN_PTE_PFN((mn_pte)e);
	if ((e & MN_PTE_PRESENT) || mn_pte_swp_kind((mn_pte)e) != MN_SWP_SWAP || s >= MN_NSWAP ||
	    !ks->swap[s].used)
		return NULL;
	return &ks->swap[s];
}

/* The slot whose swap cache holds frame f, or NULL. */
static struct mn_swap *slot_of_cache(struct mn_kstate *ks, int f)
{
	for (int s = 0; s < MN_NSWAP; s++)
		if (ks->swap[s].used && ks->swap[s].cache == f + 1)
			return &ks->swap[s];
	return NULL;
}

static void slot_maybe_free(struct mn_swap *sw)
{
	if (!sw->count && !sw->cache)
		memset(sw, 0, sizeof(*sw));
}

/* mm/swapfile.c folio_free_swap (6.1 :1592) of frame f: 1 when the page left the swap
 * cache */
static int free_swap(struct mn_kstate *ks, struct mn_page *pg, int f)
{
	struct mn_swap *sw = slot_of_cache(ks, f);
	if (!sw || sw->count) /* folio_swapped: a swap PTE still needs the slot */
		return 0;
	sw->cache = 0;
	pg->refcount--; /* delete_from_swap_cache drops the cache's reference */
	pg->flags |= MN_PG_DIRTY; /* folio_set_dirty: the slot's copy is gone */
	slot_maybe_free(sw);
	return 1;
}

int kb_add_to_swap(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_page *pg = mn_kctx_page(ctx, a[0]);
	int f = frame_arg(ctx, a[0]);
	if (!pg || f < 0)
		return -1;
	struct mn_kstate *ks = mn_kctx(ctx);
	if (slot_of_cache(ks, f)) {
		snprintf(ctx->err, sizeof(ctx->err), "add_to_swap of a page in the swap cache");
		return -1;
	}
	*ret = -1;
	for (int s = 0; s < MN_NSWAP; s++) {
		struct mn_swap *sw = &ks->swap[s];
		if (sw->used)
			continue;
		sw->used = 1;
		sw->cache = (uint8_t)(f + 1);
		pg->refcount++;            /* the swap cache's reference */
		pg->flags |= MN_PG_DIRTY;  /* add_to_swap: folio_mark_dirty */
		*ret = s;
		return 0;
	}
	return 0;
}

int kb_mk_swap_entry(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	if (a[0] < 0 || a[0] >= MN_NSWAP) {
		snprintf(ctx->err, sizeof(ctx->err), "no swap slot %lld", (long long)a[0]);
		return -1;
	}
	*ret = (mn_val)(((mn_pte)MN_SWP_SWAP << MN_PTE_KIND_SHIFT) | MN_PTE_MKPFN(a[0]) |
			(a[1] ? MN_PTE_WRITE : 0));
	return 0;
}

int kb_pte_is_swap(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	*ret = !(a[0] & MN_PTE_PRESENT) && mn_pte_swp_kind((mn_pte)a[0]) == MN_SWP_SWAP;
	return 0;
}

int kb_pte_swp_exclusive(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	*ret = !(a[0] & MN_PTE_PRESENT) && (a[0] & MN_PTE_WRITE) != 0;
	return 0;
}

int kb_swap_duplicate(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_kstate *ks = mn_kctx(ctx);
	if (!ks)
		return -1;
	int s = (int)MN_PTE_PFN((mn_pte)a[0]);
	if (s >= MN_NSWAP || !ks->swap[s].used) {
		*ret = -1;
		return 0;
	}
	ks->swap[s].count++;
	*ret = 0;
	return 0;
}

int kb_swap_writepage(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_page *pg = mn_kctx_page(ctx, a[0]);
	int f = frame_arg(ctx, a[0]);
	if (!pg || f < 0)
		return -1;
	struct mn_swap *sw = slot_of_cache(mn_kctx(ctx), f);
	if (!sw) {
		snprintf(ctx->err, sizeof(ctx->err), "swap_writepage of a page not in the swap cache");
		return -1;
	}
	/* mm/page_io.c swap_writepage (6.1 :186): a page no swap PTE needs (it was not
	 * mapped, so try_to_unmap made none: a device-exclusive page) leaves the swap cache
	 * dirty, and nothing is written */
	if (free_swap(mn_kctx(ctx), pg, f))
		return 0;
	sw->data = pg->data;
	pg->flags &= (uint16_t)~MN_PG_DIRTY; /* folio_clear_dirty_for_io */
	return 0;
}

int kb_remove_mapping(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_page *pg = mn_kctx_page(ctx, a[0]);
	int f = frame_arg(ctx, a[0]);
	if (!pg || f < 0)
		return -1;
	struct mn_swap *sw = slot_of_cache(mn_kctx(ctx), f);
	*ret = 0;
	/* folio_ref_freeze(folio, 2): the isolating caller and the swap cache only; a page
	 * redirtied since its writeback stays too */
	if (!sw || pg->refcount != 2 || (pg->flags & MN_PG_DIRTY))
		return 0;
	sw->cache = 0;
	pg->refcount--;
	slot_maybe_free(sw);
	*ret = 1;
	return 0;
}

int kb_lookup_swap_cache(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_kstate *ks = mn_kctx(ctx);
	if (!ks)
		return -1;
	*ret = 0;
	/* an entry read without the PT lock may be gone already: no page, and the fault's
	 * pte_same check sends the access back */
	struct mn_swap *sw = stale_entry_ok(ks, a[0]);
	if (sw && sw->cache) {
		ks->frame[sw->cache - 1].refcount++;
		*ret = MN_HANDLE(MN_HK_FRAME, sw->cache - 1);
	}
	return 0;
}

int kb_swap_readpage(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_page *pg = mn_kctx_page(ctx, a[0]);
	if (!pg || frame_arg(ctx, a[0]) < 0)
		return -1;
	struct mn_swap *sw = stale_entry_ok(mn_kctx(ctx), a[1]);
	*ret = -1; /* the slot was freed since the entry was read (__read_swap_cache_async
		    * finds no swap count) */
	if (!sw)
		return 0;
	pg->data = sw->data;
	*ret = 0;
	return 0;
}

int kb_swap_free(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_kstate *ks = mn_kctx(ctx);
	if (!ks)
		return -1;
	struct mn_swap *sw = slot_of_entry(ctx, ks, a[0]);
	if (!sw)
		return -1;
	if (!sw->count) {
		snprintf(ctx->err, sizeof(ctx->err), "swap_free of an entry no PTE holds");
		return -1;
	}
	sw->count--;
	slot_maybe_free(sw);
	return 0;
}

int kb_page_swap_entry(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_page *pg = mn_kctx_page(ctx, a[0]);
	int f = frame_arg(ctx, a[0]);
	if (!pg || f < 0)
		return -1;
	struct mn_kstate *ks = mn_kctx(ctx);
	struct mn_swap *sw = slot_of_cache(ks, f);
	*ret = sw ? (mn_val)(((mn_pte)MN_SWP_SWAP << MN_PTE_KIND_SHIFT) |
			     MN_PTE_MKPFN(sw - ks->swap)) : 0;
	return 0;
}

int kb_folio_free_swap(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_page *pg = mn_kctx_page(ctx, a[0]);
	int f = frame_arg(ctx, a[0]);
	if (!pg || f < 0)
		return -1;
	*ret = free_swap(mn_kctx(ctx), pg, f);
	return 0;
}

int kb_page_mark_dirty(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_page *pg = mn_kctx_page(ctx, a[0]);
	if (!pg)
		return -1;
	if (pg->kind != MN_FRAME_ZERO)
		pg->flags |= MN_PG_DIRTY;
	return 0;
}

int kb_page_test_dirty(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_page *pg = mn_kctx_page(ctx, a[0]);
	if (!pg)
		return -1;
	*ret = (pg->flags & MN_PG_DIRTY) != 0;
	return 0;
}

/* ---- NUMA nodes ---- */

int kb_page_to_nid(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_page *pg = mn_kctx_page(ctx, a[0]);
	if (!pg)
		return -1;
	*ret = (pg->flags & MN_PG_NODE1) != 0;
	return 0;
}

int kb_alloc_page_node(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	if (a[0] != 0 && a[0] != 1) {
		snprintf(ctx->err, sizeof(ctx->err), "no node %lld (the model has 0 and 1)",
			 (long long)a[0]);
		return -1;
	}
	if (kb_alloc_page(ctx, a, ret))
		return -1;
	if (MN_HANDLE_KIND(*ret) == MN_HK_FRAME && a[0])
		mn_kctx(ctx)->frame[MN_HANDLE_IDX(*ret)].flags |= MN_PG_NODE1;
	return 0;
}

int kb_pfn_to_page(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	if (a[0] < 0 || a[0] >= MN_NFRAMES) {
		snprintf(ctx->err, sizeof(ctx->err), "no frame %lld", (long long)a[0]);
		return -1;
	}
	*ret = MN_HANDLE(MN_HK_FRAME, a[0]);
	return 0;
}
