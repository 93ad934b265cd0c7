/*
 * test-safetensors.c: writing and reading safetensors files: a round trip,
 * the written bytes against the format, the atomic write, corrupted files
 * each refused with a message (sizes before anything is allocated), I64
 * tensors, saving through symbolic links but never over anything but a
 * regular file, and allocation failures while reading and writing. Files
 * live in a temporary directory removed at the end.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "../src/snnwb.h"
#include "tap.h"

/* The temporary directory of this run. */
static char tmpdir[4096];

/* Returns the path of name inside the temporary directory (static). */
static const char *
at(const char *name)
{
	static char	path[8192];

	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	return path;
}

/*
 * Writes a file with the given header length field, header text and
 * ndata data bytes (the floats 0, 1, 2, ... in little-endian order).
 */
static void
put_raw(const char *name, unsigned long long hlen, const char *header,
    size_t ndata)
{
	size_t		 hl = strlen(header), i;
	unsigned char	*buf = malloc(8 + hl + ndata + 1);
	float		 x;
	uint32_t	 u;

	for (i = 0; i < 8; i++)
		buf[i] = (unsigned char)(hlen >> (8 * i));
	memcpy(buf + 8, header, hl);
	for (i = 0; i < ndata; i++) {
		x = (float)(i / 4);
		memcpy(&u, &x, sizeof u);
		buf[8 + hl + i] = (unsigned char)(u >> (8 * (i % 4)));
	}
	tap_write_file(at(name), buf, 8 + hl + ndata);
	free(buf);
}

/* Counts the entries of the temporary directory whose name holds s. */
static int
count_names(const char *s)
{
	DIR		*d = opendir(tmpdir);
	struct dirent	*e;
	int		 n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strstr(e->d_name, s) != NULL)
			n++;
	closedir(d);
	return n;
}

/* Returns nonzero when a is set and equal to b. */
static int
same_str(const char *a, const char *b)
{
	return a != NULL && strcmp(a, b) == 0;
}

/* Values of the round-trip tensors. */
static float w1[3 * 4], b1[4], w2[2 * 3 * 2], scalar[1] = { -7.5f };

/* Fills f with five tensors (given out of name order) and metadata. */
static void
sample(struct st_file *f, struct st_tensor *t, char **key, char **val)
{
	struct rng	r;
	size_t		i;

	rng_seed(&r, 5);
	for (i = 0; i < 12; i++)
		w1[i] = (float)rng_normal(&r);
	for (i = 0; i < 4; i++)
		b1[i] = (float)i - 1.5f;
	for (i = 0; i < 12; i++)
		w2[i] = (float)rng_uniform(&r);
	memset(t, 0, 5 * sizeof *t);
	t[0].name = "layer1.weight";
	t[0].ndim = 2;
	t[0].shape[0] = 3;
	t[0].shape[1] = 4;
	t[0].data = w1;
	t[1].name = "layer1.bias";
	t[1].ndim = 1;
	t[1].shape[0] = 4;
	t[1].data = b1;
	t[2].name = "conv.weight";
	t[2].ndim = 3;
	t[2].shape[0] = 2;
	t[2].shape[1] = 3;
	t[2].shape[2] = 2;
	t[2].data = w2;
	t[3].name = "lambda";
	t[3].ndim = 0;
	t[3].data = scalar;
	t[4].name = "empty";
	t[4].ndim = 2;
	t[4].shape[0] = 0;
	t[4].shape[1] = 3;
	key[0] = "network";
	val[0] = "{\"layers\": [{\"type\": \"linear\", \"in\": 4}]}";
	key[1] = "epoch";
	val[1] = "12";
	f->n = 5;
	f->t = t;
	f->nmeta = 2;
	f->meta_key = key;
	f->meta_val = val;
}

