// SPDX-License-Identifier: MIT
#include <errno.h>

#include "chair-names.h"
#include "macro.h"

static const char *const output_names[CHAIR_OUTPUT_COUNT] = {
	[CHAIR_OUT_WALK_UP] = "walk-up",
	[CHAIR_OUT_WALK_DOWN] = "walk-down",
	[CHAIR_OUT_KNEAD_CW] = "knead-cw",
	[CHAIR_OUT_KNEAD_CCW] = "knead-ccw",
	[CHAIR_OUT_TAP] = "tap",
	[CHAIR_OUT_DEPTH_IN] = "depth-in",
	[CHAIR_OUT_DEPTH_OUT] = "depth-out",
	[CHAIR_OUT_PUMP] = "pump",
	[CHAIR_OUT_VALVE_SHOULDERS] = "valve-shoulders",
	[CHAIR_OUT_VALVE_ARMS] = "valve-arms",
	[CHAIR_OUT_VALVE_HIPS] = "valve-hips",
	[CHAIR_OUT_VALVE_CALVES] = "valve-calves",
	[CHAIR_OUT_VALVE_FEET] = "valve-feet",
	[CHAIR_OUT_HEAT_LUMBAR] = "heat-lumbar",
	[CHAIR_OUT_HEAT_CALVES] = "heat-calves",
	[CHAIR_OUT_VIBRATE_SEAT] = "vibrate-seat",
	[CHAIR_OUT_RECLINE_UP] = "recline-up",
	[CHAIR_OUT_RECLINE_DOWN] = "recline-down",
};

static const char *const input_names[CHAIR_INPUT_COUNT] = {
	[CHAIR_IN_ESTOP] = "estop",
	[CHAIR_IN_SEAT] = "seat",
	[CHAIR_IN_WALK_TOP] = "walk-top",
	[CHAIR_IN_WALK_BOTTOM] = "walk-bottom",
	[CHAIR_IN_WALK_ENCODER] = "walk-encoder",
	[CHAIR_IN_DEPTH_HOME] = "depth-home",
	[CHAIR_IN_SHOULDER] = "shoulder",
	[CHAIR_IN_MOTOR_FAULT] = "motor-fault",
};

static const char *const zone_names[CHAIR_ZONE_COUNT] = {
	[CHAIR_ZONE_NECK] = "neck",
	[CHAIR_ZONE_SHOULDERS] = "shoulders",
	[CHAIR_ZONE_UPPER_BACK] = "upper-back",
	[CHAIR_ZONE_MID_BACK] = "mid-back",
	[CHAIR_ZONE_LOWER_BACK] = "lower-back",
	[CHAIR_ZONE_SACRUM] = "sacrum",
};

static const char *const air_zone_names[CHAIR_AIR_COUNT] = {
	[CHAIR_AIR_SHOULDERS] = "shoulders",
	[CHAIR_AIR_ARMS] = "arms",
	[CHAIR_AIR_HIPS] = "hips",
	[CHAIR_AIR_CALVES] = "calves",
	[CHAIR_AIR_FEET] = "feet",
};

static const char *const heater_names[CHAIR_HEATER_COUNT] = {
	[CHAIR_HEATER_LUMBAR] = "lumbar",
	[CHAIR_HEATER_CALVES] = "calves",
};

static const char *const technique_names[CHAIR_TECHNIQUE_COUNT] = {
	[CHAIR_TECH_GLIDE] = "glide",
	[CHAIR_TECH_KNEAD] = "knead",
	[CHAIR_TECH_TAP] = "tap",
	[CHAIR_TECH_PRESS] = "press",
	[CHAIR_TECH_ROLL] = "roll",
	[CHAIR_TECH_FRICTION] = "friction",
	[CHAIR_TECH_VIBRATE] = "vibrate",
	[CHAIR_TECH_COMPRESS] = "compress",
	[CHAIR_TECH_STRETCH] = "stretch",
	[CHAIR_TECH_REST] = "rest",
};

