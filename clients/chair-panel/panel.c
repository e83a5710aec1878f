// SPDX-License-Identifier: MIT
/*
 * chair-panel: the touchscreen panel on the chair's armrest.
 *
 * It talks to chaird only through D-Bus, with proxies generated from the
 * API's introspection XML, and follows the daemon through
 * PropertiesChanged: it never polls. The STOP button is on every screen.
 */
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <stdio.h>
#include <string.h>

#include "body.h"
#include "history.h"
#include "timeline.h"
#include "wording.h"
#include "chair-generated.h"
#include "config.h"

#define BUS_NAME "org.chaird.Chair1"
#define OBJECT_PATH "/org/chaird/Chair1"
#define INTERFACE "org.chaird.Chair1"
/* Serves only EmergencyStop(), on a connection of the daemon's own. */
#define STOP_BUS_NAME "org.chaird.Stop1"
#define MAX_PROGRAMS 64
#define HISTORY_ROWS 20

struct program {
	char *id, *name, *description, *character;
	guint64 duration_usec;
	unsigned heat;
};

struct panel {
	GtkApplication *app;
	GtkWindow *window;
	GtkStack *stack;
	GtkWidget *title;
	GtkWidget *stop;
	GtkWidget *stop_alert; /* the stop did not reach the chair */
	GBusType bus_type;
	ChairChair1 *proxy;
	guint watch;
	const char *layout_path;
	gulong paint_handler;

	struct program programs[MAX_PROGRAMS];
	size_t n_programs;
	GtkWidget *grid;
	GtkWidget *home_note;

	/* Who is in the chair: a profile's name, or NULL for a guest. It goes
	 * with the next Start. */
	char *person;
	GVariant *profiles; /* ListProfiles(); NULL when the chair keeps none */
	GtkWidget *who, *person_note, *home_refusal, *save_button;
	GtkWidget *usual_button, *usual_what, *usual_learned;
	bool filling_who;

	/* Past massages. */
	GtkWidget *history_rows, *history_note, *history_mine, *history_all;
	GString *history_text; /* the rows, for the layout dump */
	bool history_everyone;
	unsigned history_gen; /* the latest request: older replies are dropped */

	/* Before start. */
	struct program *chosen;
	GtkWidget *setup_title, *setup_desc, *setup_hint;
	struct body *setup_body;
	unsigned minutes, intensity, heat;
	GtkWidget *minutes_label, *intensity_label, *heat_label;
	GtkWidget *conditions[5];
	GtkWidget *refusal;
	GtkWidget *start_button;
	GtkWidget *setup_views, *preview_button;
	struct timeline *timeline;

	/* Help me choose. */
	GtkWidget *choose_steps, *choose_question, *choose_next, *choose_again;
	const char *choose_step;
	struct body *choose_body;
	GtkWidget *feel[10];
	const char *goal;
	unsigned choose_minutes;
	GtkWidget *rec_title, *rec_reasons, *rec_start, *rec_refusal;
	char *rec_program;
	GVariant *rec_options;
	const char *red_flag;

	/* Running. */
	GtkWidget *run_title, *run_progress, *run_left, *run_step, *run_state;
	GtkWidget *run_intensity, *run_heat, *run_temp, *pause_button;
	GtkWidget *run_marks, *run_adjust, *run_feedback;
	/* My usual: the back zones the chair keeps off because they hurt last
	 * time, each with a tap that starts the usual again with it included
	 * (Start() with the person's own avoid list: the API has no other way). */
	GtkWidget *run_include;
	bool usual_session, restarting, starting_again, skip_finish;
	char **usual_avoided;
	GVariant *restart_opts;
	char *restart_note;
	struct body *run_body;

	/* Stops and faults. */
	GtkWidget *estop_reason, *fault_list, *fault_reason;

	/* Session end. */
	GtkWidget *finished_title, *finished_detail, *finished_care_title, *finished_care;
	bool show_finished;
	char finished_reason[32];
	const char *page;
};

static const char *const condition_ids[5] = {
	"nerve-pain", "inflammation", "pregnancy", "arthritis", "recent-injury",
};
static const char *const condition_words[5] = {
	"I have nerve pain",
	"I have inflammation or swelling",
	"I am pregnant",
	"I have arthritis",
	"I have a recent injury",
};

/* --- small helpers ------------------------------------------------------- */

static GtkWidget *label(const char *text, const char *css_class)
{
	GtkWidget *l = gtk_label_new(text);

	gtk_label_set_wrap(GTK_LABEL(l), TRUE);
	/* A modest natural width: a page's viewport lays it out at its
	 * natural width, so one long line would push the page off the
	 * screen. It still fills the width it is given. */
	gtk_label_set_max_width_chars(GTK_LABEL(l), 30);
	gtk_label_set_xalign(GTK_LABEL(l), 0);
	if (css_class)
		gtk_widget_add_css_class(l, css_class);
	return l;
}

static GtkWidget *button(const char *text, const char *name, GCallback cb, gpointer data)
{
	GtkWidget *b = gtk_button_new_with_label(text);

	gtk_widget_set_name(b, name);
	g_signal_connect(b, "clicked", cb, data);
	return b;
}

/* The words for techniques, zones and faults come from lib/wording, so the
 * panel and chairctl say the same thing. */
static const char *technique_words(const char *t)
{
	const char *w = chair_wording_technique_name(t);

	return w ? w : "";
}

static const char *zone_words(const char *z)
{
	/* Air zones have no phrase in the shared wording: the panel's own. */
	static const struct {
		const char *id, *words;
	} air[] = {
		{ "arms", "your arms" }, { "hips", "your hips" },
		{ "calves", "your calves" }, { "feet", "your feet" },
	};
	int zone = z ? chair_zone_from_string(z) : -1;

	if (zone >= 0)
		return chair_wording_zone_phrase((enum chair_zone)zone);
	for (size_t i = 0; i < G_N_ELEMENTS(air); i++)
		if (g_strcmp0(z, air[i].id) == 0)
			return air[i].words;
	return NULL;
}

static const char *fault_words(const char *f)
{
	const char *w = chair_wording_fault_name(f);

	return w ? w : f;
}

static char *error_message(GError *e)
{
	/* The daemon's sentence, without the D-Bus error name. */
	if (g_dbus_error_is_remote_error(e))
		g_dbus_error_strip_remote_error(e);
	return g_strdup(e->message);
}

/* "1 minute", "2 minutes". */
static char *count_words(guint64 n, const char *one, const char *many)
{
	return g_strdup_printf("%" G_GUINT64_FORMAT " %s", n, n == 1 ? one : many);
}

static bool id_char(char c)
{
	return g_ascii_isalnum(c) || c == '-' || c == '_';
}

/* The daemon's sentences name programs by id ("deep-tissue"): the person
 * knows them by name ("Deep tissue"). */
static char *with_program_names(struct panel *p, const char *msg)
{
	GString *out = g_string_new(NULL);

	for (const char *c = msg; *c;) {
		bool done = false;

		if (c == msg || !id_char(c[-1]))
			for (size_t i = 0; i < p->n_programs && !done; i++) {
				size_t n = strlen(p->programs[i].id);

				if (strncmp(c, p->programs[i].id, n) == 0 && !id_char(c[n])) {
					g_string_append(out, p->programs[i].name);
					c += n;
					done = true;
				}
			}
		if (!done)
			g_string_append_c(out, *c++);
	}
	return g_string_free(out, FALSE);
}

static const char *program_name(struct panel *p, const char *id)
{
	for (size_t i = 0; i < p->n_programs; i++)
		if (g_strcmp0(p->programs[i].id, id) == 0)
			return p->programs[i].name;
	return id;
}

/* Sentences, one a line, or "" for none. */
static char *lines(const char *const *v, const char *bullet)
{
	GString *s = g_string_new(NULL);

	for (size_t i = 0; v && v[i]; i++)
		g_string_append_printf(s, "%s%s%s", i ? "\n" : "", bullet, v[i]);
	return g_string_free(s, FALSE);
}

/* What the chair learned and changed, a sentence a line. The daemon ends
 * the sentence for a zone it avoids because it hurt last time with "tap to
 * include it"; but putting it back takes a new Start() with the person's
 * own avoid list, so the panel's tap is a button of its own that says so
 * ("Start again, with your lower back"), and on the home screen there is
 * none. The sentence stops before the promise. */
static char *learned_lines(const char *const *v, const char *bullet)
{
	GString *s = g_string_new(NULL);

	for (size_t i = 0; v && v[i]; i++) {
		const char *tap = strstr(v[i], "; tap to include");

		g_string_append_printf(s, "%s%s", i ? "\n" : "", bullet);
		if (tap)
			g_string_append_printf(s, "%.*s.", (int)(tap - v[i]), v[i]);
		else
			g_string_append(s, v[i]);
	}
	return g_string_free(s, FALSE);
}

/* --- the layout, for the tests: where each named widget is ---------------- */

static void dump_widget(struct panel *p, GString *out, GtkWidget *w, bool *first)
{
	graphene_rect_t r;
	const char *name = gtk_widget_get_name(w);

	if (name && strchr(name, '-') && gtk_widget_is_drawable(w) &&
	    gtk_widget_compute_bounds(w, GTK_WIDGET(p->window), &r)) {
		g_string_append_printf(out, "%s\"%s\":[%d,%d,%d,%d]", *first ? "" : ",", name,
				       (int)r.origin.x, (int)r.origin.y, (int)r.size.width,
				       (int)r.size.height);
		*first = false;
	}
	for (GtkWidget *c = gtk_widget_get_first_child(w); c; c = gtk_widget_get_next_sibling(c))
		dump_widget(p, out, c, first);
}

static void dump_body(struct panel *p, GString *out, struct body *b, bool *first)
{
	graphene_rect_t area;

	if (!gtk_widget_is_drawable(body_widget(b)) ||
	    !gtk_widget_compute_bounds(body_widget(b), GTK_WIDGET(p->window), &area))
		return;
	for (int z = 0; z < BODY_ZONES; z++) {
		graphene_rect_t r;

		body_zone_rect(b, z, &r);
		g_string_append_printf(out, "%s\"zone-%s\":[%d,%d,%d,%d]", *first ? "" : ",",
				       body_zone_name(z), (int)(area.origin.x + r.origin.x),
				       (int)(area.origin.y + r.origin.y), (int)r.size.width,
				       (int)r.size.height);
		*first = false;
	}
}

/* A JSON string: UTF-8 as it is, quotes, backslashes and control bytes escaped. */
static void json_string(GString *out, const char *s)
{
	g_string_append_c(out, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			g_string_append_printf(out, "\\%c", *s);
		else if (*s == '\n')
			g_string_append(out, "\\n");
		else if ((unsigned char)*s < 0x20)
			g_string_append_printf(out, "\\u%04x", (unsigned char)*s);
		else
			g_string_append_c(out, *s);
	}
	g_string_append_c(out, '"');
}

static void json_text(GString *out, const char *key, GtkWidget *l, bool comma)
{
	g_string_append_printf(out, "%s\"%s\":", comma ? "," : "", key);
	json_string(out, gtk_label_get_text(GTK_LABEL(l)));
}

static void dump_layout(struct panel *p)
{
	GString *out;
	bool first = true;
	char *tmp;

	out = g_string_new(NULL);
	g_string_append_printf(out, "{\"screen\":\"%s\",\"step\":\"%s\",\"title\":\"%s\",\"widgets\":{",
			       p->page, p->choose_step ? p->choose_step : "",
			       gtk_window_get_title(p->window));
	dump_widget(p, out, GTK_WIDGET(p->window), &first);
	dump_body(p, out, p->setup_body, &first);
	dump_body(p, out, p->choose_body, &first);
	dump_body(p, out, p->run_body, &first);
	g_string_append(out, "},\"texts\":{");
	json_text(out, "refusal", p->refusal, false);
	json_text(out, "estop-reason", p->estop_reason, true);
	json_text(out, "fault-reason", p->fault_reason, true);
	json_text(out, "run-step", p->run_step, true);
	json_text(out, "finished", p->finished_title, true);
	json_text(out, "timeline", timeline_caption(p->timeline), true);
	json_text(out, "stop-alert", p->stop_alert, true);
	json_text(out, "choose-question", p->choose_question, true);
	json_text(out, "rec-title", p->rec_title, true);
	json_text(out, "rec-reasons", p->rec_reasons, true);
	json_text(out, "rec-refusal", p->rec_refusal, true);
	json_text(out, "run-marks", p->run_marks, true);
	json_text(out, "run-adjust", p->run_adjust, true);
	json_text(out, "run-feedback", p->run_feedback, true);
	json_text(out, "finished-detail", p->finished_detail, true);
	json_text(out, "finished-care", p->finished_care, true);
	json_text(out, "setup-desc", p->setup_desc, true);
	json_text(out, "setup-hint", p->setup_hint, true);
	json_text(out, "home-note", p->home_note, true);
	json_text(out, "person", p->person_note, true);
	json_text(out, "usual", p->usual_what, true);
	json_text(out, "usual-learned", p->usual_learned, true);
	json_text(out, "run-title", p->run_title, true);
	json_text(out, "history-note", p->history_note, true);
	g_string_append(out, ",\"history\":");
	json_string(out, p->history_text->str);
	g_string_append(out, ",\"who\":");
	json_string(out, p->person ? p->person : "");
	g_string_append(out, "}}\n");
	tmp = g_strconcat(p->layout_path, ".tmp", NULL);
	if (g_file_set_contents(tmp, out->str, -1, NULL))
		g_rename(tmp, p->layout_path);
	g_free(tmp);
	g_string_free(out, TRUE);
}

static void after_paint(GdkFrameClock *fc, gpointer data)
{
	struct panel *p = data;

	g_signal_handler_disconnect(fc, p->paint_handler);
	p->paint_handler = 0;
	dump_layout(p);
}

static gboolean retry_dump(gpointer data);

/* The dump is written after the next frame has been painted, so it says
 * what is on the screen, not what is about to be. */
static void schedule_dump(struct panel *p)
{
	GdkFrameClock *fc;

	if (!p->layout_path || p->paint_handler)
		return;
	fc = gtk_widget_get_frame_clock(GTK_WIDGET(p->window));
	if (!fc) {
		g_idle_add(retry_dump, p); /* not shown yet */
		return;
	}
	p->paint_handler = g_signal_connect(fc, "after-paint", G_CALLBACK(after_paint), p);
	gtk_widget_queue_draw(GTK_WIDGET(p->window));
}