/* Writes the sample and reads it back. */
static void
test_round_trip(void)
{
	struct st_file		 f, g;
	struct st_tensor	 t[5];
	const struct st_tensor	*x;
	char			*key[2], *val[2], *cause = NULL;
	int			 i, same = 1, rc;

	sample(&f, t, key, val);
	rc = safetensors_write(at("a.safetensors"), &f, &cause);
	ok(rc == 0, "write: %s", cause ? cause : "ok");
	free(cause);
	cause = NULL;
	rc = safetensors_read(at("a.safetensors"), &g, &cause);
	ok(rc == 0 && g.n == 5 && g.nmeta == 2, "read back: %s",
	    cause ? cause : "ok");
	free(cause);
	for (i = 0; i < f.n && rc == 0; i++) {
		x = safetensors_find(&g, t[i].name);
		if (x == NULL || x->ndim != t[i].ndim ||
		    memcmp(x->shape, t[i].shape, sizeof x->shape) != 0 ||
		    safetensors_numel(x) != safetensors_numel(&t[i]) ||
		    (safetensors_numel(x) > 0 && memcmp(x->data, t[i].data,
		    4 * safetensors_numel(x)) != 0)) {
			diag("tensor %s differs", t[i].name);
			same = 0;
		}
	}
	ok(rc == 0 && same, "every tensor comes back bit for bit");
	ok(rc == 0 && strcmp(g.t[0].name, "conv.weight") == 0 &&
	    strcmp(g.t[4].name, "layer1.weight") == 0,
	    "tensors come back sorted by name (the layout order)");
	x = safetensors_find(&g, "lambda");
	ok(x != NULL && x->ndim == 0 && safetensors_numel(x) == 1 &&
	    x->data[0] == -7.5f, "the scalar comes back with one element");
	x = safetensors_find(&g, "empty");
	ok(x != NULL && safetensors_numel(x) == 0 && x->data == NULL,
	    "[0, 3] comes back with no data");
	ok(same_str(safetensors_meta(&g, "network"), val[0]) &&
	    same_str(safetensors_meta(&g, "epoch"), "12"),
	    "metadata comes back");
	ok(safetensors_find(&g, "nope") == NULL &&
	    safetensors_meta(&g, "nope") == NULL,
	    "missing names give NULL");
	safetensors_free(&g);
	ok(g.n == 0 && g.t == NULL && g.nmeta == 0, "free empties the file");
	rc = safetensors_read_header(at("a.safetensors"), &g, &cause);
	x = rc == 0 ? safetensors_find(&g, t[4].name) : NULL;
	ok(rc == 0 && g.n == 5 && x != NULL && x->ndim == t[4].ndim &&
	    memcmp(x->shape, t[4].shape, sizeof x->shape) == 0 &&
	    x->data == NULL && same_str(safetensors_meta(&g, "epoch"), "12"),
	    "read_header: names, shapes and metadata, no data: %s",
	    cause ? cause : "ok");
	free(cause);
	safetensors_free(&g);
}

