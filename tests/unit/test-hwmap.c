// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hwmap.h"
#include "macro.h"

/* The smallest valid chair: the stop button and a vibrating seat. */
#define MINI "[input estop]\nline = gpiochip0 1\n[output vibrate-seat]\nline = gpiochip0 2\n"

struct bad {
	const char *text;
	unsigned line;
	const char *message;
};

static const struct bad bad_maps[] = {
	{ MINI "[motor walk]\n", 5, "unknown section [motor walk]; expected [chair], [output NAME], [input NAME] or [heater NAME]" },
	{ MINI "[output walk-left]\n", 5, "unknown output 'walk-left'; expected one of: walk-up, walk-down" },
	{ MINI "[input panic]\n", 5, "unknown input 'panic'; expected one of: estop, seat" },
	{ MINI "[heater back]\n", 5, "unknown heater 'back'; expected lumbar or calves" },
	{ MINI "[output pump]\nline = gpiochip0 3\ncolour = red\n", 7, "unknown key 'colour' in [output pump]; expected line, active-low, drive, pwm and pwm-period-ns" },
	{ MINI "[input seat]\nline = gpiochip0 3\nspeed = 3\n", 7, "unknown key 'speed' in [input seat]; expected line, active-low, bias and debounce-us" },
	{ MINI "[chair]\nwidth-mm = 3\n", 6, "unknown key 'width-mm' in [chair]" },
	{ MINI "[output vibrate-seat]\nline = gpiochip0 9\n", 5, "[output vibrate-seat] is given twice (first at line 3)" },
	{ MINI "[output pump]\nactive-low = no\n", 5, "[output pump] has no line; add 'line = CHIP OFFSET' or 'line = NAME'" },
	{ MINI "[output pump]\nline = gpiochip0 five\n", 6, "line 'gpiochip0 five' is not valid; write 'CHIP OFFSET'" },
	{ MINI "[output pump]\nline = gpiochip0 2\n", 5, "gpiochip0 2 is used twice: by vibrate-seat (line 3) and pump" },
	{ MINI "[input seat]\nline = gpiochip0 2\n", 5, "gpiochip0 2 is both an output (vibrate-seat) and an input (seat); a line is one or the other" },
	{ MINI "[output recline-down]\nline = gpiochip0 3\n", 5, "recline-down has no opposite: a motor that drives one way needs recline-up too" },
	{ MINI "[output heat-lumbar]\nline = gpiochip0 3\n", 5, "heat-lumbar has no temperature sensor: add [heater lumbar] with 'sensor = PATH'" },
	{ MINI "[heater calves]\nsensor = /sys/x\n", 5, "[heater calves] has no [output heat-calves] to switch it" },
	{ MINI "[output heat-calves]\nline = gpiochip0 3\n[heater calves]\nscale = 1\n", 7, "[heater calves] has no sensor; add 'sensor = PATH'" },
	/* A key given twice would move a motor to another line: an error. */
	{ MINI "line = gpiochip0 40\n", 5, "'line' is given twice in [output vibrate-seat] (first at line 4); give it once" },
	{ MINI "[input seat]\nline = gpiochip0 3\nbias = pull-up\nbias = pull-down\n", 8, "'bias' is given twice in [input seat] (first at line 7)" },
	{ MINI "[chair]\nmax-depth = 2\nmax-depth = 4\n", 7, "'max-depth' is given twice in [chair] (first at line 6)" },
	{ MINI "[output heat-calves]\nline = gpiochip0 3\n[heater calves]\nsensor = /a\nsensor = /b\n", 9, "'sensor' is given twice in [heater calves] (first at line 8)" },
	/* Each section has its own keys. */
	{ MINI "[output pump]\nline = gpiochip0 2\n", 5, "gpiochip0 2 is used twice" },
	{ MINI "[output pump]\n= gpiochip0 3\n", 6, "'= gpiochip0 3' has no key; write 'key = value'" },
	{ MINI "[output pump]\nline = gpiochip0 3\n[input seat]\nline = \xc3\n", 1, "not a hardware map (a UTF-8 text file of at most 64 KiB)" },
	{ MINI "[output heat-calves]\nline = gpiochip0 3\n[heater calves]\nsensor = /t\nmax-c = 60\n", 9, "max-c 60 is above the hard maximum of 55 C (or below 30); the map may only lower it" },
	{ MINI "[output heat-calves]\nline = gpiochip0 3\n[heater calves]\nsensor = /t\nmax-c = 48\n", 9, "heat 3 (50 C) must stay at least 1 C below max-c (48 C)" },
	{ MINI "[output heat-calves]\nline = gpiochip0 3\n[heater calves]\nsensor = /t\nsetpoints-c = 45 40 50\n", 9, "setpoints-c '45 40 50' is not valid; give three rising temperatures" },
	{ MINI "[output heat-calves]\nline = gpiochip0 3\n[heater calves]\nsensor = relative/path\n", 8, "sensor 'relative/path' is not an absolute path" },
	{ MINI "[chair]\nmax-session-min = 45\n", 6, "max-session-min 45 is out of range; a session lasts at most 30 minutes" },
	{ MINI "[chair]\nmax-depth = 5\n", 6, "max-depth 5 is out of range; depth levels are 0 to 4" },
	{ MINI "[chair]\ntrack-length-mm = -3\n", 6, "track-length-mm -3 is out of range; expected 200 to 1500" },
	{ MINI "[chair]\n[chair]\n", 6, "section [chair] is given twice" },
	{ MINI "[input seat]\nline = gpiochip0 3\nbias = strong\n", 7, "bias 'strong' is not valid; write as-is, disabled, pull-up or pull-down" },
	{ MINI "[input seat]\nline = gpiochip0 3\nactive-low = maybe\n", 7, "active-low 'maybe' is not valid; write yes or no" },
	{ MINI "[input seat]\nline = gpiochip0 3\ndebounce-us = 500000\n", 7, "debounce-us 500000 is out of range; expected 0 to 100000" },
	{ MINI "[output pump]\nline = gpiochip0 3\nbias = pull-up\n", 7, "bias is for inputs; [output pump] takes line, active-low, drive, pwm and pwm-period-ns" },
	{ MINI "[input seat]\nline = gpiochip0 3\ndrive = open-drain\n", 7, "drive is for outputs; [input seat] takes line, active-low, bias and debounce-us" },
	{ MINI "[output pump]\nline = gpiochip0 3\npwm = pwmchip0 1\n", 7, "pwm only applies to motors; pump is switched on and off" },
	{ MINI "[output tap]\nline = gpiochip0 3\npwm = timer0 1\n", 7, "pwm 'timer0 1' is not valid; write 'pwmchipN CHANNEL'" },
	{ MINI "[output tap]\nline = gpiochip0 3\ndrive = strong\n", 7, "drive 'strong' is not valid; write push-pull, open-drain or open-source" },
	{ MINI "[output valve-feet]\nline = gpiochip0 3\n", 5, "valve-feet needs a pump: add [output pump]" },
	{ MINI "[output walk-up]\nline = gpiochip0 3\n[output walk-down]\nline = gpiochip0 4\n", 5, "the walk motor needs both limit switches: add [input walk-top] and [input walk-bottom]" },
	{ "[output vibrate-seat]\nline = gpiochip0 2\n", 2, "the map has no [input estop]: chaird must see the stop button" },
	{ "[input estop]\nline = gpiochip0 1\n", 2, "the map names no outputs" },
	{ "line = gpiochip0 1\n", 1, "'line' must be inside a section such as [chair] or [output walk-up]" },
	{ MINI "just words\n", 5, "expected 'key = value' or a section header" },
	{ MINI "[output pump]\nline =\n", 6, "'line' has no value" },
	{ MINI "[output tap]\nline = spi0 3\n", 6, "chip 'spi0' is not valid; write gpiochipN or a path under /dev" },
};

