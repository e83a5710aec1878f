// SPDX-License-Identifier: MIT
/*
 * How long each store call takes on this machine's disk: the figures the
 * daemon's design rests on (no store call inside the control step, and
 * each one short enough to run between two control iterations). Prints
 * median, p99 and the slowest; never passes or fails on a time.
 *
 * Usage: store-bench [SAMPLES [DIR]]   (default 300, a new temporary
 * directory on the file system of $TMPDIR)
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "macro.h"
#include "store.h"

static uint64_t now_nsec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *what, uint64_t *ns, size_t n)
{
	qsort(ns, n, sizeof(*ns), cmp_u64);
	printf("  %-40s median %8.3f ms   p99 %8.3f ms   max %8.3f ms\n", what, ns[n / 2] / 1e6,
	       ns[(n * 99) / 100] / 1e6, ns[n - 1] / 1e6);
}

#define TIME(slot, call)                                          \
	do {                                                      \
		uint64_t t0_ = now_nsec();                        \
		if ((call) < 0) {                                 \
			fprintf(stderr, "store-bench: %s: %s\n", #call, store_error(s)); \
			return 1;                                 \
		}                                                 \
		(slot) = now_nsec() - t0_;                        \
	} while (0)

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 300;
	const char *dir = argc > 2 ? argv[2] : NULL;
	uint64_t *t_save, *t_get, *t_begin, *t_event, *t_end, *t_hist, *t_open, *t_list;
	struct store *s = NULL;
	char tmp[256], *msg = NULL;

	if (n < 2)
		n = 2;
	if (!dir) {
		const char *t = getenv("TMPDIR");

		snprintf(tmp, sizeof(tmp), "%s/store-bench-XXXXXX", t && *t ? t : "/tmp");
		if (!mkdtemp(tmp))
			return perror("mkdtemp"), 1;
		dir = tmp;
	}
	t_save = calloc(n, 8), t_get = calloc(n, 8), t_begin = calloc(n, 8), t_event = calloc(n, 8);
	t_end = calloc(n, 8), t_hist = calloc(n, 8), t_open = calloc(n, 8), t_list = calloc(n, 8);
	if (!t_save || !t_get || !t_begin || !t_event || !t_end || !t_hist || !t_open || !t_list)
		return 1;

	/* Opening, as at start-up: the file exists, with its history. */
	for (size_t i = 0; i < n; i++) {
		uint64_t t0 = now_nsec();

		if (store_open(dir, &s, &msg) < 0 || msg) {
			fprintf(stderr, "store-bench: %s\n", msg ? msg : "out of memory");
			return 1;
		}
		t_open[i] = now_nsec() - t0;
		if (i + 1 < n)
			s = store_free(s);
	}
	/* The writes, on the one store the daemon keeps open. */
	for (size_t i = 0; i < n; i++) {
		struct chair_profile p, got;
		struct chair_session_record r = { .start_usec = 1000 + i };
		struct chair_session_record *h;
		struct chair_profile *ps;
		struct chair_event e = { .kind = CHAIR_EVENT_TOO_STRONG, .zone = -1, .value = 2 };
		size_t nh, np;
		int64_t id;

		chair_profile_init(&p);
		snprintf(p.name, sizeof(p.name), "person %zu", i % 8);
		snprintf(p.program, sizeof(p.program), "swedish");
		p.options.intensity = 1 + i % 5;
		p.shoulder_mm = 600;
		TIME(t_save[i], store_profile_save(s, &p));
		TIME(t_get[i], store_profile_get(s, p.name, &got));
		TIME(t_list[i], store_profile_list(s, &ps, &np));
		free(ps);

		snprintf(r.program, sizeof(r.program), "swedish");
		snprintf(r.profile, sizeof(r.profile), "%s", p.name);
		chair_options_init(&r.options);
		TIME(t_begin[i], store_session_begin(s, &r, &id));
		e.t_usec = 60;
		TIME(t_event[i], store_session_event(s, id, &e));
		for (int k = 0; k < 4; k++)
			store_session_event(s, id, &e);
		TIME(t_end[i], store_session_end(s, id, 900000000, CHAIR_FINISH_COMPLETED));
		TIME(t_hist[i], store_history(s, p.name, 20, &h, &nh));
		chair_session_records_free(h, nh);
	}
	s = store_free(s);
	printf("store-bench: %zu samples each, in %s/%s (SQLite %s)\n", n, dir, STORE_FILE,
	       sqlite3_libversion());
	report("open (quick_check, migrations)", t_open, n);
	report("profile save (synchronous=FULL)", t_save, n);
	report("profile get", t_get, n);
	report("profile list (8 profiles)", t_list, n);
	report("session begin (synchronous=FULL)", t_begin, n);
	report("session event (synchronous=NORMAL)", t_event, n);
	report("session end (synchronous=FULL)", t_end, n);
	report("history, 20 newest with events", t_hist, n);
	if (argc <= 2) {
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
	return 0;
}
