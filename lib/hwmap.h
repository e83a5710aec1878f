/* SPDX-License-Identifier: MIT */
/**
 * @file hwmap.h
 * @brief The hardware map: which GPIO line drives what, and the chair's
 *        mechanics and limits. INI style; see docs/porting.md.
 */
#ifndef CHAIR_HWMAP_H
#define CHAIR_HWMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "chair-names.h"
#include "hw.h"

enum chair_bias {
	CHAIR_BIAS_AS_IS,
	CHAIR_BIAS_DISABLED,
	CHAIR_BIAS_PULL_UP,
	CHAIR_BIAS_PULL_DOWN,
};

enum chair_drive {
	CHAIR_DRIVE_PUSH_PULL,
	CHAIR_DRIVE_OPEN_DRAIN,
	CHAIR_DRIVE_OPEN_SOURCE,
};

#define CHAIR_MAP_MAX_DEBOUNCE_US 100000

struct chair_map_line {
	bool present;
	char *chip;           /**< "gpiochip0" or a path; NULL when found by name */
	int offset;           /**< -1 when found by name */
	char *name;           /**< the line's name, or NULL */
	bool active_low;
	enum chair_bias bias;
	enum chair_drive drive;
	unsigned debounce_us;
	char *pwm_chip;       /**< "pwmchip0", or NULL: on/off only */
	unsigned pwm_channel;
	unsigned long pwm_period_ns;
	unsigned line;        /**< where its section starts in the map */
};

struct chair_map_heater {
	bool present;
	char *sensor;   /**< file holding the temperature */
	double scale;   /**< reading x scale + offset = degrees C */
	double offset;
	unsigned line;
};

struct chair_map {
	char *path;
	struct chair_map_line out[CHAIR_OUTPUT_COUNT];
	struct chair_map_line in[CHAIR_INPUT_COUNT];
	struct chair_map_heater heater[CHAIR_HEATER_COUNT];
	struct chair_hw hw; /**< what the map says the chair has and allows */
};

/**
 * Parses a map. On error returns -EINVAL and sets @p ret_error to
 * "path:line: message" (the caller frees it).
 */
int chair_map_parse(const char *path, const char *text, size_t len, struct chair_map **ret,
		    char **ret_error);
int chair_map_load(const char *path, struct chair_map **ret, char **ret_error);
void chair_map_free(struct chair_map *m);

/** "gpiochip0 5" or "line 'NAME'": for messages. */
const char *chair_map_line_describe(const struct chair_map_line *l, char *buf, size_t n);

#endif
