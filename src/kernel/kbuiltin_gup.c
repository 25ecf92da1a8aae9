/* The lock-free GUP walk's built-ins (see kbuiltin_gup.h).
 *
 * 6.1 mm/gup.c lockless_pages_from_mm disables interrupts around gup_pgd_range; the walk
 * reads each level with READ_ONCE and never takes a lock, so nothing but the interrupts
 * keeps a page-table page it is reading from being freed. In the model a PMD value read
 * by the walk remembers the generation of the PTE table it names (struct mn_ptpage.gen
 * changes at each free), and the PTE reads through that value fire `uaf` when the table
 * was freed since: the kernel would read freed (or reused) memory there.
 *
 * Simplified: the PGD, PUD and PMD entries are read in one step (gup_fast_pmd), so only
 * the PTE table can go away under the walk, not the upper tables; the re-check reads
 * the PMD entry and the PTE in one step. */
#include "kbuiltin_gup.h"

#include <stdio.h>

#include "../check/checks.h"
#include "../lang/program.h"
#include "../machine/pagetable.h"
#include "kstate.h"

#define KSTART MN_KSTART

int mn_ipi_done(const struct mn_kstate *ks, int agent)
{
	unsigned others = ks->actx.irqs_off;
	if (agent < MN_NACTX)
		others &= ~(1u << agent);
	return others == 0;
}

int kb_ipi_en(const struct mn_ctx *ctx, const mn_val *a)
{
	(void)a;
	const struct mn_kstate *ks = mn_ks_c(ctx->w, &ctx->prog->layout);
	return !ks || mn_ipi_done(ks, ctx->agent);
}

/* ---- interrupts ---- */

static int irq_bit(struct mn_ctx *ctx, struct mn_kstate **ks, const char *what)
{
	*ks = mn_kctx(ctx);
	if (!*ks)
		return -1;
	if (ctx->agent >= MN_NACTX) {
		snprintf(ctx->err, sizeof(ctx->err), "%s: only the first %d agents may disable "
			 "interrupts", what, MN_NACTX);
		return -1;
	}
	return ctx->agent;
}

int kb_local_irq_save(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	struct mn_kstate *ks;
	int b = irq_bit(ctx, &ks, "local_irq_save");
	if (b < 0)
		return -1;
	if (ks->actx.irqs_off & (1u << b)) {
		snprintf(ctx->err, sizeof(ctx->err), "local_irq_save: interrupts already disabled "
			 "(nesting is not modelled)");
		return -1;
	}
	ks->actx.irqs_off = (uint16_t)(ks->actx.irqs_off | 1u << b);
	return 0;
}

int kb_local_irq_restore(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	struct mn_kstate *ks;
	int b = irq_bit(ctx, &ks, "local_irq_restore");
	if (b < 0)
		return -1;
	if (!(ks->actx.irqs_off & (1u << b))) {
		snprintf(ctx->err, sizeof(ctx->err), "local_irq_restore without local_irq_save");
		return -1;
	}
	ks->actx.irqs_off = (uint16_t)(ks->actx.irqs_off & ~(1u << b));
	return 0;
}

/* ---- the lockless walk ---- */

int kb_gup_fast_pmd(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	KSTART;
	if (mn_bad_addr(ctx, a[0]))
		return -1;
	struct mn_walk wk;
	mn_pte *s = mn_pt_slot(ks, mm, (uint32_t)a[0], 2, 0, &wk);
	*ret = s ? *s : 0;
	if (s && (*s & MN_PTE_PRESENT) && !(*s & MN_PTE_HUGE)) {
		int t = (int)MN_PTE_PFN(*s);
		if (t < MN_NPT && ks->pt[t].level == 1)
			*ret |= (mn_val)ks->pt[t].gen << 32;
	}
	return 0;
}

/* The entry for addr in the PTE table a value of gup_fast_pmd names (pte_offset_map on
 * the value, not on the PMD slot); NULL when the table was freed since the value was
 * read, which fires `uaf`, or with ctx->err set for a value that names no PTE table. */
static mn_pte *walk_pte(struct mn_ctx *ctx, struct mn_kstate *ks, mn_val addr, mn_val pmd)
{
	int t = (int)MN_PTE_PFN((mn_pte)pmd);
	if (mn_bad_addr(ctx, addr))
		return NULL;
	if (!(pmd & MN_PTE_PRESENT) || (pmd & MN_PTE_HUGE) || t >= MN_NPT || pmd >> 48) {
		snprintf(ctx->err, sizeof(ctx->err), "not a PTE table: %#llx",
			 (unsigned long long)pmd);
		return NULL;
	}
	if (mn_pt_gone(&ks->pt[t], (uint16_t)(pmd >> 32), 1)) {
		ctx->fired |= 1u << MN_CHECK_UAF; /* the walk reads a freed page-table page */
		return NULL;
	}
	return &ks->pt[t].e[mn_pt_index((uint32_t)addr, 1)];
}

int kb_gup_fast_pte(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_kstate *ks = mn_kctx(ctx);
	if (!ks)
		return -1;
	mn_pte *s = walk_pte(ctx, ks, a[0], a[1]);
	if (!s && ctx->err[0])
		return -1;
	*ret = s ? *s : 0;
	return 0;
}

