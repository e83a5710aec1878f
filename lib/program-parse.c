// SPDX-License-Identifier: MIT
/*
 * The program file parser. It reads a line at a time and never gives up
 * silently: every rejection names the line and says what is allowed.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "macro.h"
#include "program.h"
#include "quote.h"
#include "textparse.h"

struct parser {
	const char *path;
	unsigned line;
	struct chair_diags *diags;
	size_t n_errors;
	struct chair_program *p;
	int phase; /* -1 before the first [phase] header */
	bool skip_section; /* its header was wrong: its steps are not read */
	bool seen_phase[CHAIR_PHASE_COUNT];
	bool seen_key[8];
	size_t alloc[CHAIR_PHASE_COUNT];
};

enum header_key {
	KEY_ID,
	KEY_NAME,
	KEY_DESCRIPTION,
	KEY_CHARACTER,
	KEY_DURATION,
	KEY_HEAT,
	KEY_NOT_FOR,
	KEY_AFTERCARE,
	KEY_COUNT
};

static const char *const header_keys[KEY_COUNT] = {
	[KEY_ID] = "id",
	[KEY_NAME] = "name",
	[KEY_DESCRIPTION] = "description",
	[KEY_CHARACTER] = "character",
	[KEY_DURATION] = "duration",
	[KEY_HEAT] = "heat",
	[KEY_NOT_FOR] = "not-for",
	[KEY_AFTERCARE] = "aftercare",
};

_printf_(3, 4) static int fail_at(struct parser *ps, unsigned line, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	ps->n_errors++;
	return chair_diags_add(ps->diags, ps->path, line, "%s", msg);
}

#define fail(ps, ...) fail_at(ps, (ps)->line, __VA_ARGS__)

int chair_parse_duration(const char *s, uint64_t *ret_usec)
{
	uint64_t total = 0;
	bool any = false;

	if (!s || !*s)
		return -EINVAL;
	while (*s) {
		char *end;
		unsigned long v;
		uint64_t unit;

		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno || v > 100000)
			return -ERANGE;
		if (strncmp(end, "min", 3) == 0) {
			unit = USEC_PER_MIN;
			end += 3;
		} else if (*end == 's') {
			unit = USEC_PER_SEC;
			end += 1;
		} else {
			return -EINVAL;
		}
		total += v * unit;
		any = true;
		s = end;
	}
	if (!any)
		return -EINVAL;
	*ret_usec = total;
	return 0;
}

static int parse_uint(const char *s, unsigned *ret)
{
	unsigned long v;

	if (chair_parse_ulong(s, &v) < 0 || v > 1000000)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

static bool valid_id(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64 || s[0] == '-')
		return false;
	for (const char *c = s; *c; c++)
		if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '-'))
			return false;
	return true;
}

static int parse_list(struct parser *ps, const char *value, const char *what,
		      int (*lookup)(const char *), const char *allowed, uint32_t *ret)
{
	_cleanup_free_ char *copy = strdup(value);
	uint32_t mask = 0;
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *tok = strtok_r(copy, ",+", &save); tok; tok = strtok_r(NULL, ",+", &save)) {
		char *t = chair_strip(tok);
		int v;

		if (!*t)
			continue;
		v = lookup(t);
		if (v < 0)
			return fail(ps, "unknown %s '%s'; expected one of: %s", what, t, allowed);
		mask |= UINT32_C(1) << v;
	}
	if (!mask)
		return fail(ps, "'%s' names no %s; expected one or more of: %s", value, what, allowed);
	*ret = mask;
	return 0;
}

