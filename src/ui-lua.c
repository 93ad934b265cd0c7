/*
 * ui-lua.c: the Lua side of the session. Lines are read as lua(1) reads
 * them: first as "return <line>" so that an expression prints its values,
 * then as a statement; a syntax error at <eof> asks for more lines, and
 * the whole chunk then goes into the history as one entry. Chunks run
 * through lsnn_call (traceback handler, Ctrl-C), errors go to the log and
 * the session goes on; a table among the values prints by its contents.
 * print and io.write write into the log (standard output in the plain line
 * mode); quit() ends the session. Completion walks tables, with their
 * __index chains, for the names after the last . or :.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui.h"

/* What lua(1) looks for at the end of the message of an incomplete chunk. */
#define UI_LUA_EOF "<eof>"

/* Tables followed through __index before completion gives up. */
#define UI_LUA_DEPTH 8

/* The width a table printed at the prompt is kept within. */
#define UI_LUA_WIDTH 78

/* Tables nested deeper than this print as {...}. */
#define UI_LUA_NEST 2

/* The room kept at the end of a table for ", ... (N more)}". */
#define UI_LUA_MORE 20

/* The most lines a table printed at the prompt takes. */
#define UI_LUA_LINES 16

/* Tables laid out over lines, one inside another, at most. */
#define UI_LUA_EXPAND 3

/* Text being built, for a table printed at the prompt. */
struct ui_lua_text {
	char	*s;
	size_t	 n;
	size_t	 cap;
	int	 cut;		/* entries left out for width */
	int	 deep;		/* tables shown as {...} */
};

/* The order a table's entries print in. */
struct ui_lua_order {
	size_t	narray;		/* the array part, 1..narray */
	size_t	total;		/* entries */
	int	keys;		/* stack index of the other keys in order */
};

/* The chunk read so far while more lines are wanted, or NULL. */
static char *ui_lua_chunk;

/* Completions being collected. */
struct ui_lua_completion {
	const char	 *text;		/* what is completed */
	size_t		  keep;		/* bytes of text before the name */
	char		**out;		/* NULL-terminated, malloc'd */
	size_t		  n;
	size_t		  cap;
	int		  append;	/* after the one completion */
};

/* print(...): its arguments as tostring gives them, to the log. */
static int
ui_lua_print(lua_State *L)
{
	luaL_Buffer	 b;
	const char	*s;
	size_t		 len;
	int		 i, n = lua_gettop(L);

	luaL_buffinit(L, &b);
	for (i = 1; i <= n; i++) {
		if (i > 1)
			luaL_addchar(&b, '\t');
		luaL_tolstring(L, i, NULL);
		luaL_addvalue(&b);
	}
	luaL_addchar(&b, '\n');
	luaL_pushresult(&b);
	s = lua_tolstring(L, -1, &len);
	ui_log_add(UI_LOG_OUT, s, len);
	ui_session_tick();
	return 0;
}

/*
 * io.write(...): strings and numbers (formatted as io.write does) to the
 * log; returns io.stdout, its first upvalue, as io.write does.
 */
static int
ui_lua_write(lua_State *L)
{
	const char	*s;
	char		 buf[64];
	size_t		 len;
	int		 i, n = lua_gettop(L);

	for (i = 1; i <= n; i++) {
		if (lua_type(L, i) == LUA_TNUMBER) {
			if (lua_isinteger(L, i))
				len = (size_t)snprintf(buf, sizeof buf,
				    LUA_INTEGER_FMT,
				    (LUAI_UACINT)lua_tointeger(L, i));
			else
				len = (size_t)snprintf(buf, sizeof buf,
				    LUA_NUMBER_FMT,
				    (LUAI_UACNUMBER)lua_tonumber(L, i));
			s = buf;
		} else
			s = luaL_checklstring(L, i, &len);
		ui_log_add(UI_LOG_OUT, s, len);
	}
	ui_session_tick();
	lua_pushvalue(L, lua_upvalueindex(1));
	return 1;
}

/* quit(): ends the session once the chunk is done (asks if a job runs). */
static int
ui_lua_quit(lua_State *L)
{
	ui_session_quit();
	return 0;
}

/*
 * Puts the session's print and io.write in place, and quit when the
 * session is interactive.
 */
