/*
 * test-conv.c: the convolution and pooling modules against PyTorch's
 * values (every reference/conv/{conv2d,avgpool2d,maxpool2d,
 * adaptive_avgpool2d}-*.txt, shapes from their headers, tolerances of
 * README-conv.md), both panel paths of the convolution, finite
 * differences of single modules and of whole networks (conv, relu,
 * pooling, flatten, linear; conv and LIF through time), and the messages
 * of bad configurations.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/snnwb.h"
#include "tap.h"

/* Reads integer note key of rd into *v; -1 when it is missing. */
static int
note_int(const struct refdata *rd, const char *key, int *v)
{
	const char	*s = refdata_note(rd, key);

	if (s == NULL)
		return -1;
	*v = atoi(s);
	return 0;
}

/* Returns the largest |value| of a. */
static double
ref_max(const struct refarray *a)
{
	double	m = 0;
	size_t	i;

	for (i = 0; i < a->n; i++)
		m = fmax(m, fabs(a->v[i]));
	return m;
}

/*
 * Checks got against array name of rd: |diff| <= frac max|ref|, or equal
 * to the float values when frac is 0.
 */
static void
check(const struct refdata *rd, const char *name, const float *got,
    size_t n, double frac, const char *file)
{
	const struct refarray	*a = refdata_array(rd, name);
	size_t			 i;

	if (a == NULL || a->n != n) {
		ok(0, "%s: array %s of %zu values", file, name, n);
		return;
	}
	if (frac > 0) {
		is_close_array(got, a->v, n, 0, frac * ref_max(a), "%s: %s",
		    file, name);
		return;
	}
	for (i = 0; i < n && got[i] == (float)a->v[i]; i++)
		;
	ok(i == n, "%s: %s exactly", file, name);
	if (i < n)
		diag("at [%zu]: got %.9g, want %.9g", i, got[i], a->v[i]);
}

/* Returns a network around the module described by the JSON text. */
static struct net *
make_net(const char *text)
{
	json_error_t	 err;
	json_t		*o = json_loads(text, 0, &err);
	struct module	*m;
	struct net	*net;
	struct rng	 r;
	char		*cause = NULL;

	rng_seed(&r, 7);
	if (o == NULL) {
		diag("bad JSON in the test: %s", err.text);
		return NULL;
	}
	m = module_parse(o, &r, &cause);
	json_decref(o);
	if (m == NULL || (net = net_wrap(m, &cause)) == NULL) {
		diag("%s", cause);
		free(cause);
		return NULL;
	}
	return net;
}

/* Copies array name of rd into the parameter pname of module m. */
static int
set_param(struct module *m, const char *pname, const struct refdata *rd,
    const char *name)
{
	const struct refarray	*a = refdata_array(rd, name);
	struct mparam		*p = module_param(m, pname);
	size_t			 i;

	if (a == NULL || p == NULL || p->n != a->n)
		return -1;
	for (i = 0; i < a->n; i++)
		p->data[i] = (float)a->v[i];
	return 0;
}

/* Tests per conv2d reference file. */
#define CONV_FILE_TESTS	13

/*
 * One conv2d file: the batch in one forward and backward (one panel at
 * these sizes), then image by image (panels of one image: y and dy in
 * place, x as col for 1x1 stride 1), then without the input gradient.
 */
