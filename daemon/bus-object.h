/* SPDX-License-Identifier: MIT */
/*
 * Declarative D-Bus objects: method, property and signal tables drive
 * dispatch, signature checks, Get/GetAll and PropertiesChanged. A test
 * holds the tables to the introspection XML in data/.
 */
#ifndef CHAIRD_BUS_OBJECT_H
#define CHAIRD_BUS_OBJECT_H

#include <dbus/dbus.h>
#include <stdbool.h>
#include <stdint.h>

struct manager;

/* Returns the reply (a method return or an error), or NULL when the
 * handler keeps the call to reply later. */
typedef DBusMessage *(*bus_method_fn)(struct manager *m, DBusMessage *call);
/* Appends the property's value (not wrapped in a variant). */
typedef bool (*bus_property_fn)(struct manager *m, DBusMessageIter *it);

struct bus_method {
	const char *name;
	const char *in;
	const char *out;
	bus_method_fn fn;
};

struct bus_property {
	const char *name;
	const char *sig;
	bus_property_fn get;
	uint32_t bit; /* 0: const, never changes */
};

struct bus_signal {
	const char *name;
	const char *sig;
};

struct bus_interface {
	const char *name;
	const struct bus_method *methods;
	const struct bus_property *properties;
	const struct bus_signal *signals;
};

/* The daemon's interfaces, NULL-terminated by name. */
extern const struct bus_interface chair_interfaces[];

/* Error replies. */
DBusMessage *bus_error(DBusMessage *call, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
DBusMessage *bus_invalid_args(DBusMessage *call, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
DBusMessage *bus_error_errno(DBusMessage *call, int r);
DBusMessage *bus_reply(DBusMessage *call);

/* Routes a method call through the tables of @p ifaces, plus Properties and
 * Introspectable, and returns the reply (NULL when a handler keeps the call
 * to reply later, or when out of memory). */
DBusMessage *bus_object_handle(struct manager *m, DBusMessage *call,
			       const struct bus_interface *const *ifaces, const char *xml);

/* Routes a call through the tables of the interfaces in @p ifaces
 * (NULL-terminated, only those served), plus Properties and
 * Introspectable. Sends the reply. */
DBusHandlerResult bus_object_dispatch(struct manager *m, DBusConnection *c, DBusMessage *call,
				      const struct bus_interface *const *ifaces, const char *xml);

/* Emits PropertiesChanged for the @p bits of @p iface. */
bool bus_object_emit_changed(struct manager *m, DBusConnection *c, const char *path,
			     const struct bus_interface *iface, uint32_t bits);

bool bus_append_strv(DBusMessageIter *it, const char *const *v, size_t n);
bool bus_append_dict_entry(DBusMessageIter *dict, const char *key, int type, const void *value);
/* A dict entry whose value is a list of strings (as). */
bool bus_append_strv_entry(DBusMessageIter *dict, const char *key, const char *const *v, size_t n);
/* The same, with the names of the bits set in @p mask. */
bool bus_append_mask_entry(DBusMessageIter *dict, const char *key, uint32_t mask, int count,
			   const char *(*name)(int));

#endif
