/*
 * test-surrogate.c: every surrogate against SpikingJelly's values in
 * ../shared/reference/surrogate (backward, primitive, spikes), the
 * derivative of each against finite differences of its primitive, snnwb's
 * sine and power surrogates analytically, and the name and parameter
 * checks; then tabulated surrogates (SURROGATE_TABLE): a table of the
 * sigmoid against the built-in within the interpolation bound, exact zeros
 * outside the support, the registry, the checks of the setters and the
 * JSON round trip of a network that uses a table.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/snnwb.h"
#include "tap.h"

/* Finite-difference step and the points it is taken at: -2.95 .. 2.95. */
#define FD_H		2e-3
#define FD_N		60

/*
 * Builds s from a reference file's notes: "surrogate=NAME" and
 * "params=defaults" or "params=k=v,k=v"; on failure sets *cause.
 */
static int
build(const struct refdata *rd, struct surrogate *s, char **cause)
{
	const char	*name = refdata_note(rd, "surrogate");
	const char	*params = refdata_note(rd, "params");
	char		*copy, *item, *save, *eq;
	int		 rc = 0;

	if (name == NULL || params == NULL) {
		*cause = strdup("notes surrogate= or params= missing");
		return -1;
	}
	if (surrogate_init(s, name, cause) != 0)
		return -1;
	if (strcmp(params, "defaults") == 0)
		return 0;
	copy = strdup(params);
	for (item = strtok_r(copy, ",", &save); item != NULL && rc == 0;
	    item = strtok_r(NULL, ",", &save)) {
		if ((eq = strchr(item, '=')) == NULL) {
			*cause = strdup("params note without '='");
			rc = -1;
			break;
		}
		*eq = '\0';
		rc = surrogate_set(s, item, strtod(eq + 1, NULL), cause);
	}
	free(copy);
	return rc;
}

/*
 * One reference file: the surrogate and class names, spikes (x >= 0),
 * the backward and the primitive (or its absence), and in-place use.
 */
static void
check_file(const char *dir, const char *file, int *seen)
{
	struct refdata		 rd;
	struct surrogate	 s;
	const struct refarray	*x, *spike, *grad, *prim;
	const char		*cls;
	char			*path, *cause = NULL;
	float			*xf, *g, *y;
	size_t			 i, n;
	int			 same, rc;

	n = strlen(dir) + strlen(file) + 2;
	path = malloc(n);
	snprintf(path, n, "%s/%s", dir, file);
	rc = refdata_load(path, &rd, &cause);
	free(path);
	if (rc != 0) {
		ok(0, "%s: loads (%s)", file, cause);
		free(cause);
		return;
	}
	x = refdata_array(&rd, "x");
	spike = refdata_array(&rd, "spike");
	grad = refdata_array(&rd, "grad");
	prim = refdata_array(&rd, "primitive");
	if (x == NULL || spike == NULL || grad == NULL ||
	    spike->n != x->n || grad->n != x->n ||
	    (prim != NULL && prim->n != x->n)) {
		ok(0, "%s: has arrays x, spike, grad of one length", file);
		refdata_free(&rd);
		return;
	}
	if (build(&rd, &s, &cause) != 0) {
		ok(0, "%s: surrogate built from the notes (%s)", file, cause);
		free(cause);
		refdata_free(&rd);
		return;
	}
	seen[s.kind] = 1;
	cls = refdata_note(&rd, "spikingjelly_class");
	ok(cls != NULL && surrogate_class_name(&s) != NULL &&
	    strcmp(cls, surrogate_class_name(&s)) == 0,
	    "%s: %s is SpikingJelly's %s", file, surrogate_name(&s),
	    cls != NULL ? cls : "?");

	n = x->n;
	xf = refdata_floats(x);
	g = malloc(n * sizeof *g);
	y = malloc(n * sizeof *y);
	for (i = 0, same = 1; i < n; i++)
		same &= (xf[i] >= 0.0f ? 1.0 : 0.0) == spike->v[i];
	ok(same, "%s: spike is 1 exactly where x >= 0", file);

	surrogate_grad(&s, g, xf, n);
	is_close_array(g, grad->v, n, 1e-6, 1e-7, "%s: grad", file);
	memcpy(y, xf, n * sizeof *y);
	surrogate_grad(&s, y, y, n);
	ok(memcmp(y, g, n * sizeof *y) == 0, "%s: grad in place", file);

	if (prim != NULL) {
		ok(surrogate_has_primitive(&s), "%s: has a primitive", file);
		surrogate_primitive(&s, y, xf, n);
		is_close_array(y, prim->v, n, 1e-6, 1e-7, "%s: primitive",
		    file);
	} else {
		ok(!surrogate_has_primitive(&s),
		    "%s: no primitive, as in SpikingJelly", file);
		surrogate_primitive(&s, y, xf, n);
		for (i = 0, same = 1; i < n; i++)
			same &= y[i] == (float)spike->v[i];
		ok(same, "%s: primitive falls back to the Heaviside step",
		    file);
	}
	free(xf);
	free(g);
	free(y);
	refdata_free(&rd);
}

