/* SPDX-License-Identifier: MIT */
/**
 * @file body.h
 * @brief The body and zone model.
 *
 * Positions are millimetres along the roller track, measured upward from the
 * seat (walk-bottom is 0). Programs are written against a reference body
 * whose shoulder line sits at CHAIR_REF_SHOULDER_MM; a user's positions are
 * the reference positions scaled by their measured shoulder height.
 */
#ifndef CHAIR_BODY_H
#define CHAIR_BODY_H

#include <stdbool.h>

#include "chair-names.h"

#define CHAIR_REF_SHOULDER_MM 580.0
/* The plausible range of a scanned shoulder height. */
#define CHAIR_BODY_MIN_SHOULDER_MM 420.0
#define CHAIR_BODY_MAX_SHOULDER_MM 700.0

struct chair_body {
	double shoulder_mm; /**< shoulder line above the seat */
	double track_length_mm;
	bool scanned;
};

/** The default body, used until a scan has been done. */
void chair_body_default(struct chair_body *ret, double track_length_mm);

/**
 * A body from a scan. Returns -ERANGE (and leaves @p ret alone) if the
 * shoulder height is outside the plausible range.
 */
int chair_body_from_scan(struct chair_body *ret, double shoulder_mm, double track_length_mm);

/** Reference position (mm) scaled to this body and clamped to the track. */
double chair_body_scale(const struct chair_body *b, double ref_mm);

/** The span of a back zone on this body: top > bottom. */
void chair_body_zone_span(const struct chair_body *b, enum chair_zone z, double *ret_top,
			  double *ret_bottom);

/** The back zone at a position, or -1 outside every zone. */
int chair_body_zone_at(const struct chair_body *b, double pos_mm);

/** A point within a zone: @p pct 0 is its top, 100 its bottom. */
double chair_body_point(const struct chair_body *b, enum chair_zone z, unsigned pct);

#endif
