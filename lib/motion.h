/* SPDX-License-Identifier: MIT */
/**
 * @file motion.h
 * @brief The motion controller: engine targets + sensor feedback ->
 *        requested outputs.
 *
 * It also keeps the odometry (roller position from encoder pulses and limit
 * switches) and dead-reckons the depth and recline from drive time. It
 * enforces the no-pressure guard: depth, kneading, tapping and air are never
 * applied with the roller in an avoided zone, and the roller does not enter
 * one until the depth is home.
 */
#ifndef CHAIR_MOTION_H
#define CHAIR_MOTION_H

#include "engine.h"
#include "hw.h"
#include "io.h"

struct chair_motion;

int chair_motion_new(const struct chair_hw *hw, struct chair_motion **ret);
struct chair_motion *chair_motion_free(struct chair_motion *m);

/** Sets the avoided intervals for a session; NULL clears them. */
void chair_motion_set_guard(struct chair_motion *m, const struct chair_guard *g);

/**
 * Accounts for what was driven since the last call: @p applied is the
 * command that was in force over that interval.
 */
void chair_motion_observe(struct chair_motion *m, uint64_t now, const struct chair_inputs *in,
			  const struct chair_outputs *applied);

void chair_motion_sensors(const struct chair_motion *m, const struct chair_inputs *in,
			  struct chair_sensors *ret);

/** Turns targets into a request for the safety core. */
void chair_motion_request(const struct chair_motion *m, const struct chair_inputs *in,
			  const struct chair_targets *t, struct chair_request *ret);

/** True once a limit switch has fixed the roller's position. */
bool chair_motion_homed(const struct chair_motion *m);

/** PWM duty (percent) for a speed level 1-5. */
uint8_t chair_motion_duty(unsigned speed);

#endif
