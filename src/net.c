/*
 * net.c: a network is a tree of modules (module.c) under one root, over
 * [T, B, ...] inputs. Its parameters and their gradients are one block
 * each and its buffers a third, laid out in network order and named by
 * module path; the activations of a forward pass live in an arena carved
 * for the (T, B, input shape) of the last call and carved again only when
 * that changes.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn.h"

/* Returns a new network with an empty sequential root, or NULL. */
struct net *
net_new(void)
{
	struct module	*root;

	if ((root = module_new(&layer_sequential_kind, NULL)) == NULL)
		return NULL;
	return net_wrap(root, NULL);
}

/* Frees the tables net_layout builds. */
static void
net_free_tables(struct net *net)
{
	int	i;

	for (i = 0; i < net->ntensors; i++)
		free(net->tensor[i].name);
	for (i = 0; i < net->nstats; i++)
		free(net->stats_name[i]);
	mem_free(net->tensor);
	mem_free(net->stats);
	mem_free(net->stats_name);
	net->tensor = NULL;
	net->stats = NULL;
	net->stats_name = NULL;
	net->ntensors = net->nstats = 0;
}

/* Frees the network and everything it owns; NULL is allowed. */
void
net_free(struct net *net)
{
	if (net == NULL)
		return;
	module_free(net->root);
	net_free_tables(net);
	arena_free(&net->acts);
	mem_free(net->params);
	mem_free(net->grads);
	mem_free(net->buffers);
	mem_free(net->prof);
	mem_free(net);
}

/* What net_layout's visits collect. */
struct net_tables {
	struct net	*net;
	int		 pass;		/* 0: parameters, 1: buffers */
	int		 failed;
};

/* Adds the parameters (or buffers) and the activation of m to the tables. */
static int
net_collect(struct module *m, const char *path, void *arg)
{
	struct net_tables	*t = arg;
	struct net		*net = t->net;
	struct net_tensor	*nt;
	int			 i, buffer;

	for (i = 0; i < m->nparam; i++) {
		buffer = (m->param[i].flags & MPARAM_BUFFER) != 0;
		if (buffer != t->pass)
			continue;
		nt = &net->tensor[net->ntensors++];
		nt->p = &m->param[i];
		nt->m = m;
		nt->name = path[0] != '\0' ? error_printf("%s.%s", path,
		    m->param[i].name) : error_printf("%s", m->param[i].name);
		t->failed |= nt->name == NULL;
	}
	if (t->pass == 0 && (m->kind->flags & MODULE_STATS)) {
		net->stats[net->nstats] = m;
		net->stats_name[net->nstats] = error_printf("%s", path);
		t->failed |= net->stats_name[net->nstats++] == NULL;
	}
	return 0;
}

/* Counts the parameter tensors and activation modules below m. */
static int
net_count(struct module *m, const char *path, void *arg)
{
	int	*n = arg;

	(void)path;
	n[0] += m->nparam;
	n[1] += (m->kind->flags & MODULE_STATS) != 0;
	return 0;
}

/*
 * Lays every parameter and buffer of the tree out in new blocks, keeping
 * their values (wherever they are now), and names them; grads start at 0.
 * On failure the network is as it was.
 */
