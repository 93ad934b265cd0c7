/*
 * pth.c: PyTorch's own checkpoints, the files torch.save(model.state_dict(),
 * path) writes in the zip format (PyTorch's default since 1.6). The zip,
 * read with libzip, holds PREFIX/data.pkl, a pickle of the state_dict, and
 * PREFIX/data/KEY, the raw little-endian elements of each storage; PREFIX
 * is the file's base name (torch 1.13) or "archive".
 *
 * The pickle is read by a restricted unpickler: a stack machine that knows
 * only the protocol-2 opcodes torch.save emits for a state_dict and the
 * globals it names (collections.OrderedDict, torch._utils._rebuild_tensor_v2
 * and _rebuild_parameter, the float32, float64, int64 and int32 storage
 * classes). It builds plain values (ints, strings, tuples, dicts, storages,
 * tensor views) and calls nothing, so a file can hold data but never code;
 * any other opcode or global is refused, naming it and its byte offset.
 * Values live in flat arrays freed at once, nothing recurses, every count,
 * size, offset, memo index and stack depth is checked, and every
 * allocation is bounded by the sizes of the file and its entries.
 */
#include <sys/mman.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zip.h>

#include "nn.h"

#define PTH_MAXPICKLE	(16u << 20)	/* bytes of data.pkl */
#define PTH_MAXVALUES	(1u << 22)	/* values, tuple items, dict pairs */
#define PTH_MAXSTACK	(1u << 20)	/* stack depth; marks apart */
#define PTH_MAXTENSORS	(1u << 20)	/* entries of the state_dict */
#define PTH_MAXKEY	64		/* bytes of a storage key */
#define PTH_MAXELEM	((int64_t)1 << 56) /* elements, offsets, strides */
#define PTH_BUDGET	4		/* output and reads: times the file */
#define PTH_NONE	UINT32_MAX	/* no value, empty memo slot */

/* The opcodes allowed (pickle protocol 2 as torch.save writes it). */
enum pth_op {
	PTH_MARK = '(', PTH_STOP = '.', PTH_BININT = 'J', PTH_BININT1 = 'K',
	PTH_BININT2 = 'M', PTH_NONEOP = 'N', PTH_BINPERSID = 'Q',
	PTH_REDUCE = 'R', PTH_BINUNICODE = 'X', PTH_BUILD = 'b',
	PTH_GLOBAL = 'c', PTH_BINGET = 'h', PTH_LONG_BINGET = 'j',
	PTH_BINPUT = 'q', PTH_LONG_BINPUT = 'r', PTH_SETITEM = 's',
	PTH_TUPLE = 't', PTH_SETITEMS = 'u', PTH_EMPTY_DICT = '}',
	PTH_EMPTY_TUPLE = ')', PTH_BINFLOAT = 'G', PTH_PROTO = 0x80,
	PTH_TUPLE1 = 0x85, PTH_TUPLE2 = 0x86, PTH_TUPLE3 = 0x87,
	PTH_NEWTRUE = 0x88, PTH_NEWFALSE = 0x89, PTH_LONG1 = 0x8a,
	PTH_SHORT_BINUNICODE = 0x8c
};

/* The names of the opcodes refused, for messages. */
static const char *const pth_opnames[256] = {
	['0'] = "POP", ['1'] = "POP_MARK", ['2'] = "DUP", ['F'] = "FLOAT",
	['I'] = "INT", ['L'] = "LONG", ['P'] = "PERSID", ['S'] = "STRING",
	['T'] = "BINSTRING", ['U'] = "SHORT_BINSTRING", ['V'] = "UNICODE",
	['a'] = "APPEND", ['d'] = "DICT", ['e'] = "APPENDS", ['g'] = "GET",
	['i'] = "INST", ['l'] = "LIST", ['o'] = "OBJ", ['p'] = "PUT",
	[']'] = "EMPTY_LIST", [0x81] = "NEWOBJ", [0x82] = "EXT1",
	[0x83] = "EXT2", [0x84] = "EXT4", [0x8b] = "LONG4",
	[0x8d] = "BINUNICODE8", [0x8e] = "BINBYTES8", [0x8f] = "EMPTY_SET",
	[0x90] = "ADDITEMS", [0x91] = "FROZENSET", [0x92] = "NEWOBJ_EX",
	[0x93] = "STACK_GLOBAL", [0x94] = "MEMOIZE", [0x95] = "FRAME",
	[0x96] = "BYTEARRAY8", [0x97] = "NEXT_BUFFER",
	[0x98] = "READONLY_BUFFER", ['B'] = "BINBYTES", ['C'] = "SHORT_BINBYTES"
};

/* The globals allowed; the storage classes last. */
enum pth_global {
	PTH_ORDEREDDICT,
	PTH_REBUILD_TENSOR,
	PTH_REBUILD_PARAMETER,
	PTH_FLOAT,
	PTH_DOUBLE,
	PTH_LONG,
	PTH_INT
};
static const struct pth_class {
	const char	*module;
	const char	*name;
	size_t		 size;		/* storages: bytes of an element */
	enum st_dtype	 dtype;		/* storages: what a tensor becomes */
} pth_classes[] = {
	[PTH_ORDEREDDICT] = { "collections", "OrderedDict", 0, ST_F32 },
	[PTH_REBUILD_TENSOR] = { "torch._utils", "_rebuild_tensor_v2", 0,
	    ST_F32 },
	[PTH_REBUILD_PARAMETER] = { "torch._utils", "_rebuild_parameter", 0,
	    ST_F32 },
	[PTH_FLOAT] = { "torch", "FloatStorage", 4, ST_F32 },
	[PTH_DOUBLE] = { "torch", "DoubleStorage", 8, ST_F32 },
	[PTH_LONG] = { "torch", "LongStorage", 8, ST_I64 },
	[PTH_INT] = { "torch", "IntStorage", 4, ST_I64 }
};
#define PTH_NCLASSES ((int)(sizeof pth_classes / sizeof pth_classes[0]))

/* The kinds of value, named for messages. */
enum pth_kind {
	PTH_V_NONE, PTH_V_BOOL, PTH_V_INT, PTH_V_FLOAT, PTH_V_STR, PTH_V_TUPLE,
	PTH_V_DICT, PTH_V_GLOBAL, PTH_V_STORAGE, PTH_V_TENSOR
};
static const char *const pth_kinds[] = {
	"None", "bool", "int", "float", "str", "tuple", "dict", "global",
	"storage", "tensor"
};

