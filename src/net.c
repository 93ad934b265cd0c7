/*
 * net.c: sequential networks of Linear, Flatten and neuron layers over
 * [T, B, ...] inputs. Stateless layers see time merged into the batch, so a
 * Linear layer is one GEMM over T * B rows; neuron layers step through time
 * over (T, B * N). Parameters and their gradients are one block each; the
 * activations of a forward pass live in an arena carved for the (T, B,
 * input shape) of the last call and re-carved only when that changes.
 */
#include <stdio.h>
#include <string.h>

#include "snnwb.h"

/* Partial sums of net_mean; values net_zero_rows tests at a time. */
#define NET_SUMS	8
#define NET_BLOCK	16

/* Returns a new empty network, or NULL when out of memory. */
struct net *
net_new(void)
{
	struct net	*net;

	if ((net = mem_calloc(1, sizeof *net)) == NULL)
		return NULL;
	arena_plan(&net->acts);
	return net;
}

/* Frees the network and everything it owns; NULL is allowed. */
void
net_free(struct net *net)
{
	int	i;

	if (net == NULL)
		return;
	for (i = 0; i < net->n; i++)
		layer_linear_sparse_free(net->layers[i].sparse);
	arena_free(&net->acts);
	mem_free(net->params);
	mem_free(net->grads);
	mem_free(net->layers);
	mem_free(net);
}

/* Returns the number of parameters a layer holds. */
static size_t
net_layer_nparams(const struct layer *l)
{
	if (l->kind != LAYER_LINEAR)
		return 0;
	return (size_t)l->out * (size_t)l->in +
	    (l->has_bias ? (size_t)l->out : 0);
}

/*
 * Lays the parameters of layers [0, n) out in new params and grads blocks,
 * keeping the values each layer had (layer pointers still point at the old
 * blocks, or at another net's block for appended layers); grads start at 0.
 */
static int
net_relayout(struct net *net, char **cause)
{
	float		*params, *grads, *p, *g;
	size_t		 total = 0, nw;
	struct layer	*l;
	int		 i;

	for (i = 0; i < net->n; i++)
		total += net_layer_nparams(&net->layers[i]);
	params = mem_aligned(total * sizeof *params);
	grads = mem_aligned(total * sizeof *grads);
	if (params == NULL || grads == NULL) {
		mem_free(params);
		mem_free(grads);
		return error_set(cause, "out of memory for %zu parameters",
		    total);
	}
	memset(grads, 0, total * sizeof *grads);
	p = params;
	g = grads;
	for (i = 0; i < net->n; i++) {
		l = &net->layers[i];
		if (l->kind != LAYER_LINEAR)
			continue;
		nw = (size_t)l->out * (size_t)l->in;
		memcpy(p, l->w, nw * sizeof *p);
		l->w = p;
		l->dw = g;
		p += nw;
		g += nw;
		if (l->has_bias) {
			memcpy(p, l->b, (size_t)l->out * sizeof *p);
			l->b = p;
			l->db = g;
			p += l->out;
			g += l->out;
		}
	}
	mem_free(net->params);
	mem_free(net->grads);
	net->params = params;
	net->grads = grads;
	net->nparams = total;
	return 0;
}

/* Forgets the carved activations so the next forward plans them again. */
static void
net_invalidate(struct net *net)
{
	arena_free(&net->acts);
	net->T = 0;
	net->B = 0;
	net->in_ndim = 0;
}

/*
 * Appends a copy of layer l (with its parameter values) to net; -1 when out
 * of memory. The net's activations are planned again at the next forward.
 */
