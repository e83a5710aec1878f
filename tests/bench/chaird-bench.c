// SPDX-License-Identifier: MIT
/*
 * chaird's performance figures, each as median and p99 over repeated runs,
 * measured in one run beside a minimal libdbus echo service built with the
 * same sd-event glue. It prints the figures against their targets; it
 * never passes or fails on a time.
 *
 * Usage: chaird-bench [--only FIGURE,...] [--stop-trials N] [--load-samples N]
 *                     CHAIRD PROGRAMS_DIR
 * Needs dbus-daemon; starts its own private bus. The figures are ready,
 * idle, getall, session, load, store, stop, queued-stop and button
 * (default: all).
 */
#include <dbus/dbus.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "benchproc.h"
#include "bus-glue.h"

#define CHAIR "org.chaird.Chair1"
#define STOP_NAME "org.chaird.Stop1" /* serves only EmergencyStop() */
#define PATH "/org/chaird/Chair1"
#define ECHO "org.chaird.BenchEcho"
/* Enough stops that p99 is a percentile, not the slowest of a few. */
#define STOP_SAMPLES 150
/* EmergencyStop() behind another client's flood of this many calls. */
#define QUEUED_CALLS 5000
#define QUEUED_STOP_TRIALS 200
/* Lateness samples under load (one per actuator change), and the longest
 * the load may run to collect them. */
#define LOAD_SAMPLES 1000
#define LOAD_MAX_SECONDS 180

static char dir[80]; /* the notify socket path must stay under 108 bytes */
static const char *chaird_bin, *programs_dir;
static char bench_programs[128];
static char stop_socket[128]; /* chaird's stop socket, in dir */
static const char *only; /* comma-separated figures, NULL for all */
static int stop_trials = QUEUED_STOP_TRIALS;
static size_t load_samples = LOAD_SAMPLES;

static bool want(const char *figure)
{
	size_t n = strlen(figure);

	for (const char *p = only; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, figure, n) && (p[n] == ',' || !p[n]))
			return true;
	return !only;
}


/* A program that changes its outputs often (friction reverses the roller
 * several times a second), so that the engine's lateness is sampled at
 * many actuator changes. */
static const char bench_program[] =
	"id = bench-friction\n"
	"name = Benchmark friction\n"
	"description = Quick friction over the whole back, for measuring.\n"
	"duration = 30min\n"
	"[main]\n"
	"friction neck..sacrum speed=5 depth=1 width=narrow time=10min\n";

static void write_bench_program(void)
{
	char path[200];
	FILE *f;

	snprintf(bench_programs, sizeof(bench_programs), "%s/programs", dir);
	mkdir(bench_programs, 0755);
	snprintf(path, sizeof(path), "%s/bench-friction.program", bench_programs);
	f = fopen(path, "we");
	if (!f)
		bench_die("cannot write %s: %m", path);
	fputs(bench_program, f);
	fclose(f);
}

/* --- statistics ---------------------------------------------------------- */

struct series {
	double *v;
	size_t n, alloc;
};

static void add(struct series *s, double x)
{
	if (s->n == s->alloc) {
		s->alloc = s->alloc ? s->alloc * 2 : 64;
		s->v = realloc(s->v, s->alloc * sizeof(double));
	}
	s->v[s->n++] = x;
}

static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(struct series *s, double p)
{
	size_t i;

	if (!s->n)
		return 0;
	qsort(s->v, s->n, sizeof(double), cmpd);
	i = (size_t)(p / 100.0 * (double)(s->n - 1) + 0.5);
	return s->v[i];
}

static void report(const char *what, struct series *s, const char *unit, double target,
		   bool target_is_p99, const char *target_text)
{
	double med = pct(s, 50), p99 = pct(s, 99);
	double judged = target_is_p99 ? p99 : med;

	printf("  %-46s %10.3f %10.3f %-6s n=%-5zu target %-16s %s\n", what, med, p99, unit, s->n,
	       target_text, target >= 1e9 ? "" : judged <= target ? "met" : "NOT MET");
}

