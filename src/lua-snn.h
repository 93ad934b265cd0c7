/*
 * lua-snn.h: the Lua layer's internal interface, prototypes grouped by file.
 *
 * Naming: the lua_ and luaL_ prefixes belong to Lua's own API, so the files
 * keep the src/lua-NAME.c names the design gives them and export lsnn_NAME_*
 * functions (lua-tensor.c exports lsnn_tensor_*); lua-snn.c, the module
 * itself and the helpers every binding shares, exports plain lsnn_*.
 *
 * Errors: bad arguments raise Lua errors that name the function and the
 * argument ("snn.linear: argument 'out' must be a positive integer");
 * expected failures (a missing file) return nil and a message.
 *
 * Only main.c and these files include Lua headers; none includes curses or
 * readline.
 *
 * A new binding file src/lua-NAME.c defines lsnn_NAME_open(L), which adds
 * its functions to the module table on top of the stack; it is declared
 * here, listed in lsnn_parts in lua-snn.c and in snnwb_SOURCES.
 */
#ifndef LUA_SNN_H
#define LUA_SNN_H

#include <lua.h>
#include <lauxlib.h>

#include "snnwb.h"

/* lua-snn.c: the snn module, its registration table and shared helpers. */
int	 lsnn_open(lua_State *L);
void	 lsnn_seed(lua_State *L, lua_Integer seed);
struct rng *lsnn_rng(lua_State *L);
int	 lsnn_argerror(lua_State *L, const char *fn, const char *arg,
	     const char *fmt, ...);
int	 lsnn_error(lua_State *L, const char *fn, char *cause);
int	 lsnn_fail(lua_State *L, char *cause);
lua_Number lsnn_check_number(lua_State *L, int idx, const char *fn,
	     const char *arg);
const char *lsnn_check_string(lua_State *L, int idx, const char *fn,
	     const char *arg);
int	 lsnn_check_positive(lua_State *L, int idx, const char *fn,
	     const char *arg);
lua_Integer lsnn_check_seed(lua_State *L, int idx, const char *fn,
	     const char *arg);
void	 lsnn_check_options(lua_State *L, int idx, const char *fn,
	     const char *const *known);
int	 lsnn_opt_boolean(lua_State *L, int idx, const char *fn,
	     const char *key, int def);
lua_Number lsnn_opt_number(lua_State *L, int idx, const char *fn,
	     const char *key, lua_Number def);
const char *lsnn_opt_string(lua_State *L, int idx, const char *fn,
	     const char *key, const char *def);
int	 lsnn_opt_positive(lua_State *L, int idx, const char *fn,
	     const char *key, int def);
lua_Integer lsnn_default_seed(lua_State *L);
void	 lsnn_class(lua_State *L, const char *name, const luaL_Reg *meta,
	     const luaL_Reg *methods, lua_CFunction index);
void	 lsnn_set_progress(int on);
int	 lsnn_progress_wanted(lua_State *L);
void	 lsnn_progress(const char *fmt, ...)
	     __attribute__((format(printf, 1, 2)));
void	 lsnn_progress_end(void);
void	 lsnn_warn(lua_State *L, const char *fmt, ...);
void	 lsnn_interrupt(lua_State *L, lua_Debug *ar);
void	 lsnn_interrupt_arm(lua_State *L);
int	 lsnn_interrupted(lua_State *L);
int	 lsnn_call(lua_State *L, int narg, int nres);
int	 lsnn_call_unarmed(lua_State *L, int narg, int nres);
void	 lsnn_check_cores(lua_State *L, const char *fn);

/*
 * lua-help.c: help(), from the table lua-help-text.c that src/lua-help.awk
 * makes out of man/snnwb-lua.7 at build time (ended by a NULL name).
 */
struct lsnn_help {
	const char	*section;	/* "TRAINING" */
	const char	*name;		/* "snn.train", "t:shape" */
	const char	*synopsis;	/* "snn.train(options)", a line each */
	const char	*text;		/* the description, wrapped */
};
extern const struct lsnn_help lsnn_help_entries[];
void	 lsnn_help_open(lua_State *L);

