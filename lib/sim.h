/* SPDX-License-Identifier: MIT */
/**
 * @file sim.h
 * @brief The simulated chair's physics.
 *
 * It models the roller carriage on its track (encoder pulses, limit
 * switches), the depth motor, the recline, airbag pressure, heater
 * temperature (first-order thermal model), seat occupancy and the user's
 * body (the shoulder sensor). Faults can be injected. Time is passed in, so
 * it runs as fast as the caller steps it.
 */
#ifndef CHAIR_SIM_H
#define CHAIR_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "hw.h"
#include "io.h"

#define CHAIR_SIM_AMBIENT_C 22.0
#define CHAIR_SIM_HEATER_TAU_S 300.0    /* thermal time constant */
#define CHAIR_SIM_HEATER_RATE_C_S 0.25  /* heating rate at ambient */
#define CHAIR_SIM_PUMP_KPA_S 6.0
#define CHAIR_SIM_VENT_KPA_S 15.0
#define CHAIR_SIM_MAX_KPA 40.0

struct chair_sim;

int chair_sim_new(const struct chair_hw *hw, struct chair_sim **ret);
struct chair_sim *chair_sim_free(struct chair_sim *s);

/** Advances the physics by @p dt_usec with @p cmd driving the outputs. */
void chair_sim_step(struct chair_sim *s, uint64_t dt_usec, const struct chair_outputs *cmd);

/** Reads the inputs and temperatures as the HAL would at time @p now. */
void chair_sim_read(const struct chair_sim *s, uint64_t now, struct chair_inputs *ret);

void chair_sim_set_estop(struct chair_sim *s, bool pressed);
void chair_sim_set_occupied(struct chair_sim *s, bool occupied);
void chair_sim_set_shoulder(struct chair_sim *s, double shoulder_mm);
void chair_sim_set_position(struct chair_sim *s, double position_mm);
void chair_sim_inject(struct chair_sim *s, enum chair_sim_fault f);
void chair_sim_clear_faults(struct chair_sim *s);
bool chair_sim_fault_active(const struct chair_sim *s, enum chair_sim_fault f);

double chair_sim_position(const struct chair_sim *s);
double chair_sim_depth(const struct chair_sim *s);
double chair_sim_recline(const struct chair_sim *s);
double chair_sim_pressure(const struct chair_sim *s, enum chair_air_zone z);
double chair_sim_temperature(const struct chair_sim *s, enum chair_heater h);
void chair_sim_set_temperature(struct chair_sim *s, enum chair_heater h, double celsius);
uint64_t chair_sim_pulses(const struct chair_sim *s);
/** The heater's relay is closed (commanded, or welded). */
bool chair_sim_heater_powered(const struct chair_sim *s, enum chair_heater h);

#endif
