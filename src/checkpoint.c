/*
 * checkpoint.c: a network in a safetensors file, and for training runs
 * the optimizer state in a file of its own (so that the checkpoint holds
 * nothing but the state_dict). Parameters and buffers are named as
 * PyTorch names the state_dict of the model the network mirrors
 * ("1.weight" is (out, in) in an nn.Sequential,
 * "layer1.0.bn1.running_mean" in a WideResNet), so the file loads into
 * that model in PyTorch and a PyTorch state_dict saved as safetensors or
 * with torch.save (pth.c) loads here by name; metadata "snnwb.net" holds
 * the architecture as JSON.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn.h"

/* Names of the optimizer state tensors, beside the network's. */
#define CHECKPOINT_M	"optim.m"
#define CHECKPOINT_V	"optim.v"

/* Adds a tensor entry (name and data borrowed) to f. */
static void
checkpoint_add(struct st_file *f, char *name, float *data, int ndim,
    const int *shape)
{
	struct st_tensor	*t = &f->t[f->n++];
	int			 i;

	memset(t, 0, sizeof *t);
	t->name = name;
	t->ndim = ndim;
	for (i = 0; i < ndim; i++)
		t->shape[i] = shape[i];
	t->data = data;
}

/*
 * Makes the tensors of f that hold integers (MPARAM_I64, such as PyTorch's
 * num_batches_tracked, kept as floats in the network) I64, their values
 * in one new block of int64_t returned for the caller to free; NULL when
 * out of memory.
 */
static int64_t *
checkpoint_i64(const struct net *net, struct st_file *f)
{
	const struct mparam	*p;
	int64_t			*block, *next;
	size_t			 j, n = 1;
	int			 i;

	for (i = 0; i < net->ntensors; i++)
		if (net->tensor[i].p->flags & MPARAM_I64)
			n += net->tensor[i].p->n;
	if ((block = mem_calloc(n, sizeof *block)) == NULL)
		return NULL;
	next = block;
	for (i = 0; i < net->ntensors; i++) {
		p = net->tensor[i].p;
		if (!(p->flags & MPARAM_I64))
			continue;
		for (j = 0; j < p->n; j++)
			next[j] = (int64_t)llround(p->data[j]);
		f->t[i].dtype = ST_I64;
		f->t[i].data = NULL;
		f->t[i].i64 = next;
		next += p->n;
	}
	return block;
}

/* Sets the counters of ck (may be NULL) as metadata of f (nmeta so far). */
static int
checkpoint_counters(const struct checkpoint *ck, char **keys, char **vals,
    int nmeta, char epoch[32], char step[32])
{
	if (ck == NULL)
		return nmeta;
	snprintf(epoch, 32, "%d", ck->epoch);
	snprintf(step, 32, "%ld", ck->step);
	keys[nmeta] = "snnwb.epoch";
	vals[nmeta++] = epoch;
	keys[nmeta] = "snnwb.optim_step";
	vals[nmeta++] = step;
	return nmeta;
}

/*
 * Writes net's parameters and buffers to path atomically, integer buffers
 * as I64 (so that PyTorch's load_state_dict takes the file). When ck is
 * not NULL its counters (epoch, step) are stored as metadata; its
 * optimizer state goes to another file (checkpoint_save_state). Metadata
 * keys and values in meta (pairs, NULL-terminated, may be NULL) are added.
 */
int
checkpoint_save(const char *path, const struct net *net,
    const struct checkpoint *ck, const char *const *meta, char **cause)
{
	struct st_file		 f;
	const struct mparam	*p;
	char			*keys[16], *vals[16], *desc;
	char			 epoch[32], step[32];
	int64_t			*i64;
	int			 i, rc, nmeta = 0;

	memset(&f, 0, sizeof f);
	if ((f.t = mem_calloc((size_t)net->ntensors + 1, sizeof *f.t)) ==
	    NULL)
		return error_set(cause, "%s: out of memory", path);
	for (i = 0; i < net->ntensors; i++) {
		p = net->tensor[i].p;
		checkpoint_add(&f, net->tensor[i].name, p->data, p->ndim,
		    p->shape);
	}
	if ((i64 = checkpoint_i64(net, &f)) == NULL) {
		mem_free(f.t);
		return error_set(cause, "%s: out of memory", path);
	}
	if ((desc = net_json_describe(net)) == NULL) {
		mem_free(i64);
		mem_free(f.t);
		return error_set(cause, "%s: out of memory", path);
	}
	keys[nmeta] = "format";
	vals[nmeta++] = "pt";
	keys[nmeta] = "snnwb.net";
	vals[nmeta++] = desc;
	nmeta = checkpoint_counters(ck, keys, vals, nmeta, epoch, step);
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
	mem_free(i64);
	mem_free(f.t);
	return rc;
}

