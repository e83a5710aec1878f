// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bus-glue.h"

/* At most this many messages are read ahead; beyond it libdbus's own
 * limits hold the rest in the socket. */
#define QUEUE_MAX 16384
/* With more than this waiting to be sent, no new ordinary call is handled,
 * and the socket itself holds at most about SEND_BUFFER: an emergency
 * stop's reply never waits behind a flood of replies (the bus reads 2 KiB
 * of a connection at a time). */
#define OUTGOING_MAX (4 * 1024)
#define SEND_BUFFER (8 * 1024)
/* One dispatch reads at most this many times (libdbus reads 2 KiB at a
 * time), so that parsing a flood never keeps the stop connection and the
 * control loop waiting long. */
#define READ_AHEAD_READS 8
#define RETRY_USEC (UINT64_C(2) * 1000)

/* A FIFO of messages read ahead of their handling. */
struct msg_queue {
	DBusMessage **v;
	size_t head, n, cap;
};

struct bus_glue {
	DBusConnection *conn;
	DBusServer *server; /* a listening server's glue has no connection */
	sd_event *event;
	int64_t priority;
	sd_event_source *dispatch;
	bus_route_fn route;
	bus_urgent_fn urgent;
	void *userdata;
	struct msg_queue urgent_q, normal_q;
	bool blocked; /* ordinary calls wait for the replies to drain */
	sd_event_source *retry; /* looks again while blocked */
};

static size_t queue_len(const struct msg_queue *q)
{
	return q->n - q->head;
}

static void unblock_if_drained(struct bus_glue *g)
{
	if (!g->blocked || dbus_connection_get_outgoing_size(g->conn) > OUTGOING_MAX)
		return;
	g->blocked = false;
	sd_event_source_set_enabled(g->retry, SD_EVENT_OFF);
	sd_event_source_set_enabled(g->dispatch, SD_EVENT_ON);
}

/* A send can empty the queue without the write watch ever firing: while
 * blocked, look again every few milliseconds too. */
static int retry_cb(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct bus_glue *g = userdata;

	unblock_if_drained(g);
	if (g->blocked) {
		sd_event_source_set_time_relative(s, RETRY_USEC);
		sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	}
	return 0;
}

static void source_free(void *p)
{
	sd_event_source_disable_unref(p);
}

static uint32_t watch_events(DBusWatch *w)
{
	unsigned flags = dbus_watch_get_flags(w);
	uint32_t ev = 0;

	if (flags & DBUS_WATCH_READABLE)
		ev |= EPOLLIN;
	if (flags & DBUS_WATCH_WRITABLE)
		ev |= EPOLLOUT;
	return ev;
}

/* What a watch's source knows: the watch, and the glue it belongs to. */
struct watch_ref {
	DBusWatch *w;
	struct bus_glue *g;
};

static void unblock_if_drained(struct bus_glue *g);

static int watch_cb(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct watch_ref *ref = userdata;
	DBusWatch *w = ref->w;
	unsigned flags = 0;

	if (revents & EPOLLIN)
		flags |= DBUS_WATCH_READABLE;
	if (revents & EPOLLOUT)
		flags |= DBUS_WATCH_WRITABLE;
	if (revents & EPOLLERR)
		flags |= DBUS_WATCH_ERROR;
	if (revents & EPOLLHUP)
		flags |= DBUS_WATCH_HANGUP;
	dbus_watch_handle(w, flags);
	unblock_if_drained(ref->g);
	return 0;
}

