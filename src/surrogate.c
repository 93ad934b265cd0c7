/*
 * surrogate.c: the surrogate functions of spiking neurons. The forward pass
 * of every one is the Heaviside step (1 where x >= 0), which the neuron code
 * computes itself; here are the backward pass (the surrogate derivative,
 * for an upstream gradient of 1) and the smooth primitive that SpikingJelly
 * outputs instead of spikes when spiking=False.
 *
 * Names, parameter names, defaults and formulas follow SpikingJelly's
 * spikingjelly/activation_based/surrogate.py (master branch), including its
 * float32 order of operations where cancellation makes it matter, so that
 * the values agree with the reference files to about 1e-6. Two surrogates
 * are snnwb's own (DESIGN.md): sine S(x) and power P(x).
 *
 * Both entry points switch on the kind once and then run one tight loop in
 * float; where a loop is branch-free (a 0/1 mask multiplies a finite value)
 * the compiler can vectorise it.
 *
 * Surrogates written in Lua reach the engine as tables (SURROGATE_TABLE):
 * their functions sampled on a uniform grid, interpolated here without
 * calling back into Lua. Tables are kept in a registry, one copy of each
 * distinct table, until the program exits.
 */
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "nn.h"

/*
 * Largest magnitude of any parameter. With it, and the lower bound of the
 * parameters that divide, every constant derived from a parameter (alpha
 * squared, 1 / alpha, 2 pi / T_period) stays a finite, normal float.
 */
#define SURROGATE_PMAX		1e6
#define SURROGATE_PMIN		1e-6

/* Most terms of SquarewaveFourierSeries (n), to bound the cost per element. */
#define SURROGATE_MAXTERMS	1000

/* Range flags: bounds excluded, integer values only. */
#define SURROGATE_LO_OPEN	0x1
#define SURROGATE_HI_OPEN	0x2
#define SURROGATE_INT		0x4

/*
 * The ranges a parameter may have: those of SpikingJelly's formulas, where
 * a value out of range would divide by zero or make the derivative
 * negative (flip the gradient) or not finite.
 */
enum surrogate_range {
	SURROGATE_RANGE_NONNEGATIVE,	/* a slope, such as a leak */
	SURROGATE_RANGE_POSITIVE,	/* a width or sharpness; most divide */
	SURROGATE_RANGE_ABOVE_ONE,	/* QPseudoSpike: 2 / (alpha - 1) */
	SURROGATE_RANGE_UNIT,		/* power: 0 < alpha < 1 */
	SURROGATE_RANGE_TERMS		/* a count of series terms */
};

/* Bounds of each range and the range in words, for messages. */
static const struct surrogate_bounds {
	double		 lo;
	double		 hi;
	int		 flags;
	const char	*words;
} surrogate_bounds[] = {
	[SURROGATE_RANGE_NONNEGATIVE] = { 0, SURROGATE_PMAX, 0,
	    "non-negative, in [0, 1e6]" },
	[SURROGATE_RANGE_POSITIVE] = { SURROGATE_PMIN, SURROGATE_PMAX, 0,
	    "positive, in [1e-6, 1e6]" },
	[SURROGATE_RANGE_ABOVE_ONE] = { 1, SURROGATE_PMAX, SURROGATE_LO_OPEN,
	    "in (1, 1e6] (2 / (alpha - 1) must be finite and positive)" },
	[SURROGATE_RANGE_UNIT] = { 0, 1, SURROGATE_LO_OPEN | SURROGATE_HI_OPEN,
	    "strictly between 0 and 1" },
	[SURROGATE_RANGE_TERMS] = { 1, SURROGATE_MAXTERMS, SURROGATE_INT,
	    "an integer in [1, 1000]" },
};

/* One parameter: SpikingJelly's name, its default and its range. */
struct surrogate_param {
	const char		*name;
	double			 def;
	enum surrogate_range	 range;
};

/*
 * One surrogate: snnwb's name (SpikingJelly's autograd function name),
 * the SpikingJelly class (NULL for snnwb's own), whether it has a smooth
 * primitive, and its parameters in constructor order.
 */
