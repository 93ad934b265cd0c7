/*
 * snnwb.h: the engine's internal interface, prototypes grouped by file.
 *
 * Engine files include only this header and the C library, BLAS, zlib and
 * Jansson: never curses, readline or Lua.
 *
 * Dimension letters used in shape comments:
 *   T time steps, B batch, N neurons (features of a layer), M = B * N,
 *   R rows of a time-merged matrix (T * B), I inputs, O outputs, C classes.
 *
 * Fallible functions return 0 on success and -1 on failure; on failure they
 * store a message in *cause (when cause is not NULL) that the caller frees.
 */
#ifndef SNNWB_H
#define SNNWB_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define SNNWB_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SNNWB_PRINTF(f, a)
#endif

/* mem.c: allocation that tests can make fail on the Nth call. */
void	*mem_alloc(size_t size);
void	*mem_calloc(size_t n, size_t size);
void	*mem_realloc(void *p, size_t size);
void	*mem_aligned(size_t size);
void	 mem_free(void *p);
char	*mem_strdup(const char *s);
void	 mem_fail_after(long n);

/* error.c: building the messages that fallible functions hand back. */
int	 error_set(char **cause, const char *fmt, ...) SNNWB_PRINTF(2, 3);
char	*error_printf(const char *fmt, ...) SNNWB_PRINTF(1, 2);

/* rng.c: xoshiro256** with an explicit state, seeded through splitmix64. */
struct rng {
	uint64_t	s[4];
};
void	 rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
double	 rng_uniform(struct rng *r);
uint32_t rng_below(struct rng *r, uint32_t n);
double	 rng_normal(struct rng *r);
void	 rng_shuffle(struct rng *r, uint32_t *v, size_t n);

/* tensor.c: shapes and views; a tensor never owns its data. */
#define TENSOR_MAXDIM 6
struct tensor {
	float	*data;
	int	 ndim;
	int	 shape[TENSOR_MAXDIM];
};
size_t	 tensor_numel(const struct tensor *t);
void	 tensor_view(struct tensor *t, float *data, int ndim,
	     const int *shape);
int	 tensor_same_shape(const struct tensor *a, const struct tensor *b);
char	*tensor_shape_string(const int *shape, int ndim, char *buf,
	     size_t len);

/* arena.c: one aligned allocation carved into float buffers. */
struct arena {
	float	*base;
	size_t	 cap;
	size_t	 used;
};
void	 arena_plan(struct arena *a);
int	 arena_commit(struct arena *a, char **cause);
float	*arena_take(struct arena *a, size_t n);
void	 arena_clear(struct arena *a);
void	 arena_free(struct arena *a);

/* blas.c: row-major single-precision GEMM and the BLAS thread count. */
void	 blas_set_threads(int n);
int	 blas_threads(void);
void	 blas_sgemm(int trans_a, int trans_b, int m, int n, int k,
	     float alpha, const float *a, int lda, const float *b, int ldb,
	     float beta, float *c, int ldc);

/* layer-linear.c: y = x w^T + b with PyTorch's (out, in) weight layout. */
void	 layer_linear_init(float *w, float *b, int in, int out,
	     struct rng *r);
void	 layer_linear_forward(float *y, const float *x, const float *w,
	     const float *b, int rows, int in, int out);
void	 layer_linear_backward(float *dx, float *dw, float *db,
	     const float *dy, const float *x, const float *w, int rows,
	     int in, int out);

/* layer-flatten.c: merging trailing dimensions, a reshape of the view. */
int	 layer_flatten_shape(int *out, const int *shape, int ndim,
	     int start_dim);

/* surrogate.c: spike-function surrogates, SpikingJelly's names and defaults. */
/* @surrogate */

/* neuron.c: multi-step LIF and IF neurons over [T, B, N]. */
/* @neuron */

/* loss.c: losses on the mean firing rate over T. */
/* @loss */

/* optim.c and schedule.c: parameter updates and learning-rate schedules. */
/* @optim */

/* safetensors.c: checkpoints in the safetensors format. */
/* @safetensors */

/* data-nmnist.c: N-MNIST recordings in the original 40-bit event format. */
struct event {
	uint32_t	t;	/* microseconds */
	uint8_t		x;	/* 0..33 */
	uint8_t		y;	/* 0..33 */
	uint8_t		p;	/* polarity 0 (OFF) or 1 (ON) */
	uint8_t		pad;
};
int	 data_nmnist_read_file(const char *path, struct event **ev,
	     size_t *n, size_t *backwards, char **cause);
int	 data_nmnist_write_file(const char *path, const struct event *ev,
	     size_t n, char **cause);
/* @data */

/* sim.c: the event-camera simulator (MNIST image to N-MNIST recording). */
/* @sim */

#endif
