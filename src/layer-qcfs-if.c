/*
 * layer-qcfs-if.c: the integrate-and-fire neuron that conversion puts in
 * place of a qcfs activation (Bu et al., ICLR 2022, section 4): threshold
 * theta = the qcfs module's lambda (the same parameter "thresh" [1], so the
 * converted network keeps the state_dict names), membrane v(0) = shift *
 * theta, and at each step
 *
 *	v += I(t);  s = (v - theta >= 0);  v -= s * theta;  out = s * theta
 *
 * (reset by subtraction, the weighted spike as output). Two remedies for
 * the unevenness error change the spike:
 *
 *	mode "signed" (Wang et al., IJCAI 2022, "Signed Neuron with Memory":
 *	    the rule of the authors' SPIKE_PosNeg_layer, negative threshold
 *	    -theta): s = -1 when v <= -theta and the spikes sent so far
 *	    (the memory, positive minus negative) are more than 0;
 *	mode "burst" (Li and Zeng, IJCAI 2022, "Efficient and Accurate
 *	    Conversion of Spiking Neural Network with Burst Spikes"):
 *	    s = min(floor(v / theta), burst) when v >= theta, so up to
 *	    "burst" spikes leave in one step;
 *
 * and v -= s * theta, out = s * theta in both. A per-channel current
 * "current" (bias calibration, conversion.lua) is added to the input at
 * every step. The membrane is kept from one forward to the next until
 * reset, so a simulation runs one step a forward. With analysis on, each
 * neuron also sums its input current (in double) and its spikes (the net
 * count: a negative spike takes one back, a burst of s counts s), from
 * which the conversion errors of any T follow (analysis.c).
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn.h"

/* How a converted neuron spikes. */
enum qcfs_if_mode {
	QCFS_IF_PLAIN,		/* one spike when v >= theta */
	QCFS_IF_SIGNED,		/* and -1 when v <= -theta after spikes */
	QCFS_IF_BURST		/* up to burst spikes a step */
};
static const char *const qcfs_if_modes[] = { "if", "signed", "burst" };

/* A converted neuron: its settings and the state of the batch. */
struct qcfs_if_module {
	double	 shift;		/* v(0) / theta */
	enum qcfs_if_mode mode;
	int	 burst;		/* most spikes in one step, burst mode */
	float	*bias;		/* (nbias) current per channel, or NULL */
	int	 nbias;
	int	 analysis;	/* keep current sums and spike counts */
	float	*v;		/* (B * N) membrane */
	float	*count;		/* (B * N) net spikes so far, with analysis
				   or the signed mode's memory */
	double	*sum_in;	/* (B * N) input current so far, with analysis */
	int	 steps;		/* steps since the rest state */
};

/* Reads the per-channel currents of list b into q. */
static int
layer_qcfs_if_parse_bias(struct qcfs_if_module *q, json_t *b, char **cause)
{
	json_t	*e;
	size_t	 i;

	if (!json_is_array(b) || json_array_size(b) == 0 ||
	    json_array_size(b) > INT32_MAX)
		return error_set(cause, "qcfs_if: \"current\" must be a list "
		    "of currents, one per channel");
	if ((q->bias = calloc(json_array_size(b), sizeof *q->bias)) == NULL)
		return error_set(cause, "out of memory");
	q->nbias = (int)json_array_size(b);
	json_array_foreach(b, i, e) {
		if (!json_is_number(e) || !isfinite(json_number_value(e)))
			return error_set(cause, "qcfs_if: \"current\" must "
			    "hold finite numbers");
		q->bias[i] = (float)json_number_value(e);
	}
	return 0;
}

