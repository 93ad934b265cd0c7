/*
 * lua-train.c: snn.train, snn.evaluate, snn.jobs and job objects. Training
 * always runs on a worker thread (train_start); the main thread takes its
 * records in lsnn_train_pump, which appends them to the job's history,
 * runs on_epoch hooks, feeds the observer (the live charts) and draws the
 * progress line. In batch mode snn.train pumps until its job ends and
 * returns the history; in the interactive session it returns the job at
 * once, in the plain line mode once the job has ended; inside snn.wait it
 * blocks and returns the history everywhere.
 * Other kinds of job (a simulation, lua-convert.c) share all of this but
 * what is done with a record and at the end (struct lsnn_train_kind).
 */

#include <errno.h>
#include <stddef.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "lua-snn.h"

/* Registry key of the table id -> job of every job of the session. */
#define LSNN_JOBS "snn.jobs"

/* Uservalue slots of a job userdata. */
enum {
	LSNN_JOB_NET = 1,
	LSNN_JOB_TRAIN,
	LSNN_JOB_TEST,
	LSNN_JOB_HOOK,
	LSNN_JOB_RESULT,	/* training: the history */
	LSNN_JOB_RUNDIR,
	LSNN_JOB_KEEP,		/* what another kind keeps alive */
	LSNN_JOB_NET2,		/* a second network the job reads */
	LSNN_JOB_NSLOTS = LSNN_JOB_NET2
};

/* A job userdata: the engine job and the configuration it reads. */
struct lsnn_job {
	struct job		*job;		/* NULL once freed */
	const struct lsnn_train_kind *kind;
	void			*priv;		/* the kind's own, or NULL */
	struct train_config	 cfg;		/* training */
	char			*data_json;
	int			 id;
	int			 claimed;	/* networks claimed: 0, 1, 2 */
	int			 using;		/* its data sets marked used */
	int			 ended;		/* DONE or ERROR taken */
	enum job_state		 state;		/* final state once ended */
	char			*error;
	long			 batches;	/* batch records taken */
	long			 total;		/* batches the run will do */
	struct lsnn_job		*next;		/* in the list of live jobs */
};

/* Jobs whose worker may still post records (main thread only). */
static struct lsnn_job *lsnn_live;

/* Whether snn.train returns at once, or the job, or the result. */
static enum lsnn_async lsnn_async;

/* How many snn.wait calls run: while any does, every job is waited for. */
static int lsnn_waiting;

/* The observer of every record and end, and its argument. */
static void (*lsnn_observer)(void *, const struct lsnn_train_event *);
static void *lsnn_observer_arg;

/*
 * Makes snn.train (and other kinds of job) return a job at once, block
 * and return the job, or block and return its result.
 */
void
lsnn_train_set_async(lua_State *L, enum lsnn_async async)
{
	(void)L;
	lsnn_async = async;
}

/* Sets the function that sees every record of every job (NULL: none). */
void
lsnn_train_set_observer(void (*fn)(void *, const struct lsnn_train_event *),
    void *arg)
{
	lsnn_observer = fn;
	lsnn_observer_arg = arg;
}

/* Hands ev to the observer, if there is one. */
void
lsnn_train_observe(const struct lsnn_train_event *ev)
{
	if (lsnn_observer != NULL)
		lsnn_observer(lsnn_observer_arg, ev);
}

/* Writes the wake-up descriptors of live jobs into fds; returns the count. */
int
lsnn_train_fds(int *fds, int max)
{
	struct lsnn_job	*lj;
	int		 n = 0;

	for (lj = lsnn_live; lj != NULL && n < max; lj = lj->next)
		fds[n++] = job_fd(lj->job);
	return n;
}

/* Returns the most recently started live job, or NULL. */
struct job *
lsnn_train_current(void)
{
	return lsnn_live != NULL ? lsnn_live->job : NULL;
}

/* Returns the number of live jobs. */
int
lsnn_train_running(void)
{
	struct lsnn_job	*lj;
	int		 n = 0;

	for (lj = lsnn_live; lj != NULL; lj = lj->next)
		n++;
	return n;
}

/* Pushes the job userdata with the given id (from the registry table). */
static void
lsnn_train_push_job(lua_State *L, int id)
{
	lua_getfield(L, LUA_REGISTRYINDEX, LSNN_JOBS);
	lua_rawgeti(L, -1, id);
	lua_remove(L, -2);
}

/* Sets t[key] = v for a number, leaving NaN out (no test set). */
static void
lsnn_train_setnum(lua_State *L, const char *key, double v)
{
	if (isnan(v))
		return;
	lua_pushnumber(L, v);
	lua_setfield(L, -2, key);
}

/*
 * Sets t[key] to the float v as the shortest decimal that reads back as
 * the same float, so a learning rate of 1e-3f shows as 0.001.
 */
static void
lsnn_train_setfloat(lua_State *L, const char *key, float v)
{
	char	buf[32];
	int	digits;

	for (digits = 6; digits <= 9; digits++) {
		snprintf(buf, sizeof buf, "%.*g", digits, (double)v);
		if (strtof(buf, NULL) == v)
			break;
	}
	lsnn_train_setnum(L, key, strtod(buf, NULL));
}

