// SPDX-License-Identifier: MIT
/*
 * The store, against real SQLite files in a temporary directory: round
 * trips, migrations, damaged and foreign files moved aside, a directory that
 * cannot be written, and writes interrupted by SIGKILL at every step.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <setjmp.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "macro.h"
#include "store.h"
#include "testutil.h"

#define BIT(x) (UINT32_C(1) << (x))

/* sqlite3_step() as store.c calls it (linked with --wrap): the process is
 * killed before the step numbered kill_at_step (counting from 1). */
static int kill_at_step;
int __real_sqlite3_step(sqlite3_stmt *st);
int __wrap_sqlite3_step(sqlite3_stmt *st);
int __wrap_sqlite3_step(sqlite3_stmt *st)
{
	if (kill_at_step > 0 && --kill_at_step == 0)
		raise(SIGKILL);
	return __real_sqlite3_step(st);
}

struct fixture {
	char dir[TEST_PATH_MAX];
	char db[TEST_PATH_MAX + 16];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	test_mkdtemp(f->dir, sizeof(f->dir), "chaird-store");
	snprintf(f->db, sizeof(f->db), "%s/" STORE_FILE, f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	chmod(f->dir, 0700);
	test_rm_rf(f->dir);
	free(f);
	return 0;
}

static struct store *open_ok(const char *dir)
{
	struct store *s = NULL;
	char *msg = NULL;

	assert_int_equal(store_open(dir, &s, &msg), 0);
	if (msg)
		fail_msg("unexpected: %s", msg);
	assert_true(store_persistent(s));
	return s;
}

/* Opens a store expected to say something; returns the sentence. */
static struct store *open_msg(const char *dir, char **ret_msg)
{
	struct store *s = NULL;

	*ret_msg = NULL;
	assert_int_equal(store_open(dir, &s, ret_msg), 0);
	assert_non_null(s);
	assert_non_null(*ret_msg);
	return s;
}

static struct chair_profile sample_profile(const char *name)
{
	struct chair_profile p;

	chair_profile_init(&p);
	snprintf(p.name, sizeof(p.name), "%s", name);
	snprintf(p.program, sizeof(p.program), "deep-tissue");
	p.shoulder_mm = 612;
	p.options.duration_usec = 20 * USEC_PER_MIN;
	p.options.intensity = 4;
	p.options.focus = CHAIR_ZONE_SHOULDERS;
	p.options.avoid_back = BIT(CHAIR_ZONE_LOWER_BACK) | BIT(CHAIR_ZONE_SACRUM);
	p.options.avoid_air = BIT(CHAIR_AIR_SHOULDERS) | BIT(CHAIR_AIR_FEET);
	p.options.heat = 2;
	p.options.conditions = BIT(CHAIR_COND_ARTHRITIS) | BIT(CHAIR_COND_RECENT_INJURY);
	p.updated_usec = 1700000000000000;
	return p;
}

static void assert_profile_equal(const struct chair_profile *a, const struct chair_profile *b)
{
	assert_string_equal(a->name, b->name);
	assert_string_equal(a->program, b->program);
	assert_int_equal(a->shoulder_mm, b->shoulder_mm);
	assert_int_equal(a->updated_usec, b->updated_usec);
	assert_int_equal(a->options.duration_usec, b->options.duration_usec);
	assert_int_equal(a->options.intensity, b->options.intensity);
	assert_int_equal(a->options.focus, b->options.focus);
	assert_int_equal(a->options.avoid_back, b->options.avoid_back);
	assert_int_equal(a->options.avoid_air, b->options.avoid_air);
	assert_int_equal(a->options.heat, b->options.heat);
	assert_int_equal(a->options.conditions, b->options.conditions);
}

static void test_profile_round_trip(void **state)
{
	struct fixture *f = *state;
	struct chair_profile p = sample_profile("Anna"), q = sample_profile("bob-2_x y"), got, *v;
	struct store *s = open_ok(f->dir);
	size_t n;

	chair_profile_init(&q); /* everything not set */
	snprintf(q.name, sizeof(q.name), "bob-2_x y");
	q.updated_usec = 5;
	assert_int_equal(store_profile_save(s, &p), 0);
	assert_int_equal(store_profile_save(s, &q), 0);
	assert_int_equal(store_profile_get(s, "Anna", &got), 0);
	assert_profile_equal(&got, &p);
	/* Names compare without case. */
	assert_int_equal(store_profile_get(s, "anna", &got), 0);
	assert_profile_equal(&got, &p);
	assert_int_equal(store_profile_get(s, "bob-2_x y", &got), 0);
	assert_profile_equal(&got, &q);
	assert_int_equal(got.options.intensity, 0);
	assert_int_equal(got.options.heat, -1);
	assert_int_equal(got.options.focus, -1);

	/* Saved again: replaced, not added. */
	p.options.intensity = 2;
	p.options.avoid_back = 0;
	assert_int_equal(store_profile_save(s, &p), 0);
	assert_int_equal(store_profile_list(s, &v, &n), 2);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].name, "Anna");
	assert_profile_equal(&v[0], &p);
	assert_string_equal(v[1].name, "bob-2_x y");
	free(v);

	assert_int_equal(store_profile_get(s, "nobody", &got), -ENOENT);
	assert_non_null(strstr(store_error(s), "no profile called 'nobody'"));
	store_free(s);

	/* Reopened: still there. */
	s = open_ok(f->dir);
	assert_int_equal(store_profile_get(s, "ANNA", &got), 0);
	assert_profile_equal(&got, &p);
	assert_int_equal(store_profile_delete(s, "anna"), 0);
	assert_int_equal(store_profile_get(s, "Anna", &got), -ENOENT);
	assert_int_equal(store_profile_delete(s, "Anna"), -ENOENT);
	store_free(s);
}

