// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "chair-names.h"
#include "config.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "quote.h"
#include "sim.h"
#include "stop-socket.h"
#include "store-worker.h"
#include "trace.h"
#include "wording.h"

/* GPIO edges and the e-stop come before the bus; the progress flush after. */
#define PRIORITY_CONTROL SD_EVENT_PRIORITY_IMPORTANT
/* The stop connection comes right after the control loop, before the main
 * connection's traffic. */
#define PRIORITY_STOP (SD_EVENT_PRIORITY_IMPORTANT + 1)
#define PRIORITY_BUS SD_EVENT_PRIORITY_NORMAL
#define PRIORITY_FLUSH SD_EVENT_PRIORITY_IDLE

static uint64_t mono_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}

uint64_t manager_now(struct manager *m)
{
	return (uint64_t)((double)(mono_usec() - m->mono0) * m->scale) + USEC_PER_SEC;
}

void manager_mark(struct manager *m, uint32_t props)
{
	m->dirty |= props;
	if (props & ~PROP_PROGRESS)
		sd_event_source_set_enabled(m->flush, SD_EVENT_ONESHOT);
	else if (mono_usec() - m->last_progress >= MANAGER_PROGRESS_USEC)
		sd_event_source_set_enabled(m->flush, SD_EVENT_ONESHOT);
}

bool manager_in_session(const struct manager *m)
{
	return m->state == CHAIR_STATE_RUNNING || m->state == CHAIR_STATE_PAUSED;
}

static const char *state_status(const struct manager *m)
{
	switch (m->state) {
	case CHAIR_STATE_IDLE:
		return "Idle";
	case CHAIR_STATE_SCANNING:
		return "Scanning the body";
	case CHAIR_STATE_RUNNING:
		return "Running a session";
	case CHAIR_STATE_PAUSED:
		return "Session paused";
	case CHAIR_STATE_STOPPING:
		return "Parking the roller";
	case CHAIR_STATE_EMERGENCY_STOP:
		return "Emergency stop: every output off";
	case CHAIR_STATE_FAULT:
		return "Fault: every output off";
	case CHAIR_STATE_COUNT:
		break;
	}
	return "";
}

static void schedule_tick(struct manager *m);

void manager_set_state(struct manager *m, enum chair_state s)
{
	if (m->state == s)
		return;
	m->state = s;
	manager_mark(m, PROP_STATE);
	sd_notifyf(false, "STATUS=%s%s%s", state_status(m), m->program_id ? ": " : "",
		   m->program_id ? m->program_id : "");
	log_info("State: %s", chair_state_to_string(s));
	schedule_tick(m);
}

/* What the running session applied: empty or zero outside one. */
static void clear_session_view(struct manager *m)
{
	chair_strv_free(m->adjustments);
	m->adjustments = NULL;
	m->pause_reason = "";
	m->phase = -1;
	m->intensity = m->heat = 0;
	manager_mark(m, PROP_FOCUS | PROP_AVOID | PROP_CONDITIONS | PROP_PHASE | PROP_PAUSE_REASON |
			       PROP_ADJUSTMENTS | PROP_INTENSITY | PROP_HEAT);
}

static void clear_session(struct manager *m)
{
	m->engine = chair_engine_free(m->engine);
	chair_motion_set_guard(m->motion, NULL);
	m->step_valid = false;
	manager_mark(m, PROP_STEP);
	clear_session_view(m);
}

/* SessionFinished goes out when the chair is ready for the next session:
 * after parking, or at once when a stop or fault latched. */
static void emit_finished(struct manager *m)
{
	if (m->finish_pending < 0)
		return;
	chair_object_emit_finished(m, m->program_id,
				   chair_finish_reason_to_string(m->finish_pending), m->elapsed);
	m->finish_pending = -1;
}

void manager_end_session(struct manager *m, enum chair_finish_reason why)
{
	char **aftercare = NULL;

	if (!m->engine)
		return;
	m->elapsed = chair_engine_elapsed(m->engine);
	manager_mark(m, PROP_ELAPSED);
	log_info("Session %s ended: %s after %" PRIu64 " s", m->program_id,
		 chair_finish_reason_to_string(why), m->elapsed / USEC_PER_SEC);
	if (chair_policy_aftercare(chair_engine_program(m->engine), chair_engine_options(m->engine),
				   why, &aftercare) >= 0) {
		chair_strv_free(m->aftercare);
		m->aftercare = aftercare;
		manager_mark(m, PROP_AFTERCARE);
	}
	m->finish_pending = why;
	manager_history_end(m, why);
	clear_session(m);
	if (why == CHAIR_FINISH_EMERGENCY_STOP || why == CHAIR_FINISH_FAULT) {
		emit_finished(m);
		return; /* the caller sets the latched state */
	}
	manager_set_state(m, CHAIR_STATE_STOPPING);
}

/* Parked, or given up on: the chair is idle and says so in every
 * property. */
static void enter_idle(struct manager *m)
{
	manager_set_state(m, CHAIR_STATE_IDLE);
	emit_finished(m);
	free(m->program_id);
	m->program_id = NULL;
	m->profile[0] = 0;
	m->elapsed = m->duration = 0;
	manager_mark(m, PROP_PROGRAM | PROP_ELAPSED | PROP_DURATION | PROP_PROFILE);
}

static void end_scan(struct manager *m, int result)
{
	if (!m->scan)
		return;
	m->scan = chair_scan_free(m->scan);
	chair_object_scan_done(m, result);
}

static void enter_latched(struct manager *m, enum chair_state s)
{
	enum chair_finish_reason why =
		s == CHAIR_STATE_EMERGENCY_STOP ? CHAIR_FINISH_EMERGENCY_STOP : CHAIR_FINISH_FAULT;

	m->stop_gen++;
	if (m->engine)
		manager_end_session(m, why);
	/* A stop during parking: the session's end is told now. */
	emit_finished(m);
	end_scan(m, s == CHAIR_STATE_EMERGENCY_STOP ? -ECANCELED : -EIO);
	manager_set_state(m, s);
	if (s == CHAIR_STATE_FAULT) {
		uint32_t f = chair_safety_faults(m->safety);

		for (int i = 0; i < CHAIR_FAULT_COUNT; i++)
			if (f & (UINT32_C(1) << i))
				log_error("Fault: %s", chair_fault_to_string((enum chair_fault)i));
		manager_mark(m, PROP_FAULTS);
	} else {
		log_warning("Emergency stop: every output is off until Reset()");
	}
}

