/*
 * test-net.c: a whole two-layer SNN against SpikingJelly's reference
 * (reference/net/two_layer-*.txt): x (T, B, I) -> Linear(I, H) -> LIF ->
 * Linear(H, C) -> LIF -> MSE between the rate and the one-hot label, with
 * detach_reset and the file's surrogate at its default parameters; and
 * the sparsity statistics that a backward records.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/snnwb.h"
#include "tap.h"

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

/* Buffers of the network, all (T*B, width) except the weights. */
struct twolayer {
	int	 T, B, I, H, C;
	float	*x, *w1, *w2, *dw1, *dw2;
	float	*y1, *h1, *s1, *v1, *sg1, *ds1, *d1;	/* (T*B, H) */
	float	*y2, *h2, *s2, *v2, *sg2, *d2;	/* (T*B, C) */
	float	*ds2;				/* (T*B, C) */
	int	*labels;
};

/* Runs forward and backward; returns the loss. */
static double
twolayer_run(struct twolayer *nt, const struct neuron *n)
{
	int	R = nt->T * nt->B;
	size_t	M1 = (size_t)nt->B * nt->H, M2 = (size_t)nt->B * nt->C;
	double	loss;

	layer_linear_forward(nt->y1, nt->x, nt->w1, NULL, R, nt->I, nt->H);
	neuron_forward(n, nt->s1, nt->h1, nt->v1, nt->y1, NULL, nt->T, M1);
	layer_linear_forward(nt->y2, nt->s1, nt->w2, NULL, R, nt->H, nt->C);
	neuron_forward(n, nt->s2, nt->h2, nt->v2, nt->y2, NULL, nt->T, M2);
	loss = loss_mse_rate(nt->ds2, nt->s2, nt->labels, nt->T, nt->B,
	    nt->C);
	memset(nt->dw1, 0, (size_t)nt->H * nt->I * sizeof *nt->dw1);
	memset(nt->dw2, 0, (size_t)nt->C * nt->H * sizeof *nt->dw2);
	neuron_backward(n, nt->d2, nt->sg2, nt->ds2, nt->h2, nt->s2, nt->T,
	    M2);
	layer_linear_backward(nt->ds1, nt->dw2, NULL, nt->d2, nt->s1, nt->w2,
	    R, nt->H, nt->C);
	neuron_backward(n, nt->d1, nt->sg1, nt->ds1, nt->h1, nt->s1, nt->T,
	    M1);
	layer_linear_backward(NULL, nt->dw1, NULL, nt->d1, nt->x, nt->w1, R,
	    nt->I, nt->H);
	return loss;
}

/* Frees the network's buffers. */
static void
twolayer_free(struct twolayer *nt)
{
	float	**p[] = { &nt->x, &nt->w1, &nt->w2, &nt->dw1, &nt->dw2,
	    &nt->y1, &nt->h1, &nt->s1, &nt->v1, &nt->sg1, &nt->ds1, &nt->d1,
	    &nt->y2,
	    &nt->h2, &nt->s2, &nt->v2, &nt->sg2, &nt->d2, &nt->ds2 };
	size_t	  i;

	for (i = 0; i < sizeof p / sizeof *p; i++)
		free(*p[i]);
	free(nt->labels);
}

/*
 * Runs the same network as a struct net (the path training takes) and
 * checks its spikes, loss and weight gradients against the reference.
 */
static void
test_struct_net(const char *name, const struct twolayer *nt,
    const struct neuron *n, const struct refarray *sp2, double want_loss,
    const struct refarray *gw1, const struct refarray *gw2)
{
	struct net	*net = net_new();
	struct rng	 r;
	const float	*out;
	float		*ds;
	size_t		 R = (size_t)nt->T * nt->B;
	int		 shape[1] = { nt->I };
	double		 loss;

	rng_seed(&r, 1);
	if (net_add_linear(net, nt->I, nt->H, 0, &r, NULL) != 0 ||
	    net_add_neuron(net, n, NULL) != 0 ||
	    net_add_linear(net, nt->H, nt->C, 0, &r, NULL) != 0 ||
	    net_add_neuron(net, n, NULL) != 0) {
		ok(0, "%s: struct net built", name);
		net_free(net);
		return;
	}
	memcpy(net_module(net, 0)->param[0].data, nt->w1, (size_t)nt->H * nt->I *
	    sizeof(float));
	memcpy(net_module(net, 2)->param[0].data, nt->w2, (size_t)nt->C * nt->H *
	    sizeof(float));
	ds = calloc(R * nt->C, sizeof *ds);
	if (net_forward(net, nt->x, nt->T, nt->B, 1, shape, &out, NULL) != 0) {
		ok(0, "%s: struct net forward", name);
	} else {
		loss = loss_mse_rate(ds, out, nt->labels, nt->T, nt->B, nt->C);
		net_zero_grad(net);
		net_backward(net, ds, NULL, NULL);
		is_double(loss, want_loss, 1e-6, "%s: struct net loss", name);
		is_close_array(out, sp2->v, R * nt->C, 0, 0,
		    "%s: struct net spikes2", name);
		is_close_array(net_module(net, 0)->param[0].grad, gw1->v, (size_t)nt->H *
		    nt->I, 1e-5, 1e-6, "%s: struct net grad_w1", name);
		is_close_array(net_module(net, 2)->param[0].grad, gw2->v, (size_t)nt->C *
		    nt->H, 1e-5, 1e-6, "%s: struct net grad_w2", name);
	}
	free(ds);
	net_free(net);
}

