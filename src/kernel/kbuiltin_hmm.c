/* Interval notifiers, mirroring drivers and device-private memory as built-ins. */
#include "kbuiltin_hmm.h"

#include <stdio.h>
#include <string.h>

#include "../check/checks.h"
#include "../lang/program.h"
#include "../machine/access.h"
#include "../machine/devtypes.h"
#include "../machine/tlb.h"
#include "kbuiltin_2008.h"
#include "kstate.h"

/* Interval built-ins work on the agent's mm's notifier state. */
#define KSTART    \
	MN_KSTART; \
	struct mn_notifier_mm *n = &m->notifier

int kb_itree_begin(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	KSTART;
	int nout;
	uint32_t seq;
	if (mn_bad_range(ctx, a[0], a[1], 0))
		return -1;
	mn_itree_inv_start(n, (uint32_t)a[0], (uint32_t)a[1], NULL, &nout, &seq);
	*ret = nout;
	(void)a[2]; /* the event only matters to the callbacks */
	return 0;
}

int kb_itree_at(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	KSTART;
	int out[MN_NINTERVAL];
	if (mn_bad_range(ctx, a[0], a[1], 0))
		return -1;
	int k = mn_itree_overlaps(n, (uint32_t)a[0], (uint32_t)a[1], out);
	*ret = a[2] >= 0 && a[2] < k ? MN_HANDLE(MN_HK_INTERVAL, mm * MN_NINTERVAL + out[a[2]]) : 0;
	return 0;
}

int kb_itree_cur_seq(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	KSTART;
	*ret = n->invalidate_seq;
	return 0;
}

int kb_itree_end(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	KSTART;
	if (mn_itree_inv_end(n) == MN_PROT_END_WITHOUT_START)
		ctx->fired |= 1u << MN_CHECK_PROTOCOL;
	return 0;
}

/* An interval handle names (mm, index). */
static struct mn_interval *itv_of(struct mn_ctx *ctx, mn_val h, struct mn_notifier_mm **nout,
				  int *idx)
{
	struct mn_kstate *ks = mn_ks(ctx->w, &ctx->prog->layout);
	int i = MN_HANDLE_IDX(h);
	if (!ks || MN_HANDLE_KIND(h) != MN_HK_INTERVAL || i >= MN_NMM * MN_NINTERVAL) {
		snprintf(ctx->err, sizeof(ctx->err), "handle is not an interval notifier");
		return NULL;
	}
	*nout = &ks->mm[i / MN_NINTERVAL].notifier;
	*idx = i % MN_NINTERVAL;
	return &(*nout)->itv[*idx];
}

int kb_itv_dev(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_notifier_mm *n;
	int i;
	struct mn_interval *v = itv_of(ctx, a[0], &n, &i);
	if (!v)
		return -1;
	*ret = v->dev;
	return 0;
}

int kb_read_begin_en(const struct mn_ctx *ctx, const mn_val *a)
{
	struct mn_kstate *ks = mn_ks(ctx->w, &ctx->prog->layout);
	int i = MN_HANDLE_IDX(a[0]), wait = 0;
	if (!ks || MN_HANDLE_KIND(a[0]) != MN_HK_INTERVAL || i >= MN_NMM * MN_NINTERVAL)
		return 1; /* the step reports the error */
	mn_interval_read_begin(&ks->mm[i / MN_NINTERVAL].notifier, i % MN_NINTERVAL, &wait);
	return !wait;
}

int kb_read_begin(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_notifier_mm *n;
	int i, wait;
	if (!itv_of(ctx, a[0], &n, &i))
		return -1;
	*ret = mn_interval_read_begin(n, i, &wait);
	return 0;
}

int kb_read_retry(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_notifier_mm *n;
	int i;
	if (!itv_of(ctx, a[0], &n, &i))
		return -1;
	*ret = mn_interval_read_retry(n, i, (uint32_t)a[1]);
	return 0;
}