static gboolean retry_dump(gpointer data)
{
	schedule_dump(data);
	return G_SOURCE_REMOVE;
}

/* --- screens ------------------------------------------------------------- */

static void refresh_profiles(struct panel *p);

static void show(struct panel *p, const char *page, const char *title)
{
	char *t = g_strdup_printf("Chair panel — %s", title);

	gtk_window_set_title(p->window, t);
	gtk_label_set_text(GTK_LABEL(p->title), title);
	g_free(t);
	if (g_strcmp0(p->page, page) != 0) {
		p->page = page;
		gtk_stack_set_visible_child_name(p->stack, page);
		/* The daemon says nothing when a profile is saved elsewhere:
		 * the home screen asks each time it is shown. */
		if (g_str_equal(page, "home"))
			refresh_profiles(p);
	}
	schedule_dump(p);
}

static void update_running(struct panel *p);
static void usual_again(struct panel *p, const char *state);
static void usual_ask(struct panel *p);

/* Decides the screen from the daemon's state. */
static void follow(struct panel *p)
{
	const char *state;

	if (!p->proxy) {
		show(p, "waiting", "Waiting for the chair");
		return;
	}
	state = chair_chair1_get_state(p->proxy);
	if (!state) {
		show(p, "waiting", "Waiting for the chair");
		return;
	}
	if (p->restarting && !g_str_equal(state, "running") && !g_str_equal(state, "paused") &&
	    !g_str_equal(state, "stopping"))
		usual_again(p, state);
	if (g_str_equal(state, "emergency-stop")) {
		p->show_finished = false;
		show(p, "estop", "Emergency stop");
	} else if (g_str_equal(state, "fault")) {
		const char *const *faults = chair_chair1_get_faults(p->proxy);
		GString *s = g_string_new(NULL);

		for (size_t i = 0; faults && faults[i]; i++)
			g_string_append_printf(s, "%s%s", i ? "\n" : "", fault_words(faults[i]));
		gtk_label_set_text(GTK_LABEL(p->fault_list), s->len ? s->str : "A fault stopped the chair.");
		g_string_free(s, TRUE);
		p->show_finished = false;
		show(p, "fault", "The chair stopped: a fault");
	} else if (g_str_equal(state, "running") || g_str_equal(state, "paused") ||
		   g_str_equal(state, "scanning") ||
		   (g_str_equal(state, "stopping") && !p->show_finished) || p->starting_again) {
		update_running(p);
		show(p, "running", g_str_equal(state, "paused") ? "Paused" : "Massage in progress");
	} else if (p->show_finished) {
		const char *const *care = chair_chair1_get_aftercare(p->proxy);
		char *text = lines(care, "•  ");

		/* The daemon's advice for this session, whatever happened in it. */
		gtk_label_set_text(GTK_LABEL(p->finished_care), text);
		gtk_widget_set_visible(p->finished_care_title, *text != 0);
		g_free(text);
		show(p, "finished", "Session ended");
	} else if (g_strcmp0(p->page, "setup") == 0) {
		show(p, "setup", "Before you start");
	} else if (g_strcmp0(p->page, "choose") == 0) {
		show(p, "choose", "Help me choose");
	} else if (g_strcmp0(p->page, "history") == 0) {
		show(p, "history", "Past massages");
	} else {
		show(p, "home", "Choose a massage");
	}
}

static void update_running(struct panel *p)
{
	guint64 el = chair_chair1_get_elapsed_usec(p->proxy);
	guint64 du = chair_chair1_get_duration_usec(p->proxy);
	guint64 left = du > el ? (du - el) / G_USEC_PER_SEC : 0;
	const char *state = chair_chair1_get_state(p->proxy);
	const char *step = chair_chair1_get_step(p->proxy);
	const char *zone = chair_chair1_get_zone(p->proxy);
	const char *prog = chair_chair1_get_program(p->proxy);
	const char *who = chair_chair1_get_profile(p->proxy);
	GVariant *temps = chair_chair1_get_temperatures(p->proxy);
	char buf[256];

	prog = program_name(p, prog);
	/* Whose session it is: the daemon's Profile, not the panel's choice. */
	snprintf(buf, sizeof(buf), "%s%s%s", prog && *prog ? prog : "Body scan",
		 who && *who ? ", for " : "", who && *who ? who : "");
	gtk_label_set_text(GTK_LABEL(p->run_title), buf);
	gtk_progress_bar_set_fraction(GTK_PROGRESS_BAR(p->run_progress),
				      du ? (double)el / (double)du : 0);
	snprintf(buf, sizeof(buf), "%" G_GUINT64_FORMAT ":%02" G_GUINT64_FORMAT " left", left / 60,
		 left % 60);
	gtk_label_set_text(GTK_LABEL(p->run_left), buf);
	if (p->restarting || p->starting_again)
		snprintf(buf, sizeof(buf), "%s", p->restart_note);
	else if (g_strcmp0(state, "paused") == 0)
		snprintf(buf, sizeof(buf), "Paused. Tap Resume to go on.");
	else if (g_strcmp0(state, "stopping") == 0)
		snprintf(buf, sizeof(buf), "Finishing: the roller moves back to rest.");
	else if (g_strcmp0(state, "scanning") == 0)
		snprintf(buf, sizeof(buf), "Measuring your back…");
	else if (step && *step && zone_words(zone))
		snprintf(buf, sizeof(buf), "%s on %s", technique_words(step), zone_words(zone));
	else
		snprintf(buf, sizeof(buf), "%s", technique_words(step));
	gtk_label_set_text(GTK_LABEL(p->run_step), buf);
	body_light(p->run_body, zone);
	{
		/* What the session applied, in words as well as on the diagram. */
		const char *focus = chair_chair1_get_focus(p->proxy);
		const char *const *avoid = chair_chair1_get_avoid(p->proxy), *const *conds;
		GString *m = g_string_new(NULL);
		char *adj = learned_lines(chair_chair1_get_adjustments(p->proxy), "");

		body_show_session(p->run_body, focus, avoid);
		if (focus && *focus && zone_words(focus))
			g_string_append_printf(m, "More time on %s.", zone_words(focus));
		for (size_t i = 0; avoid && avoid[i]; i++)
			g_string_append_printf(m, "%s%s%s", i ? ", " : m->len ? "\nKept off " : "Kept off ",
					       zone_words(avoid[i]) ? zone_words(avoid[i]) : avoid[i],
					       avoid[i + 1] ? "" : ".");
		conds = chair_chair1_get_conditions(p->proxy);
		for (size_t i = 0; conds && conds[i]; i++) {
			const char *w = chair_wording_condition_name(conds[i]);

			g_string_append_printf(m, "%s%s%s", i ? ", " : m->len ? "\nCare for: " :
					       "Care for: ", w ? w : conds[i],
					       conds[i + 1] ? "" : ".");
		}
		gtk_label_set_text(GTK_LABEL(p->run_marks), m->str);
		gtk_widget_set_visible(p->run_marks, m->len > 0);
		gtk_label_set_text(GTK_LABEL(p->run_adjust), adj);
		gtk_widget_set_visible(p->run_adjust, *adj != 0);
		gtk_widget_set_visible(p->run_include, p->usual_session && !p->restarting &&
				       !p->starting_again && p->usual_avoided && p->usual_avoided[0] &&
				       (g_strcmp0(state, "running") == 0 ||
					g_strcmp0(state, "paused") == 0));
		g_string_free(m, TRUE);
		g_free(adj);
	}
	snprintf(buf, sizeof(buf), "%u", chair_chair1_get_intensity(p->proxy));
	gtk_label_set_text(GTK_LABEL(p->run_intensity), buf);
	snprintf(buf, sizeof(buf), "%u", chair_chair1_get_heat(p->proxy));
	gtk_label_set_text(GTK_LABEL(p->run_heat), buf);
	buf[0] = 0;
	if (temps) {
		GVariantIter it;
		const char *name;
		double t;

		g_variant_iter_init(&it, temps);
		while (g_variant_iter_next(&it, "{&sd}", &name, &t))
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s %.0f °C",
				 *buf ? "   " : "Warmth: ", g_str_equal(name, "lumbar") ? "back" : name, t);
	}
	gtk_label_set_text(GTK_LABEL(p->run_temp), buf);
	gtk_button_set_label(GTK_BUTTON(p->pause_button),
			     g_strcmp0(state, "paused") == 0 ? "Resume" : "Pause");
}

/* --- D-Bus calls ---------------------------------------------------------- */

static void call_done(GObject *src, GAsyncResult *res, gpointer data)
{
	GError *e = NULL;
	GVariant *v = g_dbus_proxy_call_finish(G_DBUS_PROXY(src), res, &e);

	if (v)
		g_variant_unref(v);
	if (e) {
		g_warning("%s", e->message);
		g_error_free(e);
	}
}

static void call(struct panel *p, const char *method, GVariant *args)
{
	if (!p->proxy)
		return;
	g_dbus_proxy_call(G_DBUS_PROXY(p->proxy), method, args, G_DBUS_CALL_FLAGS_NONE, -1, NULL,
			  call_done, p);
}

static void set_stop_alert(struct panel *p, const char *msg)
{
	gtk_label_set_text(GTK_LABEL(p->stop_alert), msg ? msg : "");
	gtk_widget_set_visible(p->stop_alert, msg != NULL);
	schedule_dump(p);
}

/* The person pressed STOP and it may not have worked: never leave them
 * thinking it did. */
static void stop_not_reached(struct panel *p, const char *why)
{
	char *msg = g_strdup_printf("The stop did not reach the chair: %s. Press the red stop "
				    "button on the chair itself, or switch the chair off at the "
				    "wall.", why);

	set_stop_alert(p, msg);
	g_free(msg);
}

/* The daemon's answer to EmergencyStop(): true when it is final (done, or
 * an output would not switch off), false when the stop did not reach it. */
static bool estop_answered(struct panel *p, GVariant *v, GError *e)
{
	if (v) {
		g_variant_unref(v);
		set_stop_alert(p, NULL);
		return true;
	}
	if (g_dbus_error_is_remote_error(e) &&
	    g_str_equal(g_dbus_error_get_remote_error(e), "org.chaird.Chair1.Error.Fault")) {
		/* It reached the chair, but an output would not switch off. */
		char *msg = error_message(e);

		set_stop_alert(p, msg);
		g_free(msg);
		return true;
	}
	return false;
}

static void estop_done(GObject *src, GAsyncResult *res, gpointer data)
{
	struct panel *p = data;
	GError *e = NULL;
	GVariant *v = g_dbus_proxy_call_finish(G_DBUS_PROXY(src), res, &e);

	if (!estop_answered(p, v, e))
		stop_not_reached(p, "the chair's controller did not answer");
	g_clear_error(&e);
}

/* The stop's own name could not take it (an older chaird, or a bus policy
 * without that name): the main name always can. */
