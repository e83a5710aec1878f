/* SPDX-License-Identifier: MIT */
/*
 * Runs a libdbus connection on an sd-event loop.
 *
 * - Each watch gets its own dup'd fd, so libdbus's read and write watches
 *   on one socket never clash as two sources on one fd (sd-event refuses
 *   that with -EEXIST, and large replies would stall).
 * - Timeouts are one-shot timers, re-armed before dbus_timeout_handle().
 * - Dispatch runs from one deferred source that the dispatch-status
 *   callback only switches on or off.
 */
#ifndef CHAIRD_BUS_GLUE_H
#define CHAIRD_BUS_GLUE_H

#include <dbus/dbus.h>
#include <stdbool.h>
#include <systemd/sd-event.h>

struct bus_glue;

/** Attaches @p c to @p e; its sources get @p priority. */
int bus_glue_attach(DBusConnection *c, sd_event *e, int64_t priority, struct bus_glue **ret);

/**
 * Attaches a listening @p s to @p e: it accepts connections from its
 * watches, at @p priority. Free it with bus_glue_free().
 */
int bus_glue_attach_server(DBusServer *s, sd_event *e, int64_t priority, struct bus_glue **ret);

/* Handles one incoming message (the glue keeps its own reference). */
typedef void (*bus_route_fn)(DBusConnection *c, DBusMessage *msg, void *userdata);
/* True for a message that must be handled before everything queued. */
typedef bool (*bus_urgent_fn)(DBusMessage *msg);

/**
 * Routes incoming messages through @p route instead of libdbus's dispatch,
 * so that an urgent message (the emergency stop) is handled before every
 * message queued ahead of it: each dispatch first reads what the socket
 * holds, then handles the urgent messages, then one other message, so a
 * flood never keeps the loop's higher-priority sources (the control loop)
 * waiting. libdbus no longer sees the messages: the connection must have
 * no calls of its own waiting for a reply, and @p route answers every
 * method call, the Peer interface included.
 */
void bus_glue_set_router(struct bus_glue *g, bus_route_fn route, bus_urgent_fn urgent,
			 void *userdata);
/* Messages read and not yet handled, for tests and the benchmark. */
size_t bus_glue_queued(const struct bus_glue *g);
/** Detaches and frees; the connection stays open. NULL is a no-op. */
struct bus_glue *bus_glue_free(struct bus_glue *g);

/**
 * Opens a private connection to the session or system bus, with
 * exit-on-disconnect off. On failure, @p err says why.
 */
DBusConnection *bus_open(bool session, DBusError *err);

/** Requests @p name with DO_NOT_QUEUE: -EEXIST if someone else owns it. */
int bus_request_name(DBusConnection *c, const char *name, DBusError *err);

#endif