/* --- processes ----------------------------------------------------------- */

/* Starts chaird and returns its pid; *ret_ready_usec is exec-to-READY.
 * With @p state_dir it keeps profiles and history there. */
static pid_t start_chaird(const char *scale, const char *trace, const char *state_dir,
			  double *ret_ready_usec)
{
	char notify[100];
	int fd = bench_notify_socket(dir, notify, sizeof(notify));
	char *argv[16] = { (char *)chaird_bin, "--sim", "--session", "--programs",
			   (char *)programs_dir, "--programs", bench_programs, "--time-scale",
			   (char *)scale };
	int n = 9;
	uint64_t t0 = bench_mono_usec();
	pid_t pid;

	if (trace) {
		argv[n++] = "--trace";
		argv[n++] = (char *)trace;
	}
	if (state_dir) {
		argv[n++] = "--state-dir";
		argv[n++] = (char *)state_dir;
	}
	snprintf(stop_socket, sizeof(stop_socket), "%s/stop", dir);
	argv[n++] = "--stop-socket";
	argv[n++] = stop_socket;
	pid = bench_spawn(argv, notify, NULL);
	if (!bench_wait_ready(fd, 10000, NULL))
		bench_die("chaird sent no READY=1");
	if (ret_ready_usec)
		*ret_ready_usec = (double)(bench_mono_usec() - t0);
	close(fd);
	return pid;
}

static void stop(pid_t pid)
{
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

/* --- D-Bus helpers ------------------------------------------------------- */

static DBusMessage *call(DBusConnection *c, const char *dest, const char *iface,
			 const char *method, int first_type, ...)
{
	DBusMessage *m = dbus_message_new_method_call(dest, PATH, iface, method), *r;
	DBusError e;
	va_list ap;

	if (first_type != DBUS_TYPE_INVALID) {
		va_start(ap, first_type);
		dbus_message_append_args_valist(m, first_type, ap);
		va_end(ap);
	}
	dbus_error_init(&e);
	r = dbus_connection_send_with_reply_and_block(c, m, 10000, &e);
	dbus_message_unref(m);
	if (!r)
		bench_die("%s.%s: %s", iface, method, e.message);
	return r;
}

static void call_void(DBusConnection *c, const char *method)
{
	dbus_message_unref(call(c, CHAIR, CHAIR, method, DBUS_TYPE_INVALID));
}

static DBusMessage *get_all(DBusConnection *c, const char *dest)
{
	const char *iface = CHAIR;

	return call(c, dest, DBUS_INTERFACE_PROPERTIES, "GetAll", DBUS_TYPE_STRING, &iface,
		    DBUS_TYPE_INVALID);
}

static void start_session(DBusConnection *c, const char *program)
{
	DBusMessage *m = dbus_message_new_method_call(CHAIR, PATH, CHAIR, "Start"), *r;
	DBusMessageIter it, d;
	DBusError e;

	dbus_message_iter_init_append(m, &it);
	dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &program);
	dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{sv}", &d);
	dbus_message_iter_close_container(&it, &d);
	dbus_error_init(&e);
	r = dbus_connection_send_with_reply_and_block(c, m, 10000, &e);
	dbus_message_unref(m);
	if (!r)
		bench_die("Start: %s", e.message);
	dbus_message_unref(r);
}

static void sim_bool(DBusConnection *c, const char *method, bool v)
{
	dbus_bool_t b = v;

	dbus_message_unref(call(c, CHAIR, "org.chaird.Simulator1", method, DBUS_TYPE_BOOLEAN, &b,
				DBUS_TYPE_INVALID));
}

/* --- the trace ----------------------------------------------------------- */

