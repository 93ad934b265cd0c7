/*
 * blas.c: the one place that calls CBLAS. Row-major storage throughout.
 */
#include <cblas.h>

#include "config.h"
#include "snnwb.h"

/* Thread count requested when the library cannot report its own. */
static int blas_nthreads = 1;

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

/* Returns the number of threads BLAS uses. */
int
blas_threads(void)
{
#ifdef HAVE_OPENBLAS_GET_NUM_THREADS
	return openblas_get_num_threads();
#else
	return blas_nthreads;
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
	cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
	    trans_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b,
	    ldb, beta, c, ldc);
}
