/*
 * test-batchnorm.c: the batchnorm2d and dropout modules. Batch norm against
 * PyTorch's reference (reference/conv/batchnorm2d-*.txt, every file of
 * that name, shapes from the header) in both modes, against central
 * differences, in a network with relu, flatten and linear after it, and
 * saved and loaded with num_batches_tracked as an I64 scalar; dropout's
 * rate, scale, mask and seeds; the options both refuse.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/snnwb.h"
#include "tap.h"

static char tmpdir[4096];

/* Reads an integer note; returns 0 or -1 when it is missing or not > 0. */
static int
note_int(const struct refdata *rd, const char *key, int *v)
{
	const char	*s = refdata_note(rd, key);

	if (s == NULL || (*v = atoi(s)) <= 0)
		return -1;
	return 0;
}

/* Returns the named array when it has n elements, else NULL. */
static const struct refarray *
array_n(const struct refdata *rd, const char *name, size_t n)
{
	const struct refarray	*a = refdata_array(rd, name);

	return a != NULL && a->n == n ? a : NULL;
}

/*
 * Passes when every |got - want| <= rel * max |want| (README-conv.md's
 * test); the largest difference over max |want| is shown.
 */
static void
close_max(const float *got, const struct refarray *want, double rel,
    const char *file, const char *what)
{
	double	max = 0, worst = 0;
	size_t	i;

	for (i = 0; i < want->n; i++)
		max = fmax(max, fabs(want->v[i]));
	for (i = 0; i < want->n; i++)
		worst = fmax(worst, fabs(got[i] - want->v[i]) / max);
	is_close_array(got, want->v, want->n, 0, rel * max, "%s: %s (worst "
	    "%.2g of max |ref|)", file, what, worst);
}

/* Returns a batch norm network of C channels, or NULL with a failed test. */
static struct net *
bn_net(int C, double momentum, double eps)
{
	struct net	*net;
	char		 json[256], *cause = NULL;

	snprintf(json, sizeof json, "{\"type\": \"batchnorm2d\", "
	    "\"num_features\": %d, \"momentum\": %.17g, \"eps\": %.17g}", C,
	    momentum, eps);
	if ((net = net_json_build(json, &cause)) == NULL) {
		ok(0, "batchnorm2d(%d) built (%s)", C, cause);
		free(cause);
	}
	return net;
}

/* Returns the values of the network's tensor called name. */
static float *
tensor_of(struct net *net, const char *name)
{
	const struct net_tensor	*t = net_tensor(net, name);

	return t != NULL ? t->p->data : NULL;
}

/* Returns the gradient of the network's parameter called name. */
static float *
grad_of(struct net *net, const char *name)
{
	const struct net_tensor	*t = net_tensor(net, name);

	return t != NULL ? t->p->grad : NULL;
}

/*
 * Runs forward and backward of the file's module on net (set up from the
 * file) with threads threads; *y and *dx point at the outputs.
 */
static int
ref_run(struct net *net, const struct refdata *rd, int B, const int *shape,
    int threads, const float *x, const float *gy, const float **y,
    const float **dx)
{
	const char	*names[] = { "weight", "bias", "running_mean_in",
			    "running_var_in" };
	const char	*mine[] = { "weight", "bias", "running_mean",
			    "running_var" };
	const struct refarray *a;
	size_t		 i, k;

	for (k = 0; k < 4; k++) {
		a = refdata_array(rd, names[k]);
		for (i = 0; i < a->n; i++)
			tensor_of(net, mine[k])[i] = (float)a->v[i];
	}
	tensor_of(net, "num_batches_tracked")[0] = 0;
	blas_set_threads(threads);
	net_zero_grad(net);
	if (net_forward(net, x, 1, B, 3, shape, y, NULL) != 0 ||
	    net_backward(net, gy, dx, NULL) != 0)
		return -1;
	return 0;
}

/*
 * One reference file: y, grad_x, grad_weight, grad_bias and the running
 * statistics after the forward, at abs diff <= 1e-5 max |ref|; the same
 * bits with two threads; num_batches_tracked.
 */
