// SPDX-License-Identifier: MIT
/*
 * Profiles and history on D-Bus, and the session's record in the store.
 * Every store call runs on the store's own thread (store-worker.c): a
 * method that needs the store replies when its job is done, so a slow disk
 * never holds up the control loop or a stop.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "learn.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "store-worker.h"

#define HISTORY_FOR_LEARNING 20
#define HISTORY_DEFAULT_LIMIT 50
#define HISTORY_MAX 1000

static uint64_t wall_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}

static const char *zone_name(int i)
{
	return chair_zone_to_string((enum chair_zone)i);
}

static const char *air_name(int i)
{
	return chair_air_zone_to_string((enum chair_air_zone)i);
}

static const char *cond_name(int i)
{
	return chair_condition_to_string((enum chair_condition)i);
}

static void send_reply(struct manager *m, DBusMessage *reply)
{
	if (reply && m->bus)
		dbus_connection_send(m->bus, reply, NULL);
	if (reply)
		dbus_message_unref(reply);
}

/* A store failure, told as a sentence; the chair works on without it. */
static DBusMessage *store_failed(DBusMessage *call, int r)
{
	return bus_error(call, DBUS_ERROR_FAILED, "The chair could not read or write its memory (%s); "
			 "the massage works as usual, but this was not kept.", strerror(-r));
}

static DBusMessage *no_profile(DBusMessage *call, const char *name)
{
	return bus_error(call, DBUS_ERROR_INVALID_ARGS, "There is no profile '%s'; "
			 "ListProfiles() lists them.", name);
}

/* A profile and its newest sessions, for Start and Recommend. */
static int read_profile(struct store *s, struct chair_profile *p,
			struct chair_session_record **ret_v, size_t *ret_n)
{
	int r = store_profile_get(s, p->name, p);

	if (r < 0)
		return r;
	/* Without its history the profile still fills in the options. */
	if (store_history(s, p->name, HISTORY_FOR_LEARNING, ret_v, ret_n) < 0)
		*ret_n = 0;
	return 0;
}

static int submit(struct manager *m, struct store_job *j)
{
	if (!m->store) {
		free(j);
		return -ENODEV;
	}
	return store_worker_submit(m->store, j);
}

int manager_store_open(struct manager *m, const char *state_dir)
{
	struct store *s = NULL;
	char *msg = NULL;
	int r;

	r = store_open(state_dir, &s, &msg);
	if (r < 0) {
		log_error("%s", msg ? msg : "The chair's memory could not be opened.");
		free(msg);
		return 0; /* the chair works without its memory */
	}
	if (msg)
		log_warning("%s", msg);
	else
		log_info("Profiles and history in %s", store_path(s));
	free(msg);
	r = store_worker_new(s, m->event, m, &m->store);
	if (r < 0) {
		store_free(s);
		return log_error_errno(r, "Failed to start the store's thread: %m");
	}
	return 0;
}

/* --- settings as a{sv} --------------------------------------------------- */

static bool append_options(DBusMessageIter *d, const struct chair_options *o)
{
	const char *focus = o->focus >= 0 ? zone_name(o->focus) : NULL;
	uint32_t intensity = o->intensity, heat = (uint32_t)o->heat;

	return (!o->duration_usec ||
		bus_append_dict_entry(d, "duration_usec", DBUS_TYPE_UINT64, &o->duration_usec)) &&
	       (!intensity || bus_append_dict_entry(d, "intensity", DBUS_TYPE_UINT32, &intensity)) &&
	       (o->heat < 0 || bus_append_dict_entry(d, "heat", DBUS_TYPE_UINT32, &heat)) &&
	       (!focus || bus_append_dict_entry(d, "focus", DBUS_TYPE_STRING, &focus)) &&
	       bus_append_mask_entry(d, "avoid", o->avoid_back, CHAIR_ZONE_COUNT, zone_name) &&
	       bus_append_mask_entry(d, "avoid_air", o->avoid_air, CHAIR_AIR_COUNT, air_name) &&
	       bus_append_mask_entry(d, "conditions", o->conditions, CHAIR_CONDITION_COUNT, cond_name);
}

/* --- ListProfiles() -> a(sa{sv}) ----------------------------------------- */

