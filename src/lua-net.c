/*
 * lua-net.c: modules and networks in Lua. Every value is a struct net: a
 * module constructor (snn.linear, snn.lif, ...: one generic function for
 * every kind of module.c's table, which turns its arguments into the
 * kind's JSON description) makes a one-module network, and
 * snn.sequential and snn.residual make a new one holding copies of their
 * members. Tensors
 * returned by forward, backward, membrane, params and grads are views into
 * the network: parameter views live as long as the network, activation
 * views go stale at its next forward (net.c may carve its activations
 * again then).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lua-snn.h"

/*
 * A network userdata. Its uservalue holds the input tensor of the last
 * successful forward (the backward reads it), or nil when there is none.
 */
struct lsnn_net {
	struct net	*net;		/* NULL once closed */
	unsigned long	 acts;		/* bumped by every forward and close */
	unsigned long	 life;		/* bumped by close */
	int		 lent;		/* job whose on_epoch hook uses it */
};

/*
 * Returns the network userdata at idx, raising an error naming fn and the
 * argument arg when it is not one, is closed, or is busy with a training
 * job.
 */
static struct lsnn_net *
lsnn_net_get(lua_State *L, int idx, const char *fn, const char *arg)
{
	struct lsnn_net	*ln;

	if ((ln = luaL_testudata(L, idx, LSNN_NET)) == NULL)
		lsnn_argerror(L, fn, arg, "must be a network (got %s)",
		    luaL_typename(L, idx));
	if (ln->net == NULL)
		luaL_error(L, "%s: the network is closed", fn);
	if (ln->net->busy)
		luaL_error(L, "%s: busy: network is being trained by job %d",
		    fn, ln->net->busy);
	return ln;
}

/*
 * Marks the idle network at idx (the option "net" of fn) as trained by job
 * (0: used right away by the caller, as snn.evaluate does): Lua calls that
 * would change it fail until lsnn_net_release, and views of its
 * activations and the input kept for backward are dropped (the caller's
 * forward replaces them).
 */
struct net *
lsnn_net_claim(lua_State *L, int idx, const char *fn, int job)
{
	struct lsnn_net	*ln = lsnn_net_get(L, idx, fn, "net");

	idx = lua_absindex(L, idx);
	ln->net->busy = job;
	ln->acts++;
	lua_pushnil(L);
	lua_setiuservalue(L, idx, 1);
	return ln->net;
}

/* Ends a job's claim on the network at idx. */
void
lsnn_net_release(lua_State *L, int idx)
{
	struct lsnn_net	*ln = luaL_checkudata(L, idx, LSNN_NET);

	if (ln->net != NULL)
		ln->net->busy = 0;
	ln->acts++;
}

/*
 * Lends the network at idx, trained by job, to that job's on_epoch hook
 * (lend 1: every method works but closing it) or takes it back (0).
 */
void
lsnn_net_lend(lua_State *L, int idx, int job, int lend)
{
	struct lsnn_net	*ln = luaL_checkudata(L, idx, LSNN_NET);

	if (ln->net == NULL)
		return;
	ln->lent = lend ? job : 0;
	ln->net->busy = lend ? 0 : job;
	ln->acts++;
}

/* Returns the open, idle network at idx, fn's argument arg. */
struct net *
lsnn_net_check(lua_State *L, int idx, const char *fn, const char *arg)
{
	return lsnn_net_get(L, idx, fn, arg)->net;
}

/* Pushes a closed network userdata (no network yet). */
static struct lsnn_net *
lsnn_net_push(lua_State *L)
{
	struct lsnn_net	*ln;

	ln = lua_newuserdatauv(L, sizeof *ln, 1);
	memset(ln, 0, sizeof *ln);
	luaL_setmetatable(L, LSNN_NET);
	return ln;
}

/* Pushes a network userdata that owns net from then on. */
void
lsnn_net_push_owned(lua_State *L, struct net *net)
{
	lsnn_net_push(L)->net = net;
}

/*
 * net:profile([on]): with a boolean, starts timing the modules by kind
 * from zero (true) or stops (false) and returns net; without, returns
 * {KIND = {forward =, backward =, calls =}} in seconds so far.
 */
static int
lsnn_net_profile(lua_State *L)
{
	struct net			*net = lsnn_net_check(L, 1, "net:profile", "self");
	const struct module_time	*t;
	int				 i;

	if (!lua_isnoneornil(L, 2)) {
		if (net_profile(net, lua_toboolean(L, 2)) != 0)
			return luaL_error(L, "net:profile: out of memory");
		lua_settop(L, 1);
		return 1;
	}
	lua_newtable(L);
	for (i = 0; net->prof != NULL && module_kind_at(i) != NULL; i++) {
		t = &net->prof[i];
		if (t->calls == 0 && t->backward == 0)
			continue;
		lua_createtable(L, 0, 3);
		lua_pushnumber(L, t->forward);
		lua_setfield(L, -2, "forward");
		lua_pushnumber(L, t->backward);
		lua_setfield(L, -2, "backward");
		lua_pushinteger(L, t->calls);
		lua_setfield(L, -2, "calls");
		lua_setfield(L, -2, module_kind_at(i)->name);
	}
	return 1;
}

