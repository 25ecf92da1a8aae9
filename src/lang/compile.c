/* Name resolution, type checking and code generation in one walk over the tree. */
#include "compile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check/checks.h"
#include "../kernel/kstate.h"
#include "../machine/devtypes.h"
#include "../util/xalloc.h"
#include "edits.h"
#include "lexer.h"

#define MAX_SCOPE 256
#define MAX_LOOPS 32
#define MAX_PATCH 128

struct local {
	const char *name;
	int slot;
	enum type type;
};

struct loop {
	int breaks[MAX_PATCH], nbreaks;
	int conts[MAX_PATCH], nconts;
	int atomic_depth;
};

struct cg {
	struct mn_prog *p;
	struct ast *ast;
	struct mn_diag *d;
	int fn;
	int agent; /* agent index, or -1 in a function, -2 in a final condition */
	enum type ret;
	struct local locals[MAX_SCOPE];
	int nlocals;
	int max_slots;
	int depth, maxdepth;
	struct loop loops[MAX_LOOPS];
	int nloops;
	int atomic_depth;
	int in_await;
	const char *label;
	const char *src;
	int src_len;
};

#define FAILED(cg) ((cg)->d->set)

static void err(struct cg *cg, struct loc l, const char *fmt, const char *a, const char *b)
{
	char msg[200];
	snprintf(msg, sizeof(msg), fmt, a ? a : "", b ? b : "");
	mn_diag_set(cg->d, l.file, l.line, l.col, "%s", msg);
}

static const char *type_name(enum type t)
{
	return t == TY_INT ? "int" : t == TY_HANDLE ? "handle" : "void";
}

/* ---- emission ---- */

static int stack_effect(int op, int b)
{
	switch (op) {
	case OP_PUSH: case OP_LDL: case OP_LDR: case OP_LDS: case OP_LDAR: return 1;
	case OP_POP: case OP_STL: case OP_STR: case OP_STS: case OP_JZ: case OP_BIN:
	case OP_ASSERT: case OP_AWAIT_END: case OP_COND_END: case OP_RETV: return -1;
	case OP_STSX: return -2;
	default: (void)b; return 0;
	}
}

static int emit(struct cg *cg, int op, int32_t a, int b, int64_t imm, struct loc loc,
		const char *name)
{
	struct mn_prog *p = cg->p;
	size_t cd = p->ccode;
	XGROW(p->code, p->ccode, p->ncode + 1);
	if (p->ccode != cd) {
		p->dbg = xrealloc(p->dbg, sizeof(*p->dbg) * p->ccode);
		memset(p->dbg + cd, 0, sizeof(*p->dbg) * (p->ccode - cd));
	}
	struct insn *in = &p->code[p->ncode];
	in->op = (uint8_t)op;
	in->a = a;
	in->b = (uint8_t)b;
	in->imm = imm;
	struct insn_dbg *dg = &p->dbg[p->ncode];
	dg->loc = loc;
	dg->label = cg->label;
	dg->src = cg->src;
	dg->src_len = cg->src_len;
	dg->name = name;
	cg->depth += stack_effect(op, b);
	if (cg->depth > cg->maxdepth)
		cg->maxdepth = cg->depth;
	return (int)p->ncode++;
}

static int here_pc(struct cg *cg)
{
	return (int)cg->p->ncode;
}

static void patch(struct cg *cg, int at, int target)
{
	cg->p->code[at].a = target;
}

/* ---- names ---- */

static struct local *find_local(struct cg *cg, const char *name)
{
	for (int i = cg->nlocals - 1; i >= 0; i--)
		if (!strcmp(cg->locals[i].name, name))
			return &cg->locals[i];
	return NULL;
}

static int reg_index(const char *name)
{
	if (name[0] != 'r' || name[1] < '0' || name[1] > '9')
		return -1;
	char *end;
	long v = strtol(name + 1, &end, 10);
	if (*end)
		return -1;
	return (int)v;
}

static struct shared_info *find_shared(struct cg *cg, const char *name)
{
	for (size_t i = 0; i < cg->p->nshared; i++)
		if (!strcmp(cg->p->shared[i].name, name))
			return &cg->p->shared[i];
	return NULL;
}

static int find_fn(struct cg *cg, const char *name)
{
	for (size_t i = 0; i < cg->p->nfns; i++)
		if (cg->p->fns[i].agent < 0 && !strcmp(cg->p->fns[i].name, name))
			return (int)i;
	return -1;
}

static int find_agent(struct mn_prog *p, const char *name)
{
	for (int i = 0; i < p->nagents; i++)
		if (!strcmp(p->agents[i].name, name))
			return i;
	return -1;
}

/* Registers are r0..r7 in agent bodies; other rN names are reserved too. */
static int check_register(struct cg *cg, const struct expr *e, int *reg)
{
	int r = reg_index(e->name);
	if (r < 0)
		return 0;
	if (r >= MN_NREGS) {
		err(cg, e->loc, "no register '%s' (registers are r0 to r7)", e->name, NULL);
		return -1;
	}
	if (cg->agent == -2) {
		err(cg, e->loc, "register '%s' needs an agent in a final condition (P0:%s)",
		    e->name, e->name);
		return -1;
	}
	if (cg->agent < 0) {
		err(cg, e->loc, "register '%s' used outside an agent body", e->name, NULL);
		return -1;
	}
	*reg = r;
	return 1;
}

/* ---- expressions ---- */

static enum type gen_expr(struct cg *cg, struct expr *e);

/* A constant index names one cell: it becomes a plain access, so that reduction knows
 * exactly which element a step (and an agent's future) touches. */
