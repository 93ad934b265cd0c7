/*
 * test-neuron.c: LIF and IF neurons against SpikingJelly's reference values
 * (the files of reference/neuron), backward through time against finite
 * differences through the smooth primitive, the neurons split over
 * threads, and neuron_validate.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/snnwb.h"
#include "tap.h"

/* Worst errors seen against the reference files, reported at the end. */
static double worst_v, worst_dx;

/* Returns the largest |got - want| over n elements. */
static double
max_error(const float *got, const double *want, size_t n)
{
	double	e, worst = 0;
	size_t	i;

	for (i = 0; i < n; i++) {
		e = fabs((double)got[i] - want[i]);
		if (e > worst)
			worst = e;
	}
	return worst;
}

/*
 * Configures n from a reference file's notes; returns 0, or -1 with a
 * message in *cause (free it).
 */
static int
config_from_notes(struct neuron *n, const struct refdata *rd, char **cause)
{
	const char	*kind = refdata_note(rd, "neuron");
	const char	*reset = refdata_note(rd, "v_reset");
	const char	*sg = refdata_note(rd, "surrogate");
	const char	*params = refdata_note(rd, "params");
	char		 buf[256], *tok, *eq, *save;

	if (kind == NULL || reset == NULL || sg == NULL || params == NULL)
		return error_set(cause, "missing notes");
	neuron_defaults(n, strcmp(kind, "if") == 0 ? NEURON_IF : NEURON_LIF);
	if (n->kind == NEURON_LIF)
		n->tau = strtof(refdata_note(rd, "tau"), NULL);
	n->decay_input = atoi(refdata_note(rd, "decay_input"));
	n->v_threshold = strtof(refdata_note(rd, "v_threshold"), NULL);
	n->soft_reset = strcmp(reset, "none") == 0;
	if (!n->soft_reset)
		n->v_reset = strtof(reset, NULL);
	n->detach_reset = atoi(refdata_note(rd, "detach_reset"));
	if (surrogate_init(&n->sg, sg, cause) != 0)
		return -1;
	if (strcmp(params, "defaults") == 0)
		return 0;
	snprintf(buf, sizeof buf, "%s", params);
	for (tok = strtok_r(buf, ", ", &save); tok != NULL;
	    tok = strtok_r(NULL, ", ", &save)) {
		if ((eq = strchr(tok, '=')) == NULL)
			return error_set(cause, "bad params %s", params);
		*eq = '\0';
		if (surrogate_set(&n->sg, tok, strtod(eq + 1, NULL),
		    cause) != 0)
			return -1;
	}
	return 0;
}

/*
 * Counts spikes that differ from want (n), ignoring neurons whose membrane
 * h lies within 1e-6 of the threshold.
 */
static size_t
spike_mismatches(const float *s, const double *want, const float *h,
    float vth, size_t n)
{
	size_t	i, bad = 0;

	for (i = 0; i < n; i++)
		if ((double)s[i] != want[i] &&
		    fabs((double)h[i] - vth) >= 1e-6)
			bad++;
	return bad;
}

/*
 * Checks sg against the sigmoid surrogate's derivative alpha sig (1 - sig)
 * at alpha (h - v_threshold), computed here in double precision.
 */
static double
sigmoid_sg_error(const float *sg, const float *h, float vth, double alpha,
    size_t n)
{
	double	e, sig, worst = 0;
	size_t	i;

	for (i = 0; i < n; i++) {
		sig = 1 / (1 + exp(-alpha * ((double)h[i] - vth)));
		e = fabs(sg[i] - alpha * sig * (1 - sig));
		if (e > worst)
			worst = e;
	}
	return worst;
}

