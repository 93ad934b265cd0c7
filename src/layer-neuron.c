/*
 * layer-neuron.c: LIF and IF neuron modules over any per-sample shape. They
 * step through time on (T, B * N) (neuron.c), keep the membrane of the last
 * step for the next forward until reset, and record the spike rate and the
 * sparsity of their surrogate gradients.
 */
#include <jansson.h>
#include <string.h>

#include "nn.h"

/* Partial sums of layer_neuron_mean; values a zero-row test takes at once. */
#define LAYER_NEURON_SUMS	8
#define LAYER_NEURON_BLOCK	16

/* A neuron module: its configuration and the buffers of the last forward. */
struct neuron_module {
	struct neuron	 n;
	float		*h;		/* (T, B * N) membrane before spiking */
	float		*v;		/* (T, B * N) membrane after reset */
	float		*sg;		/* (T, B * N) surrogate derivatives */
	float		*state;		/* (B * N) membrane carried over */
	int		 has_state;
};

/* Returns the configuration of neuron module m, or NULL for another kind. */
struct neuron *
layer_neuron_config(struct module *m)
{
	if (m->kind != &layer_lif_kind && m->kind != &layer_if_kind)
		return NULL;
	return &((struct neuron_module *)m->priv)->n;
}

/* Returns H of the last forward, (T, B * N), of neuron module m. */
const float *
layer_neuron_h(const struct module *m)
{
	return ((const struct neuron_module *)m->priv)->h;
}

/* Returns v of the last forward, (T, B * N), of neuron module m. */
const float *
layer_neuron_v(const struct module *m)
{
	return ((const struct neuron_module *)m->priv)->v;
}

/* Returns the surrogate derivatives of the last backward of module m. */
const float *
layer_neuron_sg(const struct module *m)
{
	return ((const struct neuron_module *)m->priv)->sg;
}

/*
 * Reads "v_reset": a number, or null, false or "none" for a reset by
 * subtraction (SpikingJelly's v_reset=None).
 */
static int
layer_neuron_reset_value(json_t *v, struct neuron *n, char **cause)
{
	if (v == NULL)
		return 0;
	if (json_is_null(v) || json_is_false(v) || (json_is_string(v) &&
	    strcmp(json_string_value(v), "none") == 0)) {
		n->soft_reset = 1;
		return 0;
	}
	if (!json_is_number(v))
		return error_set(cause, "%s: \"v_reset\" must be a number, or "
		    "false or \"none\" for a reset by subtraction",
		    n->kind == NEURON_LIF ? "lif" : "if");
	n->v_reset = (float)json_number_value(v);
	return 0;
}

/* Reads the neuron options of o into the module's configuration. */
static int
layer_neuron_parse(struct module *m, json_t *o, enum neuron_kind kind,
    char **cause)
{
	struct neuron	*n = &((struct neuron_module *)m->priv)->n;
	json_t		*sg;
	double		 v;
	const char	*what = kind == NEURON_LIF ? "lif" : "if";

	neuron_defaults(n, kind);
	if (module_json_number(o, "tau", n->tau, &v, cause) != 0)
		return -1;
	n->tau = (float)v;
	if (module_json_number(o, "v_threshold", n->v_threshold, &v,
	    cause) != 0)
		return -1;
	n->v_threshold = (float)v;
	if (layer_neuron_reset_value(json_object_get(o, "v_reset"), n,
	    cause) != 0 ||
	    module_json_bool(o, "decay_input", n->decay_input,
	    &n->decay_input, cause) != 0 ||
	    module_json_bool(o, "detach_reset", n->detach_reset,
	    &n->detach_reset, cause) != 0 ||
	    module_json_bool(o, "spiking", 1, &n->spiking, cause) != 0)
		return -1;
	sg = json_object_get(o, "surrogate");
	if (sg == NULL)
		sg = json_object_get(o, "surrogate_function");
	else if (json_object_get(o, "surrogate_function") != NULL)
		return error_set(cause, "%s: give \"surrogate\" or its alias "
		    "\"surrogate_function\", not both", what);
	if (sg != NULL && net_json_parse_surrogate(sg, what, &n->sg,
	    cause) != 0)
		return -1;
	return neuron_validate(n, cause);
}

