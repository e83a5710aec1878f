// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "macro.h"
#include "wording.h"

static const char *const fault_words[CHAIR_FAULT_COUNT] = {
	[CHAIR_FAULT_WALK_STALLED] = "The massage roller got stuck and could not move.",
	[CHAIR_FAULT_MOTOR_TIMEOUT] = "A motor ran too long without reaching its place.",
	[CHAIR_FAULT_MOTOR_DRIVER] = "The motor driver reported a fault.",
	[CHAIR_FAULT_HEATER_LUMBAR_OVERTEMP] =
		"The back heater got too hot, or kept heating when it should not.",
	[CHAIR_FAULT_HEATER_CALVES_OVERTEMP] =
		"The calf heater got too hot, or kept heating when it should not.",
	[CHAIR_FAULT_HEATER_LUMBAR_SENSOR] = "The back heater's temperature sensor could not be read.",
	[CHAIR_FAULT_HEATER_CALVES_SENSOR] = "The calf heater's temperature sensor could not be read.",
	[CHAIR_FAULT_GPIO] = "The controller could not reach the chair's motors or sensors.",
	[CHAIR_FAULT_LOOP_STALLED] =
		"The controller fell behind in watching the motors, so it turned everything off.",
};

static const char *const finish_words[CHAIR_FINISH_COUNT] = {
	[CHAIR_FINISH_COMPLETED] = "The session is complete.",
	[CHAIR_FINISH_STOPPED] = "The session was stopped.",
	[CHAIR_FINISH_EMERGENCY_STOP] = "The session ended with the emergency stop.",
	[CHAIR_FINISH_FAULT] = "The session ended because something is wrong with the chair.",
	[CHAIR_FINISH_SEAT_EMPTY] = "The session ended because the seat stayed empty.",
};

static const char *const state_words[CHAIR_STATE_COUNT] = {
	[CHAIR_STATE_IDLE] = "The chair is ready.",
	[CHAIR_STATE_SCANNING] = "The chair is measuring your back.",
	[CHAIR_STATE_RUNNING] = "A massage is running.",
	[CHAIR_STATE_PAUSED] = "The massage is paused.",
	[CHAIR_STATE_STOPPING] = "The roller is moving back to rest.",
	[CHAIR_STATE_EMERGENCY_STOP] = "The emergency stop is on: every motor, airbag and heater is off.",
	[CHAIR_STATE_FAULT] = "The chair stopped because something is wrong.",
};

static const char *const phase_words[CHAIR_PHASE_COUNT] = {
	[CHAIR_PHASE_WARM_UP] = "Warm-up",
	[CHAIR_PHASE_MAIN] = "Main part",
	[CHAIR_PHASE_CLOSE] = "Closing",
};

static const char *const technique_words[CHAIR_TECHNIQUE_COUNT] = {
	[CHAIR_TECH_GLIDE] = "Long gliding strokes",
	[CHAIR_TECH_KNEAD] = "Kneading",
	[CHAIR_TECH_TAP] = "Tapping",
	[CHAIR_TECH_PRESS] = "Holding pressure",
	[CHAIR_TECH_ROLL] = "Rolling",
	[CHAIR_TECH_FRICTION] = "Small quick strokes",
	[CHAIR_TECH_VIBRATE] = "Vibration",
	[CHAIR_TECH_COMPRESS] = "Air compression",
	[CHAIR_TECH_STRETCH] = "Stretching",
	[CHAIR_TECH_REST] = "Resting",
};

static const char *const zone_words[CHAIR_ZONE_COUNT] = {
	[CHAIR_ZONE_NECK] = "Neck",
	[CHAIR_ZONE_SHOULDERS] = "Shoulders",
	[CHAIR_ZONE_UPPER_BACK] = "Upper back",
	[CHAIR_ZONE_MID_BACK] = "Mid back",
	[CHAIR_ZONE_LOWER_BACK] = "Lower back",
	[CHAIR_ZONE_SACRUM] = "Sacrum",
};

static const char *const zone_phrases[CHAIR_ZONE_COUNT] = {
	[CHAIR_ZONE_NECK] = "your neck",
	[CHAIR_ZONE_SHOULDERS] = "your shoulders",
	[CHAIR_ZONE_UPPER_BACK] = "your upper back",
	[CHAIR_ZONE_MID_BACK] = "the middle of your back",
	[CHAIR_ZONE_LOWER_BACK] = "your lower back",
	[CHAIR_ZONE_SACRUM] = "the base of your spine",
};

static const char *const air_zone_words[CHAIR_AIR_COUNT] = {
	[CHAIR_AIR_SHOULDERS] = "Shoulders",
	[CHAIR_AIR_ARMS] = "Arms",
	[CHAIR_AIR_HIPS] = "Hips",
	[CHAIR_AIR_CALVES] = "Calves",
	[CHAIR_AIR_FEET] = "Feet",
};

