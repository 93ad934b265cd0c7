/*
 * fuzz-idx-gz.c: a libFuzzer target for reading IDX files through zlib
 * (make fuzz), gzip-compressed or plain, as MNIST's and CIFAR-10's files
 * are read. Each input is read as an IDX file (data_idx_read) and as
 * bytes (data_idx_read_bytes, CIFAR-10's path); parsing those bytes must
 * give what the IDX reader gave, success or failure. What it gives must
 * also be what zlib's inflate makes of the input here, member after
 * member: all of it when the input is whole gzip members, else a prefix.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../src/data.h"
#include "fuzz.h"

/* The most bytes the reference decodes. */
#define FUZZ_MAXOUT	(64u << 20)

/*
 * Decodes data as gzip's tools would, into *out (mem_free) of *len bytes:
 * gzip members one after the other, or the bytes as they are when they
 * do not start with gzip's magic. Returns 1 when the input is exactly
 * that, 0 when what was decoded is only a prefix (a member cut short or
 * followed by other bytes), -1 when a member is damaged.
 */
static int
inflate_all(const uint8_t *data, size_t size, uint8_t **out, size_t *len)
{
	z_stream	 z;
	uint8_t		*buf, *grown;
	size_t		 cap = 4096, pos = 0;
	int		 r, whole = 1;

	*len = 0;
	if ((*out = buf = mem_alloc(size + cap)) == NULL)
		return -1;
	if (size < 2 || data[0] != 0x1f || data[1] != 0x8b) {
		memcpy(buf, data, size);
		*len = size;
		return 1;
	}
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return -1;
	cap += size;
	while (pos < size) {
		if (size - pos < 2 || data[pos] != 0x1f ||
		    data[pos + 1] != 0x8b) {
			whole = 0;
			break;
		}
		inflateReset(&z);
		z.next_in = (Bytef *)(uintptr_t)(data + pos);
		z.avail_in = (uInt)(size - pos);
		do {
			if (*len == cap) {
				if (cap >= FUZZ_MAXOUT ||
				    (grown = mem_realloc(buf, 2 * cap)) == NULL)
					goto fail;
				*out = buf = grown;
				cap *= 2;
			}
			z.next_out = buf + *len;
			z.avail_out = (uInt)(cap - *len);
			r = inflate(&z, Z_NO_FLUSH);
			*len = cap - z.avail_out;
		} while (r == Z_OK);
		pos = size - z.avail_in;
		if (r == Z_BUF_ERROR && z.avail_in == 0) {
			whole = 0;
			break;
		}
		if (r != Z_STREAM_END)
			goto fail;
	}
	inflateEnd(&z);
	return whole;
fail:
	inflateEnd(&z);
	return -1;
}

/* Aborts unless a and b are the same IDX contents. */
static void
same(const struct idx *a, const struct idx *b)
{
	if (a->ndim != b->ndim || a->n != b->n ||
	    memcmp(a->dims, b->dims, sizeof a->dims) != 0 ||
	    memcmp(a->data, b->data, a->n) != 0)
		abort();
}

/* Aborts unless x, read from a file, agrees with zlib's own decoding. */
static void
check_zlib(const struct idx *x, const uint8_t *data, size_t size)
{
	struct idx	 y;
	uint8_t		*ref;
	size_t		 len, hlen = 4 + 4 * (size_t)x->ndim;
	int		 whole;
	char		*cause = NULL;

	whole = inflate_all(data, size, &ref, &len);
	if (whole == 1) {
		if (data_idx_parse(ref, len, "ref", &y, &cause) != 0)
			abort();
		same(x, &y);
		data_idx_free(&y);
	} else if (whole == 0 && (len < hlen + x->n ||
	    memcmp(ref + hlen, x->data, x->n) != 0))
		abort();
	mem_free(ref);
}

/* Reads one input both ways and checks that they and zlib agree. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*path = fuzz_file(data, size);
	struct idx	 x, y;
	uint8_t		*buf;
	size_t		 len;
	char		*cause = NULL, *why = NULL;
	int		 rx, rb, ry;

	rx = data_idx_read(path, &x, &cause);
	if ((rx == 0) != (cause == NULL) || (rx != 0 && x.data != NULL))
		abort();
	free(cause);
	cause = NULL;
	rb = data_idx_read_bytes(path, &buf, &len, &cause);
	if ((rb == 0) != (cause == NULL) || (rb != 0 && buf != NULL) ||
	    (rx == 0 && rb != 0))
		abort();
	free(cause);
	if (rb == 0) {
		ry = data_idx_parse(buf, len, "bytes", &y, &why);
		free(why);
		if (ry != rx)
			abort();
		if (ry == 0) {
			same(&x, &y);
			data_idx_free(&y);
		}
		mem_free(buf);
	}
	if (rx == 0) {
		check_zlib(&x, data, size);
		data_idx_free(&x);
	}
	return 0;
}