static int const_index(struct cg *cg, const struct shared_info *s, const struct expr *idx,
		       int64_t *k)
{
	if (idx->kind != EX_INT)
		return 0;
	*k = idx->ival;
	if (*k < 0 || *k >= s->len) {
		char n[64];
		snprintf(n, sizeof(n), "%lld", (long long)*k);
		err(cg, idx->loc, "index %s out of range for '%s'", n, s->name);
	}
	return 1;
}

static enum type gen_int_expr(struct cg *cg, struct expr *e)
{
	enum type t = gen_expr(cg, e);
	if (!FAILED(cg) && t != TY_INT)
		err(cg, e->loc, "expected an int expression, found %s", type_name(t), NULL);
	return TY_INT;
}

static enum type gen_call(struct cg *cg, struct expr *e, int as_value)
{
	int f = find_fn(cg, e->name);
	if (cg->in_await) {
		err(cg, e->loc, "an await condition may not call '%s'", e->name, NULL);
		return TY_VOID;
	}
	if (!strcmp(e->name, "assert") && f < 0) {
		if (e->nargs != 1) {
			err(cg, e->loc, "assert takes 1 argument", NULL, NULL);
			return TY_VOID;
		}
		gen_int_expr(cg, e->args[0]);
		emit(cg, OP_ASSERT, 0, 0, 0, e->loc, "assert");
		if (as_value)
			err(cg, e->loc, "assert has no value", NULL, NULL);
		return TY_VOID;
	}
	const enum type *ptypes;
	int nparams;
	enum type ret;
	int bi = -1;
	if (f >= 0) {
		ptypes = cg->p->fns[f].ptypes;
		nparams = cg->p->fns[f].nparams;
		ret = cg->p->fns[f].ret;
	} else {
		bi = mn_builtin_find(e->name);
		if (bi < 0) {
			err(cg, e->loc, "unknown function '%s'", e->name, NULL);
			return TY_VOID;
		}
		ptypes = mn_builtins[bi].args;
		nparams = mn_builtins[bi].nargs;
		ret = mn_builtins[bi].ret;
	}
	if (e->nargs != nparams) {
		char n[32];
		snprintf(n, sizeof(n), "%d", nparams);
		err(cg, e->loc, "'%s' takes %s argument(s)", e->name, n);
		return TY_VOID;
	}
	int all_const = 1;
	for (int i = 0; i < e->nargs && !FAILED(cg); i++) {
		int before = here_pc(cg);
		enum type t = gen_expr(cg, e->args[i]);
		if (here_pc(cg) != before + 1 || cg->p->code[before].op != OP_PUSH)
			all_const = 0;
		if (!FAILED(cg) && t != ptypes[i]) {
			char n[16];
			snprintf(n, sizeof(n), "%d", i + 1);
			err(cg, e->args[i]->loc, "argument %s must be %s", n,
			    type_name(ptypes[i]));
		}
	}
	if (FAILED(cg))
		return TY_VOID;
	if (f >= 0) {
		emit(cg, OP_CALL, f, e->nargs, 0, e->loc, cg->p->fns[f].name);
		cg->depth -= e->nargs;
		if (ret != TY_VOID)
			cg->depth++;
	} else {
		int at = emit(cg, OP_BUILTIN, bi, e->nargs, 0, e->loc, mn_builtins[bi].name);
		/* constant arguments let reduction know exactly what the call touches */
		cg->p->code[at].pad = (uint16_t)all_const;
		cg->depth -= e->nargs;
		if (ret != TY_VOID)
			cg->depth++;
		if (cg->depth > cg->maxdepth)
			cg->maxdepth = cg->depth;
	}
	if (as_value && ret == TY_VOID)
		err(cg, e->loc, "'%s' returns no value", e->name, NULL);
	return ret;
}

