// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "engine.h"
#include "macro.h"
#include "policy.h"
#include "program.h"
#include "testutil.h"

#define HEAD "id = t\nname = T\ndescription = A test.\nduration = 10min\n"

struct bad {
	const char *text;
	size_t len; /* 0: strlen */
	unsigned line;
	const char *message;
};

static const struct bad bad_files[] = {
	{ "", 0, 1, "file is empty" },
	{ "id = t\nname = T\0x\n", 17, 2, "not a text file (control byte 0x00)" },
	{ HEAD "[main]\nglide neck..sacrum \xff\xfe time=60s\n", 0, 6, "not a text file (invalid UTF-8)" },
	{ NULL, 0, 3, "line is longer than 512 characters" }, /* built below */
	{ HEAD "[main]\nrub neck time=60s\n", 0, 6, "unknown technique 'rub'; expected one of: glide, knead" },
	{ HEAD "[main]\nknead elbow time=60s\n", 0, 6, "unknown zone 'elbow'; expected one of: neck, shoulders" },
	{ HEAD "[main]\nglide sacrum..neck time=60s\n", 0, 6, "range 'sacrum..neck' is reversed; write it from top to bottom: 'neck..sacrum'" },
	{ HEAD "[main]\nknead neck speed=6 time=60s\n", 0, 6, "speed 6 is out of range; expected 1 (slowest) to 5" },
	{ HEAD "[main]\nknead neck speed=0 time=60s\n", 0, 6, "speed 0 is out of range" },
	{ HEAD "[main]\nknead neck depth=5 time=60s\n", 0, 6, "depth 5 is out of range; expected 0 (surface) to 4 (deepest)" },
	{ HEAD "[main]\nknead neck time=11min\n", 0, 6, "time 11min is out of range; a step lasts 1s to 10min" },
	{ HEAD "[main]\nknead neck time=0s\n", 0, 6, "time 0s is out of range" },
	{ HEAD "[main]\nknead neck cycles=101\n", 0, 6, "cycles 101 is out of range; expected 1 to 100" },
	{ HEAD "[main]\nknead neck speed=2\n", 0, 6, "step has no end; add time=DURATION (such as time=60s) or cycles=N" },
	{ HEAD "[main]\nknead neck time=60s cycles=2\n", 0, 6, "step gives both time= and cycles=; give one" },
	{ "name = T\ndescription = d\nduration = 10min\n[main]\nknead neck time=60s\n", 0, 5, "program has no 'id'" },
	{ "id = t\ndescription = d\nduration = 10min\n[main]\nknead neck time=60s\n", 0, 5, "program has no 'name'" },
	{ "id = t\nname = T\nduration = 10min\n[main]\nknead neck time=60s\n", 0, 5, "program has no 'description'" },
	{ "id = t\nname = T\ndescription = d\n[main]\nknead neck time=60s\n", 0, 5, "program has no 'duration'" },
	{ "id = Deep Tissue\n", 0, 1, "id 'Deep Tissue' is not valid; use 1-64 lower-case letters" },
	{ "id = t\ncolour = red\n", 0, 2, "unknown key 'colour'; expected one of: id, name" },
	{ HEAD "[cooldown]\n", 0, 5, "unknown phase 'cooldown'; expected warm-up, main or close" },
	{ HEAD "knead neck time=60s\n", 0, 5, "a step must follow a phase header ([warm-up], [main] or [close])" },
	{ HEAD "just some words\n", 0, 5, "expected 'key = value' or a phase header such as [main], got 'just some words'" },
	{ HEAD "[main]\nknead neck force=3 time=60s\n", 0, 6, "unknown option 'force'; expected speed, depth" },
	{ "id = t\ncharacter = calm\n", 0, 2, "unknown character 'calm'; expected sedative, neutral or stimulating" },
	{ "id = t\nduration = 45min\n", 0, 2, "duration 45min is out of range; a session lasts 5min to 30min" },
	{ "id = t\nduration = 15 minutes\n", 0, 2, "duration '15 minutes' is not a duration; write it like 15min" },
	{ "id = t\nduration = 4min\n", 0, 2, "out of range; a session lasts 5min to 30min" },
	{ HEAD "[main]\n", 0, 5, "program has no steps in [main]" },
	{ "id = t\nid = u\n", 0, 2, "'id' is given twice" },
	{ "id = t\naftercare = 1\naftercare = 2\naftercare = 3\naftercare = 4\naftercare = 5\naftercare = 6\naftercare = 7\naftercare = 8\naftercare = 9\n", 0, 10, "at most 8 aftercare lines" },
	{ HEAD "[main]\ncompress air=belly cycles=2\n", 0, 6, "unknown air zone 'belly'; expected one of: shoulders, arms, hips, calves, feet" },
	{ "id = t\nnot-for = headache\n", 0, 2, "unknown condition 'headache'; expected one of: nerve-pain" },
	{ "id = t\nheat = 4\n", 0, 2, "heat '4' is out of range; expected 0 (off) to 3" },
	{ HEAD "[main]\nknead neck speed= time=60s\n", 0, 6, "option 'speed' has no value" },
	{ HEAD "[main]\npress mid-back@150% cycles=1\n", 0, 6, "point 150% is out of range" },
	{ HEAD "[main]\nrest neck time=10s\n", 0, 6, "rest does not use the roller, so it takes no back zone" },
	{ HEAD "[main]\ncompress cycles=2\n", 0, 6, "compress needs air=ZONES" },
	{ HEAD "[main]\nknead time=60s\n", 0, 6, "knead needs a zone or range" },
	{ HEAD "[main]\nglide mid-back@50% cycles=1\n", 0, 6, "glide travels along a zone or range, not to a point" },
	{ HEAD "[main]\nknead neck heat=feet time=60s\n", 0, 6, "unknown heater 'feet'; expected one of: lumbar, calves, all, off" },
	{ HEAD "[main]\nknead neck time=60s\nid = u\n", 0, 7, "'id' must come before the first phase header" },
	{ HEAD "[main]\nknead neck time=60s\n[warm-up]\n", 0, 7, "phase [warm-up] is out of order" },
	{ HEAD "[main]\nknead neck time=60s\n[main]\n", 0, 7, "phase [main] is given twice" },
	{ HEAD "[warm-up]\nknead neck cycles=2\n[main]\nknead neck time=60s\n", 0, 6, "steps in [warm-up] must end by time=" },
	{ HEAD "[warm-up]\nknead neck time=2min\n[main]\nknead neck time=60s\n[close]\nglide neck..sacrum time=90s\n", 0, 10, "warm-up and close together last longer than 3min" },
	{ HEAD "[main]\nknead neck shoulders time=60s\n", 0, 6, "'shoulders' is a second zone" },
	{ HEAD "[main]\nknead neck hold=30s time=60s\n", 0, 6, "hold= only applies to press" },
	{ HEAD "[main]\npress neck hold=2min cycles=1\n", 0, 6, "hold 2min is out of range; a point is held 2s to 90s" },
	{ HEAD "[main]\ncompress air=arms pressure=4 cycles=1\n", 0, 6, "pressure 4 is out of range; expected 1 (soft) to 3 (firm)" },
	{ HEAD "[main]\ncompress air=arms depth=2 cycles=1\n", 0, 6, "compress does not use the roller, so it takes no depth" },
	{ HEAD "[main]\nknead neck width=huge time=60s\n", 0, 6, "width 'huge' is unknown; expected narrow, medium or wide" },
	/* A line made only of '=' once crashed the parser. */
	{ HEAD "[main]\n=\n", 0, 6, "a step starts with a technique, such as 'knead shoulders time=60s'" },
	{ HEAD "[main]\n = = \n", 0, 6, "a step starts with a technique" },
	{ HEAD "=\n", 0, 5, "unknown key ''" },
	{ HEAD "[main]\nknead neck =3 time=60s\n", 0, 6, "'=3' has no option name; options look like speed=3" },
	/* A repeated option would silently win over the first. */
	{ HEAD "[main]\nknead neck speed=2 speed=5 time=60s\n", 0, 6, "option 'speed' is given twice on this step; give it once" },
	{ HEAD "[main]\ncompress air=arms air=feet cycles=1\n", 0, 6, "option 'air' is given twice on this step" },
};

