/*
 * test-frames.c: integrating events into frames. Real recordings against
 * SpikingJelly's frames in ../shared/reference/frames (every value exact),
 * cases built by hand for each rule of the split, random recordings against
 * a literal per-frame transcription of SpikingJelly's segment rule, the
 * transforms, the stride, and the validation messages.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/snnwb.h"
#include "tap.h"

/* The small frame of the cases built by hand. */
#define H 3
#define W 4
#define PLANE (H * W)
#define FSIZE (2 * PLANE)

/* Events of a hand-built recording: times and packed coordinates. */
struct rec {
	size_t		n;
	uint32_t	t[64];
	uint16_t	xyp[64];
};

/* Appends an event at time t, pixel (x, y), polarity p. */
static void
rec_add(struct rec *r, uint32_t t, int x, int y, int p)
{
	r->t[r->n] = t;
	r->xyp[r->n] = EVENTSET_PACK(x, y, p);
	r->n++;
}

/*
 * Integrates r with o into frames (T, FSIZE) and compares them with the
 * counts that put event i in frame want[i] (-1: dropped). Returns 1 on a
 * match; a mismatch names the first differing value.
 */
static int
check_frames(const struct rec *r, const struct frames_opts *o,
    const int *want, const char *what)
{
	float	*got, *exp;
	size_t	 i, n = (size_t)o->T * FSIZE;
	char	*cause = NULL;
	int	 rc, good;

	got = malloc(n * sizeof *got);
	exp = calloc(n, sizeof *exp);
	for (i = 0; i < n; i++)
		got[i] = NAN;
	for (i = 0; i < r->n; i++)
		if (want[i] >= 0)
			exp[(size_t)want[i] * FSIZE +
			    EVENTSET_P(r->xyp[i]) * PLANE +
			    EVENTSET_Y(r->xyp[i]) * W +
			    EVENTSET_X(r->xyp[i])] += 1;
	rc = data_frames_integrate(got, FSIZE, r->t, r->xyp, r->n, H, W, o,
	    &cause);
	for (i = 0; rc == 0 && i < n; i++)
		if (got[i] != exp[i])
			break;
	good = ok(rc == 0 && i == n, "%s", what);
	if (rc != 0)
		diag("failed: %s", cause);
	else if (!good)
		diag("frame %zu, value %zu: got %g, want %g", i / FSIZE,
		    i % FSIZE, (double)got[i], (double)exp[i]);
	free(cause);
	free(got);
	free(exp);
	return good;
}

/* Splitting by event number: the remainder, T > N, an empty recording. */
static void
test_by_number(void)
{
	struct frames_opts	o;
	struct rec		r = { 0 };
	const int		want7[] = { 0, 0, 1, 1, 2, 2, 2 };
	const int		want3[] = { 4, 4, 4 };
	const int		want6[] = { 0, 0, 0, 1, 1, 1 };
	int			i;

	data_frames_defaults(&o);
	for (i = 0; i < 7; i++)
		rec_add(&r, (uint32_t)(10 * i), i % W, i % H, i % 2);
	o.T = 3;
	check_frames(&r, &o, want7, "by number: 7 events in 3 frames are "
	    "2, 2, then the remainder 3 in the last frame");

	r.n = 0;
	for (i = 0; i < 6; i++)
		rec_add(&r, 5, 1, 2, 0);
	o.T = 2;
	check_frames(&r, &o, want6, "by number: one pixel hit 3 times "
	    "counts 3; equal times split by index");

	r.n = 0;
	for (i = 0; i < 3; i++)
		rec_add(&r, (uint32_t)i, i, 0, 1);
	o.T = 5;
	check_frames(&r, &o, want3, "by number: T = 5 > N = 3 puts every "
	    "event in the last frame (N // T = 0), the others zero");

	r.n = 0;
	check_frames(&r, &o, want3, "by number: an empty recording gives "
	    "zero frames");
}

