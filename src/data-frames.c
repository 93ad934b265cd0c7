/*
 * data-frames.c: integrating one recording's events into T frames of event
 * counts, [2][H][W] each with channel 0 = polarity 0, following SpikingJelly
 * (datasets.integrate_events_by_fixed_frames_number, 0.0.0.0.14 semantics):
 *
 *   by number: di = N / T (integer); frame k takes events [k di, (k + 1) di),
 *     the last frame [(T - 1) di, N), so it gets the remainder, and when
 *     T > N every event lands in the last frame.
 *   by time: dt = (t[N - 1] - t[0]) / T (integer microseconds); frame k takes
 *     the events with t[0] + k dt <= t < t[0] + (k + 1) dt, the last frame
 *     every event from t[0] + (T - 1) dt on.
 *
 * Two differences, both where SpikingJelly fails: a time bin without events
 * (and dt = 0, where every bin is empty) raises IndexError there; here it is
 * an all-zero frame, and with dt = 0 every event lands in the last frame,
 * as it does by number when T > N. An empty recording gives zero frames.
 *
 * by duration (snnwb's own): frame k takes t[0] + k d <= t < t[0] + (k + 1) d
 * for d = duration_us; events after T windows are dropped. (SpikingJelly's
 * integrate_events_by_fixed_duration starts its windows at t = 0 and makes
 * as many frames as the recording needs, which a fixed T cannot hold.)
 *
 * Each frame is a contiguous run of events, ended by an index or by a
 * time, so one pass over the events adds them up, each frame zeroed just
 * before its events are added (so that it is still in the first-level
 * cache: zeroing all T frames first made the adds a third slower). The
 * optional transforms then run over the frames: counts clipped to 1
 * (binary), then divided by divide. Times must be non-decreasing
 * (struct eventset guarantees it); out of order, they cannot make it write
 * outside the frames, a frame just ends at the first time past its end.
 */
#include <math.h>
#include <string.h>

#include "data.h"

/* Names of the splits, indexed by enum frames_split. */
static const char *const data_frames_names[] = {
	"number",
	"time",
	"duration"
};
#define DATA_FRAMES_NSPLITS \
	(sizeof data_frames_names / sizeof data_frames_names[0])

/* Largest frame side: xyp packs x and y in 7 bits each. */
#define DATA_FRAMES_MAXSIDE EVENTSET_MAXSIDE

/*
 * Packed coordinates index the offset table through their low 15 bits;
 * the largest offset, 2 x 128 x 128 - 1, still fits an int16_t.
 */
#define DATA_FRAMES_LUTSIZE	(1 << 15)
#define DATA_FRAMES_LUTMASK	(DATA_FRAMES_LUTSIZE - 1)

/*
 * Returns the table from packed event coordinates (x | y << 7 | p << 14)
 * to the offset of their pixel in a (2, height, width) frame, -1 outside
 * it. The table is per thread and rebuilt only when the frame size
 * changes, so each event costs one load instead of unpacking and bounds
 * checks.
 */
static const int16_t *
data_frames_lut(int height, int width)
{
	static _Thread_local int16_t	lut[DATA_FRAMES_LUTSIZE];
	static _Thread_local int	lut_height, lut_width;
	unsigned			v, x, y;

	if (lut_height == height && lut_width == width)
		return lut;
	for (v = 0; v < DATA_FRAMES_LUTSIZE; v++) {
		x = EVENTSET_X(v);
		y = EVENTSET_Y(v);
		lut[v] = x < (unsigned)width && y < (unsigned)height ?
		    (int16_t)((EVENTSET_P(v) * (unsigned)height + y) *
		    (unsigned)width + x) : -1;
	}
	lut_height = height;
	lut_width = width;
	return lut;
}

/* Sets the defaults: by number, T = 10, counts unchanged. */
void
data_frames_defaults(struct frames_opts *o)
{
	memset(o, 0, sizeof *o);
	o->split = FRAMES_BY_NUMBER;
	o->T = 10;
	o->divide = 1;
}

/* Checks the options; the message names the offending one. */
int
data_frames_validate(const struct frames_opts *o, char **cause)
{
	if ((unsigned)o->split >= DATA_FRAMES_NSPLITS)
		return error_set(cause, "frames: unknown split %d",
		    (int)o->split);
	if (o->T < 1)
		return error_set(cause, "frames: T must be at least 1 (got %d)",
		    o->T);
	if (o->split == FRAMES_BY_DURATION && o->duration_us < 1)
		return error_set(cause, "frames: splitting by duration needs "
		    "duration_us of at least 1");
	if (!isfinite(o->divide) || o->divide <= 0)
		return error_set(cause, "frames: divide must be a finite "
		    "number above 0 (got %g)", (double)o->divide);
	return 0;
}

