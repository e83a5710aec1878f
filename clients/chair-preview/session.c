// SPDX-License-Identifier: MIT
/* Runs a session on the simulated chair through the same control step as
 * the daemon, and keeps what the chair did. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "motion.h"
#include "policy.h"
#include "preview.h"
#include "safety.h"
#include "sim.h"

/* One control step covers this much chair time, as in the daemon. */
#define STEP_USEC (UINT64_C(10) * 1000)
/* The clock starts here, as the daemon's does. */
#define START_USEC USEC_PER_SEC

#define BIT(n) (UINT32_C(1) << (n))

_printf_(2, 3) static int warn(struct preview *pv, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = chair_strv_vpushf(&pv->warnings, fmt, ap);
	va_end(ap);
	return r;
}

static const char *span_text(uint64_t usec, char *buf, size_t n)
{
	uint64_t s = (usec + USEC_PER_SEC / 2) / USEC_PER_SEC;

	if (s % 60 == 0)
		snprintf(buf, n, "%" PRIu64 " min", s / 60);
	else if (s < 60)
		snprintf(buf, n, "%" PRIu64 " s", s);
	else
		snprintf(buf, n, "%" PRIu64 " min %" PRIu64 " s", s / 60, s % 60);
	return buf;
}

static bool is_roller(enum chair_technique t)
{
	return t != CHAIR_TECH_COMPRESS && t != CHAIR_TECH_STRETCH && t != CHAIR_TECH_REST;
}

/* Why a back zone is kept free of pressure: the words for a warning. */
static const char *protector(const struct chair_options *o, enum chair_zone z)
{
	if (o->avoid_back & BIT(z)) {
		if (o->conditions & BIT(CHAIR_COND_INFLAMMATION))
			return "inflammation";
		if (o->conditions & BIT(CHAIR_COND_RECENT_INJURY))
			return "a recent injury";
		return "your avoid list";
	}
	return "pregnancy";
}

static uint32_t step_zones(const struct chair_step *st)
{
	uint32_t m = 0;

	if (!st->has_zone)
		return 0;
	for (int z = st->zone_top; z <= (int)st->zone_bottom; z++)
		m |= BIT(z);
	return m;
}

static const char *zone_names(uint32_t m, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int z = 0; z < CHAIR_ZONE_COUNT; z++)
		if (m & BIT(z))
			len += snprintf(buf + len, len < n ? n - len : 0, "%s%s", len ? ", " : "",
					chair_zone_to_string((enum chair_zone)z));
	return buf;
}

/* What a person should know before the session: steps the chair cannot
 * do, percussion a condition rules out, a frame that does not fit. The
 * session's policy says what its options allow. */
