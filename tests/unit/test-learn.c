// SPDX-License-Identifier: MIT
/*
 * What the chair learns from a profile's history: each rule, its reason,
 * what the caller gave staying as given, and nothing learned ever loosening
 * a limit.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "learn.h"
#include "macro.h"
#include "program.h"

#define BIT(x) (UINT32_C(1) << (x))
#define HOUR (UINT64_C(3600) * USEC_PER_SEC)
#define NOW (UINT64_C(1800000000) * USEC_PER_SEC)

#define MAX_SESSIONS 32
#define MAX_EVENTS 16

/* A history built newest first. */
struct hist {
	struct chair_session_record rec[MAX_SESSIONS];
	struct chair_event ev[MAX_SESSIONS][MAX_EVENTS];
	size_t n;
};

/* Adds the next older session: program, intensity, ended @p ago before NOW. */
static struct chair_session_record *older(struct hist *h, const char *program, unsigned intensity,
					  uint64_t ago)
{
	struct chair_session_record *r = &h->rec[h->n];

	assert_true(h->n < MAX_SESSIONS);
	*r = (struct chair_session_record){ .id = (int64_t)(100 - h->n), .finish = CHAIR_FINISH_COMPLETED };
	snprintf(r->program, sizeof(r->program), "%s", program);
	snprintf(r->profile, sizeof(r->profile), "Anna");
	chair_options_init(&r->options);
	r->options.intensity = intensity;
	r->length_usec = 15 * USEC_PER_MIN;
	r->start_usec = NOW - ago - r->length_usec;
	r->events = h->ev[h->n];
	h->n++;
	return r;
}

static void said(struct chair_session_record *r, enum chair_event_kind k, int zone, int value)
{
	assert_true(r->n_events < MAX_EVENTS);
	r->events[r->n_events] = (struct chair_event){
		.kind = k, .zone = zone, .value = value, .t_usec = (r->n_events + 1) * USEC_PER_MIN,
	};
	r->n_events++;
}

static struct chair_options base(unsigned intensity)
{
	struct chair_options o;

	chair_options_init(&o);
	o.intensity = intensity;
	return o;
}

/* Applies, and checks the count matches the reasons. */
static int apply(const struct hist *h, uint32_t given, struct chair_options *o, unsigned *flags,
		 char ***reasons)
{
	int n = chair_learn_apply(h->rec, h->n, NOW, given, o, flags, reasons);

	assert_true(n >= 0);
	assert_int_equal((size_t)n, chair_strv_length(*reasons));
	return n;
}

static bool has_reason(char **v, const char *text)
{
	for (; v && *v; v++)
		if (strstr(*v, text))
			return true;
	return false;
}

static void test_nothing_to_learn(void **state)
{
	struct hist h = { 0 };
	struct chair_options o = base(3), was = o;
	unsigned flags = 99;
	char **r;

	assert_int_equal(apply(&h, 0, &o, &flags, &r), 0);
	assert_non_null(r);
	assert_memory_equal(&o, &was, sizeof(o));
	assert_int_equal(flags, 0);
	chair_strv_free(r);
	/* A calm session teaches nothing either. */
	older(&h, "swedish", 3, 48 * HOUR);
	assert_int_equal(apply(&h, 0, &o, &flags, &r), 0);
	assert_memory_equal(&o, &was, sizeof(o));
	chair_strv_free(r);
}

static void test_hurt_last_time_is_avoided(void **state)
{
	struct hist h = { 0 };
	struct chair_session_record *last = older(&h, "swedish", 3, 48 * HOUR);
	struct chair_options o = base(3);
	char **r;

	said(last, CHAIR_EVENT_HURTS_HERE, CHAIR_ZONE_LOWER_BACK, 0);
	said(last, CHAIR_EVENT_HURTS_HERE, CHAIR_ZONE_SHOULDERS, 0);
	assert_int_equal(apply(&h, 0, &o, NULL, &r), 2);
	assert_int_equal(o.avoid_back, BIT(CHAIR_ZONE_LOWER_BACK) | BIT(CHAIR_ZONE_SHOULDERS));
	assert_string_equal(r[0], "Last time your lower back hurt, so it is avoided; tap to include it.");
	assert_string_equal(r[1], "Last time your shoulders hurt, so they are avoided; tap to include "
				  "them.");
	chair_strv_free(r);

	/* Every zone in the words the person sees elsewhere. */
	h = (struct hist){ 0 };
	o = base(3);
	said(older(&h, "swedish", 3, 48 * HOUR), CHAIR_EVENT_HURTS_HERE, CHAIR_ZONE_SACRUM, 0);
	assert_int_equal(apply(&h, 0, &o, NULL, &r), 1);
	assert_string_equal(r[0], "Last time the base of your spine hurt, so it is avoided; tap to "
				  "include it.");
	chair_strv_free(r);
}

