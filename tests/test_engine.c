/* The engine: reduction against naive enumeration, worker counts, replay of every
 * counterexample, bounds and incompleteness, the smallest counterexample. */
#include <dirent.h>

#include "support.h"
#include "check/checks.h"
#include "engine/observe.h"

struct files {
	char path[64][512];
	int n;
};

static void classic_files(struct files *fs)
{
	const char *dir = SRC_DIR "/scenarios/classic";
	DIR *dh = opendir(dir);
	struct dirent *de;
	fs->n = 0;
	assert_non_null(dh);
	while ((de = readdir(dh)) && fs->n < 64) {
		size_t n = strlen(de->d_name);
		if (n > 4 && !strcmp(de->d_name + n - 4, ".mnl"))
			snprintf(fs->path[fs->n++], 512, "%s/%s", dir, de->d_name);
	}
	closedir(dh);
	assert_true(fs->n >= 7);
}

/* Scenarios beyond the classic directory that stress what reduction must preserve:
 * blocking, loops that revisit states, calls, atomic blocks, array indices. */
static const char *const extra[] = {
	"mutex m; shared c, d;\n"
	"void inc() { lock(m); c = c + 1; unlock(m); }\n"
	"P0 { inc(); d = 1; inc(); }\nP1 { inc(); r0 = d; }\nP2 { r1 = c; d = 2; }\n"
	"exists (c == 3);",
	"shared v[3], i;\n"
	"P0 { for (int k = 0; k < 3; k += 1) v[k] = k + 1; }\n"
	"P1 { r0 = v[2]; r1 = v[0]; i = r0; }\nP2 { atomic { v[1] = v[1] * 10; } }\n"
	"exists (v[1] == 20);",
	"shared flag, turn;\n"
	"P0 { while (flag == 0) { turn = 1; } r0 = turn; }\n"
	"P1 { turn = 0; flag = 1; }\n"
	"exists (P0:r0 == 0);",
	"mutex a, b;\nP0 { lock(a); lock(b); unlock(b); unlock(a); }\n"
	"P1 { lock(b); r0 = trylock(a); if (r0) unlock(a); unlock(b); }\n"
	"P2 { lock(b); lock(a); unlock(a); unlock(b); }",
	"shared x, y, z;\nP0 { x = 1; y = 1; }\nP1 { await (y == 1); z = x; }\n"
	"P2 { r0 = z; x = 2; }\nexists (z == 2);",
};

static void compare_engines(const struct mn_prog *p, int mode, const char *what)
{
	struct mn_result red, naive;
	explore_mode(p, 0, mode, 1, &red);
	explore_with(p, 1, 1, &naive);
	assert_false(red.incomplete);
	assert_false(naive.incomplete);
	for (size_t k = 0; k < p->nobs; k++) {
		if (red.obs[k].pos != naive.obs[k].pos || red.obs[k].neg != naive.obs[k].neg)
			fail_msg("%s (mode %d): %s differs: reduced %llu/%llu naive %llu/%llu", what,
				 mode, p->obs[k].name, (unsigned long long)red.obs[k].pos,
				 (unsigned long long)red.obs[k].neg,
				 (unsigned long long)naive.obs[k].pos,
				 (unsigned long long)naive.obs[k].neg);
		assert_int_equal(red.obs[k].verdict, naive.obs[k].verdict);
	}
	if (red.nfinal_hashes != naive.nfinal_hashes ||
	    memcmp(red.final_hashes, naive.final_hashes, red.nfinal_hashes * sizeof(uint64_t)))
		fail_msg("%s (mode %d): final states differ (%zu reduced, %zu naive)", what, mode,
			 red.nfinal_hashes, naive.nfinal_hashes);
	/* Reduction must not explore more than the naive tree. */
	assert_true(red.states <= naive.states);
	mn_result_free(&red);
	mn_result_free(&naive);
}

static void test_reduction_matches_naive(void **state)
{
	(void)state;
	struct files fs;
	classic_files(&fs);
	/* Every reduction of the stateful search against the naive engine. */
	for (int mode = MN_RED_PERSISTENT; mode <= MN_RED_NONE; mode++) {
		for (int i = 0; i < fs.n; i++) {
			struct mn_prog *p = must_load_file(fs.path[i]);
			compare_engines(p, mode, fs.path[i]);
			mn_prog_free(p);
		}
		for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
			struct mn_prog *p = must_load(extra[i]);
			compare_engines(p, mode, extra[i]);
			mn_prog_free(p);
		}
	}
}

