/* Helpers shared by the cmocka tests. */
#ifndef MN_TEST_SUPPORT_H
#define MN_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mnsim/explore.h"
#include "mnsim/replay.h"
#include "mnsim/scenario.h"
#include "lang/program.h"

#define SRC_DIR MNSIM_SOURCE_DIR

/* Scenarios naming `kernel linux-...` load the real library; others the test profiles. */
static inline struct mn_prog *load_text(const char *text, struct mn_diag *d)
{
	struct mn_load_opts lo = { strstr(text, "kernel linux-") ? SRC_DIR "/lib" :
								    SRC_DIR "/tests/lib",
				   NULL };
	memset(d, 0, sizeof(*d));
	return mn_prog_load_text("test.mnl", text, &lo, d);
}

static inline struct mn_prog *must_load(const char *text)
{
	struct mn_diag d;
	struct mn_prog *p = load_text(text, &d);
	if (!p) {
		char buf[600];
		mn_diag_format(&d, buf, sizeof(buf));
		fail_msg("load failed: %s", buf);
	}
	return p;
}

static inline struct mn_prog *must_load_file(const char *path)
{
	struct mn_load_opts lo = { SRC_DIR "/lib", NULL };
	struct mn_diag d = { 0 };
	struct mn_prog *p = mn_prog_load(path, &lo, &d);
	if (!p) {
		char buf[600];
		mn_diag_format(&d, buf, sizeof(buf));
		fail_msg("load failed: %s", buf);
	}
	return p;
}

static inline size_t obs_index(const struct mn_prog *p, const char *name)
{
	for (size_t k = 0; k < p->nobs; k++)
		if (!strcmp(p->obs[k].name, name))
			return k;
	fail_msg("no observation %s", name);
	return 0;
}

static inline void explore_mode(const struct mn_prog *p, int no_reduction, int reduction,
				int jobs, struct mn_result *r)
{
	struct mn_explore_opts o;
	mn_explore_defaults(&o);
	o.no_reduction = no_reduction;
	o.reduction = reduction;
	o.jobs = jobs;
	o.collect_finals = 1;
	o.table_bits = 20; /* the reclaim scenarios exceed 2^18 slots unreduced */
	mn_explore(p, &o, r);
}

static inline void explore_with(const struct mn_prog *p, int no_reduction, int jobs,
				struct mn_result *r)
{
	explore_mode(p, no_reduction, MN_RED_PERSISTENT, jobs, r);
}

/* Verdict of observation `name` after exhaustive default exploration. */
static inline enum mn_verdict verdict(const char *text, const char *name)
{
	struct mn_prog *p = must_load(text);
	struct mn_result r;
	explore_with(p, 0, 1, &r);
	enum mn_verdict v = r.obs[obs_index(p, name)].verdict;
	mn_result_free(&r);
	mn_prog_free(p);
	return v;
}

/* Runs a cmocka group and ends with the line tests/run_all.py counts. */
#define RUN_TESTS(tests)                                                                   \
	do {                                                                               \
		int n_ = (int)(sizeof(tests) / sizeof((tests)[0]));                        \
		int failed_ = cmocka_run_group_tests(tests, NULL, NULL);                   \
		printf("RESULT passed=%d failed=%d\n", n_ - failed_, failed_);             \
		return failed_ ? 1 : 0;                                                    \
	} while (0)

#endif
