/* Stateful search over the (reduced) state graph, on one or several workers. The set of
 * states reached depends only on the states themselves (the persistent set of a state is a
 * function of the state), so every count is the same whatever the number of workers. */
#include "search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lang/interp.h"
#include "../util/xalloc.h"
#include "chain.h"
#include "por.h"

double mn_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct entry {
	uint32_t slot;
	uint32_t depth;
	int16_t last; /* agent of the step that led here, -1 at the start */
	int16_t pre;  /* preemptions so far */
	int32_t nample; /* agents in `ample`, the persistent set here when the chain that led
			 * here found it already; -1: not known */
	uint64_t ample;
	uint64_t sleep; /* sleep set: agents whose step here is covered elsewhere */
	uint64_t only;  /* agents still to explore (a revisit explores the woken ones) */
	struct mn_world *w; /* owned by the entry: stacks move pointers, not kilobytes */
};

struct stack {
	char *buf;
	size_t n, cap; /* in entries */
	size_t esize;
};

static struct entry *stack_at(struct stack *s, size_t i)
{
	return (struct entry *)(s->buf + i * s->esize);
}

static struct entry *stack_push(struct stack *s)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->buf = xrealloc(s->buf, s->cap * s->esize);
	}
	return stack_at(s, s->n++);
}

struct worker;

struct search {
	const struct mn_prog *p;
	const struct mn_explore_opts *o;
	int use_ample, use_sleep;
	int chain; /* follow choiceless steps without storing the states between (chain.h) */
	int bounded_pre;
	struct visited vis;
	uint64_t *sleep_of; /* per visited slot, the sleep set it was explored with */
	struct finals *fin;
	size_t esize;
	/* A world buffer holds the world and, at memo_off, what is known of its agents
	 * (memo.h): a successor inherits it but for the agents that stepped, instead of
	 * hashing every agent and computing every agent's footprints again. */
	size_t wsize, memo_off;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct stack pool;
	int nworkers, idle, done;
	int growing, paused; /* a worker is growing the visited set; workers waiting for it */
	int exited;          /* workers that left their loop */
	struct worker *workers;
	int table_bits, table_bits_max;
	int stop; /* atomic */
	char reason[96];
	uint64_t executions; /* of the initial state; the workers count the rest */
	double t0, last_progress;
};

/* Aligned to two cache lines: neighbouring workers' counters shared a line, and every
 * step of one invalidated it for the other. */
struct worker {
	_Alignas(128) struct search *s;
	int id;
	struct stack st;
	uint64_t processed;
	/* counted per worker and summed at the end: shared counters bounced between
	 * the cores at every transition */
	uint64_t transitions, executions;
	uint32_t max_depth;
	struct entry *cur; /* the entry being expanded, whose slot a growth renumbers */
	struct mn_world **spare; /* world buffers to reuse */
	size_t nspare, cspare;
};

static struct mn_world *world_get(struct worker *wk)
{
	if (wk->nspare)
		return wk->spare[--wk->nspare];
	return xmalloc(wk->s->wsize);
}

static struct mn_memo *memo_of(const struct search *s, struct mn_world *w)
{
	return (struct mn_memo *)((char *)w + s->memo_off);
}

static void world_put(struct worker *wk, struct mn_world *w)
{
	if (wk->nspare >= 4096) {
		free(w);
		return;
	}
	XGROW(wk->spare, wk->cspare, wk->nspare + 1);
	wk->spare[wk->nspare++] = w;
}

