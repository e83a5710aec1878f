// SPDX-License-Identifier: MIT
/* Every safety rule, with its fault path, on the pure safety core. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "macro.h"
#include "safety.h"

#define MS (UINT64_C(1000))
#define SEC (UINT64_C(1000000))

struct fixture {
	struct chair_hw hw;
	struct chair_safety *s;
	struct chair_inputs in;
	struct chair_request req;
	struct chair_outputs cmd;
	uint64_t now;
	unsigned ev;
};

static void setup(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	chair_hw_default(&f->hw);
	assert_int_equal(chair_safety_new(&f->hw, &f->s), 0);
	f->now = 10 * SEC;
	f->in.in[CHAIR_IN_SEAT] = true;
	f->in.in[CHAIR_IN_DEPTH_HOME] = true;
	for (int h = 0; h < CHAIR_HEATER_COUNT; h++)
		f->in.temp[h] = (struct chair_temp){ .valid = true, .celsius = 30.0, .read_usec = f->now };
	chair_safety_session_begin(f->s);
}

static void teardown(struct fixture *f)
{
	chair_safety_free(f->s);
}

/* Advances by @p dt with fresh temperatures, and applies. */
static void step(struct fixture *f, uint64_t dt)
{
	f->now += dt;
	for (int h = 0; h < CHAIR_HEATER_COUNT; h++)
		if (f->in.temp[h].valid && f->in.temp[h].read_usec != 1)
			f->in.temp[h].read_usec = f->now;
	f->ev = chair_safety_step(f->s, f->now, &f->in, &f->req, &f->cmd);
}

static void request_everything(struct fixture *f)
{
	memset(&f->req, 0, sizeof(f->req));
	f->req.session = true;
	f->req.out[CHAIR_OUT_WALK_UP] = true;
	f->req.out[CHAIR_OUT_KNEAD_CW] = true;
	f->req.out[CHAIR_OUT_TAP] = true;
	f->req.out[CHAIR_OUT_DEPTH_IN] = true;
	f->req.out[CHAIR_OUT_PUMP] = true;
	f->req.out[CHAIR_OUT_VALVE_ARMS] = true;
	f->req.out[CHAIR_OUT_VIBRATE_SEAT] = true;
	f->req.heat[CHAIR_HEATER_LUMBAR] = 3;
}

static void test_estop_button(void **state)
{
	struct fixture f;
	const char *why = NULL;

	(void)state;
	setup(&f);
	request_everything(&f);
	step(&f, 10 * MS);
	assert_true(f.cmd.out[CHAIR_OUT_WALK_UP] && f.cmd.out[CHAIR_OUT_PUMP] &&
		    f.cmd.out[CHAIR_OUT_HEAT_LUMBAR]);

	f.in.in[CHAIR_IN_ESTOP] = true;
	f.in.encoder_last_usec = f.now;
	step(&f, 10 * MS);
	assert_true(f.ev & CHAIR_SAFETY_EV_ESTOP);
	assert_true(chair_outputs_all_off(&f.cmd));
	assert_true(chair_safety_estopped(f.s));

	/* Latched: releasing the button alone changes nothing. */
	f.in.in[CHAIR_IN_ESTOP] = false;
	step(&f, 10 * MS);
	assert_true(chair_outputs_all_off(&f.cmd));

	f.in.in[CHAIR_IN_ESTOP] = true;
	assert_int_equal(chair_safety_reset(f.s, f.now, &f.in, &why), -EBUSY);
	assert_string_equal(why, "The emergency stop button is still pressed; release it, then reset.");
	assert_true(chair_safety_estopped(f.s));
	f.in.in[CHAIR_IN_ESTOP] = false;
	assert_int_equal(chair_safety_reset(f.s, f.now, &f.in, &why), 0);
	assert_false(chair_safety_latched(f.s));

	/* A reset starts nothing: with no request, everything stays off. */
	memset(&f.req, 0, sizeof(f.req));
	step(&f, 10 * MS);
	assert_true(chair_outputs_all_off(&f.cmd));
	teardown(&f);
}

static void test_emergency_stop_call(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	request_everything(&f);
	step(&f, 10 * MS);
	assert_false(chair_outputs_all_off(&f.cmd));
	chair_safety_emergency_stop(f.s);
	step(&f, 0);
	assert_true(chair_outputs_all_off(&f.cmd));
	for (int i = 0; i < 100; i++) {
		step(&f, 10 * MS);
		assert_true(chair_outputs_all_off(&f.cmd));
	}
	assert_int_equal(chair_safety_reset(f.s, f.now, &f.in, NULL), 0);
	teardown(&f);
}

static void test_opposing(void **state)
{
	static const enum chair_output pairs[][2] = {
		{ CHAIR_OUT_WALK_UP, CHAIR_OUT_WALK_DOWN },
		{ CHAIR_OUT_KNEAD_CW, CHAIR_OUT_KNEAD_CCW },
		{ CHAIR_OUT_DEPTH_IN, CHAIR_OUT_DEPTH_OUT },
		{ CHAIR_OUT_RECLINE_UP, CHAIR_OUT_RECLINE_DOWN },
	};
	struct fixture f;

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(pairs); i++) {
		enum chair_output a = pairs[i][0], b = pairs[i][1];

		setup(&f);
		f.in.in[CHAIR_IN_DEPTH_HOME] = false;
		f.req.session = true;
		f.req.out[a] = f.req.out[b] = true;
		step(&f, 10 * MS);
		assert_false(f.cmd.out[a] || f.cmd.out[b]);

		/* A reversal stops first, for at least the dead time. */
		f.req.out[b] = false;
		step(&f, 10 * MS);
		assert_true(f.cmd.out[a]);
		f.in.encoder_last_usec = f.now;
		f.req.out[a] = false;
		f.req.out[b] = true;
		step(&f, 10 * MS);
		assert_false(f.cmd.out[a] || f.cmd.out[b]);
		step(&f, CHAIR_SAFETY_DEAD_TIME_USEC - 20 * MS);
		assert_false(f.cmd.out[b]);
		f.in.encoder_last_usec = f.now;
		step(&f, 20 * MS);
		assert_true(f.cmd.out[b]);
		assert_false(f.cmd.out[a]);
		teardown(&f);
	}
}

static void test_limits(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	f.req.session = true;
	f.req.out[CHAIR_OUT_WALK_UP] = true;
	f.in.in[CHAIR_IN_WALK_TOP] = true;
	step(&f, 10 * MS);
	assert_false(f.cmd.out[CHAIR_OUT_WALK_UP]);
	f.req.out[CHAIR_OUT_WALK_UP] = false;
	f.req.out[CHAIR_OUT_WALK_DOWN] = true;
	f.in.in[CHAIR_IN_WALK_TOP] = false;
	f.in.in[CHAIR_IN_WALK_BOTTOM] = true;
	step(&f, 200 * MS);
	assert_false(f.cmd.out[CHAIR_OUT_WALK_DOWN]);
	f.in.in[CHAIR_IN_WALK_BOTTOM] = false;
	f.in.encoder_last_usec = f.now;
	step(&f, 10 * MS);
	assert_true(f.cmd.out[CHAIR_OUT_WALK_DOWN]);
	/* depth-out stops at home. */
	f.req.out[CHAIR_OUT_DEPTH_OUT] = true;
	f.in.in[CHAIR_IN_DEPTH_HOME] = true;
	step(&f, 10 * MS);
	assert_false(f.cmd.out[CHAIR_OUT_DEPTH_OUT]);
	teardown(&f);
}

static void test_walk_stall(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	f.req.session = true;
	f.req.out[CHAIR_OUT_WALK_UP] = true;
	/* Pulses keep coming: no fault for 10 s. */
	for (int i = 0; i < 100; i++) {
		f.in.encoder_pulses++;
		f.in.encoder_last_usec = f.now;
		step(&f, 100 * MS);
		assert_int_equal(chair_safety_faults(f.s), 0);
		assert_true(f.cmd.out[CHAIR_OUT_WALK_UP]);
	}
	/* Then they stop: a fault at 2 s, not before. */
	f.in.encoder_last_usec = f.now;
	step(&f, CHAIR_SAFETY_STALL_USEC - 10 * MS);
	assert_int_equal(chair_safety_faults(f.s), 0);
	step(&f, 10 * MS);
	assert_true(f.ev & CHAIR_SAFETY_EV_FAULT);
	assert_int_equal(chair_safety_faults(f.s), 1u << CHAIR_FAULT_WALK_STALLED);
	assert_true(chair_outputs_all_off(&f.cmd));
	/* Motion stays off until Reset(). */
	step(&f, 5 * SEC);
	assert_true(chair_outputs_all_off(&f.cmd));
	assert_int_equal(chair_safety_reset(f.s, f.now, &f.in, NULL), 0);
	assert_int_equal(chair_safety_faults(f.s), 0);
	teardown(&f);
}

