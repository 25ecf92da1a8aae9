/* Recursive-descent parser. Stops at the first error: it is the one worth reading. */
#include "parser.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"
#include "lexer.h"

struct parser {
	struct lexer lx;
	struct token tok, peek;
	int have_peek;
	const char *prev_end; /* end of the last consumed token */
	struct ast *ast;
	struct mn_diag *diag;
	const char *file;
	int in_cond; /* final condition: P0:r0 allowed */
};

#define FAILED(p) ((p)->diag->set)

static void advance(struct parser *p)
{
	p->prev_end = p->tok.start + p->tok.len;
	if (p->have_peek) {
		p->tok = p->peek;
		p->have_peek = 0;
	} else {
		p->tok = lexer_next(&p->lx);
	}
}

static const struct token *peek2(struct parser *p)
{
	if (!p->have_peek) {
		p->peek = lexer_next(&p->lx);
		p->have_peek = 1;
	}
	return &p->peek;
}

static struct loc here(const struct parser *p)
{
	struct loc l = { p->file, p->tok.line, p->tok.col };
	return l;
}

static void error_at_tok(struct parser *p, const char *what)
{
	if (p->tok.kind == T_EOF)
		mn_diag_set(p->diag, p->file, p->tok.line, p->tok.col, "expected %s before end of file",
			    what);
	else
		mn_diag_set(p->diag, p->file, p->tok.line, p->tok.col, "expected %s, found '%.*s'",
			    what, p->tok.len, p->tok.start);
}

static int accept(struct parser *p, enum tok_kind k)
{
	if (FAILED(p) || p->tok.kind != k)
		return 0;
	advance(p);
	return 1;
}

static int expect_tok(struct parser *p, enum tok_kind k)
{
	if (FAILED(p))
		return 0;
	if (p->tok.kind != k) {
		error_at_tok(p, tok_name(k));
		return 0;
	}
	advance(p);
	return 1;
}

static char *tok_str(struct parser *p)
{
	return arena_strndup(&p->ast->arena, p->tok.start, (size_t)p->tok.len);
}

static char *expect_ident(struct parser *p, const char *what, struct loc *loc)
{
	if (FAILED(p))
		return NULL;
	if (p->tok.kind != T_IDENT) {
		error_at_tok(p, what);
		return NULL;
	}
	if (loc)
		*loc = here(p);
	char *s = tok_str(p);
	advance(p);
	return s;
}

static void *node(struct parser *p, size_t n)
{
	return arena_alloc(&p->ast->arena, n);
}

/* ---- expressions ---- */

static struct expr *parse_expr(struct parser *p);

static struct expr *new_expr(struct parser *p, enum ex_kind k, struct loc loc, const char *start)
{
	struct expr *e = node(p, sizeof(*e));
	e->kind = k;
	e->loc = loc;
	e->src_start = start;
	return e;
}

static void finish_span(struct parser *p, struct expr *e)
{
	if (e)
		e->src_len = (int)(p->prev_end - e->src_start);
}

static struct expr *parse_primary(struct parser *p)
{
	struct loc loc = here(p);
	const char *start = p->tok.start;
	struct expr *e;