/* Checks the bytes of the written sample against the format. */
static void
test_bytes(void)
{
	unsigned char	*buf;
	size_t		 len, begin = 0, hlen = 0, end;
	json_t		*root, *v, *offs;
	json_error_t	 jerr;
	const char	*names[5] = { "conv.weight", "empty", "lambda",
	    "layer1.bias", "layer1.weight" };
	size_t		 sizes[5] = { 48, 0, 4, 16, 48 };
	int		 i, good = 1;

	buf = tap_read_file(at("a.safetensors"), &len);
	if (buf == NULL || len < 8) {
		ok(0, "the written file can be read");
		free(buf);
		return;
	}
	for (i = 7; i >= 0; i--)
		hlen = hlen << 8 | buf[i];
	if (!ok(hlen > 0 && hlen % 8 == 0 && 8 + hlen + 116 <= len,
	    "header length %zu: a multiple of 8, inside the file", hlen)) {
		free(buf);
		return;
	}
	for (end = 8 + hlen; end > 8 && buf[end - 1] == ' '; end--)
		continue;
	ok(buf[8] == '{' && buf[end - 1] == '}' && 8 + hlen - end < 8,
	    "header is {...} padded with %zu spaces", 8 + hlen - end);
	root = json_loadb((const char *)buf + 8, hlen, JSON_REJECT_DUPLICATES,
	    &jerr);
	ok(json_is_object(root), "header is a JSON object: %s",
	    root ? "yes" : jerr.text);
	v = json_object_get(root, "__metadata__");
	ok(json_is_object(v) && json_is_string(json_object_get(v, "epoch")),
	    "__metadata__ holds string values");
	for (i = 0; i < 5; i++) {
		v = json_object_get(root, names[i]);
		offs = json_object_get(v, "data_offsets");
		if (!json_is_string(json_object_get(v, "dtype")) ||
		    strcmp(json_string_value(json_object_get(v, "dtype")),
		    "F32") != 0 ||
		    json_integer_value(json_array_get(offs, 0)) !=
		    (json_int_t)begin ||
		    json_integer_value(json_array_get(offs, 1)) !=
		    (json_int_t)(begin + sizes[i]))
			good = 0;
		begin += sizes[i];
	}
	ok(good && json_array_size(json_object_get(json_object_get(root,
	    "lambda"), "shape")) == 0, "F32 tensors laid out by name, "
	    "contiguous from 0; the scalar's shape is []");
	ok(begin == len - 8 - hlen, "data buffer is exactly %zu bytes",
	    begin);
	/* lambda is -7.5f = 0xc0f00000, at offset 48 of the buffer. */
	ok(buf[8 + hlen + 48] == 0x00 &&
	    buf[8 + hlen + 49] == 0x00 && buf[8 + hlen + 50] == 0xf0 &&
	    buf[8 + hlen + 51] == 0xc0, "-7.5 stored little-endian");
	/* layer1.bias[1] is -0.5f = 0xbf000000, at 52 + 4. */
	ok(buf[8 + hlen + 56] == 0x00 && buf[8 + hlen + 57] == 0x00 &&
	    buf[8 + hlen + 58] == 0x00 && buf[8 + hlen + 59] == 0xbf,
	    "layer1.bias[1] = -0.5 in place");
	json_decref(root);
	free(buf);
}

/*
 * Headers of every length modulo 8 (names of 1 to 8 characters) are all
 * padded with spaces to a multiple of 8, and the padding reads back.
 */
static void
test_padding(void)
{
	struct st_file		 f = { 0 }, g;
	struct st_tensor	 t = { 0 };
	unsigned char		*buf;
	char			 name[9] = "";
	size_t			 len, hlen, end;
	int			 k, i, pads = 0, good = 1;

	t.name = name;
	t.ndim = 1;
	t.shape[0] = 1;
	t.data = scalar;
	f.n = 1;
	f.t = &t;
	for (k = 1; k <= 8; k++) {
		strcat(name, "x");
		if (safetensors_write(at("pad.safetensors"), &f, NULL) != 0 ||
		    (buf = tap_read_file(at("pad.safetensors"), &len)) == NULL) {
			good = 0;
			continue;
		}
		for (i = 7, hlen = 0; i >= 0; i--)
			hlen = hlen << 8 | buf[i];
		for (end = 8 + hlen; end > 8 && buf[end - 1] == ' '; end--)
			continue;
		good &= hlen % 8 == 0 && buf[end - 1] == '}' &&
		    len == 8 + hlen + 4;
		pads |= 1 << (8 + hlen - end);
		free(buf);
		if (safetensors_read(at("pad.safetensors"), &g, NULL) != 0 ||
		    strcmp(g.t[0].name, name) != 0)
			good = 0;
		safetensors_free(&g);
	}
	ok(good && pads == 0xff, "headers padded with 0 to 7 spaces to a "
	    "multiple of 8 (seen: %#x) and read back", pads);
	unlink(at("pad.safetensors"));
}

