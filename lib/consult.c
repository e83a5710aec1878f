// SPDX-License-Identifier: MIT
/*
 * The consultation. The answers become a plan: the conditions they imply,
 * the zones to keep off, the programs that fit in order of preference, and
 * the caps on pressure and heat. Each candidate program then gets its
 * options and goes through chair_options_check(), the check Start runs;
 * the first that passes is the recommendation. The reasons are written
 * last, for the program that was chosen.
 *
 * docs/consultation.md is the rule book this file implements; change them
 * together.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consult.h"
#include "learn.h"
#include "macro.h"

#define BIT(i) (UINT32_C(1) << (i))
#define MAX_CANDIDATES 4
#define VALUE_ECHO_MAX 64

#define UPPER_BACK_ZONES                                                                           \
	(BIT(CHAIR_ZONE_NECK) | BIT(CHAIR_ZONE_SHOULDERS) | BIT(CHAIR_ZONE_UPPER_BACK))
#define LOW_ZONES (BIT(CHAIR_ZONE_LOWER_BACK) | BIT(CHAIR_ZONE_SACRUM))
#define NERVE_FEELINGS (BIT(CHAIR_FEEL_TINGLING) | BIT(CHAIR_FEEL_NUMB))
#define SPARE_CONDITIONS (BIT(CHAIR_COND_INFLAMMATION) | BIT(CHAIR_COND_RECENT_INJURY))

/* --- answers ------------------------------------------------------------- */

struct answer_key {
	const char *key;
	enum chair_answer_type type;
	int (*lookup)(const char *s);
	const char *(*accepted)(void);
};

static int profile_name_check(const char *s);
static const char *profile_name_rule(void);

static const struct answer_key answer_keys[] = {
	{ "zones", CHAIR_ANSWER_STRINGS, chair_any_zone_from_string, chair_any_zone_list },
	{ "feelings", CHAIR_ANSWER_STRINGS, chair_feeling_from_string, chair_feeling_list },
	{ "goal", CHAIR_ANSWER_STRING, chair_goal_from_string, chair_goal_list },
	{ "minutes", CHAIR_ANSWER_UINT, NULL, NULL },
	{ "pressure", CHAIR_ANSWER_STRING, chair_pressure_from_string, chair_pressure_list },
	{ "conditions", CHAIR_ANSWER_STRINGS, chair_condition_from_string, chair_condition_list },
	{ "red_flags", CHAIR_ANSWER_STRINGS, chair_red_flag_from_string, chair_red_flag_list },
	{ "profile", CHAIR_ANSWER_STRING, profile_name_check, profile_name_rule },
};

static int profile_name_check(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > CHAIR_PROFILE_NAME_MAX)
		return -EINVAL;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == ' ' || *p == '-' || *p == '_'))
			return -EINVAL;
	return 0;
}

static const char *profile_name_rule(void)
{
	return "a name of 1 to 32 letters, digits, spaces, '-' or '_'";
}

void chair_answers_init(struct chair_answers *a)
{
	*a = (struct chair_answers){ .goal = -1, .pressure = -1 };
}

const char *chair_answer_key_list(void)
{
	return "zones, feelings, goal, minutes, pressure, conditions, red_flags, profile";
}

_printf_(3, 4) static int fail(char **ret_msg, int err, const char *fmt, ...);

static int fail(char **ret_msg, int err, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(ret_msg, fmt, ap);
	va_end(ap);
	if (r < 0) {
		*ret_msg = NULL;
		return -ENOMEM;
	}
	return err;
}

static const struct answer_key *find_key(const char *key, char **ret_msg)
{
	for (size_t i = 0; i < ELEMENTSOF(answer_keys); i++)
		if (streq(answer_keys[i].key, key))
			return &answer_keys[i];
	fail(ret_msg, -EINVAL, "Unknown answer '%.*s'; the answers are %s.", VALUE_ECHO_MAX, key,
	     chair_answer_key_list());
	return NULL;
}

int chair_answer_key_type(const char *key, char **ret_msg)
{
	const struct answer_key *k = find_key(key, ret_msg);

	if (!k)
		return *ret_msg ? -EINVAL : -ENOMEM;
	return (int)k->type;
}

