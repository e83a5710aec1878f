// SPDX-License-Identifier: MIT
/*
 * The gpiod backend against mocks of libgpiod v2. The gpiod_* calls made
 * by daemon/hal-gpiod.c are redirected here with -Wl,--wrap (which works
 * across files only); every call is logged, so the tests can assert on the
 * settings of each line and on the order of the calls.
 */
#include <errno.h>
#include <fcntl.h>
#include <gpiod.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "hal-backend.h"
#include "hwmap.h"
#include "macro.h"
#include "manager.h"
#include "safety.h"
#include "testutil.h"

#define MAXL 64

/* --- the fake libgpiod --------------------------------------------------- */

struct gpiod_chip {
	char path[128];
};

struct gpiod_line_settings {
	enum gpiod_line_direction dir;
	enum gpiod_line_edge edge;
	enum gpiod_line_bias bias;
	enum gpiod_line_drive drive;
	bool active_low;
	enum gpiod_line_value value;
	enum gpiod_line_clock clock;
	unsigned long debounce;
};

struct gpiod_line_config {
	unsigned offsets[MAXL];
	struct gpiod_line_settings s[MAXL];
	size_t n;
};

struct gpiod_request_config {
	char consumer[32];
};

struct gpiod_edge_event {
	enum gpiod_edge_event_type type;
	uint64_t ts;
	unsigned offset;
	unsigned long seqno;
};

struct gpiod_edge_event_buffer {
	struct gpiod_edge_event ev[MAXL];
	size_t n;
};

struct gpiod_line_request {
	char chip[128];
	struct gpiod_line_config cfg;
	struct gpiod_request_config rc;
	enum gpiod_line_value in_values[1024];
	int pipe[2];
	struct gpiod_edge_event queue[MAXL];
	size_t queued;
	bool released;
};

struct gpiod_line_info {
	bool used;
};

static struct {
	char log[512][160];
	size_t n_log;
	struct gpiod_line_request *req[8];
	size_t n_req;
	const char *fail_open;   /* chip name whose open fails */
	int fail_open_errno;
	const char *busy_chip;   /* chip whose request fails with EBUSY */
	const char *fail_io;     /* chip whose set and get calls fail with EIO */
	const char *fail_events; /* chip whose edge events cannot be read */
	unsigned busy_offset;
	struct {
		const char *chip, *name;
		int offset;
	} names[8];
} mock;

_printf_(1, 2) static void logf_(const char *fmt, ...)
{
	va_list ap;

	if (mock.n_log >= 512)
		return;
	va_start(ap, fmt);
	vsnprintf(mock.log[mock.n_log++], sizeof(mock.log[0]), fmt, ap);
	va_end(ap);
}

static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

struct gpiod_chip *__wrap_gpiod_chip_open(const char *path);
struct gpiod_chip *__wrap_gpiod_chip_open(const char *path)
{
	struct gpiod_chip *c;

	logf_("open %s", base(path));
	if (mock.fail_open && streq(base(path), mock.fail_open)) {
		errno = mock.fail_open_errno;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	snprintf(c->path, sizeof(c->path), "%s", base(path));
	return c;
}

void __wrap_gpiod_chip_close(struct gpiod_chip *c);
void __wrap_gpiod_chip_close(struct gpiod_chip *c)
{
	logf_("close %s", c->path);
	free(c);
}

int __wrap_gpiod_chip_get_line_offset_from_name(struct gpiod_chip *c, const char *name);
int __wrap_gpiod_chip_get_line_offset_from_name(struct gpiod_chip *c, const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(mock.names) && mock.names[i].chip; i++)
		if (streq(mock.names[i].chip, c->path) && streq(mock.names[i].name, name))
			return mock.names[i].offset;
	errno = ENOENT;
	return -1;
}

struct gpiod_line_request *__wrap_gpiod_chip_request_lines(struct gpiod_chip *c,
							    struct gpiod_request_config *rc,
							    struct gpiod_line_config *lc);
struct gpiod_line_request *__wrap_gpiod_chip_request_lines(struct gpiod_chip *c,
							    struct gpiod_request_config *rc,
							    struct gpiod_line_config *lc)
{
	struct gpiod_line_request *r;

	logf_("request %s n=%zu", c->path, lc->n);
	if (mock.busy_chip && streq(mock.busy_chip, c->path)) {
		errno = EBUSY;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	snprintf(r->chip, sizeof(r->chip), "%s", c->path);
	r->cfg = *lc;
	r->rc = *rc;
	assert_int_equal(pipe2(r->pipe, O_CLOEXEC | O_NONBLOCK), 0);
	mock.req[mock.n_req++] = r;
	return r;
}

struct gpiod_line_info *__wrap_gpiod_chip_get_line_info(struct gpiod_chip *c, unsigned offset);
struct gpiod_line_info *__wrap_gpiod_chip_get_line_info(struct gpiod_chip *c, unsigned offset)
{
	struct gpiod_line_info *i = calloc(1, sizeof(*i));

	i->used = mock.busy_chip && streq(mock.busy_chip, c->path) && offset == mock.busy_offset;
	return i;
}

bool __wrap_gpiod_line_info_is_used(struct gpiod_line_info *i);
bool __wrap_gpiod_line_info_is_used(struct gpiod_line_info *i)
{
	return i->used;
}

const char *__wrap_gpiod_line_info_get_consumer(struct gpiod_line_info *i);
const char *__wrap_gpiod_line_info_get_consumer(struct gpiod_line_info *i)
{
	return "old-firmware";
}

void __wrap_gpiod_line_info_free(struct gpiod_line_info *i);
void __wrap_gpiod_line_info_free(struct gpiod_line_info *i)
{
	free(i);
}

struct gpiod_line_settings *__wrap_gpiod_line_settings_new(void);
struct gpiod_line_settings *__wrap_gpiod_line_settings_new(void)
{
	struct gpiod_line_settings *s = calloc(1, sizeof(*s));

