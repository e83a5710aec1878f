// SPDX-License-Identifier: MIT
/*
 * The session policy: one test per condition, the avoided back zones and
 * airbags, and each layer that keeps air off an avoided zone (the step
 * adaptation, the motion controller's guard, and the closed loop).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"
#include "macro.h"
#include "motion.h"
#include "policy.h"

#define BIT(x) (UINT32_C(1) << (x))
#define HEAD "id = t\nname = T\ndescription = A test.\nduration = 10min\n"

static struct chair_policy policy_for(uint32_t conditions, uint32_t avoid_back, uint32_t avoid_air)
{
	struct chair_options o;
	struct chair_hw hw;
	struct chair_policy p;

	chair_hw_default(&hw);
	chair_options_init(&o);
	o.conditions = conditions;
	o.avoid_back = avoid_back;
	o.avoid_air = avoid_air;
	chair_policy_init(&p, &o, &hw);
	return p;
}

static struct chair_step step_of(enum chair_technique t, uint32_t air)
{
	return (struct chair_step){ .technique = t, .speed = 5, .depth = 4, .air = air,
				    .width = CHAIR_WIDTH_WIDE };
}

static int check(uint32_t conditions, uint32_t avoid_back, uint32_t avoid_air,
		 const char *program, char **msg)
{
	struct chair_program p = { .id = (char *)program };
	struct chair_options o;
	struct chair_hw hw;

	chair_hw_default(&hw);
	chair_options_init(&o);
	o.conditions = conditions;
	o.avoid_back = avoid_back;
	o.avoid_air = avoid_air;
	*msg = NULL;
	return chair_options_check(&p, &o, &hw, msg);
}

static void test_nerve_pain(void **state)
{
	struct chair_policy p = policy_for(BIT(CHAIR_COND_NERVE_PAIN), 0, 0);
	struct chair_step st = step_of(CHAIR_TECH_TAP, 0);
	struct chair_hw hw;
	char *msg;

	(void)state;
	chair_hw_default(&hw);
	assert_int_equal(p.depth_cap, 1);
	assert_true(chair_policy_adapt_step(&p, &hw, &st));
	assert_int_equal(st.technique, CHAIR_TECH_KNEAD);
	assert_true(st.speed <= 2);
	st = step_of(CHAIR_TECH_GLIDE, 0);
	chair_policy_adapt_step(&p, &hw, &st);
	assert_int_equal(st.technique, CHAIR_TECH_ROLL);
	assert_int_equal(st.width, CHAIR_WIDTH_NARROW);
	assert_int_equal(check(BIT(CHAIR_COND_NERVE_PAIN), 0, 0, "deep-tissue", &msg),
			 CHAIR_CHECK_CONTRAINDICATED);
	assert_non_null(strstr(msg, "nerve pain"));
	free(msg);
	assert_int_equal(check(BIT(CHAIR_COND_NERVE_PAIN), 0, 0, "trigger-point", &msg),
			 CHAIR_CHECK_CONTRAINDICATED);
	free(msg);
	assert_int_equal(check(BIT(CHAIR_COND_NERVE_PAIN), 0, 0, "relax", &msg), CHAIR_CHECK_OK);
}

static void test_arthritis(void **state)
{
	struct chair_policy p = policy_for(BIT(CHAIR_COND_ARTHRITIS), 0, 0);
	struct chair_step st = step_of(CHAIR_TECH_TAP, 0);
	struct chair_hw hw;

	(void)state;
	chair_hw_default(&hw);
	assert_int_equal(p.depth_cap, 2);
	assert_true(p.no_percussion);
	assert_false(p.short_strokes);
	chair_policy_adapt_step(&p, &hw, &st);
	assert_int_equal(st.technique, CHAIR_TECH_KNEAD);
}

static void test_pregnancy(void **state)
{
	struct chair_policy p = policy_for(BIT(CHAIR_COND_PREGNANCY), 0, 0);

	(void)state;
	assert_true(p.avoid_back & BIT(CHAIR_ZONE_LOWER_BACK));
	assert_true(p.avoid_back & BIT(CHAIR_ZONE_SACRUM));
	assert_true(p.air_blocked & BIT(CHAIR_AIR_HIPS));
	assert_int_equal(p.heat_blocked, BIT(CHAIR_HEATER_COUNT) - 1);
	assert_int_equal(p.depth_cap, 4);
}

static void needs_avoid(enum chair_condition c)
{
	struct chair_policy p;
	char *msg;

	/* Without a zone that says where, Start refuses. */
	assert_int_equal(check(BIT(c), 0, 0, "relax", &msg), CHAIR_CHECK_INVALID);
	assert_non_null(strstr(msg, "avoid"));
	assert_non_null(strstr(msg, chair_condition_to_string(c)));
	free(msg);
	assert_int_equal(check(BIT(c), BIT(CHAIR_ZONE_LOWER_BACK), 0, "relax", &msg),
			 CHAIR_CHECK_OK);
	assert_int_equal(check(BIT(c), 0, BIT(CHAIR_AIR_CALVES), "relax", &msg), CHAIR_CHECK_OK);
	/* With one, the zone is free of pressure, air and heat. */
	p = policy_for(BIT(c), BIT(CHAIR_ZONE_LOWER_BACK), 0);
	assert_true(p.avoid_back & BIT(CHAIR_ZONE_LOWER_BACK));
	assert_true(p.air_blocked & BIT(CHAIR_AIR_HIPS));
	assert_true(p.heat_blocked & BIT(CHAIR_HEATER_LUMBAR));
	assert_false(p.heat_blocked & BIT(CHAIR_HEATER_CALVES));
}

