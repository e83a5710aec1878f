// SPDX-License-Identifier: MIT
/*
 * The engine on timelines with a fake clock, closed through the motion
 * controller, the safety core and the simulated physics. The assertions
 * read what the chair physically does (sim position, depth, outputs).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"
#include "macro.h"

#define HEAD "id = t\nname = T\ndescription = A test.\nduration = 10min\n"

static bool roller_working(const struct harness *h)
{
	const bool *o = h->cmd.out;

	return o[CHAIR_OUT_KNEAD_CW] || o[CHAIR_OUT_KNEAD_CCW] || o[CHAIR_OUT_TAP] ||
	       chair_sim_depth(h->sim) > 1.0;
}

static bool any_air(const struct harness *h)
{
	for (int z = 0; z < CHAIR_AIR_COUNT; z++)
		if (h->cmd.out[chair_air_zone_valve((enum chair_air_zone)z)])
			return true;
	return h->cmd.out[CHAIR_OUT_PUMP];
}

static void start(struct harness *h, struct chair_program *p, const struct chair_options *o)
{
	harness_init(h, NULL);
	assert_int_equal(harness_start(h, p, o), 0);
}

static void test_ends_exactly(void **state)
{
	struct chair_program *p = harness_builtin("deep-tissue");
	struct chair_options o;
	struct harness h;
	uint64_t begin;

	(void)state;
	chair_options_init(&o);
	o.duration_usec = 5 * USEC_PER_MIN;
	start(&h, p, &o);
	begin = h.now;
	while (!chair_engine_finished(h.engine)) {
		assert_true(chair_engine_elapsed(h.engine) < o.duration_usec);
		harness_tick(&h);
	}
	assert_int_equal(chair_engine_elapsed(h.engine), o.duration_usec);
	assert_int_equal(h.now - begin, o.duration_usec);
	/* The close phase ran, and the last work was its last step. */
	assert_int_equal(h.violation[0], 0);
	harness_free(&h);
	chair_program_unref(p);
}

static void test_close_phase_on_time(void **state)
{
	struct chair_program *p = harness_builtin("swedish");
	struct chair_options o;
	struct harness h;
	uint64_t begin, close_seen = 0;

	(void)state;
	chair_options_init(&o);
	o.duration_usec = 7 * USEC_PER_MIN;
	start(&h, p, &o);
	begin = h.now;
	while (!chair_engine_finished(h.engine)) {
		harness_tick(&h);
		if (!close_seen && h.targets.phase == CHAIR_PHASE_CLOSE && !h.targets.hold)
			close_seen = h.now - begin;
	}
	/* swedish's close is 30s + 45s: it begins 75 s before the end. */
	assert_true(close_seen >= o.duration_usec - 75 * USEC_PER_SEC);
	assert_true(close_seen <= o.duration_usec - 75 * USEC_PER_SEC + HARNESS_TICK_USEC);
	harness_free(&h);
	chair_program_unref(p);
}

static void run_avoid_lower_back(const char *id)
{
	struct chair_program *p = harness_builtin(id);
	struct chair_options o;
	struct harness h;
	double top, bottom;
	uint64_t inside = 0;

	chair_options_init(&o);
	o.avoid_back = 1u << CHAIR_ZONE_LOWER_BACK;
	o.heat = 3;
	o.intensity = 5;
	start(&h, p, &o);
	chair_body_zone_span(&h.body, CHAIR_ZONE_LOWER_BACK, &top, &bottom);
	while (!chair_engine_finished(h.engine)) {
		double pos;

		harness_tick(&h);
		assert_false(h.cmd.out[CHAIR_OUT_HEAT_LUMBAR]);
		pos = chair_sim_position(h.sim);
		if (pos < bottom || pos >= top)
			continue;
		inside++;
		if (chair_sim_depth(h.sim) > 0.5 || h.cmd.out[CHAIR_OUT_KNEAD_CW] ||
		    h.cmd.out[CHAIR_OUT_KNEAD_CCW] || h.cmd.out[CHAIR_OUT_TAP] || any_air(&h))
			fail_msg("%s: pressure in lower-back at t=%.2f pos=%.1f depth=%.1f", id,
				 (double)chair_engine_elapsed(h.engine) / 1e6, pos, chair_sim_depth(h.sim));
	}
	/* The roller did cross lower-back, so the check above had teeth. */
	assert_true(inside > 100);
	assert_int_equal(h.violation[0], 0);
	harness_free(&h);
	chair_program_unref(p);
}

