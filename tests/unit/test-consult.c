// SPDX-License-Identifier: MIT
/* The consultation: a table of answers with the program, the options and
 * the words the reasons must contain; the errors; the rules that must hold
 * whatever else is said; and a sweep over combinations of answers where
 * every recommendation must pass chair_options_check(), the check Start
 * runs on its options, and where chair_policy_init(), the limits the
 * session then holds to, keeps the safety rules. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "consult.h"
#include "macro.h"
#include "testutil.h"

#define BIT(i) (UINT32_C(1) << (i))
#define MIN_USEC(m) ((uint64_t)(m) * USEC_PER_MIN)

static struct chair_programs *builtins;
static struct chair_hw default_hw;

static struct chair_programs *load_dir(const char *dir, const struct chair_hw *hw)
{
	const char *dirs[1] = { dir };
	struct chair_programs *ps = NULL;
	char **errors = NULL;

	assert_int_equal(chair_programs_load(dirs, 1, hw, &ps, &errors), 0);
	if (errors && errors[0])
		fail_msg("program error: %s", errors[0]);
	chair_strv_free(errors);
	return ps;
}

static int setup(void **state)
{
	const char *dir = getenv("CHAIRD_PROGRAMS_SRC");

	(void)state;
	chair_hw_default(&default_hw);
	builtins = load_dir(dir ? dir : "data/programs", &default_hw);
	assert_int_equal(chair_programs_count(builtins), 11);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	chair_programs_free(builtins);
	return 0;
}

/* "zones=neck,lower-back goal=relax minutes=20" -> answers. Returns the
 * first error (and its message) or 0. */
static int parse_answers(const char *spec, struct chair_answers *a, char **ret_msg)
{
	char buf[512], *save = NULL;

	chair_answers_init(a);
	snprintf(buf, sizeof(buf), "%s", spec);
	for (char *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '='), *vsave = NULL;
		int r;

		assert_non_null(eq);
		*eq = '\0';
		if (streq(tok, "minutes") || streq(tok, "minutes-as-number")) {
			r = chair_answers_set_uint(a, "minutes", strtoull(eq + 1, NULL, 10), ret_msg);
			if (r < 0)
				return r;
			continue;
		}
		if (streq(tok, "number")) { /* a number given to another key */
			char *colon = strchr(eq + 1, ':');

			*colon = '\0';
			r = chair_answers_set_uint(a, eq + 1, strtoull(colon + 1, NULL, 10), ret_msg);
			if (r < 0)
				return r;
			continue;
		}
		for (char *v = strtok_r(eq + 1, ",", &vsave); v; v = strtok_r(NULL, ",", &vsave)) {
			r = chair_answers_add(a, tok, v, ret_msg);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static uint32_t names_mask(const char *list, int (*lookup)(const char *))
{
	char buf[256], *save = NULL;
	uint32_t m = 0;

	if (!list)
		return 0;
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *v = strtok_r(buf, ",", &save); v; v = strtok_r(NULL, ",", &save)) {
		int i = lookup(v);

		assert_true(i >= 0);
		m |= BIT(i);
	}
	return m;
}

/* True if @p s holds every part of "a+b+c". */
static bool has_all(const char *s, const char *parts)
{
	char buf[128], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", parts);
	for (char *w = strtok_r(buf, "+", &save); w; w = strtok_r(NULL, "+", &save))
		if (!strstr(s, w))
			return false;
	return true;
}

/* Each ';'-separated item is in some reason; "a+b" are in the same one. */
static void assert_mentions(char **reasons, const char *words)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", words);
	for (char *w = strtok_r(buf, ";", &save); w; w = strtok_r(NULL, ";", &save)) {
		bool found = false;

		for (size_t i = 0; reasons && reasons[i]; i++)
			if (has_all(reasons[i], w))
				found = true;
		if (!found) {
			for (size_t i = 0; reasons && reasons[i]; i++)
				print_message("  reason: %s\n", reasons[i]);
			fail_msg("no reason mentions '%s'", w);
		}
	}
}

/* Every reason is a sentence: a capital first, a full stop last. */
static void assert_sentences(char **reasons)
{
	assert_non_null(reasons);
	assert_non_null(reasons[0]);
	for (size_t i = 0; reasons[i]; i++) {
		size_t n = strlen(reasons[i]);

		if (n < 10 || reasons[i][0] < 'A' || reasons[i][0] > 'Z' || reasons[i][n - 1] != '.')
			fail_msg("not a sentence: '%s'", reasons[i]);
	}
}

struct case_ {
	const char *answers;
	const char *program;  /* "" for the doctor's advice */
	unsigned intensity;
	int heat;
	unsigned minutes;
	const char *focus;    /* NULL: none */
	const char *avoid;    /* back zones, comma-separated */
	const char *avoid_air;
	const char *conditions;
	const char *mentions; /* see assert_mentions() */
};