/* Kernel scenarios: the reduced search (with the kernel built-ins' footprints) reaches the
 * same final states and verdicts as the stateful search without reduction. */
static void test_kernel_reduction_sound(void **state)
{
	(void)state;
	const char *dirs[] = { SRC_DIR "/tests/kernel", SRC_DIR "/scenarios/matrix/linux-6.1",
			       SRC_DIR "/scenarios/matrix/linux-6.6" };
	int checked = 0;
	for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		DIR *dh = opendir(dirs[d]);
		struct dirent *de;
		assert_non_null(dh);
		while ((de = readdir(dh))) {
			size_t n = strlen(de->d_name);
			if (n < 5 || strcmp(de->d_name + n - 4, ".mnl"))
				continue;
			char path[1024];
			snprintf(path, sizeof(path), "%s/%s", dirs[d], de->d_name);
			struct mn_prog *p = must_load_file(path);
			struct mn_result red, full;
			/* the largest, pfnmap_file_munmap, has ~900k states unreduced (its
			 * reader runs inside munmap's downgraded lock) */
			explore_sized(p, 0, MN_RED_PERSISTENT, 2, 21, &red);
			explore_sized(p, 0, MN_RED_NONE, 2, 21, &full);
			assert_false(red.incomplete || full.incomplete);
			for (size_t k = 0; k < p->nobs; k++)
				if (red.obs[k].pos != full.obs[k].pos || red.obs[k].neg != full.obs[k].neg)
					fail_msg("%s: %s differs: reduced %llu/%llu, full %llu/%llu", path,
						 p->obs[k].name, (unsigned long long)red.obs[k].pos,
						 (unsigned long long)red.obs[k].neg,
						 (unsigned long long)full.obs[k].pos,
						 (unsigned long long)full.obs[k].neg);
			if (red.nfinal_hashes != full.nfinal_hashes ||
			    memcmp(red.final_hashes, full.final_hashes,
				   red.nfinal_hashes * sizeof(uint64_t)))
				fail_msg("%s: final states differ", path);
			assert_true(red.states <= full.states);
			mn_result_free(&red);
			mn_result_free(&full);
			mn_prog_free(p);
			checked++;
		}
		closedir(dh);
	}
	assert_true(checked >= 40);
}

static void same_counts(const struct mn_prog *p, const char *what)
{
	struct mn_result r1, r2, r4;
	explore_with(p, 0, 1, &r1);
	explore_with(p, 0, 2, &r2);
	explore_with(p, 0, 4, &r4);
	const struct mn_result *rs[2] = { &r2, &r4 };
	assert_false(r1.incomplete);
	for (int j = 0; j < 2; j++) {
		if (rs[j]->states != r1.states || rs[j]->transitions != r1.transitions ||
		    rs[j]->executions != r1.executions || rs[j]->finals != r1.finals)
			fail_msg("%s: counts differ with more workers: %llu/%llu/%llu vs %llu/%llu/%llu",
				 what, (unsigned long long)r1.states,
				 (unsigned long long)r1.transitions,
				 (unsigned long long)r1.executions,
				 (unsigned long long)rs[j]->states,
				 (unsigned long long)rs[j]->transitions,
				 (unsigned long long)rs[j]->executions);
		for (size_t k = 0; k < p->nobs; k++) {
			assert_int_equal(rs[j]->obs[k].pos, r1.obs[k].pos);
			assert_int_equal(rs[j]->obs[k].neg, r1.obs[k].neg);
		}
	}
	mn_result_free(&r1);
	mn_result_free(&r2);
	mn_result_free(&r4);
}

static void test_jobs_identical(void **state)
{
	(void)state;
	struct files fs;
	classic_files(&fs);
	for (int i = 0; i < fs.n; i++) {
		struct mn_prog *p = must_load_file(fs.path[i]);
		same_counts(p, fs.path[i]);
		mn_prog_free(p);
	}
	/* Big enough that work is actually shared between workers. */
	struct mn_prog *p = must_load(
		"shared a, b, c;\n"
		"P0 { for (int i = 0; i < 2; i += 1) { a = (a + 1) % 3; b = b ^ a; } }\n"
		"P1 { for (int i = 0; i < 2; i += 1) { b = (b + 1) % 3; c = c ^ b; } }\n"
		"P2 { for (int i = 0; i < 2; i += 1) { c = (c + 1) % 3; a = a ^ c; } }\n");
	same_counts(p, "three counters");
	struct mn_result r;
	explore_with(p, 0, 1, &r);
	assert_true(r.states > 5000);
	mn_result_free(&r);
	mn_prog_free(p);
}

