/*
 * plot.c: the figure model that plot-svg.c draws: axes on linear or log
 * scales with ticks at 1-2-5 steps, series of points or bars, and the
 * palette, dash patterns and markers that tell series apart in colour and
 * in greyscale. A figure borrows every pointer it holds; nothing here
 * allocates.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core.h"

/* Tolerance of tick arithmetic, in units of the tick step or decade. */
#define PLOT_EPS	1e-9

/* The name and colour of each enum plot_color. */
static const struct {
	const char	*name;
	const char	*hex;
} plot_colors[PLOT_COLOR_COUNT] = {
	[PLOT_COLOR_BLUE] = { "blue", "#0072B2" },
	[PLOT_COLOR_VERMILLION] = { "vermillion", "#D55E00" },
	[PLOT_COLOR_GREEN] = { "green", "#009E73" },
	[PLOT_COLOR_PURPLE] = { "purple", "#CC79A7" },
	[PLOT_COLOR_ORANGE] = { "orange", "#E69F00" },
	[PLOT_COLOR_SKYBLUE] = { "skyblue", "#56B4E9" },
	[PLOT_COLOR_YELLOW] = { "yellow", "#F0E442" },
	[PLOT_COLOR_BLACK] = { "black", "#000000" },
	[PLOT_COLOR_GREY] = { "grey", "#777777" }
};

/* The names of enum plot_dash, enum plot_legend and enum plot_marker. */
static const char *const plot_dashes[PLOT_DASH_COUNT] = {
	[PLOT_DASH_SOLID] = "solid",
	[PLOT_DASH_DASHED] = "dashed",
	[PLOT_DASH_DOTTED] = "dotted",
	[PLOT_DASH_DASHDOT] = "dashdot"
};
static const char *const plot_legends[PLOT_LEGEND_COUNT] = {
	[PLOT_LEGEND_AUTO] = "auto",
	[PLOT_LEGEND_RIGHT] = "right",
	[PLOT_LEGEND_BOTTOM] = "bottom",
	[PLOT_LEGEND_NONE] = "none"
};
static const char *const plot_markers[PLOT_MARKER_COUNT] = {
	[PLOT_MARKER_NONE] = "none",
	[PLOT_MARKER_CIRCLE] = "circle",
	[PLOT_MARKER_SQUARE] = "square",
	[PLOT_MARKER_TRIANGLE] = "triangle",
	[PLOT_MARKER_DIAMOND] = "diamond"
};

/* Superscript digits and minus sign in UTF-8, for powers of ten. */
static const char *const plot_superscripts[10] = {
	"\u2070", "\u00b9", "\u00b2", "\u00b3", "\u2074",
	"\u2075", "\u2076", "\u2077", "\u2078", "\u2079"
};
#define PLOT_SUPERMINUS	"\u207b"

/* Empties p and gives it the default size and linear axes. */
void
plot_init(struct plot *p, enum plot_kind kind)
{
	memset(p, 0, sizeof *p);
	p->kind = kind;
	p->x.scale = PLOT_SCALE_LINEAR;
	p->y.scale = PLOT_SCALE_LINEAR;
	p->width = PLOT_WIDTH;
	p->height = PLOT_HEIGHT;
}

/*
 * Gives series number index (from 0) its default style: the next colour,
 * dash pattern and, when it has at most PLOT_MARKER_MAXPOINTS points (so
 * s->n must be set first), marker.
 */
void
plot_series_defaults(struct plot_series *s, int index)
{
	s->color = (enum plot_color)(index % PLOT_COLOR_CYCLE);
	s->dash = (enum plot_dash)(index % PLOT_DASH_COUNT);
	if (s->n > PLOT_MARKER_MAXPOINTS)
		s->marker = PLOT_MARKER_NONE;
	else
		s->marker = (enum plot_marker)(1 + index %
		    (PLOT_MARKER_COUNT - 1));
}

