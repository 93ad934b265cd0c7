/*
 * test-pth.c: PyTorch checkpoints (pth.c). The QCFS ResNet-20 that
 * torch.save wrote (../shared/reference/qcfs) reads with the keys, shapes
 * and dtypes its expected file lists and the exact thresholds; small
 * checkpoints built here check views (offsets, transposed and expanded
 * strides, conversions), loading into a network by name, and crafted files
 * refused with a message: forbidden globals, unknown opcodes, missing
 * storages, views out of bounds, every truncation, huge sizes, stack and
 * memo abuse, allocation failures.
 *
 * With --seeds DIR it writes the fuzzing seeds of tests/fuzz-pth there
 * instead (the real checkpoint's data.pkl when the fixture is there).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zip.h>

#include "../src/snnwb.h"
#include "tap.h"

/* The temporary directory of this run. */
static char tmpdir[4096];

/* A pickle being built. */
struct pk {
	unsigned char	*b;
	size_t		 n;
	size_t		 cap;
};

/* A tensor of a state_dict built here: a view of storage key. */
struct spec {
	const char	*name;
	const char	*cls;		/* "FloatStorage", ... */
	const char	*key;
	int64_t		 numel;		/* of the storage */
	int64_t		 offset;
	int		 ndim;
	int64_t		 shape[4];
	int64_t		 stride[4];
};

/* Returns the path of name inside the temporary directory (static). */
static const char *
at(const char *name)
{
	static char	path[8192];

	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	return path;
}

/* Appends n bytes to p. */
static void
pk_bytes(struct pk *p, const void *b, size_t n)
{
	if (p->n + n > p->cap) {
		p->cap = (p->n + n) * 2 + 256;
		if ((p->b = realloc(p->b, p->cap)) == NULL)
			abort();
	}
	memcpy(p->b + p->n, b, n);
	p->n += n;
}

/* Appends the byte c. */
static void
pk_op(struct pk *p, int c)
{
	unsigned char	u = (unsigned char)c;

	pk_bytes(p, &u, 1);
}

/* Appends v as n little-endian bytes. */
static void
pk_le(struct pk *p, uint64_t v, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		pk_op(p, (int)(v >> (8 * i) & 0xff));
}

/* Appends BINUNICODE s. */
static void
pk_str(struct pk *p, const char *s)
{
	pk_op(p, 'X');
	pk_le(p, strlen(s), 4);
	pk_bytes(p, s, strlen(s));
}

/* Appends v as the smallest int opcode that holds it. */
static void
pk_int(struct pk *p, int64_t v)
{
	if (v >= 0 && v < 256) {
		pk_op(p, 'K');
		pk_le(p, (uint64_t)v, 1);
	} else if (v >= 0 && v < 65536) {
		pk_op(p, 'M');
		pk_le(p, (uint64_t)v, 2);
	} else if (v >= INT32_MIN && v <= INT32_MAX) {
		pk_op(p, 'J');
		pk_le(p, (uint64_t)v, 4);
	} else {
		pk_op(p, 0x8a);
		pk_op(p, 8);
		pk_le(p, (uint64_t)v, 8);
	}
}

/* Appends GLOBAL mod.name. */
static void
pk_global(struct pk *p, const char *mod, const char *name)
{
	pk_op(p, 'c');
	pk_bytes(p, mod, strlen(mod));
	pk_op(p, '\n');
	pk_bytes(p, name, strlen(name));
	pk_op(p, '\n');
}

/* Appends the tuple of n ints v (MARK ... TUPLE). */
static void
pk_ints(struct pk *p, const int64_t *v, int n)
{
	int	i;

	pk_op(p, '(');
	for (i = 0; i < n; i++)
		pk_int(p, v[i]);
	pk_op(p, 't');
}

/* Appends _rebuild_tensor_v2(storage, offset, size, stride, False, {}). */
static void
pk_tensor(struct pk *p, const struct spec *s)
{
	pk_global(p, "torch._utils", "_rebuild_tensor_v2");
	pk_op(p, '(');
	pk_op(p, '(');
	pk_str(p, "storage");
	pk_global(p, "torch", s->cls);
	pk_str(p, s->key);
	pk_str(p, "cpu");
	pk_int(p, s->numel);
	pk_op(p, 't');
	pk_op(p, 'Q');
	pk_int(p, s->offset);
	pk_ints(p, s->shape, s->ndim);
	pk_ints(p, s->stride, s->ndim);
	pk_op(p, 0x89);
	pk_global(p, "collections", "OrderedDict");
	pk_op(p, ')');
	pk_op(p, 'R');
	pk_op(p, 't');
	pk_op(p, 'R');
}

/*
 * Builds, as torch.save lays it out, the pickle of an OrderedDict of the
 * n tensors s, with a _metadata BUILD at the end.
 */