/* Pushes the array {v[0], ..., v[n - 1]}. */
static void
lsnn_train_pusharray(lua_State *L, const double *v, int n)
{
	int	i;

	lua_createtable(L, n, 0);
	for (i = 0; i < n; i++) {
		lua_pushnumber(L, v[i]);
		lua_rawseti(L, -2, i + 1);
	}
}

/* Sets t[key] = the double at offset of every layer of rec, as an array. */
static void
lsnn_train_setfield(lua_State *L, const struct train_record *rec,
    const char *key, size_t offset)
{
	double	v;
	int	i;

	lua_createtable(L, rec->nlayers, 0);
	for (i = 0; i < rec->nlayers; i++) {
		memcpy(&v, (const char *)&rec->layer[i] + offset, sizeof v);
		lua_pushnumber(L, v);
		lua_rawseti(L, -2, i + 1);
	}
	lua_setfield(L, -2, key);
}

/*
 * Sets t.vhist = {lo=, hi=, layers={{...}, ...}, below={...}, above={...}}
 * from a record's histograms of H - v_threshold.
 */
static void
lsnn_train_setvhist(lua_State *L, const struct train_record *rec)
{
	int	i;

	lua_createtable(L, 0, 5);
	lua_pushnumber(L, TRAIN_HISTLO);
	lua_setfield(L, -2, "lo");
	lua_pushnumber(L, TRAIN_HISTHI);
	lua_setfield(L, -2, "hi");
	lua_createtable(L, rec->nlayers, 0);
	for (i = 0; i < rec->nlayers; i++) {
		lsnn_train_pusharray(L, rec->layer[i].hist, rec->hist_bins);
		lua_rawseti(L, -2, i + 1);
	}
	lua_setfield(L, -2, "layers");
	lsnn_train_setfield(L, rec, "below", offsetof(struct train_layer,
	    hist_below));
	lsnn_train_setfield(L, rec, "above", offsetof(struct train_layer,
	    hist_above));
	lua_setfield(L, -2, "vhist");
}

/* Pushes a record as a Lua table (the stats on_epoch receives). */
static void
lsnn_train_push_record(lua_State *L, const struct train_record *rec)
{
	int	i;

	lua_createtable(L, 0, 16);
	lua_pushinteger(L, rec->epoch);
	lua_setfield(L, -2, "epoch");
	lua_pushinteger(L, rec->epochs);
	lua_setfield(L, -2, "epochs");
	if (rec->kind == TRAIN_REC_BATCH) {
		lua_pushinteger(L, rec->batch);
		lua_setfield(L, -2, "batch");
	}
	lua_pushinteger(L, rec->nbatches);
	lua_setfield(L, -2, "batches");
	lsnn_train_setnum(L, "loss", rec->loss);
	lsnn_train_setnum(L, "acc", rec->acc);
	lsnn_train_setnum(L, "test_loss", rec->test_loss);
	lsnn_train_setnum(L, "test_acc", rec->test_acc);
	lsnn_train_setnum(L, "samples_per_s", rec->samples_per_s);
	lsnn_train_setfloat(L, "lr", (float)rec->lr);
	lsnn_train_setnum(L, "seconds", rec->seconds);
	if (rec->kind == TRAIN_REC_EPOCH) {
		lua_pushboolean(L, rec->dead);
		lua_setfield(L, -2, "dead");
	}
	lua_createtable(L, rec->nlayers, 0);
	for (i = 0; i < rec->nlayers; i++) {
		lua_pushstring(L, rec->names[i]);
		lua_rawseti(L, -2, i + 1);
	}
	lua_setfield(L, -2, "layers");
	lsnn_train_setfield(L, rec, "spike_rate", offsetof(struct train_layer,
	    rate));
	lsnn_train_setfield(L, rec, "sg_zero", offsetof(struct train_layer,
	    sg_zero));
	lsnn_train_setfield(L, rec, "sg_small", offsetof(struct train_layer,
	    sg_small));
	lsnn_train_setfield(L, rec, "zero_rows", offsetof(struct train_layer,
	    zero_rows));
	if (rec->kind == TRAIN_REC_BATCH && rec->hist_bins > 0)
		lsnn_train_setvhist(L, rec);
}

/* Appends the table on top to history[key] (history at hidx); pops it. */
static void
lsnn_train_append(lua_State *L, int hidx, const char *key)
{
	lua_getfield(L, hidx, key);
	lua_insert(L, -2);
	lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
	lua_pop(L, 1);
}

/* Formats seconds as "1h02m", "3m05s" or "12s". */
static void
lsnn_train_duration(char *buf, size_t len, double s)
{
	long	t = (long)(s + 0.5);

	if (!isfinite(s) || s < 0)
		snprintf(buf, len, "?");
	else if (t >= 3600)
		snprintf(buf, len, "%ldh%02ldm", t / 3600, t % 3600 / 60);
	else if (t >= 60)
		snprintf(buf, len, "%ldm%02lds", t / 60, t % 60);
	else
		snprintf(buf, len, "%lds", t);
}

