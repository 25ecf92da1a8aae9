#include "kbuiltin_huge.h"

#include <stdio.h>

#include "../lang/program.h"
#include "../machine/pagetable.h"
#include "kstate.h"

int kb_kthread_use_mm(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_kstate *ks = mn_kctx(ctx);
	if (!ks)
		return -1;
	if (ctx->prog->agents[ctx->agent].mm >= 0 || ctx->agent >= MN_NACTX) {
		snprintf(ctx->err, sizeof(ctx->err), "kthread_use_mm from an agent with an mm");
		return -1;
	}
	if (a[0] < 0 || a[0] >= ctx->prog->nmms) {
		snprintf(ctx->err, sizeof(ctx->err), "no mm %lld", (long long)a[0]);
		return -1;
	}
	ks->use_mm[ctx->agent] = (uint8_t)(a[0] + 1);
	return 0;
}

int kb_kthread_unuse_mm(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	struct mn_kstate *ks = mn_kctx(ctx);
	if (!ks)
		return -1;
	if (ctx->agent < MN_NACTX)
		ks->use_mm[ctx->agent] = 0;
	return 0;
}

int kb_mm_count(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	*ret = ctx->prog->nmms;
	return 0;
}

/* mm/hugetlb.c huge_pmd_unshare: a PMD page other mms also use stays theirs; this mm's
 * PUD entry goes, unmapping every huge page of the PUD range here at once. */
int kb_huge_pmd_unshare(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_kstate *ks = mn_kctx(ctx);
	if (!ks)
		return -1;
	int mm = mn_kctx_mm(ctx);
	if (mm < 0 || a[0] < 0 || a[0] >= MN_VA_LIMIT)
		return -1;
	struct mn_walk wk;
	mn_pte *pud = mn_pt_slot(ks, mm, (uint32_t)a[0], 3, 0, &wk);
	*ret = 0;
	if (!pud || !(*pud & MN_PTE_PRESENT) || (*pud & MN_PTE_HUGE))
		return 0;
	struct mn_ptpage *pmd = &ks->pt[MN_PTE_PFN(*pud)];
	if (pmd->users <= 1)
		return 0;
	pmd->users--;
	*pud = 0;
	*ret = 1;
	return 0;
}

int kb_mk_migration_entry(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	mn_pte e = (mn_pte)a[0];
	if (!(e & MN_PTE_PRESENT)) {
		snprintf(ctx->err, sizeof(ctx->err), "migration entry for a PTE that is not present");
		return -1;
	}
	int kind = (e & MN_PTE_WRITE) ? MN_SWP_MIGRATION_WRITE : MN_SWP_MIGRATION_READ;
	*ret = (e & MN_PTE_HUGE) | MN_PTE_MKPFN(MN_PTE_PFN(e)) | ((mn_pte)kind << MN_PTE_KIND_SHIFT);
	return 0;
}

int kb_pte_is_migration(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	int kind = mn_pte_swp_kind((mn_pte)a[0]);
	*ret = !(a[0] & MN_PTE_PRESENT) &&
	       (kind == MN_SWP_MIGRATION_READ || kind == MN_SWP_MIGRATION_WRITE);
	return 0;
}

int kb_mk_huge_pte(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	if (MN_HANDLE_KIND(a[0]) != MN_HK_FRAME || MN_HANDLE_IDX(a[0]) >= MN_NFRAMES) {
		snprintf(ctx->err, sizeof(ctx->err), "handle is not a page");
		return -1;
	}
	*ret = MN_PTE_PRESENT | MN_PTE_HUGE | MN_PTE_ACCESSED | MN_PTE_DIRTY | MN_PTE_SOFT_DIRTY |
	       MN_PTE_MKPFN(MN_HANDLE_IDX(a[0])) | (a[1] ? MN_PTE_WRITE : 0);
	if (MN_HANDLE_IDX(a[0]) == 0) /* the huge zero page (set_huge_zero_page): clean, special */
		*ret = (*ret & ~(mn_val)(MN_PTE_DIRTY | MN_PTE_WRITE)) | MN_PTE_SPECIAL;
	return 0;
}

int kb_pte_pfn(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	*ret = MN_PTE_PFN((mn_pte)a[0]);
	return 0;
}