static void test_profile_names(void **state)
{
	struct fixture *f = *state;
	static const char *const bad[] = { "", " lead", "trail ", "a/b", "Zoë", "semi;colon",
					   "0123456789012345678901234567890123", "quote'" };
	struct store *s = open_ok(f->dir);
	struct chair_profile p = sample_profile("x"), *v;
	size_t n;

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		assert_false(chair_profile_name_valid(bad[i]));
		if (strlen(bad[i]) >= sizeof(p.name))
			continue; /* cannot be in a profile */
		snprintf(p.name, sizeof(p.name), "%s", bad[i]);
		assert_int_equal(store_profile_save(s, &p), -EINVAL);
		assert_non_null(strstr(store_error(s), "1 to 32 letters"));
	}
	assert_true(chair_profile_name_valid("01234567890123456789012345678901"));
	assert_true(chair_profile_name_valid("Grandpa Joe_2-b"));
	assert_int_equal(store_profile_list(s, &v, &n), 0);
	free(v);
	store_free(s);
}

static int64_t begin(struct store *s, const char *profile, const char *program, uint64_t start,
		     unsigned intensity)
{
	struct chair_session_record rec = { .start_usec = start };
	int64_t id = 0;

	snprintf(rec.profile, sizeof(rec.profile), "%s", profile);
	snprintf(rec.program, sizeof(rec.program), "%s", program);
	chair_options_init(&rec.options);
	rec.options.intensity = intensity;
	rec.options.avoid_back = BIT(CHAIR_ZONE_NECK);
	rec.options.conditions = BIT(CHAIR_COND_INFLAMMATION);
	assert_int_equal(store_session_begin(s, &rec, &id), 0);
	assert_true(id > 0);
	return id;
}

static void event(struct store *s, int64_t id, enum chair_event_kind k, int zone, int value,
		  uint64_t t)
{
	struct chair_event e = { .kind = k, .zone = zone, .value = value, .t_usec = t };

	assert_int_equal(store_session_event(s, id, &e), 0);
}