static void set_stop(struct search *s, const char *why)
{
	pthread_mutex_lock(&s->lock);
	if (!s->stop) {
		snprintf(s->reason, sizeof(s->reason), "%s", why);
		__atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
	}
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

/* Marks the run incomplete without stopping it (a bound cut one path). */
static void set_cut(struct search *s, const char *why)
{
	pthread_mutex_lock(&s->lock);
	if (!s->reason[0])
		snprintf(s->reason, sizeof(s->reason), "%s", why);
	pthread_mutex_unlock(&s->lock);
}

/* w's memo came with the world was (NULL: it has no hashes). */
static uint64_t state_key(const struct search *s, struct mn_world *w, const struct mn_world *was,
			  int last, int pre)
{
	uint64_t h = mn_world_hash_memo(s->p, w, memo_of(s, w), was);
	if (s->bounded_pre)
		h ^= (uint64_t)(last + 2) * 0x9e3779b97f4a7c15ull ^ (uint64_t)(pre + 1) * 0xc2b2ae3d27d4eb4full;
	return mn_fix_key(h);
}

struct sched_arg {
	const struct search *s;
	uint32_t slot;
};

static char *sched_of(void *arg)
{
	struct sched_arg *a = arg;
	char *starts = visited_schedule(&a->s->vis, a->slot);
	if (!a->s->chain)
		return starts;
	char *full = mn_chain_expand(a->s->p, starts);
	free(starts);
	return full;
}

static int get_work(struct worker *wk, struct entry *out)
{
	struct search *s = wk->s;
	if (wk->st.n) {
		memcpy(out, stack_at(&wk->st, --wk->st.n), s->esize);
		return 1;
	}
	pthread_mutex_lock(&s->lock);
	while ((!s->pool.n || s->growing) && !s->done && !s->stop) {
		if (s->idle + 1 == s->nworkers) {
			s->done = 1;
			pthread_cond_broadcast(&s->cond);
			break;
		}
		s->idle++;
		if (s->growing) /* the grower waits for everyone else to stand still */
			pthread_cond_broadcast(&s->cond);
		pthread_cond_wait(&s->cond, &s->lock);
		s->idle--;
	}
	int got = 0;
	if (s->pool.n && !s->stop) {
		memcpy(out, stack_at(&s->pool, --s->pool.n), s->esize);
		got = 1;
	}
	pthread_mutex_unlock(&s->lock);
	return got;
}

/* Gives the oldest half of the local stack to idle workers. */
static void share(struct worker *wk)
{
	struct search *s = wk->s;
	if (wk->st.n < 2 || !__atomic_load_n(&s->idle, __ATOMIC_RELAXED))
		return;
	size_t give = wk->st.n / 2;
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < give; i++)
		memcpy(stack_push(&s->pool), stack_at(&wk->st, i), s->esize);
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	memmove(wk->st.buf, wk->st.buf + give * s->esize, (wk->st.n - give) * s->esize);
	wk->st.n -= give;
}

static void progress(struct search *s, uint32_t depth)
{
	double t = mn_now();
	if (t - s->last_progress < 0.5)
		return;
	s->last_progress = t;
	uint64_t n = __atomic_load_n(&s->vis.count, __ATOMIC_RELAXED);
	fprintf(stderr, "\r%s: %llu states, %.0f states/s, depth %u, %.1fs   ", s->p->name,
		(unsigned long long)n, (double)n / (t - s->t0), depth, t - s->t0);
}

/* Pushes the state succ (the entry takes the buffer), with its persistent set when known
 * (nample >= 0). */
static void push(struct worker *wk, uint32_t slot, const struct entry *from, int a, int pre,
		 uint64_t sleep, uint64_t only, struct mn_world *succ, int nample, uint64_t ample)
{
	struct entry *ne = stack_push(&wk->st);
	ne->slot = slot;
	ne->depth = from->depth + 1;
	ne->last = (int16_t)a;
	ne->pre = (int16_t)pre;
	ne->nample = nample;
	ne->ample = ample;
	ne->sleep = sleep;
	ne->only = only;
	ne->w = succ;
}

/* Sleep sets on a revisit (Godefroid): a state explored with sleep set Z_old and reached
 * again with Z_new must still explore what Z_old put to sleep and Z_new does not. Takes
 * the buffer succ. */
static void revisit(struct worker *wk, uint32_t slot, const struct entry *e, int a, int pre,
		    uint64_t z_new, struct mn_world *succ)
{
	struct search *s = wk->s;
	uint64_t z_old = s->sleep_of[slot];
	if (!(z_old & ~z_new)) {
		world_put(wk, succ);
		return;
	}
	s->sleep_of[slot] = z_old & z_new;
	push(wk, slot, e, a, pre, z_new, z_old & ~z_new, succ, -1, 0);
}

