// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "bus-glue.h"

struct bus_glue {
	DBusConnection *conn;
	sd_event *event;
	int64_t priority;
	sd_event_source *dispatch;
};

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

static int watch_cb(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	DBusWatch *w = userdata;
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
	return 0;
}

static dbus_bool_t add_watch(DBusWatch *w, void *data)
{
	struct bus_glue *g = data;
	sd_event_source *s = NULL;
	int fd, r;

	fd = fcntl(dbus_watch_get_unix_fd(w), F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return FALSE;
	r = sd_event_add_io(g->event, &s, fd, watch_events(w), watch_cb, w);
	if (r < 0) {
		close(fd);
		return FALSE;
	}
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

	sd_event_source_set_enabled(g->dispatch,
				    status == DBUS_DISPATCH_DATA_REMAINS ? SD_EVENT_ON : SD_EVENT_OFF);
}

static int dispatch_cb(sd_event_source *s, void *userdata)
{
	struct bus_glue *g = userdata;

	/* One message per loop iteration, so that higher-priority sources
	 * (the e-stop) run between messages. */
	if (dbus_connection_dispatch(g->conn) != DBUS_DISPATCH_DATA_REMAINS)
		sd_event_source_set_enabled(s, SD_EVENT_OFF);
	return 0;
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

struct bus_glue *bus_glue_free(struct bus_glue *g)
{
	if (!g)
		return NULL;
	dbus_connection_set_dispatch_status_function(g->conn, NULL, NULL, NULL);
	dbus_connection_set_watch_functions(g->conn, NULL, NULL, NULL, NULL, NULL);
	dbus_connection_set_timeout_functions(g->conn, NULL, NULL, NULL, NULL, NULL);
	sd_event_source_disable_unref(g->dispatch);
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
