/* The reverse map of anonymous pages and KSM pages (Linux 6.1 mm/rmap.c, mm/ksm.c).
 *
 * anon_vmas: the model has no anon_vma objects. An anonymous page's anon_vma is named by
 * the mm whose VMA it belongs to (the page's owner_mm: where it was faulted, or the mm
 * page_move_anon_rmap moved it to), and that anon_vma's interval tree holds the private
 * anonymous VMAs of that mm and of the mms forked from it (anon_vma_fork links a child's
 * VMA into every anon_vma of the parent's). Which page of a VMA is where follows from the
 * address: the model's anonymous VMAs are not moved with their pages' index (mremap of an
 * anonymous page leaves the rmap walk looking at the old address; not modelled).
 * Every anon_vma of a family shares its root's rwsem: the readers are counted in the
 * root mm (the one not forked from another). */
#include "kbuiltin_rmap.h"

#include <stdio.h>
#include <string.h>

#include "../lang/program.h"
#include "../machine/pagetable.h"
#include "kbuiltin_2008.h"
#include "kstate.h"

static int anon_vma_root(const struct mn_kstate *ks, int mm)
{
	for (int i = 0; i < MN_NMM && ks->mm[mm].anon_parent; i++)
		mm = ks->mm[mm].anon_parent - 1;
	return mm;
}

/* The anon_vma of mm av holds mm's VMAs: mm is av or was forked from it. */
static int anon_vma_holds(const struct mn_kstate *ks, int av, int mm)
{
	for (int i = 0; i <= MN_NMM; i++) {
		if (mm == av)
			return 1;
		if (!ks->mm[mm].anon_parent)
			return 0;
		mm = ks->mm[mm].anon_parent - 1;
	}
	return 0;
}

static int bad_av(struct mn_ctx *ctx, mn_val av)
{
	if (av < 0 || av >= ctx->prog->nmms) {
		snprintf(ctx->err, sizeof(ctx->err), "no anon_vma %lld", (long long)av);
		return 1;
	}
	return 0;
}

/* A private anonymous VMA of the anon_vma trees. One munmap has detached from the mm
 * (MN_VM_DETACHED) stays in them until free_pgtables unlinks it (vma_remove), as in 6.1:
 * the rmap walk still visits it while unmap_region zaps it. */
static int private_anon(const struct mn_vma *v)
{
	return v->used && (v->flags & (MN_VM_ANON | MN_VM_SHARED)) == MN_VM_ANON;
}

int kb_folio_anon_vma(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	const struct mn_page *pg = mn_kctx_page(ctx, a[0]);
	if (!pg)
		return -1;
	*ret = -1;
	if (pg->kind == MN_FRAME_ANON && !(pg->flags & MN_PG_KSM) && pg->owner_mm)
		*ret = pg->owner_mm - 1;
	return 0;
}

int kb_anon_vma_lock_read(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_kstate *ks = mn_kctx(ctx);
	if (!ks || bad_av(ctx, a[0]))
		return -1;
	mn_might_sleep(ctx); /* down_read; no writer holds it across steps */
	struct mn_mm *root = &ks->mm[anon_vma_root(ks, (int)a[0])];
	if (root->anon_vma_readers == UINT8_MAX) {
		snprintf(ctx->err, sizeof(ctx->err), "anon_vma_lock_read overflows");
		return -1;
	}
	root->anon_vma_readers++;
	return 0;
}

int kb_anon_vma_unlock_read(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_kstate *ks = mn_kctx(ctx);
	if (!ks || bad_av(ctx, a[0]))
		return -1;
	struct mn_mm *root = &ks->mm[anon_vma_root(ks, (int)a[0])];
	if (!root->anon_vma_readers) {
		snprintf(ctx->err, sizeof(ctx->err), "anon_vma_unlock_read without the lock");
		return -1;
	}
	root->anon_vma_readers--;
	return 0;
}

