// SPDX-License-Identifier: MIT
/*
 * Writes the seed corpus of fuzz-bus: serialized calls to every method and
 * property, right and wrong, each a record as fuzz-bus reads it.
 * Usage: bus-seeds DIR
 */
#include <dbus/dbus.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH "/org/chaird/Chair1"
#define CHAIR "org.chaird.Chair1"
#define SIM "org.chaird.Simulator1"

static const char *dir;
static unsigned serial = 1;

static DBusMessage *call(const char *iface, const char *method)
{
	DBusMessage *m = dbus_message_new_method_call(CHAIR, PATH, iface, method);

	dbus_message_set_serial(m, serial++);
	return m;
}

/* Appends one record (advance byte + message) to @p f. */
static void put(FILE *f, DBusMessage *m, unsigned char advance)
{
	char *wire;
	int len;

	if (!dbus_message_marshal(m, &wire, &len))
		abort();
	fputc(advance, f);
	fwrite(wire, 1, (size_t)len, f);
	dbus_free(wire);
	dbus_message_unref(m);
}

static FILE *seed(const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f) {
		perror(path);
		exit(1);
	}
	return f;
}

static void dict_entry(DBusMessageIter *d, const char *key, int type, const void *v)
{
	DBusMessageIter e, var;
	char sig[2] = { (char)type, 0 };

	dbus_message_iter_open_container(d, DBUS_TYPE_DICT_ENTRY, NULL, &e);
	dbus_message_iter_append_basic(&e, DBUS_TYPE_STRING, &key);
	dbus_message_iter_open_container(&e, DBUS_TYPE_VARIANT, sig, &var);
	dbus_message_iter_append_basic(&var, type, v);
	dbus_message_iter_close_container(&e, &var);
	dbus_message_iter_close_container(d, &e);
}

static void strv_entry(DBusMessageIter *d, const char *key, const char *a, const char *b)
{
	DBusMessageIter e, var, arr;

	dbus_message_iter_open_container(d, DBUS_TYPE_DICT_ENTRY, NULL, &e);
	dbus_message_iter_append_basic(&e, DBUS_TYPE_STRING, &key);
	dbus_message_iter_open_container(&e, DBUS_TYPE_VARIANT, "as", &var);
	dbus_message_iter_open_container(&var, DBUS_TYPE_ARRAY, "s", &arr);
	dbus_message_iter_append_basic(&arr, DBUS_TYPE_STRING, &a);
	if (b)
		dbus_message_iter_append_basic(&arr, DBUS_TYPE_STRING, &b);
	dbus_message_iter_close_container(&var, &arr);
	dbus_message_iter_close_container(&e, &var);
	dbus_message_iter_close_container(d, &e);
}

static DBusMessage *start(const char *program, int variant)
{
	DBusMessage *m = call(CHAIR, "Start");
	DBusMessageIter it, d;
	uint64_t dur = 300000000;
	uint32_t intensity = 4, heat = 2;
	const char *focus = "mid-back";

	dbus_message_iter_init_append(m, &it);
	dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &program);
	dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{sv}", &d);
	if (variant >= 1) {
		dict_entry(&d, "duration_usec", DBUS_TYPE_UINT64, &dur);
		dict_entry(&d, "intensity", DBUS_TYPE_UINT32, &intensity);
		dict_entry(&d, "heat", DBUS_TYPE_UINT32, &heat);
	}
	if (variant >= 2) {
		dict_entry(&d, "focus", DBUS_TYPE_STRING, &focus);
		strv_entry(&d, "avoid", "sacrum", "calves");
		strv_entry(&d, "conditions", "inflammation", NULL);
	}
	if (variant >= 3)
		dict_entry(&d, "intensity", DBUS_TYPE_STRING, &focus);
	dbus_message_iter_close_container(&it, &d);
	return m;
}

static DBusMessage *get(const char *iface, const char *prop)
{
	DBusMessage *m = call(DBUS_INTERFACE_PROPERTIES, "Get");

	dbus_message_append_args(m, DBUS_TYPE_STRING, &iface, DBUS_TYPE_STRING, &prop,
				 DBUS_TYPE_INVALID);
	return m;
}

static DBusMessage *with_u32(const char *iface, const char *method, uint32_t v)
{
	DBusMessage *m = call(iface, method);

	dbus_message_append_args(m, DBUS_TYPE_UINT32, &v, DBUS_TYPE_INVALID);
	return m;
}

