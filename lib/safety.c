// SPDX-License-Identifier: MIT
#include <errno.h>

#include "macro.h"
#include "safety.h"

struct chair_command {
	struct chair_outputs o;
};

struct heater_state {
	bool on;
	uint64_t off_since;
	double min_since_off;
};

/* The motors that drive toward a target: a run ends when the motor stops
 * for a while or reverses (it reached its target and took a new one). */
enum motor { MOTOR_WALK, MOTOR_DEPTH, MOTOR_RECLINE, MOTOR_COUNT };

struct chair_safety {
	struct chair_hw hw;
	bool estop;
	uint32_t faults;
	struct chair_command cmd; /* the last command made */
	/* What the outputs really are, as chair_safety_written() reported. */
	bool actual[CHAIR_OUTPUT_COUNT];
	uint64_t changed_at[CHAIR_OUTPUT_COUNT]; /* when it last really changed */
	uint64_t run_since[CHAIR_OUTPUT_COUNT];  /* valves: start of the run */
	uint64_t motor_since[MOTOR_COUNT];       /* start of the motor's run, 0 if none */
	int motor_dir[MOTOR_COUNT];              /* the output of that run */
	uint64_t vent_until[CHAIR_AIR_COUNT];
	struct heater_state heater[CHAIR_HEATER_COUNT];
	bool seat_empty;
	uint64_t seat_empty_since;
	bool seat_timeout_sent;
	uint64_t session_usec;
	uint64_t last_now;
	uint64_t max_gap;
	uint64_t last_pulses;
	uint64_t unpulsed_usec; /* walk driving time since the last pulse */
	bool cap_sent;
	bool started;
	bool last_counted;
};

/* Time from @p then to @p now; a @p then later than @p now is "just now". */
static uint64_t since(uint64_t now, uint64_t then)
{
	return now > then ? now - then : 0;
}

const struct chair_outputs *chair_command_outputs(const struct chair_command *c)
{
	return &c->o;
}

static const enum chair_output opposing[][2] = {
	{ CHAIR_OUT_WALK_UP, CHAIR_OUT_WALK_DOWN },
	{ CHAIR_OUT_KNEAD_CW, CHAIR_OUT_KNEAD_CCW },
	{ CHAIR_OUT_DEPTH_IN, CHAIR_OUT_DEPTH_OUT },
	{ CHAIR_OUT_RECLINE_UP, CHAIR_OUT_RECLINE_DOWN },
};

/* The pairs of opposing[] that are targeted motors, by enum motor. */
static const enum chair_output motor_pair[MOTOR_COUNT][2] = {
	[MOTOR_WALK] = { CHAIR_OUT_WALK_UP, CHAIR_OUT_WALK_DOWN },
	[MOTOR_DEPTH] = { CHAIR_OUT_DEPTH_IN, CHAIR_OUT_DEPTH_OUT },
	[MOTOR_RECLINE] = { CHAIR_OUT_RECLINE_UP, CHAIR_OUT_RECLINE_DOWN },
};

int chair_safety_new(const struct chair_hw *hw, struct chair_safety **ret)
{
	struct chair_safety *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->hw = *hw;
	for (int h = 0; h < CHAIR_HEATER_COUNT; h++)
		s->heater[h].min_since_off = 1e9;
	*ret = s;
	return 0;
}

struct chair_safety *chair_safety_free(struct chair_safety *s)
{
	free(s);
	return NULL;
}

void chair_safety_emergency_stop(struct chair_safety *s)
{
	s->estop = true;
}

bool chair_safety_estopped(const struct chair_safety *s)
{
	return s->estop;
}

uint32_t chair_safety_faults(const struct chair_safety *s)
{
	return s->faults;
}

bool chair_safety_latched(const struct chair_safety *s)
{
	return s->estop || s->faults;
}

uint64_t chair_safety_session_usec(const struct chair_safety *s)
{
	return s->session_usec;
}

void chair_safety_set_max_gap(struct chair_safety *s, uint64_t usec)
{
	s->max_gap = usec;
}

void chair_safety_session_begin(struct chair_safety *s)
{
	s->session_usec = 0;
	s->cap_sent = false;
	s->seat_empty = false;
	s->seat_timeout_sent = false;
}