static void
test_conv_file(const char *dir, const char *file)
{
	struct refdata		 rd;
	struct net		*net = NULL;
	struct module		*m;
	char			 path[4400], desc[256], *cause = NULL;
	int			 B, C, H, W, O, k, kw, s, p, bias, Ho, Wo;
	int			 shape[3], b;
	const float		*y, *dx;
	float			*x = NULL, *dy = NULL, *ys = NULL, *dxs = NULL;
	size_t			 xs, os, i;

	snprintf(path, sizeof path, "%s/%s", dir, file);
	if (refdata_load(path, &rd, &cause) != 0) {
		ok(0, "read %s: %s", path, cause);
		free(cause);
		skip(CONV_FILE_TESTS - 1, "%s unreadable", file);
		return;
	}
	if (note_int(&rd, "B", &B) || note_int(&rd, "C", &C) ||
	    note_int(&rd, "H", &H) || note_int(&rd, "W", &W) ||
	    note_int(&rd, "O", &O) || note_int(&rd, "kh", &k) ||
	    note_int(&rd, "kw", &kw) || note_int(&rd, "stride", &s) ||
	    note_int(&rd, "padding", &p) || note_int(&rd, "bias", &bias) ||
	    note_int(&rd, "Ho", &Ho) || note_int(&rd, "Wo", &Wo) || k != kw) {
		ok(0, "%s: header with square kernel", file);
		skip(CONV_FILE_TESTS - 1, "%s: header", file);
		goto out;
	}
	snprintf(desc, sizeof desc, "{\"type\": \"conv2d\", \"in\": %d, "
	    "\"out\": %d, \"kernel\": %d, \"stride\": %d, \"padding\": %d, "
	    "\"bias\": %s}", C, O, k, s, p, bias ? "true" : "false");
	xs = (size_t)C * H * W;
	os = (size_t)O * Ho * Wo;
	if ((net = make_net(desc)) == NULL ||
	    set_param(net->root, "weight", &rd, "w") != 0 ||
	    (bias && set_param(net->root, "bias", &rd, "b") != 0) ||
	    refdata_array(&rd, "x") == NULL ||
	    refdata_array(&rd, "x")->n != (size_t)B * xs ||
	    refdata_array(&rd, "grad_y") == NULL ||
	    refdata_array(&rd, "grad_y")->n != (size_t)B * os) {
		ok(0, "%s: module and arrays", file);
		skip(CONV_FILE_TESTS - 1, "%s: setup", file);
		goto out;
	}
	x = refdata_floats(refdata_array(&rd, "x"));
	dy = refdata_floats(refdata_array(&rd, "grad_y"));
	ys = calloc((size_t)B * os, sizeof *ys);
	dxs = calloc((size_t)B * xs, sizeof *dxs);
	shape[0] = C;
	shape[1] = H;
	shape[2] = W;

	ok(net_forward(net, x, 1, B, 3, shape, &y, &cause) == 0 &&
	    net->root->out_ndim == 3 && net->root->out_shape[0] == O &&
	    net->root->out_shape[1] == Ho && net->root->out_shape[2] == Wo,
	    "%s: forward gives [%d, %d, %d] per sample", file, O, Ho, Wo);
	check(&rd, "y", y, (size_t)B * os, 1e-5, file);
	net_backward(net, dy, &dx, NULL);
	check(&rd, "grad_x", dx, (size_t)B * xs, 1e-5, file);
	check(&rd, "grad_w", net->root->param[0].grad, net->root->param[0].n,
	    1e-5, file);
	if (bias)
		check(&rd, "grad_b", net->root->param[1].grad, (size_t)O,
		    1e-5, file);
	else
		ok(net->root->nparam == 1, "%s: no bias parameter", file);

	/* Image by image, gradients adding up over the calls. */
	net_zero_grad(net);
	for (b = 0; b < B; b++) {
		if (net_forward(net, x + b * xs, 1, 1, 3, shape, &y,
		    &cause) != 0)
			break;
		memcpy(ys + b * os, y, os * sizeof *y);
		net_backward(net, dy + b * os, &dx, NULL);
		memcpy(dxs + b * xs, dx, xs * sizeof *dx);
	}
	ok(b == B, "%s: one image at a time", file);
	check(&rd, "y", ys, (size_t)B * os, 1e-5, file);
	check(&rd, "grad_x", dxs, (size_t)B * xs, 1e-5, file);
	check(&rd, "grad_w", net->root->param[0].grad, net->root->param[0].n,
	    1e-5, file);
	if (bias)
		check(&rd, "grad_b", net->root->param[1].grad, (size_t)O,
		    1e-5, file);
	else
		ok(1, "%s: no bias gradient to sum", file);

	/* Without the input gradient (a first layer): same dw, dx untouched. */
	net_zero_grad(net);
	net_forward(net, x, 1, B, 3, shape, &y, NULL);
	m = net->root;
	for (i = 0; i < (size_t)B * xs; i++)
		m->dx[i] = 12345;
	net_backward(net, dy, NULL, NULL);
	check(&rd, "grad_w", m->param[0].grad, m->param[0].n, 1e-5, file);
	for (i = 0; i < (size_t)B * xs && m->dx[i] == 12345; i++)
		;
	ok(i == (size_t)B * xs, "%s: no input gradient computed when not "
	    "needed", file);
	ok(cause == NULL, "%s: no error", file);
out:
	free(cause);
	free(x);
	free(dy);
	free(ys);
	free(dxs);
	net_free(net);
	refdata_free(&rd);
}

