/*
 * lua-convert.c: ANN-to-SNN conversion from Lua: snn.convert(net,
 * {shift, fold_bn}) returns the converted network, and snn.simulate{net,
 * data, T, batch, images, analysis, run_dir, ann_accuracy} steps it
 * through time and returns the accuracy at every t, the spike rate and
 * the conversion errors per layer (snnwb-lua(7), CONVERSION). A
 * simulation is a job (lua-train.c): in the interactive session
 * snn.simulate returns it at once, in a script it waits for the result.
 */
#include <lauxlib.h>
#include <lua.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "snnwb.h"
#include "lua-snn.h"

/*
 * Reads options.shift (a number, or a table of shifts by path with an
 * optional default) and options.bias (a table of per-channel current lists
 * by path) into o; the layer table and the currents are two userdata left
 * on the stack.
 */
static void
lsnn_convert_layers(lua_State *L, struct convert_opts *o)
{
	struct convert_layer	*l = NULL;
	float			*f = NULL;
	size_t			 nf = 0;
	int			 n = 0, pass, i, k = 0;

	for (pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			l = lua_newuserdatauv(L, (size_t)(n > 0 ? n : 1) *
			    sizeof *l, 0);
			f = lua_newuserdatauv(L, (nf > 0 ? nf : 1) *
			    sizeof *f, 0);
			o->layers = l;
			o->nlayers = n;
			n = 0;
		}
		lua_getfield(L, 2, "shift");
		if (lua_istable(L, -1)) {
			lua_pushnil(L);
			while (lua_next(L, -2) != 0) {
				if (lua_type(L, -2) != LUA_TSTRING ||
				    !lua_isnumber(L, -1))
					lsnn_argerror(L, "snn.convert", "shift",
					    "must be a number or a table of "
					    "numbers by module path");
				if (strcmp(lua_tostring(L, -2), "default") ==
				    0)
					o->shift = lua_tonumber(L, -1);
				else if (pass == 1) {
					l[n].path = lua_tostring(L, -2);
					l[n].shift = lua_tonumber(L, -1);
					l[n].bias = NULL;
					l[n].nbias = 0;
					n++;
				} else
					n++;
				lua_pop(L, 1);
			}
		} else if (!lua_isnil(L, -1))
			o->shift = lsnn_check_number(L, -1, "snn.convert",
			    "shift");
		lua_pop(L, 1);
		if (lua_getfield(L, 2, "bias") != LUA_TNIL &&
		    !lua_istable(L, -1))
			lsnn_argerror(L, "snn.convert", "bias", "must be a "
			    "table of current lists by module path");
		if (lua_istable(L, -1)) {
			lua_pushnil(L);
			while (lua_next(L, -2) != 0) {
				if (lua_type(L, -2) != LUA_TSTRING ||
				    !lua_istable(L, -1) ||
				    (k = (int)luaL_len(L, -1)) < 1)
					lsnn_argerror(L, "snn.convert", "bias",
					    "must map module paths to lists "
					    "of currents, one per channel");
				if (pass == 0)
					nf += (size_t)k;
				else {
					for (i = 0; i < k; i++) {
						lua_geti(L, -1, i + 1);
						f[i] = (float)lsnn_check_number(
						    L, -1, "snn.convert",
						    "bias");
						lua_pop(L, 1);
					}
					l[n].path = lua_tostring(L, -2);
					l[n].shift = NAN;
					l[n].bias = f;
					l[n].nbias = k;
					f += k;
				}
				n++;
				lua_pop(L, 1);
			}
		}
		lua_pop(L, 1);
	}
}

/* snn.convert(net[, options]): the spiking network of a QCFS network. */
static int
lsnn_convert(lua_State *L)
{
	static const char *const known[] = { "shift", "fold_bn", "mode",
	    "burst", "bias", NULL };
	struct convert_opts	 o;
	struct net		*ann = lsnn_net_check(L, 1, "snn.convert", "ann"), *snn;
	char			*cause = NULL;

	lsnn_check_options(L, 2, "snn.convert", known);
	memset(&o, 0, sizeof o);
	o.shift = 0.5;
	if (lua_istable(L, 2))
		lsnn_convert_layers(L, &o);
	o.fold_bn = lsnn_opt_boolean(L, 2, "snn.convert", "fold_bn", 0);
	o.mode = lsnn_opt_string(L, 2, "snn.convert", "mode", "if");
	if (strcmp(o.mode, "if") != 0 && strcmp(o.mode, "signed") != 0 &&
	    strcmp(o.mode, "burst") != 0)
		lsnn_argerror(L, "snn.convert", "mode", "must be \"if\", "
		    "\"signed\" or \"burst\"");
	o.burst = lsnn_opt_positive(L, 2, "snn.convert", "burst", 2);
	if ((snn = convert_net(ann, &o, &cause)) == NULL)
		return lsnn_error(L, "snn.convert", cause);
	lsnn_net_push_owned(L, snn);
	return 1;
}

