/*
 * bench-train.c: how fast snnwb trains and runs the N-MNIST two-layer SNN.
 *
 * The network of DESIGN.md: flatten, linear 2312 -> 800 without bias,
 * LIF (tau 2, detach_reset, ATan), linear 800 -> 10 without bias, LIF;
 * T = 10 frames split by number; Adam 1e-3; MSE on the rate. For each
 * batch size it times training (the steps of train.c's train_batch, the
 * batches coming from the loader's background thread exactly as in
 * training, shuffled, epoch after epoch) and inference (forward only,
 * batches in order) over NBATCH batches after WARMUP, and reports samples
 * per second and milliseconds per batch in each phase:
 *
 *   data      waiting for the loader's next batch
 *   l1_*      the first layer's sparse path: scan (the CSR of x), mul
 *             (y = x w^T, w's transposed panels included), csc (the CSR
 *             transposed), grad (dw += dy^T x, dy's panels included)
 *   fwd_rest  the rest of the forward: LIF, layer 2, spike statistics
 *   bwd_rest  the rest of the backward: LIF, layer 2, sparsity statistics
 *   loss, optim (with zeroing the gradients, as train.c does)
 *
 * and, timed separately on the last batch's activations, the parts of
 * fwd_rest and bwd_rest: prof_lif1_fwd, prof_l2_fwd, prof_lif2_fwd,
 * prof_lif1_bwd, prof_l2_bwd, prof_lif2_bwd.
 *
 * With -d it instead times the first layer alone (forward and weight
 * gradient, the fastest of BENCH_SWEEPREPS) on random inputs of densities
 * from 2% to 80%, through the sparse path and through the GEMMs: where
 * they cross is where LINEAR_SPARSE_MAX_DENSITY belongs on this machine.
 *
 * With -p it instead trains with the surrogate piecewise_quadratic of
 * alpha 1, 2, 4 and 8 (zero outside |x| < 1 / alpha), running every
 * backward twice on the same batch, with the first layer's skipping of
 * zero panels of dy off and on (in turn first), and prints a table: the
 * percentages of zero surrogate derivatives of the first LIF layer and of
 * zero entries, rows and panels (its columns by 64 with AVX-512, else 32)
 * of its backward signal dy, the milliseconds per batch of the first
 * layer's weight gradient (l1_grad) and of the whole backward, off and
 * on, and whether both gave the same gradient bits.
 *
 * usage: bench-train [-dp] [-t threads] [-n nbatch] [-w warmup]
 *     [-b batch]... [NMNIST]
 * threads defaults to 2; nbatch 30; warmup 3; batch 64 and 128. NMNIST
 * defaults to $SNNWB_SHARED/datasets/nmnist-subset, else
 * ../shared/datasets/nmnist-subset. Prints "name value" lines;
 * bench/train.sh compares them with bench/train_torch.py.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../src/snnwb.h"

#define BENCH_T		10
#define BENCH_IN	2312
#define BENCH_HIDDEN	800
#define BENCH_CLASSES	10
#define BENCH_MAXB	8
#define BENCH_PROFREPS	5
#define BENCH_SWEEPREPS	5

/* Milliseconds per phase, summed over the timed batches. */
struct bench_phases {
	double	data, forward, loss, backward, optim;
};

