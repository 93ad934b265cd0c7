/*
 * test-plot.c: figures: tick selection on linear and log axes (exact
 * values), tick labels, default styles, validation, XML escaping, gaps at
 * NaN, infinite and non-positive points, empty figures, bar charts and
 * atomic writing (a failure at every allocation leaves the old file). Every
 * SVG written is checked to be well-formed XML by tests/xmlcheck.sh.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../src/snnwb.h"
#include "tap.h"

/* Points of the figure that test_atomic writes: about 70 kB of path. */
#define ATOMIC_POINTS	5000

/* The scratch directory and the names of the files written into it. */
static char tmpdir[] = "/tmp/snnwb-plot.XXXXXX";
static const char *const written[] = {
	"escape.svg", "gaps.svg", "empty.svg", "empty-bars.svg", "bars.svg",
	"atomic.svg", "broken.xml"
};

/* Returns tmpdir/name in a static buffer. */
static const char *
path_of(const char *name)
{
	static char	buf[256];

	snprintf(buf, sizeof buf, "%s/%s", tmpdir, name);
	return buf;
}

/* Counts the occurrences of needle in s. */
static int
count(const char *s, const char *needle)
{
	int	n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
}

/*
 * Runs tests/xmlcheck.sh on tmpdir/name (its messages to /dev/null when
 * quiet): 0 well-formed, 1 not, 77 when no checker is installed.
 */
static int
xmlcheck(const char *name, int quiet)
{
	const char	*srcdir = getenv("SNNWB_SRCDIR");
	char		 cmd[1024];
	int		 status;

	snprintf(cmd, sizeof cmd, "sh '%s/tests/xmlcheck.sh' '%s'%s",
	    srcdir != NULL ? srcdir : ".", path_of(name),
	    quiet ? " 2>/dev/null" : "");
	status = system(cmd);
	return status == -1 || !WIFEXITED(status) ? 1 : WEXITSTATUS(status);
}

/* Reports whether tmpdir/name is well-formed XML (skipped without one). */
static void
well_formed(const char *name)
{
	int	rc = xmlcheck(name, 0);

	if (rc == 77)
		skip(1, "no XML checker (xmllint or python3)");
	else
		ok(rc == 0, "%s is well-formed XML", name);
}

/* Checks the ticks t against want (n values) and the limits. */
static void
check_ticks(const struct plot_ticks *t, const double *want, int n,
    double min, double max, const char *what)
{
	int	i, same = t->n == n && t->min == min && t->max == max;

	for (i = 0; same && i < n; i++)
		same = t->v[i] == want[i];
	if (ok(same, "ticks: %s", what))
		return;
	diag("got %d ticks over [%.17g, %.17g]:", t->n, t->min, t->max);
	for (i = 0; i < t->n; i++)
		diag("  %.17g", t->v[i]);
}

/*
 * Ticks of an axis of scale over lo..hi (fixed limits when fixed, whole
 * numbers only when integer).
 */
static void
axis_ticks(enum plot_scale scale, int fixed, int integer, double lo,
    double hi, int maxn, struct plot_ticks *t)
{
	struct plot_axis	a;

	memset(&a, 0, sizeof a);
	a.scale = scale;
	a.fixed = fixed;
	a.integer = integer;
	a.min = lo;
	a.max = hi;
	plot_axis_ticks(&a, lo, hi, maxn, t);
}

/* Ticks of a linear or log axis (fixed limits when fixed). */
static void
ticks(enum plot_scale scale, int fixed, double lo, double hi, int maxn,
    struct plot_ticks *t)
{
	axis_ticks(scale, fixed, 0, lo, hi, maxn, t);
}

/* Ticks of a linear axis of whole numbers. */
static void
integer_ticks(int fixed, double lo, double hi, int maxn,
    struct plot_ticks *t)
{
	axis_ticks(PLOT_SCALE_LINEAR, fixed, 1, lo, hi, maxn, t);
}