static void
test_ref_file(const char *dir, const char *file)
{
	static const char *const arrays[] = { "x", "grad_y", "y", "grad_x" };
	static const char *const per_c[] = { "weight", "bias",
	    "running_mean_in", "running_var_in", "grad_weight", "grad_bias",
	    "running_mean_out", "running_var_out" };
	struct refdata	 rd;
	struct net	*net;
	const char	*mode;
	const float	*y, *dx;
	float		*x, *gy, *y1, *dx1;
	char		 path[8200], *cause = NULL;
	double		 eps, momentum;
	size_t		 n, k;
	int		 B, C, H, W, shape[3], train, same;

	snprintf(path, sizeof path, "%s/%s", dir, file);
	if (refdata_load(path, &rd, &cause) != 0) {
		ok(0, "%s: readable (%s)", file, cause);
		free(cause);
		return;
	}
	mode = refdata_note(&rd, "mode");
	if (note_int(&rd, "B", &B) != 0 || note_int(&rd, "C", &C) != 0 ||
	    note_int(&rd, "H", &H) != 0 || note_int(&rd, "W", &W) != 0 ||
	    refdata_note(&rd, "eps") == NULL || mode == NULL ||
	    refdata_note(&rd, "momentum") == NULL) {
		ok(0, "%s: header has B, C, H, W, eps, momentum, mode", file);
		refdata_free(&rd);
		return;
	}
	eps = atof(refdata_note(&rd, "eps"));
	momentum = atof(refdata_note(&rd, "momentum"));
	train = strcmp(mode, "train") == 0;
	n = (size_t)B * C * H * W;
	for (k = 0; k < 4; k++)
		if (array_n(&rd, arrays[k], n) == NULL)
			break;
	if (k == 4)
		for (k = 0; k < 8; k++)
			if (array_n(&rd, per_c[k], (size_t)C) == NULL)
				break;
	if (k != 8 || (net = bn_net(C, momentum, eps)) == NULL) {
		ok(k == 8, "%s: arrays of the header's shapes", file);
		refdata_free(&rd);
		return;
	}
	shape[0] = C;
	shape[1] = H;
	shape[2] = W;
	x = refdata_floats(refdata_array(&rd, "x"));
	gy = refdata_floats(refdata_array(&rd, "grad_y"));
	net_set_training(net, train);
	if (ref_run(net, &rd, B, shape, 1, x, gy, &y, &dx) != 0) {
		ok(0, "%s: forward and backward run", file);
		goto out;
	}
	close_max(y, refdata_array(&rd, "y"), 1e-5, file, "y");
	close_max(dx, refdata_array(&rd, "grad_x"), 1e-5, file, "grad_x");
	close_max(grad_of(net, "weight"), refdata_array(&rd, "grad_weight"),
	    1e-5, file, "grad_weight");
	close_max(grad_of(net, "bias"), refdata_array(&rd, "grad_bias"),
	    1e-5, file, "grad_bias");
	close_max(tensor_of(net, "running_mean"), refdata_array(&rd,
	    "running_mean_out"), 1e-5, file, "running_mean_out");
	close_max(tensor_of(net, "running_var"), refdata_array(&rd,
	    "running_var_out"), 1e-5, file, "running_var_out");
	is_double(tensor_of(net, "num_batches_tracked")[0], train, 0,
	    "%s: num_batches_tracked counts %s forwards", file, train ?
	    "training" : "no evaluation");
	y1 = malloc(n * sizeof *y1);
	dx1 = malloc(n * sizeof *dx1);
	memcpy(y1, y, n * sizeof *y1);
	memcpy(dx1, dx, n * sizeof *dx1);
	same = ref_run(net, &rd, B, shape, 2, x, gy, &y, &dx) == 0 &&
	    memcmp(y, y1, n * sizeof *y1) == 0 &&
	    memcmp(dx, dx1, n * sizeof *dx1) == 0;
	ok(same, "%s: two threads give the same bits", file);
	blas_set_threads(1);
	free(y1);
	free(dx1);
out:
	free(x);
	free(gy);
	net_free(net);
	refdata_free(&rd);
}

/* Returns sum(out * r) of the network's forward on x (T, B, shape). */
static double
fd_loss(struct net *net, const float *x, int T, int B, int ndim,
    const int *shape, const float *r, size_t nout)
{
	const float	*y;
	double		 sum = 0;
	size_t		 i;

	if (net_forward(net, x, T, B, ndim, shape, &y, NULL) != 0)
		return NAN;
	for (i = 0; i < nout; i++)
		sum += (double)y[i] * r[i];
	return sum;
}

/*
 * Returns the largest difference, relative to max(1, |g|), between g (n)
 * and central differences of fd_loss in each of v[0 .. n).
 */
