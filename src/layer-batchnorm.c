/*
 * layer-batchnorm.c: batch normalisation of the channels of [C, H, W]
 * samples (nn.BatchNorm2d), or of [C] feature vectors (nn.BatchNorm1d of
 * [N, C]), time merged into the batch.
 *
 * Legend: N rows (T * B), C channels, S values of a channel in a row (H W,
 * or 1 for [C]), n = N S values of a channel; x, y, dy and dx are
 * (N, C, S).
 *
 * Training: the mean and the biased variance of each channel's n values
 * normalise it, y = (x - mean) / sqrt(var + eps) weight + bias; the
 * running estimates become (1 - momentum) running + momentum batch, the
 * variance unbiased (var n / (n - 1)), and num_batches_tracked counts
 * the training forwards, as PyTorch. Evaluation: the running estimates
 * normalise and stay as they are.
 *
 * Two passes over x: the first sums x - K and its square in double, K a
 * value of the channel (its first), so that the variance keeps its digits
 * when the mean is far from 0; the second writes y = x a + b with
 * a = weight / sqrt(var + eps) and b = bias - mean a, as PyTorch's CPU
 * kernel does. The backward, for the mode of the forward, with g = dy
 * over a channel's values, sum_g = sum g and dot = sum (x - mean) g:
 *
 *   grad_bias += sum_g, grad_weight += dot invstd,
 *   train: dx = (g - sum_g / n - (x - mean) dot invstd^2 / n) invstd w
 *   eval:  dx = g invstd w
 *
 * x is not copied: the backward reads the forward's input again (it stays
 * valid until then), with the mean and invstd the forward kept for each
 * channel. Channels are split among the tasks of the thread pool; each
 * channel is computed by one task in a fixed order, so the results do not
 * depend on the number of threads.
 */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "nn.h"

/*
 * Two floats and two doubles in GCC's and clang's vector extension (SSE2
 * on any x86-64, NEON on arm64): the sums are kept in double, two lanes
 * at a time.
 */
typedef float bn_v2f __attribute__((vector_size(8)));
typedef double bn_v2d __attribute__((vector_size(16)));

/* Independent vector sums, so that additions do not wait on each other. */
#define BN_ACC	4

/* The parameters and buffers, in the order they are declared. */
enum {
	BN_WEIGHT,
	BN_BIAS,
	BN_RUNNING_MEAN,
	BN_RUNNING_VAR,
	BN_TRACKED
};

/* The batch norm module: its options and what the backward needs. */
struct bn_module {
	int		 C;
	double		 momentum;
	double		 eps;
	double		*mean;		/* (C) of the last forward */
	double		*invstd;	/* (C) of the last forward */
	int		 batch;		/* it used batch statistics */
};

/* What one pool call works on. */
struct bn_job {
	struct module	*m;
	const float	*x;		/* (N, C, S) */
	const float	*dy;		/* (N, C, S) */
	int		 N;
	int		 S;
	int		 ntasks;
	int		 need_dx;
};

/* Sets nn.BatchNorm2d's initial values (none drawn): weight, running_var 1. */
static void
layer_batchnorm_init(struct module *m, struct rng *r)
{
	struct bn_module	*bn = m->priv;
	int			 c;

	(void)r;
	for (c = 0; c < bn->C; c++) {
		m->param[BN_WEIGHT].data[c] = 1;
		m->param[BN_BIAS].data[c] = 0;
		m->param[BN_RUNNING_MEAN].data[c] = 0;
		m->param[BN_RUNNING_VAR].data[c] = 1;
	}
	m->param[BN_TRACKED].data[0] = 0;
}