static void test_avoid_lower_back(void **state)
{
	(void)state;
	run_avoid_lower_back("swedish");
	run_avoid_lower_back("deep-tissue");
	run_avoid_lower_back("shiatsu");
	run_avoid_lower_back("myofascial-release");
}

static void test_nerve_pain(void **state)
{
	struct chair_program *p;
	struct chair_options o;
	struct harness h;
	struct chair_hw hw;
	char *msg = NULL;
	double run_start = -1, last_pos = 0;
	int last_dir = 0;
	double max_stroke = 0, max_depth = 0;

	(void)state;
	chair_hw_default(&hw);
	chair_options_init(&o);
	o.conditions = 1u << CHAIR_COND_NERVE_PAIN;

	p = harness_builtin("deep-tissue");
	assert_int_equal(chair_options_check(p, &o, &hw, &msg), CHAIR_CHECK_CONTRAINDICATED);
	assert_string_equal(msg, "The deep-tissue program is not suitable with nerve pain. Choose a "
				 "gentler program such as relax or craniosacral.");
	free(msg);
	chair_program_unref(p);
	p = harness_builtin("trigger-point");
	assert_int_equal(chair_options_check(p, &o, &hw, &msg), CHAIR_CHECK_CONTRAINDICATED);
	free(msg);
	chair_program_unref(p);

	/* swedish is allowed, with depth at most 1, no percussion and short
	 * strokes. */
	p = harness_builtin("swedish");
	o.intensity = 5;
	msg = NULL;
	assert_int_equal(chair_options_check(p, &o, &hw, &msg), CHAIR_CHECK_OK);
	assert_null(msg);
	start(&h, p, &o);
	while (!chair_engine_finished(h.engine)) {
		double pos, depth;
		int dir;

		harness_tick(&h);
		assert_false(h.cmd.out[CHAIR_OUT_TAP]);
		depth = chair_sim_depth(h.sim);
		max_depth = MAX(max_depth, depth);
		pos = chair_sim_position(h.sim);
		dir = h.cmd.out[CHAIR_OUT_WALK_UP] ? 1 : h.cmd.out[CHAIR_OUT_WALK_DOWN] ? -1 : 0;
		/* A stroke: travel in one direction with the roller pressing. */
		if (dir && depth > 1.0) {
			if (dir != last_dir || run_start < 0)
				run_start = last_pos;
			max_stroke = MAX(max_stroke, fabs(pos - run_start));
		} else if (dir == 0 || depth <= 1.0) {
			run_start = -1;
		}
		last_dir = dir;
		last_pos = pos;
	}
	assert_true(max_depth <= chair_hw_depth_mm(&h.hw, 1) + 0.6);
	assert_true(max_depth >= chair_hw_depth_mm(&h.hw, 1) - 1.0);
	assert_true(max_stroke <= 110.0);
	harness_free(&h);
	chair_program_unref(p);
}

