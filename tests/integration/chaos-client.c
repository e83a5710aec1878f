// SPDX-License-Identifier: MIT
/*
 * The D-Bus chaos client: random calls to every method and property of
 * org.chaird.Chair1 and org.chaird.Simulator1 (read from the daemon's own
 * introspection), with right and wrong signatures, random variants in a{sv},
 * deep nesting, empty, non-ASCII and very long strings (multi-byte
 * characters across every length the daemon cuts at), interleaved with
 * valid Start, Stop, EmergencyStop, Reset and InjectFault calls.
 *
 * It checks that every call gets a reply and that after every EmergencyStop
 * that succeeded the simulator's Outputs are all false, and prints the
 * replies counted by error name. Exit status: 0 when all held, 1 otherwise.
 *
 * Usage: chaos-client [--calls N] [--seed S]   (on the session bus)
 */
#include <dbus/dbus.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NAME "org.chaird.Chair1"
#define PATH "/org/chaird/Chair1"
#define SIM "org.chaird.Simulator1"
#define CALL_TIMEOUT_MS 60000
#define MAX_MEMBERS 64
#define MAX_DEPTH 24

struct member {
	const char *iface;
	char name[64];
	char sig[64]; /* a method's in-signature, or a property's type */
	bool property;
};

struct tally {
	char name[128];
	unsigned long n;
};

static uint64_t rng_state;
static struct member members[MAX_MEMBERS];
static size_t n_members;
static struct tally tallies[64];
static size_t n_tallies;
static unsigned long failures, estops_checked;
/* Bytes of long strings left for the message being built. */
static size_t budget;
#define MESSAGE_BUDGET (256 * 1024)