void
ui_lua_open(lua_State *L, int interactive)
{
	lua_pushcfunction(L, ui_lua_print);
	lua_setglobal(L, "print");
	if (lua_getglobal(L, "io") == LUA_TTABLE) {
		lua_getfield(L, -1, "stdout");
		lua_pushcclosure(L, ui_lua_write, 1);
		lua_setfield(L, -2, "write");
	}
	lua_pop(L, 1);
	if (interactive) {
		lua_pushcfunction(L, ui_lua_quit);
		lua_setglobal(L, "quit");
	}
}

/* Moves the error message on top of the stack into the log. */
static void
ui_lua_report(lua_State *L)
{
	const char	*msg = lua_tostring(L, -1);

	ui_log_printf(UI_LOG_ERROR, "%s", msg != NULL ? msg :
	    "(error object is not a string)");
	lua_pop(L, 1);
}

/*
 * Calls fn, which the session runs on its own, under lsnn_call_unarmed
 * (Ctrl-C stays the session's); an error goes to the log.
 */
void
ui_lua_protect(lua_State *L, lua_CFunction fn)
{
	lua_pushcfunction(L, fn);
	if (lsnn_call_unarmed(L, 0, 0) != LUA_OK)
		ui_lua_report(L);
}

/*
 * Runs the init file, the one SNNWB_INIT names (none when it is empty) or
 * else $XDG_CONFIG_HOME/snnwb/init.lua or ~/.config/snnwb/init.lua if it
 * exists, its errors going to the log.
 */
void
ui_lua_init(lua_State *L)
{
	const char	*env = getenv("SNNWB_INIT");
	const char	*xdg = getenv("XDG_CONFIG_HOME");
	const char	*home = getenv("HOME");
	char		 path[4096];
	FILE		*f;

	if (env != NULL) {
		if (env[0] == '\0')
			return;
		snprintf(path, sizeof path, "%s", env);
	} else {
		if (xdg != NULL && xdg[0] == '/')
			snprintf(path, sizeof path, "%s/snnwb/init.lua", xdg);
		else if (home != NULL && home[0] != '\0')
			snprintf(path, sizeof path,
			    "%s/.config/snnwb/init.lua", home);
		else
			return;
		if ((f = fopen(path, "r")) == NULL)
			return;
		fclose(f);
	}
	if (luaL_loadfile(L, path) != LUA_OK || lsnn_call(L, 0, 0) != LUA_OK)
		ui_lua_report(L);
}

/* Adds chunk to the history unless it is blank. */
static void
ui_lua_remember(const char *chunk)
{
	if (chunk[strspn(chunk, " \t\n")] != '\0')
		ui_prompt_remember(chunk);
}

/* Returns whether s is a Lua name (not checking for keywords). */
static int
ui_lua_name(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (i = 0; i < len; i++) {
		if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9')))
			return 0;
	}
	return 1;
}

/* Appends n bytes of s to the text t; a short memory drops them. */
static void
ui_lua_put(struct ui_lua_text *t, const char *s, size_t n)
{
	char	*p;
	size_t	 cap;

	if (t->n + n + 1 > t->cap) {
		cap = (t->n + n + 1) * 2;
		if ((p = realloc(t->s, cap)) == NULL)
			return;
		t->s = p;
		t->cap = cap;
	}
	memcpy(t->s + t->n, s, n);
	t->n += n;
	t->s[t->n] = '\0';
}

/* Appends the string s to t. */
static void
ui_lua_puts(struct ui_lua_text *t, const char *s)
{
	ui_lua_put(t, s, strlen(s));
}

/* Appends the string at idx to t quoted as Lua reads it back. */
static void
ui_lua_quote(lua_State *L, int idx, struct ui_lua_text *t)
{
	const char	*s;
	char		 esc[8];
	size_t		 i, n;

	s = lua_tolstring(L, idx, &n);
	ui_lua_puts(t, "\"");
	for (i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\') {
			esc[0] = '\\';
			esc[1] = s[i];
			ui_lua_put(t, esc, 2);
		} else if (s[i] == '\n')
			ui_lua_puts(t, "\\n");
		else if ((unsigned char)s[i] < 32 || s[i] == 127) {
			snprintf(esc, sizeof esc, "\\%d", (unsigned char)s[i]);
			ui_lua_puts(t, esc);
		} else
			ui_lua_put(t, s + i, 1);
	}
	ui_lua_puts(t, "\"");
}