/* Tests per pooling reference file. */
#define POOL_FILE_TESTS	3

/* One pooling file of kind type (avgpool2d, maxpool2d, adaptive_...). */
static void
test_pool_file(const char *dir, const char *file, const char *type)
{
	struct refdata	 rd;
	struct net	*net = NULL;
	char		 path[4400], desc[256], *cause = NULL;
	int		 B, C, H, W, Ho, Wo, k, s, p, size, ceil_mode = 0;
	int		 shape[3], max = strcmp(type, "maxpool2d") == 0;
	const float	*y, *dx;
	float		*x = NULL, *dy = NULL;

	snprintf(path, sizeof path, "%s/%s", dir, file);
	if (refdata_load(path, &rd, &cause) != 0) {
		ok(0, "read %s: %s", path, cause);
		free(cause);
		skip(POOL_FILE_TESTS - 1, "%s unreadable", file);
		return;
	}
	if (note_int(&rd, "B", &B) || note_int(&rd, "C", &C) ||
	    note_int(&rd, "H", &H) || note_int(&rd, "W", &W) ||
	    note_int(&rd, "Ho", &Ho) || note_int(&rd, "Wo", &Wo))
		goto bad;
	if (strcmp(type, "adaptive_avgpool2d") == 0) {
		if (note_int(&rd, "output_size", &size))
			goto bad;
		snprintf(desc, sizeof desc, "{\"type\": \"%s\", "
		    "\"output_size\": %d}", type, size);
	} else {
		if (note_int(&rd, "kernel", &k) || note_int(&rd, "stride",
		    &s) || note_int(&rd, "padding", &p) ||
		    (note_int(&rd, "ceil_mode", &ceil_mode) == 0 &&
		    ceil_mode != 0))
			goto bad;
		snprintf(desc, sizeof desc, "{\"type\": \"%s\", \"kernel\": "
		    "%d, \"stride\": %d, \"padding\": %d}", type, k, s, p);
	}
	if ((net = make_net(desc)) == NULL ||
	    refdata_array(&rd, "x") == NULL ||
	    refdata_array(&rd, "x")->n != (size_t)B * C * H * W ||
	    refdata_array(&rd, "grad_y") == NULL ||
	    refdata_array(&rd, "grad_y")->n != (size_t)B * C * Ho * Wo)
		goto bad;
	x = refdata_floats(refdata_array(&rd, "x"));
	dy = refdata_floats(refdata_array(&rd, "grad_y"));
	shape[0] = C;
	shape[1] = H;
	shape[2] = W;
	ok(net_forward(net, x, 1, B, 3, shape, &y, &cause) == 0 &&
	    net->root->out_ndim == 3 && net->root->out_shape[0] == C &&
	    net->root->out_shape[1] == Ho && net->root->out_shape[2] == Wo,
	    "%s: forward gives [%d, %d, %d] per sample", file, C, Ho, Wo);
	check(&rd, "y", y, (size_t)B * C * Ho * Wo, max ? 0 : 1e-6, file);
	net_backward(net, dy, &dx, NULL);
	check(&rd, "grad_x", dx, (size_t)B * C * H * W, 1e-6, file);
	goto out;
bad:
	ok(0, "%s: header, module and arrays%s", file, ceil_mode ?
	    " (ceil_mode is not supported)" : "");
	skip(POOL_FILE_TESTS - 1, "%s: setup", file);
out:
	free(cause);
	free(x);
	free(dy);
	net_free(net);
	refdata_free(&rd);
}