static const char *const condition_words[CHAIR_CONDITION_COUNT] = {
	[CHAIR_COND_NERVE_PAIN] = "Nerve pain",
	[CHAIR_COND_INFLAMMATION] = "Inflammation",
	[CHAIR_COND_PREGNANCY] = "Pregnancy",
	[CHAIR_COND_ARTHRITIS] = "Arthritis",
	[CHAIR_COND_RECENT_INJURY] = "Recent injury",
};

static const char *pick(const char *const *table, size_t n, int i)
{
	if (i < 0 || (size_t)i >= n)
		return NULL;
	return table[i];
}

/* The words for a D-Bus name: the enum value whose name it is, looked up
 * through chair-names.c so that the two tables cannot drift apart. */
static const char *by_name(const char *const *table, size_t n, const char *(*to_string)(int),
			   const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const char *s = to_string((int)i);

		if (s && streq(s, name))
			return table[i];
	}
	return NULL;
}

#define DEFINE_WORDING(fn, type, table, namefn)                                         \
	const char *chair_wording_##fn(type v)                                          \
	{                                                                               \
		return pick(table, ELEMENTSOF(table), (int)v);                          \
	}                                                                               \
	static const char *fn##_to_string_int(int v)                                    \
	{                                                                               \
		return chair_##namefn##_to_string((type)v);                             \
	}                                                                               \
	const char *chair_wording_##fn##_name(const char *name)                         \
	{                                                                               \
		return by_name(table, ELEMENTSOF(table), fn##_to_string_int, name);     \
	}

DEFINE_WORDING(fault, enum chair_fault, fault_words, fault)
DEFINE_WORDING(finish, enum chair_finish_reason, finish_words, finish_reason)
DEFINE_WORDING(state, enum chair_state, state_words, state)
DEFINE_WORDING(phase, enum chair_phase, phase_words, phase)
DEFINE_WORDING(technique, enum chair_technique, technique_words, technique)
DEFINE_WORDING(condition, enum chair_condition, condition_words, condition)

const char *chair_wording_zone(enum chair_zone z)
{
	return pick(zone_words, ELEMENTSOF(zone_words), (int)z);
}

const char *chair_wording_zone_phrase(enum chair_zone z)
{
	return pick(zone_phrases, ELEMENTSOF(zone_phrases), (int)z);
}

bool chair_wording_zone_plural(enum chair_zone z)
{
	return z == CHAIR_ZONE_SHOULDERS;
}

const char *chair_wording_air_zone(enum chair_air_zone z)
{
	return pick(air_zone_words, ELEMENTSOF(air_zone_words), (int)z);
}

const char *chair_wording_any_zone_name(const char *name)
{
	int z = chair_zone_from_string(name);

	if (z >= 0)
		return chair_wording_zone((enum chair_zone)z);
	z = chair_air_zone_from_string(name);
	if (z >= 0)
		return chair_wording_air_zone((enum chair_air_zone)z);
	return NULL;
}

const char *chair_wording_pause_reason_name(const char *name)
{
	if (!name)
		return NULL;
	if (streq(name, "requested"))
		return "Paused on request.";
	if (streq(name, "seat-empty"))
		return "Paused because the seat is empty; the session stops if nobody sits down "
		       "within 30 seconds.";
	return NULL;
}

/* --- did you mean -------------------------------------------------------- */

#define SUGGEST_MAX_LEN 64

/* The optimal string alignment distance, ignoring case: insertions,
 * deletions, substitutions and swaps of two neighbours each count one. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[SUGGEST_MAX_LEN + 1][SUGGEST_MAX_LEN + 1];

	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
			size_t v = MIN(d[i - 1][j] + 1, d[i][j - 1] + 1);

			v = MIN(v, d[i - 1][j - 1] + (ca != cb));
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb)
				v = MIN(v, d[i - 2][j - 2] + 1);
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

const char *chair_suggest(const char *word, const char *const *names, size_t n)
{
	const char *best = NULL, *prefix = NULL;
	size_t best_d = SIZE_MAX, len;
	int n_prefix = 0;

	if (!word || !*word)
		return NULL;
	len = strlen(word);
	if (len > SUGGEST_MAX_LEN)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t d;

		if (!names[i] || strlen(names[i]) > SUGGEST_MAX_LEN)
			continue;
		if (strcasecmp(word, names[i]) == 0)
			return names[i];
		if (len >= 3 && strncasecmp(word, names[i], len) == 0) {
			prefix = names[i];
			n_prefix++;
		}
		d = distance(word, names[i]);
		if (d < best_d) {
			best_d = d;
			best = names[i];
		}
	}
	/* A slip or two, but never most of the word. */
	if (best && best_d <= 2 && best_d * 3 <= len)
		return best;
	return n_prefix == 1 ? prefix : NULL;
}