static uint64_t rnd(void)
{
	/* xorshift64*: reproducible from --seed. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

static unsigned below(unsigned n)
{
	return n ? (unsigned)(rnd() % n) : 0;
}

static const char *pick(const char *const *v, size_t n)
{
	return v[below((unsigned)n)];
}

#define PICK(v) pick(v, sizeof(v) / sizeof((v)[0]))

static const char *const programs[] = { "swedish", "deep-tissue", "trigger-point", "shiatsu",
					"hot-stone", "sports", "myofascial-release", "craniosacral",
					"lower-back", "relax", "energize" };
static const char *const zones[] = { "neck", "shoulders", "upper-back", "mid-back",
				     "lower-back", "sacrum", "arms", "hips", "calves", "feet" };
static const char *const conditions[] = { "nerve-pain", "inflammation", "pregnancy",
					  "arthritis", "recent-injury" };
static const char *const faults[] = { "walk-jam", "heater-sensor-open", "heater-relay-welded",
				      "motor-driver-fault" };
static const char *const option_keys[] = { "duration_usec", "intensity", "focus", "avoid",
					   "heat", "conditions", "program", "profile" };
/* Multi-byte characters of each width. */
static const char *const wide[] = { "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x92\x86", "\xd0\x96" };
/* Where the daemon bounds text: the 64-byte quote, its 1024-byte message
 * buffer, and the hardware map's 128-byte chip name. */
static const unsigned cuts[] = { 64, 128, 1024 };

static void fill_ascii(char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		s[i] = (char)(' ' + below(95));
}

/* A random string, freed by the caller. */
static char *random_string(const char *const *names, size_t n_names)
{
	size_t len, o = 0;
	char *s;

	switch (below(8)) {
	case 0:
		return strdup("");
	case 1:
	case 2:
		if (names)
			return strdup(pick(names, n_names));
		/* fall through */
	case 3: {
		/* A multi-byte character straddling a cut. */
		unsigned cut = cuts[below(3)];
		const char *ch = PICK(wide);
		size_t pad = cut - strlen(ch) - 1 + below((unsigned)strlen(ch) + 3);

		s = malloc(pad + 16);
		memset(s, 'a', pad);
		strcpy(s + pad, ch);
		strcat(s, below(2) ? "z" : "");
		return s;
	}
	case 4:
		/* Very long: up to 64 KiB, of wide characters. */
		len = 1 + below(64 * 1024);
		if (len > budget)
			len = budget / 2;
		budget -= len;
		s = malloc(len + 5);
		while (o < len) {
			const char *ch = PICK(wide);

			memcpy(s + o, ch, strlen(ch));
			o += strlen(ch);
		}
		s[o] = '\0';
		return s;
	default:
		len = below(80);
		s = malloc(len * 4 + 1);
		for (size_t i = 0; i < len; i++) {
			if (below(4) == 0) {
				const char *ch = PICK(wide);

				memcpy(s + o, ch, strlen(ch));
				o += strlen(ch);
			} else {
				fill_ascii(s + o, 1);
				o++;
			}
		}
		s[o] = '\0';
		return s;
	}
}

static bool append_value(DBusMessageIter *it, DBusSignatureIter *sig, int depth);

/* A random single complete type, nested at most @p depth deep. */
static void random_type(char *buf, size_t n, int depth)
{
	static const char basic[] = "ybnqiuxtdsogv";
	size_t len = strlen(buf);

	if (len + 16 >= n || depth <= 0 || below(3)) {
		buf[len] = basic[below(sizeof(basic) - 1)];
		buf[len + 1] = '\0';
		return;
	}
	switch (below(3)) {
	case 0:
		strcat(buf, "a");
		random_type(buf, n, depth - 1);
		break;
	case 1:
		strcat(buf, below(2) ? "a{s" : below(2) ? "a{u" : "a{b");
		random_type(buf, n, depth - 1);
		strcat(buf, "}");
		break;
	default:
		strcat(buf, "(");
		random_type(buf, n, depth - 1);
		if (below(2))
			random_type(buf, n, depth - 1);
		strcat(buf, ")");
		break;
	}
}

static bool append_basic(DBusMessageIter *it, int type)
{
	DBusBasicValue v;
	char *s;
	bool ok;

	memset(&v, 0, sizeof(v));
	switch (type) {
	case DBUS_TYPE_STRING:
		s = random_string(programs, sizeof(programs) / sizeof(programs[0]));
		ok = dbus_message_iter_append_basic(it, type, &s);
		free(s);
		return ok;
	case DBUS_TYPE_OBJECT_PATH: {
		const char *p = below(2) ? "/" : PATH;

		return dbus_message_iter_append_basic(it, type, &p);
	}
	case DBUS_TYPE_SIGNATURE: {
		char sig[64] = "";

		random_type(sig, sizeof(sig), 3);
		s = sig;
		return dbus_message_iter_append_basic(it, type, &s);
	}
	case DBUS_TYPE_BOOLEAN:
		v.bool_val = below(2);
		break;
	case DBUS_TYPE_DOUBLE: {
		static const double d[] = { 0, -1, 1e308, -1e-308, 3.5, 1.0 / 0.0 };

		v.dbl = d[below(6)];
		break;
	}
	default:
		/* Small numbers, edges, and anything. */
		switch (below(3)) {
		case 0:
			v.u64 = below(8);
			break;
		case 1:
			v.u64 = below(2) ? UINT64_MAX : (uint64_t)INT64_MAX + 1;
			break;
		default:
			v.u64 = rnd();
			break;
		}
		break;
	}
	return dbus_message_iter_append_basic(it, type, &v);
}

/* A variant: any type, sometimes variants nested deep. */
static bool append_variant(DBusMessageIter *it, int depth)
{
	DBusMessageIter v;
	DBusSignatureIter si;
	char sig[128] = "";

	if (depth > 0 && below(4) == 0)
		strcpy(sig, "v");
	else
		random_type(sig, sizeof(sig), depth > 3 ? 3 : depth);
	dbus_signature_iter_init(&si, sig);
	return dbus_message_iter_open_container(it, DBUS_TYPE_VARIANT, sig, &v) &&
	       append_value(&v, &si, depth - 1) && dbus_message_iter_close_container(it, &v);
}

static bool append_value(DBusMessageIter *it, DBusSignatureIter *sig, int depth)
{
	int t = dbus_signature_iter_get_current_type(sig);
	DBusMessageIter c;
	DBusSignatureIter sub;
	char *inner;
	bool ok = true;

	if (depth < 0)
		depth = 0;
	if (t == DBUS_TYPE_VARIANT)
		return append_variant(it, depth);
	if (dbus_type_is_basic(t))
		return append_basic(it, t);
	dbus_signature_iter_recurse(sig, &sub);
	if (t == DBUS_TYPE_ARRAY) {
		/* Wide near the top, narrow deep down: nesting, not size. */
		unsigned n = depth > MAX_DEPTH - 4 ? below(4) : depth > 0 ? below(2) : 0;

		inner = dbus_signature_iter_get_signature(&sub);
		if (!dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY, inner, &c)) {
			dbus_free(inner);
			return false;
		}
		dbus_free(inner);
		for (unsigned i = 0; ok && i < n; i++) {
			DBusSignatureIter e = sub;

			if (dbus_signature_iter_get_current_type(&e) == DBUS_TYPE_DICT_ENTRY) {
				DBusMessageIter de;
				DBusSignatureIter k;

				dbus_signature_iter_recurse(&e, &k);
				ok = dbus_message_iter_open_container(&c, DBUS_TYPE_DICT_ENTRY, NULL, &de);
				while (ok) {
					ok = append_value(&de, &k, depth - 1);
					if (!dbus_signature_iter_next(&k))
						break;
				}
				ok = ok && dbus_message_iter_close_container(&c, &de);
			} else {
				ok = append_value(&c, &e, depth - 1);
			}
		}
		if (!ok) {
			dbus_message_iter_abandon_container(it, &c);
			return false;
		}
		return dbus_message_iter_close_container(it, &c);
	}
	/* A struct. */
	if (!dbus_message_iter_open_container(it, DBUS_TYPE_STRUCT, NULL, &c))
		return false;
	do
		ok = append_value(&c, &sub, depth - 1);
	while (ok && dbus_signature_iter_next(&sub));
	if (!ok) {
		dbus_message_iter_abandon_container(it, &c);
		return false;
	}
	return dbus_message_iter_close_container(it, &c);
}