static double
fd_worst(struct net *net, const float *x, int T, int B, int ndim,
    const int *shape, const float *r, size_t nout, float *v, const float *g,
    size_t n)
{
	double	up, down, worst = 0, h = 3e-3;
	float	keep;
	size_t	i;

	for (i = 0; i < n; i++) {
		keep = v[i];
		v[i] = keep + (float)h;
		up = fd_loss(net, x, T, B, ndim, shape, r, nout);
		v[i] = keep - (float)h;
		down = fd_loss(net, x, T, B, ndim, shape, r, nout);
		v[i] = keep;
		worst = fmax(worst, fabs((up - down) / (2 * h) - g[i]) /
		    fmax(1, fabs(g[i])));
	}
	return worst;
}

/*
 * Checks every parameter gradient and the input gradient of net at x
 * (T, B, shape) against central differences of sum(out * r).
 */
static void
fd_check(struct net *net, const char *what, int T, int B, int ndim,
    const int *shape, size_t nin, size_t nout, uint64_t seed)
{
	struct rng	 r;
	const float	*dx;
	float		*x, *rr, *g;
	double		 worst = 0;
	size_t		 i;
	int		 k;

	x = malloc(nin * sizeof *x);
	rr = malloc(nout * sizeof *rr);
	g = malloc(nin * sizeof *g);
	rng_seed(&r, seed);
	for (i = 0; i < nin; i++)
		x[i] = (float)(3 + 2 * rng_normal(&r) + (double)(i % 3));
	for (i = 0; i < nout; i++)
		rr[i] = (float)rng_normal(&r);
	for (k = 0; k < net->nparam_tensors; k++)
		for (i = 0; i < net->tensor[k].p->n; i++)
			net->tensor[k].p->data[i] += (float)(0.3 *
			    rng_normal(&r));
	fd_loss(net, x, T, B, ndim, shape, rr, nout);
	net_zero_grad(net);
	net_backward(net, rr, &dx, NULL);
	memcpy(g, dx, nin * sizeof *g);
	for (k = 0; k < net->nparam_tensors; k++)
		worst = fmax(worst, fd_worst(net, x, T, B, ndim, shape, rr,
		    nout, net->tensor[k].p->data, net->tensor[k].p->grad,
		    net->tensor[k].p->n));
	ok(worst < 5e-3, "%s: parameter gradients match central differences "
	    "(worst %.2g)", what, worst);
	worst = fd_worst(net, x, T, B, ndim, shape, rr, nout, x, g, nin);
	ok(worst < 5e-3, "%s: input gradient matches central differences "
	    "(worst %.2g)", what, worst);
	free(x);
	free(rr);
	free(g);
}

/*
 * Batch norm alone against central differences: [C, H, W] and [C]
 * samples over T * B rows, in training mode (through the batch
 * statistics) and in evaluation mode (an affine map per channel).
 */
static void
test_fd(void)
{
	static const int	 img[3] = { 3, 2, 3 }, feat[1] = { 4 };
	struct net		*net;
	int			 train;

	for (train = 1; train >= 0; train--) {
		if ((net = bn_net(3, 0.1, 1e-5)) == NULL)
			return;
		net_set_training(net, train);
		fd_check(net, train ? "[C, H, W], train, T = 2" :
		    "[C, H, W], eval", 2, 3, 3, img, 2 * 3 * 18, 2 * 3 * 18,
		    11);
		net_free(net);
	}
	if ((net = bn_net(4, 0.1, 1e-5)) == NULL)
		return;
	fd_check(net, "[C] features, train", 1, 5, 1, feat, 20, 20, 12);
	net_free(net);
}

/*
 * num_batches_tracked and the running statistics: each training forward
 * counts and moves them (by momentum 0.9 here, the WideResNet's last
 * batch norm), evaluation forwards leave them; one value a channel is
 * refused in training.
 */
