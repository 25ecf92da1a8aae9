#include "edits.h"

#include <string.h>

struct func *ast_find_func(struct ast *ast, const char *name)
{
	struct func *found = NULL;
	for (size_t i = 0; i < ast->nfuncs; i++) {
		struct func *f = &ast->funcs[i];
		if (strcmp(f->name, name))
			continue;
		/* A scenario's definition replaces the library's, and a profile's the one of the
		 * profile it inherits. */
		if (!found || f->layer > found->layer)
			found = f;
	}
	return found;
}

/* Where a labelled statement sits: the node, and the block holding it directly (if any). */
struct site {
	struct stmt *s;
	struct stmt *block;
	int index;
};

static int find_label(struct stmt *s, const char *label, struct stmt *parent, int index,
		      struct site *out)
{
	if (!s)
		return 0;
	if (s->label && !strcmp(s->label, label)) {
		out->s = s;
		out->block = parent;
		out->index = index;
		return 1;
	}
	switch (s->kind) {
	case ST_BLOCK:
	case ST_ATOMIC:
		for (int i = 0; i < s->nbody; i++)
			if (find_label(s->body[i], label, s, i, out))
				return 1;
		return 0;
	case ST_IF:
		return find_label(s->then, label, NULL, 0, out) ||
		       find_label(s->els, label, NULL, 0, out);
	case ST_WHILE:
		return find_label(s->loop, label, NULL, 0, out);
	case ST_FOR:
		return find_label(s->init, label, NULL, 0, out) ||
		       find_label(s->step, label, NULL, 0, out) ||
		       find_label(s->loop, label, NULL, 0, out);
	default:
		return 0;
	}
}

static int contains(const struct stmt *outer, const struct stmt *inner)
{
	if (!outer)
		return 0;
	if (outer == inner)
		return 1;
	switch (outer->kind) {
	case ST_BLOCK:
	case ST_ATOMIC:
		for (int i = 0; i < outer->nbody; i++)
			if (contains(outer->body[i], inner))
				return 1;
		return 0;
	case ST_IF:
		return contains(outer->then, inner) || contains(outer->els, inner);
	case ST_WHILE:
		return contains(outer->loop, inner);
	case ST_FOR:
		return contains(outer->init, inner) || contains(outer->step, inner) ||
		       contains(outer->loop, inner);
	default:
		return 0;
	}
}

struct label_seen {
	const char *name;
};

static int check_dup(struct stmt *s, const char **seen, int *n, struct mn_diag *diag)
{
	if (!s)
		return 1;
	if (s->label) {
		for (int i = 0; i < *n; i++) {
			if (!strcmp(seen[i], s->label)) {
				mn_diag_set(diag, s->label_loc.file, s->label_loc.line,
					    s->label_loc.col, "duplicate label '%s' in function",
					    s->label);
				return 0;
			}
		}
		if (*n < 512)
			seen[(*n)++] = s->label;
	}
	switch (s->kind) {
	case ST_BLOCK:
	case ST_ATOMIC:
		for (int i = 0; i < s->nbody; i++)
			if (!check_dup(s->body[i], seen, n, diag))
				return 0;
		return 1;
	case ST_IF:
		return check_dup(s->then, seen, n, diag) && check_dup(s->els, seen, n, diag);
	case ST_WHILE:
		return check_dup(s->loop, seen, n, diag);
	case ST_FOR:
		return check_dup(s->init, seen, n, diag) && check_dup(s->step, seen, n, diag) &&
		       check_dup(s->loop, seen, n, diag);
	default:
		return 1;
	}
}

int ast_check_labels(struct ast *ast, struct mn_diag *diag)
{
	const char *seen[512];
	for (size_t i = 0; i < ast->nfuncs; i++) {
		int n = 0;
		if (!check_dup(ast->funcs[i].body, seen, &n, diag))
			return 0;
	}
	for (size_t i = 0; i < ast->nagents; i++) {
		int n = 0;
		if (!check_dup(ast->agents[i].body, seen, &n, diag))
			return 0;
	}
	return 1;
}

