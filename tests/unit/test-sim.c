// SPDX-License-Identifier: MIT
/* The simulated chair's physics, and its injected faults, alone and in the
 * closed loop with the safety core. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"
#include "macro.h"

#define MS (UINT64_C(1000))
#define SEC (UINT64_C(1000000))

static void run(struct chair_sim *s, uint64_t usec, const struct chair_outputs *c)
{
	for (uint64_t t = 0; t < usec; t += 10 * MS)
		chair_sim_step(s, 10 * MS, c);
}

static void test_encoder_matches_travel(void **state)
{
	struct chair_hw hw;
	struct chair_sim *s;
	struct chair_outputs c = { 0 };
	struct chair_inputs in;
	double travel = 0, before;

	(void)state;
	chair_hw_default(&hw);
	assert_int_equal(chair_sim_new(&hw, &s), 0);
	chair_sim_read(s, 0, &in);
	assert_true(in.in[CHAIR_IN_WALK_BOTTOM]);
	assert_false(in.in[CHAIR_IN_WALK_TOP]);

	c.out[CHAIR_OUT_WALK_UP] = true;
	c.duty[CHAIR_OUT_WALK_UP] = 50;
	before = chair_sim_position(s);
	run(s, 5 * SEC, &c);
	/* 60 mm/s at half duty for 5 s. */
	assert_true(fabs(chair_sim_position(s) - 150.0) < 0.5);
	travel += fabs(chair_sim_position(s) - before);
	assert_true(llabs((long long)chair_sim_pulses(s) - (long long)(travel / hw.mm_per_pulse)) <= 1);

	c.out[CHAIR_OUT_WALK_UP] = false;
	c.out[CHAIR_OUT_WALK_DOWN] = true;
	c.duty[CHAIR_OUT_WALK_DOWN] = 100;
	before = chair_sim_position(s);
	run(s, 1 * SEC, &c);
	travel += fabs(chair_sim_position(s) - before);
	assert_true(llabs((long long)chair_sim_pulses(s) - (long long)(travel / hw.mm_per_pulse)) <= 1);

	/* Up to the top: the limit switch closes and travel stops there. */
	c.out[CHAIR_OUT_WALK_DOWN] = false;
	c.out[CHAIR_OUT_WALK_UP] = true;
	c.duty[CHAIR_OUT_WALK_UP] = 100;
	before = chair_sim_position(s);
	run(s, 20 * SEC, &c);
	travel += fabs(chair_sim_position(s) - before);
	chair_sim_read(s, 0, &in);
	assert_true(in.in[CHAIR_IN_WALK_TOP]);
	assert_true(chair_sim_position(s) == hw.track_length_mm);
	assert_true(llabs((long long)chair_sim_pulses(s) - (long long)(travel / hw.mm_per_pulse)) <= 1);
	chair_sim_free(s);
}

/* The odometry in the motion controller follows the sim from pulses. */
static void test_odometry(void **state)
{
	struct harness h;
	struct chair_sensors sens;

	(void)state;
	harness_init(&h, NULL);
	h.cmd.out[CHAIR_OUT_WALK_UP] = true;
	h.cmd.duty[CHAIR_OUT_WALK_UP] = 100;
	for (int i = 0; i < 500; i++) {
		chair_sim_step(h.sim, 10 * MS, &h.cmd);
		h.now += 10 * MS;
		chair_sim_read(h.sim, h.now, &h.in);
		chair_motion_observe(h.motion, h.now, &h.in, &h.cmd);
	}
	chair_motion_sensors(h.motion, &h.in, &sens);
	assert_true(chair_motion_homed(h.motion));
	assert_true(fabs(sens.position_mm - chair_sim_position(h.sim)) <= h.hw.mm_per_pulse);
	harness_free(&h);
}

/* Short strokes back and forth, each a part of a slot long: the odometry
 * stays within a slot of the roller however many reversals there are. */
static void test_odometry_through_reversals(void **state)
{
	struct harness h;
	struct chair_sensors sens;
	double worst = 0;

	(void)state;
	harness_init(&h, NULL);
	for (int cycle = 0; cycle < 400; cycle++) {
		for (int i = 0; i < 5; i++) {
			bool up = i < 3;

			h.cmd.out[CHAIR_OUT_WALK_UP] = up;
			h.cmd.out[CHAIR_OUT_WALK_DOWN] = !up;
			h.cmd.duty[CHAIR_OUT_WALK_UP] = h.cmd.duty[CHAIR_OUT_WALK_DOWN] = 100;
			chair_sim_step(h.sim, 10 * MS, &h.cmd);
			h.now += 10 * MS;
			chair_sim_read(h.sim, h.now, &h.in);
			chair_motion_observe(h.motion, h.now, &h.in, &h.cmd);
			chair_motion_sensors(h.motion, &h.in, &sens);
			worst = MAX(worst, fabs(sens.position_mm - chair_sim_position(h.sim)));
		}
	}
	/* 400 strokes of 1.8 mm up and 1.2 mm down. */
	assert_true(fabs(chair_sim_position(h.sim) - 240.0) < 0.01);
	if (worst > h.hw.mm_per_pulse)
		fail_msg("the odometry drifted %.2f mm from the roller", worst);
	harness_free(&h);
}