/* Start's options: known keys with right or wrong values, unknown keys, and
 * variants nested deep. */
static bool append_options(DBusMessageIter *it, bool valid)
{
	DBusMessageIter d, e, v;
	unsigned n = valid ? below(3) : below(6);
	bool ok = dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY, "{sv}", &d);

	for (unsigned i = 0; ok && i < n; i++) {
		const char *key = PICK(option_keys);
		char *rkey = NULL;

		if (!valid && below(4) == 0)
			key = rkey = random_string(NULL, 0);
		ok = dbus_message_iter_open_container(&d, DBUS_TYPE_DICT_ENTRY, NULL, &e) &&
		     dbus_message_iter_append_basic(&e, DBUS_TYPE_STRING, &key);
		if (ok && valid && strcmp(key, "intensity") == 0) {
			uint32_t u = 1 + below(5);

			ok = dbus_message_iter_open_container(&e, DBUS_TYPE_VARIANT, "u", &v) &&
			     dbus_message_iter_append_basic(&v, DBUS_TYPE_UINT32, &u) &&
			     dbus_message_iter_close_container(&e, &v);
		} else if (ok && valid && strcmp(key, "focus") == 0) {
			const char *z = zones[below(6)];

			ok = dbus_message_iter_open_container(&e, DBUS_TYPE_VARIANT, "s", &v) &&
			     dbus_message_iter_append_basic(&v, DBUS_TYPE_STRING, &z) &&
			     dbus_message_iter_close_container(&e, &v);
		} else if (ok && (strcmp(key, "avoid") == 0 || strcmp(key, "conditions") == 0) &&
			   below(2)) {
			DBusMessageIter a;
			const char *s = strcmp(key, "avoid") == 0 ? PICK(zones) : PICK(conditions);
			char *r = valid ? NULL : random_string(NULL, 0);

			ok = dbus_message_iter_open_container(&e, DBUS_TYPE_VARIANT, "as", &v) &&
			     dbus_message_iter_open_container(&v, DBUS_TYPE_ARRAY, "s", &a) &&
			     dbus_message_iter_append_basic(&a, DBUS_TYPE_STRING, r ? (const char **)&r : &s) &&
			     dbus_message_iter_close_container(&v, &a) &&
			     dbus_message_iter_close_container(&e, &v);
			free(r);
		} else if (ok) {
			ok = append_variant(&e, valid ? 0 : MAX_DEPTH);
		}
		ok = ok && dbus_message_iter_close_container(&d, &e);
		free(rkey);
	}
	return ok && dbus_message_iter_close_container(it, &d);
}

