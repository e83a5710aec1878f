// SPDX-License-Identifier: MIT
/*
 * The stroke-pattern engine.
 *
 * A session is warm-up, then main looped until the close phase must begin,
 * then close, which is timed to end exactly at the session's duration. Each
 * step is run by two small state machines, the roller and the air, and ends
 * when both are done (or at its time). All timing is session-elapsed time,
 * which stands still while the session is paused.
 */
#include <errno.h>
#include <inttypes.h>
#include <sys/types.h>
#include <math.h>
#include <stdarg.h>

#include "engine.h"
#include "macro.h"

#define WALK_TOLERANCE_MM 2.5
#define DEPTH_TOLERANCE_MM 1.0
#define GUARD_MARGIN_MM 12.0
#define MAX_STATIONS 64
#define NERVE_PAIN_MAX_STROKE_MM 100.0
#define FOCUS_ECHO_MAX_USEC (UINT64_C(60) * USEC_PER_SEC)

enum stage {
	ST_APPROACH,
	ST_WORK,
	ST_PRESS_IN,
	ST_PRESS_HOLD,
	ST_PRESS_OUT,
	ST_PRESS_REST,
	ST_DONE,
};

enum air_stage {
	AIR_INFLATE,
	AIR_HOLD,
	AIR_VENT,
	AIR_DONE,
};

enum stretch_stage {
	STR_RECLINE,
	STR_GRIP,
	STR_RELEASE,
	STR_RETURN,
};

struct run {
	struct chair_step st; /* the step as it runs, after conditions */
	enum chair_phase phase;
	bool roller;          /* the step moves the roller */
	bool passes;          /* glide/vibrate: passes between two ends */
	double pos[MAX_STATIONS];
	size_t n_pos;
	size_t idx;
	int dir;
	enum stage stage;
	uint64_t t0;
	bool arrived;
	int osc;
	unsigned osc_flips;
	unsigned cycles_done;
	uint64_t end; /* elapsed time at which the step ends; 0: by cycles */
	enum air_stage air;
	uint64_t air_t0;
	unsigned air_cycles;
	enum stretch_stage str;
	uint64_t str_t0;
};

struct chair_engine {
	struct chair_program *program;
	struct chair_options opt;
	struct chair_hw hw;
	struct chair_body body;
	struct chair_policy policy;
	struct chair_guard guard;

	uint64_t last_now;
	uint64_t elapsed;
	uint64_t duration;
	uint64_t close_start;
	bool paused;
	bool finished;

	enum chair_phase phase;
	size_t step_idx;
	bool echo_next; /* a focus echo follows the current main step */
	bool echoing;
	unsigned skipped_in_row;
	struct run run;
};

void chair_targets_idle(struct chair_targets *t)
{
	*t = (struct chair_targets){
		.hold = true,
		.walk_mm = NAN,
		.walk_speed = 3,
		.knead_speed = 3,
		.recline_pct = -1,
		.zone = -1,
	};
}

/* --- session setup ------------------------------------------------------- */

static uint64_t phase_time(const struct chair_program *p, enum chair_phase ph)
{
	uint64_t t = 0;

	for (size_t i = 0; i < p->n_steps[ph]; i++)
		t += p->steps[ph][i].time_usec;
	return t;
}

static void start_step(struct chair_engine *e);

int chair_engine_new(struct chair_program *p, const struct chair_options *o,
		     const struct chair_hw *hw, const struct chair_body *body, uint64_t now,
		     struct chair_engine **ret)
{
	struct chair_engine *e = calloc(1, sizeof(*e));
	uint64_t close;

	if (!e)
		return -ENOMEM;
	e->program = chair_program_ref(p);
	e->opt = *o;
	e->hw = *hw;
	e->body = *body;
	if (e->opt.heat < 0)
		e->opt.heat = (int)p->heat;
	e->duration = o->duration_usec ? o->duration_usec : p->duration_usec;
	e->duration = MIN(e->duration, chair_hw_session_cap(hw));
	close = phase_time(p, CHAIR_PHASE_CLOSE);
	e->close_start = e->duration > close ? e->duration - close : 0;

