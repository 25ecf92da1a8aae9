/* The stateful search partitioned across ranks. A state belongs to the rank its
 * fingerprint maps to; only the owner inserts it in its visited set and expands it, so
 * each state is expanded once in the whole run. The persistent set of a state is a
 * function of the state, so the reduced graph, and with it every count (states,
 * transitions, executions, finals, observations), is the one a local run explores,
 * whatever the ranks and the order in which batches arrive. Each rank runs one worker. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lang/interp.h"
#include "../util/xalloc.h"
#include "mpi_comm.h"
#include "mpi_exchange.h"
#include "pack.h"
#include "chain.h"
#include "por.h"
#include "search.h"

/* A state on the way to its owner (its world packed against the initial state), and on
 * the owner's stack (its world whole). */
struct rec {
	uint64_t key;
	uint32_t slot; /* in transit: the parent's slot on the sending rank; stacked: own slot */
	uint32_t depth;
	int32_t agent;
	uint32_t nwords; /* in transit: packed words that follow */
	/* world follows */
};

struct msearch {
	const struct mn_prog *p;
	const struct mn_explore_opts *o;
	struct mn_mpi *m;
	int use_ample;
	struct visited vis;
	uint16_t *parent_rank; /* per slot: the rank holding the parent's slot */
	struct finals *fin;
	size_t rsize, nwords;
	const uint64_t *ref; /* the initial world, padded to whole words */
	struct rec *wire;    /* a successor being packed */
	char *stack;
	size_t n, cap;
	struct rec *scratch; /* a successor being built; its padding stays zero */
	struct exchange x;
	uint64_t transitions, executions, shipped, shipped_words;
	uint32_t max_depth;
	int stop;
	char reason[96];
	double t0, idle; /* idle: seconds without work (MNSIM_MPI_DEBUG) */
};

static struct rec *at(struct msearch *s, size_t i)
{
	return (struct rec *)(s->stack + i * s->rsize);
}

static struct mn_world *rec_world(struct rec *r)
{
	return (struct mn_world *)(r + 1);
}

static int owner(const struct msearch *s, uint64_t key)
{
	/* The high half: the visited set indexes by the low bits. */
	return (int)(((key >> 32) * (uint64_t)s->m->size) >> 32);
}

static void set_stop(struct msearch *s, const char *why)
{
	if (!s->stop)
		snprintf(s->reason, sizeof(s->reason), "%s", why);
	s->stop = 1;
	s->n = 0;
}

/* Inserts a state this rank owns; a new one goes on the stack, its world copied from
 * world or unpacked from the m words of packed. */
static void adopt(struct msearch *s, const struct rec *r, int from, const void *world,
		  const uint64_t *packed, size_t m)
{
	if (s->stop)
		return; /* a stopped rank drains what arrives, so that the others can finish */
	int is_new;
	uint32_t slot = visited_insert(&s->vis, r->key, r->slot, r->agent, &is_new);
	if (slot == UINT32_MAX) {
		set_stop(s, "state table full (raise --table-bits)");
		return;
	}
	if (!is_new)
		return;
	s->parent_rank[slot] = (uint16_t)from;
	/* The local run stops when the whole table passes the bound; here each rank has
	 * its share of it, so the cut point is approximate (the run is incomplete anyway). */
	if (s->o->max_states &&
	    s->vis.count * (uint64_t)s->m->size > s->o->max_states) {
		set_stop(s, "--max-states reached");
		return;
	}
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->stack = xrealloc(s->stack, s->cap * s->rsize);
	}
	struct rec *e = at(s, s->n++);
	*e = *r;
	e->slot = slot;
	if (world)
		memcpy(e + 1, world, s->nwords * 8);
	else
		unpack_world((uint64_t *)(e + 1), s->ref, s->nwords, packed, m);
}

static void deliver(void *arg, int from, const void *rec, size_t bytes)
{
	const struct rec *r = rec;
	if (bytes < sizeof(*r) + (size_t)r->nwords * 8)
		return; /* cannot happen: the exchange hands over whole records */
	adopt(arg, r, from, NULL, (const uint64_t *)(r + 1), r->nwords);
}

static char *slot_name(void *arg)
{
	char buf[16];
	snprintf(buf, sizeof(buf), "%u", *(const uint32_t *)arg);
	return xstrdup(buf);
}

