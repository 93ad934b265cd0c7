/*
 * net-json.c: a network's architecture as JSON (Jansson), for checkpoint
 * metadata and run configs, and rebuilding a network from it: the root
 * module's description (module.c), for example
 *   {"type": "sequential", "layers": [{"type": "flatten"},
 *     {"type": "linear", "in": 2312, "out": 800, "bias": false},
 *     {"type": "lif", "tau": 2, "decay_input": true, "v_threshold": 1,
 *      "v_reset": 0, "detach_reset": true,
 *      "surrogate": {"name": "atan", "alpha": 2}}]}
 * "v_reset": null means reset by subtraction. Descriptions written before
 * modules nested ({"layers": [...]} without "type") read as a sequential.
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

#include "nn.h"

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
	char	*prim = t->primitive ? net_json_hex(t->prim, t->n + 1) : NULL;

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
	if (t->primitive)
		json_object_set_new(o, "primitive", prim != NULL ?
		    json_string(prim) : json_null());
	free(grad);
	free(prim);
	return o;
}

/* Returns the JSON object describing a surrogate (name and parameters). */
json_t *
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

/* Reads a number member into *v when present; -1 if it is not a number. */
static int
net_json_number(json_t *o, const char *key, const char *where, double *v,
    char **cause)
{
	json_t	*m = json_object_get(o, key);

	if (m == NULL)
		return 0;
	if (!json_is_number(m))
		return error_set(cause, "%s: \"%s\" must be a number",
		    where, key);
	*v = json_number_value(m);
	return 0;
}

/*
 * Reads the table member tab of the surrogate description sg (of the
 * module where, named name) into a registered table, and sets s to it.
 */
static int
net_json_surrogate_table(json_t *sg, json_t *tab, const char *name,
    const char *where, struct surrogate *s, char **cause)
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
		return error_set(cause, "%s: surrogate %s: \"table\" "
		    "must be an object with \"intervals\" and a \"support\" "
		    "of two numbers", where, name);
	nv = json_integer_value(value);
	/* Only what int cannot hold: surrogate_table_new checks the range. */
	if (nv < INT_MIN || nv > INT_MAX)
		return error_set(cause, "%s: surrogate %s: \"intervals\" is "
		    "%lld, out of range", where, name, (long long)nv);
	if ((t = surrogate_table_new((int)nv, &why)) == NULL)
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
	t->primitive = json_object_get(tab, "primitive") != NULL;
	t->grad_error = t->grad_error_at = NAN;
	t->prim_error = t->prim_error_at = NAN;
	if (net_json_number(tab, "grad_error", where, &t->grad_error, cause) != 0 ||
	    net_json_number(tab, "grad_error_at", where, &t->grad_error_at,
	    cause) != 0 ||
	    net_json_number(tab, "primitive_error", where, &t->prim_error,
	    cause) != 0 ||
	    net_json_number(tab, "primitive_error_at", where, &t->prim_error_at,
	    cause) != 0) {
		surrogate_table_free(t);
		return -1;
	}
	if (net_json_unhex(json_string_value(json_object_get(tab, "grad")),
	    t->grad, t->n + 1) != 0 ||
	    (t->primitive && net_json_unhex(json_string_value(
	    json_object_get(tab, "primitive")), t->prim, t->n + 1) != 0)) {
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
	error_set(cause, "%s: %s", where, why != NULL ? why :
	    "out of memory");
	free(why);
	return -1;
}

/*
 * Sets s from the surrogate description sg ({"name": "atan", "alpha": 2},
 * with "table" for one defined in Lua) of the module where.
 */
int
net_json_parse_surrogate(json_t *sg, const char *where, struct surrogate *s,
    char **cause)
{
	json_t		*value;
	const char	*key, *name;

	if (!json_is_object(sg) ||
	    (name = json_string_value(json_object_get(sg, "name"))) == NULL)
		return error_set(cause, "%s: \"surrogate\" must be an object "
		    "with a \"name\"", where);
	if ((value = json_object_get(sg, "table")) != NULL)
		return net_json_surrogate_table(sg, value, name, where, s,
		    cause);
	if (surrogate_init(s, name, cause) != 0)
		return -1;
	json_object_foreach(sg, key, value) {
		if (strcmp(key, "name") == 0)
			continue;
		if (!json_is_number(value))
			return error_set(cause, "%s: surrogate parameter "
			    "\"%s\" must be a number", where, key);
		if (surrogate_set(s, key, json_number_value(value),
		    cause) != 0)
			return -1;
	}
	return 0;
}

/* Returns the network's description as a JSON string; the caller frees it. */
char *
net_json_describe(const struct net *net)
{
	json_t	*root = module_describe(net->root);
	char	*s;

	s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	return s;
}

/*
 * Builds a network from its JSON description, parameters initialised from
 * a fixed seed (a checkpoint overwrites them); NULL on error with *cause set.
 */
struct net *
net_json_build(const char *json, char **cause)
{
	json_error_t	 err;
	json_t		*root;
	struct module	*m;
	struct rng	 r;
	char		*why = NULL;

	if ((root = json_loads(json, 0, &err)) == NULL) {
		error_set(cause, "network description: %s (line %d)",
		    err.text, err.line);
		return NULL;
	}
	if (json_is_object(root) && json_object_get(root, "type") == NULL &&
	    json_is_array(json_object_get(root, "layers")))
		json_object_set_new(root, "type", json_string("sequential"));
	rng_seed(&r, 0);
	m = module_parse(root, &r, &why);
	json_decref(root);
	if (m == NULL) {
		error_set(cause, "network description: %s", why);
		free(why);
		return NULL;
	}
	return net_wrap(m, cause);
}
