// SPDX-License-Identifier: MIT
/*
 * The daemon's durability under SIGKILL: the real chaird (--sim, a fast
 * clock, a state directory) on a private bus, and a client that saves
 * profiles and runs short sessions to their end, over and over. At a
 * random moment chaird is killed with SIGKILL and started again. After
 * each restart:
 *
 *  - the store opened: chaird's log says where it keeps profiles, and
 *    nothing about a damaged store or one kept in memory only;
 *  - every write chaird acknowledged is there: each profile as its last
 *    SaveProfile() that got a reply left it, and each session whose end
 *    History() had shown, with the same program, profile, ending and
 *    length;
 *  - nothing is half-written: every profile's fields all belong to one
 *    SaveProfile() call (the one acknowledged, or one cut off by the kill),
 *    and every session in History() is whole.
 *
 * One kill in eight lands while chaird starts (opening the store,
 * recovering its WAL); the others land while the client works.
 *
 * Usage: daemon-crash [--seed N] CHAIRD PROGRAMS_DIR [KILLS]  (default 200)
 * Prints the counts; exits 1 if a write was lost or torn, or chaird did
 * anything but work or die by the SIGKILL.
 */
#include <dbus/dbus.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "benchproc.h"

#define CHAIR "org.chaird.Chair1"
#define PATH "/org/chaird/Chair1"
#define N_NAMES 6
#define USEC_PER_MIN (UINT64_C(60) * 1000000)
/* The kill comes this long (at most) after the check, or after the spawn. */
#define KILL_WINDOW_USEC 600000
#define STARTUP_KILL_WINDOW_USEC 60000
#define STARTUP_KILL_EVERY 8
/* History() returns at most 1000 sessions: check the newest of them. */
#define HISTORY_CHECKED 900
#define CALL_TIMEOUT_MS 10000

static const char *const programs[] = { "swedish", "relax", "shiatsu" };
static const char *const zones[] = { "neck", "shoulders", "upper-back",
				     "mid-back", "lower-back", "sacrum" };

static char dir[80];
static char log_path[120];
static const char *chaird_bin, *programs_dir;

/* --- what each write writes ---------------------------------------------- */

/* Every field of a profile follows from the sequence number of the
 * SaveProfile() that wrote it, so a profile mixing two writes shows. */
struct settings {
	const char *program;
	uint32_t shoulder_mm, intensity, heat;
	uint64_t duration_usec;
	const char *focus;
};

static struct settings settings_of(long k)
{
	return (struct settings){
		.program = programs[k % 3],
		.shoulder_mm = 400 + (uint32_t)(k % 300),
		.intensity = 1 + (uint32_t)(k % 5),
		.heat = (uint32_t)(k % 4),
		.duration_usec = (5 + (uint64_t)(k % 26)) * USEC_PER_MIN,
		.focus = zones[(k / 3) % 6],
	};
}

static bool settings_equal(const struct settings *a, const struct settings *b)
{
	return a->program && b->program && !strcmp(a->program, b->program) &&
	       a->shoulder_mm == b->shoulder_mm && a->intensity == b->intensity &&
	       a->heat == b->heat && a->duration_usec == b->duration_usec && a->focus &&
	       b->focus && !strcmp(a->focus, b->focus);
}

/* Per profile name: the last acknowledged write, and one cut off by a kill
 * after it (which may or may not have reached the disk); -1 for none. */
static struct {
	long acked, pending;
} prof[N_NAMES];

struct session_ack {
	uint64_t start_usec, length_usec;
	char program[32], profile[32], finished[24];
};

static struct session_ack *sessions;
static size_t n_sessions;

static struct {
	unsigned kills, startup_kills, checks;
	unsigned long saves, session_ends, cut_off;
	unsigned long lost, torn;
} count;

/* --- the kill ------------------------------------------------------------ */

static volatile sig_atomic_t killed;
static volatile pid_t victim;

static void on_alarm(int sig)
{
	(void)sig;
	if (victim > 0)
		kill(victim, SIGKILL);
	killed = 1;
}

static void arm(uint64_t usec)
{
	struct itimerval it = { 0 };

	usec = usec ? usec : 1;
	it.it_value.tv_sec = (time_t)(usec / 1000000);
	it.it_value.tv_usec = (suseconds_t)(usec % 1000000);
	setitimer(ITIMER_REAL, &it, NULL);
}

__attribute__((format(printf, 1, 2), noreturn)) static void fail(const char *fmt, ...)
{
	char buf[4096];
	FILE *f = fopen(log_path, "re");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	va_list ap;

	if (f)
		fclose(f);
	buf[n] = 0;
	fprintf(stderr, "daemon-crash: after %u kills: ", count.kills);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nchaird's log:\n%s\n", buf);
	exit(1);
}

