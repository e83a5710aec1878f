// SPDX-License-Identifier: MIT
#include <errno.h>

#include "body.h"
#include "macro.h"

/*
 * Zone borders of the reference body, in mm above the seat. They follow the
 * surface anatomy a therapist palpates: the sacrum ends at the iliac crest
 * line, the lumbar spine spans L1-L5, the mid back T7-T12, the upper back
 * T1-T6 up to the scapular spine, the shoulders to the top of the trapezius,
 * and the neck to the occiput.
 */
static const double ref_top[CHAIR_ZONE_COUNT] = {
	[CHAIR_ZONE_NECK] = 680.0,
	[CHAIR_ZONE_SHOULDERS] = 580.0,
	[CHAIR_ZONE_UPPER_BACK] = 460.0,
	[CHAIR_ZONE_MID_BACK] = 340.0,
	[CHAIR_ZONE_LOWER_BACK] = 220.0,
	[CHAIR_ZONE_SACRUM] = 100.0,
};

void chair_body_default(struct chair_body *ret, double track_length_mm)
{
	ret->shoulder_mm = CHAIR_REF_SHOULDER_MM;
	ret->track_length_mm = track_length_mm;
	ret->scanned = false;
}

int chair_body_from_scan(struct chair_body *ret, double shoulder_mm, double track_length_mm)
{
	if (!(shoulder_mm >= CHAIR_BODY_MIN_SHOULDER_MM && shoulder_mm <= CHAIR_BODY_MAX_SHOULDER_MM))
		return -ERANGE;
	ret->shoulder_mm = shoulder_mm;
	ret->track_length_mm = track_length_mm;
	ret->scanned = true;
	return 0;
}

double chair_body_scale(const struct chair_body *b, double ref_mm)
{
	double v = ref_mm * b->shoulder_mm / CHAIR_REF_SHOULDER_MM;

	return CLAMP(v, 0.0, b->track_length_mm);
}

void chair_body_zone_span(const struct chair_body *b, enum chair_zone z, double *ret_top,
			  double *ret_bottom)
{
	double bottom = z == CHAIR_ZONE_SACRUM ? 0.0 : ref_top[z + 1];

	*ret_top = chair_body_scale(b, ref_top[z]);
	*ret_bottom = chair_body_scale(b, bottom);
}

int chair_body_zone_at(const struct chair_body *b, double pos_mm)
{
	for (int z = CHAIR_ZONE_SACRUM; z >= CHAIR_ZONE_NECK; z--) {
		double top, bottom;

		chair_body_zone_span(b, (enum chair_zone)z, &top, &bottom);
		if (pos_mm >= bottom && pos_mm < top)
			return z;
	}
	/* The very top of the neck zone belongs to it. */
	{
		double top, bottom;

		chair_body_zone_span(b, CHAIR_ZONE_NECK, &top, &bottom);
		if (pos_mm >= bottom && pos_mm <= top)
			return CHAIR_ZONE_NECK;
	}
	return -1;
}

double chair_body_point(const struct chair_body *b, enum chair_zone z, unsigned pct)
{
	double top, bottom;

	chair_body_zone_span(b, z, &top, &bottom);
	if (pct > 100)
		pct = 100;
	return top - (top - bottom) * pct / 100.0;
}
