// SPDX-License-Identifier: MIT
/*
 * The gpiod backend: libgpiod v2 on /dev/gpiochip*. This is the only file
 * that includes gpiod.h.
 *
 * One request per chip holds all of that chip's lines: outputs requested
 * at their safe (inactive) value, inputs with edge detection, bias,
 * debounce and monotonic timestamps. Each request's fd is an sd-event
 * source above the control loop and the bus. The e-stop and the limit
 * switches act on their edge inside that source, before anything else
 * runs; the manager hears of the edge afterwards.
 */
#include <dirent.h>
#include <errno.h>
#include <gpiod.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

#include "hal-backend.h"
#include "hwmap.h"
#include "log.h"
#include "macro.h"
#include "pwm.h"
#include "temp.h"

#define MAX_CHIPS 16
#define EVENT_BATCH 64
#define TEMP_PERIOD_USEC (UINT64_C(500) * 1000)

struct gchip {
	char *path;
	char *label; /* "gpiochip0", for messages */
	struct gpiod_chip *chip;
	struct gpiod_line_request *req;
	struct gpiod_edge_event_buffer *events;
	sd_event_source *src;
	unsigned out_offsets[CHAIR_OUTPUT_COUNT];
	int out_ids[CHAIR_OUTPUT_COUNT];
	size_t n_out;
	unsigned in_offsets[CHAIR_INPUT_COUNT];
	int in_ids[CHAIR_INPUT_COUNT];
	size_t n_in;
	int io_err[2]; /* the last write and read error, each said once */
	struct ghal *g;
};

struct gline {
	int chip; /* index in chips[], -1: absent */
	unsigned offset;
};

struct ghal {
	struct hal *hal;
	const struct chair_map *map;
	struct gchip chips[MAX_CHIPS];
	size_t n_chips;
	char *failed[MAX_CHIPS]; /* chips that could not be opened, reported once */
	size_t n_failed;
	struct gline out[CHAIR_OUTPUT_COUNT];
	struct gline in[CHAIR_INPUT_COUNT];
	unsigned long line_seqno[CHAIR_INPUT_COUNT];
	bool in_value[CHAIR_INPUT_COUNT];
	uint64_t pulses;
	int64_t encoder_count;
	uint64_t last_pulse_mono;
	uint64_t lost_events;
	bool estop_pressed; /* an e-stop edge not yet read */
	struct pwm_channel *pwm[CHAIR_OUTPUT_COUNT];
	struct chair_temp temp[CHAIR_HEATER_COUNT];
	int temp_error[CHAIR_HEATER_COUNT];
	sd_event_source *temp_timer;
};

