/*
 * blas.c: the one place that calls CBLAS. Row-major storage throughout.
 *
 * GEMMs of fewer than BLAS_MIN_SPLIT multiply-adds run on one thread.
 * OpenBLAS would split them, for little gain at such sizes, and its
 * worker threads then spin, yielding, for about a tenth of a second after
 * each split call, taking the cores from the engine's thread pool; the
 * small GEMMs of a training step (a layer of ten outputs) would keep them
 * spinning for good.
 *
 * BLAS has one owner at a time: a job claims it for its worker thread
 * (blas_claim) and lends it back to the main thread while it waits in a
 * hand-over (blas_lend); the main thread runs no engine code while a job
 * owns it (blas_busy). So one thread at a time calls BLAS, and switching
 * OpenBLAS to one thread around a small GEMM races with no other caller.
 */
#include <cblas.h>
#include <limits.h>
#include <stdatomic.h>
#include <unistd.h>

#include "config.h"
#include "core.h"

#define BLAS_MIN_SPLIT	16777216.0

/* Thread count set by blas_set_threads; 0 until then. */
static atomic_int blas_nthreads;

/* The job that owns BLAS (0: none), and whether it lends it out now. */
static atomic_int blas_owner;
static atomic_int blas_lent;

/*
 * Makes job id (> 0) the owner of BLAS; returns 0, or the id of the job
 * that owns it already.
 */
int
blas_claim(int id)
{
	int	none = 0;

	if (atomic_compare_exchange_strong(&blas_owner, &none, id)) {
		atomic_store(&blas_lent, 0);
		return 0;
	}
	return none;
}

/* Ends job id's ownership of BLAS. */
void
blas_release(int id)
{
	int	owner = id;

	atomic_compare_exchange_strong(&blas_owner, &owner, 0);
}

/* Lends BLAS to the main thread (lend 1) while its owner waits, or not. */
void
blas_lend(int lend)
{
	atomic_store(&blas_lent, lend);
}

/* Returns the id of the job that owns BLAS and has not lent it, or 0. */
int
blas_busy(void)
{
	return atomic_load(&blas_lent) ? 0 : atomic_load(&blas_owner);
}

/* Returns the online cores, at least 1. */
int
blas_cores(void)
{
	long	cores = sysconf(_SC_NPROCESSORS_ONLN);

	return cores < 1 ? 1 : cores > INT_MAX ? INT_MAX : (int)cores;
}

/*
 * Returns the most threads BLAS may be given: BLAS_THREADS_PER_CORE a
 * core online (snn.threads and --threads refuse more).
 */
int
blas_max_threads(void)
{
	int	cores = blas_cores();

	return cores > INT_MAX / BLAS_THREADS_PER_CORE ? INT_MAX :
	    cores * BLAS_THREADS_PER_CORE;
}

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
