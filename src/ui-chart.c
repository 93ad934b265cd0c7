/*
 * ui-chart.c: a chart of one or more lines in a region of the screen: a
 * title row with a legend, y axis labels on the left, an x axis row when
 * there is room. On a UTF-8 terminal each cell holds a 2x4 block of
 * Braille dots (U+2800 plus one bit a dot), elsewhere one ASCII mark. Both
 * axes scale to the data: x stretches the points over the width (a bucket
 * of points averages to one dot column when there are more), y spans the
 * finite values, in decades on a log scale. A chart of horizontal bars
 * (ui_chart_bars) draws one labelled row an item, in eighths of a cell
 * on a UTF-8 terminal.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "ui.h"

/* The Braille bit of the dot in column dx (0, 1) and row dy (0..3). */
static const unsigned char ui_chart_dots[2][4] = {
	{ 0x01, 0x02, 0x04, 0x40 },
	{ 0x08, 0x10, 0x20, 0x80 }
};

/* The ASCII mark of each line, in order. */
static const char ui_chart_marks[] = "*+ox#";

/* A plot area being filled with dots. */
struct ui_chart_canvas {
	unsigned char	*bits;		/* (rows, cols) dots per cell */
	signed char	*line;		/* (rows, cols) last line in a cell */
	int		 rows;
	int		 cols;
	int		 xdots;		/* dots across */
	int		 ydots;		/* dots down */
	int		 braille;
};

/* The y range, transformed (log10 on a log scale). */
struct ui_chart_range {
	double	lo;
	double	hi;
	int	log;
};

/* Returns v as the y axis places it, NaN when it cannot be shown. */
static double
ui_chart_y(const struct ui_chart_range *yr, double v)
{
	if (!isfinite(v) || (yr->log && v <= 0))
		return NAN;
	return yr->log ? log10(v) : v;
}

/*
 * Returns line l's y (as ui_chart_y places it) at dot column i of xdots:
 * the mean of the points' y in the column when there are more points than
 * columns, else the linear interpolation between the two nearest; NaN
 * where there is nothing to show. Either way it lies in the range of the
 * points' y, so a log chart's zeros never reach below its axis.
 */
static double
ui_chart_sample(const struct ui_chart_range *yr,
    const struct ui_chart_line *l, int i, int xdots)
{
	double	p, y, frac, sum = 0;
	size_t	a, b, j, k = 0;

	if (l->n == 1 || xdots == 1)
		return ui_chart_y(yr, l->v[l->n - 1]);
	if (l->n >= (size_t)xdots) {
		a = (size_t)i * l->n / (size_t)xdots;
		b = (size_t)(i + 1) * l->n / (size_t)xdots;
		for (j = a; j < b; j++) {
			if (!isnan(y = ui_chart_y(yr, l->v[j]))) {
				sum += y;
				k++;
			}
		}
		return k > 0 ? sum / (double)k : NAN;
	}
	p = (double)i * (double)(l->n - 1) / (double)(xdots - 1);
	j = (size_t)p;
	frac = p - (double)j;
	y = ui_chart_y(yr, l->v[j]);
	if (j + 1 >= l->n)
		return y;
	return y + frac * (ui_chart_y(yr, l->v[j + 1]) - y);
}

/* Finds the y range of the chart's finite values; returns 0 if none. */
static int
ui_chart_range(const struct ui_chart *c, struct ui_chart_range *yr)
{
	double	y, pad;
	size_t	j;
	int	i, any = 0;

	yr->log = c->log;
	yr->lo = INFINITY;
	yr->hi = -INFINITY;
	for (i = 0; i < c->nlines; i++) {
		for (j = 0; j < c->lines[i].n; j++) {
			y = ui_chart_y(yr, c->lines[i].v[j]);
			if (isnan(y))
				continue;
			any = 1;
			yr->lo = fmin(yr->lo, y);
			yr->hi = fmax(yr->hi, y);
		}
	}
	if (!any)
		return 0;
	if (yr->hi - yr->lo < 1e-12) {
		pad = yr->log ? 0.5 : fmax(fabs(yr->hi) * 0.1, 0.05);
		yr->lo -= pad;
		yr->hi += pad;
	}
	return 1;
}

/* Sets the dot at (dx, dy) to line li. */
static void
ui_chart_dot(struct ui_chart_canvas *cv, int dx, int dy, int li)
{
	int	cell;

	if (cv->braille) {
		cell = (dy / 4) * cv->cols + dx / 2;
		cv->bits[cell] |= ui_chart_dots[dx % 2][dy % 4];
	} else {
		cell = dy * cv->cols + dx;
		cv->bits[cell] = 1;
	}
	cv->line[cell] = (signed char)li;
}