static void test_hurt_before_last_time_is_not(void **state)
{
	struct hist h = { 0 };
	struct chair_session_record *prev;
	struct chair_options o = base(3);
	char **r;

	older(&h, "swedish", 3, 24 * HOUR);
	prev = older(&h, "swedish", 3, 72 * HOUR);
	said(prev, CHAIR_EVENT_HURTS_HERE, CHAIR_ZONE_NECK, 0);
	assert_int_equal(apply(&h, 0, &o, NULL, &r), 0);
	assert_int_equal(o.avoid_back, 0);
	chair_strv_free(r);
}

static void test_hurt_zone_drops_the_focus_there(void **state)
{
	struct hist h = { 0 };
	struct chair_session_record *last = older(&h, "swedish", 3, 48 * HOUR);
	struct chair_options o = base(3);
	char **r;

	said(last, CHAIR_EVENT_MORE_HERE, CHAIR_ZONE_NECK, 0);
	said(last, CHAIR_EVENT_HURTS_HERE, CHAIR_ZONE_NECK, 0);
	o.focus = CHAIR_ZONE_NECK; /* from the profile */
	apply(&h, 0, &o, NULL, &r);
	assert_int_equal(o.avoid_back, BIT(CHAIR_ZONE_NECK));
	assert_int_equal(o.focus, -1);
	assert_false(has_reason(r, "asked for more"));
	chair_strv_free(r);
}

static void test_too_strong_repeated_lowers_intensity(void **state)
{
	struct hist h = { 0 };
	struct chair_session_record *last = older(&h, "swedish", 4, 48 * HOUR);
	struct chair_options o = base(4);
	char **r;

	/* Once is not a habit. */
	said(last, CHAIR_EVENT_TOO_STRONG, -1, 3);
	assert_int_equal(apply(&h, 0, &o, NULL, &r), 0);
	assert_int_equal(o.intensity, 4);
	chair_strv_free(r);
	/* Twice, across two sessions, is. */
	said(older(&h, "swedish", 4, 96 * HOUR), CHAIR_EVENT_TOO_STRONG, -1, 3);
	assert_int_equal(apply(&h, 0, &o, NULL, &r), 1);
	assert_int_equal(o.intensity, 3);
	assert_string_equal(r[0], "You said \"too strong\" 2 times in your last sessions, so the "
				  "intensity starts at 3 instead of 4.");
	chair_strv_free(r);
}

static void test_too_soft_repeated_raises_but_never_past_last_choice(void **state)
{
	struct hist h = { 0 };
	struct chair_session_record *last = older(&h, "swedish", 2, 48 * HOUR);
	struct chair_options o = base(2);
	char **r;

	said(last, CHAIR_EVENT_TOO_SOFT, -1, 3);
	said(last, CHAIR_EVENT_TOO_SOFT, -1, 4);
	assert_int_equal(apply(&h, 0, &o, NULL, &r), 1);
	assert_int_equal(o.intensity, 3);
	assert_true(has_reason(r, "\"too soft\" 2 times"));
	assert_true(has_reason(r, "starts at 3 instead of 2"));
	chair_strv_free(r);

	/* Four more too-softs long ago, but last time the person chose 2 and
	 * stayed there: learning goes no firmer than 2. */
	h = (struct hist){ 0 };
	last = older(&h, "swedish", 2, 48 * HOUR);
	for (int i = 0; i < 3; i++) {
		struct chair_session_record *old = older(&h, "swedish", 2, (uint64_t)(100 + i) * HOUR);

		said(old, CHAIR_EVENT_TOO_SOFT, -1, 3);
		said(old, CHAIR_EVENT_TOO_SOFT, -1, 4);
	}
	o = base(2);
	assert_int_equal(apply(&h, 0, &o, NULL, &r), 0);
	assert_int_equal(o.intensity, 2);
	chair_strv_free(r);
	/* A live change to 5 last time is the person's own choice: up to it. */
	said(last, CHAIR_EVENT_INTENSITY, -1, 5);
	o = base(2);
	apply(&h, 0, &o, NULL, &r);
	assert_int_equal(o.intensity, 5);
	chair_strv_free(r);
}