static int
net_layout(struct net *net, char **cause)
{
	struct net_tables	 t;
	struct net		 old = *net;
	float			*params, *grads, *bufs, *pp, *bp;
	size_t			 np = 0, nb = 0;
	int			 i, count[2] = { 0, 0 };

	module_walk(net->root, "", net_count, count);
	net->tensor = mem_calloc((size_t)count[0] + 1, sizeof *net->tensor);
	net->stats = mem_calloc((size_t)count[1] + 1, sizeof *net->stats);
	net->stats_name = mem_calloc((size_t)count[1] + 1,
	    sizeof *net->stats_name);
	net->ntensors = net->nstats = 0;
	memset(&t, 0, sizeof t);
	t.net = net;
	t.failed = net->tensor == NULL || net->stats == NULL ||
	    net->stats_name == NULL;
	if (!t.failed) {
		module_walk(net->root, "", net_collect, &t);
		net->nparam_tensors = net->ntensors;
		t.pass = 1;
		module_walk(net->root, "", net_collect, &t);
	}
	for (i = 0; i < net->ntensors; i++) {
		if (i < net->nparam_tensors)
			np += net->tensor[i].p->n;
		else
			nb += net->tensor[i].p->n;
	}
	params = mem_aligned((np + 1) * sizeof *params);
	grads = mem_aligned((np + 1) * sizeof *grads);
	bufs = mem_aligned((nb + 1) * sizeof *bufs);
	if (t.failed || params == NULL || grads == NULL || bufs == NULL) {
		mem_free(params);
		mem_free(grads);
		mem_free(bufs);
		net_free_tables(net);
		*net = old;
		return error_set(cause, "out of memory for %zu parameters",
		    np + nb);
	}
	memset(grads, 0, (np + 1) * sizeof *grads);
	pp = params;
	bp = bufs;
	for (i = 0; i < net->ntensors; i++) {
		struct mparam	*p = net->tensor[i].p;
		float		*to = i < net->nparam_tensors ? pp : bp;

		memcpy(to, p->data, p->n * sizeof *to);
		if (p->owned)
			mem_free(p->data);
		p->owned = 0;
		p->data = to;
		p->grad = i < net->nparam_tensors ? grads + (pp - params) :
		    NULL;
		if (i < net->nparam_tensors)
			pp += p->n;
		else
			bp += p->n;
	}
	net_free_tables(&old);
	mem_free(old.params);
	mem_free(old.grads);
	mem_free(old.buffers);
	net->params = params;
	net->grads = grads;
	net->nparams = np;
	net->buffers = bufs;
	net->nbuffers = nb;
	return 0;
}

/* Forgets the carved activations so the next forward plans them again. */
void
net_invalidate(struct net *net)
{
	arena_free(&net->acts);
	net->T = 0;
	net->B = 0;
	net->in_ndim = 0;
}

/*
 * Returns a network around root (which it owns from then on, even on
 * failure), in training mode; NULL with *cause set.
 */
struct net *
net_wrap(struct module *root, char **cause)
{
	struct net	*net;

	if ((net = mem_calloc(1, sizeof *net)) == NULL) {
		module_free(root);
		error_set(cause, "out of memory");
		return NULL;
	}
	arena_plan(&net->acts);
	net->root = root;
	net->training = 1;
	if (net_layout(net, cause) != 0) {
		net_free(net);
		return NULL;
	}
	return net;
}

/*
 * Appends m (owned by the network from then on, even on failure) to the
 * network's root sequential, named by its index unless it has a name.
 */
int
net_add(struct net *net, struct module *m, char **cause)
{
	if (net->root->kind != &layer_sequential_kind) {
		module_free(m);
		return error_set(cause, "the network's root is a %s, not a "
		    "sequential", net->root->kind->name);
	}
	if (module_add_child(net->root, m, m->name[0] != '\0' ? m->name :
	    NULL, cause) != 0)
		return -1;
	net_invalidate(net);
	if (module_check_children(net->root, cause) != 0 ||
	    net_layout(net, cause) != 0) {
		net->root->nchild--;
		module_free(m);
		return -1;
	}
	return 0;
}

/* Parses the description o into a module appended to net; frees o. */
static int
net_add_json(struct net *net, json_t *o, struct rng *r, char **cause)
{
	struct module	*m = module_parse(o, r, cause);

	json_decref(o);
	if (m == NULL)
		return -1;
	return net_add(net, m, cause);
}

/*
 * Appends a Linear layer (in -> out, with a bias when bias is nonzero),
 * initialised as PyTorch does from r.
 */
int
net_add_linear(struct net *net, int in, int out, int bias, struct rng *r,
    char **cause)
{
	return net_add_json(net, json_pack("{s:s, s:i, s:i, s:b}", "type",
	    "linear", "in", in, "out", out, "bias", bias != 0), r, cause);
}

/* Appends a Flatten layer that merges all per-sample dimensions. */
int
net_add_flatten(struct net *net, char **cause)
{
	return net_add_json(net, json_pack("{s:s}", "type", "flatten"), NULL,
	    cause);
}

