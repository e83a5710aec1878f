// SPDX-License-Identifier: MIT
/* Caller text is quoted as valid UTF-8, cut on a character boundary. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "macro.h"
#include "quote.h"

static void test_char_len(void **state)
{
	(void)state;
	assert_int_equal(chair_utf8_char_len("a", 1), 1);
	assert_int_equal(chair_utf8_char_len("\xc3\xa9", 2), 2);          /* é */
	assert_int_equal(chair_utf8_char_len("\xc3\xa9", 1), 0);          /* cut */
	assert_int_equal(chair_utf8_char_len("\xe2\x82\xac", 3), 3);      /* € */
	assert_int_equal(chair_utf8_char_len("\xf0\x9f\x92\x86", 4), 4);  /* 💆 */
	assert_int_equal(chair_utf8_char_len("\xc0\xaf", 2), 0);          /* overlong '/' */
	assert_int_equal(chair_utf8_char_len("\xe0\x80\xaf", 3), 0);      /* overlong */
	assert_int_equal(chair_utf8_char_len("\xed\xa0\x80", 3), 0);      /* surrogate */
	assert_int_equal(chair_utf8_char_len("\xf4\x90\x80\x80", 4), 0);  /* > U+10FFFF */
	assert_int_equal(chair_utf8_char_len("\x80", 1), 0);              /* continuation */
	assert_int_equal(chair_utf8_char_len("\xff", 1), 0);
	assert_true(chair_utf8_valid("caf\xc3\xa9", 5));
	assert_false(chair_utf8_valid("caf\xc3", 4));
	assert_true(chair_utf8_valid("", 0));
}

static void test_scrub(void **state)
{
	char s[] = "ok \xc3 \xff\xfe end \xe2\x82";
	char t[] = "caf\xc3\xa9";

	(void)state;
	assert_string_equal(chair_utf8_scrub(s), "ok ? ?? end ??");
	assert_string_equal(chair_utf8_scrub(t), "caf\xc3\xa9");
}

/* The daemon's crash: 63 'a' then 'é' cut at 64 bytes split the 'é'. At
 * every length around the bound, and for characters of every width, the
 * quote is valid UTF-8, within the bound, and a prefix of the text. */
static void test_quote_bound(void **state)
{
	static const char *const chars[] = { "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x92\x86" };
	char text[256], buf[CHAIR_QUOTE_BUF];

	(void)state;
	for (size_t c = 0; c < ELEMENTSOF(chars); c++)
		for (size_t pad = 56; pad <= 70; pad++) {
			const char *q;
			size_t n;

			memset(text, 'a', pad);
			strcpy(text + pad, chars[c]);
			strcat(text, "zz");
			q = chair_quote(text, CHAIR_QUOTE_MAX, buf, sizeof(buf));
			n = strlen(q);
			assert_true(chair_utf8_valid(q, n));
			assert_true(n <= CHAIR_QUOTE_MAX + 3);
			if (pad + strlen(chars[c]) + 2 <= CHAIR_QUOTE_MAX) {
				assert_string_equal(q, text);
			} else {
				assert_string_equal(q + n - 3, "...");
				assert_memory_equal(q, text, n - 3);
			}
		}
	assert_string_equal(CHAIR_QUOTE(NULL), "");
	assert_string_equal(CHAIR_QUOTE("swedish"), "swedish");
}

static void test_quote_cleans(void **state)
{
	char small[8];

	(void)state;
	assert_string_equal(CHAIR_QUOTE("a\xff" "b\nc\x7f"), "a?b?c?");
	assert_string_equal(CHAIR_QUOTE("\xc3"), "?");
	/* A small buffer bounds it too. */
	assert_string_equal(chair_quote("abcdefghij", 64, small, sizeof(small)), "abcd...");
	assert_string_equal(chair_quote("ab\xc3\xa9" "cdef", 64, small, sizeof(small)), "ab\xc3\xa9...");
	assert_string_equal(chair_quote("abc\xc3\xa9" "def", 64, small, sizeof(small)), "abc...");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_char_len),
		cmocka_unit_test(test_scrub),
		cmocka_unit_test(test_quote_bound),
		cmocka_unit_test(test_quote_cleans),
	};

	return cmocka_run_group_tests_name("quote", tests, NULL, NULL);
}
