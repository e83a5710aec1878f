/* SPDX-License-Identifier: MIT */
/* Motor speed through a kernel PWM channel (sysfs). */
#ifndef CHAIRD_PWM_H
#define CHAIRD_PWM_H

#include <stdbool.h>

struct pwm_channel;

/**
 * Exports channel @p channel of @p chip under @p root (normally
 * /sys/class/pwm), then sets its period, a zero duty cycle, and enables
 * it, in that order.
 */
int pwm_open(const char *root, const char *chip, unsigned channel, unsigned long period_ns,
	     struct pwm_channel **ret);
/** Sets the duty cycle in percent; writes only when it changes. */
int pwm_set(struct pwm_channel *c, unsigned percent);
/** Zero duty, disabled. NULL is a no-op. */
void pwm_close(struct pwm_channel *c);
bool pwm_same(const struct pwm_channel *c, const char *chip, unsigned channel);

#endif
