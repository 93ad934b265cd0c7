/*
 * lua-surrogate.c: surrogate spike functions as Lua values. The table
 * snn.surrogate holds one constructor per built-in surrogate, named as
 * surrogate.c names them (snn.surrogate.atan{alpha = 2}); the values they
 * return are copied into neuron layers.
 *
 * snn.surrogate.define makes surrogates from Lua functions: it samples them
 * here, on the main thread, into a table that the engine interpolates
 * without Lua (surrogate.c, SURROGATE_TABLE), and adds a constructor for
 * other parameters to snn.surrogate.defined.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lua-snn.h"

/* Metatable of a table being filled, freed by __gc unless registered. */
#define LSNN_SURROGATE_TABLE "snn.surrogate_table"

/* The grid of a defined surrogate unless its definition says otherwise. */
#define LSNN_SURROGATE_INTERVALS	4096
#define LSNN_SURROGATE_SUPPORT		8.0	/* [-8, 8] */

/* Numerical derivatives take steps of h / LSNN_SURROGATE_STEP. */
#define LSNN_SURROGATE_STEP		16

/* What a surrogate value computes at x. */
enum lsnn_surrogate_op {
	LSNN_SURROGATE_SPIKE,		/* the forward: Heaviside step */
	LSNN_SURROGATE_GRAD,		/* the backward: surrogate derivative */
	LSNN_SURROGATE_PRIMITIVE	/* the smooth function it derives */
};

/* Returns the surrogate userdata at idx or raises an error naming fn. */
static struct surrogate *
lsnn_surrogate_self(lua_State *L, int idx, const char *fn)
{
	struct surrogate	*s;

	if ((s = luaL_testudata(L, idx, LSNN_SURROGATE)) == NULL)
		lsnn_argerror(L, fn, "self", "must be a surrogate (got %s)",
		    luaL_typename(L, idx));
	return s;
}

/*
 * Reads the surrogate at idx into out: a surrogate value, or a name that
 * selects a surrogate with its default parameters.
 */
void
lsnn_surrogate_check(lua_State *L, int idx, const char *fn, const char *arg,
    struct surrogate *out)
{
	struct surrogate	*s;
	char			*cause = NULL;

	if (lua_type(L, idx) == LUA_TSTRING) {
		if (surrogate_init(out, lua_tostring(L, idx), &cause) != 0)
			lsnn_error(L, fn, cause);
		return;
	}
	if ((s = luaL_testudata(L, idx, LSNN_SURROGATE)) == NULL)
		lsnn_argerror(L, fn, arg, "must be a surrogate or a surrogate "
		    "name (got %s)", luaL_typename(L, idx));
	*out = *s;
}

/*
 * Adds s as the constructor call that makes it, "snn.surrogate.atan{...}",
 * or "snn.surrogate.defined.NAME{...}" for a surrogate defined in Lua.
 */
void
lsnn_surrogate_describe(luaL_Buffer *b, const struct surrogate *s)
{
	char	num[32];
	int	i;

	luaL_addstring(b, s->table != NULL ? "snn.surrogate.defined." :
	    "snn.surrogate.");
	luaL_addstring(b, surrogate_name(s));
	luaL_addchar(b, '{');
	for (i = 0; i < surrogate_nparams(s); i++) {
		luaL_addstring(b, i == 0 ? "" : ", ");
		luaL_addstring(b, surrogate_param_name(s, i));
		snprintf(num, sizeof num, "=%g", s->p[i]);
		luaL_addstring(b, num);
	}
	luaL_addchar(b, '}');
}

/*
 * The constructor snn.surrogate.NAME([params]): the surrogate named by
 * upvalue 1 with SpikingJelly's defaults, changed by the params table.
 */
