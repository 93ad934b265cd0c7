/*
 * nn.h: networks: layers and modules, neurons and surrogates, losses,
 * optimizers, checkpoints, training and run directories, and ANN-to-SNN
 * conversion with its simulation and analysis. Prototypes grouped by
 * file; conventions in core.h.
 */
#ifndef SNNWB_NN_H
#define SNNWB_NN_H

#include "data.h"

/* layer-linear.c: y = x w^T + b with PyTorch's (out, in) weight layout. */
void	 layer_linear_init(float *w, float *b, int in, int out,
	     struct rng *r);
void	 layer_linear_forward(float *y, const float *x, const float *w,
	     const float *b, int rows, int in, int out);
void	 layer_linear_backward(float *dx, float *dw, float *db,
	     const float *dy, const float *x, const float *w, int rows,
	     int in, int out);
/*
 * The sparse input path of a first Linear layer (its x is the network's
 * input): y = x w^T and dw += dy^T x from the nonzeros of x when at most
 * max_density of x is nonzero, dense GEMMs otherwise. Networks use it with
 * LINEAR_SPARSE_MAX_DENSITY.
 */
#define LINEAR_SPARSE_MAX_DENSITY 0.3f
struct linear_sparse;
/* Seconds spent in each stage of the sparse path, summed over calls. */
struct linear_sparse_times {
	double	scan;		/* counting nonzeros, building the CSR of x */
	double	mul;		/* y = x w^T with w's panels (or the GEMM) */
	double	csc;		/* transposing the CSR for the backward */
	double	grad;		/* dw += dy^T x with dy's panels, db and dx */
	long	sparse;		/* forward calls that went sparse */
	long	dense;		/* forward calls that found x too dense */
};
int	 layer_linear_sparse_forward(struct linear_sparse **spp, float *y,
	     const float *x, const float *w, const float *b, int rows,
	     int in, int out, float max_density, char **cause);
void	 layer_linear_sparse_backward(struct linear_sparse *sp, float *dx,
	     float *dw, float *db, const float *dy, const float *x,
	     const float *w, int rows, int in, int out);
void	 layer_linear_sparse_free(struct linear_sparse *sp);
void	 layer_linear_sparse_skip(int on);
int	 layer_linear_sparse_used(const struct linear_sparse *sp);
double	 layer_linear_sparse_density(const struct linear_sparse *sp);
struct linear_sparse_times layer_linear_sparse_times(
	     const struct linear_sparse *sp);

/* layer-flatten.c: merging trailing dimensions, a reshape of the view. */
int	 layer_flatten_shape(int *out, const int *shape, int ndim,
	     int start_dim);

/* surrogate.c: spike-function surrogates, SpikingJelly's names and defaults. */
enum surrogate_kind {
	SURROGATE_SIGMOID,
	SURROGATE_ATAN,
	SURROGATE_PIECEWISE_QUADRATIC,
	SURROGATE_PIECEWISE_EXP,
	SURROGATE_SOFT_SIGN,
	SURROGATE_ERF,
	SURROGATE_SUPER_SPIKE,
	SURROGATE_NONZERO_SIGN_LOG_ABS,
	SURROGATE_PIECEWISE_LEAKY_RELU,
	SURROGATE_SQUAREWAVE_FOURIER_SERIES,
	SURROGATE_S2NN,
	SURROGATE_Q_PSEUDO_SPIKE,
	SURROGATE_LEAKY_K_RELU,
	SURROGATE_FAKE_NUMERICAL_GRADIENT,
	SURROGATE_LOG_TAILED_RELU,
	SURROGATE_RECT,
	SURROGATE_SINE,
	SURROGATE_POWER,
	SURROGATE_COUNT,	/* the number of built-ins, listed above */
	SURROGATE_TABLE		/* tabulated: a struct surrogate_table */
};
#define SURROGATE_MAXPARAM 3
struct surrogate {
	enum surrogate_kind		 kind;
	double				 p[SURROGATE_MAXPARAM];	/* in order */
	const struct surrogate_table	*table;	/* SURROGATE_TABLE only */
};
int	 surrogate_init(struct surrogate *s, const char *name, char **cause);
int	 surrogate_set(struct surrogate *s, const char *param, double value,
	     char **cause);