static void check_bad(const struct bad *b, const char *text, size_t len)
{
	struct chair_program *p = NULL;
	char *err = NULL;
	char want[64];
	int r;

	r = chair_program_parse("bad.program", text, len, &p, &err);
	if (r != -EINVAL || !err)
		fail_msg("expected a parse error '%s', got r=%d", b->message, r);
	snprintf(want, sizeof(want), "bad.program:%u: ", b->line);
	if (strncmp(err, want, strlen(want)) != 0 || !strstr(err, b->message))
		fail_msg("expected '%s%s...', got '%s'", want, b->message, err);
	assert_null(p);
	free(err);
}

static void test_bad_files(void **state)
{
	unsigned n = 0;

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(bad_files); i++) {
		const struct bad *b = &bad_files[i];

		if (!b->text) {
			char longline[700];

			memset(longline, 'x', sizeof(longline));
			memcpy(longline, "id = t\nname = T\n", 16);
			longline[sizeof(longline) - 1] = '\0';
			check_bad(b, longline, strlen(longline));
		} else {
			check_bad(b, b->text, b->len ? b->len : strlen(b->text));
		}
		n++;
	}
	assert_true(n >= 25);
}

static const char example[] =
	"# A comment line\n"
	"id = example\n"
	"name = Example  # trailing comment\n"
	"character = stimulating\n"
	"duration = 12min30s\n"
	"heat = 2\n"
	"not-for = nerve-pain, arthritis\n"
	"description = First line,\n"
	"description = second line.\n"
	"\n"
	"[warm-up]\n"
	"glide neck..sacrum speed=2 time=45s\n"
	"[main]\n"
	"knead shoulders speed=4 depth=3 width=wide cycles=2 air=shoulders+arms pressure=3 heat=lumbar\n"
	"press mid-back@25% hold=20s cycles=1\n"
	"stretch cycles=1\n"
	"[close]\n"
	"rest time=10s\n";

