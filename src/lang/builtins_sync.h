/* Mutexes of the plain language (`mutex m;`), for tests without a kernel profile. */
#ifndef MN_BUILTINS_SYNC_H
#define MN_BUILTINS_SYNC_H

#include "builtin.h"

int mn_bi_lock(struct mn_ctx *ctx, const mn_val *args, mn_val *ret);
int mn_bi_lock_enabled(const struct mn_ctx *ctx, const mn_val *args);
int mn_bi_unlock(struct mn_ctx *ctx, const mn_val *args, mn_val *ret);
int mn_bi_trylock(struct mn_ctx *ctx, const mn_val *args, mn_val *ret);
void mn_bi_mutex_fp(const struct mn_prog *prog, int bi, int agent, const mn_val *args,
		    struct mn_fp *fp);

#define MN_BUILTINS_SYNC                                                                   \
	{ "lock", 1, { TY_HANDLE }, TY_VOID, MN_BI_STEP, mn_bi_lock, mn_bi_lock_enabled,   \
	  mn_bi_mutex_fp, "blocks until the mutex is free, then takes it" },                \
	{ "unlock", 1, { TY_HANDLE }, TY_VOID, MN_BI_STEP, mn_bi_unlock, NULL,             \
	  mn_bi_mutex_fp, "releases a mutex the agent holds (`error` otherwise)" },         \
	{ "trylock", 1, { TY_HANDLE }, TY_INT, MN_BI_STEP, mn_bi_trylock, NULL,            \
	  mn_bi_mutex_fp, "takes the mutex and returns 1 if free, else returns 0" },

#endif
