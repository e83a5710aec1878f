// SPDX-License-Identifier: MIT
/* The object /org/chaird/Chair1: org.chaird.Chair1 and, with the sim
 * backend, org.chaird.Simulator1. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api-xml.h"
#include "bus-object.h"
#include "chair-names.h"
#include "config.h"
#include "consult.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "quote.h"
#include "sim.h"

/* --- helpers ------------------------------------------------------------- */

/* The one table from the manager's errno values to D-Bus error names. */
static const struct {
	int err;
	const char *name;
} error_names[] = {
	{ ENOENT, CHAIR_ERROR_UNKNOWN_PROGRAM },
	{ EBUSY, CHAIR_ERROR_BUSY },
	{ ECANCELED, CHAIR_ERROR_EMERGENCY_STOP },
	{ EIO, CHAIR_ERROR_FAULT },
	{ ENXIO, CHAIR_ERROR_SEAT_EMPTY },
	{ EPERM, CHAIR_ERROR_CONTRAINDICATED },
	{ ESRCH, CHAIR_ERROR_NOT_RUNNING },
	{ EINVAL, DBUS_ERROR_INVALID_ARGS },
	{ EOPNOTSUPP, DBUS_ERROR_NOT_SUPPORTED },
	{ EINTR, DBUS_ERROR_FAILED },
	{ EAGAIN, DBUS_ERROR_FAILED },
	{ ENOMEM, DBUS_ERROR_NO_MEMORY },
};

/* The reply to an action: success, or the error for @p r with the
 * manager's sentence. */
DBusMessage *chair_object_reply(DBusMessage *call, int r, const struct manager_why *why)
{
	if (r >= 0)
		return bus_reply(call);
	for (size_t i = 0; i < ELEMENTSOF(error_names); i++)
		if (error_names[i].err == -r)
			return bus_error(call, error_names[i].name, "%s",
					 why && why->msg[0] ? why->msg : strerror(-r));
	return bus_error_errno(call, r);
}

/* Reads any unsigned-compatible integer variant; returns false if the
 * value is not an integer or is negative. */
static bool variant_uint(DBusMessageIter *v, uint64_t *ret)
{
	int t = dbus_message_iter_get_arg_type(v);
	DBusBasicValue b;

	if (!dbus_type_is_basic(t) || t == DBUS_TYPE_STRING || t == DBUS_TYPE_OBJECT_PATH ||
	    t == DBUS_TYPE_SIGNATURE || t == DBUS_TYPE_DOUBLE || t == DBUS_TYPE_BOOLEAN ||
	    t == DBUS_TYPE_UNIX_FD)
		return false;
	dbus_message_iter_get_basic(v, &b);
	switch (t) {
	case DBUS_TYPE_BYTE:
		*ret = b.byt;
		return true;
	case DBUS_TYPE_INT16:
		*ret = (uint64_t)b.i16;
		return b.i16 >= 0;
	case DBUS_TYPE_UINT16:
		*ret = b.u16;
		return true;
	case DBUS_TYPE_INT32:
		*ret = (uint64_t)b.i32;
		return b.i32 >= 0;
	case DBUS_TYPE_UINT32:
		*ret = b.u32;
		return true;
	case DBUS_TYPE_INT64:
		*ret = (uint64_t)b.i64;
		return b.i64 >= 0;
	case DBUS_TYPE_UINT64:
		*ret = b.u64;
		return true;
	default:
		return false;
	}
}

/* Reads a list of names (as) into a bit mask with @p lookup. */
static DBusMessage *variant_names(DBusMessage *call, DBusMessageIter *v, const char *key,
				  int (*lookup)(const char *), const char *allowed, uint32_t *ret)
{
	DBusMessageIter a;
	uint32_t mask = 0;

	if (dbus_message_iter_get_arg_type(v) != DBUS_TYPE_ARRAY ||
	    dbus_message_iter_get_element_type(v) != DBUS_TYPE_STRING)
		return bus_invalid_args(call, "Option '%s' must be a list of strings (as) from: %s.", key,
					allowed);
	dbus_message_iter_recurse(v, &a);
	while (dbus_message_iter_get_arg_type(&a) == DBUS_TYPE_STRING) {
		const char *s;
		int i;

		dbus_message_iter_get_basic(&a, &s);
		i = lookup(s);
		if (i < 0)
			return bus_invalid_args(call, "Option '%s' has an unknown value '%s'; use one of: %s.",
						key, CHAIR_QUOTE(s), allowed);
		mask |= UINT32_C(1) << i;
		dbus_message_iter_next(&a);
	}
	*ret = mask;
	return NULL;
}

/* The avoid list takes back zones and air zones. */
static int avoid_lookup(const char *s)
{
	int z = chair_zone_from_string(s);

	if (z >= 0)
		return z;
	z = chair_air_zone_from_string(s);
	return z >= 0 ? 16 + z : z;
}

DBusMessage *chair_object_parse_options(DBusMessage *call, DBusMessageIter *it,
					struct chair_options *o, struct option_extras *x)
{
	DBusMessageIter dict;