static const struct surrogate_info {
	const char		*name;
	const char		*class_name;
	int			 has_primitive;
	int			 nparams;
	struct surrogate_param	 param[SURROGATE_MAXPARAM];
} surrogate_infos[SURROGATE_COUNT] = {
	[SURROGATE_SIGMOID] = { "sigmoid", "Sigmoid", 1, 1,
	    { { "alpha", 4, SURROGATE_RANGE_POSITIVE } } },
	[SURROGATE_ATAN] = { "atan", "ATan", 1, 1,
	    { { "alpha", 2, SURROGATE_RANGE_POSITIVE } } },
	[SURROGATE_PIECEWISE_QUADRATIC] = { "piecewise_quadratic",
	    "PiecewiseQuadratic", 1, 1,
	    { { "alpha", 1, SURROGATE_RANGE_POSITIVE } } },
	[SURROGATE_PIECEWISE_EXP] = { "piecewise_exp", "PiecewiseExp", 1, 1,
	    { { "alpha", 1, SURROGATE_RANGE_POSITIVE } } },
	[SURROGATE_SOFT_SIGN] = { "soft_sign", "SoftSign", 1, 1,
	    { { "alpha", 2, SURROGATE_RANGE_POSITIVE } } },
	[SURROGATE_ERF] = { "erf", "Erf", 1, 1,
	    { { "alpha", 2, SURROGATE_RANGE_POSITIVE } } },
	[SURROGATE_SUPER_SPIKE] = { "super_spike", "SuperSpike", 0, 1,
	    { { "alpha", 1, SURROGATE_RANGE_POSITIVE } } },
	[SURROGATE_NONZERO_SIGN_LOG_ABS] = { "nonzero_sign_log_abs",
	    "NonzeroSignLogAbs", 1, 1,
	    { { "alpha", 1, SURROGATE_RANGE_POSITIVE } } },
	[SURROGATE_PIECEWISE_LEAKY_RELU] = { "piecewise_leaky_relu",
	    "PiecewiseLeakyReLU", 1, 2,
	    { { "w", 1, SURROGATE_RANGE_POSITIVE },
	      { "c", 0.01, SURROGATE_RANGE_NONNEGATIVE } } },
	[SURROGATE_SQUAREWAVE_FOURIER_SERIES] = { "squarewave_fourier_series",
	    "SquarewaveFourierSeries", 1, 2,
	    { { "n", 2, SURROGATE_RANGE_TERMS },
	      { "T_period", 8, SURROGATE_RANGE_POSITIVE } } },
	[SURROGATE_S2NN] = { "s2nn", "S2NN", 1, 2,
	    { { "alpha", 4, SURROGATE_RANGE_POSITIVE },
	      { "beta", 1, SURROGATE_RANGE_NONNEGATIVE } } },
	[SURROGATE_Q_PSEUDO_SPIKE] = { "q_pseudo_spike", "QPseudoSpike", 1, 1,
	    { { "alpha", 2, SURROGATE_RANGE_ABOVE_ONE } } },
	[SURROGATE_LEAKY_K_RELU] = { "leaky_k_relu", "LeakyKReLU", 1, 2,
	    { { "leak", 0, SURROGATE_RANGE_NONNEGATIVE },
	      { "k", 1, SURROGATE_RANGE_NONNEGATIVE } } },
	[SURROGATE_FAKE_NUMERICAL_GRADIENT] = { "fake_numerical_gradient",
	    "FakeNumericalGradient", 0, 1,
	    { { "alpha", 0.3, SURROGATE_RANGE_POSITIVE } } },
	[SURROGATE_LOG_TAILED_RELU] = { "log_tailed_relu", "LogTailedReLU", 1,
	    1, { { "alpha", 0, SURROGATE_RANGE_NONNEGATIVE } } },
	[SURROGATE_RECT] = { "rect", "Rect", 1, 1,
	    { { "alpha", 1, SURROGATE_RANGE_POSITIVE } } },
	[SURROGATE_SINE] = { "sine", NULL, 1, 1,
	    { { "alpha", 1, SURROGATE_RANGE_POSITIVE } } },
	[SURROGATE_POWER] = { "power", NULL, 1, 1,
	    { { "alpha", 0.5, SURROGATE_RANGE_UNIT } } },
};

/* The registry of tables: a list, and the lock for adding to it. */
static struct surrogate_table	*surrogate_tables;
static pthread_mutex_t		 surrogate_tables_lock =
				     PTHREAD_MUTEX_INITIALIZER;

/* Appends name to the comma-separated list in buf (len bytes, terminated). */
static void
surrogate_append(char *buf, size_t len, const char *name)
{
	size_t	used = strlen(buf);

	if (used + 1 < len)
		snprintf(buf + used, len - used, "%s%s", used == 0 ? "" : ", ",
		    name);
}

/*
 * Sets s to the surrogate called name (snnwb's snake_case name, or the
 * SpikingJelly class name such as "ATan") with SpikingJelly's defaults; an
 * unknown name leaves s alone and the message lists the valid names.
 */
int
surrogate_init(struct surrogate *s, const char *name, char **cause)
{
	const struct surrogate_info	*info;
	char				 list[512];
	int				 k, i;

	for (k = 0; k < SURROGATE_COUNT; k++) {
		info = &surrogate_infos[k];
		if (strcmp(name, info->name) == 0 ||
		    (info->class_name != NULL &&
		    strcmp(name, info->class_name) == 0))
			break;
	}
	if (k == SURROGATE_COUNT) {
		list[0] = '\0';
		for (k = 0; k < SURROGATE_COUNT; k++)
			surrogate_append(list, sizeof list,
			    surrogate_infos[k].name);
		return error_set(cause, "unknown surrogate \"%s\" (one of: %s)",
		    name, list);
	}
	memset(s, 0, sizeof *s);
	s->kind = (enum surrogate_kind)k;
	for (i = 0; i < info->nparams; i++)
		s->p[i] = info->param[i].def;
	return 0;
}

/* Returns the index of s's parameter called param, or -1. */
static int
surrogate_find(const struct surrogate *s, const char *param)
{
	int	i;

	for (i = 0; i < surrogate_nparams(s); i++)
		if (strcmp(param, surrogate_param_name(s, i)) == 0)
			return i;
	return -1;
}

/*
 * Sets one parameter by SpikingJelly's name after checking that s has it
 * and that value lies in its range; on failure s is unchanged and the
 * message names the surrogate, the parameter and what it must be.
 */
