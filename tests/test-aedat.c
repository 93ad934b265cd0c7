/*
 * test-aedat.c: the AEDAT 2.0 reader on real MNIST-DVS recordings and on
 * malformed files, writing and reading back, SpikingJelly's decoding,
 * splits and file order, the cache, and frames resized as torchvision's
 * Resize does.
 */
#include <sys/stat.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "../src/snnwb.h"
#include "tap.h"

static char	tmp[] = "/tmp/snnwb-aedat-XXXXXX";

/* Returns tmp/sub in a static buffer (two in turn). */
static const char *
at(const char *sub)
{
	static char	buf[2][PATH_MAX];
	static int	k;

	k ^= 1;
	snprintf(buf[k], sizeof buf[k], "%s/%s", tmp, sub);
	return buf[k];
}

/* What python3 decodes from each real file (SpikingJelly's rule). */
static const struct real {
	const char	*name;
	size_t		 n, p0;
	struct event	 first, last;
	int		 xmin, xmax, ymin, ymax;
	uint64_t	 sumx, sumy;
} reals[] = {
	{ "mnist_0_scale04_0001.aedat", 15744, 7874, { 0, 60, 55, 1, 0 },
	  { 2210588, 66, 63, 0, 0 }, 0, 126, 1, 127, 1011526, 946367 },
	{ "mnist_0_scale04_0001_qt1.aedat", 1782, 839, { 0, 60, 55, 1, 0 },
	  { 196581, 64, 46, 1, 0 }, 49, 109, 41, 74, 114362, 104206 },
	{ "mnist_0_scale08_0001_qt1.aedat", 5078, 2344, { 0, 88, 59, 0, 0 },
	  { 196557, 82, 75, 0, 0 }, 1, 126, 2, 127, 323920, 301616 },
	{ "mnist_0_scale16_0001_qt1.aedat", 11209, 5351,
	  { 0, 104, 37, 1, 0 }, { 196604, 48, 66, 0, 0 }, 0, 126, 0, 126,
	  703866, 678787 }
};
#define NREALS	(sizeof reals / sizeof reals[0])

/* Returns nonzero when two events are the same. */
static int
same_event(const struct event *a, const struct event *b)
{
	return a->t == b->t && a->x == b->x && a->y == b->y && a->p == b->p;
}

/*
 * The real MNIST-DVS files of ../shared/datasets/aedat2-samples: counts,
 * ranges, first and last events as python3 decodes them; the header-only
 * file has no events; each written back reads back the same.
 */
static void
test_real(void)
{
	const struct real	*r;
	const char		*dir;
	struct event		*ev, *again;
	char			 path[PATH_MAX], *cause = NULL;
	size_t			 n, n2, back, i, k, p0;
	uint64_t		 sx, sy;
	int			 xmin, xmax, ymin, ymax, sorted, same;

	if ((dir = tap_fixture("datasets/aedat2-samples", 3 * NREALS + 1)) ==
	    NULL)
		return;
	snprintf(path, sizeof path, "%s/header-only.aedat", dir);
	ok(data_aedat_read_file(path, &ev, &n, &back, &cause) == 0 &&
	    n == 0 && back == 0, "header-only.aedat: a real header, no "
	    "events (%s)", cause != NULL ? cause : "read");
	free(cause);
	cause = NULL;
	mem_free(ev);
	for (k = 0; k < NREALS; k++) {
		r = &reals[k];
		snprintf(path, sizeof path, "%s/%s", dir, r->name);
		if (data_aedat_read_file(path, &ev, &n, &back, &cause) != 0) {
			ok(0, "%s: %s", r->name, cause);
			free(cause);
			cause = NULL;
			skip(2, "unreadable");
			continue;
		}
		xmin = ymin = 127;
		xmax = ymax = 0;
		sx = sy = 0;
		p0 = 0;
		sorted = 1;
		for (i = 0; i < n; i++) {
			xmin = ev[i].x < xmin ? ev[i].x : xmin;
			xmax = ev[i].x > xmax ? ev[i].x : xmax;
			ymin = ev[i].y < ymin ? ev[i].y : ymin;
			ymax = ev[i].y > ymax ? ev[i].y : ymax;
			sx += ev[i].x;
			sy += ev[i].y;
			p0 += ev[i].p == 0;
			sorted &= i == 0 || ev[i].t >= ev[i - 1].t;
		}
		ok(n == r->n && back == 0 && sorted && p0 == r->p0,
		    "%s: %zu events in time order, %zu of polarity 0", r->name,
		    n, p0);
		ok(n > 0 && same_event(&ev[0], &r->first) &&
		    same_event(&ev[n - 1], &r->last) && xmin == r->xmin &&
		    xmax == r->xmax && ymin == r->ymin && ymax == r->ymax &&
		    sx == r->sumx && sy == r->sumy, "%s: first and last "
		    "events, x %d..%d, y %d..%d and coordinate sums as python3 "
		    "decodes them", r->name, xmin, xmax, ymin, ymax);
		same = data_aedat_write_file(at("copy.aedat"), ev, n,
		    &cause) == 0 && data_aedat_read_file(at("copy.aedat"),
		    &again, &n2, &back, &cause) == 0 && n2 == n;
		for (i = 0; same && i < n; i++)
			same = same_event(&ev[i], &again[i]);
		ok(same, "%s: written and read back, the same %zu events%s%s",
		    r->name, n, cause != NULL ? ": " : "",
		    cause != NULL ? cause : "");
		free(cause);
		cause = NULL;
		if (n2 == n)
			mem_free(again);
		mem_free(ev);
	}
}