static const char *chip_label(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static char *chip_path(const char *dev_dir, const char *chip)
{
	char *p;

	if (chip[0] == '/')
		return strdup(chip);
	if (asprintf(&p, "%s/%s", dev_dir, chip) < 0)
		return NULL;
	return p;
}

/* Logs why a chip cannot be opened, as one sentence, and returns -errno. */
static int chip_open_error(const char *label, int err)
{
	switch (err) {
	case ENOENT:
	case ENODEV:
		log_error("%s: no such chip (is the driver loaded? see docs/porting.md)", label);
		break;
	case EACCES:
	case EPERM:
		log_error("%s: permission denied (is chaird in group gpio? see docs/porting.md)", label);
		break;
	default:
		log_error("%s: cannot open: %s", label, strerror(err));
		break;
	}
	return -err;
}

static int find_chip(struct ghal *g, const char *path)
{
	for (size_t i = 0; i < g->n_chips; i++)
		if (streq(g->chips[i].path, path))
			return (int)i;
	return -1;
}

static int open_chip(struct ghal *g, char *path)
{
	struct gchip *c;
	int i = find_chip(g, path);

	if (i >= 0) {
		free(path);
		return i;
	}
	for (size_t k = 0; k < g->n_failed; k++)
		if (streq(g->failed[k], path)) {
			free(path);
			return -ENODEV;
		}
	if (g->n_chips >= MAX_CHIPS) {
		free(path);
		log_error("The map uses more than %d GPIO chips", MAX_CHIPS);
		return -E2BIG;
	}
	c = &g->chips[g->n_chips];
	c->path = path;
	c->label = strdup(chip_label(path));
	c->g = g;
	c->chip = gpiod_chip_open(path);
	if (!c->chip) {
		int r = chip_open_error(c->label, errno);

		if (g->n_failed < MAX_CHIPS)
			g->failed[g->n_failed++] = TAKE_PTR(c->path);
		free(c->path);
		free(c->label);
		memset(c, 0, sizeof(*c));
		return r;
	}
	return (int)g->n_chips++;
}

static int cmp_path(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

/* A line given by name: the one chip that has it. A name found on two
 * chips is refused: which one is meant cannot be known, and driving the
 * wrong one would leave the right one as it was. */
static int find_named_line(struct ghal *g, const char *dev_dir, const char *name,
			   const char *what, struct gline *ret)
{
	DIR *d = opendir(dev_dir);
	struct dirent *de;
	char **paths = NULL;
	size_t n = 0;
	int r = -ENOENT;

	if (!d)
		return log_error_errno(-errno, "Cannot list %s: %m", dev_dir);
	while ((de = readdir(d)))
		if (strncmp(de->d_name, "gpiochip", 8) == 0) {
			char **v = realloc(paths, (n + 1) * sizeof(char *));

			if (!v)
				break;
			paths = v;
			if (asprintf(&paths[n], "%s/%s", dev_dir, de->d_name) >= 0)
				n++;
		}
	closedir(d);
	/* In a stable order, so that messages name the chips the same way
	 * each time. */
	if (n > 1)
		qsort(paths, n, sizeof(char *), cmp_path);
	for (size_t i = 0; i < n; i++) {
		int ci, off;

		if (r == -ENOTUNIQ) {
			free(paths[i]);
			continue;
		}
		ci = open_chip(g, paths[i]);
		if (ci < 0)
			continue;
		off = gpiod_chip_get_line_offset_from_name(g->chips[ci].chip, name);
		if (off < 0)
			continue;
		if (r == 0) {
			log_error("GPIO line name '%s' (for %s) is on two chips, %s line %u and %s "
				  "line %d; give 'CHIP OFFSET' in the map instead of the name",
				  name, what, g->chips[ret->chip].label, ret->offset,
				  g->chips[ci].label, off);
			r = -ENOTUNIQ;
			continue;
		}
		ret->chip = ci;
		ret->offset = (unsigned)off;
		r = 0;
	}
	free(paths);
	if (r == -ENOENT)
		log_error("No GPIO line is named '%s' (for %s); check the names with gpioinfo, or "
			  "give 'CHIP OFFSET'", name, what);
	return r;
}

static int resolve(struct ghal *g, const char *dev_dir, const struct chair_map_line *l,
		   const char *what, struct gline *ret)
{
	int ci;

	if (!l->chip)
		return find_named_line(g, dev_dir, l->name, what, ret);
	ci = open_chip(g, chip_path(dev_dir, l->chip));
	if (ci < 0)
		return ci;
	ret->chip = ci;
	ret->offset = (unsigned)l->offset;
	return 0;
}

static enum gpiod_line_bias to_bias(enum chair_bias b)
{
	switch (b) {
	case CHAIR_BIAS_DISABLED:
		return GPIOD_LINE_BIAS_DISABLED;
	case CHAIR_BIAS_PULL_UP:
		return GPIOD_LINE_BIAS_PULL_UP;
	case CHAIR_BIAS_PULL_DOWN:
		return GPIOD_LINE_BIAS_PULL_DOWN;
	case CHAIR_BIAS_AS_IS:
		break;
	}
	return GPIOD_LINE_BIAS_AS_IS;
}

static enum gpiod_line_drive to_drive(enum chair_drive d)
{
	switch (d) {
	case CHAIR_DRIVE_OPEN_DRAIN:
		return GPIOD_LINE_DRIVE_OPEN_DRAIN;
	case CHAIR_DRIVE_OPEN_SOURCE:
		return GPIOD_LINE_DRIVE_OPEN_SOURCE;
	case CHAIR_DRIVE_PUSH_PULL:
		break;
	}
	return GPIOD_LINE_DRIVE_PUSH_PULL;
}

/* Adds one line with its own settings to a line config. */
static int add_line(struct gpiod_line_config *cfg, unsigned offset, const struct chair_map_line *l,
		    bool output)
{
	struct gpiod_line_settings *s = gpiod_line_settings_new();
	int r = 0;

	if (!s)
		return -ENOMEM;
	gpiod_line_settings_set_active_low(s, l->active_low);
	if (output) {
		/* Requested at the safe value: never a glitch to active. */
		if (gpiod_line_settings_set_direction(s, GPIOD_LINE_DIRECTION_OUTPUT) < 0 ||
		    gpiod_line_settings_set_output_value(s, GPIOD_LINE_VALUE_INACTIVE) < 0 ||
		    gpiod_line_settings_set_drive(s, to_drive(l->drive)) < 0)
			r = -EINVAL;
	} else {
		if (gpiod_line_settings_set_direction(s, GPIOD_LINE_DIRECTION_INPUT) < 0 ||
		    gpiod_line_settings_set_edge_detection(s, GPIOD_LINE_EDGE_BOTH) < 0 ||
		    gpiod_line_settings_set_bias(s, to_bias(l->bias)) < 0 ||
		    gpiod_line_settings_set_event_clock(s, GPIOD_LINE_CLOCK_MONOTONIC) < 0)
			r = -EINVAL;
		gpiod_line_settings_set_debounce_period_us(s, l->debounce_us);
	}
	if (r == 0 && gpiod_line_config_add_line_settings(cfg, &offset, 1, s) < 0)
		r = -errno ? -errno : -EINVAL;
	gpiod_line_settings_free(s);
	return r;
}

static const char *line_owner(struct gchip *c, unsigned offset, char *buf, size_t n)
{
	for (size_t i = 0; i < c->n_out; i++)
		if (c->out_offsets[i] == offset) {
			snprintf(buf, n, "%s", chair_output_to_string(c->out_ids[i]));
			return buf;
		}
	for (size_t i = 0; i < c->n_in; i++)
		if (c->in_offsets[i] == offset) {
			snprintf(buf, n, "%s", chair_input_to_string(c->in_ids[i]));
			return buf;
		}
	return "?";
}

/* Names the line that is in use when a request fails with EBUSY. */
static void report_busy(struct gchip *c)
{
	unsigned all[CHAIR_OUTPUT_COUNT + CHAIR_INPUT_COUNT];
	size_t n = 0;
	char what[32];

	memcpy(all, c->out_offsets, c->n_out * sizeof(unsigned));
	n = c->n_out;
	memcpy(all + n, c->in_offsets, c->n_in * sizeof(unsigned));
	n += c->n_in;
	for (size_t i = 0; i < n; i++) {
		struct gpiod_line_info *info = gpiod_chip_get_line_info(c->chip, all[i]);
		bool used = info && gpiod_line_info_is_used(info);
		const char *consumer = used ? gpiod_line_info_get_consumer(info) : NULL;

		if (used) {
			log_error("%s: line %u (%s) is busy: %s holds it (see gpioinfo)", c->label, all[i],
				  line_owner(c, all[i], what, sizeof(what)),
				  consumer && *consumer ? consumer : "another program");
			gpiod_line_info_free(info);
			return;
		}
		if (info)
			gpiod_line_info_free(info);
	}
	log_error("%s: a line is busy: another program holds it (see gpioinfo)", c->label);
}

static int request_chip(struct ghal *g, struct gchip *c)
{
	struct gpiod_line_config *cfg = gpiod_line_config_new();
	struct gpiod_request_config *rc = gpiod_request_config_new();
	int r = 0;

	if (!cfg || !rc) {
		r = -ENOMEM;
		goto out;
	}
	gpiod_request_config_set_consumer(rc, "chaird");
	for (size_t i = 0; i < c->n_out && r == 0; i++)
		r = add_line(cfg, c->out_offsets[i], &g->map->out[c->out_ids[i]], true);
	for (size_t i = 0; i < c->n_in && r == 0; i++)
		r = add_line(cfg, c->in_offsets[i], &g->map->in[c->in_ids[i]], false);
	if (r < 0)
		goto out;
	c->req = gpiod_chip_request_lines(c->chip, rc, cfg);
	if (!c->req) {
		r = -errno;
		if (r == -EBUSY)
			report_busy(c);
		else if (r == -EACCES || r == -EPERM)
			log_error("%s: permission denied (is chaird in group gpio? see docs/porting.md)",
				  c->label);
		else
			log_error("%s: cannot request its lines: %s", c->label, strerror(-r));
		goto out;
	}
	if (c->n_in) {
		c->events = gpiod_edge_event_buffer_new(EVENT_BATCH);
		if (!c->events)
			r = -ENOMEM;
	}
out:
	gpiod_line_config_free(cfg);
	gpiod_request_config_free(rc);
	return r;
}

/* A failing chip is tried again every 10 ms: its error is said once, and
 * again only when it changes. Returns @p r, as negative errno. */
static int chip_io(struct gchip *c, int r, const char *what)
{
	int err = r < 0 ? (errno > 0 ? -errno : -EIO) : 0;
	/* Reads and writes fail and recover apart. */
	int *last = &c->io_err[strncmp(what, "read", 4) == 0];

	if (err && err != *last)
		log_error("%s: cannot %s: %s", c->label, what, strerror(-err));
	else if (!err && *last)
		log_notice("%s: can %s again", c->label, what);
	*last = err;
	return err;
}

/* Every output of every chip inactive. The first thing done on an e-stop
 * edge, and the last thing done before release. The outputs count as off
 * only if every chip took it; otherwise the daemon tries again. */
static int all_outputs_safe(struct ghal *g)
{
	enum gpiod_line_value v[CHAIR_OUTPUT_COUNT];
	int r = 0;

	for (size_t i = 0; i < CHAIR_OUTPUT_COUNT; i++)
		v[i] = GPIOD_LINE_VALUE_INACTIVE;
	for (size_t i = 0; i < g->n_chips; i++) {
		struct gchip *c = &g->chips[i];

		if (c->req && c->n_out &&
		    chip_io(c, gpiod_line_request_set_values_subset(c->req, c->n_out, c->out_offsets, v),
			    "drive the outputs safe") < 0)
			r = -EIO;
	}
	if (r < 0)
		return r;
	memset(&g->hal->current, 0, sizeof(g->hal->current));
	g->hal->set_at_usec = g->hal->safe_at_usec = hal_mono_usec();
	return 0;
}

static void output_off(struct ghal *g, enum chair_output o)
{
	struct gline *l = &g->out[o];

	if (l->chip < 0 || !g->chips[l->chip].req)
		return;
	if (gpiod_line_request_set_value(g->chips[l->chip].req, l->offset,
					 GPIOD_LINE_VALUE_INACTIVE) < 0) {
		log_error("%s: cannot switch %s off: %m", g->chips[l->chip].label,
			  chair_output_to_string(o));
		return;
	}
	g->hal->current.out[o] = false;
	g->hal->set_at_usec = hal_mono_usec();
}

static int input_of(struct gchip *c, unsigned offset)
{
	for (size_t i = 0; i < c->n_in; i++)
		if (c->in_offsets[i] == offset)
			return c->in_ids[i];
	return -1;
}

static void handle_event(struct ghal *g, struct gchip *c, struct gpiod_edge_event *ev)
{
	int id = input_of(c, gpiod_edge_event_get_line_offset(ev));
	bool active = gpiod_edge_event_get_event_type(ev) == GPIOD_EDGE_EVENT_RISING_EDGE;
	unsigned long seqno = gpiod_edge_event_get_line_seqno(ev);

	if (id < 0)
		return;
	/* The safety edges act first, before any bookkeeping. A press is
	 * kept until it has been read once, however short it was. */
	if (active && id == CHAIR_IN_ESTOP) {
		all_outputs_safe(g);
		g->estop_pressed = true;
	}
	else if (active && id == CHAIR_IN_WALK_TOP)
		output_off(g, CHAIR_OUT_WALK_UP);
	else if (active && id == CHAIR_IN_WALK_BOTTOM)
		output_off(g, CHAIR_OUT_WALK_DOWN);

	if (g->line_seqno[id] && seqno > g->line_seqno[id] + 1) {
		unsigned long lost = seqno - g->line_seqno[id] - 1;

		g->lost_events += lost;
		log_warning("%s: %lu edge event%s lost on %s (the event buffer overflowed)%s", c->label,
			    lost, lost == 1 ? "" : "s", chair_input_to_string(id),
			    id == CHAIR_IN_WALK_ENCODER ? "; the roller position is re-found at the "
							   "next limit switch" : "");
	}
	g->line_seqno[id] = seqno;
	g->in_value[id] = active;
	if (id == CHAIR_IN_WALK_ENCODER && active) {
		g->pulses++;
		/* The direction is the one the walk motor is driven in. */
		if (g->hal->current.out[CHAIR_OUT_WALK_UP])
			g->encoder_count++;
		else if (g->hal->current.out[CHAIR_OUT_WALK_DOWN])
			g->encoder_count--;
		g->last_pulse_mono = gpiod_edge_event_get_timestamp_ns(ev) / 1000;
	}
}

/* A chip whose events cannot be read says nothing more about its inputs,
 * and its fd would stay ready for ever: every output off, the source
 * off, and the manager told. */
static void chip_failed(struct ghal *g, struct gchip *c, const char *why)
{
	log_error("%s: %s; every output is driven off and the chip is no longer watched", c->label,
		  why);
	sd_event_source_set_enabled(c->src, SD_EVENT_OFF);
	g->hal->failed = true;
	all_outputs_safe(g);
	if (g->hal->fail)
		g->hal->fail(g->hal, g->hal->userdata);
}

static int edge_cb(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct gchip *c = userdata;
	struct ghal *g = c->g;
	int n;

	if (revents & (EPOLLERR | EPOLLHUP)) {
		chip_failed(g, c, revents & EPOLLHUP ? "the chip hung up (removed?)"
						     : "the chip reported an error");
		return 0;
	}
	n = gpiod_line_request_read_edge_events(c->req, c->events, EVENT_BATCH);
	if (n < 0) {
		chip_failed(g, c, "cannot read edge events");
		return 0;
	}
	for (int i = 0; i < n; i++)
		handle_event(g, c, gpiod_edge_event_buffer_get_event(c->events, (unsigned long)i));
	if (n > 0 && g->hal->edge)
		g->hal->edge(g->hal, g->hal->userdata);
	return 0;
}

void hal_gpiod_read_temperatures(struct hal *h)
{
	struct ghal *g = h->data;
	/* Stamped in CLOCK_MONOTONIC; read_inputs() turns it into chair time
	 * with the offset in force then. */
	uint64_t now = hal_mono_usec();

	for (int i = 0; i < CHAIR_HEATER_COUNT; i++) {
		const struct chair_map_heater *mh = &g->map->heater[i];
		double c;
		int r;

		if (!mh->present)
			continue;
		r = temp_read_file(mh->sensor, mh->scale, mh->offset, &c);
		if (r < 0) {
			/* The safety core turns the heater off with a fault. */
			if (g->temp_error[i] != r)
				log_error("Heater %s: cannot read %s: %s",
					  chair_heater_to_string((enum chair_heater)i), mh->sensor,
					  r == -ENODATA ? "the file is empty"
					  : r == -EINVAL ? "it does not hold a number"
							 : strerror(-r));
			g->temp_error[i] = r;
			g->temp[i].valid = false;
			continue;
		}
		g->temp_error[i] = 0;
		g->temp[i] = (struct chair_temp){ .valid = true, .celsius = c, .read_usec = now };
	}
}

static int temp_cb(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct hal *h = userdata;

	hal_gpiod_read_temperatures(h);
	sd_event_source_set_time(s, usec + TEMP_PERIOD_USEC);
	return 0;
}

static int gpiod_set_outputs(struct hal *h, const struct chair_outputs *cmd)
{
	struct ghal *g = h->data;
	int r = 0;

	for (size_t i = 0; i < g->n_chips; i++) {
		struct gchip *c = &g->chips[i];
		enum gpiod_line_value v[CHAIR_OUTPUT_COUNT];

		if (!c->n_out)
			continue;
		for (size_t k = 0; k < c->n_out; k++)
			v[k] = cmd->out[c->out_ids[k]] ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE;
		if (chip_io(c, gpiod_line_request_set_values_subset(c->req, c->n_out, c->out_offsets, v),
			    "set outputs") < 0)
			r = -EIO;
	}
	/* Speed: a shared channel takes the duty of whichever output is on. */
	for (int o = 0; o < CHAIR_OUTPUT_COUNT; o++) {
		bool shared_on = false;

		if (!g->pwm[o])
			continue;
		for (int k = 0; k < CHAIR_OUTPUT_COUNT; k++)
			if (k != o && g->pwm[k] == g->pwm[o] && cmd->out[k])
				shared_on = true;
		if (cmd->out[o] || !shared_on) {
			int k = pwm_set(g->pwm[o], cmd->out[o] ? cmd->duty[o] : 0);

			if (k < 0)
				r = log_error_errno(k, "%s: cannot set its speed: %m",
						    chair_output_to_string(o));
		}
	}
	return r;
}

/* A CLOCK_MONOTONIC stamp in chair time; one from before the chair's
 * clock started is the oldest possible. */
static uint64_t chair_time(const struct hal *h, uint64_t mono)
{
	return mono > h->clock_offset ? mono - h->clock_offset : 0;
}

static int gpiod_read_inputs(struct hal *h, uint64_t now, struct chair_inputs *ret)
{
	struct ghal *g = h->data;
	struct chair_inputs in = { 0 };
	int r = 0;

	for (size_t i = 0; i < g->n_chips; i++) {
		struct gchip *c = &g->chips[i];
		enum gpiod_line_value v[CHAIR_INPUT_COUNT];

		if (!c->n_in)
			continue;
		if (chip_io(c, gpiod_line_request_get_values_subset(c->req, c->n_in, c->in_offsets, v),
			    "read inputs") < 0) {
			r = -EIO;
			continue;
		}
		for (size_t k = 0; k < c->n_in; k++)
			g->in_value[c->in_ids[k]] = v[k] == GPIOD_LINE_VALUE_ACTIVE;
	}
	for (int i = 0; i < CHAIR_INPUT_COUNT; i++)
		in.in[i] = g->in_value[i];
	if (g->estop_pressed)
		in.in[CHAIR_IN_ESTOP] = true;
	g->estop_pressed = false;
	in.encoder_pulses = g->pulses;
	in.encoder_last_usec = chair_time(h, g->last_pulse_mono);
	memcpy(in.temp, g->temp, sizeof(in.temp));
	for (int i = 0; i < CHAIR_HEATER_COUNT; i++)
		in.temp[i].read_usec = chair_time(h, g->temp[i].read_usec);
	*ret = in;
	return r;
}

static int gpiod_safe(struct hal *h)
{
	return all_outputs_safe(h->data);
}

static int gpiod_attach(struct hal *h, sd_event *e, int64_t priority)
{
	struct ghal *g = h->data;
	int r;

	for (size_t i = 0; i < g->n_chips; i++) {
		struct gchip *c = &g->chips[i];

		if (!c->n_in)
			continue;
		r = sd_event_add_io(e, &c->src, gpiod_line_request_get_fd(c->req), EPOLLIN, edge_cb, c);
		if (r < 0)
			return r;
		/* Edges come before the control loop and the bus. */
		sd_event_source_set_priority(c->src, priority - 10);
		sd_event_source_set_description(c->src, "gpio-edges");
	}
	r = sd_event_add_time_relative(e, &g->temp_timer, CLOCK_MONOTONIC, TEMP_PERIOD_USEC,
				       10 * USEC_PER_MSEC, temp_cb, h);
	if (r < 0)
		return r;
	return sd_event_source_set_enabled(g->temp_timer, SD_EVENT_ON);
}

static void release_all(struct ghal *g)
{
	/* Safe first, then release: line state after release is not
	 * guaranteed, so they leave the request inactive. */
	all_outputs_safe(g);
	for (int o = 0; o < CHAIR_OUTPUT_COUNT; o++) {
		bool first = true;

		for (int k = 0; k < o; k++)
			if (g->pwm[k] == g->pwm[o])
				first = false;
		if (first)
			pwm_close(g->pwm[o]);
		g->pwm[o] = NULL;
	}
	for (size_t i = 0; i < g->n_chips; i++) {
		struct gchip *c = &g->chips[i];

		sd_event_source_disable_unref(c->src);
		if (c->req)
			gpiod_line_request_release(c->req);
		if (c->events)
			gpiod_edge_event_buffer_free(c->events);
		if (c->chip)
			gpiod_chip_close(c->chip);
		free(c->path);
		free(c->label);
		memset(c, 0, sizeof(*c));
	}
	g->n_chips = 0;
	for (size_t i = 0; i < g->n_failed; i++)
		free(g->failed[i]);
	g->n_failed = 0;
}

static void gpiod_free(struct hal *h)
{
	struct ghal *g = h->data;

	release_all(g);
	sd_event_source_disable_unref(g->temp_timer);
	free(g);
	free(h);
}

static const struct hal_ops gpiod_ops = {
	.name = "gpiod",
	.set_outputs = gpiod_set_outputs,
	.read_inputs = gpiod_read_inputs,
	.safe_state = gpiod_safe,
	.attach = gpiod_attach,
	.free = gpiod_free,
};

static int open_pwm(struct ghal *g, const char *pwm_root)
{
	for (int o = 0; o < CHAIR_OUTPUT_COUNT; o++) {
		const struct chair_map_line *l = &g->map->out[o];
		int r;

		if (!l->present || !l->pwm_chip)
			continue;
		for (int k = 0; k < o; k++)
			if (pwm_same(g->pwm[k], l->pwm_chip, l->pwm_channel))
				g->pwm[o] = g->pwm[k];
		if (g->pwm[o])
			continue;
		r = pwm_open(pwm_root, l->pwm_chip, l->pwm_channel, l->pwm_period_ns, &g->pwm[o]);
		if (r < 0) {
			log_error("%s channel %u (for %s): %s (see docs/porting.md)", l->pwm_chip,
				  l->pwm_channel, chair_output_to_string(o),
				  r == -ENOENT ? "no such PWM chip" : strerror(-r));
			return r;
		}
	}
	return 0;
}

int hal_gpiod_new(const struct chair_map *map, const char *dev_dir, const char *pwm_root,
		  struct hal **ret)
{
	struct hal *h = calloc(1, sizeof(*h));
	struct ghal *g = calloc(1, sizeof(*g));
	int r = 0;

	if (!h || !g) {
		free(h);
		free(g);
		return log_oom();
	}
	h->ops = &gpiod_ops;
	h->hw = map->hw;
	h->data = g;
	g->hal = h;
	g->map = map;
	for (int i = 0; i < CHAIR_OUTPUT_COUNT; i++)
		g->out[i].chip = -1;
	for (int i = 0; i < CHAIR_INPUT_COUNT; i++)
		g->in[i].chip = -1;

	/* Find every line first: a missing chip or name fails before any
	 * line is requested. */
	for (int o = 0; o < CHAIR_OUTPUT_COUNT && r == 0; o++)
		if (map->out[o].present)
			r = resolve(g, dev_dir, &map->out[o], chair_output_to_string(o), &g->out[o]);
	for (int i = 0; i < CHAIR_INPUT_COUNT && r == 0; i++)
		if (map->in[i].present)
			r = resolve(g, dev_dir, &map->in[i], chair_input_to_string(i), &g->in[i]);
	if (r < 0)
		goto fail;
	for (int o = 0; o < CHAIR_OUTPUT_COUNT; o++)
		if (g->out[o].chip >= 0) {
			struct gchip *c = &g->chips[g->out[o].chip];

			c->out_offsets[c->n_out] = g->out[o].offset;
			c->out_ids[c->n_out++] = o;
		}
	for (int i = 0; i < CHAIR_INPUT_COUNT; i++)
		if (g->in[i].chip >= 0) {
			struct gchip *c = &g->chips[g->in[i].chip];

			c->in_offsets[c->n_in] = g->in[i].offset;
			c->in_ids[c->n_in++] = i;
		}
	for (size_t i = 0; i < g->n_chips && r == 0; i++)
		if (g->chips[i].n_out || g->chips[i].n_in)
			r = request_chip(g, &g->chips[i]);
	if (r == 0)
		r = open_pwm(g, pwm_root);
	if (r < 0)
		goto fail;
	hal_gpiod_read_temperatures(h);
	*ret = h;
	return 0;
fail:
	/* Nothing stays requested: whatever was, is driven safe and let go. */
	gpiod_free(h);
	return r;
}

uint64_t hal_gpiod_lost_events(struct hal *h)
{
	return ((struct ghal *)h->data)->lost_events;
}

int64_t hal_gpiod_encoder_count(struct hal *h)
{
	return ((struct ghal *)h->data)->encoder_count;
}

int hal_gpiod_safe_state(const struct chair_map *map, const char *dev_dir)
{
	struct ghal g = { 0 };
	struct hal h = { 0 };
	int first = 0;

	g.hal = &h;
	g.map = map;
	/* Chip by chip, so one missing chip does not keep the others on. */
	for (int o = 0; o < CHAIR_OUTPUT_COUNT; o++) {
		struct gline l = { .chip = -1 };
		struct gchip *c;
		int r;

		if (!map->out[o].present)
			continue;
		r = resolve(&g, dev_dir, &map->out[o], chair_output_to_string(o), &l);
		if (r < 0) {
			if (!first)
				first = r;
			continue;
		}
		c = &g.chips[l.chip];
		c->out_offsets[c->n_out] = l.offset;
		c->out_ids[c->n_out++] = o;
	}
	for (size_t i = 0; i < g.n_chips; i++) {
		struct gchip *c = &g.chips[i];
		int r;

		if (!c->n_out)
			continue;
		r = request_chip(&g, c);
		if (r < 0) {
			if (!first)
				first = r;
			continue;
		}
		log_info("%s: %zu output%s driven safe", c->label, c->n_out, c->n_out == 1 ? "" : "s");
	}
	release_all(&g);
	return first;
}
