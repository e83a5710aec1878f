// SPDX-License-Identifier: MIT
#include "hw.h"

void chair_hw_default(struct chair_hw *ret)
{
	struct chair_hw hw = {
		.track_length_mm = 720.0,
		.mm_per_pulse = 0.5,
		.walk_speed_mm_s = 60.0,
		.depth_stroke_mm = 40.0,
		.depth_speed_mm_s = 20.0,
		.recline_time_s = 12.0,
		.outputs = (UINT32_C(1) << CHAIR_OUTPUT_COUNT) - 1,
		.inputs = (UINT32_C(1) << CHAIR_INPUT_COUNT) - 1,
		.max_depth = 4,
		.max_session_usec = CHAIR_HW_MAX_SESSION_USEC,
	};

	for (int h = 0; h < CHAIR_HEATER_COUNT; h++) {
		hw.heater_max_c[h] = CHAIR_HW_MAX_HEATER_C;
		hw.heater_setpoint_c[h][0] = 40.0;
		hw.heater_setpoint_c[h][1] = 45.0;
		hw.heater_setpoint_c[h][2] = 50.0;
	}
	hw.has_pwm[CHAIR_OUT_WALK_UP] = hw.has_pwm[CHAIR_OUT_WALK_DOWN] = true;
	hw.has_pwm[CHAIR_OUT_KNEAD_CW] = hw.has_pwm[CHAIR_OUT_KNEAD_CCW] = true;
	hw.has_pwm[CHAIR_OUT_TAP] = true;
	*ret = hw;
}

bool chair_hw_has_heater(const struct chair_hw *hw, enum chair_heater h)
{
	return chair_hw_has_output(hw, chair_heater_output(h));
}

bool chair_hw_has_air_zone(const struct chair_hw *hw, enum chair_air_zone z)
{
	return chair_hw_has_output(hw, chair_air_zone_valve(z)) &&
	       chair_hw_has_output(hw, CHAIR_OUT_PUMP);
}

double chair_hw_depth_mm(const struct chair_hw *hw, unsigned level)
{
	if (level > 4)
		level = 4;
	return hw->depth_stroke_mm * level / 4.0;
}

uint64_t chair_hw_session_cap(const struct chair_hw *hw)
{
	return hw->max_session_usec < CHAIR_HW_MAX_SESSION_USEC ? hw->max_session_usec
								 : CHAIR_HW_MAX_SESSION_USEC;
}

unsigned chair_hw_max_depth(const struct chair_hw *hw)
{
	if (!chair_hw_has_output(hw, CHAIR_OUT_DEPTH_IN) || !chair_hw_has_output(hw, CHAIR_OUT_DEPTH_OUT))
		return 0;
	return hw->max_depth < 4 ? hw->max_depth : 4;
}
