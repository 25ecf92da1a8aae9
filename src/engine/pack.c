#include "pack.h"

#include <string.h>

/* The first word from i on where w and ref differ (n if none). Most of a packed world is
 * equal to ref: whole blocks are compared by memcmp, vectorised in libc, before the words
 * of the block that differs. */
static size_t skip_equal(const uint64_t *w, const uint64_t *ref, size_t i, size_t n)
{
	enum { BLOCK = 16 };
	while (i + BLOCK <= n && !memcmp(w + i, ref + i, BLOCK * sizeof(*w)))
		i += BLOCK;
	while (i < n && w[i] == ref[i])
		i++;
	return i;
}

size_t pack_world(const uint64_t *w, const uint64_t *ref, size_t n, uint64_t *out)
{
	size_t o = 0, i = 0;
	for (;;) {
		size_t from = i;
		i = skip_equal(w, ref, i, n);
		if (i == n)
			return o; /* the rest is as in ref */
		size_t start = i;
		/* A single equal word inside a run costs as much as a new header: keep it. */
		while (i < n && (w[i] != ref[i] || (i + 1 < n && w[i + 1] != ref[i + 1])))
			i++;
		out[o++] = (uint64_t)(start - from) << 32 | (uint64_t)(i - start);
		memcpy(out + o, w + start, (i - start) * sizeof(*w));
		o += i - start;
	}
}

void unpack_world(uint64_t *w, const uint64_t *ref, size_t n, const uint64_t *packed, size_t m)
{
	memcpy(w, ref, n * sizeof(*w));
	size_t i = 0;
	for (size_t k = 0; k < m;) {
		size_t skip = (size_t)(packed[k] >> 32), len = (size_t)(packed[k] & 0xffffffffu);
		k++;
		i += skip;
		if (i + len > n || k + len > m)
			return; /* cannot happen with what pack_world wrote */
		memcpy(w + i, packed + k, len * sizeof(*w));
		i += len;
		k += len;
	}
}
