// SPDX-License-Identifier: MIT
/*
 * The store: SQLite in WAL mode. Why these settings:
 *
 *  - WAL: a commit appends to chaird.db-wal and never rewrites the database
 *    in place, so a power cut in the middle leaves the last good state, and
 *    readers never wait for the writer.
 *  - synchronous=FULL for everything a person is told was saved (a profile,
 *    a deletion, a session's start and end): the WAL is fsynced before the
 *    call returns, so an acknowledged write survives a power cut, which for
 *    a chair unplugged at the wall is the normal way to switch off.
 *  - synchronous=NORMAL for session events only: no fsync, so the write is a
 *    few tens of microseconds and a Feedback() never waits for the disk. They
 *    survive a crash of chaird at once (they are in the kernel), and a power
 *    cut once the next FULL commit (the session's end) syncs the WAL.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "chair-names.h"
#include "macro.h"
#include "store.h"

/* 'CHAI': marks the file as chaird's (PRAGMA application_id). */
#define STORE_APPLICATION_ID 0x43484149

/* The WAL is folded back into the database only after a durable write
 * (never after a session event), once it has this many pages. */
#define STORE_CHECKPOINT_PAGES 256

struct store {
	sqlite3 *db;
	char *path; /* NULL in memory */
	int wal_pages;
	bool full; /* the write under way is durable against a power cut */
	char error[320];
};

/* Each entry takes the schema from version i to i + 1, in one transaction. */
static const char *const migrations[STORE_SCHEMA_VERSION] = {
	"CREATE TABLE profiles ("
	"  name TEXT PRIMARY KEY NOT NULL COLLATE NOCASE,"
	"  program TEXT NOT NULL DEFAULT '',"
	"  shoulder_mm INTEGER NOT NULL DEFAULT 0,"
	"  duration_usec INTEGER NOT NULL DEFAULT 0,"
	"  intensity INTEGER NOT NULL DEFAULT 0,"
	"  focus TEXT NOT NULL DEFAULT '',"
	"  avoid_back TEXT NOT NULL DEFAULT '',"
	"  avoid_air TEXT NOT NULL DEFAULT '',"
	"  heat INTEGER NOT NULL DEFAULT -1,"
	"  conditions TEXT NOT NULL DEFAULT '',"
	"  updated_usec INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE sessions ("
	"  id INTEGER PRIMARY KEY,"
	"  program TEXT NOT NULL,"
	"  profile TEXT NOT NULL DEFAULT '' COLLATE NOCASE,"
	"  duration_usec INTEGER NOT NULL DEFAULT 0,"
	"  intensity INTEGER NOT NULL DEFAULT 0,"
	"  focus TEXT NOT NULL DEFAULT '',"
	"  avoid_back TEXT NOT NULL DEFAULT '',"
	"  avoid_air TEXT NOT NULL DEFAULT '',"
	"  heat INTEGER NOT NULL DEFAULT -1,"
	"  conditions TEXT NOT NULL DEFAULT '',"
	"  start_usec INTEGER NOT NULL,"
	"  length_usec INTEGER,"          /* NULL until it ends */
	"  finish TEXT);"                 /* NULL until it ends */
	"CREATE INDEX sessions_by_profile ON sessions (profile, start_usec);"
	"CREATE TABLE events ("
	"  session INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,"
	"  t_usec INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  zone TEXT NOT NULL DEFAULT '',"
	"  value INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX events_by_session ON events (session);",
};

#define OPTION_COLUMNS "duration_usec, intensity, focus, avoid_back, avoid_air, heat, conditions"
#define N_OPTION_COLUMNS 7

_printf_(2, 3) static void set_error(struct store *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->error, sizeof(s->error), fmt, ap);
	va_end(ap);
}

static int errno_from_sqlite(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return 0;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_CONSTRAINT:
		return -EINVAL;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	default:
		return -EIO;
	}
}

/* Records a failed SQLite call; returns its negative errno. */
static int fail(struct store *s, int rc, const char *what)
{
	set_error(s, "Could not %s in the store: %s.", what, sqlite3_errmsg(s->db));
	return errno_from_sqlite(rc);
}

/* Runs each statement of @p sql; like sqlite3_exec(), but through
 * sqlite3_step(), so every step of a write is one a test can interrupt. */
