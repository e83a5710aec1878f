// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "macro.h"

static const char *const event_kind_names[CHAIR_EVENT_KIND_COUNT] = {
	[CHAIR_EVENT_HURTS_HERE] = "hurts-here",
	[CHAIR_EVENT_MORE_HERE] = "more-here",
	[CHAIR_EVENT_TOO_STRONG] = "too-strong",
	[CHAIR_EVENT_TOO_SOFT] = "too-soft",
	[CHAIR_EVENT_INTENSITY] = "intensity",
	[CHAIR_EVENT_HEAT] = "heat",
	[CHAIR_EVENT_PAUSE] = "pause",
	[CHAIR_EVENT_RESUME] = "resume",
};

const char *chair_event_kind_to_string(enum chair_event_kind k)
{
	return (unsigned)k < CHAIR_EVENT_KIND_COUNT ? event_kind_names[k] : NULL;
}

int chair_event_kind_from_string(const char *s)
{
	for (int i = 0; s && i < CHAIR_EVENT_KIND_COUNT; i++)
		if (streq(s, event_kind_names[i]))
			return i;
	return -EINVAL;
}

void chair_profile_init(struct chair_profile *p)
{
	*p = (struct chair_profile){ 0 };
	chair_options_init(&p->options);
	p->options.intensity = 0;
}

bool chair_profile_name_valid(const char *name)
{
	size_t n;

	if (!name)
		return false;
	n = strlen(name);
	if (n < 1 || n > CHAIR_PROFILE_NAME_MAX || name[0] == ' ' || name[n - 1] == ' ')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == ' ' || c == '-' || c == '_'))
			return false;
	}
	return true;
}

void chair_session_records_free(struct chair_session_record *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i].events);
	free(v);
}

void chair_profile_fill(const struct chair_profile *p, uint32_t given, struct chair_options *o)
{
	const struct chair_options *s = &p->options;

	if (!(given & CHAIR_OPT_DURATION) && s->duration_usec > 0)
		o->duration_usec = s->duration_usec;
	if (!(given & CHAIR_OPT_INTENSITY) && s->intensity > 0)
		o->intensity = s->intensity;
	if (!(given & CHAIR_OPT_FOCUS) && s->focus >= 0 && !(o->avoid_back & (UINT32_C(1) << s->focus)) &&
	    !(s->avoid_back & (UINT32_C(1) << s->focus)))
		o->focus = s->focus;
	if (!(given & CHAIR_OPT_HEAT) && s->heat >= 0)
		o->heat = s->heat;
	o->avoid_back |= s->avoid_back;
	o->avoid_air |= s->avoid_air;
	o->conditions |= s->conditions;
}