/*
 * A value. STR: bytes [a, a + n) of the pickle; TUPLE: items [a, a + n);
 * DICT: n pairs linked from pair a to pair b; GLOBAL: class cls; STORAGE:
 * class cls, key a (a STR), num elements; TENSOR: the arguments a (a
 * TUPLE) of _rebuild_tensor_v2; BOOL, INT: num.
 */
struct pth_value {
	uint8_t		kind;
	uint8_t		cls;
	uint32_t	a;
	uint32_t	b;
	uint32_t	n;
	int64_t		num;
};

/* A key and value of a dict, and the next pair of the same dict. */
struct pth_pair {
	uint32_t	key;
	uint32_t	value;
	uint32_t	next;
};

/* A growable array of elements of one size. */
struct pth_array {
	void		*p;
	uint32_t	 n;
	uint32_t	 cap;
};

/* The unpickler: the pickle, its position and its values. */
struct pth_pickle {
	const unsigned char	*buf;
	size_t			 len;
	size_t			 pos;		/* next byte */
	size_t			 at;		/* the opcode running */
	const char		*name;		/* for messages */
	char			**cause;
	struct pth_array	 values;	/* struct pth_value */
	struct pth_array	 items;		/* uint32_t */
	struct pth_array	 pairs;		/* struct pth_pair */
	struct pth_array	 stack;		/* uint32_t */
	struct pth_array	 marks;		/* uint32_t: stack depths */
	struct pth_array	 memo;		/* uint32_t; PTH_NONE: empty */
};
#define PTH_V(p, i) (&((struct pth_value *)(p)->values.p)[i])
#define PTH_ITEM(p, i) (((uint32_t *)(p)->items.p)[i])

/* A view of a storage: what _rebuild_tensor_v2's arguments say. */
struct pth_view {
	uint32_t	storage;
	int		ndim;
	int64_t		offset;
	int64_t		shape[ST_MAXDIM];
	int64_t		stride[ST_MAXDIM];
	uint64_t	numel;
};

/* Sets a message naming the pickle and the opcode's offset; returns -1. */
static int SNNWB_PRINTF(2, 3)
pth_fail(struct pth_pickle *p, const char *fmt, ...)
{
	va_list	ap;
	char	msg[256];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	error_set(p->cause, "%s, byte %zu: %s", p->name, p->at, msg);
	return -1;
}

/*
 * Makes room for need elements of size bytes in a (at most PTH_MAXVALUES,
 * or max when smaller), doubling its capacity.
 */
static int
pth_reserve(struct pth_pickle *p, struct pth_array *a, size_t need,
    size_t size, uint32_t max, const char *what)
{
	size_t	 cap;
	void	*np;

	if (need <= a->cap)
		return 0;
	if (need > max)
		return pth_fail(p, "more than %" PRIu32 " %s", max, what);
	cap = a->cap < 64 ? 64 : (size_t)a->cap * 2;
	while (cap < need)
		cap *= 2;
	if (cap > max)
		cap = max;
	if ((np = mem_realloc(a->p, cap * size)) == NULL)
		return pth_fail(p, "out of memory");
	a->p = np;
	a->cap = (uint32_t)cap;
	return 0;
}

/* Appends a value of kind to the values; its index goes to *idx. */
static int
pth_new(struct pth_pickle *p, enum pth_kind kind, uint32_t *idx)
{
	struct pth_value	*v;

	if (pth_reserve(p, &p->values, (size_t)p->values.n + 1, sizeof *v,
	    PTH_MAXVALUES, "values") != 0)
		return -1;
	*idx = p->values.n++;
	v = PTH_V(p, *idx);
	memset(v, 0, sizeof *v);
	v->kind = kind;
	return 0;
}

/* Pushes value idx on the stack. */
static int
pth_push(struct pth_pickle *p, uint32_t idx)
{
	if (pth_reserve(p, &p->stack, (size_t)p->stack.n + 1,
	    sizeof idx, PTH_MAXSTACK, "values on the stack") != 0)
		return -1;
	((uint32_t *)p->stack.p)[p->stack.n++] = idx;
	return 0;
}

/* Makes a value of kind with num and pushes it. */
static int
pth_push_new(struct pth_pickle *p, enum pth_kind kind, int64_t num)
{
	uint32_t	idx;

	if (pth_new(p, kind, &idx) != 0)
		return -1;
	PTH_V(p, idx)->num = num;
	return pth_push(p, idx);
}

/* The stack depth below which nothing may be popped: the last mark. */
static uint32_t
pth_fence(const struct pth_pickle *p)
{
	return p->marks.n == 0 ? 0 : ((uint32_t *)p->marks.p)[p->marks.n - 1];
}

/* Pops the top value into *idx; the last mark is a floor. */
static int
pth_pop(struct pth_pickle *p, uint32_t *idx)
{
	if (p->stack.n <= pth_fence(p))
		return pth_fail(p, "stack underflow");
	*idx = ((uint32_t *)p->stack.p)[--p->stack.n];
	return 0;
}

/* Returns in *idx the top value, which stays; the last mark is a floor. */
static int
pth_top(struct pth_pickle *p, uint32_t *idx)
{
	if (p->stack.n <= pth_fence(p))
		return pth_fail(p, "stack underflow");
	*idx = ((uint32_t *)p->stack.p)[p->stack.n - 1];
	return 0;
}

/* Pops the last mark; its stack depth goes to *depth. */
static int
pth_pop_mark(struct pth_pickle *p, uint32_t *depth)
{
	if (p->marks.n == 0)
		return pth_fail(p, "no MARK before it");
	*depth = ((uint32_t *)p->marks.p)[--p->marks.n];
	return 0;
}

/* Points *out at the next n bytes of the pickle and moves past them. */
static int
pth_bytes(struct pth_pickle *p, size_t n, const unsigned char **out)
{
	if (p->len - p->pos < n)
		return pth_fail(p, "truncated: the opcode needs %zu bytes, %zu "
		    "are left", n, p->len - p->pos);
	*out = p->buf + p->pos;
	p->pos += n;
	return 0;
}

