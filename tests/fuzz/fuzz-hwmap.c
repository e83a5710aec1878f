// SPDX-License-Identifier: MIT
/* The hardware-map parser. A map that parses is described the way
 * chaird --check does, and the built-in limits it sets are checked. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hwmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chair_map *m = NULL;
	char *err = NULL;
	char buf[160];
	int r;

	r = chair_map_parse("fuzz.conf", (const char *)data, size, &m, &err);
	if (r < 0) {
		if (r == -EINVAL && (!err || strncmp(err, "fuzz.conf:", 10) != 0))
			abort();
		free(err);
		return 0;
	}
	for (int o = 0; o < CHAIR_OUTPUT_COUNT; o++)
		if (m->out[o].present)
			chair_map_line_describe(&m->out[o], buf, sizeof(buf));
	for (int i = 0; i < CHAIR_INPUT_COUNT; i++)
		if (m->in[i].present)
			chair_map_line_describe(&m->in[i], buf, sizeof(buf));
	/* Rule 9: a map may only lower the limits. */
	for (int h = 0; h < CHAIR_HEATER_COUNT; h++)
		if (m->hw.heater_max_c[h] > CHAIR_HW_MAX_HEATER_C)
			abort();
	if (m->hw.max_depth > 4 || m->hw.max_session_usec > CHAIR_HW_MAX_SESSION_USEC)
		abort();
	chair_map_free(m);
	return 0;
}
