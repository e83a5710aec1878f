// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "hwmap.h"
#include "macro.h"
#include "quote.h"
#include "textparse.h"

#define MAX_LINE 512
#define MAX_FILE (64 * 1024)
/* Every key the map knows is shorter than this, and a section has fewer. */
#define MAX_KEY 24
#define MAX_SECTION_KEYS 16

enum section_kind {
	SEC_NONE,
	SEC_CHAIR,
	SEC_OUTPUT,
	SEC_INPUT,
	SEC_HEATER,
};

struct mparser {
	const char *path;
	unsigned line;
	char *error;
	struct chair_map *m;
	enum section_kind kind;
	int index;
	bool seen_chair;
	/* Limits given in [heater] sections, checked after the whole file. */
	bool heater_section[CHAIR_HEATER_COUNT];
	bool setpoints_given[CHAIR_HEATER_COUNT];
	unsigned setpoints_line[CHAIR_HEATER_COUNT];
	unsigned max_line[CHAIR_HEATER_COUNT];
	/* The keys given in the current section, so none is given twice. */
	char keys[MAX_SECTION_KEYS][MAX_KEY];
	unsigned key_lines[MAX_SECTION_KEYS];
	size_t n_keys;
};

_printf_(3, 4) static int mfail_at(struct mparser *p, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = chair_verror(&p->error, p->path, line, fmt, ap);
	va_end(ap);
	return r;
}

#define mfail(p, ...) mfail_at(p, (p)->line, __VA_ARGS__)

static int parse_bool(const char *v, bool *ret)
{
	if (streq(v, "yes") || streq(v, "true") || streq(v, "1") || streq(v, "on")) {
		*ret = true;
		return 0;
	}
	if (streq(v, "no") || streq(v, "false") || streq(v, "0") || streq(v, "off")) {
		*ret = false;
		return 0;
	}
	return -EINVAL;
}

static int parse_double(const char *v, double *ret)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (errno || end == v || *end || !isfinite(d))
		return -EINVAL;
	*ret = d;
	return 0;
}

static bool is_motor(enum chair_output o)
{
	switch (o) {
	case CHAIR_OUT_WALK_UP:
	case CHAIR_OUT_WALK_DOWN:
	case CHAIR_OUT_KNEAD_CW:
	case CHAIR_OUT_KNEAD_CCW:
	case CHAIR_OUT_TAP:
	case CHAIR_OUT_DEPTH_IN:
	case CHAIR_OUT_DEPTH_OUT:
	case CHAIR_OUT_VIBRATE_SEAT:
	case CHAIR_OUT_RECLINE_UP:
	case CHAIR_OUT_RECLINE_DOWN:
		return true;
	case CHAIR_OUT_PUMP:
	case CHAIR_OUT_VALVE_SHOULDERS:
	case CHAIR_OUT_VALVE_ARMS:
	case CHAIR_OUT_VALVE_HIPS:
	case CHAIR_OUT_VALVE_CALVES:
	case CHAIR_OUT_VALVE_FEET:
	case CHAIR_OUT_HEAT_LUMBAR:
	case CHAIR_OUT_HEAT_CALVES:
	case CHAIR_OUTPUT_COUNT:
		break;
	}
	return false;
}

