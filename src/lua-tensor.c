/*
 * lua-tensor.c: tensors in Lua. A tensor userdata either owns its floats
 * (kept inside the userdata, so Lua's collector frees them) or is a view
 * into another object (a network's parameters or activations, or another
 * tensor) held in its uservalue. Indices are 1-based as everywhere in Lua;
 * data is row-major.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lua-snn.h"

/* How many values tostring shows before "...". */
#define LSNN_TENSOR_SHOW 8

/* Returns nonzero when a view's owner has moved or freed its memory. */
int
lsnn_tensor_stale(const struct lsnn_tensor *lt)
{
	return lt->epoch_of != NULL && *lt->epoch_of != lt->epoch;
}

/*
 * Returns the tensor at idx, raising an error naming fn and arg when it is
 * not a tensor or is a stale view.
 */
struct lsnn_tensor *
lsnn_tensor_check(lua_State *L, int idx, const char *fn, const char *arg)
{
	struct lsnn_tensor	*lt;

	if ((lt = luaL_testudata(L, idx, LSNN_TENSOR)) == NULL)
		lsnn_argerror(L, fn, arg, "must be a tensor (got %s)",
		    luaL_typename(L, idx));
	if (lsnn_tensor_stale(lt))
		lsnn_argerror(L, fn, arg, "is a stale view: its network ran "
		    "forward again or was closed (t:clone() keeps values)");
	return lt;
}

/* Allocates a tensor userdata with room for n owned floats, on the stack. */
static struct lsnn_tensor *
lsnn_tensor_alloc(lua_State *L, size_t n)
{
	struct lsnn_tensor	*lt;

	lt = lua_newuserdatauv(L, sizeof *lt + n * sizeof(float), 1);
	memset(lt, 0, sizeof *lt);
	luaL_setmetatable(L, LSNN_TENSOR);
	return lt;
}

/* Pushes a new owned tensor of the given shape, filled with zeros. */
struct lsnn_tensor *
lsnn_tensor_push(lua_State *L, int ndim, const int *shape)
{
	struct lsnn_tensor	*lt;
	struct tensor		 probe;
	size_t			 n;

	tensor_view(&probe, NULL, ndim, shape);
	n = tensor_numel(&probe);
	lt = lsnn_tensor_alloc(L, n);
	tensor_view(&lt->t, lt->own, ndim, shape);
	memset(lt->own, 0, n * sizeof(float));
	return lt;
}

/*
 * Pushes a view of data with the given shape that keeps the value at owner
 * alive; epoch_of (or NULL) is the owner's counter that makes it stale.
 */
void
lsnn_tensor_push_view(lua_State *L, int owner, float *data, int ndim,
    const int *shape, const unsigned long *epoch_of)
{
	struct lsnn_tensor	*lt;

	owner = lua_absindex(L, owner);
	lt = lsnn_tensor_alloc(L, 0);
	tensor_view(&lt->t, data, ndim, shape);
	lt->epoch_of = epoch_of;
	lt->epoch = epoch_of != NULL ? *epoch_of : 0;
	lt->busy = NULL;
	lua_pushvalue(L, owner);
	lua_setiuservalue(L, -2, 1);
}

/*
 * Pushes a view into the tensor at idx (starting at data, with the given
 * shape); its owner is the tensor's own owner when it is itself a view.
 */
void
lsnn_tensor_push_subview(lua_State *L, int idx, float *data, int ndim,
    const int *shape)
{
	struct lsnn_tensor	*lt = lua_touserdata(L, idx);

	idx = lua_absindex(L, idx);
	if (lua_getiuservalue(L, idx, 1) == LUA_TNIL) {
		lua_pop(L, 1);
		lua_pushvalue(L, idx);
	}
	lsnn_tensor_push_view(L, -1, data, ndim, shape, lt->epoch_of);
	((struct lsnn_tensor *)lua_touserdata(L, -1))->busy = lt->busy;
	lua_remove(L, -2);
}

/*
 * Returns the tensor at idx for writing: as lsnn_tensor_check, and raises
 * an error when it views a network that a training job is using.
 */
static struct lsnn_tensor *
lsnn_tensor_writable(lua_State *L, int idx, const char *fn, const char *arg)
{
	struct lsnn_tensor	*lt = lsnn_tensor_check(L, idx, fn, arg);

	if (lt->busy != NULL && *lt->busy != 0)
		luaL_error(L, "%s: busy: network is being trained by job %d",
		    fn, *lt->busy);
	return lt;
}

/*
 * Reads a shape table at idx into shape and returns its length, inferring
 * one entry of -1 when numel is nonzero so that the shape holds numel
 * elements (numel 0: any product that fits a size_t count of floats).
 */
