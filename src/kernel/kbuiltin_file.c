/* The model's one file and userfaultfd write-protection as built-ins (see kbuiltin_file.h).
 *
 * The file: `file` mappings (MAP_SHARED of a regular file whose filesystem has
 * ->page_mkwrite, as ext4) map pages of one file of MN_NPCACHE pages; a VMA maps file page
 * vm_pgoff at its start. Its page cache (kstate pcache) holds one reference on each cached
 * page, so a page outlives its mappings; pages are never evicted or truncated. The disk
 * (kstate disk) holds what writeback last wrote of each page. */
#include "kbuiltin_file.h"

#include <stdio.h>
#include <string.h>

#include "../lang/program.h"
#include "../machine/pagetable.h"
#include "kbuiltin_2008.h"
#include "kbuiltin_tlb.h"
#include "kstate.h"

/* ---- userfaultfd write-protect ---- */

int kb_pte_uffd_wp(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	*ret = (a[0] & MN_PTE_PRESENT) && (a[0] & MN_PTE_UFFD_WP);
	return 0;
}

int kb_pte_mkuffd_wp(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	*ret = a[0] | MN_PTE_UFFD_WP;
	return 0;
}

int kb_pte_clear_uffd_wp(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	*ret = a[0] & ~(mn_val)MN_PTE_UFFD_WP;
	return 0;
}

/* userfaultfd_must_wait for a write-protect fault: the PTE is still a present uffd-wp one. */
static int must_wait(struct mn_kstate *ks, int mm, mn_val addr)
{
	struct mn_walk wk;
	if (addr < 0 || addr >= MN_VA_LIMIT)
		return 0;
	mn_pte *s = mn_pt_walk(ks, mm, (uint32_t)addr, 0, &wk);
	return s && (*s & MN_PTE_PRESENT) && (*s & MN_PTE_UFFD_WP);
}

int kb_uffd_wait_wp_en(const struct mn_ctx *ctx, const mn_val *a)
{
	struct mn_kstate *ks = mn_ks(ctx->w, &ctx->prog->layout);
	int mm = mn_agent_mm(ctx);
	return !ks || mm < 0 || !must_wait(ks, mm, a[0]);
}

int kb_uffd_wait_wp(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	MN_KSTART;
	if (mn_bad_addr(ctx, a[0]))
		return -1;
	mn_might_sleep(ctx); /* schedule() in handle_userfault */
	return 0;
}

int kb_vma_set_uffd_wp(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	MN_KSTART;
	if (mn_bad_range(ctx, a[0], a[1], 1))
		return -1;
	return mn_vma_set_flag(ctx, m, (uint32_t)a[0], (uint32_t)a[1], MN_VM_UFFD_WP, a[2] != 0);
}

/* ---- the page cache ---- */

static int frame_arg(struct mn_ctx *ctx, mn_val h)
{
	if (MN_HANDLE_KIND(h) != MN_HK_FRAME || MN_HANDLE_IDX(h) >= MN_NFRAMES) {
		snprintf(ctx->err, sizeof(ctx->err), "handle is not a page");
		return -1;
	}
	return (int)MN_HANDLE_IDX(h);
}

/* The page cache index of frame f, or -1 when it is not a page cache page. */
static int cache_index(const struct mn_kstate *ks, int f)
{
	for (int i = 0; i < MN_NPCACHE; i++)
		if (ks->pcache[i] == f + 1)
			return i;
	return -1;
}

int kb_page_anon(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_kstate *ks = mn_kctx(ctx);
	int f = frame_arg(ctx, a[0]);
	if (!ks || f < 0)
		return -1;
	int kind = ks->frame[f].kind;
	*ret = kind == MN_FRAME_ANON || kind == MN_FRAME_DEVICE_PRIVATE;
	return 0;
}

/* The file page index addr maps in the VMA v (which must be a file VMA holding it: the
 * model file's, or for a VM_PFNMAP VMA the device file's, whose page is the frame). */
static int file_index(const struct mn_vma *v, uint32_t addr)
{
	return v->pgoff + (int)((addr - v->start) >> MN_PAGE_SHIFT);
}

int kb_linear_page_index(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	MN_KSTART;
	*ret = -1;
	for (int i = 0; i < MN_NVMA; i++) {
		const struct mn_vma *v = &m->vma[i];
		if (v->used && (v->flags & MN_VM_PGOFF) && a[0] >= v->start && a[0] < v->end)
			*ret = file_index(v, (uint32_t)a[0]);
	}
	return 0;
}

/* Where the VMA v maps file page index, or -1 (vma_address). */
static mn_val address_in(const struct mn_vma *v, int index)
{
	if (index < 0 || !v || !v->used ||
	    (v->flags & (MN_VM_FILE | MN_VM_SHARED)) != (MN_VM_FILE | MN_VM_SHARED))
		return -1;
	if (index < v->pgoff || index >= v->pgoff + (int)((v->end - v->start) >> MN_PAGE_SHIFT))
		return -1;
	return v->start + ((uint32_t)(index - v->pgoff) << MN_PAGE_SHIFT);
}