	dbus_message_iter_recurse(it, &dict);
	while (dbus_message_iter_get_arg_type(&dict) == DBUS_TYPE_DICT_ENTRY) {
		DBusMessageIter e, v;
		const char *key;
		DBusMessage *err = NULL;
		uint64_t u;

		dbus_message_iter_recurse(&dict, &e);
		dbus_message_iter_get_basic(&e, &key);
		dbus_message_iter_next(&e);
		dbus_message_iter_recurse(&e, &v);

		if (x && streq(key, "profile") && x->allow_profile) {
			const char *name;

			if (dbus_message_iter_get_arg_type(&v) != DBUS_TYPE_STRING)
				return bus_invalid_args(call, "Option 'profile' must be a profile name (s).");
			dbus_message_iter_get_basic(&v, &name);
			if (!chair_profile_name_valid(name))
				return bus_invalid_args(call, "A profile name has 1 to 32 letters, digits, "
							"spaces, '-' or '_'.");
			snprintf(x->profile, sizeof(x->profile), "%s", name);
			dbus_message_iter_next(&dict);
			continue;
		} else if (x && streq(key, "program") && x->allow_settings) {
			const char *id;

			if (dbus_message_iter_get_arg_type(&v) != DBUS_TYPE_STRING)
				return bus_invalid_args(call, "Setting 'program' must be a program id (s).");
			dbus_message_iter_get_basic(&v, &id);
			if (strlen(id) > CHAIR_PROGRAM_ID_MAX)
				return bus_invalid_args(call, "A program id has at most %d characters.",
							CHAIR_PROGRAM_ID_MAX);
			snprintf(x->program, sizeof(x->program), "%s", id);
			dbus_message_iter_next(&dict);
			continue;
		} else if (x && streq(key, "shoulder_mm") && x->allow_settings) {
			if (!variant_uint(&v, &u) || u > 2000)
				return bus_invalid_args(call, "Setting 'shoulder_mm' must be a height in mm (u) "
							"from 0 to 2000.");
			x->shoulder_mm = (unsigned)u;
			dbus_message_iter_next(&dict);
			continue;
		}
		if (x)
			x->given |= streq(key, "duration_usec") ? CHAIR_OPT_DURATION
				    : streq(key, "intensity")   ? CHAIR_OPT_INTENSITY
				    : streq(key, "focus")       ? CHAIR_OPT_FOCUS
				    : streq(key, "avoid")       ? CHAIR_OPT_AVOID
				    : streq(key, "heat")        ? CHAIR_OPT_HEAT
				    : streq(key, "conditions")  ? CHAIR_OPT_CONDITIONS
								: 0;
		if (streq(key, "duration_usec")) {
			if (!variant_uint(&v, &u))
				return bus_invalid_args(call, "Option 'duration_usec' must be a number of "
							"microseconds (t), from 300000000 to 1800000000.");
			if (u == 0)
				return bus_invalid_args(call, "duration_usec 0 is out of range; a session "
							"lasts 300000000 to 1800000000 (5 to 30 minutes).");
			o->duration_usec = u;
		} else if (streq(key, "intensity")) {
			if (!variant_uint(&v, &u) || u > 1000)
				return bus_invalid_args(call, "Option 'intensity' must be a number (u) from 1 "
							"(softest) to 5 (firmest).");
			o->intensity = (unsigned)u;
		} else if (streq(key, "heat")) {
			if (!variant_uint(&v, &u) || u > 1000)
				return bus_invalid_args(call, "Option 'heat' must be a number (u) from 0 (off) "
							"to 3.");
			o->heat = (int)u;
		} else if (streq(key, "focus")) {
			const char *s;

			if (dbus_message_iter_get_arg_type(&v) != DBUS_TYPE_STRING)
				return bus_invalid_args(call, "Option 'focus' must be a back zone name (s): %s.",
							chair_zone_list());
			dbus_message_iter_get_basic(&v, &s);
			o->focus = chair_zone_from_string(s);
			if (o->focus < 0)
				return bus_invalid_args(call, "Option 'focus' has an unknown zone '%s'; use "
							"one of: %s.", CHAIR_QUOTE(s), chair_zone_list());
		} else if (streq(key, "avoid")) {
			uint32_t mask = 0;

			err = variant_names(call, &v, key, avoid_lookup,
					    "neck, shoulders, upper-back, mid-back, lower-back, sacrum, "
					    "arms, hips, calves, feet", &mask);
			o->avoid_back = mask & 0xffff;
			o->avoid_air = mask >> 16;
		} else if (streq(key, "conditions")) {
			err = variant_names(call, &v, key, chair_condition_from_string,
					    chair_condition_list(), &o->conditions);
		} else {
			return bus_invalid_args(call, "Unknown option '%s'; the options are duration_usec, "
						"intensity, focus, avoid, heat and conditions.",
						CHAIR_QUOTE(key));
		}
		if (err)
			return err;
		dbus_message_iter_next(&dict);
	}
	return NULL;
}

/* --- org.chaird.Chair1 methods ------------------------------------------- */

static bool append_step(DBusMessageIter *arr, enum chair_phase ph, const struct chair_step *st)
{
	DBusMessageIter d, e, v;
	const char *phase = chair_phase_to_string(ph);
	const char *tech = chair_technique_to_string(st->technique);
	char zone[64] = "";
	const char *zp = zone;
	const char *air[CHAIR_AIR_COUNT];
	size_t n_air = 0;
	uint32_t speed = st->speed, depth = st->depth, cycles = st->cycles;
	uint64_t t = st->time_usec, hold = st->hold_usec;
	bool ok;

	if (st->has_zone) {
		if (st->point_pct != CHAIR_NO_POINT)
			snprintf(zone, sizeof(zone), "%s@%d%%", chair_zone_to_string(st->zone_top),
				 st->point_pct);
		else if (st->zone_top != st->zone_bottom)
			snprintf(zone, sizeof(zone), "%s..%s", chair_zone_to_string(st->zone_top),
				 chair_zone_to_string(st->zone_bottom));
		else
			snprintf(zone, sizeof(zone), "%s", chair_zone_to_string(st->zone_top));
	}
	for (int z = 0; z < CHAIR_AIR_COUNT; z++)
		if (st->air & (UINT32_C(1) << z))
			air[n_air++] = chair_air_zone_to_string((enum chair_air_zone)z);

	if (!dbus_message_iter_open_container(arr, DBUS_TYPE_ARRAY, "{sv}", &d))
		return false;
	ok = bus_append_dict_entry(&d, "phase", DBUS_TYPE_STRING, &phase) &&
	     bus_append_dict_entry(&d, "technique", DBUS_TYPE_STRING, &tech) &&
	     bus_append_dict_entry(&d, "zone", DBUS_TYPE_STRING, &zp) &&
	     bus_append_dict_entry(&d, "speed", DBUS_TYPE_UINT32, &speed) &&
	     bus_append_dict_entry(&d, "depth", DBUS_TYPE_UINT32, &depth) &&
	     bus_append_dict_entry(&d, "time_usec", DBUS_TYPE_UINT64, &t) &&
	     bus_append_dict_entry(&d, "cycles", DBUS_TYPE_UINT32, &cycles) &&
	     bus_append_dict_entry(&d, "hold_usec", DBUS_TYPE_UINT64, &hold);
	if (ok) {
		const char *k = "air";

		ok = dbus_message_iter_open_container(&d, DBUS_TYPE_DICT_ENTRY, NULL, &e) &&
		     dbus_message_iter_append_basic(&e, DBUS_TYPE_STRING, &k) &&
		     dbus_message_iter_open_container(&e, DBUS_TYPE_VARIANT, "as", &v) &&
		     bus_append_strv(&v, air, n_air) && dbus_message_iter_close_container(&e, &v) &&
		     dbus_message_iter_close_container(&d, &e);
	}
	return ok && dbus_message_iter_close_container(arr, &d);
}

static const char *tech_name(int i)
{
	return chair_technique_to_string((enum chair_technique)i);
}

static const char *zone_name(int i)
{
	return chair_zone_to_string((enum chair_zone)i);
}

static const char *cond_name(int i)
{
	return chair_condition_to_string((enum chair_condition)i);
}

static const char *air_name(int i)
{
	return chair_air_zone_to_string((enum chair_air_zone)i);
}

static const char *heater_name(int i)
{
	return chair_heater_to_string((enum chair_heater)i);
}