static int
lsnn_tensor_check_shape(lua_State *L, int idx, const char *fn,
    const char *arg, int *shape, size_t numel)
{
	lua_Integer	v;
	size_t		n = 1, limit = SIZE_MAX / sizeof(float);
	int		ndim, i, isint, infer = -1;

	if (!lua_istable(L, idx))
		lsnn_argerror(L, fn, arg, "must be a table of dimensions "
		    "(got %s)", luaL_typename(L, idx));
	ndim = (int)lua_rawlen(L, idx);
	if (ndim < 1 || ndim > TENSOR_MAXDIM)
		lsnn_argerror(L, fn, arg, "must have 1 to %d dimensions "
		    "(got %d)", TENSOR_MAXDIM, ndim);
	for (i = 0; i < ndim; i++) {
		lua_rawgeti(L, idx, i + 1);
		isint = 0;
		v = lua_type(L, -1) == LUA_TNUMBER ?
		    lua_tointegerx(L, -1, &isint) : 0;
		lua_pop(L, 1);
		if (isint && v == -1 && numel != 0 && infer < 0) {
			infer = i;
			shape[i] = 1;
			continue;
		}
		if (isint && v > INT_MAX)
			lsnn_argerror(L, fn, arg, "is too large: dimension "
			    "%d is %I, at most %d", i + 1, v, INT_MAX);
		if (!isint || v < 1)
			lsnn_argerror(L, fn, arg, "must hold positive "
			    "integers (dimension %d is not)", i + 1);
		if ((size_t)v > limit / n)
			lsnn_argerror(L, fn, arg, "is too large");
		shape[i] = (int)v;
		n *= (size_t)v;
	}
	if (infer >= 0 && numel % n == 0 && numel / n <= INT_MAX) {
		shape[infer] = (int)(numel / n);
		n = numel;
	}
	if (numel != 0 && n != numel)
		lsnn_argerror(L, fn, arg, "does not hold %I elements",
		    (lua_Integer)numel);
	return ndim;
}

/* Returns the floats per entry of the first dimension of t. */
static size_t
lsnn_tensor_stride(const struct tensor *t)
{
	return tensor_numel(t) / (size_t)t->shape[0];
}

/* Returns the start of t[i] (1-based along the first dimension). */
static float *
lsnn_tensor_row(lua_State *L, struct lsnn_tensor *lt, int idx,
    const char *fn)
{
	lua_Integer	i;
	int		isint = 0;

	i = lua_tointegerx(L, idx, &isint);
	if (!isint || i < 1 || i > lt->t.shape[0])
		luaL_error(L, "%s: index must be an integer in 1..%d (got %s)",
		    fn, lt->t.shape[0], luaL_tolstring(L, idx, NULL));
	return lt->t.data + (size_t)(i - 1) * lsnn_tensor_stride(&lt->t);
}

/*
 * Returns the element addressed by the ndim indices from idx on, each
 * checked against its dimension.
 */
static float *
lsnn_tensor_element(lua_State *L, struct lsnn_tensor *lt, int idx,
    const char *fn)
{
	lua_Integer	i;
	size_t		off = 0;
	int		d, isint;

	for (d = 0; d < lt->t.ndim; d++) {
		isint = 0;
		i = lua_type(L, idx + d) == LUA_TNUMBER ?
		    lua_tointegerx(L, idx + d, &isint) : 0;
		if (!isint || i < 1 || i > lt->t.shape[d])
			luaL_error(L, "%s: index %d must be an integer in "
			    "1..%d (got %s)", fn, d + 1, lt->t.shape[d],
			    luaL_tolstring(L, idx + d, NULL));
		off = off * (size_t)lt->t.shape[d] + (size_t)(i - 1);
	}
	return lt->t.data + off;
}

/*
 * Fills tensor data from the nested table at idx, dimension d of shape;
 * returns the position after the last float written.
 */
static float *
lsnn_tensor_fill_nested(lua_State *L, int idx, const int *shape, int ndim,
    int d, float *p)
{
	int	i;

	if (!lua_istable(L, idx) || lua_rawlen(L, idx) != (size_t)shape[d])
		lsnn_argerror(L, "snn.tensor", "data", "must be a "
		    "rectangular table of numbers (a row at depth %d is not "
		    "a table of %d)", d + 1, shape[d]);
	for (i = 1; i <= shape[d]; i++) {
		lua_rawgeti(L, idx, i);
		if (d + 1 < ndim)
			p = lsnn_tensor_fill_nested(L, lua_gettop(L), shape,
			    ndim, d + 1, p);
		else if (lua_type(L, -1) == LUA_TNUMBER)
			*p++ = (float)lua_tonumber(L, -1);
		else
			lsnn_argerror(L, "snn.tensor", "data", "must hold "
			    "numbers (got %s)", luaL_typename(L, -1));
		lua_pop(L, 1);
	}
	return p;
}

/*
 * snn.tensor(data [, shape]): a new tensor from nested tables, or from a
 * flat table and a shape.
 */
