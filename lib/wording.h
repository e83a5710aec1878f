/* SPDX-License-Identifier: MIT */
/**
 * @file wording.h
 * @brief What the clients say to a person: the sentences and human names for
 *        faults, finish reasons, states, phases, techniques, zones and
 *        conditions, and a "did you mean" for names typed by hand.
 *
 * The names in chair-names.h are the interface; these are the words a person
 * reads. chairctl and the panel take them from here, so both say the same
 * thing. Plain C with no dependencies, so that any client can use it.
 *
 * The *_name() variants take the name as it comes over D-Bus and return NULL
 * for a name they do not know (a newer daemon may send one).
 */
#ifndef CHAIR_WORDING_H
#define CHAIR_WORDING_H

#include <stddef.h>

#include "chair-names.h"

/** A sentence that says what went wrong, e.g. "The massage roller got stuck…". */
const char *chair_wording_fault(enum chair_fault f);
const char *chair_wording_fault_name(const char *name);

/** A sentence that says how the session ended, e.g. "The session is complete.". */
const char *chair_wording_finish(enum chair_finish_reason r);
const char *chair_wording_finish_name(const char *name);

/** A sentence that says what the chair is doing, e.g. "The chair is ready.". */
const char *chair_wording_state(enum chair_state s);
const char *chair_wording_state_name(const char *name);

/** A phase of a program: "Warm-up", "Main part", "Closing". */
const char *chair_wording_phase(enum chair_phase p);
const char *chair_wording_phase_name(const char *name);

/** A technique as a person says it, e.g. "Long gliding strokes". */
const char *chair_wording_technique(enum chair_technique t);
const char *chair_wording_technique_name(const char *name);

/** A back zone's label, e.g. "Upper back". */
const char *chair_wording_zone(enum chair_zone z);
/** A back zone in a sentence, e.g. "your upper back". */
const char *chair_wording_zone_phrase(enum chair_zone z);
/** True when the zone's phrase takes a plural verb ("your shoulders are"). */
bool chair_wording_zone_plural(enum chair_zone z);
/** An air zone's label, e.g. "Calves". */
const char *chair_wording_air_zone(enum chair_air_zone z);
/** A back or air zone's label; back zones first, as in the Avoid property. */
const char *chair_wording_any_zone_name(const char *name);

/** A condition's label, e.g. "Nerve pain". */
const char *chair_wording_condition(enum chair_condition c);
const char *chair_wording_condition_name(const char *name);

/** Why a session is paused, from the PauseReason property ("requested",
 *  "seat-empty"): a sentence, or NULL for an unknown reason. */
const char *chair_wording_pause_reason_name(const char *name);

/**
 * The name in @p names[0..n) that @p word most likely meant: a name that
 * matches it ignoring case, or one a typing slip or two away. Returns NULL
 * when nothing is close enough to suggest.
 */
const char *chair_suggest(const char *word, const char *const *names, size_t n);

#endif
