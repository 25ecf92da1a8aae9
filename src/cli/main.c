/* The mnsim command. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mnsim/explore.h"
#include "mnsim/replay.h"
#include "mnsim/scenario.h"
#include "../engine/mpi.h"
#include "../engine/observe.h"
#include "../engine/traces.h"
#include "../lang/program.h"
#include "../report/report.h"
#include "../util/xalloc.h"

#ifndef MNSIM_SOURCE_DIR
#define MNSIM_SOURCE_DIR "."
#endif
#ifndef MNSIM_DATA_DIR
#define MNSIM_DATA_DIR "/usr/local/share/mnsim"
#endif
#ifndef MNSIM_VERSION
#define MNSIM_VERSION "0"
#endif

static const char usage[] =
	"usage: mnsim [OPTIONS] [FILE.mnl | DIR]...\n"
	"Explores every interleaving of each scenario and reports, per check and condition,\n"
	"Never, Sometimes or Always, with the shortest counterexample for what fires.\n"
	"With no FILE, runs the bundled catalogue (scenarios/), prints the verdict tables\n"
	"and writes the report directory mnsim-report/.\n"
	"\n"
	"  --no-reduction        naive enumeration of every interleaving (one core)\n"
	"  --reduction MODE      persistent (default), sleep, both or none: the stateful\n"
	"                        search's reduction; sleep and both run on one core\n"
	"  --jobs N              worker threads (default: every core); counts do not change\n"
	"  --max-preemptions N   explore only schedules with at most N preemptions\n"
	"  --max-depth N         cut executions longer than N steps\n"
	"  --max-states N        stop after N states\n"
	"  --timeout SECONDS     stop after this long\n"
	"  --random N            N random walks instead of exhaustive search\n"
	"  --seed S              seed for --random (default 1)\n"
	"  --replay SCHEDULE     run one schedule (\"0.0.1\") of a single FILE and show it\n"
	"  --trace-notifier      print every notifier callback of one run of a single FILE\n"
	"                        (--replay's schedule, or each agent in turn to its end) as\n"
	"                        `callback event start end blockable`\n"
	"  --count-traces        after each FILE's report, also enumerate its maximal\n"
	"                        executions without a visited set and print `Traces T` (its\n"
	"                        Mazurkiewicz traces), `Persistent-paths P` (the executions\n"
	"                        a stateless search following only persistent sets takes),\n"
	"                        `Persistent-traces` (traces among those: T unless the\n"
	"                        reduction lost one), `Trace-ratio P/T` and `Sleep-paths`\n"
	"                        (persistent and sleep sets); a scenario with more than\n"
	"                        1000000 executions or with a cycle is refused (status 2)\n"
	"  --json                machine-readable output\n"
	"  --svg FILE, --dot FILE  draw a counterexample of a single FILE as a sequence\n"
	"                        diagram (the --replay schedule, the one for --cex NAME, or\n"
	"                        the first shown: failed expectations first)\n"
	"  --report DIR          also write DIR/index.html: tables and every counterexample\n"
	"                        as SVG (the catalogue run writes mnsim-report/ unless\n"
	"                        --no-report)\n"
	"  --list-builtins       the table of built-ins and constants (docs/builtins.md)\n"
	"  --kernel PROFILE      use this kernel profile instead of the scenario's\n"
	"  --lib DIR             library root holding PROFILE/ directories\n"
	"  --table-bits N        visited-set size 2^N, fixed (default: 2^14, grown to 2^28 as it fills)\n"
	"  --no-min-cex          show the first counterexample found, not the smallest\n"
	"  --mpi                 under mpirun: partition the search across the ranks (one\n"
	"                        worker each); rank 0 prints the report. Same counts and\n"
	"                        verdicts as a local run; persistent or no reduction only\n"
	"  --progress            progress on stderr even when it is not a terminal\n"
	"  -h, --help            this text;  --version  the version\n"
	"\n"
	"Exit status: 0 every expectation holds, 1 one fails, 2 usage or input error,\n"
	"3 incomplete (a bound cut the run before an expectation was decided).\n";

struct files {
	char **v;
	size_t n, cap;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_file(struct files *fs, const char *path)
{
	XGROW(fs->v, fs->cap, fs->n + 1);
	fs->v[fs->n++] = xstrdup(path);
}

static void collect_dir(struct files *fs, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char path[4096];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st))
			continue;
		size_t n = strlen(de->d_name);
		if (S_ISDIR(st.st_mode))
			collect_dir(fs, path);
		else if (n > 4 && !strcmp(de->d_name + n - 4, ".mnl"))
			add_file(fs, path);
	}
	closedir(d);
}

static int is_dir(const char *p)
{
	struct stat st;
	return !stat(p, &st) && S_ISDIR(st.st_mode);
}

static int parse_num(const char *opt, const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s ? s : "", &end);
	if (!s || !*s || *end || errno || v < 0) {
		fprintf(stderr, "mnsim: %s: expected a non-negative number, got '%s'\n", opt,
			s ? s : "");
		return -1;
	}
	*out = v;
	return 0;
}

/* The source tree's lib/ or scenarios/ when run from the build, else the installed one. */
static const char *default_path(const char *what, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", MNSIM_SOURCE_DIR, what);
	if (is_dir(buf))
		return buf;
	snprintf(buf, len, "%s/%s", MNSIM_DATA_DIR, what);
	return buf;
}