static void test_feedback_that_cancels_out_teaches_nothing(void **state)
{
	struct hist h = { 0 };
	struct chair_session_record *last = older(&h, "swedish", 3, 48 * HOUR);
	struct chair_options o = base(3);
	char **r;

	said(last, CHAIR_EVENT_TOO_STRONG, -1, 2);
	said(last, CHAIR_EVENT_TOO_SOFT, -1, 3);
	said(last, CHAIR_EVENT_TOO_STRONG, -1, 2);
	said(last, CHAIR_EVENT_TOO_SOFT, -1, 3);
	assert_int_equal(apply(&h, 0, &o, NULL, &r), 0);
	assert_int_equal(o.intensity, 3);
	chair_strv_free(r);
}

static void test_intensity_is_stable_once_learned(void **state)
{
	struct hist h = { 0 };
	struct chair_options o;
	char **r;

	/* Two quiet sessions at the learned level after the complaints. */
	older(&h, "swedish", 3, 24 * 5 * HOUR);
	older(&h, "swedish", 3, 24 * 6 * HOUR);
	said(older(&h, "swedish", 4, 24 * 7 * HOUR), CHAIR_EVENT_TOO_STRONG, -1, 3);
	said(older(&h, "swedish", 4, 24 * 8 * HOUR), CHAIR_EVENT_TOO_STRONG, -1, 3);
	o = base(4);
	apply(&h, 0, &o, NULL, &r);
	assert_int_equal(o.intensity, 3);
	chair_strv_free(r);
}

static void test_more_here_moves_focus(void **state)
{
	struct hist h = { 0 };
	struct chair_session_record *last = older(&h, "swedish", 3, 48 * HOUR);
	struct chair_session_record *prev = older(&h, "swedish", 3, 96 * HOUR);
	struct chair_options o = base(3);
	char **r;

	said(prev, CHAIR_EVENT_MORE_HERE, CHAIR_ZONE_NECK, 0);
	said(last, CHAIR_EVENT_MORE_HERE, CHAIR_ZONE_MID_BACK, 0);
	said(last, CHAIR_EVENT_MORE_HERE, CHAIR_ZONE_SHOULDERS, 0);
	assert_int_equal(apply(&h, 0, &o, NULL, &r), 1);
	assert_int_equal(o.focus, CHAIR_ZONE_SHOULDERS);
	assert_string_equal(r[0], "Last time you asked for more on your shoulders, so they get more "
				  "time.");
	chair_strv_free(r);
	/* Not onto a zone the profile avoids. */
	o = base(3);
	o.avoid_back = BIT(CHAIR_ZONE_SHOULDERS);
	assert_int_equal(apply(&h, 0, &o, NULL, &r), 0);
	assert_int_equal(o.focus, -1);
	chair_strv_free(r);
}

static void test_deep_work_yesterday_is_gentler(void **state)
{
	struct hist h = { 0 };
	struct chair_options o = base(3);
	unsigned flags = 0;
	char **r;

	older(&h, "deep-tissue", 3, 5 * HOUR);
	assert_int_equal(apply(&h, 0, &o, &flags, &r), 1);
	assert_int_equal(o.intensity, 2);
	assert_int_equal(flags, CHAIR_LEARN_GENTLER);
	assert_string_equal(r[0], "You had a deep-tissue massage 5 hours ago and muscles can stay sore "
				  "for a day or two, so this one is gentler: intensity 2 instead of 3.");
	chair_strv_free(r);

	/* Any deep work counts: intensity 5 reached in a swedish massage. */
	h = (struct hist){ 0 };
	said(older(&h, "swedish", 4, HOUR / 2), CHAIR_EVENT_TOO_SOFT, -1, 5);
	o = base(3);
	apply(&h, 0, &o, &flags, &r);
	assert_int_equal(flags, CHAIR_LEARN_GENTLER);
	assert_true(has_reason(r, "a firm massage (intensity 5) less than an hour ago"));
	assert_int_equal(o.intensity, 2);
	chair_strv_free(r);

	/* At the softest already: said, flagged, nothing lower. */
	h = (struct hist){ 0 };
	older(&h, "trigger-point", 3, 20 * HOUR);
	o = base(1);
	assert_int_equal(apply(&h, 0, &o, &flags, &r), 1);
	assert_int_equal(o.intensity, 1);
	assert_int_equal(flags, CHAIR_LEARN_GENTLER);
	assert_true(has_reason(r, "a gentle massage is best today"));
	chair_strv_free(r);
}