static int
net_push(struct net *net, const struct layer *l, char **cause)
{
	struct layer	*layers;
	struct layer	 copy = *l;

	layers = mem_realloc(net->layers, (size_t)(net->n + 1) *
	    sizeof *layers);
	if (layers == NULL)
		return error_set(cause, "out of memory adding a layer");
	net->layers = layers;
	memset(&copy.stats, 0, sizeof copy.stats);
	copy.x = copy.y = copy.h = copy.v = copy.sg = copy.dx = NULL;
	copy.state = NULL;
	copy.sparse = NULL;
	copy.has_state = 0;
	net->layers[net->n++] = copy;
	if (net_relayout(net, cause) != 0) {
		net->n--;
		return -1;
	}
	net_invalidate(net);
	return 0;
}

/*
 * Appends a Linear layer (in -> out, with a bias when bias is nonzero),
 * initialised as PyTorch does from r.
 */
int
net_add_linear(struct net *net, int in, int out, int bias, struct rng *r,
    char **cause)
{
	struct layer	 l;
	float		*w, *b;
	int		 rc;

	if (in <= 0 || out <= 0)
		return error_set(cause, "linear: sizes must be positive, "
		    "got in=%d out=%d", in, out);
	memset(&l, 0, sizeof l);
	l.kind = LAYER_LINEAR;
	l.in = in;
	l.out = out;
	l.has_bias = bias != 0;
	w = mem_alloc((size_t)in * (size_t)out * sizeof *w);
	b = mem_alloc((size_t)out * sizeof *b);
	if (w == NULL || b == NULL) {
		mem_free(w);
		mem_free(b);
		return error_set(cause, "out of memory for linear %d -> %d",
		    in, out);
	}
	layer_linear_init(w, l.has_bias ? b : NULL, in, out, r);
	l.w = w;
	l.b = l.has_bias ? b : NULL;
	rc = net_push(net, &l, cause);
	mem_free(w);
	mem_free(b);
	return rc;
}

/* Appends a Flatten layer that merges all per-sample dimensions. */
int
net_add_flatten(struct net *net, char **cause)
{
	struct layer	l;

	memset(&l, 0, sizeof l);
	l.kind = LAYER_FLATTEN;
	return net_push(net, &l, cause);
}

/* Appends a neuron layer with the configuration n (validated first). */
int
net_add_neuron(struct net *net, const struct neuron *n, char **cause)
{
	struct layer	l;

	if (neuron_validate(n, cause) != 0)
		return -1;
	memset(&l, 0, sizeof l);
	l.kind = LAYER_NEURON;
	l.neuron = *n;
	return net_push(net, &l, cause);
}

/*
 * Appends copies of all layers of other, parameter values included; on
 * failure net keeps the layers appended before the one that failed.
 */
int
net_append(struct net *net, const struct net *other, char **cause)
{
	int	i;

	for (i = 0; i < other->n; i++)
		if (net_push(net, &other->layers[i], cause) != 0)
			return -1;
	return 0;
}

/* Re-initialises every Linear layer's parameters from r. */
void
net_init_params(struct net *net, struct rng *r)
{
	struct layer	*l;
	int		 i;

	for (i = 0; i < net->n; i++) {
		l = &net->layers[i];
		if (l->kind == LAYER_LINEAR)
			layer_linear_init(l->w, l->b, l->in, l->out, r);
	}
}

/* Returns a short description of layer i ("layer 2 (linear 800 -> 10)"). */
static char *
net_layer_label(const struct net *net, int i, char *buf, size_t len)
{
	const struct layer	*l = &net->layers[i];

	switch (l->kind) {
	case LAYER_LINEAR:
		snprintf(buf, len, "layer %d (linear %d -> %d)", i, l->in,
		    l->out);
		break;
	case LAYER_FLATTEN:
		snprintf(buf, len, "layer %d (flatten)", i);
		break;
	case LAYER_NEURON:
		snprintf(buf, len, "layer %d (%s)", i,
		    l->neuron.kind == NEURON_LIF ? "lif" : "if");
		break;
	}
	return buf;
}

/* Returns the product of shape[0..ndim). */
static size_t
net_prod(const int *shape, int ndim)
{
	size_t	n = 1;
	int	i;

	for (i = 0; i < ndim; i++)
		n *= (size_t)shape[i];
	return n;
}