static int exec_sql(sqlite3 *db, const char *sql)
{
	int rc = SQLITE_OK;

	while (rc == SQLITE_OK && sql && *sql) {
		sqlite3_stmt *st = NULL;

		rc = sqlite3_prepare_v2(db, sql, -1, &st, &sql);
		if (rc != SQLITE_OK || !st)
			break;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			;
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	return rc;
}

static int exec(struct store *s, const char *sql)
{
	return exec_sql(s->db, sql);
}

static int prepare(struct store *s, const char *sql, sqlite3_stmt **ret)
{
	return sqlite3_prepare_v2(s->db, sql, -1, ret, NULL);
}

/* One write transaction; @p full makes its commit durable against a power cut. */
static int begin_write(struct store *s, bool full)
{
	int rc = exec(s, full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");

	s->full = full;
	return rc != SQLITE_OK ? rc : exec(s, "BEGIN IMMEDIATE");
}

static int end_write(struct store *s, int rc)
{
	if (rc == SQLITE_OK || rc == SQLITE_DONE) {
		rc = exec(s, "COMMIT");
		if (rc == SQLITE_OK) {
			if (s->wal_pages >= STORE_CHECKPOINT_PAGES && sqlite3_db_readonly(s->db, NULL) == 0 &&
			    s->full) {
				sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
				s->wal_pages = 0;
			}
			return SQLITE_OK;
		}
	}
	/* Keep the error of the failed statement, not the rollback's. */
	if (!sqlite3_get_autocommit(s->db))
		exec_sql(s->db, "ROLLBACK");
	return rc;
}

/* ---- opening ---- */

/* Replaces SQLite's checkpoint after any commit: see end_write(). */
static int wal_hook(void *userdata, sqlite3 *db, const char *name, int pages)
{
	struct store *s = userdata;

	s->wal_pages = pages;
	return SQLITE_OK;
}

static int pragma_int(sqlite3 *db, const char *sql, int *ret)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*ret = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Runs PRAGMA quick_check; SQLITE_CORRUPT if it finds anything. */
static int quick_check(sqlite3 *db, char *why, size_t n)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);

		if (t && streq(t, "ok")) {
			rc = SQLITE_OK;
		} else {
			snprintf(why, n, "%s", t ? t : "no answer");
			rc = SQLITE_CORRUPT;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

static int migrate(struct store *s, int from)
{
	char sql[64];
	int rc = SQLITE_OK;

	for (int v = from; v < STORE_SCHEMA_VERSION && rc == SQLITE_OK; v++) {
		rc = begin_write(s, true);
		if (rc != SQLITE_OK)
			return rc;
		rc = exec(s, migrations[v]);
		snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", v + 1);
		if (rc == SQLITE_OK)
			rc = exec(s, sql);
		if (rc == SQLITE_OK && v == 0) {
			snprintf(sql, sizeof(sql), "PRAGMA application_id=%d", STORE_APPLICATION_ID);
			rc = exec(s, sql);
		}
		rc = end_write(s, rc);
	}
	return rc;
}

enum open_outcome {
	OPEN_OK,
	OPEN_DAMAGED, /* move it aside and start again */
	OPEN_UNUSABLE, /* work in memory, leave the file alone */
};

/* Opens and checks the file at s->path; on failure @p why says what was wrong. */
static enum open_outcome open_file(struct store *s, char *why, size_t n)
{
	int rc, version = 0, app = 0;
	sqlite3_stmt *st = NULL;

	rc = sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_busy_timeout(s->db, 0);
	if (rc == SQLITE_OK) {
		sqlite3_extended_result_codes(s->db, 1);
		sqlite3_wal_hook(s->db, wal_hook, s);
	}
	/* journal_mode=WAL reads the header: the first place garbage shows. */
	if (rc == SQLITE_OK)
		rc = prepare(s, "PRAGMA journal_mode=WAL", &st);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			const char *mode = (const char *)sqlite3_column_text(st, 0);

			rc = mode && streq(mode, "wal") ? SQLITE_OK : SQLITE_READONLY;
		}
		sqlite3_finalize(st);
	}
	if (rc == SQLITE_OK)
		rc = quick_check(s->db, why, n);
	else
		snprintf(why, n, "%s", s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
	if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB) {
		if (!*why)
			snprintf(why, n, "%s", sqlite3_errstr(rc));
		return OPEN_DAMAGED;
	}
	if (rc != SQLITE_OK)
		return OPEN_UNUSABLE;
	/* SQLite quietly opens a file it may not write read-only. */
	if (sqlite3_db_readonly(s->db, "main") != 0) {
		snprintf(why, n, "the file is read-only");
		return OPEN_UNUSABLE;
	}
	rc = pragma_int(s->db, "PRAGMA user_version", &version);
	if (rc == SQLITE_OK)
		rc = pragma_int(s->db, "PRAGMA application_id", &app);
	if (rc != SQLITE_OK) {
		snprintf(why, n, "%s", sqlite3_errmsg(s->db));
		return (rc & 0xff) == SQLITE_CORRUPT ? OPEN_DAMAGED : OPEN_UNUSABLE;
	}
	if (app != 0 && app != STORE_APPLICATION_ID) {
		snprintf(why, n, "it is not a chaird store");
		return OPEN_DAMAGED;
	}
	if (version > STORE_SCHEMA_VERSION) {
		snprintf(why, n, "it was written by a newer chaird (schema %d; this one knows up to %d)",
			 version, STORE_SCHEMA_VERSION);
		return OPEN_UNUSABLE;
	}
	rc = migrate(s, version);
	if (rc != SQLITE_OK) {
		snprintf(why, n, "%s", sqlite3_errmsg(s->db));
		return (rc & 0xff) == SQLITE_CORRUPT ? OPEN_DAMAGED : OPEN_UNUSABLE;
	}
	return OPEN_OK;
}

