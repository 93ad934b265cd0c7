/*
 * job.c: a job (training, evaluation, conversion) on one worker thread. The
 * worker posts progress records, of a type and size the job chooses, to a
 * locked queue and writes a byte to a wake-up pipe; the main thread polls
 * the pipe and takes the records. Pause and stop are requests the worker
 * honours between batches (job_between_batches); it is never killed. A
 * job that hands over (job_handover) waits there until the main thread has
 * looked at what it posted and calls job_continue: meanwhile the main
 * thread may use what the job works on (a hook evaluating the network).
 * A job owns BLAS from its start to its end (blas_claim: one job at a
 * time) and lends it to the main thread while it waits in a hand-over.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"

struct job {
	int			 id;
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	enum job_state		 state;		/* under lock */
	int			 pause_req;	/* under lock */
	int			 stop_req;	/* under lock */
	unsigned char		*queue;		/* ring buffer, under lock */
	size_t			 rec_size;	/* bytes of a record */
	void			(*rec_free)(void *);	/* or NULL */
	int			 hold;		/* job_handover waits */
	long			 handed;	/* job_handover calls, under lock */
	long			 taken;		/* job_continue calls, under lock */
	size_t			 qhead;
	size_t			 qlen;
	size_t			 qcap;
	int			 wake[2];	/* [0] read by main, [1] worker */
	int			 joined;	/* the worker has been joined */
	int			 (*run)(struct job *, void *, char **);
	void			*arg;
	char			*error;		/* set when the run failed */
};

/* Ids handed to jobs, from 1. */
static int job_next_id = 1;

/* Makes the main thread's poll on the job's descriptor return. */
static void
job_wake(struct job *job)
{
	char	byte = 1;

	(void)!write(job->wake[1], &byte, 1);
}

/* The worker thread: runs the job's function and records how it ended. */
static void *
job_main(void *p)
{
	struct job		*job = p;
	char			*cause = NULL;
	int			 rc;

	rc = job->run(job, job->arg, &cause);
	blas_release(job->id);
	pthread_mutex_lock(&job->lock);
	if (rc != 0)
		job->state = JOB_FAILED;
	else if (job->stop_req)
		job->state = JOB_STOPPED;
	else
		job->state = JOB_DONE;
	job->error = cause;
	pthread_mutex_unlock(&job->lock);
	job_wake(job);
	return NULL;
}

/*
 * Starts run(job, arg, &cause) on a worker thread; run returns 0 or -1 with
 * a message, and posts records of rec_size bytes, which rec_free (may be
 * NULL) frees when a record is dropped. Returns the job (freed with
 * job_free after job_wait), or NULL with *cause set. The job has ended
 * when job_state is done, stopped or failed; every record it posted can be
 * taken before that state shows.
 */
struct job *
job_start(int (*run)(struct job *, void *, char **), void *arg,
    size_t rec_size, void (*rec_free)(void *), char **cause)
{
	struct job	*job;
	int		 i, owner;

	if ((owner = blas_claim(job_next_id)) != 0) {
		error_set(cause, "busy: job %d owns the cores (job:wait() or "
		    "job:stop() it first)", owner);
		return NULL;
	}
	if ((job = mem_calloc(1, sizeof *job)) == NULL) {
		blas_release(job_next_id);
		error_set(cause, "out of memory starting a job");
		return NULL;
	}
	if (pipe(job->wake) != 0) {
		error_set(cause, "cannot create a pipe: %s", strerror(errno));
		blas_release(job_next_id);
		mem_free(job);
		return NULL;
	}
	for (i = 0; i < 2; i++) {
		fcntl(job->wake[i], F_SETFL,
		    fcntl(job->wake[i], F_GETFL) | O_NONBLOCK);
		fcntl(job->wake[i], F_SETFD, FD_CLOEXEC);
	}
	pthread_mutex_init(&job->lock, NULL);
	pthread_cond_init(&job->cond, NULL);
	job->id = job_next_id++;
	job->state = JOB_RUNNING;
	job->run = run;
	job->arg = arg;
	job->rec_size = rec_size;
	job->rec_free = rec_free;
	if ((errno = pthread_create(&job->thread, NULL, job_main, job)) != 0) {
		error_set(cause, "cannot start a thread: %s", strerror(errno));
		blas_release(job->id);
		job->joined = 1;
		job->state = JOB_FAILED;
		job_free(job);
		return NULL;
	}
	return job;
}

/* Returns the job's id (1, 2, ...). */
int
job_id(const struct job *job)
{
	return job->id;
}

/* Returns the file descriptor that becomes readable when records arrive. */
int
job_fd(const struct job *job)
{
	return job->wake[0];
}

/* Returns the job's state. */
enum job_state
job_state(struct job *job)
{
	enum job_state	s;

	pthread_mutex_lock(&job->lock);
	s = job->state;
	pthread_mutex_unlock(&job->lock);
	return s;
}

/* Returns the name of a state: "running", "paused", "done", ... */
const char *
job_state_name(enum job_state s)
{
	static const char *names[] = { "running", "paused", "stopping",
	    "done", "stopped", "failed" };

	return names[s];
}

/* Returns the address of slot i of the queue (under lock). */
static unsigned char *
job_slot(struct job *job, size_t i)
{
	return job->queue + (job->qhead + i) % job->qcap * job->rec_size;
}

/*
 * Worker side: queues a copy of rec (rec_size bytes; what it points at
 * now belongs to the queue) for the main thread and wakes it. Without
 * memory for a bigger queue the oldest record is dropped.
 */
