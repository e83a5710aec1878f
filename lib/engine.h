/* SPDX-License-Identifier: MIT */
/**
 * @file engine.h
 * @brief The stroke-pattern engine: program + options + body + time +
 *        sensors -> actuator targets.
 *
 * The engine is pure. Time is passed in; it does no I/O and keeps no global
 * state, so tests drive it with a fake clock. Its targets still pass through
 * the motion controller and the safety core before any output is driven.
 */
#ifndef CHAIR_ENGINE_H
#define CHAIR_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "body.h"
#include "chair-names.h"
#include "hw.h"
#include "policy.h"
#include "program.h"

/** What the engine knows of the mechanics, from the motion controller. */
struct chair_sensors {
	double position_mm; /**< roller position above the seat */
	double depth_mm;    /**< roller depth, 0 = home */
	double recline_pct; /**< 0 upright .. 100 fully reclined */
	bool at_top;
	bool at_bottom;
	bool shoulder;      /**< the shoulder sensor is pressed */
};

/** What the engine wants; the motion controller turns it into outputs. */
struct chair_targets {
	bool hold;              /**< nothing runs (paused, finished) */
	bool session;           /**< in a session: heat allowed, the seat rule applies */
	bool paused;            /**< the session is paused: nothing runs, no cap time */
	double walk_mm;         /**< NAN: stay where it is */
	unsigned walk_speed;    /**< 1-5 */
	int knead;              /**< -1 ccw, 0 off, 1 cw */
	unsigned knead_speed;   /**< 1-5 */
	unsigned tap_speed;     /**< 0 off, 1-5 */
	unsigned depth;         /**< level 0-4, after intensity and caps */
	bool vibrate;
	uint32_t air;           /**< valves to hold open, bit per air zone */
	bool pump;
	unsigned heat[CHAIR_HEATER_COUNT]; /**< level 0-3 */
	int recline_pct;        /**< -1: leave it */
	/* For display and the trace. */
	enum chair_phase phase;
	enum chair_technique technique;
	int zone;               /**< the step's first back zone, or -1 */
	unsigned line;          /**< the step's line in the program file, or 0 */
};

void chair_targets_idle(struct chair_targets *t);

struct chair_engine;

/**
 * Starts a session at @p now. The options must have passed
 * chair_options_check(). Takes a reference on @p p.
 */
int chair_engine_new(struct chair_program *p, const struct chair_options *o,
		     const struct chair_hw *hw, const struct chair_body *body, uint64_t now,
		     struct chair_engine **ret);
struct chair_engine *chair_engine_free(struct chair_engine *e);

/** Advances to @p now and fills @p ret with the targets. */
void chair_engine_tick(struct chair_engine *e, uint64_t now, const struct chair_sensors *s,
		       struct chair_targets *ret);

void chair_engine_pause(struct chair_engine *e, uint64_t now);
void chair_engine_resume(struct chair_engine *e, uint64_t now);
bool chair_engine_paused(const struct chair_engine *e);

/**
 * Feedback, for the rest of the session: @p zone joins the avoided zones
 * (no pressure, kneading, tapping, air or heat there; the motion guard
 * retracts the depth at once), or becomes the focus (-EPERM if avoided).
 */
int chair_engine_avoid(struct chair_engine *e, enum chair_zone zone);
int chair_engine_set_focus(struct chair_engine *e, enum chair_zone zone);

/** Live changes; -ERANGE if out of range. */
int chair_engine_set_intensity(struct chair_engine *e, unsigned intensity);
int chair_engine_set_heat(struct chair_engine *e, unsigned heat);

bool chair_engine_finished(const struct chair_engine *e);
uint64_t chair_engine_elapsed(const struct chair_engine *e);
uint64_t chair_engine_duration(const struct chair_engine *e);
unsigned chair_engine_intensity(const struct chair_engine *e);
unsigned chair_engine_heat(const struct chair_engine *e);
const struct chair_program *chair_engine_program(const struct chair_engine *e);
const struct chair_guard *chair_engine_guard(const struct chair_engine *e);
/** The options the session runs with, and the limits they set. */
const struct chair_options *chair_engine_options(const struct chair_engine *e);
const struct chair_policy *chair_engine_policy(const struct chair_engine *e);
enum chair_phase chair_engine_phase(const struct chair_engine *e);

/** The body scan: walks up until the shoulder sensor releases. */
struct chair_scan;

int chair_scan_new(const struct chair_hw *hw, uint64_t now, struct chair_scan **ret);
struct chair_scan *chair_scan_free(struct chair_scan *s);
/**
 * Returns 0 while scanning, 1 when done (with @p ret_shoulder_mm set), or
 * -ENOENT when the top was reached without finding the shoulders.
 */
int chair_scan_tick(struct chair_scan *s, uint64_t now, const struct chair_sensors *in,
		    struct chair_targets *ret, double *ret_shoulder_mm);

#endif
