/* A compiled scenario: bytecode for every function and agent, the world layout, the
 * observations to report. Immutable once built, shared by every worker. */
#ifndef MN_PROGRAM_H
#define MN_PROGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "mnsim/world.h"
#include "ast.h"
#include "builtin.h"
#include "footprint.h"

enum op {
	OP_PUSH,   /* imm */
	OP_POP,
	OP_LDL,    /* a = local slot */
	OP_STL,
	OP_LDR,    /* a = register */
	OP_STR,
	OP_LDS,    /* a = shared cell          (step) */
	OP_STS,    /*                          (step) */
	OP_LDSX,   /* a = first cell, imm = length; pops the index   (step) */
	OP_STSX,   /* pops value then index    (step) */
	OP_BIN,    /* a = operator token */
	OP_UN,
	OP_JMP,    /* a = target pc */
	OP_JZ,     /* pops */
	OP_CALL,   /* a = function */
	OP_RET,
	OP_RETV,
	OP_BUILTIN, /* a = builtin id, b = number of arguments   (step if visible) */
	OP_ATOMIC_BEGIN, /* a = pc after the block's end marker  (step) */
	OP_ATOMIC_END,
	OP_AWAIT,  /* a = pc after the condition's end marker    (step) */
	OP_AWAIT_END,
	OP_ASSERT, /* pops */
	OP_HALT,   /* end of an agent body */
	OP_NORETURN, /* fell off the end of a function returning a value */
	OP_LDAR,   /* final conditions: a = agent, b = register */
	OP_COND_END,
};

struct insn {
	uint8_t op;
	uint8_t b;
	uint16_t pad; /* OP_BUILTIN: 1 when every argument is a constant */
	int32_t a;
	int64_t imm;
};

/* Where an instruction came from, for traces and runtime errors. */
struct insn_dbg {
	struct loc loc;
	const char *label;   /* label of the enclosing labelled statement, if any */
	const char *src;     /* source text of the statement or expression */
	int src_len;
	const char *name;    /* shared variable, local or builtin name */
};

struct fn_info {
	char *name;
	enum type ret;
	int nparams;
	enum type ptypes[32];
	int nlocals;
	int maxstack;
	uint32_t code_start, code_end;
	int agent; /* agent index if this is an agent body, else -1 */
};

enum obs_kind { OBS_CHECK, OBS_COND };

struct observation {
	enum obs_kind kind;
	char *name;
	int check;          /* OBS_CHECK */
	uint32_t cond_pc;   /* OBS_COND: start of its code */
	int expect;         /* -1 none, else enum mn_verdict */
	struct loc expect_loc;
};

struct shared_info {
	char *name;
	uint32_t cell;
	int len; /* 0 scalar */
	int is_mutex;
};

struct agent_info {
	char *name;
	char *place;
	int fn;
	int cpu; /* CPU it runs on, or -1 */
	int dev; /* device it drives, or -1 */
	int mm;  /* mm whose memory it accesses, or -1 */
};

/* A mapping declared in an mm. */
struct map_info {
	uint32_t start, len;
	uint16_t vm_flags;
	uint8_t populate;
	int8_t shares; /* mm whose PMD pages this hugetlb mapping shares, or -1 */
};

struct mm_info {
	char *name;
	int fork_of; /* parent mm index, or -1 */
	struct map_info map[8];
	int nmap;
};

struct dev_info {
	char *name;
	int type; /* enum mn_dev_type */
	int mm;
	uint32_t itv_start, itv_len; /* the driver's interval notifier; len 0: everything */
};

struct mn_prog {
	char *name;
	char *path;
	char *profile;
	struct ast *ast; /* kept for source spans */
	struct insn *code;
	uint8_t *is_step; /* per pc, insn_is_step: the interpreter asks before every instruction */
	struct insn_dbg *dbg;
	size_t ncode, ccode;
	struct fn_info *fns;
	size_t nfns, cfns;
	struct shared_info *shared;
	size_t nshared, cshared;
	mn_val *shared_init;
	struct agent_info *agents;
	int nagents;
	struct mm_info *mms;
	int nmms;
	struct dev_info *devs;
	int ndevs;
	int uses_kernel; /* the world holds a struct mn_kstate */
	uint32_t hlist_types; /* device types registering an hlist notifier (profile's core) */
	struct observation *obs;
	size_t nobs, cobs;
	struct mn_layout layout;
	int recursive; /* call graph has a cycle: frames are capped */
	/* reduction data, one per pc */
	/* per agent and pc ([agent * ncode + pc]): what the step touches (calls: the callee),
	 * and what the rest of the frame may touch from there on */
	struct mn_fp *fp_static;
	struct mn_fp *fp_future;
	int16_t *kfp_spec; /* per built-in: its row in the kernel footprint table, or -1 */
	struct mn_fp *kfp_base; /* per built-in and agent: its footprint but for the arguments' part */
	uint8_t *kfp_devarg;    /* per built-in: the device it touches is its first argument */
	struct mn_world *init; /* initial world, agents poised at their first step */
	char init_trace[1024]; /* notifier trace lines recorded before the first step */
};

static inline int insn_is_step(const struct insn *in)
{
	switch (in->op) {
	case OP_LDS: case OP_STS: case OP_LDSX: case OP_STSX:
	case OP_ATOMIC_BEGIN: case OP_AWAIT:
		return 1;
	case OP_BUILTIN:
		return mn_builtins[in->a].flags & MN_BI_STEP;
	default:
		return 0;
	}
}

#endif
