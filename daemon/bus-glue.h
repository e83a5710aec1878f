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
