// SPDX-License-Identifier: MIT
/*
 * chairctl: control a massage chair through chaird's D-Bus API.
 *
 * Exit status: 0 success, 1 an error from the daemon (its message is
 * printed), 2 a usage error, 3 the daemon cannot be reached.
 */
#include <ctype.h>
#include <dbus/dbus.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "chair-names.h"
#include "config.h"
#include "hw.h"
#include "wording.h"
#include "quote.h"

#define EXIT_DAEMON 1
#define EXIT_USAGE 2
#define EXIT_UNREACHABLE 3

#define CALL_TIMEOUT_MS 25000
#define SCAN_TIMEOUT_MS 120000
/* Connecting and calling over the stop socket, before the bus is tried. */
#define STOP_SOCKET_TIMEOUT_MS 2000

struct ctx {
	DBusConnection *bus;
	bool session;
	/* Why the bus could not be reached; reported at the first call, so
	 * that a command line's own mistakes are found first. */
	char bus_error[256];
};

struct command {
	const char *name;
	const char *args;
	const char *summary;
	int (*fn)(struct ctx *c, const struct command *cmd, int argc, char **argv);
	/* For the commands that are one call: the method, and what to print
	 * when it succeeds (for intensity and heat: the accepted range). */
	const char *method;
	const char *message;
};

static const struct command commands[];

/* --- output helpers ------------------------------------------------------ */

__attribute__((format(printf, 1, 2))) static void err(const char *fmt, ...)
{
	va_list ap;

	fputs("chairctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static bool unreachable(const char *name)
{
	static const char *const names[] = {
		DBUS_ERROR_SERVICE_UNKNOWN, DBUS_ERROR_NAME_HAS_NO_OWNER, DBUS_ERROR_NO_SERVER,
		DBUS_ERROR_DISCONNECTED, DBUS_ERROR_NO_REPLY, DBUS_ERROR_TIMEOUT,
		"org.freedesktop.DBus.Error.Spawn.ServiceNotFound",
		"org.freedesktop.DBus.Error.Spawn.ChildExited",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

/* Errors that say the command line asked for something wrong. */
static bool usage_error(const char *name)
{
	return strcmp(name, DBUS_ERROR_INVALID_ARGS) == 0 ||
	       strcmp(name, CHAIR_ERROR_UNKNOWN_PROGRAM) == 0;
}

/* Prints the error as a sentence and returns the exit status for it. */
static int report(const struct ctx *c, DBusError *e)
{
	int r = EXIT_DAEMON;
	bool late = strcmp(e->name, DBUS_ERROR_NO_REPLY) == 0 || strcmp(e->name, DBUS_ERROR_TIMEOUT) == 0;

	if (unreachable(e->name)) {
		if (late && c->session)
			err("chaird did not answer in time. Is it still running on the session bus?");
		else if (late)
			err("chaird did not answer in time. Is it running? (systemctl status chaird)");
		else if (c->session)
			err("chaird is not running on the session bus, so the chair cannot be reached. "
			    "Start it there first (for a simulated chair: chaird --session --sim).");
		else
			err("chaird is not running on this bus, so the chair cannot be reached. "
			    "Start it with 'systemctl start chaird'.");
		r = EXIT_UNREACHABLE;
	} else {
		err("%s", e->message ? e->message : e->name);
		if (usage_error(e->name))
			r = EXIT_USAGE;
	}
	dbus_error_free(e);
	return r;
}

/* What a method of the API does, in words, for a refusal. */
static const char *action_words(const char *member)
{
	static const struct {
		const char *member, *words;
	} actions[] = {
		{ "Start", "start a session" },
		{ "Pause", "pause the session" },
		{ "Resume", "resume the session" },
		{ "SetIntensity", "change the intensity" },
		{ "SetHeat", "change the heat" },
		{ "Reset", "reset the chair" },
		{ "Scan", "scan the body" },
		{ "Reload", "reload the programs" },
		{ "ListProfiles", "list the saved profiles" },
		{ "SaveProfile", "save a profile" },
		{ "DeleteProfile", "delete a profile" },
		{ "History", "read the session history" },
		{ "Feedback", "give feedback on a session" },
		{ "Recommend", "ask for a recommendation" },
	};

	for (size_t i = 0; member && i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strcmp(member, actions[i].member) == 0)
			return actions[i].words;
	return "do this";
}

/* The bus daemon refused the call under the chair's D-Bus policy (its
 * own text begins "Rejected send message"): say so in words. */
static bool refused_by_policy(const DBusError *e)
{
	return strcmp(e->name, DBUS_ERROR_ACCESS_DENIED) == 0 && e->message &&
	       strncmp(e->message, "Rejected send message", 21) == 0;
}

static int report_refusal(const char *member, DBusError *e)
{
	err("You are not allowed to %s: only members of group 'chair' (and root) may. "
	    "Stopping the chair is always allowed.", action_words(member));
	dbus_error_free(e);
	return EXIT_DAEMON;
}

/* The bus, or NULL once the reason it cannot be reached is printed. */
static DBusConnection *bus_of(const struct ctx *c)
{
	if (!c->bus)
		err("cannot connect to the %s bus, so the chair cannot be reached: %s",
		    c->session ? "session" : "system", c->bus_error);
	return c->bus;
}

static DBusMessage *new_call_to(const char *dest, const char *iface, const char *method)
{
	DBusMessage *m = dbus_message_new_method_call(dest, CHAIR_OBJECT_PATH, iface, method);

	if (!m) {
		err("out of memory");
		exit(EXIT_DAEMON);
	}
	return m;
}

static DBusMessage *new_call(const char *iface, const char *method)
{
	return new_call_to(CHAIR_BUS_NAME, iface, method);
}

/* Sends @p call; on success returns the reply, else reports and sets *ret. */
static DBusMessage *send_call(struct ctx *c, DBusMessage *call, int timeout_ms, int *ret)
{
	DBusError e;
	DBusMessage *reply;

	if (!bus_of(c)) {
		dbus_message_unref(call);
		*ret = EXIT_UNREACHABLE;
		return NULL;
	}
	dbus_error_init(&e);
	reply = dbus_connection_send_with_reply_and_block(c->bus, call, timeout_ms, &e);
	if (!reply)
		*ret = refused_by_policy(&e) ? report_refusal(dbus_message_get_member(call), &e)
					     : report(c, &e);
	dbus_message_unref(call);
	return reply;
}

/* Sends @p call and returns the reply, or NULL without a word. */
static DBusMessage *try_call(struct ctx *c, DBusMessage *call)
{
	DBusMessage *reply = NULL;

	if (c->bus)
		reply = dbus_connection_send_with_reply_and_block(c->bus, call, CALL_TIMEOUT_MS, NULL);
	dbus_message_unref(call);
	return reply;
}

static int simple_call(struct ctx *c, const char *method, int type, const void *arg, int timeout)
{
	DBusMessage *call = new_call(CHAIR_INTERFACE, method), *reply;
	int r = 0;

	if (type != DBUS_TYPE_INVALID)
		dbus_message_append_args(call, type, arg, DBUS_TYPE_INVALID);
	reply = send_call(c, call, timeout, &r);
	if (reply)
		dbus_message_unref(reply);
	return r;
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *ret)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*ret = v;
	return true;
}

static void format_duration(uint64_t usec, char *buf, size_t n)
{
	uint64_t s = usec / 1000000;

	snprintf(buf, n, "%" PRIu64 ":%02" PRIu64, s / 60, s % 60);
}

/* --- reading properties -------------------------------------------------- */

#define MAX_STRINGS 16

struct strings {
	char v[MAX_STRINGS][256];
	int n;
};

enum {
	HAS_FOCUS = 1 << 0,
	HAS_AVOID = 1 << 1,
	HAS_CONDITIONS = 1 << 2,
	HAS_PHASE = 1 << 3,
	HAS_PAUSE_REASON = 1 << 4,
	HAS_ADJUSTMENTS = 1 << 5,
	HAS_AFTERCARE = 1 << 6,
};

struct status {
	char state[32];
	char program[128];
	char step[32];
	char zone[32];
	uint64_t elapsed, duration;
	uint32_t intensity, heat, shoulder;
	bool occupied;
	char temps[CHAIR_HEATER_COUNT][16];
	double temp[CHAIR_HEATER_COUNT];
	int n_temps;
	char faults[CHAIR_FAULT_COUNT][40];
	int n_faults;
	/* What the session applied, and why. An older chaird has none of
	 * these, so each is shown only when the daemon has it. */
	unsigned has;
	char focus[32];
	struct strings avoid, conditions, adjustments, aftercare;
	char phase[16];
	char pause_reason[32];
};

static void copy_str(DBusMessageIter *v, char *dst, size_t n)
{
	const char *s = "";

	if (dbus_message_iter_get_arg_type(v) == DBUS_TYPE_STRING)
		dbus_message_iter_get_basic(v, &s);
	snprintf(dst, n, "%s", s);
}

static void copy_strings(DBusMessageIter *v, struct strings *out)
{
	DBusMessageIter a;

	out->n = 0;
	if (dbus_message_iter_get_arg_type(v) != DBUS_TYPE_ARRAY)
		return;
	dbus_message_iter_recurse(v, &a);
	while (dbus_message_iter_get_arg_type(&a) == DBUS_TYPE_STRING && out->n < MAX_STRINGS) {
		copy_str(&a, out->v[out->n], sizeof(out->v[0]));
		out->n++;
		dbus_message_iter_next(&a);
	}
}

#define STR_FIELD(f) offsetof(struct status, f), sizeof(((struct status *)0)->f)
#define LIST_FIELD(f) offsetof(struct status, f), 0

/* What the session applied: a string, or a list when the size is 0. */
static const struct {
	const char *name;
	unsigned flag;
	size_t offset, size;
} session_props[] = {
	{ "Focus", HAS_FOCUS, STR_FIELD(focus) },
	{ "Avoid", HAS_AVOID, LIST_FIELD(avoid) },
	{ "Conditions", HAS_CONDITIONS, LIST_FIELD(conditions) },
	{ "Phase", HAS_PHASE, STR_FIELD(phase) },
	{ "PauseReason", HAS_PAUSE_REASON, STR_FIELD(pause_reason) },
	{ "Adjustments", HAS_ADJUSTMENTS, LIST_FIELD(adjustments) },
	{ "Aftercare", HAS_AFTERCARE, LIST_FIELD(aftercare) },
};

static bool read_session_property(struct status *st, const char *name, DBusMessageIter *v)
{
	for (size_t i = 0; i < sizeof(session_props) / sizeof(session_props[0]); i++) {
		char *field = (char *)st + session_props[i].offset;

		if (strcmp(name, session_props[i].name) != 0)
			continue;
		if (session_props[i].size)
			copy_str(v, field, session_props[i].size);
		else
			copy_strings(v, (struct strings *)field);
		st->has |= session_props[i].flag;
		return true;
	}
	return false;
}

static void read_property(struct status *st, const char *name, DBusMessageIter *v)
{
	if (read_session_property(st, name, v)) {
		return;
	} else if (strcmp(name, "State") == 0) {
		copy_str(v, st->state, sizeof(st->state));
	} else if (strcmp(name, "Program") == 0) {
		copy_str(v, st->program, sizeof(st->program));
	} else if (strcmp(name, "Step") == 0) {
		copy_str(v, st->step, sizeof(st->step));
	} else if (strcmp(name, "Zone") == 0) {
		copy_str(v, st->zone, sizeof(st->zone));
	} else if (strcmp(name, "ElapsedUSec") == 0) {
		dbus_message_iter_get_basic(v, &st->elapsed);
	} else if (strcmp(name, "DurationUSec") == 0) {
		dbus_message_iter_get_basic(v, &st->duration);
	} else if (strcmp(name, "Intensity") == 0) {
		dbus_message_iter_get_basic(v, &st->intensity);
	} else if (strcmp(name, "Heat") == 0) {
		dbus_message_iter_get_basic(v, &st->heat);
	} else if (strcmp(name, "ShoulderMm") == 0) {
		dbus_message_iter_get_basic(v, &st->shoulder);
	} else if (strcmp(name, "Occupied") == 0) {
		dbus_bool_t b;

		dbus_message_iter_get_basic(v, &b);
		st->occupied = b;
	} else if (strcmp(name, "Temperatures") == 0) {
		DBusMessageIter a;

		st->n_temps = 0;
		dbus_message_iter_recurse(v, &a);
		while (dbus_message_iter_get_arg_type(&a) == DBUS_TYPE_DICT_ENTRY &&
		       st->n_temps < CHAIR_HEATER_COUNT) {
			DBusMessageIter e;
			const char *k;

			dbus_message_iter_recurse(&a, &e);
			dbus_message_iter_get_basic(&e, &k);
			dbus_message_iter_next(&e);
			dbus_message_iter_get_basic(&e, &st->temp[st->n_temps]);
			snprintf(st->temps[st->n_temps], sizeof(st->temps[0]), "%s", k);
			st->n_temps++;
			dbus_message_iter_next(&a);
		}
	} else if (strcmp(name, "Faults") == 0) {
		DBusMessageIter a;

		st->n_faults = 0;
		dbus_message_iter_recurse(v, &a);
		while (dbus_message_iter_get_arg_type(&a) == DBUS_TYPE_STRING &&
		       st->n_faults < CHAIR_FAULT_COUNT) {
			const char *f;

			dbus_message_iter_get_basic(&a, &f);
			snprintf(st->faults[st->n_faults++], sizeof(st->faults[0]), "%s", f);
			dbus_message_iter_next(&a);
		}
	}
}

/* Reads an a{sv} of properties into @p st. */
static void read_properties(struct status *st, DBusMessageIter *dict)
{
	DBusMessageIter a;

	dbus_message_iter_recurse(dict, &a);
	while (dbus_message_iter_get_arg_type(&a) == DBUS_TYPE_DICT_ENTRY) {
		DBusMessageIter e, v;
		const char *name;

		dbus_message_iter_recurse(&a, &e);
		dbus_message_iter_get_basic(&e, &name);
		dbus_message_iter_next(&e);
		dbus_message_iter_recurse(&e, &v);
		read_property(st, name, &v);
		dbus_message_iter_next(&a);
	}
}

/* Applies a PropertiesChanged signal to @p st; false for any other message. */
static bool read_changes(struct status *st, DBusMessage *msg)
{
	DBusMessageIter it;

	if (!dbus_message_is_signal(msg, DBUS_INTERFACE_PROPERTIES, "PropertiesChanged"))
		return false;
	dbus_message_iter_init(msg, &it);
	dbus_message_iter_next(&it);
	read_properties(st, &it);
	return true;
}

static int get_status(struct ctx *c, struct status *st)
{
	DBusMessage *call = new_call(DBUS_INTERFACE_PROPERTIES, "GetAll"), *reply;
	const char *iface = CHAIR_INTERFACE;
	DBusMessageIter it;
	int r = 0;

	memset(st, 0, sizeof(*st));
	dbus_message_append_args(call, DBUS_TYPE_STRING, &iface, DBUS_TYPE_INVALID);
	reply = send_call(c, call, CALL_TIMEOUT_MS, &r);
	if (!reply)
		return r;
	dbus_message_iter_init(reply, &it);
	read_properties(st, &it);
	dbus_message_unref(reply);
	return 0;
}

/* --- commands ------------------------------------------------------------ */

static int usage_for(const char *name)
{
	for (const struct command *cmd = commands; cmd->name; cmd++)
		if (strcmp(cmd->name, name) == 0) {
			fprintf(stderr, "Usage: chairctl %s%s%s\n", cmd->name, *cmd->args ? " " : "",
				cmd->args);
			break;
		}
	return EXIT_USAGE;
}

/* Handles --help for a command that takes no options; returns -1 to go on. */
static int no_options(int argc, char **argv, const char *name)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			for (const struct command *cmd = commands; cmd->name; cmd++)
				if (strcmp(cmd->name, name) == 0)
					printf("Usage: chairctl %s%s%s\n\n%s\n", cmd->name,
					       *cmd->args ? " " : "", cmd->args, cmd->summary);
			return 0;
		}
	}
	return -1;
}

