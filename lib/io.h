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
	bool session;  /**< a session is running: motion and heat may run */
};

/** What the safety core lets through: the only thing the HAL drives. */
struct chair_command {
	bool out[CHAIR_OUTPUT_COUNT];
	uint8_t duty[CHAIR_OUTPUT_COUNT];
};

static inline bool chair_command_all_safe(const struct chair_command *c)
{
	for (int i = 0; i < CHAIR_OUTPUT_COUNT; i++)
		if (c->out[i])
			return false;
	return true;
}

#endif