/* Every file of reference/surrogate, and every SpikingJelly kind covered. */
static void
test_reference(void)
{
	const char	*found = tap_fixture("reference/surrogate", 1);
	char		 dir[4096], **files;
	int		 nfiles, i, k, seen[SURROGATE_COUNT] = { 0 }, all;
	struct surrogate s;

	if (found == NULL)
		return;
	snprintf(dir, sizeof dir, "%s", found);
	files = tap_list_dir(dir, ".txt", &nfiles);
	ok(nfiles > 0, "reference/surrogate has %d files", nfiles);
	for (i = 0; i < nfiles; i++) {
		check_file(dir, files[i], seen);
		free(files[i]);
	}
	free(files);
	for (k = 0, all = 1; k < SURROGATE_COUNT; k++) {
		surrogate_init(&s, surrogate_kind_name((enum surrogate_kind)k),
		    NULL);
		if (surrogate_class_name(&s) != NULL && !seen[k]) {
			diag("no reference file for %s", surrogate_name(&s));
			all = 0;
		}
	}
	ok(all, "every SpikingJelly surrogate has a reference file");
}

/*
 * Checks g = s's derivative against central differences of its primitive
 * at -2.95, -2.85, .., 2.95, points at least 0.05 from every kink of the
 * surrogates at their defaults (0, +-0.5, +-1).
 */
static void
check_fd(const struct surrogate *s, const char *what)
{
	float	x[FD_N], xp[FD_N], xm[FD_N], g[FD_N], yp[FD_N], ym[FD_N];
	double	fd[FD_N];
	int	i;

	for (i = 0; i < FD_N; i++) {
		x[i] = (float)(-2.95 + 0.1 * i);
		xp[i] = (float)(x[i] + FD_H);
		xm[i] = (float)(x[i] - FD_H);
	}
	surrogate_grad(s, g, x, FD_N);
	surrogate_primitive(s, yp, xp, FD_N);
	surrogate_primitive(s, ym, xm, FD_N);
	for (i = 0; i < FD_N; i++)
		fd[i] = ((double)yp[i] - ym[i]) / ((double)xp[i] - xm[i]);
	is_close_array(g, fd, FD_N, 1e-3, 1e-3,
	    "%s: grad matches finite differences of the primitive", what);
}

/* The finite-difference check for every surrogate that has a primitive. */
static void
test_fd_all(void)
{
	struct surrogate	s;
	int			k;

	for (k = 0; k < SURROGATE_COUNT; k++) {
		surrogate_init(&s, surrogate_kind_name((enum surrogate_kind)k),
		    NULL);
		if (surrogate_has_primitive(&s))
			check_fd(&s, surrogate_name(&s));
	}
}

/* Returns the surrogate derivative of s at one point. */
static double
grad_at(const struct surrogate *s, double x)
{
	float	xf = (float)x, g;

	surrogate_grad(s, &g, &xf, 1);
	return g;
}

/* Returns the primitive of s at one point. */
static double
prim_at(const struct surrogate *s, double x)
{
	float	xf = (float)x, y;

	surrogate_primitive(s, &y, &xf, 1);
	return y;
}

/* Checks that s's derivative is exactly 0 at each of the n points x. */
static void
check_zero(const struct surrogate *s, const double *x, int n,
    const char *what)
{
	int	i, zero;

	for (i = 0, zero = 1; i < n; i++)
		if (grad_at(s, x[i]) != 0.0) {
			diag("%s: grad(%g) = %g", what, x[i], grad_at(s, x[i]));
			zero = 0;
		}
	ok(zero, "%s: grad exactly 0 outside the support", what);
}

/* Checks that setting param to value fails with a message naming param. */
static void
check_reject(struct surrogate *s, const char *param, double value)
{
	char	*cause = NULL;
	double	 before = surrogate_param(s, param);
	int	 rc = surrogate_set(s, param, value, &cause);

	ok(rc == -1 && cause != NULL && strstr(cause, param) != NULL &&
	    surrogate_param(s, param) == before,
	    "%s: %s = %g rejected: %s", surrogate_name(s), param, value,
	    cause != NULL ? cause : "(no message)");
	free(cause);
}

