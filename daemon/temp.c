// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "temp.h"

int temp_read_file(const char *path, double scale, double offset, double *ret_celsius)
{
	char buf[64];
	char *end;
	ssize_t n;
	double v;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	close(fd);
	buf[n] = '\0';
	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	if (n == 0)
		return -ENODATA;
	errno = 0;
	v = strtod(buf, &end);
	if (errno || end == buf || *end || !isfinite(v))
		return -EINVAL;
	*ret_celsius = v * scale + offset;
	return 0;
}