/* Appends one event (address, time) big-endian at b. */
static void
event_bytes(uint8_t *b, uint32_t a, uint32_t t)
{
	b[0] = (uint8_t)(a >> 24);
	b[1] = (uint8_t)(a >> 16);
	b[2] = (uint8_t)(a >> 8);
	b[3] = (uint8_t)a;
	b[4] = (uint8_t)(t >> 24);
	b[5] = (uint8_t)(t >> 16);
	b[6] = (uint8_t)(t >> 8);
	b[7] = (uint8_t)t;
}

/* Expects path to be refused with a message holding want. */
static void
refused(const char *path, const char *want, const char *what)
{
	struct event	*ev = NULL;
	size_t		 n = 7;
	char		*cause = NULL;
	int		 rc;

	rc = data_aedat_read_file(path, &ev, &n, NULL, &cause);
	ok(rc == -1 && ev == NULL && n == 0 && cause != NULL &&
	    strstr(cause, want) != NULL, "%s: %s", what,
	    cause != NULL ? cause : "accepted");
	free(cause);
}

/*
 * Malformed files give messages that name the file and byte offset;
 * backwards timestamps are counted and sorted; SpikingJelly's decoding of
 * a hand-made address.
 */
static void
test_malformed(void)
{
	static const char	 hdr[] = "#!AER-DAT2.0\r\n# a comment\n";
	uint8_t			 b[256];
	struct event		*ev;
	size_t			 h = sizeof hdr - 1, n, back;
	char			*cause = NULL, want[128];

	tap_write_file(at("empty.aedat"), "", 0);
	refused(at("empty.aedat"), "empty.aedat: byte offset 0: not an "
	    "AEDAT 2.0 file", "an empty file");
	tap_write_file(at("v3.aedat"), "#!AER-DAT3.1\r\n", 14);
	refused(at("v3.aedat"), "v3.aedat: byte offset 0: not an AEDAT 2.0 "
	    "file (first line \"#!AER-DAT3.1\"", "AEDAT 3.1 magic");
	tap_write_file(at("nohash.aedat"), "hello\n", 6);
	refused(at("nohash.aedat"), "first line \"hello\"", "no magic");
	tap_write_file(at("longer.aedat"), "#!AER-DAT2.01\n", 14);
	refused(at("longer.aedat"), "not an AEDAT 2.0", "#!AER-DAT2.01");

	memcpy(b, hdr, h);
	event_bytes(b + h, 0x0102, 5);
	memcpy(b + h + 8, "abcd", 4);
	tap_write_file(at("odd.aedat"), b, h + 12);
	snprintf(want, sizeof want, "odd.aedat: 12 bytes after the %zu-byte "
	    "header are not whole 8-byte events: 4 stray bytes at byte "
	    "offset %zu", h, h + 8);
	refused(at("odd.aedat"), want, "a payload of 12 bytes");

	event_bytes(b + h, 0x0102, 5);
	event_bytes(b + h + 8, 0x8000, 6);
	tap_write_file(at("far.aedat"), b, h + 16);
	snprintf(want, sizeof want, "far.aedat: event 1 (byte offset %zu): "
	    "address 0x00008000 is outside", h + 8);
	refused(at("far.aedat"), want, "y = 128 (address bit 15)");
	event_bytes(b + h + 8, 0x10000, 6);
	tap_write_file(at("far2.aedat"), b, h + 16);
	refused(at("far2.aedat"), "address 0x00010000 is outside the DVS128 "
	    "layout", "an address above 16 bits");

	/* xr = 3, yr = 5, pr = 1, then a time going back, twice. */
	event_bytes(b + h, 5 << 8 | 3 << 1 | 1, 300);
	event_bytes(b + h + 8, 0, 100);
	event_bytes(b + h + 16, 127 << 8 | 127 << 1, 200);
	event_bytes(b + h + 24, 0x7fff, 50);
	tap_write_file(at("back.aedat"), b, h + 32);
	ok(data_aedat_read_file(at("back.aedat"), &ev, &n, &back,
	    &cause) == 0 && n == 4 && back == 2 && ev[0].t == 50 &&
	    ev[1].t == 100 && ev[2].t == 200 && ev[3].t == 300,
	    "two timestamps going back: counted, events sorted by time");
	if (cause == NULL && n == 4)
		ok(ev[3].x == 127 - 5 && ev[3].y == 127 - 3 && ev[3].p == 0 &&
		    ev[1].x == 127 && ev[1].y == 127 && ev[1].p == 1 &&
		    ev[0].x == 0 && ev[0].y == 0 && ev[0].p == 0 &&
		    ev[2].x == 0 && ev[2].y == 0 && ev[2].p == 1,
		    "SpikingJelly's decoding: x = 127 - yr, y = 127 - xr, "
		    "p = 1 - pr");
	else
		ok(0, "back.aedat: %s", cause != NULL ? cause : "?");
	free(cause);
	cause = NULL;
	mem_free(ev);

	tap_write_file(at("nonl.aedat"), "#!AER-DAT2.0\r\n# no line feed", 27);
	ok(data_aedat_read_file(at("nonl.aedat"), &ev, &n, NULL,
	    &cause) == 0 && n == 0, "a last header line without a line "
	    "feed: no events");
	free(cause);
	cause = NULL;
	mem_free(ev);

	refused(at("missing.aedat"), "missing.aedat", "a missing file");
}