/* Draws the batch-mode progress line for a record. */
static void
lsnn_train_progress(const struct lsnn_job *lj, const struct train_record *rec)
{
	char	eta[32], test[32];
	double	left;

	if (rec->kind == TRAIN_REC_BATCH) {
		left = lj->batches > 0 ? rec->seconds / (double)lj->batches *
		    (double)(lj->total - lj->batches) : NAN;
		lsnn_train_duration(eta, sizeof eta, left);
		lsnn_progress("job %d: epoch %d/%d batch %d/%d loss %.4f "
		    "acc %.1f%% %.0f samples/s ETA %s", lj->id, rec->epoch,
		    rec->epochs, rec->batch, rec->nbatches, rec->loss,
		    100 * rec->acc, rec->samples_per_s, eta);
	} else if (rec->kind == TRAIN_REC_EPOCH) {
		lsnn_train_duration(eta, sizeof eta, rec->seconds);
		test[0] = '\0';
		if (!isnan(rec->test_acc))
			snprintf(test, sizeof test, " test %.1f%%",
			    100 * rec->test_acc);
		lsnn_progress("job %d: epoch %d/%d loss %.4f acc %.1f%%%s "
		    "(%s)%s", lj->id, rec->epoch, rec->epochs, rec->loss,
		    100 * rec->acc, test, eta, rec->dead ? " DEAD: a layer "
		    "silent, loss constant" : "");
		lsnn_progress_end();
	}
}

/* Unlinks lj from the live list. */
static void
lsnn_train_unlink(struct lsnn_job *lj)
{
	struct lsnn_job	**p;

	for (p = &lsnn_live; *p != NULL; p = &(*p)->next)
		if (*p == lj) {
			*p = lj->next;
			break;
		}
	lj->next = NULL;
}

/*
 * Marks the data sets of the job at idx (its training and test sets) as
 * used by it (use 1), or lets go of them (0).
 */
static void
lsnn_train_use(lua_State *L, struct lsnn_job *lj, int idx, int use)
{
	int	slot;

	if (lj->using == use)
		return;
	idx = lua_absindex(L, idx);
	for (slot = LSNN_JOB_TRAIN; slot <= LSNN_JOB_TEST; slot++) {
		if (lua_getiuservalue(L, idx, slot) == LUA_TUSERDATA)
			lsnn_data_use(L, -1, lj->id, use);
		lua_pop(L, 1);
	}
	lj->using = use;
}

/* Releases the networks and data sets the job at idx claimed. */
static void
lsnn_train_release(lua_State *L, struct lsnn_job *lj, int idx)
{
	int	i;

	idx = lua_absindex(L, idx);
	lsnn_train_use(L, lj, idx, 0);
	for (i = 0; i < lj->claimed; i++) {
		lua_getiuservalue(L, idx, i == 0 ? LSNN_JOB_NET :
		    LSNN_JOB_NET2);
		lsnn_net_release(L, -1);
		lua_pop(L, 1);
	}
	lj->claimed = 0;
}

/*
 * Ends a job after its last record: joins the worker, records how it
 * ended (a failed on_epoch hook fails the job), releases the network,
 * unlinks it, lets its kind end it and tells the observer. The job
 * userdata is at idx.
 */
static void
lsnn_train_finish(lua_State *L, struct lsnn_job *lj, int idx)
{
	struct lsnn_train_event	 ev;
	char			*hook = lj->error;

	lj->ended = 1;
	job_wait(lj->job);
	lj->state = job_state(lj->job);
	lj->error = NULL;
	if (lj->state == JOB_FAILED)
		lj->error = mem_strdup(job_error(lj->job) != NULL ?
		    job_error(lj->job) : "failed");
	else if (hook != NULL) {
		lj->state = JOB_FAILED;
		lj->error = error_printf("on_epoch: %s", hook);
	}
	mem_free(hook);
	lsnn_train_release(L, lj, idx);
	lsnn_train_unlink(lj);
	job_free(lj->job);
	lj->job = NULL;
	if (lj->kind->end != NULL)
		lj->kind->end(L, lj, idx, lj->state);
	memset(&ev, 0, sizeof ev);
	ev.job = lj->id;
	ev.kind = lj->kind->name;
	ev.state = lj->state;
	ev.error = lj->error;
	lsnn_train_observe(&ev);
}

/*
 * Runs the job's on_epoch hook with the stats table on top (kept), the
 * worker waiting meanwhile, so the hook may use the network (evaluate it,
 * save it); a hook that fails or returns false stops the job. Returns 0,
 * or -1 when it failed, leaving the message (a string, whatever it
 * raised) on the stack.
 */
static int
lsnn_train_hook(lua_State *L, struct lsnn_job *lj, int idx)
{
	int	rc = 0;

	if (lua_getiuservalue(L, idx, LSNN_JOB_HOOK) == LUA_TNIL) {
		lua_pop(L, 1);
		return 0;
	}
	lua_getiuservalue(L, idx, LSNN_JOB_NET);
	lsnn_net_lend(L, -1, lj->id, 1);
	lua_pop(L, 1);
	lua_pushvalue(L, -2);
	if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
		/* error() and error({code = 1}) raise no string. */
		if (!lua_isstring(L, -1)) {
			lua_pushfstring(L, "(error object is a %s value)",
			    luaL_typename(L, -1));
			lua_remove(L, -2);
		}
		job_stop(lj->job);
		rc = -1;
	} else {
		if (lua_isboolean(L, -1) && !lua_toboolean(L, -1))
			job_stop(lj->job);
		lua_pop(L, 1);
	}
	lua_getiuservalue(L, idx, LSNN_JOB_NET);
	lsnn_net_lend(L, -1, lj->id, 0);
	lua_pop(L, 1);
	job_continue(lj->job);
	return rc;
}

