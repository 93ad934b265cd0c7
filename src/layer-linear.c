/*
 * layer-linear.c: the fully connected layer, y = x w^T + b. Time is merged
 * into the batch, so one GEMM covers all T steps: rows = T * B.
 */
#include <math.h>
#include <string.h>

#include "snnwb.h"

/*
 * Initialises w (out, in) and b (out, or NULL) as PyTorch's nn.Linear does:
 * uniform in [-1/sqrt(in), 1/sqrt(in)].
 */
void
layer_linear_init(float *w, float *b, int in, int out, struct rng *r)
{
	double	bound = 1.0 / sqrt((double)in);
	size_t	i, n = (size_t)in * (size_t)out;

	for (i = 0; i < n; i++)
		w[i] = (float)((2.0 * rng_uniform(r) - 1.0) * bound);
	if (b != NULL)
		for (i = 0; i < (size_t)out; i++)
			b[i] = (float)((2.0 * rng_uniform(r) - 1.0) * bound);
}

/* y (rows, out) = x (rows, in) w^T + b; w is (out, in), b is (out) or NULL. */
void
layer_linear_forward(float *y, const float *x, const float *w,
    const float *b, int rows, int in, int out)
{
	int	r;

	if (b != NULL) {
		for (r = 0; r < rows; r++)
			memcpy(y + (size_t)r * out, b, (size_t)out * sizeof *b);
	}
	blas_sgemm(0, 1, rows, out, in, 1.0f, x, in, w, in,
	    b != NULL ? 1.0f : 0.0f, y, out);
}

/*
 * Backward of the linear layer: dw (out, in) += dy^T x, db (out) += column
 * sums of dy (when db is set), and dx (rows, in) = dy w (when dx is set; a
 * first layer skips it). dy is (rows, out), x is (rows, in).
 */
void
layer_linear_backward(float *dx, float *dw, float *db, const float *dy,
    const float *x, const float *w, int rows, int in, int out)
{
	int	r, o;

	blas_sgemm(1, 0, out, in, rows, 1.0f, dy, out, x, in, 1.0f, dw, in);
	if (db != NULL) {
		for (r = 0; r < rows; r++) {
			const float	*row = dy + (size_t)r * out;

			for (o = 0; o < out; o++)
				db[o] += row[o];
		}
	}
	if (dx != NULL)
		blas_sgemm(0, 0, rows, in, out, 1.0f, dy, out, w, in, 0.0f,
		    dx, in);
}