/* Round trip of random events over the whole sensor, and writer checks. */
static void
test_roundtrip(void)
{
	struct event	 ev[2000], bad = { 1, 128, 0, 0, 0 }, *got;
	struct rng	 r;
	size_t		 i, n, back;
	char		*cause = NULL;
	int		 same, rc;

	rng_seed(&r, 15);
	for (i = 0; i < 2000; i++) {
		ev[i].t = (uint32_t)(i == 0 ? 0 : ev[i - 1].t +
		    rng_below(&r, 3) + (i == 1999 ? 4000000000u : 0));
		ev[i].x = (uint8_t)(i < 4 ? 127 * (i & 1) : rng_below(&r, 128));
		ev[i].y = (uint8_t)(i < 4 ? 127 * (i >> 1) :
		    rng_below(&r, 128));
		ev[i].p = (uint8_t)rng_below(&r, 2);
		ev[i].pad = 0;
	}
	same = data_aedat_write_file(at("rt.aedat"), ev, 2000, &cause) == 0 &&
	    data_aedat_read_file(at("rt.aedat"), &got, &n, &back,
	    &cause) == 0 && n == 2000 && back == 0;
	for (i = 0; same && i < n; i++)
		same = same_event(&ev[i], &got[i]);
	ok(same, "2000 random events, corners and a 32-bit time written "
	    "and read back identically%s%s", cause ? ": " : "",
	    cause ? cause : "");
	free(cause);
	cause = NULL;
	if (n == 2000)
		mem_free(got);
	rc = data_aedat_write_file(at("bad.aedat"), &bad, 1, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "x 128") != NULL &&
	    access(at("bad.aedat"), F_OK) != 0,
	    "x = 128 not written: %s", cause ? cause : "");
	free(cause);
}

