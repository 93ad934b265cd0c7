/*
 * optim.c: parameter updates with torch.optim's semantics: SGD (momentum,
 * dampening, Nesterov, L2 weight decay), Adam (L2 weight decay added to the
 * gradient) and AdamW (decoupled weight decay). One call updates every
 * parameter tensor of a network on the thread pool, and may zero the
 * gradients as it goes; the state buffers belong to the caller
 * (typically carved from the same arena as the parameters).
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#if defined(__SSE__)
#include <immintrin.h>
#endif

#include "nn.h"

/* Which kinds a hyperparameter belongs to (bits of 1 << kind). */
#define OPTIM_FOR_SGD	(1 << OPTIM_SGD)
#define OPTIM_FOR_ADAM	((1 << OPTIM_ADAM) | (1 << OPTIM_ADAMW))
#define OPTIM_FOR_ALL	(OPTIM_FOR_SGD | OPTIM_FOR_ADAM)

/* Range flags: bounds excluded, integer (stored as int) values only. */
#define OPTIM_LO_OPEN	0x1
#define OPTIM_HI_OPEN	0x2
#define OPTIM_INT	0x4

/* The hyperparameters: name, kinds, valid range and where each lives. */
static const struct optim_hyper {
	const char	*name;
	int		 kinds;
	double		 lo;
	double		 hi;
	int		 flags;
	const char	*range;		/* the range in words, for messages */
	size_t		 off;		/* a float, or an int with OPTIM_INT */
} optim_hypers[] = {
	{ "lr", OPTIM_FOR_ALL, 0, INFINITY, OPTIM_LO_OPEN | OPTIM_HI_OPEN,
	    "> 0", offsetof(struct optim, lr) },
	{ "weight_decay", OPTIM_FOR_ALL, 0, INFINITY, OPTIM_HI_OPEN,
	    ">= 0", offsetof(struct optim, weight_decay) },
	{ "momentum", OPTIM_FOR_SGD, 0, INFINITY, OPTIM_HI_OPEN,
	    ">= 0", offsetof(struct optim, momentum) },
	{ "dampening", OPTIM_FOR_SGD, 0, 1, 0,
	    "in [0, 1]", offsetof(struct optim, dampening) },
	{ "nesterov", OPTIM_FOR_SGD, 0, 1, OPTIM_INT,
	    "0 or 1", offsetof(struct optim, nesterov) },
	{ "beta1", OPTIM_FOR_ADAM, 0, 1, OPTIM_HI_OPEN,
	    "in [0, 1)", offsetof(struct optim, beta1) },
	{ "beta2", OPTIM_FOR_ADAM, 0, 1, OPTIM_HI_OPEN,
	    "in [0, 1)", offsetof(struct optim, beta2) },
	{ "eps", OPTIM_FOR_ADAM, 0, INFINITY, OPTIM_LO_OPEN | OPTIM_HI_OPEN,
	    "> 0", offsetof(struct optim, eps) },
};
#define OPTIM_NHYPER (sizeof optim_hypers / sizeof optim_hypers[0])

/* The optimizer names, indexed by enum optim_kind. */
static const char *const optim_names[] = { "sgd", "adam", "adamw" };

/*
 * Sets o to the named optimizer ("sgd", "adam", "adamw") with PyTorch's
 * defaults (lr 1e-3, betas 0.9 and 0.999, eps 1e-8, weight decay 0, or
 * 1e-2 for AdamW) and no steps taken.
 */
int
optim_init(struct optim *o, const char *name, char **cause)
{
	int	k;

	for (k = 0; k <= OPTIM_ADAMW; k++)
		if (strcmp(name, optim_names[k]) == 0)
			break;
	if (k > OPTIM_ADAMW)
		return error_set(cause, "unknown optimizer \"%s\" (sgd, adam "
		    "or adamw)", name);
	memset(o, 0, sizeof *o);
	o->kind = (enum optim_kind)k;
	o->lr = 1e-3f;
	o->weight_decay = o->kind == OPTIM_ADAMW ? 1e-2f : 0.0f;
	o->beta1 = 0.9f;
	o->beta2 = 0.999f;
	o->eps = 1e-8f;
	return 0;
}

