// SPDX-License-Identifier: MIT
/*
 * What a person's conditions and avoided zones allow: the option checks,
 * the guarded zones and airbags, the heaters kept off, the depth cap, and
 * the adaptation of each step. See policy.h and docs/api.md.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "macro.h"
#include "policy.h"
#include "program.h"
#include "wording.h"

#define BIT(x) (UINT32_C(1) << (x))

void chair_options_init(struct chair_options *o)
{
	*o = (struct chair_options){
		.duration_usec = 0,
		.intensity = 3,
		.focus = -1,
		.heat = -1,
	};
}

bool chair_guard_contains(const struct chair_guard *g, double pos_mm, double margin_mm)
{
	for (unsigned i = 0; i < g->n; i++)
		if (pos_mm >= g->lo[i] - margin_mm && pos_mm <= g->hi[i] + margin_mm)
			return true;
	return false;
}

_printf_(2, 3) static int set_msg(char **ret_msg, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(ret_msg, fmt, ap);
	va_end(ap);
	return r < 0 ? -ENOMEM : 0;
}

static const char *condition_words(enum chair_condition c)
{
	switch (c) {
	case CHAIR_COND_NERVE_PAIN:
		return "nerve pain";
	case CHAIR_COND_INFLAMMATION:
		return "inflammation";
	case CHAIR_COND_PREGNANCY:
		return "pregnancy";
	case CHAIR_COND_ARTHRITIS:
		return "arthritis";
	case CHAIR_COND_RECENT_INJURY:
		return "a recent injury";
	case CHAIR_CONDITION_COUNT:
		break;
	}
	return "this condition";
}

int chair_options_check(const struct chair_program *p, const struct chair_options *o,
			const struct chair_hw *hw, char **ret_msg)
{
	uint64_t cap = chair_hw_session_cap(hw);
	int r;

	if (o->duration_usec &&
	    (o->duration_usec < CHAIR_HW_MIN_SESSION_USEC || o->duration_usec > cap)) {
		r = set_msg(ret_msg, "duration_usec %" PRIu64 " is out of range; a session lasts "
				     "%" PRIu64 " to %" PRIu64 " (5 to %" PRIu64 " minutes)",
			    o->duration_usec, CHAIR_HW_MIN_SESSION_USEC, cap, cap / USEC_PER_MIN);
		return r < 0 ? r : CHAIR_CHECK_INVALID;
	}
	if (o->intensity < 1 || o->intensity > 5) {
		r = set_msg(ret_msg, "intensity %u is out of range; use 1 (softest) to 5 (firmest)",
			    o->intensity);
		return r < 0 ? r : CHAIR_CHECK_INVALID;
	}
	if (o->heat > 3) {
		r = set_msg(ret_msg, "heat %d is out of range; use 0 (off) to 3", o->heat);
		return r < 0 ? r : CHAIR_CHECK_INVALID;
	}
	if (o->focus >= CHAIR_ZONE_COUNT) {
		r = set_msg(ret_msg, "focus is not a back zone; use one of: %s", chair_zone_list());
		return r < 0 ? r : CHAIR_CHECK_INVALID;
	}
	if (o->focus >= 0 && (o->avoid_back & (UINT32_C(1) << o->focus))) {
		r = set_msg(ret_msg, "focus %s is also in avoid; a zone cannot be both",
			    chair_zone_to_string((enum chair_zone)o->focus));
		return r < 0 ? r : CHAIR_CHECK_INVALID;
	}
	static const enum chair_condition need_avoid[] = { CHAIR_COND_INFLAMMATION,
							   CHAIR_COND_RECENT_INJURY };

	for (size_t i = 0; i < ELEMENTSOF(need_avoid); i++) {
		enum chair_condition c = need_avoid[i];

		if (!(o->conditions & (UINT32_C(1) << c)) || o->avoid_back || o->avoid_air)
			continue;
		r = set_msg(ret_msg, "condition %s needs at least one avoid zone that says where "
				     "(for example avoid lower-back)",
			    chair_condition_to_string(c));
		return r < 0 ? r : CHAIR_CHECK_INVALID;
	}
	for (int c = 0; c < CHAIR_CONDITION_COUNT; c++) {
		if (!(o->conditions & p->not_for & (UINT32_C(1) << c)))
			continue;
		r = set_msg(ret_msg, "The %s program is not suitable with %s. Choose a gentler "
				     "program such as relax or craniosacral.",
			    p->id, condition_words((enum chair_condition)c));
		return r < 0 ? r : CHAIR_CHECK_CONTRAINDICATED;
	}
	/* Built-in rules that hold whatever a program file says. */
	if ((o->conditions & (UINT32_C(1) << CHAIR_COND_NERVE_PAIN)) &&
	    (streq(p->id, "deep-tissue") || streq(p->id, "trigger-point"))) {
		r = set_msg(ret_msg, "The %s program is not suitable with nerve pain. Choose a "
				     "gentler program such as relax or craniosacral.", p->id);
		return r < 0 ? r : CHAIR_CHECK_CONTRAINDICATED;
	}
	return CHAIR_CHECK_OK;
}