static void test_arthritis_and_pregnancy(void **state)
{
	struct chair_program *p = harness_builtin("sports");
	struct chair_options o;
	struct harness h;
	double max_depth = 0;
	double top, bottom;

	(void)state;
	chair_options_init(&o);
	o.conditions = 1u << CHAIR_COND_ARTHRITIS;
	o.intensity = 5;
	start(&h, p, &o);
	while (!chair_engine_finished(h.engine)) {
		harness_tick(&h);
		assert_false(h.cmd.out[CHAIR_OUT_TAP]);
		max_depth = MAX(max_depth, chair_sim_depth(h.sim));
	}
	assert_true(max_depth <= chair_hw_depth_mm(&h.hw, 2) + 0.6);
	assert_true(max_depth >= chair_hw_depth_mm(&h.hw, 2) - 1.0);
	harness_free(&h);

	/* Pregnancy: no heat, no pressure on lower-back or sacrum. */
	chair_options_init(&o);
	o.conditions = 1u << CHAIR_COND_PREGNANCY;
	o.heat = 3;
	start(&h, p, &o);
	assert_int_equal(chair_engine_heat(h.engine), 0);
	chair_body_zone_span(&h.body, CHAIR_ZONE_LOWER_BACK, &top, &bottom);
	while (!chair_engine_finished(h.engine)) {
		harness_tick(&h);
		assert_false(h.cmd.out[CHAIR_OUT_HEAT_LUMBAR]);
		assert_false(h.cmd.out[CHAIR_OUT_HEAT_CALVES]);
		assert_false(h.cmd.out[CHAIR_OUT_VALVE_HIPS]);
		if (chair_sim_position(h.sim) < top)
			assert_false(roller_working(&h));
	}
	harness_free(&h);
	chair_program_unref(p);
}

static void test_options_check(void **state)
{
	struct chair_program *p = harness_builtin("swedish");
	struct chair_options o;
	struct chair_hw hw;
	char *msg = NULL;

	(void)state;
	chair_hw_default(&hw);
#define EXPECT(code, text)                                                          \
	do {                                                                        \
		msg = NULL;                                                         \
		assert_int_equal(chair_options_check(p, &o, &hw, &msg), code);      \
		if (!msg || !strstr(msg, text))                                     \
			fail_msg("expected '%s', got '%s'", text, msg ? msg : "");  \
		free(msg);                                                          \
		chair_options_init(&o);                                             \
	} while (0)

	chair_options_init(&o);
	o.intensity = 0;
	EXPECT(CHAIR_CHECK_INVALID, "intensity 0 is out of range; use 1 (softest) to 5 (firmest)");
	o.intensity = 6;
	EXPECT(CHAIR_CHECK_INVALID, "intensity 6 is out of range");
	o.heat = 4;
	EXPECT(CHAIR_CHECK_INVALID, "heat 4 is out of range; use 0 (off) to 3");
	o.duration_usec = 4 * USEC_PER_MIN;
	EXPECT(CHAIR_CHECK_INVALID, "duration_usec 240000000 is out of range; a session lasts 300000000 to 1800000000 (5 to 30 minutes)");
	o.duration_usec = 31 * USEC_PER_MIN;
	EXPECT(CHAIR_CHECK_INVALID, "is out of range");
	o.focus = CHAIR_ZONE_MID_BACK;
	o.avoid_back = 1u << CHAIR_ZONE_MID_BACK;
	EXPECT(CHAIR_CHECK_INVALID, "focus mid-back is also in avoid");
	o.conditions = 1u << CHAIR_COND_INFLAMMATION;
	EXPECT(CHAIR_CHECK_INVALID, "condition inflammation needs at least one avoid zone");
	o.conditions = 1u << CHAIR_COND_RECENT_INJURY;
	EXPECT(CHAIR_CHECK_INVALID, "condition recent-injury needs at least one avoid zone");
	/* A lower cap in the map lowers the longest session. */
	hw.max_session_usec = 20 * USEC_PER_MIN;
	o.duration_usec = 25 * USEC_PER_MIN;
	EXPECT(CHAIR_CHECK_INVALID, "(5 to 20 minutes)");
	chair_hw_default(&hw);

	o.conditions = 1u << CHAIR_COND_INFLAMMATION;
	o.avoid_back = 1u << CHAIR_ZONE_SHOULDERS;
	msg = NULL;
	assert_int_equal(chair_options_check(p, &o, &hw, &msg), CHAIR_CHECK_OK);
	o.conditions = 1u << CHAIR_COND_PREGNANCY;
	chair_program_unref(p);
	p = harness_builtin("hot-stone");
	EXPECT(CHAIR_CHECK_CONTRAINDICATED, "The hot-stone program is not suitable with pregnancy.");
#undef EXPECT
	chair_program_unref(p);
}

