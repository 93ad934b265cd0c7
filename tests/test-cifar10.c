/*
 * test-cifar10.c: the CIFAR-10 reader and data set. The exact first 1,000
 * test records of ../shared (gzip) against PyTorch's normalised input of
 * the WideResNet reference; batches built here (plain, gzip, in a
 * cifar-10-batches-bin folder) and malformed ones; the augmentation's
 * crops, flips, padding value and determinism, also through the loader;
 * allocation failures.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "../src/snnwb.h"
#include "tap.h"

#define REC	CIFAR10_RECORD
#define SIDE	CIFAR10_SIDE
#define PLANE	(SIDE * SIDE)

static char	tmpdir[] = "/tmp/snnwb-cifar10-XXXXXX";
static char	tmppath[sizeof tmpdir + 128];

/* Writes len bytes to tmpdir/name, through gzip when gz; returns the path. */
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

/* The byte of channel c, pixel k of made-up record r. */
static uint8_t
byte_of(int r, int c, int k)
{
	return (uint8_t)(r * 31 + c * 101 + k * 7 + (k >> 5) * 3);
}

/* Fills n made-up records, the first labelled first, the label r % 10. */
static uint8_t *
records(int first, int n)
{
	uint8_t	*b = calloc((size_t)n, REC);
	int	 r, c, k;

	for (r = 0; r < n; r++) {
		b[(size_t)r * REC] = (uint8_t)((first + r) % 10);
		for (c = 0; c < 3; c++)
			for (k = 0; k < PLANE; k++)
				b[(size_t)r * REC + 1 + c * PLANE + k] =
				    byte_of(first + r, c, k);
	}
	return b;
}

/* torchvision's value of byte b in channel c, worked out here again. */
static float
norm(int c, int b)
{
	static const float	mean[3] = { 0.4914f, 0.4822f, 0.4465f };
	static const float	std[3] = { 0.2023f, 0.1994f, 0.2010f };

	return ((float)b / 255.0f - mean[c]) / std[c];
}

/*
 * Checks that loading root (split) fails, leaves set empty and gives a
 * message containing every non-NULL of want1, want2, want3.
 */
static void
refused(const char *root, const char *split, const char *want1,
    const char *want2, const char *want3, const char *what)
{
	struct cifar10_set	 set;
	char			*cause = NULL;
	int			 rc;

	rc = data_cifar10_load(root, split, &set, &cause);
	ok(rc == -1 && set.rec == NULL && set.label == NULL && set.n == 0 &&
	    cause != NULL && strstr(cause, want1) != NULL &&
	    (want2 == NULL || strstr(cause, want2) != NULL) &&
	    (want3 == NULL || strstr(cause, want3) != NULL),
	    "%s refused: %s", what, cause != NULL ? cause : "(no message)");
	free(cause);
}