/* Reads an n-byte little-endian unsigned argument into *v. */
static int
pth_uint(struct pth_pickle *p, size_t n, uint64_t *v)
{
	const unsigned char	*b = NULL;
	size_t			 i;

	if (pth_bytes(p, n, &b) != 0)
		return -1;
	*v = 0;
	for (i = n; i > 0; i--)
		*v = *v << 8 | b[i - 1];
	return 0;
}

/* Makes a tuple of the n values on top of the stack and pushes it. */
static int
pth_tuple(struct pth_pickle *p, uint32_t n)
{
	uint32_t	idx, base = p->stack.n - n;

	if (pth_reserve(p, &p->items, (size_t)p->items.n + n,
	    sizeof(uint32_t), PTH_MAXVALUES, "tuple items") != 0 ||
	    pth_new(p, PTH_V_TUPLE, &idx) != 0)
		return -1;
	if (n > 0)
		memcpy(&PTH_ITEM(p, p->items.n), (uint32_t *)p->stack.p + base,
		    n * sizeof(uint32_t));
	PTH_V(p, idx)->a = p->items.n;
	PTH_V(p, idx)->n = n;
	p->items.n += n;
	p->stack.n = base;
	return pth_push(p, idx);
}

/* TUPLE1, TUPLE2, TUPLE3: a tuple of the n values above the last mark. */
static int
pth_tuple_n(struct pth_pickle *p, uint32_t n)
{
	if (p->stack.n - pth_fence(p) < n)
		return pth_fail(p, "stack underflow");
	return pth_tuple(p, n);
}

/* Adds key: value to the dict d. */
static int
pth_setitem(struct pth_pickle *p, uint32_t d, uint32_t key, uint32_t value)
{
	struct pth_value	*v = PTH_V(p, d);
	struct pth_pair		*pair;
	uint32_t		 i;

	if (v->kind != PTH_V_DICT)
		return pth_fail(p, "SETITEM on a value of type %s, not a dict",
		    pth_kinds[v->kind]);
	if (pth_reserve(p, &p->pairs, (size_t)p->pairs.n + 1, sizeof *pair,
	    PTH_MAXVALUES, "dict items") != 0)
		return -1;
	v = PTH_V(p, d);
	i = p->pairs.n++;
	pair = &((struct pth_pair *)p->pairs.p)[i];
	pair->key = key;
	pair->value = value;
	pair->next = PTH_NONE;
	if (v->n++ == 0)
		v->a = i;
	else
		((struct pth_pair *)p->pairs.p)[v->b].next = i;
	v->b = i;
	return 0;
}

/* SETITEMS: adds the key, value pairs above the last mark to the dict below. */
static int
pth_setitems(struct pth_pickle *p)
{
	uint32_t	depth = 0, i, *s;

	if (pth_pop_mark(p, &depth) != 0)
		return -1;
	if ((p->stack.n - depth) % 2 != 0)
		return pth_fail(p, "SETITEMS with an odd number of values");
	if (depth == 0 || depth - 1 < pth_fence(p))
		return pth_fail(p, "stack underflow");
	for (i = depth; i < p->stack.n; i += 2) {
		s = p->stack.p;
		if (pth_setitem(p, s[depth - 1], s[i], s[i + 1]) != 0)
			return -1;
	}
	p->stack.n = depth;
	return 0;
}