static void test_motor_timeout(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	f.in.in[CHAIR_IN_DEPTH_HOME] = false;
	f.req.session = true;
	f.req.out[CHAIR_OUT_DEPTH_IN] = true;
	step(&f, 10 * MS);
	for (int i = 0; i < 299; i++) {
		step(&f, 100 * MS);
		assert_int_equal(chair_safety_faults(f.s), 0);
	}
	step(&f, 100 * MS);
	assert_int_equal(chair_safety_faults(f.s), 1u << CHAIR_FAULT_MOTOR_TIMEOUT);
	assert_true(chair_outputs_all_off(&f.cmd));
	teardown(&f);

	/* A walk that moves but never arrives times out as well. */
	setup(&f);
	f.req.session = true;
	f.req.out[CHAIR_OUT_WALK_DOWN] = true;
	for (int i = 0; i < 310 && !chair_safety_faults(f.s); i++) {
		f.in.encoder_pulses++;
		f.in.encoder_last_usec = f.now;
		step(&f, 100 * MS);
	}
	assert_int_equal(chair_safety_faults(f.s), 1u << CHAIR_FAULT_MOTOR_TIMEOUT);
	teardown(&f);
}

static void test_motor_driver(void **state)
{
	struct fixture f;
	const char *why;

	(void)state;
	setup(&f);
	request_everything(&f);
	f.in.in[CHAIR_IN_MOTOR_FAULT] = true;
	step(&f, 10 * MS);
	assert_int_equal(chair_safety_faults(f.s), 1u << CHAIR_FAULT_MOTOR_DRIVER);
	assert_true(chair_outputs_all_off(&f.cmd));
	assert_int_equal(chair_safety_reset(f.s, f.now, &f.in, &why), -EBUSY);
	assert_non_null(strstr(why, "motor driver still reports a fault"));
	f.in.in[CHAIR_IN_MOTOR_FAULT] = false;
	assert_int_equal(chair_safety_reset(f.s, f.now, &f.in, &why), 0);
	teardown(&f);
}

static void test_heater_loop(void **state)
{
	struct fixture f;
	struct chair_temp *t;

	(void)state;
	setup(&f);
	t = &f.in.temp[CHAIR_HEATER_LUMBAR];
	f.req.session = true;
	f.req.heat[CHAIR_HEATER_LUMBAR] = 2; /* 45 C */
	t->celsius = 40.0;
	step(&f, 100 * MS);
	assert_true(f.cmd.out[CHAIR_OUT_HEAT_LUMBAR]);
	assert_false(f.cmd.out[CHAIR_OUT_HEAT_CALVES]);
	t->celsius = 45.2; /* inside the band: stays on */
	step(&f, 100 * MS);
	assert_true(f.cmd.out[CHAIR_OUT_HEAT_LUMBAR]);
	t->celsius = 45.6;
	step(&f, 100 * MS);
	assert_false(f.cmd.out[CHAIR_OUT_HEAT_LUMBAR]);
	t->celsius = 44.8; /* inside the band: stays off */
	step(&f, 100 * MS);
	assert_false(f.cmd.out[CHAIR_OUT_HEAT_LUMBAR]);
	t->celsius = 44.4;
	step(&f, 100 * MS);
	assert_true(f.cmd.out[CHAIR_OUT_HEAT_LUMBAR]);

	/* Level 3 and level 1 setpoints. */
	f.req.heat[CHAIR_HEATER_LUMBAR] = 3;
	t->celsius = 49.0;
	step(&f, 100 * MS);
	assert_true(f.cmd.out[CHAIR_OUT_HEAT_LUMBAR]);
	f.req.heat[CHAIR_HEATER_LUMBAR] = 1;
	step(&f, 100 * MS);
	assert_false(f.cmd.out[CHAIR_OUT_HEAT_LUMBAR]);

	/* Only in a session, and only with the seat occupied. */
	f.req.heat[CHAIR_HEATER_LUMBAR] = 3;
	t->celsius = 30.0;
	f.req.session = false;
	step(&f, 100 * MS);
	assert_false(f.cmd.out[CHAIR_OUT_HEAT_LUMBAR]);
	f.req.session = true;
	f.in.in[CHAIR_IN_SEAT] = false;
	step(&f, 100 * MS);
	assert_false(f.cmd.out[CHAIR_OUT_HEAT_LUMBAR]);
	f.in.in[CHAIR_IN_SEAT] = true;
	step(&f, 100 * MS);
	assert_true(f.cmd.out[CHAIR_OUT_HEAT_LUMBAR]);
	assert_int_equal(chair_safety_faults(f.s), 0);
	teardown(&f);
}

static void sensor_fault_case(void (*spoil)(struct chair_temp *t, uint64_t now))
{
	struct fixture f;
	const char *why;

	setup(&f);
	request_everything(&f);
	step(&f, 100 * MS);
	assert_true(f.cmd.out[CHAIR_OUT_HEAT_LUMBAR]);
	spoil(&f.in.temp[CHAIR_HEATER_LUMBAR], f.now);
	step(&f, 100 * MS);
	assert_true(f.ev & CHAIR_SAFETY_EV_FAULT);
	assert_int_equal(chair_safety_faults(f.s), 1u << CHAIR_FAULT_HEATER_LUMBAR_SENSOR);
	assert_true(chair_outputs_all_off(&f.cmd));
	assert_int_equal(chair_safety_reset(f.s, f.now, &f.in, &why), -EBUSY);
	assert_non_null(strstr(why, "temperature sensor still cannot be read"));
	f.in.temp[CHAIR_HEATER_LUMBAR] = (struct chair_temp){ .valid = true, .celsius = 30.0, .read_usec = f.now };
	assert_int_equal(chair_safety_reset(f.s, f.now, &f.in, &why), 0);
	teardown(&f);
}

static void spoil_invalid(struct chair_temp *t, uint64_t now)
{
	t->valid = false;
}

static void spoil_stale(struct chair_temp *t, uint64_t now)
{
	t->read_usec = 1; /* step() leaves it alone: never read again */
}

static void spoil_implausible(struct chair_temp *t, uint64_t now)
{
	t->celsius = 150.0;
}

static void spoil_cold(struct chair_temp *t, uint64_t now)
{
	t->celsius = -40.0;
}

static void test_heater_sensor(void **state)
{
	(void)state;
	sensor_fault_case(spoil_invalid);
	sensor_fault_case(spoil_stale);
	sensor_fault_case(spoil_implausible);
	sensor_fault_case(spoil_cold);
}

static void test_heater_stale_boundary(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	f.in.temp[CHAIR_HEATER_CALVES].read_usec = 1;
	f.in.temp[CHAIR_HEATER_CALVES].valid = true;
	/* Read 1.9 s ago: fine. 2.1 s ago: a fault. */
	f.now = 1 + CHAIR_SAFETY_TEMP_STALE_USEC - 100 * MS;
	f.in.temp[CHAIR_HEATER_LUMBAR].read_usec = f.now;
	f.ev = chair_safety_step(f.s, f.now, &f.in, &f.req, &f.cmd);
	assert_int_equal(chair_safety_faults(f.s), 0);
	f.now = 1 + CHAIR_SAFETY_TEMP_STALE_USEC + 100 * MS;
	f.ev = chair_safety_step(f.s, f.now, &f.in, &f.req, &f.cmd);
	assert_int_equal(chair_safety_faults(f.s), 1u << CHAIR_FAULT_HEATER_CALVES_SENSOR);
	teardown(&f);
}

static void test_heater_overtemp(void **state)
{
	struct fixture f;
	const char *why;

	(void)state;
	setup(&f);
	request_everything(&f);
	f.in.temp[CHAIR_HEATER_CALVES].celsius = 55.5;
	step(&f, 100 * MS);
	assert_int_equal(chair_safety_faults(f.s), 1u << CHAIR_FAULT_HEATER_CALVES_OVERTEMP);
	assert_true(chair_outputs_all_off(&f.cmd));
	f.in.temp[CHAIR_HEATER_CALVES].celsius = 52.0;
	assert_int_equal(chair_safety_reset(f.s, f.now, &f.in, &why), -EBUSY);
	assert_non_null(strstr(why, "still too hot"));
	f.in.temp[CHAIR_HEATER_CALVES].celsius = 40.0;
	assert_int_equal(chair_safety_reset(f.s, f.now, &f.in, &why), 0);
	teardown(&f);
}

static void test_heater_welded(void **state)
{
	struct fixture f;
	struct chair_temp *t;

	(void)state;
	setup(&f);
	t = &f.in.temp[CHAIR_HEATER_LUMBAR];
	t->celsius = 35.0;
	/* Off, and warming: within the grace time it may be residual heat. */
	for (int i = 0; i < 100; i++) {
		t->celsius += 0.03;
		step(&f, 100 * MS);
	}
	assert_int_equal(chair_safety_faults(f.s), 0);
	/* Still off and still rising: the relay is welded. */
	for (int i = 0; i < 100 && !chair_safety_faults(f.s); i++) {
		t->celsius += 0.03;
		step(&f, 100 * MS);
	}
	assert_int_equal(chair_safety_faults(f.s), 1u << CHAIR_FAULT_HEATER_LUMBAR_OVERTEMP);
	assert_true(t->celsius >= 35.0 + CHAIR_SAFETY_WELD_RISE_C);
	teardown(&f);

	/* A heater that is off and cooling never trips it. */
	setup(&f);
	t = &f.in.temp[CHAIR_HEATER_LUMBAR];
	t->celsius = 48.0;
	for (int i = 0; i < 600; i++) {
		t->celsius -= 0.01;
		step(&f, 100 * MS);
	}
	assert_int_equal(chair_safety_faults(f.s), 0);
	teardown(&f);
}