static void
pk_state_dict(struct pk *p, const struct spec *s, int n)
{
	int	i;

	memset(p, 0, sizeof *p);
	pk_op(p, 0x80);
	pk_op(p, 2);
	pk_global(p, "collections", "OrderedDict");
	pk_op(p, 'q');
	pk_op(p, 0);
	pk_op(p, ')');
	pk_op(p, 'R');
	pk_op(p, '(');
	for (i = 0; i < n; i++) {
		pk_str(p, s[i].name);
		pk_tensor(p, &s[i]);
	}
	pk_op(p, 'u');
	pk_op(p, '}');
	pk_str(p, "_metadata");
	pk_op(p, 'h');
	pk_op(p, 0);
	pk_op(p, ')');
	pk_op(p, 'R');
	pk_op(p, '(');
	pk_str(p, "");
	pk_op(p, '}');
	pk_str(p, "version");
	pk_int(p, 1);
	pk_op(p, 's');
	pk_op(p, 'u');
	pk_op(p, 's');
	pk_op(p, 'b');
	pk_op(p, '.');
}

/*
 * Writes a zip at path with the n entries names[i] (data[i], len[i]
 * bytes), stored, or deflated when compress is set.
 */
static int
put_zip(const char *path, int n, const char *const *names,
    const void *const *data, const size_t *len, int compress)
{
	zip_t		*za;
	zip_source_t	*src;
	zip_int64_t	 idx;
	int		 i, err;

	if ((za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if ((src = zip_source_buffer(za, data[i], len[i], 0)) == NULL ||
		    (idx = zip_file_add(za, names[i], src, 0)) < 0 ||
		    zip_set_file_compression(za, (zip_uint64_t)idx,
		    compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0) != 0) {
			zip_discard(za);
			return -1;
		}
	}
	return zip_close(za);
}

/* The storages of the small checkpoints: 12 floats 0..11 and others. */
static float	 f12[12];
static double	 d3[3] = { 0.5, -1.25, 3e38 };
static int64_t	 l1[1] = { 960 };
static int32_t	 i2[2] = { -7, 70000 };

/* Fills the storages (little-endian hosts, as the format). */
static void
storages_init(void)
{
	int	i;

	for (i = 0; i < 12; i++)
		f12[i] = (float)i;
}

/* The small state_dict: views of every kind. */
static const struct spec small[] = {
	{ "w", "FloatStorage", "0", 12, 0, 2, { 2, 3 }, { 3, 1 } },
	{ "wt", "FloatStorage", "0", 12, 0, 2, { 3, 2 }, { 1, 3 } },
	{ "odd", "FloatStorage", "0", 12, 1, 2, { 2, 2 }, { 4, 2 } },
	{ "expand", "FloatStorage", "0", 12, 5, 2, { 2, 3 }, { 0, 0 } },
	{ "empty", "FloatStorage", "0", 12, 0, 2, { 0, 4 }, { 4, 1 } },
	{ "d", "DoubleStorage", "1", 3, 0, 1, { 3 }, { 1 } },
	{ "n", "LongStorage", "2", 1, 0, 0, { 0 }, { 0 } },
	{ "i", "IntStorage", "3", 2, 0, 1, { 2 }, { 1 } }
};
#define NSMALL ((int)(sizeof small / sizeof small[0]))

/*
 * Writes a checkpoint at path: the pickle p as PREFIX/data.pkl and the
 * small storages, less the one called skip (may be NULL).
 */
static int
put_pth(const char *path, const struct pk *p, const char *skip)
{
	const char	*names[5] = { "archive/data.pkl", "archive/data/0",
			    "archive/data/1", "archive/data/2",
			    "archive/data/3" };
	const void	*data[5] = { p->b, f12, d3, l1, i2 };
	size_t		 len[5] = { p->n, sizeof f12, sizeof d3, sizeof l1,
			    sizeof i2 };
	int		 i, n = 0;

	for (i = 0; i < 5; i++) {
		if (skip != NULL && strcmp(names[i], skip) == 0)
			continue;
		names[n] = names[i];
		data[n] = data[i];
		len[n++] = len[i];
	}
	return put_zip(path, n, names, data, len, 0);
}

/* Returns the message cause, or a placeholder when there is none. */
static const char *
msg(const char *cause)
{
	return cause != NULL ? cause : "no message";
}

/* Returns the tensor called name in f, or NULL. */
static const struct st_tensor *
find(const struct st_file *f, const char *name)
{
	return safetensors_find(f, name);
}

/* Returns nonzero when t is F32 with shape (ndim dims) and values want. */
static int
is_f32(const struct st_tensor *t, int ndim, const int64_t *shape,
    const float *want, size_t n)
{
	size_t	i;
	int	d;

	if (t == NULL || t->dtype != ST_F32 || t->ndim != ndim ||
	    safetensors_numel(t) != n)
		return 0;
	for (d = 0; d < ndim; d++)
		if (t->shape[d] != shape[d])
			return 0;
	for (i = 0; i < n; i++)
		if (t->data[i] != want[i])
			return 0;
	return 1;
}

/* The small checkpoint: every view and conversion, from a file and memory. */
static void
test_small(void)
{
	static const int64_t	 s23[] = { 2, 3 }, s32[] = { 3, 2 },
				 s22[] = { 2, 2 }, s04[] = { 0, 4 },
				 s3[] = { 3 };
	static const float	 w[] = { 0, 1, 2, 3, 4, 5 },
				 wt[] = { 0, 3, 1, 4, 2, 5 },
				 odd[] = { 1, 3, 5, 7 },
				 ex[] = { 5, 5, 5, 5, 5, 5 },
				 d[] = { 0.5f, -1.25f, 3e38f };
	const struct st_tensor	*t;
	struct st_file		 f, g;
	struct pk		 p;
	unsigned char		*buf;
	size_t			 len;
	char			*cause = NULL;
	int			 i, same;

	pk_state_dict(&p, small, NSMALL);
	put_pth(at("small.pth"), &p, NULL);
	ok(pth_is_zip(at("small.pth")), "small.pth: starts as a zip");
	if (pth_read(at("small.pth"), &f, &cause) != 0) {
		ok(0, "small.pth: read (%s)", msg(cause));
		free(cause);
		free(p.b);
		skip(9, "unreadable");
		return;
	}
	ok(f.n == NSMALL, "small.pth: %d tensors in order", f.n);
	for (i = 0, same = 1; i < f.n && i < NSMALL; i++)
		same &= strcmp(f.t[i].name, small[i].name) == 0;
	ok(same && is_f32(find(&f, "w"), 2, s23, w, 6),
	    "contiguous [2, 3] view");
	ok(is_f32(find(&f, "wt"), 2, s32, wt, 6),
	    "transposed view (strides 1, 3) gathered");
	ok(is_f32(find(&f, "odd"), 2, s22, odd, 4),
	    "view at offset 1 with strides 4, 2 gathered");
	ok(is_f32(find(&f, "expand"), 2, s23, ex, 6) &&
	    is_f32(find(&f, "empty"), 2, s04, w, 0),
	    "expanded view (strides 0) and an empty one");
	ok(is_f32(find(&f, "d"), 1, s3, d, 3), "float64 storage read as "
	    "float32");
	t = find(&f, "n");
	ok(t != NULL && t->dtype == ST_I64 && t->ndim == 0 &&
	    t->i64[0] == 960, "0-d int64 tensor: 960");
	t = find(&f, "i");
	ok(t != NULL && t->dtype == ST_I64 && t->i64[0] == -7 &&
	    t->i64[1] == 70000, "int32 storage read as int64");
	buf = tap_read_file(at("small.pth"), &len);
	same = pth_read_buffer(buf, len, "mem", &g, &cause) == 0 &&
	    g.n == f.n;
	for (i = 0; same && i < f.n; i++)
		same = strcmp(f.t[i].name, g.t[i].name) == 0 &&
		    safetensors_numel(&f.t[i]) == safetensors_numel(&g.t[i]) &&
		    (f.t[i].dtype == ST_I64 || memcmp(f.t[i].data, g.t[i].data,
		    4 * safetensors_numel(&f.t[i])) == 0);
	ok(same, "the same from memory");
	safetensors_free(&g);
	safetensors_free(&f);
	free(buf);
	free(p.b);
}

/* Starts a hand-made pickle with PROTO 2. */
static void
raw(struct pk *p)
{
	memset(p, 0, sizeof *p);
	pk_op(p, 0x80);
	pk_op(p, 2);
}

/* A parameter: _rebuild_parameter(tensor, True, OrderedDict()). */
static void
test_parameter(void)
{
	static const int64_t	 s4[] = { 4 };
	static const float	 want[] = { 2, 3, 4, 5 };
	struct st_file		 f;
	struct pk		 p;
	char			*cause = NULL;
	int			 rc;

	raw(&p);
	pk_global(&p, "collections", "OrderedDict");
	pk_op(&p, ')');
	pk_op(&p, 'R');
	pk_op(&p, '(');
	pk_str(&p, "w");
	pk_global(&p, "torch._utils", "_rebuild_parameter");
	pk_op(&p, '(');
	pk_tensor(&p, &(struct spec){ "w", "FloatStorage", "0", 12, 2, 1,
	    { 4 }, { 1 } });
	pk_op(&p, 0x88);
	pk_global(&p, "collections", "OrderedDict");
	pk_op(&p, ')');
	pk_op(&p, 'R');
	pk_op(&p, 't');
	pk_op(&p, 'R');
	pk_op(&p, 'u');
	pk_op(&p, '.');
	put_pth(at("param.pth"), &p, NULL);
	rc = pth_read(at("param.pth"), &f, &cause);
	ok(rc == 0 && f.n == 1 && is_f32(find(&f, "w"), 1, s4, want, 4),
	    "_rebuild_parameter gives its tensor (%s)", msg(cause));
	if (rc == 0)
		safetensors_free(&f);
	free(cause);
	free(p.b);
}

/*
 * Checks that reading the checkpoint with pickle p (storages as for the
 * small one, less skip) fails with a message holding want (and want2).
 */
static void
refused(const struct pk *p, const char *skip, const char *want,
    const char *want2, const char *what)
{
	struct st_file	 f;
	char		*cause = NULL;
	int		 rc;

	put_pth(at("bad.pth"), p, skip);
	rc = pth_read(at("bad.pth"), &f, &cause);
	ok(rc == -1 && f.n == 0 && cause != NULL && strstr(cause, want) !=
	    NULL && (want2 == NULL || strstr(cause, want2) != NULL),
	    "%s: refused (%s)", what, msg(cause));
	if (rc == 0)
		safetensors_free(&f);
	free(cause);
}

/* Builds the pickle of the one tensor s. */
static void
one(struct pk *p, const char *name, const char *cls, const char *key,
    int64_t numel, int64_t offset, int ndim, int64_t n0, int64_t n1,
    int64_t s0, int64_t s1)
{
	struct spec	s;

	memset(&s, 0, sizeof s);
	s.name = name;
	s.cls = cls;
	s.key = key;
	s.numel = numel;
	s.offset = offset;
	s.ndim = ndim;
	s.shape[0] = n0;
	s.shape[1] = n1;
	s.stride[0] = s0;
	s.stride[1] = s1;
	pk_state_dict(p, &s, 1);
}

/* Crafted pickles: each refused, naming what it met. */
static void
test_refused(void)
{
	struct pk	p;
	size_t		i;
	unsigned char	c;

	raw(&p);
	pk_global(&p, "os", "system");
	pk_str(&p, "echo owned");
	pk_op(&p, 0x85);
	pk_op(&p, 'R');
	pk_op(&p, '.');
	refused(&p, NULL, "global os.system is not allowed", "byte 2",
	    "GLOBAL os.system + REDUCE");
	free(p.b);

	raw(&p);
	pk_global(&p, "torch", "FloatStorage");
	pk_op(&p, ')');
	pk_op(&p, 'R');
	pk_op(&p, '.');
	refused(&p, NULL, "torch.FloatStorage cannot be called", NULL,
	    "a storage class called");
	free(p.b);

	one(&p, "w", "FloatStorage", "0", 12, 0, 1, 4, 0, 1, 0);
	c = p.b[2];
	p.b[2] = 'i';
	refused(&p, NULL, "opcode INST (0x69) is not allowed", "byte 2",
	    "INST");
	p.b[2] = c;
	p.b[p.n - 1] = 0xff;
	refused(&p, NULL, "unknown opcode 0xff", NULL, "opcode 0xff for STOP");
	p.b[p.n - 1] = '.';
	p.b[p.n - 2] = 0x93;
	refused(&p, NULL, "opcode STACK_GLOBAL (0x93) is not allowed", NULL,
	    "STACK_GLOBAL for BUILD");
	free(p.b);

	one(&p, "w", "FloatStorage", "9", 12, 0, 1, 4, 0, 1, 0);
	refused(&p, NULL, "storage '9' has no entry archive/data/9", NULL,
	    "storage missing from the zip");
	free(p.b);
	one(&p, "w", "FloatStorage", "0", 12, 0, 1, 4, 0, 1, 0);
	refused(&p, "archive/data/0", "no entry archive/data/0", NULL,
	    "entry of a storage removed");
	free(p.b);
	one(&p, "w", "FloatStorage", "0", 13, 0, 1, 4, 0, 1, 0);
	refused(&p, NULL, "holds 48 bytes, its storage needs 52", NULL,
	    "storage larger than its entry");
	free(p.b);

	one(&p, "w", "FloatStorage", "0", 12, 0, 1, 13, 0, 1, 0);
	refused(&p, NULL, "reaches beyond its storage '0' of 12", NULL,
	    "13 elements of 12");
	free(p.b);
	one(&p, "w", "FloatStorage", "0", 12, 9, 2, 2, 2, 2, 1);
	refused(&p, NULL, "offset 9) reaches beyond", NULL,
	    "offset 9, shape [2, 2], strides [2, 1] of 12");
	free(p.b);
	one(&p, "w", "FloatStorage", "0", 12, 0, 2, 2, 2,
	    (int64_t)1 << 55, 1);
	refused(&p, NULL, "reaches beyond", NULL, "stride 2^55");
	free(p.b);

	one(&p, "w", "FloatStorage", "0", (int64_t)1 << 40, 0, 1,
	    (int64_t)1 << 40, 0, 1, 0);
	refused(&p, NULL, "more than the file can hold", NULL,
	    "storage of 2^40 floats claimed");
	free(p.b);
	one(&p, "w", "FloatStorage", "0", (int64_t)1 << 60, 0, 1, 1, 0, 1, 0);
	refused(&p, NULL, "storage size 1152921504606846976 is out of range",
	    NULL, "storage of 2^60 floats claimed");
	free(p.b);
	one(&p, "w", "FloatStorage", "0", 12, 0, 2, (int64_t)1 << 28,
	    (int64_t)1 << 28, 0, 0);
	refused(&p, NULL, "\"w\" needs 288230376151711744 bytes, more than "
	    "the file can hold", NULL, "2^56 elements expanded from one");
	free(p.b);
	one(&p, "w", "HalfStorage", "0", 12, 0, 1, 4, 0, 1, 0);
	refused(&p, NULL, "global torch.HalfStorage is not allowed", NULL,
	    "float16 storage");
	free(p.b);

	raw(&p);
	pk_op(&p, 'h');
	pk_op(&p, 5);
	refused(&p, NULL, "memo slot 5 is empty", "byte 2", "BINGET 5");
	free(p.b);
	raw(&p);
	pk_op(&p, ')');
	pk_op(&p, 'r');
	pk_le(&p, 0xffffffffu, 4);
	refused(&p, NULL, "memo index 4294967295 is too large", NULL,
	    "LONG_BINPUT 2^32 - 1");
	free(p.b);
	raw(&p);
	pk_op(&p, 'R');
	refused(&p, NULL, "stack underflow", NULL, "REDUCE on an empty stack");
	free(p.b);
	raw(&p);
	pk_op(&p, '}');
	pk_op(&p, '(');
	pk_op(&p, 's');
	refused(&p, NULL, "stack underflow", NULL, "SETITEM across a MARK");
	free(p.b);
	raw(&p);
	pk_op(&p, 't');
	refused(&p, NULL, "no MARK before it", NULL, "TUPLE without MARK");
	free(p.b);
	raw(&p);
	for (i = 0; i < (1u << 20) + 1; i++)
		pk_op(&p, '(');
	refused(&p, NULL, "more than 1048576 marks", NULL, "2^20 + 1 MARKs");
	free(p.b);
	raw(&p);
	pk_op(&p, ')');
	pk_op(&p, '.');
	refused(&p, NULL, "holds a value of type tuple, not a state_dict",
	    NULL, "a tuple for a state_dict");
	free(p.b);
	raw(&p);
	pk_op(&p, '}');
	pk_str(&p, "x");
	pk_int(&p, 3);
	pk_op(&p, 's');
	pk_op(&p, '.');
	refused(&p, NULL, "\"x\" has type int, not tensor", NULL,
	    "an int in the state_dict");
	free(p.b);
	raw(&p);
	pk_op(&p, ')');
	pk_op(&p, '(');
	pk_op(&p, 'b');
	refused(&p, NULL, "stack underflow", NULL, "BUILD across a MARK");
	free(p.b);
	raw(&p);
	pk_op(&p, 'X');
	pk_le(&p, 1000, 4);
	pk_bytes(&p, "abc", 3);
	refused(&p, NULL, "truncated: the opcode needs 1000 bytes, 3 are left",
	    NULL, "BINUNICODE longer than the pickle");
	free(p.b);

	raw(&p);
	pk_str(&p, "a");
	pk_str(&p, "b");
	pk_str(&p, "c");
	pk_op(&p, 's');
	refused(&p, NULL, "SETITEM on a value of type str", NULL,
	    "SETITEM on a str");
	free(p.b);
	{
		struct spec	twice[2] = { small[0], small[0] };

		pk_state_dict(&p, twice, 2);
		refused(&p, NULL, "has \"w\" twice", NULL, "a key twice");
		free(p.b);
	}
}

/*
 * Every proper prefix of a good pickle is refused with a message, as a zip
 * of that many bytes and as the data.pkl of a checkpoint.
 */
static void
test_truncated(void)
{
	struct st_file	 f;
	struct pk	 p, q;
	size_t		 bad = 0;
	char		*cause;

	pk_state_dict(&p, small, NSMALL);
	for (q = p; q.n > 0; q.n--) {
		cause = NULL;
		if (pth_read_buffer(p.b, q.n - 1, "cut", &f, &cause) == 0 ||
		    cause == NULL)
			bad++;
		free(cause);
		cause = NULL;
		q.n--;
		put_pth(at("cut.pth"), &q, NULL);
		q.n++;
		if (pth_read(at("cut.pth"), &f, &cause) == 0 ||
		    cause == NULL ||
		    strstr(cause, "archive/data.pkl, byte ") == NULL)
			bad++;
		free(cause);
	}
	ok(bad == 0, "all %zu truncations of the pickle refused (%zu not)",
	    p.n, bad);
	free(p.b);
}

/* Files that are not checkpoints, or zips torch.save does not write. */
static void
test_zips(void)
{
	static const char	 text[] = "not a zip at all\n";
	const char		*names[3] = { "a/data.pkl", "b/data.pkl",
				    "a/data/0" };
	const void		*data[3];
	size_t			 len[3];
	struct st_file		 f;
	struct pk		 p;
	char			*cause = NULL;
	int			 rc;

	tap_write_file(at("text.pth"), text, sizeof text - 1);
	rc = pth_read(at("text.pth"), &f, &cause);
	ok(rc == -1 && !pth_is_zip(at("text.pth")) && cause != NULL &&
	    strstr(cause, "not a PyTorch checkpoint") != NULL,
	    "text file: not a zip (%s)", msg(cause));
	free(cause);
	cause = NULL;
	rc = pth_read_buffer(text, 0, "nothing", &f, &cause);
	ok(rc == -1 && cause != NULL, "0 bytes refused (%s)", msg(cause));
	free(cause);
	cause = NULL;

	one(&p, "w", "FloatStorage", "0", 12, 0, 1, 12, 0, 1, 0);
	data[0] = data[1] = p.b;
	data[2] = f12;
	len[0] = len[1] = p.n;
	len[2] = sizeof f12;
	put_zip(at("two.pth"), 2, names, data, len, 0);
	rc = pth_read(at("two.pth"), &f, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "two pickles") !=
	    NULL, "two data.pkl refused (%s)", msg(cause));
	free(cause);
	cause = NULL;
	names[1] = "a/data/0";
	data[1] = f12;
	len[1] = sizeof f12;
	put_zip(at("deflate.pth"), 2, names, data, len, 1);
	rc = pth_read(at("deflate.pth"), &f, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "is compressed") !=
	    NULL, "deflated entries refused (%s)", msg(cause));
	free(cause);
	cause = NULL;
	names[0] = "data.pkl";
	put_zip(at("noprefix.pth"), 2, names, data, len, 0);
	rc = pth_read(at("noprefix.pth"), &f, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "without a "
	    ".../data.pkl") != NULL, "zip without .../data.pkl refused (%s)",
	    msg(cause));
	free(cause);
	free(p.b);
}

