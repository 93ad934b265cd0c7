/*
 * data-nmnist-parse.c: decoding the bytes of one N-MNIST recording.
 *
 * Each event is 5 bytes (Orchard et al. 2015): byte 0 x, byte 1 y, bit 7
 * of byte 2 the polarity (1 ON), and the other 23 bits of bytes 2 to 4 a
 * big-endian timestamp in microseconds. Events are decoded into the packed
 * form of struct eventset (times, and x | y << 7 | p << 14), three at a
 * time with SSSE3 byte shuffles where cpu_isa() allows them, one at a
 * time otherwise; neither loop branches per event.
 */
#include <endian.h>
#include <string.h>

#include "data.h"

#ifdef CPU_X86
#include <immintrin.h>
#define NMNIST_SSSE3 __attribute__((target(CPU_TARGET_SSSE3)))
#endif

/*
 * Sorts ev (n) by time, keeping equal times in order: a radix sort on as
 * many low bytes as the largest time needs (three for the format's 23-bit
 * timestamps, four for AEDAT's). tmp is scratch room for n events, owned
 * by the caller.
 */
void
data_nmnist_sort(struct event *ev, struct event *tmp, size_t n)
{
	struct event	*src = ev, *dst = tmp, *swap;
	size_t		 count[256], i, sum, c;
	uint32_t	 all = 0;
	int		 shift;

	for (i = 0; i < n; i++)
		all |= ev[i].t;
	for (shift = 0; shift < 32 && all >> shift != 0; shift += 8) {
		memset(count, 0, sizeof count);
		for (i = 0; i < n; i++)
			count[(src[i].t >> shift) & 0xff]++;
		for (i = 0, sum = 0; i < 256; i++) {
			c = count[i];
			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[count[(src[i].t >> shift) & 0xff]++] = src[i];
		swap = src;
		src = dst;
		dst = swap;
	}
	if (src != ev)
		memcpy(ev, src, n * sizeof *ev);
}

/*
 * Reports the first event of buf (n events) whose x or y is outside the
 * sensor; there must be one.
 */
static int
data_nmnist_bad_event(const uint8_t *buf, size_t n, const char *name,
    char **cause)
{
	const uint8_t	*b;
	size_t		 i;

	for (i = 0; i < n; i++) {
		b = buf + 5 * i;
		if (b[0] >= NMNIST_SIDE)
			return error_set(cause, "%s: event %zu (byte offset "
			    "%zu): x = %u outside 0..%d", name, i, 5 * i,
			    b[0], NMNIST_SIDE - 1);
		if (b[1] >= NMNIST_SIDE)
			return error_set(cause, "%s: event %zu (byte offset "
			    "%zu): y = %u outside 0..%d", name, i, 5 * i + 1,
			    b[1], NMNIST_SIDE - 1);
	}
	return error_set(cause, "%s: no bad event found", name);
}

/* Writes the n events of t and xyp (the packed form) into ev. */
void
data_nmnist_unpack(const uint32_t *t, const uint16_t *xyp, size_t n,
    struct event *ev)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		ev[i].t = t[i];
		ev[i].x = (uint8_t)EVENTSET_X(xyp[i]);
		ev[i].y = (uint8_t)EVENTSET_Y(xyp[i]);
		ev[i].p = (uint8_t)EVENTSET_P(xyp[i]);
		ev[i].pad = 0;
	}
}

/*
 * Sorts the n events of t and xyp stably by time, through struct event
 * and data_nmnist_sort (files with events out of order are rare).
 */
int
data_nmnist_sort_packed(uint32_t *t, uint16_t *xyp, size_t n,
    const char *name, char **cause)
{
	struct event	*ev;
	size_t		 i;

	if ((ev = mem_alloc(2 * n * sizeof *ev)) == NULL)
		return error_set(cause, "%s: out of memory sorting %zu events",
		    name, n);
	data_nmnist_unpack(t, xyp, n, ev);
	data_nmnist_sort(ev, ev + n, n);
	for (i = 0; i < n; i++) {
		t[i] = ev[i].t;
		xyp[i] = EVENTSET_PACK(ev[i].x, ev[i].y, ev[i].p);
	}
	mem_free(ev);
	return 0;
}

/*
 * Decodes the event whose 5 bytes are the low bytes of w (read as a
 * little-endian word) into *t and *xyp. Returns a value with bit 7 or 15
 * set when x or y is outside the sensor: both bytes at once, x + 94 has
 * bit 7 set exactly when 34 <= x < 162, and x itself from 128 on. The
 * packing is only right when both are inside.
 */
static inline uint64_t
data_nmnist_event(uint64_t w, uint32_t *t, uint16_t *xyp)
{
	*t = (uint32_t)(__builtin_bswap64(w) >> 24) & NMNIST_TMAX;
	*xyp = (uint16_t)((w & 0x7f) | (w >> 1 & 0x3f80) | (w >> 9 & 0x4000));
	return (((w & 0xffff) + 0x5e5e) | w) & 0x8080;
}