static const struct case_ cases[] = {
	/* No complaint, and pressure alone. */
	{ "", "swedish", 3, 1, 15, NULL, NULL, NULL, NULL, "no particular complaint" },
	{ "pressure=medium", "swedish", 3, 1, 15, NULL, NULL, NULL, NULL, "medium" },
	/* Knots: trigger-point, the sore zone as focus; gentle: myofascial. */
	{ "zones=neck feelings=knotted", "trigger-point", 3, 1, 15, "neck", NULL, NULL, NULL,
	  "knotted;neck" },
	{ "zones=shoulders feelings=knotted pressure=firm", "trigger-point", 4, 1, 15, "shoulders",
	  NULL, NULL, NULL, "knotted;firm" },
	{ "zones=upper-back feelings=knotted pressure=gentle", "myofascial-release", 2, 1, 20,
	  "upper-back", NULL, NULL, NULL, "Knotted;gentle" },
	{ "feelings=knotted", "trigger-point", 3, 1, 15, NULL, NULL, NULL, NULL, "knotted" },
	{ "zones=neck,lower-back feelings=knotted minutes=12", "trigger-point", 3, 1, 12, "neck",
	  NULL, NULL, NULL, "knotted;12 minutes;named it first" },
	/* The lower back has its own program. */
	{ "zones=lower-back feelings=tight", "lower-back", 3, 2, 15, "lower-back", NULL, NULL, NULL,
	  "lower back" },
	{ "zones=sacrum,lower-back feelings=aching", "lower-back", 3, 2, 15, "sacrum", NULL, NULL,
	  NULL, "sacrum" },
	{ "zones=lower-back", "lower-back", 3, 2, 15, "lower-back", NULL, NULL, NULL, "lower back" },
	{ "zones=hips,lower-back feelings=tight", "lower-back", 3, 2, 15, "lower-back", NULL, NULL,
	  NULL, "lower back" },
	{ "goal=relieve zones=sacrum", "lower-back", 3, 2, 15, "sacrum", NULL, NULL, NULL, "sacrum" },
	/* Tight: deep tissue, or myofascial when gentle. */
	{ "zones=mid-back feelings=tight", "deep-tissue", 3, 1, 15, "mid-back", NULL, NULL, NULL,
	  "tight" },
	{ "zones=mid-back feelings=tight pressure=firm", "deep-tissue", 4, 1, 15, "mid-back", NULL,
	  NULL, NULL, "tight;firm" },
	{ "zones=mid-back feelings=tight pressure=gentle", "myofascial-release", 2, 1, 20,
	  "mid-back", NULL, NULL, NULL, "tight;gentle" },
	/* Stiff: myofascial with warmth; aching: sports. */
	{ "zones=upper-back feelings=stiff", "myofascial-release", 3, 2, 20, "upper-back", NULL,
	  NULL, NULL, "stiff" },
	{ "feelings=stiff goal=loosen", "myofascial-release", 3, 2, 20, NULL, NULL, NULL, NULL,
	  "stiff" },
	{ "zones=shoulders feelings=aching", "sports", 3, 0, 15, "shoulders", NULL, NULL, NULL,
	  "aching" },
	{ "feelings=aching pressure=firm minutes=10", "sports", 4, 0, 10, NULL, NULL, NULL, NULL,
	  "aching;10 minutes" },
	{ "zones=arms feelings=aching", "sports", 3, 0, 15, NULL, NULL, NULL, NULL, "aching" },
	/* Goals. */
	{ "goal=relax", "relax", 3, 1, 20, NULL, NULL, NULL, NULL, "relax;sedative" },
	{ "goal=relax zones=neck feelings=knotted", "relax", 3, 1, 20, "neck", NULL, NULL, NULL,
	  "relax" },
	{ "goal=relax pressure=gentle minutes=5", "relax", 2, 1, 5, NULL, NULL, NULL, NULL,
	  "relax;gentle;5 minutes" },
	{ "goal=relax minutes=45", "relax", 3, 1, 30, NULL, NULL, NULL, NULL, "45 minutes;at most 30" },
	{ "goal=energize", "energize", 3, 0, 10, NULL, NULL, NULL, NULL, "energize;tapotement" },
	{ "goal=energize pressure=firm minutes=5", "energize", 4, 0, 5, NULL, NULL, NULL, NULL,
	  "energize;firm" },
	{ "goal=relieve", "shiatsu", 3, 0, 15, NULL, NULL, NULL, NULL, "relief" },
	{ "goal=relieve zones=neck", "swedish", 3, 1, 15, "neck", NULL, NULL, NULL, "relief;neck" },
	{ "goal=loosen", "myofascial-release", 3, 1, 20, NULL, NULL, NULL, NULL, "loosen" },
	{ "goal=loosen pressure=firm", "sports", 4, 0, 15, NULL, NULL, NULL, NULL, "loosen;firm" },
	{ "zones=upper-back,neck", "swedish", 3, 1, 15, "upper-back", NULL, NULL, NULL,
	  "upper back;named it first" },
	/* Tingling or numbness: nerve pain, light, never deep tissue. */
	{ "zones=neck feelings=tingling", "craniosacral", 2, 0, 15, NULL, NULL, NULL, "nerve-pain",
	  "tingling" },
	{ "zones=lower-back feelings=tingling,knotted pressure=firm", "relax", 2, 1, 20, NULL, NULL,
	  NULL, "nerve-pain", "tingling;firm" },
	{ "zones=mid-back,neck feelings=numb", "relax", 2, 1, 20, NULL, NULL, NULL, "nerve-pain",
	  "numb" },
	{ "zones=mid-back feelings=tight conditions=nerve-pain", "relax", 2, 1, 20, NULL, NULL, NULL,
	  "nerve-pain", "nerve pain" },
	{ "zones=shoulders feelings=tingling,stiff", "craniosacral", 2, 2, 15, NULL, NULL, NULL,
	  "nerve-pain", "tingling;stiff" },
	{ "zones=neck,shoulders,upper-back feelings=tingling goal=energize", "craniosacral", 2, 0,
	  15, NULL, NULL, NULL, "nerve-pain", "tingling" },
	/* Swelling, inflammation, injury: the zone is kept off, heat is off. */
	{ "zones=lower-back feelings=swollen", "relax", 3, 0, 20, NULL, "lower-back", NULL,
	  "inflammation", "swollen;lower back" },
	{ "zones=neck feelings=swollen,tight pressure=firm", "relax", 3, 0, 20, NULL, "neck", NULL,
	  "inflammation", "swollen;firm" },
	{ "zones=shoulders feelings=injured goal=energize", "energize", 3, 0, 10, NULL, "shoulders",
	  NULL, "recent-injury", "injured" },
	{ "zones=calves conditions=inflammation goal=relax", "relax", 3, 0, 20, NULL, NULL, "calves",
	  "inflammation", "inflamed;calves" },
	{ "zones=feet,calves feelings=swollen", "relax", 3, 0, 20, NULL, NULL, "calves,feet",
	  "inflammation", "swollen;blood clot+doctor" },
	{ "zones=lower-back,neck feelings=injured goal=relieve", "shiatsu", 3, 0, 15, NULL,
	  "neck,lower-back", NULL, "recent-injury", "injured" },
	/* Pregnancy: no heat, nothing on the lower back or sacrum. */
	{ "conditions=pregnancy", "relax", 3, 0, 20, NULL, "lower-back,sacrum", "hips", "pregnancy",
	  "pregnan;no heat" },
	{ "conditions=pregnancy zones=lower-back feelings=aching pressure=firm", "relax", 3, 0, 20,
	  NULL, "lower-back,sacrum", "hips", "pregnancy", "pregnan;firm" },
	{ "conditions=pregnancy zones=neck,lower-back goal=energize", "relax", 3, 0, 20, "neck",
	  "lower-back,sacrum", "hips", "pregnancy", "pregnan" },
	{ "conditions=pregnancy zones=neck feelings=tingling", "relax", 2, 0, 20, NULL,
	  "lower-back,sacrum", "hips", "pregnancy,nerve-pain", "pregnan;tingling" },
	/* Arthritis: warmth, and nothing deep. */
	{ "conditions=arthritis", "hot-stone", 3, 2, 20, NULL, NULL, NULL, "arthritis", "arthritis" },
	{ "conditions=arthritis pressure=firm zones=mid-back", "hot-stone", 3, 2, 20, "mid-back",
	  NULL, NULL, "arthritis", "arthritis;firm" },
	{ "conditions=arthritis,pregnancy", "relax", 3, 0, 20, NULL, "lower-back,sacrum", "hips",
	  "arthritis,pregnancy", "pregnan" },
	{ "conditions=arthritis feelings=swollen zones=hips", "relax", 3, 0, 20, NULL, NULL, "hips",
	  "arthritis,inflammation", "arthritis;swollen" },
	/* Red flags: no program, a doctor first. */
	{ "red_flags=severe-pain", "", 0, 0, 0, NULL, NULL, NULL, NULL, "severe+doctor;No massage" },
	{ "red_flags=after-accident zones=neck", "", 0, 0, 0, NULL, NULL, NULL, NULL,
	  "fall or an accident+doctor;No massage" },
	{ "red_flags=spreading-numbness", "", 0, 0, 0, NULL, NULL, NULL, NULL,
	  "legs+doctor+bladder;No massage" },
	{ "red_flags=fever goal=relax", "", 0, 0, 0, NULL, NULL, NULL, NULL, "fever+doctor;No massage" },
	{ "red_flags=severe-pain,fever feelings=swollen", "", 0, 0, 0, NULL, NULL, NULL, NULL,
	  "severe+doctor;fever+doctor;No massage" },
	/* A profile name is taken; the daemon fills in what it knows. */
	{ "profile=Anna_2 goal=relax", "relax", 3, 1, 20, NULL, NULL, NULL, NULL, "relax" },
};

