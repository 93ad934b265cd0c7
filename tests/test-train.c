/*
 * test-train.c: networks, checkpoints, the training loop, run directories
 * and jobs, on a small synthetic task that a two-layer SNN must learn.
 */
#include <sys/stat.h>

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/snnwb.h"
#include "tap.h"

#define NFEAT 8

/*
 * Sample i of the task: class i % 2; class 0 drives features 0..3, class 1
 * features 4..7, with a per-sample strength; sample 13 is inf when the data
 * set's src is non-NULL (to make the loss blow up).
 */
static int
fill_task(const struct dataset *ds, size_t i, float *out, size_t t_stride,
    char **cause)
{
	int	t, f, cls = (int)(i % 2);
	float	amp = 1.5f + 0.1f * (float)(i % 7);

	for (t = 0; t < ds->T; t++)
		for (f = 0; f < NFEAT; f++) {
			out[t * t_stride + f] = (f / 4 == cls) ? amp : 0;
			if (ds->src != NULL && i == 13)
				out[t * t_stride + f] = INFINITY;
		}
	return 0;
}

/* Makes the task's data set of n samples. */
static void
make_task(struct dataset *ds, uint8_t *labels, size_t n, int poison)
{
	size_t	i;

	for (i = 0; i < n; i++)
		labels[i] = (uint8_t)(i % 2);
	memset(ds, 0, sizeof *ds);
	ds->n = n;
	ds->label = labels;
	ds->T = 4;
	ds->channels = 1;
	ds->height = 1;
	ds->width = NFEAT;
	ds->fill = fill_task;
	ds->src = poison ? labels : NULL;
}

/* Builds flatten-linear(8, 16)-LIF-linear(16, 2)-LIF with seed. */
static struct net *
make_net(uint64_t seed)
{
	struct net	*net = net_new();
	struct neuron	 n;
	struct rng	 r;

	rng_seed(&r, seed);
	neuron_defaults(&n, NEURON_LIF);
	n.detach_reset = 1;
	if (net_add_flatten(net, NULL) != 0 ||
	    net_add_linear(net, NFEAT, 16, 1, &r, NULL) != 0 ||
	    net_add_neuron(net, &n, NULL) != 0 ||
	    net_add_linear(net, 16, 2, 0, &r, NULL) != 0 ||
	    net_add_neuron(net, &n, NULL) != 0)
		return NULL;
	return net;
}

/* Collects records of a synchronous run. */
struct collected {
	int	batches;
	int	epochs;
	double	first_loss;
	double	last_loss;
	double	last_test_acc;
	double	last_lr;
	double	spike_rate0;
};

/* Records one progress record into a struct collected. */
static void
collect(void *arg, const struct train_record *rec)
{
	struct collected	*c = arg;

	if (rec->kind == TRAIN_REC_BATCH) {
		c->batches++;
		c->spike_rate0 = rec->layer[0].rate;
	} else if (rec->kind == TRAIN_REC_EPOCH) {
		if (c->epochs++ == 0)
			c->first_loss = rec->loss;
		c->last_loss = rec->loss;
		c->last_test_acc = rec->test_acc;
		c->last_lr = rec->lr;
	}
}

/* Counts the lines of a file that start with prefix. */
static int
count_lines(const char *path, const char *prefix)
{
	FILE	*f = fopen(path, "r");
	char	 line[4096];
	int	 n = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		n += strncmp(line, prefix, strlen(prefix)) == 0;
	fclose(f);
	return n;
}

