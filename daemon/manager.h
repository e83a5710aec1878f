/* SPDX-License-Identifier: MIT */
/*
 * The Manager owns the event loop, the bus, the HAL, the programs, the
 * engine and the safety core, and runs the control loop:
 *
 *   HAL inputs -> motion (odometry) -> engine -> motion -> safety -> HAL
 *
 * One control iteration covers 10 ms of chair time. With --time-scale N
 * the simulated chair runs N iterations per 10 ms of real time, so the
 * control still sees every 10 ms of the chair's life.
 */
#ifndef CHAIRD_MANAGER_H
#define CHAIRD_MANAGER_H

#include <dbus/dbus.h>
#include <stdio.h>
#include <systemd/sd-event.h>

#include "body.h"
#include "consult.h"
#include "bus-glue.h"
#include "bus-object.h"
#include "engine.h"
#include "hal.h"
#include "history.h"
#include "motion.h"
#include "program.h"
#include "safety.h"

#define MANAGER_STEP_USEC (UINT64_C(10) * 1000)
#define MANAGER_IDLE_TICK_USEC (UINT64_C(2) * 1000000)
#define MANAGER_PROGRESS_USEC (UINT64_C(500) * 1000)

/* Property bits, for batching PropertiesChanged. */
enum {
	PROP_STATE = 1 << 0,
	PROP_PROGRAM = 1 << 1,
	PROP_STEP = 1 << 2,
	PROP_ZONE = 1 << 3,
	PROP_ELAPSED = 1 << 4,
	PROP_DURATION = 1 << 5,
	PROP_INTENSITY = 1 << 6,
	PROP_HEAT = 1 << 7,
	PROP_OCCUPIED = 1 << 8,
	PROP_TEMPERATURES = 1 << 9,
	PROP_FAULTS = 1 << 10,
	PROP_SHOULDER = 1 << 11,
	PROP_OUTPUTS = 1 << 12, /* org.chaird.Simulator1 */
	PROP_FOCUS = 1 << 13,
	PROP_AVOID = 1 << 14,
	PROP_CONDITIONS = 1 << 15,
	PROP_PHASE = 1 << 16,
	PROP_PAUSE_REASON = 1 << 17,
	PROP_PROFILE = 1 << 18,
	PROP_ADJUSTMENTS = 1 << 19,
	PROP_AFTERCARE = 1 << 20,
	PROP_PROGRAM_ERRORS = 1 << 21,
};
/* Progress properties go out at 2 Hz at most. */
#define PROP_PROGRESS (PROP_ELAPSED | PROP_ZONE | PROP_TEMPERATURES | PROP_OUTPUTS)

struct manager_config {
	const char *const *program_dirs;
	size_t n_program_dirs;
	bool session_bus;
	bool sim;
	double time_scale;
	const char *trace_path;
	struct chair_hw hw;
	const struct chair_map *map; /* required for GPIO; optional with sim */
	const char *gpio_dir; /* the gpiochip devices: NULL for /dev */
	const char *pwm_root; /* the PWM chips: NULL for /sys/class/pwm */
	const char *state_dir; /* profiles and history: NULL keeps them in memory only */
	const char *stop_socket; /* where to serve EmergencyStop() past the bus, or NULL */
};

struct manager {
	sd_event *event;
	DBusConnection *bus;
	struct bus_glue *glue;
	DBusConnection *stop_bus; /* serves only EmergencyStop(), as CHAIR_STOP_BUS_NAME */
	struct bus_glue *stop_glue;
	char *stop_socket_path;
	struct stop_socket *stop_socket; /* EmergencyStop() past the bus daemon */
	struct hal *hal;
	struct chair_hw hw;
	char **program_dirs;
	size_t n_program_dirs;
	struct chair_programs *programs;
	struct chair_diags program_errors; /* what the last load skipped */

	struct chair_motion *motion;
	struct chair_safety *safety;
	struct chair_engine *engine;
	struct chair_scan *scan;
	DBusMessage *scan_call; /* Scan() replies when the scan ends */
	struct chair_body body;

	enum chair_state state;
	char *program_id;       /* the session's program, or NULL */
	unsigned intensity;
	unsigned heat;
	uint64_t elapsed;
	uint64_t duration;
	bool occupied;
	int zone;
	enum chair_technique step;
	bool step_valid;
	double temps[CHAIR_HEATER_COUNT];
	/* What the session applied, and why; empty outside one. */
	int phase;                /* enum chair_phase, or -1 */
	const char *pause_reason; /* "requested", "seat-empty" or "" */
	char **adjustments;
	char **aftercare;         /* kept after the session, until the next */
	int finish_pending;       /* enum chair_finish_reason to signal, or -1 */

	struct chair_inputs in;
	struct chair_targets targets;
	double scale;
	bool realtime;  /* the chair's clock is real time: no replay */
	uint64_t watchdog_usec; /* WatchdogSec=, or 0 */
	uint64_t watchdog_fed;
	uint64_t mono0;
	uint64_t chair_now;
	sd_event_source *tick;
	bool fast;
	sd_event_source *flush;
	uint32_t dirty;
	uint64_t last_progress;
	struct chair_outputs last_emitted_outputs;
	FILE *trace;
	struct chair_outputs traced_cmd;
	enum chair_state traced_state;
	int traced_step;
	bool traced_once;
	uint64_t edge_mono;  /* an input edge waiting to be traced */
	const char *trace_event; /* feedback waiting to be traced */
	struct store_worker *store;
	unsigned stop_gen;   /* bumped by every stop: a Start read before it is void */
	char profile[CHAIR_PROFILE_NAME_MAX + 1]; /* the session's profile, or "" */
	bool recording;      /* the session is being written to history */
	int64_t history_id;  /* the store's id of it: only the store's thread uses it */
	uint64_t late_usec;  /* lateness of the current iteration */
	bool exiting; /* the outputs were driven safe for good */
	const struct bus_interface *served[3];
	char *introspection_xml;
};

