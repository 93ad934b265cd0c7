/*
 * test-sparse.c: the sparse input path of the first Linear layer against a
 * double-precision reference and the dense path, on random inputs of many
 * shapes and densities, with 1 and 3 threads and every instruction set the
 * processor has; the same through net_forward and net_backward; the thread
 * pool; allocation failure.
 */
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/snnwb.h"
#include "tap.h"

/* Fills v (n) with values that are nonzero with probability density. */
static void
fill_sparse(float *v, size_t n, double density, struct rng *r)
{
	size_t	i;

	for (i = 0; i < n; i++)
		v[i] = rng_uniform(r) < density ? (float)rng_normal(r) : 0.0f;
}

/* Fills v (n) with normal values. */
static void
fill_normal(float *v, size_t n, struct rng *r)
{
	size_t	i;

	for (i = 0; i < n; i++)
		v[i] = (float)rng_normal(r);
}

/*
 * Checks got (n) against want (n) within float rounding of a sum of terms
 * terms whose absolute values add up to mag (n): 4 sqrt(terms) epsilon
 * mag, plus 1e-30 for sums of nothing.
 */
static int
close_to(const float *got, const double *want, const double *mag, size_t n,
    int terms, const char *name, const char *what)
{
	double	tol, err, worst = 0;
	size_t	i, bad = 0, at = 0;

	for (i = 0; i < n; i++) {
		tol = 4 * sqrt((double)terms) * FLT_EPSILON * mag[i] + 1e-30;
		err = fabs((double)got[i] - want[i]);
		if (!(err <= tol)) {
			if (bad == 0 || err / tol > worst) {
				worst = err / tol;
				at = i;
			}
			bad++;
		}
	}
	ok(bad == 0, "%s: %s", name, what);
	if (bad != 0)
		diag("%zu of %zu differ; worst at [%zu]: got %.9g, want %.9g",
		    bad, n, at, got[at], want[at]);
	return bad == 0;
}

/* One case of the layer test and the buffers it needs. */
struct lcase {
	int	 rows, in, out, bias;
	double	 density;
	float	*x, *w, *b, *y, *dy, *dw, *db, *dx;
	double	*ry, *my, *rdw, *mdw, *rdb, *mdb, *rdx, *mdx;
};

/* Allocates and fills the case's inputs from r. */
static void
lcase_init(struct lcase *c, int rows, int in, int out, int bias,
    double density, struct rng *r)
{
	size_t	R = (size_t)rows, I = (size_t)in, O = (size_t)out;

	memset(c, 0, sizeof *c);
	c->rows = rows;
	c->in = in;
	c->out = out;
	c->bias = bias;
	c->density = density;
	c->x = malloc(R * I * sizeof *c->x);
	c->w = malloc(O * I * sizeof *c->w);
	c->b = malloc(O * sizeof *c->b);
	c->y = malloc(R * O * sizeof *c->y);
	c->dy = malloc(R * O * sizeof *c->dy);
	c->dw = malloc(O * I * sizeof *c->dw);
	c->db = malloc(O * sizeof *c->db);
	c->dx = malloc(R * I * sizeof *c->dx);
	c->ry = malloc(R * O * sizeof *c->ry);
	c->my = malloc(R * O * sizeof *c->my);
	c->rdw = malloc(O * I * sizeof *c->rdw);
	c->mdw = malloc(O * I * sizeof *c->mdw);
	c->rdb = malloc(O * sizeof *c->rdb);
	c->mdb = malloc(O * sizeof *c->mdb);
	c->rdx = malloc(R * I * sizeof *c->rdx);
	c->mdx = malloc(R * I * sizeof *c->mdx);
	fill_sparse(c->x, R * I, density, r);
	fill_normal(c->w, O * I, r);
	fill_normal(c->b, O, r);
	fill_normal(c->dy, R * O, r);
}

/* Frees the case's buffers. */
static void
lcase_free(struct lcase *c)
{
	free(c->x);
	free(c->w);
	free(c->b);
	free(c->y);
	free(c->dy);
	free(c->dw);
	free(c->db);
	free(c->dx);
	free(c->ry);
	free(c->my);
	free(c->rdw);
	free(c->mdw);
	free(c->rdb);
	free(c->mdb);
	free(c->rdx);
	free(c->mdx);
}

