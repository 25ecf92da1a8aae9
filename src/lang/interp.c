#include "interp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check/checks.h"
#include "../kernel/kinit.h"
#include "../util/xalloc.h"
#include "lexer.h"

/* A local loop that never reaches a step would hang the explorer: stop it. */
#define MAX_LOCAL_OPS 1000000

struct run {
	const struct mn_prog *p;
	const struct mn_layout *l;
	struct mn_world *w;
	struct mn_agent *a;
	struct mn_frame *fr;
	mn_val *v;
	int agent;
	struct mn_step_note *note;
};

static void fault(struct run *r, const char *fmt, const char *arg)
{
	r->a->status = MN_AGENT_FAULTED;
	r->w->fired |= 1u << MN_CHECK_ERROR;
	if (r->note) {
		snprintf(r->note->err, sizeof(r->note->err), fmt, arg ? arg : "");
		r->note->fired |= 1u << MN_CHECK_ERROR;
	}
}

static inline int binop(int op, mn_val x, mn_val y, mn_val *out)
{
	uint64_t ux = (uint64_t)x, uy = (uint64_t)y;
	switch (op) {
	case T_PLUS: *out = (mn_val)(ux + uy); return 0;
	case T_MINUS: *out = (mn_val)(ux - uy); return 0;
	case T_STAR: *out = (mn_val)(ux * uy); return 0;
	case T_SLASH:
	case T_PERCENT:
		if (y == 0 || (x == INT64_MIN && y == -1))
			return -1;
		*out = op == T_SLASH ? x / y : x % y;
		return 0;
	case T_SHL:
	case T_SHR:
		if (y < 0 || y > 63)
			return -2;
		*out = op == T_SHL ? (mn_val)(ux << y) : x >> y;
		return 0;
	case T_LT: *out = x < y; return 0;
	case T_LE: *out = x <= y; return 0;
	case T_GT: *out = x > y; return 0;
	case T_GE: *out = x >= y; return 0;
	case T_EQ: *out = x == y; return 0;
	case T_NE: *out = x != y; return 0;
	case T_AMP: *out = x & y; return 0;
	case T_CARET: *out = x ^ y; return 0;
	case T_PIPE: *out = x | y; return 0;
	default: return -3;
	}
}

static mn_val unop(int op, mn_val x)
{
	switch (op) {
	case T_MINUS: return (mn_val)(0 - (uint64_t)x);
	case T_BANG: return !x;
	default: return ~x;
	}
}

static const char *binop_error(int rc)
{
	return rc == -1 ? "division by zero" : rc == -2 ? "shift out of range" : "bad operator";
}

/* Straight-line evaluation for await and final conditions: reads only, own small stack. */
static int eval_pure(const struct mn_prog *p, const struct mn_world *w, int agent, uint32_t pc,
		     mn_val *out, const char **why)
{
	const struct mn_layout *l = &p->layout;
	const mn_val *shared = mn_shared_c(w, l);
	const struct mn_agent *a = agent >= 0 ? mn_agent_c(w, l, agent) : NULL;
	mn_val st[64];
	int sp = 0;

	for (int n = 0; n < MAX_LOCAL_OPS; n++) {
		const struct insn *in = &p->code[pc];
		mn_val x;
		if (sp >= 62) {
			*why = "condition too deep";
			return -1;
		}
		switch (in->op) {
		case OP_PUSH: st[sp++] = in->imm; break;
		case OP_LDL: {
			const struct mn_frame *f = &mn_frames_c(a, l)[a->nframes - 1];
			st[sp++] = mn_vals_c(a, l)[f->base + (uint32_t)in->a];
			break;
		}
		case OP_LDR: st[sp++] = a->regs[in->a]; break;
		case OP_LDAR: st[sp++] = mn_agent_c(w, l, in->a)->regs[in->b]; break;
		case OP_LDS: st[sp++] = shared[in->a]; break;
		case OP_LDSX:
			x = st[--sp];
			if (x < 0 || x >= in->imm) {
				*why = "index out of range";
				return -1;
			}
			st[sp++] = shared[in->a + x];
			break;
		case OP_BIN: {
			int rc = binop(in->a, st[sp - 2], st[sp - 1], &x);
			if (rc) {
				*why = binop_error(rc);
				return -1;
			}
			sp -= 2;
			st[sp++] = x;
			break;
		}
		case OP_UN: st[sp - 1] = unop(in->a, st[sp - 1]); break;
		case OP_JMP: pc = (uint32_t)in->a; continue;
		case OP_JZ:
			if (st[--sp] == 0) {
				pc = (uint32_t)in->a;
				continue;
			}
			break;
		case OP_AWAIT_END:
		case OP_COND_END:
			*out = st[sp - 1];
			return 0;
		default:
			*why = "unexpected instruction in a condition";
			return -1;
		}
		pc++;
	}
	*why = "condition does not terminate";
	return -1;
}