/* Whether a job in state s has ended. */
static int
lsnn_train_over(enum job_state s)
{
	return s == JOB_DONE || s == JOB_STOPPED || s == JOB_FAILED;
}

/*
 * Training: hands a record taken to the observer and the progress line,
 * appends it to the history and runs on_epoch after an epoch record (a
 * failing hook stops the job, which then ends as failed with the hook's
 * message); frees the record.
 */
static void
lsnn_train_take(lua_State *L, struct lsnn_job *lj, int idx,
    union lsnn_train_rec *u, int draw)
{
	struct lsnn_train_event	 ev;
	struct train_record	*rec = &u->train;
	int			 hidx;

	memset(&ev, 0, sizeof ev);
	ev.job = lj->id;
	ev.kind = lj->kind->name;
	ev.rec = rec;
	lsnn_train_observe(&ev);
	if (rec->kind == TRAIN_REC_BATCH) {
		lj->batches++;
		if (lj->total == 0)
			lj->total = (long)rec->nbatches *
			    (rec->epochs - rec->epoch + 1);
	}
	if (draw)
		lsnn_train_progress(lj, rec);
	lua_getiuservalue(L, idx, LSNN_JOB_RESULT);
	hidx = lua_gettop(L);
	lsnn_train_push_record(L, rec);
	if (rec->kind == TRAIN_REC_EPOCH &&
	    lsnn_train_hook(L, lj, idx) != 0) {
		mem_free(lj->error);
		lj->error = mem_strdup(lua_tostring(L, -1));
		lua_pop(L, 1);
	}
	lsnn_train_append(L, hidx, rec->kind == TRAIN_REC_BATCH ?
	    "batches" : "epochs");
	lua_pop(L, 1);
	train_record_free(rec);
}

/*
 * Takes the pending records of one live job (its userdata at idx) and
 * hands each to the job's kind, with draw set when the progress line is
 * wanted; returns the number taken. Once the job has ended and every
 * record is taken, finishes it.
 */
static int
lsnn_train_pump_job(lua_State *L, struct lsnn_job *lj, int idx, int draw)
{
	union lsnn_train_rec	rec;
	int			n = 0;

	while (lj->job != NULL) {
		if (!job_take(lj->job, &rec)) {
			if (lsnn_train_over(job_state(lj->job)) &&
			    !job_take(lj->job, &rec)) {
				lsnn_train_finish(L, lj, idx);
				break;
			}
			if (!lsnn_train_over(job_state(lj->job)))
				break;
		}
		n++;
		lj->kind->take(L, lj, idx, &rec, draw);
	}
	return n;
}

/* Takes the pending records of every live job; returns how many. */
int
lsnn_train_pump(lua_State *L)
{
	struct lsnn_job	*lj, *next;
	int		 n = 0, draw = lsnn_progress_wanted(L);

	for (lj = lsnn_live; lj != NULL; lj = next) {
		next = lj->next;
		lsnn_train_push_job(L, lj->id);
		n += lsnn_train_pump_job(L, lj, lua_gettop(L), draw);
		lua_pop(L, 1);
	}
	return n;
}

/*
 * Pushes and returns what an interrupted training job's run directory
 * keeps, for its message: "" without one.
 */
static const char *
lsnn_train_kept(lua_State *L, const struct lsnn_job *lj)
{
	const char	*dir = lj->cfg.run_dir;

	if (dir == NULL)
		return lua_pushliteral(L, "");
	lua_pushfstring(L, "%s/checkpoint.safetensors", dir);
	if (file_exists(lua_tostring(L, -1)))
		return lua_pushfstring(L, "; its last checkpoint is in %s",
		    dir);
	return lua_pushfstring(L, "; no epoch finished, so %s holds no "
	    "checkpoint", dir);
}

/*
 * Waits until the job has ended, pumping every job meanwhile. A Ctrl-C
 * (seen as the interrupt hook that the SIGINT handler sets) stops the job,
 * waits for it and raises "interrupted".
 */
static void
lsnn_train_wait(lua_State *L, struct lsnn_job *lj)
{
	struct pollfd	pfd[16];
	int		fds[16], i, n, interrupted = 0;

	while (!lj->ended) {
		n = lsnn_train_fds(fds, 16);
		for (i = 0; i < n; i++) {
			pfd[i].fd = fds[i];
			pfd[i].events = POLLIN;
		}
		if (poll(pfd, (nfds_t)n, -1) < 0 && errno != EINTR)
			luaL_error(L, "poll: %s", strerror(errno));
		lsnn_train_pump(L);
		if (lsnn_interrupted(L) && !interrupted && !lj->ended) {
			lua_sethook(L, NULL, 0, 0);
			interrupted = 1;
			job_stop(lj->job);
		}
	}
	if (interrupted)
		luaL_error(L, "interrupted (job %d stopped%s)", lj->id,
		    lsnn_train_kept(L, lj));
}

/* Returns the name of the job's state. */
static const char *
lsnn_train_state(struct lsnn_job *lj)
{
	return job_state_name(lj->ended ? lj->state : job_state(lj->job));
}

/*
 * __gc: stops a job still running and frees it, releasing its networks
 * (also those of a job that never started).
 */
