/*
 * data-mnist.c: MNIST-format image sets (MNIST, Fashion-MNIST) as data sets
 * for the loader: each image becomes T steps of [1, 28, 28] input, either
 * the pixel intensity / 255 at every step (direct encoding) or Bernoulli
 * spikes with that probability (Poisson encoding, drawn from a generator
 * seeded by the set's seed and the sample index, so a sample is the same
 * every epoch).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "data.h"

/* Names of the IDX files of a split, without and with .gz. */
static const char *const data_mnist_files[2][2] = {
	{ "train-images-idx3-ubyte", "train-labels-idx1-ubyte" },
	{ "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" }
};

/* Finds root/name or root/name.gz; returns the path (free()) or NULL. */
static char *
data_mnist_find(const char *root, const char *name)
{
	struct stat	 sb;
	char		*path;

	if ((path = error_printf("%s/%s", root, name)) != NULL &&
	    stat(path, &sb) == 0)
		return path;
	free(path);
	if ((path = error_printf("%s/%s.gz", root, name)) != NULL &&
	    stat(path, &sb) == 0)
		return path;
	free(path);
	return NULL;
}

/* Reads one IDX file of the split into x, checking its rank. */
static int
data_mnist_read(const char *root, const char *name, int ndim, struct idx *x,
    char **cause)
{
	char	*path;
	int	 rc;

	if ((path = data_mnist_find(root, name)) == NULL)
		return error_set(cause, "%s: no %s or %s.gz there (get MNIST "
		    "with: datasets/fetch mnist DIR)", root, name, name);
	rc = data_idx_read(path, x, cause);
	if (rc == 0 && x->ndim != ndim) {
		rc = error_set(cause, "%s: %d dimensions, expected %d", path,
		    x->ndim, ndim);
		data_idx_free(x);
	}
	free(path);
	return rc;
}

/*
 * Loads the "train" or "test" split of an MNIST-format set from root into
 * set (freed with data_mnist_free): images (n, rows, cols), labels (n).
 */
int
data_mnist_load(const char *root, const char *split, struct mnist_set *set,
    char **cause)
{
	int	 s;

	memset(set, 0, sizeof *set);
	if (strcmp(split, "train") == 0)
		s = 0;
	else if (strcmp(split, "test") == 0)
		s = 1;
	else
		return error_set(cause, "split must be \"train\" or \"test\", "
		    "not \"%s\"", split);
	if (data_mnist_read(root, data_mnist_files[s][0], 3, &set->images,
	    cause) != 0)
		return -1;
	if (data_mnist_read(root, data_mnist_files[s][1], 1, &set->labels,
	    cause) != 0) {
		data_idx_free(&set->images);
		return -1;
	}
	if (set->images.dims[0] != set->labels.dims[0]) {
		error_set(cause, "%s: %d images but %d labels", root,
		    set->images.dims[0], set->labels.dims[0]);
		data_mnist_free(set);
		return -1;
	}
	return 0;
}

/* Frees what data_mnist_load allocated. */
void
data_mnist_free(struct mnist_set *set)
{
	data_idx_free(&set->images);
	data_idx_free(&set->labels);
}

/* Writes sample i's T steps of [1, rows, cols] input (the loader's fill). */
static int
data_mnist_fill(const struct dataset *ds, size_t i, float *out,
    size_t t_stride, char **cause)
{
	const struct mnist_set	*set = ds->src;
	const struct mnist_enc	*enc = ds->opts;
	size_t			 k, n = (size_t)ds->height * ds->width;
	const uint8_t		*img = set->images.data + i * n;
	struct rng		 r;
	int			 t;

	(void)cause;
	if (enc->poisson)
		rng_seed(&r, enc->seed * 0x9e3779b97f4a7c15ULL + i);
	for (t = 0; t < ds->T; t++) {
		float	*dst = out + (size_t)t * t_stride;

		for (k = 0; k < n; k++) {
			float	p = (float)img[k] * (1.0f / 255.0f);

			dst[k] = enc->poisson ?
			    (float)(rng_uniform(&r) < p) : p;
		}
	}
	return 0;
}

/*
 * Makes ds serve set with the encoding enc (T steps, direct or Poisson);
 * set and enc must outlive ds.
 */
int
data_mnist_dataset(struct dataset *ds, const struct mnist_set *set,
    const struct mnist_enc *enc, char **cause)
{
	if (enc->T < 1)
		return error_set(cause, "T must be at least 1, got %d",
		    enc->T);
	memset(ds, 0, sizeof *ds);
	ds->n = (size_t)set->images.dims[0];
	ds->label = set->labels.data;
	ds->T = enc->T;
	ds->channels = 1;
	ds->height = set->images.dims[1];
	ds->width = set->images.dims[2];
	ds->fill = data_mnist_fill;
	ds->src = set;
	ds->opts = enc;
	return 0;
}
