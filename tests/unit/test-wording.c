// SPDX-License-Identifier: MIT
/*
 * The wording clients show a person: every name in chair-names.c has its
 * words, looking a name up gives the same words as the enum, and "did you
 * mean" finds slips without guessing wildly.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "chair-names.h"
#include "macro.h"
#include "wording.h"

/* A sentence starts with a capital and ends with a full stop. */
static void assert_sentence(const char *s)
{
	assert_non_null(s);
	assert_true(strlen(s) > 3);
	assert_true(isupper((unsigned char)s[0]));
	assert_int_equal(s[strlen(s) - 1], '.');
}

/* A label starts with a capital and is no sentence. */
static void assert_label(const char *s)
{
	assert_non_null(s);
	assert_true(*s);
	assert_true(isupper((unsigned char)s[0]));
	assert_int_not_equal(s[strlen(s) - 1], '.');
}

static void test_faults(void **state)
{
	for (int f = 0; f < CHAIR_FAULT_COUNT; f++) {
		const char *name = chair_fault_to_string((enum chair_fault)f);

		assert_non_null(name);
		assert_sentence(chair_wording_fault((enum chair_fault)f));
		assert_ptr_equal(chair_wording_fault_name(name), chair_wording_fault((enum chair_fault)f));
	}
	assert_null(chair_wording_fault(CHAIR_FAULT_COUNT));
	assert_null(chair_wording_fault_name("no-such-fault"));
	assert_null(chair_wording_fault_name(NULL));
}

static void test_finish_reasons(void **state)
{
	for (int r = 0; r < CHAIR_FINISH_COUNT; r++) {
		const char *name = chair_finish_reason_to_string((enum chair_finish_reason)r);

		assert_sentence(chair_wording_finish((enum chair_finish_reason)r));
		assert_ptr_equal(chair_wording_finish_name(name),
				 chair_wording_finish((enum chair_finish_reason)r));
	}
	assert_string_equal(chair_wording_finish_name("completed"), "The session is complete.");
	assert_null(chair_wording_finish_name("exploded"));
}

static void test_states_and_phases(void **state)
{
	for (int s = 0; s < CHAIR_STATE_COUNT; s++) {
		assert_sentence(chair_wording_state((enum chair_state)s));
		assert_ptr_equal(chair_wording_state_name(chair_state_to_string((enum chair_state)s)),
				 chair_wording_state((enum chair_state)s));
	}
	/* Only idle may say the chair is ready. */
	for (int s = 0; s < CHAIR_STATE_COUNT; s++)
		assert_true((strstr(chair_wording_state((enum chair_state)s), "ready") != NULL) ==
			    (s == CHAIR_STATE_IDLE));
	for (int p = 0; p < CHAIR_PHASE_COUNT; p++) {
		assert_label(chair_wording_phase((enum chair_phase)p));
		assert_ptr_equal(chair_wording_phase_name(chair_phase_to_string((enum chair_phase)p)),
				 chair_wording_phase((enum chair_phase)p));
	}
	assert_sentence(chair_wording_pause_reason_name("requested"));
	assert_sentence(chair_wording_pause_reason_name("seat-empty"));
	assert_null(chair_wording_pause_reason_name(""));
}

static void test_techniques_zones_conditions(void **state)
{
	for (int t = 0; t < CHAIR_TECHNIQUE_COUNT; t++) {
		assert_label(chair_wording_technique((enum chair_technique)t));
		assert_ptr_equal(
			chair_wording_technique_name(chair_technique_to_string((enum chair_technique)t)),
			chair_wording_technique((enum chair_technique)t));
	}
	for (int z = 0; z < CHAIR_ZONE_COUNT; z++) {
		const char *phrase = chair_wording_zone_phrase((enum chair_zone)z);

		assert_label(chair_wording_zone((enum chair_zone)z));
		assert_non_null(phrase);
		assert_true(islower((unsigned char)phrase[0]));
		assert_ptr_equal(chair_wording_any_zone_name(chair_zone_to_string((enum chair_zone)z)),
				 chair_wording_zone((enum chair_zone)z));
	}
	for (int z = 0; z < CHAIR_AIR_COUNT; z++)
		assert_label(chair_wording_air_zone((enum chair_air_zone)z));
	assert_string_equal(chair_wording_any_zone_name("feet"), "Feet");
	assert_string_equal(chair_wording_any_zone_name("mid-back"), "Mid back");
	assert_null(chair_wording_any_zone_name("elbow"));
	for (int c = 0; c < CHAIR_CONDITION_COUNT; c++) {
		assert_label(chair_wording_condition((enum chair_condition)c));
		assert_ptr_equal(
			chair_wording_condition_name(chair_condition_to_string((enum chair_condition)c)),
			chair_wording_condition((enum chair_condition)c));
	}
}

static void test_suggest(void **state)
{
	static const char *const programs[] = { "swedish", "deep-tissue", "trigger-point", "relax",
						"shiatsu", "sports", "energize" };
	static const char *const conds[] = { "nerve-pain", "inflammation", "pregnancy", "arthritis",
					     "recent-injury" };
	size_t n = ELEMENTSOF(programs);

	assert_string_equal(chair_suggest("swedsh", programs, n), "swedish");
	assert_string_equal(chair_suggest("Swedish", programs, n), "swedish");
	assert_string_equal(chair_suggest("SHIATSU", programs, n), "shiatsu");
	assert_string_equal(chair_suggest("sprots", programs, n), "sports"); /* a swap */
	assert_string_equal(chair_suggest("deep", programs, n), "deep-tissue"); /* a prefix */
	assert_string_equal(chair_suggest("arthritus", conds, ELEMENTSOF(conds)), "arthritis");
	assert_string_equal(chair_suggest("nerve pain", conds, ELEMENTSOF(conds)), "nerve-pain");
	/* Nothing close: no wild guess. */
	assert_null(chair_suggest("back-pain", conds, ELEMENTSOF(conds)));
	assert_null(chair_suggest("xyz", programs, n));
	assert_null(chair_suggest("re", programs, n)); /* too short to be a prefix */
	assert_null(chair_suggest("", programs, n));
	assert_null(chair_suggest(NULL, programs, n));
	/* A word too long to compare is no crash. */
	char big[200];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	assert_null(chair_suggest(big, programs, n));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_finish_reasons),
		cmocka_unit_test(test_states_and_phases),
		cmocka_unit_test(test_techniques_zones_conditions),
		cmocka_unit_test(test_suggest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
