/*
 * layer-dropout.c: inverted dropout (nn.Dropout). In training mode each
 * value is kept with probability 1 - p and scaled by 1 / (1 - p), else
 * zeroed; in evaluation mode, and at p = 0, the output is the input
 * itself (a view, as the backward's dx is dy). Every value of the T * B
 * rows draws for itself: time steps get masks of their own.
 *
 * The masks are seeded: the module holds a mask_seed (drawn from the
 * generator that draws the network's parameters unless its description
 * gives one, and kept in the description, so copies and checkpoints mask
 * alike) and counts its training forwards; forward k cuts its values into
 * chunks of DROPOUT_CHUNK, and chunk j draws from a generator seeded by
 * (mask_seed, k, j), so the mask is the same for any number of threads.
 * The mask is kept, a byte a value, for the backward.
 */
#include <jansson.h>
#include <math.h>
#include <stdint.h>

#include "nn.h"

/* Values drawn by one generator, one pool task. */
#define DROPOUT_CHUNK	65536

/* mask_seed is below 2^53, so that it is exact as a JSON or Lua double. */
#define DROPOUT_SEED_MAX	((uint64_t)1 << 53)

/* The dropout module: its rate, its seed and the last mask. */
struct dropout_module {
	double		 p;
	float		 scale;		/* 1 / (1 - p), as a float */
	uint32_t	 cut;		/* a draw below it drops */
	uint64_t	 seed;		/* mask_seed */
	int		 has_seed;	/* given by the description */
	uint64_t	 forwards;	/* training forwards so far */
	float		*ybuf;		/* (T * B, in) carved */
	float		*dxbuf;		/* (T * B, in) carved */
	uint8_t		*mask;		/* (T * B, in) 1: kept */
	int		 masked;	/* the last forward dropped */
};

/* What one pool call works on. */
struct dropout_job {
	struct dropout_module	*d;
	const float		*x;	/* (n) */
	size_t			 n;
};

/* Reads "p" (required, in [0, 1)) and "mask_seed" (optional). */
static int
layer_dropout_parse(struct module *m, json_t *o, char **cause)
{
	struct dropout_module	*d = m->priv;
	json_t			*s;
	json_int_t		 seed;

	if (json_object_get(o, "p") == NULL)
		return error_set(cause, "dropout: \"p\" (the probability of "
		    "zeroing a value) is required");
	if (module_json_number(o, "p", 0, &d->p, cause) != 0)
		return -1;
	if (!(d->p >= 0 && d->p < 1))
		return error_set(cause, "dropout: \"p\" must be in [0, 1), "
		    "got %g", d->p);
	d->scale = (float)(1 / (1 - d->p));
	d->cut = (uint32_t)(d->p * 4294967296.0);
	if ((s = json_object_get(o, "mask_seed")) != NULL) {
		seed = json_is_integer(s) ? json_integer_value(s) : -1;
		if (seed < 0 || (uint64_t)seed >= DROPOUT_SEED_MAX)
			return error_set(cause, "dropout: \"mask_seed\" must "
			    "be an integer in 0..2^53-1");
		d->seed = (uint64_t)seed;
		d->has_seed = 1;
	}
	return 0;
}

/* Adds "p" and "mask_seed" to o. */
static void
layer_dropout_describe(const struct module *m, json_t *o)
{
	const struct dropout_module	*d = m->priv;

	json_object_set_new(o, "p", json_real(d->p));
	json_object_set_new(o, "mask_seed", json_integer((json_int_t)d->seed));
}

/* Draws mask_seed from r, unless the description gave one. */
static void
layer_dropout_init(struct module *m, struct rng *r)
{
	struct dropout_module	*d = m->priv;

	if (!d->has_seed)
		d->seed = rng_next(r) >> 11;
}

/* Takes y, dx and the mask (a byte a value) from a. */
static void
layer_dropout_carve(struct module *m, struct arena *a, const struct mctx *c)
{
	struct dropout_module	*d = m->priv;
	size_t			 n = (size_t)c->T * c->B * m->in_size;

	m->y = d->ybuf = arena_take(a, n);
	m->dx = d->dxbuf = arena_take(a, n);
	d->mask = (uint8_t *)arena_take(a, (n + sizeof(float) - 1) /
	    sizeof(float));
}

/* Draws the mask of chunk j and writes its part of y. */
static void
layer_dropout_chunk(void *arg, int j)
{
	const struct dropout_job	*job = arg;
	struct dropout_module		*d = job->d;
	struct rng			 r;
	uint64_t			 bits = 0;
	size_t				 i, start, end;
	uint32_t			 u;

	rng_seed(&r, d->seed ^ d->forwards * 0xd1b54a32d192ed03ULL ^
	    (uint64_t)j * 0x8cb92ba72f3d8dd7ULL);
	start = (size_t)j * DROPOUT_CHUNK;
	end = start + DROPOUT_CHUNK < job->n ? start + DROPOUT_CHUNK : job->n;
	for (i = start; i < end; i++) {
		if ((i - start) % 2 == 0) {
			bits = rng_next(&r);
			u = (uint32_t)bits;
		} else
			u = (uint32_t)(bits >> 32);
		d->mask[i] = u >= d->cut;
		d->ybuf[i] = job->x[i] * (d->mask[i] ? d->scale : 0.0f);
	}
}

/* Training with p > 0: y = x masked and scaled; otherwise y is x. */
static int
layer_dropout_forward(struct module *m, const struct mctx *c,
    const float *x, char **cause)
{
	struct dropout_module	*d = m->priv;
	struct dropout_job	 job;

	(void)cause;
	d->masked = c->training && d->p > 0;
	if (!d->masked) {
		m->y = (float *)x;
		return 0;
	}
	job.d = d;
	job.x = x;
	job.n = (size_t)c->T * c->B * m->in_size;
	pool_run(layer_dropout_chunk, &job, (int)((job.n + DROPOUT_CHUNK - 1) /
	    DROPOUT_CHUNK));
	d->forwards++;
	m->y = d->ybuf;
	return 0;
}

/* dx = dy through the forward's mask and scale, or dy itself. */
static void
layer_dropout_backward(struct module *m, const struct mctx *c,
    const float *dy, int need_dx)
{
	struct dropout_module	*d = m->priv;
	size_t			 i, n = (size_t)c->T * c->B * m->in_size;

	if (!d->masked) {
		m->dx = (float *)dy;
		return;
	}
	m->dx = d->dxbuf;
	if (!need_dx)
		return;
	for (i = 0; i < n; i++)
		m->dx[i] = dy[i] * (d->mask[i] ? d->scale : 0.0f);
}

static const char *const layer_dropout_args[] = { "p", NULL };
static const char *const layer_dropout_opts[] = { "mask_seed", NULL };
const struct module_kind layer_dropout_kind = {
	.name = "dropout",
	.lua = "dropout",
	.args = layer_dropout_args,
	.opts = layer_dropout_opts,
	.priv = sizeof(struct dropout_module),
	.flags = MODULE_REAL_ARGS,
	.parse = layer_dropout_parse,
	.describe = layer_dropout_describe,
	.init = layer_dropout_init,
	.carve = layer_dropout_carve,
	.forward = layer_dropout_forward,
	.backward = layer_dropout_backward
};
