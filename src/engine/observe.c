#include "observe.h"

#include <stdlib.h>
#include <string.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "../check/checks.h"
#include "../kernel/kinit.h"
#include "../lang/interp.h"
#include "../util/xalloc.h"

int mn_obs_holds(const struct mn_prog *p, const struct mn_world *w, size_t k)
{
	const struct observation *o = &p->obs[k];
	if (o->kind == OBS_COND) {
		mn_val v;
		return mn_eval_cond(p, w, o->cond_pc, &v) == 0 && v != 0;
	}
	if (o->check == MN_CHECK_LOST_WRITE)
		return mn_kernel_lost_write(p, w);
	if (o->check == MN_CHECK_DEADLOCK) {
		for (int i = 0; i < p->nagents; i++)
			if (mn_agent_c(w, &p->layout, i)->status == MN_AGENT_RUNNING)
				return 1;
		return 0;
	}
	return (w->fired >> o->check) & 1;
}

int mn_is_final(const struct mn_prog *p, const struct mn_world *w)
{
	for (int i = 0; i < p->nagents; i++)
		if (mn_enabled(p, w, i))
			return 0;
	return 1;
}

/* Only the live part of an agent is hashed: its header and registers, the frames in use
 * and the values below sp. The rest is dead (and kept zero by the interpreter), and an
 * agent's stack area is most of the world. The stream is self-delimiting: the header gives
 * nframes and sp before the variable parts follow. */
static uint64_t agent_hash(const struct mn_prog *p, const struct mn_world *w, int i)
{
	const struct mn_layout *l = &p->layout;
	const struct mn_agent *a = mn_agent_c(w, l, i);
	uint64_t h = XXH3_64bits(a, l->frames_off + a->nframes * sizeof(struct mn_frame));
	return XXH3_64bits_withSeed(mn_vals_c(a, l), a->sp * sizeof(mn_val), h);
}

/* The world's hash is that of the hashes of the pieces of the part before the agents
 * and of each agent (h): each can be kept until what it covers changes (memo.h). */
static inline uint64_t piece_hash(const struct mn_prog *p, const struct mn_world *w, size_t k)
{
	size_t off = k * MN_HASH_PIECE, end = off + MN_HASH_PIECE;
	if (end > p->layout.agent_off)
		end = p->layout.agent_off;
	return XXH3_64bits((const char *)w + off, end - off);
}

static uint64_t combine(const struct mn_prog *p, const uint64_t *h)
{
	return mn_fix_key(XXH3_64bits(h, (mn_memo_pieces(p) + (size_t)p->nagents) * sizeof(*h)));
}

uint64_t mn_world_hash(const struct mn_prog *p, const struct mn_world *w)
{
	size_t np = mn_memo_pieces(p), n = np + (size_t)p->nagents;
	uint64_t room[256], *h = n <= 256 ? room : xmalloc(n * sizeof(*h));
	for (size_t k = 0; k < np; k++)
		h[k] = piece_hash(p, w, k);
	for (int i = 0; i < p->nagents; i++)
		h[np + (size_t)i] = agent_hash(p, w, i);
	uint64_t key = combine(p, h);
	if (h != room)
		free(h);
	return key;
}

uint64_t mn_world_hash_memo(const struct mn_prog *p, const struct mn_world *w,
			    struct mn_memo *memo, const struct mn_world *was)
{
	size_t np = mn_memo_pieces(p), size = p->layout.agent_off;
	uint64_t *h = mn_memo_hashes(p, memo);
	if (!memo->have_pieces || !was || size < 64) {
		/* a short part (a few shared variables) costs as much to compare as to hash */
		for (size_t k = 0; k < np; k++)
			h[k] = piece_hash(p, w, k);
	} else {
		/* A step changes one or two pieces of a kernel state, and often none. */
		const char *a = (const char *)w, *b = (const char *)was;
		size_t k = 0, off = 0;
		for (; off + MN_HASH_PIECE <= size; k++, off += MN_HASH_PIECE)
			if (memcmp(a + off, b + off, MN_HASH_PIECE))
				h[k] = piece_hash(p, w, k);
		if (off < size && memcmp(a + off, b + off, size - off))
			h[k] = piece_hash(p, w, k);
	}
	for (int i = 0; i < p->nagents; i++)
		if (!(memo->have_hash >> i & 1))
			h[np + (size_t)i] = agent_hash(p, w, i);
	memo->have_pieces = 1;
	memo->have_hash = p->nagents == 64 ? ~0ull : (1ull << p->nagents) - 1;
	return combine(p, h);
}

void finals_init(struct finals *f, const struct mn_prog *p, int bits)
{
	visited_init(&f->set, bits);
	f->nobs = p->nobs;
	f->pos = xcalloc(p->nobs, sizeof(*f->pos));
	f->neg = xcalloc(p->nobs, sizeof(*f->neg));
	f->pos_witness = xcalloc(p->nobs, sizeof(char *));
	f->neg_witness = xcalloc(p->nobs, sizeof(char *));
	pthread_mutex_init(&f->lock, NULL);
}

void finals_free(struct finals *f)
{
	for (size_t k = 0; k < f->nobs; k++) {
		free(f->pos_witness[k]);
		free(f->neg_witness[k]);
	}
	free(f->pos);
	free(f->neg);
	free(f->pos_witness);
	free(f->neg_witness);
	visited_free(&f->set);
	pthread_mutex_destroy(&f->lock);
}

int finals_add(struct finals *f, const struct mn_prog *p, const struct mn_world *w,
	       char *(*schedule)(void *), void *arg)
{
	int is_new;
	uint32_t slot = visited_insert(&f->set, mn_world_hash(p, w), MN_NO_PARENT, 0, &is_new);
	if (slot == UINT32_MAX)
		return -1;
	if (!is_new)
		return 0;
	pthread_mutex_lock(&f->lock);
	char *sched = NULL;
	for (size_t k = 0; k < f->nobs; k++) {
		int holds = mn_obs_holds(p, w, k);
		char **wit = holds ? &f->pos_witness[k] : &f->neg_witness[k];
		if (holds)
			f->pos[k]++;
		else
			f->neg[k]++;
		if (!*wit) {
			if (!sched)
				sched = schedule(arg);
			*wit = xstrdup(sched);
		}
	}
	free(sched);
	pthread_mutex_unlock(&f->lock);
	return 1;
}
