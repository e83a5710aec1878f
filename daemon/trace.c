// SPDX-License-Identifier: MIT
#include <inttypes.h>

#include "trace.h"

void trace_write(FILE *f, uint64_t t_usec, enum chair_state state, int step, int zone,
		 double position_mm, unsigned depth, const struct chair_outputs *c,
		 const struct chair_hw *hw, const struct chair_temp temps[CHAIR_HEATER_COUNT],
		 const struct trace_timing *timing)
{
	const char *sep = "";

	fprintf(f, "{\"t_usec\":%" PRIu64 ",\"state\":\"%s\",\"step\":\"%s\",\"zone\":\"%s\","
		   "\"position_mm\":%.1f,\"depth\":%u,\"outputs\":{",
		t_usec, chair_state_to_string(state),
		step >= 0 ? chair_technique_to_string((enum chair_technique)step) : "",
		zone >= 0 ? chair_zone_to_string((enum chair_zone)zone) : "", position_mm,
		depth > 4 ? 4 : depth);
	for (int o = 0; o < CHAIR_OUTPUT_COUNT; o++) {
		if (!chair_hw_has_output(hw, (enum chair_output)o))
			continue;
		fprintf(f, "%s\"%s\":%s", sep, chair_output_to_string((enum chair_output)o),
			c->out[o] ? "true" : "false");
		sep = ",";
	}
	fputs("},\"temperatures\":{", f);
	sep = "";
	for (int h = 0; h < CHAIR_HEATER_COUNT; h++) {
		if (!chair_hw_has_heater(hw, (enum chair_heater)h) || !temps[h].valid)
			continue;
		fprintf(f, "%s\"%s\":%.1f", sep, chair_heater_to_string((enum chair_heater)h),
			temps[h].celsius);
		sep = ",";
	}
	fprintf(f, "},\"mono_usec\":%" PRIu64 ",\"late_usec\":%" PRIu64, timing->mono_usec,
		timing->late_usec);
	if (timing->edge_usec)
		fprintf(f, ",\"edge_usec\":%" PRIu64, timing->edge_usec);
	if (timing->event)
		fprintf(f, ",\"feedback\":\"%s\"", timing->event);
	fputs("}\n", f);
	fflush(f);
}