static void estop_stop_name_done(GObject *src, GAsyncResult *res, gpointer data)
{
	struct panel *p = data;
	GError *e = NULL;
	GVariant *v = g_dbus_connection_call_finish(G_DBUS_CONNECTION(src), res, &e);

	if (estop_answered(p, v, e))
		;
	else if (g_error_matches(e, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
		stop_not_reached(p, "the chair's controller did not answer");
	else if (p->proxy)
		g_dbus_proxy_call(G_DBUS_PROXY(p->proxy), "EmergencyStop", NULL,
				  G_DBUS_CALL_FLAGS_NONE, 2000, NULL, estop_done, p);
	else
		stop_not_reached(p, "the chair's controller is not running");
	g_clear_error(&e);
}

/* One press of the stop: the socket first, then the bus, within the
 * press's time. */
struct estop_try {
	struct panel *p;
	gint64 deadline; /* monotonic µs: the bus's last answer is due */
	GCancellable *cancel;
	guint timer; /* cancels the socket's step when it takes too long */
	GDBusConnection *conn;
};

/* What a stop may take; the socket's step gets at most half of it, so the
 * bus can still be tried when the socket does not answer. */
#define ESTOP_MS 2000

static void estop_try_free(struct estop_try *t)
{
	if (t->timer)
		g_source_remove(t->timer);
	if (t->conn) {
		g_dbus_connection_close(t->conn, NULL, NULL, NULL);
		g_object_unref(t->conn);
	}
	g_object_unref(t->cancel);
	g_free(t);
}

/* Straight to the daemon at the stop's own name, where no other caller's
 * traffic is queued ahead of it, and a short wait: a stop that takes longer
 * than this did not work. */
static void estop_over_bus(struct estop_try *t)
{
	struct panel *p = t->p;
	gint64 left = (t->deadline - g_get_monotonic_time()) / 1000;

	if (!p->proxy)
		stop_not_reached(p, "the chair's controller is not running");
	else
		g_dbus_connection_call(g_dbus_proxy_get_connection(G_DBUS_PROXY(p->proxy)),
				       STOP_BUS_NAME, OBJECT_PATH, INTERFACE, "EmergencyStop", NULL,
				       NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START,
				       (int)CLAMP(left, 200, ESTOP_MS), NULL, estop_stop_name_done, p);
	estop_try_free(t);
}

static void estop_socket_done(GObject *src, GAsyncResult *res, gpointer data)
{
	struct estop_try *t = data;
	GError *e = NULL;
	GVariant *v = g_dbus_connection_call_finish(G_DBUS_CONNECTION(src), res, &e);

	if (estop_answered(t->p, v, e))
		estop_try_free(t);
	else
		estop_over_bus(t);
	g_clear_error(&e);
}

static void estop_socket_connected(GObject *src, GAsyncResult *res, gpointer data)
{
	struct estop_try *t = data;

	t->conn = g_dbus_connection_new_for_address_finish(res, NULL);
	if (!t->conn) {
		estop_over_bus(t);
		return;
	}
	g_dbus_connection_call(t->conn, NULL, OBJECT_PATH, INTERFACE, "EmergencyStop", NULL, NULL,
			       G_DBUS_CALL_FLAGS_NONE, ESTOP_MS / 2, t->cancel, estop_socket_done, t);
}

static gboolean estop_socket_late(gpointer data)
{
	struct estop_try *t = data;

	t->timer = 0;
	g_cancellable_cancel(t->cancel);
	return G_SOURCE_REMOVE;
}

/* The stop socket: $CHAIRD_STOP_SOCKET, or on the system bus the daemon's
 * default; NULL for none. */
static const char *stop_socket_path(const struct panel *p)
{
	const char *path = g_getenv("CHAIRD_STOP_SOCKET");

	if (path && *path)
		return path;
	return p->bus_type == G_BUS_TYPE_SYSTEM ? CHAIRD_STOP_SOCKET : NULL;
}

static void on_stop_pressed(GtkButton *b, gpointer data)
{
	struct panel *p = data;
	struct estop_try *t = g_new0(struct estop_try, 1);
	const char *path = stop_socket_path(p);
	char *escaped, *address;

	t->p = p;
	t->deadline = g_get_monotonic_time() + ESTOP_MS * G_TIME_SPAN_MILLISECOND;
	t->cancel = g_cancellable_new();
	if (!path) {
		estop_over_bus(t);
		return;
	}
	/* Past the bus daemon: nothing queued there is ahead of it, and it
	 * works while the bus hangs. */
	escaped = g_dbus_address_escape_value(path);
	address = g_strdup_printf("unix:path=%s", escaped);
	t->timer = g_timeout_add(ESTOP_MS / 2, estop_socket_late, t);
	g_dbus_connection_new_for_address(address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT,
					  NULL, t->cancel, estop_socket_connected, t);
	g_free(address);
	g_free(escaped);
}

static void reset_done(GObject *src, GAsyncResult *res, gpointer data)
{
	struct panel *p = data;
	GError *e = NULL;

	if (chair_chair1_call_reset_finish(CHAIR_CHAIR1(src), res, &e)) {
		gtk_label_set_text(GTK_LABEL(p->estop_reason), "");
		gtk_label_set_text(GTK_LABEL(p->fault_reason), "");
		follow(p);
		return;
	}
	{
		char *msg = error_message(e);

		/* Why the reset is refused: the cause is still there. */
		gtk_label_set_text(GTK_LABEL(p->estop_reason), msg);
		gtk_label_set_text(GTK_LABEL(p->fault_reason), msg);
		g_free(msg);
	}
	g_error_free(e);
	schedule_dump(p);
}

static void on_reset(GtkButton *b, gpointer data)
{
	struct panel *p = data;

	if (p->proxy)
		chair_chair1_call_reset(p->proxy, NULL, reset_done, p);
}

/* --- home ---------------------------------------------------------------- */

static void free_programs(struct panel *p)
{
	for (size_t i = 0; i < p->n_programs; i++) {
		g_free(p->programs[i].id);
		g_free(p->programs[i].name);
		g_free(p->programs[i].description);
		g_free(p->programs[i].character);
	}
	p->n_programs = 0;
}

static void setup_for(struct panel *p, struct program *prog);

static void on_program(GtkButton *b, gpointer data)
{
	struct panel *p = g_object_get_data(G_OBJECT(b), "panel");

	setup_for(p, data);
}

static char *first_sentence(const char *d)
{
	const char *dot = strstr(d, ". ");

	return dot ? g_strndup(d, (gsize)(dot - d + 1)) : g_strdup(d);
}

static void fill_grid(struct panel *p)
{
	GtkWidget *c;

	while ((c = gtk_widget_get_first_child(p->grid)))
		gtk_grid_remove(GTK_GRID(p->grid), c);
	for (size_t i = 0; i < p->n_programs; i++) {
		struct program *pr = &p->programs[i];
		GtkWidget *b = gtk_button_new(), *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
		char *name = g_strdup_printf("program-%s", pr->id);
		char *dur = g_strdup_printf("%" G_GUINT64_FORMAT " min · %s",
					    pr->duration_usec / 60000000,
					    g_strcmp0(pr->character, "sedative") == 0 ? "Calming"
					    : g_strcmp0(pr->character, "stimulating") == 0 ? "Invigorating"
											 : "Balanced");
		char *desc = first_sentence(pr->description);

		{
			GtkWidget *t = label(pr->name, "card-title"), *d = label(desc, "card-text");

			gtk_label_set_wrap(GTK_LABEL(t), FALSE);
			gtk_label_set_ellipsize(GTK_LABEL(t), PANGO_ELLIPSIZE_END);
			gtk_label_set_lines(GTK_LABEL(d), 2);
			gtk_label_set_ellipsize(GTK_LABEL(d), PANGO_ELLIPSIZE_END);
			gtk_label_set_max_width_chars(GTK_LABEL(d), 20);
			gtk_box_append(GTK_BOX(box), t);
			gtk_box_append(GTK_BOX(box), d);
		}
		gtk_box_append(GTK_BOX(box), label(dur, g_strcmp0(pr->character, "sedative") == 0
								? "badge-calm"
								: g_strcmp0(pr->character, "stimulating") == 0
									  ? "badge-lively"
									  : "badge-even"));
		gtk_button_set_child(GTK_BUTTON(b), box);
		gtk_widget_set_name(b, name);
		gtk_widget_add_css_class(b, "card");
		gtk_widget_set_hexpand(b, TRUE);
		gtk_widget_set_vexpand(b, TRUE);
		g_object_set_data(G_OBJECT(b), "panel", p);
		g_signal_connect(b, "clicked", G_CALLBACK(on_program), pr);
		gtk_grid_attach(GTK_GRID(p->grid), b, (int)(i % 4), (int)(i / 4), 1, 1);
		g_free(name);
		g_free(dur);
		g_free(desc);
	}
}

static void programs_done(GObject *src, GAsyncResult *res, gpointer data)
{
	struct panel *p = data;
	GVariant *list = NULL;
	GError *e = NULL;
	GVariantIter it;
	const char *id, *name;
	GVariant *details;

	if (!chair_chair1_call_list_programs_finish(CHAIR_CHAIR1(src), &list, res, &e)) {
		gtk_label_set_text(GTK_LABEL(p->home_note), e->message);
		gtk_widget_set_visible(p->home_note, TRUE);
		g_error_free(e);
		return;
	}
	free_programs(p);
	g_variant_iter_init(&it, list);
	while (p->n_programs < MAX_PROGRAMS && g_variant_iter_next(&it, "(&s&s@a{sv})", &id, &name, &details)) {
		struct program *pr = &p->programs[p->n_programs++];
		const char *s;

		pr->id = g_strdup(id);
		pr->name = g_strdup(name);
		pr->description = g_variant_lookup(details, "description", "&s", &s) ? g_strdup(s) : g_strdup("");
		pr->character = g_variant_lookup(details, "character", "&s", &s) ? g_strdup(s) : g_strdup("");
		g_variant_lookup(details, "duration_usec", "t", &pr->duration_usec);
		g_variant_lookup(details, "heat", "u", &pr->heat);
		g_variant_unref(details);
	}
	g_variant_unref(list);
	fill_grid(p);
	/* The cards say it themselves: the note was only for the wait. */
	gtk_label_set_text(GTK_LABEL(p->home_note), "");
	gtk_widget_set_visible(p->home_note, FALSE);
	follow(p);
}

/* --- before start --------------------------------------------------------- */

static void setup_changed(struct panel *p);
static GVariant *person_settings(struct panel *p);

static void show_values(struct panel *p)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%u min", p->minutes); /* never 1: 5 to 30 */
	gtk_label_set_text(GTK_LABEL(p->minutes_label), buf);
	snprintf(buf, sizeof(buf), "%u", p->intensity);
	gtk_label_set_text(GTK_LABEL(p->intensity_label), buf);
	snprintf(buf, sizeof(buf), "%u", p->heat);
	gtk_label_set_text(GTK_LABEL(p->heat_label), buf);
	setup_changed(p);
}

/* The person's own settings, where their profile has them, so that what
 * the screen shows is what Start() gets. */
static void setup_from_person(struct panel *p)
{
	g_autoptr(GVariant) settings = person_settings(p);
	g_autofree const char **avoid = NULL, **air = NULL, **conds = NULL;
	g_autoptr(GStrvBuilder) all = g_strv_builder_new();
	g_auto(GStrv) marks = NULL;
	const char *focus = NULL;
	guint64 d;
	guint32 u;

	if (!settings)
		return;
	if (g_variant_lookup(settings, "duration_usec", "t", &d))
		p->minutes = (unsigned)CLAMP(d / 60000000, 5, 30);
	if (g_variant_lookup(settings, "intensity", "u", &u))
		p->intensity = CLAMP(u, 1, 5);
	if (g_variant_lookup(settings, "heat", "u", &u))
		p->heat = MIN(u, 3);
	g_variant_lookup(settings, "focus", "&s", &focus);
	if (g_variant_lookup(settings, "avoid", "^a&s", &avoid))
		g_strv_builder_addv(all, avoid);
	if (g_variant_lookup(settings, "avoid_air", "^a&s", &air))
		g_strv_builder_addv(all, air);
	marks = g_strv_builder_end(all);
	body_show_session(p->setup_body, focus, (const char *const *)marks);
	if (g_variant_lookup(settings, "conditions", "^a&s", &conds))
		for (int i = 0; i < 5; i++)
			gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(p->conditions[i]),
						     g_strv_contains(conds, condition_ids[i]));
}

static void setup_for(struct panel *p, struct program *prog)
{
	p->chosen = prog;
	p->minutes = (unsigned)(prog->duration_usec / 60000000);
	p->intensity = 3;
	p->heat = prog->heat;
	gtk_label_set_text(GTK_LABEL(p->setup_title), prog->name);
	gtk_label_set_text(GTK_LABEL(p->setup_desc), prog->description);
	gtk_label_set_text(GTK_LABEL(p->refusal), "");
	gtk_widget_set_visible(p->refusal, FALSE);
	gtk_widget_set_visible(p->setup_desc, TRUE);
	for (int i = 0; i < 5; i++)
		gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(p->conditions[i]), FALSE);
	body_reset(p->setup_body);
	setup_from_person(p);
	gtk_widget_set_visible(p->save_button, p->person != NULL);
	gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(p->preview_button), FALSE);
	show_values(p);
	p->show_finished = false;
	show(p, "setup", "Before you start");
}

#define STEPPER(fn, field, lo, hi, step)                                \
	static void fn(GtkButton *b, gpointer data)                     \
	{                                                               \
		struct panel *p = data;                                 \
		int d = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(b), "d")); \
		int v = (int)p->field + d * (step);                     \
		p->field = (unsigned)CLAMP(v, lo, hi);                  \
		show_values(p);                                         \
	}

STEPPER(on_minutes, minutes, 5, 30, 5)
STEPPER(on_intensity, intensity, 1, 5, 1)
STEPPER(on_heat, heat, 0, 3, 1)

static GtkWidget *stepper(const char *title, const char *name, const char *less, const char *more,
			  GCallback cb, struct panel *p, GtkWidget **value)
{
	GtkWidget *row = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
	char *n1 = g_strdup_printf("%s-less", name), *n2 = g_strdup_printf("%s-more", name);
	GtkWidget *minus = button(less, n1, cb, p), *plus = button(more, n2, cb, p);
	GtkWidget *t = label(title, "row-title");

	g_object_set_data(G_OBJECT(minus), "d", GINT_TO_POINTER(-1));
	g_object_set_data(G_OBJECT(plus), "d", GINT_TO_POINTER(1));
	gtk_widget_set_size_request(t, 150, -1);
	*value = label("", "value");
	gtk_label_set_wrap(GTK_LABEL(*value), FALSE);
	gtk_widget_set_size_request(*value, 110, -1);
	gtk_label_set_xalign(GTK_LABEL(*value), 0.5);
	gtk_box_append(GTK_BOX(row), t);
	gtk_box_append(GTK_BOX(row), minus);
	gtk_box_append(GTK_BOX(row), *value);
	gtk_box_append(GTK_BOX(row), plus);
	g_free(n1);
	g_free(n2);
	return row;
}

/* Why the chair will not start, in the daemon's own words with each
 * program by its name, shown in @where. Frees @e. */
static void show_refusal(struct panel *p, GtkWidget *where, GError *e)
{
	char *raw = error_message(e), *msg = with_program_names(p, raw);

	gtk_label_set_text(GTK_LABEL(where), msg);
	gtk_widget_set_visible(where, TRUE);
	g_free(raw);
	g_free(msg);
	g_error_free(e);
	schedule_dump(p);
}

/* @opts (a{sv}) and the person in the chair, as Start() takes them
 * (floating). A guest starts with no profile. */
static GVariant *for_person(struct panel *p, GVariant *opts)
{
	GVariantBuilder b;
	GVariantIter it;
	GVariant *entry;

	g_variant_ref_sink(opts);
	g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
	g_variant_iter_init(&it, opts);
	while ((entry = g_variant_iter_next_value(&it))) {
		g_variant_builder_add_value(&b, entry);
		g_variant_unref(entry);
	}
	if (p->person)
		g_variant_builder_add(&b, "{sv}", "profile", g_variant_new_string(p->person));
	g_variant_unref(opts);
	return g_variant_builder_end(&b);
}

static void start_done(GObject *src, GAsyncResult *res, gpointer data)
{
	GtkWidget *b = data;
	struct panel *p = g_object_get_data(G_OBJECT(b), "panel");
	GError *e = NULL;

	gtk_widget_set_sensitive(b, TRUE);
	p->starting_again = false;
	if (chair_chair1_call_start_finish(CHAIR_CHAIR1(src), res, &e)) {
		p->usual_session = b == p->usual_button;
		if (p->usual_session)
			usual_ask(p);
		follow(p);
		return;
	}
	/* On "Before you start", it takes the description's place, so
	 * everything stays on screen. */
	if (b == p->start_button)
		gtk_widget_set_visible(p->setup_desc, FALSE);
	show_refusal(p, g_object_get_data(G_OBJECT(b), "refusal"), e);
}

/* Start() from the button @b, which waits for the reply; a refusal is
 * shown in the label set on @b as "refusal". */
static void start_from(struct panel *p, GtkWidget *b, const char *id, GVariant *opts)
{
	g_object_set_data(G_OBJECT(b), "panel", p);
	gtk_widget_set_sensitive(b, FALSE);
	chair_chair1_call_start(p->proxy, id, opts, NULL, start_done, b);
}