void chair_policy_init(struct chair_policy *p, const struct chair_options *o,
		       const struct chair_hw *hw)
{
	uint32_t back = o->avoid_back, air = o->avoid_air, heat = 0;

	*p = (struct chair_policy){ .depth_cap = chair_hw_max_depth(hw) };
	if (o->conditions & BIT(CHAIR_COND_NERVE_PAIN)) {
		p->depth_cap = MIN(p->depth_cap, 1u);
		p->no_percussion = true;
		p->short_strokes = true;
	}
	if (o->conditions & BIT(CHAIR_COND_ARTHRITIS)) {
		p->depth_cap = MIN(p->depth_cap, 2u);
		p->no_percussion = true;
	}
	if (o->conditions & BIT(CHAIR_COND_PREGNANCY)) {
		back |= BIT(CHAIR_ZONE_LOWER_BACK) | BIT(CHAIR_ZONE_SACRUM);
		air |= BIT(CHAIR_AIR_HIPS);
	}
	/* The airbags that press on an avoided back zone stay empty too. */
	if (back & BIT(CHAIR_ZONE_SHOULDERS))
		air |= BIT(CHAIR_AIR_SHOULDERS);
	if (back & (BIT(CHAIR_ZONE_LOWER_BACK) | BIT(CHAIR_ZONE_SACRUM)))
		air |= BIT(CHAIR_AIR_HIPS);
	if (air & BIT(CHAIR_AIR_SHOULDERS))
		back |= BIT(CHAIR_ZONE_SHOULDERS);

	/* No heat on an avoided (swollen, inflamed) area. */
	if (back & (BIT(CHAIR_ZONE_LOWER_BACK) | BIT(CHAIR_ZONE_SACRUM)))
		heat |= BIT(CHAIR_HEATER_LUMBAR);
	if (air & BIT(CHAIR_AIR_CALVES))
		heat |= BIT(CHAIR_HEATER_CALVES);
	if (o->conditions & BIT(CHAIR_COND_PREGNANCY))
		heat = BIT(CHAIR_HEATER_COUNT) - 1;
	for (int h = 0; h < CHAIR_HEATER_COUNT; h++)
		if (!chair_hw_has_heater(hw, (enum chair_heater)h))
			heat |= BIT(h);
	p->avoid_back = back;
	p->air_blocked = air;
	p->heat_blocked = heat;
}

void chair_policy_guard(const struct chair_policy *p, const struct chair_body *body,
			struct chair_guard *ret)
{
	struct chair_guard g = { .air_blocked = p->air_blocked };

	for (int z = 0; z < CHAIR_ZONE_COUNT; z++) {
		double top, bottom;

		if (!(p->avoid_back & BIT(z)))
			continue;
		chair_body_zone_span(body, (enum chair_zone)z, &top, &bottom);
		if (g.n && fabs(g.lo[g.n - 1] - top) < 0.01) {
			g.lo[g.n - 1] = bottom; /* adjacent: merge */
			continue;
		}
		g.hi[g.n] = top;
		g.lo[g.n] = bottom;
		g.n++;
	}
	*ret = g;
}

static bool has(const struct chair_hw *hw, enum chair_output o)
{
	return chair_hw_has_output(hw, o);
}