static const char *const character_names[CHAIR_CHARACTER_COUNT] = {
	[CHAIR_CHARACTER_SEDATIVE] = "sedative",
	[CHAIR_CHARACTER_NEUTRAL] = "neutral",
	[CHAIR_CHARACTER_STIMULATING] = "stimulating",
};

static const char *const condition_names[CHAIR_CONDITION_COUNT] = {
	[CHAIR_COND_NERVE_PAIN] = "nerve-pain",
	[CHAIR_COND_INFLAMMATION] = "inflammation",
	[CHAIR_COND_PREGNANCY] = "pregnancy",
	[CHAIR_COND_ARTHRITIS] = "arthritis",
	[CHAIR_COND_RECENT_INJURY] = "recent-injury",
};

static const char *const feeling_names[CHAIR_FEELING_COUNT] = {
	[CHAIR_FEEL_TIGHT] = "tight",
	[CHAIR_FEEL_KNOTTED] = "knotted",
	[CHAIR_FEEL_STIFF] = "stiff",
	[CHAIR_FEEL_ACHING] = "aching",
	[CHAIR_FEEL_TINGLING] = "tingling",
	[CHAIR_FEEL_NUMB] = "numb",
	[CHAIR_FEEL_SWOLLEN] = "swollen",
	[CHAIR_FEEL_INJURED] = "injured",
};

static const char *const goal_names[CHAIR_GOAL_COUNT] = {
	[CHAIR_GOAL_RELAX] = "relax",
	[CHAIR_GOAL_RELIEVE] = "relieve",
	[CHAIR_GOAL_LOOSEN] = "loosen",
	[CHAIR_GOAL_ENERGIZE] = "energize",
};

static const char *const pressure_names[CHAIR_PRESSURE_COUNT] = {
	[CHAIR_PRESSURE_GENTLE] = "gentle",
	[CHAIR_PRESSURE_MEDIUM] = "medium",
	[CHAIR_PRESSURE_FIRM] = "firm",
};

static const char *const red_flag_names[CHAIR_RED_FLAG_COUNT] = {
	[CHAIR_RED_FLAG_SEVERE_PAIN] = "severe-pain",
	[CHAIR_RED_FLAG_AFTER_ACCIDENT] = "after-accident",
	[CHAIR_RED_FLAG_SPREADING_NUMBNESS] = "spreading-numbness",
	[CHAIR_RED_FLAG_FEVER] = "fever",
};

static const char *const phase_names[CHAIR_PHASE_COUNT] = {
	[CHAIR_PHASE_WARM_UP] = "warm-up",
	[CHAIR_PHASE_MAIN] = "main",
	[CHAIR_PHASE_CLOSE] = "close",
};

static const char *const state_names[CHAIR_STATE_COUNT] = {
	[CHAIR_STATE_IDLE] = "idle",
	[CHAIR_STATE_SCANNING] = "scanning",
	[CHAIR_STATE_RUNNING] = "running",
	[CHAIR_STATE_PAUSED] = "paused",
	[CHAIR_STATE_STOPPING] = "stopping",
	[CHAIR_STATE_EMERGENCY_STOP] = "emergency-stop",
	[CHAIR_STATE_FAULT] = "fault",
};

static const char *const finish_names[CHAIR_FINISH_COUNT] = {
	[CHAIR_FINISH_COMPLETED] = "completed",
	[CHAIR_FINISH_STOPPED] = "stopped",
	[CHAIR_FINISH_EMERGENCY_STOP] = "emergency-stop",
	[CHAIR_FINISH_FAULT] = "fault",
	[CHAIR_FINISH_SEAT_EMPTY] = "seat-empty",
};