struct list_job {
	struct store_job j;
	DBusMessage *call;
	struct chair_profile *v;
	size_t n;
	char ***learned; /* per profile: what its history taught */
};

static int list_run(struct store *s, struct store_job *j)
{
	struct list_job *l = (struct list_job *)j;
	int r = store_profile_list(s, &l->v, &l->n);

	if (r < 0 || !l->n)
		return r;
	l->learned = calloc(l->n, sizeof(char **));
	for (size_t i = 0; l->learned && i < l->n; i++) {
		struct chair_session_record *h = NULL;
		struct chair_options o = l->v[i].options;
		size_t n = 0;

		if (store_history(s, l->v[i].name, HISTORY_FOR_LEARNING, &h, &n) >= 0)
			chair_learn_apply(h, n, wall_usec(), 0, &o, NULL, &l->learned[i]);
		chair_session_records_free(h, n);
	}
	return 0;
}

static void list_done(void *userdata, struct store_job *j)
{
	struct manager *m = userdata;
	struct list_job *l = (struct list_job *)j;
	DBusMessage *reply = j->r < 0 ? store_failed(l->call, j->r) : bus_reply(l->call);
	DBusMessageIter it, arr, st, d;
	bool ok = true;

	if (j->r >= 0 && reply) {
		dbus_message_iter_init_append(reply, &it);
		ok = dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "(sa{sv})", &arr);
		for (size_t i = 0; ok && i < l->n; i++) {
			const struct chair_profile *p = &l->v[i];
			const char *name = p->name, *prog = p->program;
			char **learned = l->learned ? l->learned[i] : NULL;

			ok = dbus_message_iter_open_container(&arr, DBUS_TYPE_STRUCT, NULL, &st) &&
			     dbus_message_iter_append_basic(&st, DBUS_TYPE_STRING, &name) &&
			     dbus_message_iter_open_container(&st, DBUS_TYPE_ARRAY, "{sv}", &d) &&
			     (!*prog || bus_append_dict_entry(&d, "program", DBUS_TYPE_STRING, &prog)) &&
			     (!p->shoulder_mm ||
			      bus_append_dict_entry(&d, "shoulder_mm", DBUS_TYPE_UINT32, &p->shoulder_mm)) &&
			     append_options(&d, &p->options) &&
			     bus_append_strv_entry(&d, "learned", (const char *const *)learned,
						   chair_strv_length(learned)) &&
			     dbus_message_iter_close_container(&st, &d) &&
			     dbus_message_iter_close_container(&arr, &st);
		}
		ok = ok && dbus_message_iter_close_container(&it, &arr);
	}
	if (!ok) {
		dbus_message_unref(reply);
		reply = bus_error_errno(l->call, -ENOMEM);
	}
	send_reply(m, reply);
	for (size_t i = 0; l->learned && i < l->n; i++)
		chair_strv_free(l->learned[i]);
	free(l->learned);
	free(l->v);
	dbus_message_unref(l->call);
	free(l);
}

DBusMessage *profiles_list(struct manager *m, DBusMessage *call)
{
	struct list_job *l = calloc(1, sizeof(*l));

	if (!l)
		return bus_error_errno(call, -ENOMEM);
	l->j = (struct store_job){ .run = list_run, .done = list_done };
	l->call = dbus_message_ref(call);
	if (submit(m, &l->j) < 0) {
		dbus_message_unref(call);
		return store_failed(call, -ENODEV);
	}
	return NULL;
}

/* --- SaveProfile(s, a{sv}) and DeleteProfile(s) -------------------------- */

struct write_job {
	struct store_job j;
	DBusMessage *call;
	struct chair_profile p;
};

static int save_run(struct store *s, struct store_job *j)
{
	return store_profile_save(s, &((struct write_job *)j)->p);
}

static int delete_run(struct store *s, struct store_job *j)
{
	return store_profile_delete(s, ((struct write_job *)j)->p.name);
}

/* The reply goes out once the write is on disk. */
static void write_done(void *userdata, struct store_job *j)
{
	struct write_job *w = (struct write_job *)j;
	DBusMessage *reply;

	if (j->r == -ENOENT)
		reply = no_profile(w->call, w->p.name);
	else if (j->r < 0)
		reply = store_failed(w->call, j->r);
	else
		reply = bus_reply(w->call);
	send_reply(userdata, reply);
	dbus_message_unref(w->call);
	free(w);
}

