/*
 * lua-sim.c: the event-camera simulator in Lua. snn.simulate_nmnist writes
 * simulated N-MNIST recordings of MNIST images in the official layout
 * (sim_batch); snn.sim.recording returns the events of one recording for
 * inspection. Simulator parameters are given by the names sim_set takes.
 */
#include <stdlib.h>
#include <string.h>

#include "lua-snn.h"

/* Recordings between two redraws of the progress line. */
#define LSNN_SIM_REDRAW 250

/* The largest image id a selection may name (5 digits in file names). */
#define LSNN_SIM_MAXID 99999

/* One split of MNIST to simulate: which images, as 0-based indices. */
struct lsnn_sim_split {
	const char	*key;		/* option name and MNIST split */
	const char	*folder;	/* N-MNIST folder: Train or Test */
	uint32_t	*index;		/* (n) into a userdata on the stack */
	size_t		 n;
	uint32_t	 max;		/* largest 1-based id */
};

/* What the progress hook of a batch keeps between calls. */
struct lsnn_sim_progress {
	const char	*folder;
	size_t		 shown;
};

/*
 * Fills p with the defaults, then the entries of options.params at opt
 * (parameter name = number, as sim_set takes them); raises an error naming
 * fn and params on an unknown name or a bad value.
 */
static void
lsnn_sim_params(lua_State *L, int opt, const char *fn, struct sim_params *p)
{
	char	*cause = NULL;

	sim_defaults(p);
	if (lua_isnoneornil(L, opt) ||
	    lua_getfield(L, opt, "params") == LUA_TNIL) {
		if (!lua_isnoneornil(L, opt))
			lua_pop(L, 1);
		return;
	}
	if (!lua_istable(L, -1))
		lsnn_argerror(L, fn, "params", "must be a table (got %s)",
		    luaL_typename(L, -1));
	lua_pushnil(L);
	while (lua_next(L, -2) != 0) {
		if (lua_type(L, -2) != LUA_TSTRING)
			lsnn_argerror(L, fn, "params", "has a key %s that is "
			    "not a parameter name", luaL_tolstring(L, -2,
			    NULL));
		if (lua_type(L, -1) != LUA_TNUMBER)
			lsnn_argerror(L, fn, "params", "has %s = %s, not a "
			    "number", lua_tostring(L, -2),
			    luaL_typename(L, -1));
		if (sim_set(p, lua_tostring(L, -2), lua_tonumber(L, -1),
		    &cause) != 0) {
			lua_pushstring(L, cause);
			free(cause);
			lsnn_argerror(L, fn, "params", "is wrong (%s)",
			    lua_tostring(L, -1));
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	if (sim_validate(p, &cause) != 0) {
		lua_pushstring(L, cause);
		free(cause);
		lsnn_argerror(L, fn, "params", "is wrong (%s)",
		    lua_tostring(L, -1));
	}
}

/* Returns the id at idx, an integer 1..LSNN_SIM_MAXID, or raises. */
static uint32_t
lsnn_sim_id(lua_State *L, int idx, const char *fn, const char *arg)
{
	lua_Integer	id = 0;
	int		isint = 0;

	if (lua_type(L, idx) == LUA_TNUMBER)
		id = lua_tointegerx(L, idx, &isint);
	if (!isint || id < 1 || id > LSNN_SIM_MAXID)
		lsnn_argerror(L, fn, arg, "holds %s, not an image number "
		    "1..%d", luaL_tolstring(L, idx, NULL), LSNN_SIM_MAXID);
	return (uint32_t)id;
}

/*
 * Reads options[sp->key] at opt into sp: a count n (images 1..n), a range
 * {first =, last =} or a list of 1-based image numbers, none twice. The
 * index array is a userdata left on the stack; sp->n is 0 when absent.
 */
static void
lsnn_sim_select(lua_State *L, int opt, const char *fn,
    struct lsnn_sim_split *sp)
{
	static const char *const	 range[] = { "first", "last", NULL };
	uint8_t				*seen;
	uint32_t			 first = 0, last = 0, id;
	size_t				 i;
	int				 t;

	sp->n = 0;
	sp->max = 0;
	sp->index = NULL;
	if ((t = lua_getfield(L, opt, sp->key)) == LUA_TNIL) {
		lua_pop(L, 1);
		return;
	}
	if (t == LUA_TNUMBER) {
		first = 1;
		last = lsnn_sim_id(L, -1, fn, sp->key);
	} else if (t == LUA_TTABLE && lua_getfield(L, -1, "first") !=
	    LUA_TNIL) {
		lsnn_check_options(L, -2, fn, range);
		first = lsnn_sim_id(L, -1, fn, sp->key);
		lua_getfield(L, -2, "last");
		last = lsnn_sim_id(L, -1, fn, sp->key);
		lua_pop(L, 2);
		if (last < first)
			lsnn_argerror(L, fn, sp->key, "has last %d before "
			    "first %d", (int)last, (int)first);
	} else if (t == LUA_TTABLE)
		lua_pop(L, 1);
	else
		lsnn_argerror(L, fn, sp->key, "must be a count, a table "
		    "{first =, last =} or a list of image numbers (got %s)",
		    luaL_typename(L, -1));
	if (first > 0) {
		sp->n = last - first + 1;
		sp->max = last;
		sp->index = lua_newuserdatauv(L, sp->n * sizeof *sp->index, 0);
		for (i = 0; i < sp->n; i++)
			sp->index[i] = first - 1 + (uint32_t)i;
		lua_remove(L, -2);
		return;
	}
	if ((sp->n = (size_t)luaL_len(L, -1)) == 0)
		lsnn_argerror(L, fn, sp->key, "is an empty list (a range is "
		    "{first =, last =})");
	for (i = 1; i <= sp->n; i++) {
		lua_rawgeti(L, -1, (lua_Integer)i);
		id = lsnn_sim_id(L, -1, fn, sp->key);
		sp->max = id > sp->max ? id : sp->max;
		lua_pop(L, 1);
	}
	sp->index = lua_newuserdatauv(L, sp->n * sizeof *sp->index, 0);
	seen = lua_newuserdatauv(L, sp->max, 0);
	memset(seen, 0, sp->max);
	for (i = 0; i < sp->n; i++) {
		lua_rawgeti(L, -3, (lua_Integer)i + 1);
		id = (uint32_t)lua_tointeger(L, -1);
		lua_pop(L, 1);
		if (seen[id - 1]++)
			lsnn_argerror(L, fn, sp->key, "names image %d twice",
			    (int)id);
		sp->index[i] = id - 1;
	}
	lua_pop(L, 1);
	lua_remove(L, -2);
}

/*
 * Loads the MNIST split key from root into ms (freed with
 * data_mnist_free), checking that it holds 28x28 images, a label for each,
 * and at least need of them.
 */
static int
lsnn_sim_load(const char *root, const char *key, uint32_t need,
    struct mnist_set *ms, char **cause)
{
	if (data_mnist_load(root, key, ms, cause) != 0)
		return -1;
	if (ms->images.dims[1] != SIM_IMAGE ||
	    ms->images.dims[2] != SIM_IMAGE)
		error_set(cause, "%s: %s images are %dx%d, not %dx%d", root,
		    key, ms->images.dims[1], ms->images.dims[2], SIM_IMAGE,
		    SIM_IMAGE);
	else if (ms->labels.dims[0] != ms->images.dims[0])
		error_set(cause, "%s: %d %s images but %d labels", root,
		    ms->images.dims[0], key, ms->labels.dims[0]);
	else if ((uint32_t)ms->images.dims[0] < need)
		error_set(cause, "%s: image %u asked for, the %s split has %d",
		    root, need, key, ms->images.dims[0]);
	else
		return 0;
	data_mnist_free(ms);
	return -1;
}

/* Redraws the progress line now and then (a sim_batch progress hook). */
static int
lsnn_sim_progress(size_t done, size_t total, void *arg)
{
	struct lsnn_sim_progress	*pr = arg;

	if (done != total && done - pr->shown < LSNN_SIM_REDRAW)
		return 0;
	pr->shown = done;
	lsnn_progress("simulating N-MNIST %s: %zu/%zu recordings",
	    pr->folder, done, total);
	if (done == total)
		lsnn_progress_end();
	return 0;
}


/*
 * Simulates the images of one split sp from root into out with sensor s;
 * -1 with a message on failure.
 */
static int
lsnn_sim_split(lua_State *L, const struct sim *s, const char *root,
    const char *out, const struct lsnn_sim_split *sp, uint64_t seed,
    int threads, char **cause)
{
	struct mnist_set		 ms;
	struct sim_job			 job;
	struct lsnn_sim_progress	 pr = { sp->folder, 0 };
	int				 rc;

	if (lsnn_sim_load(root, sp->key, sp->max, &ms, cause) != 0)
		return -1;
	memset(&job, 0, sizeof job);
	job.images = ms.images.data;
	job.labels = ms.labels.data;
	job.index = sp->index;
	job.n = sp->n;
	job.dir = out;
	job.split = sp->folder;
	job.seed = seed;
	job.threads = threads;
	if (lsnn_progress_wanted(L)) {
		job.progress = lsnn_sim_progress;
		job.arg = &pr;
	}
	rc = sim_batch(s, &job, cause);
	if (rc != 0 && pr.shown > 0 && pr.shown < sp->n)
		lsnn_progress_end();
	data_mnist_free(&ms);
	return rc;
}

/* Returns options.seed at opt, or the module's default seed. */
static uint64_t
lsnn_sim_seed(lua_State *L, int opt, const char *fn)
{
	lua_Integer	seed = lsnn_default_seed(L);

	if (!lua_isnoneornil(L, opt) &&
	    lua_getfield(L, opt, "seed") != LUA_TNIL)
		seed = lsnn_check_seed(L, -1, fn, "seed");
	if (!lua_isnoneornil(L, opt))
		lua_pop(L, 1);
	return (uint64_t)seed;
}

/*
 * snn.simulate_nmnist{out=, mnist=, train=, test=, seed=, threads=,
 * params=}: writes simulated recordings of MNIST images in N-MNIST's
 * layout; returns {train =, test =, seconds =}, or nil and a message.
 */
static int
lsnn_sim_nmnist(lua_State *L)
{
	static const char *const	 known[] = { "out", "mnist", "train",
					     "test", "seed", "threads",
					     "params", NULL };
	const char			*fn = "snn.simulate_nmnist", *out;
	const char			*root;
	struct lsnn_sim_split		 sp[2] = {
		{ "train", "Train", NULL, 0, 0 },
		{ "test", "Test", NULL, 0, 0 }
	};
	struct sim_params		 p;
	struct sim			 s;
	uint64_t			 seed;
	double				 start;
	char				*cause = NULL;
	int				 threads, i;

	if (!lua_istable(L, 1))
		return lsnn_argerror(L, fn, "options", "must be a table "
		    "(got %s)", luaL_typename(L, 1));
	lsnn_check_options(L, 1, fn, known);
	if ((out = lsnn_opt_string(L, 1, fn, "out", NULL)) == NULL ||
	    *out == '\0')
		return lsnn_argerror(L, fn, "out", "must name the folder to "
		    "write");
	seed = lsnn_sim_seed(L, 1, fn);
	threads = lsnn_opt_positive(L, 1, fn, "threads", blas_threads());
	if (threads > SIM_MAXTHREADS)
		return lsnn_argerror(L, fn, "threads", "must be at most %d "
		    "(got %d)", SIM_MAXTHREADS, threads);
	lsnn_sim_params(L, 1, fn, &p);
	for (i = 0; i < 2; i++)
		lsnn_sim_select(L, 1, fn, &sp[i]);
	if (sp[0].n == 0 && sp[1].n == 0)
		return lsnn_argerror(L, fn, "train", "or 'test' must name "
		    "the images to simulate");
	root = lsnn_data_mnist_root(L, 1, fn, "mnist");

	if (sim_init(&s, &p, &cause) != 0)
		return lsnn_fail(L, cause);
	start = clock_now();
	for (i = 0; i < 2; i++) {
		if (sp[i].n > 0 && lsnn_sim_split(L, &s, root, out, &sp[i],
		    seed, threads, &cause) != 0) {
			sim_free(&s);
			return lsnn_fail(L, cause);
		}
	}
	sim_free(&s);
	lua_createtable(L, 0, 3);
	lua_pushinteger(L, (lua_Integer)sp[0].n);
	lua_setfield(L, -2, "train");
	lua_pushinteger(L, (lua_Integer)sp[1].n);
	lua_setfield(L, -2, "test");
	lua_pushnumber(L, clock_now() - start);
	lua_setfield(L, -2, "seconds");
	return 1;
}

/*
 * Fills img (28x28 bytes) from the tensor at idx, 784 intensities in
 * [0, 1] as snn.data.mnist serves them, or raises naming fn.
 */
static void
lsnn_sim_image(lua_State *L, int idx, const char *fn, uint8_t *img)
{
	struct lsnn_tensor	*lt = lsnn_tensor_check(L, idx, fn, "image");
	size_t			 i, n = tensor_numel(&lt->t);
	float			 v;

	if (n != SIM_IMAGE * SIM_IMAGE)
		lsnn_argerror(L, fn, "image", "has %d elements, not %d "
		    "(one 28x28 image)", (int)n, SIM_IMAGE * SIM_IMAGE);
	for (i = 0; i < n; i++) {
		v = lt->t.data[i];
		if (!(v >= 0 && v <= 1))
			lsnn_argerror(L, fn, "image", "holds %f at %d, not an "
			    "intensity in [0, 1]", (double)v, (int)i + 1);
		img[i] = (uint8_t)(v * 255 + 0.5f);
	}
}

/* Pushes ev (n) as the table {t = {...}, x = ..., y = ..., p = ...}. */
static void
lsnn_sim_push_events(lua_State *L, const struct event *ev, size_t n)
{
	static const char *const	 names[] = { "t", "x", "y", "p" };
	size_t				 i;
	int				 c;

	lua_createtable(L, 0, 4);
	for (c = 0; c < 4; c++) {
		lua_createtable(L, (int)n, 0);
		for (i = 0; i < n; i++) {
			lua_pushinteger(L, c == 0 ? ev[i].t : c == 1 ?
			    ev[i].x : c == 2 ? ev[i].y : ev[i].p);
			lua_rawseti(L, -2, (lua_Integer)i + 1);
		}
		lua_setfield(L, -2, names[c]);
	}
}

/*
 * snn.sim.recording(image [, {seed=, params=, mnist=, split=}]): the
 * events of one simulated recording of a 28x28 image tensor or of MNIST
 * image number image, and that image's label.
 */
static int
lsnn_sim_recording(lua_State *L)
{
	static const char *const	 known[] = { "seed", "params", "mnist",
					     "split", NULL };
	const char			*fn = "snn.sim.recording", *root;
	const char			*split;
	struct sim_params		 p;
	struct sim			 s;
	struct mnist_set		 ms;
	struct event			*ev;
	struct rng			 r;
	uint8_t				 img[SIM_IMAGE * SIM_IMAGE];
	uint64_t			 seed, id = 0;
	size_t				 n;
	char				*cause = NULL;
	int				 label = -1;

	lsnn_check_options(L, 2, fn, known);
	seed = lsnn_sim_seed(L, 2, fn);
	lsnn_sim_params(L, 2, fn, &p);
	if (lua_type(L, 1) == LUA_TNUMBER) {
		id = lsnn_sim_id(L, 1, fn, "image");
		split = lsnn_opt_string(L, 2, fn, "split", "train");
		if (strcmp(split, "train") != 0 && strcmp(split, "test") != 0)
			return lsnn_argerror(L, fn, "split", "must be "
			    "\"train\" or \"test\" (got \"%s\")", split);
		root = lsnn_data_mnist_root(L, 2, fn, "mnist");
		if (lsnn_sim_load(root, split, (uint32_t)id, &ms, &cause) != 0)
			return lsnn_fail(L, cause);
		memcpy(img, ms.images.data + (id - 1) * sizeof img,
		    sizeof img);
		label = ms.labels.data[id - 1];
		data_mnist_free(&ms);
	} else
		lsnn_sim_image(L, 1, fn, img);
	if (sim_init(&s, &p, &cause) != 0)
		return lsnn_fail(L, cause);
	rng_seed(&r, sim_seed(seed, id));
	if (sim_recording(&s, img, &r, &ev, &n, &cause) != 0) {
		sim_free(&s);
		return lsnn_fail(L, cause);
	}
	sim_free(&s);
	lsnn_sim_push_events(L, ev, n);
	mem_free(ev);
	if (label < 0)
		return 1;
	lua_pushinteger(L, label);
	return 2;
}

/* Draws the progress line of snn.simulate_cifar10_dvs. */
static void
lsnn_sim_dvs_progress(size_t done, size_t total, void *arg)
{
	(void)arg;
	lsnn_progress("simulating CIFAR10-DVS: %zu/%zu recordings", done,
	    total);
	if (done == total)
		lsnn_progress_end();
}

/*
 * snn.simulate_cifar10_dvs{out=, cifar=, images=, seed=}: writes
 * CIFAR10-DVS-like recordings of the first images CIFAR-10 records of the
 * file cifar in the published layout; returns {recordings =, events =,
 * duration_us =, seconds =}.
 */
static int
lsnn_sim_cifar10_dvs(lua_State *L)
{
	static const char *const	 known[] = { "out", "cifar", "images",
					     "seed", NULL };
	const char			*fn = "snn.simulate_cifar10_dvs";
	const char			*out, *cifar;
	struct sim_dvs_params		 p;
	uint8_t				*rec;
	uint64_t			 seed, events;
	size_t				 n, want;
	double				 start;
	char				*cause = NULL;
	int				 rc;

	luaL_checktype(L, 1, LUA_TTABLE);
	lsnn_check_options(L, 1, fn, known);
	out = lsnn_opt_string(L, 1, fn, "out", NULL);
	cifar = lsnn_opt_string(L, 1, fn, "cifar", NULL);
	if (out == NULL || cifar == NULL)
		lsnn_argerror(L, fn, out == NULL ? "out" : "cifar",
		    "is required");
	want = (size_t)lsnn_opt_positive(L, 1, fn, "images", 1000);
	seed = lsnn_sim_seed(L, 1, fn);
	sim_dvs_defaults(&p);
	if (sim_dvs_read_cifar(cifar, &rec, &n, &cause) != 0)
		return lsnn_error(L, fn, cause);
	if (want > n) {
		mem_free(rec);
		lsnn_argerror(L, fn, "images", "is %I, but %s holds %I "
		    "records", (lua_Integer)want, cifar, (lua_Integer)n);
	}
	start = clock_now();
	rc = sim_dvs_write_set(&p, rec, want, out, seed, &events,
	    lsnn_progress_wanted(L) ? lsnn_sim_dvs_progress : NULL, NULL,
	    &cause);
	mem_free(rec);
	if (rc != 0)
		return lsnn_error(L, fn, cause);
	lua_createtable(L, 0, 4);
	lua_pushinteger(L, (lua_Integer)want);
	lua_setfield(L, -2, "recordings");
	lua_pushinteger(L, (lua_Integer)events);
	lua_setfield(L, -2, "events");
	lua_pushnumber(L, p.period * p.loops);
	lua_setfield(L, -2, "duration_us");
	lua_pushnumber(L, clock_now() - start);
	lua_setfield(L, -2, "seconds");
	return 1;
}

/* Adds snn.simulate_nmnist and snn.sim. */
void
lsnn_sim_open(lua_State *L)
{
	static const luaL_Reg	 funcs[] = {
		{ "recording", lsnn_sim_recording },
		{ NULL, NULL }
	};

	lua_pushcfunction(L, lsnn_sim_nmnist);
	lua_setfield(L, -2, "simulate_nmnist");
	lua_pushcfunction(L, lsnn_sim_cifar10_dvs);
	lua_setfield(L, -2, "simulate_cifar10_dvs");
	luaL_newlib(L, funcs);
	lua_setfield(L, -2, "sim");
}