static int check_program(struct preview *pv, bool skipped[CHAIR_PHASE_COUNT][CHAIR_PROGRAM_MAX_STEPS])
{
	const struct chair_program *p = pv->program;
	const struct chair_options *o = &pv->opt;
	const struct chair_policy *pol = &pv->policy;
	uint64_t frame = 0;
	char a[32], b[32], c[32], zones[128];
	char **losses = NULL;
	int r;

	chair_policy_init(&pv->policy, o, &pv->hw);
	/* What this chair cannot do as written, in the daemon's words. */
	r = chair_policy_losses(p, &pv->hw, &losses);
	for (char **l = losses; r >= 0 && l && *l; l++)
		r = warn(pv, "%s: on this chair, %s.", p->path, *l);
	chair_strv_free(losses);
	if (r < 0)
		return r;
	r = chair_policy_adjustments(p, o, &pv->hw, &pv->adjustments);
	if (r < 0)
		return r;
	for (int ph = 0; ph < CHAIR_PHASE_COUNT; ph++)
		for (size_t i = 0; i < p->n_steps[ph] && i < CHAIR_PROGRAM_MAX_STEPS; i++) {
			const struct chair_step *st = &p->steps[ph][i];
			struct chair_step adapted = *st;
			const char *tech = chair_technique_to_string(st->technique);
			uint32_t zs = step_zones(st), hit = zs & pol->avoid_back;

			if (ph != CHAIR_PHASE_MAIN)
				frame += st->time_usec;
			skipped[ph][i] = !chair_policy_adapt_step(pol, &pv->hw, &adapted);
			if (st->technique == CHAIR_TECH_TAP && pol->no_percussion) {
				int cond = (o->conditions & BIT(CHAIR_COND_NERVE_PAIN))
						   ? CHAIR_COND_NERVE_PAIN
						   : CHAIR_COND_ARTHRITIS;

				r = warn(pv, "%s:%u: tap is percussion, which %s rules out; the chair "
					     "kneads gently there instead.", p->path, st->line,
					 chair_condition_to_string((enum chair_condition)cond));
			} else if (st->technique == CHAIR_TECH_TAP && hit && o->conditions) {
				r = warn(pv, "%s:%u: tap reaches %s, which %s protects; the chair does "
					     "not tap there.", p->path, st->line,
					 zone_names(hit, zones, sizeof(zones)),
					 protector(o, (enum chair_zone)__builtin_ctz(hit)));
			}
			if (r < 0)
				return r;
			if (!skipped[ph][i] && is_roller(adapted.technique) && zs && hit == zs) {
				skipped[ph][i] = true;
				r = warn(pv, "%s:%u: %s on %s is skipped: no pressure may go there.",
					 p->path, st->line, tech, zone_names(zs, zones, sizeof(zones)));
			} else if (skipped[ph][i] && adapted.technique == CHAIR_TECH_COMPRESS) {
				r = warn(pv, "%s:%u: compress is skipped: every airbag it uses is off in "
					     "this session.", p->path, st->line);
			}
			if (r < 0)
				return r;
		}
	if (frame >= pv->duration)
		r = warn(pv, "%s: the warm-up and the close (%s together) do not fit in a %s "
			     "session; the close begins at once.", p->path,
			 span_text(frame, a, sizeof(a)), span_text(pv->duration, b, sizeof(b)));
	else if (frame + CHAIR_STEP_MIN_TIME_USEC > pv->duration)
		r = warn(pv, "%s: the warm-up and the close (%s) leave %s for the main phase.",
			 p->path, span_text(frame, a, sizeof(a)),
			 span_text(pv->duration - frame, c, sizeof(c)));
	return r;
}

static void account(struct preview *pv, uint64_t dt, const struct chair_sim *sim,
		    const struct chair_outputs *cmd, const struct chair_targets *t, int technique)
{
	double pos = chair_sim_position(sim), depth = chair_sim_depth(sim);
	unsigned level = (unsigned)lround(depth / (pv->hw.depth_stroke_mm / 4.0));
	int z = chair_body_zone_at(&pv->body, pos);
	struct preview_zone *zone = &pv->zone[z < 0 ? CHAIR_ZONE_COUNT : z];
	bool knead = cmd->out[CHAIR_OUT_KNEAD_CW] || cmd->out[CHAIR_OUT_KNEAD_CCW];
	bool press = depth > PREVIEW_PRESSURE_MM || knead || cmd->out[CHAIR_OUT_TAP];

	zone->usec += dt;
	if (press)
		zone->pressure_usec += dt;
	zone->max_depth = MAX(zone->max_depth, level);
	pv->max_depth = MAX(pv->max_depth, level);
	if (technique >= 0)
		pv->technique_usec[technique] += dt;
	for (int a = 0; a < CHAIR_AIR_COUNT; a++) {
		if (cmd->out[chair_air_zone_valve((enum chair_air_zone)a)])
			pv->air_usec[a] += dt;
		pv->air_max_kpa[a] = MAX(pv->air_max_kpa[a],
					 chair_sim_pressure(sim, (enum chair_air_zone)a));
	}
	for (int h = 0; h < CHAIR_HEATER_COUNT; h++) {
		if (cmd->out[chair_heater_output((enum chair_heater)h)])
			pv->heat_usec[h] += dt;
		pv->heat_level[h] = MAX(pv->heat_level[h], t->heat[h]);
		pv->heat_max_c[h] = MAX(pv->heat_max_c[h],
					chair_sim_temperature(sim, (enum chair_heater)h));
	}
}

