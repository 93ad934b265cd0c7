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

/* Returns the sum of t's elements in double precision. */
static double
lsnn_tensor_total(const struct tensor *t)
{
	size_t	i, n = tensor_numel(t);
	double	s = 0;

	for (i = 0; i < n; i++)
		s += t->data[i];
	return s;
}

/* t:sum(): the sum of the elements. */
static int
lsnn_tensor_sum(lua_State *L)
{
	struct lsnn_tensor	*lt = lsnn_tensor_check(L, 1, "tensor:sum",
				    "self");

	lua_pushnumber(L, lsnn_tensor_total(&lt->t));
	return 1;
}

/* t:mean(): the mean of the elements. */
static int
lsnn_tensor_mean(lua_State *L)
{
	struct lsnn_tensor	*lt = lsnn_tensor_check(L, 1, "tensor:mean",
				    "self");

	lua_pushnumber(L, lsnn_tensor_total(&lt->t) /
	    (double)tensor_numel(&lt->t));
	return 1;
}

/* t:max(): the largest element (NaN if any element is NaN). */
static int
lsnn_tensor_max(lua_State *L)
{
	struct lsnn_tensor	*lt = lsnn_tensor_check(L, 1, "tensor:max",
				    "self");
	size_t			 i, n = tensor_numel(&lt->t);
	float			 m = -INFINITY;

	for (i = 0; i < n && !isnan(m); i++) {
		if (!(lt->t.data[i] <= m))
			m = lt->t.data[i];
	}
	lua_pushnumber(L, m);
	return 1;
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
		{ "get", lsnn_tensor_get },
		{ "set", lsnn_tensor_set },
		{ "copy", lsnn_tensor_copy },
		{ "fill", lsnn_tensor_fill },
		{ "uniform", lsnn_tensor_uniform },
		{ "normal", lsnn_tensor_normal },
		{ "reshape", lsnn_tensor_reshape },
		{ "clone", lsnn_tensor_clone },
		{ NULL, NULL }
	};
	static const luaL_Reg	meta[] = {
		{ "__newindex", lsnn_tensor_newindex },
		{ "__len", lsnn_tensor_len },
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
