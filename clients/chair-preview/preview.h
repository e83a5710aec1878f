/* SPDX-License-Identifier: MIT */
/*
 * A program's session, run ahead of time: the real engine, motion
 * controller and safety core drive the simulated chair as fast as the CPU
 * allows, and what the chair did is summed up and kept as a timeline.
 *
 * Shared by chair-preview (summary, JSON, SVG and PNG) and chair-panel (the
 * "Before you start" screen).
 */
#ifndef CHAIR_PREVIEW_H
#define CHAIR_PREVIEW_H

#include <cairo.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "body.h"
#include "engine.h"
#include "hw.h"
#include "policy.h"
#include "program.h"

/* The timeline keeps one sample per this much session time. */
#define PREVIEW_SAMPLE_USEC (UINT64_C(100) * 1000)
/* Deeper than this, the roller presses on the back (mm). */
#define PREVIEW_PRESSURE_MM 0.5

struct preview_sample {
	float pos_mm;      /* the roller on the track */
	float depth_mm;
	float temp_c[CHAIR_HEATER_COUNT];
	int8_t technique;  /* enum chair_technique, or -1 */
	uint8_t phase;     /* enum chair_phase */
	uint8_t air;       /* valves open, a bit per air zone */
	uint8_t heat;      /* heaters powered, a bit per heater */
	bool knead, tap, vibrate;
};

/* A back zone; index CHAIR_ZONE_COUNT is the track outside every zone. */
struct preview_zone {
	uint64_t usec;          /* the roller is here */
	uint64_t pressure_usec; /* ... and presses, kneads or taps */
	unsigned max_depth;     /* the deepest level reached here, 0-4 */
};

struct preview {
	struct chair_program *program;
	struct chair_options opt; /* as run: the heat level resolved */
	struct chair_hw hw;
	struct chair_body body;
	uint64_t duration;
	uint64_t elapsed;

	struct preview_zone zone[CHAIR_ZONE_COUNT + 1];
	uint64_t technique_usec[CHAIR_TECHNIQUE_COUNT];
	unsigned max_depth;
	uint64_t air_usec[CHAIR_AIR_COUNT];
	double air_max_kpa[CHAIR_AIR_COUNT];
	uint64_t heat_usec[CHAIR_HEATER_COUNT];
	unsigned heat_level[CHAIR_HEATER_COUNT]; /* the highest level asked */
	double heat_max_c[CHAIR_HEATER_COUNT];
	int64_t phase_start[CHAIR_PHASE_COUNT]; /* usec, or -1: never */
	uint32_t faults;
	struct chair_policy policy; /* what the options allow: avoided zones, blocked airbags */

	char **warnings;    /* NULL-terminated; sentences a person can act on */
	char **adjustments; /* what the session changes from what was asked, and why */

	struct preview_sample *samples;
	size_t n_samples;
};

/*
 * Runs @p p with the options @p o on a chair described by @p hw. Returns 0,
 * or a negative errno with @p ret_error set to a sentence (options the
 * program or the chair refuse, a program the chair cannot run).
 */
int preview_run(struct chair_program *p, const struct chair_options *o, const struct chair_hw *hw,
		struct preview **ret, char **ret_error);
struct preview *preview_free(struct preview *pv);

/* Draws the session's timeline into the rectangle 0,0 .. @p w,@p h. */
void preview_draw(const struct preview *pv, cairo_t *cr, double w, double h);

#define PREVIEW_IMAGE_WIDTH 1000
#define PREVIEW_IMAGE_HEIGHT 600

/* Draws the timeline into an SVG or PNG file; a negative errno on failure. */
int preview_write_svg(const struct preview *pv, const char *path);
int preview_write_png(const struct preview *pv, const char *path);

#endif