/* Exact ticks for a few linear and log ranges. */
static void
test_ticks(void)
{
	static const double	w01[] = { 0, 0.2, 0.4, 0.6, 0.8, 1 };
	static const double	w33[] = { -3, -2, -1, 0, 1, 2, 3 };
	static const double	w103[] = { -50, 0, 50, 100, 150 };
	static const double	w1000[] = { 900, 950, 1000, 1050, 1100 };
	static const double	w37[] = { 0.4, 0.6 };
	static const double	wsmall[] = { 0, 5e-6, 1e-5, 1.5e-5, 2e-5,
				    2.5e-5, 3e-5 };
	static const double	wlog3[] = { 1, 10, 100, 1000 };
	static const double	wlog70[] = { 0.01, 0.1, 1, 10 };
	static const double	wlog28[] = { 2, 5 };
	static const double	walpha[] = { 0.5, 1, 2, 5, 10 };
	static const double	wlog5[] = { 5, 10 };
	static const double	wepoch[] = { 1, 2, 3, 4 };
	static const double	wepoch1[] = { 0, 1, 2 };
	static const double	wlog6[] = { 1e-6, 1e-4, 0.01, 1, 100, 1e4,
				    1e6 };
	static const double	wlog20[] = { 0.5, 1, 2, 5, 10, 20 };
	struct plot_ticks	t;

	ticks(PLOT_SCALE_LINEAR, 0, 0, 1, 8, &t);
	check_ticks(&t, w01, 6, 0, 1, "[0, 1] by 0.2");
	ticks(PLOT_SCALE_LINEAR, 1, -3, 3, 8, &t);
	check_ticks(&t, w33, 7, -3, 3, "fixed [-3, 3] by 1");
	ticks(PLOT_SCALE_LINEAR, 0, 0.13, 0.87, 8, &t);
	check_ticks(&t, w01, 6, 0, 1, "[0.13, 0.87] widens to [0, 1]");
	ticks(PLOT_SCALE_LINEAR, 0, -7, 103, 6, &t);
	check_ticks(&t, w103, 5, -50, 150, "[-7, 103], at most 6: by 50");
	ticks(PLOT_SCALE_LINEAR, 0, 1000, 1000, 8, &t);
	check_ticks(&t, w1000, 5, 900, 1100, "a single value 1000");
	ticks(PLOT_SCALE_LINEAR, 1, 0.3, 0.7, 4, &t);
	check_ticks(&t, w37, 2, 0.3, 0.7, "fixed [0.3, 0.7]: inside only");
	ticks(PLOT_SCALE_LINEAR, 0, 0, 3e-5, 8, &t);
	check_ticks(&t, wsmall, 7, 0, 3e-5, "[0, 3e-5] by 5e-6");
	ticks(PLOT_SCALE_LOG, 0, 1, 1000, 8, &t);
	check_ticks(&t, wlog3, 4, 1, 1000, "log [1, 1000]: decades");
	ticks(PLOT_SCALE_LOG, 0, 0.003, 70, 8, &t);
	check_ticks(&t, wlog70, 4, 0.003, 70,
	    "log [0.003, 70] keeps its range, not whole decades");
	ticks(PLOT_SCALE_LOG, 0, 2, 8, 8, &t);
	check_ticks(&t, wlog28, 2, 2, 8, "log [2, 8]: 2, 5");
	ticks(PLOT_SCALE_LOG, 0, 0.25, 16, 8, &t);
	check_ticks(&t, walpha, 5, 0.25, 16,
	    "log [0.25, 16] (alphas): 0.5 to 10 at 1-2-5");
	ticks(PLOT_SCALE_LOG, 0, 5, 5, 8, &t);
	check_ticks(&t, wlog5, 2, 2.5, 10, "log: a single value 5 spans "
	    "[2.5, 10]");
	integer_ticks(0, 1, 4, 10, &t);
	check_ticks(&t, wepoch, 4, 1, 4, "integer [1, 4]: by 1, not 0.5");
	integer_ticks(1, -0.5, 2.5, 10, &t);
	check_ticks(&t, wepoch1, 3, -0.5, 2.5,
	    "integer fixed [-0.5, 2.5]: 0, 1, 2");
	ticks(PLOT_SCALE_LOG, 0, 1e-6, 1e6, 8, &t);
	check_ticks(&t, wlog6, 7, 1e-6, 1e6, "log [1e-6, 1e6]: every 2");
	ticks(PLOT_SCALE_LOG, 1, 0.5, 20, 8, &t);
	check_ticks(&t, wlog20, 6, 0.5, 20, "fixed log [0.5, 20]: 1-2-5");
	ticks(PLOT_SCALE_LINEAR, 1, -0.5, 2, 4, &t);
	ok(t.n == 3 && t.v[0] == 0 && !signbit(t.v[0]),
	    "ticks: fixed [-0.5, 2] starts at +0, not -0");
	ticks(PLOT_SCALE_LINEAR, 0, -1e308, 1e308, 8, &t);
	ok(t.n == 2 && t.min == -1e308 && t.max == 1e308,
	    "ticks: a range that overflows keeps its ends");
	ticks(PLOT_SCALE_LINEAR, 0, 0, 1.7e308, 8, &t);
	ok(t.n == 2 && t.max == 1.7e308, "ticks: nice limits that would "
	    "overflow give way to the ends");
	ticks(PLOT_SCALE_LOG, 0, 1e-320, 1e308, 8, &t);
	ok(t.n >= 2 && t.min == 1e-320 && t.max == 1e308 && t.v[0] > 0 &&
	    t.v[t.n - 1] <= 1e308, "ticks: decades reaching beyond the "
	    "normal doubles are positive and inside");
}

