// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>

#include "config.h"
#include "hwmap.h"
#include "preview.h"
#include "timeline.h"

struct timeline {
	GtkWidget *box, *area, *caption;
	char *program;
	GVariant *options;
	bool dirty;
	bool running; /* a job is under way */
	guint idle;
	struct preview *pv;
	char *message; /* why there is no picture */
};

/* The a{sv} options of Start(), as chair_options. Unknown keys and values
 * are left out: the daemon, not the picture, says what is wrong. */
static void options_from(GVariant *v, struct chair_options *o)
{
	GVariantIter it;
	const char *key;
	GVariant *val;

	chair_options_init(o);
	g_variant_iter_init(&it, v);
	while (g_variant_iter_next(&it, "{&sv}", &key, &val)) {
		if (!strcmp(key, "duration_usec") && g_variant_is_of_type(val, G_VARIANT_TYPE_UINT64))
			o->duration_usec = g_variant_get_uint64(val);
		else if (!strcmp(key, "intensity") && g_variant_is_of_type(val, G_VARIANT_TYPE_UINT32))
			o->intensity = g_variant_get_uint32(val);
		else if (!strcmp(key, "heat") && g_variant_is_of_type(val, G_VARIANT_TYPE_UINT32))
			o->heat = (int)MIN(g_variant_get_uint32(val), 99u);
		else if (!strcmp(key, "focus") && g_variant_is_of_type(val, G_VARIANT_TYPE_STRING))
			o->focus = chair_zone_from_string(g_variant_get_string(val, NULL));
		else if (g_variant_is_of_type(val, G_VARIANT_TYPE_STRING_ARRAY)) {
			g_autofree const char **names = g_variant_get_strv(val, NULL);

			for (const char **n = names; *n; n++) {
				int z = chair_zone_from_string(*n), a = chair_air_zone_from_string(*n);
				int c = chair_condition_from_string(*n);

				if (!strcmp(key, "avoid") && z >= 0)
					o->avoid_back |= 1u << z;
				else if (!strcmp(key, "avoid") && a >= 0)
					o->avoid_air |= 1u << a;
				else if (!strcmp(key, "conditions") && c >= 0)
					o->conditions |= 1u << c;
			}
		}
		g_variant_unref(val);
	}
}

/* The chair as its hardware map describes it, or a complete one. */
static void chair_hw(struct chair_hw *ret)
{
	struct chair_map *map = NULL;

	if (chair_map_load(CHAIRD_CONFIG_FILE, &map, NULL) == 0) {
		*ret = map->hw;
		chair_map_free(map);
		return;
	}
	chair_hw_default(ret);
}

static struct chair_program *find_program(const char *id, const struct chair_hw *hw)
{
	const char *env = g_getenv("CHAIR_PANEL_PROGRAMS");
	g_auto(GStrv) dirs = env ? g_strsplit(env, ":", -1) : NULL;
	const char *defaults[] = { CHAIRD_PROGRAMS_DIR, CHAIRD_PROGRAMS_ETC_DIR, NULL };
	const char *const *d = dirs ? (const char *const *)dirs : defaults;
	struct chair_programs *ps = NULL;
	struct chair_program *p = NULL;
	char **errors = NULL;

	if (chair_programs_load(d, g_strv_length((char **)d), hw, &ps, &errors) == 0) {
		p = chair_programs_find(ps, id);
		if (p)
			chair_program_ref(p);
	}
	chair_strv_free(errors);
	chair_programs_free(ps);
	return p;
}

/* "lower-back" as a person reads it: "Lower back". */
static void zone_words(int z, char *buf, size_t n)
{
	g_strlcpy(buf, chair_zone_to_string(z), n);
	buf[0] = g_ascii_toupper(buf[0]);
	for (char *c = buf; *c; c++)
		if (*c == '-')
			*c = ' ';
}

static char *describe(const struct preview *pv)
{
	GString *s = g_string_new(NULL);
	const struct chair_options *o = &pv->opt;
	char buf[64];

	g_string_append_printf(s, "%u minutes. Deepest pressure: %u of 4.",
			       (unsigned)(pv->duration / 60000000), pv->max_depth);
	for (int z = 0; z < CHAIR_ZONE_COUNT; z++) {
		if (!(pv->policy.avoid_back & (1u << z)))
			continue;
		zone_words(z, buf, sizeof(buf));
		/* Said from what the chair did, not from what was asked. */
		g_string_append_printf(s, " %s: %s.", buf,
				       pv->zone[z].pressure_usec ? "some pressure" : "no pressure");
	}
	if (o->focus >= 0 && o->focus < CHAIR_ZONE_COUNT) {
		uint64_t sec = pv->zone[o->focus].usec / 1000000;

		zone_words(o->focus, buf, sizeof(buf));
		g_string_append_printf(s, " %s: %u min %02u s of the roller's time.", buf,
				       (unsigned)(sec / 60), (unsigned)(sec % 60));
	}
	return g_string_free(s, FALSE);
}