/* The observation a counterexample claims is what its replay shows. */
static void check_replays(const struct mn_prog *p, const struct mn_result *r, const char *what)
{
	for (size_t k = 0; k < r->nobs; k++) {
		const struct mn_obs_result *o = &r->obs[k];
		if (!o->cex)
			continue;
		struct mn_trace t;
		int rc = mn_replay(p, o->cex, &t);
		if (rc)
			fail_msg("%s: %s: replay failed: %s", what, p->obs[k].name, t.error);
		int mid_run = o->cex_positive && p->obs[k].kind == OBS_CHECK &&
			      !mn_checks[p->obs[k].check].final;
		if (mid_run) {
			assert_true((t.final->fired >> p->obs[k].check) & 1);
			/* The last step is the one that fired it. */
			assert_true(t.nsteps > 0);
			assert_true((t.steps[t.nsteps - 1].fired >> p->obs[k].check) & 1);
		} else {
			assert_true(t.is_final);
			assert_int_equal(mn_obs_holds(p, t.final, k), o->cex_positive);
		}
		if (o->cex_minimal) {
			assert_int_equal(t.preemptions, o->cex_preemptions);
			assert_int_equal(t.nsteps, o->cex_steps);
		}
		mn_trace_free(&t);
	}
}

/* A visited set that starts at 2^10 slots and grows in place (x4, six times here) while
 * one or two workers search gives the counts and final states of a table big enough
 * from the start; sleep sets (one worker, a per-slot array to move) too. */
static void test_table_grows_in_place(void **state)
{
	(void)state;
	struct mn_prog *p = must_load(
		"shared a, b, c;\n"
		"P0 { for (int i = 0; i < 2; i += 1) { a = (a + 1) % 3; b = b ^ a; } }\n"
		"P1 { for (int i = 0; i < 2; i += 1) { b = (b + 1) % 3; c = c ^ b; } }\n"
		"P2 { for (int i = 0; i < 2; i += 1) { c = (c + 1) % 3; a = a ^ c; } }\n"
		"exists x (a == 1);\n");
	int modes[] = { MN_RED_PERSISTENT, MN_RED_SLEEP };
	for (int m = 0; m < 2; m++) {
		struct mn_result big, r;
		explore_sized(p, 0, modes[m], 1, 22, &big);
		assert_false(big.incomplete);
		assert_true(big.states > 4096); /* more than 2^10 slots hold */
		for (int jobs = 1; jobs <= 2; jobs++) {
			struct mn_explore_opts o;
			mn_explore_defaults(&o);
			o.reduction = modes[m];
			o.jobs = jobs;
			o.collect_finals = 1;
			o.table_bits = 10;
			o.table_bits_max = 22;
			mn_explore(p, &o, &r);
			assert_false(r.incomplete);
			assert_int_equal(r.states, big.states);
			assert_int_equal(r.transitions, big.transitions);
			assert_int_equal(r.nfinal_hashes, big.nfinal_hashes);
			assert_memory_equal(r.final_hashes, big.final_hashes,
					    r.nfinal_hashes * sizeof(uint64_t));
			/* witnesses name slots: they must still replay after the moves */
			check_replays(p, &r, "grown table");
			mn_result_free(&r);
		}
		/* without room to grow, the run says it is incomplete */
		struct mn_explore_opts o;
		mn_explore_defaults(&o);
		o.reduction = modes[m];
		o.table_bits = 10;
		mn_explore(p, &o, &r);
		assert_true(r.incomplete);
		assert_non_null(strstr(r.incomplete_reason, "table full"));
		mn_result_free(&r);
		mn_result_free(&big);
	}
	mn_prog_free(p);
}

