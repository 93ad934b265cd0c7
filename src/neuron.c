/*
 * neuron.c: multi-step LIF and IF neurons, forward over t = 0..T-1 and
 * backward through time, with SpikingJelly's formulas (activation_based
 * neuron.py): charge, fire (spike when H - v_threshold >= 0), reset.
 *
 * Per step, with V the membrane after the previous reset (v_reset, or 0
 * for a soft reset, before step 0):
 *   IF:                  H = V + X
 *   LIF, decay_input:    H = V + (X - (V - V_reset)) / tau
 *   LIF, no decay_input: H = V - (V - V_reset) / tau + X
 *   S = Heaviside(H - v_threshold), or the surrogate's primitive when not
 *   spiking; hard reset V = (1 - S) H + S V_reset, soft reset
 *   V = H - S v_threshold. A soft reset charges as if V_reset were 0.
 *
 * Arrays are (T, M): time outermost, M = B * N contiguous neurons.
 */
#include <math.h>
#include <string.h>

#include "nn.h"

/* Fills n with SpikingJelly's defaults for kind: tau 2, Sigmoid(4). */
void
neuron_defaults(struct neuron *n, enum neuron_kind kind)
{
	memset(n, 0, sizeof *n);
	n->kind = kind;
	n->tau = 2.0f;
	n->decay_input = 1;
	n->v_threshold = 1.0f;
	n->v_reset = 0.0f;
	n->soft_reset = 0;
	n->detach_reset = 0;
	n->spiking = 1;
	surrogate_init(&n->sg, "sigmoid", NULL);
}

/*
 * Checks a configuration: LIF needs a finite tau > 1 (as SpikingJelly
 * asserts), the threshold and reset value must be finite, a hard reset
 * must lie below the threshold, and a non-spiking neuron needs a surrogate
 * with a primitive.
 */
int
neuron_validate(const struct neuron *n, char **cause)
{
	if (n->kind != NEURON_LIF && n->kind != NEURON_IF)
		return error_set(cause, "neuron: unknown kind %d",
		    (int)n->kind);
	if (n->kind == NEURON_LIF && !(isfinite(n->tau) && n->tau > 1.0f))
		return error_set(cause, "neuron: tau must be a finite number "
		    "greater than 1 (got %g)", (double)n->tau);
	if (!isfinite(n->v_threshold))
		return error_set(cause, "neuron: v_threshold must be finite "
		    "(got %g)", (double)n->v_threshold);
	if (!n->soft_reset && !isfinite(n->v_reset))
		return error_set(cause, "neuron: v_reset must be finite "
		    "(got %g)", (double)n->v_reset);
	if (!n->soft_reset && !(n->v_reset < n->v_threshold))
		return error_set(cause, "neuron: v_reset (%g) must be below "
		    "v_threshold (%g)", (double)n->v_reset,
		    (double)n->v_threshold);
	if (!n->spiking && !surrogate_has_primitive(&n->sg))
		return error_set(cause, "neuron: surrogate %s has no smooth "
		    "primitive to output when not spiking",
		    surrogate_name(&n->sg));
	return 0;
}

/* Returns the membrane's rest value: v_reset, or 0 for a soft reset. */
static float
neuron_rest(const struct neuron *n)
{
	return n->soft_reset ? 0.0f : n->v_reset;
}

/*
 * Charges one step: h (M) from the previous membrane vp (M) and input x
 * (M), in the same operation order as SpikingJelly's float32 code.
 */
static void
neuron_charge(const struct neuron *n, float *restrict h,
    const float *restrict x, const float *restrict vp, size_t M)
{
	float	vr = neuron_rest(n), tau = n->tau, keep;
	size_t	m;

	if (n->kind == NEURON_IF) {
		for (m = 0; m < M; m++)
			h[m] = vp[m] + x[m];
	} else if (n->decay_input) {
		for (m = 0; m < M; m++)
			h[m] = vp[m] + (x[m] - (vp[m] - vr)) / tau;
	} else if (vr == 0.0f) {
		keep = (float)(1.0 - 1.0 / (double)tau);
		for (m = 0; m < M; m++)
			h[m] = vp[m] * keep + x[m];
	} else {
		for (m = 0; m < M; m++)
			h[m] = vp[m] - (vp[m] - vr) / tau + x[m];
	}
}

/*
 * Fires one step: s (M) = Heaviside(h - v_threshold) when spiking, else the
 * surrogate's primitive at h - v_threshold; h is (M).
 */
