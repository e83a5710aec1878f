// SPDX-License-Identifier: MIT
/* The sim backend: the simulated chair's physics from libchair, stepped by
 * the daemon's clock. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hal-backend.h"
#include "sim.h"

static int sim_set_outputs(struct hal *h, const struct chair_outputs *c)
{
	return 0; /* the physics reads h->current as it advances */
}

static int sim_read_inputs(struct hal *h, uint64_t now, struct chair_inputs *ret)
{
	chair_sim_read(h->data, now, ret);
	return 0;
}

static int sim_safe_state(struct hal *h)
{
	return 0;
}

static void sim_advance(struct hal *h, uint64_t dt_usec, const struct chair_outputs *c)
{
	chair_sim_step(h->data, dt_usec, c);
}

static void sim_free(struct hal *h)
{
	chair_sim_free(h->data);
	free(h);
}

static const struct hal_ops sim_ops = {
	.name = "sim",
	.set_outputs = sim_set_outputs,
	.read_inputs = sim_read_inputs,
	.safe_state = sim_safe_state,
	.advance = sim_advance,
	.free = sim_free,
};

int hal_sim_new(const struct chair_hw *hw, struct hal **ret)
{
	struct hal *h = calloc(1, sizeof(*h));
	int r;

	if (!h)
		return -ENOMEM;
	h->ops = &sim_ops;
	h->hw = *hw;
	r = chair_sim_new(hw, (struct chair_sim **)&h->data);
	if (r < 0) {
		free(h);
		return r;
	}
	*ret = h;
	return 0;
}

struct chair_sim *hal_sim_chair(struct hal *h)
{
	return h->ops == &sim_ops ? h->data : NULL;
}