struct program_info {
	char id[65];
	char name[65];
	char character[16];
	uint64_t duration;
};

static void read_program(DBusMessageIter *s, struct program_info *p, DBusMessageIter *ret_details)
{
	const char *id, *name;
	DBusMessageIter d;

	memset(p, 0, sizeof(*p));
	dbus_message_iter_get_basic(s, &id);
	dbus_message_iter_next(s);
	dbus_message_iter_get_basic(s, &name);
	dbus_message_iter_next(s);
	snprintf(p->id, sizeof(p->id), "%s", id);
	snprintf(p->name, sizeof(p->name), "%s", name);
	*ret_details = *s;
	dbus_message_iter_recurse(s, &d);
	while (dbus_message_iter_get_arg_type(&d) == DBUS_TYPE_DICT_ENTRY) {
		DBusMessageIter e, v;
		const char *k;

		dbus_message_iter_recurse(&d, &e);
		dbus_message_iter_get_basic(&e, &k);
		dbus_message_iter_next(&e);
		dbus_message_iter_recurse(&e, &v);
		if (strcmp(k, "character") == 0)
			copy_str(&v, p->character, sizeof(p->character));
		else if (strcmp(k, "duration_usec") == 0)
			dbus_message_iter_get_basic(&v, &p->duration);
		dbus_message_iter_next(&d);
	}
}

static const char no_programs[] =
	"chaird has no programs: it found no program files where it looked (its log says "
	"where). Give it a directory with chaird --programs DIR; in the source tree that is "
	"data/programs.";

static DBusMessage *list_programs(struct ctx *c, int *ret)
{
	return send_call(c, new_call(CHAIR_INTERFACE, "ListPrograms"), CALL_TIMEOUT_MS, ret);
}

/* The name a person typed, or the one they meant: sets ret_id to the
 * program's id (ids are matched ignoring case) and returns 0, or prints
 * what is wrong and returns the exit status. */
static int resolve_program(struct ctx *c, const char *arg, char *ret_id, size_t n)
{
	DBusMessage *reply;
	DBusMessageIter it, arr;
	static char ids[128][65];
	const char *names[128];
	size_t count = 0;
	const char *hint;
	int r = 0;

	reply = list_programs(c, &r);
	if (!reply)
		return r;
	dbus_message_iter_init(reply, &it);
	dbus_message_iter_recurse(&it, &arr);
	for (; dbus_message_iter_get_arg_type(&arr) == DBUS_TYPE_STRUCT && count < 128;
	     dbus_message_iter_next(&arr)) {
		DBusMessageIter s;

		dbus_message_iter_recurse(&arr, &s);
		copy_str(&s, ids[count], sizeof(ids[0]));
		names[count] = ids[count];
		count++;
	}
	dbus_message_unref(reply);
	if (!count) {
		err("%s", no_programs);
		return EXIT_DAEMON;
	}
	for (size_t i = 0; i < count; i++)
		if (strcasecmp(names[i], arg) == 0) {
			snprintf(ret_id, n, "%s", names[i]);
			return 0;
		}
	hint = chair_suggest(arg, names, count);
	if (hint)
		err("There is no program '%s'. Did you mean '%s'? 'chairctl programs' lists them.",
		    CHAIR_QUOTE(arg), hint);
	else
		err("There is no program '%s'. 'chairctl programs' lists them.", CHAIR_QUOTE(arg));
	return EXIT_USAGE;
}

static int cmd_programs(struct ctx *c, const struct command *cmd, int argc, char **argv)
{
	DBusMessage *reply;
	DBusMessageIter it, arr;
	struct program_info p[128];
	size_t n = 0, wid = 2, wname = 4;
	int r = no_options(argc, argv, "programs");

	if (r >= 0)
		return r;
	if (argc > 1)
		return usage_for("programs");
	reply = list_programs(c, &r);
	if (!reply)
		return r;
	dbus_message_iter_init(reply, &it);
	dbus_message_iter_recurse(&it, &arr);
	while (dbus_message_iter_get_arg_type(&arr) == DBUS_TYPE_STRUCT && n < 128) {
		DBusMessageIter s, d;

		dbus_message_iter_recurse(&arr, &s);
		read_program(&s, &p[n], &d);
		if (strlen(p[n].id) > wid)
			wid = strlen(p[n].id);
		if (strlen(p[n].name) > wname)
			wname = strlen(p[n].name);
		n++;
		dbus_message_iter_next(&arr);
	}
	dbus_message_unref(reply);
	if (!n) {
		err("%s", no_programs);
		return 0;
	}
	printf("%-*s  %-*s  %8s  %s\n", (int)wid, "ID", (int)wname, "NAME", "DURATION", "CHARACTER");
	for (size_t i = 0; i < n; i++)
		printf("%-*s  %-*s  %4" PRIu64 " min  %s\n", (int)wid, p[i].id, (int)wname, p[i].name,
		       p[i].duration / 60000000, p[i].character);
	return 0;
}

static void print_wrapped(const char *indent, const char *text, size_t width)
{
	size_t col = 0;
	const char *w = text;

	fputs(indent, stdout);
	while (*w) {
		size_t len = strcspn(w, " ");

		if (col && col + 1 + len > width) {
			printf("\n%s", indent);
			col = 0;
		} else if (col) {
			putchar(' ');
			col++;
		}
		fwrite(w, 1, len, stdout);
		col += len;
		w += len;
		while (*w == ' ')
			w++;
	}
	putchar('\n');
}

static void print_step(DBusMessageIter *step, char *last_phase, size_t n)
{
	DBusMessageIter d;
	char phase[16] = "", tech[16] = "", zone[48] = "", air[64] = "";
	uint32_t speed = 0, depth = 0, cycles = 0;
	uint64_t t = 0, hold = 0;
	char end[32];

	dbus_message_iter_recurse(step, &d);
	while (dbus_message_iter_get_arg_type(&d) == DBUS_TYPE_DICT_ENTRY) {
		DBusMessageIter e, v;
		const char *k;

		dbus_message_iter_recurse(&d, &e);
		dbus_message_iter_get_basic(&e, &k);
		dbus_message_iter_next(&e);
		dbus_message_iter_recurse(&e, &v);
		if (strcmp(k, "phase") == 0)
			copy_str(&v, phase, sizeof(phase));
		else if (strcmp(k, "technique") == 0)
			copy_str(&v, tech, sizeof(tech));
		else if (strcmp(k, "zone") == 0)
			copy_str(&v, zone, sizeof(zone));
		else if (strcmp(k, "speed") == 0)
			dbus_message_iter_get_basic(&v, &speed);
		else if (strcmp(k, "depth") == 0)
			dbus_message_iter_get_basic(&v, &depth);
		else if (strcmp(k, "cycles") == 0)
			dbus_message_iter_get_basic(&v, &cycles);
		else if (strcmp(k, "time_usec") == 0)
			dbus_message_iter_get_basic(&v, &t);
		else if (strcmp(k, "hold_usec") == 0)
			dbus_message_iter_get_basic(&v, &hold);
		else if (strcmp(k, "air") == 0) {
			DBusMessageIter a;

			dbus_message_iter_recurse(&v, &a);
			while (dbus_message_iter_get_arg_type(&a) == DBUS_TYPE_STRING) {
				const char *z;

				dbus_message_iter_get_basic(&a, &z);
				snprintf(air + strlen(air), sizeof(air) - strlen(air), "%s%s",
					 *air ? "+" : "air ", z);
				dbus_message_iter_next(&a);
			}
		}
		dbus_message_iter_next(&d);
	}
	if (strcmp(phase, last_phase) != 0) {
		printf("\n  %s\n", phase);
		snprintf(last_phase, n, "%s", phase);
	}
	if (t)
		snprintf(end, sizeof(end), "for %" PRIu64 " s", t / 1000000);
	else
		snprintf(end, sizeof(end), "%u cycle%s", cycles, cycles == 1 ? "" : "s");
	printf("    %-9s %-22s speed %u  depth %u  %-12s", tech, zone, speed, depth, end);
	if (hold)
		printf("  hold %" PRIu64 " s", hold / 1000000);
	if (*air)
		printf("  %s", air);
	putchar('\n');
}

