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
 *             and, only when it is needed, the input gradient: at
 *             stride 1 (k > 1, p < k) as the convolution of dy, padded
 *             by k - 1 - p, with the kernels flipped and in and out
 *             channels swapped, wt (C, O k k): an im2col of dy and dx
 *             (C, g H W) = wt dycol, a GEMM as deep as O k k that writes
 *             each value of dx once; else dcol (C k k, g Ho Wo) = w^T dy
 *             added back into dx (col2im).
 *
 * A panel of one image writes y and reads dy in place (the output of
 * image b is the matrix (O, Ho Wo)); a panel of several goes through a
 * buffer (O, g Ho Wo), copied out with the bias added, since the layout
 * of a panel's outputs is not the NCHW of the batch (dy is gathered into
 * one, and a transposed dx comes out of one, alike). g is as small as
 * gives GEMMs that OpenBLAS runs near its peak and splits over its
 * threads (at least CONV_MIN_COLS columns and CONV_MIN_WORK
 * multiply-adds), as the buffers allow (CONV_MAX_WORKSPACE floats). A 1x1
 * convolution of stride 1 without padding reads x itself as col when g is
 * 1. col is made again in the backward (keeping every panel's would cost
 * C k k Ho Wo floats per image) and holds dcol or dy's patches
 * afterwards. The copies are split by channels over the thread pool, one
 * task per BLAS thread; they are exact, so the results do not depend on
 * the number of threads beyond what the GEMMs do.
 *
 * In a simulation (mctx.sparse, never in training) an input whose values
 * are mostly zero, such as the weighted spikes of a converted network,
 * takes the sparse path when fewer than CONV_SPARSE_DENSITY of its values
 * are nonzero: each nonzero input x[c, ih, iw] adds x w[:, c, u, v] to
 * the outputs its k x k window reaches, O values at a time from the
 * weights transposed to (C k k, O), into an (Ho Wo, O) sum per image that
 * is then written out as (O, Ho Wo) with the bias. It costs about
 * nonzeros k k O multiply-adds against the GEMM's C H W k k O, and gives
 * the same sums in another order.
 */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "nn.h"

#define CONV_MIN_COLS		512
#define CONV_MIN_WORK		33554432.0
#define CONV_MAX_WORKSPACE	2097152
#define CONV_SUM_BLOCK		256
#define CONV_SPARSE_DENSITY	0.2

/*
 * The geometry of an im2col or col2im: c channels of h x w images seen
 * through k x k windows at stride s with pad rows and columns of zeros,
 * ho x wo windows.
 */
struct conv_geom {
	int	 c;
	int	 h;
	int	 w;
	int	 ho;
	int	 wo;
	int	 k;
	int	 s;
	int	 pad;
};

/* A convolution: its configuration, planned shape and workspace. */
struct conv_module {
	int		 in;
	int		 out;
	int		 k;
	int		 stride;
	int		 padding;
	int		 bias;
	struct conv_geom fwd;		/* the input's patches */
	struct conv_geom bwd;		/* dy's, when transposed */
	int		 transposed;	/* dx as a convolution of dy */
	int		 group;		/* images per panel */
	float		*col;		/* patches of a panel */
	float		*panel;		/* (O or C, group pixels), group > 1 */
	float		*wt;		/* (C, O k k), when transposed */
	float		*wsp;		/* (C k k, O): the sparse path's w */
	float		*acc;		/* (acc_tasks, Ho Wo O) sums */
	int		 acc_tasks;
};

/* The sparse path of a forward: images split into tasks. */
struct conv_sparse {
	const struct conv_module *cm;
	const float	*x;
	float		*y;
	const float	*bias;		/* or NULL */
	int		 rows;		/* images */
	int		 tasks;
	size_t		 in_size;
	size_t		 out_size;
};