static int section_header(struct mparser *p, char *s)
{
	char *end = strchr(s, ']');
	char *body, *name;
	int idx;

	if (!end || chair_strip(end + 1)[0])
		return mfail(p, "a section header looks like [output walk-up]");
	*end = '\0';
	p->n_keys = 0;
	body = chair_strip(s + 1);
	name = strpbrk(body, " \t");
	if (name) {
		*name++ = '\0';
		name = chair_strip(name);
	}
	if (streq(body, "chair") && !name) {
		if (p->seen_chair)
			return mfail(p, "section [chair] is given twice");
		p->seen_chair = true;
		p->kind = SEC_CHAIR;
		return 0;
	}
	if (!name || (!streq(body, "output") && !streq(body, "input") && !streq(body, "heater")))
		return mfail(p, "unknown section [%s%s%s]; expected [chair], [output NAME], [input "
				"NAME] or [heater NAME]", body, name ? " " : "", name ? name : "");
	if (streq(body, "output")) {
		idx = chair_output_from_string(name);
		if (idx < 0)
			return mfail(p, "unknown output '%s'; expected one of: %s", name,
				     chair_output_list());
		if (p->m->out[idx].present)
			return mfail(p, "[output %s] is given twice (first at line %u)", name,
				     p->m->out[idx].line);
		p->m->out[idx] = (struct chair_map_line){ .present = true, .offset = -1, .line = p->line };
		p->kind = SEC_OUTPUT;
	} else if (streq(body, "input")) {
		idx = chair_input_from_string(name);
		if (idx < 0)
			return mfail(p, "unknown input '%s'; expected one of: %s", name,
				     chair_input_list());
		if (p->m->in[idx].present)
			return mfail(p, "[input %s] is given twice (first at line %u)", name,
				     p->m->in[idx].line);
		p->m->in[idx] = (struct chair_map_line){ .present = true, .offset = -1, .line = p->line };
		p->kind = SEC_INPUT;
	} else {
		idx = chair_heater_from_string(name);
		if (idx < 0)
			return mfail(p, "unknown heater '%s'; expected lumbar or calves", name);
		if (p->heater_section[idx])
			return mfail(p, "[heater %s] is given twice (first at line %u)", name,
				     p->m->heater[idx].line);
		p->heater_section[idx] = true;
		p->m->heater[idx] = (struct chair_map_heater){ .line = p->line, .scale = 0.001 };
		p->kind = SEC_HEATER;
	}
	p->index = idx;
	return 0;
}

static int line_value(struct mparser *p, struct chair_map_line *l, const char *v)
{
	char chip[128];
	unsigned long off;
	const char *sp = strpbrk(v, " \t");

	if (!sp) {
		/* A line name, as gpioinfo shows it. */
		l->name = strdup(v);
		return l->name ? 0 : -ENOMEM;
	}
	if ((size_t)(sp - v) >= sizeof(chip))
		return mfail(p, "chip name is longer than %zu characters; write gpiochipN or a path "
				"under /dev", sizeof(chip) - 1);
	snprintf(chip, sizeof(chip), "%.*s", (int)(sp - v), v);
	if (chair_parse_ulong(chair_strip((char *)sp), &off) < 0 || off > 1023)
		return mfail(p, "line '%s' is not valid; write 'CHIP OFFSET' (such as 'gpiochip0 17') "
				"or the line's name", v);
	if (strncmp(chip, "gpiochip", 8) != 0 && chip[0] != '/')
		return mfail(p, "chip '%s' is not valid; write gpiochipN or a path under /dev", chip);
	l->chip = strdup(chip);
	l->offset = (int)off;
	return l->chip ? 0 : -ENOMEM;
}