int kb_set_seq(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_notifier_mm *n;
	int i;
	if (!itv_of(ctx, a[0], &n, &i))
		return -1;
	mn_interval_set_seq(n, i, (uint32_t)a[1]);
	return 0;
}

/* ---- the driver's lock (dev->drv[0]: holder agent + 1) ---- */

int kb_dev_lock_en(const struct mn_ctx *ctx, const mn_val *a)
{
	const struct mn_kstate *ks = mn_ks_c(ctx->w, &ctx->prog->layout);
	if (!ks || a[0] < 0 || a[0] >= ctx->prog->ndevs)
		return 1;
	return ks->dev[a[0]].drv[0] == 0;
}

int kb_dev_lock(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_dev *d = mn_kctx_dev(ctx, a[0]);
	if (!d)
		return -1;
	mn_might_sleep(ctx); /* mutex_lock */
	d->drv[0] = ctx->agent + 1;
	return 0;
}

int kb_dev_unlock(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_dev *d = mn_kctx_dev(ctx, a[0]);
	if (!d)
		return -1;
	if (d->drv[0] != ctx->agent + 1) {
		snprintf(ctx->err, sizeof(ctx->err), "dev_unlock without the driver's lock");
		return -1;
	}
	d->drv[0] = 0;
	return 0;
}

int kb_dev_trylock(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_dev *d = mn_kctx_dev(ctx, a[0]);
	if (!d)
		return -1;
	*ret = d->drv[0] == 0;
	if (*ret)
		d->drv[0] = ctx->agent + 1;
	return 0;
}

/* ---- the mirror: the driver's own page table, held in the device's TLB array ---- */

int kb_mirror_install(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_dev *d = mn_kctx_dev(ctx, a[0]);
	struct mn_kstate *ks = mn_kctx(ctx);
	if (!d || !ks)
		return -1;
	mn_pte pte = (mn_pte)a[2];
	int kind = mn_pte_swp_kind(pte);
	if (!(pte & MN_PTE_PRESENT) && kind != MN_SWP_DEVICE_PRIVATE_READ &&
	    kind != MN_SWP_DEVICE_PRIVATE_WRITE && !mn_swp_device_exclusive(kind)) {
		snprintf(ctx->err, sizeof(ctx->err), "mirror_install of an entry that maps nothing");
		return -1;
	}
	if (a[1] < 0 || a[1] >= MN_VA_LIMIT)
		return -1;
	struct mn_tlbe e;
	memset(&e, 0, sizeof(e));
	e.vpn = (uint16_t)((a[1] >> MN_PAGE_SHIFT) + 1);
	e.pfn = (uint8_t)MN_PTE_PFN(pte);
	int writable = (pte & MN_PTE_PRESENT) ? (pte & MN_PTE_WRITE) != 0 :
						 kind == MN_SWP_DEVICE_PRIVATE_WRITE ||
							 kind == MN_SWP_DEVICE_EXCLUSIVE_WRITE;
	/* lib/test_hmm.c dmirror_atomic_map: an atomic mapping of a device-exclusive page */
	int excl = !(pte & MN_PTE_PRESENT) && mn_swp_device_exclusive(kind);
	e.flags = (uint8_t)((writable ? MN_PTE_WRITE : 0) | MN_PTE_DIRTY |
			    (excl ? MN_TLBE_DEVICE_EXCLUSIVE : 0));
	e.mm = (uint8_t)(d->mm - 1);
	e.gen = ks->frame[e.pfn].gen;
	mn_tlb_fill(d->tlb, e);
	return 0;
}

/* A device access through the table its driver fills (no walker: the table is used as
 * the driver left it, stale or not). -1 when the driver must fault the page in. With
 * `ext` (the drivers built on hw_ext_*), a stopped device answers -2 and an access sets
 * the entry's accessed bit, which the aging callbacks read. */
