/*
 * optim.c: parameter updates with torch.optim's semantics: SGD (momentum,
 * dampening, Nesterov, L2 weight decay), Adam (L2 weight decay added to the
 * gradient) and AdamW (decoupled weight decay). One call updates every
 * parameter tensor of a network; the state buffers belong to the caller
 * (typically carved from the same arena as the parameters).
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "snnwb.h"

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
 * SGD on one tensor, as torch.optim.SGD: d = g + wd p; with momentum the
 * buffer becomes d on the first step, else m = mu m + (1 - dampening) d;
 * d is then m, or d + mu m with Nesterov; finally p -= lr d.
 */
static void
optim_sgd(const struct optim *o, const struct optim_param *x)
{
	float *restrict		 p = x->p, *restrict m = x->m;
	const float *restrict	 g = x->g;
	float			 lr = o->lr, wd = o->weight_decay;
	float			 mu = o->momentum, d;
	float			 keep, add;
	size_t			 i, n = x->n;

	if (mu == 0) {
		for (i = 0; i < n; i++)
			p[i] -= lr * (g[i] + wd * p[i]);
		return;
	}
	/* The buffer starts as a copy of d: m = 0 m + 1 d (m is zero). */
	keep = o->step == 1 ? 0.0f : mu;
	add = o->step == 1 ? 1.0f : 1.0f - o->dampening;
	if (o->nesterov) {
		for (i = 0; i < n; i++) {
			d = g[i] + wd * p[i];
			m[i] = keep * m[i] + add * d;
			p[i] -= lr * (d + mu * m[i]);
		}
	} else {
		for (i = 0; i < n; i++) {
			d = g[i] + wd * p[i];
			m[i] = keep * m[i] + add * d;
			p[i] -= lr * m[i];
		}
	}
}

/*
 * Adam or AdamW on one tensor, as torch.optim (without amsgrad): Adam adds
 * wd p to the gradient, AdamW first scales p by 1 - lr wd; then
 * m += (1 - b1) (g - m) (PyTorch's lerp), v = b2 v + (1 - b2) g^2 and
 * p -= lr / (1 - b1^t) m / (sqrt(v) / sqrt(1 - b2^t) + eps).
 */
static void
optim_adam(const struct optim *o, const struct optim_param *x)
{
	float *restrict		 p = x->p, *restrict m = x->m;
	float *restrict		 v = x->v;
	const float *restrict	 g = x->g;
	double			 t = (double)o->step;
	float			 b1 = o->beta1, b2 = o->beta2, eps = o->eps;
	float			 w1 = 1.0f - b1, w2 = 1.0f - b2;
	float			 l2, decay, step_size, bc2_sqrt, d;
	size_t			 i, n = x->n;

	step_size = (float)(o->lr / (1.0 - pow(b1, t)));
	bc2_sqrt = (float)sqrt(1.0 - pow(b2, t));
	if (o->kind == OPTIM_ADAMW) {
		l2 = 0.0f;
		decay = (float)(1.0 - (double)o->lr * o->weight_decay);
	} else {
		l2 = o->weight_decay;
		decay = 1.0f;
	}
	for (i = 0; i < n; i++) {
		d = g[i] + l2 * p[i];
		m[i] += w1 * (d - m[i]);
		v[i] = b2 * v[i] + w2 * d * d;
		p[i] = p[i] * decay -
		    step_size * m[i] / (sqrtf(v[i]) / bc2_sqrt + eps);
	}
}

/*
 * Takes one step over the np parameter tensors ps, which must carry the
 * state buffers optim_nstate asks for; o must have passed optim_validate.
 */
void
optim_step(struct optim *o, const struct optim_param *ps, int np)
{
	int	i;

	o->step++;
	for (i = 0; i < np; i++) {
		if (o->kind == OPTIM_SGD)
			optim_sgd(o, &ps[i]);
		else
			optim_adam(o, &ps[i]);
	}
}