/* Runs every reference file of the four kinds found in reference/conv. */
static void
test_reference(void)
{
	static const char *const kinds[] = { "conv2d", "avgpool2d",
		"maxpool2d", "adaptive_avgpool2d" };
	const char	*found;
	char		 dir[4096], prefix[64], **names;
	int		 i, j, n, count[4] = { 0, 0, 0, 0 };

	if ((found = tap_fixture("reference/conv", 4)) == NULL)
		return;
	snprintf(dir, sizeof dir, "%s", found);
	names = tap_list_dir(dir, ".txt", &n);
	for (i = 0; i < 4; i++) {
		snprintf(prefix, sizeof prefix, "%s-", kinds[i]);
		for (j = 0; j < n; j++) {
			if (strncmp(names[j], prefix, strlen(prefix)) != 0)
				continue;
			count[i]++;
			if (i == 0)
				test_conv_file(dir, names[j]);
			else
				test_pool_file(dir, names[j], kinds[i]);
		}
		ok(count[i] > 0, "reference/conv has %d %s files", count[i],
		    kinds[i]);
	}
	for (j = 0; j < n; j++)
		free(names[j]);
	free(names);
}

/* Fills v with n values uniform in [-1, 1). */
static void
fill(float *v, size_t n, struct rng *r)
{
	size_t	i;

	for (i = 0; i < n; i++)
		v[i] = (float)(2 * rng_uniform(r) - 1);
}

/* Returns sum(out * w) of a forward of x, in double; NAN on failure. */
static double
loss_of(struct net *net, const float *x, int T, int B, const int *shape,
    const float *w, size_t nout)
{
	const float	*y;
	double		 s = 0;
	size_t		 i;

	net_reset(net);
	if (net_forward(net, x, T, B, 3, shape, &y, NULL) != 0)
		return NAN;
	for (i = 0; i < nout; i++)
		s += (double)y[i] * w[i];
	return s;
}

/*
 * Checks the gradients of loss = sum(out * w) with respect to every
 * parameter (if any) and every input value against central differences of
 * step eps: |numeric - analytic| <= tol max|analytic| for each group.
 */
static void
finite_diff(struct net *net, float *x, int T, int B, const int *shape,
    double eps, double tol, const char *what)
{
	size_t		 nin = (size_t)T * B * shape[0] * shape[1] * shape[2];
	size_t		 nout, i;
	const float	*y, *dx;
	float		*w, *ana, keep;
	double		 lp, lm, err, big, worst;
	struct rng	 r;
	int		 group;

	rng_seed(&r, 99);
	net_reset(net);
	if (net_forward(net, x, T, B, 3, shape, &y, NULL) != 0) {
		ok(0, "%s: forward", what);
		ok(0, "%s: forward", what);
		return;
	}
	nout = (size_t)T * B * net->root->out_size;
	w = malloc(nout * sizeof *w);
	fill(w, nout, &r);
	net_zero_grad(net);
	net_backward(net, w, &dx, NULL);
	ana = malloc(nin * sizeof *ana);
	memcpy(ana, dx, nin * sizeof *ana);
	for (group = net->nparams > 0 ? 0 : 1; group < 2; group++) {
		size_t		 n = group == 0 ? net->nparams : nin;
		float		*v = group == 0 ? net->params : x;
		const float	*g = group == 0 ? net->grads : ana;

		big = 0;
		worst = 0;
		for (i = 0; i < n; i++)
			big = fmax(big, fabs(g[i]));
		for (i = 0; i < n; i++) {
			keep = v[i];
			v[i] = keep + (float)eps;
			lp = loss_of(net, x, T, B, shape, w, nout);
			v[i] = keep - (float)eps;
			lm = loss_of(net, x, T, B, shape, w, nout);
			v[i] = keep;
			err = fabs((lp - lm) / (2 * eps) - g[i]);
			worst = fmax(worst, err);
		}
		ok(big > 0 && worst <= tol * big, "%s: %s gradients (%zu) "
		    "match finite differences (worst %.3g of max %.3g)",
		    what, group == 0 ? "parameter" : "input", n, worst, big);
	}
	free(w);
	free(ana);
}