int mn_dev_table_access(struct mn_ctx *ctx, mn_val addr, int write, mn_val value, int ext,
			mn_val *ret)
{
	struct mn_kstate *ks = mn_kctx(ctx);
	const struct agent_info *ai = &ctx->prog->agents[ctx->agent];
	if (!ks)
		return -1;
	if (ai->dev < 0 || addr < 0 || addr >= MN_VA_LIMIT ||
	    (write && (value < 0 || value > INT32_MAX))) {
		snprintf(ctx->err, sizeof(ctx->err), "bad device access");
		return -1;
	}
	struct mn_dev *d = &ks->dev[ai->dev];
	if (ext && d->stopped) {
		*ret = -2;
		return 0;
	}
	uint32_t va = (uint32_t)addr;
	struct mn_tlbe *e = mn_tlb_lookup(d->tlb, d->mm - 1, va >> MN_PAGE_SHIFT);
	if (!e || (write && !(e->flags & MN_PTE_WRITE))) {
		*ret = -1;
		return 0;
	}
	if (ext)
		e->flags |= MN_PTE_ACCESSED;
	if (mn_frame_gone(&ks->frame[e->pfn], e->gen))
		ctx->fired |= 1u << MN_CHECK_UAF;
	int32_t *word = mn_page_word(ks, e->pfn, va); /* a THP's subpage */
	if (write) {
		*word = (int32_t)value;
		mn_wlog_set(ks, d->mm - 1, va, (int32_t)value);
		*ret = 0;
	} else {
		int32_t last;
		*ret = *word;
		if (mn_wlog_get(ks, d->mm - 1, va, &last) && last != *word)
			ctx->fired |= 1u << MN_CHECK_INCOHERENT;
	}
	return 0;
}

int kb_hw_mirror_read(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	return mn_dev_table_access(ctx, a[0], 0, 0, 0, ret);
}

int kb_hw_mirror_write(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	return mn_dev_table_access(ctx, a[0], 1, a[1], 0, ret);
}

int kb_my_dev(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	*ret = ctx->prog->agents[ctx->agent].dev;
	return 0;
}

int kb_dev_type(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	if (a[0] < 0 || a[0] >= ctx->prog->ndevs) {
		snprintf(ctx->err, sizeof(ctx->err), "no device %lld", (long long)a[0]);
		return -1;
	}
	*ret = ctx->prog->devs[a[0]].type;
	return 0;
}

int kb_dev_interval(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	if (a[0] < 0 || a[0] >= ctx->prog->ndevs) {
		snprintf(ctx->err, sizeof(ctx->err), "no device %lld", (long long)a[0]);
		return -1;
	}
	/* set at kinit: the interval index is dev->drv[1]; it never changes after */
	const struct mn_kstate *ks = mn_ks_c(ctx->w, &ctx->prog->layout);
	if (!ks)
		return -1;
	*ret = MN_HANDLE(MN_HK_INTERVAL, ctx->prog->devs[a[0]].mm * MN_NINTERVAL +
						 ks->dev[a[0]].drv[1]);
	return 0;
}

int kb_alloc_device_page(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_kstate *ks = mn_kctx(ctx);
	if (!ks || !mn_kctx_dev(ctx, a[0]))
		return -1;
	*ret = 0;
	for (int f = 1; f < MN_NFRAMES; f++) {
		struct mn_page *fr = &ks->frame[f];
		if (fr->kind != MN_FRAME_FREE)
			continue;
		fr->kind = MN_FRAME_DEVICE_PRIVATE;
		fr->refcount = 1;
		fr->mapcount = 0;
		fr->flags = 0;
		fr->data = 0;
		fr->owner_dev = (uint8_t)(a[0] + 1);
		*ret = MN_HANDLE(MN_HK_FRAME, f);
		return 0;
	}
	return 0;
}