/*
 * Ticks of random ranges, linear and log, auto and fixed, at most 1 to
 * PLOT_MAXTICKS + 3 of them asked: at least two, never more than asked
 * (or 5), increasing, inside the limits, which enclose the range.
 */
static void
test_ticks_random(void)
{
	struct plot_ticks	t;
	struct rng		r;
	double			lo, hi, worst = 0;
	int			i, j, maxn, bad = 0, log, fixed;

	rng_seed(&r, 7);
	for (i = 0; i < 20000 && !bad; i++) {
		log = i % 2;
		fixed = i / 2 % 2;
		maxn = 1 + (int)rng_below(&r, PLOT_MAXTICKS + 4);
		lo = pow(10, rng_uniform(&r) * 40 - 20);
		hi = lo * (1 + pow(10, rng_uniform(&r) * 12 - 6));
		if (!log && rng_below(&r, 2))
			lo = -lo * rng_uniform(&r) * 3;
		ticks(log ? PLOT_SCALE_LOG : PLOT_SCALE_LINEAR, fixed, lo, hi,
		    maxn, &t);
		bad = t.n < 2 || t.n > (maxn < 5 ? 5 : maxn) ||
		    t.min > lo || t.max < hi || !(t.min < t.max);
		for (j = 0; !bad && j < t.n; j++)
			bad = (j > 0 && t.v[j] <= t.v[j - 1]) ||
			    t.v[j] < t.min * (t.min < 0 ? 1 + 1e-9 : 1 - 1e-9) ||
			    t.v[j] > t.max * (t.max < 0 ? 1 - 1e-9 : 1 + 1e-9);
		worst = t.n > worst ? t.n : worst;
	}
	if (!ok(!bad, "ticks of 20000 random ranges are sound (at most %g)",
	    worst))
		diag("%s %s [%.17g, %.17g] maxn %d: %d ticks over [%.17g, "
		    "%.17g]", log ? "log" : "linear", fixed ? "fixed" : "auto",
		    lo, hi, maxn, t.n, t.min, t.max);
}

/* Checks one tick label. */
static void
check_label(enum plot_scale scale, double step, double v, const char *want)
{
	struct plot_ticks	t;
	char			buf[PLOT_LABELMAX];

	t.step = step;
	plot_tick_label(&t, scale, v, buf, sizeof buf);
	if (!ok(strcmp(buf, want) == 0, "label of %g: %s", v, want))
		diag("got '%s'", buf);
}

/* Tick labels: decimals from the step, powers of ten in superscript. */
static void
test_labels(void)
{
	check_label(PLOT_SCALE_LINEAR, 0.2, 0.6, "0.6");
	check_label(PLOT_SCALE_LINEAR, 1, -3, "-3");
	check_label(PLOT_SCALE_LINEAR, 0.05, -0.0, "0.00");
	check_label(PLOT_SCALE_LINEAR, 5e-6, 1.5e-5, "0.000015");
	check_label(PLOT_SCALE_LINEAR, 20000, 40000, "40000");
	check_label(PLOT_SCALE_LINEAR, 1e7, 2e7, "2e+07");
	check_label(PLOT_SCALE_LOG, 0, 0.001, "0.001");
	check_label(PLOT_SCALE_LOG, 0, 50000, "50000");
	check_label(PLOT_SCALE_LOG, 0, 1e-6, "10\u207b\u2076");
	check_label(PLOT_SCALE_LOG, 0, 1e12, "10\u00b9\u00b2");
	check_label(PLOT_SCALE_LOG, 0, 2e-5, "2\u00d710\u207b\u2075");
	check_label(PLOT_SCALE_LOG, 0, 1.25e-13, "1.25\u00d710\u207b\u00b9\u00b3");
}

