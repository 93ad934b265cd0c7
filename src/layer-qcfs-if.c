/*
 * layer-qcfs-if.c: the integrate-and-fire neuron that conversion puts in
 * place of a qcfs activation (Bu et al., ICLR 2022, section 4): threshold
 * theta = the qcfs module's lambda (the same parameter "thresh" [1], so the
 * converted network keeps the state_dict names), membrane v(0) = shift *
 * theta, and at each step
 *
 *	v += I(t);  s = (v - theta >= 0);  v -= s * theta;  out = s * theta
 *
 * (reset by subtraction, the weighted spike as output). The membrane is
 * kept from one forward to the next until reset, so a simulation runs one
 * step a forward. With analysis on, each neuron also sums its input
 * current (in double) and counts its spikes, from which the conversion
 * errors of any T follow (analysis.c).
 */
#include <jansson.h>
#include <string.h>

#include "snnwb.h"

/* A converted neuron: its settings and the state of the batch. */
struct qcfs_if_module {
	double	 shift;		/* v(0) / theta */
	int	 analysis;	/* keep current sums and spike counts */
	float	*v;		/* (B * N) membrane */
	float	*count;		/* (B * N) spikes so far, with analysis */
	double	*sum_in;	/* (B * N) input current so far, with analysis */
	int	 steps;		/* steps since the rest state */
};

/* Reads shift; declares the threshold. */
static int
layer_qcfs_if_parse(struct module *m, json_t *o, char **cause)
{
	struct qcfs_if_module	*q = m->priv;
	int			 one = 1;

	if (module_json_number(o, "shift", 0.5, &q->shift, cause) != 0)
		return -1;
	if (!(q->shift >= 0 && q->shift <= 1))
		return error_set(cause, "qcfs_if: \"shift\" must lie in 0..1");
	if (module_declare(m, "thresh", 0, 1, &one, cause) == NULL)
		return -1;
	return 0;
}

/* Adds shift to o. */
static void
layer_qcfs_if_describe(const struct module *m, json_t *o)
{
	const struct qcfs_if_module	*q = m->priv;

	json_object_set_new(o, "shift", json_real(q->shift));
}

/* Sets the threshold to 1 until a conversion or a load sets it. */
static void
layer_qcfs_if_init(struct module *m, struct rng *r)
{
	(void)r;
	m->param[0].data[0] = 1.0f;
}

/* Takes the output and the state of one step of B samples. */
static void
layer_qcfs_if_carve(struct module *m, struct arena *a, const struct mctx *c)
{
	struct qcfs_if_module	*q = m->priv;
	size_t			 M = (size_t)c->B * m->in_size;

	m->y = arena_take(a, (size_t)c->T * M);
	m->dx = NULL;
	q->v = arena_take(a, M);
	q->count = q->analysis ? arena_take(a, M) : NULL;
	/* The arena aligns every buffer to 64 bytes. */
	q->sum_in = q->analysis ? (double *)(void *)arena_take(a, 2 * M) :
	    NULL;
	q->steps = 0;
}

/* Runs c->T steps from the membrane of the last forward (or v(0)). */
static int
layer_qcfs_if_forward(struct module *m, const struct mctx *c, const float *x,
    char **cause)
{
	struct qcfs_if_module	*q = m->priv;
	size_t			 i, M = (size_t)c->B * m->in_size, spikes = 0;
	float			 theta = m->param[0].data[0], v0, s, *y;
	int			 t;

	if (!(theta > 0)) {
		char	label[80];

		return error_set(cause, "%s: threshold %g is not positive",
		    module_label(m, label, sizeof label), (double)theta);
	}
	if (q->steps == 0) {
		v0 = (float)q->shift * theta;
		for (i = 0; i < M; i++)
			q->v[i] = v0;
		if (q->analysis) {
			memset(q->count, 0, M * sizeof *q->count);
			memset(q->sum_in, 0, M * sizeof *q->sum_in);
		}
	}
	for (t = 0; t < c->T; t++, x += M) {
		y = m->y + (size_t)t * M;
		for (i = 0; i < M; i++) {
			q->v[i] += x[i];
			s = q->v[i] - theta >= 0 ? 1.0f : 0.0f;
			q->v[i] -= s * theta;
			y[i] = s * theta;
			spikes += s != 0;
		}
		if (q->analysis)
			for (i = 0; i < M; i++) {
				q->sum_in[i] += x[i];
				q->count[i] += y[i] != 0;
			}
		q->steps++;
	}
	m->stats.rate = M > 0 ? (double)spikes / ((double)M * c->T) : 0;
	return 0;
}

/* Conversion only simulates: no gradient flows through a converted net. */
static void
layer_qcfs_if_backward(struct module *m, const struct mctx *c,
    const float *dy, int need_dx)
{
	(void)m;
	(void)c;
	(void)dy;
	(void)need_dx;
}

/* Returns the neurons to rest: the next forward starts from v(0). */
static void
layer_qcfs_if_reset(struct module *m)
{
	struct qcfs_if_module	*q = m->priv;

	q->steps = 0;
}

/*
 * Turns the running sums of module m on or off; they take effect when the
 * network carves its activations again (net_invalidate).
 */
void
layer_qcfs_if_set_analysis(struct module *m, int on)
{
	((struct qcfs_if_module *)m->priv)->analysis = on;
}

/*
 * Returns the state of converted neuron m after its steps so far: the
 * membrane, and with analysis on the spike counts and input current sums
 * ((B * N) each, else NULL); *v0 the membrane at rest, *steps the steps
 * since rest.
 */
void
layer_qcfs_if_state(const struct module *m, const float **v,
    const float **count, const double **sum_in, float *v0, int *steps)
{
	const struct qcfs_if_module	*q = m->priv;

	*v = q->v;
	*v0 = (float)q->shift * m->param[0].data[0];
	*count = q->analysis ? q->count : NULL;
	*sum_in = q->analysis ? q->sum_in : NULL;
	*steps = q->steps;
}

static const char *const layer_qcfs_if_opts[] = { "shift", NULL };
const struct module_kind layer_qcfs_if_kind = {
	.name = "qcfs_if",
	.lua = "qcfs_if",
	.opts = layer_qcfs_if_opts,
	.priv = sizeof(struct qcfs_if_module),
	.flags = MODULE_STATS | MODULE_STATEFUL,
	.parse = layer_qcfs_if_parse,
	.describe = layer_qcfs_if_describe,
	.init = layer_qcfs_if_init,
	.carve = layer_qcfs_if_carve,
	.forward = layer_qcfs_if_forward,
	.backward = layer_qcfs_if_backward,
	.reset = layer_qcfs_if_reset
};
