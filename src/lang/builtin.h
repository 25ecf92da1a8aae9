/* Built-ins: C functions callable from the language. A built-in that touches shared state is
 * one step; it says what it touches (for reduction) and when it may run (for blocking). */
#ifndef MN_BUILTIN_H
#define MN_BUILTIN_H

#include "mnsim/world.h"
#include "ast.h"
#include "footprint.h"

struct mn_prog;

struct mn_ctx {
	const struct mn_prog *prog;
	struct mn_world *w;
	int agent;
	char err[160]; /* set with a runtime error: the agent stops and `error` fires */
	uint32_t fired; /* checks the step fired */
	char trace[200]; /* notifier callback line for --trace-notifier, if any */
	int tracing;     /* a trace is being recorded (replay): trace built-ins write `trace` */
};

/* err and trace are only ever read as strings: emptying them is enough. An initializer
 * would zero all 360 bytes on every built-in call and enabled test, the hottest path of
 * kernel scenarios. */
static inline void mn_ctx_init(struct mn_ctx *ctx, const struct mn_prog *prog,
			       struct mn_world *w, int agent, int tracing)
{
	ctx->prog = prog;
	ctx->w = w;
	ctx->agent = agent;
	ctx->err[0] = 0;
	ctx->fired = 0;
	ctx->trace[0] = 0;
	ctx->tracing = tracing;
}

/* Named constants the language knows (MMU_NOTIFY_CLEAR, PAGE_SIZE, ...). */
struct mn_constant {
	const char *name;
	mn_val value;
};

extern const struct mn_constant mn_constants[];
int mn_constant_find(const char *name, mn_val *value);

enum {
	MN_BI_STEP = 1,   /* touches shared state: one step of its own */
};

struct mn_builtin {
	const char *name;
	int nargs;
	enum type args[8];
	enum type ret;
	unsigned flags;
	/* Returns 0, or -1 with ctx->err set. */
	int (*exec)(struct mn_ctx *ctx, const mn_val *args, mn_val *ret);
	/* NULL means always enabled. */
	int (*enabled)(const struct mn_ctx *ctx, const mn_val *args);
	/* What built-in `bi` touches when `agent` calls it with these arguments; args == NULL
	 * asks for everything it may touch with any, agent < 0 for any agent. */
	void (*footprint)(const struct mn_prog *prog, int bi, int agent, const mn_val *args,
			  struct mn_fp *fp);
	const char *doc;
};

extern const struct mn_builtin mn_builtins[];
extern const int mn_nbuiltins;

int mn_builtin_find(const char *name);

#endif
