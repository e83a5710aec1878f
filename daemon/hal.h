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
	/** Drives the outputs. Only the safety core's command gets here. */
	int (*set_outputs)(struct hal *h, const struct chair_command *c);
	/** Reads inputs and temperatures at chair time @p now. */
	int (*read_inputs)(struct hal *h, uint64_t now, struct chair_inputs *ret);
	/** Drives every output inactive, whatever else happens. */
	int (*safe_state)(struct hal *h);
	/** Advances simulated time; NULL for real hardware. */
	void (*advance)(struct hal *h, uint64_t dt_usec, const struct chair_command *c);
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
};

int hal_set_outputs(struct hal *h, const struct chair_command *c);
int hal_safe_state(struct hal *h);
void hal_free(struct hal *h);

/* The sim backend. */
struct chair_sim;
int hal_sim_new(const struct chair_hw *hw, struct hal **ret);
struct chair_sim *hal_sim_chair(struct hal *h);

#endif