static int header_line(struct parser *ps, char *line)
{
	struct chair_program *p = ps->p;
	char *eq = strchr(line, '=');
	char *key, *value;
	int k = -1;
	int r;

	if (!eq)
		return fail(ps, "expected 'key = value' or a phase header such as [main], got '%s'", line);
	*eq = '\0';
	key = chair_strip(line);
	value = chair_strip(eq + 1);
	if (strpbrk(key, " \t")) {
		char first[32];

		snprintf(first, sizeof(first), "%.*s", (int)strcspn(key, " \t"), key);
		if (chair_technique_from_string(first) >= 0)
			return fail(ps, "a step must follow a phase header ([warm-up], [main] or "
					"[close])");
		return fail(ps, "expected 'key = value' or a phase header such as [main], got "
				"'%s'", key);
	}
	for (int i = 0; i < KEY_COUNT; i++)
		if (streq(key, header_keys[i]))
			k = i;
	if (k < 0)
		return fail(ps, "unknown key '%s'; expected one of: id, name, description, character, "
				"duration, heat, not-for, aftercare", key);
	if (ps->phase >= 0)
		return fail(ps, "'%s' must come before the first phase header", key);
	if (!*value)
		return fail(ps, "'%s' has no value", key);
	if (ps->seen_key[k] && k != KEY_DESCRIPTION && k != KEY_AFTERCARE)
		return fail(ps, "'%s' is given twice", key);
	ps->seen_key[k] = true;

	switch ((enum header_key)k) {
	case KEY_ID:
		if (!valid_id(value))
			return fail(ps, "id '%s' is not valid; use 1-64 lower-case letters, digits "
					"and '-', such as 'deep-tissue'", value);
		p->id = strdup(value);
		p->id_line = ps->line;
		return p->id ? 0 : -ENOMEM;
	case KEY_NAME:
		if (strlen(value) > 64)
			return fail(ps, "name is longer than 64 characters");
		p->name = strdup(value);
		return p->name ? 0 : -ENOMEM;
	case KEY_DESCRIPTION: {
		/* Repeated description lines join into one paragraph. */
		char *d;

		if (p->description) {
			if (asprintf(&d, "%s %s", p->description, value) < 0)
				return -ENOMEM;
			free(p->description);
		} else {
			d = strdup(value);
			if (!d)
				return -ENOMEM;
		}
		p->description = d;
		if (strlen(d) > 1024)
			return fail(ps, "description is longer than 1024 characters");
		return 0;
	}
	case KEY_AFTERCARE: {
		/* One sentence of advice a line, after the session. */
		size_t n = chair_strv_length(p->aftercare);
		char **v;

		if (n >= CHAIR_PROGRAM_AFTERCARE_MAX)
			return fail(ps, "at most %d aftercare lines", CHAIR_PROGRAM_AFTERCARE_MAX);
		if (strlen(value) > 200)
			return fail(ps, "an aftercare line is longer than 200 characters");
		v = realloc(p->aftercare, (n + 2) * sizeof(char *));
		if (!v)
			return -ENOMEM;
		p->aftercare = v;
		v[n + 1] = NULL;
		v[n] = strdup(value);
		return v[n] ? 0 : -ENOMEM;
	}
	case KEY_CHARACTER:
		r = chair_character_from_string(value);
		if (r < 0)
			return fail(ps, "unknown character '%s'; expected sedative, neutral or "
					"stimulating", value);
		p->character = (enum chair_character)r;
		return 0;
	case KEY_DURATION:
		if (chair_parse_duration(value, &p->duration_usec) < 0)
			return fail(ps, "duration '%s' is not a duration; write it like 15min or "
					"20min30s", value);
		if (p->duration_usec < CHAIR_HW_MIN_SESSION_USEC ||
		    p->duration_usec > CHAIR_HW_MAX_SESSION_USEC)
			return fail(ps, "duration %s is out of range; a session lasts 5min to 30min",
				    value);
		return 0;
	case KEY_HEAT:
		if (parse_uint(value, &p->heat) < 0 || p->heat > 3)
			return fail(ps, "heat '%s' is out of range; expected 0 (off) to 3", value);
		return 0;
	case KEY_NOT_FOR:
		return parse_list(ps, value, "condition", chair_condition_from_string,
				  chair_condition_list(), &p->not_for);
	case KEY_COUNT:
		break;
	}
	return -EINVAL;
}

static int phase_header(struct parser *ps, char *line)
{
	char *end = strchr(line, ']');
	char *name;
	int ph;

	if (!end || chair_strip(end + 1)[0])
		return fail(ps, "a phase header looks like [warm-up], [main] or [close]");
	*end = '\0';
	name = chair_strip(line + 1);
	ph = chair_phase_from_string(name);
	if (ph < 0)
		return fail(ps, "unknown phase '%s'; expected warm-up, main or close", name);
	if (ps->seen_phase[ph])
		return fail(ps, "phase [%s] is given twice", name);
	if (ph < ps->phase)
		return fail(ps, "phase [%s] is out of order; phases go warm-up, main, close", name);
	ps->seen_phase[ph] = true;
	ps->phase = ph;
	return 0;
}

