/*
 * train.c: the training loop and evaluation, for SNNs and ANNs (T = 1)
 * alike. One batch: reset the neurons, forward over [T, B, ...], the loss
 * on the mean over T of the output (spike rate or logits), backward, one
 * optimizer step that also zeroes the gradients for the next batch (they
 * are zeroed once before the first); a progress record per batch and per
 * epoch; after each epoch the test set is evaluated, metrics.csv appended
 * and the checkpoint rewritten atomically, with the optimizer state in a
 * file of its own and the best epoch's weights beside them. A run that
 * diverges (train_diverged) stops with a message naming the epoch; the
 * checkpoints of the epochs before it stay as they were.
 */
#include <sys/stat.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "nn.h"

/* Parameters larger in magnitude than this mean a run diverged. */
#define TRAIN_WEIGHT_BOUND 1e4

/* Fills the defaults: 1 epoch, batch 64, Adam 1e-3, MSE on the rate. */
void
train_defaults(struct train_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->epochs = 1;
	cfg->batch = 64;
	cfg->seed = 0;
	cfg->loss = TRAIN_LOSS_MSE_RATE;
	cfg->temperature = 0.1f;
	optim_init(&cfg->optim, "adam", NULL);
	schedule_init(&cfg->schedule, "constant", NULL);
}

/* The losses by name, in enum train_loss order. */
static const char *const train_loss_names[] = { "mse_rate", "ce_rate",
    "ce" };

/* Returns the name of a loss: "mse_rate", "ce_rate" or "ce". */
const char *
train_loss_name(enum train_loss loss)
{
	return train_loss_names[loss];
}

/* Sets *loss from its name; -1 with a message naming the choices. */
int
train_loss_parse(const char *name, enum train_loss *loss, char **cause)
{
	int	i;

	for (i = 0; i <= TRAIN_LOSS_CE; i++)
		if (strcmp(name, train_loss_names[i]) == 0) {
			*loss = (enum train_loss)i;
			return 0;
		}
	return error_set(cause, "unknown loss \"%s\" (choose mse_rate or "
	    "ce_rate for spikes, ce for logits)", name);
}

/*
 * Computes the loss (and ds when not NULL) for the output s (T, B, C):
 * on the spike rate, or cross-entropy on the mean logits over T.
 */
static double
train_loss(const struct train_config *cfg, float *ds, const float *s,
    const int *labels, int T, int B, int C)
{
	if (cfg->loss == TRAIN_LOSS_CE_RATE)
		return loss_ce_rate(ds, s, labels, T, B, C, cfg->temperature,
		    0);
	if (cfg->loss == TRAIN_LOSS_CE)
		return loss_ce_rate(ds, s, labels, T, B, C, 1,
		    cfg->label_smoothing);
	return loss_mse_rate(ds, s, labels, T, B, C);
}

/*
 * Returns the predicted class of sample b: the output with the highest
 * sum over T, spike count or logits (the first one on ties, as
 * torch.argmax). s is (T, B, C).
 */
static int
train_predict(const float *s, int T, int B, int C, int b)
{
	double	best = -INFINITY, sum;
	int	c, t, arg = 0;

	for (c = 0; c < C; c++) {
		sum = 0;
		for (t = 0; t < T; t++)
			sum += s[((size_t)t * B + b) * C + c];
		if (sum > best) {
			best = sum;
			arg = c;
		}
	}
	return arg;
}

/* Checks that the network's output per sample is a vector of classes. */
static int
train_classes(const struct net *net, int *C, char **cause)
{
	int	shape[TENSOR_MAXDIM], nd = net_out_shape(net, shape);

	if (nd != 1)
		return error_set(cause, "the network's output per sample must "
		    "be a vector of class scores, not %d-dimensional", nd);
	*C = shape[0];
	return 0;
}

/*
 * Checks that every label of a batch is a class the network outputs; the
 * message counts the samples of the whole set from 1, as Lua does.
 */
static int
train_check_labels(const struct batch *b, int C, char **cause)
{
	int	i;

	for (i = 0; i < b->B; i++)
		if (b->labels[i] < 0 || b->labels[i] >= C)
			return error_set(cause, "sample %llu has label %d but "
			    "the network has %d outputs",
			    (unsigned long long)b->sample[i] + 1,
			    b->labels[i], C);
	return 0;
}

