/* What a step reads and writes, as bits over the world's objects (a shared cell, a lock...).
 * Two steps are independent when neither writes what the other touches. Object ids beyond
 * the bit count fold onto the same bits, which can only make steps look dependent. */
#ifndef MN_FOOTPRINT_H
#define MN_FOOTPRINT_H

#include <stdint.h>
#include <string.h>

#define MN_FP_WORDS 4
#define MN_FP_BITS (64 * MN_FP_WORDS)

struct mn_fp {
	uint64_t r[MN_FP_WORDS], w[MN_FP_WORDS];
};

static inline void fp_clear(struct mn_fp *f)
{
	memset(f, 0, sizeof(*f));
}

static inline void fp_all(struct mn_fp *f)
{
	memset(f, 0xff, sizeof(*f));
}

static inline void fp_read(struct mn_fp *f, unsigned obj)
{
	obj %= MN_FP_BITS;
	f->r[obj / 64] |= 1ull << (obj % 64);
}

static inline void fp_write(struct mn_fp *f, unsigned obj)
{
	obj %= MN_FP_BITS;
	f->w[obj / 64] |= 1ull << (obj % 64);
}

static inline void fp_union(struct mn_fp *d, const struct mn_fp *s)
{
	for (int i = 0; i < MN_FP_WORDS; i++) {
		d->r[i] |= s->r[i];
		d->w[i] |= s->w[i];
	}
}

static inline int fp_equal(const struct mn_fp *a, const struct mn_fp *b)
{
	return !memcmp(a, b, sizeof(*a));
}

static inline int fp_conflict(const struct mn_fp *a, const struct mn_fp *b)
{
	uint64_t x = 0;
	for (int i = 0; i < MN_FP_WORDS; i++)
		x |= (a->w[i] & (b->r[i] | b->w[i])) | (b->w[i] & a->r[i]);
	return x != 0;
}

#endif