static int
lsnn_surrogate_new(lua_State *L)
{
	const char		*name = lua_tostring(L, lua_upvalueindex(1));
	const char		*key;
	struct surrogate	*s;
	char			*cause = NULL;
	double			 v = 0;

	lua_settop(L, 1);
	lua_pushfstring(L, "snn.surrogate.%s", name);
	if (!lua_isnil(L, 1) && !lua_istable(L, 1))
		lsnn_argerror(L, lua_tostring(L, 2), "params", "must be a "
		    "table (got %s)", luaL_typename(L, 1));
	s = lua_newuserdatauv(L, sizeof *s, 0);
	luaL_setmetatable(L, LSNN_SURROGATE);
	if (surrogate_init(s, name, &cause) != 0)
		return lsnn_error(L, lua_tostring(L, 2), cause);
	if (lua_isnil(L, 1))
		return 1;
	lua_pushnil(L);
	while (lua_next(L, 1) != 0) {
		if (lua_type(L, -2) != LUA_TSTRING)
			lsnn_argerror(L, lua_tostring(L, 2), "params", "must "
			    "have parameter names as keys (got %s)",
			    luaL_typename(L, -2));
		key = lua_tostring(L, -2);
		if (strcmp(key, "spiking") == 0)
			lsnn_argerror(L, lua_tostring(L, 2), key, "is not a "
			    "parameter: the forward is always the spike (as "
			    "SpikingJelly's spiking=True); s:primitive(x) "
			    "gives what spiking=False outputs");
		/* An unknown name fails below, with the valid ones listed. */
		if (!isnan(surrogate_param(s, key)))
			v = lsnn_check_number(L, -1, lua_tostring(L, 2), key);
		if (surrogate_set(s, key, v, &cause) != 0)
			lsnn_error(L, lua_tostring(L, 2), cause);
		lua_pop(L, 1);
	}
	lua_settop(L, 3);
	return 1;
}

/* __gc of a table being filled: frees it unless it was registered. */
static int
lsnn_surrogate_table_gc(lua_State *L)
{
	struct surrogate_table	**tp;

	tp = luaL_checkudata(L, 1, LSNN_SURROGATE_TABLE);
	surrogate_table_free(*tp);
	*tp = NULL;
	return 0;
}

/*
 * Returns f(x, p) for the function at index f (what names it) and the
 * parameter table at index p; raises an error naming fn unless the result
 * is a number that a float holds.
 */
static double
lsnn_surrogate_call(lua_State *L, int f, int p, double x, const char *fn,
    const char *what)
{
	double	v;

	lua_pushvalue(L, f);
	lua_pushnumber(L, x);
	lua_pushvalue(L, p);
	lua_call(L, 2, 1);
	if (lua_type(L, -1) != LUA_TNUMBER)
		luaL_error(L, "%s: %s(%f) returned %s, not a number", fn, what,
		    (lua_Number)x, luaL_typename(L, -1));
	v = lua_tonumber(L, -1);
	if (!(fabs(v) <= FLT_MAX))
		luaL_error(L, "%s: %s(%f) returned %f, not a finite float", fn,
		    what, (lua_Number)x, (lua_Number)v);
	lua_pop(L, 1);
	return v;
}

/*
 * Returns the derivative at x of the primitive (function at index f) by
 * differences with step d: central when side is 0, else one-sided of
 * second order from the points x, x + side d and x + 2 side d (side -1 or
 * 1), for the ends of the support.
 */
static double
lsnn_surrogate_derive(lua_State *L, int f, int p, double x, double d,
    int side, const char *fn)
{
	double	a, b, c, g;

	if (side == 0) {
		a = lsnn_surrogate_call(L, f, p, x + d, fn, "primitive");
		b = lsnn_surrogate_call(L, f, p, x - d, fn, "primitive");
		g = (a - b) / (2 * d);
	} else {
		d *= side;
		a = lsnn_surrogate_call(L, f, p, x, fn, "primitive");
		b = lsnn_surrogate_call(L, f, p, x + d, fn, "primitive");
		c = lsnn_surrogate_call(L, f, p, x + 2 * d, fn, "primitive");
		g = (-3 * a + 4 * b - c) / (2 * d);
	}
	if (!(fabs(g) <= FLT_MAX))
		luaL_error(L, "%s: the derivative of primitive at %f is not a "
		    "finite float", fn, (lua_Number)x);
	return g;
}