/* Runs one reference file: forward, backward, and three comparisons. */
static void
test_reference_file(const char *dir, const char *name)
{
	struct refdata		 rd;
	struct neuron		 n;
	const struct refarray	*x, *gs, *sp, *v, *gx;
	char			 path[8192], *cause = NULL;
	float			*fx, *fgs, *s, *h, *fv, *dx, *sg;
	int			 T, B, N;
	size_t			 M, len;
	const char		*shape;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (refdata_load(path, &rd, &cause) != 0) {
		ok(0, "%s: load: %s", name, cause);
		free(cause);
		return;
	}
	x = refdata_array(&rd, "x");
	gs = refdata_array(&rd, "grad_spikes");
	sp = refdata_array(&rd, "spikes");
	v = refdata_array(&rd, "v");
	gx = refdata_array(&rd, "grad_x");
	shape = refdata_note(&rd, "shape");
	if (x == NULL || gs == NULL || sp == NULL || v == NULL ||
	    gx == NULL || shape == NULL ||
	    sscanf(shape, "T=%d B=%d N=%d", &T, &B, &N) != 3 ||
	    (len = (size_t)T * B * N) != x->n || gs->n != len ||
	    sp->n != len || v->n != len || gx->n != len) {
		ok(0, "%s: arrays x, grad_spikes, spikes, v, grad_x and the "
		    "shape note are consistent", name);
		refdata_free(&rd);
		return;
	}
	if (config_from_notes(&n, &rd, &cause) != 0 ||
	    neuron_validate(&n, &cause) != 0) {
		ok(0, "%s: configure: %s", name, cause);
		free(cause);
		refdata_free(&rd);
		return;
	}
	M = (size_t)B * N;
	fx = refdata_floats(x);
	fgs = refdata_floats(gs);
	s = calloc(len, sizeof *s);
	h = calloc(len, sizeof *h);
	fv = calloc(len, sizeof *fv);
	dx = calloc(len, sizeof *dx);
	sg = calloc(len, sizeof *sg);
	neuron_forward(&n, s, h, fv, fx, NULL, T, M);
	neuron_backward(&n, dx, sg, fgs, h, s, T, M);
	ok(spike_mismatches(s, sp->v, h, n.v_threshold, len) == 0,
	    "%s: spikes match", name);
	is_close_array(fv, v->v, len, 1e-6, 1e-6, "%s: v matches", name);
	is_close_array(dx, gx->v, len, 1e-6, 1e-6, "%s: grad_x matches",
	    name);
	if (max_error(fv, v->v, len) > worst_v)
		worst_v = max_error(fv, v->v, len);
	if (max_error(dx, gx->v, len) > worst_dx)
		worst_dx = max_error(dx, gx->v, len);
	if (n.sg.kind == SURROGATE_SIGMOID)
		ok(sigmoid_sg_error(sg, h, n.v_threshold, n.sg.p[0], len) <
		    1e-6, "%s: sg holds the sigmoid derivative at h - "
		    "v_threshold", name);
	free(fx);
	free(fgs);
	free(s);
	free(h);
	free(fv);
	free(dx);
	free(sg);
	refdata_free(&rd);
}

/* Every file of reference/neuron. */
static void
test_reference(void)
{
	const char	*shared = tap_fixture("reference/neuron", 1);
	char		 dir[4096], **names;
	int		 i, count;

	if (shared == NULL)
		return;
	snprintf(dir, sizeof dir, "%s", shared);
	names = tap_list_dir(dir, ".txt", &count);
	ok(count > 0, "reference/neuron has %d files", count);
	for (i = 0; i < count; i++) {
		test_reference_file(dir, names[i]);
		free(names[i]);
	}
	free(names);
	diag("worst absolute error: v %.3g, grad_x %.3g", worst_v, worst_dx);
}

/* Returns L = sum(s * g) over n elements, in double precision. */
static double
weighted_sum(const float *s, const float *g, size_t n)
{
	double	sum = 0;
	size_t	i;

	for (i = 0; i < n; i++)
		sum += (double)s[i] * g[i];
	return sum;
}

/*
 * Backward against central finite differences of L = sum(s * g) with
 * respect to x, through the sigmoid primitive (spiking off), so L is
 * smooth. Without detach_reset the autograd gradient is the full one.
 */
static void
test_fd(const char *what, enum neuron_kind kind, int decay_input,
    int soft_reset, float v_reset)
{
	enum { T = 6, B = 2, N = 4, L = T * B * N };
	struct neuron	n;
	struct rng	r;
	float		x[L], g[L], s[L], hh[L], v[L], dx[L], sg[L], save;
	double		num[L], lp, lm, step = 1e-2, dstep;
	char		*cause = NULL;
	int		 i;

	neuron_defaults(&n, kind);
	n.decay_input = decay_input;
	n.soft_reset = soft_reset;
	n.v_reset = v_reset;
	n.spiking = 0;
	if (neuron_validate(&n, &cause) != 0) {
		ok(0, "fd %s: validate: %s", what, cause);
		free(cause);
		return;
	}
	rng_seed(&r, 11);
	for (i = 0; i < L; i++) {
		x[i] = (float)(2.5 * rng_uniform(&r) - 0.5);
		g[i] = (float)(2 * rng_uniform(&r) - 1);
	}
	neuron_forward(&n, s, hh, v, x, NULL, T, B * N);
	neuron_backward(&n, dx, sg, g, hh, s, T, B * N);
	for (i = 0; i < L; i++) {
		save = x[i];
		x[i] = save + (float)step;
		dstep = (double)x[i] - save;
		neuron_forward(&n, s, hh, v, x, NULL, T, B * N);
		lp = weighted_sum(s, g, L);
		x[i] = save - (float)step;
		dstep += save - (double)x[i];
		neuron_forward(&n, s, hh, v, x, NULL, T, B * N);
		lm = weighted_sum(s, g, L);
		x[i] = save;
		num[i] = (lp - lm) / dstep;
	}
	is_close_array(dx, num, L, 1e-2, 1e-3,
	    "fd %s: dx matches finite differences", what);
}

