/* Syntax tree of a scenario and its libraries. Lives only until compilation; the
 * explored world never points into it. */
#ifndef MN_AST_H
#define MN_AST_H

#include <stddef.h>
#include <stdint.h>

#include "../machine/devtypes.h"
#include "../util/arena.h"

enum type { TY_VOID, TY_INT, TY_HANDLE };

enum ex_kind {
	EX_INT,
	EX_NAME,     /* local, register, shared variable or mutex */
	EX_INDEX,    /* name[e] */
	EX_CALL,     /* name(args) */
	EX_UNARY,    /* op a */
	EX_BINARY,   /* a op b */
	EX_AGENTREG, /* P0:r0, final conditions only */
};

struct loc {
	const char *file;
	int line, col;
};

struct expr {
	enum ex_kind kind;
	struct loc loc;
	int op;      /* token kind of the operator */
	int64_t ival;
	char *name;  /* EX_NAME, EX_INDEX, EX_CALL; agent name for EX_AGENTREG */
	char *name2; /* register name for EX_AGENTREG */
	struct loc loc2;
	struct expr *a, *b;
	struct expr **args;
	int nargs;
	const char *src_start; /* source text span, for traces */
	int src_len;
};

enum st_kind {
	ST_EMPTY, ST_BLOCK, ST_DECL, ST_ASSIGN, ST_EXPR, ST_IF, ST_WHILE, ST_FOR,
	ST_BREAK, ST_CONTINUE, ST_RETURN, ST_ATOMIC, ST_AWAIT,
};

struct stmt {
	enum st_kind kind;
	struct loc loc;
	char *label;
	struct loc label_loc;
	/* ST_BLOCK, ST_ATOMIC */
	struct stmt **body;
	int nbody;
	/* ST_DECL: type name [= e]; ST_ASSIGN: target op e */
	enum type type;
	char *name;
	struct expr *target; /* EX_NAME or EX_INDEX */
	int op;              /* T_ASSIGN, T_PLUSEQ, T_MINUSEQ */
	struct expr *e;      /* value, condition, returned or called expression */
	struct stmt *then, *els, *init, *step, *loop;
	const char *src_start;
	int src_len;
};

struct param {
	enum type type;
	char *name;
	struct loc loc;
};

struct func {
	char *name;
	struct loc loc;
	enum type ret;
	struct param *params;
	int nparams;
	struct stmt *body;
	int from_library;
	int layer; /* profile depth for library code (base profile 0); scenario code above all */
};

struct shared_decl {
	char *name;
	struct loc loc;
	int is_mutex;
	int len;     /* 0 for a scalar, else array length */
	int64_t *init;
	int ninit;
};

/* mm NAME { map ADDR [LEN] KIND PROT [populate]; ... } */
struct map_decl {
	uint32_t start, len;
	char *kind, *prot;
	int populate;
	char *shares; /* hugetlb: share the PMD pages of this mm's mapping at the same place */
	struct loc loc, kind_loc, prot_loc, shares_loc;
};

struct mm_decl {
	char *name;
	struct loc loc;
	char *fork_of; /* `fork PARENT NAME`: a copy of PARENT made by fork() */
	struct loc parent_loc;
	struct map_decl map[8];
	int nmap;
};

/* device NAME = TYPE(MM) [interval START LEN]; */
struct dev_decl {
	char *name, *type, *mm;
	struct loc loc, type_loc, mm_loc, itv_loc;
	int64_t itv_start, itv_len; /* itv_len 0: the whole address space */
};

struct agent_decl {
	char *name;
	struct loc loc;
	char *place; /* @cpu0, or NULL */
	char *mm;    /* mm name, or NULL */
	struct loc mm_loc;
	struct stmt *body;
};

enum edit_kind { ED_OVERRIDE, ED_DELETE, ED_MOVE };

struct edit {
	enum edit_kind kind;
	struct loc loc;
	char *fn, *label;
	struct loc fn_loc, label_loc;
	char *fn2, *label2; /* ED_MOVE target */
	struct loc fn2_loc, label2_loc;
	struct stmt *stmt; /* ED_OVERRIDE replacement */
};

struct cond_decl {
	char *name;
	struct loc loc;
	struct expr *e;
};

struct expect_decl {
	char *name;
	struct loc loc;
	int verdict; /* enum mn_verdict */
};

/* One scenario with the library files its profile loaded. */
struct ast {
	struct arena arena;
	char *name;
	char *profile;
	struct loc profile_loc;
	struct func *funcs;
	size_t nfuncs, cfuncs;
	struct shared_decl *shared;
	size_t nshared, cshared;
	struct agent_decl *agents;
	size_t nagents, cagents;
	struct mm_decl *mms;
	size_t nmms, cmms;
	struct dev_decl *devs;
	size_t ndevs, cdevs;
	struct edit *edits;
	size_t nedits, cedits;
	struct cond_decl *conds;
	size_t nconds, cconds;
	struct expect_decl *expects;
	size_t nexpects, cexpects;
	char **texts; /* source buffers kept alive for src spans */
	size_t ntexts, ctexts;
	struct loc eof_loc;
	const char *main_file;
	int lib_layer; /* layer of the library files being parsed */
	/* A profile's `core` file (src/lang/load.c): device types it refuses, with the reason
	 * (indexed by enum mn_dev_type, NULL when modelled), and the types whose driver
	 * registers an ordinary (hlist) notifier instead of an interval notifier. */
	const char *refused[MN_NDEVTYPES];
	uint32_t hlist_types;
};

#endif
