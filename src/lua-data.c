/*
 * lua-data.c: data sets in Lua. snn.data.nmnist loads a split of N-MNIST
 * recordings (cached by the engine) and integrates frames on the fly;
 * snn.data.mnist serves MNIST-format images as T steps of input;
 * snn.data.cifar10 serves CIFAR-10 images normalised, and augmented on the
 * loader's thread for training. A data
 * set may be a subset of another (ds:split, ds:select, subset=): it then
 * keeps its parent alive through its uservalue and shares the parent's
 * samples. Ownership: closing a data set makes it unusable at once, but
 * what it owns is freed only when no open subset and no job uses it any
 * more; closing one that a job uses raises "busy".
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lua-snn.h"

/*
 * A data set userdata; a subset's src/opts point into its parent. Its
 * uservalue is the folder it was read from, or a subset's parent.
 */
struct lsnn_data {
	struct dataset		 ds;
	struct eventset		 es;		/* N-MNIST, when owned */
	struct frames_opts	 fo;
	struct mnist_set	 ms;		/* MNIST, when owned */
	struct mnist_enc	 enc;
	struct cifar10_set	 cs;		/* CIFAR-10, when owned */
	struct cifar10_opts	 co;
	int			 owns_es;
	int			 owns_ms;
	int			 owns_cs;
	uint32_t		*index;		/* (nindex) samples, or NULL */
	size_t			 nindex;
	const uint32_t		*ids;		/* (ds.n) file ids or NULL */
	char			*json;		/* description for config.json */
	struct lsnn_data	*parent;	/* a subset's, until freed */
	int			 children;	/* subsets not yet freed */
	int			 users;		/* jobs using it */
	int			 user;		/* the last of them */
	int			 closed;
};

/* Pushes an empty data set userdata (nothing owned yet). */
static struct lsnn_data *
lsnn_data_push(lua_State *L)
{
	struct lsnn_data	*d;

	d = lua_newuserdatauv(L, sizeof *d, 1);
	memset(d, 0, sizeof *d);
	luaL_setmetatable(L, LSNN_DATA);
	return d;
}

/*
 * Frees what the closed data set d owns once no subset and no job uses it
 * any more, then lets go of its parent (which may be freed in turn).
 */
static void
lsnn_data_drop(struct lsnn_data *d)
{
	struct lsnn_data	*parent;

	while (d != NULL && d->closed && d->children == 0 && d->users == 0) {
		if (d->owns_es)
			data_nmnist_free(&d->es);
		if (d->owns_ms)
			data_mnist_free(&d->ms);
		if (d->owns_cs)
			data_cifar10_free(&d->cs);
		d->owns_es = d->owns_ms = d->owns_cs = 0;
		mem_free(d->index);
		d->index = NULL;
		free(d->json);
		d->json = NULL;
		parent = d->parent;
		d->parent = NULL;
		if (parent != NULL)
			parent->children--;
		d = parent;
	}
}

/*
 * __gc: closes the data set (every use of it raises from then on) and
 * frees what it owns unless a subset or a job still uses it (then the
 * last of them frees it).
 */
static int
lsnn_data_gc(lua_State *L)
{
	struct lsnn_data	*d = luaL_checkudata(L, 1, LSNN_DATA);

	d->closed = 1;
	d->ds.n = 0;
	lsnn_data_drop(d);
	return 0;
}

/* __close: as __gc, but raises "busy" while a job uses the data set. */
static int
lsnn_data_close(lua_State *L)
{
	struct lsnn_data	*d = luaL_checkudata(L, 1, LSNN_DATA);

	if (d->users > 0)
		return luaL_error(L, "data set: busy: job %d uses it",
		    d->user);
	return lsnn_data_gc(L);
}

/*
 * Marks the data set at idx as used by job (use 1) until the job lets go
 * of it (use 0): closing it raises meanwhile, and what it owns outlives
 * the job.
 */
void
lsnn_data_use(lua_State *L, int idx, int job, int use)
{
	struct lsnn_data	*d = luaL_checkudata(L, idx, LSNN_DATA);

	if (use) {
		d->users++;
		d->user = job;
	} else if (d->users > 0) {
		d->users--;
		lsnn_data_drop(d);
	}
}

/*
 * Returns the data set userdata at idx for the method fn, raising when it
 * is not one or is closed.
 */
