/* The notifier core and device hardware as built-ins: library code asks the core whom to
 * call and tells the hardware what the driver does. */
#include <stdio.h>
#include <string.h>

#include "../lang/program.h"
#include "../machine/psc.h"
#include "../machine/tlb.h"
#include "kbuiltin.h"
#include "kstate.h"

static int agent_mm(struct mn_ctx *ctx, struct mn_kstate **ks)
{
	*ks = mn_kctx(ctx);
	if (!*ks)
		return -1;
	return mn_kctx_mm(ctx);
}

int kb_mn_nsubs(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_kstate *ks;
	int mm = agent_mm(ctx, &ks), out[MN_NSUB];
	if (mm < 0)
		return -1;
	*ret = mn_subscribers(&ks->mm[mm].notifier, (uint16_t)a[0], out);
	return 0;
}

int kb_mn_sub_at(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_kstate *ks;
	int mm = agent_mm(ctx, &ks), out[MN_NSUB];
	if (mm < 0)
		return -1;
	int n = mn_subscribers(&ks->mm[mm].notifier, (uint16_t)a[0], out);
	*ret = a[1] >= 0 && a[1] < n ? MN_HANDLE(MN_HK_SUB, mm * MN_NSUB + out[a[1]]) : 0;
	return 0;
}

static const struct mn_subscription *sub_of(struct mn_ctx *ctx, mn_val h)
{
	struct mn_kstate *ks = mn_ks(ctx->w, &ctx->prog->layout);
	int i = MN_HANDLE_IDX(h);
	if (!ks || MN_HANDLE_KIND(h) != MN_HK_SUB || i >= MN_NMM * MN_NSUB) {
		snprintf(ctx->err, sizeof(ctx->err), "handle is not a notifier subscription");
		return NULL;
	}
	return &ks->mm[i / MN_NSUB].notifier.sub[i % MN_NSUB];
}

int kb_mn_sub_dev(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	const struct mn_subscription *s = sub_of(ctx, a[0]);
	if (!s)
		return -1;
	*ret = s->dev;
	return 0;
}

int kb_mn_sub_type(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	const struct mn_subscription *s = sub_of(ctx, a[0]);
	if (!s)
		return -1;
	*ret = ctx->prog->devs[s->dev].type;
	return 0;
}

static const char *const callback_names[] = {
	"release", "clear_flush_young", "clear_young", "test_young", "change_pte",
	"invalidate_range_start", "invalidate_range_end", "invalidate_range",
	"interval_invalidate", "arch_invalidate_secondary_tlbs", "invalidate_page",
};

int kb_mn_trace(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	int cb = (int)a[0], ev = (int)a[1];
	if (cb < 0 || cb >= (int)(sizeof(callback_names) / sizeof(callback_names[0])) || ev < -1 ||
	    ev >= MN_NEVENTS) {
		snprintf(ctx->err, sizeof(ctx->err), "mn_trace: bad callback or event");
		return -1;
	}
	if (!ctx->tracing) /* exploring: nobody reads the line */
		return 0;
	/* --trace-notifier shows what a notifier registered from the start sees: nothing
	 * once mmu_notifier_release has taken every subscriber off the list */
	const struct mn_kstate *ks = mn_ks_c(ctx->w, &ctx->prog->layout);
	int mm = mn_agent_mm(ctx);
	if (ks && mm >= 0 && ks->mm[mm].released)
		return 0;
	/* the conformance harness's shape: `-` where a field does not apply */
	char start[24] = "-", end[24] = "-", blk[8] = "-";
	if (a[2] >= 0)
		snprintf(start, sizeof(start), "0x%llx", (unsigned long long)a[2]);
	if (a[3] >= 0)
		snprintf(end, sizeof(end), "0x%llx", (unsigned long long)a[3]);
	if (a[4] >= 0)
		snprintf(blk, sizeof(blk), "%d", a[4] != 0);
	snprintf(ctx->trace, sizeof(ctx->trace), "%s %s %s %s %s", callback_names[cb],
		 ev < 0 ? "-" : mn_event_names[ev], start, end, blk);
	return 0;
}

int kb_trace_op(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	if (!ctx->tracing) /* exploring: nobody reads the line */
		return 0;
	snprintf(ctx->trace, sizeof(ctx->trace), "op #%lld", (long long)a[0]);
	return 0;
}

int kb_mn_sub_of_dev(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_kstate *ks;
	int mm = agent_mm(ctx, &ks), out[MN_NSUB];
	if (mm < 0)
		return -1;
	int n = mn_subscribers(&ks->mm[mm].notifier, 0xffff, out);
	*ret = 0;
	for (int i = 0; i < n; i++)
		if (ks->mm[mm].notifier.sub[out[i]].dev == a[0])
			*ret = MN_HANDLE(MN_HK_SUB, mm * MN_NSUB + out[i]);
	return 0;
}

/* mmu_notifier_unregister after its ->release: when the last subscriber has left, the
 * implicit logger of --trace-notifier has left with it. */
int kb_mn_unregister(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_kstate *ks;
	int mm = agent_mm(ctx, &ks), out[MN_NSUB];
	if (mm < 0)
		return -1;
	int i = MN_HANDLE_IDX(a[0]);
	if (MN_HANDLE_KIND(a[0]) != MN_HK_SUB || i / MN_NSUB != mm) {
		snprintf(ctx->err, sizeof(ctx->err), "mn_unregister: not a subscription of this mm");
		return -1;
	}
	mn_unregister(&ks->mm[mm].notifier, i % MN_NSUB);
	if (!mn_subscribers(&ks->mm[mm].notifier, 0xffff, out))
		ks->mm[mm].released = 1;
	return 0;
}

int kb_mn_release_all(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	struct mn_kstate *ks;
	int mm = agent_mm(ctx, &ks);
	if (mm < 0)
		return -1;
	mn_release_all(&ks->mm[mm].notifier);
	ks->mm[mm].released = 1;
	return 0;
}

/* VT-d's PASID-based IOTLB invalidation of a range (qi_flush_piotlb) with its
 * invalidation hint: ih 0 drops the paging-structure-cache entries of the range too
 * (what 6.1's intel_invalidate_range asks: page tables may have been freed), ih 1 only
 * the translations (a PTE changed, no table was freed). */
static int iotlb_flush(struct mn_ctx *ctx, const mn_val *a, int ih)
{
	struct mn_dev *d = mn_kctx_dev(ctx, a[0]);
	if (!d)
		return -1;
	mn_tlb_flush(d->tlb, d->mm - 1, (uint32_t)a[1], (uint32_t)a[2]);
	if (!ih && a[1] >= 0 && a[2] > a[1])
		mn_psc_flush(d->psc, d->mm - 1, (uint32_t)a[1],
			     a[2] > MN_VA_LIMIT ? MN_VA_LIMIT : (uint32_t)a[2]);
	return 0;
}

int kb_iotlb_flush(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	return iotlb_flush(ctx, a, 0);
}

int kb_iotlb_flush_leaf(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	return iotlb_flush(ctx, a, 1);
}

int kb_dev_stop(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_dev *d = mn_kctx_dev(ctx, a[0]);
	if (!d)
		return -1;
	d->stopped = 1;
	/* the PASID entry torn down (intel_pasid_tear_down_entry): PASID cache, IOTLB and
	 * paging-structure caches flushed, the device's translations fault from now on */
	memset(d->tlb, 0, sizeof(d->tlb));
	memset(d->psc, 0, sizeof(d->psc));
	return 0;
}