static int cmd_show(struct ctx *c, const struct command *cmd, int argc, char **argv)
{
	DBusMessage *reply;
	DBusMessageIter it, arr;
	int r = no_options(argc, argv, "show");
	bool found = false;
	char id[65];

	if (r >= 0)
		return r;
	if (argc != 2)
		return usage_for("show");
	r = resolve_program(c, argv[1], id, sizeof(id));
	if (r)
		return r;
	reply = list_programs(c, &r);
	if (!reply)
		return r;
	dbus_message_iter_init(reply, &it);
	dbus_message_iter_recurse(&it, &arr);
	for (; dbus_message_iter_get_arg_type(&arr) == DBUS_TYPE_STRUCT; dbus_message_iter_next(&arr)) {
		DBusMessageIter s, details, d;
		struct program_info p;
		char last_phase[16] = "";

		dbus_message_iter_recurse(&arr, &s);
		read_program(&s, &p, &details);
		if (strcmp(p.id, id) != 0)
			continue;
		found = true;
		printf("%s (%s)\n", p.name, p.id);
		printf("  %" PRIu64 " min, %s\n\n", p.duration / 60000000, p.character);
		dbus_message_iter_recurse(&details, &d);
		for (; dbus_message_iter_get_arg_type(&d) == DBUS_TYPE_DICT_ENTRY; dbus_message_iter_next(&d)) {
			DBusMessageIter e, v, a;
			const char *k;

			dbus_message_iter_recurse(&d, &e);
			dbus_message_iter_get_basic(&e, &k);
			dbus_message_iter_next(&e);
			dbus_message_iter_recurse(&e, &v);
			if (strcmp(k, "description") == 0) {
				const char *desc;

				dbus_message_iter_get_basic(&v, &desc);
				print_wrapped("  ", desc, 72);
			} else if (strcmp(k, "not_for") == 0) {
				dbus_message_iter_recurse(&v, &a);
				if (dbus_message_iter_get_arg_type(&a) != DBUS_TYPE_STRING)
					continue;
				printf("\n  Not for:");
				while (dbus_message_iter_get_arg_type(&a) == DBUS_TYPE_STRING) {
					const char *cond;

					dbus_message_iter_get_basic(&a, &cond);
					printf(" %s", cond);
					dbus_message_iter_next(&a);
				}
				putchar('\n');
			} else if (strcmp(k, "steps") == 0) {
				dbus_message_iter_recurse(&v, &a);
				while (dbus_message_iter_get_arg_type(&a) == DBUS_TYPE_ARRAY) {
					print_step(&a, last_phase, sizeof(last_phase));
					dbus_message_iter_next(&a);
				}
			}
		}
		break;
	}
	dbus_message_unref(reply);
	if (!found) {
		/* It went between the two calls (a reload). */
		err("There is no program '%s'. 'chairctl programs' lists them.",
		    CHAIR_QUOTE(argv[1]));
		return EXIT_USAGE;
	}
	return 0;
}

static void dict_add_uint(DBusMessageIter *d, const char *key, int type, uint64_t value)
{
	DBusMessageIter e, v;
	uint32_t u32 = (uint32_t)value;
	char sig[2] = { (char)type, 0 };

	dbus_message_iter_open_container(d, DBUS_TYPE_DICT_ENTRY, NULL, &e);
	dbus_message_iter_append_basic(&e, DBUS_TYPE_STRING, &key);
	dbus_message_iter_open_container(&e, DBUS_TYPE_VARIANT, sig, &v);
	if (type == DBUS_TYPE_UINT64)
		dbus_message_iter_append_basic(&v, type, &value);
	else
		dbus_message_iter_append_basic(&v, type, &u32);
	dbus_message_iter_close_container(&e, &v);
	dbus_message_iter_close_container(d, &e);
}

static void dict_add_strings(DBusMessageIter *d, const char *key, char **v, int n, bool list)
{
	DBusMessageIter e, var, a;

	dbus_message_iter_open_container(d, DBUS_TYPE_DICT_ENTRY, NULL, &e);
	dbus_message_iter_append_basic(&e, DBUS_TYPE_STRING, &key);
	dbus_message_iter_open_container(&e, DBUS_TYPE_VARIANT, list ? "as" : "s", &var);
	if (list) {
		dbus_message_iter_open_container(&var, DBUS_TYPE_ARRAY, "s", &a);
		for (int i = 0; i < n; i++)
			dbus_message_iter_append_basic(&a, DBUS_TYPE_STRING, &v[i]);
		dbus_message_iter_close_container(&var, &a);
	} else {
		dbus_message_iter_append_basic(&var, DBUS_TYPE_STRING, &v[0]);
	}
	dbus_message_iter_close_container(&e, &var);
	dbus_message_iter_close_container(d, &e);
}

/* The chair's session cap in minutes: from its Capabilities, or the hard
 * maximum when the daemon cannot say (the call that follows reports why). */
static uint64_t session_cap_minutes(struct ctx *c)
{
	DBusMessage *call = new_call(DBUS_INTERFACE_PROPERTIES, "Get"), *reply;
	const char *iface = CHAIR_INTERFACE, *prop = "Capabilities";
	uint64_t cap = CHAIR_HW_MAX_SESSION_USEC;
	DBusMessageIter it, v, d;

	dbus_message_append_args(call, DBUS_TYPE_STRING, &iface, DBUS_TYPE_STRING, &prop,
				 DBUS_TYPE_INVALID);
	reply = try_call(c, call);
	if (!reply)
		return cap / 60000000;
	dbus_message_iter_init(reply, &it);
	dbus_message_iter_recurse(&it, &v);
	if (dbus_message_iter_get_arg_type(&v) == DBUS_TYPE_ARRAY) {
		for (dbus_message_iter_recurse(&v, &d);
		     dbus_message_iter_get_arg_type(&d) == DBUS_TYPE_DICT_ENTRY;
		     dbus_message_iter_next(&d)) {
			DBusMessageIter e, val;
			const char *k;

			dbus_message_iter_recurse(&d, &e);
			dbus_message_iter_get_basic(&e, &k);
			dbus_message_iter_next(&e);
			dbus_message_iter_recurse(&e, &val);
			if (strcmp(k, "max_duration_usec") == 0 &&
			    dbus_message_iter_get_arg_type(&val) == DBUS_TYPE_UINT64)
				dbus_message_iter_get_basic(&val, &cap);
		}
	}
	dbus_message_unref(reply);
	return cap / 60000000;
}

/* The names of a table in chair-names.c, for "did you mean". */
static size_t table_names(const char *(*to_string)(int), int count, const char **out)
{
	size_t n = 0;

	for (int i = 0; i < count; i++)
		out[n++] = to_string(i);
	return n;
}

static const char *zone_name(int i)
{
	return chair_zone_to_string((enum chair_zone)i);
}

static const char *air_zone_name(int i)
{
	return chair_air_zone_to_string((enum chair_air_zone)i);
}

static const char *condition_name(int i)
{
	return chair_condition_to_string((enum chair_condition)i);
}

/* Prints "FLAG WORD is not ...; did you mean ...?" with the names to choose
 * from, and returns the usage exit status. */
static int bad_name(const char *flag, const char *word, const char *what, const char **names,
		    size_t n, const char *choices)
{
	const char *hint = chair_suggest(word, names, n);

	if (hint)
		err("%s %s is not %s. Did you mean %s %s? Use one of: %s.", flag, CHAIR_QUOTE(word),
		    what, flag, hint, choices);
	else
		err("%s %s is not %s. Use one of: %s.", flag, CHAIR_QUOTE(word), what, choices);
	return EXIT_USAGE;
}

static int check_focus(const char *focus)
{
	const char *names[CHAIR_ZONE_COUNT];
	size_t n = table_names(zone_name, CHAIR_ZONE_COUNT, names);

	if (chair_zone_from_string(focus) >= 0)
		return 0;
	if (chair_air_zone_from_string(focus) >= 0) {
		err("--focus takes a back zone, and %s is an airbag zone. Use one of: %s.", focus,
		    chair_zone_list());
		return EXIT_USAGE;
	}
	return bad_name("--focus", focus, "a back zone", names, n, chair_zone_list());
}

static int check_avoid(const char *zone)
{
	const char *names[CHAIR_ZONE_COUNT + CHAIR_AIR_COUNT];
	size_t n = table_names(zone_name, CHAIR_ZONE_COUNT, names);
	char choices[256];

	if (chair_zone_from_string(zone) >= 0 || chair_air_zone_from_string(zone) >= 0)
		return 0;
	n += table_names(air_zone_name, CHAIR_AIR_COUNT, names + n);
	snprintf(choices, sizeof(choices), "%s (back); %s (airbags)", chair_zone_list(),
		 chair_air_zone_list());
	return bad_name("--avoid", zone, "a zone", names, n, choices);
}

static int check_condition(const char *cond)
{
	const char *names[CHAIR_CONDITION_COUNT];
	size_t n = table_names(condition_name, CHAIR_CONDITION_COUNT, names);

	if (chair_condition_from_string(cond) >= 0)
		return 0;
	return bad_name("--condition", cond, "a condition chaird knows", names, n,
			chair_condition_list());
}

/* The checks Start() would make on the options alone, said in the flags'
 * own words. */
static int check_start_options(const char *focus, char **avoid, int n_avoid, char **conds,
			       int n_conds)
{
	int r;

	if (focus && (r = check_focus(focus)))
		return r;
	for (int i = 0; i < n_avoid; i++) {
		if ((r = check_avoid(avoid[i])))
			return r;
		if (focus && strcmp(focus, avoid[i]) == 0) {
			err("--focus %s and --avoid %s: a zone cannot be both.", focus, focus);
			return EXIT_USAGE;
		}
	}
	for (int i = 0; i < n_conds; i++) {
		bool needs_avoid;

		if ((r = check_condition(conds[i])))
			return r;
		needs_avoid = chair_condition_from_string(conds[i]) == CHAIR_COND_INFLAMMATION ||
			      chair_condition_from_string(conds[i]) == CHAIR_COND_RECENT_INJURY;
		if (needs_avoid && n_avoid == 0) {
			err("--condition %s needs at least one --avoid ZONE that says where "
			    "(for example --avoid lower-back).", conds[i]);
			return EXIT_USAGE;
		}
	}
	return 0;
}

