#include "por.h"

#include "../lang/interp.h"
#include "../util/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* What the step at pc touches when `agent` runs it (calls: the callee's summary for that
 * agent). Kernel built-ins touch their agent's mm: footprints are per agent. */
static void static_of(const struct mn_prog *p, int agent, const struct mn_fp *summary,
		      uint32_t pc, struct mn_fp *fp)
{
	const struct insn *in = &p->code[pc];
	fp_clear(fp);
	switch (in->op) {
	case OP_LDS: fp_read(fp, (unsigned)in->a); break;
	case OP_STS: fp_write(fp, (unsigned)in->a); break;
	case OP_LDSX:
	case OP_STSX:
		for (int64_t k = 0; k < in->imm && k < MN_FP_BITS; k++) {
			if (in->op == OP_LDSX)
				fp_read(fp, (unsigned)(in->a + k));
			else
				fp_write(fp, (unsigned)(in->a + k));
		}
		break;
	case OP_BUILTIN: {
		const struct mn_builtin *b = &mn_builtins[in->a];
		if (!(b->flags & MN_BI_STEP))
			break;
		if (!b->footprint) {
			fp_all(fp);
		} else if (in->pad) {
			mn_val args[8];
			for (int k = 0; k < in->b; k++)
				args[k] = p->code[pc - (uint32_t)in->b + (uint32_t)k].imm;
			b->footprint(p, in->a, agent, args, fp);
		} else {
			b->footprint(p, in->a, agent, NULL, fp);
		}
		break;
	}
	case OP_CALL: *fp = summary[in->a]; break;
	default: break;
	}
}

/* fp_static and fp_future of one agent: function summaries to a fixpoint (calls),
 * atomic blocks and awaits as one step, then futures backwards to a fixpoint (loops). */
/* Marks in live[] the functions agent's code may call (only direct calls exist): the
 * library is large and a scenario uses a small part of it, so only that part is
 * prepared. */
static void reachable(const struct mn_prog *p, int agent, uint8_t *live)
{
	int *todo = xcalloc(p->nfns ? p->nfns : 1, sizeof(*todo)), n = 0;
	memset(live, 0, p->nfns);
	live[p->agents[agent].fn] = 1;
	todo[n++] = p->agents[agent].fn;
	while (n) {
		const struct fn_info *f = &p->fns[todo[--n]];
		for (uint32_t pc = f->code_start; pc < f->code_end; pc++)
			if (p->code[pc].op == OP_CALL && !live[p->code[pc].a]) {
				live[p->code[pc].a] = 1;
				todo[n++] = (int)p->code[pc].a;
			}
	}
	free(todo);
}