int
surrogate_set(struct surrogate *s, const char *param, double value,
    char **cause)
{
	const struct surrogate_info	*info;
	const struct surrogate_bounds	*b;
	char				 list[64];
	int				 i, ok;

	if (s->kind == SURROGATE_TABLE)
		return error_set(cause, "surrogate %s is tabulated: its "
		    "parameters are fixed", s->table->name);
	info = &surrogate_infos[s->kind];
	if ((i = surrogate_find(s, param)) == -1) {
		list[0] = '\0';
		for (i = 0; i < info->nparams; i++)
			surrogate_append(list, sizeof list,
			    info->param[i].name);
		return error_set(cause, "surrogate %s has no parameter \"%s\" "
		    "(its parameters: %s)", info->name, param, list);
	}
	b = &surrogate_bounds[info->param[i].range];
	ok = (b->flags & SURROGATE_LO_OPEN ? value > b->lo : value >= b->lo) &&
	    (b->flags & SURROGATE_HI_OPEN ? value < b->hi : value <= b->hi) &&
	    (!(b->flags & SURROGATE_INT) || value == floor(value));
	if (!ok)
		return error_set(cause, "surrogate %s: %s must be %s, not %g",
		    info->name, param, b->words, value);
	s->p[i] = value;
	return 0;
}

/* Returns the name of kind (for listing them all), or NULL if none. */
const char *
surrogate_kind_name(enum surrogate_kind kind)
{
	if ((int)kind < 0 || kind >= SURROGATE_COUNT)
		return NULL;
	return surrogate_infos[kind].name;
}

/* Returns s's name: as surrogate_init takes it, or the table's. */
const char *
surrogate_name(const struct surrogate *s)
{
	if (s->kind == SURROGATE_TABLE)
		return s->table->name;
	return surrogate_infos[s->kind].name;
}

/*
 * Returns s's SpikingJelly class name, or NULL for snnwb's sine and power
 * and for tables.
 */
const char *
surrogate_class_name(const struct surrogate *s)
{
	if (s->kind == SURROGATE_TABLE)
		return NULL;
	return surrogate_infos[s->kind].class_name;
}

/* Returns how many parameters s has (1 or 2 for built-ins, 0 to 3 else). */
int
surrogate_nparams(const struct surrogate *s)
{
	if (s->kind == SURROGATE_TABLE)
		return s->table->nparams;
	return surrogate_infos[s->kind].nparams;
}

/* Returns the name of s's parameter i, or NULL past the last. */
const char *
surrogate_param_name(const struct surrogate *s, int i)
{
	if (i < 0 || i >= surrogate_nparams(s))
		return NULL;
	if (s->kind == SURROGATE_TABLE)
		return s->table->param_name[i];
	return surrogate_infos[s->kind].param[i].name;
}

/* Returns the value of s's parameter called param, or NaN if it has none. */
double
surrogate_param(const struct surrogate *s, const char *param)
{
	int	i = surrogate_find(s, param);

	return i == -1 ? NAN : s->p[i];
}

/*
 * Returns whether s has a smooth primitive: SpikingJelly defines none for
 * SuperSpike and FakeNumericalGradient, nor has a table defined by its
 * gradient alone.
 */
int
surrogate_has_primitive(const struct surrogate *s)
{
	if (s->kind == SURROGATE_TABLE)
		return s->table->primitive;
	return surrogate_infos[s->kind].has_primitive;
}

/* The logistic function as PyTorch's float kernel: 1 / (1 + exp(-z)). */
static inline float
surrogate_logistic(float z)
{
	return 1.0f / (1.0f + expf(-z));
}

/*
 * Fills cw (n - 1 floats) with the angular frequencies (2i - 1) 2 pi /
 * T_period of SquarewaveFourierSeries, i = 1..n-1, computed in double and
 * rounded once as SpikingJelly's Python scalars are; returns n - 1.
 */
static int
surrogate_fourier(const struct surrogate *s, float *cw)
{
	double	w = M_PI * 2.0 / s->p[1];
	int	i, n = (int)s->p[0];

	for (i = 1; i < n; i++)
		cw[i - 1] = (float)((2 * i - 1.0) * w);
	return n - 1;
}

/*
 * Places v on the table grid starting at lo with scale cells per unit and
 * top cells: *k is the cell (at most last = top - 1) and the result the
 * fraction of the way through it, clamped to 0 below the grid and to 1 at
 * or above its end. Clamping before the conversion to int makes any v
 * safe.
 */
static inline float
surrogate_table_cell(float v, float lo, float scale, float top, float last,
    int *k)
{
	float	u = fminf(fmaxf((v - lo) * scale, 0.0f), top);

	*k = (int)fminf(u, last);
	return u - (float)*k;
}

/*
 * g (n) = the derivative tabulated in t at x (n), interpolated linearly
 * between nodes, exactly 0 outside the support and NaN where x is NaN. The
 * node index is clamped before the conversion to int, so any x is safe.
 */
static void
surrogate_table_grad(const struct surrogate_table *t, float *g,
    const float *x, size_t n)
{
	const float	*tab = t->grad;
	float		 lo = (float)t->lo, hi = (float)t->hi;
	float		 scale = (float)(t->n / (t->hi - t->lo));
	float		 top = (float)t->n, last = (float)(t->n - 1);
	float		 v, f, y;
	size_t		 i;
	int		 k;

	for (i = 0; i < n; i++) {
		v = x[i];
		f = surrogate_table_cell(v, lo, scale, top, last, &k);
		y = (float)((v >= lo) & (v <= hi)) *
		    (tab[k] + f * (tab[k + 1] - tab[k]));
		g[i] = v == v ? y : v;
	}
}