static void print_list(const struct strings *l, const char *indent)
{
	for (int i = 0; i < l->n; i++)
		printf("%s%s\n", indent, l->v[i]);
}

/* Sends a Start call, says so when the session runs, and what chaird
 * changed from what was asked, and why. */
static int send_start(struct ctx *c, DBusMessage *call, const char *program)
{
	DBusMessage *reply;
	struct status st;
	int r = 0;

	reply = send_call(c, call, CALL_TIMEOUT_MS, &r);
	if (!reply)
		return r;
	dbus_message_unref(reply);
	printf("Started %s.\n", program);
	if (get_status(c, &st) == 0 && st.adjustments.n)
		print_list(&st.adjustments, "  ");
	return 0;
}

/* start, and profile save NAME (@p save_as): the same options. */
static int start_like(struct ctx *c, int argc, char **argv, const char *save_as)
{
	static const struct option opts[] = {
		{ "program", required_argument, NULL, 'p' },
		{ "profile", required_argument, NULL, 'P' },
		{ "minutes", required_argument, NULL, 'm' },
		{ "intensity", required_argument, NULL, 'i' },
		{ "focus", required_argument, NULL, 'f' },
		{ "avoid", required_argument, NULL, 'a' },
		{ "heat", required_argument, NULL, 'H' },
		{ "condition", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *program = NULL, *minutes_arg = NULL, *profile = NULL;
	char *focus = NULL, *avoid[16], *conds[16], id[65];
	int n_avoid = 0, n_conds = 0, o;
	unsigned long minutes = 0, intensity = 0, heat = 0;
	bool has_intensity = false, has_heat = false;
	uint64_t cap;
	DBusMessage *call;
	DBusMessageIter it, d;
	int r = 0;

	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":p:", opts, NULL)) >= 0) {
		switch (o) {
		case 'p':
			program = optarg;
			break;
		case 'P':
			if (save_as) {
				err("profile save takes no --profile; the name comes first");
				return EXIT_USAGE;
			}
			profile = optarg;
			break;
		case 'm':
			if (!parse_uint(optarg, 100000, &minutes)) {
				err("--minutes takes a whole number of minutes, such as --minutes 15");
				return EXIT_USAGE;
			}
			minutes_arg = optarg;
			break;
		case 'i':
			if (!parse_uint(optarg, 100000, &intensity) || intensity < 1 || intensity > 5) {
				err("--intensity %.16s is out of range; use 1 (softest) to 5 (firmest)",
				    optarg);
				return EXIT_USAGE;
			}
			has_intensity = true;
			break;
		case 'H':
			if (!parse_uint(optarg, 100000, &heat) || heat > 3) {
				err("--heat %.16s is out of range; use 0 (off) to 3", optarg);
				return EXIT_USAGE;
			}
			has_heat = true;
			break;
		case 'f':
			focus = optarg;
			break;
		case 'a':
			if (n_avoid >= 16) {
				err("too many --avoid zones");
				return EXIT_USAGE;
			}
			avoid[n_avoid++] = optarg;
			break;
		case 'c':
			if (n_conds >= 16) {
				err("too many --condition values");
				return EXIT_USAGE;
			}
			conds[n_conds++] = optarg;
			break;
		case 'h':
			printf("Usage: chairctl start --program ID [--minutes N] [--intensity N] [--focus ZONE]\n"
			       "                      [--avoid ZONE]... [--heat N] [--condition C]...\n\n"
			       "Starts a massage session.\n\n"
			       "  --program ID     the program ('chairctl programs' lists them; any case)\n"
			       "  --minutes N      the session length, 5 to 30, or up to the chair's cap\n"
			       "                   (default: the program's)\n"
			       "  --intensity N    1 (softest) to 5 (firmest), default 3\n"
			       "  --focus ZONE     a back zone to spend more time on\n"
			       "  --avoid ZONE     a zone that gets no pressure, kneading, tapping or air;\n"
			       "                   repeat for more zones (for swollen or inflamed areas)\n"
			       "  --heat N         0 (off) to 3 (default: the program's)\n"
			       "  --condition C    nerve-pain, inflammation, pregnancy, arthritis or\n"
			       "                   recent-injury; repeat for more. inflammation and\n"
			       "                   recent-injury need an --avoid zone that says where.\n\n"
			       "Back zones: %s\nAir zones: %s\n\n"
			       "chaird may adapt what you ask for (a condition turns heat off, a chair\n"
			       "caps the length); it then says what it changed, and why.\n",
			       chair_zone_list(), chair_air_zone_list());
			return 0;
		case ':':
			err("%s needs a value", argv[optind - 1]);
			return usage_for("start");
		default:
			err("unknown option '%s'", argv[optind - 1]);
			return usage_for("start");
		}
	}
	if (optind < argc) {
		err("unexpected argument '%s'", argv[optind]);
		return usage_for("start");
	}
	if (!program && !profile && !save_as) {
		err("start needs --program ID (or --profile NAME); 'chairctl programs' lists them");
		return usage_for("start");
	}
	r = check_start_options(focus, avoid, n_avoid, conds, n_conds);
	if (r)
		return r;
	if (minutes_arg) {
		cap = session_cap_minutes(c);
		if (minutes * 60000000 < CHAIR_HW_MIN_SESSION_USEC || minutes > cap) {
			err("--minutes %s is out of range; a session lasts 5 to %" PRIu64 " minutes%s",
			    minutes_arg, cap,
			    cap < CHAIR_HW_MAX_SESSION_USEC / 60000000 ? " on this chair" : "");
			return EXIT_USAGE;
		}
	}
	if (program) {
		r = resolve_program(c, program, id, sizeof(id));
		if (r)
			return r;
		program = id;
	}
	call = new_call(CHAIR_INTERFACE, save_as ? "SaveProfile" : "Start");
	dbus_message_iter_init_append(call, &it);
	if (save_as) {
		dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &save_as);
	} else {
		/* With a profile and no program: the profile's program. */
		const char *sent = program ? program : "";

		dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &sent);
	}
	dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{sv}", &d);
	if (save_as && program)
		dict_add_strings(&d, "program", (char **)&program, 1, false);
	if (profile)
		dict_add_strings(&d, "profile", (char **)&profile, 1, false);
	if (minutes_arg)
		dict_add_uint(&d, "duration_usec", DBUS_TYPE_UINT64, (uint64_t)minutes * 60000000);
	if (has_intensity)
		dict_add_uint(&d, "intensity", DBUS_TYPE_UINT32, intensity);
	if (has_heat)
		dict_add_uint(&d, "heat", DBUS_TYPE_UINT32, heat);
	if (focus)
		dict_add_strings(&d, "focus", &focus, 1, false);
	if (n_avoid)
		dict_add_strings(&d, "avoid", avoid, n_avoid, true);
	if (n_conds)
		dict_add_strings(&d, "conditions", conds, n_conds, true);
	dbus_message_iter_close_container(&it, &d);
	if (save_as) {
		DBusMessage *reply = send_call(c, call, CALL_TIMEOUT_MS, &r);

		if (!reply)
			return r;
		dbus_message_unref(reply);
		printf("Saved profile %s.\n", save_as);
		return 0;
	}
	if (!program) {
		char what[96];

		snprintf(what, sizeof(what), "%s's usual massage", profile);
		return send_start(c, call, what);
	}
	return send_start(c, call, program);
}

static int cmd_start(struct ctx *c, const struct command *cmd, int argc, char **argv)
{
	return start_like(c, argc, argv, NULL);
}

/* --- profiles and history ------------------------------------------------ */

static void json_string(const char *s);

/* A variant as text: s, u, t and as are all a profile or a session holds. */
static void variant_text(DBusMessageIter *v, char *buf, size_t n)
{
	DBusBasicValue b;
	DBusMessageIter a;

	buf[0] = 0;
	switch (dbus_message_iter_get_arg_type(v)) {
	case DBUS_TYPE_STRING:
		dbus_message_iter_get_basic(v, &b);
		snprintf(buf, n, "%s", b.str);
		break;
	case DBUS_TYPE_UINT32:
		dbus_message_iter_get_basic(v, &b);
		snprintf(buf, n, "%" PRIu32, b.u32);
		break;
	case DBUS_TYPE_UINT64:
		dbus_message_iter_get_basic(v, &b);
		snprintf(buf, n, "%" PRIu64, b.u64);
		break;
	case DBUS_TYPE_ARRAY:
		dbus_message_iter_recurse(v, &a);
		while (dbus_message_iter_get_arg_type(&a) == DBUS_TYPE_STRING) {
			dbus_message_iter_get_basic(&a, &b);
			snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", *buf ? ", " : "", b.str);
			dbus_message_iter_next(&a);
		}
		break;
	default:
		break;
	}
}

/* Prints an a{sv} as "key: value" lines; "learned" and "events" as lists. */
static void print_dict(DBusMessageIter *d, const char *indent)
{
	DBusMessageIter e, v;

	while (dbus_message_iter_get_arg_type(d) == DBUS_TYPE_DICT_ENTRY) {
		const char *key;
		char text[1024];

		dbus_message_iter_recurse(d, &e);
		dbus_message_iter_get_basic(&e, &key);
		dbus_message_iter_next(&e);
		dbus_message_iter_recurse(&e, &v);
		variant_text(&v, text, sizeof(text));
		if (*text)
			printf("%s%-14s %s\n", indent, key, text);
		dbus_message_iter_next(d);
	}
}

static int profile_list(struct ctx *c, const char *only)
{
	DBusMessage *reply = send_call(c, new_call(CHAIR_INTERFACE, "ListProfiles"),
				       CALL_TIMEOUT_MS, &(int){ 0 });
	DBusMessageIter it, arr, st, d;
	int found = 0;

	if (!reply)
		return EXIT_DAEMON;
	dbus_message_iter_init(reply, &it);
	dbus_message_iter_recurse(&it, &arr);
	while (dbus_message_iter_get_arg_type(&arr) == DBUS_TYPE_STRUCT) {
		const char *name;

		dbus_message_iter_recurse(&arr, &st);
		dbus_message_iter_get_basic(&st, &name);
		dbus_message_iter_next(&st);
		if (!only || strcmp(only, name) == 0) {
			found++;
			printf("%s\n", name);
			dbus_message_iter_recurse(&st, &d);
			if (only)
				print_dict(&d, "  ");
		}
		dbus_message_iter_next(&arr);
	}
	dbus_message_unref(reply);
	if (only && !found) {
		err("there is no profile '%s'; 'chairctl profile list' lists them", only);
		return EXIT_USAGE;
	}
	if (!only && !found)
		puts("No profiles yet. 'chairctl profile save NAME --program ID ...' makes one.");
	return 0;
}

static int cmd_profile(struct ctx *c, const struct command *cmd, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (sub && strcmp(sub, "list") == 0 && argc == 2)
		return profile_list(c, NULL);
	if (sub && strcmp(sub, "show") == 0 && argc == 3)
		return profile_list(c, argv[2]);
	if (sub && strcmp(sub, "save") == 0 && argc >= 3)
		return start_like(c, argc - 2, argv + 2, argv[2]);
	if (sub && strcmp(sub, "delete") == 0 && argc == 3) {
		int r = simple_call(c, "DeleteProfile", DBUS_TYPE_STRING, &argv[2], CALL_TIMEOUT_MS);

		if (r == 0)
			printf("Deleted profile %s and its history.\n", argv[2]);
		return r;
	}
	return usage_for(cmd->name);
}