static DBusMessage *submit_write(struct manager *m, DBusMessage *call, struct write_job *w,
				 int (*run)(struct store *, struct store_job *))
{
	w->j = (struct store_job){ .run = run, .done = write_done };
	w->call = dbus_message_ref(call);
	if (submit(m, &w->j) < 0) {
		dbus_message_unref(call);
		return store_failed(call, -ENODEV);
	}
	return NULL;
}

static DBusMessage *read_name(DBusMessage *call, DBusMessageIter *it, char *ret, size_t n)
{
	const char *name;

	dbus_message_iter_get_basic(it, &name);
	if (!chair_profile_name_valid(name))
		return bus_invalid_args(call, "A profile name has 1 to 32 letters, digits, spaces, '-' "
					      "or '_'.");
	snprintf(ret, n, "%s", name);
	return NULL;
}

/* A profile is saved only if Start could use it as it is: a condition that
 * needs a place says where, and the usual program suits the conditions. */
static DBusMessage *check_startable(struct manager *m, DBusMessage *call,
				    const struct chair_options *saved, const char *program)
{
	struct chair_program none = { .id = (char *)"" };
	const struct chair_program *p = program[0] ? chair_programs_find(m->programs, program) : NULL;
	struct chair_options o = *saved;
	char *msg = NULL;
	DBusMessage *err;
	int r;

	if (!o.intensity)
		o.intensity = 3; /* not kept: Start takes its own default */
	r = chair_options_check(p ? p : &none, &o, &m->hw, &msg);
	if (r == CHAIR_CHECK_OK || r < 0)
		return r < 0 ? bus_error_errno(call, r) : NULL;
	err = r == CHAIR_CHECK_INVALID ? bus_invalid_args(call, "%s", msg)
				       : bus_error(call, CHAIR_ERROR_CONTRAINDICATED, "%s", msg);
	free(msg);
	return err;
}

DBusMessage *profiles_save(struct manager *m, DBusMessage *call)
{
	struct option_extras x = { .allow_settings = true };
	struct write_job *w = calloc(1, sizeof(*w));
	DBusMessageIter it;
	DBusMessage *err;

	if (!w)
		return bus_error_errno(call, -ENOMEM);
	chair_profile_init(&w->p);
	dbus_message_iter_init(call, &it);
	err = read_name(call, &it, w->p.name, sizeof(w->p.name));
	dbus_message_iter_next(&it);
	if (!err)
		err = chair_object_parse_options(call, &it, &w->p.options, &x);
	if (!err && x.program[0] && !chair_programs_find(m->programs, x.program))
		err = bus_error(call, CHAIR_ERROR_UNKNOWN_PROGRAM, "There is no program '%s'; "
				"ListPrograms() lists them.", x.program);
	if (!err)
		err = check_startable(m, call, &w->p.options, x.program);
	if (err) {
		free(w);
		return err;
	}
	snprintf(w->p.program, sizeof(w->p.program), "%s", x.program);
	w->p.shoulder_mm = x.shoulder_mm;
	w->p.updated_usec = wall_usec();
	return submit_write(m, call, w, save_run);
}

DBusMessage *profiles_delete(struct manager *m, DBusMessage *call)
{
	struct write_job *w = calloc(1, sizeof(*w));
	DBusMessageIter it;
	DBusMessage *err;

	if (!w)
		return bus_error_errno(call, -ENOMEM);
	dbus_message_iter_init(call, &it);
	err = read_name(call, &it, w->p.name, sizeof(w->p.name));
	if (err) {
		free(w);
		return err;
	}
	return submit_write(m, call, w, delete_run);
}

/* --- History(a{sv}) -> aa{sv} -------------------------------------------- */

struct history_job {
	struct store_job j;
	DBusMessage *call;
	char profile[CHAIR_PROFILE_NAME_MAX + 1];
	bool by_profile;
	unsigned limit;
	struct chair_session_record *v;
	size_t n;
};

static int history_run(struct store *s, struct store_job *j)
{
	struct history_job *h = (struct history_job *)j;

	return store_history(s, h->by_profile ? h->profile : NULL, h->limit, &h->v, &h->n);
}

