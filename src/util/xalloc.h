/* Allocation that aborts on exhaustion: the model has no meaningful recovery from it. */
#ifndef MN_XALLOC_H
#define MN_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Grows *p (of *cap elements of size sz) so that index need-1 fits. */
void xgrow(void **p, size_t *cap, size_t need, size_t sz);
#define XGROW(arr, cap, need) xgrow((void **)&(arr), &(cap), (need), sizeof(*(arr)))

#endif
