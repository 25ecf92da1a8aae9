/* Loading a scenario: its profile's library, the scenario, compilation, world layout. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mnsim/scenario.h"
#include "../engine/por.h"
#include "../kernel/kbuiltin.h"
#include "../kernel/kinit.h"
#include "../kernel/kstate.h"
#include "../util/xalloc.h"
#include "compile.h"
#include "interp.h"
#include "parser.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A profile whose directory holds a file `inherits` naming another profile is that
 * profile plus its own files, whose functions replace the inherited ones of the same name
 * (lib/linux-6.6 is lib/linux-6.1 with 6.6's differences). Returns the layer given to the
 * profile's own functions, or -1. */
static int load_profile_files(struct ast *ast, const char *lib_dir, const char *profile,
			      struct loc at, struct mn_diag *d, int depth);

/* A profile's `core` file: what the C side does differently for it. One directive a line
 * (`#` starts a comment): `refuse TYPE REASON...` makes a scenario declaring a device of
 * TYPE an error naming REASON; `hlist TYPE` has TYPE's driver register an ordinary
 * notifier (mmu_notifier_register) where the default profile inserts an interval
 * notifier. A profile's directives add to those of the profile it inherits. */
static int load_core_file(struct ast *ast, const char *path, struct mn_diag *d)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 1;
	char line[512];
	int lineno = 0, ok = 1;
	while (ok && fgets(line, sizeof(line), f)) {
		lineno++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		char word[32], type[32];
		int used = 0;
		int n = sscanf(line, "%31s %31s %n", word, type, &used);
		if (n <= 0)
			continue;
		int t = n == 2 ? mn_dev_type_find(type) : -1;
		if (t < 0 || (strcmp(word, "refuse") && strcmp(word, "hlist"))) {
			mn_diag_set(d, arena_strndup(&ast->arena, path, strlen(path)), lineno, 1,
				    "expected `refuse TYPE REASON` or `hlist TYPE`");
			ok = 0;
		} else if (!strcmp(word, "hlist")) {
			ast->hlist_types |= 1u << t;
		} else {
			char *why = line + used;
			size_t len = strlen(why);
			while (len && (why[len - 1] == '\n' || why[len - 1] == ' '))
				len--;
			ast->refused[t] = arena_strndup(&ast->arena, why, len);
		}
	}
	fclose(f);
	return ok;
}

static int load_profile(struct ast *ast, const char *lib_dir, const char *profile,
			struct loc at, struct mn_diag *d)
{
	return load_profile_files(ast, lib_dir, profile, at, d, 0) >= 0;
}

static int load_profile_files(struct ast *ast, const char *lib_dir, const char *profile,
			      struct loc at, struct mn_diag *d, int depth)
{
	char dir[1024];
	int layer = 0;
	snprintf(dir, sizeof(dir), "%s/%s", lib_dir, profile);
	DIR *dh = opendir(dir);
	if (!dh) {
		mn_diag_set(d, at.file, at.line, at.col, "unknown kernel profile '%s' (no %s)",
			    profile, dir);
		return -1;
	}
	char inherits_path[1100], base[128] = "";
	snprintf(inherits_path, sizeof(inherits_path), "%s/inherits", dir);
	FILE *inh = fopen(inherits_path, "r");
	if (inh) {
		if (fscanf(inh, "%127s", base) != 1 || depth > 8) {
			mn_diag_set(d, inherits_path, 1, 1, "expected the name of a profile");
			fclose(inh);
			closedir(dh);
			return -1;
		}
		fclose(inh);
		struct loc here = { arena_strndup(&ast->arena, inherits_path, strlen(inherits_path)),
				    1, 1 };
		int below = load_profile_files(ast, lib_dir, base, here, d, depth + 1);
		if (below < 0) {
			closedir(dh);
			return -1;
		}
		layer = below + 1;
	}
	parser_set_layer(ast, layer);
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	/* The profile's files, then those of its subdirectories (drivers/). */
	while ((de = readdir(dh))) {
		size_t len = strlen(de->d_name);
		char sub[1536];
		struct stat st;
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		if (de->d_name[0] != '.' && !stat(sub, &st) && S_ISDIR(st.st_mode)) {
			DIR *sd = opendir(sub);
			struct dirent *se;
			while (sd && (se = readdir(sd))) {
				size_t sl = strlen(se->d_name);
				if (sl > 4 && !strcmp(se->d_name + sl - 4, ".mnl")) {
					char rel[600];
					snprintf(rel, sizeof(rel), "%s/%s", de->d_name, se->d_name);
					XGROW(names, cap, n + 1);
					names[n++] = xstrdup(rel);
				}
			}
			if (sd)
				closedir(sd);
		} else if (len > 4 && !strcmp(de->d_name + len - 4, ".mnl")) {
			XGROW(names, cap, n + 1);
			names[n++] = xstrdup(de->d_name);
		}
	}
	closedir(dh);
	qsort(names, n, sizeof(*names), cmp_str);
	int ok = 1;
	for (size_t i = 0; i < n; i++) {
		char path[2048];
		unsigned long len;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		char *file = arena_strndup(&ast->arena, path, strlen(path));
		char *text = ok ? ast_read_file(ast, path, &len) : NULL;
		if (ok && !text) {
			mn_diag_set(d, file, 1, 1, "cannot read library file");
			ok = 0;
		}
		if (ok && !parse_file(ast, file, text, len, 1, d))
			ok = 0;
		free(names[i]);
	}
	free(names);
	char core[1100];
	snprintf(core, sizeof(core), "%s/core", dir);
	if (ok && !load_core_file(ast, core, d))
		ok = 0;
	return ok ? layer : -1;
}

