/*
 * lua-net.c: layers and networks in Lua. Every value is a struct net: a
 * layer constructor (snn.linear, snn.lif, ...) makes a one-layer network,
 * and snn.sequential appends copies of its members to a new one. Tensors
 * returned by forward, backward, membrane, params and grads are views into
 * the network: parameter views live as long as the network, activation
 * views go stale at its next forward (net.c may carve its activations
 * again then).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua-snn.h"

/*
 * A network userdata. Its uservalue holds the input tensor of the last
 * successful forward (the backward reads it), or nil when there is none.
 */
struct lsnn_net {
	struct net	*net;		/* NULL once closed */
	unsigned long	 acts;		/* bumped by every forward and close */
	unsigned long	 life;		/* bumped by close */
};

/*
 * Returns the network userdata at idx, raising an error naming fn when it
 * is not one, is closed, or is busy with a training job.
 */
static struct lsnn_net *
lsnn_net_get(lua_State *L, int idx, const char *fn)
{
	struct lsnn_net	*ln;

	if ((ln = luaL_testudata(L, idx, LSNN_NET)) == NULL)
		lsnn_argerror(L, fn, "self", "must be a network (got %s)",
		    luaL_typename(L, idx));
	if (ln->net == NULL)
		luaL_error(L, "%s: the network is closed", fn);
	if (ln->net->busy)
		luaL_error(L, "%s: busy: network is being trained by job %d",
		    fn, ln->net->busy);
	return ln;
}

/*
 * Marks the idle network at idx as trained by job (0: used right away by
 * the caller, as snn.evaluate does): Lua calls that would change it fail
 * until lsnn_net_release, and views of its activations and the input kept
 * for backward are dropped (the caller's forward replaces them).
 */