static int line_key(struct mparser *p, bool output, const char *key, const char *v)
{
	struct chair_map_line *l = output ? &p->m->out[p->index] : &p->m->in[p->index];
	const char *what = output ? chair_output_to_string(p->index) : chair_input_to_string(p->index);
	unsigned long u;

	if (streq(key, "line"))
		return line_value(p, l, v);
	if (streq(key, "active-low")) {
		if (parse_bool(v, &l->active_low) < 0)
			return mfail(p, "active-low '%s' is not valid; write yes or no", v);
		return 0;
	}
	if (output && streq(key, "drive")) {
		if (streq(v, "push-pull"))
			l->drive = CHAIR_DRIVE_PUSH_PULL;
		else if (streq(v, "open-drain"))
			l->drive = CHAIR_DRIVE_OPEN_DRAIN;
		else if (streq(v, "open-source"))
			l->drive = CHAIR_DRIVE_OPEN_SOURCE;
		else
			return mfail(p, "drive '%s' is not valid; write push-pull, open-drain or "
					"open-source", v);
		return 0;
	}
	if (output && streq(key, "pwm")) {
		const char *sp = strpbrk(v, " \t");

		if (!is_motor(p->index))
			return mfail(p, "pwm only applies to motors; %s is switched on and off", what);
		if (!sp || strncmp(v, "pwmchip", 7) != 0 ||
		    chair_parse_ulong(chair_strip((char *)sp), &u) < 0 || u > 255)
			return mfail(p, "pwm '%s' is not valid; write 'pwmchipN CHANNEL', such as "
					"'pwmchip0 1'", v);
		l->pwm_chip = strndup(v, (size_t)(sp - v));
		l->pwm_channel = (unsigned)u;
		if (!l->pwm_period_ns)
			l->pwm_period_ns = 50000;
		return l->pwm_chip ? 0 : -ENOMEM;
	}
	if (output && streq(key, "pwm-period-ns")) {
		if (chair_parse_ulong(v, &u) < 0 || u < 1000 || u > 100000000)
			return mfail(p, "pwm-period-ns %s is out of range; expected 1000 to 100000000", v);
		l->pwm_period_ns = u;
		return 0;
	}
	if (!output && streq(key, "bias")) {
		if (streq(v, "as-is"))
			l->bias = CHAIR_BIAS_AS_IS;
		else if (streq(v, "disabled"))
			l->bias = CHAIR_BIAS_DISABLED;
		else if (streq(v, "pull-up"))
			l->bias = CHAIR_BIAS_PULL_UP;
		else if (streq(v, "pull-down"))
			l->bias = CHAIR_BIAS_PULL_DOWN;
		else
			return mfail(p, "bias '%s' is not valid; write as-is, disabled, pull-up or "
					"pull-down", v);
		return 0;
	}
	if (!output && streq(key, "debounce-us")) {
		if (chair_parse_ulong(v, &u) < 0 || u > CHAIR_MAP_MAX_DEBOUNCE_US)
			return mfail(p, "debounce-us %s is out of range; expected 0 to %d", v,
				     CHAIR_MAP_MAX_DEBOUNCE_US);
		l->debounce_us = (unsigned)u;
		return 0;
	}
	if (output && (streq(key, "bias") || streq(key, "debounce-us")))
		return mfail(p, "%s is for inputs; [output %s] takes line, active-low, drive, pwm "
				"and pwm-period-ns", key, what);
	if (!output && (streq(key, "drive") || streq(key, "pwm") || streq(key, "pwm-period-ns")))
		return mfail(p, "%s is for outputs; [input %s] takes line, active-low, bias and "
				"debounce-us", key, what);
	return mfail(p, "unknown key '%s' in [%s %s]; expected %s", key, output ? "output" : "input",
		     what, output ? "line, active-low, drive, pwm and pwm-period-ns"
				  : "line, active-low, bias and debounce-us");
}

