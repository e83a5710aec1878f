// SPDX-License-Identifier: MIT
/*
 * The stop socket: a peer-to-peer D-Bus server that serves only
 * EmergencyStop() (with Introspect and Peer), so that a stop reaches the
 * daemon without passing through the bus daemon: nothing another client
 * queued on the bus is ahead of it, and it works while the bus daemon hangs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bus-glue.h"
#include "log.h"
#include "manager.h"
#include "stop-socket.h"

/* Enough for every panel and tool at once; more are refused, so nobody can
 * use up the daemon's file descriptors through it. */
#define STOP_SOCKET_MAX_PEERS 32
/* A stop is a call with no arguments: nothing larger is needed. */
#define MAX_MESSAGE_SIZE 4096
#define MAX_RECEIVED_SIZE (64 * 1024)

struct stop_peer {
	DBusConnection *conn;
	struct bus_glue *glue;
	bool gone; /* disconnected: freed from the reap source */
};

struct stop_socket {
	struct manager *m;
	sd_event *event;
	int64_t priority;
	DBusServer *server;
	struct bus_glue *server_glue;
	char *path;
	struct stop_peer peers[STOP_SOCKET_MAX_PEERS];
	size_t n_peers;
	bool said_full; /* refusals are logged once until a slot is free */
	sd_event_source *reap;
};

static void peer_free(struct stop_peer *p)
{
	p->glue = bus_glue_free(p->glue);
	if (p->conn) {
		dbus_connection_close(p->conn);
		dbus_connection_unref(p->conn);
	}
	*p = (struct stop_peer){ 0 };
}

/* Frees the peers that hung up, outside their own dispatch. */
static int reap_cb(sd_event_source *src, void *userdata)
{
	struct stop_socket *s = userdata;

	for (size_t i = 0; i < s->n_peers;) {
		if (!s->peers[i].gone) {
			i++;
			continue;
		}
		peer_free(&s->peers[i]);
		s->peers[i] = s->peers[--s->n_peers];
		s->peers[s->n_peers] = (struct stop_peer){ 0 };
		s->said_full = false;
	}
	sd_event_source_set_enabled(src, SD_EVENT_OFF);
	return 0;
}

static void route_peer(DBusConnection *c, DBusMessage *msg, void *userdata)
{
	struct stop_socket *s = userdata;

	if (dbus_message_is_signal(msg, DBUS_INTERFACE_LOCAL, "Disconnected")) {
		/* We are inside this connection's dispatch: free it later. */
		for (size_t i = 0; i < s->n_peers; i++)
			if (s->peers[i].conn == c)
				s->peers[i].gone = true;
		sd_event_source_set_enabled(s->reap, SD_EVENT_ONESHOT);
		return;
	}
	/* gdbus and busctl given an address greet it as a bus: a name for
	 * them, so that they go on to the stop. */
	if (dbus_message_is_method_call(msg, DBUS_INTERFACE_DBUS, "Hello") &&
	    dbus_message_has_path(msg, DBUS_PATH_DBUS)) {
		static const char *const name = ":1.0";
		DBusMessage *reply = bus_reply(msg);

		if (reply && dbus_message_append_args(reply, DBUS_TYPE_STRING, &name,
						      DBUS_TYPE_INVALID))
			dbus_connection_send(c, reply, NULL);
		if (reply)
			dbus_message_unref(reply);
		return;
	}
	chair_object_route_stop(c, msg, s->m);
}

/* Anyone may stop the chair, as the bus policy says. */
static dbus_bool_t allow_any_user(DBusConnection *c, unsigned long uid, void *data)
{
	return TRUE;
}

