// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "benchproc.h"

char bench_bus_address[300];

uint64_t bench_mono_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

void bench_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: ", program_invocation_short_name);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

pid_t bench_spawn(char *const argv[], const char *notify, const char *out)
{
	pid_t pid = fork();

	if (pid < 0)
		bench_die("fork: %m");
	if (pid == 0) {
		int fd = open(out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(fd, 1);
		dup2(fd, 2);
		setenv("DBUS_SESSION_BUS_ADDRESS", bench_bus_address, 1);
		if (notify)
			setenv("NOTIFY_SOCKET", notify, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

pid_t bench_start_bus(const char *dir)
{
	char *argv[] = { "/usr/bin/dbus-daemon", "--session", "--nofork", "--nopidfile", NULL, NULL };
	char addr_arg[320], path[300];
	pid_t pid;

	snprintf(bench_bus_address, sizeof(bench_bus_address), "unix:path=%s/bus", dir);
	snprintf(addr_arg, sizeof(addr_arg), "--address=%s", bench_bus_address);
	argv[4] = addr_arg;
	pid = bench_spawn(argv, NULL, NULL);
	snprintf(path, sizeof(path), "%s/bus", dir);
	for (int i = 0; i < 500; i++) {
		if (access(path, F_OK) == 0)
			return pid;
		usleep(10000);
	}
	bench_die("dbus-daemon did not start");
}

int bench_notify_socket(const char *dir, char *path, size_t n)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	snprintf(path, n, "%s/notify", dir);
	unlink(path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		bench_die("notify socket: %m");
	return fd;
}

bool bench_wait_ready(int fd, int timeout_ms, volatile sig_atomic_t *give_up)
{
	uint64_t deadline = bench_mono_usec() + (uint64_t)timeout_ms * 1000;
	char buf[512];

	while (!(give_up && *give_up)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t now = bench_mono_usec();
		ssize_t k;

		if (now >= deadline)
			return false;
		/* Short polls, so that a give-up flag set by a signal is seen. */
		if (poll(&p, 1, (int)((deadline - now) / 1000 < 20 ? (deadline - now) / 1000 + 1 : 20)) <= 0)
			continue;
		k = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
		if (k <= 0)
			continue;
		buf[k] = 0;
		if (strstr(buf, "READY=1"))
			return true;
	}
	return false;
}

void bench_dict_entry(DBusMessageIter *d, const char *key, int type, const void *v)
{
	char sig[2] = { (char)type, 0 };
	DBusMessageIter e, var;

	dbus_message_iter_open_container(d, DBUS_TYPE_DICT_ENTRY, NULL, &e);
	dbus_message_iter_append_basic(&e, DBUS_TYPE_STRING, &key);
	dbus_message_iter_open_container(&e, DBUS_TYPE_VARIANT, sig, &var);
	dbus_message_iter_append_basic(&var, type, v);
	dbus_message_iter_close_container(&e, &var);
	dbus_message_iter_close_container(d, &e);
}

DBusConnection *bench_connect(void)
{
	DBusError e;
	DBusConnection *c;

	dbus_error_init(&e);
	c = dbus_connection_open_private(bench_bus_address, &e);
	if (!c || !dbus_bus_register(c, &e))
		bench_die("cannot connect: %s", e.message);
	dbus_connection_set_exit_on_disconnect(c, FALSE);
	return c;
}
