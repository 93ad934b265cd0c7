/*
 * ui-view.c: the live view of training and simulation. It observes every
 * record the Lua layer takes from a job (lsnn_train_set_observer), keeps
 * the numbers of the newest training job and of the newest simulation,
 * and draws the status line (for the newer of the two) and the seven
 * panels: loss per batch (raw and smoothed, log scale), accuracy per epoch
 * (train and test), spike rate and surrogate-gradient sparsity per spiking
 * layer, the newest batch's histogram of H - v_threshold per spiking
 * layer, then, from a simulation, the layerwise unevenness error (per
 * converted layer, the fraction of uneven neurons and the mean |e| over
 * the images so far, as bars) and the accuracy against t. One panel is
 * large; Tab makes the next one so, and a new simulation makes its
 * unevenness panel the large one.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "ui.h"

/* Points a series keeps; beyond, pairs are averaged and the stride grows. */
#define UI_VIEW_POINTS 4096

/* The weight of the past in the smoothed loss (an exponential average). */
#define UI_VIEW_SMOOTH 0.95

/* Layers a chart shows; its title says how many more the network has. */
#define UI_VIEW_LAYERS 8

/* Converted layers the unevenness panel knows of: the first ones. */
#define UI_VIEW_BARS 128

/* The panels, in the order Tab cycles through them. */
enum ui_view_panel {
	UI_VIEW_LOSS,
	UI_VIEW_ACC,
	UI_VIEW_RATE,
	UI_VIEW_SPARSITY,
	UI_VIEW_HIST,
	UI_VIEW_UNEVEN,
	UI_VIEW_SIMACC,
	UI_VIEW_NPANELS
};

/* A series of values, each the mean of stride records. */
struct ui_view_series {
	double	v[UI_VIEW_POINTS];
	size_t	n;
	size_t	stride;
	double	sum;		/* of the records not yet a point */
	size_t	k;
};

/* What the view knows of the newest simulation. */
struct ui_view_sim {
	int			 job;		/* 0 before any */
	int			 done;
	enum job_state		 end;
	int			 stopping;
	struct lsnn_simulate_record rec;	/* the newest, own arrays */
	double			*acc;		/* (rec.T) accuracy at t, % */
	double			 ann[2];	/* the ANN's, as a line, % */
	int			 nlayers;	/* kept: the first ones */
	char			 label[UI_VIEW_BARS][32];
	const char		*labels[UI_VIEW_BARS];
	double			 uneven[UI_VIEW_BARS];
	double			 abs_e[UI_VIEW_BARS];
};

/* What the view knows of the jobs it shows. */
static struct {
	int			 job;		/* 0 before any */
	int			 done;		/* it ended */
	enum job_state		 end;		/* how */
	int			 stopping;	/* the session stops it */
	struct train_record	 batch;		/* the newest batch record */
	struct train_record	 epoch;		/* the newest epoch record */
	size_t			 nbatch;	/* batch records taken */
	size_t			 nepoch;
	double			 ema;		/* smoothed loss, biased */
	double			 ema_weight;	/* 1 - SMOOTH^nbatch */
	struct ui_view_series	 loss;
	struct ui_view_series	 smooth;
	struct ui_view_series	 train_acc;
	struct ui_view_series	 test_acc;
	struct ui_view_series	 rate[UI_VIEW_LAYERS];
	struct ui_view_series	 zero[UI_VIEW_LAYERS];
	double			 hist[UI_VIEW_LAYERS][TRAIN_HISTBINS];
	char			 label[UI_VIEW_LAYERS][24];
	int			 nlayers;	/* charted: the first ones */
	int			 all;		/* activation layers in all */
	enum ui_view_panel	 large;
	const char		*shown;		/* the state last drawn */
	struct ui_view_sim	 sim;
} ui_view;

/* Adds x to series s. */
static void
ui_view_push(struct ui_view_series *s, double x)
{
	size_t	i;

	if (s->stride == 0)
		s->stride = 1;
	s->sum += x;
	if (++s->k < s->stride)
		return;
	s->v[s->n++] = s->sum / (double)s->k;
	s->sum = 0;
	s->k = 0;
	if (s->n < UI_VIEW_POINTS)
		return;
	for (i = 0; i < s->n / 2; i++)
		s->v[i] = (s->v[2 * i] + s->v[2 * i + 1]) / 2;
	s->n /= 2;
	s->stride *= 2;
}

