// SPDX-License-Identifier: MIT
#include <string.h>

#include "quote.h"

size_t chair_utf8_char_len(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char lo = 0x80, hi = 0xBF;
	size_t len;

	if (n == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		len = 2;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		len = 3;
		if (s[0] == 0xE0)
			lo = 0xA0; /* overlong */
		else if (s[0] == 0xED)
			hi = 0x9F; /* surrogates */
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		len = 4;
		if (s[0] == 0xF0)
			lo = 0x90; /* overlong */
		else if (s[0] == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
	} else {
		return 0;
	}
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return len;
}

bool chair_utf8_valid(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t k = chair_utf8_char_len(s + i, n - i);

		if (k == 0)
			return false;
		i += k;
	}
	return true;
}

char *chair_utf8_scrub(char *s)
{
	size_t n = strlen(s), i = 0;

	while (i < n) {
		size_t k = chair_utf8_char_len(s + i, n - i);

		if (k == 0) {
			s[i++] = '?';
			continue;
		}
		i += k;
	}
	return s;
}

const char *chair_quote(const char *s, size_t max, char *buf, size_t size)
{
	static const char more[] = "...";
	size_t n, i = 0, o = 0;

	if (size == 0)
		return buf;
	/* Room for the text, "..." and the NUL. */
	if (size < sizeof(more) + 1) {
		buf[0] = '\0';
		return buf;
	}
	if (max > size - sizeof(more))
		max = size - sizeof(more);
	n = s ? strlen(s) : 0;
	while (i < n) {
		size_t k = chair_utf8_char_len(s + i, n - i);

		if (k == 0 || (k == 1 && ((unsigned char)s[i] < 0x20 || s[i] == 0x7f))) {
			k = k ? k : 1;
			if (o + 1 > max)
				break;
			buf[o++] = '?';
			i += k;
			continue;
		}
		if (o + k > max)
			break;
		memcpy(buf + o, s + i, k);
		o += k;
		i += k;
	}
	if (i < n) {
		memcpy(buf + o, more, sizeof(more) - 1);
		o += sizeof(more) - 1;
	}
	buf[o] = '\0';
	return buf;
}