static bool has_walk(const struct chair_hw *hw)
{
	return has(hw, CHAIR_OUT_WALK_UP) && has(hw, CHAIR_OUT_WALK_DOWN);
}

static bool has_knead(const struct chair_hw *hw)
{
	return has(hw, CHAIR_OUT_KNEAD_CW) || has(hw, CHAIR_OUT_KNEAD_CCW);
}

static bool has_air(const struct chair_hw *hw)
{
	for (int z = 0; z < CHAIR_AIR_COUNT; z++)
		if (chair_hw_has_air_zone(hw, (enum chair_air_zone)z))
			return true;
	return false;
}

/* Can this chair do technique @p t as it is written? */
static bool can_do(const struct chair_hw *hw, enum chair_technique t)
{
	switch (t) {
	case CHAIR_TECH_GLIDE:
	case CHAIR_TECH_ROLL:
	case CHAIR_TECH_FRICTION:
		return has_walk(hw);
	case CHAIR_TECH_KNEAD:
		return has_walk(hw) && has_knead(hw);
	case CHAIR_TECH_TAP:
		return has_walk(hw) && has(hw, CHAIR_OUT_TAP);
	case CHAIR_TECH_PRESS:
		return has_walk(hw) && chair_hw_max_depth(hw) > 0;
	case CHAIR_TECH_VIBRATE:
		return has_walk(hw) && has(hw, CHAIR_OUT_VIBRATE_SEAT);
	case CHAIR_TECH_COMPRESS:
		return has_air(hw);
	case CHAIR_TECH_STRETCH:
		return has(hw, CHAIR_OUT_RECLINE_UP) && has(hw, CHAIR_OUT_RECLINE_DOWN);
	case CHAIR_TECH_REST:
		return true;
	case CHAIR_TECHNIQUE_COUNT:
		break;
	}
	return false;
}

uint32_t chair_policy_techniques(const struct chair_hw *hw)
{
	uint32_t m = 0;

	for (int t = 0; t < CHAIR_TECHNIQUE_COUNT; t++)
		if (can_do(hw, (enum chair_technique)t))
			m |= BIT(t);
	return m;
}

/* What a step becomes on a chair without its actuator: the nearest
 * technique the chair has, or nothing. */
static enum chair_technique stand_in(const struct chair_hw *hw, enum chair_technique t)
{
	switch (t) {
	case CHAIR_TECH_TAP:
	case CHAIR_TECH_PRESS:
		return can_do(hw, CHAIR_TECH_KNEAD) ? CHAIR_TECH_KNEAD : stand_in(hw, CHAIR_TECH_KNEAD);
	case CHAIR_TECH_KNEAD:
		return can_do(hw, CHAIR_TECH_ROLL) ? CHAIR_TECH_ROLL : CHAIR_TECHNIQUE_COUNT;
	case CHAIR_TECH_VIBRATE:
		return can_do(hw, CHAIR_TECH_GLIDE) ? CHAIR_TECH_GLIDE : CHAIR_TECHNIQUE_COUNT;
	case CHAIR_TECH_GLIDE:
	case CHAIR_TECH_ROLL:
	case CHAIR_TECH_FRICTION:
	case CHAIR_TECH_COMPRESS:
	case CHAIR_TECH_STRETCH:
	case CHAIR_TECH_REST:
	case CHAIR_TECHNIQUE_COUNT:
		break;
	}
	return CHAIR_TECHNIQUE_COUNT;
}

bool chair_policy_adapt_step(const struct chair_policy *p, const struct chair_hw *hw,
			     struct chair_step *st)
{
	if (p->no_percussion && st->technique == CHAIR_TECH_TAP) {
		/* Tapotement becomes slow, gentle petrissage. */
		st->technique = CHAIR_TECH_KNEAD;
		st->speed = MIN(st->speed, 2u);
	}
	if (p->short_strokes && (st->technique == CHAIR_TECH_GLIDE ||
				 st->technique == CHAIR_TECH_VIBRATE)) {
		st->technique = CHAIR_TECH_ROLL;
		st->width = CHAIR_WIDTH_NARROW;
	}
	st->air &= ~p->air_blocked;
	for (int z = 0; z < CHAIR_AIR_COUNT; z++)
		if (!chair_hw_has_air_zone(hw, (enum chair_air_zone)z))
			st->air &= ~BIT(z);
	if (st->technique == CHAIR_TECH_COMPRESS && !st->air)
		return false;
	if (!can_do(hw, st->technique)) {
		enum chair_technique t = stand_in(hw, st->technique);

		if (t == CHAIR_TECHNIQUE_COUNT)
			return false;
		st->technique = t;
	}
	return true;
}