static enum type gen_expr(struct cg *cg, struct expr *e)
{
	if (FAILED(cg) || !e)
		return TY_INT;
	switch (e->kind) {
	case EX_INT:
		emit(cg, OP_PUSH, 0, 0, e->ival, e->loc, NULL);
		return TY_INT;
	case EX_NAME: {
		struct local *l = cg->agent == -2 ? NULL : find_local(cg, e->name);
		int r;
		if (l) {
			emit(cg, OP_LDL, l->slot, 0, 0, e->loc, l->name);
			return l->type;
		}
		int rc = check_register(cg, e, &r);
		if (rc < 0)
			return TY_INT;
		if (rc > 0) {
			emit(cg, OP_LDR, r, 0, 0, e->loc, e->name);
			return TY_INT;
		}
		struct shared_info *s = find_shared(cg, e->name);
		mn_val cval;
		if (!s && mn_constant_find(e->name, &cval)) {
			emit(cg, OP_PUSH, 0, 0, cval, e->loc, e->name);
			return TY_INT;
		}
		if (!s) {
			err(cg, e->loc, "unknown variable '%s'", e->name, NULL);
			return TY_INT;
		}
		if (s->is_mutex) {
			emit(cg, OP_PUSH, 0, 0, MN_HANDLE(MN_HK_MUTEX, s->cell), e->loc, s->name);
			return TY_HANDLE;
		}
		if (s->len) {
			err(cg, e->loc, "array '%s' used without an index", e->name, NULL);
			return TY_INT;
		}
		emit(cg, OP_LDS, (int32_t)s->cell, 0, 0, e->loc, s->name);
		return TY_INT;
	}
	case EX_INDEX: {
		struct shared_info *s = find_shared(cg, e->name);
		if (!s) {
			if (find_local(cg, e->name) || reg_index(e->name) >= 0)
				err(cg, e->loc, "'%s' is not an array", e->name, NULL);
			else
				err(cg, e->loc, "unknown variable '%s'", e->name, NULL);
			return TY_INT;
		}
		if (!s->len) {
			err(cg, e->loc, "'%s' is not an array", e->name, NULL);
			return TY_INT;
		}
		int64_t k;
		if (const_index(cg, s, e->a, &k)) {
			if (!FAILED(cg))
				emit(cg, OP_LDS, (int32_t)(s->cell + (uint32_t)k), 0, 0, e->loc, s->name);
			return TY_INT;
		}
		gen_int_expr(cg, e->a);
		emit(cg, OP_LDSX, (int32_t)s->cell, 0, s->len, e->loc, s->name);
		return TY_INT;
	}
	case EX_CALL:
		return gen_call(cg, e, 1);
	case EX_AGENTREG: {
		int a = find_agent(cg->p, e->name);
		int r = reg_index(e->name2);
		if (a < 0) {
			err(cg, e->loc, "unknown agent '%s'", e->name, NULL);
			return TY_INT;
		}
		if (r < 0 || r >= MN_NREGS) {
			err(cg, e->loc2, "'%s' is not a register (r0 to r7)", e->name2, NULL);
			return TY_INT;
		}
		emit(cg, OP_LDAR, a, r, 0, e->loc, e->name2);
		return TY_INT;
	}
	case EX_UNARY:
		gen_int_expr(cg, e->a);
		emit(cg, OP_UN, e->op, 0, 0, e->loc, NULL);
		return TY_INT;
	case EX_BINARY:
		if (e->op == T_ANDAND || e->op == T_OROR) {
			/* a && b: a; JZ F; b; JZ F; 1; JMP E; F: 0; E:   (|| mirrors it) */
			int d0 = cg->depth;
			gen_int_expr(cg, e->a);
			if (e->op == T_OROR)
				emit(cg, OP_UN, T_BANG, 0, 0, e->loc, NULL);
			int j1 = emit(cg, OP_JZ, 0, 0, 0, e->loc, NULL);
			gen_int_expr(cg, e->b);
			if (e->op == T_OROR)
				emit(cg, OP_UN, T_BANG, 0, 0, e->loc, NULL);
			int j2 = emit(cg, OP_JZ, 0, 0, 0, e->loc, NULL);
			emit(cg, OP_PUSH, 0, 0, e->op == T_ANDAND, e->loc, NULL);
			int j3 = emit(cg, OP_JMP, 0, 0, 0, e->loc, NULL);
			cg->depth = d0;
			patch(cg, j1, here_pc(cg));
			patch(cg, j2, here_pc(cg));
			emit(cg, OP_PUSH, 0, 0, e->op == T_OROR, e->loc, NULL);
			patch(cg, j3, here_pc(cg));
			return TY_INT;
		} else {
			enum type ta = gen_expr(cg, e->a);
			enum type tb = gen_expr(cg, e->b);
			if (FAILED(cg))
				return TY_INT;
			if (ta == TY_VOID || tb == TY_VOID) {
				err(cg, ta == TY_VOID ? e->a->loc : e->b->loc,
				    "a void value cannot be used", NULL, NULL);
			} else if (e->op == T_EQ || e->op == T_NE) {
				if (ta != tb)
					err(cg, e->b->loc, "cannot compare %s with %s",
					    type_name(ta), type_name(tb));
			} else if (ta != TY_INT || tb != TY_INT) {
				err(cg, ta != TY_INT ? e->a->loc : e->b->loc,
				    "operator needs int operands, found a %s", "handle", NULL);
			}
			emit(cg, OP_BIN, e->op, 0, 0, e->loc, NULL);
			return TY_INT;
		}
	}
	return TY_INT;
}

/* ---- statements ---- */

static void gen_stmt(struct cg *cg, struct stmt *s);

static void declare(struct cg *cg, struct stmt *s)
{
	for (int i = cg->nlocals - 1; i >= 0; i--) {
		if (!strcmp(cg->locals[i].name, s->name)) {
			err(cg, s->loc, "local '%s' is already declared", s->name, NULL);
			return;
		}
	}
	if (reg_index(s->name) >= 0) {
		err(cg, s->loc, "'%s' is a register name", s->name, NULL);
		return;
	}
	if (cg->nlocals == MAX_SCOPE) {
		err(cg, s->loc, "too many locals", NULL, NULL);
		return;
	}
	int slot = cg->nlocals ? cg->locals[cg->nlocals - 1].slot + 1 : 0;
	/* parameters occupy the first slots, so a local's slot follows the last live one */
	cg->locals[cg->nlocals].name = s->name;
	cg->locals[cg->nlocals].slot = slot;
	cg->locals[cg->nlocals].type = s->type;
	cg->nlocals++;
	if (slot + 1 > cg->max_slots)
		cg->max_slots = slot + 1;
}

static void end_scope(struct cg *cg, int nlocals, struct loc loc)
{
	/* Dead locals are zeroed so that states differing only in them are the same state. */
	while (cg->nlocals > nlocals) {
		cg->nlocals--;
		emit(cg, OP_PUSH, 0, 0, 0, loc, NULL);
		emit(cg, OP_STL, cg->locals[cg->nlocals].slot, 0, 0, loc, NULL);
	}
}