/* Allocation failures at every step: each refused with a message. */
static void
test_alloc(void)
{
	struct st_file	 f;
	struct pk	 p;
	char		*cause;
	long		 k;
	int		 rc = -1, bad = 0;

	pk_state_dict(&p, small, NSMALL);
	put_pth(at("alloc.pth"), &p, NULL);
	for (k = 0; rc != 0 && k < 10000; k++) {
		cause = NULL;
		mem_fail_after(k);
		rc = pth_read(at("alloc.pth"), &f, &cause);
		mem_fail_after(-1);
		if (rc != 0 && (cause == NULL || f.n != 0))
			bad++;
		if (rc == 0)
			safetensors_free(&f);
		free(cause);
	}
	ok(rc == 0 && bad == 0, "allocation failures: %ld points, each "
	    "refused with a message", k - 1);
	free(p.b);
}

/* net:load's path: a .pth into a network by name, checked as safetensors. */
static void
test_load_state(void)
{
	static const float	 w[12] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
				    11 };
	struct spec		 s[3];
	struct net		*net = net_new(), *none;
	const struct net_tensor	*wp, *bp;
	struct rng		 r;
	struct pk		 p;
	char			*cause = NULL;
	int			 rc;

	rng_seed(&r, 1);
	if (net_add_linear(net, 4, 3, 1, &r, &cause) != 0) {
		ok(0, "linear 4 -> 3 (%s)", msg(cause));
		free(cause);
		return;
	}
	memset(s, 0, sizeof s);
	s[0] = (struct spec){ "0.weight", "FloatStorage", "0", 12, 0, 2,
	    { 3, 4 }, { 4, 1 } };
	s[1] = (struct spec){ "0.bias", "FloatStorage", "0", 12, 9, 1,
	    { 3 }, { 1 } };
	s[2] = (struct spec){ "extra", "LongStorage", "2", 1, 0, 0, { 0 },
	    { 0 } };
	pk_state_dict(&p, s, 2);
	put_pth(at("lin.pth"), &p, NULL);
	free(p.b);
	rc = checkpoint_load_state(at("lin.pth"), net, 1, &cause);
	wp = net_tensor(net, "0.weight");
	bp = net_tensor(net, "0.bias");
	ok(rc == 0 && wp != NULL && bp != NULL && memcmp(wp->p->data, w,
	    sizeof w) == 0 && bp->p->data[0] == 9 && bp->p->data[2] == 11,
	    "checkpoint_load_state reads a .pth by name (%s)", msg(cause));
	free(cause);
	cause = NULL;

	pk_state_dict(&p, s, 1);
	put_pth(at("lin.pth"), &p, NULL);
	free(p.b);
	rc = checkpoint_load_state(at("lin.pth"), net, 1, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "tensor \"0.bias\" is "
	    "missing") != NULL, "missing tensor named (%s)", msg(cause));
	free(cause);
	cause = NULL;

	s[0].shape[0] = 4;
	s[0].shape[1] = 3;
	s[0].stride[0] = 3;
	pk_state_dict(&p, s, 2);
	put_pth(at("lin.pth"), &p, NULL);
	free(p.b);
	rc = checkpoint_load_state(at("lin.pth"), net, 1, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "\"0.weight\" has shape "
	    "[4, 3], the network needs [3, 4]") != NULL,
	    "transposed shape named (%s)", msg(cause));
	free(cause);
	cause = NULL;

	s[0].shape[0] = 3;
	s[0].shape[1] = 4;
	s[0].stride[0] = 4;
	pk_state_dict(&p, s, 3);
	put_pth(at("lin.pth"), &p, NULL);
	free(p.b);
	rc = checkpoint_load_state(at("lin.pth"), net, 1, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "tensor \"extra\" is "
	    "not in the network") != NULL, "strict: unexpected tensor named "
	    "(%s)", msg(cause));
	free(cause);
	cause = NULL;
	ok(checkpoint_load_state(at("lin.pth"), net, 0, &cause) == 0,
	    "not strict: the extra tensor is ignored (%s)", msg(cause));
	free(cause);
	cause = NULL;
	none = checkpoint_load(at("lin.pth"), &cause);
	ok(none == NULL && cause != NULL && strstr(cause, "holds no "
	    "architecture") != NULL, "snn.load of a .pth: says to use "
	    "net:load (%s)", msg(cause));
	free(cause);
	net_free(net);
}