/* Orders string keys for qsort. */
static int
ui_lua_keycmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Returns whether the value at idx is a table that prints as its
 * contents, one without a __tostring metamethod.
 */
static int
ui_lua_shown(lua_State *L, int idx)
{
	if (lua_type(L, idx) != LUA_TTABLE)
		return 0;
	if (luaL_getmetafield(L, idx, "__tostring") == LUA_TNIL)
		return 1;
	lua_pop(L, 1);
	return 0;
}

/*
 * Pushes a sequence of the keys of the table at idx outside its array
 * part 1..narray, in the order they print: the string keys sorted, then
 * the others; fills in o, whose keys is where the sequence is.
 */
static void
ui_lua_order(lua_State *L, int idx, struct ui_lua_order *o)
{
	const char	**keys;
	size_t		  nkeys = 0, i, n = 0;

	o->narray = lua_rawlen(L, idx);
	lua_pushnil(L);
	while (lua_next(L, idx) != 0) {
		lua_pop(L, 1);
		if (lua_type(L, -1) == LUA_TSTRING)
			nkeys++;
	}
	keys = lua_newuserdatauv(L, nkeys * sizeof *keys, 0);
	lua_newtable(L);
	o->keys = lua_gettop(L);
	nkeys = 0;
	lua_pushnil(L);
	while (lua_next(L, idx) != 0) {
		lua_pop(L, 1);
		if (lua_type(L, -1) == LUA_TSTRING)
			keys[nkeys++] = lua_tostring(L, -1);
	}
	if (nkeys > 0)
		qsort(keys, nkeys, sizeof *keys, ui_lua_keycmp);
	for (i = 0; i < nkeys; i++) {
		lua_pushstring(L, keys[i]);
		lua_rawseti(L, o->keys, (lua_Integer)++n);
	}
	lua_pushnil(L);
	while (lua_next(L, idx) != 0) {
		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TSTRING && !(lua_isinteger(L, -1) &&
		    lua_tointeger(L, -1) >= 1 &&
		    (lua_Unsigned)lua_tointeger(L, -1) <= o->narray)) {
			lua_pushvalue(L, -1);
			lua_rawseti(L, o->keys, (lua_Integer)++n);
		}
	}
	o->total = o->narray + n;
}

/* Pushes the key and the value of entry i, in order o, of the table at idx. */
static void
ui_lua_push(lua_State *L, int idx, const struct ui_lua_order *o, size_t i)
{
	if (i < o->narray)
		lua_pushinteger(L, (lua_Integer)i + 1);
	else
		lua_rawgeti(L, o->keys, (lua_Integer)(i - o->narray) + 1);
	lua_pushvalue(L, -1);
	lua_rawget(L, idx);
}

static void ui_lua_table(lua_State *, int, int, struct ui_lua_text *,
    size_t);

/*
 * Appends the value at idx to t: strings quoted, tables shown by
 * ui_lua_table within room bytes, anything else as tostring gives it.
 */
static void
ui_lua_value(lua_State *L, int idx, int depth, struct ui_lua_text *t,
    size_t room)
{
	idx = lua_absindex(L, idx);
	if (lua_type(L, idx) == LUA_TSTRING)
		ui_lua_quote(L, idx, t);
	else if (ui_lua_shown(L, idx))
		ui_lua_table(L, idx, depth, t, room);
	else {
		ui_lua_puts(t, luaL_tolstring(L, idx, NULL));
		lua_pop(L, 1);
	}
}

/*
 * Appends the key on top of the stack as an entry of a table starts:
 * "name=", "[key]=", or nothing in the array part.
 */
static void
ui_lua_key(lua_State *L, int array, int depth, struct ui_lua_text *t,
    size_t room)
{
	const char	*key;
	size_t		 n;

	if (array)
		return;
	if (lua_type(L, -1) == LUA_TSTRING &&
	    (key = lua_tolstring(L, -1, &n)) != NULL && ui_lua_name(key, n)) {
		ui_lua_put(t, key, n);
		ui_lua_puts(t, "=");
		return;
	}
	ui_lua_puts(t, "[");
	ui_lua_value(L, -1, depth + 1, t, room);
	ui_lua_puts(t, "]=");
}

/*
 * Appends the entry whose key and value are the two values on top of the
 * stack (array: in the array part) of a table at depth.
 */