static void close_db(struct store *s)
{
	sqlite3_close(s->db);
	s->db = NULL;
}

/* Moves @p path and its WAL aside; @p ret gets the new name. */
static int move_aside(const char *path, char *ret, size_t n)
{
	char stamp[32], from[PATH_MAX + 8], to[PATH_MAX + 96];
	struct tm tm;
	time_t now = time(NULL);

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	for (int i = 1;; i++) {
		struct stat sb;

		if (i == 1)
			snprintf(ret, n, "%s.corrupt-%s", path, stamp);
		else
			snprintf(ret, n, "%s.corrupt-%s-%d", path, stamp, i);
		if (lstat(ret, &sb) < 0)
			break;
		if (i > 100)
			return -EEXIST;
	}
	if (rename(path, ret) < 0)
		return -errno;
	/* A WAL left behind would be replayed into the new store. */
	snprintf(from, sizeof(from), "%s-wal", path);
	snprintf(to, sizeof(to), "%s-wal", ret);
	if (rename(from, to) < 0 && errno != ENOENT)
		return -errno;
	snprintf(from, sizeof(from), "%s-shm", path);
	if (unlink(from) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

static int open_memory(struct store *s)
{
	int rc;

	free(s->path);
	s->path = NULL;
	rc = sqlite3_open_v2(":memory:", &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc == SQLITE_OK)
		rc = migrate(s, 0);
	return rc == SQLITE_OK ? 0 : -ENOMEM;
}

int store_open(const char *dir, struct store **ret, char **ret_msg)
{
	char why[256] = "", aside[PATH_MAX + 80];
	char *msg = NULL;
	struct store *s;
	enum open_outcome o = OPEN_UNUSABLE;
	int r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	if (dir && !*dir) {
		snprintf(why, sizeof(why), "the state directory's name is empty");
	} else if (dir) {
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			snprintf(why, sizeof(why), "the directory cannot be created: %s", strerror(errno));
		else if (asprintf(&s->path, "%s/%s", dir, STORE_FILE) < 0)
			goto oom;
	}
	if (s->path) {
		o = open_file(s, why, sizeof(why));
		if (o == OPEN_DAMAGED) {
			close_db(s);
			r = move_aside(s->path, aside, sizeof(aside));
			if (r < 0) {
				if (asprintf(&msg, "The store %s is damaged (%s) and could not be moved aside "
					     "(%s); the chair works, but nothing will be remembered after "
					     "it stops.", s->path, why, strerror(-r)) < 0)
					goto oom;
				o = OPEN_UNUSABLE;
			} else {
				if (asprintf(&msg, "The store %s was damaged (%s); it was moved aside to %s "
					     "and a new, empty store was started.", s->path, why,
					     aside) < 0)
					goto oom;
				why[0] = '\0';
				o = open_file(s, why, sizeof(why));
				if (o != OPEN_OK) {
					free(msg);
					if (asprintf(&msg, "The store %s was damaged; it was moved aside to %s, "
						     "but a new one cannot be started (%s): the chair works, "
						     "but nothing will be remembered after it stops.", s->path,
						     aside, why) < 0) {
						msg = NULL;
						goto oom;
					}
				}
			}
		}
	}
	if (o != OPEN_OK) {
		if (s->db)
			close_db(s);
		if (!msg && asprintf(&msg, "Cannot keep profiles and history in %s (%s); the chair "
				     "works, but nothing will be remembered after it stops.",
				     dir && *dir ? dir : "a state directory",
				     dir ? why : "none was given") < 0)
			goto oom;
		if (open_memory(s) < 0)
			goto oom;
	}
	if (exec(s, "PRAGMA foreign_keys=ON") != SQLITE_OK ||
	    exec(s, "PRAGMA synchronous=FULL") != SQLITE_OK)
		goto oom;
	*ret = s;
	if (ret_msg)
		*ret_msg = msg;
	else
		free(msg);
	return 0;
oom:
	free(msg);
	store_free(s);
	return -ENOMEM;
}

struct store *store_free(struct store *s)
{
	if (!s)
		return NULL;
	sqlite3_close(s->db);
	free(s->path);
	free(s);
	return NULL;
}

bool store_persistent(const struct store *s)
{
	return s->path != NULL;
}

const char *store_path(const struct store *s)
{
	return s->path;
}

const char *store_error(const struct store *s)
{
	return s->error;
}

/* ---- options as columns: names, never enum numbers, reach the disk ---- */

static int bind_text(sqlite3_stmt *st, int i, const char *t)
{
	return sqlite3_bind_text(st, i, t, -1, SQLITE_TRANSIENT);
}

static void names_of(uint32_t mask, const char *(*name)(int), char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < 32; i++) {
		const char *t;

		if (!(mask & (UINT32_C(1) << i)) || !(t = name(i)))
			continue;
		len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%s%s", len ? " " : "", t);
	}
}

static uint32_t mask_of(const char *names, int (*lookup)(const char *))
{
	char buf[256], *save = NULL;
	uint32_t mask = 0;

	snprintf(buf, sizeof(buf), "%s", names ? names : "");
	for (char *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		int i = lookup(t);

		/* A name this chaird does not know (a newer one wrote it) is skipped. */
		if (i >= 0 && i < 32)
			mask |= UINT32_C(1) << i;
	}
	return mask;
}

static const char *zone_name(int i)
{
	return i < CHAIR_ZONE_COUNT ? chair_zone_to_string((enum chair_zone)i) : NULL;
}

static const char *air_name(int i)
{
	return i < CHAIR_AIR_COUNT ? chair_air_zone_to_string((enum chair_air_zone)i) : NULL;
}

static const char *condition_name(int i)
{
	return i < CHAIR_CONDITION_COUNT ? chair_condition_to_string((enum chair_condition)i) : NULL;
}

/* Binds the option columns at parameters @p i .. i + N_OPTION_COLUMNS - 1. */
static int bind_options(sqlite3_stmt *st, int i, const struct chair_options *o)
{
	char buf[256];
	int rc;

	rc = sqlite3_bind_int64(st, i, (sqlite3_int64)o->duration_usec);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(st, i + 1, (int)o->intensity);
	if (rc == SQLITE_OK)
		rc = bind_text(st, i + 2, o->focus >= 0 ? zone_name(o->focus) : "");
	names_of(o->avoid_back, zone_name, buf, sizeof(buf));
	if (rc == SQLITE_OK)
		rc = bind_text(st, i + 3, buf);
	names_of(o->avoid_air, air_name, buf, sizeof(buf));
	if (rc == SQLITE_OK)
		rc = bind_text(st, i + 4, buf);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(st, i + 5, o->heat);
	names_of(o->conditions, condition_name, buf, sizeof(buf));
	if (rc == SQLITE_OK)
		rc = bind_text(st, i + 6, buf);
	return rc;
}

static void column_options(sqlite3_stmt *st, int i, struct chair_options *o)
{
	const char *focus = (const char *)sqlite3_column_text(st, i + 2);
	int heat = sqlite3_column_int(st, i + 5), intensity = sqlite3_column_int(st, i + 1);
	sqlite3_int64 d = sqlite3_column_int64(st, i);

	o->duration_usec = d > 0 ? (uint64_t)d : 0;
	o->intensity = intensity > 0 && intensity <= 5 ? (unsigned)intensity : 0;
	o->focus = focus && *focus ? chair_zone_from_string(focus) : -1;
	if (o->focus < 0)
		o->focus = -1;
	o->avoid_back = mask_of((const char *)sqlite3_column_text(st, i + 3), chair_zone_from_string);
	o->avoid_air = mask_of((const char *)sqlite3_column_text(st, i + 4), chair_air_zone_from_string);
	o->heat = heat >= 0 && heat <= 3 ? heat : -1;
	o->conditions = mask_of((const char *)sqlite3_column_text(st, i + 6), chair_condition_from_string);
}

static void copy_text(char *dst, size_t n, sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);

	snprintf(dst, n, "%s", t ? t : "");
}

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}

