/*
 * data-cifar10.c: CIFAR-10 in its binary version as a data set for the
 * loader. A batch file is records of 3,073 bytes: the label (0..9), then
 * 1,024 red, 1,024 green and 1,024 blue bytes, each plane row-major 32x32;
 * the train split is data_batch_1.bin .. data_batch_5.bin, the test split
 * test_batch.bin, each plain or gzip-compressed (.bin.gz).
 *
 * The records stay in memory as read; a sample is made on the loader's
 * thread as one step of [3, 32, 32] with torchvision's ToTensor and
 * Normalize in float32: x = (b / 255 - mean[c]) / std[c], mean (0.4914,
 * 0.4822, 0.4465), std (0.2023, 0.1994, 0.2010), through a table of the
 * 256 values per channel. Augmentation is the WideResNet recipe,
 * RandomCrop(32, padding=4) then RandomHorizontalFlip(): torchvision pads
 * the image with black before ToTensor, so a padded pixel becomes
 * (0 - mean[c]) / std[c], not 0. The offsets and the flip are drawn from
 * the seed, the epoch and the sample index alone, so an epoch's images do
 * not depend on the order or the thread that makes them.
 */
#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>

#include "data.h"

/* torchvision's CIFAR-10 normalisation, per channel R, G, B. */
static const float data_cifar10_mean[3] = { 0.4914f, 0.4822f, 0.4465f };
static const float data_cifar10_std[3] = { 0.2023f, 0.1994f, 0.2010f };

/* The batch files of each split, without .bin or .bin.gz. */
static const char *const data_cifar10_train[] = { "data_batch_1",
    "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", NULL };
static const char *const data_cifar10_test[] = { "test_batch", NULL };

/*
 * Checks the records of one file (buf, len; name for messages) and appends
 * them to set.
 */
static int
data_cifar10_append(struct cifar10_set *set, const uint8_t *buf, size_t len,
    const char *name, char **cause)
{
	uint8_t	*rec, *label;
	size_t	 i, n = len / CIFAR10_RECORD;

	if (len == 0)
		return error_set(cause, "%s: empty, no CIFAR-10 records", name);
	if (len % CIFAR10_RECORD != 0)
		return error_set(cause, "%s: %zu bytes, not a whole number of "
		    "%d-byte records: record %zu is truncated to %zu bytes",
		    name, len, CIFAR10_RECORD, n, len % CIFAR10_RECORD);
	for (i = 0; i < n; i++)
		if (buf[i * CIFAR10_RECORD] > 9)
			return error_set(cause, "%s: record %zu (byte %zu): "
			    "label %u is not a class 0..9", name, i,
			    i * CIFAR10_RECORD, buf[i * CIFAR10_RECORD]);
	if ((rec = mem_realloc(set->rec, (set->n + n) * CIFAR10_RECORD)) ==
	    NULL)
		return error_set(cause, "%s: out of memory for %zu records",
		    name, set->n + n);
	set->rec = rec;
	if ((label = mem_realloc(set->label, set->n + n)) == NULL)
		return error_set(cause, "%s: out of memory for %zu records",
		    name, set->n + n);
	set->label = label;
	memcpy(rec + set->n * CIFAR10_RECORD, buf, len);
	for (i = 0; i < n; i++)
		label[set->n + i] = buf[i * CIFAR10_RECORD];
	set->n += n;
	return 0;
}

/* Reads the batch file at path and appends its records to set. */
static int
data_cifar10_file(struct cifar10_set *set, const char *path, char **cause)
{
	uint8_t	*buf;
	size_t	 len;
	int	 rc;

	if (data_idx_read_bytes(path, &buf, &len, cause) != 0)
		return -1;
	rc = data_cifar10_append(set, buf, len, path, cause);
	mem_free(buf);
	return rc;
}

/* Returns dir/name.bin or dir/name.bin.gz, whichever exists (free()). */
static char *
data_cifar10_find(const char *dir, const char *name)
{
	struct stat	 sb;
	char		*path;

	if ((path = error_printf("%s/%s.bin", dir, name)) != NULL &&
	    stat(path, &sb) == 0)
		return path;
	free(path);
	if ((path = error_printf("%s/%s.bin.gz", dir, name)) != NULL &&
	    stat(path, &sb) == 0)
		return path;
	free(path);
	return NULL;
}

/*
 * Loads a split into set (freed with data_cifar10_free): "train" (the five
 * data batches) or "test" (test_batch), as .bin or .bin.gz in root or in
 * root/cifar-10-batches-bin (as the official archive unpacks). A root that
 * is a file is read as the whole set, whatever the split.
 */
int
data_cifar10_load(const char *root, const char *split,
    struct cifar10_set *set, char **cause)
{
	const char *const	*names;
	struct stat		 sb;
	char			*dir, *path;
	int			 k, sub = 1, rc = 0;