	s->dir = GPIOD_LINE_DIRECTION_AS_IS;
	s->value = GPIOD_LINE_VALUE_ERROR; /* unset */
	return s;
}

void __wrap_gpiod_line_settings_free(struct gpiod_line_settings *s);
void __wrap_gpiod_line_settings_free(struct gpiod_line_settings *s)
{
	free(s);
}

/* The settings setters: each records its value in the fake settings. */
#define WRAP_SETTER(what, field, type)                                                        \
	int __wrap_gpiod_line_settings_set_##what(struct gpiod_line_settings *s, type v);       \
	int __wrap_gpiod_line_settings_set_##what(struct gpiod_line_settings *s, type v)        \
	{                                                                                      \
		s->field = v;                                                                  \
		return 0;                                                                      \
	}
#define WRAP_VOID_SETTER(what, field, type)                                                   \
	void __wrap_gpiod_line_settings_set_##what(struct gpiod_line_settings *s, type v);      \
	void __wrap_gpiod_line_settings_set_##what(struct gpiod_line_settings *s, type v)       \
	{                                                                                      \
		s->field = v;                                                                  \
	}

WRAP_SETTER(direction, dir, enum gpiod_line_direction)
WRAP_SETTER(edge_detection, edge, enum gpiod_line_edge)
WRAP_SETTER(bias, bias, enum gpiod_line_bias)
WRAP_SETTER(drive, drive, enum gpiod_line_drive)
WRAP_SETTER(output_value, value, enum gpiod_line_value)
WRAP_SETTER(event_clock, clock, enum gpiod_line_clock)
WRAP_VOID_SETTER(active_low, active_low, bool)
WRAP_VOID_SETTER(debounce_period_us, debounce, unsigned long)

struct gpiod_line_config *__wrap_gpiod_line_config_new(void);
struct gpiod_line_config *__wrap_gpiod_line_config_new(void)
{
	return calloc(1, sizeof(struct gpiod_line_config));
}

void __wrap_gpiod_line_config_free(struct gpiod_line_config *c);
void __wrap_gpiod_line_config_free(struct gpiod_line_config *c)
{
	free(c);
}

int __wrap_gpiod_line_config_add_line_settings(struct gpiod_line_config *c, const unsigned *offsets,
					       size_t n, struct gpiod_line_settings *s);
int __wrap_gpiod_line_config_add_line_settings(struct gpiod_line_config *c, const unsigned *offsets,
					       size_t n, struct gpiod_line_settings *s)
{
	for (size_t i = 0; i < n; i++) {
		c->offsets[c->n] = offsets[i];
		c->s[c->n++] = *s;
	}
	return 0;
}

struct gpiod_request_config *__wrap_gpiod_request_config_new(void);
struct gpiod_request_config *__wrap_gpiod_request_config_new(void)
{
	return calloc(1, sizeof(struct gpiod_request_config));
}

void __wrap_gpiod_request_config_free(struct gpiod_request_config *c);
void __wrap_gpiod_request_config_free(struct gpiod_request_config *c)
{
	free(c);
}

void __wrap_gpiod_request_config_set_consumer(struct gpiod_request_config *c, const char *s);
void __wrap_gpiod_request_config_set_consumer(struct gpiod_request_config *c, const char *s)
{
	snprintf(c->consumer, sizeof(c->consumer), "%s", s);
}

void __wrap_gpiod_line_request_release(struct gpiod_line_request *r);
void __wrap_gpiod_line_request_release(struct gpiod_line_request *r)
{
	logf_("release %s", r->chip);
	r->released = true;
	close(r->pipe[0]);
	close(r->pipe[1]);
}

int __wrap_gpiod_line_request_get_fd(struct gpiod_line_request *r);
int __wrap_gpiod_line_request_get_fd(struct gpiod_line_request *r)
{
	return r->pipe[0];
}

static void log_values(const char *what, struct gpiod_line_request *r, size_t n,
		       const unsigned *offsets, const enum gpiod_line_value *v)
{
	char buf[128] = "";

	for (size_t i = 0; i < n; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), " %u=%d", offsets[i], v[i]);
	logf_("%s %s%s", what, r->chip, buf);
}

int __wrap_gpiod_line_request_set_values_subset(struct gpiod_line_request *r, size_t n,
						const unsigned *offsets,
						const enum gpiod_line_value *v);
int __wrap_gpiod_line_request_set_values_subset(struct gpiod_line_request *r, size_t n,
						const unsigned *offsets,
						const enum gpiod_line_value *v)
{
	assert_false(r->released);
	log_values("set", r, n, offsets, v);
	if (mock.fail_io && streq(mock.fail_io, r->chip)) {
		errno = EIO;
		return -1;
	}
	return 0;
}

int __wrap_gpiod_line_request_set_value(struct gpiod_line_request *r, unsigned offset,
					enum gpiod_line_value v);
int __wrap_gpiod_line_request_set_value(struct gpiod_line_request *r, unsigned offset,
					enum gpiod_line_value v)
{
	logf_("set1 %s %u=%d", r->chip, offset, v);
	if (mock.fail_io && streq(mock.fail_io, r->chip)) {
		errno = EIO;
		return -1;
	}
	return 0;
}