/* An explicit v0 equal to the rest value gives the same result as NULL. */
static void
test_v0(void)
{
	enum { T = 4, M = 6 };
	struct neuron	n;
	struct rng	r;
	float		x[T * M], s[T * M], h[T * M], v[T * M], v0[M];
	float		s2[T * M], h2[T * M], v2[T * M];
	double		want[T * M];
	int		i;

	neuron_defaults(&n, NEURON_LIF);
	n.v_reset = -0.25f;
	rng_seed(&r, 5);
	for (i = 0; i < T * M; i++)
		x[i] = (float)(3 * rng_uniform(&r) - 0.5);
	for (i = 0; i < M; i++)
		v0[i] = n.v_reset;
	neuron_forward(&n, s, h, v, x, NULL, T, M);
	neuron_forward(&n, s2, h2, v2, x, v0, T, M);
	ok(memcmp(s, s2, sizeof s) == 0 && memcmp(v, v2, sizeof v) == 0,
	    "v0 equal to v_reset matches the default start");
	for (i = 0; i < M; i++)
		v0[i] = 0.5f;
	neuron_forward(&n, s2, h2, v2, x, v0, T, M);
	for (i = 0; i < M; i++)
		want[i] = 0.5 + (x[i] - (0.5 - n.v_reset)) / 2;
	is_close_array(h2, want, M, 1e-6, 1e-7,
	    "step 0 charges from a given v0");
}

/* The arrays of one forward and backward over (T, M). */
struct run {
	float	*s, *h, *v, *dx, *sg;
};

/* Allocates a run's arrays for n values each. */
static void
run_alloc(struct run *u, size_t n)
{
	u->s = malloc(n * sizeof *u->s);
	u->h = malloc(n * sizeof *u->h);
	u->v = malloc(n * sizeof *u->v);
	u->dx = malloc(n * sizeof *u->dx);
	u->sg = malloc(n * sizeof *u->sg);
}

/* Frees a run's arrays. */
static void
run_free(struct run *u)
{
	free(u->s);
	free(u->h);
	free(u->v);
	free(u->dx);
	free(u->sg);
}

/* Runs forward and backward of n over x and ds (T, M) into u. */
static void
run_neuron(const struct neuron *n, struct run *u, const float *x,
    const float *v0, const float *ds, int T, size_t M)
{
	neuron_forward(n, u->s, u->h, u->v, x, v0, T, M);
	neuron_backward(n, u->dx, u->sg, ds, u->h, u->s, T, M);
}

/* Returns nonzero when u and w hold the same bits (n values each). */
static int
run_same(const struct run *u, const struct run *w, size_t n)
{
	size_t	b = n * sizeof(float);

	return memcmp(u->s, w->s, b) == 0 && memcmp(u->h, w->h, b) == 0 &&
	    memcmp(u->v, w->v, b) == 0 && memcmp(u->dx, w->dx, b) == 0 &&
	    memcmp(u->sg, w->sg, b) == 0;
}

/*
 * Enough neurons to be split over the thread pool: 3 threads give the
 * bits of 1, and single neurons taken out (at the edges of chunks and
 * tasks) give the bits they have among all M.
 */
static void
test_threads(const char *name, const struct neuron *n, int with_v0)
{
	enum { T = 5 };
	static const size_t	 pick[] = { 0, 511, 512, 6669, 13339, 20010 };
	size_t			 M = 20011, i, j, k;
	struct run		 one, three, single;
	struct rng		 r;
	float			*x, *ds, *v0, xs[T], dss[T];
	int			 t, good = 1;

	x = malloc(T * M * sizeof *x);
	ds = malloc(T * M * sizeof *ds);
	v0 = malloc(M * sizeof *v0);
	rng_seed(&r, 9);
	for (i = 0; i < T * M; i++) {
		x[i] = (float)(3 * rng_uniform(&r) - 1);
		ds[i] = (float)rng_normal(&r);
	}
	for (i = 0; i < M; i++)
		v0[i] = (float)rng_uniform(&r) * 0.5f;
	run_alloc(&one, T * M);
	run_alloc(&three, T * M);
	run_alloc(&single, T);
	run_neuron(n, &one, x, with_v0 ? v0 : NULL, ds, T, M);
	blas_set_threads(3);
	run_neuron(n, &three, x, with_v0 ? v0 : NULL, ds, T, M);
	blas_set_threads(1);
	ok(run_same(&one, &three, T * M), "%s: 3 threads give the bits of 1",
	    name);
	for (k = 0; k < sizeof pick / sizeof pick[0]; k++) {
		j = pick[k];
		for (t = 0; t < T; t++) {
			xs[t] = x[t * M + j];
			dss[t] = ds[t * M + j];
		}
		run_neuron(n, &single, xs, with_v0 ? v0 + j : NULL, dss, T, 1);
		for (t = 0; t < T; t++)
			good &= single.s[t] == one.s[t * M + j] &&
			    single.h[t] == one.h[t * M + j] &&
			    single.v[t] == one.v[t * M + j] &&
			    single.dx[t] == one.dx[t * M + j] &&
			    single.sg[t] == one.sg[t * M + j];
	}
	ok(good, "%s: a neuron alone gives the bits it has among all",
	    name);
	run_free(&one);
	run_free(&three);
	run_free(&single);
	free(x);
	free(ds);
	free(v0);
}