static struct lsnn_data *
lsnn_data_self(lua_State *L, int idx, const char *fn)
{
	struct lsnn_data	*d = luaL_testudata(L, idx, LSNN_DATA);

	if (d == NULL)
		lsnn_argerror(L, fn, "self", "must be a data set (got %s)",
		    luaL_typename(L, idx));
	if (d->closed)
		luaL_error(L, "%s: the data set is closed", fn);
	return d;
}

/*
 * Returns the data set at idx (raising an error naming fn and arg), with
 * its sample list (*index NULL: all) and its JSON description.
 */
const struct dataset *
lsnn_data_check(lua_State *L, int idx, const char *fn, const char *arg,
    const uint32_t **index, size_t *nindex, const char **json)
{
	struct lsnn_data	*d = luaL_testudata(L, idx, LSNN_DATA);

	if (d == NULL)
		lsnn_argerror(L, fn, arg, "must be a data set (got %s)",
		    luaL_typename(L, idx));
	if (d->closed)
		lsnn_argerror(L, fn, arg, "is a closed data set");
	*index = d->index;
	*nindex = d->index != NULL ? d->nindex : d->ds.n;
	if (json != NULL)
		*json = d->json;
	return &d->ds;
}

/* Returns the number of samples a data set userdata serves. */
static size_t
lsnn_data_len(const struct lsnn_data *d)
{
	return d->index != NULL ? d->nindex : d->ds.n;
}

/* Returns the sample (0-based, of the whole set) at position i of d. */
static uint32_t
lsnn_data_sample(const struct lsnn_data *d, size_t i)
{
	return d->index != NULL ? d->index[i] : (uint32_t)i;
}

/*
 * Pushes the data root for set: options[key] if given, else the first of
 * $SNNWB_DATA/set, $SNNWB_DATA and ${XDG_DATA_HOME:-~/.local/share}/
 * snnwb/set that holds one of the marker folders or files; raises an error
 * saying where it looked and how to get the data when none does.
 */
static const char *
lsnn_data_root(lua_State *L, int opt, const char *fn, const char *key,
    const char *set, const char *const *markers, const char *howto)
{
	const char	*root, *env, *home, *cand[3];
	char		 buf[3][4096], sub[4200];
	int		 i, n = 0, m;
	luaL_Buffer	 b;

	if ((root = lsnn_opt_string(L, opt, fn, key, NULL)) != NULL) {
		if (*root == '\0')
			lsnn_argerror(L, fn, key, "is an empty folder name");
		return root;
	}
	if ((env = getenv("SNNWB_DATA")) != NULL && *env != '\0') {
		snprintf(buf[n], sizeof buf[n], "%s/%s", env, set);
		cand[n] = buf[n];
		n++;
		snprintf(buf[n], sizeof buf[n], "%s", env);
		cand[n] = buf[n];
		n++;
	}
	if ((env = getenv("XDG_DATA_HOME")) != NULL && *env != '\0')
		snprintf(buf[n], sizeof buf[n], "%s/snnwb/%s", env, set);
	else {
		home = getenv("HOME");
		snprintf(buf[n], sizeof buf[n], "%s/.local/share/snnwb/%s",
		    home != NULL ? home : "", set);
	}
	cand[n] = buf[n];
	n++;
	for (i = 0; i < n; i++)
		for (m = 0; markers[m] != NULL; m++) {
			snprintf(sub, sizeof sub, "%s/%s", cand[i],
			    markers[m]);
			if (access(sub, R_OK) == 0) {
				lua_pushstring(L, cand[i]);
				return lua_tostring(L, -1);
			}
		}
	luaL_buffinit(L, &b);
	luaL_addstring(&b, "no data found (looked in ");
	for (i = 0; i < n; i++) {
		luaL_addstring(&b, i > 0 ? ", " : "");
		luaL_addstring(&b, cand[i]);
	}
	luaL_addstring(&b, "); give root= or set SNNWB_DATA, ");
	luaL_addstring(&b, howto);
	luaL_pushresult(&b);
	luaL_error(L, "%s: %s", fn, lua_tostring(L, -1));
	return NULL;
}

/*
 * Pushes and returns the root of an MNIST-format set: options[key] at opt
 * if given, else found as lsnn_data_root finds the "mnist" set.
 */
const char *
lsnn_data_mnist_root(lua_State *L, int opt, const char *fn, const char *key)
{
	static const char *const	 markers[] = {
		"train-images-idx3-ubyte", "train-images-idx3-ubyte.gz",
		"t10k-images-idx3-ubyte", "t10k-images-idx3-ubyte.gz", NULL };

	return lsnn_data_root(L, opt, fn, key, "mnist", markers,
	    "or fetch MNIST with datasets/fetch mnist DIR");
}