static void
ui_lua_entry(lua_State *L, int array, int depth, struct ui_lua_text *t,
    size_t room)
{
	lua_pushvalue(L, -2);
	ui_lua_key(L, array, depth, t, room);
	lua_pop(L, 1);
	ui_lua_value(L, -1, depth + 1, t, room);
}

/*
 * Appends the table at idx to t on one line, within room bytes where it
 * can: the array part in order, then the string keys sorted, then the
 * other keys; entries that do not fit give way to "... (N more)", and t
 * is marked cut. Tables UI_LUA_NEST levels down show as {...}, and t is
 * marked deep.
 */
static void
ui_lua_table(lua_State *L, int idx, int depth, struct ui_lua_text *t,
    size_t room)
{
	struct ui_lua_order	o;
	size_t			start = t->n, mark, shown, used, left;
	char			more[48];
	int			top;

	idx = lua_absindex(L, idx);
	luaL_checkstack(L, 8, "a table too deep to print");
	top = lua_gettop(L);
	if (depth >= UI_LUA_NEST) {
		lua_pushnil(L);
		if (lua_next(L, idx) == 0) {
			ui_lua_puts(t, "{}");
			return;
		}
		lua_settop(L, top);
		ui_lua_puts(t, "{...}");
		t->deep = 1;
		return;
	}
	ui_lua_order(L, idx, &o);
	ui_lua_puts(t, "{");
	for (shown = 0; shown < o.total; shown++) {
		mark = t->n;
		if (shown > 0)
			ui_lua_puts(t, ", ");
		used = t->n - start + UI_LUA_MORE;
		left = room > used ? room - used : 0;
		ui_lua_push(L, idx, &o, shown);
		ui_lua_entry(L, shown < o.narray, depth, t, left);
		lua_pop(L, 2);
		if (t->n - start + (shown + 1 < o.total ? UI_LUA_MORE : 1) >
		    room) {
			t->n = mark;
			break;
		}
	}
	lua_settop(L, top);
	if (shown < o.total) {
		snprintf(more, sizeof more, "%s... (%zu more)",
		    shown > 0 ? ", " : "", o.total - shown);
		ui_lua_puts(t, more);
		t->cut = 1;
	}
	ui_lua_puts(t, "}");
}

/* Returns the room left on a line of UI_LUA_WIDTH after used bytes. */
static size_t
ui_lua_room(size_t used)
{
	return used < UI_LUA_WIDTH ? UI_LUA_WIDTH - used : 0;
}

/* Starts a new line in t indented by col spaces; returns where it starts. */
static size_t
ui_lua_newline(struct ui_lua_text *t, size_t col)
{
	size_t	bol;

	ui_lua_puts(t, "\n");
	bol = t->n;
	while (col-- > 0)
		ui_lua_puts(t, " ");
	return bol;
}

/*
 * Appends the table at idx to t over at most lines lines (2 or more), its
 * "{" at column col of the line that starts at *bol: entries side by side
 * as long as they fit in UI_LUA_WIDTH columns, lines after the first
 * starting a column right of the "{". An entry cut short or with tables
 * shown as {...}, on a line of its own, is a table laid out the same way
 * (when its key leaves half the width) while depth (from 0) is below
 * UI_LUA_EXPAND and lines are left (half of them when entries follow);
 * the last line says how many entries did not fit. Sets *bol to where the
 * last line starts; returns the lines used.
 */