const char *surrogate_name(const struct surrogate *s);
int	 surrogate_nparams(const struct surrogate *s);
const char *surrogate_param_name(const struct surrogate *s, int i);
int	 surrogate_has_primitive(const struct surrogate *s);
const char *surrogate_kind_name(enum surrogate_kind kind);
const char *surrogate_class_name(const struct surrogate *s);
double	 surrogate_param(const struct surrogate *s, const char *param);
/*
 * P'(x) = 0.5 a |x|^(a - 1) of the power surrogate has a pole at 0: it is
 * evaluated at max(|x|, SURROGATE_POWER_XMIN), so it never exceeds
 * 0.5 a 1e-3^(a - 1) (about 7.9 for a = 0.5).
 */
#define SURROGATE_POWER_XMIN 1e-3
/* g (n) = surrogate derivative at x (n); g may equal x. */
void	 surrogate_grad(const struct surrogate *s, float *g, const float *x,
	     size_t n);
/* y (n) = smooth primitive at x (n); y may equal x. */
void	 surrogate_primitive(const struct surrogate *s, float *y,
	     const float *x, size_t n);
/*
 * A surrogate given by tables (those defined in Lua): grad and prim hold
 * the derivative and the primitive at the n + 1 nodes lo + i (hi - lo) / n
 * of the support [lo, hi]. Between nodes the derivative is interpolated
 * linearly and the primitive by cubic Hermite interpolation of both tables;
 * outside the support the derivative is exactly 0 and the primitive keeps
 * its value at the nearer end. The errors were measured when the table was
 * made, against the functions it was made from, at its n + 2 check points
 * (the midpoints between nodes and half a step beyond each end); derived
 * says that grad was computed from the primitive by finite differences,
 * and primitive that prim holds one (a surrogate defined by its gradient
 * alone has none: prim is zero and its error 0).
 * A registered table is immutable and lives until the program exits, so
 * struct surrogate, which neuron layers copy, may point at it freely.
 */
#define SURROGATE_NAMELEN	32
#define SURROGATE_TABLE_MIN	16		/* fewest intervals */
#define SURROGATE_TABLE_MAX	65536		/* most intervals */
struct surrogate_table {
	char			 name[SURROGATE_NAMELEN];
	int			 nparams;
	char			 param_name[SURROGATE_MAXPARAM]
				     [SURROGATE_NAMELEN];
	double			 param[SURROGATE_MAXPARAM];
	double			 lo;
	double			 hi;
	int			 n;		/* intervals */
	int			 derived;
	int			 primitive;
	double			 grad_error;	/* worst |error| of grad */
	double			 grad_error_at;	/* the x where it was */
	double			 prim_error;	/* worst |error| of prim */
	double			 prim_error_at;
	float			*grad;		/* (n + 1) */
	float			*prim;		/* (n + 1) */
	struct surrogate_table	*next;		/* in the registry */
};
int	 surrogate_check_name(const char *what, const char *name,
	     char **cause);
double	 surrogate_table_x(double lo, double hi, int n, double i);
struct surrogate_table *surrogate_table_new(int n, char **cause);
int	 surrogate_table_set_name(struct surrogate_table *t, const char *name,
	     char **cause);
int	 surrogate_table_add_param(struct surrogate_table *t,
	     const char *name, double value, char **cause);
int	 surrogate_table_set_support(struct surrogate_table *t, double lo,
	     double hi, char **cause);
void	 surrogate_table_free(struct surrogate_table *t);
void	 surrogate_table_measure(struct surrogate_table *t,
	     const double *grad, const double *prim);
int	 surrogate_table_register(struct surrogate_table *t,
	     const struct surrogate_table **out, char **cause);
void	 surrogate_init_table(struct surrogate *s,
	     const struct surrogate_table *t);

/* neuron.c: multi-step LIF and IF neurons over [T, B, N]. */
enum neuron_kind {
	NEURON_LIF,
	NEURON_IF
};
struct neuron {
	enum neuron_kind	kind;
	float			tau;		/* LIF only */
	int			decay_input;	/* LIF only */
	float			v_threshold;
	float			v_reset;	/* unused when soft_reset */
	int			soft_reset;	/* reset by subtraction */
	int			detach_reset;
	int			spiking;	/* 0: output the primitive */
	struct surrogate	sg;
};
void	 neuron_defaults(struct neuron *n, enum neuron_kind kind);
int	 neuron_validate(const struct neuron *n, char **cause);
/*
 * x (T, M) input; s (T, M) spikes out; h (T, M) membrane before spiking,
 * kept for backward; v (T, M) membrane after reset; v0 (M) the membrane
 * before step 0, or NULL for the rest value (v_reset, or 0 if soft reset).
 */
void	 neuron_forward(const struct neuron *n, float *s, float *h, float *v,
	     const float *x, const float *v0, int T, size_t M);
