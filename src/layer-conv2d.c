/*
 * layer-conv2d.c: the 2-d convolution (nn.Conv2d with square kernels,
 * zero padding, dilation 1, groups 1) on [T * B, C, H, W], with PyTorch's
 * weight [O, C, k, k] and bias [O].
 *
 * The images are taken a panel of g at a time. The panel's patches are
 * copied (im2col) into col (C k k, g Ho Wo), column gi Ho Wo + i Wo + j
 * holding the window of output (i, j) of image gi, so that one GEMM per
 * panel does the work:
 *
 *   forward   y (O, g Ho Wo) = w (O, C k k) col
 *   backward  dw += dy (O, g Ho Wo) col^T, db += the row sums of dy,
 *             dcol (C k k, g Ho Wo) = w^T dy, added back into the input
 *             gradient (col2im), only when it is needed.
 *
 * A panel of one image writes y and reads dy in place (the output of
 * image b is the matrix (O, Ho Wo)); a panel of several goes through a
 * buffer (O, g Ho Wo), copied out with the bias added, since the layout
 * of a panel's outputs is not the NCHW of the batch. g is as small as
 * gives GEMMs that OpenBLAS runs near its peak and splits over its threads
 * (at least CONV_MIN_COLS columns and CONV_MIN_WORK multiply-adds), as
 * the buffers allow (CONV_MAX_WORKSPACE floats). A 1x1 convolution of
 * stride 1 without padding reads x itself as col when g is 1. col is
 * made again in the backward (keeping every panel's would cost C k k Ho
 * Wo floats per image) and holds dcol afterwards. The copies are split by
 * input channels over the thread pool, one task per BLAS thread; they are
 * exact, so the results do not depend on the number of threads beyond
 * what the GEMMs do.
 */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "snnwb.h"

#define CONV_MIN_COLS		512
#define CONV_MIN_WORK		33554432.0
#define CONV_MAX_WORKSPACE	2097152

/* A convolution: its configuration, planned shape and workspace. */
struct conv_module {
	int	 in;
	int	 out;
	int	 k;
	int	 stride;
	int	 padding;
	int	 bias;
	int	 h;		/* input height and width, from the plan */
	int	 w;
	int	 ho;		/* output height and width */
	int	 wo;
	int	 group;		/* images per panel */
	float	*col;		/* (C k k, group Ho Wo) */
	float	*panel;		/* (O, group Ho Wo) when group > 1 */
};

/* One im2col or col2im call: a panel, split by channels into tasks. */
struct conv_copy {
	const struct conv_module *cm;
	const float	*x;	/* im2col: the panel's first image */
	float		*dx;	/* col2im: the panel's first image gradient */
	float		*col;
	int		 g;	/* images in the panel */
	int		 tasks;
};

/* Reads "in", "out", "kernel", "stride", "padding", "bias"; declares. */
static int
layer_conv2d_parse(struct module *m, json_t *o, char **cause)
{
	struct conv_module	*cm = m->priv;
	int			 shape[4];

	if (module_json_int(o, "in", 0, 1, INT32_MAX, &cm->in, cause) != 0 ||
	    module_json_int(o, "out", 0, 1, INT32_MAX, &cm->out, cause) != 0 ||
	    module_json_int(o, "kernel", 0, 1, 4096, &cm->k, cause) != 0 ||
	    module_json_int(o, "stride", 1, 1, 4096, &cm->stride, cause) != 0 ||
	    module_json_int(o, "padding", 0, 0, 4096, &cm->padding,
	    cause) != 0 ||
	    module_json_bool(o, "bias", 1, &cm->bias, cause) != 0)
		return -1;
	if (json_object_get(o, "in") == NULL ||
	    json_object_get(o, "out") == NULL ||
	    json_object_get(o, "kernel") == NULL)
		return error_set(cause, "conv2d: \"in\", \"out\" and "
		    "\"kernel\" are required");
	shape[0] = cm->out;
	shape[1] = cm->in;
	shape[2] = cm->k;
	shape[3] = cm->k;
	if (module_declare(m, "weight", 0, 4, shape, cause) == NULL ||
	    (cm->bias && module_declare(m, "bias", 0, 1, shape, cause) ==
	    NULL))
		return -1;
	return 0;
}

