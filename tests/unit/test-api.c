// SPDX-License-Identifier: MIT
/* The daemon's dispatch tables match the introspection XML in data/, which
 * is the API's source of truth: every method with its in and out
 * signatures, every property with its type and whether it is const, and
 * every signal. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bus-object.h"

struct member {
	char kind[16];
	char name[64];
	char in[64];
	char out[64];
	bool is_const;
};

static char *slurp(const char *name)
{
	char path[4096];
	const char *dir = getenv("CHAIRD_DATA_DIR");
	FILE *f;
	char *buf = calloc(1, 1 << 16);

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "data", name);
	f = fopen(path, "re");
	if (!f)
		fail_msg("cannot open %s", path);
	fread(buf, 1, (1 << 16) - 1, f);
	fclose(f);
	return buf;
}

static bool attr(const char *tag_start, const char *tag_end, const char *name, char *out, size_t n)
{
	char key[32];
	const char *p;

	snprintf(key, sizeof(key), " %s=\"", name);
	p = strstr(tag_start, key);
	if (!p || p > tag_end)
		return false;
	p += strlen(key);
	snprintf(out, n, "%.*s", (int)(strchr(p, '"') - p), p);
	return true;
}

/* A small reader for the well-formed, comment-bearing XML in data/. */
static size_t parse(const char *xml, struct member *v, size_t max)
{
	size_t n = 0;
	const char *p = strstr(xml, "<interface");

	while (p && (p = strchr(p + 1, '<'))) {
		const char *end = strchr(p, '>');
		bool self_closing = end[-1] == '/';

		if (strncmp(p, "<!--", 4) == 0) {
			p = strstr(p, "-->");
			continue;
		}
		if (strncmp(p, "<method", 7) == 0 || strncmp(p, "<signal", 7) == 0 ||
		    strncmp(p, "<property", 9) == 0) {
			struct member *m = &v[n++];
			const char *close;

			assert_true(n <= max);
			memset(m, 0, sizeof(*m));
			snprintf(m->kind, sizeof(m->kind), "%.*s", (int)strcspn(p + 1, " >/"), p + 1);
			attr(p, end, "name", m->name, sizeof(m->name));
			if (strcmp(m->kind, "property") == 0)
				attr(p, end, "type", m->in, sizeof(m->in));
			if (self_closing)
				continue;
			close = strstr(end, strcmp(m->kind, "property") == 0 ? "</property>"
					    : strcmp(m->kind, "method") == 0 ? "</method>" : "</signal>");
			for (const char *a = strstr(end, "<arg"); a && a < close; a = strstr(a + 1, "<arg")) {
				const char *ae = strchr(a, '>');
				char type[32] = "", dir[8] = "in";

				attr(a, ae, "type", type, sizeof(type));
				attr(a, ae, "direction", dir, sizeof(dir));
				strcat(strcmp(dir, "out") == 0 ? m->out : m->in, type);
			}
			if (strstr(end, "EmitsChangedSignal\" value=\"const\"") &&
			    strstr(end, "EmitsChangedSignal\" value=\"const\"") < close)
				m->is_const = true;
			p = close;
		}
	}
	return n;
}

static void check_interface(const char *file, const struct bus_interface *iface)
{
	char *xml = slurp(file);
	struct member m[64];
	size_t n = parse(xml, m, 64), in_table = 0;
	char name[128];

	assert_true(attr(strstr(xml, "<interface"), strchr(strstr(xml, "<interface"), '>'), "name",
			 name, sizeof(name)));
	assert_string_equal(name, iface->name);
	for (size_t i = 0; i < n; i++) {
		bool found = false;

		if (strcmp(m[i].kind, "method") == 0) {
			for (const struct bus_method *t = iface->methods; t && t->name; t++)
				if (strcmp(t->name, m[i].name) == 0) {
					found = true;
					assert_string_equal(t->in, m[i].in);
					assert_string_equal(t->out, m[i].out);
				}
		} else if (strcmp(m[i].kind, "property") == 0) {
			for (const struct bus_property *t = iface->properties; t && t->name; t++)
				if (strcmp(t->name, m[i].name) == 0) {
					found = true;
					assert_string_equal(t->sig, m[i].in);
					/* const in the XML exactly when it never emits */
					assert_int_equal(t->bit == 0, m[i].is_const);
				}
		} else {
			for (const struct bus_signal *t = iface->signals; t && t->name; t++)
				if (strcmp(t->name, m[i].name) == 0) {
					found = true;
					assert_string_equal(t->sig, m[i].in);
				}
		}
		if (!found)
			fail_msg("%s %s.%s is in %s but not in the daemon's tables", m[i].kind, iface->name,
				 m[i].name, file);
	}
	/* And nothing in the tables that the XML lacks. */
	for (const struct bus_method *t = iface->methods; t && t->name; t++)
		in_table++;
	for (const struct bus_property *t = iface->properties; t && t->name; t++)
		in_table++;
	for (const struct bus_signal *t = iface->signals; t && t->name; t++)
		in_table++;
	assert_int_equal(in_table, n);
	free(xml);
}

static void test_chair_interface(void **state)
{
	(void)state;
	check_interface("org.chaird.Chair1.xml", &chair_interfaces[0]);
}

static void test_sim_interface(void **state)
{
	(void)state;
	check_interface("org.chaird.Simulator1.xml", &chair_interfaces[1]);
	assert_null(chair_interfaces[2].name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chair_interface),
		cmocka_unit_test(test_sim_interface),
	};

	return cmocka_run_group_tests_name("api", tests, NULL, NULL);
}