	chair_policy_init(&e->policy, o, hw);
	chair_policy_guard(&e->policy, &e->body, &e->guard);

	e->last_now = now;
	e->phase = p->n_steps[CHAIR_PHASE_WARM_UP] ? CHAIR_PHASE_WARM_UP : CHAIR_PHASE_MAIN;
	if (e->close_start == 0)
		e->phase = CHAIR_PHASE_CLOSE;
	e->step_idx = 0;
	start_step(e);
	*ret = e;
	return 0;
}

struct chair_engine *chair_engine_free(struct chair_engine *e)
{
	if (!e)
		return NULL;
	chair_program_unref(e->program);
	free(e);
	return NULL;
}

/* --- step planning ------------------------------------------------------- */

static bool is_roller(enum chair_technique t)
{
	return t != CHAIR_TECH_COMPRESS && t != CHAIR_TECH_STRETCH && t != CHAIR_TECH_REST;
}

static double station_spacing(const struct chair_step *st)
{
	static const double knead[] = { 30.0, 45.0, 60.0 };

	switch (st->technique) {
	case CHAIR_TECH_KNEAD:
	case CHAIR_TECH_TAP:
		return knead[st->width];
	case CHAIR_TECH_PRESS:
		return 35.0;
	case CHAIR_TECH_FRICTION:
		return 40.0;
	case CHAIR_TECH_ROLL:
	case CHAIR_TECH_GLIDE:
	case CHAIR_TECH_VIBRATE:
	case CHAIR_TECH_COMPRESS:
	case CHAIR_TECH_STRETCH:
	case CHAIR_TECH_REST:
	case CHAIR_TECHNIQUE_COUNT:
		break;
	}
	return 50.0;
}

static double roll_amplitude(const struct chair_engine *e, const struct chair_step *st)
{
	static const double amp[] = { 60.0, 100.0, 150.0 };
	double a = amp[st->width];

	return e->policy.short_strokes ? MIN(a, NERVE_PAIN_MAX_STROKE_MM) : a;
}

static double friction_amplitude(const struct chair_step *st)
{
	static const double amp[] = { 8.0, 12.0, 18.0 };

	return amp[st->width];
}

/* The range of the step on this body, with avoided zones clipped from its
 * ends. Returns false if nothing is left. */
static bool step_range(const struct chair_engine *e, const struct chair_step *st, double *ret_top,
		       double *ret_bottom)
{
	double top, bottom, t2, b2;
	int zt = st->zone_top, zb = st->zone_bottom;

	if (st->point_pct != CHAIR_NO_POINT) {
		double p = chair_body_point(&e->body, st->zone_top, (unsigned)st->point_pct);

		if (chair_guard_contains(&e->guard, p, GUARD_MARGIN_MM))
			return false;
		*ret_top = *ret_bottom = p;
		return true;
	}
	while (zt <= zb && (e->opt.avoid_back & (UINT32_C(1) << zt) ||
			    chair_guard_contains(&e->guard, chair_body_point(&e->body, zt, 50), 0)))
		zt++;
	while (zb >= zt && (e->opt.avoid_back & (UINT32_C(1) << zb) ||
			    chair_guard_contains(&e->guard, chair_body_point(&e->body, zb, 50), 0)))
		zb--;
	if (zt > zb)
		return false;
	chair_body_zone_span(&e->body, (enum chair_zone)zt, &top, &t2);
	chair_body_zone_span(&e->body, (enum chair_zone)zb, &b2, &bottom);
	/* Keep the roller off the mechanical ends of the track. */
	top = MIN(top, e->hw.track_length_mm - 5.0);
	bottom = MAX(bottom, 5.0);
	if (top < bottom)
		top = bottom;
	*ret_top = top;
	*ret_bottom = bottom;
	return true;
}

static void add_station(struct run *r, const struct chair_engine *e, double pos)
{
	if (r->n_pos >= MAX_STATIONS)
		return;
	if (chair_guard_contains(&e->guard, pos, GUARD_MARGIN_MM))
		return;
	r->pos[r->n_pos++] = pos;
}