static int cmd_history(struct ctx *c, const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{}
	};
	const char *profile = NULL;
	bool json = false;
	DBusMessage *call, *reply;
	DBusMessageIter it, d, arr, s;
	int o, r = 0;

	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) >= 0) {
		if (o == 'P')
			profile = optarg;
		else if (o == 'j')
			json = true;
		else
			return usage_for(cmd->name);
	}
	if (optind < argc)
		return usage_for(cmd->name);
	call = new_call(CHAIR_INTERFACE, "History");
	dbus_message_iter_init_append(call, &it);
	dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{sv}", &d);
	if (profile)
		dict_add_strings(&d, "profile", (char **)&profile, 1, false);
	dbus_message_iter_close_container(&it, &d);
	reply = send_call(c, call, CALL_TIMEOUT_MS, &r);
	if (!reply)
		return r;
	dbus_message_iter_init(reply, &it);
	dbus_message_iter_recurse(&it, &arr);
	if (dbus_message_iter_get_arg_type(&arr) != DBUS_TYPE_ARRAY && !json)
		puts("No sessions yet.");
	while (dbus_message_iter_get_arg_type(&arr) == DBUS_TYPE_ARRAY) {
		char prog[128] = "", prof[64] = "", fin[32] = "", events[2048] = "", when[32] = "";
		unsigned long long minutes = 0;
		DBusMessageIter e, v;
		bool first = true;

		dbus_message_iter_recurse(&arr, &s);
		if (json)
			putchar('{');
		while (dbus_message_iter_get_arg_type(&s) == DBUS_TYPE_DICT_ENTRY) {
			int type;
			const char *key;
			char text[2048];

			dbus_message_iter_recurse(&s, &e);
			dbus_message_iter_get_basic(&e, &key);
			dbus_message_iter_next(&e);
			dbus_message_iter_recurse(&e, &v);
			type = dbus_message_iter_get_arg_type(&v);
			variant_text(&v, text, sizeof(text));
			if (json) {
				printf("%s\"%s\":", first ? "" : ",", key);
				if (type == DBUS_TYPE_UINT32 || type == DBUS_TYPE_UINT64) {
					printf("%s", text);
				} else if (type == DBUS_TYPE_ARRAY) {
					DBusMessageIter a;
					bool f = true;

					putchar('[');
					dbus_message_iter_recurse(&v, &a);
					while (dbus_message_iter_get_arg_type(&a) == DBUS_TYPE_STRING) {
						const char *x;

						dbus_message_iter_get_basic(&a, &x);
						printf("%s", f ? "" : ",");
						json_string(x);
						f = false;
						dbus_message_iter_next(&a);
					}
					putchar(']');
				} else {
					json_string(text);
				}
			} else if (strcmp(key, "start_usec") == 0) {
				time_t t = (time_t)(strtoull(text, NULL, 10) / 1000000);

				strftime(when, sizeof(when), "%Y-%m-%d %H:%M", localtime(&t));
			} else if (strcmp(key, "length_usec") == 0) {
				minutes = strtoull(text, NULL, 10) / 60000000ULL;
			} else if (strcmp(key, "program") == 0) {
				snprintf(prog, sizeof(prog), "%.64s", text);
			} else if (strcmp(key, "profile") == 0) {
				snprintf(prof, sizeof(prof), "%.32s", text);
			} else if (strcmp(key, "finished") == 0) {
				snprintf(fin, sizeof(fin), "%.24s", text);
			} else if (strcmp(key, "events") == 0) {
				snprintf(events, sizeof(events), "%s", text);
			}
			first = false;
			dbus_message_iter_next(&s);
		}
		if (json)
			puts("}");
		else
			printf("%s  %s%s%s%s  %llu min  %s%s%s\n", when, prog, *prof ? " (" : "", prof,
			       *prof ? ")" : "", minutes, fin, *events ? "  said: " : "", events);
		dbus_message_iter_next(&arr);
	}
	dbus_message_unref(reply);
	return 0;
}

/* --- recommend: the consultation ----------------------------------------- */

#define MAX_ANSWERS 16

struct answers {
	char *list[4][MAX_ANSWERS]; /* zones, feelings, conditions, red_flags */
	int n_list[4];
	char *goal, *pressure;
	unsigned long minutes;
	bool has_minutes;
	const char *profile;
};

static const char *const list_keys[4] = { "zones", "feelings", "conditions", "red_flags" };

static bool answers_empty(const struct answers *a)
{
	return !a->n_list[0] && !a->n_list[1] && !a->n_list[2] && !a->n_list[3] && !a->goal &&
	       !a->pressure && !a->has_minutes;
}

static bool answers_push(struct answers *a, int k, char *v)
{
	if (a->n_list[k] >= MAX_ANSWERS) {
		err("too many values for %s", list_keys[k]);
		return false;
	}
	a->list[k][a->n_list[k]++] = v;
	return true;
}

/* Asks one question on the terminal; the words of the answer go to list
 * @p k, or (k < 0) the first word to *@p one. Returns false at end of input. */
static bool ask(const char *question, const char *choices, int (*valid)(const char *),
		struct answers *a, int k, char **one)
{
	char line[512];

	for (;;) {
		char *save = NULL, *bad = NULL;
		int n = k >= 0 ? a->n_list[k] : 0;

		printf("%s\n  (%s; Enter to skip)\n> ", question, choices);
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin))
			return false;
		for (char *w = strtok_r(line, " ,\t\n", &save); w; w = strtok_r(NULL, " ,\t\n", &save)) {
			if (valid && valid(w) < 0) {
				bad = w;
				break;
			}
			w = strdup(w);
			if (!w || (k >= 0 && !answers_push(a, k, w))) {
				free(w);
				break;
			}
			if (k < 0) {
				*one = w;
				break;
			}
		}
		if (!bad)
			return true;
		printf("'%s' is not one of the answers.\n", bad);
		if (k >= 0) /* start this question again */
			while (a->n_list[k] > n)
				free(a->list[k][--a->n_list[k]]);
	}
}

static int valid_zone(const char *s)
{
	return chair_any_zone_from_string(s);
}

static int valid_minutes(const char *s)
{
	unsigned long v;

	return parse_uint(s, 1440, &v) && v >= 5 ? 0 : -EINVAL;
}

/* The questions a therapist asks first, one by one. */
static bool ask_all(struct answers *a)
{
	char *minutes = NULL;
	bool ok;

	printf("A few questions, as a massage therapist would ask before a massage.\n\n");
	ok = ask("Is the pain severe, did it start after a fall or an accident, is numbness or "
		 "weakness spreading into your legs, or do you have a fever?",
		 chair_red_flag_list(), chair_red_flag_from_string, a, 3, NULL) &&
	     ask("Where does it hurt? Name the worst place first.", chair_any_zone_list(),
		 valid_zone, a, 0, NULL) &&
	     ask("How does it feel?", chair_feeling_list(), chair_feeling_from_string, a, 1, NULL) &&
	     ask("What do you want from the massage?", chair_goal_list(), chair_goal_from_string, a,
		 -1, &a->goal) &&
	     ask("How many minutes do you have?", "5 or more", valid_minutes, a, -1, &minutes) &&
	     ask("How firm do you like it?", chair_pressure_list(), chair_pressure_from_string, a,
		 -1, &a->pressure) &&
	     ask("Anything the chair should know?", chair_condition_list(),
		 chair_condition_from_string, a, 2, NULL);
	if (minutes) {
		a->has_minutes = parse_uint(minutes, 1440, &a->minutes);
		free(minutes);
	}
	putchar('\n');
	return ok;
}

/* Copies one value, of any type, from @p src to @p dst. */
static bool copy_value(DBusMessageIter *src, DBusMessageIter *dst)
{
	int t = dbus_message_iter_get_arg_type(src);
	DBusMessageIter s, d;
	char *sig = NULL;
	bool ok;

	if (dbus_type_is_basic(t)) {
		DBusBasicValue v;

		dbus_message_iter_get_basic(src, &v);
		return dbus_message_iter_append_basic(dst, t, &v);
	}
	dbus_message_iter_recurse(src, &s);
	if (t == DBUS_TYPE_VARIANT)
		sig = dbus_message_iter_get_signature(&s);
	else if (t == DBUS_TYPE_ARRAY)
		sig = dbus_message_iter_get_signature(src);
	ok = dbus_message_iter_open_container(dst, t, sig ? sig + (t == DBUS_TYPE_ARRAY) : NULL, &d);
	dbus_free(sig);
	for (; ok && dbus_message_iter_get_arg_type(&s) != DBUS_TYPE_INVALID;
	     dbus_message_iter_next(&s))
		ok = copy_value(&s, &d);
	return ok && dbus_message_iter_close_container(dst, &d);
}

/* Prints the options as the chairctl start flags that give them. */
static void print_start_flags(const char *program, DBusMessageIter *options, const char *profile)
{
	DBusMessageIter d, e, v, a;

	printf("chairctl start --program %s", program);
	/* A profile name has only letters, digits, spaces, '-' and '_'. */
	if (profile)
		printf(strchr(profile, ' ') ? " --profile '%s'" : " --profile %s", profile);
	for (dbus_message_iter_recurse(options, &d);
	     dbus_message_iter_get_arg_type(&d) == DBUS_TYPE_DICT_ENTRY; dbus_message_iter_next(&d)) {
		const char *key, *s;
		DBusBasicValue b;

		dbus_message_iter_recurse(&d, &e);
		dbus_message_iter_get_basic(&e, &key);
		dbus_message_iter_next(&e);
		dbus_message_iter_recurse(&e, &v);
		switch (dbus_message_iter_get_arg_type(&v)) {
		case DBUS_TYPE_UINT64:
			dbus_message_iter_get_basic(&v, &b);
			printf(" --minutes %" PRIu64, b.u64 / 60000000);
			break;
		case DBUS_TYPE_UINT32:
			dbus_message_iter_get_basic(&v, &b);
			printf(" --%s %" PRIu32, key, b.u32);
			break;
		case DBUS_TYPE_STRING:
			dbus_message_iter_get_basic(&v, &s);
			printf(" --%s %s", key, s);
			break;
		case DBUS_TYPE_ARRAY:
			for (dbus_message_iter_recurse(&v, &a);
			     dbus_message_iter_get_arg_type(&a) == DBUS_TYPE_STRING;
			     dbus_message_iter_next(&a)) {
				dbus_message_iter_get_basic(&a, &s);
				printf(" --%s %s", strcmp(key, "conditions") == 0 ? "condition" : key, s);
			}
			break;
		default:
			break;
		}
	}
	putchar('\n');
}

static DBusMessage *recommend_call(const struct answers *a)
{
	DBusMessage *call = new_call(CHAIR_INTERFACE, "Recommend");
	DBusMessageIter it, d;
	char *goal = a->goal, *pressure = a->pressure;

	dbus_message_iter_init_append(call, &it);
	dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{sv}", &d);
	for (int k = 0; k < 4; k++)
		if (a->n_list[k])
			dict_add_strings(&d, list_keys[k], (char **)a->list[k], a->n_list[k], true);
	if (goal)
		dict_add_strings(&d, "goal", &goal, 1, false);
	if (a->has_minutes)
		dict_add_uint(&d, "minutes", DBUS_TYPE_UINT32, a->minutes);
	if (pressure)
		dict_add_strings(&d, "pressure", &pressure, 1, false);
	if (a->profile)
		dict_add_strings(&d, "profile", (char **)&a->profile, 1, false);
	dbus_message_iter_close_container(&it, &d);
	return call;
}

/* Starts what was recommended; with a profile, the session is theirs (its
 * shoulder position, and its history). */