/* Default styles, name tables and validation messages. */
static void
test_model(void)
{
	struct plot		p;
	struct plot_series	s[2];
	static const double	y[2] = { 1, 2 };
	char			*cause = NULL;

	memset(s, 0, sizeof s);
	s[0].n = 10;
	s[1].n = 100;
	plot_series_defaults(&s[0], 0);
	plot_series_defaults(&s[1], 1);
	ok(s[0].color == PLOT_COLOR_BLUE && s[0].dash == PLOT_DASH_SOLID &&
	    s[0].marker == PLOT_MARKER_CIRCLE, "series 1: blue, solid, "
	    "circles");
	ok(s[1].color == PLOT_COLOR_VERMILLION &&
	    s[1].dash == PLOT_DASH_DASHED && s[1].marker == PLOT_MARKER_NONE,
	    "series 2: vermillion, dashed, no markers past %d points",
	    PLOT_MARKER_MAXPOINTS);
	ok(strcmp(plot_color_name(PLOT_COLOR_BLACK), "black") == 0 &&
	    strcmp(plot_color_hex(PLOT_COLOR_BLUE), "#0072B2") == 0 &&
	    plot_color_name(PLOT_COLOR_COUNT) == NULL &&
	    strcmp(plot_dash_name(PLOT_DASH_DOTTED), "dotted") == 0 &&
	    plot_marker_name(-1) == NULL, "name tables");

	plot_init(&p, PLOT_BARS);
	s[0].n = 2;
	s[0].y = y;
	p.series = s;
	p.nseries = 1;
	p.ngroups = 3;
	ok(plot_validate(&p, &cause) == -1 && cause != NULL &&
	    strcmp(cause, "series 1: 2 values for 3 groups") == 0,
	    "bars: a series of the wrong length is refused");
	free(cause);
	cause = NULL;
	p.ngroups = 2;
	p.y.scale = PLOT_SCALE_LOG;
	p.y.fixed = 1;
	p.y.min = 0;
	p.y.max = 10;
	ok(plot_validate(&p, &cause) == -1 && cause != NULL &&
	    strstr(cause, "y range [0, 10] must be positive") != NULL,
	    "a log axis from 0 is refused");
	free(cause);
	cause = NULL;
	p.y.scale = PLOT_SCALE_LINEAR;
	p.width = 10;
	ok(plot_validate(&p, &cause) == -1 && cause != NULL &&
	    strcmp(cause, "width must be between 200 and 10000 (got 10)") == 0,
	    "a width of 10 is refused");
	free(cause);
	p.width = PLOT_WIDTH;
	ok(plot_validate(&p, NULL) == 0, "a good bar chart passes");
}

/* Writes p to tmpdir/name; returns the file's contents (free them). */
static char *
write_fig(const char *name, const struct plot *p)
{
	char	*cause = NULL;

	if (!ok(plot_svg_write(path_of(name), p, &cause) == 0, "write %s",
	    name)) {
		diag("%s", cause != NULL ? cause : "no message");
		free(cause);
		return NULL;
	}
	return (char *)tap_read_file(path_of(name), NULL);
}