/* One run of the session, off the main loop: the STOP button and the
 * rest of the screen stay live however long it takes on a slow board. */
struct job {
	char *program;
	struct chair_options opt;
	struct preview *pv;
	char *message;
};

static void job_free(gpointer data)
{
	struct job *j = data;

	preview_free(j->pv);
	g_free(j->program);
	g_free(j->message);
	g_free(j);
}

static void job_run(GTask *task, gpointer source, gpointer data, GCancellable *c)
{
	struct job *j = data;
	struct chair_program *p;
	struct chair_hw hw;
	char *err = NULL;
	int r;

	chair_hw(&hw);
	p = find_program(j->program, &hw);
	if (!p) {
		j->message = g_strdup_printf("No preview: the %s program's file cannot be read here.",
					     j->program);
	} else {
		r = preview_run(p, &j->opt, &hw, &j->pv, &err);
		if (r < 0)
			j->message = err ? g_strdup(err) : g_strdup(g_strerror(-r));
		free(err);
		chair_program_unref(p);
	}
	g_task_return_boolean(task, TRUE);
}

static void schedule(struct timeline *t);

static void job_done(GObject *source, GAsyncResult *res, gpointer data)
{
	struct timeline *t = data;
	struct job *j = g_task_get_task_data(G_TASK(res));
	char *text;

	t->running = false;
	preview_free(t->pv);
	t->pv = g_steal_pointer(&j->pv);
	g_free(t->message);
	t->message = g_steal_pointer(&j->message);
	text = t->pv ? describe(t->pv) : g_strdup(t->message ? t->message : "");
	gtk_label_set_text(GTK_LABEL(t->caption), text);
	g_free(text);
	gtk_widget_queue_draw(t->area);
	schedule(t); /* the choices may have changed meanwhile */
}

static void run(struct timeline *t)
{
	struct job *j;
	GTask *task;

	t->dirty = false;
	if (!t->program)
		return;
	j = g_new0(struct job, 1);
	j->program = g_strdup(t->program);
	options_from(t->options, &j->opt);
	t->running = true;
	task = g_task_new(NULL, NULL, job_done, t);
	g_task_set_task_data(task, j, job_free);
	g_task_run_in_thread(task, job_run);
	g_object_unref(task);
}

static gboolean run_idle(gpointer data)
{
	struct timeline *t = data;

	t->idle = 0;
	run(t);
	return G_SOURCE_REMOVE;
}

/* Runs when the timeline is on screen, after the events of this turn (a
 * tap on the body has marked its zone by then). */
static void schedule(struct timeline *t)
{
	if (t->dirty && !t->idle && !t->running && gtk_widget_get_mapped(t->area))
		t->idle = g_idle_add(run_idle, t);
}

static void on_map(GtkWidget *w, gpointer data)
{
	schedule(data);
}

static void draw(GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
	struct timeline *t = data;

	if (t->pv) {
		preview_draw(t->pv, cr, width, height);
		return;
	}
	cairo_set_source_rgb(cr, 0.95, 0.95, 0.96);
	cairo_paint(cr);
}

struct timeline *timeline_new(void)
{
	struct timeline *t = g_new0(struct timeline, 1);

	t->box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 8);
	t->area = gtk_drawing_area_new();
	gtk_widget_set_name(t->area, "setup-timeline");
	gtk_widget_set_hexpand(t->area, TRUE);
	gtk_widget_set_vexpand(t->area, TRUE);
	gtk_widget_set_size_request(t->area, 600, 330);
	gtk_drawing_area_set_draw_func(GTK_DRAWING_AREA(t->area), draw, t, NULL);
	g_signal_connect(t->area, "map", G_CALLBACK(on_map), t);
	t->caption = gtk_label_new("");
	gtk_widget_add_css_class(t->caption, "note");
	gtk_label_set_wrap(GTK_LABEL(t->caption), TRUE);
	gtk_label_set_xalign(GTK_LABEL(t->caption), 0);
	gtk_box_append(GTK_BOX(t->box), t->area);
	gtk_box_append(GTK_BOX(t->box), t->caption);
	return t;
}

GtkWidget *timeline_widget(struct timeline *t)
{
	return t->box;
}

GtkWidget *timeline_caption(struct timeline *t)
{
	return t->caption;
}

void timeline_set(struct timeline *t, const char *program, GVariant *options)
{
	g_variant_ref_sink(options);
	if (!t->dirty && !g_strcmp0(program, t->program) && t->options &&
	    g_variant_equal(options, t->options)) {
		g_variant_unref(options);
		return;
	}
	g_free(t->program);
	t->program = g_strdup(program);
	if (t->options)
		g_variant_unref(t->options);
	t->options = options;
	t->dirty = true;
	schedule(t);
}