int kb_mk_device_private(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	if (MN_HANDLE_KIND(a[0]) != MN_HK_FRAME || MN_HANDLE_IDX(a[0]) >= MN_NFRAMES) {
		snprintf(ctx->err, sizeof(ctx->err), "handle is not a page");
		return -1;
	}
	int kind = a[1] ? MN_SWP_DEVICE_PRIVATE_WRITE : MN_SWP_DEVICE_PRIVATE_READ;
	*ret = MN_PTE_MKPFN(MN_HANDLE_IDX(a[0])) | ((mn_pte)kind << MN_PTE_KIND_SHIFT);
	return 0;
}

int kb_pte_device_private(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	int kind = mn_pte_swp_kind((mn_pte)a[0]);
	*ret = !(a[0] & MN_PTE_PRESENT) &&
	       (kind == MN_SWP_DEVICE_PRIVATE_READ || kind == MN_SWP_DEVICE_PRIVATE_WRITE);
	return 0;
}

/* include/linux/swapops.h make_{readable,writable}_device_exclusive_entry, as a PTE:
 * not present, the page's pfn, the kind. */
int kb_mk_device_exclusive(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	if (MN_HANDLE_KIND(a[0]) != MN_HK_FRAME || MN_HANDLE_IDX(a[0]) >= MN_NFRAMES) {
		snprintf(ctx->err, sizeof(ctx->err), "handle is not a page");
		return -1;
	}
	int kind = a[1] ? MN_SWP_DEVICE_EXCLUSIVE_WRITE : MN_SWP_DEVICE_EXCLUSIVE_READ;
	*ret = MN_PTE_MKPFN(MN_HANDLE_IDX(a[0])) | ((mn_pte)kind << MN_PTE_KIND_SHIFT);
	return 0;
}

/* is_device_exclusive_entry */
int kb_pte_device_exclusive(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	*ret = !(a[0] & MN_PTE_PRESENT) && mn_swp_device_exclusive(mn_pte_swp_kind((mn_pte)a[0]));
	return 0;
}

/* is_writable_device_exclusive_entry */
int kb_pte_device_exclusive_write(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	*ret = !(a[0] & MN_PTE_PRESENT) &&
	       mn_pte_swp_kind((mn_pte)a[0]) == MN_SWP_DEVICE_EXCLUSIVE_WRITE;
	return 0;
}

/* pfn_swap_entry_to_page of a device-exclusive entry */
int kb_device_exclusive_page(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	if ((a[0] & MN_PTE_PRESENT) || !mn_swp_device_exclusive(mn_pte_swp_kind((mn_pte)a[0])) ||
	    MN_PTE_PFN((mn_pte)a[0]) >= MN_NFRAMES) {
		snprintf(ctx->err, sizeof(ctx->err), "not a device-exclusive entry");
		return -1;
	}
	*ret = MN_HANDLE(MN_HK_FRAME, MN_PTE_PFN((mn_pte)a[0]));
	return 0;
}

int kb_device_page_owner(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_kstate *ks = mn_kctx(ctx);
	if (!ks)
		return -1;
	uint32_t pfn = MN_PTE_PFN((mn_pte)a[0]);
	*ret = pfn < MN_NFRAMES && ks->frame[pfn].kind == MN_FRAME_DEVICE_PRIVATE ?
		       ks->frame[pfn].owner_dev - 1 :
		       -1;
	return 0;
}

int kb_mn_trace_itv(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	if (a[0] < 0 || a[0] >= MN_NEVENTS) {
		snprintf(ctx->err, sizeof(ctx->err), "mn_trace_itv: bad event");
		return -1;
	}
	if (!ctx->tracing) /* exploring: nobody reads the line */
		return 0;
	snprintf(ctx->trace, sizeof(ctx->trace), "interval_invalidate %s 0x%llx 0x%llx %d %lld",
		 mn_event_names[a[0]], (unsigned long long)a[1], (unsigned long long)a[2],
		 a[3] != 0, (long long)a[4]);
	return 0;
}