/*
 * ds (T, M) gradient of the loss with respect to s; dx (T, M) written
 * (it must not overlap ds); sg (T, M) receives the surrogate derivatives
 * (for sparsity metrics); h and s as saved by neuron_forward.
 */
void	 neuron_backward(const struct neuron *n, float *dx, float *sg,
	     const float *ds, const float *h, const float *s, int T, size_t M);

/* loss.c: losses on the mean firing rate over T. */
/*
 * s (T, B, C) output spikes, labels (B); ds (T, B, C) receives the gradient
 * when not NULL. Returns the mean loss over the batch. Nothing is checked:
 * callers keep labels in [0, C) and the temperature positive.
 */
double	 loss_mse_rate(float *ds, const float *s, const int *labels, int T,
	     int B, int C);
double	 loss_ce_rate(float *ds, const float *s, const int *labels, int T,
	     int B, int C, float temperature, float smoothing);

/* optim.c and schedule.c: parameter updates and learning-rate schedules. */
enum optim_kind {
	OPTIM_SGD,
	OPTIM_ADAM,
	OPTIM_ADAMW
};
/* torch.optim's hyperparameters and defaults; step counts finished steps. */
struct optim {
	enum optim_kind	kind;
	float		lr;
	float		weight_decay;
	float		momentum;	/* SGD */
	float		dampening;	/* SGD */
	int		nesterov;	/* SGD */
	float		beta1;		/* Adam, AdamW */
	float		beta2;		/* Adam, AdamW */
	float		eps;		/* Adam, AdamW */
	long		step;
};
/*
 * One parameter tensor: p (n) is updated in place from g (n), which
 * optim_step_zero then sets to 0. m and v (n each) are its state, owned by
 * the caller and zero before the first step: m is the momentum buffer (SGD
 * with momentum) or the first moment, v the second moment (Adam, AdamW);
 * unused ones may be NULL (see optim_nstate).
 */
struct optim_param {
	float		*p;
	float		*g;
	float		*m;
	float		*v;
	size_t		 n;
};
int	 optim_init(struct optim *o, const char *name, char **cause);
int	 optim_set(struct optim *o, const char *param, double value,
	     char **cause);
int	 optim_validate(const struct optim *o, char **cause);
const char *optim_name(const struct optim *o);
int	 optim_nstate(const struct optim *o);
void	 optim_step(struct optim *o, const struct optim_param *ps, int np);
void	 optim_step_zero(struct optim *o, const struct optim_param *ps,
	     int np);
double	 optim_clip_grad_norm(const struct optim_param *ps, int np,
	     float max_norm);

enum schedule_kind {
	SCHEDULE_CONSTANT,
	SCHEDULE_STEP,
	SCHEDULE_COSINE,
	SCHEDULE_MULTISTEP
};
#define SCHEDULE_MAXMILESTONES	32
/*
 * A learning-rate schedule over epochs; 0 in step_size or t_max: unset (an
 * unset t_max becomes the number of epochs by schedule_fit).
 */
struct schedule {
	enum schedule_kind	kind;
	int			step_size;	/* step */
	float			gamma;		/* step, multistep */
	int			t_max;		/* cosine */
	float			eta_min;	/* cosine */
	int			milestones[SCHEDULE_MAXMILESTONES];
	int			nmilestones;	/* multistep; 0: unset */
};
int	 schedule_init(struct schedule *s, const char *name, char **cause);
int	 schedule_set(struct schedule *s, const char *param, double value,
	     char **cause);
int	 schedule_set_milestones(struct schedule *s, const double *epochs,
	     int n, char **cause);
int	 schedule_validate(const struct schedule *s, char **cause);
void	 schedule_fit(struct schedule *s, int epochs);
const char *schedule_name(const struct schedule *s);
float	 schedule_lr(const struct schedule *s, float base_lr, int epoch);

/* safetensors.c: checkpoints in the safetensors format. */
#define ST_MAXDIM 8
/* The element types snnwb reads and writes. */
enum st_dtype {
	ST_F32 = 0,		/* float, in data */
	ST_I64			/* int64_t, in i64 (num_batches_tracked) */
};
/*
 * One tensor: shape[0..ndim) (ndim 0 is a scalar), its elements row-major
 * in data (F32) or i64 (I64); the other pointer is NULL.
 */
struct st_tensor {
	char		*name;
	int		 ndim;
	int64_t		 shape[ST_MAXDIM];
	enum st_dtype	 dtype;
	float		*data;
	int64_t		*i64;
};
/*
 * A safetensors file: tensors and string metadata. Filled by
 * safetensors_read, it owns every pointer (freed by safetensors_free); to
 * write, a caller may fill one with pointers it owns and never free it.
 */
