/* SPDX-License-Identifier: MIT */
/**
 * @file store.h
 * @brief Profiles and session history, kept in SQLite in the state directory.
 *
 * The store never stops the chair from working: a file that is damaged is
 * moved aside and a new one started; a directory that cannot be written
 * gives a store in memory. Every write is one small transaction, made
 * durable (fsync) before the call returns, except session events, which are
 * durable against a crash of chaird at once and against a power cut at the
 * latest when the session ends. Call it outside the control step: after the
 * outputs are driven, never between reading inputs and driving outputs.
 *
 * Functions return 0 (or a count) or a negative errno. After a failure,
 * store_error() gives a sentence to log.
 */
#ifndef CHAIRD_STORE_H
#define CHAIRD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "history.h"

/** The file name inside the state directory. */
#define STORE_FILE "chaird.db"
/** The schema version this chaird writes (PRAGMA user_version). */
#define STORE_SCHEMA_VERSION 1

struct store;

/**
 * Opens (or creates) @p dir/chaird.db; a NULL @p dir gives a store in memory.
 * Always gives a store unless memory runs out (-ENOMEM): when the file is
 * damaged it is moved aside to chaird.db.corrupt-<UTC time> and a new one
 * is started; when the directory cannot be created or written, or the file
 * is locked or from a newer chaird, the store works in memory only.
 * @p ret_msg gets NULL when all is well, else a sentence saying what
 * happened, for the caller to log (freed by the caller).
 */
int store_open(const char *dir, struct store **ret, char **ret_msg);
/** Closes the store. NULL is a no-op. Returns NULL. */
struct store *store_free(struct store *s);
/** False when nothing will be remembered after chaird stops. */
bool store_persistent(const struct store *s);
/** The file, or NULL in memory. */
const char *store_path(const struct store *s);
/** A sentence about the last failed call ("" if none). */
const char *store_error(const struct store *s);

/**
 * Saves a profile, replacing the one with the same name (names compare
 * without case). Its updated_usec is the wall clock now if 0.
 * -EINVAL for an invalid name (see chair_profile_name_valid()).
 */
int store_profile_save(struct store *s, const struct chair_profile *p);
/** -ENOENT if there is none. */
int store_profile_get(struct store *s, const char *name, struct chair_profile *ret);
/** Every profile, sorted by name; free the array with free(). Returns how many. */
int store_profile_list(struct store *s, struct chair_profile **ret, size_t *ret_n);
/** Deletes a profile and the history of its sessions. -ENOENT if there is none. */
int store_profile_delete(struct store *s, const char *name);

/**
 * Records that a session started: program, profile ("" for a guest),
 * options and start_usec of @p rec (its id, length, finish and events are
 * ignored). @p ret_id gets the id for the calls below.
 */
int store_session_begin(struct store *s, const struct chair_session_record *rec, int64_t *ret_id);
/** Adds a feedback or live change to session @p id. -ENOENT for no such session. */
int store_session_event(struct store *s, int64_t id, const struct chair_event *e);
/** Records how session @p id ended. -ENOENT if there is none, or it already ended. */
int store_session_end(struct store *s, int64_t id, uint64_t length_usec,
		      enum chair_finish_reason why);

/**
 * The sessions of @p profile (NULL: everyone's, "": guests'), newest first,
 * at most @p limit (0: all), each with its events. Free with
 * chair_session_records_free(). Returns how many.
 */
int store_history(struct store *s, const char *profile, unsigned limit,
		  struct chair_session_record **ret, size_t *ret_n);

#endif