/* Markup in text becomes entities; bad bytes and controls U+FFFD. */
static void
test_escape(void)
{
	static const double	x[2] = { 0, 1 }, y[2] = { 0, 1 };
	struct plot		p;
	struct plot_series	s;
	char			*svg;

	plot_init(&p, PLOT_LINES);
	memset(&s, 0, sizeof s);
	s.n = 2;
	s.x = x;
	s.y = y;
	s.label = "caf\xc3\xa9 \x01 \xff \xed\xa0\x80 end";
	p.title = "a & <b> \"c\" 'd'";
	p.x.label = "]]> x";
	p.series = &s;
	p.nseries = 1;
	if ((svg = write_fig("escape.svg", &p)) == NULL) {
		skip(4, "no figure");
		return;
	}
	ok(count(svg, "a &amp; &lt;b&gt; &quot;c&quot; &apos;d&apos;") == 2,
	    "title escaped in <title> and in the text");
	ok(strstr(svg, "caf\xc3\xa9 \xef\xbf\xbd \xef\xbf\xbd "
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd end") != NULL,
	    "UTF-8 kept; a control, a stray byte and a surrogate replaced");
	ok(strstr(svg, "]]&gt; x") != NULL, "]]> escaped");
	free(svg);
	well_formed("escape.svg");
}

/* Returns the number of subpaths and of segments of the first line. */
static void
line_shape(const char *svg, int *moves, int *segments)
{
	const char	*d = strstr(svg, "class=\"line\" d=\"");
	const char	*end;

	*moves = *segments = -1;
	if (d == NULL || (end = strchr(d + 16, '"')) == NULL)
		return;
	*moves = *segments = 0;
	for (d += 16; d < end; d++) {
		*moves += *d == 'M';
		*segments += *d == 'L';
	}
}

/* NaN, inf and non-positive points on a log axis break the line. */
static void
test_gaps(void)
{
	static const double	x[7] = { 1, 2, 3, 4, 5, 6, 7 };
	static const double	y[7] = { 1, 2, NAN, 4, 5, INFINITY, 7 };
	static const double	ylog[4] = { 1, -1, 2, 3 };
	static const double	huge[2] = { -1e308, 1.7e308 };
	struct plot		p;
	struct plot_series	s;
	char			*svg;
	int			 moves, segments;

	plot_init(&p, PLOT_LINES);
	memset(&s, 0, sizeof s);
	s.n = 7;
	s.x = x;
	s.y = y;
	p.series = &s;
	p.nseries = 1;
	if ((svg = write_fig("gaps.svg", &p)) == NULL) {
		skip(3, "no figure");
		return;
	}
	line_shape(svg, &moves, &segments);
	ok(moves == 3 && segments == 2, "1 2 NaN 4 5 inf 7: three pieces, "
	    "two segments (got %d, %d)", moves, segments);
	ok(strstr(svg, "nan") == NULL && strstr(svg, "inf") == NULL,
	    "no nan or inf in the file");
	free(svg);
	s.n = 2;
	s.y = huge;
	if ((svg = write_fig("gaps.svg", &p)) != NULL)
		ok(strstr(svg, "nan") == NULL && strstr(svg, "inf") == NULL,
		    "values of -1e308 and 1.7e308: no nan or inf either");
	free(svg);
	p.y.scale = PLOT_SCALE_LOG;
	s.n = 4;
	s.y = ylog;
	if ((svg = write_fig("gaps.svg", &p)) == NULL)
		return;
	line_shape(svg, &moves, &segments);
	ok(moves == 2 && segments == 1, "log y 1 -1 2 3: a gap at -1 "
	    "(got %d, %d)", moves, segments);
	free(svg);
	well_formed("gaps.svg");
}

/* Figures without data say so instead of failing. */
static void
test_empty(void)
{
	static const double	nan2[2] = { NAN, NAN };
	static const char *const groups[2] = { "a", "b" };
	struct plot		p;
	struct plot_series	s;
	char			*svg;

	plot_init(&p, PLOT_LINES);
	p.title = "nothing";
	if ((svg = write_fig("empty.svg", &p)) != NULL)
		ok(strstr(svg, ">no data</text>") != NULL,
		    "no series: \"no data\"");
	free(svg);
	well_formed("empty.svg");
	plot_init(&p, PLOT_BARS);
	memset(&s, 0, sizeof s);
	s.n = 2;
	s.y = nan2;
	s.label = "all NaN";
	p.series = &s;
	p.nseries = 1;
	p.ngroups = 2;
	p.groups = groups;
	if ((svg = write_fig("empty-bars.svg", &p)) != NULL)
		ok(strstr(svg, ">no data</text>") != NULL &&
		    strstr(svg, "all NaN") != NULL,
		    "bars all NaN: \"no data\", legend kept");
	free(svg);
	well_formed("empty-bars.svg");
}

/* A grouped bar chart with error bars, log scale and slanted names. */
static void
test_bars(void)
{
	static const double	v1[3] = { 0.91, 0.95, 0.97 };
	static const double	v2[3] = { 0.89, -0.2, 0.96 };
	static const double	e1[3] = { 0.01, 0.02, NAN };
	static const char *const groups[3] = { "a rather long group name",
				    "another long group name", "short" };
	struct plot		p;
	struct plot_series	s[2];
	char			*svg;

	plot_init(&p, PLOT_BARS);
	memset(s, 0, sizeof s);
	s[0].n = s[1].n = 3;
	s[0].y = v1;
	s[0].err = e1;
	s[1].y = v2;
	s[0].label = "sigmoid";
	s[1].label = "atan";
	plot_series_defaults(&s[0], 0);
	plot_series_defaults(&s[1], 1);
	p.series = s;
	p.nseries = 2;
	p.ngroups = 3;
	p.groups = groups;
	p.width = 400;
	p.y.label = "accuracy";
	if ((svg = write_fig("bars.svg", &p)) != NULL) {
		ok(count(svg, "fill=\"url(#bar") == 8,
		    "6 bars and 2 legend swatches");
		ok(strstr(svg, "id=\"bar1\"") != NULL &&
		    strstr(svg, "transform=\"rotate(-30") != NULL,
		    "hatched fills; long names slanted");
		ok(count(svg, "stroke-width=\"1.8\"") == 2,
		    "two error bars (NaN has none)");
	}
	free(svg);
	p.y.scale = PLOT_SCALE_LOG;
	if ((svg = write_fig("bars.svg", &p)) != NULL)
		ok(count(svg, "fill=\"url(#bar") == 7,
		    "log scale: the negative bar is left out");
	free(svg);
	well_formed("bars.svg");
}

/*
 * Atomic writing: a failed write (every allocation in turn, with a figure
 * big enough to grow the document a few times; a missing directory; a
 * directory in the way) leaves the old file and no temporary.
 */
static void
test_atomic(void)
{
	static double		x[ATOMIC_POINTS], y[ATOMIC_POINTS];
	struct plot		p;
	struct plot_series	s;
	struct stat		st;
	char			*before, *after, *cause, tmp[320], dir[300];
	int			 n, failures = 0, kept = 1;

	for (n = 0; n < ATOMIC_POINTS; n++) {
		x[n] = n;
		y[n] = sin(n / 100.0);
	}
	plot_init(&p, PLOT_LINES);
	memset(&s, 0, sizeof s);
	s.n = ATOMIC_POINTS;
	s.x = x;
	s.y = y;
	p.series = &s;
	p.nseries = 1;
	p.title = "old";
	if ((before = write_fig("atomic.svg", &p)) == NULL)
		return;
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path_of("atomic.svg"),
	    (long)getpid());
	p.title = "new";
	for (n = 0;; n++) {
		cause = NULL;
		mem_fail_after(n);
		if (plot_svg_write(path_of("atomic.svg"), &p, &cause) == 0)
			break;
		failures++;
		after = (char *)tap_read_file(path_of("atomic.svg"), NULL);
		kept = kept && after != NULL && strcmp(after, before) == 0 &&
		    cause != NULL && strstr(cause, "out of memory") != NULL &&
		    stat(tmp, &st) != 0;
		free(after);
		free(cause);
	}
	mem_fail_after(-1);
	ok(failures > 0 && kept, "%d allocation failures: old file kept, "
	    "no temporary", failures);
	after = (char *)tap_read_file(path_of("atomic.svg"), NULL);
	ok(after != NULL && strstr(after, ">new</text>") != NULL,
	    "then the write succeeds");
	free(after);
	free(before);
	well_formed("atomic.svg");

	cause = NULL;
	ok(plot_svg_write(path_of("missing/f.svg"), &p, &cause) == -1 &&
	    cause != NULL && strstr(cause, "missing/f.svg") != NULL,
	    "a missing directory: an error naming the file");
	free(cause);
	snprintf(dir, sizeof dir, "%s", path_of("dir.svg"));
	mkdir(dir, 0777);
	cause = NULL;
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", dir, (long)getpid());
	ok(plot_svg_write(dir, &p, &cause) == -1 && stat(tmp, &st) != 0 &&
	    stat(dir, &st) == 0 && S_ISDIR(st.st_mode),
	    "a directory in the way: error, no temporary left");
	free(cause);
	rmdir(dir);
}

/* The checker itself fails on a file that is not well-formed. */
static void
test_checker(void)
{
	FILE	*f;
	int	 rc;

	if ((f = fopen(path_of("broken.xml"), "w")) != NULL) {
		fputs("<svg><g></svg>\n", f);
		fclose(f);
	}
	rc = xmlcheck("broken.xml", 1);
	if (rc == 77)
		skip(1, "no XML checker (xmllint or python3)");
	else
		ok(rc == 1, "the checker refuses broken XML");
}

/* Runs every test in a scratch directory that it removes afterwards. */
int
main(void)
{
	size_t	i;

	if (mkdtemp(tmpdir) == NULL)
		skip_all("cannot create %s", tmpdir);
	test_ticks();
	test_ticks_random();
	test_labels();
	test_model();
	test_escape();
	test_gaps();
	test_empty();
	test_bars();
	test_atomic();
	test_checker();
	for (i = 0; i < sizeof written / sizeof written[0]; i++)
		unlink(path_of(written[i]));
	rmdir(tmpdir);
	return done_testing();
}
