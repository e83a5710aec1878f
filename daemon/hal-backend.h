/* SPDX-License-Identifier: MIT */
/*
 * The backends' side of the HAL. Only hal.c and the backends (and their
 * tests) include this: everything else sees struct hal as opaque.
 */
#ifndef CHAIRD_HAL_BACKEND_H
#define CHAIRD_HAL_BACKEND_H

#include "hal.h"

struct hal_ops {
	const char *name;
	/** Drives the outputs. Negative if any line could not be driven. */
	int (*set_outputs)(struct hal *h, const struct chair_outputs *c);
	/** Reads inputs and temperatures at chair time @p now. Negative if
	 * any line could not be read. */
	int (*read_inputs)(struct hal *h, uint64_t now, struct chair_inputs *ret);
	/** Drives every output inactive, whatever else happens. Negative if
	 * any line could not be driven. */
	int (*safe_state)(struct hal *h);
	/** Advances simulated time; NULL for real hardware. */
	void (*advance)(struct hal *h, uint64_t dt_usec, const struct chair_outputs *c);
	/** Adds the backend's event sources (edges, sensor timers); may be NULL. */
	int (*attach)(struct hal *h, sd_event *e, int64_t priority);
	void (*free)(struct hal *h);
};

struct hal {
	const struct hal_ops *ops;
	struct chair_hw hw;
	void *data;
	hal_edge_fn edge;
	hal_fail_fn fail;
	void *userdata;
	/* CLOCK_MONOTONIC time at which the outputs last became all safe; for
	 * the latency figures. */
	uint64_t safe_at_usec;
	/* CLOCK_MONOTONIC time of the last change of the outputs. */
	uint64_t set_at_usec;
	struct chair_outputs current;
	/* A chip stopped being watched (its events failed): never trusted again
	 * in this run. */
	bool failed;
	/* Chair time = CLOCK_MONOTONIC - clock_offset (real hardware runs at
	 * real time). */
	uint64_t clock_offset;
};

/* CLOCK_MONOTONIC in microseconds. */
uint64_t hal_mono_usec(void);

#endif