/* Adds the configuration to o. */
static void
layer_conv2d_describe(const struct module *m, json_t *o)
{
	const struct conv_module	*cm = m->priv;

	json_object_set_new(o, "in", json_integer(cm->in));
	json_object_set_new(o, "out", json_integer(cm->out));
	json_object_set_new(o, "kernel", json_integer(cm->k));
	json_object_set_new(o, "stride", json_integer(cm->stride));
	json_object_set_new(o, "padding", json_integer(cm->padding));
	json_object_set_new(o, "bias", json_boolean(cm->bias));
}

/*
 * Draws weight and bias as nn.Conv2d does (kaiming_uniform with a =
 * sqrt(5)): both uniform in [-1/sqrt(fan_in), 1/sqrt(fan_in)], fan_in =
 * C k k, which is nn.Linear's rule with in = C k k.
 */
static void
layer_conv2d_init(struct module *m, struct rng *r)
{
	struct conv_module	*cm = m->priv;

	layer_linear_init(m->param[0].data, cm->bias ? m->param[1].data :
	    NULL, cm->in * cm->k * cm->k, cm->out, r);
}

/* Returns the floats of workspace a panel of g images needs. */
static size_t
layer_conv2d_workspace(const struct conv_module *cm, int g)
{
	size_t	cols = (size_t)g * (size_t)cm->ho * (size_t)cm->wo;

	return (size_t)cm->in * cm->k * cm->k * cols +
	    (g > 1 ? (size_t)cm->out * cols : 0);
}

/*
 * Checks that the input per sample is [in, H, W] with the padded image at
 * least one kernel wide; sets [out, Ho, Wo].
 */
static int
layer_conv2d_shape(struct module *m, char **cause)
{
	struct conv_module	*cm = m->priv;
	char			 have[64], label[80];

	module_label(m, label, sizeof label);
	tensor_shape_string(m->in_shape, m->in_ndim, have, sizeof have);
	if (m->in_ndim != 3 || m->in_shape[0] != cm->in)
		return error_set(cause, "%s: input per sample is %s, expected "
		    "[%d, H, W]", label, have, cm->in);
	if (m->in_shape[1] + 2 * cm->padding < cm->k ||
	    m->in_shape[2] + 2 * cm->padding < cm->k)
		return error_set(cause, "%s: input per sample %s padded by %d "
		    "is smaller than the %dx%d kernel", label, have,
		    cm->padding, cm->k, cm->k);
	cm->h = m->in_shape[1];
	cm->w = m->in_shape[2];
	cm->ho = (cm->h + 2 * cm->padding - cm->k) / cm->stride + 1;
	cm->wo = (cm->w + 2 * cm->padding - cm->k) / cm->stride + 1;
	m->out_shape[0] = cm->out;
	m->out_shape[1] = cm->ho;
	m->out_shape[2] = cm->wo;
	return 0;
}

/* Returns nonzero when x is its own col: 1x1, stride 1, no padding. */
static int
layer_conv2d_direct(const struct conv_module *cm)
{
	return cm->k == 1 && cm->stride == 1 && cm->padding == 0;
}