static int start_recommended(struct ctx *c, const char *program, DBusMessageIter *options,
			     const char *profile)
{
	DBusMessage *call = new_call(CHAIR_INTERFACE, "Start");
	DBusMessageIter it, s, d;
	bool ok;

	dbus_message_iter_init_append(call, &it);
	dbus_message_iter_recurse(options, &s);
	ok = dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &program) &&
	     dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{sv}", &d);
	for (; ok && dbus_message_iter_get_arg_type(&s) == DBUS_TYPE_DICT_ENTRY;
	     dbus_message_iter_next(&s))
		ok = copy_value(&s, &d);
	if (ok && profile)
		dict_add_strings(&d, "profile", (char **)&profile, 1, false);
	if (!ok || !dbus_message_iter_close_container(&it, &d)) {
		err("out of memory");
		dbus_message_unref(call);
		return EXIT_DAEMON;
	}
	return send_start(c, call, program);
}

static int recommend_usage(void)
{
	printf("Usage: chairctl recommend [--zone Z]... [--feeling F]... [--goal G] [--minutes N]\n"
	       "                          [--pressure P] [--condition C]... [--red-flag R]...\n"
	       "                          [--profile NAME] [--start]\n\n"
	       "Asks what a massage therapist asks before a massage, and recommends a program,\n"
	       "its options and why. With no answers on a terminal, it asks the questions one\n"
	       "by one. See docs/consultation.md.\n\n"
	       "  --zone Z        where it hurts, worst first; repeat for more:\n"
	       "                  %s,\n"
	       "                  arms, hips, calves, feet\n"
	       "  --feeling F     how it feels; repeat for more:\n"
	       "                  %s\n"
	       "  --goal G        %s\n"
	       "  --minutes N     the time you have, 5 or more\n"
	       "  --pressure P    %s\n"
	       "  --condition C   %s\n"
	       "  --red-flag R    %s\n"
	       "  --profile NAME  fill in what the profile knows, and what the chair learned\n"
	       "                  from its sessions\n"
	       "  --start         start the recommended program with its options\n",
	       chair_zone_list(), chair_feeling_list(), chair_goal_list(), chair_pressure_list(),
	       chair_condition_list(), chair_red_flag_list());
	return 0;
}

static int cmd_recommend(struct ctx *c, const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "zone", required_argument, NULL, 'z' },
		{ "feeling", required_argument, NULL, 'f' },
		{ "condition", required_argument, NULL, 'c' },
		{ "red-flag", required_argument, NULL, 'r' },
		{ "goal", required_argument, NULL, 'g' },
		{ "minutes", required_argument, NULL, 'm' },
		{ "pressure", required_argument, NULL, 'p' },
		{ "profile", required_argument, NULL, 'P' },
		{ "start", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct answers a = { 0 };
	DBusMessage *reply;
	DBusMessageIter it, options, reasons;
	const char *program;
	bool start = false, asked = false;
	int o, r = 0;

	(void)cmd;
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) >= 0) {
		switch (o) {
		case 'z':
		case 'f':
		case 'c':
		case 'r':
			if (!answers_push(&a, o == 'z' ? 0 : o == 'f' ? 1 : o == 'c' ? 2 : 3, optarg))
				return EXIT_USAGE;
			break;
		case 'g':
			a.goal = optarg;
			break;
		case 'p':
			a.pressure = optarg;
			break;
		case 'P':
			a.profile = optarg;
			break;
		case 'm':
			if (!parse_uint(optarg, 1440, &a.minutes)) {
				err("--minutes takes a whole number of minutes, such as --minutes 15");
				return EXIT_USAGE;
			}
			a.has_minutes = true;
			break;
		case 's':
			start = true;
			break;
		case 'h':
			return recommend_usage();
		default:
			return usage_for("recommend");
		}
	}
	if (optind < argc) {
		err("unexpected argument '%s'", argv[optind]);
		return usage_for("recommend");
	}
	if (answers_empty(&a) && !a.profile && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		if (!ask_all(&a))
			return EXIT_USAGE;
		asked = true;
	}
	reply = send_call(c, recommend_call(&a), CALL_TIMEOUT_MS, &r);
	if (asked) {
		free(a.goal);
		free(a.pressure);
		for (int k = 0; k < 4; k++)
			for (int i = 0; i < a.n_list[k]; i++)
				free(a.list[k][i]);
	}
	if (!reply)
		return r;
	dbus_message_iter_init(reply, &it);
	dbus_message_iter_get_basic(&it, &program);
	dbus_message_iter_next(&it);
	options = it;
	dbus_message_iter_next(&it);
	if (*program) {
		printf("Recommended: %s\n", program);
		fputs("  ", stdout);
		print_start_flags(program, &options, a.profile);
	} else {
		printf("No massage is recommended.\n");
	}
	printf("Why:\n");
	for (dbus_message_iter_recurse(&it, &reasons);
	     dbus_message_iter_get_arg_type(&reasons) == DBUS_TYPE_STRING;
	     dbus_message_iter_next(&reasons)) {
		const char *s;

		dbus_message_iter_get_basic(&reasons, &s);
		print_wrapped("  ", s, 76);
	}
	if (start && !*program) {
		err("nothing was started: see a doctor first");
		r = EXIT_DAEMON;
	} else if (start) {
		r = start_recommended(c, program, &options, a.profile);
	}
	dbus_message_unref(reply);
	return r;
}

/* A command that is one call without arguments: stop, pause, estop... */
static int cmd_simple(struct ctx *c, const struct command *cmd, int argc, char **argv)
{
	int r = no_options(argc, argv, cmd->name);

	if (r >= 0)
		return r;
	if (argc > 1)
		return usage_for(cmd->name);
	r = simple_call(c, cmd->method, DBUS_TYPE_INVALID, NULL,
			strcmp(cmd->method, "Scan") == 0 ? SCAN_TIMEOUT_MS : CALL_TIMEOUT_MS);
	if (r == 0 && cmd->message)
		puts(cmd->message);
	return r;
}

/*
 * EmergencyStop(), at the stop's own name first: nothing other callers
 * queued is ahead of it there. When that name cannot take it (an older
 * chaird, a bus policy without it, a daemon not started yet), at the main
 * name, which also starts chaird by D-Bus activation.
 */
/* The stop socket's path: $CHAIRD_STOP_SOCKET, or on the system bus the
 * daemon's default; NULL for none. */
static const char *stop_socket_path(const struct ctx *c)
{
	const char *p = getenv("CHAIRD_STOP_SOCKET");

	if (p && *p)
		return p;
	return c->session ? NULL : CHAIRD_STOP_SOCKET;
}

/*
 * EmergencyStop() over the stop socket, past the bus daemon: the reply, or
 * NULL with @p e set when it could not be reached (@p e stays unset when
 * there is no socket to try).
 */
static DBusMessage *estop_over_socket(const struct ctx *c, const char *method, DBusError *e)
{
	const char *path = stop_socket_path(c);
	DBusConnection *conn;
	DBusMessage *call, *reply;
	char *escaped, *address;

	if (!path)
		return NULL;
	escaped = dbus_address_escape_value(path);
	if (!escaped || asprintf(&address, "unix:path=%s", escaped) < 0) {
		dbus_free(escaped);
		return NULL;
	}
	dbus_free(escaped);
	conn = dbus_connection_open_private(address, e);
	free(address);
	if (!conn)
		return NULL;
	dbus_connection_set_exit_on_disconnect(conn, FALSE);
	call = new_call_to(NULL, CHAIR_INTERFACE, method);
	/* The bus is the way on when the socket does not answer soon. */
	reply = dbus_connection_send_with_reply_and_block(conn, call, STOP_SOCKET_TIMEOUT_MS, e);
	dbus_message_unref(call);
	dbus_connection_close(conn);
	dbus_connection_unref(conn);
	return reply;
}

/* True when @p e is the daemon's own error (org.chaird.*), not the bus's. */
static bool daemon_answered(const DBusError *e)
{
	return dbus_error_is_set(e) && !strncmp(e->name, "org.chaird.", strlen("org.chaird."));
}

static int cmd_estop(struct ctx *c, const struct command *cmd, int argc, char **argv)
{
	DBusMessage *call, *reply = NULL;
	DBusError e;
	int r = no_options(argc, argv, cmd->name);

	if (r >= 0)
		return r;
	if (argc > 1)
		return usage_for(cmd->name);
	/* The stop socket first, then the stop name, then the main name: the
	 * daemon's own answer (Fault) is final; a way that did not reach the
	 * daemon is not. */
	dbus_error_init(&e);
	reply = estop_over_socket(c, cmd->method, &e);
	if (!reply && !daemon_answered(&e) && c->bus) {
		dbus_error_free(&e);
		call = new_call_to(CHAIR_STOP_BUS_NAME, CHAIR_INTERFACE, cmd->method);
		reply = dbus_connection_send_with_reply_and_block(c->bus, call, CALL_TIMEOUT_MS, &e);
		dbus_message_unref(call);
	}
	if (!reply && daemon_answered(&e))
		return report(c, &e);
	dbus_error_free(&e);
	if (!reply)
		return cmd_simple(c, cmd, argc, argv);
	dbus_message_unref(reply);
	puts(cmd->message);
	return 0;
}

static int cmd_scan(struct ctx *c, const struct command *cmd, int argc, char **argv)
{
	struct status st;
	int r = cmd_simple(c, cmd, argc, argv);

	if (r != 0 || argc > 1)
		return r;
	r = get_status(c, &st);
	if (r == 0)
		printf("Scan done: your shoulders are at %u mm.\n", st.shoulder);
	return r;
}

/* feedback WHAT: said during the session, acted on at once. */
static int cmd_feedback(struct ctx *c, const struct command *cmd, int argc, char **argv)
{
	static const char *const whats[] = { "hurts-here", "more-here", "too-strong", "too-soft" };
	struct status st;
	const char *hint;
	int r = no_options(argc, argv, cmd->name);

	if (r >= 0)
		return r;
	if (argc != 2)
		return usage_for(cmd->name);
	for (size_t i = 0; i < sizeof(whats) / sizeof(whats[0]); i++)
		if (strcmp(argv[1], whats[i]) == 0) {
			r = simple_call(c, "Feedback", DBUS_TYPE_STRING, &argv[1], CALL_TIMEOUT_MS);
			if (r != 0)
				return r;
			/* What the chair did about it: its newest adjustment. */
			if (get_status(c, &st) == 0 && st.adjustments.n)
				puts(st.adjustments.v[st.adjustments.n - 1]);
			return 0;
		}
	hint = chair_suggest(argv[1], whats, sizeof(whats) / sizeof(whats[0]));
	err("feedback '%s' is not known%s%s%s; say hurts-here, more-here, too-strong or too-soft.",
	    argv[1], hint ? " (did you mean " : "", hint ? hint : "", hint ? "?)" : "");
	return EXIT_USAGE;
}