/* Draws the loading progress line on stderr (a data_nmnist progress hook). */
static void
lsnn_data_progress(size_t done, size_t total, void *arg)
{
	lsnn_progress("%s: %zu/%zu recordings", (const char *)arg, done,
	    total);
	if (done == total)
		lsnn_progress_end();
}

/*
 * Returns s as a JSON string literal, escaped by Jansson, for a data
 * set's description; "null" when s is not UTF-8. The caller frees it.
 */
static char *
lsnn_data_json_string(const char *s)
{
	json_t	*j = json_string(s);
	char	*text;

	text = j != NULL ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
	json_decref(j);
	return text != NULL ? text : strdup("null");
}

/*
 * Applies the subset= option at opt (a count, or {n=, random=, seed=,
 * classes={...}}) to d, making its sample list.
 */
static void
lsnn_data_subset(lua_State *L, int opt, const char *fn, struct lsnn_data *d)
{
	static const char *const	 known[] = { "n", "random", "seed",
					     "classes", NULL };
	struct subset			 s;
	char				*cause = NULL;
	lua_Integer			 c;
	int				 i, t, isint;

	if (lua_isnoneornil(L, opt) ||
	    (t = lua_getfield(L, opt, "subset")) == LUA_TNIL) {
		if (!lua_isnoneornil(L, opt))
			lua_pop(L, 1);
		return;
	}
	memset(&s, 0, sizeof s);
	if (t == LUA_TNUMBER)
		s.n = (size_t)lsnn_check_positive(L, -1, fn, "subset");
	else if (t == LUA_TTABLE) {
		lsnn_check_options(L, -1, fn, known);
		s.n = (size_t)lsnn_opt_positive(L, -1, fn, "n", 0);
		s.random = lsnn_opt_boolean(L, -1, fn, "random", 0);
		s.seed = (uint64_t)lsnn_opt_number(L, -1, fn, "seed",
		    (lua_Number)lsnn_default_seed(L));
		if (lua_getfield(L, -1, "classes") == LUA_TTABLE) {
			for (i = 1; lua_rawgeti(L, -1, i) != LUA_TNIL; i++) {
				c = lua_tointegerx(L, -1, &isint);
				if (!isint || c < 0 || c > 31)
					lsnn_argerror(L, fn, "subset.classes",
					    "holds %s, not a class 0..31",
					    luaL_tolstring(L, -1, NULL));
				s.classes |= 1u << c;
				lua_pop(L, 1);
			}
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
	} else
		lsnn_argerror(L, fn, "subset", "must be a count or a table "
		    "(got %s)", luaL_typename(L, -1));
	lua_pop(L, 1);
	if (data_loader_subset(&d->ds, &s, &d->index, &d->nindex, &cause) != 0)
		lsnn_error(L, fn, cause);
}

/*
 * Returns fn's option duration (microseconds, default def when absent), a
 * whole number from 1 to 2^32 - 1.
 */
static uint32_t
lsnn_data_duration(lua_State *L, const char *fn, uint32_t def)
{
	lua_Number	v;

	if (lua_isnoneornil(L, 1))
		return def;
	if (lua_getfield(L, 1, "duration") == LUA_TNIL) {
		lua_pop(L, 1);
		return def;
	}
	v = lsnn_check_number(L, -1, fn, "duration");
	lua_pop(L, 1);
	if (!(v >= 1 && v <= UINT32_MAX) || v != floor(v))
		lsnn_argerror(L, fn, "duration", "must be a whole number of "
		    "microseconds, 1 to 4294967295 (got %s)",
		    lua_pushfstring(L, "%f", v));
	return (uint32_t)v;
}

/* snn.data.nmnist{root=, split=, frames=, split_by=, ...}: N-MNIST frames. */
static int
lsnn_data_nmnist(lua_State *L)
{
	static const char *const	 known[] = { "root", "split", "frames",
					     "split_by", "duration", "binary",
					     "divide", "subset", "cache", NULL };
	static const char *const	 markers[] = { "Train", "Test",
					     "extract", NULL };
	const char			*fn = "snn.data.nmnist", *root;
	const char			*split;
	struct data_nmnist_options	 o;
	struct data_nmnist_stats	 st;
	struct lsnn_data		*d;
	char				*cause = NULL, *quoted, label[64];

	lsnn_check_options(L, 1, fn, known);
	split = lsnn_opt_string(L, 1, fn, "split", "train");
	root = lsnn_data_root(L, 1, fn, "root", "nmnist", markers,
	    "unpack the official zips with datasets/fetch nmnist --from DIR, "
	    "or simulate recordings with datasets/simulate-nmnist DIR");
	d = lsnn_data_push(L);
	lua_pushstring(L, root);
	lua_setiuservalue(L, -2, 1);
	data_frames_defaults(&d->fo);
	d->fo.T = lsnn_opt_positive(L, 1, fn, "frames", 10);
	if (data_frames_set_split(&d->fo, lsnn_opt_string(L, 1, fn,
	    "split_by", "number"), &cause) != 0)
		return lsnn_error(L, fn, cause);
	d->fo.duration_us = lsnn_data_duration(L, fn, d->fo.duration_us);
	d->fo.binary = lsnn_opt_boolean(L, 1, fn, "binary", 0);
	d->fo.divide = (float)lsnn_opt_number(L, 1, fn, "divide", 1);
	if (data_frames_validate(&d->fo, &cause) != 0)
		return lsnn_error(L, fn, cause);
	memset(&o, 0, sizeof o);
	o.no_cache = !lsnn_opt_boolean(L, 1, fn, "cache", 1);
	snprintf(label, sizeof label, "loading N-MNIST %s", split);
	if (lsnn_progress_wanted(L)) {
		o.progress = lsnn_data_progress;
		o.arg = label;
	}
	memset(&st, 0, sizeof st);
	if (data_nmnist_load(root, split, &o, &d->es, &st, &cause) != 0)
		return lsnn_error(L, fn, cause);
	d->owns_es = 1;
	if (st.warning != NULL) {
		lsnn_warn(L, "%s: %s", fn, st.warning);
		free(st.warning);
	}
	if (st.backwards_files > 0)
		lsnn_warn(L, "%s: %I recordings had timestamps going "
		    "backwards; their events were sorted", fn,
		    (lua_Integer)st.backwards_files);
	if (data_loader_eventset(&d->ds, &d->es, &d->fo, &cause) != 0)
		return lsnn_error(L, fn, cause);
	d->ids = d->es.id;
	lsnn_data_subset(L, 1, fn, d);
	quoted = lsnn_data_json_string(root);
	d->json = error_printf("{\"set\": \"nmnist\", \"root\": %s, "
	    "\"split\": \"%s\", \"frames\": %d, \"split_by\": \"%s\", "
	    "\"duration_us\": %u, \"binary\": %s, \"divide\": %g, "
	    "\"samples\": %zu}", quoted, split, d->fo.T,
	    data_frames_split_name(d->fo.split), d->fo.duration_us,
	    d->fo.binary ? "true" : "false", (double)d->fo.divide,
	    lsnn_data_len(d));
	free(quoted);
	return 1;
}

/*
 * snn.data.cifar10_dvs{root=, split=, frames=, split_by=, size=,
 * train_ratio=, random_split=, seed=, subset=, cache=}: CIFAR10-DVS frames.
 */
static int
lsnn_data_cifar10_dvs(lua_State *L)
{
	static const char *const	 known[] = { "root", "split", "frames",
					     "split_by", "size", "train_ratio",
					     "random_split", "seed", "subset",
					     "cache", NULL };
	static const char *const	 markers[] = { "airplane", "truck",
					     NULL };
	const char			*fn = "snn.data.cifar10_dvs", *root;
	struct data_aedat_opts		 o;
	struct data_nmnist_stats	 st;
	struct lsnn_data		*d;
	char				*cause = NULL, *quoted, label[64];
	int				 size;

	lsnn_check_options(L, 1, fn, known);
	data_aedat_defaults(&o);
	o.split = lsnn_opt_string(L, 1, fn, "split", "train");
	o.train_ratio = lsnn_opt_number(L, 1, fn, "train_ratio", 0.9);
	o.random_split = lsnn_opt_boolean(L, 1, fn, "random_split", 0);
	o.seed = (uint64_t)lsnn_opt_number(L, 1, fn, "seed",
	    (lua_Number)lsnn_default_seed(L));
	o.no_cache = !lsnn_opt_boolean(L, 1, fn, "cache", 1);
	size = lsnn_opt_positive(L, 1, fn, "size", DATA_AEDAT_SIDE);
	if (size > DATA_AEDAT_SIDE)
		lsnn_argerror(L, fn, "size", "must be 1 to %d (got %d)",
		    DATA_AEDAT_SIDE, size);
	if (data_aedat_validate(&o, &cause) != 0)
		return lsnn_error(L, fn, cause);
	root = lsnn_data_root(L, 1, fn, "root", "cifar10-dvs", markers,
	    "unpack the published zips with datasets/fetch cifar10-dvs "
	    "--from DIR, or simulate recordings with "
	    "datasets/simulate-cifar10-dvs DIR");
	d = lsnn_data_push(L);
	lua_pushstring(L, root);
	lua_setiuservalue(L, -2, 1);
	data_frames_defaults(&d->fo);
	d->fo.T = lsnn_opt_positive(L, 1, fn, "frames", 10);
	if (data_frames_set_split(&d->fo, lsnn_opt_string(L, 1, fn,
	    "split_by", "number"), &cause) != 0)
		return lsnn_error(L, fn, cause);
	if (d->fo.split == FRAMES_BY_DURATION)
		lsnn_argerror(L, fn, "split_by", "must be \"number\" or "
		    "\"time\"");
	snprintf(label, sizeof label, "loading CIFAR10-DVS %s", o.split);
	if (lsnn_progress_wanted(L)) {
		o.progress = lsnn_data_progress;
		o.arg = label;
	}
	memset(&st, 0, sizeof st);
	if (data_aedat_load(root, &o, &d->es, &st, &cause) != 0)
		return lsnn_error(L, fn, cause);
	d->owns_es = 1;
	if (st.warning != NULL) {
		lsnn_warn(L, "%s: %s", fn, st.warning);
		free(st.warning);
	}
	if (st.backwards_files > 0)
		lsnn_warn(L, "%s: %I recordings had timestamps going "
		    "backwards; their events were sorted", fn,
		    (lua_Integer)st.backwards_files);
	if (data_aedat_dataset(&d->ds, &d->es, &d->fo, size, &cause) != 0)
		return lsnn_error(L, fn, cause);
	d->ids = d->es.id;
	lsnn_data_subset(L, 1, fn, d);
	quoted = lsnn_data_json_string(root);
	d->json = error_printf("{\"set\": \"cifar10_dvs\", \"root\": "
	    "%s, \"split\": \"%s\", \"train_ratio\": %.17g, "
	    "\"random_split\": %s, \"seed\": %llu, \"frames\": %d, "
	    "\"split_by\": \"%s\", \"size\": %d, \"samples\": %zu}", quoted,
	    o.split, o.train_ratio, o.random_split ? "true" : "false",
	    (unsigned long long)o.seed, d->fo.T,
	    data_frames_split_name(d->fo.split), size, lsnn_data_len(d));
	free(quoted);
	return 1;
}

/* snn.data.mnist{root=, split=, T=, encoding=, seed=, subset=}: images. */
static int
lsnn_data_mnist(lua_State *L)
{
	static const char *const	 known[] = { "root", "split", "T",
					     "encoding", "seed", "subset",
					     NULL };
	const char			*fn = "snn.data.mnist", *root, *split;
	const char			*enc;
	struct lsnn_data		*d;
	char				*cause = NULL, *quoted;

	lsnn_check_options(L, 1, fn, known);
	split = lsnn_opt_string(L, 1, fn, "split", "train");
	root = lsnn_data_mnist_root(L, 1, fn, "root");
	d = lsnn_data_push(L);
	lua_pushstring(L, root);
	lua_setiuservalue(L, -2, 1);
	d->enc.T = lsnn_opt_positive(L, 1, fn, "T", 1);
	enc = lsnn_opt_string(L, 1, fn, "encoding", "direct");
	if (strcmp(enc, "poisson") == 0)
		d->enc.poisson = 1;
	else if (strcmp(enc, "direct") != 0)
		lsnn_argerror(L, fn, "encoding", "must be \"direct\" or "
		    "\"poisson\" (got \"%s\")", enc);
	d->enc.seed = (uint64_t)lsnn_opt_number(L, 1, fn, "seed",
	    (lua_Number)lsnn_default_seed(L));
	if (data_mnist_load(root, split, &d->ms, &cause) != 0)
		return lsnn_error(L, fn, cause);
	d->owns_ms = 1;
	if (data_mnist_dataset(&d->ds, &d->ms, &d->enc, &cause) != 0)
		return lsnn_error(L, fn, cause);
	lsnn_data_subset(L, 1, fn, d);
	quoted = lsnn_data_json_string(root);
	d->json = error_printf("{\"set\": \"mnist\", \"root\": %s, "
	    "\"split\": \"%s\", \"T\": %d, \"encoding\": \"%s\", "
	    "\"seed\": %llu, \"samples\": %zu}", quoted, split, d->enc.T, enc,
	    (unsigned long long)d->enc.seed, lsnn_data_len(d));
	free(quoted);
	return 1;
}

/*
 * snn.data.cifar10{root=, split=, augment=, seed=, subset=}: CIFAR-10
 * images, normalised, cropped and flipped at random when augmented.
 */
static int
lsnn_data_cifar10(lua_State *L)
{
	static const char *const	 known[] = { "root", "split", "augment",
					     "seed", "subset", NULL };
	static const char *const	 markers[] = { "cifar-10-batches-bin",
					     "data_batch_1.bin",
					     "data_batch_1.bin.gz",
					     "test_batch.bin",
					     "test_batch.bin.gz", NULL };
	const char			*fn = "snn.data.cifar10", *root, *split;
	struct lsnn_data		*d;
	char				*cause = NULL, *quoted;

	lsnn_check_options(L, 1, fn, known);
	split = lsnn_opt_string(L, 1, fn, "split", "train");
	if (strcmp(split, "train") != 0 && strcmp(split, "test") != 0)
		lsnn_argerror(L, fn, "split", "must be \"train\" or \"test\" "
		    "(got \"%s\")", split);
	root = lsnn_data_root(L, 1, fn, "root", "cifar10", markers,
	    "or fetch CIFAR-10 with datasets/fetch cifar10 DIR");
	d = lsnn_data_push(L);
	lua_pushstring(L, root);
	lua_setiuservalue(L, -2, 1);
	d->co.augment = lsnn_opt_boolean(L, 1, fn, "augment",
	    strcmp(split, "train") == 0);
	d->co.seed = (uint64_t)lsnn_opt_number(L, 1, fn, "seed",
	    (lua_Number)lsnn_default_seed(L));
	if (data_cifar10_load(root, split, &d->cs, &cause) != 0)
		return lsnn_error(L, fn, cause);
	d->owns_cs = 1;
	if (data_cifar10_dataset(&d->ds, &d->cs, &d->co, &cause) != 0)
		return lsnn_error(L, fn, cause);
	lsnn_data_subset(L, 1, fn, d);
	quoted = lsnn_data_json_string(root);
	d->json = error_printf("{\"set\": \"cifar10\", \"root\": %s, "
	    "\"split\": \"%s\", \"augment\": %s, \"seed\": %llu, "
	    "\"samples\": %zu}", quoted, split, d->co.augment ? "true" :
	    "false", (unsigned long long)d->co.seed, lsnn_data_len(d));
	free(quoted);
	return 1;
}

/* __len: the number of samples. */
static int
lsnn_data_length(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)lsnn_data_len(lsnn_data_self(L, 1,
	    "#ds")));
	return 1;
}

