// SPDX-License-Identifier: MIT
/*
 * chair-preview: a program's session before anyone sits in the chair. It
 * runs the real engine, motion controller and safety core on the simulated
 * chair as fast as the CPU allows, then prints a summary (or JSON) and
 * draws the timeline (SVG, PNG).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "hwmap.h"
#include "macro.h"
#include "preview.h"
#include "textparse.h"

#define MAX_DIRS 16

struct args {
	const char *program;
	const char *dirs[MAX_DIRS];
	size_t n_dirs;
	const char *map;
	const char *svg, *png;
	bool json;
	struct chair_options opt;
};

static void usage(FILE *f)
{
	fputs("Usage: chair-preview PROGRAM|FILE [--minutes N] [--intensity N] [--focus Z]\n"
	      "                     [--avoid Z]... [--heat N] [--condition C]... [--config MAP]\n"
	      "                     [--json] [--svg FILE] [--png FILE] [--programs DIR]...\n\n"
	      "Runs a massage program on the simulated chair, with the real engine, motion\n"
	      "control and safety rules, as fast as it can; then prints what the session does\n"
	      "and draws its timeline. Nothing moves: no chair and no daemon are needed.\n\n"
	      "  PROGRAM          a program id, looked up in the program directories\n"
	      "  FILE             a program file (a path with a '/' or ending in .program)\n"
	      "  --minutes N      the session length, 5 to 30 (default: the program's)\n"
	      "  --intensity N    1 (softest) to 5 (firmest), default 3\n"
	      "  --focus ZONE     a back zone that gets more time\n"
	      "  --avoid ZONE     a back or air zone that gets no pressure, kneading, tapping\n"
	      "                   or air; repeat it for more zones\n"
	      "  --heat N         0 (off) to 3 (default: the program's)\n"
	      "  --condition C    nerve-pain, inflammation, pregnancy, arthritis or\n"
	      "                   recent-injury; repeat it for more\n"
	      "  --config MAP     the chair's hardware map (default: a complete chair)\n"
	      "  --json           print the summary as one JSON object\n"
	      "  --svg FILE       draw the timeline into an SVG file\n"
	      "  --png FILE       draw the timeline into a PNG file\n"
	      "  --programs DIR   look programs up in DIR (default " CHAIRD_PROGRAMS_DIR "\n"
	      "                   then " CHAIRD_PROGRAMS_ETC_DIR "); repeat it for more\n\n"
	      "Exit status: 0 when the preview ran (warnings included), 1 when the program\n"
	      "or the options are refused, 2 for a usage error.\n", f);
}

_printf_(1, 2) static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("chair-preview: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'chair-preview --help'.\n", stderr);
	return 2;
}

static int number(const char *s, unsigned long lo, unsigned long hi, const char *opt,
		  const char *hint, unsigned long *ret)
{
	if (chair_parse_ulong(s, ret) < 0 || *ret < lo || *ret > hi)
		return usage_error("%s '%s': %s", opt, s, hint);
	return 0;
}

/* The avoid list takes back zones and air zones, as Start() does. */
static int add_avoid(struct chair_options *o, const char *s)
{
	int z = chair_zone_from_string(s);

	if (z >= 0) {
		o->avoid_back |= UINT32_C(1) << z;
		return 0;
	}
	z = chair_air_zone_from_string(s);
	if (z >= 0) {
		o->avoid_air |= UINT32_C(1) << z;
		return 0;
	}
	fprintf(stderr, "chair-preview: --avoid '%s' is not a zone; use a back zone (%s) or an air "
			"zone (%s)\n", s, chair_zone_list(), chair_air_zone_list());
	return 2;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "minutes", required_argument, NULL, 'm' },
		{ "intensity", required_argument, NULL, 'i' },
		{ "focus", required_argument, NULL, 'f' },
		{ "avoid", required_argument, NULL, 'a' },
		{ "heat", required_argument, NULL, 'H' },
		{ "condition", required_argument, NULL, 'C' },
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "svg", required_argument, NULL, 's' },
		{ "png", required_argument, NULL, 'P' },
		{ "programs", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{}
	};
	unsigned long v;
	int o, r;

	chair_options_init(&a->opt);
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) >= 0) {
		r = 0;
		switch (o) {
		case 'm':
			r = number(optarg, 5, 30, "--minutes",
				   "use a whole number of minutes from 5 to 30", &v);
			a->opt.duration_usec = v * USEC_PER_MIN;
			break;
		case 'i':
			r = number(optarg, 1, 5, "--intensity", "use 1 (softest) to 5 (firmest)", &v);
			a->opt.intensity = (unsigned)v;
			break;
		case 'H':
			r = number(optarg, 0, 3, "--heat", "use 0 (off) to 3", &v);
			a->opt.heat = (int)v;
			break;
		case 'f':
			a->opt.focus = chair_zone_from_string(optarg);
			if (a->opt.focus < 0) {
				fprintf(stderr, "chair-preview: --focus '%s' is not a back zone; use one "
						"of: %s\n", optarg, chair_zone_list());
				return 2;
			}
			break;
		case 'a':
			r = add_avoid(&a->opt, optarg);
			break;
		case 'C': {
			int c = chair_condition_from_string(optarg);

			if (c < 0) {
				fprintf(stderr, "chair-preview: --condition '%s' is unknown; use one of: "
						"%s\n", optarg, chair_condition_list());
				return 2;
			}
			a->opt.conditions |= UINT32_C(1) << c;
			break;
		}
		case 'c':
			a->map = optarg;
			break;
		case 'j':
			a->json = true;
			break;
		case 's':
			a->svg = optarg;
			break;
		case 'P':
			a->png = optarg;
			break;
		case 'p':
			if (a->n_dirs >= MAX_DIRS)
				return usage_error("too many --programs directories (at most %d)", MAX_DIRS);
			a->dirs[a->n_dirs++] = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("chair-preview %s\n", CHAIRD_VERSION);
			exit(0);
		default:
			return 2;
		}
		if (r)
			return r;
	}
	if (optind != argc - 1)
		return usage_error("%s", optind >= argc ? "name one program (an id or a file)"
							: "name only one program");
	a->program = argv[optind];
	if (!a->n_dirs) {
		a->dirs[a->n_dirs++] = CHAIRD_PROGRAMS_DIR;
		a->dirs[a->n_dirs++] = CHAIRD_PROGRAMS_ETC_DIR;
	}
	return 0;
}