int mn_eval_cond(const struct mn_prog *p, const struct mn_world *w, uint32_t pc, mn_val *out)
{
	const char *why;
	return eval_pure(p, w, -1, pc, out, &why);
}

static void load_run(struct run *r, const struct mn_prog *p, struct mn_world *w, int i,
		     struct mn_step_note *note)
{
	r->p = p;
	r->l = &p->layout;
	r->w = w;
	r->agent = i;
	r->a = mn_agent(w, r->l, i);
	r->fr = mn_frames(r->a, r->l);
	r->v = mn_vals(r->a, r->l);
	r->note = note;
}

static const char *shared_name(const struct mn_prog *p, uint32_t cell, int *index)
{
	for (size_t i = 0; i < p->nshared; i++) {
		const struct shared_info *s = &p->shared[i];
		uint32_t n = s->len ? (uint32_t)s->len : 1;
		if (cell >= s->cell && cell < s->cell + n) {
			*index = s->len ? (int)(cell - s->cell) : -1;
			return s->name;
		}
	}
	*index = -1;
	return "?";
}

static void describe_val(const struct mn_prog *p, enum type t, mn_val v, char *buf, size_t n)
{
	if (t == TY_HANDLE) {
		int idx = MN_HANDLE_IDX(v);
		switch (MN_HANDLE_KIND(v)) {
		case MN_HK_MUTEX: snprintf(buf, n, "%s", shared_name(p, (uint32_t)idx, &idx)); break;
		case MN_HK_FRAME:
			if (idx)
				snprintf(buf, n, "page%d", idx);
			else
				snprintf(buf, n, "zero_page");
			break;
		case MN_HK_SUB: snprintf(buf, n, "sub%d", idx); break;
		case MN_HK_NONE: snprintf(buf, n, "NULL"); break;
		default: snprintf(buf, n, "handle%d:%d", MN_HANDLE_KIND(v), idx); break;
		}
	} else if (v >= 0x1000 || v <= -0x1000) {
		snprintf(buf, n, "%#llx", (unsigned long long)v);
	} else {
		snprintf(buf, n, "%lld", (long long)v);
	}
}

/* One line of source, blanks squeezed, for atomic and await rows. */
static void squeeze(const char *s, int len, char *out, size_t n)
{
	size_t k = 0;
	int blank = 0, i;
	/* an iteration writes up to 2 bytes; "..." and the NUL must still fit after it */
	for (i = 0; i < len && k + 6 <= n; i++) {
		char c = s[i];
		if (c == '\n' || c == '\t' || c == ' ' || c == '\r') {
			blank = 1;
			continue;
		}
		if (blank && k)
			out[k++] = ' ';
		blank = 0;
		out[k++] = c;
	}
	if (i < len)
		memcpy(out + k, "...", 3), k += 3;
	out[k] = 0;
}

