// SPDX-License-Identifier: MIT
/*
 * The libdbus/sd-event glue, driven by a small service built on it: a reply
 * of several MB must arrive whole (the write watch toggles on a dup'd fd),
 * and a call that is never answered must end in a pending-call timeout
 * (one-shot sd-event timers). Both ends run on the same sd-event loop.
 * Needs a session bus; run under dbus-run-session.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "bus-glue.h"

#define BIG_SIZE (8u * 1024 * 1024)
#define SERVICE "org.chaird.GlueTest"

struct fixture {
	sd_event *event;
	DBusConnection *server, *client;
	struct bus_glue *gs, *gc;
	DBusMessage *held; /* the call that never gets an answer */
	int done;
	uint32_t got_size;
	bool pattern_ok;
	char error_name[128];
	uint64_t sent_at, timed_out_at;
	unsigned routed, urgent_at; /* with a router: messages handled, and when */
};

static uint64_t mono_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static DBusHandlerResult server_message(DBusConnection *c, DBusMessage *msg, void *data)
{
	struct fixture *f = data;

	if (dbus_message_is_method_call(msg, SERVICE, "Big")) {
		DBusMessage *reply = dbus_message_new_method_return(msg);
		DBusMessageIter it, a;
		uint32_t size;
		unsigned char *buf;

		dbus_message_get_args(msg, NULL, DBUS_TYPE_UINT32, &size, DBUS_TYPE_INVALID);
		buf = malloc(size);
		for (uint32_t i = 0; i < size; i++)
			buf[i] = (unsigned char)(i * 7 + 3);
		dbus_message_iter_init_append(reply, &it);
		dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "y", &a);
		dbus_message_iter_append_fixed_array(&a, DBUS_TYPE_BYTE, &buf, (int)size);
		dbus_message_iter_close_container(&it, &a);
		dbus_connection_send(c, reply, NULL);
		dbus_message_unref(reply);
		free(buf);
		return DBUS_HANDLER_RESULT_HANDLED;
	}
	if (dbus_message_is_method_call(msg, SERVICE, "Never")) {
		f->held = dbus_message_ref(msg);
		return DBUS_HANDLER_RESULT_HANDLED;
	}
	return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
}

static void big_done(DBusPendingCall *p, void *data)
{
	struct fixture *f = data;
	DBusMessage *reply = dbus_pending_call_steal_reply(p);
	DBusMessageIter it, a;
	const unsigned char *buf;
	int n = 0;

	if (dbus_message_get_type(reply) == DBUS_MESSAGE_TYPE_METHOD_RETURN) {
		dbus_message_iter_init(reply, &it);
		dbus_message_iter_recurse(&it, &a);
		dbus_message_iter_get_fixed_array(&a, &buf, &n);
		f->got_size = (uint32_t)n;
		f->pattern_ok = true;
		for (int i = 0; i < n; i++)
			if (buf[i] != (unsigned char)(i * 7 + 3)) {
				f->pattern_ok = false;
				break;
			}
	}
	dbus_message_unref(reply);
	f->done++;
}

static void never_done(DBusPendingCall *p, void *data)
{
	struct fixture *f = data;
	DBusMessage *reply = dbus_pending_call_steal_reply(p);

	if (dbus_message_get_type(reply) == DBUS_MESSAGE_TYPE_ERROR)
		snprintf(f->error_name, sizeof(f->error_name), "%s", dbus_message_get_error_name(reply));
	f->timed_out_at = mono_usec();
	dbus_message_unref(reply);
	f->done++;
}

static int deadline_cb(sd_event_source *s, uint64_t usec, void *data)
{
	struct fixture *f = data;

	return sd_event_exit(f->event, 1);
}

static void run_until(struct fixture *f, int n)
{
	sd_event_source *deadline = NULL;

	assert_int_equal(sd_event_add_time_relative(f->event, &deadline, CLOCK_MONOTONIC,
						    20 * 1000000, 0, deadline_cb, f), 0);
	while (f->done < n) {
		int r = sd_event_run(f->event, UINT64_MAX);

		assert_true(r >= 0);
		if (sd_event_get_state(f->event) == SD_EVENT_FINISHED)
			break;
	}
	sd_event_source_disable_unref(deadline);
	assert_int_equal(f->done, n);
}

static void setup(struct fixture *f)
{
	static const DBusObjectPathVTable vt = { .message_function = server_message };
	DBusError e;

	memset(f, 0, sizeof(*f));
	if (!getenv("DBUS_SESSION_BUS_ADDRESS"))
		skip();
	dbus_error_init(&e);
	assert_int_equal(sd_event_new(&f->event), 0);
	f->server = bus_open(true, &e);
	assert_non_null(f->server);
	f->client = bus_open(true, &e);
	assert_non_null(f->client);
	assert_int_equal(bus_request_name(f->server, SERVICE, &e), 0);
	/* A second owner is refused: DO_NOT_QUEUE. */
	assert_int_equal(bus_request_name(f->client, SERVICE, &e), -EEXIST);
	assert_true(dbus_connection_register_object_path(f->server, "/test", &vt, f));
	assert_int_equal(bus_glue_attach(f->server, f->event, 0, &f->gs), 0);
	assert_int_equal(bus_glue_attach(f->client, f->event, 0, &f->gc), 0);
}