/*
 * ds:get(i [, epoch]): sample i's input [T, C, H, W] (a new tensor) and its
 * label; with an epoch, augmented as the loader makes it in that epoch.
 */
static int
lsnn_data_get(lua_State *L)
{
	struct lsnn_data	*d = lsnn_data_self(L, 1, "ds:get");
	struct lsnn_tensor	*t;
	lua_Integer		 i, epoch = -1;
	size_t			 s;
	char			*cause = NULL;
	int			 shape[4];

	i = lsnn_check_positive(L, 2, "ds:get", "i");
	if (!lua_isnoneornil(L, 3))
		epoch = lsnn_check_seed(L, 3, "ds:get", "epoch");
	if ((size_t)i > lsnn_data_len(d))
		return luaL_error(L, "ds:get: index %I out of range 1..%I", i,
		    (lua_Integer)lsnn_data_len(d));
	s = lsnn_data_sample(d, (size_t)i - 1);
	shape[0] = d->ds.T;
	shape[1] = d->ds.channels;
	shape[2] = d->ds.height;
	shape[3] = d->ds.width;
	t = lsnn_tensor_push(L, 4, shape);
	if (d->ds.fill(&d->ds, s, t->t.data, data_loader_step_size(&d->ds),
	    &cause) != 0)
		return lsnn_error(L, "data set", cause);
	if (epoch >= 0 && d->ds.augment != NULL)
		d->ds.augment(&d->ds, s, (int)epoch, t->t.data,
		    data_loader_step_size(&d->ds));
	lua_pushinteger(L, d->ds.label[s]);
	return 2;
}