/*
 * Computes every layer's per-sample shapes from the input shape, checking
 * that each Linear layer gets the features it expects.
 */
static int
net_shapes(struct net *net, int in_ndim, const int *in_shape, char **cause)
{
	struct layer	*l;
	int		 i, ndim = in_ndim, shape[TENSOR_MAXDIM];
	char		 label[64], have[64];

	memcpy(shape, in_shape, (size_t)in_ndim * sizeof *shape);
	for (i = 0; i < net->n; i++) {
		l = &net->layers[i];
		l->in_ndim = ndim;
		memcpy(l->in_shape, shape, (size_t)ndim * sizeof *shape);
		l->in_size = net_prod(shape, ndim);
		switch (l->kind) {
		case LAYER_LINEAR:
			if (ndim == 0 || shape[ndim - 1] != l->in) {
				tensor_shape_string(shape, ndim, have,
				    sizeof have);
				return error_set(cause, "%s: input per sample "
				    "is %s, expected last dimension %d",
				    net_layer_label(net, i, label,
				    sizeof label), have, l->in);
			}
			shape[ndim - 1] = l->out;
			break;
		case LAYER_FLATTEN:
			shape[0] = (int)l->in_size;
			ndim = 1;
			break;
		case LAYER_NEURON:
			break;
		}
		l->out_ndim = ndim;
		memcpy(l->out_shape, shape, (size_t)ndim * sizeof *shape);
		l->out_size = net_prod(shape, ndim);
	}
	return 0;
}

/*
 * Carves activation buffers for (T, B) from the arena; run once planning and
 * once for real. Flatten layers alias their neighbours' buffers.
 */
static void
net_carve(struct net *net, int T, int B)
{
	struct layer	*l;
	size_t		 rows = (size_t)T * (size_t)B;
	int		 i;

	for (i = 0; i < net->n; i++) {
		l = &net->layers[i];
		if (l->kind == LAYER_FLATTEN) {
			l->y = NULL;
			l->dx = NULL;
			continue;
		}
		l->y = arena_take(&net->acts, rows * l->out_size);
		l->dx = arena_take(&net->acts, rows * l->in_size);
		if (l->kind == LAYER_NEURON) {
			l->h = arena_take(&net->acts, rows * l->in_size);
			l->v = arena_take(&net->acts, rows * l->in_size);
			l->sg = arena_take(&net->acts, rows * l->in_size);
			l->state = arena_take(&net->acts,
			    (size_t)B * l->in_size);
			l->has_state = 0;
		}
	}
}

/* Makes sure the arena is carved for (T, B, in_shape); -1 on failure. */
static int
net_prepare(struct net *net, int T, int B, int in_ndim, const int *in_shape,
    char **cause)
{
	if (net->T == T && net->B == B && net->in_ndim == in_ndim &&
	    memcmp(net->in_shape, in_shape, (size_t)in_ndim *
	    sizeof *in_shape) == 0)
		return 0;
	net_invalidate(net);
	if (net_shapes(net, in_ndim, in_shape, cause) != 0)
		return -1;
	arena_plan(&net->acts);
	net_carve(net, T, B);
	if (arena_commit(&net->acts, cause) != 0)
		return -1;
	net_carve(net, T, B);
	net->T = T;
	net->B = B;
	net->in_ndim = in_ndim;
	memcpy(net->in_shape, in_shape, (size_t)in_ndim * sizeof *in_shape);
	return 0;
}

/*
 * Returns the mean of v (n), summed in double in NET_SUMS interleaved
 * partial sums (exact for spikes, whose sum is a whole number).
 */
static double
net_mean(const float *v, size_t n)
{
	double	sum[NET_SUMS] = { 0 }, all = 0;
	size_t	i;
	int	j;

	for (i = 0; i + NET_SUMS <= n; i += NET_SUMS)
		for (j = 0; j < NET_SUMS; j++)
			sum[j] += v[i + j];
	for (; i < n; i++)
		all += v[i];
	for (j = 0; j < NET_SUMS; j++)
		all += sum[j];
	return n == 0 ? 0 : all / (double)n;
}