/* Forgets the training job shown and starts showing job. */
static void
ui_view_reset(int job)
{
	enum ui_view_panel	large = ui_view.large;
	struct ui_view_sim	sim = ui_view.sim;

	memset(&ui_view, 0, sizeof ui_view);
	ui_view.job = job;
	ui_view.large = large;
	ui_view.sim = sim;
}

/*
 * Takes a batch record: loss, smoothed loss and the numbers of the first
 * UI_VIEW_LAYERS layers, labelled with their module names.
 */
static void
ui_view_batch(const struct train_record *rec)
{
	int	i;

	ui_view.batch = *rec;
	ui_view.batch.layer = NULL;
	ui_view.batch.names = NULL;
	ui_view.nbatch++;
	ui_view.ema = UI_VIEW_SMOOTH * ui_view.ema +
	    (1 - UI_VIEW_SMOOTH) * rec->loss;
	ui_view.ema_weight = UI_VIEW_SMOOTH * ui_view.ema_weight +
	    (1 - UI_VIEW_SMOOTH);
	ui_view_push(&ui_view.loss, rec->loss);
	ui_view_push(&ui_view.smooth, ui_view.ema / ui_view.ema_weight);
	ui_view.all = rec->nlayers;
	ui_view.nlayers = rec->nlayers < UI_VIEW_LAYERS ? rec->nlayers :
	    UI_VIEW_LAYERS;
	for (i = 0; i < ui_view.nlayers; i++) {
		snprintf(ui_view.label[i], sizeof ui_view.label[i], "%s",
		    rec->names[i]);
		ui_view_push(&ui_view.rate[i], rec->layer[i].rate);
		ui_view_push(&ui_view.zero[i], rec->layer[i].sg_zero);
		memcpy(ui_view.hist[i], rec->layer[i].hist,
		    sizeof ui_view.hist[i]);
	}
}

/*
 * Says in the log how a job ended: done, stopped, or failed and why, and
 * whether its last epoch was dead.
 */
static void
ui_view_end(const struct lsnn_train_event *ev)
{
	const char	*how = job_state_name(ev->state);

	ui_view.done = 1;
	ui_view.end = ev->state;
	if (ev->state == JOB_FAILED)
		ui_log_printf(UI_LOG_ERROR, "job %d failed: %s", ev->job,
		    ev->error != NULL ? ev->error : "(no message)");
	else if (ui_view.nepoch > 0 && isnan(ui_view.epoch.test_acc))
		ui_log_printf(UI_LOG_NOTE, "job %d %s after %d of %d "
		    "epochs: train accuracy %.2f%%", ev->job, how,
		    ui_view.epoch.epoch, ui_view.epoch.epochs,
		    100 * ui_view.epoch.acc);
	else if (ui_view.nepoch > 0)
		ui_log_printf(UI_LOG_NOTE, "job %d %s after %d of %d "
		    "epochs: train accuracy %.2f%%, test accuracy %.2f%%",
		    ev->job, how, ui_view.epoch.epoch, ui_view.epoch.epochs,
		    100 * ui_view.epoch.acc, 100 * ui_view.epoch.test_acc);
	else
		ui_log_printf(UI_LOG_NOTE, "job %d %s before its first epoch "
		    "ended", ev->job, how);
	if (ev->state != JOB_FAILED && ui_view.nepoch > 0 &&
	    ui_view.epoch.dead)
		ui_log_printf(UI_LOG_NOTE, "job %d: its last epoch was dead: "
		    "a layer gave no spike and the loss stayed the same in "
		    "every batch", ev->job);
}

/*
 * Takes a simulation's record: the accuracy at every t and the numbers of
 * the first UI_VIEW_BARS converted layers, labelled with their paths.
 */
