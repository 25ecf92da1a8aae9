/* Counting Mazurkiewicz traces (src/engine/traces.c): hand-counted cases, a cross-check of
 * the Foata normal forms against the closure of the executions under swaps of adjacent
 * independent steps, and the persistent-set enumeration against the trace count on every
 * classic scenario. */
#include <dirent.h>

#include "support.h"
#include "engine/traces.h"
#include "lang/interp.h"
#include "engine/por.h"

struct counts {
	struct mn_trace_count all, per, sl;
};

static void count_all(const struct mn_prog *p, struct counts *c)
{
	mn_count_traces(p, MN_TRACES_ALL, 1000000, &c->all);
	mn_count_traces(p, MN_TRACES_PERSISTENT, 1000000, &c->per);
	mn_count_traces(p, MN_TRACES_SLEEP, 1000000, &c->sl);
	assert_false(c->all.incomplete);
	assert_false(c->per.incomplete);
	assert_false(c->sl.incomplete);
}

/* Two agents on disjoint variables: every interleaving is the same trace. The naive
 * enumeration has C(2 + 3, 2) = 10 executions; the persistent set of every state is one
 * agent (nothing the other may do touches its variable), so one path. */
static void test_disjoint_one_trace(void **state)
{
	(void)state;
	struct mn_prog *p = must_load("shared x, y;\nP0 { x = 1; x = 2; }\n"
				      "P1 { y = 1; y = 2; y = 3; }\n");
	struct counts c;
	count_all(p, &c);
	assert_int_equal(c.all.executions, 10);
	assert_int_equal(c.all.traces, 1);
	assert_int_equal(c.per.executions, 1);
	assert_int_equal(c.per.traces, 1);
	assert_int_equal(c.sl.executions, 1);
	assert_int_equal(c.all.cycles, 0);
	mn_prog_free(p);
}

/* Two agents writing the same variable once each: the two orders are two traces. A read
 * of a third variable by each, after its write, adds no trace (reads of different
 * variables commute with everything the other agent does): 2 traces among C(4, 2) = 6
 * executions. */
static void test_same_variable_two_traces(void **state)
{
	(void)state;
	struct mn_prog *p = must_load("shared x;\nP0 { x = 1; }\nP1 { x = 2; }\n");
	struct counts c;
	count_all(p, &c);
	assert_int_equal(c.all.executions, 2);
	assert_int_equal(c.all.traces, 2);
	assert_int_equal(c.per.executions, 2);
	mn_prog_free(p);

	p = must_load("shared x, a, b;\nP0 { x = 1; r0 = a; }\nP1 { x = 2; r0 = b; }\n");
	count_all(p, &c);
	assert_int_equal(c.all.executions, 6);
	assert_int_equal(c.all.traces, 2);
	assert_int_equal(c.per.traces, 2);
	mn_prog_free(p);
}

/* Store buffering: P0 { x = 1; r0 = y; }  P1 { y = 1; r0 = x; }.
 * The dependent pairs are (P0's write of x, P1's read of x) and (P1's write of y, P0's
 * read of y); a trace is the order of each pair. Of the 4 combinations, "P1 reads x
 * before P0 writes it and P0 reads y before P1 writes it" is cyclic with program order
 * (x=1 < r y < y=1 < r x < x=1), so 3 traces among C(4, 2) = 6 executions.
 * Persistent sets: at the start each agent's write conflicts with the other's later read,
 * so both agents; after one write, both again (the writer's read conflicts with the
 * other's write, the other's write... with the writer's read); after both writes, each
 * read alone (nothing left conflicts): paths 0.0.1.1, 0.1.0.1, 1.0.1.0, 1.1.0.0, where
 * 0.1.0.1 and 1.0.1.0 are one trace. 4 paths. With sleep sets, 1.0 is not taken (P0
 * sleeps after 1: its write was explored first and is independent of y = 1): 3. */