/*
 * Plots line li column by column, joining each dot to the one before it
 * with a vertical run so that steep stretches stay connected.
 */
static void
ui_chart_plot(struct ui_chart_canvas *cv, const struct ui_chart_range *yr,
    const struct ui_chart_line *l, int li)
{
	double	y;
	int	i, row, prev = -1, a, b;

	if (l->n == 0)
		return;
	for (i = 0; i < cv->xdots; i++) {
		y = ui_chart_sample(yr, l, i, cv->xdots);
		if (isnan(y)) {
			prev = -1;
			continue;
		}
		row = cv->ydots - 1 - (int)lround((y - yr->lo) /
		    (yr->hi - yr->lo) * (cv->ydots - 1));
		a = prev < 0 || row < prev ? row : prev;
		b = prev < 0 || row > prev ? row : prev;
		for (; a <= b; a++)
			ui_chart_dot(cv, i, a, li);
		prev = row;
	}
}

/* Formats the axis value of transformed y into buf. */
static void
ui_chart_label(const struct ui_chart_range *yr, double y, char *buf,
    size_t len)
{
	snprintf(buf, len, "%.3g", yr->log ? pow(10, y) : y);
}

/* Draws title and the legend of the n lines on the first row of r. */
static void
ui_chart_title(const char *title, const struct ui_chart_line *lines, int n,
    struct ui_rect r)
{
	int	i, skip = 0, room = r.w;

	move(r.y, r.x);
	ui_screen_style(UI_STYLE_TITLE);
	ui_text_put(title, strlen(title), &skip, &room);
	for (i = 0; i < n && room > 0; i++) {
		ui_screen_style(UI_STYLE_NORMAL);
		ui_text_put("  ", 2, &skip, &room);
		ui_screen_style(lines[i].style);
		if (ui_screen_utf8())
			ui_text_put("\u2501", strlen("\u2501"), &skip, &room);
		else
			ui_text_put(&ui_chart_marks[i % 5], 1, &skip, &room);
		ui_screen_style(UI_STYLE_NORMAL);
		ui_text_put(" ", 1, &skip, &room);
		ui_text_put(lines[i].label, strlen(lines[i].label), &skip,
		    &room);
	}
	ui_screen_style(UI_STYLE_NORMAL);
}

/* Draws the filled canvas with its top left cell at (y, x). */
static void
ui_chart_paint(const struct ui_chart *c, const struct ui_chart_canvas *cv,
    int y, int x)
{
	wchar_t	wc;
	int	row, col, cell, li;

	for (row = 0; row < cv->rows; row++) {
		for (col = 0; col < cv->cols; col++) {
			cell = row * cv->cols + col;
			if (cv->bits[cell] == 0)
				continue;
			li = cv->line[cell];
			wc = cv->braille ? (wchar_t)(0x2800 + cv->bits[cell]) :
			    (wchar_t)ui_chart_marks[li % 5];
			ui_screen_cell(y + row, x + col, wc,
			    c->lines[li].style);
		}
	}
}

/* Draws the y labels at the top, bottom and, when tall, middle rows. */
static void
ui_chart_yaxis(const struct ui_chart_range *yr, int y, int x, int rows,
    int width)
{
	char	buf[3][32];
	int	i, at[3];

	at[0] = y;
	at[1] = y + rows - 1;
	at[2] = y + (rows - 1) / 2;
	ui_chart_label(yr, yr->hi, buf[0], sizeof buf[0]);
	ui_chart_label(yr, yr->lo, buf[1], sizeof buf[1]);
	ui_chart_label(yr, (yr->lo + yr->hi) / 2, buf[2], sizeof buf[2]);
	ui_screen_style(UI_STYLE_AXIS);
	for (i = 0; i < (rows >= 7 ? 3 : 2); i++)
		ui_text_at(at[i], x + width - (int)strlen(buf[i]), width,
		    buf[i]);
	ui_screen_style(UI_STYLE_NORMAL);
}

/*
 * Draws "1" under the left end of the plot and the count at the right, or
 * the chart's own labels of the ends when it has them.
 */
static void
ui_chart_xaxis(const struct ui_chart *c, int y, int x, int width)
{
	char	buf[64];
	int	len;

	if (c->xfrom != NULL)
		len = snprintf(buf, sizeof buf, "%s", c->xto);
	else
		len = snprintf(buf, sizeof buf, "%zu %s", c->xcount, c->xunit);
	ui_screen_style(UI_STYLE_AXIS);
	ui_text_at(y, x, width, c->xfrom != NULL ? c->xfrom : "1");
	if (len + 2 <= width)
		ui_text_at(y, x + width - len, len, buf);
	ui_screen_style(UI_STYLE_NORMAL);
}