int kb_vma_address(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	MN_KSTART;
	int f = frame_arg(ctx, a[0]);
	if (f < 0)
		return -1;
	const struct mn_vma *v = mn_vma_rank(m, a[1], MN_VMAS_ALL);
	*ret = v ? address_in(v, cache_index(ks, f)) : -2;
	return 0;
}

int kb_detached_vma_address(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	MN_KSTART;
	int f = frame_arg(ctx, a[0]);
	if (f < 0)
		return -1;
	*ret = address_in(&ks->detached[mm], cache_index(ks, f));
	return 0;
}

static int bad_index(struct mn_ctx *ctx, mn_val index)
{
	if (index < 0 || index >= MN_NPCACHE) {
		snprintf(ctx->err, sizeof(ctx->err), "file page %lld outside the model's file (%d pages)",
			 (long long)index, MN_NPCACHE);
		return 1;
	}
	return 0;
}

int kb_find_get_page(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_kstate *ks = mn_kctx(ctx);
	if (!ks || bad_index(ctx, a[0]))
		return -1;
	*ret = 0;
	int f = ks->pcache[a[0]] - 1;
	if (f < 0)
		return 0;
	ks->frame[f].refcount++; /* folio_try_get: a cached page is never free */
	*ret = MN_HANDLE(MN_HK_FRAME, f);
	return 0;
}

int kb_filemap_add_page(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_page *pg = mn_kctx_page(ctx, a[0]);
	struct mn_kstate *ks = mn_kctx(ctx);
	int f = frame_arg(ctx, a[0]);
	if (!pg || f < 0 || bad_index(ctx, a[1]))
		return -1;
	if (ks->pcache[a[1]]) {
		*ret = -17;
		return 0;
	}
	if (pg->kind != MN_FRAME_ANON || pg->mapcount || cache_index(ks, f) >= 0) {
		snprintf(ctx->err, sizeof(ctx->err), "filemap_add_page of a page in use");
		return -1;
	}
	ks->pcache[a[1]] = (uint8_t)(f + 1);
	pg->kind = MN_FRAME_FILE;
	pg->owner_mm = 0;
	pg->refcount++; /* the page cache's reference */
	pg->data = ks->disk[a[1]]; /* the read completes at once */
	*ret = 0;
	return 0;
}

int kb_page_test_clear_dirty(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_page *pg = mn_kctx_page(ctx, a[0]);
	if (!pg)
		return -1;
	*ret = (pg->flags & MN_PG_DIRTY) != 0;
	pg->flags &= (uint16_t)~MN_PG_DIRTY;
	return 0;
}

int kb_writepage(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_page *pg = mn_kctx_page(ctx, a[0]);
	struct mn_kstate *ks = mn_kctx(ctx);
	int f = frame_arg(ctx, a[0]);
	if (!pg || f < 0)
		return -1;
	int index = cache_index(ks, f);
	if (index < 0) {
		snprintf(ctx->err, sizeof(ctx->err), "writepage of a page that is not in the page cache");
		return -1;
	}
	ks->disk[index] = pg->data;
	return 0;
}

/* ---- the file's i_mmap_rwsem ----
 * rmap_walk_file holds it for read across the walk; free_pgtables -> unlink_file_vma takes
 * it for write to take a VMA out of the file's rmap before its page tables are freed, so
 * a walker never meets a freed table. munmap detached the VMA from the mm's list earlier
 * (vma_remove), which kept it as the mm's `detached` VMA for the walks; unlink_file_vma
 * waits for the walkers and forgets it, in one step. */

int kb_i_mmap_lock_read(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	struct mn_kstate *ks = mn_kctx(ctx);
	if (!ks)
		return -1;
	mn_might_sleep(ctx); /* down_read */
	if (ks->i_mmap_readers == UINT8_MAX) {
		snprintf(ctx->err, sizeof(ctx->err), "i_mmap_rwsem readers overflow");
		return -1;
	}
	ks->i_mmap_readers++;
	return 0;
}

int kb_i_mmap_unlock_read(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	struct mn_kstate *ks = mn_kctx(ctx);
	if (!ks)
		return -1;
	if (!ks->i_mmap_readers) {
		snprintf(ctx->err, sizeof(ctx->err), "i_mmap_unlock_read without the lock");
		return -1;
	}
	ks->i_mmap_readers--;
	return 0;
}

int kb_unlink_file_vma_en(const struct mn_ctx *ctx, const mn_val *a)
{
	(void)a;
	const struct mn_kstate *ks = mn_ks_c(ctx->w, &ctx->prog->layout);
	return !ks || !ks->i_mmap_readers;
}

int kb_unlink_file_vma(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	MN_KSTART;
	mn_might_sleep(ctx); /* down_write */
	memset(&ks->detached[mm], 0, sizeof(ks->detached[mm]));
	return 0;
}