/* The exact records of ../shared against the WRN reference input. */
static void
test_lossless(void)
{
	struct cifar10_set	 set;
	struct cifar10_opts	 o;
	struct dataset		 ds;
	struct refdata		 rd;
	const struct refarray	*x, *labels;
	const char		*path, *ref;
	float			*got, *want;
	uint64_t		 sum = 0;
	size_t			 i, k, bad = 0;
	char			*cause = NULL;
	int			 hist[10] = { 0 };

	path = tap_fixture("datasets/cifar10/lossless/test_first1000.bin.gz",
	    6);
	if (path == NULL)
		return;
	if (data_cifar10_load(path, "test", &set, &cause) != 0) {
		ok(0, "read %s: %s", path, cause);
		free(cause);
		skip(5, "unreadable");
		return;
	}
	ok(set.n == 1000, "lossless: 1000 records (got %zu)", set.n);
	for (i = 0; i < set.n; i++) {
		hist[set.label[i]]++;
		for (k = 1; k < REC; k++)
			sum += set.rec[i * REC + k];
	}
	ok(sum == 374560331ull && hist[0] == 103 && hist[6] == 112 &&
	    hist[9] == 109, "lossless: pixel sum %llu (python3 gzip: "
	    "374560331), 103 planes, 112 frogs, 109 trucks",
	    (unsigned long long)sum);
	memset(&o, 0, sizeof o);
	ok(data_cifar10_dataset(&ds, &set, &o, NULL) == 0 && ds.n == 1000 &&
	    ds.T == 1 && ds.channels == 3 && ds.height == 32 &&
	    ds.width == 32 && ds.augment == NULL,
	    "lossless: a data set of 1000 x [1, 3, 32, 32], not augmented");
	if ((ref = tap_fixture("reference/wrn/wrn-16-2-eval.txt", 3)) ==
	    NULL) {
		data_cifar10_free(&set);
		return;
	}
	if (refdata_load(ref, &rd, &cause) != 0 ||
	    (x = refdata_array(&rd, "x")) == NULL ||
	    (labels = refdata_array(&rd, "labels")) == NULL ||
	    x->n != 8 * CIFAR10_PIXELS || labels->n != 8) {
		ok(0, "reference %s: %s", ref, cause != NULL ? cause :
		    "no x [24576] or labels [8]");
		free(cause);
		skip(2, "no reference");
		data_cifar10_free(&set);
		return;
	}
	for (i = 0; i < 8; i++)
		bad += set.label[i] != (uint8_t)labels->v[i];
	ok(bad == 0, "lossless: labels of records 0..7 are the reference's "
	    "(3 8 8 0 6 6 1 6)");
	got = malloc(8 * CIFAR10_PIXELS * sizeof *got);
	want = refdata_floats(x);
	for (i = 0; i < 8; i++)
		ds.fill(&ds, i, got + i * CIFAR10_PIXELS, CIFAR10_PIXELS,
		    NULL);
	for (bad = 0, k = 0; k < 8 * CIFAR10_PIXELS; k++)
		bad += memcmp(&got[k], &want[k], sizeof *got) != 0;
	ok(bad == 0, "lossless: x of records 0..7 equals PyTorch's "
	    "bit for bit (%zu of 24576 differ)", bad);
	ok(got[0] == 0.633751154f && got[24575] == want[24575],
	    "lossless: x[0] is 0.633751154 as the reference's first value");
	free(got);
	free(want);
	refdata_free(&rd);
	data_cifar10_free(&set);
}

/*
 * Batches made here: a test batch of 20 records read through root and as
 * a file, and the five training batches (plain and gzip) found in a
 * cifar-10-batches-bin folder, concatenated in order.
 */
static void
test_built(void)
{
	struct cifar10_set	 set;
	struct cifar10_opts	 o;
	struct dataset		 ds;
	uint8_t			*b;
	float			 x[CIFAR10_PIXELS];
	char			 sub[sizeof tmpdir + 64], name[sizeof sub + 64];
	char			*cause = NULL;
	size_t			 i, bad = 0;
	int			 k, c, r;

	b = records(0, 20);
	put("test_batch.bin", b, 20 * REC, 0);
	ok(data_cifar10_load(tmpdir, "test", &set, &cause) == 0 &&
	    set.n == 20, "built: 20 records of test_batch.bin via root "
	    "(%s)", cause != NULL ? cause : "ok");
	memset(&o, 0, sizeof o);
	data_cifar10_dataset(&ds, &set, &o, NULL);
	for (r = 0; r < 20; r++) {
		bad += set.label[r] != r % 10;
		ds.fill(&ds, (size_t)r, x, CIFAR10_PIXELS, NULL);
		for (c = 0; c < 3; c++)
			for (k = 0; k < PLANE; k++)
				bad += x[c * PLANE + k] !=
				    norm(c, byte_of(r, c, k));
	}
	ok(bad == 0, "built: labels and (b / 255 - mean) / std of every "
	    "pixel of R, G and B planes");
	data_cifar10_free(&set);
	ok(data_cifar10_load(tmppath, "train", &set, NULL) == 0 &&
	    set.n == 20 && memcmp(set.rec, b, 20 * REC) == 0,
	    "built: a root naming a file is that file, whatever the split");
	data_cifar10_free(&set);
	refused(tmpdir, "train", "no data_batch_1.bin or data_batch_1.bin.gz",
	    tmpdir, "cifar-10-batches-bin", "built: train split missing");
	refused(tmpdir, "validation", "split must be \"train\" or \"test\"",
	    NULL, NULL, "split \"validation\"");
	unlink(tmppath);
	free(b);

	snprintf(sub, sizeof sub, "%s/cifar-10-batches-bin", tmpdir);
	mkdir(sub, 0700);
	for (k = 1; k <= 5; k++) {
		b = records(3 * (k - 1), 3);
		snprintf(name, sizeof name, "cifar-10-batches-bin/data_batch_"
		    "%d.bin%s", k, k % 2 ? ".gz" : "");
		put(name, b, 3 * REC, k % 2);
		free(b);
	}
	b = records(0, 15);
	cause = NULL;
	ok(data_cifar10_load(tmpdir, "train", &set, &cause) == 0 &&
	    set.n == 15 && memcmp(set.rec, b, 15 * REC) == 0,
	    "built: 5 training batches (.bin.gz and .bin) in "
	    "cifar-10-batches-bin, in order (%s)", cause != NULL ? cause :
	    "ok");
	free(cause);
	for (i = 0, bad = 0; i < set.n; i++)
		bad += set.label[i] != i % 10;
	ok(bad == 0, "built: the training labels follow the records");
	data_cifar10_free(&set);
	free(b);
	refused(tmpdir, "test", "cifar-10-batches-bin: no test_batch.bin or "
	    "test_batch.bin.gz there", "datasets/fetch cifar10", NULL,
	    "built: test batch missing from cifar-10-batches-bin");
	snprintf(name, sizeof name, "%s/data_batch_4.bin", sub);
	unlink(name);
	refused(tmpdir, "train", "no data_batch_4.bin or data_batch_4.bin.gz",
	    NULL, NULL, "built: training batch 4 missing");
	for (k = 1; k <= 5; k++) {
		snprintf(name, sizeof name, "%s/data_batch_%d.bin%s", sub, k,
		    k % 2 ? ".gz" : "");
		unlink(name);
	}
	rmdir(sub);
}

