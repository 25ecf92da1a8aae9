/* Atomic context and might_sleep; the 2008 drivers' device table, invalidation ranges
 * and PageRmapExternal; a swap entry and mmap_read_trylock. */
#include "kbuiltin_2008.h"

#include <stdio.h>
#include <string.h>

#include "../check/checks.h"
#include "../lang/program.h"
#include "../machine/access.h"
#include "../machine/devtypes.h"
#include "../machine/tlb.h"
#include "kstate.h"

/* ---- atomic context ---- */

/* A PT lock is a spinlock: holding one is atomic context. */
static int holds_pt_lock(const struct mn_kstate *ks, int agent)
{
	for (int t = 0; t < MN_NPT; t++)
		if (ks->pt[t].lock == agent + 1)
			return 1;
	return 0;
}

static int in_atomic(const struct mn_kstate *ks, int agent)
{
	/* interrupts disabled (local_irq_save) too: might_sleep complains of irqs_disabled() */
	return (agent < MN_NACTX && (ks->actx.depth[agent] || (ks->actx.irqs_off >> agent & 1))) ||
	       holds_pt_lock(ks, agent);
}

void mn_might_sleep(struct mn_ctx *ctx)
{
	const struct mn_kstate *ks = mn_ks(ctx->w, &ctx->prog->layout);
	if (ks && in_atomic(ks, ctx->agent))
		ctx->fired |= 1u << MN_CHECK_PROTOCOL;
}

int kb_might_sleep(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	if (!mn_kctx(ctx))
		return -1;
	mn_might_sleep(ctx);
	return 0;
}

int kb_in_atomic(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	struct mn_kstate *ks = mn_kctx(ctx);
	if (!ks)
		return -1;
	*ret = in_atomic(ks, ctx->agent);
	return 0;
}

/* The agent's depth counter: +1 or -1; `error` when it would go below zero. */
static int depth_add(struct mn_ctx *ctx, int delta, const char *what)
{
	struct mn_kstate *ks = mn_kctx(ctx);
	if (!ks)
		return -1;
	if (ctx->agent >= MN_NACTX) {
		snprintf(ctx->err, sizeof(ctx->err), "%s: only the first %d agents may enter "
			 "atomic context", what, MN_NACTX);
		return -1;
	}
	uint8_t *d = &ks->actx.depth[ctx->agent];
	if ((delta < 0 && !*d) || (delta > 0 && *d == UINT8_MAX)) {
		snprintf(ctx->err, sizeof(ctx->err), "%s: unbalanced", what);
		return -1;
	}
	*d = (uint8_t)(*d + delta);
	return 0;
}

int kb_rcu_read_lock(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	return depth_add(ctx, 1, "rcu_read_lock");
}

int kb_rcu_read_unlock(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	return depth_add(ctx, -1, "rcu_read_unlock");
}

int kb_non_block_start(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	return depth_add(ctx, 1, "non_block_start");
}

int kb_non_block_end(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	return depth_add(ctx, -1, "non_block_end");
}

int kb_i_mmap_lock_en(const struct mn_ctx *ctx, const mn_val *a)
{
	(void)a;
	const struct mn_kstate *ks = mn_ks_c(ctx->w, &ctx->prog->layout);
	int mm = mn_agent_mm(ctx);
	return !ks || mm < 0 || !ks->actx.i_mmap_lock[mm];
}

int kb_i_mmap_lock(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	struct mn_kstate *ks = mn_kctx(ctx);
	int mm = ks ? mn_kctx_mm(ctx) : -1;
	if (mm < 0 || depth_add(ctx, 1, "i_mmap_lock"))
		return -1;
	ks->actx.i_mmap_lock[mm] = (uint8_t)(ctx->agent + 1);
	return 0;
}

int kb_i_mmap_unlock(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	struct mn_kstate *ks = mn_kctx(ctx);
	int mm = ks ? mn_kctx_mm(ctx) : -1;
	if (mm < 0)
		return -1;
	if (ks->actx.i_mmap_lock[mm] != ctx->agent + 1) {
		snprintf(ctx->err, sizeof(ctx->err), "i_mmap_unlock without the lock");
		return -1;
	}
	ks->actx.i_mmap_lock[mm] = 0;
	return depth_add(ctx, -1, "i_mmap_unlock");
}

int kb_dev_spin_lock(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_dev *d = mn_kctx_dev(ctx, a[0]);
	if (!d || depth_add(ctx, 1, "dev_spin_lock"))
		return -1;
	d->drv[0] = ctx->agent + 1;
	return 0;
}

int kb_dev_spin_unlock(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_dev *d = mn_kctx_dev(ctx, a[0]);
	if (!d)
		return -1;
	if (d->drv[0] != ctx->agent + 1) {
		snprintf(ctx->err, sizeof(ctx->err), "dev_spin_unlock without the driver's lock");
		return -1;
	}
	d->drv[0] = 0;
	return depth_add(ctx, -1, "dev_spin_unlock");
}