static void
test_counts(void)
{
	static const int	 shape[3] = { 2, 2, 2 };
	struct net		*net;
	const float		*y;
	float			 x[3 * 8], rm[2], rv[2];
	double			 mean, var, want;
	char			*cause = NULL;
	int			 i, k, rc;

	if ((net = bn_net(2, 0.9, 1e-5)) == NULL)
		return;
	for (i = 0; i < 3 * 8; i++)
		x[i] = (float)(i % 8 < 4 ? i : 10 + 2 * i);
	for (k = 0; k < 3; k++)
		net_forward(net, x, 1, 3, 3, shape, &y, NULL);
	is_double(tensor_of(net, "num_batches_tracked")[0], 3, 0,
	    "three training forwards: num_batches_tracked 3");
	/* Channel 0 of sample b is 8b + 0..3. */
	for (k = 0, mean = 0; k < 12; k++)
		mean += (8 * (k / 4) + k % 4) / 12.0;
	for (k = 0, var = 0; k < 12; k++)
		var += pow(8 * (k / 4) + k % 4 - mean, 2) / 11;
	for (k = 0, want = 0; k < 3; k++)
		want = 0.1 * want + 0.9 * mean;
	is_double(tensor_of(net, "running_mean")[0], want, 1e-5 * want,
	    "running_mean after three steps of momentum 0.9");
	for (k = 0, want = 1; k < 3; k++)
		want = 0.1 * want + 0.9 * var;
	is_double(tensor_of(net, "running_var")[0], want, 1e-5 * want,
	    "running_var (unbiased) after three steps of momentum 0.9");
	memcpy(rm, tensor_of(net, "running_mean"), sizeof rm);
	memcpy(rv, tensor_of(net, "running_var"), sizeof rv);
	net_set_training(net, 0);
	net_forward(net, x, 1, 3, 3, shape, &y, NULL);
	ok(tensor_of(net, "num_batches_tracked")[0] == 3 &&
	    memcmp(rm, tensor_of(net, "running_mean"), sizeof rm) == 0 &&
	    memcmp(rv, tensor_of(net, "running_var"), sizeof rv) == 0,
	    "an evaluation forward leaves the count and statistics");
	is_double(y[0], (0 - rm[0]) / sqrt(rv[0] + 1e-5), 1e-5,
	    "evaluation normalises by the running statistics");
	net_set_training(net, 1);
	rc = net_forward(net, x, 1, 1, 1, (int[]){ 2 }, &y, &cause);
	ok(rc != 0 && cause != NULL && strstr(cause, "more than one value") !=
	    NULL, "one value a channel is refused in training: %s",
	    cause != NULL ? cause : "(accepted)");
	free(cause);
	net_free(net);
}

/* Returns a message for a JSON description that must be refused. */
static char *
refusal(const char *json)
{
	struct net	*net;
	char		*cause = NULL;

	if ((net = net_json_build(json, &cause)) != NULL) {
		net_free(net);
		return NULL;
	}
	return cause;
}

/* Passes when json is refused with a message containing want. */
static void
refused(const char *json, const char *want)
{
	char	*cause = refusal(json);

	ok(cause != NULL && strstr(cause, want) != NULL, "%s refused: %s",
	    json, cause != NULL ? cause : "(accepted)");
	free(cause);
}

/* Options out of range and input shapes that do not fit. */
static void
test_refusals(void)
{
	struct net	*net;
	const float	*y;
	float		 x[3 * 4] = { 0 };
	char		*cause = NULL;
	int		 rc;

	refused("{\"type\": \"batchnorm2d\"}", "\"num_features\"");
	refused("{\"type\": \"batchnorm2d\", \"num_features\": 0}",
	    "\"num_features\" must be an integer");
	refused("{\"type\": \"batchnorm2d\", \"num_features\": 2, "
	    "\"momentum\": 0}", "(0, 1]");
	refused("{\"type\": \"batchnorm2d\", \"num_features\": 2, "
	    "\"momentum\": 1.5}", "(0, 1]");
	refused("{\"type\": \"batchnorm2d\", \"num_features\": 2, "
	    "\"eps\": 0}", "\"eps\" must be positive");
	refused("{\"type\": \"batchnorm2d\", \"num_features\": 2, "
	    "\"affine\": false}", "unknown option \"affine\"");
	refused("{\"type\": \"dropout\"}", "\"p\"");
	refused("{\"type\": \"dropout\", \"p\": 1}", "[0, 1)");
	refused("{\"type\": \"dropout\", \"p\": -0.1}", "[0, 1)");
	refused("{\"type\": \"dropout\", \"p\": 0.5, \"mask_seed\": -1}",
	    "\"mask_seed\"");
	if ((net = bn_net(3, 0.1, 1e-5)) == NULL)
		return;
	rc = net_forward(net, x, 1, 1, 3, (int[]){ 2, 2, 1 }, &y, &cause);
	ok(rc != 0 && cause != NULL && strstr(cause, "[3, H, W]") != NULL,
	    "2 channels into batchnorm2d(3) refused: %s", cause != NULL ?
	    cause : "(accepted)");
	free(cause);
	cause = NULL;
	rc = net_forward(net, x, 1, 1, 2, (int[]){ 3, 4 }, &y, &cause);
	ok(rc != 0 && cause != NULL && strstr(cause, "[3, 4]") != NULL,
	    "[3, 4] samples refused: %s", cause != NULL ? cause :
	    "(accepted)");
	free(cause);
	net_free(net);
}

