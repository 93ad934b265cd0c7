/*
 * lua-snn.c: the snn module. Its table is filled by the binding files listed
 * in lsnn_parts (one line each); this file also keeps the module's random
 * state and default seed, and the argument checks every binding shares.
 */
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "lua-snn.h"

/* Registry key of the module's state. */
#define LSNN_STATE "snn.state"

/* The default seed of a fresh module (snnwb --seed changes it). */
#define LSNN_DEFAULT_SEED 0

/* The default seed and the generator snn functions use without seed=. */
struct lsnn_state {
	struct rng	rng;
	lua_Integer	seed;
};

/* The binding files: each adds its functions to the module table on top. */
static void (*const lsnn_parts[])(lua_State *) = {
	lsnn_tensor_open,
	lsnn_surrogate_open,
	lsnn_net_open,
	lsnn_data_open,
	lsnn_optim_open,
	lsnn_train_open,
	lsnn_sim_open,
	lsnn_plot_open,
	lsnn_convert_open,
};

/* Returns the module state kept in the registry by lsnn_open. */
static struct lsnn_state *
lsnn_state(lua_State *L)
{
	struct lsnn_state	*st;

	lua_getfield(L, LUA_REGISTRYINDEX, LSNN_STATE);
	st = lua_touserdata(L, -1);
	lua_pop(L, 1);
	return st;
}

/* Sets the default seed and restarts the module's generator from it. */
void
lsnn_seed(lua_State *L, lua_Integer seed)
{
	struct lsnn_state	*st = lsnn_state(L);

	st->seed = seed;
	rng_seed(&st->rng, (uint64_t)seed);
}

/* Returns the generator of snn functions called without seed=. */
struct rng *
lsnn_rng(lua_State *L)
{
	return &lsnn_state(L)->rng;
}

/*
 * Raises "fn: argument 'arg' " followed by the formatted text, with the
 * caller's position in front as luaL_error does.
 */
int
lsnn_argerror(lua_State *L, const char *fn, const char *arg, const char *fmt,
    ...)
{
	va_list	ap;

	luaL_where(L, 1);
	lua_pushfstring(L, "%s: argument '%s' ", fn, arg);
	va_start(ap, fmt);
	lua_pushvfstring(L, fmt, ap);
	va_end(ap);
	lua_concat(L, 3);
	return lua_error(L);
}

/* Raises "fn: cause" and frees cause (NULL means out of memory). */
int
lsnn_error(lua_State *L, const char *fn, char *cause)
{
	luaL_where(L, 1);
	lua_pushfstring(L, "%s: %s", fn,
	    cause != NULL ? cause : "out of memory");
	free(cause);
	lua_concat(L, 2);
	return lua_error(L);
}

/* Pushes nil and "cause" (freed; NULL means out of memory): returns 2. */
int
lsnn_fail(lua_State *L, char *cause)
{
	lua_pushnil(L);
	lua_pushstring(L, cause != NULL ? cause : "out of memory");
	free(cause);
	return 2;
}

/* Returns the number at idx or raises an error naming fn and arg. */
lua_Number
lsnn_check_number(lua_State *L, int idx, const char *fn, const char *arg)
{
	if (lua_type(L, idx) != LUA_TNUMBER)
		lsnn_argerror(L, fn, arg, "must be a number (got %s)",
		    luaL_typename(L, idx));
	return lua_tonumber(L, idx);
}

/* Returns the string at idx or raises an error naming fn and arg. */
const char *
lsnn_check_string(lua_State *L, int idx, const char *fn, const char *arg)
{
	if (lua_type(L, idx) != LUA_TSTRING)
		lsnn_argerror(L, fn, arg, "must be a string (got %s)",
		    luaL_typename(L, idx));
	return lua_tostring(L, idx);
}

/* Returns the integer at idx, which must lie in [1, INT_MAX]. */
int
lsnn_check_positive(lua_State *L, int idx, const char *fn, const char *arg)
{
	lua_Integer	n = 0;
	int		isint = 0;

	if (lua_type(L, idx) == LUA_TNUMBER)
		n = lua_tointegerx(L, idx, &isint);
	if (lua_type(L, idx) == LUA_TNUMBER && lua_tonumber(L, idx) > INT_MAX)
		lsnn_argerror(L, fn, arg, "is too large: at most %d (got %s)",
		    INT_MAX, luaL_tolstring(L, idx, NULL));
	if (!isint || n < 1)
		lsnn_argerror(L, fn, arg, "must be a positive integer "
		    "(got %s)", luaL_tolstring(L, idx, NULL));
	return (int)n;
}