/* Returns the monotonic clock in seconds. */
static double
bench_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * Builds the network of the benchmark, initialised from seed 1, with the
 * surrogate sg of parameter alpha (the surrogate's default when 0).
 */
static struct net *
bench_net(const char *sg, double alpha, char **cause)
{
	struct net	*net;
	struct neuron	 n;
	struct rng	 r;

	if ((net = net_new()) == NULL) {
		*cause = error_printf("out of memory");
		return NULL;
	}
	rng_seed(&r, 1);
	neuron_defaults(&n, NEURON_LIF);
	n.tau = 2.0f;
	n.detach_reset = 1;
	if (surrogate_init(&n.sg, sg, cause) != 0 ||
	    (alpha != 0 && surrogate_set(&n.sg, "alpha", alpha, cause) != 0) ||
	    net_add_flatten(net, cause) != 0 ||
	    net_add_linear(net, BENCH_IN, BENCH_HIDDEN, 0, &r, cause) != 0 ||
	    net_add_neuron(net, &n, cause) != 0 ||
	    net_add_linear(net, BENCH_HIDDEN, BENCH_CLASSES, 0, &r,
	    cause) != 0 ||
	    net_add_neuron(net, &n, cause) != 0) {
		net_free(net);
		return NULL;
	}
	return net;
}

/*
 * Hands out the next batch into b, starting a new epoch of l when one
 * ends; *epoch counts the epochs started. Returns 0 or -1.
 */
static int
bench_next(struct loader *l, int *epoch, struct batch *b, char **cause)
{
	int	rc;

	while ((rc = data_loader_next(l, b, cause)) == 0)
		if (data_loader_start_epoch(l, ++*epoch, cause) != 0)
			return -1;
	return rc == 1 ? 0 : -1;
}

/* Prints a phase as "train_64_name ms" per timed batch. */
static void
bench_print(const char *mode, int B, const char *name, double seconds,
    int nbatch)
{
	printf("%s_%d_%s_ms %.3f\n", mode, B, name, seconds * 1e3 / nbatch);
}

/*
 * Times the parts of the forward and backward other than the first layer
 * on the activations the last step left, BENCH_PROFREPS times each, and
 * prints milliseconds per batch.
 */
static void
bench_profile(struct net *net, const float *dout, int B)
{
	struct module	*l2 = net_module(net, 2), *l3 = net_module(net, 3);
	struct module	*l4 = net_module(net, 4);
	struct mctx	 c = { .T = BENCH_T, .B = B, .training = 1 };
	double		 t[7];
	int		 i, k;

	t[0] = bench_now();
	for (i = 0; i < BENCH_PROFREPS; i++) {
		module_reset(l2);
		module_forward(l2, &c, l2->x, NULL);
	}
	t[1] = bench_now();
	for (i = 0; i < BENCH_PROFREPS; i++)
		module_forward(l3, &c, l3->x, NULL);
	t[2] = bench_now();
	for (i = 0; i < BENCH_PROFREPS; i++) {
		module_reset(l4);
		module_forward(l4, &c, l4->x, NULL);
	}
	t[3] = bench_now();
	for (i = 0; i < BENCH_PROFREPS; i++)
		module_backward(l4, &c, dout, 1);
	t[4] = bench_now();
	for (i = 0; i < BENCH_PROFREPS; i++)
		module_backward(l3, &c, l4->dx, 1);
	t[5] = bench_now();
	for (i = 0; i < BENCH_PROFREPS; i++)
		module_backward(l2, &c, l3->dx, 1);
	t[6] = bench_now();
	for (k = 0; k < 6; k++)
		t[k] = t[k + 1] - t[k];
	bench_print("prof", B, "lif1_fwd", t[0], BENCH_PROFREPS);
	bench_print("prof", B, "l2_fwd", t[1], BENCH_PROFREPS);
	bench_print("prof", B, "lif2_fwd", t[2], BENCH_PROFREPS);
	bench_print("prof", B, "lif2_bwd", t[3], BENCH_PROFREPS);
	bench_print("prof", B, "l2_bwd", t[4], BENCH_PROFREPS);
	bench_print("prof", B, "lif1_bwd", t[5], BENCH_PROFREPS);
}

/* Prints the first layer's stage times accumulated since before. */
static void
bench_print_l1(const char *mode, int B, const struct linear_sparse *sp,
    const struct linear_sparse_times *before, int nbatch)
{
	struct linear_sparse_times	now = layer_linear_sparse_times(sp);

	bench_print(mode, B, "l1_scan", now.scan - before->scan, nbatch);
	bench_print(mode, B, "l1_mul", now.mul - before->mul, nbatch);
	if (strcmp(mode, "train") == 0) {
		bench_print(mode, B, "l1_csc", now.csc - before->csc, nbatch);
		bench_print(mode, B, "l1_grad", now.grad - before->grad,
		    nbatch);
	}
	printf("%s_%d_l1_dense_batches %ld\n", mode, B,
	    now.dense - before->dense);
	printf("%s_%d_density %.4f\n", mode, B,
	    layer_linear_sparse_density(sp));
}

/*
 * Trains (train nonzero) or runs forward only for warmup + nbatch batches
 * of B from ds and prints the throughput and phases of the last nbatch.
 */
static int
bench_run(const struct dataset *ds, int train, int B, int warmup,
    int nbatch, char **cause)
{
	const char			*mode = train ? "train" : "infer";
	struct net			*net;
	struct loader_opts		 lo;
	struct loader			*l = NULL;
	struct optim			 opt;
	struct optim_param		 p;
	struct batch			 b;
	struct bench_phases		 ph;
	struct linear_sparse_times	 l1, now;
	struct linear_sparse		*sp;
	const float			*s;
	float				*dout = NULL, *m = NULL, *v = NULL;
	double				 t0, t1, start = 0, loss = 0;
	int				 shape[3] = { 2, 34, 34 }, i, epoch = 1;
	int				 rc = -1;

	if ((net = bench_net("atan", 0, cause)) == NULL)
		return -1;
	optim_init(&opt, "adam", NULL);
	opt.lr = 1e-3f;
	dout = mem_calloc((size_t)BENCH_T * B * BENCH_CLASSES, sizeof *dout);
	m = mem_calloc(net->nparams, sizeof *m);
	v = mem_calloc(net->nparams, sizeof *v);
	if (dout == NULL || m == NULL || v == NULL) {
		*cause = error_printf("out of memory");
		goto out;
	}
	data_loader_defaults(&lo);
	lo.batch = B;
	lo.drop_last = 1;
	lo.shuffle = train;
	if ((l = data_loader_new(ds, &lo, cause)) == NULL ||
	    data_loader_start_epoch(l, epoch, cause) != 0)
		goto out;
	memset(&ph, 0, sizeof ph);
	memset(&l1, 0, sizeof l1);
	for (i = 0; i < warmup + nbatch; i++) {
		if (i == warmup) {
			memset(&ph, 0, sizeof ph);
			l1 = layer_linear_sparse_times(
			    layer_linear_module_sparse(net_module(net, 1)));
			start = bench_now();
		}
		t0 = bench_now();
		if (bench_next(l, &epoch, &b, cause) != 0)
			goto out;
		t1 = bench_now();
		ph.data += t1 - t0;
		net_reset(net);
		t0 = bench_now();
		if (net_forward(net, b.x, b.T, b.B, 3, shape, &s, cause) != 0)
			goto out;
		t1 = bench_now();
		ph.forward += t1 - t0;
		loss = loss_mse_rate(train ? dout : NULL, s, b.labels, b.T,
		    b.B, BENCH_CLASSES);
		t0 = bench_now();
		ph.loss += t0 - t1;
		if (!train)
			continue;
		if (net_backward(net, dout, NULL, cause) != 0)
			goto out;
		t1 = bench_now();
		ph.backward += t1 - t0;
		p.p = net->params;
		p.g = net->grads;
		p.m = m;
		p.v = v;
		p.n = net->nparams;
		optim_step_zero(&opt, &p, 1);
		ph.optim += bench_now() - t1;
	}
	t1 = bench_now() - start;
	printf("%s_%d_samples_per_s %.1f\n", mode, B,
	    (double)nbatch * B / t1);
	printf("%s_%d_last_loss %.5f\n", mode, B, loss);
	bench_print(mode, B, "total", t1, nbatch);
	bench_print(mode, B, "data", ph.data, nbatch);
	sp = layer_linear_module_sparse(net_module(net, 1));
	bench_print_l1(mode, B, sp, &l1, nbatch);
	now = layer_linear_sparse_times(sp);
	t0 = (now.scan - l1.scan) + (now.mul - l1.mul);
	bench_print(mode, B, "fwd_rest", ph.forward - t0, nbatch);
	bench_print(mode, B, "loss", ph.loss, nbatch);
	if (train) {
		t0 = (now.csc - l1.csc) + (now.grad - l1.grad);
		bench_print(mode, B, "bwd_rest", ph.backward - t0, nbatch);
		bench_print(mode, B, "optim", ph.optim, nbatch);
		bench_profile(net, dout, B);
	}
	rc = 0;
out:
	data_loader_free(l);
	net_free(net);
	mem_free(dout);
	mem_free(m);
	mem_free(v);
	return rc;
}

/*
 * Integrates every sample once (untimed) and prints the sum and the
 * nonzero fraction of all frames, which train_torch.py prints for its
 * own frames: the two must agree.
 */
static int
bench_checksum(const struct dataset *ds, char **cause)
{
	size_t	 i, j, n = (size_t)ds->T * data_loader_step_size(ds), nz = 0;
	double	 sum = 0;
	float	*f;

	if ((f = mem_alloc(n * sizeof *f)) == NULL) {
		*cause = error_printf("out of memory");
		return -1;
	}
	for (i = 0; i < ds->n; i++) {
		if (ds->fill(ds, i, f, data_loader_step_size(ds), cause) != 0) {
			mem_free(f);
			return -1;
		}
		for (j = 0; j < n; j++) {
			sum += f[j];
			nz += f[j] != 0;
		}
	}
	printf("samples %zu\n", ds->n);
	printf("frames_sum %.0f\n", sum);
	printf("frames_nonzero %.5f\n", (double)nz / (double)(n * ds->n));
	mem_free(f);
	return 0;
}

/*
 * Returns the fastest of BENCH_SWEEPREPS forward and backward passes of
 * the first layer through *sp with the density limit max_density.
 */
static double
bench_layer(struct linear_sparse **sp, float *y, const float *x,
    const float *w, const float *dy, float *dw, int rows,
    float max_density)
{
	double	t, best = 0;
	int	i;

	for (i = 0; i < BENCH_SWEEPREPS; i++) {
		t = bench_now();
		if (layer_linear_sparse_forward(sp, y, x, w, NULL, rows,
		    BENCH_IN, BENCH_HIDDEN, max_density, NULL) != 0)
			return -1;
		layer_linear_sparse_backward(*sp, NULL, dw, NULL, dy, x, w,
		    rows, BENCH_IN, BENCH_HIDDEN);
		t = bench_now() - t;
		if (i == 0 || t < best)
			best = t;
	}
	return best;
}

/*
 * Times the first layer through the sparse path and the GEMMs on random
 * inputs of several densities, batches of B, and prints milliseconds.
 */
static int
bench_sweep(int B, char **cause)
{
	static const double	 density[] = {
		0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8
	};
	struct linear_sparse	*sp = NULL;
	struct rng		 r;
	size_t			 i, nx, nw, ny;
	float			*x, *w, *y, *dy, *dw;
	double			 ts, td;
	int			 d, rows = BENCH_T * B, rc = 0;

	nx = (size_t)rows * BENCH_IN;
	nw = (size_t)BENCH_HIDDEN * BENCH_IN;
	ny = (size_t)rows * BENCH_HIDDEN;
	x = mem_aligned(nx * sizeof *x);
	w = mem_aligned(nw * sizeof *w);
	dw = mem_aligned(nw * sizeof *dw);
	y = mem_aligned(ny * sizeof *y);
	dy = mem_aligned(ny * sizeof *dy);
	if (x == NULL || w == NULL || dw == NULL || y == NULL || dy == NULL) {
		*cause = error_printf("out of memory");
		rc = -1;
		goto out;
	}
	rng_seed(&r, 2);
	for (i = 0; i < nw; i++)
		w[i] = dw[i] = (float)(rng_uniform(&r) - 0.5) * 0.04f;
	for (i = 0; i < ny; i++)
		dy[i] = (float)(rng_uniform(&r) - 0.5) * 0.01f;
	for (d = 0; d < (int)(sizeof density / sizeof density[0]); d++) {
		for (i = 0; i < nx; i++)
			x[i] = rng_uniform(&r) < density[d] ? 1.0f : 0.0f;
		ts = bench_layer(&sp, y, x, w, dy, dw, rows, 1.0f);
		td = bench_layer(&sp, y, x, w, dy, dw, rows, 0.0f);
		if (ts < 0 || td < 0) {
			*cause = error_printf("out of memory");
			rc = -1;
			goto out;
		}
		printf("sweep_%d_%.2f_sparse_ms %.3f\n", B, density[d],
		    ts * 1e3);
		printf("sweep_%d_%.2f_dense_ms %.3f\n", B, density[d],
		    td * 1e3);
		fflush(stdout);
	}
out:
	layer_linear_sparse_free(sp);
	mem_free(x);
	mem_free(w);
	mem_free(dw);
	mem_free(y);
	mem_free(dy);
	return rc;
}

/*
 * What bench_skip measures for one alpha, summed over the timed batches:
 * fractions of zero surrogate derivatives of the first LIF layer and of
 * zero entries, rows and panels of its backward signal dy, and
 * seconds of the first layer's weight gradient and of the whole backward
 * with skipping off [0] and on [1].
 */
struct bench_skip {
	double	sg_zero, dy_zero, rows_zero, panels_zero;
	double	grad[2], bwd[2];
	int	same;		/* the gradients were the same bits */
};

/*
 * Adds to st the fractions of zero entries of dy (rows, n) and of its
 * panels (its columns by panel) that are all zero.
 */
static void
bench_zeros(struct bench_skip *st, const float *dy, size_t rows, size_t n,
    size_t panel)
{
	size_t	r, j, k, zero = 0, panels = 0, zpanels = 0;
	int	nz;

	for (j = 0; j < n; j += panel, panels++) {
		nz = 0;
		for (r = 0; r < rows; r++)
			for (k = j; k < j + panel && k < n; k++) {
				zero += dy[r * n + k] == 0.0f;
				nz |= dy[r * n + k] != 0.0f;
			}
		zpanels += !nz;
	}
	st->dy_zero += (double)zero / (double)(rows * n);
	st->panels_zero += (double)zpanels / (double)panels;
}

/*
 * Trains warmup + nbatch batches of B with surrogate piecewise_quadratic
 * of parameter alpha, running each backward twice, with skipping off and
 * on (in turn first), the gradients zeroed between, and fills st from the
 * last nbatch.
 */
static int
bench_skip_run(const struct dataset *ds, double alpha, int B, int warmup,
    int nbatch, struct bench_skip *st, char **cause)
{
	struct net		*net;
	struct loader_opts	 lo;
	struct loader		*l = NULL;
	struct module		*lif;
	struct optim		 opt;
	struct optim_param	 p;
	struct batch		 b;
	const float		*s;
	float			*dout = NULL, *m = NULL, *v = NULL, *g = NULL;
	double			 t, grad;
	size_t			 rows = (size_t)BENCH_T * B, panel;
	int			 shape[3] = { 2, 34, 34 }, i, k, on, epoch = 1;
	int			 rc = -1;

	/* The panel of the sparse kernels: 64 outputs with AVX-512. */
	panel = cpu_isa() == CPU_ISA_AVX512 ? 64 : 32;
	memset(st, 0, sizeof *st);
	st->same = 1;
	if ((net = bench_net("piecewise_quadratic", alpha, cause)) == NULL)
		return -1;
	lif = net_module(net, 2);
	optim_init(&opt, "adam", NULL);
	opt.lr = 1e-3f;
	dout = mem_calloc(rows * BENCH_CLASSES, sizeof *dout);
	m = mem_calloc(net->nparams, sizeof *m);
	v = mem_calloc(net->nparams, sizeof *v);
	g = mem_calloc(net->nparams, sizeof *g);
	if (dout == NULL || m == NULL || v == NULL || g == NULL) {
		*cause = error_printf("out of memory");
		goto out;
	}
	data_loader_defaults(&lo);
	lo.batch = B;
	lo.drop_last = 1;
	lo.shuffle = 1;
	if ((l = data_loader_new(ds, &lo, cause)) == NULL ||
	    data_loader_start_epoch(l, epoch, cause) != 0)
		goto out;
	for (i = 0; i < warmup + nbatch; i++) {
		if (bench_next(l, &epoch, &b, cause) != 0)
			goto out;
		net_reset(net);
		if (net_forward(net, b.x, b.T, b.B, 3, shape, &s, cause) != 0)
			goto out;
		loss_mse_rate(dout, s, b.labels, b.T, b.B, BENCH_CLASSES);
		for (k = 0; k < 2; k++) {
			on = (i + k) & 1;
			layer_linear_sparse_skip(on);
			grad = layer_linear_sparse_times(
			    layer_linear_module_sparse(net_module(net, 1))).grad;
			t = bench_now();
			if (net_backward(net, dout, NULL, cause) != 0)
				goto out;
			t = bench_now() - t;
			grad = layer_linear_sparse_times(
			    layer_linear_module_sparse(net_module(net, 1))).grad - grad;
			if (i >= warmup) {
				st->bwd[on] += t;
				st->grad[on] += grad;
			}
			if (k == 0) {
				memcpy(g, net->grads, net->nparams *
				    sizeof *g);
				net_zero_grad(net);
			}
		}
		st->same &= memcmp(g, net->grads, net->nparams *
		    sizeof *g) == 0;
		if (i >= warmup) {
			st->sg_zero += lif->stats.sg_zero;
			st->rows_zero += lif->stats.zero_rows;
			bench_zeros(st, lif->dx, rows, BENCH_HIDDEN, panel);
		}
		p.p = net->params;
		p.g = net->grads;
		p.m = m;
		p.v = v;
		p.n = net->nparams;
		optim_step_zero(&opt, &p, 1);
	}
	rc = 0;
out:
	layer_linear_sparse_skip(1);
	data_loader_free(l);
	net_free(net);
	mem_free(dout);
	mem_free(m);
	mem_free(v);
	mem_free(g);
	return rc;
}

/*
 * Runs bench_skip_run for alpha 1, 2, 4 and 8 at batch B and prints a
 * table: percentages of zeros, milliseconds per batch off and on.
 */
static int
bench_skip(const struct dataset *ds, int B, int warmup, int nbatch,
    char **cause)
{
	static const double	alpha[] = { 1, 2, 4, 8 };
	struct bench_skip	st;
	double			n = nbatch;
	size_t			i;

	printf("piecewise_quadratic, batch %d, %d batches: %% zero, "
	    "ms per batch\n", B, nbatch);
	printf("%5s %7s %7s %7s %7s %9s %8s %9s %8s %4s\n", "alpha", "sg",
	    "dy", "dy_rows", "dy_pan", "grad_off", "grad_on", "bwd_off",
	    "bwd_on", "same");
	for (i = 0; i < sizeof alpha / sizeof alpha[0]; i++) {
		if (bench_skip_run(ds, alpha[i], B, warmup, nbatch, &st,
		    cause) != 0)
			return -1;
		printf("%5g %7.2f %7.2f %7.2f %7.2f %9.3f %8.3f %9.3f %8.3f "
		    "%4s\n", alpha[i], 100 * st.sg_zero / n,
		    100 * st.dy_zero / n, 100 * st.rows_zero / n,
		    100 * st.panels_zero / n, st.grad[0] * 1e3 / n,
		    st.grad[1] * 1e3 / n, st.bwd[0] * 1e3 / n,
		    st.bwd[1] * 1e3 / n, st.same ? "yes" : "NO");
		fflush(stdout);
	}
	return 0;
}

/* Multiplies two 1024 x 1024 matrices, so BLAS runs at speed afterwards. */
static void
bench_warm_blas(void)
{
	size_t	 n = 1024 * 1024;
	float	*a = mem_aligned(3 * n * sizeof *a);

	if (a == NULL)
		return;
	memset(a, 0, 3 * n * sizeof *a);
	blas_sgemm(0, 0, 1024, 1024, 1024, 1.0f, a, 1024, a + n, 1024, 0.0f,
	    a + 2 * n, 1024);
	mem_free(a);
}

/* Parses the options, loads the recordings and runs every benchmark. */
int
main(int argc, char **argv)
{
	struct data_nmnist_options	 no = { 0 };
	struct frames_opts		 fo;
	struct eventset			 es;
	struct dataset			 ds;
	const char			*shared = getenv("SNNWB_SHARED");
	char				 root[4096], *cause = NULL;
	int				 batch[BENCH_MAXB], nb = 0, threads = 2;
	int				 nbatch = 30, warmup = 3, c, i;
	int				 sweep = 0, skip = 0;

	while ((c = getopt(argc, argv, "b:dn:pt:w:")) != -1) {
		switch (c) {
		case 'd':
			sweep = 1;
			break;
		case 'p':
			skip = 1;
			break;
		case 'b':
			if (nb < BENCH_MAXB)
				batch[nb++] = atoi(optarg);
			break;
		case 'n':
			nbatch = atoi(optarg);
			break;
		case 't':
			threads = atoi(optarg);
			break;
		case 'w':
			warmup = atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (nb == 0) {
		batch[nb++] = 64;
		batch[nb++] = 128;
	}
	for (i = 0; i < nb; i++)
		if (batch[i] < 1)
			goto usage;
	if (threads < 1 || nbatch < 1 || warmup < 0 || argc - optind > 1)
		goto usage;
	if (optind < argc)
		snprintf(root, sizeof root, "%s", argv[optind]);
	else
		snprintf(root, sizeof root, "%s/datasets/nmnist-subset",
		    shared != NULL && *shared != '\0' ? shared : "../shared");

	blas_set_threads(threads);
	if (sweep) {
		bench_warm_blas();
		printf("threads %d\n", blas_threads());
		for (i = 0; i < nb; i++)
			if (bench_sweep(batch[i], &cause) != 0)
				goto fail;
		return 0;
	}
	no.no_cache = 1;
	if (data_nmnist_load(root, "train", &no, &es, NULL, &cause) != 0)
		goto fail;
	data_frames_defaults(&fo);
	fo.T = BENCH_T;
	if (data_loader_eventset(&ds, &es, &fo, &cause) != 0)
		goto fail;
	printf("threads %d\n", blas_threads());
	if (bench_checksum(&ds, &cause) != 0)
		goto fail;
	bench_warm_blas();
	for (i = 0; i < nb; i++) {
		if (skip) {
			if (bench_skip(&ds, batch[i], warmup, nbatch,
			    &cause) != 0)
				goto fail;
			continue;
		}
		if (bench_run(&ds, 1, batch[i], warmup, nbatch, &cause) != 0 ||
		    bench_run(&ds, 0, batch[i], warmup, nbatch, &cause) != 0)
			goto fail;
		fflush(stdout);
	}
	data_nmnist_free(&es);
	return 0;
fail:
	fprintf(stderr, "bench-train: %s\n", cause != NULL ? cause :
	    "out of memory");
	return 1;
usage:
	fprintf(stderr, "usage: bench-train [-dp] [-t threads] [-n nbatch] "
	    "[-w warmup] [-b batch]... [NMNIST]\n");
	return 1;
}