static void expand(struct msearch *s, struct rec *e)
{
	const struct mn_prog *p = s->p;
	struct mn_world *w = rec_world(e);
	int agents[64];
	int n = mn_ample(p, w, s->use_ample, agents);

	if (e->depth > s->max_depth)
		s->max_depth = e->depth;
	if (n == 0) {
		/* The witness is named by its slot here; mn_search_mpi follows the parents
		 * across ranks once the search is over. */
		if (finals_add(s->fin, p, w, slot_name, &e->slot) < 0)
			set_stop(s, "final-state table full");
		return;
	}
	struct rec *succ = s->scratch;
	for (int k = 0; k < n; k++) {
		int a = agents[k];
		memcpy(rec_world(succ), w, p->layout.size);
		mn_step(p, rec_world(succ), a, NULL);
		s->transitions++;
		if (s->use_ample) /* as the threaded search: chains are not stored */
			s->transitions += (uint64_t)mn_chain_follow(p, rec_world(succ), NULL, NULL,
								    NULL, NULL);
		if (mn_is_final(p, rec_world(succ)))
			s->executions++;
		succ->key = mn_fix_key(mn_world_hash(p, rec_world(succ)));
		succ->slot = e->slot;
		succ->depth = e->depth + 1;
		succ->agent = a;
		int dest = owner(s, succ->key);
		if (dest == s->m->rank) {
			adopt(s, succ, dest, succ + 1, NULL, 0);
		} else {
			*s->wire = *succ;
			s->wire->nwords = (uint32_t)pack_world((const uint64_t *)(succ + 1), s->ref,
							       s->nwords, (uint64_t *)(s->wire + 1));
			s->shipped++;
			s->shipped_words += s->wire->nwords;
			xchg_put(&s->x, dest, s->wire, sizeof(*s->wire) + s->wire->nwords * 8,
				 deliver, s);
		}
		if (s->stop)
			return;
	}
}

static void pause_briefly(void)
{
	struct timespec ts = { 0, 50000 };
	nanosleep(&ts, NULL);
}

static void run(struct msearch *s)
{
	struct rec *e = xcalloc(1, s->rsize);
	uint64_t processed = 0;
	for (;;) {
		while (s->n && !s->stop) {
			memcpy(e, at(s, --s->n), s->rsize);
			expand(s, e);
			if ((++processed & 63) == 0)
				xchg_poll(&s->x, deliver, s);
			if ((processed & 63) == 0)
				xchg_flush(&s->x, deliver, s);
			if ((processed & 4095) == 0 && s->o->timeout > 0 &&
			    mn_now() - s->t0 > s->o->timeout)
				set_stop(s, "--timeout reached");
		}
		xchg_flush(&s->x, deliver, s);
		if (xchg_poll(&s->x, deliver, s) || s->n)
			continue;
		double ti = mn_now();
		if (xchg_idle(&s->x))
			break;
		pause_briefly();
		s->idle += mn_now() - ti;
	}
	free(e);
}

/* Rank 0's finals table gets every rank's final states, and the per-observation counts
 * their sums (each final state was counted by its owner only). */
static void merge_finals(struct msearch *s, struct finals *fin)
{
	MPI_Comm c = s->m->comm;
	int me = s->m->rank, size = s->m->size;
	if (fin->nobs) {
		void *pos = me ? (void *)fin->pos : MPI_IN_PLACE;
		void *neg = me ? (void *)fin->neg : MPI_IN_PLACE;
		MPI_Reduce(pos, fin->pos, (int)fin->nobs, MPI_UINT64_T, MPI_SUM, 0, c);
		MPI_Reduce(neg, fin->neg, (int)fin->nobs, MPI_UINT64_T, MPI_SUM, 0, c);
	}
	int mine = (int)fin->set.count;
	uint64_t *keys = xcalloc((size_t)mine + 1, sizeof(*keys));
	int nk = 0;
	for (uint64_t i = 0; i <= fin->set.mask; i++)
		if (fin->set.slots[i].key)
			keys[nk++] = fin->set.slots[i].key;
	int *counts = xcalloc((size_t)size, sizeof(int)), *displs = xcalloc((size_t)size, sizeof(int));
	MPI_Gather(&nk, 1, MPI_INT, counts, 1, MPI_INT, 0, c);
	int total = 0;
	for (int i = 0; i < size; i++) {
		displs[i] = total;
		total += counts[i];
	}
	uint64_t *all = me ? NULL : xcalloc((size_t)total + 1, sizeof(*all));
	MPI_Gatherv(keys, nk, MPI_UINT64_T, all, counts, displs, MPI_UINT64_T, 0, c);
	for (int i = counts[0]; !me && i < total; i++) {
		int is_new;
		if (visited_insert(&fin->set, all[i], MN_NO_PARENT, 0, &is_new) == UINT32_MAX) {
			set_stop(s, "final-state table full");
			break;
		}
	}
	free(all);
	free(counts);
	free(displs);
	free(keys);
}

/* Follows the parents of a witness from rank to rank back to the initial state; rank 0
 * gets the schedule. Every rank takes part. */
static char *schedule_across(struct msearch *s, int who, uint32_t slot)
{
	int cur = who;
	size_t n = 0, cap = 64;
	int *path = xmalloc(cap * sizeof(int));
	for (;;) {
		uint32_t step[3] = { 0, 0, 0 };
		if (s->m->rank == cur) {
			step[0] = s->vis.slots[slot].parent;
			step[1] = s->parent_rank[slot];
			step[2] = s->vis.slots[slot].agent;
		}
		MPI_Bcast(step, 3, MPI_UINT32_T, cur, s->m->comm);
		if (step[0] == MN_NO_PARENT)
			break;
		if (n == cap) {
			cap *= 2;
			path = xrealloc(path, cap * sizeof(int));
		}
		path[n++] = (int)step[2];
		slot = step[0];
		cur = (int)step[1];
	}
	char *str = xmalloc(n * 4 + 1);
	size_t k = 0;
	str[0] = 0;
	for (size_t i = n; i-- > 0;)
		k += (size_t)sprintf(str + k, i + 1 == n ? "%d" : ".%d", path[i]);
	free(path);
	return str;
}