/*
 * Frames: an event lands in channel p at [y][x]; resizing to 64 gives
 * torchvision's antialiased bilinear taps (1/8, 3/8, 3/8, 1/8); a full
 * frame of ones stays ones at 48.
 */
static void
test_frames(void)
{
	struct eventset		 es;
	struct frames_opts	 o;
	struct dataset		 ds;
	uint64_t		 off[2];
	uint32_t		 t[2 * 128 * 128], id = 3;
	uint16_t		 xyp[2 * 128 * 128];
	uint8_t			 label = 4;
	float			*f;
	double			 worst = 0, sum = 0;
	size_t			 i, n;
	char			*cause = NULL;
	int			 rc;

	memset(&es, 0, sizeof es);
	es.n = 1;
	es.off = off;
	es.t = t;
	es.xyp = xyp;
	es.label = &label;
	es.id = &id;
	es.width = es.height = 128;
	data_frames_defaults(&o);
	o.T = 1;
	t[0] = 0;
	xyp[0] = EVENTSET_PACK(10, 20, 1);
	off[0] = 0;
	off[1] = 1;
	f = calloc(2 * 128 * 128, sizeof *f);
	ok(data_aedat_dataset(&ds, &es, &o, 128, &cause) == 0 &&
	    ds.fill(&ds, 0, f, 2 * 128 * 128, &cause) == 0 &&
	    f[128 * 128 + 20 * 128 + 10] == 1 && f[20 * 128 + 10] == 0,
	    "size 128: the event at x 10, y 20, p 1 is channel 1 [20][10]");
	ok(data_aedat_dataset(&ds, &es, &o, 64, &cause) == 0 &&
	    ds.height == 64 && ds.width == 64 && ds.channels == 2 &&
	    ds.fill(&ds, 0, f, 2 * 64 * 64, &cause) == 0 &&
	    fabsf(f[64 * 64 + 10 * 64 + 5] - 0.140625f) < 1e-6f &&
	    fabsf(f[64 * 64 + 9 * 64 + 5] - 0.046875f) < 1e-6f &&
	    fabsf(f[64 * 64 + 10 * 64 + 4] - 0.046875f) < 1e-6f &&
	    fabsf(f[64 * 64 + 9 * 64 + 4] - 0.015625f) < 1e-6f &&
	    f[64 * 64 + 11 * 64 + 5] == 0 && f[10 * 64 + 5] == 0,
	    "size 64: one event spreads as 3/8 x 3/8, 1/8 x 3/8, 1/8 x 1/8 "
	    "(torchvision Resize, antialiased bilinear)");
	n = 0;
	for (i = 0; i < 128 * 128; i++) {
		t[n] = (uint32_t)i;
		xyp[n++] = EVENTSET_PACK(i % 128, i / 128, 0);
	}
	off[1] = n;
	ok(data_aedat_dataset(&ds, &es, &o, 48, &cause) == 0 &&
	    ds.fill(&ds, 0, f, 2 * 48 * 48, &cause) == 0,
	    "size 48: filled");
	for (i = 0; i < 48 * 48; i++) {
		worst = fmax(worst, fabs(f[i] - 1.0));
		sum += f[48 * 48 + i];
	}
	ok(worst < 1e-5 && sum == 0, "size 48: a frame of ones stays ones "
	    "(off by %g), the other channel zero", worst);
	rc = data_aedat_dataset(&ds, &es, &o, 129, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "size 129") != NULL,
	    "size 129 refused: %s", cause ? cause : "");
	free(cause);
	free(f);
}

/*
 * Writes recordings classes x count into tmp/set as
 * <class>/cifar10_<class>_<i>.aedat; recording i of class c has i + 1
 * events at x = c.
 */