static void test_session_cap(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	f.hw.max_session_usec = 20 * 60 * SEC;
	chair_safety_free(f.s);
	assert_int_equal(chair_safety_new(&f.hw, &f.s), 0);
	chair_safety_session_begin(f.s);
	f.req.session = true;
	f.req.out[CHAIR_OUT_VIBRATE_SEAT] = true;
	step(&f, 0);
	for (int i = 0; i < 20 * 60 - 1; i++) {
		step(&f, SEC);
		assert_false(f.ev & CHAIR_SAFETY_EV_CAP);
		assert_true(f.cmd.out[CHAIR_OUT_VIBRATE_SEAT]);
	}
	step(&f, SEC);
	assert_true(f.ev & CHAIR_SAFETY_EV_CAP);
	assert_true(chair_outputs_all_off(&f.cmd));
	step(&f, SEC);
	assert_true(chair_outputs_all_off(&f.cmd));
	teardown(&f);
}

static void test_seat(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	request_everything(&f);
	step(&f, 100 * MS);
	assert_false(chair_outputs_all_off(&f.cmd));
	f.in.in[CHAIR_IN_SEAT] = false;
	step(&f, 100 * MS);
	assert_true(f.ev & CHAIR_SAFETY_EV_SEAT_EMPTY);
	assert_true(chair_outputs_all_off(&f.cmd));
	step(&f, CHAIR_SAFETY_SEAT_GRACE_USEC - 100 * MS);
	assert_false(f.ev & CHAIR_SAFETY_EV_SEAT_TIMEOUT);
	step(&f, 100 * MS);
	assert_true(f.ev & CHAIR_SAFETY_EV_SEAT_TIMEOUT);
	assert_true(chair_outputs_all_off(&f.cmd));
	f.in.in[CHAIR_IN_SEAT] = true;
	step(&f, 100 * MS);
	assert_true(f.ev & CHAIR_SAFETY_EV_SEAT_RETURNED);
	teardown(&f);
}

static void test_air(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	f.req.session = true;
	f.req.out[CHAIR_OUT_PUMP] = true;
	step(&f, 100 * MS);
	assert_false(f.cmd.out[CHAIR_OUT_PUMP]);
	f.req.out[CHAIR_OUT_VALVE_FEET] = true;
	step(&f, 100 * MS);
	assert_true(f.cmd.out[CHAIR_OUT_PUMP] && f.cmd.out[CHAIR_OUT_VALVE_FEET]);
	/* The inflation cap: at 20 s the bag vents, and stays vented 5 s. */
	step(&f, CHAIR_SAFETY_INFLATE_CAP_USEC - 200 * MS);
	assert_true(f.cmd.out[CHAIR_OUT_VALVE_FEET]);
	step(&f, 200 * MS);
	assert_false(f.cmd.out[CHAIR_OUT_VALVE_FEET]);
	assert_false(f.cmd.out[CHAIR_OUT_PUMP]);
	step(&f, CHAIR_SAFETY_VENT_MIN_USEC - 200 * MS);
	assert_false(f.cmd.out[CHAIR_OUT_VALVE_FEET]);
	step(&f, 300 * MS);
	assert_true(f.cmd.out[CHAIR_OUT_VALVE_FEET]);
	/* E-stop vents every zone. */
	chair_safety_emergency_stop(f.s);
	step(&f, 0);
	assert_true(chair_outputs_all_off(&f.cmd));
	teardown(&f);
}

/* A fault found outside the core (a GPIO line that failed): everything
 * off, latched until Reset(). */
static void test_external_fault(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	request_everything(&f);
	step(&f, 10 * MS);
	assert_false(chair_outputs_all_off(&f.cmd));
	chair_safety_latch_fault(f.s, CHAIR_FAULT_GPIO);
	step(&f, 10 * MS);
	assert_true(chair_outputs_all_off(&f.cmd));
	assert_int_equal(chair_safety_faults(f.s), 1u << CHAIR_FAULT_GPIO);
	step(&f, SEC);
	assert_true(chair_outputs_all_off(&f.cmd));
	assert_int_equal(chair_safety_reset(f.s, f.now, &f.in, NULL), 0);
	step(&f, 10 * MS);
	assert_false(chair_outputs_all_off(&f.cmd));
	assert_string_equal(chair_fault_to_string(CHAIR_FAULT_GPIO), "gpio-failed");
	teardown(&f);
}

static void test_absent_parts(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	f.hw.outputs &= ~(UINT32_C(1) << CHAIR_OUT_VIBRATE_SEAT);
	f.hw.outputs &= ~(UINT32_C(1) << CHAIR_OUT_HEAT_CALVES);
	chair_safety_free(f.s);
	assert_int_equal(chair_safety_new(&f.hw, &f.s), 0);
	f.req.session = true;
	f.req.out[CHAIR_OUT_VIBRATE_SEAT] = true;
	f.req.heat[CHAIR_HEATER_CALVES] = 3;
	/* The absent heater's sensor is not read, and that is no fault. */
	f.in.temp[CHAIR_HEATER_CALVES].valid = false;
	step(&f, 100 * MS);
	assert_true(chair_outputs_all_off(&f.cmd));
	assert_int_equal(chair_safety_faults(f.s), 0);
	teardown(&f);
}

/* An encoder pulse that the kernel stamped after the control step's "now"
 * (chair time lags real time) is a pulse just now, not one long ago. */
static void test_pulse_after_now(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	f.req.session = true;
	f.req.out[CHAIR_OUT_WALK_UP] = true;
	step(&f, 10 * MS);
	for (int i = 0; i < 50; i++) {
		f.in.encoder_pulses++;
		f.in.encoder_last_usec = f.now + 10 * MS + 3 * MS;
		step(&f, 10 * MS);
		assert_int_equal(chair_safety_faults(f.s), 0);
		assert_true(f.cmd.out[CHAIR_OUT_WALK_UP]);
	}
	/* Still a stall once the pulses stop. */
	step(&f, CHAIR_SAFETY_STALL_USEC);
	assert_int_equal(chair_safety_faults(f.s), 1u << CHAIR_FAULT_WALK_STALLED);
	teardown(&f);
}

/* A jammed roller that keeps reversing (friction) is still a stall:
 * reversals and short stops do not restart the count. */
static void test_stall_across_reversals(void **state)
{
	struct fixture f;
	int n;

	(void)state;
	setup(&f);
	f.req.session = true;
	for (n = 0; n < 200 && !chair_safety_faults(f.s); n++) {
		bool up = (n / 30) % 2 == 0;

		f.req.out[CHAIR_OUT_WALK_UP] = up;
		f.req.out[CHAIR_OUT_WALK_DOWN] = !up;
		step(&f, 20 * MS);
	}
	assert_int_equal(chair_safety_faults(f.s), 1u << CHAIR_FAULT_WALK_STALLED);
	/* Dead times included, it took more than 2 s of wall time. */
	assert_true(n * 20 * MS > CHAIR_SAFETY_STALL_USEC);
	teardown(&f);
}

/* The dead time counts from when the other direction really went off (the
 * write), not from the step that last asked for it: a write that took
 * effect late, or steps that ran late, leave no shorter gap. */
static void test_dead_time_from_real_change(void **state)
{
	struct fixture f;
	const struct chair_command *c;

	(void)state;
	setup(&f);
	f.req.session = true;
	f.req.out[CHAIR_OUT_KNEAD_CW] = true;
	step(&f, 10 * MS);
	step(&f, 10 * MS);
	assert_true(f.cmd.out[CHAIR_OUT_KNEAD_CW]);
	/* Off at this step, but the write takes effect 140 ms later. */
	f.req.out[CHAIR_OUT_KNEAD_CW] = false;
	f.req.out[CHAIR_OUT_KNEAD_CCW] = true;
	f.now += 10 * MS;
	chair_safety_apply(f.s, f.now, &f.in, &f.req, &c);
	assert_false(chair_command_outputs(c)->out[CHAIR_OUT_KNEAD_CW]);
	chair_safety_written(f.s, f.now + 140 * MS, true);
	/* 150 ms after the step, 10 ms after the real change: still waiting. */
	step(&f, 150 * MS);
	assert_false(f.cmd.out[CHAIR_OUT_KNEAD_CCW]);
	step(&f, 80 * MS);
	assert_false(f.cmd.out[CHAIR_OUT_KNEAD_CCW]);
	step(&f, 20 * MS);
	assert_true(f.cmd.out[CHAIR_OUT_KNEAD_CCW]);
	teardown(&f);

	/* On time, the gap is the whole dead time, not one step less. */
	setup(&f);
	f.req.session = true;
	f.req.out[CHAIR_OUT_KNEAD_CW] = true;
	step(&f, 10 * MS);
	f.req.out[CHAIR_OUT_KNEAD_CW] = false;
	f.req.out[CHAIR_OUT_KNEAD_CCW] = true;
	step(&f, 10 * MS); /* knead-cw really off now */
	assert_false(f.cmd.out[CHAIR_OUT_KNEAD_CW] || f.cmd.out[CHAIR_OUT_KNEAD_CCW]);
	step(&f, CHAIR_SAFETY_DEAD_TIME_USEC - 10 * MS);
	assert_false(f.cmd.out[CHAIR_OUT_KNEAD_CCW]);
	step(&f, 10 * MS);
	assert_true(f.cmd.out[CHAIR_OUT_KNEAD_CCW]);
	teardown(&f);
}

/* A write that failed may have left an output on: its opposite stays
 * blocked. */
