// SPDX-License-Identifier: MIT
#include <errno.h>
#include <math.h>

#include "macro.h"
#include "sim.h"

struct chair_sim {
	struct chair_hw hw;
	uint64_t now;
	double pos;          /* mm above the seat */
	uint64_t pulses;
	uint64_t last_pulse;
	double depth;        /* mm */
	double recline;      /* percent */
	double kpa[CHAIR_AIR_COUNT];
	double temp[CHAIR_HEATER_COUNT];
	bool heater_powered[CHAIR_HEATER_COUNT];
	bool estop;
	bool occupied;
	double shoulder_mm;
	uint32_t faults;
};

int chair_sim_new(const struct chair_hw *hw, struct chair_sim **ret)
{
	struct chair_sim *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->hw = *hw;
	s->occupied = true;
	s->shoulder_mm = 580.0;
	for (int h = 0; h < CHAIR_HEATER_COUNT; h++)
		s->temp[h] = CHAIR_SIM_AMBIENT_C;
	*ret = s;
	return 0;
}

struct chair_sim *chair_sim_free(struct chair_sim *s)
{
	free(s);
	return NULL;
}

static bool fault(const struct chair_sim *s, enum chair_sim_fault f)
{
	return s->faults & (UINT32_C(1) << f);
}

static double duty_of(const struct chair_outputs *c, enum chair_output o, bool pwm)
{
	if (!c->out[o])
		return 0.0;
	if (!pwm || !c->duty[o])
		return 1.0;
	return c->duty[o] / 100.0;
}

static void step_walk(struct chair_sim *s, double dt, const struct chair_outputs *c)
{
	double v = 0.0, before = s->pos;
	long crossed;

	if (fault(s, CHAIR_SIM_FAULT_WALK_JAM) || fault(s, CHAIR_SIM_FAULT_MOTOR_DRIVER))
		return;
	v += duty_of(c, CHAIR_OUT_WALK_UP, s->hw.has_pwm[CHAIR_OUT_WALK_UP]);
	v -= duty_of(c, CHAIR_OUT_WALK_DOWN, s->hw.has_pwm[CHAIR_OUT_WALK_DOWN]);
	s->pos += v * s->hw.walk_speed_mm_s * dt;
	s->pos = CLAMP(s->pos, 0.0, s->hw.track_length_mm);
	/* The encoder's slots sit at fixed places on the track: one pulse for
	 * each slot the carriage crosses, whichever way it goes. Counting the
	 * distance travelled instead would carry a part-slot over every
	 * reversal, and the odometry would drift from the roller. */
	crossed = labs(lround(floor(s->pos / s->hw.mm_per_pulse)) -
		       lround(floor(before / s->hw.mm_per_pulse)));
	if (crossed) {
		s->pulses += (uint64_t)crossed;
		s->last_pulse = s->now;
	}
}

static void step_heaters(struct chair_sim *s, double dt, const struct chair_outputs *c)
{
	for (int h = 0; h < CHAIR_HEATER_COUNT; h++) {
		bool powered = c->out[chair_heater_output((enum chair_heater)h)] ||
			       fault(s, CHAIR_SIM_FAULT_HEATER_RELAY_WELDED);
		double dT = (CHAIR_SIM_AMBIENT_C - s->temp[h]) / CHAIR_SIM_HEATER_TAU_S;

		if (powered)
			dT += CHAIR_SIM_HEATER_RATE_C_S;
		s->heater_powered[h] = powered;
		s->temp[h] += dT * dt;
	}
}

static void step_air(struct chair_sim *s, double dt, const struct chair_outputs *c)
{
	unsigned open = 0;

	for (int z = 0; z < CHAIR_AIR_COUNT; z++)
		open += c->out[chair_air_zone_valve((enum chair_air_zone)z)];
	for (int z = 0; z < CHAIR_AIR_COUNT; z++) {
		bool valve = c->out[chair_air_zone_valve((enum chair_air_zone)z)];

		if (!valve)
			s->kpa[z] -= CHAIR_SIM_VENT_KPA_S * dt; /* unpowered valves vent */
		else if (c->out[CHAIR_OUT_PUMP])
			s->kpa[z] += CHAIR_SIM_PUMP_KPA_S * dt / open;
		else
			s->kpa[z] -= 0.05 * dt; /* a closed bag leaks slowly */
		s->kpa[z] = CLAMP(s->kpa[z], 0.0, CHAIR_SIM_MAX_KPA);
	}
}