/* Finite differences of single modules on small random inputs. */
static void
test_finite_diff(void)
{
	static const struct {
		const char	*desc;
		int		 shape[3];
	} cases[] = {
		{ "{\"type\": \"conv2d\", \"in\": 2, \"out\": 3, \"kernel\": 3,"
		  " \"stride\": 2, \"padding\": 1}", { 2, 5, 6 } },
		{ "{\"type\": \"conv2d\", \"in\": 3, \"out\": 2, \"kernel\": 2,"
		  " \"bias\": false}", { 3, 4, 5 } },
		{ "{\"type\": \"conv2d\", \"in\": 2, \"out\": 2, \"kernel\": 1,"
		  " \"stride\": 2, \"padding\": 1}", { 2, 3, 4 } },
		{ "{\"type\": \"conv2d\", \"in\": 3, \"out\": 2, \"kernel\": 3,"
		  " \"padding\": 1}", { 3, 4, 5 } },
		{ "{\"type\": \"conv2d\", \"in\": 2, \"out\": 3, \"kernel\": 2,"
		  " \"padding\": 2}", { 2, 3, 4 } },
		{ "{\"type\": \"avgpool2d\", \"kernel\": 3, \"stride\": 2, "
		  "\"padding\": 1}", { 2, 5, 6 } },
		{ "{\"type\": \"maxpool2d\", \"kernel\": 3, \"stride\": 2, "
		  "\"padding\": 1}", { 2, 5, 6 } },
		{ "{\"type\": \"maxpool2d\", \"kernel\": 2}", { 2, 5, 4 } }
	};
	struct rng	 r;
	struct net	*net;
	float		*x;
	uint32_t	*perm;
	size_t		 c, i, n;
	int		 B = 2;

	rng_seed(&r, 5);
	for (c = 0; c < sizeof cases / sizeof *cases; c++) {
		n = (size_t)B * cases[c].shape[0] * cases[c].shape[1] *
		    cases[c].shape[2];
		x = malloc(n * sizeof *x);
		/* Distinct values 0.01 apart: no maximum changes at eps. */
		perm = malloc(n * sizeof *perm);
		for (i = 0; i < n; i++)
			perm[i] = (uint32_t)i;
		rng_shuffle(&r, perm, n);
		for (i = 0; i < n; i++)
			x[i] = ((float)perm[i] - (float)n / 2) * 0.01f;
		if ((net = make_net(cases[c].desc)) == NULL) {
			ok(0, "make %s", cases[c].desc);
			ok(0, "make %s", cases[c].desc);
		} else if (net->nparams == 0) {
			finite_diff(net, x, 1, B, cases[c].shape, 1e-3, 1e-3,
			    net->root->kind->name);
		} else
			finite_diff(net, x, 1, B, cases[c].shape, 1e-2, 1e-3,
			    cases[c].desc);
		net_free(net);
		free(perm);
		free(x);
	}
}

/*
 * A convolutional network through net.c: conv, relu, avgpool, conv,
 * flatten, linear, checked by finite differences of its loss (max pooling,
 * checked alone, would add kinks that the differences may straddle).
 */
static void
test_net(void)
{
	struct net	*net;
	struct rng	 r;
	float		 x[2 * 2 * 8 * 8];
	int		 shape[3] = { 2, 8, 8 }, oshape[8];
	const float	*y;

	net = make_net("{\"type\": \"sequential\", \"layers\": ["
	    "{\"type\": \"conv2d\", \"in\": 2, \"out\": 4, \"kernel\": 3, "
	    "\"padding\": 1},"
	    "{\"type\": \"relu\"},"
	    "{\"type\": \"avgpool2d\", \"kernel\": 2},"
	    "{\"type\": \"conv2d\", \"in\": 4, \"out\": 3, \"kernel\": 1,"
	    " \"stride\": 2},"
	    "{\"type\": \"flatten\"},"
	    "{\"type\": \"linear\", \"in\": 12, \"out\": 3}]}");
	if (net == NULL) {
		ok(0, "conv net built");
		skip(3, "no net");
		return;
	}
	rng_seed(&r, 11);
	fill(x, sizeof x / sizeof *x, &r);
	ok(net_forward(net, x, 1, 2, 3, shape, &y, NULL) == 0 &&
	    net_out_shape(net, oshape) == 1 && oshape[0] == 3,
	    "conv net: [2, 8, 8] gives [3] per sample");
	ok(net_tensor(net, "0.weight") != NULL &&
	    net_tensor(net, "0.weight")->p->shape[1] == 2 &&
	    net_tensor(net, "3.weight")->p->ndim == 4 &&
	    net_tensor(net, "3.bias") != NULL,
	    "conv net: parameters named by index, 4-d weights");
	finite_diff(net, x, 1, 2, shape, 1e-3, 2e-3, "conv net");
	net_free(net);
}