/*
 * Writes the chart's empty message in the middle of region r, broken at
 * spaces into as many centred rows as it needs and r has.
 */
static void
ui_chart_empty(const char *msg, struct ui_rect r)
{
	const char	*row[8];
	size_t		 len[8], n, fit;
	int		 i, k, w, skip, room;

	for (k = 0; k < 8 && k < r.h && *msg != '\0'; k++) {
		n = strlen(msg);
		fit = ui_text_fit(msg, n, r.w);
		if (fit < n && k + 1 < r.h) {
			while (fit > 0 && msg[fit] != ' ')
				fit--;
			if (fit == 0)
				fit = ui_text_fit(msg, n, r.w);
		}
		row[k] = msg;
		len[k] = fit;
		msg += fit;
		while (*msg == ' ')
			msg++;
	}
	ui_screen_style(UI_STYLE_AXIS);
	for (i = 0; i < k; i++) {
		w = ui_text_width(row[i], len[i]);
		move(r.y + (r.h - k) / 2 + i, r.x + (w < r.w ? (r.w - w) / 2 :
		    0));
		skip = 0;
		room = r.w;
		ui_text_put(row[i], len[i], &skip, &room);
	}
	ui_screen_style(UI_STYLE_NORMAL);
}

/* Draws chart c in region r, which it blanks first. */
void
ui_chart_draw(const struct ui_chart *c, struct ui_rect r)
{
	struct ui_chart_canvas	cv;
	struct ui_chart_range	yr;
	char			buf[32];
	int			i, rows, lw, xaxis;

	if (r.h < 1 || r.w < 1)
		return;
	ui_screen_blank(r);
	ui_chart_title(c->title, c->lines, c->nlines, r);
	if (r.h < 2)
		return;
	if (!ui_chart_range(c, &yr)) {
		ui_chart_empty(c->empty, (struct ui_rect){ r.y + 1, r.x,
		    r.h - 1, r.w });
		return;
	}
	xaxis = r.h - 1 >= 5;
	rows = r.h - 1 - xaxis;
	ui_chart_label(&yr, yr.hi, buf, sizeof buf);
	lw = (int)strlen(buf);
	ui_chart_label(&yr, yr.lo, buf, sizeof buf);
	if ((int)strlen(buf) > lw)
		lw = (int)strlen(buf);
	ui_chart_label(&yr, (yr.lo + yr.hi) / 2, buf, sizeof buf);
	if (rows >= 7 && (int)strlen(buf) > lw)
		lw = (int)strlen(buf);
	if (r.w - lw - 1 < 4)
		lw = -1;
	cv.braille = ui_screen_utf8();
	cv.rows = rows;
	cv.cols = r.w - lw - 1;
	cv.xdots = cv.cols * (cv.braille ? 2 : 1);
	cv.ydots = cv.rows * (cv.braille ? 4 : 1);
	cv.bits = calloc((size_t)(cv.rows * cv.cols), 1);
	cv.line = calloc((size_t)(cv.rows * cv.cols), 1);
	if (cv.bits != NULL && cv.line != NULL) {
		for (i = 0; i < c->nlines; i++)
			ui_chart_plot(&cv, &yr, &c->lines[i], i);
		ui_chart_paint(c, &cv, r.y + 1, r.x + lw + 1);
	}
	free(cv.bits);
	free(cv.line);
	if (lw > 0)
		ui_chart_yaxis(&yr, r.y + 1, r.x, rows, lw);
	if (xaxis)
		ui_chart_xaxis(c, r.y + r.h - 1, r.x + lw + 1, cv.cols);
}

/*
 * Marks in keep (n) the rows to show when only k < n fit: those with the
 * largest values of v (NaN the smallest), the first ones among equals.
 */
static void
ui_chart_keep(const double *v, int n, int k, unsigned char *keep)
{
	int	i, j, above;

	memset(keep, 0, (size_t)n);
	for (; k > 0; k--) {
		j = -1;
		for (i = 0; i < n; i++) {
			if (keep[i])
				continue;
			above = j < 0 || (isnan(v[j]) && !isnan(v[i])) ||
			    v[i] > v[j];
			if (above)
				j = i;
		}
		if (j < 0)
			break;
		keep[j] = 1;
	}
}

/*
 * Draws label at (y, x) in width cells; a long one keeps its start and
 * its end, a ~ standing for the middle.
 */