/*
 * Forward pass. x is (T, B, in_shape...) and must stay valid until the
 * matching net_backward; *out points at the last layer's output (T, B,
 * out_shape...), owned by the net and valid until the next forward.
 */
int
net_forward(struct net *net, const float *x, int T, int B, int in_ndim,
    const int *in_shape, const float **out, char **cause)
{
	struct layer	*l;
	const float	*cur = x;
	size_t		 rows, M;
	int		 i;

	if (net->n == 0)
		return error_set(cause, "forward: the network has no layers");
	if (T <= 0 || B <= 0 || in_ndim < 1 || in_ndim > TENSOR_MAXDIM - 2)
		return error_set(cause, "forward: input must be [T, B, ...] "
		    "with 1 to %d per-sample dimensions", TENSOR_MAXDIM - 2);
	if (net_prepare(net, T, B, in_ndim, in_shape, cause) != 0)
		return -1;
	for (i = 0; i < net->n; i++) {
		l = &net->layers[i];
		l->x = cur;
		switch (l->kind) {
		case LAYER_LINEAR:
			rows = (size_t)T * (size_t)B * l->in_size /
			    (size_t)l->in;
			if (cur != x)
				layer_linear_forward(l->y, cur, l->w, l->b,
				    (int)rows, l->in, l->out);
			else if (layer_linear_sparse_forward(&l->sparse, l->y,
			    cur, l->w, l->b, (int)rows, l->in, l->out,
			    LINEAR_SPARSE_MAX_DENSITY, cause) != 0)
				return -1;
			break;
		case LAYER_FLATTEN:
			l->y = (float *)cur;
			break;
		case LAYER_NEURON:
			M = (size_t)B * l->in_size;
			neuron_forward(&l->neuron, l->y, l->h, l->v, cur,
			    l->has_state ? l->state : NULL, T, M);
			memcpy(l->state, l->v + (size_t)(T - 1) * M,
			    M * sizeof *l->state);
			l->has_state = 1;
			l->stats.spike_rate = net_mean(l->y, (size_t)T * M);
			break;
		}
		cur = l->y;
	}
	*out = cur;
	return 0;
}

/*
 * Returns the bits of |x| as a nonnegative integer: such integers order as
 * the floats |x| do, NaNs above infinity.
 */
static inline int32_t
net_abs_bits(float x)
{
	uint32_t	u;

	memcpy(&u, &x, sizeof u);
	return (int32_t)(u & 0x7fffffffu);
}

/* Returns the number of rows of m (rows, n) that are all zero. */
static size_t
net_zero_rows(const float *m, size_t rows, size_t n)
{
	size_t	r, i, j, count = 0;
	int	nz;

	for (r = 0; r < rows; r++, m += n) {
		nz = 0;
		for (i = 0; i + NET_BLOCK <= n && !nz; i += NET_BLOCK)
			for (j = 0; j < NET_BLOCK; j++)
				nz |= m[i + j] != 0.0f;
		for (; i < n && !nz; i++)
			nz = m[i] != 0.0f;
		count += !nz;
	}
	return count;
}

/*
 * Records the sparsity of a neuron layer's backward: the fraction of exactly
 * zero surrogate derivatives, of those below 1e-3 of the largest, and of
 * rows (one time step of one sample) whose gradient to the input is all 0.
 * One pass counts the zeros and finds the largest |sg| (NaN left out), a
 * second counts those below the cut, both on the bits of |sg|, which order
 * as the values do (a NaN's exceed every finite cut, so it is never small).
 */