/* snnwb's sine surrogate S(x) against its definition. */
static void
test_sine(void)
{
	struct surrogate	s;
	const double		out1[] = { -100, -2, -1.0001, -1, 1, 1.0001, 2,
				    100 };
	const double		out2[] = { -3, -2.0001, 2.0001, 3 };

	ok(surrogate_init(&s, "sine", NULL) == 0 &&
	    surrogate_param(&s, "alpha") == 1, "sine: alpha defaults to 1");
	is_double(prim_at(&s, -1.5), 0, 0, "sine: S(-1.5) = 0");
	is_double(prim_at(&s, -1), 0, 1e-7, "sine: S(-1) = 0");
	is_double(prim_at(&s, 0), 0.5, 1e-7, "sine: S(0) = 1/2");
	is_double(prim_at(&s, 0.5), 0.5 * sin(M_PI / 4) + 0.5, 1e-6,
	    "sine: S(1/2) = sin(pi/4) / 2 + 1/2");
	is_double(prim_at(&s, 1), 1, 1e-7, "sine: S(1) = 1");
	is_double(prim_at(&s, 1.5), 1, 0, "sine: S(1.5) = 1");
	is_double(grad_at(&s, 0), M_PI / 4, 1e-6, "sine: S'(0) = pi/4");
	is_double(grad_at(&s, -0.5), M_PI / 4 * cos(M_PI / 4), 1e-6,
	    "sine: S'(-1/2) = pi/4 cos(pi/4)");
	check_zero(&s, out1, 8, "sine");
	check_fd(&s, "sine");

	ok(surrogate_set(&s, "alpha", 2, NULL) == 0, "sine: alpha = 2 set");
	is_double(grad_at(&s, 0), M_PI / 8, 1e-6, "sine(2): S'(0) = pi/8");
	is_double(grad_at(&s, 1.5), M_PI / 8 * cos(M_PI * 1.5 / 4), 1e-6,
	    "sine(2): S'(1.5) = pi/8 cos(3 pi/8)");
	is_double(prim_at(&s, -1), 0.5 * sin(-M_PI / 4) + 0.5, 1e-6,
	    "sine(2): S(-1) = sin(-pi/4) / 2 + 1/2");
	check_zero(&s, out2, 4, "sine(2)");
	check_reject(&s, "alpha", 0);
	check_reject(&s, "alpha", -1);
}

/* snnwb's power surrogate P(x), its capped derivative and its range. */
static void
test_power(void)
{
	struct surrogate	s;
	const double		out[] = { -100, -1.5, -1.0001, 1.0001, 1.5, 100 };
	double			cap, g0;

	ok(surrogate_init(&s, "power", NULL) == 0 &&
	    surrogate_param(&s, "alpha") == 0.5, "power: alpha defaults to 0.5");
	is_double(prim_at(&s, -2), 0, 0, "power: P(-2) = 0");
	is_double(prim_at(&s, -1), 0, 1e-7, "power: P(-1) = 0");
	is_double(prim_at(&s, -0.25), 0.25, 1e-7, "power: P(-1/4) = 1/4");
	is_double(prim_at(&s, 0), 0.5, 0, "power: P(0) = 1/2");
	is_double(prim_at(&s, 0.25), 0.75, 1e-7, "power: P(1/4) = 3/4");
	is_double(prim_at(&s, 1), 1, 1e-7, "power: P(1) = 1");
	is_double(prim_at(&s, 2), 1, 0, "power: P(2) = 1");
	is_double(grad_at(&s, 0.25), 0.5, 1e-6, "power: P'(1/4) = 1/2");
	is_double(grad_at(&s, -0.25), 0.5, 1e-6, "power: P'(-1/4) = 1/2");
	is_double(grad_at(&s, 1), 0.25, 1e-6,
	    "power: P'(1) = a/2, the edge is inside");
	check_zero(&s, out, 6, "power");
	check_fd(&s, "power");

	cap = 0.5 * 0.5 * pow(SURROGATE_POWER_XMIN, 0.5 - 1);
	g0 = grad_at(&s, 0);
	ok(isfinite(g0) && fabs(g0 - cap) <= 1e-6 * cap && fabs(cap - 7.9) < 0.01,
	    "power: P'(0) = the cap 0.5 a XMIN^(a-1) = %g (about 7.9)", g0);
	is_double(grad_at(&s, -1e-6), cap, 1e-6 * cap,
	    "power: P' capped below XMIN too");
	is_double(grad_at(&s, 2 * SURROGATE_POWER_XMIN),
	    0.25 * pow(2 * SURROGATE_POWER_XMIN, -0.5), 1e-5,
	    "power: P' uncapped above XMIN");

	ok(surrogate_set(&s, "alpha", 0.3, NULL) == 0, "power: alpha = 0.3 set");
	is_double(grad_at(&s, 0.5), 0.15 * pow(0.5, -0.7), 1e-6,
	    "power(0.3): P'(1/2) = 0.15 (1/2)^-0.7");
	is_double(prim_at(&s, -0.5), 0.5 - 0.5 * pow(0.5, 0.3), 1e-6,
	    "power(0.3): P(-1/2) = 1/2 - (1/2)^0.3 / 2");
	check_fd(&s, "power(0.3)");
	check_reject(&s, "alpha", 0);
	check_reject(&s, "alpha", 1);
	check_reject(&s, "alpha", -0.5);
	check_reject(&s, "alpha", 1.5);
}

