/*
 * layer-pool.c: 2-d pooling on [T * B, C, H, W], as PyTorch's functions
 * with ceil_mode off: average pooling (F.avg_pool2d, count_include_pad on,
 * so a window always divides by k k), max pooling (F.max_pool2d, padding
 * counting as -inf, the gradient going to the first maximum of each window
 * in row-major order, summed where windows overlap) and the global average
 * (F.adaptive_avg_pool2d(x, 1)), which is average pooling with one window
 * of H x W. Each plane (image, channel) is pooled on its own. The max
 * pooling's backward finds each window's maximum again in x, which stays
 * valid until the backward, rather than keeping the indices. The planes
 * are split over the thread pool, one task per BLAS thread.
 */
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "nn.h"

/* A pooling module: its windows, and the plane sizes of the plan. */
struct pool_module {
	int	 k;		/* square kernel as given (0: global) */
	int	 stride;
	int	 padding;
	int	 kh;		/* window, stride and plane sizes planned */
	int	 kw;
	int	 sh;
	int	 sw;
	int	 h;
	int	 w;
	int	 ho;
	int	 wo;
};

/* A window of output (i, j), clipped to the plane: rows, columns. */
struct pool_window {
	int	 h0;
	int	 h1;
	int	 w0;
	int	 w1;
};

/*
 * Reads "kernel", "stride" (the kernel by default) and "padding" (at most
 * half the kernel, as PyTorch requires).
 */
static int
layer_pool_parse(struct module *m, json_t *o, char **cause)
{
	struct pool_module	*pm = m->priv;

	if (module_json_int(o, "kernel", 0, 1, 4096, &pm->k, cause) != 0)
		return -1;
	if (json_object_get(o, "kernel") == NULL)
		return error_set(cause, "%s: \"kernel\" is required",
		    m->kind->name);
	if (module_json_int(o, "stride", pm->k, 1, 4096, &pm->stride,
	    cause) != 0 ||
	    module_json_int(o, "padding", 0, 0, 4096, &pm->padding,
	    cause) != 0)
		return -1;
	if (pm->padding > pm->k / 2)
		return error_set(cause, "%s: padding %d is more than half the "
		    "kernel %d", m->kind->name, pm->padding, pm->k);
	return 0;
}

/* Adds "kernel", "stride" and "padding" to o. */
static void
layer_pool_describe(const struct module *m, json_t *o)
{
	const struct pool_module	*pm = m->priv;

	json_object_set_new(o, "kernel", json_integer(pm->k));
	json_object_set_new(o, "stride", json_integer(pm->stride));
	json_object_set_new(o, "padding", json_integer(pm->padding));
}

/* Reads "output_size", which must be 1: the global average. */
static int
layer_pool_parse_adaptive(struct module *m, json_t *o, char **cause)
{
	int	size;

	(void)m;
	if (module_json_int(o, "output_size", 1, 1, 4096, &size, cause) != 0)
		return -1;
	if (size != 1)
		return error_set(cause, "adaptive_avgpool2d: output_size %d is "
		    "not supported, only 1 (the global average)", size);
	return 0;
}

/* Adds "output_size" (1) to o. */
static void
layer_pool_describe_adaptive(const struct module *m, json_t *o)
{
	(void)m;
	json_object_set_new(o, "output_size", json_integer(1));
}

/* Checks that the input per sample is [C, H, W] and returns -1 if not. */
static int
layer_pool_check(struct module *m, char **cause)
{
	char	have[64], label[80];

	if (m->in_ndim == 3)
		return 0;
	return error_set(cause, "%s: input per sample is %s, expected "
	    "[C, H, W]", module_label(m, label, sizeof label),
	    tensor_shape_string(m->in_shape, m->in_ndim, have, sizeof have));
}

/* Sets [C, Ho, Wo] with floor sizes; the padded plane must hold a window. */
static int
layer_pool_shape(struct module *m, char **cause)
{
	struct pool_module	*pm = m->priv;
	char			 have[64], label[80];

	if (layer_pool_check(m, cause) != 0)
		return -1;
	pm->h = m->in_shape[1];
	pm->w = m->in_shape[2];
	if (pm->h + 2 * pm->padding < pm->k || pm->w + 2 * pm->padding <
	    pm->k)
		return error_set(cause, "%s: input per sample %s padded by %d "
		    "is smaller than the %dx%d window", module_label(m, label,
		    sizeof label), tensor_shape_string(m->in_shape,
		    m->in_ndim, have, sizeof have), pm->padding, pm->k, pm->k);
	pm->kh = pm->kw = pm->k;
	pm->sh = pm->sw = pm->stride;
	pm->ho = (pm->h + 2 * pm->padding - pm->k) / pm->stride + 1;
	pm->wo = (pm->w + 2 * pm->padding - pm->k) / pm->stride + 1;
	m->out_shape[1] = pm->ho;
	m->out_shape[2] = pm->wo;
	return 0;
}