static void
ui_view_sim_record(const struct lsnn_simulate_record *rec)
{
	struct ui_view_sim	*s = &ui_view.sim;
	double			*acc;
	int			 t, k;

	if (s->acc == NULL || s->rec.T != rec->T) {
		if ((acc = realloc(s->acc, (size_t)rec->T * sizeof *acc)) ==
		    NULL)
			return;
		s->acc = acc;
	}
	s->rec = *rec;
	s->rec.correct = NULL;
	s->rec.names = NULL;
	s->rec.frac_uneven = s->rec.mean_abs_e = NULL;
	for (t = 0; t < rec->T; t++)
		s->acc[t] = 100.0 * (double)rec->correct[t] / (double)rec->n;
	s->ann[0] = s->ann[1] = 100 * rec->ann;
	s->nlayers = rec->check == 0 ? 0 : rec->nlayers < UI_VIEW_BARS ?
	    rec->nlayers : UI_VIEW_BARS;
	for (k = 0; k < s->nlayers; k++) {
		snprintf(s->label[k], sizeof s->label[k], "%s",
		    rec->names[k]);
		s->labels[k] = s->label[k];
		s->uneven[k] = rec->frac_uneven[k];
		s->abs_e[k] = rec->mean_abs_e[k];
	}
}

/* Says in the log how a simulation ended: its accuracy at T, or why not. */
static void
ui_view_sim_end(const struct lsnn_train_event *ev)
{
	struct ui_view_sim	*s = &ui_view.sim;
	const char		*how = job_state_name(ev->state);

	s->done = 1;
	s->end = ev->state;
	if (ev->state == JOB_FAILED)
		ui_log_printf(UI_LOG_ERROR, "job %d failed: %s", ev->job,
		    ev->error != NULL ? ev->error : "(no message)");
	else if (ev->state == JOB_DONE && s->rec.n > 0)
		ui_log_printf(UI_LOG_NOTE, "job %d done: %zu images, accuracy "
		    "%.2f%% at t = %d", ev->job, s->rec.n,
		    s->acc[s->rec.T - 1], s->rec.T);
	else if (s->rec.n > 0)
		ui_log_printf(UI_LOG_NOTE, "job %d %s after %zu of %zu "
		    "images: accuracy %.2f%% at t = %d", ev->job, how,
		    s->rec.n, s->rec.total, s->acc[s->rec.T - 1],
		    s->rec.T);
	else
		ui_log_printf(UI_LOG_NOTE, "job %d %s before its first batch "
		    "ended", ev->job, how);
}

/*
 * Observes a simulation's event: a newer simulation replaces the one
 * shown and makes its unevenness panel the large one.
 */
static void
ui_view_sim_observe(const struct lsnn_train_event *ev)
{
	struct ui_view_sim	*s = &ui_view.sim;
	double			*acc = s->acc;

	if (ev->job < s->job)
		return;
	if (ev->job > s->job) {
		memset(s, 0, sizeof *s);
		s->acc = acc;
		s->job = ev->job;
		ui_view.large = UI_VIEW_UNEVEN;
	}
	if (ev->sim == NULL)
		ui_view_sim_end(ev);
	else
		ui_view_sim_record(ev->sim);
}

/*
 * The observer: keeps the record if it belongs to the newest job of its
 * kind (a newer job replaces the one shown) and has the screen redrawn.
 */
static void
ui_view_observe(void *arg, const struct lsnn_train_event *ev)
{
	(void)arg;
	if (strcmp(ev->kind, "simulate") == 0) {
		ui_view_sim_observe(ev);
		ui_screen_dirty(UI_DIRTY_VIEW);
		ui_session_tick();
		return;
	}
	if (ev->job < ui_view.job)
		return;
	if (ev->job > ui_view.job)
		ui_view_reset(ev->job);
	if (ev->rec == NULL)
		ui_view_end(ev);
	else if (ev->rec->kind == TRAIN_REC_BATCH)
		ui_view_batch(ev->rec);
	else {
		ui_view.epoch = *ev->rec;
		ui_view.epoch.layer = NULL;
		ui_view.nepoch++;
		ui_view_push(&ui_view.train_acc, 100 * ev->rec->acc);
		ui_view_push(&ui_view.test_acc, 100 * ev->rec->test_acc);
	}
	ui_screen_dirty(UI_DIRTY_VIEW);
	ui_session_tick();
}

