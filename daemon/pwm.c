// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pwm.h"

struct pwm_channel {
	char *chip;
	unsigned channel;
	char dir[512];
	unsigned long period;
	long duty; /* -1: unknown */
	int duty_fd;
};

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int r = 0;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	if (n < 0)
		r = -errno;
	close(fd);
	return r;
}

static int write_attr(struct pwm_channel *c, const char *attr, unsigned long v)
{
	char path[600], buf[32];

	snprintf(path, sizeof(path), "%s/%s", c->dir, attr);
	snprintf(buf, sizeof(buf), "%lu", v);
	return write_str(path, buf);
}

/* Whether chaird may write the files pwm_open() and pwm_set() write. */
static bool attrs_writable(const struct pwm_channel *c)
{
	static const char *const attrs[] = { "period", "duty_cycle", "enable" };
	char path[600];

	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", c->dir, attrs[i]);
		if (access(path, W_OK) < 0)
			return false;
	}
	return true;
}

int pwm_open(const char *root, const char *chip, unsigned channel, unsigned long period_ns,
	     struct pwm_channel **ret)
{
	struct pwm_channel *c;
	char path[600], buf[16];
	struct stat st;
	int r;

	snprintf(path, sizeof(path), "%s/%s", root, chip);
	if (stat(path, &st) < 0)
		return -ENOENT;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->chip = strdup(chip);
	c->channel = channel;
	c->period = period_ns;
	c->duty = -1;
	c->duty_fd = -1;
	snprintf(c->dir, sizeof(c->dir), "%s/%s/pwm%u", root, chip, channel);
	if (stat(c->dir, &st) < 0) {
		snprintf(path, sizeof(path), "%s/%s/export", root, chip);
		snprintf(buf, sizeof(buf), "%u", channel);
		r = write_str(path, buf);
		if (r < 0)
			goto fail;
		/* The kernel makes the channel's directory at once, its files
		 * root's; udev then hands them to group gpio (60-chaird-pwm.rules),
		 * a moment later. Wait up to a second for both. */
		for (int i = 0; i < 100 && (stat(c->dir, &st) < 0 || !attrs_writable(c)); i++)
			nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
	}
	r = write_attr(c, "period", period_ns);
	if (r >= 0)
		r = write_attr(c, "duty_cycle", 0);
	if (r >= 0)
		r = write_attr(c, "enable", 1);
	if (r < 0)
		goto fail;
	c->duty = 0;
	snprintf(path, sizeof(path), "%s/duty_cycle", c->dir);
	c->duty_fd = open(path, O_WRONLY | O_CLOEXEC);
	if (c->duty_fd < 0) {
		r = -errno;
		goto fail;
	}
	*ret = c;
	return 0;
fail:
	free(c->chip);
	free(c);
	return r;
}

int pwm_set(struct pwm_channel *c, unsigned percent)
{
	unsigned long duty = c->period / 100 * (percent > 100 ? 100 : percent);
	char buf[32];
	int n;

	if ((long)duty == c->duty)
		return 0;
	n = snprintf(buf, sizeof(buf), "%lu", duty);
	if (pwrite(c->duty_fd, buf, (size_t)n, 0) < 0)
		return -errno;
	c->duty = (long)duty;
	return 0;
}

void pwm_close(struct pwm_channel *c)
{
	if (!c)
		return;
	if (c->duty_fd >= 0) {
		pwm_set(c, 0);
		close(c->duty_fd);
	}
	write_attr(c, "enable", 0);
	free(c->chip);
	free(c);
}

bool pwm_same(const struct pwm_channel *c, const char *chip, unsigned channel)
{
	return c && strcmp(c->chip, chip) == 0 && c->channel == channel;
}
