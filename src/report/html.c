/* The report directory (mnsim-report/index.html): the verdict tables and every
 * counterexample as an inline SVG sequence diagram. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "../check/checks.h"
#include "../lang/program.h"
#include "report.h"

static void html_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else
			fputc(*s, f);
	}
}

static const char *cell(const struct mn_obs_result *o)
{
	return o->verdict == MN_NEVER ? "Never" : o->verdict == MN_SOMETIMES ? "Sometimes" :
		     o->verdict == MN_ALWAYS ? "Always" : "undecided";
}

/* The kernel checks, the columns of every table. */
static int is_column(const struct mn_prog *p, size_t k)
{
	return p->obs[k].kind == OBS_CHECK && mn_checks[p->obs[k].check].kernel;
}

void mn_report_table(FILE *f, struct mn_prog *const *progs, const struct mn_result *rs, size_t n)
{
	int any = 0;
	for (size_t i = 0; i < n; i++)
		any |= progs[i]->uses_kernel;
	if (!any)
		return;
	fprintf(f, "\n%-44s", "scenario");
	for (int c = 0; c < MN_NCHECKS; c++)
		if (mn_checks[c].kernel)
			fprintf(f, " %-11s", mn_checks[c].name);
	fprintf(f, " expectations\n");
	for (size_t i = 0; i < n; i++) {
		const struct mn_prog *p = progs[i];
		if (!p->uses_kernel)
			continue;
		fprintf(f, "%-44.44s", p->name);
		int failed = 0;
		for (size_t k = 0; k < rs[i].nobs; k++) {
			const struct mn_obs_result *o = &rs[i].obs[k];
			failed |= o->expect_status == 0;
			if (is_column(p, k))
				fprintf(f, " %-10s%s", cell(o),
					o->expect < 0 ? " " : o->expect_status > 0 ? "*" : "!");
		}
		fprintf(f, " %s\n", failed ? "FAILED" : "hold");
	}
	fprintf(f, "(* verdict expected by the scenario and reproduced; ! expected otherwise)\n");
}

/* The operation x device tables of scenarios/matrix/ (tests named matrix_OP__DEVICE),
 * one per kernel profile: each cell lists the checks that fired, or "quiet". */
enum { MX_OPS = 48, MX_DEVS = 8, MX_PROFILES = 6 };

struct matrix {
	char ops[MX_OPS][48], devs[MX_DEVS][48], profiles[MX_PROFILES][48];
	int nops, ndevs, nprofiles;
	int test[MX_PROFILES][MX_OPS][MX_DEVS]; /* index of the test + 1 */
};

static int intern(char (*names)[48], int *n, int cap, const char *s)
{
	int k;
	for (k = 0; k < *n && strcmp(names[k], s); k++)
		;
	if (k == *n && *n < cap)
		snprintf(names[(*n)++], sizeof(names[0]), "%s", s);
	return k < cap ? k : -1;
}

static void matrix_cell(char *buf, size_t len, const struct mn_prog *p, const struct mn_result *r)
{
	buf[0] = 0;
	for (size_t k = 0; k < r->nobs; k++)
		if (p->obs[k].kind == OBS_CHECK && r->obs[k].pos)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ? "," : "",
				 p->obs[k].name);
	if (!buf[0])
		snprintf(buf, len, "%s", r->incomplete ? "incomplete" : "quiet");
}

void mn_report_matrix(FILE *f, struct mn_prog *const *progs, const struct mn_result *rs, size_t n)
{
	struct matrix m;
	memset(&m, 0, sizeof(m));
	for (size_t i = 0; i < n; i++) {
		const char *name = progs[i]->name, *sep, *pr = progs[i]->profile;
		if (strncmp(name, "matrix_", 7) || !(sep = strstr(name, "__")))
			continue;
		char op[48];
		snprintf(op, sizeof(op), "%.*s", (int)(sep - name - 7), name + 7);
		int o = intern(m.ops, &m.nops, MX_OPS, op);
		int d = intern(m.devs, &m.ndevs, MX_DEVS, sep + 2);
		int q = intern(m.profiles, &m.nprofiles, MX_PROFILES, pr ? pr : "-");
		if (o >= 0 && d >= 0 && q >= 0)
			m.test[q][o][d] = (int)i + 1;
	}
	for (int q = 0; q < m.nprofiles; q++) {
		int w[MX_DEVS];
		char cellbuf[128];
		for (int d = 0; d < m.ndevs; d++) {
			w[d] = (int)strlen(m.devs[d]);
			for (int o = 0; o < m.nops; o++) {
				int t = m.test[q][o][d] - 1;
				if (t < 0)
					continue;
				matrix_cell(cellbuf, sizeof(cellbuf), progs[t], &rs[t]);
				if ((int)strlen(cellbuf) > w[d])
					w[d] = (int)strlen(cellbuf);
			}
		}
		fprintf(f, "\n%-16s", m.profiles[q]);
		for (int d = 0; d < m.ndevs; d++)
			fprintf(f, " %-*s", w[d], m.devs[d]);
		fprintf(f, "\n");
		for (int o = 0; o < m.nops; o++) {
			fprintf(f, "%-16s", m.ops[o]);
			for (int d = 0; d < m.ndevs; d++) {
				int t = m.test[q][o][d] - 1;
				if (t < 0)
					snprintf(cellbuf, sizeof(cellbuf), "-");
				else
					matrix_cell(cellbuf, sizeof(cellbuf), progs[t], &rs[t]);
				fprintf(f, " %-*s", w[d], cellbuf);
			}
			fprintf(f, "\n");
		}
	}
}

