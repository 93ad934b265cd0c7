/*
 * data-idx.c: the IDX files of MNIST and Fashion-MNIST, plain or gzip, and
 * whole files read the same way for other formats.
 *
 * An IDX file is a 4-byte magic (two zero bytes, a type code, the number of
 * dimensions), one big-endian 32-bit size per dimension, then the data in
 * row-major order. Only unsigned bytes (type 0x08) are read: images have
 * magic 0x00000803 (count, rows, columns), labels 0x00000801 (count).
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "data.h"

#define DATA_IDX_UBYTE		0x08
#define DATA_IDX_MAXDIM		4
#define DATA_IDX_FIRST		(1u << 20)	/* first allocation */
#define DATA_IDX_GZCHUNK	(1u << 30)	/* largest single gzread */

/* Where the bytes come from: a file through zlib, or a buffer in memory. */
struct data_idx_src {
	const char	*name;		/* for messages */
	gzFile		 gz;		/* NULL for a memory source */
	const uint8_t	*buf;		/* memory source: the bytes */
	size_t		 len;
	size_t		 pos;
};

/*
 * Reads up to n bytes into dst and stores the count in *got (fewer than n
 * only at the end of the data); returns -1 with a message on a read error
 * or damaged gzip data. A gzip stream that just stops counts as an end.
 */
static int
data_idx_pull(struct data_idx_src *src, void *dst, size_t n, size_t *got,
    char **cause)
{
	uint8_t		*p = dst;
	const char	*msg;
	size_t		 chunk;
	int		 r, err;

	*got = 0;
	if (src->gz == NULL) {
		chunk = src->len - src->pos < n ? src->len - src->pos : n;
		if (chunk != 0)
			memcpy(p, src->buf + src->pos, chunk);
		src->pos += chunk;
		*got = chunk;
		return 0;
	}
	while (*got < n) {
		chunk = n - *got;
		if (chunk > DATA_IDX_GZCHUNK)
			chunk = DATA_IDX_GZCHUNK;
		r = gzread(src->gz, p + *got, (unsigned)chunk);
		if (r > 0)
			*got += (size_t)r;
		if (r == (int)chunk)
			continue;
		msg = gzerror(src->gz, &err);
		if (err == Z_ERRNO)
			return error_set(cause, "%s: %s", src->name,
			    strerror(errno));
		if (err != Z_OK && err != Z_BUF_ERROR)
			return error_set(cause, "%s: gzip: %s", src->name, msg);
		break;
	}
	return 0;
}

/*
 * Reads the magic and the sizes, and checks them; fills ndim, dims and n
 * of out and stores the header length in *hlen.
 */
static int
data_idx_header(struct data_idx_src *src, struct idx *out, size_t *hlen,
    char **cause)
{
	uint8_t		 h[4 * (1 + DATA_IDX_MAXDIM)], *d;
	uint32_t	 magic, dim;
	size_t		 got, n = 1;
	int		 i, ndim;

	if (data_idx_pull(src, h, 4, &got, cause) != 0)
		return -1;
	if (got < 4)
		return error_set(cause, "%s: %zu bytes, too short for the "
		    "4-byte IDX magic", src->name, got);
	magic = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 |
	    (uint32_t)h[2] << 8 | h[3];
	ndim = h[3];
	if (h[0] != 0 || h[1] != 0)
		return error_set(cause, "%s: bad magic 0x%08x at byte 0 "
		    "(not an IDX file)", src->name, magic);
	if (h[2] != DATA_IDX_UBYTE)
		return error_set(cause, "%s: magic 0x%08x: IDX type 0x%02x is "
		    "not supported (unsigned bytes, 0x08, only)", src->name,
		    magic, h[2]);
	if (ndim < 1 || ndim > DATA_IDX_MAXDIM)
		return error_set(cause, "%s: magic 0x%08x: %d dimensions, "
		    "want 1 to %d", src->name, magic, ndim, DATA_IDX_MAXDIM);
	*hlen = 4 + 4 * (size_t)ndim;
	if (data_idx_pull(src, h + 4, *hlen - 4, &got, cause) != 0)
		return -1;
	if (got < *hlen - 4)
		return error_set(cause, "%s: truncated header: %zu bytes, "
		    "want %zu for %d dimensions", src->name, 4 + got, *hlen,
		    ndim);
	out->ndim = ndim;
	for (i = 0; i < ndim; i++) {
		d = h + 4 + 4 * i;
		dim = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 |
		    (uint32_t)d[2] << 8 | d[3];
		if (dim > INT_MAX)
			return error_set(cause, "%s: size %u of dimension %d "
			    "(byte offset %d) is too large", src->name, dim,
			    i, 4 + 4 * i);
		if (dim != 0 && n > SIZE_MAX / dim)
			return error_set(cause, "%s: the sizes overflow at "
			    "dimension %d", src->name, i);
		out->dims[i] = (int)dim;
		n *= dim;
	}
	out->n = n;
	return 0;
}

