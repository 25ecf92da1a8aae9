#include "chain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mnsim/replay.h"
#include "../lang/interp.h"
#include "../util/xalloc.h"
#include "por.h"

int mn_chain_follow(const struct mn_prog *p, struct mn_world *w, int *out)
{
	int n = 0, one[64];
	while (n < MN_CHAIN_MAX && mn_ample(p, w, 1, one) == 1) {
		mn_step(p, w, one[0], NULL);
		if (out)
			out[n] = one[0];
		n++;
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
		int m = mn_chain_follow(p, w, chain);
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
