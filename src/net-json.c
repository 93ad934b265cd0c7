/*
 * net-json.c: a network's architecture as JSON (Jansson), for checkpoint
 * metadata and run configs, and rebuilding a network from it. Example:
 *   {"layers": [{"type": "flatten"},
 *     {"type": "linear", "in": 2312, "out": 800, "bias": false},
 *     {"type": "lif", "tau": 2, "decay_input": true, "v_threshold": 1,
 *      "v_reset": 0, "detach_reset": true,
 *      "surrogate": {"name": "atan", "alpha": 2}}]}
 * "v_reset": null means reset by subtraction.
 *
 * A surrogate defined in Lua (a table, SURROGATE_TABLE) carries its table,
 * so that a network loads back exactly without the script that defined it:
 *   "surrogate": {"name": "sine", "alpha": 1, "table": {"support": [-1, 1],
 *     "intervals": 4096, "derived": false, "grad_error": 5.8e-08,
 *     "grad_error_at": 0.0002, "primitive_error": 3e-08,
 *     "primitive_error_at": -0.5, "grad": "3f49...", "primitive": "..."}}
 * "grad" and "primitive" hold the n + 1 floats of each table as the hex
 * digits of their bits, 8 a float, most significant first (numpy reads them
 * with frombuffer(bytes.fromhex(s), ">f4")).
 */
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snnwb.h"