/* Names, class names, parameters, unknown names and out-of-range values. */
static void
test_names(void)
{
	struct surrogate	s, before;
	char			*cause = NULL;
	int			 k, listed, rc;

	ok(surrogate_kind_name(SURROGATE_COUNT) == NULL &&
	    strcmp(surrogate_kind_name(SURROGATE_SIGMOID), "sigmoid") == 0,
	    "surrogate_kind_name enumerates the kinds");
	ok(surrogate_init(&s, "ATan", NULL) == 0 && s.kind == SURROGATE_ATAN &&
	    strcmp(surrogate_name(&s), "atan") == 0,
	    "SpikingJelly's class name ATan is accepted");

	surrogate_init(&s, "rect", NULL);
	before = s;
	rc = surrogate_init(&s, "sigmoidx", &cause);
	for (k = 0, listed = 1; k < SURROGATE_COUNT && cause != NULL; k++)
		listed &= strstr(cause,
		    surrogate_kind_name((enum surrogate_kind)k)) != NULL;
	ok(rc == -1 && cause != NULL && strstr(cause, "sigmoidx") != NULL &&
	    listed && memcmp(&s, &before, sizeof s) == 0,
	    "unknown surrogate rejected, valid names listed: %s",
	    cause != NULL ? cause : "(no message)");
	free(cause);
	ok(surrogate_init(&s, "nope", NULL) == -1,
	    "unknown surrogate with no message wanted");

	surrogate_init(&s, "s2nn", NULL);
	ok(surrogate_nparams(&s) == 2 &&
	    strcmp(surrogate_param_name(&s, 0), "alpha") == 0 &&
	    strcmp(surrogate_param_name(&s, 1), "beta") == 0 &&
	    surrogate_param_name(&s, 2) == NULL &&
	    surrogate_param(&s, "beta") == 1 && isnan(surrogate_param(&s, "k")),
	    "s2nn: parameters alpha and beta, beta defaults to 1");
	cause = NULL;
	rc = surrogate_set(&s, "gamma", 1, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "gamma") != NULL &&
	    strstr(cause, "alpha, beta") != NULL,
	    "unknown parameter rejected, valid ones named: %s",
	    cause != NULL ? cause : "(no message)");
	free(cause);
	ok(surrogate_set(&s, "beta", 0.5, NULL) == 0 &&
	    surrogate_param(&s, "beta") == 0.5, "s2nn: beta set to 0.5");

	surrogate_init(&s, "sigmoid", NULL);
	check_reject(&s, "alpha", NAN);
	check_reject(&s, "alpha", INFINITY);
	surrogate_init(&s, "q_pseudo_spike", NULL);
	check_reject(&s, "alpha", 1);
	check_reject(&s, "alpha", 0.5);
	surrogate_init(&s, "soft_sign", NULL);
	check_reject(&s, "alpha", 0);
	surrogate_init(&s, "rect", NULL);
	check_reject(&s, "alpha", -1);
	surrogate_init(&s, "piecewise_quadratic", NULL);
	check_reject(&s, "alpha", 0);
	surrogate_init(&s, "piecewise_leaky_relu", NULL);
	check_reject(&s, "w", 0);
	surrogate_init(&s, "squarewave_fourier_series", NULL);
	check_reject(&s, "n", 2.5);
	check_reject(&s, "n", 0);
	check_reject(&s, "T_period", 0);
	ok(surrogate_set(&s, "n", 5, NULL) == 0 &&
	    surrogate_set(&s, "T_period", 3, NULL) == 0,
	    "squarewave_fourier_series: n = 5, T_period = 3 set");
	check_fd(&s, "squarewave_fourier_series(5, 3)");
}

