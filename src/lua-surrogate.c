/*
 * lua-surrogate.c: surrogate spike functions as Lua values. The table
 * snn.surrogate holds one constructor per built-in surrogate, named as
 * surrogate.c names them (snn.surrogate.atan{alpha = 2}); the values they
 * return are copied into neuron layers.
 */
#include <stdio.h>
#include <string.h>

#include "lua-snn.h"

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

/* Adds s as the constructor call that makes it, "snn.surrogate.atan{...}". */
void
lsnn_surrogate_describe(luaL_Buffer *b, const struct surrogate *s)
{
	char	num[32];
	int	i;

	luaL_addstring(b, "snn.surrogate.");
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
	struct surrogate	*s;
	char			*cause = NULL;

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
		if (surrogate_set(s, lua_tostring(L, -2), lsnn_check_number(L,
		    -1, lua_tostring(L, 2), lua_tostring(L, -2)), &cause) != 0)
			lsnn_error(L, lua_tostring(L, 2), cause);
		lua_pop(L, 1);
	}
	lua_settop(L, 3);
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
 * parameters; other keys look up the methods (upvalue 1).
 */
static int
lsnn_surrogate_index(lua_State *L)
{
	struct surrogate	*s = lsnn_surrogate_self(L, 1, "surrogate");
	const char		*key;
	int			 i;

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
	lua_settop(L, 2);
	lua_gettable(L, lua_upvalueindex(1));
	return 1;
}

/* __tostring: the constructor call, "snn.surrogate.sigmoid{alpha=4}". */
static int
lsnn_surrogate_tostring(lua_State *L)
{
	struct surrogate	*s = lsnn_surrogate_self(L, 1, "tostring");
	luaL_Buffer		 b;

	luaL_buffinit(L, &b);
	lsnn_surrogate_describe(&b, s);
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
	const char		*name;
	int			 k;

	luaL_newmetatable(L, LSNN_SURROGATE);
	lua_pushcfunction(L, lsnn_surrogate_tostring);
	lua_setfield(L, -2, "__tostring");
	luaL_newlib(L, methods);
	lua_pushcclosure(L, lsnn_surrogate_index, 1);
	lua_setfield(L, -2, "__index");
	lua_pop(L, 1);

	lua_createtable(L, 0, SURROGATE_COUNT + 1);
	for (k = 0; k < SURROGATE_COUNT; k++) {
		name = surrogate_kind_name((enum surrogate_kind)k);
		lua_pushstring(L, name);
		lua_pushcclosure(L, lsnn_surrogate_new, 1);
		lua_setfield(L, -2, name);
	}
	lua_pushcfunction(L, lsnn_surrogate_names);
	lua_setfield(L, -2, "names");
	lua_setfield(L, -2, "surrogate");
}
