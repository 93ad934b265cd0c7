/*
 * fuzz-nmnist.c: a libFuzzer target for the N-MNIST event parser (make
 * fuzz). Any input must either be refused with a message or decode to
 * events inside the 34 x 34 sensor, sorted by time, with a backwards count
 * that matches the raw timestamps; with none backwards, every event must
 * be its bytes decoded one by one.
 */
#include <stdlib.h>

#include "../src/snnwb.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parses one input and aborts when a promise of data_nmnist_parse fails. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*b;
	uint32_t	*t, raw_t, prev = 0;
	uint16_t	*xyp;
	size_t		 n = size / 5, back, i, raw = 0;
	char		*cause = NULL;

	t = mem_alloc(n * sizeof *t);
	xyp = mem_alloc(n * sizeof *xyp);
	if (n > 0 && (t == NULL || xyp == NULL))
		goto out;
	if (data_nmnist_parse(data, size, "fuzz", t, xyp, &back,
	    &cause) != 0) {
		if (cause == NULL)
			abort();
		free(cause);
		goto out;
	}
	for (i = 0; i < n; i++) {
		raw_t = (uint32_t)(data[5 * i + 2] & 0x7f) << 16 |
		    (uint32_t)data[5 * i + 3] << 8 | data[5 * i + 4];
		raw += i > 0 && raw_t < prev;
		prev = raw_t;
		if (EVENTSET_X(xyp[i]) > 33 || EVENTSET_Y(xyp[i]) > 33 ||
		    xyp[i] >> 15 != 0 || (i > 0 && t[i] < t[i - 1]))
			abort();
	}
	if (size == 0 || raw != back)
		abort();
	for (i = 0; back == 0 && i < n; i++) {
		b = data + 5 * i;
		if (t[i] != ((uint32_t)(b[2] & 0x7f) << 16 |
		    (uint32_t)b[3] << 8 | b[4]) ||
		    xyp[i] != EVENTSET_PACK(b[0], b[1], b[2] >> 7))
			abort();
	}
out:
	mem_free(t);
	mem_free(xyp);
	return 0;
}
