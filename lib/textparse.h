/* SPDX-License-Identifier: MIT */
/* Helpers shared by the text-file parsers of libchair (programs, the
 * hardware map). Internal to the library. */
#ifndef CHAIR_TEXTPARSE_H
#define CHAIR_TEXTPARSE_H

#include <stdarg.h>
#include <stdbool.h>

/** Trims white space at both ends, in place. */
char *chair_strip(char *s);

/**
 * Replaces *@p error with "path:line: message". Returns -EINVAL, the
 * parsers' "this input is wrong", or -ENOMEM.
 */
int chair_verror(char **error, const char *path, unsigned line, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

/** A whole decimal number, digits only; -EINVAL otherwise. */
int chair_parse_ulong(const char *s, unsigned long *ret);

#endif
