// SPDX-License-Identifier: MIT
#include <errno.h>
#include <math.h>

#include "macro.h"
#include "motion.h"

#define WALK_TOLERANCE_MM 2.0
#define DEPTH_TOLERANCE_MM 0.5
#define RECLINE_TOLERANCE_PCT 2.0
/* How far ahead the roller looks for an avoided zone while the depth is out,
 * and the margin around one inside which nothing presses. */
#define GUARD_LOOKAHEAD_MM 8.0
#define GUARD_MARGIN_MM 10.0

struct chair_motion {
	struct chair_hw hw;
	struct chair_guard guard;
	bool homed;
	double pos;
	uint64_t pulses;
	int last_dir;
	double depth;
	double recline;
	uint64_t last_now;
	bool started;
};

int chair_motion_new(const struct chair_hw *hw, struct chair_motion **ret)
{
	struct chair_motion *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->hw = *hw;
	/* Dead reckoning starts from the worst case: depth fully out, so the
	 * first thing it does is retract to home. A chair with no depth motor
	 * has its roller at home for good. */
	m->depth = chair_hw_max_depth(hw) > 0 || chair_hw_has_output(hw, CHAIR_OUT_DEPTH_OUT)
			   ? hw->depth_stroke_mm
			   : 0.0;
	*ret = m;
	return 0;
}

struct chair_motion *chair_motion_free(struct chair_motion *m)
{
	free(m);
	return NULL;
}

void chair_motion_set_guard(struct chair_motion *m, const struct chair_guard *g)
{
	if (g)
		m->guard = *g;
	else
		m->guard = (struct chair_guard){ 0 };
}

bool chair_motion_homed(const struct chair_motion *m)
{
	return m->homed;
}

uint8_t chair_motion_duty(unsigned speed)
{
	speed = CLAMP(speed, 1u, 5u);
	return (uint8_t)(50 + (speed - 1) * 25 / 2);
}

void chair_motion_observe(struct chair_motion *m, uint64_t now, const struct chair_inputs *in,
			  const struct chair_outputs *applied)
{
	double dt = m->started && now > m->last_now ? (double)(now - m->last_now) / 1e6 : 0.0;
	uint64_t dp = in->encoder_pulses - m->pulses;

	if (!m->started)
		dp = 0;
	m->started = true;
	m->last_now = now;
	m->pulses = in->encoder_pulses;

	if (applied->out[CHAIR_OUT_WALK_UP])
		m->last_dir = 1;
	else if (applied->out[CHAIR_OUT_WALK_DOWN])
		m->last_dir = -1;
	/* Pulses that arrive after the drive stopped are coasting in the last
	 * direction driven. */
	m->pos += m->last_dir * (double)dp * m->hw.mm_per_pulse;
	if (in->in[CHAIR_IN_WALK_BOTTOM]) {
		m->pos = 0.0;
		m->homed = true;
	} else if (in->in[CHAIR_IN_WALK_TOP]) {
		m->pos = m->hw.track_length_mm;
		m->homed = true;
	}
	m->pos = CLAMP(m->pos, 0.0, m->hw.track_length_mm);

	if (applied->out[CHAIR_OUT_DEPTH_IN])
		m->depth += dt * m->hw.depth_speed_mm_s;
	if (applied->out[CHAIR_OUT_DEPTH_OUT])
		m->depth -= dt * m->hw.depth_speed_mm_s;
	m->depth = CLAMP(m->depth, 0.0, m->hw.depth_stroke_mm);
	if (chair_hw_has_input(&m->hw, CHAIR_IN_DEPTH_HOME) && in->in[CHAIR_IN_DEPTH_HOME])
		m->depth = 0.0;

	if (m->hw.recline_time_s > 0) {
		double rate = 100.0 / m->hw.recline_time_s;

		if (applied->out[CHAIR_OUT_RECLINE_DOWN])
			m->recline += dt * rate;
		if (applied->out[CHAIR_OUT_RECLINE_UP])
			m->recline -= dt * rate;
		m->recline = CLAMP(m->recline, 0.0, 100.0);
	}
}

void chair_motion_sensors(const struct chair_motion *m, const struct chair_inputs *in,
			  struct chair_sensors *ret)
{
	*ret = (struct chair_sensors){
		.position_mm = m->pos,
		.depth_mm = m->depth,
		.recline_pct = m->recline,
		.at_top = in->in[CHAIR_IN_WALK_TOP],
		.at_bottom = in->in[CHAIR_IN_WALK_BOTTOM],
		.shoulder = in->in[CHAIR_IN_SHOULDER],
	};
}

static bool depth_home(const struct chair_motion *m, const struct chair_inputs *in)
{
	if (chair_hw_has_input(&m->hw, CHAIR_IN_DEPTH_HOME))
		return in->in[CHAIR_IN_DEPTH_HOME];
	return m->depth <= DEPTH_TOLERANCE_MM;
}