/*
 * The domain of every parameter of every built-in: the lowest value
 * accepted (the derivative is then finite and not negative) and the value
 * just below it, refused with a message naming the parameter and its
 * domain; -1 is refused everywhere, since it would flip the gradient.
 */
static void
test_domains(void)
{
	static const struct {
		const char	*name;
		const char	*param;
		double		 lowest;
		double		 below;
		const char	*words;
	} d[] = {
		{ "sigmoid", "alpha", 1e-6, 0, "positive" },
		{ "atan", "alpha", 1e-6, 0, "positive" },
		{ "piecewise_quadratic", "alpha", 1e-6, 0, "positive" },
		{ "piecewise_exp", "alpha", 1e-6, 0, "positive" },
		{ "soft_sign", "alpha", 1e-6, 0, "positive" },
		{ "erf", "alpha", 1e-6, 0, "positive" },
		{ "super_spike", "alpha", 1e-6, 0, "positive" },
		{ "nonzero_sign_log_abs", "alpha", 1e-6, 0, "positive" },
		{ "piecewise_leaky_relu", "w", 1e-6, 0, "positive" },
		{ "piecewise_leaky_relu", "c", 0, -1e-9, "non-negative" },
		{ "squarewave_fourier_series", "n", 1, 0, "integer" },
		{ "squarewave_fourier_series", "T_period", 1e-6, 0,
		    "positive" },
		{ "s2nn", "alpha", 1e-6, 0, "positive" },
		{ "s2nn", "beta", 0, -1e-9, "non-negative" },
		{ "q_pseudo_spike", "alpha", 1.001, 1, "(1, 1e6]" },
		{ "leaky_k_relu", "leak", 0, -1e-9, "non-negative" },
		{ "leaky_k_relu", "k", 0, -1e-9, "non-negative" },
		{ "fake_numerical_gradient", "alpha", 1e-6, 0, "positive" },
		{ "log_tailed_relu", "alpha", 0, -1e-9, "non-negative" },
		{ "rect", "alpha", 1e-6, 0, "positive" },
		{ "sine", "alpha", 1e-6, 0, "positive" },
		{ "power", "alpha", 1e-3, 0, "between 0 and 1" },
	};
	static const float	 x[] = { -2, -0.5f, -1e-3f, 0, 1e-3f, 0.5f, 2 };
	struct surrogate	 s;
	float			 g[7];
	char			*cause;
	int			 i, k, j, total = 0, good;

	for (k = 0; k < SURROGATE_COUNT; k++) {
		surrogate_init(&s, surrogate_kind_name((enum surrogate_kind)k),
		    NULL);
		total += surrogate_nparams(&s);
	}
	ok(total == (int)(sizeof d / sizeof d[0]),
	    "domains: every parameter of every built-in is listed (%d)",
	    total);
	for (i = 0; i < (int)(sizeof d / sizeof d[0]); i++) {
		surrogate_init(&s, d[i].name, NULL);
		check_reject(&s, d[i].param, -1);
		cause = NULL;
		good = surrogate_set(&s, d[i].param, d[i].below,
		    &cause) == -1 && cause != NULL &&
		    strstr(cause, d[i].param) != NULL &&
		    strstr(cause, d[i].words) != NULL;
		ok(good, "%s: %s = %g refused, the domain given: %s",
		    d[i].name, d[i].param, d[i].below, cause ? cause : "none");
		free(cause);
		good = surrogate_set(&s, d[i].param, d[i].lowest, NULL) == 0;
		if (good && s.kind != SURROGATE_SQUAREWAVE_FOURIER_SERIES) {
			surrogate_grad(&s, g, x, 7);
			for (j = 0; j < 7; j++)
				good &= isfinite(g[j]) && g[j] >= 0;
		}
		ok(good, "%s: %s = %g accepted, the derivative finite and not "
		    "negative", d[i].name, d[i].param, d[i].lowest);
	}
}

/* sigmoid(4 x) and its derivative in double: what tables are made of. */
static double
sig_prim(double x)
{
	return 1 / (1 + exp(-4 * x));
}

/* The derivative of sig_prim. */
static double
sig_grad(double x)
{
	double	s = sig_prim(x);

	return 4 * s * (1 - s);
}

/*
 * Returns a registered table named name on [lo, hi] in n intervals, of
 * sigmoid(4 x) when sine is 0 or else of the built-in sine surrogate
 * (parameter alpha: 4 or 1), its errors measured at the check points.
 */
