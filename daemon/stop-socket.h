/* SPDX-License-Identifier: MIT */
/*
 * The stop socket: EmergencyStop() served on a socket of its own, past the
 * bus daemon.
 */
#ifndef CHAIRD_STOP_SOCKET_H
#define CHAIRD_STOP_SOCKET_H

#include <stdint.h>

struct manager;
struct stop_socket;

/**
 * Listens on @p path (mode 0666) for peer-to-peer D-Bus connections that
 * may call only EmergencyStop(), Introspect and Peer; their sources get
 * @p priority. Logs a warning and returns NULL if it cannot listen.
 */
struct stop_socket *stop_socket_new(struct manager *m, const char *path, int64_t priority);
/** Closes every connection and removes the socket file. NULL is a no-op. */
struct stop_socket *stop_socket_free(struct stop_socket *s);

#endif