/* What the chair does outside the engine: pause, park, scan, nothing. */
static void manager_targets(struct manager *m, uint64_t now, const struct chair_sensors *s,
			    struct chair_targets *t)
{
	chair_targets_idle(t);
	switch (m->state) {
	case CHAIR_STATE_RUNNING:
		chair_engine_tick(m->engine, now, s, t);
		return;
	case CHAIR_STATE_PAUSED:
		/* Paused: the roller lets go, the airbags vent, heat is off; the
		 * engine says so, and that the seat rule still holds. */
		chair_engine_tick(m->engine, now, s, t);
		t->hold = false;
		return;
	case CHAIR_STATE_STOPPING:
		/* Retract first, then park at the bottom, sitting up. */
		t->hold = false;
		t->recline_pct = 0;
		t->walk_speed = 5;
		t->walk_mm = s->depth_mm <= 0.5 ? -10.0 : NAN;
		return;
	case CHAIR_STATE_SCANNING: {
		double shoulder = 0;
		int r = chair_scan_tick(m->scan, now, s, t, &shoulder);

		if (r == 1) {
			r = chair_body_from_scan(&m->body, shoulder, m->hw.track_length_mm);
			if (r == 0) {
				log_info("Body scan: shoulders at %.0f mm", shoulder);
				manager_mark(m, PROP_SHOULDER);
			}
			end_scan(m, r);
			manager_set_state(m, CHAIR_STATE_IDLE);
		} else if (r < 0) {
			end_scan(m, r);
			manager_set_state(m, CHAIR_STATE_IDLE);
		}
		return;
	}
	case CHAIR_STATE_IDLE:
	case CHAIR_STATE_EMERGENCY_STOP:
	case CHAIR_STATE_FAULT:
	case CHAIR_STATE_COUNT:
		return;
	}
}

/* The Occupied property, and a scan needs someone in the chair. The
 * session's seat rule is the safety core's (its SEAT_* events). */
static void watch_seat(struct manager *m)
{
	bool occupied = !chair_hw_has_input(&m->hw, CHAIR_IN_SEAT) || m->in.in[CHAIR_IN_SEAT];

	if (occupied != m->occupied) {
		m->occupied = occupied;
		manager_mark(m, PROP_OCCUPIED);
	}
	if (m->state == CHAIR_STATE_SCANNING && !occupied) {
		end_scan(m, -ENXIO);
		manager_set_state(m, CHAIR_STATE_IDLE);
	}
}

static void seat_events(struct manager *m, uint64_t now, unsigned ev)
{
	if ((ev & CHAIR_SAFETY_EV_SEAT_EMPTY) && m->state == CHAIR_STATE_RUNNING) {
		log_notice("The seat is empty: session paused");
		chair_engine_pause(m->engine, now);
		m->pause_reason = "seat-empty";
		manager_mark(m, PROP_PAUSE_REASON);
		manager_set_state(m, CHAIR_STATE_PAUSED);
	}
	if ((ev & CHAIR_SAFETY_EV_SEAT_TIMEOUT) && manager_in_session(m))
		manager_end_session(m, CHAIR_FINISH_SEAT_EMPTY);
}

static bool parked(const struct manager *m, const struct chair_sensors *s)
{
	bool bottom = s->at_bottom || !chair_hw_has_input(&m->hw, CHAIR_IN_WALK_BOTTOM);

	return bottom && s->depth_mm <= 0.5 && s->recline_pct <= 2.0;
}

static void update_display(struct manager *m, const struct chair_sensors *s)
{
	int zone = manager_in_session(m) || m->state == CHAIR_STATE_SCANNING
			   ? chair_body_zone_at(&m->body, s->position_mm)
			   : -1;
	bool step_valid = m->state == CHAIR_STATE_RUNNING && !m->targets.hold;

	if (zone != m->zone) {
		m->zone = zone;
		manager_mark(m, PROP_ZONE);
	}
	if (step_valid != m->step_valid || (step_valid && m->targets.technique != m->step)) {
		m->step_valid = step_valid;
		m->step = m->targets.technique;
		manager_mark(m, PROP_STEP);
	}
	if (m->engine && chair_engine_elapsed(m->engine) != m->elapsed) {
		m->elapsed = chair_engine_elapsed(m->engine);
		manager_mark(m, PROP_ELAPSED);
	}
	for (int h = 0; h < CHAIR_HEATER_COUNT; h++) {
		double t = m->in.temp[h].valid ? round(m->in.temp[h].celsius * 10.0) / 10.0 : NAN;

		if (!(t == m->temps[h] || (isnan(t) && isnan(m->temps[h])))) {
			m->temps[h] = t;
			manager_mark(m, PROP_TEMPERATURES);
		}
	}
	if (memcmp(hal_outputs(m->hal)->out, m->last_emitted_outputs.out,
		   sizeof(m->last_emitted_outputs.out))) {
		m->last_emitted_outputs = *hal_outputs(m->hal);
		manager_mark(m, PROP_OUTPUTS);
	}
}