/* test_threads over hard, soft, IF and non-spiking configurations. */
static void
test_split(void)
{
	struct neuron	n;

	neuron_defaults(&n, NEURON_LIF);
	n.detach_reset = 1;
	surrogate_init(&n.sg, "atan", NULL);
	test_threads("LIF hard, detached, ATan", &n, 0);
	test_threads("LIF hard, detached, ATan, v0", &n, 1);
	neuron_defaults(&n, NEURON_LIF);
	n.soft_reset = 1;
	n.decay_input = 0;
	test_threads("LIF soft, no decay_input", &n, 1);
	neuron_defaults(&n, NEURON_IF);
	test_threads("IF hard", &n, 0);
	neuron_defaults(&n, NEURON_LIF);
	n.spiking = 0;
	test_threads("LIF not spiking", &n, 0);
}

/* Checks that a configuration is refused with a message naming key. */
static void
refused(const struct neuron *n, const char *key, const char *what)
{
	char	*cause = NULL;
	int	 rc = neuron_validate(n, &cause);

	ok(rc == -1 && cause != NULL && strstr(cause, key) != NULL,
	    "validate refuses %s: %s", what, cause != NULL ? cause : "(none)");
	free(cause);
}

/* neuron_defaults and neuron_validate. */
static void
test_validate(void)
{
	struct neuron	n, bad;
	char		*cause = NULL;
	int		 k, found = 0;

	neuron_defaults(&n, NEURON_LIF);
	ok(n.tau == 2.0f && n.decay_input && n.v_threshold == 1.0f &&
	    n.v_reset == 0.0f && !n.soft_reset && !n.detach_reset &&
	    n.spiking && n.sg.kind == SURROGATE_SIGMOID && n.sg.p[0] == 4.0,
	    "defaults: tau 2, threshold 1, v_reset 0, hard, Sigmoid(4)");
	ok(neuron_validate(&n, &cause) == 0, "defaults are valid");
	bad = n;
	bad.tau = 1.0f;
	refused(&bad, "tau", "LIF with tau = 1");
	bad.tau = NAN;
	refused(&bad, "tau", "LIF with tau = NaN");
	bad = n;
	bad.v_threshold = INFINITY;
	refused(&bad, "v_threshold", "an infinite threshold");
	bad = n;
	bad.v_reset = NAN;
	refused(&bad, "v_reset", "a NaN v_reset");
	bad.v_reset = 1.0f;
	refused(&bad, "v_reset", "v_reset equal to the threshold");
	bad.soft_reset = 1;
	ok(neuron_validate(&bad, &cause) == 0,
	    "soft reset ignores v_reset");
	bad = n;
	bad.kind = (enum neuron_kind)7;
	refused(&bad, "kind", "an unknown kind");
	neuron_defaults(&bad, NEURON_IF);
	bad.tau = 0.5f;
	ok(neuron_validate(&bad, &cause) == 0, "IF ignores tau");
	for (k = 0; k < SURROGATE_COUNT && !found; k++) {
		bad = n;
		bad.sg.kind = (enum surrogate_kind)k;
		found = !surrogate_has_primitive(&bad.sg);
	}
	if (found) {
		bad.spiking = 0;
		refused(&bad, "primitive", "spiking off without a primitive");
	} else
		skip(1, "every surrogate has a primitive");
}

int
main(void)
{
	test_validate();
	test_v0();
	test_split();
	test_fd("LIF hard", NEURON_LIF, 1, 0, 0.0f);
	test_fd("LIF hard v_reset -0.3", NEURON_LIF, 1, 0, -0.3f);
	test_fd("LIF soft", NEURON_LIF, 1, 1, 0.0f);
	test_fd("LIF no decay_input hard v_reset 0.2", NEURON_LIF, 0, 0,
	    0.2f);
	test_fd("LIF no decay_input soft", NEURON_LIF, 0, 1, 0.0f);
	test_fd("IF hard", NEURON_IF, 1, 0, 0.0f);
	test_fd("IF soft", NEURON_IF, 1, 1, 0.0f);
	test_reference();
	return done_testing();
}