/*
 * y (n) = the primitive tabulated in t at x (n): cubic Hermite
 * interpolation of the values prim with the slopes grad, which gives the
 * end values exactly beyond the support (there u is clamped to 0 or n).
 */
static void
surrogate_table_primitive(const struct surrogate_table *t, float *y,
    const float *x, size_t n)
{
	const float	*p = t->prim, *d = t->grad;
	float		 lo = (float)t->lo, h = (float)((t->hi - t->lo) / t->n);
	float		 scale = (float)(t->n / (t->hi - t->lo));
	float		 top = (float)t->n, last = (float)(t->n - 1);
	float		 v, u, f, f2, f3;
	size_t		 i;
	int		 k;

	for (i = 0; i < n; i++) {
		v = x[i];
		f = surrogate_table_cell(v, lo, scale, top, last, &k);
		f2 = f * f;
		f3 = f2 * f;
		u = (2.0f * f3 - 3.0f * f2 + 1.0f) * p[k] +
		    (f3 - 2.0f * f2 + f) * h * d[k] +
		    (3.0f * f2 - 2.0f * f3) * p[k + 1] +
		    (f3 - f2) * h * d[k + 1];
		y[i] = v == v ? u : v;
	}
}

/*
 * Checks that name is an identifier of 1 to SURROGATE_NAMELEN - 1
 * characters; what names it in the message ("parameter name").
 */
int
surrogate_check_name(const char *what, const char *name, char **cause)
{
	size_t	i, len = strlen(name);
	int	good = len > 0 && len < SURROGATE_NAMELEN &&
		    (name[0] < '0' || name[0] > '9');

	for (i = 0; i < len && good; i++)
		good = (name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= 'A' && name[i] <= 'Z') ||
		    (name[i] >= '0' && name[i] <= '9') || name[i] == '_';
	if (!good)
		return error_set(cause, "%s \"%s\" must be an identifier "
		    "(letters, digits and _, not starting with a digit) of "
		    "1 to %d characters", what, name, SURROGATE_NAMELEN - 1);
	return 0;
}

/*
 * Returns point i (a node when i is an integer, 0 <= i <= n) of the grid of
 * n intervals on [lo, hi], computed from the nearer end so that the ends
 * are exact and a symmetric support gives symmetric points.
 */
double
surrogate_table_x(double lo, double hi, int n, double i)
{
	if (i <= n / 2.0)
		return lo + (hi - lo) * (i / n);
	return hi - (hi - lo) * ((n - i) / n);
}

/*
 * Returns a new, unregistered table of n intervals with its tables (n + 1
 * floats each) zeroed, for the caller to fill, and marked as having a
 * primitive; NULL with *cause set when n is out of range or memory is
 * short.
 */
struct surrogate_table *
surrogate_table_new(int n, char **cause)
{
	struct surrogate_table	*t;

	if (n < SURROGATE_TABLE_MIN || n > SURROGATE_TABLE_MAX) {
		error_set(cause, "a surrogate table must have %d to %d "
		    "intervals, not %d", SURROGATE_TABLE_MIN,
		    SURROGATE_TABLE_MAX, n);
		return NULL;
	}
	if ((t = mem_calloc(1, sizeof *t)) == NULL ||
	    (t->grad = mem_calloc((size_t)n + 1, sizeof *t->grad)) == NULL ||
	    (t->prim = mem_calloc((size_t)n + 1, sizeof *t->prim)) == NULL) {
		surrogate_table_free(t);
		error_set(cause, "out of memory for a surrogate table of %d "
		    "intervals", n);
		return NULL;
	}
	t->n = n;
	t->primitive = 1;
	return t;
}

/* Names the unregistered table t after checking the name. */
int
surrogate_table_set_name(struct surrogate_table *t, const char *name,
    char **cause)
{
	if (surrogate_check_name("surrogate name", name, cause) != 0)
		return -1;
	snprintf(t->name, sizeof t->name, "%s", name);
	return 0;
}

/*
 * Adds a parameter to the unregistered table t after checking its name,
 * that t has no parameter of that name and room for it, and that value is
 * finite.
 */
int
surrogate_table_add_param(struct surrogate_table *t, const char *name,
    double value, char **cause)
{
	int	i;

	if (surrogate_check_name("parameter name", name, cause) != 0)
		return -1;
	for (i = 0; i < t->nparams; i++)
		if (strcmp(name, t->param_name[i]) == 0)
			return error_set(cause, "surrogate %s: parameter %s "
			    "given twice", t->name, name);
	if (t->nparams == SURROGATE_MAXPARAM)
		return error_set(cause, "surrogate %s: parameter %s is one "
		    "too many (at most %d)", t->name, name,
		    SURROGATE_MAXPARAM);
	if (!isfinite(value))
		return error_set(cause, "surrogate %s: parameter %s must be "
		    "finite, not %g", t->name, name, value);
	snprintf(t->param_name[t->nparams], SURROGATE_NAMELEN, "%s", name);
	t->param[t->nparams++] = value;
	return 0;
}

