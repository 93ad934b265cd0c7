/*
 * test-qcfs.c: the QCFS activation (forward, gradients of the input and of
 * the threshold) against every reference/qcfs/qcfs-L*.txt, the converted
 * integrate-and-fire neuron against reference/qcfs/if_conversion.txt, and
 * the reuse of a static input's layers across simulation steps.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/snnwb.h"
#include "tap.h"

/* Builds a network of description json, or fails the test named what. */
static struct net *
build(const char *json, const char *what)
{
	struct net	*net;
	char		*cause = NULL;

	if ((net = net_json_build(json, &cause)) == NULL) {
		ok(0, "%s: built (%s)", what, cause);
		free(cause);
	}
	return net;
}

/* Returns the largest |got - want| over n values. */
static double
max_diff(const float *got, const double *want, size_t n)
{
	double	worst = 0;
	size_t	i;

	for (i = 0; i < n; i++)
		worst = fmax(worst, fabs((double)got[i] - want[i]));
	return worst;
}

/* One qcfs-L*.txt: a, grad_z and grad_lambda for loss = sum(a * grad_a). */
static void
test_qcfs_file(const char *dir, const char *name)
{
	const struct refarray	*z, *ga, *a, *gz, *gl;
	struct refdata		 rd;
	struct net		*net;
	struct mparam		*thresh;
	char			 path[8192], json[256], *cause = NULL;
	const char		*Ls, *lams;
	const float		*y, *dx;
	float			*fz, *fga;
	int			 shape[1];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (refdata_load(path, &rd, &cause) != 0) {
		ok(0, "%s: load: %s", name, cause);
		free(cause);
		return;
	}
	z = refdata_array(&rd, "z");
	ga = refdata_array(&rd, "grad_a");
	a = refdata_array(&rd, "a");
	gz = refdata_array(&rd, "grad_z");
	gl = refdata_array(&rd, "grad_lambda");
	Ls = refdata_note(&rd, "L");
	lams = refdata_note(&rd, "lambda");
	if (z == NULL || ga == NULL || a == NULL || gz == NULL || gl == NULL ||
	    Ls == NULL || lams == NULL || ga->n != z->n || a->n != z->n ||
	    gz->n != z->n || gl->n != 1) {
		ok(0, "%s: arrays z, grad_a, a, grad_z, grad_lambda and notes "
		    "L, lambda are consistent", name);
		refdata_free(&rd);
		return;
	}
	snprintf(json, sizeof json, "{\"layers\": [{\"type\": \"qcfs\", "
	    "\"name\": \"act\", \"L\": %s, \"lambda\": %s}]}", Ls, lams);
	if ((net = build(json, name)) == NULL) {
		refdata_free(&rd);
		return;
	}
	thresh = net_tensor(net, "act.thresh") != NULL ?
	    net_tensor(net, "act.thresh")->p : NULL;
	ok(thresh != NULL && thresh->n == 1 &&
	    thresh->data[0] == strtof(lams, NULL),
	    "%s: the parameter act.thresh [1] holds lambda", name);
	fz = refdata_floats(z);
	fga = refdata_floats(ga);
	shape[0] = (int)z->n;
	net_zero_grad(net);
	if (net_forward(net, fz, 1, 1, 1, shape, &y, &cause) != 0 ||
	    net_backward(net, fga, &dx, &cause) != 0) {
		ok(0, "%s: forward and backward: %s", name, cause);
		free(cause);
	} else {
		ok(max_diff(y, a->v, z->n) == 0, "%s: a exact (L=%s, "
		    "lambda=%s)", name, Ls, lams);
		ok(max_diff(dx, gz->v, z->n) <= 1e-6, "%s: grad_z within 1e-6 "
		    "(%.2g)", name, max_diff(dx, gz->v, z->n));
		ok(fabs(thresh->grad[0] - gl->v[0]) <= 1e-5 *
		    fmax(1, fabs(gl->v[0])), "%s: grad_lambda %.9g, reference "
		    "%.9g", name, (double)thresh->grad[0], gl->v[0]);
	}
	free(fz);
	free(fga);
	net_free(net);
	refdata_free(&rd);
}