static void test_deep_work_long_ago_or_brief_is_not(void **state)
{
	struct hist h = { 0 };
	struct chair_session_record *brief;
	struct chair_options o = base(3);
	unsigned flags = 0;
	char **r;

	older(&h, "deep-tissue", 3, 25 * HOUR);
	assert_int_equal(apply(&h, 0, &o, &flags, &r), 0);
	assert_int_equal(flags, 0);
	assert_int_equal(o.intensity, 3);
	chair_strv_free(r);

	h = (struct hist){ 0 };
	brief = older(&h, "deep-tissue", 3, HOUR);
	brief->length_usec = USEC_PER_MIN; /* stopped after a minute */
	assert_int_equal(apply(&h, 0, &o, &flags, &r), 0);
	assert_int_equal(flags, 0);
	chair_strv_free(r);
}

static void test_what_the_caller_gave_stays(void **state)
{
	struct hist h = { 0 };
	struct chair_session_record *last = older(&h, "deep-tissue", 4, HOUR);
	struct chair_options o = base(4), was;
	unsigned flags;
	char **r;

	said(last, CHAIR_EVENT_HURTS_HERE, CHAIR_ZONE_NECK, 0);
	said(last, CHAIR_EVENT_MORE_HERE, CHAIR_ZONE_SACRUM, 0);
	said(last, CHAIR_EVENT_TOO_STRONG, -1, 3);
	said(last, CHAIR_EVENT_TOO_STRONG, -1, 2);
	o.focus = CHAIR_ZONE_NECK;
	was = o;
	apply(&h, CHAIR_OPT_AVOID | CHAIR_OPT_INTENSITY | CHAIR_OPT_FOCUS, &o, &flags, &r);
	assert_memory_equal(&o, &was, sizeof(o));
	/* Still told, so a recommendation can pick a gentle program. */
	assert_int_equal(flags, CHAIR_LEARN_GENTLER);
	chair_strv_free(r);
	/* The focus the caller asked for today keeps its zone out of avoid. */
	o = was;
	apply(&h, CHAIR_OPT_FOCUS, &o, &flags, &r);
	assert_int_equal(o.focus, CHAIR_ZONE_NECK);
	assert_int_equal(o.avoid_back & BIT(CHAIR_ZONE_NECK), 0);
	assert_int_equal(o.intensity, 2); /* too strong twice, then gentler */
	chair_strv_free(r);
}