static void count(const char *name)
{
	for (size_t i = 0; i < n_tallies; i++)
		if (strcmp(tallies[i].name, name) == 0) {
			tallies[i].n++;
			return;
		}
	if (n_tallies < sizeof(tallies) / sizeof(tallies[0])) {
		snprintf(tallies[n_tallies].name, sizeof(tallies[0].name), "%s", name);
		tallies[n_tallies++].n = 1;
	}
}

/* Sends @p m and waits for its reply; returns it (NULL: counted as failed). */
static DBusMessage *roundtrip(DBusConnection *bus, DBusMessage *m, bool quiet)
{
	DBusPendingCall *pc = NULL;
	DBusMessage *reply;

	if (!dbus_connection_send_with_reply(bus, m, &pc, CALL_TIMEOUT_MS) || !pc) {
		fprintf(stderr, "chaos: cannot send %s\n", dbus_message_get_member(m));
		failures++;
		return NULL;
	}
	dbus_pending_call_block(pc);
	reply = dbus_pending_call_steal_reply(pc);
	dbus_pending_call_unref(pc);
	if (!reply) {
		failures++;
		return NULL;
	}
	if (dbus_message_get_type(reply) == DBUS_MESSAGE_TYPE_ERROR) {
		const char *name = dbus_message_get_error_name(reply);

		if (!quiet)
			count(name);
		/* Errors that mean the daemon did not answer, or is gone. */
		if (strcmp(name, DBUS_ERROR_NO_REPLY) == 0 || strcmp(name, DBUS_ERROR_TIMEOUT) == 0 ||
		    strcmp(name, DBUS_ERROR_SERVICE_UNKNOWN) == 0 ||
		    strcmp(name, DBUS_ERROR_NAME_HAS_NO_OWNER) == 0 ||
		    strcmp(name, DBUS_ERROR_DISCONNECTED) == 0) {
			const char *msg = NULL;

			dbus_message_get_args(reply, NULL, DBUS_TYPE_STRING, &msg, DBUS_TYPE_INVALID);
			fprintf(stderr, "chaos: %s to %s: %s\n", name, dbus_message_get_member(m),
				msg ? msg : "");
			failures++;
		}
	} else if (!quiet) {
		count("(reply)");
	}
	return reply;
}

static DBusMessage *new_call(const char *iface, const char *method)
{
	DBusMessage *m = dbus_message_new_method_call(NAME, PATH, iface, method);

	if (!m)
		abort();
	return m;
}