/* A simulation job: what its worker reads and fills. */
struct lsnn_simulate {
	struct simulate_opts	 o;
	struct simulate_result	 r;
	int			 ran;	/* r holds a result */
	int			*steps;	/* (o.ncheckpoints) analysis steps */
	const char		*dir;	/* run directory, or NULL */
	double			 ann;	/* the ANN's accuracy, or NaN */
	struct net		*net;
	struct job		*job;	/* the worker's own */
	int			 shown;	/* progress lines drawn */
};

/* Frees what a simulation record holds. */
static void
lsnn_simulate_record_free(void *p)
{
	struct lsnn_simulate_record	*rec = p;

	mem_free(rec->correct);
	mem_free(rec->frac_uneven);
	rec->correct = NULL;
	rec->frac_uneven = rec->mean_abs_e = NULL;
}

/*
 * On the worker, after each batch: posts the record of the images done
 * (the means of the last analysis step over them, taken from its sums,
 * which go on unfinished; no record without memory), then pauses while
 * the job is paused; returns 1 (end the run) when it is stopped, else 0.
 */
static int
lsnn_simulate_tick(void *arg, const struct simulate_result *r, char **cause)
{
	struct lsnn_simulate		*s = arg;
	struct lsnn_simulate_record	 rec;
	const struct analysis		*a;
	int				 k, last = s->o.ncheckpoints - 1;

	(void)cause;
	memset(&rec, 0, sizeof rec);
	rec.T = r->T;
	rec.n = r->n;
	rec.total = r->total;
	rec.seconds = r->seconds;
	rec.ann = s->ann;
	rec.nlayers = r->nlayers;
	rec.names = (const char *const *)r->names;
	rec.correct = mem_alloc((size_t)r->T * sizeof *rec.correct);
	if (last >= 0 && r->nlayers > 0) {
		rec.check = s->steps[last];
		rec.frac_uneven = mem_alloc(2 * (size_t)r->nlayers *
		    sizeof *rec.frac_uneven);
		rec.mean_abs_e = rec.frac_uneven + r->nlayers;
	}
	if (rec.correct == NULL || (rec.check > 0 &&
	    rec.frac_uneven == NULL))
		lsnn_simulate_record_free(&rec);
	else {
		memcpy(rec.correct, r->correct, (size_t)r->T *
		    sizeof *rec.correct);
		for (k = 0; rec.check > 0 && k < r->nlayers; k++) {
			a = &r->analysis[(size_t)last * r->nlayers + k];
			rec.frac_uneven[k] = a->neurons > 0 ? a->uneven /
			    a->neurons : 0;
			rec.mean_abs_e[k] = a->neurons > 0 ? a->sum_abs_e /
			    a->neurons : 0;
		}
		job_post(s->job, &rec);
	}
	return job_between_batches(s->job);
}

/*
 * The body of a simulation job: simulates, then writes the run directory
 * if there is one.
 */
static int
lsnn_simulate_main(struct job *job, void *arg, char **cause)
{
	struct lsnn_simulate	*s = arg;

	s->job = job;
	if (simulate_run(s->net, &s->o, &s->r, cause) != 0)
		return -1;
	s->ran = 1;
	if (s->dir != NULL && simulate_write(&s->r, s->steps, s->dir, s->ann,
	    cause) != 0)
		return -1;
	return 0;
}

/* The kind of job a simulation is. */
static const struct lsnn_train_kind lsnn_simulate_kind;

/* On the main thread: hands a record to the view and the progress line. */
static void
lsnn_simulate_take(lua_State *L, struct lsnn_job *lj, int idx,
    union lsnn_train_rec *u, int draw)
{
	struct lsnn_simulate		*s = lsnn_train_job_priv(lj);
	struct lsnn_simulate_record	*rec = &u->sim;
	struct lsnn_train_event		 ev;

