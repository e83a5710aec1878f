// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
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
	chair_strv_free(p->aftercare);
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

int chair_diags_add(struct chair_diags *d, const char *file, unsigned line, const char *fmt, ...)
{
	struct chair_diag e = { .line = line };
	struct chair_diag *v;
	va_list ap;
	int r;

	if (!d)
		return -EINVAL;
	va_start(ap, fmt);
	r = vasprintf(&e.message, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	e.file = strdup(file);
	v = e.file ? realloc(d->v, (d->n + 1) * sizeof(*v)) : NULL;
	if (!v) {
		free(e.file);
		free(e.message);
		return -ENOMEM;
	}
	v[d->n++] = e;
	d->v = v;
	return -EINVAL;
}

void chair_diags_clear(struct chair_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].message);
	}
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

char *chair_diags_join(const struct chair_diags *d)
{
	char *all = NULL;

	for (size_t i = 0; i < d->n; i++) {
		_cleanup_free_ char *one = chair_diag_format(&d->v[i]);
		char *joined;

		if (!one || asprintf(&joined, "%s%s%s", all ? all : "", all ? "\n" : "", one) < 0) {
			free(all);
			return NULL;
		}
		free(all);
		all = joined;
	}
	return all;
}

char *chair_diag_format(const struct chair_diag *d)
{
	char *s;
	int r;

	if (d->line)
		r = asprintf(&s, "%s:%u: %s", d->file, d->line, d->message);
	else
		r = asprintf(&s, "%s: %s", d->file, d->message);
	return r < 0 ? NULL : s;
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

int chair_strv_vpushf(char ***v, const char *fmt, va_list ap)
{
	size_t n = chair_strv_length(*v);
	char **nv, *s;

	if (vasprintf(&s, fmt, ap) < 0)
		return -ENOMEM;
	nv = realloc(*v, (n + 2) * sizeof(char *));
	if (!nv) {
		free(s);
		return -ENOMEM;
	}
	nv[n] = s;
	nv[n + 1] = NULL;
	*v = nv;
	return 0;
}

int chair_strv_pushf(char ***v, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = chair_strv_vpushf(v, fmt, ap);
	va_end(ap);
	return r;
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

/* A problem with the input is recorded and loading goes on; only -ENOMEM
 * stops it. */
static int keep_going(int r)
{
	return r == -ENOMEM ? r : 0;
}

static int load_dir(struct chair_programs *ps, const char *dir,
		    const struct chair_hw *hw, struct chair_diags *diags)
{
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	int r = 0;

	if (!d) {
		if (errno == ENOENT)
			return 0;
		return keep_going(chair_diags_add(diags, dir, 0, "cannot open the directory: %s",
						  strerror(errno)));
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
		ssize_t old;

		if (asprintf(&path, "%s/%s", dir, names[i]) < 0) {
			r = -ENOMEM;
			break;
		}
		r = chair_program_load_diags(path, &p, diags);
		if (r == 0) {
			_cleanup_free_ char *err = NULL;

			r = chair_program_check_hw(p, hw, &err);
			if (r < 0 && r != -ENOMEM)
				r = chair_diags_add(diags, p->path, 0, "%s",
						    err ? err : "asks for more than this chair allows");
		}
		if (r < 0) {
			chair_program_unref(p);
			r = keep_going(r);
			continue;
		}
		old = programs_index(ps, p->id);
		if (old >= 0 && same_dir(ps->v[old]->path, dir)) {
			r = keep_going(chair_diags_add(diags, p->path, p->id_line,
						       "duplicate id '%s'; %s already defines it",
						       p->id, ps->v[old]->path));
			chair_program_unref(p);
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

int chair_programs_load_diags(const char *const *dirs, size_t n_dirs, const struct chair_hw *hw,
			      struct chair_programs **ret, struct chair_diags *diags)
{
	struct chair_programs *ps = calloc(1, sizeof(*ps));
	struct chair_diags found = { 0 };
	int r = 0;

	if (!ps)
		return -ENOMEM;
	for (size_t i = 0; i < n_dirs && r == 0; i++)
		r = load_dir(ps, dirs[i], hw, &found);
	if (r < 0) {
		chair_programs_free(ps);
		chair_diags_clear(&found);
		return r;
	}
	*ret = ps;
	if (diags)
		*diags = found;
	else
		chair_diags_clear(&found);
	return 0;
}

int chair_programs_load(const char *const *dirs, size_t n_dirs, const struct chair_hw *hw,
			struct chair_programs **ret, char ***ret_errors)
{
	struct chair_diags d = { 0 };
	char **v = NULL;
	int r = chair_programs_load_diags(dirs, n_dirs, hw, ret, &d);

	if (r < 0)
		return r;
	if (ret_errors && d.n == 0) {
		*ret_errors = NULL;
	} else if (ret_errors) {
		v = calloc(d.n + 1, sizeof(char *));
		for (size_t i = 0; v && i < d.n; i++)
			if (!(v[i] = chair_diag_format(&d.v[i]))) {
				chair_strv_free(v);
				v = NULL;
			}
		if (!v) {
			chair_diags_clear(&d);
			chair_programs_free(*ret);
			*ret = NULL;
			return -ENOMEM;
		}
		*ret_errors = v;
	}
	chair_diags_clear(&d);
	return 0;
}