/* Picks the panel size for rows images and takes the workspace. */
static void
layer_conv2d_carve(struct module *m, struct arena *a, const struct mctx *c)
{
	struct conv_module	*cm = m->priv;
	size_t			 rows = (size_t)c->T * c->B;
	double			 hw = (double)cm->ho * cm->wo;
	double			 per = (double)cm->out * cm->in * cm->k *
				     cm->k * hw;
	int			 g;

	g = (int)fmax(ceil(CONV_MIN_COLS / hw), ceil(CONV_MIN_WORK / per));
	if ((size_t)g > rows)
		g = (int)rows;
	while (g > 1 && layer_conv2d_workspace(cm, g) > CONV_MAX_WORKSPACE)
		g--;
	if (g < 1)
		g = 1;
	cm->group = g;
	m->y = arena_take(a, rows * m->out_size);
	m->dx = arena_take(a, rows * m->in_size);
	cm->col = g == 1 && layer_conv2d_direct(cm) ? NULL :
	    arena_take(a, (size_t)cm->in * cm->k * cm->k * (size_t)g *
	    m->out_size / (size_t)cm->out);
	cm->panel = g > 1 ? arena_take(a, (size_t)g * m->out_size) : NULL;
}

/* Returns the number of tasks a copy over the channels is split into. */
static int
layer_conv2d_tasks(const struct conv_module *cm)
{
	int	n = blas_threads();

	return n < cm->in ? n : cm->in;
}

/*
 * Sets [*lo, *hi) to the output columns j whose input column j s + v - p
 * at kernel column v lies in the image (for stride 1; other strides test
 * each column).
 */
static void
layer_conv2d_span(const struct conv_module *cm, int v, int *lo, int *hi)
{
	*lo = cm->padding - v > 0 ? cm->padding - v : 0;
	*hi = cm->w + cm->padding - v < cm->wo ? cm->w + cm->padding - v :
	    cm->wo;
	if (*hi < *lo)
		*hi = *lo;
}

/*
 * Fills one output row (Wo values) of col from input row src (W values,
 * or NULL when the row lies in the padding), at kernel column v.
 */
static void
layer_conv2d_row(const struct conv_module *cm, float *dst, const float *src,
    int v)
{
	int	j, iw, lo, hi;

	if (src == NULL) {
		memset(dst, 0, (size_t)cm->wo * sizeof *dst);
		return;
	}
	if (cm->stride != 1) {
		for (j = 0; j < cm->wo; j++) {
			iw = j * cm->stride + v - cm->padding;
			dst[j] = iw >= 0 && iw < cm->w ? src[iw] : 0;
		}
		return;
	}
	layer_conv2d_span(cm, v, &lo, &hi);
	memset(dst, 0, (size_t)lo * sizeof *dst);
	memcpy(dst + lo, src + lo + v - cm->padding, (size_t)(hi - lo) *
	    sizeof *dst);
	memset(dst + hi, 0, (size_t)(cm->wo - hi) * sizeof *dst);
}

/*
 * Adds one row (Wo values) of dcol at kernel column v into the input
 * gradient's row dst (W values): the reverse of layer_conv2d_row.
 */
static void
layer_conv2d_addrow(const struct conv_module *cm, float *dst,
    const float *src, int v)
{
	int	j, iw, lo, hi;

	if (cm->stride != 1) {
		for (j = 0; j < cm->wo; j++) {
			iw = j * cm->stride + v - cm->padding;
			if (iw >= 0 && iw < cm->w)
				dst[iw] += src[j];
		}
		return;
	}
	layer_conv2d_span(cm, v, &lo, &hi);
	for (j = lo; j < hi; j++)
		dst[j + v - cm->padding] += src[j];
}

