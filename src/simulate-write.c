/*
 * simulate-write.c: the run directory of a simulation. accuracy.csv (t,
 * accuracy, correct), layers.csv (a row per converted layer, and per
 * analysis checkpoint when there are any, under the names the result
 * uses), accuracy.svg (accuracy against t, the ANN's accuracy as a line),
 * and with analysis errors.svg (mean |e| per layer for each checkpoint)
 * and fractions-T<T>.svg (the fractions with v(T) < 0, v(T) >= theta and
 * n != n_even per layer at the last checkpoint); compared with the ANN,
 * layers.csv has the columns total_err and mean_abs_total_err and
 * total-error.svg draws mean |phi - a| against depth, a line per
 * checkpoint. Files are written atomically.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn.h"

/* Room for the subtitle of a figure. */
#define SIMULATE_WRITE_SUBTITLE	64

/* What the CSV writers read. */
struct simulate_file {
	const struct simulate_result	*r;
	const int			*steps;
};

/* Writes accuracy.csv. */
static int
simulate_write_accuracy(FILE *fp, void *arg)
{
	const struct simulate_result	*r = ((struct simulate_file *)arg)->r;
	int				 t;

	fprintf(fp, "t,accuracy,correct\n");
	for (t = 0; t < r->T; t++)
		fprintf(fp, "%d,%.6f,%zu\n", t + 1, (double)r->correct[t] /
		    (double)r->n, r->correct[t]);
	return 0;
}

/* Writes layers.csv: the rate per layer, or the analysis rows. */
static int
simulate_write_layers(FILE *fp, void *arg)
{
	const struct simulate_file	*f = arg;
	const struct simulate_result	*r = f->r;
	const struct analysis		*a;
	int				 c, k;

	if (r->ncheckpoints == 0) {
		fprintf(fp, "layer,name,rate\n");
		for (k = 0; k < r->nlayers; k++)
			fprintf(fp, "%d,%s,%.6g\n", k + 1, r->names[k],
			    r->rate[k]);
		return 0;
	}
	fprintf(fp, "layer,name,T,rate,frac_below,frac_above,frac_uneven,"
	    "mean_e,mean_abs_e,eq9_max_abs,mean_clip_err,mean_abs_clip_err,"
	    "mean_quant_err,mean_abs_quant_err%s\n", r->analysis[0].has_total ?
	    ",total_err,mean_abs_total_err" : "");
	for (c = 0; c < r->ncheckpoints; c++)
		for (k = 0; k < r->nlayers; k++) {
			a = &r->analysis[(size_t)c * r->nlayers + k];
			fprintf(fp, "%d,%s,%d,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,"
			    "%.3g,%.6g,%.6g,%.6g,%.6g", k + 1, r->names[k],
			    f->steps[c], a->rate, a->frac_below, a->frac_above,
			    a->frac_uneven, a->mean_e, a->mean_abs_e,
			    a->eq9_max_abs, a->mean_clip_err,
			    a->mean_abs_clip_err, a->mean_quant_err,
			    a->mean_abs_quant_err);
			if (a->has_total)
				fprintf(fp, ",%.6g,%.6g", a->total_err,
				    a->mean_abs_total_err);
			fprintf(fp, "\n");
		}
	return 0;
}

/* Writes dir/name with fn; -1 with a message naming the file. */
static int
simulate_write_file(const char *dir, const char *name,
    int (*fn)(FILE *, void *), struct simulate_file *f, char **cause)
{
	char	path[4096];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	return file_write_atomic(path, fn, f, cause);
}

/*
 * Writes into buf (len bytes) and returns the subtitle of the figures of
 * r: what they were measured on.
 */
static const char *
simulate_write_subtitle(const struct simulate_result *r, char *buf,
    size_t len)
{
	snprintf(buf, len, "%zu images simulated, T = %d", r->n, r->T);
	return buf;
}