void chair_sim_step(struct chair_sim *s, uint64_t dt_usec, const struct chair_outputs *c)
{
	/* Integrate in slices of at most 5 ms so limits and pulses are exact
	 * enough at any caller step. */
	while (dt_usec) {
		uint64_t slice = MIN(dt_usec, UINT64_C(5000));
		double dt = slice / 1e6;

		dt_usec -= slice;
		s->now += slice;
		step_walk(s, dt, c);
		if (!fault(s, CHAIR_SIM_FAULT_MOTOR_DRIVER)) {
			if (c->out[CHAIR_OUT_DEPTH_IN])
				s->depth += s->hw.depth_speed_mm_s * dt;
			if (c->out[CHAIR_OUT_DEPTH_OUT])
				s->depth -= s->hw.depth_speed_mm_s * dt;
			s->depth = CLAMP(s->depth, 0.0, s->hw.depth_stroke_mm);
			if (s->hw.recline_time_s > 0) {
				double rate = 100.0 / s->hw.recline_time_s;

				if (c->out[CHAIR_OUT_RECLINE_DOWN])
					s->recline += rate * dt;
				if (c->out[CHAIR_OUT_RECLINE_UP])
					s->recline -= rate * dt;
				s->recline = CLAMP(s->recline, 0.0, 100.0);
			}
		}
		step_heaters(s, dt, c);
		step_air(s, dt, c);
	}
}

void chair_sim_read(const struct chair_sim *s, uint64_t now, struct chair_inputs *ret)
{
	struct chair_inputs in = { 0 };

	in.in[CHAIR_IN_ESTOP] = s->estop;
	in.in[CHAIR_IN_SEAT] = s->occupied;
	in.in[CHAIR_IN_WALK_TOP] = s->pos >= s->hw.track_length_mm - 0.01;
	in.in[CHAIR_IN_WALK_BOTTOM] = s->pos <= 0.01;
	in.in[CHAIR_IN_WALK_ENCODER] = (s->pulses & 1) != 0;
	in.in[CHAIR_IN_DEPTH_HOME] = s->depth <= 0.5;
	/* The shoulder sensor is pressed while the roller is under the
	 * shoulder line of a seated person. */
	in.in[CHAIR_IN_SHOULDER] = s->occupied && s->pos < s->shoulder_mm;
	in.in[CHAIR_IN_MOTOR_FAULT] = fault(s, CHAIR_SIM_FAULT_MOTOR_DRIVER);
	in.encoder_pulses = s->pulses;
	/* The pulse time in the caller's clock. */
	if (s->pulses)
		in.encoder_last_usec = now > s->now - s->last_pulse ? now - (s->now - s->last_pulse) : 0;
	for (int h = 0; h < CHAIR_HEATER_COUNT; h++) {
		if (fault(s, CHAIR_SIM_FAULT_HEATER_SENSOR_OPEN) && h == CHAIR_HEATER_LUMBAR)
			continue; /* an open sensor cannot be read */
		in.temp[h] = (struct chair_temp){ .valid = true, .celsius = s->temp[h], .read_usec = now };
	}
	*ret = in;
}

void chair_sim_set_estop(struct chair_sim *s, bool pressed)
{
	s->estop = pressed;
}

void chair_sim_set_occupied(struct chair_sim *s, bool occupied)
{
	s->occupied = occupied;
}

void chair_sim_set_shoulder(struct chair_sim *s, double shoulder_mm)
{
	s->shoulder_mm = shoulder_mm;
}

void chair_sim_set_position(struct chair_sim *s, double position_mm)
{
	s->pos = CLAMP(position_mm, 0.0, s->hw.track_length_mm);
}

void chair_sim_inject(struct chair_sim *s, enum chair_sim_fault f)
{
	if (f < CHAIR_SIM_FAULT_COUNT)
		s->faults |= UINT32_C(1) << f;
}

void chair_sim_clear_faults(struct chair_sim *s)
{
	s->faults = 0;
}

bool chair_sim_fault_active(const struct chair_sim *s, enum chair_sim_fault f)
{
	return fault(s, f);
}

double chair_sim_position(const struct chair_sim *s)
{
	return s->pos;
}

double chair_sim_depth(const struct chair_sim *s)
{
	return s->depth;
}

double chair_sim_recline(const struct chair_sim *s)
{
	return s->recline;
}

double chair_sim_pressure(const struct chair_sim *s, enum chair_air_zone z)
{
	return s->kpa[z];
}

double chair_sim_temperature(const struct chair_sim *s, enum chair_heater h)
{
	return s->temp[h];
}

void chair_sim_set_temperature(struct chair_sim *s, enum chair_heater h, double celsius)
{
	s->temp[h] = celsius;
}

uint64_t chair_sim_pulses(const struct chair_sim *s)
{
	return s->pulses;
}

bool chair_sim_heater_powered(const struct chair_sim *s, enum chair_heater h)
{
	return s->heater_powered[h];
}
