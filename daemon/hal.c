// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hal-backend.h"
#include "macro.h"

/* The simulated chair's physics takes steps of at most this. */
#define HAL_ADVANCE_STEP_USEC (UINT64_C(10) * 1000)

uint64_t hal_mono_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

int hal_write(struct hal *h, const struct chair_command *cmd)
{
	const struct chair_outputs *c = chair_command_outputs(cmd);
	bool was_safe = chair_outputs_all_off(&h->current);
	int r = h->ops->set_outputs(h, c);

	/* Only what was really driven: a failed write is tried again. */
	if (r < 0)
		return r;
	h->set_at_usec = hal_mono_usec();
	h->current = *c;
	if (chair_outputs_all_off(c) && !was_safe)
		h->safe_at_usec = h->set_at_usec;
	return r;
}

int hal_safe_state(struct hal *h)
{
	int r = h->ops->safe_state(h);

	if (r < 0)
		return r;
	memset(&h->current, 0, sizeof(h->current));
	h->safe_at_usec = h->set_at_usec = hal_mono_usec();
	return r;
}

int hal_read_inputs(struct hal *h, uint64_t now, struct chair_inputs *ret)
{
	return h->ops->read_inputs(h, now, ret);
}

void hal_advance(struct hal *h, uint64_t dt_usec)
{
	/* A late loop leaves the outputs as they were for the whole gap, as
	 * real hardware would; the physics still moves in small steps. */
	while (h->ops->advance && dt_usec > 0) {
		uint64_t step = MIN(dt_usec, HAL_ADVANCE_STEP_USEC);

		h->ops->advance(h, step, &h->current);
		dt_usec -= step;
	}
}

const struct chair_outputs *hal_outputs(const struct hal *h)
{
	return &h->current;
}

uint64_t hal_changed_usec(const struct hal *h)
{
	return h->set_at_usec;
}

uint64_t hal_safe_usec(const struct hal *h)
{
	return h->safe_at_usec;
}

void hal_set_clock_offset(struct hal *h, uint64_t offset)
{
	h->clock_offset = offset;
}

const char *hal_name(const struct hal *h)
{
	return h->ops->name;
}

bool hal_failed(const struct hal *h)
{
	return h->failed;
}

bool hal_is_real(const struct hal *h)
{
	return !h->ops->advance;
}

void hal_free(struct hal *h)
{
	if (h)
		h->ops->free(h);
}

int hal_attach(struct hal *h, sd_event *e, int64_t priority, hal_edge_fn edge, hal_fail_fn fail,
	       void *userdata)
{
	h->edge = edge;
	h->fail = fail;
	h->userdata = userdata;
	return h->ops->attach ? h->ops->attach(h, e, priority) : 0;
}