static bool append_record(DBusMessageIter *arr, const struct chair_session_record *rec)
{
	const char *prog = rec->program, *prof = rec->profile;
	const char *finish = rec->finish >= 0
				     ? chair_finish_reason_to_string((enum chair_finish_reason)rec->finish)
				     : "unknown";
	const char *events[64];
	char text[64][64];
	size_t n = 0;
	DBusMessageIter d;

	for (size_t i = 0; i < rec->n_events && n < ELEMENTSOF(events); i++, n++) {
		const struct chair_event *e = &rec->events[i];
		unsigned s = (unsigned)(e->t_usec / USEC_PER_SEC);

		if (e->zone >= 0)
			snprintf(text[n], sizeof(text[n]), "%u:%02u %s %s", s / 60, s % 60,
				 chair_event_kind_to_string(e->kind), zone_name(e->zone));
		else if (e->value)
			snprintf(text[n], sizeof(text[n]), "%u:%02u %s %d", s / 60, s % 60,
				 chair_event_kind_to_string(e->kind), e->value);
		else
			snprintf(text[n], sizeof(text[n]), "%u:%02u %s", s / 60, s % 60,
				 chair_event_kind_to_string(e->kind));
		events[n] = text[n];
	}
	return dbus_message_iter_open_container(arr, DBUS_TYPE_ARRAY, "{sv}", &d) &&
	       bus_append_dict_entry(&d, "program", DBUS_TYPE_STRING, &prog) &&
	       bus_append_dict_entry(&d, "profile", DBUS_TYPE_STRING, &prof) &&
	       bus_append_dict_entry(&d, "start_usec", DBUS_TYPE_UINT64, &rec->start_usec) &&
	       bus_append_dict_entry(&d, "length_usec", DBUS_TYPE_UINT64, &rec->length_usec) &&
	       bus_append_dict_entry(&d, "finished", DBUS_TYPE_STRING, &finish) &&
	       append_options(&d, &rec->options) &&
	       bus_append_strv_entry(&d, "events", events, n) &&
	       dbus_message_iter_close_container(arr, &d);
}

static void history_done(void *userdata, struct store_job *j)
{
	struct history_job *h = (struct history_job *)j;
	DBusMessage *reply = j->r < 0 ? store_failed(h->call, j->r) : bus_reply(h->call);
	DBusMessageIter it, arr;
	bool ok = true;

	if (j->r >= 0 && reply) {
		dbus_message_iter_init_append(reply, &it);
		ok = dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "a{sv}", &arr);
		for (size_t i = 0; ok && i < h->n; i++)
			ok = append_record(&arr, &h->v[i]);
		ok = ok && dbus_message_iter_close_container(&it, &arr);
	}
	if (!ok) {
		dbus_message_unref(reply);
		reply = bus_error_errno(h->call, -ENOMEM);
	}
	send_reply(userdata, reply);
	chair_session_records_free(h->v, h->n);
	dbus_message_unref(h->call);
	free(h);
}

DBusMessage *profiles_history(struct manager *m, DBusMessage *call)
{
	struct history_job *h = calloc(1, sizeof(*h));
	DBusMessageIter it, dict;

	if (!h)
		return bus_error_errno(call, -ENOMEM);
	h->limit = HISTORY_DEFAULT_LIMIT;
	dbus_message_iter_init(call, &it);
	dbus_message_iter_recurse(&it, &dict);
	while (dbus_message_iter_get_arg_type(&dict) == DBUS_TYPE_DICT_ENTRY) {
		DBusMessageIter e, v;
		const char *key, *name;

		dbus_message_iter_recurse(&dict, &e);
		dbus_message_iter_get_basic(&e, &key);
		dbus_message_iter_next(&e);
		dbus_message_iter_recurse(&e, &v);
		if (streq(key, "profile") && dbus_message_iter_get_arg_type(&v) == DBUS_TYPE_STRING) {
			dbus_message_iter_get_basic(&v, &name);
			snprintf(h->profile, sizeof(h->profile), "%.32s", name);
			h->by_profile = true;
		} else if (streq(key, "limit") && dbus_message_iter_get_arg_type(&v) == DBUS_TYPE_UINT32) {
			dbus_message_iter_get_basic(&v, &h->limit);
			/* One reply must fit in a D-Bus message. */
			h->limit = MIN(h->limit ? h->limit : HISTORY_MAX, HISTORY_MAX);
		} else {
			free(h);
			return bus_invalid_args(call, "History() takes 'profile' (s) and 'limit' (u).");
		}
		dbus_message_iter_next(&dict);
	}
	h->j = (struct store_job){ .run = history_run, .done = history_done };
	h->call = dbus_message_ref(call);
	if (submit(m, &h->j) < 0) {
		dbus_message_unref(call);
		return store_failed(call, -ENODEV);
	}
	return NULL;
}

