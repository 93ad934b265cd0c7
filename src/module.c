/*
 * module.c: the table of module kinds and what every module shares: making
 * one from its JSON description and describing it back, declaring its
 * parameters and buffers, planning shapes, carving activations, and
 * running forward, backward and reset through the kind's functions.
 *
 * Adding a kind: one file defining `const struct module_kind layer_X_kind`
 * and X in MODULE_KINDS below (and the file in Makefile.am).
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "nn.h"

#define MODULE_KINDS(K) \
	K(linear) K(conv2d) K(flatten) K(lif) K(if) K(relu) K(qcfs) \
	K(qcfs_if) K(batchnorm2d) K(avgpool2d) K(maxpool2d) \
	K(adaptive_avgpool2d) K(dropout) K(sequential) K(residual)

#define MODULE_DECLARE(x) extern const struct module_kind layer_##x##_kind;
MODULE_KINDS(MODULE_DECLARE)
#define MODULE_ENTRY(x) &layer_##x##_kind,
static const struct module_kind *const module_kinds[] = {
	MODULE_KINDS(MODULE_ENTRY)
	NULL
};
_Static_assert(sizeof module_kinds / sizeof *module_kinds <=
    MODULE_MAXKINDS + 1, "more module kinds than MODULE_MAXKINDS");

/* Returns the kind named name ("linear"), or NULL. */
const struct module_kind *
module_kind_find(const char *name)
{
	int	i;

	for (i = 0; module_kinds[i] != NULL; i++)
		if (strcmp(module_kinds[i]->name, name) == 0)
			return module_kinds[i];
	return NULL;
}

/* Returns the i-th kind of the table, or NULL past its end. */
const struct module_kind *
module_kind_at(int i)
{
	if (i < 0 || i >= (int)(sizeof module_kinds / sizeof *module_kinds))
		return NULL;
	return module_kinds[i];
}

/* Returns the index of kind in the table (module_kind_at's), or -1. */
int
module_kind_index(const struct module_kind *kind)
{
	int	i;

	for (i = 0; module_kinds[i] != NULL; i++)
		if (module_kinds[i] == kind)
			return i;
	return -1;
}


/* Returns the profile entry of m's kind in c, or NULL (a container). */
static struct module_time *
module_time_of(const struct module *m, const struct mctx *c)
{
	if (c->prof == NULL || (m->kind->flags & MODULE_CONTAINER))
		return NULL;
	return &c->prof[module_kind_index(m->kind)];
}

/* Returns a new module of kind with zeroed private state, or NULL. */
struct module *
module_new(const struct module_kind *kind, char **cause)
{
	struct module	*m;

	if ((m = mem_calloc(1, sizeof *m)) == NULL ||
	    (kind->priv > 0 && (m->priv = mem_calloc(1, kind->priv)) ==
	    NULL)) {
		mem_free(m);
		error_set(cause, "out of memory for a %s module", kind->name);
		return NULL;
	}
	m->kind = kind;
	return m;
}

/* Frees m, its children and what it owns; NULL is allowed. */
void
module_free(struct module *m)
{
	int	i;

	if (m == NULL)
		return;
	if (m->kind->free != NULL)
		m->kind->free(m);
	for (i = 0; i < m->nchild; i++)
		module_free(m->child[i]);
	for (i = 0; i < m->nparam; i++)
		if (m->param[i].owned)
			mem_free(m->param[i].data);
	mem_free(m->child);
	mem_free(m->priv);
	mem_free(m);
}

