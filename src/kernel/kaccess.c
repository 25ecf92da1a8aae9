/* Loads and stores by CPUs and device engines. A fault is returned to the caller's code,
 * which enters the kernel (library code) and retries, as hardware does. */
#include <stdio.h>

#include "../lang/program.h"
#include "../machine/access.h"
#include "../machine/psc.h"
#include "kbuiltin.h"
#include "kstate.h"

static int access(struct mn_ctx *ctx, int device, mn_val addr, int write, mn_val value,
		  mn_val *ret)
{
	struct mn_kstate *ks = mn_kctx(ctx);
	if (!ks)
		return -1;
	const struct agent_info *ai = &ctx->prog->agents[ctx->agent];
	struct mn_tlbe *tlb;
	struct mn_psce *psc; /* the walker's paging-structure cache (docs/model.md §5) */
	if (device) {
		if (ai->dev < 0) {
			snprintf(ctx->err, sizeof(ctx->err), "DMA from an agent that is not a device");
			return -1;
		}
		if (ks->dev[ai->dev].stopped) {
			*ret = -2;
			return 0;
		}
		tlb = ks->dev[ai->dev].tlb;
		psc = ks->dev[ai->dev].psc;
	} else {
		if (ai->cpu < 0 || ai->mm < 0) {
			snprintf(ctx->err, sizeof(ctx->err), "CPU access from an agent without a CPU and an mm");
			return -1;
		}
		tlb = ks->cpu[ai->cpu].tlb;
		psc = ks->cpu[ai->cpu].psc;
	}
	if (addr < 0 || addr >= MN_VA_LIMIT || (write && (value < 0 || value > INT32_MAX))) {
		snprintf(ctx->err, sizeof(ctx->err), "bad address or value");
		return -1;
	}
	int32_t v = (int32_t)value;
	if (mn_access(ks, tlb, psc, ai->mm, (uint32_t)addr, write, &v, &ctx->fired) != MN_ACCESS_OK) {
		/* x86: a page fault drops the paging-structure-cache entries for its address
		 * (SDM vol. 3 §4.10.4.1); the IOMMU answers a translation request instead */
		if (!device)
			mn_psc_flush(psc, ai->mm, (uint32_t)addr, (uint32_t)addr + 1);
		*ret = -1;
		return 0;
	}
	*ret = write ? 0 : v;
	return 0;
}

int kb_cpu_load(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	return access(ctx, 0, a[0], 0, 0, ret);
}

int kb_cpu_store(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	return access(ctx, 0, a[0], 1, a[1], ret);
}

int kb_dma_read(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	return access(ctx, 1, a[0], 0, 0, ret);
}

int kb_dma_write(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	return access(ctx, 1, a[0], 1, a[1], ret);
}
