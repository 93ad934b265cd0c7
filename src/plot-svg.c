/*
 * plot-svg.c: figures as SVG 1.1 files, drawn to read well printed and on a
 * projector: sans-serif text of 14 to 20 pixels, lines 2.5 pixels wide,
 * Okabe and Ito's palette with dash patterns, markers and hatching so that
 * series differ in greyscale too, a white background, the legend beside
 * the plot where it hides no data. The document is built in memory with
 * C number formatting, whatever the locale, then written atomically.
 */
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core.h"

/* Text sizes in pixels, and the mean glyph width as a fraction of them. */
#define PLOT_SVG_TITLE		20
#define PLOT_SVG_SUBTITLE	15
#define PLOT_SVG_LABEL		16
#define PLOT_SVG_TICK		14
#define PLOT_SVG_LEGEND		15
#define PLOT_SVG_GLYPH		0.56
#define PLOT_SVG_MINFONT	10	/* long text shrinks to this */
#define PLOT_SVG_FONT \
	"DejaVu Sans, Liberation Sans, Helvetica, Arial, sans-serif"

/*
 * Lengths in pixels: margin, the gap between the frame and the data (so
 * that points at the limits show whole), tick mark, legend row and
 * swatch, marker.
 */
#define PLOT_SVG_PAD		12
#define PLOT_SVG_INSET		10
#define PLOT_SVG_TICKLEN	6
#define PLOT_SVG_ROW		24
#define PLOT_SVG_SWATCH		36
#define PLOT_SVG_MARKER		5
#define PLOT_SVG_CAP		5	/* half the width of an error bar cap */
#define PLOT_SVG_LINE		"2.5"	/* series line width */

/*
 * Pixels per tick along x at most and along y, the least gap between x
 * tick labels, and the smallest side of the frame.
 */
#define PLOT_SVG_XSPACING	60
#define PLOT_SVG_YSPACING	50
#define PLOT_SVG_LABELGAP	12
#define PLOT_SVG_MINAREA	60

/* Bars fill this fraction of a group's slot; group names slant this much. */
#define PLOT_SVG_BARFILL	0.8
#define PLOT_SVG_SLANT		30

/*
 * A legend beside the plot at most this fraction of the figure's width
 * (with legend = auto), and the text after a label whose series lies on
 * top of an earlier one, before that one's label.
 */
#define PLOT_SVG_RIGHTMAX	0.35
#define PLOT_SVG_SAME		" (same as "

/* Bytes of the first allocation of the document. */
#define PLOT_SVG_CHUNK		16384

/* The stroke-dasharray of each enum plot_dash (NULL: a solid line). */
static const char *const plot_svg_dashes[PLOT_DASH_COUNT] = {
	[PLOT_DASH_SOLID] = NULL,
	[PLOT_DASH_DASHED] = "10 6",
	[PLOT_DASH_DOTTED] = "2.5 4.5",
	[PLOT_DASH_DASHDOT] = "10 5 2.5 5"
};

/* Hatching drawn in white over the fill of bar series in turn. */
static const char *const plot_svg_hatches[] = {
	NULL,
	"M-1 1l2-2M0 10L10 0M9 11l2-2",
	"M-1 9l2 2M0 0l10 10M9-1l2 2",
	"M0 5h10",
	"M-1 1l2-2M0 10L10 0M9 11l2-2M-1 9l2 2M0 0l10 10M9-1l2 2"
};
#define PLOT_SVG_NHATCHES \
	(int)(sizeof plot_svg_hatches / sizeof plot_svg_hatches[0])

/* A document being built, and the layout of its figure. */
struct plot_svg {
	char			*buf;
	size_t			 len;
	size_t			 cap;
	int			 oom;		/* an append failed */
	const struct plot	*p;
	int			 empty;		/* nothing to draw */
	double			 fx;		/* the frame, pixels */
	double			 fy;
	double			 fw;
	double			 fh;
	double			 left;		/* the data inside it */
	double			 top;
	double			 w;
	double			 h;
	struct plot_ticks	 xt;		/* lines only */
	struct plot_ticks	 yt;
	enum plot_legend	 legend;	/* right, bottom or none */
	double			 legend_w;	/* the legend's box */
	double			 legend_h;
	double			 key_w;		/* a column of the legend */
	int			 legend_cols;
	int			 slant;		/* bars: group names slanted */
	double			 dot;		/* radius of dots */
	char			 id[16];	/* prefix of the ids */
};

/* Appends formatted text to the document; failure sets g->oom. */
static void
plot_svg_printf(struct plot_svg *g, const char *fmt, ...)
{
	va_list	 ap;
	char	*bigger;
	size_t	 cap;
	int	 n;

	if (g->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(g->buf + g->len, g->cap - g->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		g->oom = 1;
		return;
	}
	if (g->len + (size_t)n >= g->cap) {
		cap = g->cap * 2 > g->len + (size_t)n + 1 ? g->cap * 2 :
		    g->len + (size_t)n + 1;
		if ((bigger = mem_realloc(g->buf, cap)) == NULL) {
			g->oom = 1;
			return;
		}
		g->buf = bigger;
		g->cap = cap;
		va_start(ap, fmt);
		vsnprintf(g->buf + g->len, g->cap - g->len, fmt, ap);
		va_end(ap);
	}
	g->len += (size_t)n;
}

/*
 * Returns the length of the UTF-8 character at s when it is one that XML
 * allows (tab, newline and carriage return the only controls), else 0.
 */
static size_t
plot_svg_utf8(const unsigned char *s)
{
	static const unsigned long	least[] = { 0, 0, 0x80, 0x800,
					    0x10000 };
	unsigned long			c;
	size_t				n, i;

	if (*s < 0x80)
		return *s >= 0x20 || *s == '\t' || *s == '\n' || *s == '\r';
	if (*s >= 0xf0 && *s <= 0xf4)
		n = 4;
	else if (*s >= 0xe0)
		n = *s < 0xf0 ? 3 : 0;
	else
		n = *s >= 0xc0 ? 2 : 0;
	if (n == 0)
		return 0;
	c = *s & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < least[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) ||
	    c == 0xfffe || c == 0xffff)
		return 0;
	return n;
}