static void note_step(struct run *r, uint32_t pc, const mn_val *args, mn_val ret)
{
	struct mn_step_note *nt = r->note;
	const struct insn *in = &r->p->code[pc];
	const struct insn_dbg *dg = &r->p->dbg[pc];
	char body[200] = "", tmp[64];
	int idx;
	const char *name;

	nt->pc = pc;
	switch (in->op) {
	case OP_LDS:
	case OP_STS:
		name = shared_name(r->p, (uint32_t)in->a, &idx);
		describe_val(r->p, TY_INT, args[0], tmp, sizeof(tmp));
		if (idx >= 0)
			snprintf(body, sizeof(body), "%s %s[%d] = %s",
				 in->op == OP_LDS ? "read" : "write", name, idx, tmp);
		else
			snprintf(body, sizeof(body), "%s %s = %s",
				 in->op == OP_LDS ? "read" : "write", name, tmp);
		break;
	case OP_LDSX:
	case OP_STSX:
		name = shared_name(r->p, (uint32_t)(in->a + args[1]), &idx);
		describe_val(r->p, TY_INT, args[0], tmp, sizeof(tmp));
		snprintf(body, sizeof(body), "%s %s[%lld] = %s",
			 in->op == OP_LDSX ? "read" : "write", name, (long long)args[1], tmp);
		break;
	case OP_BUILTIN: {
		const struct mn_builtin *b = &mn_builtins[in->a];
		size_t k = (size_t)snprintf(body, sizeof(body), "%s(", b->name);
		for (int i = 0; i < b->nargs && k < sizeof(body); i++) {
			describe_val(r->p, b->args[i], args[i], tmp, sizeof(tmp));
			k += (size_t)snprintf(body + k, sizeof(body) - k, "%s%s", i ? ", " : "", tmp);
		}
		if (k < sizeof(body))
			k += (size_t)snprintf(body + k, sizeof(body) - k, ")");
		if (b->ret != TY_VOID && k < sizeof(body)) {
			describe_val(r->p, b->ret, ret, tmp, sizeof(tmp));
			snprintf(body + k, sizeof(body) - k, " = %s", tmp);
		}
		break;
	}
	default:
		squeeze(dg->src, dg->src_len, body, sizeof(body));
		break;
	}
	if (dg->label)
		snprintf(nt->text, sizeof(nt->text), "%s: %s", dg->label, body);
	else
		snprintf(nt->text, sizeof(nt->text), "%s", body);
}

static void append_trace(struct mn_step_note *nt, const char *line)
{
	size_t n = strlen(nt->trace);
	snprintf(nt->trace + n, sizeof(nt->trace) - n, "%s\n", line);
}

static int builtin_enabled(struct run *r, const struct insn *in)
{
	const struct mn_builtin *b = &mn_builtins[in->a];
	if (!b->enabled)
		return 1;
	struct mn_ctx ctx;
	mn_ctx_init(&ctx, r->p, r->w, r->agent, 0);
	return b->enabled(&ctx, &r->v[r->a->sp - in->b]);
}

/* Executes the instruction at the top frame's pc (f is that frame, in its instruction).
 * atomic_depth is the enclosing atomic nesting, updated by the markers. Returns 0 to
 * continue, 1 when the agent stopped. Inlined into its three callers: the call and the
 * frame lookup cost as much as the local instructions themselves, which run several
 * times per step. */