/*
 * Copies the parameters in the table at index from (the argument params of
 * fn, nil allowed), names to numbers, into the table at index to. With a
 * definition at index def (0: none) only names that to has are allowed.
 */
static void
lsnn_surrogate_merge(lua_State *L, int from, int to, int def,
    const char *fn)
{
	if (lua_isnil(L, from))
		return;
	if (!lua_istable(L, from))
		lsnn_argerror(L, fn, "params", "must be a table (got %s)",
		    luaL_typename(L, from));
	lua_pushnil(L);
	while (lua_next(L, from) != 0) {
		if (lua_type(L, -2) != LUA_TSTRING)
			lsnn_argerror(L, fn, "params", "must have parameter "
			    "names as keys (got %s)", luaL_typename(L, -2));
		if (def != 0 && lua_getfield(L, to, lua_tostring(L, -2)) ==
		    LUA_TNIL) {
			lua_getfield(L, def, "name");
			luaL_error(L, "%s: surrogate %s has no parameter "
			    "\"%s\"", fn, lua_tostring(L, -1),
			    lua_tostring(L, -4));
		}
		lua_pop(L, def != 0);
		lsnn_check_number(L, -1, fn, lua_tostring(L, -2));
		lua_pushvalue(L, -2);
		lua_insert(L, -2);
		lua_settable(L, to);
	}
}

/*
 * Pushes the parameter table of the definition at index def (its defaults
 * changed by the table at index params, or nil) and returns its index.
 */
static int
lsnn_surrogate_params(lua_State *L, int def, int params, const char *fn)
{
	int	p;

	lua_newtable(L);
	p = lua_gettop(L);
	lua_getfield(L, def, "params");
	lsnn_surrogate_merge(L, p + 1, p, 0, fn);
	lua_pop(L, 1);
	lsnn_surrogate_merge(L, params, p, def, fn);
	return p;
}

/*
 * Pushes the support of the definition at index def for the parameters at
 * index p: two numbers from the list {lo, hi}, from the function
 * support(p), or the default [-8, 8].
 */
static void
lsnn_surrogate_support(lua_State *L, int def, int p, const char *fn)
{
	switch (lua_getfield(L, def, "support")) {
	case LUA_TFUNCTION:
		lua_pushvalue(L, p);
		lua_call(L, 1, 2);
		break;
	case LUA_TTABLE:
		lua_rawgeti(L, -1, 1);
		lua_rawgeti(L, -2, 2);
		lua_remove(L, -3);
		break;
	default:
		lua_pop(L, 1);
		lua_pushnumber(L, -LSNN_SURROGATE_SUPPORT);
		lua_pushnumber(L, LSNN_SURROGATE_SUPPORT);
		break;
	}
	if (lua_type(L, -2) != LUA_TNUMBER || lua_type(L, -1) != LUA_TNUMBER)
		luaL_error(L, "%s: support must give two numbers lo, hi (got "
		    "%s, %s)", fn, luaL_typename(L, -2), luaL_typename(L, -1));
}

/*
 * Pushes the surrogate of the definition at index def (a table of name,
 * params, primitive, grad, support, intervals) with its parameters changed
 * by the table at index params (or nil): its functions sampled at the nodes
 * (grad derived from primitive where the definition has none; prim left
 * zero where it has no primitive), its errors
 * measured at the check points, its table registered. fn names the caller.
 * Until registered, the table belongs to a userdata, so that an error
 * raised by a Lua function half way leaks nothing.
 */