/* What the session changed, in words: @p want is among them. */
static void assert_adjusted(uint32_t conditions, uint32_t avoid_back, uint32_t avoid_air,
			    const char *want)
{
	struct chair_program prog = { .id = "t", .heat = 2, .duration_usec = 600000000 };
	struct chair_options o;
	struct chair_hw hw;
	char **v = NULL;
	bool found = false;

	chair_hw_default(&hw);
	chair_options_init(&o);
	o.conditions = conditions;
	o.avoid_back = avoid_back;
	o.avoid_air = avoid_air;
	assert_true(chair_policy_adjustments(&prog, &o, &hw, &v) >= 0);
	for (char **s = v; s && *s; s++)
		found |= strcmp(*s, want) == 0;
	if (!found)
		for (char **s = v; s && *s; s++)
			printf("# adjusted: %s\n", *s);
	chair_strv_free(v);
	assert_true(found);
}

/* Each heater and airbag that stays off says the true reason: an avoided
 * place, or a swollen one only when the person said so. */
static void test_adjustments_say_why(void **state)
{
	(void)state;
	assert_adjusted(0, BIT(CHAIR_ZONE_SACRUM), 0,
			"The back heater is off: it warms the base of your spine, which is avoided.");
	assert_adjusted(0, BIT(CHAIR_ZONE_SACRUM), 0,
			"The hip airbags stay empty: they press on the base of your spine, which "
			"is avoided.");
	assert_adjusted(0, BIT(CHAIR_ZONE_LOWER_BACK) | BIT(CHAIR_ZONE_SACRUM), 0,
			"The hip airbags stay empty: they press on your lower back, which is "
			"avoided.");
	assert_adjusted(0, 0, BIT(CHAIR_AIR_CALVES),
			"The calf heater is off: your calves are avoided.");
	assert_adjusted(BIT(CHAIR_COND_INFLAMMATION), BIT(CHAIR_ZONE_LOWER_BACK), 0,
			"The back heater is off: no heat on a swollen or inflamed area.");
	assert_adjusted(BIT(CHAIR_COND_INFLAMMATION), 0, BIT(CHAIR_AIR_CALVES),
			"The calf heater is off: no heat on a swollen or inflamed area.");
}

static void test_inflammation(void **state)
{
	(void)state;
	needs_avoid(CHAIR_COND_INFLAMMATION);
}

static void test_recent_injury(void **state)
{
	(void)state;
	needs_avoid(CHAIR_COND_RECENT_INJURY);
}

/* Each airbag zone in avoid: never inflated, its compress step skipped,
 * and the calves' heater off with the calves. */
static void test_avoid_air_zones(void **state)
{
	struct chair_hw hw;

	(void)state;
	chair_hw_default(&hw);
	for (int z = 0; z < CHAIR_AIR_COUNT; z++) {
		struct chair_policy p = policy_for(0, 0, BIT(z));
		struct chair_step st = step_of(CHAIR_TECH_COMPRESS, BIT(z));
		struct chair_step both = step_of(CHAIR_TECH_COMPRESS, (BIT(CHAIR_AIR_COUNT) - 1));

		assert_true(p.air_blocked & BIT(z));
		assert_false(chair_policy_adapt_step(&p, &hw, &st));
		assert_true(chair_policy_adapt_step(&p, &hw, &both));
		assert_int_equal(both.air, (BIT(CHAIR_AIR_COUNT) - 1) & ~BIT(z));
		assert_int_equal(!!(p.heat_blocked & BIT(CHAIR_HEATER_CALVES)), z == CHAIR_AIR_CALVES);
	}
	/* The shoulder airbag and the shoulder zone go together. */
	assert_true(policy_for(0, 0, BIT(CHAIR_AIR_SHOULDERS)).avoid_back & BIT(CHAIR_ZONE_SHOULDERS));
	assert_true(policy_for(0, BIT(CHAIR_ZONE_SHOULDERS), 0).air_blocked & BIT(CHAIR_AIR_SHOULDERS));
}

/* The motion controller keeps a blocked airbag empty whatever the
 * targets ask: the second layer. */
