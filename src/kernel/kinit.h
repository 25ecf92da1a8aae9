/* The kernel state a scenario starts from, and the final-state judgement of lost writes. */
#ifndef MN_KINIT_H
#define MN_KINIT_H

#include "../lang/program.h"

/* Builds mms, VMAs, populated pages, devices bound and registered. Returns 0, or -1 with
 * a message when the declared memory does not fit the model's capacities. */
int mn_kernel_init(const struct mn_prog *p, struct mn_world *w, char *err, unsigned errlen);
/* Whether the mms allocate page-table pages from shares of their own: with more than one
 * mm and no PMD page shared between mms (a page another mm may free would come back
 * to the wrong share). */
int mn_kernel_pt_split(const struct mn_prog *p);
/* Whether some completed write is not in the final memory at its address. */
int mn_kernel_lost_write(const struct mn_prog *p, const struct mn_world *w);

#endif