static void write_trace(struct manager *m, uint64_t now, const struct chair_sensors *s)
{
	int step = m->step_valid ? (int)m->step : -1;

	if (!m->trace)
		return;
	if (!m->trace_event && m->traced_once && m->traced_state == m->state && m->traced_step == step &&
	    !memcmp(m->traced_cmd.out, hal_outputs(m->hal)->out, sizeof(m->traced_cmd.out)))
		return;
	m->traced_once = true;
	m->traced_state = m->state;
	m->traced_step = step;
	m->traced_cmd = *hal_outputs(m->hal);
	trace_write(m->trace, now, m->state, step, m->zone, s->position_mm,
		    (unsigned)lround(s->depth_mm / (m->hw.depth_stroke_mm / 4.0)),
		    hal_outputs(m->hal), &m->hw, m->in.temp,
		    &(struct trace_timing){ .mono_usec = hal_changed_usec(m->hal),
					    .late_usec = m->late_usec,
					    .edge_usec = m->edge_mono,
					    .event = m->trace_event });
	m->edge_mono = 0;
	m->trace_event = NULL;
}

/* A line that cannot be read or driven: nothing it says can be trusted,
 * so everything goes off, and stays off until Reset(). */
static void io_failed(struct manager *m)
{
	if (chair_safety_faults(m->safety) & (UINT32_C(1) << CHAIR_FAULT_GPIO))
		return;
	chair_safety_latch_fault(m->safety, CHAIR_FAULT_GPIO);
	hal_safe_state(m->hal);
	if (m->state != CHAIR_STATE_EMERGENCY_STOP)
		enter_latched(m, CHAIR_STATE_FAULT);
	else
		manager_mark(m, PROP_FAULTS);
}

/* The session's phase, for the Phase property. */
static void update_phase(struct manager *m)
{
	int phase = manager_in_session(m) && m->engine ? (int)m->targets.phase : -1;

	if (m->state == CHAIR_STATE_PAUSED && m->engine)
		phase = (int)chair_engine_phase(m->engine);
	if (phase != m->phase) {
		m->phase = phase;
		manager_mark(m, PROP_PHASE);
	}
}

/* When a write took effect, in chair time: on real time the clock has
 * moved on during the step. */
static uint64_t write_time(struct manager *m, uint64_t now)
{
	return m->realtime ? MAX(now, manager_now(m)) : now;
}

/* One control iteration, @p dt of chair time ending at @p now. */
static void control_iteration(struct manager *m, uint64_t now, uint64_t dt)
{
	const struct chair_command *cmd;
	struct chair_sensors s;
	struct chair_request req;
	unsigned ev;
	bool io_ok, written = true;

	/* Shutting down: the outputs were driven safe, nothing drives them
	 * again. */
	if (m->exiting)
		return;
	hal_advance(m->hal, dt);
	io_ok = hal_read_inputs(m->hal, now, &m->in) >= 0;
	chair_motion_observe(m->motion, now, &m->in, hal_outputs(m->hal));
	chair_motion_sensors(m->motion, &m->in, &s);
	watch_seat(m);

	manager_targets(m, now, &s, &m->targets);
	chair_motion_request(m->motion, &m->in, &m->targets, &req);
	ev = chair_safety_apply(m->safety, now, &m->in, &req, &cmd);
	/* A write that failed leaves the outputs as they were, so it is tried
	 * again on every iteration until it takes. */
	if (memcmp(chair_command_outputs(cmd), hal_outputs(m->hal), sizeof(struct chair_outputs)))
		written = hal_write(m->hal, cmd) >= 0;
	chair_safety_written(m->safety, write_time(m, now), written);
	if (!io_ok || !written)
		io_failed(m);

	if (ev & CHAIR_SAFETY_EV_ESTOP)
		enter_latched(m, CHAIR_STATE_EMERGENCY_STOP);
	else if (ev & CHAIR_SAFETY_EV_FAULT && m->state != CHAIR_STATE_EMERGENCY_STOP)
		enter_latched(m, CHAIR_STATE_FAULT);
	else if (ev & CHAIR_SAFETY_EV_FAULT)
		manager_mark(m, PROP_FAULTS);
	seat_events(m, now, ev);
	if (ev & CHAIR_SAFETY_EV_CAP)
		manager_end_session(m, CHAIR_FINISH_STOPPED);

	if (m->state == CHAIR_STATE_RUNNING && chair_engine_finished(m->engine))
		manager_end_session(m, CHAIR_FINISH_COMPLETED);
	if (m->state == CHAIR_STATE_STOPPING && parked(m, &s))
		enter_idle(m);
	update_phase(m);
	update_display(m, &s);
	write_trace(m, now, &s);
	schedule_tick(m);
}

void manager_catch_up(struct manager *m)
{
	uint64_t now = manager_now(m);

	/* On real time (the hardware, or the simulator at scale 1) a late
	 * loop never replays the steps it missed: back to back, they would
	 * squeeze a dead time or a stall window into microseconds. One
	 * iteration at the current time covers the gap, and the safety core
	 * latches loop-stalled if outputs were left unwatched too long.
	 * Idle, nothing moves: one iteration covers the gap too. */
	if (m->realtime || !m->fast) {
		if (now > m->chair_now) {
			control_iteration(m, now, now - m->chair_now);
			m->chair_now = now;
		}
		return;
	}
	/* Simulated time, faster than real: every 10 ms of chair time gets
	 * its own iteration. */
	while (now >= m->chair_now + MANAGER_STEP_USEC) {
		uint64_t due;

		m->chair_now += MANAGER_STEP_USEC;
		/* When this iteration was due in real time, for the lateness. */
		due = m->mono0 + (uint64_t)((double)(m->chair_now - USEC_PER_SEC) / m->scale);
		m->late_usec = mono_usec() > due ? mono_usec() - due : 0;
		control_iteration(m, m->chair_now, MANAGER_STEP_USEC);
	}
}

/* Every 10 ms while anything moves, and while any output is on (a stop
 * whose write failed is tried again at once, not at the next idle tick). */
static bool needs_fast(const struct manager *m)
{
	return m->state == CHAIR_STATE_RUNNING || m->state == CHAIR_STATE_PAUSED ||
	       m->state == CHAIR_STATE_STOPPING || m->state == CHAIR_STATE_SCANNING ||
	       !chair_outputs_all_off(hal_outputs(m->hal));
}

/* Real time between ticks. In fast mode a tick runs every iteration that
 * is due, so with --time-scale N one tick covers N iterations. Idle ticks
 * come often enough to feed the watchdog. */
