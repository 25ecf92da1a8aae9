/* Running agents' code over a world. An agent always rests poised before its next step
 * (or finished): local computation runs eagerly, right after the step before it. */
#ifndef MN_INTERP_H
#define MN_INTERP_H

#include "program.h"

/* What one step did, for traces. */
struct mn_step_note {
	uint32_t pc;      /* the step's instruction */
	char text[240];   /* "write x = 1", "lock(m)" */
	char err[160];    /* runtime error that stopped the agent, if any */
	uint32_t fired;   /* checks that fired during this step */
	char trace[480];  /* notifier callbacks this step recorded, one per line */
};

/* Runs agent i's local code until it is poised before a step, finished or faulted. */
void mn_settle(const struct mn_prog *p, struct mn_world *w, int i, struct mn_step_note *note);
/* Whether agent i is poised before a step that can run now. */
int mn_enabled(const struct mn_prog *p, const struct mn_world *w, int i);
/* Runs agent i's next step (which must be enabled), then settles it. */
void mn_step(const struct mn_prog *p, struct mn_world *w, int i, struct mn_step_note *note);
/* Evaluates a final condition's code. Returns 0, or -1 on a runtime error. */
int mn_eval_cond(const struct mn_prog *p, const struct mn_world *w, uint32_t pc, mn_val *out);
/* Builds the initial world: kernel state, shared values, agents poised at their first
 * step. Returns NULL with err set when the scenario does not fit the model. Notifier
 * trace lines recorded before the first steps go to init_trace (MN_INIT_TRACE bytes). */
#define MN_INIT_TRACE 1024
struct mn_world *mn_world_init(const struct mn_prog *p, char *err, unsigned errlen,
			       char *init_trace);

#endif