static bool append_program(DBusMessageIter *arr, const struct chair_program *p)
{
	DBusMessageIter s, d, e, v, steps;
	const char *character = chair_character_to_string(p->character);
	const char *k = "steps";
	uint32_t heat = p->heat;
	bool ok;

	if (!dbus_message_iter_open_container(arr, DBUS_TYPE_STRUCT, NULL, &s))
		return false;
	ok = dbus_message_iter_append_basic(&s, DBUS_TYPE_STRING, &p->id) &&
	     dbus_message_iter_append_basic(&s, DBUS_TYPE_STRING, &p->name) &&
	     dbus_message_iter_open_container(&s, DBUS_TYPE_ARRAY, "{sv}", &d) &&
	     bus_append_dict_entry(&d, "description", DBUS_TYPE_STRING, &p->description) &&
	     bus_append_dict_entry(&d, "character", DBUS_TYPE_STRING, &character) &&
	     bus_append_dict_entry(&d, "duration_usec", DBUS_TYPE_UINT64, &p->duration_usec) &&
	     bus_append_dict_entry(&d, "heat", DBUS_TYPE_UINT32, &heat) &&
	     bus_append_mask_entry(&d, "techniques", chair_program_techniques(p), CHAIR_TECHNIQUE_COUNT,
			       tech_name) &&
	     bus_append_mask_entry(&d, "zones", chair_program_zones(p), CHAIR_ZONE_COUNT, zone_name) &&
	     bus_append_mask_entry(&d, "not_for", p->not_for, CHAIR_CONDITION_COUNT, cond_name) &&
	     bus_append_strv_entry(&d, "aftercare", (const char *const *)p->aftercare,
				   chair_strv_length(p->aftercare)) &&
	     dbus_message_iter_open_container(&d, DBUS_TYPE_DICT_ENTRY, NULL, &e) &&
	     dbus_message_iter_append_basic(&e, DBUS_TYPE_STRING, &k) &&
	     dbus_message_iter_open_container(&e, DBUS_TYPE_VARIANT, "aa{sv}", &v) &&
	     dbus_message_iter_open_container(&v, DBUS_TYPE_ARRAY, "a{sv}", &steps);
	for (int ph = 0; ok && ph < CHAIR_PHASE_COUNT; ph++)
		for (size_t i = 0; ok && i < p->n_steps[ph]; i++)
			ok = append_step(&steps, (enum chair_phase)ph, &p->steps[ph][i]);
	ok = ok && dbus_message_iter_close_container(&v, &steps) &&
	     dbus_message_iter_close_container(&e, &v) && dbus_message_iter_close_container(&d, &e) &&
	     dbus_message_iter_close_container(&s, &d);
	return ok && dbus_message_iter_close_container(arr, &s);
}

static DBusMessage *method_list_programs(struct manager *m, DBusMessage *call)
{
	DBusMessage *reply = bus_reply(call);
	DBusMessageIter it, arr;
	bool ok;

	if (!reply)
		return NULL;
	dbus_message_iter_init_append(reply, &it);
	ok = dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "(ssa{sv})", &arr);
	for (size_t i = 0; ok && i < chair_programs_count(m->programs); i++)
		ok = append_program(&arr, chair_programs_get(m->programs, i));
	ok = ok && dbus_message_iter_close_container(&it, &arr);
	if (!ok) {
		dbus_message_unref(reply);
		return bus_error_errno(call, -ENOMEM);
	}
	return reply;
}

static DBusMessage *method_start(struct manager *m, DBusMessage *call)
{
	struct manager_why why = { "" };
	struct chair_options o;
	DBusMessageIter it;
	DBusMessage *err;
	const char *id;

	struct option_extras x = { .allow_profile = true };

	dbus_message_iter_init(call, &it);
	dbus_message_iter_get_basic(&it, &id);
	chair_options_init(&o);
	dbus_message_iter_next(&it);
	err = chair_object_parse_options(call, &it, &o, &x);
	if (err)
		return err;
	/* With a profile, the store is asked first; the reply comes then. */
	if (x.profile[0])
		return manager_start_with_profile(m, call, id, &o, x.given, x.profile);
	if (m->state == CHAIR_STATE_IDLE)
		m->profile[0] = 0;
	return chair_object_reply(call, manager_start_session(m, id, &o, &why), &why);
}

static DBusMessage *method_stop(struct manager *m, DBusMessage *call)
{
	return chair_object_reply(call, manager_stop(m), NULL);
}

static DBusMessage *method_pause(struct manager *m, DBusMessage *call)
{
	struct manager_why why = { "" };

	return chair_object_reply(call, manager_pause(m, &why), &why);
}

static DBusMessage *method_resume(struct manager *m, DBusMessage *call)
{
	struct manager_why why = { "" };

	return chair_object_reply(call, manager_resume(m, &why), &why);
}

static DBusMessage *method_set_intensity(struct manager *m, DBusMessage *call)
{
	struct manager_why why = { "" };
	uint32_t v;

	dbus_message_get_args(call, NULL, DBUS_TYPE_UINT32, &v, DBUS_TYPE_INVALID);
	return chair_object_reply(call, manager_set_intensity(m, v, &why), &why);
}

static DBusMessage *method_set_heat(struct manager *m, DBusMessage *call)
{
	struct manager_why why = { "" };
	uint32_t v;

	dbus_message_get_args(call, NULL, DBUS_TYPE_UINT32, &v, DBUS_TYPE_INVALID);
	return chair_object_reply(call, manager_set_heat(m, v, &why), &why);
}

static DBusMessage *method_emergency_stop(struct manager *m, DBusMessage *call)
{
	static const struct manager_why why = {
		"The emergency stop is latched, but some outputs could not be switched off (a GPIO "
		"failure); the chair keeps trying. Press the chair's own stop button or switch it "
		"off at the wall."
	};

	return chair_object_reply(call, manager_emergency_stop(m), &why);
}

static DBusMessage *method_reset(struct manager *m, DBusMessage *call)
{
	struct manager_why why = { "" };

	return chair_object_reply(call, manager_reset(m, &why), &why);
}

static DBusMessage *method_scan(struct manager *m, DBusMessage *call)
{
	struct manager_why why = { "" };
	int r = manager_scan(m, &why);

	if (r < 0)
		return chair_object_reply(call, r, &why);
	/* Scan() replies when the scan ends (chair_object_scan_done()). */
	m->scan_call = dbus_message_ref(call);
	return NULL;
}

static DBusMessage *method_feedback(struct manager *m, DBusMessage *call)
{
	struct manager_why why = { "" };
	const char *what;

	dbus_message_get_args(call, NULL, DBUS_TYPE_STRING, &what, DBUS_TYPE_INVALID);
	return chair_object_reply(call, manager_feedback(m, what, &why), &why);
}

static DBusMessage *method_reload(struct manager *m, DBusMessage *call)
{
	return chair_object_reply(call, manager_reload(m), NULL);
}

/* Recommend(): the consultation of lib/consult.c. Its options pass the
 * same chair_options_check() that Start runs, on the same programs and
 * chair. */