static uint64_t field(const char *line, const char *key)
{
	const char *p = strstr(line, key);

	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

static bool outputs_all_off(const char *line)
{
	const char *o = strstr(line, "\"outputs\":{");
	const char *end = o ? strchr(o, '}') : NULL;
	const char *t = o ? strstr(o, "true") : NULL;

	return o && (!t || t > end);
}

/* Reads the trace lines written since *offset. */
static size_t read_trace(const char *path, long *offset, char ***ret)
{
	FILE *f = fopen(path, "re");
	char line[4096];
	char **v = NULL;
	size_t n = 0;

	if (!f)
		bench_die("cannot open the trace: %m");
	fseek(f, *offset, SEEK_SET);
	while (fgets(line, sizeof(line), f)) {
		v = realloc(v, (n + 1) * sizeof(char *));
		v[n++] = strdup(line);
	}
	*offset = ftell(f);
	fclose(f);
	*ret = v;
	return n;
}

static long trace_end(const char *path)
{
	FILE *f = fopen(path, "re");
	long end;

	fseek(f, 0, SEEK_END);
	end = ftell(f);
	fclose(f);
	return end;
}

static void free_lines(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Waits (on a deadline) for a trace line with any output on. */
static void wait_moving(const char *trace)
{
	uint64_t deadline = bench_mono_usec() + 20000000;
	long off = trace_end(trace);

	while (bench_mono_usec() < deadline) {
		char **v;
		size_t n = read_trace(trace, &off, &v);
		bool moving = false;

		for (size_t i = 0; i < n; i++)
			moving |= !outputs_all_off(v[i]);
		free_lines(v, n);
		if (moving)
			return;
		usleep(2000);
	}
	bench_die("the session never drove an output");
}

/* --- /proc --------------------------------------------------------------- */

static uint64_t ctx_switches(pid_t pid)
{
	char path[64], line[256];
	uint64_t total = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "ctxt_switches:"))
			total += strtoull(strchr(line, ':') + 1, NULL, 10);
	if (f)
		fclose(f);
	return total;
}

/* CPU time from the scheduler's own count, in nanoseconds: exact, where
 * /proc/PID/stat counts in 10 ms ticks. */
static double cpu_seconds(pid_t pid)
{
	char path[64];
	unsigned long long ns = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", pid);
	f = fopen(path, "re");
	if (!f || fscanf(f, "%llu", &ns) != 1)
		bench_die("cannot read %s", path);
	fclose(f);
	return (double)ns / 1e9;
}

static double pss_kb(pid_t pid)
{
	char path[64], line[256];
	double kb = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "Pss:", 4) == 0)
			kb = strtod(line + 4, NULL);
	if (f)
		fclose(f);
	return kb;
}

/* --- the echo service ---------------------------------------------------- */

struct echo {
	DBusMessage *reply_template;
};

static DBusHandlerResult echo_message(DBusConnection *c, DBusMessage *msg, void *data)
{
	struct echo *e = data;
	DBusMessage *reply;

	if (!dbus_message_is_method_call(msg, DBUS_INTERFACE_PROPERTIES, "GetAll"))
		return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
	/* The same body as chaird's reply, built once: only the bus and the
	 * dispatch are left to measure. */
	reply = dbus_message_copy(e->reply_template);
	dbus_message_set_reply_serial(reply, dbus_message_get_serial(msg));
	dbus_message_set_destination(reply, dbus_message_get_sender(msg));
	dbus_message_set_sender(reply, NULL);
	dbus_connection_send(c, reply, NULL);
	dbus_message_unref(reply);
	return DBUS_HANDLER_RESULT_HANDLED;
}

static void echo_main(void)
{
	static const DBusObjectPathVTable vt = { .message_function = echo_message };
	struct echo e;
	sd_event *ev = NULL;
	struct bus_glue *g = NULL;
	DBusConnection *c = bench_connect();
	DBusError err;

	dbus_error_init(&err);
	e.reply_template = get_all(c, CHAIR);
	dbus_connection_register_object_path(c, PATH, &vt, &e);
	if (bus_request_name(c, ECHO, &err) < 0)
		bench_die("echo: cannot own %s", ECHO);
	sd_event_default(&ev);
	bus_glue_attach(c, ev, 0, &g);
	sd_event_loop(ev);
	_exit(0);
}

