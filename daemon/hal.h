/* SPDX-License-Identifier: MIT */
/*
 * The hardware abstraction: drive the safety core's commands, read inputs,
 * get edge events, read temperatures, and drive the safe state. Two
 * backends: "sim" (the simulated chair in this process) and "gpiod"
 * (libgpiod v2).
 *
 * struct hal is opaque here. The only way to put an output on is
 * hal_write() with a struct chair_command, which only the safety core can
 * make; the only other write is hal_safe_state(), which turns everything
 * off. The backends' side is in hal-backend.h.
 */
#ifndef CHAIRD_HAL_H
#define CHAIRD_HAL_H

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "hw.h"
#include "io.h"
#include "safety.h"

struct hal;

/* Called by a backend when an input edge needs the safety core at once
 * (the e-stop, a limit switch, the seat). */
typedef void (*hal_edge_fn)(struct hal *h, void *userdata);
/* Called by a backend when a chip fails (its events cannot be read, or it
 * hung up). The backend has already tried to turn every output off and
 * stopped watching the chip. */
typedef void (*hal_fail_fn)(struct hal *h, void *userdata);

/** Drives the safety core's command. Negative if any line could not be
 * driven; what was driven before stays the current state. */
int hal_write(struct hal *h, const struct chair_command *c);
/** Drives every output inactive, whatever else happens. Negative if any
 * line could not be driven. */
int hal_safe_state(struct hal *h);
/** Reads inputs and temperatures, time-stamped in chair time. Negative if
 * any line could not be read. */
int hal_read_inputs(struct hal *h, uint64_t now, struct chair_inputs *ret);
/** Lets the simulated chair's physics run for @p dt_usec with the outputs
 * as they are; nothing for real hardware. */
void hal_advance(struct hal *h, uint64_t dt_usec);
/** What the outputs are driven to now. */
const struct chair_outputs *hal_outputs(const struct hal *h);
/** CLOCK_MONOTONIC time of the last change of the outputs, and of the last
 * time they all became safe; for the trace and the latency figures. */
uint64_t hal_changed_usec(const struct hal *h);
uint64_t hal_safe_usec(const struct hal *h);
/** Chair time = CLOCK_MONOTONIC - offset. */
void hal_set_clock_offset(struct hal *h, uint64_t offset);
const char *hal_name(const struct hal *h);
/** True once a chip failed and is no longer watched, for good. */
bool hal_failed(const struct hal *h);
/** True for real hardware, which runs on real time. */
bool hal_is_real(const struct hal *h);
void hal_free(struct hal *h);

int hal_attach(struct hal *h, sd_event *e, int64_t priority, hal_edge_fn edge, hal_fail_fn fail,
	       void *userdata);

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