static int
lsnn_tensor_new(lua_State *L)
{
	struct lsnn_tensor	*lt;
	int			 shape[TENSOR_MAXDIM], ndim = 0, len;
	size_t			 n;

	if (!lua_istable(L, 1))
		lsnn_argerror(L, "snn.tensor", "data", "must be a table "
		    "(got %s)", luaL_typename(L, 1));
	if (!lua_isnoneornil(L, 2)) {
		n = lua_rawlen(L, 1);
		if (n == 0 || n > INT_MAX)
			lsnn_argerror(L, "snn.tensor", "data", "must hold 1 to "
			    "%d numbers (got %I)", INT_MAX, (lua_Integer)n);
		ndim = lsnn_tensor_check_shape(L, 2, "snn.tensor", "shape",
		    shape, n);
		lt = lsnn_tensor_push(L, ndim, shape);
		len = (int)n;
		lsnn_tensor_fill_nested(L, 1, &len, 1, 0, lt->own);
		return 1;
	}
	lua_pushvalue(L, 1);
	while (lua_istable(L, -1) && ndim < TENSOR_MAXDIM) {
		if ((shape[ndim++] = (int)lua_rawlen(L, -1)) == 0)
			lsnn_argerror(L, "snn.tensor", "data", "has an empty "
			    "table at depth %d", ndim);
		lua_rawgeti(L, -1, 1);
	}
	if (lua_istable(L, -1))
		lsnn_argerror(L, "snn.tensor", "data", "is nested deeper "
		    "than %d", TENSOR_MAXDIM);
	lua_settop(L, 1);
	lt = lsnn_tensor_push(L, ndim, shape);
	lsnn_tensor_fill_nested(L, 1, shape, ndim, 0, lt->own);
	return 1;
}

/* snn.zeros(shape): a new tensor of zeros. */
static int
lsnn_tensor_zeros(lua_State *L)
{
	int	shape[TENSOR_MAXDIM], ndim;

	ndim = lsnn_tensor_check_shape(L, 1, "snn.zeros", "shape", shape, 0);
	lsnn_tensor_push(L, ndim, shape);
	return 1;
}

/* t:shape(): the dimensions as a table. */
static int
lsnn_tensor_shape(lua_State *L)
{
	struct lsnn_tensor	*lt = lsnn_tensor_check(L, 1, "tensor:shape",
				    "self");
	int			 i;

	lua_createtable(L, lt->t.ndim, 0);
	for (i = 0; i < lt->t.ndim; i++) {
		lua_pushinteger(L, lt->t.shape[i]);
		lua_rawseti(L, -2, i + 1);
	}
	return 1;
}

/* t:numel(): the number of elements. */
static int
lsnn_tensor_numel(lua_State *L)
{
	struct lsnn_tensor	*lt = lsnn_tensor_check(L, 1, "tensor:numel",
				    "self");

	lua_pushinteger(L, (lua_Integer)tensor_numel(&lt->t));
	return 1;
}

/* Pushes dimension d onward of shape from p as nested tables; returns p. */
static const float *
lsnn_tensor_push_nested(lua_State *L, const int *shape, int ndim, int d,
    const float *p)
{
	int	i;

	luaL_checkstack(L, 2, "tensor:totable");
	lua_createtable(L, shape[d], 0);
	for (i = 1; i <= shape[d]; i++) {
		if (d + 1 < ndim)
			p = lsnn_tensor_push_nested(L, shape, ndim, d + 1, p);
		else
			lua_pushnumber(L, *p++);
		lua_rawseti(L, -2, i);
	}
	return p;
}

/* t:totable(): the values as nested tables. */
static int
lsnn_tensor_totable(lua_State *L)
{
	struct lsnn_tensor	*lt = lsnn_tensor_check(L, 1,
				    "tensor:totable", "self");

	lsnn_tensor_push_nested(L, lt->t.shape, lt->t.ndim, 0, lt->t.data);
	return 1;
}

/* The reductions of t:sum, t:mean, t:max, t:min, t:argmax and t:argmin. */
enum lsnn_reduce {
	LSNN_SUM,
	LSNN_MEAN,
	LSNN_MAX,
	LSNN_MIN,
	LSNN_ARGMAX,
	LSNN_ARGMIN
};

/*
 * Reduces the n values x[0], x[stride], ... (n >= 1) by kind: the sum and
 * mean in double precision; the largest or smallest value, NaN as soon as
 * one is NaN, with *at set to the 0-based position of the first such one.
 */
static double
lsnn_tensor_line(const float *x, size_t n, size_t stride,
    enum lsnn_reduce kind, size_t *at)
{
	double	s = 0;
	size_t	i;
	int	larger = kind == LSNN_MAX || kind == LSNN_ARGMAX;

	*at = 0;
	if (kind == LSNN_SUM || kind == LSNN_MEAN) {
		for (i = 0; i < n; i++)
			s += x[i * stride];
		return kind == LSNN_MEAN ? s / (double)n : s;
	}
	for (i = 1; i < n && !isnan(x[*at * stride]); i++) {
		if (isnan(x[i * stride]) || (larger ?
		    x[i * stride] > x[*at * stride] :
		    x[i * stride] < x[*at * stride]))
			*at = i;
	}
	return x[*at * stride];
}

/*
 * Reads the index at idx for fn's argument arg along a dimension of n:
 * 1..n, or -n..-1 counting from the end; def when absent.
 */
static int
lsnn_tensor_opt_index(lua_State *L, int idx, int n, int def, const char *fn,
    const char *arg)
{
	lua_Integer	i;
	int		isint = 0;

	if (lua_isnoneornil(L, idx))
		return def;
	i = lua_type(L, idx) == LUA_TNUMBER ? lua_tointegerx(L, idx, &isint) :
	    0;
	if (!isint || i == 0 || i > n || i < -n)
		lsnn_argerror(L, fn, arg, "must be an integer in 1..%d or "
		    "-%d..-1 (got %s)", n, n, luaL_tolstring(L, idx, NULL));
	return i < 0 ? (int)(n + i + 1) : (int)i;
}