static void plan_stations(struct chair_engine *e, struct run *r, double top, double bottom)
{
	const struct chair_step *st = &r->st;
	double span = top - bottom;

	r->n_pos = 0;
	if (r->passes) {
		r->pos[0] = top;
		r->pos[1] = bottom;
		r->n_pos = 2;
		return;
	}
	if (span < 1.0) {
		add_station(r, e, top);
		return;
	}
	if (st->technique == CHAIR_TECH_ROLL) {
		double amp = roll_amplitude(e, st);
		unsigned n = (unsigned)MAX(1.0, ceil(span / (amp / 2.0)));

		for (unsigned k = 0; k < n; k++)
			add_station(r, e, top - (k + 0.5) * span / n);
		return;
	}
	{
		unsigned n = (unsigned)MAX(1.0, floor(span / station_spacing(st)));

		for (unsigned k = 0; k < n; k++)
			add_station(r, e, top - (k + 0.5) * span / n);
	}
}

static const struct chair_step *current_source(const struct chair_engine *e)
{
	const struct chair_program *p = e->program;

	return &p->steps[e->phase][e->step_idx];
}

/* Prepares e->run for the current phase and step index. */
static void start_step(struct chair_engine *e)
{
	struct run *r = &e->run;
	double top = 0, bottom = 0;
	bool skip;

	memset(r, 0, sizeof(*r));
	r->st = *current_source(e);
	r->phase = e->phase;
	if (e->echoing) {
		/* The focus echo: the same work on the focus zone. */
		r->st.zone_top = r->st.zone_bottom = (enum chair_zone)e->opt.focus;
		r->st.point_pct = CHAIR_NO_POINT;
		if (r->st.time_usec)
			r->st.time_usec = MIN(r->st.time_usec, FOCUS_ECHO_MAX_USEC);
		r->st.air = 0;
	}
	skip = !chair_policy_adapt_step(&e->policy, &e->hw, &r->st);
	r->roller = is_roller(r->st.technique);
	r->passes = r->st.technique == CHAIR_TECH_GLIDE || r->st.technique == CHAIR_TECH_VIBRATE;
	if (r->roller && !skip) {
		skip = !step_range(e, &r->st, &top, &bottom);
		if (!skip) {
			plan_stations(e, r, top, bottom);
			skip = r->n_pos == 0;
		}
	}
	if (skip) {
		/* A step that cannot run here becomes a rest; in timed phases it
		 * keeps its time so the session still ends on time. */
		r->st.technique = CHAIR_TECH_REST;
		r->st.air = 0;
		r->roller = false;
		r->passes = false;
		if (e->phase == CHAIR_PHASE_MAIN) {
			r->st.time_usec = 0;
			r->st.cycles = 0;
		}
	}
	r->dir = 1;
	r->osc = 1;
	r->stage = r->roller ? ST_APPROACH : ST_DONE;
	r->t0 = e->elapsed;
	r->air = r->st.air ? AIR_INFLATE : AIR_DONE;
	r->air_t0 = e->elapsed;
	r->str = STR_RECLINE;
	r->str_t0 = e->elapsed;
	r->end = r->st.time_usec ? e->elapsed + r->st.time_usec : 0;
	if (e->phase == CHAIR_PHASE_CLOSE && r->end > e->duration)
		r->end = e->duration;
	if (skip && e->phase == CHAIR_PHASE_MAIN)
		e->skipped_in_row++;
	else
		e->skipped_in_row = 0;
}

static bool step_is_focus_only(const struct chair_engine *e, const struct chair_step *st)
{
	return st->zone_top == st->zone_bottom && (int)st->zone_top == e->opt.focus &&
	       st->point_pct == CHAIR_NO_POINT;
}