/* Reads "num_features", "momentum" and "eps"; declares the tensors. */
static int
layer_batchnorm_parse(struct module *m, json_t *o, char **cause)
{
	struct bn_module	*bn = m->priv;
	int			 shape[1];

	if (module_json_int(o, "num_features", 0, 1, INT32_MAX, &bn->C,
	    cause) != 0 ||
	    module_json_number(o, "momentum", 0.1, &bn->momentum, cause) != 0 ||
	    module_json_number(o, "eps", 1e-5, &bn->eps, cause) != 0)
		return -1;
	if (json_object_get(o, "num_features") == NULL)
		return error_set(cause, "batchnorm2d: \"num_features\" (the "
		    "number of channels) is required");
	if (!(bn->momentum > 0 && bn->momentum <= 1))
		return error_set(cause, "batchnorm2d: \"momentum\" must be in "
		    "(0, 1] (the weight of the batch in the running "
		    "estimates), got %g", bn->momentum);
	if (!(bn->eps > 0))
		return error_set(cause, "batchnorm2d: \"eps\" must be "
		    "positive, got %g", bn->eps);
	shape[0] = bn->C;
	if ((bn->mean = mem_calloc((size_t)bn->C, sizeof *bn->mean)) ==
	    NULL || (bn->invstd = mem_calloc((size_t)bn->C,
	    sizeof *bn->invstd)) == NULL)
		return error_set(cause, "batchnorm2d: out of memory for %d "
		    "channels", bn->C);
	if (module_declare(m, "weight", 0, 1, shape, cause) == NULL ||
	    module_declare(m, "bias", 0, 1, shape, cause) == NULL ||
	    module_declare(m, "running_mean", MPARAM_BUFFER, 1, shape,
	    cause) == NULL ||
	    module_declare(m, "running_var", MPARAM_BUFFER, 1, shape,
	    cause) == NULL ||
	    module_declare(m, "num_batches_tracked", MPARAM_BUFFER |
	    MPARAM_I64, 0, shape, cause) == NULL)
		return -1;
	layer_batchnorm_init(m, NULL);
	return 0;
}

/* Adds "num_features", "momentum" and "eps" to o. */
static void
layer_batchnorm_describe(const struct module *m, json_t *o)
{
	const struct bn_module	*bn = m->priv;

	json_object_set_new(o, "num_features", json_integer(bn->C));
	json_object_set_new(o, "momentum", json_real(bn->momentum));
	json_object_set_new(o, "eps", json_real(bn->eps));
}

/* The input per sample must be [C, H, W] or [C]; the output is the same. */
static int
layer_batchnorm_shape(struct module *m, char **cause)
{
	struct bn_module	*bn = m->priv;
	char			 have[64], label[80];

	if ((m->in_ndim != 3 && m->in_ndim != 1) || m->in_shape[0] != bn->C)
		return error_set(cause, "%s: input per sample is %s, expected "
		    "[%d, H, W] (or [%d] features)", module_label(m, label,
		    sizeof label), tensor_shape_string(m->in_shape,
		    m->in_ndim, have, sizeof have), bn->C, bn->C);
	return 0;
}

/* Returns the first channel of task p's range. */
static int
layer_batchnorm_first(const struct bn_job *job, int p)
{
	const struct bn_module	*bn = job->m->priv;

	return (int)((int64_t)bn->C * p / job->ntasks);
}

/* Returns p[0] and p[1] as doubles (p need not be aligned). */
static inline bn_v2d
layer_batchnorm_load(const float *p)
{
	bn_v2f	f;

	memcpy(&f, p, sizeof f);
	return __builtin_convertvector(f, bn_v2d);
}

/*
 * Sets *mean and *var (biased) of channel c of x (N, C, S) from the sums
 * of x - K and its square, K the channel's first value.
 */
static void
layer_batchnorm_moments(const float *x, int N, int C, int S, int c,
    double *mean, double *var)
{
	const float	*row;
	bn_v2d		 k2, d, s1[BN_ACC], s2[BN_ACC];
	double		 k = x[(size_t)c * S], t1 = 0, t2 = 0;
	double		 count = (double)N * S;
	int		 i, j, l;

	k2 = (bn_v2d){ k, k };
	memset(s1, 0, sizeof s1);
	memset(s2, 0, sizeof s2);
	for (i = 0; i < N; i++) {
		row = x + ((size_t)i * C + c) * S;
		for (j = 0; j + 2 * BN_ACC <= S; j += 2 * BN_ACC)
			for (l = 0; l < BN_ACC; l++) {
				d = layer_batchnorm_load(row + j + 2 * l) - k2;
				s1[l] += d;
				s2[l] += d * d;
			}
		for (; j + 2 <= S; j += 2) {
			d = layer_batchnorm_load(row + j) - k2;
			s1[0] += d;
			s2[0] += d * d;
		}
		if (j < S) {
			d = (bn_v2d){ (double)row[j] - k, 0 };
			s1[0] += d;
			s2[0] += d * d;
		}
	}
	for (l = 0; l < BN_ACC; l++) {
		t1 += s1[l][0] + s1[l][1];
		t2 += s2[l][0] + s2[l][1];
	}
	*mean = k + t1 / count;
	*var = fmax((t2 - t1 * t1 / count) / count, 0);
}

