/*
 * job.c: a training job on one worker thread. The worker posts progress
 * records to a locked queue and writes a byte to a wake-up pipe; the main
 * thread polls the pipe and takes the records. Pause and stop are requests
 * the worker honours between batches (job_between_batches); it is never
 * killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "snnwb.h"

struct job {
	int			 id;
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	enum job_state		 state;		/* under lock */
	int			 pause_req;	/* under lock */
	int			 stop_req;	/* under lock */
	struct train_record	*queue;		/* ring buffer, under lock */
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

/* The worker thread: runs the job's function and records how it ended. */
static void *
job_main(void *p)
{
	struct job		*job = p;
	struct train_record	 rec;
	char			*cause = NULL;
	int			 rc;

	rc = job->run(job, job->arg, &cause);
	pthread_mutex_lock(&job->lock);
	if (rc != 0)
		job->state = JOB_FAILED;
	else if (job->stop_req)
		job->state = JOB_STOPPED;
	else
		job->state = JOB_DONE;
	job->error = cause;
	pthread_mutex_unlock(&job->lock);
	memset(&rec, 0, sizeof rec);
	rec.kind = rc != 0 ? TRAIN_REC_ERROR : TRAIN_REC_DONE;
	if (cause != NULL)
		snprintf(rec.message, sizeof rec.message, "%s", cause);
	job_post(job, &rec);
	return NULL;
}

/*
 * Starts run(job, arg, &cause) on a worker thread; run returns 0 or -1 with
 * a message. Returns the job (freed with job_free after job_wait), or NULL
 * with *cause set.
 */
struct job *
job_start(int (*run)(struct job *, void *, char **), void *arg,
    char **cause)
{
	struct job	*job;
	int		 i;

	if ((job = mem_calloc(1, sizeof *job)) == NULL) {
		error_set(cause, "out of memory starting a job");
		return NULL;
	}
	if (pipe(job->wake) != 0) {
		error_set(cause, "cannot create a pipe: %s", strerror(errno));
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
	if ((errno = pthread_create(&job->thread, NULL, job_main, job)) != 0) {
		error_set(cause, "cannot start a thread: %s", strerror(errno));
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

/* Worker side: queues a record for the main thread and wakes it. */
void
job_post(struct job *job, const struct train_record *rec)
{
	struct train_record	*q;
	size_t			 cap, i;
	char			 byte = 1;

	pthread_mutex_lock(&job->lock);
	if (job->qlen == job->qcap) {
		cap = job->qcap == 0 ? 64 : job->qcap * 2;
		if ((q = mem_alloc(cap * sizeof *q)) == NULL) {
			/* Drop a record rather than fail training. */
			if (job->qcap == 0) {
				pthread_mutex_unlock(&job->lock);
				return;
			}
			job->qhead = (job->qhead + 1) % job->qcap;
			job->qlen--;
		} else {
			for (i = 0; i < job->qlen; i++)
				q[i] = job->queue[(job->qhead + i) %
				    job->qcap];
			mem_free(job->queue);
			job->queue = q;
			job->qcap = cap;
			job->qhead = 0;
		}
	}
	job->queue[(job->qhead + job->qlen) % job->qcap] = *rec;
	job->qlen++;
	pthread_mutex_unlock(&job->lock);
	(void)!write(job->wake[1], &byte, 1);
}

/* Main side: takes the oldest record into *rec; returns 0 when none. */
int
job_take(struct job *job, struct train_record *rec)
{
	char	buf[256];
	int	got = 0;

	while (read(job->wake[0], buf, sizeof buf) > 0)
		;
	pthread_mutex_lock(&job->lock);
	if (job->qlen > 0) {
		*rec = job->queue[job->qhead];
		job->qhead = (job->qhead + 1) % job->qcap;
		job->qlen--;
		got = 1;
	}
	pthread_mutex_unlock(&job->lock);
	return got;
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
	mem_free(job->queue);
	free(job->error);
	mem_free(job);
}