static uint64_t real_interval(const struct manager *m)
{
	if (m->fast)
		return MANAGER_STEP_USEC;
	return m->watchdog_usec ? MIN(MANAGER_IDLE_TICK_USEC, m->watchdog_usec / 4)
				: MANAGER_IDLE_TICK_USEC;
}

/* The watchdog is fed here, by the control loop itself, and nowhere else:
 * a loop that no longer runs its control step (a source that spins, a
 * dispatch that never ends) is restarted by systemd. */
static void feed_watchdog(struct manager *m, uint64_t mono)
{
	if (!m->watchdog_usec || mono - m->watchdog_fed < m->watchdog_usec / 4)
		return;
	sd_notify(false, "WATCHDOG=1");
	m->watchdog_fed = mono;
}

static int tick_cb(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct manager *m = userdata;
	uint64_t mono = mono_usec(), next;

	if (m->realtime && m->fast)
		m->late_usec = mono > usec ? mono - usec : 0;
	manager_catch_up(m);
	feed_watchdog(m, mono);
	/* Missed ticks are not made up for: catch-up has covered them. */
	next = usec + real_interval(m);
	if (next <= mono)
		next = mono + real_interval(m);
	sd_event_source_set_time(s, next);
	sd_event_source_set_enabled(s, SD_EVENT_ON);
	return 0;
}

static void schedule_tick(struct manager *m)
{
	bool fast = needs_fast(m);

	if (fast == m->fast || !m->tick)
		return;
	m->fast = fast;
	/* Fast ticks must be on time; idle ones may be coalesced. */
	sd_event_source_set_time_accuracy(m->tick, fast ? 1 : 100 * USEC_PER_MSEC);
	sd_event_source_set_time_relative(m->tick, fast ? 0 : real_interval(m));
}

static int flush_cb(sd_event_source *s, void *userdata)
{
	struct manager *m = userdata;

	chair_object_flush(m);
	return 0;
}

/* --- the session state machine ------------------------------------------- */

_printf_(3, 4) static int refuse(struct manager_why *why, int r, const char *fmt, ...)
{
	va_list ap;

	if (why) {
		va_start(ap, fmt);
		vsnprintf(why->msg, sizeof(why->msg), fmt, ap);
		va_end(ap);
	}
	return r;
}

/* Anything but idle refuses a new session or scan, and says why. */
static int refuse_unless_idle(struct manager *m, struct manager_why *why)
{
	switch (m->state) {
	case CHAIR_STATE_EMERGENCY_STOP:
		return refuse(why, -ECANCELED, "The emergency stop is engaged. Release the stop "
					       "button, then reset the chair.");
	case CHAIR_STATE_FAULT:
		return refuse(why, -EIO, "The chair has a fault and is stopped. Reset it once the "
					 "cause is cleared; if it comes back, have the chair serviced.");
	case CHAIR_STATE_RUNNING:
	case CHAIR_STATE_PAUSED:
		return refuse(why, -EBUSY, "A session (%s) is already running. Stop it first.",
			      m->program_id);
	case CHAIR_STATE_SCANNING:
		return refuse(why, -EBUSY, "The chair is measuring your back. Wait for the scan to "
					   "finish.");
	case CHAIR_STATE_STOPPING:
		return refuse(why, -EBUSY, "The chair is still parking the roller. Try again in a "
					   "few seconds.");
	case CHAIR_STATE_IDLE:
	case CHAIR_STATE_COUNT:
		break;
	}
	return 0;
}

static bool seat_empty(const struct manager *m)
{
	return chair_hw_has_input(&m->hw, CHAIR_IN_SEAT) && !m->in.in[CHAIR_IN_SEAT];
}

static int refuse_seat_empty(struct manager_why *why)
{
	return refuse(why, -ENXIO, "Nobody is seated. Sit down in the chair, then try again.");
}

static int refuse_not_running(struct manager_why *why)
{
	return refuse(why, -ESRCH, "No session is running. Start a program first.");
}

int manager_start_session(struct manager *m, const char *id, const struct chair_options *o,
			  struct manager_why *why)
{
	struct chair_program *p;
	char *msg = NULL;
	int r;

	manager_catch_up(m);
	r = refuse_unless_idle(m, why);
	if (r < 0)
		return r;
	p = chair_programs_find(m->programs, id);
	if (!p)
		return refuse(why, -ENOENT, "There is no program '%s'. ListPrograms() (or "
					    "'chairctl programs') lists the programs.", CHAIR_QUOTE(id));
	r = chair_options_check(p, o, &m->hw, &msg);
	if (r < 0)
		return refuse(why, r, "The chair is out of memory.");
	if (r != CHAIR_CHECK_OK) {
		r = refuse(why, r == CHAIR_CHECK_INVALID ? -EINVAL : -EPERM, "%s", msg);
		free(msg);
		return r;
	}
	if (seat_empty(m))
		return refuse_seat_empty(why);

	r = chair_engine_new(p, o, &m->hw, &m->body, m->chair_now, &m->engine);
	if (r < 0)
		return refuse(why, r, "The session could not be set up: %s.", strerror(-r));
	chair_motion_set_guard(m->motion, chair_engine_guard(m->engine));
	chair_safety_session_begin(m->safety);
	free(m->program_id);
	m->program_id = strdup(p->id);
	m->intensity = chair_engine_intensity(m->engine);
	m->heat = chair_engine_heat(m->engine);
	m->duration = chair_engine_duration(m->engine);
	m->elapsed = 0;
	m->pause_reason = "";
	m->phase = (int)chair_engine_phase(m->engine);
	manager_mark(m, PROP_PHASE);
	chair_strv_free(m->adjustments);
	m->adjustments = NULL;
	chair_policy_adjustments(p, o, &m->hw, &m->adjustments);
	for (char **a = m->adjustments; a && *a; a++)
		log_info("Adjusted: %s", *a);
	/* The advice of the last session goes with it. */
	chair_strv_free(m->aftercare);
	m->aftercare = NULL;
	manager_mark(m, PROP_PROGRAM | PROP_INTENSITY | PROP_HEAT | PROP_DURATION | PROP_ELAPSED |
				PROP_FOCUS | PROP_AVOID | PROP_CONDITIONS | PROP_PAUSE_REASON |
				PROP_ADJUSTMENTS | PROP_AFTERCARE);
	log_info("Starting %s: %" PRIu64 " min, intensity %u, heat %u", p->id,
		 m->duration / USEC_PER_MIN, m->intensity, m->heat);
	manager_set_state(m, CHAIR_STATE_RUNNING);
	manager_history_begin(m, chair_engine_options(m->engine));
	return 0;
}

