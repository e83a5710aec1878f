/* SPDX-License-Identifier: MIT */
/**
 * @file chair-names.h
 * @brief The names chaird shares with its clients: bus names, error names,
 *        outputs, inputs, zones, techniques, states and fault codes.
 *
 * Every enum here has a matching string table. The strings are part of the
 * public interface (hardware map, trace, D-Bus) and never change.
 */
#ifndef CHAIR_NAMES_H
#define CHAIR_NAMES_H

#include <stdbool.h>
#include <stdint.h>

#define CHAIR_BUS_NAME         "org.chaird.Chair1"
/* A second name that serves only EmergencyStop(), on a connection of its
 * own, so that a stop never waits behind other callers' traffic. */
#define CHAIR_STOP_BUS_NAME    "org.chaird.Stop1"
#define CHAIR_OBJECT_PATH      "/org/chaird/Chair1"
#define CHAIR_INTERFACE        "org.chaird.Chair1"
#define CHAIR_SIM_INTERFACE    "org.chaird.Simulator1"

#define CHAIR_ERROR_UNKNOWN_PROGRAM  "org.chaird.Chair1.Error.UnknownProgram"
#define CHAIR_ERROR_BUSY             "org.chaird.Chair1.Error.Busy"
#define CHAIR_ERROR_EMERGENCY_STOP   "org.chaird.Chair1.Error.EmergencyStop"
#define CHAIR_ERROR_FAULT            "org.chaird.Chair1.Error.Fault"
#define CHAIR_ERROR_SEAT_EMPTY       "org.chaird.Chair1.Error.SeatEmpty"
#define CHAIR_ERROR_CONTRAINDICATED  "org.chaird.Chair1.Error.Contraindicated"
#define CHAIR_ERROR_NOT_RUNNING      "org.chaird.Chair1.Error.NotRunning"

/** Outputs. The safe value of every one is inactive (false). */
enum chair_output {
	CHAIR_OUT_WALK_UP,
	CHAIR_OUT_WALK_DOWN,
	CHAIR_OUT_KNEAD_CW,
	CHAIR_OUT_KNEAD_CCW,
	CHAIR_OUT_TAP,
	CHAIR_OUT_DEPTH_IN,
	CHAIR_OUT_DEPTH_OUT,
	CHAIR_OUT_PUMP,
	CHAIR_OUT_VALVE_SHOULDERS,
	CHAIR_OUT_VALVE_ARMS,
	CHAIR_OUT_VALVE_HIPS,
	CHAIR_OUT_VALVE_CALVES,
	CHAIR_OUT_VALVE_FEET,
	CHAIR_OUT_HEAT_LUMBAR,
	CHAIR_OUT_HEAT_CALVES,
	CHAIR_OUT_VIBRATE_SEAT,
	CHAIR_OUT_RECLINE_UP,
	CHAIR_OUT_RECLINE_DOWN,
	CHAIR_OUTPUT_COUNT
};

enum chair_input {
	CHAIR_IN_ESTOP,
	CHAIR_IN_SEAT,
	CHAIR_IN_WALK_TOP,
	CHAIR_IN_WALK_BOTTOM,
	CHAIR_IN_WALK_ENCODER,
	CHAIR_IN_DEPTH_HOME,
	CHAIR_IN_SHOULDER,
	CHAIR_IN_MOTOR_FAULT,
	CHAIR_INPUT_COUNT
};

/** Back zones, from top (neck) to bottom (sacrum). */
enum chair_zone {
	CHAIR_ZONE_NECK,
	CHAIR_ZONE_SHOULDERS,
	CHAIR_ZONE_UPPER_BACK,
	CHAIR_ZONE_MID_BACK,
	CHAIR_ZONE_LOWER_BACK,
	CHAIR_ZONE_SACRUM,
	CHAIR_ZONE_COUNT
};

enum chair_air_zone {
	CHAIR_AIR_SHOULDERS,
	CHAIR_AIR_ARMS,
	CHAIR_AIR_HIPS,
	CHAIR_AIR_CALVES,
	CHAIR_AIR_FEET,
	CHAIR_AIR_COUNT
};

