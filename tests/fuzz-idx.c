/*
 * fuzz-idx.c: a libFuzzer target for the IDX parser (make fuzz). Any input
 * must either be refused with a message or give dimensions whose product
 * is exactly the data that follows the header.
 */
#include <stdlib.h>
#include <string.h>

#include "../src/snnwb.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parses one input and aborts when a promise of data_idx_parse fails. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct idx	 x;
	size_t		 n = 1, hlen;
	char		*cause = NULL;
	int		 i;

	if (data_idx_parse(data, size, "fuzz", &x, &cause) != 0) {
		if (cause == NULL || x.data != NULL || x.n != 0)
			abort();
		free(cause);
		return 0;
	}
	hlen = 4 + 4 * (size_t)x.ndim;
	for (i = 0; i < x.ndim; i++)
		n *= (size_t)x.dims[i];
	if (x.ndim < 1 || x.ndim > 4 || n != x.n || hlen + n != size ||
	    memcmp(x.data, data + hlen, n) != 0)
		abort();
	data_idx_free(&x);
	return 0;
}