/* GLOBAL: the module and name lines, which must be an allowed class. */
static int
pth_global(struct pth_pickle *p)
{
	const unsigned char	*mod, *name, *end;
	size_t			 mlen, nlen, i;
	uint32_t		 idx;
	int			 c;

	end = memchr(p->buf + p->pos, '\n', p->len - p->pos);
	if (end == NULL)
		return pth_fail(p, "truncated GLOBAL");
	mod = p->buf + p->pos;
	mlen = (size_t)(end - mod);
	p->pos += mlen + 1;
	if ((end = memchr(p->buf + p->pos, '\n', p->len - p->pos)) == NULL)
		return pth_fail(p, "truncated GLOBAL");
	name = p->buf + p->pos;
	nlen = (size_t)(end - name);
	p->pos += nlen + 1;
	for (i = 0; i < mlen + nlen; i++) {
		c = i < mlen ? mod[i] : name[i - mlen];
		if (!(c == '_' || c == '.' || (c >= '0' && c <= '9') ||
		    (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
			return pth_fail(p, "GLOBAL with a malformed name");
	}
	if (mlen == 0 || nlen == 0 || mlen > 64 || nlen > 64)
		return pth_fail(p, "GLOBAL with a malformed name");
	for (c = 0; c < PTH_NCLASSES; c++) {
		if (strlen(pth_classes[c].module) != mlen ||
		    memcmp(pth_classes[c].module, mod, mlen) != 0 ||
		    strlen(pth_classes[c].name) != nlen ||
		    memcmp(pth_classes[c].name, name, nlen) != 0)
			continue;
		if (pth_new(p, PTH_V_GLOBAL, &idx) != 0)
			return -1;
		PTH_V(p, idx)->cls = (uint8_t)c;
		return pth_push(p, idx);
	}
	return pth_fail(p, "global %.*s.%.*s is not allowed (a state_dict "
	    "needs only collections.OrderedDict, torch._utils."
	    "_rebuild_tensor_v2 and _rebuild_parameter, and torch's Float, "
	    "Double, Long and Int storages)", (int)mlen, mod, (int)nlen, name);
}

/* Pushes a str of the next n bytes. */
static int
pth_str(struct pth_pickle *p, uint64_t n)
{
	const unsigned char	*b = NULL;
	uint32_t		 idx;

	if (pth_bytes(p, n, &b) != 0 || pth_new(p, PTH_V_STR, &idx) != 0)
		return -1;
	PTH_V(p, idx)->a = (uint32_t)(b - p->buf);
	PTH_V(p, idx)->n = (uint32_t)n;
	return pth_push(p, idx);
}

/* Returns nonzero when value v is the str s. */
static int
pth_is_str(struct pth_pickle *p, uint32_t v, const char *s)
{
	const struct pth_value	*x = PTH_V(p, v);

	return x->kind == PTH_V_STR && x->n == strlen(s) &&
	    memcmp(p->buf + x->a, s, x->n) == 0;
}

/* Reads int value v into *out; it must lie in [0, PTH_MAXELEM]. */
static int
pth_count(struct pth_pickle *p, uint32_t v, const char *what, int64_t *out)
{
	const struct pth_value	*x = PTH_V(p, v);

	if (x->kind != PTH_V_INT)
		return pth_fail(p, "%s has type %s, not int", what,
		    pth_kinds[x->kind]);
	if (x->num < 0 || x->num > PTH_MAXELEM)
		return pth_fail(p, "%s %" PRId64 " is out of range", what,
		    x->num);
	*out = x->num;
	return 0;
}

/*
 * BINPERSID: a persistent id ('storage', class, key, location, numel)
 * becomes a storage value.
 */
static int
pth_persid(struct pth_pickle *p)
{
	const struct pth_value	*t, *cls, *key;
	uint32_t		 pid = 0, idx, *it, i;
	int64_t			 numel = 0;
	int			 c;

	if (pth_pop(p, &pid) != 0)
		return -1;
	t = PTH_V(p, pid);
	if (t->kind != PTH_V_TUPLE || t->n != 5)
		return pth_fail(p, "a persistent id must be a tuple of 5");
	it = &PTH_ITEM(p, t->a);
	cls = PTH_V(p, it[1]);
	key = PTH_V(p, it[2]);
	if (!pth_is_str(p, it[0], "storage"))
		return pth_fail(p, "a persistent id must start with 'storage'");
	if (cls->kind != PTH_V_GLOBAL || cls->cls < PTH_FLOAT)
		return pth_fail(p, "a persistent id needs a storage class");
	if (key->kind != PTH_V_STR || key->n == 0 || key->n > PTH_MAXKEY)
		return pth_fail(p, "a storage key must be a str of 1 to %d "
		    "bytes", PTH_MAXKEY);
	for (i = 0; i < key->n; i++) {
		c = p->buf[key->a + i];
		if (!(c == '_' || c == '.' || c == '-' || (c >= '0' &&
		    c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' &&
		    c <= 'z')))
			return pth_fail(p, "storage key with a byte 0x%02x",
			    c);
	}
	if (PTH_V(p, it[3])->kind != PTH_V_STR)
		return pth_fail(p, "a storage location must be a str");
	if (pth_count(p, it[4], "storage size", &numel) != 0 ||
	    pth_new(p, PTH_V_STORAGE, &idx) != 0)
		return -1;
	t = PTH_V(p, pid);
	it = &PTH_ITEM(p, t->a);
	PTH_V(p, idx)->cls = PTH_V(p, it[1])->cls;
	PTH_V(p, idx)->a = it[2];
	PTH_V(p, idx)->num = numel;
	return pth_push(p, idx);
}

/* Reads the int tuple v (ndim items at most ST_MAXDIM) into out. */
static int
pth_dims(struct pth_pickle *p, uint32_t v, const char *what, int *ndim,
    int64_t *out)
{
	const struct pth_value	*t = PTH_V(p, v);
	uint32_t		 i;

	if (t->kind != PTH_V_TUPLE)
		return pth_fail(p, "a tensor's %s has type %s, not tuple", what,
		    pth_kinds[t->kind]);
	if (t->n > ST_MAXDIM)
		return pth_fail(p, "a tensor's %s has %" PRIu32 " dimensions, "
		    "more than %d", what, t->n, ST_MAXDIM);
	for (i = 0; i < t->n; i++)
		if (pth_count(p, PTH_ITEM(p, t->a + i), what, &out[i]) != 0)
			return -1;
	*ndim = (int)t->n;
	return 0;
}

/*
 * Reads and checks the view that the _rebuild_tensor_v2 arguments args
 * describe: (storage, offset, size, stride, requires_grad, hooks[,
 * metadata]); every element it reaches must lie inside the storage.
 */
static int
pth_view(struct pth_pickle *p, uint32_t args, struct pth_view *w)
{
	const struct pth_value	*a = PTH_V(p, args), *st;
	uint64_t		 last, span;
	int			 n, i;

	if (a->kind != PTH_V_TUPLE || (a->n != 6 && a->n != 7))
		return pth_fail(p, "_rebuild_tensor_v2 takes 6 or 7 arguments");
	w->storage = PTH_ITEM(p, a->a);
	st = PTH_V(p, w->storage);
	if (st->kind != PTH_V_STORAGE)
		return pth_fail(p, "a tensor's storage has type %s",
		    pth_kinds[st->kind]);
	if (pth_count(p, PTH_ITEM(p, a->a + 1), "storage offset",
	    &w->offset) != 0 ||
	    pth_dims(p, PTH_ITEM(p, a->a + 2), "size", &w->ndim,
	    w->shape) != 0 ||
	    pth_dims(p, PTH_ITEM(p, a->a + 3), "stride", &n, w->stride) != 0)
		return -1;
	if (n != w->ndim)
		return pth_fail(p, "a tensor with %d sizes and %d strides",
		    w->ndim, n);
	w->numel = 1;
	for (i = 0; i < w->ndim; i++) {
		if (w->shape[i] != 0 &&
		    w->numel > (uint64_t)PTH_MAXELEM / (uint64_t)w->shape[i])
			return pth_fail(p, "a tensor of more than %" PRId64
			    " elements", PTH_MAXELEM);
		w->numel *= (uint64_t)w->shape[i];
	}
	if (w->numel == 0)
		return 0;
	last = (uint64_t)w->offset;
	for (i = 0; i < w->ndim && last < (uint64_t)st->num; i++) {
		span = (uint64_t)(w->shape[i] - 1);
		if (w->stride[i] != 0 && span > ((uint64_t)st->num - last) /
		    (uint64_t)w->stride[i])
			last = (uint64_t)st->num;
		else
			last += span * (uint64_t)w->stride[i];
	}
	if (last >= (uint64_t)st->num)
		return pth_fail(p, "a tensor view (offset %" PRId64 ") reaches "
		    "beyond its storage '%.*s' of %" PRId64 " elements",
		    w->offset, (int)PTH_V(p, st->a)->n, p->buf +
		    PTH_V(p, st->a)->a, st->num);
	return 0;
}

/* REDUCE: the only calls are to the allowed functions, never run. */
static int
pth_reduce(struct pth_pickle *p)
{
	const struct pth_value	*f, *a;
	struct pth_view		 w;
	uint32_t		 fn = 0, args = 0, idx;

	if (pth_pop(p, &args) != 0 || pth_pop(p, &fn) != 0)
		return -1;
	f = PTH_V(p, fn);
	a = PTH_V(p, args);
	if (f->kind != PTH_V_GLOBAL)
		return pth_fail(p, "REDUCE calls a value of type %s",
		    pth_kinds[f->kind]);
	if (a->kind != PTH_V_TUPLE)
		return pth_fail(p, "REDUCE with arguments of type %s",
		    pth_kinds[a->kind]);
	switch (f->cls) {
	case PTH_ORDEREDDICT:
		if (a->n != 0)
			return pth_fail(p, "OrderedDict with arguments");
		return pth_push_new(p, PTH_V_DICT, 0);
	case PTH_REBUILD_TENSOR:
		if (pth_view(p, args, &w) != 0 ||
		    pth_new(p, PTH_V_TENSOR, &idx) != 0)
			return -1;
		PTH_V(p, idx)->a = args;
		return pth_push(p, idx);
	case PTH_REBUILD_PARAMETER:
		if (a->n != 3 || PTH_V(p, PTH_ITEM(p, a->a))->kind !=
		    PTH_V_TENSOR)
			return pth_fail(p, "_rebuild_parameter takes a tensor "
			    "and 2 more arguments");
		return pth_push(p, PTH_ITEM(p, a->a));
	default:
		return pth_fail(p, "%s.%s cannot be called",
		    pth_classes[f->cls].module, pth_classes[f->cls].name);
	}
}

/* BINPUT, LONG_BINPUT: stores the top value in memo slot i. */
static int
pth_put(struct pth_pickle *p, uint64_t i)
{
	uint32_t	top = 0, n;

	if (pth_top(p, &top) != 0)
		return -1;
	if (i >= p->len || i >= PTH_MAXVALUES)
		return pth_fail(p, "memo index %" PRIu64 " is too large", i);
	if (pth_reserve(p, &p->memo, i + 1, sizeof(uint32_t),
	    PTH_MAXVALUES, "memo slots") != 0)
		return -1;
	for (n = p->memo.n; n <= i; n++)
		((uint32_t *)p->memo.p)[n] = PTH_NONE;
	if (p->memo.n <= i)
		p->memo.n = (uint32_t)i + 1;
	((uint32_t *)p->memo.p)[i] = top;
	return 0;
}

/* BINGET, LONG_BINGET: pushes the value in memo slot i. */
static int
pth_get(struct pth_pickle *p, uint64_t i)
{
	if (i >= p->memo.n || ((uint32_t *)p->memo.p)[i] == PTH_NONE)
		return pth_fail(p, "memo slot %" PRIu64 " is empty", i);
	return pth_push(p, ((uint32_t *)p->memo.p)[i]);
}

/* Pushes the int of an n-byte little-endian two's complement number. */
static int
pth_long(struct pth_pickle *p, uint64_t n)
{
	uint64_t	u;

	if (n > 8)
		return pth_fail(p, "LONG1 of %" PRIu64 " bytes", n);
	if (pth_uint(p, (size_t)n, &u) != 0)
		return -1;
	if (n > 0 && n < 8 && (u >> (8 * n - 1)) != 0)
		u |= ~(uint64_t)0 << (8 * n);
	return pth_push_new(p, PTH_V_INT, (int64_t)u);
}

/* Runs one opcode op with its arguments. */
static int
pth_step(struct pth_pickle *p, int op)
{
	const unsigned char	*b;
	uint32_t		 a = 0, b2 = 0, d = 0;
	uint64_t		 u;

	switch (op) {
	case PTH_PROTO:
		return pth_bytes(p, 1, &b);
	case PTH_GLOBAL:
		return pth_global(p);
	case PTH_BINPUT:
	case PTH_LONG_BINPUT:
		return pth_uint(p, op == PTH_BINPUT ? 1 : 4, &u) != 0 ? -1 :
		    pth_put(p, u);
	case PTH_BINGET:
	case PTH_LONG_BINGET:
		return pth_uint(p, op == PTH_BINGET ? 1 : 4, &u) != 0 ? -1 :
		    pth_get(p, u);
	case PTH_MARK:
		if (pth_reserve(p, &p->marks, (size_t)p->marks.n + 1,
		    sizeof(uint32_t), PTH_MAXSTACK, "marks") != 0)
			return -1;
		((uint32_t *)p->marks.p)[p->marks.n++] = p->stack.n;
		return 0;
	case PTH_EMPTY_TUPLE:
		return pth_tuple(p, 0);
	case PTH_TUPLE:
		return pth_pop_mark(p, &d) != 0 ? -1 :
		    pth_tuple(p, p->stack.n - d);
	case PTH_TUPLE1:
	case PTH_TUPLE2:
	case PTH_TUPLE3:
		return pth_tuple_n(p, (uint32_t)(op - PTH_TUPLE1 + 1));
	case PTH_EMPTY_DICT:
		return pth_push_new(p, PTH_V_DICT, 0);
	case PTH_BININT:
		return pth_uint(p, 4, &u) != 0 ? -1 :
		    pth_push_new(p, PTH_V_INT, (int32_t)(uint32_t)u);
	case PTH_BININT1:
	case PTH_BININT2:
		return pth_uint(p, op == PTH_BININT1 ? 1 : 2, &u) != 0 ? -1 :
		    pth_push_new(p, PTH_V_INT, (int64_t)u);
	case PTH_LONG1:
		return pth_uint(p, 1, &u) != 0 ? -1 : pth_long(p, u);
	case PTH_BINUNICODE:
	case PTH_SHORT_BINUNICODE:
		return pth_uint(p, op == PTH_BINUNICODE ? 4 : 1, &u) != 0 ?
		    -1 : pth_str(p, u);
	case PTH_BINFLOAT:
		return pth_bytes(p, 8, &b) != 0 ? -1 :
		    pth_push_new(p, PTH_V_FLOAT, 0);
	case PTH_NEWTRUE:
	case PTH_NEWFALSE:
		return pth_push_new(p, PTH_V_BOOL, op == PTH_NEWTRUE);
	case PTH_NONEOP:
		return pth_push_new(p, PTH_V_NONE, 0);
	case PTH_REDUCE:
		return pth_reduce(p);
	case PTH_BINPERSID:
		return pth_persid(p);
	case PTH_SETITEM:
		if (pth_pop(p, &b2) != 0 || pth_pop(p, &a) != 0 ||
		    pth_top(p, &d) != 0)
			return -1;
		return pth_setitem(p, d, a, b2);
	case PTH_SETITEMS:
		return pth_setitems(p);
	case PTH_BUILD:
		if (pth_pop(p, &a) != 0 || pth_top(p, &d) != 0)
			return -1;
		if (PTH_V(p, d)->kind != PTH_V_DICT)
			return pth_fail(p, "BUILD on a value of type %s "
			    "(only a dict's _metadata, which is ignored)",
			    pth_kinds[PTH_V(p, d)->kind]);
		return 0;
	}
	if (pth_opnames[op] != NULL)
		return pth_fail(p, "opcode %s (0x%02x) is not allowed in a "
		    "state_dict", pth_opnames[op], op);
	return pth_fail(p, "unknown opcode 0x%02x", op);
}

/* Decodes element i of storage bytes s of class c into t's element j. */
static void
pth_convert(const unsigned char *s, int c, uint64_t i, struct st_tensor *t,
    uint64_t j)
{
	const unsigned char	*b = s + i * pth_classes[c].size;
	uint64_t		 u = 0;
	uint32_t		 w;
	double			 d;
	float			 x;
	size_t			 k;

	for (k = pth_classes[c].size; k > 0; k--)
		u = u << 8 | b[k - 1];
	w = (uint32_t)u;
	switch (c) {
	case PTH_FLOAT:
		memcpy(&x, &w, sizeof x);
		t->data[j] = x;
		break;
	case PTH_DOUBLE:
		memcpy(&d, &u, sizeof d);
		t->data[j] = (float)d;
		break;
	case PTH_LONG:
		t->i64[j] = (int64_t)u;
		break;
	default:
		t->i64[j] = (int32_t)w;
		break;
	}
}

/* Copies the elements of view w of storage bytes s (class c) into t. */
static void
pth_gather(const unsigned char *s, int c, const struct pth_view *w,
    struct st_tensor *t)
{
	int64_t		idx[ST_MAXDIM] = { 0 };
	uint64_t	pos = (uint64_t)w->offset, j;
	int		k;

	for (j = 0; j < w->numel; j++) {
		pth_convert(s, c, pos, t, j);
		for (k = w->ndim - 1; k >= 0; k--) {
			if (++idx[k] < w->shape[k]) {
				pos += (uint64_t)w->stride[k];
				break;
			}
			pos -= (uint64_t)(w->shape[k] - 1) *
			    (uint64_t)w->stride[k];
			idx[k] = 0;
		}
	}
}

/* Orders two tensor names through pointers, for qsort. */
static int
pth_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Fails when two tensors of f have one name. */
static int
pth_unique(struct pth_pickle *p, const struct st_file *f)
{
	char	**names;
	int	  i, rc = 0;

	if ((names = mem_calloc((size_t)f->n, sizeof *names)) == NULL)
		return pth_fail(p, "out of memory");
	for (i = 0; i < f->n; i++)
		names[i] = f->t[i].name;
	qsort(names, (size_t)f->n, sizeof *names, pth_cmp);
	for (i = 1; i < f->n && rc == 0; i++)
		if (strcmp(names[i - 1], names[i]) == 0)
			rc = pth_fail(p, "the state_dict has \"%s\" twice",
			    names[i]);
	mem_free(names);
	return rc;
}

/* What the storages of a state_dict come from, and what they may cost. */
struct pth_source {
	pth_storage_fn	*fn;
	void		*arg;
	uint64_t	 budget;	/* bytes left to read and fill */
	uint32_t	 key;		/* the storage held in data */
	unsigned char	*data;
};

/* Fetches the storage of view w into src->data unless it holds it. */
static int
pth_fetch(struct pth_pickle *p, struct pth_source *src,
    const struct pth_view *w)
{
	const struct pth_value	*st = PTH_V(p, w->storage);
	const struct pth_value	*key = PTH_V(p, st->a), *old;
	char			 name[PTH_MAXKEY + 1];
	uint64_t		 len;

	old = src->data != NULL ? PTH_V(p, src->key) : NULL;
	if (old != NULL && old->cls == st->cls && old->num == st->num &&
	    PTH_V(p, old->a)->n == key->n && memcmp(p->buf + PTH_V(p,
	    old->a)->a, p->buf + key->a, key->n) == 0)
		return 0;
	mem_free(src->data);
	src->data = NULL;
	len = (uint64_t)st->num * pth_classes[st->cls].size;
	if (len > src->budget)
		return pth_fail(p, "storage '%.*s' needs %" PRIu64 " bytes, "
		    "more than the file can hold", (int)key->n, p->buf +
		    key->a, len);
	src->budget -= len;
	memcpy(name, p->buf + key->a, key->n);
	name[key->n] = '\0';
	if (src->fn(src->arg, name, (size_t)len, &src->data, p->cause) != 0)
		return -1;
	src->key = w->storage;
	return 0;
}

/* Fills tensor t of f from pair pr of the state_dict. */
static int
pth_tensor(struct pth_pickle *p, struct pth_source *src,
    const struct pth_pair *pr, struct st_tensor *t)
{
	const struct pth_value	*k = PTH_V(p, pr->key), *v;
	struct pth_view		 w;
	uint64_t		 bytes;
	int			 c, i;

	if (k->kind != PTH_V_STR || memchr(p->buf + k->a, '\0', k->n) != NULL)
		return pth_fail(p, "a state_dict key has type %s",
		    k->kind == PTH_V_STR ? "str (with a NUL byte)" :
		    pth_kinds[k->kind]);
	if ((t->name = mem_alloc((size_t)k->n + 1)) == NULL)
		return pth_fail(p, "out of memory");
	memcpy(t->name, p->buf + k->a, k->n);
	t->name[k->n] = '\0';
	v = PTH_V(p, pr->value);
	if (v->kind != PTH_V_TENSOR)
		return pth_fail(p, "\"%s\" has type %s, not tensor", t->name,
		    pth_kinds[v->kind]);
	if (pth_view(p, v->a, &w) != 0)
		return -1;
	c = PTH_V(p, w.storage)->cls;
	t->ndim = w.ndim;
	for (i = 0; i < w.ndim; i++)
		t->shape[i] = w.shape[i];
	t->dtype = pth_classes[c].dtype;
	bytes = w.numel * (t->dtype == ST_F32 ? 4 : 8);
	if (bytes > src->budget)
		return pth_fail(p, "\"%s\" needs %" PRIu64 " bytes, more than "
		    "the file can hold", t->name, bytes);
	src->budget -= bytes;
	if (t->dtype == ST_F32)
		t->data = mem_alloc((size_t)bytes);
	else
		t->i64 = mem_alloc((size_t)bytes);
	if (t->data == NULL && t->i64 == NULL)
		return pth_fail(p, "out of memory");
	if (w.numel == 0)
		return 0;
	if (pth_fetch(p, src, &w) != 0)
		return -1;
	pth_gather(src->data, c, &w, t);
	return 0;
}

/* Turns the unpickled dict d into the tensors of f. */
static int
pth_collect(struct pth_pickle *p, uint32_t d, struct pth_source *src,
    struct st_file *f)
{
	const struct pth_value	*v = PTH_V(p, d);
	const struct pth_pair	*pairs = p->pairs.p;
	uint32_t		 i;
	int			 rc = 0;

	p->at = p->len;
	if (v->kind != PTH_V_DICT)
		return pth_fail(p, "the pickle holds a value of type %s, not "
		    "a state_dict", pth_kinds[v->kind]);
	if (v->n > PTH_MAXTENSORS)
		return pth_fail(p, "more than %u tensors", PTH_MAXTENSORS);
	if ((f->t = mem_calloc(v->n, sizeof *f->t)) == NULL)
		return pth_fail(p, "out of memory");
	for (i = v->a; f->n < (int)v->n && rc == 0; i = pairs[i].next) {
		f->n++;
		rc = pth_tensor(p, src, &pairs[i], &f->t[f->n - 1]);
	}
	mem_free(src->data);
	return rc != 0 ? -1 : pth_unique(p, f);
}

/*
 * Reads the state_dict pickled in pkl (len bytes; name labels messages)
 * into f, which owns everything (free with safetensors_free, also after a
 * failure): tensors in the dict's order, F32 from float32 and float64
 * storages, I64 from int64 and int32 ones. fn gives each storage's bytes;
 * budget bounds what storages and tensors may take in all, in bytes.
 */
int
pth_unpickle(const void *pkl, size_t len, const char *name,
    pth_storage_fn *fn, void *arg, uint64_t budget, struct st_file *f,
    char **cause)
{
	struct pth_pickle	p;
	struct pth_source	src;
	uint32_t		result = 0;
	int			rc = -1, op;

	memset(f, 0, sizeof *f);
	memset(&p, 0, sizeof p);
	memset(&src, 0, sizeof src);
	p.buf = pkl;
	p.len = len;
	p.name = name;
	p.cause = cause;
	src.fn = fn;
	src.arg = arg;
	src.budget = budget;
	if (len > PTH_MAXPICKLE)
		return error_set(cause, "%s: larger than %u bytes", name,
		    PTH_MAXPICKLE);
	for (;;) {
		if ((p.at = p.pos) == len) {
			pth_fail(&p, "truncated: no STOP");
			break;
		}
		if ((op = p.buf[p.pos++]) == PTH_STOP) {
			if (pth_pop(&p, &result) == 0)
				rc = pth_collect(&p, result, &src, f);
			break;
		}
		if (pth_step(&p, op) != 0)
			break;
	}
	mem_free(p.values.p);
	mem_free(p.items.p);
	mem_free(p.pairs.p);
	mem_free(p.stack.p);
	mem_free(p.marks.p);
	mem_free(p.memo.p);
	if (rc != 0)
		safetensors_free(f);
	return rc;
}

/* An open .pth: the archive, its size, and where its entries live. */
struct pth_zip {
	zip_t		*za;
	size_t		 size;		/* bytes of the whole file */
	const char	*path;
	char		*prefix;	/* "archive/" */
};

/*
 * Reads entry idx of z into a new buffer (*out, *len bytes): exactly want
 * bytes, or any size up to max when want is SIZE_MAX. Only entries stored
 * as they are (as torch.save writes them) are read, and a size is checked
 * against the file before anything is allocated.
 */
static int
pth_zip_read(struct pth_zip *z, zip_uint64_t idx, size_t want, size_t max,
    unsigned char **out, size_t *len, char **cause)
{
	zip_stat_t	 sb;
	zip_file_t	*zf;
	zip_int64_t	 n = 0;
	unsigned char	*buf, extra;
	size_t		 got;

	*out = NULL;
	zip_stat_init(&sb);
	if (zip_stat_index(z->za, idx, 0, &sb) != 0)
		return error_set(cause, "%s: %s", z->path, zip_strerror(z->za));
	if ((sb.valid & (ZIP_STAT_NAME | ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE |
	    ZIP_STAT_COMP_METHOD)) != (ZIP_STAT_NAME | ZIP_STAT_SIZE |
	    ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD))
		return error_set(cause, "%s: entry %" PRIu64 " has no size",
		    z->path, (uint64_t)idx);
	if (sb.comp_method != ZIP_CM_STORE)
		return error_set(cause, "%s: %s is compressed (torch.save "
		    "stores entries as they are)", z->path, sb.name);
	if (sb.comp_size != sb.size)
		return error_set(cause, "%s: %s is stored in %" PRIu64 " bytes "
		    "but claims %" PRIu64, z->path, sb.name,
		    (uint64_t)sb.comp_size, (uint64_t)sb.size);
	if (sb.size > z->size)
		return error_set(cause, "%s: %s claims %" PRIu64 " bytes, more "
		    "than the file's %zu", z->path, sb.name,
		    (uint64_t)sb.size, z->size);
	if (want != SIZE_MAX && sb.size != want)
		return error_set(cause, "%s: %s holds %" PRIu64 " bytes, its "
		    "storage needs %zu", z->path, sb.name, (uint64_t)sb.size,
		    want);
	if (sb.size > max)
		return error_set(cause, "%s: %s is larger than %zu bytes",
		    z->path, sb.name, max);
	if ((buf = mem_alloc((size_t)sb.size)) == NULL)
		return error_set(cause, "%s: out of memory", z->path);
	if ((zf = zip_fopen_index(z->za, idx, 0)) == NULL) {
		mem_free(buf);
		return error_set(cause, "%s: %s: %s", z->path, sb.name,
		    zip_strerror(z->za));
	}
	for (got = 0; got < sb.size; got += (size_t)n)
		if ((n = zip_fread(zf, buf + got, sb.size - got)) <= 0)
			break;
	/* Reading on to the end makes libzip check the CRC. */
	if (got == sb.size && (n = zip_fread(zf, &extra, 1)) == 0) {
		zip_fclose(zf);
		*out = buf;
		*len = got;
		return 0;
	}
	error_set(cause, "%s: %s: %s", z->path, sb.name, got < sb.size ||
	    n < 0 ? zip_file_strerror(zf) : "longer than its size");
	zip_fclose(zf);
	mem_free(buf);
	return -1;
}

/* Returns a, b and c joined in a new string (mem_free), or NULL. */
static char *
pth_join(const char *a, const char *b, const char *c)
{
	size_t	 la = strlen(a), lb = strlen(b), lc = strlen(c);
	char	*s;

	if ((s = mem_alloc(la + lb + lc + 1)) != NULL) {
		memcpy(s, a, la);
		memcpy(s + la, b, lb);
		memcpy(s + la + lb, c, lc + 1);
	}
	return s;
}

/* Gives the bytes of storage key, entry PREFIX/data/KEY (pth_storage_fn). */
static int
pth_zip_storage(void *arg, const char *key, size_t len, unsigned char **data,
    char **cause)
{
	struct pth_zip	*z = arg;
	zip_int64_t	 idx;
	size_t		 got;
	char		*entry;
	int		 rc;

	if ((entry = pth_join(z->prefix, "data/", key)) == NULL)
		return error_set(cause, "%s: out of memory", z->path);
	if ((idx = zip_name_locate(z->za, entry, 0)) < 0)
		rc = error_set(cause, "%s: storage '%s' has no entry %s",
		    z->path, key, entry);
	else
		rc = pth_zip_read(z, (zip_uint64_t)idx, len, len, data, &got,
		    cause);
	mem_free(entry);
	return rc;
}

/* Reads the state_dict of the open archive z into f. */
static int
pth_zip(struct pth_zip *z, struct st_file *f, char **cause)
{
	const char	*name, *found = NULL;
	zip_int64_t	 n, i, at = -1;
	unsigned char	*pkl;
	size_t		 len, nlen;
	char		*label;
	int		 rc;

	n = zip_get_num_entries(z->za, 0);
	for (i = 0; i < n; i++) {
		if ((name = zip_get_name(z->za, (zip_uint64_t)i, 0)) == NULL)
			continue;
		nlen = strlen(name);
		if (nlen < 9 || strcmp(name + nlen - 9, "/data.pkl") != 0)
			continue;
		if (found != NULL)
			return error_set(cause, "%s: two pickles, %s and %s",
			    z->path, found, name);
		found = name;
		at = i;
	}
	if (found == NULL)
		return error_set(cause, "%s: a zip without a .../data.pkl: not "
		    "a PyTorch checkpoint", z->path);
	if ((z->prefix = mem_strdup(found)) == NULL)
		return error_set(cause, "%s: out of memory", z->path);
	z->prefix[strlen(found) - 8] = '\0';
	if ((label = pth_join(z->path, ": ", found)) == NULL)
		return error_set(cause, "%s: out of memory", z->path);
	rc = pth_zip_read(z, (zip_uint64_t)at, SIZE_MAX, PTH_MAXPICKLE, &pkl,
	    &len, cause);
	if (rc == 0) {
		rc = pth_unpickle(pkl, len, label, pth_zip_storage, z,
		    (uint64_t)z->size * PTH_BUDGET, f, cause);
		mem_free(pkl);
	}
	mem_free(label);
	return rc;
}

/*
 * Reads the state_dict of the PyTorch checkpoint in buf (len bytes, a zip;
 * name labels messages) into f, as pth_unpickle does; free f with
 * safetensors_free, also after a failure. Storages and tensors take at
 * most PTH_BUDGET times len bytes.
 */
int
pth_read_buffer(const void *buf, size_t len, const char *name,
    struct st_file *f, char **cause)
{
	struct pth_zip	 z;
	zip_source_t	*src;
	zip_error_t	 ze;
	int		 rc;

	memset(f, 0, sizeof *f);
	memset(&z, 0, sizeof z);
	z.size = len;
	z.path = name;
	zip_error_init(&ze);
	if ((src = zip_source_buffer_create(buf, len, 0, &ze)) == NULL) {
		zip_error_fini(&ze);
		return error_set(cause, "%s: out of memory", name);
	}
	if ((z.za = zip_open_from_source(src, ZIP_RDONLY, &ze)) == NULL) {
		zip_source_free(src);
		error_set(cause, "%s: not a PyTorch checkpoint: %s", name,
		    zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return -1;
	}
	zip_error_fini(&ze);
	rc = pth_zip(&z, f, cause);
	zip_discard(z.za);
	mem_free(z.prefix);
	return rc;
}

/*
 * Reads the state_dict of the PyTorch checkpoint at path (a regular file,
 * mapped into memory) into f, as pth_read_buffer does.
 */
int
pth_read(const char *path, struct st_file *f, char **cause)
{
	size_t	 size;
	void	*map;
	int	 fd, rc;

	memset(f, 0, sizeof *f);
	if ((fd = file_open_regular(path, &size, cause)) == -1)
		return -1;
	if (size == 0) {
		close(fd);
		return error_set(cause, "%s: empty file", path);
	}
	map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return error_set(cause, "%s: %s", path, strerror(errno));
	rc = pth_read_buffer(map, size, path, f, cause);
	munmap(map, size);
	return rc;
}

/* Returns nonzero when the file at path starts as a zip does ("PK\3\4"). */
int
pth_is_zip(const char *path)
{
	unsigned char	head[4];
	int		fd, rc;

	if ((fd = file_open_regular(path, NULL, NULL)) == -1)
		return 0;
	rc = read(fd, head, sizeof head) == (ssize_t)sizeof head &&
	    memcmp(head, "PK\3\4", sizeof head) == 0;
	close(fd);
	return rc;
}
