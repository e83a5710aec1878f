// SPDX-License-Identifier: MIT
#include <string.h>

#include "body.h"
#include "wording.h"

static const char *const names[BODY_ZONES] = {
	"neck", "shoulders", "upper-back", "mid-back", "lower-back", "sacrum",
	"arms", "hips", "calves", "feet",
};

struct body {
	GtkWidget *area;
	enum body_mode mode;
	enum body_mark mark[BODY_ZONES];
	int lit;
};

const char *body_zone_name(int zone)
{
	return zone >= 0 && zone < BODY_ZONES ? names[zone] : "";
}

/* The figure is laid out in a 400 x 700 box, scaled to the widget. Back
 * zones are bands down the back; arms beside the upper back, hips beside the
 * sacrum, then calves and feet. */
static void zone_box(int zone, double *x, double *y, double *w, double *h)
{
	/* Every band at least 66 units tall: 48 px or more on the panel. */
	static const double back_y[BODY_BACK_ZONES + 1] = { 4, 74, 144, 214, 284, 354, 424 };

	if (zone < BODY_BACK_ZONES) {
		*x = 110;
		*w = 180;
		*y = back_y[zone];
		*h = back_y[zone + 1] - back_y[zone] - 4;
		if (zone == 0) {
			*x = 150;
			*w = 100;
		}
		return;
	}
	switch (zone) {
	case BODY_BACK_ZONES + 0: /* arms: both sides, one zone */
		*x = 10;
		*y = 144;
		*w = 380;
		*h = 136;
		return;
	case BODY_BACK_ZONES + 1: /* hips */
		*x = 60;
		*y = 428;
		*w = 280;
		*h = 68;
		return;
	case BODY_BACK_ZONES + 2: /* calves */
		*x = 110;
		*y = 500;
		*w = 180;
		*h = 110;
		return;
	default: /* feet */
		*x = 110;
		*y = 614;
		*w = 180;
		*h = 70;
		return;
	}
}

static void scale_of(struct body *b, double *s, double *ox, double *oy)
{
	double w = gtk_widget_get_width(b->area), h = gtk_widget_get_height(b->area);

	*s = MIN(w / 400.0, h / 700.0);
	*ox = (w - 400.0 * *s) / 2;
	*oy = (h - 700.0 * *s) / 2;
}

bool body_zone_rect(struct body *b, int zone, graphene_rect_t *ret)
{
	double s, ox, oy, x, y, w, h;

	if (zone < 0 || zone >= BODY_ZONES)
		return false;
	scale_of(b, &s, &ox, &oy);
	zone_box(zone, &x, &y, &w, &h);
	if (zone == BODY_BACK_ZONES) {
		/* The arms zone, where it does not lie under the back. */
		w = 96;
	}
	graphene_rect_init(ret, ox + x * s, oy + y * s, w * s, h * s);
	return true;
}

const char *body_mark_words(enum body_mark m)
{
	switch (m) {
	case BODY_FOCUS:
		return "MORE TIME";
	case BODY_AVOID:
		return "AVOID";
	case BODY_HURTS:
		return "HURTS";
	default:
		return NULL;
	}
}

static void fill_for(struct body *b, int zone, cairo_t *cr)
{
	if (b->mark[zone] == BODY_FOCUS)
		cairo_set_source_rgb(cr, 0.12, 0.55, 0.32);      /* green: more time */
	else if (b->mark[zone] == BODY_AVOID)
		cairo_set_source_rgb(cr, 0.70, 0.12, 0.12);      /* red: avoid */
	else if (b->mark[zone] == BODY_HURTS)
		cairo_set_source_rgb(cr, 0.60, 0.25, 0.65);      /* purple: hurts */
	else if (b->lit == zone)
		cairo_set_source_rgb(cr, 0.55, 0.42, 0.05);      /* amber: working here */
	else
		cairo_set_source_rgb(cr, 0.30, 0.36, 0.44);
}

/* Avoided zones are hatched, so the mark never rests on colour alone. */
static void hatch(cairo_t *cr, double x, double y, double w, double h)
{
	cairo_save(cr);
	cairo_rectangle(cr, x, y, w, h);
	cairo_clip(cr);
	cairo_set_source_rgba(cr, 0, 0, 0, 0.45);
	cairo_set_line_width(cr, 6);
	for (double d = -h; d < w; d += 22) {
		cairo_move_to(cr, x + d, y + h);
		cairo_line_to(cr, x + d + h, y);
	}
	cairo_stroke(cr);
	cairo_restore(cr);
}

/* A label centred on (cx, y), shrunk to fit the width. */
static void centred(cairo_t *cr, const char *text, double cx, double y, double size, double maxw)
{
	cairo_text_extents_t te;

	cairo_set_font_size(cr, size);
	cairo_text_extents(cr, text, &te);
	if (te.width > maxw) {
		cairo_set_font_size(cr, size * maxw / te.width);
		cairo_text_extents(cr, text, &te);
	}
	cairo_move_to(cr, cx - te.width / 2 - te.x_bearing, y);
	cairo_show_text(cr, text);
}

/* Where the roller is: a thick frame round the zone. */
static void roller_marker(cairo_t *cr, double x, double y, double w, double h)
{
	cairo_set_source_rgb(cr, 1.0, 0.82, 0.15);
	cairo_set_line_width(cr, 8);
	cairo_rectangle(cr, x + 4, y + 4, w - 8, h - 8);
	cairo_stroke(cr);
}