static void run_case(const struct case_ *c, const struct chair_programs *ps,
		     const struct chair_hw *hw)
{
	struct chair_recommendation rec;
	struct chair_answers a;
	char *msg = NULL;
	int focus = c->focus ? chair_zone_from_string(c->focus) : -1;

	print_message("case: '%s'\n", c->answers);
	assert_int_equal(parse_answers(c->answers, &a, &msg), 0);
	assert_int_equal(chair_consult(&a, ps, hw, &rec, &msg), 0);
	assert_null(msg);
	assert_string_equal(rec.program, c->program);
	assert_sentences(rec.reasons);
	assert_mentions(rec.reasons, c->mentions);
	assert_int_equal(rec.passed_over, 0);
	if (!*c->program) {
		/* Nothing to start: the options say nothing either. */
		assert_int_equal(rec.options.duration_usec, 0);
		assert_int_equal(rec.options.focus, -1);
		assert_int_equal(rec.options.avoid_back | rec.options.avoid_air, 0);
		chair_recommendation_done(&rec);
		return;
	}
	assert_int_equal(rec.options.intensity, c->intensity);
	assert_int_equal(rec.options.heat, c->heat);
	assert_int_equal(rec.options.duration_usec, MIN_USEC(c->minutes));
	assert_int_equal(rec.options.focus, focus);
	assert_int_equal(rec.options.avoid_back, names_mask(c->avoid, chair_zone_from_string));
	assert_int_equal(rec.options.avoid_air, names_mask(c->avoid_air, chair_air_zone_from_string));
	assert_int_equal(rec.options.conditions,
			 names_mask(c->conditions, chair_condition_from_string));
	assert_int_equal(chair_options_check(chair_programs_find(ps, rec.program), &rec.options, hw,
					     &msg), CHAIR_CHECK_OK);
	chair_recommendation_done(&rec);
}

