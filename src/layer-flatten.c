/*
 * layer-flatten.c: Flatten merges the dimensions from start_dim on. The data
 * of a contiguous tensor do not move, so forward and backward are reshapes of
 * the view and this file only computes shapes.
 */
#include "snnwb.h"

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