static void sample(struct preview *pv, const struct chair_sim *sim, const struct chair_outputs *cmd,
		   int technique, enum chair_phase phase)
{
	struct preview_sample *s = &pv->samples[pv->n_samples++];

	*s = (struct preview_sample){
		.pos_mm = (float)chair_sim_position(sim),
		.depth_mm = (float)chair_sim_depth(sim),
		.technique = (int8_t)technique,
		.phase = (uint8_t)phase,
		.knead = cmd->out[CHAIR_OUT_KNEAD_CW] || cmd->out[CHAIR_OUT_KNEAD_CCW],
		.tap = cmd->out[CHAIR_OUT_TAP],
		.vibrate = cmd->out[CHAIR_OUT_VIBRATE_SEAT],
	};
	for (int a = 0; a < CHAIR_AIR_COUNT; a++)
		if (cmd->out[chair_air_zone_valve((enum chair_air_zone)a)])
			s->air |= BIT(a);
	for (int h = 0; h < CHAIR_HEATER_COUNT; h++) {
		if (cmd->out[chair_heater_output((enum chair_heater)h)])
			s->heat |= BIT(h);
		s->temp_c[h] = (float)chair_sim_temperature(sim, (enum chair_heater)h);
	}
}

static int step_index(const struct chair_program *p, enum chair_phase ph, unsigned line)
{
	for (size_t i = 0; i < p->n_steps[ph] && i < CHAIR_PROGRAM_MAX_STEPS; i++)
		if (p->steps[ph][i].line == line)
			return (int)i;
	return -1;
}

struct loop {
	struct chair_sim *sim;
	struct chair_motion *motion;
	struct chair_safety *safety;
	struct chair_engine *engine;
};

static void loop_free(struct loop *l)
{
	chair_engine_free(l->engine);
	chair_safety_free(l->safety);
	chair_motion_free(l->motion);
	chair_sim_free(l->sim);
}

/* The session, one control step at a time, as the daemon runs it. */
static int run(struct preview *pv, struct loop *l,
	       bool ran[CHAIR_PHASE_COUNT][CHAIR_PROGRAM_MAX_STEPS])
{
	struct chair_inputs in;
	struct chair_sensors s;
	struct chair_targets t;
	struct chair_request req;
	struct chair_outputs cmd = { 0 };
	uint64_t now = START_USEC, next_sample = 0;
	int technique = -1;
	enum chair_phase phase = CHAIR_PHASE_WARM_UP;
	int r;

	chair_sim_read(l->sim, now, &in);
	chair_motion_observe(l->motion, now, &in, &cmd);
	r = chair_engine_new(pv->program, &pv->opt, &pv->hw, &pv->body, now, &l->engine);
	if (r < 0)
		return r;
	chair_motion_set_guard(l->motion, chair_engine_guard(l->engine));
	chair_safety_session_begin(l->safety);

	while (!chair_engine_finished(l->engine)) {
		unsigned ev;
		uint64_t elapsed;

		chair_sim_step(l->sim, STEP_USEC, &cmd);
		now += STEP_USEC;
		chair_sim_read(l->sim, now, &in);
		chair_motion_observe(l->motion, now, &in, &cmd);
		chair_motion_sensors(l->motion, &in, &s);
		chair_engine_tick(l->engine, now, &s, &t);
		chair_motion_request(l->motion, &in, &t, &req);
		ev = chair_safety_step(l->safety, now, &in, &req, &cmd);
		elapsed = chair_engine_elapsed(l->engine);

		if (!t.hold) {
			int i = step_index(pv->program, t.phase, t.line);

			technique = (int)t.technique;
			phase = t.phase;
			if (pv->phase_start[phase] < 0)
				pv->phase_start[phase] = elapsed <= STEP_USEC ? 0 : (int64_t)elapsed;
			if (i >= 0)
				ran[phase][i] = true;
		}
		account(pv, STEP_USEC, l->sim, &cmd, &t, technique);
		while (next_sample < elapsed && pv->n_samples < pv->duration / PREVIEW_SAMPLE_USEC + 1) {
			sample(pv, l->sim, &cmd, technique, phase);
			next_sample += PREVIEW_SAMPLE_USEC;
		}
		pv->elapsed = elapsed;
		if (chair_safety_latched(l->safety) || (ev & CHAIR_SAFETY_EV_CAP)) {
			char at[32];

			pv->faults = chair_safety_faults(l->safety);
			for (int f = 0; f < CHAIR_FAULT_COUNT; f++)
				if (pv->faults & BIT(f))
					warn(pv, "The chair stops after %s with the fault %s.",
					     span_text(elapsed, at, sizeof(at)),
					     chair_fault_to_string((enum chair_fault)f));
			if (ev & CHAIR_SAFETY_EV_CAP)
				warn(pv, "The session reaches the chair's cap after %s.",
				     span_text(elapsed, at, sizeof(at)));
			break;
		}
	}
	return 0;
}

