/* The explored world: one pointer-free block of bytes. A snapshot is a memcpy, equality is
 * memcmp and the hash is taken over the same canonical bytes, so every field below is kept
 * canonical (unused stack slots and frames are zero). */
#ifndef MNSIM_WORLD_H
#define MNSIM_WORLD_H

#include <stdint.h>

typedef int64_t mn_val;

#define MN_NREGS 8

/* Handles are typed references to model objects: kind in the high half, index below. */
#define MN_HANDLE(kind, idx) (((mn_val)(kind) << 32) | (mn_val)(uint32_t)(idx))
#define MN_HANDLE_KIND(h) ((int)((uint64_t)(h) >> 32))
#define MN_HANDLE_IDX(h) ((int)(uint32_t)(h))
enum mn_handle_kind { MN_HK_NONE, MN_HK_MUTEX, MN_HK_FRAME, MN_HK_SUB, MN_HK_INTERVAL, MN_HK_DEV };

enum mn_agent_status {
	MN_AGENT_RUNNING, /* poised before its next step */
	MN_AGENT_DONE,
	MN_AGENT_FAULTED, /* stopped by a runtime error */
};

struct mn_frame {
	uint32_t pc;   /* where this frame continues */
	uint16_t fn;
	uint16_t base; /* first local in vals[] */
};

struct mn_agent {
	uint8_t status;
	uint8_t nframes;
	uint16_t sp; /* first free slot of vals[] */
	uint32_t pad;
	mn_val regs[MN_NREGS];
	/* followed by struct mn_frame frames[max_frames] and mn_val vals[max_vals] */
};

struct mn_world {
	uint32_t fired; /* bit per check: fired at some point of this execution */
	uint32_t pad;
	/* followed by mn_val shared[nshared], then the agents */
};

/* Where each part of the world lives; fixed per scenario. */
struct mn_layout {
	uint32_t size;
	uint32_t kernel_off; /* struct mn_kstate, or 0 when the scenario has no kernel */
	uint32_t shared_off, nshared;
	uint32_t agent_off, agent_size, nagents;
	uint32_t frames_off, vals_off; /* within an agent */
	uint32_t max_frames, max_vals;
};

static inline mn_val *mn_shared(struct mn_world *w, const struct mn_layout *l)
{
	return (mn_val *)((char *)w + l->shared_off);
}

static inline const mn_val *mn_shared_c(const struct mn_world *w, const struct mn_layout *l)
{
	return (const mn_val *)((const char *)w + l->shared_off);
}

static inline struct mn_agent *mn_agent(struct mn_world *w, const struct mn_layout *l, int i)
{
	return (struct mn_agent *)((char *)w + l->agent_off + (uint32_t)i * l->agent_size);
}

static inline const struct mn_agent *mn_agent_c(const struct mn_world *w,
						const struct mn_layout *l, int i)
{
	return (const struct mn_agent *)((const char *)w + l->agent_off +
					 (uint32_t)i * l->agent_size);
}

static inline struct mn_frame *mn_frames(struct mn_agent *a, const struct mn_layout *l)
{
	return (struct mn_frame *)((char *)a + l->frames_off);
}

static inline const struct mn_frame *mn_frames_c(const struct mn_agent *a,
						 const struct mn_layout *l)
{
	return (const struct mn_frame *)((const char *)a + l->frames_off);
}

static inline mn_val *mn_vals(struct mn_agent *a, const struct mn_layout *l)
{
	return (mn_val *)((char *)a + l->vals_off);
}

static inline const mn_val *mn_vals_c(const struct mn_agent *a, const struct mn_layout *l)
{
	return (const mn_val *)((const char *)a + l->vals_off);
}

#endif