static bool has_heater(const struct chair_safety *s, int h)
{
	return chair_hw_has_heater(&s->hw, (enum chair_heater)h);
}

static enum chair_fault overtemp_fault(int h)
{
	return h == CHAIR_HEATER_LUMBAR ? CHAIR_FAULT_HEATER_LUMBAR_OVERTEMP
					: CHAIR_FAULT_HEATER_CALVES_OVERTEMP;
}

static enum chair_fault sensor_fault(int h)
{
	return h == CHAIR_HEATER_LUMBAR ? CHAIR_FAULT_HEATER_LUMBAR_SENSOR
					: CHAIR_FAULT_HEATER_CALVES_SENSOR;
}

static bool temp_usable(const struct chair_temp *t, uint64_t now)
{
	/* A reading from the future comes from a clock that is wrong: it
	 * cannot say how old it is. */
	if (!t->valid || t->read_usec > now)
		return false;
	if (now - t->read_usec > CHAIR_SAFETY_TEMP_STALE_USEC)
		return false;
	return t->celsius >= CHAIR_SAFETY_TEMP_MIN_C && t->celsius <= CHAIR_SAFETY_TEMP_MAX_C;
}

int chair_safety_reset(struct chair_safety *s, uint64_t now, const struct chair_inputs *in,
		       const char **ret_reason)
{
	const char *reason = NULL;
	uint32_t keep = 0;

	if (in->in[CHAIR_IN_ESTOP] && chair_hw_has_input(&s->hw, CHAIR_IN_ESTOP))
		reason = "The emergency stop button is still pressed; release it, then reset.";
	if (!reason && (s->faults & (UINT32_C(1) << CHAIR_FAULT_MOTOR_DRIVER)) &&
	    in->in[CHAIR_IN_MOTOR_FAULT]) {
		keep |= UINT32_C(1) << CHAIR_FAULT_MOTOR_DRIVER;
		reason = "The motor driver still reports a fault; switch the chair off and have "
			 "it serviced.";
	}
	for (int h = 0; !reason && h < CHAIR_HEATER_COUNT; h++) {
		const struct chair_temp *t = &in->temp[h];

		if ((s->faults & (UINT32_C(1) << sensor_fault(h))) && !temp_usable(t, now)) {
			keep |= UINT32_C(1) << sensor_fault(h);
			reason = "A heater's temperature sensor still cannot be read; have it "
				 "checked before using heat.";
		}
		if ((s->faults & (UINT32_C(1) << overtemp_fault(h))) &&
		    (!temp_usable(t, now) || t->celsius > s->hw.heater_max_c[h] - 5.0)) {
			keep |= UINT32_C(1) << overtemp_fault(h);
			reason = "A heater is still too hot; wait for it to cool down, then reset.";
		}
	}
	if (reason) {
		if (ret_reason)
			*ret_reason = reason;
		return -EBUSY;
	}
	s->estop = false;
	s->faults = keep;
	s->unpulsed_usec = 0;
	for (int h = 0; h < CHAIR_HEATER_COUNT; h++) {
		s->heater[h].off_since = now;
		s->heater[h].min_since_off = 1e9;
	}
	return 0;
}

static unsigned latch_fault(struct chair_safety *s, enum chair_fault f)
{
	uint32_t bit = UINT32_C(1) << f;

	if (s->faults & bit)
		return 0;
	s->faults |= bit;
	return CHAIR_SAFETY_EV_FAULT;
}

void chair_safety_latch_fault(struct chair_safety *s, enum chair_fault f)
{
	if (f < CHAIR_FAULT_COUNT)
		latch_fault(s, f);
}