static DBusMessage *recommend_answer(DBusMessage *call, struct chair_answers *a, const char *key,
				     DBusMessageIter *v)
{
	_cleanup_free_ char *msg = NULL;
	DBusMessageIter arr;
	const char *s;
	uint64_t u;
	int r = chair_answer_key_type(key, &msg);

	switch (r) {
	case CHAIR_ANSWER_UINT:
		if (!variant_uint(v, &u))
			return bus_invalid_args(call, "Answer '%s' must be a number of minutes (u).", key);
		r = chair_answers_set_uint(a, key, u, &msg);
		break;
	case CHAIR_ANSWER_STRING:
		if (dbus_message_iter_get_arg_type(v) != DBUS_TYPE_STRING)
			return bus_invalid_args(call, "Answer '%s' must be a name (s).", key);
		dbus_message_iter_get_basic(v, &s);
		r = chair_answers_add(a, key, s, &msg);
		break;
	case CHAIR_ANSWER_STRINGS:
		if (dbus_message_iter_get_arg_type(v) != DBUS_TYPE_ARRAY ||
		    dbus_message_iter_get_element_type(v) != DBUS_TYPE_STRING)
			return bus_invalid_args(call, "Answer '%s' must be a list of names (as).", key);
		r = 0;
		for (dbus_message_iter_recurse(v, &arr);
		     r >= 0 && dbus_message_iter_get_arg_type(&arr) == DBUS_TYPE_STRING;
		     dbus_message_iter_next(&arr)) {
			dbus_message_iter_get_basic(&arr, &s);
			r = chair_answers_add(a, key, s, &msg);
		}
		break;
	default:
		break;
	}
	if (r == -EINVAL)
		return bus_invalid_args(call, "%s", msg);
	return r < 0 ? bus_error_errno(call, r) : NULL;
}

static bool append_recommendation(DBusMessage *reply, const struct chair_recommendation *rec)
{
	const struct chair_options *o = &rec->options;
	const char *avoid[CHAIR_ZONE_COUNT + CHAIR_AIR_COUNT];
	const char *focus = o->focus >= 0 ? zone_name(o->focus) : NULL;
	uint32_t intensity = o->intensity, heat = (uint32_t)o->heat;
	DBusMessageIter it, d;
	size_t n = 0;
	bool ok;

	for (int z = 0; z < CHAIR_ZONE_COUNT; z++)
		if (o->avoid_back & (UINT32_C(1) << z))
			avoid[n++] = zone_name(z);
	for (int z = 0; z < CHAIR_AIR_COUNT; z++)
		if (o->avoid_air & (UINT32_C(1) << z))
			avoid[n++] = air_name(z);
	dbus_message_iter_init_append(reply, &it);
	ok = dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &rec->program) &&
	     dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{sv}", &d);
	/* No program (a red flag): nothing to start, so no options. */
	if (ok && rec->program[0])
		ok = bus_append_dict_entry(&d, "duration_usec", DBUS_TYPE_UINT64, &o->duration_usec) &&
		     bus_append_dict_entry(&d, "intensity", DBUS_TYPE_UINT32, &intensity) &&
		     bus_append_dict_entry(&d, "heat", DBUS_TYPE_UINT32, &heat) &&
		     (!focus || bus_append_dict_entry(&d, "focus", DBUS_TYPE_STRING, &focus)) &&
		     (!n || bus_append_strv_entry(&d, "avoid", avoid, n)) &&
		     (!o->conditions || bus_append_mask_entry(&d, "conditions", o->conditions,
							  CHAIR_CONDITION_COUNT, cond_name));
	return ok && dbus_message_iter_close_container(&it, &d) &&
	       bus_append_strv(&it, (const char *const *)rec->reasons,
			       chair_strv_length(rec->reasons));
}

static DBusMessage *method_recommend(struct manager *m, DBusMessage *call)
{
	struct chair_answers a;
	DBusMessageIter it, dict;

	chair_answers_init(&a);
	dbus_message_iter_init(call, &it);
	for (dbus_message_iter_recurse(&it, &dict);
	     dbus_message_iter_get_arg_type(&dict) == DBUS_TYPE_DICT_ENTRY;
	     dbus_message_iter_next(&dict)) {
		DBusMessageIter e, v;
		DBusMessage *err;
		const char *key;

		dbus_message_iter_recurse(&dict, &e);
		dbus_message_iter_get_basic(&e, &key);
		dbus_message_iter_next(&e);
		dbus_message_iter_recurse(&e, &v);
		err = recommend_answer(call, &a, key, &v);
		if (err)
			return err;
	}
	/* With a profile, the store is asked first; the reply comes then. */
	if (a.profile[0])
		return manager_recommend_with_profile(m, call, &a);
	return chair_object_recommend(m, call, &a);
}

DBusMessage *chair_object_recommend(struct manager *m, DBusMessage *call,
				    const struct chair_answers *a)
{
	struct chair_recommendation rec = { 0 };
	_cleanup_free_ char *msg = NULL;
	DBusMessage *reply;
	int r;

	r = chair_consult(a, m->programs, &m->hw, &rec, &msg);
	if (r == -EINVAL)
		return bus_invalid_args(call, "%s", msg);
	if (r == -ENOENT)
		return bus_error(call, CHAIR_ERROR_UNKNOWN_PROGRAM, "%s", msg);
	if (r < 0)
		return bus_error_errno(call, r);
	reply = bus_reply(call);
	if (reply && !append_recommendation(reply, &rec)) {
		dbus_message_unref(reply);
		reply = NULL;
	}
	chair_recommendation_done(&rec);
	return reply ? reply : bus_error_errno(call, -ENOMEM);
}

/* --- org.chaird.Simulator1 methods --------------------------------------- */

static struct chair_sim *sim(struct manager *m)
{
	return hal_sim_chair(m->hal);
}

/* A simulated input changes: acted on at once, as a GPIO edge would be. */
static DBusMessage *set_sim_input(struct manager *m, DBusMessage *call,
				  void (*set)(struct chair_sim *s, bool v))
{
	dbus_bool_t b;

	dbus_message_get_args(call, NULL, DBUS_TYPE_BOOLEAN, &b, DBUS_TYPE_INVALID);
	manager_catch_up(m);
	set(sim(m), b);
	manager_input_changed(m);
	return bus_reply(call);
}

static DBusMessage *method_set_button(struct manager *m, DBusMessage *call)
{
	return set_sim_input(m, call, chair_sim_set_estop);
}

static DBusMessage *method_set_occupied(struct manager *m, DBusMessage *call)
{
	return set_sim_input(m, call, chair_sim_set_occupied);
}

static DBusMessage *method_inject_fault(struct manager *m, DBusMessage *call)
{
	const char *s;
	int f;

	dbus_message_get_args(call, NULL, DBUS_TYPE_STRING, &s, DBUS_TYPE_INVALID);
	f = chair_sim_fault_from_string(s);
	if (f < 0)
		return bus_invalid_args(call, "Unknown fault '%s'; use walk-jam, heater-sensor-open, "
					      "heater-relay-welded or motor-driver-fault.", CHAIR_QUOTE(s));
	manager_catch_up(m);
	log_notice("Simulator: injecting %s", s);
	chair_sim_inject(sim(m), (enum chair_sim_fault)f);
	manager_input_changed(m);
	return bus_reply(call);
}