/* Every qcfs-L*.txt of reference/qcfs. */
static void
test_qcfs_reference(const char *dir)
{
	char	**names;
	int	  i, count, seen = 0;

	names = tap_list_dir(dir, ".txt", &count);
	for (i = 0; i < count; i++) {
		if (strncmp(names[i], "qcfs-L", 6) == 0) {
			test_qcfs_file(dir, names[i]);
			seen++;
		}
		free(names[i]);
	}
	free(names);
	ok(seen > 0, "reference/qcfs has %d qcfs-L*.txt files", seen);
}

/*
 * if_conversion.txt: the converted neuron stepped one step a forward, and
 * all T steps in one forward, against the spikes, v(T) and rate * theta.
 */
static void
test_if_conversion(const char *dir)
{
	const struct refarray	*x, *sp, *vf, *rt;
	struct refdata		 rd;
	struct net		*net;
	char			 path[8192], *cause = NULL;
	const char		*Ts, *Ns, *thetas;
	const float		*y, *v, *count;
	const double		*sum_in;
	float			*fx, theta, *rate, v0;
	size_t			 i, bad = 0, n;
	int			 T, N, t, steps, shape[1];
	double			 worst_v = 0;

	snprintf(path, sizeof path, "%s/if_conversion.txt", dir);
	if (refdata_load(path, &rd, &cause) != 0) {
		ok(0, "if_conversion.txt: load: %s", cause);
		free(cause);
		return;
	}
	x = refdata_array(&rd, "x");
	sp = refdata_array(&rd, "spikes");
	vf = refdata_array(&rd, "v_final");
	rt = refdata_array(&rd, "rate_times_theta");
	Ts = refdata_note(&rd, "T");
	Ns = refdata_note(&rd, "N");
	thetas = refdata_note(&rd, "theta");
	if (x == NULL || sp == NULL || vf == NULL || rt == NULL ||
	    Ts == NULL || Ns == NULL || thetas == NULL ||
	    (T = atoi(Ts)) <= 0 || (N = atoi(Ns)) <= 0 ||
	    x->n != (size_t)T * N || sp->n != x->n || vf->n != (size_t)N ||
	    rt->n != (size_t)N) {
		ok(0, "if_conversion.txt: arrays and notes are consistent");
		refdata_free(&rd);
		return;
	}
	theta = strtof(thetas, NULL);
	if ((net = build("{\"layers\": [{\"type\": \"qcfs_if\", \"name\": "
	    "\"act\"}]}", "if_conversion")) == NULL) {
		refdata_free(&rd);
		return;
	}
	net_tensor(net, "act.thresh")->p->data[0] = theta;
	layer_qcfs_if_set_analysis(net_find(net, "act"), 1);
	net_invalidate(net);
	net->training = 0;
	fx = refdata_floats(x);
	rate = calloc((size_t)N, sizeof *rate);
	shape[0] = N;
	for (t = 0; t < T; t++) {
		if (net_step(net, fx + (size_t)t * N, 1, 1, shape, 0, &y,
		    &cause) != 0) {
			ok(0, "if_conversion: step %d: %s", t + 1, cause);
			free(cause);
			break;
		}
		for (i = 0; i < (size_t)N; i++) {
			bad += (y[i] != 0) != (sp->v[(size_t)t * N + i] != 0) ||
			    (y[i] != 0 && y[i] != theta);
			rate[i] += y[i];
		}
	}
	ok(t == T && bad == 0, "if_conversion: spikes of %d steps match, "
	    "each worth theta (%zu differ)", T, bad);
	layer_qcfs_if_state(net_find(net, "act"), &v, &count, &sum_in, &v0,
	    &steps);
	for (i = 0; i < (size_t)N; i++) {
		worst_v = fmax(worst_v, fabs(v[i] - vf->v[i]));
		rate[i] /= (float)T;
	}
	ok(steps == T && worst_v <= 1e-5, "if_conversion: v(T) within 1e-5 "
	    "(%.2g) after %d steps", worst_v, steps);
	ok(max_diff(rate, rt->v, (size_t)N) <= 1e-6, "if_conversion: rate * "
	    "theta within 1e-6");
	for (i = 0, bad = 0; i < (size_t)N; i++) {
		double	s = 0;

		for (n = 0, t = 0; t < T; t++) {
			s += fx[(size_t)t * N + i];
			n += sp->v[(size_t)t * N + i] != 0;
		}
		bad += count[i] != (float)n || fabs(sum_in[i] - s) > 1e-9;
	}
	ok(bad == 0, "if_conversion: the analysis counts spikes and sums "
	    "the input current");
	net_reset(net);
	if (net_forward(net, fx, T, 1, 1, shape, &y, &cause) != 0) {
		ok(0, "if_conversion: all steps at once: %s", cause);
		free(cause);
	} else {
		for (i = 0, bad = 0; i < x->n; i++)
			bad += (y[i] != 0) != (sp->v[i] != 0);
		ok(bad == 0, "if_conversion: all %d steps in one forward give "
		    "the same spikes after a reset", T);
	}
	free(rate);
	free(fx);
	net_free(net);
	refdata_free(&rd);
}