static inline __attribute__((always_inline)) int exec1(struct run *r, struct mn_frame *f,
						       const struct insn *in, int *atomic_depth)
{
	struct mn_agent *a = r->a;
	mn_val *v = r->v;
	uint32_t pc = f->pc;
	mn_val x, y;
	int rc;

	if ((uint32_t)a->sp + 2 > r->l->max_vals) {
		fault(r, "stack overflow%s", "");
		return 1;
	}
	f->pc++;
	switch (in->op) {
	case OP_PUSH: v[a->sp++] = in->imm; break;
	case OP_POP: v[--a->sp] = 0; break;
	case OP_LDL: v[a->sp++] = v[f->base + (uint32_t)in->a]; break;
	case OP_STL:
		v[f->base + (uint32_t)in->a] = v[--a->sp];
		v[a->sp] = 0;
		break;
	case OP_LDR: v[a->sp++] = a->regs[in->a]; break;
	case OP_STR:
		a->regs[in->a] = v[--a->sp];
		v[a->sp] = 0;
		break;
	case OP_LDS:
		x = mn_shared(r->w, r->l)[in->a];
		v[a->sp++] = x;
		if (r->note && !*atomic_depth)
			note_step(r, pc, &x, 0);
		break;
	case OP_STS:
		x = v[--a->sp];
		v[a->sp] = 0;
		mn_shared(r->w, r->l)[in->a] = x;
		if (r->note && !*atomic_depth)
			note_step(r, pc, &x, 0);
		break;
	case OP_LDSX:
	case OP_STSX: {
		mn_val vals[2];
		if (in->op == OP_STSX) {
			x = v[--a->sp];
			v[a->sp] = 0;
		}
		y = v[--a->sp];
		v[a->sp] = 0;
		if (y < 0 || y >= in->imm) {
			char msg[96];
			snprintf(msg, sizeof(msg), "index %lld out of range for '%s'", (long long)y,
				 r->p->dbg[pc].name);
			fault(r, "%s", msg);
			return 1;
		}
		if (in->op == OP_LDSX) {
			x = mn_shared(r->w, r->l)[in->a + y];
			v[a->sp++] = x;
		} else {
			mn_shared(r->w, r->l)[in->a + y] = x;
		}
		vals[0] = x;
		vals[1] = y;
		if (r->note && !*atomic_depth)
			note_step(r, pc, vals, 0);
		break;
	}
	case OP_BIN:
		rc = binop(in->a, v[a->sp - 2], v[a->sp - 1], &x);
		if (rc) {
			fault(r, "%s", binop_error(rc));
			return 1;
		}
		v[--a->sp] = 0;
		v[a->sp - 1] = x;
		break;
	case OP_UN: v[a->sp - 1] = unop(in->a, v[a->sp - 1]); break;
	case OP_JMP: f->pc = (uint32_t)in->a; break;
	case OP_JZ:
		x = v[--a->sp];
		v[a->sp] = 0;
		if (!x)
			f->pc = (uint32_t)in->a;
		break;
	case OP_CALL: {
		const struct fn_info *fn = &r->p->fns[in->a];
		uint32_t base = a->sp - in->b;
		if (a->nframes >= r->l->max_frames ||
		    base + (uint32_t)fn->nlocals + (uint32_t)fn->maxstack > r->l->max_vals) {
			fault(r, "call depth exceeded in '%s'", fn->name);
			return 1;
		}
		struct mn_frame *nf = &r->fr[a->nframes++];
		nf->pc = fn->code_start;
		nf->fn = (uint16_t)in->a;
		nf->base = (uint16_t)base;
		a->sp = (uint16_t)(base + (uint32_t)fn->nlocals);
		break;
	}
	case OP_RET:
	case OP_RETV:
		x = in->op == OP_RETV ? v[--a->sp] : 0;
		memset(&v[f->base], 0, sizeof(*v) * (size_t)(a->sp - f->base));
		a->sp = f->base;
		memset(f, 0, sizeof(*f));
		a->nframes--;
		if (in->op == OP_RETV)
			v[a->sp++] = x;
		break;
	case OP_BUILTIN: {
		const struct mn_builtin *b = &mn_builtins[in->a];
		mn_val *args = &v[a->sp - in->b], ret = 0;
		if (*atomic_depth && !builtin_enabled(r, in)) {
			fault(r, "'%s' would block inside an atomic block", b->name);
			return 1;
		}
		struct mn_ctx ctx;
		mn_ctx_init(&ctx, r->p, r->w, r->agent, r->note != NULL);
		int rc = b->exec(&ctx, args, &ret);
		r->w->fired |= ctx.fired;
		if (r->note) {
			r->note->fired |= ctx.fired;
			if (ctx.trace[0])
				append_trace(r->note, ctx.trace);
		}
		if (rc) {
			fault(r, "%s", ctx.err);
			return 1;
		}
		if (r->note && !*atomic_depth && (b->flags & MN_BI_STEP))
			note_step(r, pc, args, ret);
		memset(args, 0, sizeof(*args) * in->b);
		a->sp -= in->b;
		if (b->ret != TY_VOID)
			v[a->sp++] = ret;
		break;
	}
	case OP_ATOMIC_BEGIN:
		if (r->note && !*atomic_depth)
			note_step(r, pc, NULL, 0);
		++*atomic_depth;
		break;
	case OP_ATOMIC_END: --*atomic_depth; break;
	case OP_AWAIT: {
		const char *why = NULL;
		/* Only reached when enabled: the condition held. */
		rc = eval_pure(r->p, r->w, r->agent, pc + 1, &x, &why);
		if (r->note)
			note_step(r, pc, NULL, 0);
		if (rc) {
			fault(r, "%s", why);
			return 1;
		}
		if (!x) { /* only possible inside atomic, through a called function */
			fault(r, "'await' would block inside an atomic block%s", "");
			return 1;
		}
		f->pc = (uint32_t)in->a;
		break;
	}
	case OP_ASSERT:
		x = v[--a->sp];
		v[a->sp] = 0;
		if (!x) {
			r->w->fired |= 1u << MN_CHECK_ASSERT;
			if (r->note)
				r->note->fired |= 1u << MN_CHECK_ASSERT;
		}
		break;
	case OP_HALT: {
		/* A finished agent keeps only its registers. */
		size_t rest = r->l->agent_size - r->l->frames_off;
		memset((char *)a + r->l->frames_off, 0, rest);
		a->nframes = 0;
		a->sp = 0;
		a->status = MN_AGENT_DONE;
		return 1;
	}
	case OP_NORETURN:
		fault(r, "function '%s' ended without returning a value", r->p->dbg[pc].name);
		return 1;
	default:
		fault(r, "bad instruction%s", "");
		return 1;
	}
	return 0;
}