/* Returns the optimizer's name as optim_init takes it. */
const char *
optim_name(const struct optim *o)
{
	return optim_names[o->kind];
}

/* Reads hyperparameter h of o as a double. */
static double
optim_get(const struct optim *o, const struct optim_hyper *h)
{
	const char	*at = (const char *)o + h->off;

	if (h->flags & OPTIM_INT)
		return *(const int *)(const void *)at;
	return *(const float *)(const void *)at;
}

/* Checks value against the range of h; the message names o's kind. */
static int
optim_check(const struct optim *o, const struct optim_hyper *h,
    double value, char **cause)
{
	int	bad;

	bad = !(h->flags & OPTIM_LO_OPEN ? value > h->lo : value >= h->lo) ||
	    !(h->flags & OPTIM_HI_OPEN ? value < h->hi : value <= h->hi) ||
	    ((h->flags & OPTIM_INT) && value != floor(value));
	if (bad)
		return error_set(cause, "%s: %s must be %s, not %g",
		    optim_name(o), h->name, h->range, value);
	return 0;
}

/* Sets one hyperparameter by name after checking that o has it and range. */
int
optim_set(struct optim *o, const char *param, double value, char **cause)
{
	const struct optim_hyper	*h;
	char				*at;
	size_t				 i;

	for (i = 0; i < OPTIM_NHYPER; i++)
		if (strcmp(param, optim_hypers[i].name) == 0)
			break;
	if (i == OPTIM_NHYPER)
		return error_set(cause, "%s: unknown parameter \"%s\"",
		    optim_name(o), param);
	h = &optim_hypers[i];
	if (!(h->kinds & (1 << o->kind)))
		return error_set(cause, "%s has no parameter %s",
		    optim_name(o), param);
	if (optim_check(o, h, value, cause) != 0)
		return -1;
	at = (char *)o + h->off;
	if (h->flags & OPTIM_INT)
		*(int *)(void *)at = (int)value;
	else
		*(float *)(void *)at = (float)value;
	return 0;
}

/*
 * Checks every hyperparameter of o's kind and their combination (Nesterov
 * needs momentum and no dampening, as in PyTorch).
 */
int
optim_validate(const struct optim *o, char **cause)
{
	size_t	i;

	if ((int)o->kind < 0 || o->kind > OPTIM_ADAMW)
		return error_set(cause, "bad optimizer kind %d", (int)o->kind);
	for (i = 0; i < OPTIM_NHYPER; i++) {
		if ((optim_hypers[i].kinds & (1 << o->kind)) &&
		    optim_check(o, &optim_hypers[i],
		    optim_get(o, &optim_hypers[i]), cause) != 0)
			return -1;
	}
	if (o->kind == OPTIM_SGD && o->nesterov &&
	    (o->momentum <= 0 || o->dampening != 0))
		return error_set(cause, "sgd: nesterov requires momentum > 0 "
		    "and dampening 0");
	return 0;
}

/* Returns how many state buffers (m, then v) each parameter needs: 0-2. */
int
optim_nstate(const struct optim *o)
{
	if (o->kind != OPTIM_SGD)
		return 2;
	return o->momentum != 0 ? 1 : 0;
}

/*
 * An optimizer step is split into the pool's tasks: task t of n updates
 * the slice [n_i t / n, n_i (t + 1) / n) of every tensor i, with the cuts
 * rounded down to OPTIM_ALIGN floats so that no two tasks share a cache
 * line of an aligned tensor. Each element is updated alone, so the result
 * does not depend on the number of tasks. A task walks its slices
 * OPTIM_BLOCK floats at a time and zeroes a block of gradients right after
 * using it. Steps over fewer than OPTIM_MIN_SPLIT floats run as one task.
 */
#define OPTIM_ALIGN	16
#define OPTIM_BLOCK	4096
#define OPTIM_MIN_SPLIT	65536

/*
 * Four floats in GCC's and clang's vector extension: Adam's loop is
 * written with them because sqrtf, which may set errno, keeps compilers
 * from vectorizing it. Lane by lane the operations are those of the
 * scalar formula, so the results are the same bits.
 */