/*
 * Writes the optimizer state of ck (ck->m and ck->v, nparams floats each)
 * with its counters to path atomically, as the tensors optim.m and
 * optim.v.
 */
int
checkpoint_save_state(const char *path, const struct net *net,
    const struct checkpoint *ck, char **cause)
{
	struct st_tensor	t[2];
	struct st_file		f;
	char			*keys[2], *vals[2], epoch[32], step[32];
	int			 n = (int)net->nparams;

	memset(&f, 0, sizeof f);
	f.t = t;
	checkpoint_add(&f, (char *)CHECKPOINT_M, ck->m, 1, &n);
	checkpoint_add(&f, (char *)CHECKPOINT_V, ck->v, 1, &n);
	f.nmeta = checkpoint_counters(ck, keys, vals, 0, epoch, step);
	f.meta_key = keys;
	f.meta_val = vals;
	return safetensors_write(path, &f, cause);
}

/* Returns nonzero when t has exactly the shape of p. */
static int
checkpoint_same_shape(const struct st_tensor *t, const struct mparam *p)
{
	int	i;

	if (t->ndim != p->ndim)
		return 0;
	for (i = 0; i < p->ndim; i++)
		if (t->shape[i] != p->shape[i])
			return 0;
	return 1;
}

/* Writes "[a, b]" for the shape of t into buf. */
static char *
checkpoint_shape(const struct st_tensor *t, char *buf, size_t len)
{
	int	shape[ST_MAXDIM], i;

	for (i = 0; i < t->ndim && i < ST_MAXDIM; i++)
		shape[i] = t->shape[i] > 0x7fffffff ? -1 : (int)t->shape[i];
	return tensor_shape_string(shape, t->ndim, buf, len);
}

/* Orders tensor pointers by name. */
static int
checkpoint_cmp_name(const void *a, const void *b)
{
	return strcmp((*(const struct st_tensor *const *)a)->name,
	    (*(const struct st_tensor *const *)b)->name);
}

/* Compares a name (the key) with a tensor pointer's name, for bsearch. */
static int
checkpoint_cmp_key(const void *key, const void *b)
{
	return strcmp(key, (*(const struct st_tensor *const *)b)->name);
}

/*
 * Returns the tensor called name among the n tensors of by (sorted by
 * name), or NULL.
 */
static const struct st_tensor *
checkpoint_find(const struct st_tensor **by, int n, const char *name)
{
	const struct st_tensor	**t;

	t = bsearch(name, by, (size_t)n, sizeof *by, checkpoint_cmp_key);
	return t != NULL ? *t : NULL;
}

/*
 * Checks that the tensor t for the parameter p has exactly p's shape and
 * only finite values.
 */
static int
checkpoint_check(const char *path, const struct st_tensor *t,
    const char *name, const struct mparam *p, char **cause)
{
	char	have[64], want[64];
	size_t	j;

	if (!checkpoint_same_shape(t, p))
		return error_set(cause, "%s: tensor \"%s\" has shape %s, the "
		    "network needs %s", path, name, checkpoint_shape(t, have,
		    sizeof have), tensor_shape_string(p->shape, p->ndim, want,
		    sizeof want));
	for (j = 0; t->dtype == ST_F32 && j < p->n; j++)
		if (!isfinite(t->data[j]))
			return error_set(cause, "%s: tensor \"%s\" holds %s at "
			    "element %zu: refused", path, name,
			    isnan(t->data[j]) ? "NaN" : "an infinity", j);
	return 0;
}

/*
 * Copies every parameter and buffer of net from f by name, checking
 * shapes exactly and values for NaN and infinities. With strict set, a
 * tensor of f that the network lacks (optimizer state aside) is an error
 * too. Names are looked up in a sorted list, so that a network of n
 * tensors loads in n log n. On failure net is unchanged.
 */
static int
checkpoint_copy_all(const char *path, const struct st_file *f,
    struct net *net, int strict, char **cause)
{
	const struct st_tensor	**by, *t;
	const struct mparam	 *p;
	char			 *used;
	size_t			  j;
	int			  i, rc = -1;