/*
 * __index: ds[i] is the table {x, label} of sample i (x also as .x, label
 * also as .label); other keys look up the methods (upvalue 1).
 */
static int
lsnn_data_index(lua_State *L)
{
	if (lua_type(L, 2) != LUA_TNUMBER) {
		lua_settop(L, 2);
		lua_rawget(L, lua_upvalueindex(1));
		return 1;
	}
	lua_settop(L, 2);
	lsnn_data_get(L);
	lua_createtable(L, 2, 2);
	lua_pushvalue(L, -3);
	lua_rawseti(L, -2, 1);
	lua_pushvalue(L, -2);
	lua_rawseti(L, -2, 2);
	lua_pushvalue(L, -3);
	lua_setfield(L, -2, "x");
	lua_pushvalue(L, -2);
	lua_setfield(L, -2, "label");
	return 1;
}

/*
 * Pushes a subset of the data set d at idx serving the samples index (n,
 * taken over), described by json (taken over, may be NULL); it shares d's
 * samples and keeps d alive.
 */
static void
lsnn_data_push_subset(lua_State *L, int idx, struct lsnn_data *d,
    uint32_t *index, size_t n, char *json)
{
	struct lsnn_data	*part;

	idx = lua_absindex(L, idx);
	part = lsnn_data_push(L);
	part->ds = d->ds;
	part->ids = d->ids;
	part->index = index;
	part->nindex = n;
	part->json = json;
	part->parent = d;
	d->children++;
	lua_pushvalue(L, idx);
	lua_setiuservalue(L, -2, 1);
}