/* Malformed files: each refused naming the file and the record. */
static void
test_malformed(void)
{
	static const uint8_t	 junk[] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0,
				     3, 'n', 'o', 't', ' ', 'd', 'e', 'f',
				     'l', 'a', 't', 'e', 0xff, 0xfe };
	uint8_t			*b;
	const char		*path;
	char			 path2[sizeof tmppath];

	b = records(0, 5);
	path = put("short.bin", b, 2 * REC + 100, 0);
	refused(path, "test", path, "6246 bytes, not a whole number of "
	    "3073-byte records", "record 2 is truncated to 100 bytes",
	    "a truncated last record");
	unlink(path);
	path = put("short.bin.gz", b, 4 * REC - 1, 1);
	refused(path, "test", path, "record 3 is truncated to 3072 bytes",
	    NULL, "a truncated record in gzip");
	unlink(path);
	b[3 * REC] = 10;
	path = put("label.bin", b, 5 * REC, 0);
	refused(path, "test", path, "record 3 (byte 9219): label 10 is not a "
	    "class 0..9", NULL, "label 10");
	unlink(path);
	path = put("label.bin.gz", b, 5 * REC, 1);
	refused(path, "test", path, "record 3", "label 10", "label 10 in "
	    "gzip");
	unlink(path);
	path = put("garbage.bin.gz", junk, sizeof junk, 0);
	refused(path, "test", path, "gzip", NULL, "gzip garbage");
	unlink(path);
	path = put("empty.bin", b, 0, 0);
	refused(path, "test", path, "empty, no CIFAR-10 records", NULL,
	    "an empty file");
	unlink(path);
	snprintf(path2, sizeof path2, "%s/none.bin", tmpdir);
	refused(path2, "test", path2, "no test_batch.bin", NULL,
	    "a root that does not exist");
	free(b);
}

/* Expects sample i of (b, augmented with a) in x; returns mismatches. */
static size_t
check_crop(const float *x, const uint8_t *rec, const struct cifar10_aug *a)
{
	size_t	bad = 0;
	int	c, y, xx, sy, sx;

	for (c = 0; c < 3; c++)
		for (y = 0; y < SIDE; y++)
			for (xx = 0; xx < SIDE; xx++) {
				sy = y + a->dy;
				sx = (a->flip ? SIDE - 1 - xx : xx) + a->dx;
				bad += x[c * PLANE + y * SIDE + xx] !=
				    (sy < 0 || sy >= SIDE || sx < 0 ||
				    sx >= SIDE ? norm(c, 0) :
				    norm(c, rec[1 + c * PLANE + sy * SIDE +
				    sx]));
			}
	return bad;
}