/* One im2col or col2im call: a panel, split by channels into tasks. */
struct conv_copy {
	const struct conv_geom *geom;
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
	if ((double)cm->in * cm->k * cm->k > INT32_MAX ||
	    (double)cm->out * cm->k * cm->k > INT32_MAX)
		return error_set(cause, "conv2d: %d x %d kernels over %d and "
		    "%d channels are too large", cm->k, cm->k, cm->in,
		    cm->out);
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

/* Returns nonzero when x is its own col: 1x1, stride 1, no padding. */
static int
layer_conv2d_direct(const struct conv_module *cm)
{
	return cm->k == 1 && cm->stride == 1 && cm->padding == 0;
}

/* Returns the floats of col for a panel of g images (0: x is col). */
static size_t
layer_conv2d_col_size(const struct conv_module *cm, int g)
{
	size_t	n = 0, kk = (size_t)cm->k * cm->k;

	if (g > 1 || !layer_conv2d_direct(cm))
		n = (size_t)cm->in * kk * g * cm->fwd.ho * cm->fwd.wo;
	if (cm->transposed && (size_t)cm->out * kk * g * cm->bwd.ho *
	    cm->bwd.wo > n)
		n = (size_t)cm->out * kk * g * cm->bwd.ho * cm->bwd.wo;
	return n;
}

/* Returns the floats of panel for a panel of g images (0 when g is 1). */
static size_t
layer_conv2d_panel_size(const struct conv_module *cm, int g)
{
	size_t	n = (size_t)cm->out * g * cm->fwd.ho * cm->fwd.wo;

	if (g == 1)
		return 0;
	if (cm->transposed && (size_t)cm->in * g * cm->fwd.h * cm->fwd.w > n)
		n = (size_t)cm->in * g * cm->fwd.h * cm->fwd.w;
	return n;
}

/*
 * Checks that the input per sample is [in, H, W] with the padded image at
 * least one kernel wide; sets [out, Ho, Wo] and the geometries.
 */
static int
layer_conv2d_shape(struct module *m, char **cause)
{
	struct conv_module	*cm = m->priv;
	struct conv_geom	*f = &cm->fwd, *b = &cm->bwd;
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
	f->c = cm->in;
	f->h = m->in_shape[1];
	f->w = m->in_shape[2];
	f->k = cm->k;
	f->s = cm->stride;
	f->pad = cm->padding;
	f->ho = (f->h + 2 * f->pad - f->k) / f->s + 1;
	f->wo = (f->w + 2 * f->pad - f->k) / f->s + 1;
	/*
	 * At stride 1, dx is dy convolved with the kernel flipped and its
	 * channels swapped, padding k - 1 - p: an im2col of dy and a GEMM of
	 * depth O k k instead of one of depth O and a col2im.
	 */
	cm->transposed = cm->stride == 1 && cm->k > 1 &&
	    cm->padding <= cm->k - 1;
	b->c = cm->out;
	b->h = f->ho;
	b->w = f->wo;
	b->k = cm->k;
	b->s = 1;
	b->pad = cm->k - 1 - cm->padding;
	b->ho = f->h;
	b->wo = f->w;
	m->out_shape[0] = cm->out;
	m->out_shape[1] = f->ho;
	m->out_shape[2] = f->wo;
	return 0;
}

/* Picks the panel size for T B images and takes the workspace. */
static void
layer_conv2d_carve(struct module *m, struct arena *a, const struct mctx *c)
{
	struct conv_module	*cm = m->priv;
	size_t			 rows = (size_t)c->T * c->B;
	double			 hw = (double)cm->fwd.ho * cm->fwd.wo;
	double			 per = (double)cm->out * cm->in * cm->k *
				     cm->k * hw;
	int			 g;

	g = (int)fmax(ceil(CONV_MIN_COLS / hw), ceil(CONV_MIN_WORK / per));
	if ((size_t)g > rows)
		g = (int)rows;
	while (g > 1 && layer_conv2d_col_size(cm, g) +
	    layer_conv2d_panel_size(cm, g) > CONV_MAX_WORKSPACE)
		g--;
	if (g < 1)
		g = 1;
	cm->group = g;
	m->y = arena_take(a, rows * m->out_size);
	m->dx = arena_take(a, rows * m->in_size);
	cm->col = layer_conv2d_col_size(cm, g) > 0 ? arena_take(a,
	    layer_conv2d_col_size(cm, g)) : NULL;
	cm->panel = g > 1 ? arena_take(a, layer_conv2d_panel_size(cm, g)) :
	    NULL;
	cm->wt = cm->transposed ? arena_take(a, m->param[0].n) : NULL;
	cm->wsp = arena_take(a, m->param[0].n);
	cm->acc_tasks = blas_threads();
	cm->acc = arena_take(a, (size_t)cm->acc_tasks * hw * cm->out);
}

/* Returns the number of tasks a copy over c channels is split into. */
static int
layer_conv2d_tasks(int c)
{
	int	n = blas_threads();

	return n < c ? n : c;
}

/*
 * Sets [*lo, *hi) to the output columns j whose input column j + v - pad
 * at kernel column v lies in the image (stride 1 only).
 */
static void
layer_conv2d_span(const struct conv_geom *q, int v, int *lo, int *hi)
{
	*lo = q->pad - v > 0 ? q->pad - v : 0;
	*hi = q->w + q->pad - v < q->wo ? q->w + q->pad - v : q->wo;
	if (*hi < *lo)
		*hi = *lo;
}

/*
 * Fills one output row (wo values) of col from input row src (w values,
 * or NULL when the row lies in the padding), at kernel column v. Rows
 * are short (8 values in WRN's last stage), so plain loops rather than
 * calls to memcpy.
 */
static void
layer_conv2d_row(const struct conv_geom *q, float *restrict dst,
    const float *restrict src, int v)
{
	int	j, iw, lo, hi;

	if (src == NULL) {
		for (j = 0; j < q->wo; j++)
			dst[j] = 0;
		return;
	}
	if (q->s != 1) {
		for (j = 0; j < q->wo; j++) {
			iw = j * q->s + v - q->pad;
			dst[j] = iw >= 0 && iw < q->w ? src[iw] : 0;
		}
		return;
	}
	layer_conv2d_span(q, v, &lo, &hi);
	for (j = 0; j < lo; j++)
		dst[j] = 0;
	for (; j < hi; j++)
		dst[j] = src[j + v - q->pad];
	for (; j < q->wo; j++)
		dst[j] = 0;
}

/*
 * Adds one row (wo values) of dcol at kernel column v into the input
 * gradient's row dst (w values): the reverse of layer_conv2d_row.
 */
static void
layer_conv2d_addrow(const struct conv_geom *q, float *restrict dst,
    const float *restrict src, int v)
{
	int	j, iw, lo, hi;

	if (q->s != 1) {
		for (j = 0; j < q->wo; j++) {
			iw = j * q->s + v - q->pad;
			if (iw >= 0 && iw < q->w)
				dst[iw] += src[j];
		}
		return;
	}
	layer_conv2d_span(q, v, &lo, &hi);
	for (j = lo; j < hi; j++)
		dst[j + v - q->pad] += src[j];
}

/* im2col of the channels of task t: rows (c k + u) k + v of col. */
static void
layer_conv2d_im2col_task(void *arg, int t)
{
	const struct conv_copy	*cc = arg;
	const struct conv_geom	*q = cc->geom;
	size_t			 hw = (size_t)q->ho * q->wo;
	size_t			 n = (size_t)cc->g * hw;
	size_t			 plane = (size_t)q->h * q->w;
	int			 c, u, v, gi, i, ih;
	int			 c0 = q->c * t / cc->tasks;
	int			 c1 = q->c * (t + 1) / cc->tasks;

	for (c = c0; c < c1; c++)
		for (u = 0; u < q->k; u++)
			for (v = 0; v < q->k; v++) {
				float	*row = cc->col + ((size_t)(c * q->k +
					    u) * q->k + v) * n;

				for (gi = 0; gi < cc->g; gi++) {
					const float	*img = cc->x +
					    ((size_t)gi * q->c + c) * plane;

					for (i = 0; i < q->ho; i++) {
						ih = i * q->s + u - q->pad;
						layer_conv2d_row(q, row +
						    gi * hw + (size_t)i * q->wo,
						    ih >= 0 && ih < q->h ?
						    img + (size_t)ih * q->w :
						    NULL, v);
					}
				}
			}
}

/* col2im of the channels of task t: dx = the sum of dcol's windows. */
static void
layer_conv2d_col2im_task(void *arg, int t)
{
	const struct conv_copy	*cc = arg;
	const struct conv_geom	*q = cc->geom;
	size_t			 hw = (size_t)q->ho * q->wo;
	size_t			 n = (size_t)cc->g * hw;
	size_t			 plane = (size_t)q->h * q->w;
	int			 c, u, v, gi, i, ih;
	int			 c0 = q->c * t / cc->tasks;
	int			 c1 = q->c * (t + 1) / cc->tasks;

	for (gi = 0; gi < cc->g; gi++)
		for (c = c0; c < c1; c++) {
			float	*img = cc->dx + ((size_t)gi * q->c + c) *
				    plane;

			memset(img, 0, plane * sizeof *img);
			for (u = 0; u < q->k; u++)
				for (v = 0; v < q->k; v++) {
					const float	*row = cc->col +
					    ((size_t)(c * q->k + u) * q->k +
					    v) * n + gi * hw;

					for (i = 0; i < q->ho; i++) {
						ih = i * q->s + u - q->pad;
						if (ih >= 0 && ih < q->h)
							layer_conv2d_addrow(q,
							    img + (size_t)ih *
							    q->w, row +
							    (size_t)i * q->wo,
							    v);
					}
				}
		}
}

/*
 * Runs an im2col (fill nonzero) or col2im over the thread pool for the g
 * images at x (im2col) or dx (col2im) and col.
 */
static void
layer_conv2d_copy(const struct conv_geom *q, const float *x, float *dx,
    float *col, int g, int fill)
{
	struct conv_copy	cc = { q, x, dx, col, g,
				    layer_conv2d_tasks(q->c) };

	pool_run(fill ? layer_conv2d_im2col_task : layer_conv2d_col2im_task,
	    &cc, cc.tasks);
}

/*
 * Returns col (C k k, g Ho Wo) for the g images from x: x itself for a
 * direct convolution of one image, else the workspace, filled.
 */
static const float *
layer_conv2d_cols(struct conv_module *cm, const float *x, int g)
{
	if (g == 1 && layer_conv2d_direct(cm))
		return x;
	layer_conv2d_copy(&cm->fwd, x, NULL, cm->col, g, 1);
	return cm->col;
}

/*
 * Copies a panel (rows, g hw), columns gi hw + j, out to g images of
 * (rows, hw) at img, adding bias[r] to row r when bias is set.
 */
static void
layer_conv2d_scatter(const float *panel, float *img, int rows, int g,
    int hw, const float *bias)
{
	const float	*p;
	float		*q;
	int		 r, gi, j;

	for (gi = 0; gi < g; gi++)
		for (r = 0; r < rows; r++) {
			p = panel + ((size_t)r * g + gi) * hw;
			q = img + ((size_t)gi * rows + r) * hw;
			if (bias == NULL)
				memcpy(q, p, (size_t)hw * sizeof *q);
			else
				for (j = 0; j < hw; j++)
					q[j] = p[j] + bias[r];
		}
}

/* Copies g images of (rows, hw) at img into a panel (rows, g hw). */
static void
layer_conv2d_gather(float *panel, const float *img, int rows, int g, int hw)
{
	int	r, gi;

	for (gi = 0; gi < g; gi++)
		for (r = 0; r < rows; r++)
			memcpy(panel + ((size_t)r * g + gi) * hw, img +
			    ((size_t)gi * rows + r) * hw, (size_t)hw *
			    sizeof *panel);
}

/* Returns the fraction of the n values of x that are not zero. */
static double
layer_conv2d_density(const float *x, size_t n)
{
	size_t	i, nz = 0;

	for (i = 0; i < n; i++)
		nz += x[i] != 0;
	return n > 0 ? (double)nz / (double)n : 1;
}

/* Adds v w[0..n) into a[0..n). */
static inline void
layer_conv2d_axpy(float *restrict a, const float *restrict w, float v, int n)
{
	int	o;

	for (o = 0; o < n; o++)
		a[o] += v * w[o];
}

/*
 * Scatters the nonzero inputs of image x (C, H, W) into acc (Ho Wo, O):
 * x[c, ih, iw] reaches output (oh, ow) through kernel tap (u, v) where
 * ih = oh s + u - pad and iw = ow s + v - pad.
 */
static void
layer_conv2d_scatter_image(const struct conv_module *cm, const float *x,
    float *acc)
{
	const struct conv_geom	*q = &cm->fwd;
	int			 c, ih, iw, u, v, oh, ow, ohn, own;
	float			 val;

	for (c = 0; c < q->c; c++)
		for (ih = 0; ih < q->h; ih++)
			for (iw = 0; iw < q->w; iw++) {
				if ((val = x[((size_t)c * q->h + ih) * q->w +
				    iw]) == 0)
					continue;
				for (u = 0; u < q->k; u++) {
					ohn = ih + q->pad - u;
					if (ohn < 0 || ohn % q->s != 0 ||
					    (oh = ohn / q->s) >= q->ho)
						continue;
					for (v = 0; v < q->k; v++) {
						own = iw + q->pad - v;
						if (own < 0 || own % q->s != 0 ||
						    (ow = own / q->s) >= q->wo)
							continue;
						layer_conv2d_axpy(acc +
						    ((size_t)oh * q->wo + ow) *
						    cm->out, cm->wsp + ((size_t)(c *
						    q->k + u) * q->k + v) *
						    cm->out, val, cm->out);
					}
				}
			}
}

/* The sparse path for the images of task t. */
static void
layer_conv2d_sparse_task(void *arg, int t)
{
	const struct conv_sparse	*sp = arg;
	const struct conv_module	*cm = sp->cm;
	size_t				 hw = (size_t)cm->fwd.ho * cm->fwd.wo;
	float				*acc = cm->acc + (size_t)t * hw * cm->out;
	float				*y;
	size_t				 i;
	int				 b, o;
	int				 b0 = sp->rows * t / sp->tasks;
	int				 b1 = sp->rows * (t + 1) / sp->tasks;

	for (b = b0; b < b1; b++) {
		memset(acc, 0, hw * cm->out * sizeof *acc);
		layer_conv2d_scatter_image(cm, sp->x + (size_t)b * sp->in_size,
		    acc);
		y = sp->y + (size_t)b * sp->out_size;
		for (o = 0; o < cm->out; o++)
			for (i = 0; i < hw; i++)
				y[(size_t)o * hw + i] = acc[i * cm->out + o] +
				    (sp->bias != NULL ? sp->bias[o] : 0);
	}
}

/* y = w * x + b by the sparse path (the file's comment). */
static void
layer_conv2d_sparse(struct module *m, const float *x, int rows)
{
	struct conv_module	*cm = m->priv;
	const float		*w = m->param[0].data;
	struct conv_sparse	 sp;
	size_t			 ckk = (size_t)cm->in * cm->k * cm->k, i;
	int			 o;

	for (o = 0; o < cm->out; o++)
		for (i = 0; i < ckk; i++)
			cm->wsp[i * cm->out + o] = w[(size_t)o * ckk + i];
	sp.cm = cm;
	sp.x = x;
	sp.y = m->y;
	sp.bias = cm->bias ? m->param[1].data : NULL;
	sp.rows = rows;
	sp.tasks = rows < cm->acc_tasks ? rows : cm->acc_tasks;
	sp.in_size = m->in_size;
	sp.out_size = m->out_size;
	pool_run(layer_conv2d_sparse_task, &sp, sp.tasks);
}

/*
 * y = w * x + b, a panel of images at a time, or by the sparse path for a
 * sparse input in a simulation.
 */
static int
layer_conv2d_forward(struct module *m, const struct mctx *c, const float *x,
    char **cause)
{
	struct conv_module	*cm = m->priv;
	const float		*w = m->param[0].data, *col;
	const float		*b = cm->bias ? m->param[1].data : NULL;
	int			 rows = c->T * c->B, b0, g, o, hw, ckk;
	float			*out;
	size_t			 i;

	(void)cause;
	if (c->sparse && !c->training && layer_conv2d_density(x,
	    (size_t)rows * m->in_size) < CONV_SPARSE_DENSITY) {
		layer_conv2d_sparse(m, x, rows);
		return 0;
	}
	hw = cm->fwd.ho * cm->fwd.wo;
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
		if (cm->group > 1)
			layer_conv2d_scatter(out, m->y + (size_t)b0 *
			    m->out_size, cm->out, g, hw, b);
	}
	return 0;
}