/* The network of test_net: batch norm, relu, flatten, linear. */
static const char net_desc[] = "{\"type\": \"sequential\", \"layers\": ["
    "{\"type\": \"batchnorm2d\", \"name\": \"bn1\", \"num_features\": 2},"
    "{\"type\": \"relu\"}, {\"type\": \"flatten\"},"
    "{\"type\": \"linear\", \"name\": \"fc\", \"in\": 18, \"out\": 4}]}";

/*
 * Batch norm in a sequential network: names as PyTorch's state_dict,
 * gradients against central differences in both modes, and a checkpoint
 * that keeps the running statistics and writes num_batches_tracked as an
 * I64 scalar, loaded back by net:load's path and by snn.load's.
 */
static void
test_net(void)
{
	static const int	 shape[3] = { 2, 3, 3 };
	struct net		*net, *back, *fresh;
	struct st_file		 f;
	const struct st_tensor	*t;
	const float		*y;
	float			 x[4 * 18], y1[4 * 4];
	char			 path[4200], *cause = NULL;
	int			 i, rc;

	if ((net = net_json_build(net_desc, &cause)) == NULL) {
		ok(0, "network built (%s)", cause);
		free(cause);
		return;
	}
	ok(net->ntensors == 7 && net_tensor(net, "bn1.weight") != NULL &&
	    net_tensor(net, "bn1.running_var") != NULL &&
	    net_tensor(net, "bn1.num_batches_tracked") != NULL &&
	    net_tensor(net, "bn1.num_batches_tracked")->p->ndim == 0 &&
	    net_tensor(net, "fc.weight") != NULL && net->nparam_tensors == 4,
	    "state_dict names: bn1.weight .. bn1.num_batches_tracked []");
	ok(tensor_of(net, "bn1.weight")[1] == 1 &&
	    tensor_of(net, "bn1.bias")[1] == 0 &&
	    tensor_of(net, "bn1.running_mean")[1] == 0 &&
	    tensor_of(net, "bn1.running_var")[1] == 1,
	    "initial weight 1, bias 0, running_mean 0, running_var 1");
	fd_check(net, "bn, relu, flatten, linear, train", 1, 4, 3, shape,
	    4 * 18, 4 * 4, 21);
	net_set_training(net, 0);
	fd_check(net, "bn, relu, flatten, linear, eval", 1, 4, 3, shape,
	    4 * 18, 4 * 4, 22);
	net_set_training(net, 1);
	for (i = 0; i < 4 * 18; i++)
		x[i] = (float)(i % 7) - 2.5f;
	net_forward(net, x, 1, 4, 3, shape, &y, NULL);
	net_set_training(net, 0);
	net_forward(net, x, 1, 4, 3, shape, &y, NULL);
	memcpy(y1, y, sizeof y1);
	snprintf(path, sizeof path, "%s/bn.safetensors", tmpdir);
	rc = checkpoint_save(path, net, NULL, NULL, &cause);
	ok(rc == 0, "checkpoint saved (%s)", rc == 0 ? "ok" : cause);
	free(cause);
	cause = NULL;
	if (safetensors_read(path, &f, &cause) == 0) {
		t = safetensors_find(&f, "bn1.num_batches_tracked");
		ok(t != NULL && t->dtype == ST_I64 && t->ndim == 0 &&
		    safetensors_numel(t) == 1 && t->i64[0] ==
		    (int64_t)tensor_of(net, "bn1.num_batches_tracked")[0] &&
		    t->i64[0] > 100, "num_batches_tracked written as an I64 "
		    "scalar (%lld)", t != NULL && t->i64 != NULL ?
		    (long long)t->i64[0] : -1LL);
		t = safetensors_find(&f, "bn1.running_var");
		ok(t != NULL && t->dtype == ST_F32 && t->ndim == 1 &&
		    t->shape[0] == 2 && memcmp(t->data, tensor_of(net,
		    "bn1.running_var"), 2 * sizeof(float)) == 0,
		    "running_var written as F32 [2]");
		safetensors_free(&f);
	} else {
		ok(0, "checkpoint reads back (%s)", cause);
		ok(0, "running_var written");
		free(cause);
		cause = NULL;
	}
	back = checkpoint_load(path, &cause);
	fresh = net_json_build(net_desc, NULL);
	rc = fresh != NULL ? checkpoint_load_state(path, fresh, 1, &cause) : -1;
	ok(back != NULL && rc == 0, "loaded back by snn.load's and net:load's "
	    "paths (%s)", cause != NULL ? cause : "ok");
	free(cause);
	for (i = 0; back != NULL && fresh != NULL && i < net->ntensors; i++)
		if (memcmp(net->tensor[i].p->data, net_tensor(back,
		    net->tensor[i].name)->p->data, net->tensor[i].p->n *
		    sizeof(float)) != 0 || memcmp(net->tensor[i].p->data,
		    net_tensor(fresh, net->tensor[i].name)->p->data,
		    net->tensor[i].p->n * sizeof(float)) != 0)
			break;
	ok(back != NULL && fresh != NULL && i == net->ntensors,
	    "every parameter and buffer comes back, the count included");
	if (back != NULL) {
		net_set_training(back, 0);
		net_forward(back, x, 1, 4, 3, shape, &y, NULL);
	}
	ok(back != NULL && memcmp(y, y1, sizeof y1) == 0,
	    "the loaded network evaluates to the same bits");
	net_free(back);
	net_free(fresh);
	net_free(net);
	unlink(path);
}

