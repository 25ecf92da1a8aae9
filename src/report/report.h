/* Herd-style text, per-agent column traces and JSON. */
#ifndef MN_REPORT_H
#define MN_REPORT_H

#include <stdio.h>

#include "mnsim/explore.h"
#include "mnsim/replay.h"

struct mn_prog;

const char *mn_verdict_name(int v);
/* The summary lines, then a trace for each counterexample chosen. */
void mn_report_text(FILE *f, const struct mn_prog *p, const struct mn_result *r);
/* One column per agent, one row per step; the steps where a check fired are marked. */
void mn_report_columns(FILE *f, const struct mn_prog *p, const struct mn_trace *t);
/* One test as a JSON object. */
void mn_report_json(FILE *f, const struct mn_prog *p, const struct mn_result *r);
/* A replayed counterexample as a sequence diagram. */
void mn_report_svg(FILE *f, const struct mn_prog *p, const struct mn_trace *t, const char *title);
void mn_report_dot(FILE *f, const struct mn_prog *p, const struct mn_trace *t, const char *title);
/* The verdict table of the kernel checks over many scenarios (terminal). */
void mn_report_table(FILE *f, struct mn_prog *const *progs, const struct mn_result *rs, size_t n);
/* The operation x device table of the matrix scenarios (terminal). */
void mn_report_matrix(FILE *f, struct mn_prog *const *progs, const struct mn_result *rs, size_t n);
/* DIR/index.html: the tables and every counterexample as inline SVG. Returns 0 or -1. */
int mn_report_html(const char *dir, struct mn_prog *const *progs, const struct mn_result *rs,
		   size_t n);
/* A replayed schedule as JSON. */
void mn_report_json_trace(FILE *f, const struct mn_prog *p, const struct mn_trace *t);

#endif