/*
 * Computes in double the reference y, dw (added to dw0 (out, in)), db
 * (added to db0) and dx, and the sums of absolute terms of each.
 */
static void
lcase_reference(struct lcase *c, const float *dw0, const float *db0)
{
	size_t	R = (size_t)c->rows, I = (size_t)c->in, O = (size_t)c->out;
	size_t	r, k, o;
	double	t;

	for (r = 0; r < R; r++)
		for (o = 0; o < O; o++) {
			c->ry[r * O + o] = c->bias ? c->b[o] : 0;
			c->my[r * O + o] = c->bias ? fabs(c->b[o]) : 0;
			for (k = 0; k < I; k++) {
				t = (double)c->x[r * I + k] * c->w[o * I + k];
				c->ry[r * O + o] += t;
				c->my[r * O + o] += fabs(t);
			}
		}
	for (o = 0; o < O; o++)
		for (k = 0; k < I; k++) {
			c->rdw[o * I + k] = dw0[o * I + k];
			c->mdw[o * I + k] = fabs(dw0[o * I + k]);
			for (r = 0; r < R; r++) {
				t = (double)c->dy[r * O + o] * c->x[r * I + k];
				c->rdw[o * I + k] += t;
				c->mdw[o * I + k] += fabs(t);
			}
		}
	for (o = 0; o < O; o++) {
		c->rdb[o] = db0[o];
		c->mdb[o] = fabs(db0[o]);
		for (r = 0; r < R; r++) {
			c->rdb[o] += c->dy[r * O + o];
			c->mdb[o] += fabs(c->dy[r * O + o]);
		}
	}
	for (r = 0; r < R; r++)
		for (k = 0; k < I; k++) {
			c->rdx[r * I + k] = c->mdx[r * I + k] = 0;
			for (o = 0; o < O; o++) {
				t = (double)c->dy[r * O + o] * c->w[o * I + k];
				c->rdx[r * I + k] += t;
				c->mdx[r * I + k] += fabs(t);
			}
		}
}

/*
 * Runs the sparse forward and backward of c with threads threads and the
 * given density limit; dw and db start from dw0 and db0; dx is requested
 * when want_dx. Returns whether the forward went sparse, or -1.
 */
static int
lcase_run(struct lcase *c, int threads, float max_density,
    const float *dw0, const float *db0, int want_dx)
{
	struct linear_sparse	*sp = NULL;
	char			*cause = NULL;
	size_t			 I = (size_t)c->in, O = (size_t)c->out;
	int			 used;

	blas_set_threads(threads);
	memcpy(c->dw, dw0, O * I * sizeof *c->dw);
	memcpy(c->db, db0, O * sizeof *c->db);
	if (layer_linear_sparse_forward(&sp, c->y, c->x, c->w,
	    c->bias ? c->b : NULL, c->rows, c->in, c->out, max_density,
	    &cause) != 0) {
		diag("forward: %s", cause);
		free(cause);
		blas_set_threads(1);
		return -1;
	}
	layer_linear_sparse_backward(sp, want_dx ? c->dx : NULL, c->dw,
	    c->bias ? c->db : NULL, c->dy, c->x, c->w, c->rows, c->in, c->out);
	used = layer_linear_sparse_used(sp);
	layer_linear_sparse_free(sp);
	blas_set_threads(1);
	return used;
}

/* The levels that have sparse kernels of their own. */
static const enum cpu_isa isa_levels[] = {
	CPU_ISA_PLAIN, CPU_ISA_AVX2, CPU_ISA_AVX512
};
#define NISA (sizeof isa_levels / sizeof isa_levels[0])

/* The level the kernels use here, as SNNWB_ISA or the processor allow. */
static enum cpu_isa best_isa;

/*
 * One shape and density, forced through the sparse kernels (limit 1) of
 * each level up to the one in use: y, dw, db and dx against the
 * reference with 1 thread, and bit for bit the same with 3 threads.
 */