static dbus_bool_t add_watch(DBusWatch *w, void *data)
{
	struct bus_glue *g = data;
	struct watch_ref *ref = malloc(sizeof(*ref));
	sd_event_source *s = NULL;
	int fd, r;

	if (!ref)
		return FALSE;
	*ref = (struct watch_ref){ .w = w, .g = g };
	fd = fcntl(dbus_watch_get_unix_fd(w), F_DUPFD_CLOEXEC, 3);
	if (fd < 0) {
		free(ref);
		return FALSE;
	}
	r = sd_event_add_io(g->event, &s, fd, watch_events(w), watch_cb, ref);
	if (r < 0) {
		close(fd);
		free(ref);
		return FALSE;
	}
	sd_event_source_set_destroy_callback(s, free);
	sd_event_source_set_io_fd_own(s, 1);
	sd_event_source_set_priority(s, g->priority);
	sd_event_source_set_description(s, "bus-watch");
	sd_event_source_set_enabled(s, dbus_watch_get_enabled(w) ? SD_EVENT_ON : SD_EVENT_OFF);
	dbus_watch_set_data(w, s, source_free);
	return TRUE;
}

static void remove_watch(DBusWatch *w, void *data)
{
	/* Frees the source (and its fd) through source_free(). */
	dbus_watch_set_data(w, NULL, NULL);
}

static void toggle_watch(DBusWatch *w, void *data)
{
	sd_event_source *s = dbus_watch_get_data(w);

	if (!s)
		return;
	sd_event_source_set_io_events(s, watch_events(w));
	sd_event_source_set_enabled(s, dbus_watch_get_enabled(w) ? SD_EVENT_ON : SD_EVENT_OFF);
}

static uint64_t timeout_usec(DBusTimeout *t)
{
	return (uint64_t)dbus_timeout_get_interval(t) * 1000;
}

static int timeout_cb(sd_event_source *s, uint64_t usec, void *userdata)
{
	DBusTimeout *t = userdata;

	/* Re-arm first: dbus_timeout_handle() may remove or toggle it. */
	sd_event_source_set_time_relative(s, timeout_usec(t));
	sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	dbus_timeout_handle(t);
	return 0;
}

static dbus_bool_t add_timeout(DBusTimeout *t, void *data)
{
	struct bus_glue *g = data;
	sd_event_source *s = NULL;
	int r;

	r = sd_event_add_time_relative(g->event, &s, CLOCK_MONOTONIC, timeout_usec(t), 1000,
				       timeout_cb, t);
	if (r < 0)
		return FALSE;
	sd_event_source_set_priority(s, g->priority);
	sd_event_source_set_description(s, "bus-timeout");
	sd_event_source_set_enabled(s, dbus_timeout_get_enabled(t) ? SD_EVENT_ONESHOT : SD_EVENT_OFF);
	dbus_timeout_set_data(t, s, source_free);
	return TRUE;
}

static void remove_timeout(DBusTimeout *t, void *data)
{
	dbus_timeout_set_data(t, NULL, NULL);
}

static void toggle_timeout(DBusTimeout *t, void *data)
{
	sd_event_source *s = dbus_timeout_get_data(t);

	if (!s)
		return;
	if (dbus_timeout_get_enabled(t)) {
		sd_event_source_set_time_relative(s, timeout_usec(t));
		sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	} else {
		sd_event_source_set_enabled(s, SD_EVENT_OFF);
	}
}

/* Only switches the deferred source; never dispatches from here. */
static void dispatch_status(DBusConnection *c, DBusDispatchStatus status, void *data)
{
	struct bus_glue *g = data;

	/* Messages read ahead keep it on too. */
	sd_event_source_set_enabled(g->dispatch, status == DBUS_DISPATCH_DATA_REMAINS ||
							 queue_len(&g->normal_q)
						 ? SD_EVENT_ON
						 : SD_EVENT_OFF);
}

static bool queue_push(struct msg_queue *q, DBusMessage *m)
{
	if (q->head == q->n)
		q->head = q->n = 0;
	if (q->n == q->cap) {
		size_t cap;
		DBusMessage **v;

		/* Reuse the room at the front before growing. */
		if (q->head > 0) {
			memmove(q->v, q->v + q->head, queue_len(q) * sizeof(*q->v));
			q->n -= q->head;
			q->head = 0;
		}
		if (q->n == q->cap) {
			cap = q->cap ? q->cap * 2 : 64;
			v = realloc(q->v, cap * sizeof(*v));
			if (!v)
				return false;
			q->v = v;
			q->cap = cap;
		}
	}
	q->v[q->n++] = m;
	return true;
}

