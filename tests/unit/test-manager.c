// SPDX-License-Identifier: MIT
/*
 * The session state machine, on the simulated chair without a bus: each
 * action's result is the errno that chair-object.c maps to a D-Bus error.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "manager.h"
#include "sim.h"

#define BIT(x) (UINT32_C(1) << (x))

static struct manager *new_manager(void)
{
	const char *dirs[] = { getenv("CHAIRD_PROGRAMS_SRC") };
	struct manager_config cfg = { .program_dirs = dirs, .n_program_dirs = 1, .sim = true,
				      .time_scale = 1000.0 };
	struct manager *m = NULL;

	chair_hw_default(&cfg.hw);
	assert_non_null(dirs[0]);
	assert_int_equal(manager_new(&cfg, &m), 0);
	return m;
}

static void test_refusals(void **state)
{
	struct manager *m = new_manager();
	struct manager_why why = { "" };
	struct chair_options o;

	(void)state;
	chair_options_init(&o);
	assert_int_equal(manager_start_session(m, "no-such", &o, &why), -ENOENT);
	assert_non_null(strstr(why.msg, "There is no program 'no-such'"));
	assert_int_equal(manager_pause(m, &why), -ESRCH);
	assert_int_equal(manager_resume(m, &why), -ESRCH);
	assert_int_equal(manager_set_intensity(m, 3, &why), -ESRCH);
	assert_int_equal(manager_set_intensity(m, 9, &why), -EINVAL);
	assert_int_equal(manager_set_heat(m, 4, &why), -EINVAL);

	o.conditions = BIT(CHAIR_COND_INFLAMMATION);
	assert_int_equal(manager_start_session(m, "relax", &o, &why), -EINVAL);
	o.conditions = BIT(CHAIR_COND_NERVE_PAIN);
	assert_int_equal(manager_start_session(m, "deep-tissue", &o, &why), -EPERM);
	assert_non_null(strstr(why.msg, "nerve pain"));

	chair_sim_set_occupied(hal_sim_chair(m->hal), false);
	manager_input_changed(m);
	chair_options_init(&o);
	assert_int_equal(manager_start_session(m, "relax", &o, &why), -ENXIO);
	chair_sim_set_occupied(hal_sim_chair(m->hal), true);
	manager_input_changed(m);
	manager_free(m);
}

static void test_session_cycle(void **state)
{
	struct manager *m = new_manager();
	struct manager_why why = { "" };
	struct chair_options o;

	(void)state;
	chair_options_init(&o);
	o.conditions = BIT(CHAIR_COND_PREGNANCY);
	assert_int_equal(manager_start_session(m, "relax", &o, &why), 0);
	assert_int_equal(m->state, CHAIR_STATE_RUNNING);
	assert_int_equal(manager_start_session(m, "relax", &o, &why), -EBUSY);
	assert_non_null(strstr(why.msg, "(relax) is already running"));
	assert_int_equal(manager_scan(m, &why), -EBUSY);
	assert_int_equal(manager_set_heat(m, 2, &why), -EPERM);
	assert_int_equal(manager_pause(m, &why), 0);
	assert_int_equal(m->state, CHAIR_STATE_PAUSED);
	assert_int_equal(manager_resume(m, &why), 0);
	assert_int_equal(manager_set_intensity(m, 4, &why), 0);
	assert_int_equal(m->intensity, 4);

	assert_int_equal(manager_emergency_stop(m), 0);
	assert_int_equal(m->state, CHAIR_STATE_EMERGENCY_STOP);
	assert_true(chair_outputs_all_off(hal_outputs(m->hal)));
	assert_int_equal(manager_start_session(m, "relax", &o, &why), -ECANCELED);
	assert_int_equal(manager_scan(m, &why), -ECANCELED);
	assert_int_equal(manager_reset(m, &why), 0);
	assert_int_equal(m->state, CHAIR_STATE_IDLE);
	/* A reset never starts motion. */
	assert_true(chair_outputs_all_off(hal_outputs(m->hal)));

	/* The button held: Reset is refused while it is. */
	chair_sim_set_estop(hal_sim_chair(m->hal), true);
	manager_input_changed(m);
	assert_int_equal(m->state, CHAIR_STATE_EMERGENCY_STOP);
	assert_int_equal(manager_reset(m, &why), -ECANCELED);
	assert_non_null(strstr(why.msg, "still pressed"));
	chair_sim_set_estop(hal_sim_chair(m->hal), false);
	manager_input_changed(m);
	assert_int_equal(manager_reset(m, &why), 0);
	assert_int_equal(manager_stop(m), 0);
	manager_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_session_cycle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
