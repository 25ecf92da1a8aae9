/* Steps that need no choice. Where a state's persistent set is one agent, the search has
 * nothing to decide: that agent steps, and the state in between need not be stored. The
 * stateful searches (threads and MPI) follow such chains without storing the states on
 * them, and the schedules they record name only the steps that began a chain;
 * mn_chain_expand turns such a schedule into the full one that --replay runs. */
#ifndef MN_CHAIN_H
#define MN_CHAIN_H

#include "../lang/program.h"

/* Longest chain followed before a state is stored anyway: a chain that cycles (an agent
 * spinning alone) then ends on a stored state that the visited set recognises. */
#define MN_CHAIN_MAX 256

struct mn_memo;

/* From w, steps while the persistent set of w is a single agent and fewer than
 * MN_CHAIN_MAX steps were taken. memo (NULL: an empty one of its own) holds what is known
 * of w's agents (memo.h) and is left valid for the state the chain ends in. Appends the agents stepped to out (if not NULL, room
 * for MN_CHAIN_MAX) and returns how many. When ample is not NULL it receives the
 * persistent set of the state the chain ends in (*nample agents; 0: a final state;
 * -1: unknown, the chain was cut at MN_CHAIN_MAX), which the caller need not compute
 * again. */
int mn_chain_follow(const struct mn_prog *p, struct mn_world *w, struct mn_memo *memo,
		    int *out, int *ample, int *nample);

/* The full schedule of a schedule of chain starts (both "0.1.1" strings); caller frees. */
char *mn_chain_expand(const struct mn_prog *p, const char *starts);

#endif