/*
 * conv -> LIF at T = 3: spikes equal the neuron applied to the conv's
 * output on [C, H, W] samples; with the smooth primitive (spiking off)
 * the whole net matches finite differences through time.
 */
static void
test_lif(void)
{
	static const char *const conv = "{\"type\": \"conv2d\", \"in\": 2, "
	    "\"out\": 3, \"kernel\": 3, \"padding\": 1}";
	struct net	*net, *alone, *smooth;
	struct neuron	 nrn;
	struct rng	 r;
	float		 x[3 * 2 * 2 * 4 * 4], s[3 * 2 * 3 * 4 * 4];
	float		 h[3 * 2 * 3 * 4 * 4], v[3 * 2 * 3 * 4 * 4];
	int		 shape[3] = { 2, 4, 4 }, oshape[8], nd;
	const float	*y, *cy;
	size_t		 n = sizeof s / sizeof *s, i, spikes = 0;
	char		 desc[512];

	snprintf(desc, sizeof desc, "{\"type\": \"sequential\", \"layers\": "
	    "[%s, {\"type\": \"lif\", \"tau\": 2.0, \"v_threshold\": 0.3}]}",
	    conv);
	net = make_net(desc);
	alone = make_net(conv);
	snprintf(desc, sizeof desc, "{\"type\": \"sequential\", \"layers\": "
	    "[%s, {\"type\": \"lif\", \"spiking\": false}, "
	    "{\"type\": \"avgpool2d\", \"kernel\": 2}]}", conv);
	smooth = make_net(desc);
	if (net == NULL || alone == NULL || smooth == NULL) {
		ok(0, "conv -> lif nets built");
		skip(3, "no net");
		goto out;
	}
	memcpy(alone->params, net->params, net->nparams * sizeof *x);
	rng_seed(&r, 3);
	fill(x, sizeof x / sizeof *x, &r);
	nd = net_forward(net, x, 3, 2, 3, shape, &y, NULL) == 0 ?
	    net_out_shape(net, oshape) : 0;
	ok(nd == 3 && oshape[0] == 3 && oshape[1] == 4 && oshape[2] == 4,
	    "conv -> lif: [3, 4, 4] per sample at T = 3");
	if (net_forward(alone, x, 3, 2, 3, shape, &cy, NULL) != 0) {
		ok(0, "conv alone");
		skip(2, "no conv");
		goto out;
	}
	nrn = *layer_neuron_config(net->root->child[1]);
	neuron_forward(&nrn, s, h, v, cy, NULL, 3, n / 3);
	for (i = 0; i < n && y[i] == s[i]; i++)
		spikes += s[i] != 0;
	ok(i == n && spikes > 0 && spikes < n, "conv -> lif: the spikes of "
	    "LIF on the conv output through time (%zu of %zu)", spikes, n);
	finite_diff(smooth, x, 3, 2, shape, 1e-2, 2e-3, "conv -> lif (smooth)");
out:
	net_free(net);
	net_free(alone);
	net_free(smooth);
}

/*
 * Panels of several images (and a partial last one) against one image at a
 * time, at a size where the panel holds eight of eleven images.
 */
