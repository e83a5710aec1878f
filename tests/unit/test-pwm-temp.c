// SPDX-License-Identifier: MIT
/*
 * PWM against a fake sysfs tree in a temporary directory, with the order of
 * the writes read back through inotify; and temperature files: good
 * values, garbage, an empty file, a missing file, an implausible value and
 * a stale reading, each carried through to what the safety core does.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "macro.h"
#include "pwm.h"
#include "safety.h"
#include "temp.h"
#include "testutil.h"

static char root[TEST_PATH_MAX];

/* No process of this test may outlive it or block forever: the child that
 * plays the kernel gives up after CHILD_DEADLINE_MS, and the parent waits for
 * it no longer than that and kills it when a check fails half-way. */
#define CHILD_DEADLINE_MS 10000
static pid_t child = -1;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Waits for the child to exit, up to the deadline; returns its exit status,
 * or -1 when it had to be killed. */
static int reap_child(void)
{
	uint64_t deadline = now_ms() + CHILD_DEADLINE_MS + 2000;
	int status;
	pid_t r;

	if (child < 0)
		return 0;
	while ((r = waitpid(child, &status, WNOHANG)) == 0 && now_ms() < deadline)
		nanosleep(&(struct timespec){ .tv_nsec = 5000000 }, NULL);
	if (r == 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		child = -1;
		return -1;
	}
	child = -1;
	return r == -1 ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int teardown_child(void **state)
{
	(void)state;
	if (child > 0)
		kill(child, SIGKILL);
	reap_child();
	return 0;
}

static void put(const char *rel, const char *text)
{
	test_write_file(root, rel, text);
}

static void get(const char *rel, char *buf, size_t n)
{
	char path[TEST_PATH_MAX * 2];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "re");
	assert_non_null(f);
	buf[fread(buf, 1, n - 1, f)] = 0;
	fclose(f);
}

static void make_tree(void)
{
	char path[TEST_PATH_MAX * 2];

	test_mkdtemp(root, sizeof(root), "chaird-sysfs");
	snprintf(path, sizeof(path), "%s/pwmchip0", root);
	mkdir(path, 0755);
	put("pwmchip0/export", "");
	/* The kernel makes pwm1/ on export; the fake tree has it already. */
	snprintf(path, sizeof(path), "%s/pwmchip0/pwm1", root);
	mkdir(path, 0755);
	put("pwmchip0/pwm1/period", "0");
	put("pwmchip0/pwm1/duty_cycle", "0");
	put("pwmchip0/pwm1/enable", "0");
}

static void remove_tree(void)
{
	test_rm_rf(root);
}

/* Reads the names of the files modified, in order, from an inotify fd. */
static size_t read_events(int fd, char names[][32], size_t max)
{
	char buf[4096] __attribute__((aligned(8)));
	size_t n = 0;
	ssize_t len = read(fd, buf, sizeof(buf));

	for (char *p = buf; len > 0 && p < buf + len && n < max;) {
		struct inotify_event *ev = (struct inotify_event *)p;

		if (ev->len && (ev->mask & IN_MODIFY) &&
		    (n == 0 || strcmp(names[n - 1], ev->name) != 0))
			snprintf(names[n++], 32, "%s", ev->name);
		p += sizeof(*ev) + ev->len;
	}
	return n;
}

static const char *const channel_attrs[] = { "period", "duty_cycle", "enable" };

/* Forks the child that plays the kernel: once "export" is written, it puts
 * the channel's directory back from @p aside to @p chan, as the kernel makes
 * it. With @p udev_ms > 0 it plays udev too: that much later it makes the
 * channel's files writable, as 60-chaird-pwm.rules does. Returns once the
 * child is watching. */
static void spawn_kernel(const char *export, const char *aside, const char *chan, long udev_ms)
{
	int pipefd[2];
	char b[512];

	assert_int_equal(pipe(pipefd), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		int ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
		struct pollfd p = { .fd = ifd, .events = POLLIN };

		inotify_add_watch(ifd, export, IN_MODIFY);
		if (write(pipefd[1], "r", 1) != 1)
			_exit(1);
		/* Put the channel back once "export" is written, or give up. */
		if (poll(&p, 1, CHILD_DEADLINE_MS) != 1 || read(ifd, b, sizeof(b)) <= 0)
			_exit(2);
		if (rename(aside, chan) != 0)
			_exit(3);
		if (udev_ms > 0) {
			nanosleep(&(struct timespec){ .tv_sec = udev_ms / 1000,
						      .tv_nsec = udev_ms % 1000 * 1000000 }, NULL);
			for (size_t i = 0; i < 3; i++) {
				snprintf(b, sizeof(b), "%s/%s", chan, channel_attrs[i]);
				if (chmod(b, 0666) != 0)
					_exit(4);
			}
		}
		_exit(0);
	}
	assert_int_equal(read(pipefd[0], b, 1), 1); /* the child is watching */
	close(pipefd[0]);
	close(pipefd[1]);
}