static FILE *open_index(const char *dir)
{
	char path[1024];
	if (mkdir(dir, 0755) && errno != EEXIST)
		return NULL;
	snprintf(path, sizeof(path), "%s/index.html", dir);
	return fopen(path, "w");
}

int mn_report_html(const char *dir, struct mn_prog *const *progs, const struct mn_result *rs,
		   size_t n)
{
	FILE *f = open_index(dir);
	if (!f)
		return -1;
	fprintf(f, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>mnsim report"
		   "</title>\n<style>body{font-family:sans-serif;margin:2em}table{border-collapse:"
		   "collapse}td,th{border:1px solid #bbb;padding:3px 8px;font-size:13px}"
		   ".S{background:#fde2e2}.N{background:#e6f4e6}.bad{color:#c00;font-weight:bold}"
		   "svg{border:1px solid #ddd;margin:1em 0}</style></head><body>\n");
	fprintf(f, "<h1>mnsim report</h1>\n<table><tr><th>scenario</th><th>file</th>");
	for (int c = 0; c < MN_NCHECKS; c++)
		fprintf(f, "<th>%s</th>", mn_checks[c].name);
	fprintf(f, "<th>conditions</th><th>expectations</th></tr>\n");
	for (size_t i = 0; i < n; i++) {
		const struct mn_prog *p = progs[i];
		int failed = 0;
		fprintf(f, "<tr><td><a href=\"#t%zu\">", i);
		html_text(f, p->name);
		fprintf(f, "</a></td><td>");
		html_text(f, p->path);
		fprintf(f, "</td>");
		for (int c = 0; c < MN_NCHECKS; c++) {
			size_t k;
			for (k = 0; k < rs[i].nobs; k++)
				if (p->obs[k].kind == OBS_CHECK && p->obs[k].check == c)
					break;
			if (k == rs[i].nobs) {
				fprintf(f, "<td></td>");
				continue;
			}
			const struct mn_obs_result *o = &rs[i].obs[k];
			fprintf(f, "<td class=\"%c%s\">%s</td>", cell(o)[0],
				o->expect_status == 0 ? " bad" : "", cell(o));
		}
		fprintf(f, "<td>");
		for (size_t k = 0; k < rs[i].nobs; k++) {
			if (p->obs[k].kind != OBS_COND)
				continue;
			html_text(f, p->obs[k].name);
			fprintf(f, ": %s ", cell(&rs[i].obs[k]));
		}
		for (size_t k = 0; k < rs[i].nobs; k++)
			failed |= rs[i].obs[k].expect_status == 0;
		fprintf(f, "</td><td class=\"%s\">%s</td></tr>\n", failed ? "bad" : "",
			failed ? "FAILED" : rs[i].incomplete ? "incomplete" : "hold");
	}
	fprintf(f, "</table>\n");
	for (size_t i = 0; i < n; i++) {
		const struct mn_prog *p = progs[i];
		fprintf(f, "<h2 id=\"t%zu\">", i);
		html_text(f, p->name);
		fprintf(f, "</h2>\n<p>%llu states, %llu final states, %.3f s</p>\n",
			(unsigned long long)rs[i].states, (unsigned long long)rs[i].finals,
			rs[i].seconds);
		for (size_t k = 0; k < rs[i].nobs; k++) {
			const struct mn_obs_result *o = &rs[i].obs[k];
			if (!o->cex)
				continue;
			struct mn_trace t;
			char title[256];
			mn_replay(p, o->cex, &t);
			snprintf(title, sizeof(title), "%s: %s %s", p->name, p->obs[k].name,
				 o->cex_positive ? "fires" : "does not hold");
			fprintf(f, "<h3>");
			html_text(f, title);
			fprintf(f, "</h3>\n<p>schedule <code>%s</code> (%d preemptions, %d steps)</p>\n",
				o->cex, t.preemptions, t.nsteps);
			mn_report_svg(f, p, &t, title);
			mn_trace_free(&t);
		}
	}
	fprintf(f, "</body></html>\n");
	return fclose(f) ? -1 : 0;
}