/* Draws accuracy against t, and the ANN's accuracy when it is known. */
static int
simulate_write_curve(const struct simulate_result *r, const char *dir,
    double ann, char **cause)
{
	struct plot_series	 s[2];
	struct plot		 p;
	double			*x, *y, ax[2], ay[2];
	char			 path[4096], sub[SIMULATE_WRITE_SUBTITLE];
	int			 t, rc;

	x = calloc((size_t)r->T, sizeof *x);
	y = calloc((size_t)r->T, sizeof *y);
	if (x == NULL || y == NULL) {
		free(x);
		free(y);
		return error_set(cause, "out of memory");
	}
	for (t = 0; t < r->T; t++) {
		x[t] = t + 1;
		y[t] = 100.0 * (double)r->correct[t] / (double)r->n;
	}
	plot_init(&p, PLOT_LINES);
	p.title = "Converted network: accuracy after t steps";
	p.subtitle = simulate_write_subtitle(r, sub, sizeof sub);
	p.x.label = "time steps t";
	p.y.label = "accuracy (%)";
	memset(s, 0, sizeof s);
	s[0].label = "SNN";
	s[0].n = (size_t)r->T;
	s[0].x = x;
	s[0].y = y;
	plot_series_defaults(&s[0], 0);
	p.series = s;
	p.nseries = 1;
	if (isfinite(ann)) {
		ax[0] = 1;
		ax[1] = r->T;
		ay[0] = ay[1] = 100.0 * ann;
		s[1].label = "ANN";
		s[1].n = 2;
		s[1].x = ax;
		s[1].y = ay;
		plot_series_defaults(&s[1], 1);
		s[1].marker = PLOT_MARKER_NONE;
		p.nseries = 2;
	}
	snprintf(path, sizeof path, "%s/accuracy.svg", dir);
	rc = plot_svg_write(path, &p, cause);
	free(x);
	free(y);
	return rc;
}

/*
 * Draws the analysis: mean |e| per layer, a series per checkpoint, and
 * the three fractions per layer at the last checkpoint.
 */
static int
simulate_write_bars(const struct simulate_result *r, const int *steps,
    const char *dir, char **cause)
{
	struct plot_series	*s;
	struct plot		 p;
	const struct analysis	*a;
	double			*v;
	char			 path[4096], (*label)[32];
	char			 sub[SIMULATE_WRITE_SUBTITLE];
	int			 c, k, n = r->ncheckpoints, L = r->nlayers;
	int			 rc;

	s = calloc((size_t)(n > 3 ? n : 3), sizeof *s);
	v = calloc((size_t)(n > 3 ? n : 3) * L, sizeof *v);
	label = calloc((size_t)n, sizeof *label);
	if (s == NULL || v == NULL || label == NULL) {
		rc = error_set(cause, "out of memory");
		goto out;
	}
	plot_init(&p, PLOT_BARS);
	p.groups = (const char *const *)r->names;
	p.ngroups = L;
	p.series = s;
	p.title = "Unevenness error: mean |e| per layer";
	p.subtitle = simulate_write_subtitle(r, sub, sizeof sub);
	p.x.label = "layer";
	p.y.label = "mean |e|";
	for (c = 0; c < n; c++) {
		for (k = 0; k < L; k++)
			v[(size_t)c * L + k] =
			    r->analysis[(size_t)c * L + k].mean_abs_e;
		snprintf(label[c], sizeof label[c], "T = %d", steps[c]);
		s[c].label = label[c];
		s[c].n = (size_t)L;
		s[c].y = v + (size_t)c * L;
		plot_series_defaults(&s[c], c);
	}
	p.nseries = n;
	snprintf(path, sizeof path, "%s/errors.svg", dir);
	if ((rc = plot_svg_write(path, &p, cause)) != 0)
		goto out;
	memset(s, 0, 3 * sizeof *s);
	for (k = 0; k < L; k++) {
		a = &r->analysis[(size_t)(n - 1) * L + k];
		v[k] = a->frac_below;
		v[L + k] = a->frac_above;
		v[2 * L + k] = a->frac_uneven;
	}
	s[0].label = "v(T) < 0";
	s[1].label = "v(T) >= theta";
	s[2].label = "n != n_even";
	for (c = 0; c < 3; c++) {
		s[c].n = (size_t)L;
		s[c].y = v + (size_t)c * L;
		plot_series_defaults(&s[c], c);
	}
	p.nseries = 3;
	p.title = "Fractions of neurons per layer";
	p.y.label = "fraction";
	snprintf(path, sizeof path, "%s/fractions-T%d.svg", dir, steps[n - 1]);
	rc = plot_svg_write(path, &p, cause);
out:
	free(s);
	free(v);
	free(label);
	return rc;
}