static void prepare_agent(const struct mn_prog *p, int agent, struct mn_fp *st,
			  struct mn_fp *fut, struct mn_fp *summary)
{
	size_t n = p->ncode;
	uint8_t *live = xmalloc(p->nfns ? p->nfns : 1);
	reachable(p, agent, live);
	uint8_t *pclive = xcalloc(n ? n : 1, 1);
	for (size_t f = 0; f < p->nfns; f++)
		if (live[f])
			memset(pclive + p->fns[f].code_start, 1,
			       p->fns[f].code_end - p->fns[f].code_start);
	memset(summary, 0, sizeof(*summary) * p->nfns);
	for (int changed = 1; changed;) {
		changed = 0;
		for (size_t f = 0; f < p->nfns; f++) {
			if (!live[f])
				continue;
			struct mn_fp sum;
			fp_clear(&sum);
			for (uint32_t pc = p->fns[f].code_start; pc < p->fns[f].code_end; pc++) {
				struct mn_fp one;
				static_of(p, agent, summary, pc, &one);
				fp_union(&sum, &one);
			}
			if (!fp_equal(&sum, &summary[f])) {
				summary[f] = sum;
				changed = 1;
			}
		}
	}
	for (uint32_t pc = 0; pc < n; pc++)
		if (pclive[pc])
			static_of(p, agent, summary, pc, &st[pc]);
	for (uint32_t pc = 0; pc < n; pc++) {
		const struct insn *in = &p->code[pc];
		if (!pclive[pc] || (in->op != OP_ATOMIC_BEGIN && in->op != OP_AWAIT))
			continue;
		for (uint32_t k = pc + 1; k < (uint32_t)in->a; k++)
			fp_union(&st[pc], &st[k]);
	}
	for (uint32_t pc = 0; pc < n; pc++)
		fut[pc] = st[pc];
	for (int changed = 1; changed;) {
		changed = 0;
		for (uint32_t pc = (uint32_t)n; pc-- > 0;) {
			if (!pclive[pc])
				continue;
			const struct insn *in = &p->code[pc];
			struct mn_fp f = fut[pc];
			uint32_t succ[2];
			int ns = 0;
			switch (in->op) {
			case OP_RET: case OP_RETV: case OP_HALT: case OP_NORETURN:
			case OP_COND_END:
				break;
			case OP_JMP: succ[ns++] = (uint32_t)in->a; break;
			case OP_JZ: case OP_ATOMIC_BEGIN: case OP_AWAIT:
				succ[ns++] = pc + 1;
				succ[ns++] = (uint32_t)in->a;
				break;
			default: succ[ns++] = pc + 1; break;
			}
			for (int k = 0; k < ns; k++)
				if (succ[k] < n)
					fp_union(&f, &fut[succ[k]]);
			if (!fp_equal(&f, &fut[pc])) {
				fut[pc] = f;
				changed = 1;
			}
		}
	}
	free(pclive);
	free(live);
}

void mn_por_prepare(struct mn_prog *p)
{
	size_t n = p->ncode, a = (size_t)(p->nagents ? p->nagents : 1);
	struct mn_fp *summary = xcalloc(p->nfns ? p->nfns : 1, sizeof(*summary));
	p->fp_static = xcalloc(n * a, sizeof(struct mn_fp));
	p->fp_future = xcalloc(n * a, sizeof(struct mn_fp));
	for (size_t i = 0; i < a; i++)
		prepare_agent(p, (int)i, &p->fp_static[i * n], &p->fp_future[i * n], summary);
	free(summary);
}

void mn_next_fp(const struct mn_prog *p, const struct mn_world *w, int i, struct mn_fp *fp)
{
	const struct mn_layout *l = &p->layout;
	const struct mn_agent *a = mn_agent_c(w, l, i);
	uint32_t pc = mn_frames_c(a, l)[a->nframes - 1].pc;
	const struct insn *in = &p->code[pc];
	const mn_val *v = mn_vals_c(a, l);

	switch (in->op) {
	case OP_LDSX:
	case OP_STSX: {
		mn_val idx = v[a->sp - (in->op == OP_LDSX ? 1 : 2)];
		if (idx >= 0 && idx < in->imm) {
			fp_clear(fp);
			if (in->op == OP_LDSX)
				fp_read(fp, (unsigned)(in->a + idx));
			else
				fp_write(fp, (unsigned)(in->a + idx));
			return;
		}
		break;
	}
	case OP_BUILTIN: {
		const struct mn_builtin *b = &mn_builtins[in->a];
		if ((b->flags & MN_BI_STEP) && b->footprint) {
			fp_clear(fp);
			b->footprint(p, in->a, i, &v[a->sp - in->b], fp);
			return;
		}
		break;
	}
	default:
		break;
	}
	*fp = p->fp_static[(size_t)i * p->ncode + pc];
}

void mn_future_fp(const struct mn_prog *p, const struct mn_world *w, int i, struct mn_fp *fp)
{
	const struct mn_layout *l = &p->layout;
	const struct mn_agent *a = mn_agent_c(w, l, i);
	const struct mn_frame *fr = mn_frames_c(a, l);

	fp_clear(fp);
	if (a->status != MN_AGENT_RUNNING)
		return;
	/* Lower frames continue at their return addresses. */
	for (int k = 0; k < a->nframes; k++)
		fp_union(fp, &p->fp_future[(size_t)i * p->ncode + fr[k].pc]);
}

