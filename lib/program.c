// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <stdio.h>

#include "macro.h"
#include "program.h"

struct chair_program *chair_program_ref(struct chair_program *p)
{
	if (p)
		p->refs++;
	return p;
}

struct chair_program *chair_program_unref(struct chair_program *p)
{
	if (!p || --p->refs > 0)
		return NULL;
	for (int ph = 0; ph < CHAIR_PHASE_COUNT; ph++)
		free(p->steps[ph]);
	free(p->path);
	free(p->id);
	free(p->name);
	free(p->description);
	free(p);
	return NULL;
}

void chair_program_unrefp(struct chair_program **p)
{
	chair_program_unref(*p);
}

uint32_t chair_program_techniques(const struct chair_program *p)
{
	uint32_t m = 0;

	for (int ph = 0; ph < CHAIR_PHASE_COUNT; ph++)
		for (size_t i = 0; i < p->n_steps[ph]; i++)
			m |= UINT32_C(1) << p->steps[ph][i].technique;
	return m;
}

uint32_t chair_program_zones(const struct chair_program *p)
{
	uint32_t m = 0;

	for (int ph = 0; ph < CHAIR_PHASE_COUNT; ph++)
		for (size_t i = 0; i < p->n_steps[ph]; i++) {
			const struct chair_step *st = &p->steps[ph][i];

			if (!st->has_zone)
				continue;
			for (int z = st->zone_top; z <= (int)st->zone_bottom; z++)
				m |= UINT32_C(1) << z;
		}
	return m;
}

int chair_program_check_hw(const struct chair_program *p, const struct chair_hw *hw,
			   char **ret_error)
{
	/* Nothing a program asks for can exceed this chair's limits: the
	 * session policy caps the depth and replaces what the chair lacks
	 * (chair_policy_losses() says what), so every program loads. */
	return 0;
}

struct chair_programs {
	struct chair_program **v;
	size_t n;
	size_t alloc;
};

void chair_strv_free(char **v)
{
	if (!v)
		return;
	for (char **s = v; *s; s++)
		free(*s);
	free(v);
}

size_t chair_strv_length(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

static int strv_push(char ***v, char *s)
{
	size_t n = chair_strv_length(*v);
	char **nv = realloc(*v, (n + 2) * sizeof(char *));

	if (!nv) {
		free(s);
		return -ENOMEM;
	}
	nv[n] = s;
	nv[n + 1] = NULL;
	*v = nv;
	return 0;
}

void chair_programs_free(struct chair_programs *ps)
{
	if (!ps)
		return;
	for (size_t i = 0; i < ps->n; i++)
		chair_program_unref(ps->v[i]);
	free(ps->v);
	free(ps);
}

size_t chair_programs_count(const struct chair_programs *ps)
{
	return ps ? ps->n : 0;
}

struct chair_program *chair_programs_get(const struct chair_programs *ps, size_t i)
{
	return i < ps->n ? ps->v[i] : NULL;
}

static ssize_t programs_index(const struct chair_programs *ps, const char *id)
{
	for (size_t i = 0; i < ps->n; i++)
		if (streq(ps->v[i]->id, id))
			return (ssize_t)i;
	return -1;
}

struct chair_program *chair_programs_find(const struct chair_programs *ps, const char *id)
{
	ssize_t i = ps && id ? programs_index(ps, id) : -1;

	return i < 0 ? NULL : ps->v[i];
}

static int programs_add(struct chair_programs *ps, struct chair_program *p)
{
	if (ps->n == ps->alloc) {
		size_t n = ps->alloc ? ps->alloc * 2 : 16;
		struct chair_program **v = realloc(ps->v, n * sizeof(*v));

		if (!v)
			return -ENOMEM;
		ps->v = v;
		ps->alloc = n;
	}
	ps->v[ps->n++] = p;
	return 0;
}

static bool is_program_file(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 8 && streq(name + n - 8, ".program");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Loads one directory: ids must be unique within it; they override earlier
 * directories. */
static bool same_dir(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && path[n] == '/' && !strchr(path + n + 1, '/');
}

static int load_dir(struct chair_programs *ps, const char *dir,
		    const struct chair_hw *hw, char ***errors)
{
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	int r = 0;

	if (!d) {
		char *e;

		if (errno == ENOENT)
			return 0;
		if (asprintf(&e, "%s: cannot open directory: %s", dir, strerror(errno)) < 0)
			return -ENOMEM;
		return strv_push(errors, e);
	}
	while ((de = readdir(d))) {
		char **nv;

		if (!is_program_file(de->d_name))
			continue;
		nv = realloc(names, (n + 1) * sizeof(char *));
		if (!nv || !(nv[n] = strdup(de->d_name))) {
			names = nv ? nv : names;
			r = -ENOMEM;
			break;
		}
		names = nv;
		n++;
	}
	closedir(d);
	if (r == 0 && n)
		qsort(names, n, sizeof(char *), cmp_str);

	for (size_t i = 0; r == 0 && i < n; i++) {
		_cleanup_free_ char *path = NULL;
		struct chair_program *p = NULL;
		char *err = NULL;
		ssize_t old;

		if (asprintf(&path, "%s/%s", dir, names[i]) < 0) {
			r = -ENOMEM;
			break;
		}
		r = chair_program_load(path, &p, &err);
		if (r == -ENOMEM)
			break;
		if (r == 0)
			r = chair_program_check_hw(p, hw, &err);
		if (r < 0) {
			chair_program_unref(p);
			r = err ? strv_push(errors, err) : 0;
			continue;
		}
		old = programs_index(ps, p->id);
		if (old >= 0 && same_dir(ps->v[old]->path, dir)) {
			if (asprintf(&err, "%s:%u: duplicate id '%s'; %s already defines it",
				     p->path, p->id_line, p->id, ps->v[old]->path) < 0)
				err = NULL;
			chair_program_unref(p);
			r = err ? strv_push(errors, err) : -ENOMEM;
			continue;
		}
		if (old >= 0) {
			chair_program_unref(ps->v[old]);
			ps->v[old] = p;
			continue;
		}
		r = programs_add(ps, p);
		if (r < 0)
			chair_program_unref(p);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

int chair_programs_load(const char *const *dirs, size_t n_dirs, const struct chair_hw *hw,
			struct chair_programs **ret, char ***ret_errors)
{
	struct chair_programs *ps = calloc(1, sizeof(*ps));
	char **errors = NULL;
	int r = 0;

	if (!ps)
		return -ENOMEM;
	for (size_t i = 0; i < n_dirs && r == 0; i++)
		r = load_dir(ps, dirs[i], hw, &errors);
	if (r < 0) {
		chair_programs_free(ps);
		chair_strv_free(errors);
		return r;
	}
	*ret = ps;
	if (ret_errors)
		*ret_errors = errors;
	else
		chair_strv_free(errors);
	return 0;
}
