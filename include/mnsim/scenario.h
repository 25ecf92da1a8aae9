/* Loading a scenario: parse it and its profile's library, apply its edits, compile. */
#ifndef MNSIM_SCENARIO_H
#define MNSIM_SCENARIO_H

#include "../../src/util/diag.h"

struct mn_prog;

struct mn_load_opts {
	const char *lib_dir;         /* root holding <profile>/ directories */
	const char *kernel_override; /* --kernel, or NULL */
};

/* Returns NULL with diag set on any error; nothing of the scenario runs then. */
struct mn_prog *mn_prog_load(const char *path, const struct mn_load_opts *opts,
			     struct mn_diag *diag);
/* Same, from text in memory (tests). */
struct mn_prog *mn_prog_load_text(const char *name, const char *text,
				  const struct mn_load_opts *opts, struct mn_diag *diag);
void mn_prog_free(struct mn_prog *prog);

#endif