static void test_depth_air_recline(void **state)
{
	struct chair_hw hw;
	struct chair_sim *s;
	struct chair_outputs c = { 0 };
	struct chair_inputs in;

	(void)state;
	chair_hw_default(&hw);
	assert_int_equal(chair_sim_new(&hw, &s), 0);
	chair_sim_read(s, 0, &in);
	assert_true(in.in[CHAIR_IN_DEPTH_HOME]);
	c.out[CHAIR_OUT_DEPTH_IN] = true;
	run(s, 1 * SEC, &c);
	assert_true(fabs(chair_sim_depth(s) - 20.0) < 0.1);
	chair_sim_read(s, 0, &in);
	assert_false(in.in[CHAIR_IN_DEPTH_HOME]);
	c.out[CHAIR_OUT_DEPTH_IN] = false;
	c.out[CHAIR_OUT_DEPTH_OUT] = true;
	run(s, 2 * SEC, &c);
	chair_sim_read(s, 0, &in);
	assert_true(in.in[CHAIR_IN_DEPTH_HOME]);
	c.out[CHAIR_OUT_DEPTH_OUT] = false;

	/* Pump and valve inflate; the valve alone holds; unpowered, it vents. */
	c.out[CHAIR_OUT_PUMP] = true;
	c.out[CHAIR_OUT_VALVE_CALVES] = true;
	run(s, 3 * SEC, &c);
	assert_true(fabs(chair_sim_pressure(s, CHAIR_AIR_CALVES) - 18.0) < 0.2);
	assert_true(chair_sim_pressure(s, CHAIR_AIR_FEET) == 0.0);
	c.out[CHAIR_OUT_PUMP] = false;
	run(s, 3 * SEC, &c);
	assert_true(chair_sim_pressure(s, CHAIR_AIR_CALVES) > 17.5);
	c.out[CHAIR_OUT_VALVE_CALVES] = false;
	run(s, 2 * SEC, &c);
	assert_true(chair_sim_pressure(s, CHAIR_AIR_CALVES) == 0.0);

	c.out[CHAIR_OUT_RECLINE_DOWN] = true;
	run(s, 6 * SEC, &c);
	assert_true(fabs(chair_sim_recline(s) - 50.0) < 0.5);
	chair_sim_free(s);
}

static void test_shoulder_and_seat(void **state)
{
	struct chair_hw hw;
	struct chair_sim *s;
	struct chair_inputs in;

	(void)state;
	chair_hw_default(&hw);
	assert_int_equal(chair_sim_new(&hw, &s), 0);
	chair_sim_set_shoulder(s, 540.0);
	chair_sim_set_position(s, 530.0);
	chair_sim_read(s, 0, &in);
	assert_true(in.in[CHAIR_IN_SHOULDER]);
	assert_true(in.in[CHAIR_IN_SEAT]);
	chair_sim_set_position(s, 545.0);
	chair_sim_read(s, 0, &in);
	assert_false(in.in[CHAIR_IN_SHOULDER]);
	chair_sim_set_position(s, 300.0);
	chair_sim_set_occupied(s, false);
	chair_sim_read(s, 0, &in);
	assert_false(in.in[CHAIR_IN_SEAT]);
	assert_false(in.in[CHAIR_IN_SHOULDER]);
	chair_sim_set_estop(s, true);
	chair_sim_read(s, 0, &in);
	assert_true(in.in[CHAIR_IN_ESTOP]);
	chair_sim_free(s);
}

/* The heater reaches and holds each setpoint within 2 degrees, closed
 * through the safety core. */
static void test_heater_holds_setpoints(void **state)
{
	struct harness h;
	static const double setpoint[] = { 40.0, 45.0, 50.0 };

	(void)state;
	harness_init(&h, NULL);
	for (unsigned level = 1; level <= 3; level++) {
		double lo = 1e9, hi = -1e9;
		uint64_t reached = 0;

		memset(&h.req, 0, sizeof(h.req));
		h.req.session = true;
		h.req.heat[CHAIR_HEATER_LUMBAR] = level;
		h.req.heat[CHAIR_HEATER_CALVES] = level;
		for (int i = 0; i < 5 * 60 * 100; i++) {
			double t;

			chair_sim_step(h.sim, 10 * MS, &h.cmd);
			h.now += 10 * MS;
			chair_sim_read(h.sim, h.now, &h.in);
			chair_safety_step(h.safety, h.now, &h.in, &h.req, &h.cmd);
			t = chair_sim_temperature(h.sim, CHAIR_HEATER_CALVES);
			if (!reached && fabs(t - setpoint[level - 1]) < 0.5)
				reached = i;
			if (reached) {
				lo = MIN(lo, t);
				hi = MAX(hi, t);
			}
		}
		assert_true(reached > 0);
		assert_true(lo >= setpoint[level - 1] - 2.0);
		assert_true(hi <= setpoint[level - 1] + 2.0);
		assert_int_equal(chair_safety_faults(h.safety), 0);
	}
	harness_free(&h);
}

