/*
 * safetensors.c: reading and writing the safetensors format, so weights and
 * checkpoints go to and from the PyTorch world. A file is an 8-byte
 * little-endian header length N, N bytes of JSON header naming each tensor's
 * dtype, shape and [begin, end) byte range in the data buffer that follows,
 * plus an optional "__metadata__" object of strings. snnwb reads and writes
 * F32 (parameters) and I64 (counters such as PyTorch's num_batches_tracked,
 * a scalar); the bytes on disk are little-endian whatever the host (values
 * are converted byte by byte, which compilers reduce to copies on
 * little-endian hosts). Sizes are checked against the file before anything
 * is allocated for them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "nn.h"

/* The reference implementation's limit on the header size. */
#define ST_MAXHEADER 100000000ULL

/* Floats converted at a time when writing. */
#define ST_CHUNK 4096

/* The metadata key of the header. */
#define ST_META "__metadata__"

/* The dtypes: their names in the header and the size of an element. */
static const struct st_type {
	const char	*name;
	uint64_t	 size;
} st_types[] = {
	[ST_F32] = { "F32", 4 },
	[ST_I64] = { "I64", 8 },
};
#define ST_NTYPES ((int)(sizeof st_types / sizeof st_types[0]))

/* A tensor's byte range in the data buffer, and its index in the file. */
struct st_span {
	uint64_t	begin;
	uint64_t	end;
	int		index;
};

/*
 * Stores in *numel the element count of shape (ndim dimensions, each >= 0);
 * returns -1 (and 0 in *numel) if its size in bytes (8 per element at
 * most) would overflow 64 bits.
 */
static int
st_count(const int64_t *shape, int ndim, uint64_t *numel)
{
	uint64_t	n = 1;
	int		i;

	*numel = 0;
	for (i = 0; i < ndim; i++) {
		if (shape[i] != 0 && n > UINT64_MAX / 8 / (uint64_t)shape[i])
			return -1;
		n *= (uint64_t)shape[i];
	}
	*numel = n;
	return 0;
}

/* Returns the number of elements of a tensor that was read or validated. */
size_t
safetensors_numel(const struct st_tensor *t)
{
	uint64_t	n;

	st_count(t->shape, t->ndim, &n);
	return (size_t)n;
}

/* Encodes n floats of x as little-endian bytes into out (4 n bytes). */
static void
st_encode(unsigned char *out, const float *x, size_t n)
{
	uint32_t	u;
	size_t		i;

	for (i = 0; i < n; i++) {
		memcpy(&u, &x[i], sizeof u);
		out[4 * i] = (unsigned char)u;
		out[4 * i + 1] = (unsigned char)(u >> 8);
		out[4 * i + 2] = (unsigned char)(u >> 16);
		out[4 * i + 3] = (unsigned char)(u >> 24);
	}
}

/* Encodes n int64s of x as little-endian bytes into out (8 n bytes). */
static void
st_encode_i64(unsigned char *out, const int64_t *x, size_t n)
{
	uint64_t	u;
	size_t		i;
	int		k;

	for (i = 0; i < n; i++) {
		u = (uint64_t)x[i];
		for (k = 0; k < 8; k++)
			out[8 * i + k] = (unsigned char)(u >> (8 * k));
	}
}

/* Turns the 8 n little-endian bytes at x into n host int64s, in place. */
static void
st_decode_i64(int64_t *x, size_t n)
{
	const unsigned char	*b = (const unsigned char *)x;
	uint64_t		 u;
	size_t			 i;
	int			 k;

	for (i = 0; i < n; i++) {
		for (u = 0, k = 7; k >= 0; k--)
			u = u << 8 | b[8 * i + k];
		memcpy(&x[i], &u, sizeof u);
	}
}