/* The draws: range, spread, determinism; crops and flips as specified. */
static void
test_augment(void)
{
	struct cifar10_set	 set;
	struct cifar10_opts	 o;
	struct dataset		 ds;
	struct cifar10_aug	 a, a2;
	float			 x[CIFAR10_PIXELS], plain[CIFAR10_PIXELS];
	uint8_t			*b;
	size_t			 i, bad = 0, same = 0, flips = 0;
	int			 e, seen[9][9] = { { 0 } }, all = 1, y, k;
	int			 found = 0;

	for (e = 1; e <= 20; e++)
		for (i = 0; i < 500; i++) {
			data_cifar10_draw(7, e, i, &a);
			bad += a.dy < -4 || a.dy > 4 || a.dx < -4 ||
			    a.dx > 4 || (a.flip != 0 && a.flip != 1);
			if (bad != 0)
				break;
			seen[a.dy + 4][a.dx + 4]++;
			flips += (size_t)a.flip;
			data_cifar10_draw(7, e, i, &a2);
			same += memcmp(&a, &a2, sizeof a) == 0;
		}
	ok(bad == 0, "augment: offsets within [-4, 4], flips 0 or 1");
	for (y = 0; y < 81; y++)
		all &= seen[y / 9][y % 9] > 50;
	ok(all, "augment: all 81 offset pairs drawn (10000 draws)");
	ok(flips > 4700 && flips < 5300, "augment: %zu flips of 10000 (p 0.5)",
	    flips);
	ok(same == 10000, "augment: the same seed, epoch and index draw the "
	    "same");
	for (i = 0, same = 0; i < 500; i++) {
		data_cifar10_draw(7, 1, i, &a);
		data_cifar10_draw(7, 2, i, &a2);
		same += memcmp(&a, &a2, sizeof a) == 0;
		data_cifar10_draw(8, 1, i, &a2);
		same += memcmp(&a, &a2, sizeof a) == 0;
	}
	ok(same < 60, "augment: another epoch or seed draws otherwise (%zu of "
	    "1000 alike, 1/162 expected)", same);

	b = records(0, 12);
	put("test_batch.bin", b, 12 * REC, 0);
	memset(&o, 0, sizeof o);
	o.augment = 1;
	o.seed = 7;
	if (!ok(data_cifar10_load(tmpdir, "test", &set, NULL) == 0 &&
	    data_cifar10_dataset(&ds, &set, &o, NULL) == 0 &&
	    ds.augment != NULL, "augment: the data set has the hook")) {
		skip(4, "no data set");
		free(b);
		return;
	}
	for (e = 1, bad = 0; e <= 4; e++)
		for (i = 0; i < set.n; i++) {
			ds.fill(&ds, i, x, CIFAR10_PIXELS, NULL);
			ds.augment(&ds, i, e, x, CIFAR10_PIXELS);
			data_cifar10_draw(7, e, i, &a);
			bad += check_crop(x, set.rec + i * REC, &a);
		}
	ok(bad == 0, "augment: crop from the padded image, then mirror, as "
	    "RandomCrop(32, 4) and RandomHorizontalFlip");
	ok(norm(0, 0) == (0.0f - 0.4914f) / 0.2023f &&
	    norm(0, 0) < -2.4290 && norm(0, 0) > -2.4291,
	    "augment: the padding value of R is (0 - 0.4914) / 0.2023");
	/* A draw with no shift but a flip: the image mirrored exactly. */
	for (e = 1; e < 1000 && !found; e++) {
		data_cifar10_draw(7, e, 5, &a);
		found = a.dy == 0 && a.dx == 0 && a.flip;
	}
	e--;
	ds.fill(&ds, 5, plain, CIFAR10_PIXELS, NULL);
	ds.fill(&ds, 5, x, CIFAR10_PIXELS, NULL);
	ds.augment(&ds, 5, e, x, CIFAR10_PIXELS);
	for (k = 0, bad = 0; k < CIFAR10_PIXELS; k++)
		bad += x[k] != plain[k - k % SIDE + SIDE - 1 - k % SIDE];
	ok(found && bad == 0, "augment: epoch %d flips sample 5 unshifted: "
	    "its mirror image", e);
	/* A shift of 4 right: 4 padded columns on the right of every row. */
	for (e = 1, found = 0; e < 1000 && !found; e++) {
		data_cifar10_draw(7, e, 5, &a);
		found = a.dx == 4 && !a.flip;
	}
	e--;
	ds.fill(&ds, 5, x, CIFAR10_PIXELS, NULL);
	ds.augment(&ds, 5, e, x, CIFAR10_PIXELS);
	for (y = 0, bad = 0; y < SIDE; y++)
		for (k = SIDE - 4; k < SIDE; k++)
			bad += x[2 * PLANE + y * SIDE + k] != norm(2, 0);
	ok(found && bad == 0 &&
	    x[2 * PLANE + 16 * SIDE + SIDE - 5] != norm(2, 0),
	    "augment: dx 4 pads the last 4 columns with (0 - 0.4465) / "
	    "0.2010 = %g", (double)norm(2, 0));
	data_cifar10_free(&set);
	free(b);
}