	if (FAILED(p))
		return NULL;
	switch (p->tok.kind) {
	case T_INT:
		e = new_expr(p, EX_INT, loc, start);
		e->ival = p->tok.ival;
		advance(p);
		break;
	case T_LPAREN:
		advance(p);
		e = parse_expr(p);
		expect_tok(p, T_RPAREN);
		if (e) {
			e->src_start = start;
		}
		break;
	case T_IDENT: {
		char *name = tok_str(p);
		advance(p);
		if (p->in_cond && p->tok.kind == T_COLON) {
			advance(p);
			e = new_expr(p, EX_AGENTREG, loc, start);
			e->name = name;
			e->name2 = expect_ident(p, "register name", &e->loc2);
		} else if (p->tok.kind == T_LPAREN) {
			struct expr *args[64];
			int n = 0;
			advance(p);
			e = new_expr(p, EX_CALL, loc, start);
			e->name = name;
			if (p->tok.kind != T_RPAREN) {
				do {
					if (n == 64) {
						mn_diag_set(p->diag, p->file, p->tok.line, p->tok.col,
							    "too many arguments");
						return NULL;
					}
					args[n++] = parse_expr(p);
				} while (accept(p, T_COMMA));
			}
			expect_tok(p, T_RPAREN);
			e->nargs = n;
			e->args = node(p, sizeof(*e->args) * (size_t)(n ? n : 1));
			memcpy(e->args, args, sizeof(*args) * (size_t)n);
		} else if (p->tok.kind == T_LBRACK) {
			advance(p);
			e = new_expr(p, EX_INDEX, loc, start);
			e->name = name;
			e->a = parse_expr(p);
			expect_tok(p, T_RBRACK);
		} else {
			e = new_expr(p, EX_NAME, loc, start);
			e->name = name;
		}
		break;
	}
	case T_MINUS:
	case T_BANG:
	case T_TILDE: {
		int op = p->tok.kind;
		advance(p);
		e = new_expr(p, EX_UNARY, loc, start);
		e->op = op;
		e->a = parse_primary(p);
		break;
	}
	default:
		error_at_tok(p, "expression");
		return NULL;
	}
	finish_span(p, e);
	return FAILED(p) ? NULL : e;
}

static int binop_prec(enum tok_kind k)
{
	switch (k) {
	case T_STAR: case T_SLASH: case T_PERCENT: return 10;
	case T_PLUS: case T_MINUS: return 9;
	case T_SHL: case T_SHR: return 8;
	case T_LT: case T_LE: case T_GT: case T_GE: return 7;
	case T_EQ: case T_NE: return 6;
	case T_AMP: return 5;
	case T_CARET: return 4;
	case T_PIPE: return 3;
	case T_ANDAND: return 2;
	case T_OROR: return 1;
	default: return 0;
	}
}

static struct expr *parse_binary(struct parser *p, int min_prec)
{
	struct expr *lhs = parse_primary(p);

	while (!FAILED(p)) {
		int prec = binop_prec(p->tok.kind);
		if (!prec || prec < min_prec)
			break;
		struct loc loc = here(p);
		int op = p->tok.kind;
		advance(p);
		struct expr *rhs = parse_binary(p, prec + 1);
		struct expr *e = new_expr(p, EX_BINARY, loc, lhs ? lhs->src_start : NULL);
		e->op = op;
		e->a = lhs;
		e->b = rhs;
		finish_span(p, e);
		lhs = e;
	}
	return FAILED(p) ? NULL : lhs;
}

static struct expr *parse_expr(struct parser *p)
{
	return parse_binary(p, 1);
}

/* ---- statements ---- */

static struct stmt *parse_stmt(struct parser *p, int depth);

static struct stmt *new_stmt(struct parser *p, enum st_kind k, struct loc loc)
{
	struct stmt *s = node(p, sizeof(*s));
	s->kind = k;
	s->loc = loc;
	s->src_start = p->tok.start;
	return s;
}

static int parse_type(struct parser *p, enum type *t, int allow_void)
{
	switch (p->tok.kind) {
	case T_INTKW: *t = TY_INT; break;
	case T_HANDLE: *t = TY_HANDLE; break;
	case T_VOID:
		if (allow_void) {
			*t = TY_VOID;
			break;
		}
		/* fall through */
	default:
		return 0;
	}
	advance(p);
	return 1;
}

static struct stmt *parse_block_body(struct parser *p, enum st_kind k, int depth)
{
	struct stmt *s = new_stmt(p, k, here(p));
	struct stmt *items[1024];
	int n = 0;

	if (!expect_tok(p, T_LBRACE))
		return NULL;
	while (!FAILED(p) && p->tok.kind != T_RBRACE) {
		if (p->tok.kind == T_EOF) {
			error_at_tok(p, "'}'");
			return NULL;
		}
		if (n == 1024) {
			mn_diag_set(p->diag, p->file, p->tok.line, p->tok.col,
				    "too many statements in one block");
			return NULL;
		}
		items[n++] = parse_stmt(p, depth + 1);
	}
	expect_tok(p, T_RBRACE);
	if (FAILED(p))
		return NULL;
	s->nbody = n;
	s->body = node(p, sizeof(*s->body) * (size_t)(n ? n : 1));
	memcpy(s->body, items, sizeof(*items) * (size_t)n);
	return s;
}