/* Returns a dropout network of rate p with mask_seed seed, or NULL. */
static struct net *
dropout_net(double p, long long seed)
{
	struct net	*net;
	char		 json[160], *cause = NULL;

	snprintf(json, sizeof json, "{\"type\": \"dropout\", \"p\": %.17g, "
	    "\"mask_seed\": %lld}", p, seed);
	if ((net = net_json_build(json, &cause)) == NULL) {
		ok(0, "dropout(%g) built (%s)", p, cause);
		free(cause);
	}
	return net;
}

/* Runs net forward on x (T = 2, B = 50, [n / 100]); returns the output. */
static const float *
dropout_run(struct net *net, const float *x, size_t n)
{
	const float	*y;
	int		 shape[1] = { (int)(n / 100) };

	if (net_forward(net, x, 2, 50, 1, shape, &y, NULL) != 0)
		return NULL;
	return y;
}

/*
 * Dropout: the rate of zeros on 10^6 values, the exact scale of the kept
 * ones, the backward through the same mask, the same mask from the same
 * seed (whatever the threads), another one at the next forward and from
 * another seed, a copy of the network masking alike; identity in
 * evaluation and at p = 0.
 */
static void
test_dropout(void)
{
	enum { N = 1000000 };
	struct net	*net, *other, *copy;
	struct rng	 r;
	const float	*y, *dx;
	float		*x, *gy, *y1, scale = (float)(1 / (1 - 0.3));
	size_t		 i, zeros = 0, bad = 0, badg = 0;

	x = malloc(N * sizeof *x);
	gy = malloc(N * sizeof *gy);
	y1 = malloc(N * sizeof *y1);
	rng_seed(&r, 5);
	for (i = 0; i < N; i++) {
		x[i] = (float)(rng_uniform(&r) + 0.5);
		gy[i] = (float)rng_normal(&r);
	}
	if ((net = dropout_net(0.3, 1234)) == NULL ||
	    (y = dropout_run(net, x, N)) == NULL) {
		ok(0, "dropout runs");
		goto out;
	}
	memcpy(y1, y, N * sizeof *y1);
	net_backward(net, gy, &dx, NULL);
	for (i = 0; i < N; i++) {
		zeros += y1[i] == 0;
		bad += y1[i] != 0 && y1[i] != x[i] * scale;
		badg += dx[i] != (y1[i] != 0 ? gy[i] * scale : 0);
	}
	/* Binomial: the standard deviation of the rate is 4.6e-4. */
	is_double((double)zeros / N, 0.3, 0.003, "dropout(0.3): %zu of %d "
	    "values zeroed", zeros, N);
	ok(bad == 0, "kept values are x * (float)(1 / 0.7) exactly (%zu not)",
	    bad);
	ok(badg == 0, "backward: dy through the same mask and scale (%zu not)",
	    badg);
	y = dropout_run(net, x, N);
	ok(memcmp(y, y1, N * sizeof *y1) != 0, "the next forward draws "
	    "another mask");
	other = dropout_net(0.3, 1234);
	blas_set_threads(2);
	y = other != NULL ? dropout_run(other, x, N) : NULL;
	blas_set_threads(1);
	ok(y != NULL && memcmp(y, y1, N * sizeof *y1) == 0,
	    "the same mask_seed gives the same mask (two threads here)");
	net_free(other);
	other = dropout_net(0.3, 1235);
	y = other != NULL ? dropout_run(other, x, N) : NULL;
	ok(y != NULL && memcmp(y, y1, N * sizeof *y1) != 0,
	    "another mask_seed gives another mask");
	net_free(other);
	other = dropout_net(0.3, 1234);
	copy = other != NULL ? net_copy(other, NULL) : NULL;
	y = copy != NULL ? dropout_run(copy, x, N) : NULL;
	ok(y != NULL && memcmp(y, y1, N * sizeof *y1) == 0,
	    "a copy of the network masks alike");
	net_free(copy);
	net_free(other);
	net_set_training(net, 0);
	y = dropout_run(net, x, N);
	net_backward(net, gy, &dx, NULL);
	ok(y != NULL && memcmp(y, x, N * sizeof *x) == 0 &&
	    memcmp(dx, gy, N * sizeof *gy) == 0,
	    "evaluation: y is x and dx is dy");
	net_free(net);
	if ((net = dropout_net(0, 1)) != NULL) {
		y = dropout_run(net, x, N);
		net_backward(net, gy, &dx, NULL);
		ok(y != NULL && memcmp(y, x, N * sizeof *x) == 0 &&
		    memcmp(dx, gy, N * sizeof *gy) == 0,
		    "p = 0 in training: y is x and dx is dy");
	}
out:
	net_free(net);
	free(x);
	free(gy);
	free(y1);
}