/* Waits, with s->lock held, while another worker grows the visited set. */
static void wait_growth(struct search *s)
{
	s->paused++;
	pthread_cond_broadcast(&s->cond);
	while (s->growing)
		pthread_cond_wait(&s->cond, &s->lock);
	s->paused--;
}

static void renumber(struct stack *st, const uint32_t *map)
{
	for (size_t k = 0; k < st->n; k++)
		stack_at(st, k)->slot = map[stack_at(st, k)->slot];
}

/* The visited set is full: makes it four times larger while every other worker waits
 * (between two expansions, or here), then renumbers every slot a worker or a stack
 * holds. Growing in place keeps small runs' tables small without redoing a search that
 * outgrew one. Returns 0 when it may not grow further. */
static int grow(struct worker *wk)
{
	struct search *s = wk->s;
	pthread_mutex_lock(&s->lock);
	if (s->growing) {
		wait_growth(s);
		pthread_mutex_unlock(&s->lock);
		return 1;
	}
	if (s->table_bits + 2 > s->table_bits_max) {
		pthread_mutex_unlock(&s->lock);
		return 0;
	}
	s->growing = 1;
	while (s->paused + s->idle + s->exited < s->nworkers - 1)
		pthread_cond_wait(&s->cond, &s->lock);
	size_t n_old = (size_t)s->vis.mask + 1;
	uint32_t *map = visited_grow(&s->vis, 2);
	s->table_bits += 2;
	renumber(&s->pool, map);
	for (int i = 0; i < s->nworkers; i++) {
		struct worker *o = &s->workers[i];
		renumber(&o->st, map);
		if (o->cur)
			o->cur->slot = map[o->cur->slot];
	}
	if (s->sleep_of) {
		uint64_t *z = xcalloc(n_old * 4, sizeof(*z));
		for (size_t i = 0; i < n_old; i++)
			if (map[i] != MN_NO_PARENT)
				z[map[i]] = s->sleep_of[i];
		free(s->sleep_of);
		s->sleep_of = z;
	}
	free(map);
	s->growing = 0;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return 1;
}