/*
 * Forward of task p's channels: statistics (the batch's, updating the
 * running estimates, or the running ones), then y = x a + b.
 */
static void
layer_batchnorm_forward_task(void *arg, int p)
{
	const struct bn_job	*job = arg;
	struct module		*m = job->m;
	struct bn_module	*bn = m->priv;
	float			*rm = m->param[BN_RUNNING_MEAN].data;
	float			*rv = m->param[BN_RUNNING_VAR].data;
	const float		*xr;
	float			*yr, a, b;
	double			 mean, var, n = (double)job->N * job->S;
	int			 c, i, j, C = bn->C, S = job->S;

	for (c = layer_batchnorm_first(job, p); c < layer_batchnorm_first(job,
	    p + 1); c++) {
		if (bn->batch) {
			layer_batchnorm_moments(job->x, job->N, C, S, c, &mean,
			    &var);
			rm[c] = (float)((1 - bn->momentum) * rm[c] +
			    bn->momentum * mean);
			rv[c] = (float)((1 - bn->momentum) * rv[c] +
			    bn->momentum * var * n / (n - 1));
		} else {
			mean = rm[c];
			var = rv[c];
		}
		bn->mean[c] = mean;
		bn->invstd[c] = 1 / sqrt(var + bn->eps);
		a = (float)(m->param[BN_WEIGHT].data[c] * bn->invstd[c]);
		b = (float)(m->param[BN_BIAS].data[c] - mean *
		    (m->param[BN_WEIGHT].data[c] * bn->invstd[c]));
		for (i = 0; i < job->N; i++) {
			xr = job->x + ((size_t)i * C + c) * S;
			yr = m->y + ((size_t)i * C + c) * S;
			for (j = 0; j < S; j++)
				yr[j] = xr[j] * a + b;
		}
	}
}

/* Normalises x (N, C, S) into m->y; training needs two values a channel. */
static int
layer_batchnorm_forward(struct module *m, const struct mctx *c,
    const float *x, char **cause)
{
	struct bn_module	*bn = m->priv;
	struct bn_job		 job;
	char			 label[80];

	memset(&job, 0, sizeof job);
	job.m = m;
	job.x = x;
	job.N = c->T * c->B;
	job.S = (int)(m->in_size / (size_t)bn->C);
	if (c->training && (size_t)job.N * job.S < 2)
		return error_set(cause, "%s: training needs more than one "
		    "value per channel (batch statistics), got %d",
		    module_label(m, label, sizeof label), job.N * job.S);
	job.ntasks = blas_threads() < bn->C ? blas_threads() : bn->C;
	bn->batch = c->training;
	pool_run(layer_batchnorm_forward_task, &job, job.ntasks);
	if (c->training)
		m->param[BN_TRACKED].data[0] += 1;
	return 0;
}

/*
 * Sets *sum_g to the sum of channel c's dy (N, C, S) and *dot to the sum
 * of (x - mean) dy.
 */
