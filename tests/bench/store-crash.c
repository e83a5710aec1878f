// SPDX-License-Identifier: MIT
/*
 * The store's durability under SIGKILL. Each round forks a writer that
 * saves profiles, deletes them, and records sessions with their events
 * through the store, telling this process over a pipe each time a call has
 * returned (an acknowledged write); at a random moment the writer is killed
 * with SIGKILL. Then the store is reopened and checked: it opens cleanly,
 * every acknowledged write is there, and every row is whole (all its fields
 * agree with the sequence number it was written with).
 *
 * Usage: store-crash [ROUNDS [DIR]]   (default 200 rounds, a new temporary
 * directory). Prints figures; exits 1 on the first write lost or torn.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "store.h"

#define BIT(x) (UINT32_C(1) << (x))
#define SEQ_PER_ROUND UINT64_C(1000000)
#define N_PROFILES 20
#define N_DOOMED 7
#define MAX_DELAY_USEC 150000

enum ack_type { ACK_SAVE, ACK_DELETE, ACK_BEGIN, ACK_EVENT, ACK_END };

struct ack {
	uint32_t type;
	uint32_t i;   /* the event's index */
	uint64_t seq; /* the write's sequence number */
};

/* ---- what each sequence number writes ---- */

static unsigned events_of(uint64_t seq)
{
	return 1 + seq % 5;
}

static void profile_of(uint64_t seq, bool doomed, struct chair_profile *p)
{
	chair_profile_init(p);
	if (doomed)
		snprintf(p->name, sizeof(p->name), "doomed %" PRIu64, seq % N_DOOMED);
	else
		snprintf(p->name, sizeof(p->name), "person-%" PRIu64, (seq / 4) % N_PROFILES);
	snprintf(p->program, sizeof(p->program), "program-%" PRIu64, seq % 11);
	p->shoulder_mm = 400 + seq % 300;
	p->updated_usec = seq;
	p->options.duration_usec = (5 + seq % 26) * USEC_PER_MIN;
	p->options.intensity = 1 + seq % 5;
	p->options.focus = (int)(seq % CHAIR_ZONE_COUNT);
	p->options.avoid_back = BIT((seq + 1) % CHAIR_ZONE_COUNT);
	p->options.avoid_air = (uint32_t)(seq % 32);
	p->options.heat = (int)(seq % 4);
	p->options.conditions = (uint32_t)((seq / 3) % 32);
}

static void session_of(uint64_t seq, struct chair_session_record *r)
{
	*r = (struct chair_session_record){ .start_usec = seq };
	snprintf(r->program, sizeof(r->program), "program-%" PRIu64, seq % 11);
	snprintf(r->profile, sizeof(r->profile), "guest-%" PRIu64, seq % 3);
	chair_options_init(&r->options);
	r->options.intensity = 1 + seq % 5;
	r->options.avoid_back = BIT(seq % CHAIR_ZONE_COUNT);
}

static struct chair_event event_of(uint64_t seq, unsigned i)
{
	return (struct chair_event){
		.kind = (enum chair_event_kind)((seq + i) % CHAIR_EVENT_KIND_COUNT),
		.zone = (int)((seq + i) % CHAIR_ZONE_COUNT),
		.value = (int)i,
		.t_usec = i * USEC_PER_SEC,
	};
}

/* ---- the writer ---- */

static void ack(int fd, enum ack_type t, uint64_t seq, unsigned i)
{
	struct ack a = { .type = t, .i = i, .seq = seq };

	if (write(fd, &a, sizeof(a)) != sizeof(a))
		_exit(5);
}

static _Noreturn void writer(const char *dir, uint64_t seq, int fd)
{
	struct store *s = NULL;

	if (store_open(dir, &s, NULL) < 0)
		_exit(3);
	for (;; seq++) {
		struct chair_profile p;
		struct chair_session_record r;
		int64_t id;

		switch (seq % 4) {
		case 0:
		case 1:
			profile_of(seq, false, &p);
			if (store_profile_save(s, &p) < 0)
				_exit(4);
			ack(fd, ACK_SAVE, seq, 0);
			break;
		case 2:
			session_of(seq, &r);
			if (store_session_begin(s, &r, &id) < 0)
				_exit(4);
			ack(fd, ACK_BEGIN, seq, 0);
			for (unsigned i = 0; i < events_of(seq); i++) {
				struct chair_event e = event_of(seq, i);

				if (store_session_event(s, id, &e) < 0)
					_exit(4);
				ack(fd, ACK_EVENT, seq, i);
			}
			if (store_session_end(s, id, seq * 10, (enum chair_finish_reason)(seq % CHAIR_FINISH_COUNT)) < 0)
				_exit(4);
			ack(fd, ACK_END, seq, 0);
			break;
		default:
			profile_of(seq, true, &p);
			if (store_profile_save(s, &p) < 0 || store_profile_delete(s, p.name) < 0)
				_exit(4);
			ack(fd, ACK_DELETE, seq, 0);
			break;
		}
	}
}