static void
net_sparsity(struct layer *l, size_t T, size_t B)
{
	size_t		 i, n = T * B * l->in_size, zero = 0, small = 0;
	int32_t		 a, max = 0, cut;
	float		 top;

	for (i = 0; i < n; i++) {
		a = net_abs_bits(l->sg[i]);
		zero += a == 0;
		a = a > 0x7f800000 ? 0 : a;
		max = a > max ? a : max;
	}
	memcpy(&top, &max, sizeof top);
	cut = net_abs_bits(1e-3f * top);
	for (i = 0; i < n; i++)
		small += net_abs_bits(l->sg[i]) < cut;
	l->stats.sg_zero = (double)zero / (double)n;
	l->stats.sg_small = (double)small / (double)n;
	l->stats.dy_zero_rows = (double)net_zero_rows(l->dx, T * B,
	    l->in_size) / (double)(T * B);
}

/*
 * Backward pass after net_forward. dy is (T, B, out_shape...); parameter
 * gradients are accumulated; when dx is not NULL, *dx points at the
 * gradient with respect to the input (owned by the net), otherwise the
 * first layer skips computing it.
 */
int
net_backward(struct net *net, const float *dy, const float **dx,
    char **cause)
{
	struct layer	*l;
	const float	*cur = dy;
	float		*grad_in;
	size_t		 rows, M;
	int		 i;

	if (net->T == 0)
		return error_set(cause, "backward: no forward pass to "
		    "differentiate (call forward first)");
	for (i = net->n - 1; i >= 0; i--) {
		l = &net->layers[i];
		grad_in = l->x == net->layers[0].x && dx == NULL ? NULL :
		    l->dx;
		switch (l->kind) {
		case LAYER_LINEAR:
			rows = (size_t)net->T * (size_t)net->B *
			    l->in_size / (size_t)l->in;
			if (l->sparse != NULL)
				layer_linear_sparse_backward(l->sparse, grad_in,
				    l->dw, l->db, cur, l->x, l->w, (int)rows,
				    l->in, l->out);
			else
				layer_linear_backward(grad_in, l->dw, l->db,
				    cur, l->x, l->w, (int)rows, l->in, l->out);
			break;
		case LAYER_FLATTEN:
			l->dx = (float *)cur;
			break;
		case LAYER_NEURON:
			M = (size_t)net->B * l->in_size;
			neuron_backward(&l->neuron, l->dx, l->sg, cur, l->h,
			    l->y, net->T, M);
			net_sparsity(l, (size_t)net->T, (size_t)net->B);
			break;
		}
		cur = l->dx;
	}
	if (dx != NULL)
		*dx = cur;
	return 0;
}

/* Sets every parameter gradient to zero. */
void
net_zero_grad(struct net *net)
{
	memset(net->grads, 0, net->nparams * sizeof *net->grads);
}

/* Returns every neuron to its rest state before the next forward. */
void
net_reset(struct net *net)
{
	int	i;

	for (i = 0; i < net->n; i++)
		net->layers[i].has_state = 0;
}

/* Switches all neuron layers between spikes and the smooth primitive. */
void
net_set_spiking(struct net *net, int spiking)
{
	int	i;

	for (i = 0; i < net->n; i++)
		net->layers[i].neuron.spiking = spiking != 0;
}

/*
 * Writes the per-sample output shape for the input shape of the last
 * forward into shape and returns its number of dimensions (0 before any
 * forward).
 */
int
net_out_shape(const struct net *net, int *shape)
{
	const struct layer	*l;

	if (net->n == 0 || net->T == 0)
		return 0;
	l = &net->layers[net->n - 1];
	memcpy(shape, l->out_shape, (size_t)l->out_ndim * sizeof *shape);
	return l->out_ndim;
}

/*
 * Returns the state-dict name of a parameter, "3.weight" or "3.bias" for
 * which 0 or 1, as PyTorch names the parameters of an nn.Sequential; the
 * caller frees it.
 */
char *
net_param_name(int layer, int which)
{
	return error_printf("%d.%s", layer, which == 0 ? "weight" : "bias");
}