static void next_step(struct chair_engine *e)
{
	const struct chair_program *p = e->program;

	if (e->phase == CHAIR_PHASE_MAIN && e->opt.focus >= 0 && !e->echoing) {
		const struct chair_step *src = current_source(e);

		if (is_roller(src->technique) && !step_is_focus_only(e, src) &&
		    e->skipped_in_row == 0) {
			e->echoing = true;
			start_step(e);
			return;
		}
	}
	e->echoing = false;
	e->step_idx++;
	if (e->step_idx < p->n_steps[e->phase]) {
		start_step(e);
		return;
	}
	e->step_idx = 0;
	if (e->phase == CHAIR_PHASE_WARM_UP) {
		e->phase = CHAIR_PHASE_MAIN;
	} else if (e->phase == CHAIR_PHASE_CLOSE) {
		/* Only reached if close ran short; hold until the end. */
		e->step_idx = p->n_steps[CHAIR_PHASE_CLOSE] - 1;
		start_step(e);
		e->run.st.technique = CHAIR_TECH_REST;
		e->run.roller = false;
		e->run.stage = ST_DONE;
		e->run.air = AIR_DONE;
		e->run.end = e->duration;
		return;
	}
	start_step(e);
}

static void enter_close(struct chair_engine *e)
{
	e->phase = CHAIR_PHASE_CLOSE;
	e->step_idx = 0;
	e->echoing = false;
	start_step(e);
}

/* --- running a step ------------------------------------------------------ */

static unsigned effective_depth(const struct chair_engine *e, unsigned depth)
{
	unsigned d = (depth * e->opt.intensity + 1) / 3;

	if (depth > 0 && d == 0 && e->opt.intensity >= 3)
		d = 1;
	return MIN(d, e->policy.depth_cap);
}

static uint64_t secs(double s)
{
	return (uint64_t)(s * (double)USEC_PER_SEC);
}

static uint64_t dwell_usec(const struct chair_step *st)
{
	static const double knead[] = { 6.0, 5.0, 4.0, 3.0, 2.0 };
	static const double tap[] = { 5.0, 4.0, 3.0, 2.5, 2.0 };
	static const double friction[] = { 4.0, 3.5, 3.0, 2.5, 2.0 };
	static const double hold[] = { 8.0, 6.5, 5.0, 4.0, 3.0 };
	unsigned i = CLAMP(st->speed, 1u, 5u) - 1;

	switch (st->technique) {
	case CHAIR_TECH_KNEAD:
		return secs(knead[i]);
	case CHAIR_TECH_TAP:
		return secs(tap[i]);
	case CHAIR_TECH_FRICTION:
		return secs(friction[i]);
	case CHAIR_TECH_PRESS:
		return st->hold_usec ? st->hold_usec : secs(hold[i]);
	case CHAIR_TECH_GLIDE:
	case CHAIR_TECH_ROLL:
	case CHAIR_TECH_VIBRATE:
	case CHAIR_TECH_COMPRESS:
	case CHAIR_TECH_STRETCH:
	case CHAIR_TECH_REST:
	case CHAIR_TECHNIQUE_COUNT:
		break;
	}
	return secs(3.0);
}

static bool arrived(const struct chair_sensors *s, double target)
{
	if (fabs(s->position_mm - target) <= WALK_TOLERANCE_MM)
		return true;
	/* A limit switch ends the travel short of a target beyond it. */
	if (s->at_top && target > s->position_mm)
		return true;
	if (s->at_bottom && target < s->position_mm)
		return true;
	return false;
}

static void next_station(struct run *r)
{
	r->arrived = false;
	r->osc_flips = 0;
	r->stage = r->st.technique == CHAIR_TECH_PRESS ? ST_PRESS_IN : ST_WORK;
	if (r->n_pos == 1) {
		r->cycles_done++;
		return;
	}
	if ((r->dir > 0 && r->idx + 1 >= r->n_pos) || (r->dir < 0 && r->idx == 0)) {
		/* A sweep is done: turn round without repeating the end station. */
		r->cycles_done++;
		r->dir = -r->dir;
	}
	r->idx = (size_t)((ssize_t)r->idx + r->dir);
}

static bool roller_done(const struct chair_engine *e)
{
	const struct run *r = &e->run;

	if (!r->roller)
		return true;
	return !r->end && r->cycles_done >= r->st.cycles;
}

static void run_roller(struct chair_engine *e, const struct chair_sensors *s,
		       struct chair_targets *t)
{
	struct run *r = &e->run;
	const struct chair_step *st = &r->st;
	double target;

	if (!r->roller || roller_done(e))
		return;
	t->walk_speed = st->speed;
	t->knead_speed = st->speed;

