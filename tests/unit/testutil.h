/* SPDX-License-Identifier: MIT */
/* Small helpers for the cmocka tests: include after cmocka.h. */
#ifndef CHAIR_TESTUTIL_H
#define CHAIR_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>

#define TEST_PATH_MAX 256

/* A fresh directory under $TMPDIR (or the system's temporary directory). */
static inline void test_mkdtemp(char *buf, size_t n, const char *name)
{
	const char *t = getenv("TMPDIR");

	snprintf(buf, n, "%s/%s-XXXXXX", t && *t ? t : P_tmpdir, name);
	assert_non_null(mkdtemp(buf));
}

static inline void test_write_file(const char *dir, const char *name, const char *text)
{
	char path[TEST_PATH_MAX * 2];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static inline void test_rm_rf(const char *dir)
{
	char cmd[TEST_PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

#endif