/*
 * Evaluates net on the samples index (nindex; NULL: all) of ds in batches:
 * mean loss, accuracy and the confusion matrix (rows: true class). out->
 * confusion is allocated (C * C) and freed with train_eval_free.
 */
int
train_evaluate(struct net *net, const struct dataset *ds,
    const uint32_t *index, size_t nindex, int batch, enum train_loss loss,
    float temperature, float smoothing, struct train_eval *out,
    char **cause)
{
	struct train_config	 cfg;
	struct loader_opts	 lo;
	struct loader		*l;
	struct batch		 b;
	const float		*s;
	double			 sum = 0;
	size_t			 n = 0, right = 0;
	int			 shape[3] = { ds->channels, ds->height,
				     ds->width };
	int			 i, rc, C = 0, pred, training = net->training;

	memset(out, 0, sizeof *out);
	memset(&cfg, 0, sizeof cfg);
	cfg.loss = loss;
	cfg.temperature = temperature;
	cfg.label_smoothing = smoothing;
	data_loader_defaults(&lo);
	lo.batch = batch;
	lo.shuffle = 0;
	lo.index = index;
	lo.nindex = nindex;
	if ((l = data_loader_new(ds, &lo, cause)) == NULL)
		return -1;
	net_set_training(net, 0);
	if ((rc = data_loader_start_epoch(l, 1, cause)) != 0)
		goto out;
	while ((rc = data_loader_next(l, &b, cause)) == 1) {
		net_reset(net);
		if ((rc = net_forward(net, b.x, b.T, b.B, 3, shape, &s,
		    cause)) != 0)
			break;
		if (out->confusion == NULL) {
			if ((rc = train_classes(net, &C, cause)) != 0)
				break;
			out->classes = C;
			out->confusion = mem_calloc((size_t)C * C,
			    sizeof *out->confusion);
			if (out->confusion == NULL) {
				rc = error_set(cause, "out of memory");
				break;
			}
		}
		if ((rc = train_check_labels(&b, C, cause)) != 0)
			break;
		sum += train_loss(&cfg, NULL, s, b.labels, b.T, b.B, C) * b.B;
		for (i = 0; i < b.B; i++) {
			pred = train_predict(s, b.T, b.B, C, i);
			out->confusion[(size_t)b.labels[i] * C + pred]++;
			right += pred == b.labels[i];
		}
		n += (size_t)b.B;
	}
out:
	net_set_training(net, training);
	data_loader_free(l);
	if (rc < 0) {
		train_eval_free(out);
		return -1;
	}
	out->n = n;
	out->loss = n > 0 ? sum / (double)n : NAN;
	out->acc = n > 0 ? (double)right / (double)n : NAN;
	return 0;
}

/* Frees what train_evaluate allocated. */
void
train_eval_free(struct train_eval *e)
{
	mem_free(e->confusion);
	e->confusion = NULL;
}

/*
 * Fills lr's histogram from neuron module m's H - v_threshold over the
 * last forward, as fractions of its T * B * N values.
 */
static void
train_layer_hist(const struct net *net, struct module *m,
    struct train_layer *lr)
{
	struct hist	h;
	size_t		n = (size_t)net->T * net->B * m->in_size;
	int		j;

	h.bins = TRAIN_HISTBINS;
	h.lo = TRAIN_HISTLO;
	h.hi = TRAIN_HISTHI;
	hist_count(&h, layer_neuron_h(m), n,
	    layer_neuron_config(m)->v_threshold);
	for (j = 0; j < TRAIN_HISTBINS; j++)
		lr->hist[j] = (double)h.counts[j] / (double)n;
	lr->hist_below = (double)h.below / (double)n;
	lr->hist_above = (double)h.above / (double)n;
}

/*
 * Copies the statistics of every activation layer into rec->layer (which
 * has room for them), with the neurons' histograms when the
 * configuration asks for them.
 */
