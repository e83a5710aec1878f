// SPDX-License-Identifier: MIT
/*
 * The decoding of D-Bus method calls: Start's a{sv} options and every other
 * method's and property's arguments, from serialized messages, through the
 * daemon's real dispatch tables and handlers on the simulated chair.
 *
 * The input is a series of records: one byte that moves chair time on (in
 * 20 ms units), then one message in D-Bus wire format. Each input gets a
 * fresh daemon, so a crash replays from its input alone. Every reply must
 * be a message libdbus can send, and after an EmergencyStop that succeeded
 * every output must be off.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus-object.h"
#include "hal.h"
#include "io.h"
#include "manager.h"

#define ADVANCE_USEC (UINT64_C(20) * 1000)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static const char *programs_dir;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	programs_dir = getenv("CHAIRD_PROGRAMS_SRC");
	if (!programs_dir)
		programs_dir = FUZZ_PROGRAMS_DIR;
	return 0;
}

static void check_reply(DBusMessage *call, DBusMessage *reply, struct manager *m)
{
	char *wire = NULL;
	int len = 0;

	if (!dbus_message_marshal(reply, &wire, &len))
		abort();
	dbus_free(wire);
	if (dbus_message_get_type(reply) == DBUS_MESSAGE_TYPE_METHOD_RETURN &&
	    dbus_message_is_method_call(call, "org.chaird.Chair1", "EmergencyStop") &&
	    !chair_outputs_all_off(hal_outputs(m->hal)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dirs[1] = { programs_dir };
	struct manager_config cfg = {
		.program_dirs = dirs,
		.n_program_dirs = 1,
		.sim = true,
		.time_scale = 1.0,
	};
	struct manager *m = NULL;

	chair_hw_default(&cfg.hw);
	if (manager_new(&cfg, &m) < 0)
		abort();
	m->served[0] = &chair_interfaces[0];
	m->served[1] = &chair_interfaces[1];
	m->served[2] = NULL;

	while (size > 1) {
		unsigned advance = data[0];
		int n = dbus_message_demarshal_bytes_needed((const char *)data + 1, (int)(size - 1));
		DBusMessage *call, *reply;

		if (n <= 0 || (size_t)n > size - 1)
			break;
		call = dbus_message_demarshal((const char *)data + 1, n, NULL);
		data += 1 + n;
		size -= 1 + (size_t)n;
		if (!call)
			continue;
		if (dbus_message_get_type(call) == DBUS_MESSAGE_TYPE_METHOD_CALL) {
			reply = bus_object_handle(m, call, m->served, "<node/>");
			if (reply) {
				check_reply(call, reply, m);
				dbus_message_unref(reply);
			}
		}
		dbus_message_unref(call);
		/* Chair time moves on as if that much real time had passed. */
		m->mono0 -= (uint64_t)(advance * ADVANCE_USEC / m->scale);
		manager_catch_up(m);
	}
	manager_free(m);
	return 0;
}