struct st_file {
	int		 n;
	struct st_tensor *t;
	int		 nmeta;
	char		**meta_key;
	char		**meta_val;
};
int	 safetensors_write(const char *path, const struct st_file *f,
	     char **cause);
int	 safetensors_read(const char *path, struct st_file *f, char **cause);
int	 safetensors_read_header(const char *path, struct st_file *f,
	     char **cause);
size_t	 safetensors_numel(const struct st_tensor *t);
const struct st_tensor *safetensors_find(const struct st_file *f,
	     const char *name);
const char *safetensors_meta(const struct st_file *f, const char *key);
void	 safetensors_free(struct st_file *f);

/* pth.c: PyTorch's torch.save zip files of a state_dict, never executed. */
/*
 * Gives in *data a new buffer (mem_free) of exactly len bytes: the
 * storage called key.
 */
typedef int pth_storage_fn(void *arg, const char *key, size_t len,
	     unsigned char **data, char **cause);
int	 pth_unpickle(const void *pkl, size_t len, const char *name,
	     pth_storage_fn *fn, void *arg, uint64_t budget,
	     struct st_file *f, char **cause);
int	 pth_read_buffer(const void *buf, size_t len, const char *name,
	     struct st_file *f, char **cause);
int	 pth_read(const char *path, struct st_file *f, char **cause);
int	 pth_is_zip(const char *path);

/*
 * module.c: modules, the nodes of a network: layers (linear, flatten, lif,
 * relu, ...) and containers (sequential, residual) that nest to any depth.
 * Each kind is one struct module_kind in a file of its own, listed once in
 * module.c's table. A module's parameters and buffers are named by the
 * path of module names, as PyTorch names the state_dict of the model it
 * mirrors ("layer1.0.conv1.weight"); a module whose name is empty adds
 * nothing to the path. Stateless modules see time merged into the batch,
 * (T * B, per-sample shape...); neurons step through T with state (B, ...).
 */
