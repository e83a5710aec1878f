// SPDX-License-Identifier: MIT
/* Reads PNG files with cairo and prints, for each, one JSON line: its size,
 * how many pixels are not white, how many colours it has, and a hash of its
 * pixels. The preview tests use it to see that a picture has something on
 * it and that two pictures differ. */
#include <cairo.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An open-addressing set of the colours seen; it counts up to half its size. */
#define SET_SIZE (1u << 16)
#define EMPTY UINT32_MAX

static size_t add_colour(uint32_t *set, uint32_t px)
{
	uint32_t i = (px * 2654435761u) & (SET_SIZE - 1);

	while (set[i] != EMPTY && set[i] != px)
		i = (i + 1) & (SET_SIZE - 1);
	if (set[i] == px)
		return 0;
	set[i] = px;
	return 1;
}

static int stats(const char *path)
{
	cairo_surface_t *s = cairo_image_surface_create_from_png(path);
	static uint32_t seen[SET_SIZE];
	size_t n_seen = 0, inked = 0;
	uint64_t hash = UINT64_C(1469598103934665603);
	int w, h, stride;
	const unsigned char *data;

	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
		fprintf(stderr, "png-stats: cannot read %s: %s\n", path,
			cairo_status_to_string(cairo_surface_status(s)));
		cairo_surface_destroy(s);
		return 1;
	}
	w = cairo_image_surface_get_width(s);
	h = cairo_image_surface_get_height(s);
	stride = cairo_image_surface_get_stride(s);
	data = cairo_image_surface_get_data(s);
	memset(seen, 0xff, sizeof(seen));
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			uint32_t px;

			memcpy(&px, data + (size_t)y * stride + (size_t)x * 4, 4);
			px &= 0xffffff;
			if (px != 0xffffff)
				inked++;
			hash = (hash ^ px) * UINT64_C(1099511628211);
			if (n_seen < SET_SIZE / 2)
				n_seen += add_colour(seen, px);
		}
	printf("{\"path\":\"%s\",\"width\":%d,\"height\":%d,\"inked\":%zu,\"colours\":%zu,"
	       "\"hash\":\"%016" PRIx64 "\"}\n", path, w, h, inked, n_seen, hash);
	cairo_surface_destroy(s);
	return 0;
}

int main(int argc, char **argv)
{
	int r = 0;

	for (int i = 1; i < argc; i++)
		r |= stats(argv[i]);
	return r;
}