	(void)L;
	(void)idx;
	memset(&ev, 0, sizeof ev);
	ev.job = lsnn_train_job_id(lj);
	ev.kind = lsnn_simulate_kind.name;
	ev.sim = rec;
	lsnn_train_observe(&ev);
	if (draw) {
		lsnn_progress("job %d: simulate T=%d images %zu/%zu, %.1f%% "
		    "at t = %d", ev.job, rec->T, rec->n, rec->total, 100.0 *
		    (double)rec->correct[rec->T - 1] / (double)rec->n, rec->T);
		s->shown++;
	}
	lsnn_simulate_record_free(rec);
}

/* Reads options.analysis, a list of increasing steps, into *steps. */
static int
lsnn_simulate_steps(lua_State *L, int **steps)
{
	int	n, i;

	*steps = NULL;
	lua_getfield(L, 1, "analysis");
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return 0;
	}
	if (!lua_istable(L, -1))
		lsnn_argerror(L, "snn.simulate", "analysis", "must be a list "
		    "of steps");
	n = (int)luaL_len(L, -1);
	for (i = 0; i < n; i++) {
		if (lua_geti(L, -1, i + 1) != LUA_TNUMBER ||
		    !lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 ||
		    lua_tointeger(L, -1) > INT32_MAX)
			lsnn_argerror(L, "snn.simulate", "analysis", "must be "
			    "a list of positive integer steps");
		lua_pop(L, 1);
	}
	if ((*steps = calloc((size_t)(n > 0 ? n : 1), sizeof **steps)) ==
	    NULL)
		luaL_error(L, "snn.simulate: out of memory");
	for (i = 0; i < n; i++) {
		lua_geti(L, -1, i + 1);
		(*steps)[i] = (int)lua_tointeger(L, -1);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return n;
}

/* Sets field key of the table on top to v. */
static void
lsnn_simulate_set(lua_State *L, const char *key, double v)
{
	lua_pushnumber(L, v);
	lua_setfield(L, -2, key);
}

/* Pushes histogram h as {lo =, hi =, counts = {...}, below =, above =}. */
static void
lsnn_simulate_push_hist(lua_State *L, const struct analysis_hist *h)
{
	int	i;

	lua_createtable(L, 0, 5);
	lsnn_simulate_set(L, "lo", h->lo);
	lsnn_simulate_set(L, "hi", h->hi);
	lsnn_simulate_set(L, "below", h->below);
	lsnn_simulate_set(L, "above", h->above);
	lua_createtable(L, ANALYSIS_BINS, 0);
	for (i = 0; i < ANALYSIS_BINS; i++) {
		lua_pushnumber(L, h->count[i]);
		lua_rawseti(L, -2, i + 1);
	}
	lua_setfield(L, -2, "counts");
}

/* Pushes the analysis of one layer at one checkpoint as a table. */
static void
lsnn_simulate_push_layer(lua_State *L, const struct analysis *a,
    const char *name)
{
	int	i;

	lua_createtable(L, 0, 16);
	lua_pushstring(L, name);
	lua_setfield(L, -2, "name");
	lsnn_simulate_set(L, "T", a->T);
	lsnn_simulate_set(L, "rate", a->rate);
	lsnn_simulate_set(L, "frac_below", a->frac_below);
	lsnn_simulate_set(L, "frac_above", a->frac_above);
	lsnn_simulate_set(L, "frac_uneven", a->frac_uneven);
	lsnn_simulate_set(L, "mean_e", a->mean_e);
	lsnn_simulate_set(L, "mean_abs_e", a->mean_abs_e);
	lsnn_simulate_set(L, "eq9_max_abs", a->eq9_max_abs);
	lsnn_simulate_set(L, "mean_clip_err", a->mean_clip_err);
	lsnn_simulate_set(L, "mean_abs_clip_err", a->mean_abs_clip_err);
	lsnn_simulate_set(L, "mean_quant_err", a->mean_quant_err);
	lsnn_simulate_set(L, "mean_abs_quant_err", a->mean_abs_quant_err);
	if (a->has_total) {
		lsnn_simulate_set(L, "total_err", a->total_err);
		lsnn_simulate_set(L, "mean_abs_total_err",
		    a->mean_abs_total_err);
		lua_createtable(L, a->nchan, 0);
		for (i = 0; i < a->nchan; i++) {
			lua_pushnumber(L, a->chan_total[i]);
			lua_rawseti(L, -2, i + 1);
		}
		lua_setfield(L, -2, "channel_total_err");
	}
	lsnn_simulate_push_hist(L, &a->v_hist);
	lua_setfield(L, -2, "v_hist");
	lsnn_simulate_push_hist(L, &a->e_hist);
	lua_setfield(L, -2, "e_hist");
}