struct json_t;
#define MODULE_NAMELEN	48
#define MODULE_MAXPARAM	6
/* What a kind is, in struct module_kind's flags. */
#define MODULE_ALIAS	0x1	/* its output is its input, reshaped */
#define MODULE_STATS	0x2	/* an activation: per-layer statistics */
#define MODULE_CONTAINER 0x4	/* holds child modules */
#define MODULE_REAL_ARGS 0x8	/* positional arguments need not be sizes */
#define MODULE_STATEFUL	0x10	/* output depends on more than the input */
/* A parameter or buffer of a module. */
#define MPARAM_BUFFER	0x1	/* no gradient, not trained (running_mean) */
#define MPARAM_I64	0x2	/* an integer, stored as I64 in checkpoints */
struct mparam {
	const char	*name;		/* "weight", "running_var": static */
	int		 flags;
	int		 ndim;
	int		 shape[4];
	size_t		 n;		/* values */
	float		*data;		/* n values in the net's block */
	float		*grad;		/* n, parameters only */
	int		 owned;		/* data is the module's own */
};
/* Statistics of an activation module (MODULE_STATS), last forward/backward. */
struct module_stats {
	double		rate;		/* mean spike, or fraction nonzero */
	double		sg_zero;	/* fraction of surrogate grads == 0 */
	double		sg_small;	/* fraction < 1e-3 of the layer's max */
	double		zero_rows;	/* fraction of all-zero rows of dx */
	int		has_grad;	/* the three above are set */
};
/* Seconds spent in the modules of one kind (net_profile). */
#define MODULE_MAXKINDS	32
struct module_time {
	double		 forward;
	double		 backward;
	long		 calls;		/* forwards */
};
/* What a forward or backward runs for. */
struct mctx {
	int		 T;
	int		 B;
	int		 training;	/* batch statistics, dropout */
	int		 repeat;	/* x is the input of the last forward */
	struct module_time *prof;	/* (MODULE_MAXKINDS) by kind, or NULL */
	int		 sparse;	/* inputs may be sparse (spikes) */
};
struct module;
struct module_kind {
	const char	*name;		/* JSON "type", snn.<lua> constructor */
	const char	*lua;		/* Lua constructor name, or NULL */
	const char *const *args;	/* positional constructor arguments */
	const char *const *opts;	/* the other keys it accepts */
	size_t		 priv;		/* bytes of private state */
	int		 flags;
	/* Reads the description o, declares parameters; -1 with a message. */
	int		(*parse)(struct module *m, struct json_t *o,
			    char **cause);
	/* Adds the description's keys (not "type" or "name") to o. */
	void		(*describe)(const struct module *m, struct json_t *o);
	/* Draws the initial parameter values (NULL: none to draw). */
	void		(*init)(struct module *m, struct rng *r);
	/* Sets out_ndim and out_shape from in_*; containers recurse. */
	int		(*shape)(struct module *m, char **cause);
	/* Takes activation buffers from a (NULL: y and dx as usual). */
	void		(*carve)(struct module *m, struct arena *a,
			    const struct mctx *c);
	/* x (T * B, in...) to m->y (T * B, out...). */
	int		(*forward)(struct module *m, const struct mctx *c,
			    const float *x, char **cause);
	/* dy (T * B, out...) to m->dx, computed when need_dx is set. */
	void		(*backward)(struct module *m, const struct mctx *c,
			    const float *dy, int need_dx);
	/* Returns the state to rest (neurons), or NULL. */
	void		(*reset)(struct module *m);
	/* Frees the private state's allocations, or NULL. */
	void		(*free)(struct module *m);
};
struct module {
	const struct module_kind *kind;
	char		 name[MODULE_NAMELEN];
	int		 named;		/* given a name, "" (no path) included */
	int		 nchild;
	struct module	**child;
	int		 nparam;
	struct mparam	 param[MODULE_MAXPARAM];
	/* Per-sample shapes of the planned input, set by module_shape. */
	int		 in_ndim;
	int		 in_shape[TENSOR_MAXDIM];
	int		 out_ndim;
	int		 out_shape[TENSOR_MAXDIM];
	size_t		 in_size;
	size_t		 out_size;
	int		 x_is_input;	/* its x is the network's input */
	int		 pure;		/* no MODULE_STATEFUL in or below it */
	/* Activations of the last forward, views into the net's arena. */
	const float	*x;		/* (T * B, in_size) */
	float		*y;		/* (T * B, out_size) */
	float		*dx;		/* (T * B, in_size) */
	struct module_stats stats;
	void		*priv;		/* kind->priv bytes, zeroed */
};
const struct module_kind *module_kind_find(const char *name);
const struct module_kind *module_kind_at(int i);
int	 module_kind_index(const struct module_kind *kind);
struct module *module_new(const struct module_kind *kind, char **cause);
struct module *module_parse(struct json_t *o, struct rng *r, char **cause);
struct json_t *module_describe(const struct module *m);
void	 module_free(struct module *m);
int	 module_add_child(struct module *m, struct module *child,
	     const char *name, char **cause);
int	 module_check_children(const struct module *m, char **cause);
float	*module_declare(struct module *m, const char *name, int flags,
	     int ndim, const int *shape, char **cause);
struct mparam *module_param(struct module *m, const char *name);
void	 module_set_budget(size_t values);
int	 module_shape(struct module *m, int ndim, const int *shape,
	     int x_is_input, char **cause);
void	 module_carve(struct module *m, struct arena *a,
	     const struct mctx *c);
int	 module_forward(struct module *m, const struct mctx *c,
	     const float *x, char **cause);
void	 module_backward(struct module *m, const struct mctx *c,
	     const float *dy, int need_dx);
void	 module_reset(struct module *m);
void	 module_init(struct module *m, struct rng *r);
char	*module_label(const struct module *m, char *buf, size_t len);
int	 module_json_int(struct json_t *o, const char *key, int def, int lo,
	     int hi, int *v, char **cause);
int	 module_json_number(struct json_t *o, const char *key, double def,
	     double *v, char **cause);
int	 module_json_bool(struct json_t *o, const char *key, int def, int *v,
	     char **cause);
/* Visits m and every module below it in network order, with its path. */
typedef int (*module_visit_fn)(struct module *m, const char *path,
	     void *arg);
int	 module_walk(struct module *m, const char *prefix, module_visit_fn fn,
	     void *arg);

/* The kinds other files need by name (each file defines its own). */
extern const struct module_kind layer_linear_kind;
extern const struct module_kind layer_lif_kind;
extern const struct module_kind layer_if_kind;
extern const struct module_kind layer_sequential_kind;
extern const struct module_kind layer_qcfs_kind;
extern const struct module_kind layer_qcfs_if_kind;
void	 layer_qcfs_if_set_analysis(struct module *m, int on);
void	 layer_qcfs_if_state(const struct module *m, const float **v,
	     const float **count, const double **sum_in, float *v0,
	     int *steps);
extern const struct module_kind layer_residual_kind;
struct linear_sparse *layer_linear_module_sparse(const struct module *m);