/* Parses an LIF module. */
static int
layer_neuron_parse_lif(struct module *m, json_t *o, char **cause)
{
	return layer_neuron_parse(m, o, NEURON_LIF, cause);
}

/* Parses an IF module. */
static int
layer_neuron_parse_if(struct module *m, json_t *o, char **cause)
{
	return layer_neuron_parse(m, o, NEURON_IF, cause);
}

/* Adds the neuron's options to o, in SpikingJelly's order. */
static void
layer_neuron_describe(const struct module *m, json_t *o)
{
	const struct neuron	*n = &((struct neuron_module *)m->priv)->n;

	if (n->kind == NEURON_LIF) {
		json_object_set_new(o, "tau", json_real(n->tau));
		json_object_set_new(o, "decay_input",
		    json_boolean(n->decay_input));
	}
	json_object_set_new(o, "v_threshold", json_real(n->v_threshold));
	json_object_set_new(o, "v_reset", n->soft_reset ? json_null() :
	    json_real(n->v_reset));
	json_object_set_new(o, "detach_reset", json_boolean(n->detach_reset));
	json_object_set_new(o, "surrogate", net_json_surrogate(&n->sg));
	if (!n->spiking)
		json_object_set_new(o, "spiking", json_false());
}

/* Takes y, dx, h, v, sg (T * B * N each) and the state (B * N). */
static void
layer_neuron_carve(struct module *m, struct arena *a, const struct mctx *c)
{
	struct neuron_module	*nm = m->priv;
	size_t			 n = (size_t)c->T * c->B * m->in_size;

	m->y = arena_take(a, n);
	m->dx = arena_take(a, n);
	nm->h = arena_take(a, n);
	nm->v = arena_take(a, n);
	nm->sg = arena_take(a, n);
	nm->state = arena_take(a, (size_t)c->B * m->in_size);
	nm->has_state = 0;
}

/*
 * Returns the mean of v (n), summed in double in interleaved partial sums
 * (exact for spikes, whose sum is a whole number).
 */
static double
layer_neuron_mean(const float *v, size_t n)
{
	double	sum[LAYER_NEURON_SUMS] = { 0 }, all = 0;
	size_t	i;
	int	j;

	for (i = 0; i + LAYER_NEURON_SUMS <= n; i += LAYER_NEURON_SUMS)
		for (j = 0; j < LAYER_NEURON_SUMS; j++)
			sum[j] += v[i + j];
	for (; i < n; i++)
		all += v[i];
	for (j = 0; j < LAYER_NEURON_SUMS; j++)
		all += sum[j];
	return n == 0 ? 0 : all / (double)n;
}

/* Steps the neurons through T from the carried state (or rest). */
static int
layer_neuron_forward(struct module *m, const struct mctx *c, const float *x,
    char **cause)
{
	struct neuron_module	*nm = m->priv;
	size_t			 M = (size_t)c->B * m->in_size;

	(void)cause;
	neuron_forward(&nm->n, m->y, nm->h, nm->v, x, nm->has_state ?
	    nm->state : NULL, c->T, M);
	memcpy(nm->state, nm->v + (size_t)(c->T - 1) * M, M *
	    sizeof *nm->state);
	nm->has_state = 1;
	m->stats.rate = layer_neuron_mean(m->y, (size_t)c->T * M);
	return 0;
}

/*
 * Returns the bits of |x| as a nonnegative integer: such integers order as
 * the floats |x| do, NaNs above infinity.
 */
static inline int32_t
layer_neuron_abs_bits(float x)
{
	uint32_t	u;

	memcpy(&u, &x, sizeof u);
	return (int32_t)(u & 0x7fffffffu);
}

