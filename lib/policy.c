// SPDX-License-Identifier: MIT
/*
 * What a person's conditions and avoided zones allow: the option checks,
 * the guarded zones and airbags, the heaters kept off, the depth cap, and
 * the adaptation of each step. See policy.h and docs/api.md.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "macro.h"
#include "policy.h"

#define BIT(x) (UINT32_C(1) << (x))

void chair_options_init(struct chair_options *o)
{
	*o = (struct chair_options){
		.duration_usec = 0,
		.intensity = 3,
		.focus = -1,
		.heat = -1,
	};
}

bool chair_guard_contains(const struct chair_guard *g, double pos_mm, double margin_mm)
{
	for (unsigned i = 0; i < g->n; i++)
		if (pos_mm >= g->lo[i] - margin_mm && pos_mm <= g->hi[i] + margin_mm)
			return true;
	return false;
}

_printf_(2, 3) static int set_msg(char **ret_msg, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(ret_msg, fmt, ap);
	va_end(ap);
	return r < 0 ? -ENOMEM : 0;
}

static const char *condition_words(enum chair_condition c)
{
	switch (c) {
	case CHAIR_COND_NERVE_PAIN:
		return "nerve pain";
	case CHAIR_COND_INFLAMMATION:
		return "inflammation";
	case CHAIR_COND_PREGNANCY:
		return "pregnancy";
	case CHAIR_COND_ARTHRITIS:
		return "arthritis";
	case CHAIR_COND_RECENT_INJURY:
		return "a recent injury";
	case CHAIR_CONDITION_COUNT:
		break;
	}
	return "this condition";
}

int chair_options_check(const struct chair_program *p, const struct chair_options *o,
			const struct chair_hw *hw, char **ret_msg)
{
	uint64_t cap = chair_hw_session_cap(hw);
	int r;

	if (o->duration_usec &&
	    (o->duration_usec < CHAIR_HW_MIN_SESSION_USEC || o->duration_usec > cap)) {
		r = set_msg(ret_msg, "duration_usec %" PRIu64 " is out of range; a session lasts "
				     "%" PRIu64 " to %" PRIu64 " (5 to %" PRIu64 " minutes)",
			    o->duration_usec, CHAIR_HW_MIN_SESSION_USEC, cap, cap / USEC_PER_MIN);
		return r < 0 ? r : CHAIR_CHECK_INVALID;
	}
	if (o->intensity < 1 || o->intensity > 5) {
		r = set_msg(ret_msg, "intensity %u is out of range; use 1 (softest) to 5 (firmest)",
			    o->intensity);
		return r < 0 ? r : CHAIR_CHECK_INVALID;
	}
	if (o->heat > 3) {
		r = set_msg(ret_msg, "heat %d is out of range; use 0 (off) to 3", o->heat);
		return r < 0 ? r : CHAIR_CHECK_INVALID;
	}
	if (o->focus >= CHAIR_ZONE_COUNT) {
		r = set_msg(ret_msg, "focus is not a back zone; use one of: %s", chair_zone_list());
		return r < 0 ? r : CHAIR_CHECK_INVALID;
	}
	if (o->focus >= 0 && (o->avoid_back & (UINT32_C(1) << o->focus))) {
		r = set_msg(ret_msg, "focus %s is also in avoid; a zone cannot be both",
			    chair_zone_to_string((enum chair_zone)o->focus));
		return r < 0 ? r : CHAIR_CHECK_INVALID;
	}
	static const enum chair_condition need_avoid[] = { CHAIR_COND_INFLAMMATION,
							   CHAIR_COND_RECENT_INJURY };

	for (size_t i = 0; i < ELEMENTSOF(need_avoid); i++) {
		enum chair_condition c = need_avoid[i];

		if (!(o->conditions & (UINT32_C(1) << c)) || o->avoid_back || o->avoid_air)
			continue;
		r = set_msg(ret_msg, "condition %s needs at least one avoid zone that says where "
				     "(for example avoid lower-back)",
			    chair_condition_to_string(c));
		return r < 0 ? r : CHAIR_CHECK_INVALID;
	}
	for (int c = 0; c < CHAIR_CONDITION_COUNT; c++) {
		if (!(o->conditions & p->not_for & (UINT32_C(1) << c)))
			continue;
		r = set_msg(ret_msg, "The %s program is not suitable with %s. Choose a gentler "
				     "program such as relax or craniosacral.",
			    p->id, condition_words((enum chair_condition)c));
		return r < 0 ? r : CHAIR_CHECK_CONTRAINDICATED;
	}
	/* Built-in rules that hold whatever a program file says. */
	if ((o->conditions & (UINT32_C(1) << CHAIR_COND_NERVE_PAIN)) &&
	    (streq(p->id, "deep-tissue") || streq(p->id, "trigger-point"))) {
		r = set_msg(ret_msg, "The %s program is not suitable with nerve pain. Choose a "
				     "gentler program such as relax or craniosacral.", p->id);
		return r < 0 ? r : CHAIR_CHECK_CONTRAINDICATED;
	}
	return CHAIR_CHECK_OK;
}

