/* Counterexamples as sequence diagrams: SVG and Graphviz dot. One lifeline per agent
 * (CPU threads, device engines, kernel threads); each step a box on its agent's lifeline;
 * notifier callbacks drawn as arrows from the calling agent to the device engines, TLB
 * shootdowns as arrows to the CPU threads; the step where a check fired in red. */
#include <string.h>

#include "../check/checks.h"
#include "../lang/program.h"
#include "report.h"

#define COL_W 230
#define ROW_H 24
#define TOP 60
#define LEFT 20

static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f); break;
		}
	}
}

static void agent_label(const struct mn_prog *p, int a, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s%s", p->agents[a].name, p->agents[a].place ? " @" : "",
		 p->agents[a].place ? p->agents[a].place : "");
}

/* Whom a step talks to: devices for notifier callbacks and IOTLB flushes, CPUs for TLB
 * shootdowns. Returns a bit per agent. */
static uint64_t callees(const struct mn_prog *p, const struct mn_trace_step *s)
{
	uint64_t m = 0;
	int notifier = s->trace[0] != 0 || strstr(s->text, "iotlb_flush(") ||
		       strstr(s->text, "dev_stop(");
	int shootdown = strstr(s->text, "flush_tlb") || strstr(s->text, "ptep_clear_flush");
	for (int a = 0; a < p->nagents; a++) {
		if (a == s->agent)
			continue;
		if (notifier && p->agents[a].dev >= 0)
			m |= 1ull << a;
		if (shootdown && p->agents[a].cpu >= 0)
			m |= 1ull << a;
	}
	return m;
}

static const char *fired_name(uint32_t fired)
{
	for (int c = 0; c < MN_NCHECKS; c++)
		if ((fired >> c) & 1)
			return mn_checks[c].name;
	return NULL;
}

void mn_report_svg(FILE *f, const struct mn_prog *p, const struct mn_trace *t, const char *title)
{
	int w = LEFT * 2 + COL_W * p->nagents, h = TOP + ROW_H * (t->nsteps + 2);
	char buf[128];

	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		   "font-family=\"monospace\" font-size=\"11\">\n", w, h);
	fprintf(f, "<title>");
	xml_text(f, title);
	fprintf(f, "</title>\n<defs><marker id=\"arrow\" markerWidth=\"8\" markerHeight=\"8\" "
		   "refX=\"7\" refY=\"4\" orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 z\" "
		   "fill=\"#555\"/></marker></defs>\n");
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	for (int a = 0; a < p->nagents; a++) {
		int x = LEFT + COL_W * a + COL_W / 2;
		agent_label(p, a, buf, sizeof(buf));
		fprintf(f, "<rect x=\"%d\" y=\"10\" width=\"%d\" height=\"26\" rx=\"4\" "
			   "fill=\"#dde6f0\" stroke=\"#345\"/>\n", x - COL_W / 2 + 10, COL_W - 20);
		fprintf(f, "<text x=\"%d\" y=\"27\" text-anchor=\"middle\" font-weight=\"bold\">", x);
		xml_text(f, buf);
		fprintf(f, "</text>\n<line x1=\"%d\" y1=\"36\" x2=\"%d\" y2=\"%d\" stroke=\"#999\" "
			   "stroke-dasharray=\"4,3\"/>\n", x, x, h - 10);
	}
	for (int i = 0; i < t->nsteps; i++) {
		const struct mn_trace_step *s = &t->steps[i];
		int x = LEFT + COL_W * s->agent + COL_W / 2, y = TOP + ROW_H * i;
		const char *fired = fired_name(s->fired);
		uint64_t to = callees(p, s);
		for (int a = 0; a < p->nagents; a++) {
			if (!((to >> a) & 1))
				continue;
			int x2 = LEFT + COL_W * a + COL_W / 2;
			fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555\" "
				   "marker-end=\"url(#arrow)\"/>\n", x, y + 10, x2 + (x2 > x ? -4 : 4),
				y + 10);
		}
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"3\" fill=\"%s\" "
			   "stroke=\"%s\"/>\n", x - COL_W / 2 + 6, y, COL_W - 12, ROW_H - 4,
			fired ? "#f6c6c6" : "#f7f7f7", fired ? "#c00" : "#888");
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", x, y + 14);
		snprintf(buf, sizeof(buf), "%d %.30s%s", i + 1, s->text, strlen(s->text) > 30 ? "..." : "");
		xml_text(f, buf);
		fprintf(f, "</text>\n");
		if (fired) {
			fprintf(f, "<text x=\"%d\" y=\"%d\" fill=\"#c00\" font-weight=\"bold\">%s</text>\n",
				x + COL_W / 2 - 4, y + 14, fired);
		}
		if (s->err[0]) {
			fprintf(f, "<text x=\"%d\" y=\"%d\" fill=\"#c00\">", x - COL_W / 2 + 8, y + ROW_H + 8);
			xml_text(f, s->err);
			fprintf(f, "</text>\n");
		}
	}
	fprintf(f, "</svg>\n");
}

static void dot_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
}

void mn_report_dot(FILE *f, const struct mn_prog *p, const struct mn_trace *t, const char *title)
{
	char buf[128];
	fprintf(f, "digraph \"");
	dot_text(f, title);
	fprintf(f, "\" {\n  rankdir=TB; node [shape=box, fontname=monospace, fontsize=10];\n");
	for (int a = 0; a < p->nagents; a++) {
		agent_label(p, a, buf, sizeof(buf));
		fprintf(f, "  subgraph cluster_%d { label=\"", a);
		dot_text(f, buf);
		fprintf(f, "\";\n    a%d_head [label=\"", a);
		dot_text(f, buf);
		fprintf(f, "\", style=filled, fillcolor=\"#dde6f0\"];\n");
		int prev = -1;
		for (int i = 0; i < t->nsteps; i++) {
			const struct mn_trace_step *s = &t->steps[i];
			if (s->agent != a)
				continue;
			const char *fired = fired_name(s->fired);
			fprintf(f, "    s%d [label=\"%d: ", i, i + 1);
			dot_text(f, s->text);
			if (fired)
				fprintf(f, "\\n<-- %s\", color=red, fontcolor=red];\n", fired);
			else
				fprintf(f, "\"];\n");
			if (prev < 0)
				fprintf(f, "    a%d_head -> s%d [style=dashed, arrowhead=none];\n", a, i);
			else
				fprintf(f, "    s%d -> s%d [style=dashed, arrowhead=none];\n", prev, i);
			prev = i;
		}
		fprintf(f, "  }\n");
	}
	for (int i = 0; i < t->nsteps; i++) {
		uint64_t to = callees(p, &t->steps[i]);
		for (int a = 0; a < p->nagents; a++)
			if ((to >> a) & 1)
				fprintf(f, "  s%d -> a%d_head [constraint=false, color=\"#555\"];\n", i, a);
		if (i + 1 < t->nsteps)
			fprintf(f, "  s%d -> s%d [style=invis];\n", i, i + 1);
	}
	fprintf(f, "}\n");
}