/* __gc and __close: frees the network; every view of it goes stale. */
static int
lsnn_net_close(lua_State *L)
{
	struct lsnn_net	*ln = luaL_checkudata(L, 1, LSNN_NET);

	if (ln->net != NULL && (ln->net->busy || ln->lent))
		return luaL_error(L, "net: busy: network is being trained by "
		    "job %d", ln->net->busy ? ln->net->busy : ln->lent);
	net_free(ln->net);
	ln->net = NULL;
	ln->acts++;
	ln->life++;
	return 0;
}

static json_t *lsnn_net_json_list(lua_State *, int, const char *,
    const char *);

/*
 * Converts the Lua value at idx (the option key of snn.<kind>) to JSON:
 * numbers (integers as such), booleans, strings, lists of numbers, and for
 * "surrogate" a surrogate or its name; raises for anything else.
 */
static json_t *
lsnn_net_json_value(lua_State *L, int idx, const char *fn, const char *key)
{
	struct surrogate	sg;
	lua_Integer		i;
	int			isint;

	if (strcmp(key, "surrogate") == 0 ||
	    strcmp(key, "surrogate_function") == 0) {
		lsnn_surrogate_check(L, idx, fn, key, &sg);
		return net_json_surrogate(&sg);
	}
	switch (lua_type(L, idx)) {
	case LUA_TNUMBER:
		i = lua_tointegerx(L, idx, &isint);
		return isint ? json_integer((json_int_t)i) :
		    json_real(lua_tonumber(L, idx));
	case LUA_TBOOLEAN:
		return json_boolean(lua_toboolean(L, idx));
	case LUA_TSTRING:
		return json_string(lua_tostring(L, idx));
	case LUA_TTABLE:
		return lsnn_net_json_list(L, idx, fn, key);
	}
	lsnn_argerror(L, fn, key, "cannot be a %s", luaL_typename(L, idx));
	return NULL;
}

/* __gc of a JSON box: drops the description it holds. */
static int
lsnn_net_box_gc(lua_State *L)
{
	json_t	**box = lua_touserdata(L, 1);

	json_decref(*box);
	*box = NULL;
	return 0;
}

/*
 * Pushes a box that owns o until lsnn_net_from_json takes it, so that a
 * Lua error raised while o is filled does not leak it; returns o.
 */
static json_t *
lsnn_net_box(lua_State *L, json_t *o)
{
	json_t	**box = lua_newuserdatauv(L, sizeof *box, 0);

	*box = o;
	if (luaL_newmetatable(L, "snn.json")) {
		lua_pushcfunction(L, lsnn_net_box_gc);
		lua_setfield(L, -2, "__gc");
	}
	lua_setmetatable(L, -2);
	return o;
}

/* Converts the list of numbers at idx to a JSON array (boxed on the stack). */
static json_t *
lsnn_net_json_list(lua_State *L, int idx, const char *fn, const char *key)
{
	json_t		*a;
	lua_Integer	 i, n = luaL_len(L, idx);

	idx = lua_absindex(L, idx);
	a = lsnn_net_box(L, json_array());
	for (i = 1; i <= n; i++) {
		if (lua_geti(L, idx, i) != LUA_TNUMBER)
			lsnn_argerror(L, fn, key, "must be a list of numbers");
		json_array_append_new(a, json_real(lua_tonumber(L, -1)));
		lua_pop(L, 1);
	}
	json_incref(a);
	lua_pop(L, 1);
	return a;
}

/*
 * Pushes a network userdata around the module parsed from o, which the
 * box at the top of the stack (lsnn_net_box) owns; the box is replaced.
 */
static struct lsnn_net *
lsnn_net_from_json(lua_State *L, const char *fn, json_t *o, struct rng *r)
{
	json_t		**box = lua_touserdata(L, -1);
	struct lsnn_net	*ln;
	struct module	*m;
	char		*cause = NULL;

	*box = NULL;
	lua_pop(L, 1);
	ln = lsnn_net_push(L);
	m = module_parse(o, r, &cause);
	json_decref(o);
	if (m == NULL || (ln->net = net_wrap(m, &cause)) == NULL)
		lsnn_error(L, fn, cause);
	return ln;
}

/* Checks the keys of the options table at idx against what kind takes. */
static void
lsnn_net_check_opts(lua_State *L, int idx, const char *fn,
    const struct module_kind *kind)
{
	const char	*known[32];
	int		 n = 0, i;

	known[n++] = "name";
	known[n++] = "seed";
	for (i = 0; kind->opts != NULL && kind->opts[i] != NULL && n < 31;
	    i++)
		known[n++] = kind->opts[i];
	known[n] = NULL;
	lsnn_check_options(L, idx, fn, known);
}

/*
 * snn.<kind>(args... [, options]): a module of the kind in upvalue 1, its
 * positional arguments as the kind lists them, then an options table
 * (name=, seed= for the parameters' draw, and the kind's own options).
 */