/* Checks a module name: letters, digits and _ only, or empty. */
static int
module_check_name(const char *name, char **cause)
{
	const char	*p;

	if (strlen(name) >= MODULE_NAMELEN)
		return error_set(cause, "module name \"%.20s...\" is longer "
		    "than %d characters", name, MODULE_NAMELEN - 1);
	for (p = name; *p != '\0'; p++)
		if (!(*p == '_' || (*p >= '0' && *p <= '9') ||
		    (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			return error_set(cause, "module name \"%s\": only "
			    "letters, digits and _ are allowed", name);
	return 0;
}

/*
 * Appends child to container m under name (NULL: its index, as
 * nn.Sequential names children); m owns child from then on, even on
 * failure. Names are not compared here: module_check_children does
 * that for all the children at once.
 */
int
module_add_child(struct module *m, struct module *child, const char *name,
    char **cause)
{
	struct module	**c;
	char		  own[MODULE_NAMELEN];

	if (name == NULL)
		snprintf(own, sizeof own, "%d", m->nchild);
	else
		snprintf(own, sizeof own, "%s", name);
	name = own;
	if (module_check_name(name, cause) != 0)
		goto fail;
	/* The array doubles when full: it holds a power of two >= nchild. */
	if ((m->nchild & (m->nchild - 1)) == 0) {
		if ((c = mem_realloc(m->child, (size_t)(m->nchild == 0 ? 1 :
		    2 * m->nchild) * sizeof *c)) == NULL) {
			error_set(cause, "out of memory adding a module");
			goto fail;
		}
		m->child = c;
	}
	snprintf(child->name, sizeof child->name, "%s", name);
	m->child[m->nchild++] = child;
	return 0;
fail:
	module_free(child);
	return -1;
}

/* Orders pointers to module names. */
static int
module_cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Checks that no two children of m share a name ("" aside), sorting the
 * names so that a container of n children costs n log n, not n^2.
 */
int
module_check_children(const struct module *m, char **cause)
{
	const char	**names;
	int		  i, n = 0, rc = 0;

	if (m->nchild < 2)
		return 0;
	if ((names = mem_calloc((size_t)m->nchild, sizeof *names)) == NULL)
		return error_set(cause, "out of memory checking names");
	for (i = 0; i < m->nchild; i++)
		if (m->child[i]->name[0] != '\0')
			names[n++] = m->child[i]->name;
	qsort(names, (size_t)n, sizeof *names, module_cmp_name);
	for (i = 1; i < n && rc == 0; i++)
		if (strcmp(names[i - 1], names[i]) == 0)
			rc = error_set(cause, "%s: two children named \"%s\"",
			    m->kind->name, names[i]);
	mem_free(names);
	return rc;
}

/*
 * The values module_declare may still allocate on this thread: set from
 * a checkpoint's contents while its description is built, so that a
 * crafted description cannot allocate more than the file holds; else
 * SIZE_MAX, no bound.
 */
static _Thread_local size_t module_budget = SIZE_MAX;

/* Bounds the values the next declarations may allocate (SIZE_MAX: none). */
void
module_set_budget(size_t values)
{
	module_budget = values;
}

/*
 * Declares a parameter (or, with MPARAM_BUFFER in flags, a buffer) of m
 * with the given shape; returns its zeroed values (the module's own until
 * the network lays them out in its blocks), or NULL with *cause set.
 */
float *
module_declare(struct module *m, const char *name, int flags, int ndim,
    const int *shape, char **cause)
{
	struct mparam	*p;
	size_t		 n = 1;
	int		 i;

	if (m->nparam == MODULE_MAXPARAM || ndim > 4) {
		error_set(cause, "%s: too many parameters", m->kind->name);
		return NULL;
	}
	for (i = 0; i < ndim; i++)
		n *= (size_t)shape[i];
	if (module_budget != SIZE_MAX) {
		if (n > module_budget) {
			error_set(cause, "%s: %s of %zu values is more than "
			    "the checkpoint holds", m->kind->name, name, n);
			return NULL;
		}
		module_budget -= n;
	}
	p = &m->param[m->nparam];
	memset(p, 0, sizeof *p);
	if ((p->data = mem_calloc(n > 0 ? n : 1, sizeof *p->data)) == NULL) {
		error_set(cause, "%s: out of memory for %s (%zu values)",
		    m->kind->name, name, n);
		return NULL;
	}
	p->owned = 1;
	p->name = name;
	p->flags = flags;
	p->ndim = ndim;
	memcpy(p->shape, shape, (size_t)ndim * sizeof *shape);
	p->n = n;
	m->nparam++;
	return p->data;
}

/* Returns m's parameter or buffer called name, or NULL. */
struct mparam *
module_param(struct module *m, const char *name)
{
	int	i;

	for (i = 0; i < m->nparam; i++)
		if (strcmp(m->param[i].name, name) == 0)
			return &m->param[i];
	return NULL;
}

/* Returns nonzero when key is one of the NULL-terminated list. */
static int
module_known(const char *const *list, const char *key)
{
	for (; list != NULL && *list != NULL; list++)
		if (strcmp(*list, key) == 0)
			return 1;
	return 0;
}

/*
 * Makes a module from its description o ({"type": "linear", "in": 2, ...,
 * "name": "fc"}), parameters drawn from r (NULL: left at 0, as containers
 * parse their children, drawn once the whole tree is made); NULL with
 * *cause set. Keys the kind does not know are refused by name.
 */
struct module *
module_parse(json_t *o, struct rng *r, char **cause)
{
	const struct module_kind	*kind;
	struct module			*m;
	const char			*type, *key, *name;
	json_t				*v;

	if (!json_is_object(o))
		return error_set(cause, "a module must be described by an "
		    "object"), NULL;
	if ((type = json_string_value(json_object_get(o, "type"))) == NULL)
		return error_set(cause, "a module description needs a "
		    "\"type\""), NULL;
	if ((kind = module_kind_find(type)) == NULL)
		return error_set(cause, "unknown module type \"%s\"", type),
		    NULL;
	json_object_foreach(o, key, v) {
		if (strcmp(key, "type") != 0 && strcmp(key, "name") != 0 &&
		    !module_known(kind->args, key) &&
		    !module_known(kind->opts, key))
			return error_set(cause, "%s: unknown option \"%s\"",
			    type, key), NULL;
	}
	if ((m = module_new(kind, cause)) == NULL)
		return NULL;
	if ((v = json_object_get(o, "name")) != NULL) {
		if ((name = json_string_value(v)) == NULL ||
		    module_check_name(name, cause) != 0) {
			if (name == NULL)
				error_set(cause, "%s: \"name\" must be a "
				    "string", type);
			module_free(m);
			return NULL;
		}
		snprintf(m->name, sizeof m->name, "%s", name);
		m->named = 1;
	}
	if ((kind->parse != NULL && kind->parse(m, o, cause) != 0) ||
	    module_check_children(m, cause) != 0) {
		module_free(m);
		return NULL;
	}
	if (r != NULL)
		module_init(m, r);
	return m;
}

/* Returns the description of m (a new JSON object), with its name. */
json_t *
module_describe(const struct module *m)
{
	json_t	*o = json_object();

	json_object_set_new(o, "type", json_string(m->kind->name));
	if (m->name[0] != '\0' || m->named)
		json_object_set_new(o, "name", json_string(m->name));
	if (m->kind->describe != NULL)
		m->kind->describe(m, o);
	return o;
}

/* Returns the product of shape[0..ndim). */
static size_t
module_prod(const int *shape, int ndim)
{
	size_t	n = 1;
	int	i;

	for (i = 0; i < ndim; i++)
		n *= (size_t)shape[i];
	return n;
}

/*
 * Plans m for per-sample input shape[0..ndim): sets its input and output
 * shapes (containers plan their children); x_is_input says that its input
 * is the network's. -1 with a message naming the module on a mismatch.
 */
int
module_shape(struct module *m, int ndim, const int *shape, int x_is_input,
    char **cause)
{
	int	i;

	m->in_ndim = ndim;
	memcpy(m->in_shape, shape, (size_t)ndim * sizeof *shape);
	m->in_size = module_prod(shape, ndim);
	m->x_is_input = x_is_input;
	m->out_ndim = ndim;
	memcpy(m->out_shape, shape, (size_t)ndim * sizeof *shape);
	if (m->kind->shape != NULL && m->kind->shape(m, cause) != 0)
		return -1;
	m->out_size = module_prod(m->out_shape, m->out_ndim);
	m->pure = !(m->kind->flags & MODULE_STATEFUL);
	for (i = 0; i < m->nchild; i++)
		m->pure = m->pure && m->child[i]->pure;
	return 0;
}

/*
 * Takes m's activation buffers from a for (T, B) (run once planning and
 * once for real): its output and input gradient, unless its kind carves
 * its own or aliases its input.
 */
void
module_carve(struct module *m, struct arena *a, const struct mctx *c)
{
	size_t	rows = (size_t)c->T * (size_t)c->B;

	m->y = NULL;
	m->dx = NULL;
	if (m->kind->carve != NULL) {
		m->kind->carve(m, a, c);
		return;
	}
	if (m->kind->flags & MODULE_ALIAS)
		return;
	m->y = arena_take(a, rows * m->out_size);
	m->dx = arena_take(a, rows * m->in_size);
}

/*
 * Runs m forward on x (T * B, in...); m->y holds the output. A module whose
 * output is a function of its input alone keeps its last output when the
 * input repeats (a static image entering a converted network each step).
 */
int
module_forward(struct module *m, const struct mctx *c, const float *x,
    char **cause)
{
	struct module_time	*t;
	double			 start;
	int			 rc;

	m->x = x;
	if (c->repeat && m->pure && m->y != NULL)
		return 0;
	if ((t = module_time_of(m, c)) == NULL)
		return m->kind->forward(m, c, x, cause);
	start = clock_now();
	rc = m->kind->forward(m, c, x, cause);
	t->forward += clock_now() - start;
	t->calls++;
	return rc;
}

/*
 * Runs m backward from dy (T * B, out...) after its forward: adds into
 * parameter gradients and, when need_dx is set, leaves the input gradient
 * in m->dx.
 */
void
module_backward(struct module *m, const struct mctx *c, const float *dy,
    int need_dx)
{
	struct module_time	*t = module_time_of(m, c);
	double			 start;

	if (t == NULL) {
		m->kind->backward(m, c, dy, need_dx);
		return;
	}
	start = clock_now();
	m->kind->backward(m, c, dy, need_dx);
	t->backward += clock_now() - start;
}

/* Returns the neurons of m and below to rest. */
void
module_reset(struct module *m)
{
	int	i;

	if (m->kind->reset != NULL)
		m->kind->reset(m);
	for (i = 0; i < m->nchild; i++)
		module_reset(m->child[i]);
}

/* Draws the parameters of m and below from r, in network order. */
void
module_init(struct module *m, struct rng *r)
{
	int	i;

	if (m->kind->init != NULL)
		m->kind->init(m, r);
	for (i = 0; i < m->nchild; i++)
		module_init(m->child[i], r);
}

/* Writes "name (kind)" or "(kind)" for messages into buf. */
char *
module_label(const struct module *m, char *buf, size_t len)
{
	if (m->name[0] != '\0')
		snprintf(buf, len, "%s (%s)", m->name, m->kind->name);
	else
		snprintf(buf, len, "%s", m->kind->name);
	return buf;
}

/*
 * Calls fn on m and every module below it, parents first, with the dotted
 * path of each ("layer1.0.conv1"; modules with empty names add nothing);
 * stops at the first nonzero return and returns it.
 */
int
module_walk(struct module *m, const char *prefix, module_visit_fn fn,
    void *arg)
{
	char	path[512];
	int	i, rc;

	if (m->name[0] == '\0')
		snprintf(path, sizeof path, "%s", prefix);
	else if (prefix[0] == '\0')
		snprintf(path, sizeof path, "%s", m->name);
	else
		snprintf(path, sizeof path, "%s.%s", prefix, m->name);
	if ((rc = fn(m, path, arg)) != 0)
		return rc;
	for (i = 0; i < m->nchild; i++)
		if ((rc = module_walk(m->child[i], path, fn, arg)) != 0)
			return rc;
	return 0;
}

/*
 * Reads the integer member key of o into *v (def when absent), which must
 * lie in [lo, hi]; -1 with a message naming the key otherwise.
 */
int
module_json_int(json_t *o, const char *key, int def, int lo, int hi, int *v,
    char **cause)
{
	json_t	*m = json_object_get(o, key);
	double	 d;

	if (m == NULL) {
		*v = def;
		return 0;
	}
	d = json_is_number(m) ? json_number_value(m) : NAN;
	if (!(d >= lo && d <= hi) || d != floor(d))
		return error_set(cause, "%s: \"%s\" must be an integer in "
		    "%d..%d", json_string_value(json_object_get(o, "type")),
		    key, lo, hi);
	*v = (int)d;
	return 0;
}

/* Reads the finite number member key of o into *v (def when absent). */
int
module_json_number(json_t *o, const char *key, double def, double *v,
    char **cause)
{
	json_t	*m = json_object_get(o, key);

	if (m == NULL) {
		*v = def;
		return 0;
	}
	if (!json_is_number(m) || !isfinite(json_number_value(m)))
		return error_set(cause, "%s: \"%s\" must be a finite number",
		    json_string_value(json_object_get(o, "type")), key);
	*v = json_number_value(m);
	return 0;
}

/* Reads the boolean member key of o into *v (def when absent). */
int
module_json_bool(json_t *o, const char *key, int def, int *v, char **cause)
{
	json_t	*m = json_object_get(o, key);

	if (m == NULL) {
		*v = def;
		return 0;
	}
	if (!json_is_boolean(m))
		return error_set(cause, "%s: \"%s\" must be true or false",
		    json_string_value(json_object_get(o, "type")), key);
	*v = json_is_true(m);
	return 0;
}