/* Network mechanics: shapes, errors, descriptions, copies, checkpoints. */
static void
test_net(const char *dir)
{
	struct net	*net = make_net(1), *copy, *back;
	struct rng	 r;
	float		 x[2 * 3 * NFEAT] = { 0 };
	const float	*out;
	char		*cause = NULL, *desc, *desc2, path[512];
	int		 shape[1] = { 7 }, oshape[TENSOR_MAXDIM], rc;

	ok(net != NULL && net->nparams == 8 * 16 + 16 + 16 * 2,
	    "net: parameters counted (%zu)", net->nparams);
	rc = net_forward(net, x, 2, 3, 1, shape, &out, &cause);
	ok(rc == -1 && cause != NULL &&
	    strstr(cause, "1 (linear): input per sample is [7], expected "
	    "last dimension 8"), "net: shape mismatch names layer and "
	    "shapes: %s", cause ? cause : "(none)");
	free(cause);
	cause = NULL;
	back = net_new();
	rc = net_backward(back, x, NULL, &cause);
	ok(rc == -1 && cause != NULL, "net: backward before forward is "
	    "refused");
	free(cause);
	net_free(back);
	shape[0] = NFEAT;
	ok(net_forward(net, x, 2, 3, 1, shape, &out, NULL) == 0 &&
	    net_out_shape(net, oshape) == 1 && oshape[0] == 2,
	    "net: output per sample is [2]");
	desc = net_json_describe(net);
	ok(desc != NULL && strstr(desc, "\"linear\"") &&
	    strstr(desc, "\"sigmoid\""), "net: JSON description");
	copy = net_copy(net, &cause);
	ok(copy != NULL && copy->nparams == net->nparams &&
	    memcmp(copy->params, net->params,
	    net->nparams * sizeof(float)) == 0,
	    "net: a copy has the layers and parameter values");
	rng_seed(&r, 99);
	net_init_params(copy, &r);
	ok(memcmp(copy->params, net->params, net->nparams * sizeof(float))
	    != 0, "net: the copy is independent of the original");
	back = net_json_build(desc, &cause);
	desc2 = back != NULL ? net_json_describe(back) : NULL;
	ok(desc2 != NULL && strcmp(desc, desc2) == 0,
	    "net: rebuilt from its description");
	snprintf(path, sizeof path, "%s/net.safetensors", dir);
	net_free(back);
	ok(checkpoint_save(path, net, NULL, NULL, &cause) == 0,
	    "checkpoint: saved");
	back = checkpoint_load(path, &cause);
	ok(back != NULL && back->nparams == net->nparams &&
	    memcmp(back->params, net->params, net->nparams *
	    sizeof(float)) == 0, "checkpoint: loaded with identical weights");
	ok(checkpoint_restore(path, copy, NULL, &cause) == 0 &&
	    memcmp(copy->params, net->params, net->nparams *
	    sizeof(float)) == 0, "checkpoint: restored into a network");
	net_free(back);
	back = net_new();
	net_add_flatten(back, NULL);
	ok(checkpoint_restore(path, back, NULL, &cause) == -1 &&
	    strstr(cause, "another network") != NULL,
	    "checkpoint: restoring into another architecture is refused");
	free(cause);
	free(desc);
	free(desc2);
	net_free(back);
	net_free(copy);
	net_free(net);
}

