/* SPDX-License-Identifier: MIT */
/* Past sessions, as History() gives them (a{sv} each), told in words a
 * person reads: when, what, how long, how it ended and what they said. */
#pragma once

#include <glib.h>

/* "Today, 14:05", "Yesterday, 09:30", "Mon 21 Nov, 14:05" or
 * "21 Nov 2025, 14:05": @when against @now, both local time. */
char *history_when_words(GDateTime *when, GDateTime *now);

/*
 * One session, for a row of the history screen: @ret_head is when, who
 * (when @with_person), the program's name (@program_name, as on the home
 * screen) and the length; @ret_detail is how it ended and what the person
 * said and changed. Both are freed with g_free().
 */
void history_describe(GVariant *session, GDateTime *now, const char *program_name,
		      gboolean with_person, char **ret_head, char **ret_detail);
