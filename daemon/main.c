// SPDX-License-Identifier: MIT
/*
 * chaird: the massage chair daemon.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "hal.h"
#include "hw.h"
#include "hwmap.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "policy.h"
#include "program.h"

#define MAX_PROGRAM_DIRS 16

struct args {
	const char *config;
	const char *dirs[MAX_PROGRAM_DIRS];
	size_t n_dirs;
	bool session;
	bool sim;
	double time_scale;
	const char *trace;
	const char *state_dir;
	const char *stop_socket;
	bool check;
	bool safe_state;
};

static void help(void)
{
	printf("Usage: chaird [OPTIONS]\n"
	       "       chaird --check [--config FILE] [--programs DIR]...\n"
	       "       chaird --safe-state [--config FILE]\n"
	       "\n"
	       "Controls a massage chair: its roller, airbags and heaters, with a D-Bus API\n"
	       "on org.chaird.Chair1.\n"
	       "\n"
	       "Options:\n"
	       "  -c, --config FILE     the hardware map (default " CHAIRD_CONFIG_FILE ")\n"
	       "  -p, --programs DIR    read programs from DIR; repeat it to add directories,\n"
	       "                        later ones override earlier ones by id (default\n"
	       "                        " CHAIRD_PROGRAMS_DIR " then\n"
	       "                        " CHAIRD_PROGRAMS_ETC_DIR ")\n"
	       "      --session         use the session bus instead of the system bus\n"
	       "      --sim             drive the simulated chair instead of GPIO lines; it reads\n"
	       "                        the same program directories (from the source tree:\n"
	       "                        --programs data/programs)\n"
	       "      --time-scale N    run the clock N times faster (only with --sim)\n"
	       "      --trace FILE      write one JSON line per output or state change\n"
	       "      --state-dir DIR   keep profiles and history in DIR (default\n"
	       "                        $STATE_DIRECTORY, else " CHAIRD_STATE_DIR ";\n"
	       "                        with --sim, in memory only unless given)\n"
	       "      --stop-socket PATH\n"
	       "                        serve EmergencyStop() on a socket of its own at PATH,\n"
	       "                        past the bus daemon (default $RUNTIME_DIRECTORY/stop;\n"
	       "                        on the system bus, else " CHAIRD_STOP_SOCKET ";\n"
	       "                        with --session, none unless given)\n"
	       "      --check           validate the programs (and the map), list them, exit\n"
	       "      --safe-state      drive every output to its safe value and exit\n"
	       "  -h, --help            show this help and exit\n"
	       "  -V, --version         show the version and exit\n");
}

enum {
	ARG_SESSION = 0x100,
	ARG_SIM,
	ARG_TIME_SCALE,
	ARG_TRACE,
	ARG_CHECK,
	ARG_SAFE_STATE,
	ARG_STATE_DIR,
	ARG_STOP_SOCKET,
};

/* Returns 0 to run, 1 to exit successfully, or a negative errno. */
static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "programs", required_argument, NULL, 'p' },
		{ "session", no_argument, NULL, ARG_SESSION },
		{ "sim", no_argument, NULL, ARG_SIM },
		{ "time-scale", required_argument, NULL, ARG_TIME_SCALE },
		{ "trace", required_argument, NULL, ARG_TRACE },
		{ "check", no_argument, NULL, ARG_CHECK },
		{ "safe-state", no_argument, NULL, ARG_SAFE_STATE },
		{ "state-dir", required_argument, NULL, ARG_STATE_DIR },
		{ "stop-socket", required_argument, NULL, ARG_STOP_SOCKET },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{}
	};
	int c;

	*a = (struct args){ .time_scale = 1.0 };
	while ((c = getopt_long(argc, argv, "c:p:hV", options, NULL)) >= 0) {
		switch (c) {
		case 'c':
			a->config = optarg;
			break;
		case 'p':
			if (a->n_dirs >= MAX_PROGRAM_DIRS) {
				log_error("chaird: too many --programs directories (at most %d)",
					  MAX_PROGRAM_DIRS);
				return -EINVAL;
			}
			a->dirs[a->n_dirs++] = optarg;
			break;
		case ARG_SESSION:
			a->session = true;
			break;
		case ARG_SIM:
			a->sim = true;
			break;
		case ARG_TIME_SCALE: {
			char *end;

			errno = 0;
			a->time_scale = strtod(optarg, &end);
			if (errno || *end || !(a->time_scale >= 1.0 && a->time_scale <= 1000.0)) {
				log_error("chaird: --time-scale '%s' is not valid; give a number from "
					  "1 to 1000", optarg);
				return -EINVAL;
			}
			break;
		}
		case ARG_TRACE:
			a->trace = optarg;
			break;
		case ARG_CHECK:
			a->check = true;
			break;
		case ARG_STATE_DIR:
			a->state_dir = optarg;
			break;
		case ARG_STOP_SOCKET:
			if (!*optarg) {
				log_error("chaird: --stop-socket needs a path");
				return -EINVAL;
			}
			a->stop_socket = optarg;
			break;
		case ARG_SAFE_STATE:
			a->safe_state = true;
			break;
		case 'h':
			help();
			return 1;
		case 'V':
			printf("chaird %s\n", CHAIRD_VERSION);
			return 1;
		case '?':
			log_error("Try 'chaird --help' for the options.");
			return -EINVAL;
		default:
			return -EINVAL;
		}
	}
	if (optind < argc) {
		log_error("chaird: unexpected argument '%s'; try 'chaird --help'", argv[optind]);
		return -EINVAL;
	}
	if (a->safe_state && (a->sim || a->session || a->trace || a->time_scale != 1.0)) {
		log_error("chaird: --safe-state takes only --config");
		return -EINVAL;
	}
	if (a->time_scale != 1.0 && !a->sim) {
		log_error("chaird: --time-scale only works with --sim; real motors run in real "
			  "time");
		return -EINVAL;
	}
	if (a->check && a->safe_state) {
		log_error("chaird: --check and --safe-state cannot be combined");
		return -EINVAL;
	}
	if (a->n_dirs == 0) {
		a->dirs[a->n_dirs++] = CHAIRD_PROGRAMS_DIR;
		a->dirs[a->n_dirs++] = CHAIRD_PROGRAMS_ETC_DIR;
	}
	return 0;
}