/* Fills wt (C, O k k) with w (O, C, k, k), kernels flipped. */
static void
layer_conv2d_flip(const struct conv_module *cm, float *wt, const float *w)
{
	int	o, c, u, v, k = cm->k;

	for (o = 0; o < cm->out; o++)
		for (c = 0; c < cm->in; c++)
			for (u = 0; u < k; u++)
				for (v = 0; v < k; v++)
					wt[((size_t)c * cm->out + o) * k * k +
					    (size_t)u * k + v] =
					    w[(((size_t)o * cm->in + c) * k +
					    k - 1 - u) * k + k - 1 - v];
}

/*
 * dx of the g images from b0 on: by the transposed convolution (dy, the
 * images' own, through im2col, times wt), or by w^T dy (d, the panel's)
 * and col2im.
 */
static void
layer_conv2d_dx(struct module *m, const float *dy, const float *d, int b0,
    int g)
{
	struct conv_module	*cm = m->priv;
	const float		*w = m->param[0].data;
	float			*dxb = m->dx + (size_t)b0 * m->in_size;
	int			 n = g * cm->fwd.ho * cm->fwd.wo;
	int			 ckk = cm->in * cm->k * cm->k;
	int			 okk = cm->out * cm->k * cm->k;
	int			 nx = g * cm->fwd.h * cm->fwd.w;

	if (cm->transposed) {
		layer_conv2d_copy(&cm->bwd, dy + (size_t)b0 * m->out_size,
		    NULL, cm->col, g, 1);
		blas_sgemm(0, 0, cm->in, nx, okk, 1.0f, cm->wt, okk, cm->col,
		    nx, 0.0f, cm->group > 1 ? cm->panel : dxb, nx);
		if (cm->group > 1)
			layer_conv2d_scatter(cm->panel, dxb, cm->in, g,
			    cm->fwd.h * cm->fwd.w, NULL);
	} else if (cm->group == 1 && layer_conv2d_direct(cm))
		blas_sgemm(1, 0, ckk, n, cm->out, 1.0f, w, ckk, d, n, 0.0f,
		    dxb, n);
	else {
		blas_sgemm(1, 0, ckk, n, cm->out, 1.0f, w, ckk, d, n, 0.0f,
		    cm->col, n);
		layer_conv2d_copy(&cm->fwd, NULL, dxb, cm->col, g, 0);
	}
}