/* Adds line @p line to the loss @p what, or a new loss: "what (lines a, b)". */
static int add_loss(char ***v, size_t *n, char ***whats, const char *what, unsigned line)
{
	char *joined, **nv, **nw;
	size_t i;
	int r;

	for (i = 0; i < *n; i++)
		if (streq((*whats)[i], what))
			break;
	if (i == *n) {
		nv = realloc(*v, (*n + 2) * sizeof(char *));
		if (nv)
			*v = nv;
		nw = realloc(*whats, (*n + 2) * sizeof(char *));
		if (nw)
			*whats = nw;
		if (!nv || !nw || !((*whats)[i] = strdup(what)))
			return -ENOMEM;
		(*v)[i] = NULL;
		(*n)++;
		(*v)[*n] = (*whats)[*n] = NULL;
	}
	if ((*v)[i]) {
		/* "what (line 3)" becomes "what (lines 3, 7)". */
		const char *nums = (*v)[i] + strlen(what) + (strstr((*v)[i], "(lines ") ? 8 : 7);

		r = asprintf(&joined, "%s (lines %.*s, %u)", what, (int)strlen(nums) - 1, nums, line);
	} else {
		r = asprintf(&joined, "%s (line %u)", what, line);
	}
	if (r < 0)
		return -ENOMEM;
	free((*v)[i]);
	(*v)[i] = joined;
	return 0;
}

int chair_policy_losses(const struct chair_program *prog, const struct chair_hw *hw,
			char ***ret)
{
	struct chair_options o;
	struct chair_policy p;
	char **v = NULL, **whats = NULL;
	size_t n = 0;
	int r = 0;

	chair_options_init(&o);
	chair_policy_init(&p, &o, hw);
	for (int ph = 0; ph < CHAIR_PHASE_COUNT && r >= 0; ph++)
		for (size_t i = 0; i < prog->n_steps[ph] && r >= 0; i++) {
			const struct chair_step *src = &prog->steps[ph][i];
			struct chair_step st = *src;
			char what[96];

			if (!chair_policy_adapt_step(&p, hw, &st))
				snprintf(what, sizeof(what), "%s is skipped",
					 chair_technique_to_string(src->technique));
			else if (st.technique != src->technique)
				snprintf(what, sizeof(what), "%s becomes %s",
					 chair_technique_to_string(src->technique),
					 chair_technique_to_string(st.technique));
			else if (src->depth > p.depth_cap)
				snprintf(what, sizeof(what), "depth is capped at %u", p.depth_cap);
			else if (st.air != src->air)
				snprintf(what, sizeof(what), "some airbags are missing");
			else
				continue;
			r = add_loss(&v, &n, &whats, what, src->line);
		}
	chair_strv_free(whats);
	if (r < 0) {
		chair_strv_free(v);
		return r;
	}
	*ret = v;
	return (int)n;
}

/* --- what the session changed, and the advice after it ------------------- */

static bool has_cond(const struct chair_options *o, enum chair_condition c)
{
	return o->conditions & BIT(c);
}

static const char *cond_reason(const struct chair_options *o, bool percussion)
{
	if (has_cond(o, CHAIR_COND_NERVE_PAIN))
		return "nerve pain";
	if (percussion || has_cond(o, CHAIR_COND_ARTHRITIS))
		return "arthritis";
	return "your conditions";
}

