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

/* The footprints mn_ample computes for each agent depend on that agent's own state only
 * (its pc, frames and arguments: no built-in writes another agent's part of the world),
 * so along a path they stay valid until the agent steps. A cache of them, with the
 * conflicts between them, for callers that step one agent at a time: chains, and the
 * successors of a state, each of which differs from it in one agent's footprints. */
struct mn_agent_fp {
	struct mn_fp next, future;
	uint64_t conf; /* running agents whose future conflicts with this one's next step */
};
struct mn_ample_cache {
	uint64_t have; /* running agents whose entry below is valid */
	struct mn_agent_fp agent[]; /* one per agent of the scenario */
};
/* A cache with room for any scenario (at most 64 agents), for a caller's stack. */
union mn_ample_cache_any {
	struct mn_ample_cache c;
	char room[sizeof(struct mn_ample_cache) + 64 * sizeof(struct mn_agent_fp)];
};
static inline size_t mn_ample_cache_size(const struct mn_prog *p)
{
	return sizeof(struct mn_ample_cache) + (size_t)p->nagents * sizeof(struct mn_agent_fp);
}
/* mn_ample with reduction, using and filling cache. */
int mn_ample_cached(const struct mn_prog *p, const struct mn_world *w, int *out,
		    struct mn_ample_cache *cache);
/* Agent a stepped: its footprints are stale (and so is its column of the others' conf). */
static inline void mn_ample_cache_step(struct mn_ample_cache *cache, int a)
{
	cache->have &= ~(1ull << a);
}