static void
ui_chart_bar_label(int y, int x, int width, const char *label)
{
	size_t	n = strlen(label), head, off;
	int	skip = 0, room = width;

	move(y, x);
	if (ui_text_width(label, n) <= width) {
		ui_text_put(label, n, &skip, &room);
		return;
	}
	head = ui_text_fit(label, n, (width - 1) * 2 / 3);
	off = head;
	while (off < n && ui_text_width(label + off, n - off) >
	    width - 1 - ui_text_width(label, head))
		off++;
	while (off < n && ((unsigned char)label[off] & 0xc0) == 0x80)
		off++;
	ui_text_put(label, head, &skip, &room);
	ui_screen_style(UI_STYLE_AXIS);
	ui_text_put("~", 1, &skip, &room);
	ui_screen_style(UI_STYLE_NORMAL);
	ui_text_put(label + off, n - off, &skip, &room);
}

/* Draws a bar of v / max of width cells at (y, x) in style. */
static void
ui_chart_bar(int y, int x, int width, double v, double max,
    enum ui_style style)
{
	long	eighths, i;

	if (!(max > 0) || !(v > 0))
		return;
	eighths = lround(fmin(v / max, 1) * width * 8);
	for (i = 0; i < eighths / 8; i++)
		ui_screen_cell(y, x + (int)i, ui_screen_utf8() ? 0x2588 : '#',
		    style);
	if (eighths % 8 != 0 && ui_screen_utf8())
		ui_screen_cell(y, x + (int)i, (wchar_t)(0x2590 - eighths % 8),
		    style);
	else if (eighths % 8 >= 4)
		ui_screen_cell(y, x + (int)i, '#', style);
}

/*
 * Draws the bars of b in region r, which it blanks first: the title, a
 * row naming the series over their columns, then the rows.
 */
void
ui_chart_bars(const struct ui_bars *b, struct ui_rect r)
{
	unsigned char		*keep;
	char			 buf[32];
	double			 max[UI_BARS_SERIES];
	int			 i, s, y, lw = 4, bw, rows, shown, x, cw;

	if (r.h < 1 || r.w < 1)
		return;
	ui_screen_blank(r);
	ui_chart_title(b->title, NULL, 0, r);
	if (r.h < 3)
		return;
	if (b->n == 0) {
		ui_chart_empty(b->empty, (struct ui_rect){ r.y + 1, r.x,
		    r.h - 1, r.w });
		return;
	}
	if ((keep = malloc((size_t)b->n)) == NULL)
		return;
	rows = r.h - 2;
	shown = b->n <= rows ? b->n : rows;
	if (shown < b->n)
		ui_chart_keep(b->v[b->nseries - 1], b->n, shown, keep);
	else
		memset(keep, 1, (size_t)b->n);
	for (s = 0; s < b->nseries; s++) {
		max[s] = 0;
		for (i = 0; i < b->n; i++)
			max[s] = fmax(max[s], b->v[s][i]);
	}
	for (i = 0; i < b->n; i++) {
		x = ui_text_width(b->label[i], strlen(b->label[i]));
		lw = keep[i] && x > lw ? x : lw;
	}
	if (lw > r.w / 3)
		lw = r.w / 3 > 8 ? r.w / 3 : 8;
	bw = (r.w - lw - 1) / b->nseries - 10;
	cw = (bw >= 2 ? bw + 1 : 0) + 10;
	ui_screen_style(UI_STYLE_AXIS);
	if (shown < b->n) {
		snprintf(buf, sizeof buf, "+%d more", b->n - shown);
		ui_text_at(r.y + 1, r.x, lw, buf);
	}
	for (s = 0, x = r.x + lw + 1; s < b->nseries && x < r.x + r.w; s++) {
		ui_screen_style((enum ui_style)(UI_STYLE_SERIES + s));
		ui_text_at(r.y + 1, x, r.x + r.w - x < cw - 1 ? r.x + r.w - x :
		    cw - 1, b->name[s]);
		x += cw;
	}
	ui_screen_style(UI_STYLE_NORMAL);
	for (i = 0, y = r.y + 2; i < b->n; i++) {
		if (!keep[i])
			continue;
		ui_chart_bar_label(y, r.x, lw, b->label[i]);
		for (s = 0, x = r.x + lw + 1; s < b->nseries; s++) {
			if (bw >= 2)
				ui_chart_bar(y, x, bw, b->v[s][i], max[s],
				    (enum ui_style)(UI_STYLE_SERIES + s));
			x += bw >= 2 ? bw + 1 : 0;
			snprintf(buf, sizeof buf, "%.3g", b->v[s][i]);
			if (x < r.x + r.w)
				ui_text_at(y, x, r.x + r.w - x < 9 ?
				    r.x + r.w - x : 9, buf);
			x += 10;
		}
		y++;
	}
	free(keep);
}