int chair_answers_add(struct chair_answers *a, const char *key, const char *value,
		      char **ret_msg)
{
	const struct answer_key *k = find_key(key, ret_msg);
	int i;

	if (!k)
		return *ret_msg ? -EINVAL : -ENOMEM;
	if (k->type == CHAIR_ANSWER_UINT)
		return fail(ret_msg, -EINVAL, "Answer '%s' is a number of minutes, not a name.",
			    key);
	if (!value)
		return fail(ret_msg, -EINVAL, "Answer '%s' has no value.", key);
	i = k->lookup(value);
	if (i < 0)
		return fail(ret_msg, -EINVAL, "Answer '%s' has an unknown value '%.*s'; use %s%s.",
			    key, VALUE_ECHO_MAX, value,
			    k->lookup == profile_name_check ? "" : "one of: ", k->accepted());

	if (streq(key, "zones")) {
		if (i >= CHAIR_AIR_ZONE_SHIFT) {
			a->zones_air |= BIT(i - CHAIR_AIR_ZONE_SHIFT);
		} else if (!(a->zones_back & BIT(i))) {
			a->zones_back |= BIT(i);
			a->back_order[a->n_back_order++] = (int8_t)i;
		}
	} else if (streq(key, "feelings")) {
		a->feelings |= BIT(i);
	} else if (streq(key, "goal")) {
		a->goal = i;
	} else if (streq(key, "pressure")) {
		a->pressure = i;
	} else if (streq(key, "conditions")) {
		a->conditions |= BIT(i);
	} else if (streq(key, "red_flags")) {
		a->red_flags |= BIT(i);
	} else {
		snprintf(a->profile, sizeof(a->profile), "%s", value);
	}
	return 0;
}

int chair_answers_set_uint(struct chair_answers *a, const char *key, uint64_t value,
			   char **ret_msg)
{
	const struct answer_key *k = find_key(key, ret_msg);

	if (!k)
		return *ret_msg ? -EINVAL : -ENOMEM;
	if (k->type != CHAIR_ANSWER_UINT)
		return fail(ret_msg, -EINVAL, "Answer '%s' takes %s, not a number.", key,
			    k->type == CHAIR_ANSWER_STRINGS ? "a list of names" : "a name");
	if (value < CHAIR_ANSWER_MIN_MINUTES)
		return fail(ret_msg, -EINVAL,
			    "Answer 'minutes' %" PRIu64 " is too short; a session "
			    "lasts at least %u minutes.",
			    value, CHAIR_ANSWER_MIN_MINUTES);
	/* More time than any session is fine: the session takes what it can. */
	a->minutes = value > 24 * 60 ? 24 * 60 : (unsigned)value;
	return 0;
}

/* --- words --------------------------------------------------------------- */

static const char *const zone_words[CHAIR_ZONE_COUNT] = {
	[CHAIR_ZONE_NECK] = "neck",
	[CHAIR_ZONE_SHOULDERS] = "shoulders",
	[CHAIR_ZONE_UPPER_BACK] = "upper back",
	[CHAIR_ZONE_MID_BACK] = "mid back",
	[CHAIR_ZONE_LOWER_BACK] = "lower back",
	[CHAIR_ZONE_SACRUM] = "sacrum",
};

/* "the neck, the lower back and the calves" */
static void zones_words(uint32_t back, uint32_t air, char *buf, size_t n)
{
	const char *w[CHAIR_ZONE_COUNT + CHAIR_AIR_COUNT];
	size_t k = 0, len = 0;

	for (int z = 0; z < CHAIR_ZONE_COUNT; z++)
		if (back & BIT(z))
			w[k++] = zone_words[z];
	for (int z = 0; z < CHAIR_AIR_COUNT; z++)
		if ((air & BIT(z)) &&
		    !(z == CHAIR_AIR_SHOULDERS && (back & BIT(CHAIR_ZONE_SHOULDERS))))
			w[k++] = chair_air_zone_to_string((enum chair_air_zone)z);
	buf[0] = '\0';
	for (size_t i = 0; i < k && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%sthe %s",
					i == 0 ? "" : (i + 1 == k ? " and " : ", "), w[i]);
}

static const char *nerve_word(const struct chair_answers *a)
{
	if (a->feelings & BIT(CHAIR_FEEL_TINGLING))
		return "tingling";
	if (a->feelings & BIT(CHAIR_FEEL_NUMB))
		return "numbness";
	return "nerve pain";
}

/* --- reasons ------------------------------------------------------------- */

struct reasons {
	char **v;
	size_t n;
	int r;
};

_printf_(2, 3) static void say(struct reasons *rs, const char *fmt, ...);

static void say(struct reasons *rs, const char *fmt, ...)
{
	va_list ap;
	char *s, **nv;

	if (rs->r < 0)
		return;
	nv = realloc(rs->v, (rs->n + 2) * sizeof(*nv));
	if (!nv) {
		rs->r = -ENOMEM;
		return;
	}
	rs->v = nv;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		rs->r = -ENOMEM;
		s = NULL;
	}
	va_end(ap);
	rs->v[rs->n] = s;
	if (s)
		rs->n++;
	rs->v[rs->n] = NULL;
}

/* --- the plan ------------------------------------------------------------ */