static int
lsnn_net_construct(lua_State *L)
{
	const struct module_kind	*kind = lua_touserdata(L,
					    lua_upvalueindex(1));
	struct rng			 own, *r = lsnn_rng(L);
	char				 fn[64];
	json_t				*o;
	const char			*key;
	int				 i, nargs = 0, opt;

	snprintf(fn, sizeof fn, "snn.%s", kind->lua);
	while (kind->args != NULL && kind->args[nargs] != NULL)
		nargs++;
	opt = nargs + 1;
	lsnn_net_check_opts(L, opt, fn, kind);
	lua_settop(L, opt);
	o = lsnn_net_box(L, json_object());
	json_object_set_new(o, "type", json_string(kind->name));
	for (i = 0; i < nargs; i++) {
		if (lua_type(L, i + 1) != LUA_TNUMBER)
			lsnn_argerror(L, fn, kind->args[i], "must be a number "
			    "(got %s)", luaL_typename(L, i + 1));
		if (!(kind->flags & MODULE_REAL_ARGS))
			lsnn_check_positive(L, i + 1, fn, kind->args[i]);
		json_object_set_new(o, kind->args[i],
		    lsnn_net_json_value(L, i + 1, fn, kind->args[i]));
	}
	for (lua_pushnil(L); !lua_isnil(L, opt) && lua_next(L, opt) != 0;
	    lua_pop(L, 1)) {
		if (lua_type(L, -2) != LUA_TSTRING)
			lsnn_argerror(L, fn, "options", "keys must be names");
		key = lua_tostring(L, -2);
		if (strcmp(key, "seed") == 0) {
			rng_seed(&own, (uint64_t)lsnn_check_seed(L, -1, fn,
			    "seed"));
			r = &own;
		} else
			json_object_set_new(o, key, lsnn_net_json_value(L, -1,
			    fn, key));
	}
	lua_settop(L, opt + 1);
	lsnn_net_from_json(L, fn, o, r);
	return 1;
}

/*
 * Copies the parameters and buffers of the member networks, in the order
 * listed in the table at idx (n of them, or main and shortcut), into net,
 * whose tree holds copies of their modules in that order.
 */
static void
lsnn_net_copy_members(lua_State *L, struct net *net, int idx, int n)
{
	struct net	*member;
	size_t		 p = 0, b = 0;
	int		 i;

	for (i = 1; i <= n; i++) {
		lua_rawgeti(L, idx, i);
		member = ((struct lsnn_net *)lua_touserdata(L, -1))->net;
		memcpy(net->params + p, member->params, member->nparams *
		    sizeof *net->params);
		memcpy(net->buffers + b, member->buffers, member->nbuffers *
		    sizeof *net->buffers);
		p += member->nparams;
		b += member->nbuffers;
		lua_pop(L, 1);
	}
}

/*
 * Returns the description of item i of the list at idx, which must be a
 * module (a network value), with the name it was given.
 */
static json_t *
lsnn_net_member(lua_State *L, int idx, lua_Integer i, const char *fn)
{
	struct net	*member;

	lua_rawgeti(L, idx, i);
	if (luaL_testudata(L, -1, LSNN_NET) == NULL)
		lsnn_argerror(L, fn, "layers", "item %I must be a module (got "
		    "%s)", i, luaL_typename(L, -1));
	member = lsnn_net_check(L, -1, fn, "layers");
	lua_pop(L, 1);
	return module_describe(member->root);
}

/*
 * Ends snn.sequential and snn.residual (members at 1, options at 2, the
 * box of o at 3): reads the options {name=} into o and pushes the new
 * network, holding copies of the n members' modules and values.
 */
static void
lsnn_net_container(lua_State *L, const char *fn, json_t *o, int n)
{
	static const char *const	known[] = { "name", NULL };
	const char			*name;

	lsnn_check_options(L, 2, fn, known);
	if ((name = lsnn_opt_string(L, 2, fn, "name", NULL)) != NULL)
		json_object_set_new(o, "name", json_string(name));
	lua_settop(L, 3);
	lsnn_net_copy_members(L, lsnn_net_from_json(L, fn, o, NULL)->net, 1,
	    n);
}

/*
 * snn.sequential(modules [, {name=}]): a new network of copies of the
 * listed modules, run in order; each keeps the name it was given (name=),
 * else it is named by its index from 0.
 */
static int
lsnn_net_sequential(lua_State *L)
{
	const char	*fn = "snn.sequential";
	json_t		*o, *layers;
	lua_Integer	 i, n;

	if (!lua_istable(L, 1) || luaL_testudata(L, 1, LSNN_NET) != NULL)
		lsnn_argerror(L, fn, "layers", "must be a list of modules "
		    "(got %s)", luaL_typename(L, 1));
	if ((n = (lua_Integer)lua_rawlen(L, 1)) == 0)
		lsnn_argerror(L, fn, "layers", "must hold at least one module");
	lua_settop(L, 2);
	o = lsnn_net_box(L, json_object());
	json_object_set_new(o, "type", json_string("sequential"));
	layers = json_array();
	json_object_set_new(o, "layers", layers);
	for (i = 1; i <= n; i++)
		json_array_append_new(layers, lsnn_net_member(L, 1, i, fn));
	lsnn_net_container(L, fn, o, (int)n);
	return 1;
}

/*
 * snn.residual({main [, shortcut]} [, {name=}]): out = main(x) +
 * shortcut(x), the identity without a shortcut; copies of the modules.
 */
