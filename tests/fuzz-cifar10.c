/*
 * fuzz-cifar10.c: a libFuzzer target for CIFAR-10's binary batches (make
 * fuzz), plain or gzip-compressed. Any input must either be refused with
 * a message or give one record per 3,073 bytes of what it decodes to,
 * labels 0..9 as stored; each of a few samples must then be its pixels
 * through the normalisation table, and its augmented version the crop and
 * flip that data_cifar10_draw gives, black outside the image.
 */
#include <stdlib.h>
#include <string.h>

#include "../src/data.h"
#include "fuzz.h"

#define S	CIFAR10_SIDE
#define PLANE	(S * S)

/* Aborts unless sample i of ds, plain and augmented, is its pixels. */
static void
check_sample(const struct dataset *ds, const struct cifar10_opts *o,
    const uint8_t *rec, size_t i)
{
	static float		out[CIFAR10_PIXELS];
	struct cifar10_aug	a;
	const uint8_t		*px = rec + i * CIFAR10_RECORD + 1;
	char			*cause = NULL;
	float			 want;
	int			 c, y, x, sy, sx, epoch = (int)(i % 3);

	if (ds->fill(ds, i, out, CIFAR10_PIXELS, &cause) != 0)
		abort();
	for (c = 0; c < 3; c++)
		for (x = 0; x < PLANE; x++)
			if (out[c * PLANE + x] != o->lut[c][px[c * PLANE + x]])
				abort();
	ds->augment(ds, i, epoch, out, CIFAR10_PIXELS);
	data_cifar10_draw(o->seed, epoch, i, &a);
	if (a.dy < -CIFAR10_PAD || a.dy > CIFAR10_PAD ||
	    a.dx < -CIFAR10_PAD || a.dx > CIFAR10_PAD || a.flip / 2 != 0)
		abort();
	for (c = 0; c < 3; c++)
		for (y = 0; y < S; y++)
			for (x = 0; x < S; x++) {
				sy = y + a.dy;
				sx = (a.flip ? S - 1 - x : x) + a.dx;
				want = sy < 0 || sy >= S || sx < 0 ||
				    sx >= S ? o->lut[c][0] :
				    o->lut[c][px[c * PLANE + sy * S + sx]];
				if (out[c * PLANE + y * S + x] != want)
					abort();
			}
}

/* Loads one input as a batch file and checks its records and samples. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*path = fuzz_file(data, size);
	static struct cifar10_opts o;
	struct cifar10_set	 set;
	struct dataset		 ds;
	uint8_t			*buf;
	size_t			 len, i;
	char			*cause = NULL;

	if (data_cifar10_load(path, "train", &set, &cause) != 0) {
		if (cause == NULL || set.n != 0 || set.rec != NULL)
			abort();
		free(cause);
		return 0;
	}
	if (data_idx_read_bytes(path, &buf, &len, &cause) != 0 ||
	    set.n == 0 || set.n * CIFAR10_RECORD != len ||
	    memcmp(set.rec, buf, len) != 0)
		abort();
	for (i = 0; i < set.n; i++)
		if (set.label[i] > 9 || set.label[i] != buf[i * CIFAR10_RECORD])
			abort();
	mem_free(buf);
	o.augment = 1;
	o.seed = size;
	if (data_cifar10_dataset(&ds, &set, &o, &cause) != 0 ||
	    ds.n != set.n || ds.label != set.label || ds.augment == NULL)
		abort();
	for (i = 0; i < set.n && i < 4; i++)
		check_sample(&ds, &o, set.rec, i);
	check_sample(&ds, &o, set.rec, set.n - 1);
	data_cifar10_free(&set);
	return 0;
}