static void expand(struct worker *wk, struct entry *e)
{
	struct search *s = wk->s;
	const struct mn_prog *p = s->p;
	struct mn_world *w = e->w;
	int agents[64], n = 0;
	if (e->nample >= 0)
		for (uint64_t x = e->ample; x; x &= x - 1)
			agents[n++] = __builtin_ctzll(x);
	else if (s->use_ample)
		n = mn_ample_cached(p, w, agents, memo_of(s, w));
	else
		n = mn_ample(p, w, 0, agents);
	struct mn_fp next[64];
	uint64_t done = 0;

	if (e->depth > wk->max_depth)
		wk->max_depth = e->depth;
	if (n == 0) {
		struct sched_arg a = { s, e->slot };
		if (finals_add(s->fin, p, w, sched_of, &a) < 0)
			set_stop(s, "final-state table full");
		return;
	}
	if (s->o->max_depth && e->depth >= s->o->max_depth) {
		set_cut(s, "--max-depth reached");
		return;
	}
	int last_enabled = e->last >= 0 && mn_enabled(p, w, e->last);
	if (s->use_sleep)
		for (int k = 0; k < p->nagents; k++)
			if (mn_agent_c(w, &p->layout, k)->status == MN_AGENT_RUNNING)
				mn_next_fp(p, w, k, &next[k]);
	/* Every successor first, then the inserts: the table's cache lines for all of
	 * them are on their way while the later ones are computed. */
	struct mn_world *succs[64];
	uint64_t keys[64], sleeps[64], amples[64];
	int pres[64], m = 0, todo[64], namples[64];
	for (int k = 0; k < n; k++) {
		int a = agents[k], pre = e->pre;
		uint64_t bit = 1ull << a, child_sleep = 0;
		if (s->use_sleep) {
			if ((e->sleep & bit) || !(e->only & bit))
				continue;
			/* What slept here, or was explored before a, and commutes with a. */
			uint64_t cand = e->sleep | done;
			for (int b = 0; b < p->nagents; b++)
				if ((cand >> b & 1) && !fp_conflict(&next[b], &next[a]))
					child_sleep |= 1ull << b;
			done |= bit;
		}
		if (e->last >= 0 && a != e->last && last_enabled)
			pre++;
		if (s->bounded_pre && pre > s->o->max_preemptions) {
			set_cut(s, "--max-preemptions reached");
			continue;
		}
		struct mn_world *succ = world_get(wk);
		memcpy(succ, w, p->layout.size);
		mn_step(p, succ, a, NULL);
		memcpy(memo_of(s, succ), memo_of(s, w), s->wsize - s->memo_off);
		mn_memo_step(memo_of(s, succ), a);
		uint64_t steps = 1;
		int set[64], nset = -1;
		if (s->chain)
			steps += (uint64_t)mn_chain_follow(p, succ, memo_of(s, succ), NULL, set,
							   &nset);
		amples[m] = 0;
		for (int q = 0; q < nset; q++)
			amples[m] |= 1ull << set[q];
		namples[m] = nset;
		wk->transitions += steps;
		/* a persistent set is empty exactly when no agent is enabled */
		if (nset >= 0 ? nset == 0 : mn_is_final(p, succ))
			wk->executions++;
		succs[m] = succ;
		todo[m] = a;
		pres[m] = pre;
		sleeps[m] = child_sleep;
		keys[m] = state_key(s, succ, w, a, pre);
		visited_prefetch(&s->vis, keys[m]);
		m++;
	}
	for (int k = 0; k < m; k++) {
		int is_new, a = todo[k];
		struct mn_world *succ = succs[k];
		uint32_t slot = visited_insert(&s->vis, keys[k], e->slot, a, &is_new);
		while (slot == UINT32_MAX && grow(wk)) /* e->slot is renumbered by then */
			slot = visited_insert(&s->vis, keys[k], e->slot, a, &is_new);
		if (slot == UINT32_MAX) {
			set_stop(s, "state table full (raise --table-bits)");
			for (; k < m; k++)
				world_put(wk, succs[k]);
			return;
		}
		if (!is_new) {
			if (s->use_sleep)
				revisit(wk, slot, e, a, pres[k], sleeps[k], succ);
			else
				world_put(wk, succ);
			continue;
		}
		if (s->o->max_states && __atomic_load_n(&s->vis.count, __ATOMIC_RELAXED) >
						s->o->max_states) {
			set_stop(s, "--max-states reached");
			for (; k < m; k++)
				world_put(wk, succs[k]);
			return;
		}
		if (s->use_sleep)
			s->sleep_of[slot] = sleeps[k];
		push(wk, slot, e, a, pres[k], sleeps[k], ~0ull, succ, namples[k], amples[k]);
	}
}

static void *worker_main(void *arg)
{
	struct worker *wk = arg;
	struct search *s = wk->s;
	struct entry *e = xmalloc(s->esize);

	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE) && get_work(wk, e)) {
		wk->cur = e;
		expand(wk, e);
		wk->cur = NULL;
		world_put(wk, e->w);
		if (__atomic_load_n(&s->growing, __ATOMIC_RELAXED)) {
			pthread_mutex_lock(&s->lock);
			if (s->growing)
				wait_growth(s);
			pthread_mutex_unlock(&s->lock);
		}
		if ((++wk->processed & 255) == 0) {
			share(wk);
			if ((wk->processed & 4095) == 0) {
				if (s->o->timeout > 0 && mn_now() - s->t0 > s->o->timeout)
					set_stop(s, "--timeout reached");
				if (wk->id == 0 && s->o->progress)
					progress(s, e->depth);
			}
		}
	}
	pthread_mutex_lock(&s->lock);
	s->exited++;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	free(e);
	return NULL;
}

static int ncpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