/*
 * What the expected file says: its "state_dict.NNN=key shape dtype" notes
 * in order and its thresh array (its notes are too long for refdata.c).
 */
struct expected {
	char	**keys;
	int	  n;
	double	 *thresh;
	size_t	  nthresh;
};

/* Reads the expected file at path into e; nonzero on failure. */
static int
expected_load(const char *path, struct expected *e)
{
	FILE	*fp = fopen(path, "r");
	char	*line = NULL, *s, *end;
	size_t	 cap = 0;
	int	 idx;

	memset(e, 0, sizeof *e);
	if (fp == NULL)
		return -1;
	while (getline(&line, &cap, fp) != -1) {
		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "# state_dict.%d=", &idx) == 1) {
			if (idx != e->n)
				break;
			e->keys = realloc(e->keys, (size_t)(e->n + 1) *
			    sizeof *e->keys);
			e->keys[e->n++] = strdup(strchr(line, '=') + 1);
		} else if (strncmp(line, "thresh ", 7) == 0) {
			e->nthresh = strtoul(line + 7, &end, 10);
			e->thresh = calloc(e->nthresh + 1, sizeof *e->thresh);
			for (s = end, idx = 0; (size_t)idx < e->nthresh; idx++)
				e->thresh[idx] = strtod(s, &s);
		}
	}
	free(line);
	fclose(fp);
	return e->n == 0 || e->thresh == NULL;
}