/* Synchronous training: learns, writes the run, resumes, stops on NaN. */
static void
test_train(const char *dir)
{
	struct train_config	 cfg;
	struct train_eval	 ev;
	struct collected	 c;
	struct dataset		 ds, bad;
	uint8_t			 labels[64], bad_labels[64];
	struct net		*net = make_net(3);
	char			*cause = NULL, run[512], path[600];
	json_t			*config;
	int			 rc;

	make_task(&ds, labels, 64, 0);
	train_defaults(&cfg);
	cfg.net = net;
	cfg.train = &ds;
	cfg.test = &ds;
	cfg.epochs = 6;
	cfg.batch = 8;
	cfg.seed = 5;
	cfg.optim.lr = 3e-2f;
	snprintf(run, sizeof run, "%s/run", dir);
	cfg.run_dir = run;
	cfg.data_json = "{\"name\": \"task\"}";
	memset(&c, 0, sizeof c);
	cfg.emit = collect;
	cfg.emit_arg = &c;
	rc = train_run(&cfg, NULL, &cause);
	ok(rc == 0, "train: runs (%s)", cause ? cause : "ok");
	ok(c.batches == 48 && c.epochs == 6, "train: 48 batch and 6 epoch "
	    "records (%d, %d)", c.batches, c.epochs);
	ok(c.last_loss < c.first_loss * 0.7, "train: loss falls (%.4f -> "
	    "%.4f)", c.first_loss, c.last_loss);
	is_double(c.last_test_acc, 1.0, 1e-9, "train: test accuracy 1");
	ok(c.spike_rate0 > 0 && c.spike_rate0 < 1,
	    "train: spike rate recorded (%.3f)", c.spike_rate0);
	ok(train_evaluate(net, &ds, NULL, 0, 10, TRAIN_LOSS_MSE_RATE, 0.1f,
	    0, &ev, &cause) == 0 && ev.n == 64 && ev.classes == 2 &&
	    ev.confusion[0] == 32 && ev.confusion[3] == 32,
	    "evaluate: confusion matrix diagonal 32, 32");
	train_eval_free(&ev);
	snprintf(path, sizeof path, "%s/metrics.csv", run);
	ok(count_lines(path, "batch,") == 48 && count_lines(path, "epoch,")
	    == 6 && count_lines(path, "kind,") == 1,
	    "run: metrics.csv has a header, 48 batch and 6 epoch rows");
	snprintf(path, sizeof path, "%s/config.json", run);
	config = json_load_file(path, 0, NULL);
	ok(config != NULL && json_integer_value(json_object_get(config,
	    "seed")) == 5 && json_is_object(json_object_get(config, "net")) &&
	    json_is_object(json_object_get(config, "data")),
	    "run: config.json records seed, net and data");
	json_decref(config);

	/* Resume: a longer run picks up after epoch 6. */
	cfg.epochs = 8;
	cfg.resume = 1;
	memset(&c, 0, sizeof c);
	rc = train_run(&cfg, NULL, &cause);
	ok(rc == 0 && c.epochs == 2,
	    "train: resume runs only epochs 7 and 8 (%d)", c.epochs);
	snprintf(path, sizeof path, "%s/metrics.csv", run);
	ok(count_lines(path, "epoch,") == 8, "run: resumed metrics has 8 "
	    "epoch rows");

	/* A NaN stops the run, naming epoch and batch. */
	make_task(&bad, bad_labels, 64, 1);
	cfg.train = &bad;
	cfg.test = NULL;
	cfg.epochs = 10;
	rc = train_run(&cfg, NULL, &cause);
	ok(rc == -1 && cause != NULL &&
	    strstr(cause, "epoch 9, batch") != NULL &&
	    strstr(cause, "checkpoint") != NULL,
	    "train: NaN loss stops the run: %s", cause ? cause : "");
	free(cause);
	cause = NULL;
	cfg.epochs = 0;
	ok(train_run(&cfg, NULL, &cause) == -1 && strstr(cause, "epochs"),
	    "train: epochs 0 refused");
	free(cause);
	net_free(net);
}

/*
 * Run-directory faults stop training with a message: a full disk under
 * metrics.csv, and a checkpoint that cannot be written (a directory in its
 * place), before which the epoch's rows are already on disk.
 */
static void
test_run_faults(const char *dir)
{
	struct train_config	 cfg;
	struct dataset		 ds;
	uint8_t			 labels[16];
	struct net		*net = make_net(4);
	char			*cause = NULL, run[512], path[600];
	int			 rc;

	make_task(&ds, labels, 16, 0);
	train_defaults(&cfg);
	cfg.net = net;
	cfg.train = &ds;
	cfg.epochs = 2;
	cfg.batch = 8;
	cfg.run_dir = run;
	snprintf(run, sizeof run, "%s/full", dir);
	snprintf(path, sizeof path, "%s/metrics.csv", run);
	if (mkdir(run, 0777) != 0 || symlink("/dev/full", path) != 0 ||
	    access("/dev/full", W_OK) != 0)
		skip(1, "no /dev/full to link to");
	else {
		rc = train_run(&cfg, NULL, &cause);
		ok(rc == -1 && cause != NULL && strstr(cause, "metrics.csv") &&
		    strstr(cause, strerror(ENOSPC)),
		    "train: a full disk under metrics.csv stops the run: %s",
		    cause ? cause : "(no error)");
		free(cause);
		cause = NULL;
	}
	snprintf(run, sizeof run, "%s/ckdir", dir);
	snprintf(path, sizeof path, "%s/optimizer-1.safetensors", run);
	mkdir(run, 0777);
	mkdir(path, 0777);
	rc = train_run(&cfg, NULL, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "not a regular file"),
	    "train: a directory in place of the first file of a checkpoint "
	    "stops the run: %s",
	    cause ? cause : "(no error)");
	free(cause);
	snprintf(path, sizeof path, "%s/metrics.csv", run);
	ok(count_lines(path, "epoch,1,") == 1 && count_lines(path, "batch,1,")
	    == 2, "train: epoch 1's rows were on disk before its checkpoint");
	net_free(net);
}

