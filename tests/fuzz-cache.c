/*
 * fuzz-cache.c: a libFuzzer target for the split cache files (make fuzz,
 * data-cache.c). The input is a cache file read under the key it holds;
 * its checksum is made right first (unless byte 68 is odd), so that the
 * fuzzer gets past it to the counts, offsets and events. Any input must
 * either be refused with a message or give the header's recordings and
 * events as stored, offsets from 0 up to the events, labels 0..9 and
 * events inside the frame; each recording then integrates into frames
 * that hold every event once.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../src/data.h"
#include "fuzz.h"

/* Header bytes, and where the checksum and the arrays are. */
#define FUZZ_HEADER	72
#define FUZZ_CRCAT	64
#define FUZZ_MAXREC	64	/* recordings made into frames */

/* Integrates recording i of es into 2 frames and checks the counts. */
static void
frames(const struct eventset *es, size_t i, float *out)
{
	struct frames_opts	 o;
	size_t			 n = (size_t)(es->off[i + 1] - es->off[i]);
	size_t			 stride = 2 * (size_t)es->width * es->height, k;
	double			 sum;
	char			*cause = NULL;
	int			 split;

	for (split = FRAMES_BY_NUMBER; split <= FRAMES_BY_TIME; split++) {
		data_frames_defaults(&o);
		o.T = 2;
		o.split = split;
		if (data_frames_integrate(out, stride, es->t + es->off[i],
		    es->xyp + es->off[i], n, es->height, es->width, &o,
		    &cause) != 0)
			abort();
		for (sum = 0, k = 0; k < 2 * stride; k++) {
			if (!(out[k] >= 0))
				abort();
			sum += out[k];
		}
		if (split == FRAMES_BY_NUMBER ? sum != (double)n :
		    sum > (double)n)
			abort();
	}
}

/* Aborts unless es is what the cache file d (size bytes) stores. */
static void
check(const struct eventset *es, const struct data_nmnist_stats *st,
    const uint8_t *d, size_t size)
{
	uint64_t	n, events;
	uint32_t	w, h;
	size_t		i, at = FUZZ_HEADER;
	float		*out;

	memcpy(&n, d + 24, 8);
	memcpy(&events, d + 32, 8);
	memcpy(&w, d + 40, 4);
	memcpy(&h, d + 44, 4);
	if (es->n != n || es->off[0] != 0 || es->off[n] != events ||
	    (uint32_t)es->width != w || (uint32_t)es->height != h ||
	    st->cache != DATA_CACHE_HIT || st->files != n ||
	    st->events != events)
		abort();
	if (memcmp(es->off, d + at, (n + 1) * 8) != 0 ||
	    memcmp(es->label, d + (at += (n + 1) * 8), n) != 0 ||
	    memcmp(es->id, d + (at += n), n * 4) != 0 ||
	    memcmp(es->t, d + (at += n * 4), events * 4) != 0 ||
	    memcmp(es->xyp, d + (at += events * 4), events * 2) != 0 ||
	    at + events * 2 != size)
		abort();
	for (i = 0; i < n; i++)
		if (es->off[i + 1] < es->off[i] || es->label[i] > 9)
			abort();
	for (i = 0; i < events; i++)
		if (EVENTSET_X(es->xyp[i]) >= w || EVENTSET_Y(es->xyp[i]) >= h)
			abort();
	if ((out = mem_alloc(4 * (size_t)w * h * sizeof *out)) == NULL)
		return;
	for (i = 0; i < n && i < FUZZ_MAXREC; i++)
		frames(es, i, out);
	mem_free(out);
}

/* Reads one input as a cache file and checks what it gives. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct data_nmnist_stats	 st;
	struct eventset			 es;
	uint64_t			 key = 0;
	uint32_t			 crc;
	uint8_t				*d;
	char				*cause = NULL;

	if ((d = mem_alloc(size + 1)) == NULL)
		return 0;
	memcpy(d, data, size);
	if (size >= FUZZ_HEADER) {
		memcpy(&key, d + 16, 8);
		if (d[68] % 2 == 0) {
			crc = (uint32_t)crc32(0, d, FUZZ_CRCAT);
			crc = (uint32_t)crc32(crc, d + FUZZ_HEADER,
			    (uInt)(size - FUZZ_HEADER));
			memcpy(d + FUZZ_CRCAT, &crc, 4);
		}
	}
	memset(&st, 0, sizeof st);
	if (data_cache_read(fuzz_file(d, size), key, &es, &st, &cause) != 0) {
		if (cause == NULL || es.n != 0 || es.off != NULL ||
		    st.cache == DATA_CACHE_HIT)
			abort();
		free(cause);
	} else {
		check(&es, &st, d, size);
		data_nmnist_free(&es);
	}
	mem_free(d);
	return 0;
}