/* Returns the name of a colour, or NULL past the last. */
const char *
plot_color_name(int color)
{
	if (color < 0 || color >= PLOT_COLOR_COUNT)
		return NULL;
	return plot_colors[color].name;
}

/* Returns a colour as "#RRGGBB", or NULL past the last. */
const char *
plot_color_hex(int color)
{
	if (color < 0 || color >= PLOT_COLOR_COUNT)
		return NULL;
	return plot_colors[color].hex;
}

/* Returns the name of a dash pattern, or NULL past the last. */
const char *
plot_dash_name(int dash)
{
	if (dash < 0 || dash >= PLOT_DASH_COUNT)
		return NULL;
	return plot_dashes[dash];
}

/* Returns the name of a marker, or NULL past the last. */
const char *
plot_marker_name(int marker)
{
	if (marker < 0 || marker >= PLOT_MARKER_COUNT)
		return NULL;
	return plot_markers[marker];
}

/* Returns the name of a legend place, or NULL past the last. */
const char *
plot_legend_name(int legend)
{
	if (legend < 0 || legend >= PLOT_LEGEND_COUNT)
		return NULL;
	return plot_legends[legend];
}

/* Whether v can be placed on an axis of this scale. */
int
plot_value_ok(enum plot_scale scale, double v)
{
	return isfinite(v) && (scale == PLOT_SCALE_LINEAR || v > 0);
}

/* Whether point (or bar) i of series s can be drawn. */
int
plot_point_ok(const struct plot *p, const struct plot_series *s, size_t i)
{
	if (!plot_value_ok(p->y.scale, s->y[i]))
		return 0;
	return p->kind == PLOT_BARS || plot_value_ok(p->x.scale, s->x[i]);
}

/* Widens [*lo, *hi] to take v in. */
static void
plot_widen(double *lo, double *hi, double v)
{
	if (v < *lo)
		*lo = v;
	if (v > *hi)
		*hi = v;
}

/*
 * Finds the range of the drawable data along the x axis (yaxis 0) or the
 * y axis (1): points, the ends of error bars that fit the scale and, for
 * bars on a linear scale, 0, unless the values are positive and differ by
 * less than a quarter of the largest (accuracies of 90 to 95%): then the
 * range reaches half their spread below the least, so that the shortest
 * bar shows, and the axis is drawn broken. Returns 0, leaving lo and hi
 * alone, when there is nothing to draw (bars have no x range).
 */
int
plot_data_range(const struct plot *p, int yaxis, double *lo, double *hi)
{
	const struct plot_series	*s;
	double				 a = INFINITY, b = -INFINITY, e;
	size_t				 i;
	int				 k;

	if (p->kind == PLOT_BARS && !yaxis)
		return 0;
	for (k = 0; k < p->nseries; k++) {
		s = &p->series[k];
		for (i = 0; i < s->n; i++) {
			if (!plot_point_ok(p, s, i))
				continue;
			if (!yaxis) {
				plot_widen(&a, &b, s->x[i]);
				continue;
			}
			plot_widen(&a, &b, s->y[i]);
			e = s->err != NULL ? s->err[i] : NAN;
			if (!isfinite(e) || e <= 0)
				continue;
			if (plot_value_ok(p->y.scale, s->y[i] + e))
				plot_widen(&a, &b, s->y[i] + e);
			if (plot_value_ok(p->y.scale, s->y[i] - e))
				plot_widen(&a, &b, s->y[i] - e);
		}
	}
	if (a > b)
		return 0;
	if (p->kind == PLOT_BARS && p->y.scale == PLOT_SCALE_LINEAR) {
		if (a > 0 && b - a < b / 4)
			a = fmax(0, a - (b - a) / 2);
		else
			plot_widen(&a, &b, 0);
	}
	*lo = a;
	*hi = b;
	return 1;
}

/*
 * Whether every drawable x value is a whole number, and there is one (bars
 * have no x values).
 */