/* Every problem in a file is reported, each with its line, and the steps
 * under a wrong phase header are not reported again. */
static void test_every_error(void **state)
{
	static const char text[] =
		"id = Bad Id\n"                     /* 1 */
		"name = T\n"
		"description = d\n"
		"duration = 10min\n"
		"colour = red\n"                    /* 5 */
		"[main]\n"
		"knead neck speed=9 time=60s\n"     /* 7 */
		"knead neck time=60s\n"
		"=\n"                               /* 9 */
		"[cooldown]\n"                      /* 10 */
		"rub neck time=60s\n";
	struct chair_diags d = { 0 };
	struct chair_program *p = NULL;
	static const unsigned lines[] = { 1, 5, 7, 9, 10 };
	char *big;
	size_t n;

	(void)state;
	assert_int_equal(chair_program_parse_diags("e.program", text, strlen(text), &p, &d), -EINVAL);
	assert_null(p);
	assert_int_equal(d.n, ELEMENTSOF(lines));
	for (size_t i = 0; i < ELEMENTSOF(lines); i++) {
		assert_string_equal(d.v[i].file, "e.program");
		assert_int_equal(d.v[i].line, lines[i]);
	}
	assert_non_null(strstr(d.v[3].message, "a step starts with a technique"));
	chair_diags_clear(&d);

	/* A file full of mistakes is reported up to the limit, then cut short. */
	n = 200;
	big = calloc(n, 12);
	assert_non_null(big);
	strcpy(big, HEAD "[main]\n");
	for (size_t i = 0; i < n; i++)
		strcat(big, "rub neck\n");
	assert_int_equal(chair_program_parse_diags("b.program", big, strlen(big), &p, &d), -EINVAL);
	assert_int_equal(d.n, CHAIR_PROGRAM_MAX_ERRORS + 1);
	assert_non_null(strstr(d.v[CHAIR_PROGRAM_MAX_ERRORS].message, "too many problems"));
	chair_diags_clear(&d);
	free(big);
}