/*
 * ds:split(k [, {seed=}]): two subsets, the first with k samples (or the
 * fraction k when 0 < k < 1) drawn at random by seed, the second the rest;
 * both share this set's samples.
 */
static int
lsnn_data_split(lua_State *L)
{
	static const char *const	 known[] = { "seed", NULL };
	const char			*fn = "ds:split";
	struct lsnn_data		*d = lsnn_data_self(L, 1, fn);
	struct rng			 r;
	uint32_t			*all, *part;
	size_t				 n = lsnn_data_len(d), k, i, len;
	lua_Integer			 seed;
	lua_Number			 want;
	int				 p;

	want = lsnn_check_number(L, 2, fn, "k");
	lsnn_check_options(L, 3, fn, known);
	if (want >= 1 && want != floor(want))
		return lsnn_argerror(L, fn, "k", "must be a whole count of "
		    "samples or a fraction in (0, 1) (got %s)",
		    luaL_tolstring(L, 2, NULL));
	k = 0;
	if (want > 0 && want < 1)
		k = (size_t)(want * (double)n + 0.5);
	else if (want >= 1 && want < (double)n)
		k = (size_t)want;
	if (k == 0 || k >= n)
		return lsnn_argerror(L, fn, "k", "must leave samples on both "
		    "sides of this set of %I: a fraction in (0, 1) or a count "
		    "1..%I (got %s)", (lua_Integer)n, (lua_Integer)n - 1,
		    luaL_tolstring(L, 2, NULL));
	seed = (lua_Integer)lsnn_opt_number(L, 3, fn, "seed",
	    (lua_Number)lsnn_default_seed(L));
	rng_seed(&r, (uint64_t)seed);
	if ((all = mem_alloc(n * sizeof *all)) == NULL)
		return luaL_error(L, "%s: out of memory", fn);
	for (i = 0; i < n; i++)
		all[i] = lsnn_data_sample(d, i);
	rng_shuffle(&r, all, n);
	for (p = 0; p < 2; p++) {
		len = p == 0 ? k : n - k;
		if ((part = mem_alloc(len * sizeof *part)) == NULL) {
			mem_free(all);
			return luaL_error(L, "%s: out of memory", fn);
		}
		memcpy(part, all + (p == 0 ? 0 : k), len * sizeof *part);
		lsnn_data_push_subset(L, 1, d, part, len, error_printf(
		    "{\"subset_of\": %s, \"part\": %d, \"seed\": %llu, "
		    "\"samples\": %zu}", d->json != NULL ? d->json : "null",
		    p + 1, (unsigned long long)seed, len));
	}
	mem_free(all);
	return 2;
}

