/*
 * layer-linear.c: the fully connected layer, y = x w^T + b. Time is merged
 * into the batch, so one GEMM covers all T steps: rows = T * B.
 */
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <string.h>
#include <stdint.h>

#include "nn.h"

#ifdef CPU_X86
#include <immintrin.h>
#endif

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
 * The parts of the linear backward that do not involve x: db (out) += column
 * sums of dy (when db is set) and dx (rows, in) = dy w (when dx is set).
 * dy is (rows, out), w is (out, in).
 */
static void
layer_linear_rest(float *dx, float *db, const float *dy, const float *w,
    int rows, int in, int out)
{
	int	r, o;

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

/*
 * Backward of the linear layer: dw (out, in) += dy^T x, db (out) += column
 * sums of dy (when db is set), and dx (rows, in) = dy w (when dx is set; a
 * first layer skips it). dy is (rows, out), x is (rows, in).
 */
void
layer_linear_backward(float *dx, float *dw, float *db, const float *dy,
    const float *x, const float *w, int rows, int in, int out)
{
	blas_sgemm(1, 0, out, in, rows, 1.0f, dy, out, x, in, 1.0f, dw, in);
	layer_linear_rest(dx, db, dy, w, rows, in, out);
}

/*
 * The sparse path of a Linear layer that reads the network's input, whose
 * values are mostly zero (event frames). Each call scans x (rows, in) into
 * a CSR, the nonzeros of each row; when at most the caller's fraction of x
 * is nonzero:
 *
 *   forward   y = x w^T + b, a panel of P outputs at a time (P is four
 *             vectors: 64 with AVX-512, else 32, so that the buffer below
 *             fits the L2 caches of such processors): the panel's rows of
 *             w are copied transposed into a buffer (in, P) that stays in
 *             L2, then for each row r of x every nonzero (k, v) adds v
 *             times the buffer's row k, a contiguous vector, into y[r]'s
 *             panel held in registers. The copy is made at every call, so
 *             it always reflects w, whatever changed it (optimizer,
 *             checkpoint, Lua views); w is read once a call.
 *   backward  dw += dy^T x, and no input gradient: the CSR is transposed
 *             into a CSC (the nonzeros of each column); per panel, dy's
 *             panel columns are copied into a buffer (rows, P), and column
 *             k of x gives the panel's part of dw's column k, the sum over
 *             its nonzeros (r, v) of v times the buffer's row r, in
 *             registers, added into dw LINEAR_TILE columns at a time.
 *             A panel whose columns of dy are all zero (behind a spiking
 *             layer whose surrogate derivatives are zero) is skipped:
 *             its sums would all be +0 (a sum of v * 0 started from +0
 *             is never -0), so dw is unchanged but that a -0 in dw
 *             stays -0 rather than turn +0, and that with an inf or
 *             NaN in x, where 0 * inf would have made NaN, it does not.
 *             Skipping single rows of a panel was tried and was slower:
 *             copying apart each column's nonzeros in rows that are not
 *             zero, per panel, cost more than the multiply-adds saved.
 *
 * The work is split into blas_threads() tasks of the thread pool: the scan
 * by blocks of rows, the CSC by ranges of columns, the products by panels
 * (task t takes panels t, t + tasks, ...). Every output value is summed by
 * one task in a fixed order, so the results do not depend on the number
 * of threads. The kernels use AVX-512, else AVX2 and FMA, else plain C,
 * as cpu_isa() allows at each forward (its ssse3 level runs plain C);
 * above the density limit the layer runs the GEMMs above.
 */
#define LINEAR_NV	4		/* vectors in a panel */
#define LINEAR_TILE	16		/* columns of dw added at a time */

/*
 * Eight and sixteen floats in GCC's and clang's vector extension, which
 * may alias floats as the intrinsics' types do.
 */
typedef float linear_v8 __attribute__((vector_size(32), may_alias));
typedef float linear_v16 __attribute__((vector_size(64), may_alias));

#ifdef CPU_X86
#if defined(__clang__)
#define LINEAR_AVX2 __attribute__((target(CPU_TARGET_AVX2)))
#define LINEAR_AVX512 __attribute__((target(CPU_TARGET_AVX512)))
#else
/* -std=c11 turns contraction off; the kernels want a * b + c fused. */
#define LINEAR_AVX2 __attribute__((target(CPU_TARGET_AVX2), \
	optimize("fp-contract=fast")))
#define LINEAR_AVX512 __attribute__((target(CPU_TARGET_AVX512), \
	optimize("fp-contract=fast")))
#endif
#endif

/* Whether the weight gradient skips the panels of dy that are zero. */
static int layer_linear_skipping = 1;

/*
 * Turns the weight gradient's skipping of the panels of dy that are all
 * zero on (the default) or off, for benchmarks: the results are the same
 * either way (but for the edges above); not to be called while the
 * sparse path runs.
 */
void
layer_linear_sparse_skip(int on)
{
	layer_linear_skipping = on;
}

/*
 * The buffers of the sparse path, planned for (rows, in, out, tasks, cap)
 * and the instruction set of the kernels.
 */
struct linear_sparse {
	int		 rows;
	int		 in;
	int		 out;
	int		 ntasks;
	enum cpu_isa	 isa;
	int		 panel;		/* outputs in a panel, P */
	int		 npanels;
	size_t		 cap;		/* nonzeros the density limit allows */
	size_t		 nnz;		/* nonzeros of the last x */
	int		 used;		/* the last forward went sparse */
	size_t		*rowptr;	/* (rows + 1) CSR row starts */
	size_t		*slot;		/* (ntasks + 1) each task's CSR part */
	uint32_t	*col;		/* (slot[ntasks]) CSR columns */
	float		*val;		/* (slot[ntasks]) CSR values */
	size_t		*found;		/* (ntasks) nonzeros each scan found */
	size_t		*colptr;	/* (in + 1) CSC column starts */
	size_t		*colnext;	/* (in) CSC places being filled */
	uint32_t	*crow;		/* (cap + 1) CSC rows */
	float		*cval;		/* (cap + 1) CSC values */
	float		*bp;		/* (npanels * P) b or 0 */
	float		*buf;		/* (ntasks, max(in, rows), P) */
	struct linear_sparse_times times;
};

