/*
 * simulate.c: runs a converted network step by step, t = 1..T, on a data
 * set, keeping the state of one step only (the membranes of the neurons
 * and running sums), so that T = 256 costs the memory of T = 1. The output
 * at t is the mean of the last layer's outputs over steps 1..t, so one
 * pass gives the accuracy for every t. A static image (one frame) enters
 * at every step and the layers before the first neuron run once a batch
 * (net_step's repeat); event data of F frames holds frame f for the steps
 * t with floor(t * F / T) = f.
 *
 * With analysis checkpoints, each qcfs_if layer sums its input current and
 * counts its spikes, and at each checkpoint T the conversion errors of Bu
 * et al. 2022 (Eqs. 9-13) are taken per layer (analysis.c). Given the ANN
 * it was converted from, the ANN runs once a batch on the same images and
 * each converted layer's rate is compared with the output of the qcfs
 * module it replaced (the k-th qcfs in network order, which conversion
 * gives the same path): the total error phi - a at each checkpoint.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn.h"

/* The qcfs_if modules of a network in order, with their paths. */
struct simulate_walk {
	struct module	**layer;
	char		**name;
	int		  n;
	struct module	**ann;		/* (n) the ANN's qcfs modules */
	int		  nann;
};

/* Adds m to the walk when it is a converted neuron. */
static int
simulate_collect(struct module *m, const char *path, void *arg)
{
	struct simulate_walk	*w = arg;
	struct module		**layer;
	char			**name;

	if (m->kind != &layer_qcfs_if_kind)
		return 0;
	layer = reallocarray(w->layer, (size_t)w->n + 1, sizeof *layer);
	if (layer == NULL)
		return -1;
	w->layer = layer;
	name = reallocarray(w->name, (size_t)w->n + 1, sizeof *name);
	if (name == NULL)
		return -1;
	w->name = name;
	if ((w->name[w->n] = strdup(path)) == NULL)
		return -1;
	w->layer[w->n++] = m;
	return 0;
}

/* Adds m to the walk's ANN layers when it is a qcfs activation. */
static int
simulate_collect_ann(struct module *m, const char *path, void *arg)
{
	struct simulate_walk	*w = arg;
	struct module		**ann;

	(void)path;
	if (m->kind != &layer_qcfs_kind)
		return 0;
	ann = reallocarray(w->ann, (size_t)w->nann + 1, sizeof *ann);
	if (ann == NULL)
		return -1;
	w->ann = ann;
	w->ann[w->nann++] = m;
	return 0;
}

/*
 * Finds the ANN's qcfs modules, one for each converted layer, with the
 * same path where the qcfs module has a name; -1 with a message.
 */
static int
simulate_match_ann(struct net *ann, struct simulate_walk *w, char **cause)
{
	int	k;

	if (module_walk(ann->root, "", simulate_collect_ann, w) != 0)
		return error_set(cause, "out of memory");
	if (w->nann != w->n)
		return error_set(cause, "ann has %d qcfs activations "
		    "and the converted network %d neurons: give the ANN it "
		    "was converted from", w->nann, w->n);
	for (k = 0; k < w->n; k++) {
		const char	*name = w->name[k], *dot = strrchr(name, '.');

		if (w->ann[k]->name[0] != '\0' && strcmp(dot != NULL ?
		    dot + 1 : name, w->ann[k]->name) != 0)
			return error_set(cause, "ann: the qcfs module for %s "
			    "is called %s", name, w->ann[k]->name);
	}
	net_set_training(ann, 0);
	return 0;
}

/* Frees what simulate_run put in r. */
void
simulate_result_free(struct simulate_result *r)
{
	int	i;

	for (i = 0; i < r->nlayers; i++)
		free(r->names[i]);
	free(r->names);
	free(r->correct);
	free(r->rate);
	for (i = 0; r->analysis != NULL && i < r->ncheckpoints * r->nlayers;
	    i++)
		free(r->analysis[i].chan_total);
	free(r->analysis);
	free(r->logits);
	free(r->record);
	memset(r, 0, sizeof *r);
}

/* Sets the analysis of every layer of r on or off and replans the net. */
static void
simulate_analysis(struct net *net, struct simulate_walk *w, int on)
{
	int	i;

	for (i = 0; i < w->n; i++)
		layer_qcfs_if_set_analysis(w->layer[i], on);
	net_invalidate(net);
}