/* gup_pte_range: pmd_val(pmd) != pmd_val(*pmdp) || pte_val(pte) != pte_val(*ptep); the
 * PTE is read only when the PMD entry is unchanged, as the kernel's || does. */
int kb_gup_fast_recheck(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	KSTART;
	if (mn_bad_addr(ctx, a[0]))
		return -1;
	struct mn_walk wk;
	mn_pte *pmdp = mn_pt_slot(ks, mm, (uint32_t)a[0], 2, 0, &wk);
	*ret = 0;
	if (!pmdp || *pmdp != (mn_pte)a[1])
		return 0;
	mn_pte *ptep = walk_pte(ctx, ks, a[0], a[1]);
	if (!ptep)
		return ctx->err[0] ? -1 : 0;
	*ret = *ptep == (mn_pte)a[2];
	return 0;
}

int kb_pte_special(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)ctx;
	*ret = (a[0] & MN_PTE_PRESENT) && (a[0] & MN_PTE_SPECIAL);
	return 0;
}

/* ---- references ---- */

int mn_page_pin_add(struct mn_ctx *ctx, struct mn_page *f)
{
	unsigned n = ((unsigned)f->flags & MN_PG_PINS_MASK) >> MN_PG_PINS_SHIFT;
	if (n == MN_PG_PINS_MASK >> MN_PG_PINS_SHIFT) {
		snprintf(ctx->err, sizeof(ctx->err), "more pins on a page than the model counts");
		return -1;
	}
	f->flags = (uint16_t)(((unsigned)f->flags & ~MN_PG_PINS_MASK) |
			      (n + 1) << MN_PG_PINS_SHIFT | MN_PG_MAYBE_DMA_PINNED);
	f->refcount++;
	return 0;
}

/* try_grab_folio (6.1 mm/gup.c:125): try_get_folio's folio_ref_try_add_rcu refuses a page
 * whose count already reached 0; struct pages are never freed, so looking at one that
 * was freed (or reused) since the PTE was read is no use after free: the re-check that
 * follows sees the PTE changed. FOLL_LONGTERM's is_longterm_pinnable_page is not
 * modelled (no ZONE_MOVABLE or CMA): every page may be pinned. */
int kb_try_grab_folio(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_kstate *ks = mn_kctx(ctx);
	if (!ks)
		return -1;
	if (MN_HANDLE_KIND(a[0]) != MN_HK_FRAME || MN_HANDLE_IDX(a[0]) >= MN_NFRAMES) {
		snprintf(ctx->err, sizeof(ctx->err), "try_grab_folio: handle is not a page");
		return -1;
	}
	struct mn_page *f = &ks->frame[MN_HANDLE_IDX(a[0])];
	*ret = 1;
	if (f->kind == MN_FRAME_ZERO)
		return 0; /* never pinned; its count is not kept (get_page leaves it alone) */
	if (f->kind == MN_FRAME_FREE || !f->refcount) {
		*ret = 0;
		return 0;
	}
	if (a[1])
		return mn_page_pin_add(ctx, f);
	f->refcount++;
	return 0;
}

/* unpin_user_page -> gup_put_folio(FOLL_PIN): the pin's references go, and with the last
 * pin page_maybe_dma_pinned is false again (the kernel's GUP_PIN_COUNTING_BIAS is one
 * reference and an exact count here). */
int kb_unpin_user_page(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	struct mn_page *f = mn_kctx_page(ctx, a[0]);
	if (!f)
		return -1;
	if (f->kind == MN_FRAME_ZERO)
		return 0;
	unsigned n = ((unsigned)f->flags & MN_PG_PINS_MASK) >> MN_PG_PINS_SHIFT;
	if (!n) {
		snprintf(ctx->err, sizeof(ctx->err), "unpin_user_page of a page not pinned");
		return -1;
	}
	n--;
	f->flags = (uint16_t)(((unsigned)f->flags & ~MN_PG_PINS_MASK) | n << MN_PG_PINS_SHIFT);
	if (!n)
		f->flags &= (uint16_t)~MN_PG_MAYBE_DMA_PINNED;
	return kb_put_page(ctx, a, ret);
}

/* ---- mm->write_protect_seq ---- */

int kb_mm_wp_seq_begin(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	KSTART;
	if (m->wp_seq & 1) {
		snprintf(ctx->err, sizeof(ctx->err), "write_protect_seq: nested write section");
		return -1;
	}
	m->wp_seq++;
	return 0;
}

int kb_mm_wp_seq_end(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	(void)ret;
	KSTART;
	if (!(m->wp_seq & 1)) {
		snprintf(ctx->err, sizeof(ctx->err), "write_protect_seq: end without begin");
		return -1;
	}
	m->wp_seq++;
	return 0;
}

int kb_mm_wp_seq_read(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	(void)a;
	KSTART;
	*ret = m->wp_seq;
	return 0;
}

int kb_mm_wp_seq_retry(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
{
	KSTART;
	*ret = m->wp_seq != (uint8_t)a[0];
	return 0;
}