/* Sensor faults, over-temperature and welded relays, whatever is requested. */
static unsigned check_heaters(struct chair_safety *s, uint64_t now, const struct chair_inputs *in)
{
	unsigned ev = 0;

	for (int h = 0; h < CHAIR_HEATER_COUNT; h++) {
		const struct chair_temp *t = &in->temp[h];
		struct heater_state *hs = &s->heater[h];

		if (!has_heater(s, h))
			continue;
		if (!temp_usable(t, now)) {
			ev |= latch_fault(s, sensor_fault(h));
			continue;
		}
		if (t->celsius > s->hw.heater_max_c[h])
			ev |= latch_fault(s, overtemp_fault(h));
		if (hs->on)
			continue;
		if (t->celsius < hs->min_since_off)
			hs->min_since_off = t->celsius;
		if (since(now, hs->off_since) >= CHAIR_SAFETY_WELD_GRACE_USEC &&
		    t->celsius >= hs->min_since_off + CHAIR_SAFETY_WELD_RISE_C)
			ev |= latch_fault(s, overtemp_fault(h));
	}
	return ev;
}

static void control_heaters(struct chair_safety *s, uint64_t now, const struct chair_inputs *in,
			    const struct chair_request *req, bool seat_ok, struct chair_outputs *c)
{
	for (int h = 0; h < CHAIR_HEATER_COUNT; h++) {
		const struct chair_temp *t = &in->temp[h];
		struct heater_state *hs = &s->heater[h];
		unsigned level = MIN(req->heat[h], 3u);
		bool on = false;

		if (has_heater(s, h) && level && req->session && seat_ok && temp_usable(t, now)) {
			double sp = MIN(s->hw.heater_setpoint_c[h][level - 1],
					s->hw.heater_max_c[h] - 1.0);

			if (t->celsius < sp - CHAIR_SAFETY_HYSTERESIS_C)
				on = true;
			else if (t->celsius <= sp + CHAIR_SAFETY_HYSTERESIS_C)
				on = hs->on;
		}
		if (hs->on && !on) {
			hs->off_since = now;
			hs->min_since_off = temp_usable(t, now) ? t->celsius : 1e9;
		}
		hs->on = on;
		c->out[chair_heater_output((enum chair_heater)h)] = on;
	}
}

static bool motor_on(const struct chair_safety *s, int m)
{
	return s->actual[motor_pair[m][0]] || s->actual[motor_pair[m][1]];
}

static bool any_on(const struct chair_safety *s)
{
	for (int o = 0; o < CHAIR_OUTPUT_COUNT; o++)
		if (s->actual[o])
			return true;
	return false;
}

static void heaters_forced_off(struct chair_safety *s, uint64_t now)
{
	for (int h = 0; h < CHAIR_HEATER_COUNT; h++) {
		if (!s->heater[h].on)
			continue;
		s->heater[h].on = false;
		s->heater[h].off_since = now;
		s->heater[h].min_since_off = 1e9;
	}
}

/* True if output @p o is really off, and has been for at least @p usec. */
static bool off_for(const struct chair_safety *s, enum chair_output o, uint64_t now, uint64_t usec)
{
	return !s->actual[o] && (!s->changed_at[o] || since(now, s->changed_at[o]) >= usec);
}

static void interlock_opposing(struct chair_safety *s, uint64_t now, struct chair_outputs *c)
{
	for (size_t i = 0; i < ELEMENTSOF(opposing); i++) {
		enum chair_output a = opposing[i][0], b = opposing[i][1];

		if (c->out[a] && c->out[b]) {
			c->out[a] = c->out[b] = false;
			continue;
		}
		/* A reversal stops first, for at least the dead time, counted
		 * from when the other direction really went off. */
		if (c->out[a] && !off_for(s, b, now, CHAIR_SAFETY_DEAD_TIME_USEC))
			c->out[a] = false;
		if (c->out[b] && !off_for(s, a, now, CHAIR_SAFETY_DEAD_TIME_USEC))
			c->out[b] = false;
	}
}

static void interlock_air(struct chair_safety *s, uint64_t now, struct chair_outputs *c)
{
	bool any = false;

	for (int z = 0; z < CHAIR_AIR_COUNT; z++) {
		enum chair_output v = chair_air_zone_valve((enum chair_air_zone)z);

		if (now < s->vent_until[z])
			c->out[v] = false;
		if (c->out[v] && s->actual[v] &&
		    since(now, s->run_since[v]) >= CHAIR_SAFETY_INFLATE_CAP_USEC) {
			/* Capped: vent, and stay vented a while. */
			c->out[v] = false;
			s->vent_until[z] = now + CHAIR_SAFETY_VENT_MIN_USEC;
		}
		any |= c->out[v];
	}
	if (!any)
		c->out[CHAIR_OUT_PUMP] = false;
}