/*
 * Sets *outer and *inner to the products of t's dimensions before and
 * after dimension dim (1-based).
 */
static void
lsnn_tensor_around(const struct tensor *t, int dim, size_t *outer,
    size_t *inner)
{
	int	i;

	*outer = *inner = 1;
	for (i = 0; i < t->ndim; i++) {
		if (i < dim - 1)
			*outer *= (size_t)t->shape[i];
		else if (i > dim - 1)
			*inner *= (size_t)t->shape[i];
	}
}

/*
 * The body of the reductions: t:NAME() reduces every element to a number
 * (a 1-based flat index for argmax and argmin); t:NAME(dim) reduces along
 * dim to a tensor of the other dimensions, or to a number for a 1-D
 * tensor. max and min along dim return the indices as a second value.
 */
static int
lsnn_tensor_reduce(lua_State *L, const char *fn, enum lsnn_reduce kind)
{
	struct lsnn_tensor	*lt = lsnn_tensor_check(L, 1, fn, "self");
	struct lsnn_tensor	*val = NULL, *arg = NULL;
	int			 shape[TENSOR_MAXDIM], d, i, ndim;
	int			 args = kind == LSNN_ARGMAX || kind == LSNN_ARGMIN;
	int			 both = kind == LSNN_MAX || kind == LSNN_MIN;
	size_t			 outer, inner, n, o, k, at;
	double			 v;

	if ((d = lsnn_tensor_opt_index(L, 2, lt->t.ndim, 0, fn, "dim")) == 0) {
		v = lsnn_tensor_line(lt->t.data, tensor_numel(&lt->t), 1, kind,
		    &at);
		if (args)
			lua_pushinteger(L, (lua_Integer)at + 1);
		else
			lua_pushnumber(L, v);
		return 1;
	}
	n = (size_t)lt->t.shape[d - 1];
	lsnn_tensor_around(&lt->t, d, &outer, &inner);
	for (i = 0, ndim = 0; i < lt->t.ndim; i++) {
		if (i != d - 1)
			shape[ndim++] = lt->t.shape[i];
	}
	if (ndim == 0) {
		v = lsnn_tensor_line(lt->t.data, n, 1, kind, &at);
		if (!args)
			lua_pushnumber(L, v);
		if (args || both)
			lua_pushinteger(L, (lua_Integer)at + 1);
		return both ? 2 : 1;
	}
	if (!args)
		val = lsnn_tensor_push(L, ndim, shape);
	if (args || both)
		arg = lsnn_tensor_push(L, ndim, shape);
	for (o = 0; o < outer; o++) {
		for (k = 0; k < inner; k++) {
			v = lsnn_tensor_line(lt->t.data + o * n * inner + k, n,
			    inner, kind, &at);
			if (val != NULL)
				val->own[o * inner + k] = (float)v;
			if (arg != NULL)
				arg->own[o * inner + k] = (float)(at + 1);
		}
	}
	return both ? 2 : 1;
}

/* t:sum([dim]): the sum of the elements, or along dim. */
static int
lsnn_tensor_sum(lua_State *L)
{
	return lsnn_tensor_reduce(L, "tensor:sum", LSNN_SUM);
}

/* t:mean([dim]): the mean of the elements, or along dim. */
static int
lsnn_tensor_mean(lua_State *L)
{
	return lsnn_tensor_reduce(L, "tensor:mean", LSNN_MEAN);
}

/* t:max([dim]): the largest element, or the largest along dim and where. */
static int
lsnn_tensor_max(lua_State *L)
{
	return lsnn_tensor_reduce(L, "tensor:max", LSNN_MAX);
}

/* t:min([dim]): the smallest element, or the smallest along dim and where. */
static int
lsnn_tensor_min(lua_State *L)
{
	return lsnn_tensor_reduce(L, "tensor:min", LSNN_MIN);
}

/* t:argmax([dim]): where the largest element is, 1-based. */
static int
lsnn_tensor_argmax(lua_State *L)
{
	return lsnn_tensor_reduce(L, "tensor:argmax", LSNN_ARGMAX);
}

/* t:argmin([dim]): where the smallest element is, 1-based. */
static int
lsnn_tensor_argmin(lua_State *L)
{
	return lsnn_tensor_reduce(L, "tensor:argmin", LSNN_ARGMIN);
}

/* t:get(i, j, ...): one element, one index per dimension. */
static int
lsnn_tensor_get(lua_State *L)
{
	struct lsnn_tensor	*lt = lsnn_tensor_check(L, 1, "tensor:get",
				    "self");

	if (lua_gettop(L) != lt->t.ndim + 1)
		luaL_error(L, "tensor:get: needs %d indices (got %d)",
		    lt->t.ndim, lua_gettop(L) - 1);
	lua_pushnumber(L, *lsnn_tensor_element(L, lt, 2, "tensor:get"));
	return 1;
}