int
plot_data_integral(const struct plot *p)
{
	const struct plot_series	*s;
	size_t				 i;
	int				 k, any = 0;

	if (p->kind == PLOT_BARS)
		return 0;
	for (k = 0; k < p->nseries; k++) {
		s = &p->series[k];
		for (i = 0; i < s->n; i++) {
			if (!plot_point_ok(p, s, i))
				continue;
			if (s->x[i] != floor(s->x[i]))
				return 0;
			any = 1;
		}
	}
	return any;
}

/*
 * Whether series k lies on top of series j: both have points, as many,
 * and the same ones where either can be drawn.
 */
int
plot_series_same(const struct plot *p, int j, int k)
{
	const struct plot_series	*a = &p->series[j], *b = &p->series[k];
	size_t				 i;
	int				 da, db;

	if (a->n == 0 || a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++) {
		da = plot_point_ok(p, a, i);
		db = plot_point_ok(p, b, i);
		if (da != db || (da && (a->y[i] != b->y[i] ||
		    (p->kind == PLOT_LINES && a->x[i] != b->x[i]))))
			return 0;
	}
	return 1;
}

/*
 * Returns k * 10^e, dividing for negative e so that tick values such as
 * 0.6 come out as the nearest double to the decimal (but multiplying
 * where 10^-e would overflow).
 */
static double
plot_decimal(double k, int e)
{
	if (e >= 0 || e < -300)
		return k * pow(10, e);
	return k / pow(10, -e);
}

/*
 * Finds the j-th 1-2-5 step above 10^e0, *m times 10^*e, and the numbers
 * *k0 .. *k1 of its multiples inside [lo, hi] (fixed) or covering it.
 */
static void
plot_step(double lo, double hi, int fixed, int e0, int j, int *m, int *e,
    double *k0, double *k1)
{
	static const int	mant[] = { 1, 2, 5 };
	double			step, q;

	*m = mant[j % 3];
	*e = e0 + j / 3;
	step = plot_decimal(*m, *e);
	q = lo / step;
	*k0 = fixed ? ceil(q - PLOT_EPS * (1 + fabs(q))) :
	    floor(q + PLOT_EPS * (1 + fabs(q)));
	q = hi / step;
	*k1 = fixed ? floor(q + PLOT_EPS * (1 + fabs(q))) :
	    ceil(q - PLOT_EPS * (1 + fabs(q)));
}

/*
 * Linear ticks at the smallest 1-2-5 step (at least 1 when integer) that
 * gives at most maxn of them: inside [lo, hi] when fixed (at least two,
 * so up to 5 where the next step would leave one), else over [lo, hi]
 * widened to whole steps, which become the limits.
 */
static void
plot_ticks_linear(double lo, double hi, int fixed, int integer, int maxn,
    struct plot_ticks *t)
{
	double	k0, k1, k;
	int	e0, e, j, m;

	e0 = (int)floor(log10((hi - lo) / maxn));
	if (integer && e0 < 0)
		e0 = 0;
	for (j = 0;; j++) {
		plot_step(lo, hi, fixed, e0, j, &m, &e, &k0, &k1);
		if (k1 - k0 + 1 <= maxn)
			break;
	}
	if (k1 - k0 + 1 < 2 && j > 0)
		plot_step(lo, hi, fixed, e0, j - 1, &m, &e, &k0, &k1);
	t->step = plot_decimal(m, e);
	t->min = fixed ? lo : plot_decimal(k0 * m, e) + 0.0;
	t->max = fixed ? hi : plot_decimal(k1 * m, e) + 0.0;
	t->n = 0;
	for (k = k0; k <= k1 && t->n < PLOT_MAXTICKS; k++)
		t->v[t->n++] = plot_decimal(k * m, e) + 0.0;
}