static void test_pwm_order(void **state)
{
	struct pwm_channel *c = NULL;
	char names[16][32], buf[TEST_PATH_MAX * 2], chan[TEST_PATH_MAX * 2];
	char aside[TEST_PATH_MAX * 2], export[TEST_PATH_MAX * 2];
	int fd;
	size_t n;

	(void)state;
	make_tree();
	snprintf(chan, sizeof(chan), "%s/pwmchip0/pwm1", root);
	snprintf(aside, sizeof(aside), "%s/aside", root);
	snprintf(export, sizeof(export), "%s/pwmchip0/export", root);
	/* The channel is not exported yet: its directory is set aside, and a
	 * child puts it back when "export" is written, as the kernel would. */
	assert_int_equal(rename(chan, aside), 0);
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	snprintf(buf, sizeof(buf), "%s/pwmchip0", root);
	assert_true(inotify_add_watch(fd, buf, IN_MODIFY) >= 0);
	assert_true(inotify_add_watch(fd, aside, IN_MODIFY) >= 0); /* follows the rename */
	spawn_kernel(export, aside, chan, 0);
	assert_int_equal(pwm_open(root, "pwmchip0", 1, 40000, &c), 0);
	assert_int_equal(reap_child(), 0);

	n = read_events(fd, names, 16);
	assert_int_equal(n, 4);
	assert_string_equal(names[0], "export");
	assert_string_equal(names[1], "period");
	assert_string_equal(names[2], "duty_cycle");
	assert_string_equal(names[3], "enable");
	get("pwmchip0/export", buf, sizeof(buf));
	assert_string_equal(buf, "1");
	get("pwmchip0/pwm1/period", buf, sizeof(buf));
	assert_string_equal(buf, "40000");
	get("pwmchip0/pwm1/enable", buf, sizeof(buf));
	assert_string_equal(buf, "1");

	/* Speed: 75 % of the period; an unchanged duty is not written again. */
	assert_int_equal(pwm_set(c, 75), 0);
	get("pwmchip0/pwm1/duty_cycle", buf, sizeof(buf));
	assert_string_equal(buf, "30000");
	assert_int_equal(pwm_set(c, 75), 0);
	assert_int_equal(read_events(fd, names, 16), 1);
	assert_true(pwm_same(c, "pwmchip0", 1));
	assert_false(pwm_same(c, "pwmchip0", 2));
	/* Closing leaves it stopped: duty 0, then disabled. */
	pwm_close(c);
	assert_int_equal(read_events(fd, names, 16), 2);
	assert_string_equal(names[0], "duty_cycle");
	assert_string_equal(names[1], "enable");
	get("pwmchip0/pwm1/duty_cycle", buf, sizeof(buf));
	assert_int_equal(atoi(buf), 0);
	get("pwmchip0/pwm1/enable", buf, sizeof(buf));
	assert_string_equal(buf, "0");

	/* Already exported: no export write, the same order after it. */
	assert_int_equal(pwm_open(root, "pwmchip0", 1, 20000, &c), 0);
	n = read_events(fd, names, 16);
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "period");
	pwm_close(c);
	/* A chip that does not exist is an error, not a hang. */
	assert_int_equal(pwm_open(root, "pwmchip7", 0, 40000, &c), -ENOENT);
	close(fd);
	remove_tree();
}

/* After an export the channel's files are the kernel's, read-only to chaird,
 * until udev hands them over a moment later: pwm_open() waits for that
 * instead of failing. A child plays the kernel and a slow udev; pwm_open()
 * runs in another child, as nobody when this test runs as root. */
