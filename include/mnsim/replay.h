/* Running one schedule and recording what each step did. */
#ifndef MNSIM_REPLAY_H
#define MNSIM_REPLAY_H

#include <stdint.h>

struct mn_prog;
struct mn_world;

struct mn_trace_step {
	int agent;
	uint32_t pc;
	char text[240];
	char err[160];
	uint32_t fired; /* checks that fired in this step */
	char trace[480]; /* notifier callbacks recorded by this step, one per line */
};

struct mn_trace {
	struct mn_trace_step *steps;
	int nsteps;
	int preemptions;
	struct mn_world *final; /* the world after the last step */
	int is_final;           /* no agent can step any more */
	char error[200];        /* why the schedule could not be followed */
};

/* Parses "0.1.1" into agent indices. Returns the count, or -1 with err set. */
int mn_schedule_parse(const char *s, int nagents, int **out, char *err, unsigned errlen);
/* Replays a schedule. Returns 0, or -1 with t->error set; t is filled in both cases. */
int mn_replay(const struct mn_prog *p, const char *schedule, struct mn_trace *t);
void mn_trace_free(struct mn_trace *t);
/* The run where the lowest-numbered agent that can step always does (each agent runs to
 * its end or until it blocks): the execution --trace-notifier shows by default.
 * Returns the schedule string (caller frees); at most max_steps steps. */
char *mn_first_schedule(const struct mn_prog *p, int max_steps);

#endif
