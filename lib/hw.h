/* SPDX-License-Identifier: MIT */
/**
 * @file hw.h
 * @brief What the engine, the safety core and the simulator need to know
 *        about the chair's mechanics and limits.
 *
 * The hardware map fills this in on a real chair; chair_hw_default()
 * describes a complete chair with every part, as the simulator has it.
 */
#ifndef CHAIR_HW_H
#define CHAIR_HW_H

#include <stdbool.h>
#include <stdint.h>

#include "chair-names.h"

#define CHAIR_DEPTH_LEVELS 5 /* 0..4 */

struct chair_hw {
	double track_length_mm;  /**< travel between walk-bottom and walk-top */
	double mm_per_pulse;     /**< encoder resolution */
	double walk_speed_mm_s;  /**< carriage speed at full drive */
	double depth_stroke_mm;  /**< depth travel from home to level 4 */
	double depth_speed_mm_s; /**< depth motor speed */
	double recline_time_s;   /**< full recline travel time */
	bool has_pwm[CHAIR_OUTPUT_COUNT]; /**< motor speed through PWM */

	uint32_t outputs; /**< bit per enum chair_output present */
	uint32_t inputs;  /**< bit per enum chair_input present */

	double heater_max_c[CHAIR_HEATER_COUNT];    /**< hard maximum, <= 55 */
	double heater_setpoint_c[CHAIR_HEATER_COUNT][3]; /**< levels 1-3 */
	unsigned max_depth; /**< the deepest level the mechanism allows, 0-4 */
	uint64_t max_session_usec; /**< the session cap, <= 30 min */
};

#define CHAIR_HW_MAX_HEATER_C 55.0
#define CHAIR_HW_MAX_SESSION_USEC (UINT64_C(30) * 60 * 1000000)

/** The longest session this chair runs: its cap, never over 30 min. */
uint64_t chair_hw_session_cap(const struct chair_hw *hw);
#define CHAIR_HW_MIN_SESSION_USEC (UINT64_C(5) * 60 * 1000000)
#define CHAIR_HW_DEFAULT_SESSION_USEC (UINT64_C(15) * 60 * 1000000)

/** Fills @p ret with a complete chair: every output, input and heater. */
void chair_hw_default(struct chair_hw *ret);

static inline bool chair_hw_has_output(const struct chair_hw *hw, enum chair_output o)
{
	return hw->outputs & (UINT32_C(1) << o);
}

static inline bool chair_hw_has_input(const struct chair_hw *hw, enum chair_input i)
{
	return hw->inputs & (UINT32_C(1) << i);
}

bool chair_hw_has_heater(const struct chair_hw *hw, enum chair_heater h);
bool chair_hw_has_air_zone(const struct chair_hw *hw, enum chair_air_zone z);

/** The deepest level this chair can press: 0 without a depth motor. */
unsigned chair_hw_max_depth(const struct chair_hw *hw);

/** Depth in mm of a depth level 0-4. */
double chair_hw_depth_mm(const struct chair_hw *hw, unsigned level);

#endif