static void test_cases(void **state)
{
	(void)state;
	assert_true(ELEMENTSOF(cases) >= 40);
	for (size_t i = 0; i < ELEMENTSOF(cases); i++)
		run_case(&cases[i], builtins, &default_hw);
}

/* A chair with a 10-minute cap and no heaters. */
static void test_small_chair(void **state)
{
	static const struct case_ small[] = {
		{ "goal=relax", "relax", 3, 0, 10, NULL, NULL, NULL, NULL,
		  "most this chair allows;no heater" },
		{ "goal=relax minutes=20", "relax", 3, 0, 10, NULL, NULL, NULL, NULL,
		  "20 minutes;at most 10" },
		{ "conditions=arthritis", "relax", 3, 0, 10, NULL, NULL, NULL, "arthritis",
		  "arthritis;no heater" },
		{ "zones=upper-back feelings=stiff", "myofascial-release", 3, 0, 10, "upper-back", NULL,
		  NULL, NULL, "stiff;no heater" },
	};
	struct chair_hw hw = default_hw;

	(void)state;
	hw.max_session_usec = MIN_USEC(10);
	hw.outputs &= ~(BIT(CHAIR_OUT_HEAT_LUMBAR) | BIT(CHAIR_OUT_HEAT_CALVES));
	for (size_t i = 0; i < ELEMENTSOF(small); i++)
		run_case(&small[i], builtins, &hw);
}

static void test_errors(void **state)
{
	static const struct {
		const char *answers;
		const char *words; /* ';'-separated, all in the message */
	} bad[] = {
		{ "mood=grumpy", "'mood';zones, feelings, goal, minutes, pressure, conditions, red_flags" },
		{ "zones=elbow", "'zones';'elbow';neck, shoulders;calves, feet" },
		{ "feelings=achy", "'feelings';'achy';tight, knotted" },
		{ "goal=sleep", "'goal';'sleep';relax, relieve, loosen, energize" },
		{ "pressure=hard", "'pressure';'hard';gentle, medium, firm" },
		{ "conditions=diabetes", "'conditions';'diabetes';nerve-pain" },
		{ "red_flags=headache", "'red_flags';'headache';severe-pain" },
		{ "profile=a/b", "'profile';1 to 32 letters" },
		{ "profile=abcdefghijklmnopqrstuvwxyz0123456", "'profile'" },
		{ "minutes=3", "'minutes';at least 5 minutes" },
		{ "minutes=0", "'minutes';at least 5 minutes" },
		{ "number=goal:3", "'goal';a name" },
		{ "number=zones:3", "'zones';a list of names" },
		{ "minutes=x", "'minutes'" },
		{ "number=mood:3", "'mood'" },
	};
	struct chair_answers a;
	char *msg;

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		char *one[] = { NULL, NULL };

		msg = NULL;
		print_message("bad: '%s'\n", bad[i].answers);
		assert_int_equal(parse_answers(bad[i].answers, &a, &msg), -EINVAL);
		assert_non_null(msg);
		one[0] = msg;
		assert_mentions(one, bad[i].words);
		free(msg);
	}
	/* minutes=x parses as 0 above; as a name it is refused too. */
	chair_answers_init(&a);
	msg = NULL;
	assert_int_equal(chair_answers_add(&a, "minutes", "ten", &msg), -EINVAL);
	assert_non_null(strstr(msg, "number of minutes"));
	free(msg);

	msg = NULL;
	assert_int_equal(chair_answers_add(&a, "profile", NULL, &msg), -EINVAL);
	assert_non_null(strstr(msg, "'profile' has no value"));
	free(msg);

	/* The key types, for the D-Bus reader. */
	msg = NULL;
	assert_int_equal(chair_answer_key_type("zones", &msg), CHAIR_ANSWER_STRINGS);
	assert_int_equal(chair_answer_key_type("goal", &msg), CHAIR_ANSWER_STRING);
	assert_int_equal(chair_answer_key_type("minutes", &msg), CHAIR_ANSWER_UINT);
	assert_int_equal(chair_answer_key_type("red_flags", &msg), CHAIR_ANSWER_STRINGS);
	assert_null(msg);
	assert_int_equal(chair_answer_key_type("focus", &msg), -EINVAL);
	assert_non_null(strstr(msg, "'focus'"));
	free(msg);

	/* A failed answer leaves the others as they were. */
	chair_answers_init(&a);
	msg = NULL;
	assert_int_equal(chair_answers_add(&a, "zones", "neck", &msg), 0);
	assert_int_equal(chair_answers_add(&a, "zones", "knee", &msg), -EINVAL);
	free(msg);
	assert_int_equal(a.zones_back, BIT(CHAIR_ZONE_NECK));
	assert_int_equal(a.n_back_order, 1);
	assert_int_equal(a.zones_air, 0);
}

/* Swelling or injury with nowhere to keep off cannot be recommended, as
 * Start refuses inflammation without an avoid zone. */
static void test_needs_zones(void **state)
{
	static const char *const need[][2] = {
		{ "feelings=swollen", "feelings 'swollen'" },
		{ "feelings=injured goal=relax", "feelings 'injured'" },
		{ "conditions=inflammation", "conditions 'inflammation'" },
		{ "conditions=recent-injury pressure=firm", "conditions 'recent-injury'" },
	};
	struct chair_recommendation rec = { 0 };
	struct chair_answers a;
	char *msg = NULL;

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(need); i++) {
		assert_int_equal(parse_answers(need[i][0], &a, &msg), 0);
		assert_int_equal(chair_consult(&a, builtins, &default_hw, &rec, &msg), -EINVAL);
		assert_null(rec.program);
		assert_non_null(strstr(msg, need[i][1]));
		assert_non_null(strstr(msg, "'zones'"));
		free(msg);
		msg = NULL;
	}
}