/* Sets the support of the unregistered table t: finite, with lo < hi. */
int
surrogate_table_set_support(struct surrogate_table *t, double lo,
    double hi, char **cause)
{
	if (!(fabs(lo) <= FLT_MAX) || !(fabs(hi) <= FLT_MAX) || !(lo < hi))
		return error_set(cause, "surrogate %s: support [%g, %g] must "
		    "be finite with lo < hi", t->name, lo, hi);
	t->lo = lo;
	t->hi = hi;
	return 0;
}

/* Frees a table that was never registered; NULL is allowed. */
void
surrogate_table_free(struct surrogate_table *t)
{
	if (t == NULL)
		return;
	mem_free(t->grad);
	mem_free(t->prim);
	mem_free(t);
}

/*
 * Sets the errors of the filled, unregistered table t from the true values
 * grad and prim (n + 2 each; prim unread when t has no primitive) of its
 * functions at its check points: point j is (float)surrogate_table_x(lo,
 * hi, n, j - 0.5), the midpoints between nodes and half a step beyond each
 * end.
 */
void
surrogate_table_measure(struct surrogate_table *t, const double *grad,
    const double *prim)
{
	struct surrogate	s;
	float			x, g, y;
	double			e;
	int			j;

	surrogate_init_table(&s, t);
	t->grad_error = t->prim_error = 0;
	t->grad_error_at = t->prim_error_at = t->lo;
	for (j = 0; j <= t->n + 1; j++) {
		x = (float)surrogate_table_x(t->lo, t->hi, t->n, j - 0.5);
		surrogate_grad(&s, &g, &x, 1);
		if ((e = fabs(g - grad[j])) > t->grad_error) {
			t->grad_error = e;
			t->grad_error_at = x;
		}
		if (!t->primitive)
			continue;
		surrogate_primitive(&s, &y, &x, 1);
		if ((e = fabs(y - prim[j])) > t->prim_error) {
			t->prim_error = e;
			t->prim_error_at = x;
		}
	}
}

/* Returns whether the n floats of v are all finite. */
static int
surrogate_finite(const float *v, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return 0;
	return 1;
}

/*
 * Checks what the setters do not (a name and a support were set; the
 * tables and the errors are finite) before a table is registered.
 */
static int
surrogate_table_check(const struct surrogate_table *t, char **cause)
{
	if (t->name[0] == '\0' || !(t->lo < t->hi))
		return error_set(cause, "a surrogate table needs a name and a "
		    "support");
	if (!surrogate_finite(t->grad, t->n + 1) ||
	    !surrogate_finite(t->prim, t->n + 1))
		return error_set(cause, "surrogate %s: its tables hold values "
		    "that are not finite", t->name);
	if (!(t->grad_error >= 0) || !(t->prim_error >= 0) ||
	    !isfinite(t->grad_error + t->prim_error + t->grad_error_at +
	    t->prim_error_at))
		return error_set(cause, "surrogate %s: its errors must be "
		    "finite and not negative", t->name);
	return 0;
}

/* Sorts t's parameters by name, so that equal tables compare equal. */
static void
surrogate_table_sort(struct surrogate_table *t)
{
	char	name[SURROGATE_NAMELEN];
	double	value;
	int	i, j;

	for (i = 1; i < t->nparams; i++) {
		for (j = i; j > 0 && strcmp(t->param_name[j - 1],
		    t->param_name[j]) > 0; j--) {
			memcpy(name, t->param_name[j], sizeof name);
			memcpy(t->param_name[j], t->param_name[j - 1],
			    sizeof name);
			memcpy(t->param_name[j - 1], name, sizeof name);
			value = t->param[j];
			t->param[j] = t->param[j - 1];
			t->param[j - 1] = value;
		}
	}
}

/* Returns whether tables a and b are the same in everything they hold. */
static int
surrogate_table_same(const struct surrogate_table *a,
    const struct surrogate_table *b)
{
	size_t	size = ((size_t)a->n + 1) * sizeof *a->grad;
	int	i;

	if (strcmp(a->name, b->name) != 0 || a->nparams != b->nparams ||
	    a->lo != b->lo || a->hi != b->hi || a->n != b->n ||
	    a->derived != b->derived || a->primitive != b->primitive ||
	    a->grad_error != b->grad_error ||
	    a->grad_error_at != b->grad_error_at ||
	    a->prim_error != b->prim_error ||
	    a->prim_error_at != b->prim_error_at)
		return 0;
	for (i = 0; i < a->nparams; i++)
		if (strcmp(a->param_name[i], b->param_name[i]) != 0 ||
		    a->param[i] != b->param[i])
			return 0;
	return memcmp(a->grad, b->grad, size) == 0 &&
	    memcmp(a->prim, b->prim, size) == 0;
}

/*
 * Registers the filled table t, taking it over in every case: checks it,
 * sorts its parameters by name, and sets *out to t or to an identical table
 * registered before (then t is freed). On failure t is freed and *cause
 * set. Registered tables are never changed or freed, so threads may read
 * them without locking.
 */