/* Sets the split from its name: "number", "time" or "duration". */
int
data_frames_set_split(struct frames_opts *o, const char *name, char **cause)
{
	size_t	i;

	for (i = 0; i < DATA_FRAMES_NSPLITS; i++) {
		if (strcmp(name, data_frames_names[i]) == 0) {
			o->split = (enum frames_split)i;
			return 0;
		}
	}
	return error_set(cause, "frames: unknown split \"%s\" (number, time "
	    "or duration)", name);
}

/* Returns the name of a split, or "?" for a value outside the enum. */
const char *
data_frames_split_name(enum frames_split split)
{
	if ((unsigned)split >= DATA_FRAMES_NSPLITS)
		return "?";
	return data_frames_names[split];
}

/*
 * Adds one to frame at the pixel of each event from i on, up to event n
 * or, when t is not NULL, the first event at or after time edge, whichever
 * comes first: the times are read as the events are added, which is
 * faster than finding the end first, by a binary search (whose reads miss
 * the cache) or by a scan (a second pass). Events go four at a time, with
 * one branch on their times and table entries, while all four belong to
 * the frame, then one at a time. Returns the event it stopped at; *bad is
 * set when that is an event outside the frame (its table entry is -1),
 * which is not added.
 */
static size_t
data_frames_add(float *frame, const int16_t *lut, const uint32_t *t,
    const uint16_t *xyp, size_t i, size_t n, uint64_t edge, int *bad)
{
	int32_t	off, o0, o1, o2, o3;

	*bad = 1;
	for (; i + 4 <= n; i += 4) {
		if (t != NULL && ((t[i] < edge) & (t[i + 1] < edge) &
		    (t[i + 2] < edge) & (t[i + 3] < edge)) == 0)
			break;
		o0 = lut[xyp[i] & DATA_FRAMES_LUTMASK];
		o1 = lut[xyp[i + 1] & DATA_FRAMES_LUTMASK];
		o2 = lut[xyp[i + 2] & DATA_FRAMES_LUTMASK];
		o3 = lut[xyp[i + 3] & DATA_FRAMES_LUTMASK];
		if ((o0 | o1 | o2 | o3) < 0)
			break;
		frame[o0] += 1;
		frame[o1] += 1;
		frame[o2] += 1;
		frame[o3] += 1;
	}
	for (; i < n && (t == NULL || t[i] < edge); i++) {
		if ((off = lut[xyp[i] & DATA_FRAMES_LUTMASK]) < 0)
			return i;
		frame[off] += 1;
	}
	*bad = 0;
	return i;
}

/*
 * Integrates events into frames (see the top of the file for the rules).
 * out: frame k (2, height, width) at out + k * t_stride, k < o->T; every
 * value of those frames is written. On failure the frames are incomplete.
 */
int
data_frames_integrate(float *out, size_t t_stride, const uint32_t *t,
    const uint16_t *xyp, size_t n, int height, int width,
    const struct frames_opts *o, char **cause)
{
	size_t		 fsize, i, j, f, T = (size_t)o->T;
	uint64_t	 step;
	const int16_t	*lut;
	float		*frame, *v;
	int		 bad;

	if (data_frames_validate(o, cause) != 0)
		return -1;
	if (height < 1 || height > DATA_FRAMES_MAXSIDE || width < 1 ||
	    width > DATA_FRAMES_MAXSIDE)
		return error_set(cause, "frames: a %dx%d frame is outside "
		    "1x1 to %dx%d", width, height, DATA_FRAMES_MAXSIDE,
		    DATA_FRAMES_MAXSIDE);
	fsize = 2 * (size_t)height * (size_t)width;
	lut = data_frames_lut(height, width);
	if (o->split == FRAMES_BY_NUMBER)
		step = n / T;
	else if (o->split == FRAMES_BY_TIME)
		step = n > 0 && t[n - 1] > t[0] ? (t[n - 1] - t[0]) / T : 0;
	else
		step = o->duration_us;
	for (f = 0, i = 0; f < T; f++) {
		frame = out + f * t_stride;
		memset(frame, 0, fsize * sizeof *frame);
		if (i == n)
			continue;
		if (f == T - 1 && o->split != FRAMES_BY_DURATION)
			i = data_frames_add(frame, lut, NULL, xyp, i, n, 0,
			    &bad);
		else if (o->split == FRAMES_BY_NUMBER)
			i = data_frames_add(frame, lut, NULL, xyp, i,
			    (f + 1) * step, 0, &bad);
		else
			i = data_frames_add(frame, lut, t, xyp, i, n,
			    t[0] + (f + 1) * step, &bad);
		if (bad)
			return error_set(cause, "frames: event %zu at x %u, "
			    "y %u is outside the %dx%d frame", i,
			    EVENTSET_X(xyp[i]), EVENTSET_Y(xyp[i]), width,
			    height);
	}

	if (o->binary || o->divide != 1) {
		for (f = 0; f < T; f++) {
			v = out + f * t_stride;
			for (j = 0; j < fsize; j++) {
				if (o->binary && v[j] > 1)
					v[j] = 1;
				v[j] /= o->divide;
			}
		}
	}
	return 0;
}