static void
lsnn_surrogate_build(lua_State *L, int def, int params, const char *fn)
{
	struct surrogate_table		**tp, *t;
	const struct surrogate_table	 *reg;
	struct surrogate		 *s;
	double				 *want, x, d;
	char				 *cause = NULL;
	int				  p, prim, grad, j, n;

	p = lsnn_surrogate_params(L, def, params, fn);
	lua_getfield(L, def, "intervals");
	n = (int)lua_tointeger(L, -1);
	lua_pop(L, 1);
	tp = lua_newuserdatauv(L, sizeof *tp, 0);
	*tp = NULL;
	luaL_setmetatable(L, LSNN_SURROGATE_TABLE);
	if ((*tp = t = surrogate_table_new(n, &cause)) == NULL)
		lsnn_error(L, fn, cause);
	lua_getfield(L, def, "name");
	if (surrogate_table_set_name(t, lua_tostring(L, -1), &cause) != 0)
		lsnn_error(L, fn, cause);
	lua_pop(L, 1);
	lua_pushnil(L);
	while (lua_next(L, p) != 0) {
		if (surrogate_table_add_param(t, lua_tostring(L, -2),
		    lua_tonumber(L, -1), &cause) != 0)
			lsnn_error(L, fn, cause);
		lua_pop(L, 1);
	}
	lsnn_surrogate_support(L, def, p, fn);
	if (surrogate_table_set_support(t, lua_tonumber(L, -2),
	    lua_tonumber(L, -1), &cause) != 0)
		lsnn_error(L, fn, cause);
	lua_pop(L, 2);

	prim = lua_getfield(L, def, "primitive") == LUA_TNIL ? 0 :
	    lua_gettop(L);
	grad = lua_getfield(L, def, "grad") == LUA_TNIL ? 0 : lua_gettop(L);
	t->derived = grad == 0;
	t->primitive = prim != 0;
	d = (t->hi - t->lo) / n / LSNN_SURROGATE_STEP;
	for (j = 0; j <= n; j++) {
		x = surrogate_table_x(t->lo, t->hi, n, j);
		if (prim != 0)
			t->prim[j] = (float)lsnn_surrogate_call(L, prim, p, x,
			    fn, "primitive");
		t->grad[j] = (float)(grad != 0 ?
		    lsnn_surrogate_call(L, grad, p, x, fn, "grad") :
		    lsnn_surrogate_derive(L, prim, p, x, d,
		    j == 0 ? 1 : j == n ? -1 : 0, fn));
	}
	want = lua_newuserdatauv(L, 2 * ((size_t)n + 2) * sizeof *want, 0);
	for (j = 0; j <= n + 1; j++) {
		x = (float)surrogate_table_x(t->lo, t->hi, n, j - 0.5);
		want[j] = grad != 0 ?
		    lsnn_surrogate_call(L, grad, p, x, fn, "grad") :
		    lsnn_surrogate_derive(L, prim, p, x, d, 0, fn);
		if (prim != 0)
			want[n + 2 + j] = lsnn_surrogate_call(L, prim, p, x,
			    fn, "primitive");
	}
	surrogate_table_measure(t, want, want + n + 2);
	*tp = NULL;
	if (surrogate_table_register(t, &reg, &cause) != 0)
		lsnn_error(L, fn, cause);
	s = lua_newuserdatauv(L, sizeof *s, 0);
	luaL_setmetatable(L, LSNN_SURROGATE);
	surrogate_init_table(s, reg);
}

/*
 * The constructor snn.surrogate.defined.NAME([params]): the definition in
 * upvalue 1, with its parameters changed by the params table.
 */
static int
lsnn_surrogate_make(lua_State *L)
{
	lua_settop(L, 1);
	lua_getfield(L, lua_upvalueindex(1), "name");
	lua_pushfstring(L, "snn.surrogate.defined.%s", lua_tostring(L, 2));
	lsnn_surrogate_build(L, lua_upvalueindex(1), 1, lua_tostring(L, 3));
	return 1;
}