/* After an EmergencyStop that succeeded, every output is off. */
static void check_outputs(DBusConnection *bus)
{
	DBusMessage *m = new_call(DBUS_INTERFACE_PROPERTIES, "Get"), *reply;
	const char *iface = SIM, *prop = "Outputs";
	DBusMessageIter it, v, a, e;

	dbus_message_append_args(m, DBUS_TYPE_STRING, &iface, DBUS_TYPE_STRING, &prop,
				 DBUS_TYPE_INVALID);
	reply = roundtrip(bus, m, true);
	dbus_message_unref(m);
	if (!reply)
		return;
	estops_checked++;
	if (dbus_message_get_type(reply) != DBUS_MESSAGE_TYPE_METHOD_RETURN ||
	    !dbus_message_iter_init(reply, &it)) {
		fprintf(stderr, "chaos: cannot read Outputs after an EmergencyStop\n");
		failures++;
		dbus_message_unref(reply);
		return;
	}
	dbus_message_iter_recurse(&it, &v);
	dbus_message_iter_recurse(&v, &a);
	for (; dbus_message_iter_get_arg_type(&a) == DBUS_TYPE_DICT_ENTRY; dbus_message_iter_next(&a)) {
		const char *name;
		dbus_bool_t on;

		dbus_message_iter_recurse(&a, &e);
		dbus_message_iter_get_basic(&e, &name);
		dbus_message_iter_next(&e);
		dbus_message_iter_get_basic(&e, &on);
		if (on) {
			fprintf(stderr, "chaos: %s is on after an EmergencyStop\n", name);
			failures++;
		}
	}
	dbus_message_unref(reply);
}

/* --- what to call -------------------------------------------------------- */

static void add_member(const char *iface, const char *name, const char *sig, bool property)
{
	struct member *mb;

	if (n_members >= MAX_MEMBERS)
		return;
	mb = &members[n_members++];
	mb->iface = iface;
	snprintf(mb->name, sizeof(mb->name), "%s", name);
	snprintf(mb->sig, sizeof(mb->sig), "%s", sig);
	mb->property = property;
}

static void attr(const char *tag, const char *key, char *buf, size_t n)
{
	char pat[32];
	const char *p, *end = strchr(tag, '>');

	buf[0] = '\0';
	snprintf(pat, sizeof(pat), "%s=\"", key);
	p = strstr(tag, pat);
	if (!p || (end && p > end))
		return;
	p += strlen(pat);
	snprintf(buf, n, "%.*s", (int)(strchr(p, '"') - p), p);
}

/* Reads the methods and properties of @p iface from the introspection XML. */
static void read_interface(const char *xml, const char *iface)
{
	char open[128], name[64], type[64], dir[8];
	const char *p = xml, *end;

	snprintf(open, sizeof(open), "<interface name=\"%s\"", iface);
	p = strstr(xml, open);
	if (!p)
		return;
	end = strstr(p, "</interface>");
	while ((p = strpbrk(p + 1, "<")) && p < end) {
		if (strncmp(p, "<method ", 8) == 0) {
			const char *close = strstr(p, "</method>"), *selfclose = strstr(p, "/>");
			const char *stop = close && close < end ? close : end;
			char sig[64] = "";

			attr(p, "name", name, sizeof(name));
			/* <method name="X"/> has no arguments. */
			if (selfclose && strchr(p, '>') == selfclose + 1) {
				add_member(iface, name, "", false);
				continue;
			}
			for (const char *a = strstr(p, "<arg "); a && a < stop; a = strstr(a + 1, "<arg ")) {
				attr(a, "type", type, sizeof(type));
				attr(a, "direction", dir, sizeof(dir));
				if (strcmp(dir, "out") != 0 && strlen(sig) + strlen(type) < sizeof(sig))
					strcat(sig, type);
			}
			add_member(iface, name, sig, false);
		} else if (strncmp(p, "<property ", 10) == 0) {
			attr(p, "name", name, sizeof(name));
			attr(p, "type", type, sizeof(type));
			add_member(iface, name, type, true);
		}
	}
}

