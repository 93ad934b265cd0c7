/*
 * lua-snn.h: the Lua layer's internal interface, prototypes grouped by file.
 *
 * Naming: the lua_ and luaL_ prefixes belong to Lua's own API, so the files
 * keep the src/lua-NAME.c names the design gives them and export lsnn_NAME_*
 * functions (lua-tensor.c exports lsnn_tensor_*); lua-snn.c, the module
 * itself and the helpers every binding shares, exports plain lsnn_*.
 *
 * Errors: bad arguments raise Lua errors that name the function and the
 * argument ("snn.linear: argument 'out' must be a positive integer");
 * expected failures (a missing file) return nil and a message.
 *
 * Only main.c and these files include Lua headers; none includes curses or
 * readline.
 *
 * A new binding file src/lua-NAME.c defines lsnn_NAME_open(L), which adds
 * its functions to the module table on top of the stack; it is declared
 * here, listed in lsnn_parts in lua-snn.c and in snnwb_SOURCES.
 */
#ifndef LUA_SNN_H
#define LUA_SNN_H

#include <lua.h>
#include <lauxlib.h>

#include "snnwb.h"

/* lua-snn.c: the snn module, its registration table and shared helpers. */
int	 lsnn_open(lua_State *L);
void	 lsnn_seed(lua_State *L, lua_Integer seed);
struct rng *lsnn_rng(lua_State *L);
int	 lsnn_argerror(lua_State *L, const char *fn, const char *arg,
	     const char *fmt, ...);
int	 lsnn_error(lua_State *L, const char *fn, char *cause);
int	 lsnn_fail(lua_State *L, char *cause);
lua_Number lsnn_check_number(lua_State *L, int idx, const char *fn,
	     const char *arg);
const char *lsnn_check_string(lua_State *L, int idx, const char *fn,
	     const char *arg);
int	 lsnn_check_positive(lua_State *L, int idx, const char *fn,
	     const char *arg);
lua_Integer lsnn_check_seed(lua_State *L, int idx, const char *fn,
	     const char *arg);
void	 lsnn_check_options(lua_State *L, int idx, const char *fn,
	     const char *const *known);
int	 lsnn_opt_boolean(lua_State *L, int idx, const char *fn,
	     const char *key, int def);
lua_Number lsnn_opt_number(lua_State *L, int idx, const char *fn,
	     const char *key, lua_Number def);

/* lua-tensor.c: tensors that own their data or view an engine object. */
#define LSNN_TENSOR "snn.tensor"
/*
 * A tensor userdata. An owned tensor keeps its floats in own[] and has no
 * uservalue; a view points into memory of the object held in its uservalue
 * (so the owner outlives it). A view whose owner may move or free that
 * memory (any forward may carve a network's activations again) holds a
 * pointer to the owner's counter and the value it had: once they differ
 * the view is stale and every use of it raises an error.
 */
struct lsnn_tensor {
	struct tensor		 t;
	const unsigned long	*epoch_of;	/* NULL: never stale */
	unsigned long		 epoch;
	float			 own[];
};
int	 lsnn_tensor_stale(const struct lsnn_tensor *lt);
struct lsnn_tensor *lsnn_tensor_check(lua_State *L, int idx, const char *fn,
	     const char *arg);
struct lsnn_tensor *lsnn_tensor_push(lua_State *L, int ndim,
	     const int *shape);
void	 lsnn_tensor_push_view(lua_State *L, int owner, float *data, int ndim,
	     const int *shape, const unsigned long *epoch_of);
void	 lsnn_tensor_push_subview(lua_State *L, int idx, float *data,
	     int ndim, const int *shape);
void	 lsnn_tensor_open(lua_State *L);

/* lua-surrogate.c: surrogate spike functions as values. */
#define LSNN_SURROGATE "snn.surrogate"
void	 lsnn_surrogate_check(lua_State *L, int idx, const char *fn,
	     const char *arg, struct surrogate *out);
void	 lsnn_surrogate_describe(luaL_Buffer *b, const struct surrogate *s);
void	 lsnn_surrogate_open(lua_State *L);

/* lua-net.c: layers and sequential networks. */
#define LSNN_NET "snn.net"
void	 lsnn_net_open(lua_State *L);

#endif