/* --- D-Bus --------------------------------------------------------------- */

/* The reply, or NULL once chaird was killed; any other error fails. */
static DBusMessage *send_call(DBusConnection *c, DBusMessage *m)
{
	DBusError e;
	DBusMessage *r;

	dbus_error_init(&e);
	r = dbus_connection_send_with_reply_and_block(c, m, CALL_TIMEOUT_MS, &e);
	dbus_message_unref(m);
	if (r || killed) {
		dbus_error_free(&e);
		return r;
	}
	fail("%s: %s", e.name, e.message);
}

static DBusMessage *new_call(const char *method)
{
	return dbus_message_new_method_call(CHAIR, PATH, CHAIR, method);
}

static void name_of(int i, char *buf, size_t n)
{
	snprintf(buf, n, "person %d", i);
}

static long seq; /* the next SaveProfile()'s sequence number */

static bool save(DBusConnection *c, int i)
{
	long k = seq++;
	struct settings s = settings_of(k);
	DBusMessage *m = new_call("SaveProfile"), *r;
	DBusMessageIter it, d;
	char name[32], *p = name;

	name_of(i, name, sizeof(name));
	dbus_message_iter_init_append(m, &it);
	dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &p);
	dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{sv}", &d);
	bench_dict_entry(&d, "program", DBUS_TYPE_STRING, &s.program);
	bench_dict_entry(&d, "shoulder_mm", DBUS_TYPE_UINT32, &s.shoulder_mm);
	bench_dict_entry(&d, "intensity", DBUS_TYPE_UINT32, &s.intensity);
	bench_dict_entry(&d, "heat", DBUS_TYPE_UINT32, &s.heat);
	bench_dict_entry(&d, "duration_usec", DBUS_TYPE_UINT64, &s.duration_usec);
	bench_dict_entry(&d, "focus", DBUS_TYPE_STRING, &s.focus);
	dbus_message_iter_close_container(&it, &d);
	prof[i].pending = k;
	r = send_call(c, m);
	if (!r)
		return false;
	dbus_message_unref(r);
	prof[i].acked = k;
	prof[i].pending = -1;
	count.saves++;
	return true;
}

/* Reads the basic value of a variant whose type is @p type, if it is. */
static bool variant_get(DBusMessageIter *var, int type, void *ret)
{
	if (dbus_message_iter_get_arg_type(var) != type)
		return false;
	dbus_message_iter_get_basic(var, ret);
	return true;
}

struct record {
	const char *program, *profile, *finished, *focus;
	uint64_t start_usec, length_usec, duration_usec;
	uint32_t shoulder_mm, intensity, heat;
};

/* Fills @p rec from an a{sv}; other keys are left alone. */
static void read_dict(DBusMessageIter *dict, struct record *rec)
{
	DBusMessageIter d, e, v;

	for (dbus_message_iter_recurse(dict, &d);
	     dbus_message_iter_get_arg_type(&d) == DBUS_TYPE_DICT_ENTRY; dbus_message_iter_next(&d)) {
		const char *key;

		dbus_message_iter_recurse(&d, &e);
		dbus_message_iter_get_basic(&e, &key);
		dbus_message_iter_next(&e);
		dbus_message_iter_recurse(&e, &v);
		if (!strcmp(key, "program"))
			variant_get(&v, DBUS_TYPE_STRING, &rec->program);
		else if (!strcmp(key, "profile"))
			variant_get(&v, DBUS_TYPE_STRING, &rec->profile);
		else if (!strcmp(key, "finished"))
			variant_get(&v, DBUS_TYPE_STRING, &rec->finished);
		else if (!strcmp(key, "focus"))
			variant_get(&v, DBUS_TYPE_STRING, &rec->focus);
		else if (!strcmp(key, "start_usec"))
			variant_get(&v, DBUS_TYPE_UINT64, &rec->start_usec);
		else if (!strcmp(key, "length_usec"))
			variant_get(&v, DBUS_TYPE_UINT64, &rec->length_usec);
		else if (!strcmp(key, "duration_usec"))
			variant_get(&v, DBUS_TYPE_UINT64, &rec->duration_usec);
		else if (!strcmp(key, "shoulder_mm"))
			variant_get(&v, DBUS_TYPE_UINT32, &rec->shoulder_mm);
		else if (!strcmp(key, "intensity"))
			variant_get(&v, DBUS_TYPE_UINT32, &rec->intensity);
		else if (!strcmp(key, "heat"))
			variant_get(&v, DBUS_TYPE_UINT32, &rec->heat);
	}
}

