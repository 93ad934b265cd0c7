/*
 * test-idx.c: the IDX reader on the real MNIST files (gzip), on tiny files
 * built here (plain and gzip, good and malformed) and under allocation
 * failure.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "../src/snnwb.h"
#include "tap.h"

static char	tmpdir[] = "/tmp/snnwb-idx-XXXXXX";
static char	tmppath[sizeof tmpdir + 64];

/* Writes len bytes to a file in tmpdir, through gzip when gz; returns it. */
static const char *
put(const char *name, const uint8_t *b, size_t len, int gz)
{
	FILE	*f;
	gzFile	 g;

	snprintf(tmppath, sizeof tmppath, "%s/%s", tmpdir, name);
	if (gz) {
		g = gzopen(tmppath, "wb");
		if (g == NULL || gzwrite(g, b, (unsigned)len) != (int)len ||
		    gzclose(g) != Z_OK)
			diag("cannot write %s", tmppath);
	} else {
		f = fopen(tmppath, "wb");
		if (f == NULL || fwrite(b, 1, len, f) != len || fclose(f) != 0)
			diag("cannot write %s", tmppath);
	}
	return tmppath;
}

/*
 * Checks that reading path fails, leaves out empty and gives a message
 * naming the file and containing want; removes the file.
 */
static void
refused(const char *path, const char *want, const char *what)
{
	struct idx	 x;
	char		*cause = NULL;
	int		 rc;

	rc = data_idx_read(path, &x, &cause);
	ok(rc == -1 && x.data == NULL && x.n == 0 && cause != NULL &&
	    strstr(cause, path) != NULL && strstr(cause, want) != NULL,
	    "%s refused: %s", what, cause != NULL ? cause : "(no message)");
	free(cause);
	unlink(path);
}

/* Sums the bytes of image i of an (n, rows, cols) IDX file. */
static long
pixel_sum(const struct idx *x, int i)
{
	size_t	 size = (size_t)x->dims[1] * (size_t)x->dims[2], k;
	long	 sum = 0;

	for (k = 0; k < size; k++)
		sum += x->data[(size_t)i * size + k];
	return sum;
}

/* Reads one MNIST file of the shared folder; reports n tests when absent. */
static int
mnist(const char *name, struct idx *x, int n)
{
	char		 sub[128];
	const char	*path;
	char		*cause = NULL;

	snprintf(sub, sizeof sub, "datasets/mnist/%s", name);
	if ((path = tap_fixture(sub, n)) == NULL)
		return -1;
	if (data_idx_read(path, x, &cause) != 0) {
		ok(0, "read %s: %s", name, cause);
		free(cause);
		skip(n - 1, "unreadable");
		return -1;
	}
	return 0;
}

/* The real MNIST files: shapes, first labels, the pixels of image 0. */
static void
test_mnist(void)
{
	static const uint8_t	 train_first[10] = { 5, 0, 4, 1, 9, 2, 1, 3,
				     1, 4 };
	static const uint8_t	 test_first[10] = { 7, 2, 1, 0, 4, 1, 4, 9,
				     5, 9 };
	struct idx		 x;
	uint64_t		 all = 0;
	size_t			 k;

	if (mnist("train-images-idx3-ubyte.gz", &x, 3) == 0) {
		ok(x.ndim == 3 && x.dims[0] == 60000 && x.dims[1] == 28 &&
		    x.dims[2] == 28 && x.n == 47040000,
		    "train images: 60000 x 28 x 28");
		ok(pixel_sum(&x, 0) == 27525, "train image 0 pixel sum %ld "
		    "(python3 gzip: 27525)", pixel_sum(&x, 0));
		for (k = 0; k < x.n; k++)
			all += x.data[k];
		ok(all == 1567298545ull, "all train pixels sum %llu "
		    "(python3 gzip: 1567298545)", (unsigned long long)all);
		data_idx_free(&x);
	}
	if (mnist("train-labels-idx1-ubyte.gz", &x, 2) == 0) {
		ok(x.ndim == 1 && x.dims[0] == 60000 && x.n == 60000,
		    "train labels: 60000");
		ok(memcmp(x.data, train_first, 10) == 0,
		    "train labels begin 5 0 4 1 9 2 1 3 1 4");
		data_idx_free(&x);
	}
	if (mnist("t10k-images-idx3-ubyte.gz", &x, 2) == 0) {
		ok(x.ndim == 3 && x.dims[0] == 10000 && x.dims[1] == 28 &&
		    x.dims[2] == 28, "test images: 10000 x 28 x 28");
		ok(pixel_sum(&x, 0) == 18454, "test image 0 pixel sum %ld "
		    "(python3 gzip: 18454)", pixel_sum(&x, 0));
		data_idx_free(&x);
	}
	if (mnist("t10k-labels-idx1-ubyte.gz", &x, 2) == 0) {
		ok(x.ndim == 1 && x.dims[0] == 10000, "test labels: 10000");
		ok(memcmp(x.data, test_first, 10) == 0,
		    "test labels begin 7 2 1 0 4 1 4 9 5 9");
		data_idx_free(&x);
	}
}