static void test_failed_write_counts_as_on(void **state)
{
	struct fixture f;
	const struct chair_command *c;

	(void)state;
	setup(&f);
	f.req.session = true;
	f.req.out[CHAIR_OUT_KNEAD_CW] = true;
	step(&f, 10 * MS);
	f.req.out[CHAIR_OUT_KNEAD_CW] = false;
	f.req.out[CHAIR_OUT_KNEAD_CCW] = true;
	f.now += 10 * MS;
	chair_safety_apply(f.s, f.now, &f.in, &f.req, &c);
	chair_safety_written(f.s, f.now, false);
	step(&f, 500 * MS);
	/* The failed "off" was never confirmed: no reversal yet. */
	assert_false(f.cmd.out[CHAIR_OUT_KNEAD_CCW]);
	step(&f, CHAIR_SAFETY_DEAD_TIME_USEC);
	assert_true(f.cmd.out[CHAIR_OUT_KNEAD_CCW]);
	teardown(&f);
}

/* A valve dropped for one step does not get a fresh inflation cap; one
 * that rested gets a new one. */
static void test_valve_drop_keeps_cap(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	f.req.session = true;
	f.req.out[CHAIR_OUT_PUMP] = f.req.out[CHAIR_OUT_VALVE_ARMS] = true;
	step(&f, 10 * MS);
	step(&f, 15 * SEC);
	assert_true(f.cmd.out[CHAIR_OUT_VALVE_ARMS]);
	f.req.out[CHAIR_OUT_VALVE_ARMS] = false;
	step(&f, 10 * MS);
	f.req.out[CHAIR_OUT_VALVE_ARMS] = true;
	step(&f, 10 * MS);
	assert_true(f.cmd.out[CHAIR_OUT_VALVE_ARMS]);
	step(&f, 4 * SEC);
	assert_true(f.cmd.out[CHAIR_OUT_VALVE_ARMS]);
	/* 20 s after the run began, not after the drop. */
	step(&f, 1 * SEC);
	assert_false(f.cmd.out[CHAIR_OUT_VALVE_ARMS]);
	teardown(&f);

	setup(&f);
	f.req.session = true;
	f.req.out[CHAIR_OUT_PUMP] = f.req.out[CHAIR_OUT_VALVE_ARMS] = true;
	step(&f, 10 * MS);
	step(&f, 15 * SEC);
	f.req.out[CHAIR_OUT_VALVE_ARMS] = false;
	step(&f, 10 * MS);
	step(&f, CHAIR_SAFETY_VALVE_REST_USEC);
	f.req.out[CHAIR_OUT_VALVE_ARMS] = true;
	step(&f, 10 * MS);
	step(&f, 15 * SEC);
	assert_true(f.cmd.out[CHAIR_OUT_VALVE_ARMS]);
	teardown(&f);
}

/* "30 s without reaching its target": short drops do not restart the
 * count; a reversal (a new target) or a rest does. */
static void test_motor_timeout_drops(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	f.in.in[CHAIR_IN_DEPTH_HOME] = false;
	f.req.session = true;
	/* On 3.5 s, off 0.5 s, again and again. */
	for (int i = 0; i < 80 && !chair_safety_faults(f.s); i++) {
		f.req.out[CHAIR_OUT_DEPTH_IN] = i % 8 != 7;
		step(&f, 500 * MS);
	}
	assert_int_equal(chair_safety_faults(f.s), 1u << CHAIR_FAULT_MOTOR_TIMEOUT);
	assert_true(f.now < 10 * SEC + 32 * SEC);
	teardown(&f);

	/* Reversing every 2 s for a minute: every stroke reaches its end. */
	setup(&f);
	f.req.session = true;
	for (int i = 0; i < 600; i++) {
		bool up = (i / 20) % 2 == 0;

		f.req.out[CHAIR_OUT_WALK_UP] = up;
		f.req.out[CHAIR_OUT_WALK_DOWN] = !up;
		f.in.encoder_pulses++;
		step(&f, 100 * MS);
	}
	assert_int_equal(chair_safety_faults(f.s), 0);
	teardown(&f);
}

/* A reading from the future comes from a wrong clock: unusable. */
static void test_temperature_from_future(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	request_everything(&f);
	f.now += 10 * MS;
	f.in.temp[CHAIR_HEATER_LUMBAR].read_usec = f.now + 1 * SEC;
	f.ev = chair_safety_step(f.s, f.now, &f.in, &f.req, &f.cmd);
	assert_int_equal(chair_safety_faults(f.s), 1u << CHAIR_FAULT_HEATER_LUMBAR_SENSOR);
	assert_false(f.cmd.out[CHAIR_OUT_HEAT_LUMBAR]);
	teardown(&f);
}

/* The seat rule holds while the session is paused. */
static void test_seat_while_paused(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	f.req.session = true;
	f.req.paused = true;
	step(&f, 100 * MS);
	f.in.in[CHAIR_IN_SEAT] = false;
	step(&f, 100 * MS);
	assert_true(f.ev & CHAIR_SAFETY_EV_SEAT_EMPTY);
	step(&f, CHAIR_SAFETY_SEAT_GRACE_USEC);
	assert_true(f.ev & CHAIR_SAFETY_EV_SEAT_TIMEOUT);
	teardown(&f);

	/* Paused time does not count to the cap. */
	setup(&f);
	f.hw.max_session_usec = 5 * 60 * SEC;
	chair_safety_free(f.s);
	assert_int_equal(chair_safety_new(&f.hw, &f.s), 0);
	chair_safety_session_begin(f.s);
	f.req.session = true;
	f.req.paused = true;
	for (int i = 0; i < 60; i++)
		step(&f, 10 * SEC);
	assert_int_equal(chair_safety_session_usec(f.s), 0);
	teardown(&f);
}

/* On real time, outputs left on and unwatched longer than the bound latch
 * loop-stalled; a long gap with everything off is harmless. */
static void test_loop_stalled(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	chair_safety_set_max_gap(f.s, CHAIR_SAFETY_MAX_GAP_USEC);
	step(&f, 10 * MS);
	step(&f, 5 * SEC);
	assert_int_equal(chair_safety_faults(f.s), 0);
	f.req.session = true;
	f.req.out[CHAIR_OUT_VIBRATE_SEAT] = true;
	step(&f, 10 * MS);
	step(&f, CHAIR_SAFETY_MAX_GAP_USEC);
	assert_int_equal(chair_safety_faults(f.s), 0);
	step(&f, CHAIR_SAFETY_MAX_GAP_USEC + 10 * MS);
	assert_int_equal(chair_safety_faults(f.s), 1u << CHAIR_FAULT_LOOP_STALLED);
	assert_true(chair_outputs_all_off(&f.cmd));
	teardown(&f);
}

/* Makes the safety core again for a changed f->hw, and begins a session. */
static void remake(struct fixture *f)
{
	chair_safety_free(f->s);
	assert_int_equal(chair_safety_new(&f->hw, &f->s), 0);
	chair_safety_session_begin(f->s);
}

/* chair_safety_new() on a failed allocation (the test links with
 * --wrap=calloc): -ENOMEM, and the output left untouched. */
void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size);
static bool calloc_fails;

void *__wrap_calloc(size_t n, size_t size)
{
	if (calloc_fails) {
		calloc_fails = false;
		return NULL;
	}
	return __real_calloc(n, size);
}

static void test_new_out_of_memory(void **state)
{
	struct chair_hw hw;
	struct chair_safety *s = (struct chair_safety *)&hw;

	(void)state;
	chair_hw_default(&hw);
	calloc_fails = true;
	assert_int_equal(chair_safety_new(&hw, &s), -ENOMEM);
	assert_ptr_equal(s, &hw);
	assert_int_equal(chair_safety_new(&hw, &s), 0);
	chair_safety_free(s);
}

/* The e-stop alone, with no fault, holds everything off. */
static void test_latched_by_estop(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	assert_false(chair_safety_latched(f.s));
	chair_safety_emergency_stop(f.s);
	assert_int_equal(chair_safety_faults(f.s), 0);
	assert_true(chair_safety_latched(f.s));
	teardown(&f);
}

/* A new session starts its cap count and its seat watch afresh. */
static void test_session_begin_starts_afresh(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	f.hw.max_session_usec = 5 * 60 * SEC;
	remake(&f);
	f.req.session = true;
	f.req.out[CHAIR_OUT_VIBRATE_SEAT] = true;
	step(&f, 0);
	for (int i = 0; i < 5 * 60 && !(f.ev & CHAIR_SAFETY_EV_CAP); i++)
		step(&f, SEC);
	assert_true(f.ev & CHAIR_SAFETY_EV_CAP);
	assert_false(f.cmd.out[CHAIR_OUT_VIBRATE_SEAT]);
	assert_true(chair_safety_session_usec(f.s) >= 5 * 60 * SEC);

	chair_safety_session_begin(f.s);
	assert_int_equal(chair_safety_session_usec(f.s), 0);
	step(&f, 10 * MS);
	assert_false(f.ev & CHAIR_SAFETY_EV_CAP);
	assert_true(f.cmd.out[CHAIR_OUT_VIBRATE_SEAT]);

	/* The seat empties; a new session begins on the empty seat: that
	 * is news again, and its grace time runs from now. */
	f.in.in[CHAIR_IN_SEAT] = false;
	step(&f, 10 * MS);
	assert_true(f.ev & CHAIR_SAFETY_EV_SEAT_EMPTY);
	chair_safety_session_begin(f.s);
	step(&f, 10 * MS);
	assert_true(f.ev & CHAIR_SAFETY_EV_SEAT_EMPTY);
	assert_false(f.cmd.out[CHAIR_OUT_VIBRATE_SEAT]);
	teardown(&f);
}