/* What kill_at needs: the network and the epoch after which to silence it. */
struct kill_at {
	struct net	*net;
	int		 epoch;
};

/*
 * After the epoch record of k->epoch, sets every parameter to -50, which
 * silences the network for good (the surrogate gradient vanishes there):
 * its loss goes back to chance.
 */
static void
kill_at(void *arg, const struct train_record *rec)
{
	struct kill_at	*k = arg;
	size_t		 i;

	if (rec->kind == TRAIN_REC_EPOCH && rec->epoch == k->epoch)
		for (i = 0; i < k->net->nparams; i++)
			k->net->params[i] = -50;
}

/*
 * A loss back at chance after having been below half of it is divergence:
 * the run stops in that epoch, and the checkpoint stays that of the epoch
 * before.
 */
static void
test_chance(const char *dir)
{
	struct train_config	 cfg;
	struct dataset		 ds;
	struct kill_at		 k;
	uint8_t			 labels[64];
	char			*cause = NULL, run[512];
	int			 rc;

	make_task(&ds, labels, 64, 0);
	memset(&k, 0, sizeof k);
	k.net = make_net(3);
	k.epoch = 4;
	train_defaults(&cfg);
	cfg.net = k.net;
	cfg.train = &ds;
	cfg.epochs = 7;
	cfg.batch = 8;
	cfg.seed = 5;
	cfg.optim.lr = 3e-2f;
	cfg.emit = kill_at;
	cfg.emit_arg = &k;
	snprintf(run, sizeof run, "%s/chance", dir);
	cfg.run_dir = run;
	rc = train_run(&cfg, NULL, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "training diverged in "
	    "epoch 5: its loss 0.5 is back at chance (0.5)") != NULL &&
	    strstr(cause, "checkpoint of epoch 4") != NULL,
	    "train: a loss back at chance stops the run: %s",
	    cause ? cause : "(no error)");
	free(cause);
	net_free(k.net);
}

/*
 * A cosine schedule without t_max falls over the run's epochs: train_run
 * fits it, so a caller from C gets no division by an unset t_max.
 */
static void
test_cosine(void)
{
	struct train_config	 cfg;
	struct collected	 c;
	struct dataset		 ds;
	uint8_t			 labels[64];
	char			*cause = NULL;
	int			 rc;

	make_task(&ds, labels, 64, 0);
	train_defaults(&cfg);
	cfg.net = make_net(3);
	cfg.train = &ds;
	cfg.epochs = 4;
	cfg.batch = 8;
	cfg.seed = 5;
	cfg.optim.lr = 3e-2f;
	memset(&c, 0, sizeof c);
	cfg.emit = collect;
	cfg.emit_arg = &c;
	rc = schedule_init(&cfg.schedule, "cosine", &cause);
	if (rc == 0)
		rc = train_run(&cfg, NULL, &cause);
	ok(rc == 0 && c.epochs == 4, "train: a cosine schedule without t_max "
	    "runs (%s)", cause != NULL ? cause : "ok");
	is_double(c.last_lr, 3e-2 * (1 + cos(M_PI * 3 / 4)) / 2, 1e-7,
	    "train: its epoch 4 of 4 has lr(1 + cos(3 pi / 4)) / 2");
	free(cause);
	net_free(cfg.net);
}

/* Keeps the newest batch record of a synchronous run. */
static void
keep_batch(void *arg, const struct train_record *rec)
{
	struct train_record	*keep = arg;

	if (rec->kind != TRAIN_REC_BATCH)
		return;
	train_record_free(keep);
	*keep = *rec;
	keep->layer = calloc((size_t)rec->nlayers, sizeof *keep->layer);
	memcpy(keep->layer, rec->layer, (size_t)rec->nlayers *
	    sizeof *keep->layer);
}

/*
 * Histograms of H - v_threshold: on request only, fractions that sum to 1
 * with below and above, equal to hist_count on the last forward's h.
 */