static int check_ran(struct preview *pv, bool skipped[CHAIR_PHASE_COUNT][CHAIR_PROGRAM_MAX_STEPS],
		     bool ran[CHAIR_PHASE_COUNT][CHAIR_PROGRAM_MAX_STEPS])
{
	const struct chair_program *p = pv->program;
	char d[32];
	int r = 0;

	if (pv->faults)
		return 0;
	for (int ph = 0; ph < CHAIR_PHASE_COUNT && r >= 0; ph++)
		for (size_t i = 0; i < p->n_steps[ph] && i < CHAIR_PROGRAM_MAX_STEPS && r >= 0; i++) {
			const struct chair_step *st = &p->steps[ph][i];

			if (ran[ph][i] || skipped[ph][i])
				continue;
			if (ph == CHAIR_PHASE_MAIN)
				r = warn(pv, "%s:%u: this step never runs in a %s session: the %s "
					     "before the main phase reaches it.", p->path, st->line,
					 span_text(pv->duration, d, sizeof(d)),
					 p->n_steps[CHAIR_PHASE_CLOSE] ? "close begins" : "session ends");
			else
				r = warn(pv, "%s:%u: this %s step never runs in a %s session.", p->path,
					 st->line, chair_phase_to_string((enum chair_phase)ph),
					 span_text(pv->duration, d, sizeof(d)));
		}
	return r;
}

int preview_run(struct chair_program *p, const struct chair_options *o, const struct chair_hw *hw,
		struct preview **ret, char **ret_error)
{
	bool skipped[CHAIR_PHASE_COUNT][CHAIR_PROGRAM_MAX_STEPS] = { { false } };
	bool ran[CHAIR_PHASE_COUNT][CHAIR_PROGRAM_MAX_STEPS] = { { false } };
	struct loop l = { 0 };
	struct preview *pv;
	int r;

	r = chair_program_check_hw(p, hw, ret_error);
	if (r < 0)
		return r;
	r = chair_options_check(p, o, hw, ret_error);
	if (r < 0)
		return r;
	if (r != CHAIR_CHECK_OK)
		return r == CHAIR_CHECK_CONTRAINDICATED ? -EPERM : -EINVAL;

	pv = calloc(1, sizeof(*pv));
	if (!pv)
		return -ENOMEM;
	pv->program = chair_program_ref(p);
	pv->opt = *o;
	if (pv->opt.heat < 0)
		pv->opt.heat = (int)p->heat;
	pv->hw = *hw;
	chair_body_default(&pv->body, hw->track_length_mm);
	pv->duration = MIN(o->duration_usec ? o->duration_usec : p->duration_usec,
			   MIN(hw->max_session_usec, CHAIR_HW_MAX_SESSION_USEC));
	for (int ph = 0; ph < CHAIR_PHASE_COUNT; ph++)
		pv->phase_start[ph] = -1;
	for (int h = 0; h < CHAIR_HEATER_COUNT; h++)
		pv->heat_max_c[h] = CHAIR_SIM_AMBIENT_C;
	pv->samples = calloc(pv->duration / PREVIEW_SAMPLE_USEC + 1, sizeof(*pv->samples));
	r = pv->samples ? check_program(pv, skipped) : -ENOMEM;
	if (r >= 0 && (chair_sim_new(hw, &l.sim) < 0 || chair_motion_new(hw, &l.motion) < 0 ||
		       chair_safety_new(hw, &l.safety) < 0))
		r = -ENOMEM;
	if (r >= 0)
		r = run(pv, &l, ran);
	if (r >= 0)
		r = check_ran(pv, skipped, ran);
	loop_free(&l);
	if (r < 0) {
		preview_free(pv);
		return r;
	}
	*ret = pv;
	return 0;
}

struct preview *preview_free(struct preview *pv)
{
	if (!pv)
		return NULL;
	chair_program_unref(pv->program);
	chair_strv_free(pv->warnings);
	chair_strv_free(pv->adjustments);
	free(pv->samples);
	free(pv);
	return NULL;
}
