/*
 * test-loss.c: the rate losses on a tiny hand-computed case, their
 * stability with large logits, their gradients against central finite
 * differences, and the cross-entropy against PyTorch's F.cross_entropy
 * (reference/conv/cross_entropy-*.txt).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/snnwb.h"
#include "tap.h"

/*
 * The tiny case: T = 2, B = 2, C = 3, labels (0, 2). Rates are
 * (1, 0.5, 0) and (0, 0.5, 1).
 */
enum { TT = 2, TB = 2, TC = 3, TN = TT * TB * TC };
static const float tiny_s[TN] = {
	1, 0, 0,	0, 1, 1,	/* t = 0 */
	1, 1, 0,	0, 0, 1		/* t = 1 */
};
static const int tiny_labels[TB] = { 0, 2 };

/* MSE: both rows miss by 0.5 at class 1, so the loss is 2 * 0.25 / 6. */
static void
test_mse_tiny(void)
{
	float	ds[TN];
	double	want[TN];
	int	i;

	is_double(loss_mse_rate(ds, tiny_s, tiny_labels, TT, TB, TC),
	    1.0 / 12, 1e-12, "mse: hand-computed loss 1/12");
	/* dL/ds = 2 (rate - onehot) / (B C) / T: 1/12 at class 1. */
	for (i = 0; i < TN; i++)
		want[i] = i % TC == 1 ? 1.0 / 12 : 0;
	is_close_array(ds, want, TN, 1e-7, 1e-9, "mse: hand-computed ds");
	is_double(loss_mse_rate(NULL, tiny_s, tiny_labels, TT, TB, TC),
	    1.0 / 12, 1e-12, "mse: same loss without ds");
}

/*
 * Cross-entropy: both rows have logits (1, 0.5, 0) / temperature against
 * the largest, so the loss is log(1 + e^(0.5/k) + e^(1/k)) - 1/k.
 */
static void
test_ce_tiny(void)
{
	float	ds[TN];
	double	want[TN], p[TC], sum;
	int	i, c;

	is_double(loss_ce_rate(ds, tiny_s, tiny_labels, TT, TB, TC, 1.0f, 0.0f),
	    0.680269670641735, 1e-12, "ce: hand-computed loss at k = 1");
	is_double(loss_ce_rate(NULL, tiny_s, tiny_labels, TT, TB, TC, 0.5f, 0.0f),
	    0.407605964444380, 1e-12, "ce: hand-computed loss at k = 0.5");
	/* dL/ds = (softmax - onehot) / (B T k), k = 1. */
	sum = 1 + exp(0.5) + exp(1);
	p[0] = exp(1) / sum - 1;
	p[1] = exp(0.5) / sum;
	p[2] = 1 / sum;
	for (i = 0; i < TN; i++) {
		c = i % TC;
		/* Row 1 has the logits mirrored and its label at class 2. */
		want[i] = (i / TC) % TB == 0 ? p[c] : p[TC - 1 - c];
		want[i] /= TB * TT;
	}
	loss_ce_rate(ds, tiny_s, tiny_labels, TT, TB, TC, 1.0f, 0.0f);
	is_close_array(ds, want, TN, 1e-6, 1e-8, "ce: hand-computed ds");
}

/* Logits of 1000 neither overflow nor lose the loss. */
static void
test_ce_large(void)
{
	const int	labels[TB] = { 1, 0 };
	float		ds[TN];
	double		loss;
	int		i, finite = 1;

	/* Row 0: logits (1000, 500, 0), label 1: 500; row 1: 1000. */
	loss = loss_ce_rate(ds, tiny_s, labels, TT, TB, TC, 1e-3f, 0.0f);
	is_double(loss, 750, 1e-3, "ce: logits of 1000 give a finite loss");
	for (i = 0; i < TN; i++)
		finite &= isfinite(ds[i]) != 0;
	ok(finite, "ce: logits of 1000 give a finite gradient");
}

/* Evaluates the loss named by ce (0 MSE, 1 cross-entropy, k = 0.7). */
static double
eval(int ce, float *ds, const float *s, const int *labels, int T, int B,
    int C)
{
	return ce ? loss_ce_rate(ds, s, labels, T, B, C, 0.7f, 0.0f) :
	    loss_mse_rate(ds, s, labels, T, B, C);
}