/* The options as chosen on this screen, as Start() takes them (floating). */
static GVariant *setup_options(struct panel *p)
{
	GVariantBuilder opts, avoid, conds;
	bool any_avoid = false, any_cond = false;

	g_variant_builder_init(&opts, G_VARIANT_TYPE("a{sv}"));
	g_variant_builder_init(&avoid, G_VARIANT_TYPE("as"));
	g_variant_builder_init(&conds, G_VARIANT_TYPE("as"));
	g_variant_builder_add(&opts, "{sv}", "duration_usec",
			      g_variant_new_uint64((guint64)p->minutes * 60000000));
	g_variant_builder_add(&opts, "{sv}", "intensity", g_variant_new_uint32(p->intensity));
	g_variant_builder_add(&opts, "{sv}", "heat", g_variant_new_uint32(p->heat));
	for (int z = 0; z < BODY_ZONES; z++) {
		enum body_mark m = body_get(p->setup_body, z);

		if (m == BODY_FOCUS)
			g_variant_builder_add(&opts, "{sv}", "focus", g_variant_new_string(body_zone_name(z)));
		if (m == BODY_AVOID) {
			g_variant_builder_add(&avoid, "s", body_zone_name(z));
			any_avoid = true;
		}
	}
	for (int i = 0; i < 5; i++)
		if (gtk_toggle_button_get_active(GTK_TOGGLE_BUTTON(p->conditions[i]))) {
			g_variant_builder_add(&conds, "s", condition_ids[i]);
			any_cond = true;
		}
	if (any_avoid)
		g_variant_builder_add(&opts, "{sv}", "avoid", g_variant_builder_end(&avoid));
	else
		g_variant_builder_clear(&avoid);
	if (any_cond)
		g_variant_builder_add(&opts, "{sv}", "conditions", g_variant_builder_end(&conds));
	else
		g_variant_builder_clear(&conds);
	return g_variant_builder_end(&opts);
}

/* The timeline follows every choice on this screen. */
static void setup_changed(struct panel *p)
{
	GString *h = g_string_new("Tap a zone for more time; again to avoid it (swollen or "
				  "inflamed); again to clear. Arms, hips, calves and feet: "
				  "avoid or clear.");

	for (int m = BODY_FOCUS; m <= BODY_AVOID; m++) {
		bool any = false;

		for (int z = 0; p->setup_body && z < BODY_ZONES; z++)
			if (body_get(p->setup_body, z) == (enum body_mark)m) {
				g_string_append_printf(h, "%s%s", any ? ", " : m == BODY_FOCUS ?
						       "\nMore time: " : "\nAvoid: ",
						       zone_words(body_zone_name(z)));
				any = true;
			}
	}
	gtk_label_set_text(GTK_LABEL(p->setup_hint), h->str);
	g_string_free(h, TRUE);
	if (p->save_button) { /* a new choice, not saved yet */
		gtk_button_set_label(GTK_BUTTON(p->save_button), "Save as my usual");
		gtk_widget_set_sensitive(p->save_button, TRUE);
	}
	if (p->chosen && p->timeline)
		timeline_set(p->timeline, p->chosen->id, setup_options(p));
	schedule_dump(p);
}

/* After the body diagram's own handler has marked the zone. */
static void on_body_released(GtkGestureClick *g, int n, double x, double y, gpointer data)
{
	setup_changed(data);
}

static void on_preview_toggled(GtkToggleButton *b, gpointer data)
{
	struct panel *p = data;
	bool on = gtk_toggle_button_get_active(b);

	gtk_stack_set_visible_child_name(GTK_STACK(p->setup_views), on ? "timeline" : "options");
	gtk_button_set_label(GTK_BUTTON(b), on ? "Options" : "Preview");
	schedule_dump(p);
}

static void on_start(GtkButton *b, gpointer data)
{
	struct panel *p = data;

	if (!p->proxy || !p->chosen)
		return;
	start_from(p, p->start_button, p->chosen->id, for_person(p, setup_options(p)));
}

static void on_back(GtkButton *b, gpointer data)
{
	struct panel *p = data;

	p->show_finished = false;
	show(p, "home", "Choose a massage");
}

/* --- who is in the chair -------------------------------------------------- */

/* The chosen person's settings (a{sv}; unref it), or NULL for a guest. */
static GVariant *person_settings(struct panel *p)
{
	GVariantIter it;
	const char *name;
	GVariant *settings;

	if (!p->person || !p->profiles)
		return NULL;
	g_variant_iter_init(&it, p->profiles);
	while (g_variant_iter_next(&it, "(&s@a{sv})", &name, &settings)) {
		if (g_ascii_strcasecmp(name, p->person) == 0)
			return settings;
		g_variant_unref(settings);
	}
	return NULL;
}

static void show_person(struct panel *p)
{
	g_autoptr(GVariant) settings = person_settings(p);
	g_autofree const char **learned = NULL;
	g_autofree char *changes = NULL;
	GString *s = g_string_new(NULL), *what = g_string_new(NULL);
	const char *program = NULL;
	bool usual = false;
	guint64 d;
	guint32 u;

	gtk_widget_set_visible(p->home_refusal, FALSE);
	if (settings) {
		usual = g_variant_lookup(settings, "program", "&s", &program) && *program;
		if (usual) {
			/* On the button: what one tap starts. */
			g_string_append(what, program_name(p, program));
			if (g_variant_lookup(settings, "duration_usec", "t", &d))
				g_string_append_printf(what, ", %" G_GUINT64_FORMAT " minutes",
						       d / 60000000);
			if (g_variant_lookup(settings, "intensity", "u", &u))
				g_string_append_printf(what, ", pressure %u", u);
			if (g_variant_lookup(settings, "heat", "u", &u))
				g_string_append_printf(what, u ? ", warmth %u" : ", no warmth", u);
		} else {
			g_string_append_printf(s, "%s has no usual massage yet. Choose one below; "
					       "on the next screen, “Save as my usual” keeps it.",
					       p->person);
		}
		/* What will be different this time, and why. */
		if (g_variant_lookup(settings, "learned", "^a&s", &learned))
			changes = learned_lines(learned, "");
	}
	gtk_label_set_text(GTK_LABEL(p->usual_what), what->str);
	gtk_label_set_text(GTK_LABEL(p->usual_learned), changes ? changes : "");
	gtk_widget_set_visible(p->usual_learned, changes && *changes);
	gtk_label_set_text(GTK_LABEL(p->person_note), s->str);
	gtk_widget_set_visible(p->person_note, s->len > 0);
	gtk_widget_set_visible(p->usual_button, usual);
	g_string_free(s, TRUE);
	g_string_free(what, TRUE);
	schedule_dump(p);
}

static void on_who(GtkToggleButton *b, gpointer data)
{
	struct panel *p = data;

	if (p->filling_who || !gtk_toggle_button_get_active(b))
		return;
	g_free(p->person);
	p->person = g_strdup(g_object_get_data(G_OBJECT(b), "person"));
	show_person(p);
}

static GtkWidget *who_button(struct panel *p, const char *person, GtkWidget *group)
{
	GtkWidget *b = gtk_toggle_button_new_with_label(person ? person : "Guest");
	char *name = person ? g_strdup_printf("profile-%s", person) : g_strdup("who-guest");

	gtk_widget_set_name(b, name);
	g_object_set_data_full(G_OBJECT(b), "person", g_strdup(person), g_free);
	if (group)
		gtk_toggle_button_set_group(GTK_TOGGLE_BUTTON(b), GTK_TOGGLE_BUTTON(group));
	g_signal_connect(b, "toggled", G_CALLBACK(on_who), p);
	gtk_flow_box_append(GTK_FLOW_BOX(p->who), b);
	g_free(name);
	return b;
}

/* One button a profile, and Guest. The person stays chosen while their
 * profile is there; without it (deleted, or no memory), it is a guest. */
static void fill_who(struct panel *p)
{
	GtkWidget *c, *first = NULL, *chosen = NULL;
	GVariantIter it;
	const char *name;
	GVariant *settings;

	p->filling_who = true;
	while ((c = gtk_widget_get_first_child(p->who)))
		gtk_flow_box_remove(GTK_FLOW_BOX(p->who), c);
	if (p->profiles) {
		g_variant_iter_init(&it, p->profiles);
		while (g_variant_iter_next(&it, "(&s@a{sv})", &name, &settings)) {
			GtkWidget *b = who_button(p, name, first);

			first = first ? first : b;
			if (p->person && g_ascii_strcasecmp(name, p->person) == 0) {
				chosen = b;
				g_free(p->person);
				p->person = g_strdup(name);
			}
			g_variant_unref(settings);
		}
	}
	c = who_button(p, NULL, first);
	if (!chosen) {
		g_clear_pointer(&p->person, g_free);
		chosen = c;
	}
	gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(chosen), TRUE);
	p->filling_who = false;
	show_person(p);
}

static void profiles_done(GObject *src, GAsyncResult *res, gpointer data)
{
	struct panel *p = data;
	GVariant *list = NULL;
	GError *e = NULL;

	g_clear_pointer(&p->profiles, g_variant_unref);
	/* A chair that keeps no profiles just has guests: nothing to say. */
	if (chair_chair1_call_list_profiles_finish(CHAIR_CHAIR1(src), &list, res, &e))
		p->profiles = list;
	else
		g_error_free(e);
	fill_who(p);
}

/* Without the chair, the buttons stay as they were: the person is still in
 * the chair when it comes back. */
static void refresh_profiles(struct panel *p)
{
	if (p->proxy)
		chair_chair1_call_list_profiles(p->proxy, NULL, profiles_done, p);
}

/* My usual: only the profile. The daemon fills in the rest from it, and
 * applies what it learned, saying each change in Adjustments. */
static void on_usual(GtkButton *b, gpointer data)
{
	struct panel *p = data;
	GVariantBuilder o;

	if (!p->proxy || !p->person)
		return;
	g_variant_builder_init(&o, G_VARIANT_TYPE("a{sv}"));
	g_variant_builder_add(&o, "{sv}", "profile", g_variant_new_string(p->person));
	p->show_finished = false;
	start_from(p, p->usual_button, "", g_variant_builder_end(&o));
}

static void save_done(GObject *src, GAsyncResult *res, gpointer data)
{
	struct panel *p = data;
	GError *e = NULL;

	if (!chair_chair1_call_save_profile_finish(CHAIR_CHAIR1(src), res, &e)) {
		show_refusal(p, p->refusal, e);
		gtk_widget_set_sensitive(p->save_button, TRUE);
		return;
	}
	gtk_button_set_label(GTK_BUTTON(p->save_button), "Saved");
	refresh_profiles(p);
	schedule_dump(p);
}

/* This screen's choices become the person's usual. Their shoulder height
 * stays: it comes from a scan, not from this screen. */
static void on_save(GtkButton *b, gpointer data)
{
	struct panel *p = data;
	g_autoptr(GVariant) old = person_settings(p);
	GVariant *opts = g_variant_ref_sink(setup_options(p));
	GVariantBuilder s;
	GVariantIter it;
	GVariant *entry;
	guint32 shoulder;

	if (!p->proxy || !p->person || !p->chosen) {
		g_variant_unref(opts);
		return;
	}
	g_variant_builder_init(&s, G_VARIANT_TYPE("a{sv}"));
	g_variant_iter_init(&it, opts);
	while ((entry = g_variant_iter_next_value(&it))) {
		g_variant_builder_add_value(&s, entry);
		g_variant_unref(entry);
	}
	g_variant_builder_add(&s, "{sv}", "program", g_variant_new_string(p->chosen->id));
	if (old && g_variant_lookup(old, "shoulder_mm", "u", &shoulder))
		g_variant_builder_add(&s, "{sv}", "shoulder_mm", g_variant_new_uint32(shoulder));
	g_variant_unref(opts);
	gtk_widget_set_sensitive(p->save_button, FALSE);
	chair_chair1_call_save_profile(p->proxy, p->person, g_variant_builder_end(&s), NULL,
				       save_done, p);
}

/* --- past massages ---------------------------------------------------------- */

struct history_request {
	struct panel *p;
	unsigned gen;
};

static void history_done(GObject *src, GAsyncResult *res, gpointer data)
{
	struct history_request *rq = data;
	struct panel *p = rq->p;
	GVariant *list = NULL, *rec;
	GError *e = NULL;
	GDateTime *now;
	GVariantIter it;
	GtkWidget *c;
	bool ok = chair_chair1_call_history_finish(CHAIR_CHAIR1(src), &list, res, &e);
	bool current = rq->gen == p->history_gen;
	size_t n = 0;

	g_free(rq);
	if (e)
		g_error_free(e);
	if (!current) { /* the person changed the filter since */
		if (list)
			g_variant_unref(list);
		return;
	}
	while ((c = gtk_widget_get_first_child(p->history_rows)))
		gtk_box_remove(GTK_BOX(p->history_rows), c);
	g_string_truncate(p->history_text, 0);
	if (!ok) {
		gtk_label_set_text(GTK_LABEL(p->history_note), "The chair keeps no history just now.");
		schedule_dump(p);
		return;
	}
	now = g_date_time_new_now_local();
	g_variant_iter_init(&it, list);
	while ((rec = g_variant_iter_next_value(&it))) {
		GtkWidget *row = gtk_box_new(GTK_ORIENTATION_VERTICAL, 4);
		const char *prog = "";
		char *head, *detail, *name = g_strdup_printf("history-row-%zu", n++);

		g_variant_lookup(rec, "program", "&s", &prog);
		history_describe(rec, now, program_name(p, prog), p->history_everyone || !p->person,
				 &head, &detail);
		gtk_box_append(GTK_BOX(row), label(head, "card-title"));
		gtk_box_append(GTK_BOX(row), label(detail, "card-text"));
		gtk_widget_add_css_class(row, "history-row");
		gtk_widget_set_name(row, name);
		gtk_box_append(GTK_BOX(p->history_rows), row);
		g_string_append_printf(p->history_text, "%s%s\n%s", p->history_text->len ? "\n\n" : "",
				       head, detail);
		g_free(head);
		g_free(detail);
		g_free(name);
		g_variant_unref(rec);
	}
	g_date_time_unref(now);
	g_variant_unref(list);
	if (!n)
		gtk_label_set_text(GTK_LABEL(p->history_note), "No massages yet.");
	else if (p->person && !p->history_everyone) {
		char *t = g_strdup_printf("%s’s massages, newest first.", p->person);

		gtk_label_set_text(GTK_LABEL(p->history_note), t);
		g_free(t);
	} else {
		gtk_label_set_text(GTK_LABEL(p->history_note), "Everyone’s massages, newest first.");
	}
	schedule_dump(p);
}

static void history_load(struct panel *p)
{
	struct history_request *rq;
	GVariantBuilder f;

	if (!p->proxy)
		return;
	rq = g_new0(struct history_request, 1);
	rq->p = p;
	rq->gen = ++p->history_gen;
	g_variant_builder_init(&f, G_VARIANT_TYPE("a{sv}"));
	if (p->person && !p->history_everyone)
		g_variant_builder_add(&f, "{sv}", "profile", g_variant_new_string(p->person));
	g_variant_builder_add(&f, "{sv}", "limit", g_variant_new_uint32(HISTORY_ROWS));
	chair_chair1_call_history(p->proxy, g_variant_builder_end(&f), NULL, history_done, rq);
}