static void
layer_batchnorm_sums(const float *x, const float *dy, int N, int C, int S,
    int c, double mean, double *sum_g, double *dot)
{
	const float	*xr, *gr;
	bn_v2d		 m2, g, s1[BN_ACC], s2[BN_ACC];
	int		 i, j, l;

	m2 = (bn_v2d){ mean, mean };
	memset(s1, 0, sizeof s1);
	memset(s2, 0, sizeof s2);
	for (i = 0; i < N; i++) {
		xr = x + ((size_t)i * C + c) * S;
		gr = dy + ((size_t)i * C + c) * S;
		for (j = 0; j + 2 * BN_ACC <= S; j += 2 * BN_ACC)
			for (l = 0; l < BN_ACC; l++) {
				g = layer_batchnorm_load(gr + j + 2 * l);
				s1[l] += g;
				s2[l] += (layer_batchnorm_load(xr + j + 2 * l) -
				    m2) * g;
			}
		for (; j + 2 <= S; j += 2) {
			g = layer_batchnorm_load(gr + j);
			s1[0] += g;
			s2[0] += (layer_batchnorm_load(xr + j) - m2) * g;
		}
		if (j < S) {
			s1[0][0] += gr[j];
			s2[0][0] += ((double)xr[j] - mean) * gr[j];
		}
	}
	*sum_g = *dot = 0;
	for (l = 0; l < BN_ACC; l++) {
		*sum_g += s1[l][0] + s1[l][1];
		*dot += s2[l][0] + s2[l][1];
	}
}

/* Backward of task p's channels: weight and bias gradients, then dx. */
static void
layer_batchnorm_backward_task(void *arg, int p)
{
	const struct bn_job	*job = arg;
	struct module		*m = job->m;
	struct bn_module	*bn = m->priv;
	const float		*xr, *gr;
	float			*dr, mean, k, gm, scale;
	double			 sum_g, dot, n = (double)job->N * job->S;
	int			 c, i, j, C = bn->C, S = job->S;

	for (c = layer_batchnorm_first(job, p); c < layer_batchnorm_first(job,
	    p + 1); c++) {
		layer_batchnorm_sums(m->x, job->dy, job->N, C, S, c,
		    bn->mean[c], &sum_g, &dot);
		m->param[BN_BIAS].grad[c] += (float)sum_g;
		m->param[BN_WEIGHT].grad[c] += (float)(dot * bn->invstd[c]);
		if (!job->need_dx)
			continue;
		mean = (float)bn->mean[c];
		scale = (float)(bn->invstd[c] * m->param[BN_WEIGHT].data[c]);
		k = bn->batch ? (float)(dot * bn->invstd[c] * bn->invstd[c] /
		    n) : 0;
		gm = bn->batch ? (float)(sum_g / n) : 0;
		for (i = 0; i < job->N; i++) {
			xr = m->x + ((size_t)i * C + c) * S;
			gr = job->dy + ((size_t)i * C + c) * S;
			dr = m->dx + ((size_t)i * C + c) * S;
			for (j = 0; j < S; j++)
				dr[j] = (gr[j] - gm - (xr[j] - mean) * k) *
				    scale;
		}
	}
}

/* Adds the weight and bias gradients; dx when need_dx is set. */
static void
layer_batchnorm_backward(struct module *m, const struct mctx *c,
    const float *dy, int need_dx)
{
	struct bn_module	*bn = m->priv;
	struct bn_job		 job;

	memset(&job, 0, sizeof job);
	job.m = m;
	job.dy = dy;
	job.N = c->T * c->B;
	job.S = (int)(m->in_size / (size_t)bn->C);
	job.need_dx = need_dx;
	job.ntasks = blas_threads() < bn->C ? blas_threads() : bn->C;
	pool_run(layer_batchnorm_backward_task, &job, job.ntasks);
}

/* Frees the per-channel statistics. */
static void
layer_batchnorm_free(struct module *m)
{
	struct bn_module	*bn = m->priv;

	mem_free(bn->mean);
	mem_free(bn->invstd);
}

static const char *const layer_batchnorm_args[] = { "num_features", NULL };
static const char *const layer_batchnorm_opts[] = { "momentum", "eps", NULL };
const struct module_kind layer_batchnorm2d_kind = {
	.name = "batchnorm2d",
	.lua = "batchnorm2d",
	.args = layer_batchnorm_args,
	.opts = layer_batchnorm_opts,
	.priv = sizeof(struct bn_module),
	.parse = layer_batchnorm_parse,
	.describe = layer_batchnorm_describe,
	.init = layer_batchnorm_init,
	.shape = layer_batchnorm_shape,
	.forward = layer_batchnorm_forward,
	.backward = layer_batchnorm_backward,
	.free = layer_batchnorm_free
};
