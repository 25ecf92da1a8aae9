#include "checks.h"

#include <string.h>

const struct mn_check_info mn_checks[MN_NCHECKS] = {
	[MN_CHECK_ASSERT] = { "assert", 0, 0, "an assert() in the scenario or library failed" },
	[MN_CHECK_DEADLOCK] = { "deadlock", 0, 1,
				"no agent can step but some are blocked" },
	[MN_CHECK_ERROR] = { "error", 0, 0,
			     "a runtime error stopped an agent (bad index, division by zero, "
			     "unlock not held, blocking inside atomic, call depth)" },
	[MN_CHECK_UAF] = { "uaf", 1, 0,
			   "a CPU, device or page-table walk touched a frame freed or reused "
			   "since the translation it used was made" },
	[MN_CHECK_STALE] = { "stale", 1, 0,
			     "after an operation that changed a mapping returned, a CPU TLB or "
			     "device TLB still maps an address of it to another frame or with "
			     "more permission than the PTE" },
	[MN_CHECK_LOST_WRITE] = { "lost_write", 1, 1,
				  "a completed write that the final memory at its address does "
				  "not hold" },
	[MN_CHECK_INCOHERENT] = { "incoherent", 1, 0,
				  "a read returned a value other than the last completed write "
				  "to that address" },
	[MN_CHECK_DIRTY] = { "dirty", 1, 0,
			     "data written while the kernel believes the page clean (dirty or "
			     "soft-dirty bit lost)" },
	[MN_CHECK_PROTOCOL] = { "protocol", 1, 0,
				"the MMU-notifier contract was broken (unpaired start/end, "
				"sleeping where it may not, register without mmap_lock, ...)" },
};

int mn_check_find(const char *name)
{
	for (int i = 0; i < MN_NCHECKS; i++)
		if (!strcmp(mn_checks[i].name, name))
			return i;
	return -1;
}