static void teardown(struct fixture *f)
{
	if (f->held)
		dbus_message_unref(f->held);
	bus_glue_free(f->gs);
	bus_glue_free(f->gc);
	dbus_connection_close(f->server);
	dbus_connection_unref(f->server);
	dbus_connection_close(f->client);
	dbus_connection_unref(f->client);
	sd_event_unref(f->event);
}

static void test_big_reply(void **state)
{
	struct fixture f;
	DBusMessage *call;
	DBusPendingCall *p = NULL;
	uint32_t size = BIG_SIZE;

	(void)state;
	setup(&f);
	call = dbus_message_new_method_call(SERVICE, "/test", SERVICE, "Big");
	dbus_message_append_args(call, DBUS_TYPE_UINT32, &size, DBUS_TYPE_INVALID);
	assert_true(dbus_connection_send_with_reply(f.client, call, &p, 15000));
	dbus_pending_call_set_notify(p, big_done, &f, NULL);
	dbus_message_unref(call);
	run_until(&f, 1);
	assert_int_equal(f.got_size, BIG_SIZE);
	assert_true(f.pattern_ok);
	dbus_pending_call_unref(p);
	teardown(&f);
}

static void test_pending_call_timeout(void **state)
{
	struct fixture f;
	DBusMessage *call;
	DBusPendingCall *p = NULL;
	uint64_t elapsed;

	(void)state;
	setup(&f);
	call = dbus_message_new_method_call(SERVICE, "/test", SERVICE, "Never");
	f.sent_at = mono_usec();
	assert_true(dbus_connection_send_with_reply(f.client, call, &p, 300));
	dbus_pending_call_set_notify(p, never_done, &f, NULL);
	dbus_message_unref(call);
	run_until(&f, 1);
	assert_string_equal(f.error_name, DBUS_ERROR_NO_REPLY);
	/* The server did get the call; nobody answered it. */
	assert_non_null(f.held);
	elapsed = f.timed_out_at - f.sent_at;
	printf("# pending-call timeout of 300 ms fired after %.1f ms\n", elapsed / 1000.0);
	assert_true(elapsed >= 300000);
	assert_true(elapsed < 5000000);
	dbus_pending_call_unref(p);
	teardown(&f);
}

#define FLOOD 5000

static bool urgent(DBusMessage *msg)
{
	return dbus_message_is_method_call(msg, SERVICE, "Urgent");
}

/* Each ordinary message costs a little, as a real handler would. */
static void route(DBusConnection *c, DBusMessage *msg, void *userdata)
{
	struct fixture *f = userdata;
	uint64_t until = mono_usec() + 20;

	if (dbus_message_get_type(msg) != DBUS_MESSAGE_TYPE_METHOD_CALL)
		return;
	if (urgent(msg)) {
		f->urgent_at = f->routed;
		f->done++;
		return;
	}
	while (mono_usec() < until)
		;
	if (++f->routed == FLOOD)
		f->done++;
}

/* With a router, a call marked urgent is handled before the flood that was
 * sent ahead of it, not after. */
static void test_urgent_jumps_queue(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	bus_glue_set_router(f.gs, route, urgent, &f);
	for (unsigned i = 0; i < FLOOD; i++) {
		DBusMessage *call = dbus_message_new_method_call(SERVICE, "/test", SERVICE, "Flood");

		dbus_message_set_no_reply(call, TRUE);
		assert_true(dbus_connection_send(f.client, call, NULL));
		dbus_message_unref(call);
	}
	{
		DBusMessage *call = dbus_message_new_method_call(SERVICE, "/test", SERVICE, "Urgent");

		dbus_message_set_no_reply(call, TRUE);
		assert_true(dbus_connection_send(f.client, call, NULL));
		dbus_message_unref(call);
	}
	/* Everything is with the bus before the service reads any of it. */
	dbus_connection_flush(f.client);
	run_until(&f, 2);
	printf("# the urgent call was handled after %u of the %u calls sent before it\n",
	       f.urgent_at, FLOOD);
	assert_int_equal(f.routed, FLOOD);
	assert_true(f.urgent_at < FLOOD * 9 / 10);
	teardown(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_big_reply),
		cmocka_unit_test(test_pending_call_timeout),
		cmocka_unit_test(test_urgent_jumps_queue),
	};

	if (!getenv("DBUS_SESSION_BUS_ADDRESS")) {
		printf("no session bus; run under dbus-run-session\n");
		return 77;
	}
	return cmocka_run_group_tests_name("glue", tests, NULL, NULL);
}