static DBusMessage *history(DBusConnection *c, uint32_t limit)
{
	DBusMessage *m = new_call("History");
	DBusMessageIter it, d;

	dbus_message_iter_init_append(m, &it);
	dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{sv}", &d);
	bench_dict_entry(&d, "limit", DBUS_TYPE_UINT32, &limit);
	dbus_message_iter_close_container(&it, &d);
	return send_call(c, m);
}

/* --- the check after a restart ------------------------------------------- */

static int name_index(const char *name)
{
	int i;

	if (sscanf(name, "person %d", &i) != 1 || i < 0 || i >= N_NAMES)
		return -1;
	return i;
}

static bool check_profiles(DBusConnection *c)
{
	DBusMessage *r = send_call(c, new_call("ListProfiles"));
	DBusMessageIter it, arr, st;
	bool seen[N_NAMES] = { false };

	if (!r)
		return false;
	dbus_message_iter_init(r, &it);
	for (dbus_message_iter_recurse(&it, &arr);
	     dbus_message_iter_get_arg_type(&arr) == DBUS_TYPE_STRUCT; dbus_message_iter_next(&arr)) {
		struct record rec = { 0 };
		struct settings got, want;
		const char *name;
		int i;

		dbus_message_iter_recurse(&arr, &st);
		dbus_message_iter_get_basic(&st, &name);
		dbus_message_iter_next(&st);
		read_dict(&st, &rec);
		i = name_index(name);
		if (i < 0 || (prof[i].acked < 0 && prof[i].pending < 0)) {
			count.torn++;
			fail("a profile '%s' that was never saved", name);
		}
		seen[i] = true;
		got = (struct settings){ rec.program, rec.shoulder_mm, rec.intensity, rec.heat,
					 rec.duration_usec, rec.focus };
		/* The write cut off by the kill may have landed: it is then
		 * as durable as an acknowledged one. */
		if (prof[i].pending >= 0 && (want = settings_of(prof[i].pending),
					     settings_equal(&got, &want))) {
			prof[i].acked = prof[i].pending;
		} else if (prof[i].acked >= 0 && (want = settings_of(prof[i].acked),
						  settings_equal(&got, &want))) {
			/* as acknowledged */
		} else {
			count.torn++;
			fail("profile '%s' is not what any one SaveProfile() wrote "
			     "(program %s, shoulder %u, intensity %u, heat %u, %" PRIu64 " min, "
			     "focus %s; acknowledged write %ld, unacknowledged %ld)",
			     name, rec.program ? rec.program : "-", rec.shoulder_mm, rec.intensity,
			     rec.heat, rec.duration_usec / USEC_PER_MIN, rec.focus ? rec.focus : "-",
			     prof[i].acked, prof[i].pending);
		}
		prof[i].pending = -1;
	}
	dbus_message_unref(r);
	for (int i = 0; i < N_NAMES; i++) {
		if (prof[i].acked >= 0 && !seen[i]) {
			count.lost++;
			fail("profile 'person %d' was acknowledged (write %ld) and is gone", i,
			     prof[i].acked);
		}
		prof[i].pending = -1;
	}
	return true;
}

static bool one_of(const char *s, const char *const *v, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (!strcmp(s, v[i]))
			return true;
	return false;
}

static bool check_history(DBusConnection *c)
{
	static const char *const endings[] = { "completed", "stopped", "unknown" };
	DBusMessage *r = history(c, 1000);
	DBusMessageIter it, arr;
	struct record *v = NULL;
	unsigned long cut_off = 0;
	size_t n = 0;

	if (!r)
		return false;
	dbus_message_iter_init(r, &it);
	for (dbus_message_iter_recurse(&it, &arr);
	     dbus_message_iter_get_arg_type(&arr) == DBUS_TYPE_ARRAY; dbus_message_iter_next(&arr)) {
		struct record rec = { 0 };

		read_dict(&arr, &rec);
		if (!one_of(rec.program, programs, 3) || name_index(rec.profile ? rec.profile : "") < 0 ||
		    !one_of(rec.finished, endings, 3) || !rec.start_usec) {
			count.torn++;
			fail("a session in History() is not whole (program %s, profile %s, ended %s)",
			     rec.program ? rec.program : "-", rec.profile ? rec.profile : "-",
			     rec.finished ? rec.finished : "-");
		}
		cut_off += !strcmp(rec.finished, "unknown");
		v = realloc(v, (n + 1) * sizeof(*v));
		v[n++] = rec;
	}
	for (size_t i = n_sessions > HISTORY_CHECKED ? n_sessions - HISTORY_CHECKED : 0;
	     i < n_sessions; i++) {
		const struct session_ack *a = &sessions[i];
		bool found = false;

		for (size_t j = 0; j < n && !found; j++)
			found = v[j].start_usec == a->start_usec && !strcmp(v[j].program, a->program) &&
				!strcmp(v[j].profile, a->profile) && !strcmp(v[j].finished, a->finished) &&
				v[j].length_usec == a->length_usec;
		if (!found) {
			count.lost++;
			fail("the %s session of '%s' that History() had shown %s is gone or changed",
			     a->program, a->profile, a->finished);
		}
	}
	count.cut_off = cut_off;
	free(v);
	dbus_message_unref(r);
	return true;
}

