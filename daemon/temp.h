/* SPDX-License-Identifier: MIT */
/* Heater temperatures from sysfs files (IIO in_temp*_input, or
 * thermal_zone*\/temp). */
#ifndef CHAIRD_TEMP_H
#define CHAIRD_TEMP_H

/**
 * Reads a temperature file: reading x scale + offset = degrees C.
 * Returns 0, -ENOENT (missing), -ENODATA (empty), -EINVAL (not a number),
 * or another negative errno from reading.
 */
int temp_read_file(const char *path, double scale, double offset, double *ret_celsius);

#endif
