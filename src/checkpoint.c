/*
 * checkpoint.c: a network (and, for training runs, the optimizer state) in
 * a safetensors file. Parameters are named as PyTorch names those of an
 * nn.Sequential ("1.weight" is (out, in)), so the file loads into the same
 * model in PyTorch; metadata "snnwb.net" holds the architecture as JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snnwb.h"

/* Frees the tensor names and the tensor array of a file built for writing. */
static void
checkpoint_free_names(struct st_file *f)
{
	int	i;

	for (i = 0; i < f->n; i++)
		free(f->t[i].name);
	mem_free(f->t);
}

/* Adds a tensor entry (name formatted, data not copied) to f. */
static int
checkpoint_add(struct st_file *f, float *data, int ndim, int64_t d0,
    int64_t d1, char *name)
{
	struct st_tensor	*t = &f->t[f->n];

	if (name == NULL)
		return -1;
	memset(t, 0, sizeof *t);
	t->name = name;
	t->ndim = ndim;
	t->shape[0] = d0;
	t->shape[1] = d1;
	t->data = data;
	f->n++;
	return 0;
}

/*
 * Writes net's parameters to path atomically. When ck is not NULL its
 * optimizer state (ck->m, ck->v: nparams floats each, either may be NULL)
 * and counters are stored too. Metadata keys and values in meta (pairs,
 * NULL-terminated, may be NULL) are added.
 */
int
checkpoint_save(const char *path, const struct net *net,
    const struct checkpoint *ck, const char *const *meta, char **cause)
{
	struct st_file		 f;
	const struct layer	*l;
	char			*keys[16], *vals[16], *desc;
	char			 epoch[32], step[32];
	int			 i, rc = -1, nmeta = 0;

	memset(&f, 0, sizeof f);
	if ((f.t = mem_calloc((size_t)net->n * 2 + 2, sizeof *f.t)) == NULL)
		return error_set(cause, "%s: out of memory", path);
	for (i = 0; i < net->n; i++) {
		l = &net->layers[i];
		if (l->kind != LAYER_LINEAR)
			continue;
		if (checkpoint_add(&f, l->w, 2, l->out, l->in,
		    net_param_name(i, 0)) != 0 || (l->has_bias &&
		    checkpoint_add(&f, l->b, 1, l->out, 0,
		    net_param_name(i, 1)) != 0))
			goto out;
	}
	if (ck != NULL && ck->m != NULL && checkpoint_add(&f, ck->m, 1,
	    (int64_t)net->nparams, 0, error_printf("optim.m")) != 0)
		goto out;
	if (ck != NULL && ck->v != NULL && checkpoint_add(&f, ck->v, 1,
	    (int64_t)net->nparams, 0, error_printf("optim.v")) != 0)
		goto out;
	if ((desc = net_json_describe(net)) == NULL)
		goto out;
	keys[nmeta] = "format";
	vals[nmeta++] = "pt";
	keys[nmeta] = "snnwb.net";
	vals[nmeta++] = desc;
	if (ck != NULL) {
		snprintf(epoch, sizeof epoch, "%d", ck->epoch);
		snprintf(step, sizeof step, "%ld", ck->step);
		keys[nmeta] = "snnwb.epoch";
		vals[nmeta++] = epoch;
		keys[nmeta] = "snnwb.optim_step";
		vals[nmeta++] = step;
	}
	for (i = 0; meta != NULL && meta[i] != NULL && meta[i + 1] != NULL &&
	    nmeta < 16; i += 2) {
		keys[nmeta] = (char *)meta[i];
		vals[nmeta++] = (char *)meta[i + 1];
	}
	f.nmeta = nmeta;
	f.meta_key = keys;
	f.meta_val = vals;
	rc = safetensors_write(path, &f, cause);
	free(desc);
out:
	if (rc != 0 && cause != NULL && *cause == NULL)
		error_set(cause, "%s: out of memory", path);
	checkpoint_free_names(&f);
	return rc;
}