static void
test_panels(void)
{
	struct net	*net;
	struct rng	 r;
	int		 B = 11, shape[3] = { 64, 8, 8 }, b;
	size_t		 xs = 64 * 8 * 8, os = 128 * 8 * 8, np, i;
	float		*x, *dy, *y1, *dx1, *dw;
	double		*y, *dx, *gw;
	const float	*out, *din;

	net = make_net("{\"type\": \"conv2d\", \"in\": 64, \"out\": 128, "
	    "\"kernel\": 3, \"padding\": 1}");
	if (net == NULL) {
		ok(0, "panel conv built");
		skip(2, "no conv");
		return;
	}
	np = net->nparams;
	x = malloc(B * xs * sizeof *x);
	dy = malloc(B * os * sizeof *dy);
	y1 = malloc(B * os * sizeof *y1);
	dx1 = malloc(B * xs * sizeof *dx1);
	dw = malloc(np * sizeof *dw);
	y = malloc(B * os * sizeof *y);
	dx = malloc(B * xs * sizeof *dx);
	gw = malloc(np * sizeof *gw);
	rng_seed(&r, 17);
	fill(x, B * xs, &r);
	fill(dy, B * os, &r);
	for (b = 0; b < B; b++) {
		net_forward(net, x + b * xs, 1, 1, 3, shape, &out, NULL);
		memcpy(y1 + b * os, out, os * sizeof *out);
		net_backward(net, dy + b * os, &din, NULL);
		memcpy(dx1 + b * xs, din, xs * sizeof *din);
	}
	memcpy(dw, net->grads, np * sizeof *dw);
	for (i = 0; i < B * os; i++)
		y[i] = y1[i];
	for (i = 0; i < B * xs; i++)
		dx[i] = dx1[i];
	for (i = 0; i < np; i++)
		gw[i] = dw[i];
	net_zero_grad(net);
	net_forward(net, x, 1, B, 3, shape, &out, NULL);
	is_close_array(out, y, B * os, 0, 1e-5, "panels: y as one image "
	    "at a time");
	net_backward(net, dy, &din, NULL);
	is_close_array(din, dx, B * xs, 0, 1e-5, "panels: grad_x as one "
	    "image at a time");
	is_close_array(net->grads, gw, np, 0, 1e-4, "panels: weight and "
	    "bias gradients as one image at a time");
	free(x);
	free(dy);
	free(y1);
	free(dx1);
	free(dw);
	free(y);
	free(dx);
	free(gw);
	net_free(net);
}

/* Checks that description text fails with a message holding want. */
static void
bad_parse(const char *text, const char *want)
{
	json_t		*o = json_loads(text, 0, NULL);
	struct module	*m;
	char		*cause = NULL;

	m = module_parse(o, NULL, &cause);
	ok(m == NULL && cause != NULL && strstr(cause, want) != NULL,
	    "%s refused: %s", text, cause != NULL ? cause : "(accepted)");
	module_free(m);
	json_decref(o);
	free(cause);
}

/* Checks that a forward of shape through text fails naming want. */
static void
bad_shape(const char *text, int ndim, const int *shape, const char *want)
{
	struct net	*net = make_net(text);
	float		 x[64] = { 0 };
	const float	*y;
	char		*cause = NULL;

	ok(net != NULL && net_forward(net, x, 1, 1, ndim, shape, &y,
	    &cause) != 0 && cause != NULL && strstr(cause, want) != NULL,
	    "%s on %d dims refused: %s", text, ndim, cause != NULL ? cause :
	    "(accepted)");
	free(cause);
	net_free(net);
}

/* Descriptions parse back to the same modules, defaults filled in. */
static void
test_describe(void)
{
	struct net	*net;
	struct module	*back;
	json_t		*d, *d2;
	char		*s, *s2 = NULL;

	net = make_net("{\"type\": \"sequential\", \"layers\": ["
	    "{\"type\": \"conv2d\", \"in\": 3, \"out\": 4, \"kernel\": 3, "
	    "\"stride\": 2, \"padding\": 1, \"bias\": false, \"name\": \"c\"},"
	    "{\"type\": \"maxpool2d\", \"kernel\": 3, \"padding\": 1},"
	    "{\"type\": \"avgpool2d\", \"kernel\": 2, \"stride\": 1},"
	    "{\"type\": \"adaptive_avgpool2d\", \"output_size\": 1}]}");
	if (net == NULL) {
		ok(0, "describe: net built");
		return;
	}
	d = module_describe(net->root);
	s = json_dumps(d, JSON_SORT_KEYS | JSON_COMPACT);
	if ((back = module_parse(d, NULL, NULL)) != NULL) {
		d2 = module_describe(back);
		s2 = json_dumps(d2, JSON_SORT_KEYS | JSON_COMPACT);
		json_decref(d2);
	}
	ok(s2 != NULL && strcmp(s, s2) == 0 &&
	    strstr(s, "\"kernel\":3,\"name\":\"c\",\"out\":4,\"padding\":1,"
	    "\"stride\":2") != NULL &&
	    strstr(s, "\"kernel\":3,\"padding\":1,\"stride\":3") != NULL,
	    "describe: %s parses back the same", s);
	module_free(back);
	json_decref(d);
	free(s);
	free(s2);
	net_free(net);
}