/* Splitting by time: empty bins, the open last frame, dt = 0, an offset. */
static void
test_by_time(void)
{
	struct frames_opts	o;
	struct rec		r = { 0 };
	const int		gap[] = { 0, 0, 0, 3, 3 };
	const int		last[] = { 0, 1, 2, 2, 2 };
	const int		same[] = { 2, 2, 2 };
	const int		edge[] = { 0, 1, 2, 2, 2 };

	data_frames_defaults(&o);
	o.split = FRAMES_BY_TIME;
	o.T = 4;
	rec_add(&r, 1000, 0, 0, 0);
	rec_add(&r, 1001, 1, 0, 0);
	rec_add(&r, 1002, 2, 1, 1);
	rec_add(&r, 1095, 3, 2, 1);
	rec_add(&r, 1100, 3, 2, 1);
	check_frames(&r, &o, gap, "by time: dt = 100 // 4 = 25 from t0 = "
	    "1000; bins 1 and 2 are empty, all-zero frames");

	r.n = 0;
	o.T = 3;
	rec_add(&r, 0, 0, 0, 0);
	rec_add(&r, 3, 0, 0, 0);
	rec_add(&r, 6, 0, 0, 0);
	rec_add(&r, 9, 0, 0, 0);
	rec_add(&r, 10, 0, 0, 0);
	check_frames(&r, &o, last, "by time: dt = 10 // 3 = 3; the last "
	    "frame takes t = 6, 9 and 10 (past 3 dt)");

	r.n = 0;
	rec_add(&r, 0, 1, 1, 0);
	rec_add(&r, 1, 1, 1, 1);
	rec_add(&r, 2, 2, 1, 0);
	rec_add(&r, 3, 2, 2, 1);
	rec_add(&r, 4, 3, 2, 0);
	check_frames(&r, &o, edge, "by time: dt = 4 // 3 = 1; t = 1 starts "
	    "frame 1 (half-open bins), t >= 2 the last");

	r.n = 0;
	rec_add(&r, 7, 0, 0, 0);
	rec_add(&r, 7, 1, 1, 1);
	rec_add(&r, 8, 2, 2, 0);
	check_frames(&r, &o, same, "by time: span 1 < T gives dt = 0 and "
	    "every event in the last frame");
}

/* Fixed windows from the first event; later events are dropped. */
static void
test_by_duration(void)
{
	struct frames_opts	o;
	struct rec		r = { 0 };
	const int		want[] = { 0, 0, 1, 1, -1, -1 };
	const int		gap[] = { 0, 2 };

	data_frames_defaults(&o);
	o.split = FRAMES_BY_DURATION;
	o.duration_us = 10;
	o.T = 2;
	rec_add(&r, 100, 0, 0, 0);
	rec_add(&r, 105, 1, 0, 1);
	rec_add(&r, 110, 2, 1, 0);
	rec_add(&r, 119, 3, 2, 1);
	rec_add(&r, 120, 3, 2, 1);
	rec_add(&r, 300, 0, 0, 0);
	check_frames(&r, &o, want, "by duration 10 us, T = 2 from t0 = 100: "
	    "[100, 110), [110, 120); t = 120 and 300 dropped");

	r.n = 0;
	o.T = 3;
	rec_add(&r, 50, 1, 1, 1);
	rec_add(&r, 71, 1, 1, 1);
	check_frames(&r, &o, gap, "by duration: a window without events is "
	    "zero");
}

/* Binary and divide transforms, alone and together. */
static void
test_transforms(void)
{
	struct frames_opts	o;
	struct rec		r = { 0 };
	float			f[FSIZE];
	char			*cause = NULL;
	int			i, rc;

	data_frames_defaults(&o);
	o.T = 1;
	for (i = 0; i < 3; i++)
		rec_add(&r, (uint32_t)i, 1, 2, 1);
	rec_add(&r, 4, 0, 0, 0);

	o.binary = 1;
	rc = data_frames_integrate(f, FSIZE, r.t, r.xyp, r.n, H, W, &o,
	    &cause);
	ok(rc == 0 && f[PLANE + 2 * W + 1] == 1 && f[0] == 1 && f[1] == 0,
	    "binary: 3 events on a pixel give 1");
	o.binary = 0;
	o.divide = 4;
	rc = data_frames_integrate(f, FSIZE, r.t, r.xyp, r.n, H, W, &o,
	    &cause);
	ok(rc == 0 && f[PLANE + 2 * W + 1] == 0.75f && f[0] == 0.25f &&
	    f[1] == 0, "divide by 4: 3 events give 0.75, 1 gives 0.25");
	o.binary = 1;
	rc = data_frames_integrate(f, FSIZE, r.t, r.xyp, r.n, H, W, &o,
	    &cause);
	ok(rc == 0 && f[PLANE + 2 * W + 1] == 0.25f && f[0] == 0.25f,
	    "binary then divide by 4: 0.25 on both pixels");
}