/* Runs one reference file and checks spikes, loss and weight gradients. */
static void
test_file(const char *dir, const char *name)
{
	struct refdata		 rd;
	struct neuron		 n;
	struct twolayer		 nt;
	const struct refarray	*x, *lab, *w1, *w2, *sp1, *sp2, *loss;
	const struct refarray	*gw1, *gw2;
	const char		*sg;
	char			 path[8192], *cause = NULL;
	size_t			 R, i;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (refdata_load(path, &rd, &cause) != 0) {
		ok(0, "%s: load: %s", name, cause);
		free(cause);
		return;
	}
	memset(&nt, 0, sizeof nt);
	if (note_int(&rd, "T", &nt.T) != 0 || note_int(&rd, "B", &nt.B) != 0 ||
	    note_int(&rd, "I", &nt.I) != 0 || note_int(&rd, "H", &nt.H) != 0 ||
	    note_int(&rd, "C", &nt.C) != 0 ||
	    (sg = refdata_note(&rd, "surrogate")) == NULL) {
		ok(0, "%s: notes T, B, I, H, C and surrogate", name);
		refdata_free(&rd);
		return;
	}
	R = (size_t)nt.T * nt.B;
	x = array_n(&rd, "x", R * nt.I);
	lab = array_n(&rd, "labels", (size_t)nt.B);
	w1 = array_n(&rd, "w1", (size_t)nt.H * nt.I);
	w2 = array_n(&rd, "w2", (size_t)nt.C * nt.H);
	sp1 = array_n(&rd, "spikes1", R * nt.H);
	sp2 = array_n(&rd, "spikes2", R * nt.C);
	loss = array_n(&rd, "loss", 1);
	gw1 = array_n(&rd, "grad_w1", (size_t)nt.H * nt.I);
	gw2 = array_n(&rd, "grad_w2", (size_t)nt.C * nt.H);
	if (x == NULL || lab == NULL || w1 == NULL || w2 == NULL ||
	    sp1 == NULL || sp2 == NULL || loss == NULL || gw1 == NULL ||
	    gw2 == NULL) {
		ok(0, "%s: arrays have the sizes the notes give", name);
		refdata_free(&rd);
		return;
	}
	neuron_defaults(&n, NEURON_LIF);
	n.detach_reset = 1;
	if (surrogate_init(&n.sg, sg, &cause) != 0) {
		ok(0, "%s: surrogate: %s", name, cause);
		free(cause);
		refdata_free(&rd);
		return;
	}
	nt.x = refdata_floats(x);
	nt.w1 = refdata_floats(w1);
	nt.w2 = refdata_floats(w2);
	nt.dw1 = calloc((size_t)nt.H * nt.I, sizeof(float));
	nt.dw2 = calloc((size_t)nt.C * nt.H, sizeof(float));
	nt.y1 = calloc(R * nt.H, sizeof(float));
	nt.h1 = calloc(R * nt.H, sizeof(float));
	nt.s1 = calloc(R * nt.H, sizeof(float));
	nt.v1 = calloc(R * nt.H, sizeof(float));
	nt.sg1 = calloc(R * nt.H, sizeof(float));
	nt.ds1 = calloc(R * nt.H, sizeof(float));
	nt.d1 = calloc(R * nt.H, sizeof(float));
	nt.y2 = calloc(R * nt.C, sizeof(float));
	nt.h2 = calloc(R * nt.C, sizeof(float));
	nt.s2 = calloc(R * nt.C, sizeof(float));
	nt.v2 = calloc(R * nt.C, sizeof(float));
	nt.sg2 = calloc(R * nt.C, sizeof(float));
	nt.d2 = calloc(R * nt.C, sizeof(float));
	nt.ds2 = calloc(R * nt.C, sizeof(float));
	nt.labels = calloc((size_t)nt.B, sizeof(int));
	for (i = 0; i < (size_t)nt.B; i++)
		nt.labels[i] = (int)lab->v[i];
	is_double(twolayer_run(&nt, &n), loss->v[0], 1e-6, "%s: loss", name);
	is_close_array(nt.s1, sp1->v, R * nt.H, 0, 0, "%s: spikes1", name);
	is_close_array(nt.s2, sp2->v, R * nt.C, 0, 0, "%s: spikes2", name);
	is_close_array(nt.dw1, gw1->v, (size_t)nt.H * nt.I, 1e-5, 1e-6,
	    "%s: grad_w1", name);
	is_close_array(nt.dw2, gw2->v, (size_t)nt.C * nt.H, 1e-5, 1e-6,
	    "%s: grad_w2", name);
	test_struct_net(name, &nt, &n, sp2, loss->v[0], gw1, gw2);
	twolayer_free(&nt);
	refdata_free(&rd);
}