/* --svg / --dot: a counterexample of one scenario as a sequence diagram: the replayed
 * schedule, or the one shown for check or condition `cex_name`, or the first shown. */
static int run_drawing(const struct mn_prog *p, const struct mn_explore_opts *o,
		       const char *replay, const char *cex_name, const char *svg_file,
		       const char *dot_file)
{
	struct mn_result r;
	const char *sched = replay;
	char title[256];
	int have_result = 0;

	snprintf(title, sizeof(title), "%s: schedule %s", p->name, replay ? replay : "");
	if (!sched) {
		mn_explore(p, o, &r);
		have_result = 1;
		for (int pass = 0; pass < 2 && !sched; pass++) {
			for (size_t k = 0; k < r.nobs && !sched; k++) {
				const struct mn_obs_result *x = &r.obs[k];
				if (!x->cex || (cex_name && strcmp(cex_name, p->obs[k].name)))
					continue;
				if (pass == 0 && x->expect_status != 0 && !cex_name)
					continue; /* failed expectations first */
				sched = x->cex;
				snprintf(title, sizeof(title), "%s: %s %s", p->name, p->obs[k].name,
					 x->cex_positive ? "fires" : "does not hold");
			}
		}
		if (!sched) {
			fprintf(stderr, "mnsim: %s: no counterexample%s%s to draw\n", p->path,
				cex_name ? " for " : "", cex_name ? cex_name : "");
			mn_result_free(&r);
			return 1;
		}
	}
	struct mn_trace t;
	int rc = mn_replay(p, sched, &t);
	const char *files[2] = { svg_file, dot_file };
	for (int k = 0; k < 2 && !rc; k++) {
		if (!files[k])
			continue;
		FILE *f = fopen(files[k], "w");
		if (!f) {
			fprintf(stderr, "mnsim: cannot write %s\n", files[k]);
			rc = -1;
			break;
		}
		if (k == 0)
			mn_report_svg(f, p, &t, title);
		else
			mn_report_dot(f, p, &t, title);
		fclose(f);
	}
	if (t.error[0])
		fprintf(stderr, "mnsim: %s: %s\n", p->path, t.error);
	mn_trace_free(&t);
	if (have_result)
		mn_result_free(&r);
	return rc ? 2 : 0;
}

/* --list-builtins: the table docs/builtins.md is made of. */
static void list_builtins(void)
{
	static const char *const tn[] = { "void", "int", "handle" };
	printf("| built-in | step | blocks | returns | meaning |\n|---|---|---|---|---|\n");
	for (int i = 0; i < mn_nbuiltins; i++) {
		const struct mn_builtin *b = &mn_builtins[i];
		printf("| `%s(", b->name);
		for (int k = 0; k < b->nargs; k++)
			printf("%s%s", k ? ", " : "", tn[b->args[k]]);
		printf(")` | %s | %s | %s | %s |\n", b->flags & MN_BI_STEP ? "yes" : "no",
		       b->enabled ? "yes" : "no", tn[b->ret], b->doc);
	}
	printf("| `assert(int)` | no | no | void | fires `assert` when the argument is zero |\n");
	printf("\n| constant | value |\n|---|---|\n");
	for (int i = 0; mn_constants[i].name; i++)
		printf("| `%s` | %lld |\n", mn_constants[i].name, (long long)mn_constants[i].value);
}