	if (r->stage == ST_APPROACH) {
		/* Start at whichever end is nearer. */
		if (r->n_pos > 1 && !r->arrived) {
			double d0 = fabs(s->position_mm - r->pos[0]);
			double dn = fabs(s->position_mm - r->pos[r->n_pos - 1]);

			if (dn < d0) {
				r->idx = r->n_pos - 1;
				r->dir = -1;
			}
			r->arrived = true; /* direction chosen */
		}
		t->walk_mm = r->pos[r->idx];
		t->walk_speed = 5;
		if (arrived(s, r->pos[r->idx])) {
			r->arrived = false;
			r->t0 = e->elapsed;
			if (r->passes) {
				r->idx = r->idx ? 0 : 1;
				r->stage = ST_WORK;
			} else {
				r->stage = st->technique == CHAIR_TECH_PRESS ? ST_PRESS_IN : ST_WORK;
			}
		}
		return;
	}

	t->depth = effective_depth(e, st->depth);
	target = r->pos[r->idx];

	if (r->passes) {
		t->walk_mm = target;
		t->vibrate = st->technique == CHAIR_TECH_VIBRATE;
		if (arrived(s, target)) {
			r->cycles_done++;
			r->idx = r->idx ? 0 : 1;
		}
		return;
	}

	switch (st->technique) {
	case CHAIR_TECH_KNEAD:
	case CHAIR_TECH_TAP:
		t->walk_mm = target;
		if (!r->arrived && arrived(s, target)) {
			r->arrived = true;
			r->t0 = e->elapsed;
		}
		if (r->arrived) {
			if (st->technique == CHAIR_TECH_KNEAD)
				t->knead = (r->idx % 2) ? -1 : 1;
			else
				t->tap_speed = st->speed;
			if (e->elapsed - r->t0 >= dwell_usec(st))
				next_station(r);
		}
		return;
	case CHAIR_TECH_FRICTION:
	case CHAIR_TECH_ROLL: {
		double amp = st->technique == CHAIR_TECH_ROLL ? roll_amplitude(e, st) / 2.0
							       : friction_amplitude(st);
		double goal;

		if (!r->arrived) {
			t->walk_mm = target;
			if (arrived(s, target)) {
				r->arrived = true;
				r->t0 = e->elapsed;
			}
			return;
		}
		goal = CLAMP(target + r->osc * amp, 5.0, e->hw.track_length_mm - 5.0);
		if (chair_guard_contains(&e->guard, goal, GUARD_MARGIN_MM))
			goal = target;
		t->walk_mm = goal;
		t->walk_speed = st->technique == CHAIR_TECH_FRICTION ? 5 : st->speed;
		if (arrived(s, goal)) {
			r->osc = -r->osc;
			r->osc_flips++;
		}
		if (st->technique == CHAIR_TECH_ROLL ? r->osc_flips >= 2
						     : e->elapsed - r->t0 >= dwell_usec(st))
			next_station(r);
		return;
	}
	case CHAIR_TECH_PRESS:
		t->walk_mm = target;
		switch (r->stage) {
		case ST_PRESS_IN:
			if (!r->arrived) {
				t->depth = 0;
				if (arrived(s, target) && s->depth_mm <= DEPTH_TOLERANCE_MM) {
					r->arrived = true;
					r->t0 = e->elapsed;
				}
				return;
			}
			if (fabs(s->depth_mm - chair_hw_depth_mm(&e->hw, t->depth)) <=
				    DEPTH_TOLERANCE_MM ||
			    e->elapsed - r->t0 >= secs(4.0)) {
				r->stage = ST_PRESS_HOLD;
				r->t0 = e->elapsed;
			}
			return;
		case ST_PRESS_HOLD:
			if (e->elapsed - r->t0 >= dwell_usec(st)) {
				r->stage = ST_PRESS_OUT;
				r->t0 = e->elapsed;
			}
			return;
		case ST_PRESS_OUT:
			/* The release: ease out slowly, as a therapist would. */
			t->depth = 0;
			if (s->depth_mm <= DEPTH_TOLERANCE_MM || e->elapsed - r->t0 >= secs(4.0)) {
				r->stage = ST_PRESS_REST;
				r->t0 = e->elapsed;
			}
			return;
		case ST_PRESS_REST:
			t->depth = 0;
			if (e->elapsed - r->t0 >= secs(1.5))
				next_station(r);
			return;
		case ST_APPROACH:
		case ST_WORK:
		case ST_DONE:
			break;
		}
		return;
	case CHAIR_TECH_GLIDE:
	case CHAIR_TECH_VIBRATE:
	case CHAIR_TECH_COMPRESS:
	case CHAIR_TECH_STRETCH:
	case CHAIR_TECH_REST:
	case CHAIR_TECHNIQUE_COUNT:
		break;
	}
}