static void on_history(GtkButton *b, gpointer data)
{
	struct panel *p = data;

	p->history_everyone = !p->person;
	gtk_widget_set_visible(p->history_mine, p->person != NULL);
	gtk_widget_set_visible(p->history_all, p->person != NULL);
	if (p->person) {
		char *t = g_strdup_printf("%s’s", p->person);

		gtk_button_set_label(GTK_BUTTON(p->history_mine), t);
		g_free(t);
		gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(p->history_mine), TRUE);
	}
	gtk_label_set_text(GTK_LABEL(p->history_note), "");
	p->show_finished = false;
	show(p, "history", "Past massages");
	history_load(p);
}

static void on_history_filter(GtkToggleButton *b, gpointer data)
{
	struct panel *p = data;

	if (!gtk_toggle_button_get_active(b))
		return;
	p->history_everyone = GTK_WIDGET(b) == p->history_all;
	history_load(p);
}

/* --- help me choose --------------------------------------------------------- */

/* The questions of the consultation (docs/consultation.md), one a screen. */
static const struct {
	const char *step, *question;
} choose_steps[] = {
	{ "flags", "Is the pain severe, after a fall, spreading numbness, or with a fever?" },
	{ "which", "Which one? Your answer goes into the advice." },
	{ "where", "" }, /* asked beside the body, to leave it room */
	{ "feel", "How does it feel? Tap all that fit, then Next." },
	{ "goal", "What do you want from the massage?" },
	{ "time", "How much time do you have?" },
	{ "result", "" },
};

static const char *const feel_ids[10] = {
	"tight", "knotted", "stiff", "aching", "tingling", "numb", "swollen", "injured",
	"pregnancy", "arthritis", /* conditions, asked here too */
};
static const char *const feel_words[10] = {
	"Tight", "Knotted", "Stiff", "Aching after exercise", "Tingling", "Numb",
	"Swollen or inflamed", "A recent strain or injury", "I am pregnant", "I have arthritis",
};
static const struct {
	const char *id, *words;
} goals[] = {
	{ "relax", "Relax" }, { "relieve", "Ease a sore spot" },
	{ "loosen", "Loosen up" }, { "energize", "Wake up" },
};
static const unsigned choose_minutes[] = { 10, 15, 20, 30 };
static const struct {
	const char *id, *words;
} red_flags[] = {
	{ "severe-pain", "The pain is severe" }, { "after-accident", "After a fall or accident" },
	{ "spreading-numbness", "Numbness spreading" }, { "fever", "I have a fever" },
};

static void choose_go(struct panel *p, const char *step)
{
	for (size_t i = 0; i < G_N_ELEMENTS(choose_steps); i++)
		if (g_str_equal(choose_steps[i].step, step)) {
			p->choose_step = choose_steps[i].step;
			gtk_label_set_text(GTK_LABEL(p->choose_question), choose_steps[i].question);
			gtk_widget_set_visible(p->choose_question, *choose_steps[i].question != 0);
		}
	gtk_stack_set_visible_child_name(GTK_STACK(p->choose_steps), step);
	gtk_widget_set_visible(p->choose_next, g_str_equal(step, "where") || g_str_equal(step, "feel"));
	gtk_widget_set_visible(p->choose_again, g_str_equal(step, "result"));
	gtk_widget_set_visible(p->rec_start, g_str_equal(step, "result") && p->rec_program);
	show(p, "choose", "Help me choose");
}

static void on_choose(GtkButton *b, gpointer data)
{
	struct panel *p = data;

	body_reset(p->choose_body);
	for (int i = 0; i < 10; i++)
		gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(p->feel[i]), FALSE);
	p->goal = NULL;
	p->choose_minutes = 0;
	p->red_flag = NULL;
	p->show_finished = false;
	choose_go(p, "flags");
}

static void on_choose_back(GtkButton *b, gpointer data)
{
	struct panel *p = data;

	for (size_t i = 1; i < G_N_ELEMENTS(choose_steps); i++)
		if (g_strcmp0(choose_steps[i].step, p->choose_step) == 0) {
			/* From the answer, back to the question that led to it. */
			const char *prev = choose_steps[i - 1].step;

			/* From the doctor's advice, back to the sign it was for. */
			if (g_str_equal(p->choose_step, "result") && p->red_flag)
				prev = "which";
			else if (g_str_equal(p->choose_step, "where") ||
				 g_str_equal(p->choose_step, "which"))
				prev = "flags";
			if (!g_str_equal(prev, "which"))
				p->red_flag = NULL;
			choose_go(p, prev);
			return;
		}
	p->choose_step = NULL;
	show(p, "home", "Choose a massage");
}

static void on_choose_next(GtkButton *b, gpointer data)
{
	struct panel *p = data;

	choose_go(p, g_strcmp0(p->choose_step, "where") == 0 ? "feel" : "goal");
}

/* The answers as Recommend() takes them (floating). */
static GVariant *choose_answers(struct panel *p)
{
	GVariantBuilder a, zones, feelings, conds;
	bool any_zone = false, any_feeling = false, any_cond = false;

	g_variant_builder_init(&a, G_VARIANT_TYPE("a{sv}"));
	if (p->red_flag) {
		g_variant_builder_add(&a, "{sv}", "red_flags", g_variant_new_strv(&p->red_flag, 1));
		return g_variant_builder_end(&a);
	}
	g_variant_builder_init(&zones, G_VARIANT_TYPE("as"));
	g_variant_builder_init(&feelings, G_VARIANT_TYPE("as"));
	g_variant_builder_init(&conds, G_VARIANT_TYPE("as"));
	for (int z = 0; z < BODY_ZONES; z++)
		if (body_get(p->choose_body, z) == BODY_HURTS) {
			g_variant_builder_add(&zones, "s", body_zone_name(z));
			any_zone = true;
		}
	for (int i = 0; i < 10; i++)
		if (gtk_toggle_button_get_active(GTK_TOGGLE_BUTTON(p->feel[i]))) {
			g_variant_builder_add(i < 8 ? &feelings : &conds, "s", feel_ids[i]);
			*(i < 8 ? &any_feeling : &any_cond) = true;
		}
	if (any_zone)
		g_variant_builder_add(&a, "{sv}", "zones", g_variant_builder_end(&zones));
	else
		g_variant_builder_clear(&zones);
	if (any_feeling)
		g_variant_builder_add(&a, "{sv}", "feelings", g_variant_builder_end(&feelings));
	else
		g_variant_builder_clear(&feelings);
	if (any_cond)
		g_variant_builder_add(&a, "{sv}", "conditions", g_variant_builder_end(&conds));
	else
		g_variant_builder_clear(&conds);
	if (p->goal)
		g_variant_builder_add(&a, "{sv}", "goal", g_variant_new_string(p->goal));
	if (p->choose_minutes)
		g_variant_builder_add(&a, "{sv}", "minutes", g_variant_new_uint32(p->choose_minutes));
	return g_variant_builder_end(&a);
}

static void recommend_done(GObject *src, GAsyncResult *res, gpointer data)
{
	struct panel *p = data;
	GError *e = NULL;
	char *program = NULL, **reasons = NULL;
	GVariant *options = NULL;

	g_clear_pointer(&p->rec_program, g_free);
	g_clear_pointer(&p->rec_options, g_variant_unref);
	gtk_label_set_text(GTK_LABEL(p->rec_refusal), "");
	gtk_widget_set_visible(p->rec_refusal, FALSE);
	if (!chair_chair1_call_recommend_finish(CHAIR_CHAIR1(src), &program, &options, &reasons,
						res, &e)) {
		char *msg = error_message(e);

		gtk_label_set_text(GTK_LABEL(p->rec_title), "The chair could not choose.");
		gtk_label_set_text(GTK_LABEL(p->rec_reasons), msg);
		g_free(msg);
		g_error_free(e);
	} else {
		char *why = lines((const char *const *)reasons, "•  "), *named = with_program_names(p, why);

		if (*program) {
			char *t = g_strdup_printf("We suggest: %s", program_name(p, program));

			gtk_label_set_text(GTK_LABEL(p->rec_title), t);
			g_free(t);
		} else {
			/* A red flag: no massage now, and what to do instead. */
			gtk_label_set_text(GTK_LABEL(p->rec_title), "Please see a doctor first.");
		}
		gtk_label_set_text(GTK_LABEL(p->rec_reasons), named);
		if (*program) {
			p->rec_program = program;
			p->rec_options = options;
			program = NULL;
		} else {
			g_variant_unref(options);
		}
		g_free(why);
		g_free(named);
		g_strfreev(reasons);
	}
	g_free(program);
	choose_go(p, "result");
}

static void choose_recommend(struct panel *p)
{
	if (p->proxy)
		chair_chair1_call_recommend(p->proxy, choose_answers(p), NULL, recommend_done, p);
}

static void on_red_flags(GtkButton *b, gpointer data)
{
	struct panel *p = g_object_get_data(G_OBJECT(b), "panel");

	p->red_flag = NULL;
	choose_go(p, GPOINTER_TO_INT(data) ? "which" : "where");
}

/* The sign the person has: the daemon's advice for it. */
static void on_red_flag(GtkButton *b, gpointer data)
{
	struct panel *p = g_object_get_data(G_OBJECT(b), "panel");

	p->red_flag = data;
	choose_recommend(p);
}

static void on_goal(GtkButton *b, gpointer data)
{
	struct panel *p = g_object_get_data(G_OBJECT(b), "panel");

	p->goal = data;
	choose_go(p, "time");
}

static void on_choose_minutes(GtkButton *b, gpointer data)
{
	struct panel *p = g_object_get_data(G_OBJECT(b), "panel");

	p->choose_minutes = GPOINTER_TO_UINT(data);
	choose_recommend(p);
}

/* Start as recommended: the options go to Start() unchanged, with the
 * person in the chair. */
static void on_rec_start(GtkButton *b, gpointer data)
{
	struct panel *p = data;

	if (!p->proxy || !p->rec_program || !p->rec_options)
		return;
	start_from(p, p->rec_start, p->rec_program, for_person(p, p->rec_options));
}

/* --- running -------------------------------------------------------------- */

static void feedback_done(GObject *src, GAsyncResult *res, gpointer data)
{
	struct panel *p = data;
	GError *e = NULL;

	if (chair_chair1_call_feedback_finish(CHAIR_CHAIR1(src), res, &e)) {
		gtk_label_set_text(GTK_LABEL(p->run_feedback), "");
	} else {
		char *msg = error_message(e);

		gtk_label_set_text(GTK_LABEL(p->run_feedback), msg);
		g_free(msg);
		g_error_free(e);
	}
	gtk_widget_set_visible(p->run_feedback, *gtk_label_get_text(GTK_LABEL(p->run_feedback)) != 0);
	schedule_dump(p);
}

static void on_feedback(GtkButton *b, gpointer data)
{
	struct panel *p = g_object_get_data(G_OBJECT(b), "panel");

	if (p->proxy)
		chair_chair1_call_feedback(p->proxy, data, NULL, feedback_done, p);
}

static void on_intensity_live(GtkButton *b, gpointer data)
{
	struct panel *p = data;
	int d = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(b), "d"));
	int v;

	if (!p->proxy)
		return;
	v = (int)chair_chair1_get_intensity(p->proxy) + d;
	if (v >= 1 && v <= 5)
		call(p, "SetIntensity", g_variant_new("(u)", (guint32)v));
}

static void on_heat_live(GtkButton *b, gpointer data)
{
	struct panel *p = data;
	int d = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(b), "d"));
	int v;

	if (!p->proxy)
		return;
	v = (int)chair_chair1_get_heat(p->proxy) + d;
	if (v >= 0 && v <= 3)
		call(p, "SetHeat", g_variant_new("(u)", (guint32)v));
}

static void on_pause(GtkButton *b, gpointer data)
{
	struct panel *p = data;

	if (p->proxy)
		call(p, g_strcmp0(chair_chair1_get_state(p->proxy), "paused") == 0 ? "Resume" : "Pause",
		     NULL);
}

static void on_graceful_stop(GtkButton *b, gpointer data)
{
	call(data, "Stop", NULL);
}

static void on_done(GtkButton *b, gpointer data)
{
	struct panel *p = data;

	p->show_finished = false;
	follow(p);
}

/* --- my usual, with a zone included again ----------------------------------- */

/* The zones the person's own profile avoids: they stay avoided, whatever
 * is included again. */
static GStrvBuilder *own_avoid(struct panel *p)
{
	g_autoptr(GVariant) settings = person_settings(p);
	g_autofree const char **back = NULL, **air = NULL;
	GStrvBuilder *b = g_strv_builder_new();

	if (settings && g_variant_lookup(settings, "avoid", "^a&s", &back))
		g_strv_builder_addv(b, back);
	if (settings && g_variant_lookup(settings, "avoid_air", "^a&s", &air))
		g_strv_builder_addv(b, air);
	return b;
}

static void on_include(GtkButton *b, gpointer data)
{
	struct panel *p = data;
	const char *zone = g_object_get_data(G_OBJECT(b), "zone");
	GStrvBuilder *avoid;
	g_auto(GStrv) list = NULL;
	GVariantBuilder o;

	if (!p->proxy || !p->person || p->restarting)
		return;
	avoid = own_avoid(p);
	for (char **z = p->usual_avoided; z && *z; z++)
		if (!g_str_equal(*z, zone))
			g_strv_builder_add(avoid, *z);
	list = g_strv_builder_end(avoid);
	g_strv_builder_unref(avoid);
	g_variant_builder_init(&o, G_VARIANT_TYPE("a{sv}"));
	g_variant_builder_add(&o, "{sv}", "profile", g_variant_new_string(p->person));
	/* Given, even empty: what the chair learned no longer adds to it. */
	g_variant_builder_add(&o, "{sv}", "avoid", g_variant_new_strv((const char *const *)list, -1));
	g_clear_pointer(&p->restart_opts, g_variant_unref);
	p->restart_opts = g_variant_ref_sink(g_variant_builder_end(&o));
	g_free(p->restart_note);
	p->restart_note = g_strdup_printf("Starting again, with %s…", zone_words(zone));
	p->restarting = true;
	p->skip_finish = true;
	call(p, "Stop", NULL);
	follow(p);
}

