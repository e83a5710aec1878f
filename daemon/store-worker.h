/* SPDX-License-Identifier: MIT */
/*
 * The store's own thread. Every read and write of the store runs there, so
 * a slow disk (an fsync can take 0.4 s on a busy board) never delays the
 * control loop or a stop: the main loop hands over a job and hears back,
 * through an eventfd source, when it is done.
 */
#ifndef CHAIRD_STORE_WORKER_H
#define CHAIRD_STORE_WORKER_H

#include <systemd/sd-event.h>

#include "store.h"

struct store_job {
	/* Runs on the store's thread; its result goes to r. */
	int (*run)(struct store *s, struct store_job *j);
	/* Runs on the main loop once run() is done, and frees the job. */
	void (*done)(void *userdata, struct store_job *j);
	int r;
	struct store_job *next;
};

struct store_worker;

/* From now on only the worker's thread touches @p s; it frees it. */
int store_worker_new(struct store *s, sd_event *e, void *userdata, struct store_worker **ret);
/* Queues @p j; jobs run one at a time, in order. -ENOMEM if it could not. */
int store_worker_submit(struct store_worker *w, struct store_job *j);
/* Runs what is queued, then stops the thread and frees the store. */
struct store_worker *store_worker_free(struct store_worker *w);

#endif
