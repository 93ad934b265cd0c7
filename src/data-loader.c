/*
 * data-loader.c: batches of samples in a seeded order, prepared by a
 * background thread one batch ahead of the consumer (double buffering).
 *
 * The loader owns two batch buffers (slots). Its thread fills batch k into
 * slot k % 2 once the consumer has given that slot back, and the consumer
 * gives a batch back by asking for the next one. Both sides meet under one
 * mutex and condition variable. The thread checks the stop flag between
 * batches, so stopping it (a new epoch, or freeing mid-epoch) waits for at
 * most the batch being filled.
 *
 * The order of an epoch is the sample list shuffled (Fisher-Yates, rng.c)
 * by a generator seeded with a number drawn from the seed, plus the epoch:
 * it depends only on (seed, epoch), and seeds s and s + 1 do not give the
 * same orders one epoch apart, as seeding with seed + epoch would. A data
 * set's augment hook, when it has one, changes each sample after its fill
 * and is told the epoch.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"

/* One batch buffer. */
struct loader_slot {
	float		*x;		/* (T, batch, step), 64-byte aligned */
	int		*labels;	/* (batch) */
	uint32_t	*sample;	/* (batch) */
	int		 B;
	size_t		 index;
	size_t		 nonzero;
	int		 ready;		/* filled and not yet given back */
	int		 failed;	/* the fill failed, error says why */
	char		*error;		/* owned, freed with free() */
};

/* A loader; every pointer in it is owned but ds. */
struct loader {
	const struct dataset	*ds;
	int			 batch;
	int			 shuffle;
	int			 count_nonzero;
	uint64_t		 seed;
	int			 epoch;		/* the one under way */
	uint32_t		*index;		/* (nindex) samples used */
	uint32_t		*order;		/* (nindex) epoch's order */
	size_t			 nindex;
	size_t			 nbatches;
	size_t			 step;		/* values of a sample's step */
	struct loader_slot	 slot[2];

	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	pthread_t		 thread;
	int			 running;	/* thread started, not joined */
	int			 stop;		/* asks the thread to end */
	int			 held;		/* consumer's slot, or -1 */
	size_t			 next;		/* next batch to hand out */
	int			 started;	/* an epoch is under way */
};

/* Fills one sample of an event set: its recording integrated into frames. */
static int
data_loader_fill_events(const struct dataset *ds, size_t i, float *out,
    size_t t_stride, char **cause)
{
	const struct eventset	*es = ds->src;
	uint64_t		 lo = es->off[i], hi = es->off[i + 1];
	char			*why = NULL;

	if (data_frames_integrate(out, t_stride, es->t + lo, es->xyp + lo,
	    (size_t)(hi - lo), es->height, es->width, ds->opts, &why) == 0)
		return 0;
	error_set(cause, "recording %zu (id %u, class %u): %s", i,
	    (unsigned)es->id[i], (unsigned)es->label[i],
	    why != NULL ? why : "out of memory");
	free(why);
	return -1;
}

/*
 * Makes ds serve the recordings of es as frames made with o: T steps of
 * (2, height, width). es and o are borrowed and must outlive ds.
 */
int
data_loader_eventset(struct dataset *ds, const struct eventset *es,
    const struct frames_opts *o, char **cause)
{
	if (data_frames_validate(o, cause) != 0)
		return -1;
	memset(ds, 0, sizeof *ds);
	ds->n = es->n;
	ds->label = es->label;
	ds->T = o->T;
	ds->channels = 2;
	ds->height = es->height;
	ds->width = es->width;
	ds->fill = data_loader_fill_events;
	ds->src = es;
	ds->opts = o;
	return 0;
}

/* Returns the number of values of one time step of a sample. */
size_t
data_loader_step_size(const struct dataset *ds)
{
	return (size_t)ds->channels * (size_t)ds->height * (size_t)ds->width;
}