static void
make_set(int classes, int count)
{
	struct event	ev[64];
	char		path[PATH_MAX], *cause = NULL;
	int		c, i, j;

	mkdir(at("set"), 0700);
	for (c = 0; c < classes; c++) {
		snprintf(path, sizeof path, "%s/set/%s", tmp,
		    data_aedat_classes[c]);
		mkdir(path, 0700);
		for (i = 0; i < count; i++) {
			for (j = 0; j <= i; j++) {
				ev[j].t = (uint32_t)(10 * j);
				ev[j].x = (uint8_t)c;
				ev[j].y = (uint8_t)j;
				ev[j].p = (uint8_t)(j & 1);
			}
			snprintf(path, sizeof path, "%s/set/%s/cifar10_%s_%d."
			    "aedat", tmp, data_aedat_classes[c],
			    data_aedat_classes[c], i);
			if (data_aedat_write_file(path, ev, (size_t)i + 1,
			    &cause) != 0) {
				diag("%s", cause);
				free(cause);
				cause = NULL;
			}
		}
	}
}

/* Loads a split of tmp/set; returns 0 on success, the message in *cause. */
static int
load(const char *split, double ratio, int random, uint64_t seed,
    struct eventset *es, struct data_nmnist_stats *st, char **cause)
{
	struct data_aedat_opts	o;

	data_aedat_defaults(&o);
	o.split = split;
	o.train_ratio = ratio;
	o.random_split = random;
	o.seed = seed;
	return data_aedat_load(at("set"), &o, es, st, cause);
}

/* Returns the ids of es's class c recordings as "a,b,c". */
static const char *
ids(const struct eventset *es, int c)
{
	static char	buf[512];
	size_t		i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < es->n; i++)
		if (es->label[i] == c && len < sizeof buf - 16)
			len += (size_t)snprintf(buf + len, sizeof buf - len,
			    "%s%u", len > 0 ? "," : "", es->id[i]);
	return buf;
}

/*
 * SpikingJelly's split: per class, the first ceil(n x ratio) in the
 * lexicographic order of file names; random splits; the cache.
 */
