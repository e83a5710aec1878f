// SPDX-License-Identifier: MIT
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "learn.h"
#include "macro.h"
#include "program.h"
#include "wording.h"

#define BIT(z) (UINT32_C(1) << (z))

/* A NULL-terminated list of sentences being built. */
struct reasons {
	char **v;
	size_t n;
	int r;
};

_printf_(2, 3) static void reason(struct reasons *rs, const char *fmt, ...)
{
	char **v;
	va_list ap;
	int k;

	if (rs->r < 0)
		return;
	v = realloc(rs->v, (rs->n + 2) * sizeof(char *));
	if (!v) {
		rs->r = -ENOMEM;
		return;
	}
	rs->v = v;
	va_start(ap, fmt);
	k = vasprintf(&v[rs->n], fmt, ap);
	va_end(ap);
	if (k < 0) {
		v[rs->n] = NULL;
		rs->r = -ENOMEM;
		return;
	}
	v[++rs->n] = NULL;
}

static bool plural(int z)
{
	return chair_wording_zone_plural((enum chair_zone)z);
}


static bool is_back_zone(int z)
{
	return z >= 0 && z < CHAIR_ZONE_COUNT;
}

bool chair_learn_was_deep(const struct chair_session_record *rec)
{
	bool deep = streq(rec->program, "deep-tissue") || streq(rec->program, "trigger-point") ||
		    rec->options.intensity >= 5;

	for (size_t i = 0; !deep && i < rec->n_events; i++) {
		const struct chair_event *e = &rec->events[i];

		if ((e->kind == CHAIR_EVENT_TOO_SOFT || e->kind == CHAIR_EVENT_INTENSITY) && e->value >= 5)
			deep = true;
	}
	return deep && rec->length_usec >= 2 * USEC_PER_MIN;
}

static void learn_avoid(const struct chair_session_record *last, uint32_t given,
			struct chair_options *o, struct reasons *rs)
{
	if (given & CHAIR_OPT_AVOID)
		return;
	for (size_t i = 0; i < last->n_events; i++) {
		const struct chair_event *e = &last->events[i];
		int z = e->zone;

		if (e->kind != CHAIR_EVENT_HURTS_HERE || !is_back_zone(z) || (o->avoid_back & BIT(z)))
			continue;
		if (o->focus == z) {
			if (given & CHAIR_OPT_FOCUS)
				continue; /* the person asked for this zone today */
			o->focus = -1;
		}
		o->avoid_back |= BIT(z);
		reason(rs, "Last time %s hurt, so %s avoided; tap to include %s.",
		       chair_wording_zone_phrase((enum chair_zone)z), plural(z) ? "they are" : "it is",
		       plural(z) ? "them" : "it");
	}
}

/* The highest intensity of a session: where it started, and every change. */
static unsigned session_top(const struct chair_session_record *rec)
{
	unsigned top = rec->options.intensity;

	for (size_t i = 0; i < rec->n_events; i++) {
		const struct chair_event *e = &rec->events[i];

		if ((e->kind == CHAIR_EVENT_TOO_SOFT || e->kind == CHAIR_EVENT_TOO_STRONG ||
		     e->kind == CHAIR_EVENT_INTENSITY) && e->value > 0 && (unsigned)e->value > top)
			top = (unsigned)e->value;
	}
	return top;
}

static void learn_intensity(const struct chair_session_record *h, size_t n, uint32_t given,
			    struct chair_options *o, struct reasons *rs)
{
	int base = (int)CLAMP(o->intensity, 1u, 5u), level = base, sum = 0;
	unsigned strong = 0, soft = 0;

	if (given & CHAIR_OPT_INTENSITY)
		return;
	for (size_t k = n; k-- > 0;)
		for (size_t i = 0; i < h[k].n_events; i++) {
			enum chair_event_kind kind = h[k].events[i].kind;

			if (kind == CHAIR_EVENT_TOO_STRONG) {
				strong++;
				sum--;
			} else if (kind == CHAIR_EVENT_TOO_SOFT) {
				soft++;
				sum++;
			} else {
				continue;
			}
			if (sum <= -CHAIR_LEARN_REPEAT || sum >= CHAIR_LEARN_REPEAT) {
				level = CLAMP(level + (sum > 0 ? 1 : -1), 1, 5);
				sum = 0;
			}
		}
	/* Learning never goes firmer than the person went themselves last time. */
	if (level > base)
		level = MIN(level, MAX(base, (int)session_top(&h[0])));
	if (level == base)
		return;
	o->intensity = (unsigned)level;
	if (level < base)
		reason(rs, "You said \"too strong\" %u time%s in your last sessions, so the intensity "
			   "starts at %d instead of %d.", strong, strong == 1 ? "" : "s", level, base);
	else
		reason(rs, "You said \"too soft\" %u time%s in your last sessions, so the intensity "
			   "starts at %d instead of %d.", soft, soft == 1 ? "" : "s", level, base);
}