/* The sensor rules' edges: read exactly 2 s ago is still a reading, and
 * -20 and 120 °C are plausible (120 °C is then too hot, not a broken
 * sensor). */
static void test_temperature_edges(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	f.now += 10 * MS;
	f.in.temp[CHAIR_HEATER_LUMBAR].read_usec = f.now - CHAIR_SAFETY_TEMP_STALE_USEC;
	f.in.temp[CHAIR_HEATER_CALVES].read_usec = f.now;
	f.ev = chair_safety_step(f.s, f.now, &f.in, &f.req, &f.cmd);
	assert_int_equal(chair_safety_faults(f.s), 0);
	teardown(&f);

	setup(&f);
	f.in.temp[CHAIR_HEATER_LUMBAR].celsius = CHAIR_SAFETY_TEMP_MAX_C;
	f.in.temp[CHAIR_HEATER_CALVES].celsius = CHAIR_SAFETY_TEMP_MIN_C;
	step(&f, 10 * MS);
	assert_int_equal(chair_safety_faults(f.s), 1u << CHAIR_FAULT_HEATER_LUMBAR_OVERTEMP);
	teardown(&f);
}

/* A chair without a stop button: whatever its unused input says, a
 * reset is not refused for a button that is not there. */
static void test_reset_without_estop_input(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	f.hw.inputs &= ~(UINT32_C(1) << CHAIR_IN_ESTOP);
	remake(&f);
	f.in.in[CHAIR_IN_ESTOP] = true;
	step(&f, 10 * MS);
	assert_false(chair_safety_estopped(f.s));
	chair_safety_emergency_stop(f.s);
	assert_int_equal(chair_safety_reset(f.s, f.now, &f.in, NULL), 0);
	assert_false(chair_safety_latched(f.s));
	teardown(&f);
}

/* A reset names the first cause still there: the pressed button before
 * a motor driver that still reports a fault. */
static void test_reset_names_first_cause(void **state)
{
	struct fixture f;
	const char *why = NULL;

	(void)state;
	setup(&f);
	request_everything(&f);
	f.in.in[CHAIR_IN_MOTOR_FAULT] = true;
	step(&f, 10 * MS);
	assert_int_equal(chair_safety_faults(f.s), 1u << CHAIR_FAULT_MOTOR_DRIVER);
	f.in.in[CHAIR_IN_ESTOP] = true;
	step(&f, 10 * MS);
	assert_int_equal(chair_safety_reset(f.s, f.now, &f.in, &why), -EBUSY);
	assert_string_equal(why, "The emergency stop button is still pressed; release it, then reset.");
	teardown(&f);
}

/* A motor driver fault that appears while the e-stop holds is not yet
 * latched, so it does not refuse the reset; the first step after it
 * latches it, and nothing moves. */
static void test_motor_fault_during_estop(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	request_everything(&f);
	f.in.in[CHAIR_IN_ESTOP] = true;
	step(&f, 10 * MS);
	f.in.in[CHAIR_IN_MOTOR_FAULT] = true;
	step(&f, 10 * MS);
	assert_int_equal(chair_safety_faults(f.s), 0);
	f.in.in[CHAIR_IN_ESTOP] = false;
	assert_int_equal(chair_safety_reset(f.s, f.now, &f.in, NULL), 0);
	step(&f, 10 * MS);
	assert_int_equal(chair_safety_faults(f.s), 1u << CHAIR_FAULT_MOTOR_DRIVER);
	assert_true(chair_outputs_all_off(&f.cmd));
	teardown(&f);
}

/* A chair without a part: its sensor's silence is no fault. With no
 * walk encoder, the walk motor cannot stall (the motor timeout still
 * holds); with no motor-fault or seat line, their unused values mean
 * nothing; with no calves heater, its unread sensor does not refuse a
 * reset. */
static void test_absent_sensors(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	f.hw.inputs &= ~(UINT32_C(1) << CHAIR_IN_WALK_ENCODER);
	f.hw.inputs &= ~(UINT32_C(1) << CHAIR_IN_MOTOR_FAULT);
	f.hw.inputs &= ~(UINT32_C(1) << CHAIR_IN_SEAT);
	f.hw.outputs &= ~(UINT32_C(1) << CHAIR_OUT_HEAT_CALVES);
	remake(&f);
	f.in.temp[CHAIR_HEATER_CALVES].valid = false;
	/* Unused lines' values. */
	f.in.in[CHAIR_IN_MOTOR_FAULT] = true;
	f.in.in[CHAIR_IN_SEAT] = false;
	f.req.session = true;
	f.req.out[CHAIR_OUT_WALK_UP] = true;
	step(&f, 10 * MS);
	assert_false(f.ev & CHAIR_SAFETY_EV_SEAT_EMPTY);
	for (int i = 0; i < 10; i++)
		step(&f, CHAIR_SAFETY_STALL_USEC / 4);
	assert_int_equal(chair_safety_faults(f.s), 0);
	assert_true(f.cmd.out[CHAIR_OUT_WALK_UP]);
	chair_safety_emergency_stop(f.s);
	step(&f, 10 * MS);
	assert_int_equal(chair_safety_reset(f.s, f.now, &f.in, NULL), 0);
	teardown(&f);
}

/* An over-temperature fault is not reset on a sensor that can no longer
 * be read, whatever its last value says, nor before the heater is 5 °C
 * under its maximum. */
static void test_overtemp_reset_needs_reading(void **state)
{
	struct fixture f;
	const char *why = NULL;

	(void)state;
	setup(&f);
	f.in.temp[CHAIR_HEATER_LUMBAR].celsius = f.hw.heater_max_c[CHAIR_HEATER_LUMBAR] + 1.0;
	step(&f, 10 * MS);
	assert_true(chair_safety_faults(f.s) & (1u << CHAIR_FAULT_HEATER_LUMBAR_OVERTEMP));
	f.in.temp[CHAIR_HEATER_LUMBAR].celsius = 30.0;
	f.in.temp[CHAIR_HEATER_LUMBAR].valid = false;
	assert_int_equal(chair_safety_reset(f.s, f.now, &f.in, &why), -EBUSY);
	assert_true(chair_safety_latched(f.s));
	/* Readable again: it must have cooled to 5 °C under the maximum. */
	f.in.temp[CHAIR_HEATER_LUMBAR].valid = true;
	f.in.temp[CHAIR_HEATER_LUMBAR].celsius = f.hw.heater_max_c[CHAIR_HEATER_LUMBAR] - 4.9;
	assert_int_equal(chair_safety_reset(f.s, f.now, &f.in, &why), -EBUSY);
	f.in.temp[CHAIR_HEATER_LUMBAR].celsius = f.hw.heater_max_c[CHAIR_HEATER_LUMBAR] - 5.0;
	assert_int_equal(chair_safety_reset(f.s, f.now, &f.in, &why), 0);
	assert_false(chair_safety_latched(f.s));
	teardown(&f);
}

/* After a reset, the stall count starts from zero: a walk that stalled
 * once gets its full 2 s again. */
static void test_reset_restarts_stall_count(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	f.req.session = true;
	f.req.out[CHAIR_OUT_WALK_UP] = true;
	step(&f, 10 * MS);
	step(&f, CHAIR_SAFETY_STALL_USEC);
	assert_int_equal(chair_safety_faults(f.s), 1u << CHAIR_FAULT_WALK_STALLED);
	assert_int_equal(chair_safety_reset(f.s, f.now, &f.in, NULL), 0);
	step(&f, 10 * MS);
	step(&f, CHAIR_SAFETY_STALL_USEC - 100 * MS);
	assert_int_equal(chair_safety_faults(f.s), 0);
	assert_true(f.cmd.out[CHAIR_OUT_WALK_UP]);
	teardown(&f);
}

/* The seat is watched only in a session: outside one, an empty seat is no
 * event, and a session that ended forgets that the seat was empty. */
static void test_seat_outside_session(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	f.in.in[CHAIR_IN_SEAT] = false;
	step(&f, 10 * MS);
	assert_int_equal(f.ev, 0);
	f.req.session = true;
	step(&f, 10 * MS);
	assert_true(f.ev & CHAIR_SAFETY_EV_SEAT_EMPTY);
	f.req.session = false;
	step(&f, 10 * MS);
	f.in.in[CHAIR_IN_SEAT] = true;
	step(&f, 10 * MS);
	assert_int_equal(f.ev, 0);
	f.req.session = true;
	step(&f, 10 * MS);
	assert_int_equal(f.ev, 0);
	teardown(&f);
}

/* A reset starts the welded-relay watch afresh, grace time and lowest
 * reading included: heat still rising just after the reset is not a
 * welded relay yet. */