static void test_good_file(void **state)
{
	struct chair_program *p = NULL;
	char *err = NULL;
	const struct chair_step *st;

	(void)state;
	assert_int_equal(chair_program_parse("x.program", example, strlen(example), &p, &err), 0);
	assert_string_equal(p->id, "example");
	assert_string_equal(p->name, "Example");
	assert_string_equal(p->description, "First line, second line.");
	assert_int_equal(p->character, CHAIR_CHARACTER_STIMULATING);
	assert_int_equal(p->duration_usec, (12 * 60 + 30) * USEC_PER_SEC);
	assert_int_equal(p->heat, 2);
	assert_int_equal(p->not_for, (1u << CHAIR_COND_NERVE_PAIN) | (1u << CHAIR_COND_ARTHRITIS));
	assert_int_equal(p->n_steps[CHAIR_PHASE_WARM_UP], 1);
	assert_int_equal(p->n_steps[CHAIR_PHASE_MAIN], 3);
	assert_int_equal(p->n_steps[CHAIR_PHASE_CLOSE], 1);
	st = &p->steps[CHAIR_PHASE_MAIN][0];
	assert_int_equal(st->technique, CHAIR_TECH_KNEAD);
	assert_int_equal(st->zone_top, CHAIR_ZONE_SHOULDERS);
	assert_int_equal(st->speed, 4);
	assert_int_equal(st->depth, 3);
	assert_int_equal(st->width, CHAIR_WIDTH_WIDE);
	assert_int_equal(st->cycles, 2);
	assert_int_equal(st->air, (1u << CHAIR_AIR_SHOULDERS) | (1u << CHAIR_AIR_ARMS));
	assert_int_equal(st->air_level, 3);
	assert_true(st->heat_given);
	assert_int_equal(st->heat, 1u << CHAIR_HEATER_LUMBAR);
	assert_int_equal(st->line, 14);
	st = &p->steps[CHAIR_PHASE_MAIN][1];
	assert_int_equal(st->point_pct, 25);
	assert_int_equal(st->hold_usec, 20 * USEC_PER_SEC);
	st = &p->steps[CHAIR_PHASE_MAIN][2];
	assert_int_equal(st->technique, CHAIR_TECH_STRETCH);
	/* A stretch with no air= grips the calves and feet. */
	assert_int_equal(st->air, (1u << CHAIR_AIR_CALVES) | (1u << CHAIR_AIR_FEET));
	assert_int_equal(chair_program_zones(p), (1u << CHAIR_ZONE_NECK) | (1u << CHAIR_ZONE_SHOULDERS) |
						 (1u << CHAIR_ZONE_UPPER_BACK) | (1u << CHAIR_ZONE_MID_BACK) |
						 (1u << CHAIR_ZONE_LOWER_BACK) | (1u << CHAIR_ZONE_SACRUM));
	chair_program_unref(p);
}

static void test_durations(void **state)
{
	uint64_t t;

	(void)state;
	assert_int_equal(chair_parse_duration("90s", &t), 0);
	assert_int_equal(t, 90 * USEC_PER_SEC);
	assert_int_equal(chair_parse_duration("1min30s", &t), 0);
	assert_int_equal(t, 90 * USEC_PER_SEC);
	assert_int_equal(chair_parse_duration("15min", &t), 0);
	assert_int_equal(t, 15 * USEC_PER_MIN);
	assert_true(chair_parse_duration("15", &t) < 0);
	assert_true(chair_parse_duration("min", &t) < 0);
	assert_true(chair_parse_duration("-5s", &t) < 0);
	assert_true(chair_parse_duration("5h", &t) < 0);
}

/* The set: a broken file is skipped with its error, the others stay; a later
 * directory overrides by id; an id twice in one directory is an error. */
static void test_program_set(void **state)
{
	char a[TEST_PATH_MAX], b[TEST_PATH_MAX];
	const char *dirs[2];
	struct chair_programs *ps = NULL;
	struct chair_diags errors = { 0 };
	struct chair_hw hw;

	(void)state;
	chair_hw_default(&hw);
	test_mkdtemp(a, sizeof(a), "chair-progs-a");
	test_mkdtemp(b, sizeof(b), "chair-progs-b");
	test_write_file(a, "one.program", HEAD "[main]\nknead neck time=60s\n");
	test_write_file(a, "two.program", "id = two\nname = Two\ndescription = d\nduration = 10min\n[main]\nrub neck time=1s\n");
	test_write_file(a, "three.program", "id = t\nname = Again\ndescription = d\nduration = 10min\n[main]\nknead neck time=60s\n");
	test_write_file(a, "notes.txt", "not a program");
	test_write_file(b, "t.program", "id = t\nname = Override\ndescription = d\nduration = 20min\n[main]\nknead neck time=60s\n");
	dirs[0] = a;
	dirs[1] = b;

	assert_int_equal(chair_programs_load_diags(dirs, 2, &hw, &ps, &errors), 0);
	assert_int_equal(chair_programs_count(ps), 1);
	assert_string_equal(chair_programs_find(ps, "t")->name, "Override");
	assert_int_equal(chair_programs_find(ps, "t")->duration_usec, 20 * USEC_PER_MIN);
	assert_null(chair_programs_find(ps, "two"));
	assert_int_equal(errors.n, 2);
	/* Files load in name order: one, three, two. */
	assert_non_null(strstr(errors.v[0].file, "three.program"));
	assert_int_equal(errors.v[0].line, 1);
	assert_non_null(strstr(errors.v[0].message, "duplicate id 't'"));
	assert_non_null(strstr(errors.v[1].file, "two.program"));
	assert_int_equal(errors.v[1].line, 6);
	assert_non_null(strstr(errors.v[1].message, "unknown technique 'rub'"));
	chair_diags_clear(&errors);
	chair_programs_free(ps);

	/* Depth beyond what the hardware allows loads: the session policy caps
	 * it (rule 9 holds there), and says so. */
	hw.max_depth = 2;
	test_write_file(b, "t.program", "id = t\nname = O\ndescription = d\nduration = 20min\n[main]\nknead neck depth=3 time=60s\n");
	assert_int_equal(chair_programs_load_diags(dirs + 1, 1, &hw, &ps, &errors), 0);
	assert_int_equal(chair_programs_count(ps), 1);
	assert_int_equal(errors.n, 0);
	{
		char **losses = NULL;

		assert_int_equal(chair_policy_losses(chair_programs_get(ps, 0), &hw, &losses), 1);
		assert_string_equal(losses[0], "depth is capped at 2 (line 6)");
		chair_strv_free(losses);
	}
	chair_programs_free(ps);

	test_rm_rf(a);
	test_rm_rf(b);
}

