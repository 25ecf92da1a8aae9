#include "pack.h"

#include <string.h>

size_t pack_world(const uint64_t *w, const uint64_t *ref, size_t n, uint64_t *out)
{
	size_t o = 0, i = 0;
	for (;;) {
		size_t from = i;
		while (i < n && w[i] == ref[i])
			i++;
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