/* Stall and timeout count over what was really driven. */
static unsigned check_motors(struct chair_safety *s, uint64_t dt, uint64_t now,
			     const struct chair_inputs *in)
{
	unsigned ev = 0;

	/* Driving time without a pulse, whatever the direction: reversals
	 * and short stops do not hide a jam. */
	if (in->encoder_pulses != s->last_pulses) {
		s->last_pulses = in->encoder_pulses;
		s->unpulsed_usec = 0;
	} else if (motor_on(s, MOTOR_WALK)) {
		s->unpulsed_usec += dt;
	}
	if (motor_on(s, MOTOR_WALK) && chair_hw_has_input(&s->hw, CHAIR_IN_WALK_ENCODER) &&
	    s->unpulsed_usec >= CHAIR_SAFETY_STALL_USEC)
		ev |= latch_fault(s, CHAIR_FAULT_WALK_STALLED);
	for (int m = 0; m < MOTOR_COUNT; m++)
		if (motor_on(s, m) && since(now, s->motor_since[m]) >= CHAIR_SAFETY_MOTOR_TIMEOUT_USEC)
			ev |= latch_fault(s, CHAIR_FAULT_MOTOR_TIMEOUT);
	if (chair_hw_has_input(&s->hw, CHAIR_IN_MOTOR_FAULT) && in->in[CHAIR_IN_MOTOR_FAULT])
		ev |= latch_fault(s, CHAIR_FAULT_MOTOR_DRIVER);
	return ev;
}

static unsigned check_seat(struct chair_safety *s, uint64_t now, const struct chair_inputs *in,
			   const struct chair_request *req, bool *ret_ok)
{
	bool occupied = !chair_hw_has_input(&s->hw, CHAIR_IN_SEAT) || in->in[CHAIR_IN_SEAT];
	unsigned ev = 0;

	*ret_ok = occupied;
	if (!req->session) {
		s->seat_empty = false;
		return 0;
	}
	if (!occupied && !s->seat_empty) {
		s->seat_empty = true;
		s->seat_empty_since = now;
		s->seat_timeout_sent = false;
		ev |= CHAIR_SAFETY_EV_SEAT_EMPTY;
	} else if (occupied && s->seat_empty) {
		s->seat_empty = false;
		ev |= CHAIR_SAFETY_EV_SEAT_RETURNED;
	}
	if (s->seat_empty && !s->seat_timeout_sent &&
	    since(now, s->seat_empty_since) >= CHAIR_SAFETY_SEAT_GRACE_USEC) {
		s->seat_timeout_sent = true;
		ev |= CHAIR_SAFETY_EV_SEAT_TIMEOUT;
	}
	return ev;
}

/* A run goes on through a short stop: only a real rest, or a reversal for
 * a motor, starts a new one. Called as output @p o really goes on. */
static void run_starts(struct chair_safety *s, enum chair_output o, uint64_t when)
{
	bool rested = !s->changed_at[o] ||
		      since(when, s->changed_at[o]) >= CHAIR_SAFETY_VALVE_REST_USEC;

	for (int m = 0; m < MOTOR_COUNT; m++)
		for (int d = 0; d < 2; d++) {
			if (motor_pair[m][d] != o)
				continue;
			rested = !s->changed_at[o] ||
				 since(when, s->changed_at[o]) >= CHAIR_SAFETY_MOTOR_REST_USEC;
			if (!s->motor_since[m] || s->motor_dir[m] != d || rested)
				s->motor_since[m] = when;
			s->motor_dir[m] = d;
			return;
		}
	if (!s->run_since[o] || rested)
		s->run_since[o] = when;
}

void chair_safety_written(struct chair_safety *s, uint64_t when, bool ok)
{
	when = when ? when : 1;
	for (int o = 0; o < CHAIR_OUTPUT_COUNT; o++) {
		/* A failed write may have left anything on that was on or was
		 * to go on. */
		bool on = ok ? s->cmd.o.out[o] : s->actual[o] || s->cmd.o.out[o];

		if (on == s->actual[o])
			continue;
		if (on)
			run_starts(s, (enum chair_output)o, when);
		s->actual[o] = on;
		s->changed_at[o] = when;
	}
}