/* Loads the map; prints its error as file:line: message. */
static int load_map(const char *path, struct chair_map **ret)
{
	char *err = NULL;
	int r = chair_map_load(path, ret, &err);

	if (r == -ENOENT && !err)
		log_error("%s: no hardware map; write one (see docs/porting.md)", path);
	else if (r < 0)
		log_error("%s", err ? err : "Cannot load the hardware map");
	free(err);
	return r;
}

static const char *plural(unsigned n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void describe_map(const struct chair_map *m)
{
	unsigned outs = 0, ins = 0, heaters = 0;

	for (int o = 0; o < CHAIR_OUTPUT_COUNT; o++)
		outs += m->out[o].present;
	for (int i = 0; i < CHAIR_INPUT_COUNT; i++)
		ins += m->in[i].present;
	for (int h = 0; h < CHAIR_HEATER_COUNT; h++)
		heaters += m->heater[h].present;
	printf("%s: %u %s, %u %s, %u %s, track %.0f mm, max depth %u, sessions up to %" PRIu64
	       " min\n", m->path, outs, plural(outs, "output", "outputs"), ins,
	       plural(ins, "input", "inputs"), heaters, plural(heaters, "heater", "heaters"),
	       m->hw.track_length_mm, chair_hw_max_depth(&m->hw),
	       m->hw.max_session_usec / USEC_PER_MIN);
	for (int h = 0; h < CHAIR_HEATER_COUNT; h++)
		if (m->heater[h].present && access(m->heater[h].sensor, R_OK) < 0)
			log_warning("%s:%u: warning: heater %s: its sensor %s cannot be read here (%m); "
				    "the heater stays off with a fault until it can",
				    m->path, m->heater[h].line, chair_heater_to_string((enum chair_heater)h),
				    m->heater[h].sensor);
}

/* What each program loses on this chair, under its line in --check. */
static void describe_losses(const struct chair_program *p, const struct chair_hw *hw)
{
	char **losses = NULL;

	if (chair_policy_losses(p, hw, &losses) <= 0)
		return;
	for (char **l = losses; *l; l++)
		printf("    on this chair: %s\n", *l);
	chair_strv_free(losses);
}

static int run_check(const struct args *a)
{
	struct chair_programs *ps = NULL;
	struct chair_map *map = NULL;
	struct chair_diags errors = { 0 };
	struct chair_hw hw;
	size_t n;
	int r;

	chair_hw_default(&hw);
	if (a->config) {
		if (load_map(a->config, &map) < 0)
			return 1;
		describe_map(map);
		hw = map->hw;
		chair_map_free(map);
	}
	r = chair_programs_load_diags(a->dirs, a->n_dirs, &hw, &ps, &errors);
	if (r < 0)
		return log_error_errno(r, "chaird: cannot load programs: %m");
	n = chair_programs_count(ps);
	for (size_t i = 0; i < n; i++) {
		const struct chair_program *p = chair_programs_get(ps, i);

		printf("%-20s %-28s %3" PRIu64 " min\n", p->id, p->name,
		       p->duration_usec / USEC_PER_MIN);
		if (a->config)
			describe_losses(p, &hw);
	}
	for (size_t i = 0; i < errors.n; i++) {
		_cleanup_free_ char *e = chair_diag_format(&errors.v[i]);

		log_error("%s", e ? e : errors.v[i].message);
	}
	r = errors.n ? 1 : 0;
	if (n == 0 && !r) {
		log_error("chaird: no programs found in the given directories");
		r = 1;
	}
	chair_diags_clear(&errors);
	chair_programs_free(ps);
	return r;
}

static int run_daemon(const struct args *a)
{
	struct manager_config cfg = {
		.program_dirs = a->dirs,
		.n_program_dirs = a->n_dirs,
		.session_bus = a->session,
		.sim = a->sim,
		.time_scale = a->time_scale,
		.trace_path = a->trace,
		/* systemd's StateDirectory= gives $STATE_DIRECTORY; the simulator
		 * remembers nothing unless told where. */
		.state_dir = a->state_dir		  ? a->state_dir
			     : getenv("STATE_DIRECTORY") ? getenv("STATE_DIRECTORY")
			     : a->sim			  ? NULL
							  : CHAIRD_STATE_DIR,
	};
	_cleanup_free_ char *stop_socket = NULL;
	struct manager *m = NULL;
	struct chair_map *map = NULL;
	int r;

	/* systemd's RuntimeDirectory= gives $RUNTIME_DIRECTORY. */
	if (a->stop_socket)
		cfg.stop_socket = a->stop_socket;
	else if (getenv("RUNTIME_DIRECTORY")) {
		if (asprintf(&stop_socket, "%s/stop", getenv("RUNTIME_DIRECTORY")) < 0)
			return log_oom(), 1;
		cfg.stop_socket = stop_socket;
	} else if (!a->session)
		cfg.stop_socket = CHAIRD_STOP_SOCKET;

	chair_hw_default(&cfg.hw);
	/* A real chair needs its map; the simulator takes one to simulate
	 * that chair, or simulates a complete one. */
	if (!a->sim || a->config) {
		if (load_map(a->config ? a->config : CHAIRD_CONFIG_FILE, &map) < 0)
			return 1;
		cfg.hw = map->hw;
		cfg.map = map;
	}
	r = manager_new(&cfg, &m);
	if (r < 0) {
		chair_map_free(map);
		return 1;
	}
	r = manager_run(m, a->session);
	manager_free(m);
	chair_map_free(map);
	return r != 0 ? 1 : 0;
}

static int run_safe_state(const struct args *a)
{
	struct chair_map *map = NULL;
	int r;

	if (load_map(a->config ? a->config : CHAIRD_CONFIG_FILE, &map) < 0)
		return 1;
	r = hal_gpiod_safe_state(map, "/dev");
	chair_map_free(map);
	if (r < 0) {
		log_error("chaird --safe-state: some outputs could not be reached (above); every "
			  "other output was driven safe");
		return 1;
	}
	return 0;
}

static int run(int argc, char **argv)
{
	struct args a;
	int r;

	r = parse_args(argc, argv, &a);
	if (r != 0)
		return r > 0 ? 0 : 2;
	if (a.check)
		return run_check(&a);
	if (a.safe_state)
		return run_safe_state(&a);
	return run_daemon(&a);
}

int main(int argc, char **argv)
{
	return run(argc, argv);
}