static bool is_file(const char *s)
{
	size_t n = strlen(s);

	return strchr(s, '/') || (n > 8 && streq(s + n - 8, ".program"));
}

/* A file, or an id from the program directories (later ones override). */
static int load_program(const struct args *a, const struct chair_hw *hw,
			struct chair_program **ret)
{
	struct chair_programs *ps = NULL;
	struct chair_program *p;
	char **errors = NULL;
	char *err = NULL;
	int r;

	if (is_file(a->program)) {
		r = chair_program_load(a->program, ret, &err);
		if (r < 0) {
			fprintf(stderr, "chair-preview: %s\n", err ? err : strerror(-r));
			free(err);
			return 1;
		}
		return 0;
	}
	r = chair_programs_load(a->dirs, a->n_dirs, hw, &ps, &errors);
	if (r < 0) {
		fprintf(stderr, "chair-preview: cannot load the programs: %s\n", strerror(-r));
		return 1;
	}
	p = chair_programs_find(ps, a->program);
	if (!p) {
		fprintf(stderr, "chair-preview: no program '%s' in", a->program);
		for (size_t i = 0; i < a->n_dirs; i++)
			fprintf(stderr, "%s %s", i ? "," : "", a->dirs[i]);
		fputs("; name one of their ids or a program file\n", stderr);
		for (char **e = errors; e && *e; e++)
			fprintf(stderr, "chair-preview: skipped %s\n", *e);
	} else {
		*ret = chair_program_ref(p);
	}
	chair_strv_free(errors);
	chair_programs_free(ps);
	return p ? 0 : 1;
}