/* lua-tensor.c: tensors that own their data or view an engine object. */
#define LSNN_TENSOR "snn.tensor"
/*
 * A tensor userdata. An owned tensor keeps its floats in own[] and has no
 * uservalue; a view points into memory of the object held in its uservalue
 * (so the owner outlives it). A view whose owner may move or free that
 * memory (any forward may carve a network's activations again) holds a
 * pointer to the owner's counter and the value it had: once they differ
 * the view is stale and every use of it raises an error.
 */
struct lsnn_tensor {
	struct tensor		 t;
	const unsigned long	*epoch_of;	/* NULL: never stale */
	unsigned long		 epoch;
	const int		*busy;		/* job id training the owner */
	float			 own[];
};
int	 lsnn_tensor_stale(const struct lsnn_tensor *lt);
struct lsnn_tensor *lsnn_tensor_check(lua_State *L, int idx, const char *fn,
	     const char *arg);
struct lsnn_tensor *lsnn_tensor_push(lua_State *L, int ndim,
	     const int *shape);
void	 lsnn_tensor_push_view(lua_State *L, int owner, float *data, int ndim,
	     const int *shape, const unsigned long *epoch_of);
void	 lsnn_tensor_push_subview(lua_State *L, int idx, float *data,
	     int ndim, const int *shape);
void	 lsnn_tensor_open(lua_State *L);

/* lua-surrogate.c: surrogate spike functions as values. */
#define LSNN_SURROGATE "snn.surrogate"
void	 lsnn_surrogate_check(lua_State *L, int idx, const char *fn,
	     const char *arg, struct surrogate *out);
void	 lsnn_surrogate_describe(luaL_Buffer *b, const struct surrogate *s);
void	 lsnn_surrogate_open(lua_State *L);

/* lua-net.c: layers and sequential networks. */
#define LSNN_NET "snn.net"
void	 lsnn_net_open(lua_State *L);
struct net *lsnn_net_check(lua_State *L, int idx, const char *fn,
	    const char *arg);
struct net *lsnn_net_claim(lua_State *L, int idx, const char *fn, int job);
void	 lsnn_net_release(lua_State *L, int idx);
void	 lsnn_net_lend(lua_State *L, int idx, int job, int lend);
void	 lsnn_net_push_owned(lua_State *L, struct net *net);

/*
 * lua-convert.c: snn.convert and snn.simulate (QCFS conversion). A
 * simulation is a job: after each batch its worker posts a record of the
 * images done, the right predictions at every t so far and, with
 * analysis, each converted layer's fraction of uneven neurons and mean
 * |e| at the last analysis step, over the images so far.
 */
struct lsnn_simulate_record {
	int		 T;
	size_t		 n;		/* images simulated */
	size_t		 total;		/* images to simulate */
	double		 seconds;	/* since the simulation started */
	double		 ann;		/* the ANN's accuracy, or NaN */
	size_t		*correct;	/* (T) right at each t */
	int		 nlayers;
	const char *const *names;	/* (nlayers) paths, the job's */
	int		 check;		/* analysis step; 0: no analysis */
	double		*frac_uneven;	/* (nlayers) at step check */
	double		*mean_abs_e;	/* (nlayers) at step check */
};
void	 lsnn_convert_open(lua_State *L);

/*
 * lua-data.c: data sets (snn.data.nmnist, snn.data.mnist), each a userdata
 * holding a struct dataset, and lua-optim.c: optimizer and schedule
 * settings (snn.optim.adam{...}, snn.optim.sgd{...}).
 */
#define LSNN_DATA "snn.dataset"
void	 lsnn_data_open(lua_State *L);
const struct dataset *lsnn_data_check(lua_State *L, int idx, const char *fn,
	     const char *arg, const uint32_t **index, size_t *nindex,
	     const char **json);
const char *lsnn_data_mnist_root(lua_State *L, int opt, const char *fn,
	     const char *key);
void	 lsnn_data_use(lua_State *L, int idx, int job, int use);

void	 lsnn_optim_open(lua_State *L);
void	 lsnn_optim_check(lua_State *L, int idx, const char *fn,
	     struct optim *o, struct schedule *s);

