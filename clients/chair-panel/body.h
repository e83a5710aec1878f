/* SPDX-License-Identifier: MIT */
/* The body diagram: the back zones and the air zones on a figure seen from
 * behind. Every mark is shown in words and a pattern as well as a colour.
 * In setup, a tap cycles a zone: normal, focus (more time), avoid (swollen or
 * inflamed). In "Help me choose", a tap marks where it hurts. While running
 * it shows the session's focus and avoid zones and where the roller is. */
#pragma once

#include <gtk/gtk.h>

enum body_mark {
	BODY_NORMAL,
	BODY_FOCUS,
	BODY_AVOID,
	BODY_HURTS,
};

enum body_mode {
	BODY_VIEW,  /* shows marks; taps do nothing */
	BODY_CYCLE, /* a tap: more time, avoid, nothing */
	BODY_PICK,  /* a tap: hurts here, or not */
};

#define BODY_BACK_ZONES 6
#define BODY_AIR_ZONES 4 /* arms, hips, calves, feet: shoulders is a back zone too */
#define BODY_ZONES (BODY_BACK_ZONES + BODY_AIR_ZONES)

struct body;

/* Zone names: the six back zones, then arms, hips, calves, feet. */
const char *body_zone_name(int zone);

struct body *body_new(enum body_mode mode);
GtkWidget *body_widget(struct body *b);
void body_reset(struct body *b);
enum body_mark body_get(struct body *b, int zone);
/* The running session's marks: its focus zone and its avoid zones. */
void body_show_session(struct body *b, const char *focus, const char *const *avoid);
/* The zone's mark in words ("more time", "avoid", "hurts"), or NULL. */
const char *body_mark_words(enum body_mark m);
/* Lights one zone by name ("" for none), for the running screen. */
void body_light(struct body *b, const char *zone);
/* The zone's rectangle in the widget, for the layout dump. */
bool body_zone_rect(struct body *b, int zone, graphene_rect_t *ret);
