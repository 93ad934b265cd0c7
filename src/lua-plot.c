/*
 * lua-plot.c: figures from Lua. snn.plot.lines, snn.plot.bars,
 * snn.plot.surrogate, and the monitors' snn.plot.raster and
 * snn.plot.trace fill a struct plot (plot.c) from an options table and
 * write it as SVG (plot-svg.c). The figure borrows its arrays and
 * strings; each is kept in an anchor table on the stack while the figure
 * is built, so an error half way leaks nothing.
 */
#include <stdio.h>
#include <string.h>

#include "lua-snn.h"

/* Stack slots of every plot function: its options and the anchor table. */
#define LSNN_PLOT_OPTS		1
#define LSNN_PLOT_ANCHOR	2

/* Points along x at which a surrogate figure evaluates each function. */
#define LSNN_PLOT_POINTS	401

/* Stack slot of the tensor of snn.plot.raster and snn.plot.trace. */
#define LSNN_PLOT_TENSOR	3

/* Neurons a membrane trace draws unless told which. */
#define LSNN_PLOT_TRACES	5

/*
 * The neurons of one sample of a tensor of spikes or membrane potentials
 * that a raster or trace draws: step t of neuron pick[i] at
 * v[t * stride + pick[i]].
 */
struct lsnn_plot_monitor {
	const float	*v;
	int		 T;
	size_t		 stride;
	const size_t	*pick;
	size_t		 npick;
};

/* Pops the value on top of the stack into the anchor table. */
static void
lsnn_plot_keep(lua_State *L)
{
	lua_rawseti(L, LSNN_PLOT_ANCHOR,
	    (lua_Integer)lua_rawlen(L, LSNN_PLOT_ANCHOR) + 1);
}

/* Returns size bytes that live as long as the anchor table. */
static void *
lsnn_plot_alloc(lua_State *L, size_t size)
{
	void	*p = lua_newuserdatauv(L, size, 0);

	lsnn_plot_keep(L);
	return p;
}

/* Returns the string option key, or NULL when it is absent. */
static const char *
lsnn_plot_string(lua_State *L, const char *fn, const char *key)
{
	const char	*s;

	if (lua_getfield(L, LSNN_PLOT_OPTS, key) == LUA_TNIL) {
		lua_pop(L, 1);
		return NULL;
	}
	s = lsnn_check_string(L, -1, fn, key);
	lsnn_plot_keep(L);
	return s;
}

/* Reads the option key, a list {min, max}, as the fixed limits of a. */
static void
lsnn_plot_range(lua_State *L, const char *fn, const char *key,
    struct plot_axis *a)
{
	if (lua_getfield(L, LSNN_PLOT_OPTS, key) == LUA_TNIL) {
		lua_pop(L, 1);
		return;
	}
	if (!lua_istable(L, -1) || lua_rawlen(L, -1) != 2 ||
	    lua_rawgeti(L, -1, 1) != LUA_TNUMBER ||
	    lua_rawgeti(L, -2, 2) != LUA_TNUMBER)
		lsnn_argerror(L, fn, key, "must be a list of two numbers "
		    "{min, max}");
	a->fixed = 1;
	a->min = lua_tonumber(L, -2);
	a->max = lua_tonumber(L, -1);
	lua_pop(L, 3);
}

/* Reads the option legend, a place by name, into p. */
static void
lsnn_plot_legend(lua_State *L, const char *fn, struct plot *p)
{
	const char	*s;
	int		 i;

	if ((s = lsnn_opt_string(L, LSNN_PLOT_OPTS, fn, "legend",
	    NULL)) == NULL)
		return;
	for (i = 0; plot_legend_name(i) != NULL; i++) {
		if (strcmp(plot_legend_name(i), s) == 0) {
			p->legend = (enum plot_legend)i;
			return;
		}
	}
	lsnn_argerror(L, fn, "legend", "must be one of auto, right, bottom, "
	    "none (got %s)", s);
}

/* Returns the option file, which is required. */
static const char *
lsnn_plot_file(lua_State *L, const char *fn)
{
	const char	*file;

	if ((file = lsnn_plot_string(L, fn, "file")) == NULL)
		lsnn_argerror(L, fn, "file", "must be a string (got nil)");
	return file;
}

/*
 * Checks the options table against known and reads the options every
 * figure takes (title, subtitle, xlabel, ylabel, width, height, yrange,
 * legend) into p, whose size is the default.
 */
static void
lsnn_plot_common(lua_State *L, const char *fn, const char *const *known,
    struct plot *p)
{
	if (!lua_istable(L, LSNN_PLOT_OPTS))
		lsnn_argerror(L, fn, "options", "must be a table (got %s)",
		    luaL_typename(L, LSNN_PLOT_OPTS));
	lsnn_check_options(L, LSNN_PLOT_OPTS, fn, known);
	p->title = lsnn_plot_string(L, fn, "title");
	p->subtitle = lsnn_plot_string(L, fn, "subtitle");
	p->x.label = lsnn_plot_string(L, fn, "xlabel");
	p->y.label = lsnn_plot_string(L, fn, "ylabel");
	p->width = lsnn_opt_positive(L, LSNN_PLOT_OPTS, fn, "width",
	    p->width);
	p->height = lsnn_opt_positive(L, LSNN_PLOT_OPTS, fn, "height",
	    p->height);
	lsnn_plot_range(L, fn, "yrange", &p->y);
	lsnn_plot_legend(L, fn, p);
}

