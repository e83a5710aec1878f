/* SPDX-License-Identifier: MIT */
/**
 * @file policy.h
 * @brief What a person's conditions and avoided zones allow in a session.
 *
 * Every rule that turns session options into limits lives here: the option
 * checks Start() runs, the zones and airbags kept free of pressure, the
 * heaters kept off, the depth cap, and how a program's step is adapted.
 * The engine and the motion controller apply the result; nothing else
 * decides it.
 */
#ifndef CHAIR_POLICY_H
#define CHAIR_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "body.h"
#include "chair-names.h"
#include "hw.h"
#include "program.h"

/** Session options, as D-Bus Start() and chairctl take them. */
struct chair_options {
	uint64_t duration_usec; /**< 0: the program's default */
	unsigned intensity;     /**< 1-5 */
	int focus;              /**< enum chair_zone, or -1 */
	uint32_t avoid_back;    /**< bit per enum chair_zone */
	uint32_t avoid_air;     /**< bit per enum chair_air_zone */
	int heat;               /**< 0-3, or -1: the program's suggestion */
	uint32_t conditions;    /**< bit per enum chair_condition */
};

void chair_options_init(struct chair_options *o);

enum chair_check {
	CHAIR_CHECK_OK = 0,
	CHAIR_CHECK_INVALID,         /**< a bad option: InvalidArgs */
	CHAIR_CHECK_CONTRAINDICATED, /**< a condition rules the program out */
};

/**
 * Checks options against a program and the chair. Returns a chair_check
 * value; on failure @p ret_msg gets a sentence a person can act on (freed by
 * the caller). Returns -ENOMEM on allocation failure.
 */
int chair_options_check(const struct chair_program *p, const struct chair_options *o,
			const struct chair_hw *hw, char **ret_msg);

#define CHAIR_GUARD_MAX CHAIR_ZONE_COUNT

/** Intervals of the track where no pressure may be applied. */
struct chair_guard {
	double lo[CHAIR_GUARD_MAX];
	double hi[CHAIR_GUARD_MAX];
	unsigned n;
	uint32_t air_blocked; /**< air zones that never inflate */
};

/** True if @p pos_mm lies within @p margin_mm of a guarded interval. */
bool chair_guard_contains(const struct chair_guard *g, double pos_mm, double margin_mm);

/** The limits a session's options set. */
struct chair_policy {
	unsigned depth_cap;     /**< 0-4: the chair's, and the conditions' */
	bool no_percussion;     /**< tapotement becomes gentle kneading */
	bool short_strokes;     /**< long glides become short rolls */
	uint32_t avoid_back;    /**< back zones with no pressure, bit per enum chair_zone */
	uint32_t air_blocked;   /**< airbags that never inflate, bit per enum chair_air_zone */
	uint32_t heat_blocked;  /**< heaters that stay off, bit per enum chair_heater */
};

/** The limits for options that passed chair_options_check(), on @p hw. */
void chair_policy_init(struct chair_policy *p, const struct chair_options *o,
		       const struct chair_hw *hw);

/** The intervals of the track, on @p body, where no pressure may be applied. */
void chair_policy_guard(const struct chair_policy *p, const struct chair_body *body,
			struct chair_guard *ret);

/**
 * Adapts a program's step to the policy and the chair: percussion and long
 * strokes replaced, blocked or absent airbags removed, a technique the
 * chair lacks replaced by the nearest one it has, the depth capped.
 * Returns false when nothing of the step is left to do (it is skipped; the
 * session still ends on time).
 */
bool chair_policy_adapt_step(const struct chair_policy *p, const struct chair_hw *hw,
			     struct chair_step *st);

/** The techniques this chair can do as written, bit per enum chair_technique. */
uint32_t chair_policy_techniques(const struct chair_hw *hw);

/**
 * What program @p prog loses on chair @p hw: a sentence per step that is
 * skipped, replaced or capped, NULL-terminated in @p ret (free with
 * chair_strv_free()). Returns how many, or -ENOMEM.
 */
int chair_policy_losses(const struct chair_program *prog, const struct chair_hw *hw,
			char ***ret);

/**
 * A sentence for each thing the session changes from what was asked, and
 * why ("Heat is off: no heat during pregnancy."), NULL-terminated in @p ret.
 * Returns how many, or -ENOMEM.
 */
int chair_policy_adjustments(const struct chair_program *prog, const struct chair_options *o,
			     const struct chair_hw *hw, char ***ret);

/**
 * The advice after a session, a sentence each, from massage practice:
 * adjusted to the program, the conditions, the avoided zones and how the
 * session ended. Returns how many, or -ENOMEM.
 */
int chair_policy_aftercare(const struct chair_program *prog, const struct chair_options *o,
			   enum chair_finish_reason why, char ***ret);

#endif