/* When the program that fits best is missing or ruled out on this chair,
 * the next one is chosen, and a reason says so. */
static void test_passed_over(void **state)
{
	char dir[TEST_PATH_MAX];
	struct chair_programs *ps;
	struct chair_recommendation rec;
	struct chair_answers a;
	char *msg = NULL;

	(void)state;
	test_mkdtemp(dir, sizeof(dir), "consult");
	test_write_file(dir, "swedish.program",
			"id = swedish\nname = S\ndescription = d\nduration = 15min\n"
			"[main]\nknead neck..sacrum depth=2 time=60s\n");
	/* An override that rules relax out in pregnancy. */
	test_write_file(dir, "relax.program",
			"id = relax\nname = R\ndescription = d\nduration = 20min\nnot-for = pregnancy\n"
			"[main]\nglide neck..sacrum depth=1 time=60s\n");
	test_write_file(dir, "craniosacral.program",
			"id = craniosacral\nname = C\ndescription = d\nduration = 15min\n"
			"[main]\nglide neck..upper-back depth=0 time=60s\n");
	ps = load_dir(dir, &default_hw);

	assert_int_equal(parse_answers("zones=mid-back feelings=tight", &a, &msg), 0);
	assert_int_equal(chair_consult(&a, ps, &default_hw, &rec, &msg), 0);
	assert_string_equal(rec.program, "swedish");
	assert_int_equal(rec.passed_over, 1);
	assert_mentions(rec.reasons, "tight;no deep-tissue program, so swedish instead");
	assert_int_equal(rec.options.focus, CHAIR_ZONE_MID_BACK);
	chair_recommendation_done(&rec);

	assert_int_equal(parse_answers("conditions=pregnancy", &a, &msg), 0);
	assert_int_equal(chair_consult(&a, ps, &default_hw, &rec, &msg), 0);
	assert_string_equal(rec.program, "craniosacral");
	assert_int_equal(rec.passed_over, 1);
	assert_mentions(rec.reasons, "relax program is not for these answers, so craniosacral instead");
	assert_int_equal(rec.options.heat, 0);
	assert_int_equal(rec.options.intensity, 2);
	chair_recommendation_done(&rec);

	/* Nothing that fits: an error, not a program Start would refuse. */
	assert_int_equal(parse_answers("conditions=arthritis", &a, &msg), 0);
	test_rm_rf(dir);
	test_mkdtemp(dir, sizeof(dir), "consult");
	chair_programs_free(ps);
	test_write_file(dir, "energize.program",
			"id = energize\nname = E\ndescription = d\nduration = 10min\n"
			"[main]\ntap neck..sacrum depth=2 time=60s\n");
	ps = load_dir(dir, &default_hw);
	assert_int_equal(chair_consult(&a, ps, &default_hw, &rec, &msg), -ENOENT);
	assert_non_null(strstr(msg, "hot-stone"));
	free(msg);
	chair_programs_free(ps);
	test_rm_rf(dir);
}

/* --- the rules that hold whatever else is said --------------------------- */

static const char *const program_ids[] = {
	"swedish", "deep-tissue", "trigger-point", "shiatsu", "hot-stone", "sports",
	"myofascial-release", "craniosacral", "lower-back", "relax", "energize",
};

struct sweep {
	const struct chair_hw *hw;
	size_t runs;
	size_t by_program[ELEMENTSOF(program_ids)];
	size_t refused_zones;
	size_t doctor;
};

