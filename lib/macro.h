/* SPDX-License-Identifier: MIT */
/*
 * Small helpers shared by every part of chaird.
 *
 * Out-of-memory policy: library functions return -ENOMEM and leave their
 * output parameters untouched; the daemon treats -ENOMEM like any other
 * failed call (logs it, refuses the request, keeps the outputs safe).
 */
#ifndef CHAIR_MACRO_H
#define CHAIR_MACRO_H

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))
#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))

#define USEC_PER_SEC  UINT64_C(1000000)
#define USEC_PER_MSEC UINT64_C(1000)
#define USEC_PER_MIN  (UINT64_C(60) * USEC_PER_SEC)

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define CLAMP(x, lo, hi) ((x) < (lo) ? (lo) : ((x) > (hi) ? (hi) : (x)))

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Hand over ownership of a pointer: returns it and clears the variable. */
#define TAKE_PTR(p)                        \
	({                                 \
		__typeof__(p) _p_ = (p);   \
		(p) = NULL;                \
		_p_;                       \
	})

static inline int streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

#endif