/* t:set(i, j, ..., v): writes one element; returns t. */
static int
lsnn_tensor_set(lua_State *L)
{
	struct lsnn_tensor	*lt = lsnn_tensor_writable(L, 1, "tensor:set",
				    "self");
	int			 top = lua_gettop(L);
	float			 v;

	if (top != lt->t.ndim + 2)
		luaL_error(L, "tensor:set: needs %d indices and a value "
		    "(got %d arguments)", lt->t.ndim, top - 1);
	v = (float)lsnn_check_number(L, top, "tensor:set", "v");
	*lsnn_tensor_element(L, lt, 2, "tensor:set") = v;
	lua_settop(L, 1);
	return 1;
}

/*
 * Writes the value at idx (a number, repeated, or a tensor of n elements)
 * into dst (n floats); fn and arg name the value in errors.
 */
static void
lsnn_tensor_write(lua_State *L, float *dst, size_t n, int idx,
    const char *fn, const char *arg)
{
	struct lsnn_tensor	*src;
	size_t			 i;
	float			 v;

	if (lua_type(L, idx) == LUA_TNUMBER) {
		v = (float)lua_tonumber(L, idx);
		for (i = 0; i < n; i++)
			dst[i] = v;
		return;
	}
	src = lsnn_tensor_check(L, idx, fn, arg);
	if (tensor_numel(&src->t) != n)
		lsnn_argerror(L, fn, arg, "has %I elements, the target %I",
		    (lua_Integer)tensor_numel(&src->t), (lua_Integer)n);
	memmove(dst, src->t.data, n * sizeof(float));
}

/*
 * The body of t:copy and t:fill, fn: writes argument 2, named arg, a number
 * when number is nonzero and else a tensor, into every element of the
 * writable tensor t; returns t.
 */
static int
lsnn_tensor_assign(lua_State *L, const char *fn, const char *arg,
    int number)
{
	struct lsnn_tensor	*lt = lsnn_tensor_writable(L, 1, fn, "self");

	if (number)
		lsnn_check_number(L, 2, fn, arg);
	else
		lsnn_tensor_check(L, 2, fn, arg);
	lsnn_tensor_write(L, lt->t.data, tensor_numel(&lt->t), 2, fn, arg);
	lua_settop(L, 1);
	return 1;
}

/* t:copy(other): copies other's values (same count) into t; returns t. */
static int
lsnn_tensor_copy(lua_State *L)
{
	return lsnn_tensor_assign(L, "tensor:copy", "other", 0);
}

/* t:fill(v): sets every element to v; returns t. */
static int
lsnn_tensor_fill(lua_State *L)
{
	return lsnn_tensor_assign(L, "tensor:fill", "v", 1);
}

/*
 * t:uniform(lo, hi): draws every element from U(lo, hi) with the module's
 * generator (snn.seed); returns t.
 */
static int
lsnn_tensor_uniform(lua_State *L)
{
	struct lsnn_tensor	*lt = lsnn_tensor_check(L, 1,
				    "tensor:uniform", "self");
	lua_Number		 lo = lsnn_check_number(L, 2,
				    "tensor:uniform", "lo");
	lua_Number		 hi = lsnn_check_number(L, 3,
				    "tensor:uniform", "hi");
	struct rng		*r = lsnn_rng(L);
	size_t			 i, n = tensor_numel(&lt->t);

	if (!(lo <= hi))
		lsnn_argerror(L, "tensor:uniform", "hi", "must be at least lo");
	for (i = 0; i < n; i++)
		lt->t.data[i] = (float)(lo + (hi - lo) * rng_uniform(r));
	lua_settop(L, 1);
	return 1;
}

/*
 * t:normal(mean, std): draws every element from N(mean, std^2) with the
 * module's generator; returns t.
 */
static int
lsnn_tensor_normal(lua_State *L)
{
	struct lsnn_tensor	*lt = lsnn_tensor_check(L, 1,
				    "tensor:normal", "self");
	lua_Number		 mean = lsnn_check_number(L, 2,
				    "tensor:normal", "mean");
	lua_Number		 std = lsnn_check_number(L, 3,
				    "tensor:normal", "std");
	struct rng		*r = lsnn_rng(L);
	size_t			 i, n = tensor_numel(&lt->t);

	if (!(std >= 0))
		lsnn_argerror(L, "tensor:normal", "std", "must not be "
		    "negative");
	for (i = 0; i < n; i++)
		lt->t.data[i] = (float)(mean + std * rng_normal(r));
	lua_settop(L, 1);
	return 1;
}

/* t:reshape(shape): a view of t's data with another shape (-1 inferred). */
static int
lsnn_tensor_reshape(lua_State *L)
{
	struct lsnn_tensor	*lt = lsnn_tensor_check(L, 1,
				    "tensor:reshape", "self");
	int			 shape[TENSOR_MAXDIM], ndim;

	ndim = lsnn_tensor_check_shape(L, 2, "tensor:reshape", "shape", shape,
	    tensor_numel(&lt->t));
	lsnn_tensor_push_subview(L, 1, lt->t.data, ndim, shape);
	return 1;
}

/*
 * t:slice(dim, from [, to]): a new tensor holding indices from..to
 * (inclusive; negative ones count from the end) along dim.
 */