/* Pushes result r as the table snn.simulate returns. */
static void
lsnn_simulate_push(lua_State *L, const struct simulate_result *r,
    const int *steps)
{
	struct lsnn_tensor	*lt;
	int			 t, k, c, shape[3];

	lua_createtable(L, 0, 10);
	lsnn_simulate_set(L, "T", r->T);
	lsnn_simulate_set(L, "images", (double)r->n);
	lsnn_simulate_set(L, "seconds", r->seconds);
	lsnn_simulate_set(L, "images_steps_per_s", r->seconds > 0 ?
	    (double)r->n * r->T / r->seconds : 0);
	lua_createtable(L, r->T, 0);
	for (t = 0; t < r->T; t++) {
		lua_pushnumber(L, (double)r->correct[t] / (double)r->n);
		lua_rawseti(L, -2, t + 1);
	}
	lua_setfield(L, -2, "accuracy");
	lua_createtable(L, r->T, 0);
	for (t = 0; t < r->T; t++) {
		lua_pushinteger(L, (lua_Integer)r->correct[t]);
		lua_rawseti(L, -2, t + 1);
	}
	lua_setfield(L, -2, "correct");
	lua_createtable(L, r->nlayers, 0);
	for (k = 0; k < r->nlayers; k++) {
		lua_pushnumber(L, r->rate[k]);
		lua_rawseti(L, -2, k + 1);
	}
	lua_setfield(L, -2, "rate");
	lua_createtable(L, r->nlayers, 0);
	for (k = 0; k < r->nlayers; k++) {
		lua_pushstring(L, r->names[k]);
		lua_rawseti(L, -2, k + 1);
	}
	lua_setfield(L, -2, "layers");
	lua_createtable(L, 0, r->ncheckpoints);
	for (c = 0; c < r->ncheckpoints; c++) {
		lua_createtable(L, r->nlayers, 0);
		for (k = 0; k < r->nlayers; k++) {
			lsnn_simulate_push_layer(L,
			    &r->analysis[(size_t)c * r->nlayers + k],
			    r->names[k]);
			lua_rawseti(L, -2, k + 1);
		}
		lua_rawseti(L, -2, steps[c]);
	}
	lua_setfield(L, -2, "analysis");
	if (r->record != NULL) {
		shape[0] = r->T;
		shape[1] = (int)r->record_n;
		lt = lsnn_tensor_push(L, 2, shape);
		memcpy(lt->t.data, r->record, (size_t)r->T * r->record_n *
		    sizeof *r->record);
		lua_setfield(L, -2, "record");
	}
	if (r->logits != NULL) {
		shape[0] = r->T;
		shape[1] = (int)r->n;
		shape[2] = r->classes;
		lt = lsnn_tensor_push(L, 3, shape);
		for (t = 0; t < r->T; t++)
			memcpy(lt->t.data + (size_t)t * r->n * r->classes,
			    r->logits + (size_t)t * r->total * r->classes,
			    r->n * r->classes * sizeof *r->logits);
		lua_setfield(L, -2, "logits");
	}
}

/*
 * A simulation job has ended in state: its result becomes what job:wait
 * returns (a stopped one covers the images done), unless it failed.
 */
static void
lsnn_simulate_end(lua_State *L, struct lsnn_job *lj, int idx,
    enum job_state state)
{
	struct lsnn_simulate	*s = lsnn_train_job_priv(lj);

	if (s->shown > 0)
		lsnn_progress_end();
	if (s->ran && state != JOB_FAILED) {
		lsnn_simulate_push(L, &s->r, s->steps);
		lsnn_train_job_set_result(L, idx);
	}
	if (s->ran)
		simulate_result_free(&s->r);
	s->ran = 0;
}

/* Frees what a simulation job's own part holds. */
static void
lsnn_simulate_gc(struct lsnn_job *lj)
{
	struct lsnn_simulate	*s = lsnn_train_job_priv(lj);

	if (s == NULL)
		return;
	if (s->ran)
		simulate_result_free(&s->r);
	free(s->steps);
}

static const struct lsnn_train_kind lsnn_simulate_kind = {
	"simulate", "snn.simulate", lsnn_simulate_take, lsnn_simulate_end,
	lsnn_simulate_gc
};