	memset(set, 0, sizeof *set);
	if (strcmp(split, "train") == 0)
		names = data_cifar10_train;
	else if (strcmp(split, "test") == 0)
		names = data_cifar10_test;
	else
		return error_set(cause, "split must be \"train\" or \"test\", "
		    "not \"%s\"", split);
	if (stat(root, &sb) == 0 && S_ISREG(sb.st_mode))
		rc = data_cifar10_file(set, root, cause);
	else {
		if ((dir = error_printf("%s/cifar-10-batches-bin", root)) ==
		    NULL)
			return error_set(cause, "out of memory");
		if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
			free(dir);
			dir = error_printf("%s", root);
			sub = 0;
		}
		for (k = 0; rc == 0 && names[k] != NULL; k++) {
			if ((path = data_cifar10_find(dir, names[k])) == NULL)
				rc = error_set(cause, "%s: no %s.bin or "
				    "%s.bin.gz there%s (get CIFAR-10 with: "
				    "datasets/fetch cifar10 DIR)", dir,
				    names[k], names[k], sub ? "" :
				    " nor in a cifar-10-batches-bin folder");
			else
				rc = data_cifar10_file(set, path, cause);
			free(path);
		}
		free(dir);
	}
	if (rc != 0)
		data_cifar10_free(set);
	return rc;
}

/* Frees what data_cifar10_load allocated. */
void
data_cifar10_free(struct cifar10_set *set)
{
	mem_free(set->rec);
	mem_free(set->label);
	memset(set, 0, sizeof *set);
}

/*
 * Draws sample i's crop offsets (-4..4, as RandomCrop's 0..8 in the padded
 * image less the padding) and flip for an epoch, from the seed alone.
 */
void
data_cifar10_draw(uint64_t seed, int epoch, size_t i, struct cifar10_aug *a)
{
	struct rng	r;

	rng_seed(&r, seed);
	rng_seed(&r, rng_next(&r) ^ ((uint64_t)(uint32_t)epoch << 32 |
	    (uint32_t)i));
	a->dy = (int)rng_below(&r, 2 * CIFAR10_PAD + 1) - CIFAR10_PAD;
	a->dx = (int)rng_below(&r, 2 * CIFAR10_PAD + 1) - CIFAR10_PAD;
	a->flip = (int)rng_below(&r, 2);
}

/* Writes sample i as [3, 32, 32] normalised values (the loader's fill). */
static int
data_cifar10_fill(const struct dataset *ds, size_t i, float *out,
    size_t t_stride, char **cause)
{
	const struct cifar10_set	*set = ds->src;
	const struct cifar10_opts	*o = ds->opts;
	const uint8_t			*px = set->rec + i * CIFAR10_RECORD + 1;
	int				 c, k, n = CIFAR10_PIXELS / 3;

	(void)t_stride;
	(void)cause;
	for (c = 0; c < 3; c++)
		for (k = 0; k < n; k++)
			out[c * n + k] = o->lut[c][px[c * n + k]];
	return 0;
}

/*
 * Crops and flips sample i, as fill wrote it, by the draw for the epoch;
 * pixels from outside the image take the value of a black pixel.
 */
static void
data_cifar10_augment(const struct dataset *ds, size_t i, int epoch,
    float *out, size_t t_stride)
{
	const struct cifar10_opts	*o = ds->opts;
	struct cifar10_aug		 a;
	float				 in[CIFAR10_PIXELS], *dst;
	const float			*src;
	int				 c, y, x, sy, sx, s = CIFAR10_SIDE;

	(void)t_stride;
	data_cifar10_draw(o->seed, epoch, i, &a);
	memcpy(in, out, sizeof in);
	for (c = 0; c < 3; c++) {
		src = in + c * s * s;
		dst = out + c * s * s;
		for (y = 0; y < s; y++) {
			sy = y + a.dy;
			for (x = 0; x < s; x++) {
				sx = (a.flip ? s - 1 - x : x) + a.dx;
				dst[y * s + x] = sy < 0 || sy >= s || sx < 0 ||
				    sx >= s ? o->lut[c][0] :
				    src[sy * s + sx];
			}
		}
	}
}

/*
 * Makes ds serve set as T = 1 step of [3, 32, 32], augmented when
 * o->augment; fills the normalisation table of o. set and o must outlive
 * ds.
 */
int
data_cifar10_dataset(struct dataset *ds, const struct cifar10_set *set,
    struct cifar10_opts *o, char **cause)
{
	int	c, b;

	if (set->n == 0)
		return error_set(cause, "CIFAR-10: no records");
	for (c = 0; c < 3; c++)
		for (b = 0; b < 256; b++)
			o->lut[c][b] = ((float)b / 255.0f -
			    data_cifar10_mean[c]) / data_cifar10_std[c];
	memset(ds, 0, sizeof *ds);
	ds->n = set->n;
	ds->label = set->label;
	ds->T = 1;
	ds->channels = 3;
	ds->height = CIFAR10_SIDE;
	ds->width = CIFAR10_SIDE;
	ds->fill = data_cifar10_fill;
	if (o->augment)
		ds->augment = data_cifar10_augment;
	ds->src = set;
	ds->opts = o;
	return 0;
}