static int heater_key(struct mparser *p, const char *key, const char *v)
{
	struct chair_map_heater *h = &p->m->heater[p->index];
	struct chair_hw *hw = &p->m->hw;
	double d;

	if (streq(key, "sensor")) {
		if (v[0] != '/')
			return mfail(p, "sensor '%s' is not an absolute path, such as "
					"/sys/class/thermal/thermal_zone0/temp", v);
		h->sensor = strdup(v);
		h->present = true;
		return h->sensor ? 0 : -ENOMEM;
	}
	if (streq(key, "scale")) {
		if (parse_double(v, &h->scale) < 0 || h->scale == 0)
			return mfail(p, "scale '%s' is not valid; it is a number such as 0.001 (the "
					"file holds millidegrees)", v);
		return 0;
	}
	if (streq(key, "offset-c")) {
		if (parse_double(v, &h->offset) < 0)
			return mfail(p, "offset-c '%s' is not a number", v);
		return 0;
	}
	if (streq(key, "max-c")) {
		if (parse_double(v, &d) < 0)
			return mfail(p, "max-c '%s' is not a number", v);
		if (d > CHAIR_HW_MAX_HEATER_C || d < 30.0)
			return mfail(p, "max-c %s is above the hard maximum of %.0f C (or below 30); "
					"the map may only lower it", v, CHAIR_HW_MAX_HEATER_C);
		hw->heater_max_c[p->index] = d;
		p->max_line[p->index] = p->line;
		return 0;
	}
	if (streq(key, "setpoints-c")) {
		double sp[3];
		int n = 0;
		char *copy = strdup(v), *save = NULL;

		if (!copy)
			return -ENOMEM;
		for (char *t = strtok_r(copy, " \t,", &save); t; t = strtok_r(NULL, " \t,", &save)) {
			if (n >= 3 || parse_double(t, &sp[n]) < 0) {
				free(copy);
				return mfail(p, "setpoints-c '%s' is not valid; give three temperatures "
						"for heat 1, 2 and 3, such as '40 45 50'", v);
			}
			n++;
		}
		free(copy);
		if (n != 3 || sp[0] >= sp[1] || sp[1] >= sp[2] || sp[0] < 25.0)
			return mfail(p, "setpoints-c '%s' is not valid; give three rising temperatures "
					"for heat 1, 2 and 3, such as '40 45 50'", v);
		for (int i = 0; i < 3; i++)
			hw->heater_setpoint_c[p->index][i] = sp[i];
		p->setpoints_given[p->index] = true;
		p->setpoints_line[p->index] = p->line;
		return 0;
	}
	return mfail(p, "unknown key '%s' in [heater %s]; expected sensor, scale, offset-c, max-c "
			"and setpoints-c", key, chair_heater_to_string(p->index));
}

static int chair_key(struct mparser *p, const char *key, const char *v)
{
	struct chair_hw *hw = &p->m->hw;
	static const struct {
		const char *key;
		size_t off;
		double lo, hi;
	} nums[] = {
		{ "track-length-mm", offsetof(struct chair_hw, track_length_mm), 200, 1500 },
		{ "mm-per-pulse", offsetof(struct chair_hw, mm_per_pulse), 0.01, 20 },
		{ "walk-speed-mm-s", offsetof(struct chair_hw, walk_speed_mm_s), 5, 500 },
		{ "depth-stroke-mm", offsetof(struct chair_hw, depth_stroke_mm), 5, 100 },
		{ "depth-speed-mm-s", offsetof(struct chair_hw, depth_speed_mm_s), 1, 200 },
		{ "recline-time-s", offsetof(struct chair_hw, recline_time_s), 1, 120 },
	};
	unsigned long u;
	double d;

	for (size_t i = 0; i < ELEMENTSOF(nums); i++) {
		if (!streq(key, nums[i].key))
			continue;
		if (parse_double(v, &d) < 0 || d < nums[i].lo || d > nums[i].hi)
			return mfail(p, "%s %s is out of range; expected %g to %g", key, v, nums[i].lo,
				     nums[i].hi);
		*(double *)((char *)hw + nums[i].off) = d;
		return 0;
	}
	if (streq(key, "max-depth")) {
		if (chair_parse_ulong(v, &u) < 0 || u > 4)
			return mfail(p, "max-depth %s is out of range; depth levels are 0 to 4", v);
		hw->max_depth = (unsigned)u;
		return 0;
	}
	if (streq(key, "max-session-min")) {
		if (chair_parse_ulong(v, &u) < 0 || u < 5 || u > 30)
			return mfail(p, "max-session-min %s is out of range; a session lasts at most 30 "
					"minutes, and the cap may only lower that (to 5 at least)", v);
		hw->max_session_usec = u * USEC_PER_MIN;
		return 0;
	}
	return mfail(p, "unknown key '%s' in [chair]; expected track-length-mm, mm-per-pulse, "
			"walk-speed-mm-s, depth-stroke-mm, depth-speed-mm-s, recline-time-s, "
			"max-depth and max-session-min", key);
}