static void test_swedish_ends_in_tapotement(void **state)
{
	struct chair_program *p = harness_builtin("swedish");
	struct chair_options o;
	struct harness h;
	enum chair_technique last = CHAIR_TECHNIQUE_COUNT;
	uint64_t tap_on = 0, tail = 0;

	(void)state;
	chair_options_init(&o);
	start(&h, p, &o);
	while (!chair_engine_finished(h.engine)) {
		harness_tick(&h);
		if (h.targets.hold)
			continue;
		last = h.targets.technique;
		if (chair_engine_duration(h.engine) - chair_engine_elapsed(h.engine) <= 45 * USEC_PER_SEC) {
			tail++;
			tap_on += h.cmd.out[CHAIR_OUT_TAP];
			assert_int_equal(h.targets.technique, CHAIR_TECH_TAP);
		}
	}
	assert_int_equal(last, CHAIR_TECH_TAP);
	/* Percussion runs for most of the last 45 s. */
	assert_true(tap_on * 2 > tail);
	harness_free(&h);
	chair_program_unref(p);
}

static void zone_time(const char *id, int focus, double ret[CHAIR_ZONE_COUNT])
{
	struct chair_program *p = harness_builtin(id);
	struct chair_options o;
	struct harness h;

	chair_options_init(&o);
	o.focus = focus;
	start(&h, p, &o);
	memset(ret, 0, sizeof(double) * CHAIR_ZONE_COUNT);
	while (!chair_engine_finished(h.engine)) {
		int z;

		harness_tick(&h);
		z = chair_body_zone_at(&h.body, chair_sim_position(h.sim));
		if (z >= 0 && roller_working(&h))
			ret[z] += HARNESS_TICK_USEC / 1e6;
	}
	harness_free(&h);
	chair_program_unref(p);
}

static void test_focus(void **state)
{
	static const struct {
		const char *id;
		int zone;
	} cases[] = {
		{ "swedish", CHAIR_ZONE_MID_BACK },
		{ "deep-tissue", CHAIR_ZONE_UPPER_BACK },
		{ "relax", CHAIR_ZONE_LOWER_BACK },
	};

	(void)state;
	for (size_t c = 0; c < ELEMENTSOF(cases); c++) {
		double with[CHAIR_ZONE_COUNT], without[CHAIR_ZONE_COUNT];
		int f = cases[c].zone;

		zone_time(cases[c].id, -1, without);
		zone_time(cases[c].id, f, with);
		for (int z = 0; z < CHAIR_ZONE_COUNT; z++)
			if (z != f && with[z] >= with[f])
				fail_msg("%s focus %s: %s got %.0f s, the focus %.0f s", cases[c].id,
					 chair_zone_to_string(f), chair_zone_to_string(z), with[z], with[f]);
		assert_true(with[f] > without[f] * 1.3);
	}
}

static double mean_knead_position(double shoulder_mm)
{
	struct chair_program *p = harness_program(HEAD "[main]\nknead shoulders speed=3 depth=1 cycles=1\n");
	struct chair_options o;
	struct harness h;
	double sum = 0;
	unsigned n = 0;

	chair_options_init(&o);
	harness_init(&h, NULL);
	assert_int_equal(chair_body_from_scan(&h.body, shoulder_mm, h.hw.track_length_mm), 0);
	assert_int_equal(harness_start(&h, p, &o), 0);
	for (int i = 0; i < 6000; i++) {
		harness_tick(&h);
		if (h.cmd.out[CHAIR_OUT_KNEAD_CW] || h.cmd.out[CHAIR_OUT_KNEAD_CCW]) {
			sum += chair_sim_position(h.sim);
			n++;
		}
	}
	assert_true(n > 100);
	harness_free(&h);
	chair_program_unref(p);
	return sum / n;
}