static void
neuron_fire(const struct neuron *n, float *restrict s,
    const float *restrict h, size_t M)
{
	float	vth = n->v_threshold;
	size_t	m;

	if (n->spiking) {
		for (m = 0; m < M; m++)
			s[m] = h[m] - vth >= 0.0f ? 1.0f : 0.0f;
		return;
	}
	for (m = 0; m < M; m++)
		s[m] = h[m] - vth;
	surrogate_primitive(&n->sg, s, s, M);
}

/* Resets one step: v (M) from h (M) and s (M), hard or soft. */
static void
neuron_reset(const struct neuron *n, float *restrict v,
    const float *restrict h, const float *restrict s, size_t M)
{
	float	vr = n->v_reset, vth = n->v_threshold;
	size_t	m;

	if (n->soft_reset) {
		for (m = 0; m < M; m++)
			v[m] = h[m] - s[m] * vth;
	} else {
		for (m = 0; m < M; m++)
			v[m] = (1.0f - s[m]) * h[m] + s[m] * vr;
	}
}

/*
 * Neurons are independent of each other, so forward and backward split
 * the M neurons into the pool's tasks, each a range of whole cache lines
 * (NEURON_ALIGN floats). A task steps its range through time, and within
 * a step goes NEURON_CHUNK neurons at a time through all the step's
 * passes (charge, fire and reset, or the backward's), so that what one
 * pass writes the next reads from the L1 cache. Every value is computed
 * as one pass over all M would compute it, so the results do not depend
 * on the number of tasks. Fewer than NEURON_MIN_SPLIT values (T M) run as
 * one task.
 */
#define NEURON_ALIGN		16
#define NEURON_CHUNK		1024
#define NEURON_MIN_SPLIT	65536

/* One call's arrays and sizes, shared by its tasks. */
struct neuron_job {
	const struct neuron	*n;
	float			*s;	/* (T, M) forward */
	float			*h;	/* (T, M) forward */
	float			*v;	/* (T, M) forward */
	const float		*x;	/* (T, M) forward */
	const float		*v0;	/* (M) forward, or NULL */
	float			*dx;	/* (T, M) backward */
	float			*sg;	/* (T, M) backward */
	const float		*ds;	/* (T, M) backward */
	const float		*kh;	/* (T, M) backward: h as kept */
	const float		*ks;	/* (T, M) backward: s as kept */
	int			 T;
	size_t			 M;
	int			 ntasks;
	void			(*range)(const struct neuron_job *, size_t,
				    size_t);
};

/*
 * Runs neurons [m0, m1) of the job over T steps. When v0 is NULL, their
 * part of row 0 of v holds the rest value until step 0 is done.
 */
static void
neuron_forward_range(const struct neuron_job *job, size_t m0, size_t m1)
{
	const struct neuron	*n = job->n;
	const float		*vp;
	float			 rest = neuron_rest(n);
	size_t			 m, c, k, off, M = job->M;
	int			 t;

	if (job->v0 == NULL)
		for (m = m0; m < m1; m++)
			job->v[m] = rest;
	for (t = 0; t < job->T; t++) {
		for (c = m0; c < m1; c += k) {
			k = m1 - c > NEURON_CHUNK ? NEURON_CHUNK : m1 - c;
			off = (size_t)t * M + c;
			if (t > 0)
				vp = job->v + off - M;
			else
				vp = job->v0 == NULL ? job->v + c : job->v0 + c;
			neuron_charge(n, job->h + off, job->x + off, vp, k);
			neuron_fire(n, job->s + off, job->h + off, k);
			neuron_reset(n, job->v + off, job->h + off,
			    job->s + off, k);
		}
	}
}

/* Returns where task t of the job's tasks starts among the M neurons. */
static size_t
neuron_cut(const struct neuron_job *job, int t)
{
	if (t == job->ntasks)
		return job->M;
	return job->M * (size_t)t / (size_t)job->ntasks &
	    ~(size_t)(NEURON_ALIGN - 1);
}

/* Runs task t: its range of neurons. */
static void
neuron_task(void *arg, int t)
{
	const struct neuron_job	*job = arg;

	job->range(job, neuron_cut(job, t), neuron_cut(job, t + 1));
}

/* Runs the job's range function over all M neurons on the thread pool. */
static void
neuron_run(struct neuron_job *job)
{
	job->ntasks = (size_t)job->T * job->M >= NEURON_MIN_SPLIT ?
	    blas_threads() : 1;
	pool_run(neuron_task, job, job->ntasks);
}

/*
 * Runs the neuron over T steps: x (T, M) in; s, h and v (T, M) out, h and s
 * kept for neuron_backward; v0 (M) or NULL for the rest value. Allocates
 * nothing.
 */