static void test_history_round_trip(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f->dir);
	struct chair_session_record *h;
	struct chair_profile p = sample_profile("Anna");
	struct chair_event e = { .kind = CHAIR_EVENT_PAUSE, .zone = -1 };
	size_t n;
	int64_t a1, a2, g, a3;

	assert_int_equal(store_profile_save(s, &p), 0);
	a1 = begin(s, "Anna", "swedish", 1000, 3);
	event(s, a1, CHAIR_EVENT_HURTS_HERE, CHAIR_ZONE_LOWER_BACK, 0, 60);
	event(s, a1, CHAIR_EVENT_TOO_STRONG, -1, 2, 70);
	assert_int_equal(store_session_end(s, a1, 900 * USEC_PER_SEC, CHAIR_FINISH_COMPLETED), 0);
	g = begin(s, "", "relax", 2000, 3);
	assert_int_equal(store_session_end(s, g, 5, CHAIR_FINISH_STOPPED), 0);
	a2 = begin(s, "anna", "deep-tissue", 3000, 4);
	event(s, a2, CHAIR_EVENT_MORE_HERE, CHAIR_ZONE_SHOULDERS, 0, 10);
	event(s, a2, CHAIR_EVENT_HEAT, -1, 2, 20);
	assert_int_equal(store_session_end(s, a2, 300, CHAIR_FINISH_EMERGENCY_STOP), 0);
	/* Ended twice, or an event for no session: refused. */
	assert_int_equal(store_session_end(s, a2, 300, CHAIR_FINISH_STOPPED), -ENOENT);
	assert_int_equal(store_session_event(s, 9999, &e), -ENOENT);
	/* This one never ends (the power went). */
	a3 = begin(s, "Anna", "shiatsu", 4000, 3);
	event(s, a3, CHAIR_EVENT_INTENSITY, -1, 5, 400);
	store_free(s);

	s = open_ok(f->dir);
	assert_int_equal(store_history(s, "ANNA", 0, &h, &n), 3);
	assert_int_equal(h[0].id, a3);
	assert_int_equal(h[0].finish, -1);
	assert_int_equal(h[0].length_usec, 400);
	assert_int_equal(h[1].id, a2);
	assert_string_equal(h[1].program, "deep-tissue");
	assert_int_equal(h[1].finish, CHAIR_FINISH_EMERGENCY_STOP);
	assert_int_equal(h[1].options.intensity, 4);
	assert_int_equal(h[1].n_events, 2);
	assert_int_equal(h[1].events[0].kind, CHAIR_EVENT_MORE_HERE);
	assert_int_equal(h[1].events[0].zone, CHAIR_ZONE_SHOULDERS);
	assert_int_equal(h[1].events[1].kind, CHAIR_EVENT_HEAT);
	assert_int_equal(h[1].events[1].value, 2);
	assert_int_equal(h[1].events[1].zone, -1);
	assert_int_equal(h[2].id, a1);
	assert_int_equal(h[2].start_usec, 1000);
	assert_int_equal(h[2].length_usec, 900 * USEC_PER_SEC);
	assert_int_equal(h[2].finish, CHAIR_FINISH_COMPLETED);
	assert_int_equal(h[2].options.avoid_back, BIT(CHAIR_ZONE_NECK));
	assert_int_equal(h[2].options.conditions, BIT(CHAIR_COND_INFLAMMATION));
	assert_int_equal(h[2].options.focus, -1);
	assert_int_equal(h[2].events[0].kind, CHAIR_EVENT_HURTS_HERE);
	assert_int_equal(h[2].events[0].zone, CHAIR_ZONE_LOWER_BACK);
	assert_int_equal(h[2].events[0].t_usec, 60);
	assert_int_equal(h[2].events[1].kind, CHAIR_EVENT_TOO_STRONG);
	assert_int_equal(h[2].events[1].value, 2);
	chair_session_records_free(h, n);

	/* A limit, guests, everyone. */
	assert_int_equal(store_history(s, "Anna", 1, &h, &n), 1);
	assert_int_equal(h[0].id, a3);
	chair_session_records_free(h, n);
	assert_int_equal(store_history(s, "", 0, &h, &n), 1);
	assert_int_equal(h[0].id, g);
	assert_string_equal(h[0].profile, "");
	chair_session_records_free(h, n);
	assert_int_equal(store_history(s, NULL, 0, &h, &n), 4);
	chair_session_records_free(h, n);

	/* Deleting a profile forgets its history, and only its own. */
	assert_int_equal(store_profile_delete(s, "Anna"), 0);
	assert_int_equal(store_history(s, "Anna", 0, &h, &n), 0);
	chair_session_records_free(h, n);
	assert_int_equal(store_history(s, NULL, 0, &h, &n), 1);
	chair_session_records_free(h, n);
	store_free(s);
}