/* Returns the n floats of v as hex (8 digits each), or NULL. */
static char *
net_json_hex(const float *v, int n)
{
	char		*s;
	uint32_t	 bits;
	int		 i;

	if ((s = malloc((size_t)n * 8 + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		memcpy(&bits, &v[i], sizeof bits);
		snprintf(s + (size_t)i * 8, 9, "%08x", (unsigned)bits);
	}
	s[(size_t)n * 8] = '\0';
	return s;
}

/* Reads n floats written by net_json_hex from s; -1 if s is not that. */
static int
net_json_unhex(const char *s, float *v, int n)
{
	uint32_t	 bits;
	int		 i, j, d;

	if (s == NULL || strlen(s) != (size_t)n * 8)
		return -1;
	for (i = 0; i < n; i++) {
		bits = 0;
		for (j = 0; j < 8; j++) {
			d = s[i * 8 + j];
			if (d >= '0' && d <= '9')
				d -= '0';
			else if (d >= 'a' && d <= 'f')
				d -= 'a' - 10;
			else
				return -1;
			bits = bits << 4 | (uint32_t)d;
		}
		memcpy(&v[i], &bits, sizeof bits);
	}
	return 0;
}

/* Returns the "table" member of a tabulated surrogate's description. */
static json_t *
net_json_table(const struct surrogate_table *t)
{
	json_t	*o = json_object();
	char	*grad = net_json_hex(t->grad, t->n + 1);
	char	*prim = net_json_hex(t->prim, t->n + 1);

	json_object_set_new(o, "support", json_pack("[f, f]", t->lo, t->hi));
	json_object_set_new(o, "intervals", json_integer(t->n));
	json_object_set_new(o, "derived", json_boolean(t->derived));
	json_object_set_new(o, "grad_error", json_real(t->grad_error));
	json_object_set_new(o, "grad_error_at", json_real(t->grad_error_at));
	json_object_set_new(o, "primitive_error", json_real(t->prim_error));
	json_object_set_new(o, "primitive_error_at",
	    json_real(t->prim_error_at));
	json_object_set_new(o, "grad", grad != NULL ? json_string(grad) :
	    json_null());
	json_object_set_new(o, "primitive", prim != NULL ?
	    json_string(prim) : json_null());
	free(grad);
	free(prim);
	return o;
}

/* Returns the JSON object describing a surrogate (name and parameters). */
static json_t *
net_json_surrogate(const struct surrogate *s)
{
	json_t	*o = json_object();
	int	 i;

	json_object_set_new(o, "name", json_string(surrogate_name(s)));
	for (i = 0; i < surrogate_nparams(s); i++)
		json_object_set_new(o, surrogate_param_name(s, i),
		    json_real(s->p[i]));
	if (s->kind == SURROGATE_TABLE)
		json_object_set_new(o, "table", net_json_table(s->table));
	return o;
}

/* Returns the JSON object describing one layer. */
static json_t *
net_json_layer(const struct layer *l)
{
	const struct neuron	*n = &l->neuron;
	json_t			*o = json_object();

	switch (l->kind) {
	case LAYER_LINEAR:
		json_object_set_new(o, "type", json_string("linear"));
		json_object_set_new(o, "in", json_integer(l->in));
		json_object_set_new(o, "out", json_integer(l->out));
		json_object_set_new(o, "bias", json_boolean(l->has_bias));
		break;
	case LAYER_FLATTEN:
		json_object_set_new(o, "type", json_string("flatten"));
		break;
	case LAYER_NEURON:
		json_object_set_new(o, "type",
		    json_string(n->kind == NEURON_LIF ? "lif" : "if"));
		if (n->kind == NEURON_LIF) {
			json_object_set_new(o, "tau", json_real(n->tau));
			json_object_set_new(o, "decay_input",
			    json_boolean(n->decay_input));
		}
		json_object_set_new(o, "v_threshold",
		    json_real(n->v_threshold));
		json_object_set_new(o, "v_reset", n->soft_reset ?
		    json_null() : json_real(n->v_reset));
		json_object_set_new(o, "detach_reset",
		    json_boolean(n->detach_reset));
		json_object_set_new(o, "surrogate",
		    net_json_surrogate(&n->sg));
		break;
	}
	return o;
}

/* Returns the network's description as a JSON string; the caller frees it. */
char *
net_json_describe(const struct net *net)
{
	json_t	*root = json_object(), *layers = json_array();
	char	*s;
	int	 i;

	for (i = 0; i < net->n; i++)
		json_array_append_new(layers, net_json_layer(&net->layers[i]));
	json_object_set_new(root, "layers", layers);
	s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	return s;
}

/* Reads a number member into *v when present; -1 if it is not a number. */
static int
net_json_number(json_t *o, const char *key, int i, double *v, char **cause)
{
	json_t	*m = json_object_get(o, key);

	if (m == NULL)
		return 0;
	if (!json_is_number(m))
		return error_set(cause, "layer %d: \"%s\" must be a number",
		    i, key);
	*v = json_number_value(m);
	return 0;
}

/*
 * Reads the table member tab of the surrogate description sg (of layer i,
 * named name) into a registered table, and sets s to it.
 */
static int
net_json_surrogate_table(json_t *sg, json_t *tab, const char *name, int i,
    struct surrogate *s, char **cause)
{
	const struct surrogate_table	*reg;
	struct surrogate_table		*t;
	json_t				*support, *value;
	json_int_t			 nv;
	const char			*key;
	char				*why = NULL;

	support = json_object_get(tab, "support");
	value = json_object_get(tab, "intervals");
	if (!json_is_object(tab) || !json_is_integer(value) ||
	    json_array_size(support) != 2 ||
	    !json_is_number(json_array_get(support, 0)) ||
	    !json_is_number(json_array_get(support, 1)))
		return error_set(cause, "layer %d: surrogate %s: \"table\" "
		    "must be an object with \"intervals\" and a \"support\" "
		    "of two numbers", i, name);
	nv = json_integer_value(value);
	if ((t = surrogate_table_new(nv < INT_MIN || nv > INT_MAX ? INT_MAX :
	    (int)nv, &why)) == NULL)
		goto fail;
	if (surrogate_table_set_name(t, name, &why) != 0)
		goto fail;
	json_object_foreach(sg, key, value) {
		if (strcmp(key, "name") == 0 || strcmp(key, "table") == 0)
			continue;
		if (!json_is_number(value)) {
			why = error_printf("surrogate %s: parameter %s must "
			    "be a number", name, key);
			goto fail;
		}
		if (surrogate_table_add_param(t, key, json_number_value(value),
		    &why) != 0)
			goto fail;
	}
	if (surrogate_table_set_support(t,
	    json_number_value(json_array_get(support, 0)),
	    json_number_value(json_array_get(support, 1)), &why) != 0)
		goto fail;
	t->derived = json_is_true(json_object_get(tab, "derived"));
	t->grad_error = t->grad_error_at = NAN;
	t->prim_error = t->prim_error_at = NAN;
	if (net_json_number(tab, "grad_error", i, &t->grad_error, cause) != 0 ||
	    net_json_number(tab, "grad_error_at", i, &t->grad_error_at,
	    cause) != 0 ||
	    net_json_number(tab, "primitive_error", i, &t->prim_error,
	    cause) != 0 ||
	    net_json_number(tab, "primitive_error_at", i, &t->prim_error_at,
	    cause) != 0) {
		surrogate_table_free(t);
		return -1;
	}
	if (net_json_unhex(json_string_value(json_object_get(tab, "grad")),
	    t->grad, t->n + 1) != 0 ||
	    net_json_unhex(json_string_value(json_object_get(tab,
	    "primitive")), t->prim, t->n + 1) != 0) {
		why = error_printf("surrogate %s: \"grad\" and "
		    "\"primitive\" must hold %d hex digits each", name,
		    (t->n + 1) * 8);
		goto fail;
	}
	if (surrogate_table_register(t, &reg, &why) != 0) {
		t = NULL;	/* freed by surrogate_table_register */
		goto fail;
	}
	surrogate_init_table(s, reg);
	return 0;
fail:
	surrogate_table_free(t);
	error_set(cause, "layer %d: %s", i, why != NULL ? why :
	    "out of memory");
	free(why);
	return -1;
}

/* Fills a neuron configuration from its JSON object. */
static int
net_json_neuron(json_t *o, int i, struct neuron *n, char **cause)
{
	json_t		*sg = json_object_get(o, "surrogate"), *value;
	const char	*key, *name;
	double		 v;

	if ((value = json_object_get(o, "v_reset")) != NULL &&
	    json_is_null(value))
		n->soft_reset = 1;
	v = n->tau;
	if (net_json_number(o, "tau", i, &v, cause) != 0)
		return -1;
	n->tau = (float)v;
	v = n->v_threshold;
	if (net_json_number(o, "v_threshold", i, &v, cause) != 0)
		return -1;
	n->v_threshold = (float)v;
	v = n->v_reset;
	if (!n->soft_reset &&
	    net_json_number(o, "v_reset", i, &v, cause) != 0)
		return -1;
	n->v_reset = (float)v;
	if ((value = json_object_get(o, "decay_input")) != NULL)
		n->decay_input = json_is_true(value);
	if ((value = json_object_get(o, "detach_reset")) != NULL)
		n->detach_reset = json_is_true(value);
	if (sg == NULL)
		return 0;
	if (!json_is_object(sg) ||
	    (name = json_string_value(json_object_get(sg, "name"))) == NULL)
		return error_set(cause, "layer %d: \"surrogate\" must be an "
		    "object with a \"name\"", i);
	if ((value = json_object_get(sg, "table")) != NULL)
		return net_json_surrogate_table(sg, value, name, i, &n->sg,
		    cause);
	if (surrogate_init(&n->sg, name, cause) != 0)
		return -1;
	json_object_foreach(sg, key, value) {
		if (strcmp(key, "name") == 0)
			continue;
		if (!json_is_number(value))
			return error_set(cause, "layer %d: surrogate "
			    "parameter \"%s\" must be a number", i, key);
		if (surrogate_set(&n->sg, key, json_number_value(value),
		    cause) != 0)
			return -1;
	}
	return 0;
}

/* Appends the layer described by o (layer number i) to net. */
static int
net_json_add(struct net *net, json_t *o, int i, struct rng *r,
    char **cause)
{
	const char	*type = json_string_value(json_object_get(o, "type"));
	struct neuron	 n;
	json_t		*in, *out;

	if (type == NULL)
		return error_set(cause, "layer %d: missing \"type\"", i);
	if (strcmp(type, "linear") == 0) {
		in = json_object_get(o, "in");
		out = json_object_get(o, "out");
		if (!json_is_integer(in) || !json_is_integer(out))
			return error_set(cause, "layer %d: linear needs "
			    "integer \"in\" and \"out\"", i);
		return net_add_linear(net, (int)json_integer_value(in),
		    (int)json_integer_value(out),
		    json_is_true(json_object_get(o, "bias")), r, cause);
	}
	if (strcmp(type, "flatten") == 0)
		return net_add_flatten(net, cause);
	if (strcmp(type, "lif") == 0 || strcmp(type, "if") == 0) {
		neuron_defaults(&n, type[0] == 'l' ? NEURON_LIF : NEURON_IF);
		if (net_json_neuron(o, i, &n, cause) != 0)
			return -1;
		return net_add_neuron(net, &n, cause);
	}
	return error_set(cause, "layer %d: unknown type \"%s\"", i, type);
}

/*
 * Builds a network from its JSON description, parameters initialised from
 * a fixed seed (a checkpoint overwrites them); NULL on error with *cause set.
 */
struct net *
net_json_build(const char *json, char **cause)
{
	json_error_t	 err;
	json_t		*root, *layers;
	struct net	*net = NULL;
	struct rng	 r;
	size_t		 i;

	if ((root = json_loads(json, 0, &err)) == NULL) {
		error_set(cause, "network description: %s (line %d)",
		    err.text, err.line);
		return NULL;
	}
	layers = json_object_get(root, "layers");
	if (!json_is_array(layers)) {
		error_set(cause, "network description: no \"layers\" array");
		goto out;
	}
	if ((net = net_new()) == NULL) {
		error_set(cause, "out of memory");
		goto out;
	}
	rng_seed(&r, 0);
	for (i = 0; i < json_array_size(layers); i++) {
		if (net_json_add(net, json_array_get(layers, i), (int)i, &r,
		    cause) != 0) {
			net_free(net);
			net = NULL;
			break;
		}
	}
out:
	json_decref(root);
	return net;
}