static const struct surrogate_table *
make_table(const char *name, double lo, double hi, int n, int sine)
{
	const struct surrogate_table	*reg = NULL;
	struct surrogate_table		*t;
	struct surrogate		 sn;
	double				*want;
	char				*cause = NULL;
	int				 j;

	surrogate_init(&sn, "sine", NULL);
	if ((t = surrogate_table_new(n, &cause)) == NULL ||
	    surrogate_table_set_name(t, name, &cause) != 0 ||
	    surrogate_table_add_param(t, "alpha", sine ? 1 : 4, &cause) != 0 ||
	    surrogate_table_set_support(t, lo, hi, &cause) != 0) {
		diag("make_table: %s", cause);
		exit(1);
	}
	want = malloc(2 * ((size_t)n + 2) * sizeof *want);
	for (j = 0; j <= n + 1; j++) {
		if (j <= n) {
			t->prim[j] = (float)(sine ? prim_at(&sn,
			    surrogate_table_x(lo, hi, n, j)) :
			    sig_prim(surrogate_table_x(lo, hi, n, j)));
			t->grad[j] = (float)(sine ? grad_at(&sn,
			    surrogate_table_x(lo, hi, n, j)) :
			    sig_grad(surrogate_table_x(lo, hi, n, j)));
		}
		want[j] = (float)surrogate_table_x(lo, hi, n, j - 0.5);
		want[n + 2 + j] = sine ? prim_at(&sn, want[j]) :
		    sig_prim(want[j]);
		want[j] = sine ? grad_at(&sn, want[j]) : sig_grad(want[j]);
	}
	surrogate_table_measure(t, want, want + n + 2);
	free(want);
	if (surrogate_table_register(t, &reg, &cause) != 0) {
		diag("make_table: %s", cause);
		exit(1);
	}
	return reg;
}

/*
 * A table of sigmoid(4 x) on [-8, 8] against the built-in sigmoid: linear
 * interpolation errs by at most h^2 / 8 max|g''| = h^2 (|g''| <= alpha^3 / 8
 * = 8), and the error measured at the midpoints must come close to that.
 */
static void
test_table_sigmoid(void)
{
	const struct surrogate_table	*t;
	struct surrogate		 s, b;
	const float			 out[] = { -INFINITY, -100, -8.001f,
					     8.001f, 100, INFINITY };
	float				 x[20001], gt[20001], gb[20001];
	float				 pt[20001], pb[20001], v;
	double				 h = 16.0 / 4096, bound, eg, ep;
	int				 i, zero;

	t = make_table("tsig", -8, 8, 4096, 0);
	surrogate_init_table(&s, t);
	surrogate_init(&b, "sigmoid", NULL);
	bound = h * h + 1e-6;
	ok(t->grad_error <= bound && t->grad_error >= 0.5 * h * h,
	    "table sigmoid: measured grad error %.3g within [h^2/2, h^2] "
	    "(h^2 = %.3g)", t->grad_error, h * h);
	ok(t->prim_error <= 1e-6, "table sigmoid: measured primitive error "
	    "%.3g <= 1e-6", t->prim_error);
	for (i = 0; i < 20001; i++)
		x[i] = (float)(-10 + 0.001 * i);
	surrogate_grad(&s, gt, x, 20001);
	surrogate_grad(&b, gb, x, 20001);
	surrogate_primitive(&s, pt, x, 20001);
	surrogate_primitive(&b, pb, x, 20001);
	for (i = 0, eg = ep = 0; i < 20001; i++) {
		eg = fmax(eg, fabs((double)gt[i] - gb[i]));
		ep = fmax(ep, fabs((double)pt[i] - pb[i]));
	}
	ok(eg <= bound, "table sigmoid: grad within %.3g of the built-in "
	    "on [-10, 10] (worst %.3g)", bound, eg);
	ok(ep <= 1e-6, "table sigmoid: primitive within 1e-6 of the "
	    "built-in on [-10, 10] (worst %.3g)", ep);
	for (i = 0, zero = 1; i < 6; i++) {
		surrogate_grad(&s, &v, &out[i], 1);
		zero &= v == 0.0f;
	}
	ok(zero, "table sigmoid: grad exactly 0 outside [-8, 8], infinities "
	    "included");
	v = NAN;
	surrogate_grad(&s, &v, &v, 1);
	ok(isnan(v), "table sigmoid: grad(NaN) is NaN");
	v = NAN;
	surrogate_primitive(&s, &v, &v, 1);
	ok(isnan(v), "table sigmoid: primitive(NaN) is NaN");
	v = -9;
	surrogate_primitive(&s, &v, &v, 1);
	ok(v == t->prim[0], "table sigmoid: primitive below the support is "
	    "its value at lo, in place");
	v = 1e30f;
	surrogate_primitive(&s, &v, &v, 1);
	ok(v == t->prim[t->n], "table sigmoid: primitive above the support "
	    "is its value at hi");
}

