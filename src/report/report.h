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
/* A replayed schedule as JSON. */
void mn_report_json_trace(FILE *f, const struct mn_prog *p, const struct mn_trace *t);

#endif
