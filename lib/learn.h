/* SPDX-License-Identifier: MIT */
/**
 * @file learn.h
 * @brief What the chair learned from a person's history, and why.
 *
 * Pure: no I/O and no clock; the caller passes the history and the time.
 * Every rule only tightens or repeats what the person did: nothing learned
 * removes a condition or an avoided zone, and nothing raises the intensity
 * past what the person chose last.
 */
#ifndef CHAIR_LEARN_H
#define CHAIR_LEARN_H

#include <stddef.h>
#include <stdint.h>

#include "history.h"

/** How many sessions, newest first, the rules look at (more are ignored). */
#define CHAIR_LEARN_SESSIONS 20

/** Deep work this recent makes the next session gentler. */
#define CHAIR_LEARN_SORE_USEC (UINT64_C(24) * 3600 * 1000000)

/** Intensity feedback that adds up to this, across sessions, moves the default. */
#define CHAIR_LEARN_REPEAT 2

/** Set in chair_learn_apply()'s flags: deep work in the last day, so a
 * recommendation should also choose a gentle program. */
#define CHAIR_LEARN_GENTLER (1u << 0)

/** True if @p rec was deep work: the deep-tissue or trigger-point program,
 * or intensity 5 at any moment, for at least two minutes. */
bool chair_learn_was_deep(const struct chair_session_record *rec);

/**
 * Applies what was learned from @p history (the profile's sessions, newest
 * first, @p n of them) to @p o, which holds the options so far (the caller's,
 * filled from the profile). Options the caller gave itself (@p given,
 * CHAIR_OPT_* bits) are left alone. The rules:
 *
 *  - a back zone that hurt in the newest session joins avoid;
 *  - intensity feedback: each too-strong counts -1 and each too-soft +1,
 *    oldest session first; whenever the sum reaches ±CHAIR_LEARN_REPEAT the
 *    level moves one step and the sum starts again. A step up never goes past
 *    the highest intensity of the newest session;
 *  - the last more-here zone becomes the focus, unless it is avoided;
 *  - deep work that ended less than a day before @p now_usec lowers the
 *    intensity one more step and sets CHAIR_LEARN_GENTLER.
 *
 * @p ret_reasons gets one sentence per change, NULL-terminated (free with
 * chair_strv_free()); @p ret_flags gets CHAIR_LEARN_* bits. Either may be
 * NULL. Returns the number of reasons, or -ENOMEM (then @p o is untouched).
 */
int chair_learn_apply(const struct chair_session_record *history, size_t n, uint64_t now_usec,
		      uint32_t given, struct chair_options *o, unsigned *ret_flags,
		      char ***ret_reasons);

#endif