static void learn_focus(const struct chair_session_record *h, size_t n, uint32_t given,
			struct chair_options *o, struct reasons *rs)
{
	int z = -1;

	if (given & CHAIR_OPT_FOCUS)
		return;
	for (size_t k = 0; k < n && z < 0; k++)
		for (size_t i = h[k].n_events; i-- > 0;)
			if (h[k].events[i].kind == CHAIR_EVENT_MORE_HERE && is_back_zone(h[k].events[i].zone)) {
				z = h[k].events[i].zone;
				break;
			}
	if (z < 0 || o->focus == z || (o->avoid_back & BIT(z)))
		return;
	o->focus = z;
	reason(rs, "Last time you asked for more on %s, so %s more time.",
	       chair_wording_zone_phrase((enum chair_zone)z), plural(z) ? "they get" : "it gets");
}

static void learn_sore(const struct chair_session_record *h, size_t n, uint64_t now, uint32_t given,
		       struct chair_options *o, unsigned *flags, struct reasons *rs)
{
	const struct chair_session_record *deep = NULL;
	uint64_t ago = 0, hours;
	char what[96], when[48];

	for (size_t k = 0; k < n && !deep; k++) {
		uint64_t end = h[k].start_usec + h[k].length_usec;

		ago = now > end ? now - end : 0;
		if (ago < CHAIR_LEARN_SORE_USEC && chair_learn_was_deep(&h[k]))
			deep = &h[k];
	}
	if (!deep)
		return;
	*flags |= CHAIR_LEARN_GENTLER;
	if (streq(deep->program, "deep-tissue") || streq(deep->program, "trigger-point"))
		snprintf(what, sizeof(what), "a %s massage", deep->program);
	else
		snprintf(what, sizeof(what), "a firm massage (intensity 5)");
	hours = ago / (3600 * USEC_PER_SEC);
	if (hours < 1)
		snprintf(when, sizeof(when), "less than an hour ago");
	else
		snprintf(when, sizeof(when), "%" PRIu64 " hour%s ago", hours, hours == 1 ? "" : "s");
	if (!(given & CHAIR_OPT_INTENSITY) && o->intensity > 1) {
		unsigned was = o->intensity;

		o->intensity--;
		reason(rs, "You had %s %s and muscles can stay sore for a day or two, so this one is "
			   "gentler: intensity %u instead of %u.", what, when, o->intensity, was);
	} else {
		reason(rs, "You had %s %s and muscles can stay sore for a day or two, so a gentle "
			   "massage is best today.", what, when);
	}
}

int chair_learn_apply(const struct chair_session_record *history, size_t n, uint64_t now_usec,
		      uint32_t given, struct chair_options *o, unsigned *ret_flags,
		      char ***ret_reasons)
{
	struct chair_options t = *o;
	struct reasons rs = { 0 };
	unsigned flags = 0;

	n = MIN(n, (size_t)CHAIR_LEARN_SESSIONS);
	if (n > 0) {
		learn_avoid(&history[0], given, &t, &rs);
		learn_intensity(history, n, given, &t, &rs);
		learn_focus(history, n, given, &t, &rs);
		learn_sore(history, n, now_usec, given, &t, &flags, &rs);
	}
	if (rs.r < 0) {
		chair_strv_free(rs.v);
		return rs.r;
	}
	if (ret_reasons && !rs.v) {
		rs.v = calloc(1, sizeof(char *));
		if (!rs.v)
			return -ENOMEM;
	}
	*o = t;
	if (ret_flags)
		*ret_flags = flags;
	if (ret_reasons)
		*ret_reasons = rs.v;
	else
		chair_strv_free(rs.v);
	return (int)rs.n;
}
