/*
 * lua-help.c: help(), the global that prints entries of snnwb-lua(7). The
 * entries are made at build time from the manual's mdoc source by
 * src/lua-help.awk into lua-help-text.c (lsnn_help_entries), so help and
 * manual say the same. An entry is found by its name ("snn.train",
 * "t:shape"), by its last part ("train") or by the value it names: a
 * name is looked up in the globals, in the shipped modules
 * (models.epoch_line is snnwb.models) and, for methods (t:, s:, net:, ds:,
 * job:), in the method table of the class.
 */
#include <string.h>

#include "lua-snn.h"

/* The width of the overview's lines of names. */
#define LSNN_HELP_WIDTH 76

/* The names the manual gives the values of each class, for their methods. */
static const struct {
	const char	*prefix;
	const char	*meta;
} lsnn_help_classes[] = {
	{ "t:", LSNN_TENSOR },
	{ "s:", LSNN_SURROGATE },
	{ "net:", LSNN_NET },
	{ "ds:", LSNN_DATA },
	{ "job:", LSNN_JOB }
};

/*
 * Pushes the value that the manual's name stands for, or nil: a method
 * from its class's method table, else a dotted path from the globals or
 * a shipped module (snnwb.FIRST).
 */
static void
lsnn_help_value(lua_State *L, const char *name)
{
	const char	*at, *dot;
	size_t		 i, k, n;
	int		 top = lua_gettop(L);

	dot = strchr(name, '.');
	n = dot != NULL ? (size_t)(dot - name) : strlen(name);
	for (i = 0; i < sizeof lsnn_help_classes /
	    sizeof lsnn_help_classes[0]; i++) {
		if (strncmp(name, lsnn_help_classes[i].prefix, n) == 0 &&
		    lsnn_help_classes[i].prefix[n] == ':') {
			lua_pushnil(L);		/* t.x: a field, not a path */
			return;
		}
		k = strlen(lsnn_help_classes[i].prefix);
		if (strncmp(name, lsnn_help_classes[i].prefix, k) != 0)
			continue;
		if (luaL_getmetatable(L, lsnn_help_classes[i].meta) ==
		    LUA_TTABLE && lua_getfield(L, -1, "__methods") ==
		    LUA_TTABLE)
			lua_getfield(L, -1, name + k);
		else
			lua_pushnil(L);
		lua_replace(L, top + 1);
		lua_settop(L, top + 1);
		return;
	}
	lua_pushglobaltable(L);
	lua_pushlstring(L, name, n);
	if (lua_rawget(L, -2) == LUA_TNIL) {
		lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
		lua_pushliteral(L, "snnwb.");
		lua_pushlstring(L, name, n);
		lua_concat(L, 2);
		lua_rawget(L, -2);
		lua_replace(L, top + 1);
	} else
		lua_replace(L, top + 1);
	lua_settop(L, top + 1);
	for (at = dot; at != NULL && lua_istable(L, -1); at = dot) {
		dot = strchr(at + 1, '.');
		n = dot != NULL ? (size_t)(dot - at - 1) : strlen(at + 1);
		lua_pushlstring(L, at + 1, n);
		lua_rawget(L, -2);
		lua_remove(L, -2);
	}
	if (at != NULL) {
		lua_pop(L, 1);
		lua_pushnil(L);
	}
}

/* Returns whether the entry's name ends in s after a . or a :. */
static int
lsnn_help_tail(const char *name, const char *s)
{
	size_t	n = strlen(name), k = strlen(s);

	return k < n && strcmp(name + n - k, s) == 0 &&
	    (name[n - k - 1] == '.' || name[n - k - 1] == ':');
}

/* Adds an entry, its synopsis, a blank line and its text, to b. */
static void
lsnn_help_add(luaL_Buffer *b, const struct lsnn_help *h)
{
	if (luaL_bufflen(b) > 0)
		luaL_addstring(b, "\n\n");
	luaL_addstring(b, h->synopsis);
	luaL_addstring(b, "  [");
	luaL_addstring(b, h->section);
	luaL_addstring(b, ", snnwb-lua(7)]");
	if (h->text[0] != '\0') {
		luaL_addstring(b, "\n\n");
		luaL_addstring(b, h->text);
	}
}

/*
 * Adds to b the entries named s, or else those whose name ends in s, the
 * module's functions (snn.*) first; returns whether there were any.
 */
static int
lsnn_help_named(luaL_Buffer *b, const char *s)
{
	const struct lsnn_help	*h;
	int			 found = 0, pass;

	for (pass = 0; pass < 3 && !(pass == 1 && found); pass++) {
		for (h = lsnn_help_entries; h->name != NULL; h++) {
			if (pass == 0 ? strcmp(h->name, s) == 0 :
			    lsnn_help_tail(h->name, s) && (pass == 1) ==
			    (strncmp(h->name, "snn.", 4) == 0)) {
				lsnn_help_add(b, h);
				found = 1;
			}
		}
	}
	return found;
}

/*
 * Returns the last dot of name when a placeholder follows it, as in
 * snn.surrogate.NAME, else NULL.
 */