	by = mem_calloc((size_t)f->n + 1, sizeof *by);
	used = mem_calloc((size_t)f->n + 1, 1);
	if (by == NULL || used == NULL) {
		error_set(cause, "%s: out of memory", path);
		goto out;
	}
	for (i = 0; i < f->n; i++)
		by[i] = &f->t[i];
	qsort(by, (size_t)f->n, sizeof *by, checkpoint_cmp_name);
	for (i = 0; i < net->ntensors; i++) {
		if ((t = checkpoint_find(by, f->n, net->tensor[i].name)) ==
		    NULL) {
			error_set(cause, "%s: tensor \"%s\" is missing", path,
			    net->tensor[i].name);
			goto out;
		}
		if (checkpoint_check(path, t, net->tensor[i].name,
		    net->tensor[i].p, cause) != 0)
			goto out;
		used[t - f->t] = 1;
	}
	for (i = 0; strict && i < f->n; i++)
		if (!used[i] && strcmp(f->t[i].name, CHECKPOINT_M) != 0 &&
		    strcmp(f->t[i].name, CHECKPOINT_V) != 0) {
			error_set(cause, "%s: tensor \"%s\" is not in the "
			    "network", path, f->t[i].name);
			goto out;
		}
	for (i = 0; i < net->ntensors; i++) {
		p = net->tensor[i].p;
		t = checkpoint_find(by, f->n, net->tensor[i].name);
		for (j = 0; t->dtype == ST_I64 && j < p->n; j++)
			p->data[j] = (float)t->i64[j];
		if (t->dtype != ST_I64)
			memcpy(p->data, t->data, p->n * sizeof *p->data);
	}
	rc = 0;
out:
	mem_free(by);
	mem_free(used);
	return rc;
}

/* Copies the optimizer state tensor name of f into dst (n floats). */
static int
checkpoint_copy_state(const char *path, const struct st_file *f,
    const char *name, float *dst, size_t n, char **cause)
{
	const struct st_tensor	*t = safetensors_find(f, name);

	if (t == NULL || dst == NULL)
		return 0;
	if (t->dtype != ST_F32 || t->ndim != 1 || (size_t)t->shape[0] != n)
		return error_set(cause, "%s: tensor \"%s\" has %zu values, "
		    "the network has %zu parameters", path, name,
		    safetensors_numel(t), n);
	memcpy(dst, t->data, n * sizeof *dst);
	return 0;
}

/* Returns the architecture metadata of f, or NULL with *cause set. */
static const char *
checkpoint_desc(const char *path, const struct st_file *f, char **cause)
{
	const char	*desc = safetensors_meta(f, "snnwb.net");

	if (desc == NULL)
		error_set(cause, "%s: no \"snnwb.net\" metadata: not an snnwb "
		    "checkpoint (net:load reads a state_dict into a network "
		    "built first)", path);
	return desc;
}

/*
 * Loads a network from path; returns NULL with *cause set on error. Its
 * description may declare no more values than the file's tensors hold,
 * so a crafted one cannot allocate more than the file's size.
 */
struct net *
checkpoint_load(const char *path, char **cause)
{
	struct st_file	 f;
	struct net	*net = NULL;
	const char	*desc;
	char		*why = NULL;
	size_t		 values;
	int		 i;

	if (pth_is_zip(path)) {
		error_set(cause, "%s: a PyTorch checkpoint holds no "
		    "architecture: build the network and call net:load", path);
		return NULL;
	}
	if (safetensors_read(path, &f, cause) != 0)
		return NULL;
	if ((desc = checkpoint_desc(path, &f, cause)) == NULL)
		goto out;
	for (i = 0, values = 0; i < f.n; i++)
		values += safetensors_numel(&f.t[i]);
	module_set_budget(values);
	net = net_json_build(desc, &why);
	module_set_budget(SIZE_MAX);
	if (net == NULL) {
		error_set(cause, "%s: %s", path, why);
		free(why);
		goto out;
	}
	if (checkpoint_copy_all(path, &f, net, 0, cause) != 0) {
		net_free(net);
		net = NULL;
	}
out:
	safetensors_free(&f);
	return net;
}

/*
 * Loads the parameters and buffers of a state_dict in path (a snnwb
 * checkpoint, any safetensors file of named tensors, or a zip that
 * PyTorch's torch.save wrote, read by pth.c) into net by name; every
 * tensor of net must be there with its exact shape, and with strict set
 * nothing else may be. On failure net is unchanged.
 */
