/*
 * layer-qcfs.c: the quantization-clip-floor-shift activation of Bu et al.,
 * ICLR 2022 ("Optimal ANN-SNN Conversion for High-accuracy and
 * Ultra-low-latency Spiking Neural Networks"), Eq. 15:
 *
 *	a = lambda * floor(clamp(z / lambda, 0, 1) * L + shift) / L
 *
 * with one trainable lambda per module, the parameter "thresh" [1] as the
 * author's repository names it. The floor passes the gradient straight
 * through and the clamp passes it where 0 <= z / lambda <= 1, so that
 * dz = dy inside the window and dlambda sums dy * (a / lambda - z /
 * lambda) there and dy * a / lambda outside, as autograd computes them
 * through the author's operations (in their order: divide, clamp, times L,
 * plus shift, floor, divide by L, times lambda). Conversion (convert.c)
 * turns each such module into an integrate-and-fire neuron with threshold
 * lambda.
 */
#include <jansson.h>
#include <math.h>

#include "nn.h"

/* A QCFS module's settings. */
struct qcfs_module {
	int	L;		/* quantization levels */
	double	lambda;		/* the initial threshold */
	double	shift;		/* the shift inside the floor, 1/2 */
};

/* Reads L, lambda and shift; declares the threshold. */
static int
layer_qcfs_parse(struct module *m, json_t *o, char **cause)
{
	struct qcfs_module	*q = m->priv;
	int			 one = 1;

	if (module_json_int(o, "L", 4, 1, 1 << 16, &q->L, cause) != 0 ||
	    module_json_number(o, "lambda", 8.0, &q->lambda, cause) != 0 ||
	    module_json_number(o, "shift", 0.5, &q->shift, cause) != 0)
		return -1;
	if (!(q->lambda > 0))
		return error_set(cause, "qcfs: \"lambda\" must be positive");
	if (!(q->shift >= 0 && q->shift <= 1))
		return error_set(cause, "qcfs: \"shift\" must lie in 0..1");
	if (module_declare(m, "thresh", 0, 1, &one, cause) == NULL)
		return -1;
	return 0;
}

/* Adds L, lambda and shift to o. */
static void
layer_qcfs_describe(const struct module *m, json_t *o)
{
	const struct qcfs_module	*q = m->priv;

	json_object_set_new(o, "L", json_integer(q->L));
	json_object_set_new(o, "lambda", json_real(q->lambda));
	json_object_set_new(o, "shift", json_real(q->shift));
}

/* Sets the threshold to its initial lambda. */
static void
layer_qcfs_init(struct module *m, struct rng *r)
{
	const struct qcfs_module	*q = m->priv;

	(void)r;
	m->param[0].data[0] = (float)q->lambda;
}

/* a = lambda * floor(clamp(z / lambda, 0, 1) * L + shift) / L. */
static int
layer_qcfs_forward(struct module *m, const struct mctx *c, const float *x,
    char **cause)
{
	const struct qcfs_module	*q = m->priv;
	size_t				 i, n, nonzero = 0;
	float				 lam = m->param[0].data[0], u;
	float				 L = (float)q->L, shift = (float)q->shift;

	if (!(lam > 0)) {
		char	label[80];

		return error_set(cause, "%s: threshold %g is not positive",
		    module_label(m, label, sizeof label), (double)lam);
	}
	n = (size_t)c->T * c->B * m->in_size;
	for (i = 0; i < n; i++) {
		u = x[i] / lam;
		u = u < 0 ? 0 : u > 1 ? 1 : u;
		m->y[i] = floorf(u * L + shift) / L * lam;
		nonzero += m->y[i] != 0;
	}
	m->stats.rate = n > 0 ? (double)nonzero / (double)n : 0;
	return 0;
}

/*
 * dz = dy where 0 <= z / lambda <= 1 (the clamp's window, ends included as
 * PyTorch's clamp passes them), else 0; dlambda += the sum over elements of
 * dy times the level a / lambda, less dy * z / lambda where the clamp
 * passes it.
 */
static void
layer_qcfs_backward(struct module *m, const struct mctx *c, const float *dy,
    int need_dx)
{
	const struct qcfs_module	*q = m->priv;
	const float			*x = m->x;
	size_t				 i, n;
	float				 lam = m->param[0].data[0], u, g, level;
	float				 L = (float)q->L, shift = (float)q->shift;
	double				 dlam = 0;

	n = (size_t)c->T * c->B * m->in_size;
	for (i = 0; i < n; i++) {
		u = x[i] / lam;
		g = u >= 0 && u <= 1 ? dy[i] : 0;
		u = u < 0 ? 0 : u > 1 ? 1 : u;
		level = floorf(u * L + shift) / L;
		dlam += (double)dy[i] * level - (double)g * (x[i] / lam);
		if (need_dx)
			m->dx[i] = g;
	}
	m->param[0].grad[0] += (float)dlam;
}

static const char *const layer_qcfs_opts[] = { "L", "lambda", "shift",
    NULL };
const struct module_kind layer_qcfs_kind = {
	.name = "qcfs",
	.lua = "qcfs",
	.opts = layer_qcfs_opts,
	.priv = sizeof(struct qcfs_module),
	.flags = MODULE_STATS,
	.parse = layer_qcfs_parse,
	.describe = layer_qcfs_describe,
	.init = layer_qcfs_init,
	.forward = layer_qcfs_forward,
	.backward = layer_qcfs_backward
};
