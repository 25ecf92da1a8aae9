/* What the search knows of each agent of a state that depends on that agent's part of the
 * world alone (its pc, frames, stack and registers: no built-in writes another agent's
 * part), so that it stays valid along a path until the agent steps: its footprints, their
 * conflicts with the others', the hash of its part. Chains step one agent at a time, and
 * each successor of a state differs from it in one agent: both keep the rest. */
#ifndef MN_MEMO_H
#define MN_MEMO_H

#include <stddef.h>
#include <stdint.h>

#include "../lang/program.h"

struct mn_agent_memo {
	struct mn_fp next, future;
	uint64_t conf; /* running agents whose future conflicts with this one's next step */
	uint64_t hash; /* of the agent's live part (observe.c) */
};

struct mn_memo {
	uint64_t have_fp;   /* running agents whose next, future and conf are valid */
	uint64_t have_hash; /* agents whose hash is valid */
	struct mn_agent_memo agent[]; /* one per agent of the scenario */
};

/* A memo with room for any scenario (at most 64 agents), for a caller's stack. */
union mn_memo_any {
	struct mn_memo m;
	char room[sizeof(struct mn_memo) + 64 * sizeof(struct mn_agent_memo)];
};

static inline size_t mn_memo_size(const struct mn_prog *p)
{
	return sizeof(struct mn_memo) + (size_t)p->nagents * sizeof(struct mn_agent_memo);
}

static inline void mn_memo_clear(struct mn_memo *m)
{
	m->have_fp = m->have_hash = 0;
}

/* Agent a stepped: what is known of it is stale. */
static inline void mn_memo_step(struct mn_memo *m, int a)
{
	m->have_fp &= ~(1ull << a);
	m->have_hash &= ~(1ull << a);
}

#endif
