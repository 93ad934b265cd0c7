/*
 * fuzz-pth.c: a libFuzzer target for the PyTorch checkpoint reader (make
 * fuzz). Each input is read twice: as a raw pickle (storages made up of
 * a byte pattern) and as a whole .pth zip held in memory. Either must be
 * refused with a message or give tensors whose every element can be read.
 * Seeds: tests/test-pth --seeds DIR writes them.
 */
#include <stdlib.h>
#include <string.h>

#include "../src/snnwb.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The largest storage the raw pickle may ask for. */
#define FUZZ_MAXSTORAGE (1 << 20)

/* Gives len bytes of a pattern for any storage (pth_storage_fn). */
static int
fuzz_storage(void *arg, const char *key, size_t len, unsigned char **data,
    char **cause)
{
	size_t	i;

	if (len > FUZZ_MAXSTORAGE)
		return error_set(cause, "storage %s too large", key);
	if ((*data = mem_alloc(len)) == NULL)
		return error_set(cause, "out of memory");
	for (i = 0; i < len; i++)
		(*data)[i] = (unsigned char)(i * 37 + key[0]);
	return 0;
}

/* Aborts unless rc and f are what a reader may hand back; frees f. */
static void
fuzz_check(int rc, struct st_file *f, char *cause)
{
	volatile double	sum = 0;
	size_t		n, j;
	int		i, d;

	if (rc != 0) {
		if (cause == NULL || f->n != 0 || f->t != NULL)
			abort();
		free(cause);
		return;
	}
	for (i = 0; i < f->n; i++) {
		if (f->t[i].name == NULL || f->t[i].ndim < 0 ||
		    f->t[i].ndim > ST_MAXDIM)
			abort();
		for (n = 1, d = 0; d < f->t[i].ndim; d++)
			n *= (size_t)f->t[i].shape[d];
		if (n != safetensors_numel(&f->t[i]))
			abort();
		for (j = 0; j < n; j++)
			sum += f->t[i].dtype == ST_F32 ? f->t[i].data[j] :
			    (double)f->t[i].i64[j];
	}
	safetensors_free(f);
}

/* Reads one input as a pickle and as a zip. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct st_file	 f;
	char		*cause = NULL;
	int		 rc;

	rc = pth_unpickle(data, size, "fuzz.pkl", fuzz_storage, NULL,
	    16 << 20, &f, &cause);
	fuzz_check(rc, &f, cause);
	cause = NULL;
	rc = pth_read_buffer(data, size, "fuzz.pth", &f, &cause);
	fuzz_check(rc, &f, cause);
	return 0;
}