static void
test_split(void)
{
	struct eventset		 tr, te, a, b;
	struct data_nmnist_stats st;
	size_t			 i, j;
	char			*cause = NULL, train[512];
	int			 good, c, rc;

	make_set(3, 12);
	ok(load("train", 0.9, 0, 0, &tr, &st, &cause) == 0 && tr.n == 33 &&
	    st.cache != DATA_CACHE_HIT && tr.width == 128,
	    "train at 0.9: ceil(12 x 0.9) = 11 recordings of each of 3 "
	    "classes (%s)", cause ? cause : "loaded");
	ok(strcmp(ids(&tr, 0), "0,1,10,11,2,3,4,5,6,7,8") == 0 &&
	    strcmp(ids(&tr, 2), "0,1,10,11,2,3,4,5,6,7,8") == 0,
	    "train: file-name order, cifar10_airplane_10 before _2: %s",
	    ids(&tr, 0));
	ok(load("test", 0.9, 0, 0, &te, &st, &cause) == 0 && te.n == 3 &&
	    strcmp(ids(&te, 1), "9") == 0 && te.label[0] == 0 &&
	    te.label[2] == 2, "test at 0.9: the last name of each class, "
	    "cifar10_<class>_9");
	good = te.n == 3;
	for (i = 0; good && i < te.n; i++)
		good = te.off[i + 1] - te.off[i] == 10 &&
		    EVENTSET_X(te.xyp[te.off[i]]) == te.label[i];
	ok(good, "test: each recording's own 10 events, at x = its class");
	data_nmnist_free(&te);
	ok(load("train", 0.5, 0, 0, &a, &st, &cause) == 0 && a.n == 18 &&
	    strcmp(ids(&a, 1), "0,1,10,11,2,3") == 0,
	    "train at 0.5: the first 6 names");
	data_nmnist_free(&a);
	ok(load("train", 0.9, 0, 0, &a, &st, &cause) == 0 &&
	    st.cache == DATA_CACHE_HIT && a.n == tr.n &&
	    a.off[a.n] == tr.off[tr.n] && memcmp(a.xyp, tr.xyp,
	    a.off[a.n] * sizeof *a.xyp) == 0 && memcmp(a.id, tr.id,
	    a.n * sizeof *a.id) == 0, "a second load comes from the cache, "
	    "the same");
	data_nmnist_free(&a);
	data_nmnist_free(&tr);

	ok(load("train", 0.75, 1, 7, &a, &st, &cause) == 0 &&
	    load("test", 0.75, 1, 7, &b, &st, &cause) == 0 && a.n == 27 &&
	    b.n == 9, "random split at 0.75: 9 + 3 of each class");
	good = a.n == 27 && b.n == 9 &&
	    strcmp(ids(&a, 0), "0,1,10,11,2,3,4,5,6") != 0;
	for (i = 0; good && i < b.n; i++)
		for (j = 0; good && j < a.n; j++)
			good = a.label[j] != b.label[i] || a.id[j] != b.id[i];
	for (c = 0; good && c < 3; c++)
		good = strlen(ids(&b, c)) > 0;
	snprintf(train, sizeof train, "%s", ids(&a, 0));
	ok(good, "random: train and test disjoint, not the first names: "
	    "train %s, test %s", train, ids(&b, 0));
	data_nmnist_free(&b);
	ok(load("train", 0.75, 1, 7, &b, &st, &cause) == 0 && b.n == a.n &&
	    memcmp(b.id, a.id, a.n * sizeof *a.id) == 0 &&
	    memcmp(b.label, a.label, a.n) == 0, "the same seed, the same "
	    "split");
	data_nmnist_free(&b);
	ok(load("train", 0.75, 1, 8, &b, &st, &cause) == 0 && b.n == a.n &&
	    memcmp(b.id, a.id, a.n * sizeof *a.id) != 0, "another seed, "
	    "another split");
	data_nmnist_free(&b);
	data_nmnist_free(&a);

	rc = load("test", 1.0, 0, 0, &a, &st, &cause);
	ok(rc == -1 && cause != NULL &&
	    strstr(cause, "test split with train_ratio 1 is empty") != NULL,
	    "ratio 1: an empty test split refused: %s", cause ? cause : "");
	free(cause);
	cause = NULL;
	ok(load("val", 0.9, 0, 0, &a, &st, &cause) == -1 && cause != NULL &&
	    strstr(cause, "split \"val\"") != NULL, "split \"val\" refused");
	free(cause);
	cause = NULL;
	ok(load("train", 0, 0, 0, &a, &st, &cause) == -1 && cause != NULL &&
	    strstr(cause, "train_ratio 0") != NULL, "ratio 0 refused");
	free(cause);
	cause = NULL;
	tap_write_file(at("set/bird/cifar10_bird_5.aedat"), "#!AER-DAT2.0\nabc", 16);
	rc = load("train", 0.9, 0, 0, &a, &st, &cause);
	ok(rc == -1 && cause != NULL &&
	    strstr(cause, "bird/cifar10_bird_5.aedat: 3 bytes after the "
	    "13-byte header") != NULL, "a bad recording names its file: %s",
	    cause ? cause : "");
	free(cause);
	cause = NULL;
	tap_remove_tree(at("set"));
	mkdir(at("set"), 0700);
	ok(load("train", 0.9, 0, 0, &a, &st, &cause) == -1 && cause != NULL &&
	    strstr(cause, "no recordings") != NULL, "a folder without "
	    "recordings refused");
	free(cause);
}

/*
 * The full set's rule on 1,000 names: the test set is the 100 names last
 * in lexicographic order, cifar10_dog_909, _91, _910 .. _999 (as python3's
 * sorted() and math.ceil(1000 * 0.9) give), not numbers 900 to 999.
 */
