// SPDX-License-Identifier: MIT
#include <errno.h>

#include "macro.h"
#include "safety.h"

struct heater_state {
	bool on;
	uint64_t off_since;
	double min_since_off;
};

struct chair_safety {
	struct chair_hw hw;
	bool estop;
	uint32_t faults;
	uint64_t last_on[CHAIR_OUTPUT_COUNT];  /* last time the output was on */
	uint64_t on_since[CHAIR_OUTPUT_COUNT]; /* start of its current run, 0 if off */
	uint64_t vent_until[CHAIR_AIR_COUNT];
	struct heater_state heater[CHAIR_HEATER_COUNT];
	bool seat_empty;
	uint64_t seat_empty_since;
	bool seat_timeout_sent;
	uint64_t session_usec;
	uint64_t last_now;
	bool cap_sent;
	bool started;
	bool last_session;
};

static const enum chair_output opposing[][2] = {
	{ CHAIR_OUT_WALK_UP, CHAIR_OUT_WALK_DOWN },
	{ CHAIR_OUT_KNEAD_CW, CHAIR_OUT_KNEAD_CCW },
	{ CHAIR_OUT_DEPTH_IN, CHAIR_OUT_DEPTH_OUT },
	{ CHAIR_OUT_RECLINE_UP, CHAIR_OUT_RECLINE_DOWN },
};

/* Motors that drive toward a target, and so must reach it in time. */
static const enum chair_output targeted[] = {
	CHAIR_OUT_WALK_UP,  CHAIR_OUT_WALK_DOWN,   CHAIR_OUT_DEPTH_IN,
	CHAIR_OUT_DEPTH_OUT, CHAIR_OUT_RECLINE_UP, CHAIR_OUT_RECLINE_DOWN,
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
	if (!t->valid)
		return false;
	if (now > t->read_usec && now - t->read_usec > CHAIR_SAFETY_TEMP_STALE_USEC)
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
		if (now - hs->off_since >= CHAIR_SAFETY_WELD_GRACE_USEC &&
		    t->celsius >= hs->min_since_off + CHAIR_SAFETY_WELD_RISE_C)
			ev |= latch_fault(s, overtemp_fault(h));
	}
	return ev;
}

static void control_heaters(struct chair_safety *s, uint64_t now, const struct chair_inputs *in,
			    const struct chair_request *req, bool seat_ok, struct chair_command *c)
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

static void interlock_opposing(struct chair_safety *s, uint64_t now, struct chair_command *c)
{
	for (size_t i = 0; i < ELEMENTSOF(opposing); i++) {
		enum chair_output a = opposing[i][0], b = opposing[i][1];

		if (c->out[a] && c->out[b]) {
			c->out[a] = c->out[b] = false;
			continue;
		}
		/* A reversal stops first, for at least the dead time. */
		if (c->out[a] && s->last_on[b] && now - s->last_on[b] < CHAIR_SAFETY_DEAD_TIME_USEC &&
		    !s->on_since[a])
			c->out[a] = false;
		if (c->out[b] && s->last_on[a] && now - s->last_on[a] < CHAIR_SAFETY_DEAD_TIME_USEC &&
		    !s->on_since[b])
			c->out[b] = false;
	}
}

static void interlock_air(struct chair_safety *s, uint64_t now, struct chair_command *c)
{
	bool any = false;

	for (int z = 0; z < CHAIR_AIR_COUNT; z++) {
		enum chair_output v = chair_air_zone_valve((enum chair_air_zone)z);

		if (now < s->vent_until[z])
			c->out[v] = false;
		if (c->out[v] && s->on_since[v] && now - s->on_since[v] >= CHAIR_SAFETY_INFLATE_CAP_USEC) {
			/* Capped: vent, and stay vented a while. */
			c->out[v] = false;
			s->vent_until[z] = now + CHAIR_SAFETY_VENT_MIN_USEC;
		}
		any |= c->out[v];
	}
	if (!any)
		c->out[CHAIR_OUT_PUMP] = false;
}