static pid_t start_echo(void)
{
	pid_t pid = fork();

	if (pid == 0)
		echo_main();
	return pid;
}

static void wait_name(DBusConnection *c, const char *name)
{
	DBusError e;

	dbus_error_init(&e);
	for (int i = 0; i < 1000; i++) {
		if (dbus_bus_name_has_owner(c, name, &e))
			return;
		usleep(5000);
	}
	bench_die("%s never appeared", name);
}

/* --- load: clients calling GetAll as fast as they can -------------------- */

static volatile bool load_stop;

static void *load_thread(void *arg)
{
	DBusConnection *c = bench_connect();
	unsigned long *count = arg;

	while (!load_stop) {
		dbus_message_unref(get_all(c, CHAIR));
		(*count)++;
	}
	dbus_connection_close(c);
	dbus_connection_unref(c);
	return NULL;
}

/* --- the figures --------------------------------------------------------- */

static void bench_ready(void)
{
	struct series s = { 0 };

	for (int i = 0; i < 20; i++) {
		double us;
		pid_t pid = start_chaird("1", NULL, NULL, &us);

		add(&s, us / 1000.0);
		stop(pid);
	}
	report("start to READY=1", &s, "ms", 50, true, "<= 50 ms");
}

static void bench_getall(DBusConnection *c, struct series *chair, struct series *echo)
{
	for (int round = 0; round < 20; round++) {
		for (int i = 0; i < 100; i++) {
			uint64_t t0 = bench_mono_usec();

			dbus_message_unref(get_all(c, CHAIR));
			add(chair, (double)(bench_mono_usec() - t0));
		}
		for (int i = 0; i < 100; i++) {
			uint64_t t0 = bench_mono_usec();

			dbus_message_unref(get_all(c, ECHO));
			add(echo, (double)(bench_mono_usec() - t0));
		}
	}
}

static void lateness(const char *trace, long *off, struct series *s)
{
	char **v;
	size_t n = read_trace(trace, off, &v);

	for (size_t i = 0; i < n; i++)
		if (strstr(v[i], "\"state\":\"running\""))
			add(s, (double)field(v[i], "\"late_usec\":"));
	free_lines(v, n);
}

/* Latency from @p t0 (or the traced edge) to the trace line where every
 * output is off. */
static double safe_latency(const char *trace, long off, uint64_t t0, bool from_edge)
{
	char **v;
	size_t n = read_trace(trace, &off, &v);
	double lat = -1;

	for (size_t i = 0; i < n && lat < 0; i++) {
		if (!outputs_all_off(v[i]) || !strstr(v[i], "\"state\":\"emergency-stop\""))
			continue;
		if (from_edge)
			lat = (double)(field(v[i], "\"mono_usec\":") - field(v[i], "\"edge_usec\":"));
		else
			lat = (double)(field(v[i], "\"mono_usec\":") - t0);
	}
	free_lines(v, n);
	if (lat < 0)
		bench_die("no all-safe trace line after the stop");
	return lat;
}

/* --- EmergencyStop behind a flood ------------------------------------------ */

/* Sends @p n GetAll calls on @p c without waiting for their replies. */
static void flood(DBusConnection *c, int n)
{
	const char *iface = CHAIR;

	for (int i = 0; i < n; i++) {
		DBusMessage *m = dbus_message_new_method_call(CHAIR, PATH, DBUS_INTERFACE_PROPERTIES,
							      "GetAll");

		dbus_message_append_args(m, DBUS_TYPE_STRING, &iface, DBUS_TYPE_INVALID);
		if (!dbus_connection_send(c, m, NULL))
			bench_die("out of memory");
		dbus_message_unref(m);
	}
	dbus_connection_flush(c);
}

/* Reads what has arrived on @p c, waiting up to @p timeout_ms for the
 * first of it; returns the number of replies and errors popped. */