static int
ui_lua_fill(lua_State *L, int idx, int depth, struct ui_lua_text *t,
    size_t *bol, int lines)
{
	struct ui_lua_order	o;
	size_t			i, mark, col = t->n - *bol, room;
	char			more[32];
	int			top, used = 1, sub;

	idx = lua_absindex(L, idx);
	luaL_checkstack(L, 8, "a table too deep to print");
	top = lua_gettop(L);
	ui_lua_order(L, idx, &o);
	ui_lua_puts(t, "{");
	for (i = 0; i < o.total; i++) {
		mark = t->n;
		ui_lua_push(L, idx, &o, i);
		if (i > 0)
			ui_lua_puts(t, ", ");
		t->cut = t->deep = 0;
		room = ui_lua_room(t->n - *bol + 1);
		ui_lua_entry(L, i < o.narray, 0, t, room);
		if (i > 0 && (t->cut || t->deep ||
		    t->n - *bol + 1 > UI_LUA_WIDTH)) {
			t->n = mark;
			if (used + (i + 1 < o.total ? 2 : 1) > lines)
				break;
			ui_lua_puts(t, ",");
			*bol = ui_lua_newline(t, col + 1);
			used++;
			mark = t->n;
			t->cut = t->deep = 0;
			ui_lua_entry(L, i < o.narray, 0, t,
			    ui_lua_room(col + 2));
		}
		sub = lines - used + 1;
		if (i + 1 < o.total)
			sub = (sub - 1) / 2;
		if ((t->cut || t->deep) && ui_lua_shown(L, -1) &&
		    depth + 1 < UI_LUA_EXPAND && sub >= 2) {
			t->n = mark;
			lua_pushvalue(L, -2);
			ui_lua_key(L, i < o.narray, 0, t, UI_LUA_WIDTH);
			lua_pop(L, 1);
			if (t->n - *bol < UI_LUA_WIDTH / 2)
				used += ui_lua_fill(L, -1, depth + 1, t, bol,
				    sub) - 1;
			else {
				t->n = mark;
				ui_lua_entry(L, i < o.narray, 0, t,
				    ui_lua_room(t->n - *bol + 1));
			}
		}
		lua_pop(L, 2);
	}
	lua_settop(L, top);
	if (i < o.total) {
		if (i > 0)
			ui_lua_puts(t, ",");
		*bol = ui_lua_newline(t, col + 1);
		used++;
		snprintf(more, sizeof more, "... (%zu more)", o.total - i);
		ui_lua_puts(t, more);
	}
	ui_lua_puts(t, "}");
	t->cut = t->deep = 0;
	return used;
}

/*
 * Prints its arguments with the global print, but a table as its contents:
 * on one line when it fits in UI_LUA_WIDTH columns ({1, 2, 3},
 * {lr=0.001, name="adam"}), else laid out over at most UI_LUA_LINES lines
 * by ui_lua_fill; the text is built in a buffer kept for the next call,
 * so an error on the way leaks nothing.
 */
static int
ui_lua_show(lua_State *L)
{
	static struct ui_lua_text	t;
	size_t				bol;
	int				i, n = lua_gettop(L);

	for (i = 1; i <= n; i++) {
		if (!ui_lua_shown(L, i))
			continue;
		t.n = 0;
		t.cut = 0;
		ui_lua_table(L, i, 0, &t, UI_LUA_WIDTH);
		if (t.cut) {
			t.n = 0;
			bol = 0;
			ui_lua_fill(L, i, 0, &t, &bol, UI_LUA_LINES);
		}
		lua_pushstring(L, t.s != NULL ? t.s : "{}");
		lua_replace(L, i);
	}
	lua_getglobal(L, "print");
	lua_insert(L, 1);
	lua_call(L, n, 0);
	return 0;
}

/*
 * Runs the function on top of the stack and prints what it returns with
 * ui_lua_show, as lua(1) does with print; errors go to the log.
 */
static void
ui_lua_run(lua_State *L)
{
	int	base = lua_gettop(L) - 1, n;

	if (lsnn_call(L, 0, LUA_MULTRET) != LUA_OK) {
		ui_lua_report(L);
		return;
	}
	if ((n = lua_gettop(L) - base) == 0)
		return;
	luaL_checkstack(L, 1, "too many results to print");
	lua_pushcfunction(L, ui_lua_show);
	lua_insert(L, base + 1);
	if (lsnn_call(L, n, 0) != LUA_OK)
		ui_lua_report(L);
}

/* Returns whether the load error on top of the stack is an early end. */
static int
ui_lua_incomplete(lua_State *L, int status)
{
	const char	*msg;
	size_t		 len;

	if (status != LUA_ERRSYNTAX)
		return 0;
	msg = lua_tolstring(L, -1, &len);
	return len >= strlen(UI_LUA_EOF) &&
	    strcmp(msg + len - strlen(UI_LUA_EOF), UI_LUA_EOF) == 0;
}