static void
test_split_1000(void)
{
	struct data_aedat_opts		 o;
	struct data_nmnist_stats	 st;
	struct eventset			 es;
	struct event			 ev = { 0, 1, 2, 1, 0 };
	char				 path[PATH_MAX], *cause = NULL;
	uint64_t			 sum = 0;
	size_t				 i;
	int				 rc;

	mkdir(at("set1000"), 0700);
	mkdir(at("set1000/dog"), 0700);
	for (i = 0; i < 1000; i++) {
		snprintf(path, sizeof path, "%s/set1000/dog/cifar10_dog_%zu."
		    "aedat", tmp, i);
		if (data_aedat_write_file(path, &ev, 1, &cause) != 0) {
			diag("%s", cause);
			free(cause);
			cause = NULL;
		}
	}
	data_aedat_defaults(&o);
	o.split = "test";
	o.no_cache = 1;
	rc = data_aedat_load(at("set1000"), &o, &es, &st, &cause);
	for (i = 0; rc == 0 && i < es.n; i++)
		sum += es.id[i];
	ok(rc == 0 && es.n == 100 && es.id[0] == 909 && es.id[1] == 91 &&
	    es.id[2] == 910 && es.id[99] == 999 && sum == 87669 &&
	    es.label[0] == 5, "1,000 recordings: test = the last 100 names, "
	    "909, 91, 910 .. 999 (ids summing to %llu)",
	    (unsigned long long)sum);
	if (rc == 0)
		data_nmnist_free(&es);
	o.split = "train";
	rc = data_aedat_load(at("set1000"), &o, &es, &st, &cause);
	ok(rc == 0 && es.n == 900 && es.id[0] == 0 && es.id[1] == 1 &&
	    es.id[2] == 10 && es.id[3] == 100 && es.id[899] == 908,
	    "and train = the first 900: 0, 1, 10, 100 .. 908");
	if (rc == 0)
		data_nmnist_free(&es);
	free(cause);
	tap_remove_tree(at("set1000"));
}

/* Fills a CIFAR-10 record: label c, a bright square on a dark ground. */
static void
make_record(uint8_t *rec, int c, int shift)
{
	int	x, y, k;

	rec[0] = (uint8_t)c;
	for (k = 0; k < 3; k++)
		for (y = 0; y < 32; y++)
			for (x = 0; x < 32; x++)
				rec[1 + k * 1024 + y * 32 + x] = (uint8_t)(
				    x >= 8 + shift && x < 24 && y >= 8 &&
				    y < 24 + shift ? 230 : 20 + 10 * k);
}

/*
 * The CIFAR10-DVS-like simulator: plausible events, the same for the same
 * seed, written as AEDAT and read back identically; a set in the
 * published layout that data_aedat_load reads; CIFAR-10 records read
 * plain and gzip.
 */