/*
 * Appends text as XML character data: the five markup characters as
 * entities, and U+FFFD for each byte that starts no allowed character.
 */
static void
plot_svg_escape(struct plot_svg *g, const char *text)
{
	const unsigned char	*s = (const unsigned char *)text;
	size_t			 n;

	while (*s != '\0') {
		switch (*s) {
		case '&':
			plot_svg_printf(g, "&amp;");
			break;
		case '<':
			plot_svg_printf(g, "&lt;");
			break;
		case '>':
			plot_svg_printf(g, "&gt;");
			break;
		case '"':
			plot_svg_printf(g, "&quot;");
			break;
		case '\'':
			plot_svg_printf(g, "&apos;");
			break;
		default:
			if ((n = plot_svg_utf8(s)) == 0)
				plot_svg_printf(g, "\xef\xbf\xbd");
			else
				plot_svg_printf(g, "%.*s", (int)n, s);
			s += n == 0 ? 1 : n;
			continue;
		}
		s++;
	}
}

/* Estimates the width in pixels of text set at size pixels. */
static double
plot_svg_width(const char *text, int size)
{
	const unsigned char	*s = (const unsigned char *)text;
	size_t			 chars = 0, n;

	for (; *s != '\0'; s += n == 0 ? 1 : n, chars++)
		n = plot_svg_utf8(s);
	return (double)chars * size * PLOT_SVG_GLYPH;
}

/*
 * Returns the size in pixels, at most size and at least PLOT_SVG_MINFONT,
 * at which text fits in room pixels.
 */
static int
plot_svg_fit(const char *text, int size, double room)
{
	double	w = plot_svg_width(text, size);

	if (w <= room)
		return size;
	size = (int)floor(size * room / w);
	return size < PLOT_SVG_MINFONT ? PLOT_SVG_MINFONT : size;
}

/*
 * Writes a text element at (x, y) with size in pixels, anchor "start",
 * "middle" or "end", attrs (more attributes, or "") and the text escaped.
 */
static void
plot_svg_text(struct plot_svg *g, double x, double y, int size,
    const char *anchor, const char *attrs, const char *text)
{
	plot_svg_printf(g, "<text x=\"%.2f\" y=\"%.2f\" font-size=\"%d\" "
	    "text-anchor=\"%s\"%s>", x, y, size, anchor, attrs);
	plot_svg_escape(g, text);
	plot_svg_printf(g, "</text>\n");
}

/*
 * Returns where v lies between the limits in t, as a fraction (halving
 * the linear terms keeps the widest finite range from overflowing).
 */
static double
plot_svg_frac(enum plot_scale scale, const struct plot_ticks *t, double v)
{
	if (scale == PLOT_SCALE_LOG)
		return (log10(v) - log10(t->min)) /
		    (log10(t->max) - log10(t->min));
	return (v / 2 - t->min / 2) / (t->max / 2 - t->min / 2);
}

/* Returns the pixel column of x. */
static double
plot_svg_x(const struct plot_svg *g, double x)
{
	return g->left + g->w * plot_svg_frac(g->p->x.scale, &g->xt, x);
}

/* Returns the pixel row of y. */
static double
plot_svg_y(const struct plot_svg *g, double y)
{
	return g->top + g->h * (1 - plot_svg_frac(g->p->y.scale, &g->yt, y));
}

/* Finds the pixel position of point i of s; returns 0 if it has none. */
static int
plot_svg_point(const struct plot_svg *g, const struct plot_series *s,
    size_t i, double *px, double *py)
{
	if (!plot_point_ok(g->p, s, i))
		return 0;
	*px = plot_svg_x(g, s->x[i]);
	*py = plot_svg_y(g, s->y[i]);
	return isfinite(*px) && isfinite(*py);
}

/*
 * Chooses the limits and at most maxn ticks of an axis from the data's
 * range, or a default one when there is none; whole numbers only when
 * integer is set.
 */
static void
plot_svg_axis(struct plot_svg *g, int yaxis, int integer, int maxn,
    struct plot_ticks *t)
{
	const struct plot_axis	*a = yaxis ? &g->p->y : &g->p->x;
	struct plot_axis	 axis = *a;
	double			 lo = 0, hi = 1;

	if (a->scale == PLOT_SCALE_LOG) {
		lo = 1;
		hi = 10;
	}
	plot_data_range(g->p, yaxis, &lo, &hi);
	if (integer)
		axis.integer = 1;
	plot_axis_ticks(&axis, lo, hi, maxn, t);
}