static int
lsnn_net_residual(lua_State *L)
{
	const char	*fn = "snn.residual";
	json_t		*o, *d;
	lua_Integer	 n = 0;

	if (!lua_istable(L, 1) || luaL_testudata(L, 1, LSNN_NET) != NULL ||
	    (n = (lua_Integer)lua_rawlen(L, 1)) < 1 || n > 2)
		lsnn_argerror(L, fn, "branches", "must be {main} or {main, "
		    "shortcut}");
	lua_settop(L, 2);
	o = lsnn_net_box(L, json_object());
	json_object_set_new(o, "type", json_string("residual"));
	d = lsnn_net_member(L, 1, 1, fn);
	if (json_object_get(d, "name") == NULL)
		json_object_set_new(d, "name", json_string(""));
	json_object_set_new(o, "main", d);
	if (n == 2) {
		d = lsnn_net_member(L, 1, 2, fn);
		json_object_set_new(o, "shortcut", d);
	}
	lsnn_net_container(L, fn, o, (int)n);
	return 1;
}

/* snn.load(path): the network saved in a checkpoint, or nil and a message. */
static int
lsnn_net_load(lua_State *L)
{
	const char	*path = lsnn_check_string(L, 1, "snn.load", "path");
	struct lsnn_net	*ln;
	char		*cause = NULL;

	ln = lsnn_net_push(L);
	if ((ln->net = checkpoint_load(path, &cause)) == NULL)
		return lsnn_fail(L, cause);
	return 1;
}

/*
 * Returns the tensor at idx for fn; when it views this network's own
 * activations (which a forward may move) it is replaced by a copy first.
 */
static struct lsnn_tensor *
lsnn_net_operand(lua_State *L, struct lsnn_net *ln, int idx, const char *fn,
    const char *arg)
{
	struct lsnn_tensor	*t = lsnn_tensor_check(L, idx, fn, arg);
	struct lsnn_tensor	*copy;

	if (t->epoch_of != &ln->acts)
		return t;
	copy = lsnn_tensor_push(L, t->t.ndim, t->t.shape);
	memcpy(copy->own, t->t.data, tensor_numel(&t->t) * sizeof(float));
	lua_replace(L, idx);
	return copy;
}

/*
 * Pushes the result data of shape [T, B, shape...] of the network at 1:
 * a view of the operand at idx when data is the operand's own (a network
 * of Flatten layers passes its input through), else of the activations.
 */
static void
lsnn_net_push_result(lua_State *L, struct lsnn_net *ln, int idx,
    const float *data, int ndim, const int *shape)
{
	struct lsnn_tensor	*operand = lua_touserdata(L, idx);
	int			 full[TENSOR_MAXDIM];

	full[0] = ln->net->T;
	full[1] = ln->net->B;
	memcpy(full + 2, shape, (size_t)ndim * sizeof *shape);
	if (data == operand->t.data)
		lsnn_tensor_push_subview(L, idx, operand->t.data, ndim + 2,
		    full);
	else
		lsnn_tensor_push_view(L, 1, (float *)data, ndim + 2, full,
		    &ln->acts);
}

/*
 * net:forward(x): runs x [T, B, ...] through the network and returns a
 * view of the output [T, B, ...]; neurons start from the state the last
 * forward left unless net:reset() was called.
 */
static int
lsnn_net_forward(lua_State *L)
{
	const char		*fn = "net:forward";
	struct lsnn_net		*ln = lsnn_net_get(L, 1, fn, "self");
	struct lsnn_tensor	*x;
	const float		*out;
	char			*cause = NULL, buf[64];
	int			 shape[TENSOR_MAXDIM], ndim;

	lsnn_check_cores(L, fn);

	x = lsnn_net_operand(L, ln, 2, fn, "x");
	if (x->t.ndim < 3)
		lsnn_argerror(L, fn, "x", "must be a [T, B, ...] tensor "
		    "(got %s)", tensor_shape_string(x->t.shape, x->t.ndim,
		    buf, sizeof buf));
	lua_settop(L, 2);
	ln->acts++;
	lua_pushnil(L);
	lua_setiuservalue(L, 1, 1);
	if (net_forward(ln->net, x->t.data, x->t.shape[0], x->t.shape[1],
	    x->t.ndim - 2, x->t.shape + 2, &out, &cause) != 0)
		return lsnn_error(L, fn, cause);
	lua_pushvalue(L, 2);
	lua_setiuservalue(L, 1, 1);
	ndim = net_out_shape(ln->net, shape);
	lsnn_net_push_result(L, ln, 2, out, ndim, shape);
	return 1;
}

/*
 * net:backward(gy): backpropagates gy (shaped as the last output) through
 * the last forward, adds into the parameter gradients and returns a view
 * of the gradient with respect to the input.
 */