/* Appends a neuron layer with the configuration n (validated first). */
int
net_add_neuron(struct net *net, const struct neuron *n, char **cause)
{
	struct module	*m;

	if (neuron_validate(n, cause) != 0)
		return -1;
	if ((m = module_new(n->kind == NEURON_LIF ? &layer_lif_kind :
	    &layer_if_kind, cause)) == NULL)
		return -1;
	*layer_neuron_config(m) = *n;
	return net_add(net, m, cause);
}

/* Returns the number of top-level modules: the root sequential's children. */
int
net_nmodules(const struct net *net)
{
	return net->root->kind == &layer_sequential_kind ?
	    net->root->nchild : 1;
}

/* Returns top-level module i (0-based), or NULL. */
struct module *
net_module(const struct net *net, int i)
{
	if (i < 0 || i >= net_nmodules(net))
		return NULL;
	return net->root->kind == &layer_sequential_kind ?
	    net->root->child[i] : net->root;
}

/* What net_find looks for and finds. */
struct net_search {
	const char	*path;
	struct module	*found;
};

/* Stops the walk at the module whose path is the one searched for. */
static int
net_match(struct module *m, const char *path, void *arg)
{
	struct net_search	*s = arg;

	if (strcmp(path, s->path) != 0 || m->name[0] == '\0')
		return 0;
	s->found = m;
	return 1;
}

/* Returns the module at path ("layer1.0.conv1"), or NULL. */
struct module *
net_find(const struct net *net, const char *path)
{
	struct net_search	s = { path, NULL };

	module_walk(net->root, "", net_match, &s);
	return s.found;
}

/* Returns the parameter or buffer called name, or NULL. */
const struct net_tensor *
net_tensor(const struct net *net, const char *name)
{
	int	i;

	for (i = 0; i < net->ntensors; i++)
		if (strcmp(net->tensor[i].name, name) == 0)
			return &net->tensor[i];
	return NULL;
}

/* Draws every parameter again from r, in network order. */
void
net_init_params(struct net *net, struct rng *r)
{
	module_init(net->root, r);
}

/*
 * Returns a copy of net: the same architecture, parameters and buffers
 * (not the activations, gradients or neuron state); NULL with *cause set.
 */
struct net *
net_copy(const struct net *net, char **cause)
{
	struct module	*root;
	struct net	*copy;
	json_t		*desc = module_describe(net->root);

	root = module_parse(desc, NULL, cause);
	json_decref(desc);
	if (root == NULL || (copy = net_wrap(root, cause)) == NULL)
		return NULL;
	if (copy->nparams != net->nparams || copy->nbuffers !=
	    net->nbuffers) {
		net_free(copy);
		error_set(cause, "copying a network gave another layout");
		return NULL;
	}
	memcpy(copy->params, net->params, net->nparams * sizeof *net->params);
	memcpy(copy->buffers, net->buffers, net->nbuffers *
	    sizeof *net->buffers);
	copy->training = net->training;
	return copy;
}

/*
 * Makes sure the arena is carved for (T, B, in_shape); returns 1 when it
 * carved it anew, 0 when it was, -1 on failure.
 */
static int
net_prepare(struct net *net, int T, int B, int in_ndim, const int *in_shape,
    char **cause)
{
	struct mctx	c = { T, B, net->training, 0, NULL, 0 };

	if (net->T == T && net->B == B && net->in_ndim == in_ndim &&
	    memcmp(net->in_shape, in_shape, (size_t)in_ndim *
	    sizeof *in_shape) == 0)
		return 0;
	net_invalidate(net);
	if (module_shape(net->root, in_ndim, in_shape, 1, cause) != 0)
		return -1;
	arena_plan(&net->acts);
	module_carve(net->root, &net->acts, &c);
	if (arena_commit(&net->acts, cause) != 0)
		return -1;
	module_carve(net->root, &net->acts, &c);
	net->T = T;
	net->B = B;
	net->in_ndim = in_ndim;
	memcpy(net->in_shape, in_shape, (size_t)in_ndim * sizeof *in_shape);
	return 1;
}

/*
 * Runs the forward pass of net_forward; with repeat set, x is the input of
 * the last forward and the modules that depend on it alone keep their
 * outputs.
 */