/* A stride wider than the frame: frames zeroed, the gaps untouched. */
static void
test_stride(void)
{
	enum { STRIDE = FSIZE + 5, T = 3 };
	struct frames_opts	o;
	struct rec		r = { 0 };
	float			buf[T * STRIDE];
	size_t			i, k;
	int			rc, gaps = 1, frames = 1;

	data_frames_defaults(&o);
	o.T = T;
	for (i = 0; i < 6; i++)
		rec_add(&r, (uint32_t)i, (int)i % W, 0, 0);
	for (i = 0; i < T * STRIDE; i++)
		buf[i] = -1;
	rc = data_frames_integrate(buf, STRIDE, r.t, r.xyp, r.n, H, W, &o,
	    NULL);
	for (k = 0; k < T; k++) {
		for (i = 0; i < FSIZE; i++)
			frames &= buf[k * STRIDE + i] == (i == 2 * k % W ||
			    i == (2 * k + 1) % W ? 1 : 0);
		for (i = FSIZE; k + 1 < T && i < STRIDE; i++)
			gaps &= buf[k * STRIDE + i] == -1;
	}
	ok(rc == 0 && frames, "stride: frame k at k * stride, zeroed, with "
	    "events 2k and 2k + 1");
	ok(gaps, "stride: values between frames untouched");
}

/*
 * One event outside the frame at each place of 11 (T = 2, split by
 * number or by time), so that it falls in every lane of the four events
 * the integration takes at a time and in the one-at-a-time rest: each is
 * refused, naming that event.
 */
static void
bad_everywhere(enum frames_split split)
{
	struct frames_opts	 o;
	struct rec		 r;
	float			 f[2 * FSIZE];
	char			*cause, want[32];
	size_t			 bad, named = 0;
	int			 k;

	data_frames_defaults(&o);
	o.T = 2;
	o.split = split;
	for (bad = 0; bad < 11; bad++) {
		r.n = 0;
		for (k = 0; k < 11; k++)
			rec_add(&r, (uint32_t)(10 * k), k % W,
			    (size_t)k == bad ? H : k % H, k & 1);
		cause = NULL;
		snprintf(want, sizeof want, "event %zu at x %d, y %d ", bad,
		    (int)bad % W, H);
		named += data_frames_integrate(f, FSIZE, r.t, r.xyp, r.n, H,
		    W, &o, &cause) == -1 && cause != NULL &&
		    strstr(cause, want) != NULL;
		free(cause);
	}
	ok(named == 11, "by %s, y = H at each of 11 events: %zu of 11 named",
	    data_frames_split_name(split), named);
}

/* Option checks, split names, coordinates outside the frame. */
static void
test_validate(void)
{
	struct frames_opts	o;
	struct rec		r = { 0 };
	float			f[FSIZE];
	char			*cause = NULL;
	int			rc;

	data_frames_defaults(&o);
	ok(o.split == FRAMES_BY_NUMBER && o.T == 10 && o.binary == 0 &&
	    o.divide == 1 && data_frames_validate(&o, NULL) == 0,
	    "defaults: by number, T = 10, counts unchanged, valid");
#define REFUSED(field, value, text) do {				\
	data_frames_defaults(&o);					\
	o.field = value;						\
	rc = data_frames_validate(&o, &cause);				\
	ok(rc == -1 && cause != NULL && strstr(cause, text) != NULL,	\
	    "refused: %s = %s: %s", #field, #value, cause ? cause : "");\
	free(cause);							\
	cause = NULL;							\
} while (0)
	REFUSED(T, 0, "T must be at least 1 (got 0)");
	REFUSED(T, -3, "got -3");
	REFUSED(divide, 0, "divide must be a finite number above 0");
	REFUSED(divide, -2, "got -2");
	REFUSED(divide, NAN, "divide");
	REFUSED(divide, INFINITY, "divide");
	REFUSED(split, FRAMES_BY_DURATION, "duration_us of at least 1");
	REFUSED(split, (enum frames_split)3, "unknown split 3");
#undef REFUSED

	data_frames_defaults(&o);
	ok(data_frames_set_split(&o, "time", NULL) == 0 &&
	    o.split == FRAMES_BY_TIME && data_frames_set_split(&o, "duration",
	    NULL) == 0 && o.split == FRAMES_BY_DURATION &&
	    data_frames_set_split(&o, "number", NULL) == 0 &&
	    o.split == FRAMES_BY_NUMBER, "set_split by name");
	rc = data_frames_set_split(&o, "frames", &cause);
	ok(rc == -1 && o.split == FRAMES_BY_NUMBER && cause != NULL &&
	    strstr(cause, "unknown split \"frames\"") != NULL,
	    "set_split: unknown name refused: %s", cause ? cause : "");
	free(cause);
	cause = NULL;
	ok(strcmp(data_frames_split_name(FRAMES_BY_TIME), "time") == 0 &&
	    strcmp(data_frames_split_name((enum frames_split)3), "?") == 0,
	    "split_name");

	o.T = 1;
	rec_add(&r, 0, 1, 1, 0);
	rec_add(&r, 1, W, 0, 1);
	rc = data_frames_integrate(f, FSIZE, r.t, r.xyp, r.n, H, W, &o,
	    &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "event 1 at x 4, y 0 "
	    "is outside the 4x3 frame") != NULL, "x = W refused: %s",
	    cause ? cause : "");
	free(cause);
	cause = NULL;
	r.xyp[1] = EVENTSET_PACK(0, H, 1);
	rc = data_frames_integrate(f, FSIZE, r.t, r.xyp, r.n, H, W, &o,
	    &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "y 3") != NULL,
	    "y = H refused: %s", cause ? cause : "");
	free(cause);
	cause = NULL;
	bad_everywhere(FRAMES_BY_NUMBER);
	bad_everywhere(FRAMES_BY_TIME);
	rc = data_frames_integrate(f, FSIZE, r.t, r.xyp, 1, 129, W, &o,
	    &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "4x129") != NULL,
	    "a frame taller than 128 refused: %s", cause ? cause : "");
	free(cause);
	cause = NULL;
	o.T = 0;
	rc = data_frames_integrate(f, FSIZE, r.t, r.xyp, 1, H, W, &o, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "T must") != NULL,
	    "integrate validates its options: %s", cause ? cause : "");
	free(cause);
}