/* --trace-notifier: every notifier callback of one run, one line each. */
static int run_trace_notifier(const struct mn_prog *p, const char *schedule)
{
	char *first = schedule ? NULL : mn_first_schedule(p, 100000);
	struct mn_trace t;
	int rc = mn_replay(p, schedule ? schedule : first, &t);
	fputs(p->init_trace, stdout);
	for (int i = 0; i < t.nsteps; i++)
		fputs(t.steps[i].trace, stdout);
	if (rc)
		fprintf(stderr, "mnsim: %s: %s\n", p->path, t.error);
	mn_trace_free(&t);
	free(first);
	return rc ? 2 : 0;
}

/* --count-traces: the lines after one scenario's report. Returns 0, or 2 when the
 * scenario has too many executions to enumerate or a cycle. */
#define COUNT_TRACES_LIMIT 1000000
static int print_trace_counts(const struct mn_prog *p)
{
	struct mn_trace_count all, per, sl;
	mn_count_traces(p, MN_TRACES_ALL, COUNT_TRACES_LIMIT, &all);
	/* A state that repeats on a path can repeat any number of times: then there are
	 * infinitely many executions, and traces, to count. */
	if (all.incomplete || all.cycles) {
		printf("Traces incomplete\nPersistent-paths incomplete\n");
		if (all.incomplete)
			fprintf(stderr, "mnsim: %s: --count-traces: more than %d executions; "
					"counting traces needs a smaller scenario\n", p->path,
				COUNT_TRACES_LIMIT);
		else
			fprintf(stderr, "mnsim: %s: --count-traces: a state repeats on some path "
					"(a cycle), so executions and traces are not finitely many\n",
				p->path);
		return 2;
	}
	/* each follows a subset of the paths of the first: no cycle, within the limit */
	mn_count_traces(p, MN_TRACES_PERSISTENT, COUNT_TRACES_LIMIT, &per);
	mn_count_traces(p, MN_TRACES_SLEEP, COUNT_TRACES_LIMIT, &sl);
	printf("Traces %llu\nPersistent-paths %llu\nPersistent-traces %llu\n",
	       (unsigned long long)all.traces, (unsigned long long)per.executions,
	       (unsigned long long)per.traces);
	/* at least one trace: a scenario whose agents cannot step has the empty one */
	printf("Trace-ratio %.3f\n", (double)per.executions / (double)all.traces);
	printf("Sleep-paths %llu\n", (unsigned long long)sl.executions);
	return 0;
}

static int run_replay(const struct mn_prog *p, const char *schedule, int json)
{
	struct mn_trace t;
	int rc = mn_replay(p, schedule, &t);
	if (json) {
		fprintf(stdout, "{\"test\":\"%s\",\"schedule\":\"%s\",\"trace\":", p->name, schedule);
		mn_report_json_trace(stdout, p, &t);
		fprintf(stdout, ",\"observations\":{");
		for (size_t k = 0; k < p->nobs; k++) {
			fprintf(stdout, "%s\"%s\":%s", k ? "," : "", p->obs[k].name,
				mn_obs_holds(p, t.final, k) ? "true" : "false");
		}
		fprintf(stdout, "}}\n");
	} else {
		printf("Test %s\nSchedule %s\n", p->name, schedule);
		mn_report_columns(stdout, p, &t);
		printf("%s after %d steps (%d preemption%s)\n",
		       t.is_final ? "Final" : "Not final", t.nsteps, t.preemptions,
		       t.preemptions == 1 ? "" : "s");
		for (size_t k = 0; k < p->nobs; k++) {
			printf("Observation %s %s\n", p->obs[k].name,
			       mn_obs_holds(p, t.final, k) ?
				       (p->obs[k].kind == OBS_CHECK ? "fired" : "holds") :
				       (p->obs[k].kind == OBS_CHECK ? "quiet" : "fails"));
		}
	}
	if (rc)
		fprintf(stderr, "mnsim: %s: %s\n", p->path, t.error);
	mn_trace_free(&t);
	return rc ? 2 : 0;
}