/* The build targets baseline x86-64, where __builtin_popcountll is a library call. */
static int count_agents(uint64_t x)
{
	int c = 0;
	for (; x; x &= x - 1)
		c++;
	return c;
}

/* Stubborn-set closure from a seed agent, over conf (conf[j]: the agents whose future
 * conflicts with j's next step). For each agent in the set, every agent in its conf
 * joins: for an enabled member so that nothing outside can interfere with its step; for
 * a blocked member so that whoever could unblock it is in the set (and, being in it,
 * cannot move before the set does). Returns the set; stops early, with a set of at least
 * best enabled agents, once it cannot beat best. */
static uint64_t closure(int seed, const uint64_t *conf, uint64_t enabled, int best)
{
	uint64_t in = 1ull << seed, todo = in;
	while (todo) {
		int j = __builtin_ctzll(todo);
		todo &= todo - 1;
		uint64_t add = conf[j] & ~in;
		in |= add;
		todo |= add;
		if (add && count_agents(in & enabled) >= best)
			return in;
	}
	return in;
}

static int ample_of(const struct mn_prog *p, const struct mn_world *w, int reduce, int *out,
		    struct mn_memo *c)
{
	int n = p->nagents, nen = 0;
	uint64_t enabled = 0, running = 0, fresh = 0, conf[64];

	for (int i = 0; i < n; i++) {
		if (mn_enabled(p, w, i)) {
			enabled |= 1ull << i;
			out[nen++] = i;
		}
	}
	if (!reduce || nen <= 1)
		return nen;
	for (int i = 0; i < n; i++) {
		if (mn_agent_c(w, &p->layout, i)->status != MN_AGENT_RUNNING)
			continue;
		running |= 1ull << i;
		if (!(c->have_fp >> i & 1)) {
			mn_next_fp(p, w, i, &c->agent[i].next);
			mn_future_fp(p, w, i, &c->agent[i].future);
			fresh |= 1ull << i;
		}
	}
	c->have_fp = running;
	/* Only the rows and columns of the agents whose footprints changed are computed
	 * again; an agent that stopped running leaves every row. */
	for (int j = 0; j < n; j++) {
		struct mn_agent_memo *aj = &c->agent[j];
		conf[j] = 0;
		if (!(running >> j & 1))
			continue;
		uint64_t redo = fresh >> j & 1 ? running : fresh;
		uint64_t row = aj->conf & running & ~redo;
		for (uint64_t x = redo & ~(1ull << j); x; x &= x - 1) {
			int k = __builtin_ctzll(x);
			if (fp_conflict(&aj->next, &c->agent[k].future))
				row |= 1ull << k;
		}
		aj->conf = conf[j] = row;
	}
	/* Smallest closure over every enabled seed; ties go to the lowest seed, so the
	 * choice depends on the state alone and counts do not depend on search order. */
	int best = nen;
	uint64_t chosen = enabled;
	for (int s = 0; s < n && best > 1; s++) {
		if (!(enabled >> s & 1))
			continue;
		uint64_t set = closure(s, conf, enabled, best) & enabled;
		int m = count_agents(set);
		if (m < best) {
			best = m;
			chosen = set;
		}
	}
	int m = 0;
	for (uint64_t x = chosen; x; x &= x - 1)
		out[m++] = __builtin_ctzll(x);
	return m;
}

int mn_ample(const struct mn_prog *p, const struct mn_world *w, int reduce, int *out)
{
	union mn_memo_any u;
	mn_memo_clear(&u.m);
	return ample_of(p, w, reduce, out, &u.m);
}

int mn_ample_cached(const struct mn_prog *p, const struct mn_world *w, int *out,
		    struct mn_memo *memo)
{
	return ample_of(p, w, 1, out, memo);
}