/* The write is atomic and refuses bad input without leaving files. */
static void
test_atomic(void)
{
	struct st_file		 f, g;
	struct st_tensor	 t[5];
	char			*key[2], *val[2], *cause = NULL;
	int			 rc;

	sample(&f, t, key, val);
	ok(count_names(".tmp.") == 0, "no temporary file after a write");
	f.n = 2;
	rc = safetensors_write(at("a.safetensors"), &f, &cause);
	free(cause);
	cause = NULL;
	rc = rc || safetensors_read(at("a.safetensors"), &g, &cause);
	ok(rc == 0 && g.n == 2 && count_names(".tmp.") == 0,
	    "a second write replaces the file: %s", cause ? cause : "ok");
	free(cause);
	safetensors_free(&g);

	t[1].name = "layer1.weight";
	cause = NULL;
	rc = safetensors_write(at("dup.safetensors"), &f, &cause);
	ok(rc == -1 && cause != NULL &&
	    strstr(cause, "duplicate tensor name \"layer1.weight\"") != NULL &&
	    count_names("dup") == 0, "duplicate names refused, nothing "
	    "left: %s", cause ? cause : "");
	free(cause);
	t[1].name = "__metadata__";
	cause = NULL;
	rc = safetensors_write(at("dup.safetensors"), &f, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "reserved") != NULL,
	    "a tensor called __metadata__ refused: %s", cause ? cause : "");
	free(cause);
	t[1].name = "layer1.bias";
	t[1].data = NULL;
	cause = NULL;
	rc = safetensors_write(at("dup.safetensors"), &f, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "no data") != NULL,
	    "a tensor without data refused: %s", cause ? cause : "");
	free(cause);
	t[1].data = b1;
	key[1] = "network";
	cause = NULL;
	rc = safetensors_write(at("dup.safetensors"), &f, &cause);
	ok(rc == -1 && cause != NULL &&
	    strstr(cause, "duplicate metadata key \"network\"") != NULL,
	    "duplicate metadata keys refused: %s", cause ? cause : "");
	free(cause);
	key[1] = "epoch";
	cause = NULL;
	rc = safetensors_write(at("missing/x.safetensors"), &f, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "missing/x."
	    "safetensors: ") != NULL && strstr(cause, ".tmp.") == NULL,
	    "a missing directory is reported, naming the target: %s",
	    cause ? cause : "");
	free(cause);
	ok(count_names(".tmp.") == 0 && count_names("dup") == 0,
	    "failed writes leave nothing behind");
}

/* A corrupted file and the part of the message its refusal must hold. */
struct corrupt {
	const char	*what;
	const char	*header;
	long long	 hlen;		/* -1: strlen(header); 0: empty file */
	size_t		 ndata;
	const char	*want;
};

/*
 * Expects reading file (in the temporary directory) to fail with a message
 * holding want and the file's name, and to leave the st_file empty.
 */
static void
refused(const char *file, const char *want, const char *what)
{
	struct st_file	 f;
	char		*cause = NULL;
	int		 rc;

	rc = safetensors_read(at(file), &f, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, want) != NULL &&
	    strstr(cause, file) != NULL && f.n == 0 && f.t == NULL &&
	    f.nmeta == 0, "%s refused: %s", what,
	    cause ? cause : "(no message)");
	free(cause);
}