static void
test_case(int rows, int in, int out, int bias, double density, uint64_t seed)
{
	struct lcase	 c;
	struct rng	 r;
	float		*dw0, *db0, *y1, *dw1;
	size_t		 R = (size_t)rows, I = (size_t)in, O = (size_t)out, l;
	char		 name[96];
	int		 used;

	rng_seed(&r, seed);
	lcase_init(&c, rows, in, out, bias, density, &r);
	dw0 = malloc(O * I * sizeof *dw0);
	db0 = malloc(O * sizeof *db0);
	y1 = malloc(R * O * sizeof *y1);
	dw1 = malloc(O * I * sizeof *dw1);
	fill_normal(dw0, O * I, &r);
	fill_normal(db0, O, &r);
	lcase_reference(&c, dw0, db0);
	for (l = 0; l < NISA && isa_levels[l] <= best_isa; l++) {
		cpu_isa_limit(isa_levels[l]);
		snprintf(name, sizeof name, "%dx%d -> %d%s, density %.2f, %s",
		    rows, in, out, bias ? " with bias" : "", density,
		    cpu_isa_name(isa_levels[l]));
		used = lcase_run(&c, 1, 1.0f, dw0, db0, 1);
		ok(used == 1, "%s: forward went sparse", name);
		close_to(c.y, c.ry, c.my, R * O, in + 1, name, "forward y");
		close_to(c.dw, c.rdw, c.mdw, O * I, rows + 1, name,
		    "backward dw");
		if (bias)
			close_to(c.db, c.rdb, c.mdb, O, rows + 1, name,
			    "backward db");
		close_to(c.dx, c.rdx, c.mdx, R * I, out, name, "backward dx");
		memcpy(y1, c.y, R * O * sizeof *y1);
		memcpy(dw1, c.dw, O * I * sizeof *dw1);
		lcase_run(&c, 3, 1.0f, dw0, db0, 0);
		ok(memcmp(y1, c.y, R * O * sizeof *y1) == 0 &&
		    memcmp(dw1, c.dw, O * I * sizeof *dw1) == 0,
		    "%s: 3 threads give the same bits as 1", name);
	}
	cpu_isa_limit(best_isa);
	free(dw0);
	free(db0);
	free(y1);
	free(dw1);
	lcase_free(&c);
}

/*
 * The weight gradient where dy is mostly zero, as a spiking layer's
 * backward signal is: half of its rows zero, and each slice of 32 of its
 * columns (so whole panels of 32 and 64) zero with probability zcols. For
 * each level up to the one in use, dw against the reference, and the same
 * bits with skipping off and with 3 threads.
 */
static void
test_skip(int rows, int in, int out, double density, double zcols,
    uint64_t seed)
{
	struct lcase	 c;
	struct rng	 r;
	float		*dw0, *db0, *dw1;
	size_t		 R = (size_t)rows, I = (size_t)in, O = (size_t)out;
	size_t		 i, j, l;
	char		 name[96];
	int		 zero, same;

	rng_seed(&r, seed);
	lcase_init(&c, rows, in, out, 0, density, &r);
	for (i = 0; i < R; i++)
		if (rng_uniform(&r) < 0.5)
			memset(c.dy + i * O, 0, O * sizeof *c.dy);
	for (j = 0; j < O; j += 32) {
		zero = rng_uniform(&r) < zcols;
		for (i = 0; i < R && zero; i++)
			memset(c.dy + i * O + j, 0, (O - j < 32 ? O - j : 32) *
			    sizeof *c.dy);
	}
	dw0 = malloc(O * I * sizeof *dw0);
	db0 = calloc(O, sizeof *db0);
	dw1 = malloc(O * I * sizeof *dw1);
	fill_normal(dw0, O * I, &r);
	lcase_reference(&c, dw0, db0);
	for (l = 0; l < NISA && isa_levels[l] <= best_isa; l++) {
		cpu_isa_limit(isa_levels[l]);
		snprintf(name, sizeof name, "%dx%d -> %d, density %.2f, "
		    "zero dy columns %.2f, %s", rows, in, out, density, zcols,
		    cpu_isa_name(isa_levels[l]));
		lcase_run(&c, 1, 1.0f, dw0, db0, 0);
		close_to(c.dw, c.rdw, c.mdw, O * I, rows + 1, name,
		    "backward dw skipping zero panels of dy");
		memcpy(dw1, c.dw, O * I * sizeof *dw1);
		layer_linear_sparse_skip(0);
		lcase_run(&c, 1, 1.0f, dw0, db0, 0);
		layer_linear_sparse_skip(1);
		same = memcmp(dw1, c.dw, O * I * sizeof *dw1) == 0;
		lcase_run(&c, 3, 1.0f, dw0, db0, 0);
		ok(same && memcmp(dw1, c.dw, O * I * sizeof *dw1) == 0,
		    "%s: the same bits without skipping and with 3 threads",
		    name);
	}
	cpu_isa_limit(best_isa);
	free(dw0);
	free(db0);
	free(dw1);
	lcase_free(&c);
}