/* Every built-in program loads, and reads as the design describes. */
static void test_builtins(void **state)
{
	const char *dir = getenv("CHAIRD_PROGRAMS_SRC");
	const char *dirs[1] = { dir ? dir : "data/programs" };
	static const char *const ids[] = {
		"swedish", "deep-tissue", "trigger-point", "shiatsu", "hot-stone", "sports",
		"myofascial-release", "craniosacral", "lower-back", "relax", "energize",
	};
	struct chair_programs *ps = NULL;
	struct chair_diags errors = { 0 };
	struct chair_hw hw;
	const struct chair_program *p;

	(void)state;
	chair_hw_default(&hw);
	assert_int_equal(chair_programs_load_diags(dirs, 1, &hw, &ps, &errors), 0);
	if (errors.n)
		fail_msg("built-in program error: %s:%u: %s", errors.v[0].file, errors.v[0].line,
			 errors.v[0].message);
	assert_int_equal(chair_programs_count(ps), ELEMENTSOF(ids));
	for (size_t i = 0; i < ELEMENTSOF(ids); i++) {
		p = chair_programs_find(ps, ids[i]);
		assert_non_null(p);
		assert_true(strlen(p->description) > 80);
		/* Each has its own advice for after the session. */
		assert_true(chair_strv_length(p->aftercare) >= 1);
	}

	/* swedish closes with tapotement. */
	p = chair_programs_find(ps, "swedish");
	assert_int_equal(p->steps[CHAIR_PHASE_CLOSE][p->n_steps[CHAIR_PHASE_CLOSE] - 1].technique,
			 CHAIR_TECH_TAP);

	/* trigger-point: presses hold, and a stretch follows them. */
	p = chair_programs_find(ps, "trigger-point");
	{
		bool pressed = false, stretched_after = false;

		for (size_t i = 0; i < p->n_steps[CHAIR_PHASE_MAIN]; i++) {
			const struct chair_step *st = &p->steps[CHAIR_PHASE_MAIN][i];

			if (st->technique == CHAIR_TECH_PRESS) {
				assert_true(st->hold_usec >= 20 * USEC_PER_SEC);
				pressed = true;
			}
			if (st->technique == CHAIR_TECH_STRETCH && pressed)
				stretched_after = true;
		}
		assert_true(stretched_after);
	}

	/* myofascial-release: the full-back passes deepen pass by pass. */
	p = chair_programs_find(ps, "myofascial-release");
	{
		unsigned last = 0, passes = 0;

		for (size_t i = 0; i < p->n_steps[CHAIR_PHASE_MAIN]; i++) {
			const struct chair_step *st = &p->steps[CHAIR_PHASE_MAIN][i];

			if (st->technique != CHAIR_TECH_GLIDE)
				continue;
			assert_true(st->depth >= last);
			assert_true(passes == 0 || st->depth > last);
			last = st->depth;
			passes++;
		}
		assert_true(passes >= 3);
	}

	/* relax and energize: sedative against stimulating. */
	{
		const struct chair_program *rl = chair_programs_find(ps, "relax");
		const struct chair_program *en = chair_programs_find(ps, "energize");
		double rs = 0, es = 0, rd = 0, ed = 0;

		assert_int_equal(rl->character, CHAIR_CHARACTER_SEDATIVE);
		assert_int_equal(en->character, CHAIR_CHARACTER_STIMULATING);
		for (size_t i = 0; i < rl->n_steps[CHAIR_PHASE_MAIN]; i++) {
			rs += rl->steps[CHAIR_PHASE_MAIN][i].speed;
			rd += rl->steps[CHAIR_PHASE_MAIN][i].depth;
		}
		for (size_t i = 0; i < en->n_steps[CHAIR_PHASE_MAIN]; i++) {
			es += en->steps[CHAIR_PHASE_MAIN][i].speed;
			ed += en->steps[CHAIR_PHASE_MAIN][i].depth;
		}
		rs /= rl->n_steps[CHAIR_PHASE_MAIN];
		es /= en->n_steps[CHAIR_PHASE_MAIN];
		rd /= rl->n_steps[CHAIR_PHASE_MAIN];
		ed /= en->n_steps[CHAIR_PHASE_MAIN];
		assert_true(rs <= 1.5 && es >= 4.5);
		assert_true(rd < ed);
		assert_false(chair_program_techniques(rl) & (1u << CHAIR_TECH_TAP));
		assert_true(chair_program_techniques(en) & (1u << CHAIR_TECH_TAP));
		assert_true(rl->duration_usec > en->duration_usec);
	}
	chair_diags_clear(&errors);
	chair_programs_free(ps);
}