/* Returns the seed at idx, which must be a non-negative integer. */
lua_Integer
lsnn_check_seed(lua_State *L, int idx, const char *fn, const char *arg)
{
	lua_Integer	n = 0;
	int		isint = 0;

	if (lua_type(L, idx) == LUA_TNUMBER)
		n = lua_tointegerx(L, idx, &isint);
	if (!isint || n < 0)
		lsnn_argerror(L, fn, arg, "must be a non-negative integer "
		    "(got %s)", luaL_tolstring(L, idx, NULL));
	return n;
}

/*
 * Checks that idx is absent, nil or a table whose keys are all among known
 * (a NULL-terminated list), so a misspelt option is an error, not ignored.
 */
void
lsnn_check_options(lua_State *L, int idx, const char *fn,
    const char *const *known)
{
	const char *const	*k;
	const char		*key;
	luaL_Buffer		 b;

	if (lua_isnoneornil(L, idx))
		return;
	if (!lua_istable(L, idx))
		lsnn_argerror(L, fn, "options", "must be a table (got %s)",
		    luaL_typename(L, idx));
	idx = lua_absindex(L, idx);
	lua_pushnil(L);
	while (lua_next(L, idx) != 0) {
		lua_pop(L, 1);
		key = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) :
		    NULL;
		for (k = known; key != NULL && *k != NULL; k++) {
			if (strcmp(*k, key) == 0)
				break;
		}
		if (key != NULL && *k != NULL)
			continue;
		key = luaL_tolstring(L, -1, NULL);
		luaL_buffinit(L, &b);
		for (k = known; *k != NULL; k++) {
			luaL_addstring(&b, k == known ? "" : ", ");
			luaL_addstring(&b, *k);
		}
		luaL_pushresult(&b);
		lsnn_argerror(L, fn, "options", "has an unknown key '%s' "
		    "(known: %s)", key, lua_tostring(L, -1));
	}
}

/* Returns options[key] at idx as a boolean, or def when absent or nil. */
int
lsnn_opt_boolean(lua_State *L, int idx, const char *fn, const char *key,
    int def)
{
	int	v = def;

	if (lua_isnoneornil(L, idx))
		return def;
	switch (lua_getfield(L, idx, key)) {
	case LUA_TNIL:
		break;
	case LUA_TBOOLEAN:
		v = lua_toboolean(L, -1);
		break;
	default:
		lsnn_argerror(L, fn, key, "must be a boolean (got %s)",
		    luaL_typename(L, -1));
	}
	lua_pop(L, 1);
	return v;
}

/* Returns options[key] at idx as a number, or def when absent or nil. */
lua_Number
lsnn_opt_number(lua_State *L, int idx, const char *fn, const char *key,
    lua_Number def)
{
	lua_Number	v = def;

	if (lua_isnoneornil(L, idx))
		return def;
	if (lua_getfield(L, idx, key) != LUA_TNIL)
		v = lsnn_check_number(L, -1, fn, key);
	lua_pop(L, 1);
	return v;
}

/* Returns options[key] at idx as a string, or def when absent or nil. */
const char *
lsnn_opt_string(lua_State *L, int idx, const char *fn, const char *key,
    const char *def)
{
	const char	*v = def;

	if (lua_isnoneornil(L, idx))
		return def;
	if (lua_getfield(L, idx, key) != LUA_TNIL)
		v = lsnn_check_string(L, -1, fn, key);
	lua_pop(L, 1);
	return v;
}

/*
 * Returns options[key] at idx as a positive integer, or def when absent or
 * nil.
 */
int
lsnn_opt_positive(lua_State *L, int idx, const char *fn, const char *key,
    int def)
{
	int	v = def;

	if (lua_isnoneornil(L, idx))
		return def;
	if (lua_getfield(L, idx, key) != LUA_TNIL)
		v = lsnn_check_positive(L, -1, fn, key);
	lua_pop(L, 1);
	return v;
}

/*
 * Creates the metatable name with the metamethods meta, the table of
 * methods as __methods (for help and completion) and as __index, or index
 * with that table as its upvalue 1 when index is not NULL; leaves the
 * stack as it was.
 */
void
lsnn_class(lua_State *L, const char *name, const luaL_Reg *meta,
    const luaL_Reg *methods, lua_CFunction index)
{
	luaL_newmetatable(L, name);
	luaL_setfuncs(L, meta, 0);
	lua_newtable(L);
	luaL_setfuncs(L, methods, 0);
	lua_pushvalue(L, -1);
	lua_setfield(L, -3, "__methods");
	if (index != NULL)
		lua_pushcclosure(L, index, 1);
	lua_setfield(L, -2, "__index");
	lua_pop(L, 1);
}