unsigned chair_safety_apply(struct chair_safety *s, uint64_t now, const struct chair_inputs *in,
			    const struct chair_request *req, const struct chair_command **ret)
{
	struct chair_outputs c = { 0 };
	unsigned ev = 0;
	bool seat_ok, counted;
	uint64_t dt = s->started ? since(now, s->last_now) : 0;

	if (!s->started)
		for (int h = 0; h < CHAIR_HEATER_COUNT; h++)
			s->heater[h].off_since = now;
	/* On real time, outputs left on and unwatched for too long: nothing
	 * the loop knew still holds. */
	if (s->max_gap && s->started && dt > s->max_gap && any_on(s))
		ev |= latch_fault(s, CHAIR_FAULT_LOOP_STALLED);
	s->started = true;
	s->last_now = now;
	*ret = &s->cmd;

	/* Rule 1 comes before anything else. */
	if (chair_hw_has_input(&s->hw, CHAIR_IN_ESTOP) && in->in[CHAIR_IN_ESTOP] && !s->estop) {
		s->estop = true;
		ev |= CHAIR_SAFETY_EV_ESTOP;
	}
	if (s->estop) {
		heaters_forced_off(s, now);
		s->cmd.o = c;
		/* Outputs stay off; a welded relay or an open sensor is still
		 * worth knowing about. */
		ev |= check_heaters(s, now, in);
		return ev;
	}

	ev |= check_heaters(s, now, in);
	ev |= check_seat(s, now, in, req, &seat_ok);
	/* Only an interval that was counted session time at both ends
	 * counts; a pause does not. */
	counted = req->session && !req->paused;
	if (counted && s->last_counted) {
		s->session_usec += dt;
		if (s->session_usec >= MIN(s->hw.max_session_usec, CHAIR_HW_MAX_SESSION_USEC) &&
		    !s->cap_sent) {
			s->cap_sent = true;
			ev |= CHAIR_SAFETY_EV_CAP;
		}
	}
	s->last_counted = counted;

	for (int o = 0; o < CHAIR_OUTPUT_COUNT; o++) {
		if (o == CHAIR_OUT_HEAT_LUMBAR || o == CHAIR_OUT_HEAT_CALVES)
			continue;
		c.out[o] = req->out[o] && chair_hw_has_output(&s->hw, (enum chair_output)o);
		c.duty[o] = c.out[o] ? (req->duty[o] ? req->duty[o] : 100) : 0;
	}
	if (req->session && (!seat_ok || s->cap_sent || req->paused))
		memset(c.out, 0, sizeof(c.out));

	/* Rule 3: limit switches. */
	if (in->in[CHAIR_IN_WALK_TOP])
		c.out[CHAIR_OUT_WALK_UP] = false;
	if (in->in[CHAIR_IN_WALK_BOTTOM])
		c.out[CHAIR_OUT_WALK_DOWN] = false;
	if (in->in[CHAIR_IN_DEPTH_HOME] && chair_hw_has_input(&s->hw, CHAIR_IN_DEPTH_HOME))
		c.out[CHAIR_OUT_DEPTH_OUT] = false;

	interlock_opposing(s, now, &c);
	interlock_air(s, now, &c);
	control_heaters(s, now, in, req, seat_ok && !s->cap_sent && !req->paused, &c);
	ev |= check_motors(s, dt, now, in);

	if (s->faults) {
		memset(&c, 0, sizeof(c));
		heaters_forced_off(s, now);
	}
	for (int o = 0; o < CHAIR_OUTPUT_COUNT; o++)
		if (!c.out[o])
			c.duty[o] = 0;
	s->cmd.o = c;
	return ev;
}

unsigned chair_safety_step(struct chair_safety *s, uint64_t now, const struct chair_inputs *in,
			   const struct chair_request *req, struct chair_outputs *ret)
{
	const struct chair_command *c;
	unsigned ev = chair_safety_apply(s, now, in, req, &c);

	*ret = c->o;
	chair_safety_written(s, now, true);
	return ev;
}