int kb_anon_vma_address(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	MN_KSTART;
	if (bad_av(ctx, a[0]) || mn_bad_addr(ctx, a[1]))
		return -1;
	*ret = -1;
	if (!anon_vma_holds(ks, (int)a[0], mm))
		return 0;
	for (int i = 0; i < MN_NVMA; i++) {
		const struct mn_vma *v = &m->vma[i];
		if (private_anon(v) && (uint32_t)a[1] >= v->start && (uint32_t)a[1] < v->end)
			*ret = a[1];
	}
	return 0;
}

/* free_pgtables -> unlink_anon_vmas takes the root's rwsem for write to take the VMAs
 * out of their anon_vmas: it waits for the rmap walks of the family. */
int kb_vma_remove_en(const struct mn_ctx *ctx, const mn_val *a)
{
	(void)a;
	const struct mn_kstate *ks = mn_ks_c(ctx->w, &ctx->prog->layout);
	int mm = mn_agent_mm(ctx);
	return !ks || mm < 0 || !ks->mm[anon_vma_root(ks, mm)].anon_vma_readers;
}

/* ---- KSM's stable node: one in the model (ksm.mnl's stable tree holds one page) ---- */

int kb_stable_tree_append(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	MN_KSTART;
	const struct mn_page *pg = mn_kctx_page(ctx, a[0]);
	if (!pg || mn_bad_addr(ctx, a[1]))
		return -1;
	int f = MN_HANDLE_IDX(a[0]);
	struct mn_ksm_node *n = &ks->ksm;
	if (!(pg->flags & MN_PG_KSM) || n->kpfn != f + 1) {
		snprintf(ctx->err, sizeof(ctx->err), "stable_tree_append: not the stable node's KSM page");
		return -1;
	}
	uint16_t item = (uint16_t)(mm << 12 | (int)(a[1] >> MN_PAGE_SHIFT));
	for (int i = 0; i < n->nitem; i++)
		if (n->item[i] == item)
			return 0; /* the rmap_item is on the node already */
	if (n->nitem == MN_NKSMITEM) {
		snprintf(ctx->err, sizeof(ctx->err), "more than %d rmap_items on a stable node", MN_NKSMITEM);
		return -1;
	}
	/* hlist_add_head: the walk meets the newest rmap_item first */
	memmove(&n->item[1], &n->item[0], (size_t)n->nitem * sizeof(n->item[0]));
	n->item[0] = item;
	n->nitem++;
	return 0;
}

int kb_ksm_rmap_item(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_kstate *ks = mn_kctx(ctx);
	const struct mn_page *pg = mn_kctx_page(ctx, a[0]);
	if (!ks || !pg)
		return -1;
	const struct mn_ksm_node *n = &ks->ksm;
	*ret = -1;
	if (!(pg->flags & MN_PG_KSM) || n->kpfn != MN_HANDLE_IDX(a[0]) + 1 || a[1] < 0 || a[1] >= n->nitem)
		return 0;
	int item = n->item[a[1]];
	*ret = (mn_val)(item >> 12) * MN_VA_LIMIT + ((mn_val)(item & 0xfff) << MN_PAGE_SHIFT);
	return 0;
}

int kb_folio_migrate_flags(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_kstate *ks = mn_kctx(ctx);
	struct mn_page *dst = mn_kctx_page(ctx, a[0]);
	const struct mn_page *src = mn_kctx_page(ctx, a[1]);
	if (!ks || !dst || !src)
		return -1;
	dst->owner_mm = src->owner_mm; /* newfolio->mapping = folio->mapping */
	if (src->flags & MN_PG_KSM) {
		dst->flags |= MN_PG_KSM;
		/* folio_migrate_ksm: the stable node now names the new page; the old one keeps
		 * PageKsm with no stable node (set_page_stable_node(folio, NULL)) */
		if (ks->ksm.kpfn == MN_HANDLE_IDX(a[1]) + 1)
			ks->ksm.kpfn = (uint8_t)(MN_HANDLE_IDX(a[0]) + 1);
	}
	return 0;
}

int kb_is_writable_migration_entry(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	*ret = !(a[0] & MN_PTE_PRESENT) && mn_pte_swp_kind((mn_pte)a[0]) == MN_SWP_MIGRATION_WRITE;
	return 0;
}
