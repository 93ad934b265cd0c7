/*
 * lua-optim.c: optimizer settings as plain Lua tables. snn.optim.adam{lr=
 * 1e-3} returns {name = "adam", lr = 0.001, ...} with every hyperparameter
 * filled in (so it prints and can be edited), and snn.train turns such a
 * table back into engine settings with lsnn_optim_check. A table may also
 * carry schedule = "cosine" | "step" | "constant", or a table
 * {name = "step", step_size = 10, gamma = 0.5} or {name = "multistep",
 * milestones = {60, 120, 160}, gamma = 0.2}.
 */
#include <string.h>

#include "lua-snn.h"

/* Sets one hyperparameter from the value on top of the stack. */
static void
lsnn_optim_field(lua_State *L, const char *fn, const char *key,
    struct optim *o)
{
	char	*cause = NULL;

	if (strcmp(key, "betas") == 0) {
		if (!lua_istable(L, -1))
			lsnn_argerror(L, fn, "betas", "must be a table {beta1, "
			    "beta2} (got %s)", luaL_typename(L, -1));
		lua_rawgeti(L, -1, 1);
		lua_rawgeti(L, -2, 2);
		if (optim_set(o, "beta1", lsnn_check_number(L, -2, fn,
		    "betas[1]"), &cause) != 0 || optim_set(o, "beta2",
		    lsnn_check_number(L, -1, fn, "betas[2]"), &cause) != 0)
			lsnn_error(L, fn, cause);
		lua_pop(L, 2);
		return;
	}
	if (lua_type(L, -1) == LUA_TBOOLEAN) {
		if (optim_set(o, key, lua_toboolean(L, -1), &cause) != 0)
			lsnn_error(L, fn, cause);
		return;
	}
	if (optim_set(o, key, lsnn_check_number(L, -1, fn, key), &cause) != 0)
		lsnn_error(L, fn, cause);
}

/* Sets the milestones of s from the list on top of the stack. */
static void
lsnn_optim_milestones(lua_State *L, const char *fn, struct schedule *s)
{
	double		 e[SCHEDULE_MAXMILESTONES];
	char		*cause = NULL;
	lua_Integer	 i, n;

	if (!lua_istable(L, -1))
		lsnn_argerror(L, fn, "milestones", "must be a list of epochs "
		    "(got %s)", luaL_typename(L, -1));
	n = luaL_len(L, -1);
	for (i = 0; i < n && i < SCHEDULE_MAXMILESTONES; i++) {
		lua_rawgeti(L, -1, i + 1);
		e[i] = lsnn_check_number(L, -1, fn, "milestones");
		lua_pop(L, 1);
	}
	if (schedule_set_milestones(s, e, (int)n, &cause) != 0)
		lsnn_error(L, fn, cause);
}

/* Fills a schedule from the value on top of the stack (name or table). */
static void
lsnn_optim_schedule(lua_State *L, const char *fn, struct schedule *s)
{
	const char	*key;
	char		*cause = NULL;
	int		 top = lua_gettop(L);

	if (lua_type(L, top) == LUA_TSTRING) {
		if (schedule_init(s, lua_tostring(L, top), &cause) != 0)
			lsnn_error(L, fn, cause);
		return;
	}
	if (!lua_istable(L, top))
		lsnn_argerror(L, fn, "schedule", "must be a name or a table "
		    "(got %s)", luaL_typename(L, top));
	if (schedule_init(s, lsnn_opt_string(L, top, fn, "name", "constant"),
	    &cause) != 0)
		lsnn_error(L, fn, cause);
	lua_pushnil(L);
	while (lua_next(L, top) != 0) {
		key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) :
		    "?";
		if (strcmp(key, "milestones") == 0)
			lsnn_optim_milestones(L, fn, s);
		else if (strcmp(key, "name") != 0 && schedule_set(s, key,
		    lsnn_check_number(L, -1, fn, key), &cause) != 0)
			lsnn_error(L, fn, cause);
		lua_pop(L, 1);
	}
}

/*
 * Reads the optimizer table at idx (as snn.optim.* returns it, or written
 * by hand) into o and s, validating both; errors name fn.
 */
void
lsnn_optim_check(lua_State *L, int idx, const char *fn, struct optim *o,
    struct schedule *s)
{
	const char	*key;
	char		*cause = NULL;