static void
train_layer_stats(const struct train_config *cfg, struct train_record *rec)
{
	const struct net	*net = cfg->net;
	struct module		*m;
	struct train_layer	*lr;
	int			 i;

	rec->nlayers = net->nstats;
	rec->names = (const char *const *)net->stats_name;
	rec->hist_bins = cfg->histogram ? TRAIN_HISTBINS : 0;
	for (i = 0; i < net->nstats; i++) {
		m = net->stats[i];
		lr = &rec->layer[i];
		lr->rate = m->stats.rate;
		lr->sg_zero = m->stats.sg_zero;
		lr->sg_small = m->stats.sg_small;
		lr->zero_rows = m->stats.zero_rows;
		if (cfg->histogram && layer_neuron_config(m) != NULL)
			train_layer_hist(net, m, lr);
	}
}

/* Frees what a record owns (its layer statistics). */
void
train_record_free(void *p)
{
	struct train_record	*rec = p;

	mem_free(rec->layer);
	rec->layer = NULL;
	rec->nlayers = 0;
}

/* Returns a copy of rec's layer statistics, or NULL (none, or no memory). */
static struct train_layer *
train_layers_copy(const struct train_record *rec)
{
	struct train_layer	*l;

	if (rec->nlayers == 0 || (l = mem_alloc((size_t)rec->nlayers *
	    sizeof *l)) == NULL)
		return NULL;
	memcpy(l, rec->layer, (size_t)rec->nlayers * sizeof *l);
	return l;
}

/* Returns nonzero when every v[i] (n) is finite. */
static int
train_finite(const float *v, size_t n)
{
	size_t	i;
	int	bad = 0;

	for (i = 0; i < n; i++)
		bad |= !isfinite(v[i]);
	return !bad;
}

/* The state of one training run, shared by the loop's helpers. */
struct train_state {
	struct train_config	*cfg;
	struct job		*job;		/* NULL: run synchronously */
	struct loader		*loader;
	struct run		*run;
	char			*ckpt;		/* checkpoint path or NULL */
	char			*best;		/* best epoch's weights */
	double			 best_value;	/* its test_acc, or -loss */
	double			 low_loss;	/* lowest epoch loss so far */
	int			 saved;		/* last epoch checkpointed */
	float			*dout;		/* (T, batch, C) */
	float			*m;		/* (nparams) optimizer state */
	float			*v;		/* (nparams) optimizer state */
	double			 start;
	int			 C;
	struct train_record	 rec;		/* the one being filled */
	struct train_layer	*layers;	/* (net->nstats) its layers */
};

/*
 * Hands a copy of rec to the job (which then owns its layer statistics)
 * or to the synchronous callback, and writes it to the run directory.
 */
static void
train_emit(struct train_state *st, const struct train_record *rec)
{
	struct train_record	copy = *rec;

	if (st->run != NULL)
		run_record(st->run, rec);
	if (st->job != NULL) {
		copy.layer = train_layers_copy(rec);
		copy.nlayers = copy.layer != NULL ? rec->nlayers : 0;
		job_post(st->job, &copy);
	} else if (st->cfg->emit != NULL)
		st->cfg->emit(st->cfg->emit_arg, rec);
}