/* Orders two sample indices, for qsort. */
static int
data_loader_cmp(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/*
 * Lists the samples of s: those of the chosen classes, then the first n
 * of them or n drawn with the seed; *idx is sorted, freed with mem_free.
 */
int
data_loader_subset(const struct dataset *ds, const struct subset *s,
    uint32_t **idx, size_t *n, char **cause)
{
	struct rng	 r;
	uint32_t	*v;
	size_t		 i, m = 0;
	unsigned	 c;

	if (ds->n > UINT32_MAX)
		return error_set(cause, "subset: %zu samples are too many",
		    ds->n);
	if ((v = mem_alloc(ds->n * sizeof *v)) == NULL)
		return error_set(cause, "subset: out of memory");
	for (i = 0; i < ds->n; i++) {
		c = ds->label[i];
		if (s->classes == 0 || (c < 32 && (s->classes >> c & 1)))
			v[m++] = (uint32_t)i;
	}
	if (m == 0 || s->n > m) {
		mem_free(v);
		if (m == 0)
			return error_set(cause, "subset: no samples of the "
			    "chosen classes (mask 0x%x)", (unsigned)s->classes);
		return error_set(cause, "subset: %zu samples asked for, only "
		    "%zu available", s->n, m);
	}
	if (s->n > 0 && s->random) {
		rng_seed(&r, s->seed);
		rng_shuffle(&r, v, m);
		qsort(v, s->n, sizeof *v, data_loader_cmp);
	}
	*idx = v;
	*n = s->n > 0 ? s->n : m;
	return 0;
}

/* Sets the defaults: batches of 64, shuffled with seed 0, all samples. */
void
data_loader_defaults(struct loader_opts *o)
{
	memset(o, 0, sizeof *o);
	o->batch = 64;
	o->shuffle = 1;
}

/* Checks that ds describes something the loader can serve. */
static int
data_loader_check(const struct dataset *ds, const struct loader_opts *o,
    char **cause)
{
	size_t	i, n = o->index != NULL ? o->nindex : ds->n;

	if (ds->fill == NULL || ds->label == NULL)
		return error_set(cause, "loader: the data set has no fill "
		    "function or no labels");
	if (ds->T < 1 || ds->channels < 1 || ds->height < 1 || ds->width < 1)
		return error_set(cause, "loader: the data set's samples have "
		    "shape T %d x %d x %d x %d", ds->T, ds->channels,
		    ds->height, ds->width);
	if (ds->n > UINT32_MAX)
		return error_set(cause, "loader: %zu samples are too many",
		    ds->n);
	if (o->batch < 1)
		return error_set(cause, "loader: batch must be at least 1 "
		    "(got %d)", o->batch);
	if (n == 0)
		return error_set(cause, "loader: no samples to load");
	for (i = 0; o->index != NULL && i < n; i++)
		if (o->index[i] >= ds->n)
			return error_set(cause, "loader: index %zu is %u, past "
			    "the %zu samples", i, (unsigned)o->index[i], ds->n);
	if (o->drop_last && n < (size_t)o->batch)
		return error_set(cause, "loader: drop_last with batches of %d "
		    "leaves none of the %zu samples", o->batch, n);
	return 0;
}

/*
 * Creates a loader of ds with the options o (the index list is copied).
 * ds must outlive it; no thread runs until data_loader_start_epoch.
 */
struct loader *
data_loader_new(const struct dataset *ds, const struct loader_opts *o,
    char **cause)
{
	struct loader	*l;
	size_t		 i, B;
	int		 k;

	if (data_loader_check(ds, o, cause) != 0)
		return NULL;
	if ((l = mem_calloc(1, sizeof *l)) == NULL) {
		error_set(cause, "loader: out of memory");
		return NULL;
	}
	if (pthread_mutex_init(&l->lock, NULL) != 0) {
		mem_free(l);
		error_set(cause, "loader: cannot create a mutex");
		return NULL;
	}
	if (pthread_cond_init(&l->cond, NULL) != 0) {
		pthread_mutex_destroy(&l->lock);
		mem_free(l);
		error_set(cause, "loader: cannot create a condition variable");
		return NULL;
	}
	l->ds = ds;
	l->batch = o->batch;
	l->shuffle = o->shuffle;
	l->count_nonzero = o->count_nonzero;
	l->seed = o->seed;
	l->held = -1;
	l->nindex = o->index != NULL ? o->nindex : ds->n;
	l->nbatches = o->drop_last ? l->nindex / (size_t)o->batch :
	    (l->nindex + (size_t)o->batch - 1) / (size_t)o->batch;
	l->step = data_loader_step_size(ds);
	B = data_loader_most(l);
	l->index = mem_alloc(l->nindex * sizeof *l->index);
	l->order = mem_alloc(l->nindex * sizeof *l->order);
	for (k = 0; k < 2; k++) {
		l->slot[k].x = mem_aligned((size_t)ds->T * B * l->step *
		    sizeof *l->slot[k].x);
		l->slot[k].labels = mem_alloc(B * sizeof *l->slot[k].labels);
		l->slot[k].sample = mem_alloc(B * sizeof *l->slot[k].sample);
		if (l->slot[k].x == NULL || l->slot[k].labels == NULL ||
		    l->slot[k].sample == NULL)
			break;
	}
	if (k < 2 || l->index == NULL || l->order == NULL) {
		data_loader_free(l);
		error_set(cause, "loader: out of memory for batches of %zu "
		    "samples", B);
		return NULL;
	}
	for (i = 0; i < l->nindex; i++)
		l->index[i] = o->index != NULL ? o->index[i] : (uint32_t)i;
	return l;
}

/*
 * Returns the most samples a batch holds: the batch size, or all the
 * samples when they are fewer (a huge batch reserves no memory it never
 * uses).
 */
size_t
data_loader_most(const struct loader *l)
{
	return l->nindex > 0 && l->nindex < (size_t)l->batch ? l->nindex :
	    (size_t)l->batch;
}

/* Returns the number of batches in an epoch. */
size_t
data_loader_batches(const struct loader *l)
{
	return l->nbatches;
}

/* Stops the thread (if any), waits for it, and empties the slots. */
static void
data_loader_halt(struct loader *l)
{
	int	k;

	if (l->running) {
		pthread_mutex_lock(&l->lock);
		l->stop = 1;
		pthread_cond_broadcast(&l->cond);
		pthread_mutex_unlock(&l->lock);
		pthread_join(l->thread, NULL);
		l->running = 0;
	}
	for (k = 0; k < 2; k++) {
		free(l->slot[k].error);
		l->slot[k].error = NULL;
		l->slot[k].ready = 0;
		l->slot[k].failed = 0;
	}
	l->stop = 0;
	l->held = -1;
	l->started = 0;
}

/* Fills slot s with batch k of the epoch's order; runs on the thread. */
static int
data_loader_fill_batch(struct loader *l, size_t k, struct loader_slot *s,
    char **cause)
{
	const struct dataset	*ds = l->ds;
	size_t			 first = k * (size_t)l->batch, B, t_stride;
	size_t			 j, n;
	uint32_t		 i;

	B = l->nindex - first < (size_t)l->batch ? l->nindex - first :
	    (size_t)l->batch;
	t_stride = B * l->step;
	for (j = 0; j < B; j++) {
		i = l->order[first + j];
		s->sample[j] = i;
		s->labels[j] = ds->label[i];
		if (ds->fill(ds, i, s->x + j * l->step, t_stride, cause) != 0)
			return -1;
		if (ds->augment != NULL)
			ds->augment(ds, i, l->epoch, s->x + j * l->step,
			    t_stride);
	}
	s->B = (int)B;
	s->index = k;
	s->nonzero = 0;
	if (l->count_nonzero) {
		n = (size_t)ds->T * t_stride;
		for (j = 0; j < n; j++)
			s->nonzero += s->x[j] != 0;
	}
	return 0;
}

/* The background thread: fills the epoch's batches into free slots. */
static void *
data_loader_run(void *arg)
{
	struct loader		*l = arg;
	struct loader_slot	*s;
	size_t			 k;
	char			*cause;
	int			 rc;

	for (k = 0; k < l->nbatches; k++) {
		s = &l->slot[k % 2];
		pthread_mutex_lock(&l->lock);
		while (s->ready && !l->stop)
			pthread_cond_wait(&l->cond, &l->lock);
		if (l->stop) {
			pthread_mutex_unlock(&l->lock);
			break;
		}
		pthread_mutex_unlock(&l->lock);
		cause = NULL;
		rc = data_loader_fill_batch(l, k, s, &cause);
		pthread_mutex_lock(&l->lock);
		s->ready = 1;
		s->failed = rc != 0;
		s->error = cause;
		pthread_cond_broadcast(&l->cond);
		pthread_mutex_unlock(&l->lock);
		if (rc != 0)
			break;
	}
	return NULL;
}

/*
 * Starts an epoch: stops any epoch under way, orders the samples for this
 * epoch and starts the thread that prepares the batches.
 */
int
data_loader_start_epoch(struct loader *l, int epoch, char **cause)
{
	struct rng	r;
	int		rc;

	data_loader_halt(l);
	memcpy(l->order, l->index, l->nindex * sizeof *l->order);
	if (l->shuffle) {
		rng_seed(&r, l->seed);
		rng_seed(&r, rng_next(&r) + (uint64_t)epoch);
		rng_shuffle(&r, l->order, l->nindex);
	}
	l->next = 0;
	l->epoch = epoch;
	if ((rc = pthread_create(&l->thread, NULL, data_loader_run, l)) != 0)
		return error_set(cause, "loader: cannot start its thread: %s",
		    strerror(rc));
	l->running = 1;
	l->started = 1;
	return 0;
}

/*
 * Hands out the next batch of the epoch in *out (valid until the next call
 * on l) and gives the previous one back. Returns 1, 0 at the end of the
 * epoch (also after a failure), or -1 when a sample could not be made.
 */
int
data_loader_next(struct loader *l, struct batch *out, char **cause)
{
	struct loader_slot	*s;
	char			*error;

	if (!l->started)
		return error_set(cause, "loader: no epoch started");
	pthread_mutex_lock(&l->lock);
	if (l->held >= 0) {
		l->slot[l->held].ready = 0;
		l->held = -1;
		pthread_cond_broadcast(&l->cond);
	}
	if (l->next == l->nbatches) {
		pthread_mutex_unlock(&l->lock);
		return 0;
	}
	s = &l->slot[l->next % 2];
	while (!s->ready)
		pthread_cond_wait(&l->cond, &l->lock);
	if (s->failed) {
		error = s->error;
		s->error = NULL;
		l->next = l->nbatches;
		pthread_mutex_unlock(&l->lock);
		if (error == NULL)
			return error_set(cause, "loader: out of memory");
		if (cause != NULL)
			*cause = error;
		else
			free(error);
		return -1;
	}
	out->x = s->x;
	out->labels = s->labels;
	out->sample = s->sample;
	out->B = s->B;
	out->T = l->ds->T;
	out->index = s->index;
	out->nonzero = s->nonzero;
	l->held = (int)(l->next % 2);
	l->next++;
	pthread_mutex_unlock(&l->lock);
	return 1;
}

/* Stops the thread, even mid-epoch, and frees the loader; NULL is allowed. */
void
data_loader_free(struct loader *l)
{
	int	k;

	if (l == NULL)
		return;
	data_loader_halt(l);
	pthread_cond_destroy(&l->cond);
	pthread_mutex_destroy(&l->lock);
	for (k = 0; k < 2; k++) {
		mem_free(l->slot[k].x);
		mem_free(l->slot[k].labels);
		mem_free(l->slot[k].sample);
	}
	mem_free(l->index);
	mem_free(l->order);
	mem_free(l);
}
