/* Dijkstra over (state, last agent) with cost (preemptions, steps) compared in that order.
 * A preemption is a switch away from an agent that could have gone on. */
#include "cex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check/checks.h"
#include "../lang/interp.h"
#include "../util/xalloc.h"
#include "observe.h"
#include "pack.h"
#include "visited.h"

struct node {
	uint32_t parent;
	int8_t agent;
};

/* A state's world packed against the initial one (pack.h): the queue holds many, and
 * whole worlds made it gigabytes. Shared by the successors queued from it. */
struct packed {
	uint32_t refs, nwords;
	uint64_t words[];
};

/* A queued state: the world it is reached from and the agent that steps there. The step
 * is taken when the item is taken from the queue, so that a state is packed once for all
 * its successors rather than once per successor, and those never taken are not stepped. */
struct item {
	uint64_t cost; /* preemptions << 32 | steps */
	uint64_t seq;  /* insertion order: ties resolve the same way every run */
	uint32_t node;
	int16_t last;        /* the agent that steps from `from`; -1 for the initial state */
	struct packed *from; /* NULL for the initial state */
};

static void release(struct packed *pk)
{
	if (pk && !--pk->refs)
		free(pk);
}

struct heap {
	struct item *a;
	size_t n, cap;
};

static int less(const struct item *x, const struct item *y)
{
	return x->cost != y->cost ? x->cost < y->cost : x->seq < y->seq;
}

static void heap_push(struct heap *h, struct item it)
{
	XGROW(h->a, h->cap, h->n + 1);
	size_t i = h->n++;
	while (i && less(&it, &h->a[(i - 1) / 2])) {
		h->a[i] = h->a[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->a[i] = it;
}

static struct item heap_pop(struct heap *h)
{
	struct item top = h->a[0], last = h->a[--h->n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && less(&h->a[c + 1], &h->a[c]))
			c++;
		if (!less(&h->a[c], &last))
			break;
		h->a[i] = h->a[c];
		i = c;
	}
	if (h->n)
		h->a[i] = last;
	return top;
}

static int is_target(const struct mn_prog *p, const struct mn_world *w, size_t k, int want,
		     int mid_run)
{
	if (mid_run)
		return (w->fired >> p->obs[k].check) & 1;
	return mn_is_final(p, w) && mn_obs_holds(p, w, k) == want;
}

char *mn_min_cex(const struct mn_prog *p, size_t k, int want, uint64_t limit, int *preemptions,
		 int *steps)
{
	const struct observation *o = &p->obs[k];
	int mid_run = want && o->kind == OBS_CHECK && !mn_checks[o->check].final;
	size_t ws = p->layout.size, nw = (ws + 7) / 8;
	uint64_t *ref = xcalloc(nw, 8), *cur = xcalloc(nw, 8);
	uint64_t *packed = xcalloc(pack_max_words(nw), 8);
	struct heap h = { 0 };
	struct node *nodes = NULL;
	size_t nnodes = 0, cnodes = 0;
	struct visited settled;
	uint64_t seq = 0;
	char *result = NULL;
	/* small at first, grown as it fills: most searches settle few states */
	visited_init(&settled, 12);
	XGROW(nodes, cnodes, 1);
	nodes[nnodes++] = (struct node){ MN_NO_PARENT, -1 };
	memcpy(ref, p->init, ws);
	struct item root = { 0, seq++, 0, -1, NULL };
	heap_push(&h, root);

	while (h.n) {
		struct item it = heap_pop(&h);
		int is_new;
		struct mn_world *w = (struct mn_world *)cur;
		if (it.from) {
			unpack_world(cur, ref, nw, it.from->words, it.from->nwords);
			release(it.from);
			mn_step(p, w, it.last, NULL);
		} else {
			memcpy(cur, ref, ws);
		}
		uint64_t key = mn_world_hash(p, w) ^ ((uint64_t)(it.last + 2) * 0x9e3779b97f4a7c15ull);
		while (visited_insert(&settled, mn_fix_key(key), 0, 0, &is_new) == UINT32_MAX)
			free(visited_grow(&settled, 2)); /* no slot numbers are kept here */
		if (!is_new || settled.count > limit) {
			if (settled.count > limit)
				break;
			continue;
		}
		if (is_target(p, w, k, want, mid_run)) {
			/* Walk back to the root. */
			int n = 0;
			for (uint32_t x = it.node; nodes[x].parent != MN_NO_PARENT; x = nodes[x].parent)
				n++;
			int *path = xmalloc(sizeof(int) * (size_t)(n + 1));
			int i = n;
			for (uint32_t x = it.node; nodes[x].parent != MN_NO_PARENT; x = nodes[x].parent)
				path[--i] = nodes[x].agent;
			result = xmalloc((size_t)n * 4 + 1);
			size_t len = 0;
			result[0] = 0;
			for (i = 0; i < n; i++)
				len += (size_t)sprintf(result + len, i ? ".%d" : "%d", path[i]);
			free(path);
			*preemptions = (int)(it.cost >> 32);
			*steps = (int)(uint32_t)it.cost;
			break;
		}
		int last_enabled = it.last >= 0 && mn_enabled(p, w, it.last);
		struct packed *mine = NULL;
		for (int a = 0; a < p->nagents; a++) {
			if (!mn_enabled(p, w, a))
				continue;
			struct item nx;
			if (!mine) {
				size_t m = pack_world(cur, ref, nw, packed);
				mine = xmalloc(sizeof(*mine) + m * sizeof(uint64_t));
				mine->refs = 0;
				mine->nwords = (uint32_t)m;
				memcpy(mine->words, packed, m * sizeof(uint64_t));
			}
			mine->refs++;
			nx.from = mine;
			uint64_t pre = (it.cost >> 32) + (it.last >= 0 && a != it.last && last_enabled);
			nx.cost = (pre << 32) | ((uint32_t)it.cost + 1);
			nx.seq = seq++;
			nx.last = (int16_t)a;
			XGROW(nodes, cnodes, nnodes + 1);
			nodes[nnodes] = (struct node){ it.node, (int8_t)a };
			nx.node = (uint32_t)nnodes++;
			heap_push(&h, nx);
		}
	}
	for (size_t i = 0; i < h.n; i++)
		release(h.a[i].from);
	free(h.a);
	free(nodes);
	free(ref);
	free(cur);
	free(packed);
	visited_free(&settled);
	return result;
}