int manager_new(const struct manager_config *cfg, struct manager **ret);
struct manager *manager_free(struct manager *m);
/** Takes the bus name and runs until SIGTERM or SIGINT (0) or until the
 * bus is lost (1); a negative errno if it could not start. */
int manager_run(struct manager *m, bool session_bus);

/* Chair time now. */
uint64_t manager_now(struct manager *m);
/* Brings the control loop up to now (runs the pending iterations). */
void manager_catch_up(struct manager *m);
void manager_mark(struct manager *m, uint32_t props);

/* Why a request was refused: a sentence a person can act on. */
struct manager_why {
	char msg[320];
};

/*
 * The session state machine. Each returns 0 or a negative errno, and on
 * refusal fills @p why (which may be NULL):
 *   -ENOENT  no such program          -EBUSY    a session, scan or parking
 *   -ECANCELED the emergency stop     -EIO      a latched fault
 *   -ENXIO   the seat is empty        -EPERM    ruled out by a condition
 *   -ESRCH   no session is running    -EINVAL   an option out of range
 *   -EOPNOTSUPP the chair cannot      -ENOMEM
 */
int manager_start_session(struct manager *m, const char *id, const struct chair_options *o,
			  struct manager_why *why);
int manager_stop(struct manager *m);
int manager_pause(struct manager *m, struct manager_why *why);
int manager_resume(struct manager *m, struct manager_why *why);
int manager_set_intensity(struct manager *m, unsigned v, struct manager_why *why);
int manager_set_heat(struct manager *m, unsigned v, struct manager_why *why);
int manager_reset(struct manager *m, struct manager_why *why);
/* Adds a sentence to the session's Adjustments. */
void manager_adjusted(struct manager *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Feedback(s): "hurts-here", "more-here", "too-strong" or "too-soft". */
int manager_feedback(struct manager *m, const char *what, struct manager_why *why);
/* Starts the body scan; chair_object_scan_done() tells how it ended. */
int manager_scan(struct manager *m, struct manager_why *why);

/* Actions, shared by D-Bus and signals. */
int manager_reload(struct manager *m); /* logs what was wrong */
/* Outputs off first. -EIO if an output could not be driven off: it is
 * latched as gpio-failed and tried again on every iteration. */
int manager_emergency_stop(struct manager *m);
void manager_end_session(struct manager *m, enum chair_finish_reason why);
void manager_set_state(struct manager *m, enum chair_state s);
bool manager_in_session(const struct manager *m);
void manager_input_changed(struct manager *m);

/* The bus connection is gone: every output safe, and exit non-zero. */
void manager_bus_lost(struct manager *m);
/* The stop connection was lost: EmergencyStop() stays on the main name. */
void manager_stop_bus_lost(struct manager *m);

/* Profiles and history (profiles.c): the store runs on its own thread. */
int manager_store_open(struct manager *m, const char *state_dir);
DBusMessage *manager_start_with_profile(struct manager *m, DBusMessage *call, const char *id,
					const struct chair_options *o, uint32_t given,
					const char *profile);
/* Recommend() with answer 'profile': replies once the store has read it. */
DBusMessage *manager_recommend_with_profile(struct manager *m, DBusMessage *call,
					    const struct chair_answers *a);
void manager_history_begin(struct manager *m, const struct chair_options *o);
void manager_history_event(struct manager *m, int kind, int zone, int value);
void manager_history_end(struct manager *m, enum chair_finish_reason why);
DBusMessage *profiles_list(struct manager *m, DBusMessage *call);
DBusMessage *profiles_save(struct manager *m, DBusMessage *call);
DBusMessage *profiles_delete(struct manager *m, DBusMessage *call);
DBusMessage *profiles_history(struct manager *m, DBusMessage *call);

/* Start options, and for SaveProfile and Start the keys beyond them. */
struct option_extras {
	bool allow_profile;  /* Start: profile s */
	bool allow_settings; /* SaveProfile: program s, shoulder_mm u */
	char profile[CHAIR_PROFILE_NAME_MAX + 1];
	char program[CHAIR_PROGRAM_ID_MAX + 1];
	unsigned shoulder_mm;
	uint32_t given; /* CHAIR_OPT_* keys the caller gave */
};

/* The D-Bus object (chair-object.c). */
DBusMessage *chair_object_parse_options(DBusMessage *call, DBusMessageIter *it,
					struct chair_options *o, struct option_extras *x);
/* The consultation's reply to Recommend(), or its error. */
DBusMessage *chair_object_recommend(struct manager *m, DBusMessage *call,
				    const struct chair_answers *a);
DBusMessage *chair_object_reply(DBusMessage *call, int r, const struct manager_why *why);
int chair_object_register(struct manager *m);
/* Routes every incoming message (see bus_glue_set_router()). */
void chair_object_route(DBusConnection *c, DBusMessage *msg, void *userdata);
bool chair_object_urgent(DBusMessage *msg);
/* Routes what reaches the stop connection: EmergencyStop(), Introspect and
 * Peer; everything else is referred to the main name. */
void chair_object_route_stop(DBusConnection *c, DBusMessage *msg, void *userdata);
void chair_object_emit_finished(struct manager *m, const char *program, const char *reason,
				uint64_t elapsed);
void chair_object_flush(struct manager *m);
void chair_object_scan_done(struct manager *m, int result);

#endif
