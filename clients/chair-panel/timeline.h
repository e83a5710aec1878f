/* SPDX-License-Identifier: MIT */
/* The "Before you start" timeline: the chosen program's session, run on the
 * simulated chair with the person's own options as they choose them, and
 * drawn by the same code as chair-preview. */
#pragma once

#include <gtk/gtk.h>

struct timeline;

/* Program files are read from $CHAIR_PANEL_PROGRAMS (directories joined by
 * ':'), or from where chaird reads them. */
/* It lives as long as the panel: a session run may be under way in a
 * worker thread at any time. */
struct timeline *timeline_new(void);
GtkWidget *timeline_widget(struct timeline *t);
/* One sentence a person reads under the picture. */
GtkWidget *timeline_caption(struct timeline *t);

/* What to show: a program id and the a{sv} options Start() would get (a
 * floating reference is sunk). The session is run again only when they
 * changed and the timeline is on screen. */
void timeline_set(struct timeline *t, const char *program, GVariant *options);