/*
 * The density limit: a sparse input goes sparse, a dense one falls back to
 * the GEMMs, and both give the reference results.
 */
static void
test_threshold(void)
{
	struct lcase	 c;
	struct rng	 r;
	float		*dw0, *db0;
	double		 density[2] = { 0.05, 0.6 };
	int		 i, used;

	for (i = 0; i < 2; i++) {
		rng_seed(&r, 7 + (uint64_t)i);
		lcase_init(&c, 40, 150, 70, 0, density[i], &r);
		dw0 = calloc((size_t)70 * 150, sizeof *dw0);
		db0 = calloc(70, sizeof *db0);
		lcase_reference(&c, dw0, db0);
		used = lcase_run(&c, 2, LINEAR_SPARSE_MAX_DENSITY, dw0, db0, 0);
		ok(used == (i == 0), "density %.2f: %s path", density[i],
		    i == 0 ? "sparse" : "dense");
		close_to(c.y, c.ry, c.my, (size_t)40 * 70, 151,
		    "density limit", "forward y");
		close_to(c.dw, c.rdw, c.mdw, (size_t)70 * 150, 41,
		    "density limit", "backward dw");
		free(dw0);
		free(db0);
		lcase_free(&c);
	}
}

/*
 * The transposed copy of w follows w: after w changes (as the optimizer
 * or a Lua view changes it) the next forward uses the new values.
 */
static void
test_weights_change(void)
{
	struct linear_sparse	*sp = NULL;
	struct lcase		 c;
	struct rng		 r;
	float			*zero;
	size_t			 i, n = (size_t)30 * 50;

	rng_seed(&r, 11);
	lcase_init(&c, 20, 50, 30, 1, 0.2, &r);
	zero = calloc(n, sizeof *zero);
	layer_linear_sparse_forward(&sp, c.y, c.x, c.w, c.b, 20, 50, 30,
	    1.0f, NULL);
	for (i = 0; i < n; i++)
		c.w[i] = c.w[i] * 0.5f - 0.25f;
	c.b[3] += 1.0f;
	lcase_reference(&c, zero, zero);
	layer_linear_sparse_forward(&sp, c.y, c.x, c.w, c.b, 20, 50, 30,
	    1.0f, NULL);
	close_to(c.y, c.ry, c.my, (size_t)20 * 30, 51, "weights changed",
	    "the next forward uses the new weights");
	layer_linear_sparse_free(sp);
	free(zero);
	lcase_free(&c);
}

/* Allocation failure in every allocation of the sparse path's first use. */
static void
test_alloc_failure(void)
{
	struct linear_sparse	*sp;
	struct lcase		 c;
	struct rng		 r;
	char			*cause;
	long			 k;
	int			 rc, clean = 1;

	rng_seed(&r, 13);
	lcase_init(&c, 8, 20, 10, 0, 0.2, &r);
	for (k = 0; k < 100; k++) {
		sp = NULL;
		cause = NULL;
		mem_fail_after(k);
		rc = layer_linear_sparse_forward(&sp, c.y, c.x, c.w, NULL, 8,
		    20, 10, 1.0f, &cause);
		mem_fail_after(-1);
		if (rc == 0)
			break;
		clean &= sp == NULL && cause != NULL &&
		    strstr(cause, "out of memory") != NULL;
		free(cause);
	}
	ok(clean && rc == 0 && k > 0, "allocation failures (%ld) leave "
	    "nothing behind and say so", k);
	layer_linear_sparse_free(sp);
	lcase_free(&c);
}

/* Builds flatten-linear(in, 40, bias)-LIF-linear(40, 10)-LIF from seed. */
static struct net *
make_net(int in, const struct neuron *n, uint64_t seed)
{
	struct net	*net = net_new();
	struct rng	 r;

	rng_seed(&r, seed);
	if (net == NULL || net_add_flatten(net, NULL) != 0 ||
	    net_add_linear(net, in, 40, 1, &r, NULL) != 0 ||
	    net_add_neuron(net, n, NULL) != 0 ||
	    net_add_linear(net, 40, 10, 0, &r, NULL) != 0 ||
	    net_add_neuron(net, n, NULL) != 0) {
		net_free(net);
		return NULL;
	}
	return net;
}