/* Reads shift, mode, burst and bias; declares the threshold. */
static int
layer_qcfs_if_parse(struct module *m, json_t *o, char **cause)
{
	struct qcfs_if_module	*q = m->priv;
	const char		*mode;
	json_t			*b;
	int			 one = 1, i;

	if (module_json_number(o, "shift", 0.5, &q->shift, cause) != 0)
		return -1;
	if (!(q->shift >= 0 && q->shift <= 1))
		return error_set(cause, "qcfs_if: \"shift\" must lie in 0..1");
	q->mode = QCFS_IF_PLAIN;
	if ((b = json_object_get(o, "mode")) != NULL) {
		mode = json_string_value(b);
		for (i = 0; i < 3; i++)
			if (mode != NULL && strcmp(mode, qcfs_if_modes[i]) ==
			    0)
				break;
		if (i == 3)
			return error_set(cause, "qcfs_if: \"mode\" must be "
			    "\"if\", \"signed\" or \"burst\"");
		q->mode = (enum qcfs_if_mode)i;
	}
	if (module_json_int(o, "burst", q->mode == QCFS_IF_BURST ? 2 : 1, 1,
	    1 << 16, &q->burst, cause) != 0)
		return -1;
	if (q->mode != QCFS_IF_BURST && q->burst != 1)
		return error_set(cause, "qcfs_if: \"burst\" needs mode = "
		    "\"burst\"");
	if ((b = json_object_get(o, "current")) != NULL &&
	    layer_qcfs_if_parse_bias(q, b, cause) != 0)
		return -1;
	if (module_declare(m, "thresh", 0, 1, &one, cause) == NULL)
		return -1;
	return 0;
}

/* Adds shift, and the mode and bias where they are not the default. */
static void
layer_qcfs_if_describe(const struct module *m, json_t *o)
{
	const struct qcfs_if_module	*q = m->priv;
	json_t				*b;
	int				 i;

	json_object_set_new(o, "shift", json_real(q->shift));
	if (q->mode != QCFS_IF_PLAIN)
		json_object_set_new(o, "mode",
		    json_string(qcfs_if_modes[q->mode]));
	if (q->mode == QCFS_IF_BURST)
		json_object_set_new(o, "burst", json_integer(q->burst));
	if (q->bias == NULL)
		return;
	b = json_array();
	for (i = 0; i < q->nbias; i++)
		json_array_append_new(b, json_real(q->bias[i]));
	json_object_set_new(o, "current", b);
}

/* Frees the per-channel currents. */
static void
layer_qcfs_if_free(struct module *m)
{
	struct qcfs_if_module	*q = m->priv;

	free(q->bias);
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
	q->count = q->analysis || q->mode == QCFS_IF_SIGNED ?
	    arena_take(a, M) : NULL;
	/* The arena aligns every buffer to 64 bytes. */
	q->sum_in = q->analysis ? (double *)(void *)arena_take(a, 2 * M) :
	    NULL;
	q->steps = 0;
}

/*
 * Steps n plain neurons with membranes v once, input x plus current b:
 * writes the weighted spikes to y and returns their number. Kept free of
 * branches and aliasing so that the compiler vectorises it.
 */
static size_t
layer_qcfs_if_plain(float *restrict v, const float *restrict x, float b,
    float theta, float *restrict y, size_t n)
{
	size_t	i, spikes = 0;
	float	u, s;
	int	fire;

	for (i = 0; i < n; i++) {
		u = v[i] + (x[i] + b);
		fire = u - theta >= 0;
		s = (float)fire;
		v[i] = u - s * theta;
		y[i] = s * theta;
		spikes += (size_t)fire;
	}
	return spikes;
}

/*
 * As layer_qcfs_if_plain, and adds the spikes to count and the input
 * current to sum, in the same pass over the neurons.
 */
static size_t
layer_qcfs_if_plain_sums(float *restrict v, const float *restrict x, float b,
    float theta, float *restrict y, float *restrict count,
    double *restrict sum, size_t n)
{
	size_t	i, spikes = 0;
	float	cur, u, s;
	int	fire;

	for (i = 0; i < n; i++) {
		cur = x[i] + b;
		u = v[i] + cur;
		fire = u - theta >= 0;
		s = (float)fire;
		v[i] = u - s * theta;
		y[i] = s * theta;
		count[i] += s;
		sum[i] += cur;
		spikes += (size_t)fire;
	}
	return spikes;
}

/*
 * Steps n signed or burst neurons of q from neuron lo once, input x plus
 * current b, with count the net spikes so far: writes the weighted spikes
 * to y; returns the spikes sent (each of a burst, negative ones too).
 */