static void check_log(void)
{
	char buf[8192];
	FILE *f = fopen(log_path, "re");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = 0;
	if (!strstr(buf, "Profiles and history in ") || strstr(buf, "damaged") ||
	    strstr(buf, "nothing will be remembered"))
		fail("the store did not open cleanly");
}

/* --- the client's work --------------------------------------------------- */

static void drain(DBusConnection *c)
{
	DBusMessage *m;

	dbus_connection_read_write(c, 0);
	while ((m = dbus_connection_pop_message(c)))
		dbus_message_unref(m);
}

/* Waits for SessionFinished; false if chaird was killed first. */
static bool wait_finished(DBusConnection *c)
{
	uint64_t deadline = bench_mono_usec() + 20000000;

	while (!killed) {
		DBusMessage *m;
		bool done = false;

		if (bench_mono_usec() > deadline)
			fail("no SessionFinished within 20 s");
		dbus_connection_read_write(c, 20);
		while ((m = dbus_connection_pop_message(c))) {
			done |= dbus_message_is_signal(m, CHAIR, "SessionFinished");
			dbus_message_unref(m);
		}
		if (done)
			return true;
	}
	return false;
}

/* A short session with profile @p i, ended by Stop() or run to its end;
 * History() then shows it ended, which acknowledges its record. */
static bool session(DBusConnection *c, int i, bool stop_it)
{
	uint64_t five = 5 * USEC_PER_MIN;
	const char *expect = settings_of(prof[i].acked).program;
	struct session_ack a = { 0 };
	struct record rec = { 0 };
	DBusMessage *m = new_call("Start"), *r;
	DBusMessageIter it, d, arr;
	char name[32], *p = name;
	const char *none = "";

	name_of(i, name, sizeof(name));
	dbus_message_iter_init_append(m, &it);
	dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &none);
	dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{sv}", &d);
	bench_dict_entry(&d, "profile", DBUS_TYPE_STRING, &p);
	bench_dict_entry(&d, "duration_usec", DBUS_TYPE_UINT64, &five);
	dbus_message_iter_close_container(&it, &d);
	r = send_call(c, m);
	if (!r)
		return false;
	dbus_message_unref(r);
	/* A write while the session runs. */
	if (!save(c, (i + 1) % N_NAMES))
		return false;
	if (stop_it) {
		r = send_call(c, new_call("Stop"));
		if (!r)
			return false;
		dbus_message_unref(r);
	}
	if (!wait_finished(c) || !(r = history(c, 1)))
		return false;
	dbus_message_iter_init(r, &it);
	dbus_message_iter_recurse(&it, &arr);
	if (dbus_message_iter_get_arg_type(&arr) == DBUS_TYPE_ARRAY)
		read_dict(&arr, &rec);
	if (!rec.program || strcmp(rec.program, expect) || !rec.profile || strcmp(rec.profile, name) ||
	    !rec.finished || strcmp(rec.finished, stop_it ? "stopped" : "completed"))
		fail("History() does not show the session that just ended (%s of '%s', %s): "
		     "it shows %s of '%s', %s", expect, name, stop_it ? "stopped" : "completed",
		     rec.program ? rec.program : "-", rec.profile ? rec.profile : "-",
		     rec.finished ? rec.finished : "-");
	a.start_usec = rec.start_usec;
	a.length_usec = rec.length_usec;
	snprintf(a.program, sizeof(a.program), "%s", rec.program);
	snprintf(a.profile, sizeof(a.profile), "%s", rec.profile);
	snprintf(a.finished, sizeof(a.finished), "%s", rec.finished);
	dbus_message_unref(r);
	sessions = realloc(sessions, (n_sessions + 1) * sizeof(*sessions));
	sessions[n_sessions++] = a;
	count.session_ends++;
	return true;
}

