// SPDX-License-Identifier: MIT
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"
#include "macro.h"

void harness_init(struct harness *h, const struct chair_hw *hw)
{
	memset(h, 0, sizeof(*h));
	if (hw)
		h->hw = *hw;
	else
		chair_hw_default(&h->hw);
	chair_body_default(&h->body, h->hw.track_length_mm);
	assert_int_equal(chair_sim_new(&h->hw, &h->sim), 0);
	assert_int_equal(chair_motion_new(&h->hw, &h->motion), 0);
	assert_int_equal(chair_safety_new(&h->hw, &h->safety), 0);
	h->now = 1000000;
	chair_targets_idle(&h->targets);
	chair_sim_read(h->sim, h->now, &h->in);
	chair_motion_observe(h->motion, h->now, &h->in, &h->cmd);
}

void harness_free(struct harness *h)
{
	chair_engine_free(h->engine);
	chair_sim_free(h->sim);
	chair_motion_free(h->motion);
	chair_safety_free(h->safety);
}

int harness_start(struct harness *h, struct chair_program *p, const struct chair_options *o)
{
	int r;

	chair_engine_free(h->engine);
	h->engine = NULL;
	r = chair_engine_new(p, o, &h->hw, &h->body, h->now, &h->engine);
	if (r < 0)
		return r;
	chair_motion_set_guard(h->motion, chair_engine_guard(h->engine));
	chair_safety_session_begin(h->safety);
	return 0;
}

_printf_(2, 3) static void violate(struct harness *h, const char *fmt, ...)
{
	va_list ap;

	if (h->violation[0])
		return;
	va_start(ap, fmt);
	vsnprintf(h->violation, sizeof(h->violation), fmt, ap);
	va_end(ap);
}

static void check_invariants(struct harness *h)
{
	static const enum chair_output pairs[][2] = {
		{ CHAIR_OUT_WALK_UP, CHAIR_OUT_WALK_DOWN },
		{ CHAIR_OUT_KNEAD_CW, CHAIR_OUT_KNEAD_CCW },
		{ CHAIR_OUT_DEPTH_IN, CHAIR_OUT_DEPTH_OUT },
		{ CHAIR_OUT_RECLINE_UP, CHAIR_OUT_RECLINE_DOWN },
	};
	const bool *o = h->cmd.out;
	bool any_valve = false;

	for (size_t i = 0; i < ELEMENTSOF(pairs); i++) {
		enum chair_output a = pairs[i][0], b = pairs[i][1];

		if (o[a] && o[b])
			violate(h, "t=%.3f: %s and %s both on", h->now / 1e6,
				chair_output_to_string(a), chair_output_to_string(b));
		if (o[a] && !h->last_on[a] && h->last_on[b] &&
		    h->now - h->last_on[b] < CHAIR_SAFETY_DEAD_TIME_USEC)
			violate(h, "t=%.3f: %s reversed without dead time", h->now / 1e6,
				chair_output_to_string(a));
		if (o[b] && !h->last_on[b] && h->last_on[a] &&
		    h->now - h->last_on[a] < CHAIR_SAFETY_DEAD_TIME_USEC)
			violate(h, "t=%.3f: %s reversed without dead time", h->now / 1e6,
				chair_output_to_string(b));
	}
	for (int z = 0; z < CHAIR_AIR_COUNT; z++)
		any_valve |= o[chair_air_zone_valve((enum chair_air_zone)z)];
	if (o[CHAIR_OUT_PUMP] && !any_valve)
		violate(h, "t=%.3f: pump on with every valve shut", h->now / 1e6);
	for (int ht = 0; ht < CHAIR_HEATER_COUNT; ht++) {
		if (o[chair_heater_output((enum chair_heater)ht)] && (!h->req.session || !h->in.in[CHAIR_IN_SEAT]))
			violate(h, "t=%.3f: heater %s on outside an occupied session", h->now / 1e6,
				chair_heater_to_string((enum chair_heater)ht));
		if (chair_sim_temperature(h->sim, (enum chair_heater)ht) > h->hw.heater_max_c[ht] + 0.5 &&
		    !chair_sim_fault_active(h->sim, CHAIR_SIM_FAULT_HEATER_RELAY_WELDED))
			violate(h, "t=%.3f: heater %s at %.1f C", h->now / 1e6,
				chair_heater_to_string((enum chair_heater)ht),
				chair_sim_temperature(h->sim, (enum chair_heater)ht));
	}
	if (o[CHAIR_OUT_WALK_UP] && h->in.in[CHAIR_IN_WALK_TOP])
		violate(h, "t=%.3f: walk-up at the top limit", h->now / 1e6);
	if (o[CHAIR_OUT_WALK_DOWN] && h->in.in[CHAIR_IN_WALK_BOTTOM])
		violate(h, "t=%.3f: walk-down at the bottom limit", h->now / 1e6);
	if (chair_safety_latched(h->safety) && !chair_outputs_all_off(&h->cmd))
		violate(h, "t=%.3f: output on while latched", h->now / 1e6);
	if (o[CHAIR_OUT_DEPTH_IN] && chair_hw_max_depth(&h->hw) == 0)
		violate(h, "t=%.3f: depth-in on a chair with max depth 0", h->now / 1e6);
	for (int i = 0; i < CHAIR_OUTPUT_COUNT; i++)
		if (o[i])
			h->driven |= UINT32_C(1) << i;
	for (int i = 0; i < CHAIR_OUTPUT_COUNT; i++)
		h->last_on[i] = o[i] ? h->now : (h->last_on[i] && h->now - h->last_on[i] < 10000000
							 ? h->last_on[i] : 0);
}