void
job_post(struct job *job, const void *rec)
{
	unsigned char	*q;
	size_t		 cap, i;

	pthread_mutex_lock(&job->lock);
	if (job->qlen == job->qcap) {
		cap = job->qcap == 0 ? 64 : job->qcap * 2;
		if ((q = mem_alloc(cap * job->rec_size)) == NULL) {
			if (job->qcap == 0) {
				pthread_mutex_unlock(&job->lock);
				if (job->rec_free != NULL)
					job->rec_free((void *)rec);
				return;
			}
			if (job->rec_free != NULL)
				job->rec_free(job_slot(job, 0));
			job->qhead = (job->qhead + 1) % job->qcap;
			job->qlen--;
		} else {
			for (i = 0; i < job->qlen; i++)
				memcpy(q + i * job->rec_size, job_slot(job, i),
				    job->rec_size);
			mem_free(job->queue);
			job->queue = q;
			job->qcap = cap;
			job->qhead = 0;
		}
	}
	memcpy(job_slot(job, job->qlen), rec, job->rec_size);
	job->qlen++;
	pthread_mutex_unlock(&job->lock);
	job_wake(job);
}

/*
 * Main side: moves the oldest record into rec (rec_size bytes, now the
 * caller's); returns 0 when none is queued.
 */
int
job_take(struct job *job, void *rec)
{
	char	buf[256];
	int	got = 0;

	while (read(job->wake[0], buf, sizeof buf) > 0)
		;
	pthread_mutex_lock(&job->lock);
	if (job->qlen > 0) {
		memcpy(rec, job_slot(job, 0), job->rec_size);
		job->qhead = (job->qhead + 1) % job->qcap;
		job->qlen--;
		got = 1;
	}
	pthread_mutex_unlock(&job->lock);
	return got;
}

/*
 * Makes job_handover wait for job_continue (hold 1) or not; the worker
 * sets it before its first handover.
 */
void
job_set_hold(struct job *job, int hold)
{
	pthread_mutex_lock(&job->lock);
	job->hold = hold != 0;
	pthread_cond_broadcast(&job->cond);
	pthread_mutex_unlock(&job->lock);
}

/*
 * Worker side, after posting what the main thread must see before the job
 * goes on: with hold set, waits until the main thread has called
 * job_continue as many times as this was called, or job_stop; then takes
 * back BLAS if job_lend lent it. Returns 1 when the job should stop, else
 * 0.
 */
int
job_handover(struct job *job)
{
	int	stop;

	pthread_mutex_lock(&job->lock);
	job->handed++;
	while (job->hold && job->taken < job->handed && !job->stop_req)
		pthread_cond_wait(&job->cond, &job->lock);
	stop = job->stop_req;
	pthread_mutex_unlock(&job->lock);
	blas_lend(0);
	return stop;
}

/*
 * Worker side, done with BLAS until job_handover returns: lends it to the
 * main thread, which may see the record posted next at once.
 */
void
job_lend(struct job *job)
{
	(void)job;
	blas_lend(1);
}

/* Main side: lets a worker waiting in job_handover (or about to) go on. */
void
job_continue(struct job *job)
{
	pthread_mutex_lock(&job->lock);
	job->taken++;
	pthread_cond_broadcast(&job->cond);
	pthread_mutex_unlock(&job->lock);
}

/*
 * Worker side, between batches: waits while the job is paused; returns 1
 * when the job should stop, else 0.
 */
int
job_between_batches(struct job *job)
{
	int	stop;

	pthread_mutex_lock(&job->lock);
	while (job->pause_req && !job->stop_req) {
		job->state = JOB_PAUSED;
		pthread_cond_wait(&job->cond, &job->lock);
	}
	if (job->state == JOB_PAUSED)
		job->state = JOB_RUNNING;
	stop = job->stop_req;
	if (stop)
		job->state = JOB_STOPPING;
	pthread_mutex_unlock(&job->lock);
	return stop;
}

/* Asks the job to pause at the next batch boundary. */
void
job_pause(struct job *job)
{
	pthread_mutex_lock(&job->lock);
	job->pause_req = 1;
	pthread_mutex_unlock(&job->lock);
}

/* Lets a paused job go on. */
void
job_resume(struct job *job)
{
	pthread_mutex_lock(&job->lock);
	job->pause_req = 0;
	pthread_cond_broadcast(&job->cond);
	pthread_mutex_unlock(&job->lock);
}

/* Asks the job to stop at the next batch boundary (after its checkpoint). */
void
job_stop(struct job *job)
{
	pthread_mutex_lock(&job->lock);
	job->stop_req = 1;
	pthread_cond_broadcast(&job->cond);
	pthread_mutex_unlock(&job->lock);
}

/* Waits for the worker to end; returns 0 if it finished without error. */
int
job_wait(struct job *job)
{
	if (!job->joined) {
		pthread_join(job->thread, NULL);
		job->joined = 1;
	}
	return job->state == JOB_FAILED ? -1 : 0;
}

/* Returns the failure message of a failed job, or NULL. */
const char *
job_error(const struct job *job)
{
	return job->error;
}

/* Waits for the worker and frees the job; NULL is allowed. */
void
job_free(struct job *job)
{
	if (job == NULL)
		return;
	job_stop(job);
	job_wait(job);
	close(job->wake[0]);
	close(job->wake[1]);
	pthread_mutex_destroy(&job->lock);
	pthread_cond_destroy(&job->cond);
	while (job->rec_free != NULL && job->qlen > 0) {
		job->rec_free(job_slot(job, 0));
		job->qhead = (job->qhead + 1) % job->qcap;
		job->qlen--;
	}
	mem_free(job->queue);
	free(job->error);
	mem_free(job);
}