/*
 * A table of the built-in sine surrogate on its support [-1, 1], coarse
 * (64 intervals): zero exactly where the built-in is, so that gradient
 * sparsity counts the same.
 */
static void
test_table_support(void)
{
	const struct surrogate_table	*t;
	struct surrogate		 s, b;
	float				 x[6001], gt[6001], gb[6001];
	double				 h = 2.0 / 64;
	double				 bound = h * h / 8 * pow(M_PI, 3) / 16 +
					     1e-6;
	int				 i, zt, zb, same;

	t = make_table("tsine", -1, 1, 64, 1);
	surrogate_init_table(&s, t);
	surrogate_init(&b, "sine", NULL);
	for (i = 0; i < 6001; i++)
		x[i] = (float)(-3 + 0.001 * i);
	surrogate_grad(&s, gt, x, 6001);
	surrogate_grad(&b, gb, x, 6001);
	for (i = 0, zt = zb = 0, same = 1; i < 6001; i++) {
		zt += gt[i] == 0.0f;
		zb += gb[i] == 0.0f;
		same &= (gt[i] == 0.0f) == (gb[i] == 0.0f);
	}
	ok(same && zt == zb && zt == 4002, "table sine: exactly 0 where the "
	    "built-in is, |x| >= 1 (%d and %d of 6001 points)", zt, zb);
	ok(t->grad_error <= bound && t->grad_error >= 0.5 * bound,
	    "table sine, 64 intervals: grad error %.3g measured near "
	    "h^2 / 8 max|S''| = %.3g", t->grad_error, bound);
}

/* Checks that a setter's result rc is a failure whose message has word. */
static void
check_refused(int rc, char *cause, const char *word, const char *what)
{
	ok(rc == -1 && cause != NULL && strstr(cause, word) != NULL,
	    "%s refused: %s", what, cause != NULL ? cause : "(no message)");
	free(cause);
}

/*
 * The registry keeps one copy of each table (a duplicate is freed, which
 * ASan checks), sorts parameters, and tables answer the accessors; the
 * setters and registration refuse bad input and free what they took.
 */
static void
test_table_registry(void)
{
	const struct surrogate_table	*a, *b, *c;
	struct surrogate_table		*t;
	struct surrogate		 s;
	char				*cause = NULL;
	int				 rc;

	a = make_table("treg", -2, 2, 32, 0);
	b = make_table("treg", -2, 2, 32, 0);
	c = make_table("treg", -2, 3, 32, 0);
	ok(a == b && a != c, "registry: an identical table is shared, "
	    "another support is not");

	t = surrogate_table_new(16, NULL);
	surrogate_table_set_name(t, "tsort", NULL);
	surrogate_table_add_param(t, "beta", 2, NULL);
	surrogate_table_add_param(t, "alpha", 1, NULL);
	surrogate_table_set_support(t, -1, 1, NULL);
	ok(surrogate_table_register(t, &a, NULL) == 0 &&
	    strcmp(a->param_name[0], "alpha") == 0 && a->param[0] == 1 &&
	    strcmp(a->param_name[1], "beta") == 0 && a->param[1] == 2,
	    "registry: parameters sorted by name");
	surrogate_init_table(&s, a);
	ok(s.kind == SURROGATE_TABLE && strcmp(surrogate_name(&s),
	    "tsort") == 0 && surrogate_nparams(&s) == 2 &&
	    strcmp(surrogate_param_name(&s, 1), "beta") == 0 &&
	    surrogate_param_name(&s, 2) == NULL &&
	    surrogate_param(&s, "beta") == 2 && s.p[0] == 1 &&
	    surrogate_class_name(&s) == NULL && surrogate_has_primitive(&s),
	    "table: name, parameters, no class, a primitive");
	rc = surrogate_set(&s, "alpha", 3, &cause);
	check_refused(rc, cause, "tabulated", "table: surrogate_set");

	cause = NULL;
	ok(surrogate_table_new(SURROGATE_TABLE_MIN - 1, &cause) == NULL,
	    "table: too few intervals refused");
	check_refused(-1, cause, "16 to 65536", "table: 15 intervals");
	t = surrogate_table_new(16, NULL);
	cause = NULL;
	rc = surrogate_table_set_name(t, "2x", &cause);
	check_refused(rc, cause, "identifier", "table: name 2x");
	cause = NULL;
	rc = surrogate_table_set_name(t, "abcdefghijklmnopqrstuvwxyzabcdef",
	    &cause);
	check_refused(rc, cause, "31 characters", "table: a 32-letter name");
	surrogate_table_set_name(t, "tbad", NULL);
	surrogate_table_add_param(t, "a", 1, NULL);
	cause = NULL;
	rc = surrogate_table_add_param(t, "a", 2, &cause);
	check_refused(rc, cause, "twice", "table: a parameter twice");
	cause = NULL;
	rc = surrogate_table_add_param(t, "b", NAN, &cause);
	check_refused(rc, cause, "finite", "table: a NaN parameter");
	surrogate_table_add_param(t, "b", 1, NULL);
	surrogate_table_add_param(t, "c", 1, NULL);
	cause = NULL;
	rc = surrogate_table_add_param(t, "d", 1, &cause);
	check_refused(rc, cause, "at most 3", "table: a fourth parameter");
	cause = NULL;
	rc = surrogate_table_set_support(t, 1, -1, &cause);
	check_refused(rc, cause, "lo < hi", "table: support [1, -1]");
	cause = NULL;
	rc = surrogate_table_set_support(t, -1, 1e39, &cause);
	check_refused(rc, cause, "finite", "table: support beyond floats");
	surrogate_table_set_support(t, -1, 1, NULL);
	t->grad[3] = NAN;
	cause = NULL;
	rc = surrogate_table_register(t, &a, &cause);
	check_refused(rc, cause, "not finite", "table: a NaN in grad");
}