/* Returns the width of the label of tick i of t. */
static double
plot_svg_tick_width(const struct plot_ticks *t, enum plot_scale scale,
    int i)
{
	char	label[PLOT_LABELMAX];

	return plot_svg_width(plot_tick_label(t, scale, t->v[i], label,
	    sizeof label), PLOT_SVG_TICK);
}

/* Chooses the most x ticks whose labels keep PLOT_SVG_LABELGAP apart. */
static void
plot_svg_xticks(struct plot_svg *g)
{
	enum plot_scale	scale = g->p->x.scale;
	double		gap, need;
	int		maxn, i, fits = 0, whole = plot_data_integral(g->p);

	for (maxn = (int)(g->w / PLOT_SVG_XSPACING); !fits; maxn--) {
		plot_svg_axis(g, 0, whole, maxn, &g->xt);
		fits = 1;
		for (i = 1; fits && i < g->xt.n; i++) {
			gap = plot_svg_x(g, g->xt.v[i]) -
			    plot_svg_x(g, g->xt.v[i - 1]);
			need = (plot_svg_tick_width(&g->xt, scale, i - 1) +
			    plot_svg_tick_width(&g->xt, scale, i)) / 2 +
			    PLOT_SVG_LABELGAP;
			fits = gap >= need || maxn <= 3;
		}
	}
}

/*
 * Returns the first labelled series that series k lies on top of, or -1
 * when there is none.
 */
static int
plot_svg_same(const struct plot_svg *g, int k)
{
	int	j;

	for (j = 0; j < k; j++) {
		if (g->p->series[j].label != NULL &&
		    plot_series_same(g->p, j, k))
			return j;
	}
	return -1;
}

/*
 * Returns the width of the legend text of series k: its label and, when
 * it lies on top of an earlier series, which.
 */
static double
plot_svg_key_width(const struct plot_svg *g, int k)
{
	const struct plot_series	*s = g->p->series;
	double				 w;
	int				 j;

	w = plot_svg_width(s[k].label, PLOT_SVG_LEGEND);
	if ((j = plot_svg_same(g, k)) >= 0)
		w += plot_svg_width(PLOT_SVG_SAME ")", PLOT_SVG_LEGEND) +
		    plot_svg_width(s[j].label, PLOT_SVG_LEGEND);
	return w;
}

/*
 * Places the legend (options legend), sizing its box: a column of keys
 * beside the plot, or below it as many columns as fit the figure's
 * width.
 */
static void
plot_svg_legend_layout(struct plot_svg *g)
{
	const struct plot	*p = g->p;
	double			 w, widest = 0;
	int			 k, keys = 0, rows;

	for (k = 0; k < p->nseries; k++) {
		if (p->series[k].label == NULL)
			continue;
		keys++;
		w = plot_svg_key_width(g, k);
		widest = w > widest ? w : widest;
	}
	g->key_w = 3 * PLOT_SVG_PAD + PLOT_SVG_SWATCH + widest;
	g->legend = keys == 0 ? PLOT_LEGEND_NONE : p->legend;
	if (g->legend == PLOT_LEGEND_AUTO)
		g->legend = g->key_w <= PLOT_SVG_RIGHTMAX * p->width ?
		    PLOT_LEGEND_RIGHT : PLOT_LEGEND_BOTTOM;
	g->legend_cols = 1;
	if (g->legend == PLOT_LEGEND_BOTTOM) {
		g->legend_cols = (int)((p->width - 3 * PLOT_SVG_PAD) /
		    g->key_w);
		g->legend_cols = g->legend_cols < 1 ? 1 :
		    g->legend_cols > keys ? keys : g->legend_cols;
	}
	rows = (keys + g->legend_cols - 1) / g->legend_cols;
	g->legend_w = g->legend_cols * g->key_w;
	g->legend_h = rows * PLOT_SVG_ROW + PLOT_SVG_PAD;
}

/*
 * Places the data inside the frame, PLOT_SVG_INSET from its sides (bars
 * stand on the frame's bottom and fill its width).
 */
static void
plot_svg_inset(struct plot_svg *g)
{
	double	sides = g->p->kind == PLOT_LINES ? PLOT_SVG_INSET : 0;

	g->left = g->fx + sides;
	g->w = g->fw - 2 * sides;
	g->top = g->fy + PLOT_SVG_INSET;
	g->h = g->fh - PLOT_SVG_INSET - sides;
}

/* Returns the height of a title and a subtitle (each may be NULL). */
static double
plot_svg_heading_height(const char *title, const char *subtitle)
{
	double	h = 2 * PLOT_SVG_PAD;

	if (title != NULL)
		h += PLOT_SVG_TITLE * 1.5;
	if (subtitle != NULL)
		h += PLOT_SVG_SUBTITLE * 1.4;
	return h;
}

/*
 * Returns the radius of dots: two fifths of the least distance between
 * whole numbers along a linear axis, from 1 to PLOT_SVG_MARKER pixels.
 */
static double
plot_svg_dot(const struct plot_svg *g)
{
	double	r = PLOT_SVG_MARKER;

	if (g->p->x.scale == PLOT_SCALE_LINEAR)
		r = fmin(r, 0.4 * g->w / (g->xt.max - g->xt.min));
	if (g->p->y.scale == PLOT_SCALE_LINEAR)
		r = fmin(r, 0.4 * g->h / (g->yt.max - g->yt.min));
	return isfinite(r) && r > 1 ? r : 1;
}

/*
 * Lays the figure out: title above, the legend at the right or at the
 * bottom, tick labels and axis labels at the left and below (group names
 * slanted, with room for the first, when they are too wide), the frame in
 * the middle; picks the ticks to fit it.
 */