/* Copies tensor name of f into dst (n floats), checking its size. */
static int
checkpoint_copy(const char *path, const struct st_file *f, const char *name,
    float *dst, size_t n, char **cause)
{
	const struct st_tensor	*t = safetensors_find(f, name);

	if (t == NULL)
		return error_set(cause, "%s: tensor \"%s\" is missing", path,
		    name);
	if (safetensors_numel(t) != n)
		return error_set(cause, "%s: tensor \"%s\" has %zu values, "
		    "the network needs %zu", path, name, safetensors_numel(t),
		    n);
	memcpy(dst, t->data, n * sizeof *dst);
	return 0;
}

/*
 * Copies the parameters in f into net (names and sizes checked) and, when
 * ck is not NULL, the optimizer state into ck->m and ck->v (nparams floats
 * each, either may be NULL) with the counters; ck->has_state tells whether
 * the file had state.
 */
static int
checkpoint_fill(const char *path, const struct st_file *f, struct net *net,
    struct checkpoint *ck, char **cause)
{
	struct layer	*l;
	const char	*s;
	char		*name;
	int		 i, rc = 0;

	for (i = 0; i < net->n && rc == 0; i++) {
		l = &net->layers[i];
		if (l->kind != LAYER_LINEAR)
			continue;
		name = net_param_name(i, 0);
		rc = checkpoint_copy(path, f, name, l->w,
		    (size_t)l->out * (size_t)l->in, cause);
		free(name);
		if (rc == 0 && l->has_bias) {
			name = net_param_name(i, 1);
			rc = checkpoint_copy(path, f, name, l->b,
			    (size_t)l->out, cause);
			free(name);
		}
	}
	if (rc != 0 || ck == NULL)
		return rc;
	ck->has_state = safetensors_find(f, "optim.m") != NULL;
	if (ck->has_state && ck->m != NULL)
		rc = checkpoint_copy(path, f, "optim.m", ck->m, net->nparams,
		    cause);
	if (rc == 0 && ck->has_state && ck->v != NULL &&
	    safetensors_find(f, "optim.v") != NULL)
		rc = checkpoint_copy(path, f, "optim.v", ck->v, net->nparams,
		    cause);
	s = safetensors_meta(f, "snnwb.epoch");
	ck->epoch = s != NULL ? atoi(s) : 0;
	s = safetensors_meta(f, "snnwb.optim_step");
	ck->step = s != NULL ? atol(s) : 0;
	return rc;
}

/* Returns the architecture metadata of f, or NULL with *cause set. */
static const char *
checkpoint_desc(const char *path, const struct st_file *f, char **cause)
{
	const char	*desc = safetensors_meta(f, "snnwb.net");

	if (desc == NULL)
		error_set(cause, "%s: no \"snnwb.net\" metadata: not an snnwb "
		    "checkpoint", path);
	return desc;
}

/* Loads a network from path; returns NULL with *cause set on error. */
struct net *
checkpoint_load(const char *path, char **cause)
{
	struct st_file	 f;
	struct net	*net = NULL;
	const char	*desc;
	char		*why = NULL;

	if (safetensors_read(path, &f, cause) != 0)
		return NULL;
	if ((desc = checkpoint_desc(path, &f, cause)) == NULL)
		goto out;
	if ((net = net_json_build(desc, &why)) == NULL) {
		error_set(cause, "%s: %s", path, why);
		free(why);
		goto out;
	}
	if (checkpoint_fill(path, &f, net, NULL, cause) != 0) {
		net_free(net);
		net = NULL;
	}
out:
	safetensors_free(&f);
	return net;
}

/*
 * Restores net (which must have the architecture stored in path) and the
 * optimizer state in ck from a checkpoint, to resume a run.
 */
int
checkpoint_restore(const char *path, struct net *net, struct checkpoint *ck,
    char **cause)
{
	struct st_file	 f;
	const char	*desc;
	char		*mine;
	int		 rc = -1;

	if (safetensors_read(path, &f, cause) != 0)
		return -1;
	if ((desc = checkpoint_desc(path, &f, cause)) == NULL)
		goto out;
	if ((mine = net_json_describe(net)) == NULL) {
		error_set(cause, "%s: out of memory", path);
		goto out;
	}
	if (strcmp(mine, desc) != 0)
		error_set(cause, "%s: the checkpoint holds another network "
		    "(%s) than this run's (%s)", path, desc, mine);
	else
		rc = checkpoint_fill(path, &f, net, ck, cause);
	free(mine);
out:
	safetensors_free(&f);
	return rc;
}