void chair_policy_init(struct chair_policy *p, const struct chair_options *o,
		       const struct chair_hw *hw)
{
	uint32_t back = o->avoid_back, air = o->avoid_air, heat = 0;

	*p = (struct chair_policy){ .depth_cap = MIN(4u, hw->max_depth) };
	if (o->conditions & BIT(CHAIR_COND_NERVE_PAIN)) {
		p->depth_cap = MIN(p->depth_cap, 1u);
		p->no_percussion = true;
		p->short_strokes = true;
	}
	if (o->conditions & BIT(CHAIR_COND_ARTHRITIS)) {
		p->depth_cap = MIN(p->depth_cap, 2u);
		p->no_percussion = true;
	}
	if (o->conditions & BIT(CHAIR_COND_PREGNANCY)) {
		back |= BIT(CHAIR_ZONE_LOWER_BACK) | BIT(CHAIR_ZONE_SACRUM);
		air |= BIT(CHAIR_AIR_HIPS);
	}
	/* The airbags that press on an avoided back zone stay empty too. */
	if (back & BIT(CHAIR_ZONE_SHOULDERS))
		air |= BIT(CHAIR_AIR_SHOULDERS);
	if (back & (BIT(CHAIR_ZONE_LOWER_BACK) | BIT(CHAIR_ZONE_SACRUM)))
		air |= BIT(CHAIR_AIR_HIPS);
	if (air & BIT(CHAIR_AIR_SHOULDERS))
		back |= BIT(CHAIR_ZONE_SHOULDERS);

	/* No heat on an avoided (swollen, inflamed) area. */
	if (back & (BIT(CHAIR_ZONE_LOWER_BACK) | BIT(CHAIR_ZONE_SACRUM)))
		heat |= BIT(CHAIR_HEATER_LUMBAR);
	if (air & BIT(CHAIR_AIR_CALVES))
		heat |= BIT(CHAIR_HEATER_CALVES);
	if (o->conditions & BIT(CHAIR_COND_PREGNANCY))
		heat = BIT(CHAIR_HEATER_COUNT) - 1;
	for (int h = 0; h < CHAIR_HEATER_COUNT; h++)
		if (!chair_hw_has_heater(hw, (enum chair_heater)h))
			heat |= BIT(h);
	p->avoid_back = back;
	p->air_blocked = air;
	p->heat_blocked = heat;
}

void chair_policy_guard(const struct chair_policy *p, const struct chair_body *body,
			struct chair_guard *ret)
{
	struct chair_guard g = { .air_blocked = p->air_blocked };

	for (int z = 0; z < CHAIR_ZONE_COUNT; z++) {
		double top, bottom;

		if (!(p->avoid_back & BIT(z)))
			continue;
		chair_body_zone_span(body, (enum chair_zone)z, &top, &bottom);
		if (g.n && fabs(g.lo[g.n - 1] - top) < 0.01) {
			g.lo[g.n - 1] = bottom; /* adjacent: merge */
			continue;
		}
		g.hi[g.n] = top;
		g.lo[g.n] = bottom;
		g.n++;
	}
	*ret = g;
}

bool chair_policy_adapt_step(const struct chair_policy *p, const struct chair_hw *hw,
			     struct chair_step *st)
{
	if (p->no_percussion && st->technique == CHAIR_TECH_TAP) {
		/* Tapotement becomes slow, gentle petrissage. */
		st->technique = CHAIR_TECH_KNEAD;
		st->speed = MIN(st->speed, 2u);
	}
	if (p->short_strokes && (st->technique == CHAIR_TECH_GLIDE ||
				 st->technique == CHAIR_TECH_VIBRATE)) {
		st->technique = CHAIR_TECH_ROLL;
		st->width = CHAIR_WIDTH_NARROW;
	}
	st->air &= ~p->air_blocked;
	for (int z = 0; z < CHAIR_AIR_COUNT; z++)
		if (!chair_hw_has_air_zone(hw, (enum chair_air_zone)z))
			st->air &= ~BIT(z);
	if (st->technique == CHAIR_TECH_COMPRESS && !st->air)
		return false;
	if (st->technique == CHAIR_TECH_STRETCH &&
	    !(chair_hw_has_output(hw, CHAIR_OUT_RECLINE_DOWN) &&
	      chair_hw_has_output(hw, CHAIR_OUT_RECLINE_UP)))
		return false;
	return true;
}