/*
 * ds:select(list): a subset of the samples at the 1-based positions in
 * list, in its order; it shares this set's samples.
 */
static int
lsnn_data_select(lua_State *L)
{
	const char		*fn = "ds:select";
	struct lsnn_data	*d = lsnn_data_self(L, 1, fn);
	uint32_t		*index;
	size_t			 n = lsnn_data_len(d), len, i;
	lua_Integer		 pos;
	int			 isint;

	if (!lua_istable(L, 2))
		return lsnn_argerror(L, fn, "list", "must be a table of "
		    "positions (got %s)", luaL_typename(L, 2));
	if ((len = (size_t)luaL_len(L, 2)) == 0)
		return lsnn_argerror(L, fn, "list", "must hold at least one "
		    "position");
	for (i = 1; i <= len; i++) {
		lua_rawgeti(L, 2, (lua_Integer)i);
		pos = lua_tointegerx(L, -1, &isint);
		if (!isint || pos < 1 || (size_t)pos > n)
			return lsnn_argerror(L, fn, "list", "holds %s at %d, "
			    "not a position 1..%d", luaL_tolstring(L, -1,
			    NULL), (int)i, (int)n);
		lua_pop(L, 1);
	}
	if ((index = mem_alloc(len * sizeof *index)) == NULL)
		return luaL_error(L, "%s: out of memory", fn);
	for (i = 0; i < len; i++) {
		lua_rawgeti(L, 2, (lua_Integer)i + 1);
		index[i] = lsnn_data_sample(d, (size_t)lua_tointeger(L, -1) -
		    1);
		lua_pop(L, 1);
	}
	lsnn_data_push_subset(L, 1, d, index, len, error_printf(
	    "{\"selected_from\": %s, \"samples\": %zu}", d->json != NULL ?
	    d->json : "null", len));
	return 1;
}

