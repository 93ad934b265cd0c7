/*
 * test-core.c: the engine's foundations: RNG, tensors, arena, allocator
 * failure, Flatten, and the Linear layer against naive loops and finite
 * differences.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../src/snnwb.h"
#include "tap.h"

/* RNG: reproducible, uniform in range, roughly standard normal moments. */
static void
test_rng(void)
{
	struct rng	a, b;
	double		sum = 0, sum2 = 0, x;
	uint32_t	v[10], hist[7] = { 0 };
	int		i, same = 1, perm = 1;

	rng_seed(&a, 42);
	rng_seed(&b, 42);
	for (i = 0; i < 1000; i++)
		same &= rng_next(&a) == rng_next(&b);
	ok(same, "rng: same seed gives the same stream");
	rng_seed(&b, 43);
	ok(rng_next(&a) != rng_next(&b), "rng: another seed, another stream");
	for (i = 0; i < 70000; i++)
		hist[rng_below(&a, 7)]++;
	for (i = 0; i < 7; i++)
		perm &= hist[i] > 9600 && hist[i] < 10400;
	ok(perm, "rng_below(7): all buckets within 4%% of 10000");
	for (i = 0; i < 100000; i++) {
		x = rng_normal(&a);
		sum += x;
		sum2 += x * x;
	}
	is_double(sum / 1e5, 0, 0.02, "rng_normal: mean 0");
	is_double(sum2 / 1e5, 1, 0.02, "rng_normal: variance 1");
	for (i = 0; i < 10; i++)
		v[i] = (uint32_t)i;
	rng_shuffle(&a, v, 10);
	memset(hist, 0, sizeof hist);
	for (i = 0, perm = 0; i < 10; i++)
		perm += (int)v[i];
	ok(perm == 45, "rng_shuffle keeps the elements");
}

/* Tensors and the arena: shapes, planning then carving, alignment. */
static void
test_tensor_arena(void)
{
	struct tensor	t, u;
	struct arena	a;
	int		shape[3] = { 2, 34, 34 }, flat[3], nd;
	float		*p, *q;
	char		buf[64], *cause = NULL;

	tensor_view(&t, NULL, 3, shape);
	ok(tensor_numel(&t) == 2312, "tensor_numel([2,34,34]) = 2312");
	ok(strcmp(tensor_shape_string(shape, 3, buf, sizeof buf),
	    "[2, 34, 34]") == 0, "tensor_shape_string: %s", buf);
	u = t;
	ok(tensor_same_shape(&t, &u), "tensor_same_shape");
	nd = layer_flatten_shape(flat, shape, 3, 0);
	ok(nd == 1 && flat[0] == 2312, "flatten from 0: [2312]");
	nd = layer_flatten_shape(flat, shape, 3, 1);
	ok(nd == 2 && flat[0] == 2 && flat[1] == 1156, "flatten from 1");
	ok(layer_flatten_shape(flat, shape, 3, 3) == -1,
	    "flatten: start_dim out of range is refused");

	arena_plan(&a);
	arena_take(&a, 10);
	arena_take(&a, 100);
	ok(arena_commit(&a, &cause) == 0, "arena_commit");
	p = arena_take(&a, 10);
	q = arena_take(&a, 100);
	ok(p != NULL && q != NULL && ((uintptr_t)q % 64) == 0 && q - p >= 10,
	    "arena: buffers carved, 64-byte aligned");
	ok(arena_take(&a, 1) == NULL, "arena: taking past the plan fails");
	arena_free(&a);

	arena_plan(&a);
	arena_take(&a, 10);
	mem_fail_after(0);
	nd = arena_commit(&a, &cause);
	ok(nd == -1 && cause != NULL &&
	    strstr(cause, "out of memory") != NULL,
	    "arena: allocation failure reported: %s", cause ? cause : "");
	mem_fail_after(-1);
	free(cause);
	arena_free(&a);
}

/* Fills v with uniform values in [-1, 1). */
static void
fill(struct rng *r, float *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		v[i] = (float)(2 * rng_uniform(r) - 1);
}

/*
 * Linear: forward against a naive loop, backward against central finite
 * differences of L = sum(y * g) in double precision.
 */