static int drain(DBusConnection *c, int timeout_ms)
{
	DBusMessage *m;
	int n = 0, k;

	do {
		if (!dbus_connection_read_write(c, timeout_ms))
			bench_die("the flooding client lost its connection");
		timeout_ms = 0;
		k = 0;
		while ((m = dbus_connection_pop_message(c))) {
			int t = dbus_message_get_type(m);

			k += t == DBUS_MESSAGE_TYPE_METHOD_RETURN || t == DBUS_MESSAGE_TYPE_ERROR;
			dbus_message_unref(m);
		}
		n += k;
	} while (k);
	return n;
}

/* A client that sends QUEUED_CALLS calls at once, then reads the replies
 * as they come. */
struct flooder {
	DBusConnection *c;
	atomic_int answered;
	atomic_bool sent;
};

static void *flood_thread(void *arg)
{
	struct flooder *fl = arg;

	flood(fl->c, QUEUED_CALLS);
	/* What the daemon answered while the flood was being written is no
	 * longer queued. */
	atomic_fetch_add(&fl->answered, drain(fl->c, 0));
	atomic_store(&fl->sent, true);
	while (atomic_load(&fl->answered) < QUEUED_CALLS)
		atomic_fetch_add(&fl->answered, drain(fl->c, 10000));
	return NULL;
}

/* A peer-to-peer connection to chaird's stop socket, authenticated (a Ping)
 * before any stop is timed. */
static DBusConnection *connect_stop_socket(void)
{
	char address[160];
	DBusConnection *p;
	DBusError e;

	snprintf(address, sizeof(address), "unix:path=%s", stop_socket);
	dbus_error_init(&e);
	p = dbus_connection_open_private(address, &e);
	if (!p)
		bench_die("the stop socket %s: %s", stop_socket, e.message);
	dbus_message_unref(call(p, NULL, DBUS_INTERFACE_PEER, "Ping", DBUS_TYPE_INVALID));
	return p;
}

/* One EmergencyStop() behind a flood: its round trip and its call to safe,
 * sent on @p stop_c (the bus, or the stop socket) to @p dest. */
static void queued_stop_trial(DBusConnection *c, const char *trace, struct flooder *fl,
			      DBusConnection *stop_c, const char *dest, struct series *rtt,
			      struct series *safe, struct series *queued)
{
	pthread_t th;
	uint64_t t0, t1;
	long off;

	start_session(c, "bench-friction");
	wait_moving(trace);
	off = trace_end(trace);
	atomic_store(&fl->answered, 0);
	atomic_store(&fl->sent, false);
	pthread_create(&th, NULL, flood_thread, fl);
	while (!atomic_load(&fl->sent))
		usleep(100);
	add(queued, QUEUED_CALLS - atomic_load(&fl->answered));
	t0 = bench_mono_usec();
	dbus_message_unref(call(stop_c, dest, CHAIR, "EmergencyStop", DBUS_TYPE_INVALID));
	t1 = bench_mono_usec();
	add(rtt, (double)(t1 - t0));
	add(safe, safe_latency(trace, off, t0, false));
	pthread_join(th, NULL);
	call_void(c, "Reset");
}

/*
 * Another client sends QUEUED_CALLS GetAll calls to the main name without
 * waiting, then EmergencyStop() is called, in turn at the stop name (which
 * has a connection of its own), at the main name (behind the flood) and
 * over the stop socket (past the bus daemon):
 * its round trip (call to reply), and its call to all outputs safe (from
 * the trace).
 */