static void
plot_svg_layout(struct plot_svg *g)
{
	const struct plot	*p = g->p;
	double			 bottom, right, w, widest, lo, hi;
	int			 i;

	g->empty = !plot_data_range(p, 1, &lo, &hi);
	g->fy = plot_svg_heading_height(p->title, p->subtitle);
	bottom = PLOT_SVG_PAD + PLOT_SVG_TICKLEN + PLOT_SVG_TICK * 1.5;
	if (p->x.label != NULL)
		bottom += PLOT_SVG_LABEL * 1.8;
	plot_svg_legend_layout(g);
	if (g->legend == PLOT_LEGEND_BOTTOM)
		bottom += g->legend_h + PLOT_SVG_PAD;
	right = g->legend == PLOT_LEGEND_RIGHT ? g->legend_w +
	    3 * PLOT_SVG_PAD : 3 * PLOT_SVG_PAD;
	g->fh = fmax(p->height - g->fy - bottom, PLOT_SVG_MINAREA);
	plot_svg_axis(g, 1, 0, (int)(g->fh / PLOT_SVG_YSPACING), &g->yt);
	for (widest = 0, i = 0; i < g->yt.n; i++) {
		w = plot_svg_tick_width(&g->yt, p->y.scale, i);
		widest = w > widest ? w : widest;
	}
	g->fx = PLOT_SVG_PAD + widest + PLOT_SVG_TICKLEN + 4;
	if (p->y.label != NULL)
		g->fx += PLOT_SVG_LABEL + PLOT_SVG_PAD;
	g->fw = fmax(p->width - g->fx - right, PLOT_SVG_MINAREA);
	plot_svg_inset(g);
	if (p->kind == PLOT_LINES) {
		plot_svg_xticks(g);
		g->dot = plot_svg_dot(g);
		return;
	}
	for (widest = 0, i = 0; p->groups != NULL && i < p->ngroups; i++) {
		w = plot_svg_width(p->groups[i], PLOT_SVG_TICK);
		widest = w > widest ? w : widest;
	}
	if (p->ngroups > 0 && widest > 0.95 * g->fw / p->ngroups) {
		g->slant = 1;
		w = plot_svg_width(p->groups[0], PLOT_SVG_TICK) *
		    cos(PLOT_SVG_SLANT * M_PI / 180) - g->fw / p->ngroups / 2 +
		    PLOT_SVG_PAD - g->fx;
		if (w > 0) {
			g->fx += w;
			g->fw = fmax(g->fw - w, PLOT_SVG_MINAREA);
		}
		g->fh = fmax(g->fh - widest * sin(PLOT_SVG_SLANT * M_PI / 180),
		    PLOT_SVG_MINAREA);
		plot_svg_axis(g, 1, 0, (int)(g->fh / PLOT_SVG_YSPACING),
		    &g->yt);
		plot_svg_inset(g);
	}
}

/*
 * Writes the document's start: the root element of width by height
 * pixels, a title for viewers and the white background.
 */
static void
plot_svg_begin(struct plot_svg *g, int width, int height,
    const char *title)
{
	plot_svg_printf(g, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
	    "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
	    "font-family=\"%s\">\n", width, height, width, height,
	    PLOT_SVG_FONT);
	if (title != NULL) {
		plot_svg_printf(g, "<title>");
		plot_svg_escape(g, title);
		plot_svg_printf(g, "</title>\n");
	}
	plot_svg_printf(g, "<rect width=\"%d\" height=\"%d\" "
	    "fill=\"white\"/>\n", width, height);
}

/* Writes the clip path of the plot area and the fills of bar series. */
static void
plot_svg_defs(struct plot_svg *g)
{
	const struct plot	*p = g->p;
	const char		*hatch;
	int			 k;

	plot_svg_printf(g, "<defs>\n<clipPath id=\"%splot-area\">"
	    "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/>"
	    "</clipPath>\n", g->id, g->fx, g->fy, g->fw, g->fh);
	for (k = 0; p->kind == PLOT_BARS && k < p->nseries; k++) {
		plot_svg_printf(g, "<pattern id=\"%sbar%d\" patternUnits="
		    "\"userSpaceOnUse\" width=\"10\" height=\"10\">"
		    "<rect width=\"10\" height=\"10\" fill=\"%s\"/>", g->id,
		    k, plot_color_hex(p->series[k].color));
		if ((hatch = plot_svg_hatches[k % PLOT_SVG_NHATCHES]) != NULL)
			plot_svg_printf(g, "<path d=\"%s\" stroke=\"white\" "
			    "stroke-width=\"2\"/>", hatch);
		plot_svg_printf(g, "</pattern>\n");
	}
	plot_svg_printf(g, "</defs>\n");
}

/* Draws light grid lines at the ticks, under the data. */
static void
plot_svg_grid(struct plot_svg *g)
{
	double	v;
	int	i;

	plot_svg_printf(g, "<g stroke=\"#dddddd\" stroke-width=\"1\">\n");
	for (i = 0; i < g->yt.n; i++) {
		v = plot_svg_y(g, g->yt.v[i]);
		plot_svg_printf(g, "<path d=\"M%.2f %.2fH%.2f\"/>\n", g->fx,
		    v, g->fx + g->fw);
	}
	for (i = 0; g->p->kind == PLOT_LINES && i < g->xt.n; i++) {
		v = plot_svg_x(g, g->xt.v[i]);
		plot_svg_printf(g, "<path d=\"M%.2f %.2fV%.2f\"/>\n", v,
		    g->fy, g->fy + g->fh);
	}
	plot_svg_printf(g, "</g>\n");
}