/* The top frame and its instruction. */
static inline struct mn_frame *top_frame(const struct run *r, const struct insn **in)
{
	struct mn_frame *f = &r->fr[r->a->nframes - 1];
	*in = &r->p->code[f->pc];
	return f;
}

static void settle(struct run *r)
{
	int depth = 0;
	if (r->a->status != MN_AGENT_RUNNING)
		return;
	/* exec1 returns 1 whenever the agent stops running */
	for (int n = 0;; n++) {
		const struct insn *in;
		struct mn_frame *f = top_frame(r, &in);
		if (r->p->is_step[f->pc])
			return;
		if (n == MAX_LOCAL_OPS) {
			fault(r, "more than a million local operations without a step%s", "");
			return;
		}
		if (exec1(r, f, in, &depth))
			return;
	}
}

void mn_settle(const struct mn_prog *p, struct mn_world *w, int i, struct mn_step_note *note)
{
	struct run r;
	load_run(&r, p, w, i, note);
	settle(&r);
}

int mn_enabled(const struct mn_prog *p, const struct mn_world *w, int i)
{
	const struct mn_layout *l = &p->layout;
	const struct mn_agent *a = mn_agent_c(w, l, i);
	if (a->status != MN_AGENT_RUNNING)
		return 0;
	uint32_t pc = mn_frames_c(a, l)[a->nframes - 1].pc;
	const struct insn *in = &p->code[pc];
	if (in->op == OP_AWAIT) {
		const char *why;
		mn_val x;
		/* A condition that cannot be evaluated is enabled: the step reports it. */
		return eval_pure(p, w, i, pc + 1, &x, &why) || x != 0;
	}
	if (in->op == OP_BUILTIN && mn_builtins[in->a].enabled) {
		struct mn_ctx ctx;
		mn_ctx_init(&ctx, p, (struct mn_world *)w, i, 0);
		return mn_builtins[in->a].enabled(&ctx, &mn_vals_c(a, l)[a->sp - in->b]);
	}
	return 1;
}

void mn_step(const struct mn_prog *p, struct mn_world *w, int i, struct mn_step_note *note)
{
	struct run r;
	int depth = 0;
	uint32_t before = w->fired;

	load_run(&r, p, w, i, note);
	if (note)
		memset(note, 0, sizeof(*note));
	if (r.a->status != MN_AGENT_RUNNING)
		return;
	/* The step itself, then (inside atomic) everything up to the block's end. */
	const struct insn *in;
	struct mn_frame *f = top_frame(&r, &in);
	if (!exec1(&r, f, in, &depth)) {
		for (int n = 0; depth > 0; n++) {
			if (n == MAX_LOCAL_OPS) {
				fault(&r, "atomic block does not terminate%s", "");
				break;
			}
			f = top_frame(&r, &in);
			if (exec1(&r, f, in, &depth))
				break;
		}
		settle(&r);
	}
	if (note)
		note->fired |= w->fired & ~before;
}

struct mn_world *mn_world_init(const struct mn_prog *p, char *err, unsigned errlen,
			       char *init_trace)
{
	const struct mn_layout *l = &p->layout;
	struct mn_world *w = xcalloc(1, l->size);

	if (mn_kernel_init(p, w, err, errlen)) {
		free(w);
		return NULL;
	}
	memcpy(mn_shared(w, l), p->shared_init, sizeof(mn_val) * l->nshared);
	for (int i = 0; i < p->nagents; i++) {
		struct mn_agent *a = mn_agent(w, l, i);
		const struct fn_info *fn = &p->fns[p->agents[i].fn];
		struct mn_frame *f = &mn_frames(a, l)[0];
		a->status = MN_AGENT_RUNNING;
		a->nframes = 1;
		f->pc = fn->code_start;
		f->fn = (uint16_t)p->agents[i].fn;
		f->base = 0;
		a->sp = (uint16_t)fn->nlocals;
		/* what the agents record before their first step (trace_op) belongs to the run */
		struct mn_step_note note;
		memset(&note, 0, sizeof(note));
		mn_settle(p, w, i, &note);
		if (init_trace)
			snprintf(init_trace + strlen(init_trace), MN_INIT_TRACE - strlen(init_trace),
				 "%s", note.trace);
	}
	return w;
}
