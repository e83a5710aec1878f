/* SPDX-License-Identifier: MIT */
/**
 * @file safety.h
 * @brief The safety core: the only path from a request to the outputs.
 *
 * It is pure logic, and implements rules 1-9 of the design: the e-stop
 * latch, opposing outputs with a dead time, limit switches, stall and motor
 * timeouts, closed-loop heaters with sensor and over-temperature faults, the
 * session cap, the seat, and the pump/valve interlock with an inflation cap.
 */
#ifndef CHAIR_SAFETY_H
#define CHAIR_SAFETY_H

#include <stdbool.h>
#include <stdint.h>

#include "hw.h"
#include "io.h"

#define CHAIR_SAFETY_DEAD_TIME_USEC (UINT64_C(100) * 1000)
#define CHAIR_SAFETY_STALL_USEC (UINT64_C(2) * 1000000)
#define CHAIR_SAFETY_MOTOR_TIMEOUT_USEC (UINT64_C(30) * 1000000)
#define CHAIR_SAFETY_SEAT_GRACE_USEC (UINT64_C(30) * 1000000)
#define CHAIR_SAFETY_INFLATE_CAP_USEC (UINT64_C(20) * 1000000)
#define CHAIR_SAFETY_VENT_MIN_USEC (UINT64_C(5) * 1000000)
#define CHAIR_SAFETY_TEMP_STALE_USEC (UINT64_C(2) * 1000000)
#define CHAIR_SAFETY_TEMP_MIN_C (-20.0)
#define CHAIR_SAFETY_TEMP_MAX_C 120.0
#define CHAIR_SAFETY_HYSTERESIS_C 0.5
/* A heater that is off and still warms by this much is a welded relay. */
#define CHAIR_SAFETY_WELD_RISE_C 2.0
#define CHAIR_SAFETY_WELD_GRACE_USEC (UINT64_C(15) * 1000000)
/* A motor or valve that was off for less than this has not finished its
 * run: its stall, timeout and inflation clocks keep counting. */
#define CHAIR_SAFETY_MOTOR_REST_USEC (UINT64_C(1) * 1000000)
#define CHAIR_SAFETY_VALVE_REST_USEC (UINT64_C(2) * 1000000)
/* With chair_safety_set_max_gap(): the longest the loop may leave an output
 * on without looking at it. */
#define CHAIR_SAFETY_MAX_GAP_USEC (UINT64_C(1) * 1000000)

/** Events chair_safety_apply() reports, as bits. */
enum {
	CHAIR_SAFETY_EV_ESTOP = 1 << 0,         /**< the e-stop latched */
	CHAIR_SAFETY_EV_FAULT = 1 << 1,         /**< a new fault latched */
	CHAIR_SAFETY_EV_SEAT_EMPTY = 1 << 2,    /**< the seat emptied in a session */
	CHAIR_SAFETY_EV_SEAT_RETURNED = 1 << 3, /**< someone sat down again */
	CHAIR_SAFETY_EV_SEAT_TIMEOUT = 1 << 4,  /**< empty for the grace time */
	CHAIR_SAFETY_EV_CAP = 1 << 5,           /**< the session reached the cap */
};

struct chair_safety;

/**
 * A command for the outputs. Its body is private to the safety core: only
 * chair_safety_apply() makes one, so nothing else can put an output on.
 */
struct chair_command;

/** The outputs a command drives. */
const struct chair_outputs *chair_command_outputs(const struct chair_command *c);

int chair_safety_new(const struct chair_hw *hw, struct chair_safety **ret);
struct chair_safety *chair_safety_free(struct chair_safety *s);

/**
 * Latches a fault the caller found outside the safety core (a GPIO line
 * that could not be read or driven). Every output stays off until Reset().
 */
void chair_safety_latch_fault(struct chair_safety *s, enum chair_fault f);

/** EmergencyStop(): latches at once. The caller then applies. */
void chair_safety_emergency_stop(struct chair_safety *s);

/**
 * Reset(): clears the e-stop and the faults whose cause is gone. Returns 0,
 * or -EBUSY when a cause remains; @p ret_reason then says which (static).
 */
int chair_safety_reset(struct chair_safety *s, uint64_t now, const struct chair_inputs *in,
		       const char **ret_reason);

/**
 * Filters @p req into the command to drive, returned in @p ret (valid until
 * the next call); returns CHAIR_SAFETY_EV_* bits.
 *
 * Every timing rule counts from when an output really changed, as told by
 * chair_safety_written(), and a time stamp later than @p now (an encoder
 * pulse, a temperature) never makes anything look old.
 */
unsigned chair_safety_apply(struct chair_safety *s, uint64_t now, const struct chair_inputs *in,
			    const struct chair_request *req, const struct chair_command **ret);

/**
 * Tells the safety core that the last command was driven (@p ok) at @p when,
 * or that the write failed, in which case every output it turned on or left
 * on counts as on. Must follow every chair_safety_apply().
 */
void chair_safety_written(struct chair_safety *s, uint64_t when, bool ok);

/**
 * For a simulated chair, where every write takes: chair_safety_apply(), the
 * command's outputs copied to @p ret, and chair_safety_written() at @p now.
 */
unsigned chair_safety_step(struct chair_safety *s, uint64_t now, const struct chair_inputs *in,
			   const struct chair_request *req, struct chair_outputs *ret);

/**
 * On real time: a loop that left an output on for more than @p usec without
 * an iteration latches CHAIR_FAULT_LOOP_STALLED. 0 (the default) is for
 * simulated time, where the loop is never late.
 */
void chair_safety_set_max_gap(struct chair_safety *s, uint64_t usec);

bool chair_safety_estopped(const struct chair_safety *s);
/** Latched faults, a bit per enum chair_fault. */
uint32_t chair_safety_faults(const struct chair_safety *s);
/** True while a fault or the e-stop holds every output off. */
bool chair_safety_latched(const struct chair_safety *s);
/** Session time counted toward the cap. */
uint64_t chair_safety_session_usec(const struct chair_safety *s);
/** Starts a new session's cap count. */
void chair_safety_session_begin(struct chair_safety *s);

#endif