/* Frees what expected_load filled. */
static void
expected_free(struct expected *e)
{
	int	i;

	for (i = 0; i < e->n; i++)
		free(e->keys[i]);
	free(e->keys);
	free(e->thresh);
}

/* Returns nonzero when t has the name, shape and dtype of note e. */
static int
matches(const struct st_tensor *t, const char *e)
{
	char	name[256], shape[64], dtype[16], *s, *end;
	int	d = 0;

	if (sscanf(e, "%255s %63s %15s", name, shape, dtype) != 3 ||
	    strcmp(name, t->name) != 0 || strcmp(dtype, t->dtype == ST_F32 ?
	    "float32" : "int64") != 0)
		return 0;
	if (strcmp(shape, "scalar") == 0)
		return t->ndim == 0;
	for (s = shape; *s != '\0'; s = *end == ',' ? end + 1 : end) {
		if (d >= t->ndim || strtoll(s, &end, 10) != t->shape[d++] ||
		    end == s)
			return 0;
	}
	return d == t->ndim;
}

/* The QCFS ResNet-20 that torch.save wrote, against its expected file. */
static void
test_resnet20(void)
{
	struct expected	 e;
	struct st_file	 f;
	const char	*dir;
	char		 path[4096], *cause = NULL;
	size_t		 total = 0, nth = 0, nbt = 0, badbt = 0, badth = 0;
	int		 i, bad = -1;

	if ((dir = tap_fixture("reference/qcfs", 7)) == NULL)
		return;
	snprintf(path, sizeof path, "%s/resnet20-L4-expected.txt", dir);
	if (expected_load(path, &e) != 0) {
		ok(0, "%s: no state_dict notes or thresh array", path);
		expected_free(&e);
		skip(6, "no expected file");
		return;
	}
	snprintf(path, sizeof path, "%s/resnet20-L4.pth", dir);
	ok(pth_is_zip(path), "resnet20-L4.pth starts as a zip");
	if (pth_read(path, &f, &cause) != 0) {
		ok(0, "resnet20-L4.pth: %s", cause);
		free(cause);
		skip(5, "unreadable");
		expected_free(&e);
		return;
	}
	ok(f.n == e.n && e.n == 147, "%d tensors, as the expected file's %d "
	    "state_dict notes", f.n, e.n);
	for (i = 0; i < f.n && i < e.n; i++) {
		if (bad < 0 && !matches(&f.t[i], e.keys[i]))
			bad = i;
		total += safetensors_numel(&f.t[i]);
		if (strlen(f.t[i].name) > 7 && strcmp(f.t[i].name +
		    strlen(f.t[i].name) - 7, ".thresh") == 0) {
			if (nth >= e.nthresh || f.t[i].ndim != 1 ||
			    f.t[i].data[0] != (float)e.thresh[nth])
				badth++;
			nth++;
		}
		if (strstr(f.t[i].name, "num_batches_tracked") != NULL) {
			nbt++;
			badbt += f.t[i].dtype != ST_I64 || f.t[i].i64[0] != 960;
		}
	}
	ok(bad < 0, "names, shapes and dtypes in state_dict order%s%s",
	    bad < 0 ? "" : ": first mismatch ", bad < 0 ? "" :
	    f.t[bad].name);
	ok(e.nthresh == 19 && nth == 19 && badth == 0, "the 19 thresh values "
	    "equal the expected file's exactly (%zu differ)", badth);
	ok(nbt == 21 && badbt == 0, "%zu num_batches_tracked, each 960", nbt);
	ok(total == 274082, "%zu numbers in all (274,082)", total);
	ok(find(&f, "fc.weight") != NULL &&
	    find(&f, "fc.weight")->shape[1] == 64, "fc.weight is [10, 64]");
	safetensors_free(&f);
	expected_free(&e);
}