static void request_walk(const struct chair_motion *m, const struct chair_targets *t,
			 bool depth_out, struct chair_request *r)
{
	double goal = t->walk_mm;
	int dir;

	if (isnan(goal))
		return;
	if (!m->homed) {
		/* Where the roller is, nobody knows until walk-bottom says so
		 * (after a restart it can be anywhere on the track): go down
		 * until it does, whatever the odometry thinks. */
		dir = -1;
	} else {
		if (fabs(goal - m->pos) <= WALK_TOLERANCE_MM)
			return;
		dir = goal > m->pos ? 1 : -1;
	}
	/* With the depth out, never roll into an avoided zone. */
	if (depth_out && chair_guard_contains(&m->guard, m->pos + dir * GUARD_LOOKAHEAD_MM,
					      GUARD_MARGIN_MM))
		return;
	r->out[dir > 0 ? CHAIR_OUT_WALK_UP : CHAIR_OUT_WALK_DOWN] = true;
	r->duty[dir > 0 ? CHAIR_OUT_WALK_UP : CHAIR_OUT_WALK_DOWN] = chair_motion_duty(t->walk_speed);
}

static void request_depth(const struct chair_motion *m, const struct chair_inputs *in,
			  const struct chair_targets *t, bool guarded, bool approaching,
			  struct chair_request *r)
{
	double goal = chair_hw_depth_mm(&m->hw, t->depth);

	if (guarded || approaching || !m->homed)
		goal = 0.0;
	if (goal <= 0.0) {
		if (!depth_home(m, in))
			r->out[CHAIR_OUT_DEPTH_OUT] = true;
		return;
	}
	if (m->depth < goal - DEPTH_TOLERANCE_MM)
		r->out[CHAIR_OUT_DEPTH_IN] = true;
	else if (m->depth > goal + DEPTH_TOLERANCE_MM)
		r->out[CHAIR_OUT_DEPTH_OUT] = true;
}

void chair_motion_request(const struct chair_motion *m, const struct chair_inputs *in,
			  const struct chair_targets *t, struct chair_request *r)
{
	bool guarded, approaching, depth_out;
	bool any_valve = false;
	int dir;

	*r = (struct chair_request){ 0 };
	if (t->hold)
		return;
	r->session = t->session;
	r->paused = t->paused;
	for (int h = 0; h < CHAIR_HEATER_COUNT; h++)
		r->heat[h] = t->heat[h];

	guarded = chair_guard_contains(&m->guard, m->pos, GUARD_MARGIN_MM);
	dir = isnan(t->walk_mm) ? 0 : (t->walk_mm > m->pos ? 1 : -1);
	approaching = dir && chair_guard_contains(&m->guard, m->pos + dir * GUARD_LOOKAHEAD_MM,
						  GUARD_MARGIN_MM);
	depth_out = !depth_home(m, in);

	request_walk(m, t, depth_out, r);
	request_depth(m, in, t, guarded, approaching && (r->out[CHAIR_OUT_WALK_UP] ||
							 r->out[CHAIR_OUT_WALK_DOWN] || depth_out),
		      r);

	if (!guarded) {
		/* A kneading motor that turns one way only turns that way. */
		if (t->knead && !chair_hw_has_output(&m->hw, CHAIR_OUT_KNEAD_CCW))
			r->out[CHAIR_OUT_KNEAD_CW] = true;
		else if (t->knead && !chair_hw_has_output(&m->hw, CHAIR_OUT_KNEAD_CW))
			r->out[CHAIR_OUT_KNEAD_CCW] = true;
		else if (t->knead > 0)
			r->out[CHAIR_OUT_KNEAD_CW] = true;
		else if (t->knead < 0)
			r->out[CHAIR_OUT_KNEAD_CCW] = true;
		r->duty[CHAIR_OUT_KNEAD_CW] = r->duty[CHAIR_OUT_KNEAD_CCW] =
			chair_motion_duty(t->knead_speed);
		if (t->tap_speed) {
			r->out[CHAIR_OUT_TAP] = true;
			r->duty[CHAIR_OUT_TAP] = chair_motion_duty(t->tap_speed);
		}
		for (int z = 0; z < CHAIR_AIR_COUNT; z++) {
			if (!(t->air & (UINT32_C(1) << z)) || (m->guard.air_blocked & (UINT32_C(1) << z)))
				continue;
			r->out[chair_air_zone_valve((enum chair_air_zone)z)] = true;
			any_valve = true;
		}
		r->out[CHAIR_OUT_PUMP] = t->pump && any_valve;
	}
	r->out[CHAIR_OUT_VIBRATE_SEAT] = t->vibrate;

	if (t->recline_pct >= 0) {
		if (m->recline < t->recline_pct - RECLINE_TOLERANCE_PCT)
			r->out[CHAIR_OUT_RECLINE_DOWN] = true;
		else if (m->recline > t->recline_pct + RECLINE_TOLERANCE_PCT)
			r->out[CHAIR_OUT_RECLINE_UP] = true;
	}
}