static void check_rules(const struct chair_answers *a, const struct chair_recommendation *rec,
			const struct chair_hw *hw)
{
	const struct chair_options *o = &rec->options;
	const struct chair_program *p = chair_programs_find(builtins, rec->program);
	struct chair_policy pol;
	char *msg = NULL;
	int r;

	assert_non_null(p);
	r = chair_options_check(p, o, hw, &msg);
	if (r != CHAIR_CHECK_OK)
		fail_msg("%s refused: %s", rec->program, msg);
	/* The built-in programs cover every rule's first choice. */
	assert_int_equal(rec->passed_over, 0);
	/* What D-Bus can carry: Start takes no 0 duration, no -1 heat. */
	assert_true(o->duration_usec >= CHAIR_HW_MIN_SESSION_USEC);
	assert_true(o->duration_usec <= chair_hw_session_cap(hw));
	assert_in_range(o->heat, 0, 3);
	assert_in_range(o->intensity, 1, 4);
	assert_true(o->focus >= -1 && o->focus < CHAIR_ZONE_COUNT);
	assert_int_equal(o->avoid_back & ~(BIT(CHAIR_ZONE_COUNT) - 1), 0);
	assert_int_equal(o->avoid_air & ~(BIT(CHAIR_AIR_COUNT) - 1), 0);
	assert_int_equal(o->conditions & a->conditions, a->conditions);

	/* What the session will hold to, from the same options. */
	chair_policy_init(&pol, o, hw);

	/* Tingling or numbness: nerve pain, light, never deep tissue or trigger point. */
	if (a->feelings & (BIT(CHAIR_FEEL_TINGLING) | BIT(CHAIR_FEEL_NUMB)) ||
	    (a->conditions & BIT(CHAIR_COND_NERVE_PAIN))) {
		assert_true(o->conditions & BIT(CHAIR_COND_NERVE_PAIN));
		assert_string_not_equal(rec->program, "deep-tissue");
		assert_string_not_equal(rec->program, "trigger-point");
		assert_true(o->intensity <= 2);
		assert_true(pol.depth_cap <= 1);
		assert_true(pol.no_percussion && pol.short_strokes);
	}
	/* A swollen, inflamed or injured zone is always kept off, without heat. */
	if (a->feelings & (BIT(CHAIR_FEEL_SWOLLEN) | BIT(CHAIR_FEEL_INJURED)) ||
	    (a->conditions & (BIT(CHAIR_COND_INFLAMMATION) | BIT(CHAIR_COND_RECENT_INJURY)))) {
		assert_int_equal(o->avoid_back & a->zones_back, a->zones_back);
		assert_int_equal(o->avoid_air & a->zones_air, a->zones_air);
		assert_int_equal(pol.avoid_back & a->zones_back, a->zones_back);
		assert_int_equal(pol.air_blocked & a->zones_air, a->zones_air);
		assert_int_equal(o->heat, 0);
		assert_true(o->intensity <= 3);
	}
	if (a->feelings & BIT(CHAIR_FEEL_SWOLLEN))
		assert_true(o->conditions & BIT(CHAIR_COND_INFLAMMATION));
	if (a->feelings & BIT(CHAIR_FEEL_INJURED))
		assert_true(o->conditions & BIT(CHAIR_COND_RECENT_INJURY));
	/* Pregnancy: no heat, no pressure on the lower back or sacrum. */
	if (a->conditions & BIT(CHAIR_COND_PREGNANCY)) {
		assert_int_equal(o->heat, 0);
		assert_true(o->avoid_back & BIT(CHAIR_ZONE_LOWER_BACK));
		assert_true(o->avoid_back & BIT(CHAIR_ZONE_SACRUM));
		assert_true(o->avoid_air & BIT(CHAIR_AIR_HIPS));
		assert_int_equal(pol.heat_blocked, BIT(CHAIR_HEATER_COUNT) - 1);
		assert_true(pol.avoid_back & BIT(CHAIR_ZONE_LOWER_BACK));
		assert_true(pol.avoid_back & BIT(CHAIR_ZONE_SACRUM));
		assert_true(o->intensity <= 3);
		assert_string_not_equal(rec->program, "lower-back");
		assert_string_not_equal(rec->program, "hot-stone");
	}
	if (a->conditions & BIT(CHAIR_COND_ARTHRITIS)) {
		assert_true(o->intensity <= 3);
		assert_true(pol.depth_cap <= 2 && pol.no_percussion);
	}
	/* The focus is a zone the person named, and never one kept off. */
	if (o->focus >= 0) {
		assert_true(a->zones_back & BIT(o->focus));
		assert_false(o->avoid_back & BIT(o->focus));
	}
	/* A time given is kept, within the chair's limits. */
	if (a->minutes)
		assert_int_equal(o->duration_usec,
				 MIN(MIN_USEC(a->minutes), chair_hw_session_cap(hw)));
	assert_sentences(rec->reasons);
}

static void sweep_one(struct sweep *s, const struct chair_answers *a)
{
	struct chair_recommendation rec;
	char *msg = NULL;
	int r = chair_consult(a, builtins, s->hw, &rec, &msg);
	bool spare = (a->feelings & (BIT(CHAIR_FEEL_SWOLLEN) | BIT(CHAIR_FEEL_INJURED))) ||
		     (a->conditions & (BIT(CHAIR_COND_INFLAMMATION) | BIT(CHAIR_COND_RECENT_INJURY)));

	s->runs++;
	if (a->red_flags) {
		assert_int_equal(r, 0);
		assert_string_equal(rec.program, "");
		assert_mentions(rec.reasons, "No massage is recommended+doctor");
		assert_int_equal(chair_strv_length(rec.reasons),
				 (size_t)__builtin_popcount(a->red_flags) + 1);
		s->doctor++;
		chair_recommendation_done(&rec);
		return;
	}
	/* The only refusal: swelling or injury and no zone that says where. */
	if (spare && !a->zones_back && !a->zones_air) {
		assert_int_equal(r, -EINVAL);
		free(msg);
		s->refused_zones++;
		return;
	}
	if (r != 0)
		fail_msg("refused (%d): %s", r, msg);
	check_rules(a, &rec, s->hw);
	for (size_t i = 0; i < ELEMENTSOF(program_ids); i++)
		if (streq(rec.program, program_ids[i]))
			s->by_program[i]++;
	chair_recommendation_done(&rec);
}

static void set_zones(struct chair_answers *a, uint32_t back, uint32_t air)
{
	a->zones_back = back;
	a->zones_air = air;
	a->n_back_order = 0;
	/* Named from the bottom up, so the focus is not simply the top zone. */
	for (int z = CHAIR_ZONE_COUNT - 1; z >= 0; z--)
		if (back & BIT(z))
			a->back_order[a->n_back_order++] = (int8_t)z;
}

/* Every feeling and condition set, with every goal and pressure, over the
 * zone sets that lead the rules different ways; @p stride thins the
 * feeling sets. */