/* `x = e`, `x += e`, or a call, without the trailing ';'. */
static struct stmt *parse_simple(struct parser *p)
{
	struct stmt *s = new_stmt(p, ST_EXPR, here(p));
	struct expr *e = parse_expr(p);

	if (FAILED(p))
		return NULL;
	if (p->tok.kind == T_ASSIGN || p->tok.kind == T_PLUSEQ || p->tok.kind == T_MINUSEQ) {
		if (e->kind != EX_NAME && e->kind != EX_INDEX) {
			mn_diag_set(p->diag, p->file, e->loc.line, e->loc.col,
				    "left side of assignment is not a variable");
			return NULL;
		}
		s->kind = ST_ASSIGN;
		s->op = p->tok.kind;
		s->target = e;
		advance(p);
		s->e = parse_expr(p);
	} else {
		if (e->kind != EX_CALL) {
			mn_diag_set(p->diag, p->file, e->loc.line, e->loc.col,
				    "expression statement has no effect (expected an assignment or a call)");
			return NULL;
		}
		s->e = e;
	}
	return FAILED(p) ? NULL : s;
}

static struct stmt *parse_decl(struct parser *p)
{
	struct stmt *s = new_stmt(p, ST_DECL, here(p));

	parse_type(p, &s->type, 0);
	s->name = expect_ident(p, "variable name", &s->loc);
	if (accept(p, T_ASSIGN))
		s->e = parse_expr(p);
	return FAILED(p) ? NULL : s;
}

static struct stmt *parse_stmt(struct parser *p, int depth)
{
	struct loc loc = here(p);
	struct stmt *s = NULL;

	if (FAILED(p))
		return NULL;
	if (depth > 200) {
		mn_diag_set(p->diag, p->file, loc.line, loc.col, "statements nested too deeply");
		return NULL;
	}
	if (p->tok.kind == T_IDENT && peek2(p)->kind == T_COLON) {
		char *label = tok_str(p);
		advance(p);
		advance(p);
		s = parse_stmt(p, depth + 1);
		if (!s)
			return NULL;
		if (s->label) {
			mn_diag_set(p->diag, p->file, s->label_loc.line, s->label_loc.col,
				    "statement already has label '%s'", s->label);
			return NULL;
		}
		s->label = label;
		s->label_loc = loc;
		return s;
	}
	switch (p->tok.kind) {
	case T_LBRACE:
		s = parse_block_body(p, ST_BLOCK, depth);
		break;
	case T_SEMI:
		s = new_stmt(p, ST_EMPTY, loc);
		advance(p);
		break;
	case T_INTKW:
	case T_HANDLE:
		s = parse_decl(p);
		expect_tok(p, T_SEMI);
		break;
	case T_IF:
		s = new_stmt(p, ST_IF, loc);
		advance(p);
		expect_tok(p, T_LPAREN);
		s->e = parse_expr(p);
		expect_tok(p, T_RPAREN);
		s->then = parse_stmt(p, depth + 1);
		if (accept(p, T_ELSE))
			s->els = parse_stmt(p, depth + 1);
		break;
	case T_WHILE:
		s = new_stmt(p, ST_WHILE, loc);
		advance(p);
		expect_tok(p, T_LPAREN);
		s->e = parse_expr(p);
		expect_tok(p, T_RPAREN);
		s->loop = parse_stmt(p, depth + 1);
		break;
	case T_FOR:
		s = new_stmt(p, ST_FOR, loc);
		advance(p);
		expect_tok(p, T_LPAREN);
		if (p->tok.kind == T_INTKW || p->tok.kind == T_HANDLE)
			s->init = parse_decl(p);
		else if (p->tok.kind != T_SEMI)
			s->init = parse_simple(p);
		expect_tok(p, T_SEMI);
		if (p->tok.kind != T_SEMI)
			s->e = parse_expr(p);
		expect_tok(p, T_SEMI);
		if (p->tok.kind != T_RPAREN)
			s->step = parse_simple(p);
		expect_tok(p, T_RPAREN);
		s->loop = parse_stmt(p, depth + 1);
		break;
	case T_BREAK:
	case T_CONTINUE:
		s = new_stmt(p, p->tok.kind == T_BREAK ? ST_BREAK : ST_CONTINUE, loc);
		advance(p);
		expect_tok(p, T_SEMI);
		break;
	case T_RETURN:
		s = new_stmt(p, ST_RETURN, loc);
		advance(p);
		if (p->tok.kind != T_SEMI)
			s->e = parse_expr(p);
		expect_tok(p, T_SEMI);
		break;
	case T_ATOMIC:
		advance(p);
		s = parse_block_body(p, ST_ATOMIC, depth);
		if (s)
			s->loc = loc;
		break;
	case T_AWAIT:
		s = new_stmt(p, ST_AWAIT, loc);
		advance(p);
		expect_tok(p, T_LPAREN);
		s->e = parse_expr(p);
		expect_tok(p, T_RPAREN);
		expect_tok(p, T_SEMI);
		break;
	case T_ELSE:
		mn_diag_set(p->diag, p->file, loc.line, loc.col, "'else' without 'if'");
		return NULL;
	default:
		s = parse_simple(p);
		expect_tok(p, T_SEMI);
		break;
	}
	if (FAILED(p))
		return NULL;
	s->src_start = s->src_start ? s->src_start : p->prev_end;
	s->src_len = (int)(p->prev_end - s->src_start);
	return s;
}