/* Appends line to the pending chunk; returns -1 if short of memory. */
static int
ui_lua_extend(const char *line)
{
	size_t	 old = ui_lua_chunk != NULL ? strlen(ui_lua_chunk) : 0;
	char	*p;

	if ((p = realloc(ui_lua_chunk, old + strlen(line) + 2)) == NULL)
		return -1;
	if (old > 0)
		p[old++] = '\n';
	strcpy(p + old, line);
	ui_lua_chunk = p;
	return 0;
}

/*
 * Takes a line typed at the prompt: runs it, or the chunk it completes;
 * returns 1 when the chunk needs more lines.
 */
int
ui_lua_line(lua_State *L, const char *line)
{
	const char	*code;
	size_t		 len;
	int		 status;

	if (ui_lua_chunk == NULL) {
		code = lua_pushfstring(L, "return %s", line);
		if (luaL_loadbuffer(L, code, strlen(code), "=stdin") ==
		    LUA_OK) {
			lua_remove(L, -2);
			ui_lua_remember(line);
			ui_lua_run(L);
			return 0;
		}
		lua_pop(L, 2);
	}
	if (ui_lua_extend(line) != 0) {
		ui_log_printf(UI_LOG_ERROR, "out of memory reading a chunk");
		ui_lua_reset();
		return 0;
	}
	len = strlen(ui_lua_chunk);
	status = luaL_loadbuffer(L, ui_lua_chunk, len, "=stdin");
	if (ui_lua_incomplete(L, status)) {
		lua_pop(L, 1);
		return 1;
	}
	ui_lua_remember(ui_lua_chunk);
	ui_lua_reset();
	if (status != LUA_OK)
		ui_lua_report(L);
	else
		ui_lua_run(L);
	return 0;
}

/* Returns whether a chunk waits for more lines. */
int
ui_lua_pending(void)
{
	return ui_lua_chunk != NULL;
}

/* Forgets the chunk waiting for more lines. */
void
ui_lua_reset(void)
{
	free(ui_lua_chunk);
	ui_lua_chunk = NULL;
}

/*
 * Adds the completion text[0..keep) + name (len) unless it is there
 * already; type is the Lua type of what it names.
 */
static void
ui_lua_offer(struct ui_lua_completion *c, const char *name, size_t len,
    int type)
{
	char	**p, *s;
	size_t	  i;

	for (i = 0; i < c->n; i++) {
		if (strncmp(c->out[i] + c->keep, name, len) == 0 &&
		    c->out[i][c->keep + len] == '\0')
			return;
	}
	if (c->n + 2 > c->cap) {
		if ((p = realloc(c->out, (c->cap * 2 + 16) * sizeof *p)) ==
		    NULL)
			return;
		c->out = p;
		c->cap = c->cap * 2 + 16;
	}
	if ((s = malloc(c->keep + len + 1)) == NULL)
		return;
	memcpy(s, c->text, c->keep);
	memcpy(s + c->keep, name, len);
	s[c->keep + len] = '\0';
	c->out[c->n++] = s;
	c->out[c->n] = NULL;
	c->append = type == LUA_TFUNCTION ? '(' : type == LUA_TTABLE ? '.' :
	    ' ';
}

/*
 * Replaces the object and key on top of the stack by the value the key
 * names, looked up raw in tables and through __index tables, and through
 * any __index of a userdata (snnwb's look fields up without side
 * effects); nil if none.
 */
static void
ui_lua_field(lua_State *L)
{
	int	depth, type;

	if (lua_type(L, -2) == LUA_TUSERDATA) {
		lua_gettable(L, -2);
		lua_remove(L, -2);
		return;
	}
	for (depth = 0; depth < UI_LUA_DEPTH; depth++) {
		if (lua_istable(L, -2)) {
			lua_pushvalue(L, -1);
			if (lua_rawget(L, -3) != LUA_TNIL) {
				lua_replace(L, -3);
				lua_pop(L, 1);
				return;
			}
			lua_pop(L, 1);
		}
		if ((type = luaL_getmetafield(L, -2, "__index")) !=
		    LUA_TTABLE) {
			if (type != LUA_TNIL)
				lua_pop(L, 1);
			break;
		}
		lua_replace(L, -3);
	}
	lua_pop(L, 2);
	lua_pushnil(L);
}

/*
 * Offers the string keys of the table on top of the stack that start with
 * part (len) and are Lua names; only functions when methods is true.
 */