/* Draws mean |phi - a| against the depth of the layer, per checkpoint. */
static int
simulate_write_total(const struct simulate_result *r, const int *steps,
    const char *dir, char **cause)
{
	struct plot_series	*s;
	struct plot		 p;
	double			*x, *y;
	char			 path[4096], (*label)[32];
	char			 sub[SIMULATE_WRITE_SUBTITLE];
	int			 c, k, n = r->ncheckpoints, L = r->nlayers, rc;

	s = calloc((size_t)n, sizeof *s);
	x = calloc((size_t)L, sizeof *x);
	y = calloc((size_t)n * L, sizeof *y);
	label = calloc((size_t)n, sizeof *label);
	if (s == NULL || x == NULL || y == NULL || label == NULL) {
		rc = error_set(cause, "out of memory");
		goto out;
	}
	for (k = 0; k < L; k++)
		x[k] = k + 1;
	plot_init(&p, PLOT_LINES);
	p.title = "Total error against depth: mean |phi_SNN - a_ANN|";
	p.subtitle = simulate_write_subtitle(r, sub, sizeof sub);
	p.x.label = "converted layer (network order)";
	p.y.label = "mean |phi - a|";
	for (c = 0; c < n; c++) {
		for (k = 0; k < L; k++)
			y[(size_t)c * L + k] = r->analysis[(size_t)c * L +
			    k].mean_abs_total_err;
		snprintf(label[c], sizeof label[c], "T = %d", steps[c]);
		s[c].label = label[c];
		s[c].n = (size_t)L;
		s[c].x = x;
		s[c].y = y + (size_t)c * L;
		plot_series_defaults(&s[c], c);
	}
	p.series = s;
	p.nseries = n;
	snprintf(path, sizeof path, "%s/total-error.svg", dir);
	rc = plot_svg_write(path, &p, cause);
out:
	free(s);
	free(x);
	free(y);
	free(label);
	return rc;
}

/*
 * Writes the run directory dir of simulation r (analysis at steps), with
 * ann the ANN's accuracy (a fraction; NaN: unknown) in the figure.
 */
int
simulate_write(const struct simulate_result *r, const int *steps,
    const char *dir, double ann, char **cause)
{
	struct simulate_file	f = { r, steps };

	if (r->n == 0)
		return error_set(cause, "no images to report");
	if (file_mkdirs(dir, 0777, cause) != 0 ||
	    simulate_write_file(dir, "accuracy.csv", simulate_write_accuracy,
	    &f, cause) != 0 ||
	    simulate_write_file(dir, "layers.csv", simulate_write_layers, &f,
	    cause) != 0 ||
	    simulate_write_curve(r, dir, ann, cause) != 0)
		return -1;
	if (r->ncheckpoints > 0 && r->nlayers > 0 &&
	    simulate_write_bars(r, steps, dir, cause) != 0)
		return -1;
	if (r->ncheckpoints > 0 && r->nlayers > 0 &&
	    r->analysis[0].has_total &&
	    simulate_write_total(r, steps, dir, cause) != 0)
		return -1;
	return 0;
}