int kb_mmap_read_trylock(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	struct mn_kstate *ks = mn_kctx(ctx);
	int mm = ks ? mn_kctx_mm(ctx) : -1;
	if (mm < 0)
		return -1;
	*ret = !ks->mm[mm].mmap_writer;
	if (*ret)
		ks->mm[mm].mmap_readers++;
	return 0;
}

/* ---- the device table a 2008 driver fills itself (mirror_install) ---- */

int kb_hw_ext_read(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	return mn_dev_table_access(ctx, a[0], 0, 0, 1, ret);
}

int kb_hw_ext_write(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	return mn_dev_table_access(ctx, a[0], 1, a[1], 1, ret);
}

int kb_ext_test_and_clear_young(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_dev *d = mn_kctx_dev(ctx, a[0]);
	if (!d)
		return -1;
	if (a[1] < 0 || a[1] >= MN_VA_LIMIT) {
		snprintf(ctx->err, sizeof(ctx->err), "bad address");
		return -1;
	}
	struct mn_tlbe *e = mn_tlb_lookup(d->tlb, d->mm - 1, (uint32_t)a[1] >> MN_PAGE_SHIFT);
	*ret = e && (e->flags & MN_PTE_ACCESSED);
	if (*ret)
		e->flags &= (uint8_t)~MN_PTE_ACCESSED;
	return 0;
}

int kb_ext_zap_page(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_dev *d = mn_kctx_dev(ctx, a[0]);
	if (!d)
		return -1;
	if (MN_HANDLE_KIND(a[1]) != MN_HK_FRAME || MN_HANDLE_IDX(a[1]) >= MN_NFRAMES) {
		snprintf(ctx->err, sizeof(ctx->err), "handle is not a page");
		return -1;
	}
	int pfn = MN_HANDLE_IDX(a[1]);
	for (int again = 1; again;) {
		again = 0;
		for (int i = 0; i < MN_NTLB && d->tlb[i].vpn; i++) {
			if (d->tlb[i].pfn != pfn)
				continue;
			uint32_t va = ((uint32_t)d->tlb[i].vpn - 1) << MN_PAGE_SHIFT;
			mn_tlb_flush(d->tlb, d->tlb[i].mm, va, va + MN_PAGE_SIZE);
			again = 1; /* the flush repacked the table */
			break;
		}
	}
	return 0;
}

int kb_ext_mapped(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_dev *d = mn_kctx_dev(ctx, a[0]);
	if (!d || mn_bad_range(ctx, a[1], a[2], 1))
		return -1;
	*ret = 0;
	for (int i = 0; i < MN_NTLB && d->tlb[i].vpn; i++) {
		mn_val va = (mn_val)(d->tlb[i].vpn - 1) << MN_PAGE_SHIFT;
		*ret |= va >= a[1] && va < a[2];
	}
	return 0;
}

/* The ranges under invalidation live in driver words 1..3, one each: start page << 16 |
 * end page, kept in decreasing order with the free (0) words last, so that the same set
 * of ranges is the same bytes. */
#define EXT_NRANGE 3

static int32_t range_word(mn_val start, mn_val end)
{
	return (int32_t)((start >> MN_PAGE_SHIFT) << 16 |
			 ((end + MN_PAGE_SIZE - 1) >> MN_PAGE_SHIFT));
}

static int word_covers(int32_t w, mn_val addr)
{
	mn_val page = addr >> MN_PAGE_SHIFT;
	return w && page >= (w >> 16) && page < (w & 0xffff);
}

static void sort_ranges(struct mn_dev *d)
{
	for (int i = 2; i <= EXT_NRANGE; i++)
		for (int j = i; j > 1 && (uint32_t)d->drv[j - 1] < (uint32_t)d->drv[j]; j--) {
			int32_t t = d->drv[j];
			d->drv[j] = d->drv[j - 1];
			d->drv[j - 1] = t;
		}
}

static int ext_dev_checked(struct mn_ctx *ctx, struct mn_dev *d)
{
	if (d->type == MN_DEV_HMM_MIRROR) {
		/* its word 1 names its interval notifier */
		snprintf(ctx->err, sizeof(ctx->err), "hmm_mirror devices keep no ranges");
		return 0;
	}
	return 1;
}

int kb_ext_range_begin(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_dev *d = mn_kctx_dev(ctx, a[0]);
	if (!d || mn_bad_range(ctx, a[1], a[2], 1) || !ext_dev_checked(ctx, d))
		return -1;
	if (d->drv[EXT_NRANGE]) {
		snprintf(ctx->err, sizeof(ctx->err), "more than %d ranges under invalidation at "
			 "once", EXT_NRANGE);
		return -1;
	}
	d->drv[EXT_NRANGE] = range_word(a[1], a[2]);
	sort_ranges(d);
	return 0;
}