static int
lsnn_tensor_slice(lua_State *L)
{
	struct lsnn_tensor	*lt = lsnn_tensor_check(L, 1, "tensor:slice",
				    "self");
	struct lsnn_tensor	*out;
	int			 shape[TENSOR_MAXDIM], d, from, to;
	size_t			 outer, inner, n, m, o;

	if (lua_isnoneornil(L, 2))
		lsnn_argerror(L, "tensor:slice", "dim", "must be an integer "
		    "in 1..%d (got nil)", lt->t.ndim);
	d = lsnn_tensor_opt_index(L, 2, lt->t.ndim, 0, "tensor:slice", "dim");
	n = (size_t)lt->t.shape[d - 1];
	from = lsnn_tensor_opt_index(L, 3, (int)n, 1, "tensor:slice", "from");
	to = lsnn_tensor_opt_index(L, 4, (int)n, (int)n, "tensor:slice",
	    "to");
	if (to < from)
		lsnn_argerror(L, "tensor:slice", "to", "must not come before "
		    "from (%d..%d is empty)", from, to);
	m = (size_t)(to - from + 1);
	lsnn_tensor_around(&lt->t, d, &outer, &inner);
	memcpy(shape, lt->t.shape, (size_t)lt->t.ndim * sizeof *shape);
	shape[d - 1] = (int)m;
	out = lsnn_tensor_push(L, lt->t.ndim, shape);
	for (o = 0; o < outer; o++)
		memcpy(out->own + o * m * inner, lt->t.data +
		    (o * n + (size_t)(from - 1)) * inner,
		    m * inner * sizeof(float));
	return 1;
}

/* t:clone(): a new tensor owning a copy of t's values. */
static int
lsnn_tensor_clone(lua_State *L)
{
	struct lsnn_tensor	*lt = lsnn_tensor_check(L, 1, "tensor:clone",
				    "self");
	struct lsnn_tensor	*copy;

	copy = lsnn_tensor_push(L, lt->t.ndim, lt->t.shape);
	memcpy(copy->own, lt->t.data, tensor_numel(&lt->t) * sizeof(float));
	return 1;
}

/*
 * __index: t[i] is an element of a 1-D tensor or a view of row i of a
 * larger one; any other key looks up the methods (upvalue 1).
 */
static int
lsnn_tensor_index(lua_State *L)
{
	struct lsnn_tensor	*lt;
	float			*row;

	if (lua_type(L, 2) != LUA_TNUMBER) {
		lua_settop(L, 2);
		lua_gettable(L, lua_upvalueindex(1));
		return 1;
	}
	lt = lsnn_tensor_check(L, 1, "tensor[]", "self");
	row = lsnn_tensor_row(L, lt, 2, "tensor[]");
	if (lt->t.ndim == 1)
		lua_pushnumber(L, *row);
	else
		lsnn_tensor_push_subview(L, 1, row, lt->t.ndim - 1,
		    lt->t.shape + 1);
	return 1;
}

/* __newindex: t[i] = v writes a number or a tensor into row i. */
static int
lsnn_tensor_newindex(lua_State *L)
{
	struct lsnn_tensor	*lt = lsnn_tensor_writable(L, 1, "tensor[]",
				    "self");
	float			*row;

	if (lua_type(L, 2) != LUA_TNUMBER)
		luaL_error(L, "tensor[]: cannot set field '%s' of a tensor",
		    luaL_tolstring(L, 2, NULL));
	row = lsnn_tensor_row(L, lt, 2, "tensor[]");
	lsnn_tensor_write(L, row, lsnn_tensor_stride(&lt->t), 3, "tensor[]",
	    "value");
	return 0;
}

/* The arithmetic of the operators, in the order of enum lsnn_arith. */
enum lsnn_arith {
	LSNN_ADD,
	LSNN_SUB,
	LSNN_MUL,
	LSNN_DIV,
	LSNN_POW
};

/* Returns a op b. */
static float
lsnn_tensor_apply(enum lsnn_arith op, float a, float b)
{
	switch (op) {
	case LSNN_ADD:
		return a + b;
	case LSNN_SUB:
		return a - b;
	case LSNN_MUL:
		return a * b;
	case LSNN_DIV:
		return a / b;
	case LSNN_POW:
		break;
	}
	return powf(a, b);
}

/*
 * The loop of a op b over a broadcast result, innermost dimension first:
 * shape[d] result elements along d, stride[k][d] floats apart in operand
 * k (0 where it repeats one value). Dimensions of 1 are left out and
 * neighbours that step alike are merged, so that two tensors of the same
 * shape, or a tensor and a number, make one contiguous run.
 */
struct lsnn_broadcast {
	int	ndim;
	size_t	shape[TENSOR_MAXDIM];
	size_t	stride[2][TENSOR_MAXDIM];
};

/*
 * Adds the next outer dimension, of n > 1 result elements and strides
 * st[0] and st[1], to the loop bc.
 */
static void
lsnn_tensor_broadcast_add(struct lsnn_broadcast *bc, size_t n,
    const size_t st[2])
{
	int	i = bc->ndim - 1, k;

	if (bc->shape[i] != 1 && (st[0] != bc->stride[0][i] * bc->shape[i] ||
	    st[1] != bc->stride[1][i] * bc->shape[i])) {
		i = bc->ndim++;
		bc->shape[i] = 1;
	}
	if (bc->shape[i] == 1)
		for (k = 0; k < 2; k++)
			bc->stride[k][i] = st[k];
	bc->shape[i] *= n;
}