static void test_positions_scale(void **state)
{
	double small, tall;

	(void)state;
	small = mean_knead_position(500.0);
	tall = mean_knead_position(650.0);
	/* The shoulders zone of the reference body is 460-580 mm: centre 520. */
	assert_true(fabs(small - 520.0 * 500.0 / 580.0) < 6.0);
	assert_true(fabs(tall - 520.0 * 650.0 / 580.0) < 6.0);
	assert_true(fabs(tall / small - 650.0 / 500.0) < 0.03);
}

static double max_depth_for(struct harness *h, uint64_t usec)
{
	double m = 0;

	for (uint64_t t = 0; t < usec; t += HARNESS_TICK_USEC) {
		harness_tick(h);
		m = MAX(m, chair_sim_depth(h->sim));
	}
	return m;
}

static void test_live_intensity(void **state)
{
	struct chair_program *p = harness_program(HEAD "[main]\nglide upper-back..lower-back speed=3 depth=2 time=10min\n");
	struct chair_options o;
	struct harness h;

	(void)state;
	chair_options_init(&o);
	start(&h, p, &o);
	assert_true(fabs(max_depth_for(&h, 30 * USEC_PER_SEC) - 20.0) < 1.0);
	assert_int_equal(chair_engine_set_intensity(h.engine, 5), 0);
	assert_true(fabs(max_depth_for(&h, 30 * USEC_PER_SEC) - 30.0) < 1.0);
	assert_int_equal(chair_engine_set_intensity(h.engine, 1), 0);
	max_depth_for(&h, 5 * USEC_PER_SEC);
	assert_true(fabs(max_depth_for(&h, 30 * USEC_PER_SEC) - 10.0) < 1.0);
	assert_int_equal(chair_engine_set_intensity(h.engine, 6), -ERANGE);
	assert_int_equal(chair_engine_intensity(h.engine), 1);
	harness_free(&h);
	chair_program_unref(p);
}

static void test_heat_levels(void **state)
{
	struct chair_program *p = harness_program(HEAD "[main]\nglide neck..sacrum speed=2 depth=0 time=10min\n");
	struct chair_options o;
	struct harness h;
	static const double setpoint[] = { 0, 40.0, 45.0, 50.0 };

	(void)state;
	chair_options_init(&o);
	o.heat = 3;
	o.duration_usec = 30 * USEC_PER_MIN;
	start(&h, p, &o);
	for (unsigned level = 3; level >= 1; level--) {
		double lo = 1e9, hi = -1e9;

		assert_int_equal(chair_engine_set_heat(h.engine, level), 0);
		/* Settle, then hold within 2 degrees for a minute. */
		for (int i = 0; i < 18000; i++)
			harness_tick(&h);
		for (int i = 0; i < 6000; i++) {
			double t = chair_sim_temperature(h.sim, CHAIR_HEATER_LUMBAR);

			harness_tick(&h);
			lo = MIN(lo, t);
			hi = MAX(hi, t);
		}
		assert_true(lo >= setpoint[level] - 2.0);
		assert_true(hi <= setpoint[level] + 2.0);
	}
	assert_int_equal(chair_engine_set_heat(h.engine, 4), -ERANGE);
	assert_int_equal(h.violation[0], 0);
	harness_free(&h);
	chair_program_unref(p);
}

struct seen {
	bool out[CHAIR_OUTPUT_COUNT];
	unsigned reversals;
	double max_kpa;
	double max_recline;
	double min_pos, max_pos;
	uint64_t press_still; /* longest time with depth out and the walk still */
};