/*
 * Log ticks inside [lo, hi], the limits: at powers of ten (every few
 * when there are more than maxn), or at 1, 2 and 5 times them when fewer
 * than three powers fall inside. Limits too close for two such ticks get
 * linear ones.
 */
static void
plot_ticks_log(double lo, double hi, int maxn, struct plot_ticks *t)
{
	static const int	mant[] = { 1, 2, 5 };
	double			a = log10(lo), b = log10(hi), v;
	int			elo, ehi, e, i, k = 1;

	elo = (int)ceil(a - PLOT_EPS);
	ehi = (int)floor(b + PLOT_EPS);
	while ((ehi - elo) / k + 1 > maxn)
		k++;
	t->min = lo;
	t->max = hi;
	t->step = 0;
	t->n = 0;
	if (ehi - elo < 2) {
		for (e = (int)floor(a + PLOT_EPS) - 1; e <= ehi; e++) {
			for (i = 0; i < 3 && t->n < PLOT_MAXTICKS; i++) {
				v = plot_decimal(mant[i], e);
				if (v >= lo * (1 - PLOT_EPS) &&
				    v <= hi * (1 + PLOT_EPS))
					t->v[t->n++] = v;
			}
		}
		if (t->n >= 2 && t->n <= maxn)
			return;
		t->n = 0;
	}
	for (e = elo; e <= ehi; e += k)
		t->v[t->n++] = plot_decimal(1, e);
	if (t->n < 2)
		plot_ticks_linear(lo, hi, 1, 0, maxn, t);
}

/*
 * Chooses the limits and at least two, at most maxn (clamped to 3 ..
 * PLOT_MAXTICKS; see plot_ticks_linear for fixed limits) ticks of axis a:
 * its fixed limits, or [lo, hi] (the data's range, finite and positive on
 * a log scale), on a linear scale widened to nice values; a log scale
 * keeps the data's range (widened by a factor of 2 each way when it is
 * one value), so that a few decades' data is not squeezed into more.
 * Where those would overflow, the ticks are the two ends.
 */
void
plot_axis_ticks(const struct plot_axis *a, double lo, double hi, int maxn,
    struct plot_ticks *t)
{
	double	pad;

	maxn = maxn < 3 ? 3 : maxn > PLOT_MAXTICKS ? PLOT_MAXTICKS : maxn;
	if (a->fixed) {
		lo = a->min;
		hi = a->max;
	}
	if (a->scale == PLOT_SCALE_LOG) {
		if (!a->fixed && hi <= lo * (1 + 1e-12)) {
			lo /= 2;
			hi *= 2;
		}
		plot_ticks_log(lo, hi, maxn, t);
	} else {
		if (!a->fixed && hi - lo <= 1e-12 * fabs(lo)) {
			pad = lo != 0 ? fabs(lo) / 10 : 1;
			lo -= pad;
			hi += pad;
		}
		if (isfinite(hi - lo))
			plot_ticks_linear(lo, hi, a->fixed, a->integer, maxn,
			    t);
	}
	if (isfinite(hi - lo) && isfinite(t->min) && isfinite(t->max) &&
	    t->min < t->max && (a->scale == PLOT_SCALE_LINEAR || t->min > 0))
		return;
	t->min = t->v[0] = lo;
	t->max = t->v[1] = hi;
	t->step = hi - lo;
	t->n = 2;
}

/* Appends the power of ten e in superscript digits to buf (len bytes). */
static void
plot_power(char *buf, size_t len, int e)
{
	char	digits[16];
	size_t	i;

	if (e < 0)
		strncat(buf, PLOT_SUPERMINUS, len - strlen(buf) - 1);
	snprintf(digits, sizeof digits, "%d", e < 0 ? -e : e);
	for (i = 0; digits[i] != '\0'; i++)
		strncat(buf, plot_superscripts[digits[i] - '0'],
		    len - strlen(buf) - 1);
}