/* ---- profiles ---- */

static int bad_name(struct store *s)
{
	set_error(s, "A profile name has 1 to %d letters, digits, spaces, '-' or '_'.",
		  CHAIR_PROFILE_NAME_MAX);
	return -EINVAL;
}

int store_profile_save(struct store *s, const struct chair_profile *p)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (!chair_profile_name_valid(p->name))
		return bad_name(s);
	rc = begin_write(s, true);
	if (rc == SQLITE_OK)
		rc = prepare(s, "INSERT INTO profiles (name, program, shoulder_mm, updated_usec, "
				OPTION_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
				"ON CONFLICT (name) DO UPDATE SET name = ?1, program = ?2, "
				"shoulder_mm = ?3, updated_usec = ?4, duration_usec = ?5, "
				"intensity = ?6, focus = ?7, avoid_back = ?8, avoid_air = ?9, "
				"heat = ?10, conditions = ?11", &st);
	if (rc == SQLITE_OK)
		rc = bind_text(st, 1, p->name);
	if (rc == SQLITE_OK)
		rc = bind_text(st, 2, p->program);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 3, p->shoulder_mm);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 4, (sqlite3_int64)(p->updated_usec ? p->updated_usec : now_usec()));
	if (rc == SQLITE_OK)
		rc = bind_options(st, 5, &p->options);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	sqlite3_finalize(st);
	rc = end_write(s, rc);
	return rc == SQLITE_OK ? 0 : fail(s, rc, "save the profile");
}