int
surrogate_table_register(struct surrogate_table *t,
    const struct surrogate_table **out, char **cause)
{
	struct surrogate_table	*old;

	if (surrogate_table_check(t, cause) != 0) {
		surrogate_table_free(t);
		return -1;
	}
	surrogate_table_sort(t);
	pthread_mutex_lock(&surrogate_tables_lock);
	for (old = surrogate_tables; old != NULL; old = old->next)
		if (surrogate_table_same(old, t))
			break;
	if (old == NULL) {
		t->next = surrogate_tables;
		surrogate_tables = t;
	}
	pthread_mutex_unlock(&surrogate_tables_lock);
	if (old != NULL) {
		surrogate_table_free(t);
		t = old;
	}
	*out = t;
	return 0;
}

/* Sets s to the tabulated surrogate t, its parameters copied into s->p. */
void
surrogate_init_table(struct surrogate *s, const struct surrogate_table *t)
{
	int	i;

	memset(s, 0, sizeof *s);
	s->kind = SURROGATE_TABLE;
	s->table = t;
	for (i = 0; i < t->nparams; i++)
		s->p[i] = t->param[i];
}

/*
 * g (n) = the surrogate derivative of s at x (n), SpikingJelly's backward
 * with an upstream gradient of 1; g may equal x.
 */
void
surrogate_grad(const struct surrogate *s, float *g, const float *x,
    size_t n)
{
	float	a = (float)s->p[0], b = (float)s->p[1];
	float	c0, c1, c2, v, z, sum, cw[SURROGATE_MAXTERMS];
	size_t	i;
	int	j, terms;

	switch (s->kind) {
	case SURROGATE_SIGMOID:
		/*
		 * alpha sigmoid(alpha x) (1 - sigmoid(alpha x)), in float as
		 * PyTorch: its 1 - s cancels for large alpha x, and the
		 * reference values carry that rounding (up to 4e-4 relative).
		 */
		for (i = 0; i < n; i++) {
			z = surrogate_logistic(a * x[i]);
			g[i] = (1.0f - z) * z * a;
		}
		break;
	case SURROGATE_ATAN:
		/* alpha / 2 / (1 + (pi / 2 alpha x)^2). */
		c0 = (float)(s->p[0] / 2);
		c1 = (float)(M_PI * (s->p[0] / 2));
		for (i = 0; i < n; i++) {
			z = c1 * x[i];
			g[i] = c0 / (1.0f + z * z);
		}
		break;
	case SURROGATE_PIECEWISE_QUADRATIC:
		/* alpha - alpha^2 |x| for |x| <= 1 / alpha, else 0. */
		c0 = (float)(1 / s->p[0]);
		c1 = (float)(s->p[0] * s->p[0]);
		for (i = 0; i < n; i++) {
			v = fabsf(x[i]);
			g[i] = (float)(v <= c0) * (-c1 * v + a);
		}
		break;
	case SURROGATE_PIECEWISE_EXP:
		/* alpha / 2 exp(-alpha |x|). */
		c0 = (float)(s->p[0] / 2);
		for (i = 0; i < n; i++)
			g[i] = c0 * expf(-a * fabsf(x[i]));
		break;
	case SURROGATE_SOFT_SIGN:
		/* 1 / (2 alpha (1 / alpha + |x|)^2). */
		c0 = (float)(1 / s->p[0]);
		c1 = (float)(2 * s->p[0]);
		for (i = 0; i < n; i++) {
			v = c0 + fabsf(x[i]);
			g[i] = 1.0f / (c1 * (v * v));
		}
		break;
	case SURROGATE_ERF:
		/* alpha / sqrt(pi) exp(-(alpha x)^2). */
		c0 = (float)(s->p[0] / sqrt(M_PI));
		for (i = 0; i < n; i++) {
			z = x[i] * a;
			g[i] = expf(-(z * z)) * c0;
		}
		break;
	case SURROGATE_SUPER_SPIKE:
		/* alpha / (|x| + 1)^2. */
		for (i = 0; i < n; i++) {
			v = fabsf(x[i]) + 1.0f;
			g[i] = a / (v * v);
		}
		break;
	case SURROGATE_NONZERO_SIGN_LOG_ABS:
		/* 1 / (1 / alpha + |x|). */
		c0 = (float)(1 / s->p[0]);
		for (i = 0; i < n; i++)
			g[i] = 1.0f / (c0 + fabsf(x[i]));
		break;
	case SURROGATE_PIECEWISE_LEAKY_RELU:
		/* 1 / (2w) for |x| < w, else c (1 / w before master). */
		c0 = (float)(1 / (2 * s->p[0]));
		for (i = 0; i < n; i++) {
			v = (float)(fabsf(x[i]) < a);
			g[i] = v * c0 + (1.0f - v) * b;
		}
		break;
	case SURROGATE_SQUAREWAVE_FOURIER_SERIES:
		/* 4 / T sum_{i<n} cos((2i - 1) 2 pi x / T), T = T_period. */
		terms = surrogate_fourier(s, cw);
		c0 = (float)(4.0 / s->p[1]);
		for (i = 0; i < n; i++) {
			sum = 0.0f;
			for (j = 0; j < terms; j++)
				sum += cosf(cw[j] * x[i]);
			g[i] = sum * c0;
		}
		break;
	case SURROGATE_S2NN:
		/*
		 * alpha s (1 - s) with s = sigmoid(alpha x) below 0, beta /
		 * (x + 1) from 0.
		 */
		for (i = 0; i < n; i++) {
			if (x[i] < 0.0f) {
				z = surrogate_logistic(a * x[i]);
				g[i] = a * z * (1.0f - z);
			} else
				g[i] = b / (x[i] + 1.0f);
		}
		break;
	case SURROGATE_Q_PSEUDO_SPIKE:
		/* (1 + 2 |x| / (alpha - 1))^(-alpha). */
		c0 = (float)(2 / (s->p[0] - 1));
		for (i = 0; i < n; i++)
			g[i] = powf(1.0f + c0 * fabsf(x[i]), -a);
		break;
	case SURROGATE_LEAKY_K_RELU:
		/* k for x >= 0, leak below. */
		for (i = 0; i < n; i++) {
			v = (float)(x[i] >= 0.0f);
			g[i] = v * b + (1.0f - v) * a;
		}
		break;
	case SURROGATE_FAKE_NUMERICAL_GRADIENT:
		/*
		 * min(sign(x) / x, alpha) with sign(0) = 1, i.e. min(1 / |x|,
		 * alpha). Written with |x| so that x = -0 gives alpha, where
		 * SpikingJelly's 1 / -0 gives -inf.
		 */
		for (i = 0; i < n; i++) {
			v = 1.0f / fabsf(x[i]);
			g[i] = v < a ? v : a;
		}
		break;
	case SURROGATE_LOG_TAILED_RELU:
		/* alpha for x <= 0, 1 up to x = 1, 1 / x beyond. */
		for (i = 0; i < n; i++) {
			if (x[i] > 1.0f)
				g[i] = 1.0f / x[i];
			else
				g[i] = x[i] <= 0.0f ? a : 1.0f;
		}
		break;
	case SURROGATE_RECT:
		/* alpha for |x| < 0.5 / alpha, else 0. */
		c0 = (float)(0.5 / s->p[0]);
		for (i = 0; i < n; i++)
			g[i] = a * (float)(fabsf(x[i]) < c0);
		break;
	case SURROGATE_SINE:
		/*
		 * pi / (4a) cos(pi x / (2a)) for |x| < a, else exactly 0; at
		 * |x| = a the cosine is 0, so 0 is exact there too.
		 */
		c0 = (float)(M_PI / (2 * s->p[0]));
		c1 = (float)(M_PI / (4 * s->p[0]));
		for (i = 0; i < n; i++)
			g[i] = (float)(fabsf(x[i]) < a) *
			    (c1 * cosf(c0 * x[i]));
		break;
	case SURROGATE_POWER:
		/*
		 * 0.5 a |x|^(a - 1) for |x| <= 1, else exactly 0, evaluated at
		 * max(|x|, SURROGATE_POWER_XMIN) to cap the pole at 0.
		 */
		c0 = (float)(0.5 * s->p[0]);
		c1 = (float)(s->p[0] - 1);
		c2 = (float)SURROGATE_POWER_XMIN;
		for (i = 0; i < n; i++) {
			v = fabsf(x[i]);
			g[i] = (float)(v <= 1.0f) * c0 * powf(fmaxf(v, c2), c1);
		}
		break;
	case SURROGATE_TABLE:
		surrogate_table_grad(s->table, g, x, n);
		break;
	case SURROGATE_COUNT:
		break;
	}
}

