/* The counterexample worth showing: fewest preemptions, then fewest steps. */
#ifndef MN_CEX_H
#define MN_CEX_H

#include <stdint.h>

#include "../lang/program.h"

/* Searches the unreduced state graph, cheapest first, for an execution where observation
 * k holds (want = 1) or fails (want = 0): for a check that fires mid-run, the first state
 * where it has fired; otherwise a final state. Gives up after limit states. Returns the
 * schedule (caller frees) or NULL. */
char *mn_min_cex(const struct mn_prog *p, size_t k, int want, uint64_t limit, int *preemptions,
		 int *steps);

#endif
