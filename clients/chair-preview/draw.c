// SPDX-License-Identifier: MIT
/* The session's timeline, drawn with cairo: the same code makes the SVG,
 * the PNG and the panel's "Before you start" screen. */
#include <cairo-svg.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>

#include "macro.h"
#include "preview.h"

/* The design space; the drawing is scaled to fit what it is given. */
#define DESIGN_W 1000.0
#define DESIGN_H 600.0
#define LEFT 118.0
#define RIGHT 46.0
#define TOP 62.0
#define BACK_H 290.0
#define GAP 10.0
#define DEPTH_H 44.0
#define ROW_H 13.0
#define FONT "DejaVu Sans"

struct rgb {
	double r, g, b;
};

static const struct rgb technique_colour[CHAIR_TECHNIQUE_COUNT] = {
	[CHAIR_TECH_GLIDE] = { 0.12, 0.47, 0.71 },
	[CHAIR_TECH_KNEAD] = { 1.00, 0.50, 0.05 },
	[CHAIR_TECH_TAP] = { 0.84, 0.15, 0.16 },
	[CHAIR_TECH_PRESS] = { 0.58, 0.40, 0.74 },
	[CHAIR_TECH_ROLL] = { 0.17, 0.63, 0.17 },
	[CHAIR_TECH_FRICTION] = { 0.55, 0.34, 0.29 },
	[CHAIR_TECH_VIBRATE] = { 0.89, 0.47, 0.76 },
	[CHAIR_TECH_COMPRESS] = { 0.09, 0.75, 0.81 },
	[CHAIR_TECH_STRETCH] = { 0.74, 0.74, 0.13 },
	[CHAIR_TECH_REST] = { 0.60, 0.60, 0.60 },
};

static const struct rgb ink = { 0.15, 0.15, 0.18 };
static const struct rgb faint = { 0.45, 0.45, 0.50 };

struct frame {
	const struct preview *pv;
	cairo_t *cr;
	double w;  /* design width */
	double x0, pw; /* the time axis */
};