/* Both gradients against central differences at non-binary s. */
static void
test_fd(void)
{
	enum { T = 3, B = 2, C = 4, N = T * B * C };
	const int	labels[B] = { 3, 1 };
	struct rng	r;
	float		s[N], ds[N], save;
	double		num[N], lp, lm, step = 1e-3, dstep;
	int		i, ce;

	rng_seed(&r, 3);
	for (i = 0; i < N; i++)
		s[i] = (float)rng_uniform(&r);
	for (ce = 0; ce <= 1; ce++) {
		eval(ce, ds, s, labels, T, B, C);
		for (i = 0; i < N; i++) {
			save = s[i];
			s[i] = save + (float)step;
			dstep = (double)s[i] - save;
			lp = eval(ce, NULL, s, labels, T, B, C);
			s[i] = save - (float)step;
			dstep += save - (double)s[i];
			lm = eval(ce, NULL, s, labels, T, B, C);
			s[i] = save;
			num[i] = (lp - lm) / dstep;
		}
		is_close_array(ds, num, N, 1e-4, 1e-7,
		    "%s: ds matches finite differences", ce ? "ce" : "mse");
	}
}

/*
 * One of PyTorch's F.cross_entropy references (reference/conv/
 * cross_entropy-*.txt, shapes and label_smoothing from the header): the
 * loss at rel diff <= 1e-6 and grad_logits at abs diff <= 1e-6 max |ref|,
 * README-conv.md's tests, with T = 1 and temperature 1.
 */
static void
test_ce_file(const char *dir, const char *file)
{
	const struct refarray	*lg, *lb, *ls, *gl;
	struct refdata		 rd;
	const char		*b, *k, *sm;
	char			 path[8200], *cause = NULL;
	double			 loss, max = 0;
	float			*logits, *ds;
	int			*labels, B, K, i;

	snprintf(path, sizeof path, "%s/%s", dir, file);
	if (refdata_load(path, &rd, &cause) != 0) {
		ok(0, "%s: readable (%s)", file, cause);
		free(cause);
		return;
	}
	b = refdata_note(&rd, "B");
	k = refdata_note(&rd, "K");
	sm = refdata_note(&rd, "label_smoothing");
	B = b != NULL ? atoi(b) : 0;
	K = k != NULL ? atoi(k) : 0;
	lg = refdata_array(&rd, "logits");
	lb = refdata_array(&rd, "labels");
	ls = refdata_array(&rd, "loss");
	gl = refdata_array(&rd, "grad_logits");
	if (B < 1 || K < 1 || sm == NULL || lg == NULL || lb == NULL ||
	    ls == NULL || gl == NULL || lg->n != (size_t)B * K ||
	    lb->n != (size_t)B || ls->n != 1 || gl->n != lg->n) {
		ok(0, "%s: header B, K, label_smoothing and arrays of those "
		    "shapes", file);
		refdata_free(&rd);
		return;
	}
	logits = refdata_floats(lg);
	ds = malloc(lg->n * sizeof *ds);
	labels = malloc((size_t)B * sizeof *labels);
	for (i = 0; i < B; i++)
		labels[i] = (int)lb->v[i];
	for (i = 0; i < B * K; i++)
		max = fmax(max, fabs(gl->v[i]));
	loss = loss_ce_rate(ds, logits, labels, 1, B, K, 1.0f,
	    (float)atof(sm));
	is_double(loss, ls->v[0], 1e-6 * fabs(ls->v[0]),
	    "%s: loss (label_smoothing %s)", file, sm);
	is_close_array(ds, gl->v, gl->n, 0, 1e-6 * max, "%s: grad_logits",
	    file);
	free(logits);
	free(ds);
	free(labels);
	refdata_free(&rd);
}

int
main(void)
{
	const char	*shared;
	char		 dir[4096], **names;
	int		 i, count, found = 0;

	test_mse_tiny();
	test_ce_tiny();
	test_ce_large();
	test_fd();
	if ((shared = tap_fixture("reference/conv", 1)) == NULL)
		return done_testing();
	snprintf(dir, sizeof dir, "%s", shared);
	names = tap_list_dir(dir, ".txt", &count);
	for (i = 0; i < count; i++) {
		if (strncmp(names[i], "cross_entropy-", 14) == 0) {
			test_ce_file(dir, names[i]);
			found++;
		}
		free(names[i]);
	}
	free(names);
	ok(found >= 2, "reference/conv has %d cross_entropy files", found);
	return done_testing();
}
