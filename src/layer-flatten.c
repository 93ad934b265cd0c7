/*
 * layer-flatten.c: Flatten merges the dimensions from start_dim on. The data
 * of a contiguous tensor do not move, so forward and backward are reshapes of
 * the view and this file only computes shapes; the flatten module merges
 * every per-sample dimension (nn.Flatten with start_dim 1 of [N, ...]).
 */
#include <jansson.h>

#include "nn.h"

/*
 * Writes into out the shape of shape[0..ndim) with dimensions start_dim..
 * merged into one; returns the new number of dimensions, or -1 when
 * start_dim is out of range.
 */
int
layer_flatten_shape(int *out, const int *shape, int ndim, int start_dim)
{
	int	i, merged = 1;

	if (start_dim < 0 || start_dim >= ndim)
		return -1;
	for (i = 0; i < start_dim; i++)
		out[i] = shape[i];
	for (i = start_dim; i < ndim; i++)
		merged *= shape[i];
	out[start_dim] = merged;
	return start_dim + 1;
}

/* Merges every per-sample dimension into one, as nn.Flatten(). */
static int
layer_flatten_module_shape(struct module *m, char **cause)
{
	(void)cause;
	m->out_ndim = layer_flatten_shape(m->out_shape, m->in_shape,
	    m->in_ndim, 0);
	return 0;
}

/* The output is the input, viewed with the merged shape. */
static int
layer_flatten_forward(struct module *m, const struct mctx *c,
    const float *x, char **cause)
{
	(void)c;
	(void)cause;
	m->y = (float *)x;
	return 0;
}

/* The input gradient is the output gradient, viewed with the input shape. */
static void
layer_flatten_backward(struct module *m, const struct mctx *c,
    const float *dy, int need_dx)
{
	(void)c;
	(void)need_dx;
	m->dx = (float *)dy;
}

const struct module_kind layer_flatten_kind = {
	.name = "flatten",
	.lua = "flatten",
	.flags = MODULE_ALIAS,
	.shape = layer_flatten_module_shape,
	.forward = layer_flatten_forward,
	.backward = layer_flatten_backward
};