static uint64_t inflate_usec(const struct chair_engine *e, const struct chair_step *st)
{
	double base = 2.0 + 2.0 * st->air_level;

	return secs(base * (0.4 + 0.2 * e->opt.intensity));
}

static uint64_t air_hold_usec(const struct chair_step *st)
{
	return secs(7.0 - CLAMP(st->speed, 1u, 5u));
}

#define AIR_VENT_USEC (UINT64_C(3) * USEC_PER_SEC)

/* One inflate-hold-vent cycle at a time. Returns true when the air is done. */
static bool run_air(struct chair_engine *e, struct chair_targets *t, bool may_finish)
{
	struct run *r = &e->run;
	uint64_t in = e->elapsed - r->air_t0;

	switch (r->air) {
	case AIR_INFLATE:
		t->air = r->st.air;
		t->pump = true;
		if (in >= inflate_usec(e, &r->st)) {
			r->air = AIR_HOLD;
			r->air_t0 = e->elapsed;
		}
		return false;
	case AIR_HOLD:
		t->air = r->st.air;
		if (in >= air_hold_usec(&r->st)) {
			r->air = AIR_VENT;
			r->air_t0 = e->elapsed;
		}
		return false;
	case AIR_VENT:
		if (in >= AIR_VENT_USEC) {
			r->air_cycles++;
			r->air_t0 = e->elapsed;
			if (may_finish) {
				r->air = AIR_DONE;
				return true;
			}
			r->air = AIR_INFLATE;
		}
		return false;
	case AIR_DONE:
		return true;
	}
	return true;
}

/* Stretch: recline, grip the legs with the airbags, release, come back. */
static bool run_stretch(struct chair_engine *e, const struct chair_sensors *s,
			struct chair_targets *t)
{
	struct run *r = &e->run;
	uint64_t in = e->elapsed - r->str_t0;
	double recline_goal = 30.0 + 15.0 * r->st.speed;

	switch (r->str) {
	case STR_RECLINE:
		t->recline_pct = (int)recline_goal;
		if (s->recline_pct >= recline_goal - 3.0 || in >= secs(e->hw.recline_time_s + 2)) {
			r->str = STR_GRIP;
			r->str_t0 = e->elapsed;
			r->air = AIR_INFLATE;
			r->air_t0 = e->elapsed;
		}
		return false;
	case STR_GRIP:
		t->recline_pct = (int)recline_goal;
		run_air(e, t, true);
		if (r->air == AIR_VENT) {
			r->str = STR_RELEASE;
			r->str_t0 = e->elapsed;
		}
		return false;
	case STR_RELEASE:
		t->recline_pct = (int)recline_goal;
		if (run_air(e, t, true)) {
			r->str = STR_RETURN;
			r->str_t0 = e->elapsed;
		}
		return false;
	case STR_RETURN:
		t->recline_pct = 0;
		if (s->recline_pct <= 3.0 || in >= secs(e->hw.recline_time_s + 2)) {
			r->cycles_done++;
			r->str = STR_RECLINE;
			r->str_t0 = e->elapsed;
			return !r->end && r->cycles_done >= r->st.cycles;
		}
		return false;
	}
	return false;
}

static void set_heat(struct chair_engine *e, struct chair_targets *t)
{
	const struct chair_step *st = &e->run.st;
	uint32_t which = st->heat_given ? st->heat : (UINT32_C(1) << CHAIR_HEATER_COUNT) - 1;

	for (int h = 0; h < CHAIR_HEATER_COUNT; h++) {
		bool on = (which & (UINT32_C(1) << h)) && !(e->policy.heat_blocked & (UINT32_C(1) << h));

		t->heat[h] = on ? (unsigned)e->opt.heat : 0;
	}
}