/* Starts observing training records. */
void
ui_view_open(void)
{
	memset(&ui_view, 0, sizeof ui_view);
	lsnn_train_set_observer(ui_view_observe, NULL);
}

/* Stops observing. */
void
ui_view_close(void)
{
	lsnn_train_set_observer(NULL, NULL);
	free(ui_view.sim.acc);
	ui_view.sim.acc = NULL;
}

/* Makes the next panel the large one. */
void
ui_view_cycle(void)
{
	ui_view.large = (ui_view.large + 1) % UI_VIEW_NPANELS;
	ui_screen_dirty(UI_DIRTY_VIEW);
}

/* Notes that the session asked job to stop, and says so in the log. */
void
ui_view_stopping(int job)
{
	if (job == ui_view.sim.job) {
		ui_view.sim.stopping = 1;
		ui_log_printf(UI_LOG_NOTE, "stopping job %d after this batch "
		    "(its result covers the images done)", job);
	} else {
		ui_view.stopping |= job == ui_view.job;
		ui_log_printf(UI_LOG_NOTE, "stopping job %d after this batch "
		    "(its checkpoint is kept)", job);
	}
	ui_screen_dirty(UI_DIRTY_VIEW);
}

/* Whether the status line shows the simulation (the newer job). */
static int
ui_view_showing_sim(void)
{
	return ui_view.sim.job > ui_view.job;
}

/* Returns the state of the job shown, as the status line names it. */
static const char *
ui_view_state(void)
{
	struct job	*job = lsnn_train_current();
	enum job_state	 s;
	int		 id = ui_view.job, done = ui_view.done;
	int		 stopping = ui_view.stopping;
	enum job_state	 end = ui_view.end;

	if (ui_view_showing_sim()) {
		id = ui_view.sim.job;
		done = ui_view.sim.done;
		stopping = ui_view.sim.stopping;
		end = ui_view.sim.end;
	}
	if (done)
		return job_state_name(end);
	if (job == NULL || job_id(job) != id)
		return "running";
	s = job_state(job);
	if (s == JOB_RUNNING && stopping)
		return "stopping";
	return job_state_name(s);
}

/* Formats seconds as h:mm:ss or m:ss into buf. */
static void
ui_view_clock(double seconds, char *buf, size_t len)
{
	long	s = isfinite(seconds) && seconds > 0 ? lround(seconds) : 0;

	if (s >= 3600)
		snprintf(buf, len, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60,
		    s % 60);
	else
		snprintf(buf, len, "%ld:%02ld", s / 60, s % 60);
}

/* Draws the progress bar of done of total, width cells between brackets. */
static void
ui_view_bar(double done, double total, int width, int *skip, int *room)
{
	int	i, full;

	full = total > 0 ? (int)(width * done / total) : 0;
	ui_text_put("[", 1, skip, room);
	for (i = 0; i < width; i++) {
		ui_screen_style(i < full ? UI_STYLE_NORMAL : UI_STYLE_AXIS);
		if (ui_screen_utf8())
			ui_text_put(i < full ? "\u2588" : "\u2591",
			    strlen("\u2588"), skip, room);
		else
			ui_text_put(i < full ? "#" : "-", 1, skip, room);
	}
	ui_screen_style(UI_STYLE_NORMAL);
	ui_text_put("]", 1, skip, room);
}

/* Draws one " | text" piece of the status line. */
static void
ui_view_piece(const char *text, int *skip, int *room)
{
	ui_screen_style(UI_STYLE_AXIS);
	ui_text_put(" | ", 3, skip, room);
	ui_screen_style(UI_STYLE_NORMAL);
	ui_text_put(text, strlen(text), skip, room);
}

/*
 * Marks the view to be drawn when the state of the job shown is not the
 * one last drawn: a job pauses between batches and posts no record then.
 */
void
ui_view_poll(void)
{
	if ((ui_view.job != 0 || ui_view.sim.job != 0) &&
	    ui_view.shown != NULL &&
	    strcmp(ui_view.shown, ui_view_state()) != 0)
		ui_screen_dirty(UI_DIRTY_VIEW);
}

