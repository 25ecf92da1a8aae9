/* Located diagnostics: every input error becomes "file:line:col: message". */
#ifndef MN_DIAG_H
#define MN_DIAG_H

#include <stdarg.h>

struct mn_diag {
	int set;
	char file[256];
	int line, col;
	char msg[256];
};

/* Records the first error only: later errors are usually consequences of it. */
void mn_diag_set(struct mn_diag *d, const char *file, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Writes "file:line:col: message" into buf. */
void mn_diag_format(const struct mn_diag *d, char *buf, unsigned len);

#endif
