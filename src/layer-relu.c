/*
 * layer-relu.c: the rectifier as a module of its own (nn.ReLU), so that
 * conversion can find and replace it; its statistic is the fraction of
 * outputs that are not zero (the activation density).
 */
#include "nn.h"

/* y = max(x, 0); counts the nonzero outputs. */
static int
layer_relu_forward(struct module *m, const struct mctx *c, const float *x,
    char **cause)
{
	size_t	i, n = (size_t)c->T * c->B * m->in_size, nonzero = 0;

	(void)cause;
	for (i = 0; i < n; i++) {
		m->y[i] = x[i] > 0 ? x[i] : 0;
		nonzero += x[i] > 0;
	}
	m->stats.rate = n > 0 ? (double)nonzero / (double)n : 0;
	return 0;
}

/* dx = dy where the output is positive, else 0 (PyTorch's choice at 0). */
static void
layer_relu_backward(struct module *m, const struct mctx *c, const float *dy,
    int need_dx)
{
	size_t	i, n = (size_t)c->T * c->B * m->in_size;

	if (!need_dx)
		return;
	for (i = 0; i < n; i++)
		m->dx[i] = m->y[i] > 0 ? dy[i] : 0;
}

const struct module_kind layer_relu_kind = {
	.name = "relu",
	.lua = "relu",
	.flags = MODULE_STATS,
	.forward = layer_relu_forward,
	.backward = layer_relu_backward
};