static int load_hw(const struct args *a, struct chair_hw *ret)
{
	struct chair_map *map = NULL;
	char *err = NULL;
	int r;

	if (!a->map) {
		chair_hw_default(ret);
		return 0;
	}
	r = chair_map_load(a->map, &map, &err);
	if (r < 0) {
		fprintf(stderr, "chair-preview: %s\n", err ? err : strerror(-r));
		free(err);
		return 1;
	}
	*ret = map->hw;
	chair_map_free(map);
	return 0;
}

static const char *mmss(uint64_t usec, char *buf, size_t n)
{
	uint64_t s = (usec + USEC_PER_SEC / 2) / USEC_PER_SEC;

	snprintf(buf, n, "%2" PRIu64 ":%02" PRIu64, s / 60, s % 60);
	return buf;
}

static const char *zone_label(int z)
{
	return z < CHAIR_ZONE_COUNT ? chair_zone_to_string((enum chair_zone)z) : "off the back";
}

static void print_options_line(const struct preview *pv)
{
	const struct chair_options *o = &pv->opt;
	bool any = false;

	printf("Options:");
	if (o->focus >= 0) {
		printf(" focus %s;", chair_zone_to_string((enum chair_zone)o->focus));
		any = true;
	}
	for (int z = 0; z < CHAIR_ZONE_COUNT; z++)
		if (o->avoid_back & (UINT32_C(1) << z)) {
			printf(" avoid %s;", chair_zone_to_string((enum chair_zone)z));
			any = true;
		}
	for (int z = 0; z < CHAIR_AIR_COUNT; z++)
		if (o->avoid_air & (UINT32_C(1) << z)) {
			printf(" avoid %s (air);", chair_air_zone_to_string((enum chair_air_zone)z));
			any = true;
		}
	for (int c = 0; c < CHAIR_CONDITION_COUNT; c++)
		if (o->conditions & (UINT32_C(1) << c)) {
			printf(" %s;", chair_condition_to_string((enum chair_condition)c));
			any = true;
		}
	printf("%s\n", any ? "" : " none");
}

static void print_summary(const struct preview *pv)
{
	char a[16], b[16];

	printf("%s (%s): %s, intensity %u, heat %d\n", pv->program->name, pv->program->id,
	       mmss(pv->duration, a, sizeof(a)), pv->opt.intensity, pv->opt.heat);
	print_options_line(pv);

	printf("\nPhases:\n");
	for (int ph = 0; ph < CHAIR_PHASE_COUNT; ph++)
		if (pv->phase_start[ph] >= 0)
			printf("  %-10s starts at %s\n", chair_phase_to_string((enum chair_phase)ph),
			       mmss((uint64_t)pv->phase_start[ph], a, sizeof(a)));

	printf("\n%-20s %6s %9s %8s\n", "Where the roller is", "time", "pressing", "deepest");
	for (int z = 0; z <= CHAIR_ZONE_COUNT; z++) {
		const struct preview_zone *zn = &pv->zone[z];

		if (z == CHAIR_ZONE_COUNT && !zn->usec)
			continue;
		printf("  %-18s %6s %9s %8u\n", zone_label(z), mmss(zn->usec, a, sizeof(a)),
		       mmss(zn->pressure_usec, b, sizeof(b)), zn->max_depth);
	}
	printf("  %-18s %6s\n", "total", mmss(pv->elapsed, a, sizeof(a)));

	printf("\nTechniques:\n");
	for (int t = 0; t < CHAIR_TECHNIQUE_COUNT; t++)
		if (pv->technique_usec[t])
			printf("  %-10s %s\n", chair_technique_to_string((enum chair_technique)t),
			       mmss(pv->technique_usec[t], a, sizeof(a)));
	printf("\nDeepest: level %u of 4 at intensity %u\n", pv->max_depth, pv->opt.intensity);

	printf("\nAir (valve open, highest pressure):\n");
	for (int z = 0; z < CHAIR_AIR_COUNT; z++)
		if (chair_hw_has_air_zone(&pv->hw, (enum chair_air_zone)z))
			printf("  %-10s %s  %4.1f kPa%s\n",
			       chair_air_zone_to_string((enum chair_air_zone)z),
			       mmss(pv->air_usec[z], a, sizeof(a)), pv->air_max_kpa[z],
			       pv->policy.air_blocked & (UINT32_C(1) << z) ? "  (kept empty)" : "");

	printf("\nHeat (heater on, warmest):\n");
	for (int h = 0; h < CHAIR_HEATER_COUNT; h++)
		if (chair_hw_has_heater(&pv->hw, (enum chair_heater)h))
			printf("  %-10s %s  %4.1f \xc2\xb0" "C  (level %u)\n",
			       chair_heater_to_string((enum chair_heater)h),
			       mmss(pv->heat_usec[h], a, sizeof(a)), pv->heat_max_c[h],
			       pv->heat_level[h]);

	if (pv->adjustments && *pv->adjustments) {
		printf("\nWhat the chair changes:\n");
		for (char **adj = pv->adjustments; *adj; adj++)
			printf("  %s\n", *adj);
	}
	if (!pv->warnings) {
		printf("\nWarnings: none\n");
		return;
	}
	printf("\nWarnings:\n");
	for (char **w = pv->warnings; *w; w++)
		printf("  %s\n", *w);
}