static int
lsnn_net_backward(lua_State *L)
{
	const char		*fn = "net:backward";
	struct lsnn_net		*ln = lsnn_net_get(L, 1, fn, "self");
	struct net		*net = ln->net;
	struct lsnn_tensor	*gy, *x;
	const float		*dx;
	char			*cause = NULL, have[64], want[64];
	int			 shape[TENSOR_MAXDIM], ndim;

	lsnn_check_cores(L, fn);

	lua_settop(L, 2);
	if (lua_getiuservalue(L, 1, 1) == LUA_TNIL)
		return luaL_error(L, "%s: no forward pass to differentiate "
		    "(call forward first)", fn);
	x = lua_touserdata(L, 3);
	if (lsnn_tensor_stale(x))
		return luaL_error(L, "%s: the input of the last forward was "
		    "a view that went stale; run forward again", fn);
	gy = lsnn_net_operand(L, ln, 2, fn, "gy");
	shape[0] = net->T;
	shape[1] = net->B;
	ndim = 2 + net_out_shape(net, shape + 2);
	if (gy->t.ndim != ndim || memcmp(gy->t.shape, shape,
	    (size_t)ndim * sizeof *shape) != 0)
		lsnn_argerror(L, fn, "gy", "has shape %s, the output of the "
		    "last forward %s", tensor_shape_string(gy->t.shape,
		    gy->t.ndim, have, sizeof have), tensor_shape_string(shape,
		    ndim, want, sizeof want));
	if (net_backward(net, gy->t.data, &dx, &cause) != 0)
		return lsnn_error(L, fn, cause);
	lsnn_net_push_result(L, ln, 2, dx, net->in_ndim, net->in_shape);
	return 1;
}

/* net:zero_grad(): sets every parameter gradient to zero. */
static int
lsnn_net_zero_grad(lua_State *L)
{
	net_zero_grad(lsnn_net_check(L, 1, "net:zero_grad", "self"));
	return 0;
}

/* net:reset(): returns every neuron to rest before the next forward. */
static int
lsnn_net_reset(lua_State *L)
{
	net_reset(lsnn_net_check(L, 1, "net:reset", "self"));
	return 0;
}

/*
 * net:spiking(flag): with false, neurons output their surrogate's smooth
 * primitive instead of spikes (every surrogate must have one); returns the
 * network.
 */
static int
lsnn_net_spiking(lua_State *L)
{
	const char	*fn = "net:spiking";
	struct net	*net = lsnn_net_check(L, 1, fn, "self");
	char		*cause = NULL;

	if (!lua_isboolean(L, 2))
		lsnn_argerror(L, fn, "flag", "must be a boolean (got %s)",
		    luaL_typename(L, 2));
	if (net_set_spiking(net, lua_toboolean(L, 2), &cause) != 0)
		return lsnn_error(L, fn, cause);
	lua_settop(L, 1);
	return 1;
}

/* net:train() and net:eval() (upvalue 1: training): returns the network. */
static int
lsnn_net_mode(lua_State *L)
{
	net_set_training(lsnn_net_check(L, 1, "net:train", "self"),
	    lua_toboolean(L, lua_upvalueindex(1)));
	lua_settop(L, 1);
	return 1;
}

/*
 * Returns the neuron module named by the optional argument at idx: a
 * module path ("layer1.0.lif"), an index among the top-level modules (0,
 * 1, ...; the names of unnamed ones), or the last neuron module when
 * absent; the network must have run forward. Errors name fn.
 */
static struct module *
lsnn_net_neuron_layer(lua_State *L, const struct net *net, int idx,
    const char *fn)
{
	struct module	*m = NULL;
	lua_Integer	 i;
	int		 isint = 0;

	if (lua_isnoneornil(L, idx)) {
		for (i = net->nstats - 1; i >= 0 && m == NULL; i--)
			if (layer_neuron_config(net->stats[i]) != NULL)
				m = net->stats[i];
		if (m == NULL)
			luaL_error(L, "%s: the network has no neuron layer", fn);
	} else if (lua_type(L, idx) == LUA_TSTRING) {
		if ((m = net_find(net, lua_tostring(L, idx))) == NULL)
			lsnn_argerror(L, fn, "layer", "no module is named "
			    "\"%s\"", lua_tostring(L, idx));
	} else {
		i = lua_type(L, idx) == LUA_TNUMBER ?
		    lua_tointegerx(L, idx, &isint) : 0;
		if (!isint || (m = net_module(net, (int)i)) == NULL)
			lsnn_argerror(L, fn, "layer", "must be a module name "
			    "or an index in 0..%d", net_nmodules(net) - 1);
	}
	if (layer_neuron_config(m) == NULL)
		luaL_error(L, "%s: module %s is not a neuron layer", fn,
		    m->name);
	if (net->T == 0)
		luaL_error(L, "%s: no forward pass yet", fn);
	return m;
}

/*
 * net:membrane([layer]) and net:spikes([layer]) (upvalue 1: spikes): a
 * view of a neuron layer's v after reset, or of its output spikes, as
 * [T, B, ...].
 */
static int
lsnn_net_monitor(lua_State *L)
{
	int			 spikes = lua_toboolean(L, lua_upvalueindex(1));
	const char		*fn = spikes ? "net:spikes" : "net:membrane";
	struct lsnn_net		*ln = lsnn_net_get(L, 1, fn, "self");
	struct net		*net = ln->net;
	struct module		*m = lsnn_net_neuron_layer(L, net, 2, fn);
	int			 shape[TENSOR_MAXDIM];

	shape[0] = net->T;
	shape[1] = net->B;
	memcpy(shape + 2, m->out_shape, (size_t)m->out_ndim * sizeof *shape);
	lsnn_tensor_push_view(L, 1, spikes ? m->y :
	    (float *)layer_neuron_v(m), m->out_ndim + 2, shape, &ln->acts);
	return 1;
}

/*
 * net:histogram([layer] [, {bins=, range={lo, hi}}]): the histogram of
 * H - v_threshold (the surrogate's argument: the membrane before the spike
 * relative to the threshold) over every step and sample of the last
 * forward, as {lo=, hi=, counts={...}, below=, above=, n=}.
 */