int chair_policy_adjustments(const struct chair_program *prog, const struct chair_options *o,
			     const struct chair_hw *hw, char ***ret)
{
	struct chair_policy p;
	char **v = NULL, **losses = NULL;
	uint64_t asked = o->duration_usec ? o->duration_usec : prog->duration_usec;
	uint64_t cap = chair_hw_session_cap(hw);
	int heat = o->heat < 0 ? (int)prog->heat : o->heat;
	bool inflamed = has_cond(o, CHAIR_COND_INFLAMMATION);
	const char *low;
	int r = 0, n;

	chair_policy_init(&p, o, hw);
	/* The avoided part of the back that the hip airbags and the back
	 * heater reach. */
	low = chair_wording_zone_phrase(p.avoid_back & BIT(CHAIR_ZONE_LOWER_BACK) ?
					CHAIR_ZONE_LOWER_BACK : CHAIR_ZONE_SACRUM);
	if (asked > cap)
		r = chair_strv_pushf(&v, "The session lasts %" PRIu64 " minutes, not %" PRIu64 ": this chair's "
				  "sessions last at most %" PRIu64 " minutes.", cap / USEC_PER_MIN,
			      asked / USEC_PER_MIN, cap / USEC_PER_MIN);
	if (r >= 0 && heat > 0 && has_cond(o, CHAIR_COND_PREGNANCY))
		r = chair_strv_pushf(&v, "Heat is off: no heat during pregnancy.");
	else if (r >= 0 && heat > 0 && (p.heat_blocked & BIT(CHAIR_HEATER_LUMBAR)) &&
		 chair_hw_has_heater(hw, CHAIR_HEATER_LUMBAR))
		r = inflamed ? chair_strv_pushf(&v, "The back heater is off: no heat on a swollen or "
					     "inflamed area.")
			     : chair_strv_pushf(&v, "The back heater is off: it warms %s, which is "
					     "avoided.", low);
	if (r >= 0 && heat > 0 && !has_cond(o, CHAIR_COND_PREGNANCY) &&
	    (p.heat_blocked & BIT(CHAIR_HEATER_CALVES)) && chair_hw_has_heater(hw, CHAIR_HEATER_CALVES))
		r = inflamed ? chair_strv_pushf(&v, "The calf heater is off: no heat on a swollen or "
					     "inflamed area.")
			     : chair_strv_pushf(&v, "The calf heater is off: your calves are avoided.");
	if (r >= 0 && has_cond(o, CHAIR_COND_PREGNANCY))
		r = chair_strv_pushf(&v, "No pressure or air on the lower back, sacrum and hips during "
				  "pregnancy.");
	if (r >= 0 && p.depth_cap < chair_hw_max_depth(hw))
		r = chair_strv_pushf(&v, "The pressure stays light (depth %u at most) because of %s.",
			      p.depth_cap, cond_reason(o, false));
	if (r >= 0 && p.no_percussion && (chair_program_techniques(prog) & BIT(CHAIR_TECH_TAP)))
		r = chair_strv_pushf(&v, "Tapping is replaced by gentle kneading because of %s.",
			      cond_reason(o, true));
	if (r >= 0 && p.short_strokes)
		r = chair_strv_pushf(&v, "Long strokes are kept short because of nerve pain.");
	if (r >= 0 && (p.avoid_back & ~o->avoid_back & ~(BIT(CHAIR_ZONE_LOWER_BACK) | BIT(CHAIR_ZONE_SACRUM))))
		r = chair_strv_pushf(&v, "The shoulders are avoided too: the shoulder airbags press there.");
	if (r >= 0 && (p.air_blocked & ~o->avoid_air & BIT(CHAIR_AIR_HIPS)) &&
	    !has_cond(o, CHAIR_COND_PREGNANCY))
		r = chair_strv_pushf(&v, "The hip airbags stay empty: they press on %s, which is "
				     "avoided.", low);
	n = r >= 0 ? chair_policy_losses(prog, hw, &losses) : 0;
	if (n > 0)
		r = chair_strv_pushf(&v, "Some steps are adapted to what this chair has: %s%s.", losses[0],
			      n > 1 ? ", and more (chaird --check --config lists them)" : "");
	chair_strv_free(losses);
	if (r < 0 || n < 0) {
		chair_strv_free(v);
		return -ENOMEM;
	}
	*ret = v;
	return (int)chair_strv_length(v);
}

