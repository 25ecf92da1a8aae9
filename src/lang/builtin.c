#include "builtin.h"

#include <string.h>

#include "builtins_sync.h"

const struct mn_builtin mn_builtins[] = {
	MN_BUILTINS_SYNC
};

const int mn_nbuiltins = (int)(sizeof(mn_builtins) / sizeof(mn_builtins[0]));

int mn_builtin_find(const char *name)
{
	for (int i = 0; i < mn_nbuiltins; i++)
		if (!strcmp(mn_builtins[i].name, name))
			return i;
	return -1;
}