/* What one pool call works on; each stage reads the fields it needs. */
struct linear_job {
	struct linear_sparse	*sp;
	const float		*x;	/* (rows, in) */
	float			*y;	/* (rows, out) */
	const float		*w;	/* (out, in) */
	const float		*dy;	/* (rows, out) */
	float			*dw;	/* (out, in) */
};


/* Frees the sparse path's buffers; NULL is allowed. */
void
layer_linear_sparse_free(struct linear_sparse *sp)
{
	if (sp == NULL)
		return;
	mem_free(sp->rowptr);
	mem_free(sp->slot);
	mem_free(sp->col);
	mem_free(sp->val);
	mem_free(sp->found);
	mem_free(sp->colptr);
	mem_free(sp->colnext);
	mem_free(sp->crow);
	mem_free(sp->cval);
	mem_free(sp->bp);
	mem_free(sp->buf);
	mem_free(sp);
}

/* Returns the first row of task p's block of rows. */
static int
layer_linear_block(const struct linear_sparse *sp, int p)
{
	return (int)((int64_t)sp->rows * p / sp->ntasks);
}

/*
 * Makes *spp fit (rows, in, out) with ntasks tasks and room for cap
 * nonzeros, for the kernels of instruction set isa, reallocating only when
 * one of them changed; the stage times carry over. On failure *spp is
 * freed and set to NULL.
 */
static int
layer_linear_sparse_plan(struct linear_sparse **spp, int rows, int in,
    int out, int ntasks, size_t cap, enum cpu_isa isa, char **cause)
{
	struct linear_sparse	*sp = *spp, *nsp;
	size_t			 R = (size_t)rows, I = (size_t)in;
	size_t			 P = (size_t)ntasks, side = R > I ? R : I;
	size_t			 n;
	int			 p;

	if (sp != NULL && sp->rows == rows && sp->in == in && sp->out == out &&
	    sp->ntasks == ntasks && sp->cap == cap && sp->isa == isa)
		return 0;
	if ((nsp = mem_calloc(1, sizeof *nsp)) == NULL)
		goto fail;
	if (sp != NULL)
		nsp->times = sp->times;
	layer_linear_sparse_free(sp);
	*spp = sp = nsp;
	sp->rows = rows;
	sp->in = in;
	sp->out = out;
	sp->ntasks = ntasks;
	sp->isa = isa;
	sp->panel = LINEAR_NV * (isa == CPU_ISA_AVX512 ? 16 : 8);
	sp->npanels = (out + sp->panel - 1) / sp->panel;
	sp->cap = cap;
	sp->rowptr = mem_alloc((R + 1) * sizeof *sp->rowptr);
	if ((sp->slot = mem_alloc((P + 1) * sizeof *sp->slot)) == NULL)
		goto fail;
	sp->slot[0] = 0;
	for (p = 0; p < ntasks; p++) {
		n = (size_t)(layer_linear_block(sp, p + 1) -
		    layer_linear_block(sp, p)) * I;
		sp->slot[p + 1] = sp->slot[p] + (n < cap ? n : cap) + I;
	}
	sp->col = mem_alloc(sp->slot[P] * sizeof *sp->col);
	sp->val = mem_alloc(sp->slot[P] * sizeof *sp->val);
	sp->found = mem_alloc(P * sizeof *sp->found);
	sp->colptr = mem_alloc((I + 1) * sizeof *sp->colptr);
	sp->colnext = mem_alloc(I * sizeof *sp->colnext);
	sp->crow = mem_alloc((cap + 1) * sizeof *sp->crow);
	sp->cval = mem_alloc((cap + 1) * sizeof *sp->cval);
	sp->bp = mem_aligned((size_t)sp->npanels * (size_t)sp->panel *
	    sizeof *sp->bp);
	sp->buf = mem_aligned(P * side * (size_t)sp->panel * sizeof *sp->buf);
	if (sp->rowptr != NULL && sp->col != NULL && sp->val != NULL &&
	    sp->found != NULL && sp->colptr != NULL && sp->colnext != NULL &&
	    sp->crow != NULL && sp->cval != NULL && sp->bp != NULL &&
	    sp->buf != NULL)
		return 0;
fail:
	layer_linear_sparse_free(*spp);
	*spp = NULL;
	return error_set(cause, "linear %d -> %d: out of memory for the "
	    "sparse input path (%d rows)", in, out, rows);
}

/* Returns task t's panel buffer, (max(in, rows), P). */
static float *
layer_linear_buf(const struct linear_sparse *sp, int t)
{
	size_t	side = sp->rows > sp->in ? (size_t)sp->rows : (size_t)sp->in;

	return sp->buf + (size_t)t * side * (size_t)sp->panel;
}

/* Returns how many outputs of panel c exist (P but in the last). */
static int
layer_linear_width(const struct linear_sparse *sp, int c)
{
	int	width = sp->out - c * sp->panel;

	return width < sp->panel ? width : sp->panel;
}

/*
 * Appends the nonzeros of xr[k..in) at col and val (n entries so far,
 * room for n + in - k more) and returns the new count. Every value is
 * stored and the count advanced only past nonzeros: nothing branches on
 * the data.
 */
static size_t
layer_linear_scan_row(const float *xr, int k, int in, uint32_t *col,
    float *val, size_t n)
{
	for (; k < in; k++) {
		col[n] = (uint32_t)k;
		val[n] = xr[k];
		n += xr[k] != 0.0f;
	}
	return n;
}