/* Writes the attributes of a stroke in colour hex with a dash pattern. */
static void
plot_svg_stroke(struct plot_svg *g, const char *hex, enum plot_dash dash)
{
	plot_svg_printf(g, " fill=\"none\" stroke=\"%s\" stroke-width=\""
	    PLOT_SVG_LINE "\" stroke-linejoin=\"round\"", hex);
	if (plot_svg_dashes[dash] != NULL)
		plot_svg_printf(g, " stroke-dasharray=\"%s\"",
		    plot_svg_dashes[dash]);
}

/* Draws marker m centred at (x, y) in colour hex, outlined in white. */
static void
plot_svg_marker(struct plot_svg *g, enum plot_marker m, double x, double y,
    const char *hex)
{
	const double	r = PLOT_SVG_MARKER;

	switch (m) {
	case PLOT_MARKER_CIRCLE:
		plot_svg_printf(g, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%g\"",
		    x, y, r);
		break;
	case PLOT_MARKER_SQUARE:
		plot_svg_printf(g, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%g\" "
		    "height=\"%g\"", x - r * 0.9, y - r * 0.9, r * 1.8,
		    r * 1.8);
		break;
	case PLOT_MARKER_TRIANGLE:
		plot_svg_printf(g, "<path d=\"M%.2f %.2fL%.2f %.2fH%.2fZ\"",
		    x, y - r * 1.2, x + r * 1.1, y + r * 0.8, x - r * 1.1);
		break;
	case PLOT_MARKER_DIAMOND:
		plot_svg_printf(g, "<path d=\"M%.2f %.2fl%g %gl%g %gl%g %gZ\"",
		    x, y - r * 1.3, r * 1.1, r * 1.3, -r * 1.1, r * 1.3,
		    -r * 1.1, -r * 1.3);
		break;
	case PLOT_MARKER_NONE:
	case PLOT_MARKER_COUNT:
		return;
	}
	plot_svg_printf(g, " fill=\"%s\" stroke=\"white\" "
	    "stroke-width=\"1.5\"/>\n", hex);
}

/*
 * Draws an error bar from v - e to v + e at pixel column x in colour hex;
 * on a log scale an end below the axis is drawn at its bottom.
 */
static void
plot_svg_errbar(struct plot_svg *g, double x, double v, double e,
    const char *hex)
{
	enum plot_scale	scale = g->p->y.scale;
	double		lo, hi;

	if (!isfinite(e) || e <= 0 || !plot_value_ok(scale, v + e))
		return;
	hi = plot_svg_y(g, v + e);
	lo = plot_value_ok(scale, v - e) ? plot_svg_y(g, v - e) :
	    g->fy + g->fh;
	if (!isfinite(lo) || !isfinite(hi))
		return;
	plot_svg_printf(g, "<path d=\"M%.2f %.2fV%.2fM%.2f %.2fh%dM%.2f "
	    "%.2fh%d\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\"/>\n",
	    x, lo, hi, x - PLOT_SVG_CAP, lo, 2 * PLOT_SVG_CAP,
	    x - PLOT_SVG_CAP, hi, 2 * PLOT_SVG_CAP, hex);
}

/* Draws the points of a series as dots of its colour, without a line. */
static void
plot_svg_dots(struct plot_svg *g, const struct plot_series *s)
{
	double	x, y;
	size_t	i;

	plot_svg_printf(g, "<g class=\"dots\" fill=\"%s\">\n",
	    plot_color_hex(s->color));
	for (i = 0; i < s->n; i++) {
		if (plot_svg_point(g, s, i, &x, &y))
			plot_svg_printf(g, "<circle cx=\"%.2f\" cy=\"%.2f\" "
			    "r=\"%.2f\"/>\n", x, y, g->dot);
	}
	plot_svg_printf(g, "</g>\n");
}

/*
 * Draws a series of a line chart: its line, broken where a point cannot
 * be drawn, then its error bars and markers; or its dots.
 */
static void
plot_svg_line(struct plot_svg *g, const struct plot_series *s)
{
	const char	*hex = plot_color_hex(s->color);
	const char	*sep = "M";
	double		 x, y;
	size_t		 i, drawn = 0;
	int		 down = 0;

	for (i = 0; i < s->n; i++)
		drawn += plot_svg_point(g, s, i, &x, &y);
	if (drawn == 0)
		return;
	if (s->dots) {
		plot_svg_dots(g, s);
		return;
	}
	plot_svg_printf(g, "<path class=\"line\" d=\"");
	for (i = 0; i < s->n; i++) {
		if (!plot_svg_point(g, s, i, &x, &y)) {
			down = 0;
			continue;
		}
		plot_svg_printf(g, "%s%.2f %.2f", down ? "L" : sep, x, y);
		sep = " M";
		down = 1;
	}
	plot_svg_printf(g, "\"");
	plot_svg_stroke(g, hex, s->dash);
	plot_svg_printf(g, "/>\n");
	for (i = 0; s->err != NULL && i < s->n; i++) {
		if (plot_svg_point(g, s, i, &x, &y))
			plot_svg_errbar(g, x, s->y[i], s->err[i], hex);
	}
	for (i = 0; i < s->n; i++) {
		if (plot_svg_point(g, s, i, &x, &y))
			plot_svg_marker(g, s->marker, x, y, hex);
	}
}