#define PROFILE_SELECT "SELECT name, program, shoulder_mm, updated_usec, " OPTION_COLUMNS " FROM profiles "

static void column_profile(sqlite3_stmt *st, struct chair_profile *p)
{
	sqlite3_int64 sh = sqlite3_column_int64(st, 2), up = sqlite3_column_int64(st, 3);

	chair_profile_init(p);
	copy_text(p->name, sizeof(p->name), st, 0);
	copy_text(p->program, sizeof(p->program), st, 1);
	p->shoulder_mm = sh > 0 && sh < 100000 ? (unsigned)sh : 0;
	p->updated_usec = up > 0 ? (uint64_t)up : 0;
	column_options(st, 4, &p->options);
}

int store_profile_get(struct store *s, const char *name, struct chair_profile *ret)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (!chair_profile_name_valid(name))
		return bad_name(s);
	rc = prepare(s, PROFILE_SELECT "WHERE name = ?1", &st);
	if (rc == SQLITE_OK)
		rc = bind_text(st, 1, name);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		column_profile(st, ret);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE) {
		set_error(s, "There is no profile called '%s'.", name);
		return -ENOENT;
	}
	return rc == SQLITE_ROW ? 0 : fail(s, rc, "read the profile");
}

int store_profile_list(struct store *s, struct chair_profile **ret, size_t *ret_n)
{
	struct chair_profile *v = NULL;
	sqlite3_stmt *st = NULL;
	size_t n = 0;
	int rc;

	rc = prepare(s, PROFILE_SELECT "ORDER BY name", &st);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct chair_profile *w = realloc(v, (n + 1) * sizeof(*v));

		if (!w) {
			rc = SQLITE_NOMEM;
			break;
		}
		v = w;
		column_profile(st, &v[n++]);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(v);
		return fail(s, rc, "list the profiles");
	}
	*ret = v;
	*ret_n = n;
	return (int)n;
}

