// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus-object.h"
#include "macro.h"
#include "quote.h"

/* Every error message passes here. Whatever a caller's text did to it (a
 * character cut by a bound, bytes that are not UTF-8), it leaves as valid
 * UTF-8: libdbus aborts the whole daemon on anything else. */
__attribute__((format(printf, 3, 0)))
static DBusMessage *verror(DBusMessage *call, const char *name, const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	return dbus_message_new_error(call, name, chair_utf8_scrub(buf));
}

DBusMessage *bus_error(DBusMessage *call, const char *name, const char *fmt, ...)
{
	DBusMessage *reply;
	va_list ap;

	va_start(ap, fmt);
	reply = verror(call, name, fmt, ap);
	va_end(ap);
	return reply;
}

DBusMessage *bus_invalid_args(DBusMessage *call, const char *fmt, ...)
{
	DBusMessage *reply;
	va_list ap;

	va_start(ap, fmt);
	reply = verror(call, DBUS_ERROR_INVALID_ARGS, fmt, ap);
	va_end(ap);
	return reply;
}

/* The one place that maps errno values to D-Bus error names. */
DBusMessage *bus_error_errno(DBusMessage *call, int r)
{
	switch (r) {
	case -ENOMEM:
		return bus_error(call, DBUS_ERROR_NO_MEMORY, "The chair is out of memory.");
	case -EINVAL:
	case -ERANGE:
		return bus_error(call, DBUS_ERROR_INVALID_ARGS, "Invalid arguments.");
	case -EACCES:
	case -EPERM:
		return bus_error(call, DBUS_ERROR_ACCESS_DENIED, "Access denied.");
	default:
		return bus_error(call, DBUS_ERROR_FAILED, "The request failed: %s.", strerror(-r));
	}
}

DBusMessage *bus_reply(DBusMessage *call)
{
	return dbus_message_new_method_return(call);
}

bool bus_append_strv(DBusMessageIter *it, const char *const *v, size_t n)
{
	DBusMessageIter a;

	if (!dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY, "s", &a))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!dbus_message_iter_append_basic(&a, DBUS_TYPE_STRING, &v[i])) {
			dbus_message_iter_abandon_container(it, &a);
			return false;
		}
	return dbus_message_iter_close_container(it, &a);
}

bool bus_append_dict_entry(DBusMessageIter *dict, const char *key, int type, const void *value)
{
	DBusMessageIter e, v;
	char sig[2] = { (char)type, 0 };

	if (!dbus_message_iter_open_container(dict, DBUS_TYPE_DICT_ENTRY, NULL, &e))
		return false;
	if (!dbus_message_iter_append_basic(&e, DBUS_TYPE_STRING, &key) ||
	    !dbus_message_iter_open_container(&e, DBUS_TYPE_VARIANT, sig, &v) ||
	    !dbus_message_iter_append_basic(&v, type, value) ||
	    !dbus_message_iter_close_container(&e, &v))
		return false;
	return dbus_message_iter_close_container(dict, &e);
}

static const struct bus_interface *find_iface(const struct bus_interface *const *ifaces,
					      const char *name)
{
	for (size_t i = 0; name && ifaces[i]; i++)
		if (streq(ifaces[i]->name, name))
			return ifaces[i];
	return NULL;
}

static bool append_property(struct manager *m, DBusMessageIter *it, const struct bus_property *p)
{
	DBusMessageIter v;

	if (!dbus_message_iter_open_container(it, DBUS_TYPE_VARIANT, p->sig, &v))
		return false;
	if (!p->get(m, &v)) {
		dbus_message_iter_abandon_container(it, &v);
		return false;
	}
	return dbus_message_iter_close_container(it, &v);
}