/* The back zones this session avoids and the person's profile does not:
 * what the chair learned. Those a condition keeps off anyway (pregnancy:
 * the lower back and the sacrum) are not offered: including them would
 * change nothing. */
static void usual_capture(struct panel *p, const char *const *avoid, const char *const *conds)
{
	bool pregnant = conds && g_strv_contains(conds, "pregnancy");
	GStrvBuilder *own = own_avoid(p), *learned = g_strv_builder_new();
	g_auto(GStrv) mine = g_strv_builder_end(own);
	GtkWidget *c;

	g_strv_builder_unref(own);
	while ((c = gtk_widget_get_first_child(p->run_include)))
		gtk_box_remove(GTK_BOX(p->run_include), c);
	for (size_t i = 0; avoid && avoid[i]; i++) {
		const char *z = avoid[i];
		char *text, *name;
		GtkWidget *b, *words;

		if (chair_zone_from_string(z) < 0 || g_strv_contains((const char *const *)mine, z) ||
		    (pregnant && (g_str_equal(z, "lower-back") || g_str_equal(z, "sacrum"))))
			continue;
		g_strv_builder_add(learned, z);
		text = g_strdup_printf("Start again, with %s", zone_words(z));
		name = g_strdup_printf("run-include-%s", z);
		b = button("", name, G_CALLBACK(on_include), p);
		words = label(text, NULL);
		gtk_label_set_max_width_chars(GTK_LABEL(words), 12);
		gtk_label_set_justify(GTK_LABEL(words), GTK_JUSTIFY_CENTER);
		gtk_label_set_xalign(GTK_LABEL(words), 0.5);
		gtk_button_set_child(GTK_BUTTON(b), words);
		gtk_widget_add_css_class(b, "include");
		gtk_widget_set_size_request(b, 170, 110);
		g_object_set_data_full(G_OBJECT(b), "zone", g_strdup(z), g_free);
		gtk_box_append(GTK_BOX(p->run_include), b);
		g_free(text);
		g_free(name);
	}
	g_strfreev(p->usual_avoided);
	p->usual_avoided = g_strv_builder_end(learned);
	g_strv_builder_unref(learned);
	follow(p);
}

static void usual_told(GObject *src, GAsyncResult *res, gpointer data)
{
	struct panel *p = data;
	GVariant *v = g_dbus_connection_call_finish(G_DBUS_CONNECTION(src), res, NULL), *props;
	g_autofree const char **avoid = NULL, **conds = NULL;

	if (!v)
		return; /* no tap to offer, and the session runs as it is */
	g_variant_get(v, "(@a{sv})", &props);
	g_variant_lookup(props, "Avoid", "^a&s", &avoid);
	g_variant_lookup(props, "Conditions", "^a&s", &conds);
	if (p->usual_session)
		usual_capture(p, avoid, conds);
	g_variant_unref(props);
	g_variant_unref(v);
}

/* What the usual session avoids, asked once Start() has replied: the
 * properties may come later than the reply, and a zone the person says
 * hurts during the session is not one the chair learned. */
static void usual_ask(struct panel *p)
{
	GDBusProxy *proxy = G_DBUS_PROXY(p->proxy);

	g_strfreev(p->usual_avoided);
	p->usual_avoided = NULL;
	g_dbus_connection_call(g_dbus_proxy_get_connection(proxy), g_dbus_proxy_get_name(proxy),
			       g_dbus_proxy_get_object_path(proxy), "org.freedesktop.DBus.Properties",
			       "GetAll", g_variant_new("(s)", g_dbus_proxy_get_interface_name(proxy)),
			       G_VARIANT_TYPE("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
			       usual_told, p);
}

/* Stopped to include a zone: once the chair is at rest, the usual again,
 * with the person's own avoid list. Anything else (an emergency stop, a
 * fault) ends it. */
static void usual_again(struct panel *p, const char *state)
{
	p->restarting = false;
	if (g_str_equal(state, "idle") && p->restart_opts) {
		p->starting_again = true;
		start_from(p, p->usual_button, "", p->restart_opts);
	}
	g_clear_pointer(&p->restart_opts, g_variant_unref);
}

/* --- following the daemon -------------------------------------------------- */

static void on_notify(GObject *o, GParamSpec *ps, gpointer data)
{
	follow(data);
}

static void on_finished(ChairChair1 *proxy, const char *program, const char *reason,
			guint64 elapsed, gpointer data)
{
	struct panel *p = data;
	char buf[128];

	g_strlcpy(p->finished_reason, reason, sizeof(p->finished_reason));
	if (p->skip_finish) {
		p->skip_finish = false;
		if (g_str_equal(reason, "stopped"))
			return; /* stopped to start again: no end to show */
		/* It ended otherwise before the stop: nothing starts again. */
		p->restarting = false;
		g_clear_pointer(&p->restart_opts, g_variant_unref);
	}
	p->usual_session = false;
	if (g_str_equal(reason, "emergency-stop") || g_str_equal(reason, "fault"))
		return; /* those have their own screens */
	{
		const char *w = chair_wording_finish_name(reason);

		gtk_label_set_text(GTK_LABEL(p->finished_title), w ? w : "The session ended.");
	}
	if (elapsed < 60000000) {
		snprintf(buf, sizeof(buf), "You had less than a minute.");
	} else {
		char *n = count_words(elapsed / 60000000, "minute", "minutes");

		snprintf(buf, sizeof(buf), "You had %s.", n);
		g_free(n);
	}
	gtk_label_set_text(GTK_LABEL(p->finished_detail), buf);
	p->show_finished = true;
	follow(p);
}

static void proxy_ready(GObject *src, GAsyncResult *res, gpointer data)
{
	struct panel *p = data;
	GError *e = NULL;
	ChairChair1 *proxy = chair_chair1_proxy_new_finish(res, &e);

	if (!proxy) {
		g_warning("Cannot reach the chair: %s", e->message);
		g_error_free(e);
		return;
	}
	g_clear_object(&p->proxy);
	p->proxy = proxy;
	/* The chair is back: its own state says whether it is stopped. */
	set_stop_alert(p, NULL);
	g_signal_connect(proxy, "notify", G_CALLBACK(on_notify), p);
	g_signal_connect(proxy, "session-finished", G_CALLBACK(on_finished), p);
	chair_chair1_call_list_programs(proxy, NULL, programs_done, p);
	refresh_profiles(p);
	follow(p);
}

static void name_appeared(GDBusConnection *c, const char *name, const char *owner, gpointer data)
{
	chair_chair1_proxy_new(c, G_DBUS_PROXY_FLAGS_NONE, BUS_NAME, OBJECT_PATH, NULL, proxy_ready,
			       data);
}

static void name_vanished(GDBusConnection *c, const char *name, gpointer data)
{
	struct panel *p = data;

	g_clear_object(&p->proxy);
	p->show_finished = false;
	follow(p);
}

/* --- building the window --------------------------------------------------- */

static const char css[] =
	"window { background: #0f1419; color: #ffffff; font-size: 22px; }\n"
	"button { min-height: 60px; min-width: 64px; font-size: 24px; padding: 6px 20px;"
	"  background: #2b3440; color: #ffffff; border-radius: 12px; border: 2px solid #4a5666; }\n"
	"button:checked { background: #1f6f4a; border-color: #7fe0b0; }\n"
	"button.card { padding: 10px 16px; background: #1c232c; }\n"
	"button.home { min-height: 74px; }\n"
	".usual-title { font-size: 30px; font-weight: bold; }\n"
	".usual-what { font-size: 21px; }\n"
	".usual-learned { font-size: 19px; color: #ffe9a8; }\n"
	"button.primary { background: #1f6f4a; font-weight: bold; }\n"
	"#panel-stop { background: #c8102e; color: #ffffff; font-size: 34px; font-weight: bold;"
	"  min-width: 220px; min-height: 80px; border: 3px solid #ffffff; }\n"
	".topbar { padding: 12px 20px; background: #171d24; border-bottom: 2px solid #2b3440; }\n"
	".title { font-size: 32px; font-weight: bold; }\n"
	".card-title { font-size: 25px; font-weight: bold; }\n"
	".card-text { font-size: 20px; color: #d8dee6; }\n"
	".badge-calm { color: #8fd3ff; font-size: 20px; font-weight: bold; }\n"
	".badge-lively { color: #ffc46b; font-size: 20px; font-weight: bold; }\n"
	".badge-even { color: #c8e6c9; font-size: 20px; font-weight: bold; }\n"
	".row-title { font-size: 24px; }\n"
	".setup-title { font-size: 38px; font-weight: bold; }\n"
	"button.condition { font-size: 20px; min-height: 60px; padding: 4px 10px; }\n"
	".value { font-size: 30px; font-weight: bold; }\n"
	".big { font-size: 44px; font-weight: bold; }\n"
	".huge { font-size: 56px; font-weight: bold; }\n"
	".refusal { background: #5c1010; color: #ffffff; padding: 10px 14px; font-size: 21px;"
	"  border-radius: 10px; }\n"
	".note { font-size: 22px; color: #d8dee6; }\n"
	".desc { font-size: 21px; color: #e8edf2; }\n"
	".reasons { font-size: 26px; color: #ffffff; }\n"
	".marks { font-size: 24px; font-weight: bold; color: #ffffff; }\n"
	"button.choose { font-size: 34px; min-height: 90px; }\n"
	"button.answer { font-size: 30px; font-weight: bold; min-height: 90px; }\n"
	"button.hurts { background: #8a1c1c; border-color: #ffffff; }\n"
	"button.include { font-size: 21px; padding: 6px 8px; }\n"
	".history-row { background: #1c232c; border-radius: 12px; padding: 12px 16px; }\n"
	"progressbar trough { min-height: 36px; border-radius: 10px; background: #2b3440; border: 2px solid #4a5666; }\n"
	"progressbar progress { min-height: 36px; border-radius: 10px; background: #3fa66b; }\n";

static GtkWidget *page_box(void)
{
	GtkWidget *b = gtk_box_new(GTK_ORIENTATION_VERTICAL, 18);

	gtk_widget_set_margin_start(b, 28);
	gtk_widget_set_margin_end(b, 28);
	gtk_widget_set_margin_top(b, 20);
	gtk_widget_set_margin_bottom(b, 20);
	return b;
}

static GtkWidget *build_home(struct panel *p)
{
	GtkWidget *box = page_box(), *choose, *history, *usual = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);
	GtkWidget *who = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 16), *ask;
	GtkWidget *actions = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 16);

	/* A screen's height, with every program, for a guest: the rows are
	 * closer here than on other screens. */
	gtk_box_set_spacing(GTK_BOX(box), 12);
	gtk_widget_set_margin_top(box, 14);
	gtk_widget_set_margin_bottom(box, 14);
	/* First: who is in the chair, for the next start. */
	ask = label("Who is in the chair?", "row-title");
	gtk_label_set_wrap(GTK_LABEL(ask), FALSE);
	gtk_box_append(GTK_BOX(who), ask);
	p->who = gtk_flow_box_new();
	gtk_widget_set_name(p->who, "home-who");
	gtk_flow_box_set_selection_mode(GTK_FLOW_BOX(p->who), GTK_SELECTION_NONE);
	gtk_flow_box_set_max_children_per_line(GTK_FLOW_BOX(p->who), 6);
	gtk_flow_box_set_column_spacing(GTK_FLOW_BOX(p->who), 12);
	gtk_flow_box_set_row_spacing(GTK_FLOW_BOX(p->who), 8);
	gtk_widget_set_hexpand(p->who, TRUE);
	gtk_widget_set_valign(p->who, GTK_ALIGN_CENTER);
	gtk_box_append(GTK_BOX(who), p->who);
	/* What they had before. */
	history = button("Past massages", "home-history", G_CALLBACK(on_history), p);
	gtk_widget_set_valign(history, GTK_ALIGN_CENTER);
	gtk_box_append(GTK_BOX(who), history);
	gtk_box_append(GTK_BOX(box), who);

	/* Their usual in one tap, saying what it is; and for a person who does
	 * not know which massage to take, help. */
	p->usual_button = gtk_button_new();
	gtk_widget_set_name(p->usual_button, "home-usual");
	g_signal_connect(p->usual_button, "clicked", G_CALLBACK(on_usual), p);
	gtk_box_append(GTK_BOX(usual), label("My usual", "usual-title"));
	p->usual_what = label("", "usual-what");
	gtk_label_set_wrap(GTK_LABEL(p->usual_what), FALSE);
	gtk_box_append(GTK_BOX(usual), p->usual_what);
	/* Under it, what the chair will do differently, and why. */
	p->usual_learned = label("", "usual-learned");
	gtk_label_set_max_width_chars(GTK_LABEL(p->usual_learned), 60);
	gtk_box_append(GTK_BOX(usual), p->usual_learned);
	gtk_widget_set_halign(usual, GTK_ALIGN_START);
	gtk_button_set_child(GTK_BUTTON(p->usual_button), usual);
	gtk_widget_add_css_class(p->usual_button, "primary");
	gtk_widget_add_css_class(p->usual_button, "home");
	gtk_widget_set_hexpand(p->usual_button, TRUE);
	gtk_widget_set_visible(p->usual_button, FALSE);
	gtk_box_append(GTK_BOX(actions), p->usual_button);
	/* In its place when they have no usual yet. */
	p->person_note = label("", "note");
	gtk_widget_set_name(p->person_note, "home-person");
	gtk_widget_set_visible(p->person_note, FALSE);
	gtk_widget_set_hexpand(p->person_note, TRUE);
	gtk_box_append(GTK_BOX(actions), p->person_note);
	choose = button("Help me choose", "home-choose", G_CALLBACK(on_choose), p);
	gtk_widget_add_css_class(choose, "primary");
	gtk_widget_add_css_class(choose, "choose");
	gtk_widget_add_css_class(choose, "home");
	gtk_widget_set_hexpand(choose, TRUE);
	gtk_box_append(GTK_BOX(actions), choose);
	gtk_box_append(GTK_BOX(box), actions);
	p->home_refusal = label("", "refusal");
	gtk_widget_set_name(p->home_refusal, "home-refusal");
	g_object_set_data(G_OBJECT(p->usual_button), "refusal", p->home_refusal);
	gtk_widget_set_visible(p->home_refusal, FALSE);
	gtk_box_append(GTK_BOX(box), p->home_refusal);
	p->home_note = label("Loading the massages…", "note");
	p->grid = gtk_grid_new();
	gtk_grid_set_row_spacing(GTK_GRID(p->grid), 12);
	gtk_grid_set_column_spacing(GTK_GRID(p->grid), 16);
	gtk_grid_set_column_homogeneous(GTK_GRID(p->grid), TRUE);
	gtk_grid_set_row_homogeneous(GTK_GRID(p->grid), TRUE);
	gtk_widget_set_vexpand(p->grid, TRUE);
	gtk_box_append(GTK_BOX(box), p->home_note);
	gtk_box_append(GTK_BOX(box), p->grid);
	return box;
}

