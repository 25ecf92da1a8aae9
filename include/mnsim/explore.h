/* Exploring every interleaving of a scenario. */
#ifndef MNSIM_EXPLORE_H
#define MNSIM_EXPLORE_H

#include <stddef.h>
#include <stdint.h>

struct mn_prog;
struct mn_mpi;

enum mn_verdict { MN_NEVER, MN_SOMETIMES, MN_ALWAYS, MN_UNDECIDED };

/* Reduction of the stateful search. Persistent sets are chosen from the state alone, so
 * counts do not depend on the workers; sleep sets depend on the order of search, so modes
 * that use them run on one worker. */
enum mn_reduction {
	MN_RED_PERSISTENT, /* default */
	MN_RED_SLEEP,
	MN_RED_BOTH,
	MN_RED_NONE,
};

struct mn_explore_opts {
	int no_reduction;      /* naive enumeration of every interleaving (one core) */
	int reduction;         /* enum mn_reduction, for the stateful search */
	int jobs;              /* worker threads; 0 means every core */
	uint64_t max_states;   /* 0: bounded only by the state table */
	uint32_t max_depth;    /* 0: none */
	int max_preemptions;   /* -1: none */
	double timeout;        /* seconds; 0: none */
	uint64_t random_walks; /* > 0: random walks instead of exhaustive search */
	uint64_t seed;
	int progress;          /* states, rate, depth and time on stderr */
	int collect_finals;    /* keep the hashes of distinct final states (tests) */
	int table_bits;        /* log2 of the visited-set size; 0: default */
	int table_bits_max;    /* the stateful search may grow the set up to this; 0: no */
	int no_min_cex;        /* skip the search for the smallest counterexample */
	struct mn_mpi *mpi;    /* partition the search across MPI ranks; rank 0 gets the
				* results (src/engine/mpi.h) */
};

struct mn_obs_result {
	uint64_t pos, neg;       /* distinct final states where it fired / held, and not */
	enum mn_verdict verdict; /* MN_UNDECIDED when a bound cut the run */
	int expect;              /* -1 none, else the expected enum mn_verdict */
	int expect_status;       /* 1 holds, 0 fails, -1 undecided */
	char *cex;               /* schedule of the counterexample to show, or NULL */
	int cex_positive;        /* the counterexample shows it firing (1) or not (0) */
	int cex_preemptions;
	int cex_steps;
	int cex_minimal;         /* found by the fewest-preemptions search */
};

struct mn_result {
	uint64_t states;      /* distinct states explored (tree nodes with --no-reduction) */
	uint64_t transitions;
	uint64_t executions;  /* complete executions: transitions into a final state */
	uint64_t finals;      /* distinct final states */
	uint32_t max_depth;
	int incomplete;
	char incomplete_reason[96];
	double seconds;
	struct mn_obs_result *obs;
	size_t nobs;
	uint64_t *final_hashes; /* sorted, with collect_finals */
	size_t nfinal_hashes;
};

void mn_explore_defaults(struct mn_explore_opts *o);
/* Returns 0; fills r (free it with mn_result_free). */
int mn_explore(const struct mn_prog *p, const struct mn_explore_opts *o, struct mn_result *r);
void mn_result_free(struct mn_result *r);

/* Exit status for a set of results: 0 all expectations hold, 1 one fails, 3 incomplete. */
int mn_result_status(const struct mn_result *r);

#endif
