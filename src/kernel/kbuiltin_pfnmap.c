/* VM_PFNMAP mappings of device memory (see kbuiltin_pfnmap.h).
 *
 * A `map ... pfnmap` declaration sets device-memory frames aside (MN_FRAME_IOMEM, one per
 * page, src/kernel/kinit.c) and records the first in the VMA's vm_pgoff, as
 * remap_pfn_range does. Those frames are never allocated, counted or freed; their driver
 * revokes them after unmapping them (iomem_revoke), and from then on any access through a
 * translation to them is a `uaf` (mn_frame_gone). The driver's mutex and the device file's
 * i_mmap_rwsem are per mm: the model has one device file per mm, mapped by that mm's
 * VM_PFNMAP VMAs. */
#include "kbuiltin_pfnmap.h"

#include <stdio.h>

#include "../lang/program.h"
#include "kbuiltin_2008.h" /* mn_might_sleep */
#include "kbuiltin_tlb.h" /* mn_vma_rank */
#include "kstate.h"

#define KSTART MN_KSTART

int kb_pte_mkspecial(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	*ret = a[0] | MN_PTE_SPECIAL;
	return 0;
}

/* Not a step: whether a frame is device memory is fixed at set-up. */
int kb_pfn_valid(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_kstate *ks = mn_kctx(ctx);
	if (!ks)
		return -1;
	*ret = a[0] >= 0 && a[0] < MN_NFRAMES && ks->frame[a[0]].kind != MN_FRAME_IOMEM;
	return 0;
}

static struct mn_page *iomem_frame(struct mn_ctx *ctx, mn_val pfn)
{
	struct mn_kstate *ks = mn_kctx(ctx);
	if (!ks)
		return NULL;
	if (pfn < 0 || pfn >= MN_NFRAMES || ks->frame[pfn].kind != MN_FRAME_IOMEM) {
		snprintf(ctx->err, sizeof(ctx->err), "frame %lld is not device memory",
			 (long long)pfn);
		return NULL;
	}
	return &ks->frame[pfn];
}

int kb_iomem_revoke(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ret;
	struct mn_page *f = iomem_frame(ctx, a[0]);
	if (!f)
		return -1;
	f->flags |= MN_PG_IOMEM_REVOKED;
	return 0;
}

int kb_iomem_revoked(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_page *f = iomem_frame(ctx, a[0]);
	if (!f)
		return -1;
	*ret = (f->flags & MN_PG_IOMEM_REVOKED) != 0;
	return 0;
}

/* The device file's i_mmap tree (vma_interval_tree_foreach), by rank in address order: a
 * VMA munmap detached stays in it until free_pgtables unlinks it (vma_remove). */
int kb_devfile_vma(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	KSTART;
	*ret = mn_vma_field(mn_vma_rank(m, a[0], MN_VMAS_DEVFILE), a[1]);
	return 0;
}

/* ---- the driver's mutex ---- */

int kb_iomem_lock_en(const struct mn_ctx *ctx, const mn_val *a)
{
	(void)a;
	const struct mn_kstate *ks = mn_ks_c(ctx->w, &ctx->prog->layout);
	int mm = mn_agent_mm(ctx);
	return !ks || mm < 0 || !ks->mm[mm].iomem_lock;
}

int kb_iomem_lock(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	KSTART;
	mn_might_sleep(ctx); /* mutex_lock */
	m->iomem_lock = (uint8_t)(ctx->agent + 1);
	return 0;
}

int kb_iomem_unlock(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	KSTART;
	if (m->iomem_lock != ctx->agent + 1) {
		snprintf(ctx->err, sizeof(ctx->err), "iomem_unlock without the driver's lock");
		return -1;
	}
	m->iomem_lock = 0;
	return 0;
}

/* ---- the device file's i_mmap_rwsem (include/linux/fs.h i_mmap_lock_read/_write:
 * down_read/down_write). The model's file has its own (kbuiltin_file.c): they are two
 * files, and nothing takes both. ---- */

int kb_devfile_i_mmap_lock_read_en(const struct mn_ctx *ctx, const mn_val *a)
{
	(void)a;
	const struct mn_kstate *ks = mn_ks_c(ctx->w, &ctx->prog->layout);
	int mm = mn_agent_mm(ctx);
	return !ks || mm < 0 || !ks->mm[mm].devfile_i_mmap_writer;
}

int kb_devfile_i_mmap_lock_read(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	KSTART;
	mn_might_sleep(ctx);
	if (m->devfile_i_mmap_readers == UINT8_MAX) {
		snprintf(ctx->err, sizeof(ctx->err), "devfile_i_mmap_lock_read overflows");
		return -1;
	}
	m->devfile_i_mmap_readers++;
	return 0;
}

int kb_devfile_i_mmap_unlock_read(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	KSTART;
	if (!m->devfile_i_mmap_readers) {
		snprintf(ctx->err, sizeof(ctx->err), "devfile_i_mmap_unlock_read without the lock");
		return -1;
	}
	m->devfile_i_mmap_readers--;
	return 0;
}

int kb_devfile_i_mmap_lock_write_en(const struct mn_ctx *ctx, const mn_val *a)
{
	(void)a;
	const struct mn_kstate *ks = mn_ks_c(ctx->w, &ctx->prog->layout);
	int mm = mn_agent_mm(ctx);
	return !ks || mm < 0 ||
	       (!ks->mm[mm].devfile_i_mmap_writer && !ks->mm[mm].devfile_i_mmap_readers);
}

int kb_devfile_i_mmap_lock_write(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	KSTART;
	mn_might_sleep(ctx);
	m->devfile_i_mmap_writer = (uint8_t)(ctx->agent + 1);
	return 0;
}

int kb_devfile_i_mmap_unlock_write(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	KSTART;
	if (m->devfile_i_mmap_writer != ctx->agent + 1) {
		snprintf(ctx->err, sizeof(ctx->err), 
			 "devfile_i_mmap_unlock_write without the lock");
		return -1;
	}
	m->devfile_i_mmap_writer = 0;
	return 0;
}