int main(int argc, char **argv)
{
	struct mn_explore_opts o;
	struct mn_load_opts lo = { 0 };
	struct files fs = { 0 };
	const char *replay = NULL;
	int json = 0, progress = -1, trace_notifier = 0, no_report = 0, use_mpi = 0;
	int count_traces = 0;
	const char *svg_file = NULL, *dot_file = NULL, *cex_name = NULL, *report_dir = NULL;
	double v;

	mn_explore_defaults(&o);
	lo.lib_dir = getenv("MNSIM_LIB");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;
#define NUMOPT(name, field, type)                       \
	if (!strcmp(a, name)) {                         \
		if (parse_num(name, next, &v))          \
			return 2;                       \
		o.field = (type)v;                      \
		i++;                                    \
		continue;                               \
	}
		NUMOPT("--jobs", jobs, int)
		NUMOPT("--max-preemptions", max_preemptions, int)
		NUMOPT("--max-depth", max_depth, uint32_t)
		NUMOPT("--max-states", max_states, uint64_t)
		NUMOPT("--timeout", timeout, double)
		NUMOPT("--random", random_walks, uint64_t)
		NUMOPT("--seed", seed, uint64_t)
		NUMOPT("--table-bits", table_bits, int)
#undef NUMOPT
		if (!strcmp(a, "--no-reduction")) {
			o.no_reduction = 1;
		} else if (!strcmp(a, "--count-traces")) {
			count_traces = 1;
		} else if (!strcmp(a, "--mpi")) {
			use_mpi = 1;
		} else if (!strcmp(a, "--json")) {
			json = 1;
		} else if (!strcmp(a, "--no-min-cex")) {
			o.no_min_cex = 1;
		} else if (!strcmp(a, "--list-builtins")) {
			list_builtins();
			return 0;
		} else if (!strcmp(a, "--trace-notifier")) {
			trace_notifier = 1;
		} else if (!strcmp(a, "--progress")) {
			progress = 1;
		} else if (!strcmp(a, "--reduction")) {
			static const char *const modes[] = { "persistent", "sleep", "both", "none" };
			int m = -1;
			for (int k = 0; k < 4 && next; k++)
				if (!strcmp(next, modes[k]))
					m = k;
			if (m < 0) {
				fprintf(stderr, "mnsim: --reduction: expected persistent, sleep, both or none\n");
				return 2;
			}
			o.reduction = m;
			i++;
		} else if (!strcmp(a, "--replay") || !strcmp(a, "--kernel") || !strcmp(a, "--lib") ||
			   !strcmp(a, "--svg") || !strcmp(a, "--dot") || !strcmp(a, "--cex") ||
			   !strcmp(a, "--report")) {
			if (!next) {
				fprintf(stderr, "mnsim: %s needs an argument\n", a);
				return 2;
			}
			if (!strcmp(a, "--replay"))
				replay = next;
			else if (!strcmp(a, "--kernel"))
				lo.kernel_override = next;
			else if (!strcmp(a, "--lib"))
				lo.lib_dir = next;
			else if (!strcmp(a, "--svg"))
				svg_file = next;
			else if (!strcmp(a, "--dot"))
				dot_file = next;
			else if (!strcmp(a, "--cex"))
				cex_name = next;
			else
				report_dir = next;
			i++;
		} else if (!strcmp(a, "--no-report")) {
			no_report = 1;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, stdout);
			return 0;
		} else if (!strcmp(a, "--version")) {
			printf("mnsim %s\n", MNSIM_VERSION);
			return 0;
		} else if (a[0] == '-') {
			fprintf(stderr, "mnsim: unknown option '%s'\n%s", a, usage);
			return 2;
		} else if (is_dir(a)) {
			size_t before = fs.n;
			collect_dir(&fs, a);
			qsort(fs.v + before, fs.n - before, sizeof(char *), cmp_str);
		} else {
			add_file(&fs, a);
		}
	}
	char lib_buf[4096], cat_buf[4096];
	if (!lo.lib_dir)
		lo.lib_dir = default_path("lib", lib_buf, sizeof(lib_buf));
	int drawing = svg_file || dot_file;
	if (argc == 1 || (!fs.n && !replay && !trace_notifier && !drawing)) {
		const char *cat = default_path("scenarios", cat_buf, sizeof(cat_buf));
		/* the catalogue also writes the report directory */
		if (!report_dir && !no_report)
			report_dir = "mnsim-report";
		collect_dir(&fs, cat);
		qsort(fs.v, fs.n, sizeof(char *), cmp_str);
		if (!fs.n) {
			fprintf(stderr, "mnsim: no scenarios found in %s\n", cat);
			return 2;
		}
	}
	o.progress = progress >= 0 ? progress : isatty(2);
	if (count_traces && (json || use_mpi || replay || trace_notifier || drawing)) {
		fprintf(stderr, "mnsim: --count-traces prints text after each report: it does not go "
				"with --json, --mpi, --replay, --trace-notifier, --svg or --dot\n");
		for (size_t i = 0; i < fs.n; i++)
			free(fs.v[i]);
		free(fs.v);
		return 2;
	}
	if ((replay || trace_notifier || drawing) && fs.n != 1) {
		fprintf(stderr, "mnsim: --replay, --trace-notifier, --svg and --dot need exactly one "
				"scenario file\n");
		return 2;
	}

	int root = 1;
	if (use_mpi) {
		const char *why = mn_mpi_unsupported(&o);
		char err[160];
		if (replay || trace_notifier || drawing)
			why = "--replay, --trace-notifier, --svg and --dot run on one process";
		if (why) {
			fprintf(stderr, "mnsim: --mpi: %s\n", why);
			return 2;
		}
		o.mpi = mn_mpi_start(&argc, &argv, err, sizeof(err));
		if (!o.mpi) {
			fprintf(stderr, "mnsim: --mpi: %s\n", err);
			return 2;
		}
		root = mn_mpi_rank(o.mpi) == 0;
		o.progress = 0;
		if (!root)
			report_dir = NULL;
	}

	/* Everything is loaded before anything runs: one bad file and nothing runs. */
	struct mn_prog **progs = xcalloc(fs.n, sizeof(*progs));
	int bad = 0;
	for (size_t i = 0; i < fs.n; i++) {
		struct mn_diag d = { 0 };
		progs[i] = mn_prog_load(fs.v[i], &lo, &d);
		if (!progs[i]) {
			char buf[1024];
			mn_diag_format(&d, buf, sizeof(buf));
			if (root)
				fprintf(stderr, "%s\n", buf);
			bad = 1;
		}
	}
	int status = bad ? 2 : 0;
	if (!bad && trace_notifier && !drawing) {
		status = run_trace_notifier(progs[0], replay);
	} else if (!bad && replay && !drawing) {
		status = run_replay(progs[0], replay, json);
	} else if (!bad && drawing) {
		status = run_drawing(progs[0], &o, replay, cex_name, svg_file, dot_file);
	} else if (!bad) {
		int failed = 0, incomplete = 0, traces_refused = 0;
		struct mn_result *rs = xcalloc(fs.n, sizeof(*rs));
		if (json && root)
			printf("{\"tests\":[");
		for (size_t i = 0; i < fs.n; i++) {
			struct mn_result *r = &rs[i];
			mn_explore(progs[i], &o, r);
			if (!root) {
				continue;
			} else if (json) {
				if (i)
					printf(",");
				mn_report_json(stdout, progs[i], r);
			} else {
				if (i)
					printf("\n");
				mn_report_text(stdout, progs[i], r);
				if (count_traces && print_trace_counts(progs[i]))
					traces_refused = 1;
			}
			fflush(stdout);
			int s = mn_result_status(r);
			failed += s == 1;
			incomplete += s == 3;
		}
		if (!root) {
			/* the counts here are this rank's share: rank 0 reports */
		} else if (json) {
			printf("]}\n");
		} else if (fs.n > 1) {
			mn_report_table(stdout, progs, rs, fs.n);
			mn_report_matrix(stdout, progs, rs, fs.n);
			printf("\nmnsim: %zu tests, %d with a failed expectation, %d incomplete\n",
			       fs.n, failed, incomplete);
		}
		if (report_dir) {
			if (mn_report_html(report_dir, progs, rs, fs.n))
				fprintf(stderr, "mnsim: cannot write %s/index.html\n", report_dir);
			else if (!json)
				printf("mnsim: report written to %s/index.html\n", report_dir);
		}
		for (size_t i = 0; i < fs.n; i++)
			mn_result_free(&rs[i]);
		free(rs);
		status = traces_refused ? 2 : failed ? 1 : incomplete ? 3 : 0;
	}
	for (size_t i = 0; i < fs.n; i++) {
		mn_prog_free(progs[i]);
		free(fs.v[i]);
	}
	free(progs);
	free(fs.v);
	if (o.mpi) {
		status = mn_mpi_agree(o.mpi, status);
		mn_mpi_stop(o.mpi);
	}
	return status;
}