/* intensity N, heat N */
static int cmd_level(struct ctx *c, const struct command *cmd, int argc, char **argv)
{
	bool heat = strcmp(cmd->method, "SetHeat") == 0;
	unsigned long v, lo = heat ? 0 : 1, hi = heat ? 3 : 5;
	uint32_t u;
	int r = no_options(argc, argv, cmd->name);

	if (r >= 0)
		return r;
	if (argc != 2) {
		err("%s takes one number: %s", cmd->name, cmd->message);
		return usage_for(cmd->name);
	}
	if (!parse_uint(argv[1], 100000, &v) && (argv[1][0] != '-' || !isdigit((unsigned char)argv[1][1]))) {
		err("%s takes one number: %s", cmd->name, cmd->message);
		return usage_for(cmd->name);
	}
	if (argv[1][0] == '-' || v < lo || v > hi) {
		err("%s %.16s is out of range; use %s", cmd->name, argv[1], cmd->message);
		return EXIT_USAGE;
	}
	u = (uint32_t)v;
	r = simple_call(c, cmd->method, DBUS_TYPE_UINT32, &u, CALL_TIMEOUT_MS);
	if (r == 0)
		printf("%s set to %lu.\n", strcmp(cmd->method, "SetHeat") == 0 ? "Heat" : "Intensity", v);
	return r;
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static uint64_t time_left(const struct status *st)
{
	return st->duration > st->elapsed ? st->duration - st->elapsed : 0;
}

static void json_strings(const char *key, const struct strings *l)
{
	printf(",\"%s\":[", key);
	for (int i = 0; i < l->n; i++) {
		if (i)
			putchar(',');
		json_string(l->v[i]);
	}
	putchar(']');
}

static void json_faults(const struct status *st)
{
	printf(",\"faults\":[");
	for (int i = 0; i < st->n_faults; i++) {
		if (i)
			putchar(',');
		json_string(st->faults[i]);
	}
	putchar(']');
}

static void json_key(const char *key, const char *value)
{
	printf(",\"%s\":", key);
	json_string(value);
}

/* One line of JSON: the chair's state, and what the session applied (those
 * keys only when the daemon has the property). */
static void print_status_json(const struct status *st, const char *event)
{
	putchar('{');
	if (event) {
		printf("\"event\":");
		json_string(event);
		putchar(',');
	}
	printf("\"state\":");
	json_string(st->state);
	json_key("program", st->program);
	json_key("step", st->step);
	json_key("zone", st->zone);
	printf(",\"elapsed_usec\":%" PRIu64 ",\"duration_usec\":%" PRIu64
	       ",\"remaining_usec\":%" PRIu64 ",\"intensity\":%u,\"heat\":%u,\"occupied\":%s,"
	       "\"shoulder_mm\":%u,\"temperatures\":{",
	       st->elapsed, st->duration, time_left(st), st->intensity, st->heat,
	       st->occupied ? "true" : "false", st->shoulder);
	for (int i = 0; i < st->n_temps; i++) {
		if (i)
			putchar(',');
		json_string(st->temps[i]);
		printf(":%.1f", st->temp[i]);
	}
	putchar('}');
	json_faults(st);
	if (st->has & HAS_PHASE)
		json_key("phase", st->phase);
	if (st->has & HAS_PAUSE_REASON)
		json_key("pause_reason", st->pause_reason);
	if (st->has & HAS_FOCUS)
		json_key("focus", st->focus);
	if (st->has & HAS_AVOID)
		json_strings("avoid", &st->avoid);
	if (st->has & HAS_CONDITIONS)
		json_strings("conditions", &st->conditions);
	if (st->has & HAS_ADJUSTMENTS)
		json_strings("adjustments", &st->adjustments);
	if (st->has & HAS_AFTERCARE)
		json_strings("aftercare", &st->aftercare);
	printf("}\n");
	fflush(stdout);
}

/* "a, b, c", or "none". */
static void print_joined(const char *label, const struct strings *l)
{
	printf("%-14s", label);
	for (int i = 0; i < l->n; i++)
		printf("%s%s", i ? ", " : "", l->v[i]);
	printf("%s\n", l->n ? "" : "none");
}

/* One sentence a line, under a label. */
static void print_sentences(const char *label, const struct strings *l)
{
	for (int i = 0; i < l->n; i++)
		printf("%-14s%s\n", i ? "" : label, l->v[i]);
}

static void print_faults(const struct status *st)
{
	printf("%-14s", "Faults:");
	if (!st->n_faults)
		printf("none\n");
	for (int i = 0; i < st->n_faults; i++) {
		const char *words = chair_wording_fault_name(st->faults[i]);

		printf("%*s%s%s%s\n", i ? 14 : 0, "", st->faults[i], words ? ": " : "",
		       words ? words : "");
	}
}

/* Handles [--json] and --help; returns -1 to go on, or the exit status. */
static int json_option(int argc, char **argv, const char *name, bool *ret_json)
{
	*ret_json = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			*ret_json = true;
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return no_options(argc, argv, name);
		else
			return usage_for(name);
	}
	return -1;
}

static int cmd_status(struct ctx *c, const struct command *cmd, int argc, char **argv)
{
	struct status st;
	bool json = false;
	char el[16], du[16], left[16];
	int r;

	r = json_option(argc, argv, "status", &json);
	if (r >= 0)
		return r;
	r = get_status(c, &st);
	if (r)
		return r;
	if (json) {
		print_status_json(&st, NULL);
		return 0;
	}
	format_duration(st.elapsed, el, sizeof(el));
	format_duration(st.duration, du, sizeof(du));
	format_duration(time_left(&st), left, sizeof(left));
	printf("State:        %s\n", st.state);
	if (*st.program) {
		const char *phase = chair_wording_phase_name(st.phase);
		const char *pause = chair_wording_pause_reason_name(st.pause_reason);

		printf("Program:      %s\n", st.program);
		printf("Progress:     %s of %s, %s left\n", el, du, left);
		if (*st.phase)
			printf("Phase:        %s\n", phase ? phase : st.phase);
		if (*st.pause_reason)
			printf("Paused:       %s\n", pause ? pause : st.pause_reason);
	}
	if (*st.step)
		printf("Step:         %s%s%s\n", st.step, *st.zone ? " on " : "", st.zone);
	if (*st.program) {
		if (st.has & HAS_FOCUS)
			printf("Focus:        %s\n", *st.focus ? st.focus : "none");
		if (st.has & HAS_AVOID)
			print_joined("Avoid:", &st.avoid);
		if (st.has & HAS_CONDITIONS)
			print_joined("Conditions:", &st.conditions);
	}
	printf("Intensity:    %u\n", st.intensity);
	printf("Heat:         %u\n", st.heat);
	printf("Occupied:     %s\n", st.occupied ? "yes" : "no");
	printf("Temperatures: ");
	for (int i = 0; i < st.n_temps; i++)
		printf("%s%s %.1f °C", i ? ", " : "", st.temps[i], st.temp[i]);
	printf("%s\n", st.n_temps ? "" : "none");
	print_faults(&st);
	printf("Shoulders:    %u mm\n", st.shoulder);
	print_sentences("Adjustments:", &st.adjustments);
	print_sentences("Aftercare:", &st.aftercare);
	return 0;
}

/* --- watch --------------------------------------------------------------- */

static const char match_props[] =
	"type='signal',sender='" CHAIR_BUS_NAME "',path='" CHAIR_OBJECT_PATH "',"
	"interface='org.freedesktop.DBus.Properties',member='PropertiesChanged',"
	"arg0='" CHAIR_INTERFACE "'";

static void render(const struct status *st, bool tty)
{
	char el[16], left[16];
	int width = 30, fill = st->duration ? (int)(width * st->elapsed / st->duration) : 0;
	char bar[64];

	format_duration(st->elapsed, el, sizeof(el));
	format_duration(time_left(st), left, sizeof(left));
	for (int i = 0; i < width; i++)
		bar[i] = i < fill ? '#' : '-';
	bar[width] = 0;
	printf("%s[%s] %5s  %5s left  %-8s %-8s %-10s int %u", tty ? "\r\033[K" : "", bar, el, left,
	       st->state, st->step, st->zone, st->intensity);
	for (int i = 0; i < st->n_temps; i++)
		printf("  %s %.1f°C", st->temps[i], st->temp[i]);
	if (!tty)
		putchar('\n');
	fflush(stdout);
}

/* After SessionFinished: how it ended, what went wrong, and the aftercare. */
static void print_finished(const struct status *st, const char *program, const char *reason,
			   uint64_t elapsed, bool json)
{
	const char *words = chair_wording_finish_name(reason);
	char el[16];

	if (json) {
		printf("{\"event\":\"finished\"");
		json_key("program", program);
		json_key("reason", reason);
		printf(",\"elapsed_usec\":%" PRIu64, elapsed);
		json_key("message", words ? words : "The session ended.");
		json_faults(st);
		if (st->has & HAS_AFTERCARE)
			json_strings("aftercare", &st->aftercare);
		printf("}\n");
		return;
	}
	format_duration(elapsed, el, sizeof(el));
	printf("%s finished after %s: %s\n%s\n", program, el, reason,
	       words ? words : "The session ended.");
	for (int i = 0; i < st->n_faults; i++) {
		const char *f = chair_wording_fault_name(st->faults[i]);

		printf("  %s\n", f ? f : st->faults[i]);
	}
	if (strcmp(reason, "emergency-stop") == 0)
		printf("'chairctl reset' clears the stop once the button is released.\n");
	else if (strcmp(reason, "fault") == 0)
		printf("'chairctl reset' clears the fault once its cause is gone.\n");
	if (st->aftercare.n) {
		printf("\nAftercare:\n");
		print_list(&st->aftercare, "  ");
	}
}

static int add_matches(struct ctx *c, const char *const *matches, size_t n)
{
	DBusError e;

	if (!bus_of(c))
		return EXIT_UNREACHABLE;
	dbus_error_init(&e);
	for (size_t i = 0; i < n && !dbus_error_is_set(&e); i++)
		dbus_bus_add_match(c->bus, matches[i], &e);
	return dbus_error_is_set(&e) ? report(c, &e) : 0;
}

static int cmd_watch(struct ctx *c, const struct command *cmd, int argc, char **argv)
{
	static const char *const matches[] = {
		match_props,
		"type='signal',sender='" CHAIR_BUS_NAME "',path='" CHAIR_OBJECT_PATH "',"
		"interface='" CHAIR_INTERFACE "',member='SessionFinished'",
		"type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged',"
		"arg0='" CHAIR_BUS_NAME "'",
	};
	struct status st;
	bool tty = isatty(STDOUT_FILENO), json = false;
	uint64_t last_second = UINT64_MAX;
	int r;

	r = json_option(argc, argv, "watch", &json);
	if (r >= 0)
		return r;
	if (json)
		tty = false;
	/* Subscribe first, then read, so that no change falls in between. */
	r = add_matches(c, matches, sizeof(matches) / sizeof(matches[0]));
	if (r)
		return r;
	r = get_status(c, &st);
	if (r)
		return r;
	if (strcmp(st.state, "running") != 0 && strcmp(st.state, "paused") != 0) {
		err("No session is running (the chair is %s). Start one with 'chairctl start'.",
		    st.state);
		return EXIT_DAEMON;
	}
	if (json)
		print_status_json(&st, "status");
	else
		render(&st, tty);
	while (dbus_connection_read_write(c->bus, 1000)) {
		DBusMessage *msg;

		while ((msg = dbus_connection_pop_message(c->bus))) {
			if (read_changes(&st, msg)) {
				/* On a terminal or in JSON, every change; in a log,
				 * a line per 15 s of session time, and on a pause or
				 * a stop (the end has its own lines). */
				if (json) {
					print_status_json(&st, "status");
				} else if (tty || st.elapsed / 15000000 != last_second ||
					   (strcmp(st.state, "running") != 0 &&
					    strcmp(st.state, "idle") != 0)) {
					last_second = st.elapsed / 15000000;
					render(&st, tty);
				}
			} else if (dbus_message_is_signal(msg, CHAIR_INTERFACE, "SessionFinished")) {
				const char *program = "", *reason = "";
				uint64_t elapsed = 0;

				dbus_message_get_args(msg, NULL, DBUS_TYPE_STRING, &program, DBUS_TYPE_STRING,
						      &reason, DBUS_TYPE_UINT64, &elapsed, DBUS_TYPE_INVALID);
				st.elapsed = elapsed;
				if (tty) {
					render(&st, tty);
					putchar('\n');
				}
				/* The faults and the aftercare, as the session left them. */
				{
					struct status end;

					if (get_status(c, &end) == 0) {
						memcpy(st.faults, end.faults, sizeof(st.faults));
						st.n_faults = end.n_faults;
						st.aftercare = end.aftercare;
						st.has |= end.has & HAS_AFTERCARE;
					}
				}
				print_finished(&st, program, reason, elapsed, json);
				dbus_message_unref(msg);
				return strcmp(reason, "completed") == 0 || strcmp(reason, "stopped") == 0
					       ? 0
					       : EXIT_DAEMON;
			} else if (dbus_message_is_signal(msg, DBUS_INTERFACE_DBUS, "NameOwnerChanged")) {
				const char *name, *old, *new_owner;

				dbus_message_get_args(msg, NULL, DBUS_TYPE_STRING, &name, DBUS_TYPE_STRING, &old,
						      DBUS_TYPE_STRING, &new_owner, DBUS_TYPE_INVALID);
				if (!*new_owner) {
					if (tty)
						putchar('\n');
					err("chaird went away in the middle of the session.");
					dbus_message_unref(msg);
					return EXIT_UNREACHABLE;
				}
			}
			dbus_message_unref(msg);
		}
	}
	err("The connection to the bus was lost.");
	return EXIT_UNREACHABLE;
}