/* ---- the checker ---- */

struct expect {
	uint64_t saved[N_PROFILES];   /* the last acknowledged save, or 0 */
	uint64_t deleted[N_DOOMED];   /* the last acknowledged deletion, or 0 */
	struct { uint64_t seq; unsigned events; bool begun, ended; } *sessions;
	size_t n_sessions;
	uint64_t acks;
};

static int failures;

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "store-crash: " __VA_ARGS__);      \
			fputc('\n', stderr);                               \
			failures++;                                        \
		}                                                          \
	} while (0)

static bool profile_whole(const struct chair_profile *got)
{
	struct chair_profile want;
	bool doomed = strncmp(got->name, "doomed", 6) == 0;

	profile_of(got->updated_usec, doomed, &want);
	return streq(got->name, want.name) && streq(got->program, want.program) &&
	       got->shoulder_mm == want.shoulder_mm &&
	       memcmp(&got->options, &want.options, sizeof(want.options)) == 0;
}

static void record(struct expect *x, const struct ack *a)
{
	size_t k;

	x->acks++;
	switch ((enum ack_type)a->type) {
	case ACK_SAVE:
		x->saved[(a->seq / 4) % N_PROFILES] = a->seq;
		return;
	case ACK_DELETE:
		x->deleted[a->seq % N_DOOMED] = a->seq;
		return;
	case ACK_BEGIN:
		k = x->n_sessions++;
		x->sessions = realloc(x->sessions, x->n_sessions * sizeof(*x->sessions));
		if (!x->sessions)
			abort();
		x->sessions[k].seq = a->seq;
		x->sessions[k].events = 0;
		x->sessions[k].begun = true;
		x->sessions[k].ended = false;
		return;
	case ACK_EVENT:
	case ACK_END:
		k = x->n_sessions - 1;
		if (!x->n_sessions || x->sessions[k].seq != a->seq)
			abort(); /* the writer does one session at a time */
		if (a->type == ACK_EVENT)
			x->sessions[k].events = a->i + 1;
		else
			x->sessions[k].ended = true;
		return;
	}
	abort();
}

static const struct chair_session_record *find_session(const struct chair_session_record *h, size_t n,
						       uint64_t seq)
{
	for (size_t i = 0; i < n; i++)
		if (h[i].start_usec == seq)
			return &h[i];
	return NULL;
}

/* Checks the store in @p dir against what was acknowledged; returns how many
 * rows it read. */
static size_t check(const char *dir, const struct expect *x)
{
	struct chair_session_record *h = NULL;
	struct chair_profile *ps = NULL;
	struct store *s = NULL;
	size_t n = 0, np = 0;
	char *msg = NULL;

	if (store_open(dir, &s, &msg) < 0) {
		CHECK(false, "out of memory");
		return 0;
	}
	CHECK(!msg, "the store did not open cleanly: %s", msg);
	free(msg);
	CHECK(store_persistent(s), "the store is in memory");
	CHECK(store_profile_list(s, &ps, &np) >= 0, "cannot list: %s", store_error(s));
	CHECK(store_history(s, NULL, 0, &h, &n) >= 0, "cannot read history: %s", store_error(s));

	for (size_t i = 0; i < np; i++) {
		const struct chair_profile *p = &ps[i];

		CHECK(profile_whole(p), "profile '%s' (seq %" PRIu64 ") is torn", p->name, p->updated_usec);
		if (strncmp(p->name, "doomed", 6) == 0) {
			uint64_t d = x->deleted[p->updated_usec % N_DOOMED];

			CHECK(p->updated_usec > d, "profile '%s' is back after its deletion (seq %" PRIu64
			      ") was acknowledged", p->name, d);
		} else {
			uint64_t want = x->saved[(p->updated_usec / 4) % N_PROFILES];

			CHECK(p->updated_usec >= want, "profile '%s' went back to seq %" PRIu64
			      " after seq %" PRIu64 " was acknowledged", p->name, p->updated_usec, want);
		}
	}
	for (unsigned k = 0; k < N_PROFILES; k++) {
		bool found = false;
		char name[32];

		if (!x->saved[k])
			continue;
		snprintf(name, sizeof(name), "person-%u", k);
		for (size_t i = 0; i < np; i++)
			found |= streq(ps[i].name, name);
		CHECK(found, "profile '%s' was acknowledged and is lost", name);
	}
	for (size_t i = 0; i < n; i++) {
		const struct chair_session_record *r = &h[i];
		struct chair_session_record want;

		session_of(r->start_usec, &want);
		CHECK(streq(r->program, want.program) && streq(r->profile, want.profile) &&
		      memcmp(&r->options, &want.options, sizeof(want.options)) == 0,
		      "session %" PRIu64 " is torn", r->start_usec);
		CHECK(r->n_events <= events_of(r->start_usec), "session %" PRIu64 " has extra events",
		      r->start_usec);
		for (size_t e = 0; e < r->n_events; e++) {
			struct chair_event we = event_of(r->start_usec, (unsigned)e);

			const struct chair_event *ge = &r->events[e];

			CHECK(ge->kind == we.kind && ge->zone == we.zone && ge->value == we.value &&
			      ge->t_usec == we.t_usec, "session %" PRIu64
			      " event %zu is torn", r->start_usec, e);
		}
		if (r->finish >= 0)
			CHECK(r->finish == (int)(r->start_usec % CHAIR_FINISH_COUNT) &&
			      r->length_usec == r->start_usec * 10 &&
			      r->n_events == events_of(r->start_usec),
			      "session %" PRIu64 " ended but is not whole", r->start_usec);
	}
	for (size_t i = 0; i < x->n_sessions; i++) {
		const struct chair_session_record *r = find_session(h, n, x->sessions[i].seq);

		CHECK(r, "session %" PRIu64 " was acknowledged and is lost", x->sessions[i].seq);
		if (!r)
			continue;
		CHECK(r->n_events >= x->sessions[i].events, "session %" PRIu64 " lost acknowledged events",
		      r->start_usec);
		CHECK(!x->sessions[i].ended || r->finish >= 0, "session %" PRIu64
		      " lost its acknowledged end", r->start_usec);
	}
	chair_session_records_free(h, n);
	free(ps);
	store_free(s);
	return n + np;
}

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}