/* Each corrupted file is refused with a message naming the problem. */
static void
test_corrupt(void)
{
	static const struct corrupt cases[] = {
	    { "empty file", "", 0, 0, "file too short" },
	    { "header length past the end", "{}", 1000, 0,
		"header length 1000 runs past the end of the file" },
	    { "absurd header length", "{}", 200000000, 0,
		"over the limit" },
	    { "not JSON", "{\"a\": ", -1, 0, "header is not valid JSON" },
	    { "not an object", "[1, 2]", -1, 0, "not a JSON object" },
	    { "F16 tensor", "{\"w\": {\"dtype\": \"F16\", \"shape\": [2], "
		"\"data_offsets\": [0, 4]}}", -1, 4,
		"tensor \"w\": dtype F16 is not supported" },
	    { "no dtype", "{\"w\": {\"shape\": [1], "
		"\"data_offsets\": [0, 4]}}", -1, 4,
		"tensor \"w\": missing or bad dtype" },
	    { "entry not an object", "{\"w\": 3}", -1, 0,
		"tensor \"w\": entry is not a JSON object" },
	    { "shape not an array", "{\"w\": {\"dtype\": \"F32\", "
		"\"shape\": 4, \"data_offsets\": [0, 16]}}", -1, 16,
		"missing or bad shape" },
	    { "negative dimension", "{\"w\": {\"dtype\": \"F32\", "
		"\"shape\": [-4], \"data_offsets\": [0, 16]}}", -1, 16,
		"shape entries must be integers >= 0" },
	    { "nine dimensions", "{\"w\": {\"dtype\": \"F32\", \"shape\": "
		"[1, 1, 1, 1, 1, 1, 1, 1, 1], \"data_offsets\": [0, 4]}}",
		-1, 4, "9 dimensions" },
	    { "no offsets", "{\"w\": {\"dtype\": \"F32\", \"shape\": [1]}}",
		-1, 4, "missing or bad data_offsets" },
	    { "offsets reversed", "{\"w\": {\"dtype\": \"F32\", \"shape\": "
		"[1], \"data_offsets\": [4, 0]}}", -1, 4,
		"missing or bad data_offsets" },
	    { "offsets out of range", "{\"w\": {\"dtype\": \"F32\", "
		"\"shape\": [100], \"data_offsets\": [0, 400]}}", -1, 16,
		"data_offsets [0, 400] out of range (the data buffer is 16" },
	    { "overlapping tensors", "{\"a\": {\"dtype\": \"F32\", "
		"\"shape\": [2], \"data_offsets\": [0, 8]}, \"b\": {\"dtype\": "
		"\"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", -1, 12,
		"tensor \"b\": data at 4 overlaps the tensor before" },
	    { "a gap", "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], "
		"\"data_offsets\": [0, 4]}, \"b\": {\"dtype\": \"F32\", "
		"\"shape\": [1], \"data_offsets\": [8, 12]}}", -1, 12,
		"tensor \"b\": data at 8 leaves a gap" },
	    { "bytes left over", "{\"a\": {\"dtype\": \"F32\", \"shape\": "
		"[2], \"data_offsets\": [0, 8]}}", -1, 16,
		"tensors cover 8 of the 16 data bytes" },
	    { "shape and size differ", "{\"a\": {\"dtype\": \"F32\", "
		"\"shape\": [3], \"data_offsets\": [0, 8]}}", -1, 8,
		"tensor \"a\": shape does not match data_offsets [0, 8] (12 "
		"bytes" },
	    { "duplicate names", "{\"a\": {\"dtype\": \"F32\", \"shape\": "
		"[1], \"data_offsets\": [0, 4]}, \"a\": {\"dtype\": \"F32\", "
		"\"shape\": [1], \"data_offsets\": [4, 8]}}", -1, 8,
		"duplicate name in the header" },
	    { "metadata not strings", "{\"__metadata__\": {\"epoch\": 3}}",
		-1, 0, "metadata \"epoch\" is not a string" },
	    { "metadata not an object", "{\"__metadata__\": [\"x\"]}", -1, 0,
		"__metadata__ is not a JSON object" },
	    { "20000x20000 in a small file", "{\"w\": {\"dtype\": \"F32\", "
		"\"shape\": [20000, 20000], \"data_offsets\": [0, "
		"1600000000]}}", -1, 8, "data_offsets [0, 1600000000] out of "
		"range (the data buffer is 8 bytes)" },
	    { "20000x20000 in 8 bytes", "{\"w\": {\"dtype\": \"F32\", "
		"\"shape\": [20000, 20000], \"data_offsets\": [0, 8]}}", -1,
		8, "(1600000000 bytes for F32)" },
	    { "I64 of the wrong size", "{\"n\": {\"dtype\": \"I64\", "
		"\"shape\": [2], \"data_offsets\": [0, 8]}}", -1, 8,
		"tensor \"n\": shape does not match data_offsets [0, 8] (16 "
		"bytes for I64)" },
	};
	const struct corrupt *c;
	unsigned char	*buf;
	size_t		 i, len;
	char		 name[32];

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		c = &cases[i];
		snprintf(name, sizeof name, "bad%zu.safetensors", i);
		if (c->hlen == 0)
			tap_write_file(at(name), "", 0);
		else
			put_raw(name, c->hlen < 0 ? strlen(c->header) :
			    (unsigned long long)c->hlen, c->header, c->ndata);
		refused(name, c->want, c->what);
		unlink(at(name));
	}

	/* A valid file cut short: in the data, in the header, in its length. */
	buf = tap_read_file(at("a.safetensors"), &len);
	tap_write_file(at("cut.safetensors"), buf, len - 4);
	refused("cut.safetensors", "out of range", "truncated data");
	tap_write_file(at("cut.safetensors"), buf, 20);
	refused("cut.safetensors", "runs past the end", "truncated header");
	tap_write_file(at("cut.safetensors"), buf, 5);
	refused("cut.safetensors", "file too short for a safetensors header "
	    "(5 bytes)", "a 5-byte file");
	unlink(at("cut.safetensors"));
	free(buf);
	refused("none.safetensors", "No such file", "a missing file");
	mkdir(at("adir.safetensors"), 0777);
	refused("adir.safetensors", "not a regular file", "a directory");
	rmdir(at("adir.safetensors"));
}