/*
 * Decodes events i to n - 1 of buf one at a time, each read as an 8-byte
 * word (the last from a copy, so as not to read past the buffer). Returns
 * nonzero when a coordinate was outside the sensor.
 */
static uint64_t
data_nmnist_decode(const uint8_t *buf, size_t i, size_t n, uint32_t *t,
    uint16_t *xyp)
{
	uint64_t	w, far = 0;

	for (; i + 1 < n; i++) {
		memcpy(&w, buf + 5 * i, sizeof w);
		far |= data_nmnist_event(le64toh(w), t + i, xyp + i);
	}
	if (i < n) {
		w = 0;
		memcpy(&w, buf + 5 * i, 5);
		far |= data_nmnist_event(le64toh(w), t + i, xyp + i);
	}
	return far;
}

#ifdef CPU_X86
/*
 * Decodes events three at a time from 16-byte loads while four more fit
 * (each pass writes a fourth time and xyp that the next one replaces);
 * returns the events done, all of them inside the sensor only when *far
 * is still 0. Shuffles put the timestamp's three bytes in little-endian
 * order and x, y and the byte holding p into 16-bit lanes.
 */
NMNIST_SSSE3 static size_t
data_nmnist_decode3(const uint8_t *buf, size_t n, uint32_t *t, uint16_t *xyp,
    uint64_t *far)
{
	const __m128i	time = _mm_setr_epi8(4, 3, 2, -1, 9, 8, 7, -1,
			    14, 13, 12, -1, -1, -1, -1, -1);
	const __m128i	coord = _mm_setr_epi8(0, 1, 5, 6, 10, 11, -1, -1,
			    -1, 2, -1, 7, -1, 12, -1, -1);
	const __m128i	tmask = _mm_set1_epi32(NMNIST_TMAX);
	__m128i		v, a, xy, most = _mm_setzero_si128();
	size_t		i;

	for (i = 0; i + 4 <= n; i += 3) {
		v = _mm_loadu_si128((const __m128i *)(const void *)
		    (buf + 5 * i));
		_mm_storeu_si128((__m128i *)(void *)(t + i),
		    _mm_and_si128(_mm_shuffle_epi8(v, time), tmask));
		a = _mm_shuffle_epi8(v, coord);
		xy = _mm_move_epi64(a);
		most = _mm_max_epu8(most, xy);
		xy = _mm_or_si128(
		    _mm_and_si128(xy, _mm_set1_epi16(0x7f)),
		    _mm_and_si128(_mm_srli_epi16(xy, 1),
		    _mm_set1_epi16(0x3f80)));
		xy = _mm_or_si128(xy, _mm_and_si128(
		    _mm_srli_epi16(_mm_srli_si128(a, 8), 1),
		    _mm_set1_epi16(0x4000)));
		_mm_storel_epi64((__m128i *)(void *)(xyp + i), xy);
	}
	most = _mm_cmpgt_epi8(_mm_min_epu8(most,
	    _mm_set1_epi8(NMNIST_SIDE)), _mm_set1_epi8(NMNIST_SIDE - 1));
	*far = (uint64_t)_mm_movemask_epi8(most);
	return i;
}
#endif

/*
 * Decodes the len bytes of one recording in buf into t and xyp (the packed
 * form of struct eventset), which have room for len / 5 events; name is
 * used in messages. Events whose timestamp is below the one before are
 * counted in *backwards (may be NULL), and the events are then sorted
 * stably by time. A coordinate outside the sensor is noted as the events
 * are decoded and looked for again on the way out.
 */
int
data_nmnist_parse(const uint8_t *buf, size_t len, const char *name,
    uint32_t *t, uint16_t *xyp, size_t *backwards, char **cause)
{
	uint64_t	 far = 0;
	size_t		 i = 0, n = len / 5, back = 0;

	if (len == 0)
		return error_set(cause, "%s: empty file, no events", name);
	if (len % 5 != 0)
		return error_set(cause, "%s: %zu bytes is not a whole number "
		    "of 5-byte events: %zu stray bytes at byte offset %zu",
		    name, len, len % 5, len - len % 5);
#ifdef CPU_X86
	if (cpu_isa() >= CPU_ISA_SSSE3)
		i = data_nmnist_decode3(buf, n, t, xyp, &far);
#endif
	far |= data_nmnist_decode(buf, i, n, t, xyp);
	if (far != 0)
		return data_nmnist_bad_event(buf, n, name, cause);
	for (i = 1; i < n; i++)
		back += t[i] < t[i - 1];
	if (back != 0 && data_nmnist_sort_packed(t, xyp, n, name, cause) != 0)
		return -1;
	if (backwards != NULL)
		*backwards = back;
	return 0;
}