/*
 * Returns the sum of v[0..n): eight float lanes (which the compiler may
 * keep in one vector) over blocks of CONV_SUM_BLOCK values, the blocks'
 * sums added in double.
 */
static double
layer_conv2d_sum(const float *v, size_t n)
{
	float	lane[8];
	double	s = 0;
	size_t	i, j, end;

	for (i = 0; i < n; i = end) {
		end = n - i < CONV_SUM_BLOCK ? n : i + CONV_SUM_BLOCK;
		memset(lane, 0, sizeof lane);
		for (; i + 8 <= end; i += 8)
			for (j = 0; j < 8; j++)
				lane[j] += v[i + j];
		for (; i < end; i++)
			lane[0] += v[i];
		for (j = 0; j < 8; j++)
			s += lane[j];
	}
	return s;
}

/*
 * dw += dy col^T, db += the sums of dy per output channel, and dx (when
 * need_dx), a panel of images at a time.
 */
static void
layer_conv2d_backward(struct module *m, const struct mctx *c,
    const float *dy, int need_dx)
{
	struct conv_module	*cm = m->priv;
	const float		*col, *d;
	float			*dw = m->param[0].grad, *db;
	int			 rows = c->T * c->B, b0, g, o, hw, n, ckk;

	db = cm->bias ? m->param[1].grad : NULL;
	hw = cm->fwd.ho * cm->fwd.wo;
	ckk = cm->in * cm->k * cm->k;
	if (need_dx && cm->transposed)
		layer_conv2d_flip(cm, cm->wt, m->param[0].data);
	for (b0 = 0; b0 < rows; b0 += g) {
		g = rows - b0 < cm->group ? rows - b0 : cm->group;
		n = g * hw;
		d = dy + (size_t)b0 * m->out_size;
		if (cm->group > 1) {
			layer_conv2d_gather(cm->panel, d, cm->out, g, hw);
			d = cm->panel;
		}
		for (o = 0; db != NULL && o < cm->out; o++)
			db[o] += (float)layer_conv2d_sum(d + (size_t)o * n,
			    (size_t)n);
		col = layer_conv2d_cols(cm, m->x + (size_t)b0 * m->in_size,
		    g);
		blas_sgemm(0, 1, cm->out, ckk, n, 1.0f, d, n, col, n, 1.0f,
		    dw, ckk);
		if (need_dx)
			layer_conv2d_dx(m, dy, d, b0, g);
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