int __wrap_gpiod_line_request_get_values_subset(struct gpiod_line_request *r, size_t n,
						const unsigned *offsets, enum gpiod_line_value *v);
int __wrap_gpiod_line_request_get_values_subset(struct gpiod_line_request *r, size_t n,
						const unsigned *offsets, enum gpiod_line_value *v)
{
	logf_("get %s", r->chip);
	if (mock.fail_io && streq(mock.fail_io, r->chip)) {
		errno = EIO;
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = r->in_values[offsets[i]];
	return 0;
}

int __wrap_gpiod_line_request_read_edge_events(struct gpiod_line_request *r,
					       struct gpiod_edge_event_buffer *b, size_t max);
int __wrap_gpiod_line_request_read_edge_events(struct gpiod_line_request *r,
					       struct gpiod_edge_event_buffer *b, size_t max)
{
	char c;

	logf_("read-events %s", r->chip);
	if (mock.fail_events && streq(mock.fail_events, r->chip)) {
		errno = EIO;
		return -1;
	}
	while (read(r->pipe[0], &c, 1) == 1)
		;
	b->n = MIN(r->queued, max);
	memcpy(b->ev, r->queue, b->n * sizeof(b->ev[0]));
	r->queued = 0;
	return (int)b->n;
}

struct gpiod_edge_event_buffer *__wrap_gpiod_edge_event_buffer_new(size_t capacity);
struct gpiod_edge_event_buffer *__wrap_gpiod_edge_event_buffer_new(size_t capacity)
{
	return calloc(1, sizeof(struct gpiod_edge_event_buffer));
}

void __wrap_gpiod_edge_event_buffer_free(struct gpiod_edge_event_buffer *b);
void __wrap_gpiod_edge_event_buffer_free(struct gpiod_edge_event_buffer *b)
{
	free(b);
}

struct gpiod_edge_event *__wrap_gpiod_edge_event_buffer_get_event(struct gpiod_edge_event_buffer *b,
								   unsigned long i);
struct gpiod_edge_event *__wrap_gpiod_edge_event_buffer_get_event(struct gpiod_edge_event_buffer *b,
								   unsigned long i)
{
	return &b->ev[i];
}

enum gpiod_edge_event_type __wrap_gpiod_edge_event_get_event_type(struct gpiod_edge_event *e);
enum gpiod_edge_event_type __wrap_gpiod_edge_event_get_event_type(struct gpiod_edge_event *e)
{
	return e->type;
}

uint64_t __wrap_gpiod_edge_event_get_timestamp_ns(struct gpiod_edge_event *e);
uint64_t __wrap_gpiod_edge_event_get_timestamp_ns(struct gpiod_edge_event *e)
{
	return e->ts;
}

unsigned __wrap_gpiod_edge_event_get_line_offset(struct gpiod_edge_event *e);
unsigned __wrap_gpiod_edge_event_get_line_offset(struct gpiod_edge_event *e)
{
	return e->offset;
}

unsigned long __wrap_gpiod_edge_event_get_line_seqno(struct gpiod_edge_event *e);
unsigned long __wrap_gpiod_edge_event_get_line_seqno(struct gpiod_edge_event *e)
{
	return e->seqno;
}

/* --- helpers ------------------------------------------------------------- */

static const char map_text[] =
	"[input estop]\nline = gpiochip0 27\nbias = pull-up\ndebounce-us = 1000\n"
	"[input walk-top]\nline = gpiochip0 20\nactive-low = yes\nbias = pull-up\ndebounce-us = 2000\n"
	"[input walk-bottom]\nline = gpiochip0 21\nactive-low = yes\nbias = pull-up\n"
	"[input walk-encoder]\nline = gpiochip0 22\nbias = pull-down\n"
	"[input seat]\nline = SEAT_SENSE\nbias = pull-down\ndebounce-us = 20000\n"
	"[output walk-up]\nline = gpiochip0 5\n"
	"[output walk-down]\nline = gpiochip0 6\nactive-low = yes\n"
	"[output pump]\nline = gpiochip1 0\n"
	"[output valve-calves]\nline = gpiochip1 4\ndrive = open-drain\n"
	"[output heat-lumbar]\nline = gpiochip1 6\n"
	"[heater lumbar]\nsensor = %s/temp\nscale = 0.001\n";

static char tmpdir[TEST_PATH_MAX];
static struct chair_map *map;
static struct hal *hal;
static int edges_seen;
static size_t edge_log_at;

static void write_temp(const char *text)
{
	test_write_file(tmpdir, "temp", text);
}

static int fails_seen;

static void on_edge(struct hal *h, void *userdata)
{
	edges_seen++;
	edge_log_at = mock.n_log;
	logf_("edge-callback");
}

static void on_fail(struct hal *h, void *userdata)
{
	fails_seen++;
	logf_("fail-callback");
}

/* Drives @p c through the backend, as hal_write() does with a command. */
static int drive(struct hal *h, const struct chair_outputs *c)
{
	int r = h->ops->set_outputs(h, c);

	if (r >= 0)
		h->current = *c;
	return r;
}

static int setup(void **state)
{
	char text[2048];
	char *err = NULL;

	memset(&mock, 0, sizeof(mock));
	edges_seen = fails_seen = 0;
	test_mkdtemp(tmpdir, sizeof(tmpdir), "chaird-gpio");
	/* The device directory, for finding lines by name. */
	test_write_file(tmpdir, "gpiochip0", "");
	test_write_file(tmpdir, "gpiochip1", "");
	mock.names[0].chip = "gpiochip1";
	mock.names[0].name = "SEAT_SENSE";
	mock.names[0].offset = 9;
	write_temp("41500\n");
	snprintf(text, sizeof(text), map_text, tmpdir);
	if (chair_map_parse("test.conf", text, strlen(text), &map, &err) < 0)
		fail_msg("%s", err);
	*state = NULL;
	return 0;
}

static int teardown(void **state)
{
	hal_free(hal);
	hal = NULL;
	chair_map_free(map);
	for (size_t i = 0; i < mock.n_req; i++)
		free(mock.req[i]);
	test_rm_rf(tmpdir);
	return 0;
}

static struct gpiod_line_request *req_for(const char *chip)
{
	for (size_t i = 0; i < mock.n_req; i++)
		if (streq(mock.req[i]->chip, chip))
			return mock.req[i];
	fail_msg("no request for %s", chip);
	return NULL;
}

static const struct gpiod_line_settings *settings(const char *chip, unsigned offset)
{
	struct gpiod_line_request *r = req_for(chip);

	for (size_t i = 0; i < r->cfg.n; i++)
		if (r->cfg.offsets[i] == offset)
			return &r->cfg.s[i];
	fail_msg("%s %u was not requested", chip, offset);
	return NULL;
}

static size_t find_log(size_t from, const char *prefix)
{
	for (size_t i = from; i < mock.n_log; i++)
		if (strncmp(mock.log[i], prefix, strlen(prefix)) == 0)
			return i;
	return SIZE_MAX;
}

static void new_hal(void)
{
	assert_int_equal(hal_gpiod_new(map, tmpdir, tmpdir, &hal), 0);
}

static void queue(const char *chip, unsigned offset, bool rising, unsigned long seqno, uint64_t ts)
{
	struct gpiod_line_request *r = req_for(chip);

	r->queue[r->queued++] = (struct gpiod_edge_event){
		.type = rising ? GPIOD_EDGE_EVENT_RISING_EDGE : GPIOD_EDGE_EVENT_FALLING_EDGE,
		.ts = ts,
		.offset = offset,
		.seqno = seqno,
	};
	assert_int_equal(write(r->pipe[1], "e", 1), 1);
}

static void dispatch(sd_event *e)
{
	/* Run the loop until nothing is pending; no waiting. A source that
	 * stays ready for ever fails the test instead of hanging it. */
	for (int i = 0; sd_event_run(e, 0) > 0; i++)
		if (i > 1000)
			fail_msg("an event source keeps firing: it spins");
}

/* --- tests --------------------------------------------------------------- */

static void test_line_settings(void **state)
{
	const struct gpiod_line_settings *s;

	(void)state;
	new_hal();
	assert_int_equal(mock.n_req, 2);
	assert_string_equal(req_for("gpiochip0")->rc.consumer, "chaird");
	/* Outputs: requested as outputs, at their safe (inactive) value. */
	s = settings("gpiochip0", 5);
	assert_int_equal(s->dir, GPIOD_LINE_DIRECTION_OUTPUT);
	assert_int_equal(s->value, GPIOD_LINE_VALUE_INACTIVE);
	assert_false(s->active_low);
	assert_int_equal(s->drive, GPIOD_LINE_DRIVE_PUSH_PULL);
	s = settings("gpiochip0", 6);
	assert_int_equal(s->value, GPIOD_LINE_VALUE_INACTIVE);
	assert_true(s->active_low);
	s = settings("gpiochip1", 4);
	assert_int_equal(s->drive, GPIOD_LINE_DRIVE_OPEN_DRAIN);
	assert_int_equal(s->value, GPIOD_LINE_VALUE_INACTIVE);
	for (unsigned o = 0; o <= 6; o += 2)
		assert_int_equal(settings("gpiochip1", o == 2 ? 0 : o)->dir, GPIOD_LINE_DIRECTION_OUTPUT);
	/* Inputs: edges both ways, bias, debounce, monotonic timestamps. */
	s = settings("gpiochip0", 27);
	assert_int_equal(s->dir, GPIOD_LINE_DIRECTION_INPUT);
	assert_int_equal(s->edge, GPIOD_LINE_EDGE_BOTH);
	assert_int_equal(s->bias, GPIOD_LINE_BIAS_PULL_UP);
	assert_int_equal(s->debounce, 1000);
	assert_int_equal(s->clock, GPIOD_LINE_CLOCK_MONOTONIC);
	assert_false(s->active_low);
	s = settings("gpiochip0", 20);
	assert_true(s->active_low);
	assert_int_equal(s->debounce, 2000);
	s = settings("gpiochip0", 22);
	assert_int_equal(s->bias, GPIOD_LINE_BIAS_PULL_DOWN);
	assert_int_equal(s->debounce, 0);
	/* Found by name: SEAT_SENSE is gpiochip1 line 9. */
	s = settings("gpiochip1", 9);
	assert_int_equal(s->dir, GPIOD_LINE_DIRECTION_INPUT);
	assert_int_equal(s->debounce, 20000);
	assert_int_equal(req_for("gpiochip0")->cfg.n, 6);
	assert_int_equal(req_for("gpiochip1")->cfg.n, 4);
}

static void test_estop_edge_first(void **state)
{
	sd_event *e = NULL;
	struct chair_outputs cmd = { 0 };
	size_t read_at, set0, set1;

	(void)state;
	new_hal();
	assert_int_equal(sd_event_new(&e), 0);
	assert_int_equal(hal_attach(hal, e, 0, on_edge, on_fail, NULL), 0);
	cmd.out[CHAIR_OUT_WALK_UP] = cmd.out[CHAIR_OUT_PUMP] = cmd.out[CHAIR_OUT_VALVE_CALVES] = true;
	cmd.out[CHAIR_OUT_HEAT_LUMBAR] = true;
	assert_int_equal(drive(hal, &cmd), 0);
	mock.n_log = 0;

	queue("gpiochip0", 27, true, 1, 5000000000ull);
	dispatch(e);
	assert_int_equal(edges_seen, 1);
	read_at = find_log(0, "read-events gpiochip0");
	assert_int_equal(read_at, 0);
	/* The very next calls drive every output of every chip inactive. */
	set0 = find_log(0, "set gpiochip0");
	set1 = find_log(0, "set gpiochip1");
	assert_int_equal(set0, read_at + 1);
	assert_int_equal(set1, read_at + 2);
	assert_string_equal(mock.log[set0], "set gpiochip0 5=0 6=0");
	assert_string_equal(mock.log[set1], "set gpiochip1 0=0 4=0 6=0");
	/* Only then does the rest of the daemon hear of it. */
	assert_int_equal(edge_log_at, read_at + 3);
	assert_true(chair_outputs_all_off(&hal->current));
	sd_event_unref(e);
}

static void test_limit_switch_edge(void **state)
{
	sd_event *e = NULL;
	struct chair_outputs cmd = { 0 };

	(void)state;
	new_hal();
	assert_int_equal(sd_event_new(&e), 0);
	assert_int_equal(hal_attach(hal, e, 0, on_edge, on_fail, NULL), 0);
	cmd.out[CHAIR_OUT_WALK_UP] = true;
	drive(hal, &cmd);
	mock.n_log = 0;
	queue("gpiochip0", 20, true, 1, 1000);
	dispatch(e);
	assert_string_equal(mock.log[1], "set1 gpiochip0 5=0");
	assert_string_equal(mock.log[2], "edge-callback");
	assert_false(hal->current.out[CHAIR_OUT_WALK_UP]);
	sd_event_unref(e);
}

static void test_encoder(void **state)
{
	sd_event *e = NULL;
	struct chair_outputs cmd = { 0 };
	struct chair_inputs in;
	unsigned long seq = 0;

	(void)state;
	new_hal();
	assert_int_equal(sd_event_new(&e), 0);
	assert_int_equal(hal_attach(hal, e, 0, on_edge, on_fail, NULL), 0);
	cmd.out[CHAIR_OUT_WALK_UP] = true;
	drive(hal, &cmd);
	for (int i = 0; i < 5; i++) {
		queue("gpiochip0", 22, true, ++seq, 2000000000ull + i * 1000000);
		queue("gpiochip0", 22, false, ++seq, 2000500000ull + i * 1000000);
	}
	dispatch(e);
	assert_int_equal(hal_gpiod_encoder_count(hal), 5);
	cmd.out[CHAIR_OUT_WALK_UP] = false;
	cmd.out[CHAIR_OUT_WALK_DOWN] = true;
	drive(hal, &cmd);
	for (int i = 0; i < 3; i++) {
		queue("gpiochip0", 22, true, ++seq, 3000000000ull + i * 1000000);
		queue("gpiochip0", 22, false, ++seq, 3000500000ull + i * 1000000);
	}
	dispatch(e);
	assert_int_equal(hal_gpiod_encoder_count(hal), 2);
	hal->clock_offset = 1000000; /* chair time = monotonic - 1 s */
	hal_read_inputs(hal, 0, &in);
	assert_int_equal(in.encoder_pulses, 8);
	/* The last pulse's kernel timestamp (3.002 s), in chair time. */
	assert_int_equal(in.encoder_last_usec, 3002000 - 1000000);
	assert_int_equal(hal_gpiod_lost_events(hal), 0);
	sd_event_unref(e);
}

static void test_seqno_gap(void **state)
{
	sd_event *e = NULL;

	(void)state;
	new_hal();
	assert_int_equal(sd_event_new(&e), 0);
	assert_int_equal(hal_attach(hal, e, 0, on_edge, on_fail, NULL), 0);
	queue("gpiochip0", 22, true, 1, 1000);
	queue("gpiochip0", 22, false, 2, 2000);
	queue("gpiochip0", 22, true, 6, 3000); /* 3, 4 and 5 were lost */
	dispatch(e);
	assert_int_equal(hal_gpiod_lost_events(hal), 3);
	sd_event_unref(e);
}

static void test_outputs_and_inputs(void **state)
{
	struct chair_outputs cmd = { 0 };
	struct chair_inputs in;
	size_t at;

	(void)state;
	new_hal();
	mock.n_log = 0;
	cmd.out[CHAIR_OUT_WALK_DOWN] = cmd.out[CHAIR_OUT_VALVE_CALVES] = true;
	drive(hal, &cmd);
	assert_string_equal(mock.log[0], "set gpiochip0 5=0 6=1");
	assert_string_equal(mock.log[1], "set gpiochip1 0=0 4=1 6=0");
	req_for("gpiochip0")->in_values[27] = GPIOD_LINE_VALUE_ACTIVE;
	req_for("gpiochip1")->in_values[9] = GPIOD_LINE_VALUE_ACTIVE;
	at = mock.n_log;
	hal_read_inputs(hal, 0, &in);
	assert_int_not_equal(find_log(at, "get gpiochip0"), SIZE_MAX);
	assert_true(in.in[CHAIR_IN_ESTOP]);
	assert_true(in.in[CHAIR_IN_SEAT]);
	assert_false(in.in[CHAIR_IN_WALK_TOP]);
}

static void test_temperatures(void **state)
{
	struct chair_inputs in;
	struct chair_safety *s;
	struct chair_request req = { .session = true };
	struct chair_outputs cmd;

	(void)state;
	new_hal();
	hal_read_inputs(hal, 0, &in);
	assert_true(in.temp[CHAIR_HEATER_LUMBAR].valid);
	assert_true(in.temp[CHAIR_HEATER_LUMBAR].celsius > 41.49 && in.temp[CHAIR_HEATER_LUMBAR].celsius < 41.51);
	write_temp("garbage");
	hal_gpiod_read_temperatures(hal);
	hal_read_inputs(hal, 0, &in);
	assert_false(in.temp[CHAIR_HEATER_LUMBAR].valid);
	/* The safety core turns the heater off with a fault. */
	assert_int_equal(chair_safety_new(&map->hw, &s), 0);
	in.in[CHAIR_IN_SEAT] = true;
	req.heat[CHAIR_HEATER_LUMBAR] = 3;
	chair_safety_step(s, 10, &in, &req, &cmd);
	assert_int_equal(chair_safety_faults(s), 1u << CHAIR_FAULT_HEATER_LUMBAR_SENSOR);
	assert_false(cmd.out[CHAIR_OUT_HEAT_LUMBAR]);
	chair_safety_free(s);
	write_temp("40000");
	hal_gpiod_read_temperatures(hal);
	hal_read_inputs(hal, 0, &in);
	assert_true(in.temp[CHAIR_HEATER_LUMBAR].valid);
}

/* A write that fails is not taken as done: the daemon keeps the old
 * outputs as "on" and tries again; a read that fails is reported. */
static void test_io_failures(void **state)
{
	sd_event *e = NULL;
	struct chair_outputs cmd = { 0 };
	struct chair_inputs in;

	(void)state;
	new_hal();
	cmd.out[CHAIR_OUT_WALK_UP] = cmd.out[CHAIR_OUT_PUMP] = cmd.out[CHAIR_OUT_VALVE_CALVES] = true;
	assert_int_equal(drive(hal, &cmd), 0);

	mock.fail_io = "gpiochip1";
	memset(&cmd, 0, sizeof(cmd));
	assert_true(drive(hal, &cmd) < 0);
	assert_true(hal->current.out[CHAIR_OUT_PUMP]); /* not taken as off */
	assert_true(hal_safe_state(hal) < 0);
	assert_false(chair_outputs_all_off(&hal->current));
	assert_true(hal_read_inputs(hal, 0, &in) < 0);

	/* The e-stop edge: a chip that refuses leaves the outputs "on". */
	assert_int_equal(sd_event_new(&e), 0);
	assert_int_equal(hal_attach(hal, e, 0, on_edge, on_fail, NULL), 0);
	queue("gpiochip0", 27, true, 1, 1000);
	dispatch(e);
	assert_false(chair_outputs_all_off(&hal->current));
	/* Once the chip answers again, the retry takes. */
	mock.fail_io = NULL;
	assert_int_equal(drive(hal, &cmd), 0);
	assert_true(chair_outputs_all_off(&hal->current));
	assert_int_equal(hal_read_inputs(hal, 0, &in), 0);
	sd_event_unref(e);
}

/* The daemon on this backend: a line that cannot be read latches
 * gpio-failed, with every output driven off. */
static void test_manager_io_fault(void **state)
{
	struct manager_config cfg = { .time_scale = 1.0, .map = map, .hw = map->hw,
				      .gpio_dir = tmpdir, .pwm_root = tmpdir };
	struct manager *m = NULL;

	(void)state;
	assert_int_equal(manager_new(&cfg, &m), 0);
	assert_int_equal(m->state, CHAIR_STATE_IDLE);
	mock.fail_io = "gpiochip0";
	mock.n_log = 0;
	manager_input_changed(m);
	assert_int_equal(m->state, CHAIR_STATE_FAULT);
	assert_true(chair_safety_faults(m->safety) & (1u << CHAIR_FAULT_GPIO));
	/* It tried to drive every chip's outputs off. */
	assert_int_not_equal(find_log(0, "set gpiochip0 5=0 6=0"), SIZE_MAX);
	assert_int_not_equal(find_log(0, "set gpiochip1 0=0 4=0 6=0"), SIZE_MAX);
	mock.fail_io = NULL;
	manager_free(m);
}

/* A chip that hangs up (a removed GPIO expander): every output off, the
 * manager told once, and the source switched off instead of spinning. */
static void test_edge_hangup(void **state)
{
	sd_event *e = NULL;
	struct chair_outputs cmd = { 0 };
	size_t at;

	(void)state;
	new_hal();
	assert_int_equal(sd_event_new(&e), 0);
	assert_int_equal(hal_attach(hal, e, 0, on_edge, on_fail, NULL), 0);
	cmd.out[CHAIR_OUT_WALK_UP] = cmd.out[CHAIR_OUT_VALVE_CALVES] = true;
	assert_int_equal(drive(hal, &cmd), 0);
	mock.n_log = 0;
	close(req_for("gpiochip0")->pipe[1]);
	req_for("gpiochip0")->pipe[1] = -1;
	dispatch(e);
	assert_int_equal(fails_seen, 1);
	assert_int_equal(edges_seen, 0);
	at = find_log(0, "fail-callback");
	assert_true(find_log(0, "set gpiochip0 5=0 6=0") < at);
	assert_true(find_log(0, "set gpiochip1 0=0 4=0 6=0") < at);
	assert_true(chair_outputs_all_off(&hal->current));
	/* Nothing more comes from it. */
	dispatch(e);
	assert_int_equal(fails_seen, 1);
	sd_event_unref(e);
}

/* Edge events that cannot be read are handled the same way. */
static void test_edge_read_error(void **state)
{
	sd_event *e = NULL;

	(void)state;
	new_hal();
	assert_int_equal(sd_event_new(&e), 0);
	assert_int_equal(hal_attach(hal, e, 0, on_edge, on_fail, NULL), 0);
	mock.fail_events = "gpiochip0";
	queue("gpiochip0", 22, true, 1, 1000);
	dispatch(e);
	assert_int_equal(fails_seen, 1);
	assert_int_equal(edges_seen, 0);
	assert_true(chair_outputs_all_off(&hal->current));
	sd_event_unref(e);
}

/* Time stamps become chair time when they are read, with the offset in
 * force then: a temperature read before the chair's clock was set is not
 * stamped in the future. */
static void test_stamps_in_chair_time(void **state)
{
	struct chair_inputs in;
	uint64_t mono;

	(void)state;
	new_hal();
	hal_gpiod_read_temperatures(hal);
	mono = hal_mono_usec();
	hal_set_clock_offset(hal, mono - 5000000);
	hal_read_inputs(hal, 5000000, &in);
	assert_true(in.temp[CHAIR_HEATER_LUMBAR].valid);
	assert_true(in.temp[CHAIR_HEATER_LUMBAR].read_usec <= 5000000);
	assert_true(in.temp[CHAIR_HEATER_LUMBAR].read_usec > 4000000);
}

/* EmergencyStop(): the outputs are driven off before anything else runs,
 * and a write that fails is reported (the caller gets an error) and
 * retried until it takes. */
static void test_manager_estop_write(void **state)
{
	struct manager_config cfg = { .time_scale = 1.0, .map = map, .hw = map->hw,
				      .gpio_dir = tmpdir, .pwm_root = tmpdir };
	struct manager *m = NULL;

	(void)state;
	assert_int_equal(manager_new(&cfg, &m), 0);
	mock.n_log = 0;
	assert_int_equal(manager_emergency_stop(m), 0);
	/* The very first calls: every output of every chip off. */
	assert_true(strncmp(mock.log[0], "set gpiochip0 5=0 6=0", 21) == 0);
	assert_true(strncmp(mock.log[1], "set gpiochip1 0=0 4=0 6=0", 25) == 0);
	assert_int_equal(m->state, CHAIR_STATE_EMERGENCY_STOP);
	manager_free(m);

	m = NULL;
	assert_int_equal(manager_new(&cfg, &m), 0);
	mock.fail_io = "gpiochip1";
	assert_int_equal(manager_emergency_stop(m), -EIO);
	assert_int_equal(m->state, CHAIR_STATE_EMERGENCY_STOP);
	assert_true(chair_safety_faults(m->safety) & (1u << CHAIR_FAULT_GPIO));
	mock.fail_io = NULL;
	manager_free(m);
}

/* A press of the stop button shorter than anything the loop sees (pressed
 * and released in one batch of events) still latches the stop. */
static void test_manager_estop_pulse(void **state)
{
	struct manager_config cfg = { .time_scale = 1.0, .map = map, .hw = map->hw,
				      .gpio_dir = tmpdir, .pwm_root = tmpdir };
	struct manager *m = NULL;

	(void)state;
	assert_int_equal(manager_new(&cfg, &m), 0);
	queue("gpiochip0", 27, true, 1, 5000000000ull);
	queue("gpiochip0", 27, false, 2, 5000001000ull);
	dispatch(m->event);
	assert_int_equal(m->state, CHAIR_STATE_EMERGENCY_STOP);
	manager_free(m);
}

/* A chip that failed is never trusted again in this run: Reset refuses. */
static void test_manager_reset_after_chip_failure(void **state)
{
	struct manager_config cfg = { .time_scale = 1.0, .map = map, .hw = map->hw,
				      .gpio_dir = tmpdir, .pwm_root = tmpdir };
	struct manager_why why = { "" };
	struct manager *m = NULL;

	(void)state;
	assert_int_equal(manager_new(&cfg, &m), 0);
	close(req_for("gpiochip0")->pipe[1]);
	req_for("gpiochip0")->pipe[1] = -1;
	dispatch(m->event);
	assert_int_equal(m->state, CHAIR_STATE_FAULT);
	assert_true(chair_safety_faults(m->safety) & (1u << CHAIR_FAULT_GPIO));
	assert_int_equal(manager_reset(m, &why), -EIO);
	assert_non_null(strstr(why.msg, "no longer watched"));
	assert_int_equal(m->state, CHAIR_STATE_FAULT);
	manager_free(m);
}

static void test_safe_then_release_at_exit(void **state)
{
	(void)state;
	new_hal();
	mock.n_log = 0;
	hal_free(hal);
	hal = NULL;
	/* Each chip: its outputs driven inactive, then its request released. */
	assert_true(find_log(0, "set gpiochip0 5=0 6=0") < find_log(0, "release gpiochip0"));
	assert_true(find_log(0, "set gpiochip1 0=0 4=0 6=0") < find_log(0, "release gpiochip1"));
	assert_true(find_log(0, "release gpiochip1") < find_log(0, "close gpiochip1"));
	assert_int_not_equal(find_log(0, "close gpiochip0"), SIZE_MAX);
}

/* Captures what the daemon logs while @p fn runs. */
static void capture_stderr(void (*fn)(void), char *out, size_t n)
{
	char path[TEST_PATH_MAX + 16];
	int saved = dup(2), fd;
	ssize_t k;

	snprintf(path, sizeof(path), "%s/stderr", tmpdir);
	fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	fflush(stderr);
	dup2(fd, 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	k = read(fd, out, n - 1);
	out[k > 0 ? k : 0] = 0;
	close(fd);
}

static int fn_result;

static void fn_new(void)
{
	fn_result = hal_gpiod_new(map, tmpdir, tmpdir, &hal);
}

static void fn_safe_state(void)
{
	fn_result = hal_gpiod_safe_state(map, tmpdir);
}

static bool nothing_left_requested(void)
{
	for (size_t i = 0; i < mock.n_req; i++)
		if (!mock.req[i]->released)
			return false;
	return true;
}

static void test_startup_errors(void **state)
{
	char out[1024];

	(void)state;
	mock.fail_open = "gpiochip1";
	mock.fail_open_errno = ENOENT;
	capture_stderr(fn_new, out, sizeof(out));
	assert_int_equal(fn_result, -ENOENT);
	assert_string_equal(out, "gpiochip1: no such chip (is the driver loaded? see docs/porting.md)\n");
	assert_true(nothing_left_requested());

	mock.fail_open_errno = EACCES;
	capture_stderr(fn_new, out, sizeof(out));
	assert_int_equal(fn_result, -EACCES);
	assert_string_equal(out, "gpiochip1: permission denied (is chaird in group gpio? see "
				 "docs/porting.md)\n");

	/* Busy: the first chip was requested; it is driven safe and released. */
	mock.fail_open = NULL;
	mock.busy_chip = "gpiochip1";
	mock.busy_offset = 4;
	mock.n_log = 0;
	capture_stderr(fn_new, out, sizeof(out));
	assert_int_equal(fn_result, -EBUSY);
	assert_string_equal(out, "gpiochip1: line 4 (valve-calves) is busy: old-firmware holds it "
				 "(see gpioinfo)\n");
	assert_true(nothing_left_requested());
	assert_true(find_log(0, "set gpiochip0 5=0 6=0") < find_log(0, "release gpiochip0"));

	/* A line name that no chip has. */
	mock.busy_chip = NULL;
	mock.names[0].name = "SEAT_SENS";
	capture_stderr(fn_new, out, sizeof(out));
	assert_int_equal(fn_result, -ENOENT);
	assert_string_equal(out, "No GPIO line is named 'SEAT_SENSE' (for seat); check the names with "
				 "gpioinfo, or give 'CHIP OFFSET'\n");
	assert_true(nothing_left_requested());
}

/* A line name that two chips have (gpio-sim gives every chip the names
 * it is told): which line is meant cannot be known, so nothing starts. */
static void test_name_on_two_chips(void **state)
{
	char out[1024];

	(void)state;
	mock.names[1].chip = "gpiochip0";
	mock.names[1].name = "SEAT_SENSE";
	mock.names[1].offset = 2;
	capture_stderr(fn_new, out, sizeof(out));
	assert_int_equal(fn_result, -ENOTUNIQ);
	assert_string_equal(out, "GPIO line name 'SEAT_SENSE' (for seat) is on two chips, gpiochip0 "
				 "line 2 and gpiochip1 line 9; give 'CHIP OFFSET' in the map instead "
				 "of the name\n");
	assert_int_equal(mock.n_req, 0);
}

static void test_safe_state_missing_chip(void **state)
{
	char out[1024];
	const struct gpiod_line_settings *s;

	(void)state;
	mock.fail_open = "gpiochip0";
	mock.fail_open_errno = ENOENT;
	capture_stderr(fn_safe_state, out, sizeof(out));
	assert_int_equal(fn_result, -ENOENT);
	/* One sentence for the missing chip, however many of its lines. */
	assert_non_null(strstr(out, "gpiochip0: no such chip"));
	assert_null(strstr(strstr(out, "gpiochip0: no such chip") + 1, "gpiochip0: no such chip"));
	/* The other chip's outputs are requested at their safe value. */
	assert_int_equal(mock.n_req, 1);
	assert_int_equal(req_for("gpiochip1")->cfg.n, 3);
	for (size_t i = 0; i < 3; i++) {
		s = &req_for("gpiochip1")->cfg.s[i];
		assert_int_equal(s->dir, GPIOD_LINE_DIRECTION_OUTPUT);
		assert_int_equal(s->value, GPIOD_LINE_VALUE_INACTIVE);
	}
	assert_true(nothing_left_requested());
	assert_true(find_log(0, "set gpiochip1 0=0 4=0 6=0") < find_log(0, "release gpiochip1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_line_settings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_estop_edge_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limit_switch_edge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_encoder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seqno_gap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outputs_and_inputs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_temperatures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_io_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manager_io_fault, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edge_hangup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edge_read_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stamps_in_chair_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manager_estop_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manager_estop_pulse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manager_reset_after_chip_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_safe_then_release_at_exit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_startup_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_safe_state_missing_chip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_name_on_two_chips, setup, teardown),
	};

	return cmocka_run_group_tests_name("hal-gpiod", tests, NULL, NULL);
}