/*
 * Reads one IDX file from src into out: the data must be exactly as long as
 * the sizes say. The buffer grows as data arrives, so a lying header cannot
 * make it allocate more than the file holds (plus one doubling).
 */
static int
data_idx_load(struct data_idx_src *src, struct idx *out, char **cause)
{
	uint8_t	 tail[4096], *data = NULL, *grown;
	size_t	 hlen = 0, cap, got, have = 0, extra = 0;
	char	 shape[64];

	memset(out, 0, sizeof *out);
	if (data_idx_header(src, out, &hlen, cause) != 0)
		return -1;
	tensor_shape_string(out->dims, out->ndim, shape, sizeof shape);
	cap = out->n < DATA_IDX_FIRST ? out->n : DATA_IDX_FIRST;
	for (;;) {
		if ((grown = mem_realloc(data, cap)) == NULL) {
			mem_free(data);
			return error_set(cause, "%s: out of memory for %zu "
			    "bytes of data", src->name, cap);
		}
		data = grown;
		if (data_idx_pull(src, data + have, cap - have, &got,
		    cause) != 0)
			goto fail;
		have += got;
		if (have < cap || cap == out->n)
			break;
		cap = cap > out->n / 2 ? out->n : 2 * cap;
	}
	if (have < out->n) {
		error_set(cause, "%s: truncated: shape %s needs %zu bytes of "
		    "data after the %zu-byte header, found %zu", src->name,
		    shape, out->n, hlen, have);
		goto fail;
	}
	do {
		if (data_idx_pull(src, tail, sizeof tail, &got, cause) != 0)
			goto fail;
		extra += got;
	} while (got == sizeof tail);
	if (extra != 0) {
		error_set(cause, "%s: %zu bytes of trailing data after the "
		    "%zu expected for shape %s (file is %zu bytes, want %zu)",
		    src->name, extra, out->n, shape, hlen + out->n + extra,
		    hlen + out->n);
		goto fail;
	}
	out->data = data;
	return 0;
fail:
	mem_free(data);
	memset(out, 0, sizeof *out);
	return -1;
}

/*
 * Reads the IDX file at path (a regular file), gzip-compressed or not,
 * into out; the caller frees out with data_idx_free. On failure out is
 * left empty.
 */
int
data_idx_read(const char *path, struct idx *out, char **cause)
{
	struct data_idx_src	src;
	int			fd, rc;

	memset(&src, 0, sizeof src);
	memset(out, 0, sizeof *out);
	src.name = path;
	if ((fd = file_open_regular(path, NULL, cause)) == -1)
		return -1;
	if ((src.gz = gzdopen(fd, "rb")) == NULL) {
		close(fd);
		return error_set(cause, "%s: out of memory", path);
	}
	gzbuffer(src.gz, 1u << 17);
	rc = data_idx_load(&src, out, cause);
	gzclose(src.gz);
	return rc;
}

/*
 * Reads the whole file at path, gzip-compressed or not, into *buf (freed
 * with mem_free) and its length into *len: the bytes of other formats
 * (CIFAR-10's batches) through the same reading as the IDX files.
 */
int
data_idx_read_bytes(const char *path, uint8_t **buf, size_t *len,
    char **cause)
{
	struct data_idx_src	 src;
	uint8_t			*data = NULL, *grown;
	size_t			 cap = DATA_IDX_FIRST, have = 0, got;
	int			 fd, rc = 0;

	*buf = NULL;
	*len = 0;
	memset(&src, 0, sizeof src);
	src.name = path;
	if ((fd = file_open_regular(path, NULL, cause)) == -1)
		return -1;
	if ((src.gz = gzdopen(fd, "rb")) == NULL) {
		close(fd);
		return error_set(cause, "%s: out of memory", path);
	}
	gzbuffer(src.gz, 1u << 17);
	for (;;) {
		if ((grown = mem_realloc(data, cap)) == NULL) {
			rc = error_set(cause, "%s: out of memory for %zu bytes",
			    path, cap);
			break;
		}
		data = grown;
		if ((rc = data_idx_pull(&src, data + have, cap - have, &got,
		    cause)) != 0)
			break;
		have += got;
		if (have < cap)
			break;
		cap *= 2;
	}
	gzclose(src.gz);
	if (rc != 0) {
		mem_free(data);
		return -1;
	}
	*buf = data;
	*len = have;
	return 0;
}

/*
 * Parses an uncompressed IDX image of len bytes held in buf (name is used
 * in messages); out gets its own copy of the data, freed by data_idx_free.
 */
int
data_idx_parse(const uint8_t *buf, size_t len, const char *name,
    struct idx *out, char **cause)
{
	struct data_idx_src	src;

	memset(&src, 0, sizeof src);
	src.name = name;
	src.buf = buf;
	src.len = len;
	return data_idx_load(&src, out, cause);
}

/* Frees the data of x and empties it; an empty x is fine. */
void
data_idx_free(struct idx *x)
{
	mem_free(x->data);
	memset(x, 0, sizeof *x);
}