static void gen_assign(struct cg *cg, struct stmt *s)
{
	struct expr *t = s->target;
	enum type want;
	int kind; /* 0 local, 1 register, 2 shared, 3 array */
	int idx = 0;
	struct shared_info *sh = NULL;

	if (t->kind == EX_NAME) {
		struct local *l = find_local(cg, t->name);
		int r, rc;
		if (l) {
			kind = 0;
			idx = l->slot;
			want = l->type;
		} else if ((rc = check_register(cg, t, &r)) != 0) {
			if (rc < 0)
				return;
			kind = 1;
			idx = r;
			want = TY_INT;
		} else if ((sh = find_shared(cg, t->name)) != NULL) {
			if (sh->is_mutex) {
				err(cg, t->loc, "cannot assign to mutex '%s'", t->name, NULL);
				return;
			}
			if (sh->len) {
				err(cg, t->loc, "array '%s' used without an index", t->name, NULL);
				return;
			}
			kind = 2;
			want = TY_INT;
		} else {
			err(cg, t->loc, "unknown variable '%s'", t->name, NULL);
			return;
		}
	} else {
		sh = find_shared(cg, t->name);
		if (!sh || !sh->len) {
			err(cg, t->loc, sh || find_local(cg, t->name) ? "'%s' is not an array" :
								       "unknown variable '%s'",
			    t->name, NULL);
			return;
		}
		kind = 3;
		want = TY_INT;
		int64_t k;
		if (const_index(cg, sh, t->a, &k)) {
			if (FAILED(cg))
				return;
			kind = 2;
			idx = (int)k;
		} else {
			gen_int_expr(cg, t->a);
		}
	}
	if (s->op != T_ASSIGN) {
		if (want != TY_INT) {
			err(cg, t->loc, "operator needs int operands, found a %s", "handle", NULL);
			return;
		}
		switch (kind) {
		case 0: emit(cg, OP_LDL, idx, 0, 0, t->loc, t->name); break;
		case 1: emit(cg, OP_LDR, idx, 0, 0, t->loc, t->name); break;
		case 2: emit(cg, OP_LDS, (int32_t)sh->cell + idx, 0, 0, t->loc, sh->name); break;
		default:
			gen_int_expr(cg, t->a);
			emit(cg, OP_LDSX, (int32_t)sh->cell, 0, sh->len, t->loc, sh->name);
			break;
		}
	}
	enum type got = gen_expr(cg, s->e);
	if (FAILED(cg))
		return;
	if (got != want) {
		err(cg, s->e->loc, "cannot assign %s to %s", type_name(got), type_name(want));
		return;
	}
	if (s->op != T_ASSIGN)
		emit(cg, OP_BIN, s->op == T_PLUSEQ ? T_PLUS : T_MINUS, 0, 0, s->loc, NULL);
	switch (kind) {
	case 0: emit(cg, OP_STL, idx, 0, 0, t->loc, t->name); break;
	case 1: emit(cg, OP_STR, idx, 0, 0, t->loc, t->name); break;
	case 2: emit(cg, OP_STS, (int32_t)sh->cell + idx, 0, 0, t->loc, sh->name); break;
	default: emit(cg, OP_STSX, (int32_t)sh->cell, 0, sh->len, t->loc, sh->name); break;
	}
}

static void gen_cond_jump(struct cg *cg, struct expr *e, int *jz)
{
	gen_int_expr(cg, e);
	*jz = emit(cg, OP_JZ, 0, 0, 0, e ? e->loc : (struct loc){ 0 }, NULL);
}

static void add_patch(struct cg *cg, struct stmt *s, int is_break)
{
	if (!cg->nloops) {
		err(cg, s->loc, "'%s' outside a loop", is_break ? "break" : "continue", NULL);
		return;
	}
	struct loop *lp = &cg->loops[cg->nloops - 1];
	if (lp->atomic_depth != cg->atomic_depth) {
		err(cg, s->loc, "'%s' cannot leave an atomic block", is_break ? "break" : "continue",
		    NULL);
		return;
	}
	int j = emit(cg, OP_JMP, 0, 0, 0, s->loc, NULL);
	if (is_break) {
		if (lp->nbreaks < MAX_PATCH)
			lp->breaks[lp->nbreaks++] = j;
	} else if (lp->nconts < MAX_PATCH) {
		lp->conts[lp->nconts++] = j;
	}
}

static void gen_loop(struct cg *cg, struct stmt *s)
{
	int scope = cg->nlocals;
	if (cg->nloops == MAX_LOOPS) {
		err(cg, s->loc, "loops nested too deeply", NULL, NULL);
		return;
	}
	if (s->kind == ST_FOR && s->init)
		gen_stmt(cg, s->init);
	int top = here_pc(cg), jz = -1;
	if (s->e)
		gen_cond_jump(cg, s->e, &jz);
	struct loop *lp = &cg->loops[cg->nloops++];
	memset(lp, 0, sizeof(*lp));
	lp->atomic_depth = cg->atomic_depth;
	gen_stmt(cg, s->loop);
	int cont = here_pc(cg);
	if (s->kind == ST_FOR && s->step)
		gen_stmt(cg, s->step);
	emit(cg, OP_JMP, top, 0, 0, s->loc, NULL);
	int out = here_pc(cg);
	if (jz >= 0)
		patch(cg, jz, out);
	for (int i = 0; i < lp->nbreaks; i++)
		patch(cg, lp->breaks[i], out);
	for (int i = 0; i < lp->nconts; i++)
		patch(cg, lp->conts[i], cont);
	cg->nloops--;
	end_scope(cg, scope, s->loc);
}

