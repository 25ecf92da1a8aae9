#include "mnsim/replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lang/interp.h"
#include "../util/xalloc.h"

int mn_schedule_parse(const char *s, int nagents, int **out, char *err, unsigned errlen)
{
	size_t cap = 16, n = 0;
	int *v = xmalloc(cap * sizeof(int));
	const char *p = s;

	while (*p) {
		char *end;
		if (*p < '0' || *p > '9') {
			snprintf(err, errlen, "schedule: expected an agent number at offset %d",
				 (int)(p - s));
			free(v);
			return -1;
		}
		long a = strtol(p, &end, 10);
		if (a >= nagents) {
			snprintf(err, errlen, "schedule: no agent %ld (the scenario has %d)", a,
				 nagents);
			free(v);
			return -1;
		}
		if (n == cap) {
			cap *= 2;
			v = xrealloc(v, cap * sizeof(int));
		}
		v[n++] = (int)a;
		p = end;
		if (*p == '.' && p[1])
			p++;
		else if (*p) {
			snprintf(err, errlen, "schedule: expected '.' at offset %d", (int)(p - s));
			free(v);
			return -1;
		}
	}
	*out = v;
	return (int)n;
}

int mn_replay(const struct mn_prog *p, const char *schedule, struct mn_trace *t)
{
	int *seq = NULL;
	memset(t, 0, sizeof(*t));
	t->final = xmalloc(p->layout.size);
	memcpy(t->final, p->init, p->layout.size);
	int n = mn_schedule_parse(schedule, p->nagents, &seq, t->error, sizeof(t->error));
	if (n < 0)
		return -1;
	t->steps = xcalloc((size_t)(n ? n : 1), sizeof(*t->steps));
	int last = -1, rc = 0;
	for (int i = 0; i < n; i++) {
		int a = seq[i];
		if (!mn_enabled(p, t->final, a)) {
			snprintf(t->error, sizeof(t->error), "step %d: agent %s cannot step (%s)",
				 i + 1, p->agents[a].name,
				 mn_agent_c(t->final, &p->layout, a)->status == MN_AGENT_RUNNING ?
					 "blocked" :
					 "finished");
			rc = -1;
			break;
		}
		if (last >= 0 && a != last && mn_enabled(p, t->final, last))
			t->preemptions++;
		struct mn_step_note note;
		mn_step(p, t->final, a, &note);
		struct mn_trace_step *st = &t->steps[t->nsteps++];
		st->agent = a;
		st->pc = note.pc;
		memcpy(st->text, note.text, sizeof(st->text));
		memcpy(st->err, note.err, sizeof(st->err));
		st->fired = note.fired;
		memcpy(st->trace, note.trace, sizeof(st->trace));
		last = a;
	}
	free(seq);
	t->is_final = 1;
	for (int i = 0; i < p->nagents; i++)
		if (mn_enabled(p, t->final, i))
			t->is_final = 0;
	return rc;
}

void mn_trace_free(struct mn_trace *t)
{
	free(t->steps);
	free(t->final);
	memset(t, 0, sizeof(*t));
}

char *mn_first_schedule(const struct mn_prog *p, int max_steps)
{
	struct mn_world *w = xmalloc(p->layout.size);
	char *s = xmalloc((size_t)max_steps * 4 + 1);
	size_t len = 0;
	s[0] = 0;
	memcpy(w, p->init, p->layout.size);
	for (int n = 0; n < max_steps; n++) {
		int a;
		for (a = 0; a < p->nagents && !mn_enabled(p, w, a); a++)
			;
		if (a == p->nagents)
			break;
		mn_step(p, w, a, NULL);
		len += (size_t)sprintf(s + len, len ? ".%d" : "%d", a);
	}
	free(w);
	return s;
}