	idx = lua_absindex(L, idx);
	if (!lua_istable(L, idx))
		lsnn_argerror(L, fn, "optimizer", "must be a table from "
		    "snn.optim (got %s)", luaL_typename(L, idx));
	if (optim_init(o, lsnn_opt_string(L, idx, fn, "name", "adam"),
	    &cause) != 0)
		lsnn_error(L, fn, cause);
	schedule_init(s, "constant", NULL);
	lua_pushnil(L);
	while (lua_next(L, idx) != 0) {
		key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) :
		    "?";
		if (strcmp(key, "schedule") == 0)
			lsnn_optim_schedule(L, fn, s);
		else if (strcmp(key, "name") != 0)
			lsnn_optim_field(L, fn, key, o);
		lua_pop(L, 1);
	}
	if (optim_validate(o, &cause) != 0 || schedule_validate(s, &cause) != 0)
		lsnn_error(L, fn, cause);
}

/* Pushes the table form of an optimizer and schedule. */
static void
lsnn_optim_push(lua_State *L, const struct optim *o,
    const struct schedule *s)
{
	int	i;

	lua_newtable(L);
	lua_pushstring(L, optim_name(o));
	lua_setfield(L, -2, "name");
	lua_pushnumber(L, o->lr);
	lua_setfield(L, -2, "lr");
	lua_pushnumber(L, o->weight_decay);
	lua_setfield(L, -2, "weight_decay");
	if (o->kind == OPTIM_SGD) {
		lua_pushnumber(L, o->momentum);
		lua_setfield(L, -2, "momentum");
		lua_pushnumber(L, o->dampening);
		lua_setfield(L, -2, "dampening");
		lua_pushboolean(L, o->nesterov);
		lua_setfield(L, -2, "nesterov");
	} else {
		lua_createtable(L, 2, 0);
		lua_pushnumber(L, o->beta1);
		lua_rawseti(L, -2, 1);
		lua_pushnumber(L, o->beta2);
		lua_rawseti(L, -2, 2);
		lua_setfield(L, -2, "betas");
		lua_pushnumber(L, o->eps);
		lua_setfield(L, -2, "eps");
	}
	lua_newtable(L);
	lua_pushstring(L, schedule_name(s));
	lua_setfield(L, -2, "name");
	if (s->kind == SCHEDULE_STEP) {
		lua_pushinteger(L, s->step_size);
		lua_setfield(L, -2, "step_size");
		lua_pushnumber(L, s->gamma);
		lua_setfield(L, -2, "gamma");
	} else if (s->kind == SCHEDULE_COSINE) {
		if (s->t_max > 0) {
			lua_pushinteger(L, s->t_max);
			lua_setfield(L, -2, "t_max");
		}
		lua_pushnumber(L, s->eta_min);
		lua_setfield(L, -2, "eta_min");
	} else if (s->kind == SCHEDULE_MULTISTEP) {
		lua_createtable(L, s->nmilestones, 0);
		for (i = 0; i < s->nmilestones; i++) {
			lua_pushinteger(L, s->milestones[i]);
			lua_rawseti(L, -2, i + 1);
		}
		lua_setfield(L, -2, "milestones");
		lua_pushnumber(L, s->gamma);
		lua_setfield(L, -2, "gamma");
	}
	lua_setfield(L, -2, "schedule");
}

/* snn.optim.NAME{...}: the named optimizer's full settings as a table. */
static int
lsnn_optim_make(lua_State *L)
{
	const char	*name = lua_tostring(L, lua_upvalueindex(1));
	char		 fn[32];
	struct optim	 o;
	struct schedule	 s;

	snprintf(fn, sizeof fn, "snn.optim.%s", name);
	if (!lua_isnoneornil(L, 1) && !lua_istable(L, 1))
		return lsnn_argerror(L, fn, "options", "must be a table (got "
		    "%s)", luaL_typename(L, 1));
	lua_newtable(L);
	if (lua_istable(L, 1)) {
		lua_pushnil(L);
		while (lua_next(L, 1) != 0) {
			lua_pushvalue(L, -2);
			lua_insert(L, -2);
			lua_settable(L, -4);
		}
	}
	lua_pushstring(L, name);
	lua_setfield(L, -2, "name");
	lsnn_optim_check(L, -1, fn, &o, &s);
	lsnn_optim_push(L, &o, &s);
	return 1;
}

/* Adds snn.optim with sgd, adam and adamw. */
void
lsnn_optim_open(lua_State *L)
{
	static const char *const	names[] = { "sgd", "adam", "adamw" };
	size_t				i;

	lua_createtable(L, 0, 3);
	for (i = 0; i < sizeof names / sizeof *names; i++) {
		lua_pushstring(L, names[i]);
		lua_pushcclosure(L, lsnn_optim_make, 1);
		lua_setfield(L, -2, names[i]);
	}
	lua_setfield(L, -2, "optim");
}