static void technique_run(const char *step, uint64_t usec, struct seen *s)
{
	char text[512];
	struct chair_program *p;
	struct chair_options o;
	struct harness h;
	int last_dir = 0;
	uint64_t still = 0;

	snprintf(text, sizeof(text), HEAD "[main]\n%s\n", step);
	p = harness_program(text);
	chair_options_init(&o);
	start(&h, p, &o);
	memset(s, 0, sizeof(*s));
	s->min_pos = 1e9;
	/* Let the roller reach the zone first. */
	for (int i = 0; i < 1500; i++)
		harness_tick(&h);
	for (uint64_t t = 0; t < usec; t += HARNESS_TICK_USEC) {
		int dir;

		harness_tick(&h);
		for (int o2 = 0; o2 < CHAIR_OUTPUT_COUNT; o2++)
			s->out[o2] |= h.cmd.out[o2];
		dir = h.cmd.out[CHAIR_OUT_WALK_UP] ? 1 : h.cmd.out[CHAIR_OUT_WALK_DOWN] ? -1 : 0;
		if (dir && last_dir && dir != last_dir)
			s->reversals++;
		if (dir)
			last_dir = dir;
		for (int z = 0; z < CHAIR_AIR_COUNT; z++)
			s->max_kpa = MAX(s->max_kpa, chair_sim_pressure(h.sim, (enum chair_air_zone)z));
		s->max_recline = MAX(s->max_recline, chair_sim_recline(h.sim));
		s->min_pos = MIN(s->min_pos, chair_sim_position(h.sim));
		s->max_pos = MAX(s->max_pos, chair_sim_position(h.sim));
		if (!dir && chair_sim_depth(h.sim) > 15.0)
			still += HARNESS_TICK_USEC;
		else
			still = 0;
		s->press_still = MAX(s->press_still, still);
	}
	assert_int_equal(h.violation[0], 0);
	harness_free(&h);
	chair_program_unref(p);
}

static void test_techniques(void **state)
{
	struct seen s;

	(void)state;
	technique_run("glide neck..sacrum speed=3 depth=2 time=10min", 60 * USEC_PER_SEC, &s);
	assert_true(s.out[CHAIR_OUT_WALK_UP] && s.out[CHAIR_OUT_WALK_DOWN]);
	assert_false(s.out[CHAIR_OUT_KNEAD_CW] || s.out[CHAIR_OUT_TAP]);
	assert_true(s.max_pos - s.min_pos > 500.0);

	technique_run("knead shoulders..mid-back speed=3 depth=2 time=10min", 60 * USEC_PER_SEC, &s);
	assert_true(s.out[CHAIR_OUT_KNEAD_CW] && s.out[CHAIR_OUT_KNEAD_CCW]);
	assert_false(s.out[CHAIR_OUT_TAP]);

	technique_run("tap upper-back speed=5 depth=1 time=10min", 30 * USEC_PER_SEC, &s);
	assert_true(s.out[CHAIR_OUT_TAP]);
	assert_false(s.out[CHAIR_OUT_KNEAD_CW] || s.out[CHAIR_OUT_KNEAD_CCW]);

	technique_run("press mid-back@50% speed=1 depth=3 hold=20s time=10min", 60 * USEC_PER_SEC, &s);
	assert_true(s.out[CHAIR_OUT_DEPTH_IN] && s.out[CHAIR_OUT_DEPTH_OUT]);
	assert_true(s.press_still >= 20 * USEC_PER_SEC);
	assert_true(s.max_pos - s.min_pos < 5.0);

	technique_run("roll upper-back..lower-back speed=3 depth=2 width=medium time=10min", 60 * USEC_PER_SEC, &s);
	assert_true(s.reversals >= 4);
	assert_false(s.out[CHAIR_OUT_KNEAD_CW] || s.out[CHAIR_OUT_TAP]);

	technique_run("friction mid-back speed=5 depth=2 width=narrow time=10min", 30 * USEC_PER_SEC, &s);
	assert_true(s.reversals >= 20);
	assert_true(s.max_pos - s.min_pos < 140.0);

	technique_run("vibrate upper-back..lower-back speed=3 time=10min", 30 * USEC_PER_SEC, &s);
	assert_true(s.out[CHAIR_OUT_VIBRATE_SEAT]);

	technique_run("compress air=calves+feet pressure=3 speed=3 time=10min", 30 * USEC_PER_SEC, &s);
	assert_true(s.out[CHAIR_OUT_PUMP] && s.out[CHAIR_OUT_VALVE_CALVES] && s.out[CHAIR_OUT_VALVE_FEET]);
	assert_false(s.out[CHAIR_OUT_VALVE_ARMS]);
	assert_true(s.max_kpa > 10.0);

	technique_run("stretch speed=3 time=10min", 60 * USEC_PER_SEC, &s);
	assert_true(s.out[CHAIR_OUT_RECLINE_DOWN] && s.out[CHAIR_OUT_RECLINE_UP]);
	assert_true(s.out[CHAIR_OUT_VALVE_CALVES] && s.out[CHAIR_OUT_VALVE_FEET]);
	assert_true(s.max_recline > 60.0);

	technique_run("rest time=10min", 30 * USEC_PER_SEC, &s);
	for (int o = 0; o < CHAIR_OUTPUT_COUNT; o++)
		if (o != CHAIR_OUT_HEAT_LUMBAR && o != CHAIR_OUT_HEAT_CALVES && o != CHAIR_OUT_DEPTH_OUT &&
		    o != CHAIR_OUT_WALK_DOWN && o != CHAIR_OUT_WALK_UP)
			assert_false(s.out[o]);
}