static DBusMessage *method_clear_faults(struct manager *m, DBusMessage *call)
{
	manager_catch_up(m);
	chair_sim_clear_faults(sim(m));
	manager_input_changed(m);
	return bus_reply(call);
}

/* --- properties ---------------------------------------------------------- */

static bool put_string(DBusMessageIter *it, const char *s)
{
	return dbus_message_iter_append_basic(it, DBUS_TYPE_STRING, &s);
}

static bool put_u32(DBusMessageIter *it, uint32_t v)
{
	return dbus_message_iter_append_basic(it, DBUS_TYPE_UINT32, &v);
}

static bool put_u64(DBusMessageIter *it, uint64_t v)
{
	return dbus_message_iter_append_basic(it, DBUS_TYPE_UINT64, &v);
}

static bool prop_state(struct manager *m, DBusMessageIter *it)
{
	return put_string(it, chair_state_to_string(m->state));
}

static bool prop_program(struct manager *m, DBusMessageIter *it)
{
	return put_string(it, m->program_id ? m->program_id : "");
}

static bool prop_step(struct manager *m, DBusMessageIter *it)
{
	return put_string(it, m->step_valid ? chair_technique_to_string(m->step) : "");
}

static bool prop_zone(struct manager *m, DBusMessageIter *it)
{
	return put_string(it, m->zone >= 0 ? chair_zone_to_string((enum chair_zone)m->zone) : "");
}

static bool prop_elapsed(struct manager *m, DBusMessageIter *it)
{
	return put_u64(it, m->elapsed);
}

static bool prop_duration(struct manager *m, DBusMessageIter *it)
{
	return put_u64(it, m->duration);
}

static bool prop_intensity(struct manager *m, DBusMessageIter *it)
{
	return put_u32(it, m->intensity);
}

static bool prop_heat(struct manager *m, DBusMessageIter *it)
{
	return put_u32(it, m->heat);
}

static bool prop_occupied(struct manager *m, DBusMessageIter *it)
{
	dbus_bool_t b = m->occupied;

	return dbus_message_iter_append_basic(it, DBUS_TYPE_BOOLEAN, &b);
}

static bool prop_temperatures(struct manager *m, DBusMessageIter *it)
{
	DBusMessageIter d;

	if (!dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY, "{sd}", &d))
		return false;
	for (int h = 0; h < CHAIR_HEATER_COUNT; h++) {
		DBusMessageIter e;
		const char *name = chair_heater_to_string((enum chair_heater)h);
		double t = m->temps[h];

		if (!chair_hw_has_heater(&m->hw, (enum chair_heater)h) || isnan(t))
			continue;
		if (!dbus_message_iter_open_container(&d, DBUS_TYPE_DICT_ENTRY, NULL, &e) ||
		    !dbus_message_iter_append_basic(&e, DBUS_TYPE_STRING, &name) ||
		    !dbus_message_iter_append_basic(&e, DBUS_TYPE_DOUBLE, &t) ||
		    !dbus_message_iter_close_container(&d, &e))
			return false;
	}
	return dbus_message_iter_close_container(it, &d);
}

static const char *fault_name(int i)
{
	return chair_fault_to_string((enum chair_fault)i);
}

static bool prop_faults(struct manager *m, DBusMessageIter *it)
{
	uint32_t f = chair_safety_faults(m->safety);
	const char *v[CHAIR_FAULT_COUNT];
	size_t n = 0;

	for (int i = 0; i < CHAIR_FAULT_COUNT; i++)
		if (f & (UINT32_C(1) << i))
			v[n++] = fault_name(i);
	return bus_append_strv(it, v, n);
}

static bool prop_shoulder(struct manager *m, DBusMessageIter *it)
{
	return put_u32(it, (uint32_t)lround(m->body.shoulder_mm));
}

/* File names come from the directory as they are: made valid UTF-8 here,
 * or libdbus would refuse (and abort on) the reply. */
static bool prop_program_errors(struct manager *m, DBusMessageIter *it)
{
	DBusMessageIter a, s;

	if (!dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY, "(sus)", &a))
		return false;
	for (size_t i = 0; i < m->program_errors.n; i++) {
		const struct chair_diag *d = &m->program_errors.v[i];
		_cleanup_free_ char *file = strdup(d->file), *msg = strdup(d->message);
		const char *f = file ? chair_utf8_scrub(file) : "", *t = msg ? chair_utf8_scrub(msg) : "";
		uint32_t line = d->line;

		if (!dbus_message_iter_open_container(&a, DBUS_TYPE_STRUCT, NULL, &s) ||
		    !dbus_message_iter_append_basic(&s, DBUS_TYPE_STRING, &f) ||
		    !dbus_message_iter_append_basic(&s, DBUS_TYPE_UINT32, &line) ||
		    !dbus_message_iter_append_basic(&s, DBUS_TYPE_STRING, &t) ||
		    !dbus_message_iter_close_container(&a, &s)) {
			dbus_message_iter_abandon_container(it, &a);
			return false;
		}
	}
	return dbus_message_iter_close_container(it, &a);
}

static bool prop_capabilities(struct manager *m, DBusMessageIter *it)
{
	DBusMessageIter d;
	uint32_t track = (uint32_t)lround(m->hw.track_length_mm), max_depth = chair_hw_max_depth(&m->hw);
	uint32_t air = 0, heaters = 0;
	uint64_t cap = m->hw.max_session_usec;

	for (int z = 0; z < CHAIR_AIR_COUNT; z++)
		if (chair_hw_has_air_zone(&m->hw, (enum chair_air_zone)z))
			air |= UINT32_C(1) << z;
	for (int h = 0; h < CHAIR_HEATER_COUNT; h++)
		if (chair_hw_has_heater(&m->hw, (enum chair_heater)h))
			heaters |= UINT32_C(1) << h;
	return dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY, "{sv}", &d) &&
	       bus_append_mask_entry(&d, "zones", (UINT32_C(1) << CHAIR_ZONE_COUNT) - 1, CHAIR_ZONE_COUNT,
				 zone_name) &&
	       bus_append_mask_entry(&d, "techniques", chair_policy_techniques(&m->hw),
				 CHAIR_TECHNIQUE_COUNT, tech_name) &&
	       bus_append_mask_entry(&d, "heaters", heaters, CHAIR_HEATER_COUNT, heater_name) &&
	       bus_append_mask_entry(&d, "air_zones", air, CHAIR_AIR_COUNT, air_name) &&
	       bus_append_dict_entry(&d, "track_length_mm", DBUS_TYPE_UINT32, &track) &&
	       bus_append_dict_entry(&d, "max_depth", DBUS_TYPE_UINT32, &max_depth) &&
	       bus_append_dict_entry(&d, "max_duration_usec", DBUS_TYPE_UINT64, &cap) &&
	       dbus_message_iter_close_container(it, &d);
}