static DBusMessage *with_str(const char *iface, const char *method, const char *s)
{
	DBusMessage *m = call(iface, method);

	dbus_message_append_args(m, DBUS_TYPE_STRING, &s, DBUS_TYPE_INVALID);
	return m;
}

static DBusMessage *with_bool(const char *iface, const char *method, dbus_bool_t b)
{
	DBusMessage *m = call(iface, method);

	dbus_message_append_args(m, DBUS_TYPE_BOOLEAN, &b, DBUS_TYPE_INVALID);
	return m;
}

int main(int argc, char **argv)
{
	static const char *const simple[] = { "ListPrograms", "Stop", "Pause", "Resume",
					      "EmergencyStop", "Reset", "Scan", "Reload" };
	static const char *const props[] = { "State", "Program", "Faults", "Temperatures",
					     "Capabilities", "ProgramErrors", "Outputs" };
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "Usage: bus-seeds DIR\n");
		return 2;
	}
	dir = argv[1];
	for (size_t i = 0; i < sizeof(simple) / sizeof(simple[0]); i++) {
		char name[64];

		snprintf(name, sizeof(name), "call-%s", simple[i]);
		f = seed(name);
		put(f, call(CHAIR, simple[i]), 1);
		fclose(f);
	}
	for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
		char name[64];

		snprintf(name, sizeof(name), "get-%s", props[i]);
		f = seed(name);
		put(f, get(strcmp(props[i], "Outputs") ? CHAIR : SIM, props[i]), 0);
		fclose(f);
	}
	f = seed("getall");
	put(f, with_str(DBUS_INTERFACE_PROPERTIES, "GetAll", CHAIR), 0);
	put(f, with_str(DBUS_INTERFACE_PROPERTIES, "GetAll", SIM), 0);
	fclose(f);
	f = seed("introspect");
	put(f, call(DBUS_INTERFACE_INTROSPECTABLE, "Introspect"), 0);
	fclose(f);

	/* Sessions: started, steered, stopped. */
	f = seed("session");
	put(f, start("swedish", 1), 50);
	put(f, with_u32(CHAIR, "SetIntensity", 5), 50);
	put(f, with_u32(CHAIR, "SetHeat", 3), 50);
	put(f, call(CHAIR, "Pause"), 20);
	put(f, call(CHAIR, "Resume"), 200);
	put(f, call(CHAIR, "Stop"), 100);
	fclose(f);
	f = seed("session-options");
	put(f, start("lower-back", 2), 200);
	put(f, with_str(SIM, "InjectFault", "walk-jam"), 200);
	put(f, call(CHAIR, "Reset"), 10);
	fclose(f);
	f = seed("session-wrong-type");
	put(f, start("relax", 3), 10);
	fclose(f);
	f = seed("estop");
	put(f, start("energize", 0), 100);
	put(f, with_bool(SIM, "SetEmergencyButton", 1), 10);
	put(f, call(CHAIR, "EmergencyStop"), 10);
	put(f, with_bool(SIM, "SetEmergencyButton", 0), 10);
	put(f, call(CHAIR, "Reset"), 10);
	fclose(f);
	f = seed("seat");
	put(f, with_bool(SIM, "SetOccupied", 0), 10);
	put(f, start("relax", 0), 10);
	put(f, with_bool(SIM, "SetOccupied", 1), 10);
	put(f, call(SIM, "ClearFaults"), 10);
	fclose(f);
	f = seed("scan");
	put(f, call(CHAIR, "Scan"), 255);
	put(f, call(CHAIR, "Stop"), 255);
	fclose(f);
	f = seed("wrong");
	put(f, with_u32(CHAIR, "Start", 3), 0);
	put(f, with_str(CHAIR, "NoSuchMethod", "x"), 0);
	put(f, get("org.example.Nothing", "State"), 0);
	put(f, with_str(SIM, "InjectFault", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9"), 0);
	fclose(f);
	/* Once aborted chaird in libdbus: the error quoted 64 bytes, splitting the
	 * 'é'. (A regression input; kept with the seeds as well.) */
	f = seed("cut-utf8-get");
	put(f, get(CHAIR, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9"), 0);
	fclose(f);
	return 0;
}
