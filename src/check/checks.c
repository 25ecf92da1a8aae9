#include "checks.h"

#include <string.h>

const struct mn_check_info mn_checks[MN_NCHECKS] = {
	[MN_CHECK_ASSERT] = { "assert", "an assert() in the scenario or library failed" },
	[MN_CHECK_DEADLOCK] = { "deadlock", "no agent can step but some have not finished" },
	[MN_CHECK_ERROR] = { "error",
			     "a runtime error stopped an agent (bad index, division by zero, "
			     "unlock not held, blocking inside atomic, call depth)" },
};

int mn_check_find(const char *name)
{
	for (int i = 0; i < MN_NCHECKS; i++)
		if (!strcmp(mn_checks[i].name, name))
			return i;
	return -1;
}