/*
 * Draws the rest of the status line of a simulation: T, progress bar and
 * images, images a second and the time left while it runs, how long it
 * took once ended, and the accuracy at T so far.
 */
static void
ui_view_sim_status(struct ui_rect r, int *skip, int *room)
{
	const struct lsnn_simulate_record	*b = &ui_view.sim.rec;
	char					 buf[128], t[32];

	if (b->n == 0) {
		ui_view_piece("starting a simulation", skip, room);
		return;
	}
	snprintf(buf, sizeof buf, "simulate T=%d ", b->T);
	ui_view_piece(buf, skip, room);
	ui_view_bar((double)b->n, (double)b->total, r.w >= 100 ? 20 : 10,
	    skip, room);
	snprintf(buf, sizeof buf, " images %zu/%zu", b->n, b->total);
	ui_text_put(buf, strlen(buf), skip, room);
	if (!ui_view.sim.done && strcmp(ui_view.shown, "paused") == 0)
		snprintf(buf, sizeof buf, "paused: job:resume() goes on");
	else if (!ui_view.sim.done) {
		snprintf(buf, sizeof buf, "%.0f images/s", b->seconds > 0 ?
		    (double)b->n / b->seconds : 0);
		ui_view_piece(buf, skip, room);
		ui_view_clock(b->seconds * (double)(b->total - b->n) /
		    (double)b->n, t, sizeof t);
		snprintf(buf, sizeof buf, "ETA %s", t);
	} else {
		ui_view_clock(b->seconds, t, sizeof t);
		snprintf(buf, sizeof buf, "took %s", t);
	}
	ui_view_piece(buf, skip, room);
	snprintf(buf, sizeof buf, "accuracy %.1f%% at t=%d",
	    ui_view.sim.acc[b->T - 1], b->T);
	ui_view_piece(buf, skip, room);
}

/*
 * Draws the status line in r: the job and its state, then epoch, progress
 * bar and batch, samples a second, the time left and the loss while it
 * runs (not the time left while paused), or how it ended.
 */
void
ui_view_draw_status(struct ui_rect r)
{
	const struct train_record	*b = &ui_view.batch;
	char				 buf[128], t[32];
	double				 done, total;
	int				 skip = 0, room = r.w;

	ui_screen_blank(r);
	move(r.y, r.x);
	ui_screen_style(UI_STYLE_BAR);
	if (ui_view.job == 0 && ui_view.sim.job == 0) {
		ui_text_put(" snnwb ", 7, &skip, &room);
		ui_view_piece("no training job yet; F1 for help", &skip,
		    &room);
		return;
	}
	ui_view.shown = ui_view_state();
	snprintf(buf, sizeof buf, " job %d %s ", ui_view_showing_sim() ?
	    ui_view.sim.job : ui_view.job, ui_view.shown);
	ui_text_put(buf, strlen(buf), &skip, &room);
	ui_screen_style(UI_STYLE_NORMAL);
	if (ui_view_showing_sim()) {
		ui_view_sim_status(r, &skip, &room);
		return;
	}
	if (ui_view.nbatch == 0) {
		ui_view_piece("starting", &skip, &room);
		return;
	}
	snprintf(buf, sizeof buf, "epoch %d/%d ", b->epoch, b->epochs);
	ui_view_piece(buf, &skip, &room);
	ui_view_bar(b->batch, b->nbatches, r.w >= 100 ? 20 : 10, &skip,
	    &room);
	snprintf(buf, sizeof buf, " %d/%d", b->batch, b->nbatches);
	ui_text_put(buf, strlen(buf), &skip, &room);
	if (ui_view.nepoch > 0 && ui_view.epoch.dead)
		ui_view_piece("DEAD: a layer silent, loss constant", &skip,
		    &room);
	if (!ui_view.done && strcmp(ui_view.shown, "paused") == 0)
		snprintf(buf, sizeof buf, "paused: job:resume() goes on");
	else if (!ui_view.done) {
		snprintf(buf, sizeof buf, "%.0f samples/s", b->samples_per_s);
		ui_view_piece(buf, &skip, &room);
		done = (double)(b->epoch - 1) * b->nbatches + b->batch;
		total = (double)b->epochs * b->nbatches;
		ui_view_clock(done > 0 ? b->seconds * (total - done) / done :
		    0, t, sizeof t);
		snprintf(buf, sizeof buf, "ETA %s", t);
	} else {
		ui_view_clock(b->seconds, t, sizeof t);
		snprintf(buf, sizeof buf, "took %s", t);
	}
	ui_view_piece(buf, &skip, &room);
	snprintf(buf, sizeof buf, "loss %.4g", b->loss);
	ui_view_piece(buf, &skip, &room);
}