static const char *
lsnn_help_wild(const char *name)
{
	const char	*last = strrchr(name, '.'), *p;

	if (last == NULL)
		return NULL;
	for (p = last + 1; *p >= 'A' && *p <= 'Z'; p++)
		;
	return p > last + 1 && *p == '\0' ? last : NULL;
}

/*
 * Returns whether the entry name stands for the value at idx: the value
 * it names, or for a name ending in a placeholder any value of the table
 * before it.
 */
static int
lsnn_help_is(lua_State *L, const char *name, int idx)
{
	const char	*last = lsnn_help_wild(name);
	int		 same = 0;

	if (last == NULL) {
		lsnn_help_value(L, name);
		same = lua_rawequal(L, -1, idx);
		lua_pop(L, 1);
		return same;
	}
	lua_pushlstring(L, name, (size_t)(last - name));
	lsnn_help_value(L, lua_tostring(L, -1));
	if (lua_istable(L, -1)) {
		lua_pushnil(L);
		while (lua_next(L, -2) != 0) {
			same |= lua_rawequal(L, -1, idx);
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 2);
	return same;
}

/*
 * Adds to b the entries whose name stands for the value at idx, or else
 * those whose placeholder does (snn.surrogate.NAME for
 * snn.surrogate.atan); returns whether there were any. Entries that name
 * the same thing twice (a summary and a section of its own) are all given.
 */
static int
lsnn_help_of(lua_State *L, luaL_Buffer *b, int idx)
{
	const struct lsnn_help	*h;
	int			 found = 0, pass;

	for (pass = 0; pass < 2 && !found; pass++) {
		for (h = lsnn_help_entries; h->name != NULL; h++) {
			if ((lsnn_help_wild(h->name) != NULL) == pass &&
			    lsnn_help_is(L, h->name, idx)) {
				lsnn_help_add(b, h);
				found = 1;
			}
		}
	}
	return found;
}

/* Returns whether the name of h came earlier in its section. */
static int
lsnn_help_listed(const struct lsnn_help *h)
{
	const struct lsnn_help	*e;

	for (e = h; e > lsnn_help_entries &&
	    strcmp(e[-1].section, h->section) == 0; e--) {
		if (strcmp(e[-1].name, h->name) == 0)
			return 1;
	}
	return 0;
}

/* Adds the overview to b: how to ask, then the names by section. */
static void
lsnn_help_overview(luaL_Buffer *b)
{
	const struct lsnn_help	*h;
	const char		*section = NULL;
	size_t			 col = 0, n;

	luaL_addstring(b, "help(f) or help(\"name\") prints the entry of "
	    "snnwb-lua(7) for a function\nor field of the snn module, "
	    "for example help(snn.train), help(\"t:shape\").\nThe whole "
	    "manual: man snnwb-lua; the program and its keys: man snnwb.\n");
	for (h = lsnn_help_entries; h->name != NULL; h++) {
		if (section == NULL || strcmp(section, h->section) != 0) {
			section = h->section;
			luaL_addstring(b, "\n");
			luaL_addstring(b, section);
			luaL_addstring(b, "\n ");
			col = 1;
		} else if (lsnn_help_listed(h))
			continue;
		n = strlen(h->name);
		if (col + 1 + n > LSNN_HELP_WIDTH) {
			luaL_addstring(b, "\n ");
			col = 1;
		}
		luaL_addchar(b, ' ');
		luaL_addstring(b, h->name);
		col += 1 + n;
	}
}

/*
 * help([v]): prints the manual's entries for v, a value of the snn module
 * or the name of one (the manual's, or a path to the value), or the
 * overview without v; returns nothing.
 */
static int
lsnn_help(lua_State *L)
{
	luaL_Buffer	 b;
	int		 found, none = lua_isnone(L, 1);

	lua_settop(L, 1);
	lua_getglobal(L, "print");
	if (lua_type(L, 1) == LUA_TSTRING)
		lsnn_help_value(L, lua_tostring(L, 1));
	else
		lua_pushvalue(L, 1);
	luaL_buffinit(L, &b);
	if (none) {
		lsnn_help_overview(&b);
		found = 1;
	} else if (lua_type(L, 1) == LUA_TSTRING)
		found = lsnn_help_named(&b, lua_tostring(L, 1)) ||
		    (!lua_isnil(L, 3) && lsnn_help_of(L, &b, 3));
	else
		found = !lua_isnil(L, 3) && lsnn_help_of(L, &b, 3);
	luaL_pushresult(&b);
	lua_remove(L, 3);
	if (!found) {
		lua_pop(L, 1);
		lua_pushfstring(L, "no help for %s (help() lists the names)",
		    lua_type(L, 1) == LUA_TSTRING ? lua_tostring(L, 1) :
		    luaL_typename(L, 1));
	}
	lua_call(L, 1, 0);
	return 0;
}

/* Sets the global help. */
void
lsnn_help_open(lua_State *L)
{
	lua_pushcfunction(L, lsnn_help);
	lua_setglobal(L, "help");
}
