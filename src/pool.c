/*
 * pool.c: a persistent pool of worker threads for the engine's kernels.
 *
 * pool_run(fn, arg, n) runs the tasks fn(arg, 0) .. fn(arg, n - 1) and
 * returns when all are done. The calling thread takes tasks too, so with
 * n tasks n - 1 workers are woken; workers are created the first time they
 * are needed, so no thread is created per call. Between calls a worker
 * first watches for the next one for POOL_WATCH_NS, yielding the
 * processor to any other thread that wants it, and then sleeps on a
 * condition variable: the calls of a training step, which follow each
 * other closely, find their workers awake (waking a sleeping one takes
 * tens of microseconds on a virtual machine). Tasks are claimed from a
 * shared counter: which thread runs which task is not fixed, so a task
 * must depend only on its number, never on another task (no barriers
 * inside a task).
 *
 * The pool serves one caller at a time. A second caller, a call with one
 * task, and a call made when no worker can be created all run every task
 * on the calling thread, one after another: slower, never wrong.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>

#include "core.h"

/* Workers the pool keeps at most; more tasks are claimed by those. */
#define POOL_MAXWORKERS	63

/* How long an idle worker watches for the next call before it sleeps. */
#define POOL_WATCH_NS	1000000

/* The process-wide pool, guarded by lock; busy is held by the caller. */
static struct {
	pthread_mutex_t	  busy;
	pthread_mutex_t	  lock;
	pthread_cond_t	  wake;		/* a call has tasks to claim */
	pthread_cond_t	  done;		/* the last task has finished */
	pthread_t	  workers[POOL_MAXWORKERS];
	int		  nworkers;
	void		(*fn)(void *, int);
	void		 *arg;
	int		  ntasks;
	int		  next;		/* next task to claim */
	int		  pending;	/* tasks not yet finished */
	atomic_uint	  calls;	/* calls started, for the watchers */
} pool = {
	.busy = PTHREAD_MUTEX_INITIALIZER,
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
	.done = PTHREAD_COND_INITIALIZER
};

/*
 * Claims and runs tasks of the current call until none is left; called
 * and returns with pool.lock held.
 */
static void
pool_drain(void)
{
	void	(*fn)(void *, int);
	void	 *arg;
	int	  i;

	while (pool.next < pool.ntasks) {
		i = pool.next++;
		fn = pool.fn;
		arg = pool.arg;
		pthread_mutex_unlock(&pool.lock);
		fn(arg, i);
		pthread_mutex_lock(&pool.lock);
		if (--pool.pending == 0)
			pthread_cond_signal(&pool.done);
	}
}

/*
 * Returns when a call has started since the count of calls was seen, or
 * after POOL_WATCH_NS; yields the processor between looks.
 */
static void
pool_watch(unsigned seen)
{
	struct timespec	t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		if (atomic_load_explicit(&pool.calls,
		    memory_order_relaxed) != seen)
			return;
		sched_yield();
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000000000L + t.tv_nsec -
	    t0.tv_nsec < POOL_WATCH_NS);
}

/*
 * The body of a worker: takes the tasks of the current call, watches for
 * the next, and sleeps until a call has tasks when none came.
 */
static void *
pool_main(void *unused)
{
	unsigned	seen;

	pthread_mutex_lock(&pool.lock);
	for (;;) {
		pool_drain();
		seen = atomic_load_explicit(&pool.calls,
		    memory_order_relaxed);
		pthread_mutex_unlock(&pool.lock);
		pool_watch(seen);
		pthread_mutex_lock(&pool.lock);
		while (pool.next >= pool.ntasks)
			pthread_cond_wait(&pool.wake, &pool.lock);
	}
	return NULL;
}

/*
 * Starts workers until there are n (at most POOL_MAXWORKERS), with every
 * signal blocked so that signals go to the program's own threads; stops
 * quietly at the first that cannot be created. Called with pool.lock held.
 */
static void
pool_grow(int n)
{
	sigset_t	all, old;

	if (n > POOL_MAXWORKERS)
		n = POOL_MAXWORKERS;
	if (pool.nworkers >= n)
		return;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	while (pool.nworkers < n && pthread_create(
	    &pool.workers[pool.nworkers], NULL, pool_main, NULL) == 0)
		pool.nworkers++;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/*
 * Runs fn(arg, i) for every i in [0, n) on up to n threads, the caller
 * being one of them, and returns when all have finished.
 */
void
pool_run(void (*fn)(void *arg, int i), void *arg, int n)
{
	int	i;

	if (n > 1 && pthread_mutex_trylock(&pool.busy) == 0) {
		pthread_mutex_lock(&pool.lock);
		pool_grow(n - 1);
		pool.fn = fn;
		pool.arg = arg;
		pool.ntasks = n;
		pool.next = 0;
		pool.pending = n;
		atomic_fetch_add_explicit(&pool.calls, 1,
		    memory_order_relaxed);
		pthread_cond_broadcast(&pool.wake);
		pool_drain();
		while (pool.pending > 0)
			pthread_cond_wait(&pool.done, &pool.lock);
		pthread_mutex_unlock(&pool.lock);
		pthread_mutex_unlock(&pool.busy);
		return;
	}
	for (i = 0; i < n; i++)
		fn(arg, i);
}