/* Where the roller waits while it has nothing to do: where it is, unless
 * that is in an avoided zone. */
static double park_target(const struct chair_engine *e, const struct chair_sensors *s)
{
	const struct chair_guard *g = &e->guard;

	for (unsigned i = 0; i < g->n; i++) {
		double lo = g->lo[i] - GUARD_MARGIN_MM * 2, hi = g->hi[i] + GUARD_MARGIN_MM * 2;

		if (s->position_mm < lo || s->position_mm > hi)
			continue;
		if (lo > 5.0 && (s->position_mm - lo < hi - s->position_mm ||
				 hi > e->hw.track_length_mm - 5.0))
			return lo;
		return hi;
	}
	return NAN;
}

static bool step_finished(struct chair_engine *e, bool air_done, bool stretch_done)
{
	const struct run *r = &e->run;

	if (r->end)
		return e->elapsed >= r->end;
	if (r->st.technique == CHAIR_TECH_STRETCH)
		return stretch_done;
	if (r->st.technique == CHAIR_TECH_COMPRESS)
		return r->air_cycles >= r->st.cycles && air_done;
	if (r->st.technique == CHAIR_TECH_REST)
		return true; /* a skipped main step */
	return roller_done(e) && air_done;
}

void chair_engine_tick(struct chair_engine *e, uint64_t now, const struct chair_sensors *s,
		       struct chair_targets *t)
{
	struct run *r;
	bool air_done, stretch_done = false;

	chair_targets_idle(t);
	if (now > e->last_now && !e->paused && !e->finished)
		e->elapsed += now - e->last_now;
	e->last_now = now;
	/* Paused: nothing runs, but it is still the person's session, so the
	 * seat rule keeps watching. */
	t->session = t->paused = e->paused && !e->finished;
	if (e->finished || e->paused)
		return;
	if (e->elapsed >= e->duration) {
		e->elapsed = e->duration;
		e->finished = true;
		return;
	}
	if (e->phase != CHAIR_PHASE_CLOSE && e->elapsed >= e->close_start)
		enter_close(e);

	for (int guard = 0; guard < 8; guard++) {
		r = &e->run;
		chair_targets_idle(t);
		t->hold = false;
		t->session = true;
		t->recline_pct = 0;
		t->phase = e->phase;
		t->technique = r->st.technique;
		t->zone = r->roller ? (int)r->st.zone_top : -1;
		t->line = r->st.line;
		set_heat(e, t);

		run_roller(e, s, t);
		if (r->st.technique == CHAIR_TECH_STRETCH) {
			stretch_done = run_stretch(e, s, t);
			air_done = true;
		} else {
			bool may_finish = r->st.technique == CHAIR_TECH_COMPRESS
						  ? r->air_cycles + 1 >= r->st.cycles && !r->end
						  : roller_done(e) && !r->end;

			air_done = run_air(e, t, may_finish);
		}
		if (!r->roller || roller_done(e)) {
			double park = park_target(e, s);

			t->walk_mm = park;
			t->walk_speed = 5;
		}
		if (!step_finished(e, air_done, stretch_done))
			return;
		/* A main phase where every step is skipped would spin: rest. */
		if (e->phase == CHAIR_PHASE_MAIN &&
		    e->skipped_in_row > e->program->n_steps[CHAIR_PHASE_MAIN] * 2) {
			r->end = e->close_start;
			return;
		}
		next_step(e);
	}
}

void chair_engine_pause(struct chair_engine *e, uint64_t now)
{
	if (e->paused || e->finished)
		return;
	if (now > e->last_now)
		e->elapsed += now - e->last_now;
	e->last_now = now;
	e->paused = true;
}

void chair_engine_resume(struct chair_engine *e, uint64_t now)
{
	if (!e->paused)
		return;
	e->last_now = now;
	e->paused = false;
}

bool chair_engine_paused(const struct chair_engine *e)
{
	return e->paused;
}