/* layer-sequential.c: children of containers, parsed and described. */
int	 layer_sequential_child(struct module *m, struct json_t *d,
	     const char *def, char **cause);
struct json_t *layer_sequential_child_describe(const struct module *m,
	     int i, const char *def);

/* layer-neuron.c: LIF and IF neuron modules; the configuration of one. */
struct neuron	*layer_neuron_config(struct module *m);
const float	*layer_neuron_h(const struct module *m);
const float	*layer_neuron_v(const struct module *m);
const float	*layer_neuron_sg(const struct module *m);

/* net.c: a network: a root module, its parameters in one block. */
/* A named tensor of the network: a parameter or buffer, by path. */
struct net_tensor {
	char		*name;		/* "layer1.0.conv1.weight" */
	struct mparam	*p;
	struct module	*m;
};
struct net {
	struct module	*root;
	int		 ntensors;
	struct net_tensor *tensor;	/* parameters, then buffers */
	int		 nparam_tensors;	/* the first ones are params */
	size_t		 nparams;
	float		*params;	/* every parameter, one block */
	float		*grads;		/* same layout as params */
	size_t		 nbuffers;
	float		*buffers;	/* every buffer, one block */
	int		 nstats;
	struct module	**stats;	/* activations, network order */
	char		**stats_name;	/* their paths */
	struct arena	 acts;
	int		 training;	/* 1: train mode (the default) */
	int		 T;		/* shape the arena is carved for */
	int		 B;
	int		 in_ndim;
	int		 in_shape[TENSOR_MAXDIM];
	int		 busy;		/* id of the job training it, or 0 */
	struct module_time *prof;	/* per kind when profiling, or NULL */
	int		 sparse;	/* forwards may skip zero inputs */
};
struct net	*net_new(void);
struct net	*net_wrap(struct module *root, char **cause);
void		 net_invalidate(struct net *net);
int		 net_profile(struct net *net, int on);
void	 net_free(struct net *net);
int	 net_add(struct net *net, struct module *m, char **cause);
int	 net_add_linear(struct net *net, int in, int out, int bias,
	     struct rng *r, char **cause);
int	 net_add_flatten(struct net *net, char **cause);
int	 net_add_neuron(struct net *net, const struct neuron *n, char **cause);
struct module *net_module(const struct net *net, int i);
int	 net_nmodules(const struct net *net);
struct module *net_find(const struct net *net, const char *path);
const struct net_tensor *net_tensor(const struct net *net, const char *name);
void	 net_init_params(struct net *net, struct rng *r);
struct net *net_copy(const struct net *net, char **cause);
/* x is (T, B, in_shape...); *out points at the last module's (T, B, ...). */
int	 net_forward(struct net *net, const float *x, int T, int B,
	     int in_ndim, const int *in_shape, const float **out,
	     char **cause);
int	 net_step(struct net *net, const float *x, int B, int in_ndim,
	     const int *in_shape, int repeat, const float **out, char **cause);
/* dy is (T, B, out...); accumulates grads; *dx (may be NULL) gets dx. */
int	 net_backward(struct net *net, const float *dy, const float **dx,
	     char **cause);
void	 net_zero_grad(struct net *net);
void	 net_reset(struct net *net);
void	 net_set_training(struct net *net, int training);
int	 net_set_spiking(struct net *net, int spiking, char **cause);
int	 net_out_shape(const struct net *net, int *shape);

/* net-json.c: a network's description as JSON, and back. */
char	*net_json_describe(const struct net *net);
struct net *net_json_build(const char *json, char **cause);
struct json_t *net_json_surrogate(const struct surrogate *s);
int	 net_json_parse_surrogate(struct json_t *sg, const char *where,
	     struct surrogate *s, char **cause);

/* checkpoint.c: networks and optimizer state in safetensors files. */
struct checkpoint {
	float		*m;		/* (nparams) optimizer state or NULL */
	float		*v;		/* (nparams) optimizer state or NULL */
	int		 epoch;		/* epochs finished */
	long		 step;		/* optimizer steps taken */
	int		 has_state;	/* set by restore */
};
int	 checkpoint_save(const char *path, const struct net *net,
	     const struct checkpoint *ck, const char *const *meta,
	     char **cause);
int	 checkpoint_save_state(const char *path, const struct net *net,
	     const struct checkpoint *ck, char **cause);
struct net *checkpoint_load(const char *path, char **cause);
int	 checkpoint_restore(const char *path, struct net *net,
	     struct checkpoint *ck, char **cause);
