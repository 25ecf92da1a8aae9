/* Driver words and the accessed test on a driver-filled device table. */
#include "kbuiltin_drv.h"

#include <stdio.h>

#include "../lang/program.h"
#include "../machine/tlb.h"
#include "kbuiltin_2008.h" /* mn_might_sleep */
#include "kbuiltin_gup.h"   /* mn_page_pin_add */
#include "kstate.h"

/* Word 0 is the driver's lock, held through dev_lock/dev_spin_lock only. */
static int32_t *word(struct mn_ctx *ctx, mn_val dev, mn_val i)
{
	struct mn_dev *d = mn_kctx_dev(ctx, dev);
	if (!d)
		return NULL;
	if (i < 1 || i >= MN_NDRV) {
		snprintf(ctx->err, sizeof(ctx->err), "no driver word %lld (1..%d)", (long long)i,
			 MN_NDRV - 1);
		return NULL;
	}
	return &d->drv[i];
}

int kb_dev_word(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	int32_t *w = word(ctx, a[0], a[1]);
	if (!w)
		return -1;
	*ret = *w;
	return 0;
}

int kb_dev_set_word(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	int32_t *w = word(ctx, a[0], a[1]);
	if (!w)
		return -1;
	if (a[2] < INT32_MIN || a[2] > INT32_MAX) {
		snprintf(ctx->err, sizeof(ctx->err), "dev_set_word: value out of range");
		return -1;
	}
	*w = (int32_t)a[2];
	return 0;
}

int kb_dev_word_add(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	int32_t *w = word(ctx, a[0], a[1]);
	if (!w)
		return -1;
	mn_val v = (mn_val)*w + a[2];
	if (v < INT32_MIN || v > INT32_MAX) {
		snprintf(ctx->err, sizeof(ctx->err), "dev_word_add: overflow");
		return -1;
	}
	*w = (int32_t)v;
	*ret = v;
	return 0;
}

int kb_dev_word_wait_zero_en(const struct mn_ctx *ctx, const mn_val *a)
{
	const struct mn_kstate *ks = mn_ks_c(ctx->w, &ctx->prog->layout);
	/* a bad argument is enabled, so that the step reports the error */
	if (!ks || a[0] < 0 || a[0] >= ctx->prog->ndevs || a[1] < 1 || a[1] >= MN_NDRV)
		return 1;
	return ks->dev[a[0]].drv[a[1]] == 0;
}

int kb_dev_word_wait_zero(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	if (!word(ctx, a[0], a[1]))
		return -1;
	mn_might_sleep(ctx);
	return 0;
}

int kb_ext_young(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_dev *d = mn_kctx_dev(ctx, a[0]);
	if (!d || mn_bad_addr(ctx, a[1]))
		return -1;
	struct mn_tlbe *e =
		mn_tlb_lookup(d->tlb, d->mm - 1, (uint32_t)a[1] >> MN_PAGE_SHIFT);
	*ret = e && (e->flags & MN_PTE_ACCESSED);
	return 0;
}

/* The pin's GUP_PIN_COUNTING_BIAS is one reference here, and the pins are counted
 * exactly; the flag is what page_maybe_dma_pinned answers from the count in the kernel. */
int kb_page_pin(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_page *f = mn_kctx_page(ctx, a[0]);
	if (!f)
		return -1;
	if (f->kind == MN_FRAME_ZERO)
		return 0; /* the zero page is never counted */
	return mn_page_pin_add(ctx, f);
}

int kb_page_maybe_dma_pinned(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_page *f = mn_kctx_page(ctx, a[0]);
	if (!f)
		return -1;
	*ret = (f->flags & MN_PG_MAYBE_DMA_PINNED) != 0;
	return 0;
}