/*
 * Draws the bars, group by group, each from 0 (the axis's bottom on a
 * log scale) to its value, with their error bars.
 */
static void
plot_svg_bars(struct plot_svg *g)
{
	const struct plot		*p = g->p;
	const struct plot_series	*s;
	double				 slot, bw, base, x, y;
	int				 j, k;

	if (p->ngroups == 0 || p->nseries == 0)
		return;
	slot = g->w / p->ngroups;
	bw = slot * PLOT_SVG_BARFILL / p->nseries;
	base = p->y.scale == PLOT_SCALE_LOG ? g->yt.min :
	    fmin(fmax(0, g->yt.min), g->yt.max);
	base = plot_svg_y(g, base);
	for (j = 0; j < p->nseries; j++) {
		s = &p->series[j];
		for (k = 0; k < p->ngroups; k++) {
			if (!plot_point_ok(p, s, (size_t)k) ||
			    !isfinite(y = plot_svg_y(g, s->y[k])))
				continue;
			x = g->left + slot * (k + (1 - PLOT_SVG_BARFILL) / 2) +
			    bw * j;
			plot_svg_printf(g, "<rect x=\"%.2f\" y=\"%.2f\" "
			    "width=\"%.2f\" height=\"%.2f\" "
			    "fill=\"url(#%sbar%d)\" stroke=\"#222222\" "
			    "stroke-width=\"1\"/>\n", x,
			    fmin(y, base), bw, fabs(y - base), g->id, j);
			if (s->err != NULL)
				plot_svg_errbar(g, x + bw / 2, s->y[k],
				    s->err[k], "#000000");
		}
	}
}

/*
 * Draws the frame of the plot area, the ticks and their labels (group
 * names under bars), and "no data" over an empty plot.
 */
static void
plot_svg_frame(struct plot_svg *g)
{
	const struct plot	*p = g->p;
	char			 label[PLOT_LABELMAX], attrs[96];
	double			 v, below = g->fy + g->fh + PLOT_SVG_TICKLEN;
	int			 i;

	plot_svg_printf(g, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
	    "height=\"%.2f\" fill=\"none\" stroke=\"#333333\" "
	    "stroke-width=\"1.5\"/>\n<g stroke=\"#333333\" "
	    "stroke-width=\"1.5\">\n", g->fx, g->fy, g->fw, g->fh);
	for (i = 0; i < g->yt.n; i++)
		plot_svg_printf(g, "<path d=\"M%.2f %.2fh%d\"/>\n", g->fx,
		    plot_svg_y(g, g->yt.v[i]), -PLOT_SVG_TICKLEN);
	for (i = 0; p->kind == PLOT_LINES && i < g->xt.n; i++)
		plot_svg_printf(g, "<path d=\"M%.2f %.2fv%d\"/>\n",
		    plot_svg_x(g, g->xt.v[i]), g->fy + g->fh,
		    PLOT_SVG_TICKLEN);
	plot_svg_printf(g, "</g>\n");
	for (i = 0; i < g->yt.n; i++)
		plot_svg_text(g, g->fx - PLOT_SVG_TICKLEN - 4,
		    plot_svg_y(g, g->yt.v[i]) + PLOT_SVG_TICK * 0.35,
		    PLOT_SVG_TICK, "end", "", plot_tick_label(&g->yt,
		    p->y.scale, g->yt.v[i], label, sizeof label));
	for (i = 0; p->kind == PLOT_LINES && i < g->xt.n; i++)
		plot_svg_text(g, plot_svg_x(g, g->xt.v[i]), below +
		    PLOT_SVG_TICK * 1.1, PLOT_SVG_TICK, "middle", "",
		    plot_tick_label(&g->xt, p->x.scale, g->xt.v[i], label,
		    sizeof label));
	for (i = 0; p->groups != NULL && i < p->ngroups; i++) {
		v = g->left + g->w * (i + 0.5) / p->ngroups;
		*attrs = '\0';
		if (g->slant)
			snprintf(attrs, sizeof attrs, " transform=\"rotate(%d "
			    "%.2f %.2f)\"", -PLOT_SVG_SLANT, v, below +
			    PLOT_SVG_TICK);
		plot_svg_text(g, v, below + PLOT_SVG_TICK * 1.1,
		    PLOT_SVG_TICK, g->slant ? "end" : "middle", attrs,
		    p->groups[i]);
	}
	if (g->empty)
		plot_svg_text(g, g->fx + g->fw / 2, g->fy + g->fh / 2,
		    PLOT_SVG_LABEL, "middle", " fill=\"#555555\"", "no data");
	if (p->kind == PLOT_BARS && p->y.scale == PLOT_SCALE_LINEAR &&
	    g->yt.min > 0 && !g->empty)
		plot_svg_printf(g, "<g class=\"axis-break\"><path d=\"M%.2f "
		    "%.2fv8\" stroke=\"white\" stroke-width=\"4\"/><path "
		    "d=\"M%.2f %.2fl12 -5M%.2f %.2fl12 -5\" stroke=\"#333333\" "
		    "stroke-width=\"1.5\"/></g>\n", g->fx, g->fy + g->fh - 14,
		    g->fx - 6, g->fy + g->fh - 10 + 2.5, g->fx - 6,
		    g->fy + g->fh - 4 + 2.5);
}

