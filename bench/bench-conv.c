/*
 * bench-conv.c: how fast the conv2d module runs the convolutions of
 * WRN-16-4 on CIFAR-10 shapes (32x32 inputs, the stride in each stage's
 * first conv2, 1x1 shortcuts), at batch 128 by default.
 *
 * For each distinct shape it times, on random values, the forward, and
 * the backward with the input gradient (without it for the first layer,
 * which never needs one), the fastest of NREP runs after WARMUP, and
 * prints milliseconds and GFLOP/s (2 multiply-adds' flops per weight and
 * output pixel, twice that for a backward with the input gradient), then
 * the sum over the network's 16 convolutions (each shape times its
 * count): the convolutions' share of a training step and of an inference.
 *
 * usage: bench-conv [-t threads] [-b batch] [-n nrep] [-w warmup]
 * threads defaults to 2, batch 128, nrep 5, warmup 1. Prints "name value"
 * lines. Run it on an idle machine.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "../src/snnwb.h"

/* One convolution shape of WRN-16-4 and how often the network has it. */
struct bench_shape {
	const char	*name;
	int		 in, out, size, k, stride, count, first;
};

static const struct bench_shape bench_shapes[] = {
	{ "conv1_3_16_32", 3, 16, 32, 3, 1, 1, 1 },
	{ "l1_16_64_32", 16, 64, 32, 3, 1, 1, 0 },
	{ "l1_64_64_32", 64, 64, 32, 3, 1, 3, 0 },
	{ "l1_sc_16_64_32", 16, 64, 32, 1, 1, 1, 0 },
	{ "l2_64_128_32", 64, 128, 32, 3, 1, 1, 0 },
	{ "l2_128_128_32_s2", 128, 128, 32, 3, 2, 1, 0 },
	{ "l2_sc_64_128_32_s2", 64, 128, 32, 1, 2, 1, 0 },
	{ "l2_128_128_16", 128, 128, 16, 3, 1, 2, 0 },
	{ "l3_128_256_16", 128, 256, 16, 3, 1, 1, 0 },
	{ "l3_256_256_16_s2", 256, 256, 16, 3, 2, 1, 0 },
	{ "l3_sc_128_256_16_s2", 128, 256, 16, 1, 2, 1, 0 },
	{ "l3_256_256_8", 256, 256, 8, 3, 1, 2, 0 }
};

/* Returns the monotonic clock in seconds. */
static double
bench_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Returns a network of one conv2d of shape s, or exits. */
static struct net *
bench_net(const struct bench_shape *s, struct rng *r)
{
	struct net	*net;
	struct module	*m;
	json_t		*o;
	char		*cause = NULL;

	o = json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:b}", "type", "conv2d",
	    "in", s->in, "out", s->out, "kernel", s->k, "stride", s->stride,
	    "padding", s->k / 2, "bias", 1);
	m = module_parse(o, r, &cause);
	json_decref(o);
	if (m == NULL || (net = net_wrap(m, &cause)) == NULL) {
		fprintf(stderr, "bench-conv: %s\n", cause);
		exit(1);
	}
	return net;
}

/*
 * Times shape s at batch B: the fastest forward and backward of nrep
 * after warmup, in seconds, into *fwd and *bwd; returns the forward's
 * flops.
 */
static double
bench_shape(const struct bench_shape *s, int B, int nrep, int warmup,
    double *fwd, double *bwd)
{
	struct net	*net;
	struct rng	 r;
	const float	*y, *dx;
	float		*x, *dy;
	size_t		 nx = (size_t)B * s->in * s->size * s->size, ny, i;
	int		 shape[3] = { s->in, s->size, s->size }, rep, ho;
	double		 t0, t1, t2;

	rng_seed(&r, 1);
	net = bench_net(s, &r);
	ho = (s->size + 2 * (s->k / 2) - s->k) / s->stride + 1;
	ny = (size_t)B * s->out * ho * ho;
	if ((x = malloc(nx * sizeof *x)) == NULL ||
	    (dy = malloc(ny * sizeof *dy)) == NULL) {
		fprintf(stderr, "bench-conv: out of memory\n");
		exit(1);
	}
	for (i = 0; i < nx; i++)
		x[i] = (float)rng_normal(&r);
	for (i = 0; i < ny; i++)
		dy[i] = (float)rng_normal(&r);
	*fwd = *bwd = 1e30;
	for (rep = 0; rep < warmup + nrep; rep++) {
		t0 = bench_now();
		if (net_forward(net, x, 1, B, 3, shape, &y, NULL) != 0) {
			fprintf(stderr, "bench-conv: forward failed\n");
			exit(1);
		}
		t1 = bench_now();
		net_backward(net, dy, s->first ? NULL : &dx, NULL);
		t2 = bench_now();
		if (rep >= warmup) {
			*fwd = t1 - t0 < *fwd ? t1 - t0 : *fwd;
			*bwd = t2 - t1 < *bwd ? t2 - t1 : *bwd;
		}
	}
	free(x);
	free(dy);
	net_free(net);
	return 2.0 * s->out * s->in * s->k * s->k * (double)ho * ho * B;
}

int
main(int argc, char **argv)
{
	const struct bench_shape	*s;
	double				 flops, fwd, bwd, tf = 0, tb = 0;
	size_t				 i;
	int				 ch, threads = 2, B = 128, nrep = 5;
	int				 warmup = 1;

	while ((ch = getopt(argc, argv, "t:b:n:w:")) != -1) {
		switch (ch) {
		case 't':
			threads = atoi(optarg);
			break;
		case 'b':
			B = atoi(optarg);
			break;
		case 'n':
			nrep = atoi(optarg);
			break;
		case 'w':
			warmup = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: bench-conv [-t threads] "
			    "[-b batch] [-n nrep] [-w warmup]\n");
			return 1;
		}
	}
	if (threads < 1 || B < 1 || nrep < 1 || warmup < 0) {
		fprintf(stderr, "bench-conv: threads, batch and nrep must be "
		    "positive\n");
		return 1;
	}
	blas_set_threads(threads);
	printf("threads %d\nbatch %d\n", threads, B);
	for (i = 0; i < sizeof bench_shapes / sizeof *bench_shapes; i++) {
		s = &bench_shapes[i];
		flops = bench_shape(s, B, nrep, warmup, &fwd, &bwd);
		printf("%s_fwd_ms %.3f\n%s_fwd_gflops %.1f\n", s->name,
		    fwd * 1e3, s->name, flops / fwd * 1e-9);
		printf("%s_bwd_ms %.3f\n%s_bwd_gflops %.1f\n", s->name,
		    bwd * 1e3, s->name, (s->first ? 1 : 2) * flops / bwd *
		    1e-9);
		tf += s->count * fwd;
		tb += s->count * bwd;
	}
	printf("wrn16_4_conv_fwd_ms %.3f\nwrn16_4_conv_train_ms %.3f\n",
	    tf * 1e3, (tf + tb) * 1e3);
	printf("wrn16_4_conv_infer_images_per_s %.2f\n"
	    "wrn16_4_conv_train_images_per_s %.2f\n", B / tf, B / (tf + tb));
	return 0;
}