int manager_stop(struct manager *m)
{
	m->stop_gen++;
	manager_catch_up(m);
	if (manager_in_session(m)) {
		manager_end_session(m, CHAIR_FINISH_STOPPED);
	} else if (m->state == CHAIR_STATE_SCANNING) {
		end_scan(m, -EINTR);
		manager_set_state(m, CHAIR_STATE_STOPPING);
	}
	return 0;
}

int manager_pause(struct manager *m, struct manager_why *why)
{
	manager_catch_up(m);
	if (m->state == CHAIR_STATE_PAUSED)
		return 0;
	if (m->state != CHAIR_STATE_RUNNING)
		return refuse_not_running(why);
	chair_engine_pause(m->engine, m->chair_now);
	m->pause_reason = "requested";
	manager_mark(m, PROP_PAUSE_REASON);
	manager_history_event(m, CHAIR_EVENT_PAUSE, -1, 0);
	manager_set_state(m, CHAIR_STATE_PAUSED);
	return 0;
}

int manager_resume(struct manager *m, struct manager_why *why)
{
	manager_catch_up(m);
	if (m->state == CHAIR_STATE_RUNNING)
		return 0;
	if (m->state != CHAIR_STATE_PAUSED)
		return refuse_not_running(why);
	if (seat_empty(m))
		return refuse_seat_empty(why);
	chair_engine_resume(m->engine, m->chair_now);
	m->pause_reason = "";
	manager_mark(m, PROP_PAUSE_REASON);
	manager_history_event(m, CHAIR_EVENT_RESUME, -1, 0);
	manager_set_state(m, CHAIR_STATE_RUNNING);
	return 0;
}

int manager_set_intensity(struct manager *m, unsigned v, struct manager_why *why)
{
	if (v < 1 || v > 5)
		return refuse(why, -EINVAL, "intensity %u is out of range; use 1 (softest) to 5 "
					    "(firmest).", v);
	manager_catch_up(m);
	if (!manager_in_session(m))
		return refuse_not_running(why);
	chair_engine_set_intensity(m->engine, v);
	m->intensity = v;
	manager_mark(m, PROP_INTENSITY);
	manager_history_event(m, CHAIR_EVENT_INTENSITY, -1, (int)v);
	return 0;
}

int manager_set_heat(struct manager *m, unsigned v, struct manager_why *why)
{
	if (v > 3)
		return refuse(why, -EINVAL, "heat %u is out of range; use 0 (off) to 3.", v);
	manager_catch_up(m);
	if (!manager_in_session(m))
		return refuse_not_running(why);
	chair_engine_set_heat(m->engine, v);
	if (v > 0 && chair_engine_heat(m->engine) == 0)
		return refuse(why, -EPERM, "Heat stays off in this session because of the conditions "
					   "it was started with.");
	m->heat = chair_engine_heat(m->engine);
	manager_mark(m, PROP_HEAT);
	manager_history_event(m, CHAIR_EVENT_HEAT, -1, (int)v);
	return 0;
}

int manager_reset(struct manager *m, struct manager_why *why)
{
	const char *reason = NULL;
	int r;

	manager_catch_up(m);
	if (m->state != CHAIR_STATE_EMERGENCY_STOP && m->state != CHAIR_STATE_FAULT)
		return 0;
	if (hal_failed(m->hal))
		return refuse(why, -EIO, "A GPIO chip failed and is no longer watched, so its stop "
					 "button and switches cannot be trusted. Have it checked, then "
					 "restart the chair.");
	r = chair_safety_reset(m->safety, m->chair_now, &m->in, &reason);
	if (r < 0)
		return refuse(why, chair_safety_estopped(m->safety) ? -ECANCELED : -EIO, "%s", reason);
	log_info("Reset: the chair is idle; nothing moves until a session is started");
	manager_mark(m, PROP_FAULTS);
	enter_idle(m);
	return 0;
}

int manager_scan(struct manager *m, struct manager_why *why)
{
	int r;

	manager_catch_up(m);
	r = refuse_unless_idle(m, why);
	if (r < 0)
		return r;
	if (seat_empty(m))
		return refuse_seat_empty(why);
	if (!chair_hw_has_input(&m->hw, CHAIR_IN_SHOULDER))
		return refuse(why, -EOPNOTSUPP, "This chair has no shoulder sensor, so it cannot "
						"scan; the default body is used.");
	r = chair_scan_new(&m->hw, m->chair_now, &m->scan);
	if (r < 0)
		return refuse(why, r, "The scan could not be set up: %s.", strerror(-r));
	manager_set_state(m, CHAIR_STATE_SCANNING);
	return 0;
}

/* A back zone at the start of a sentence: "Your lower back", "The base of
 * your spine". */
static const char *zone_subject(int z, char *buf, size_t n)
{
	snprintf(buf, n, "%s", chair_wording_zone_phrase((enum chair_zone)z));
	buf[0] = (char)toupper((unsigned char)buf[0]);
	return buf;
}

void manager_adjusted(struct manager *m, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = chair_strv_vpushf(&m->adjustments, fmt, ap);
	va_end(ap);
	if (r >= 0)
		log_info("Adjusted: %s", m->adjustments[chair_strv_length(m->adjustments) - 1]);
	manager_mark(m, PROP_ADJUSTMENTS);
}