static void bench_queued_stop(DBusConnection *c, const char *trace)
{
	struct series rtt[3] = { 0 }, safe[3] = { 0 }, queued = { 0 };
	static const char *const dest[3] = { STOP_NAME, CHAIR, NULL };
	struct flooder fl = { .c = bench_connect() };
	DBusConnection *peer = connect_stop_socket();

	for (int i = 0; i < 3 * stop_trials; i++)
		queued_stop_trial(c, trace, &fl, i % 3 == 2 ? peer : c, dest[i % 3], &rtt[i % 3],
				  &safe[i % 3], &queued);
	report("EmergencyStop round trip, 5000 calls queued", &rtt[0], "us", 2000, true,
	       "p99 <= 2 ms");
	report("EmergencyStop call to safe, 5000 calls queued", &safe[0], "us", 1e9, true, "-");
	report("  the same, sent to " CHAIR " (behind them)", &rtt[1], "us", 1e9, true, "-");
	report("  its call to safe", &safe[1], "us", 1e9, true, "-");
	report("  the same, over the stop socket (past the bus)", &rtt[2], "us", 2000, true,
	       "p99 <= 2 ms");
	report("  its call to safe", &safe[2], "us", 1e9, true, "-");
	report("  (calls still unanswered as the stop was sent)", &queued, "calls", 1e9, false, "-");
	dbus_connection_close(fl.c);
	dbus_connection_unref(fl.c);
	dbus_connection_close(peer);
	dbus_connection_unref(peer);
	for (int i = 0; i < 3; i++) {
		free(rtt[i].v);
		free(safe[i].v);
	}
	free(queued.v);
}

static void usage(void)
{
	bench_die("usage: chaird-bench [--only FIGURE,...] [--stop-trials N] [--load-samples N] "
	    "CHAIRD PROGRAMS_DIR\n"
	    "figures: ready, idle, getall, session, load, store, stop, queued-stop, button");
}

static void parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "only", required_argument, NULL, 'o' },
		{ "stop-trials", required_argument, NULL, 's' },
		{ "load-samples", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) >= 0) {
		switch (c) {
		case 'o':
			only = optarg;
			break;
		case 's':
			stop_trials = atoi(optarg);
			if (stop_trials < 1)
				bench_die("--stop-trials wants a number of trials, 1 or more");
			break;
		case 'l':
			if (atoi(optarg) < 1)
				bench_die("--load-samples wants a number of samples, 1 or more");
			load_samples = (size_t)atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2)
		usage();
	chaird_bin = argv[optind];
	programs_dir = argv[optind + 1];
}

/* 4 clients calling GetAll as fast as they can, until load_samples
 * lateness samples (one per actuator change) are in. */
static void bench_load(DBusConnection *c, const char *trace)
{
	struct series late = { 0 };
	unsigned long counts[4] = { 0 };
	pthread_t th[4];
	uint64_t t0 = bench_mono_usec(), elapsed;
	long off = trace_end(trace);

	load_stop = false;
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, load_thread, &counts[i]);
	do {
		sleep(1);
		lateness(trace, &off, &late);
		elapsed = bench_mono_usec() - t0;
	} while (late.n < load_samples && elapsed < LOAD_MAX_SECONDS * UINT64_C(1000000));
	load_stop = true;
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	report("engine lateness, 4 clients calling GetAll", &late, "us", 1000, true,
	       "p99 <= 1 ms");
	printf("  %-46s %10.0f calls/s over %.0f s\n", "  (load achieved)",
	       (double)(counts[0] + counts[1] + counts[2] + counts[3]) / ((double)elapsed / 1e6),
	       (double)elapsed / 1e6);
	free(late.v);
}

/* --- store: a client saving profiles while a session runs --------------- */

struct saver {
	struct series rtt; /* SaveProfile round trip, ms */
	volatile bool stop;
};

static void save_profile(DBusConnection *c, unsigned k)
{
	DBusMessage *m = dbus_message_new_method_call(CHAIR, PATH, CHAIR, "SaveProfile"), *r;
	DBusMessageIter it, d;
	char name[32], *pname = name;
	uint32_t intensity = 1 + k % 5;
	DBusError err;

	snprintf(name, sizeof(name), "bench %u", k % 10);
	dbus_message_iter_init_append(m, &it);
	dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &pname);
	dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{sv}", &d);
	bench_dict_entry(&d, "intensity", DBUS_TYPE_UINT32, &intensity);
	dbus_message_iter_close_container(&it, &d);
	dbus_error_init(&err);
	r = dbus_connection_send_with_reply_and_block(c, m, 10000, &err);
	dbus_message_unref(m);
	if (!r)
		bench_die("SaveProfile: %s", err.message);
	dbus_message_unref(r);
}