/* Returns what an empty panel of training numbers says. */
static const char *
ui_view_waiting(void)
{
	if (ui_view.job == 0)
		return "no training job yet: snn.train{...} starts one";
	return ui_view.done ? "the job ended before this" :
	    "waiting for the first batch";
}

/* Fills lines with one line a spiking layer of the series in s. */
static int
ui_view_layers(const struct ui_view_series *s, struct ui_chart_line *lines)
{
	int	i;

	for (i = 0; i < ui_view.nlayers; i++) {
		lines[i].v = s[i].v;
		lines[i].n = s[i].n;
		lines[i].label = ui_view.label[i];
		lines[i].style = (enum ui_style)(UI_STYLE_SERIES + i);
	}
	return i;
}

/*
 * Fills lines with the newest batch's histogram of H - v_threshold of each
 * spiking layer, none when the batch has none.
 */
static int
ui_view_hist(struct ui_chart_line *lines)
{
	const struct train_record	*b = &ui_view.batch;
	int				 i;

	if (b->hist_bins == 0)
		return 0;
	for (i = 0; i < ui_view.nlayers; i++) {
		lines[i].v = ui_view.hist[i];
		lines[i].n = (size_t)b->hist_bins;
		lines[i].label = ui_view.label[i];
		lines[i].style = (enum ui_style)(UI_STYLE_SERIES + i);
	}
	return i;
}

/*
 * Returns the title of a per-layer chart, with the number of layers left
 * out when the network has more than the chart shows.
 */
static const char *
ui_view_title(char *buf, size_t len, const char *what)
{
	if (ui_view.all > ui_view.nlayers)
		snprintf(buf, len, "%s (first %d of %d layers)", what,
		    ui_view.nlayers, ui_view.all);
	else
		snprintf(buf, len, "%s", what);
	return buf;
}

/*
 * Draws the unevenness panel in r: per converted layer of the simulation
 * shown, the fraction of uneven neurons and the mean |e| at its last
 * analysis step over the images so far.
 */
static void
ui_view_uneven(struct ui_rect r)
{
	const struct ui_view_sim	*s = &ui_view.sim;
	struct ui_bars			 b;
	char				 title[96];

	memset(&b, 0, sizeof b);
	b.nseries = 2;
	b.name[0] = "fraction uneven";
	b.name[1] = "mean |e|";
	b.v[0] = s->uneven;
	b.v[1] = s->abs_e;
	b.label = s->labels;
	b.n = s->nlayers;
	if (s->job == 0)
		b.empty = "no simulation yet: snn.simulate{..., analysis = "
		    "{T}} shows here, batch by batch, the fraction of uneven "
		    "neurons (spike count not the even one) and the mean "
		    "|e| of each converted layer";
	else if (s->rec.n == 0)
		b.empty = s->done ? "the simulation ended before this" :
		    "waiting for the first batch";
	else
		b.empty = "this simulation has no analysis: snn.simulate{..., "
		    "analysis = {T}} fills this";
	if (s->rec.check > 0) {
		snprintf(title, sizeof title, "layerwise unevenness error "
		    "at T=%d", s->rec.check);
		b.title = title;
	} else
		b.title = "layerwise unevenness error";
	ui_chart_bars(&b, r);
}

