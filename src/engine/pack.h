/* A world packed: the 8-byte words where it differs from a reference world every rank
 * has (the initial state). Kernel worlds are kilobytes, most of it as the scenario set it up,
 * and copying them whole (to another MPI rank, or into the counterexample search's queue)
 * cost more than the search. */
#ifndef MN_PACK_H
#define MN_PACK_H

#include <stddef.h>
#include <stdint.h>

/* Words needed in the worst case for a world of n words. */
static inline size_t pack_max_words(size_t n)
{
	return n + 2;
}

/* Writes the runs where w differs from ref (a header word: words to skip, words that
 * follow; then those words) to out; returns the number of words written. */
size_t pack_world(const uint64_t *w, const uint64_t *ref, size_t n, uint64_t *out);
/* Rebuilds w (n words) from ref and the m words of packed. */
void unpack_world(uint64_t *w, const uint64_t *ref, size_t n, const uint64_t *packed, size_t m);

#endif