enum chair_heater {
	CHAIR_HEATER_LUMBAR,
	CHAIR_HEATER_CALVES,
	CHAIR_HEATER_COUNT
};

enum chair_technique {
	CHAIR_TECH_GLIDE,
	CHAIR_TECH_KNEAD,
	CHAIR_TECH_TAP,
	CHAIR_TECH_PRESS,
	CHAIR_TECH_ROLL,
	CHAIR_TECH_FRICTION,
	CHAIR_TECH_VIBRATE,
	CHAIR_TECH_COMPRESS,
	CHAIR_TECH_STRETCH,
	CHAIR_TECH_REST,
	CHAIR_TECHNIQUE_COUNT
};

enum chair_character {
	CHAIR_CHARACTER_SEDATIVE,
	CHAIR_CHARACTER_NEUTRAL,
	CHAIR_CHARACTER_STIMULATING,
	CHAIR_CHARACTER_COUNT
};

enum chair_condition {
	CHAIR_COND_NERVE_PAIN,
	CHAIR_COND_INFLAMMATION,
	CHAIR_COND_PREGNANCY,
	CHAIR_COND_ARTHRITIS,
	CHAIR_COND_RECENT_INJURY,
	CHAIR_CONDITION_COUNT
};

/** Consultation answers: how it feels. */
enum chair_feeling {
	CHAIR_FEEL_TIGHT,
	CHAIR_FEEL_KNOTTED,
	CHAIR_FEEL_STIFF,
	CHAIR_FEEL_ACHING,
	CHAIR_FEEL_TINGLING,
	CHAIR_FEEL_NUMB,
	CHAIR_FEEL_SWOLLEN,
	CHAIR_FEEL_INJURED,
	CHAIR_FEELING_COUNT
};

/** Consultation answers: what the person wants from the session. */
enum chair_goal {
	CHAIR_GOAL_RELAX,
	CHAIR_GOAL_RELIEVE,
	CHAIR_GOAL_LOOSEN,
	CHAIR_GOAL_ENERGIZE,
	CHAIR_GOAL_COUNT
};

/** Consultation answers: the pressure the person likes. */
enum chair_pressure {
	CHAIR_PRESSURE_GENTLE,
	CHAIR_PRESSURE_MEDIUM,
	CHAIR_PRESSURE_FIRM,
	CHAIR_PRESSURE_COUNT
};

/** Consultation answers that send the person to a doctor first. */
enum chair_red_flag {
	CHAIR_RED_FLAG_SEVERE_PAIN,
	CHAIR_RED_FLAG_AFTER_ACCIDENT,
	CHAIR_RED_FLAG_SPREADING_NUMBNESS,
	CHAIR_RED_FLAG_FEVER,
	CHAIR_RED_FLAG_COUNT
};

enum chair_phase {
	CHAIR_PHASE_WARM_UP,
	CHAIR_PHASE_MAIN,
	CHAIR_PHASE_CLOSE,
	CHAIR_PHASE_COUNT
};

enum chair_state {
	CHAIR_STATE_IDLE,
	CHAIR_STATE_SCANNING,
	CHAIR_STATE_RUNNING,
	CHAIR_STATE_PAUSED,
	CHAIR_STATE_STOPPING,
	CHAIR_STATE_EMERGENCY_STOP,
	CHAIR_STATE_FAULT,
	CHAIR_STATE_COUNT
};

enum chair_finish_reason {
	CHAIR_FINISH_COMPLETED,
	CHAIR_FINISH_STOPPED,
	CHAIR_FINISH_EMERGENCY_STOP,
	CHAIR_FINISH_FAULT,
	CHAIR_FINISH_SEAT_EMPTY,
	CHAIR_FINISH_COUNT
};