/*
 * The sparsity statistics a backward records for a Linear(8, 8) + LIF
 * layer with surrogate sg, against counts made here from its sg and dx:
 * the fractions of zero surrogate derivatives, of those below 1e-3 of the
 * largest, and of all-zero rows of dx. The layer's weights are the
 * identity; sample 0's inputs lie far below the threshold, sample 1's
 * around it, sample 2's both.
 */
static void
test_sparsity(const char *sg)
{
	enum { T = 6, B = 3, N = 8 };
	struct net	*net = net_new();
	struct module	*l;
	const float	*sgv;
	struct neuron	 n;
	struct rng	 r;
	const float	*out;
	float		 x[T * B * N], ds[T * B * N], max = 0;
	size_t		 i, j, zero = 0, small = 0, rows = 0, all = T * B * N;
	int		 shape[1] = { N };

	neuron_defaults(&n, NEURON_LIF);
	n.detach_reset = 1;
	surrogate_init(&n.sg, sg, NULL);
	rng_seed(&r, 3);
	if (net_add_linear(net, N, N, 0, &r, NULL) != 0 ||
	    net_add_neuron(net, &n, NULL) != 0) {
		ok(0, "%s: sparsity net built", sg);
		net_free(net);
		return;
	}
	for (i = 0; i < N * N; i++)
		net_module(net, 0)->param[0].data[i] = i % (N + 1) == 0 ? 1.0f : 0.0f;
	for (i = 0; i < all; i++) {
		x[i] = (float)(2 * rng_uniform(&r) + 0.5);
		if ((i / N) % B == 0 || ((i / N) % B == 2 && i % 2 == 0))
			x[i] = -30.0f;
		ds[i] = (float)rng_normal(&r);
	}
	net_forward(net, x, T, B, 1, shape, &out, NULL);
	net_backward(net, ds, NULL, NULL);
	l = net_module(net, 1);
	sgv = layer_neuron_sg(l);
	for (i = 0; i < all; i++)
		if (fabsf(sgv[i]) > max)
			max = fabsf(sgv[i]);
	for (i = 0; i < all; i++) {
		zero += sgv[i] == 0.0f;
		small += fabsf(sgv[i]) < 1e-3f * max;
	}
	for (i = 0; i < T * B; i++) {
		for (j = 0; j < N && l->dx[i * N + j] == 0.0f; j++)
			;
		rows += j == N;
	}
	ok(small > 0 && small < all && rows > 0 && rows < T * B,
	    "%s: some values are small, some rows are zero", sg);
	is_double(l->stats.sg_zero, (double)zero / (double)all, 0,
	    "%s: fraction of zero surrogate derivatives", sg);
	is_double(l->stats.sg_small, (double)small / (double)all, 0,
	    "%s: fraction below 1e-3 of the largest", sg);
	is_double(l->stats.zero_rows, (double)rows / (T * B), 0,
	    "%s: fraction of all-zero rows of dx", sg);
	net_free(net);
}