static int
lsnn_net_histogram(lua_State *L)
{
	static const char *const	 known[] = { "bins", "range", NULL };
	const char			*fn = "net:histogram";
	struct net			*net = lsnn_net_check(L, 1, fn, "self");
	struct module			*m;
	struct hist			 h;
	size_t				 n;
	int				 i, opt = lua_istable(L, 2) ? 2 : 3;

	m = lsnn_net_neuron_layer(L, net, opt == 2 ? 3 : 2, fn);
	lsnn_check_options(L, opt, fn, known);
	h.bins = lsnn_opt_positive(L, opt, fn, "bins", 40);
	if (h.bins > HIST_MAXBINS)
		lsnn_argerror(L, fn, "bins", "must be at most %d",
		    HIST_MAXBINS);
	h.lo = -2;
	h.hi = 2;
	if (!lua_isnoneornil(L, opt) &&
	    lua_getfield(L, opt, "range") != LUA_TNIL) {
		lua_rawgeti(L, -1, 1);
		lua_rawgeti(L, -2, 2);
		h.lo = lsnn_check_number(L, -2, fn, "range[1]");
		h.hi = lsnn_check_number(L, -1, fn, "range[2]");
		if (!(h.lo < h.hi))
			lsnn_argerror(L, fn, "range", "must be {lo, hi} with "
			    "lo < hi");
		lua_pop(L, 3);
	}
	n = (size_t)net->T * net->B * m->in_size;
	hist_count(&h, layer_neuron_h(m), n,
	    layer_neuron_config(m)->v_threshold);
	lua_createtable(L, 0, 6);
	lua_pushnumber(L, h.lo);
	lua_setfield(L, -2, "lo");
	lua_pushnumber(L, h.hi);
	lua_setfield(L, -2, "hi");
	lua_createtable(L, h.bins, 0);
	for (i = 0; i < h.bins; i++) {
		lua_pushinteger(L, (lua_Integer)h.counts[i]);
		lua_rawseti(L, -2, i + 1);
	}
	lua_setfield(L, -2, "counts");
	lua_pushinteger(L, (lua_Integer)h.below);
	lua_setfield(L, -2, "below");
	lua_pushinteger(L, (lua_Integer)h.above);
	lua_setfield(L, -2, "above");
	lua_pushinteger(L, (lua_Integer)n);
	lua_setfield(L, -2, "n");
	return 1;
}

/*
 * Pushes a table of name -> view of the network's parameters (what 0),
 * their gradients (1) or its buffers (2), named as a PyTorch state_dict.
 */
static int
lsnn_net_tensors(lua_State *L, const char *fn, int what)
{
	struct lsnn_net		*ln = lsnn_net_get(L, 1, fn, "self");
	const struct net_tensor	*t;
	int			 i, first, last;

	lua_settop(L, 1);
	lua_newtable(L);
	first = what == 2 ? ln->net->nparam_tensors : 0;
	last = what == 2 ? ln->net->ntensors : ln->net->nparam_tensors;
	for (i = first; i < last; i++) {
		t = &ln->net->tensor[i];
		lua_pushstring(L, t->name);
		lsnn_tensor_push_view(L, 1, what == 1 ? t->p->grad :
		    t->p->data, t->p->ndim, t->p->shape, &ln->life);
		((struct lsnn_tensor *)lua_touserdata(L, -1))->busy =
		    &ln->net->busy;
		lua_settable(L, -3);
	}
	return 1;
}

/* net:params(): views of the parameters, named as a PyTorch state_dict. */
static int
lsnn_net_params(lua_State *L)
{
	return lsnn_net_tensors(L, "net:params", 0);
}

/* net:grads(): views of the parameter gradients, named as net:params(). */
static int
lsnn_net_grads(lua_State *L)
{
	return lsnn_net_tensors(L, "net:grads", 1);
}

/* net:buffers(): views of the buffers (running statistics) by name. */
static int
lsnn_net_buffers(lua_State *L)
{
	return lsnn_net_tensors(L, "net:buffers", 2);
}

/* net:save(path): writes a checkpoint; true, or nil and a message. */
static int
lsnn_net_save(lua_State *L)
{
	struct net	*net = lsnn_net_check(L, 1, "net:save", "self");
	const char	*path = lsnn_check_string(L, 2, "net:save", "path");
	char		*cause = NULL;

	if (checkpoint_save(path, net, NULL, NULL, &cause) != 0)
		return lsnn_fail(L, cause);
	lua_pushboolean(L, 1);
	return 1;
}

/*
 * net:load(path [, {strict=true}]): reads the parameters and buffers of a
 * state_dict (safetensors or torch.save's zip) into the network by name;
 * true, or nil and a message naming any missing, unexpected or wrongly
 * shaped tensor.
 */
static int
lsnn_net_load_state(lua_State *L)
{
	static const char *const	 known[] = { "strict", NULL };
	const char			*fn = "net:load";
	struct lsnn_net			*ln = lsnn_net_get(L, 1, fn, "self");
	const char			*path = lsnn_check_string(L, 2, fn,
					    "path");
	char				*cause = NULL;

	lsnn_check_options(L, 3, fn, known);
	if (checkpoint_load_state(path, ln->net, lsnn_opt_boolean(L, 3, fn,
	    "strict", 1), &cause) != 0)
		return lsnn_fail(L, cause);
	lua_pushboolean(L, 1);
	return 1;
}