static int parse_zone(struct parser *ps, struct chair_step *st, char *tok)
{
	char *dots = strstr(tok, "..");
	char *at = strchr(tok, '@');
	int a, b;

	st->has_zone = true;
	st->point_pct = CHAIR_NO_POINT;
	if (dots && at)
		return fail(ps, "'%s' mixes a range and a point; give one or the other", tok);
	if (at) {
		unsigned pct;
		char *pcts = at + 1;
		size_t n = strlen(pcts);

		*at = '\0';
		if (n == 0 || pcts[n - 1] != '%')
			return fail(ps, "a point is written zone@N%%, such as mid-back@50%%");
		pcts[n - 1] = '\0';
		if (parse_uint(pcts, &pct) < 0 || pct > 100)
			return fail(ps, "point %s%% is out of range; expected 0%% (top of the zone) "
					"to 100%% (bottom)", pcts);
		st->point_pct = (int)pct;
	}
	if (dots) {
		*dots = '\0';
		a = chair_zone_from_string(tok);
		b = chair_zone_from_string(dots + 2);
		if (a < 0 || b < 0)
			return fail(ps, "unknown zone '%s'; expected one of: %s",
				    a < 0 ? tok : dots + 2, chair_zone_list());
		if (a > b)
			return fail(ps, "range '%s..%s' is reversed; write it from top to bottom: "
					"'%s..%s'", tok, dots + 2, dots + 2, tok);
	} else {
		a = b = chair_zone_from_string(tok);
		if (a < 0)
			return fail(ps, "unknown zone '%s'; expected one of: %s", tok,
				    chair_zone_list());
	}
	st->zone_top = (enum chair_zone)a;
	st->zone_bottom = (enum chair_zone)b;
	return 0;
}

static bool technique_uses_roller(enum chair_technique t)
{
	return t != CHAIR_TECH_COMPRESS && t != CHAIR_TECH_STRETCH && t != CHAIR_TECH_REST;
}

enum step_key {
	OPT_SPEED,
	OPT_DEPTH,
	OPT_WIDTH,
	OPT_TIME,
	OPT_CYCLES,
	OPT_HOLD,
	OPT_AIR,
	OPT_PRESSURE,
	OPT_HEAT,
	OPT_COUNT
};

static const char *const step_keys[OPT_COUNT] = {
	[OPT_SPEED] = "speed", [OPT_DEPTH] = "depth",   [OPT_WIDTH] = "width",
	[OPT_TIME] = "time",   [OPT_CYCLES] = "cycles", [OPT_HOLD] = "hold",
	[OPT_AIR] = "air",     [OPT_PRESSURE] = "pressure", [OPT_HEAT] = "heat",
};

#define SEEN(k) (1u << (k))

/* @p seen collects the options given on this step, so that none is given
 * twice (the last one would silently win). */
