#include "visited.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"

void visited_init(struct visited *v, int bits)
{
	size_t n = (size_t)1 << bits;
	memset(v, 0, sizeof(*v));
	v->slots = xcalloc(n, sizeof(*v->slots));
	v->mask = n - 1;
	v->limit = n - n / 8;
}

void visited_free(struct visited *v)
{
	free(v->slots);
	memset(v, 0, sizeof(*v));
}

uint32_t visited_insert(struct visited *v, uint64_t key, uint32_t parent, int agent,
			int *is_new)
{
	uint64_t i = (key ^ (key >> 29)) & v->mask;
	*is_new = 0;
	for (;;) {
		uint64_t cur = __atomic_load_n(&v->slots[i].key, __ATOMIC_ACQUIRE);
		if (cur == key)
			return (uint32_t)i;
		if (cur == 0) {
			if (__atomic_load_n(&v->count, __ATOMIC_RELAXED) >= v->limit)
				return UINT32_MAX;
			uint64_t expected = 0;
			/* Parent and agent follow the key; they are read only after the search. */
			if (__atomic_compare_exchange_n(&v->slots[i].key, &expected, key, 0,
							__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
				v->slots[i].parent = parent;
				v->slots[i].agent = (uint8_t)agent;
				__atomic_fetch_add(&v->count, 1, __ATOMIC_RELAXED);
				*is_new = 1;
				return (uint32_t)i;
			}
			if (expected == key)
				return (uint32_t)i;
		}
		i = (i + 1) & v->mask;
	}
}

uint32_t *visited_grow(struct visited *v, int extra)
{
	struct visited old = *v;
	size_t n_old = (size_t)old.mask + 1;
	uint32_t *map = xmalloc(n_old * sizeof(*map));
	visited_init(v, __builtin_ctzll(n_old) + extra);
	for (size_t i = 0; i < n_old; i++) {
		int is_new;
		map[i] = old.slots[i].key ? visited_insert(v, old.slots[i].key, 0,
							   old.slots[i].agent, &is_new)
					  : MN_NO_PARENT;
	}
	for (size_t i = 0; i < n_old; i++)
		if (old.slots[i].key)
			v->slots[map[i]].parent = old.slots[i].parent == MN_NO_PARENT ?
						  MN_NO_PARENT : map[old.slots[i].parent];
	visited_free(&old);
	return map;
}

char *visited_schedule(const struct visited *v, uint32_t slot)
{
	size_t n = 0, cap = 64;
	int *path = xmalloc(cap * sizeof(int));
	while (slot != MN_NO_PARENT && v->slots[slot].parent != MN_NO_PARENT) {
		if (n == cap) {
			cap *= 2;
			path = xrealloc(path, cap * sizeof(int));
		}
		path[n++] = v->slots[slot].agent;
		slot = v->slots[slot].parent;
	}
	char *s = xmalloc(n * 4 + 1);
	size_t k = 0;
	s[0] = 0;
	for (size_t i = n; i-- > 0;)
		k += (size_t)sprintf(s + k, i + 1 == n ? "%d" : ".%d", path[i]);
	free(path);
	return s;
}