static void
ui_lua_names(lua_State *L, struct ui_lua_completion *c, const char *part,
    size_t len, int methods)
{
	const char	*key;
	size_t		 klen;

	lua_pushnil(L);
	while (lua_next(L, -2) != 0) {
		if (lua_type(L, -2) == LUA_TSTRING &&
		    (!methods || lua_isfunction(L, -1))) {
			key = lua_tolstring(L, -2, &klen);
			if (klen >= len && strncmp(key, part, len) == 0 &&
			    ui_lua_name(key, klen))
				ui_lua_offer(c, key, klen, lua_type(L, -1));
		}
		lua_pop(L, 1);
	}
}

/*
 * Offers the names starting with part (len) of the value on top of the
 * stack: a table's keys and those of the tables its __index chain leads
 * to, or the method table (__methods) of a userdata of snnwb; only
 * functions when methods is true.
 */
static void
ui_lua_fields(lua_State *L, struct ui_lua_completion *c, const char *part,
    size_t len, int methods)
{
	int	depth, type;

	lua_pushvalue(L, -1);
	for (depth = 0; depth < UI_LUA_DEPTH; depth++) {
		if (lua_istable(L, -1))
			ui_lua_names(L, c, part, len, methods);
		else if (luaL_getmetafield(L, -1, "__methods") != LUA_TNIL) {
			if (lua_istable(L, -1))
				ui_lua_names(L, c, part, len, methods);
			lua_pop(L, 1);
		}
		if ((type = luaL_getmetafield(L, -1, "__index")) !=
		    LUA_TTABLE) {
			if (type != LUA_TNIL)
				lua_pop(L, 1);
			break;
		}
		lua_replace(L, -2);
	}
	lua_pop(L, 1);
}

/* Offers the Lua keywords starting with part (len). */
static void
ui_lua_keywords(struct ui_lua_completion *c, const char *part, size_t len)
{
	static const char *const	words[] = {
		"and", "break", "do", "else", "elseif", "end", "false",
		"for", "function", "goto", "if", "in", "local", "nil", "not",
		"or", "repeat", "return", "then", "true", "until", "while"
	};
	size_t				i;

	for (i = 0; i < sizeof words / sizeof words[0]; i++) {
		if (strncmp(words[i], part, len) == 0)
			ui_lua_offer(c, words[i], strlen(words[i]),
			    LUA_TNIL);
	}
}

/*
 * Collects the completions of the text in the struct ui_lua_completion
 * at argument 1: "a.b.c:pa" walks _G.a.b.c and offers its methods that
 * start with "pa"; a plain name offers globals and keywords; a . or : after
 * no name (after a call or a literal, which completion does not evaluate)
 * offers nothing.
 */
static int
ui_lua_candidates(lua_State *L)
{
	struct ui_lua_completion	*c = lua_touserdata(L, 1);
	const char			*text = c->text, *sep = NULL, *p, *at;

	for (p = text; *p != '\0'; p++) {
		if (*p == '.' || *p == ':')
			sep = p;
	}
	if (sep == text)
		return 0;
	lua_pushglobaltable(L);
	for (at = text; sep != NULL && at < sep; at = p + 1) {
		for (p = at; p < sep && *p != '.' && *p != ':'; p++)
			;
		if (p == at || (p < sep && *p == ':'))
			return 0;
		lua_pushlstring(L, at, (size_t)(p - at));
		ui_lua_field(L);
	}
	c->keep = sep != NULL ? (size_t)(sep + 1 - text) : 0;
	ui_lua_fields(L, c, text + c->keep, strlen(text + c->keep),
	    sep != NULL && *sep == ':');
	if (sep == NULL)
		ui_lua_keywords(c, text, strlen(text));
	return 0;
}

/*
 * Returns the completions of text as a NULL-terminated array of strings,
 * all allocated with malloc (readline frees the strings, the caller the
 * array), or NULL if there are none; *append is the character to add
 * after a single completion: ( after a function, . after a table.
 */
char **
ui_lua_complete(lua_State *L, const char *text, int *append)
{
	struct ui_lua_completion	c;

	memset(&c, 0, sizeof c);
	c.text = text;
	lua_pushcfunction(L, ui_lua_candidates);
	lua_pushlightuserdata(L, &c);
	if (lua_pcall(L, 1, 0, 0) != LUA_OK)
		lua_pop(L, 1);
	*append = c.n == 1 ? c.append : ' ';
	return c.out;
}
