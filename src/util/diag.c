#include "diag.h"

#include <stdio.h>
#include <string.h>

void mn_diag_set(struct mn_diag *d, const char *file, int line, int col, const char *fmt, ...)
{
	va_list ap;

	if (d->set)
		return;
	d->set = 1;
	snprintf(d->file, sizeof(d->file), "%s", file ? file : "<input>");
	d->line = line;
	d->col = col;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
}

void mn_diag_format(const struct mn_diag *d, char *buf, unsigned len)
{
	snprintf(buf, len, "%s:%d:%d: %s", d->file, d->line, d->col, d->msg);
}