static int
lsnn_train_job_gc(lua_State *L)
{
	struct lsnn_job	*lj = luaL_checkudata(L, 1, LSNN_JOB);

	if (lj->job != NULL) {
		lsnn_train_unlink(lj);
		job_free(lj->job);
		lj->job = NULL;
	}
	lsnn_train_release(L, lj, 1);
	mem_free(lj->error);
	lj->error = NULL;
	if (lj->kind != NULL && lj->kind->gc != NULL)
		lj->kind->gc(lj);
	mem_free(lj->priv);
	lj->priv = NULL;
	return 0;
}

/*
 * Returns options[key] (options at 1) as a data set with its sample list
 * and description, kept alive in uservalue slot of the job at index job;
 * NULL when absent.
 */
static const struct dataset *
lsnn_train_data(lua_State *L, const char *fn, const char *key,
    const uint32_t **index, size_t *nindex, const char **json, int slot,
    int job)
{
	const struct dataset	*ds;

	if (lua_getfield(L, 1, key) == LUA_TNIL) {
		lua_pop(L, 1);
		*index = NULL;
		*nindex = 0;
		*json = NULL;
		return NULL;
	}
	ds = lsnn_data_check(L, -1, fn, key, index, nindex, json);
	lua_setiuservalue(L, job, slot);
	return ds;
}

/*
 * Reads the options temperature (finite and positive) and label_smoothing
 * (in [0, 1)) of fn's options at 1 into *temperature and *smoothing, which
 * hold the defaults.
 */
static void
lsnn_train_loss_opts(lua_State *L, const char *fn, float *temperature,
    float *smoothing)
{
	lua_Number	t, ls;

	t = lsnn_opt_number(L, 1, fn, "temperature", *temperature);
	if (!(t > 0 && t < HUGE_VAL))
		lsnn_argerror(L, fn, "temperature", "must be a finite number "
		    "above 0 (got %s)", lua_pushfstring(L, "%f", t));
	ls = lsnn_opt_number(L, 1, fn, "label_smoothing", *smoothing);
	if (!(ls >= 0 && ls < 1))
		lsnn_argerror(L, fn, "label_smoothing", "must be in [0, 1) "
		    "(got %s)", lua_pushfstring(L, "%f", ls));
	*temperature = (float)t;
	*smoothing = (float)ls;
}

/* Ids handed to jobs of every kind, from 1. */
static int lsnn_next_id = 1;

/*
 * Pushes a new job userdata of kind with priv_size zeroed bytes of its own
 * (none when 0; kind->gc frees what they point at, the job frees them),
 * keeping the value at index keep (0: none) alive as long as the job; it
 * has no id, network or worker yet.
 */
struct lsnn_job *
lsnn_train_job_new(lua_State *L, const struct lsnn_train_kind *kind,
    size_t priv_size, int keep)
{
	struct lsnn_job	*lj;

	if (keep != 0)
		keep = lua_absindex(L, keep);
	lj = lua_newuserdatauv(L, sizeof *lj, LSNN_JOB_NSLOTS);
	memset(lj, 0, sizeof *lj);
	lj->kind = kind;
	luaL_setmetatable(L, LSNN_JOB);
	if (keep != 0) {
		lua_pushvalue(L, keep);
		lua_setiuservalue(L, -2, LSNN_JOB_KEEP);
	}
	if (priv_size > 0 && (lj->priv = mem_calloc(1, priv_size)) == NULL)
		luaL_error(L, "%s: out of memory", kind->fn);
	return lj;
}

/*
 * Claims the network at index net for the job at idx, busy until the job
 * ends: the first claim gives the job the next id (job.net is that
 * network), a second one is a network the job only reads (an ANN to
 * compare with). Raises when the network is busy. Returns the network.
 */
struct net *
lsnn_train_job_claim(lua_State *L, struct lsnn_job *lj, int idx, int net)
{
	struct net	*n;

	idx = lua_absindex(L, idx);
	net = lua_absindex(L, net);
	if (lj->claimed >= 2)
		luaL_error(L, "%s: a job claims at most two networks",
		    lj->kind->fn);
	n = lsnn_net_claim(L, net, lj->kind->fn, lj->claimed == 0 ?
	    lsnn_next_id : lj->id);
	if (lj->claimed == 0)
		lj->id = lsnn_next_id++;
	lua_pushvalue(L, net);
	lua_setiuservalue(L, idx, lj->claimed == 0 ? LSNN_JOB_NET :
	    LSNN_JOB_NET2);
	lj->claimed++;
	return n;
}

/*
 * Keeps the data set at index data in the job at idx, which uses it from
 * its start to its end.
 */
void
lsnn_train_job_data(lua_State *L, int idx, int data)
{
	idx = lua_absindex(L, idx);
	lua_pushvalue(L, data);
	lua_setiuservalue(L, idx, LSNN_JOB_TRAIN);
}

/* Returns what the job's kind keeps in it. */
void *
lsnn_train_job_priv(const struct lsnn_job *lj)
{
	return lj->priv;
}

/* Returns the job's id. */
int
lsnn_train_job_id(const struct lsnn_job *lj)
{
	return lj->id;
}

/* Pops the value on top into the result of the job at idx (absolute). */
void
lsnn_train_job_set_result(lua_State *L, int idx)
{
	lua_setiuservalue(L, idx, LSNN_JOB_RESULT);
}

/*
 * Runs job, started for the job userdata lj at idx (NULL: it could not
 * start, cause says why and is freed here, and the networks are
 * released): in the interactive session, unless wait is set, returns 1
 * with the job userdata pushed; else waits for its end and returns 1 with
 * the job userdata pushed in the plain line mode (unless wait is set),
 * else its result, or raises how it failed.
 */