static int step_option(struct parser *ps, struct chair_step *st, char *tok, unsigned *seen)
{
	char *eq = strchr(tok, '=');
	const char *key, *value;
	int k = -1;
	int r;

	if (!eq)
		return fail(ps, "'%s' is not an option; options look like speed=3", tok);
	*eq = '\0';
	key = tok;
	value = eq + 1;
	if (!*key)
		return fail(ps, "'=%s' has no option name; options look like speed=3", value);
	for (int i = 0; i < OPT_COUNT; i++)
		if (streq(key, step_keys[i]))
			k = i;
	if (k < 0)
		return fail(ps, "unknown option '%s'; expected speed, depth, width, time, cycles, "
				"hold, air, pressure or heat", key);
	if (*seen & SEEN(k))
		return fail(ps, "option '%s' is given twice on this step; give it once", key);
	*seen |= SEEN(k);
	if (!*value)
		return fail(ps, "option '%s' has no value", key);

	if (streq(key, "speed")) {
		if (parse_uint(value, &st->speed) < 0 || st->speed < 1 || st->speed > 5)
			return fail(ps, "speed %s is out of range; expected 1 (slowest) to 5", value);
	} else if (streq(key, "depth")) {
		if (parse_uint(value, &st->depth) < 0 || st->depth > 4)
			return fail(ps, "depth %s is out of range; expected 0 (surface) to 4 (deepest)",
				    value);
	} else if (streq(key, "width")) {
		if (streq(value, "narrow"))
			st->width = CHAIR_WIDTH_NARROW;
		else if (streq(value, "medium"))
			st->width = CHAIR_WIDTH_MEDIUM;
		else if (streq(value, "wide"))
			st->width = CHAIR_WIDTH_WIDE;
		else
			return fail(ps, "width '%s' is unknown; expected narrow, medium or wide", value);
	} else if (streq(key, "time")) {
		if (chair_parse_duration(value, &st->time_usec) < 0)
			return fail(ps, "time '%s' is not a duration; write it like 45s or 2min", value);
		if (st->time_usec < CHAIR_STEP_MIN_TIME_USEC || st->time_usec > CHAIR_STEP_MAX_TIME_USEC)
			return fail(ps, "time %s is out of range; a step lasts 1s to 10min", value);
	} else if (streq(key, "cycles")) {
		if (parse_uint(value, &st->cycles) < 0 || st->cycles < 1 ||
		    st->cycles > CHAIR_STEP_MAX_CYCLES)
			return fail(ps, "cycles %s is out of range; expected 1 to %d", value,
				    CHAIR_STEP_MAX_CYCLES);
	} else if (streq(key, "hold")) {
		if (chair_parse_duration(value, &st->hold_usec) < 0)
			return fail(ps, "hold '%s' is not a duration; write it like 30s", value);
		if (st->hold_usec < 2 * USEC_PER_SEC || st->hold_usec > 90 * USEC_PER_SEC)
			return fail(ps, "hold %s is out of range; a point is held 2s to 90s", value);
	} else if (streq(key, "air")) {
		r = parse_list(ps, value, "air zone", chair_air_zone_from_string,
			       chair_air_zone_list(), &st->air);
		if (r < 0)
			return r;
	} else if (streq(key, "pressure")) {
		if (parse_uint(value, &st->air_level) < 0 || st->air_level < 1 || st->air_level > 3)
			return fail(ps, "pressure %s is out of range; expected 1 (soft) to 3 (firm)",
				    value);
	} else if (streq(key, "heat")) {
		st->heat_given = true;
		if (streq(value, "off")) {
			st->heat = 0;
		} else if (streq(value, "all")) {
			st->heat = (UINT32_C(1) << CHAIR_HEATER_COUNT) - 1;
		} else {
			r = parse_list(ps, value, "heater", chair_heater_from_string,
				       "lumbar, calves, all, off", &st->heat);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int check_step(struct parser *ps, struct chair_step *st, unsigned seen)
{
	bool seen_depth = seen & SEEN(OPT_DEPTH), seen_air_level = seen & SEEN(OPT_PRESSURE);
	const char *tn = chair_technique_to_string(st->technique);
	bool roller = technique_uses_roller(st->technique);

	if (roller && !st->has_zone)
		return fail(ps, "%s needs a zone or range, such as 'shoulders' or "
				"'upper-back..lower-back'", tn);
	if (!roller && st->has_zone)
		return fail(ps, "%s does not use the roller, so it takes no back zone; "
				"give air=ZONES instead", tn);
	if (!roller && seen_depth)
		return fail(ps, "%s does not use the roller, so it takes no depth", tn);
	if (st->technique == CHAIR_TECH_GLIDE && st->point_pct != CHAIR_NO_POINT)
		return fail(ps, "glide travels along a zone or range, not to a point");
	if (st->hold_usec && st->technique != CHAIR_TECH_PRESS)
		return fail(ps, "hold= only applies to press");
	if (st->technique == CHAIR_TECH_COMPRESS && !st->air)
		return fail(ps, "compress needs air=ZONES, such as air=calves+feet");
	if (st->technique == CHAIR_TECH_REST && (st->air || st->cycles))
		return fail(ps, "rest takes only time=DURATION");
	if (seen_air_level && !st->air && st->technique != CHAIR_TECH_STRETCH)
		return fail(ps, "pressure= needs air=ZONES on the same step");
	if (!st->time_usec && !st->cycles)
		return fail(ps, "step has no end; add time=DURATION (such as time=60s) or "
				"cycles=N");
	if (st->time_usec && st->cycles)
		return fail(ps, "step gives both time= and cycles=; give one");
	if (st->technique == CHAIR_TECH_STRETCH && !st->air)
		st->air = (UINT32_C(1) << CHAIR_AIR_CALVES) | (UINT32_C(1) << CHAIR_AIR_FEET);
	return 0;
}

static int step_line(struct parser *ps, char *line)
{
	struct chair_program *p = ps->p;
	struct chair_step st = {
		.speed = 3,
		.width = CHAIR_WIDTH_MEDIUM,
		.air_level = 2,
		.point_pct = CHAIR_NO_POINT,
		.line = ps->line,
	};
	unsigned seen = 0;
	char *save = NULL;
	char *tok;
	int r;

	if (ps->phase < 0)
		return fail(ps, "a step must follow a phase header ([warm-up], [main] or [close])");
	tok = strtok_r(line, " \t=", &save);
	if (!tok)
		return fail(ps, "a step starts with a technique, such as 'knead shoulders "
				"time=60s'; expected one of: %s", chair_technique_list());
	r = chair_technique_from_string(tok);
	if (r < 0) {
		for (int k = 0; k < KEY_COUNT; k++)
			if (streq(tok, header_keys[k]))
				return fail(ps, "'%s' must come before the first phase header", tok);
		return fail(ps, "unknown technique '%s'; expected one of: %s", tok,
			    chair_technique_list());
	}
	st.technique = (enum chair_technique)r;

	while ((tok = strtok_r(NULL, " \t", &save))) {
		if (!strchr(tok, '=')) {
			if (st.has_zone)
				return fail(ps, "'%s' is a second zone; give one zone or a range "
						"such as neck..shoulders", tok);
			if (!technique_uses_roller(st.technique))
				return fail(ps, "%s does not use the roller, so it takes no back "
						"zone; give air=ZONES instead",
					    chair_technique_to_string(st.technique));
			r = parse_zone(ps, &st, tok);
		} else {
			r = step_option(ps, &st, tok, &seen);
		}
		if (r < 0)
			return r;
	}
	r = check_step(ps, &st, seen);
	if (r < 0)
		return r;

	if (p->n_steps[ps->phase] >= CHAIR_PROGRAM_MAX_STEPS)
		return fail(ps, "phase has more than %d steps", CHAIR_PROGRAM_MAX_STEPS);
	if (p->n_steps[ps->phase] == ps->alloc[ps->phase]) {
		size_t n = ps->alloc[ps->phase] ? ps->alloc[ps->phase] * 2 : 8;
		struct chair_step *v = realloc(p->steps[ps->phase], n * sizeof(*v));

		if (!v)
			return -ENOMEM;
		p->steps[ps->phase] = v;
		ps->alloc[ps->phase] = n;
	}
	p->steps[ps->phase][p->n_steps[ps->phase]++] = st;
	return 0;
}

/* Rejects what is not a text file before any line is looked at. */
static int check_text(struct parser *ps, const char *text, size_t len)
{
	unsigned line = 1;

	if (len == 0)
		return fail_at(ps, 1, "file is empty; a program needs id, name, description, "
				      "duration and a [main] phase");
	if (len > CHAIR_PROGRAM_MAX_FILE)
		return fail_at(ps, 1, "file is larger than %d KiB; is it a program file?",
			       CHAIR_PROGRAM_MAX_FILE / 1024);
	for (size_t i = 0, col = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '\n') {
			line++;
			col = 0;
			continue;
		}
		if (c == 0 || (c < 0x20 && c != '\t' && c != '\r'))
			return fail_at(ps, line, "not a text file (control byte 0x%02x); program "
						 "files are plain UTF-8 text", c);
		if (++col > CHAIR_PROGRAM_MAX_LINE)
			return fail_at(ps, line, "line is longer than %d characters",
				       CHAIR_PROGRAM_MAX_LINE);
	}
	if (!chair_utf8_valid(text, len)) {
		/* Find the line for the message. */
		line = 1;
		for (size_t i = 0, start = 0; i <= len; i++) {
			if (i == len || text[i] == '\n') {
				if (!chair_utf8_valid(text + start, i - start))
					break;
				line++;
				start = i + 1;
			}
		}
		return fail_at(ps, line, "not a text file (invalid UTF-8); program files are "
					 "plain UTF-8 text");
	}
	return 0;
}

static uint64_t frame_usec(const struct chair_program *p)
{
	uint64_t t = 0;

	for (int ph = CHAIR_PHASE_WARM_UP; ph <= CHAIR_PHASE_CLOSE; ph += 2)
		for (size_t i = 0; i < p->n_steps[ph]; i++)
			t += p->steps[ph][i].time_usec;
	return t;
}

static int check_program(struct parser *ps)
{
	struct chair_program *p = ps->p;
	unsigned last = ps->line ? ps->line : 1;
	static const enum header_key required[] = { KEY_ID, KEY_NAME, KEY_DESCRIPTION, KEY_DURATION };

	for (size_t i = 0; i < ELEMENTSOF(required); i++)
		if (!ps->seen_key[required[i]])
			return fail_at(ps, last, "program has no '%s'; add '%s = ...' before the "
						 "first phase", header_keys[required[i]],
				       header_keys[required[i]]);
	if (p->n_steps[CHAIR_PHASE_MAIN] == 0)
		return fail_at(ps, last, "program has no steps in [main]; the main phase is what "
					 "loops to fill the session");
	for (int ph = CHAIR_PHASE_WARM_UP; ph <= CHAIR_PHASE_CLOSE; ph += 2)
		for (size_t i = 0; i < p->n_steps[ph]; i++)
			if (p->steps[ph][i].cycles)
				return fail_at(ps, p->steps[ph][i].line,
					       "steps in [%s] must end by time= so the session can "
					       "end on time", chair_phase_to_string(ph));
	if (frame_usec(p) > CHAIR_PROGRAM_MAX_FRAME_USEC)
		return fail_at(ps, last, "warm-up and close together last longer than 3min; the "
					 "shortest session (5min) needs room for the main phase");
	return 0;
}

/* One line; a problem is recorded in ps->diags and the next line is read. */
static int parse_line(struct parser *ps, char *line)
{
	char *hash = strchr(line, '#');
	char *s;
	int r;

	if (hash)
		*hash = '\0';
	s = chair_strip(line);
	if (!*s)
		return 0;
	if (*s == '[') {
		r = phase_header(ps, s);
		/* The steps under a wrong header would only repeat the problem. */
		ps->skip_section = r == -EINVAL;
		return r;
	}
	if (ps->skip_section)
		return 0;
	if (ps->phase >= 0)
		return step_line(ps, s);
	return header_line(ps, s);
}

int chair_program_parse_diags(const char *path, const char *text, size_t len,
			      struct chair_program **ret, struct chair_diags *diags)
{
	struct chair_diags none = { 0 };
	struct parser ps = { .path = path, .phase = -1, .diags = diags ? diags : &none };
	_cleanup_free_ char *copy = NULL;
	char *save = NULL, *line;
	int r;

	ps.p = calloc(1, sizeof(*ps.p));
	if (!ps.p)
		return -ENOMEM;
	ps.p->refs = 1;
	ps.p->character = CHAIR_CHARACTER_NEUTRAL;
	ps.p->path = strdup(path);
	if (!ps.p->path) {
		r = -ENOMEM;
		goto fail;
	}
	r = check_text(&ps, text, len);
	if (r < 0)
		goto fail;
	copy = strndup(text, len);
	if (!copy) {
		r = -ENOMEM;
		goto fail;
	}

	/* strsep keeps empty lines so line numbers stay right. */
	save = copy;
	while ((line = strsep(&save, "\n"))) {
		ps.line++;
		r = parse_line(&ps, line);
		if (r == -ENOMEM)
			goto fail;
		if (ps.n_errors >= CHAIR_PROGRAM_MAX_ERRORS && save) {
			r = fail(&ps, "too many problems; the rest of the file was not read");
			goto fail;
		}
	}
	if (ps.n_errors) {
		r = -EINVAL;
		goto fail;
	}
	if (ps.line > 0 && text[len - 1] == '\n')
		ps.line--;
	r = check_program(&ps);
	if (r < 0)
		goto fail;
	chair_diags_clear(&none);
	*ret = ps.p;
	return 0;
fail:
	chair_diags_clear(&none);
	chair_program_unref(ps.p);
	return r;
}

int chair_program_parse(const char *path, const char *text, size_t len,
			struct chair_program **ret, char **ret_error)
{
	struct chair_diags d = { 0 };
	int r = chair_program_parse_diags(path, text, len, ret, &d);

	if (r == -EINVAL && ret_error)
		*ret_error = chair_diags_join(&d);
	chair_diags_clear(&d);
	return r;
}

int chair_program_load_diags(const char *path, struct chair_program **ret,
			     struct chair_diags *diags)
{
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *buf = NULL;
	size_t n;

	f = fopen(path, "re");
	if (!f)
		return chair_diags_add(diags, path, 0, "cannot open the file: %s", strerror(errno));
	buf = malloc(CHAIR_PROGRAM_MAX_FILE + 1);
	if (!buf)
		return -ENOMEM;
	n = fread(buf, 1, CHAIR_PROGRAM_MAX_FILE + 1, f);
	if (ferror(f))
		return chair_diags_add(diags, path, 0, "cannot read the file: %s", strerror(errno));
	return chair_program_parse_diags(path, buf, n, ret, diags);
}

int chair_program_load(const char *path, struct chair_program **ret, char **ret_error)
{
	struct chair_diags d = { 0 };
	int r = chair_program_load_diags(path, ret, &d);

	if (r == -EINVAL && ret_error)
		*ret_error = chair_diags_join(&d);
	chair_diags_clear(&d);
	return r;
}