struct net *
lsnn_net_claim(lua_State *L, int idx, const char *fn, int job)
{
	struct lsnn_net	*ln = lsnn_net_get(L, idx, fn);

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

/* Returns the open, idle network at idx. */
struct net *
lsnn_net_check(lua_State *L, int idx, const char *fn)
{
	return lsnn_net_get(L, idx, fn)->net;
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

/* Pushes a network userdata holding a new empty network. */
static struct lsnn_net *
lsnn_net_new(lua_State *L, const char *fn)
{
	struct lsnn_net	*ln = lsnn_net_push(L);

	if ((ln->net = net_new()) == NULL)
		luaL_error(L, "%s: out of memory", fn);
	return ln;
}

/* __gc and __close: frees the network; every view of it goes stale. */
static int
lsnn_net_close(lua_State *L)
{
	struct lsnn_net	*ln = luaL_checkudata(L, 1, LSNN_NET);

	if (ln->net != NULL && ln->net->busy)
		return luaL_error(L, "net: busy: network is being trained by "
		    "job %d", ln->net->busy);
	net_free(ln->net);
	ln->net = NULL;
	ln->acts++;
	ln->life++;
	return 0;
}

/* snn.linear(in, out [, options]): a Linear layer, y = x w^T + b. */
static int
lsnn_net_linear(lua_State *L)
{
	static const char *const	 known[] = { "bias", "seed", NULL };
	const char			*fn = "snn.linear";
	struct lsnn_net			*ln;
	struct rng			 own, *r;
	char				*cause = NULL;
	int				 in, out, bias;

	in = lsnn_check_positive(L, 1, fn, "in");
	out = lsnn_check_positive(L, 2, fn, "out");
	lsnn_check_options(L, 3, fn, known);
	bias = lsnn_opt_boolean(L, 3, fn, "bias", 1);
	r = lsnn_rng(L);
	if (!lua_isnoneornil(L, 3) &&
	    lua_getfield(L, 3, "seed") != LUA_TNIL) {
		rng_seed(&own, (uint64_t)lsnn_check_seed(L, -1, fn, "seed"));
		r = &own;
	}
	ln = lsnn_net_new(L, fn);
	if (net_add_linear(ln->net, in, out, bias, r, &cause) != 0)
		return lsnn_error(L, fn, cause);
	return 1;
}

/* snn.flatten(): merges each sample's dimensions into one. */
static int
lsnn_net_flatten(lua_State *L)
{
	struct lsnn_net	*ln = lsnn_net_new(L, "snn.flatten");
	char		*cause = NULL;

	if (net_add_flatten(ln->net, &cause) != 0)
		return lsnn_error(L, "snn.flatten", cause);
	return 1;
}

/*
 * Makes a neuron layer of kind from the options table at 1 (defaults from
 * neuron_defaults); v_reset = false selects a reset by subtraction.
 */
static int
lsnn_net_neuron(lua_State *L, enum neuron_kind kind, const char *fn)
{
	static const char *const	 lif[] = { "tau", "decay_input",
					     "v_threshold", "v_reset",
					     "detach_reset", "surrogate",
					     NULL };
	struct lsnn_net			*ln;
	struct neuron			 n;
	char				*cause = NULL;

	neuron_defaults(&n, kind);
	/* IF neurons take the LIF options that follow tau and decay_input. */
	lsnn_check_options(L, 1, fn, kind == NEURON_LIF ? lif : lif + 2);
	if (kind == NEURON_LIF) {
		n.tau = (float)lsnn_opt_number(L, 1, fn, "tau", n.tau);
		n.decay_input = lsnn_opt_boolean(L, 1, fn, "decay_input",
		    n.decay_input);
	}
	n.v_threshold = (float)lsnn_opt_number(L, 1, fn, "v_threshold",
	    n.v_threshold);
	n.detach_reset = lsnn_opt_boolean(L, 1, fn, "detach_reset",
	    n.detach_reset);
	lua_settop(L, 1);
	if (!lua_isnil(L, 1)) {
		switch (lua_getfield(L, 1, "v_reset")) {
		case LUA_TNIL:
			break;
		case LUA_TNUMBER:
			n.v_reset = (float)lua_tonumber(L, 2);
			break;
		case LUA_TBOOLEAN:
			if (!lua_toboolean(L, 2)) {
				n.soft_reset = 1;
				break;
			}
			/* FALLTHROUGH */
		default:
			lsnn_argerror(L, fn, "v_reset", "must be a number or "
			    "false (got %s)", luaL_tolstring(L, 2, NULL));
		}
		if (lua_getfield(L, 1, "surrogate") != LUA_TNIL)
			lsnn_surrogate_check(L, 3, fn, "surrogate", &n.sg);
	}
	ln = lsnn_net_new(L, fn);
	if (net_add_neuron(ln->net, &n, &cause) != 0)
		return lsnn_error(L, fn, cause);
	return 1;
}

/* snn.lif([options]): leaky integrate-and-fire neurons. */
static int
lsnn_net_lif(lua_State *L)
{
	return lsnn_net_neuron(L, NEURON_LIF, "snn.lif");
}

/* snn.if_neuron([options]): integrate-and-fire neurons. */
static int
lsnn_net_if(lua_State *L)
{
	return lsnn_net_neuron(L, NEURON_IF, "snn.if_neuron");
}

/* snn.sequential(layers): a new network of copies of the listed ones. */
static int
lsnn_net_sequential(lua_State *L)
{
	const char	*fn = "snn.sequential";
	struct lsnn_net	*ln;
	struct net	*member;
	char		*cause = NULL;
	lua_Integer	 i, n;

	if (!lua_istable(L, 1))
		lsnn_argerror(L, fn, "layers", "must be a list of layers "
		    "(got %s)", luaL_typename(L, 1));
	if ((n = (lua_Integer)lua_rawlen(L, 1)) == 0)
		lsnn_argerror(L, fn, "layers", "must hold at least one layer");
	lua_settop(L, 1);
	ln = lsnn_net_new(L, fn);
	for (i = 1; i <= n; i++) {
		lua_rawgeti(L, 1, i);
		if (luaL_testudata(L, 3, LSNN_NET) == NULL)
			lsnn_argerror(L, fn, "layers", "item %I must be a "
			    "layer or a network (got %s)", i,
			    luaL_typename(L, 3));
		member = lsnn_net_check(L, 3, fn);
		if (net_append(ln->net, member, &cause) != 0)
			return lsnn_error(L, fn, cause);
		lua_pop(L, 1);
	}
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
	struct lsnn_net		*ln = lsnn_net_get(L, 1, fn);
	struct lsnn_tensor	*x;
	const float		*out;
	char			*cause = NULL, buf[64];
	int			 shape[TENSOR_MAXDIM], ndim;

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
	struct lsnn_net		*ln = lsnn_net_get(L, 1, fn);
	struct net		*net = ln->net;
	struct lsnn_tensor	*gy, *x;
	const float		*dx;
	char			*cause = NULL, have[64], want[64];
	int			 shape[TENSOR_MAXDIM], ndim;

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
	net_zero_grad(lsnn_net_check(L, 1, "net:zero_grad"));
	return 0;
}

/* net:reset(): returns every neuron to rest before the next forward. */
static int
lsnn_net_reset(lua_State *L)
{
	net_reset(lsnn_net_check(L, 1, "net:reset"));
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
	struct net	*net = lsnn_net_check(L, 1, fn);
	struct neuron	 n;
	char		*cause = NULL;
	int		 i;

	if (!lua_isboolean(L, 2))
		lsnn_argerror(L, fn, "flag", "must be a boolean (got %s)",
		    luaL_typename(L, 2));
	for (i = 0; i < net->n; i++) {
		if (net->layers[i].kind != LAYER_NEURON)
			continue;
		n = net->layers[i].neuron;
		n.spiking = lua_toboolean(L, 2);
		if (neuron_validate(&n, &cause) != 0)
			return lsnn_error(L, fn, cause);
	}
	net_set_spiking(net, lua_toboolean(L, 2));
	lua_settop(L, 1);
	return 1;
}

/*
 * Returns the neuron layer named by the optional index at idx (0-based, as
 * parameter names count; the last neuron layer when absent) of a network
 * that has run forward; errors name fn.
 */
static const struct layer *
lsnn_net_neuron_layer(lua_State *L, const struct net *net, int idx,
    const char *fn)
{
	lua_Integer	i;
	int		isint = 0;

	if (lua_isnoneornil(L, idx)) {
		for (i = net->n - 1; i >= 0; i--) {
			if (net->layers[i].kind == LAYER_NEURON)
				break;
		}
		if (i < 0)
			luaL_error(L, "%s: the network has no neuron layer", fn);
	} else {
		i = lua_type(L, idx) == LUA_TNUMBER ?
		    lua_tointegerx(L, idx, &isint) : 0;
		if (!isint || i < 0 || i >= net->n)
			lsnn_argerror(L, fn, "layer", "must be a layer index "
			    "in 0..%d", net->n - 1);
		if (net->layers[i].kind != LAYER_NEURON)
			luaL_error(L, "%s: layer %d is not a neuron layer", fn,
			    (int)i);
	}
	if (net->T == 0)
		luaL_error(L, "%s: no forward pass yet", fn);
	return &net->layers[i];
}

/* net:membrane([layer]): a view of a neuron layer's v [T, B, ...]. */
static int
lsnn_net_membrane(lua_State *L)
{
	const char		*fn = "net:membrane";
	struct lsnn_net		*ln = lsnn_net_get(L, 1, fn);
	struct net		*net = ln->net;
	const struct layer	*l = lsnn_net_neuron_layer(L, net, 2, fn);
	int			 shape[TENSOR_MAXDIM];

	shape[0] = net->T;
	shape[1] = net->B;
	memcpy(shape + 2, l->out_shape, (size_t)l->out_ndim * sizeof *shape);
	lsnn_tensor_push_view(L, 1, l->v, l->out_ndim + 2, shape, &ln->acts);
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
	struct net			*net = lsnn_net_get(L, 1, fn)->net;
	const struct layer		*l;
	struct hist			 h;
	int				 i, opt = lua_istable(L, 2) ? 2 : 3;

	l = lsnn_net_neuron_layer(L, net, opt == 2 ? 3 : 2, fn);
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
	hist_count(&h, l->h, (size_t)net->T * net->B * l->in_size,
	    l->neuron.v_threshold);
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
	lua_pushinteger(L, (lua_Integer)((size_t)net->T * net->B *
	    l->in_size));
	lua_setfield(L, -2, "n");
	return 1;
}

/*
 * Sets t[name] = view of data for the table on top, with the state-dict
 * name of parameter which (0 weight, 1 bias) of layer.
 */
static void
lsnn_net_param(lua_State *L, struct lsnn_net *ln, int layer, int which,
    float *data, int ndim, const int *shape)
{
	char	*name;

	if ((name = net_param_name(layer, which)) == NULL)
		luaL_error(L, "out of memory");
	lua_pushstring(L, name);
	free(name);
	lsnn_tensor_push_view(L, 1, data, ndim, shape, &ln->life);
	((struct lsnn_tensor *)lua_touserdata(L, -1))->busy = &ln->net->busy;
	lua_settable(L, -3);
}

/* Pushes a table of name -> view of every weight, or of every gradient. */
static int
lsnn_net_tensors(lua_State *L, const char *fn, int grads)
{
	struct lsnn_net	*ln = lsnn_net_get(L, 1, fn);
	struct layer	*l;
	int		 i, shape[2];

	lua_settop(L, 1);
	lua_newtable(L);
	for (i = 0; i < ln->net->n; i++) {
		l = &ln->net->layers[i];
		if (l->kind != LAYER_LINEAR)
			continue;
		shape[0] = l->out;
		shape[1] = l->in;
		lsnn_net_param(L, ln, i, 0, grads ? l->dw : l->w, 2, shape);
		if (l->has_bias)
			lsnn_net_param(L, ln, i, 1, grads ? l->db : l->b, 1,
			    shape);
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

/* net:save(path): writes a checkpoint; true, or nil and a message. */
static int
lsnn_net_save(lua_State *L)
{
	struct net	*net = lsnn_net_check(L, 1, "net:save");
	const char	*path = lsnn_check_string(L, 2, "net:save", "path");
	char		*cause = NULL;

	if (checkpoint_save(path, net, NULL, NULL, &cause) != 0)
		return lsnn_fail(L, cause);
	lua_pushboolean(L, 1);
	return 1;
}

/* Adds a number as Lua would write it back, "2" or "0.5". */
static void
lsnn_net_addnum(luaL_Buffer *b, const char *key, double v)
{
	char	buf[64];

	snprintf(buf, sizeof buf, "%s=%g", key, v);
	luaL_addstring(b, buf);
}

/* Adds the Lua expression that makes layer l, "snn.linear(20, 16, ...)". */
static void
lsnn_net_describe(luaL_Buffer *b, const struct layer *l)
{
	const struct neuron	*n = &l->neuron;
	char			 buf[64];

	switch (l->kind) {
	case LAYER_LINEAR:
		snprintf(buf, sizeof buf, "snn.linear(%d, %d, {bias=%s})",
		    l->in, l->out, l->has_bias ? "true" : "false");
		luaL_addstring(b, buf);
		return;
	case LAYER_FLATTEN:
		luaL_addstring(b, "snn.flatten()");
		return;
	case LAYER_NEURON:
		break;
	}
	if (n->kind == NEURON_LIF) {
		luaL_addstring(b, "snn.lif{");
		lsnn_net_addnum(b, "tau", n->tau);
		luaL_addstring(b, n->decay_input ? ", decay_input=true, " :
		    ", decay_input=false, ");
	} else
		luaL_addstring(b, "snn.if_neuron{");
	lsnn_net_addnum(b, "v_threshold", n->v_threshold);
	if (n->soft_reset)
		luaL_addstring(b, ", v_reset=false");
	else {
		luaL_addstring(b, ", ");
		lsnn_net_addnum(b, "v_reset", n->v_reset);
	}
	luaL_addstring(b, n->detach_reset ? ", detach_reset=true" :
	    ", detach_reset=false");
	luaL_addstring(b, ", surrogate=");
	lsnn_surrogate_describe(b, &n->sg);
	luaL_addstring(b, n->spiking ? "}" : "}:spiking(false)");
}

/* Returns the number of parameters of layer l. */
static size_t
lsnn_net_layer_params(const struct layer *l)
{
	if (l->kind != LAYER_LINEAR)
		return 0;
	return (size_t)l->out * ((size_t)l->in + (size_t)l->has_bias);
}

/*
 * net:summary(): one line a layer with its output shape per sample (as of
 * the last forward), its parameter count and its definition, then the
 * total.
 */
static int
lsnn_net_summary(lua_State *L)
{
	struct net		*net = lsnn_net_get(L, 1, "net:summary")->net;
	const struct layer	*l;
	luaL_Buffer		 b;
	char			 line[128], shape[64];
	size_t			 total = 0;
	int			 i;

	luaL_buffinit(L, &b);
	luaL_addstring(&b, "layer  output           params  definition\n");
	for (i = 0; i < net->n; i++) {
		l = &net->layers[i];
		if (net->T == 0)
			snprintf(shape, sizeof shape, "?");
		else
			tensor_shape_string(l->out_shape, l->out_ndim, shape,
			    sizeof shape);
		snprintf(line, sizeof line, "%-6d %-15s %7zu  ", i, shape,
		    lsnn_net_layer_params(l));
		luaL_addstring(&b, line);
		lsnn_net_describe(&b, l);
		luaL_addchar(&b, '\n');
		total += lsnn_net_layer_params(l);
	}
	snprintf(line, sizeof line, "total  %-15s %7zu  parameters", "",
	    total);
	luaL_addstring(&b, line);
	luaL_pushresult(&b);
	return 1;
}

/*
 * __tostring: the expression that rebuilds the architecture, the layer's
 * own for one layer, snn.sequential{...} for more.
 */
static int
lsnn_net_tostring(lua_State *L)
{
	struct lsnn_net	*ln = luaL_checkudata(L, 1, LSNN_NET);
	luaL_Buffer	 b;
	int		 i;

	if (ln->net == NULL) {
		lua_pushliteral(L, "snn.net (closed)");
		return 1;
	}
	luaL_buffinit(L, &b);
	if (ln->net->n != 1)
		luaL_addstring(&b, "snn.sequential{");
	for (i = 0; i < ln->net->n; i++) {
		luaL_addstring(&b, i == 0 ? "" : ", ");
		lsnn_net_describe(&b, &ln->net->layers[i]);
	}
	if (ln->net->n != 1)
		luaL_addchar(&b, '}');
	luaL_pushresult(&b);
	return 1;
}

/* __len: #net is the number of layers. */
static int
lsnn_net_len(lua_State *L)
{
	lua_pushinteger(L, lsnn_net_get(L, 1, "#net")->net->n);
	return 1;
}

/* Creates the network metatable and adds the layer constructors. */
void
lsnn_net_open(lua_State *L)
{
	static const luaL_Reg	methods[] = {
		{ "forward", lsnn_net_forward },
		{ "backward", lsnn_net_backward },
		{ "zero_grad", lsnn_net_zero_grad },
		{ "reset", lsnn_net_reset },
		{ "spiking", lsnn_net_spiking },
		{ "membrane", lsnn_net_membrane },
		{ "histogram", lsnn_net_histogram },
		{ "params", lsnn_net_params },
		{ "grads", lsnn_net_grads },
		{ "save", lsnn_net_save },
		{ "summary", lsnn_net_summary },
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
		{ "linear", lsnn_net_linear },
		{ "flatten", lsnn_net_flatten },
		{ "lif", lsnn_net_lif },
		{ "if_neuron", lsnn_net_if },
		{ "sequential", lsnn_net_sequential },
		{ "load", lsnn_net_load },
		{ NULL, NULL }
	};

	lsnn_class(L, LSNN_NET, meta, methods, NULL);
	luaL_setfuncs(L, fns, 0);
}