static void gen_stmt(struct cg *cg, struct stmt *s)
{
	if (FAILED(cg) || !s)
		return;
	const char *saved_label = cg->label, *saved_src = cg->src;
	int saved_len = cg->src_len;
	if (s->label)
		cg->label = s->label;
	if (s->kind != ST_BLOCK) {
		cg->src = s->src_start;
		cg->src_len = s->src_len;
	}
	switch (s->kind) {
	case ST_EMPTY:
		break;
	case ST_BLOCK: {
		int scope = cg->nlocals;
		for (int i = 0; i < s->nbody; i++)
			gen_stmt(cg, s->body[i]);
		end_scope(cg, scope, s->loc);
		break;
	}
	case ST_DECL:
		if (s->e) {
			enum type t = gen_expr(cg, s->e);
			if (!FAILED(cg) && t != s->type)
				err(cg, s->e->loc, "cannot initialise %s with %s",
				    type_name(s->type), type_name(t));
		} else {
			emit(cg, OP_PUSH, 0, 0, 0, s->loc, NULL);
		}
		declare(cg, s);
		if (!FAILED(cg))
			emit(cg, OP_STL, cg->locals[cg->nlocals - 1].slot, 0, 0, s->loc, s->name);
		break;
	case ST_ASSIGN:
		gen_assign(cg, s);
		break;
	case ST_EXPR:
		if (gen_call(cg, s->e, 0) != TY_VOID)
			emit(cg, OP_POP, 0, 0, 0, s->loc, NULL);
		break;
	case ST_IF: {
		int jz, jend;
		gen_cond_jump(cg, s->e, &jz);
		gen_stmt(cg, s->then);
		if (s->els) {
			jend = emit(cg, OP_JMP, 0, 0, 0, s->loc, NULL);
			patch(cg, jz, here_pc(cg));
			gen_stmt(cg, s->els);
			patch(cg, jend, here_pc(cg));
		} else {
			patch(cg, jz, here_pc(cg));
		}
		break;
	}
	case ST_WHILE:
	case ST_FOR:
		gen_loop(cg, s);
		break;
	case ST_BREAK:
	case ST_CONTINUE:
		add_patch(cg, s, s->kind == ST_BREAK);
		break;
	case ST_RETURN:
		if (cg->atomic_depth) {
			err(cg, s->loc, "'return' cannot leave an atomic block", NULL, NULL);
			break;
		}
		if (cg->agent >= 0) {
			if (s->e)
				err(cg, s->e->loc, "an agent body returns no value", NULL, NULL);
			else
				emit(cg, OP_HALT, 0, 0, 0, s->loc, NULL);
		} else if (cg->ret == TY_VOID) {
			if (s->e)
				err(cg, s->e->loc, "void function returns a value", NULL, NULL);
			else
				emit(cg, OP_RET, 0, 0, 0, s->loc, NULL);
		} else {
			if (!s->e) {
				err(cg, s->loc, "function must return %s", type_name(cg->ret), NULL);
				break;
			}
			enum type t = gen_expr(cg, s->e);
			if (!FAILED(cg) && t != cg->ret)
				err(cg, s->e->loc, "returns %s, function returns %s", type_name(t),
				    type_name(cg->ret));
			emit(cg, OP_RETV, 0, 0, 0, s->loc, NULL);
		}
		break;
	case ST_ATOMIC: {
		int b = emit(cg, OP_ATOMIC_BEGIN, 0, 0, 0, s->loc, NULL);
		int scope = cg->nlocals;
		cg->atomic_depth++;
		for (int i = 0; i < s->nbody; i++)
			gen_stmt(cg, s->body[i]);
		cg->atomic_depth--;
		end_scope(cg, scope, s->loc);
		emit(cg, OP_ATOMIC_END, 0, 0, 0, s->loc, NULL);
		patch(cg, b, here_pc(cg));
		break;
	}
	case ST_AWAIT: {
		if (cg->atomic_depth) {
			err(cg, s->loc, "'await' inside an atomic block", NULL, NULL);
			break;
		}
		int a = emit(cg, OP_AWAIT, 0, 0, 0, s->loc, NULL);
		cg->in_await = 1;
		gen_int_expr(cg, s->e);
		cg->in_await = 0;
		emit(cg, OP_AWAIT_END, 0, 0, 0, s->loc, NULL);
		patch(cg, a, here_pc(cg));
		break;
	}
	}
	cg->label = saved_label;
	cg->src = saved_src;
	cg->src_len = saved_len;
}

/* ---- whole program ---- */

static int add_fn(struct mn_prog *p, const char *name, enum type ret, int agent)
{
	XGROW(p->fns, p->cfns, p->nfns + 1);
	struct fn_info *f = &p->fns[p->nfns];
	memset(f, 0, sizeof(*f));
	f->name = xstrdup(name);
	f->ret = ret;
	f->agent = agent;
	return (int)p->nfns++;
}

static void gen_function(struct mn_prog *p, struct ast *ast, struct mn_diag *d, int fn,
			 struct func *src, struct agent_decl *agent, int agent_idx)
{
	struct cg cg = { 0 };
	cg.p = p;
	cg.ast = ast;
	cg.d = d;
	cg.fn = fn;
	cg.agent = agent ? agent_idx : -1;
	cg.ret = src ? src->ret : TY_VOID;
	struct fn_info *f = &p->fns[fn];
	f->code_start = (uint32_t)p->ncode;
	if (src) {
		for (int i = 0; i < src->nparams && !FAILED(&cg); i++) {
			struct stmt s = { 0 };
			s.name = src->params[i].name;
			s.type = src->params[i].type;
			s.loc = src->params[i].loc;
			declare(&cg, &s);
		}
	}
	struct stmt *body = src ? src->body : agent->body;
	struct loc end = body->loc;
	gen_stmt(&cg, body);
	if (agent)
		emit(&cg, OP_HALT, 0, 0, 0, end, NULL);
	else
		emit(&cg, cg.ret == TY_VOID ? OP_RET : OP_NORETURN, 0, 0, 0, end, f->name);
	/* the function's own pointer may have moved while code grew */
	f = &p->fns[fn];
	f->code_end = (uint32_t)p->ncode;
	f->nlocals = cg.max_slots;
	f->maxstack = cg.maxdepth + 1;
}

static int check_functions(struct ast *ast, struct mn_diag *d)
{
	for (size_t i = 0; i < ast->nfuncs; i++) {
		for (size_t j = 0; j < i; j++) {
			struct func *a = &ast->funcs[j], *b = &ast->funcs[i];
			if (strcmp(a->name, b->name) || a->layer != b->layer)
				continue;
			mn_diag_set(d, b->loc.file, b->loc.line, b->loc.col,
				    "duplicate function '%s' (first defined at line %d)", b->name,
				    a->loc.line);
			return 0;
		}
		if (mn_builtin_find(ast->funcs[i].name) >= 0 || !strcmp(ast->funcs[i].name, "assert")) {
			struct func *b = &ast->funcs[i];
			mn_diag_set(d, b->loc.file, b->loc.line, b->loc.col,
				    "'%s' is a built-in and cannot be redefined", b->name);
			return 0;
		}
	}
	return 1;
}