static const char *air_zone_name(int i)
{
	return chair_air_zone_to_string((enum chair_air_zone)i);
}

static bool prop_focus(struct manager *m, DBusMessageIter *it)
{
	int f = m->engine ? chair_engine_options(m->engine)->focus : -1;

	return put_string(it, f >= 0 ? chair_zone_to_string((enum chair_zone)f) : "");
}

/* Back zones and airbag zones, as the session applies them. */
static bool prop_avoid(struct manager *m, DBusMessageIter *it)
{
	const struct chair_policy *p = m->engine ? chair_engine_policy(m->engine) : NULL;
	const char *v[CHAIR_ZONE_COUNT + CHAIR_AIR_COUNT];
	size_t n = 0;

	for (int z = 0; p && z < CHAIR_ZONE_COUNT; z++)
		if (p->avoid_back & (UINT32_C(1) << z))
			v[n++] = zone_name(z);
	for (int z = 0; p && z < CHAIR_AIR_COUNT; z++)
		if ((p->air_blocked & (UINT32_C(1) << z)) && chair_hw_has_air_zone(&m->hw, (enum chair_air_zone)z) &&
		    !(z == CHAIR_AIR_SHOULDERS && (p->avoid_back & (UINT32_C(1) << CHAIR_ZONE_SHOULDERS))))
			v[n++] = air_zone_name(z);
	return bus_append_strv(it, v, n);
}

static bool prop_conditions(struct manager *m, DBusMessageIter *it)
{
	uint32_t c = m->engine ? chair_engine_options(m->engine)->conditions : 0;
	const char *v[CHAIR_CONDITION_COUNT];
	size_t n = 0;

	for (int i = 0; i < CHAIR_CONDITION_COUNT; i++)
		if (c & (UINT32_C(1) << i))
			v[n++] = cond_name(i);
	return bus_append_strv(it, v, n);
}

static bool prop_phase(struct manager *m, DBusMessageIter *it)
{
	return put_string(it, m->phase >= 0 ? chair_phase_to_string((enum chair_phase)m->phase) : "");
}

static bool prop_pause_reason(struct manager *m, DBusMessageIter *it)
{
	return put_string(it, m->pause_reason);
}

static bool prop_profile(struct manager *m, DBusMessageIter *it)
{
	return put_string(it, manager_in_session(m) ? m->profile : "");
}

static bool prop_adjustments(struct manager *m, DBusMessageIter *it)
{
	return bus_append_strv(it, (const char *const *)m->adjustments,
			       chair_strv_length(m->adjustments));
}

static bool prop_aftercare(struct manager *m, DBusMessageIter *it)
{
	return bus_append_strv(it, (const char *const *)m->aftercare, chair_strv_length(m->aftercare));
}

static bool prop_backend(struct manager *m, DBusMessageIter *it)
{
	return put_string(it, hal_name(m->hal));
}

static bool prop_version(struct manager *m, DBusMessageIter *it)
{
	return put_string(it, CHAIRD_VERSION);
}

static bool prop_outputs(struct manager *m, DBusMessageIter *it)
{
	DBusMessageIter d;

	if (!dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY, "{sb}", &d))
		return false;
	for (int o = 0; o < CHAIR_OUTPUT_COUNT; o++) {
		DBusMessageIter e;
		const char *name = chair_output_to_string((enum chair_output)o);
		dbus_bool_t b = hal_outputs(m->hal)->out[o];

		if (!chair_hw_has_output(&m->hw, (enum chair_output)o))
			continue;
		if (!dbus_message_iter_open_container(&d, DBUS_TYPE_DICT_ENTRY, NULL, &e) ||
		    !dbus_message_iter_append_basic(&e, DBUS_TYPE_STRING, &name) ||
		    !dbus_message_iter_append_basic(&e, DBUS_TYPE_BOOLEAN, &b) ||
		    !dbus_message_iter_close_container(&d, &e))
			return false;
	}
	return dbus_message_iter_close_container(it, &d);
}

/* --- tables -------------------------------------------------------------- */

static const struct bus_method chair_methods[] = {
	{ "ListPrograms", "", "a(ssa{sv})", method_list_programs },
	{ "Start", "sa{sv}", "", method_start },
	{ "Stop", "", "", method_stop },
	{ "Pause", "", "", method_pause },
	{ "Resume", "", "", method_resume },
	{ "SetIntensity", "u", "", method_set_intensity },
	{ "SetHeat", "u", "", method_set_heat },
	{ "EmergencyStop", "", "", method_emergency_stop },
	{ "Reset", "", "", method_reset },
	{ "Scan", "", "", method_scan },
	{ "Reload", "", "", method_reload },
	{ "Feedback", "s", "", method_feedback },
	{ "ListProfiles", "", "a(sa{sv})", profiles_list },
	{ "SaveProfile", "sa{sv}", "", profiles_save },
	{ "DeleteProfile", "s", "", profiles_delete },
	{ "History", "a{sv}", "aa{sv}", profiles_history },
	{ "Recommend", "a{sv}", "sa{sv}as", method_recommend },
	{}
};

static const struct bus_property chair_properties[] = {
	{ "State", "s", prop_state, PROP_STATE },
	{ "Program", "s", prop_program, PROP_PROGRAM },
	{ "Step", "s", prop_step, PROP_STEP },
	{ "Zone", "s", prop_zone, PROP_ZONE },
	{ "ElapsedUSec", "t", prop_elapsed, PROP_ELAPSED },
	{ "DurationUSec", "t", prop_duration, PROP_DURATION },
	{ "Intensity", "u", prop_intensity, PROP_INTENSITY },
	{ "Heat", "u", prop_heat, PROP_HEAT },
	{ "Occupied", "b", prop_occupied, PROP_OCCUPIED },
	{ "Temperatures", "a{sd}", prop_temperatures, PROP_TEMPERATURES },
	{ "Faults", "as", prop_faults, PROP_FAULTS },
	{ "ShoulderMm", "u", prop_shoulder, PROP_SHOULDER },
	{ "ProgramErrors", "a(sus)", prop_program_errors, PROP_PROGRAM_ERRORS },
	{ "Capabilities", "a{sv}", prop_capabilities, 0 },
	{ "Backend", "s", prop_backend, 0 },
	{ "Version", "s", prop_version, 0 },
	{ "Focus", "s", prop_focus, PROP_FOCUS },
	{ "Avoid", "as", prop_avoid, PROP_AVOID },
	{ "Conditions", "as", prop_conditions, PROP_CONDITIONS },
	{ "Phase", "s", prop_phase, PROP_PHASE },
	{ "PauseReason", "s", prop_pause_reason, PROP_PAUSE_REASON },
	{ "Profile", "s", prop_profile, PROP_PROFILE },
	{ "Adjustments", "as", prop_adjustments, PROP_ADJUSTMENTS },
	{ "Aftercare", "as", prop_aftercare, PROP_AFTERCARE },
	{}
};