/* Returns the JSON text of the run's configuration; the caller frees it. */
static char *
train_config_json(const struct train_config *cfg)
{
	json_t		*root = json_object(), *o, *m, *data;
	char		*net, *s;
	int		 i;

	net = net_json_describe(cfg->net);
	json_object_set_new(root, "snnwb_version",
	    json_string(PACKAGE_VERSION));
	json_object_set_new(root, "net", net != NULL ?
	    json_loads(net, 0, NULL) : json_null());
	free(net);
	o = json_object();
	json_object_set_new(o, "name", json_string(optim_name(&cfg->optim)));
	json_object_set_new(o, "lr", json_real(cfg->optim.lr));
	json_object_set_new(o, "weight_decay",
	    json_real(cfg->optim.weight_decay));
	if (cfg->optim.kind == OPTIM_SGD) {
		json_object_set_new(o, "momentum",
		    json_real(cfg->optim.momentum));
		json_object_set_new(o, "nesterov",
		    json_boolean(cfg->optim.nesterov));
	} else {
		json_object_set_new(o, "betas", json_pack("[f, f]",
		    (double)cfg->optim.beta1, (double)cfg->optim.beta2));
		json_object_set_new(o, "eps", json_real(cfg->optim.eps));
	}
	json_object_set_new(root, "optimizer", o);
	o = json_object();
	json_object_set_new(o, "name",
	    json_string(schedule_name(&cfg->schedule)));
	if (cfg->schedule.kind == SCHEDULE_STEP) {
		json_object_set_new(o, "step_size",
		    json_integer(cfg->schedule.step_size));
		json_object_set_new(o, "gamma",
		    json_real(cfg->schedule.gamma));
	} else if (cfg->schedule.kind == SCHEDULE_COSINE) {
		json_object_set_new(o, "t_max",
		    json_integer(cfg->schedule.t_max));
		json_object_set_new(o, "eta_min",
		    json_real(cfg->schedule.eta_min));
	} else if (cfg->schedule.kind == SCHEDULE_MULTISTEP) {
		m = json_array();
		for (i = 0; i < cfg->schedule.nmilestones; i++)
			json_array_append_new(m,
			    json_integer(cfg->schedule.milestones[i]));
		json_object_set_new(o, "milestones", m);
		json_object_set_new(o, "gamma",
		    json_real(cfg->schedule.gamma));
	}
	json_object_set_new(root, "schedule", o);
	if (cfg->clip_grad_norm > 0)
		json_object_set_new(root, "clip_grad_norm",
		    json_real(cfg->clip_grad_norm));
	json_object_set_new(root, "loss",
	    json_string(train_loss_name(cfg->loss)));
	if (cfg->loss == TRAIN_LOSS_CE_RATE)
		json_object_set_new(root, "temperature",
		    json_real(cfg->temperature));
	if (cfg->loss == TRAIN_LOSS_CE)
		json_object_set_new(root, "label_smoothing",
		    json_real(cfg->label_smoothing));
	json_object_set_new(root, "epochs", json_integer(cfg->epochs));
	json_object_set_new(root, "batch", json_integer(cfg->batch));
	json_object_set_new(root, "drop_last", json_boolean(cfg->drop_last));
	json_object_set_new(root, "seed", json_integer((json_int_t)cfg->seed));
	json_object_set_new(root, "threads", json_integer(blas_threads()));
	data = cfg->data_json != NULL ? json_loads(cfg->data_json, 0, NULL) :
	    NULL;
	json_object_set_new(root, "data", data != NULL ? data : json_null());
	s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	return s;
}

/* Returns the path of the optimizer state of epoch; the caller frees it. */
static char *
train_state_path(const struct train_state *st, int epoch)
{
	char	name[64];

	snprintf(name, sizeof name, "optimizer-%d.safetensors", epoch);
	return run_path(st->run, name);
}

/*
 * Sets st->best_value from the metadata "snnwb.best" of the best epoch's
 * weights of a resumed run, when they were chosen the way this run
 * chooses them (by test accuracy with a test set, else by train loss).
 */
static void
train_best_resume(struct train_state *st)
{
	struct st_file	 f;
	const char	*s;
	char		*why = NULL, kind[16];
	double		 v;

	if (safetensors_read_header(st->best, &f, &why) != 0) {
		free(why);
		return;
	}
	if ((s = safetensors_meta(&f, "snnwb.best")) != NULL &&
	    sscanf(s, "%15[a-z_]=%lf", kind, &v) == 2 && isfinite(v) &&
	    strcmp(kind, st->cfg->test != NULL ? "test_acc" : "loss") == 0)
		st->best_value = st->cfg->test != NULL ? v : -v;
	safetensors_free(&f);
}

/*
 * Restores the network, the optimizer state and its counters from the
 * checkpoint of a resumed run; *keep is the last epoch it finished.
 */
static int
train_resume(struct train_state *st, int *keep, char **cause)
{
	struct train_config	*cfg = st->cfg;
	struct checkpoint	 ck;
	char			*path;
	int			 rc;

	memset(&ck, 0, sizeof ck);
	ck.m = st->m;
	ck.v = st->v;
	if (checkpoint_restore(st->ckpt, cfg->net, &ck, cause) != 0)
		return -1;
	if (ck.epoch < 1 || ck.epoch > cfg->epochs)
		return error_set(cause, "%s is the checkpoint of epoch %d, "
		    "not of one of this run's epochs 1 to %d", st->ckpt,
		    ck.epoch, cfg->epochs);
	if (!ck.has_state) {
		if ((path = train_state_path(st, ck.epoch)) == NULL)
			return error_set(cause, "out of memory");
		rc = checkpoint_restore_state(path, cfg->net, &ck, cause);
		free(path);
		if (rc != 0)
			return -1;
	}
	cfg->optim.step = ck.step;
	*keep = st->saved = ck.epoch;
	train_best_resume(st);
	return 0;
}