static const char *const fault_names[CHAIR_FAULT_COUNT] = {
	[CHAIR_FAULT_WALK_STALLED] = "walk-stalled",
	[CHAIR_FAULT_MOTOR_TIMEOUT] = "motor-timeout",
	[CHAIR_FAULT_MOTOR_DRIVER] = "motor-driver-fault",
	[CHAIR_FAULT_HEATER_LUMBAR_OVERTEMP] = "heater-lumbar-overtemp",
	[CHAIR_FAULT_HEATER_CALVES_OVERTEMP] = "heater-calves-overtemp",
	[CHAIR_FAULT_HEATER_LUMBAR_SENSOR] = "heater-lumbar-sensor",
	[CHAIR_FAULT_HEATER_CALVES_SENSOR] = "heater-calves-sensor",
	[CHAIR_FAULT_GPIO] = "gpio-failed",
	[CHAIR_FAULT_LOOP_STALLED] = "loop-stalled",
};

static const char *const sim_fault_names[CHAIR_SIM_FAULT_COUNT] = {
	[CHAIR_SIM_FAULT_WALK_JAM] = "walk-jam",
	[CHAIR_SIM_FAULT_HEATER_SENSOR_OPEN] = "heater-sensor-open",
	[CHAIR_SIM_FAULT_HEATER_RELAY_WELDED] = "heater-relay-welded",
	[CHAIR_SIM_FAULT_MOTOR_DRIVER] = "motor-driver-fault",
};

static const char *lookup(const char *const *table, size_t n, int i)
{
	if (i < 0 || (size_t)i >= n)
		return NULL;
	return table[i];
}

static int reverse(const char *const *table, size_t n, const char *s)
{
	if (!s)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (table[i] && streq(table[i], s))
			return (int)i;
	return -EINVAL;
}

#define DEFINE_NAME_TABLE(name, type, table)                               \
	const char *chair_##name##_to_string(type v)                       \
	{                                                                  \
		return lookup(table, ELEMENTSOF(table), (int)v);           \
	}

#define DEFINE_NAME_PARSER(name, table)                                    \
	int chair_##name##_from_string(const char *s)                      \
	{                                                                  \
		return reverse(table, ELEMENTSOF(table), s);               \
	}

DEFINE_NAME_TABLE(output, enum chair_output, output_names)
DEFINE_NAME_TABLE(input, enum chair_input, input_names)
DEFINE_NAME_TABLE(zone, enum chair_zone, zone_names)
DEFINE_NAME_TABLE(air_zone, enum chair_air_zone, air_zone_names)
DEFINE_NAME_TABLE(heater, enum chair_heater, heater_names)
DEFINE_NAME_TABLE(technique, enum chair_technique, technique_names)
DEFINE_NAME_TABLE(character, enum chair_character, character_names)
DEFINE_NAME_TABLE(condition, enum chair_condition, condition_names)
DEFINE_NAME_TABLE(feeling, enum chair_feeling, feeling_names)
DEFINE_NAME_TABLE(goal, enum chair_goal, goal_names)
DEFINE_NAME_TABLE(pressure, enum chair_pressure, pressure_names)
DEFINE_NAME_TABLE(red_flag, enum chair_red_flag, red_flag_names)
DEFINE_NAME_TABLE(phase, enum chair_phase, phase_names)
DEFINE_NAME_TABLE(state, enum chair_state, state_names)
DEFINE_NAME_TABLE(finish_reason, enum chair_finish_reason, finish_names)
DEFINE_NAME_TABLE(fault, enum chair_fault, fault_names)
DEFINE_NAME_TABLE(sim_fault, enum chair_sim_fault, sim_fault_names)

DEFINE_NAME_PARSER(output, output_names)
DEFINE_NAME_PARSER(input, input_names)
DEFINE_NAME_PARSER(zone, zone_names)
DEFINE_NAME_PARSER(air_zone, air_zone_names)
DEFINE_NAME_PARSER(heater, heater_names)
DEFINE_NAME_PARSER(technique, technique_names)
DEFINE_NAME_PARSER(character, character_names)
DEFINE_NAME_PARSER(condition, condition_names)
DEFINE_NAME_PARSER(feeling, feeling_names)
DEFINE_NAME_PARSER(goal, goal_names)
DEFINE_NAME_PARSER(pressure, pressure_names)
DEFINE_NAME_PARSER(red_flag, red_flag_names)
DEFINE_NAME_PARSER(phase, phase_names)
DEFINE_NAME_PARSER(sim_fault, sim_fault_names)

