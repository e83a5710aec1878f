// SPDX-License-Identifier: MIT
/*
 * chairctl: control a massage chair through chaird's D-Bus API.
 *
 * Exit status: 0 success, 1 an error from the daemon (its message is
 * printed), 2 a usage error, 3 the daemon cannot be reached.
 */
#include <dbus/dbus.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chair-names.h"
#include "config.h"

#define EXIT_DAEMON 1
#define EXIT_USAGE 2
#define EXIT_UNREACHABLE 3

#define CALL_TIMEOUT_MS 25000
#define SCAN_TIMEOUT_MS 120000

struct ctx {
	DBusConnection *bus;
	bool session;
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

/* Prints the error as a sentence and returns the exit status for it. */
static int report(DBusError *e)
{
	int r = EXIT_DAEMON;

	if (unreachable(e->name)) {
		if (strcmp(e->name, DBUS_ERROR_NO_REPLY) == 0 || strcmp(e->name, DBUS_ERROR_TIMEOUT) == 0)
			err("chaird did not answer in time. Is it running? (systemctl status chaird)");
		else
			err("chaird is not running on this bus, so the chair cannot be reached. "
			    "Start it with 'systemctl start chaird'.");
		r = EXIT_UNREACHABLE;
	} else {
		err("%s", e->message ? e->message : e->name);
	}
	dbus_error_free(e);
	return r;
}

static DBusMessage *new_call(const char *iface, const char *method)
{
	DBusMessage *m = dbus_message_new_method_call(CHAIR_BUS_NAME, CHAIR_OBJECT_PATH, iface, method);

	if (!m) {
		err("out of memory");
		exit(EXIT_DAEMON);
	}
	return m;
}

/* Sends @p call; on success returns the reply, else reports and sets *ret. */
static DBusMessage *send_call(struct ctx *c, DBusMessage *call, int timeout_ms, int *ret)
{
	DBusError e;
	DBusMessage *reply;

	dbus_error_init(&e);
	reply = dbus_connection_send_with_reply_and_block(c->bus, call, timeout_ms, &e);
	dbus_message_unref(call);
	if (!reply)
		*ret = report(&e);
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
};

static void copy_str(DBusMessageIter *v, char *dst, size_t n)
{
	const char *s = "";

	if (dbus_message_iter_get_arg_type(v) == DBUS_TYPE_STRING)
		dbus_message_iter_get_basic(v, &s);
	snprintf(dst, n, "%s", s);
}

static void read_property(struct status *st, const char *name, DBusMessageIter *v)
{
	if (strcmp(name, "State") == 0) {
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

static DBusMessage *list_programs(struct ctx *c, int *ret)
{
	return send_call(c, new_call(CHAIR_INTERFACE, "ListPrograms"), CALL_TIMEOUT_MS, ret);
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

	if (r >= 0)
		return r;
	if (argc != 2)
		return usage_for("show");
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
		if (strcmp(p.id, argv[1]) != 0)
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
		err("There is no program '%.64s'. 'chairctl programs' lists them.", argv[1]);
		return EXIT_DAEMON;
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

/* Sends a Start call and says so when the session runs. */
static int send_start(struct ctx *c, DBusMessage *call, const char *program)
{
	DBusMessage *reply;
	int r = 0;

	reply = send_call(c, call, CALL_TIMEOUT_MS, &r);
	if (!reply)
		return r;
	dbus_message_unref(reply);
	printf("Started %s.\n", program);
	return 0;
}

static int cmd_start(struct ctx *c, const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "program", required_argument, NULL, 'p' },
		{ "minutes", required_argument, NULL, 'm' },
		{ "intensity", required_argument, NULL, 'i' },
		{ "focus", required_argument, NULL, 'f' },
		{ "avoid", required_argument, NULL, 'a' },
		{ "heat", required_argument, NULL, 'H' },
		{ "condition", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *program = NULL;
	char *focus = NULL, *avoid[16], *conds[16];
	int n_avoid = 0, n_conds = 0, o;
	unsigned long minutes = 0, intensity = 0, heat = 0;
	bool has_minutes = false, has_intensity = false, has_heat = false;
	DBusMessage *call;
	DBusMessageIter it, d;

	optind = 1;
	while ((o = getopt_long(argc, argv, "p:", opts, NULL)) >= 0) {
		switch (o) {
		case 'p':
			program = optarg;
			break;
		case 'm':
			if (!parse_uint(optarg, 1000, &minutes)) {
				err("--minutes takes a whole number of minutes, such as --minutes 15");
				return EXIT_USAGE;
			}
			has_minutes = true;
			break;
		case 'i':
			if (!parse_uint(optarg, 1000, &intensity)) {
				err("--intensity takes a number from 1 (softest) to 5 (firmest)");
				return EXIT_USAGE;
			}
			has_intensity = true;
			break;
		case 'H':
			if (!parse_uint(optarg, 1000, &heat)) {
				err("--heat takes a number from 0 (off) to 3");
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
			       "  --program ID     the program; 'chairctl programs' lists them\n"
			       "  --minutes N      the session length, 5 to 30 (default: the program's)\n"
			       "  --intensity N    1 (softest) to 5 (firmest), default 3\n"
			       "  --focus ZONE     a back zone to spend more time on\n"
			       "  --avoid ZONE     a zone that gets no pressure, kneading, tapping or air;\n"
			       "                   repeat for more zones (for swollen or inflamed areas)\n"
			       "  --heat N         0 (off) to 3 (default: the program's)\n"
			       "  --condition C    nerve-pain, inflammation, pregnancy, arthritis or\n"
			       "                   recent-injury; repeat for more\n\n"
			       "Back zones: %s\nAir zones: %s\n", chair_zone_list(), chair_air_zone_list());
			return 0;
		default:
			return usage_for("start");
		}
	}
	if (optind < argc) {
		err("unexpected argument '%s'", argv[optind]);
		return usage_for("start");
	}
	if (!program) {
		err("start needs --program ID; 'chairctl programs' lists them");
		return usage_for("start");
	}
	call = new_call(CHAIR_INTERFACE, "Start");
	dbus_message_iter_init_append(call, &it);
	dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &program);
	dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{sv}", &d);
	if (has_minutes)
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
	return send_start(c, call, program);
}

/* --- recommend: the consultation ----------------------------------------- */

#define MAX_ANSWERS 16

struct answers {
	char *list[4][MAX_ANSWERS]; /* zones, feelings, conditions, red_flags */
	int n_list[4];
	char *goal, *pressure;
	unsigned long minutes;
	bool has_minutes;
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
static void print_start_flags(const char *program, DBusMessageIter *options)
{
	DBusMessageIter d, e, v, a;

	printf("chairctl start --program %s", program);
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
	dbus_message_iter_close_container(&it, &d);
	return call;
}

static int start_recommended(struct ctx *c, const char *program, DBusMessageIter *options)
{
	DBusMessage *call = new_call(CHAIR_INTERFACE, "Start");
	DBusMessageIter it;

	dbus_message_iter_init_append(call, &it);
	if (!dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &program) ||
	    !copy_value(options, &it)) {
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
	       "                          [--start]\n\n"
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
	if (answers_empty(&a) && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
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
		print_start_flags(program, &options);
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
		r = start_recommended(c, program, &options);
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

/* intensity N, heat N */
static int cmd_level(struct ctx *c, const struct command *cmd, int argc, char **argv)
{
	unsigned long v;
	uint32_t u;
	int r = no_options(argc, argv, cmd->name);

	if (r >= 0)
		return r;
	if (argc != 2 || !parse_uint(argv[1], 1000, &v)) {
		err("%s takes one number: %s", cmd->name, cmd->message);
		return usage_for(cmd->name);
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

static int cmd_status(struct ctx *c, const struct command *cmd, int argc, char **argv)
{
	struct status st;
	bool json = false;
	char el[16], du[16];
	int r;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return no_options(argc, argv, "status");
		else
			return usage_for("status");
	}
	r = get_status(c, &st);
	if (r)
		return r;
	if (json) {
		printf("{\"state\":");
		json_string(st.state);
		printf(",\"program\":");
		json_string(st.program);
		printf(",\"step\":");
		json_string(st.step);
		printf(",\"zone\":");
		json_string(st.zone);
		printf(",\"elapsed_usec\":%" PRIu64 ",\"duration_usec\":%" PRIu64
		       ",\"intensity\":%u,\"heat\":%u,\"occupied\":%s,\"shoulder_mm\":%u,"
		       "\"temperatures\":{",
		       st.elapsed, st.duration, st.intensity, st.heat, st.occupied ? "true" : "false",
		       st.shoulder);
		for (int i = 0; i < st.n_temps; i++)
			printf("%s\"%s\":%.1f", i ? "," : "", st.temps[i], st.temp[i]);
		printf("},\"faults\":[");
		for (int i = 0; i < st.n_faults; i++)
			printf("%s\"%s\"", i ? "," : "", st.faults[i]);
		printf("]}\n");
		return 0;
	}
	format_duration(st.elapsed, el, sizeof(el));
	format_duration(st.duration, du, sizeof(du));
	printf("State:        %s\n", st.state);
	if (*st.program) {
		printf("Program:      %s\n", st.program);
		printf("Progress:     %s of %s\n", el, du);
	}
	if (*st.step)
		printf("Step:         %s%s%s\n", st.step, *st.zone ? " on " : "", st.zone);
	printf("Intensity:    %u\n", st.intensity);
	printf("Heat:         %u\n", st.heat);
	printf("Occupied:     %s\n", st.occupied ? "yes" : "no");
	printf("Temperatures: ");
	for (int i = 0; i < st.n_temps; i++)
		printf("%s%s %.1f °C", i ? ", " : "", st.temps[i], st.temp[i]);
	printf("%s\n", st.n_temps ? "" : "none");
	printf("Faults:       ");
	for (int i = 0; i < st.n_faults; i++)
		printf("%s%s", i ? ", " : "", st.faults[i]);
	printf("%s\n", st.n_faults ? "" : "none");
	printf("Shoulders:    %u mm\n", st.shoulder);
	return 0;
}

/* --- watch --------------------------------------------------------------- */

static void render(const struct status *st, bool tty)
{
	char el[16], left[16];
	uint64_t remaining = st->duration > st->elapsed ? st->duration - st->elapsed : 0;
	int width = 30, fill = st->duration ? (int)(width * st->elapsed / st->duration) : 0;
	char bar[64];

	format_duration(st->elapsed, el, sizeof(el));
	format_duration(remaining, left, sizeof(left));
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

static const char *finish_words(const char *reason)
{
	if (strcmp(reason, "completed") == 0)
		return "The session is complete.";
	if (strcmp(reason, "stopped") == 0)
		return "The session was stopped.";
	if (strcmp(reason, "emergency-stop") == 0)
		return "The session ended with the emergency stop. 'chairctl reset' clears it.";
	if (strcmp(reason, "fault") == 0)
		return "The session ended because of a fault. 'chairctl status' shows which.";
	if (strcmp(reason, "seat-empty") == 0)
		return "The session ended because the seat stayed empty.";
	return "The session ended.";
}

static int cmd_watch(struct ctx *c, const struct command *cmd, int argc, char **argv)
{
	static const char match_props[] =
		"type='signal',sender='" CHAIR_BUS_NAME "',path='" CHAIR_OBJECT_PATH "',"
		"interface='org.freedesktop.DBus.Properties',member='PropertiesChanged',"
		"arg0='" CHAIR_INTERFACE "'";
	static const char match_finished[] =
		"type='signal',sender='" CHAIR_BUS_NAME "',path='" CHAIR_OBJECT_PATH "',"
		"interface='" CHAIR_INTERFACE "',member='SessionFinished'";
	static const char match_owner[] =
		"type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged',"
		"arg0='" CHAIR_BUS_NAME "'";
	struct status st;
	bool tty = isatty(STDOUT_FILENO);
	uint64_t last_second = UINT64_MAX;
	DBusError e;
	int r = no_options(argc, argv, "watch");

	if (r >= 0)
		return r;
	if (argc > 1)
		return usage_for("watch");
	dbus_error_init(&e);
	dbus_bus_add_match(c->bus, match_props, &e);
	if (!dbus_error_is_set(&e))
		dbus_bus_add_match(c->bus, match_finished, &e);
	if (!dbus_error_is_set(&e))
		dbus_bus_add_match(c->bus, match_owner, &e);
	if (dbus_error_is_set(&e))
		return report(&e);
	/* Subscribe first, then read, so that no change falls in between. */
	r = get_status(c, &st);
	if (r)
		return r;
	if (strcmp(st.state, "running") != 0 && strcmp(st.state, "paused") != 0) {
		err("No session is running (the chair is %s). Start one with 'chairctl start'.",
		    st.state);
		return EXIT_DAEMON;
	}
	render(&st, tty);
	while (dbus_connection_read_write(c->bus, 1000)) {
		DBusMessage *msg;

		while ((msg = dbus_connection_pop_message(c->bus))) {
			DBusMessageIter it;

			if (dbus_message_is_signal(msg, DBUS_INTERFACE_PROPERTIES, "PropertiesChanged")) {
				dbus_message_iter_init(msg, &it);
				dbus_message_iter_next(&it);
				read_properties(&st, &it);
				/* On a terminal, redraw on every change; in a log, a
				 * line per 15 s of session time, and on a pause. */
				if (tty || st.elapsed / 15000000 != last_second ||
				    strcmp(st.state, "running") != 0) {
					last_second = st.elapsed / 15000000;
					render(&st, tty);
				}
			} else if (dbus_message_is_signal(msg, CHAIR_INTERFACE, "SessionFinished")) {
				const char *program, *reason;
				uint64_t elapsed;
				char el[16];

				dbus_message_get_args(msg, NULL, DBUS_TYPE_STRING, &program, DBUS_TYPE_STRING,
						      &reason, DBUS_TYPE_UINT64, &elapsed, DBUS_TYPE_INVALID);
				format_duration(elapsed, el, sizeof(el));
				st.elapsed = elapsed;
				render(&st, tty);
				if (tty)
					putchar('\n');
				printf("%s finished after %s: %s\n%s\n", program, el, reason,
				       finish_words(reason));
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

/* --- main ---------------------------------------------------------------- */

static const struct command commands[] = {
	{ "programs", "", "Lists the massage programs.", cmd_programs },
	{ "show", "ID", "Shows a program: what it is for, and its phases and steps.", cmd_show },
	{ "start", "--program ID [--minutes N] [--intensity N] [--focus Z] [--avoid Z]... "
		   "[--heat N] [--condition C]...", "Starts a session.", cmd_start },
	{ "stop", "", "Stops the session gently: the roller retracts and parks.", cmd_simple,
	  "Stop", "Stopping: the roller retracts and parks." },
	{ "pause", "", "Pauses the session.", cmd_simple, "Pause", "Paused." },
	{ "resume", "", "Resumes a paused session.", cmd_simple, "Resume", "Resumed." },
	{ "estop", "", "Emergency stop: every output off at once, until reset.", cmd_simple,
	  "EmergencyStop", "Emergency stop: every output is off. 'chairctl reset' clears it." },
	{ "reset", "", "Clears an emergency stop or a fault once its cause is gone.", cmd_simple,
	  "Reset", "The chair is ready." },
	{ "status", "[--json]", "Shows the chair's state.", cmd_status },
	{ "watch", "", "Follows the session live until it ends.", cmd_watch },
	{ "intensity", "N", "Sets the intensity, 1 (softest) to 5 (firmest), during a session.",
	  cmd_level, "SetIntensity", "1 (softest) to 5 (firmest)" },
	{ "heat", "N", "Sets the heat, 0 (off) to 3, during a session.", cmd_level, "SetHeat",
	  "0 (off) to 3" },
	{ "scan", "", "Measures your shoulder height, so the massage fits your back.", cmd_scan,
	  "Scan", NULL },
	{ "reload", "", "Re-reads the program files.", cmd_simple, "Reload", "Programs reloaded." },
	{ "recommend", "[--zone Z]... [--feeling F]... [--goal G] [--minutes N] [--pressure P] "
		       "[--condition C]... [--red-flag R]... [--start]",
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
	dbus_error_init(&e);
	c.bus = dbus_bus_get(c.session ? DBUS_BUS_SESSION : DBUS_BUS_SYSTEM, &e);
	if (!c.bus) {
		err("cannot connect to the %s bus, so the chair cannot be reached: %s",
		    c.session ? "session" : "system", e.message);
		dbus_error_free(&e);
		return EXIT_UNREACHABLE;
	}
	dbus_connection_set_exit_on_disconnect(c.bus, FALSE);
	r = cmd->fn(&c, cmd, argc - i, argv + i);
	dbus_connection_unref(c.bus);
	return r;
}