/*
 * Opens and locks the run directory. A directory that holds a run (its
 * checkpoint) is resumed with cfg->resume, replaced with cfg->overwrite
 * and otherwise refused; *first is the first epoch to train.
 */
static int
train_open_run(struct train_state *st, int *first, char **cause)
{
	struct train_config	*cfg = st->cfg;
	char			*config;
	int			 keep = -1, held;

	*first = 1;
	if (cfg->run_dir == NULL)
		return 0;
	if (cfg->resume && cfg->overwrite)
		return error_set(cause, "resume and overwrite exclude each "
		    "other");
	if ((st->run = run_open(cfg->run_dir, cause)) == NULL)
		return -1;
	if ((st->ckpt = run_path(st->run, "checkpoint.safetensors")) ==
	    NULL || (st->best = run_path(st->run, "best.safetensors")) ==
	    NULL)
		return error_set(cause, "out of memory");
	held = file_exists(st->ckpt);
	if (held && !cfg->resume && !cfg->overwrite)
		return error_set(cause, "%s holds a run already (%s): pass "
		    "resume = true to continue it or overwrite = true to "
		    "replace it", cfg->run_dir, "checkpoint.safetensors");
	if (cfg->overwrite && run_clear(st->run, -1, cause) != 0)
		return -1;
	if (cfg->resume) {
		keep = 0;
		if (held && (train_resume(st, &keep, cause) != 0 ||
		    run_clear(st->run, keep, cause) != 0))
			return -1;
		*first = keep + 1;
	}
	if (run_check_columns(st->run, keep, cfg->net->nstats,
	    (const char *const *)cfg->net->stats_name, cause) != 0)
		return -1;
	if ((config = train_config_json(cfg)) == NULL)
		return error_set(cause, "out of memory");
	if (run_start(st->run, config, keep, cause) != 0) {
		free(config);
		return -1;
	}
	free(config);
	return 0;
}

/*
 * Returns what a stopped run keeps, for its message: its checkpoint and
 * best epoch's weights, if any; the caller frees it.
 */
static char *
train_kept(const struct train_state *st)
{
	if (st->ckpt == NULL)
		return error_printf("%s", "");
	if (st->saved == 0)
		return error_printf("; no epoch finished, so %s holds no "
		    "checkpoint", run_dir(st->run));
	return error_printf("; %s holds the checkpoint of epoch %d and %s "
	    "the weights of the best epoch", run_dir(st->run), st->saved,
	    "best.safetensors");
}

/*
 * Stops the run with a message: what went wrong (why, allocated, taken
 * over; NULL when out of memory) and what the run directory keeps.
 */
static int
train_stop(const struct train_state *st, char *why, char **cause)
{
	char	*kept = train_kept(st);

	error_set(cause, "%s: training stopped%s", why != NULL ? why :
	    "out of memory", kept != NULL ? kept : "");
	free(kept);
	free(why);
	return -1;
}

/* Reports that what became NaN or infinite in the batch of rec. */
static int
train_blowup(const struct train_state *st, const char *what,
    const struct train_record *rec, char **cause)
{
	return train_stop(st, error_printf("%s became NaN or infinite at "
	    "epoch %d, batch %d", what, rec->epoch, rec->batch), cause);
}