#ifdef CPU_X86
/*
 * For each 8-bit mask, the positions of its set bits first (then zeros),
 * and how many there are; made once by layer_linear_lut_init.
 */
static uint8_t		layer_linear_lut[256][8];
static uint8_t		layer_linear_lut_n[256];
static pthread_once_t	layer_linear_lut_once = PTHREAD_ONCE_INIT;

/* Fills the tables of layer_linear_scan_avx2. */
static void
layer_linear_lut_init(void)
{
	int	m, i, n;

	for (m = 0; m < 256; m++) {
		n = 0;
		for (i = 0; i < 8; i++)
			if (m >> i & 1)
				layer_linear_lut[m][n++] = (uint8_t)i;
		layer_linear_lut_n[m] = (uint8_t)n;
	}
}

/*
 * layer_linear_scan_row from k = 0, eight values at a time: the nonzero
 * mask of eight picks a permutation that moves them (and their columns)
 * to the front of a vector stored whole at n, of which its count is kept.
 */
LINEAR_AVX2 static size_t
layer_linear_scan_avx2(const float *xr, int in, uint32_t *col, float *val,
    size_t n)
{
	const __m256	zero = _mm256_setzero_ps();
	__m256i		perm;
	__m256		v;
	int		k, m;

	for (k = 0; k + 8 <= in; k += 8) {
		v = _mm256_loadu_ps(xr + k);
		m = _mm256_movemask_ps(_mm256_cmp_ps(v, zero, _CMP_NEQ_UQ));
		perm = _mm256_cvtepu8_epi32(_mm_loadl_epi64(
		    (const __m128i *)layer_linear_lut[m]));
		_mm256_storeu_ps(val + n, _mm256_permutevar8x32_ps(v, perm));
		_mm256_storeu_si256((__m256i *)(col + n),
		    _mm256_add_epi32(perm, _mm256_set1_epi32(k)));
		n += layer_linear_lut_n[m];
	}
	return layer_linear_scan_row(xr, k, in, col, val, n);
}

/*
 * layer_linear_scan_row from k = 0, sixteen values at a time: the nonzero
 * mask compresses them (and their columns) to the front of a vector
 * stored whole at n, of which its count is kept.
 */
LINEAR_AVX512 static size_t
layer_linear_scan_avx512(const float *xr, int in, uint32_t *col,
    float *val, size_t n)
{
	const __m512	zero = _mm512_setzero_ps();
	const __m512i	iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8,
			    9, 10, 11, 12, 13, 14, 15);
	__m512		v;
	__mmask16	m;
	int		k;

	for (k = 0; k + 16 <= in; k += 16) {
		v = _mm512_loadu_ps(xr + k);
		m = _mm512_cmp_ps_mask(v, zero, _CMP_NEQ_UQ);
		_mm512_storeu_ps(val + n, _mm512_maskz_compress_ps(m, v));
		_mm512_storeu_si512(col + n, _mm512_maskz_compress_epi32(m,
		    _mm512_add_epi32(iota, _mm512_set1_epi32(k))));
		n += (size_t)__builtin_popcount(m);
	}
	return layer_linear_scan_row(xr, k, in, col, val, n);
}
#endif

/* Appends the nonzeros of row xr (in) with the scan for isa. */
static size_t
layer_linear_scan_any(enum cpu_isa isa, const float *xr, int in,
    uint32_t *col, float *val, size_t n)
{
	switch (isa) {
#ifdef CPU_X86
	case CPU_ISA_AVX512:
		return layer_linear_scan_avx512(xr, in, col, val, n);
	case CPU_ISA_AVX2:
		return layer_linear_scan_avx2(xr, in, col, val, n);
#endif
	default:
		return layer_linear_scan_row(xr, 0, in, col, val, n);
	}
}

/*
 * Scans task p's block of rows of x into its CSR slot; once the slot
 * holds more than cap nonzeros, the rest are only counted.
 */
static void
layer_linear_scan_task(void *arg, int p)
{
	const struct linear_job	*job = arg;
	struct linear_sparse	*sp = job->sp;
	size_t			 n = 0, I = (size_t)sp->in;
	uint32_t		*col = sp->col + sp->slot[p];
	float			*val = sp->val + sp->slot[p];
	const float		*xr;
	int			 r, k, r1 = layer_linear_block(sp, p + 1);

	for (r = layer_linear_block(sp, p); r < r1; r++) {
		sp->rowptr[r] = n;
		xr = job->x + (size_t)r * I;
		if (n > sp->cap) {
			for (k = 0; k < sp->in; k++)
				n += xr[k] != 0.0f;
			continue;
		}
		n = layer_linear_scan_any(sp->isa, xr, sp->in, col, val, n);
	}
	sp->found[p] = n;
}

/*
 * Builds the CSR of x (rows, in); returns nonzero when x has at most cap
 * nonzeros. The tasks' slots are then moved together into one CSR.
 */
static int
layer_linear_scan(struct linear_job *job)
{
	struct linear_sparse	*sp = job->sp;
	size_t			 off = 0;
	int			 p, r;

	pool_run(layer_linear_scan_task, job, sp->ntasks);
	sp->nnz = 0;
	for (p = 0; p < sp->ntasks; p++)
		sp->nnz += sp->found[p];
	if (sp->nnz > sp->cap)
		return 0;
	for (p = 0; p < sp->ntasks; p++) {
		if (sp->slot[p] != off) {
			memmove(sp->col + off, sp->col + sp->slot[p],
			    sp->found[p] * sizeof *sp->col);
			memmove(sp->val + off, sp->val + sp->slot[p],
			    sp->found[p] * sizeof *sp->val);
		}
		for (r = layer_linear_block(sp, p);
		    r < layer_linear_block(sp, p + 1); r++)
			sp->rowptr[r] += off;
		off += sp->found[p];
	}
	sp->rowptr[sp->rows] = off;
	return 1;
}