/* A small deterministic generator. */
static uint32_t next(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static void test_never_loosens(void **state)
{
	static const char *const programs[] = { "swedish", "deep-tissue", "relax", "trigger-point" };
	uint32_t x = 2463534242u;
	unsigned raised = 0, lowered = 0, avoided = 0;

	for (int round = 0; round < 5000; round++) {
		struct hist h = { 0 };
		struct chair_options o, in;
		size_t n = next(&x) % 8;
		unsigned top = 0;
		char **r;

		for (size_t k = 0; k < n; k++) {
			struct chair_session_record *s = older(&h, programs[next(&x) % 4], 1 + next(&x) % 5,
							       (uint64_t)(next(&x) % 96) * HOUR + (k + 1) * 2 * HOUR);
			size_t ne = next(&x) % 6;

			for (size_t i = 0; i < ne; i++)
				said(s, (enum chair_event_kind)(next(&x) % CHAIR_EVENT_KIND_COUNT),
				     (int)(next(&x) % CHAIR_ZONE_COUNT), 1 + (int)(next(&x) % 5));
		}
		chair_options_init(&o);
		o.intensity = 1 + next(&x) % 5;
		o.avoid_back = next(&x) & 0x3f;
		o.avoid_air = next(&x) & 0x1f;
		o.conditions = next(&x) & 0x1f;
		o.heat = (int)(next(&x) % 4);
		o.focus = (int)(next(&x) % 7) - 1;
		if (o.focus >= 0 && (o.avoid_back & BIT(o.focus)))
			o.focus = -1;
		in = o;
		apply(&h, next(&x) & 0x3f, &o, NULL, &r);
		chair_strv_free(r);

		/* Limits only tighten. */
		assert_int_equal(o.conditions, in.conditions);
		assert_int_equal(o.avoid_back & in.avoid_back, in.avoid_back);
		assert_int_equal(o.avoid_air, in.avoid_air);
		assert_int_equal(o.heat, in.heat);
		assert_int_equal(o.duration_usec, in.duration_usec);
		/* A focus is never put on an avoided zone. */
		assert_true(o.focus < 0 || !(o.avoid_back & BIT(o.focus)));
		/* Never firmer than the person went last time. */
		if (n > 0) {
			top = h.rec[0].options.intensity;
			for (size_t i = 0; i < h.rec[0].n_events; i++) {
				const struct chair_event *e = &h.rec[0].events[i];

				if ((e->kind == CHAIR_EVENT_TOO_SOFT || e->kind == CHAIR_EVENT_TOO_STRONG ||
				     e->kind == CHAIR_EVENT_INTENSITY) && (unsigned)e->value > top)
					top = (unsigned)e->value;
			}
		}
		if (o.intensity > in.intensity) {
			raised++;
			assert_true(o.intensity <= top);
		}
		lowered += o.intensity < in.intensity;
		avoided += o.avoid_back != in.avoid_back;
		assert_true(o.intensity >= 1 && o.intensity <= 5);
	}
	/* The generator reached every kind of change. */
	assert_true(raised > 10 && lowered > 10 && avoided > 10);
	print_message("5000 histories: raised %u, lowered %u, avoid added %u\n", raised, lowered,
		      avoided);
}

static void test_profile_fills_what_was_not_given(void **state)
{
	struct chair_profile p;
	struct chair_options o = base(3);

	chair_profile_init(&p);
	/* Nothing set: nothing changes. */
	chair_profile_fill(&p, 0, &o);
	assert_int_equal(o.intensity, 3);
	assert_int_equal(o.heat, -1);
	assert_int_equal(o.focus, -1);
	assert_int_equal(o.duration_usec, 0);

	p.options.intensity = 2;
	p.options.heat = 1;
	p.options.focus = CHAIR_ZONE_NECK;
	p.options.duration_usec = 20 * USEC_PER_MIN;
	p.options.avoid_back = BIT(CHAIR_ZONE_SACRUM);
	p.options.avoid_air = BIT(CHAIR_AIR_FEET);
	p.options.conditions = BIT(CHAIR_COND_PREGNANCY);
	o = base(4);
	o.heat = 3;
	o.avoid_back = BIT(CHAIR_ZONE_NECK);
	o.conditions = BIT(CHAIR_COND_ARTHRITIS);
	chair_profile_fill(&p, CHAIR_OPT_INTENSITY | CHAIR_OPT_HEAT | CHAIR_OPT_AVOID |
				       CHAIR_OPT_CONDITIONS, &o);
	/* What the caller gave stays... */
	assert_int_equal(o.intensity, 4);
	assert_int_equal(o.heat, 3);
	/* ...the rest comes from the profile, but not a focus on an avoided zone... */
	assert_int_equal(o.duration_usec, 20 * USEC_PER_MIN);
	assert_int_equal(o.focus, -1);
	/* ...and the profile's limits are always added, never dropped. */
	assert_int_equal(o.avoid_back, BIT(CHAIR_ZONE_NECK) | BIT(CHAIR_ZONE_SACRUM));
	assert_int_equal(o.avoid_air, BIT(CHAIR_AIR_FEET));
	assert_int_equal(o.conditions, BIT(CHAIR_COND_ARTHRITIS) | BIT(CHAIR_COND_PREGNANCY));

	o = base(4);
	chair_profile_fill(&p, 0, &o);
	assert_int_equal(o.intensity, 2);
	assert_int_equal(o.heat, 1);
	assert_int_equal(o.focus, CHAIR_ZONE_NECK);
}

static void test_event_kind_names(void **state)
{
	for (int k = 0; k < CHAIR_EVENT_KIND_COUNT; k++)
		assert_int_equal(chair_event_kind_from_string(
					 chair_event_kind_to_string((enum chair_event_kind)k)), k);
	assert_string_equal(chair_event_kind_to_string(CHAIR_EVENT_HURTS_HERE), "hurts-here");
	assert_int_equal(chair_event_kind_from_string("nonsense"), -EINVAL);
	assert_null(chair_event_kind_to_string(CHAIR_EVENT_KIND_COUNT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_to_learn),
		cmocka_unit_test(test_hurt_last_time_is_avoided),
		cmocka_unit_test(test_hurt_before_last_time_is_not),
		cmocka_unit_test(test_hurt_zone_drops_the_focus_there),
		cmocka_unit_test(test_too_strong_repeated_lowers_intensity),
		cmocka_unit_test(test_too_soft_repeated_raises_but_never_past_last_choice),
		cmocka_unit_test(test_feedback_that_cancels_out_teaches_nothing),
		cmocka_unit_test(test_intensity_is_stable_once_learned),
		cmocka_unit_test(test_more_here_moves_focus),
		cmocka_unit_test(test_deep_work_yesterday_is_gentler),
		cmocka_unit_test(test_deep_work_long_ago_or_brief_is_not),
		cmocka_unit_test(test_what_the_caller_gave_stays),
		cmocka_unit_test(test_never_loosens),
		cmocka_unit_test(test_profile_fills_what_was_not_given),
		cmocka_unit_test(test_event_kind_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