static uint32_t run_with_fault(enum chair_sim_fault f, const char *program, uint64_t usec)
{
	struct chair_program *p = harness_program(program);
	struct chair_options o;
	struct harness h;
	uint32_t faults;

	harness_init(&h, NULL);
	chair_options_init(&o);
	o.heat = 3;
	assert_int_equal(harness_start(&h, p, &o), 0);
	for (int i = 0; i < 500; i++)
		harness_tick(&h);
	assert_int_equal(chair_safety_faults(h.safety), 0);
	chair_sim_inject(h.sim, f);
	for (uint64_t t = 0; t < usec && !chair_safety_faults(h.safety); t += HARNESS_TICK_USEC)
		harness_tick(&h);
	faults = chair_safety_faults(h.safety);
	/* A fault ends the session, with every output safe. */
	harness_tick(&h);
	assert_true(chair_outputs_all_off(&h.cmd));
	assert_null(h.engine);
	assert_int_equal(h.violation[0], 0);
	harness_free(&h);
	chair_program_unref(p);
	return faults;
}

#define GLIDE "id = t\nname = T\ndescription = d\nduration = 10min\n[main]\nglide neck..sacrum speed=3 depth=1 time=10min\n"
#define HEAT_PAUSE "id = t\nname = T\ndescription = d\nduration = 10min\n[main]\nglide neck..sacrum time=30s heat=off\nglide neck..sacrum time=10min\n"

static void test_injected_faults(void **state)
{
	(void)state;
	assert_int_equal(run_with_fault(CHAIR_SIM_FAULT_WALK_JAM, GLIDE, 5 * SEC),
			 1u << CHAIR_FAULT_WALK_STALLED);
	assert_int_equal(run_with_fault(CHAIR_SIM_FAULT_MOTOR_DRIVER, GLIDE, 1 * SEC),
			 1u << CHAIR_FAULT_MOTOR_DRIVER);
	assert_int_equal(run_with_fault(CHAIR_SIM_FAULT_HEATER_SENSOR_OPEN, GLIDE, 1 * SEC),
			 1u << CHAIR_FAULT_HEATER_LUMBAR_SENSOR);
	/* A welded relay shows when the heater is commanded off and still
	 * warms: here the first step asks for no heat. */
	assert_int_equal(run_with_fault(CHAIR_SIM_FAULT_HEATER_RELAY_WELDED, HEAT_PAUSE, 60 * SEC) &
				 ((1u << CHAIR_FAULT_HEATER_LUMBAR_OVERTEMP) |
				  (1u << CHAIR_FAULT_HEATER_CALVES_OVERTEMP)),
			 (1u << CHAIR_FAULT_HEATER_LUMBAR_OVERTEMP) | (1u << CHAIR_FAULT_HEATER_CALVES_OVERTEMP));
}

/* A welded relay at a warm setpoint: the heater is switched off at the
 * setpoint, keeps heating, and is caught before the hard maximum. */
static void test_welded_caught_below_max(void **state)
{
	struct harness h;
	double peak = 0;

	(void)state;
	harness_init(&h, NULL);
	h.req.session = true;
	h.req.heat[CHAIR_HEATER_LUMBAR] = 2;
	chair_sim_set_temperature(h.sim, CHAIR_HEATER_LUMBAR, 44.0);
	chair_sim_set_temperature(h.sim, CHAIR_HEATER_CALVES, 44.0);
	chair_sim_inject(h.sim, CHAIR_SIM_FAULT_HEATER_RELAY_WELDED);
	for (int i = 0; i < 120 * 100 && !(chair_safety_faults(h.safety) &
					    (1u << CHAIR_FAULT_HEATER_LUMBAR_OVERTEMP)); i++) {
		chair_sim_step(h.sim, 10 * MS, &h.cmd);
		h.now += 10 * MS;
		chair_sim_read(h.sim, h.now, &h.in);
		chair_safety_step(h.safety, h.now, &h.in, &h.req, &h.cmd);
		peak = MAX(peak, chair_sim_temperature(h.sim, CHAIR_HEATER_LUMBAR));
	}
	/* Both relays are welded; the calves heater was never asked to heat,
	 * the lumbar one was switched off at its setpoint. */
	assert_int_equal(chair_safety_faults(h.safety), (1u << CHAIR_FAULT_HEATER_LUMBAR_OVERTEMP) |
							(1u << CHAIR_FAULT_HEATER_CALVES_OVERTEMP));
	assert_true(peak < h.hw.heater_max_c[CHAIR_HEATER_LUMBAR]);
	harness_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encoder_matches_travel),
		cmocka_unit_test(test_odometry),
		cmocka_unit_test(test_odometry_through_reversals),
		cmocka_unit_test(test_depth_air_recline),
		cmocka_unit_test(test_shoulder_and_seat),
		cmocka_unit_test(test_heater_holds_setpoints),
		cmocka_unit_test(test_injected_faults),
		cmocka_unit_test(test_welded_caught_below_max),
	};

	return cmocka_run_group_tests_name("sim", tests, NULL, NULL);
}