/* Returns the largest |a[i] - b[i]| over n. */
static double
max_diff(const float *a, const float *b, size_t n)
{
	double	d, worst = 0;
	size_t	i;

	for (i = 0; i < n; i++) {
		d = fabs((double)a[i] - b[i]);
		if (!(d <= worst))
			worst = d;
	}
	return worst;
}

/*
 * A network whose first layer reads sparse frames: its spikes and
 * gradients against the same steps done with the dense layer functions;
 * the input gradient is not computed unless asked for, then it is right.
 */
static void
test_net(double density)
{
	enum { T = 5, B = 7, H = 40, C = 10, IN = 2 * 6 * 6 };
	struct neuron	 n;
	struct net	*net;
	struct module	*l1, *l3;
	struct rng	 r;
	const float	*out, *dxp;
	float		*x, *ds, *y1, *h1, *s1, *v1, *sg1, *ds1, *d1, *y2, *h2;
	float		*s2, *v2, *sg2, *d2, *dw1, *db1, *dw2, *dx;
	int		 shape[3] = { 2, 6, 6 }, labels[B], i, R = T * B;
	size_t		 j;

	neuron_defaults(&n, NEURON_LIF);
	n.detach_reset = 1;
	surrogate_init(&n.sg, "atan", NULL);
	net = make_net(IN, &n, 5);
	rng_seed(&r, 17);
	x = calloc((size_t)R * IN, sizeof *x);
	for (j = 0; j < (size_t)R * IN; j++)
		x[j] = rng_uniform(&r) < density ?
		    (float)(1 + rng_below(&r, 3)) : 0.0f;
	for (i = 0; i < B; i++)
		labels[i] = i % C;
	ds = calloc((size_t)R * C, sizeof *ds);
	y1 = calloc((size_t)R * H, sizeof *y1);
	h1 = calloc((size_t)R * H, sizeof *h1);
	s1 = calloc((size_t)R * H, sizeof *s1);
	v1 = calloc((size_t)R * H, sizeof *v1);
	sg1 = calloc((size_t)R * H, sizeof *sg1);
	ds1 = calloc((size_t)R * H, sizeof *ds1);
	d1 = calloc((size_t)R * H, sizeof *d1);
	y2 = calloc((size_t)R * C, sizeof *y2);
	h2 = calloc((size_t)R * C, sizeof *h2);
	s2 = calloc((size_t)R * C, sizeof *s2);
	v2 = calloc((size_t)R * C, sizeof *v2);
	sg2 = calloc((size_t)R * C, sizeof *sg2);
	d2 = calloc((size_t)R * C, sizeof *d2);
	dw1 = calloc((size_t)H * IN, sizeof *dw1);
	db1 = calloc(H, sizeof *db1);
	dw2 = calloc((size_t)C * H, sizeof *dw2);
	dx = calloc((size_t)R * IN, sizeof *dx);
	l1 = net_module(net, 1);
	l3 = net_module(net, 3);

	/* The dense reference, step by step. */
	layer_linear_forward(y1, x, l1->param[0].data, l1->param[1].data, R, IN, H);
	neuron_forward(&n, s1, h1, v1, y1, NULL, T, (size_t)B * H);
	layer_linear_forward(y2, s1, l3->param[0].data, NULL, R, H, C);
	neuron_forward(&n, s2, h2, v2, y2, NULL, T, (size_t)B * C);
	loss_mse_rate(ds, s2, labels, T, B, C);
	neuron_backward(&n, d2, sg2, ds, h2, s2, T, (size_t)B * C);
	layer_linear_backward(ds1, dw2, NULL, d2, s1, l3->param[0].data, R, H, C);
	neuron_backward(&n, d1, sg1, ds1, h1, s1, T, (size_t)B * H);
	layer_linear_backward(dx, dw1, db1, d1, x, l1->param[0].data, R, IN, H);

	net_zero_grad(net);
	net_forward(net, x, T, B, 3, shape, &out, NULL);
	ok(layer_linear_sparse_used(layer_linear_module_sparse(l1)) == (density < 0.3),
	    "net, density %.2f: first layer went %s", density,
	    density < 0.3 ? "sparse" : "dense");
	ok(max_diff(out, s2, (size_t)R * C) == 0 &&
	    max_diff(l1->y, y1, (size_t)R * H) < 1e-5,
	    "net, density %.2f: forward as the dense layers", density);
	for (j = 0; j < (size_t)R * IN; j++)
		l1->dx[j] = NAN;
	net_backward(net, ds, NULL, NULL);
	ok(max_diff(l1->param[0].grad, dw1, (size_t)H * IN) < 1e-5 &&
	    max_diff(l1->param[1].grad, db1, H) < 1e-5 &&
	    max_diff(l3->param[0].grad, dw2, (size_t)C * H) < 1e-5,
	    "net, density %.2f: gradients as the dense layers", density);
	for (j = 0; j < (size_t)R * IN && isnan(l1->dx[j]); j++)
		;
	ok(j == (size_t)R * IN, "net, density %.2f: no input gradient "
	    "computed when none is asked for", density);
	net_backward(net, ds, &dxp, NULL);
	ok(max_diff(dxp, dx, (size_t)R * IN) < 1e-5,
	    "net, density %.2f: the input gradient when asked for", density);

	net_free(net);
	free(x);
	free(ds);
	free(y1);
	free(h1);
	free(s1);
	free(v1);
	free(sg1);
	free(ds1);
	free(d1);
	free(y2);
	free(h2);
	free(s2);
	free(v2);
	free(sg2);
	free(d2);
	free(dw1);
	free(db1);
	free(dw2);
	free(dx);
}