static const char *section_name(const struct mparser *p, char *buf, size_t n)
{
	switch (p->kind) {
	case SEC_CHAIR:
		return "[chair]";
	case SEC_OUTPUT:
		snprintf(buf, n, "[output %s]", chair_output_to_string(p->index));
		return buf;
	case SEC_INPUT:
		snprintf(buf, n, "[input %s]", chair_input_to_string(p->index));
		return buf;
	case SEC_HEATER:
		snprintf(buf, n, "[heater %s]", chair_heater_to_string(p->index));
		return buf;
	case SEC_NONE:
		break;
	}
	return "the map";
}

/* A key given twice would silently move a motor to another line (the last
 * one winning), so it is an error. Keys too long to remember are unknown
 * anyway, and the section's handler says so. */
static int check_repeat(struct mparser *p, const char *key)
{
	char sec[64];

	if (strlen(key) >= MAX_KEY)
		return 0;
	for (size_t i = 0; i < p->n_keys; i++)
		if (streq(p->keys[i], key))
			return mfail(p, "'%s' is given twice in %s (first at line %u); give it once",
				     key, section_name(p, sec, sizeof(sec)), p->key_lines[i]);
	if (p->n_keys < MAX_SECTION_KEYS) {
		strcpy(p->keys[p->n_keys], key);
		p->key_lines[p->n_keys++] = p->line;
	}
	return 0;
}

static int key_line(struct mparser *p, char *s)
{
	char *eq = strchr(s, '=');
	char *key, *v;
	int r;

	if (!eq)
		return mfail(p, "expected 'key = value' or a section header such as [output walk-up]");
	*eq = '\0';
	key = chair_strip(s);
	v = chair_strip(eq + 1);
	if (!*key)
		return mfail(p, "'= %s' has no key; write 'key = value'", v);
	if (!*v)
		return mfail(p, "'%s' has no value", key);
	if (p->kind != SEC_NONE) {
		r = check_repeat(p, key);
		if (r < 0)
			return r;
	}
	switch (p->kind) {
	case SEC_NONE:
		return mfail(p, "'%s' must be inside a section such as [chair] or [output walk-up]",
			     key);
	case SEC_CHAIR:
		return chair_key(p, key, v);
	case SEC_OUTPUT:
		return line_key(p, true, key, v);
	case SEC_INPUT:
		return line_key(p, false, key, v);
	case SEC_HEATER:
		return heater_key(p, key, v);
	}
	return -EINVAL;
}

const char *chair_map_line_describe(const struct chair_map_line *l, char *buf, size_t n)
{
	if (l->chip)
		snprintf(buf, n, "%s %d", l->chip, l->offset);
	else
		snprintf(buf, n, "line '%s'", l->name ? l->name : "?");
	return buf;
}

static bool same_line(const struct chair_map_line *a, const struct chair_map_line *b)
{
	if (a->chip && b->chip) {
		const char *ca = strrchr(a->chip, '/') ? strrchr(a->chip, '/') + 1 : a->chip;
		const char *cb = strrchr(b->chip, '/') ? strrchr(b->chip, '/') + 1 : b->chip;

		return streq(ca, cb) && a->offset == b->offset;
	}
	return a->name && b->name && streq(a->name, b->name);
}

struct any_line {
	const struct chair_map_line *l;
	bool output;
	int index;
};

static const char *any_name(const struct any_line *a)
{
	return a->output ? chair_output_to_string(a->index) : chair_input_to_string(a->index);
}