static bool deep_work(const struct chair_program *prog, const struct chair_options *o)
{
	for (int ph = 0; ph < CHAIR_PHASE_COUNT; ph++)
		for (size_t i = 0; i < prog->n_steps[ph]; i++)
			if (prog->steps[ph][i].depth >= 3 && o->intensity >= 3)
				return true;
	return false;
}

int chair_policy_aftercare(const struct chair_program *prog, const struct chair_options *o,
			   enum chair_finish_reason why, char ***ret)
{
	struct chair_policy p;
	struct chair_hw hw;
	char **v = NULL;
	bool hurt_zone = has_cond(o, CHAIR_COND_INFLAMMATION) || has_cond(o, CHAIR_COND_RECENT_INJURY);
	char stretch[96] = "";
	static const enum chair_zone stretchable[] = { CHAIR_ZONE_NECK, CHAIR_ZONE_SHOULDERS,
						       CHAIR_ZONE_LOWER_BACK };
	int r = 0;

	chair_hw_default(&hw);
	chair_policy_init(&p, o, &hw);
	if (why == CHAIR_FINISH_EMERGENCY_STOP || why == CHAIR_FINISH_FAULT)
		r = chair_strv_pushf(&v, "The massage stopped early. If anything hurt, rest and do not "
				  "start again today.");
	if (r >= 0)
		r = chair_strv_pushf(&v, "Drink a glass of water.");
	if (r >= 0)
		r = chair_strv_pushf(&v, has_cond(o, CHAIR_COND_PREGNANCY)
					  ? "Rest a few minutes, then get up slowly, turning onto your "
					    "side first."
					  : "Rest a few minutes, then stand up slowly.");
	/* Stretch only what was not avoided. */
	for (size_t i = 0; i < ELEMENTSOF(stretchable); i++)
		if (!(p.avoid_back & BIT(stretchable[i])))
			snprintf(stretch + strlen(stretch), sizeof(stretch) - strlen(stretch), "%s%s",
				 *stretch ? ", " : "",
				 stretchable[i] == CHAIR_ZONE_LOWER_BACK ? "lower back"
									: chair_zone_to_string(stretchable[i]));
	if (r >= 0 && *stretch && !has_cond(o, CHAIR_COND_RECENT_INJURY))
		r = chair_strv_pushf(&v, "Stretch gently: %s.", stretch);
	/* The program's own advice, from its file, less what the session's
	 * conditions rule out (no heat on an inflamed area or in pregnancy,
	 * no stretching a fresh injury). */
	for (char **a = prog->aftercare; r >= 0 && a && *a; a++) {
		if ((hurt_zone || has_cond(o, CHAIR_COND_PREGNANCY)) &&
		    (strstr(*a, "warm") || strstr(*a, "heat") || strstr(*a, "hot")))
			continue;
		if (has_cond(o, CHAIR_COND_RECENT_INJURY) && strstr(*a, "stretch"))
			continue;
		if (has_cond(o, CHAIR_COND_NERVE_PAIN) && strstr(*a, "soreness"))
			continue;
		r = chair_strv_pushf(&v, "%s", *a);
	}
	if (r >= 0 && !prog->aftercare && deep_work(prog, o) && !has_cond(o, CHAIR_COND_NERVE_PAIN))
		r = chair_strv_pushf(&v, "After deep work some soreness is normal, and can last a day or two.");
	if (r >= 0 && hurt_zone)
		r = chair_strv_pushf(&v, "Keep heat off the swollen or injured area; a cool pack for 10 to 15 "
				  "minutes is kinder to it.");
	else if (r >= 0 && !has_cond(o, CHAIR_COND_PREGNANCY))
		r = chair_strv_pushf(&v, "A warm bath or shower helps the muscles stay relaxed.");
	if (r >= 0 && has_cond(o, CHAIR_COND_NERVE_PAIN))
		r = chair_strv_pushf(&v, "If tingling or numbness gets worse, stop using the chair and see "
				  "a doctor.");
	if (r >= 0 && !prog->aftercare && prog->character == CHAIR_CHARACTER_SEDATIVE)
		r = chair_strv_pushf(&v, "Give yourself a quiet moment before anything busy.");
	if (r < 0) {
		chair_strv_free(v);
		return -ENOMEM;
	}
	*ret = v;
	return (int)chair_strv_length(v);
}
