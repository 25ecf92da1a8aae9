/* Footprints for partial-order reduction: what each step touches, and what an agent may
 * still touch from where it stands. */
#ifndef MN_POR_H
#define MN_POR_H

#include "../lang/program.h"
#include "memo.h"

/* Computes prog->fp_static and prog->fp_future. */
void mn_por_prepare(struct mn_prog *p);
/* What agent i's next step touches, with its actual arguments. */
void mn_next_fp(const struct mn_prog *p, const struct mn_world *w, int i, struct mn_fp *fp);
/* What agent i may touch from now until it finishes (its next step included). */
void mn_future_fp(const struct mn_prog *p, const struct mn_world *w, int i, struct mn_fp *fp);

#endif

/* Chooses which agents to explore from w (a persistent set of enabled agents: no step of
 * another agent can interfere with them before one of them moves). Writes their indices
 * to out in increasing order and returns how many; 0 means w is final. With reduce == 0,
 * every enabled agent. */
int mn_ample(const struct mn_prog *p, const struct mn_world *w, int reduce, int *out);

/* mn_ample with reduction, using and filling the footprints memo holds (memo.h). */
int mn_ample_cached(const struct mn_prog *p, const struct mn_world *w, int *out,
		    struct mn_memo *memo);