static int check_map(struct mparser *p)
{
	struct chair_map *m = p->m;
	struct chair_hw *hw = &m->hw;
	struct any_line all[CHAIR_OUTPUT_COUNT + CHAIR_INPUT_COUNT];
	size_t n = 0;
	unsigned last = p->line ? p->line : 1;
	char d[160];
	/* Motors that drive to a target need both directions; a kneading
	 * motor may turn one way only. */
	static const enum chair_output pairs[][2] = {
		{ CHAIR_OUT_WALK_UP, CHAIR_OUT_WALK_DOWN },
		{ CHAIR_OUT_DEPTH_IN, CHAIR_OUT_DEPTH_OUT },
		{ CHAIR_OUT_RECLINE_UP, CHAIR_OUT_RECLINE_DOWN },
	};

	hw->outputs = hw->inputs = 0;
	memset(hw->has_pwm, 0, sizeof(hw->has_pwm));
	for (int o = 0; o < CHAIR_OUTPUT_COUNT; o++) {
		if (!m->out[o].present)
			continue;
		if (!m->out[o].chip && !m->out[o].name)
			return mfail_at(p, m->out[o].line, "[output %s] has no line; add 'line = CHIP "
						       "OFFSET' or 'line = NAME'", chair_output_to_string(o));
		hw->outputs |= UINT32_C(1) << o;
		hw->has_pwm[o] = m->out[o].pwm_chip != NULL;
		all[n++] = (struct any_line){ &m->out[o], true, o };
	}
	for (int i = 0; i < CHAIR_INPUT_COUNT; i++) {
		if (!m->in[i].present)
			continue;
		if (!m->in[i].chip && !m->in[i].name)
			return mfail_at(p, m->in[i].line, "[input %s] has no line; add 'line = CHIP "
						      "OFFSET' or 'line = NAME'", chair_input_to_string(i));
		hw->inputs |= UINT32_C(1) << i;
		all[n++] = (struct any_line){ &m->in[i], false, i };
	}
	if (!hw->outputs)
		return mfail_at(p, last, "the map names no outputs; a chair needs at least one "
					 "[output NAME] section");
	for (size_t i = 0; i < n; i++)
		for (size_t k = i + 1; k < n; k++) {
			/* Report the later use in the file. */
			size_t a = all[i].l->line < all[k].l->line ? i : k;
			size_t b = a == i ? k : i;

			if (!same_line(all[a].l, all[b].l))
				continue;
			if (all[a].output != all[b].output)
				return mfail_at(p, all[b].l->line,
						"%s is both an output (%s) and an input (%s); a line "
						"is one or the other",
						chair_map_line_describe(all[b].l, d, sizeof(d)),
						any_name(all[a].output ? &all[a] : &all[b]),
						any_name(all[a].output ? &all[b] : &all[a]));
			return mfail_at(p, all[b].l->line, "%s is used twice: by %s (line %u) and %s",
					chair_map_line_describe(all[b].l, d, sizeof(d)), any_name(&all[a]),
					all[a].l->line, any_name(&all[b]));
		}
	for (size_t i = 0; i < ELEMENTSOF(pairs); i++) {
		bool a = m->out[pairs[i][0]].present, b = m->out[pairs[i][1]].present;

		if (a != b)
			return mfail_at(p, a ? m->out[pairs[i][0]].line : m->out[pairs[i][1]].line,
					"%s has no opposite: a motor that drives one way needs %s too",
					chair_output_to_string(a ? pairs[i][0] : pairs[i][1]),
					chair_output_to_string(a ? pairs[i][1] : pairs[i][0]));
	}
	if (m->out[CHAIR_OUT_WALK_UP].present &&
	    (!m->in[CHAIR_IN_WALK_TOP].present || !m->in[CHAIR_IN_WALK_BOTTOM].present))
		return mfail_at(p, m->out[CHAIR_OUT_WALK_UP].line,
				"the walk motor needs both limit switches: add [input walk-top] and "
				"[input walk-bottom]");
	if (!m->in[CHAIR_IN_ESTOP].present)
		return mfail_at(p, last, "the map has no [input estop]: chaird must see the stop "
					 "button (which also cuts power in hardware)");
	for (int z = 0; z < CHAIR_AIR_COUNT; z++) {
		enum chair_output v = chair_air_zone_valve((enum chair_air_zone)z);

		if (m->out[v].present && !m->out[CHAIR_OUT_PUMP].present)
			return mfail_at(p, m->out[v].line, "%s needs a pump: add [output pump]",
					chair_output_to_string(v));
	}
	for (int h = 0; h < CHAIR_HEATER_COUNT; h++) {
		enum chair_output o = chair_heater_output((enum chair_heater)h);

		if (p->heater_section[h] && !m->heater[h].present)
			return mfail_at(p, m->heater[h].line, "[heater %s] has no sensor; add 'sensor = "
							      "PATH'", chair_heater_to_string((enum chair_heater)h));
		if (m->out[o].present && !m->heater[h].present)
			return mfail_at(p, m->out[o].line, "%s has no temperature sensor: add [heater "
							   "%s] with 'sensor = PATH'; a heater never runs "
							   "without one", chair_output_to_string(o),
					chair_heater_to_string((enum chair_heater)h));
		if (p->heater_section[h] && !m->out[o].present)
			return mfail_at(p, m->heater[h].line, "[heater %s] has no [output %s] to "
							      "switch it", chair_heater_to_string((enum chair_heater)h),
					chair_output_to_string(o));
		if (hw->heater_setpoint_c[h][2] > hw->heater_max_c[h] - 1.0)
			return mfail_at(p, p->setpoints_given[h] ? p->setpoints_line[h] : p->max_line[h],
					"heat 3 (%.0f C) must stay at least 1 C below max-c (%.0f C)",
					hw->heater_setpoint_c[h][2], hw->heater_max_c[h]);
	}
	return 0;
}