/* Checks the options against the data set; -1 with a message. */
static int
simulate_check(const struct simulate_opts *o, int nlayers, char **cause)
{
	int	i;

	if (o->T < 1 || o->T > 1 << 20)
		return error_set(cause, "T must be an integer in "
		    "1..%d", 1 << 20);
	if (o->batch < 1)
		return error_set(cause, "batch must be positive");
	if (nlayers == 0)
		return error_set(cause, "the network has no "
		    "converted neurons (qcfs_if): convert it with "
		    "snn.convert first");
	for (i = 0; i < o->ncheckpoints; i++)
		if (o->checkpoints[i] < 1 || o->checkpoints[i] > o->T ||
		    (i > 0 && o->checkpoints[i] <= o->checkpoints[i - 1]))
			return error_set(cause, "analysis steps "
			    "must increase within 1..T (%d)", o->T);
	return 0;
}

/* Allocates the tables of r for T steps and the walk's layers. */
static int
simulate_alloc(struct simulate_result *r, const struct simulate_opts *o,
    struct simulate_walk *w, char **cause)
{
	r->T = o->T;
	r->nlayers = w->n;
	r->names = w->name;
	w->name = NULL;
	r->ncheckpoints = o->ncheckpoints;
	r->correct = calloc((size_t)o->T, sizeof *r->correct);
	r->rate = calloc((size_t)w->n, sizeof *r->rate);
	r->analysis = calloc((size_t)(o->ncheckpoints > 0 ?
	    o->ncheckpoints : 1) * (size_t)w->n, sizeof *r->analysis);
	if (r->correct == NULL || r->rate == NULL || r->analysis == NULL)
		return error_set(cause, "out of memory");
	if (o->record_layer > w->n)
		return error_set(cause, "record: the network has %d "
		    "converted layers", w->n);
	return 0;
}

/*
 * Keeps the input current of step t of the recorded layer for the
 * recorded image (in the batch of the images from r->n on).
 */
static int
simulate_record(const struct simulate_opts *o, const struct simulate_walk *w,
    struct simulate_result *r, int t, char **cause)
{
	const struct module	*m = w->layer[o->record_layer - 1];

	if (r->record == NULL) {
		r->record_n = m->in_size;
		if ((r->record = calloc((size_t)o->T * r->record_n,
		    sizeof *r->record)) == NULL)
			return error_set(cause, "out of memory");
	}
	memcpy(r->record + (size_t)t * r->record_n, m->x + (o->record_image -
	    r->n) * r->record_n, r->record_n * sizeof *r->record);
	return 0;
}

/*
 * Steps one batch through T steps: counts the right predictions at every
 * t, the spikes per layer and, at the checkpoints, the analysis; fills
 * the logits of the batch when o->logits is set.
 */
static int
simulate_batch(struct net *net, const struct simulate_opts *o,
    const struct batch *b, const struct simulate_walk *w,
    struct simulate_result *r, double **sump, char **cause)
{
	const int	 shape[3] = { o->data->channels, o->data->height,
			     o->data->width };
	const float	*y, *x, *a;
	size_t		 frame = data_loader_step_size(o->data), i;
	size_t		 first = r->n;
	int		 t, f, last = -1, c, C = r->classes, k, check = 0;
	int		 pred;
	double		 best, *sum = *sump;
	struct analysis	*an;

	net_reset(net);
	if (o->ann != NULL && o->ncheckpoints > 0 && net_forward(o->ann, b->x,
	    1, b->B, 3, shape, &a, cause) != 0)
		return -1;
	for (t = 0; t < o->T; t++) {
		f = (int)((long long)t * b->T / o->T);
		x = b->x + (size_t)f * b->B * frame;
		if (net_step(net, x, b->B, 3, shape, f == last, &y,
		    cause) != 0)
			return -1;
		last = f;
		if (sum == NULL) {
			r->classes = C = (int)net->root->out_size;
			/* The first batch is the largest. */
			sum = *sump = calloc((size_t)b->B * C, sizeof *sum);
			if (o->keep_logits)
				r->logits = calloc((size_t)o->T * r->total *
				    C, sizeof *r->logits);
			if (sum == NULL || (o->keep_logits &&
			    r->logits == NULL))
				return error_set(cause, "out of memory for "
				    "%zu images' logits", r->total);
		}
		if (t == 0)
			memset(sum, 0, (size_t)b->B * C * sizeof *sum);
		for (i = 0; i < (size_t)b->B * C; i++)
			sum[i] += y[i];
		for (i = 0; i < (size_t)b->B; i++) {
			pred = 0;
			best = sum[i * C];
			for (c = 1; c < C; c++)
				if (sum[i * C + c] > best) {
					best = sum[i * C + c];
					pred = c;
				}
			r->correct[t] += pred == b->labels[i];
		}
		if (r->logits != NULL)
			for (i = 0; i < (size_t)b->B * C; i++)
				r->logits[((size_t)t * r->total + first) *
				    C + i] = (float)(sum[i] / (t + 1));
		for (k = 0; k < w->n; k++)
			r->rate[k] += w->layer[k]->stats.rate * b->B;
		if (o->record_layer > 0 && o->record_image >= first &&
		    o->record_image < first + (size_t)b->B &&
		    simulate_record(o, w, r, t, cause) != 0)
			return -1;
		if (check < o->ncheckpoints && o->checkpoints[check] == t + 1)
			for (k = 0; k < w->n; k++) {
				an = &r->analysis[(size_t)check * w->n + k];
				analysis_add(an, w->layer[k], b->B);
				if (o->ann != NULL && analysis_add_total(an,
				    w->layer[k], w->ann[k]->y, b->B,
				    cause) != 0)
					return -1;
			}
		check += check < o->ncheckpoints &&
		    o->checkpoints[check] == t + 1;
	}
	return 0;
}