int
lsnn_train_job_run(lua_State *L, struct lsnn_job *lj, int idx,
    struct job *job, char *cause, int wait)
{
	idx = lua_absindex(L, idx);
	if ((lj->job = job) == NULL) {
		lsnn_train_release(L, lj, idx);
		return lsnn_error(L, lj->kind->fn, cause);
	}
	lsnn_train_use(L, lj, idx, 1);
	lj->next = lsnn_live;
	lsnn_live = lj;
	lua_getfield(L, LUA_REGISTRYINDEX, LSNN_JOBS);
	lua_pushvalue(L, idx);
	lua_rawseti(L, -2, lj->id);
	lua_pop(L, 1);
	if (lsnn_async == LSNN_ASYNC_JOB && !wait && lsnn_waiting == 0) {
		lua_pushvalue(L, idx);
		return 1;
	}
	lsnn_train_wait(L, lj);
	if (lj->state == JOB_FAILED)
		return luaL_error(L, "%s: %s", lj->kind->fn, lj->error != NULL ?
		    lj->error : "failed");
	if (lsnn_async == LSNN_ASYNC_WAIT && !wait && lsnn_waiting == 0)
		lua_pushvalue(L, idx);
	else
		lua_getiuservalue(L, idx, LSNN_JOB_RESULT);
	return 1;
}

/* Training's kind of job. */
static const struct lsnn_train_kind lsnn_train_kind;

/*
 * Builds a job userdata from snn.train's options at index 1 (pushed on the
 * stack), with its network claimed; the worker is not started yet.
 */
static struct lsnn_job *
lsnn_train_new(lua_State *L, const char *fn)
{
	static const char *const	 known[] = { "net", "data", "test",
					     "epochs", "batch", "optimizer",
					     "loss", "temperature", "seed",
					     "run_dir", "resume", "overwrite",
					     "on_epoch",
					     "drop_last", "histogram",
					     "label_smoothing",
					     "clip_grad_norm", NULL };
	struct lsnn_job			*lj;
	struct train_config		*cfg;
	const char			*json_train, *json_test, *s;
	char				*cause = NULL;
	int				 job;

	luaL_checktype(L, 1, LUA_TTABLE);
	lsnn_check_options(L, 1, fn, known);
	lj = lsnn_train_job_new(L, &lsnn_train_kind, 0, 0);
	job = lua_gettop(L);
	cfg = &lj->cfg;
	train_defaults(cfg);
	cfg->train = lsnn_train_data(L, fn, "data", &cfg->train_index,
	    &cfg->train_nindex, &json_train, LSNN_JOB_TRAIN, job);
	if (cfg->train == NULL)
		lsnn_argerror(L, fn, "data", "is required (a data set from "
		    "snn.data)");
	cfg->test = lsnn_train_data(L, fn, "test", &cfg->test_index,
	    &cfg->test_nindex, &json_test, LSNN_JOB_TEST, job);
	cfg->epochs = lsnn_opt_positive(L, 1, fn, "epochs", 1);
	cfg->batch = lsnn_opt_positive(L, 1, fn, "batch", 64);
	cfg->drop_last = lsnn_opt_boolean(L, 1, fn, "drop_last", 0);
	/* The interactive session's live view charts the histograms. */
	cfg->histogram = lsnn_opt_boolean(L, 1, fn, "histogram",
	    lsnn_async == LSNN_ASYNC_JOB);
	cfg->resume = lsnn_opt_boolean(L, 1, fn, "resume", 0);
	cfg->overwrite = lsnn_opt_boolean(L, 1, fn, "overwrite", 0);
	cfg->label_smoothing = 0;
	lsnn_train_loss_opts(L, fn, &cfg->temperature, &cfg->label_smoothing);
	cfg->clip_grad_norm = (float)lsnn_opt_number(L, 1, fn,
	    "clip_grad_norm", 0);
	if (train_loss_parse(lsnn_opt_string(L, 1, fn, "loss", "mse_rate"),
	    &cfg->loss, &cause) != 0)
		lsnn_error(L, fn, cause);
	if (lua_getfield(L, 1, "seed") != LUA_TNIL)
		cfg->seed = (uint64_t)lsnn_check_seed(L, -1, fn, "seed");
	else
		cfg->seed = (uint64_t)lsnn_default_seed(L);
	lua_pop(L, 1);
	if (lua_getfield(L, 1, "optimizer") != LUA_TNIL)
		lsnn_optim_check(L, -1, fn, &cfg->optim, &cfg->schedule);
	lua_pop(L, 1);
	if ((s = lsnn_opt_string(L, 1, fn, "run_dir", NULL)) != NULL) {
		lua_pushstring(L, s);
		cfg->run_dir = lua_tostring(L, -1);
		lua_setiuservalue(L, job, LSNN_JOB_RUNDIR);
	}
	if (lua_getfield(L, 1, "on_epoch") != LUA_TNIL &&
	    !lua_isfunction(L, -1))
		lsnn_argerror(L, fn, "on_epoch", "must be a function (got %s)",
		    luaL_typename(L, -1));
	cfg->hold = !lua_isnil(L, -1);
	lua_setiuservalue(L, job, LSNN_JOB_HOOK);
	lj->data_json = error_printf("{\"train\": %s, \"test\": %s}",
	    json_train != NULL ? json_train : "null",
	    json_test != NULL ? json_test : "null");
	cfg->data_json = lj->data_json;
	lua_newtable(L);
	lua_newtable(L);
	lua_setfield(L, -2, "epochs");
	lua_newtable(L);
	lua_setfield(L, -2, "batches");
	lua_setiuservalue(L, job, LSNN_JOB_RESULT);
	if (lua_getfield(L, 1, "net") == LUA_TNIL)
		lsnn_argerror(L, fn, "net", "is required (a network)");
	cfg->net = lsnn_train_job_claim(L, lj, job, -1);
	lua_pop(L, 1);
	return lj;
}