/*
 * SpikingJelly's rule transcribed literally, one frame at a time: frame k
 * covers indices [j_l, j_r) by number, or times [t_l, t_r) by time, the
 * last frame open-ended; counts (T, FSIZE) into exp.
 */
static void
literal_frames(float *exp, const struct rec *r, enum frames_split split,
    int T)
{
	size_t		k, i, di = r->n / (size_t)T;
	uint64_t	dt, t_l, t_r;
	int		in;

	memset(exp, 0, (size_t)T * FSIZE * sizeof *exp);
	if (r->n == 0)
		return;
	dt = (r->t[r->n - 1] - r->t[0]) / (uint64_t)T;
	for (k = 0; k < (size_t)T; k++) {
		t_l = r->t[0] + dt * k;
		t_r = t_l + dt;
		for (i = 0; i < r->n; i++) {
			if (split == FRAMES_BY_NUMBER)
				in = i >= k * di && (i < (k + 1) * di ||
				    k == (size_t)T - 1);
			else
				in = r->t[i] >= t_l && (r->t[i] < t_r ||
				    k == (size_t)T - 1);
			if (in)
				exp[k * FSIZE + EVENTSET_P(r->xyp[i]) * PLANE +
				    EVENTSET_Y(r->xyp[i]) * W +
				    EVENTSET_X(r->xyp[i])] += 1;
		}
	}
}

/* Random sorted recordings, by number and by time, against the literal rule. */
static void
test_random(void)
{
	struct rng		rng;
	struct rec		r;
	struct frames_opts	o;
	float			got[20 * FSIZE], exp[20 * FSIZE];
	int			trial, split, bad = 0, rc, T;
	size_t			i, m;
	uint32_t		now;

	rng_seed(&rng, 2024);
	for (trial = 0; trial < 400; trial++) {
		memset(&r, 0, sizeof r);
		m = rng_below(&rng, 64);
		now = rng_below(&rng, 1000);
		for (i = 0; i < m; i++) {
			now += rng_below(&rng, trial % 4 == 0 ? 3 : 40);
			rec_add(&r, now, (int)rng_below(&rng, W),
			    (int)rng_below(&rng, H), (int)rng_below(&rng, 2));
		}
		T = 1 + (int)rng_below(&rng, 20);
		for (split = 0; split < 2; split++) {
			data_frames_defaults(&o);
			o.split = (enum frames_split)split;
			o.T = T;
			rc = data_frames_integrate(got, FSIZE, r.t, r.xyp, r.n,
			    H, W, &o, NULL);
			literal_frames(exp, &r, o.split, T);
			if (rc != 0 || memcmp(got, exp,
			    (size_t)T * FSIZE * sizeof *got) != 0) {
				if (bad++ == 0)
					diag("first mismatch: trial %d, %s, "
					    "N %zu, T %d", trial,
					    data_frames_split_name(o.split),
					    r.n, T);
			}
		}
	}
	ok(bad == 0, "400 random recordings (N 0..63, T 1..20, close and "
	    "equal times) by number and by time match the literal rule "
	    "(%d mismatches)", bad);
}