/*
 * A network whose neurons use a table: its JSON description carries the
 * table, building it again gives the same registered table, and bad
 * tables in JSON are refused with the layer named.
 */
static void
test_table_json(void)
{
	const struct surrogate_table	*t;
	struct neuron			 n;
	struct net			*net, *back;
	char				*json, *again, *bad, *hex;
	char				*cause = NULL;

	t = make_table("tjson", -8, 8, 4096, 0);
	neuron_defaults(&n, NEURON_LIF);
	surrogate_init_table(&n.sg, t);
	net = net_new();
	if (net_add_flatten(net, NULL) != 0 || net_add_neuron(net, &n,
	    &cause) != 0) {
		ok(0, "table json: network built (%s)", cause);
		free(cause);
		net_free(net);
		return;
	}
	json = net_json_describe(net);
	ok(json != NULL && strstr(json, "\"name\":\"tjson\",\"alpha\":4.0,"
	    "\"table\":{\"support\":[-8.0,8.0],\"intervals\":4096") != NULL,
	    "table json: name, parameters and table described");
	back = net_json_build(json, &cause);
	ok(back != NULL &&
	    layer_neuron_config(net_module(back, 1))->sg.kind ==
	    SURROGATE_TABLE &&
	    layer_neuron_config(net_module(back, 1))->sg.table == t &&
	    layer_neuron_config(net_module(back, 1))->sg.p[0] == 4,
	    "table json: built again, the same registered table (%s)",
	    cause != NULL ? cause : "ok");
	again = back != NULL ? net_json_describe(back) : NULL;
	ok(again != NULL && strcmp(again, json) == 0,
	    "table json: described again, the same text (resuming compares "
	    "it)");
	free(again);
	net_free(back);
	free(cause);

	bad = strdup(json);
	hex = strstr(bad, "\"grad\":\"") + 8;
	hex[5] = 'g';
	cause = NULL;
	back = net_json_build(bad, &cause);
	ok(back == NULL && cause != NULL && strstr(cause, "child 1: lif: "
	    "surrogate tjson: \"grad\" and \"primitive\" must hold 32776 hex "
	    "digits") != NULL, "table json: a bad hex digit refused: %s",
	    cause != NULL ? cause : "(no message)");
	free(cause);
	memcpy(hex, "7fc00000", 8);
	cause = NULL;
	back = net_json_build(bad, &cause);
	ok(back == NULL && cause != NULL && strstr(cause, "child 1: lif: "
	    "surrogate tjson: its tables hold values that are not finite") !=
	    NULL, "table json: a NaN in the table refused: %s",
	    cause != NULL ? cause : "(no message)");
	free(cause);
	free(bad);
	free(json);
	net_free(net);
}

int
main(void)
{
	test_reference();
	test_fd_all();
	test_sine();
	test_power();
	test_names();
	test_domains();
	test_table_sigmoid();
	test_table_support();
	test_table_registry();
	test_table_json();
	return done_testing();
}
