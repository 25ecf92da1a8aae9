/* Runs the chosen search, then turns counts into verdicts, expectations and the
 * counterexamples worth showing. */
#include "mnsim/explore.h"

#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"
#include "cex.h"
#include "mpi.h"
#include "search.h"

/* Without --table-bits the search starts with a small table: one sized for the largest
 * runs up front costs every small run the zeroing of its pages. The stateful search grows
 * it in place (x4) when it fills; the other searches start over with a table four times
 * the size. MPI runs, whose ranks would have to agree on either, take a large table. */
#define FIRST_TABLE_BITS 18
#define AUTO_TABLE_BITS_MAX 28
#define MPI_TABLE_BITS 24
#define CEX_LIMIT 200000

void mn_explore_defaults(struct mn_explore_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->max_preemptions = -1;
	o->seed = 1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static enum mn_verdict verdict_of(uint64_t pos, uint64_t neg, int incomplete)
{
	if (pos && neg)
		return MN_SOMETIMES;
	if (incomplete)
		return MN_UNDECIDED;
	return pos ? MN_ALWAYS : MN_NEVER;
}

/* 1 holds, 0 fails, -1 undecided. A failure is certain when a witness contradicts it. */
static int expect_status(int expect, uint64_t pos, uint64_t neg, int incomplete)
{
	switch (expect) {
	case MN_NEVER:
		return pos ? 0 : incomplete ? -1 : 1;
	case MN_ALWAYS:
		return neg ? 0 : incomplete ? -1 : pos ? 1 : 0;
	default: /* Sometimes */
		return pos && neg ? 1 : incomplete ? -1 : 0;
	}
}

static void choose_cex(const struct mn_prog *p, const struct mn_explore_opts *o,
		       const struct finals *fin, size_t k, struct mn_obs_result *res)
{
	int want = -1;
	if (res->expect_status == 0 && res->expect == MN_NEVER)
		want = 1;
	else if (res->expect_status == 0 && res->expect == MN_ALWAYS)
		want = res->neg ? 0 : -1;
	else if (p->obs[k].kind == OBS_CHECK && res->pos)
		want = 1; /* a check that fires always gets its trace */
	if (want < 0)
		return;
	res->cex_positive = want;
	if (!o->no_min_cex) {
		res->cex = mn_min_cex(p, k, want, CEX_LIMIT, &res->cex_preemptions,
				      &res->cex_steps);
		if (res->cex) {
			res->cex_minimal = 1;
			return;
		}
	}
	const char *w = want ? fin->pos_witness[k] : fin->neg_witness[k];
	if (w)
		res->cex = xstrdup(w);
}

int mn_explore(const struct mn_prog *p, const struct mn_explore_opts *o, struct mn_result *r)
{
	struct finals fin;
	struct mn_explore_opts opts = *o;
	double t0 = mn_now();

	int grow = !opts.table_bits && !opts.mpi;
	if (!opts.table_bits)
		opts.table_bits = opts.mpi ? MPI_TABLE_BITS : FIRST_TABLE_BITS;
	if (opts.table_bits < 10)
		opts.table_bits = 10;
	if (opts.table_bits > 31)
		opts.table_bits = 31;
	if (!opts.table_bits_max) /* --table-bits N alone: that size, fixed */
		opts.table_bits_max = grow ? AUTO_TABLE_BITS_MAX : opts.table_bits;
	/* which search runs; only the stateful one grows its table itself */
	int stateful = !opts.random_walks && !(opts.mpi && !mn_mpi_unsupported(&opts)) &&
		       !opts.no_reduction;
	for (;;) {
		memset(r, 0, sizeof(*r));
		finals_init(&fin, p, grow || opts.table_bits > 20 ? 20 : opts.table_bits);
		if (opts.random_walks)
			mn_search_random(p, &opts, &fin, r);
		else if (opts.mpi && !mn_mpi_unsupported(&opts))
			mn_search_mpi(p, &opts, &fin, r);
		else if (opts.no_reduction)
			mn_search_naive(p, &opts, &fin, r);
		else /* preemption bounding counts switches on real schedules: no reduction */
			mn_search_stateful(p, &opts, opts.max_preemptions < 0 ? opts.reduction :
						MN_RED_NONE, &fin, r);
		if (!grow || stateful || !r->incomplete ||
		    !strstr(r->incomplete_reason, "state table full") ||
		    opts.table_bits + 2 > AUTO_TABLE_BITS_MAX)
			break;
		finals_free(&fin);
		opts.table_bits += 2;
	}
	r->finals = fin.set.count;
	/* Under MPI only rank 0 holds the whole run; the others are done. */
	int partial = opts.mpi && mn_mpi_rank(opts.mpi) != 0;

	r->nobs = p->nobs;
	r->obs = xcalloc(p->nobs, sizeof(*r->obs));
	for (size_t k = 0; k < p->nobs; k++) {
		struct mn_obs_result *res = &r->obs[k];
		res->pos = fin.pos[k];
		res->neg = fin.neg[k];
		res->verdict = verdict_of(res->pos, res->neg, r->incomplete);
		res->expect = p->obs[k].expect;
		res->expect_status = res->expect < 0 ? 1 :
				     expect_status(res->expect, res->pos, res->neg, r->incomplete);
		if (!partial)
			choose_cex(p, &opts, &fin, k, res);
	}
	if (opts.collect_finals) {
		r->final_hashes = xcalloc(fin.set.count ? fin.set.count : 1, sizeof(uint64_t));
		for (uint64_t i = 0; i <= fin.set.mask; i++)
			if (fin.set.slots[i].key)
				r->final_hashes[r->nfinal_hashes++] = fin.set.slots[i].key;
		qsort(r->final_hashes, r->nfinal_hashes, sizeof(uint64_t), cmp_u64);
	}
	finals_free(&fin);
	r->seconds = mn_now() - t0;
	return 0;
}

void mn_result_free(struct mn_result *r)
{
	for (size_t k = 0; k < r->nobs; k++)
		free(r->obs[k].cex);
	free(r->obs);
	free(r->final_hashes);
	memset(r, 0, sizeof(*r));
}

int mn_result_status(const struct mn_result *r)
{
	/* An incomplete run whose expectations are all decided by witnesses still holds;
	 * one that expects nothing can only say that it is incomplete. */
	int undecided = 0, expects = 0;
	for (size_t k = 0; k < r->nobs; k++) {
		expects += r->obs[k].expect >= 0;
		if (r->obs[k].expect_status == 0)
			return 1;
		if (r->obs[k].expect_status < 0)
			undecided = 1;
	}
	return undecided || (r->incomplete && !expects) ? 3 : 0;
}