static void
test_simulate(void)
{
	struct sim_dvs_params	 p;
	struct eventset		 es;
	struct data_nmnist_stats st;
	struct rng		 r;
	struct event		*ev, *ev2, *back;
	uint8_t			 rec[3 * 3073], *got;
	uint64_t		 events;
	size_t			 n, n2, nb, i, on = 0, edge = 0, quiet = 0;
	char			*cause = NULL;
	int			 same, sorted = 1, rc, x, y;
	gzFile			 gz;

	sim_dvs_defaults(&p);
	make_record(rec, 3, 0);
	rng_seed(&r, 5);
	if (sim_dvs_recording(&p, rec + 1, &r, &ev, &n, &cause) != 0) {
		ok(0, "simulate: %s", cause);
		free(cause);
		return;
	}
	for (i = 0; i < n; i++) {
		on += ev[i].p;
		sorted &= i == 0 || ev[i].t >= ev[i - 1].t;
		sorted &= ev[i].t < 1200000 && ev[i].x < 128 && ev[i].y < 128;
		/*
		 * The square's edges are at sensor 36 and 92 (3.5 px an
		 * image pixel, centred), moving 2 px either way.
		 */
		x = ev[i].x;
		y = ev[i].y;
		edge += (abs(x - 36) <= 4 || abs(x - 92) <= 4 ||
		    abs(y - 36) <= 4 || abs(y - 92) <= 4) && x >= 32 &&
		    x <= 96 && y >= 32 && y <= 96;
		quiet += x >= 44 && x <= 84 && y >= 44 && y <= 84;
	}
	diag("simulated square: %zu events, %zu ON, %zu on its edges, %zu "
	    "inside it", n, on, edge, quiet);
	ok(n > 10000 && sorted && on > n / 4 && on < 3 * n / 4,
	    "a moving square: %zu events in time order within 1.2 s, both "
	    "polarities", n);
	ok(edge > n / 3 && quiet < 2000, "events on the square's edges "
	    "(%zu); inside it only background noise (%zu, 0.41 Hz x 1681 px "
	    "x 1.2 s = 827 expected)", edge, quiet);
	rng_seed(&r, 5);
	same = sim_dvs_recording(&p, rec + 1, &r, &ev2, &n2, &cause) == 0 &&
	    n2 == n;
	for (i = 0; same && i < n; i++)
		same = same_event(&ev[i], &ev2[i]);
	ok(same, "the same seed, the same events");
	if (n2 > 0)
		mem_free(ev2);
	same = data_aedat_write_file(at("sim.aedat"), ev, n, &cause) == 0 &&
	    data_aedat_read_file(at("sim.aedat"), &back, &nb, NULL,
	    &cause) == 0 && nb == n;
	for (i = 0; same && i < n; i++)
		same = same_event(&ev[i], &back[i]);
	ok(same, "a simulated recording written as AEDAT reads back "
	    "identically (%zu events)", nb);
	if (nb > 0)
		mem_free(back);
	mem_free(ev);

	make_record(rec + 3073, 3, 2);
	make_record(rec + 2 * 3073, 0, 1);
	rc = sim_dvs_write_set(&p, rec, 3, at("simset"), 9, &events, NULL,
	    NULL, &cause);
	ok(rc == 0 && access(at("simset/cat/cifar10_cat_0.aedat"), R_OK) ==
	    0 && access(at("simset/cat/cifar10_cat_1.aedat"), R_OK) == 0 &&
	    access(at("simset/airplane/cifar10_airplane_0.aedat"), R_OK) == 0,
	    "a set in the published layout, counted per class");
	{
		struct data_aedat_opts	o;

		data_aedat_defaults(&o);
		o.train_ratio = 1;
		o.no_cache = 1;
		rc = data_aedat_load(at("simset"), &o, &es, &st, &cause);
	}
	ok(rc == 0 && es.n == 3 && es.off[3] == events && es.label[0] == 0 &&
	    es.label[1] == 3 && es.id[1] == 0 && es.id[2] == 1,
	    "data_aedat_load reads it: 3 recordings, all %llu events",
	    (unsigned long long)events);
	data_nmnist_free(&es);

	tap_write_file(at("rec.bin"), rec, 2 * 3073);
	if ((gz = gzopen(at("rec.bin.gz"), "wb")) != NULL) {
		gzwrite(gz, rec, 3 * 3073);
		gzclose(gz);
	}
	ok(sim_dvs_read_cifar(at("rec.bin"), &got, &n, &cause) == 0 &&
	    n == 2 && memcmp(got, rec, 2 * 3073) == 0,
	    "CIFAR-10 records read plain");
	mem_free(got);
	ok(sim_dvs_read_cifar(at("rec.bin.gz"), &got, &n, &cause) == 0 &&
	    n == 3 && memcmp(got, rec, 3 * 3073) == 0,
	    "CIFAR-10 records read from gzip");
	mem_free(got);
	tap_write_file(at("short.bin"), rec, 3000);
	rc = sim_dvs_read_cifar(at("short.bin"), &got, &n, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "3000 bytes is not "
	    "a whole number of 3073-byte") != NULL, "a partial record "
	    "refused: %s", cause ? cause : "");
	free(cause);
}

int
main(void)
{
	if (mkdtemp(tmp) == NULL)
		skip_all("cannot make a temporary folder");
	setenv("XDG_CACHE_HOME", at("cache"), 1);
	unsetenv("SNNWB_NO_CACHE");
	test_real();
	test_malformed();
	test_roundtrip();
	test_frames();
	test_split();
	test_split_1000();
	test_simulate();
	tap_remove_tree(tmp);
	return done_testing();
}