static void work(DBusConnection *c)
{
	for (;;) {
		int i = (int)(lrand48() % N_NAMES);

		if (!save(c, i) || !save(c, (i + 2) % N_NAMES))
			return;
		if (!session(c, i, lrand48() % 2))
			return;
	}
}

/* --- one life of chaird -------------------------------------------------- */

/* Starts chaird, checks the store, and lets the client work until the
 * kill. The @p last life is only checked, and ends with SIGTERM. */
static void life(DBusConnection *c, unsigned n, bool last)
{
	char notify[100], state[120];
	char *argv[] = { (char *)chaird_bin, "--sim", "--session", "--time-scale", "1000",
			 "--programs", (char *)programs_dir, "--state-dir", state, NULL };
	bool at_start = !last && n % STARTUP_KILL_EVERY == STARTUP_KILL_EVERY - 1;
	int fd = bench_notify_socket(dir, notify, sizeof(notify)), st;
	pid_t pid;

	snprintf(state, sizeof(state), "%s/state", dir);
	drain(c);
	killed = 0;
	pid = bench_spawn(argv, notify, log_path);
	victim = pid;
	if (at_start)
		arm((uint64_t)(lrand48() % STARTUP_KILL_WINDOW_USEC));
	if (bench_wait_ready(fd, 10000, &killed)) {
		/* The check first; then the kill may come at any moment. */
		check_log();
		if (check_profiles(c) && check_history(c)) {
			count.checks++;
			if (last) {
				victim = 0;
				kill(pid, SIGTERM);
				waitpid(pid, NULL, 0);
				close(fd);
				return;
			}
			if (!at_start)
				arm((uint64_t)(lrand48() % KILL_WINDOW_USEC));
			work(c);
		}
	} else if (!killed) {
		fail("chaird sent no READY=1 within 10 s");
	}
	/* work() returns only once a call failed, which it may only do after
	 * the kill (else it fails the test). */
	while (!killed)
		pause();
	if (waitpid(pid, &st, 0) != pid)
		fail("waitpid: %m");
	victim = 0;
	close(fd);
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
		fail("chaird ended by itself (status %d) instead of by the SIGKILL", st);
	count.kills++;
	count.startup_kills += at_start;
}

static void usage(void)
{
	bench_die("usage: daemon-crash [--seed N] CHAIRD PROGRAMS_DIR [KILLS]");
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	unsigned kills = 200;
	long seed = 1;
	uint64_t t0 = bench_mono_usec();
	DBusConnection *c;
	DBusError e;
	pid_t bus;
	int a = 1;

	if (argc > 2 && !strcmp(argv[1], "--seed")) {
		seed = atol(argv[2]);
		a = 3;
	}
	if (argc - a < 2 || argc - a > 3)
		usage();
	chaird_bin = argv[a];
	programs_dir = argv[a + 1];
	if (argc - a == 3 && (kills = (unsigned)atoi(argv[a + 2])) < 1)
		usage();
	srand48(seed);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 0; i < N_NAMES; i++)
		prof[i].acked = prof[i].pending = -1;
	sigaction(SIGALRM, &sa, NULL); /* no SA_RESTART: a wait ends at the kill */
	snprintf(dir, sizeof(dir), "%s/chaird-crash-XXXXXX",
		 getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : P_tmpdir);
	if (!mkdtemp(dir))
		bench_die("mkdtemp: %m");
	snprintf(log_path, sizeof(log_path), "%s/chaird.log", dir);
	bus = bench_start_bus(dir);
	c = bench_connect();
	dbus_error_init(&e);
	dbus_bus_add_match(c, "type='signal',interface='" CHAIR "',member='SessionFinished'", &e);
	if (dbus_error_is_set(&e))
		bench_die("AddMatch: %s", e.message);

	while (count.kills < kills)
		life(c, count.kills, false);
	life(c, count.kills, true); /* the last kill is checked too */
	printf("daemon-crash: %u kills (%u while chaird started), %u complete checks after a "
	       "restart (one cut short by a kill is done at the next start)\n"
	       "  acknowledged writes: %lu profile saves, %lu session ends\n"
	       "  sessions cut off by a kill (kept with no ending): %lu\n"
	       "  lost: %lu, torn: %lu, in %.1f s\n",
	       count.kills, count.startup_kills, count.checks, count.saves, count.session_ends,
	       count.cut_off, count.lost, count.torn, (double)(bench_mono_usec() - t0) / 1e6);
	dbus_connection_close(c);
	dbus_connection_unref(c);
	kill(bus, SIGTERM);
	waitpid(bus, NULL, 0);
	{
		char cmd[200];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "daemon-crash: could not remove %s\n", dir);
	}
	return count.lost || count.torn ? 1 : 0;
}