int	 checkpoint_restore_state(const char *path, const struct net *net,
	     struct checkpoint *ck, char **cause);
int	 checkpoint_load_state(const char *path, struct net *net,
	     int strict, char **cause);

/* train.c: the training loop, its records and run directories. */
#define TRAIN_HISTBINS 32		/* bins of H - v_threshold ... */
#define TRAIN_HISTLO (-2.0)		/* ... over [LO, HI) */
#define TRAIN_HISTHI 2.0
enum train_rec_kind {
	TRAIN_REC_BATCH,
	TRAIN_REC_EPOCH
};
/* The statistics of one activation layer in a record. */
struct train_layer {
	double		rate;		/* mean spike, or fraction nonzero */
	double		sg_zero;
	double		sg_small;
	double		zero_rows;
	/* H - v_threshold, fractions of T * B * N (neurons, hist_bins). */
	double		hist[TRAIN_HISTBINS];
	double		hist_below;
	double		hist_above;
};
/*
 * One progress record; layer (nlayers) covers the network's activation
 * layers in order (net->stats) and belongs to the record: whoever holds
 * the record last frees it with train_record_free.
 */
struct train_record {
	enum train_rec_kind	kind;
	int			epoch;		/* from 1 */
	int			epochs;
	int			batch;		/* from 1 within the epoch */
	int			nbatches;
	double			loss;		/* batch, or epoch mean */
	double			acc;		/* batch, or epoch train accuracy */
	double			test_loss;	/* epoch; NaN without test set */
	double			test_acc;	/* epoch; NaN without test set */
	double			samples_per_s;
	double			lr;
	double			seconds;	/* since the job started */
	int			dead;		/* epoch: see train_silent */
	int			hist_bins;	/* 0: no histograms */
	int			nlayers;
	struct train_layer	*layer;
	const char *const	*names;	/* the layers' module names, the net's */
};
enum train_loss {
	TRAIN_LOSS_MSE_RATE,		/* spikes: MSE of the rate, one-hot */
	TRAIN_LOSS_CE_RATE,		/* spikes: CE of rate / temperature */
	TRAIN_LOSS_CE			/* logits: CE of the mean over T */
};
/* A training run; the pointers are borrowed for the run's duration. */
struct train_config {
	struct net		*net;
	const struct dataset	*train;
	const uint32_t		*train_index;	/* samples used; NULL: all */
	size_t			 train_nindex;
	const struct dataset	*test;		/* or NULL */
	const uint32_t		*test_index;
	size_t			 test_nindex;
	int			 epochs;
	int			 batch;
	int			 drop_last;
	int			 histogram;	/* records carry hist */
	int			 hold;		/* wait after each epoch record */
	uint64_t		 seed;
	enum train_loss		 loss;
	float			 temperature;	/* ce_rate: logits = rate / it */
	float			 label_smoothing;	/* ce */
	float			 clip_grad_norm;	/* 0: no clipping */
	struct optim		 optim;
	struct schedule		 schedule;
	const char		*run_dir;	/* or NULL */
	int			 resume;
	int			 overwrite;	/* replace a run in run_dir */
	const char		*data_json;	/* data description for config */
	void			(*emit)(void *, const struct train_record *);
	void			*emit_arg;	/* for a synchronous run */
};
/* Evaluation: confusion is (classes, classes), rows the true class. */
struct train_eval {
	size_t		 n;
	double		 loss;
	double		 acc;
	int		 classes;
	uint32_t	*confusion;
};
struct job;
void	 train_defaults(struct train_config *cfg);
const char *train_loss_name(enum train_loss loss);
int	 train_loss_parse(const char *name, enum train_loss *loss,
	     char **cause);
int	 train_evaluate(struct net *net, const struct dataset *ds,
	     const uint32_t *index, size_t nindex, int batch,
	     enum train_loss loss, float temperature, float smoothing,
	     struct train_eval *out, char **cause);
void	 train_record_free(void *rec);
void	 train_eval_free(struct train_eval *e);
int	 train_run(struct train_config *cfg, struct job *job, char **cause);
struct job *train_start(struct train_config *cfg, char **cause);

/* run.c: run directories: config.json, metrics.csv, checkpoints. */
struct run;
struct run *run_open(const char *dir, char **cause);
int	 run_start(struct run *run, const char *config, int keep_epochs,
	     char **cause);
int	 run_check_columns(struct run *run, int keep_epochs, int n,
	     const char *const *names, char **cause);
int	 run_clear(struct run *run, int keep, char **cause);
char	*run_path(const struct run *run, const char *name);
void	 run_record(struct run *run, const struct train_record *rec);
int	 run_sync(struct run *run, const struct train_record *rec,
	     char **cause);