/* Writes the seeds of tests/fuzz-pth into dir. */
static int
write_seeds(const char *dir)
{
	struct pk	 p;
	const char	*real;
	zip_t		*za;
	zip_file_t	*zf;
	zip_stat_t	 sb;
	unsigned char	*buf;
	char		 path[4096];
	int		 err;

	pk_state_dict(&p, small, NSMALL);
	snprintf(path, sizeof path, "%s/small.pkl", dir);
	tap_write_file(path, p.b, p.n);
	snprintf(path, sizeof path, "%s/small.pth", dir);
	if (put_pth(path, &p, NULL) != 0)
		return 1;
	free(p.b);
	if ((real = tap_shared("reference/qcfs/resnet20-L4.pth")) == NULL)
		return 0;
	if ((za = zip_open(real, ZIP_RDONLY, &err)) == NULL ||
	    zip_stat(za, "resnet20-L4/data.pkl", 0, &sb) != 0 ||
	    (zf = zip_fopen(za, "resnet20-L4/data.pkl", 0)) == NULL)
		return 1;
	buf = malloc(sb.size);
	if (zip_fread(zf, buf, sb.size) != (zip_int64_t)sb.size)
		return 1;
	snprintf(path, sizeof path, "%s/resnet20-data.pkl", dir);
	tap_write_file(path, buf, sb.size);
	free(buf);
	zip_fclose(zf);
	zip_discard(za);
	return 0;
}

/* Runs every test in a temporary directory removed at the end. */
int
main(int argc, char **argv)
{
	const char	*base = getenv("TMPDIR");
	char		 cmd[8192];

	storages_init();
	if (argc == 3 && strcmp(argv[1], "--seeds") == 0)
		return write_seeds(argv[2]);
	snprintf(tmpdir, sizeof tmpdir, "%s/snnwb-pth.XXXXXX",
	    base != NULL && *base != '\0' ? base : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		skip_all("cannot create a temporary directory");
	test_resnet20();
	test_small();
	test_parameter();
	test_refused();
	test_truncated();
	test_zips();
	test_alloc();
	test_load_state();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		diag("cannot remove %s", tmpdir);
	return done_testing();
}