static void
test_linear(void)
{
	enum { R = 7, I = 5, O = 3 };
	struct rng	r;
	float		x[R * I], w[O * I], b[O], y[R * O], g[R * O];
	float		dx[R * I], dw[O * I], db[O];
	double		want[R * O], num_dx[R * I], num_dw[O * I], num_db[O];
	double		s, h = 1e-2, lp, lm;
	int		i, j, k, bias;
	float		*param[3] = { x, w, b };
	double		*num[3] = { num_dx, num_dw, num_db };
	size_t		len[3] = { R * I, O * I, O };

	rng_seed(&r, 7);
	fill(&r, x, R * I);
	fill(&r, g, R * O);
	layer_linear_init(w, b, I, O, &r);
	ok(fabsf(w[0]) <= 1 / sqrtf(I) && fabsf(b[2]) <= 1 / sqrtf(I),
	    "linear init within PyTorch's bound");
	for (bias = 0; bias <= 1; bias++) {
		layer_linear_forward(y, x, w, bias ? b : NULL, R, I, O);
		for (i = 0; i < R; i++)
			for (j = 0; j < O; j++) {
				s = bias ? b[j] : 0;
				for (k = 0; k < I; k++)
					s += (double)x[i * I + k] * w[j * I + k];
				want[i * O + j] = s;
			}
		is_close_array(y, want, R * O, 1e-6, 1e-6,
		    "linear forward %s bias matches a naive loop",
		    bias ? "with" : "without");
	}
	memset(dw, 0, sizeof dw);
	memset(db, 0, sizeof db);
	layer_linear_backward(dx, dw, db, g, x, w, R, I, O);
	for (k = 0; k < 3; k++) {
		for (i = 0; i < (int)len[k]; i++) {
			float	save = param[k][i];

			param[k][i] = save + (float)h;
			layer_linear_forward(y, x, w, b, R, I, O);
			for (j = 0, lp = 0; j < R * O; j++)
				lp += (double)y[j] * g[j];
			param[k][i] = save - (float)h;
			layer_linear_forward(y, x, w, b, R, I, O);
			for (j = 0, lm = 0; j < R * O; j++)
				lm += (double)y[j] * g[j];
			param[k][i] = save;
			num[k][i] = (lp - lm) / (2 * h);
		}
	}
	is_close_array(dx, num_dx, R * I, 1e-3, 1e-4,
	    "linear dx matches finite differences");
	is_close_array(dw, num_dw, O * I, 1e-3, 1e-4,
	    "linear dw matches finite differences");
	is_close_array(db, num_db, O, 1e-3, 1e-4,
	    "linear db matches finite differences");
	layer_linear_backward(NULL, dw, NULL, g, x, w, R, I, O);
	for (i = 0; i < O * I; i++)
		num_dw[i] *= 2;
	is_close_array(dw, num_dw, O * I, 1e-3, 1e-4,
	    "linear backward accumulates into dw and skips dx when NULL");
}

/* Histograms: bins, out-of-range and NaN values counted apart. */
static void
test_hist(void)
{
	struct hist	h;
	float		x[] = { -3, -1, -0.5f, 0, 0.99f, 1, 2.5f, NAN };

	h.bins = 4;
	h.lo = -1;
	h.hi = 1;
	hist_count(&h, x, sizeof x / sizeof *x, 0.5f);
	/* x - 0.5: -3.5 -1.5 | -1 | -0.5 | 0.49 | 0.5 | 2 NaN */
	ok(h.counts[0] == 1 && h.counts[1] == 1 && h.counts[2] == 1 &&
	    h.counts[3] == 1, "hist: counts of x - 0.5 in [-1, 1) "
	    "(%llu %llu %llu %llu)", (unsigned long long)h.counts[0],
	    (unsigned long long)h.counts[1], (unsigned long long)h.counts[2],
	    (unsigned long long)h.counts[3]);
	ok(h.below == 2 && h.above == 1 && h.nan == 1,
	    "hist: 2 below, 1 above, 1 NaN");
}

int
main(void)
{
	blas_set_threads(1);
	test_rng();
	test_hist();
	test_tensor_arena();
	test_linear();
	return done_testing();
}