/*
 * Dropout's mask_seed: drawn from the parameters' generator when not
 * given, kept in the description (so that checkpoints and copies keep it).
 */
static void
test_dropout_seed(void)
{
	struct net	*a, *b;
	char		*da, *db;

	a = net_json_build("{\"type\": \"dropout\", \"p\": 0.5}", NULL);
	b = net_json_build("{\"type\": \"dropout\", \"p\": 0.5, "
	    "\"mask_seed\": 77}", NULL);
	da = a != NULL ? net_json_describe(a) : NULL;
	db = b != NULL ? net_json_describe(b) : NULL;
	ok(da != NULL && strstr(da, "\"mask_seed\":") != NULL &&
	    strstr(da, "\"mask_seed\":0}") == NULL,
	    "a drawn mask_seed is described: %s", da != NULL ? da : "-");
	ok(db != NULL && strstr(db, "\"mask_seed\":77}") != NULL,
	    "a given mask_seed is kept: %s", db != NULL ? db : "-");
	free(da);
	free(db);
	net_free(a);
	net_free(b);
}

/* Removes the temporary folder. */
static void
cleanup(void)
{
	ok(rmdir(tmpdir) == 0, "temporary directory removed");
}

int
main(void)
{
	const char	*shared, *base = getenv("TMPDIR");
	char		 dir[4096], **names;
	int		 i, count, found = 0;

	blas_set_threads(1);
	snprintf(tmpdir, sizeof tmpdir, "%s/test-batchnorm.XXXXXX",
	    base != NULL && *base != '\0' ? base : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		skip_all("cannot create a temporary directory");
	test_fd();
	test_counts();
	test_refusals();
	test_net();
	test_dropout();
	test_dropout_seed();
	cleanup();
	if ((shared = tap_fixture("reference/conv", 1)) == NULL)
		return done_testing();
	snprintf(dir, sizeof dir, "%s", shared);
	names = tap_list_dir(dir, ".txt", &count);
	for (i = 0; i < count; i++) {
		if (strncmp(names[i], "batchnorm2d-", 12) == 0) {
			test_ref_file(dir, names[i]);
			found++;
		}
		free(names[i]);
	}
	free(names);
	ok(found >= 2, "reference/conv has %d batchnorm2d files", found);
	return done_testing();
}