static void resolve_witnesses(struct msearch *s, struct finals *fin)
{
	for (size_t k = 0; k < fin->nobs; k++) {
		for (int side = 0; side < 2; side++) {
			char **wit = side ? &fin->pos_witness[k] : &fin->neg_witness[k];
			int mine = *wit ? s->m->rank : s->m->size, who;
			MPI_Allreduce(&mine, &who, 1, MPI_INT, MPI_MIN, s->m->comm);
			if (who == s->m->size)
				continue;
			uint32_t slot = who == s->m->rank ? (uint32_t)strtoul(*wit, NULL, 10) : 0;
			char *sched = schedule_across(s, who, slot);
			free(*wit);
			*wit = NULL;
			if (s->m->rank == 0 && s->use_ample) {
				*wit = mn_chain_expand(s->p, sched);
				free(sched);
			} else if (s->m->rank == 0)
				*wit = sched;
			else
				free(sched);
		}
	}
}

static void reduce_counts(struct msearch *s, struct mn_result *r)
{
	MPI_Comm c = s->m->comm;
	uint64_t mine[3] = { s->vis.count, s->transitions, s->executions }, sum[3];
	MPI_Reduce(mine, sum, 3, MPI_UINT64_T, MPI_SUM, 0, c);
	MPI_Reduce(&s->max_depth, &r->max_depth, 1, MPI_UINT32_T, MPI_MAX, 0, c);
	int who, stopped = s->stop ? s->m->rank : s->m->size;
	MPI_Allreduce(&stopped, &who, 1, MPI_INT, MPI_MIN, c);
	if (who < s->m->size) {
		MPI_Bcast(s->reason, sizeof(s->reason), MPI_CHAR, who, c);
		r->incomplete = 1;
		snprintf(r->incomplete_reason, sizeof(r->incomplete_reason), "%s", s->reason);
	}
	if (s->m->rank == 0) {
		r->states = sum[0];
		r->transitions = sum[1];
		r->executions = sum[2];
	}
}

void mn_search_mpi(const struct mn_prog *p, const struct mn_explore_opts *o, struct finals *fin,
		   struct mn_result *r)
{
	struct msearch s;
	memset(&s, 0, sizeof(s));
	s.p = p;
	s.o = o;
	s.m = o->mpi;
	s.use_ample = o->reduction == MN_RED_PERSISTENT;
	s.fin = fin;
	s.nwords = (p->layout.size + 7) / 8;
	s.rsize = sizeof(struct rec) + s.nwords * 8;
	s.scratch = xcalloc(1, s.rsize);
	uint64_t *ref = xcalloc(s.nwords, 8);
	memcpy(ref, p->init, p->layout.size);
	s.ref = ref;
	size_t wire_max = sizeof(struct rec) + pack_max_words(s.nwords) * 8;
	s.wire = xcalloc(1, wire_max);
	s.t0 = mn_now();
	if (getenv("MNSIM_MPI_DEBUG"))
		fprintf(stderr, "rank %d: world %u bytes, record %zu\n", s.m->rank, p->layout.size, s.rsize);
	visited_init(&s.vis, o->table_bits);
	s.parent_rank = xcalloc((size_t)1 << o->table_bits, sizeof(uint16_t));
	xchg_init(&s.x, s.m, wire_max);

	struct rec *root = s.scratch;
	root->key = mn_fix_key(mn_world_hash(p, p->init));
	root->slot = MN_NO_PARENT;
	root->agent = 0;
	memcpy(rec_world(root), p->init, p->layout.size);
	if (owner(&s, root->key) == s.m->rank) {
		adopt(&s, root, s.m->rank, root + 1, NULL, 0);
		if (mn_is_final(p, p->init))
			s.executions = 1;
	}
	run(&s);
	if (getenv("MNSIM_MPI_DEBUG"))
		fprintf(stderr, "rank %d: %llu states, shipped %llu, %.0f words each of %zu, "
				"%lld batches, %.2f s idle of %.2f\n",
			s.m->rank, (unsigned long long)s.vis.count, (unsigned long long)s.shipped,
			(double)s.shipped_words / (double)(s.shipped ? s.shipped : 1), s.nwords,
			(long long)s.x.sent, s.idle, mn_now() - s.t0);
	xchg_free(&s.x);

	merge_finals(&s, fin);
	resolve_witnesses(&s, fin);
	reduce_counts(&s, r);

	free(s.stack);
	free(s.scratch);
	free(s.wire);
	free(ref);
	free(s.parent_rank);
	visited_free(&s.vis);
}