typedef float optim_vec __attribute__((vector_size(16)));
#define OPTIM_LANES	4

/* One step's constants and tensors, shared by its tasks. */
struct optim_job {
	const struct optim	*o;
	const struct optim_param *ps;	/* (np) */
	int			 np;
	int			 ntasks;
	int			 zero;		/* zero g after use */
	float			 keep;		/* SGD: m's own weight */
	float			 add;		/* SGD: d's weight in m */
	float			 step_size;	/* Adam: lr / (1 - b1^t) */
	float			 bc2_sqrt;	/* Adam: sqrt(1 - b2^t) */
	float			 l2;		/* Adam: wd added to g */
	float			 decay;		/* AdamW: p's scale */
};

/*
 * SGD on elements [i0, i1) of one tensor, as torch.optim.SGD: d = g + wd p;
 * with momentum the buffer becomes d on the first step, else m = mu m +
 * (1 - dampening) d; d is then m, or d + mu m with Nesterov; finally
 * p -= lr d.
 */
static void
optim_sgd(const struct optim_job *job, const struct optim_param *x,
    size_t i0, size_t i1)
{
	const struct optim	*o = job->o;
	float *restrict		 p = x->p, *restrict m = x->m;
	const float *restrict	 g = x->g;
	float			 lr = o->lr, wd = o->weight_decay;
	float			 mu = o->momentum, d;
	float			 keep = job->keep, add = job->add;
	size_t			 i;

	if (mu == 0) {
		for (i = i0; i < i1; i++)
			p[i] -= lr * (g[i] + wd * p[i]);
	} else if (o->nesterov) {
		for (i = i0; i < i1; i++) {
			d = g[i] + wd * p[i];
			m[i] = keep * m[i] + add * d;
			p[i] -= lr * (d + mu * m[i]);
		}
	} else {
		for (i = i0; i < i1; i++) {
			d = g[i] + wd * p[i];
			m[i] = keep * m[i] + add * d;
			p[i] -= lr * m[i];
		}
	}
}

/* Returns the square root of each lane of x. */
static inline optim_vec
optim_sqrt(optim_vec x)
{
#if defined(__SSE__)
	return (optim_vec)_mm_sqrt_ps((__m128)x);
#else
	int	i;

	for (i = 0; i < OPTIM_LANES; i++)
		x[i] = sqrtf(x[i]);
	return x;
#endif
}

/*
 * Adam or AdamW on the k (at most OPTIM_LANES) elements of one tensor
 * from i on, as torch.optim (without amsgrad): Adam adds wd p to the
 * gradient, AdamW first scales p by 1 - lr wd; then m += (1 - b1) (g - m)
 * (PyTorch's lerp), v = b2 v + (1 - b2) g^2 and p -= lr / (1 - b1^t) m /
 * (sqrt(v) / sqrt(1 - b2^t) + eps).
 */
static inline __attribute__((always_inline)) void
optim_adam_lanes(const struct optim_job *job, const struct optim_param *x,
    size_t i, size_t k)
{
	const struct optim	*o = job->o;
	optim_vec		 p = { 0 }, g = { 0 }, m = { 0 }, v = { 0 }, d;
	size_t			 size = k * sizeof(float);

	memcpy(&p, x->p + i, size);
	memcpy(&g, x->g + i, size);
	memcpy(&m, x->m + i, size);
	memcpy(&v, x->v + i, size);
	d = g + job->l2 * p;
	m += (1.0f - o->beta1) * (d - m);
	v = o->beta2 * v + (1.0f - o->beta2) * d * d;
	p = p * job->decay - job->step_size * m /
	    (optim_sqrt(v) / job->bc2_sqrt + o->eps);
	memcpy(x->p + i, &p, size);
	memcpy(x->m + i, &m, size);
	memcpy(x->v + i, &v, size);
}

/* Adam or AdamW on elements [i0, i1) of one tensor, a vector at a time. */
static void
optim_adam(const struct optim_job *job, const struct optim_param *x,
    size_t i0, size_t i1)
{
	size_t	i;

	for (i = i0; i + OPTIM_LANES <= i1; i += OPTIM_LANES)
		optim_adam_lanes(job, x, i, OPTIM_LANES);
	if (i < i1)
		optim_adam_lanes(job, x, i, i1 - i);
}