static GtkWidget *build_setup(struct panel *p)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 28);
	GtkWidget *left = gtk_box_new(GTK_ORIENTATION_VERTICAL, 8);
	GtkWidget *right = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
	GtkWidget *conds = gtk_grid_new(), *actions = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 16);
	/* The options, or the session they make: the same place on screen. */
	GtkWidget *opts = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
	GtkGesture *tap = gtk_gesture_click_new();

	gtk_widget_set_margin_start(box, 28);
	gtk_widget_set_margin_end(box, 28);
	gtk_widget_set_margin_top(box, 8);
	gtk_widget_set_margin_bottom(box, 8);
	p->setup_body = body_new(BODY_CYCLE);
	gtk_widget_set_size_request(body_widget(p->setup_body), 300, 440);
	gtk_box_append(GTK_BOX(left), body_widget(p->setup_body));
	g_signal_connect(tap, "released", G_CALLBACK(on_body_released), p);
	gtk_widget_add_controller(body_widget(p->setup_body), GTK_EVENT_CONTROLLER(tap));
	p->setup_hint = label("", "note");
	gtk_widget_set_name(p->setup_hint, "setup-hint");
	gtk_box_append(GTK_BOX(left), p->setup_hint);
	gtk_widget_set_size_request(left, 380, -1);
	gtk_box_append(GTK_BOX(box), left);

	p->setup_title = label("", "setup-title");
	/* The whole description, never cut off. */
	p->setup_desc = label("", "desc");
	gtk_widget_set_name(p->setup_desc, "setup-desc");
	gtk_box_append(GTK_BOX(right), p->setup_title);
	gtk_box_append(GTK_BOX(right), p->setup_desc);
	gtk_box_append(GTK_BOX(opts), stepper("How long", "minutes", "−", "+", G_CALLBACK(on_minutes),
					       p, &p->minutes_label));
	gtk_box_append(GTK_BOX(opts), stepper("Pressure", "intensity", "Softer", "Stronger",
					       G_CALLBACK(on_intensity), p, &p->intensity_label));
	gtk_box_append(GTK_BOX(opts), stepper("Warmth", "heat", "Less", "More", G_CALLBACK(on_heat),
					       p, &p->heat_label));
	gtk_grid_set_row_spacing(GTK_GRID(conds), 10);
	gtk_grid_set_column_spacing(GTK_GRID(conds), 10);
	for (int i = 0; i < 5; i++) {
		char *name = g_strdup_printf("condition-%s", condition_ids[i]);

		GtkWidget *l = gtk_label_new(condition_words[i]);

		gtk_label_set_wrap(GTK_LABEL(l), TRUE);
		gtk_label_set_justify(GTK_LABEL(l), GTK_JUSTIFY_CENTER);
		gtk_label_set_max_width_chars(GTK_LABEL(l), 18);
		p->conditions[i] = gtk_toggle_button_new();
		gtk_button_set_child(GTK_BUTTON(p->conditions[i]), l);
		gtk_widget_set_name(p->conditions[i], name);
		gtk_widget_add_css_class(p->conditions[i], "condition");
		gtk_widget_set_hexpand(p->conditions[i], TRUE);
		gtk_grid_attach(GTK_GRID(conds), p->conditions[i], i % 3, i / 3, 1, 1);
		g_signal_connect_swapped(p->conditions[i], "toggled", G_CALLBACK(setup_changed), p);
		g_free(name);
	}
	gtk_box_append(GTK_BOX(opts), conds);
	p->timeline = timeline_new();
	/* Tests read the caption from the layout: write it again once drawn. */
	g_signal_connect_swapped(timeline_caption(p->timeline), "notify::label",
				 G_CALLBACK(schedule_dump), p);
	p->setup_views = gtk_stack_new();
	gtk_stack_add_named(GTK_STACK(p->setup_views), opts, "options");
	gtk_stack_add_named(GTK_STACK(p->setup_views), timeline_widget(p->timeline), "timeline");
	gtk_box_append(GTK_BOX(right), p->setup_views);
	p->refusal = label("", "refusal");
	gtk_widget_set_name(p->refusal, "setup-refusal");
	gtk_widget_set_visible(p->refusal, FALSE);
	gtk_box_append(GTK_BOX(right), p->refusal);
	gtk_box_append(GTK_BOX(actions), button("Back", "setup-back", G_CALLBACK(on_back), p));
	p->preview_button = gtk_toggle_button_new_with_label("Preview");
	gtk_widget_set_name(p->preview_button, "setup-preview");
	g_signal_connect(p->preview_button, "toggled", G_CALLBACK(on_preview_toggled), p);
	gtk_box_append(GTK_BOX(actions), p->preview_button);
	p->save_button = button("Save as my usual", "setup-save", G_CALLBACK(on_save), p);
	gtk_widget_set_visible(p->save_button, FALSE);
	gtk_box_append(GTK_BOX(actions), p->save_button);
	p->start_button = button("Start", "setup-start", G_CALLBACK(on_start), p);
	g_object_set_data(G_OBJECT(p->start_button), "refusal", p->refusal);
	gtk_widget_add_css_class(p->start_button, "primary");
	gtk_widget_set_hexpand(p->start_button, TRUE);
	gtk_box_append(GTK_BOX(actions), p->start_button);
	gtk_widget_set_valign(actions, GTK_ALIGN_END);
	gtk_widget_set_vexpand(actions, TRUE);
	gtk_box_append(GTK_BOX(right), actions);
	gtk_widget_set_hexpand(right, TRUE);
	gtk_box_append(GTK_BOX(box), right);
	return box;
}

static GtkWidget *big_choice(struct panel *p, const char *text, const char *name, GCallback cb,
			     gpointer data)
{
	GtkWidget *b = button(text, name, cb, data);

	gtk_widget_add_css_class(b, "answer");
	g_object_set_data(G_OBJECT(b), "panel", p);
	gtk_widget_set_hexpand(b, TRUE);
	gtk_widget_set_vexpand(b, TRUE);
	return b;
}

static GtkWidget *build_choose(struct panel *p)
{
	GtkWidget *box = page_box(), *actions = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 16);
	GtkWidget *flags = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 24);
	GtkWidget *where = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 40);
	GtkWidget *where_text = gtk_box_new(GTK_ORIENTATION_VERTICAL, 24);
	GtkWidget *feel = gtk_grid_new(), *goal = gtk_grid_new(), *which = gtk_grid_new();
	GtkWidget *time = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 24);
	GtkWidget *result = gtk_box_new(GTK_ORIENTATION_VERTICAL, 16);

	p->choose_question = label("", "big");
	gtk_widget_set_name(p->choose_question, "choose-question");
	gtk_box_append(GTK_BOX(box), p->choose_question);
	p->choose_steps = gtk_stack_new();
	gtk_widget_set_vexpand(p->choose_steps, TRUE);

	gtk_box_append(GTK_BOX(flags), big_choice(p, "Yes", "choose-yes", G_CALLBACK(on_red_flags),
						  GINT_TO_POINTER(1)));
	gtk_box_append(GTK_BOX(flags), big_choice(p, "No", "choose-no", G_CALLBACK(on_red_flags),
						  GINT_TO_POINTER(0)));
	gtk_widget_set_size_request(flags, -1, 200);
	gtk_widget_set_valign(flags, GTK_ALIGN_START);
	gtk_stack_add_named(GTK_STACK(p->choose_steps), flags, "flags");

	gtk_grid_set_row_spacing(GTK_GRID(which), 24);
	gtk_grid_set_column_spacing(GTK_GRID(which), 24);
	gtk_grid_set_column_homogeneous(GTK_GRID(which), TRUE);
	for (size_t i = 0; i < G_N_ELEMENTS(red_flags); i++) {
		char *name = g_strdup_printf("flag-%s", red_flags[i].id);
		GtkWidget *b = big_choice(p, red_flags[i].words, name, G_CALLBACK(on_red_flag),
					  (gpointer)red_flags[i].id);

		gtk_widget_set_size_request(b, -1, 160);
		gtk_grid_attach(GTK_GRID(which), b, (int)i % 2, (int)i / 2, 1, 1);
		g_free(name);
	}
	gtk_widget_set_valign(which, GTK_ALIGN_START);
	gtk_stack_add_named(GTK_STACK(p->choose_steps), which, "which");

	p->choose_body = body_new(BODY_PICK);
	gtk_widget_set_size_request(body_widget(p->choose_body), 340, 540);
	gtk_widget_set_hexpand(body_widget(p->choose_body), FALSE);
	gtk_box_append(GTK_BOX(where), body_widget(p->choose_body));
	gtk_box_append(GTK_BOX(where_text), label("Where does it hurt?", "big"));
	gtk_box_append(GTK_BOX(where_text), label("Tap each place that hurts. Tap it again to take "
						  "it back.", "reasons"));
	gtk_box_append(GTK_BOX(where_text), label("Nothing hurts? Just tap Next.", "reasons"));
	gtk_widget_set_hexpand(where_text, TRUE);
	gtk_widget_set_valign(where_text, GTK_ALIGN_CENTER);
	gtk_box_append(GTK_BOX(where), where_text);
	gtk_stack_add_named(GTK_STACK(p->choose_steps), where, "where");

	gtk_grid_set_row_spacing(GTK_GRID(feel), 14);
	gtk_grid_set_column_spacing(GTK_GRID(feel), 14);
	gtk_grid_set_column_homogeneous(GTK_GRID(feel), TRUE);
	for (int i = 0; i < 10; i++) {
		char *name = g_strdup_printf("feel-%s", feel_ids[i]);

		GtkWidget *l = gtk_label_new(feel_words[i]);

		/* Wrapped, so four fit across the screen. */
		gtk_label_set_wrap(GTK_LABEL(l), TRUE);
		gtk_label_set_justify(GTK_LABEL(l), GTK_JUSTIFY_CENTER);
		gtk_label_set_max_width_chars(GTK_LABEL(l), 12);
		p->feel[i] = gtk_toggle_button_new();
		gtk_button_set_child(GTK_BUTTON(p->feel[i]), l);
		gtk_widget_set_name(p->feel[i], name);
		gtk_widget_add_css_class(p->feel[i], "answer");
		gtk_grid_attach(GTK_GRID(feel), p->feel[i], i % 4, i / 4 + (i >= 8), 1, 1);
		g_free(name);
	}
	gtk_stack_add_named(GTK_STACK(p->choose_steps), feel, "feel");

	gtk_grid_set_row_spacing(GTK_GRID(goal), 24);
	gtk_grid_set_column_spacing(GTK_GRID(goal), 24);
	gtk_grid_set_column_homogeneous(GTK_GRID(goal), TRUE);
	for (size_t i = 0; i < G_N_ELEMENTS(goals); i++) {
		char *name = g_strdup_printf("goal-%s", goals[i].id);
		GtkWidget *b = big_choice(p, goals[i].words, name, G_CALLBACK(on_goal),
					  (gpointer)goals[i].id);

		gtk_widget_set_size_request(b, -1, 160);
		gtk_grid_attach(GTK_GRID(goal), b, (int)i % 2, (int)i / 2, 1, 1);
		g_free(name);
	}
	gtk_widget_set_valign(goal, GTK_ALIGN_START);
	gtk_stack_add_named(GTK_STACK(p->choose_steps), goal, "goal");

	for (size_t i = 0; i < G_N_ELEMENTS(choose_minutes); i++) {
		char *name = g_strdup_printf("time-%u", choose_minutes[i]);
		char *text = count_words(choose_minutes[i], "minute", "minutes");

		gtk_box_append(GTK_BOX(time), big_choice(p, text, name, G_CALLBACK(on_choose_minutes),
							 GUINT_TO_POINTER(choose_minutes[i])));
		g_free(name);
		g_free(text);
	}
	gtk_widget_set_size_request(time, -1, 200);
	gtk_widget_set_valign(time, GTK_ALIGN_START);
	gtk_stack_add_named(GTK_STACK(p->choose_steps), time, "time");

	p->rec_title = label("", "huge");
	gtk_widget_set_name(p->rec_title, "rec-title");
	p->rec_reasons = label("", "reasons");
	gtk_widget_set_name(p->rec_reasons, "rec-reasons");
	p->rec_refusal = label("", "refusal");
	gtk_widget_set_name(p->rec_refusal, "rec-refusal");
	gtk_widget_set_visible(p->rec_refusal, FALSE);
	gtk_box_append(GTK_BOX(result), p->rec_title);
	gtk_box_append(GTK_BOX(result), p->rec_reasons);
	gtk_box_append(GTK_BOX(result), p->rec_refusal);
	gtk_stack_add_named(GTK_STACK(p->choose_steps), result, "result");
	gtk_box_append(GTK_BOX(box), p->choose_steps);

	gtk_box_append(GTK_BOX(actions), button("Back", "choose-back", G_CALLBACK(on_choose_back), p));
	p->choose_again = button("Start over", "choose-again", G_CALLBACK(on_choose), p);
	gtk_box_append(GTK_BOX(actions), p->choose_again);
	p->choose_next = button("Next", "choose-next", G_CALLBACK(on_choose_next), p);
	gtk_widget_add_css_class(p->choose_next, "primary");
	gtk_widget_set_hexpand(p->choose_next, TRUE);
	gtk_box_append(GTK_BOX(actions), p->choose_next);
	p->rec_start = button("Start", "choose-start", G_CALLBACK(on_rec_start), p);
	g_object_set_data(G_OBJECT(p->rec_start), "refusal", p->rec_refusal);
	gtk_widget_add_css_class(p->rec_start, "primary");
	gtk_widget_set_hexpand(p->rec_start, TRUE);
	gtk_box_append(GTK_BOX(actions), p->rec_start);
	gtk_box_append(GTK_BOX(box), actions);
	return box;
}

static GtkWidget *live_pair(struct panel *p, const char *title, const char *name, const char *less,
			    const char *more, GCallback cb, GtkWidget **value)
{
	return stepper(title, name, less, more, cb, p, value);
}