static const struct bus_signal chair_signals[] = {
	{ "SessionFinished", "sst" },
	{}
};

static const struct bus_method sim_methods[] = {
	{ "SetEmergencyButton", "b", "", method_set_button },
	{ "SetOccupied", "b", "", method_set_occupied },
	{ "InjectFault", "s", "", method_inject_fault },
	{ "ClearFaults", "", "", method_clear_faults },
	{}
};

static const struct bus_property sim_properties[] = {
	{ "Outputs", "a{sb}", prop_outputs, PROP_OUTPUTS },
	{}
};

const struct bus_interface chair_interfaces[] = {
	{ CHAIR_INTERFACE, chair_methods, chair_properties, chair_signals },
	{ CHAIR_SIM_INTERFACE, sim_methods, sim_properties, NULL },
	{}
};

/* --- the object ---------------------------------------------------------- */

static const char standard_xml[] =
	"  <interface name=\"org.freedesktop.DBus.Peer\">\n"
	"    <method name=\"Ping\"/>\n"
	"    <method name=\"GetMachineId\"><arg name=\"machine_uuid\" type=\"s\" direction=\"out\"/></method>\n"
	"  </interface>\n"
	"  <interface name=\"org.freedesktop.DBus.Introspectable\">\n"
	"    <method name=\"Introspect\"><arg name=\"xml_data\" type=\"s\" direction=\"out\"/></method>\n"
	"  </interface>\n"
	"  <interface name=\"org.freedesktop.DBus.Properties\">\n"
	"    <method name=\"Get\"><arg name=\"interface_name\" type=\"s\" direction=\"in\"/>"
	"<arg name=\"property_name\" type=\"s\" direction=\"in\"/><arg name=\"value\" type=\"v\" direction=\"out\"/></method>\n"
	"    <method name=\"GetAll\"><arg name=\"interface_name\" type=\"s\" direction=\"in\"/>"
	"<arg name=\"props\" type=\"a{sv}\" direction=\"out\"/></method>\n"
	"    <method name=\"Set\"><arg name=\"interface_name\" type=\"s\" direction=\"in\"/>"
	"<arg name=\"property_name\" type=\"s\" direction=\"in\"/><arg name=\"value\" type=\"v\" direction=\"in\"/></method>\n"
	"    <signal name=\"PropertiesChanged\"><arg name=\"interface_name\" type=\"s\"/>"
	"<arg name=\"changed_properties\" type=\"a{sv}\"/><arg name=\"invalidated_properties\" type=\"as\"/></signal>\n"
	"  </interface>\n";

/* The <interface> elements of an introspection file. */
static int interface_body(const char *xml, const char **ret_start, size_t *ret_len)
{
	const char *a = strstr(xml, "<interface"), *b = strstr(xml, "</node>");

	if (!a || !b || b < a)
		return -EINVAL;
	*ret_start = a;
	*ret_len = (size_t)(b - a);
	return 0;
}