/*
 * Copies rows j0..j1 and columns k0..k1 of a panel's rows src (width, in)
 * of w transposed into buf (in, panel). Column k of the rows is read for
 * consecutive k, so their cache lines serve many k each.
 */
static void
layer_linear_pack_part(float *buf, const float *src, int in, int panel,
    int j0, int j1, int k0, int k1)
{
	int	j, k;

	for (k = k0; k < k1; k++)
		for (j = j0; j < j1; j++)
			buf[(size_t)k * (size_t)panel + (size_t)j] =
			    src[(size_t)j * (size_t)in + (size_t)k];
}

#ifdef CPU_X86
/* Transposes the 8 x 8 matrix whose rows are r[0..8) in place. */
LINEAR_AVX2 static inline void
layer_linear_transpose(__m256 *r)
{
	__m256	t[8];
	int	i;

	for (i = 0; i < 8; i += 2) {
		t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
		t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
	}
	for (i = 0; i < 8; i += 4) {
		r[i] = _mm256_shuffle_ps(t[i], t[i + 2],
		    _MM_SHUFFLE(1, 0, 1, 0));
		r[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2],
		    _MM_SHUFFLE(3, 2, 3, 2));
		r[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3],
		    _MM_SHUFFLE(1, 0, 1, 0));
		r[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3],
		    _MM_SHUFFLE(3, 2, 3, 2));
	}
	for (i = 0; i < 4; i++) {
		t[i] = _mm256_permute2f128_ps(r[i], r[i + 4], 0x20);
		t[i + 4] = _mm256_permute2f128_ps(r[i], r[i + 4], 0x31);
	}
	for (i = 0; i < 8; i++)
		r[i] = t[i];
}

/*
 * layer_linear_pack_part over the whole panel, by blocks of 8 rows and 8
 * columns transposed in registers, 8 rows at a time along all of them;
 * the edges that do not fill a block go through layer_linear_pack_part.
 */
LINEAR_AVX2 static void
layer_linear_pack_avx2(float *buf, const float *src, int in, int panel,
    int width)
{
	__m256	r[8];
	int	i, j, k, w8 = width & ~7, k8 = in & ~7;

	for (j = 0; j < w8; j += 8) {
		for (k = 0; k < k8; k += 8) {
			for (i = 0; i < 8; i++)
				r[i] = _mm256_loadu_ps(src + (size_t)(j + i) *
				    (size_t)in + (size_t)k);
			layer_linear_transpose(r);
			for (i = 0; i < 8; i++)
				_mm256_store_ps(buf + (size_t)(k + i) *
				    (size_t)panel + (size_t)j, r[i]);
		}
	}
	layer_linear_pack_part(buf, src, in, panel, w8, width, 0, in);
	layer_linear_pack_part(buf, src, in, panel, 0, w8, k8, in);
}
#endif

/*
 * Copies the rows of panel c of w (out, in) transposed into buf (in, P),
 * zero past the last output.
 */
static void
layer_linear_pack(const struct linear_sparse *sp, float *buf,
    const float *w, int c)
{
	const float	*src = w + (size_t)c * (size_t)sp->panel *
			    (size_t)sp->in;
	int		 width = layer_linear_width(sp, c);

	if (width < sp->panel)
		memset(buf, 0, (size_t)sp->in * (size_t)sp->panel *
		    sizeof *buf);
#ifdef CPU_X86
	if (sp->isa >= CPU_ISA_AVX2) {
		layer_linear_pack_avx2(buf, src, sp->in, sp->panel, width);
		return;
	}
#endif
	layer_linear_pack_part(buf, src, sp->in, sp->panel, 0, width, 0,
	    sp->in);
}

/*
 * Copies the columns of panel c of dy (rows, out) into buf (rows, P),
 * zero past the last output, and returns whether they hold a value other
 * than zero (NaN included).
 */
static int
layer_linear_gather(const struct linear_sparse *sp, float *buf,
    const float *dy, int c)
{
	const float	*src = dy + (size_t)c * (size_t)sp->panel;
	int		 r, j, any = 0, width = layer_linear_width(sp, c);

	for (r = 0; r < sp->rows; r++) {
		for (j = 0; j < width; j++)
			any |= src[j] != 0.0f;
		memcpy(buf, src, (size_t)width * sizeof *buf);
		memset(buf + width, 0, (size_t)(sp->panel - width) *
		    sizeof *buf);
		buf += sp->panel;
		src += sp->out;
	}
	return any;
}

/*
 * Adds to acc (LINEAR_NV vectors of 16) the sum over i < n of v[i] times
 * the LINEAR_NV vectors at base + idx[i] LINEAR_NV. Even and odd i are
 * summed apart, so that each multiply-add need not wait for the one
 * before.
 */
static inline __attribute__((always_inline)) void
layer_linear_dot16(linear_v16 *acc, const linear_v16 *base,
    const uint32_t *idx, const float *v, size_t n)
{
	const linear_v16	*a, *b;
	linear_v16		 odd[LINEAR_NV];
	size_t			 i;
	int			 j;

#pragma GCC unroll 4
	for (j = 0; j < LINEAR_NV; j++)
		odd[j] = (linear_v16){ 0 };
	for (i = 0; i + 1 < n; i += 2) {
		a = base + (size_t)idx[i] * LINEAR_NV;
		b = base + (size_t)idx[i + 1] * LINEAR_NV;
#pragma GCC unroll 4
		for (j = 0; j < LINEAR_NV; j++) {
			acc[j] += v[i] * a[j];
			odd[j] += v[i + 1] * b[j];
		}
	}
	if (i < n) {
		a = base + (size_t)idx[i] * LINEAR_NV;
#pragma GCC unroll 4
		for (j = 0; j < LINEAR_NV; j++)
			acc[j] += v[i] * a[j];
	}
#pragma GCC unroll 4
	for (j = 0; j < LINEAR_NV; j++)
		acc[j] += odd[j];
}