/* A list used in error messages names exactly the table's entries. */
static void check_list(const char *list, const char *(*name)(int), int n)
{
	char buf[512] = "";

	for (int i = 0; i < n; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", i ? ", " : "", name(i));
	assert_string_equal(list, buf);
}

static const char *n_output(int i) { return chair_output_to_string((enum chair_output)i); }
static const char *n_input(int i) { return chair_input_to_string((enum chair_input)i); }
static const char *n_zone(int i) { return chair_zone_to_string((enum chair_zone)i); }
static const char *n_air(int i) { return chair_air_zone_to_string((enum chair_air_zone)i); }
static const char *n_tech(int i) { return chair_technique_to_string((enum chair_technique)i); }
static const char *n_cond(int i) { return chair_condition_to_string((enum chair_condition)i); }

static void test_names(void **state)
{
	(void)state;
	check_list(chair_output_list(), n_output, CHAIR_OUTPUT_COUNT);
	check_list(chair_input_list(), n_input, CHAIR_INPUT_COUNT);
	check_list(chair_zone_list(), n_zone, CHAIR_ZONE_COUNT);
	check_list(chair_air_zone_list(), n_air, CHAIR_AIR_COUNT);
	check_list(chair_technique_list(), n_tech, CHAIR_TECHNIQUE_COUNT);
	check_list(chair_condition_list(), n_cond, CHAIR_CONDITION_COUNT);
	for (int i = 0; i < CHAIR_OUTPUT_COUNT; i++) {
		const char *n = chair_output_to_string((enum chair_output)i);

		assert_non_null(n);
		assert_int_equal(chair_output_from_string(n), i);
	}
	for (int i = 0; i < CHAIR_TECHNIQUE_COUNT; i++)
		assert_int_equal(chair_technique_from_string(chair_technique_to_string((enum chair_technique)i)), i);
	for (int i = 0; i < CHAIR_ZONE_COUNT; i++)
		assert_int_equal(chair_zone_from_string(chair_zone_to_string((enum chair_zone)i)), i);
	assert_string_equal(chair_fault_to_string(CHAIR_FAULT_HEATER_LUMBAR_OVERTEMP), "heater-lumbar-overtemp");
	assert_string_equal(chair_fault_to_string(CHAIR_FAULT_WALK_STALLED), "walk-stalled");
	assert_string_equal(chair_state_to_string(CHAIR_STATE_EMERGENCY_STOP), "emergency-stop");
	assert_int_equal(chair_output_opposite(CHAIR_OUT_WALK_UP), CHAIR_OUT_WALK_DOWN);
	assert_int_equal(chair_output_opposite(CHAIR_OUT_PUMP), -1);
	assert_true(chair_zone_from_string("elbow") < 0);
	assert_true(chair_zone_from_string(NULL) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_every_error),
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_program_set),
		cmocka_unit_test(test_builtins),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("program", tests, NULL, NULL);
}