static bool append_properties(struct manager *m, DBusMessageIter *it,
			      const struct bus_interface *iface, uint32_t bits, bool all)
{
	DBusMessageIter dict;

	if (!dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY, "{sv}", &dict))
		return false;
	for (const struct bus_property *p = iface->properties; p && p->name; p++) {
		DBusMessageIter e;

		if (!all && !(p->bit & bits))
			continue;
		if (!dbus_message_iter_open_container(&dict, DBUS_TYPE_DICT_ENTRY, NULL, &e) ||
		    !dbus_message_iter_append_basic(&e, DBUS_TYPE_STRING, &p->name) ||
		    !append_property(m, &e, p) || !dbus_message_iter_close_container(&dict, &e)) {
			dbus_message_iter_abandon_container(it, &dict);
			return false;
		}
	}
	return dbus_message_iter_close_container(it, &dict);
}

static DBusMessage *properties_call(struct manager *m, DBusMessage *call,
				    const struct bus_interface *const *ifaces)
{
	const char *member = dbus_message_get_member(call);
	const char *iface_name = NULL, *prop = NULL;
	const struct bus_interface *iface;
	DBusMessage *reply;
	DBusMessageIter it;

	if (streq(member, "GetAll")) {
		if (!dbus_message_has_signature(call, "s"))
			return bus_invalid_args(call, "GetAll takes one argument, the interface name (s).");
		dbus_message_get_args(call, NULL, DBUS_TYPE_STRING, &iface_name, DBUS_TYPE_INVALID);
		iface = find_iface(ifaces, iface_name);
		reply = bus_reply(call);
		if (!reply)
			return NULL;
		dbus_message_iter_init_append(reply, &it);
		/* An interface without properties answers with an empty dict. */
		if (!append_properties(m, &it, iface ? iface : &(struct bus_interface){ 0 }, 0, true)) {
			dbus_message_unref(reply);
			return bus_error_errno(call, -ENOMEM);
		}
		return reply;
	}
	if (streq(member, "Get") || streq(member, "Set")) {
		bool get = streq(member, "Get");

		if (!dbus_message_has_signature(call, get ? "ss" : "ssv"))
			return bus_invalid_args(call, "%s takes %s.", member,
						get ? "the interface and the property name (ss)"
						    : "the interface, the property name and a value (ssv)");
		dbus_message_get_args(call, NULL, DBUS_TYPE_STRING, &iface_name, DBUS_TYPE_STRING,
				      &prop, DBUS_TYPE_INVALID);
		iface = find_iface(ifaces, iface_name);
		for (const struct bus_property *p = iface ? iface->properties : NULL; p && p->name; p++) {
			if (!streq(p->name, prop))
				continue;
			if (!get)
				return bus_error(call, DBUS_ERROR_PROPERTY_READ_ONLY,
						 "The property %s is read-only; use the methods of %s "
						 "to change the chair.", p->name, iface->name);
			reply = bus_reply(call);
			if (!reply)
				return NULL;
			dbus_message_iter_init_append(reply, &it);
			if (!append_property(m, &it, p)) {
				dbus_message_unref(reply);
				return bus_error_errno(call, -ENOMEM);
			}
			return reply;
		}
		return bus_error(call, DBUS_ERROR_UNKNOWN_PROPERTY, "There is no property %s on %s.",
				 CHAIR_QUOTE(prop), CHAIR_QUOTE(iface_name));
	}
	return bus_error(call, DBUS_ERROR_UNKNOWN_METHOD, "There is no method %s on %s.",
			 CHAIR_QUOTE(member), DBUS_INTERFACE_PROPERTIES);
}