/*
 * Sets shape (*ndim dimensions) to the shapes of x[0] and x[1] broadcast
 * by NumPy's rules (aligned at the last dimension, missing ones count as
 * 1, sizes equal or one of them 1) and plans the loop over it in bc;
 * raises an error naming fn when they clash or the result is too large.
 */
static void
lsnn_tensor_broadcast(lua_State *L, const char *fn,
    const struct tensor *const x[2], int *shape, int *ndim,
    struct lsnn_broadcast *bc)
{
	size_t	step[2] = { 1, 1 }, st[2], n = 1;
	size_t	limit = (SIZE_MAX - sizeof(struct lsnn_tensor)) / sizeof(float);
	char	sa[64], sb[64], sr[64];
	int	size[2], clash[3] = { 0, 0, 0 }, big = 0, d, i, k;

	*ndim = x[0]->ndim > x[1]->ndim ? x[0]->ndim : x[1]->ndim;
	bc->ndim = 1;
	bc->shape[0] = 1;
	bc->stride[0][0] = bc->stride[1][0] = 0;
	for (d = *ndim - 1; d >= 0; d--) {
		for (k = 0; k < 2; k++) {
			i = d - (*ndim - x[k]->ndim);
			size[k] = i >= 0 ? x[k]->shape[i] : 1;
			st[k] = size[k] == 1 ? 0 : step[k];
			step[k] *= (size_t)size[k];
		}
		if (size[0] != size[1] && size[0] != 1 && size[1] != 1) {
			clash[0] = d + 1;
			clash[1] = size[0];
			clash[2] = size[1];
		}
		shape[d] = size[0] > size[1] ? size[0] : size[1];
		if ((size_t)shape[d] > limit / n)
			big = 1;
		else
			n *= (size_t)shape[d];
		if (shape[d] != 1)
			lsnn_tensor_broadcast_add(bc, (size_t)shape[d], st);
	}
	if (clash[0] == 0 && !big)
		return;
	tensor_shape_string(x[0]->shape, x[0]->ndim, sa, sizeof sa);
	tensor_shape_string(x[1]->shape, x[1]->ndim, sb, sizeof sb);
	if (clash[0] != 0)
		luaL_error(L, "%s: shapes %s and %s do not broadcast "
		    "(dimension %d: %d vs %d)", fn, sa, sb, clash[0], clash[1],
		    clash[2]);
	luaL_error(L, "%s: shapes %s and %s broadcast to %s, which is too "
	    "large", fn, sa, sb, tensor_shape_string(shape, *ndim, sr,
	    sizeof sr));
}

/*
 * Writes out = a op b over the loop bc (a and b the operands' first
 * floats, out as many floats as the result has, row-major).
 */
static void
lsnn_tensor_broadcast_apply(enum lsnn_arith op, float *out, const float *a,
    const float *b, const struct lsnn_broadcast *bc)
{
	size_t	at[TENSOR_MAXDIM] = { 0 }, n = bc->shape[0], i, oa = 0, ob = 0;
	size_t	sa = bc->stride[0][0], sb = bc->stride[1][0];
	int	d;

	for (;;) {
		for (i = 0; i < n; i++)
			out[i] = lsnn_tensor_apply(op, a[oa + i * sa],
			    b[ob + i * sb]);
		out += n;
		for (d = 1; d < bc->ndim; d++) {
			oa += bc->stride[0][d];
			ob += bc->stride[1][d];
			if (++at[d] < bc->shape[d])
				break;
			oa -= bc->stride[0][d] * bc->shape[d];
			ob -= bc->stride[1][d] * bc->shape[d];
			at[d] = 0;
		}
		if (d == bc->ndim)
			return;
	}
}

/*
 * The body of the operators: pushes a new tensor of a op b elementwise,
 * where a and b (arguments 1 and 2) are tensors whose shapes broadcast,
 * or one is a number.
 */
static int
lsnn_tensor_arith(lua_State *L, enum lsnn_arith op)
{
	static const char	*sym[] = { "+", "-", "*", "/", "^" };
	static const int	 one = 1;
	struct lsnn_tensor	*lt, *out;
	struct lsnn_broadcast	 bc;
	struct tensor		 num[2];
	const struct tensor	*x[2];
	char			 fn[16];
	float			 v[2];
	int			 shape[TENSOR_MAXDIM], ndim, k;

	snprintf(fn, sizeof fn, "tensor %s", sym[op]);
	for (k = 0; k < 2; k++) {
		if (lua_type(L, k + 1) == LUA_TNUMBER) {
			v[k] = (float)lua_tonumber(L, k + 1);
			tensor_view(&num[k], &v[k], 1, &one);
			x[k] = &num[k];
		} else if (luaL_testudata(L, k + 1, LSNN_TENSOR) == NULL)
			luaL_error(L, "%s: the %s operand must be a tensor or "
			    "a number (got %s)", fn, k == 0 ? "left" : "right",
			    luaL_typename(L, k + 1));
		else {
			lt = lsnn_tensor_check(L, k + 1, fn,
			    k == 0 ? "left" : "right");
			x[k] = &lt->t;
		}
	}
	lsnn_tensor_broadcast(L, fn, x, shape, &ndim, &bc);
	out = lsnn_tensor_push(L, ndim, shape);
	lsnn_tensor_broadcast_apply(op, out->own, x[0]->data, x[1]->data, &bc);
	return 1;
}

