/*
 * blas.c: the one place that calls CBLAS. Row-major storage throughout.
 *
 * GEMMs of fewer than BLAS_MIN_SPLIT multiply-adds run on one thread.
 * OpenBLAS would split them, for little gain at such sizes, and its
 * worker threads then spin, yielding, for about a tenth of a second after
 * each split call, taking the cores from the engine's thread pool; the
 * small GEMMs of a training step (a layer of ten outputs) would keep them
 * spinning for good.
 */
#include <cblas.h>

#include "config.h"
#include "snnwb.h"

#define BLAS_MIN_SPLIT	16777216.0

/* Thread count set by blas_set_threads; 0 until then. */
static int blas_nthreads;

/* Sets how many threads BLAS may use (n >= 1). */
void
blas_set_threads(int n)
{
	if (n < 1)
		n = 1;
	blas_nthreads = n;
#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
	openblas_set_num_threads(n);
#endif
}

/*
 * Returns the number of threads BLAS uses: as set, else the library's
 * own choice (one when it cannot report it).
 */
int
blas_threads(void)
{
	if (blas_nthreads > 0)
		return blas_nthreads;
#ifdef HAVE_OPENBLAS_GET_NUM_THREADS
	return openblas_get_num_threads();
#else
	return 1;
#endif
}

/*
 * c (m, n) = alpha * op(a) op(b) + beta * c, where op(a) is (m, k) and op(b)
 * is (k, n); trans_a and trans_b are nonzero to use the transposes.
 */
void
blas_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha,
    const float *a, int lda, const float *b, int ldb, float beta, float *c,
    int ldc)
{
#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
	int	threads = blas_threads();
	int	one = threads > 1 && (double)m * n * k < BLAS_MIN_SPLIT;

	if (one)
		openblas_set_num_threads(1);
#endif
	cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
	    trans_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b,
	    ldb, beta, c, ldc);
#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
	if (one)
		openblas_set_num_threads(threads);
#endif
}
