// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hal.h"

static uint64_t mono_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

int hal_set_outputs(struct hal *h, const struct chair_command *c)
{
	bool was_safe = chair_command_all_safe(&h->current);
	int r = h->ops->set_outputs(h, c);

	/* Only what was really driven: a failed write is tried again. */
	if (r < 0)
		return r;
	h->set_at_usec = mono_usec();
	h->current = *c;
	if (chair_command_all_safe(c) && !was_safe)
		h->safe_at_usec = h->set_at_usec;
	return r;
}

int hal_safe_state(struct hal *h)
{
	int r = h->ops->safe_state(h);

	if (r < 0)
		return r;
	memset(&h->current, 0, sizeof(h->current));
	h->safe_at_usec = h->set_at_usec = mono_usec();
	return r;
}

void hal_free(struct hal *h)
{
	if (h)
		h->ops->free(h);
}

int hal_attach(struct hal *h, sd_event *e, int64_t priority, hal_edge_fn edge, void *userdata)
{
	h->edge = edge;
	h->edge_userdata = userdata;
	return h->ops->attach ? h->ops->attach(h, e, priority) : 0;
}