int manager_feedback(struct manager *m, const char *what, struct manager_why *why)
{
	int zone, r;
	char subject[64];

	manager_catch_up(m);
	if (!manager_in_session(m))
		return refuse_not_running(why);
	zone = m->zone;
	if (streq(what, "hurts-here") || streq(what, "more-here")) {
		if (zone < 0)
			return refuse(why, -EAGAIN, "The roller is not on your back right now; say it "
						    "again when it is on the place you mean.");
		if (streq(what, "hurts-here")) {
			chair_engine_avoid(m->engine, (enum chair_zone)zone);
			chair_motion_set_guard(m->motion, chair_engine_guard(m->engine));
			manager_adjusted(m, "%s %s left alone for the rest of the session, with no heat "
				    "there: you said it hurt.", zone_subject(zone, subject, sizeof(subject)),
				    chair_wording_zone_plural(zone) ? "are" : "is");
			manager_mark(m, PROP_AVOID | PROP_FOCUS);
		} else {
			r = chair_engine_set_focus(m->engine, (enum chair_zone)zone);
			if (r < 0)
				return refuse(why, -EPERM, "%s %s avoided in this session, so %s no "
					      "more time.", zone_subject(zone, subject, sizeof(subject)),
					      chair_wording_zone_plural(zone) ? "are" : "is",
					      chair_wording_zone_plural(zone) ? "they get" : "it gets");
			manager_adjusted(m, "%s %s more time for the rest of the session: you asked for "
				    "it.", zone_subject(zone, subject, sizeof(subject)),
				    chair_wording_zone_plural(zone) ? "get" : "gets");
			manager_mark(m, PROP_FOCUS);
		}
	} else if (streq(what, "too-strong") || streq(what, "too-soft")) {
		bool softer = streq(what, "too-strong");
		unsigned v = m->intensity;

		if (softer ? v <= 1 : v >= 5)
			return refuse(why, -EINVAL, "The massage is already at its %s (intensity %u).",
				      softer ? "softest" : "firmest", v);
		v = softer ? v - 1 : v + 1;
		chair_engine_set_intensity(m->engine, v);
		m->intensity = v;
		manager_mark(m, PROP_INTENSITY);
		manager_adjusted(m, "Intensity %u: you said it was %s.", v, softer ? "too strong" : "too soft");
	} else {
		/* The caller's text is not echoed back. */
		return refuse(why, -EINVAL, "Unknown feedback; say hurts-here, more-here, too-strong "
					    "or too-soft.");
	}
	log_info("Feedback: %s", what);
	manager_history_event(m, streq(what, "hurts-here")   ? CHAIR_EVENT_HURTS_HERE
				 : streq(what, "more-here")  ? CHAIR_EVENT_MORE_HERE
				 : streq(what, "too-strong") ? CHAIR_EVENT_TOO_STRONG
							     : CHAIR_EVENT_TOO_SOFT,
			      streq(what, "hurts-here") || streq(what, "more-here") ? zone : -1,
			      (int)m->intensity);
	/* Acted on within this control step. */
	m->trace_event = streq(what, "hurts-here") ? "hurts-here" : streq(what, "more-here") ? "more-here"
			 : streq(what, "too-strong") ? "too-strong" : "too-soft";
	control_iteration(m, m->chair_now, 0);
	return 0;
}

int manager_reload(struct manager *m)
{
	struct chair_programs *ps = NULL;
	struct chair_diags errors = { 0 };
	int r;

	r = chair_programs_load_diags((const char *const *)m->program_dirs, m->n_program_dirs, &m->hw, &ps,
				&errors);
	if (r < 0)
		return log_error_errno(r, "Failed to load programs: %m");
	for (size_t i = 0; i < errors.n; i++) {
		_cleanup_free_ char *e = chair_diag_format(&errors.v[i]);

		log_error("%s", e ? e : errors.v[i].message);
	}
	chair_diags_clear(&m->program_errors);
	m->program_errors = errors;
	if (m->flush)
		manager_mark(m, PROP_PROGRAM_ERRORS);
	chair_programs_free(m->programs);
	m->programs = ps;
	log_info("Loaded %zu programs", chair_programs_count(ps));
	if (chair_programs_count(ps) == 0)
		log_warning("No programs found in %s%s%s; give chaird --programs DIR (from the source "
			    "tree: --programs data/programs)", m->program_dirs[0] ? m->program_dirs[0] : "",
			    m->n_program_dirs > 1 ? " or " : "",
			    m->n_program_dirs > 1 ? m->program_dirs[m->n_program_dirs - 1] : "");
	return 0;
}

int manager_emergency_stop(struct manager *m)
{
	int r;

	/* Outputs first, before anything else runs; then the bookkeeping, and
	 * an iteration that records the stop. */
	chair_safety_emergency_stop(m->safety);
	r = hal_safe_state(m->hal);
	if (m->state != CHAIR_STATE_EMERGENCY_STOP)
		enter_latched(m, CHAIR_STATE_EMERGENCY_STOP);
	/* A line that would not go off: latched as gpio-failed, and tried
	 * again on every iteration. */
	if (r < 0)
		io_failed(m);
	manager_catch_up(m);
	control_iteration(m, m->chair_now, 0);
	/* The answer says whether the outputs are off now: one more try. */
	return r < 0 && hal_safe_state(m->hal) < 0 ? -EIO : 0;
}

/* An input changed (a GPIO edge, or the simulator's button, seat or
 * fault): act on it now instead of waiting for the next tick. */
void manager_input_changed(struct manager *m)
{
	struct chair_inputs in;

	m->edge_mono = mono_usec();
	hal_read_inputs(m->hal, m->chair_now, &in);
	/* The stop button: outputs safe first, then everything else. */
	if (chair_hw_has_input(&m->hw, CHAIR_IN_ESTOP) && in.in[CHAIR_IN_ESTOP] &&
	    !chair_safety_estopped(m->safety)) {
		manager_emergency_stop(m);
		return;
	}
	manager_catch_up(m);
	if (!m->realtime)
		control_iteration(m, m->chair_now, 0);
}

