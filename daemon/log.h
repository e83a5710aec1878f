/* SPDX-License-Identifier: MIT */
/*
 * Logging to stderr. Under systemd (JOURNAL_STREAM set) each line carries
 * the sd-daemon priority prefix that journald reads; on a terminal it does
 * not, so a person reads plain messages.
 */
#ifndef CHAIRD_LOG_H
#define CHAIRD_LOG_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <systemd/sd-daemon.h>

static inline bool log_use_prefix(void)
{
	static int cached = -1;

	if (cached < 0)
		cached = getenv("JOURNAL_STREAM") != NULL;
	return cached;
}

__attribute__((format(printf, 2, 3))) static inline void log_at(const char *prefix,
								  const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	if (log_use_prefix())
		fputs(prefix, stderr);
	va_start(ap, fmt);
	errno = saved;
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

#define log_error(...) log_at(SD_ERR, __VA_ARGS__)
#define log_warning(...) log_at(SD_WARNING, __VA_ARGS__)
#define log_notice(...) log_at(SD_NOTICE, __VA_ARGS__)
#define log_info(...) log_at(SD_INFO, __VA_ARGS__)
#define log_debug(...) log_at(SD_DEBUG, __VA_ARGS__)

/* Logs and returns the negative errno in one step. */
#define log_error_errno(r, ...) ({ errno = -(r); log_error(__VA_ARGS__); (r) < 0 ? (r) : -(r); })
#define log_warning_errno(r, ...) ({ errno = -(r); log_warning(__VA_ARGS__); (r) < 0 ? (r) : -(r); })

#define log_oom() ({ log_error("Out of memory."); -ENOMEM; })

#endif