static void test_bad_maps(void **state)
{
	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(bad_maps); i++) {
		struct chair_map *m = NULL;
		char *err = NULL;
		char want[64];
		int r = chair_map_parse("bad.conf", bad_maps[i].text, strlen(bad_maps[i].text), &m, &err);

		if (r != -EINVAL || !err)
			fail_msg("map %zu: expected '%s', got r=%d", i, bad_maps[i].message, r);
		snprintf(want, sizeof(want), "bad.conf:%u: ", bad_maps[i].line);
		if (strncmp(err, want, strlen(want)) != 0 || !strstr(err, bad_maps[i].message))
			fail_msg("map %zu: expected '%s%s...', got '%s'", i, want, bad_maps[i].message, err);
		assert_null(m);
		free(err);
	}
	assert_true(ELEMENTSOF(bad_maps) >= 15);
}

static void test_example_map(void **state)
{
	const char *dir = getenv("CHAIRD_DATA_DIR");
	char path[4096];
	struct chair_map *m = NULL;
	char *err = NULL;

	(void)state;
	snprintf(path, sizeof(path), "%s/chaird.conf", dir ? dir : "data");
	if (chair_map_load(path, &m, &err) < 0)
		fail_msg("the example map does not load: %s", err);
	/* A complete chair: every part. */
	assert_int_equal(m->hw.outputs, (1u << CHAIR_OUTPUT_COUNT) - 1);
	assert_int_equal(m->hw.inputs, (1u << CHAIR_INPUT_COUNT) - 1);
	assert_string_equal(m->out[CHAIR_OUT_WALK_UP].chip, "gpiochip0");
	assert_int_equal(m->out[CHAIR_OUT_WALK_UP].offset, 5);
	assert_string_equal(m->out[CHAIR_OUT_WALK_UP].pwm_chip, "pwmchip0");
	assert_int_equal(m->out[CHAIR_OUT_WALK_UP].pwm_period_ns, 50000);
	assert_true(m->hw.has_pwm[CHAIR_OUT_WALK_DOWN]);
	assert_false(m->hw.has_pwm[CHAIR_OUT_DEPTH_IN]);
	assert_true(m->in[CHAIR_IN_WALK_TOP].active_low);
	assert_int_equal(m->in[CHAIR_IN_WALK_TOP].bias, CHAIR_BIAS_PULL_UP);
	assert_int_equal(m->in[CHAIR_IN_WALK_TOP].debounce_us, 2000);
	assert_false(m->in[CHAIR_IN_ESTOP].active_low);
	assert_string_equal(m->heater[CHAIR_HEATER_LUMBAR].sensor,
			    "/sys/bus/iio/devices/iio:device0/in_temp0_input");
	assert_true(m->heater[CHAIR_HEATER_LUMBAR].scale == 0.001);
	assert_true(m->hw.heater_max_c[CHAIR_HEATER_CALVES] == 55.0);
	assert_true(m->hw.track_length_mm == 720.0);
	assert_int_equal(m->hw.max_session_usec, 30 * USEC_PER_MIN);
	chair_map_free(m);
}