/* Bad configurations give messages, not crashes. */
static void
test_errors(void)
{
	static const int	flat[1] = { 8 }, small[3] = { 2, 3, 3 };
	static const int	chw[3] = { 3, 4, 4 };

	bad_parse("{\"type\": \"conv2d\", \"in\": 2, \"out\": 3}",
	    "\"kernel\" are required");
	bad_parse("{\"type\": \"conv2d\", \"in\": 2, \"out\": 3, \"kernel\": "
	    "0}", "\"kernel\" must be an integer");
	bad_parse("{\"type\": \"conv2d\", \"in\": 2, \"out\": 3, \"kernel\": "
	    "3, \"groups\": 2}", "unknown option \"groups\"");
	bad_parse("{\"type\": \"conv2d\", \"in\": 100000, \"out\": 3, "
	    "\"kernel\": 4096}", "too large");
	bad_parse("{\"type\": \"maxpool2d\", \"kernel\": 2, \"padding\": 2}",
	    "more than half the kernel");
	bad_parse("{\"type\": \"adaptive_avgpool2d\", \"output_size\": 2}",
	    "only 1");
	bad_shape("{\"type\": \"conv2d\", \"in\": 2, \"out\": 3, \"kernel\": "
	    "5}", 3, small, "smaller than the 5x5 kernel");
	bad_shape("{\"type\": \"conv2d\", \"in\": 2, \"out\": 3, \"kernel\": "
	    "1}", 1, flat, "conv2d: input per sample is [8], expected "
	    "[2, H, W]");
	bad_shape("{\"type\": \"conv2d\", \"in\": 2, \"out\": 3, \"kernel\": "
	    "1}", 3, chw, "is [3, 4, 4], expected [2, H, W]");
	bad_shape("{\"type\": \"avgpool2d\", \"kernel\": 4}", 3, small,
	    "smaller than the 4x4 window");
	bad_shape("{\"type\": \"maxpool2d\", \"kernel\": 2}", 1, flat,
	    "maxpool2d: input per sample is [8], expected [C, H, W]");
	bad_shape("{\"type\": \"adaptive_avgpool2d\", \"output_size\": 1}", 1,
	    flat, "expected [C, H, W]");
}

/*
 * The sparse path of a simulation: for inputs with 10% of values nonzero,
 * at strides 1 and 2, with padding and a bias or without, y equals the
 * dense path's.
 */
static void
test_sparse(void)
{
	static const char *const desc[] = {
	    "{\"type\": \"conv2d\", \"in\": 8, \"out\": 24, \"kernel\": 3, "
	    "\"padding\": 1}",
	    "{\"type\": \"conv2d\", \"in\": 8, \"out\": 16, \"kernel\": 3, "
	    "\"stride\": 2, \"padding\": 1, \"bias\": false}",
	    "{\"type\": \"conv2d\", \"in\": 8, \"out\": 16, \"kernel\": 1, "
	    "\"stride\": 2}" };
	struct net	*net;
	struct rng	 r;
	int		 B = 5, shape[3] = { 8, 9, 10 }, k;
	size_t		 xs = 8 * 9 * 10, i, n;
	float		*x, *dense;
	double		*want;
	const float	*out;

	x = malloc(B * xs * sizeof *x);
	rng_seed(&r, 23);
	for (i = 0; i < B * xs; i++)
		x[i] = rng_uniform(&r) < 0.1 ? 1.5f : 0;
	for (k = 0; k < 3; k++) {
		if ((net = make_net(desc[k])) == NULL) {
			ok(0, "sparse %d: built", k);
			continue;
		}
		net->training = 0;
		net_forward(net, x, 1, B, 3, shape, &out, NULL);
		n = (size_t)B * net->root->out_size;
		dense = malloc(n * sizeof *dense);
		want = malloc(n * sizeof *want);
		memcpy(dense, out, n * sizeof *out);
		for (i = 0; i < n; i++)
			want[i] = dense[i];
		net->sparse = 1;
		net_forward(net, x, 1, B, 3, shape, &out, NULL);
		is_close_array(out, want, n, 0, 1e-5, "sparse %d: y as the "
		    "dense path (10%% nonzero inputs)", k);
		free(dense);
		free(want);
		net_free(net);
	}
	free(x);
}

int
main(void)
{
	test_reference();
	test_finite_diff();
	test_net();
	test_lif();
	test_panels();
	test_describe();
	test_errors();
	test_sparse();
	return done_testing();
}