int
checkpoint_load_state(const char *path, struct net *net, int strict,
    char **cause)
{
	struct st_file	f;
	int		rc;

	if ((pth_is_zip(path) ? pth_read(path, &f, cause) :
	    safetensors_read(path, &f, cause)) != 0)
		return -1;
	rc = checkpoint_copy_all(path, &f, net, strict, cause);
	safetensors_free(&f);
	return rc;
}

/*
 * Reads the counter key of f (decimal digits, at most max) into *out;
 * anything else, a missing key included, is refused naming path.
 */
static int
checkpoint_counter(const char *path, const struct st_file *f,
    const char *key, long max, long *out, char **cause)
{
	const char	*s = safetensors_meta(f, key);
	char		*end;

	if (s == NULL)
		return error_set(cause, "%s: no \"%s\" metadata: not a "
		    "checkpoint of a training run", path, key);
	errno = 0;
	*out = strtol(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 ||
	    *out > max)
		return error_set(cause, "%s: \"%s\" is \"%.32s\", not a count "
		    "from 0 to %ld: the file is damaged or was not written by "
		    "a training run", path, key, s, max);
	return 0;
}

/* Reads the counters of a training checkpoint f into ck. */
static int
checkpoint_read_counters(const char *path, const struct st_file *f,
    struct checkpoint *ck, char **cause)
{
	long	epoch;

	if (checkpoint_counter(path, f, "snnwb.epoch", INT_MAX, &epoch,
	    cause) != 0 || checkpoint_counter(path, f, "snnwb.optim_step",
	    LONG_MAX, &ck->step, cause) != 0)
		return -1;
	ck->epoch = (int)epoch;
	return 0;
}

/*
 * Restores net (which must have the architecture stored in path) and its
 * counters in ck (may be NULL) from a checkpoint, to resume a run; a
 * checkpoint of an older version that holds the optimizer state too
 * restores it (ck->m and ck->v, either may be NULL) and sets
 * ck->has_state. Counters that are not plain counts are refused.
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
	if (ck != NULL && checkpoint_read_counters(path, &f, ck, cause) != 0)
		goto out;
	if ((mine = net_json_describe(net)) == NULL) {
		error_set(cause, "%s: out of memory", path);
		goto out;
	}
	if (strcmp(mine, desc) != 0)
		error_set(cause, "%s: the checkpoint holds another network "
		    "(%s) than this run's (%s)", path, desc, mine);
	else if (checkpoint_copy_all(path, &f, net, 0, cause) == 0 &&
	    (ck == NULL || (checkpoint_copy_state(path, &f, CHECKPOINT_M,
	    ck->m, net->nparams, cause) == 0 && checkpoint_copy_state(path,
	    &f, CHECKPOINT_V, ck->v, net->nparams, cause) == 0)))
		rc = 0;
	free(mine);
	if (rc == 0 && ck != NULL)
		ck->has_state = safetensors_find(&f, CHECKPOINT_M) != NULL;
out:
	safetensors_free(&f);
	return rc;
}

/*
 * Restores the optimizer state ck->m and ck->v (nparams floats each) from
 * path, which checkpoint_save_state wrote at the epoch and step that ck
 * holds already (from the checkpoint); sets ck->has_state.
 */
int
checkpoint_restore_state(const char *path, const struct net *net,
    struct checkpoint *ck, char **cause)
{
	struct checkpoint	 at;
	struct st_file		 f;
	int			 rc = -1;

	if (safetensors_read(path, &f, cause) != 0)
		return -1;
	if (checkpoint_read_counters(path, &f, &at, cause) != 0)
		goto out;
	if (at.epoch != ck->epoch || at.step != ck->step)
		error_set(cause, "%s: the optimizer state of epoch %d (step "
		    "%ld), not of the checkpoint's epoch %d (step %ld)", path,
		    at.epoch, at.step, ck->epoch, ck->step);
	else if (safetensors_find(&f, CHECKPOINT_M) == NULL ||
	    safetensors_find(&f, CHECKPOINT_V) == NULL)
		error_set(cause, "%s: no tensors \"%s\" and \"%s\"", path,
		    CHECKPOINT_M, CHECKPOINT_V);
	else if (checkpoint_copy_state(path, &f, CHECKPOINT_M, ck->m,
	    net->nparams, cause) == 0 && checkpoint_copy_state(path, &f,
	    CHECKPOINT_V, ck->v, net->nparams, cause) == 0) {
		ck->has_state = 1;
		rc = 0;
	}
out:
	safetensors_free(&f);
	return rc;
}