static int layout_shared(struct mn_prog *p, struct ast *ast, struct mn_diag *d)
{
	uint32_t cell = 0;
	for (size_t i = 0; i < ast->nshared; i++) {
		struct shared_decl *s = &ast->shared[i];
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(ast->shared[j].name, s->name)) {
				mn_diag_set(d, s->loc.file, s->loc.line, s->loc.col,
					    "duplicate shared name '%s'", s->name);
				return 0;
			}
		}
		if (reg_index(s->name) >= 0) {
			mn_diag_set(d, s->loc.file, s->loc.line, s->loc.col,
				    "'%s' is a register name", s->name);
			return 0;
		}
		XGROW(p->shared, p->cshared, p->nshared + 1);
		struct shared_info *si = &p->shared[p->nshared++];
		si->name = xstrdup(s->name);
		si->cell = cell;
		si->len = s->len;
		si->is_mutex = s->is_mutex;
		cell += s->len ? (uint32_t)s->len : 1;
	}
	p->shared_init = xcalloc(cell ? cell : 1, sizeof(mn_val));
	for (size_t i = 0; i < ast->nshared; i++)
		for (int k = 0; k < ast->shared[i].ninit; k++)
			p->shared_init[p->shared[i].cell + (uint32_t)k] = ast->shared[i].init[k];
	p->layout.nshared = cell;
	return 1;
}

static int add_observations(struct mn_prog *p, struct ast *ast, struct mn_diag *d)
{
	for (int c = 0; c < MN_NCHECKS; c++) {
		if (mn_checks[c].kernel && !p->uses_kernel)
			continue; /* no memory model, nothing for these checks to see */
		XGROW(p->obs, p->cobs, p->nobs + 1);
		struct observation *o = &p->obs[p->nobs++];
		memset(o, 0, sizeof(*o));
		o->kind = OBS_CHECK;
		o->name = xstrdup(mn_checks[c].name);
		o->check = c;
		o->expect = -1;
	}
	for (size_t i = 0; i < ast->nconds; i++) {
		struct cond_decl *c = &ast->conds[i];
		for (size_t j = 0; j < p->nobs; j++) {
			if (!strcmp(p->obs[j].name, c->name)) {
				mn_diag_set(d, c->loc.file, c->loc.line, c->loc.col,
					    p->obs[j].kind == OBS_CHECK ?
						    "condition name '%s' is the name of a check" :
						    "duplicate condition '%s'",
					    c->name);
				return 0;
			}
		}
		struct cg cg = { 0 };
		cg.p = p;
		cg.ast = ast;
		cg.d = d;
		cg.agent = -2;
		cg.in_await = 1; /* no calls in a final condition */
		cg.src = c->e ? c->e->src_start : NULL;
		cg.src_len = c->e ? c->e->src_len : 0;
		uint32_t pc = (uint32_t)p->ncode;
		gen_int_expr(&cg, c->e);
		emit(&cg, OP_COND_END, 0, 0, 0, c->loc, NULL);
		if (d->set)
			return 0;
		XGROW(p->obs, p->cobs, p->nobs + 1);
		struct observation *o = &p->obs[p->nobs++];
		memset(o, 0, sizeof(*o));
		o->kind = OBS_COND;
		o->name = xstrdup(c->name);
		o->cond_pc = pc;
		o->expect = -1;
	}
	for (size_t i = 0; i < ast->nexpects; i++) {
		struct expect_decl *x = &ast->expects[i];
		struct observation *o = NULL;
		for (size_t j = 0; j < p->nobs; j++)
			if (!strcmp(p->obs[j].name, x->name))
				o = &p->obs[j];
		if (!o) {
			mn_diag_set(d, x->loc.file, x->loc.line, x->loc.col,
				    "unknown check or condition '%s'", x->name);
			return 0;
		}
		if (o->expect >= 0 && o->expect != x->verdict) {
			mn_diag_set(d, x->loc.file, x->loc.line, x->loc.col,
				    "conflicting expectations for '%s'", x->name);
			return 0;
		}
		o->expect = x->verdict;
		o->expect_loc = x->loc;
	}
	return 1;
}

static int find_mm(const struct mn_prog *p, const char *name)
{
	for (int i = 0; i < p->nmms; i++)
		if (!strcmp(p->mms[i].name, name))
			return i;
	return -1;
}

static int map_flags(const struct map_decl *m, uint16_t *flags, struct mn_diag *d)
{
	static const struct {
		const char *name;
		uint16_t flags;
	} kinds[] = {
		{ "anon", MN_VM_ANON },
		{ "shared", MN_VM_ANON | MN_VM_SHARED },
		{ "hugetlb", MN_VM_HUGETLB | MN_VM_SHARED }, /* a MAP_SHARED hugetlbfs file */
		{ "pfnmap", MN_VM_PFNMAP | MN_VM_SHARED }, /* a driver's MAP_SHARED device mmap */
		{ "thp", MN_VM_ANON | MN_VM_HUGEPAGE }, /* private anonymous, MADV_HUGEPAGE */
		{ "file", MN_VM_FILE | MN_VM_SHARED }, /* MAP_SHARED of the model's one file */
	};
	*flags = 0;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (!strcmp(m->kind, kinds[k].name))
			*flags = kinds[k].flags;
	if (!*flags) {
		mn_diag_set(d, m->kind_loc.file, m->kind_loc.line, m->kind_loc.col,
			    "unknown mapping kind '%s' (anon, shared, hugetlb, pfnmap, thp or file)", m->kind);
		return 0;
	}
	if (!strcmp(m->prot, "rw")) {
		*flags |= MN_VM_READ | MN_VM_WRITE;
	} else if (!strcmp(m->prot, "ro")) {
		*flags |= MN_VM_READ;
	} else {
		mn_diag_set(d, m->prot_loc.file, m->prot_loc.line, m->prot_loc.col,
			    "unknown protection '%s' (rw or ro)", m->prot);
		return 0;
	}
	return 1;
}