static int
net_run(struct net *net, const float *x, int T, int B, int in_ndim,
    const int *in_shape, int repeat, const float **out, char **cause)
{
	struct mctx	c = { T, B, net->training, repeat, net->prof,
			    net->sparse };
	int		rc;

	if (net->root->kind == &layer_sequential_kind &&
	    net->root->nchild == 0)
		return error_set(cause, "forward: the network has no layers");
	if (T <= 0 || B <= 0 || in_ndim < 1 || in_ndim > TENSOR_MAXDIM - 2)
		return error_set(cause, "forward: input must be [T, B, ...] "
		    "with 1 to %d per-sample dimensions", TENSOR_MAXDIM - 2);
	if ((rc = net_prepare(net, T, B, in_ndim, in_shape, cause)) < 0)
		return -1;
	if (rc == 1)
		c.repeat = 0;
	if (module_forward(net->root, &c, x, cause) != 0)
		return -1;
	*out = net->root->y;
	return 0;
}

/*
 * Forward pass. x is (T, B, in_shape...) and must stay valid until the
 * matching net_backward; *out points at the last module's output (T, B,
 * out_shape...), owned by the net and valid until the next forward.
 */
int
net_forward(struct net *net, const float *x, int T, int B, int in_ndim,
    const int *in_shape, const float **out, char **cause)
{
	return net_run(net, x, T, B, in_ndim, in_shape, 0, out, cause);
}

/*
 * One time step of a simulation, as net_forward with T = 1: x is (B,
 * in_shape...); repeat says that x holds the values of the last step's
 * input, so that the layers before the first neuron are not run again.
 */
int
net_step(struct net *net, const float *x, int B, int in_ndim,
    const int *in_shape, int repeat, const float **out, char **cause)
{
	return net_run(net, x, 1, B, in_ndim, in_shape, repeat, out, cause);
}

/*
 * Backward pass after net_forward. dy is (T, B, out_shape...); parameter
 * gradients are accumulated; when dx is not NULL, *dx points at the
 * gradient with respect to the input (owned by the net), otherwise the
 * first layers skip computing it.
 */
int
net_backward(struct net *net, const float *dy, const float **dx,
    char **cause)
{
	struct mctx	c = { net->T, net->B, net->training, 0, net->prof,
			    0 };

	if (net->T == 0)
		return error_set(cause, "backward: no forward pass to "
		    "differentiate (call forward first)");
	module_backward(net->root, &c, dy, dx != NULL);
	if (dx != NULL)
		*dx = net->root->dx;
	return 0;
}

/* Sets every parameter gradient to zero. */
void
net_zero_grad(struct net *net)
{
	memset(net->grads, 0, net->nparams * sizeof *net->grads);
}

/*
 * Starts timing the modules of net by kind from zero (on), or stops and
 * forgets the times (off); -1 when out of memory.
 */
int
net_profile(struct net *net, int on)
{
	mem_free(net->prof);
	net->prof = NULL;
	if (on && (net->prof = mem_calloc(MODULE_MAXKINDS,
	    sizeof *net->prof)) == NULL)
		return -1;
	return 0;
}

/* Returns every neuron to its rest state before the next forward. */
void
net_reset(struct net *net)
{
	module_reset(net->root);
}

/* Training mode (1: batch statistics, dropout) or evaluation mode (0). */
void
net_set_training(struct net *net, int training)
{
	net->training = training != 0;
}

/*
 * Switches every neuron between spikes and the smooth primitive; when one
 * cannot (its surrogate has no primitive) nothing changes.
 */
int
net_set_spiking(struct net *net, int spiking, char **cause)
{
	struct neuron	*n, probe;
	int		 i, pass;

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < net->nstats; i++) {
			if ((n = layer_neuron_config(net->stats[i])) == NULL)
				continue;
			probe = *n;
			probe.spiking = spiking != 0;
			if (pass == 0 && neuron_validate(&probe, cause) != 0)
				return -1;
			if (pass == 1)
				n->spiking = spiking != 0;
		}
	return 0;
}

/*
 * Writes the per-sample output shape for the input shape of the last
 * forward into shape and returns its number of dimensions (0 before any
 * forward).
 */
int
net_out_shape(const struct net *net, int *shape)
{
	if (net->T == 0)
		return 0;
	memcpy(shape, net->root->out_shape, (size_t)net->root->out_ndim *
	    sizeof *shape);
	return net->root->out_ndim;
}