/* A set of Lua types, for lsnn_surrogate_field. */
#define LSNN_TYPE(t)	(1 << (t))

/*
 * Copies options.key into the definition at index def when its Lua type is
 * one of the set types (words: how the error says so).
 */
static void
lsnn_surrogate_field(lua_State *L, int def, const char *fn, const char *key,
    int types, const char *words)
{
	if ((LSNN_TYPE(lua_getfield(L, 1, key)) & types) == 0)
		lsnn_argerror(L, fn, key, "must be %s (got %s)", words,
		    luaL_typename(L, -1));
	lua_setfield(L, def, key);
}

/*
 * snn.surrogate.define(options): a surrogate from Lua functions, sampled
 * on a grid (see lsnn_surrogate_build); its definition becomes the
 * constructor snn.surrogate.defined.NAME in the table of upvalue 1.
 */
static int
lsnn_surrogate_define(lua_State *L)
{
	static const char *const	 known[] = { "name", "params",
					     "primitive", "grad", "support",
					     "intervals", NULL };
	const char			*fn = "snn.surrogate.define";
	const char			*name;

	if (!lua_istable(L, 1))
		lsnn_argerror(L, fn, "options", "must be a table (got %s)",
		    luaL_typename(L, 1));
	lsnn_check_options(L, 1, fn, known);
	lua_settop(L, 1);
	lua_createtable(L, 0, 6);
	lua_getfield(L, 1, "name");
	name = lsnn_check_string(L, 3, fn, "name");
	lua_setfield(L, 2, "name");
	lsnn_surrogate_field(L, 2, fn, "primitive", LSNN_TYPE(LUA_TFUNCTION) |
	    LSNN_TYPE(LUA_TNIL), "a function or nil");
	lsnn_surrogate_field(L, 2, fn, "grad", LSNN_TYPE(LUA_TFUNCTION) |
	    LSNN_TYPE(LUA_TNIL), "a function or nil");
	if (lua_getfield(L, 2, "primitive") == LUA_TNIL &&
	    lua_getfield(L, 2, "grad") == LUA_TNIL)
		lsnn_argerror(L, fn, "options", "must give grad, primitive or "
		    "both");
	lua_settop(L, 2);
	lsnn_surrogate_field(L, 2, fn, "support", LSNN_TYPE(LUA_TTABLE) |
	    LSNN_TYPE(LUA_TFUNCTION) | LSNN_TYPE(LUA_TNIL),
	    "a list {lo, hi}, a function or nil");
	lua_pushinteger(L, lsnn_opt_positive(L, 1, fn, "intervals",
	    LSNN_SURROGATE_INTERVALS));
	lua_setfield(L, 2, "intervals");
	lua_newtable(L);
	lua_getfield(L, 1, "params");
	lsnn_surrogate_merge(L, 4, 3, 0, fn);
	lua_pop(L, 1);
	lua_setfield(L, 2, "params");

	lua_pushnil(L);
	lsnn_surrogate_build(L, 2, 3, fn);
	lua_pushvalue(L, 2);
	lua_pushcclosure(L, lsnn_surrogate_make, 1);
	lua_setfield(L, lua_upvalueindex(1), name);
	return 1;
}

/* y (n) = op of s at x (n); y may equal x. */
static void
lsnn_surrogate_eval(const struct surrogate *s, enum lsnn_surrogate_op op,
    float *y, const float *x, size_t n)
{
	size_t	i;

	switch (op) {
	case LSNN_SURROGATE_SPIKE:
		for (i = 0; i < n; i++)
			y[i] = x[i] >= 0.0f ? 1.0f : 0.0f;
		break;
	case LSNN_SURROGATE_GRAD:
		surrogate_grad(s, y, x, n);
		break;
	case LSNN_SURROGATE_PRIMITIVE:
		surrogate_primitive(s, y, x, n);
		break;
	}
}

