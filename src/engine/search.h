/* The three ways of covering a scenario's interleavings. Each fills the counters of r and
 * the finals table; explore.c turns that into verdicts. */
#ifndef MN_SEARCH_H
#define MN_SEARCH_H

#include "observe.h"

/* Stateful depth-first search with a visited set, the reduction of `reduction` (enum
 * mn_reduction) and o->jobs workers sharing the visited set. */
void mn_search_stateful(const struct mn_prog *p, const struct mn_explore_opts *o,
			int reduction, struct finals *fin, struct mn_result *r);
/* Stateless enumeration of every interleaving, one core; a state already on the current
 * path ends the path (it is a cycle). */
void mn_search_naive(const struct mn_prog *p, const struct mn_explore_opts *o,
		     struct finals *fin, struct mn_result *r);
/* o->random_walks random walks from the initial state. */
void mn_search_random(const struct mn_prog *p, const struct mn_explore_opts *o,
		      struct finals *fin, struct mn_result *r);

double mn_now(void);

#endif