static void on_edge(struct hal *h, void *userdata)
{
	manager_input_changed(userdata);
}

static void on_hal_failed(struct hal *h, void *userdata)
{
	io_failed(userdata);
}

/* Every output safe, the session ended, the last trace line written, and
 * the loop told to exit. From here on, no control iteration runs: parking
 * after the session's end would drive the motors again. */
static void shut_down(struct manager *m, int code, const char *status)
{
	struct chair_sensors sens;

	sd_notifyf(false, "STOPPING=1\nSTATUS=%s", status);
	hal_safe_state(m->hal);
	m->exiting = true;
	m->stop_gen++;
	if (m->engine)
		manager_end_session(m, CHAIR_FINISH_STOPPED);
	emit_finished(m);
	chair_motion_sensors(m->motion, &m->in, &sens);
	m->traced_once = false;
	write_trace(m, manager_now(m), &sens);
	sd_event_exit(m->event, code);
}

static int on_exit_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct manager *m = userdata;

	log_info("Received %s: driving every output safe, then exiting",
		 si->ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
	shut_down(m, 0, "Stopping: outputs safe");
	if (m->bus)
		dbus_connection_flush(m->bus);
	return 0;
}

static int on_hup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	log_info("Received SIGHUP: reloading programs");
	manager_reload(userdata);
	return 0;
}

static char **strv_copy(const char *const *v, size_t n)
{
	char **c = calloc(n + 1, sizeof(char *));

	if (!c)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!(c[i] = strdup(v[i]))) {
			chair_strv_free(c);
			return NULL;
		}
	return c;
}

int manager_new(const struct manager_config *cfg, struct manager **ret)
{
	struct manager *m = calloc(1, sizeof(*m));
	sigset_t ss;
	int r;

	if (!m)
		return log_oom();
	m->hw = cfg->hw;
	m->scale = cfg->time_scale;
	m->mono0 = mono_usec();
	m->state = CHAIR_STATE_IDLE;
	m->zone = -1;
	m->phase = -1;
	m->pause_reason = "";
	m->finish_pending = -1;
	m->occupied = true;
	for (int h = 0; h < CHAIR_HEATER_COUNT; h++)
		m->temps[h] = NAN;
	chair_body_default(&m->body, m->hw.track_length_mm);

	/* The outputs are safe before anything else: the bus comes later. */
	if (cfg->sim) {
		r = hal_sim_new(&m->hw, &m->hal);
		if (r < 0) {
			log_error_errno(r, "Failed to set up the simulated chair: %m");
			goto fail;
		}
	} else {
		r = hal_gpiod_new(cfg->map, cfg->gpio_dir ? cfg->gpio_dir : "/dev",
				  cfg->pwm_root ? cfg->pwm_root : "/sys/class/pwm", &m->hal);
		if (r < 0)
			goto fail; /* it said which chip and line */
	}
	hal_set_clock_offset(m->hal, m->mono0 - USEC_PER_SEC);
	/* Real hardware, or the simulator at scale 1, runs on real time. */
	m->realtime = hal_is_real(m->hal) || m->scale == 1.0;
	r = hal_safe_state(m->hal);
	if (r < 0) {
		log_error_errno(r, "Failed to drive the outputs safe: %m");
		goto fail;
	}

	if (chair_motion_new(&m->hw, &m->motion) < 0 || chair_safety_new(&m->hw, &m->safety) < 0) {
		r = log_oom();
		goto fail;
	}
	if (m->realtime)
		chair_safety_set_max_gap(m->safety, CHAIR_SAFETY_MAX_GAP_USEC);
	if (sd_watchdog_enabled(false, &m->watchdog_usec) <= 0)
		m->watchdog_usec = 0;
	m->program_dirs = strv_copy(cfg->program_dirs, cfg->n_program_dirs);
	m->n_program_dirs = cfg->n_program_dirs;
	if (!m->program_dirs) {
		r = log_oom();
		goto fail;
	}
	r = manager_reload(m);
	if (r < 0)
		goto fail;

	if (cfg->trace_path) {
		m->trace = fopen(cfg->trace_path, "we");
		if (!m->trace) {
			r = log_error_errno(-errno, "Failed to open trace file %s: %m", cfg->trace_path);
			goto fail;
		}
	}

	if (cfg->stop_socket && !(m->stop_socket_path = strdup(cfg->stop_socket))) {
		r = log_oom();
		goto fail;
	}

	r = sd_event_default(&m->event);
	if (r < 0)
		goto fail_event;
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGHUP);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	r = sd_event_add_signal(m->event, NULL, SIGTERM, on_exit_signal, m);
	if (r >= 0)
		r = sd_event_add_signal(m->event, NULL, SIGINT, on_exit_signal, m);
	if (r >= 0)
		r = sd_event_add_signal(m->event, NULL, SIGHUP, on_hup, m);
	if (r >= 0)
		r = sd_event_add_time_relative(m->event, &m->tick, CLOCK_MONOTONIC, 0,
					       100 * USEC_PER_MSEC, tick_cb, m);
	if (r >= 0)
		r = sd_event_source_set_priority(m->tick, PRIORITY_CONTROL);
	if (r >= 0)
		r = sd_event_add_defer(m->event, &m->flush, flush_cb, m);
	if (r >= 0)
		r = sd_event_source_set_priority(m->flush, PRIORITY_FLUSH);
	if (r >= 0)
		r = hal_attach(m->hal, m->event, PRIORITY_CONTROL, on_edge, on_hal_failed, m);
	if (r < 0)
		goto fail_event;
	sd_event_source_set_enabled(m->flush, SD_EVENT_OFF);
	sd_event_source_set_enabled(m->tick, SD_EVENT_ON);
	r = manager_store_open(m, cfg->state_dir);
	if (r < 0)
		goto fail;

	m->chair_now = manager_now(m);
	control_iteration(m, m->chair_now, 0);
	*ret = m;
	return 0;
fail_event:
	log_error_errno(r, "Failed to set up the event loop: %m");
fail:
	manager_free(m);
	return r;
}