static void draw(GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
	struct body *b = data;
	double s, ox, oy;

	scale_of(b, &s, &ox, &oy);
	cairo_translate(cr, ox, oy);
	cairo_scale(cr, s, s);
	cairo_select_font_face(cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
	/* Arms first: the back is drawn over them. */
	for (int pass = 0; pass < 2; pass++)
		for (int z = 0; z < BODY_ZONES; z++) {
			const char *mark = body_mark_words(b->mark[z]);
			double x, y, w, h, ly;

			if ((pass == 0) != (z == BODY_BACK_ZONES))
				continue;
			zone_box(z, &x, &y, &w, &h);
			fill_for(b, z, cr);
			cairo_rectangle(cr, x, y, w, h);
			cairo_fill(cr);
			if (b->mark[z] == BODY_AVOID)
				hatch(cr, x, y, w, h);
			cairo_set_source_rgb(cr, 0.06, 0.08, 0.10);
			cairo_set_line_width(cr, 3);
			cairo_rectangle(cr, x, y, w, h);
			cairo_stroke(cr);
			cairo_set_source_rgb(cr, 1, 1, 1);
			ly = mark ? y + h / 2 - 4 : y + h / 2 + 8;
			if (z == BODY_BACK_ZONES) {
				/* Both arms, each side of the back. */
				for (int side = 0; side < 2; side++) {
					double cx = side ? x + w - 48 : x + 48;

					centred(cr, chair_wording_any_zone_name(names[z]), cx, ly, 22, 90);
					if (mark)
						centred(cr, mark, cx, ly + 26, 18, 92);
				}
			} else {
				centred(cr, chair_wording_any_zone_name(names[z]), x + w / 2, ly, 22, w - 8);
				if (mark)
					centred(cr, mark, x + w / 2, ly + 26, 18, w - 8);
			}
		}
	if (b->lit >= 0) {
		double x, y, w, h;

		zone_box(b->lit, &x, &y, &w, &h);
		roller_marker(cr, x, y, w, h);
	}
}

static int zone_at(struct body *b, double px, double py)
{
	/* Back zones first: they lie over the arms. */
	for (int pass = 0; pass < 2; pass++)
		for (int z = 0; z < BODY_ZONES; z++) {
			graphene_rect_t r;
			double s, ox, oy, x, y, w, h;

			if ((pass == 0) == (z == BODY_BACK_ZONES))
				continue;
			scale_of(b, &s, &ox, &oy);
			zone_box(z, &x, &y, &w, &h);
			graphene_rect_init(&r, ox + x * s, oy + y * s, w * s, h * s);
			{
				graphene_point_t pt = GRAPHENE_POINT_INIT(px, py);

				if (graphene_rect_contains_point(&r, &pt))
					return z;
			}
		}
	return -1;
}

static void pressed(GtkGestureClick *g, int n, double x, double y, gpointer data)
{
	struct body *b = data;
	int z = zone_at(b, x, y);

	if (b->mode == BODY_VIEW || z < 0)
		return;
	if (b->mode == BODY_PICK) {
		b->mark[z] = b->mark[z] == BODY_HURTS ? BODY_NORMAL : BODY_HURTS;
		gtk_widget_queue_draw(b->area);
		return;
	}
	b->mark[z] = (b->mark[z] + 1) % 3;
	/* One focus at a time, and only on the back. */
	if (b->mark[z] == BODY_FOCUS && z >= BODY_BACK_ZONES)
		b->mark[z] = BODY_AVOID;
	if (b->mark[z] == BODY_FOCUS)
		for (int k = 0; k < BODY_ZONES; k++)
			if (k != z && b->mark[k] == BODY_FOCUS)
				b->mark[k] = BODY_NORMAL;
	gtk_widget_queue_draw(b->area);
}

struct body *body_new(enum body_mode mode)
{
	struct body *b = g_new0(struct body, 1);
	GtkGesture *g;

	b->mode = mode;
	b->lit = -1;
	b->area = gtk_drawing_area_new();
	gtk_widget_set_size_request(b->area, 300, 520);
	gtk_widget_set_hexpand(b->area, TRUE);
	gtk_widget_set_vexpand(b->area, TRUE);
	gtk_drawing_area_set_draw_func(GTK_DRAWING_AREA(b->area), draw, b, NULL);
	g = gtk_gesture_click_new();
	g_signal_connect(g, "pressed", G_CALLBACK(pressed), b);
	gtk_widget_add_controller(b->area, GTK_EVENT_CONTROLLER(g));
	return b;
}

GtkWidget *body_widget(struct body *b)
{
	return b->area;
}

void body_reset(struct body *b)
{
	memset(b->mark, 0, sizeof(b->mark));
	gtk_widget_queue_draw(b->area);
}

enum body_mark body_get(struct body *b, int zone)
{
	return b->mark[zone];
}

void body_light(struct body *b, const char *zone)
{
	int lit = -1;

	for (int z = 0; zone && z < BODY_BACK_ZONES; z++)
		if (strcmp(names[z], zone) == 0)
			lit = z;
	if (lit != b->lit) {
		b->lit = lit;
		gtk_widget_queue_draw(b->area);
	}
}

void body_show_session(struct body *b, const char *focus, const char *const *avoid)
{
	enum body_mark mark[BODY_ZONES] = { 0 };

	for (int z = 0; z < BODY_ZONES; z++) {
		if (g_strcmp0(focus, names[z]) == 0)
			mark[z] = BODY_FOCUS;
		/* Avoid wins: the chair keeps off it, whatever else was asked. */
		if (avoid && g_strv_contains(avoid, names[z]))
			mark[z] = BODY_AVOID;
	}
	if (memcmp(mark, b->mark, sizeof(mark)) != 0) {
		memcpy(b->mark, mark, sizeof(mark));
		gtk_widget_queue_draw(b->area);
	}
}