int kb_ext_range_end(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_dev *d = mn_kctx_dev(ctx, a[0]);
	if (!d || mn_bad_range(ctx, a[1], a[2], 1) || !ext_dev_checked(ctx, d))
		return -1;
	int32_t w = range_word(a[1], a[2]);
	for (int i = 1; i <= EXT_NRANGE; i++) {
		if (d->drv[i] == w) {
			d->drv[i] = 0;
			sort_ranges(d);
			return 0;
		}
	}
	snprintf(ctx->err, sizeof(ctx->err), "ext_range_end of a range never begun");
	return -1;
}

static int busy(const struct mn_dev *d, mn_val addr)
{
	int b = 0;
	for (int i = 1; i <= EXT_NRANGE; i++)
		b |= word_covers(d->drv[i], addr);
	return b;
}

static int nranges(const struct mn_dev *d)
{
	int n = 0;
	for (int i = 1; i <= EXT_NRANGE; i++)
		n += d->drv[i] != 0;
	return n;
}

int kb_ext_range_busy(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_dev *d = mn_kctx_dev(ctx, a[0]);
	if (!d || !ext_dev_checked(ctx, d))
		return -1;
	*ret = busy(d, a[1]);
	return 0;
}

int kb_ext_ranges(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_dev *d = mn_kctx_dev(ctx, a[0]);
	if (!d || !ext_dev_checked(ctx, d))
		return -1;
	*ret = nranges(d);
	return 0;
}

static const struct mn_dev *dev_c(const struct mn_ctx *ctx, mn_val d)
{
	const struct mn_kstate *ks = mn_ks_c(ctx->w, &ctx->prog->layout);
	if (!ks || d < 0 || d >= ctx->prog->ndevs)
		return NULL;
	return &ks->dev[d];
}

int kb_ext_wait_range_en(const struct mn_ctx *ctx, const mn_val *a)
{
	const struct mn_dev *d = dev_c(ctx, a[0]);
	return !d || d->type == MN_DEV_HMM_MIRROR || !busy(d, a[1]);
}

int kb_ext_wait_range(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_dev *d = mn_kctx_dev(ctx, a[0]);
	if (!d || !ext_dev_checked(ctx, d))
		return -1;
	mn_might_sleep(ctx); /* wait_event */
	return 0;
}

int kb_ext_wait_idle_en(const struct mn_ctx *ctx, const mn_val *a)
{
	const struct mn_dev *d = dev_c(ctx, a[0]);
	return !d || d->type == MN_DEV_HMM_MIRROR || !nranges(d);
}

int kb_ext_wait_idle(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_dev *d = mn_kctx_dev(ctx, a[0]);
	if (!d || !ext_dev_checked(ctx, d))
		return -1;
	mn_might_sleep(ctx); /* wait_event */
	return 0;
}

int kb_dev_stopped(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_dev *d = mn_kctx_dev(ctx, a[0]);
	if (!d)
		return -1;
	*ret = d->stopped;
	return 0;
}

int kb_dev_count(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	*ret = ctx->prog->ndevs;
	return 0;
}

/* ---- pages ---- */

int kb_page_set_rmap_external(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_page *f = mn_kctx_page(ctx, a[0]);
	if (!f)
		return -1;
	if (f->kind != MN_FRAME_ZERO)
		f->flags |= MN_PG_RMAP_EXTERNAL;
	return 0;
}

int kb_page_rmap_external(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_page *f = mn_kctx_page(ctx, a[0]);
	if (!f)
		return -1;
	*ret = (f->flags & MN_PG_RMAP_EXTERNAL) != 0;
	return 0;
}

int kb_lock_page_en(const struct mn_ctx *ctx, const mn_val *a)
{
	const struct mn_kstate *ks = mn_ks_c(ctx->w, &ctx->prog->layout);
	if (!ks || MN_HANDLE_KIND(a[0]) != MN_HK_FRAME || MN_HANDLE_IDX(a[0]) >= MN_NFRAMES)
		return 1; /* the step reports the error */
	return !(ks->frame[MN_HANDLE_IDX(a[0])].flags & MN_PG_LOCKED);
}

int kb_lock_page(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_page *f = mn_kctx_page(ctx, a[0]);
	if (!f)
		return -1;
	mn_might_sleep(ctx);
	f->flags |= MN_PG_LOCKED;
	return 0;
}

int kb_trylock_page(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_page *f = mn_kctx_page(ctx, a[0]);
	if (!f)
		return -1;
	*ret = !(f->flags & MN_PG_LOCKED);
	f->flags |= MN_PG_LOCKED;
	return 0;
}

int kb_unlock_page(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_page *f = mn_kctx_page(ctx, a[0]);
	if (!f)
		return -1;
	if (!(f->flags & MN_PG_LOCKED)) {
		snprintf(ctx->err, sizeof(ctx->err), "unlock_page of a page that is not locked");
		return -1;
	}
	f->flags &= (uint16_t)~MN_PG_LOCKED;
	return 0;
}

int kb_swap_pte(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	(void)a;
	*ret = (mn_val)((mn_pte)MN_SWP_SWAP << MN_PTE_KIND_SHIFT);
	return 0;
}