static void *saver_thread(void *arg)
{
	struct saver *sv = arg;
	DBusConnection *c = bench_connect();

	for (unsigned k = 0; !sv->stop; k++) {
		uint64_t t0 = bench_mono_usec();

		save_profile(c, k);
		add(&sv->rtt, (double)(bench_mono_usec() - t0) / 1000.0);
	}
	dbus_connection_close(c);
	dbus_connection_unref(c);
	return NULL;
}

/* A client saving profiles back to back (each flushed to the disk before
 * its reply), while the session runs at real time. */
/* @p n emergency stops during a session: call to all outputs safe, stamped
 * in the HAL; the session starts again after each. */
static void sample_stops(DBusConnection *c, const char *trace, int n, struct series *s)
{
	for (int i = 0; i < n; i++) {
		uint64_t t0;
		long off;

		wait_moving(trace);
		off = trace_end(trace);
		t0 = bench_mono_usec();
		call_void(c, "EmergencyStop");
		add(s, safe_latency(trace, off, t0, false));
		call_void(c, "Reset");
		start_session(c, "bench-friction");
	}
}

static void bench_store(DBusConnection *c, const char *trace)
{
	struct series late = { 0 }, estop = { 0 };
	struct saver sv = { 0 };
	pthread_t th;
	uint64_t t0 = bench_mono_usec(), elapsed;
	long off = trace_end(trace);

	pthread_create(&th, NULL, saver_thread, &sv);
	do {
		sleep(1);
		lateness(trace, &off, &late);
		elapsed = bench_mono_usec() - t0;
	} while (late.n < load_samples && elapsed < LOAD_MAX_SECONDS * UINT64_C(1000000));
	/* The saves go on while the chair is stopped. */
	sample_stops(c, trace, STOP_SAMPLES, &estop);
	sv.stop = true;
	pthread_join(th, NULL);
	report("engine lateness, a client saving profiles", &late, "us", 1000, true,
	       "p99 <= 1 ms");
	report("EmergencyStop call to safe, a client saving profiles", &estop, "us", 1000, true,
	       "p99 <= 1 ms");
	report("  (SaveProfile round trip, flushed)", &sv.rtt, "ms", 1e9, true, "-");
	printf("  %-46s %10.0f saves/s over %.0f s\n", "  (load achieved)",
	       (double)sv.rtt.n / ((double)elapsed / 1e6), (double)elapsed / 1e6);
	free(late.v);
	free(estop.v);
	free(sv.rtt.v);
}