static int introspect(DBusConnection *bus)
{
	DBusMessage *m = new_call(DBUS_INTERFACE_INTROSPECTABLE, "Introspect"), *reply;
	const char *xml = NULL;

	reply = roundtrip(bus, m, true);
	dbus_message_unref(m);
	if (!reply || !dbus_message_get_args(reply, NULL, DBUS_TYPE_STRING, &xml, DBUS_TYPE_INVALID)) {
		fprintf(stderr, "chaos: cannot introspect chaird\n");
		return -1;
	}
	read_interface(xml, NAME);
	read_interface(xml, SIM);
	dbus_message_unref(reply);
	return n_members ? 0 : -1;
}

/* A valid call that moves the chair: sessions, stops, faults, resets. */
static DBusMessage *valid_call(bool *estop)
{
	DBusMessage *m;
	DBusMessageIter it;
	const char *s;
	dbus_bool_t b;

	*estop = false;
	switch (below(9)) {
	case 0:
	case 1:
		m = new_call(NAME, "Start");
		s = PICK(programs);
		dbus_message_iter_init_append(m, &it);
		dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &s);
		append_options(&it, true);
		return m;
	case 2:
		return new_call(NAME, "Stop");
	case 3:
		*estop = true;
		return new_call(NAME, "EmergencyStop");
	case 4:
		return new_call(NAME, "Reset");
	case 5:
		m = new_call(SIM, "InjectFault");
		s = PICK(faults);
		dbus_message_append_args(m, DBUS_TYPE_STRING, &s, DBUS_TYPE_INVALID);
		return m;
	case 6:
		return new_call(SIM, "ClearFaults");
	case 7:
		m = new_call(SIM, "SetEmergencyButton");
		b = below(4) == 0;
		dbus_message_append_args(m, DBUS_TYPE_BOOLEAN, &b, DBUS_TYPE_INVALID);
		return m;
	default:
		m = new_call(SIM, "SetOccupied");
		b = below(6) != 0;
		dbus_message_append_args(m, DBUS_TYPE_BOOLEAN, &b, DBUS_TYPE_INVALID);
		return m;
	}
}

/* Arguments for a signature, or random ones; NULL if libdbus refuses. */
static bool append_args(DBusMessage *m, const char *sig, bool right)
{
	DBusMessageIter it;
	DBusSignatureIter si;
	char rsig[128] = "";
	unsigned n;

	dbus_message_iter_init_append(m, &it);
	if (right && strcmp(sig, "sa{sv}") == 0) {
		char *s = random_string(programs, sizeof(programs) / sizeof(programs[0]));
		bool ok = dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &s) &&
			  append_options(&it, false);

		free(s);
		return ok;
	}
	if (!right) {
		n = below(4);
		for (unsigned i = 0; i < n; i++)
			random_type(rsig, sizeof(rsig), 4);
		sig = rsig;
	}
	if (!*sig)
		return true;
	dbus_signature_iter_init(&si, sig);
	do {
		if (!append_value(&it, &si, MAX_DEPTH))
			return false;
	} while (dbus_signature_iter_next(&si));
	return true;
}