static void test_motion_blocks_air(void **state)
{
	struct chair_motion *m;
	struct chair_hw hw;
	struct chair_guard g = { .air_blocked = BIT(CHAIR_AIR_HIPS) };
	struct chair_targets t;
	struct chair_inputs in = { 0 };
	struct chair_request req;

	(void)state;
	chair_hw_default(&hw);
	assert_int_equal(chair_motion_new(&hw, &m), 0);
	chair_motion_set_guard(m, &g);
	chair_targets_idle(&t);
	t.hold = false;
	t.session = true;
	t.air = BIT(CHAIR_AIR_HIPS) | BIT(CHAIR_AIR_FEET);
	t.pump = true;
	chair_motion_request(m, &in, &t, &req);
	assert_false(req.out[CHAIR_OUT_VALVE_HIPS]);
	assert_true(req.out[CHAIR_OUT_VALVE_FEET]);
	chair_motion_free(m);
}

/* Before walk-bottom has fixed the roller's position (after a restart it
 * can be anywhere), any walk target means: down until the switch. */
static void test_motion_finds_bottom(void **state)
{
	struct chair_motion *m;
	struct chair_hw hw;
	struct chair_targets t;
	struct chair_inputs in = { 0 };
	struct chair_request req;

	(void)state;
	chair_hw_default(&hw);
	assert_int_equal(chair_motion_new(&hw, &m), 0);
	chair_targets_idle(&t);
	t.hold = false;
	t.walk_mm = -10.0; /* parking */
	chair_motion_request(m, &in, &t, &req);
	assert_true(req.out[CHAIR_OUT_WALK_DOWN]);
	t.walk_mm = 300.0;
	chair_motion_request(m, &in, &t, &req);
	assert_true(req.out[CHAIR_OUT_WALK_DOWN]);
	assert_false(req.out[CHAIR_OUT_WALK_UP]);
	/* Once the switch is seen, targets are targets. */
	in.in[CHAIR_IN_WALK_BOTTOM] = true;
	chair_motion_observe(m, 1000000, &in, &(struct chair_outputs){ 0 });
	in.in[CHAIR_IN_WALK_BOTTOM] = false;
	chair_motion_request(m, &in, &t, &req);
	assert_true(req.out[CHAIR_OUT_WALK_UP]);
	chair_motion_free(m);
}

/* The whole loop: with an airbag zone avoided, its valve never opens. */
static void test_closed_loop_avoid_air(void **state)
{
	struct chair_program *p = harness_program(
		HEAD "[main]\ncompress air=shoulders+arms+hips+calves+feet pressure=3 speed=3 "
		     "cycles=2\nknead shoulders..sacrum speed=3 depth=2 cycles=1\n");

	(void)state;
	for (int z = 0; z < CHAIR_AIR_COUNT; z++) {
		enum chair_output v = chair_air_zone_valve((enum chair_air_zone)z);
		struct chair_options o;
		struct harness h;
		bool others = false;

		chair_options_init(&o);
		o.duration_usec = 5 * USEC_PER_MIN;
		o.avoid_air = BIT(z);
		harness_init(&h, NULL);
		assert_int_equal(harness_start(&h, p, &o), 0);
		for (int i = 0; i < 3 * 60 * 100 && h.engine; i++) {
			harness_tick(&h);
			assert_false(h.cmd.out[v]);
			for (int k = 0; k < CHAIR_AIR_COUNT; k++)
				others |= k != z && h.cmd.out[chair_air_zone_valve((enum chair_air_zone)k)];
		}
		/* The other airbags did work: the test can see air. */
		assert_true(others);
		assert_string_equal(h.violation, "");
		harness_free(&h);
	}
	chair_program_unref(p);
}

static void test_option_ranges(void **state)
{
	struct chair_program prog = { .id = (char *)"relax" };
	struct chair_options o;
	struct chair_hw hw;
	char *msg = NULL;

	(void)state;
	chair_hw_default(&hw);
	chair_options_init(&o);
	o.focus = CHAIR_ZONE_NECK;
	o.avoid_back = BIT(CHAIR_ZONE_NECK);
	assert_int_equal(chair_options_check(&prog, &o, &hw, &msg), CHAIR_CHECK_INVALID);
	assert_non_null(strstr(msg, "focus neck is also in avoid"));
	free(msg);
	chair_options_init(&o);
	o.duration_usec = 31 * USEC_PER_MIN;
	assert_int_equal(chair_options_check(&prog, &o, &hw, &msg), CHAIR_CHECK_INVALID);
	free(msg);
	hw.max_session_usec = 15 * USEC_PER_MIN;
	o.duration_usec = 20 * USEC_PER_MIN;
	assert_int_equal(chair_options_check(&prog, &o, &hw, &msg), CHAIR_CHECK_INVALID);
	free(msg);
	assert_int_equal(chair_hw_session_cap(&hw), 15 * USEC_PER_MIN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nerve_pain),
		cmocka_unit_test(test_arthritis),
		cmocka_unit_test(test_pregnancy),
		cmocka_unit_test(test_inflammation),
		cmocka_unit_test(test_adjustments_say_why),
		cmocka_unit_test(test_recent_injury),
		cmocka_unit_test(test_avoid_air_zones),
		cmocka_unit_test(test_motion_blocks_air),
		cmocka_unit_test(test_motion_finds_bottom),
		cmocka_unit_test(test_closed_loop_avoid_air),
		cmocka_unit_test(test_option_ranges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