struct plan {
	const struct chair_answers *a;
	const struct chair_hw *hw;
	uint32_t conditions;
	uint32_t avoid_back;
	uint32_t avoid_air;
	bool spared;   /* the zones that hurt are kept off */
	uint32_t spare_back, spare_air; /* which: where it hurts, or the profile's */
	bool has_heat; /* the chair has a heater */
	/* The profile (a->memory): its settings, then what its history taught. */
	bool remembered;
	uint32_t given;             /* CHAIR_OPT_* that the answers decide */
	struct chair_options saved; /* the profile's settings filled in */
	struct chair_options mem;   /* ...and what was learned */
	unsigned learn_flags;       /* CHAIR_LEARN_* */
	char **learned;             /* what was learned, a sentence each */
	const char *cand[MAX_CANDIDATES];
	size_t n_cand;
	char why[320]; /* why the first candidate */
};

static bool has_cond(const struct plan *pl, enum chair_condition c)
{
	return pl->conditions & BIT(c);
}

static bool has_feel(const struct plan *pl, enum chair_feeling f)
{
	return pl->a->feelings & BIT(f);
}

/* What put the zones that hurt in avoid, as the person said it. */
static const char *spare_word(const struct plan *pl)
{
	if (has_feel(pl, CHAIR_FEEL_SWOLLEN))
		return "swollen";
	if (has_cond(pl, CHAIR_COND_INFLAMMATION))
		return "inflamed";
	return "injured";
}

static const char *usual_program(const struct plan *pl)
{
	return pl->remembered && pl->a->memory->profile->program[0]
		       ? pl->a->memory->profile->program
		       : NULL;
}

static bool deep_program(const char *id)
{
	return streq(id, "deep-tissue") || streq(id, "trigger-point");
}

_printf_(2, 3) static void choose(struct plan *pl, const char *fmt, ...);

/* Sets the reason for the first candidate. */
static void choose(struct plan *pl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(pl->why, sizeof(pl->why), fmt, ap);
	va_end(ap);
}

static void candidates(struct plan *pl, const char *c0, const char *c1, const char *c2)
{
	const char *c[] = { c0, c1, c2 };

	pl->n_cand = 0;
	for (size_t i = 0; i < ELEMENTSOF(c); i++)
		if (c[i] && !(i > 0 && streq(c[i], c[0])))
			pl->cand[pl->n_cand++] = c[i];
}

static void choose_by_feeling(struct plan *pl, bool gentle)
{
	const struct chair_answers *a = pl->a;
	char where[160];

	if (has_feel(pl, CHAIR_FEEL_KNOTTED)) {
		if (gentle) {
			candidates(pl, "myofascial-release", "swedish", NULL);
			choose(pl,
			       "Knotted spots usually get pressure held on them, but you like it "
			       "gentle: myofascial-release starts light and deepens only a little, "
			       "pass by pass.");
		} else {
			candidates(pl, "trigger-point", "deep-tissue", "swedish");
			choose(pl, "You feel knotted spots: trigger-point holds steady pressure on "
				   "each knot, releases it, then stretches the muscle.");
		}
		return;
	}
	if (a->zones_back && !(a->zones_back & ~LOW_ZONES)) {
		zones_words(a->zones_back, 0, where, sizeof(where));
		candidates(pl, "lower-back", "swedish", NULL);
		choose(pl,
		       "The pain is in %s: lower-back is therapeutic work on the lumbar muscles "
		       "and the sacrum, with warmth, kneading and pressure.",
		       where);
		return;
	}
	if (has_feel(pl, CHAIR_FEEL_TIGHT)) {
		if (gentle) {
			candidates(pl, "myofascial-release", "swedish", NULL);
			choose(pl,
			       "You feel tight and like gentle pressure: myofascial-release "
			       "eases tight tissue with light, slow passes that deepen gradually.");
		} else {
			candidates(pl, "deep-tissue", "swedish", NULL);
			choose(pl,
			       "You feel tight: deep-tissue uses slow, concentrated, firm strokes "
			       "at depth to release long-held tension.");
		}
		return;
	}
	if (has_feel(pl, CHAIR_FEEL_STIFF)) {
		candidates(pl, "myofascial-release", "swedish", NULL);
		choose(pl, "You feel stiff: myofascial-release loosens stiff tissue with slow "
			   "passes over the whole back and pressure that builds pass by pass.");
		return;
	}
	if (has_feel(pl, CHAIR_FEEL_ACHING)) {
		candidates(pl, "sports", "swedish", NULL);
		choose(pl, "Your muscles are aching, as after exercise: sports is the massage "
			   "athletes use to recover, brisk and with a stretch.");
	}
}