/* One window of H x W: the output per sample is [C, 1, 1]. */
static int
layer_pool_shape_adaptive(struct module *m, char **cause)
{
	struct pool_module	*pm = m->priv;

	if (layer_pool_check(m, cause) != 0)
		return -1;
	pm->h = pm->kh = pm->sh = m->in_shape[1];
	pm->w = pm->kw = pm->sw = m->in_shape[2];
	pm->padding = 0;
	pm->ho = pm->wo = 1;
	m->out_shape[1] = 1;
	m->out_shape[2] = 1;
	return 0;
}

/* Returns the window of output (i, j), clipped to the plane. */
static struct pool_window
layer_pool_window(const struct pool_module *pm, int i, int j)
{
	struct pool_window	pw;

	pw.h0 = i * pm->sh - pm->padding;
	pw.w0 = j * pm->sw - pm->padding;
	pw.h1 = pw.h0 + pm->kh < pm->h ? pw.h0 + pm->kh : pm->h;
	pw.w1 = pw.w0 + pm->kw < pm->w ? pw.w0 + pm->kw : pm->w;
	if (pw.h0 < 0)
		pw.h0 = 0;
	if (pw.w0 < 0)
		pw.w0 = 0;
	return pw;
}

/*
 * A pooling pass over the planes of a batch: fn maps plane p of in (and
 * of aux) to plane p of out, the planes split into tasks of the thread
 * pool by ranges.
 */
struct pool_job {
	const struct pool_module *pm;
	void		(*fn)(const struct pool_module *pm, const float *in,
			    const float *aux, float *out);
	const float	*in;
	const float	*aux;
	float		*out;
	size_t		 in_plane;	/* values per plane of in */
	size_t		 aux_plane;
	size_t		 out_plane;
	size_t		 np;
	int		 tasks;
};

/* Runs fn on the planes of task t. */
static void
layer_pool_task(void *arg, int t)
{
	const struct pool_job	*job = arg;
	size_t			 p = job->np * t / job->tasks;
	size_t			 end = job->np * (t + 1) / job->tasks;

	for (; p < end; p++)
		job->fn(job->pm, job->in + p * job->in_plane, job->aux ==
		    NULL ? NULL : job->aux + p * job->aux_plane, job->out +
		    p * job->out_plane);
}

/*
 * Runs fn over the T B C planes of the batch: forward (in x, out y) or,
 * with back set, backward (in dy, aux x, out dx).
 */
static void
layer_pool_run(struct module *m, const struct mctx *c,
    void (*fn)(const struct pool_module *, const float *, const float *,
    float *), const float *in, int back)
{
	const struct pool_module	*pm = m->priv;
	struct pool_job			 job;
	size_t				 plane = (size_t)pm->h * pm->w;
	size_t				 oplane = (size_t)pm->ho * pm->wo;

	job.pm = pm;
	job.fn = fn;
	job.in = in;
	job.aux = back ? m->x : NULL;
	job.out = back ? m->dx : m->y;
	job.in_plane = back ? oplane : plane;
	job.aux_plane = plane;
	job.out_plane = back ? plane : oplane;
	job.np = (size_t)c->T * c->B * (size_t)m->in_shape[0];
	job.tasks = blas_threads();
	if ((size_t)job.tasks > job.np)
		job.tasks = (int)job.np;
	pool_run(layer_pool_task, &job, job.tasks);
}

/* y = the sum of each window of x divided by the window's size k k. */
static void
layer_pool_avg_plane(const struct pool_module *pm, const float *x,
    const float *unused, float *y)
{
	float	div = (float)pm->kh * pm->kw, s;
	int	i, j, a, b;

	(void)unused;
	for (i = 0; i < pm->ho; i++)
		for (j = 0; j < pm->wo; j++) {
			struct pool_window w = layer_pool_window(pm, i, j);

			s = 0;
			for (a = w.h0; a < w.h1; a++)
				for (b = w.w0; b < w.w1; b++)
					s += x[a * pm->w + b];
			y[i * pm->wo + j] = s / div;
		}
}