/* layer_linear_dot16 in vectors of 8 floats. */
static inline __attribute__((always_inline)) void
layer_linear_dot8(linear_v8 *acc, const linear_v8 *base, const uint32_t *idx,
    const float *v, size_t n)
{
	const linear_v8	*a, *b;
	linear_v8	 odd[LINEAR_NV];
	size_t		 i;
	int		 j;

#pragma GCC unroll 4
	for (j = 0; j < LINEAR_NV; j++)
		odd[j] = (linear_v8){ 0 };
	for (i = 0; i + 1 < n; i += 2) {
		a = base + (size_t)idx[i] * LINEAR_NV;
		b = base + (size_t)idx[i + 1] * LINEAR_NV;
#pragma GCC unroll 4
		for (j = 0; j < LINEAR_NV; j++) {
			acc[j] += v[i] * a[j];
			odd[j] += v[i + 1] * b[j];
		}
	}
	if (i < n) {
		a = base + (size_t)idx[i] * LINEAR_NV;
#pragma GCC unroll 4
		for (j = 0; j < LINEAR_NV; j++)
			acc[j] += v[i] * a[j];
	}
#pragma GCC unroll 4
	for (j = 0; j < LINEAR_NV; j++)
		acc[j] += odd[j];
}

/*
 * Sets out (a panel of outputs, aligned as its vectors) to from (a panel,
 * aligned, or zeros when NULL) plus the sum over i < n of v[i] times row
 * idx[i] of base (rows of a panel), in vectors of 16 floats when wide
 * (panels of 64), else of 8 (panels of 32).
 */
static inline __attribute__((always_inline)) void
layer_linear_run(int wide, float *out, const float *from, const float *base,
    const uint32_t *idx, const float *v, size_t n)
{
	linear_v16	a16[LINEAR_NV];
	linear_v8	a8[LINEAR_NV];
	int		j;

	if (wide) {
#pragma GCC unroll 4
		for (j = 0; j < LINEAR_NV; j++)
			a16[j] = from != NULL ? ((const linear_v16 *)from)[j] :
			    (linear_v16){ 0 };
		layer_linear_dot16(a16, (const linear_v16 *)base, idx, v, n);
#pragma GCC unroll 4
		for (j = 0; j < LINEAR_NV; j++)
			((linear_v16 *)out)[j] = a16[j];
		return;
	}
#pragma GCC unroll 4
	for (j = 0; j < LINEAR_NV; j++)
		a8[j] = from != NULL ? ((const linear_v8 *)from)[j] :
		    (linear_v8){ 0 };
	layer_linear_dot8(a8, (const linear_v8 *)base, idx, v, n);
#pragma GCC unroll 4
	for (j = 0; j < LINEAR_NV; j++)
		((linear_v8 *)out)[j] = a8[j];
}

/*
 * The forward of task t: for each of its panels, y's panel columns =
 * x wp + bp from the CSR, wp the panel packed into the task's buffer, in
 * vectors of 16 floats when wide, else of 8.
 */
static inline __attribute__((always_inline)) void
layer_linear_mul_body(const struct linear_sparse *sp, float *y,
    const float *w, int t, int wide)
{
	linear_v16	 acc[LINEAR_NV];
	float		*wp = layer_linear_buf(sp, t), *to;
	size_t		 e, P = LINEAR_NV * (wide ? 16 : 8);
	int		 c, r, width;

	for (c = t; c < sp->npanels; c += sp->ntasks) {
		layer_linear_pack(sp, wp, w, c);
		width = layer_linear_width(sp, c);
		for (r = 0; r < sp->rows; r++) {
			e = sp->rowptr[r];
			layer_linear_run(wide, (float *)acc, sp->bp +
			    (size_t)c * P, wp, sp->col + e, sp->val + e,
			    sp->rowptr[r + 1] - e);
			to = y + (size_t)r * (size_t)sp->out + (size_t)c * P;
			if ((size_t)width == P)
				memcpy(to, acc, P * sizeof *y);
			else
				memcpy(to, acc, (size_t)width * sizeof *y);
		}
	}
}

/*
 * Adds rows j0..j1 and columns k0..k1 of tile (LINEAR_TILE, panel), a
 * panel's sums for LINEAR_TILE columns of dw, transposed into to, the
 * panel's first row of dw (width, in) at the tile's first column.
 */
static void
layer_linear_tile_part(float *to, const float *tile, int in, int panel,
    int j0, int j1, int k0, int k1)
{
	int	j, k;

	for (j = j0; j < j1; j++)
		for (k = k0; k < k1; k++)
			to[(size_t)j * (size_t)in + (size_t)k] +=
			    tile[(size_t)k * (size_t)panel + (size_t)j];
}

#ifdef CPU_X86
/*
 * layer_linear_tile_part over the first nk columns of width rows, by
 * blocks of 8 x 8 transposed in registers; the edges go through
 * layer_linear_tile_part.
 */
LINEAR_AVX2 static void
layer_linear_tile_avx2(float *to, const float *tile, int in, int panel,
    int width, int nk)
{
	__m256	 r[8];
	float	*d;
	int	 i, j, k, w8 = width & ~7, k8 = nk & ~7;

	for (k = 0; k < k8; k += 8) {
		for (j = 0; j < w8; j += 8) {
			for (i = 0; i < 8; i++)
				r[i] = _mm256_load_ps(tile + (size_t)(k + i) *
				    (size_t)panel + (size_t)j);
			layer_linear_transpose(r);
			for (i = 0; i < 8; i++) {
				d = to + (size_t)(j + i) * (size_t)in +
				    (size_t)k;
				_mm256_storeu_ps(d, _mm256_add_ps(
				    _mm256_loadu_ps(d), r[i]));
			}
		}
	}
	layer_linear_tile_part(to, tile, in, panel, w8, width, 0, nk);
	layer_linear_tile_part(to, tile, in, panel, 0, w8, k8, nk);
}
#endif