/* Tiny files built here: good ones plain and gzip, then malformed ones. */
static void
test_tiny(void)
{
	/* Images 2 x 2 x 3, then a 1-byte stray. */
	uint8_t		 good[16 + 12 + 1] = { 0, 0, 8, 3, 0, 0, 0, 2,
			     0, 0, 0, 2, 0, 0, 0, 3 };
	uint8_t		 b[32] = { 0 }, noise[8 + 1000];
	uint32_t	 lcg;
	struct idx	 x;
	const char	*path;
	char		*cause = NULL;
	int		 gz, i, rc;

	for (i = 0; i < 12; i++)
		good[16 + i] = (uint8_t)(i * 20);
	for (gz = 0; gz <= 1; gz++) {
		path = put("good", good, 28, gz);
		rc = data_idx_read(path, &x, &cause);
		ok(rc == 0 && x.ndim == 3 && x.dims[0] == 2 &&
		    x.dims[1] == 2 && x.dims[2] == 3 && x.n == 12 &&
		    memcmp(x.data, good + 16, 12) == 0,
		    "%s 2x2x3 file read exactly", gz ? "gzip" : "plain");
		data_idx_free(&x);
		ok(x.data == NULL && x.n == 0, "data_idx_free empties");
		unlink(path);
		refused(put("trunc", good, 27, gz),
		    "needs 12 bytes of data after the 16-byte header, found 11",
		    gz ? "gzip truncated data" : "plain truncated data");
		refused(put("trailing", good, 29, gz),
		    "1 bytes of trailing data", gz ? "gzip trailing byte" :
		    "plain trailing byte");
		refused(put("header", good, 10, gz), "truncated header",
		    gz ? "gzip cut header" : "plain cut header");
		memcpy(b, good, 16);
		b[1] = 1;
		refused(put("magic", b, 16, gz), "bad magic 0x00010803",
		    gz ? "gzip bad magic" : "plain bad magic");
	}
	rc = data_idx_parse(good, 28, "memory", &x, &cause);
	ok(rc == 0 && x.n == 12 && memcmp(x.data, good + 16, 12) == 0,
	    "data_idx_parse reads a buffer");
	data_idx_free(&x);

	memcpy(b, good, 16);
	b[3] = 5;
	refused(put("ndim5", b, 16, 0), "5 dimensions, want 1 to 4",
	    "ndim 5");
	b[3] = 0;
	refused(put("ndim0", b, 4, 0), "0 dimensions", "ndim 0");
	b[2] = 0x0d;
	b[3] = 3;
	refused(put("float", b, 16, 0), "IDX type 0x0d is not supported",
	    "float type");
	refused(put("short", b, 2, 0), "too short", "2-byte file");
	memcpy(b, good, 16);
	b[4] = 0x80;
	refused(put("huge", b, 16, 0), "too large", "dimension over INT_MAX");
	/* Two sizes of 2^31 - 1: a header that lies must not allocate 2^62. */
	memcpy(b, (const uint8_t[]){ 0, 0, 8, 2, 0x7f, 0xff, 0xff, 0xff,
	    0x7f, 0xff, 0xff, 0xff }, 12);
	refused(put("liar", b, 20, 0), "found 8", "lying header");
	/* A gzip stream of 1000 pseudo-random bytes cut in the middle. */
	noise[0] = 0;
	noise[1] = 0;
	noise[2] = 8;
	noise[3] = 1;
	noise[4] = 0;
	noise[5] = 0;
	noise[6] = 1000 >> 8;
	noise[7] = 1000 & 0xff;
	for (i = 0, lcg = 1; i < 1000; i++) {
		lcg = lcg * 1103515245u + 12345u;
		noise[8 + i] = (uint8_t)(lcg >> 16);
	}
	path = put("cut.gz", noise, sizeof noise, 1);
	if (truncate(path, 500) != 0)
		diag("cannot truncate %s", path);
	refused(path, "truncated gzip data: the file ends at byte 500",
	    "cut gzip stream");
	snprintf(tmppath, sizeof tmppath, "%s/absent", tmpdir);
	refused(tmppath, "No such file", "missing file");
	refused(tmpdir, "not a regular file", "a folder");
	snprintf(tmppath, sizeof tmppath, "%s/fifo-idx", tmpdir);
	if (mkfifo(tmppath, 0600) == 0) {
		refused(tmppath, "not a regular file", "a FIFO, at once,");
		unlink(tmppath);
	} else
		skip(1, "mkfifo failed");
}

/* Every allocation failure while reading gives a message and leaks nothing. */
static void
test_alloc_failure(void)
{
	uint8_t		 good[16 + 12] = { 0, 0, 8, 3, 0, 0, 0, 2, 0, 0,
			     0, 2, 0, 0, 0, 3 };
	struct idx	 x;
	const char	*path = put("good", good, sizeof good, 1);
	char		*cause;
	long		 k;
	int		 rc, fails = 0, msgs = 0;

	for (k = 0; k < 10; k++) {
		cause = NULL;
		mem_fail_after(k);
		rc = data_idx_read(path, &x, &cause);
		mem_fail_after(-1);
		if (rc == 0)
			break;
		fails++;
		msgs += cause != NULL && strstr(cause, "out of memory") &&
		    x.data == NULL;
		free(cause);
	}
	ok(fails >= 1 && msgs == fails && rc == 0 && x.n == 12,
	    "%d allocation failures reported as out of memory, then read",
	    fails);
	data_idx_free(&x);
	unlink(path);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL)
		skip_all("cannot make a temporary folder");
	test_mnist();
	test_tiny();
	test_alloc_failure();
	rmdir(tmpdir);
	return done_testing();
}