static DBusMessage *chaos_call(void)
{
	const struct member *mb;
	DBusMessage *m;
	bool right = below(5) < 3;

	switch (below(12)) {
	case 0: {
		/* Get, GetAll or Set of anything. */
		static const char *const ifaces[] = { NAME, SIM, DBUS_INTERFACE_PROPERTIES, "", "x" };
		static const char *const methods[] = { "Get", "GetAll", "Set" };
		const char *method = PICK(methods), *iface = PICK(ifaces);
		char *prop = random_string(NULL, 0);

		m = new_call(DBUS_INTERFACE_PROPERTIES, method);
		if (below(2))
			iface = prop;
		dbus_message_append_args(m, DBUS_TYPE_STRING, &iface, DBUS_TYPE_INVALID);
		if (strcmp(method, "GetAll") != 0)
			dbus_message_append_args(m, DBUS_TYPE_STRING, &prop, DBUS_TYPE_INVALID);
		if (strcmp(method, "Set") == 0) {
			DBusMessageIter it;

			dbus_message_iter_init_append(m, &it);
			append_variant(&it, 4);
		}
		free(prop);
		return m;
	}
	case 1: {
		/* A method that does not exist, on an interface that may not. */
		static const char *const ifaces[] = { NAME, SIM, "org.example.Nothing",
						      DBUS_INTERFACE_INTROSPECTABLE, DBUS_INTERFACE_PEER };
		static const char *const names[] = { "Launch", "Introspect", "Ping", "GetMachineId",
						     "start", "EmergencyStopNow" };

		m = new_call(PICK(ifaces), PICK(names));
		if (!append_args(m, "", false)) {
			dbus_message_unref(m);
			return NULL;
		}
		return m;
	}
	default:
		break;
	}
	mb = &members[below((unsigned)n_members)];
	if (mb->property) {
		const char *iface = mb->iface, *name = mb->name;

		m = new_call(DBUS_INTERFACE_PROPERTIES, below(5) ? "Get" : "GetAll");
		dbus_message_append_args(m, DBUS_TYPE_STRING, &iface, DBUS_TYPE_INVALID);
		if (strcmp(dbus_message_get_member(m), "Get") == 0)
			dbus_message_append_args(m, DBUS_TYPE_STRING, &name, DBUS_TYPE_INVALID);
		return m;
	}
	/* Scan and Reload are slow by nature; ask for them less. */
	if ((strcmp(mb->name, "Scan") == 0 || strcmp(mb->name, "Reload") == 0) && below(8))
		return NULL;
	m = new_call(below(10) ? mb->iface : NULL, mb->name);
	if (!append_args(m, mb->sig, right)) {
		dbus_message_unref(m);
		return NULL;
	}
	return m;
}

int main(int argc, char **argv)
{
	unsigned long calls = 1000, done = 0;
	uint64_t seed = (uint64_t)time(NULL);
	DBusConnection *bus;
	DBusError e;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--calls") == 0 && i + 1 < argc)
			calls = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 10);
		else {
			fprintf(stderr, "Usage: chaos-client [--calls N] [--seed S]\n");
			return 2;
		}
	}
	rng_state = seed ? seed : 1;
	dbus_error_init(&e);
	bus = dbus_bus_get_private(DBUS_BUS_SESSION, &e);
	if (!bus) {
		fprintf(stderr, "chaos: cannot connect to the session bus: %s\n", e.message);
		return 1;
	}
	dbus_connection_set_exit_on_disconnect(bus, FALSE);
	if (introspect(bus) < 0)
		return 1;
	printf("seed %" PRIu64 ", %zu methods and properties\n", seed, n_members);
	while (done < calls && failures < 10) {
		bool estop = false;
		DBusMessage *m, *reply;

		budget = MESSAGE_BUDGET;
		m = below(10) < 3 ? valid_call(&estop) : chaos_call();
		if (!m)
			continue;
		reply = roundtrip(bus, m, false);
		done++;
		if (reply && estop && dbus_message_get_type(reply) == DBUS_MESSAGE_TYPE_METHOD_RETURN)
			check_outputs(bus);
		if (reply)
			dbus_message_unref(reply);
		dbus_message_unref(m);
	}
	/* Leave the chair idle and the stop released. */
	{
		DBusMessage *m = new_call(SIM, "SetEmergencyButton"), *reply;
		dbus_bool_t f = FALSE;

		dbus_message_append_args(m, DBUS_TYPE_BOOLEAN, &f, DBUS_TYPE_INVALID);
		reply = roundtrip(bus, m, true);
		if (reply)
			dbus_message_unref(reply);
		dbus_message_unref(m);
	}
	printf("calls %lu\n", done);
	for (size_t i = 0; i < n_tallies; i++)
		printf("reply %-50s %lu\n", tallies[i].name, tallies[i].n);
	printf("emergency stops checked %lu\n", estops_checked);
	printf("failures %lu\n", failures);
	dbus_connection_close(bus);
	dbus_connection_unref(bus);
	return failures ? 1 : 0;
}