static size_t
layer_qcfs_if_remedy(struct qcfs_if_module *q, float theta,
    const float *x, float b, float *y, size_t lo, size_t n)
{
	const float	 k = (float)q->burst;
	size_t		 i, spikes = 0;
	float		 v, s;

	for (i = lo; i < lo + n; i++) {
		v = q->v[i] + (x[i] + b);
		if (v - theta >= 0)
			s = q->mode == QCFS_IF_BURST ?
			    fminf(floorf(v / theta), k) : 1.0f;
		else if (q->mode == QCFS_IF_SIGNED && v <= -theta &&
		    q->count[i] > 0)
			s = -1.0f;
		else
			s = 0.0f;
		q->v[i] = v - s * theta;
		y[i] = s * theta;
		spikes += (size_t)fabsf(s);
	}
	return spikes;
}

/*
 * Steps neurons lo..lo+n-1 of q once with input x plus current b: the
 * weighted spikes go to y; with analysis (or the memory of signed
 * neurons) the net count and the input current are summed. Returns the
 * spikes sent.
 */
static size_t
layer_qcfs_if_step(struct qcfs_if_module *q, float theta, const float *x,
    float b, float *y, size_t lo, size_t n)
{
	double	*sum = q->sum_in;
	float	*count = q->count, inv = 1 / theta;
	size_t	 i, spikes;

	if (q->mode == QCFS_IF_PLAIN && q->analysis)
		return layer_qcfs_if_plain_sums(q->v + lo, x + lo, b, theta,
		    y + lo, count + lo, sum + lo, n);
	if (q->mode == QCFS_IF_PLAIN)
		spikes = layer_qcfs_if_plain(q->v + lo, x + lo, b, theta,
		    y + lo, n);
	else
		spikes = layer_qcfs_if_remedy(q, theta, x, b, y, lo, n);
	if (count != NULL && q->mode == QCFS_IF_BURST)
		for (i = lo; i < lo + n; i++)
			count[i] += (float)(int)(y[i] * inv + 0.5f);
	else if (count != NULL)
		for (i = lo; i < lo + n; i++)
			count[i] += (float)((y[i] > 0) - (y[i] < 0));
	if (q->analysis)
		for (i = lo; i < lo + n; i++)
			sum[i] += x[i] + b;
	return spikes;
}

/* Runs c->T steps from the membrane of the last forward (or v(0)). */
static int
layer_qcfs_if_forward(struct module *m, const struct mctx *c, const float *x,
    char **cause)
{
	struct qcfs_if_module	*q = m->priv;
	size_t			 i, M = (size_t)c->B * m->in_size, plane = 0;
	size_t			 spikes = 0;
	float			 theta = m->param[0].data[0], v0, *y;
	char			 label[80];
	int			 t;

	if (!(theta > 0))
		return error_set(cause, "%s: threshold %g is not positive",
		    module_label(m, label, sizeof label), (double)theta);
	if (q->bias != NULL) {
		if (m->in_size % (size_t)q->nbias != 0)
			return error_set(cause, "%s: %d bias currents do not "
			    "divide its %zu inputs into channels",
			    module_label(m, label, sizeof label), q->nbias,
			    m->in_size);
		plane = m->in_size / (size_t)q->nbias;
	}
	if (q->steps == 0) {
		v0 = (float)q->shift * theta;
		for (i = 0; i < M; i++)
			q->v[i] = v0;
		if (q->count != NULL)
			memset(q->count, 0, M * sizeof *q->count);
		if (q->analysis)
			memset(q->sum_in, 0, M * sizeof *q->sum_in);
	}
	for (t = 0; t < c->T; t++, x += M) {
		y = m->y + (size_t)t * M;
		if (q->bias == NULL)
			spikes += layer_qcfs_if_step(q, theta, x, 0, y, 0, M);
		else
			for (i = 0; i < M / plane; i++)
				spikes += layer_qcfs_if_step(q, theta, x,
				    q->bias[i % (size_t)q->nbias], y, i * plane,
				    plane);
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

static const char *const layer_qcfs_if_opts[] = { "shift", "mode", "burst",
	"current", NULL };
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
	.reset = layer_qcfs_if_reset,
	.free = layer_qcfs_if_free
};