/* --- Start with a profile ------------------------------------------------ */

struct start_job {
	struct store_job j;
	DBusMessage *call;
	char id[CHAIR_PROGRAM_ID_MAX + 1];
	struct chair_options o;
	uint32_t given;
	struct chair_profile p;
	struct chair_session_record *v;
	size_t n;
	unsigned stop_gen;
};

static int start_run(struct store *s, struct store_job *j)
{
	struct start_job *st = (struct start_job *)j;

	return read_profile(s, &st->p, &st->v, &st->n);
}

static void start_done(void *userdata, struct store_job *j)
{
	struct manager *m = userdata;
	struct start_job *st = (struct start_job *)j;
	struct manager_why why = { "" };
	char **learned = NULL;
	const char *id = st->id[0] ? st->id : st->p.program;
	int r = j->r;

	if (r == -ENOENT) {
		send_reply(m, no_profile(st->call, st->p.name));
		goto out;
	}
	if (r < 0) {
		send_reply(m, store_failed(st->call, r));
		goto out;
	}
	/* A stop (or an e-stop and a reset) came while the profile was read:
	 * the person asked for nothing to move. */
	if (m->exiting || st->stop_gen != m->stop_gen) {
		send_reply(m, bus_error(st->call, DBUS_ERROR_FAILED, "The chair was stopped while "
					"the profile was being read, so nothing was started."));
		goto out;
	}
	chair_profile_fill(&st->p, st->given, &st->o);
	chair_learn_apply(st->v, st->n, wall_usec(), st->given, &st->o, NULL, &learned);
	{
		struct chair_body body = m->body;
		char profile[sizeof(m->profile)];

		memcpy(profile, m->profile, sizeof(profile));
		if (st->p.shoulder_mm)
			chair_body_from_scan(&m->body, st->p.shoulder_mm, m->hw.track_length_mm);
		snprintf(m->profile, sizeof(m->profile), "%s", st->p.name);
		r = manager_start_session(m, id, &st->o, &why);
		if (r < 0) {
			/* Refused: whatever runs keeps its own body and profile. */
			m->body = body;
			memcpy(m->profile, profile, sizeof(profile));
		}
	}
	if (r >= 0) {
		for (char **l = learned; l && *l; l++)
			manager_adjusted(m, "%s", *l);
		manager_mark(m, PROP_PROFILE | PROP_SHOULDER);
	}
	send_reply(m, chair_object_reply(st->call, r, &why));
out:
	chair_strv_free(learned);
	chair_session_records_free(st->v, st->n);
	dbus_message_unref(st->call);
	free(st);
}

DBusMessage *manager_start_with_profile(struct manager *m, DBusMessage *call, const char *id,
					const struct chair_options *o, uint32_t given,
					const char *profile)
{
	struct start_job *st = calloc(1, sizeof(*st));

	if (!st)
		return bus_error_errno(call, -ENOMEM);
	st->j = (struct store_job){ .run = start_run, .done = start_done };
	st->call = dbus_message_ref(call);
	snprintf(st->id, sizeof(st->id), "%.64s", id);
	st->o = *o;
	st->given = given;
	st->stop_gen = m->stop_gen;
	chair_profile_init(&st->p);
	snprintf(st->p.name, sizeof(st->p.name), "%s", profile);
	if (submit(m, &st->j) < 0) {
		dbus_message_unref(call);
		return store_failed(call, -ENODEV);
	}
	return NULL;
}

/* --- Recommend with a profile ------------------------------------------- */

struct recommend_job {
	struct store_job j;
	DBusMessage *call;
	struct chair_answers a;
	struct chair_profile p;
	struct chair_session_record *v;
	size_t n;
};

static int recommend_run(struct store *s, struct store_job *j)
{
	struct recommend_job *rj = (struct recommend_job *)j;

	return read_profile(s, &rj->p, &rj->v, &rj->n);
}