/* A pool task: counts its call in the task's slot. */
static void
count_task(void *arg, int i)
{
	int	*hits = arg;

	hits[i]++;
}

/* Calls the pool 300 times with 5 tasks; returns nonzero if all ran once. */
static void *
pool_caller(void *arg)
{
	int	hits[5], i, k, *good = arg;

	*good = 1;
	for (k = 0; k < 300; k++) {
		memset(hits, 0, sizeof hits);
		pool_run(count_task, hits, 5);
		for (i = 0; i < 5; i++)
			*good &= hits[i] == 1;
	}
	return NULL;
}

/*
 * The pool runs every task exactly once, for more tasks than workers
 * too, and for two callers at once.
 */
static void
test_pool(void)
{
	pthread_t	t1, t2;
	int		hits[100], sizes[4] = { 1, 2, 7, 100 }, i, k, good = 1;
	int		g1, g2;

	for (k = 0; k < 4; k++) {
		memset(hits, 0, sizeof hits);
		pool_run(count_task, hits, sizes[k]);
		for (i = 0; i < 100; i++)
			good &= hits[i] == (i < sizes[k]);
	}
	ok(good, "pool: each task runs once (1, 2, 7, 100 tasks)");
	pthread_create(&t1, NULL, pool_caller, &g1);
	pthread_create(&t2, NULL, pool_caller, &g2);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	ok(g1 && g2, "pool: two callers at once both get all their tasks");
}

/* Runs every test: the layer on each shape and density, then the rest. */
int
main(void)
{
	static const int	shapes[][4] = {
		{ 1, 1, 1, 0 }, { 3, 5, 2, 1 }, { 17, 40, 33, 1 },
		{ 9, 37, 45, 0 }, { 64, 300, 64, 0 }, { 30, 2312, 100, 0 }
	};
	static const double	densities[] = { 0, 0.02, 0.1, 0.3, 1 };
	size_t			 s, d;

	blas_set_threads(1);
	best_isa = cpu_isa();
	diag("the kernels use %s here", cpu_isa_name(best_isa));
	for (s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
		for (d = 0; d < sizeof densities / sizeof densities[0]; d++)
			test_case(shapes[s][0], shapes[s][1], shapes[s][2],
			    shapes[s][3], densities[d], 100 * s + d);
	test_skip(200, 300, 200, 0.1, 0.5, 11);
	test_skip(97, 2312, 130, 0.3, 0.7, 12);
	test_skip(50, 40, 33, 1, 0.5, 13);
	test_skip(64, 100, 70, 0.2, 1, 14);
	test_threshold();
	test_weights_change();
	test_alloc_failure();
	test_net(0.1);
	test_net(0.7);
	test_pool();
	return done_testing();
}
