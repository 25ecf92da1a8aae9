#include <string.h>

#include "../check/checks.h"
#include "../lang/program.h"
#include "report.h"

static void jstr(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void mn_report_json_trace(FILE *f, const struct mn_prog *p, const struct mn_trace *t)
{
	fprintf(f, "{\"preemptions\":%d,\"final\":%s,\"steps\":[", t->preemptions,
		t->is_final ? "true" : "false");
	for (int i = 0; i < t->nsteps; i++) {
		const struct mn_trace_step *s = &t->steps[i];
		fprintf(f, "%s{\"agent\":", i ? "," : "");
		jstr(f, p->agents[s->agent].name);
		fprintf(f, ",\"text\":");
		jstr(f, s->text);
		fprintf(f, ",\"line\":%d", p->dbg[s->pc].loc.line);
		if (s->err[0]) {
			fprintf(f, ",\"error\":");
			jstr(f, s->err);
		}
		fprintf(f, ",\"fired\":[");
		int first = 1;
		for (int c = 0; c < MN_NCHECKS; c++) {
			if ((s->fired >> c) & 1) {
				fprintf(f, "%s", first ? "" : ",");
				jstr(f, mn_checks[c].name);
				first = 0;
			}
		}
		fprintf(f, "]}");
	}
	fprintf(f, "]");
	if (t->error[0]) {
		fprintf(f, ",\"replay_error\":");
		jstr(f, t->error);
	}
	fprintf(f, "}");
}

void mn_report_json(FILE *f, const struct mn_prog *p, const struct mn_result *r)
{
	fprintf(f, "{\"test\":");
	jstr(f, p->name);
	fprintf(f, ",\"file\":");
	jstr(f, p->path);
	fprintf(f, ",\"kernel\":");
	if (p->profile)
		jstr(f, p->profile);
	else
		fprintf(f, "null");
	fprintf(f,
		",\"states\":%llu,\"transitions\":%llu,\"executions\":%llu,\"finals\":%llu,"
		"\"incomplete\":%s",
		(unsigned long long)r->states, (unsigned long long)r->transitions,
		(unsigned long long)r->executions, (unsigned long long)r->finals,
		r->incomplete ? "true" : "false");
	if (r->incomplete) {
		fprintf(f, ",\"incomplete_reason\":");
		jstr(f, r->incomplete_reason);
	}
	fprintf(f, ",\"seconds\":%.6f,\"observations\":[", r->seconds);
	for (size_t k = 0; k < r->nobs; k++) {
		const struct mn_obs_result *o = &r->obs[k];
		fprintf(f, "%s{\"name\":", k ? "," : "");
		jstr(f, p->obs[k].name);
		fprintf(f, ",\"kind\":\"%s\",\"verdict\":\"%s\",\"pos\":%llu,\"neg\":%llu",
			p->obs[k].kind == OBS_CHECK ? "check" : "condition",
			mn_verdict_name(o->verdict), (unsigned long long)o->pos,
			(unsigned long long)o->neg);
		if (o->expect >= 0)
			fprintf(f, ",\"expect\":\"%s\",\"expect_status\":\"%s\"",
				mn_verdict_name(o->expect),
				o->expect_status > 0 ? "ok" : o->expect_status == 0 ? "failed" :
										      "undecided");
		if (o->cex) {
			struct mn_trace t;
			mn_replay(p, o->cex, &t);
			fprintf(f, ",\"counterexample\":{\"schedule\":");
			jstr(f, o->cex);
			fprintf(f, ",\"shows\":\"%s\",\"minimal\":%s,\"trace\":",
				o->cex_positive ? "holds" : "fails", o->cex_minimal ? "true" : "false");
			mn_report_json_trace(f, p, &t);
			fprintf(f, "}");
			mn_trace_free(&t);
		}
		fprintf(f, "}");
	}
	fprintf(f, "]}");
}