/*
 * I64 tensors (PyTorch's num_batches_tracked is an I64 scalar): a file
 * made byte by byte reads, and a mixed file round-trips with the I64
 * tensors laid out first, as the reference implementation does.
 */
static void
test_i64(void)
{
	static const char	 hdr[] = "{\"bn.num_batches_tracked\": "
				     "{\"dtype\": \"I64\", \"shape\": [], "
				     "\"data_offsets\": [0, 8]}}";
	static int64_t		 steps[1] = { 123456789012LL };
	static int64_t		 neg[3] = { -1, 0, INT64_MIN };
	static float		 w[2] = { 0.5f, -2 };
	struct st_file		 f, g;
	struct st_tensor	 t[3];
	const struct st_tensor	*x;
	unsigned char		 buf[8 + sizeof hdr + 8];
	size_t			 hl = strlen(hdr), i, len;
	unsigned char		*raw;
	json_t			*root;
	char			*cause = NULL;
	int			 rc;

	for (i = 0; i < 8; i++)
		buf[i] = (unsigned char)((unsigned long long)hl >> (8 * i));
	memcpy(buf + 8, hdr, hl);
	for (i = 0; i < 8; i++)
		buf[8 + hl + i] = (unsigned char)(42ULL >> (8 * i));
	tap_write_file(at("i64.safetensors"), buf, 8 + hl + 8);
	rc = safetensors_read(at("i64.safetensors"), &g, &cause);
	x = rc == 0 ? safetensors_find(&g, "bn.num_batches_tracked") : NULL;
	ok(x != NULL && x->dtype == ST_I64 && x->ndim == 0 &&
	    safetensors_numel(x) == 1 && x->data == NULL && x->i64 != NULL &&
	    x->i64[0] == 42, "an I64 scalar reads as 42 (%s)",
	    cause ? cause : "ok");
	free(cause);
	cause = NULL;
	safetensors_free(&g);

	memset(&f, 0, sizeof f);
	memset(t, 0, sizeof t);
	f.n = 3;
	f.t = t;
	t[0].name = "a.weight";
	t[0].ndim = 1;
	t[0].shape[0] = 2;
	t[0].data = w;
	t[1].name = "z.steps";
	t[1].dtype = ST_I64;
	t[1].i64 = steps;
	t[2].name = "b.codes";
	t[2].dtype = ST_I64;
	t[2].ndim = 1;
	t[2].shape[0] = 3;
	t[2].i64 = neg;
	rc = safetensors_write(at("mixed.safetensors"), &f, &cause);
	rc = rc || safetensors_read(at("mixed.safetensors"), &g, &cause);
	ok(rc == 0 && g.n == 3 &&
	    (x = safetensors_find(&g, "z.steps")) != NULL &&
	    x->dtype == ST_I64 && x->i64[0] == steps[0] &&
	    (x = safetensors_find(&g, "b.codes")) != NULL &&
	    x->dtype == ST_I64 && memcmp(x->i64, neg, sizeof neg) == 0 &&
	    (x = safetensors_find(&g, "a.weight")) != NULL &&
	    x->dtype == ST_F32 && x->i64 == NULL &&
	    memcmp(x->data, w, sizeof w) == 0,
	    "F32 and I64 tensors round-trip (%s)", cause ? cause : "ok");
	free(cause);
	cause = NULL;
	safetensors_free(&g);
	raw = tap_read_file(at("mixed.safetensors"), &len);
	root = raw != NULL && len > 8 ? json_loadb((char *)raw + 8,
	    raw[0] | (size_t)raw[1] << 8, 0, NULL) : NULL;
	ok(root != NULL &&
	    json_integer_value(json_array_get(json_object_get(json_object_get(
	    root, "b.codes"), "data_offsets"), 0)) == 0 &&
	    json_integer_value(json_array_get(json_object_get(json_object_get(
	    root, "z.steps"), "data_offsets"), 0)) == 24 &&
	    json_integer_value(json_array_get(json_object_get(json_object_get(
	    root, "a.weight"), "data_offsets"), 0)) == 32 &&
	    strcmp(json_string_value(json_object_get(json_object_get(root,
	    "z.steps"), "dtype")), "I64") == 0,
	    "I64 tensors first (by name), then F32: offsets 0, 24, 32");
	json_decref(root);
	free(raw);

	t[1].name = "a.weight";
	rc = safetensors_write(at("dupd.safetensors"), &f, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "duplicate tensor name "
	    "\"a.weight\"") != NULL,
	    "a name used by an F32 and an I64 tensor is refused: %s",
	    cause ? cause : "(none)");
	free(cause);
}