static void test_counterexamples_replay(void **state)
{
	(void)state;
	struct files fs;
	int shown = 0;
	classic_files(&fs);
	for (int i = 0; i < fs.n; i++) {
		struct mn_prog *p = must_load_file(fs.path[i]);
		struct mn_result r;
		explore_with(p, 0, 1, &r);
		check_replays(p, &r, fs.path[i]);
		for (size_t k = 0; k < r.nobs; k++)
			shown += r.obs[k].cex != NULL;
		mn_result_free(&r);
		mn_prog_free(p);
	}
	assert_true(shown >= 2); /* abba's deadlock and broken Peterson's assert at least */
	/* A failed expectation of each kind shows a trace that replays to it. */
	struct mn_prog *p = must_load("shared x;\nP0 { x = 1; }\nP1 { r0 = x; }\n"
				      "exists seen (P1:r0 == 1);\nexists unseen (P1:r0 == 0);\n"
				      "expect seen Always;\nexpect unseen Never;\n");
	struct mn_result r;
	explore_with(p, 0, 1, &r);
	assert_int_equal(mn_result_status(&r), 1);
	assert_non_null(r.obs[obs_index(p, "seen")].cex);
	assert_int_equal(r.obs[obs_index(p, "seen")].cex_positive, 0);
	assert_non_null(r.obs[obs_index(p, "unseen")].cex);
	assert_int_equal(r.obs[obs_index(p, "unseen")].cex_positive, 1);
	check_replays(p, &r, "failed expectations");
	mn_result_free(&r);
	mn_prog_free(p);
}

static void test_smallest_counterexample(void **state)
{
	(void)state;
	/* The deadlock needs one switch: P0 takes a, P1 takes b. Padding steps before the
	 * locks make longer schedules exist with the same number of preemptions. */
	struct mn_prog *p = must_load("mutex a, b; shared x, y;\n"
				      "P0 { x = 1; x = 2; lock(a); lock(b); unlock(b); unlock(a); }\n"
				      "P1 { y = 1; lock(b); lock(a); unlock(a); unlock(b); }\n");
	struct mn_result r;
	explore_with(p, 0, 1, &r);
	const struct mn_obs_result *o = &r.obs[obs_index(p, "deadlock")];
	assert_int_equal(o->verdict, MN_SOMETIMES);
	assert_non_null(o->cex);
	assert_true(o->cex_minimal);
	assert_int_equal(o->cex_preemptions, 1);
	assert_int_equal(o->cex_steps, 5);
	assert_string_equal(o->cex, "0.0.0.1.1");
	mn_result_free(&r);
	mn_prog_free(p);
}

static void test_bounds_make_incomplete(void **state)
{
	(void)state;
	struct mn_prog *p = must_load_file(SRC_DIR "/scenarios/classic/peterson.mnl");
	struct mn_explore_opts o;
	struct mn_result r;

	mn_explore_defaults(&o);
	o.max_depth = 3;
	mn_explore(p, &o, &r);
	assert_true(r.incomplete);
	assert_non_null(strstr(r.incomplete_reason, "max-depth"));
	assert_int_equal(r.obs[obs_index(p, "assert")].verdict, MN_UNDECIDED);
	assert_int_equal(r.obs[obs_index(p, "assert")].expect_status, -1);
	assert_int_equal(mn_result_status(&r), 3);
	mn_result_free(&r);

	mn_explore_defaults(&o);
	o.max_states = 20;
	mn_explore(p, &o, &r);
	assert_true(r.incomplete);
	assert_int_equal(mn_result_status(&r), 3);
	mn_result_free(&r);

	mn_explore_defaults(&o);
	o.no_reduction = 1;
	o.max_depth = 3;
	mn_explore(p, &o, &r);
	assert_true(r.incomplete);
	assert_int_equal(r.obs[obs_index(p, "assert")].verdict, MN_UNDECIDED);
	mn_result_free(&r);
	mn_prog_free(p);

	/* A bound that cuts nothing leaves the run complete. */
	p = must_load("shared x; P0 { x = 1; } P1 { r0 = x; }");
	mn_explore_defaults(&o);
	o.max_depth = 10;
	mn_explore(p, &o, &r);
	if (r.incomplete)
		fail_msg("incomplete: %s (states %llu)", r.incomplete_reason, (unsigned long long)r.states);
	mn_result_free(&r);
	mn_prog_free(p);
}