/* Returns where task t of ntasks starts in a tensor of n elements. */
static size_t
optim_cut(size_t n, int t, int ntasks)
{
	if (t == ntasks)
		return n;
	return n * (size_t)t / (size_t)ntasks & ~(size_t)(OPTIM_ALIGN - 1);
}

/* Updates task t's slice of every tensor, zeroing gradients if asked. */
static void
optim_task(void *arg, int t)
{
	const struct optim_job		*job = arg;
	const struct optim_param	*x;
	size_t				 i, end, hi;
	int				 k;

	for (k = 0; k < job->np; k++) {
		x = &job->ps[k];
		hi = optim_cut(x->n, t + 1, job->ntasks);
		for (i = optim_cut(x->n, t, job->ntasks); i < hi; i = end) {
			end = hi - i > OPTIM_BLOCK ? i + OPTIM_BLOCK : hi;
			if (job->o->kind == OPTIM_SGD)
				optim_sgd(job, x, i, end);
			else
				optim_adam(job, x, i, end);
			if (job->zero)
				memset(x->g + i, 0, (end - i) * sizeof *x->g);
		}
	}
}

/*
 * Takes one step over the np tensors ps on the thread pool, zeroing the
 * gradients after use when zero is nonzero.
 */
static void
optim_run(struct optim *o, const struct optim_param *ps, int np, int zero)
{
	struct optim_job	job;
	double			t;
	size_t			total = 0;
	int			i;

	o->step++;
	t = (double)o->step;
	memset(&job, 0, sizeof job);
	job.o = o;
	job.ps = ps;
	job.np = np;
	job.zero = zero;
	/* The SGD buffer starts as a copy of d: m = 0 m + 1 d (m is zero). */
	job.keep = o->step == 1 ? 0.0f : o->momentum;
	job.add = o->step == 1 ? 1.0f : 1.0f - o->dampening;
	job.step_size = (float)(o->lr / (1.0 - pow(o->beta1, t)));
	job.bc2_sqrt = (float)sqrt(1.0 - pow(o->beta2, t));
	if (o->kind == OPTIM_ADAMW) {
		job.l2 = 0.0f;
		job.decay = (float)(1.0 - (double)o->lr * o->weight_decay);
	} else {
		job.l2 = o->weight_decay;
		job.decay = 1.0f;
	}
	for (i = 0; i < np; i++)
		total += ps[i].n;
	job.ntasks = total >= OPTIM_MIN_SPLIT ? blas_threads() : 1;
	pool_run(optim_task, &job, job.ntasks);
}

/*
 * Takes one step over the np parameter tensors ps, which must carry the
 * state buffers optim_nstate asks for; o must have passed optim_validate.
 */
void
optim_step(struct optim *o, const struct optim_param *ps, int np)
{
	optim_run(o, ps, np, 0);
}

/*
 * Takes one step as optim_step and sets every gradient to 0 in the same
 * pass, ready to accumulate the next batch.
 */
void
optim_step_zero(struct optim *o, const struct optim_param *ps, int np)
{
	optim_run(o, ps, np, 1);
}

/*
 * Clips the gradients of ps (np tensors) by their global norm as
 * torch.nn.utils.clip_grad_norm_: the 2-norm of all of them together; when
 * it exceeds max_norm every gradient is scaled by max_norm / (norm + 1e-6).
 * Returns the norm before clipping.
 */
double
optim_clip_grad_norm(const struct optim_param *ps, int np, float max_norm)
{
	double	sum = 0, norm;
	float	scale;
	size_t	i;
	int	k;

	for (k = 0; k < np; k++)
		for (i = 0; i < ps[k].n; i++)
			sum += (double)ps[k].g[i] * ps[k].g[i];
	norm = sqrt(sum);
	if (norm <= max_norm)
		return norm;
	scale = (float)(max_norm / (norm + 1e-6));
	for (k = 0; k < np; k++)
		for (i = 0; i < ps[k].n; i++)
			ps[k].g[i] *= scale;
	return norm;
}