static void test_reset_restarts_weld_grace(void **state)
{
	struct fixture f;
	struct chair_temp *t;

	(void)state;
	setup(&f);
	t = &f.in.temp[CHAIR_HEATER_LUMBAR];
	t->celsius = 35.0;
	chair_safety_emergency_stop(f.s);
	step(&f, 10 * MS);
	step(&f, 2 * CHAIR_SAFETY_WELD_GRACE_USEC);
	assert_int_equal(chair_safety_faults(f.s), 0);
	assert_int_equal(chair_safety_reset(f.s, f.now, &f.in, NULL), 0);
	for (int i = 0; i < 50; i++) {
		t->celsius += 0.1;
		step(&f, 100 * MS);
	}
	assert_true(t->celsius >= 35.0 + CHAIR_SAFETY_WELD_RISE_C);
	assert_int_equal(chair_safety_faults(f.s), 0);
	teardown(&f);

	/* Nor does the lowest reading before the reset count after it. */
	setup(&f);
	t = &f.in.temp[CHAIR_HEATER_LUMBAR];
	t->celsius = 35.0;
	chair_safety_emergency_stop(f.s);
	step(&f, 10 * MS);
	t->celsius = 32.0;
	step(&f, SEC);
	t->celsius = 35.0;
	step(&f, SEC);
	assert_int_equal(chair_safety_reset(f.s, f.now, &f.in, NULL), 0);
	for (uint64_t i = 0; i < 2 * CHAIR_SAFETY_WELD_GRACE_USEC / SEC; i++)
		step(&f, SEC);
	assert_int_equal(chair_safety_faults(f.s), 0);
	teardown(&f);
}

/* A fault or an e-stop is news once: while its cause stays, later steps
 * report nothing new. A fault code out of range latches nothing. */
static void test_fault_reported_once(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	request_everything(&f);
	f.in.in[CHAIR_IN_MOTOR_FAULT] = true;
	step(&f, 10 * MS);
	assert_true(f.ev & CHAIR_SAFETY_EV_FAULT);
	step(&f, 10 * MS);
	assert_false(f.ev & CHAIR_SAFETY_EV_FAULT);
	assert_int_equal(chair_safety_faults(f.s), 1u << CHAIR_FAULT_MOTOR_DRIVER);
	f.in.in[CHAIR_IN_ESTOP] = true;
	step(&f, 10 * MS);
	assert_true(f.ev & CHAIR_SAFETY_EV_ESTOP);
	step(&f, 10 * MS);
	assert_false(f.ev & CHAIR_SAFETY_EV_ESTOP);
	teardown(&f);

	setup(&f);
	chair_safety_latch_fault(f.s, CHAIR_FAULT_COUNT);
	assert_int_equal(chair_safety_faults(f.s), 0);
	assert_false(chair_safety_latched(f.s));
	teardown(&f);
}

/* The inflation cap's edges: a bag vented by the cap may fill again
 * exactly 5 s later; a bag the program let go of at the cap was not
 * capped, and after a real rest may fill again at once; exactly the rest
 * time is a rest. */
static void test_inflate_cap_edges(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	f.req.session = true;
	f.req.out[CHAIR_OUT_VALVE_FEET] = true;
	step(&f, 10 * MS);
	assert_true(f.cmd.out[CHAIR_OUT_VALVE_FEET]);
	step(&f, CHAIR_SAFETY_INFLATE_CAP_USEC);
	assert_false(f.cmd.out[CHAIR_OUT_VALVE_FEET]);
	step(&f, CHAIR_SAFETY_VENT_MIN_USEC);
	assert_true(f.cmd.out[CHAIR_OUT_VALVE_FEET]);
	teardown(&f);

	setup(&f);
	f.req.session = true;
	f.req.out[CHAIR_OUT_VALVE_FEET] = true;
	step(&f, 10 * MS);
	step(&f, CHAIR_SAFETY_INFLATE_CAP_USEC - 10 * MS);
	assert_true(f.cmd.out[CHAIR_OUT_VALVE_FEET]);
	f.req.out[CHAIR_OUT_VALVE_FEET] = false;
	step(&f, 10 * MS);
	step(&f, CHAIR_SAFETY_VALVE_REST_USEC);
	f.req.out[CHAIR_OUT_VALVE_FEET] = true;
	step(&f, 10 * MS);
	assert_true(f.cmd.out[CHAIR_OUT_VALVE_FEET]);
	teardown(&f);

	/* Off for exactly the rest time is a rest: a new run, with its own
	 * 20 s. */
	setup(&f);
	f.req.session = true;
	f.req.out[CHAIR_OUT_VALVE_FEET] = true;
	step(&f, 10 * MS);
	step(&f, CHAIR_SAFETY_INFLATE_CAP_USEC - SEC);
	f.req.out[CHAIR_OUT_VALVE_FEET] = false;
	step(&f, 10 * MS);
	f.req.out[CHAIR_OUT_VALVE_FEET] = true;
	step(&f, CHAIR_SAFETY_VALVE_REST_USEC);
	assert_true(f.cmd.out[CHAIR_OUT_VALVE_FEET]);
	step(&f, CHAIR_SAFETY_INFLATE_CAP_USEC - SEC);
	assert_true(f.cmd.out[CHAIR_OUT_VALVE_FEET]);
	teardown(&f);
}

/* Above the maximum is too hot; at the maximum is not yet. */
static void test_overtemp_edge(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	f.in.temp[CHAIR_HEATER_LUMBAR].celsius = f.hw.heater_max_c[CHAIR_HEATER_LUMBAR];
	step(&f, 10 * MS);
	assert_int_equal(chair_safety_faults(f.s), 0);
	f.in.temp[CHAIR_HEATER_LUMBAR].celsius += 0.1;
	step(&f, 10 * MS);
	assert_int_equal(chair_safety_faults(f.s), 1u << CHAIR_FAULT_HEATER_LUMBAR_OVERTEMP);
	teardown(&f);
}

/* Every time the seat empties, its grace time runs and ends in a
 * timeout, not only the first time. */
static void test_seat_empties_twice(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	f.req.session = true;
	step(&f, 10 * MS);
	for (int round = 0; round < 2; round++) {
		f.in.in[CHAIR_IN_SEAT] = false;
		step(&f, 10 * MS);
		assert_true(f.ev & CHAIR_SAFETY_EV_SEAT_EMPTY);
		step(&f, CHAIR_SAFETY_SEAT_GRACE_USEC);
		assert_true(f.ev & CHAIR_SAFETY_EV_SEAT_TIMEOUT);
		f.in.in[CHAIR_IN_SEAT] = true;
		step(&f, 10 * MS);
		assert_true(f.ev & CHAIR_SAFETY_EV_SEAT_RETURNED);
	}
	teardown(&f);
}

/* The heaters are still watched during an e-stop: a relay that welds
 * while the chair is stopped is caught. */
static void test_weld_during_estop(void **state)
{
	struct fixture f;
	struct chair_temp *t;

	(void)state;
	setup(&f);
	request_everything(&f);
	t = &f.in.temp[CHAIR_HEATER_LUMBAR];
	step(&f, 10 * MS);
	assert_true(f.cmd.out[CHAIR_OUT_HEAT_LUMBAR]);
	chair_safety_emergency_stop(f.s);
	for (int i = 0; i < 300 && !chair_safety_faults(f.s); i++) {
		t->celsius += 0.05;
		step(&f, 100 * MS);
	}
	assert_int_equal(chair_safety_faults(f.s), 1u << CHAIR_FAULT_HEATER_LUMBAR_OVERTEMP);
	assert_true(chair_outputs_all_off(&f.cmd));
	teardown(&f);
}

/* Only time in a running session counts toward the cap: not the time
 * outside a session, nor the step that paused it. */
static void test_cap_counts_session_time_only(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	for (int i = 0; i < 3; i++)
		step(&f, 10 * SEC);
	assert_int_equal(chair_safety_session_usec(f.s), 0);
	f.req.session = true;
	step(&f, 10 * MS);
	step(&f, SEC);
	assert_int_equal(chair_safety_session_usec(f.s), SEC);
	f.req.paused = true;
	step(&f, 10 * SEC);
	assert_int_equal(chair_safety_session_usec(f.s), SEC);
	teardown(&f);
}

/* The welded-relay rule's edges: a rise of exactly 2 °C, exactly 15 s
 * after the heater went off, is a welded relay. */
static void test_weld_edges(void **state)
{
	struct fixture f;
	struct chair_temp *t;

	(void)state;
	setup(&f);
	t = &f.in.temp[CHAIR_HEATER_LUMBAR];
	step(&f, 10 * MS);
	t->celsius += CHAIR_SAFETY_WELD_RISE_C;
	step(&f, CHAIR_SAFETY_WELD_GRACE_USEC - 10 * MS);
	assert_int_equal(chair_safety_faults(f.s), 0);
	step(&f, 10 * MS);
	assert_int_equal(chair_safety_faults(f.s), 1u << CHAIR_FAULT_HEATER_LUMBAR_OVERTEMP);
	teardown(&f);
}

/* The heater band's edges: at exactly setpoint - 0.5 °C an off heater
 * stays off, below it goes on; at exactly setpoint + 0.5 °C an on heater
 * stays on, above it goes off. */