/*
 * y (n) = the smooth primitive of s at x (n), what SpikingJelly outputs
 * with spiking=False; for SuperSpike, FakeNumericalGradient and tables
 * defined by their gradient alone, which have none, the Heaviside step (1
 * where x >= 0). y may equal x.
 */
void
surrogate_primitive(const struct surrogate *s, float *y, const float *x,
    size_t n)
{
	float	a = (float)s->p[0], b = (float)s->p[1];
	float	c0, c1, c2, v, sum, cw[SURROGATE_MAXTERMS];
	size_t	i;
	int	j, terms;

	switch (s->kind) {
	case SURROGATE_SIGMOID:
		/* sigmoid(alpha x). */
		for (i = 0; i < n; i++)
			y[i] = surrogate_logistic(x[i] * a);
		break;
	case SURROGATE_ATAN:
		/* atan(pi / 2 alpha x) / pi + 1 / 2. */
		c0 = (float)(M_PI / 2 * s->p[0]);
		for (i = 0; i < n; i++)
			y[i] = atanf(c0 * x[i]) / (float)M_PI + 0.5f;
		break;
	case SURROGATE_PIECEWISE_QUADRATIC:
		/* -alpha^2 / 2 x |x| + alpha x + 1/2 for |x| <= 1 / alpha. */
		c0 = (float)(1 / s->p[0]);
		c1 = (float)(-(s->p[0] * s->p[0]) / 2);
		for (i = 0; i < n; i++) {
			v = x[i];
			if (fabsf(v) <= c0)
				y[i] = c1 * (v * fabsf(v)) + a * v + 0.5f;
			else
				y[i] = v > c0 ? 1.0f : 0.0f;
		}
		break;
	case SURROGATE_PIECEWISE_EXP:
		/* exp(alpha x) / 2 below 0, 1 - exp(-alpha x) / 2 from 0. */
		for (i = 0; i < n; i++) {
			v = x[i];
			if (v >= 0.0f)
				y[i] = 1.0f - expf(v * -a) / 2.0f;
			else
				y[i] = expf(v * a) / 2.0f;
		}
		break;
	case SURROGATE_SOFT_SIGN:
		/* (softsign(alpha x) + 1) / 2, softsign(z) = z / (1 + |z|). */
		for (i = 0; i < n; i++) {
			v = x[i] * a;
			y[i] = (v / (1.0f + fabsf(v)) + 1.0f) / 2.0f;
		}
		break;
	case SURROGATE_ERF:
		/* erfc(-alpha x) / 2. */
		for (i = 0; i < n; i++)
			y[i] = erfcf(-a * x[i]) / 2.0f;
		break;
	case SURROGATE_NONZERO_SIGN_LOG_ABS:
		/* sign(x) log(alpha |x| + 1), sign(0) = 1. */
		for (i = 0; i < n; i++) {
			v = logf(a * fabsf(x[i]) + 1.0f);
			y[i] = x[i] >= 0.0f ? v : -v;
		}
		break;
	case SURROGATE_PIECEWISE_LEAKY_RELU:
		/* c x + c w below -w, x / (2w) + 1/2, c x - c w + 1 above w. */
		c0 = (float)(s->p[1] * s->p[0]);
		c1 = (float)(-(s->p[1] * s->p[0]) + 1);
		c2 = (float)(2 * s->p[0]);
		for (i = 0; i < n; i++) {
			if (x[i] < -a)
				y[i] = b * x[i] + c0;
			else if (x[i] > a)
				y[i] = b * x[i] + c1;
			else
				y[i] = x[i] / c2 + 0.5f;
		}
		break;
	case SURROGATE_SQUAREWAVE_FOURIER_SERIES:
		/* 1/2 + 2 / pi sum_{i=1}^{n-1} sin((2i - 1) w x) / (2i - 1). */
		terms = surrogate_fourier(s, cw);
		c0 = (float)(2.0 / M_PI);
		for (i = 0; i < n; i++) {
			sum = 0.0f;
			for (j = 0; j < terms; j++)
				sum += sinf(cw[j] * x[i]) / (float)(2 * j + 1);
			y[i] = 0.5f + c0 * sum;
		}
		break;
	case SURROGATE_S2NN:
		/*
		 * sigmoid(alpha x) below 0, beta log(|x + 1| + 1e-5) + 1/2 from
		 * 0: SpikingJelly's code, whose docstring says + 1.
		 */
		for (i = 0; i < n; i++) {
			if (x[i] < 0.0f)
				y[i] = surrogate_logistic(x[i] * a);
			else
				y[i] = b * logf(fabsf(x[i] + 1.0f) + 1e-5f) +
				    0.5f;
		}
		break;
	case SURROGATE_Q_PSEUDO_SPIKE:
		/* (1 + 2|x| / (alpha - 1))^(1 - alpha) / 2, mirrored from 0. */
		c0 = (float)(2 / (s->p[0] - 1));
		c1 = (float)(1 - s->p[0]);
		for (i = 0; i < n; i++) {
			v = 0.5f * powf(1.0f + c0 * fabsf(x[i]), c1);
			y[i] = x[i] >= 0.0f ? 1.0f - v : v;
		}
		break;
	case SURROGATE_LEAKY_K_RELU:
		/* k x from 0, leak x below. */
		for (i = 0; i < n; i++)
			y[i] = (x[i] >= 0.0f ? b : a) * x[i];
		break;
	case SURROGATE_LOG_TAILED_RELU:
		/*
		 * alpha x up to 0, x up to 1, log(x) + 1 beyond. SpikingJelly
		 * masks log(x) with a multiplication, which gives NaN for
		 * x <= 0; this is the function it means.
		 */
		for (i = 0; i < n; i++) {
			if (x[i] > 1.0f)
				y[i] = logf(x[i]) + 1.0f;
			else
				y[i] = x[i] > 0.0f ? x[i] : a * x[i];
		}
		break;
	case SURROGATE_RECT:
		/* clamp(alpha x + 1/2, 0, 1). */
		for (i = 0; i < n; i++)
			y[i] = fminf(fmaxf(a * x[i] + 0.5f, 0.0f), 1.0f);
		break;
	case SURROGATE_SINE:
		/* 0 below -a, sin(pi x / (2a)) / 2 + 1/2, 1 above a. */
		c0 = (float)(M_PI / (2 * s->p[0]));
		for (i = 0; i < n; i++) {
			if (x[i] > a)
				y[i] = 1.0f;
			else if (x[i] < -a)
				y[i] = 0.0f;
			else
				y[i] = 0.5f * sinf(c0 * x[i]) + 0.5f;
		}
		break;
	case SURROGATE_POWER:
		/* 0 below -1, sgn(x) |x|^a / 2 + 1/2, 1 above 1. */
		for (i = 0; i < n; i++) {
			if (x[i] > 1.0f)
				y[i] = 1.0f;
			else if (x[i] < -1.0f)
				y[i] = 0.0f;
			else
				y[i] = 0.5f * copysignf(powf(fabsf(x[i]), a),
				    x[i]) + 0.5f;
		}
		break;
	case SURROGATE_TABLE:
		if (s->table->primitive) {
			surrogate_table_primitive(s->table, y, x, n);
			break;
		}
		/* FALLTHROUGH */
	case SURROGATE_SUPER_SPIKE:
	case SURROGATE_FAKE_NUMERICAL_GRADIENT:
	case SURROGATE_COUNT:
		for (i = 0; i < n; i++)
			y[i] = x[i] >= 0.0f ? 1.0f : 0.0f;
		break;
	}
}