/*
 * linear -> qcfs_if -> linear beside a copy: steps whose input repeats
 * give what full steps give; a weight of the first linear changed between
 * steps shows that a repeated step does not run it again, and a full step
 * does.
 */
static void
test_repeat(void)
{
	struct net	*net, *full;
	float		 x[2 * 3] = { 0.5f, -1, 2, 1, 0.25f, -0.5f };
	const float	*y, *yf;
	char		*cause = NULL;
	int		 t, shape[1] = { 3 }, same = 1, rc = 0;
	const char	*desc = "{\"layers\": ["
	    "{\"type\": \"linear\", \"name\": \"fc1\", \"in\": 3, \"out\": 4},"
	    "{\"type\": \"qcfs_if\", \"name\": \"act\"},"
	    "{\"type\": \"linear\", \"name\": \"fc2\", \"in\": 4, \"out\": 2}]}";

	if ((net = build(desc, "repeat")) == NULL)
		return;
	if ((full = net_copy(net, &cause)) == NULL) {
		ok(0, "repeat: copied (%s)", cause);
		free(cause);
		net_free(net);
		return;
	}
	net->training = full->training = 0;
	for (t = 0; t < 6 && rc == 0; t++) {
		rc = net_step(net, x, 2, 1, shape, t > 0, &y, &cause);
		if (rc == 0)
			rc = net_step(full, x, 2, 1, shape, 0, &yf, &cause);
		same = same && rc == 0 && memcmp(y, yf, 4 * sizeof *y) == 0;
	}
	ok(rc == 0 && same, "repeat: 6 steps with a repeated input give what "
	    "full steps give");
	net_tensor(net, "fc1.weight")->p->data[0] += 10;
	for (t = 0; t < 2 && rc == 0; t++) {
		rc = net_step(net, x, 2, 1, shape, t == 0, &y, &cause);
		if (rc == 0)
			rc = net_step(full, x, 2, 1, shape, 0, &yf, &cause);
		if (rc == 0)
			same = memcmp(net_find(net, "fc1")->y,
			    net_find(full, "fc1")->y, 8 * sizeof *y) == 0;
		ok(rc == 0 && same == (t == 0), t == 0 ? "repeat: a repeated "
		    "step keeps the first layer's output" : "repeat: a full "
		    "step computes it again");
	}
	if (rc != 0)
		free(cause);
	net_free(net);
	net_free(full);
}

int
main(void)
{
	const char	*dir = tap_fixture("reference/qcfs", 5);

	test_repeat();
	if (dir != NULL) {
		test_qcfs_reference(dir);
		test_if_conversion(dir);
	}
	return done_testing();
}