static unsigned check_motors(struct chair_safety *s, uint64_t now, const struct chair_inputs *in,
			     const struct chair_command *c)
{
	unsigned ev = 0;
	bool walking = c->out[CHAIR_OUT_WALK_UP] || c->out[CHAIR_OUT_WALK_DOWN];

	if (walking && chair_hw_has_input(&s->hw, CHAIR_IN_WALK_ENCODER)) {
		uint64_t since = MAX(s->on_since[CHAIR_OUT_WALK_UP], s->on_since[CHAIR_OUT_WALK_DOWN]);
		uint64_t last = MAX(since, in->encoder_last_usec);

		if (since && now - last >= CHAIR_SAFETY_STALL_USEC)
			ev |= latch_fault(s, CHAIR_FAULT_WALK_STALLED);
	}
	for (size_t i = 0; i < ELEMENTSOF(targeted); i++) {
		enum chair_output o = targeted[i];

		if (c->out[o] && s->on_since[o] && now - s->on_since[o] >= CHAIR_SAFETY_MOTOR_TIMEOUT_USEC)
			ev |= latch_fault(s, CHAIR_FAULT_MOTOR_TIMEOUT);
	}
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
	    now - s->seat_empty_since >= CHAIR_SAFETY_SEAT_GRACE_USEC) {
		s->seat_timeout_sent = true;
		ev |= CHAIR_SAFETY_EV_SEAT_TIMEOUT;
	}
	return ev;
}

static void record(struct chair_safety *s, uint64_t now, const struct chair_command *c)
{
	for (int o = 0; o < CHAIR_OUTPUT_COUNT; o++) {
		if (c->out[o]) {
			s->last_on[o] = now ? now : 1;
			if (!s->on_since[o])
				s->on_since[o] = now ? now : 1;
		} else {
			s->on_since[o] = 0;
		}
	}
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

unsigned chair_safety_apply(struct chair_safety *s, uint64_t now, const struct chair_inputs *in,
			    const struct chair_request *req, struct chair_command *ret)
{
	struct chair_command c = { 0 };
	unsigned ev = 0;
	bool seat_ok;
	uint64_t dt = s->started && now > s->last_now ? now - s->last_now : 0;

	if (!s->started)
		for (int h = 0; h < CHAIR_HEATER_COUNT; h++)
			s->heater[h].off_since = now;
	s->started = true;
	s->last_now = now;

	/* Rule 1 comes before anything else. */
	if (chair_hw_has_input(&s->hw, CHAIR_IN_ESTOP) && in->in[CHAIR_IN_ESTOP] && !s->estop) {
		s->estop = true;
		ev |= CHAIR_SAFETY_EV_ESTOP;
	}
	if (s->estop) {
		heaters_forced_off(s, now);
		record(s, now, &c);
		/* Outputs stay off; a welded relay or an open sensor is still
		 * worth knowing about. */
		ev |= check_heaters(s, now, in);
		*ret = c;
		return ev;
	}

	ev |= check_heaters(s, now, in);
	ev |= check_seat(s, now, in, req, &seat_ok);
	/* Only an interval that was session time at both ends counts. */
	if (!s->last_session)
		dt = 0;
	s->last_session = req->session;
	if (req->session) {
		s->session_usec += dt;
		if (s->session_usec >= MIN(s->hw.max_session_usec, CHAIR_HW_MAX_SESSION_USEC) &&
		    !s->cap_sent) {
			s->cap_sent = true;
			ev |= CHAIR_SAFETY_EV_CAP;
		}
	}

	for (int o = 0; o < CHAIR_OUTPUT_COUNT; o++) {
		if (o == CHAIR_OUT_HEAT_LUMBAR || o == CHAIR_OUT_HEAT_CALVES)
			continue;
		c.out[o] = req->out[o] && chair_hw_has_output(&s->hw, (enum chair_output)o);
		c.duty[o] = c.out[o] ? (req->duty[o] ? req->duty[o] : 100) : 0;
	}
	if (req->session && (!seat_ok || s->cap_sent))
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
	control_heaters(s, now, in, req, seat_ok && !s->cap_sent, &c);
	ev |= check_motors(s, now, in, &c);

	if (s->faults) {
		memset(&c, 0, sizeof(c));
		heaters_forced_off(s, now);
	}
	for (int o = 0; o < CHAIR_OUTPUT_COUNT; o++)
		if (!c.out[o])
			c.duty[o] = 0;
	record(s, now, &c);
	*ret = c;
	return ev;
}
