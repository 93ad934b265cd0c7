/*
 * convert.c: ANN-to-SNN conversion of a QCFS network (Bu et al., ICLR
 * 2022). The converted network is built from the ANN's description with
 * every qcfs module replaced by a qcfs_if neuron (threshold lambda, v(0) =
 * shift * lambda), and takes the ANN's tensors by name: both share their
 * state_dict. Batch norm stays (the network is in eval mode, so it applies
 * its running statistics at every step) or is folded into the convolution
 * before it, as the author's _fold_bn does in float32:
 *
 *	s = sqrt(running_var + eps),  w' = w * (gamma / s),
 *	b' = gamma * b / s + (beta - gamma * running_mean / s).
 *
 * Max pooling, ReLU and spiking neurons have no place in a converted QCFS
 * network and are refused, naming the module. Every neuron gets the
 * options' shift, mode and burst; a table of layers by path overrides the
 * shift and adds a per-channel current (the remedies of snnwb-lua(7),
 * CONVERSION).
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn.h"

/* A batch norm folded into the convolution before it, by path. */
struct convert_fold {
	char	conv[512];
	char	bn[512];
	double	eps;
};

/* What one conversion gathers on its walk of the description. */
struct convert_walk {
	const struct convert_opts	*opts;
	struct convert_fold		*folds;
	int				 nfolds;
	int				 nneurons;
	char				*used;	/* (opts->nlayers) */
};

/* Writes prefix.name (or either alone when the other is empty) to out. */
static void
convert_path(char *out, size_t len, const char *prefix, const char *name)
{
	if (name[0] == '\0')
		snprintf(out, len, "%s", prefix);
	else if (prefix[0] == '\0')
		snprintf(out, len, "%s", name);
	else
		snprintf(out, len, "%s.%s", prefix, name);
}

/* Returns the "type" of module description d, or "". */
static const char *
convert_type(json_t *d)
{
	const char	*type = json_string_value(json_object_get(d, "type"));

	return type != NULL ? type : "";
}

static int convert_module(struct convert_walk *w, json_t *d,
    const char *path, char **cause);

/* Turns qcfs description d at path into a qcfs_if with its settings. */
static int
convert_neuron(struct convert_walk *w, json_t *d, const char *path,
    char **cause)
{
	const struct convert_opts	*o = w->opts;
	const struct convert_layer	*l;
	double				 shift = o->shift;
	json_t				*b;
	int				 i, j;

	json_object_del(d, "L");
	json_object_del(d, "lambda");
	json_object_set_new(d, "type", json_string("qcfs_if"));
	for (i = 0; i < o->nlayers; i++) {
		l = &o->layers[i];
		if (strcmp(l->path, path) != 0)
			continue;
		w->used[i] = 1;
		if (!isnan(l->shift))
			shift = l->shift;
		if (l->bias == NULL)
			continue;
		b = json_array();
		for (j = 0; j < l->nbias; j++)
			json_array_append_new(b, json_real(l->bias[j]));
		json_object_set_new(d, "current", b);
	}
	if (!(shift >= 0 && shift <= 1))
		return error_set(cause, "%s: shift must lie in 0..1", path);
	json_object_set_new(d, "shift", json_real(shift));
	if (o->mode != NULL && strcmp(o->mode, "if") != 0)
		json_object_set_new(d, "mode", json_string(o->mode));
	if (o->mode != NULL && strcmp(o->mode, "burst") == 0)
		json_object_set_new(d, "burst", json_integer(o->burst));
	w->nneurons++;
	return 0;
}

/*
 * Converts the children of sequential d: names each by its index where it
 * has none (so that removing a folded batch norm renames nothing), and
 * folds a batch norm right after a convolution when asked.
 */