/* Turns the 4 n little-endian bytes at x into n host floats, in place. */
static void
st_decode(float *x, size_t n)
{
	const unsigned char	*b = (const unsigned char *)x;
	uint32_t		 u;
	size_t			 i;

	for (i = 0; i < n; i++) {
		u = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 |
		    (uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24;
		memcpy(&x[i], &u, sizeof u);
	}
}

/*
 * Orders tensor pointers as the file lays them out, as the reference
 * implementation does: larger elements first (I64 before F32, so that
 * every tensor stays aligned), then by name.
 */
static int
st_cmp_layout(const void *a, const void *b)
{
	const struct st_tensor	*ta = *(const struct st_tensor *const *)a;
	const struct st_tensor	*tb = *(const struct st_tensor *const *)b;
	uint64_t		 sa = st_types[ta->dtype].size;
	uint64_t		 sb = st_types[tb->dtype].size;

	if (sa != sb)
		return sa > sb ? -1 : 1;
	return strcmp(ta->name, tb->name);
}

/* Orders byte ranges by start, then end (empty tensors first). */
static int
st_cmp_span(const void *a, const void *b)
{
	const struct st_span	*sa = a, *sb = b;

	if (sa->begin != sb->begin)
		return sa->begin < sb->begin ? -1 : 1;
	if (sa->end != sb->end)
		return sa->end < sb->end ? -1 : 1;
	return 0;
}

/* Checks the tensors and metadata of f before anything is written. */
static int
st_check(const char *path, const struct st_file *f, char **cause)
{
	uint64_t	numel;
	int		i, k;

	for (i = 0; i < f->n; i++) {
		const struct st_tensor	*t = &f->t[i];

		if (t->name == NULL || strcmp(t->name, ST_META) == 0)
			return error_set(cause, "%s: tensor %d: missing or "
			    "reserved name", path, i);
		if ((int)t->dtype < 0 || (int)t->dtype >= ST_NTYPES)
			return error_set(cause, "%s: tensor \"%s\": unknown "
			    "dtype %d", path, t->name, (int)t->dtype);
		if (t->ndim < 0 || t->ndim > ST_MAXDIM)
			return error_set(cause, "%s: tensor \"%s\": %d "
			    "dimensions (0 to %d allowed)", path, t->name,
			    t->ndim, ST_MAXDIM);
		for (k = 0; k < t->ndim; k++)
			if (t->shape[k] < 0)
				return error_set(cause, "%s: tensor \"%s\": "
				    "negative dimension", path, t->name);
		if (st_count(t->shape, t->ndim, &numel) != 0)
			return error_set(cause, "%s: tensor \"%s\": shape too "
			    "large", path, t->name);
		if (numel != 0 && (t->dtype == ST_F32 ? t->data == NULL :
		    t->i64 == NULL))
			return error_set(cause, "%s: tensor \"%s\": no data",
			    path, t->name);
	}
	for (i = 0; i < f->nmeta; i++)
		if (f->meta_key[i] == NULL || f->meta_val[i] == NULL)
			return error_set(cause, "%s: metadata entry %d is "
			    "missing its key or value", path, i);
	return 0;
}

/*
 * Builds the header of f with the tensors in the given order, laid out one
 * after the other: "__metadata__" first, then the tensors. Returns a new
 * reference, or NULL with a message.
 */
static json_t *
st_header(const char *path, const struct st_file *f,
    const struct st_tensor **order, char **cause)
{
	json_t		*root, *meta, *shape, *desc;
	uint64_t	 offset = 0, numel;
	int		 i, k;

	if ((root = json_object()) == NULL)
		goto nomem;
	if (f->nmeta > 0) {
		if ((meta = json_object()) == NULL ||
		    json_object_set_new(root, ST_META, meta) != 0)
			goto nomem;
		for (i = 0; i < f->nmeta; i++) {
			if (json_object_get(meta, f->meta_key[i]) != NULL) {
				error_set(cause, "%s: duplicate metadata key "
				    "\"%s\"", path, f->meta_key[i]);
				goto fail;
			}
			if (json_object_set_new(meta, f->meta_key[i],
			    json_string(f->meta_val[i])) != 0) {
				error_set(cause, "%s: metadata \"%s\" is not "
				    "UTF-8 (or out of memory)", path,
				    f->meta_key[i]);
				goto fail;
			}
		}
	}
	for (i = 0; i < f->n; i++) {
		const struct st_tensor	*t = order[i];

		if (json_object_get(root, t->name) != NULL) {
			error_set(cause, "%s: duplicate tensor name \"%s\"",
			    path, t->name);
			goto fail;
		}
		if ((shape = json_array()) == NULL)
			goto nomem;
		for (k = 0; k < t->ndim; k++) {
			if (json_array_append_new(shape,
			    json_integer((json_int_t)t->shape[k])) != 0) {
				json_decref(shape);
				goto nomem;
			}
		}
		st_count(t->shape, t->ndim, &numel);
		numel *= st_types[t->dtype].size;
		/* "o" hands shape over to desc, also when packing fails. */
		desc = json_pack("{s:s, s:o, s:[I, I]}", "dtype",
		    st_types[t->dtype].name, "shape", shape, "data_offsets",
		    (json_int_t)offset, (json_int_t)(offset + numel));
		if (desc == NULL)
			goto nomem;
		if (json_object_set_new(root, t->name, desc) != 0) {
			error_set(cause, "%s: tensor name \"%s\" is not UTF-8 "
			    "(or out of memory)", path, t->name);
			goto fail;
		}
		offset += numel;
	}
	return root;

nomem:
	error_set(cause, "%s: out of memory building the header", path);
fail:
	json_decref(root);
	return NULL;
}

/* Writes the elements of t to fp as little-endian bytes; -1 on error. */
static int
st_write_tensor(FILE *fp, const struct st_tensor *t)
{
	unsigned char	buf[8 * ST_CHUNK];
	size_t		n = safetensors_numel(t), done, k;

	for (done = 0; done < n; done += k) {
		k = n - done < ST_CHUNK ? n - done : ST_CHUNK;
		if (t->dtype == ST_F32)
			st_encode(buf, t->data + done, k);
		else
			st_encode_i64(buf, t->i64 + done, k);
		if (fwrite(buf, (size_t)st_types[t->dtype].size, k, fp) != k)
			return -1;
	}
	return 0;
}

/*
 * Writes the header length, the header padded with spaces to a multiple of
 * 8 bytes, and the data of the tensors in order to fp; -1 on a write error.
 */
static int
st_write_stream(FILE *fp, const char *json, int n,
    const struct st_tensor **order)
{
	unsigned char	len8[8];
	size_t		len = strlen(json), padded = (len + 7) & ~(size_t)7;
	int		i;

	for (i = 0; i < 8; i++)
		len8[i] = (unsigned char)((uint64_t)padded >> (8 * i));
	if (fwrite(len8, 1, 8, fp) != 8 || fwrite(json, 1, len, fp) != len)
		return -1;
	for (; len < padded; len++)
		if (putc(' ', fp) == EOF)
			return -1;
	for (i = 0; i < n; i++)
		if (st_write_tensor(fp, order[i]) != 0)
			return -1;
	return 0;
}

/* What st_write_file writes: the header text and the tensors in order. */
struct st_out {
	const char		 *json;
	int			  n;
	const struct st_tensor	**order;
};

/* Writes a struct st_out to fp (for file_write_atomic). */
static int
st_write_file(FILE *fp, void *arg)
{
	const struct st_out	*o = arg;

	return st_write_stream(fp, o->json, o->n, o->order);
}

/*
 * Writes f to path atomically (see file_write_atomic: path must be missing
 * or a regular file, and a symbolic link is written through). Tensors are
 * laid out in the order of st_cmp_layout. f is not changed.
 */
int
safetensors_write(const char *path, const struct st_file *f, char **cause)
{
	const struct st_tensor	**order = NULL;
	struct st_out		  o;
	json_t			 *root = NULL;
	char			 *json = NULL;
	int			  i, rc = -1;

	if (st_check(path, f, cause) != 0)
		return -1;
	if ((order = mem_calloc((size_t)f->n, sizeof *order)) == NULL) {
		error_set(cause, "%s: out of memory", path);
		goto out;
	}
	for (i = 0; i < f->n; i++)
		order[i] = &f->t[i];
	qsort(order, (size_t)f->n, sizeof *order, st_cmp_layout);
	if ((root = st_header(path, f, order, cause)) == NULL)
		goto out;
	if ((json = json_dumps(root, JSON_COMPACT)) == NULL) {
		error_set(cause, "%s: out of memory writing the header", path);
		goto out;
	}
	o.json = json;
	o.n = f->n;
	o.order = order;
	rc = file_write_atomic(path, st_write_file, &o, cause);
out:
	free(json);
	json_decref(root);
	mem_free(order);
	return rc;
}

/* Reads a non-negative JSON integer into *out; -1 if v is not one. */
static int
st_uint(const json_t *v, uint64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return -1;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

/*
 * Fills t (name already set) and its byte range sp from the header entry v,
 * checking dtype, shape and offsets against a data buffer of size bytes.
 */
static int
st_parse_tensor(const char *path, const json_t *v, struct st_tensor *t,
    struct st_span *sp, uint64_t size, char **cause)
{
	const json_t	*dtype, *shape, *offs;
	uint64_t	 dim, numel;
	size_t		 k;
	int		 d;

	if (!json_is_object(v))
		return error_set(cause, "%s: tensor \"%s\": entry is not a "
		    "JSON object", path, t->name);
	dtype = json_object_get(v, "dtype");
	if (!json_is_string(dtype))
		return error_set(cause, "%s: tensor \"%s\": missing or bad "
		    "dtype", path, t->name);
	for (d = 0; d < ST_NTYPES; d++)
		if (strcmp(json_string_value(dtype), st_types[d].name) == 0)
			break;
	if (d == ST_NTYPES)
		return error_set(cause, "%s: tensor \"%s\": dtype %s is not "
		    "supported (only F32 and I64)", path, t->name,
		    json_string_value(dtype));
	t->dtype = (enum st_dtype)d;
	shape = json_object_get(v, "shape");
	if (!json_is_array(shape))
		return error_set(cause, "%s: tensor \"%s\": missing or bad "
		    "shape", path, t->name);
	if (json_array_size(shape) > ST_MAXDIM)
		return error_set(cause, "%s: tensor \"%s\": %zu dimensions "
		    "(at most %d supported)", path, t->name,
		    json_array_size(shape), ST_MAXDIM);
	t->ndim = (int)json_array_size(shape);
	for (k = 0; k < json_array_size(shape); k++) {
		if (st_uint(json_array_get(shape, k), &dim) != 0)
			return error_set(cause, "%s: tensor \"%s\": shape "
			    "entries must be integers >= 0", path, t->name);
		t->shape[k] = (int64_t)dim;
	}
	offs = json_object_get(v, "data_offsets");
	if (!json_is_array(offs) || json_array_size(offs) != 2 ||
	    st_uint(json_array_get(offs, 0), &sp->begin) != 0 ||
	    st_uint(json_array_get(offs, 1), &sp->end) != 0 ||
	    sp->begin > sp->end)
		return error_set(cause, "%s: tensor \"%s\": missing or bad "
		    "data_offsets (want [begin, end], 0 <= begin <= end)", path,
		    t->name);
	if (sp->end > size)
		return error_set(cause, "%s: tensor \"%s\": data_offsets "
		    "[%" PRIu64 ", %" PRIu64 "] out of range (the data buffer "
		    "is %" PRIu64 " bytes)", path, t->name, sp->begin, sp->end,
		    size);
	if (st_count(t->shape, t->ndim, &numel) != 0)
		return error_set(cause, "%s: tensor \"%s\": shape too large",
		    path, t->name);
	if (numel * st_types[d].size != sp->end - sp->begin)
		return error_set(cause, "%s: tensor \"%s\": shape does not "
		    "match data_offsets [%" PRIu64 ", %" PRIu64 "] (%" PRIu64
		    " bytes for %s)", path, t->name, sp->begin, sp->end,
		    numel * st_types[d].size, st_types[d].name);
	return 0;
}

/* Copies the "__metadata__" object m (strings only) into f. */
static int
st_parse_meta(const char *path, json_t *m, struct st_file *f, char **cause)
{
	const char	*key;
	json_t		*v;
	size_t		 n = json_object_size(m);

	if (!json_is_object(m))
		return error_set(cause, "%s: %s is not a JSON object", path,
		    ST_META);
	if ((f->meta_key = mem_calloc(n, sizeof *f->meta_key)) == NULL ||
	    (f->meta_val = mem_calloc(n, sizeof *f->meta_val)) == NULL)
		return error_set(cause, "%s: out of memory", path);
	json_object_foreach(m, key, v) {
		if (!json_is_string(v))
			return error_set(cause, "%s: metadata \"%s\" is not a "
			    "string", path, key);
		f->meta_key[f->nmeta] = mem_strdup(key);
		f->meta_val[f->nmeta] = mem_strdup(json_string_value(v));
		f->nmeta++;
		if (f->meta_key[f->nmeta - 1] == NULL ||
		    f->meta_val[f->nmeta - 1] == NULL)
			return error_set(cause, "%s: out of memory", path);
	}
	return 0;
}

/*
 * Checks that the sorted byte ranges sp (n of them) tile the data buffer of
 * size bytes exactly: no gap, no overlap.
 */
static int
st_check_cover(const char *path, const struct st_file *f,
    const struct st_span *sp, int n, uint64_t size, char **cause)
{
	uint64_t	at = 0;
	int		i;

	for (i = 0; i < n; i++) {
		if (sp[i].begin != at)
			return error_set(cause, "%s: tensor \"%s\": data at "
			    "%" PRIu64 " %s (expected %" PRIu64 ")", path,
			    f->t[sp[i].index].name, sp[i].begin,
			    sp[i].begin < at ? "overlaps the tensor before" :
			    "leaves a gap", at);
		at = sp[i].end;
	}
	if (at != size)
		return error_set(cause, "%s: tensors cover %" PRIu64 " of the "
		    "%" PRIu64 " data bytes", path, at, size);
	return 0;
}

/*
 * Reads the tensors' data from fp, positioned at the start of the data
 * buffer, in the order of the sorted ranges sp (which tile the buffer).
 */
static int
st_read_data(const char *path, FILE *fp, struct st_file *f,
    const struct st_span *sp, char **cause)
{
	struct st_tensor	*t;
	size_t			 bytes;
	void			*buf;
	int			 i;

	for (i = 0; i < f->n; i++) {
		t = &f->t[sp[i].index];
		bytes = (size_t)(sp[i].end - sp[i].begin);
		if (bytes == 0)
			continue;
		if ((buf = mem_alloc(bytes)) == NULL)
			return error_set(cause, "%s: out of memory for tensor "
			    "\"%s\"", path, t->name);
		if (t->dtype == ST_F32)
			t->data = buf;
		else
			t->i64 = buf;
		if (fread(buf, 1, bytes, fp) != bytes)
			return error_set(cause, "%s: tensor \"%s\": file "
			    "truncated", path, t->name);
		if (t->dtype == ST_F32)
			st_decode(t->data, bytes / 4);
		else
			st_decode_i64(t->i64, bytes / 8);
	}
	return 0;
}

/*
 * Parses the header root of path (data buffer of size bytes) into f and
 * returns the tensors' byte ranges, sorted, in *spans (freed by the caller).
 */
static int
st_parse(const char *path, json_t *root, uint64_t size, struct st_file *f,
    struct st_span **spans, char **cause)
{
	struct st_span	*sp;
	const char	*key;
	json_t		*v, *meta;
	size_t		 n;
	int		 i = 0;

	if (!json_is_object(root))
		return error_set(cause, "%s: header is not a JSON object",
		    path);
	meta = json_object_get(root, ST_META);
	n = json_object_size(root) - (meta != NULL);
	if ((f->t = mem_calloc(n, sizeof *f->t)) == NULL ||
	    (*spans = sp = mem_calloc(n, sizeof *sp)) == NULL)
		return error_set(cause, "%s: out of memory", path);
	f->n = (int)n;
	if (meta != NULL && st_parse_meta(path, meta, f, cause) != 0)
		return -1;
	json_object_foreach(root, key, v) {
		if (v == meta)
			continue;
		if ((f->t[i].name = mem_strdup(key)) == NULL)
			return error_set(cause, "%s: out of memory", path);
		sp[i].index = i;
		if (st_parse_tensor(path, v, &f->t[i], &sp[i], size,
		    cause) != 0)
			return -1;
		i++;
	}
	qsort(sp, n, sizeof *sp, st_cmp_span);
	return st_check_cover(path, f, sp, f->n, size, cause);
}

/* Reads and parses the JSON header of hlen bytes from fp. */
static json_t *
st_load_header(const char *path, FILE *fp, size_t hlen, char **cause)
{
	json_error_t	 jerr;
	json_t		*root = NULL;
	char		*buf;

	if ((buf = mem_alloc(hlen)) == NULL) {
		error_set(cause, "%s: out of memory for a %zu-byte header",
		    path, hlen);
		return NULL;
	}
	if (fread(buf, 1, hlen, fp) != hlen)
		error_set(cause, "%s: cannot read the header", path);
	else if ((root = json_loadb(buf, hlen, JSON_REJECT_DUPLICATES,
	    &jerr)) == NULL) {
		if (json_error_code(&jerr) == json_error_duplicate_key)
			error_set(cause, "%s: duplicate name in the header "
			    "(%s)", path, jerr.text);
		else
			error_set(cause, "%s: header is not valid JSON: %s "
			    "(header byte %d)", path, jerr.text, jerr.position);
	}
	mem_free(buf);
	return root;
}

/*
 * Reads the safetensors file at path into f, which then owns everything in
 * it (free with safetensors_free, also after a failure), the tensors' data
 * only with data set. Tensors keep the header's order; each is F32 or
 * I64. Every size is checked against the file before the data is
 * allocated.
 */
static int
st_read(const char *path, struct st_file *f, int data, char **cause)
{
	struct st_span	*spans = NULL;
	unsigned char	 len8[8];
	json_t		*root = NULL;
	FILE		*fp;
	uint64_t	 hlen = 0, size;
	size_t		 fsize;
	int		 fd, i, rc = -1;

	memset(f, 0, sizeof *f);
	if ((fd = file_open_regular(path, &fsize, cause)) == -1)
		return -1;
	if ((fp = fdopen(fd, "rb")) == NULL) {
		close(fd);
		return error_set(cause, "%s: %s", path, strerror(errno));
	}
	size = (uint64_t)fsize;
	if (size < 8 || fread(len8, 1, 8, fp) != 8) {
		error_set(cause, "%s: file too short for a safetensors header "
		    "(%" PRIu64 " bytes)", path, size);
		goto out;
	}
	for (i = 7; i >= 0; i--)
		hlen = hlen << 8 | len8[i];
	if (hlen > ST_MAXHEADER) {
		error_set(cause, "%s: header length %" PRIu64 " is over the "
		    "limit of %llu bytes", path, hlen, ST_MAXHEADER);
		goto out;
	}
	if (hlen > size - 8) {
		error_set(cause, "%s: header length %" PRIu64 " runs past the "
		    "end of the file (%" PRIu64 " bytes)", path, hlen, size);
		goto out;
	}
	if ((root = st_load_header(path, fp, (size_t)hlen, cause)) == NULL ||
	    st_parse(path, root, size - 8 - hlen, f, &spans, cause) != 0 ||
	    (data && st_read_data(path, fp, f, spans, cause) != 0))
		goto out;
	rc = 0;
out:
	json_decref(root);
	mem_free(spans);
	fclose(fp);
	if (rc != 0)
		safetensors_free(f);
	return rc;
}

/* Reads the safetensors file at path into f (see st_read). */
int
safetensors_read(const char *path, struct st_file *f, char **cause)
{
	return st_read(path, f, 1, cause);
}

/*
 * Reads and checks only the header of the safetensors file at path into
 * f: names, shapes and metadata, no tensor data (the pointers NULL).
 */
int
safetensors_read_header(const char *path, struct st_file *f, char **cause)
{
	return st_read(path, f, 0, cause);
}

/* Returns the tensor called name in f, or NULL. */
const struct st_tensor *
safetensors_find(const struct st_file *f, const char *name)
{
	int	i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->t[i].name, name) == 0)
			return &f->t[i];
	return NULL;
}

/* Returns the metadata value for key in f, or NULL. */
const char *
safetensors_meta(const struct st_file *f, const char *key)
{
	int	i;

	for (i = 0; i < f->nmeta; i++)
		if (strcmp(f->meta_key[i], key) == 0)
			return f->meta_val[i];
	return NULL;
}

/* Frees everything a safetensors_read filled in f and empties it. */
void
safetensors_free(struct st_file *f)
{
	int	i;

	for (i = 0; i < f->n; i++) {
		mem_free(f->t[i].name);
		mem_free(f->t[i].data);
		mem_free(f->t[i].i64);
	}
	for (i = 0; i < f->nmeta; i++) {
		mem_free(f->meta_key[i]);
		mem_free(f->meta_val[i]);
	}
	mem_free(f->t);
	mem_free(f->meta_key);
	mem_free(f->meta_val);
	memset(f, 0, sizeof *f);
}