const char *run_dir(const struct run *run);
void	 run_close(struct run *run);

/* convert.c: ANN-to-SNN conversion of QCFS networks. */
struct convert_layer {
	const char	*path;		/* the qcfs module's path */
	double		 shift;		/* v(0) / theta; NaN: the default */
	const float	*bias;		/* (nbias) channel currents, or NULL */
	int		 nbias;
};
struct convert_opts {
	double		 shift;		/* v(0) / theta, 1/2 */
	int		 fold_bn;	/* fold batch norm into the conv */
	const char	*mode;		/* "if", "signed" or "burst"; or NULL */
	int		 burst;		/* most spikes a step in mode "burst" */
	const struct convert_layer *layers; /* per-layer settings by path */
	int		 nlayers;
};
struct net *convert_net(const struct net *ann, const struct convert_opts *o,
	     char **cause);

/* analysis.c: conversion errors of a converted layer (Bu et al. 2022). */
#define ANALYSIS_BINS	20
struct analysis_hist {
	double		 lo, hi;	/* ANALYSIS_BINS bins over [lo, hi) */
	double		 count[ANALYSIS_BINS];
	double		 below, above;
};
struct analysis {
	int		 T;
	double		 neurons;	/* neurons x images */
	/* Sums, then (analysis_finish) the means over the neurons. */
	double		 spikes, below, above, uneven;
	double		 sum_e, sum_abs_e, sum_clip, sum_abs_clip;
	double		 sum_quant, sum_abs_quant;
	double		 rate, frac_below, frac_above, frac_uneven;
	double		 mean_e, mean_abs_e, eq9_max_abs;
	double		 mean_clip_err, mean_abs_clip_err;
	double		 mean_quant_err, mean_abs_quant_err;
	struct analysis_hist v_hist;	/* v(T) / theta over [-1, 2) */
	struct analysis_hist e_hist;	/* n - n_even, one bin each */
	/* Against the ANN: phi - a, with a the qcfs output on the image. */
	int		 has_total;
	double		 sum_total, sum_abs_total;
	double		 total_err, mean_abs_total_err;
	int		 nchan;		/* channels of the layer */
	double		*chan_total;	/* (nchan) sums, then means */
	double		 chan_neurons;	/* neurons x images per channel */
};
void	 analysis_add(struct analysis *a, const struct module *m, int B);
int	 analysis_add_total(struct analysis *a, const struct module *m,
	     const float *ann, int B, char **cause);
void	 analysis_finish(struct analysis *a);

/* simulate.c: a converted network stepped through time on a data set. */
struct simulate_result;
struct simulate_opts {
	const struct dataset *data;
	const uint32_t	*index;		/* (nindex) samples, or NULL */
	size_t		 nindex;	/* without index: the first; 0: all */
	int		 T;
	int		 batch;
	const int	*checkpoints;	/* analysis at these T, increasing */
	int		 ncheckpoints;
	int		 keep_logits;	/* fill the result's logits */
	int		 sparse;	/* let layers skip zero inputs */
	struct net	*ann;		/* the ANN to compare with, or NULL */
	int		 record_layer;	/* 0, or converted layer k (from 1) */
	size_t		 record_image;	/* whose input for this image (from
					   0) is kept at every step */
	/* After each batch: 0 goes on, 1 ends, -1 fails with *cause. */
	int		(*tick)(void *arg, const struct simulate_result *r,
			    char **cause);
	void		*arg;
};
struct simulate_result {
	int		 T;
	size_t		 n;		/* images simulated */
	size_t		 total;		/* images to simulate */
	int		 classes;
	size_t		*correct;	/* (T) right at each t */
	int		 nlayers;	/* converted neurons, network order */
	char		**names;	/* (nlayers) module paths */
	double		*rate;		/* (nlayers) spikes per neuron-step */
	int		 ncheckpoints;
	struct analysis	*analysis;	/* (ncheckpoints, nlayers) */
	float		*logits;	/* (T, n, classes) means, if kept */
	float		*record;	/* (T, record_n) recorded currents */
	size_t		 record_n;
	double		 seconds;
};
int	 simulate_run(struct net *net, const struct simulate_opts *o,
	     struct simulate_result *r, char **cause);
void	 simulate_result_free(struct simulate_result *r);

/* simulate-write.c: a simulation's run directory (CSV and SVG). */
int	 simulate_write(const struct simulate_result *r, const int *steps,
	     const char *dir, double ann, char **cause);

#endif