/*
 * Reads field key of the table at idx (series k): a list of numbers or a
 * tensor, copied into an anchored array whose length goes in *n. Returns
 * NULL when the field is nil.
 */
static double *
lsnn_plot_numbers(lua_State *L, int idx, const char *fn, int k,
    const char *key, size_t *n)
{
	struct lsnn_tensor	*t;
	double			*v;
	size_t			 i;

	if (lua_getfield(L, idx, key) == LUA_TNIL) {
		lua_pop(L, 1);
		return NULL;
	}
	if (luaL_testudata(L, -1, LSNN_TENSOR) != NULL) {
		t = lsnn_tensor_check(L, -1, fn, key);
		*n = tensor_numel(&t->t);
		v = lsnn_plot_alloc(L, *n * sizeof *v);
		for (i = 0; i < *n; i++)
			v[i] = t->t.data[i];
		lua_pop(L, 1);
		return v;
	}
	if (!lua_istable(L, -1))
		lsnn_error(L, fn, error_printf("series %d: %s must be a list "
		    "of numbers or a tensor (got %s)", k, key,
		    luaL_typename(L, -1)));
	*n = lua_rawlen(L, -1);
	v = lsnn_plot_alloc(L, *n * sizeof *v);
	for (i = 0; i < *n; i++) {
		if (lua_rawgeti(L, -1, (lua_Integer)i + 1) != LUA_TNUMBER)
			lsnn_error(L, fn, error_printf("series %d: %s[%zu] "
			    "must be a number (got %s)", k, key, i + 1,
			    luaL_typename(L, -1)));
		v[i] = lua_tonumber(L, -1);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return v;
}

/*
 * Reads the list option series, leaving it on the stack, and returns an
 * anchored array of as many series as it has entries, in *n.
 */
static struct plot_series *
lsnn_plot_series(lua_State *L, const char *fn, int *n)
{
	struct plot_series	*series;
	size_t			 len;

	if (lua_getfield(L, LSNN_PLOT_OPTS, "series") != LUA_TTABLE)
		lsnn_argerror(L, fn, "series", "must be a list of tables "
		    "(got %s)", luaL_typename(L, -1));
	len = lua_rawlen(L, -1);
	*n = (int)len;
	series = lsnn_plot_alloc(L, len * sizeof *series);
	memset(series, 0, len * sizeof *series);
	return series;
}

/*
 * Pushes entry k of the series list on top of the stack, checked to be a
 * table with only the known keys, and returns its label (or NULL).
 */
static const char *
lsnn_plot_entry(lua_State *L, const char *fn, int k,
    const char *const *known)
{
	const char	*label = NULL;
	int		 entry;

	if (lua_rawgeti(L, -1, k) != LUA_TTABLE)
		lsnn_error(L, fn, error_printf("series %d must be a table (got "
		    "%s)", k, luaL_typename(L, -1)));
	entry = lua_gettop(L);
	lsnn_check_options(L, entry, lua_pushfstring(L, "%s: series %d", fn,
	    k), known);
	lua_pop(L, 1);
	switch (lua_getfield(L, entry, "label")) {
	case LUA_TNIL:
		lua_pop(L, 1);
		break;
	case LUA_TSTRING:
		label = lua_tostring(L, -1);
		lsnn_plot_keep(L);
		break;
	default:
		lsnn_error(L, fn, error_printf("series %d: label must be a "
		    "string (got %s)", k, luaL_typename(L, -1)));
	}
	return label;
}

/*
 * Returns the index of the value on top of the stack among the names
 * name(0), name(1), ... (NULL past the last); raises an error naming the
 * style field key of series k when it is none of them.
 */
static int
lsnn_plot_choice(lua_State *L, const char *fn, int k, const char *key,
    const char *(*name)(int))
{
	const char	*s, *names, *got;
	luaL_Buffer	 b;
	int		 i;

	s = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
	for (i = 0; name(i) != NULL; i++) {
		if (strcmp(name(i), s) == 0)
			return i;
	}
	luaL_buffinit(L, &b);
	for (i = 0; name(i) != NULL; i++) {
		luaL_addstring(&b, i == 0 ? "" : ", ");
		luaL_addstring(&b, name(i));
	}
	luaL_pushresult(&b);
	names = lua_tostring(L, -1);
	got = luaL_tolstring(L, -2, NULL);
	return lsnn_error(L, fn, error_printf("series %d: style.%s must be "
	    "one of %s (got %s)", k, key, names, got));
}

/*
 * Reads the style table of the series entry on top of the stack (series
 * k), if it has one, over the defaults already in s.
 */
static void
lsnn_plot_style(lua_State *L, const char *fn, int k, struct plot_series *s)
{
	static const char *const	 known[] = { "color", "dash", "marker",
					     NULL };
	int				 style;

	if (lua_getfield(L, -1, "style") == LUA_TNIL) {
		lua_pop(L, 1);
		return;
	}
	if (!lua_istable(L, -1))
		lsnn_error(L, fn, error_printf("series %d: style must be a "
		    "table (got %s)", k, luaL_typename(L, -1)));
	style = lua_gettop(L);
	lsnn_check_options(L, style, lua_pushfstring(L, "%s: series %d: "
	    "style", fn, k), known);
	lua_pop(L, 1);
	if (lua_getfield(L, style, "color") != LUA_TNIL)
		s->color = (enum plot_color)lsnn_plot_choice(L, fn, k, "color",
		    plot_color_name);
	if (lua_getfield(L, style, "dash") != LUA_TNIL)
		s->dash = (enum plot_dash)lsnn_plot_choice(L, fn, k, "dash",
		    plot_dash_name);
	if (lua_getfield(L, style, "marker") != LUA_TNIL)
		s->marker = (enum plot_marker)lsnn_plot_choice(L, fn, k,
		    "marker", plot_marker_name);
	lua_pop(L, 4);
}

/*
 * Draws p into file: returns the path, or nil and a message when the
 * file cannot be written; a figure plot_validate refuses raises an error.
 */
static int
lsnn_plot_finish(lua_State *L, const char *fn, const char *file,
    const struct plot *p)
{
	char	*cause = NULL;

	if (plot_validate(p, &cause) != 0)
		return lsnn_error(L, fn, cause);
	if (plot_svg_write(file, p, &cause) != 0)
		return lsnn_fail(L, cause);
	lua_pushstring(L, file);
	return 1;
}

/*
 * Reads the options of a line chart (snn.plot.lines but file) from
 * LSNN_PLOT_OPTS into p, made by plot_init.
 */
static void
lsnn_plot_read_lines(lua_State *L, const char *fn, struct plot *p)
{
	static const char *const	 known[] = { "file", "title",
					     "subtitle", "xlabel", "ylabel",
					     "xlog", "ylog", "xrange", "yrange",
					     "width", "height", "series",
					     "legend", NULL };
	static const char *const	 keys[] = { "label", "x", "y", "err",
					     "style", NULL };
	struct plot_series		*series, *s;
	double				*x;
	size_t				 nx, ne, i;
	int				 k, n;

	lsnn_plot_common(L, fn, known, p);
	if (lsnn_opt_boolean(L, LSNN_PLOT_OPTS, fn, "xlog", 0))
		p->x.scale = PLOT_SCALE_LOG;
	if (lsnn_opt_boolean(L, LSNN_PLOT_OPTS, fn, "ylog", 0))
		p->y.scale = PLOT_SCALE_LOG;
	lsnn_plot_range(L, fn, "xrange", &p->x);
	series = lsnn_plot_series(L, fn, &n);
	for (k = 0; k < n; k++) {
		s = &series[k];
		s->label = lsnn_plot_entry(L, fn, k + 1, keys);
		if ((s->y = lsnn_plot_numbers(L, -1, fn, k + 1, "y",
		    &s->n)) == NULL)
			lsnn_error(L, fn, error_printf("series %d: y is "
			    "missing", k + 1));
		if ((s->x = x = lsnn_plot_numbers(L, -1, fn, k + 1, "x",
		    &nx)) == NULL) {
			s->x = x = lsnn_plot_alloc(L, s->n * sizeof *x);
			for (i = 0; i < s->n; i++)
				x[i] = (double)i + 1;
		} else if (nx != s->n)
			lsnn_error(L, fn, error_printf("series %d: x has %zu "
			    "values, y has %zu", k + 1, nx, s->n));
		s->err = lsnn_plot_numbers(L, -1, fn, k + 1, "err", &ne);
		if (s->err != NULL && ne != s->n)
			lsnn_error(L, fn, error_printf("series %d: err has %zu "
			    "values, y has %zu", k + 1, ne, s->n));
		plot_series_defaults(s, k);
		lsnn_plot_style(L, fn, k + 1, s);
		lua_pop(L, 1);
	}
	p->nseries = n;
	p->series = series;
}

/* snn.plot.lines(options): a line chart of series of points. */
static int
lsnn_plot_lines(lua_State *L)
{
	const char	*fn = "snn.plot.lines", *file;
	struct plot	 p;

	lua_settop(L, LSNN_PLOT_OPTS);
	lua_newtable(L);
	plot_init(&p, PLOT_LINES);
	lsnn_plot_read_lines(L, fn, &p);
	file = lsnn_plot_file(L, fn);
	return lsnn_plot_finish(L, fn, file, &p);
}

/*
 * Reads the options of a bar chart (snn.plot.bars but file) from
 * LSNN_PLOT_OPTS into p, made by plot_init.
 */
static void
lsnn_plot_read_bars(lua_State *L, const char *fn, struct plot *p)
{
	static const char *const	 known[] = { "file", "title",
					     "subtitle", "xlabel", "ylabel",
					     "ylog", "yrange", "width",
					     "height", "groups", "series",
					     "legend", NULL };
	static const char *const	 keys[] = { "label", "values", "err",
					     NULL };
	const char			**groups;
	struct plot_series		*series, *s;
	size_t				 ne, len;
	int				 k, n;

	lsnn_plot_common(L, fn, known, p);
	if (lsnn_opt_boolean(L, LSNN_PLOT_OPTS, fn, "ylog", 0))
		p->y.scale = PLOT_SCALE_LOG;
	if (lua_getfield(L, LSNN_PLOT_OPTS, "groups") != LUA_TTABLE)
		lsnn_argerror(L, fn, "groups", "must be a list of names (got "
		    "%s)", luaL_typename(L, -1));
	len = lua_rawlen(L, -1);
	groups = lsnn_plot_alloc(L, len * sizeof *groups);
	for (k = 0; k < (int)len; k++) {
		lua_rawgeti(L, -1, k + 1);
		if ((groups[k] = lua_tostring(L, -1)) == NULL)
			lsnn_argerror(L, fn, "groups", "must be a list of "
			    "names (got %s at %d)", luaL_typename(L, -1),
			    k + 1);
		lsnn_plot_keep(L);
	}
	p->ngroups = (int)len;
	p->groups = groups;
	series = lsnn_plot_series(L, fn, &n);
	for (k = 0; k < n; k++) {
		s = &series[k];
		s->label = lsnn_plot_entry(L, fn, k + 1, keys);
		if ((s->y = lsnn_plot_numbers(L, -1, fn, k + 1, "values",
		    &s->n)) == NULL)
			lsnn_error(L, fn, error_printf("series %d: values is "
			    "missing", k + 1));
		s->err = lsnn_plot_numbers(L, -1, fn, k + 1, "err", &ne);
		if (s->err != NULL && ne != s->n)
			lsnn_error(L, fn, error_printf("series %d: err has %zu "
			    "values, values has %zu", k + 1, ne, s->n));
		plot_series_defaults(s, k);
		lua_pop(L, 1);
	}
	p->nseries = n;
	p->series = series;
}

/* snn.plot.bars(options): a bar chart, one bar a series in each group. */
static int
lsnn_plot_bars(lua_State *L)
{
	const char	*fn = "snn.plot.bars", *file;
	struct plot	 p;

	lua_settop(L, LSNN_PLOT_OPTS);
	lua_newtable(L);
	plot_init(&p, PLOT_BARS);
	lsnn_plot_read_bars(L, fn, &p);
	file = lsnn_plot_file(L, fn);
	return lsnn_plot_finish(L, fn, file, &p);
}

/*
 * Returns an anchored legend label for s: its name and parameters, alpha
 * and beta in Greek, "sigmoid (α=4)".
 */
static const char *
lsnn_plot_surrogate_label(lua_State *L, const struct surrogate *s)
{
	const char	*name, *label;
	char		 num[32];
	luaL_Buffer	 b;
	int		 i;

	luaL_buffinit(L, &b);
	luaL_addstring(&b, surrogate_name(s));
	for (i = 0; i < surrogate_nparams(s); i++) {
		luaL_addstring(&b, i == 0 ? " (" : ", ");
		name = surrogate_param_name(s, i);
		if (strcmp(name, "alpha") == 0)
			name = "\u03b1";
		else if (strcmp(name, "beta") == 0)
			name = "\u03b2";
		snprintf(num, sizeof num, "=%g", s->p[i]);
		luaL_addstring(&b, name);
		luaL_addstring(&b, num);
	}
	if (i > 0)
		luaL_addchar(&b, ')');
	luaL_pushresult(&b);
	label = lua_tostring(L, -1);
	lsnn_plot_keep(L);
	return label;
}

/* Makes s the Heaviside step (1 where x >= 0) across the x range of a. */
static void
lsnn_plot_step(lua_State *L, const struct plot_axis *a,
    struct plot_series *s)
{
	double	*v = lsnn_plot_alloc(L, 8 * sizeof *v);

	s->x = v;
	s->y = v + 4;
	s->label = "Heaviside step";
	s->color = PLOT_COLOR_BLACK;
	if (a->min < 0 && a->max >= 0) {
		s->n = 4;
		v[0] = a->min;
		v[1] = v[2] = 0;
		v[3] = a->max;
		v[4] = v[5] = 0;
		v[6] = v[7] = 1;
		return;
	}
	s->n = 2;
	v[0] = a->min;
	v[1] = a->max;
	v[4] = v[5] = a->min >= 0;
}

/*
 * Makes s a curve of LSNN_PLOT_POINTS points at x (xf in float): the
 * primitive of sg, or its derivative when grad is set.
 */
static void
lsnn_plot_curve(lua_State *L, const struct surrogate *sg, int grad,
    const float *xf, const double *x, struct plot_series *s)
{
	float	*yf = lsnn_plot_alloc(L, LSNN_PLOT_POINTS * sizeof *yf);
	double	*y = lsnn_plot_alloc(L, LSNN_PLOT_POINTS * sizeof *y);
	size_t	 i;

	if (grad)
		surrogate_grad(sg, yf, xf, LSNN_PLOT_POINTS);
	else
		surrogate_primitive(sg, yf, xf, LSNN_PLOT_POINTS);
	for (i = 0; i < LSNN_PLOT_POINTS; i++)
		y[i] = yf[i];
	s->n = LSNN_PLOT_POINTS;
	s->x = x;
	s->y = y;
	s->dash = grad ? PLOT_DASH_DASHED : PLOT_DASH_SOLID;
}

/*
 * snn.plot.surrogate(options): the Heaviside step in black and, for each
 * surrogate in its own colour, the primitive solid and the derivative
 * dashed, with a key saying which line is which.
 */
static int
lsnn_plot_surrogate(lua_State *L)
{
	static const char *const	 known[] = { "file", "title",
					     "subtitle", "xlabel", "ylabel",
					     "yrange", "width", "height",
					     "surrogates", "range", "legend",
					     NULL };
	const char			*fn = "snn.plot.surrogate", *file;
	struct plot			 p;
	struct plot_series		*series, *s;
	struct surrogate		 sg;
	float				*xf;
	double				*x;
	size_t				 len, i;
	int				 k, entry, n = 0;

	lua_settop(L, LSNN_PLOT_OPTS);
	lua_newtable(L);
	plot_init(&p, PLOT_LINES);
	lsnn_plot_common(L, fn, known, &p);
	file = lsnn_plot_file(L, fn);
	if (p.x.label == NULL)
		p.x.label = "x (membrane potential \u2212 threshold)";
	if (p.y.label == NULL)
		p.y.label = "spike function and derivative";
	p.x.fixed = 1;
	p.x.min = -3;
	p.x.max = 3;
	lsnn_plot_range(L, fn, "range", &p.x);
	if (lua_getfield(L, LSNN_PLOT_OPTS, "surrogates") != LUA_TTABLE)
		lsnn_argerror(L, fn, "surrogates", "must be a list of "
		    "surrogates (got %s)", luaL_typename(L, -1));
	len = lua_rawlen(L, -1);
	series = lsnn_plot_alloc(L, (2 * len + 3) * sizeof *series);
	memset(series, 0, (2 * len + 3) * sizeof *series);
	xf = lsnn_plot_alloc(L, LSNN_PLOT_POINTS * sizeof *xf);
	x = lsnn_plot_alloc(L, LSNN_PLOT_POINTS * sizeof *x);
	for (i = 0; i < LSNN_PLOT_POINTS; i++) {
		x[i] = p.x.min + (p.x.max - p.x.min) * (double)i /
		    (LSNN_PLOT_POINTS - 1);
		xf[i] = (float)x[i];
	}
	lsnn_plot_step(L, &p.x, &series[n++]);
	for (k = 0; k < (int)len; k++) {
		lua_rawgeti(L, -1, k + 1);
		entry = lua_gettop(L);
		lsnn_surrogate_check(L, entry, fn, lua_pushfstring(L,
		    "surrogates[%d]", k + 1), &sg);
		lua_pop(L, 2);
		s = &series[n++];
		s->color = (enum plot_color)(k % PLOT_COLOR_CYCLE);
		s->label = lsnn_plot_surrogate_label(L, &sg);
		if (surrogate_has_primitive(&sg)) {
			lsnn_plot_curve(L, &sg, 0, xf, x, s);
			s = &series[n++];
			s->color = series[n - 2].color;
		}
		lsnn_plot_curve(L, &sg, 1, xf, x, s);
	}
	if (len > 0) {
		series[n].label = "primitive";
		series[n++].color = PLOT_COLOR_GREY;
		series[n].label = "derivative";
		series[n].dash = PLOT_DASH_DASHED;
		series[n++].color = PLOT_COLOR_GREY;
	}
	p.nseries = n;
	p.series = series;
	return lsnn_plot_finish(L, fn, file, &p);
}

/*
 * Moves the tensor argument of a monitor figure (tensor, options) to
 * LSNN_PLOT_TENSOR, after the options and a new anchor table.
 */
static void
lsnn_plot_monitor_args(lua_State *L)
{
	lua_settop(L, 2);
	lua_rotate(L, 1, 1);
	lua_newtable(L);
	lua_insert(L, LSNN_PLOT_ANCHOR);
}

/*
 * Reads the tensor at idx of a monitor figure (argument arg) and the
 * options sample and neurons into m: a tensor [T] is one neuron, [T, N] N
 * neurons, [T, B, ...] (net:spikes, net:membrane) the neurons of sample
 * sample (from 0). Without neurons (indices from 0), m picks the first
 * most of them.
 */
static void
lsnn_plot_monitor(lua_State *L, int idx, const char *fn, const char *arg,
    size_t most, struct lsnn_plot_monitor *m)
{
	const struct tensor	*t;
	lua_Number		 sample;
	size_t			*pick, n = 1, b = 1, i;
	int			 d;

	t = &lsnn_tensor_check(L, idx, fn, arg)->t;
	if (t->ndim < 1 || t->shape[0] < 1)
		lsnn_argerror(L, fn, arg, "must have at least one step");
	m->T = t->shape[0];
	if (t->ndim == 2)
		n = (size_t)t->shape[1];
	for (d = 2; d < t->ndim; d++)
		n *= (size_t)t->shape[d];
	if (t->ndim > 2)
		b = (size_t)t->shape[1];
	sample = lsnn_opt_number(L, LSNN_PLOT_OPTS, fn, "sample", 0);
	if (sample != (lua_Number)(lua_Integer)sample || sample < 0 ||
	    sample >= (lua_Number)b)
		lsnn_argerror(L, fn, "sample", "must be a sample index in "
		    "0..%d (got %s)", (int)b - 1, lua_pushfstring(L, "%f",
		    sample));
	m->stride = n * b;
	m->v = t->data + (size_t)sample * n;
	if (lua_getfield(L, LSNN_PLOT_OPTS, "neurons") == LUA_TNIL) {
		m->npick = n < most ? n : most;
		m->pick = pick = lsnn_plot_alloc(L, m->npick * sizeof *pick);
		for (i = 0; i < m->npick; i++)
			pick[i] = i;
		lua_pop(L, 1);
		return;
	}
	if (!lua_istable(L, -1) || lua_rawlen(L, -1) == 0)
		lsnn_argerror(L, fn, "neurons", "must be a list of neuron "
		    "indices (got %s)", luaL_typename(L, -1));
	m->npick = lua_rawlen(L, -1);
	m->pick = pick = lsnn_plot_alloc(L, m->npick * sizeof *pick);
	for (i = 0; i < m->npick; i++) {
		lua_rawgeti(L, -1, (lua_Integer)i + 1);
		if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0 ||
		    (size_t)lua_tointeger(L, -1) >= n)
			lsnn_argerror(L, fn, "neurons", "must hold neuron "
			    "indices in 0..%d (got %s at %d)", (int)n - 1,
			    luaL_tolstring(L, -1, NULL), (int)i + 1);
		pick[i] = (size_t)lua_tointeger(L, -1);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

/* Fixes axis a to [lo - 0.5, hi + 0.5] with ticks at whole numbers. */
static void
lsnn_plot_cells(struct plot_axis *a, double lo, double hi)
{
	if (a->fixed)
		return;
	a->fixed = 1;
	a->integer = 1;
	a->min = lo - 0.5;
	a->max = hi + 0.5;
}

/*
 * snn.plot.raster(spikes, options): a dot at (t, neuron) for every
 * nonzero value of a tensor of spikes.
 */
static int
lsnn_plot_raster(lua_State *L)
{
	static const char *const	 known[] = { "file", "title",
					     "subtitle", "xlabel", "ylabel",
					     "width", "height", "sample",
					     "neurons", NULL };
	const char			*fn = "snn.plot.raster", *file;
	struct lsnn_plot_monitor	 m;
	struct plot			 p;
	struct plot_series		 s;
	double				*x, *y;
	size_t				 i, n = 0, lo, hi;
	int				 t;

	lsnn_plot_monitor_args(L);
	plot_init(&p, PLOT_LINES);
	lsnn_plot_common(L, fn, known, &p);
	file = lsnn_plot_file(L, fn);
	lsnn_plot_monitor(L, LSNN_PLOT_TENSOR, fn, "spikes", (size_t)-1, &m);
	for (t = 0; t < m.T; t++)
		for (i = 0; i < m.npick; i++)
			n += m.v[t * m.stride + m.pick[i]] != 0;
	memset(&s, 0, sizeof s);
	s.x = x = lsnn_plot_alloc(L, (n + 1) * sizeof *x);
	s.y = y = lsnn_plot_alloc(L, (n + 1) * sizeof *y);
	s.color = PLOT_COLOR_BLACK;
	s.dots = 1;
	lo = hi = m.pick[0];
	for (i = 0; i < m.npick; i++) {
		lo = m.pick[i] < lo ? m.pick[i] : lo;
		hi = m.pick[i] > hi ? m.pick[i] : hi;
	}
	for (t = 0; t < m.T; t++) {
		for (i = 0; i < m.npick; i++) {
			if (m.v[t * m.stride + m.pick[i]] == 0)
				continue;
			x[s.n] = t;
			y[s.n++] = (double)m.pick[i];
		}
	}
	lsnn_plot_cells(&p.x, 0, m.T - 1);
	lsnn_plot_cells(&p.y, (double)lo, (double)hi);
	if (p.x.label == NULL)
		p.x.label = "time step t";
	if (p.y.label == NULL)
		p.y.label = "neuron";
	p.nseries = 1;
	p.series = &s;
	return lsnn_plot_finish(L, fn, file, &p);
}

/*
 * Reads the option spikes of a trace, a tensor shaped as its membrane
 * (m), into series out, one a neuron of m: dots on the threshold th at
 * the steps where that neuron spiked, in the colour of its line in
 * lines. Returns the number of series, 0 without the option.
 */
static int
lsnn_plot_trace_spikes(lua_State *L, const char *fn, double th,
    const struct lsnn_plot_monitor *m, const struct plot_series *lines,
    struct plot_series *out)
{
	const struct tensor		*v, *sp;
	const float			*spikes;
	struct plot_series		*s;
	double				*x, *y;
	size_t				 i, n;
	int				 t;

	if (lua_getfield(L, LSNN_PLOT_OPTS, "spikes") == LUA_TNIL)
		return 0;
	v = &lsnn_tensor_check(L, LSNN_PLOT_TENSOR, fn, "v")->t;
	sp = &lsnn_tensor_check(L, -1, fn, "spikes")->t;
	if (!tensor_same_shape(sp, v))
		lsnn_argerror(L, fn, "spikes", "must have the shape of v");
	/* The same sample as m's, at the same place. */
	spikes = sp->data + (m->v - v->data);
	for (i = 0; i < m->npick; i++) {
		s = &out[i];
		for (n = 0, t = 0; t < m->T; t++)
			n += spikes[t * m->stride + m->pick[i]] != 0;
		s->x = x = lsnn_plot_alloc(L, (n + 1) * sizeof *x);
		s->y = y = lsnn_plot_alloc(L, (n + 1) * sizeof *y);
		for (t = 0; t < m->T; t++) {
			if (spikes[t * m->stride + m->pick[i]] == 0)
				continue;
			x[s->n] = t;
			y[s->n++] = th;
		}
		s->dots = 1;
		s->color = lines[i].color;
	}
	out[0].label = "spikes";
	return (int)m->npick;
}

/*
 * snn.plot.trace(v, options): the membrane potential of a few neurons
 * against the time step, with the threshold as a dashed black line and
 * their spikes as dots on it.
 */
static int
lsnn_plot_trace(lua_State *L)
{
	static const char *const	 known[] = { "file", "title",
					     "subtitle", "xlabel", "ylabel",
					     "width", "height", "yrange",
					     "legend", "sample", "neurons",
					     "threshold", "spikes", NULL };
	const char			*fn = "snn.plot.trace", *file;
	struct lsnn_plot_monitor	 m;
	struct plot			 p;
	struct plot_series		*series, *s;
	double				*x, *y, th;
	char				 num[48];
	size_t				 i;
	int				 t, k;

	lsnn_plot_monitor_args(L);
	plot_init(&p, PLOT_LINES);
	lsnn_plot_common(L, fn, known, &p);
	file = lsnn_plot_file(L, fn);
	lsnn_plot_monitor(L, LSNN_PLOT_TENSOR, fn, "v", LSNN_PLOT_TRACES, &m);
	series = lsnn_plot_alloc(L, (2 * m.npick + 1) * sizeof *series);
	memset(series, 0, (2 * m.npick + 1) * sizeof *series);
	x = lsnn_plot_alloc(L, (size_t)m.T * sizeof *x);
	for (t = 0; t < m.T; t++)
		x[t] = t;
	for (i = 0; i < m.npick; i++) {
		s = &series[i];
		s->n = (size_t)m.T;
		s->x = x;
		s->y = y = lsnn_plot_alloc(L, (size_t)m.T * sizeof *y);
		for (t = 0; t < m.T; t++)
			y[t] = m.v[t * m.stride + m.pick[i]];
		s->label = lua_pushfstring(L, "neuron %I",
		    (lua_Integer)m.pick[i]);
		lsnn_plot_keep(L);
		plot_series_defaults(s, (int)i);
	}
	k = (int)m.npick;
	if (lua_getfield(L, LSNN_PLOT_OPTS, "threshold") != LUA_TNIL) {
		th = lsnn_check_number(L, -1, fn, "threshold");
		s = &series[k++];
		s->n = 2;
		s->x = y = lsnn_plot_alloc(L, 4 * sizeof *y);
		s->y = y + 2;
		y[0] = 0;
		y[1] = m.T - 1;
		y[2] = y[3] = th;
		snprintf(num, sizeof num, "threshold = %g", th);
		lua_pushstring(L, num);
		s->label = lua_tostring(L, -1);
		lsnn_plot_keep(L);
		s->color = PLOT_COLOR_BLACK;
		s->dash = PLOT_DASH_DASHED;
		k += lsnn_plot_trace_spikes(L, fn, th, &m, series, series + k);
	} else if (lua_getfield(L, LSNN_PLOT_OPTS, "spikes") != LUA_TNIL)
		lsnn_argerror(L, fn, "spikes", "needs the option threshold, "
		    "at which the spikes are drawn");
	if (p.x.label == NULL)
		p.x.label = "time step t";
	if (p.y.label == NULL)
		p.y.label = "membrane potential v";
	p.nseries = k;
	p.series = series;
	return lsnn_plot_finish(L, fn, file, &p);
}

/*
 * Replaces the options slot with a copy of the panel table at idx less
 * its key kind, and returns the kind: lines or bars.
 */
static enum plot_kind
lsnn_plot_panel_options(lua_State *L, int idx, const char *fn)
{
	enum plot_kind	kind = PLOT_LINES;
	const char	*s;

	lua_newtable(L);
	lua_pushnil(L);
	while (lua_next(L, idx) != 0) {
		if (lua_type(L, -2) == LUA_TSTRING &&
		    strcmp(lua_tostring(L, -2), "kind") == 0) {
			s = lua_tostring(L, -1);
			if (s == NULL || (strcmp(s, "lines") != 0 &&
			    strcmp(s, "bars") != 0))
				lsnn_error(L, fn, error_printf("kind must be "
				    "lines or bars (got %s)", s != NULL ? s :
				    luaL_typename(L, -1)));
			kind = strcmp(s, "bars") == 0 ? PLOT_BARS : PLOT_LINES;
			lua_pop(L, 1);
			continue;
		}
		if (lua_type(L, -2) == LUA_TSTRING &&
		    strcmp(lua_tostring(L, -2), "file") == 0)
			lsnn_error(L, fn, error_printf("file belongs to the "
			    "options of snn.plot.panels"));
		lua_pushvalue(L, -2);
		lua_insert(L, -2);
		lua_rawset(L, -4);
	}
	lua_replace(L, LSNN_PLOT_OPTS);
	return kind;
}

/*
 * snn.plot.panels(options): small multiples, a line or bar chart a panel
 * in a grid, under one title.
 */
static int
lsnn_plot_panels(lua_State *L)
{
	static const char *const	 known[] = { "file", "title",
					     "subtitle", "columns", "width",
					     "height", "panels", NULL };
	const char			*fn = "snn.plot.panels", *file, *pfn;
	struct plot_panels		 pp;
	struct plot			*panels;
	char				*cause = NULL;
	int				 i, top, width, height, list, outer;

	lua_settop(L, LSNN_PLOT_OPTS);
	lua_newtable(L);
	if (!lua_istable(L, LSNN_PLOT_OPTS))
		lsnn_argerror(L, fn, "options", "must be a table (got %s)",
		    luaL_typename(L, LSNN_PLOT_OPTS));
	lsnn_check_options(L, LSNN_PLOT_OPTS, fn, known);
	file = lsnn_plot_file(L, fn);
	memset(&pp, 0, sizeof pp);
	pp.title = lsnn_plot_string(L, fn, "title");
	pp.subtitle = lsnn_plot_string(L, fn, "subtitle");
	width = lsnn_opt_positive(L, LSNN_PLOT_OPTS, fn, "width", 420);
	height = lsnn_opt_positive(L, LSNN_PLOT_OPTS, fn, "height", 340);
	if (lua_getfield(L, LSNN_PLOT_OPTS, "panels") != LUA_TTABLE)
		lsnn_argerror(L, fn, "panels", "must be a list of tables, "
		    "one a panel (got %s)", luaL_typename(L, -1));
	if ((pp.n = (int)lua_rawlen(L, -1)) == 0)
		lsnn_argerror(L, fn, "panels", "must list at least one "
		    "panel");
	list = lua_gettop(L);
	pp.columns = lsnn_opt_positive(L, LSNN_PLOT_OPTS, fn, "columns",
	    pp.n < 3 ? pp.n : 3);
	panels = lsnn_plot_alloc(L, (size_t)pp.n * sizeof *panels);
	lua_pushvalue(L, LSNN_PLOT_OPTS);
	outer = lua_gettop(L);
	for (i = 0; i < pp.n; i++) {
		top = lua_gettop(L);
		pfn = lua_pushfstring(L, "%s: panel %d", fn, i + 1);
		lsnn_plot_keep(L);
		if (lua_rawgeti(L, list, i + 1) != LUA_TTABLE)
			lsnn_error(L, fn, error_printf("panel %d must be a "
			    "table (got %s)", i + 1, luaL_typename(L, -1)));
		plot_init(&panels[i], lsnn_plot_panel_options(L,
		    lua_gettop(L), pfn));
		panels[i].width = width;
		panels[i].height = height;
		if (panels[i].kind == PLOT_BARS)
			lsnn_plot_read_bars(L, pfn, &panels[i]);
		else
			lsnn_plot_read_lines(L, pfn, &panels[i]);
		if (plot_validate(&panels[i], &cause) != 0)
			return lsnn_error(L, pfn, cause);
		lua_settop(L, top);
	}
	lua_pushvalue(L, outer);
	lua_replace(L, LSNN_PLOT_OPTS);
	pp.panels = panels;
	if (plot_svg_write_panels(file, &pp, &cause) != 0)
		return lsnn_fail(L, cause);
	lua_pushstring(L, file);
	return 1;
}

/* Adds the table snn.plot. */
void
lsnn_plot_open(lua_State *L)
{
	static const luaL_Reg	fns[] = {
		{ "lines", lsnn_plot_lines },
		{ "bars", lsnn_plot_bars },
		{ "surrogate", lsnn_plot_surrogate },
		{ "raster", lsnn_plot_raster },
		{ "trace", lsnn_plot_trace },
		{ "panels", lsnn_plot_panels },
		{ NULL, NULL }
	};

	luaL_newlib(L, fns);
	lua_setfield(L, -2, "plot");
}
