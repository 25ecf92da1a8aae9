/* Measuring the reduction against its optimum: the number of Mazurkiewicz traces of a
 * scenario's maximal executions, and how many maximal executions a stateless search that
 * follows only persistent sets (mn_ample) enumerates. Every trace has at least one
 * execution among the persistent ones (persistent sets preserve every trace of the
 * maximal executions of an acyclic state space), so their ratio is at least 1 and says how
 * far the persistent sets are from optimal. Small scenarios only: both enumerate paths
 * without a visited set. */
#ifndef MN_TRACES_H
#define MN_TRACES_H

#include <stdint.h>

#include "../lang/program.h"

/* Which paths the enumeration follows from each state. */
enum mn_trace_mode {
	MN_TRACES_ALL,        /* every enabled agent (the naive engine's executions) */
	MN_TRACES_PERSISTENT, /* mn_ample's persistent set */
	MN_TRACES_SLEEP,      /* the persistent set minus a sleep set (Godefroid) */
};

struct mn_trace_count {
	uint64_t executions; /* maximal executions enumerated */
	uint64_t traces;     /* distinct Mazurkiewicz traces among them */
	uint64_t cycles;     /* paths cut where a state repeated on the path (not counted) */
	uint64_t sleeping;   /* MN_TRACES_SLEEP: paths ended because every enabled agent slept */
	int incomplete;      /* more than the limit of executions: the counts are partial */
};

/* Enumerates the maximal executions from the initial state, following the agents of mode
 * at each state, and counts them and their traces. Two steps are dependent when one agent
 * takes both or their footprints (mn_next_fp before each step) conflict; a trace is an
 * execution up to swapping adjacent independent steps, identified by its Foata normal
 * form (128-bit hash). Stops, incomplete, after `limit` paths (executions and cycles). */
void mn_count_traces(const struct mn_prog *p, enum mn_trace_mode mode, uint64_t limit,
		     struct mn_trace_count *c);

#endif