static GtkWidget *build_running(struct panel *p)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 28);
	GtkWidget *right = gtk_box_new(GTK_ORIENTATION_VERTICAL, 10);
	GtkWidget *actions = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 16), *stop;
	GtkWidget *left = gtk_box_new(GTK_ORIENTATION_VERTICAL, 8);
	GtkWidget *said = gtk_box_new(GTK_ORIENTATION_VERTICAL, 16), *hurts, *more;

	gtk_widget_set_margin_start(box, 28);
	gtk_widget_set_margin_end(box, 28);
	gtk_widget_set_margin_top(box, 10);
	gtk_widget_set_margin_bottom(box, 10);

	p->run_body = body_new(BODY_VIEW);
	gtk_widget_set_size_request(body_widget(p->run_body), 280, 420);
	gtk_widget_set_hexpand(body_widget(p->run_body), FALSE);
	gtk_box_append(GTK_BOX(left), body_widget(p->run_body));
	p->run_marks = label("", "marks");
	gtk_widget_set_name(p->run_marks, "run-marks");
	gtk_widget_set_size_request(p->run_marks, 300, -1);
	gtk_box_append(GTK_BOX(left), p->run_marks);
	gtk_box_append(GTK_BOX(box), left);
	/* Beside the body: what the person says about where the roller is. */
	hurts = big_choice(p, "That\nhurts", "run-hurts", G_CALLBACK(on_feedback), (gpointer)"hurts-here");
	gtk_widget_add_css_class(hurts, "hurts");
	more = big_choice(p, "More\nhere", "run-more", G_CALLBACK(on_feedback), (gpointer)"more-here");
	gtk_widget_set_size_request(hurts, 170, 150);
	gtk_widget_set_size_request(more, 170, 150);
	gtk_widget_set_vexpand(hurts, FALSE);
	gtk_widget_set_vexpand(more, FALSE);
	gtk_box_append(GTK_BOX(said), hurts);
	gtk_box_append(GTK_BOX(said), more);
	p->run_feedback = label("", "refusal");
	gtk_widget_set_name(p->run_feedback, "run-feedback");
	gtk_label_set_max_width_chars(GTK_LABEL(p->run_feedback), 12);
	gtk_widget_set_visible(p->run_feedback, FALSE);
	gtk_box_append(GTK_BOX(said), p->run_feedback);
	/* Under them, for a zone kept off because it hurt last time. */
	p->run_include = gtk_box_new(GTK_ORIENTATION_VERTICAL, 16);
	gtk_widget_set_visible(p->run_include, FALSE);
	gtk_box_append(GTK_BOX(said), p->run_include);
	gtk_widget_set_valign(said, GTK_ALIGN_CENTER);
	gtk_widget_set_hexpand(said, FALSE);
	gtk_box_append(GTK_BOX(box), said);
	p->run_title = label("", "big");
	p->run_progress = gtk_progress_bar_new();
	gtk_widget_set_name(p->run_progress, "run-progress");
	p->run_left = label("", "big");
	p->run_step = label("", "value");
	gtk_widget_set_name(p->run_step, "run-step");
	p->run_temp = label("", "note");
	p->run_adjust = label("", "note");
	gtk_widget_set_name(p->run_adjust, "run-adjust");
	gtk_box_append(GTK_BOX(right), p->run_title);
	gtk_box_append(GTK_BOX(right), p->run_progress);
	gtk_box_append(GTK_BOX(right), p->run_left);
	gtk_box_append(GTK_BOX(right), p->run_step);
	gtk_box_append(GTK_BOX(right), live_pair(p, "Pressure", "run-intensity", "Softer", "Stronger",
						 G_CALLBACK(on_intensity_live), &p->run_intensity));
	gtk_box_append(GTK_BOX(right), live_pair(p, "Warmth", "run-heat", "Less", "More",
						 G_CALLBACK(on_heat_live), &p->run_heat));
	gtk_box_append(GTK_BOX(right), p->run_temp);
	gtk_box_append(GTK_BOX(right), p->run_adjust);
	p->pause_button = button("Pause", "run-pause", G_CALLBACK(on_pause), p);
	gtk_widget_set_hexpand(p->pause_button, TRUE);
	stop = button("Finish now", "run-stop", G_CALLBACK(on_graceful_stop), p);
	gtk_widget_set_hexpand(stop, TRUE);
	gtk_box_append(GTK_BOX(actions), p->pause_button);
	gtk_box_append(GTK_BOX(actions), stop);
	gtk_widget_set_vexpand(actions, TRUE);
	gtk_widget_set_valign(actions, GTK_ALIGN_END);
	gtk_box_append(GTK_BOX(right), actions);
	gtk_widget_set_hexpand(right, TRUE);
	gtk_box_append(GTK_BOX(box), right);
	return box;
}

static GtkWidget *build_history(struct panel *p)
{
	GtkWidget *box = page_box(), *filter = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 16);
	GtkWidget *sw = gtk_scrolled_window_new(), *back;

	p->history_mine = gtk_toggle_button_new_with_label("");
	gtk_widget_set_name(p->history_mine, "history-mine");
	p->history_all = gtk_toggle_button_new_with_label("Everyone’s");
	gtk_widget_set_name(p->history_all, "history-all");
	gtk_toggle_button_set_group(GTK_TOGGLE_BUTTON(p->history_all),
				    GTK_TOGGLE_BUTTON(p->history_mine));
	g_signal_connect(p->history_mine, "toggled", G_CALLBACK(on_history_filter), p);
	g_signal_connect(p->history_all, "toggled", G_CALLBACK(on_history_filter), p);
	p->history_note = label("", "value");
	gtk_widget_set_name(p->history_note, "history-note");
	gtk_widget_set_hexpand(p->history_note, TRUE);
	gtk_box_append(GTK_BOX(filter), p->history_note);
	gtk_box_append(GTK_BOX(filter), p->history_mine);
	gtk_box_append(GTK_BOX(filter), p->history_all);
	gtk_box_append(GTK_BOX(box), filter);

	/* Rows scroll under a finger; Back stays where it is. */
	p->history_rows = gtk_box_new(GTK_ORIENTATION_VERTICAL, 12);
	p->history_text = g_string_new(NULL);
	gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(sw), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
	gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(sw), p->history_rows);
	gtk_widget_set_vexpand(sw, TRUE);
	gtk_box_append(GTK_BOX(box), sw);
	back = button("Back", "history-back", G_CALLBACK(on_back), p);
	gtk_widget_set_size_request(back, 320, 80);
	gtk_widget_set_halign(back, GTK_ALIGN_START);
	gtk_box_append(GTK_BOX(box), back);
	return box;
}

static GtkWidget *build_estop(struct panel *p)
{
	GtkWidget *box = page_box(), *reset;

	gtk_box_append(GTK_BOX(box), label("The chair has stopped.", "huge"));
	gtk_box_append(GTK_BOX(box), label("The emergency stop is on: every motor, airbag and heater "
					   "is off, and nothing will move. You can get up safely; "
					   "push the roller away if it presses on you.", "value"));
	gtk_box_append(GTK_BOX(box), label("When you are ready, release the stop button on the chair "
					   "(turn it to pull it up), then tap Reset. Reset does not "
					   "start a massage.", "note"));
	p->estop_reason = label("", "refusal");
	gtk_widget_set_name(p->estop_reason, "estop-reason");
	gtk_box_append(GTK_BOX(box), p->estop_reason);
	reset = button("Reset", "estop-reset", G_CALLBACK(on_reset), p);
	gtk_widget_add_css_class(reset, "primary");
	gtk_widget_set_vexpand(reset, FALSE);
	gtk_widget_set_size_request(reset, 320, 80);
	gtk_widget_set_halign(reset, GTK_ALIGN_START);
	gtk_box_append(GTK_BOX(box), reset);
	return box;
}

static GtkWidget *build_fault(struct panel *p)
{
	GtkWidget *box = page_box(), *reset;

	gtk_box_append(GTK_BOX(box), label("The chair stopped because something is wrong.", "big"));
	p->fault_list = label("", "value");
	gtk_box_append(GTK_BOX(box), p->fault_list);
	gtk_box_append(GTK_BOX(box), label("Every motor, airbag and heater is off. Tap Reset once the "
					   "cause is cleared; if it happens again, have the chair "
					   "serviced.", "note"));
	p->fault_reason = label("", "refusal");
	gtk_widget_set_name(p->fault_reason, "fault-reason");
	gtk_box_append(GTK_BOX(box), p->fault_reason);
	reset = button("Reset", "fault-reset", G_CALLBACK(on_reset), p);
	gtk_widget_add_css_class(reset, "primary");
	gtk_widget_set_size_request(reset, 320, 80);
	gtk_widget_set_halign(reset, GTK_ALIGN_START);
	gtk_box_append(GTK_BOX(box), reset);
	return box;
}

static GtkWidget *build_finished(struct panel *p)
{
	GtkWidget *box = page_box(), *done;

	p->finished_title = label("", "huge");
	gtk_widget_set_name(p->finished_title, "finished-title");
	p->finished_detail = label("", "value");
	gtk_box_append(GTK_BOX(box), p->finished_title);
	gtk_box_append(GTK_BOX(box), p->finished_detail);
	p->finished_care_title = label("Take care of yourself now:", "value");
	gtk_box_append(GTK_BOX(box), p->finished_care_title);
	p->finished_care = label("", "note");
	gtk_widget_set_name(p->finished_care, "finished-care");
	gtk_box_append(GTK_BOX(box), p->finished_care);
	done = button("Done", "finished-done", G_CALLBACK(on_done), p);
	gtk_widget_add_css_class(done, "primary");
	gtk_widget_set_size_request(done, 320, 80);
	gtk_widget_set_halign(done, GTK_ALIGN_START);
	gtk_box_append(GTK_BOX(box), done);
	return box;
}

static GtkWidget *build_waiting(struct panel *p)
{
	GtkWidget *box = page_box();

	gtk_box_append(GTK_BOX(box), label("Waiting for the chair…", "huge"));
	gtk_box_append(GTK_BOX(box), label("The chair's controller is starting, or is not running. "
					   "This screen carries on by itself as soon as it is back.",
					   "value"));
	gtk_box_append(GTK_BOX(box), label("If the chair is moving, press the red stop button on the "
					   "chair itself: it cuts the power.", "note"));
	return box;
}

/* Each page scrolls if it ever needs more than the screen, so the window
 * never outgrows the display. */
static void add_page(struct panel *p, GtkWidget *page, const char *name)
{
	GtkWidget *sw = gtk_scrolled_window_new();

	gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(sw), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
	gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(sw), page);
	gtk_stack_add_named(p->stack, sw, name);
}

static void activate(GtkApplication *app, gpointer data)
{
	struct panel *p = data;
	GtkWidget *root = gtk_box_new(GTK_ORIENTATION_VERTICAL, 0);
	GtkWidget *top = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 20);
	GtkCssProvider *prov = gtk_css_provider_new();

	gtk_css_provider_load_from_data(prov, css, -1);
	gtk_style_context_add_provider_for_display(gdk_display_get_default(), GTK_STYLE_PROVIDER(prov),
						   GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
	p->window = GTK_WINDOW(gtk_application_window_new(app));
	gtk_window_set_default_size(p->window, 1280, 800);
	gtk_window_set_decorated(p->window, FALSE);

	gtk_widget_add_css_class(top, "topbar");
	p->title = label("", "title");
	gtk_widget_set_hexpand(p->title, TRUE);
	gtk_widget_set_valign(p->title, GTK_ALIGN_CENTER);
	p->stop = button("STOP", "panel-stop", G_CALLBACK(on_stop_pressed), p);
	gtk_box_append(GTK_BOX(top), p->title);
	gtk_box_append(GTK_BOX(top), p->stop);
	gtk_box_append(GTK_BOX(root), top);
	p->stop_alert = label("", "refusal");
	gtk_widget_set_name(p->stop_alert, "stop-alert");
	gtk_label_set_wrap(GTK_LABEL(p->stop_alert), TRUE);
	gtk_widget_set_visible(p->stop_alert, FALSE);
	gtk_box_append(GTK_BOX(root), p->stop_alert);

	p->stack = GTK_STACK(gtk_stack_new());
	gtk_stack_set_transition_type(p->stack, GTK_STACK_TRANSITION_TYPE_NONE);
	gtk_widget_set_vexpand(GTK_WIDGET(p->stack), TRUE);
	add_page(p, build_waiting(p), "waiting");
	add_page(p, build_home(p), "home");
	add_page(p, build_choose(p), "choose");
	add_page(p, build_setup(p), "setup");
	add_page(p, build_history(p), "history");
	add_page(p, build_running(p), "running");
	add_page(p, build_estop(p), "estop");
	add_page(p, build_fault(p), "fault");
	add_page(p, build_finished(p), "finished");
	gtk_box_append(GTK_BOX(root), GTK_WIDGET(p->stack));
	gtk_window_set_child(p->window, root);
	fill_who(p); /* Guest, until the chair says who else */
	follow(p);
	gtk_window_present(p->window);
	if (!g_getenv("CHAIR_PANEL_WINDOWED"))
		gtk_window_fullscreen(p->window);
	p->watch = g_bus_watch_name(p->bus_type, BUS_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
				    name_appeared, name_vanished, p, NULL);
}

static gint local_options(GApplication *app, GVariantDict *opts, gpointer data)
{
	struct panel *p = data;

	if (g_variant_dict_contains(opts, "version")) {
		printf("chair-panel %s\n", CHAIRD_VERSION);
		return 0;
	}
	if (g_variant_dict_contains(opts, "session"))
		p->bus_type = G_BUS_TYPE_SESSION;
	return -1;
}

int main(int argc, char **argv)
{
	struct panel p = { .bus_type = G_BUS_TYPE_SYSTEM };
	int r;

	p.layout_path = g_getenv("CHAIR_PANEL_LAYOUT");
	p.app = gtk_application_new("org.chaird.Panel", G_APPLICATION_NON_UNIQUE);
	g_application_add_main_option(G_APPLICATION(p.app), "session", 0, 0, G_OPTION_ARG_NONE,
				      "Use the session bus instead of the system bus", NULL);
	g_application_add_main_option(G_APPLICATION(p.app), "version", 0, 0, G_OPTION_ARG_NONE,
				      "Show the version", NULL);
	g_signal_connect(p.app, "handle-local-options", G_CALLBACK(local_options), &p);
	g_signal_connect(p.app, "activate", G_CALLBACK(activate), &p);
	r = g_application_run(G_APPLICATION(p.app), argc, argv);
	g_object_unref(p.app);
	return r;
}