static void choose_program(struct plan *pl)
{
	const struct chair_answers *a = pl->a;
	/* The day after deep work, or for a person whose profile is gentle. */
	bool gentle = a->pressure == CHAIR_PRESSURE_GENTLE ||
		      (pl->learn_flags & CHAIR_LEARN_GENTLER) ||
		      (pl->remembered && a->pressure < 0 && pl->mem.intensity <= 2);
	const char *usual = usual_program(pl);
	char where[160];

	pl->n_cand = 0;
	if (has_cond(pl, CHAIR_COND_PREGNANCY)) {
		candidates(pl, "relax", "craniosacral", NULL);
		choose(pl, "You are pregnant: relax gives the gentle, long, slow strokes of a "
			   "prenatal massage, with no deep work and no tapping.");
		return;
	}
	if (has_cond(pl, CHAIR_COND_NERVE_PAIN)) {
		if (a->zones_back && !(a->zones_back & ~UPPER_BACK_ZONES)) {
			candidates(pl, "craniosacral", "relax", NULL);
			choose(pl,
			       "Because of the %s, craniosacral: very light work on the neck and "
			       "upper back, where you feel it.",
			       nerve_word(a));
		} else {
			candidates(pl, "relax", "craniosacral", NULL);
			choose(pl,
			       "Because of the %s, relax: long, slow, light strokes, never deep "
			       "tissue or trigger points.",
			       nerve_word(a));
		}
		return;
	}
	if (has_cond(pl, CHAIR_COND_ARTHRITIS) && (pl->spared || !pl->has_heat)) {
		candidates(pl, "relax", "swedish", NULL);
		choose(pl, "With arthritis, relax: slow, light strokes with no deep pressure or "
			   "tapping%s.", pl->spared ? ", around the place that hurts" : "");
		return;
	}
	if (has_cond(pl, CHAIR_COND_ARTHRITIS)) {
		candidates(pl, "hot-stone", "relax", "swedish");
		choose(pl, "With arthritis, hot-stone: warmth and slow gliding ease stiff joints "
			   "without deep pressure or tapping.");
		return;
	}
	if (a->goal == CHAIR_GOAL_RELAX) {
		candidates(pl, "relax", "swedish", NULL);
		choose(pl, "You want to relax: relax gives long, slow, sedative strokes that calm "
			   "the body and ease stress.");
		return;
	}
	if (a->goal == CHAIR_GOAL_ENERGIZE) {
		candidates(pl, "energize", "sports", "swedish");
		choose(pl, "You want to energize: energize uses rapid, firm, stimulating strokes, "
			   "and tapping (tapotement) closes the session to wake you up.");
		return;
	}
	if (!pl->spared)
		choose_by_feeling(pl, gentle);
	if (pl->n_cand)
		return;
	if (a->goal == CHAIR_GOAL_RELIEVE && a->zones_back && !pl->spared) {
		zones_words(a->zones_back, 0, where, sizeof(where));
		candidates(pl, "swedish", "shiatsu", NULL);
		choose(pl, "You want relief for %s: swedish kneads and rubs the sore area, with "
			   "friction and gentle tapping.", where);
	} else if (a->goal == CHAIR_GOAL_RELIEVE) {
		candidates(pl, "shiatsu", "swedish", NULL);
		choose(pl, "You want relief: shiatsu presses points along the spine, one after "
			   "the other, to relieve soreness.");
	} else if (a->goal == CHAIR_GOAL_LOOSEN && a->pressure == CHAIR_PRESSURE_FIRM) {
		candidates(pl, "sports", "myofascial-release", NULL);
		choose(pl, "You want to loosen up and like firm pressure: sports works briskly "
			   "and stretches you.");
	} else if (a->goal == CHAIR_GOAL_LOOSEN) {
		candidates(pl, "myofascial-release", "swedish", NULL);
		choose(pl, "You want to loosen up: myofascial-release stretches and frees the "
			   "tissue with slow passes that deepen bit by bit.");
	} else if (a->zones_back && !pl->spared) {
		zones_words(a->zones_back, 0, where, sizeof(where));
		candidates(pl, "swedish", "relax", NULL);
		choose(pl, "For %s, swedish: the classic massage of gliding, kneading, friction "
			   "and tapping, with more time where it hurts.", where);
	} else if (pl->spared) {
		candidates(pl, "relax", "swedish", NULL);
		choose(pl, "Around a place that is %s, relax: long, slow, gentle strokes over the "
			   "rest of your back.", spare_word(pl));
	} else if (usual && (pl->learn_flags & CHAIR_LEARN_GENTLER) && deep_program(usual)) {
		candidates(pl, "swedish", "relax", NULL);
		choose(pl, "Your usual program is %s; today swedish, the classic all-round massage, "
			   "as it is gentler.", usual);
	} else if (usual) {
		candidates(pl, usual, "swedish", "relax");
		choose(pl, "Your usual program, %s.", usual);
	} else {
		candidates(pl, "swedish", "relax", NULL);
		choose(pl, "With no particular complaint, swedish: the classic all-round massage "
			   "of gliding, kneading, friction and tapping.");
	}
}

static unsigned wanted_intensity(const struct chair_answers *a);