int chair_any_zone_from_string(const char *s)
{
	int z = chair_zone_from_string(s);

	if (z >= 0)
		return z;
	z = chair_air_zone_from_string(s);
	return z >= 0 ? CHAIR_AIR_ZONE_SHIFT + z : z;
}

const char *chair_any_zone_list(void)
{
	return "neck, shoulders, upper-back, mid-back, lower-back, sacrum, arms, hips, calves, "
	       "feet";
}

int chair_output_opposite(enum chair_output o)
{
	switch (o) {
	case CHAIR_OUT_WALK_UP:
		return CHAIR_OUT_WALK_DOWN;
	case CHAIR_OUT_WALK_DOWN:
		return CHAIR_OUT_WALK_UP;
	case CHAIR_OUT_KNEAD_CW:
		return CHAIR_OUT_KNEAD_CCW;
	case CHAIR_OUT_KNEAD_CCW:
		return CHAIR_OUT_KNEAD_CW;
	case CHAIR_OUT_DEPTH_IN:
		return CHAIR_OUT_DEPTH_OUT;
	case CHAIR_OUT_DEPTH_OUT:
		return CHAIR_OUT_DEPTH_IN;
	case CHAIR_OUT_RECLINE_UP:
		return CHAIR_OUT_RECLINE_DOWN;
	case CHAIR_OUT_RECLINE_DOWN:
		return CHAIR_OUT_RECLINE_UP;
	case CHAIR_OUT_TAP:
	case CHAIR_OUT_PUMP:
	case CHAIR_OUT_VALVE_SHOULDERS:
	case CHAIR_OUT_VALVE_ARMS:
	case CHAIR_OUT_VALVE_HIPS:
	case CHAIR_OUT_VALVE_CALVES:
	case CHAIR_OUT_VALVE_FEET:
	case CHAIR_OUT_HEAT_LUMBAR:
	case CHAIR_OUT_HEAT_CALVES:
	case CHAIR_OUT_VIBRATE_SEAT:
	case CHAIR_OUTPUT_COUNT:
		break;
	}
	return -1;
}

enum chair_output chair_air_zone_valve(enum chair_air_zone z)
{
	return (enum chair_output)(CHAIR_OUT_VALVE_SHOULDERS + (int)z);
}

enum chair_output chair_heater_output(enum chair_heater h)
{
	return h == CHAIR_HEATER_LUMBAR ? CHAIR_OUT_HEAT_LUMBAR : CHAIR_OUT_HEAT_CALVES;
}

const char *chair_output_list(void)
{
	return "walk-up, walk-down, knead-cw, knead-ccw, tap, depth-in, depth-out, pump, "
	       "valve-shoulders, valve-arms, valve-hips, valve-calves, valve-feet, heat-lumbar, "
	       "heat-calves, vibrate-seat, recline-up, recline-down";
}

const char *chair_input_list(void)
{
	return "estop, seat, walk-top, walk-bottom, walk-encoder, depth-home, shoulder, motor-fault";
}

const char *chair_zone_list(void)
{
	return "neck, shoulders, upper-back, mid-back, lower-back, sacrum";
}

const char *chair_air_zone_list(void)
{
	return "shoulders, arms, hips, calves, feet";
}

const char *chair_technique_list(void)
{
	return "glide, knead, tap, press, roll, friction, vibrate, compress, stretch, rest";
}

const char *chair_condition_list(void)
{
	return "nerve-pain, inflammation, pregnancy, arthritis, recent-injury";
}

const char *chair_feeling_list(void)
{
	return "tight, knotted, stiff, aching, tingling, numb, swollen, injured";
}

const char *chair_goal_list(void)
{
	return "relax, relieve, loosen, energize";
}

const char *chair_pressure_list(void)
{
	return "gentle, medium, firm";
}

const char *chair_red_flag_list(void)
{
	return "severe-pain, after-accident, spreading-numbness, fever";
}