/*
 * Writes the label of tick v into buf (len bytes, PLOT_LABELMAX is
 * enough) and returns buf: on a linear axis with as many decimals as the
 * step needs, on a log axis as a number from 0.001 to 10000 and as 10^e
 * (or 2x10^e, up to 3 digits before the x) in superscript digits beyond.
 */
char *
plot_tick_label(const struct plot_ticks *t, enum plot_scale scale,
    double v, char *buf, size_t len)
{
	int	decimals, e;

	v += 0.0;
	if (scale == PLOT_SCALE_LINEAR) {
		decimals = 7;
		if (isfinite(t->step) && t->step > 0)
			decimals = (int)-floor(log10(t->step) + PLOT_EPS);
		decimals = decimals < 0 ? 0 : decimals;
		if (decimals > 6 || fabs(v) >= 1e7)
			snprintf(buf, len, "%g", v);
		else
			snprintf(buf, len, "%.*f", decimals, v);
		return buf;
	}
	e = (int)floor(log10(v) + PLOT_EPS);
	if (e >= -3 && e <= 4) {
		snprintf(buf, len, "%g", v);
		return buf;
	}
	snprintf(buf, len, "%.3g", v / plot_decimal(1, e));
	if (strcmp(buf, "1") == 0)
		snprintf(buf, len, "10");
	else
		strncat(buf, "\u00d710", len - strlen(buf) - 1);
	plot_power(buf, len, e);
	return buf;
}

/* Checks an axis's fixed limits; name is "x" or "y". */
static int
plot_validate_axis(const struct plot_axis *a, const char *name,
    char **cause)
{
	if (!a->fixed)
		return 0;
	if (!isfinite(a->min) || !isfinite(a->max) || a->min >= a->max)
		return error_set(cause, "%s range [%g, %g] is not an interval",
		    name, a->min, a->max);
	if (a->scale == PLOT_SCALE_LOG && a->min <= 0)
		return error_set(cause, "%s range [%g, %g] must be positive "
		    "on a log scale", name, a->min, a->max);
	return 0;
}

/*
 * Checks that p can be drawn: its size, fixed limits, series styles and
 * arrays, and for bars one value a group in every series.
 */
int
plot_validate(const struct plot *p, char **cause)
{
	const struct plot_series	*s;
	int				 k;

	if (p->width < PLOT_MINSIZE || p->width > PLOT_MAXSIZE)
		return error_set(cause, "width must be between %d and %d "
		    "(got %d)", PLOT_MINSIZE, PLOT_MAXSIZE, p->width);
	if (p->height < PLOT_MINSIZE || p->height > PLOT_MAXSIZE)
		return error_set(cause, "height must be between %d and %d "
		    "(got %d)", PLOT_MINSIZE, PLOT_MAXSIZE, p->height);
	if ((p->kind == PLOT_LINES &&
	    plot_validate_axis(&p->x, "x", cause) != 0) ||
	    plot_validate_axis(&p->y, "y", cause) != 0)
		return -1;
	if (p->nseries < 0 || (p->nseries > 0 && p->series == NULL) ||
	    p->ngroups < 0)
		return error_set(cause, "the figure's series are missing");
	for (k = 0; k < p->nseries; k++) {
		s = &p->series[k];
		if ((unsigned)s->color >= PLOT_COLOR_COUNT ||
		    (unsigned)s->dash >= PLOT_DASH_COUNT ||
		    (unsigned)s->marker >= PLOT_MARKER_COUNT)
			return error_set(cause, "series %d: unknown style",
			    k + 1);
		if (p->kind == PLOT_BARS && s->n != (size_t)p->ngroups)
			return error_set(cause, "series %d: %zu values for %d "
			    "groups", k + 1, s->n, p->ngroups);
		if (s->n > 0 && (s->y == NULL ||
		    (p->kind == PLOT_LINES && s->x == NULL)))
			return error_set(cause, "series %d: no values", k + 1);
	}
	return 0;
}
