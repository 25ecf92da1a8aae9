#include "builtins_sync.h"

#include <stdio.h>

#include "program.h"

/* A mutex is a shared cell: 0 when free, owner agent + 1 when held. */
static mn_val *cell(struct mn_ctx *ctx, mn_val h)
{
	return &mn_shared(ctx->w, &ctx->prog->layout)[MN_HANDLE_IDX(h)];
}

static int check_handle(struct mn_ctx *ctx, mn_val h)
{
	if (MN_HANDLE_KIND(h) != MN_HK_MUTEX ||
	    (uint32_t)MN_HANDLE_IDX(h) >= ctx->prog->layout.nshared) {
		snprintf(ctx->err, sizeof(ctx->err), "handle is not a mutex");
		return -1;
	}
	return 0;
}

int mn_bi_lock_enabled(const struct mn_ctx *ctx, const mn_val *args)
{
	if (MN_HANDLE_KIND(args[0]) != MN_HK_MUTEX)
		return 1; /* let exec report the error */
	return mn_shared_c(ctx->w, &ctx->prog->layout)[MN_HANDLE_IDX(args[0])] == 0;
}

int mn_bi_lock(struct mn_ctx *ctx, const mn_val *args, mn_val *ret)
{
	(void)ret;
	if (check_handle(ctx, args[0]))
		return -1;
	*cell(ctx, args[0]) = ctx->agent + 1;
	return 0;
}

int mn_bi_unlock(struct mn_ctx *ctx, const mn_val *args, mn_val *ret)
{
	(void)ret;
	if (check_handle(ctx, args[0]))
		return -1;
	if (*cell(ctx, args[0]) != ctx->agent + 1) {
		snprintf(ctx->err, sizeof(ctx->err), "unlock of a mutex this agent does not hold");
		return -1;
	}
	*cell(ctx, args[0]) = 0;
	return 0;
}

int mn_bi_trylock(struct mn_ctx *ctx, const mn_val *args, mn_val *ret)
{
	if (check_handle(ctx, args[0]))
		return -1;
	if (*cell(ctx, args[0])) {
		*ret = 0;
	} else {
		*cell(ctx, args[0]) = ctx->agent + 1;
		*ret = 1;
	}
	return 0;
}

void mn_bi_mutex_fp(const struct mn_prog *prog, int bi, int agent, const mn_val *args,
		    struct mn_fp *fp)
{
	(void)bi;
	(void)agent;
	if (!args) {
		for (size_t i = 0; i < prog->nshared; i++)
			if (prog->shared[i].is_mutex)
				fp_write(fp, prog->shared[i].cell);
		return;
	}
	fp_write(fp, (unsigned)MN_HANDLE_IDX(args[0]));
}