int main(int argc, char **argv)
{
	unsigned rounds = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 200;
	char tmp[256];
	const char *dir = argc > 2 ? argv[2] : NULL;
	struct expect x = { 0 };
	uint64_t check_usec = 0, killed_early = 0, acks_min = UINT64_MAX, acks_max = 0;
	size_t rows = 0;

	if (!dir) {
		const char *t = getenv("TMPDIR");

		snprintf(tmp, sizeof(tmp), "%s/store-crash-XXXXXX", t && *t ? t : "/tmp");
		if (!mkdtemp(tmp)) {
			perror("mkdtemp");
			return 1;
		}
		dir = tmp;
	}
	srand((unsigned)now_usec());
	for (unsigned round = 0; round < rounds && !failures; round++) {
		uint64_t before = x.acks, t0;
		struct ack a;
		int fds[2], status;
		struct timespec delay;
		long us = rand() % MAX_DELAY_USEC;
		pid_t pid;

		if (pipe2(fds, O_CLOEXEC) < 0)
			return perror("pipe"), 1;
		pid = fork();
		if (pid < 0)
			return perror("fork"), 1;
		if (pid == 0) {
			close(fds[0]);
			writer(dir, (round + 1) * SEQ_PER_ROUND, fds[1]);
		}
		close(fds[1]);
		/* The random moment of the power cut, not a synchronisation. */
		delay = (struct timespec){ .tv_sec = 0, .tv_nsec = us * 1000 };
		nanosleep(&delay, NULL);
		kill(pid, SIGKILL);
		if (waitpid(pid, &status, 0) != pid)
			return perror("waitpid"), 1;
		CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		      "round %u: the writer stopped by itself (status %d)", round, status);
		while (read(fds[0], &a, sizeof(a)) == sizeof(a))
			record(&x, &a);
		close(fds[0]);
		killed_early += x.acks == before;
		acks_min = MIN(acks_min, x.acks - before);
		acks_max = MAX(acks_max, x.acks - before);
		t0 = now_usec();
		rows = check(dir, &x);
		check_usec += now_usec() - t0;
	}
	printf("store-crash: %u rounds, each writer killed with SIGKILL 0-%d ms after it started\n",
	       rounds, MAX_DELAY_USEC / 1000);
	printf("  acknowledged writes: %" PRIu64 " (per round %" PRIu64 "-%" PRIu64
	       "; %" PRIu64 " rounds killed before the first: in open, WAL recovery or the first write)\n", x.acks, acks_min, acks_max,
	       killed_early);
	printf("  sessions acknowledged: %zu; rows in the store at the end: %zu\n", x.n_sessions, rows);
	printf("  reopen + full check: %.1f ms per round\n", rounds ? check_usec / 1000.0 / rounds : 0);
	printf("  lost or torn: %d\n", failures);
	free(x.sessions);
	if (!argc || argc <= 2) {
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
	return failures ? 1 : 0;
}