/*
 * Applies op to argument 2, a number (the result is a number) or a tensor
 * (the result is a new tensor of the same shape).
 */
static int
lsnn_surrogate_apply(lua_State *L, const char *fn, enum lsnn_surrogate_op op)
{
	struct surrogate	*s = lsnn_surrogate_self(L, 1, fn);
	struct lsnn_tensor	*x, *y;
	float			 v;

	if (op == LSNN_SURROGATE_PRIMITIVE && !surrogate_has_primitive(s) &&
	    s->table != NULL)
		luaL_error(L, "%s: surrogate %s has no primitive: it was "
		    "defined by its grad alone", fn, surrogate_name(s));
	if (op == LSNN_SURROGATE_PRIMITIVE && !surrogate_has_primitive(s))
		luaL_error(L, "%s: surrogate %s has no smooth primitive", fn,
		    surrogate_name(s));
	if (lua_type(L, 2) == LUA_TNUMBER) {
		v = (float)lua_tonumber(L, 2);
		lsnn_surrogate_eval(s, op, &v, &v, 1);
		lua_pushnumber(L, v);
		return 1;
	}
	if (luaL_testudata(L, 2, LSNN_TENSOR) == NULL)
		lsnn_argerror(L, fn, "x", "must be a number or a tensor "
		    "(got %s)", luaL_typename(L, 2));
	x = lsnn_tensor_check(L, 2, fn, "x");
	y = lsnn_tensor_push(L, x->t.ndim, x->t.shape);
	lsnn_surrogate_eval(s, op, y->own, x->t.data, tensor_numel(&x->t));
	return 1;
}

/* s:spike(x): the forward, 1 where x >= 0 and 0 elsewhere. */
static int
lsnn_surrogate_spike(lua_State *L)
{
	return lsnn_surrogate_apply(L, "surrogate:spike",
	    LSNN_SURROGATE_SPIKE);
}

/* s:grad(x): the surrogate derivative used by the backward. */
static int
lsnn_surrogate_grad(lua_State *L)
{
	return lsnn_surrogate_apply(L, "surrogate:grad", LSNN_SURROGATE_GRAD);
}

/* s:primitive(x): the smooth function whose derivative grad is. */
static int
lsnn_surrogate_primitive(lua_State *L)
{
	return lsnn_surrogate_apply(L, "surrogate:primitive",
	    LSNN_SURROGATE_PRIMITIVE);
}

/*
 * __index: s.name is the surrogate's name, s.params a new table of its
 * parameters; for a surrogate defined in Lua, s.support is {lo, hi},
 * s.intervals the number of grid intervals and s.table_error the worst
 * error measured (nil for built-ins). Other keys look up the methods
 * (upvalue 1).
 */
static int
lsnn_surrogate_index(lua_State *L)
{
	struct surrogate		*s;
	const struct surrogate_table	*t;
	const char			*key;
	int				 i;

	s = lsnn_surrogate_self(L, 1, "surrogate");
	t = s->table;

	key = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "";
	if (strcmp(key, "name") == 0) {
		lua_pushstring(L, surrogate_name(s));
		return 1;
	}
	if (strcmp(key, "params") == 0) {
		lua_createtable(L, 0, surrogate_nparams(s));
		for (i = 0; i < surrogate_nparams(s); i++) {
			lua_pushnumber(L, s->p[i]);
			lua_setfield(L, -2, surrogate_param_name(s, i));
		}
		return 1;
	}
	if (t != NULL && strcmp(key, "support") == 0) {
		lua_createtable(L, 2, 0);
		lua_pushnumber(L, t->lo);
		lua_rawseti(L, -2, 1);
		lua_pushnumber(L, t->hi);
		lua_rawseti(L, -2, 2);
		return 1;
	}
	if (t != NULL && strcmp(key, "intervals") == 0) {
		lua_pushinteger(L, t->n);
		return 1;
	}
	if (t != NULL && strcmp(key, "table_error") == 0) {
		lua_pushnumber(L, fmax(t->grad_error, t->prim_error));
		return 1;
	}
	lua_settop(L, 2);
	lua_gettable(L, lua_upvalueindex(1));
	return 1;
}