static int exec_bound(struct store *s, const char *sql, const char *text)
{
	sqlite3_stmt *st = NULL;
	int rc = prepare(s, sql, &st);

	if (rc == SQLITE_OK)
		rc = bind_text(st, 1, text);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int store_profile_delete(struct store *s, const char *name)
{
	int rc, changed = 0;

	if (!chair_profile_name_valid(name))
		return bad_name(s);
	rc = begin_write(s, true);
	if (rc == SQLITE_OK)
		rc = exec_bound(s, "DELETE FROM profiles WHERE name = ?1", name);
	if (rc == SQLITE_OK)
		changed = sqlite3_changes(s->db);
	/* Its sessions go too (their events by the foreign key), in the same
	 * transaction: a profile is never half-deleted. */
	if (rc == SQLITE_OK && changed)
		rc = exec_bound(s, "DELETE FROM sessions WHERE profile = ?1", name);
	rc = end_write(s, rc);
	if (rc != SQLITE_OK)
		return fail(s, rc, "delete the profile");
	if (!changed) {
		set_error(s, "There is no profile called '%s'.", name);
		return -ENOENT;
	}
	return 0;
}

/* ---- history ---- */

int store_session_begin(struct store *s, const struct chair_session_record *rec, int64_t *ret_id)
{
	sqlite3_stmt *st = NULL;
	int64_t id = 0;
	int rc;

	if (!rec->program[0]) {
		set_error(s, "A session needs a program.");
		return -EINVAL;
	}
	rc = begin_write(s, true);
	if (rc == SQLITE_OK)
		rc = prepare(s, "INSERT INTO sessions (program, profile, start_usec, " OPTION_COLUMNS
				") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", &st);
	if (rc == SQLITE_OK)
		rc = bind_text(st, 1, rec->program);
	if (rc == SQLITE_OK)
		rc = bind_text(st, 2, rec->profile);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 3, (sqlite3_int64)rec->start_usec);
	if (rc == SQLITE_OK)
		rc = bind_options(st, 4, &rec->options);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		id = sqlite3_last_insert_rowid(s->db);
	sqlite3_finalize(st);
	rc = end_write(s, rc);
	if (rc != SQLITE_OK)
		return fail(s, rc, "record the session");
	*ret_id = id;
	return 0;
}

int store_session_event(struct store *s, int64_t id, const struct chair_event *e)
{
	const char *kind = chair_event_kind_to_string(e->kind);
	sqlite3_stmt *st = NULL;
	int rc;

	if (!kind) {
		set_error(s, "Unknown session event %d.", (int)e->kind);
		return -EINVAL;
	}
	rc = begin_write(s, false);
	if (rc == SQLITE_OK)
		rc = prepare(s, "INSERT INTO events (session, t_usec, kind, zone, value) "
				"VALUES (?1, ?2, ?3, ?4, ?5)", &st);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 1, id);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 2, (sqlite3_int64)e->t_usec);
	if (rc == SQLITE_OK)
		rc = bind_text(st, 3, kind);
	if (rc == SQLITE_OK)
		rc = bind_text(st, 4, e->zone >= 0 && zone_name(e->zone) ? zone_name(e->zone) : "");
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(st, 5, e->value);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	sqlite3_finalize(st);
	rc = end_write(s, rc);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		set_error(s, "There is no session %lld in the store.", (long long)id);
		return -ENOENT;
	}
	return rc == SQLITE_OK ? 0 : fail(s, rc, "record the event");
}

int store_session_end(struct store *s, int64_t id, uint64_t length_usec,
		      enum chair_finish_reason why)
{
	const char *finish = chair_finish_reason_to_string(why);
	sqlite3_stmt *st = NULL;
	int rc, changed = 0;

	if (!finish) {
		set_error(s, "Unknown way for a session to end (%d).", (int)why);
		return -EINVAL;
	}
	rc = begin_write(s, true);
	if (rc == SQLITE_OK)
		rc = prepare(s, "UPDATE sessions SET length_usec = ?2, finish = ?3 "
				"WHERE id = ?1 AND finish IS NULL", &st);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 1, id);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 2, (sqlite3_int64)length_usec);
	if (rc == SQLITE_OK)
		rc = bind_text(st, 3, finish);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		changed = sqlite3_changes(s->db);
	sqlite3_finalize(st);
	rc = end_write(s, rc);
	if (rc != SQLITE_OK)
		return fail(s, rc, "record the end of the session");
	if (!changed) {
		set_error(s, "There is no running session %lld in the store.", (long long)id);
		return -ENOENT;
	}
	return 0;
}

