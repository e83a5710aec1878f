// SPDX-License-Identifier: MIT
/*
 * An emergency stop behind a flood, in order rather than in time: with the
 * daemon stopped (SIGSTOP), one connection queues N GetAll calls to
 * org.chaird.Chair1, then another queues one EmergencyStop() to the name
 * given; once the bus has passed both on, the daemon goes on (SIGCONT).
 * Each GetAll reply carries the State the daemon had when it answered, so
 * the replies whose State is not "emergency-stop" are the calls it handled
 * before the stop.
 *
 * Prints "before-stop K of N" and the stop reply's type ("return" or the
 * error name). Exit status: 0 when the stop got a method return and every
 * call a reply, 1 otherwise.
 *
 * With an address (unix:path=...) instead of a name, the stop goes to the
 * daemon's stop socket, past the bus: that connection is set up (a Ping)
 * before the daemon is stopped, and the stop is sent once the flood has
 * passed the bus.
 *
 * Usage: stop-client PID N NAME|ADDRESS   (on the session bus)
 */
#include <dbus/dbus.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define MAIN_NAME "org.chaird.Chair1"
#define PATH "/org/chaird/Chair1"
#define IFACE "org.chaird.Chair1"

static DBusMessage *new_call(const char *dest, const char *iface, const char *method)
{
	DBusMessage *m = dbus_message_new_method_call(dest, PATH, iface, method);

	if (!m) {
		fputs("stop-client: out of memory\n", stderr);
		exit(2);
	}
	return m;
}

/* Blocks for a call to the bus itself, which it answers in order: once it
 * has answered, it has passed on everything sent before on @p c. */
static void bus_round_trip(DBusConnection *c)
{
	DBusMessage *m = new_call(DBUS_SERVICE_DBUS, DBUS_INTERFACE_DBUS, "GetId"), *r;

	dbus_message_set_path(m, DBUS_PATH_DBUS);
	r = dbus_connection_send_with_reply_and_block(c, m, 30000, NULL);
	dbus_message_unref(m);
	if (!r) {
		fputs("stop-client: the bus did not answer\n", stderr);
		exit(2);
	}
	dbus_message_unref(r);
}

/* The State in a GetAll reply, or "" without one. */
static const char *state_of(DBusMessage *m)
{
	DBusMessageIter it, d, e, v;

	if (!dbus_message_iter_init(m, &it) || dbus_message_iter_get_arg_type(&it) != DBUS_TYPE_ARRAY)
		return "";
	for (dbus_message_iter_recurse(&it, &d); dbus_message_iter_get_arg_type(&d) == DBUS_TYPE_DICT_ENTRY;
	     dbus_message_iter_next(&d)) {
		const char *key, *val;

		dbus_message_iter_recurse(&d, &e);
		dbus_message_iter_get_basic(&e, &key);
		dbus_message_iter_next(&e);
		dbus_message_iter_recurse(&e, &v);
		if (!strcmp(key, "State") && dbus_message_iter_get_arg_type(&v) == DBUS_TYPE_STRING) {
			dbus_message_iter_get_basic(&v, &val);
			return val;
		}
	}
	return "";
}

static DBusConnection *connect_bus(void)
{
	DBusError e;
	DBusConnection *c;

	dbus_error_init(&e);
	c = dbus_bus_get_private(DBUS_BUS_SESSION, &e);
	if (!c) {
		fprintf(stderr, "stop-client: %s\n", e.message);
		exit(2);
	}
	return c;
}

/* A peer-to-peer connection to the stop socket, authenticated and tried. */
static DBusConnection *connect_peer(const char *address)
{
	DBusError e;
	DBusConnection *c;
	DBusMessage *m, *r;

	dbus_error_init(&e);
	c = dbus_connection_open_private(address, &e);
	if (!c) {
		fprintf(stderr, "stop-client: %s\n", e.message);
		exit(2);
	}
	m = new_call(NULL, DBUS_INTERFACE_PEER, "Ping");
	r = dbus_connection_send_with_reply_and_block(c, m, 30000, &e);
	dbus_message_unref(m);
	if (!r) {
		fprintf(stderr, "stop-client: %s\n", e.message);
		exit(2);
	}
	dbus_message_unref(r);
	return c;
}

int main(int argc, char **argv)
{
	DBusConnection *flood, *stop;
	DBusMessage *m;
	DBusPendingCall *pending;
	const char *iface = IFACE;
	bool peer;
	long pid, n, before = 0, replies = 0;
	int rc;

	if (argc != 4 || (pid = atol(argv[1])) <= 0 || (n = atol(argv[2])) <= 0) {
		fputs("usage: stop-client PID N NAME\n", stderr);
		return 2;
	}
	peer = strchr(argv[3], ':') != NULL;
	flood = connect_bus();
	stop = peer ? connect_peer(argv[3]) : connect_bus();
	if (kill((pid_t)pid, SIGSTOP) < 0) {
		perror("stop-client: SIGSTOP");
		return 2;
	}
	for (long i = 0; i < n; i++) {
		m = new_call(MAIN_NAME, DBUS_INTERFACE_PROPERTIES, "GetAll");
		dbus_message_append_args(m, DBUS_TYPE_STRING, &iface, DBUS_TYPE_INVALID);
		dbus_connection_send(flood, m, NULL);
		dbus_message_unref(m);
	}
	bus_round_trip(flood);
	m = new_call(peer ? NULL : argv[3], IFACE, "EmergencyStop");
	if (!dbus_connection_send_with_reply(stop, m, &pending, 60000) || !pending) {
		fputs("stop-client: out of memory\n", stderr);
		return 2;
	}
	dbus_message_unref(m);
	if (peer)
		dbus_connection_flush(stop); /* in the daemon's socket now */
	else
		bus_round_trip(stop);
	/* Everything is queued to the daemon, in that order: let it go on. */
	kill((pid_t)pid, SIGCONT);

	while (replies < n && dbus_connection_read_write(flood, 30000)) {
		while ((m = dbus_connection_pop_message(flood))) {
			if (dbus_message_get_type(m) == DBUS_MESSAGE_TYPE_METHOD_RETURN) {
				replies++;
				before += strcmp(state_of(m), "emergency-stop") != 0;
			}
			dbus_message_unref(m);
		}
	}
	dbus_pending_call_block(pending);
	m = dbus_pending_call_steal_reply(pending);
	dbus_pending_call_unref(pending);
	printf("before-stop %ld of %ld\n%s\n", before, n,
	       !m ? "no reply" : dbus_message_get_type(m) == DBUS_MESSAGE_TYPE_ERROR ?
	       dbus_message_get_error_name(m) : "return");
	rc = m && dbus_message_get_type(m) == DBUS_MESSAGE_TYPE_METHOD_RETURN && replies == n ? 0 : 1;
	if (m)
		dbus_message_unref(m);
	dbus_connection_close(flood);
	dbus_connection_unref(flood);
	dbus_connection_close(stop);
	dbus_connection_unref(stop);
	return rc;
}