/* Whether long work may draw a progress line (the UI turns it off). */
static int lsnn_progress_on = 1;

/* Allows or forbids progress lines on stderr (the live view forbids them). */
void
lsnn_set_progress(int on)
{
	lsnn_progress_on = on;
}

/*
 * Returns nonzero when long work should draw a progress line: stderr is a
 * terminal, progress is allowed and snn.quiet (snnwb -q) is not set.
 */
int
lsnn_progress_wanted(lua_State *L)
{
	int	quiet;

	if (!lsnn_progress_on || !isatty(STDERR_FILENO))
		return 0;
	lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	lua_getfield(L, -1, "snn");
	quiet = lua_istable(L, -1) && (lua_getfield(L, -1, "quiet"),
	    lua_toboolean(L, -1));
	lua_pop(L, lua_istable(L, -2) ? 3 : 2);
	return !quiet;
}

/* Rewrites the progress line on stderr with the formatted text. */
void
lsnn_progress(const char *fmt, ...)
{
	va_list	ap;

	fputs("\r", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\033[K", stderr);
	fflush(stderr);
}

/* Ends the progress line so later output starts on a new line. */
void
lsnn_progress_end(void)
{
	fputc('\n', stderr);
	fflush(stderr);
}

/* Emits a Lua warning (stderr in batch mode, the log pane in the UI). */
void
lsnn_warn(lua_State *L, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	lua_pushvfstring(L, fmt, ap);
	va_end(ap);
	lua_warning(L, lua_tostring(L, -1), 0);
	lua_pop(L, 1);
}

/*
 * The hook a SIGINT handler sets while Lua runs: it removes itself and
 * raises "interrupted" in the running Lua code.
 */
void
lsnn_interrupt(lua_State *L, lua_Debug *ar)
{
	(void)ar;
	lua_sethook(L, NULL, 0, 0);
	luaL_error(L, "interrupted");
}

/*
 * Arms lsnn_interrupt in L: the next Lua call, return or instruction
 * raises "interrupted". Safe in a signal handler (lua_sethook is).
 */
void
lsnn_interrupt_arm(lua_State *L)
{
	lua_sethook(L, lsnn_interrupt,
	    LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

/*
 * Returns nonzero when Ctrl-C has armed lsnn_interrupt and no Lua code has
 * run since (C code that waits, such as snn.train, checks this).
 */
int
lsnn_interrupted(lua_State *L)
{
	return lua_gethook(L) == lsnn_interrupt;
}

/*
 * Raises "fn: busy" while a job owns the cores (BLAS has one owner, see
 * blas.c): the engine does not run on the main thread meanwhile.
 */
void
lsnn_check_cores(lua_State *L, const char *fn)
{
	int	job = blas_busy();

	if (job != 0)
		luaL_error(L, "%s: busy: job %d owns the cores (job:wait() "
		    "or job:stop() it first)", fn, job);
}

/* snn.clock(): seconds of a monotonic clock, for timing. */
static int
lsnn_clock_fn(lua_State *L)
{
	lua_pushnumber(L, clock_now());
	return 1;
}

/* The state the SIGINT handler stops; set while lsnn_call runs a chunk. */
static lua_State *lsnn_call_state;

/* What SIGINT did before the chunk: the handler puts it back. */
static struct sigaction lsnn_call_old;

/*
 * A second SIGINT while Lua runs: removes the temporary files being
 * written and does what SIGINT did before the chunk (by default, kills).
 */
static void
lsnn_call_sigint_again(int sig)
{
	file_remove_temps();
	sigaction(sig, &lsnn_call_old, NULL);
	raise(sig);
}

/*
 * SIGINT while Lua runs: sets the stopping hook (lua_sethook is signal
 * safe) and leaves a second SIGINT to lsnn_call_sigint_again.
 */
static void
lsnn_call_sigint(int sig)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = lsnn_call_sigint_again;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	lsnn_interrupt_arm(lsnn_call_state);
}

/* Message handler: turns the error into a string with a traceback. */
static int
lsnn_call_traceback(lua_State *L)
{
	const char	*msg = lua_tostring(L, 1);

	if (msg == NULL) {
		if (luaL_callmeta(L, 1, "__tostring") &&
		    lua_type(L, -1) == LUA_TSTRING)
			return 1;
		msg = lua_pushfstring(L, "(error object is a %s value)",
		    luaL_typename(L, 1));
	}
	luaL_traceback(L, L, msg, 1);
	return 1;
}

/*
 * Calls the function below its narg arguments with a traceback handler;
 * with armed, Ctrl-C raises "interrupted" in it. An interrupt armed but
 * met by no Lua code before the end is dropped, so that it cannot stop
 * what runs next. Returns the lua_pcall status.
 */
static int
lsnn_call_with(lua_State *L, int narg, int nres, int armed)
{
	struct sigaction	sa;
	int			base = lua_gettop(L) - narg, status;

	lua_pushcfunction(L, lsnn_call_traceback);
	lua_insert(L, base);
	if (armed) {
		lsnn_call_state = L;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = lsnn_call_sigint;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, &lsnn_call_old);
	}
	status = lua_pcall(L, narg, nres, base);
	if (armed)
		sigaction(SIGINT, &lsnn_call_old, NULL);
	if (lsnn_interrupted(L))
		lua_sethook(L, NULL, 0, 0);
	lua_remove(L, base);
	return status;
}

/*
 * Calls the function below its narg arguments with a traceback handler
 * and Ctrl-C armed (it raises "interrupted"); returns the lua_pcall
 * status. Batch mode and the interactive session run every chunk so.
 */
int
lsnn_call(lua_State *L, int narg, int nres)
{
	return lsnn_call_with(L, narg, nres, 1);
}

/*
 * Calls like lsnn_call but leaves SIGINT to the handler in place: for what
 * the program runs on its own between the user's lines (a job's records
 * and on_epoch hooks), where Ctrl-C belongs to the prompt. That handler
 * may arm the interrupt with lsnn_interrupt_arm.
 */
int
lsnn_call_unarmed(lua_State *L, int narg, int nres)
{
	return lsnn_call_with(L, narg, nres, 0);
}

/* Returns the default seed (snn.seed, snnwb --seed). */
lua_Integer
lsnn_default_seed(lua_State *L)
{
	return lsnn_state(L)->seed;
}

/* snn.seed([n]): sets the default seed, or returns it when n is absent. */
static int
lsnn_seed_fn(lua_State *L)
{
	if (lua_isnone(L, 1)) {
		lua_pushinteger(L, lsnn_state(L)->seed);
		return 1;
	}
	lsnn_seed(L, lsnn_check_seed(L, 1, "snn.seed", "n"));
	return 0;
}

/*
 * snn.threads([n]): sets the BLAS thread count, 1 to blas_max_threads();
 * returns the count in use.
 */
static int
lsnn_threads_fn(lua_State *L)
{
	int	n, most;

	if (!lua_isnone(L, 1)) {
		lsnn_check_cores(L, "snn.threads");
		n = lsnn_check_positive(L, 1, "snn.threads", "n");
		most = blas_max_threads();
		if (n > most)
			lsnn_argerror(L, "snn.threads", "n", "must be 1..%d "
			    "(%d per core of the %d online) (got %d)", most,
			    BLAS_THREADS_PER_CORE, blas_cores(), n);
		blas_set_threads(n);
	}
	lua_pushinteger(L, blas_threads());
	return 1;
}

/* snn.type(v): "tensor", "surrogate" or "net" for snn values, else nil. */
static int
lsnn_type(lua_State *L)
{
	static const char *const	names[][2] = {
		{ LSNN_TENSOR, "tensor" },
		{ LSNN_SURROGATE, "surrogate" },
		{ LSNN_NET, "net" }
	};
	size_t				i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (luaL_testudata(L, 1, names[i][0]) != NULL) {
			lua_pushstring(L, names[i][1]);
			return 1;
		}
	}
	lua_pushnil(L);
	return 1;
}

/* Opens the snn module (for luaL_requiref) and leaves its table on top. */
int
lsnn_open(lua_State *L)
{
	static const luaL_Reg	 fns[] = {
		{ "seed", lsnn_seed_fn },
		{ "threads", lsnn_threads_fn },
		{ "clock", lsnn_clock_fn },
		{ "type", lsnn_type },
		{ NULL, NULL }
	};
	size_t			 i;

	lua_newuserdatauv(L, sizeof(struct lsnn_state), 0);
	lua_setfield(L, LUA_REGISTRYINDEX, LSNN_STATE);
	lsnn_seed(L, LSNN_DEFAULT_SEED);
	luaL_newlib(L, fns);
	lua_pushliteral(L, PACKAGE_VERSION);
	lua_setfield(L, -2, "version");
	for (i = 0; i < sizeof lsnn_parts / sizeof lsnn_parts[0]; i++)
		lsnn_parts[i](L);
	return 1;
}