static void run_sweep(struct sweep *s, uint32_t stride)
{
	static const uint32_t backs[] = {
		0,
		BIT(CHAIR_ZONE_NECK),
		BIT(CHAIR_ZONE_MID_BACK) | BIT(CHAIR_ZONE_UPPER_BACK),
		BIT(CHAIR_ZONE_LOWER_BACK) | BIT(CHAIR_ZONE_SACRUM),
		BIT(CHAIR_ZONE_NECK) | BIT(CHAIR_ZONE_LOWER_BACK),
	};
	static const uint32_t airs[] = { 0, BIT(CHAIR_AIR_CALVES) | BIT(CHAIR_AIR_FEET) };
	/* No time given, less than the cap (the thinned sweep only), and more
	 * than any session. */
	static const unsigned minutes[] = { 0, 7, 45 };
	struct chair_answers a;

	chair_answers_init(&a);
	for (size_t zb = 0; zb < ELEMENTSOF(backs); zb++)
	for (size_t za = 0; za < ELEMENTSOF(airs); za++)
	for (uint32_t f = 0; f < BIT(CHAIR_FEELING_COUNT); f += stride)
	for (int g = -1; g < CHAIR_GOAL_COUNT; g++)
	for (int p = -1; p < CHAIR_PRESSURE_COUNT; p++)
	for (size_t m = 0; m < ELEMENTSOF(minutes); m += stride > 1 ? 1 : 2)
	for (uint32_t c = 0; c < BIT(CHAIR_CONDITION_COUNT); c++) {
		set_zones(&a, backs[zb], airs[za]);
		a.feelings = f;
		a.goal = g;
		a.pressure = p;
		a.minutes = minutes[m];
		a.conditions = c;
		a.red_flags = 0;
		sweep_one(s, &a);
	}
	/* Every red flag, alone and together, over a spread of other answers. */
	for (uint32_t rf = 1; rf < BIT(CHAIR_RED_FLAG_COUNT); rf++)
	for (uint32_t f = 0; f < BIT(CHAIR_FEELING_COUNT); f += 7)
	for (uint32_t c = 0; c < BIT(CHAIR_CONDITION_COUNT); c += 3) {
		set_zones(&a, f & 1 ? BIT(CHAIR_ZONE_NECK) : 0, 0);
		a.feelings = f;
		a.goal = (int)(c % CHAIR_GOAL_COUNT);
		a.pressure = -1;
		a.minutes = 0;
		a.conditions = c;
		a.red_flags = rf;
		sweep_one(s, &a);
	}
}

static void print_sweep(const char *what, const struct sweep *s)
{
	print_message("sweep (%s): %zu answer sets, %zu sent to a doctor, %zu refused for "
		      "want of a zone\n", what, s->runs, s->doctor, s->refused_zones);
	for (size_t i = 0; i < ELEMENTSOF(program_ids); i++)
		print_message("  %-20s %zu\n", program_ids[i], s->by_program[i]);
}

static void test_sweep(void **state)
{
	struct chair_hw small = default_hw;
	struct sweep s = { .hw = &default_hw };

	(void)state;
	run_sweep(&s, 1);
	print_sweep("complete chair", &s);
	/* Every program but none is reachable: the sweep covers the rules. */
	for (size_t i = 0; i < ELEMENTSOF(program_ids); i++)
		assert_true(s.by_program[i] > 0);

	small.max_session_usec = MIN_USEC(10);
	small.outputs &= ~(BIT(CHAIR_OUT_HEAT_LUMBAR) | BIT(CHAIR_OUT_HEAT_CALVES) |
			   BIT(CHAIR_OUT_PUMP));
	s = (struct sweep){ .hw = &small };
	run_sweep(&s, 5);
	print_sweep("10-minute chair without heat or air", &s);
}

/* --- with a profile and its history -------------------------------------- */

#define HOUR_USEC (UINT64_C(3600) * 1000000)
#define NOW_USEC (UINT64_C(1800000000) * 1000000)

/* A session @p hours_ago hours ago, @p minutes long, with the events. */
static struct chair_session_record session_ago(const char *program, unsigned intensity,
					       unsigned hours_ago, unsigned minutes,
					       struct chair_event *ev, size_t n_ev)
{
	struct chair_session_record r = { .id = 1, .finish = 1, .events = ev, .n_events = n_ev };

	snprintf(r.program, sizeof(r.program), "%s", program);
	snprintf(r.profile, sizeof(r.profile), "Ana");
	chair_options_init(&r.options);
	r.options.intensity = intensity;
	r.length_usec = MIN_USEC(minutes);
	r.start_usec = NOW_USEC - hours_ago * HOUR_USEC - r.length_usec;
	return r;
}

static void consult_remembering(const char *answers, const struct chair_profile *p,
				const struct chair_session_record *h, size_t n,
				struct chair_recommendation *rec)
{
	struct chair_memory mem = { .profile = p, .history = h, .n_history = n,
				    .now_usec = NOW_USEC };
	_cleanup_free_ char *msg = NULL, *why = NULL;
	struct chair_answers a;

	assert_int_equal(parse_answers(answers, &a, &msg), 0);
	a.memory = &mem;
	assert_int_equal(chair_consult(&a, builtins, &default_hw, rec, &msg), 0);
	/* Start takes it as it is. */
	assert_int_equal(chair_options_check(chair_programs_find(builtins, rec->program),
					     &rec->options, &default_hw, &why),
			 CHAIR_CHECK_OK);
}