/* Adds the first nk columns of a tile into dw as layer_linear_tile_part. */
static void
layer_linear_tile(const struct linear_sparse *sp, float *to,
    const float *tile, int width, int nk)
{
#ifdef CPU_X86
	if (sp->isa >= CPU_ISA_AVX2) {
		layer_linear_tile_avx2(to, tile, sp->in, sp->panel, width, nk);
		return;
	}
#endif
	layer_linear_tile_part(to, tile, sp->in, sp->panel, 0, width, 0, nk);
}

/*
 * The weight gradient of task t: for each of its panels, with dy's panel
 * in the task's buffer, dw's panel rows += dy^T x from the CSC, in
 * vectors of 16 floats when wide, else of 8; the sums of LINEAR_TILE
 * columns are kept in a tile, then added into dw's rows. A panel of dy
 * that is all zero is skipped when skipping is on.
 */
static inline __attribute__((always_inline)) void
layer_linear_grad_body(const struct linear_sparse *sp, float *dw,
    const float *dy, int t, int wide)
{
	linear_v16	 tile[LINEAR_TILE][LINEAR_NV];
	float		*dp = layer_linear_buf(sp, t), *sums = (float *)tile;
	size_t		 e, I = (size_t)sp->in, P = LINEAR_NV * (wide ? 16 : 8);
	int		 c, k, kt, nk, kk;

	for (c = t; c < sp->npanels; c += sp->ntasks) {
		if (!layer_linear_gather(sp, dp, dy, c) &&
		    layer_linear_skipping)
			continue;
		for (kt = 0; kt < sp->in; kt += LINEAR_TILE) {
			nk = sp->in - kt < LINEAR_TILE ? sp->in - kt :
			    LINEAR_TILE;
			for (kk = 0; kk < nk; kk++) {
				k = kt + kk;
				e = sp->colptr[k];
				layer_linear_run(wide, sums + (size_t)kk * P,
				    NULL, dp, sp->crow + e, sp->cval + e,
				    sp->colptr[k + 1] - e);
			}
			layer_linear_tile(sp, dw + (size_t)c * P * I +
			    (size_t)kt, sums, layer_linear_width(sp, c), nk);
		}
	}
}

#ifdef CPU_X86
/* The forward kernel compiled for AVX-512. */
LINEAR_AVX512 static void
layer_linear_mul_avx512(const struct linear_sparse *sp, float *y,
    const float *w, int t)
{
	layer_linear_mul_body(sp, y, w, t, 1);
}

/* The weight-gradient kernel compiled for AVX-512. */
LINEAR_AVX512 static void
layer_linear_grad_avx512(const struct linear_sparse *sp, float *dw,
    const float *dy, int t)
{
	layer_linear_grad_body(sp, dw, dy, t, 1);
}

/* The forward kernel compiled for AVX2 and FMA. */
LINEAR_AVX2 static void
layer_linear_mul_avx2(const struct linear_sparse *sp, float *y,
    const float *w, int t)
{
	layer_linear_mul_body(sp, y, w, t, 0);
}

/* The weight-gradient kernel compiled for AVX2 and FMA. */
LINEAR_AVX2 static void
layer_linear_grad_avx2(const struct linear_sparse *sp, float *dw,
    const float *dy, int t)
{
	layer_linear_grad_body(sp, dw, dy, t, 0);
}
#endif

/* The forward kernel for any processor. */
static void
layer_linear_mul_plain(const struct linear_sparse *sp, float *y,
    const float *w, int t)
{
	layer_linear_mul_body(sp, y, w, t, 0);
}

/* The weight-gradient kernel for any processor. */
static void
layer_linear_grad_plain(const struct linear_sparse *sp, float *dw,
    const float *dy, int t)
{
	layer_linear_grad_body(sp, dw, dy, t, 0);
}

/* Runs task t of the forward with the kernel the plan was made for. */
static void
layer_linear_mul_task(void *arg, int t)
{
	const struct linear_job	*job = arg;

	switch (job->sp->isa) {
#ifdef CPU_X86
	case CPU_ISA_AVX512:
		layer_linear_mul_avx512(job->sp, job->y, job->w, t);
		break;
	case CPU_ISA_AVX2:
		layer_linear_mul_avx2(job->sp, job->y, job->w, t);
		break;
#endif
	default:
		layer_linear_mul_plain(job->sp, job->y, job->w, t);
	}
}

/* Runs task t of the weight gradient with the plan's kernel. */
static void
layer_linear_grad_task(void *arg, int t)
{
	const struct linear_job	*job = arg;

	switch (job->sp->isa) {
#ifdef CPU_X86
	case CPU_ISA_AVX512:
		layer_linear_grad_avx512(job->sp, job->dw, job->dy, t);
		break;
	case CPU_ISA_AVX2:
		layer_linear_grad_avx2(job->sp, job->dw, job->dy, t);
		break;
#endif
	default:
		layer_linear_grad_plain(job->sp, job->dw, job->dy, t);
	}
}

/*
 * Forward of a Linear layer whose input x (rows, in) is the network's
 * input: through the CSR of x when at most max_density of it is nonzero,
 * else as layer_linear_forward. *spp holds the buffers (made on first use,
 * freed with layer_linear_sparse_free) and what the backward needs, and x
 * must not change until then. y is (rows, out), w (out, in), b (out) or
 * NULL.
 */
