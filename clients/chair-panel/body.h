/* SPDX-License-Identifier: MIT */
/* The body diagram: the back zones and the air zones on a figure seen from
 * behind. In setup, a tap cycles a zone: normal, focus (more time), avoid
 * (swollen or inflamed). While running it lights the roller's zone. */
#pragma once

#include <gtk/gtk.h>

enum body_mark {
	BODY_NORMAL,
	BODY_FOCUS,
	BODY_AVOID,
};

#define BODY_BACK_ZONES 6
#define BODY_AIR_ZONES 4 /* arms, hips, calves, feet: shoulders is a back zone too */
#define BODY_ZONES (BODY_BACK_ZONES + BODY_AIR_ZONES)

struct body;

/* Zone names: the six back zones, then arms, hips, calves, feet. */
const char *body_zone_name(int zone);

struct body *body_new(bool editable);
GtkWidget *body_widget(struct body *b);
void body_reset(struct body *b);
enum body_mark body_get(struct body *b, int zone);
/* Lights one zone by name ("" for none), for the running screen. */
void body_light(struct body *b, const char *zone);
/* The zone's rectangle in the widget, for the layout dump. */
bool body_zone_rect(struct body *b, int zone, graphene_rect_t *ret);
