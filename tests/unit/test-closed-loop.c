// SPDX-License-Identifier: MIT
/*
 * Every built-in program, for its full default duration, at every
 * intensity: engine -> motion -> safety -> sim on a fake clock. No safety
 * invariant may break, no fault may latch, and every session ends on time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <cmocka.h>

#include "harness.h"
#include "macro.h"

static const char *const builtins[] = {
	"swedish",  "deep-tissue", "trigger-point",      "shiatsu",      "hot-stone", "sports",
	"myofascial-release", "craniosacral", "lower-back", "relax", "energize",
};

static void run_program_on(const char *id, unsigned intensity, const struct chair_hw *hw)
{
	struct harness h;
	struct chair_program *p = harness_builtin(id);
	struct chair_options o;
	uint64_t start, duration, last_elapsed = 0;
	bool moved = false;

	harness_init(&h, hw);
	chair_options_init(&o);
	o.intensity = intensity;
	o.heat = 2;
	assert_int_equal(harness_start(&h, p, &o), 0);
	duration = chair_engine_duration(h.engine);
	assert_int_equal(duration, p->duration_usec);
	start = h.now;
	while (h.engine && !chair_engine_finished(h.engine) && h.now - start < duration + USEC_PER_MIN) {
		harness_tick(&h);
		if (h.engine)
			last_elapsed = chair_engine_elapsed(h.engine);
		moved |= h.cmd.out[CHAIR_OUT_WALK_UP] || h.cmd.out[CHAIR_OUT_WALK_DOWN];
	}
	if (h.violation[0])
		fail_msg("%s at intensity %u: %s", id, intensity, h.violation);
	if (chair_safety_faults(h.safety))
		fail_msg("%s at intensity %u: fault 0x%x latched at t=%.1f s", id, intensity,
			 chair_safety_faults(h.safety), (h.now - start) / 1e6);
	assert_non_null(h.engine);
	assert_true(chair_engine_finished(h.engine));
	/* Ends exactly at its duration, on the tick that reaches it. */
	assert_int_equal(last_elapsed, duration);
	assert_true(h.now - start >= duration);
	assert_true(h.now - start < duration + HARNESS_TICK_USEC);
	assert_true(moved);
	/* Nothing the chair lacks was driven, and the depth never went out
	 * where it may not. */
	assert_int_equal(h.driven & ~h.hw.outputs, 0);
	harness_free(&h);
	chair_program_unref(p);
}

static void run_program(const char *id, unsigned intensity)
{
	run_program_on(id, intensity, NULL);
}

static void test_all_programs(void **state)
{
	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(builtins); i++)
		for (unsigned intensity = 1; intensity <= 5; intensity++)
			run_program(builtins[i], intensity);
}

/* A simpler chair: walk motor with encoder, a kneading motor that turns
 * one way, four airbags, one heater, no depth motor, no tap, no vibration,
 * no recline. Every program still runs to its end, on time. */
static void test_simple_chair(void **state)
{
	struct chair_hw hw;

	(void)state;
	chair_hw_default(&hw);
	hw.outputs &= ~((UINT32_C(1) << CHAIR_OUT_DEPTH_IN) | (UINT32_C(1) << CHAIR_OUT_DEPTH_OUT) |
			(UINT32_C(1) << CHAIR_OUT_KNEAD_CCW) | (UINT32_C(1) << CHAIR_OUT_TAP) |
			(UINT32_C(1) << CHAIR_OUT_VIBRATE_SEAT) | (UINT32_C(1) << CHAIR_OUT_VALVE_FEET) |
			(UINT32_C(1) << CHAIR_OUT_HEAT_CALVES) | (UINT32_C(1) << CHAIR_OUT_RECLINE_UP) |
			(UINT32_C(1) << CHAIR_OUT_RECLINE_DOWN));
	hw.inputs &= ~(UINT32_C(1) << CHAIR_IN_DEPTH_HOME);
	for (size_t i = 0; i < ELEMENTSOF(builtins); i++)
		run_program_on(builtins[i], 3, &hw);
}

/* A depth motor that the map caps at 0: it never goes out. */
static void test_max_depth_zero(void **state)
{
	struct chair_hw hw;

	(void)state;
	chair_hw_default(&hw);
	hw.max_depth = 0;
	for (size_t i = 0; i < ELEMENTSOF(builtins); i++)
		run_program_on(builtins[i], 5, &hw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_programs),
		cmocka_unit_test(test_simple_chair),
		cmocka_unit_test(test_max_depth_zero),
	};

	return cmocka_run_group_tests_name("closed-loop", tests, NULL, NULL);
}