/* A step ends when all its actuators are done: the air cycle outlasts the
 * kneading here, and the next step waits for it. */
static void test_step_waits_for_all_actuators(void **state)
{
	struct chair_program *p = harness_program(
		HEAD "[main]\nknead sacrum speed=5 width=wide cycles=1 air=calves pressure=3\n"
		     "tap upper-back speed=3 time=30s\n");
	struct chair_options o;
	struct harness h;
	uint64_t knead_off = 0, air_done = 0, tap_start = 0;
	bool valve = false;

	(void)state;
	chair_options_init(&o);
	start(&h, p, &o);
	while (!tap_start && h.now < 200 * USEC_PER_SEC) {
		bool k;

		harness_tick(&h);
		k = h.cmd.out[CHAIR_OUT_KNEAD_CW] || h.cmd.out[CHAIR_OUT_KNEAD_CCW];
		if (k)
			knead_off = 0;
		else if (!knead_off)
			knead_off = h.now;
		if (h.cmd.out[CHAIR_OUT_VALVE_CALVES])
			valve = true;
		if (valve && !h.cmd.out[CHAIR_OUT_VALVE_CALVES] && !air_done)
			air_done = h.now;
		if (h.targets.technique == CHAIR_TECH_TAP)
			tap_start = h.now;
	}
	assert_true(valve);
	assert_true(tap_start > 0);
	/* The kneading finished well before the air, and the step waited for
	 * the vent that ends the air cycle. */
	assert_true(knead_off + 5 * USEC_PER_SEC < air_done);
	assert_true(tap_start >= air_done + 3 * USEC_PER_SEC - HARNESS_TICK_USEC);
	harness_free(&h);
	chair_program_unref(p);
}

static void test_pause(void **state)
{
	struct chair_program *p = harness_builtin("energize");
	struct chair_options o;
	struct harness h;
	uint64_t begin, at;

	(void)state;
	chair_options_init(&o);
	start(&h, p, &o);
	begin = h.now;
	for (int i = 0; i < 6000; i++)
		harness_tick(&h);
	chair_engine_pause(h.engine, h.now);
	at = chair_engine_elapsed(h.engine);
	for (int i = 0; i < 6000; i++) {
		harness_tick(&h);
		assert_true(h.targets.hold);
		assert_false(h.cmd.out[CHAIR_OUT_WALK_UP] || h.cmd.out[CHAIR_OUT_WALK_DOWN] ||
			     h.cmd.out[CHAIR_OUT_HEAT_LUMBAR] || h.cmd.out[CHAIR_OUT_TAP]);
	}
	assert_int_equal(chair_engine_elapsed(h.engine), at);
	assert_true(chair_engine_paused(h.engine));
	chair_engine_resume(h.engine, h.now);
	while (!chair_engine_finished(h.engine))
		harness_tick(&h);
	/* Paused time does not count. */
	assert_int_equal(h.now - begin, p->duration_usec + 60 * USEC_PER_SEC);
	harness_free(&h);
	chair_program_unref(p);
}