static int sql_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int v = -1000;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void assert_sql_text(const char *path, const char *sql, const char *want)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), want);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void sql_exec(const char *path, const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void test_migrate_from_zero(void **state)
{
	struct fixture *f = *state;
	struct chair_profile p = sample_profile("Anna"), got;
	struct store *s;

	/* A database at version 0: it exists, but has none of our tables. */
	sql_exec(f->db, "CREATE TABLE unrelated (a INTEGER); INSERT INTO unrelated VALUES (7);");
	assert_int_equal(sql_int(f->db, "PRAGMA user_version"), 0);
	s = open_ok(f->dir);
	assert_int_equal(store_profile_save(s, &p), 0);
	store_free(s);
	assert_int_equal(sql_int(f->db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(sql_int(f->db, "PRAGMA application_id"), 0x43484149);
	assert_sql_text(f->db, "PRAGMA journal_mode", "wal");
	assert_int_equal(sql_int(f->db, "SELECT a FROM unrelated"), 7);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM profiles"), 1);
	s = open_ok(f->dir);
	assert_int_equal(store_profile_get(s, "Anna", &got), 0);
	store_free(s);
}

static void test_newer_schema_left_alone(void **state)
{
	struct fixture *f = *state;
	struct chair_profile p = sample_profile("Anna");
	struct store *s;
	char *msg;

	sql_exec(f->db, "CREATE TABLE future (a INTEGER); PRAGMA user_version = 99;");
	s = open_msg(f->dir, &msg);
	assert_non_null(strstr(msg, "newer chaird"));
	assert_non_null(strstr(msg, "nothing will be remembered"));
	assert_false(store_persistent(s));
	/* It still works, in memory. */
	assert_int_equal(store_profile_save(s, &p), 0);
	store_free(s);
	free(msg);
	assert_int_equal(sql_int(f->db, "PRAGMA user_version"), 99);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM future"), 0);
}

static size_t count_aside(const struct fixture *f, char *ret, size_t n)
{
	char pat[TEST_PATH_MAX + 32];
	glob_t g;
	size_t c;

	snprintf(pat, sizeof(pat), "%s/" STORE_FILE ".corrupt-*", f->dir);
	if (glob(pat, 0, NULL, &g) != 0)
		return 0;
	c = 0;
	for (size_t i = 0; i < g.gl_pathc; i++)
		if (!strstr(g.gl_pathv[i], "-wal")) {
			if (ret)
				snprintf(ret, n, "%s", g.gl_pathv[i]);
			c++;
		}
	globfree(&g);
	return c;
}

/* Opens a damaged store: moved aside with a sentence, and a new one works. */
static void expect_moved_aside(struct fixture *f, off_t expect_size)
{
	struct chair_profile p = sample_profile("Anna"), got;
	char aside[TEST_PATH_MAX * 2], *msg;
	struct store *s;
	struct stat sb;

	assert_int_equal(count_aside(f, NULL, 0), 0);
	s = open_msg(f->dir, &msg);
	assert_non_null(strstr(msg, "was damaged"));
	assert_non_null(strstr(msg, "moved aside"));
	assert_true(store_persistent(s));
	assert_int_equal(count_aside(f, aside, sizeof(aside)), 1);
	assert_non_null(strstr(msg, aside));
	assert_int_equal(stat(aside, &sb), 0);
	assert_int_equal(sb.st_size, expect_size);
	assert_int_equal(store_profile_save(s, &p), 0);
	store_free(s);
	free(msg);
	s = open_ok(f->dir);
	assert_int_equal(store_profile_get(s, "Anna", &got), 0);
	store_free(s);
}

static void write_bytes(const char *path, const void *buf, size_t n, off_t at)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, buf, n, at), (ssize_t)n);
	close(fd);
}

static void test_garbage_file(void **state)
{
	struct fixture *f = *state;
	char junk[8192];

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(i * 7919 + 13);
	write_bytes(f->db, junk, sizeof(junk), 0);
	expect_moved_aside(f, sizeof(junk));
}

/* A store with enough rows for several pages, closed cleanly. */
static off_t fill_store(struct fixture *f)
{
	struct store *s = open_ok(f->dir);
	struct stat sb;

	for (int i = 0; i < 200; i++) {
		int64_t id = begin(s, "Anna", "swedish", 1000 + i, 3);

		event(s, id, CHAIR_EVENT_TOO_SOFT, -1, 4, 10);
		assert_int_equal(store_session_end(s, id, 100, CHAIR_FINISH_COMPLETED), 0);
	}
	store_free(s);
	assert_int_equal(stat(f->db, &sb), 0);
	assert_true(sb.st_size > 8 * 4096);
	return sb.st_size;
}

static void test_truncated_file(void **state)
{
	struct fixture *f = *state;
	off_t size = fill_store(f);

	assert_int_equal(truncate(f->db, size / 2), 0);
	expect_moved_aside(f, size / 2);
}

static void test_damaged_page(void **state)
{
	struct fixture *f = *state;
	off_t size = fill_store(f);
	char junk[1024];

	memset(junk, 0x5a, sizeof(junk));
	/* Over a table page's b-tree header, past the file header page. */
	write_bytes(f->db, junk, sizeof(junk), 3 * 4096);
	expect_moved_aside(f, size);
}