static void test_heater_band_edge(void **state)
{
	struct fixture f;
	struct chair_temp *t;

	(void)state;
	setup(&f);
	t = &f.in.temp[CHAIR_HEATER_LUMBAR];
	f.req.session = true;
	f.req.heat[CHAIR_HEATER_LUMBAR] = 1;
	t->celsius = f.hw.heater_setpoint_c[CHAIR_HEATER_LUMBAR][0] + 1.0;
	step(&f, 100 * MS);
	assert_false(f.cmd.out[CHAIR_OUT_HEAT_LUMBAR]);
	t->celsius = f.hw.heater_setpoint_c[CHAIR_HEATER_LUMBAR][0] - CHAIR_SAFETY_HYSTERESIS_C;
	step(&f, 100 * MS);
	assert_false(f.cmd.out[CHAIR_OUT_HEAT_LUMBAR]);
	t->celsius -= 0.1;
	step(&f, 100 * MS);
	assert_true(f.cmd.out[CHAIR_OUT_HEAT_LUMBAR]);
	/* The upper edge: on at exactly setpoint + 0.5 °C, off above. */
	t->celsius = f.hw.heater_setpoint_c[CHAIR_HEATER_LUMBAR][0] + CHAIR_SAFETY_HYSTERESIS_C;
	step(&f, 100 * MS);
	assert_true(f.cmd.out[CHAIR_OUT_HEAT_LUMBAR]);
	t->celsius += 0.1;
	step(&f, 100 * MS);
	assert_false(f.cmd.out[CHAIR_OUT_HEAT_LUMBAR]);
	teardown(&f);
}

/* A heater the map does not have is never driven, even when something
 * reports a temperature for it. */
static void test_absent_heater_with_reading(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	f.hw.outputs &= ~(UINT32_C(1) << CHAIR_OUT_HEAT_CALVES);
	remake(&f);
	f.req.session = true;
	f.req.heat[CHAIR_HEATER_CALVES] = 3;
	step(&f, 100 * MS);
	assert_false(f.cmd.out[CHAIR_OUT_HEAT_CALVES]);
	assert_int_equal(chair_safety_faults(f.s), 0);
	teardown(&f);
}

/* A one-step sensor glitch latches a sensor fault, and does not hide a
 * welded relay: the off time before the glitch still counts. */
static void test_sensor_glitch_keeps_weld_watch(void **state)
{
	struct fixture f;
	struct chair_temp *t;

	(void)state;
	setup(&f);
	t = &f.in.temp[CHAIR_HEATER_LUMBAR];
	f.req.session = true;
	f.req.heat[CHAIR_HEATER_LUMBAR] = 1;
	t->celsius = 45.0; /* above the setpoint: off */
	for (int i = 0; i < 20; i++)
		step(&f, SEC);
	assert_false(f.cmd.out[CHAIR_OUT_HEAT_LUMBAR]);
	t->valid = false;
	t->celsius = 0.0;
	step(&f, 10 * MS);
	assert_int_equal(chair_safety_faults(f.s), 1u << CHAIR_FAULT_HEATER_LUMBAR_SENSOR);
	t->valid = true;
	t->celsius = 45.0 + CHAIR_SAFETY_WELD_RISE_C + 0.5;
	step(&f, 10 * MS);
	assert_true(chair_safety_faults(f.s) & (1u << CHAIR_FAULT_HEATER_LUMBAR_OVERTEMP));
	assert_true(chair_outputs_all_off(&f.cmd));
	teardown(&f);
}

/* An occupied seat never times out, and a timeout or the cap is news
 * once. */
static void test_seat_and_cap_events_once(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	f.req.session = true;
	for (int i = 0; i < 40; i++) {
		step(&f, SEC);
		assert_int_equal(f.ev, 0);
	}
	f.in.in[CHAIR_IN_SEAT] = false;
	step(&f, 10 * MS);
	step(&f, CHAIR_SAFETY_SEAT_GRACE_USEC);
	assert_true(f.ev & CHAIR_SAFETY_EV_SEAT_TIMEOUT);
	step(&f, 10 * MS);
	assert_int_equal(f.ev, 0);
	teardown(&f);

	setup(&f);
	f.hw.max_session_usec = 5 * 60 * SEC;
	remake(&f);
	f.req.session = true;
	step(&f, 10 * MS);
	step(&f, 5 * 60 * SEC);
	assert_true(f.ev & CHAIR_SAFETY_EV_CAP);
	step(&f, SEC);
	assert_false(f.ev & CHAIR_SAFETY_EV_CAP);
	teardown(&f);
}

/* Heat that keeps rising just after the thermostat switched the heater
 * off is residual heat, within the grace time, not a welded relay. */
static void test_residual_heat_after_switch_off(void **state)
{
	struct fixture f;
	struct chair_temp *t;
	double at_off;

	(void)state;
	setup(&f);
	t = &f.in.temp[CHAIR_HEATER_LUMBAR];
	f.req.session = true;
	f.req.heat[CHAIR_HEATER_LUMBAR] = 1;
	t->celsius = 35.0;
	step(&f, 100 * MS);
	for (int i = 0; i < 300 && f.cmd.out[CHAIR_OUT_HEAT_LUMBAR]; i++) {
		t->celsius += 0.05;
		step(&f, 100 * MS);
	}
	assert_false(f.cmd.out[CHAIR_OUT_HEAT_LUMBAR]);
	at_off = t->celsius;
	for (int i = 0; i < 50; i++) {
		t->celsius += 0.05;
		step(&f, 100 * MS);
	}
	assert_true(t->celsius >= at_off + CHAIR_SAFETY_WELD_RISE_C);
	assert_int_equal(chair_safety_faults(f.s), 0);
	teardown(&f);
}

/* A motor that rested at least 1 s starts a new run, with its own 30 s. */
static void test_motor_rest_edge(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	f.req.session = true;
	f.req.out[CHAIR_OUT_WALK_UP] = true;
	for (int i = 0; i < 25; i++) {
		f.in.encoder_pulses++;
		step(&f, SEC);
	}
	f.req.out[CHAIR_OUT_WALK_UP] = false;
	step(&f, 10 * MS);
	f.req.out[CHAIR_OUT_WALK_UP] = true;
	step(&f, CHAIR_SAFETY_MOTOR_REST_USEC);
	for (int i = 0; i < 25; i++) {
		f.in.encoder_pulses++;
		step(&f, SEC);
	}
	assert_int_equal(chair_safety_faults(f.s), 0);
	assert_true(f.cmd.out[CHAIR_OUT_WALK_UP]);
	teardown(&f);
}

/* A motor runs at the speed asked for, or full speed when none was; an
 * output that is off, asked for or not, has no duty. */
static void test_duty(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	f.req.session = true;
	f.req.out[CHAIR_OUT_KNEAD_CW] = true;
	f.req.duty[CHAIR_OUT_KNEAD_CW] = 60;
	f.req.out[CHAIR_OUT_TAP] = true;
	f.req.duty[CHAIR_OUT_WALK_UP] = 40; /* not on: no duty */
	f.req.out[CHAIR_OUT_WALK_DOWN] = true; /* held by the limit switch */
	f.req.duty[CHAIR_OUT_WALK_DOWN] = 70;
	f.in.in[CHAIR_IN_WALK_BOTTOM] = true;
	step(&f, 10 * MS);
	assert_int_equal(f.cmd.duty[CHAIR_OUT_KNEAD_CW], 60);
	assert_int_equal(f.cmd.duty[CHAIR_OUT_TAP], 100);
	assert_int_equal(f.cmd.duty[CHAIR_OUT_WALK_UP], 0);
	assert_false(f.cmd.out[CHAIR_OUT_WALK_DOWN]);
	assert_int_equal(f.cmd.duty[CHAIR_OUT_WALK_DOWN], 0);
	teardown(&f);
}

/* The welded-relay rise counts from the temperature when the heater went
 * off, not from the next reading. */
static void test_weld_rise_from_switch_off(void **state)
{
	struct fixture f;
	struct chair_temp *t;

	(void)state;
	setup(&f);
	t = &f.in.temp[CHAIR_HEATER_LUMBAR];
	f.req.session = true;
	f.req.heat[CHAIR_HEATER_LUMBAR] = 1;
	t->celsius = 39.0;
	step(&f, 100 * MS);
	assert_true(f.cmd.out[CHAIR_OUT_HEAT_LUMBAR]);
	t->celsius = 41.0;
	step(&f, 100 * MS);
	assert_false(f.cmd.out[CHAIR_OUT_HEAT_LUMBAR]);
	t->celsius = 41.5;
	step(&f, CHAIR_SAFETY_WELD_GRACE_USEC);
	assert_int_equal(chair_safety_faults(f.s), 0);
	t->celsius = 41.0 + CHAIR_SAFETY_WELD_RISE_C;
	step(&f, 100 * MS);
	assert_int_equal(chair_safety_faults(f.s), 1u << CHAIR_FAULT_HEATER_LUMBAR_OVERTEMP);
	teardown(&f);
}

/* Outside a session (parking after a stop, a body scan), an empty seat
 * does not hold the motors: the seat rule is for sessions. */
static void test_parking_on_empty_seat(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	f.in.in[CHAIR_IN_SEAT] = false;
	f.req.out[CHAIR_OUT_WALK_DOWN] = true;
	step(&f, 10 * MS);
	assert_true(f.cmd.out[CHAIR_OUT_WALK_DOWN]);
	teardown(&f);
}

/* After an e-stop, the welded-relay watch starts afresh: residual heat
 * just after the stop is no fault, and nor is a temperature that stays
 * where it was at the stop. */
static void test_weld_watch_after_estop(void **state)
{
	struct fixture f;
	struct chair_temp *t;

	(void)state;
	for (int round = 0; round < 2; round++) {
		setup(&f);
		f.req.session = true;
		f.req.heat[CHAIR_HEATER_LUMBAR] = 3;
		t = &f.in.temp[CHAIR_HEATER_LUMBAR];
		t->celsius = 30.0;
		for (int i = 0; i < 200; i++) {
			t->celsius += 0.05;
			step(&f, 100 * MS);
		}
		assert_true(f.cmd.out[CHAIR_OUT_HEAT_LUMBAR]);
		chair_safety_emergency_stop(f.s);
		for (int i = 0; i < (round ? 200 : 50); i++) {
			if (!round)
				t->celsius += 0.05;
			step(&f, 100 * MS);
		}
		assert_int_equal(chair_safety_faults(f.s), 0);
		teardown(&f);
	}
}

