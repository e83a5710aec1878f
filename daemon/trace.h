/* SPDX-License-Identifier: MIT */
/* The trace: one JSON line per output change or state change. */
#ifndef CHAIRD_TRACE_H
#define CHAIRD_TRACE_H

#include <stdint.h>
#include <stdio.h>

#include "chair-names.h"
#include "hw.h"
#include "io.h"

struct trace_timing {
	uint64_t mono_usec; /* CLOCK_MONOTONIC when the HAL drove these outputs */
	uint64_t late_usec; /* how late the control iteration ran */
	uint64_t edge_usec; /* CLOCK_MONOTONIC of the input edge behind it, or 0 */
	const char *event;  /* what the person said ("feedback": "hurts-here"), or NULL */
};

void trace_write(FILE *f, uint64_t t_usec, enum chair_state state, int step, int zone,
		 double position_mm, unsigned depth, const struct chair_outputs *c,
		 const struct chair_hw *hw, const struct chair_temp temps[CHAIR_HEATER_COUNT],
		 const struct trace_timing *timing);

#endif