int chair_engine_avoid(struct chair_engine *e, enum chair_zone zone)
{
	if ((unsigned)zone >= CHAIR_ZONE_COUNT)
		return -ERANGE;
	e->opt.avoid_back |= UINT32_C(1) << zone;
	if (e->opt.focus == (int)zone)
		e->opt.focus = -1;
	chair_policy_init(&e->policy, &e->opt, &e->hw);
	chair_policy_guard(&e->policy, &e->body, &e->guard);
	return 0;
}

int chair_engine_set_focus(struct chair_engine *e, enum chair_zone zone)
{
	if ((unsigned)zone >= CHAIR_ZONE_COUNT)
		return -ERANGE;
	if (e->policy.avoid_back & (UINT32_C(1) << zone))
		return -EPERM;
	e->opt.focus = (int)zone;
	return 0;
}

int chair_engine_set_intensity(struct chair_engine *e, unsigned intensity)
{
	if (intensity < 1 || intensity > 5)
		return -ERANGE;
	e->opt.intensity = intensity;
	return 0;
}

int chair_engine_set_heat(struct chair_engine *e, unsigned heat)
{
	if (heat > 3)
		return -ERANGE;
	e->opt.heat = (int)heat;
	return 0;
}

bool chair_engine_finished(const struct chair_engine *e)
{
	return e->finished;
}

uint64_t chair_engine_elapsed(const struct chair_engine *e)
{
	return e->elapsed;
}

uint64_t chair_engine_duration(const struct chair_engine *e)
{
	return e->duration;
}

unsigned chair_engine_intensity(const struct chair_engine *e)
{
	return e->opt.intensity;
}

unsigned chair_engine_heat(const struct chair_engine *e)
{
	if (e->policy.heat_blocked == (UINT32_C(1) << CHAIR_HEATER_COUNT) - 1)
		return 0;
	return (unsigned)e->opt.heat;
}

const struct chair_program *chair_engine_program(const struct chair_engine *e)
{
	return e->program;
}

const struct chair_options *chair_engine_options(const struct chair_engine *e)
{
	return &e->opt;
}

const struct chair_policy *chair_engine_policy(const struct chair_engine *e)
{
	return &e->policy;
}

enum chair_phase chair_engine_phase(const struct chair_engine *e)
{
	return e->phase;
}

const struct chair_guard *chair_engine_guard(const struct chair_engine *e)
{
	return &e->guard;
}

/* --- body scan ----------------------------------------------------------- */

enum scan_stage {
	SCAN_DOWN,
	SCAN_UP,
};

struct chair_scan {
	struct chair_hw hw;
	enum scan_stage stage;
	bool seen_pressed;
};

#define SCAN_START_MM 300.0

int chair_scan_new(const struct chair_hw *hw, uint64_t now, struct chair_scan **ret)
{
	struct chair_scan *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->hw = *hw;
	*ret = s;
	return 0;
}

struct chair_scan *chair_scan_free(struct chair_scan *s)
{
	free(s);
	return NULL;
}

int chair_scan_tick(struct chair_scan *s, uint64_t now, const struct chair_sensors *in,
		    struct chair_targets *t, double *ret_shoulder_mm)
{
	chair_targets_idle(t);
	t->hold = false;
	t->walk_speed = 2;
	switch (s->stage) {
	case SCAN_DOWN:
		/* Start below any shoulder line. */
		t->walk_mm = SCAN_START_MM;
		t->walk_speed = 5;
		if (in->position_mm <= SCAN_START_MM + WALK_TOLERANCE_MM || in->at_bottom)
			s->stage = SCAN_UP;
		return 0;
	case SCAN_UP:
		/* Aim past the end: the top limit switch ends a scan that finds
		 * no shoulder line. */
		t->walk_mm = s->hw.track_length_mm + 10.0;
		if (in->shoulder)
			s->seen_pressed = true;
		if (s->seen_pressed && !in->shoulder) {
			*ret_shoulder_mm = in->position_mm;
			chair_targets_idle(t);
			return 1;
		}
		if (in->at_top) {
			chair_targets_idle(t);
			return -ENOENT;
		}
		return 0;
	}
	return -EINVAL;
}