/*
 * Writes the text of the key of series k at (x, y): its label and, when
 * it lies on top of an earlier series, which (in a tspan, whose leading
 * space only xml:space keeps).
 */
static void
plot_svg_key_text(struct plot_svg *g, int k, double x, double y)
{
	const struct plot_series	*s = g->p->series;
	int				 j = plot_svg_same(g, k);

	plot_svg_printf(g, "<text x=\"%.2f\" y=\"%.2f\" font-size=\"%d\" "
	    "text-anchor=\"start\"%s>", x, y, PLOT_SVG_LEGEND, j >= 0 ?
	    " xml:space=\"preserve\"" : "");
	plot_svg_escape(g, s[k].label);
	if (j >= 0) {
		plot_svg_printf(g, "<tspan fill=\"#555555\">%s",
		    PLOT_SVG_SAME);
		plot_svg_escape(g, s[j].label);
		plot_svg_printf(g, ")</tspan>");
	}
	plot_svg_printf(g, "</text>\n");
}

/*
 * Draws the legend beside the plot, or below it in columns: a swatch and
 * each series' label.
 */
static void
plot_svg_legend(struct plot_svg *g)
{
	const struct plot		*p = g->p;
	const struct plot_series	*s;
	double				 x0, x, y, cy;
	int				 k, key = 0;

	if (g->legend == PLOT_LEGEND_NONE)
		return;
	x0 = g->fx + g->fw + 2 * PLOT_SVG_PAD;
	y = g->fy;
	if (g->legend == PLOT_LEGEND_BOTTOM) {
		x0 = (p->width - g->legend_w) / 2;
		y = p->height - PLOT_SVG_PAD - g->legend_h;
	}
	plot_svg_printf(g, "<rect class=\"legend\" x=\"%.2f\" y=\"%.2f\" "
	    "width=\"%.2f\" height=\"%.2f\" fill=\"white\" "
	    "stroke=\"#bbbbbb\"/>\n", x0, y, g->legend_w, g->legend_h);
	for (k = 0; k < p->nseries; k++) {
		s = &p->series[k];
		if (s->label == NULL)
			continue;
		x = x0 + PLOT_SVG_PAD + key % g->legend_cols * g->key_w;
		cy = y + PLOT_SVG_PAD / 2 + PLOT_SVG_ROW / 2 +
		    key / g->legend_cols * PLOT_SVG_ROW;
		key++;
		if (p->kind == PLOT_BARS)
			plot_svg_printf(g, "<rect x=\"%.2f\" y=\"%.2f\" "
			    "width=\"18\" height=\"18\" fill=\"url(#%sbar%d)\" "
			    "stroke=\"#222222\"/>\n", x + PLOT_SVG_SWATCH / 2 -
			    9, cy - 9, g->id, k);
		else if (s->dots)
			plot_svg_printf(g, "<circle cx=\"%.2f\" cy=\"%.2f\" "
			    "r=\"%d\" fill=\"%s\"/>\n", x + PLOT_SVG_SWATCH /
			    2, cy, PLOT_SVG_MARKER - 1,
			    plot_color_hex(s->color));
		else {
			plot_svg_printf(g, "<path d=\"M%.2f %.2fh%d\"", x, cy,
			    PLOT_SVG_SWATCH);
			plot_svg_stroke(g, plot_color_hex(s->color), s->dash);
			plot_svg_printf(g, "/>\n");
			plot_svg_marker(g, s->marker, x + PLOT_SVG_SWATCH / 2,
			    cy, plot_color_hex(s->color));
		}
		plot_svg_key_text(g, k, x + PLOT_SVG_SWATCH + PLOT_SVG_PAD,
		    cy + PLOT_SVG_LEGEND * 0.35);
	}
}

/*
 * Writes a title and a subtitle (each may be NULL) centred across width
 * pixels at the top, smaller where they would not fit.
 */
static void
plot_svg_heading(struct plot_svg *g, int width, const char *title,
    const char *subtitle)
{
	double	room = width - 2 * PLOT_SVG_PAD;

	if (title != NULL)
		plot_svg_text(g, width / 2.0, PLOT_SVG_PAD + PLOT_SVG_TITLE *
		    1.2, plot_svg_fit(title, PLOT_SVG_TITLE, room), "middle",
		    " font-weight=\"bold\"", title);
	if (subtitle != NULL)
		plot_svg_text(g, width / 2.0, PLOT_SVG_PAD + PLOT_SVG_TITLE *
		    (title != NULL ? 1.2 : 0) + PLOT_SVG_SUBTITLE * 1.4,
		    plot_svg_fit(subtitle, PLOT_SVG_SUBTITLE, room), "middle",
		    " fill=\"#444444\"", subtitle);
}

/*
 * Writes the title and subtitle above the figure and the axis labels,
 * the y label smaller where it is longer than the plot is high.
 */