/* Returns sum(y * r) for the network's output y (n) on x. */
static double
residual_loss(struct net *net, const float *x, const float *r, size_t n)
{
	const float	*y;
	double		 sum = 0;
	int		 shape[1] = { 3 };
	size_t		 i;

	net_forward(net, x, 1, 5, 1, shape, &y, NULL);
	for (i = 0; i < n; i++)
		sum += (double)y[i] * r[i];
	return sum;
}

/*
 * A two-level residual network (a block whose main branch holds another
 * block with an identity shortcut, and a linear shortcut) against central
 * differences of every parameter and input, and its parameter names.
 */
static void
test_residual(void)
{
	static const char *const desc = "{\"type\": \"sequential\", "
	    "\"layers\": [{\"type\": \"linear\", \"in\": 3, \"out\": 4},"
	    "{\"type\": \"residual\", \"name\": \"block\", \"main\": "
	    "{\"type\": \"sequential\", \"name\": \"\", \"layers\": ["
	    "{\"type\": \"relu\", \"name\": \"relu\"},"
	    "{\"type\": \"linear\", \"name\": \"fc\", \"in\": 4, \"out\": 4},"
	    "{\"type\": \"residual\", \"name\": \"inner\", \"main\": "
	    "{\"type\": \"linear\", \"in\": 4, \"out\": 4}}]},"
	    "\"shortcut\": {\"type\": \"linear\", \"in\": 4, \"out\": 4}},"
	    "{\"type\": \"linear\", \"in\": 4, \"out\": 2}]}";
	struct net	*net;
	struct rng	 r;
	const float	*dx;
	float		 x[5 * 3], rr[5 * 2], g[5 * 3], *p, keep;
	double		 num, worst = 0, up, down;
	char		*cause = NULL;
	size_t		 i;
	int		 k;

	if ((net = net_json_build(desc, &cause)) == NULL) {
		ok(0, "residual: built (%s)", cause);
		free(cause);
		return;
	}
	ok(net->ntensors == 10 && net_tensor(net, "block.fc.weight") != NULL &&
	    net_tensor(net, "block.inner.weight") != NULL &&
	    net_tensor(net, "block.shortcut.bias") != NULL &&
	    net_tensor(net, "2.weight") != NULL,
	    "residual: parameters named by path (%d tensors)", net->ntensors);
	rng_seed(&r, 7);
	for (i = 0; i < 15; i++)
		x[i] = (float)(2 * rng_uniform(&r) - 1);
	for (i = 0; i < 10; i++)
		rr[i] = (float)rng_normal(&r);
	residual_loss(net, x, rr, 10);
	net_zero_grad(net);
	net_backward(net, rr, &dx, NULL);
	for (k = 0; k < net->ntensors; k++) {
		p = net->tensor[k].p->data;
		for (i = 0; i < net->tensor[k].p->n; i++) {
			keep = p[i];
			p[i] = keep + 1e-2f;
			up = residual_loss(net, x, rr, 10);
			p[i] = keep - 1e-2f;
			down = residual_loss(net, x, rr, 10);
			p[i] = keep;
			num = (up - down) / 2e-2;
			worst = fmax(worst, fabs(num -
			    net->tensor[k].p->grad[i]));
		}
	}
	ok(worst < 2e-3, "residual: parameter gradients match central "
	    "differences (worst %.2g)", worst);
	residual_loss(net, x, rr, 10);
	net_backward(net, rr, &dx, NULL);
	worst = 0;
	memcpy(g, dx, sizeof g);
	for (i = 0; i < 15; i++) {
		keep = x[i];
		x[i] = keep + 1e-2f;
		up = residual_loss(net, x, rr, 10);
		x[i] = keep - 1e-2f;
		down = residual_loss(net, x, rr, 10);
		x[i] = keep;
		worst = fmax(worst, fabs((up - down) / 2e-2 - g[i]));
	}
	ok(worst < 2e-3, "residual: input gradient matches central "
	    "differences (worst %.2g)", worst);
	net_free(net);
}

int
main(void)
{
	const char	*shared;
	char		 dir[4096], **names;
	int		 i, count;

	blas_set_threads(1);
	test_residual();
	test_sparsity("piecewise_quadratic");
	test_sparsity("sigmoid");
	if ((shared = tap_fixture("reference/net", 1)) == NULL)
		return done_testing();
	snprintf(dir, sizeof dir, "%s", shared);
	names = tap_list_dir(dir, ".txt", &count);
	ok(count > 0, "reference/net has %d files", count);
	for (i = 0; i < count; i++) {
		test_file(dir, names[i]);
		free(names[i]);
	}
	free(names);
	return done_testing();
}