static DBusMessage *queue_pop(struct msg_queue *q)
{
	return q->head < q->n ? q->v[q->head++] : NULL;
}

static void queue_clear(struct msg_queue *q)
{
	DBusMessage *m;

	while ((m = queue_pop(q)))
		dbus_message_unref(m);
	free(q->v);
	*q = (struct msg_queue){ 0 };
}

/* Takes what libdbus has parsed; false when the read-ahead is full. */
static bool take_parsed(struct bus_glue *g)
{
	DBusMessage *m;

	while (queue_len(&g->normal_q) < QUEUE_MAX && (m = dbus_connection_pop_message(g->conn))) {
		struct msg_queue *q = g->urgent && g->urgent(m) ? &g->urgent_q : &g->normal_q;

		if (!queue_push(q, m)) {
			/* Out of memory: handle it now rather than lose it. */
			g->route(g->conn, m, g->userdata);
			dbus_message_unref(m);
		}
	}
	return queue_len(&g->normal_q) < QUEUE_MAX;
}

/* Reads everything the socket holds, so an emergency stop behind a flood
 * is seen now, not after the flood. */
static void read_ahead(struct bus_glue *g)
{
	for (int i = 0; i < READ_AHEAD_READS && take_parsed(g); i++) {
		size_t before = queue_len(&g->normal_q) + queue_len(&g->urgent_q);

		if (!dbus_connection_read_write(g->conn, 0))
			break; /* disconnected: the Disconnected message is queued */
		if (!take_parsed(g))
			break;
		if (queue_len(&g->normal_q) + queue_len(&g->urgent_q) == before)
			break;
	}
}

static void route_one(struct bus_glue *g)
{
	DBusMessage *m;

	read_ahead(g);
	while ((m = queue_pop(&g->urgent_q))) {
		g->route(g->conn, m, g->userdata);
		dbus_message_unref(m);
	}
	/* Replies piling up (a client that does not read them, or a flood):
	 * the next ordinary call waits until they are sent, so that what is
	 * urgent is never answered behind them. The write watch wakes us. */
	g->blocked = dbus_connection_get_outgoing_size(g->conn) > OUTGOING_MAX;
	if (g->blocked)
		return;
	m = queue_pop(&g->normal_q);
	if (m) {
		g->route(g->conn, m, g->userdata);
		dbus_message_unref(m);
	}
}

static int dispatch_cb(sd_event_source *s, void *userdata)
{
	struct bus_glue *g = userdata;

	/* One message per loop iteration, so that higher-priority sources
	 * (the e-stop edge, the control loop) run between messages. */
	if (g->route) {
		route_one(g);
		if (g->blocked || (!queue_len(&g->normal_q) &&
				   dbus_connection_get_dispatch_status(g->conn) != DBUS_DISPATCH_DATA_REMAINS))
			sd_event_source_set_enabled(s, SD_EVENT_OFF);
		if (g->blocked) {
			sd_event_source_set_time_relative(g->retry, RETRY_USEC);
			sd_event_source_set_enabled(g->retry, SD_EVENT_ONESHOT);
		}
		return 0;
	}
	if (dbus_connection_dispatch(g->conn) != DBUS_DISPATCH_DATA_REMAINS)
		sd_event_source_set_enabled(s, SD_EVENT_OFF);
	return 0;
}

void bus_glue_set_router(struct bus_glue *g, bus_route_fn route, bus_urgent_fn urgent,
			 void *userdata)
{
	int fd, size = SEND_BUFFER;

	g->route = route;
	g->urgent = urgent;
	g->userdata = userdata;
	/* Best effort: without it, only more replies wait ahead of a stop's. */
	if (dbus_connection_get_socket(g->conn, &fd))
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
}

size_t bus_glue_queued(const struct bus_glue *g)
{
	return queue_len(&g->normal_q) + queue_len(&g->urgent_q);
}