/* Trains on one batch and fills the batch fields of rec. */
static int
train_batch(struct train_state *st, const struct batch *b,
    const struct dataset *ds, struct train_record *rec, char **cause)
{
	struct train_config	*cfg = st->cfg;
	struct optim_param	 p;
	const float		*s;
	int			 shape[3] = { ds->channels, ds->height,
				     ds->width };
	int			 i, right = 0;

	net_reset(cfg->net);
	if (net_forward(cfg->net, b->x, b->T, b->B, 3, shape, &s, cause) != 0)
		return -1;
	if (st->C == 0 && train_classes(cfg->net, &st->C, cause) != 0)
		return -1;
	if (train_check_labels(b, st->C, cause) != 0)
		return -1;
	if (st->dout == NULL && (st->dout = mem_alloc((size_t)b->T *
	    data_loader_most(st->loader) * (size_t)st->C *
	    sizeof *st->dout)) == NULL)
		return error_set(cause, "out of memory");
	rec->loss = train_loss(cfg, st->dout, s, b->labels, b->T, b->B,
	    st->C);
	if (!isfinite(rec->loss))
		return train_blowup(st, "the loss", rec, cause);
	if (net_backward(cfg->net, st->dout, NULL, cause) != 0)
		return -1;
	if (!train_finite(cfg->net->grads, cfg->net->nparams))
		return train_blowup(st, "a gradient", rec, cause);
	p.p = cfg->net->params;
	p.g = cfg->net->grads;
	p.m = st->m;
	p.v = st->v;
	p.n = cfg->net->nparams;
	if (cfg->clip_grad_norm > 0)
		optim_clip_grad_norm(&p, 1, cfg->clip_grad_norm);
	optim_step_zero(&cfg->optim, &p, 1);
	for (i = 0; i < b->B; i++)
		right += train_predict(s, b->T, b->B, st->C, i) ==
		    b->labels[i];
	rec->acc = (double)right / b->B;
	train_layer_stats(cfg, rec);
	return 0;
}

/*
 * Returns the loss of an output that tells no class from another (equal
 * rates or logits, or none at all for mse_rate) with C classes.
 */
static double
train_chance(const struct train_config *cfg, int C)
{
	if (cfg->loss == TRAIN_LOSS_MSE_RATE)
		return 1.0 / C;
	return log((double)C);
}

/*
 * Stops a run that diverged in the epoch of rec: a parameter NaN,
 * infinite or larger in magnitude than TRAIN_WEIGHT_BOUND, or the epoch's
 * mean loss at or above chance (train_chance) after an earlier epoch of
 * this process had brought it below half of chance.
 */
static int
train_diverged(struct train_state *st, const struct train_record *rec,
    char **cause)
{
	const struct net	*net = st->cfg->net;
	const struct mparam	*p;
	double			 chance = train_chance(st->cfg, st->C);
	size_t			 j;
	int			 i;

	for (i = 0; i < net->nparam_tensors; i++) {
		p = net->tensor[i].p;
		for (j = 0; j < p->n; j++)
			if (!(fabsf(p->data[j]) <= TRAIN_WEIGHT_BOUND))
				return train_stop(st, error_printf("training "
				    "diverged in epoch %d: a value of %s is "
				    "%g, beyond %g", rec->epoch,
				    net->tensor[i].name, (double)p->data[j],
				    TRAIN_WEIGHT_BOUND), cause);
	}
	if (rec->loss >= chance && st->low_loss < chance / 2)
		return train_stop(st, error_printf("training diverged in epoch "
		    "%d: its loss %.4g is back at chance (%.4g) after falling "
		    "to %.4g", rec->epoch, rec->loss, chance, st->low_loss),
		    cause);
	if (rec->loss < st->low_loss)
		st->low_loss = rec->loss;
	return 0;
}

/*
 * Writes the run directory's files for the epoch of rec: the optimizer
 * state, then the checkpoint that claims it (the state of the epoch
 * before goes), then the weights as best.safetensors when the epoch is
 * the best so far (by test accuracy with a test set, else by train loss).
 */
static int
train_save(struct train_state *st, const struct train_record *rec,
    const struct checkpoint *ck, char **cause)
{
	struct train_config	*cfg = st->cfg;
	const char		*meta[3] = { "snnwb.best", NULL, NULL };
	char			*path, best[64];
	double			 value;
	int			 rc;

	if ((path = train_state_path(st, rec->epoch)) == NULL)
		return error_set(cause, "out of memory");
	rc = checkpoint_save_state(path, cfg->net, ck, cause);
	free(path);
	if (rc != 0 || checkpoint_save(st->ckpt, cfg->net, ck, NULL,
	    cause) != 0)
		return -1;
	if (st->saved != 0 && st->saved != rec->epoch &&
	    (path = train_state_path(st, st->saved)) != NULL) {
		unlink(path);
		free(path);
	}
	st->saved = rec->epoch;
	value = cfg->test != NULL ? rec->test_acc : -rec->loss;
	if (!(value > st->best_value))
		return 0;
	snprintf(best, sizeof best, "%s=%.17g", cfg->test != NULL ?
	    "test_acc" : "loss", fabs(value));
	meta[1] = best;
	if (checkpoint_save(st->best, cfg->net, ck, meta, cause) != 0)
		return -1;
	st->best_value = value;
	return 0;
}