void harness_tick(struct harness *h)
{
	struct chair_sensors s;

	chair_sim_step(h->sim, HARNESS_TICK_USEC, &h->cmd);
	h->now += HARNESS_TICK_USEC;
	chair_sim_read(h->sim, h->now, &h->in);
	chair_motion_observe(h->motion, h->now, &h->in, &h->cmd);
	chair_motion_sensors(h->motion, &h->in, &s);
	if (h->engine)
		chair_engine_tick(h->engine, h->now, &s, &h->targets);
	else
		chair_targets_idle(&h->targets);
	chair_motion_request(h->motion, &h->in, &h->targets, &h->req);
	h->events = chair_safety_step(h->safety, h->now, &h->in, &h->req, &h->cmd);
	h->all_events |= h->events;
	/* A latched stop ends the session, as the daemon does. */
	if (h->engine && (chair_safety_latched(h->safety) || chair_engine_finished(h->engine))) {
		if (!chair_engine_finished(h->engine))
			h->engine = chair_engine_free(h->engine);
	}
	check_invariants(h);
}

void harness_run(struct harness *h, uint64_t max_usec)
{
	uint64_t end = h->now + max_usec;

	while (h->now < end && h->engine && !chair_engine_finished(h->engine))
		harness_tick(h);
}

struct chair_program *harness_program(const char *text)
{
	struct chair_program *p = NULL;
	char *err = NULL;
	int r;

	r = chair_program_parse("test.program", text, strlen(text), &p, &err);
	if (r < 0)
		fail_msg("test program does not parse: %s", err ? err : "?");
	free(err);
	return p;
}

struct chair_program *harness_builtin(const char *id)
{
	struct chair_program *p = NULL;
	char path[4096];
	char *err = NULL;
	const char *dir = getenv("CHAIRD_PROGRAMS_SRC");
	int r;

	snprintf(path, sizeof(path), "%s/%s.program", dir ? dir : "data/programs", id);
	r = chair_program_load(path, &p, &err);
	if (r < 0)
		fail_msg("cannot load %s: %s", path, err ? err : strerror(-r));
	free(err);
	return p;
}