/* mm declarations: the address spaces the scenario starts with. */
static int declare_mms(struct mn_prog *p, struct ast *ast, struct mn_diag *d)
{
	if (!ast->nmms)
		return 1;
	p->mms = xcalloc(MN_NMM, sizeof(*p->mms));
	for (size_t i = 0; i < ast->nmms; i++) {
		struct mm_decl *m = &ast->mms[i];
		if (find_mm(p, m->name) >= 0) {
			mn_diag_set(d, m->loc.file, m->loc.line, m->loc.col, "duplicate mm '%s'",
				    m->name);
			return 0;
		}
		if (i >= MN_NMM) {
			mn_diag_set(d, m->loc.file, m->loc.line, m->loc.col, "more than %d mms",
				    MN_NMM);
			return 0;
		}
		struct mm_info *mi = &p->mms[p->nmms++];
		mi->name = xstrdup(m->name);
		mi->fork_of = -1;
		if (m->fork_of) {
			mi->fork_of = find_mm(p, m->fork_of);
			if (mi->fork_of < 0) {
				mn_diag_set(d, m->parent_loc.file, m->parent_loc.line,
					    m->parent_loc.col, "unknown mm '%s'", m->fork_of);
				return 0;
			}
			*mi = (struct mm_info){ .name = mi->name, .fork_of = mi->fork_of };
			memcpy(mi->map, p->mms[mi->fork_of].map, sizeof(mi->map));
			mi->nmap = p->mms[mi->fork_of].nmap;
			continue;
		}
		if (m->nmap > MN_NVMA) {
			struct loc l = m->map[MN_NVMA].loc;
			mn_diag_set(d, l.file, l.line, l.col, "more than %d mappings in an mm",
				    MN_NVMA);
			return 0;
		}
		for (int k = 0; k < m->nmap; k++) {
			struct map_decl *md = &m->map[k];
			struct map_info *mp = &mi->map[mi->nmap++];
			if (!map_flags(md, &mp->vm_flags, d))
				return 0;
			if (md->start % MN_PAGE_SIZE || md->len % MN_PAGE_SIZE || !md->len ||
			    md->start == 0 || (uint64_t)md->start + md->len > MN_VA_LIMIT) {
				mn_diag_set(d, md->loc.file, md->loc.line, md->loc.col,
					    "mapping must be page-aligned, non-empty, above 0 and "
					    "below %#x",
					    MN_VA_LIMIT);
				return 0;
			}
			for (int j = 0; j < k; j++) {
				const struct map_info *o = &mi->map[j];
				if (md->start < o->start + o->len && o->start < md->start + md->len) {
					mn_diag_set(d, md->loc.file, md->loc.line, md->loc.col,
						    "mapping overlaps an earlier one");
					return 0;
				}
			}
			if ((mp->vm_flags & MN_VM_FILE) && md->len > MN_NPCACHE * MN_PAGE_SIZE) {
				mn_diag_set(d, md->loc.file, md->loc.line, md->loc.col,
					    "a file mapping maps at most the model's file, %d pages",
					    MN_NPCACHE);
				return 0;
			}
			mp->start = md->start;
			mp->len = md->len;
			mp->populate = (uint8_t)md->populate;
			mp->shares = -1;
			if (md->shares) {
				int o = find_mm(p, md->shares);
				if (o < 0 || !(mp->vm_flags & MN_VM_HUGETLB) ||
				    md->start % (1u << MN_PUD_SHIFT) || md->len > (1u << MN_PUD_SHIFT)) {
					struct loc l = md->shares_loc;
					mn_diag_set(d, l.file, l.line, l.col,
						    o < 0 ? "unknown mm '%s'" :
							    "only a hugetlb mapping within one PUD-aligned "
							    "PUD range can share PMD pages (with '%s')",
						    md->shares);
					return 0;
				}
				mp->shares = (int8_t)o;
			}
		}
	}
	p->uses_kernel = 1;
	return 1;
}