/*
 * ds:ids(): a table of the samples' file numbers (N-MNIST: the <id> of
 * <id>.bin) or, for other sets, 1-based indices into the whole set.
 */
static int
lsnn_data_ids(lua_State *L)
{
	struct lsnn_data	*d = lsnn_data_self(L, 1, "ds:ids");
	size_t			 i, s, n = lsnn_data_len(d);

	lua_createtable(L, (int)n, 0);
	for (i = 0; i < n; i++) {
		s = lsnn_data_sample(d, i);
		lua_pushinteger(L, d->ids != NULL ? d->ids[s] :
		    (lua_Integer)s + 1);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

/* __tostring: a one-line summary. */
static int
lsnn_data_tostring(lua_State *L)
{
	struct lsnn_data	*d = luaL_checkudata(L, 1, LSNN_DATA);

	if (d->closed) {
		lua_pushliteral(L, "data set (closed)");
		return 1;
	}
	lua_pushfstring(L, "data set: %d samples of [%d, %d, %d, %d]",
	    (int)lsnn_data_len(d), d->ds.T, d->ds.channels, d->ds.height,
	    d->ds.width);
	return 1;
}

/* ds:labels(): a table of the labels of the samples, in order. */
static int
lsnn_data_labels(lua_State *L)
{
	struct lsnn_data	*d = lsnn_data_self(L, 1, "ds:labels");
	size_t			 i, n = lsnn_data_len(d);

	lua_createtable(L, (int)n, 0);
	for (i = 0; i < n; i++) {
		lua_pushinteger(L, d->ds.label[lsnn_data_sample(d, i)]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

/*
 * ds:root(): the folder the data set, or the set it is a subset of, was
 * read from.
 */
static int
lsnn_data_folder(lua_State *L)
{
	lsnn_data_self(L, 1, "ds:root");
	lua_settop(L, 1);
	while (lua_getiuservalue(L, -1, 1) == LUA_TUSERDATA)
		continue;
	return 1;
}

/* Adds snn.data and the data set metatable. */
void
lsnn_data_open(lua_State *L)
{
	static const luaL_Reg	 meta[] = {
		{ "__gc", lsnn_data_gc },
		{ "__close", lsnn_data_close },
		{ "__len", lsnn_data_length },
		{ "__tostring", lsnn_data_tostring },
		{ NULL, NULL }
	};
	static const luaL_Reg	 methods[] = {
		{ "get", lsnn_data_get },
		{ "split", lsnn_data_split },
		{ "labels", lsnn_data_labels },
		{ "ids", lsnn_data_ids },
		{ "select", lsnn_data_select },
		{ "root", lsnn_data_folder },
		{ NULL, NULL }
	};
	static const luaL_Reg	 funcs[] = {
		{ "nmnist", lsnn_data_nmnist },
		{ "cifar10_dvs", lsnn_data_cifar10_dvs },
		{ "mnist", lsnn_data_mnist },
		{ "cifar10", lsnn_data_cifar10 },
		{ NULL, NULL }
	};

	lsnn_class(L, LSNN_DATA, meta, methods, lsnn_data_index);
	luaL_newlib(L, funcs);
	lua_setfield(L, -2, "data");
}
