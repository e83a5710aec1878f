// SPDX-License-Identifier: MIT
/*
 * The program parser, then what the daemon does with a program that parses:
 * the hardware check, the option check, and a whole session of the engine
 * on the simulated chair, with the safety invariants checked on every tick
 * (tests/unit/harness.c). The last bytes of the input choose the options.
 *
 * A session costs far more than a parse, so the same file built with
 * FUZZ_PARSE_ONLY is a second target, fuzz-program-parse, that explores the
 * parser alone at many times the rate.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"
#include "macro.h"
#include "program.h"

#ifndef FUZZ_PARSE_ONLY
#define FUZZ_PARSE_ONLY 0
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void options_from(const uint8_t *data, size_t size, struct chair_options *o)
{
	uint8_t b[4] = { 0 };

	for (size_t i = 0; i < 4 && i < size; i++)
		b[i] = data[size - 1 - i];
	chair_options_init(o);
	/* The shortest session keeps a run fast; the check bounds it anyway. */
	o->duration_usec = 5 * USEC_PER_MIN;
	o->intensity = 1 + b[0] % 5;
	o->heat = (int)(b[1] % 5) - 1;
	o->focus = b[2] % 8 < CHAIR_ZONE_COUNT ? b[2] % 8 : -1;
	o->avoid_back = b[3] & 0x3f;
	if (o->focus >= 0)
		o->avoid_back &= ~(1u << o->focus);
	o->conditions = (b[2] >> 3) & ((1u << CHAIR_CONDITION_COUNT) - 1);
	if (o->conditions & ((1u << CHAIR_COND_INFLAMMATION) | (1u << CHAIR_COND_RECENT_INJURY)))
		o->avoid_back |= 1u << CHAIR_ZONE_SACRUM;
}

static void run_session(struct chair_program *p, const struct chair_options *o)
{
	struct harness h;
	uint64_t end;

	harness_init(&h, NULL);
	if (harness_start(&h, p, o) < 0) {
		harness_free(&h);
		return;
	}
	end = h.now + chair_engine_duration(h.engine);
	harness_run(&h, chair_engine_duration(h.engine) + 2 * USEC_PER_SEC);
	if (h.violation[0]) {
		fprintf(stderr, "safety invariant broken: %s\n", h.violation);
		abort();
	}
	/* Rule 5: a session ends by itself at its duration. */
	if (h.engine && !chair_engine_finished(h.engine) && !chair_safety_latched(h.safety)) {
		fprintf(stderr, "the session did not end on time (%.1f s past)\n",
			(h.now - end) / 1e6);
		abort();
	}
	harness_free(&h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chair_diags d = { 0 };
	struct chair_program *p = NULL;
	struct chair_options o;
	struct chair_hw hw;
	char *msg = NULL;
	int r;

	r = chair_program_parse_diags("fuzz.program", (const char *)data, size, &p, &d);
	if (r < 0) {
		/* A rejection always says where and why. */
		if (r == -EINVAL && d.n == 0)
			abort();
		for (size_t i = 0; i < d.n; i++)
			if (!d.v[i].message[0] || d.v[i].line > size + 2)
				abort();
		chair_diags_clear(&d);
		return 0;
	}
	chair_hw_default(&hw);
	if (!FUZZ_PARSE_ONLY && chair_program_check_hw(p, &hw, &msg) == 0) {
		options_from(data, size, &o);
		r = chair_options_check(p, &o, &hw, &msg);
		free(msg);
		msg = NULL;
		if (r != CHAIR_CHECK_OK) {
			/* Refused options still leave a session to run. */
			chair_options_init(&o);
			o.duration_usec = 5 * USEC_PER_MIN;
			r = chair_options_check(p, &o, &hw, &msg);
			free(msg);
			msg = NULL;
		}
		if (r == CHAIR_CHECK_OK)
			run_session(p, &o);
	}
	free(msg);
	chair_program_unref(p);
	return 0;
}