/* lua-plot.c: figures as SVG files (snn.plot.lines, bars, surrogate). */
void	 lsnn_plot_open(lua_State *L);

/*
 * lua-train.c: snn.train, snn.evaluate and jobs of every kind (training,
 * simulation). In batch mode snn.train blocks until the run ends, pumping
 * its records (progress line, history, on_epoch hooks) on the main
 * thread, and returns the history; in the interactive session
 * (lsnn_train_set_async, LSNN_ASYNC_JOB) it returns a job at once and the
 * UI's event loop polls lsnn_train_fds and calls lsnn_train_pump; in the
 * plain line mode (LSNN_ASYNC_WAIT) it blocks and returns the job. Every
 * record taken from any job is also handed to the observer (the live
 * charts). Another kind of job (snn.simulate) makes its job userdata with
 * lsnn_train_job_new and starts it with lsnn_train_job_run.
 */
#define LSNN_JOB "snn.job"
/* What the observer sees: a record, or (both NULL) how a job ended. */
struct lsnn_train_event {
	int					 job;
	const char				*kind;	/* "train", ... */
	const struct train_record		*rec;	/* training */
	const struct lsnn_simulate_record	*sim;	/* simulation */
	enum job_state				 state;	/* the end */
	const char				*error;	/* failed: why */
};
/* Records of any kind, for taking them from a job's queue. */
union lsnn_train_rec {
	struct train_record		train;
	struct lsnn_simulate_record	sim;
};
struct lsnn_job;
/*
 * A kind of job: what the main thread does with each record it takes
 * (take frees it), once the job has ended in state (end: it leaves what
 * job:wait returns with lsnn_train_job_set_result), and what the job
 * userdata frees of its own part (lsnn_train_job_priv) when collected
 * (gc). The job userdata is at idx.
 */
struct lsnn_train_kind {
	const char	*name;		/* "train", "simulate": job.kind */
	const char	*fn;		/* "snn.train": names errors */
	void		(*take)(lua_State *L, struct lsnn_job *lj, int idx,
			    union lsnn_train_rec *rec, int draw);
	void		(*end)(lua_State *L, struct lsnn_job *lj, int idx,
			    enum job_state state);
	void		(*gc)(struct lsnn_job *lj);
};
void	 lsnn_train_open(lua_State *L);
/* How snn.train and snn.simulate run (lsnn_train_set_async). */
enum lsnn_async {
	LSNN_ASYNC_NONE,	/* block, return the result (batch mode) */
	LSNN_ASYNC_JOB,		/* return the job at once (the session) */
	LSNN_ASYNC_WAIT		/* block, return the job (plain line mode) */
};
void	 lsnn_train_set_async(lua_State *L, enum lsnn_async async);
void	 lsnn_train_set_observer(void (*fn)(void *arg,
	     const struct lsnn_train_event *ev), void *arg);
void	 lsnn_train_observe(const struct lsnn_train_event *ev);
int	 lsnn_train_fds(int *fds, int max);
int	 lsnn_train_pump(lua_State *L);
struct job *lsnn_train_current(void);
int	 lsnn_train_running(void);
void	 lsnn_train_stop_all(lua_State *L);
struct lsnn_job *lsnn_train_job_new(lua_State *L,
	     const struct lsnn_train_kind *kind, size_t priv_size, int keep);
struct net *lsnn_train_job_claim(lua_State *L, struct lsnn_job *lj, int idx,
	     int net);
void	 lsnn_train_job_data(lua_State *L, int idx, int data);
void	*lsnn_train_job_priv(const struct lsnn_job *lj);
int	 lsnn_train_job_id(const struct lsnn_job *lj);
void	 lsnn_train_job_set_result(lua_State *L, int idx);
int	 lsnn_train_job_run(lua_State *L, struct lsnn_job *lj, int idx,
	     struct job *job, char *cause, int wait);

/*
 * lua-sim.c: the event-camera simulator: snn.simulate_nmnist writes
 * simulated N-MNIST recordings, snn.sim.recording returns one.
 */
void	 lsnn_sim_open(lua_State *L);

#endif