/* The profile fills in what the answers leave open, then what its history
 * taught is applied: the options a Start with the profile would get. */
static int remember(struct plan *pl)
{
	const struct chair_memory *m = pl->a->memory;
	const struct chair_answers *a = pl->a;
	struct chair_options o;
	int r;

	if (!m || !m->profile)
		return 0;
	if (a->pressure >= 0)
		pl->given |= CHAIR_OPT_INTENSITY;
	if (a->minutes)
		pl->given |= CHAIR_OPT_DURATION;
	if (a->n_back_order)
		pl->given |= CHAIR_OPT_FOCUS;
	chair_options_init(&o);
	o.intensity = wanted_intensity(a);
	/* Where it hurts today is asked for today: not avoided for last time. */
	if (a->n_back_order)
		o.focus = a->back_order[0];
	chair_profile_fill(m->profile, pl->given, &o);
	pl->saved = o;
	r = chair_learn_apply(m->history, m->n_history, m->now_usec, pl->given, &o,
			      &pl->learn_flags, &pl->learned);
	if (r < 0)
		return r;
	pl->mem = o;
	pl->remembered = true;
	pl->conditions |= o.conditions;
	pl->avoid_back |= o.avoid_back;
	pl->avoid_air |= o.avoid_air;
	return 0;
}

static void plan_done(struct plan *pl)
{
	chair_strv_free(pl->learned);
	pl->learned = NULL;
}

static int make_plan(const struct chair_answers *a, const struct chair_hw *hw, struct plan *pl,
		     char **ret_msg)
{
	const struct chair_options *saved =
	    a->memory && a->memory->profile ? &a->memory->profile->options : NULL;
	int r;

	*pl = (struct plan){ .a = a, .hw = hw, .conditions = a->conditions };
	r = remember(pl);
	if (r < 0)
		return r;

	if (a->feelings & NERVE_FEELINGS)
		pl->conditions |= BIT(CHAIR_COND_NERVE_PAIN);
	if (a->feelings & BIT(CHAIR_FEEL_SWOLLEN))
		pl->conditions |= BIT(CHAIR_COND_INFLAMMATION);
	if (a->feelings & BIT(CHAIR_FEEL_INJURED))
		pl->conditions |= BIT(CHAIR_COND_RECENT_INJURY);

	if (pl->conditions & SPARE_CONDITIONS) {
		pl->spare_back = a->zones_back;
		pl->spare_air = a->zones_air;
		/* The profile says where, when the answers do not. */
		if (!pl->spare_back && !pl->spare_air && saved) {
			pl->spare_back = saved->avoid_back;
			pl->spare_air = saved->avoid_air;
		}
		if (!pl->spare_back && !pl->spare_air) {
			const char *what =
			    (a->feelings & BIT(CHAIR_FEEL_SWOLLEN))   ? "feelings 'swollen'"
			    : (a->feelings & BIT(CHAIR_FEEL_INJURED)) ? "feelings 'injured'"
			    : (a->conditions & BIT(CHAIR_COND_INFLAMMATION))
				? "conditions 'inflammation'"
				: "conditions 'recent-injury'";

			plan_done(pl);
			return fail(
			    ret_msg, -EINVAL,
			    "Answer %s needs 'zones' that say where, so the "
			    "chair can keep off that place; add the zones that are swollen, "
			    "inflamed or injured.",
			    what);
		}
		pl->avoid_back |= pl->spare_back;
		pl->avoid_air |= pl->spare_air;
		pl->spared = true;
	}
	if (has_cond(pl, CHAIR_COND_PREGNANCY)) {
		pl->avoid_back |= LOW_ZONES;
		pl->avoid_air |= BIT(CHAIR_AIR_HIPS);
	}
	for (int h = 0; h < CHAIR_HEATER_COUNT; h++)
		if (chair_hw_has_heater(hw, (enum chair_heater)h))
			pl->has_heat = true;
	choose_program(pl);
	return 0;
}

/* --- options ------------------------------------------------------------- */

static unsigned wanted_intensity(const struct chair_answers *a)
{
	switch (a->pressure) {
	case CHAIR_PRESSURE_GENTLE:
		return 2;
	case CHAIR_PRESSURE_FIRM:
		return 4;
	default:
		return 3;
	}
}

/* The level asked for: the pressure answered, else the profile's with what
 * was learned, else the middle. */
static unsigned plan_intensity(const struct plan *pl)
{
	if (pl->remembered && !(pl->given & CHAIR_OPT_INTENSITY))
		return pl->mem.intensity;
	return wanted_intensity(pl->a);
}