/** Latched fault codes. Heater faults carry the heater's name. */
enum chair_fault {
	CHAIR_FAULT_WALK_STALLED,
	CHAIR_FAULT_MOTOR_TIMEOUT,
	CHAIR_FAULT_MOTOR_DRIVER,
	CHAIR_FAULT_HEATER_LUMBAR_OVERTEMP,
	CHAIR_FAULT_HEATER_CALVES_OVERTEMP,
	CHAIR_FAULT_HEATER_LUMBAR_SENSOR,
	CHAIR_FAULT_HEATER_CALVES_SENSOR,
	CHAIR_FAULT_GPIO, /**< a GPIO line could not be read or driven */
	CHAIR_FAULT_LOOP_STALLED, /**< the control loop left outputs unwatched */
	CHAIR_FAULT_COUNT
};

/** Faults the simulator can inject. */
enum chair_sim_fault {
	CHAIR_SIM_FAULT_WALK_JAM,
	CHAIR_SIM_FAULT_HEATER_SENSOR_OPEN,
	CHAIR_SIM_FAULT_HEATER_RELAY_WELDED,
	CHAIR_SIM_FAULT_MOTOR_DRIVER,
	CHAIR_SIM_FAULT_COUNT
};

const char *chair_output_to_string(enum chair_output o);
const char *chair_input_to_string(enum chair_input i);
const char *chair_zone_to_string(enum chair_zone z);
const char *chair_air_zone_to_string(enum chair_air_zone z);
const char *chair_heater_to_string(enum chair_heater h);
const char *chair_technique_to_string(enum chair_technique t);
const char *chair_character_to_string(enum chair_character c);
const char *chair_condition_to_string(enum chair_condition c);
const char *chair_feeling_to_string(enum chair_feeling f);
const char *chair_goal_to_string(enum chair_goal g);
const char *chair_pressure_to_string(enum chair_pressure p);
const char *chair_red_flag_to_string(enum chair_red_flag f);
const char *chair_phase_to_string(enum chair_phase p);
const char *chair_state_to_string(enum chair_state s);
const char *chair_finish_reason_to_string(enum chair_finish_reason r);
const char *chair_fault_to_string(enum chair_fault f);
const char *chair_sim_fault_to_string(enum chair_sim_fault f);

/* Each returns the enum value, or -EINVAL for an unknown name. */
int chair_output_from_string(const char *s);
int chair_input_from_string(const char *s);
int chair_zone_from_string(const char *s);
int chair_air_zone_from_string(const char *s);
int chair_heater_from_string(const char *s);
int chair_technique_from_string(const char *s);
int chair_character_from_string(const char *s);
int chair_condition_from_string(const char *s);
int chair_feeling_from_string(const char *s);
int chair_goal_from_string(const char *s);
int chair_pressure_from_string(const char *s);
int chair_red_flag_from_string(const char *s);
int chair_phase_from_string(const char *s);
int chair_sim_fault_from_string(const char *s);

/** Where an air zone's bit starts in a mask of back and air zones. */
#define CHAIR_AIR_ZONE_SHIFT 16

/**
 * A back zone (its enum value) or an air zone (CHAIR_AIR_ZONE_SHIFT + its
 * enum value), or -EINVAL. "shoulders", both, is the back zone.
 */
int chair_any_zone_from_string(const char *s);
/** Every back zone and the air zones that are not back zones too. */
const char *chair_any_zone_list(void);

/** The output that drives the opposite direction, or -1 if there is none. */
int chair_output_opposite(enum chair_output o);

/** The valve output of an air zone. */
enum chair_output chair_air_zone_valve(enum chair_air_zone z);

/** The output of a heater. */
enum chair_output chair_heater_output(enum chair_heater h);

/* Every name of a table as "a, b, c", for error messages. */
const char *chair_output_list(void);
const char *chair_input_list(void);
const char *chair_zone_list(void);
const char *chair_air_zone_list(void);
const char *chair_technique_list(void);
const char *chair_condition_list(void);
const char *chair_feeling_list(void);
const char *chair_goal_list(void);
const char *chair_pressure_list(void);
const char *chair_red_flag_list(void);

#endif