/* Returns the number of rows of a (rows, n) that are all zero. */
static size_t
layer_neuron_zero_rows(const float *a, size_t rows, size_t n)
{
	size_t	r, i, j, count = 0;
	int	nz;

	for (r = 0; r < rows; r++, a += n) {
		nz = 0;
		for (i = 0; i + LAYER_NEURON_BLOCK <= n && !nz;
		    i += LAYER_NEURON_BLOCK)
			for (j = 0; j < LAYER_NEURON_BLOCK; j++)
				nz |= a[i + j] != 0.0f;
		for (; i < n && !nz; i++)
			nz = a[i] != 0.0f;
		count += !nz;
	}
	return count;
}

/*
 * Records the sparsity of the backward: the fraction of exactly zero
 * surrogate derivatives, of those below 1e-3 of the largest, and of rows
 * (one step of one sample) whose input gradient is all 0. One pass counts
 * the zeros and finds the largest |sg| (NaN left out), a second counts
 * those below the cut, both on the bits of |sg|, which order as the values
 * do (a NaN's exceed every finite cut, so it is never small).
 */
static void
layer_neuron_sparsity(struct module *m, const struct mctx *c)
{
	struct neuron_module	*nm = m->priv;
	size_t			 rows = (size_t)c->T * c->B;
	size_t			 i, n = rows * m->in_size, zero = 0, small = 0;
	int32_t			 a, max = 0, cut;
	float			 top;

	for (i = 0; i < n; i++) {
		a = layer_neuron_abs_bits(nm->sg[i]);
		zero += a == 0;
		a = a > 0x7f800000 ? 0 : a;
		max = a > max ? a : max;
	}
	memcpy(&top, &max, sizeof top);
	cut = layer_neuron_abs_bits(1e-3f * top);
	for (i = 0; i < n; i++)
		small += layer_neuron_abs_bits(nm->sg[i]) < cut;
	m->stats.sg_zero = (double)zero / (double)n;
	m->stats.sg_small = (double)small / (double)n;
	m->stats.zero_rows = (double)layer_neuron_zero_rows(m->dx, rows,
	    m->in_size) / (double)rows;
	m->stats.has_grad = 1;
}

/* Backpropagates through time with the surrogate derivative. */
static void
layer_neuron_backward(struct module *m, const struct mctx *c,
    const float *dy, int need_dx)
{
	struct neuron_module	*nm = m->priv;

	(void)need_dx;
	neuron_backward(&nm->n, m->dx, nm->sg, dy, nm->h, m->y, c->T,
	    (size_t)c->B * m->in_size);
	layer_neuron_sparsity(m, c);
}

/* Forgets the carried membrane: the next forward starts from rest. */
static void
layer_neuron_reset(struct module *m)
{
	((struct neuron_module *)m->priv)->has_state = 0;
}

static const char *const layer_lif_opts[] = { "tau", "decay_input",
    "v_threshold", "v_reset", "detach_reset", "surrogate",
    "surrogate_function", "spiking", NULL };
const struct module_kind layer_lif_kind = {
	.name = "lif",
	.lua = "lif",
	.opts = layer_lif_opts,
	.priv = sizeof(struct neuron_module),
	.flags = MODULE_STATS | MODULE_STATEFUL,
	.parse = layer_neuron_parse_lif,
	.describe = layer_neuron_describe,
	.carve = layer_neuron_carve,
	.forward = layer_neuron_forward,
	.backward = layer_neuron_backward,
	.reset = layer_neuron_reset
};

/* IF neurons take the LIF options that follow tau and decay_input. */
const struct module_kind layer_if_kind = {
	.name = "if",
	.lua = "if_neuron",
	.opts = layer_lif_opts + 2,
	.priv = sizeof(struct neuron_module),
	.flags = MODULE_STATS | MODULE_STATEFUL,
	.parse = layer_neuron_parse_if,
	.describe = layer_neuron_describe,
	.carve = layer_neuron_carve,
	.forward = layer_neuron_forward,
	.backward = layer_neuron_backward,
	.reset = layer_neuron_reset
};