/* The softest cap that applies, and why; 5 and NULL when none does. */
static unsigned intensity_cap(const struct plan *pl, const char *id, char *why, size_t n)
{
	if (has_cond(pl, CHAIR_COND_NERVE_PAIN)) {
		snprintf(why, n, "with %s the pressure stays gentle, so a nerve is not pressed on",
			 nerve_word(pl->a));
		return 2;
	}
	if (streq(id, "craniosacral")) {
		snprintf(why, n, "craniosacral work is very light");
		return 2;
	}
	if (has_cond(pl, CHAIR_COND_PREGNANCY)) {
		snprintf(why, n, "during pregnancy the pressure stays light to medium");
		return 3;
	}
	if (has_cond(pl, CHAIR_COND_ARTHRITIS)) {
		snprintf(why, n, "with arthritis, firm pressure on the joints is avoided");
		return 3;
	}
	if (pl->spared) {
		snprintf(why, n, "the chair works gently around a place that is %s",
			 spare_word(pl));
		return 3;
	}
	why[0] = '\0';
	return 5;
}

/* The heat level a rule sets, or -1 for the program's own; @p why says. */
static int rule_heat(const struct plan *pl, char *why, size_t n)
{
	if (!pl->has_heat) {
		snprintf(why, n, "Heat is off: this chair has no heater.");
		return 0;
	}
	if (has_cond(pl, CHAIR_COND_PREGNANCY)) {
		snprintf(why, n, "Heat is off: no heat during pregnancy, as raising the body's "
				 "temperature is avoided.");
		return 0;
	}
	if (pl->spared) {
		snprintf(why, n, "Heat is off: heat makes a place that is %s worse; cold, not "
				 "heat, is the first care.", spare_word(pl));
		return 0;
	}
	if (has_cond(pl, CHAIR_COND_ARTHRITIS)) {
		snprintf(why, n, "Heat 2: warmth eases the stiffness of arthritis.");
		return 2;
	}
	if (has_feel(pl, CHAIR_FEEL_STIFF)) {
		snprintf(why, n, "Heat 2: warmth loosens stiff muscles before they are worked.");
		return 2;
	}
	why[0] = '\0';
	return -1;
}

/* The first back zone named that may take more time, or -1. */
static int pick_focus(const struct plan *pl)
{
	const struct chair_answers *a = pl->a;

	if (has_cond(pl, CHAIR_COND_NERVE_PAIN))
		return -1;
	for (unsigned i = 0; i < a->n_back_order; i++)
		if (!(pl->avoid_back & BIT(a->back_order[i])))
			return a->back_order[i];
	if (pl->remembered && !a->n_back_order && pl->mem.focus >= 0 &&
	    !(pl->avoid_back & BIT(pl->mem.focus)))
		return pl->mem.focus;
	return -1;
}

static void build_options(const struct plan *pl, const struct chair_program *p,
			  struct chair_options *o)
{
	uint64_t cap = chair_hw_session_cap(pl->hw);
	char why[160];
	int heat;

	chair_options_init(o);
	o->conditions = pl->conditions;
	o->avoid_back = pl->avoid_back;
	o->avoid_air = pl->avoid_air;
	o->focus = pick_focus(pl);
	o->intensity = MIN(plan_intensity(pl), intensity_cap(pl, p->id, why, sizeof(why)));
	heat = rule_heat(pl, why, sizeof(why));
	if (heat < 0 && pl->remembered && pl->mem.heat >= 0)
		heat = pl->mem.heat;
	o->heat = heat >= 0 ? heat : (int)MIN(p->heat, 3u);
	if (pl->a->minutes)
		o->duration_usec = (uint64_t)pl->a->minutes * USEC_PER_MIN;
	else if (pl->remembered && pl->mem.duration_usec)
		o->duration_usec = pl->mem.duration_usec;
	else
		o->duration_usec = p->duration_usec;
	o->duration_usec = CLAMP(o->duration_usec, CHAIR_HW_MIN_SESSION_USEC, cap);
}

/* --- reasons for the chosen program -------------------------------------- */

static void explain_conditions(const struct plan *pl, struct reasons *rs)
{
	const struct chair_answers *a = pl->a;
	char where[200];

	if (has_cond(pl, CHAIR_COND_NERVE_PAIN))
		say(rs,
		    "%s: the chair keeps the pressure light, uses short strokes, leaves out "
		    "tapping, and never works deep tissue or trigger points.",
		    (a->feelings & BIT(CHAIR_FEEL_TINGLING))
			? "Tingling points to an irritated nerve (nerve pain)"
		    : (a->feelings & BIT(CHAIR_FEEL_NUMB))
			? "Numbness points to an irritated nerve (nerve pain)"
			: "With nerve pain");
	if (pl->spared) {
		bool many =
		    __builtin_popcount(pl->spare_back) + __builtin_popcount(pl->spare_air) > 1;
		bool said = pl->spare_back == a->zones_back && pl->spare_air == a->zones_air;

		zones_words(pl->spare_back, pl->spare_air, where, sizeof(where));
		say(rs, "%s %s %s %s: the chair keeps off %s, with no pressure, kneading, "
			"tapping, air or heat there, and works around %s, as a therapist does.",
		    said ? "You said" : "Your profile says", where, many ? "are" : "is",
		    spare_word(pl), many ? "them" : "it", many ? "them" : "it");
	}
	if (has_cond(pl, CHAIR_COND_PREGNANCY))
		say(rs, "During pregnancy there is no pressure on the lower back and the sacrum, "
			"and the hip airbags stay empty.");
	if (has_cond(pl, CHAIR_COND_ARTHRITIS) && !has_cond(pl, CHAIR_COND_NERVE_PAIN))
		say(rs, "With arthritis the chair goes no deeper than level 2 and leaves out "
			"tapping, which jars the joints.");
}

