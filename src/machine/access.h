/* A load or store by a CPU or a device engine: TLB lookup, hardware walk on a miss,
 * accessed/dirty bits as x86 sets them, and what the checks see on the way. */
#ifndef MN_ACCESS_H
#define MN_ACCESS_H

#include "../kernel/kstate.h"

enum mn_access_rc {
	MN_ACCESS_OK,
	MN_ACCESS_FAULT, /* no usable translation: the agent must fault into the kernel */
};

/* Accesses va in mm through tlb (a CPU's or a device's), whose walker has the
 * paging-structure cache psc (NULL: none). A store writes *val; a load returns the data
 * in *val. Checks that fire are or-ed into *fired. */
int mn_access(struct mn_kstate *ks, struct mn_tlbe *tlb, struct mn_psce *psc, int mm,
	      uint32_t va, int write, int32_t *val, uint32_t *fired);

/* A translation made when frame f had generation gen leads to memory that is gone: the
 * frame was freed (and maybe reused) since, or it is device memory its driver revoked. */
static inline int mn_frame_gone(const struct mn_page *f, uint16_t gen)
{
	return f->gen != gen || f->kind == MN_FRAME_FREE || (f->flags & MN_PG_IOMEM_REVOKED);
}

/* The word va reads in frame pfn: the frame's, or for a transparent huge page the
 * word of the subpage va falls in (a THP is mapped PMD-aligned, so the index of va's page
 * in its PMD is the subpage's). */
int32_t *mn_page_word(struct mn_kstate *ks, int pfn, uint32_t va);
/* The last completed write to va in mm, or 0 (none) / 1 (found). */
int mn_wlog_get(const struct mn_kstate *ks, int mm, uint32_t va, int32_t *value);
void mn_wlog_set(struct mn_kstate *ks, int mm, uint32_t va, int32_t value);
/* The kernel threw va's data away on purpose (MADV_DONTNEED, munmap). */
void mn_wlog_discard(struct mn_kstate *ks, int mm, uint32_t va);
/* 1 when log slot i holds a page of mm, whose address goes to *va. */
int mn_wlog_at(const struct mn_kstate *ks, int i, int mm, uint32_t *va);

#endif
