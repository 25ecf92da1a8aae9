#include <string.h>

#include "../check/checks.h"
#include "../lang/program.h"
#include "report.h"

const char *mn_verdict_name(int v)
{
	static const char *const names[] = { "Never", "Sometimes", "Always", "Undecided" };
	return v >= 0 && v <= 3 ? names[v] : "?";
}

void mn_report_text(FILE *f, const struct mn_prog *p, const struct mn_result *r)
{
	fprintf(f, "Test %s\n", p->name);
	if (p->profile)
		fprintf(f, "Kernel %s\n", p->profile);
	fprintf(f, "States %llu\n", (unsigned long long)r->states);
	fprintf(f, "Transitions %llu\n", (unsigned long long)r->transitions);
	fprintf(f, "Executions %llu\n", (unsigned long long)r->executions);
	fprintf(f, "Finals %llu\n", (unsigned long long)r->finals);
	for (size_t k = 0; k < r->nobs; k++)
		fprintf(f, "Observation %s %s %llu %llu\n", p->obs[k].name,
			mn_verdict_name(r->obs[k].verdict), (unsigned long long)r->obs[k].pos,
			(unsigned long long)r->obs[k].neg);
	for (size_t k = 0; k < r->nobs; k++) {
		const struct mn_obs_result *o = &r->obs[k];
		if (o->expect < 0)
			continue;
		fprintf(f, "Expect %s %s: %s\n", p->obs[k].name, mn_verdict_name(o->expect),
			o->expect_status > 0  ? "ok" :
			o->expect_status == 0 ? "FAILED" :
						"undecided (incomplete)");
	}
	if (r->incomplete)
		fprintf(f, "Incomplete: %s\n", r->incomplete_reason);
	fprintf(f, "Time %s %.3f\n", p->name, r->seconds);
	for (size_t k = 0; k < r->nobs; k++) {
		const struct mn_obs_result *o = &r->obs[k];
		if (!o->cex)
			continue;
		struct mn_trace t;
		int rc = mn_replay(p, o->cex, &t);
		fprintf(f, "\nCounterexample %s: %s (%d preemption%s, %d steps%s)\n",
			p->obs[k].name,
			o->cex_positive ? (p->obs[k].kind == OBS_CHECK ? "fires" : "holds") :
					  "does not hold",
			t.preemptions, t.preemptions == 1 ? "" : "s", t.nsteps,
			o->cex_minimal ? "" : "; not minimised");
		fprintf(f, "Schedule %s\n", o->cex[0] ? o->cex : "(empty)");
		mn_report_columns(f, p, &t);
		if (rc)
			fprintf(f, "replay failed: %s\n", t.error);
		mn_trace_free(&t);
	}
}

static int utf8_len(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

#define COL_MAX 44

void mn_report_columns(FILE *f, const struct mn_prog *p, const struct mn_trace *t)
{
	int width[64];
	for (int a = 0; a < p->nagents; a++) {
		char head[96];
		snprintf(head, sizeof(head), "%s%s%s", p->agents[a].name, p->agents[a].place ? " @" : "",
			 p->agents[a].place ? p->agents[a].place : "");
		width[a] = utf8_len(head);
	}
	for (int i = 0; i < t->nsteps; i++) {
		int a = t->steps[i].agent, n = utf8_len(t->steps[i].text);
		if (n > width[a])
			width[a] = n > COL_MAX ? COL_MAX : n;
	}
	fprintf(f, " step");
	for (int a = 0; a < p->nagents; a++) {
		char head[96];
		snprintf(head, sizeof(head), "%s%s%s", p->agents[a].name, p->agents[a].place ? " @" : "",
			 p->agents[a].place ? p->agents[a].place : "");
		fprintf(f, " | %-*s", width[a], head);
	}
	fputc('\n', f);
	for (int i = 0; i < t->nsteps; i++) {
		const struct mn_trace_step *s = &t->steps[i];
		fprintf(f, " %4d", i + 1);
		for (int a = 0; a < p->nagents; a++) {
			if (a != s->agent) {
				fprintf(f, " | %-*s", width[a], "");
				continue;
			}
			char cell[512];
			if (utf8_len(s->text) > COL_MAX)
				snprintf(cell, sizeof(cell), "%.*s...", COL_MAX - 3, s->text);
			else
				snprintf(cell, sizeof(cell), "%s", s->text);
			fprintf(f, " | %-*s", width[a], cell);
		}
		for (int c = 0; c < MN_NCHECKS; c++)
			if ((s->fired >> c) & 1)
				fprintf(f, "  <-- %s", mn_checks[c].name);
		fputc('\n', f);
		if (s->err[0])
			fprintf(f, "      %s stopped: %s\n", p->agents[s->agent].name, s->err);
	}
	if (t->is_final) {
		int blocked = 0;
		for (int a = 0; a < p->nagents; a++)
			if (mn_agent_c(t->final, &p->layout, a)->status == MN_AGENT_RUNNING)
				blocked = 1;
		if (blocked) {
			fprintf(f, "      blocked:");
			for (int a = 0; a < p->nagents; a++)
				if (mn_agent_c(t->final, &p->layout, a)->status == MN_AGENT_RUNNING)
					fprintf(f, " %s", p->agents[a].name);
			fprintf(f, "  <-- deadlock\n");
		}
	}
}