/*
 * Adds a JSON scalar as Lua source: 2, 0.5, true, "s" (strings are module
 * names: letters, digits and _), a list of them as {...}; null as false.
 */
static void
lsnn_net_add_value(luaL_Buffer *b, json_t *v)
{
	json_t	*e;
	size_t	 i;
	char	 buf[64];

	if (json_is_array(v)) {
		luaL_addchar(b, '{');
		json_array_foreach(v, i, e) {
			luaL_addstring(b, i > 0 ? ", " : "");
			lsnn_net_add_value(b, e);
		}
		luaL_addchar(b, '}');
		return;
	}
	if (json_is_integer(v))
		snprintf(buf, sizeof buf, "%lld",
		    (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, sizeof buf, "%.9g", json_real_value(v));
	else if (json_is_string(v)) {
		luaL_addchar(b, '"');
		luaL_addstring(b, json_string_value(v));
		luaL_addchar(b, '"');
		return;
	} else
		snprintf(buf, sizeof buf, "%s", json_is_true(v) ? "true" :
		    "false");
	luaL_addstring(b, buf);
}

static void lsnn_net_add_module(luaL_Buffer *b, json_t *o);

/* Adds the options of o other than type and those in skip as {k=v, ...}. */
static void
lsnn_net_add_opts(luaL_Buffer *b, json_t *o,
    const char *const *skip)
{
	struct surrogate	 sg;
	const char		*key;
	const char *const	*k;
	json_t			*v;
	int			 n = 0;

	luaL_addchar(b, '{');
	json_object_foreach(o, key, v) {
		for (k = skip; k != NULL && *k != NULL; k++)
			if (strcmp(*k, key) == 0)
				break;
		if (strcmp(key, "type") == 0 || (k != NULL && *k != NULL))
			continue;
		luaL_addstring(b, n++ > 0 ? ", " : "");
		luaL_addstring(b, key);
		luaL_addchar(b, '=');
		if (strcmp(key, "surrogate") == 0 &&
		    net_json_parse_surrogate(v, "", &sg, NULL) == 0)
			lsnn_surrogate_describe(b, &sg);
		else if (json_is_object(v))
			lsnn_net_add_module(b, v);
		else
			lsnn_net_add_value(b, v);
	}
	luaL_addchar(b, '}');
}

/*
 * Adds the Lua expression that makes the module described by o:
 * "snn.linear(20, 16, {bias=true})", "snn.sequential({...}, {name=...})".
 */
static void
lsnn_net_add_module(luaL_Buffer *b, json_t *o)
{
	static const char *const	 seq[] = { "layers", NULL };
	static const char *const	 res[] = { "main", "shortcut", NULL };
	const struct module_kind	*kind;
	const char			*type;
	json_t				*v;
	size_t				 i;
	int				 n = 0;

	type = json_string_value(json_object_get(o, "type"));
	kind = module_kind_find(type != NULL ? type : "");
	if (kind == &layer_sequential_kind || kind == &layer_residual_kind) {
		luaL_addstring(b, kind == &layer_sequential_kind ?
		    "snn.sequential({" : "snn.residual({");
		if (kind == &layer_sequential_kind)
			json_array_foreach(json_object_get(o, "layers"), i, v) {
				luaL_addstring(b, i > 0 ? ", " : "");
				lsnn_net_add_module(b, v);
			}
		for (i = 0; kind == &layer_residual_kind && res[i] != NULL;
		    i++)
			if ((v = json_object_get(o, res[i])) != NULL) {
				luaL_addstring(b, i > 0 ? ", " : "");
				lsnn_net_add_module(b, v);
			}
		luaL_addstring(b, "}");
		if (json_object_get(o, "name") != NULL) {
			luaL_addstring(b, ", ");
			lsnn_net_add_opts(b, o, kind ==
			    &layer_sequential_kind ? seq : res);
		}
		luaL_addstring(b, ")");
		return;
	}
	if (kind == NULL || kind->lua == NULL) {
		luaL_addstring(b, "nil");
		return;
	}
	luaL_addstring(b, "snn.");
	luaL_addstring(b, kind->lua);
	if (kind->args == NULL || kind->args[0] == NULL) {
		lsnn_net_add_opts(b, o, NULL);
		return;
	}
	luaL_addchar(b, '(');
	for (i = 0; kind->args[i] != NULL; i++) {
		luaL_addstring(b, n++ > 0 ? ", " : "");
		lsnn_net_add_value(b, json_object_get(o, kind->args[i]));
	}
	luaL_addstring(b, ", ");
	lsnn_net_add_opts(b, o, kind->args);
	luaL_addchar(b, ')');
}

/* Pushes the Lua expression that makes module m. */
static void
lsnn_net_push_expr(lua_State *L, const struct module *m)
{
	luaL_Buffer	 b;
	json_t		*o = module_describe(m);

	luaL_buffinit(L, &b);
	lsnn_net_add_module(&b, o);
	json_decref(o);
	luaL_pushresult(&b);
}

/* What lsnn_net_summary's visits need. */
struct lsnn_summary {
	lua_State	*L;
	luaL_Buffer	*b;
	int		 shapes;	/* the network has run forward */
	size_t		 total;
};

/* Adds a line for m (not for containers): path, shape, params, definition. */
static int
lsnn_net_summary_line(struct module *m, const char *path, void *arg)
{
	struct lsnn_summary	*s = arg;
	char			 line[160], shape[64];
	size_t			 n = 0;
	int			 i;

	if (m->kind->flags & MODULE_CONTAINER)
		return 0;
	for (i = 0; i < m->nparam; i++)
		n += m->param[i].flags & MPARAM_BUFFER ? 0 : m->param[i].n;
	if (!s->shapes)
		snprintf(shape, sizeof shape, "?");
	else
		tensor_shape_string(m->out_shape, m->out_ndim, shape,
		    sizeof shape);
	snprintf(line, sizeof line, "%-6s %-15s %7zu  ", path, shape, n);
	luaL_addstring(s->b, line);
	lsnn_net_push_expr(s->L, m);
	luaL_addvalue(s->b);
	luaL_addchar(s->b, '\n');
	s->total += n;
	return 0;
}

/*
 * net:summary(): one line a module (containers left out) with its name,
 * its output shape per sample (as of the last forward), its parameter
 * count and its definition, then the total.
 */
static int
lsnn_net_summary(lua_State *L)
{
	struct net		*net = lsnn_net_check(L, 1, "net:summary", "self");
	struct lsnn_summary	 s;
	luaL_Buffer		 b;
	char			 line[128];

	luaL_buffinit(L, &b);
	luaL_addstring(&b, "layer  output           params  definition\n");
	s.L = L;
	s.b = &b;
	s.shapes = net->T != 0;
	s.total = 0;
	module_walk(net->root, "", lsnn_net_summary_line, &s);
	snprintf(line, sizeof line, "total  %-15s %7zu  parameters", "",
	    s.total);
	luaL_addstring(&b, line);
	luaL_pushresult(&b);
	return 1;
}

/*
 * __tostring: the expression that rebuilds the architecture, the module's
 * own for one module, snn.sequential({...}) for more.
 */
static int
lsnn_net_tostring(lua_State *L)
{
	struct lsnn_net	*ln = luaL_checkudata(L, 1, LSNN_NET);

	if (ln->net == NULL) {
		lua_pushliteral(L, "snn.net (closed)");
		return 1;
	}
	lsnn_net_push_expr(L, ln->net->root);
	return 1;
}

/* __len: #net is the number of top-level modules. */
static int
lsnn_net_len(lua_State *L)
{
	lua_pushinteger(L, net_nmodules(lsnn_net_check(L, 1, "#net", "self")));
	return 1;
}

/*
 * Creates the network metatable and adds snn.<kind> for every kind of
 * module.c's table that has a Lua name, snn.sequential, snn.residual and
 * snn.load.
 */
void
lsnn_net_open(lua_State *L)
{
	static const luaL_Reg	methods[] = {
		{ "forward", lsnn_net_forward },
		{ "backward", lsnn_net_backward },
		{ "zero_grad", lsnn_net_zero_grad },
		{ "reset", lsnn_net_reset },
		{ "spiking", lsnn_net_spiking },
		{ "histogram", lsnn_net_histogram },
		{ "params", lsnn_net_params },
		{ "grads", lsnn_net_grads },
		{ "buffers", lsnn_net_buffers },
		{ "save", lsnn_net_save },
		{ "load", lsnn_net_load_state },
		{ "summary", lsnn_net_summary },
		{ "profile", lsnn_net_profile },
		{ NULL, NULL }
	};
	static const luaL_Reg	meta[] = {
		{ "__gc", lsnn_net_close },
		{ "__close", lsnn_net_close },
		{ "__tostring", lsnn_net_tostring },
		{ "__len", lsnn_net_len },
		{ NULL, NULL }
	};
	static const luaL_Reg	fns[] = {
		{ "sequential", lsnn_net_sequential },
		{ "residual", lsnn_net_residual },
		{ "load", lsnn_net_load },
		{ NULL, NULL }
	};
	const struct module_kind	*kind;
	int				 i;

	lsnn_class(L, LSNN_NET, meta, methods, NULL);
	luaL_getmetatable(L, LSNN_NET);
	lua_getfield(L, -1, "__methods");
	if (lua_istable(L, -1)) {
		lua_pushboolean(L, 1);
		lua_pushcclosure(L, lsnn_net_mode, 1);
		lua_setfield(L, -2, "train");
		lua_pushboolean(L, 0);
		lua_pushcclosure(L, lsnn_net_mode, 1);
		lua_setfield(L, -2, "eval");
		lua_pushboolean(L, 0);
		lua_pushcclosure(L, lsnn_net_monitor, 1);
		lua_setfield(L, -2, "membrane");
		lua_pushboolean(L, 1);
		lua_pushcclosure(L, lsnn_net_monitor, 1);
		lua_setfield(L, -2, "spikes");
	}
	lua_pop(L, 2);
	luaL_setfuncs(L, fns, 0);
	for (i = 0; (kind = module_kind_at(i)) != NULL; i++) {
		if (kind->lua == NULL)
			continue;
		lua_pushlightuserdata(L, (void *)kind);
		lua_pushcclosure(L, lsnn_net_construct, 1);
		lua_setfield(L, -2, kind->lua);
	}
}
