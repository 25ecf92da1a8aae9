/* What the search knows of a state that it would otherwise compute again for each
 * successor. Most of it concerns one agent and depends on that agent's part of the world
 * alone (its pc, frames, stack and registers: no built-in writes another agent's part), so
 * it stays valid along a path until the agent steps: its footprints, their conflicts with
 * the others', the hash of its part. Chains step one agent at a time, and each successor
 * of a state differs from it in one agent: both keep the rest. The part of the world
 * before the agents (the kernel state, shared variables) is hashed in pieces, and a
 * successor hashes again only the pieces where it differs from the state it came from. */
#ifndef MN_MEMO_H
#define MN_MEMO_H

#include <stddef.h>
#include <stdint.h>

#include "../lang/program.h"

/* Bytes in a piece of the part before the agents (observe.c). */
#define MN_HASH_PIECE 128

struct mn_agent_memo {
	struct mn_fp next, future;
	uint64_t conf; /* running agents whose future conflicts with this one's next step */
};

struct mn_memo {
	uint64_t have_fp;     /* running agents whose next, future and conf are valid */
	uint64_t have_hash;   /* agents whose hash is valid */
	uint64_t have_pieces; /* 1: the pieces' hashes are those of the world they came with */
	struct mn_agent_memo agent[]; /* one per agent of the scenario, then the hashes */
};

/* A memo with room for the footprints of any scenario (at most 64 agents), for a caller's
 * stack: chains and mn_ample, which use nothing else. */
union mn_memo_any {
	struct mn_memo m;
	char room[sizeof(struct mn_memo) + 64 * sizeof(struct mn_agent_memo)];
};

static inline size_t mn_memo_pieces(const struct mn_prog *p)
{
	return (p->layout.agent_off + MN_HASH_PIECE - 1) / MN_HASH_PIECE;
}

/* The hashes: the pieces', then the agents'. */
static inline uint64_t *mn_memo_hashes(const struct mn_prog *p, struct mn_memo *m)
{
	return (uint64_t *)&m->agent[p->nagents];
}

static inline size_t mn_memo_size(const struct mn_prog *p)
{
	return sizeof(struct mn_memo) + (size_t)p->nagents * sizeof(struct mn_agent_memo) +
	       (mn_memo_pieces(p) + (size_t)p->nagents) * sizeof(uint64_t);
}

static inline void mn_memo_clear(struct mn_memo *m)
{
	m->have_fp = m->have_hash = m->have_pieces = 0;
}

/* Agent a stepped: what is known of it is stale. */
static inline void mn_memo_step(struct mn_memo *m, int a)
{
	m->have_fp &= ~(1ull << a);
	m->have_hash &= ~(1ull << a);
}

#endif