static void
test_hist(void)
{
	struct train_config	 cfg;
	struct train_record	*rec = calloc(1, sizeof *rec);
	struct dataset		 ds;
	struct hist		 h;
	struct module		*l;
	uint8_t			 labels[20];
	struct net		*net = make_net(6);
	char			*cause = NULL;
	double			 sum, worst_sum = 0, worst = 0, n;
	int			 j, k, rc;

	make_task(&ds, labels, 20, 0);
	train_defaults(&cfg);
	cfg.net = net;
	cfg.train = &ds;
	cfg.batch = 8;
	cfg.emit = keep_batch;
	cfg.emit_arg = rec;
	rc = train_run(&cfg, NULL, &cause);
	ok(rc == 0 && rec->nlayers == 2 && rec->hist_bins == 0,
	    "hist: none unless asked (%d bins)", rec->hist_bins);
	cfg.histogram = 1;
	rc = train_run(&cfg, NULL, &cause);
	ok(rc == 0 && rec->hist_bins == TRAIN_HISTBINS,
	    "hist: %d bins when asked", rec->hist_bins);
	h.bins = TRAIN_HISTBINS;
	h.lo = TRAIN_HISTLO;
	h.hi = TRAIN_HISTHI;
	for (k = 0; k < rec->nlayers; k++) {
		l = net->stats[k];
		n = (double)net->T * net->B * l->in_size;
		hist_count(&h, layer_neuron_h(l), (size_t)n,
		    layer_neuron_config(l)->v_threshold);
		sum = rec->layer[k].hist_below + rec->layer[k].hist_above;
		worst = fmax(worst, fabs(rec->layer[k].hist_below -
		    h.below / n));
		worst = fmax(worst, fabs(rec->layer[k].hist_above -
		    h.above / n));
		for (j = 0; j < TRAIN_HISTBINS; j++) {
			sum += rec->layer[k].hist[j];
			worst = fmax(worst, fabs(rec->layer[k].hist[j] -
			    h.counts[j] / n));
		}
		worst_sum = fmax(worst_sum, fabs(sum - 1));
	}
	ok(worst_sum < 1e-9, "hist: fractions sum to 1 with below and above "
	    "(off by %g)", worst_sum);
	ok(worst < 1e-12 && net->B == 4, "hist: equal to hist_count on the "
	    "last batch's h (off by %g)", worst);
	free(cause);
	train_record_free(rec);
	free(rec);
	net_free(net);
}

/* A job on a worker thread: records arrive through the pipe; stop works. */
static void
test_job(void)
{
	struct train_config	 cfg;
	struct train_record	 rec;
	struct dataset		 ds;
	uint8_t			 labels[64];
	struct net		*net = make_net(4);
	struct job		*job;
	struct pollfd		 pfd;
	char			*cause = NULL;
	int			 batches = 0, done = 0, paused = 0;

	make_task(&ds, labels, 64, 0);
	train_defaults(&cfg);
	cfg.net = net;
	cfg.train = &ds;
	cfg.epochs = 1000;
	cfg.batch = 8;
	job = train_start(&cfg, &cause);
	ok(job != NULL && job_id(job) >= 1, "job: started");
	pfd.fd = job_fd(job);
	pfd.events = POLLIN;
	/*
	 * The state is read after the queue is drained: the worker sets its
	 * end state before the last wake-up byte, which a take may consume.
	 */
	while (!done && poll(&pfd, 1, 10000) > 0) {
		while (job_take(job, &rec)) {
			if (rec.kind == TRAIN_REC_BATCH && ++batches == 20) {
				job_pause(job);
				usleep(100000);
				paused = job_state(job) == JOB_PAUSED;
				job_resume(job);
				job_stop(job);
			}
			train_record_free(&rec);
		}
		done = job_state(job) == JOB_STOPPED ||
		    job_state(job) == JOB_DONE || job_state(job) == JOB_FAILED;
	}
	ok(paused, "job: pauses between batches");
	ok(done && job_wait(job) == 0 && job_state(job) == JOB_STOPPED,
	    "job: stopped cleanly after %d batches (%s)", batches,
	    job_state_name(job_state(job)));
	job_free(job);
	net_free(net);
}

int
main(void)
{
	char	dir[] = "/tmp/snnwb-test-train-XXXXXX", cmd[600];

	blas_set_threads(1);
	if (mkdtemp(dir) == NULL)
		skip_all("cannot create a temporary directory");
	test_net(dir);
	test_train(dir);
	test_run_faults(dir);
	test_chance(dir);
	test_cosine();
	test_hist();
	test_job();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	return done_testing();
}