/* Quick strokes reverse the motor before it rests: each reversal reached
 * its target, so a minute of them is no motor timeout. */
static void test_quick_reversals_no_timeout(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	f.req.session = true;
	for (int i = 0; i < 600; i++) {
		bool up = (i / 5) % 2 == 0;

		f.req.out[CHAIR_OUT_WALK_UP] = up;
		f.req.out[CHAIR_OUT_WALK_DOWN] = !up;
		f.in.encoder_pulses++;
		step(&f, 100 * MS);
	}
	assert_int_equal(chair_safety_faults(f.s), 0);
	teardown(&f);
}

/* A paused session drives nothing, whatever is asked. */
static void test_paused_holds_everything(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	request_everything(&f);
	step(&f, 10 * MS);
	assert_false(chair_outputs_all_off(&f.cmd));
	f.req.paused = true;
	step(&f, 10 * MS);
	assert_true(chair_outputs_all_off(&f.cmd));
	teardown(&f);
}

/* Without a depth-home switch, the depth motor is not held by an unused
 * line's value. */
static void test_absent_depth_home(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	f.hw.inputs &= ~(UINT32_C(1) << CHAIR_IN_DEPTH_HOME);
	remake(&f);
	f.in.in[CHAIR_IN_DEPTH_HOME] = true;
	f.req.session = true;
	f.req.out[CHAIR_OUT_DEPTH_OUT] = true;
	step(&f, 10 * MS);
	assert_true(f.cmd.out[CHAIR_OUT_DEPTH_OUT]);
	teardown(&f);
}

/* A chair whose clock starts at 0: an output that never ran waits for no
 * dead time, and a run that began at 0 is still capped. */
static void test_clock_from_zero(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	f.now = 0;
	for (int h = 0; h < CHAIR_HEATER_COUNT; h++)
		f.in.temp[h].read_usec = 0;
	f.req.session = true;
	f.req.out[CHAIR_OUT_WALK_UP] = true;
	f.in.encoder_pulses++;
	f.ev = chair_safety_step(f.s, f.now, &f.in, &f.req, &f.cmd);
	assert_true(f.cmd.out[CHAIR_OUT_WALK_UP]);
	teardown(&f);

	setup(&f);
	f.now = 0;
	for (int h = 0; h < CHAIR_HEATER_COUNT; h++)
		f.in.temp[h].read_usec = 0;
	f.req.session = true;
	f.req.out[CHAIR_OUT_VALVE_FEET] = true;
	f.ev = chair_safety_step(f.s, f.now, &f.in, &f.req, &f.cmd);
	assert_true(f.cmd.out[CHAIR_OUT_VALVE_FEET]);
	step(&f, CHAIR_SAFETY_INFLATE_CAP_USEC - SEC);
	f.req.out[CHAIR_OUT_VALVE_FEET] = false;
	step(&f, 10 * MS);
	f.req.out[CHAIR_OUT_VALVE_FEET] = true;
	step(&f, 10 * MS);
	step(&f, 2 * SEC);
	assert_false(f.cmd.out[CHAIR_OUT_VALVE_FEET]);
	teardown(&f);
}

/* The motor timeout counts through a short stop in either direction. */
static void test_motor_timeout_drops_outward(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	f.in.in[CHAIR_IN_DEPTH_HOME] = false;
	f.req.session = true;
	/* On 3.5 s, off 0.5 s, again and again. */
	for (int i = 0; i < 80 && !chair_safety_faults(f.s); i++) {
		f.req.out[CHAIR_OUT_DEPTH_OUT] = i % 8 != 7;
		step(&f, 500 * MS);
	}
	assert_int_equal(chair_safety_faults(f.s), 1u << CHAIR_FAULT_MOTOR_TIMEOUT);
	teardown(&f);
}

/* At the session cap, and after any fault, the heaters are off and their
 * welded-relay watch goes on. */
static void test_heaters_after_cap_and_fault(void **state)
{
	struct fixture f;
	struct chair_temp *t;

	(void)state;
	setup(&f);
	f.hw.max_session_usec = 5 * 60 * SEC;
	remake(&f);
	f.req.session = true;
	f.req.heat[CHAIR_HEATER_LUMBAR] = 3;
	step(&f, 10 * MS);
	assert_true(f.cmd.out[CHAIR_OUT_HEAT_LUMBAR]);
	step(&f, 5 * 60 * SEC);
	assert_true(f.ev & CHAIR_SAFETY_EV_CAP);
	assert_false(f.cmd.out[CHAIR_OUT_HEAT_LUMBAR]);
	teardown(&f);

	/* The grace time runs from the step the fault turned the heater
	 * off, even as the session (and its heat request) ends a step
	 * later. */
	setup(&f);
	t = &f.in.temp[CHAIR_HEATER_LUMBAR];
	f.req.session = true;
	f.req.heat[CHAIR_HEATER_LUMBAR] = 3;
	step(&f, 10 * MS);
	assert_true(f.cmd.out[CHAIR_OUT_HEAT_LUMBAR]);
	f.in.in[CHAIR_IN_MOTOR_FAULT] = true;
	step(&f, 10 * MS);
	assert_true(chair_outputs_all_off(&f.cmd));
	memset(&f.req, 0, sizeof(f.req));
	step(&f, 10 * MS);
	t->celsius += CHAIR_SAFETY_WELD_RISE_C;
	step(&f, CHAIR_SAFETY_WELD_GRACE_USEC - 10 * MS);
	assert_true(chair_safety_faults(f.s) & (1u << CHAIR_FAULT_HEATER_LUMBAR_OVERTEMP));
	assert_true(chair_outputs_all_off(&f.cmd));
	teardown(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_estop_button),
		cmocka_unit_test(test_emergency_stop_call),
		cmocka_unit_test(test_opposing),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_walk_stall),
		cmocka_unit_test(test_motor_timeout),
		cmocka_unit_test(test_motor_driver),
		cmocka_unit_test(test_heater_loop),
		cmocka_unit_test(test_heater_sensor),
		cmocka_unit_test(test_heater_stale_boundary),
		cmocka_unit_test(test_heater_overtemp),
		cmocka_unit_test(test_heater_welded),
		cmocka_unit_test(test_session_cap),
		cmocka_unit_test(test_seat),
		cmocka_unit_test(test_air),
		cmocka_unit_test(test_external_fault),
		cmocka_unit_test(test_absent_parts),
		cmocka_unit_test(test_pulse_after_now),
		cmocka_unit_test(test_stall_across_reversals),
		cmocka_unit_test(test_dead_time_from_real_change),
		cmocka_unit_test(test_failed_write_counts_as_on),
		cmocka_unit_test(test_valve_drop_keeps_cap),
		cmocka_unit_test(test_motor_timeout_drops),
		cmocka_unit_test(test_temperature_from_future),
		cmocka_unit_test(test_seat_while_paused),
		cmocka_unit_test(test_loop_stalled),
		cmocka_unit_test(test_new_out_of_memory),
		cmocka_unit_test(test_latched_by_estop),
		cmocka_unit_test(test_session_begin_starts_afresh),
		cmocka_unit_test(test_temperature_edges),
		cmocka_unit_test(test_reset_without_estop_input),
		cmocka_unit_test(test_reset_names_first_cause),
		cmocka_unit_test(test_motor_fault_during_estop),
		cmocka_unit_test(test_absent_sensors),
		cmocka_unit_test(test_overtemp_reset_needs_reading),
		cmocka_unit_test(test_reset_restarts_stall_count),
		cmocka_unit_test(test_seat_outside_session),
		cmocka_unit_test(test_reset_restarts_weld_grace),
		cmocka_unit_test(test_fault_reported_once),
		cmocka_unit_test(test_inflate_cap_edges),
		cmocka_unit_test(test_overtemp_edge),
		cmocka_unit_test(test_seat_empties_twice),
		cmocka_unit_test(test_weld_during_estop),
		cmocka_unit_test(test_cap_counts_session_time_only),
		cmocka_unit_test(test_weld_edges),
		cmocka_unit_test(test_heater_band_edge),
		cmocka_unit_test(test_absent_heater_with_reading),
		cmocka_unit_test(test_sensor_glitch_keeps_weld_watch),
		cmocka_unit_test(test_seat_and_cap_events_once),
		cmocka_unit_test(test_residual_heat_after_switch_off),
		cmocka_unit_test(test_motor_rest_edge),
		cmocka_unit_test(test_duty),
		cmocka_unit_test(test_weld_rise_from_switch_off),
		cmocka_unit_test(test_parking_on_empty_seat),
		cmocka_unit_test(test_weld_watch_after_estop),
		cmocka_unit_test(test_quick_reversals_no_timeout),
		cmocka_unit_test(test_paused_holds_everything),
		cmocka_unit_test(test_absent_depth_home),
		cmocka_unit_test(test_clock_from_zero),
		cmocka_unit_test(test_motor_timeout_drops_outward),
		cmocka_unit_test(test_heaters_after_cap_and_fault),
	};

	return cmocka_run_group_tests_name("safety", tests, NULL, NULL);
}