static void test_partial_chair(void **state)
{
	static const char text[] =
		"[chair]\nmax-depth = 2\nmax-session-min = 20\n"
		"[input estop]\nline = ESTOP_IN\n"
		"[output knead-cw]\nline = /dev/gpiochip2 4\nactive-low = true\ndrive = open-drain\n"
		"[output knead-ccw]\nline = KNEAD_B\n"
		"[output heat-lumbar]\nline = gpiochip2 7\n"
		"[heater lumbar]\nsensor = /sys/class/thermal/thermal_zone3/temp\nmax-c = 48\n"
		"setpoints-c = 38, 42, 46\noffset-c = -1.5\n";
	struct chair_map *m = NULL;
	char *err = NULL;

	(void)state;
	if (chair_map_parse("part.conf", text, strlen(text), &m, &err) < 0)
		fail_msg("%s", err);
	/* Only the parts it names. */
	assert_int_equal(m->hw.outputs, (1u << CHAIR_OUT_KNEAD_CW) | (1u << CHAIR_OUT_KNEAD_CCW) |
						(1u << CHAIR_OUT_HEAT_LUMBAR));
	assert_int_equal(m->hw.inputs, 1u << CHAIR_IN_ESTOP);
	assert_string_equal(m->in[CHAIR_IN_ESTOP].name, "ESTOP_IN");
	assert_null(m->in[CHAIR_IN_ESTOP].chip);
	assert_string_equal(m->out[CHAIR_OUT_KNEAD_CW].chip, "/dev/gpiochip2");
	assert_int_equal(m->out[CHAIR_OUT_KNEAD_CW].drive, CHAIR_DRIVE_OPEN_DRAIN);
	assert_true(m->out[CHAIR_OUT_KNEAD_CW].active_low);
	assert_int_equal(m->hw.max_depth, 2);
	assert_int_equal(m->hw.max_session_usec, 20 * USEC_PER_MIN);
	assert_true(m->hw.heater_max_c[CHAIR_HEATER_LUMBAR] == 48.0);
	assert_true(m->hw.heater_setpoint_c[CHAIR_HEATER_LUMBAR][2] == 46.0);
	assert_true(m->heater[CHAIR_HEATER_LUMBAR].offset == -1.5);
	assert_false(chair_hw_has_heater(&m->hw, CHAIR_HEATER_CALVES));
	chair_map_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_maps),
		cmocka_unit_test(test_example_map),
		cmocka_unit_test(test_partial_chair),
	};

	return cmocka_run_group_tests_name("hwmap", tests, NULL, NULL);
}