static void close_stop_bus(struct manager *m);

struct manager *manager_free(struct manager *m)
{
	if (!m)
		return NULL;
	/* Nothing drives anything from here on; what is queued for the store
	 * is written (a Start it was reading for is refused) before the HAL
	 * goes. */
	m->exiting = true;
	m->stop_gen++;
	m->store = store_worker_free(m->store);
	if (m->hal) {
		hal_safe_state(m->hal);
		hal_free(m->hal);
	}
	if (m->scan_call)
		dbus_message_unref(m->scan_call);
	chair_scan_free(m->scan);
	chair_engine_free(m->engine);
	chair_motion_free(m->motion);
	chair_safety_free(m->safety);
	chair_programs_free(m->programs);
	chair_strv_free(m->program_dirs);
	chair_diags_clear(&m->program_errors);
	free(m->program_id);
	chair_strv_free(m->adjustments);
	chair_strv_free(m->aftercare);
	free(m->introspection_xml);
	bus_glue_free(m->glue);
	if (m->bus) {
		dbus_connection_close(m->bus);
		dbus_connection_unref(m->bus);
	}
	close_stop_bus(m);
	m->stop_socket = stop_socket_free(m->stop_socket);
	free(m->stop_socket_path);
	sd_event_source_disable_unref(m->tick);
	sd_event_source_disable_unref(m->flush);
	sd_event_unref(m->event);
	if (m->trace)
		fclose(m->trace);
	free(m);
	return NULL;
}

static void close_stop_bus(struct manager *m)
{
	m->stop_glue = bus_glue_free(m->stop_glue);
	if (m->stop_bus) {
		dbus_connection_close(m->stop_bus);
		dbus_connection_unref(m->stop_bus);
		m->stop_bus = NULL;
	}
}

/*
 * A second connection that serves only EmergencyStop(), under its own name.
 * The bus delivers each connection's messages in order, so on the main
 * connection a stop waits behind every call another client queued before
 * it; here nothing is ahead of it. Without it (an old bus policy, say) the
 * chair still stops through the main name.
 */
static void open_stop_bus(struct manager *m, bool session_bus)
{
	DBusError err;
	int r;

	dbus_error_init(&err);
	m->stop_bus = bus_open(session_bus, &err);
	if (!m->stop_bus) {
		log_warning("No connection for %s (%s): EmergencyStop() is served at %s only",
			    CHAIR_STOP_BUS_NAME, err.message, CHAIR_BUS_NAME);
		dbus_error_free(&err);
		return;
	}
	r = bus_glue_attach(m->stop_bus, m->event, PRIORITY_STOP, &m->stop_glue);
	if (r >= 0) {
		bus_glue_set_router(m->stop_glue, chair_object_route_stop, chair_object_urgent, m);
		r = bus_request_name(m->stop_bus, CHAIR_STOP_BUS_NAME, &err);
	}
	if (r < 0) {
		log_warning("Could not take the name %s (%s): EmergencyStop() is served at %s "
			    "only; is the D-Bus policy from this version installed?",
			    CHAIR_STOP_BUS_NAME,
			    dbus_error_is_set(&err) ? err.message :
			    r == -EEXIST ? "another program has it" : strerror(-r),
			    CHAIR_BUS_NAME);
		dbus_error_free(&err);
		close_stop_bus(m);
	}
}

void manager_stop_bus_lost(struct manager *m)
{
	/* Its glue is in the middle of a dispatch: it is freed at exit. */
	log_warning("Lost the connection of %s: EmergencyStop() is served at %s only",
		    CHAIR_STOP_BUS_NAME, CHAIR_BUS_NAME);
}

/* Without the bus, nobody can steer or stop the chair through software:
 * drive every output safe and exit non-zero, so systemd restarts us. */
void manager_bus_lost(struct manager *m)
{
	log_error("Lost the connection to the bus: every output driven safe, exiting");
	shut_down(m, 1, "Lost the bus: outputs safe");
}

int manager_run(struct manager *m, bool session_bus)
{
	DBusError err;
	int r;

	dbus_error_init(&err);
	m->bus = bus_open(session_bus, &err);
	if (!m->bus) {
		log_error("Failed to connect to the %s bus: %s", session_bus ? "session" : "system",
			  err.message);
		dbus_error_free(&err);
		return -ENOTCONN;
	}
	r = bus_glue_attach(m->bus, m->event, PRIORITY_BUS, &m->glue);
	if (r < 0)
		return log_error_errno(r, "Failed to attach the bus to the event loop: %m");
	/* EmergencyStop() before anything queued ahead of it. */
	bus_glue_set_router(m->glue, chair_object_route, chair_object_urgent, m);
	r = chair_object_register(m);
	if (r < 0)
		return log_error_errno(r, "Failed to register the D-Bus object: %m");
	/* The stop's name first: whoever sees the main name can stop there. */
	open_stop_bus(m, session_bus);
	r = bus_request_name(m->bus, CHAIR_BUS_NAME, &err);
	if (r < 0) {
		if (dbus_error_is_set(&err))
			log_error("Failed to take the name %s: %s", CHAIR_BUS_NAME, err.message);
		else
			log_error("Failed to take the name %s: another chaird is running",
				  CHAIR_BUS_NAME);
		dbus_error_free(&err);
		return r;
	}
	/* After the name: a second daemon on this bus exits before it could
	 * take over the socket. */
	if (m->stop_socket_path)
		m->stop_socket = stop_socket_new(m, m->stop_socket_path, PRIORITY_STOP);
	else
		log_info("No stop socket (none given): EmergencyStop() is served on the bus only");
	log_info("chaird %s ready on the %s bus (%s chair, %zu programs)", CHAIRD_VERSION,
		 session_bus ? "session" : "system", hal_name(m->hal),
		 chair_programs_count(m->programs));
	sd_notifyf(false, "READY=1\nSTATUS=%s", state_status(m));
	r = sd_event_loop(m->event);
	if (r < 0)
		return log_error_errno(r, "Event loop failed: %m");
	return r;
}