/*
 * Saving never replaces anything but a regular file, and writes through a
 * symbolic link to its target; messages name the target.
 */
static void
test_save_target(void)
{
	struct st_file		 f, g;
	struct st_tensor	 t[5];
	struct stat		 st;
	char			*key[2], *val[2], *cause = NULL;
	int			 rc;

	sample(&f, t, key, val);
	tap_write_file(at("real.safetensors"), "old", 3);
	symlink("real.safetensors", at("link.safetensors"));
	rc = safetensors_write(at("link.safetensors"), &f, &cause);
	rc = rc || safetensors_read(at("real.safetensors"), &g, &cause);
	ok(rc == 0 && g.n == 5 && lstat(at("link.safetensors"), &st) == 0 &&
	    S_ISLNK(st.st_mode), "a symbolic link is written through to its "
	    "target and stays a link (%s)", cause ? cause : "ok");
	free(cause);
	cause = NULL;
	safetensors_free(&g);
	unlink(at("link.safetensors"));
	unlink(at("real.safetensors"));
	mkdir(at("dir.safetensors"), 0777);
	rc = safetensors_write(at("dir.safetensors"), &f, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "dir.safetensors is "
	    "not a regular file") != NULL && count_names(".tmp.") == 0,
	    "a directory is not replaced: %s", cause ? cause : "(none)");
	free(cause);
	cause = NULL;
	rmdir(at("dir.safetensors"));
	if (access("/dev/full", W_OK) == 0) {
		symlink("/dev/full", at("full.safetensors"));
		rc = safetensors_write(at("full.safetensors"), &f, &cause);
		ok(rc == -1 && cause != NULL && strstr(cause,
		    "full.safetensors is not a regular file") != NULL &&
		    stat("/dev/full", &st) == 0 && S_ISCHR(st.st_mode),
		    "a link to a device is refused, the device untouched: %s",
		    cause ? cause : "(none)");
		free(cause);
		unlink(at("full.safetensors"));
	} else
		skip(1, "no /dev/full");
}