static void json_str(const char *s)
{
	putchar('"');
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '"' || *c == '\\')
			printf("\\%c", *c);
		else if (*c < 0x20)
			printf("\\u%04x", *c);
		else
			putchar(*c);
	}
	putchar('"');
}

static double secs(uint64_t usec)
{
	return (double)usec / (double)USEC_PER_SEC;
}

static void json_names(const char *key, uint32_t mask, int count, const char *(*name)(int))
{
	bool first = true;

	printf(",\"%s\":[", key);
	for (int i = 0; i < count; i++)
		if (mask & (UINT32_C(1) << i)) {
			printf("%s", first ? "" : ",");
			json_str(name(i));
			first = false;
		}
	printf("]");
}

static const char *zone_name(int i)
{
	return chair_zone_to_string((enum chair_zone)i);
}

static const char *air_name(int i)
{
	return chair_air_zone_to_string((enum chair_air_zone)i);
}

static const char *condition_name(int i)
{
	return chair_condition_to_string((enum chair_condition)i);
}

static void print_json(const struct preview *pv)
{
	const struct chair_options *o = &pv->opt;
	bool first;

	printf("{\"program\":");
	json_str(pv->program->id);
	printf(",\"name\":");
	json_str(pv->program->name);
	printf(",\"description\":");
	json_str(pv->program->description ? pv->program->description : "");
	printf(",\"character\":");
	json_str(chair_character_to_string(pv->program->character));
	printf(",\"duration_s\":%.2f,\"elapsed_s\":%.2f,\"intensity\":%u,\"heat\":%d,\"focus\":",
	       secs(pv->duration), secs(pv->elapsed), o->intensity, o->heat);
	if (o->focus >= 0)
		json_str(zone_name(o->focus));
	else
		printf("null");
	json_names("avoid", o->avoid_back, CHAIR_ZONE_COUNT, zone_name);
	json_names("avoid_air", o->avoid_air, CHAIR_AIR_COUNT, air_name);
	json_names("conditions", o->conditions, CHAIR_CONDITION_COUNT, condition_name);

	printf(",\"phases\":{");
	first = true;
	for (int ph = 0; ph < CHAIR_PHASE_COUNT; ph++)
		if (pv->phase_start[ph] >= 0) {
			printf("%s\"%s\":%.2f", first ? "" : ",",
			       chair_phase_to_string((enum chair_phase)ph),
			       secs((uint64_t)pv->phase_start[ph]));
			first = false;
		}
	printf("},\"zones\":{");
	for (int z = 0; z <= CHAIR_ZONE_COUNT; z++)
		printf("%s\"%s\":{\"seconds\":%.2f,\"pressure_s\":%.2f,\"max_depth\":%u}",
		       z ? "," : "", z < CHAIR_ZONE_COUNT ? zone_name(z) : "none",
		       secs(pv->zone[z].usec), secs(pv->zone[z].pressure_usec), pv->zone[z].max_depth);
	printf("},\"techniques\":{");
	first = true;
	for (int t = 0; t < CHAIR_TECHNIQUE_COUNT; t++)
		if (pv->technique_usec[t]) {
			printf("%s\"%s\":%.2f", first ? "" : ",",
			       chair_technique_to_string((enum chair_technique)t),
			       secs(pv->technique_usec[t]));
			first = false;
		}
	printf("},\"max_depth\":%u,\"air\":{", pv->max_depth);
	first = true;
	for (int z = 0; z < CHAIR_AIR_COUNT; z++)
		if (chair_hw_has_air_zone(&pv->hw, (enum chair_air_zone)z)) {
			printf("%s\"%s\":{\"seconds\":%.2f,\"max_kpa\":%.1f}", first ? "" : ",",
			       air_name(z), secs(pv->air_usec[z]), pv->air_max_kpa[z]);
			first = false;
		}
	printf("},\"heat_by_heater\":{");
	first = true;
	for (int h = 0; h < CHAIR_HEATER_COUNT; h++)
		if (chair_hw_has_heater(&pv->hw, (enum chair_heater)h)) {
			printf("%s\"%s\":{\"seconds\":%.2f,\"level\":%u,\"max_c\":%.1f}",
			       first ? "" : ",", chair_heater_to_string((enum chair_heater)h),
			       secs(pv->heat_usec[h]), pv->heat_level[h], pv->heat_max_c[h]);
			first = false;
		}
	printf("},\"faults\":[");
	first = true;
	for (int f = 0; f < CHAIR_FAULT_COUNT; f++)
		if (pv->faults & (UINT32_C(1) << f)) {
			printf("%s", first ? "" : ",");
			json_str(chair_fault_to_string((enum chair_fault)f));
			first = false;
		}
	printf("],\"adjustments\":[");
	for (char **a = pv->adjustments; a && *a; a++) {
		printf("%s", a == pv->adjustments ? "" : ",");
		json_str(*a);
	}
	printf("],\"warnings\":[");
	for (char **w = pv->warnings; w && *w; w++) {
		printf("%s", w == pv->warnings ? "" : ",");
		json_str(*w);
	}
	printf("]}\n");
}

static int draw(const struct preview *pv, const char *path,
		int (*write)(const struct preview *, const char *))
{
	int r = write(pv, path);

	if (r < 0) {
		fprintf(stderr, "chair-preview: cannot write %s: %s\n", path, strerror(-r));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct args a = { 0 };
	struct chair_hw hw;
	struct chair_program *p = NULL;
	struct preview *pv = NULL;
	char *err = NULL;
	int r;

	r = parse_args(argc, argv, &a);
	if (r)
		return r;
	r = load_hw(&a, &hw);
	if (r == 0)
		r = load_program(&a, &hw, &p);
	if (r)
		return r;
	r = preview_run(p, &a.opt, &hw, &pv, &err);
	chair_program_unref(p);
	if (r < 0) {
		fprintf(stderr, "chair-preview: %s\n", err ? err : strerror(-r));
		free(err);
		return 1;
	}
	if (a.json)
		print_json(pv);
	else if (!a.svg && !a.png)
		print_summary(pv);
	r = 0;
	if (a.svg)
		r |= draw(pv, a.svg, preview_write_svg);
	if (a.png)
		r |= draw(pv, a.png, preview_write_png);
	preview_free(pv);
	return r;
}