static int declare_devs(struct mn_prog *p, struct ast *ast, struct mn_diag *d)
{
	p->hlist_types = ast->hlist_types;
	if (!ast->ndevs)
		return 1;
	p->devs = xcalloc(MN_NDEV, sizeof(*p->devs));
	for (size_t i = 0; i < ast->ndevs; i++) {
		struct dev_decl *x = &ast->devs[i];
		if (i >= MN_NDEV) {
			mn_diag_set(d, x->loc.file, x->loc.line, x->loc.col, "more than %d devices",
				    MN_NDEV);
			return 0;
		}
		for (int j = 0; j < p->ndevs; j++) {
			if (!strcmp(p->devs[j].name, x->name)) {
				mn_diag_set(d, x->loc.file, x->loc.line, x->loc.col,
					    "duplicate device '%s'", x->name);
				return 0;
			}
		}
		int type = mn_dev_type_find(x->type);
		if (type < 0) {
			mn_diag_set(d, x->type_loc.file, x->type_loc.line, x->type_loc.col,
				    "unknown device type '%s'", x->type);
			return 0;
		}
		/* A profile models a device type when its library has the type's driver, whose
		 * entry point is TYPE_dma_read; accepting any other would model a device with
		 * no driver behind it. */
		if (ast->refused[type]) {
			mn_diag_set(d, x->type_loc.file, x->type_loc.line, x->type_loc.col,
				    "device type '%s' is not modelled by kernel profile '%s': %s",
				    x->type, p->profile ? p->profile : "(none)", ast->refused[type]);
			return 0;
		}
		char drv[64];
		snprintf(drv, sizeof(drv), "%s_dma_read", x->type);
		if (!ast_find_func(ast, drv)) {
			mn_diag_set(d, x->type_loc.file, x->type_loc.line, x->type_loc.col,
				    "device type '%s' is not modelled by kernel profile '%s' (its "
				    "library has no %s)",
				    x->type, p->profile ? p->profile : "(none)", drv);
			return 0;
		}
		int mm = find_mm(p, x->mm);
		if (mm < 0) {
			mn_diag_set(d, x->mm_loc.file, x->mm_loc.line, x->mm_loc.col,
				    "unknown mm '%s'", x->mm);
			return 0;
		}
		int has_itv = (type == MN_DEV_HMM_MIRROR || type == MN_DEV_ODP) &&
			      !(ast->hlist_types & (1u << type));
		if (x->itv_len && (!has_itv || x->itv_start < 0 || x->itv_len < 0 ||
				   x->itv_start + x->itv_len > MN_VA_LIMIT)) {
			mn_diag_set(d, x->itv_loc.file, x->itv_loc.line, x->itv_loc.col,
				    "an interval must lie in the address space and belong to an "
				    "hmm_mirror or an odp device");
			return 0;
		}
		struct dev_info *di = &p->devs[p->ndevs++];
		di->name = xstrdup(x->name);
		di->type = type;
		di->mm = mm;
		di->itv_start = (uint32_t)x->itv_start;
		di->itv_len = (uint32_t)x->itv_len;
	}
	return 1;
}

/* @cpuN runs the agent on CPU N; @DEVICE makes it that device's engine. */
static int place_agent(struct mn_prog *p, const struct agent_decl *a, struct agent_info *ai,
		       struct mn_diag *d)
{
	ai->cpu = ai->dev = ai->mm = -1;
	if (a->mm) {
		ai->mm = find_mm(p, a->mm);
		if (ai->mm < 0) {
			mn_diag_set(d, a->mm_loc.file, a->mm_loc.line, a->mm_loc.col,
				    "unknown mm '%s'", a->mm);
			return 0;
		}
	}
	if (!a->place)
		return 1;
	if (!strncmp(a->place, "cpu", 3) && a->place[3] >= '0' && a->place[3] <= '9') {
		char *end;
		long c = strtol(a->place + 3, &end, 10);
		if (!*end && c < MN_NCPU) {
			ai->cpu = (int)c;
			return 1;
		}
	}
	for (int k = 0; k < p->ndevs; k++) {
		if (!strcmp(p->devs[k].name, a->place)) {
			ai->dev = k;
			if (ai->mm < 0)
				ai->mm = p->devs[k].mm;
			return 1;
		}
	}
	mn_diag_set(d, a->loc.file, a->loc.line, a->loc.col,
		    "unknown placement '%s' (cpu0 to cpu%d, or a declared device)", a->place,
		    MN_NCPU - 1);
	return 0;
}

int mn_compile(struct mn_prog *p, struct ast *ast, struct mn_diag *d)
{
	if (!check_functions(ast, d) || !ast_check_labels(ast, d) || !ast_apply_edits(ast, d) ||
	    !ast_check_labels(ast, d) || !layout_shared(p, ast, d))
		return 0;

	if (!declare_mms(p, ast, d) || !declare_devs(p, ast, d))
		return 0;
	if (!ast->nagents) {
		mn_diag_set(d, ast->eof_loc.file, ast->eof_loc.line, ast->eof_loc.col,
			    "scenario has no agents");
		return 0;
	}
	if (ast->nagents > 64) {
		struct loc l = ast->agents[64].loc;
		mn_diag_set(d, l.file, l.line, l.col, "more than 64 agents");
		return 0;
	}
	p->agents = xcalloc(ast->nagents, sizeof(*p->agents));
	for (size_t i = 0; i < ast->nagents; i++) {
		struct agent_decl *a = &ast->agents[i];
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(ast->agents[j].name, a->name)) {
				mn_diag_set(d, a->loc.file, a->loc.line, a->loc.col,
					    "duplicate agent '%s'", a->name);
				return 0;
			}
		}
		p->agents[i].name = xstrdup(a->name);
		p->agents[i].place = a->place ? xstrdup(a->place) : NULL;
		p->nagents = (int)i + 1;
		if (!place_agent(p, a, &p->agents[i], d))
			return 0;
	}

	/* Signatures first, so that calls may precede definitions. */
	int *fn_of = xcalloc(ast->nfuncs ? ast->nfuncs : 1, sizeof(int));
	for (size_t i = 0; i < ast->nfuncs; i++) {
		struct func *f = &ast->funcs[i];
		fn_of[i] = -1;
		if (ast_find_func(ast, f->name) != f)
			continue; /* replaced by the scenario */
		int k = add_fn(p, f->name, f->ret, -1);
		p->fns[k].nparams = f->nparams;
		for (int j = 0; j < f->nparams; j++)
			p->fns[k].ptypes[j] = f->params[j].type;
		fn_of[i] = k;
	}
	for (size_t i = 0; i < ast->nfuncs && !d->set; i++)
		if (fn_of[i] >= 0)
			gen_function(p, ast, d, fn_of[i], &ast->funcs[i], NULL, -1);
	free(fn_of);
	for (int i = 0; i < p->nagents && !d->set; i++) {
		int k = add_fn(p, p->agents[i].name, TY_VOID, i);
		p->agents[i].fn = k;
		gen_function(p, ast, d, k, NULL, &ast->agents[i], i);
	}
	if (d->set || !add_observations(p, ast, d))
		return 0;
	return 1;
}