static DBusMessage *method_call(struct manager *m, DBusMessage *call,
				const struct bus_interface *const *ifaces, const char *iface_name)
{
	const char *member = dbus_message_get_member(call);

	for (size_t i = 0; ifaces[i]; i++) {
		if (iface_name && !streq(ifaces[i]->name, iface_name))
			continue;
		for (const struct bus_method *mt = ifaces[i]->methods; mt && mt->name; mt++) {
			if (!streq(mt->name, member))
				continue;
			if (!dbus_message_has_signature(call, mt->in))
				return bus_invalid_args(call, "%s takes arguments of type '%s', not '%s'.",
							mt->name, mt->in,
							CHAIR_QUOTE(dbus_message_get_signature(call)));
			return mt->fn(m, call);
		}
	}
	if (iface_name && !find_iface(ifaces, iface_name))
		return bus_error(call, DBUS_ERROR_UNKNOWN_INTERFACE, "There is no interface %s here.",
				 CHAIR_QUOTE(iface_name));
	return bus_error(call, DBUS_ERROR_UNKNOWN_METHOD, "There is no method %s%s%s.",
			 CHAIR_QUOTE(member), iface_name ? " on " : "", CHAIR_QUOTE(iface_name));
}

DBusMessage *bus_object_handle(struct manager *m, DBusMessage *call,
			       const struct bus_interface *const *ifaces, const char *xml)
{
	const char *iface = dbus_message_get_interface(call);
	DBusMessage *reply;

	if (iface && streq(iface, DBUS_INTERFACE_INTROSPECTABLE)) {
		if (!streq(dbus_message_get_member(call), "Introspect"))
			reply = bus_error(call, DBUS_ERROR_UNKNOWN_METHOD, "Only Introspect is here.");
		else if ((reply = bus_reply(call)))
			dbus_message_append_args(reply, DBUS_TYPE_STRING, &xml, DBUS_TYPE_INVALID);
	} else if (iface && streq(iface, DBUS_INTERFACE_PROPERTIES)) {
		reply = properties_call(m, call, ifaces);
	} else {
		reply = method_call(m, call, ifaces, iface);
	}
	return reply;
}

DBusHandlerResult bus_object_dispatch(struct manager *m, DBusConnection *c, DBusMessage *call,
				      const struct bus_interface *const *ifaces, const char *xml)
{
	DBusMessage *reply;

	if (dbus_message_get_type(call) != DBUS_MESSAGE_TYPE_METHOD_CALL)
		return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
	reply = bus_object_handle(m, call, ifaces, xml);
	if (reply) {
		dbus_connection_send(c, reply, NULL);
		dbus_message_unref(reply);
	}
	return DBUS_HANDLER_RESULT_HANDLED;
}

bool bus_object_emit_changed(struct manager *m, DBusConnection *c, const char *path,
			     const struct bus_interface *iface, uint32_t bits)
{
	DBusMessage *sig;
	DBusMessageIter it, inv;
	bool ok;

	sig = dbus_message_new_signal(path, DBUS_INTERFACE_PROPERTIES, "PropertiesChanged");
	if (!sig)
		return false;
	dbus_message_iter_init_append(sig, &it);
	ok = dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &iface->name) &&
	     append_properties(m, &it, iface, bits, false) &&
	     dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "s", &inv) &&
	     dbus_message_iter_close_container(&it, &inv);
	if (ok)
		ok = dbus_connection_send(c, sig, NULL);
	dbus_message_unref(sig);
	return ok;
}

bool bus_append_strv_entry(DBusMessageIter *d, const char *key, const char *const *v, size_t n)
{
	DBusMessageIter e, var;

	return dbus_message_iter_open_container(d, DBUS_TYPE_DICT_ENTRY, NULL, &e) &&
	       dbus_message_iter_append_basic(&e, DBUS_TYPE_STRING, &key) &&
	       dbus_message_iter_open_container(&e, DBUS_TYPE_VARIANT, "as", &var) &&
	       bus_append_strv(&var, v, n) && dbus_message_iter_close_container(&e, &var) &&
	       dbus_message_iter_close_container(d, &e);
}

bool bus_append_mask_entry(DBusMessageIter *d, const char *key, uint32_t mask, int count,
			   const char *(*name)(int))
{
	const char *v[32];
	size_t n = 0;

	for (int i = 0; i < count; i++)
		if (mask & (UINT32_C(1) << i))
			v[n++] = name(i);
	return bus_append_strv_entry(d, key, v, n);
}
