/* SPDX-License-Identifier: MIT */
/**
 * @file consult.h
 * @brief The consultation: from a person's answers to a recommended program,
 *        the Start options that go with it, and the reasons.
 *
 * It asks what a massage therapist asks before a massage: where it hurts,
 * how it feels, what the person wants, how much time there is, the pressure
 * they like, their conditions, and the red flags that call for a doctor
 * first. Every reason is a sentence a person can read, and names the answer
 * that decided it. docs/consultation.md lists every question and rule, and
 * where each comes from in massage practice.
 *
 * Pure: no I/O, no logging, no global state. A recommendation always passes
 * chair_options_check() for its program, so Start accepts it unchanged.
 */
#ifndef CHAIR_CONSULT_H
#define CHAIR_CONSULT_H

#include <stdbool.h>
#include <stdint.h>

#include "chair-names.h"
#include "history.h"
#include "hw.h"
#include "policy.h"
#include "program.h"

/** The shortest time a person can offer: the shortest session. */
#define CHAIR_ANSWER_MIN_MINUTES 5

/** The D-Bus type of an answer's value. */
enum chair_answer_type {
	CHAIR_ANSWER_STRING = 1,  /**< s */
	CHAIR_ANSWER_STRINGS = 2, /**< as */
	CHAIR_ANSWER_UINT = 3,    /**< u */
};

/**
 * What the chair remembers of the person: their profile and its history.
 * It fills in what the answers leave open, and what was learned from the
 * history (learn.h) shows in the recommendation with its reason. Nothing
 * in it loosens a limit: the answers' and the profile's conditions and
 * avoided zones all count, and every intensity cap still applies.
 */
struct chair_memory {
	const struct chair_profile *profile;
	const struct chair_session_record *history; /**< newest first */
	size_t n_history;
	uint64_t now_usec; /**< wall clock, µs since the epoch */
};

/** The person's answers. Every one is optional. */
struct chair_answers {
	uint32_t zones_back;   /**< where it hurts: bit per enum chair_zone */
	uint32_t zones_air;    /**< where it hurts: bit per enum chair_air_zone */
	int8_t back_order[CHAIR_ZONE_COUNT]; /**< back zones in the order named */
	unsigned n_back_order;
	uint32_t feelings;     /**< bit per enum chair_feeling */
	int goal;              /**< enum chair_goal, or -1 */
	int pressure;          /**< enum chair_pressure, or -1 */
	unsigned minutes;      /**< the time there is; 0: not given */
	uint32_t conditions;   /**< bit per enum chair_condition */
	uint32_t red_flags;    /**< bit per enum chair_red_flag */
	char profile[CHAIR_PROFILE_NAME_MAX + 1]; /**< "" when not given */
	/** The profile named, read by the caller; NULL for a guest. */
	const struct chair_memory *memory;
};

void chair_answers_init(struct chair_answers *a);

/** "zones, feelings, goal, minutes, pressure, conditions, red_flags, profile" */
const char *chair_answer_key_list(void);

/**
 * The type of @p key's value (enum chair_answer_type), or -EINVAL for an
 * unknown key, with @p ret_msg naming the key and the keys there are.
 */
int chair_answer_key_type(const char *key, char **ret_msg);

/**
 * Records one string answer: the value of an `s` key, or one element of an
 * `as` key. Returns 0, -EINVAL (unknown key, a key of another type, or an
 * unknown value; @p ret_msg says which key and what it accepts), or
 * -ENOMEM. Leaves @p a untouched on failure.
 */
int chair_answers_add(struct chair_answers *a, const char *key, const char *value,
		      char **ret_msg);

/** Records a number answer (minutes). Errors as chair_answers_add(). */
int chair_answers_set_uint(struct chair_answers *a, const char *key, uint64_t value,
			   char **ret_msg);

struct chair_recommendation {
	char *program;         /**< the program id; "" when a red flag stops it */
	struct chair_options options; /**< every field set; heat is never -1 */
	char **reasons;        /**< NULL-terminated; free with chair_strv_free() */
	unsigned passed_over;  /**< better-fitting programs absent or ruled out here */
};

/**
 * The consultation. Chooses among the programs of @p ps for the chair
 * @p hw. On success fills @p ret (the caller frees it with
 * chair_recommendation_done()) and returns 0. Returns -EINVAL when the
 * answers contradict each other or lack what a rule needs (swelling with
 * no zone that says where), -ENOENT when no installed program suits them,
 * each with @p ret_msg set; or -ENOMEM.
 */
int chair_consult(const struct chair_answers *a, const struct chair_programs *ps,
		  const struct chair_hw *hw, struct chair_recommendation *ret, char **ret_msg);

void chair_recommendation_done(struct chair_recommendation *r);

#endif
