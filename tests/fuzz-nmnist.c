/*
 * fuzz-nmnist.c: a libFuzzer target for the N-MNIST event parser (make
 * fuzz). Any input must either be refused with a message or decode to
 * events inside the 34 x 34 sensor, sorted by time, with a backwards count
 * that matches the raw timestamps.
 */
#include <stdlib.h>

#include "../src/snnwb.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parses one input and aborts when a promise of data_nmnist_parse fails. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct event	*ev;
	size_t		 n = size / 5, back, i, raw = 0;
	uint32_t	 t, prev = 0;
	char		*cause = NULL;

	if ((ev = mem_alloc(n * sizeof *ev)) == NULL)
		return 0;
	if (data_nmnist_parse(data, size, "fuzz", ev, &back, &cause) != 0) {
		if (cause == NULL)
			abort();
		free(cause);
		mem_free(ev);
		return 0;
	}
	for (i = 0; i < n; i++) {
		t = (uint32_t)(data[5 * i + 2] & 0x7f) << 16 |
		    (uint32_t)data[5 * i + 3] << 8 | data[5 * i + 4];
		raw += i > 0 && t < prev;
		prev = t;
		if (ev[i].x > 33 || ev[i].y > 33 || ev[i].p > 1 ||
		    (i > 0 && ev[i].t < ev[i - 1].t))
			abort();
	}
	if (size == 0 || raw != back)
		abort();
	mem_free(ev);
	return 0;
}