/* ---- top level ---- */

static void parse_function(struct parser *p, int is_library)
{
	struct func f = { 0 };
	struct param params[32];
	int n = 0;

	parse_type(p, &f.ret, 1);
	f.name = expect_ident(p, "function name", &f.loc);
	expect_tok(p, T_LPAREN);
	if (!FAILED(p) && p->tok.kind != T_RPAREN) {
		do {
			if (n == 32) {
				mn_diag_set(p->diag, p->file, p->tok.line, p->tok.col,
					    "too many parameters");
				return;
			}
			if (!parse_type(p, &params[n].type, 0)) {
				error_at_tok(p, "parameter type 'int' or 'handle'");
				return;
			}
			params[n].name = expect_ident(p, "parameter name", &params[n].loc);
			n++;
		} while (accept(p, T_COMMA));
	}
	expect_tok(p, T_RPAREN);
	if (FAILED(p))
		return;
	f.body = parse_block_body(p, ST_BLOCK, 0);
	if (FAILED(p))
		return;
	f.nparams = n;
	f.params = node(p, sizeof(*f.params) * (size_t)(n ? n : 1));
	memcpy(f.params, params, sizeof(*params) * (size_t)n);
	f.from_library = is_library;
	f.layer = is_library ? p->ast->lib_layer : 1 << 20;
	XGROW(p->ast->funcs, p->ast->cfuncs, p->ast->nfuncs + 1);
	p->ast->funcs[p->ast->nfuncs++] = f;
}

static int parse_const(struct parser *p, int64_t *v)
{
	int neg = accept(p, T_MINUS);
	if (FAILED(p))
		return 0;
	if (p->tok.kind != T_INT) {
		error_at_tok(p, "integer constant");
		return 0;
	}
	*v = neg ? -p->tok.ival : p->tok.ival;
	advance(p);
	return 1;
}

static void parse_shared(struct parser *p, int is_mutex)
{
	advance(p);
	do {
		struct shared_decl d = { 0 };
		d.is_mutex = is_mutex;
		d.name = expect_ident(p, "variable name", &d.loc);
		if (!is_mutex && accept(p, T_LBRACK)) {
			int64_t len;
			struct loc l = here(p);
			if (!parse_const(p, &len))
				return;
			if (len <= 0 || len > 4096) {
				mn_diag_set(p->diag, p->file, l.line, l.col,
					    "array length must be between 1 and 4096");
				return;
			}
			d.len = (int)len;
			expect_tok(p, T_RBRACK);
		}
		if (!is_mutex && accept(p, T_ASSIGN)) {
			int cap = d.len ? d.len : 1;
			d.init = node(p, sizeof(*d.init) * (size_t)cap);
			if (d.len) {
				expect_tok(p, T_LBRACE);
				do {
					struct loc l = here(p);
					if (FAILED(p))
						return;
					if (d.ninit == cap) {
						mn_diag_set(p->diag, p->file, l.line, l.col,
							    "too many initialisers for array '%s'",
							    d.name);
						return;
					}
					parse_const(p, &d.init[d.ninit++]);
				} while (accept(p, T_COMMA));
				expect_tok(p, T_RBRACE);
			} else {
				parse_const(p, &d.init[0]);
				d.ninit = 1;
			}
		}
		if (FAILED(p))
			return;
		XGROW(p->ast->shared, p->ast->cshared, p->ast->nshared + 1);
		p->ast->shared[p->ast->nshared++] = d;
	} while (accept(p, T_COMMA));
	expect_tok(p, T_SEMI);
}

