/* The built-in checks. Each is a sticky bit in the world: it fires at some step of an
 * execution and stays set, so it is a property of the final state. */
#ifndef MN_CHECKS_H
#define MN_CHECKS_H

enum mn_check {
	MN_CHECK_ASSERT,
	MN_CHECK_DEADLOCK,
	MN_CHECK_ERROR,
	MN_NCHECKS
};

struct mn_check_info {
	const char *name;
	const char *doc;
};

extern const struct mn_check_info mn_checks[MN_NCHECKS];

int mn_check_find(const char *name);

#endif