static int run_scan(struct harness *h, double *ret)
{
	struct chair_scan *scan = NULL;
	struct chair_sensors s;
	int r = 0;

	assert_int_equal(chair_scan_new(&h->hw, h->now, &scan), 0);
	for (int i = 0; i < 10000 && r == 0; i++) {
		chair_sim_step(h->sim, HARNESS_TICK_USEC, &h->cmd);
		h->now += HARNESS_TICK_USEC;
		chair_sim_read(h->sim, h->now, &h->in);
		chair_motion_observe(h->motion, h->now, &h->in, &h->cmd);
		chair_motion_sensors(h->motion, &h->in, &s);
		r = chair_scan_tick(scan, h->now, &s, &h->targets, ret);
		chair_motion_request(h->motion, &h->in, &h->targets, &h->req);
		chair_safety_step(h->safety, h->now, &h->in, &h->req, &h->cmd);
	}
	chair_scan_free(scan);
	return r;
}

static void test_scan(void **state)
{
	struct harness h;
	double shoulder = 0;

	(void)state;
	harness_init(&h, NULL);
	chair_sim_set_shoulder(h.sim, 523.0);
	assert_int_equal(run_scan(&h, &shoulder), 1);
	assert_true(fabs(shoulder - 523.0) < 3.0);
	assert_int_equal(chair_body_from_scan(&h.body, shoulder, h.hw.track_length_mm), 0);
	assert_true(h.body.scanned);
	harness_free(&h);

	/* No shoulder line within the track: the roller reaches the top, and
	 * the scan fails rather than guess. */
	harness_init(&h, NULL);
	chair_sim_set_shoulder(h.sim, 900.0);
	assert_int_equal(run_scan(&h, &shoulder), -ENOENT);
	harness_free(&h);
}

static void test_body(void **state)
{
	struct chair_body b;
	double top, bottom;

	(void)state;
	chair_body_default(&b, 720.0);
	assert_false(b.scanned);
	assert_true(b.shoulder_mm == CHAIR_REF_SHOULDER_MM);
	chair_body_zone_span(&b, CHAIR_ZONE_SHOULDERS, &top, &bottom);
	assert_true(top == 580.0 && bottom == 460.0);
	assert_int_equal(chair_body_zone_at(&b, 50.0), CHAIR_ZONE_SACRUM);
	assert_int_equal(chair_body_zone_at(&b, 150.0), CHAIR_ZONE_LOWER_BACK);
	assert_int_equal(chair_body_zone_at(&b, 600.0), CHAIR_ZONE_NECK);
	assert_int_equal(chair_body_zone_at(&b, 700.0), -1);
	assert_true(chair_body_point(&b, CHAIR_ZONE_MID_BACK, 50) == 280.0);
	assert_int_equal(chair_body_from_scan(&b, 300.0, 720.0), -ERANGE);
	assert_false(b.scanned);
	assert_int_equal(chair_body_from_scan(&b, 638.0, 720.0), 0);
	chair_body_zone_span(&b, CHAIR_ZONE_SHOULDERS, &top, &bottom);
	assert_true(fabs(top - 638.0) < 0.01 && fabs(bottom - 506.0) < 0.01);
	/* The neck of a tall person is clamped to the track. */
	chair_body_zone_span(&b, CHAIR_ZONE_NECK, &top, &bottom);
	assert_true(top == 720.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_body),
		cmocka_unit_test(test_ends_exactly),
		cmocka_unit_test(test_close_phase_on_time),
		cmocka_unit_test(test_avoid_lower_back),
		cmocka_unit_test(test_nerve_pain),
		cmocka_unit_test(test_arthritis_and_pregnancy),
		cmocka_unit_test(test_options_check),
		cmocka_unit_test(test_swedish_ends_in_tapotement),
		cmocka_unit_test(test_focus),
		cmocka_unit_test(test_positions_scale),
		cmocka_unit_test(test_live_intensity),
		cmocka_unit_test(test_heat_levels),
		cmocka_unit_test(test_techniques),
		cmocka_unit_test(test_step_waits_for_all_actuators),
		cmocka_unit_test(test_pause),
		cmocka_unit_test(test_scan),
	};

	return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
