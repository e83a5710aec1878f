/* SPDX-License-Identifier: MIT */
/* The trace: one JSON line per output change or state change. */
#ifndef CHAIRD_TRACE_H
#define CHAIRD_TRACE_H

#include <stdint.h>
#include <stdio.h>

#include "chair-names.h"
#include "hw.h"
#include "io.h"

void trace_write(FILE *f, uint64_t t_usec, enum chair_state state, int step, int zone,
		 double position_mm, unsigned depth, const struct chair_command *c,
		 const struct chair_hw *hw, const struct chair_temp temps[CHAIR_HEATER_COUNT]);

#endif