int
layer_linear_sparse_forward(struct linear_sparse **spp, float *y,
    const float *x, const float *w, const float *b, int rows, int in,
    int out, float max_density, char **cause)
{
	struct linear_sparse	*sp;
	struct linear_job	 job;
	size_t			 cap = 0;
	double			 t0, t1;
	int			 ntasks = blas_threads();

	if (max_density > 0)
		cap = (size_t)((double)max_density * rows * in);
	if (ntasks > rows)
		ntasks = rows;
	if (layer_linear_sparse_plan(spp, rows, in, out, ntasks, cap,
	    cpu_isa(), cause) != 0)
		return -1;
	sp = *spp;
	memset(&job, 0, sizeof job);
	job.sp = sp;
	job.x = x;
	job.y = y;
	job.w = w;
#ifdef CPU_X86
	pthread_once(&layer_linear_lut_once, layer_linear_lut_init);
#endif
	t0 = clock_now();
	sp->used = layer_linear_scan(&job);
	t1 = clock_now();
	sp->times.scan += t1 - t0;
	if (sp->used) {
		sp->times.sparse++;
		memset(sp->bp, 0, (size_t)sp->npanels * (size_t)sp->panel *
		    sizeof *sp->bp);
		if (b != NULL)
			memcpy(sp->bp, b, (size_t)out * sizeof *b);
		pool_run(layer_linear_mul_task, &job, ntasks);
	} else {
		sp->times.dense++;
		layer_linear_forward(y, x, w, b, rows, in, out);
	}
	sp->times.mul += clock_now() - t1;
	return 0;
}

/* Returns the first column of task p's range of columns. */
static int
layer_linear_cols(const struct linear_sparse *sp, int p)
{
	return (int)((int64_t)sp->in * p / sp->ntasks);
}

/* Returns the first nonzero of [e, end) of a CSR row with column >= k. */
static size_t
layer_linear_seek(const struct linear_sparse *sp, size_t e, size_t end,
    uint32_t k)
{
	size_t	mid;

	while (e < end) {
		mid = e + (end - e) / 2;
		if (sp->col[mid] < k)
			e = mid + 1;
		else
			end = mid;
	}
	return e;
}

/*
 * Sets [*e0, *e1) to the nonzeros of row r of the CSR whose columns are
 * in task p's range (a row's columns ascend, so they are contiguous).
 */
static void
layer_linear_row_part(const struct linear_sparse *sp, int r, int p,
    size_t *e0, size_t *e1)
{
	size_t	end = sp->rowptr[r + 1];

	*e0 = layer_linear_seek(sp, sp->rowptr[r], end,
	    (uint32_t)layer_linear_cols(sp, p));
	*e1 = layer_linear_seek(sp, *e0, end,
	    (uint32_t)layer_linear_cols(sp, p + 1));
}

/* Counts the nonzeros of each column in task p's range of columns. */
static void
layer_linear_count_task(void *arg, int p)
{
	const struct linear_job	*job = arg;
	struct linear_sparse	*sp = job->sp;
	size_t			 e, e0, e1;
	int			 r, k0 = layer_linear_cols(sp, p);

	memset(sp->colptr + k0 + 1, 0, (size_t)(layer_linear_cols(sp, p + 1) -
	    k0) * sizeof *sp->colptr);
	for (r = 0; r < sp->rows; r++) {
		layer_linear_row_part(sp, r, p, &e0, &e1);
		for (e = e0; e < e1; e++)
			sp->colptr[sp->col[e] + 1]++;
	}
}

/* Moves the nonzeros of task p's range of columns to their CSC places. */
static void
layer_linear_place_task(void *arg, int p)
{
	const struct linear_job	*job = arg;
	struct linear_sparse	*sp = job->sp;
	size_t			 e, e0, e1, pos;
	int			 r;

	for (r = 0; r < sp->rows; r++) {
		layer_linear_row_part(sp, r, p, &e0, &e1);
		for (e = e0; e < e1; e++) {
			pos = sp->colnext[sp->col[e]]++;
			sp->crow[pos] = (uint32_t)r;
			sp->cval[pos] = sp->val[e];
		}
	}
}

/*
 * Transposes the CSR into the CSC, columns in order and the rows of each
 * ascending: tasks count the nonzeros of their ranges of columns, the
 * counts give each column its place, and the tasks move the nonzeros.
 */
static void
layer_linear_csc(struct linear_job *job)
{
	struct linear_sparse	*sp = job->sp;
	int			 k;

	sp->colptr[0] = 0;
	pool_run(layer_linear_count_task, job, sp->ntasks);
	for (k = 0; k < sp->in; k++)
		sp->colptr[k + 1] += sp->colptr[k];
	memcpy(sp->colnext, sp->colptr, (size_t)sp->in * sizeof *sp->colnext);
	pool_run(layer_linear_place_task, job, sp->ntasks);
}

/*
 * Backward after layer_linear_sparse_forward with the same x: as
 * layer_linear_backward, but when that forward went sparse dw += dy^T x
 * comes from the nonzeros of x; dx (rows, in) is computed only when not
 * NULL, by a GEMM (a first layer passes NULL).
 */
void
layer_linear_sparse_backward(struct linear_sparse *sp, float *dx, float *dw,
    float *db, const float *dy, const float *x, const float *w, int rows,
    int in, int out)
{
	struct linear_job	job;
	double			t0, t1;

	t0 = clock_now();
	if (!sp->used) {
		layer_linear_backward(dx, dw, db, dy, x, w, rows, in, out);
		sp->times.grad += clock_now() - t0;
		return;
	}
	memset(&job, 0, sizeof job);
	job.sp = sp;
	job.dy = dy;
	job.dw = dw;
	layer_linear_csc(&job);
	t1 = clock_now();
	sp->times.csc += t1 - t0;
	pool_run(layer_linear_grad_task, &job, sp->ntasks);
	layer_linear_rest(dx, db, dy, w, rows, in, out);
	sp->times.grad += clock_now() - t1;
}

/* Returns whether the last forward through sp went sparse. */
int
layer_linear_sparse_used(const struct linear_sparse *sp)
{
	return sp != NULL && sp->used;
}