int main(int argc, char **argv)
{
	char trace[320], state[320];
	pid_t bus, chaird, echo = 0;
	DBusConnection *c;
	struct series ga = { 0 }, ge = { 0 }, ratio = { 0 }, ratio99 = { 0 };
	struct series wake = { 0 }, cpu = { 0 }, pss = { 0 }, late_rest = { 0 };
	struct series estop = { 0 }, button = { 0 };
	long off;

	parse_args(argc, argv);
	snprintf(dir, sizeof(dir), "%s/chaird-bench-XXXXXX",
		 getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : P_tmpdir);
	if (!mkdtemp(dir))
		bench_die("mkdtemp: %m");
	snprintf(trace, sizeof(trace), "%s/trace.jsonl", dir);
	write_bench_program();
	bus = bench_start_bus(dir);
	setvbuf(stdout, NULL, _IOLBF, 0);

	printf("chaird benchmark: median and p99\n\n");
	printf("  %-46s %10s %10s\n", "figure", "median", "p99");
	if (want("ready"))
		bench_ready();

	snprintf(state, sizeof(state), "%s/state", dir);
	chaird = start_chaird("1", trace, want("store") ? state : NULL, NULL);
	c = bench_connect();
	wait_name(c, CHAIR);

	/* Idle: wakeups and memory. */
	if (want("idle")) {
		sleep(2);
		for (int i = 0; i < 5; i++) {
			uint64_t a = ctx_switches(chaird);

			sleep(4);
			add(&wake, (double)(ctx_switches(chaird) - a) / 4.0);
			add(&pss, pss_kb(chaird) / 1024.0);
		}
		report("wakeups per second, idle", &wake, "/s", 1, false, "<= 1 /s");
	}

	/* GetAll against the echo service. */
	if (want("getall")) {
		echo = start_echo();
		wait_name(c, ECHO);
		for (int r = 0; r < 3; r++) {
			struct series a = { 0 }, e = { 0 };

			bench_getall(c, &a, &e);
			add(&ratio, pct(&a, 50) / pct(&e, 50));
			add(&ratio99, pct(&a, 99) / pct(&e, 99));
			for (size_t i = 0; i < a.n; i++)
				add(&ga, a.v[i]);
			for (size_t i = 0; i < e.n; i++)
				add(&ge, e.v[i]);
			free(a.v);
			free(e.v);
		}
		report("GetAll round trip, chaird", &ga, "us", 1e9, false, "-");
		report("GetAll round trip, echo service", &ge, "us", 1e9, false, "-");
		printf("  %-46s %10.3f %10.3f %-6s n=%-5zu target %-16s %s\n",
		       "GetAll ratio chaird / echo (per run: median)", pct(&ratio, 50),
		       pct(&ratio99, 50), "x", ratio.n, "<= 1.2x",
		       pct(&ratio, 50) <= 1.2 ? "met" : "NOT MET");
	}

	/* A session at real time: CPU and lateness at rest, then under load. */
	start_session(c, "bench-friction");
	wait_moving(trace);
	if (want("session")) {
		off = trace_end(trace);
		for (int i = 0; i < 4; i++) {
			double a = cpu_seconds(chaird);
			uint64_t t0 = bench_mono_usec();

			sleep(5);
			add(&cpu, 100.0 * (cpu_seconds(chaird) - a) /
					  ((double)(bench_mono_usec() - t0) / 1e6));
			add(&pss, pss_kb(chaird) / 1024.0);
		}
		lateness(trace, &off, &late_rest);
		report("CPU while a session runs at real time", &cpu, "%", 1, false, "<= 1 % core");
		report("engine lateness, at rest", &late_rest, "us", 1000, true, "p99 <= 1 ms");
	}
	if (want("load"))
		bench_load(c, trace);
	if (want("store"))
		bench_store(c, trace);

	/* EmergencyStop(): call to all outputs safe, stamped in the HAL. */
	if (want("stop")) {
		sample_stops(c, trace, STOP_SAMPLES, &estop);
		report("EmergencyStop call to all outputs safe", &estop, "us", 1000, true,
		       "p99 <= 1 ms");
	}

	if (want("queued-stop")) {
		call_void(c, "EmergencyStop");
		call_void(c, "Reset");
		bench_queued_stop(c, trace);
		start_session(c, "bench-friction");
	}

	/* The stop button, inside the daemon: edge to all outputs safe. */
	for (int i = 0; want("button") && i < STOP_SAMPLES; i++) {
		wait_moving(trace);
		off = trace_end(trace);
		sim_bool(c, "SetEmergencyButton", true);
		add(&button, safe_latency(trace, off, 0, true));
		sim_bool(c, "SetEmergencyButton", false);
		call_void(c, "Reset");
		start_session(c, "bench-friction");
	}
	if (want("button"))
		report("stop button to all outputs safe (in daemon)", &button, "us", 200, true,
		       "p99 <= 200 us");
	if (pss.n)
		report("Pss", &pss, "MB", 2, false, "<= 2 MB");

	if (echo) {
		kill(echo, SIGTERM);
		waitpid(echo, NULL, 0);
	}
	stop(chaird);
	dbus_connection_close(c);
	dbus_connection_unref(c);
	stop(bus);
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "chaird-bench: could not remove %s\n", dir);
	}
	return 0;
}
