/*
 * tensor.c: shapes and views. A struct tensor points into memory someone
 * else owns (an arena, a network, a Lua userdata).
 */
#include <stdio.h>
#include <string.h>

#include "core.h"

/* Returns the number of elements of t. */
size_t
tensor_numel(const struct tensor *t)
{
	size_t	n = 1;
	int	i;

	for (i = 0; i < t->ndim; i++)
		n *= (size_t)t->shape[i];
	return n;
}

/* Makes t a view of data with the given shape (ndim <= TENSOR_MAXDIM). */
void
tensor_view(struct tensor *t, float *data, int ndim, const int *shape)
{
	t->data = data;
	t->ndim = ndim;
	memset(t->shape, 0, sizeof t->shape);
	memcpy(t->shape, shape, (size_t)ndim * sizeof *shape);
}

/* Returns nonzero when a and b have the same shape. */
int
tensor_same_shape(const struct tensor *a, const struct tensor *b)
{
	return a->ndim == b->ndim &&
	    memcmp(a->shape, b->shape, (size_t)a->ndim * sizeof *a->shape) == 0;
}

/* Writes a shape as "[2, 34, 34]" into buf and returns buf. */
char *
tensor_shape_string(const int *shape, int ndim, char *buf, size_t len)
{
	size_t	off = 0;
	int	i;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	off += (size_t)snprintf(buf, len, "[");
	for (i = 0; i < ndim && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%d",
		    i == 0 ? "" : ", ", shape[i]);
	if (off < len)
		snprintf(buf + off, len - off, "]");
	return buf;
}
