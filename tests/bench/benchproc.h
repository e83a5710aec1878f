/* SPDX-License-Identifier: MIT */
/*
 * The real chaird on a private session bus, for the programs that measure
 * it or kill it: a dbus-daemon of their own, chaird started with a notify
 * socket so that READY=1 says when it is up, and a private connection.
 */
#ifndef CHAIRD_BENCHPROC_H
#define CHAIRD_BENCHPROC_H

#include <dbus/dbus.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The private bus, once bench_start_bus() has run. */
extern char bench_bus_address[300];

uint64_t bench_mono_usec(void);
/* Prints "PROGRAM: message" and exits 1. */
__attribute__((format(printf, 1, 2), noreturn)) void bench_die(const char *fmt, ...);

/* Runs @p argv on the private bus, with stdout and stderr to @p out
 * (/dev/null when NULL) and NOTIFY_SOCKET=@p notify when given. */
pid_t bench_spawn(char *const argv[], const char *notify, const char *out);
/* Starts dbus-daemon listening in @p dir; returns once it listens. */
pid_t bench_start_bus(const char *dir);
/* A datagram socket in @p dir for sd_notify(); its path goes to @p path. */
int bench_notify_socket(const char *dir, char *path, size_t n);
/* Waits for READY=1 on @p fd for up to @p timeout_ms; false at the
 * deadline, or as soon as *@p give_up is set (it may be NULL). */
bool bench_wait_ready(int fd, int timeout_ms, volatile sig_atomic_t *give_up);
/* Appends {@p key: <value>} to the a{sv} @p d; @p type is a basic type. */
void bench_dict_entry(DBusMessageIter *d, const char *key, int type, const void *v);
/* A private connection to the bus; exits on failure. */
DBusConnection *bench_connect(void);

#endif