static void explain_options(const struct plan *pl, const struct chair_program *p,
			    const struct chair_options *o, struct reasons *rs)
{
	const struct chair_answers *a = pl->a;
	unsigned wanted = plan_intensity(pl);
	uint64_t minutes = o->duration_usec / USEC_PER_MIN;
	/* What the profile set, unchanged by what was learned (which says why). */
	bool saved_intensity = pl->remembered && !(pl->given & CHAIR_OPT_INTENSITY) &&
			       a->memory->profile->options.intensity > 0;
	bool learned_intensity = pl->remembered && pl->mem.intensity != pl->saved.intensity;
	char why[200];

	if (o->focus >= 0 && !a->n_back_order && pl->mem.focus != pl->saved.focus)
		; /* learned: its sentence says why */
	else if (o->focus >= 0 && !a->n_back_order)
		say(rs, "The %s gets the most time (the focus), as in your profile.",
		    zone_words[o->focus]);
	else if (o->focus >= 0)
		say(rs, "The %s gets the most time (the focus)%s.", zone_words[o->focus],
		    a->n_back_order > 1 ? ", as you named it first"
					: ", as that is where it hurts");
	else if (has_cond(pl, CHAIR_COND_NERVE_PAIN) && a->zones_back)
		say(rs, "The chair does not dwell on the place with %s; it works the whole area "
			"lightly.", nerve_word(a));

	intensity_cap(pl, p->id, why, sizeof(why));
	if (o->intensity < wanted && a->pressure >= 0)
		say(rs, "Intensity %u, softer than the %s pressure you like: %s.", o->intensity,
		    chair_pressure_to_string((enum chair_pressure)a->pressure), why);
	else if (o->intensity < wanted)
		say(rs, "Intensity %u: %s.", o->intensity, why);
	else if (a->pressure >= 0)
		say(rs, "Intensity %u: you like %s pressure.", o->intensity,
		    chair_pressure_to_string((enum chair_pressure)a->pressure));
	else if (learned_intensity)
		; /* what was learned says why */
	else if (saved_intensity)
		say(rs, "Intensity %u, as in your profile.", o->intensity);
	else
		say(rs, "Intensity %u, the middle level; you can change it at any time.",
		    o->intensity);

	if (rule_heat(pl, why, sizeof(why)) >= 0)
		say(rs, "%s", why);
	else if (pl->remembered && pl->mem.heat >= 0)
		say(rs, "Heat %d, as in your profile.", o->heat);
	else if (o->heat)
		say(rs, "Heat %d, as %s usually has it.", o->heat, p->id);
	else
		say(rs, "Heat is off, as %s usually has it.", p->id);

	if (a->minutes && a->minutes > minutes)
		say(rs, "You have %u minutes; a session on this chair lasts at most %" PRIu64
			" minutes, so it takes %" PRIu64 ".", a->minutes, minutes, minutes);
	else if (a->minutes)
		say(rs, "The session takes the %u minutes you have.", a->minutes);
	else if (pl->remembered && pl->mem.duration_usec > o->duration_usec)
		say(rs, "Your profile asks for %" PRIu64 " minutes; a session on this chair lasts "
			"at most %" PRIu64 ".", pl->mem.duration_usec / USEC_PER_MIN, minutes);
	else if (pl->remembered && pl->mem.duration_usec)
		say(rs, "The session lasts %" PRIu64 " minutes, as in your profile.", minutes);
	else if (p->duration_usec > o->duration_usec)
		say(rs,
		    "The session lasts %" PRIu64 " minutes, the most this chair allows (%s "
		    "usually takes %" PRIu64 ").",
		    minutes, p->id, p->duration_usec / USEC_PER_MIN);
	else
		say(rs, "The session lasts %" PRIu64 " minutes, the usual length of %s.", minutes,
		    p->id);
}