/*
 * Evaluates the test set (if any), stops a run that diverged and writes
 * the run directory's files after an epoch.
 */
static int
train_end_epoch(struct train_state *st, struct train_record *rec,
    char **cause)
{
	struct train_config	*cfg = st->cfg;
	struct train_eval	 ev;
	struct checkpoint	 ck;

	rec->test_loss = rec->test_acc = NAN;
	if (cfg->test != NULL) {
		if (train_evaluate(cfg->net, cfg->test, cfg->test_index,
		    cfg->test_nindex, cfg->batch, cfg->loss, cfg->temperature,
		    cfg->label_smoothing, &ev, cause) != 0)
			return -1;
		rec->test_loss = ev.loss;
		rec->test_acc = ev.acc;
		train_eval_free(&ev);
	}
	if (train_diverged(st, rec, cause) != 0)
		return -1;
	if (st->ckpt == NULL)
		return 0;
	memset(&ck, 0, sizeof ck);
	ck.m = st->m;
	ck.v = st->v;
	ck.epoch = rec->epoch;
	ck.step = cfg->optim.step;
	rec->seconds = clock_now() - st->start;
	if (run_sync(st->run, rec, cause) != 0)
		return -1;
	return train_save(st, rec, &ck, cause);
}

/*
 * Returns whether the batch record rec is silent: an activation layer
 * gave no spike (no nonzero output) at all. An epoch whose batches are all
 * silent and have the same loss, to the last bit, is dead: the output no
 * longer depends on the weights, so training cannot move it.
 */
static int
train_silent(const struct train_record *rec)
{
	int	i;

	for (i = 0; i < rec->nlayers; i++)
		if (rec->layer[i].rate == 0)
			return 1;
	return 0;
}

/* Runs the epochs; returns 0 when done or stopped, -1 on error. */
static int
train_epochs(struct train_state *st, int first, char **cause)
{
	struct train_config	*cfg = st->cfg;
	struct train_record	*r = &st->rec;
	struct batch		 b;
	double			 t0, sum_loss, sum_acc, base_lr = cfg->optim.lr;
	double			 loss0 = 0;
	size_t			 seen;
	int			 epoch, rc, dead;

	for (epoch = first; epoch <= cfg->epochs; epoch++) {
		cfg->optim.lr = schedule_lr(&cfg->schedule, (float)base_lr,
		    epoch - 1);
		net_set_training(cfg->net, 1);
		if (data_loader_start_epoch(st->loader, epoch, cause) != 0)
			return -1;
		memset(r, 0, sizeof *r);
		r->layer = st->layers;
		r->epoch = epoch;
		r->epochs = cfg->epochs;
		r->nbatches = (int)data_loader_batches(st->loader);
		r->lr = cfg->optim.lr;
		r->test_loss = r->test_acc = NAN;
		t0 = clock_now();
		sum_loss = sum_acc = 0;
		seen = 0;
		dead = 1;
		while ((rc = data_loader_next(st->loader, &b, cause)) == 1) {
			if (st->job != NULL && job_between_batches(st->job))
				return 0;
			r->kind = TRAIN_REC_BATCH;
			r->batch = (int)b.index + 1;
			if (train_batch(st, &b, cfg->train, r, cause) != 0)
				return -1;
			if (seen == 0)
				loss0 = r->loss;
			dead &= train_silent(r) && r->loss == loss0;
			seen += (size_t)b.B;
			sum_loss += r->loss * b.B;
			sum_acc += r->acc * b.B;
			r->seconds = clock_now() - st->start;
			r->samples_per_s = (double)seen / (clock_now() - t0);
			train_emit(st, r);
		}
		if (rc < 0)
			return -1;
		r->kind = TRAIN_REC_EPOCH;
		r->dead = seen > 0 && dead;
		r->loss = seen > 0 ? sum_loss / (double)seen : NAN;
		r->acc = seen > 0 ? sum_acc / (double)seen : NAN;
		r->samples_per_s = (double)seen / (clock_now() - t0);
		if (train_end_epoch(st, r, cause) != 0)
			return -1;
		r->seconds = clock_now() - st->start;
		if (st->job != NULL)
			job_lend(st->job);
		train_emit(st, r);
		if (st->job != NULL && job_handover(st->job))
			return 0;
	}
	return 0;
}

