/* Observations over final states, and the bookkeeping shared by every search mode. */
#ifndef MN_OBSERVE_H
#define MN_OBSERVE_H

#include <pthread.h>
#include <stdint.h>

#include "../lang/program.h"
#include "mnsim/explore.h"
#include "memo.h"
#include "visited.h"

/* Whether observation k holds (check fired, condition true) in final state w. */
int mn_obs_holds(const struct mn_prog *p, const struct mn_world *w, size_t k);
/* A state is final when no agent can step. */
int mn_is_final(const struct mn_prog *p, const struct mn_world *w);
/* The state's fingerprint (never 0). */
uint64_t mn_world_hash(const struct mn_prog *p, const struct mn_world *w);
/* The same, reusing and filling the hashes in memo: its pieces' hashes, when it has them,
 * are those of the world was (NULL: none). */
uint64_t mn_world_hash_memo(const struct mn_prog *p, const struct mn_world *w,
			    struct mn_memo *memo, const struct mn_world *was);

/* Distinct final states and, per observation, how many satisfy it, with one witness each
 * way (as a schedule string). Safe to use from several workers. */
struct finals {
	struct visited set;
	uint64_t *pos, *neg;
	char **pos_witness, **neg_witness;
	size_t nobs;
	pthread_mutex_t lock;
};

void finals_init(struct finals *f, const struct mn_prog *p, int bits);
void finals_free(struct finals *f);
/* Records a final state; schedule() is called only if a witness is still missing. Returns
 * 1 when this final state is new, -1 when the table is full. */
int finals_add(struct finals *f, const struct mn_prog *p, const struct mn_world *w,
	       char *(*schedule)(void *), void *arg);

#endif