static void parse_fn_label(struct parser *p, char **fn, struct loc *fl, char **label,
			   struct loc *ll)
{
	*fn = expect_ident(p, "function name", fl);
	expect_tok(p, T_DOT);
	*label = expect_ident(p, "label", ll);
}

static void parse_edit(struct parser *p)
{
	struct edit e = { 0 };
	e.loc = here(p);
	enum tok_kind k = p->tok.kind;

	advance(p);
	parse_fn_label(p, &e.fn, &e.fn_loc, &e.label, &e.label_loc);
	if (k == T_OVERRIDE) {
		e.kind = ED_OVERRIDE;
		expect_tok(p, T_ASSIGN);
		e.stmt = parse_stmt(p, 0);
	} else if (k == T_DELETE) {
		e.kind = ED_DELETE;
		expect_tok(p, T_SEMI);
	} else {
		e.kind = ED_MOVE;
		expect_tok(p, T_AFTER);
		parse_fn_label(p, &e.fn2, &e.fn2_loc, &e.label2, &e.label2_loc);
		expect_tok(p, T_SEMI);
	}
	if (FAILED(p))
		return;
	XGROW(p->ast->edits, p->ast->cedits, p->ast->nedits + 1);
	p->ast->edits[p->ast->nedits++] = e;
}

static void parse_agent(struct parser *p)
{
	struct agent_decl a = { 0 };

	a.name = expect_ident(p, "agent name", &a.loc);
	if (accept(p, T_AT))
		a.place = expect_ident(p, "placement (CPU or device name)", NULL);
	if (!FAILED(p) && p->tok.kind == T_IDENT)
		a.mm = expect_ident(p, "mm name", &a.mm_loc);
	if (FAILED(p))
		return;
	if (p->tok.kind != T_LBRACE) {
		error_at_tok(p, "'{' to start the agent's body");
		return;
	}
	a.body = parse_block_body(p, ST_BLOCK, 0);
	if (FAILED(p))
		return;
	XGROW(p->ast->agents, p->ast->cagents, p->ast->nagents + 1);
	p->ast->agents[p->ast->nagents++] = a;
}

static int tok_is(const struct parser *p, const char *word)
{
	return p->tok.kind == T_IDENT && (int)strlen(word) == p->tok.len &&
	       !memcmp(word, p->tok.start, (size_t)p->tok.len);
}

static void parse_mm(struct parser *p)
{
	struct mm_decl m = { 0 };

	advance(p); /* mm */
	m.name = expect_ident(p, "mm name", &m.loc);
	expect_tok(p, T_LBRACE);
	while (!FAILED(p) && p->tok.kind != T_RBRACE) {
		struct map_decl *d = &m.map[m.nmap];
		int64_t v;
		if (!tok_is(p, "map")) {
			error_at_tok(p, "'map' or '}'");
			return;
		}
		if (m.nmap == 8) {
			mn_diag_set(p->diag, p->file, p->tok.line, p->tok.col,
				    "too many mappings in one mm");
			return;
		}
		d->loc = here(p);
		advance(p);
		if (p->tok.kind != T_INT) {
			error_at_tok(p, "mapping address");
			return;
		}
		v = p->tok.ival;
		advance(p);
		d->start = (uint32_t)v;
		d->len = 0x1000;
		if (v < 0 || v >= (int64_t)1 << 32) {
			mn_diag_set(p->diag, p->file, d->loc.line, d->loc.col, "address out of range");
			return;
		}
		if (p->tok.kind == T_INT) {
			d->len = (uint32_t)p->tok.ival;
			advance(p);
		}
		if (p->tok.kind == T_SHARED) {
			/* `shared` is also the keyword of shared variables */
			d->kind_loc = here(p);
			d->kind = tok_str(p);
			advance(p);
		} else {
			d->kind = expect_ident(p, "mapping kind (anon, shared, hugetlb, pfnmap, thp, file)",
					       &d->kind_loc);
		}
		d->prot = expect_ident(p, "protection (rw or ro)", &d->prot_loc);
		if (tok_is(p, "populate")) {
			d->populate = 1;
			advance(p);
		}
		if (tok_is(p, "shares")) {
			advance(p);
			d->shares = expect_ident(p, "mm name", &d->shares_loc);
		}
		accept(p, T_SEMI);
		m.nmap++;
	}
	expect_tok(p, T_RBRACE);
	if (FAILED(p))
		return;
	XGROW(p->ast->mms, p->ast->cmms, p->ast->nmms + 1);
	p->ast->mms[p->ast->nmms++] = m;
}