static void test_store_buffering(void **state)
{
	(void)state;
	struct mn_prog *p = must_load_file(SRC_DIR "/scenarios/classic/sb.mnl");
	struct counts c;
	count_all(p, &c);
	assert_int_equal(c.all.executions, 6);
	assert_int_equal(c.all.traces, 3);
	assert_int_equal(c.per.executions, 4);
	assert_int_equal(c.per.traces, 3);
	assert_int_equal(c.sl.executions, 3);
	mn_prog_free(p);
}

/* IRIW: writers x = 1 and y = 1; P2 reads x then y, P3 reads y then x. A trace is the
 * order of each write against each reader's read of its variable: 2^4 = 16 combinations,
 * of which one is cyclic (P2 sees x before y and P3 sees y before x: x=1 < P2 r x < P2 r y
 * < y=1 < P3 r y < P3 r x < x=1). 15 traces; 6!/(2! 2!) = 180 executions. */
static void test_iriw(void **state)
{
	(void)state;
	struct mn_prog *p = must_load_file(SRC_DIR "/scenarios/classic/iriw.mnl");
	struct counts c;
	count_all(p, &c);
	assert_int_equal(c.all.executions, 180);
	assert_int_equal(c.all.traces, 15);
	assert_true(c.per.executions >= 15);
	assert_int_equal(c.per.traces, 15);
	mn_prog_free(p);
}

/* The limit makes the count incomplete, never wrong; a loop that returns to a state is
 * reported as cycles. */
static void test_limit_and_cycles(void **state)
{
	(void)state;
	struct mn_prog *p = must_load_file(SRC_DIR "/scenarios/classic/sb.mnl");
	struct mn_trace_count c;
	mn_count_traces(p, MN_TRACES_ALL, 5, &c);
	assert_true(c.incomplete);
	assert_true(c.executions <= 5);
	mn_count_traces(p, MN_TRACES_ALL, 6, &c);
	assert_false(c.incomplete);
	assert_int_equal(c.executions, 6);
	mn_prog_free(p);

	p = must_load("shared flag, turn;\nP0 { while (flag == 0) { turn = 1; } r0 = turn; }\n"
		      "P1 { turn = 0; flag = 1; }\n");
	mn_count_traces(p, MN_TRACES_ALL, 1000000, &c);
	assert_false(c.incomplete);
	assert_true(c.cycles > 0);
	mn_prog_free(p);
}

/* An independent count of traces: every execution (as its agent sequence), then the
 * classes of the relation "one adjacent pair of independent steps swapped", by union-find.
 * Also checks that the footprints are sound on these scenarios: swapping two independent
 * steps of an execution gives an execution. */
#define SEQ_LEN 256 /* longest execution of the scenarios checked */

struct execs {
	const struct mn_prog *p;
	unsigned char *seq; /* n executions of SEQ_LEN steps each (padded with 0xff) */
	size_t n, cap;
};

static void enumerate(struct execs *e, const struct mn_world *w, unsigned char *path, size_t d)
{
	size_t ws = e->p->layout.size;
	int any = 0;
	assert_true(d < SEQ_LEN);
	for (int a = 0; a < e->p->nagents; a++) {
		if (!mn_enabled(e->p, w, a))
			continue;
		any = 1;
		struct mn_world *c = malloc(ws);
		memcpy(c, w, ws);
		mn_step(e->p, c, a, NULL);
		path[d] = (unsigned char)a;
		enumerate(e, c, path, d + 1);
		free(c);
	}
	if (any)
		return;
	if (e->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 1024;
		e->seq = realloc(e->seq, e->cap * SEQ_LEN);
	}
	memset(e->seq + e->n * SEQ_LEN, 0xff, SEQ_LEN);
	memcpy(e->seq + e->n * SEQ_LEN, path, d);
	e->n++;
}

static int seq_cmp(const void *a, const void *b)
{
	return memcmp(a, b, SEQ_LEN);
}

static int find(int *parent, int i)
{
	while (parent[i] != i)
		i = parent[i] = parent[parent[i]];
	return i;
}