int chair_map_parse(const char *path, const char *text, size_t len, struct chair_map **ret,
		    char **ret_error)
{
	struct mparser p = { .path = path };
	_cleanup_free_ char *copy = NULL;
	char *save, *line;
	int r;

	p.m = calloc(1, sizeof(*p.m));
	if (!p.m)
		return -ENOMEM;
	chair_hw_default(&p.m->hw);
	p.m->path = strdup(path);
	copy = strndup(text, len);
	if (!p.m->path || !copy) {
		r = -ENOMEM;
		goto fail;
	}
	if (len > MAX_FILE || memchr(text, 0, len) || !chair_utf8_valid(text, len)) {
		r = mfail_at(&p, 1, "not a hardware map (a UTF-8 text file of at most 64 KiB)");
		goto fail;
	}
	save = copy;
	while ((line = strsep(&save, "\n"))) {
		char *hash, *s;

		p.line++;
		if (strlen(line) > MAX_LINE) {
			r = mfail(&p, "line is longer than %d characters", MAX_LINE);
			goto fail;
		}
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		s = chair_strip(line);
		if (!*s || *s == ';')
			continue;
		r = *s == '[' ? section_header(&p, s) : key_line(&p, s);
		if (r < 0)
			goto fail;
	}
	if (len && text[len - 1] == '\n')
		p.line--;
	r = check_map(&p);
	if (r < 0)
		goto fail;
	free(p.error);
	*ret = p.m;
	return 0;
fail:
	if (r == -EINVAL && ret_error)
		*ret_error = TAKE_PTR(p.error);
	free(p.error);
	chair_map_free(p.m);
	return r;
}

int chair_map_load(const char *path, struct chair_map **ret, char **ret_error)
{
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *buf = NULL;
	size_t n;

	f = fopen(path, "re");
	if (!f) {
		int r = -errno;

		if (ret_error && asprintf(ret_error, "%s: cannot open the hardware map: %s", path,
					  strerror(-r)) < 0)
			*ret_error = NULL;
		return r;
	}
	buf = malloc(MAX_FILE + 1);
	if (!buf)
		return -ENOMEM;
	n = fread(buf, 1, MAX_FILE + 1, f);
	return chair_map_parse(path, buf, n, ret, ret_error);
}

void chair_map_free(struct chair_map *m)
{
	if (!m)
		return;
	for (int o = 0; o < CHAIR_OUTPUT_COUNT; o++) {
		free(m->out[o].chip);
		free(m->out[o].name);
		free(m->out[o].pwm_chip);
	}
	for (int i = 0; i < CHAIR_INPUT_COUNT; i++) {
		free(m->in[i].chip);
		free(m->in[i].name);
	}
	for (int h = 0; h < CHAIR_HEATER_COUNT; h++)
		free(m->heater[h].sensor);
	free(m->path);
	free(m);
}
