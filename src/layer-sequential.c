/*
 * layer-sequential.c: children run one after the other (nn.Sequential).
 * Unnamed children are named by their index, "0", "1", ..., as PyTorch
 * names them; a child named "" adds nothing to its parameters' names.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn.h"

/*
 * Parses the child description d of container m under its own "name", or
 * under def (NULL: the index) when it has none.
 */
int
layer_sequential_child(struct module *m, json_t *d, const char *def,
    char **cause)
{
	struct module	*child;
	char		*why = NULL;

	if ((child = module_parse(d, NULL, &why)) == NULL) {
		error_set(cause, "%s child %d: %s", m->kind->name, m->nchild,
		    why);
		free(why);
		return -1;
	}
	if (json_object_get(d, "name") != NULL)
		def = child->name;
	return module_add_child(m, child, def, cause);
}

/* Returns the description of child i, its name left out when default. */
json_t *
layer_sequential_child_describe(const struct module *m, int i,
    const char *def)
{
	const struct module	*c = m->child[i];
	json_t			*d = module_describe(c);
	char			 index[16];

	snprintf(index, sizeof index, "%d", i);
	if (def == NULL)
		def = index;
	if (strcmp(c->name, def) == 0)
		json_object_del(d, "name");
	else if (c->name[0] == '\0')
		json_object_set_new(d, "name", json_string(""));
	return d;
}

/* Reads "layers", an array of module descriptions. */
static int
layer_sequential_parse(struct module *m, json_t *o, char **cause)
{
	json_t	*layers = json_object_get(o, "layers"), *d;
	size_t	 i;

	if (!json_is_array(layers))
		return error_set(cause, "sequential: \"layers\" must be an "
		    "array of modules");
	json_array_foreach(layers, i, d)
		if (layer_sequential_child(m, d, NULL, cause) != 0)
			return -1;
	return 0;
}

/* Adds "layers". */
static void
layer_sequential_describe(const struct module *m, json_t *o)
{
	json_t	*layers = json_array();
	int	 i;

	for (i = 0; i < m->nchild; i++)
		json_array_append_new(layers,
		    layer_sequential_child_describe(m, i, NULL));
	json_object_set_new(o, "layers", layers);
}

/* Plans each child on the output of the one before. */
static int
layer_sequential_shape(struct module *m, char **cause)
{
	struct module	*c, *prev = NULL;
	int		 i, input;

	for (i = 0; i < m->nchild; i++) {
		c = m->child[i];
		input = prev == NULL ? m->x_is_input : prev->x_is_input &&
		    (prev->kind->flags & MODULE_ALIAS);
		if (module_shape(c, prev == NULL ? m->in_ndim : prev->out_ndim,
		    prev == NULL ? m->in_shape : prev->out_shape, input,
		    cause) != 0)
			return -1;
		prev = c;
	}
	if (prev != NULL) {
		m->out_ndim = prev->out_ndim;
		memcpy(m->out_shape, prev->out_shape, (size_t)prev->out_ndim *
		    sizeof *m->out_shape);
	}
	return 0;
}

/* The children carve their own buffers; y and dx are theirs. */
static void
layer_sequential_carve(struct module *m, struct arena *a,
    const struct mctx *c)
{
	int	i;

	for (i = 0; i < m->nchild; i++)
		module_carve(m->child[i], a, c);
}

/*
 * Runs the children in order; a child's input repeats while the
 * sequential's does and every child before it is pure.
 */
static int
layer_sequential_forward(struct module *m, const struct mctx *c,
    const float *x, char **cause)
{
	struct mctx	 cc = *c;
	const float	*cur = x;
	int		 i;

	for (i = 0; i < m->nchild; i++) {
		if (module_forward(m->child[i], &cc, cur, cause) != 0)
			return -1;
		cur = m->child[i]->y;
		cc.repeat = cc.repeat && m->child[i]->pure;
	}
	m->y = (float *)cur;
	return 0;
}

/*
 * Runs the children backward. A child computes its input gradient when
 * the sequential's is needed or a child before it (not a mere reshape)
 * takes it as its output gradient.
 */
static void
layer_sequential_backward(struct module *m, const struct mctx *c,
    const float *dy, int need_dx)
{
	const float	*cur = dy;
	int		 i, j, need;

	for (i = m->nchild - 1; i >= 0; i--) {
		for (need = need_dx, j = 0; j < i && !need; j++)
			need = !(m->child[j]->kind->flags & MODULE_ALIAS);
		module_backward(m->child[i], c, cur, need);
		cur = m->child[i]->dx;
	}
	m->dx = (float *)cur;
}

static const char *const layer_sequential_opts[] = { "layers", NULL };
const struct module_kind layer_sequential_kind = {
	.name = "sequential",
	.opts = layer_sequential_opts,
	.flags = MODULE_CONTAINER,
	.parse = layer_sequential_parse,
	.describe = layer_sequential_describe,
	.shape = layer_sequential_shape,
	.carve = layer_sequential_carve,
	.forward = layer_sequential_forward,
	.backward = layer_sequential_backward
};