/* fork PARENT CHILD: the child mm is what fork() would make of the parent. */
static void parse_fork(struct parser *p)
{
	struct mm_decl m = { 0 };

	advance(p); /* fork */
	m.fork_of = expect_ident(p, "parent mm name", &m.parent_loc);
	m.name = expect_ident(p, "child mm name", &m.loc);
	accept(p, T_SEMI);
	if (FAILED(p))
		return;
	XGROW(p->ast->mms, p->ast->cmms, p->ast->nmms + 1);
	p->ast->mms[p->ast->nmms++] = m;
}

static void parse_device(struct parser *p)
{
	struct dev_decl d = { 0 };

	advance(p); /* device */
	d.name = expect_ident(p, "device name", &d.loc);
	expect_tok(p, T_ASSIGN);
	d.type = expect_ident(p, "device type", &d.type_loc);
	expect_tok(p, T_LPAREN);
	d.mm = expect_ident(p, "mm name", &d.mm_loc);
	expect_tok(p, T_RPAREN);
	if (!FAILED(p) && tok_is(p, "interval")) {
		d.itv_loc = here(p);
		advance(p);
		if (!parse_const(p, &d.itv_start) || !parse_const(p, &d.itv_len))
			return;
	}
	accept(p, T_SEMI);
	if (FAILED(p))
		return;
	XGROW(p->ast->devs, p->ast->cdevs, p->ast->ndevs + 1);
	p->ast->devs[p->ast->ndevs++] = d;
}

static int parse_verdict(struct parser *p, int *v)
{
	static const char *const words[] = { "Never", "Sometimes", "Always" };
	if (p->tok.kind == T_IDENT) {
		for (int i = 0; i < 3; i++) {
			if ((int)strlen(words[i]) == p->tok.len &&
			    !memcmp(words[i], p->tok.start, (size_t)p->tok.len)) {
				*v = i;
				advance(p);
				return 1;
			}
		}
	}
	error_at_tok(p, "'Never', 'Sometimes' or 'Always'");
	return 0;
}

static void parse_final(struct parser *p)
{
	if (p->tok.kind == T_EXISTS) {
		struct cond_decl c = { 0 };
		c.loc = here(p);
		advance(p);
		if (p->tok.kind == T_IDENT)
			c.name = expect_ident(p, "condition name", &c.loc);
		else
			c.name = arena_strndup(&p->ast->arena, "exists", 6);
		if (!expect_tok(p, T_LPAREN))
			return;
		p->in_cond = 1;
		c.e = parse_expr(p);
		p->in_cond = 0;
		expect_tok(p, T_RPAREN);
		accept(p, T_SEMI);
		if (FAILED(p))
			return;
		XGROW(p->ast->conds, p->ast->cconds, p->ast->nconds + 1);
		p->ast->conds[p->ast->nconds++] = c;
	} else if (p->tok.kind == T_FORBID) {
		advance(p);
		do {
			struct expect_decl x = { 0 };
			x.name = expect_ident(p, "check name", &x.loc);
			x.verdict = 0;
			if (FAILED(p))
				return;
			XGROW(p->ast->expects, p->ast->cexpects, p->ast->nexpects + 1);
			p->ast->expects[p->ast->nexpects++] = x;
		} while (accept(p, T_COMMA));
		accept(p, T_SEMI);
	} else {
		struct expect_decl x = { 0 };
		advance(p);
		if (p->tok.kind == T_EXISTS) { /* `expect exists ...` names the default condition */
			x.loc = here(p);
			x.name = arena_strndup(&p->ast->arena, "exists", 6);
			advance(p);
		} else {
			x.name = expect_ident(p, "check or condition name", &x.loc);
		}
		if (FAILED(p) || !parse_verdict(p, &x.verdict))
			return;
		accept(p, T_SEMI);
		XGROW(p->ast->expects, p->ast->cexpects, p->ast->nexpects + 1);
		p->ast->expects[p->ast->nexpects++] = x;
	}
}