/* im2col of the channels of task t: rows (c k + u) k + v of col. */
static void
layer_conv2d_im2col_task(void *arg, int t)
{
	const struct conv_copy		*cc = arg;
	const struct conv_module	*cm = cc->cm;
	size_t				 hw = (size_t)cm->ho * cm->wo;
	size_t				 n = (size_t)cc->g * hw;
	size_t				 plane = (size_t)cm->h * cm->w;
	int				 c, u, v, gi, i, ih;
	int				 c0 = cm->in * t / cc->tasks;
	int				 c1 = cm->in * (t + 1) / cc->tasks;

	for (c = c0; c < c1; c++)
		for (u = 0; u < cm->k; u++)
			for (v = 0; v < cm->k; v++) {
				float	*row = cc->col + ((size_t)(c * cm->k +
					    u) * cm->k + v) * n;

				for (gi = 0; gi < cc->g; gi++) {
					const float	*img = cc->x +
					    ((size_t)gi * cm->in + c) * plane;

					for (i = 0; i < cm->ho; i++) {
						ih = i * cm->stride + u -
						    cm->padding;
						layer_conv2d_row(cm, row +
						    gi * hw + (size_t)i * cm->wo,
						    ih >= 0 && ih < cm->h ?
						    img + (size_t)ih * cm->w :
						    NULL, v);
					}
				}
			}
}

/* col2im of the channels of task t: dx = the sum of dcol's windows. */
static void
layer_conv2d_col2im_task(void *arg, int t)
{
	const struct conv_copy		*cc = arg;
	const struct conv_module	*cm = cc->cm;
	size_t				 hw = (size_t)cm->ho * cm->wo;
	size_t				 n = (size_t)cc->g * hw;
	size_t				 plane = (size_t)cm->h * cm->w;
	int				 c, u, v, gi, i, ih;
	int				 c0 = cm->in * t / cc->tasks;
	int				 c1 = cm->in * (t + 1) / cc->tasks;

	for (gi = 0; gi < cc->g; gi++)
		for (c = c0; c < c1; c++) {
			float	*img = cc->dx + ((size_t)gi * cm->in + c) *
				    plane;

			memset(img, 0, plane * sizeof *img);
			for (u = 0; u < cm->k; u++)
				for (v = 0; v < cm->k; v++) {
					const float	*row = cc->col +
					    ((size_t)(c * cm->k + u) * cm->k +
					    v) * n + gi * hw;

					for (i = 0; i < cm->ho; i++) {
						ih = i * cm->stride + u -
						    cm->padding;
						if (ih >= 0 && ih < cm->h)
							layer_conv2d_addrow(cm,
							    img + (size_t)ih *
							    cm->w, row +
							    (size_t)i * cm->wo,
							    v);
					}
				}
		}
}

/*
 * Returns col (C k k, g Ho Wo) for the g images from x: x itself for a
 * direct convolution of one image, else the workspace, filled.
 */
static const float *
layer_conv2d_cols(struct conv_module *cm, const float *x, int g)
{
	struct conv_copy	cc = { cm, x, NULL, cm->col, g, 0 };

	if (cm->col == NULL)
		return x;
	cc.tasks = layer_conv2d_tasks(cm);
	pool_run(layer_conv2d_im2col_task, &cc, cc.tasks);
	return cm->col;
}

/* y = w * x + b, a panel of images at a time. */
static int
layer_conv2d_forward(struct module *m, const struct mctx *c, const float *x,
    char **cause)
{
	struct conv_module	*cm = m->priv;
	const float		*w = m->param[0].data, *col;
	const float		*b = cm->bias ? m->param[1].data : NULL;
	int			 rows = c->T * c->B, b0, g, gi, o, hw, ckk;
	float			*out, *dst;
	const float		*src;
	size_t			 i;

	(void)cause;
	hw = cm->ho * cm->wo;
	ckk = cm->in * cm->k * cm->k;
	for (b0 = 0; b0 < rows; b0 += g) {
		g = rows - b0 < cm->group ? rows - b0 : cm->group;
		col = layer_conv2d_cols(cm, x + (size_t)b0 * m->in_size, g);
		out = cm->group > 1 ? cm->panel : m->y + (size_t)b0 *
		    m->out_size;
		if (cm->group == 1 && b != NULL)
			for (o = 0; o < cm->out; o++)
				for (i = 0; i < (size_t)hw; i++)
					out[(size_t)o * hw + i] = b[o];
		blas_sgemm(0, 0, cm->out, g * hw, ckk, 1.0f, w, ckk, col,
		    g * hw, cm->group == 1 && b != NULL ? 1.0f : 0.0f, out,
		    g * hw);
		if (cm->group == 1)
			continue;
		for (gi = 0; gi < g; gi++)
			for (o = 0; o < cm->out; o++) {
				dst = m->y + (size_t)(b0 + gi) * m->out_size +
				    (size_t)o * hw;
				src = out + ((size_t)o * g + gi) * hw;
				if (b == NULL)
					memcpy(dst, src, (size_t)hw *
					    sizeof *dst);
				else
					for (i = 0; i < (size_t)hw; i++)
						dst[i] = src[i] + b[o];
			}
	}
	return 0;
}

