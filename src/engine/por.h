/* Footprints for partial-order reduction: what each step touches, and what an agent may
 * still touch from where it stands. */
#ifndef MN_POR_H
#define MN_POR_H

#include "../lang/program.h"

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

/* The footprints mn_ample computes for each agent depend on that agent's own state only,
 * so along a path they stay valid until the agent steps: a cache of them, for callers
 * that step one agent at a time (chains). */
struct mn_ample_cache {
	uint64_t have; /* agents whose next and future are below */
	struct mn_fp next[64], future[64];
};
/* mn_ample with reduction, using and filling cache. */
int mn_ample_cached(const struct mn_prog *p, const struct mn_world *w, int *out,
		    struct mn_ample_cache *cache);
/* Agent a stepped: its footprints are stale. */
static inline void mn_ample_cache_step(struct mn_ample_cache *cache, int a)
{
	cache->have &= ~(1ull << a);
}