/* __add: t + u, t + x and x + t. */
static int
lsnn_tensor_add(lua_State *L)
{
	return lsnn_tensor_arith(L, LSNN_ADD);
}

/* __sub: t - u, t - x and x - t. */
static int
lsnn_tensor_sub(lua_State *L)
{
	return lsnn_tensor_arith(L, LSNN_SUB);
}

/* __mul: t * u (elementwise), t * x and x * t. */
static int
lsnn_tensor_mul(lua_State *L)
{
	return lsnn_tensor_arith(L, LSNN_MUL);
}

/* __div: t / u (elementwise), t / x and x / t. */
static int
lsnn_tensor_div(lua_State *L)
{
	return lsnn_tensor_arith(L, LSNN_DIV);
}

/* __pow: t ^ u (elementwise), t ^ x and x ^ t. */
static int
lsnn_tensor_pow(lua_State *L)
{
	return lsnn_tensor_arith(L, LSNN_POW);
}

/* __unm: -t. */
static int
lsnn_tensor_unm(lua_State *L)
{
	lua_settop(L, 1);
	lua_pushinteger(L, -1);
	return lsnn_tensor_arith(L, LSNN_MUL);
}

/* __len: #t is the first dimension. */
static int
lsnn_tensor_len(lua_State *L)
{
	struct lsnn_tensor	*lt = lsnn_tensor_check(L, 1, "#tensor",
				    "self");

	lua_pushinteger(L, lt->t.shape[0]);
	return 1;
}

/* __tostring: "tensor[2, 3] {1, 2, 3, 4, 5, 6}", long ones cut short. */
static int
lsnn_tensor_tostring(lua_State *L)
{
	struct lsnn_tensor	*lt = luaL_checkudata(L, 1, LSNN_TENSOR);
	luaL_Buffer		 b;
	char			 buf[64];
	size_t			 i, n = tensor_numel(&lt->t);

	luaL_buffinit(L, &b);
	luaL_addstring(&b, "tensor");
	luaL_addstring(&b, tensor_shape_string(lt->t.shape, lt->t.ndim, buf,
	    sizeof buf));
	if (lsnn_tensor_stale(lt)) {
		luaL_addstring(&b, " (stale view)");
		luaL_pushresult(&b);
		return 1;
	}
	luaL_addstring(&b, " {");
	for (i = 0; i < n && i < LSNN_TENSOR_SHOW; i++) {
		snprintf(buf, sizeof buf, "%s%.6g", i == 0 ? "" : ", ",
		    (double)lt->t.data[i]);
		luaL_addstring(&b, buf);
	}
	luaL_addstring(&b, n > LSNN_TENSOR_SHOW ? ", ...}" : "}");
	luaL_pushresult(&b);
	return 1;
}

/* Creates the tensor metatable and adds snn.tensor and snn.zeros. */
void
lsnn_tensor_open(lua_State *L)
{
	static const luaL_Reg	methods[] = {
		{ "shape", lsnn_tensor_shape },
		{ "numel", lsnn_tensor_numel },
		{ "totable", lsnn_tensor_totable },
		{ "sum", lsnn_tensor_sum },
		{ "mean", lsnn_tensor_mean },
		{ "max", lsnn_tensor_max },
		{ "min", lsnn_tensor_min },
		{ "argmax", lsnn_tensor_argmax },
		{ "argmin", lsnn_tensor_argmin },
		{ "get", lsnn_tensor_get },
		{ "set", lsnn_tensor_set },
		{ "copy", lsnn_tensor_copy },
		{ "fill", lsnn_tensor_fill },
		{ "uniform", lsnn_tensor_uniform },
		{ "normal", lsnn_tensor_normal },
		{ "reshape", lsnn_tensor_reshape },
		{ "slice", lsnn_tensor_slice },
		{ "clone", lsnn_tensor_clone },
		{ NULL, NULL }
	};
	static const luaL_Reg	meta[] = {
		{ "__newindex", lsnn_tensor_newindex },
		{ "__len", lsnn_tensor_len },
		{ "__add", lsnn_tensor_add },
		{ "__sub", lsnn_tensor_sub },
		{ "__mul", lsnn_tensor_mul },
		{ "__div", lsnn_tensor_div },
		{ "__pow", lsnn_tensor_pow },
		{ "__unm", lsnn_tensor_unm },
		{ "__tostring", lsnn_tensor_tostring },
		{ NULL, NULL }
	};
	static const luaL_Reg	fns[] = {
		{ "tensor", lsnn_tensor_new },
		{ "zeros", lsnn_tensor_zeros },
		{ NULL, NULL }
	};

	lsnn_class(L, LSNN_TENSOR, meta, methods, lsnn_tensor_index);
	luaL_setfuncs(L, fns, 0);
}
