/* The visited set: open addressing over 64-bit state fingerprints (hash compaction: two
 * states with the same fingerprint count as one; at 10^8 states the odds of any collision
 * are about 3e-4). Lock-free insert; each slot remembers the step that first reached it so
 * that a schedule can be rebuilt. */
#ifndef MN_VISITED_H
#define MN_VISITED_H

#include <stdint.h>

#define MN_NO_PARENT UINT32_MAX

/* One slot, 16 bytes: the key and the way back share a cache line. */
struct visited_slot {
	uint64_t key;    /* 0 = empty */
	uint32_t parent; /* slot of the predecessor, MN_NO_PARENT for the initial state */
	uint8_t agent;   /* agent whose step led here */
	uint8_t pad[3];
};

struct visited {
	struct visited_slot *slots;
	uint64_t mask;
	uint64_t limit;   /* inserts beyond this fail: the table is full */
	uint64_t count;   /* atomic */
};

void visited_init(struct visited *v, int bits);
void visited_free(struct visited *v);
/* Returns the slot; *is_new says whether this call inserted it. Returns UINT32_MAX when
 * the table is full. */
uint32_t visited_insert(struct visited *v, uint64_t key, uint32_t parent, int agent,
			int *is_new);
/* Makes the table 2^extra times larger, moving every entry and the parent links. Returns
 * where each old slot went (MN_NO_PARENT for an empty one), for the caller's own
 * references to slots; caller frees. Not safe against concurrent inserts. */
uint32_t *visited_grow(struct visited *v, int extra);
/* Starts loading the slot where key would go, ahead of visited_insert. */
static inline void visited_prefetch(const struct visited *v, uint64_t key)
{
	__builtin_prefetch(&v->slots[(key ^ (key >> 29)) & v->mask], 1);
}
/* Agent indices from the initial state to slot, as "0.1.1"; caller frees. */
char *visited_schedule(const struct visited *v, uint32_t slot);

static inline uint64_t mn_fix_key(uint64_t h)
{
	return h ? h : 1;
}

#endif