/*
 * The loader applies the hook with its epoch: every sample of a batch is
 * fill + augment for that epoch, whatever the order and loader seed.
 */
static void
test_loader(void)
{
	struct cifar10_set	 set;
	struct cifar10_opts	 o;
	struct dataset		 ds;
	struct loader_opts	 lo;
	struct loader		*l;
	struct batch		 bt;
	struct cifar10_aug	 a;
	uint8_t			*b;
	size_t			 bad = 0, n = 0;
	int			 j, e, s;

	b = records(0, 12);
	put("test_batch.bin", b, 12 * REC, 0);
	memset(&o, 0, sizeof o);
	o.augment = 1;
	o.seed = 3;
	if (data_cifar10_load(tmpdir, "test", &set, NULL) != 0 ||
	    data_cifar10_dataset(&ds, &set, &o, NULL) != 0) {
		ok(0, "loader: no data set");
		free(b);
		return;
	}
	for (s = 0; s < 2; s++) {
		data_loader_defaults(&lo);
		lo.batch = 5;
		lo.seed = (uint64_t)s;
		l = data_loader_new(&ds, &lo, NULL);
		for (e = 1; e <= 2 && l != NULL; e++) {
			data_loader_start_epoch(l, e, NULL);
			while (data_loader_next(l, &bt, NULL) == 1)
				for (j = 0; j < bt.B; j++, n++) {
					data_cifar10_draw(3, e, bt.sample[j],
					    &a);
					bad += check_crop(bt.x + (size_t)j *
					    CIFAR10_PIXELS, set.rec +
					    (size_t)bt.sample[j] * REC, &a);
					bad += bt.labels[j] !=
					    (int)(bt.sample[j] % 10);
				}
		}
		data_loader_free(l);
	}
	ok(n == 48 && bad == 0, "loader: 48 samples, each augmented for its "
	    "epoch alone, labels 0..9 (%zu values differ)", bad);
	data_cifar10_free(&set);
	free(b);
	unlink(tmppath);
}

/* Every allocation failure while loading gives a message and leaks nothing. */
static void
test_alloc_failure(void)
{
	struct cifar10_set	 set;
	uint8_t			*b = records(0, 10);
	char			 name[sizeof tmpdir + 32], *cause;
	long			 k;
	int			 i, rc = -1, fails = 0, msgs = 0;

	for (i = 1; i <= 5; i++) {
		snprintf(name, sizeof name, "data_batch_%d.bin", i);
		put(name, b + (size_t)(i - 1) * 2 * REC, 2 * REC, i == 3);
	}
	for (k = 0; k < 40; k++) {
		cause = NULL;
		mem_fail_after(k);
		rc = data_cifar10_load(tmpdir, "train", &set, &cause);
		mem_fail_after(-1);
		if (rc == 0)
			break;
		fails++;
		msgs += cause != NULL && strstr(cause, "out of memory") !=
		    NULL && set.rec == NULL && set.n == 0;
		free(cause);
	}
	ok(fails >= 10 && msgs == fails && rc == 0 && set.n == 10 &&
	    memcmp(set.rec, b, 10 * REC) == 0, "%d allocation failures "
	    "reported as out of memory, then read", fails);
	data_cifar10_free(&set);
	for (i = 1; i <= 5; i++) {
		snprintf(name, sizeof name, "%s/data_batch_%d.bin", tmpdir, i);
		unlink(name);
	}
	free(b);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		skip_all("no temporary folder");
		return 0;
	}
	test_lossless();
	test_built();
	test_malformed();
	test_augment();
	test_loader();
	test_alloc_failure();
	rmdir(tmpdir);
	return done_testing();
}