/*
 * Makes the Nth allocation fail for N = 0, 1, ... until the call succeeds:
 * every failure must report running out of memory (leaks show under ASan).
 */
static void
test_alloc_failure(void)
{
	struct st_file		 f, g;
	struct st_tensor	 t[5];
	char			*key[2], *val[2], *cause;
	long			 n;
	int			 rc, reported = 1;

	sample(&f, t, key, val);
	safetensors_write(at("a.safetensors"), &f, NULL);
	for (n = 0; n < 100; n++) {
		cause = NULL;
		mem_fail_after(n);
		rc = safetensors_read(at("a.safetensors"), &g, &cause);
		mem_fail_after(-1);
		if (rc == 0)
			break;
		if (cause == NULL || strstr(cause, "out of memory") == NULL) {
			diag("allocation %ld: %s", n, cause ? cause : "none");
			reported = 0;
		}
		free(cause);
	}
	ok(rc == 0 && n > 5 && reported && g.n == 5,
	    "read: each of %ld allocation failures reported", n);
	safetensors_free(&g);
	for (n = 0, reported = 1; n < 100; n++) {
		cause = NULL;
		mem_fail_after(n);
		rc = safetensors_write(at("b.safetensors"), &f, &cause);
		mem_fail_after(-1);
		if (rc == 0)
			break;
		if (cause == NULL || strstr(cause, "out of memory") == NULL)
			reported = 0;
		free(cause);
	}
	ok(rc == 0 && n >= 1 && reported && count_names(".tmp.") == 0,
	    "write: each of %ld allocation failures reported", n);
}

/* Removes every file of the temporary directory, then the directory. */
static void
cleanup(void)
{
	DIR		*d = opendir(tmpdir);
	struct dirent	*e;

	while (d != NULL && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlink(at(e->d_name));
	if (d != NULL)
		closedir(d);
	ok(rmdir(tmpdir) == 0, "temporary directory removed");
}

/*
 * A few-byte checkpoint whose description declares a 20000 x 20000 linear
 * layer is refused before anything that size is allocated: a description
 * may declare no more values than the file holds.
 */
static void
test_budget(void)
{
	static const char	header[] = "{\"__metadata__\": {\"snnwb.net\": "
	    "\"{\\\"layers\\\": [{\\\"type\\\": \\\"linear\\\", "
	    "\\\"in\\\": 20000, \\\"out\\\": 20000}]}\"}, \"0.weight\": "
	    "{\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}";
	unsigned char		 buf[512];
	size_t			 n = sizeof header - 1, padded = (n + 7) / 8 * 8;
	struct net		*net;
	char			*cause = NULL;
	int			 i;

	for (i = 0; i < 8; i++)
		buf[i] = (unsigned char)(padded >> (8 * i));
	memcpy(buf + 8, header, n);
	memset(buf + 8 + n, ' ', padded - n);
	memset(buf + 8 + padded, 0, 4);
	tap_write_file(at("budget.safetensors"), buf, 8 + padded + 4);
	net = checkpoint_load(at("budget.safetensors"), &cause);
	ok(net == NULL && cause != NULL &&
	    strstr(cause, "more than the checkpoint holds") != NULL,
	    "a description larger than its file is refused before it is "
	    "allocated: %s", cause != NULL ? cause : "(loaded)");
	net_free(net);
	free(cause);
}

int
main(void)
{
	const char	*base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof tmpdir, "%s/test-safetensors.XXXXXX",
	    base != NULL && *base != '\0' ? base : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		skip_all("cannot create a temporary directory");
	test_round_trip();
	test_bytes();
	test_padding();
	test_atomic();
	test_corrupt();
	test_i64();
	test_save_target();
	test_alloc_failure();
	test_budget();
	cleanup();
	return done_testing();
}
