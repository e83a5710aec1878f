/* SPDX-License-Identifier: MIT */
/*
 * The hardware abstraction: set outputs, read inputs, get edge events, read
 * temperatures, and drive the safe state. Two backends: "sim" (the
 * simulated chair in this process) and "gpiod" (libgpiod v2).
 */
#ifndef CHAIRD_HAL_H
#define CHAIRD_HAL_H

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "hw.h"
#include "io.h"

struct hal;

/* Called by a backend when an input edge needs the safety core at once
 * (the e-stop, a limit switch, the seat). */
typedef void (*hal_edge_fn)(struct hal *h, void *userdata);

struct hal_ops {
	const char *name;
	/** Drives the outputs. Only the safety core's command gets here.
	 * Negative if any line could not be driven. */
	int (*set_outputs)(struct hal *h, const struct chair_command *c);
	/** Reads inputs and temperatures at chair time @p now. Negative if
	 * any line could not be read. */
	int (*read_inputs)(struct hal *h, uint64_t now, struct chair_inputs *ret);
	/** Drives every output inactive, whatever else happens. Negative if
	 * any line could not be driven. */
	int (*safe_state)(struct hal *h);
	/** Advances simulated time; NULL for real hardware. */
	void (*advance)(struct hal *h, uint64_t dt_usec, const struct chair_command *c);
	/** Adds the backend's event sources (edges, sensor timers); may be NULL. */
	int (*attach)(struct hal *h, sd_event *e, int64_t priority);
	void (*free)(struct hal *h);
};

struct hal {
	const struct hal_ops *ops;
	struct chair_hw hw;
	void *data;
	hal_edge_fn edge;
	void *edge_userdata;
	/* CLOCK_MONOTONIC time at which the outputs last became all safe; for
	 * the latency figures. */
	uint64_t safe_at_usec;
	/* CLOCK_MONOTONIC time of the last change of the outputs. */
	uint64_t set_at_usec;
	struct chair_command current;
	/* Chair time = CLOCK_MONOTONIC - clock_offset (real hardware runs at
	 * real time). */
	uint64_t clock_offset;
};

int hal_set_outputs(struct hal *h, const struct chair_command *c);
int hal_safe_state(struct hal *h);
void hal_free(struct hal *h);

int hal_attach(struct hal *h, sd_event *e, int64_t priority, hal_edge_fn edge, void *userdata);

/* The gpiod backend. @p dev_dir holds the gpiochip devices (normally /dev),
 * @p pwm_root the PWM chips (normally /sys/class/pwm). On failure it logs
 * one sentence naming the chip and line, and leaves nothing requested. */
struct chair_map;
int hal_gpiod_new(const struct chair_map *map, const char *dev_dir, const char *pwm_root,
		  struct hal **ret);
/* chaird --safe-state: requests every output at its safe value and
 * releases it. Drives every chip it can; returns the first error. */
int hal_gpiod_safe_state(const struct chair_map *map, const char *dev_dir);
/* Test hooks: the temperature refresh, and the edge events lost so far. */
void hal_gpiod_read_temperatures(struct hal *h);
uint64_t hal_gpiod_lost_events(struct hal *h);
int64_t hal_gpiod_encoder_count(struct hal *h);

/* The sim backend. */
struct chair_sim;
int hal_sim_new(const struct chair_hw *hw, struct hal **ret);
struct chair_sim *hal_sim_chair(struct hal *h);

#endif