/*
 * snn.train{net=, data=, ...}: trains; in batch mode returns the history
 * when done, in the interactive session the job at once.
 */
static int
lsnn_train_fn(lua_State *L)
{
	struct lsnn_job	*lj;
	struct job	*job;
	char		*cause = NULL;

	lj = lsnn_train_new(L, lsnn_train_kind.fn);
	job = train_start(&lj->cfg, &cause);
	return lsnn_train_job_run(L, lj, -1, job, cause, 0);
}

/* Returns the job userdata at 1, checked. */
static struct lsnn_job *
lsnn_train_check_job(lua_State *L, const char *fn)
{
	struct lsnn_job	*lj = luaL_testudata(L, 1, LSNN_JOB);

	if (lj == NULL)
		lsnn_argerror(L, fn, "self", "must be a job (got %s)",
		    luaL_typename(L, 1));
	return lj;
}

/*
 * job:pause(), job:resume(), job:stop(): requests honoured between
 * batches; each returns the state it leads to ("paused", "running",
 * "stopping"), or the end state of a job that has ended.
 */
static int
lsnn_train_job_control(lua_State *L)
{
	static const char *const	 leads[] = { "paused", "running",
					     "stopping" };
	struct lsnn_job			*lj = lsnn_train_check_job(L,
					     "job:control");
	int				 what = (int)lua_tointeger(L,
					     lua_upvalueindex(1));

	if (lj->job != NULL && !lj->ended &&
	    job_state(lj->job) < JOB_STOPPING) {
		if (what == 0)
			job_pause(lj->job);
		else if (what == 1)
			job_resume(lj->job);
		else
			job_stop(lj->job);
		lua_pushstring(L, leads[what]);
	} else
		lua_pushstring(L, lsnn_train_state(lj));
	return 1;
}

/*
 * job:wait(): waits for the end; returns the result (a training's
 * history), or nil and the error.
 */
static int
lsnn_train_job_wait(lua_State *L)
{
	struct lsnn_job	*lj = lsnn_train_check_job(L, "job:wait");

	lsnn_train_wait(L, lj);
	if (lj->state == JOB_FAILED) {
		lua_pushnil(L);
		lua_pushstring(L, lj->error != NULL ? lj->error : "failed");
		return 2;
	}
	lua_getiuservalue(L, 1, LSNN_JOB_RESULT);
	return 1;
}

/*
 * __index: job.state, job.kind, job.history or job.result, job.id,
 * job.error, job.net, job.run_dir, methods.
 */
static int
lsnn_train_job_index(lua_State *L)
{
	struct lsnn_job	*lj = lsnn_train_check_job(L, "job");
	const char	*key = luaL_checkstring(L, 2);

	if (strcmp(key, "state") == 0)
		lua_pushstring(L, lsnn_train_state(lj));
	else if (strcmp(key, "id") == 0)
		lua_pushinteger(L, lj->id);
	else if (strcmp(key, "kind") == 0)
		lua_pushstring(L, lj->kind->name);
	else if (strcmp(key, "history") == 0 || strcmp(key, "result") == 0)
		lua_getiuservalue(L, 1, LSNN_JOB_RESULT);
	else if (strcmp(key, "net") == 0)
		lua_getiuservalue(L, 1, LSNN_JOB_NET);
	else if (strcmp(key, "run_dir") == 0)
		lua_getiuservalue(L, 1, LSNN_JOB_RUNDIR);
	else if (strcmp(key, "error") == 0)
		lua_pushstring(L, lj->error);
	else {
		luaL_getmetafield(L, 1, "__methods");
		lua_getfield(L, -1, key);
	}
	return 1;
}

/* __tostring: "job 2 (running, epoch 3 of 10)". */
static int
lsnn_train_job_tostring(lua_State *L)
{
	struct lsnn_job	*lj = lsnn_train_check_job(L, "job");

	lua_pushfstring(L, "job %d (%s)", lj->id, lsnn_train_state(lj));
	return 1;
}

/* snn.jobs(): every job of the session, in the order they started. */
static int
lsnn_train_jobs(lua_State *L)
{
	lua_getfield(L, LUA_REGISTRYINDEX, LSNN_JOBS);
	lua_newtable(L);
	lua_pushnil(L);
	while (lua_next(L, -3) != 0) {
		lua_rawseti(L, -3, lua_tointeger(L, -2));
	}
	return 1;
}

/* Stops every live job and waits for each (quitting the session). */
void
lsnn_train_stop_all(lua_State *L)
{
	struct lsnn_job	*lj;
	int		 top = lua_gettop(L);

	for (lj = lsnn_live; lj != NULL; lj = lj->next)
		job_stop(lj->job);
	while ((lj = lsnn_live) != NULL) {
		lsnn_train_wait(L, lj);
		lua_settop(L, top);
	}
}