static void recommend_done(void *userdata, struct store_job *j)
{
	struct recommend_job *rj = (struct recommend_job *)j;
	struct chair_memory mem = {
		.profile = &rj->p, .history = rj->v, .n_history = rj->n, .now_usec = wall_usec(),
	};

	if (j->r == -ENOENT) {
		send_reply(userdata, no_profile(rj->call, rj->p.name));
	} else if (j->r < 0) {
		send_reply(userdata, store_failed(rj->call, j->r));
	} else {
		rj->a.memory = &mem;
		send_reply(userdata, chair_object_recommend(userdata, rj->call, &rj->a));
	}
	chair_session_records_free(rj->v, rj->n);
	dbus_message_unref(rj->call);
	free(rj);
}

DBusMessage *manager_recommend_with_profile(struct manager *m, DBusMessage *call,
					    const struct chair_answers *a)
{
	struct recommend_job *rj = calloc(1, sizeof(*rj));

	if (!rj)
		return bus_error_errno(call, -ENOMEM);
	rj->j = (struct store_job){ .run = recommend_run, .done = recommend_done };
	rj->call = dbus_message_ref(call);
	rj->a = *a;
	chair_profile_init(&rj->p);
	snprintf(rj->p.name, sizeof(rj->p.name), "%s", a->profile);
	if (submit(m, &rj->j) < 0) {
		dbus_message_unref(call);
		return store_failed(call, -ENODEV);
	}
	return NULL;
}

/* --- the session's record ------------------------------------------------- */

struct record_job {
	struct store_job j;
	int64_t *id; /* the session's id in the store: only the store's thread uses it */
	struct chair_session_record rec;
	struct chair_event ev;
	uint64_t length;
	enum chair_finish_reason why;
};

static int begin_run(struct store *s, struct store_job *j)
{
	struct record_job *rj = (struct record_job *)j;

	return store_session_begin(s, &rj->rec, rj->id);
}

static int event_run(struct store *s, struct store_job *j)
{
	struct record_job *rj = (struct record_job *)j;

	return *rj->id > 0 ? store_session_event(s, *rj->id, &rj->ev) : -ENOENT;
}

static int end_run(struct store *s, struct store_job *j)
{
	struct record_job *rj = (struct record_job *)j;
	int r = *rj->id > 0 ? store_session_end(s, *rj->id, rj->length, rj->why) : -ENOENT;

	*rj->id = 0;
	return r;
}

static void record_done(void *userdata, struct store_job *j)
{
	if (j->r < 0 && j->r != -ENOENT)
		log_warning("History: could not write the session's record (%s); the massage goes on",
			    strerror(-j->r));
	free(j);
}

static void record(struct manager *m, struct record_job *rj,
		   int (*run)(struct store *, struct store_job *))
{
	rj->j = (struct store_job){ .run = run, .done = record_done };
	rj->id = &m->history_id;
	submit(m, &rj->j);
}

void manager_history_begin(struct manager *m, const struct chair_options *o)
{
	struct record_job *rj;

	if (!m->store || !(rj = calloc(1, sizeof(*rj))))
		return;
	snprintf(rj->rec.program, sizeof(rj->rec.program), "%s", m->program_id);
	snprintf(rj->rec.profile, sizeof(rj->rec.profile), "%s", m->profile);
	rj->rec.options = *o;
	rj->rec.start_usec = wall_usec();
	rj->rec.finish = -1;
	m->recording = true;
	record(m, rj, begin_run);
}

void manager_history_event(struct manager *m, int kind, int zone, int value)
{
	struct record_job *rj;

	if (!m->recording || !(rj = calloc(1, sizeof(*rj))))
		return;
	rj->ev = (struct chair_event){ .kind = (enum chair_event_kind)kind, .zone = zone,
				       .value = value, .t_usec = m->engine ? chair_engine_elapsed(m->engine) : 0 };
	record(m, rj, event_run);
}

void manager_history_end(struct manager *m, enum chair_finish_reason why)
{
	struct record_job *rj;

	if (!m->recording || !(rj = calloc(1, sizeof(*rj))))
		return;
	m->recording = false;
	rj->length = m->elapsed;
	rj->why = why;
	record(m, rj, end_run);
}
