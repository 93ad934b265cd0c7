/*
 * test-surrogate.c: every surrogate against SpikingJelly's values in
 * ../shared/reference/surrogate (backward, primitive, spikes), the
 * derivative of each against finite differences of its primitive, snnwb's
 * sine and power surrogates analytically, and the name and parameter
 * checks.
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
	const char	*found = tap_shared("reference/surrogate");
	char		 dir[4096], **files;
	int		 nfiles, i, k, seen[SURROGATE_COUNT] = { 0 }, all;
	struct surrogate s;

	if (found == NULL) {
		skip(1, "reference/surrogate not found (set SNNWB_SHARED)");
		return;
	}
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

int
main(void)
{
	test_reference();
	test_fd_all();
	test_sine();
	test_power();
	test_names();
	return done_testing();
}