/* What a profile's history taught shows in the recommendation, with why. */
static void test_memory_learned(void **state)
{
	struct chair_event ev[] = {
		{ .kind = CHAIR_EVENT_HURTS_HERE, .zone = CHAIR_ZONE_LOWER_BACK },
		{ .kind = CHAIR_EVENT_TOO_STRONG, .zone = -1, .value = 3 },
		{ .kind = CHAIR_EVENT_TOO_STRONG, .zone = -1, .value = 2 },
	};
	struct chair_session_record h = session_ago("deep-tissue", 4, 5, 20, ev, ELEMENTSOF(ev));
	struct chair_recommendation rec;
	struct chair_profile p;

	(void)state;
	chair_profile_init(&p);
	snprintf(p.name, sizeof(p.name), "Ana");
	snprintf(p.program, sizeof(p.program), "deep-tissue");
	p.options.intensity = 4;

	/* No history: the usual program, at the profile's intensity. */
	consult_remembering("", &p, NULL, 0, &rec);
	assert_string_equal(rec.program, "deep-tissue");
	assert_int_equal(rec.options.intensity, 4);
	assert_mentions(rec.reasons, "Your usual program, deep-tissue.;Intensity 4, as in your profile");
	chair_recommendation_done(&rec);

	/* Deep work 5 hours ago, a zone that hurt, "too strong" twice. */
	consult_remembering("", &p, &h, 1, &rec);
	assert_string_equal(rec.program, "swedish");
	assert_true(rec.options.avoid_back & BIT(CHAIR_ZONE_LOWER_BACK));
	assert_int_equal(rec.options.intensity, 2);
	assert_mentions(rec.reasons, "usual program is deep-tissue+gentler;"
				     "lower back hurt+tap to include it;"
				     "\"too strong\" 2 times+starts at 3 instead of 4;"
				     "5 hours ago+sore+intensity 2 instead of 3");
	chair_recommendation_done(&rec);

	/* Tight: deep-tissue would fit, but a gentle program is chosen. */
	consult_remembering("feelings=tight", &p, &h, 1, &rec);
	assert_string_equal(rec.program, "myofascial-release");
	chair_recommendation_done(&rec);

	/* The person's own answers still decide. */
	consult_remembering("pressure=firm minutes=25 zones=lower-back", &p, &h, 1, &rec);
	assert_int_equal(rec.options.intensity, 4);
	assert_int_equal(rec.options.duration_usec, MIN_USEC(25));
	assert_int_equal(rec.options.focus, CHAIR_ZONE_LOWER_BACK);
	chair_recommendation_done(&rec);
}

/* Nothing from a profile loosens a limit: its conditions and avoided zones
 * count as answered, and every cap holds over its intensity. */
static void test_memory_limits(void **state)
{
	struct chair_recommendation rec;
	struct chair_profile p;

	(void)state;
	chair_profile_init(&p);
	snprintf(p.name, sizeof(p.name), "Bo");
	p.options.intensity = 5;
	p.options.heat = 3;
	p.options.conditions = BIT(CHAIR_COND_PREGNANCY);
	p.options.avoid_back = BIT(CHAIR_ZONE_NECK);
	consult_remembering("feelings=knotted", &p, NULL, 0, &rec);
	assert_true(rec.options.conditions & BIT(CHAIR_COND_PREGNANCY));
	assert_true(rec.options.avoid_back & BIT(CHAIR_ZONE_NECK));
	assert_true(rec.options.avoid_back & BIT(CHAIR_ZONE_LOWER_BACK));
	assert_true(rec.options.intensity <= 3);
	assert_int_equal(rec.options.heat, 0);
	assert_mentions(rec.reasons, "Your profile keeps the chair off the neck.");
	chair_recommendation_done(&rec);

	/* A condition that needs a place takes it from the profile. */
	chair_profile_init(&p);
	snprintf(p.name, sizeof(p.name), "Cy");
	p.options.conditions = BIT(CHAIR_COND_RECENT_INJURY);
	p.options.avoid_back = BIT(CHAIR_ZONE_MID_BACK);
	consult_remembering("", &p, NULL, 0, &rec);
	assert_true(rec.options.avoid_back & BIT(CHAIR_ZONE_MID_BACK));
	assert_int_equal(rec.options.heat, 0);
	assert_mentions(rec.reasons, "Your profile says the mid back is injured");
	chair_recommendation_done(&rec);
}

/* The name lists in messages hold every name, and only those. */
static void test_name_lists(void **state)
{
	static const struct {
		const char *(*list)(void);
		int (*from)(const char *);
		const char *(*to)(int);
		int n;
	} lists[] = {
		{ chair_feeling_list, chair_feeling_from_string,
		  (const char *(*)(int))chair_feeling_to_string, CHAIR_FEELING_COUNT },
		{ chair_goal_list, chair_goal_from_string, (const char *(*)(int))chair_goal_to_string,
		  CHAIR_GOAL_COUNT },
		{ chair_pressure_list, chair_pressure_from_string,
		  (const char *(*)(int))chair_pressure_to_string, CHAIR_PRESSURE_COUNT },
		{ chair_red_flag_list, chair_red_flag_from_string,
		  (const char *(*)(int))chair_red_flag_to_string, CHAIR_RED_FLAG_COUNT },
	};

	(void)state;
	for (size_t l = 0; l < ELEMENTSOF(lists); l++) {
		char buf[256], *save = NULL;
		int n = 0;

		snprintf(buf, sizeof(buf), "%s", lists[l].list());
		for (char *w = strtok_r(buf, ", ", &save); w; w = strtok_r(NULL, ", ", &save)) {
			int i = lists[l].from(w);

			assert_int_equal(i, n);
			assert_string_equal(lists[l].to(i), w);
			n++;
		}
		assert_int_equal(n, lists[l].n);
		assert_null(lists[l].to(n));
		assert_int_equal(lists[l].from("nonsense"), -EINVAL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_small_chair),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_needs_zones),
		cmocka_unit_test(test_passed_over),
		cmocka_unit_test(test_name_lists),
		cmocka_unit_test(test_memory_learned),
		cmocka_unit_test(test_memory_limits),
		cmocka_unit_test(test_sweep),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