static uint32_t frames_need(const struct mn_prog *p, int f, int *state, uint32_t *frames,
			    uint32_t *vals, int *recursive)
{
	if (state[f] == 2)
		return frames[f];
	if (state[f] == 1) {
		*recursive = 1;
		return 0;
	}
	state[f] = 1;
	uint32_t fmax = 0, vmax = 0;
	const struct fn_info *fn = &p->fns[f];
	for (uint32_t pc = fn->code_start; pc < fn->code_end; pc++) {
		if (p->code[pc].op != OP_CALL)
			continue;
		int g = p->code[pc].a;
		frames_need(p, g, state, frames, vals, recursive);
		if (frames[g] > fmax)
			fmax = frames[g];
		if (vals[g] > vmax)
			vmax = vals[g];
	}
	frames[f] = 1 + fmax;
	vals[f] = (uint32_t)(fn->nlocals + fn->maxstack) + vmax;
	state[f] = 2;
	return frames[f];
}

/* Sizes each agent's stack exactly from the call graph; recursion gets a fixed cap and
 * a runtime error beyond it. */
static void layout(struct mn_prog *p)
{
	struct mn_layout *l = &p->layout;
	int *state = xcalloc(p->nfns, sizeof(int));
	uint32_t *frames = xcalloc(p->nfns, sizeof(uint32_t));
	uint32_t *vals = xcalloc(p->nfns, sizeof(uint32_t));
	uint32_t fmax = 1, vmax = 1;

	for (int i = 0; i < p->nagents; i++) {
		int f = p->agents[i].fn;
		frames_need(p, f, state, frames, vals, &p->recursive);
		if (frames[f] > fmax)
			fmax = frames[f];
		if (vals[f] > vmax)
			vmax = vals[f];
	}
	if (p->recursive) {
		fmax = fmax < 32 ? 32 : fmax;
		vmax = vmax < 512 ? 512 : vmax;
	}
	if (vmax > 60000)
		vmax = 60000;
	free(state);
	free(frames);
	free(vals);
	l->max_frames = fmax;
	l->max_vals = vmax + 2; /* room for the overflow check in exec1 */
	l->kernel_off = p->uses_kernel ? (uint32_t)sizeof(struct mn_world) : 0;
	l->shared_off = (uint32_t)sizeof(struct mn_world) +
			(p->uses_kernel ? (((uint32_t)sizeof(struct mn_kstate) + 7) & ~7u) : 0);
	l->agent_off = l->shared_off + l->nshared * (uint32_t)sizeof(mn_val);
	l->frames_off = sizeof(struct mn_agent);
	l->vals_off = l->frames_off + ((fmax * (uint32_t)sizeof(struct mn_frame) + 7) & ~7u);
	l->agent_size = l->vals_off + l->max_vals * (uint32_t)sizeof(mn_val);
	l->nagents = (uint32_t)p->nagents;
	l->size = l->agent_off + l->agent_size * l->nagents;
}

static char *stem(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	size_t n = strlen(b);
	if (n > 4 && !strcmp(b + n - 4, ".mnl"))
		n -= 4;
	return xstrndup(b, n);
}