void
neuron_forward(const struct neuron *n, float *s, float *h, float *v,
    const float *x, const float *v0, int T, size_t M)
{
	struct neuron_job	job;

	if (T <= 0)
		return;
	memset(&job, 0, sizeof job);
	job.n = n;
	job.s = s;
	job.h = h;
	job.v = v;
	job.x = x;
	job.v0 = v0;
	job.T = T;
	job.M = M;
	job.range = neuron_forward_range;
	neuron_run(&job);
}

/*
 * The partial derivatives of one step as coefficients, so that the inner
 * loop has no branches: with dV = dL/dV[t] from later steps,
 *   dL/dH = (dL/dS + dV (c0 + c1 H)) sg + dV (1 - c2 S),
 *   dL/dX = gain dL/dH,  dL/dV[t-1] = leak dL/dH.
 * c0 + c1 H is dV/dS (V_reset - H for a hard reset, -v_threshold for a soft
 * one, 0 when detached); 1 - c2 S is the direct dV/dH.
 */
struct neuron_bptt {
	float	c0, c1, c2, gain, leak;
};

/* Fills the coefficients of n's backward step. */
static void
neuron_bptt_init(struct neuron_bptt *c, const struct neuron *n)
{
	if (n->soft_reset) {
		c->c0 = -n->v_threshold;
		c->c1 = 0.0f;
		c->c2 = 0.0f;
	} else {
		c->c0 = n->v_reset;
		c->c1 = -1.0f;
		c->c2 = 1.0f;
	}
	if (n->detach_reset) {
		c->c0 = 0.0f;
		c->c1 = 0.0f;
	}
	if (n->kind == NEURON_IF) {
		c->gain = 1.0f;
		c->leak = 1.0f;
	} else {
		c->gain = n->decay_input ? 1.0f / n->tau : 1.0f;
		c->leak = (float)(1.0 - 1.0 / (double)n->tau);
	}
}

/*
 * Backpropagates neurons [m0, m1) of the job through time. Their part of
 * row t - 1 of dx carries dL/dV[t-1] until step t - 1 replaces it.
 */
static void
neuron_backward_range(const struct neuron_job *job, size_t m0, size_t m1)
{
	const struct neuron	*n = job->n;
	struct neuron_bptt	 c;
	const float		*ht, *st, *dst;
	float			*dxt, *dvp, *g, vth = n->v_threshold, dv, dh;
	size_t			 m, p, k, off, M = job->M;
	int			 t;

	neuron_bptt_init(&c, n);
	memset(job->dx + (size_t)(job->T - 1) * M + m0, 0,
	    (m1 - m0) * sizeof *job->dx);
	for (t = job->T - 1; t >= 0; t--) {
		for (p = m0; p < m1; p += k) {
			k = m1 - p > NEURON_CHUNK ? NEURON_CHUNK : m1 - p;
			off = (size_t)t * M + p;
			ht = job->kh + off;
			st = job->ks + off;
			dst = job->ds + off;
			dxt = job->dx + off;
			g = job->sg + off;
			dvp = t > 0 ? dxt - M : dxt;
			for (m = 0; m < k; m++)
				g[m] = ht[m] - vth;
			surrogate_grad(&n->sg, g, g, k);
			for (m = 0; m < k; m++) {
				dv = dxt[m];
				dh = (dst[m] + dv * (c.c0 + c.c1 * ht[m])) *
				    g[m] + dv * (1.0f - c.c2 * st[m]);
				dvp[m] = dh * c.leak;
				dxt[m] = dh * c.gain;
			}
		}
	}
}

/*
 * Backpropagates through time: dx (T, M) = dL/dx from ds (T, M) = dL/ds,
 * through the reset path unless detach_reset; sg (T, M) receives the
 * surrogate derivative at h - v_threshold; h and s (T, M) as neuron_forward
 * saved them. Row t - 1 of dx carries dL/dV[t-1] until step t - 1 replaces
 * it, so nothing is allocated; at t = 0 that row is dx's own and the
 * gradient of the initial membrane is overwritten.
 */
void
neuron_backward(const struct neuron *n, float *dx, float *sg,
    const float *ds, const float *h, const float *s, int T, size_t M)
{
	struct neuron_job	job;

	if (T <= 0)
		return;
	memset(&job, 0, sizeof job);
	job.n = n;
	job.kh = h;
	job.ks = s;
	job.dx = dx;
	job.sg = sg;
	job.ds = ds;
	job.T = T;
	job.M = M;
	job.range = neuron_backward_range;
	neuron_run(&job);
}