static void test_foreign_database(void **state)
{
	struct fixture *f = *state;
	struct stat sb;

	sql_exec(f->db, "PRAGMA application_id = 1234; CREATE TABLE t (a);");
	assert_int_equal(stat(f->db, &sb), 0);
	expect_moved_aside(f, sb.st_size);
}

/* In a child that cannot write @p dir: root drops to nobody. */
static int run_unprivileged(const char *dir, mode_t mode, int (*fn)(const char *))
{
	int status;
	pid_t pid;

	assert_int_equal(chmod(dir, mode), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (geteuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0))
			_exit(90);
		_exit(fn(dir));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(chmod(dir, 0700), 0);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

#define CHILD_CHECK(cond)                                                        \
	do {                                                                     \
		if (!(cond)) {                                                   \
			fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, #cond); \
			return 1;                                                \
		}                                                                \
	} while (0)

static int readonly_child(const char *dir)
{
	struct chair_profile p = sample_profile("Anna"), got;
	struct store *s = NULL;
	char *msg = NULL;
	int r;

	CHILD_CHECK(store_open(dir, &s, &msg) == 0);
	CHILD_CHECK(msg && strstr(msg, "nothing will be remembered"));
	CHILD_CHECK(strstr(msg, dir));
	CHILD_CHECK(!store_persistent(s));
	CHILD_CHECK(store_profile_save(s, &p) == 0);
	CHILD_CHECK(store_profile_get(s, "Anna", &got) == 0 && got.shoulder_mm == 612);
	fprintf(stderr, "(as expected) %s\n", msg);
	free(msg);
	store_free(s);
	r = access(dir, W_OK) == 0 ? 2 : 0; /* the test itself would be wrong */
	return r;
}

static int readonly_file_child(const char *dir)
{
	struct chair_profile p = sample_profile("Anna");
	struct store *s = NULL;
	char *msg = NULL;

	CHILD_CHECK(store_open(dir, &s, &msg) == 0);
	CHILD_CHECK(msg && strstr(msg, "the file is read-only"));
	CHILD_CHECK(!store_persistent(s));
	CHILD_CHECK(store_profile_save(s, &p) == 0);
	free(msg);
	store_free(s);
	return 0;
}

static void test_readonly_directory(void **state)
{
	struct fixture *f = *state;

	/* With no store in it yet, and with one. */
	assert_int_equal(run_unprivileged(f->dir, 0555, readonly_child), 0);
	store_free(open_ok(f->dir));
	assert_int_equal(run_unprivileged(f->dir, 0555, readonly_child), 0);
}

static void test_readonly_file(void **state)
{
	struct fixture *f = *state;

	/* The directory can be written, the file cannot. */
	store_free(open_ok(f->dir));
	assert_int_equal(chmod(f->db, 0444), 0);
	assert_int_equal(run_unprivileged(f->dir, 0777, readonly_file_child), 0);
	assert_int_equal(count_aside(f, NULL, 0), 0);
}

static void test_missing_directory(void **state)
{
	struct fixture *f = *state;
	char sub[TEST_PATH_MAX * 2], *msg;
	struct store *s;

	/* Created when missing (one level, as StateDirectory= would). */
	snprintf(sub, sizeof(sub), "%s/state", f->dir);
	store_free(open_ok(sub));
	/* Impossible: a path through a file. */
	test_write_file(f->dir, "file", "x");
	snprintf(sub, sizeof(sub), "%s/file/state", f->dir);
	s = open_msg(sub, &msg);
	assert_false(store_persistent(s));
	assert_non_null(strstr(msg, "cannot be created"));
	store_free(s);
	free(msg);
	s = open_msg("", &msg);
	assert_false(store_persistent(s));
	assert_non_null(strstr(msg, "name is empty"));
	store_free(s);
	free(msg);
	/* No directory at all: memory, said so. */
	s = open_msg(NULL, &msg);
	assert_false(store_persistent(s));
	store_free(s);
	free(msg);
}

static void test_locked_file(void **state)
{
	struct fixture *f = *state;
	struct chair_profile p = sample_profile("Anna");
	struct store *s;
	sqlite3 *other;
	char *msg;

	store_free(open_ok(f->dir));
	/* Another process holds it: left alone, not taken for damage. */
	assert_int_equal(sqlite3_open(f->db, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE;", NULL,
				      NULL, NULL), SQLITE_OK);
	s = open_msg(f->dir, &msg);
	assert_false(store_persistent(s));
	assert_non_null(strstr(msg, "nothing will be remembered"));
	assert_int_equal(count_aside(f, NULL, 0), 0);
	assert_int_equal(store_profile_save(s, &p), 0);
	store_free(s);
	free(msg);
	sqlite3_exec(other, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(other);
	store_free(open_ok(f->dir));
}

/* What a write under test does, after the store is open. */
typedef void (*write_fn)(struct store *s);

static void write_delete(struct store *s)
{
	store_profile_delete(s, "Anna");
}

static void write_save(struct store *s)
{
	struct chair_profile p = sample_profile("Anna");

	p.options.intensity = 1;
	p.shoulder_mm = 700;
	store_profile_save(s, &p);
}

static void write_end(struct store *s)
{
	struct chair_session_record *h;
	size_t n;

	if (store_history(s, "Anna", 1, &h, &n) == 1)
		store_session_end(s, h[0].id, 777, CHAIR_FINISH_STOPPED);
	chair_session_records_free(h, n);
}

/* Before: Anna at intensity 4, shoulder 612, with one open session of 3
 * events. */
static void prepare_before(struct fixture *f)
{
	struct chair_profile p = sample_profile("Anna");
	struct store *s;
	int64_t id;

	test_rm_rf(f->dir);
	assert_int_equal(mkdir(f->dir, 0700), 0);
	s = open_ok(f->dir);
	assert_int_equal(store_profile_save(s, &p), 0);
	id = begin(s, "Anna", "swedish", 1000, 3);
	for (int i = 0; i < 3; i++)
		event(s, id, CHAIR_EVENT_TOO_SOFT, -1, 4, (uint64_t)i);
	store_free(s);
}

/* Either all of the write or none of it: returns 0 before, 1 after. */
static int check_whole(struct fixture *f, write_fn w)
{
	struct chair_session_record *h;
	struct chair_profile got;
	struct store *s = open_ok(f->dir);
	size_t n;
	int r = store_profile_get(s, "Anna", &got), after;

	assert_sql_text(f->db, "PRAGMA quick_check", "ok");
	store_history(s, "Anna", 0, &h, &n);
	if (w == write_delete) {
		after = r == -ENOENT;
		assert_int_equal(n, after ? 0 : 1);
		assert_int_equal(sql_int(f->db, "SELECT count(*) FROM events"), after ? 0 : 3);
	} else if (w == write_save) {
		assert_int_equal(r, 0);
		after = got.options.intensity == 1;
		assert_int_equal(got.shoulder_mm, after ? 700 : 612);
	} else {
		assert_int_equal(n, 1);
		after = h[0].finish == CHAIR_FINISH_STOPPED;
		assert_int_equal(h[0].length_usec, after ? 777 : 2);
		assert_int_equal(h[0].n_events, 3);
	}
	chair_session_records_free(h, n);
	store_free(s);
	return after;
}

static void test_interrupted_writes(void **state)
{
	static const write_fn writes[] = { write_delete, write_save, write_end };
	struct fixture *f = *state;

	for (size_t w = 0; w < ELEMENTSOF(writes); w++) {
		bool finished = false;
		int killed = 0;

		for (int step = 1; step < 100 && !finished; step++) {
			int status;
			pid_t pid;

			prepare_before(f);
			pid = fork();
			assert_true(pid >= 0);
			if (pid == 0) {
				struct store *s = NULL;

				if (store_open(f->dir, &s, NULL) < 0)
					_exit(3);
				kill_at_step = step;
				writes[w](s);
				kill_at_step = 0;
				_exit(0);
			}
			assert_int_equal(waitpid(pid, &status, 0), pid);
			if (WIFSIGNALED(status)) {
				assert_int_equal(WTERMSIG(status), SIGKILL);
				killed++;
				/* Killed before its last step: never half of it. */
				check_whole(f, writes[w]);
			} else {
				assert_int_equal(WEXITSTATUS(status), 0);
				finished = true;
				assert_int_equal(check_whole(f, writes[w]), 1);
			}
		}
		assert_true(finished);
		/* BEGIN, the statements, COMMIT: several places to die. */
		assert_true(killed >= 3);
		print_message("write %zu: killed at each of its %d steps, never half-written\n", w,
			      killed);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_profile_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_profile_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_from_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_left_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_database, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locked_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupted_writes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
