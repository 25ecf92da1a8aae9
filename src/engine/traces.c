/* Counting Mazurkiewicz traces (traces.h). A depth-first enumeration of paths like the naive
 * engine's, which also keeps, for each step on the path, its agent, its footprint and its
 * Foata level: one more than the highest level of the earlier steps it depends on. An
 * execution's Foata normal form is its steps sorted by (level, agent) (the steps of one
 * level are pairwise independent, so one per agent); two executions are the same trace
 * exactly when their normal forms are equal. */
#include "traces.h"

#include <stdlib.h>
#include <string.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "../lang/interp.h"
#include "../util/xalloc.h"
#include "observe.h"
#include "por.h"

/* Distinct 128-bit hashes of normal forms. */
struct hset {
	XXH128_hash_t *slot;
	uint64_t mask, count;
};

static int hset_empty(const XXH128_hash_t *h)
{
	return !h->low64 && !h->high64;
}

static void hset_place(struct hset *s, XXH128_hash_t h)
{
	for (uint64_t i = h.low64 & s->mask;; i = (i + 1) & s->mask) {
		if (hset_empty(&s->slot[i])) {
			s->slot[i] = h;
			return;
		}
	}
}

static void hset_add(struct hset *s, XXH128_hash_t h)
{
	if (hset_empty(&h))
		h.low64 = 1; /* the empty key */
	for (uint64_t i = h.low64 & s->mask;; i = (i + 1) & s->mask) {
		if (hset_empty(&s->slot[i]))
			break;
		if (XXH128_isEqual(s->slot[i], h))
			return;
	}
	if ((s->count + 1) * 2 > s->mask + 1) {
		struct hset big = { xcalloc((s->mask + 1) * 2, sizeof(XXH128_hash_t)),
				    (s->mask + 1) * 2 - 1, s->count };
		for (uint64_t i = 0; i <= s->mask; i++)
			if (!hset_empty(&s->slot[i]))
				hset_place(&big, s->slot[i]);
		free(s->slot);
		*s = big;
	}
	hset_place(s, h);
	s->count++;
}

struct level {
	int agents[64];
	int n, next;
	uint64_t sleep; /* MN_TRACES_SLEEP: agents whose step here is covered elsewhere */
	uint64_t done;  /* agents already explored from here */
	uint64_t hash;  /* of the world, for cycles */
	/* the step that led here */
	int agent;
	uint32_t foata;
	struct mn_fp fp;
};

/* One step of a normal form, as hashed. */
struct event {
	uint32_t foata;
	uint32_t agent;
	struct mn_fp fp;
};

static int event_cmp(const void *a, const void *b)
{
	const struct event *x = a, *y = b;
	if (x->foata != y->foata)
		return x->foata < y->foata ? -1 : 1;
	return x->agent < y->agent ? -1 : x->agent > y->agent;
}

static int dependent(int a, const struct mn_fp *fa, int b, const struct mn_fp *fb)
{
	return a == b || fp_conflict(fa, fb);
}

void mn_count_traces(const struct mn_prog *p, enum mn_trace_mode mode, uint64_t limit,
		     struct mn_trace_count *c)
{
	size_t ws = p->layout.size, cap = 256;
	char *worlds = xmalloc(cap * ws);
	struct level *lv = xmalloc(cap * sizeof(*lv));
	struct event *ev = xmalloc(cap * sizeof(*ev));
	struct hset set = { xcalloc(1024, sizeof(XXH128_hash_t)), 1023, 0 };
	int d = 0;

	memset(c, 0, sizeof(*c));
	memcpy(worlds, p->init, ws);
	memset(&lv[0], 0, sizeof(lv[0]));
	lv[0].n = -1;
	lv[0].agent = -1;
	lv[0].hash = mn_world_hash(p, p->init);
	while (d >= 0) {
		struct level *L = &lv[d];
		struct mn_world *w = (struct mn_world *)(worlds + (size_t)d * ws);
		if (L->n < 0) {
			int m = mn_ample(p, w, mode != MN_TRACES_ALL, L->agents);
			L->next = 0;
			L->done = 0;
			L->n = 0;
			for (int k = 0; k < m; k++)
				if (!(L->sleep >> L->agents[k] & 1))
					L->agents[L->n++] = L->agents[k];
			if (m == 0) {
				if (c->executions + c->cycles >= limit) {
					c->incomplete = 1;
					break;
				}
				c->executions++;
				for (int k = 1; k <= d; k++)
					ev[k - 1] = (struct event){ lv[k].foata, (uint32_t)lv[k].agent,
								    lv[k].fp };
				qsort(ev, (size_t)d, sizeof(*ev), event_cmp);
				hset_add(&set, XXH3_128bits(ev, (size_t)d * sizeof(*ev)));
			} else if (L->n == 0) {
				c->sleeping++;
			}
		}
		if (L->next >= L->n) {
			d--;
			continue;
		}
		int a = L->agents[L->next++];
		if ((size_t)d + 2 > cap) {
			cap *= 2;
			worlds = xrealloc(worlds, cap * ws);
			lv = xrealloc(lv, cap * sizeof(*lv));
			ev = xrealloc(ev, cap * sizeof(*ev));
			L = &lv[d];
			w = (struct mn_world *)(worlds + (size_t)d * ws);
		}
		struct level *C = &lv[d + 1];
		mn_next_fp(p, w, a, &C->fp);
		C->agent = a;
		C->foata = 1;
		for (int k = 1; k <= d; k++)
			if (lv[k].foata >= C->foata && dependent(lv[k].agent, &lv[k].fp, a, &C->fp))
				C->foata = lv[k].foata + 1;
		C->sleep = 0;
		if (mode == MN_TRACES_SLEEP) {
			/* what slept here or was explored before a, and is independent of a */
			for (uint64_t z = L->sleep | L->done; z; z &= z - 1) {
				int b = __builtin_ctzll(z);
				struct mn_fp fb;
				mn_next_fp(p, w, b, &fb);
				if (!dependent(b, &fb, a, &C->fp))
					C->sleep |= 1ull << b;
			}
		}
		L->done |= 1ull << a;
		struct mn_world *cw = (struct mn_world *)(worlds + (size_t)(d + 1) * ws);
		memcpy(cw, w, ws);
		mn_step(p, cw, a, NULL);
		uint64_t h = mn_world_hash(p, cw);
		int cycle = 0;
		for (int k = 0; k <= d && !cycle; k++)
			cycle = lv[k].hash == h && !memcmp(worlds + (size_t)k * ws, cw, ws);
		if (cycle) {
			if (c->executions + c->cycles >= limit) {
				c->incomplete = 1;
				break;
			}
			c->cycles++;
			continue;
		}
		C->hash = h;
		C->n = -1;
		d++;
	}
	c->traces = set.count;
	free(set.slot);
	free(ev);
	free(lv);
	free(worlds);
}