static struct mn_prog *finish(struct ast *ast, const char *path, const char *text,
			      unsigned long len, const struct mn_load_opts *opts,
			      struct mn_diag *d)
{
	struct mn_prog *p = xcalloc(1, sizeof(*p));
	p->ast = ast;
	p->path = xstrdup(path);
	ast->main_file = p->path;

	if (!parse_file(ast, p->path, text, len, 0, d))
		goto fail;
	const char *profile = opts && opts->kernel_override ? opts->kernel_override : ast->profile;
	if (profile) {
		struct loc at = ast->profile_loc;
		if (opts && opts->kernel_override)
			at = (struct loc){ p->path, 1, 1 };
		const char *lib = opts && opts->lib_dir ? opts->lib_dir : "lib";
		if (!load_profile(ast, lib, profile, at, d))
			goto fail;
		p->profile = xstrdup(profile);
	}
	if (!mn_compile(p, ast, d))
		goto fail;
	p->name = ast->name ? xstrdup(ast->name) : stem(path);
	layout(p);
	p->is_step = xmalloc(p->ncode ? p->ncode : 1);
	for (size_t pc = 0; pc < p->ncode; pc++)
		p->is_step[pc] = (uint8_t)insn_is_step(&p->code[pc]);
	mn_kernel_fp_prepare(p);
	mn_por_prepare(p);
	char err[200] = "";
	p->init = mn_world_init(p, err, sizeof(err), p->init_trace);
	if (!p->init) {
		mn_diag_set(d, p->path, 1, 1, "%s", err);
		goto fail;
	}
	return p;
fail:
	mn_prog_free(p);
	return NULL;
}

struct mn_prog *mn_prog_load(const char *path, const struct mn_load_opts *opts,
			     struct mn_diag *d)
{
	struct ast *ast = xcalloc(1, sizeof(*ast));
	unsigned long len;
	char *text = ast_read_file(ast, path, &len);
	if (!text) {
		mn_diag_set(d, path, 1, 1, "cannot read file");
		struct mn_prog *p = xcalloc(1, sizeof(*p));
		p->ast = ast;
		mn_prog_free(p);
		return NULL;
	}
	if (strlen(text) != len) {
		mn_diag_set(d, path, 1, 1, "file contains a NUL byte");
		struct mn_prog *p = xcalloc(1, sizeof(*p));
		p->ast = ast;
		mn_prog_free(p);
		return NULL;
	}
	return finish(ast, path, text, len, opts, d);
}

struct mn_prog *mn_prog_load_text(const char *name, const char *text,
				  const struct mn_load_opts *opts, struct mn_diag *d)
{
	struct ast *ast = xcalloc(1, sizeof(*ast));
	char *copy = xstrdup(text);
	XGROW(ast->texts, ast->ctexts, ast->ntexts + 1);
	ast->texts[ast->ntexts++] = copy;
	return finish(ast, name, copy, strlen(copy), opts, d);
}

void mn_prog_free(struct mn_prog *p)
{
	if (!p)
		return;
	if (p->ast) {
		for (size_t i = 0; i < p->ast->ntexts; i++)
			free(p->ast->texts[i]);
		free(p->ast->texts);
		free(p->ast->funcs);
		free(p->ast->shared);
		free(p->ast->agents);
		free(p->ast->mms);
		free(p->ast->devs);
		free(p->ast->edits);
		free(p->ast->conds);
		free(p->ast->expects);
		arena_free(&p->ast->arena);
		free(p->ast);
	}
	for (size_t i = 0; i < p->nfns; i++)
		free(p->fns[i].name);
	for (size_t i = 0; i < p->nshared; i++)
		free(p->shared[i].name);
	for (int i = 0; i < p->nagents; i++) {
		free(p->agents[i].name);
		free(p->agents[i].place);
	}
	for (size_t i = 0; i < p->nobs; i++)
		free(p->obs[i].name);
	for (int i = 0; i < p->nmms; i++)
		free(p->mms[i].name);
	for (int i = 0; i < p->ndevs; i++)
		free(p->devs[i].name);
	free(p->mms);
	free(p->devs);
	free(p->fns);
	free(p->shared);
	free(p->shared_init);
	free(p->agents);
	free(p->obs);
	free(p->code);
	free(p->dbg);
	free(p->kfp_spec);
	free(p->kfp_base);
	free(p->kfp_devarg);
	free(p->fp_static);
	free(p->is_step);
	free(p->fp_future);
	free(p->init);
	free(p->name);
	free(p->path);
	free(p->profile);
	free(p);
}
