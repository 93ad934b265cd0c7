/*
 * layer-residual.c: out = main(x) + shortcut(x), the shortcut a module or
 * the identity. The main branch is named "" (its children's names attach
 * to the block's, as in a PyTorch block whose forward calls conv1, bn1,
 * ... directly) and the shortcut "shortcut", unless given other names.
 */
#include <jansson.h>
#include <string.h>

#include "nn.h"

/* Reads "main" and the optional "shortcut". */
static int
layer_residual_parse(struct module *m, json_t *o, char **cause)
{
	json_t	*main_ = json_object_get(o, "main");
	json_t	*shortcut = json_object_get(o, "shortcut");

	if (main_ == NULL)
		return error_set(cause, "residual: \"main\" (a module) is "
		    "required");
	if (layer_sequential_child(m, main_, "", cause) != 0)
		return -1;
	if (shortcut != NULL && !json_is_null(shortcut) &&
	    layer_sequential_child(m, shortcut, "shortcut", cause) != 0)
		return -1;
	return 0;
}

/* Adds "main" and, unless the identity, "shortcut". */
static void
layer_residual_describe(const struct module *m, json_t *o)
{
	json_object_set_new(o, "main",
	    layer_sequential_child_describe(m, 0, ""));
	if (m->nchild > 1)
		json_object_set_new(o, "shortcut",
		    layer_sequential_child_describe(m, 1, "shortcut"));
}

/* Plans both branches on the input; their outputs must agree. */
static int
layer_residual_shape(struct module *m, char **cause)
{
	const struct module	*b = m->child[0];
	const int		*sc = m->in_shape;
	int			 i, scdim = m->in_ndim;
	char			 want[64], have[64];

	for (i = 0; i < m->nchild; i++)
		if (module_shape(m->child[i], m->in_ndim, m->in_shape,
		    m->x_is_input, cause) != 0)
			return -1;
	m->out_ndim = b->out_ndim;
	memcpy(m->out_shape, b->out_shape, (size_t)b->out_ndim *
	    sizeof *m->out_shape);
	if (m->nchild > 1) {
		sc = m->child[1]->out_shape;
		scdim = m->child[1]->out_ndim;
	}
	if (scdim != m->out_ndim || memcmp(sc, m->out_shape, (size_t)scdim *
	    sizeof *sc) != 0)
		return error_set(cause, "residual %s: the main branch gives %s "
		    "per sample, the %s %s", m->name, tensor_shape_string(
		    m->out_shape, m->out_ndim, want, sizeof want),
		    m->nchild > 1 ? "shortcut" : "identity shortcut",
		    tensor_shape_string(sc, scdim, have, sizeof have));
	return 0;
}

/* Takes the sum's y and dx, then the branches' buffers. */
static void
layer_residual_carve(struct module *m, struct arena *a, const struct mctx *c)
{
	size_t	rows = (size_t)c->T * c->B;
	int	i;

	m->y = arena_take(a, rows * m->out_size);
	m->dx = arena_take(a, rows * m->in_size);
	for (i = 0; i < m->nchild; i++)
		module_carve(m->child[i], a, c);
}

/* y = main(x) + shortcut(x). */
static int
layer_residual_forward(struct module *m, const struct mctx *c,
    const float *x, char **cause)
{
	const float	*a, *b;
	size_t		 i, n = (size_t)c->T * c->B * m->out_size;

	if (module_forward(m->child[0], c, x, cause) != 0 ||
	    (m->nchild > 1 && module_forward(m->child[1], c, x, cause) != 0))
		return -1;
	a = m->child[0]->y;
	b = m->nchild > 1 ? m->child[1]->y : x;
	for (i = 0; i < n; i++)
		m->y[i] = a[i] + b[i];
	return 0;
}

/* Both branches get dy; dx is the sum of their input gradients. */
static void
layer_residual_backward(struct module *m, const struct mctx *c,
    const float *dy, int need_dx)
{
	const float	*a, *b;
	size_t		 i, n = (size_t)c->T * c->B * m->in_size;

	module_backward(m->child[0], c, dy, need_dx);
	if (m->nchild > 1)
		module_backward(m->child[1], c, dy, need_dx);
	if (!need_dx)
		return;
	a = m->child[0]->dx;
	b = m->nchild > 1 ? m->child[1]->dx : dy;
	for (i = 0; i < n; i++)
		m->dx[i] = a[i] + b[i];
}

static const char *const layer_residual_opts[] = { "main", "shortcut", NULL };
const struct module_kind layer_residual_kind = {
	.name = "residual",
	.opts = layer_residual_opts,
	.flags = MODULE_CONTAINER,
	.parse = layer_residual_parse,
	.describe = layer_residual_describe,
	.shape = layer_residual_shape,
	.carve = layer_residual_carve,
	.forward = layer_residual_forward,
	.backward = layer_residual_backward
};