static uint64_t swap_classes(const struct mn_prog *p)
{
	struct execs e = { p, NULL, 0, 0 };
	unsigned char path[SEQ_LEN];
	enumerate(&e, p->init, path, 0);
	qsort(e.seq, e.n, SEQ_LEN, seq_cmp);
	int *parent = malloc(e.n * sizeof(int));
	for (size_t i = 0; i < e.n; i++)
		parent[i] = (int)i;
	size_t ws = p->layout.size;
	struct mn_world *w = malloc(ws);
	unsigned char sw[SEQ_LEN];
	struct mn_fp fp[SEQ_LEN];
	for (size_t i = 0; i < e.n; i++) {
		const unsigned char *s = e.seq + i * SEQ_LEN;
		size_t n = 0;
		memcpy(w, p->init, ws);
		for (; n < SEQ_LEN && s[n] != 0xff; n++) {
			mn_next_fp(p, w, s[n], &fp[n]);
			mn_step(p, w, s[n], NULL);
		}
		for (size_t k = 0; k + 1 < n; k++) {
			if (s[k] == s[k + 1] || fp_conflict(&fp[k], &fp[k + 1]))
				continue;
			memcpy(sw, s, SEQ_LEN);
			sw[k] = s[k + 1];
			sw[k + 1] = s[k];
			unsigned char *hit = bsearch(sw, e.seq, e.n, SEQ_LEN, seq_cmp);
			if (!hit)
				fail_msg("%s: swapping independent steps %zu and %zu of an execution "
					 "gives no execution", p->name, k, k + 1);
			int a = find(parent, (int)i), b = find(parent, (int)((hit - e.seq) / SEQ_LEN));
			parent[a] = b;
		}
	}
	uint64_t classes = 0;
	for (size_t i = 0; i < e.n; i++)
		classes += find(parent, (int)i) == (int)i;
	free(w);
	free(parent);
	free(e.seq);
	return classes;
}

/* Every classic scenario: the Foata count equals the swap-class count, no cycle, and the
 * persistent-set enumeration (with or without sleep sets) reaches every trace, so it has
 * at least as many paths as there are traces. */
static void test_classic_persistent_covers_traces(void **state)
{
	(void)state;
	const char *dir = SRC_DIR "/scenarios/classic";
	DIR *dh = opendir(dir);
	struct dirent *de;
	int checked = 0;
	assert_non_null(dh);
	while ((de = readdir(dh))) {
		size_t n = strlen(de->d_name);
		if (n < 5 || strcmp(de->d_name + n - 4, ".mnl"))
			continue;
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		struct mn_prog *p = must_load_file(path);
		struct counts c;
		count_all(p, &c);
		assert_int_equal(c.all.cycles, 0);
		uint64_t classes = swap_classes(p);
		if (classes != c.all.traces)
			fail_msg("%s: %llu Foata normal forms, %llu swap classes", path,
				 (unsigned long long)c.all.traces, (unsigned long long)classes);
		if (c.per.traces != c.all.traces || c.sl.traces != c.all.traces)
			fail_msg("%s: %llu traces, %llu reached with persistent sets, %llu with "
				 "sleep sets too", path, (unsigned long long)c.all.traces,
				 (unsigned long long)c.per.traces, (unsigned long long)c.sl.traces);
		assert_true(c.per.executions >= c.all.traces);
		assert_true(c.per.executions <= c.all.executions);
		assert_true(c.sl.executions >= c.all.traces);
		assert_true(c.sl.executions <= c.per.executions);
		checked++;
		mn_prog_free(p);
	}
	closedir(dh);
	assert_true(checked >= 12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disjoint_one_trace),
		cmocka_unit_test(test_same_variable_two_traces),
		cmocka_unit_test(test_store_buffering),
		cmocka_unit_test(test_iriw),
		cmocka_unit_test(test_limit_and_cycles),
		cmocka_unit_test(test_classic_persistent_covers_traces),
	};
	RUN_TESTS(tests);
}
