/* SPDX-License-Identifier: MIT */
/*
 * The closed loop used by the tests: engine -> motion -> safety -> simulated
 * physics, on a fake clock. It checks the safety invariants on every tick.
 */
#ifndef CHAIR_TEST_HARNESS_H
#define CHAIR_TEST_HARNESS_H

#include "engine.h"
#include "motion.h"
#include "program.h"
#include "safety.h"
#include "sim.h"

#define HARNESS_TICK_USEC (UINT64_C(10) * 1000)

struct harness {
	struct chair_hw hw;
	struct chair_body body;
	struct chair_sim *sim;
	struct chair_motion *motion;
	struct chair_safety *safety;
	struct chair_engine *engine;
	struct chair_outputs cmd;
	struct chair_inputs in;
	struct chair_targets targets;
	struct chair_request req;
	uint64_t now;
	unsigned events;      /* events of the last tick */
	unsigned all_events;  /* every event since start */
	uint64_t last_on[CHAIR_OUTPUT_COUNT];
	uint32_t driven;      /* every output ever on, a bit each */
	char violation[256];  /* the first invariant broken, or "" */
};

void harness_init(struct harness *h, const struct chair_hw *hw);
void harness_free(struct harness *h);
/* Starts a session; returns the engine's error. */
int harness_start(struct harness *h, struct chair_program *p, const struct chair_options *o);
/* Runs one tick. Ends the session (frees the engine) when it finishes. */
void harness_tick(struct harness *h);
/* Runs until the engine finishes or @p max_usec passes. */
void harness_run(struct harness *h, uint64_t max_usec);
/* Parses a program from text; fails the test on error. */
struct chair_program *harness_program(const char *text);
/* Loads a built-in program by id from the source tree. */
struct chair_program *harness_builtin(const char *id);

#endif
