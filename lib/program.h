/* SPDX-License-Identifier: MIT */
/**
 * @file program.h
 * @brief Massage programs: the model, the parser and the program set.
 *
 * The file format is described in docs/programs.md.
 */
#ifndef CHAIR_PROGRAM_H
#define CHAIR_PROGRAM_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chair-names.h"
#include "hw.h"

#define CHAIR_PROGRAM_MAX_LINE 512
#define CHAIR_PROGRAM_MAX_FILE (64 * 1024)
#define CHAIR_PROGRAM_MAX_STEPS 64
#define CHAIR_STEP_MIN_TIME_USEC (UINT64_C(1) * 1000000)
#define CHAIR_STEP_MAX_TIME_USEC (UINT64_C(10) * 60 * 1000000)
#define CHAIR_STEP_MAX_CYCLES 100
/* Warm-up and close together must leave room for a main phase in the
 * shortest session (5 min). */
#define CHAIR_PROGRAM_MAX_FRAME_USEC (UINT64_C(180) * 1000000)
/* A file with more problems than this is reported up to here. */
#define CHAIR_PROGRAM_MAX_ERRORS 20

enum chair_width {
	CHAIR_WIDTH_NARROW,
	CHAIR_WIDTH_MEDIUM,
	CHAIR_WIDTH_WIDE,
};

#define CHAIR_NO_POINT (-1)

struct chair_step {
	enum chair_technique technique;
	bool has_zone;
	enum chair_zone zone_top;    /**< first zone of the range */
	enum chair_zone zone_bottom; /**< last zone; equals zone_top for one zone */
	int point_pct;               /**< point within zone_top, or CHAIR_NO_POINT */
	unsigned speed;              /**< 1-5 */
	unsigned depth;              /**< 0-4, before intensity */
	enum chair_width width;
	uint64_t time_usec;          /**< 0 when the step ends by cycles */
	unsigned cycles;             /**< 0 when the step ends by time */
	uint64_t hold_usec;          /**< press: how long a point is held; 0 by speed */
	uint32_t air;                /**< bit per enum chair_air_zone */
	unsigned air_level;          /**< 1-3 */
	bool heat_given;
	uint32_t heat;               /**< bit per enum chair_heater, if heat_given */
	unsigned line;               /**< line in the program file */
};

#define CHAIR_PROGRAM_AFTERCARE_MAX 8

struct chair_program {
	unsigned refs;
	char *path;
	char *id;
	char *name;
	char *description;
	enum chair_character character;
	uint64_t duration_usec;
	unsigned heat;         /**< suggested heat level 0-3 */
	uint32_t not_for;      /**< bit per enum chair_condition */
	char **aftercare;      /**< advice after a session, a sentence each, or NULL */
	unsigned id_line;
	struct chair_step *steps[CHAIR_PHASE_COUNT];
	size_t n_steps[CHAIR_PHASE_COUNT];
};

/** One problem found in a program file. */
struct chair_diag {
	char *file;
	unsigned line;   /**< 0: the file or directory as a whole */
	char *message;   /**< a sentence that says what is wrong */
};

/** The problems found by one load, in the order they were found. */
struct chair_diags {
	struct chair_diag *v;
	size_t n;
};

/** Appends a problem. Returns -EINVAL (the input is wrong) or -ENOMEM. */
int chair_diags_add(struct chair_diags *d, const char *file, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/** Frees every entry; @p d is empty again. */
void chair_diags_clear(struct chair_diags *d);
/** "file:line: message" (or "file: message" for line 0), or NULL. */
char *chair_diag_format(const struct chair_diag *d);
/** Every entry formatted, one a line (no newline at the end), or NULL. */
char *chair_diags_join(const struct chair_diags *d);

/**
 * Parses one program file's text. On a broken file returns -EINVAL and
 * appends to @p diags every problem found, each with its line, up to
 * CHAIR_PROGRAM_MAX_ERRORS. Other negative errno values are not about the
 * file (-ENOMEM).
 */
int chair_program_parse_diags(const char *path, const char *text, size_t len,
			      struct chair_program **ret, struct chair_diags *diags);

/**
 * As chair_program_parse_diags(), with the problems in @p ret_error as
 * "path:line: message" lines, one a problem (the caller frees it).
 */
int chair_program_parse(const char *path, const char *text, size_t len,
			struct chair_program **ret, char **ret_error);

/** Reads and parses a file. Errors as chair_program_parse_diags(). */
int chair_program_load_diags(const char *path, struct chair_program **ret,
			     struct chair_diags *diags);
/** Reads and parses a file. Errors as chair_program_parse(). */
int chair_program_load(const char *path, struct chair_program **ret, char **ret_error);

struct chair_program *chair_program_ref(struct chair_program *p);
struct chair_program *chair_program_unref(struct chair_program *p);
void chair_program_unrefp(struct chair_program **p);

/** Techniques used, as a bit per enum chair_technique. */
uint32_t chair_program_techniques(const struct chair_program *p);
/** Back zones touched, as a bit per enum chair_zone. */
uint32_t chair_program_zones(const struct chair_program *p);

/**
 * Checks a program against what the hardware allows (rule 9): depth beyond
 * the mechanism, or a part the chair lacks that the program cannot skip.
 * Returns -ERANGE with a "path:line: message" error.
 */
int chair_program_check_hw(const struct chair_program *p, const struct chair_hw *hw,
			   char **ret_error);

/** Parses a duration such as "90s", "15min" or "1min30s". */
int chair_parse_duration(const char *s, uint64_t *ret_usec);

/** A set of programs loaded from directories; later directories override. */
struct chair_programs;

/**
 * Loads every *.program file of each directory, in order. A broken file is
 * skipped and its problems are listed in @p diags (which may be NULL; it
 * is filled, not appended to); the other programs stay. Returns 0, or
 * -ENOMEM.
 */
int chair_programs_load_diags(const char *const *dirs, size_t n_dirs, const struct chair_hw *hw,
			      struct chair_programs **ret, struct chair_diags *diags);

/**
 * As chair_programs_load_diags(), with the problems as "path:line: message"
 * strings in @p ret_errors (NULL-terminated, or NULL when there are none;
 * the caller frees it with chair_strv_free()).
 */
int chair_programs_load(const char *const *dirs, size_t n_dirs, const struct chair_hw *hw,
			struct chair_programs **ret, char ***ret_errors);
void chair_programs_free(struct chair_programs *ps);
size_t chair_programs_count(const struct chair_programs *ps);
struct chair_program *chair_programs_get(const struct chair_programs *ps, size_t i);
struct chair_program *chair_programs_find(const struct chair_programs *ps, const char *id);

void chair_strv_free(char **v);
size_t chair_strv_length(char *const *v);
/** Appends a formatted string to the NULL-terminated @p v (which may be
 * NULL). Returns 0, or -ENOMEM with @p v as it was. */
int chair_strv_pushf(char ***v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int chair_strv_vpushf(char ***v, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

#endif