static int build_xml(struct manager *m, bool with_sim)
{
	const char *c1, *s1 = "";
	size_t n1, ns = 0;

	if (interface_body(chair_api_xml, &c1, &n1) < 0 ||
	    (with_sim && interface_body(chair_sim_api_xml, &s1, &ns) < 0))
		return -EINVAL;
	free(m->introspection_xml);
	if (asprintf(&m->introspection_xml,
		     "<!DOCTYPE node PUBLIC \"-//freedesktop//DTD D-BUS Object Introspection 1.0//EN\"\n"
		     " \"http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd\">\n"
		     "<node>\n%s  %.*s%.*s</node>\n",
		     standard_xml, (int)n1, c1, (int)ns, s1) < 0) {
		m->introspection_xml = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* The path's parents only list their child, so that tools can walk down
 * to the object. No object sits at them. */
static const char *const parents[][2] = {
	{ "/", "org" },
	{ "/org", "chaird" },
	{ "/org/chaird", "Chair1" },
};

static DBusMessage *parent_call(DBusMessage *msg, const char *child)
{
	DBusMessage *reply;
	char *xml = NULL;

	if (!dbus_message_is_method_call(msg, DBUS_INTERFACE_INTROSPECTABLE, "Introspect"))
		return bus_error(msg, DBUS_ERROR_UNKNOWN_METHOD, "No object is here; the chair is at "
				 CHAIR_OBJECT_PATH ".");
	if (asprintf(&xml, "<!DOCTYPE node PUBLIC \"-//freedesktop//DTD D-BUS Object Introspection "
			   "1.0//EN\"\n \"http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd\">\n"
			   "<node>\n  <node name=\"%s\"/>\n</node>\n", child) < 0)
		return NULL;
	reply = bus_reply(msg);
	if (reply)
		dbus_message_append_args(reply, DBUS_TYPE_STRING, &xml, DBUS_TYPE_INVALID);
	free(xml);
	return reply;
}

/* org.freedesktop.DBus.Peer, on every path, as libdbus would answer it. */
static DBusMessage *peer_call(DBusMessage *msg)
{
	DBusMessage *reply;
	char *id;

	if (dbus_message_is_method_call(msg, DBUS_INTERFACE_PEER, "Ping"))
		return bus_reply(msg);
	if (!dbus_message_is_method_call(msg, DBUS_INTERFACE_PEER, "GetMachineId"))
		return bus_error(msg, DBUS_ERROR_UNKNOWN_METHOD, "Peer has Ping and GetMachineId.");
	id = dbus_try_get_local_machine_id(NULL);
	if (!id)
		return bus_error(msg, DBUS_ERROR_FAILED, "This machine has no machine id.");
	reply = bus_reply(msg);
	if (reply)
		dbus_message_append_args(reply, DBUS_TYPE_STRING, &id, DBUS_TYPE_INVALID);
	dbus_free(id);
	return reply;
}

/* Sends @p reply to @p msg, unless its caller asked for none; unrefs it. */
static void send_reply(DBusConnection *c, DBusMessage *msg, DBusMessage *reply)
{
	if (!reply)
		return;
	if (!dbus_message_get_no_reply(msg))
		dbus_connection_send(c, reply, NULL);
	dbus_message_unref(reply);
}

bool chair_object_urgent(DBusMessage *msg)
{
	const char *iface = dbus_message_get_interface(msg);

	/* A lost bus is acted on before the calls queued ahead of it. */
	if (dbus_message_is_signal(msg, DBUS_INTERFACE_LOCAL, "Disconnected"))
		return true;
	return dbus_message_get_type(msg) == DBUS_MESSAGE_TYPE_METHOD_CALL &&
	       dbus_message_has_member(msg, "EmergencyStop") &&
	       dbus_message_has_path(msg, CHAIR_OBJECT_PATH) && (!iface || streq(iface, CHAIR_INTERFACE));
}

/* What the stop name's object says of itself: one method. */
static const char stop_xml[] =
	"<!DOCTYPE node PUBLIC \"-//freedesktop//DTD D-BUS Object Introspection 1.0//EN\"\n"
	" \"http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd\">\n"
	"<node>\n"
	"  <interface name=\"" CHAIR_INTERFACE "\">\n"
	"    <method name=\"EmergencyStop\"/>\n"
	"  </interface>\n"
	"  <interface name=\"" DBUS_INTERFACE_INTROSPECTABLE "\">\n"
	"    <method name=\"Introspect\"><arg name=\"xml\" type=\"s\" direction=\"out\"/></method>\n"
	"  </interface>\n"
	"  <interface name=\"" DBUS_INTERFACE_PEER "\">\n"
	"    <method name=\"Ping\"/>\n"
	"    <method name=\"GetMachineId\"><arg name=\"id\" type=\"s\" direction=\"out\"/></method>\n"
	"  </interface>\n"
	"</node>\n";

/*
 * Routes what reaches the main connection, or (@p stop_only) the stop
 * connection or a stop socket's connection, which serve EmergencyStop(),
 * Introspect and Peer and refer everything else to the main name.
 */
static void route(struct manager *m, DBusConnection *c, DBusMessage *msg, bool stop_only)
{
	const char *path = dbus_message_get_path(msg);
	DBusMessage *reply = NULL;

	if (dbus_message_is_signal(msg, DBUS_INTERFACE_LOCAL, "Disconnected")) {
		if (stop_only)
			manager_stop_bus_lost(m);
		else
			manager_bus_lost(m);
		return;
	}
	/* Signals (NameAcquired and the like) need nothing. */
	if (dbus_message_get_type(msg) != DBUS_MESSAGE_TYPE_METHOD_CALL || !path)
		return;
	if (dbus_message_has_interface(msg, DBUS_INTERFACE_PEER)) {
		reply = peer_call(msg);
	} else if (streq(path, CHAIR_OBJECT_PATH) && (!stop_only || chair_object_urgent(msg))) {
		bus_object_dispatch(m, c, msg, m->served, m->introspection_xml);
		return;
	} else if (streq(path, CHAIR_OBJECT_PATH) &&
		   dbus_message_is_method_call(msg, DBUS_INTERFACE_INTROSPECTABLE, "Introspect")) {
		const char *xml = stop_xml;

		reply = bus_reply(msg);
		if (reply)
			dbus_message_append_args(reply, DBUS_TYPE_STRING, &xml, DBUS_TYPE_INVALID);
	} else if (streq(path, CHAIR_OBJECT_PATH)) {
		reply = bus_error(msg, DBUS_ERROR_UNKNOWN_METHOD,
				  "This connection (%s, or the stop socket) serves only "
				  "EmergencyStop() at " CHAIR_OBJECT_PATH "; call everything else "
				  "at %s.", CHAIR_STOP_BUS_NAME, CHAIR_BUS_NAME);
	} else {
		for (size_t i = 0; i < ELEMENTSOF(parents) && !reply; i++)
			if (streq(path, parents[i][0]))
				reply = parent_call(msg, parents[i][1]);
		if (!reply)
			reply = bus_error(msg, DBUS_ERROR_UNKNOWN_OBJECT, "There is no object at %s; "
					  "the chair is at " CHAIR_OBJECT_PATH ".", CHAIR_QUOTE(path));
	}
	send_reply(c, msg, reply);
}

void chair_object_route(DBusConnection *c, DBusMessage *msg, void *userdata)
{
	route(userdata, c, msg, false);
}

void chair_object_route_stop(DBusConnection *c, DBusMessage *msg, void *userdata)
{
	route(userdata, c, msg, true);
}

int chair_object_register(struct manager *m)
{
	bool with_sim = hal_sim_chair(m->hal) != NULL;

	m->served[0] = &chair_interfaces[0];
	m->served[1] = with_sim ? &chair_interfaces[1] : NULL;
	m->served[2] = NULL;
	return build_xml(m, with_sim);
}

void chair_object_emit_finished(struct manager *m, const char *program, const char *reason,
				uint64_t elapsed)
{
	DBusMessage *sig;

	if (!m->bus)
		return;
	sig = dbus_message_new_signal(CHAIR_OBJECT_PATH, CHAIR_INTERFACE, "SessionFinished");
	if (!sig)
		return;
	if (!program)
		program = "";
	if (dbus_message_append_args(sig, DBUS_TYPE_STRING, &program, DBUS_TYPE_STRING, &reason,
				     DBUS_TYPE_UINT64, &elapsed, DBUS_TYPE_INVALID)) {
		/* Pending property changes go first, so a client sees the final
		 * state before the signal. */
		chair_object_flush(m);
		dbus_connection_send(m->bus, sig, NULL);
	}
	dbus_message_unref(sig);
}

void chair_object_flush(struct manager *m)
{
	struct timespec ts;
	uint64_t mono;
	uint32_t bits = m->dirty;

	if (!m->bus || !bits)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	mono = (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
	/* Progress alone waits for its 2 Hz slot; anything else takes it along. */
	if (!(bits & ~PROP_PROGRESS) && mono - m->last_progress < MANAGER_PROGRESS_USEC)
		return;
	if (bits & PROP_PROGRESS)
		m->last_progress = mono;
	m->dirty = 0;
	if (bits & ~PROP_OUTPUTS)
		bus_object_emit_changed(m, m->bus, CHAIR_OBJECT_PATH, &chair_interfaces[0], bits);
	if ((bits & PROP_OUTPUTS) && m->served[1])
		bus_object_emit_changed(m, m->bus, CHAIR_OBJECT_PATH, &chair_interfaces[1], bits);
}

void chair_object_scan_done(struct manager *m, int result)
{
	DBusMessage *call = m->scan_call, *reply;

	if (!call)
		return;
	m->scan_call = NULL;
	switch (result) {
	case 0:
		reply = bus_reply(call);
		break;
	case -ENOENT:
	case -ERANGE:
		reply = bus_error(call, DBUS_ERROR_FAILED,
				  "The scan found no shoulder line. Sit back fully against the "
				  "backrest, then scan again.");
		break;
	case -ECANCELED:
		reply = bus_error(call, CHAIR_ERROR_EMERGENCY_STOP,
				  "The scan was cut short by the emergency stop.");
		break;
	case -ENXIO:
		reply = chair_object_reply(call, -ENXIO, &(struct manager_why){
			"Nobody is seated. Sit down in the chair, then try again." });
		break;
	case -EINTR:
		reply = bus_error(call, DBUS_ERROR_FAILED, "The scan was stopped.");
		break;
	default:
		reply = bus_error(call, CHAIR_ERROR_FAULT, "The scan was cut short by a fault.");
		break;
	}
	if (reply) {
		if (m->bus)
			dbus_connection_send(m->bus, reply, NULL);
		dbus_message_unref(reply);
	}
	dbus_message_unref(call);
}
