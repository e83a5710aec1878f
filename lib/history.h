/* SPDX-License-Identifier: MIT */
/**
 * @file history.h
 * @brief Profiles and the history of sessions, as plain C structs.
 *
 * The daemon keeps them (daemon/store.c) and the learning rules read them
 * (learn.h). Names here are the ones the store writes and D-Bus shows;
 * enums are for C only and never reach the disk.
 */
#ifndef CHAIR_HISTORY_H
#define CHAIR_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

#define CHAIR_PROFILE_NAME_MAX 32
#define CHAIR_PROGRAM_ID_MAX 64

/**
 * A profile: a person's usual settings. Fields that are "not set" let the
 * caller's own options, or the program's defaults, decide.
 */
struct chair_profile {
	char name[CHAIR_PROFILE_NAME_MAX + 1];
	char program[CHAIR_PROGRAM_ID_MAX + 1]; /**< "" when not set */
	unsigned shoulder_mm;                   /**< from the last body scan; 0: not known */
	/** The Start options; intensity 0, focus -1, heat -1 and duration 0 are "not set". */
	struct chair_options options;
	uint64_t updated_usec; /**< wall clock (µs since the epoch) of the last save */
};

/** Everything not set, and an empty name. */
void chair_profile_init(struct chair_profile *p);

/**
 * True if @p name is a valid profile name: 1-32 letters, digits, spaces,
 * '-' or '_' (ASCII), not starting or ending with a space.
 */
bool chair_profile_name_valid(const char *name);

/** What the person said or changed during a session. */
enum chair_event_kind {
	CHAIR_EVENT_HURTS_HERE, /**< feedback; zone is the back zone */
	CHAIR_EVENT_MORE_HERE,  /**< feedback; zone is the back zone */
	CHAIR_EVENT_TOO_STRONG, /**< feedback; value is the intensity after */
	CHAIR_EVENT_TOO_SOFT,   /**< feedback; value is the intensity after */
	CHAIR_EVENT_INTENSITY,  /**< live SetIntensity; value is the new intensity */
	CHAIR_EVENT_HEAT,       /**< live SetHeat; value is the new level */
	CHAIR_EVENT_PAUSE,
	CHAIR_EVENT_RESUME,
	CHAIR_EVENT_KIND_COUNT
};

/** "hurts-here", "more-here", "too-strong", "too-soft", "intensity", "heat", "pause", "resume". */
const char *chair_event_kind_to_string(enum chair_event_kind k);
int chair_event_kind_from_string(const char *s);

struct chair_event {
	enum chair_event_kind kind;
	int zone;         /**< enum chair_zone, or -1 */
	int value;        /**< intensity or heat after the change; 0 otherwise */
	uint64_t t_usec;  /**< session time (elapsed) when it happened */
};

/** One session, as history keeps it. */
struct chair_session_record {
	int64_t id;                             /**< the store's id, > 0 */
	char program[CHAIR_PROGRAM_ID_MAX + 1];
	char profile[CHAIR_PROFILE_NAME_MAX + 1]; /**< "" for a guest */
	struct chair_options options;           /**< what the session started with */
	uint64_t start_usec;                    /**< wall clock, µs since the epoch */
	uint64_t length_usec;                   /**< how long it ran */
	/** enum chair_finish_reason, or -1: it never ended (the power went, or
	 * chaird was killed), and length_usec is up to the last event. */
	int finish;
	struct chair_event *events;             /**< oldest first */
	size_t n_events;
};

/** Frees the events of each record, then the array. NULL is a no-op. */
void chair_session_records_free(struct chair_session_record *v, size_t n);

/* Start option keys, a bit each: which ones a caller gave itself. */
#define CHAIR_OPT_DURATION   (UINT32_C(1) << 0)
#define CHAIR_OPT_INTENSITY  (UINT32_C(1) << 1)
#define CHAIR_OPT_FOCUS      (UINT32_C(1) << 2)
#define CHAIR_OPT_AVOID      (UINT32_C(1) << 3)
#define CHAIR_OPT_HEAT       (UINT32_C(1) << 4)
#define CHAIR_OPT_CONDITIONS (UINT32_C(1) << 5)

/**
 * Fills what the caller did not give (@p given, CHAIR_OPT_* bits) from the
 * profile's set fields. Conditions and avoided zones of the profile are
 * always added, never dropped: a limit the person saved stays until they
 * remove it from the profile.
 */
void chair_profile_fill(const struct chair_profile *p, uint32_t given, struct chair_options *o);

#endif