/* Returns the fraction of nonzero values in the last forward's x. */
double
layer_linear_sparse_density(const struct linear_sparse *sp)
{
	if (sp == NULL)
		return 0;
	return (double)sp->nnz / ((double)sp->rows * sp->in);
}

/* Returns the seconds spent in each stage so far (zero when sp is NULL). */
struct linear_sparse_times
layer_linear_sparse_times(const struct linear_sparse *sp)
{
	struct linear_sparse_times	zero;

	if (sp == NULL) {
		memset(&zero, 0, sizeof zero);
		return zero;
	}
	return sp->times;
}

/* The linear module: its sizes and the sparse path's buffers. */
struct linear_module {
	int			 in;
	int			 out;
	int			 bias;
	struct linear_sparse	*sparse;	/* when x is the net's input */
};

/* Reads "in", "out" and "bias" and declares weight (out, in) and bias. */
static int
layer_linear_parse(struct module *m, json_t *o, char **cause)
{
	struct linear_module	*lm = m->priv;
	int			 shape[2];

	if (module_json_int(o, "in", 0, 1, INT32_MAX, &lm->in, cause) != 0 ||
	    module_json_int(o, "out", 0, 1, INT32_MAX, &lm->out, cause) != 0 ||
	    module_json_bool(o, "bias", 1, &lm->bias, cause) != 0)
		return -1;
	if (json_object_get(o, "in") == NULL ||
	    json_object_get(o, "out") == NULL)
		return error_set(cause, "linear: \"in\" and \"out\" are "
		    "required");
	shape[0] = lm->out;
	shape[1] = lm->in;
	if (module_declare(m, "weight", 0, 2, shape, cause) == NULL ||
	    (lm->bias && module_declare(m, "bias", 0, 1, shape, cause) ==
	    NULL))
		return -1;
	return 0;
}

/* Adds "in", "out" and "bias" to o. */
static void
layer_linear_describe(const struct module *m, json_t *o)
{
	const struct linear_module	*lm = m->priv;

	json_object_set_new(o, "in", json_integer(lm->in));
	json_object_set_new(o, "out", json_integer(lm->out));
	json_object_set_new(o, "bias", json_boolean(lm->bias));
}

/* Draws the weights as nn.Linear does. */
static void
layer_linear_module_init(struct module *m, struct rng *r)
{
	struct linear_module	*lm = m->priv;

	layer_linear_init(m->param[0].data, lm->bias ? m->param[1].data :
	    NULL, lm->in, lm->out, r);
}

/* The last input dimension must be "in"; it becomes "out". */
static int
layer_linear_shape(struct module *m, char **cause)
{
	struct linear_module	*lm = m->priv;
	char			 have[64], label[80];

	if (m->in_ndim == 0 || m->in_shape[m->in_ndim - 1] != lm->in)
		return error_set(cause, "%s: input per sample is %s, expected "
		    "last dimension %d", module_label(m, label, sizeof label),
		    tensor_shape_string(m->in_shape, m->in_ndim, have,
		    sizeof have), lm->in);
	m->out_shape[m->out_ndim - 1] = lm->out;
	return 0;
}

/* y = x w^T + b over every row; the net's input goes the sparse path. */
static int
layer_linear_module_forward(struct module *m, const struct mctx *c,
    const float *x, char **cause)
{
	struct linear_module	*lm = m->priv;
	int			 rows = (int)((size_t)c->T * c->B *
				     m->in_size / (size_t)lm->in);
	const float		*b = lm->bias ? m->param[1].data : NULL;

	if (!m->x_is_input) {
		layer_linear_forward(m->y, x, m->param[0].data, b, rows,
		    lm->in, lm->out);
		return 0;
	}
	return layer_linear_sparse_forward(&lm->sparse, m->y, x,
	    m->param[0].data, b, rows, lm->in, lm->out,
	    LINEAR_SPARSE_MAX_DENSITY, cause);
}

/* dw += dy^T x, db += column sums of dy, dx = dy w when needed. */
static void
layer_linear_module_backward(struct module *m, const struct mctx *c,
    const float *dy, int need_dx)
{
	struct linear_module	*lm = m->priv;
	int			 rows = (int)((size_t)c->T * c->B *
				     m->in_size / (size_t)lm->in);
	float			*dx = need_dx ? m->dx : NULL;
	float			*db = lm->bias ? m->param[1].grad : NULL;

	if (lm->sparse != NULL && m->x_is_input)
		layer_linear_sparse_backward(lm->sparse, dx, m->param[0].grad,
		    db, dy, m->x, m->param[0].data, rows, lm->in, lm->out);
	else
		layer_linear_backward(dx, m->param[0].grad, db, dy, m->x,
		    m->param[0].data, rows, lm->in, lm->out);
}

/* Frees the sparse path's buffers. */
static void
layer_linear_module_free(struct module *m)
{
	layer_linear_sparse_free(((struct linear_module *)m->priv)->sparse);
}

/* Returns the sparse path's state of a linear module (NULL: none yet). */
struct linear_sparse *
layer_linear_module_sparse(const struct module *m)
{
	return m->kind == &layer_linear_kind ?
	    ((struct linear_module *)m->priv)->sparse : NULL;
}

static const char *const layer_linear_args[] = { "in", "out", NULL };
static const char *const layer_linear_opts[] = { "bias", NULL };
const struct module_kind layer_linear_kind = {
	.name = "linear",
	.lua = "linear",
	.args = layer_linear_args,
	.opts = layer_linear_opts,
	.priv = sizeof(struct linear_module),
	.parse = layer_linear_parse,
	.describe = layer_linear_describe,
	.init = layer_linear_module_init,
	.shape = layer_linear_shape,
	.forward = layer_linear_module_forward,
	.backward = layer_linear_module_backward,
	.free = layer_linear_module_free
};