static int locate(struct ast *ast, const char *fn, struct loc fl, const char *label,
		  struct loc ll, struct func **fout, struct site *site, struct mn_diag *diag)
{
	struct func *f = ast_find_func(ast, fn);
	if (!f) {
		mn_diag_set(diag, fl.file, fl.line, fl.col, "unknown function '%s'", fn);
		return 0;
	}
	if (!find_label(f->body, label, NULL, 0, site)) {
		mn_diag_set(diag, ll.file, ll.line, ll.col, "unknown label '%s' in function '%s'",
			    label, fn);
		return 0;
	}
	*fout = f;
	return 1;
}

static void insert_after(struct ast *ast, struct site *at, struct stmt *s)
{
	if (at->block) {
		struct stmt *b = at->block;
		struct stmt **body = arena_alloc(&ast->arena, sizeof(*body) * (size_t)(b->nbody + 1));
		memcpy(body, b->body, sizeof(*body) * (size_t)(at->index + 1));
		body[at->index + 1] = s;
		memcpy(body + at->index + 2, b->body + at->index + 1,
		       sizeof(*body) * (size_t)(b->nbody - at->index - 1));
		b->body = body;
		b->nbody++;
		return;
	}
	/* Not directly in a block (the branch of an if, say): make the node a block of the two. */
	struct stmt *old = arena_alloc(&ast->arena, sizeof(*old));
	*old = *at->s;
	struct stmt *blk = at->s;
	memset(blk, 0, sizeof(*blk));
	blk->kind = ST_BLOCK;
	blk->loc = old->loc;
	blk->body = arena_alloc(&ast->arena, sizeof(*blk->body) * 2);
	blk->body[0] = old;
	blk->body[1] = s;
	blk->nbody = 2;
}

int ast_apply_edits(struct ast *ast, struct mn_diag *diag)
{
	for (size_t i = 0; i < ast->nedits; i++) {
		struct edit *e = &ast->edits[i];
		struct func *f, *f2;
		struct site site, site2;

		if (!locate(ast, e->fn, e->fn_loc, e->label, e->label_loc, &f, &site, diag))
			return 0;
		switch (e->kind) {
		case ED_OVERRIDE: {
			char *label = site.s->label;
			struct loc ll = site.s->label_loc;
			*site.s = *e->stmt;
			site.s->label = label;
			site.s->label_loc = ll;
			break;
		}
		case ED_DELETE: {
			/* The label stays on an empty statement so later edits can still name it. */
			char *label = site.s->label;
			struct loc ll = site.s->label_loc, l = site.s->loc;
			memset(site.s, 0, sizeof(*site.s));
			site.s->kind = ST_EMPTY;
			site.s->loc = l;
			site.s->label = label;
			site.s->label_loc = ll;
			break;
		}
		case ED_MOVE: {
			if (!locate(ast, e->fn2, e->fn2_loc, e->label2, e->label2_loc, &f2, &site2,
				    diag))
				return 0;
			if (f2 != f) {
				mn_diag_set(diag, e->fn2_loc.file, e->fn2_loc.line, e->fn2_loc.col,
					    "move target label must be in the same function '%s'",
					    e->fn);
				return 0;
			}
			if (contains(site.s, site2.s)) {
				mn_diag_set(diag, e->label2_loc.file, e->label2_loc.line,
					    e->label2_loc.col,
					    "cannot move '%s' after a statement inside itself",
					    e->label);
				return 0;
			}
			struct stmt *moved = arena_alloc(&ast->arena, sizeof(*moved));
			*moved = *site.s;
			struct loc l = site.s->loc;
			memset(site.s, 0, sizeof(*site.s));
			site.s->kind = ST_EMPTY;
			site.s->loc = l;
			/* Locate again: the removal did not move nodes, but be exact. */
			find_label(f->body, e->label2, NULL, 0, &site2);
			insert_after(ast, &site2, moved);
			break;
		}
		}
	}
	return 1;
}