/* dx = the sum over the windows holding each input of dy / (k k). */
static void
layer_pool_avg_plane_back(const struct pool_module *pm, const float *dy,
    const float *unused, float *dx)
{
	float	div = (float)pm->kh * pm->kw, g;
	int	i, j, a, b;

	(void)unused;
	memset(dx, 0, (size_t)pm->h * pm->w * sizeof *dx);
	for (i = 0; i < pm->ho; i++)
		for (j = 0; j < pm->wo; j++) {
			struct pool_window w = layer_pool_window(pm, i, j);

			g = dy[i * pm->wo + j] / div;
			for (a = w.h0; a < w.h1; a++)
				for (b = w.w0; b < w.w1; b++)
					dx[a * pm->w + b] += g;
		}
}

/*
 * Returns the index in the plane of the first maximum of window w of xp
 * (the last NaN wins, as in PyTorch's scan); the padding, -inf, never does.
 */
static int
layer_pool_argmax(const struct pool_module *pm, const float *xp,
    struct pool_window w)
{
	float	best = -INFINITY, v;
	int	a, b, at = w.h0 * pm->w + w.w0;

	for (a = w.h0; a < w.h1; a++)
		for (b = w.w0; b < w.w1; b++) {
			v = xp[a * pm->w + b];
			if (v > best || isnan(v)) {
				best = v;
				at = a * pm->w + b;
			}
		}
	return at;
}

/* y = the maximum of each window of x. */
static void
layer_pool_max_plane(const struct pool_module *pm, const float *x,
    const float *unused, float *y)
{
	int	i, j;

	(void)unused;
	for (i = 0; i < pm->ho; i++)
		for (j = 0; j < pm->wo; j++)
			y[i * pm->wo + j] = x[layer_pool_argmax(pm, x,
			    layer_pool_window(pm, i, j))];
}

/* dx = the sum of dy over the windows whose maximum each input of x is. */
static void
layer_pool_max_plane_back(const struct pool_module *pm, const float *dy,
    const float *x, float *dx)
{
	int	i, j;

	memset(dx, 0, (size_t)pm->h * pm->w * sizeof *dx);
	for (i = 0; i < pm->ho; i++)
		for (j = 0; j < pm->wo; j++)
			dx[layer_pool_argmax(pm, x, layer_pool_window(pm, i,
			    j))] += dy[i * pm->wo + j];
}

/* Average pooling of x into y. */
static int
layer_pool_avg_forward(struct module *m, const struct mctx *c,
    const float *x, char **cause)
{
	(void)cause;
	layer_pool_run(m, c, layer_pool_avg_plane, x, 0);
	return 0;
}

/* The input gradient of average pooling, when needed. */
static void
layer_pool_avg_backward(struct module *m, const struct mctx *c,
    const float *dy, int need_dx)
{
	if (need_dx)
		layer_pool_run(m, c, layer_pool_avg_plane_back, dy, 1);
}

/* Max pooling of x into y. */
static int
layer_pool_max_forward(struct module *m, const struct mctx *c,
    const float *x, char **cause)
{
	(void)cause;
	layer_pool_run(m, c, layer_pool_max_plane, x, 0);
	return 0;
}

/* The input gradient of max pooling, when needed. */
static void
layer_pool_max_backward(struct module *m, const struct mctx *c,
    const float *dy, int need_dx)
{
	if (need_dx)
		layer_pool_run(m, c, layer_pool_max_plane_back, dy, 1);
}

static const char *const layer_pool_args[] = { "kernel", NULL };
static const char *const layer_pool_opts[] = { "stride", "padding", NULL };
const struct module_kind layer_avgpool2d_kind = {
	.name = "avgpool2d",
	.lua = "avgpool2d",
	.args = layer_pool_args,
	.opts = layer_pool_opts,
	.priv = sizeof(struct pool_module),
	.parse = layer_pool_parse,
	.describe = layer_pool_describe,
	.shape = layer_pool_shape,
	.forward = layer_pool_avg_forward,
	.backward = layer_pool_avg_backward
};
const struct module_kind layer_maxpool2d_kind = {
	.name = "maxpool2d",
	.lua = "maxpool2d",
	.args = layer_pool_args,
	.opts = layer_pool_opts,
	.priv = sizeof(struct pool_module),
	.parse = layer_pool_parse,
	.describe = layer_pool_describe,
	.shape = layer_pool_shape,
	.forward = layer_pool_max_forward,
	.backward = layer_pool_max_backward
};

static const char *const layer_pool_adaptive_args[] = { "output_size",
	NULL };
const struct module_kind layer_adaptive_avgpool2d_kind = {
	.name = "adaptive_avgpool2d",
	.lua = "adaptive_avgpool2d",
	.args = layer_pool_adaptive_args,
	.priv = sizeof(struct pool_module),
	.parse = layer_pool_parse_adaptive,
	.describe = layer_pool_describe_adaptive,
	.shape = layer_pool_shape_adaptive,
	.forward = layer_pool_avg_forward,
	.backward = layer_pool_avg_backward
};
