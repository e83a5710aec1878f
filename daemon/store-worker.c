// SPDX-License-Identifier: MIT
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "store-worker.h"

struct store_worker {
	struct store *store;
	void *userdata;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct store_job *todo, *todo_tail; /* FIFO, under lock */
	struct store_job *done;             /* LIFO, under lock */
	bool stop;
	int efd;
	sd_event_source *src;
};

static void *worker_main(void *arg)
{
	struct store_worker *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct store_job *j = w->todo;
		uint64_t one = 1;

		if (!j) {
			if (w->stop)
				break;
			pthread_cond_wait(&w->wake, &w->lock);
			continue;
		}
		w->todo = j->next;
		if (!w->todo)
			w->todo_tail = NULL;
		pthread_mutex_unlock(&w->lock);
		j->r = j->run(w->store, j);
		pthread_mutex_lock(&w->lock);
		j->next = w->done;
		w->done = j;
		if (write(w->efd, &one, sizeof(one)) < 0) {
			/* The counter only overflows after 2^64 jobs. */
		}
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* Hands the finished jobs to their done() in the order they ran. */
static void finish_jobs(struct store_worker *w)
{
	struct store_job *j, *rev = NULL;

	pthread_mutex_lock(&w->lock);
	j = w->done;
	w->done = NULL;
	pthread_mutex_unlock(&w->lock);
	while (j) {
		struct store_job *next = j->next;

		j->next = rev;
		rev = j;
		j = next;
	}
	while (rev) {
		struct store_job *next = rev->next;

		rev->done(w->userdata, rev);
		rev = next;
	}
}

static int efd_cb(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct store_worker *w = userdata;
	uint64_t n;

	if (read(fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return 0;
	finish_jobs(w);
	return 0;
}

int store_worker_new(struct store *s, sd_event *e, void *userdata, struct store_worker **ret)
{
	struct store_worker *w = calloc(1, sizeof(*w));
	int r;

	if (!w)
		return -ENOMEM;
	w->store = s;
	w->userdata = userdata;
	w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	if (w->efd < 0) {
		r = -errno;
		goto fail;
	}
	r = sd_event_add_io(e, &w->src, w->efd, EPOLLIN, efd_cb, w);
	if (r < 0)
		goto fail;
	sd_event_source_set_description(w->src, "store-done");
	r = -pthread_create(&w->thread, NULL, worker_main, w);
	if (r < 0)
		goto fail;
	*ret = w;
	return 0;
fail:
	sd_event_source_disable_unref(w->src);
	if (w->efd >= 0)
		close(w->efd);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w);
	return r;
}

int store_worker_submit(struct store_worker *w, struct store_job *j)
{
	j->next = NULL;
	pthread_mutex_lock(&w->lock);
	if (w->todo_tail)
		w->todo_tail->next = j;
	else
		w->todo = j;
	w->todo_tail = j;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

struct store_worker *store_worker_free(struct store_worker *w)
{
	if (!w)
		return NULL;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	finish_jobs(w);
	sd_event_source_disable_unref(w->src);
	close(w->efd);
	store_free(w->store);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w);
	return NULL;
}