/* Pushes a shallow copy of the table at idx. */
static void
lsnn_simulate_copy(lua_State *L, int idx)
{
	idx = lua_absindex(L, idx);
	lua_newtable(L);
	lua_pushnil(L);
	while (lua_next(L, idx) != 0) {
		lua_pushvalue(L, -2);
		lua_insert(L, -2);
		lua_rawset(L, -4);
	}
}

/*
 * snn.simulate(options): runs a converted network on a data set for T
 * steps as a job; in a script returns the result table (and writes the
 * run directory if asked), in the interactive session the job at once.
 */
static int
lsnn_simulate(lua_State *L)
{
	static const char *const known[] = { "net", "data", "T", "batch",
	    "images", "analysis", "run_dir", "ann_accuracy", "logits", "ann",
	    "record", "wait", "sparse", NULL };
	struct lsnn_simulate	*s;
	struct simulate_opts	*o;
	struct lsnn_job		*lj;
	struct job		*job;
	char			*cause = NULL;
	int			 images, idx, wait;

	luaL_checktype(L, 1, LUA_TTABLE);
	lsnn_check_cores(L, "snn.simulate");
	lsnn_check_options(L, 1, "snn.simulate", known);
	/* The copy keeps what the options name alive as long as the job. */
	lsnn_simulate_copy(L, 1);
	lj = lsnn_train_job_new(L, &lsnn_simulate_kind, sizeof *s, -1);
	idx = lua_gettop(L);
	s = lsnn_train_job_priv(lj);
	o = &s->o;
	lua_getfield(L, 1, "net");
	lsnn_net_check(L, -1, "snn.simulate", "net");
	lua_getfield(L, 1, "data");
	o->data = lsnn_data_check(L, -1, "snn.simulate", "data", &o->index,
	    &o->nindex, NULL);
	lsnn_train_job_data(L, idx, -1);
	o->T = lsnn_opt_positive(L, 1, "snn.simulate", "T", 64);
	o->batch = lsnn_opt_positive(L, 1, "snn.simulate", "batch", 64);
	images = lsnn_opt_positive(L, 1, "snn.simulate", "images", 0);
	if (images > 0 && (size_t)images < o->nindex)
		o->nindex = (size_t)images;
	s->dir = lsnn_opt_string(L, 1, "snn.simulate", "run_dir", NULL);
	s->ann = lsnn_opt_number(L, 1, "snn.simulate", "ann_accuracy", NAN);
	o->ncheckpoints = lsnn_simulate_steps(L, &s->steps);
	o->checkpoints = s->steps;
	o->keep_logits = lsnn_opt_boolean(L, 1, "snn.simulate", "logits", 0);
	o->sparse = lsnn_opt_boolean(L, 1, "snn.simulate", "sparse", 1);
	wait = lsnn_opt_boolean(L, 1, "snn.simulate", "wait", 0);
	if (lua_getfield(L, 1, "ann") != LUA_TNIL)
		lsnn_net_check(L, -1, "snn.simulate", "ann");
	if (lua_getfield(L, 1, "record") != LUA_TNIL) {
		if (!lua_istable(L, -1))
			lsnn_argerror(L, "snn.simulate", "record", "must be "
			    "{layer = k, image = i}");
		o->record_layer = lsnn_opt_positive(L, lua_gettop(L),
		    "snn.simulate", "layer", 1);
		o->record_image = (size_t)lsnn_opt_positive(L, lua_gettop(L),
		    "snn.simulate", "image", 1) - 1;
	}
	o->tick = lsnn_simulate_tick;
	o->arg = s;
	lua_getfield(L, 1, "net");
	s->net = lsnn_train_job_claim(L, lj, idx, -1);
	if (lua_getfield(L, 1, "ann") != LUA_TNIL)
		o->ann = lsnn_train_job_claim(L, lj, idx, -1);
	job = job_start(lsnn_simulate_main, s, sizeof(struct
	    lsnn_simulate_record), lsnn_simulate_record_free, &cause);
	return lsnn_train_job_run(L, lj, idx, job, cause, wait);
}

/* Adds snn.convert and snn.simulate to the module table on top. */
void
lsnn_convert_open(lua_State *L)
{
	lua_pushcfunction(L, lsnn_convert);
	lua_setfield(L, -2, "convert");
	lua_pushcfunction(L, lsnn_simulate);
	lua_setfield(L, -2, "simulate");
}
