/* The built-in checks. Each is a sticky bit in the world: it fires at some step of an
 * execution and stays set, so it is a property of the final state. `deadlock` and
 * `lost_write` are judged on the final state itself. */
#ifndef MN_CHECKS_H
#define MN_CHECKS_H

enum mn_check {
	MN_CHECK_ASSERT,
	MN_CHECK_DEADLOCK,
	MN_CHECK_ERROR,
	MN_CHECK_UAF,
	MN_CHECK_STALE,
	MN_CHECK_LOST_WRITE,
	MN_CHECK_INCOHERENT,
	MN_CHECK_DIRTY,
	MN_CHECK_PROTOCOL,
	MN_NCHECKS
};

struct mn_check_info {
	const char *name;
	int kernel; /* only meaningful with the kernel model */
	int final;  /* judged on the final state, not fired by a step */
	const char *doc;
};

extern const struct mn_check_info mn_checks[MN_NCHECKS];

int mn_check_find(const char *name);

#endif