static void colour(cairo_t *cr, struct rgb c)
{
	cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

static void text(cairo_t *cr, double x, double y, double size, bool bold, double align,
		 const char *s)
{
	cairo_text_extents_t e;

	cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
			       bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
	cairo_text_extents(cr, s, &e);
	cairo_move_to(cr, x - (e.x_advance * align), y);
	cairo_show_text(cr, s);
}

static double time_x(const struct frame *f, uint64_t usec)
{
	return f->x0 + f->pw * (double)usec / (double)f->pv->duration;
}

static double sample_x(const struct frame *f, size_t i)
{
	return time_x(f, (uint64_t)i * PREVIEW_SAMPLE_USEC);
}

/* Track position to y in the back's plot: the neck at the top. */
static double pos_y(const struct frame *f, double mm)
{
	return TOP + BACK_H * (1.0 - mm / f->pv->hw.track_length_mm);
}

static void draw_title(const struct frame *f)
{
	const struct preview *pv = f->pv;
	const struct chair_options *o = &pv->opt;
	char line[512];
	size_t n;

	colour(f->cr, ink);
	n = (size_t)snprintf(line, sizeof(line), "%s  \xc2\xb7  %u min  \xc2\xb7  intensity %u  \xc2\xb7  heat %d",
			     pv->program->name, (unsigned)(pv->duration / USEC_PER_MIN), o->intensity,
			     o->heat);
	text(f->cr, 20, 28, 19, true, 0, line);

	n = 0;
	line[0] = '\0';
	if (o->focus >= 0)
		n += (size_t)snprintf(line + n, sizeof(line) - MIN(n, sizeof(line)), "focus %s   ",
				      chair_zone_to_string((enum chair_zone)o->focus));
	for (int z = 0; z < CHAIR_ZONE_COUNT; z++)
		if (o->avoid_back & (UINT32_C(1) << z) && n < sizeof(line))
			n += (size_t)snprintf(line + n, sizeof(line) - n, "avoid %s   ",
					      chair_zone_to_string((enum chair_zone)z));
	for (int z = 0; z < CHAIR_AIR_COUNT; z++)
		if (o->avoid_air & (UINT32_C(1) << z) && n < sizeof(line))
			n += (size_t)snprintf(line + n, sizeof(line) - n, "avoid %s (air)   ",
					      chair_air_zone_to_string((enum chair_air_zone)z));
	for (int c = 0; c < CHAIR_CONDITION_COUNT; c++)
		if (o->conditions & (UINT32_C(1) << c) && n < sizeof(line))
			n += (size_t)snprintf(line + n, sizeof(line) - n, "%s   ",
					      chair_condition_to_string((enum chair_condition)c));
	colour(f->cr, faint);
	text(f->cr, f->w - RIGHT, 28, 13, false, 1.0, line);
}

static void draw_zones(const struct frame *f)
{
	const struct preview *pv = f->pv;
	cairo_t *cr = f->cr;
	uint32_t guarded = pv->policy.avoid_back;
	for (int z = 0; z < CHAIR_ZONE_COUNT; z++) {
		double top, bottom, y0, y1;
		bool avoid = guarded & (UINT32_C(1) << z);

		chair_body_zone_span(&pv->body, (enum chair_zone)z, &top, &bottom);
		y0 = pos_y(f, top);
		y1 = pos_y(f, bottom);
		if (avoid)
			cairo_set_source_rgb(cr, 1.0, 0.86, 0.86);
		else if (pv->opt.focus == z)
			cairo_set_source_rgb(cr, 1.0, 0.95, 0.75);
		else if (z % 2)
			cairo_set_source_rgb(cr, 0.93, 0.94, 0.96);
		else
			cairo_set_source_rgb(cr, 0.97, 0.97, 0.98);
		cairo_rectangle(cr, f->x0, y0, f->pw, y1 - y0);
		cairo_fill(cr);
		if (avoid) {
			/* Hatching: no pressure goes here. */
			cairo_save(cr);
			cairo_rectangle(cr, f->x0, y0, f->pw, y1 - y0);
			cairo_clip(cr);
			cairo_set_source_rgba(cr, 0.85, 0.2, 0.2, 0.35);
			cairo_set_line_width(cr, 1.0);
			for (double x = f->x0 - (y1 - y0); x < f->x0 + f->pw; x += 12) {
				cairo_move_to(cr, x, y1);
				cairo_line_to(cr, x + (y1 - y0), y0);
			}
			cairo_stroke(cr);
			cairo_restore(cr);
		}
		colour(cr, avoid ? (struct rgb){ 0.7, 0.1, 0.1 } : ink);
		text(cr, f->x0 - 8, (y0 + y1) / 2 + 4.5, 13, pv->opt.focus == z, 1.0,
		     chair_zone_to_string((enum chair_zone)z));
		if (avoid)
			text(cr, f->x0 - 8, (y0 + y1) / 2 + 16, 9.5, false, 1.0, "avoided");
		else if (pv->opt.focus == z)
			text(cr, f->x0 - 8, (y0 + y1) / 2 + 16, 9.5, false, 1.0, "focus");
	}
	cairo_set_source_rgb(cr, 0.75, 0.76, 0.80);
	cairo_set_line_width(cr, 1.0);
	cairo_rectangle(cr, f->x0 + 0.5, TOP + 0.5, f->pw - 1, BACK_H - 1);
	cairo_stroke(cr);
}

static void draw_roller(const struct frame *f)
{
	const struct preview *pv = f->pv;
	cairo_t *cr = f->cr;
	int cur = -2;

	cairo_set_line_width(cr, 1.3);
	cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
	for (size_t i = 0; i < pv->n_samples; i++) {
		const struct preview_sample *s = &pv->samples[i];
		double x = sample_x(f, i), y = pos_y(f, s->pos_mm);

		if (s->technique != cur) {
			if (cur != -2) {
				cairo_line_to(cr, x, y);
				cairo_stroke(cr);
			}
			cur = s->technique;
			colour(cr, technique_colour[cur >= 0 ? cur : CHAIR_TECH_REST]);
			cairo_move_to(cr, x, y);
		} else if (i + 1 == pv->n_samples || s->pos_mm != pv->samples[i - 1].pos_mm ||
			   s->pos_mm != pv->samples[i + 1].pos_mm) {
			cairo_line_to(cr, x, y);
		}
	}
	cairo_stroke(cr);
}

/* A label left of a band, and its background: red where the session keeps
 * it off. */
static void band(const struct frame *f, double y, double h, const char *label, bool off)
{
	colour(f->cr, off ? (struct rgb){ 0.7, 0.1, 0.1 } : ink);
	text(f->cr, f->x0 - 8, y + h / 2 + 4, 11, false, 1.0, label);
	if (off)
		cairo_set_source_rgb(f->cr, 1.0, 0.90, 0.90);
	else
		cairo_set_source_rgb(f->cr, 0.96, 0.96, 0.97);
	cairo_rectangle(f->cr, f->x0, y, f->pw, h);
	cairo_fill(f->cr);
}

static double draw_depth(const struct frame *f, double y)
{
	const struct preview *pv = f->pv;
	cairo_t *cr = f->cr;
	double level_mm = pv->hw.depth_stroke_mm / 4.0;

	band(f, y, DEPTH_H, "depth", false);
	cairo_set_source_rgb(cr, 0.85, 0.86, 0.89);
	cairo_set_line_width(cr, 0.6);
	for (int l = 1; l <= 4; l++) {
		double ly = y + DEPTH_H - DEPTH_H * l / 4.0;
		char n[4];

		cairo_move_to(cr, f->x0, ly);
		cairo_line_to(cr, f->x0 + f->pw, ly);
		cairo_stroke(cr);
		snprintf(n, sizeof(n), "%d", l);
		colour(cr, faint);
		text(cr, f->x0 + f->pw + 4, ly + 3, 8, false, 0, n);
		cairo_set_source_rgb(cr, 0.85, 0.86, 0.89);
	}
	cairo_move_to(cr, f->x0, y + DEPTH_H);
	for (size_t i = 0; i < pv->n_samples; i++) {
		double d = MIN(pv->samples[i].depth_mm / level_mm, 4.0);

		if (i > 0 && i + 1 < pv->n_samples &&
		    pv->samples[i].depth_mm == pv->samples[i - 1].depth_mm &&
		    pv->samples[i].depth_mm == pv->samples[i + 1].depth_mm)
			continue;
		cairo_line_to(cr, sample_x(f, i), y + DEPTH_H - DEPTH_H * d / 4.0);
	}
	cairo_line_to(cr, sample_x(f, pv->n_samples), y + DEPTH_H);
	cairo_close_path(cr);
	cairo_set_source_rgba(cr, 0.25, 0.30, 0.45, 0.75);
	cairo_fill(cr);
	return y + DEPTH_H + GAP;
}

/* Runs of samples where @p on holds, as filled spans of one row. */
static void spans(const struct frame *f, double y, double h, bool (*on)(const struct preview_sample *, int),
		  int arg)
{
	const struct preview *pv = f->pv;
	size_t start = 0;
	bool in = false;

	for (size_t i = 0; i <= pv->n_samples; i++) {
		bool now = i < pv->n_samples && on(&pv->samples[i], arg);

		if (now && !in)
			start = i;
		else if (!now && in) {
			double x0 = sample_x(f, start), x1 = sample_x(f, i);

			cairo_rectangle(f->cr, x0, y + 1, MAX(x1 - x0, 0.8), h - 2);
		}
		in = now;
	}
	cairo_fill(f->cr);
}

static bool air_on(const struct preview_sample *s, int zone)
{
	return s->air & (1u << zone);
}

static double draw_air(const struct frame *f, double y)
{
	const struct preview *pv = f->pv;

	for (int z = 0; z < CHAIR_AIR_COUNT; z++) {
		char label[48];

		if (!chair_hw_has_air_zone(&pv->hw, (enum chair_air_zone)z))
			continue;
		snprintf(label, sizeof(label), "air %s", chair_air_zone_to_string((enum chair_air_zone)z));
		band(f, y, ROW_H, label, pv->policy.air_blocked & (UINT32_C(1) << z));
		cairo_set_source_rgb(f->cr, 0.09, 0.62, 0.70);
		spans(f, y, ROW_H, air_on, z);
		y += ROW_H + 2;
	}
	return y + GAP - 2;
}

#define HEAT_SHADES 24

static int heat_shade(double celsius, double span)
{
	return (int)lround(CLAMP((celsius - 22.0) / (span > 1 ? span : 1), 0, 1) * HEAT_SHADES);
}

/* Heater temperature, from pale (ambient) to deep red (the hard maximum). */
static double draw_heat(const struct frame *f, double y)
{
	const struct preview *pv = f->pv;
	cairo_t *cr = f->cr;

	for (int h = 0; h < CHAIR_HEATER_COUNT; h++) {
		double span = pv->hw.heater_max_c[h] - 22.0;
		char label[48], peak[32];

		if (!chair_hw_has_heater(&pv->hw, (enum chair_heater)h))
			continue;
		snprintf(label, sizeof(label), "heat %s", chair_heater_to_string((enum chair_heater)h));
		band(f, y, ROW_H, label, pv->policy.heat_blocked & (UINT32_C(1) << h));
		/* Runs of one shade, so that the SVG stays small. */
		for (size_t i = 0, start = 0; i <= pv->n_samples; i++) {
			int shade = i < pv->n_samples ? heat_shade(pv->samples[i].temp_c[h], span) : -1;
			int prev = i > start ? heat_shade(pv->samples[start].temp_c[h], span) : shade;
			double k = prev / (double)HEAT_SHADES;

			if (i > start && shade == prev)
				continue;
			if (i > start && prev > 0) {
				cairo_set_source_rgb(cr, 1.0 - 0.2 * k, 0.9 - 0.65 * k, 0.6 - 0.5 * k);
				cairo_rectangle(cr, sample_x(f, start), y + 1,
						sample_x(f, i) - sample_x(f, start) + 0.3, ROW_H - 2);
				cairo_fill(cr);
			}
			start = i;
		}
		if (pv->heat_max_c[h] > 22.5) {
			snprintf(peak, sizeof(peak), "%.0f \xc2\xb0" "C", pv->heat_max_c[h]);
			colour(cr, faint);
			text(cr, f->x0 + f->pw + 4, y + ROW_H - 3, 8, false, 0, peak);
		}
		y += ROW_H + 2;
	}
	return y + GAP - 2;
}

static void draw_phases(const struct frame *f, double bottom)
{
	const struct preview *pv = f->pv;
	cairo_t *cr = f->cr;
	static const double dash[] = { 4.0, 3.0 };

	for (int ph = 0; ph < CHAIR_PHASE_COUNT; ph++) {
		double x, mid, next = f->x0 + f->pw;
		cairo_text_extents_t e;
		const char *name;

		if (pv->phase_start[ph] < 0)
			continue;
		x = time_x(f, (uint64_t)pv->phase_start[ph]);
		for (int n = ph + 1; n < CHAIR_PHASE_COUNT; n++)
			if (pv->phase_start[n] >= 0) {
				next = time_x(f, (uint64_t)pv->phase_start[n]);
				break;
			}
		if (ph > 0 || x > f->x0 + 1) {
			cairo_save(cr);
			cairo_set_source_rgb(cr, 0.3, 0.3, 0.35);
			cairo_set_line_width(cr, 1.0);
			cairo_set_dash(cr, dash, 2, 0);
			cairo_move_to(cr, round(x) + 0.5, TOP - 12);
			cairo_line_to(cr, round(x) + 0.5, bottom);
			cairo_stroke(cr);
			cairo_restore(cr);
		}
		/* Centred over the phase, but kept inside the plot when the
		 * phase is short. */
		name = chair_phase_to_string((enum chair_phase)ph);
		cairo_set_font_size(cr, 12);
		cairo_text_extents(cr, name, &e);
		mid = CLAMP((x + next) / 2, f->x0 + e.x_advance / 2,
			    f->x0 + f->pw - e.x_advance / 2);
		colour(cr, ink);
		text(cr, mid, TOP - 6, 12, true, 0.5, name);
	}
}

static double draw_axis(const struct frame *f, double y)
{
	cairo_t *cr = f->cr;
	unsigned minutes = (unsigned)(f->pv->duration / USEC_PER_MIN);
	unsigned every = minutes > 20 ? 5 : minutes > 8 ? 2 : 1;

	cairo_set_source_rgb(cr, 0.5, 0.5, 0.55);
	cairo_set_line_width(cr, 1.0);
	cairo_move_to(cr, f->x0, y + 0.5);
	cairo_line_to(cr, f->x0 + f->pw, y + 0.5);
	cairo_stroke(cr);
	for (unsigned m = 0; m <= minutes; m = m + every > minutes && m < minutes ? minutes : m + every) {
		double x = round(time_x(f, m * USEC_PER_MIN)) + 0.5;
		char label[16];

		cairo_set_source_rgb(cr, 0.5, 0.5, 0.55);
		cairo_move_to(cr, x, y);
		cairo_line_to(cr, x, y + 5);
		cairo_stroke(cr);
		/* The last mark is the session's end; a regular one just before
		 * it would crowd its label. */
		if (m != minutes && minutes - m < every)
			continue;
		snprintf(label, sizeof(label), m == minutes ? "%u min" : "%u", m);
		colour(cr, ink);
		text(cr, x, y + 17, 11, false, m == minutes ? 0.8 : 0.5, label);
	}
	return y + 30;
}

static void draw_legend(const struct frame *f, double y)
{
	const struct preview *pv = f->pv;
	cairo_t *cr = f->cr;
	double x = f->x0;

	for (int t = 0; t < CHAIR_TECHNIQUE_COUNT; t++) {
		const char *name = chair_technique_to_string((enum chair_technique)t);
		cairo_text_extents_t e;

		if (!pv->technique_usec[t])
			continue;
		colour(cr, technique_colour[t]);
		cairo_rectangle(cr, x, y - 9, 18, 10);
		cairo_fill(cr);
		colour(cr, ink);
		text(cr, x + 23, y, 12, false, 0, name);
		cairo_text_extents(cr, name, &e);
		x += 23 + e.x_advance + 18;
	}
}

void preview_draw(const struct preview *pv, cairo_t *cr, double w, double h)
{
	double k = MIN(w / DESIGN_W, h / DESIGN_H);
	struct frame f = { .pv = pv, .cr = cr, .w = w / k };
	double y;

	cairo_save(cr);
	cairo_scale(cr, k, k);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	f.x0 = LEFT;
	f.pw = f.w - LEFT - RIGHT;

	draw_title(&f);
	draw_zones(&f);
	draw_roller(&f);
	y = draw_depth(&f, TOP + BACK_H + GAP);
	y = draw_air(&f, y);
	y = draw_heat(&f, y);
	draw_phases(&f, y - GAP + 2);
	y = draw_axis(&f, y - GAP + 4);
	draw_legend(&f, y + 6);
	cairo_restore(cr);
}

static int finish(cairo_surface_t *s, cairo_t *cr)
{
	cairo_status_t st = cairo_status(cr);

	cairo_destroy(cr);
	cairo_surface_finish(s);
	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_status(s);
	cairo_surface_destroy(s);
	if (st == CAIRO_STATUS_WRITE_ERROR || st == CAIRO_STATUS_FILE_NOT_FOUND)
		return -EIO;
	return st == CAIRO_STATUS_SUCCESS ? 0 : -ENOMEM;
}

int preview_write_svg(const struct preview *pv, const char *path)
{
	cairo_surface_t *s = cairo_svg_surface_create(path, PREVIEW_IMAGE_WIDTH, PREVIEW_IMAGE_HEIGHT);
	cairo_t *cr = cairo_create(s);

	preview_draw(pv, cr, PREVIEW_IMAGE_WIDTH, PREVIEW_IMAGE_HEIGHT);
	return finish(s, cr);
}

int preview_write_png(const struct preview *pv, const char *path)
{
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, PREVIEW_IMAGE_WIDTH,
							PREVIEW_IMAGE_HEIGHT);
	cairo_t *cr = cairo_create(s);
	cairo_status_t st;

	preview_draw(pv, cr, PREVIEW_IMAGE_WIDTH, PREVIEW_IMAGE_HEIGHT);
	cairo_surface_flush(s);
	st = cairo_surface_write_to_png(s, path);
	if (st != CAIRO_STATUS_SUCCESS) {
		cairo_destroy(cr);
		cairo_surface_destroy(s);
		return -EIO;
	}
	return finish(s, cr);
}