/*
 * dw += dy col^T, db += the sums of dy per output channel, and dx (when
 * need_dx) from w^T dy, a panel of images at a time.
 */
static void
layer_conv2d_backward(struct module *m, const struct mctx *c,
    const float *dy, int need_dx)
{
	struct conv_module	*cm = m->priv;
	struct conv_copy	 cc;
	const float		*w = m->param[0].data, *col, *d;
	float			*dw = m->param[0].grad, *db, *dxb;
	int			 rows = c->T * c->B, b0, g, gi, o, hw, n, ckk;
	size_t			 i;
	double			 s;

	db = cm->bias ? m->param[1].grad : NULL;
	hw = cm->ho * cm->wo;
	ckk = cm->in * cm->k * cm->k;
	for (b0 = 0; b0 < rows; b0 += g) {
		g = rows - b0 < cm->group ? rows - b0 : cm->group;
		n = g * hw;
		d = dy + (size_t)b0 * m->out_size;
		if (cm->group > 1) {
			for (gi = 0; gi < g; gi++)
				for (o = 0; o < cm->out; o++)
					memcpy(cm->panel + ((size_t)o * g +
					    gi) * hw, d + (size_t)gi *
					    m->out_size + (size_t)o * hw,
					    (size_t)hw * sizeof *cm->panel);
			d = cm->panel;
		}
		for (o = 0; db != NULL && o < cm->out; o++) {
			s = 0;
			for (i = 0; i < (size_t)n; i++)
				s += d[(size_t)o * n + i];
			db[o] += (float)s;
		}
		col = layer_conv2d_cols(cm, m->x + (size_t)b0 * m->in_size,
		    g);
		blas_sgemm(0, 1, cm->out, ckk, n, 1.0f, d, n, col, n, 1.0f,
		    dw, ckk);
		if (!need_dx)
			continue;
		dxb = m->dx + (size_t)b0 * m->in_size;
		if (cm->col == NULL) {
			blas_sgemm(1, 0, ckk, n, cm->out, 1.0f, w, ckk, d, n,
			    0.0f, dxb, n);
			continue;
		}
		blas_sgemm(1, 0, ckk, n, cm->out, 1.0f, w, ckk, d, n, 0.0f,
		    cm->col, n);
		cc.cm = cm;
		cc.x = NULL;
		cc.dx = dxb;
		cc.col = cm->col;
		cc.g = g;
		cc.tasks = layer_conv2d_tasks(cm);
		pool_run(layer_conv2d_col2im_task, &cc, cc.tasks);
	}
}

static const char *const layer_conv2d_args[] = { "in", "out", "kernel",
	NULL };
static const char *const layer_conv2d_opts[] = { "stride", "padding", "bias",
	NULL };
const struct module_kind layer_conv2d_kind = {
	.name = "conv2d",
	.lua = "conv2d",
	.args = layer_conv2d_args,
	.opts = layer_conv2d_opts,
	.priv = sizeof(struct conv_module),
	.parse = layer_conv2d_parse,
	.describe = layer_conv2d_describe,
	.init = layer_conv2d_init,
	.shape = layer_conv2d_shape,
	.carve = layer_conv2d_carve,
	.forward = layer_conv2d_forward,
	.backward = layer_conv2d_backward
};
