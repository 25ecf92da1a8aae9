#include "chain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mnsim/replay.h"
#include "../lang/interp.h"
#include "../util/xalloc.h"
#include "por.h"

int mn_chain_follow(const struct mn_prog *p, struct mn_world *w, struct mn_memo *memo,
		    int *out, int *ample, int *nample)
{
	int n = 0, set[64], m = -1;
	union mn_memo_any own;
	if (!memo) {
		memo = &own.m;
		mn_memo_clear(memo);
	}
	while (n < MN_CHAIN_MAX && (m = mn_ample_cached(p, w, set, memo)) == 1) {
		mn_step(p, w, set[0], NULL);
		mn_memo_step(memo, set[0]);
		if (out)
			out[n] = set[0];
		n++;
		m = -1;
	}
	if (ample) {
		*nample = m;
		for (int k = 0; k < m; k++)
			ample[k] = set[k];
	}
	return n;
}

char *mn_chain_expand(const struct mn_prog *p, const char *starts)
{
	char err[128];
	int *seq = NULL;
	int n = mn_schedule_parse(starts, p->nagents, &seq, err, sizeof(err));
	if (n < 0)
		return xstrdup(starts); /* cannot happen: the search wrote it */
	struct mn_world *w = xmalloc(p->layout.size);
	memcpy(w, p->init, p->layout.size);
	size_t cap = 64, len = 0;
	char *s = xmalloc(cap);
	int chain[MN_CHAIN_MAX];
	s[0] = 0;
	for (int i = 0; i < n; i++) {
		mn_step(p, w, seq[i], NULL);
		int m = mn_chain_follow(p, w, NULL, chain, NULL, NULL);
		for (int k = -1; k < m; k++) {
			int a = k < 0 ? seq[i] : chain[k];
			if (len + 8 > cap) {
				cap *= 2;
				s = xrealloc(s, cap);
			}
			len += (size_t)sprintf(s + len, len ? ".%d" : "%d", a);
		}
	}
	free(seq);
	free(w);
	return s;
}
