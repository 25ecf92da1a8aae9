/* The second engine: no reduction, no visited set, every interleaving one after another.
 * It shares nothing with the stateful search but the interpreter, which is what makes it
 * a cross-check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lang/interp.h"
#include "../util/xalloc.h"
#include "por.h"
#include "search.h"

struct level {
	int agents[64];
	int n, next;
	int last, pre;
	uint64_t hash;
};

struct path_arg {
	const struct level *lv;
	int depth;
};

static char *path_schedule(void *arg)
{
	const struct path_arg *pa = arg;
	char *s = xmalloc((size_t)pa->depth * 4 + 1);
	size_t k = 0;
	s[0] = 0;
	for (int i = 1; i <= pa->depth; i++)
		k += (size_t)sprintf(s + k, i == 1 ? "%d" : ".%d", pa->lv[i].last);
	return s;
}

void mn_search_naive(const struct mn_prog *p, const struct mn_explore_opts *o,
		     struct finals *fin, struct mn_result *r)
{
	size_t ws = p->layout.size, cap = 256;
	char *worlds = xmalloc(cap * ws);
	struct level *lv = xmalloc(cap * sizeof(*lv));
	double t0 = mn_now();
	int d = 0;
	uint64_t nodes = 1;

	memcpy(worlds, p->init, ws);
	memset(&lv[0], 0, sizeof(lv[0]));
	lv[0].n = -1;
	lv[0].last = -1;
	lv[0].pre = 0;
	lv[0].hash = mn_world_hash(p, p->init);
	while (d >= 0) {
		struct level *L = &lv[d];
		struct mn_world *w = (struct mn_world *)(worlds + (size_t)d * ws);
		if (L->n < 0) {
			L->n = mn_ample(p, w, 0, L->agents);
			L->next = 0;
			if ((uint32_t)d > r->max_depth)
				r->max_depth = (uint32_t)d;
			if (L->n == 0) {
				struct path_arg pa = { lv, d };
				r->executions++;
				if (finals_add(fin, p, w, path_schedule, &pa) < 0) {
					snprintf(r->incomplete_reason, sizeof(r->incomplete_reason),
						 "final-state table full");
					break;
				}
			} else if (o->max_depth && (uint32_t)d >= o->max_depth) {
				snprintf(r->incomplete_reason, sizeof(r->incomplete_reason),
					 "--max-depth reached");
				L->n = 0;
			}
		}
		if (L->next >= L->n) {
			d--;
			continue;
		}
		int a = L->agents[L->next++], pre = L->pre;
		if (L->last >= 0 && a != L->last && mn_enabled(p, w, L->last))
			pre++;
		if (o->max_preemptions >= 0 && pre > o->max_preemptions) {
			snprintf(r->incomplete_reason, sizeof(r->incomplete_reason),
				 "--max-preemptions reached");
			continue;
		}
		if ((size_t)d + 2 > cap) {
			cap *= 2;
			worlds = xrealloc(worlds, cap * ws);
			lv = xrealloc(lv, cap * sizeof(*lv));
			L = &lv[d];
			w = (struct mn_world *)(worlds + (size_t)d * ws);
		}
		struct mn_world *c = (struct mn_world *)(worlds + (size_t)(d + 1) * ws);
		memcpy(c, w, ws);
		mn_step(p, c, a, NULL);
		r->transitions++;
		uint64_t h = mn_world_hash(p, c);
		int cycle = 0;
		for (int k = 0; k <= d && !cycle; k++)
			cycle = lv[k].hash == h && !memcmp(worlds + (size_t)k * ws, c, ws);
		if (cycle)
			continue; /* every continuation is explored from the first occurrence */
		nodes++;
		struct level *C = &lv[d + 1];
		C->n = -1;
		C->last = a;
		C->pre = pre;
		C->hash = h;
		d++;
		if ((nodes & 4095) == 0) {
			if (o->timeout > 0 && mn_now() - t0 > o->timeout) {
				snprintf(r->incomplete_reason, sizeof(r->incomplete_reason),
					 "--timeout reached");
				break;
			}
			if (o->max_states && nodes > o->max_states) {
				snprintf(r->incomplete_reason, sizeof(r->incomplete_reason),
					 "--max-states reached");
				break;
			}
			if (o->progress)
				fprintf(stderr, "\r%s: %llu states (naive), depth %d, %.1fs   ",
					p->name, (unsigned long long)nodes, d, mn_now() - t0);
		}
	}
	if (o->progress)
		fputs("\r\033[K", stderr);
	r->states = nodes;
	if (r->incomplete_reason[0])
		r->incomplete = 1;
	free(worlds);
	free(lv);
}

static uint64_t rng_next(uint64_t *s)
{
	/* splitmix64: small, seedable, good enough to pick among a few agents */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

struct walk_arg {
	const int *path;
	int n;
};

static char *walk_schedule(void *arg)
{
	const struct walk_arg *wa = arg;
	char *s = xmalloc((size_t)wa->n * 4 + 1);
	size_t k = 0;
	s[0] = 0;
	for (int i = 0; i < wa->n; i++)
		k += (size_t)sprintf(s + k, i ? ".%d" : "%d", wa->path[i]);
	return s;
}

void mn_search_random(const struct mn_prog *p, const struct mn_explore_opts *o,
		      struct finals *fin, struct mn_result *r)
{
	size_t ws = p->layout.size;
	struct mn_world *w = xmalloc(ws);
	uint32_t limit = o->max_depth ? o->max_depth : 100000;
	int *path = xmalloc(sizeof(int) * (limit + 1));
	struct visited vis;
	uint64_t rng = o->seed;
	double t0 = mn_now();
	int is_new;

	visited_init(&vis, o->table_bits);
	visited_insert(&vis, mn_world_hash(p, p->init), MN_NO_PARENT, 0, &is_new);
	for (uint64_t walk = 0; walk < o->random_walks; walk++) {
		int n = 0, agents[64];
		memcpy(w, p->init, ws);
		for (;;) {
			int k = mn_ample(p, w, 0, agents);
			if (k == 0) {
				struct walk_arg wa = { path, n };
				r->executions++;
				finals_add(fin, p, w, walk_schedule, &wa);
				break;
			}
			if ((uint32_t)n >= limit) {
				snprintf(r->incomplete_reason, sizeof(r->incomplete_reason),
					 "walk longer than %u steps", limit);
				break;
			}
			int a = agents[rng_next(&rng) % (uint64_t)k];
			mn_step(p, w, a, NULL);
			path[n++] = a;
			r->transitions++;
			visited_insert(&vis, mn_world_hash(p, w), MN_NO_PARENT, 0, &is_new);
		}
		if ((uint32_t)n > r->max_depth)
			r->max_depth = (uint32_t)n;
		if (o->timeout > 0 && mn_now() - t0 > o->timeout)
			break;
	}
	r->states = vis.count;
	/* Random walks prove what they find, never that something cannot happen. */
	r->incomplete = 1;
	if (!r->incomplete_reason[0])
		snprintf(r->incomplete_reason, sizeof(r->incomplete_reason),
			 "random walks (%llu)", (unsigned long long)o->random_walks);
	visited_free(&vis);
	free(path);
	free(w);
}