/* Draws panel p in region r. */
static void
ui_view_panel(enum ui_view_panel p, struct ui_rect r)
{
	struct ui_chart_line	lines[UI_VIEW_LAYERS];
	struct ui_chart		c;
	char			from[16], to[16], title[3][96];

	memset(&c, 0, sizeof c);
	c.lines = lines;
	c.xunit = "batches";
	c.xcount = ui_view.nbatch;
	c.empty = ui_view_waiting();
	switch (p) {
	case UI_VIEW_LOSS:
		c.title = "loss (log scale)";
		c.log = 1;
		lines[0] = (struct ui_chart_line){ ui_view.loss.v,
		    ui_view.loss.n, "raw", UI_STYLE_FAINT };
		lines[1] = (struct ui_chart_line){ ui_view.smooth.v,
		    ui_view.smooth.n, "smoothed", UI_STYLE_SERIES };
		c.nlines = 2;
		break;
	case UI_VIEW_ACC:
		c.title = "accuracy per epoch (%)";
		c.xunit = "epochs";
		c.xcount = ui_view.nepoch;
		if (ui_view.job != 0 && !ui_view.done)
			c.empty = "no epoch finished yet";
		lines[0] = (struct ui_chart_line){ ui_view.train_acc.v,
		    ui_view.train_acc.n, "train", UI_STYLE_SERIES + 1 };
		lines[1] = (struct ui_chart_line){ ui_view.test_acc.v,
		    ui_view.test_acc.n, "test", UI_STYLE_SERIES + 2 };
		c.nlines = 2;
		break;
	case UI_VIEW_RATE:
		c.title = ui_view_title(title[0], sizeof title[0],
		    "spike rate");
		c.nlines = ui_view_layers(ui_view.rate, lines);
		break;
	case UI_VIEW_SPARSITY:
		c.title = ui_view_title(title[1], sizeof title[1],
		    "surrogate-gradient sparsity");
		c.nlines = ui_view_layers(ui_view.zero, lines);
		break;
	case UI_VIEW_HIST:
		c.title = ui_view_title(title[2], sizeof title[2],
		    "membrane histogram (H - threshold)");
		snprintf(from, sizeof from, "%g", TRAIN_HISTLO);
		snprintf(to, sizeof to, "%g", TRAIN_HISTHI);
		c.xfrom = from;
		c.xto = to;
		if (ui_view.nbatch > 0)
			c.empty = "no data (snn.train{histogram=true})";
		c.nlines = ui_view_hist(lines);
		break;
	case UI_VIEW_SIMACC:
		c.title = "accuracy against t";
		c.xunit = "t";
		c.xcount = (size_t)ui_view.sim.rec.T;
		c.empty = ui_view.sim.job == 0 ? "no simulation yet: "
		    "snn.simulate{...} charts here the accuracy at each t "
		    "over the images so far" : "waiting for the first batch";
		lines[0] = (struct ui_chart_line){ ui_view.sim.acc,
		    ui_view.sim.rec.n > 0 ? (size_t)ui_view.sim.rec.T : 0,
		    "SNN", UI_STYLE_SERIES };
		lines[1] = (struct ui_chart_line){ ui_view.sim.ann, 2, "ANN",
		    UI_STYLE_SERIES + 1 };
		c.nlines = ui_view.sim.rec.n > 0 &&
		    isfinite(ui_view.sim.ann[0]) ? 2 : 1;
		break;
	default:
		ui_view_uneven(r);
		return;
	}
	ui_chart_draw(&c, r);
}

/*
 * Draws the panels in r: the large one on the left, as many of the others
 * as fit (three rows each at least) stacked on the right; on a narrow or
 * short terminal only the large one.
 */
void
ui_view_draw_charts(struct ui_rect r)
{
	struct ui_rect	big = r, small;
	int		i, k, y;

	ui_screen_blank(r);
	if (r.w < 80 || r.h < 8) {
		ui_view_panel(ui_view.large, big);
		return;
	}
	big.w = r.w * 3 / 5;
	ui_view_panel(ui_view.large, big);
	k = r.h / 3 < UI_VIEW_NPANELS - 1 ? r.h / 3 : UI_VIEW_NPANELS - 1;
	small.x = r.x + big.w + 1;
	small.w = r.w - big.w - 1;
	for (i = 0, y = r.y; i < k; i++, y += small.h) {
		small.y = y;
		small.h = i + 1 < k ? r.h / k : r.y + r.h - y;
		ui_view_panel((ui_view.large + 1 + i) % UI_VIEW_NPANELS,
		    small);
	}
}