static int
convert_sequential(struct convert_walk *w, json_t *d, const char *path,
    char **cause)
{
	json_t		*layers = json_object_get(d, "layers"), *c, *next;
	struct convert_fold *f;
	char		 index[24], child[512];
	const char	*name;
	size_t		 i;
	double		 eps;

	json_array_foreach(layers, i, c) {
		if (json_object_get(c, "name") == NULL) {
			snprintf(index, sizeof index, "%zu", i);
			json_object_set_new(c, "name", json_string(index));
		}
	}
	for (i = 0; i < json_array_size(layers); i++) {
		c = json_array_get(layers, i);
		name = json_string_value(json_object_get(c, "name"));
		convert_path(child, sizeof child, path, name);
		if (convert_module(w, c, child, cause) != 0)
			return -1;
		next = json_array_get(layers, i + 1);
		if (!w->opts->fold_bn || next == NULL ||
		    strcmp(convert_type(c), "conv2d") != 0 ||
		    strcmp(convert_type(next), "batchnorm2d") != 0)
			continue;
		if ((f = reallocarray(w->folds, (size_t)w->nfolds + 1,
		    sizeof *f)) == NULL)
			return error_set(cause, "out of memory");
		w->folds = f;
		f += w->nfolds++;
		snprintf(f->conv, sizeof f->conv, "%s", child);
		convert_path(f->bn, sizeof f->bn, path,
		    json_string_value(json_object_get(next, "name")));
		eps = 1e-5;
		if (module_json_number(next, "eps", 1e-5, &eps, cause) != 0)
			return -1;
		f->eps = eps;
		json_object_set_new(c, "bias", json_true());
		json_array_remove(layers, i + 1);
	}
	return 0;
}

/*
 * Converts module description d at path in place: qcfs becomes qcfs_if,
 * containers are walked, modules that cannot be converted are refused.
 */
static int
convert_module(struct convert_walk *w, json_t *d, const char *path,
    char **cause)
{
	const char	*type = convert_type(d), *name;
	json_t		*branch;
	char		 child[512];

	if (strcmp(type, "qcfs") == 0)
		return convert_neuron(w, d, path, cause);
	if (strcmp(type, "maxpool2d") == 0)
		return error_set(cause, "%s is max pooling, which "
		    "does not commute with spikes: QCFS networks use average "
		    "pooling (snn.avgpool2d)", path);
	if (strcmp(type, "relu") == 0)
		return error_set(cause, "%s is a ReLU: conversion "
		    "needs qcfs activations (train with snn.qcfs in their "
		    "place)", path);
	if (strcmp(type, "lif") == 0 || strcmp(type, "if") == 0 ||
	    strcmp(type, "qcfs_if") == 0)
		return error_set(cause, "%s is already a spiking "
		    "neuron", path);
	if (strcmp(type, "sequential") == 0)
		return convert_sequential(w, d, path, cause);
	if (strcmp(type, "residual") == 0) {
		if ((branch = json_object_get(d, "main")) != NULL) {
			name = json_string_value(json_object_get(branch,
			    "name"));
			convert_path(child, sizeof child, path, name != NULL ?
			    name : "");
			if (convert_module(w, branch, child, cause) != 0)
				return -1;
		}
		if ((branch = json_object_get(d, "shortcut")) != NULL &&
		    json_is_object(branch)) {
			name = json_string_value(json_object_get(branch,
			    "name"));
			convert_path(child, sizeof child, path, name != NULL ?
			    name : "shortcut");
			if (convert_module(w, branch, child, cause) != 0)
				return -1;
		}
	}
	return 0;
}

/* Returns tensor path.leaf of net, or NULL. */
static struct mparam *
convert_tensor(const struct net *net, const char *path, const char *leaf)
{
	const struct net_tensor	*t;
	char			 name[600];

	convert_path(name, sizeof name, path, leaf);
	t = net_tensor(net, name);
	return t != NULL ? t->p : NULL;
}