static int finish_from_string(const char *t)
{
	for (int i = 0; t && i < CHAIR_FINISH_COUNT; i++)
		if (streq(t, chair_finish_reason_to_string((enum chair_finish_reason)i)))
			return i;
	return -1;
}

static int read_events(struct store *s, sqlite3_stmt *st, struct chair_session_record *rec)
{
	int rc = sqlite3_reset(st);

	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 1, rec->id);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int kind = chair_event_kind_from_string((const char *)sqlite3_column_text(st, 1));
		const char *zone = (const char *)sqlite3_column_text(st, 2);
		struct chair_event *e;
		sqlite3_int64 t = sqlite3_column_int64(st, 0);

		rc = SQLITE_OK;
		if (kind < 0)
			continue; /* written by a newer chaird */
		e = realloc(rec->events, (rec->n_events + 1) * sizeof(*e));
		if (!e)
			return SQLITE_NOMEM;
		rec->events = e;
		e = &e[rec->n_events++];
		*e = (struct chair_event){
			.kind = (enum chair_event_kind)kind,
			.zone = zone && *zone ? chair_zone_from_string(zone) : -1,
			.value = sqlite3_column_int(st, 3),
			.t_usec = t > 0 ? (uint64_t)t : 0,
		};
		if (e->zone < 0)
			e->zone = -1;
	}
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int store_history(struct store *s, const char *profile, unsigned limit,
		  struct chair_session_record **ret, size_t *ret_n)
{
	struct chair_session_record *v = NULL;
	sqlite3_stmt *st = NULL, *ev = NULL;
	size_t n = 0;
	int rc;

	/* One read transaction: the sessions and their events agree. */
	rc = exec(s, "BEGIN");
	if (rc == SQLITE_OK)
		rc = prepare(s, "SELECT id, program, profile, start_usec, length_usec, finish, "
				OPTION_COLUMNS " FROM sessions WHERE ?1 IS NULL OR profile = ?1 "
				"ORDER BY start_usec DESC, id DESC LIMIT ?2", &st);
	if (rc == SQLITE_OK)
		rc = prepare(s, "SELECT t_usec, kind, zone, value FROM events WHERE session = ?1 "
				"ORDER BY rowid", &ev);
	if (rc == SQLITE_OK)
		rc = profile ? bind_text(st, 1, profile) : sqlite3_bind_null(st, 1);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 2, limit ? (sqlite3_int64)limit : -1);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct chair_session_record *w = realloc(v, (n + 1) * sizeof(*v)), *r;
		sqlite3_int64 start = sqlite3_column_int64(st, 3), len = sqlite3_column_int64(st, 4);

		if (!w) {
			rc = SQLITE_NOMEM;
			break;
		}
		v = w;
		r = &v[n++];
		*r = (struct chair_session_record){ .id = sqlite3_column_int64(st, 0) };
		copy_text(r->program, sizeof(r->program), st, 1);
		copy_text(r->profile, sizeof(r->profile), st, 2);
		r->start_usec = start > 0 ? (uint64_t)start : 0;
		r->length_usec = len > 0 ? (uint64_t)len : 0;
		r->finish = sqlite3_column_type(st, 5) == SQLITE_NULL
				    ? -1 : finish_from_string((const char *)sqlite3_column_text(st, 5));
		column_options(st, 6, &r->options);
		rc = read_events(s, ev, r);
		/* A session that never ended ran at least until its last event. */
		if (rc == SQLITE_OK && r->finish < 0 && r->n_events)
			r->length_usec = MAX(r->length_usec, r->events[r->n_events - 1].t_usec);
	}
	sqlite3_finalize(st);
	sqlite3_finalize(ev);
	if (rc != SQLITE_DONE) {
		int r = fail(s, rc, "read the history");

		if (!sqlite3_get_autocommit(s->db))
			exec_sql(s->db, "ROLLBACK");
		chair_session_records_free(v, n);
		return r;
	}
	exec(s, "COMMIT");
	*ret = v;
	*ret_n = n;
	return (int)n;
}
