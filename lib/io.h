/* SPDX-License-Identifier: MIT */
/**
 * @file io.h
 * @brief The values that flow between the HAL, the motion controller and
 *        the safety core.
 */
#ifndef CHAIR_IO_H
#define CHAIR_IO_H

#include <stdbool.h>
#include <stdint.h>

#include "chair-names.h"

struct chair_temp {
	bool valid;        /**< the last read succeeded */
	double celsius;
	uint64_t read_usec; /**< when it was last read successfully */
};

/** What the HAL reads. Input values are logical: true means active. */
struct chair_inputs {
	bool in[CHAIR_INPUT_COUNT];
	uint64_t encoder_pulses;     /**< pulses counted since start */
	uint64_t encoder_last_usec;  /**< time of the last pulse */
	struct chair_temp temp[CHAIR_HEATER_COUNT];
};

/** What the motion controller asks of the outputs. */
struct chair_request {
	bool out[CHAIR_OUTPUT_COUNT];
	uint8_t duty[CHAIR_OUTPUT_COUNT]; /**< percent, for PWM motors */
	unsigned heat[CHAIR_HEATER_COUNT]; /**< level 0-3; safety closes the loop */
	bool session;  /**< in a session (running or paused): the seat rule applies */
	bool paused;   /**< the session is paused: its time does not count to the cap */
};

/**
 * The state of the outputs, as driven or observed. It is a plain value:
 * the simulated chair, the motion controller and the trace read it. Nothing
 * can drive one onto the hardware: the HAL only takes a struct
 * chair_command, which only the safety core makes (safety.h).
 */
struct chair_outputs {
	bool out[CHAIR_OUTPUT_COUNT];
	uint8_t duty[CHAIR_OUTPUT_COUNT];
};

static inline bool chair_outputs_all_off(const struct chair_outputs *c)
{
	for (int i = 0; i < CHAIR_OUTPUT_COUNT; i++)
		if (c->out[i])
			return false;
	return true;
}

#endif
