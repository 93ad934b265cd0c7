/*
 * data-idx.c: the IDX files of MNIST and Fashion-MNIST, plain or gzip, and
 * whole files read the same way for other formats.
 *
 * A gzip file must end with its last member's trailer (CRC-32 and
 * length, which zlib checks): a file cut short or followed by other bytes
 * is refused, naming the offset.
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
#define DATA_IDX_INBUF		(1u << 17)	/* bytes read at once */
#define DATA_IDX_CHUNK		(1u << 30)	/* largest single inflate */

/*
 * Where the bytes come from: a file, plain or gzip (one or more members,
 * each inflated by zlib, which checks its CRC-32 and length trailer), or
 * a buffer in memory.
 */
struct data_idx_src {
	const char	*name;		/* for messages */
	int		 fd;		/* -1 for a memory source */
	int		 gzip;		/* the file is gzip-compressed */
	int		 eof;		/* the file has no more bytes */
	int		 done;		/* its last gzip member has ended */
	z_stream	 z;		/* input: in[] */
	uint8_t		*in;
	uint64_t	 offset;	/* file bytes read into in[] so far */
	const uint8_t	*buf;		/* memory source: the bytes */
	size_t		 len;
	size_t		 pos;
};

/* Returns the file offset of the next byte that zlib has not consumed. */
static uint64_t
data_idx_offset(const struct data_idx_src *src)
{
	return src->offset - src->z.avail_in;
}

/* Refills in[] once it is empty (leaving it empty at the end of file). */
static int
data_idx_fill(struct data_idx_src *src, char **cause)
{
	ssize_t	r;

	if (src->z.avail_in > 0 || src->eof)
		return 0;
	do
		r = read(src->fd, src->in, DATA_IDX_INBUF);
	while (r == -1 && errno == EINTR);
	if (r == -1)
		return error_set(cause, "%s: %s", src->name, strerror(errno));
	if (r == 0)
		src->eof = 1;
	src->z.next_in = src->in;
	src->z.avail_in = (uInt)r;
	src->offset += (uint64_t)r;
	return 0;
}

/*
 * Opens the regular file at path as a source: gzip when it starts with
 * gzip's magic bytes, else plain.
 */
static int
data_idx_open(struct data_idx_src *src, const char *path, char **cause)
{
	memset(src, 0, sizeof *src);
	src->name = path;
	if ((src->fd = file_open_regular(path, NULL, cause)) == -1)
		return -1;
	if ((src->in = mem_alloc(DATA_IDX_INBUF)) == NULL) {
		close(src->fd);
		return error_set(cause, "%s: out of memory", path);
	}
	if (data_idx_fill(src, cause) != 0)
		goto fail;
	if (src->z.avail_in >= 2 && src->in[0] == 0x1f && src->in[1] == 0x8b) {
		if (inflateInit2(&src->z, 16 + MAX_WBITS) != Z_OK) {
			error_set(cause, "%s: out of memory", path);
			goto fail;
		}
		src->gzip = 1;
	}
	return 0;
fail:
	mem_free(src->in);
	close(src->fd);
	return -1;
}

/* Closes a file source. */
static void
data_idx_close(struct data_idx_src *src)
{
	if (src->gzip)
		inflateEnd(&src->z);
	mem_free(src->in);
	close(src->fd);
}

/*
 * Inflates up to n bytes of a gzip source into dst, adding the count to
 * *got. After a member's trailer, only another member may follow: other
 * bytes are refused with their offset, as is a stream cut short.
 */
static int
data_idx_inflate(struct data_idx_src *src, uint8_t *dst, size_t n,
    size_t *got, char **cause)
{
	size_t	chunk;
	int	r;

	while (*got < n && !src->done) {
		if (data_idx_fill(src, cause) != 0)
			return -1;
		chunk = n - *got < DATA_IDX_CHUNK ? n - *got : DATA_IDX_CHUNK;
		src->z.next_out = dst + *got;
		src->z.avail_out = (uInt)chunk;
		r = inflate(&src->z, Z_NO_FLUSH);
		*got += chunk - src->z.avail_out;
		if (r == Z_STREAM_END) {
			if (data_idx_fill(src, cause) != 0)
				return -1;
			if (src->z.avail_in == 0)
				src->done = 1;
			else if (src->z.next_in[0] != 0x1f)
				return error_set(cause, "%s: trailing data "
				    "after the gzip stream at byte %llu",
				    src->name, (unsigned long long)
				    data_idx_offset(src));
			else
				inflateReset(&src->z);
			continue;
		}
		if (r == Z_BUF_ERROR && src->eof)
			return error_set(cause, "%s: truncated gzip data: the "
			    "file ends at byte %llu before the stream's end "
			    "(its CRC-32 and length)", src->name,
			    (unsigned long long)src->offset);
		if (r == Z_MEM_ERROR)
			return error_set(cause, "%s: out of memory inflating",
			    src->name);
		if (r != Z_OK && r != Z_BUF_ERROR)
			return error_set(cause, "%s: damaged gzip data at byte "
			    "%llu: %s", src->name, (unsigned long long)
			    data_idx_offset(src), src->z.msg != NULL ?
			    src->z.msg : "inflate failed");
	}
	return 0;
}

/*
 * Reads up to n bytes into dst and stores the count in *got (fewer than n
 * only at the end of the data); returns -1 with a message on a read error
 * or damaged gzip data.
 */
static int
data_idx_pull(struct data_idx_src *src, void *dst, size_t n, size_t *got,
    char **cause)
{
	uint8_t		*p = dst;
	size_t		 chunk;

	*got = 0;
	if (src->fd == -1) {
		chunk = src->len - src->pos < n ? src->len - src->pos : n;
		if (chunk != 0)
			memcpy(p, src->buf + src->pos, chunk);
		src->pos += chunk;
		*got = chunk;
		return 0;
	}
	if (src->gzip)
		return data_idx_inflate(src, p, n, got, cause);
	while (*got < n) {
		if (data_idx_fill(src, cause) != 0)
			return -1;
		if (src->z.avail_in == 0)
			break;
		chunk = n - *got < src->z.avail_in ? n - *got :
		    src->z.avail_in;
		memcpy(p + *got, src->z.next_in, chunk);
		src->z.next_in += chunk;
		src->z.avail_in -= (uInt)chunk;
		*got += chunk;
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
	int			rc;

	memset(out, 0, sizeof *out);
	if (data_idx_open(&src, path, cause) != 0)
		return -1;
	rc = data_idx_load(&src, out, cause);
	data_idx_close(&src);
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
	int			 rc = 0;

	*buf = NULL;
	*len = 0;
	if (data_idx_open(&src, path, cause) != 0)
		return -1;
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
	data_idx_close(&src);
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
	src.fd = -1;
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