int bus_glue_attach(DBusConnection *c, sd_event *e, int64_t priority, struct bus_glue **ret)
{
	struct bus_glue *g = calloc(1, sizeof(*g));
	int r;

	if (!g)
		return -ENOMEM;
	g->conn = dbus_connection_ref(c);
	g->event = sd_event_ref(e);
	g->priority = priority;
	r = sd_event_add_defer(e, &g->dispatch, dispatch_cb, g);
	if (r < 0)
		goto fail;
	sd_event_source_set_priority(g->dispatch, priority);
	r = sd_event_add_time_relative(e, &g->retry, CLOCK_MONOTONIC, RETRY_USEC, 1000, retry_cb, g);
	if (r < 0)
		goto fail;
	sd_event_source_set_enabled(g->retry, SD_EVENT_OFF);
	sd_event_source_set_description(g->dispatch, "bus-dispatch");
	sd_event_source_set_enabled(g->dispatch, SD_EVENT_OFF);
	if (!dbus_connection_set_watch_functions(c, add_watch, remove_watch, toggle_watch, g, NULL) ||
	    !dbus_connection_set_timeout_functions(c, add_timeout, remove_timeout, toggle_timeout, g,
						   NULL)) {
		r = -ENOMEM;
		goto fail;
	}
	dbus_connection_set_dispatch_status_function(c, dispatch_status, g, NULL);
	/* Messages may already be queued from before we were attached. */
	dispatch_status(c, dbus_connection_get_dispatch_status(c), g);
	*ret = g;
	return 0;
fail:
	bus_glue_free(g);
	return r;
}

int bus_glue_attach_server(DBusServer *s, sd_event *e, int64_t priority, struct bus_glue **ret)
{
	struct bus_glue *g = calloc(1, sizeof(*g));

	if (!g)
		return -ENOMEM;
	g->server = dbus_server_ref(s);
	g->event = sd_event_ref(e);
	g->priority = priority;
	/* A server's watch accepts connections; it has nothing to dispatch. */
	if (!dbus_server_set_watch_functions(s, add_watch, remove_watch, toggle_watch, g, NULL) ||
	    !dbus_server_set_timeout_functions(s, add_timeout, remove_timeout, toggle_timeout, g,
					       NULL)) {
		bus_glue_free(g);
		return -ENOMEM;
	}
	*ret = g;
	return 0;
}

struct bus_glue *bus_glue_free(struct bus_glue *g)
{
	if (!g)
		return NULL;
	if (g->server) {
		dbus_server_set_watch_functions(g->server, NULL, NULL, NULL, NULL, NULL);
		dbus_server_set_timeout_functions(g->server, NULL, NULL, NULL, NULL, NULL);
		dbus_server_unref(g->server);
		sd_event_unref(g->event);
		free(g);
		return NULL;
	}
	dbus_connection_set_dispatch_status_function(g->conn, NULL, NULL, NULL);
	dbus_connection_set_watch_functions(g->conn, NULL, NULL, NULL, NULL, NULL);
	dbus_connection_set_timeout_functions(g->conn, NULL, NULL, NULL, NULL, NULL);
	sd_event_source_disable_unref(g->dispatch);
	sd_event_source_disable_unref(g->retry);
	queue_clear(&g->urgent_q);
	queue_clear(&g->normal_q);
	dbus_connection_unref(g->conn);
	sd_event_unref(g->event);
	free(g);
	return NULL;
}

DBusConnection *bus_open(bool session, DBusError *err)
{
	DBusConnection *c = dbus_bus_get_private(session ? DBUS_BUS_SESSION : DBUS_BUS_SYSTEM, err);

	if (!c)
		return NULL;
	dbus_connection_set_exit_on_disconnect(c, FALSE);
	return c;
}

int bus_request_name(DBusConnection *c, const char *name, DBusError *err)
{
	int r = dbus_bus_request_name(c, name, DBUS_NAME_FLAG_DO_NOT_QUEUE, err);

	if (r < 0)
		return -EIO;
	return r == DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER ? 0 : -EEXIST;
}