/* Checks a configuration before any work starts. */
static int
train_validate(const struct train_config *cfg, char **cause)
{
	if (cfg->net == NULL || cfg->train == NULL)
		return error_set(cause, "train: a network and a training set "
		    "are needed");
	if (cfg->epochs < 1)
		return error_set(cause, "train: epochs must be at least 1, "
		    "got %d", cfg->epochs);
	if (cfg->batch < 1)
		return error_set(cause, "train: batch must be at least 1, "
		    "got %d", cfg->batch);
	if (cfg->loss == TRAIN_LOSS_CE_RATE && !(cfg->temperature > 0))
		return error_set(cause, "train: temperature must be positive");
	if (!(cfg->label_smoothing >= 0 && cfg->label_smoothing < 1))
		return error_set(cause, "train: label_smoothing must be in "
		    "[0, 1)");
	if (!(cfg->clip_grad_norm >= 0 && cfg->clip_grad_norm < INFINITY))
		return error_set(cause, "train: clip_grad_norm must be a "
		    "norm > 0 (0: no clipping), not %g",
		    (double)cfg->clip_grad_norm);
	if (optim_validate(&cfg->optim, cause) != 0 ||
	    schedule_validate(&cfg->schedule, cause) != 0)
		return -1;
	return 0;
}

/*
 * Runs a whole training run: synchronously when job is NULL (records go
 * to cfg->emit), else as the body of job (records are posted to it and
 * pause and stop requests are honoured between batches).
 */
int
train_run(struct train_config *cfg, struct job *job, char **cause)
{
	struct train_state	 st;
	struct loader_opts	 lo;
	int			 first, rc = -1, training;

	if (train_validate(cfg, cause) != 0)
		return -1;
	schedule_fit(&cfg->schedule, cfg->epochs);
	training = cfg->net->training;
	memset(&st, 0, sizeof st);
	st.cfg = cfg;
	st.job = job;
	st.start = clock_now();
	st.best_value = -INFINITY;
	st.low_loss = INFINITY;
	st.m = mem_calloc(cfg->net->nparams, sizeof *st.m);
	st.v = mem_calloc(cfg->net->nparams, sizeof *st.v);
	st.layers = mem_calloc((size_t)cfg->net->nstats + 1,
	    sizeof *st.layers);
	if (st.m == NULL || st.v == NULL || st.layers == NULL) {
		error_set(cause, "out of memory for the optimizer state and "
		    "the layer statistics");
		goto out;
	}
	data_loader_defaults(&lo);
	lo.batch = cfg->batch;
	lo.drop_last = cfg->drop_last;
	lo.shuffle = 1;
	lo.seed = cfg->seed;
	lo.index = cfg->train_index;
	lo.nindex = cfg->train_nindex;
	if ((st.loader = data_loader_new(cfg->train, &lo, cause)) == NULL)
		goto out;
	if (train_open_run(&st, &first, cause) != 0)
		goto out;
	if (job != NULL)
		job_set_hold(job, cfg->hold);
	/* Each step leaves the gradients at 0 for the next one. */
	net_zero_grad(cfg->net);
	rc = train_epochs(&st, first, cause);
	net_set_training(cfg->net, training);
out:
	mem_free(st.layers);
	data_loader_free(st.loader);
	run_close(st.run);
	mem_free(st.dout);
	mem_free(st.m);
	mem_free(st.v);
	free(st.ckpt);
	free(st.best);
	return rc;
}

/* The body of a training job: runs the configuration it was given. */
static int
train_job_main(struct job *job, void *arg, char **cause)
{
	return train_run(arg, job, cause);
}

/*
 * Starts training on a worker thread; cfg (and everything it points at)
 * must stay valid and untouched until the job has ended.
 */
struct job *
train_start(struct train_config *cfg, char **cause)
{
	if (train_validate(cfg, cause) != 0)
		return NULL;
	return job_start(train_job_main, cfg, sizeof(struct train_record),
	    train_record_free, cause);
}