/*
 * snn.evaluate{net=, data=, batch=, loss=, temperature=, label_smoothing=}:
 * accuracy, mean
 * loss, sample count and the confusion matrix (rows: true class).
 */
static int
lsnn_train_evaluate(lua_State *L)
{
	static const char *const	 known[] = { "net", "data", "batch",
					     "loss", "temperature",
					     "label_smoothing", NULL };
	const char			*fn = "snn.evaluate";
	const struct dataset		*ds;
	const uint32_t			*index;
	struct train_eval		 ev;
	enum train_loss			 loss;
	struct net			*net;
	size_t				 nindex;
	char				*cause = NULL;
	float				 temperature = 0.1f, smoothing = 0;
	int				 i, j, batch;

	luaL_checktype(L, 1, LUA_TTABLE);
	lsnn_check_cores(L, fn);
	lsnn_check_options(L, 1, fn, known);
	if (lua_getfield(L, 1, "net") == LUA_TNIL)
		lsnn_argerror(L, fn, "net", "is required (a network)");
	net = lsnn_net_claim(L, -1, fn, 0);
	if (lua_getfield(L, 1, "data") == LUA_TNIL)
		lsnn_argerror(L, fn, "data", "is required (a data set)");
	ds = lsnn_data_check(L, -1, fn, "data", &index, &nindex, NULL);
	if (train_loss_parse(lsnn_opt_string(L, 1, fn, "loss", "mse_rate"),
	    &loss, &cause) != 0)
		return lsnn_error(L, fn, cause);
	lsnn_train_loss_opts(L, fn, &temperature, &smoothing);
	batch = lsnn_opt_positive(L, 1, fn, "batch", 256);
	if (train_evaluate(net, ds, index, nindex, batch, loss, temperature,
	    smoothing, &ev, &cause) != 0)
		return lsnn_error(L, fn, cause);
	lua_createtable(L, 0, 4);
	lua_pushnumber(L, ev.acc);
	lua_setfield(L, -2, "accuracy");
	lua_pushnumber(L, ev.loss);
	lua_setfield(L, -2, "loss");
	lua_pushinteger(L, (lua_Integer)ev.n);
	lua_setfield(L, -2, "n");
	lua_createtable(L, ev.classes, 0);
	for (i = 0; i < ev.classes; i++) {
		lua_createtable(L, ev.classes, 0);
		for (j = 0; j < ev.classes; j++) {
			lua_pushinteger(L, ev.confusion[i * ev.classes + j]);
			lua_rawseti(L, -2, j + 1);
		}
		lua_rawseti(L, -2, i + 1);
	}
	lua_setfield(L, -2, "confusion");
	train_eval_free(&ev);
	return 1;
}

/* Training: frees the data description of the run's configuration. */
static void
lsnn_train_gc(struct lsnn_job *lj)
{
	free(lj->data_json);
	lj->data_json = NULL;
}

static const struct lsnn_train_kind lsnn_train_kind = {
	"train", "snn.train", lsnn_train_take, NULL, lsnn_train_gc
};

/*
 * snn.wait(fn, ...): calls fn(...) with every job it starts waited for, as
 * in a script, and returns what fn returns; its errors pass through.
 */
static int
lsnn_train_wait_fn(lua_State *L)
{
	int	status;

	if (!lua_isfunction(L, 1))
		lsnn_argerror(L, "snn.wait", "fn", "must be a function (got "
		    "%s)", luaL_typename(L, 1));
	lsnn_waiting++;
	status = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
	lsnn_waiting--;
	if (status != LUA_OK)
		return lua_error(L);
	return lua_gettop(L);
}

/* Adds snn.train, snn.evaluate, snn.jobs, snn.wait and the job metatable. */
void
lsnn_train_open(lua_State *L)
{
	static const luaL_Reg	 meta[] = {
		{ "__gc", lsnn_train_job_gc },
		{ "__index", lsnn_train_job_index },
		{ "__tostring", lsnn_train_job_tostring },
		{ NULL, NULL }
	};
	static const char *const controls[] = { "pause", "resume", "stop" };
	int			 i;

	luaL_newmetatable(L, LSNN_JOB);
	luaL_setfuncs(L, meta, 0);
	lua_createtable(L, 0, 4);
	for (i = 0; i < 3; i++) {
		lua_pushinteger(L, i);
		lua_pushcclosure(L, lsnn_train_job_control, 1);
		lua_setfield(L, -2, controls[i]);
	}
	lua_pushcfunction(L, lsnn_train_job_wait);
	lua_setfield(L, -2, "wait");
	lua_setfield(L, -2, "__methods");
	lua_pop(L, 1);
	lua_newtable(L);
	lua_setfield(L, LUA_REGISTRYINDEX, LSNN_JOBS);
	lua_pushcfunction(L, lsnn_train_fn);
	lua_setfield(L, -2, "train");
	lua_pushcfunction(L, lsnn_train_evaluate);
	lua_setfield(L, -2, "evaluate");
	lua_pushcfunction(L, lsnn_train_jobs);
	lua_setfield(L, -2, "jobs");
	lua_pushcfunction(L, lsnn_train_wait_fn);
	lua_setfield(L, -2, "wait");
}