/*
 * Simulates converted network net on o->data for o->T steps: fills r
 * (freed with simulate_result_free) with the right predictions at every
 * t, the spike rate per layer and the analysis at each checkpoint.
 * o->tick, when set, is called after each batch with the images done and
 * the seconds so far: it returns 0 to go on, 1 to end the run there (r
 * then covers the images done) or -1 to fail it with its message.
 */
int
simulate_run(struct net *net, const struct simulate_opts *o,
    struct simulate_result *r, char **cause)
{
	struct simulate_walk	 w = { NULL, NULL, 0, NULL, 0 };
	struct loader_opts	 lo;
	struct loader		*l = NULL;
	struct batch		 b;
	double			*sum = NULL, start = clock_now();
	uint32_t		*first = NULL;
	size_t			 i;
	int			 rc = -1, k, training = net->training;
	int			 ann_training = o->ann != NULL ?
				     o->ann->training : 0;

	memset(r, 0, sizeof *r);
	if (module_walk(net->root, "", simulate_collect, &w) != 0) {
		error_set(cause, "out of memory");
		goto out;
	}
	if (simulate_check(o, w.n, cause) != 0 || (o->ann != NULL &&
	    simulate_match_ann(o->ann, &w, cause) != 0) ||
	    simulate_alloc(r, o, &w, cause) != 0)
		goto out;
	net_set_training(net, 0);
	net->sparse = o->sparse;
	data_loader_defaults(&lo);
	lo.batch = o->batch;
	lo.shuffle = 0;
	lo.index = o->index;
	lo.nindex = o->nindex;
	r->total = o->index != NULL ? o->nindex : o->data->n;
	if (o->record_layer > 0 && o->record_image >= (o->nindex > 0 ?
	    o->nindex : r->total)) {
		error_set(cause, "record: image %zu is not among those "
		    "simulated", o->record_image + 1);
		goto out;
	}
	if (o->index == NULL && o->nindex > 0 && o->nindex < o->data->n) {
		if ((first = calloc(o->nindex, sizeof *first)) == NULL) {
			error_set(cause, "out of memory");
			goto out;
		}
		for (i = 0; i < o->nindex; i++)
			first[i] = (uint32_t)i;
		lo.index = first;
		r->total = o->nindex;
	}
	simulate_analysis(net, &w, o->ncheckpoints > 0);
	if ((l = data_loader_new(o->data, &lo, cause)) == NULL ||
	    data_loader_start_epoch(l, 1, cause) != 0)
		goto out;
	while ((rc = data_loader_next(l, &b, cause)) == 1) {
		if ((rc = simulate_batch(net, o, &b, &w, r, &sum,
		    cause)) != 0)
			break;
		r->n += (size_t)b.B;
		r->seconds = clock_now() - start;
		if (o->tick != NULL && (rc = o->tick(o->arg, r, cause)) != 0)
			break;
	}
	if (rc == 1)
		rc = 0;
	if (rc == 0) {
		for (k = 0; k < w.n; k++)
			r->rate[k] /= (double)r->n * o->T;
		for (k = 0; k < o->ncheckpoints * w.n; k++)
			analysis_finish(&r->analysis[k]);
	}
out:
	r->seconds = clock_now() - start;
	if (w.n > 0)
		simulate_analysis(net, &w, 0);
	net_set_training(net, training);
	net->sparse = 0;
	if (o->ann != NULL)
		net_set_training(o->ann, ann_training);
	data_loader_free(l);
	free(first);
	free(sum);
	free(w.layer);
	free(w.ann);
	if (w.name != NULL) {
		for (k = 0; k < w.n; k++)
			free(w.name[k]);
		free(w.name);
	}
	if (rc != 0)
		simulate_result_free(r);
	return rc == 0 ? 0 : -1;
}