int parse_file(struct ast *ast, const char *file, const char *text, unsigned long len,
	       int is_library, struct mn_diag *diag)
{
	struct parser p = { 0 };
	int seen_item = 0;

	p.ast = ast;
	p.diag = diag;
	p.file = file;
	lexer_init(&p.lx, file, text, len, diag);
	p.tok = lexer_next(&p.lx);
	p.prev_end = text;
	while (!FAILED(&p) && p.tok.kind != T_EOF) {
		struct loc l = here(&p);
		enum tok_kind k = p.tok.kind;
		if (is_library && k != T_INTKW && k != T_HANDLE && k != T_VOID) {
			mn_diag_set(diag, file, l.line, l.col,
				    "a library file may only define functions");
			break;
		}
		switch (k) {
		case T_LITMUS:
			if (seen_item || ast->name) {
				mn_diag_set(diag, file, l.line, l.col,
					    "'litmus' must come before every other item");
				break;
			}
			advance(&p);
			/* A test may be named after a keyword: `litmus atomic`. */
			if (p.tok.kind >= T_LITMUS && p.tok.kind <= T_EXPECT)
				p.tok.kind = T_IDENT;
			ast->name = expect_ident(&p, "test name", NULL);
			accept(&p, T_SEMI);
			continue; /* does not count as an item */
		case T_KERNEL:
			if (seen_item || ast->profile) {
				mn_diag_set(diag, file, l.line, l.col,
					    "'kernel' must come before every other item");
				break;
			}
			advance(&p);
			if (p.tok.kind != T_WORD) {
				error_at_tok(&p, "profile name");
				break;
			}
			ast->profile_loc = here(&p);
			ast->profile = tok_str(&p);
			advance(&p);
			accept(&p, T_SEMI);
			continue;
		case T_SHARED:
		case T_MUTEX:
			parse_shared(&p, k == T_MUTEX);
			break;
		case T_INTKW:
		case T_HANDLE:
		case T_VOID:
			parse_function(&p, is_library);
			break;
		case T_OVERRIDE:
		case T_DELETE:
		case T_MOVE:
			parse_edit(&p);
			break;
		case T_EXISTS:
		case T_FORBID:
		case T_EXPECT:
			parse_final(&p);
			break;
		case T_IDENT:
			/* `mm` and `device` are reserved at the top level */
			if (tok_is(&p, "mm"))
				parse_mm(&p);
			else if (tok_is(&p, "device"))
				parse_device(&p);
			else if (tok_is(&p, "fork"))
				parse_fork(&p);
			else
				parse_agent(&p);
			break;
		default:
			error_at_tok(&p, "a declaration, function, agent or final condition");
			break;
		}
		seen_item = 1;
	}
	if (!is_library) {
		ast->eof_loc.file = file;
		ast->eof_loc.line = p.tok.line;
		ast->eof_loc.col = p.tok.col;
	}
	return !FAILED(&p);
}

char *ast_read_file(struct ast *ast, const char *path, unsigned long *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;

	if (!f)
		return NULL;
	for (;;) {
		XGROW(buf, cap, n + 4096 + 1);
		size_t got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	buf[n] = 0;
	*len = n;
	XGROW(ast->texts, ast->ctexts, ast->ntexts + 1);
	ast->texts[ast->ntexts++] = buf;
	return buf;
}

void parser_set_layer(struct ast *ast, int layer)
{
	ast->lib_layer = layer;
}