/*
 * Reads a recording of the shared subset into t and xyp (malloc'd, the
 * caller frees both); returns the event count or -1.
 */
static long
read_recording(const char *path, uint32_t **t, uint16_t **xyp)
{
	struct event	*ev;
	size_t		 n, backwards, i;
	char		*cause = NULL;

	if (data_nmnist_read_file(path, &ev, &n, &backwards, &cause) != 0) {
		diag("%s", cause);
		free(cause);
		return -1;
	}
	*t = malloc((n == 0 ? 1 : n) * sizeof **t);
	*xyp = malloc((n == 0 ? 1 : n) * sizeof **xyp);
	for (i = 0; i < n; i++) {
		(*t)[i] = ev[i].t;
		(*xyp)[i] = EVENTSET_PACK(ev[i].x, ev[i].y, ev[i].p);
	}
	mem_free(ev);
	return (long)n;
}

/* Every reference file: the same frames as SpikingJelly, value by value. */
static void
test_reference(void)
{
	const char		*dir, *rel, *split, *events;
	char			 rdir[4096], ddir[4096], path[8192];
	char			**names, *cause = NULL;
	struct refdata		 rd;
	const struct refarray	*want;
	struct frames_opts	 o;
	uint32_t		*t;
	uint16_t		*xyp;
	float			*got;
	long			 n;
	int			 i, count, rc;

	if ((dir = tap_fixture("reference/frames", 1)) == NULL)
		return;
	snprintf(rdir, sizeof rdir, "%s", dir);
	if ((dir = tap_fixture("datasets/nmnist-subset", 1)) == NULL)
		return;
	snprintf(ddir, sizeof ddir, "%s", dir);
	names = tap_list_dir(rdir, ".txt", &count);
	ok(count > 0, "%d reference files in %s", count, rdir);
	for (i = 0; i < count; i++) {
		snprintf(path, sizeof path, "%s/%s", rdir, names[i]);
		if (refdata_load(path, &rd, &cause) != 0) {
			ok(0, "%s: %s", names[i], cause);
			free(cause);
			cause = NULL;
			continue;
		}
		rel = refdata_note(&rd, "file");
		split = refdata_note(&rd, "split_by");
		events = refdata_note(&rd, "events");
		want = refdata_array(&rd, "frames");
		data_frames_defaults(&o);
		o.T = refdata_note(&rd, "frames") != NULL ?
		    atoi(refdata_note(&rd, "frames")) : 0;
		if (rel == NULL || split == NULL || events == NULL ||
		    want == NULL ||
		    data_frames_set_split(&o, split, NULL) != 0 ||
		    want->n != (size_t)o.T * 2 * 34 * 34) {
			ok(0, "%s: notes file, split_by, frames, events and "
			    "the array frames [T][2][34][34]", names[i]);
			refdata_free(&rd);
			continue;
		}
		snprintf(path, sizeof path, "%s/%s", ddir, rel);
		if ((n = read_recording(path, &t, &xyp)) < 0) {
			ok(0, "%s: reading %s", names[i], rel);
			refdata_free(&rd);
			continue;
		}
		got = malloc(want->n * sizeof *got);
		rc = data_frames_integrate(got, 2 * 34 * 34, t, xyp,
		    (size_t)n, 34, 34, &o, &cause);
		ok(rc == 0 && n == atol(events), "%s: %ld events "
		    "integrated%s%s", names[i], n, rc != 0 ? ": " : "",
		    rc != 0 ? cause : "");
		is_close_array(got, want->v, want->n, 0, 0,
		    "%s: all %zu values equal SpikingJelly's", names[i],
		    want->n);
		free(cause);
		cause = NULL;
		free(got);
		free(t);
		free(xyp);
		refdata_free(&rd);
	}
	for (i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

/* Runs every group of tests. */
int
main(void)
{
	test_by_number();
	test_by_time();
	test_by_duration();
	test_transforms();
	test_stride();
	test_validate();
	test_random();
	test_reference();
	return done_testing();
}