void mn_search_stateful(const struct mn_prog *p, const struct mn_explore_opts *o,
			int reduction, struct finals *fin, struct mn_result *r)
{
	struct search s;
	memset(&s, 0, sizeof(s));
	s.p = p;
	s.o = o;
	s.use_ample = reduction == MN_RED_PERSISTENT || reduction == MN_RED_BOTH;
	s.use_sleep = reduction == MN_RED_SLEEP || reduction == MN_RED_BOTH;
	s.bounded_pre = o->max_preemptions >= 0;
	/* Bounds count the steps of one path and sleep sets the agents of one state: both
	 * need every state, so chains are followed only under plain persistent sets. */
	s.chain = s.use_ample && !s.use_sleep && !s.bounded_pre && !o->max_depth;
	s.fin = fin;
	s.esize = sizeof(struct entry);
	s.memo_off = (p->layout.size + 7) & ~(size_t)7;
	s.wsize = s.memo_off + mn_memo_size(p);
	s.pool.esize = s.esize;
	s.t0 = s.last_progress = mn_now();
	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.cond, NULL);
	visited_init(&s.vis, o->table_bits);
	if (s.use_sleep)
		s.sleep_of = xcalloc((size_t)1 << o->table_bits, sizeof(uint64_t));

	/* Depth and preemption bounds, and sleep sets, make the explored set depend on the
	 * order of search: keep one worker so that such runs are repeatable. */
	int bounded = o->max_depth || o->max_preemptions >= 0 || s.use_sleep;
	s.nworkers = bounded ? 1 : o->jobs > 0 ? o->jobs : ncpus();
	if (s.nworkers > 64)
		s.nworkers = 64;

	struct worker *wk = aligned_alloc(_Alignof(struct worker), (size_t)s.nworkers * sizeof(*wk));
	if (!wk)
		abort();
	memset(wk, 0, (size_t)s.nworkers * sizeof(*wk));
	s.workers = wk;
	s.table_bits = o->table_bits;
	s.table_bits_max = o->table_bits_max > o->table_bits ? o->table_bits_max : o->table_bits;
	for (int i = 0; i < s.nworkers; i++) {
		wk[i].s = &s;
		wk[i].id = i;
		wk[i].st.esize = s.esize;
	}
	int is_new;
	struct entry *root = stack_push(&wk[0].st);
	memset(root, 0, sizeof(*root));
	root->last = -1;
	root->nample = -1;
	root->only = ~0ull;
	root->w = xmalloc(s.wsize);
	memcpy(root->w, p->init, p->layout.size);
	mn_memo_clear(memo_of(&s, root->w));
	root->slot = visited_insert(&s.vis, state_key(&s, root->w, NULL, -1, 0), MN_NO_PARENT, 0,
				    &is_new);
	if (mn_is_final(p, p->init))
		s.executions = 1;

	if (s.nworkers == 1) {
		worker_main(&wk[0]);
	} else {
		pthread_t *th = xcalloc((size_t)s.nworkers, sizeof(*th));
		for (int i = 0; i < s.nworkers; i++)
			pthread_create(&th[i], NULL, worker_main, &wk[i]);
		for (int i = 0; i < s.nworkers; i++)
			pthread_join(th[i], NULL);
		free(th);
	}
	if (o->progress)
		fputs("\r\033[K", stderr);
	r->states = s.vis.count;
	r->executions = s.executions;
	r->transitions = 0;
	r->max_depth = 0;
	for (int i = 0; i < s.nworkers; i++) {
		r->transitions += wk[i].transitions;
		r->executions += wk[i].executions;
		if (wk[i].max_depth > r->max_depth)
			r->max_depth = wk[i].max_depth;
	}
	if (s.reason[0]) {
		r->incomplete = 1;
		snprintf(r->incomplete_reason, sizeof(r->incomplete_reason), "%s", s.reason);
	}
	/* a stopped search leaves states on the stacks */
	for (size_t k = 0; k < s.pool.n; k++)
		free(stack_at(&s.pool, k)->w);
	for (int i = 0; i < s.nworkers; i++) {
		for (size_t k = 0; k < wk[i].st.n; k++)
			free(stack_at(&wk[i].st, k)->w);
		for (size_t k = 0; k < wk[i].nspare; k++)
			free(wk[i].spare[k]);
		free(wk[i].spare);
		free(wk[i].st.buf);
	}
	free(wk);
	free(s.sleep_of);
	free(s.pool.buf);
	visited_free(&s.vis);
	pthread_mutex_destroy(&s.lock);
	pthread_cond_destroy(&s.cond);
}