/*
 * __tostring: the constructor call, "snn.surrogate.sigmoid{alpha=4}"; for
 * a surrogate defined in Lua, followed by a comment on its table: support,
 * resolution, the errors measured and how grad was made.
 */
static int
lsnn_surrogate_tostring(lua_State *L)
{
	struct surrogate		*s;
	const struct surrogate_table	*t;
	luaL_Buffer			 b;
	char				 line[320];

	s = lsnn_surrogate_self(L, 1, "tostring");
	t = s->table;
	luaL_buffinit(L, &b);
	lsnn_surrogate_describe(&b, s);
	if (t != NULL) {
		snprintf(line, sizeof line, " -- tabulated on [%g, %g] in %d "
		    "intervals (h = %.3g), worst error %.2g: grad %.2g at x = "
		    "%.4g", t->lo, t->hi, t->n, (t->hi - t->lo) / t->n,
		    fmax(t->grad_error, t->prim_error), t->grad_error,
		    t->grad_error_at);
		luaL_addstring(&b, line);
		if (t->primitive) {
			snprintf(line, sizeof line, ", primitive %.2g at x = "
			    "%.4g", t->prim_error, t->prim_error_at);
			luaL_addstring(&b, line);
		} else
			luaL_addstring(&b, "; no primitive");
		if (t->derived)
			luaL_addstring(&b, "; grad derived numerically from "
			    "the primitive");
	}
	luaL_pushresult(&b);
	return 1;
}

/* snn.surrogate.names(): the built-in surrogates' names, in a list. */
static int
lsnn_surrogate_names(lua_State *L)
{
	int	k;

	lua_createtable(L, SURROGATE_COUNT, 0);
	for (k = 0; k < SURROGATE_COUNT; k++) {
		lua_pushstring(L, surrogate_kind_name((enum surrogate_kind)k));
		lua_rawseti(L, -2, k + 1);
	}
	return 1;
}

/* Creates the surrogate metatable and adds the table snn.surrogate. */
void
lsnn_surrogate_open(lua_State *L)
{
	static const luaL_Reg	methods[] = {
		{ "spike", lsnn_surrogate_spike },
		{ "grad", lsnn_surrogate_grad },
		{ "primitive", lsnn_surrogate_primitive },
		{ NULL, NULL }
	};
	static const luaL_Reg	meta[] = {
		{ "__tostring", lsnn_surrogate_tostring },
		{ NULL, NULL }
	};
	const char		*name;
	int			 k;

	luaL_newmetatable(L, LSNN_SURROGATE_TABLE);
	lua_pushcfunction(L, lsnn_surrogate_table_gc);
	lua_setfield(L, -2, "__gc");
	lua_pop(L, 1);

	lsnn_class(L, LSNN_SURROGATE, meta, methods, lsnn_surrogate_index);

	lua_createtable(L, 0, SURROGATE_COUNT + 3);
	for (k = 0; k < SURROGATE_COUNT; k++) {
		name = surrogate_kind_name((enum surrogate_kind)k);
		lua_pushstring(L, name);
		lua_pushcclosure(L, lsnn_surrogate_new, 1);
		lua_setfield(L, -2, name);
	}
	lua_pushcfunction(L, lsnn_surrogate_names);
	lua_setfield(L, -2, "names");
	lua_newtable(L);
	lua_pushvalue(L, -1);
	lua_setfield(L, -3, "defined");
	lua_pushcclosure(L, lsnn_surrogate_define, 1);
	lua_setfield(L, -2, "define");
	lua_setfield(L, -2, "surrogate");
}