static void new_connection(DBusServer *server, DBusConnection *c, void *userdata)
{
	struct stop_socket *s = userdata;
	struct stop_peer *p;
	int r;

	if (s->n_peers >= STOP_SOCKET_MAX_PEERS) {
		/* Not referenced: libdbus closes it. */
		if (!s->said_full)
			log_warning("Refused a connection to the stop socket: %d are open already",
				    STOP_SOCKET_MAX_PEERS);
		s->said_full = true;
		return;
	}
	dbus_connection_set_exit_on_disconnect(c, FALSE);
	dbus_connection_set_unix_user_function(c, allow_any_user, NULL, NULL);
	dbus_connection_set_max_message_size(c, MAX_MESSAGE_SIZE);
	dbus_connection_set_max_received_size(c, MAX_RECEIVED_SIZE);
	dbus_connection_set_max_message_unix_fds(c, 0);
	p = &s->peers[s->n_peers];
	p->conn = dbus_connection_ref(c);
	r = bus_glue_attach(c, s->event, s->priority, &p->glue);
	if (r < 0) {
		log_warning_errno(r, "Refused a connection to the stop socket: %m");
		peer_free(p);
		return;
	}
	bus_glue_set_router(p->glue, route_peer, chair_object_urgent, s);
	s->n_peers++;
}

struct stop_socket *stop_socket_free(struct stop_socket *s)
{
	if (!s)
		return NULL;
	for (size_t i = 0; i < s->n_peers; i++)
		peer_free(&s->peers[i]);
	s->server_glue = bus_glue_free(s->server_glue);
	if (s->server) {
		/* Removes the socket file too. */
		dbus_server_disconnect(s->server);
		dbus_server_unref(s->server);
	}
	sd_event_source_disable_unref(s->reap);
	sd_event_unref(s->event);
	free(s->path);
	free(s);
	return NULL;
}

static int listen_on(struct stop_socket *s)
{
	static const char *const mechanisms[] = { "EXTERNAL", NULL };
	char *escaped, *address;
	DBusError err;
	int r;

	escaped = dbus_address_escape_value(s->path);
	if (!escaped || asprintf(&address, "unix:path=%s", escaped) < 0) {
		dbus_free(escaped);
		return log_warning_errno(-ENOMEM, "No stop socket: %m");
	}
	dbus_free(escaped);
	/* A socket file left by a daemon that did not exit cleanly: we own the
	 * bus name, so it is no other running daemon's. */
	if (unlink(s->path) < 0 && errno != ENOENT)
		log_warning_errno(-errno, "Could not remove the old %s: %m", s->path);
	dbus_error_init(&err);
	s->server = dbus_server_listen(address, &err);
	free(address);
	if (!s->server) {
		log_warning("No stop socket at %s (%s): EmergencyStop() is served on the bus only",
			    s->path, err.message);
		dbus_error_free(&err);
		return -EIO;
	}
	/* Anyone may stop the chair; the daemon's umask says otherwise. */
	if (chmod(s->path, 0666) < 0)
		log_warning_errno(-errno, "Could not open %s to every user: %m", s->path);
	if (!dbus_server_set_auth_mechanisms(s->server, (const char **)mechanisms))
		return log_warning_errno(-ENOMEM, "No stop socket: %m");
	dbus_server_set_new_connection_function(s->server, new_connection, s, NULL);
	r = bus_glue_attach_server(s->server, s->event, s->priority, &s->server_glue);
	if (r < 0)
		return log_warning_errno(r, "No stop socket: %m");
	return 0;
}

struct stop_socket *stop_socket_new(struct manager *m, const char *path, int64_t priority)
{
	struct stop_socket *s = calloc(1, sizeof(*s));

	if (!s) {
		log_warning_errno(-ENOMEM, "No stop socket: %m");
		return NULL;
	}
	s->m = m;
	s->event = sd_event_ref(m->event);
	s->priority = priority;
	s->path = strdup(path);
	if (!s->path || sd_event_add_defer(s->event, &s->reap, reap_cb, s) < 0) {
		log_warning_errno(-ENOMEM, "No stop socket: %m");
		return stop_socket_free(s);
	}
	sd_event_source_set_enabled(s->reap, SD_EVENT_OFF);
	sd_event_source_set_description(s->reap, "stop-socket-reap");
	if (listen_on(s) < 0)
		return stop_socket_free(s);
	log_info("EmergencyStop() is also served on the stop socket %s", s->path);
	return s;
}