/* --- reset --------------------------------------------------------------- */

#define RESET_WAIT_USEC (60 * UINT64_C(1000000))

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Reset(), then says what the chair really is: ready only once it is idle.
 * A chair that parks its roller first is followed until it is idle. */
static int cmd_reset(struct ctx *c, const struct command *cmd, int argc, char **argv)
{
	static const char *const matches[] = { match_props };
	const char *words;
	struct status st;
	uint64_t deadline;
	int r = no_options(argc, argv, cmd->name);

	if (r >= 0)
		return r;
	if (argc > 1)
		return usage_for(cmd->name);
	r = add_matches(c, matches, 1);
	if (r)
		return r;
	r = simple_call(c, cmd->method, DBUS_TYPE_INVALID, NULL, CALL_TIMEOUT_MS);
	if (r)
		return r;
	r = get_status(c, &st);
	if (r)
		return r;
	deadline = now_usec() + RESET_WAIT_USEC;
	while (strcmp(st.state, "stopping") == 0 && now_usec() < deadline &&
	       dbus_connection_read_write(c->bus, 500)) {
		DBusMessage *msg;

		while ((msg = dbus_connection_pop_message(c->bus))) {
			read_changes(&st, msg);
			dbus_message_unref(msg);
		}
	}
	if (strcmp(st.state, "idle") == 0) {
		puts(cmd->message);
		return 0;
	}
	words = chair_wording_state_name(st.state);
	err("The chair is not ready: it is %s. %s", st.state, words ? words : "");
	for (int i = 0; i < st.n_faults; i++) {
		const char *f = chair_wording_fault_name(st.faults[i]);

		fprintf(stderr, "  %s\n", f ? f : st.faults[i]);
	}
	return EXIT_DAEMON;
}

/* reload: the daemon keeps what the load skipped in ProgramErrors. A broken
 * file is an error for whoever reloaded, not only a line in the journal. */
static int cmd_reload(struct ctx *c, const struct command *cmd, int argc, char **argv)
{
	DBusMessage *call, *reply;
	DBusMessageIter it, v, a, s;
	const char *iface = CHAIR_INTERFACE, *prop = "ProgramErrors";
	unsigned n = 0;
	int r = cmd_simple(c, cmd, argc, argv);

	if (r != 0 || argc > 1)
		return r;
	call = new_call(DBUS_INTERFACE_PROPERTIES, "Get");
	dbus_message_append_args(call, DBUS_TYPE_STRING, &iface, DBUS_TYPE_STRING, &prop,
				 DBUS_TYPE_INVALID);
	reply = send_call(c, call, CALL_TIMEOUT_MS, &r);
	if (!reply)
		return r;
	if (!dbus_message_iter_init(reply, &it) ||
	    dbus_message_iter_get_arg_type(&it) != DBUS_TYPE_VARIANT) {
		dbus_message_unref(reply);
		err("chaird answered ProgramErrors with something unexpected");
		return EXIT_DAEMON;
	}
	dbus_message_iter_recurse(&it, &v);
	if (dbus_message_iter_get_arg_type(&v) == DBUS_TYPE_ARRAY) {
		dbus_message_iter_recurse(&v, &a);
		for (; dbus_message_iter_get_arg_type(&a) == DBUS_TYPE_STRUCT; dbus_message_iter_next(&a)) {
			const char *file = "", *msg = "";
			uint32_t line = 0;

			dbus_message_iter_recurse(&a, &s);
			if (dbus_message_iter_get_arg_type(&s) == DBUS_TYPE_STRING)
				dbus_message_iter_get_basic(&s, &file);
			dbus_message_iter_next(&s);
			if (dbus_message_iter_get_arg_type(&s) == DBUS_TYPE_UINT32)
				dbus_message_iter_get_basic(&s, &line);
			dbus_message_iter_next(&s);
			if (dbus_message_iter_get_arg_type(&s) == DBUS_TYPE_STRING)
				dbus_message_iter_get_basic(&s, &msg);
			if (line)
				fprintf(stderr, "%s:%" PRIu32 ": %s\n", file, line, msg);
			else
				fprintf(stderr, "%s: %s\n", file, msg);
			n++;
		}
	}
	dbus_message_unref(reply);
	if (n == 0) {
		puts("Programs reloaded.");
		return 0;
	}
	err("programs reloaded, but %u problem%s above kept files from loading; those files were "
	    "skipped (the other programs are in use)", n, n == 1 ? "" : "s");
	return EXIT_DAEMON;
}

/* --- main ---------------------------------------------------------------- */

static const struct command commands[] = {
	{ "programs", "", "Lists the massage programs.", cmd_programs },
	{ "show", "ID", "Shows a program: what it is for, and its phases and steps.", cmd_show },
	{ "start", "--program ID [--profile NAME] [--minutes N] [--intensity N] [--focus Z] "
		   "[--avoid Z]... [--heat N] [--condition C]...", "Starts a session.", cmd_start },
	{ "stop", "", "Stops the session gently: the roller retracts and parks.", cmd_simple,
	  "Stop", "Stopping: the roller retracts and parks." },
	{ "pause", "", "Pauses the session.", cmd_simple, "Pause", "Paused." },
	{ "resume", "", "Resumes a paused session.", cmd_simple, "Resume", "Resumed." },
	{ "estop", "", "Emergency stop: every output off at once, until reset.", cmd_estop,
	  "EmergencyStop", "Emergency stop: every output is off. 'chairctl reset' clears it." },
	{ "reset", "", "Clears an emergency stop or a fault once its cause is gone.", cmd_reset,
	  "Reset", "The chair is ready." },
	{ "status", "[--json]", "Shows the chair's state, and what the session applied.",
	  cmd_status },
	{ "watch", "[--json]", "Follows the session live until it ends, then gives the aftercare.",
	  cmd_watch },
	{ "intensity", "N", "Sets the intensity, 1 (softest) to 5 (firmest), during a session.",
	  cmd_level, "SetIntensity", "1 (softest) to 5 (firmest)" },
	{ "heat", "N", "Sets the heat, 0 (off) to 3, during a session.", cmd_level, "SetHeat",
	  "0 (off) to 3" },
	{ "profile", "list|show NAME|save NAME [start options]|delete NAME",
	  "Keeps who sits in the chair, with their usual settings.", cmd_profile },
	{ "history", "[--profile NAME] [--json]", "Lists the sessions, newest first.", cmd_history },
	{ "feedback", "WHAT", "Tells the chair during the session: hurts-here, more-here, too-strong "
			      "or too-soft.", cmd_feedback },
	{ "scan", "", "Measures your shoulder height, so the massage fits your back.", cmd_scan,
	  "Scan", NULL },
	{ "reload", "", "Re-reads the program files; lists any it had to skip.", cmd_reload,
	  "Reload", NULL },
	{ "recommend", "[--zone Z]... [--feeling F]... [--goal G] [--minutes N] [--pressure P] "
		       "[--condition C]... [--red-flag R]... [--profile NAME] [--start]",
	  "Asks what a therapist would, and recommends a massage and why.", cmd_recommend },
	{}
};

static void help(FILE *f)
{
	fprintf(f, "Usage: chairctl [--session] COMMAND [ARGS]\n\n"
		   "Controls the massage chair through chaird.\n\nCommands:\n");
	for (const struct command *cmd = commands; cmd->name; cmd++)
		fprintf(f, "  %-10s %s\n", cmd->name, cmd->summary);
	fprintf(f, "\nOptions:\n"
		   "  --session    use the session bus (also: CHAIRCTL_BUS=session)\n"
		   "  -h, --help   show this help; 'chairctl COMMAND --help' for a command\n"
		   "  --version    show the version\n\n"
		   "Exit status: 0 success, 1 an error from the chair, 2 a usage error,\n"
		   "3 the chair cannot be reached.\n");
}

int main(int argc, char **argv)
{
	struct ctx c = { 0 };
	const char *env = getenv("CHAIRCTL_BUS");
	const struct command *cmd = NULL;
	DBusError e;
	int i, r;

	c.session = env && strcmp(env, "session") == 0;
	if (env && *env && strcmp(env, "session") != 0 && strcmp(env, "system") != 0) {
		err("CHAIRCTL_BUS must be 'session' or 'system', not '%s'", env);
		return EXIT_USAGE;
	}
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--session") == 0) {
			c.session = true;
		} else if (strcmp(argv[i], "--system") == 0) {
			c.session = false;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			help(stdout);
			return 0;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("chairctl %s\n", CHAIRD_VERSION);
			return 0;
		} else {
			err("unknown option '%s'", argv[i]);
			help(stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		help(stderr);
		return EXIT_USAGE;
	}
	for (const struct command *k = commands; k->name; k++)
		if (strcmp(k->name, argv[i]) == 0)
			cmd = k;
	if (!cmd) {
		err("unknown command '%s'; 'chairctl --help' lists the commands", argv[i]);
		return EXIT_USAGE;
	}
	for (int k = i + 1; k < argc; k++)
		if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0)
			return cmd->fn(&c, cmd, argc - i, argv + i);
	/* D-Bus carries only UTF-8; libdbus would abort on anything else. */
	for (int k = i + 1; k < argc; k++)
		if (!chair_utf8_valid(argv[k], strlen(argv[k]))) {
			err("argument '%s' is not valid UTF-8 text; check the terminal's "
			    "character set", CHAIR_QUOTE(argv[k]));
			return EXIT_USAGE;
		}
	dbus_error_init(&e);
	c.bus = dbus_bus_get(c.session ? DBUS_BUS_SESSION : DBUS_BUS_SYSTEM, &e);
	if (c.bus) {
		dbus_connection_set_exit_on_disconnect(c.bus, FALSE);
	} else {
		snprintf(c.bus_error, sizeof(c.bus_error), "%s", e.message ? e.message : e.name);
		dbus_error_free(&e);
	}
	r = cmd->fn(&c, cmd, argc - i, argv + i);
	if (c.bus)
		dbus_connection_unref(c.bus);
	return r;
}