static void test_preemption_bound(void **state)
{
	(void)state;
	struct mn_prog *p = must_load_file(SRC_DIR "/scenarios/classic/peterson_broken.mnl");
	struct mn_explore_opts o;
	struct mn_result r;
	size_t k = obs_index(p, "assert");

	mn_explore_defaults(&o);
	o.max_preemptions = 0;
	mn_explore(p, &o, &r);
	assert_true(r.incomplete);
	assert_int_equal(r.obs[k].pos, 0); /* without a switch the agents run one after another */
	mn_result_free(&r);

	mn_explore_defaults(&o);
	o.max_preemptions = 2;
	mn_explore(p, &o, &r);
	assert_true(r.obs[k].pos > 0);
	assert_int_equal(r.obs[k].expect_status, 1); /* expect assert Sometimes: witnessed */
	mn_result_free(&r);
	mn_prog_free(p);
}

static void test_random_walks(void **state)
{
	(void)state;
	struct mn_prog *p = must_load("shared c;\nP0 { c = c + 1; }\nP1 { c = c + 1; }\n"
				      "exists lost (c == 1);\nexpect lost Sometimes;\n");
	struct mn_explore_opts o;
	struct mn_result r;
	mn_explore_defaults(&o);
	o.random_walks = 200;
	o.seed = 7;
	mn_explore(p, &o, &r);
	assert_true(r.incomplete);
	assert_int_equal(r.executions, 200);
	assert_int_equal(r.obs[obs_index(p, "lost")].verdict, MN_SOMETIMES);
	assert_int_equal(mn_result_status(&r), 0);
	mn_result_free(&r);
	mn_prog_free(p);
}

static void test_reduction_on_independent_agents(void **state)
{
	(void)state;
	/* Three agents writing their own variables: one interleaving represents all. */
	struct mn_prog *p = must_load("shared a, b, c;\n"
				      "P0 { a = 1; a = 2; a = 3; }\nP1 { b = 1; b = 2; b = 3; }\n"
				      "P2 { c = 1; c = 2; c = 3; }\n");
	struct mn_result red, naive;
	explore_with(p, 0, 1, &red);
	explore_with(p, 1, 1, &naive);
	/* the initial and the final state: with one agent in every persistent set, the
	 * states between are on a chain and not stored (src/engine/chain.h) */
	assert_int_equal(red.states, 2);
	assert_int_equal(red.transitions, 9);
	assert_int_equal(red.executions, 1);
	assert_int_equal(naive.executions, 1680); /* 9! / (3! 3! 3!) */
	mn_result_free(&red);
	mn_result_free(&naive);
	mn_prog_free(p);
}

static void test_replay_rejects_bad_schedules(void **state)
{
	(void)state;
	struct mn_prog *p = must_load("mutex m;\nP0 { lock(m); unlock(m); }\nP1 { lock(m); unlock(m); }\n");
	struct mn_trace t;
	assert_int_equal(mn_replay(p, "0.1", &t), -1); /* P1 blocks on m */
	assert_non_null(strstr(t.error, "blocked"));
	mn_trace_free(&t);
	assert_int_equal(mn_replay(p, "0.0.0", &t), -1);
	assert_non_null(strstr(t.error, "finished"));
	mn_trace_free(&t);
	assert_int_equal(mn_replay(p, "0.5", &t), -1);
	assert_non_null(strstr(t.error, "no agent 5"));
	mn_trace_free(&t);
	assert_int_equal(mn_replay(p, "0.x", &t), -1);
	mn_trace_free(&t);
	assert_int_equal(mn_replay(p, "0.0.1.1", &t), 0);
	assert_true(t.is_final);
	assert_int_equal(t.nsteps, 4);
	assert_string_equal(t.steps[0].text, "lock(m)");
	mn_trace_free(&t);
	mn_prog_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reduction_matches_naive),
		cmocka_unit_test(test_kernel_reduction_sound),
		cmocka_unit_test(test_jobs_identical),
		cmocka_unit_test(test_counterexamples_replay),
		cmocka_unit_test(test_table_grows_in_place),
		cmocka_unit_test(test_smallest_counterexample),
		cmocka_unit_test(test_bounds_make_incomplete),
		cmocka_unit_test(test_preemption_bound),
		cmocka_unit_test(test_random_walks),
		cmocka_unit_test(test_reduction_on_independent_agents),
		cmocka_unit_test(test_replay_rejects_bad_schedules),
	};
	RUN_TESTS(tests);
}
