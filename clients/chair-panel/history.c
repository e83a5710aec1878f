// SPDX-License-Identifier: MIT
/*
 * The history screen's words. History() speaks in names ("hurts-here
 * lower-back", "emergency-stop"); a person reads sentences.
 */
#include <stdio.h>
#include <string.h>

#include "history.h"
#include "wording.h"

/* At most this many things said or changed in one row: the screen is for
 * remembering a session, not for reading its trace. */
#define MAX_TOLD 6

static const struct {
	const char *name, *words;
} endings[] = {
	{ "completed", "Finished." },
	{ "stopped", "Stopped early." },
	{ "emergency-stop", "Ended with the emergency stop." },
	{ "fault", "Ended by a fault in the chair." },
	{ "seat-empty", "Ended: the seat stayed empty." },
};

static const char *ending_words(const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(endings); i++)
		if (g_strcmp0(endings[i].name, name) == 0)
			return endings[i].words;
	/* "unknown": the chair lost power or its controller stopped. */
	return "Did not finish: the chair was switched off during it.";
}

static const char *zone_phrase(const char *name)
{
	int z = chair_zone_from_string(name);

	return z >= 0 ? chair_wording_zone_phrase((enum chair_zone)z) : NULL;
}

char *history_when_words(GDateTime *when, GDateTime *now)
{
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
	GDateTime *yesterday = g_date_time_add_days(now, -1);
	int y = g_date_time_get_year(when), m = g_date_time_get_month(when);
	int d = g_date_time_get_day_of_month(when);
	char *day, *out;

	if (y == g_date_time_get_year(now) && g_date_time_get_day_of_year(when) ==
						      g_date_time_get_day_of_year(now))
		day = g_strdup("Today");
	else if (y == g_date_time_get_year(yesterday) &&
		 g_date_time_get_day_of_year(when) == g_date_time_get_day_of_year(yesterday))
		day = g_strdup("Yesterday");
	else if (y == g_date_time_get_year(now))
		day = g_strdup_printf("%s %d %s", days[g_date_time_get_day_of_week(when) - 1], d,
				      months[m - 1]);
	else
		day = g_strdup_printf("%d %s %d", d, months[m - 1], y);
	out = g_strdup_printf("%s, %02d:%02d", day, g_date_time_get_hour(when),
			      g_date_time_get_minute(when));
	g_date_time_unref(yesterday);
	g_free(day);
	return out;
}

/* One event ("3:20 hurts-here lower-back") in words, into @said (what the
 * person told the chair) or @changed (what they changed), or neither. */
static void tell_event(const char *event, GPtrArray *said, GPtrArray *changed)
{
	unsigned min, sec;
	char kind[32] = "", arg[32] = "";
	int n = sscanf(event, "%u:%u %31s %31s", &min, &sec, kind, arg);
	const char *zone = n == 4 ? zone_phrase(arg) : NULL;
	char at[32];

	if (n < 3)
		return;
	snprintf(at, sizeof(at), "at %u:%02u", min, sec);
	if (g_str_equal(kind, "hurts-here"))
		g_ptr_array_add(said, zone ? g_strdup_printf("“That hurts” on %s (%s)", zone, at)
					   : g_strdup_printf("“That hurts” (%s)", at));
	else if (g_str_equal(kind, "more-here"))
		g_ptr_array_add(said, zone ? g_strdup_printf("“More here” on %s (%s)", zone, at)
					   : g_strdup_printf("“More here” (%s)", at));
	else if (g_str_equal(kind, "too-strong"))
		g_ptr_array_add(said, g_strdup_printf("“Too strong” (%s)", at));
	else if (g_str_equal(kind, "too-soft"))
		g_ptr_array_add(said, g_strdup_printf("“Too soft” (%s)", at));
	else if (g_str_equal(kind, "intensity") && n == 4)
		g_ptr_array_add(changed, g_strdup_printf("pressure to %s %s", arg, at));
	else if (g_str_equal(kind, "heat"))
		/* Heat 0 comes with no number. */
		g_ptr_array_add(changed, n == 4 ? g_strdup_printf("warmth to %s %s", arg, at)
						: g_strdup_printf("warmth off %s", at));
	else if (g_str_equal(kind, "pause"))
		g_ptr_array_add(changed, g_strdup_printf("paused %s", at));
	else if (g_str_equal(kind, "resume"))
		g_ptr_array_add(changed, g_strdup_printf("went on %s", at));
}

/* "a, b and c", at most MAX_TOLD of them, then how many more. */
static void append_list(GString *s, GPtrArray *v)
{
	guint shown = MIN(v->len, MAX_TOLD);

	for (guint i = 0; i < shown; i++)
		g_string_append_printf(s, "%s%s", i == 0 ? "" : i + 1 == shown && shown == v->len
								  ? " and " : ", ",
				       (const char *)g_ptr_array_index(v, i));
	if (shown < v->len)
		g_string_append_printf(s, " and %u more", v->len - shown);
	g_string_append_c(s, '.');
}

void history_describe(GVariant *session, GDateTime *now, const char *program_name,
		      gboolean with_person, char **ret_head, char **ret_detail)
{
	guint64 start = 0, length = 0;
	const char *profile = "", *finished = "", **events = NULL;
	GPtrArray *said = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *changed = g_ptr_array_new_with_free_func(g_free);
	GString *head = g_string_new(NULL), *detail = g_string_new(NULL);
	GDateTime *when;

	g_variant_lookup(session, "start_usec", "t", &start);
	g_variant_lookup(session, "length_usec", "t", &length);
	g_variant_lookup(session, "profile", "&s", &profile);
	g_variant_lookup(session, "finished", "&s", &finished);
	g_variant_lookup(session, "events", "^a&s", &events);

	when = g_date_time_new_from_unix_local(start / G_USEC_PER_SEC);
	if (when) {
		char *w = history_when_words(when, now);

		g_string_append(head, w);
		g_free(w);
		g_date_time_unref(when);
	}
	if (with_person)
		g_string_append_printf(head, " · %s", *profile ? profile : "Guest");
	g_string_append_printf(head, " · %s, ", program_name);
	if (length < 60 * G_USEC_PER_SEC)
		g_string_append(head, "less than a minute");
	else
		g_string_append_printf(head, "%" G_GUINT64_FORMAT " minute%s",
				       length / (60 * G_USEC_PER_SEC),
				       length / (60 * G_USEC_PER_SEC) == 1 ? "" : "s");

	g_string_append(detail, ending_words(finished));
	for (size_t i = 0; events && events[i]; i++)
		tell_event(events[i], said, changed);
	if (said->len) {
		if (with_person)
			g_string_append_printf(detail, " %s said: ", *profile ? profile : "The guest");
		else
			g_string_append(detail, " You said: ");
		append_list(detail, said);
	}
	if (changed->len) {
		g_string_append(detail, with_person ? " Changed: " : " You changed: ");
		append_list(detail, changed);
	}
	g_free(events);
	g_ptr_array_unref(said);
	g_ptr_array_unref(changed);
	*ret_head = g_string_free(head, FALSE);
	*ret_detail = g_string_free(detail, FALSE);
}
