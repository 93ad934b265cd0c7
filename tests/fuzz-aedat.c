/*
 * fuzz-aedat.c: a libFuzzer target for the AEDAT 2.0 reader (make fuzz).
 * Any input must either be refused with a message or decode to the
 * events after its header, inside 128 x 128, sorted by time, with a
 * backwards count that matches the raw timestamps; with none backwards,
 * every event must be its bytes decoded one by one. Decoded events are
 * then made into frames resized to 48 x 48, which must hold every event.
 */
#include <stdlib.h>
#include <string.h>

#include "../src/snnwb.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads a big-endian uint32. */
static uint32_t
be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
}

/* Integrates the events into 2 frames of 48 x 48; checks the total. */
static void
frames(uint32_t *t, uint16_t *xyp, size_t n)
{
	struct eventset		 es;
	struct frames_opts	 o;
	struct dataset		 ds;
	uint64_t		 off[2] = { 0, n };
	uint8_t			 label = 0;
	uint32_t		 id = 0;
	float			*out, sum = 0;
	size_t			 i, len;
	char			*cause = NULL;

	memset(&es, 0, sizeof es);
	es.n = 1;
	es.off = off;
	es.t = t;
	es.xyp = xyp;
	es.label = &label;
	es.id = &id;
	es.width = es.height = DATA_AEDAT_SIDE;
	data_frames_defaults(&o);
	o.T = 2;
	o.split = n % 2 ? FRAMES_BY_TIME : FRAMES_BY_NUMBER;
	if (data_aedat_dataset(&ds, &es, &o, 48, &cause) != 0)
		abort();
	len = 2 * 2 * 48 * 48;
	if ((out = mem_alloc(len * sizeof *out)) == NULL)
		return;
	if (ds.fill(&ds, 0, out, len / 2, &cause) != 0)
		abort();
	for (i = 0; i < len; i++) {
		if (!(out[i] >= 0))
			abort();
		sum += out[i];
	}
	/* Each input pixel weighs 0.29 to 0.42 per axis at 128 to 48. */
	if (n > 0 && !(sum > 0.08f * (float)n && sum < 0.21f * (float)n))
		abort();
	mem_free(out);
}

/* Parses one input and aborts when a promise of data_aedat_parse fails. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*b;
	uint32_t	*t, a, raw_t, prev = 0;
	uint16_t	*xyp;
	size_t		 cap = size / 8 + 1, n, hdr, back, i, raw = 0;
	char		*cause = NULL;

	t = mem_alloc(cap * sizeof *t);
	xyp = mem_alloc(cap * sizeof *xyp);
	if (t == NULL || xyp == NULL)
		goto out;
	if (data_aedat_parse(data, size, "fuzz", t, xyp, &n, &back,
	    &cause) != 0) {
		if (cause == NULL || n != 0)
			abort();
		free(cause);
		goto out;
	}
	if (data_aedat_header(data, size, "fuzz", &hdr, &cause) != 0 ||
	    hdr + 8 * n != size)
		abort();
	for (i = 0; i < n; i++) {
		raw_t = be32(data + hdr + 8 * i + 4);
		raw += i > 0 && raw_t < prev;
		prev = raw_t;
		if (xyp[i] >> 15 != 0 || (i > 0 && t[i] < t[i - 1]))
			abort();
	}
	if (raw != back)
		abort();
	for (i = 0; back == 0 && i < n; i++) {
		b = data + hdr + 8 * i;
		a = be32(b);
		if (t[i] != be32(b + 4) || xyp[i] != EVENTSET_PACK(
		    127 - (a >> 8 & 0x7f), 127 - (a >> 1 & 0x7f), 1 - (a & 1)))
			abort();
	}
	frames(t, xyp, n);
out:
	mem_free(t);
	mem_free(xyp);
	return 0;
}