static void test_pwm_waits_for_udev(void **state)
{
	char path[TEST_PATH_MAX * 3], chan[TEST_PATH_MAX * 2], aside[TEST_PATH_MAX * 2];
	char export[TEST_PATH_MAX * 2];
	pid_t opener;
	int status;

	(void)state;
	make_tree();
	snprintf(chan, sizeof(chan), "%s/pwmchip0/pwm1", root);
	snprintf(aside, sizeof(aside), "%s/aside", root);
	snprintf(export, sizeof(export), "%s/pwmchip0/export", root);
	assert_int_equal(chmod(root, 0755), 0);
	assert_int_equal(chmod(export, 0666), 0);
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", chan, channel_attrs[i]);
		assert_int_equal(chmod(path, 0444), 0);
	}
	assert_int_equal(rename(chan, aside), 0);
	spawn_kernel(export, aside, chan, 200);
	opener = fork();
	assert_true(opener >= 0);
	if (opener == 0) {
		struct pwm_channel *c = NULL;
		int r;

		if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
			_exit(100);
		r = pwm_open(root, "pwmchip0", 1, 40000, &c);
		pwm_close(c);
		_exit(r < 0 ? -r : 0);
	}
	assert_int_equal(waitpid(opener, &status, 0), opener);
	assert_int_equal(reap_child(), 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0); /* not EACCES */
	remove_tree();
}

static void test_temperature_files(void **state)
{
	char path[TEST_PATH_MAX * 2];
	double c = 0;

	(void)state;
	make_tree();
	snprintf(path, sizeof(path), "%s/t", root);

	put("t", "45250\n");
	assert_int_equal(temp_read_file(path, 0.001, 0, &c), 0);
	assert_true(c > 45.249 && c < 45.251);
	put("t", "36.5");
	assert_int_equal(temp_read_file(path, 1.0, -1.5, &c), 0);
	assert_true(c == 35.0);
	put("t", "hot\n");
	assert_int_equal(temp_read_file(path, 0.001, 0, &c), -EINVAL);
	put("t", "12x");
	assert_int_equal(temp_read_file(path, 0.001, 0, &c), -EINVAL);
	put("t", "");
	assert_int_equal(temp_read_file(path, 0.001, 0, &c), -ENODATA);
	put("t", "  \n");
	assert_int_equal(temp_read_file(path, 0.001, 0, &c), -ENODATA);
	snprintf(path, sizeof(path), "%s/missing", root);
	assert_int_equal(temp_read_file(path, 0.001, 0, &c), -ENOENT);
	remove_tree();
}

/* What the safety core makes of each kind of reading. */
static uint32_t safety_on(struct chair_temp t, uint64_t now)
{
	struct chair_hw hw;
	struct chair_safety *s;
	struct chair_inputs in = { 0 };
	struct chair_request req = { .session = true };
	struct chair_outputs cmd;
	uint32_t f;

	chair_hw_default(&hw);
	hw.outputs &= ~(UINT32_C(1) << CHAIR_OUT_HEAT_CALVES);
	assert_int_equal(chair_safety_new(&hw, &s), 0);
	in.in[CHAIR_IN_SEAT] = true;
	in.temp[CHAIR_HEATER_LUMBAR] = t;
	req.heat[CHAIR_HEATER_LUMBAR] = 2;
	chair_safety_step(s, now, &in, &req, &cmd);
	f = chair_safety_faults(s);
	if (f)
		assert_false(cmd.out[CHAIR_OUT_HEAT_LUMBAR]);
	chair_safety_free(s);
	return f;
}

static void test_readings_to_safety(void **state)
{
	const uint64_t now = 100 * USEC_PER_SEC;
	const uint32_t sensor = 1u << CHAIR_FAULT_HEATER_LUMBAR_SENSOR;

	(void)state;
	assert_int_equal(safety_on((struct chair_temp){ true, 45.2, now }, now), 0);
	/* garbage, empty and missing files all end up as unreadable */
	assert_int_equal(safety_on((struct chair_temp){ false, 0, 0 }, now), sensor);
	/* a value outside the plausible range */
	assert_int_equal(safety_on((struct chair_temp){ true, 180.0, now }, now), sensor);
	assert_int_equal(safety_on((struct chair_temp){ true, -45.0, now }, now), sensor);
	/* a stale reading: not read for more than 2 s */
	assert_int_equal(safety_on((struct chair_temp){ true, 45.0, now - 2100000 }, now), sensor);
	assert_int_equal(safety_on((struct chair_temp){ true, 45.0, now - 1900000 }, now), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_pwm_order, teardown_child),
		cmocka_unit_test_teardown(test_pwm_waits_for_udev, teardown_child),
		cmocka_unit_test(test_temperature_files),
		cmocka_unit_test(test_readings_to_safety),
	};

	return cmocka_run_group_tests_name("pwm-temp", tests, NULL, NULL);
}