/* Folds batch norm f of ann into the convolution of snn. */
static int
convert_fold(const struct net *ann, struct net *snn,
    const struct convert_fold *f, char **cause)
{
	struct mparam	*w = convert_tensor(ann, f->conv, "weight");
	struct mparam	*b = convert_tensor(ann, f->conv, "bias");
	struct mparam	*g = convert_tensor(ann, f->bn, "weight");
	struct mparam	*beta = convert_tensor(ann, f->bn, "bias");
	struct mparam	*mean = convert_tensor(ann, f->bn, "running_mean");
	struct mparam	*var = convert_tensor(ann, f->bn, "running_var");
	struct mparam	*w2 = convert_tensor(snn, f->conv, "weight");
	struct mparam	*b2 = convert_tensor(snn, f->conv, "bias");
	size_t		 o, i, per, O;
	float		 s, scale;

	if (w == NULL || g == NULL || beta == NULL || mean == NULL ||
	    var == NULL || w2 == NULL || b2 == NULL || w->ndim < 1 ||
	    (O = (size_t)w->shape[0]) != g->n || O != b2->n ||
	    mean->n != O || var->n != O || beta->n != O || w2->n != w->n)
		return error_set(cause, "cannot fold %s into %s: "
		    "their tensors do not match", f->bn, f->conv);
	per = w->n / O;
	for (o = 0; o < O; o++) {
		s = sqrtf(var->data[o] + (float)f->eps);
		scale = g->data[o] / s;
		for (i = 0; i < per; i++)
			w2->data[o * per + i] = w->data[o * per + i] * scale;
		b2->data[o] = (b != NULL ? g->data[o] * b->data[o] / s : 0) +
		    (beta->data[o] - g->data[o] * mean->data[o] / s);
	}
	return 0;
}

/* Returns whether name is the weight or bias of a folded convolution. */
static int
convert_folded(const struct convert_walk *w, const char *name)
{
	size_t	len;
	int	i;

	for (i = 0; i < w->nfolds; i++) {
		len = strlen(w->folds[i].conv);
		if (strncmp(name, w->folds[i].conv, len) == 0 &&
		    (strcmp(name + len, ".weight") == 0 ||
		    strcmp(name + len, ".bias") == 0))
			return 1;
	}
	return 0;
}

/*
 * Returns the spiking network converted from QCFS network ann (left
 * unchanged), in eval mode; NULL with *cause set.
 */
struct net *
convert_net(const struct net *ann, const struct convert_opts *opts,
    char **cause)
{
	struct convert_walk	 w = { opts, NULL, 0, 0, NULL };
	const struct net_tensor	*from;
	struct module		*root = NULL;
	struct net		*snn = NULL;
	json_t			*d = module_describe(ann->root);
	int			 i;

	if (!(opts->shift >= 0 && opts->shift <= 1)) {
		error_set(cause, "shift must lie in 0..1");
		goto fail;
	}
	if ((w.used = calloc((size_t)opts->nlayers + 1, 1)) == NULL) {
		error_set(cause, "out of memory");
		goto fail;
	}
	if (convert_module(&w, d, "", cause) != 0)
		goto fail;
	for (i = 0; i < opts->nlayers; i++)
		if (!w.used[i]) {
			error_set(cause, "%s is no qcfs module of the "
			    "network", opts->layers[i].path);
			goto fail;
		}
	if (w.nneurons == 0) {
		error_set(cause, "the network has no qcfs "
		    "activation to turn into neurons");
		goto fail;
	}
	if ((root = module_parse(d, NULL, cause)) == NULL ||
	    (snn = net_wrap(root, cause)) == NULL)
		goto fail;
	for (i = 0; i < snn->ntensors; i++) {
		if (convert_folded(&w, snn->tensor[i].name))
			continue;
		from = net_tensor(ann, snn->tensor[i].name);
		if (from == NULL || from->p->n != snn->tensor[i].p->n) {
			error_set(cause, "%s has no match in the "
			    "network converted", snn->tensor[i].name);
			goto fail;
		}
		memcpy(snn->tensor[i].p->data, from->p->data,
		    from->p->n * sizeof *from->p->data);
	}
	for (i = 0; i < w.nfolds; i++)
		if (convert_fold(ann, snn, &w.folds[i], cause) != 0)
			goto fail;
	snn->training = 0;
	json_decref(d);
	free(w.folds);
	free(w.used);
	return snn;
fail:
	net_free(snn);
	json_decref(d);
	free(w.folds);
	free(w.used);
	return NULL;
}