/* What was learned, and the zones the profile keeps off. */
static void explain_memory(const struct plan *pl, struct reasons *rs)
{
	const struct chair_options *saved;
	uint32_t back, air;
	char where[200];

	if (!pl->remembered)
		return;
	for (char **l = pl->learned; l && *l; l++)
		say(rs, "%s", *l);
	saved = &pl->a->memory->profile->options;
	back = saved->avoid_back & ~pl->spare_back;
	air = saved->avoid_air & ~pl->spare_air;
	if (back || air) {
		zones_words(back, air, where, sizeof(where));
		say(rs, "Your profile keeps the chair off %s.", where);
	}
}

static void explain_cautions(const struct plan *pl, struct reasons *rs)
{
	const uint32_t legs = BIT(CHAIR_AIR_CALVES) | BIT(CHAIR_AIR_FEET);

	if ((pl->a->feelings & BIT(CHAIR_FEEL_SWOLLEN)) && (pl->a->zones_air & legs))
		say(rs, "Swelling in the calves or feet can come from a blood clot or from the "
			"heart or kidneys: if it is new, in one leg only, warm or painful, see a "
			"doctor before any massage.");
}

static void red_flags(const struct chair_answers *a, struct reasons *rs)
{
	if (a->red_flags & BIT(CHAIR_RED_FLAG_SEVERE_PAIN))
		say(rs, "You said the pain is severe: severe pain needs a doctor to find its cause "
			"before any massage.");
	if (a->red_flags & BIT(CHAIR_RED_FLAG_AFTER_ACCIDENT))
		say(rs, "The pain came after a fall or an accident: a doctor should rule out a "
			"fracture or other injury before any massage.");
	if (a->red_flags & BIT(CHAIR_RED_FLAG_SPREADING_NUMBNESS))
		say(rs, "Numbness or weakness spreading into your legs can mean a pressed nerve: "
			"see a doctor soon, and get emergency care at once if you have trouble "
			"controlling your bladder or bowels.");
	if (a->red_flags & BIT(CHAIR_RED_FLAG_FEVER))
		say(rs, "You have a fever: massage is not advised with a fever or an infection, "
			"and pain with a fever needs a doctor.");
	say(rs, "No massage is recommended for now: please see a doctor first, and use the "
		"chair once they say massage is safe for you.");
}

/* --- the consultation ---------------------------------------------------- */

void chair_recommendation_done(struct chair_recommendation *r)
{
	if (!r)
		return;
	free(r->program);
	chair_strv_free(r->reasons);
	*r = (struct chair_recommendation){ 0 };
}

static int finish(struct reasons *rs, const char *id, const struct chair_options *o,
		  unsigned passed_over, struct chair_recommendation *ret)
{
	char *program;

	if (rs->r < 0) {
		chair_strv_free(rs->v);
		return rs->r;
	}
	program = strdup(id);
	if (!program) {
		chair_strv_free(rs->v);
		return -ENOMEM;
	}
	*ret = (struct chair_recommendation){
		.program = program,
		.options = *o,
		.reasons = rs->v,
		.passed_over = passed_over,
	};
	return 0;
}

int chair_consult(const struct chair_answers *a, const struct chair_programs *ps,
		  const struct chair_hw *hw, struct chair_recommendation *ret, char **ret_msg)
{
	struct reasons rs = { 0 };
	struct chair_options o;
	struct plan pl;
	int r;

	if (a->red_flags) {
		chair_options_init(&o);
		o.heat = 0;
		o.duration_usec = 0;
		red_flags(a, &rs);
		return finish(&rs, "", &o, 0, ret);
	}

	r = make_plan(a, hw, &pl, ret_msg);
	if (r < 0)
		return r;

	explain_conditions(&pl, &rs);
	say(&rs, "%s", pl.why);
	explain_memory(&pl, &rs);
	plan_done(&pl);
	for (size_t i = 0; i < pl.n_cand; i++) {
		const struct chair_program *p = chair_programs_find(ps, pl.cand[i]);
		_cleanup_free_ char *msg = NULL;
		const char *next = i + 1 < pl.n_cand ? pl.cand[i + 1] : NULL;

		if (p) {
			build_options(&pl, p, &o);
			r = chair_options_check(p, &o, hw, &msg);
			if (r < 0) {
				chair_strv_free(rs.v);
				return r;
			}
			if (r == CHAIR_CHECK_OK) {
				explain_options(&pl, p, &o, &rs);
				explain_cautions(&pl, &rs);
				return finish(&rs, p->id, &o, (unsigned)i, ret);
			}
		}
		if (!next)
			break;
		if (p)
			say(&rs, "This chair's %s program is not for these answers, so %s instead.",
			    pl.cand[i], next);
		else
			say(&rs, "This chair has no %s program, so %s instead.", pl.cand[i], next);
	}
	chair_strv_free(rs.v);
	return fail(ret_msg, -ENOENT, "No program on this chair suits these answers; the chair "
		    "would choose %s. Ask the chair's supplier to install it.", pl.cand[0]);
}