static void
plot_svg_labels(struct plot_svg *g)
{
	const struct plot	*p = g->p;
	char			 attrs[96];
	double			 x, y;

	plot_svg_heading(g, p->width, p->title, p->subtitle);
	if (p->x.label != NULL)
		plot_svg_text(g, g->fx + g->fw / 2, p->height - PLOT_SVG_PAD -
		    (g->legend == PLOT_LEGEND_BOTTOM ? g->legend_h +
		    PLOT_SVG_PAD : 0), PLOT_SVG_LABEL, "middle", "",
		    p->x.label);
	if (p->y.label != NULL) {
		x = PLOT_SVG_PAD + PLOT_SVG_LABEL;
		y = g->fy + g->fh / 2;
		snprintf(attrs, sizeof attrs, " transform=\"rotate(-90 %.2f "
		    "%.2f)\"", x, y);
		plot_svg_text(g, x, y, plot_svg_fit(p->y.label,
		    PLOT_SVG_LABEL, g->fh + 2 * PLOT_SVG_PAD), "middle", attrs,
		    p->y.label);
	}
}

/*
 * Draws the figure p into the document of g (in the coordinates of its
 * innermost svg element), its ids prefixed with id: the layout of an
 * earlier figure is forgotten, the document kept.
 */
static void
plot_svg_figure(struct plot_svg *g, const struct plot *p, const char *id)
{
	struct plot_svg	doc = *g;
	int		k;

	memset(g, 0, sizeof *g);
	g->buf = doc.buf;
	g->len = doc.len;
	g->cap = doc.cap;
	g->oom = doc.oom;
	g->p = p;
	snprintf(g->id, sizeof g->id, "%s", id);
	plot_svg_layout(g);
	plot_svg_defs(g);
	plot_svg_grid(g);
	plot_svg_printf(g, "<g clip-path=\"url(#%splot-area)\">\n", g->id);
	if (p->kind == PLOT_BARS)
		plot_svg_bars(g);
	for (k = 0; p->kind == PLOT_LINES && k < p->nseries; k++)
		plot_svg_line(g, &p->series[k]);
	plot_svg_printf(g, "</g>\n");
	plot_svg_frame(g);
	plot_svg_legend(g);
	plot_svg_labels(g);
}

/*
 * Draws the panels of pp in a grid of pp->columns columns, each in a
 * cell as big as the largest, under the title and subtitle of the whole.
 */
static void
plot_svg_panels(struct plot_svg *g, const struct plot_panels *pp)
{
	char	id[16];
	double	top;
	int	i, w = 0, h = 0, cols, rows;

	for (i = 0; i < pp->n; i++) {
		w = pp->panels[i].width > w ? pp->panels[i].width : w;
		h = pp->panels[i].height > h ? pp->panels[i].height : h;
	}
	cols = pp->columns < pp->n ? pp->columns : pp->n;
	cols = cols < 1 ? 1 : cols;
	rows = (pp->n + cols - 1) / cols;
	top = pp->title != NULL || pp->subtitle != NULL ?
	    plot_svg_heading_height(pp->title, pp->subtitle) : 0;
	plot_svg_begin(g, cols * w, (int)ceil(top) + rows * h, pp->title);
	plot_svg_heading(g, cols * w, pp->title, pp->subtitle);
	for (i = 0; i < pp->n; i++) {
		plot_svg_printf(g, "<svg class=\"panel\" x=\"%d\" y=\"%.0f\" "
		    "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n",
		    i % cols * w, ceil(top) + i / cols * h,
		    pp->panels[i].width, pp->panels[i].height,
		    pp->panels[i].width, pp->panels[i].height);
		snprintf(id, sizeof id, "p%d-", i + 1);
		plot_svg_figure(g, &pp->panels[i], id);
		plot_svg_printf(g, "</svg>\n");
	}
}

/*
 * Writes the document of a figure (p) or of panels (pp) to path
 * atomically, built in the C locale: on failure (memory, the file) path
 * is left as it was.
 */
static int
plot_svg_save(const char *path, const struct plot *p,
    const struct plot_panels *pp, char **cause)
{
	struct plot_svg	g;
	locale_t	c, old;
	int		rc;

	memset(&g, 0, sizeof g);
	if ((c = newlocale(LC_ALL_MASK, "C", (locale_t)0)) == (locale_t)0)
		return error_set(cause, "%s: out of memory", path);
	old = uselocale(c);
	if ((g.buf = mem_alloc(PLOT_SVG_CHUNK)) == NULL)
		g.oom = 1;
	g.cap = PLOT_SVG_CHUNK;
	if (p != NULL) {
		plot_svg_begin(&g, p->width, p->height, p->title);
		plot_svg_figure(&g, p, "");
	} else
		plot_svg_panels(&g, pp);
	plot_svg_printf(&g, "</svg>");
	uselocale(old);
	freelocale(c);
	if (g.oom)
		rc = error_set(cause, "%s: out of memory", path);
	else
		rc = file_write_text(path, g.buf, cause);
	mem_free(g.buf);
	return rc;
}

/*
 * Writes the figure p to path as SVG, atomically: on failure (a figure
 * that plot_validate refuses, memory, the file) path is left as it was.
 */
int
plot_svg_write(const char *path, const struct plot *p, char **cause)
{
	if (plot_validate(p, cause) != 0)
		return -1;
	return plot_svg_save(path, p, NULL, cause);
}

/*
 * Writes the panels of pp to path as one SVG, small multiples in a grid,
 * atomically as plot_svg_write does.
 */
int
plot_svg_write_panels(const char *path, const struct plot_panels *pp,
    char **cause)
{
	int	i;

	if (pp->n < 1 || pp->panels == NULL)
		return error_set(cause, "no panels to draw");
	for (i = 0; i < pp->n; i++) {
		if (plot_validate(&pp->panels[i], cause) != 0)
			return -1;
	}
	return plot_svg_save(path, NULL, pp, cause);
}
