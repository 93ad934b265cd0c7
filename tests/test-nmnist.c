/*
 * test-nmnist.c: N-MNIST recordings and splits: real files of the shared
 * subset, writing and reading back, every malformed case as tiny files, the
 * official and SpikingJelly layouts, the split cache (hit, stale, damaged)
 * and allocation failure. XDG_CACHE_HOME points into a temporary folder.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "../src/snnwb.h"
#include "tap.h"

static char	tmp[] = "/tmp/snnwb-nmnist-XXXXXX";
static char	cachedir[PATH_MAX];

/* Formats a path under the temporary folder into a static buffer. */
static const char *
at(const char *sub)
{
	static char	path[PATH_MAX];

	snprintf(path, sizeof path, "%s/%s", tmp, sub);
	return path;
}

/* Creates the folders above path (mkdir -p of its parent). */
static void
mkparents(const char *path)
{
	char	copy[PATH_MAX], *slash;

	snprintf(copy, sizeof copy, "%s", path);
	for (slash = strchr(copy + 1, '/'); slash != NULL;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(copy, 0700);
		*slash = '/';
	}
}

/* Writes len bytes to path, creating its folders. */
static void
put(const char *path, const void *b, size_t len)
{
	mkparents(path);
	tap_write_file(path, b, len);
}

/*
 * Returns the path (static) of the one file in the cache folder, or NULL
 * when there is not exactly one (a temporary file left over, say).
 */
static const char *
cache_file(void)
{
	static char	  path[2 * PATH_MAX];
	char		**names;
	int		  n, i, files = 0;

	names = tap_list_dir(cachedir, "", &n);
	for (i = 0; i < n; i++) {
		if (names[i][0] != '.' && files++ == 0)
			snprintf(path, sizeof path, "%s/%s", cachedir,
			    names[i]);
		free(names[i]);
	}
	free(names);
	return files == 1 ? path : NULL;
}

/* Returns nonzero when a and b hold the same recordings and events. */
static int
same_set(const struct eventset *a, const struct eventset *b)
{
	size_t	ev;

	if (a->n != b->n || a->width != b->width || a->height != b->height ||
	    a->off == NULL || b->off == NULL ||
	    a->off[a->n] != b->off[b->n])
		return 0;
	ev = (size_t)a->off[a->n];
	return memcmp(a->off, b->off, (a->n + 1) * sizeof *a->off) == 0 &&
	    memcmp(a->label, b->label, a->n) == 0 &&
	    memcmp(a->id, b->id, a->n * sizeof *a->id) == 0 &&
	    memcmp(a->t, b->t, ev * sizeof *a->t) == 0 &&
	    memcmp(a->xyp, b->xyp, ev * sizeof *a->xyp) == 0;
}

/* Checks that reading path fails with a message naming it and saying want. */
static void
refused(const char *path, const char *want, const char *what)
{
	struct event	*ev = (struct event *)1;
	size_t		 n = 1;
	char		*cause = NULL;
	int		 rc;

	rc = data_nmnist_read_file(path, &ev, &n, NULL, &cause);
	ok(rc == -1 && ev == NULL && n == 0 && cause != NULL &&
	    strstr(cause, path) != NULL && strstr(cause, want) != NULL,
	    "%s refused: %s", what, cause != NULL ? cause : "(no message)");
	free(cause);
}

/* Counts progress reports; arg is an array {calls, last done, last total}. */
static void
progress(size_t done, size_t total, void *arg)
{
	size_t	*p = arg;

	p[0]++;
	p[1] = done;
	p[2] = total;
}

/* Returns the time in seconds on the monotonic clock. */
static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A real recording: its events as python3 decodes them; writing it back. */
static void
test_real_file(void)
{
	const char	*path;
	struct event	*ev, *back;
	uint8_t		*orig, *copy = NULL;
	size_t		 n, nb, i, on = 0, backwards = 1, olen, clen;
	char		*cause = NULL;
	int		 sorted = 1;

	path = tap_fixture("datasets/nmnist-subset/Train/0/00002.bin", 4);
	if (path == NULL)
		return;
	if (data_nmnist_read_file(path, &ev, &n, &backwards, &cause) != 0) {
		ok(0, "read %s: %s", path, cause);
		free(cause);
		skip(3, "unreadable");
		return;
	}
	for (i = 0; i < n; i++) {
		on += ev[i].p;
		sorted &= i == 0 || ev[i].t >= ev[i - 1].t;
	}
	ok(n == 5028 && backwards == 0 && sorted,
	    "Train/0/00002.bin: %zu events in time order", n);
	ok(ev[0].x == 10 && ev[0].y == 30 && ev[0].p == 1 && ev[0].t == 937 &&
	    ev[n - 1].x == 11 && ev[n - 1].y == 17 && ev[n - 1].t == 305341 &&
	    on == 2509, "first, last event and ON count as python3 decodes "
	    "them (10,30,ON,937 us; 11,17,305341 us; 2509 ON)");
	orig = tap_read_file(path, &olen);
	path = at("copy.bin");
	ok(data_nmnist_write_file(path, ev, n, &cause) == 0 &&
	    (copy = tap_read_file(path, &clen)) != NULL && clen == olen &&
	    memcmp(orig, copy, olen) == 0,
	    "written back byte for byte the same");
	ok(data_nmnist_read_file(path, &back, &nb, NULL, &cause) == 0 &&
	    nb == n && memcmp(back, ev, n * sizeof *ev) == 0,
	    "and read back to the same events");
	free(orig);
	free(copy);
	mem_free(ev);
	mem_free(back);
	unlink(path);
}

/* Malformed recordings and unwritable events, each a tiny file. */
static void
test_malformed(void)
{
	struct event	 e[5] = {
		{ 10, 0, 0, 1, 0 }, { 5, 1, 0, 0, 0 }, { 20, 2, 0, 1, 0 },
		{ 5, 3, 0, 0, 0 }, { 30, 4, 0, 1, 0 }
	};
	struct event	*ev;
	uint8_t		 seven[7] = { 0 };
	size_t		 n, backwards;
	const char	*path;
	char		*cause = NULL;
	int		 rc;

	path = at("empty.bin");
	put(path, "", 0);
	refused(path, "empty file", "empty file");
	path = at("seven.bin");
	put(path, seven, sizeof seven);
	refused(path, "2 stray bytes at byte offset 5", "7-byte file");
	path = at("x34.bin");
	e[1].x = 34;
	ok(data_nmnist_write_file(path, e, 5, &cause) == 0,
	    "the writer takes coordinates up to 255");
	refused(path, "event 1 (byte offset 5): x = 34 outside 0..33", "x 34");
	e[1].x = 1;
	e[2].y = 200;
	path = at("y200.bin");
	data_nmnist_write_file(path, e, 5, &cause);
	refused(path, "event 2 (byte offset 11): y = 200", "y 200");
	e[2].y = 0;
	refused(at("absent.bin"), "No such file", "missing file");
	refused(tmp, "not a regular file", "a folder");
	path = at("fifo.bin");
	if (mkfifo(path, 0600) == 0)
		refused(path, "not a regular file", "a FIFO, at once,");
	else
		skip(1, "mkfifo failed");

	path = at("backwards.bin");
	data_nmnist_write_file(path, e, 5, &cause);
	rc = data_nmnist_read_file(path, &ev, &n, &backwards, &cause);
	ok(rc == 0 && n == 5 && backwards == 2, "backwards timestamps "
	    "counted: %zu", backwards);
	ok(rc == 0 && ev[0].t == 5 && ev[0].x == 1 && ev[1].t == 5 &&
	    ev[1].x == 3 && ev[2].x == 0 && ev[3].x == 2 && ev[4].x == 4,
	    "then sorted by time, equal times in file order");
	if (rc == 0)
		mem_free(ev);

	e[3].t = 1u << 23;
	path = at("late.bin");
	rc = data_nmnist_write_file(path, e, 5, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, path) != NULL &&
	    strstr(cause, "event 3: timestamp 8388608 does not fit 23 bits") &&
	    access(path, F_OK) != 0, "writing a 24-bit timestamp refused, "
	    "no file left: %s", cause != NULL ? cause : "");
	free(cause);
	cause = NULL;
	e[3].t = 5;
	e[4].p = 2;
	rc = data_nmnist_write_file(path, e, 5, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "event 4: polarity 2"),
	    "writing polarity 2 refused: %s", cause != NULL ? cause : "");
	free(cause);
	cause = NULL;
	e[4].p = 1;
	rc = data_nmnist_write_file(at("no/such/dir.bin"), e, 5, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "no/such/dir.bin"),
	    "writing into a missing folder refused: %s",
	    cause != NULL ? cause : "");
	free(cause);
}

/*
 * data_nmnist_parse on random bytes of 1 to 40 events, so that the
 * three-at-a-time decoder and the event-at-a-time tail meet at every
 * length: times and packed coordinates against the format decoded byte by
 * byte here. Then x = 34 and y = 34 (the first values outside) at every
 * event of a 40-event recording, each named in the message.
 */
static void
test_parse(void)
{
	uint8_t		 buf[200];
	uint32_t	 t[40], want_t;
	uint16_t	 xyp[40];
	struct rng	 r;
	size_t		 n, i, back, bad = 0, named = 0;
	char		*cause, want[64];
	int		 c;

	rng_seed(&r, 11);
	for (n = 1; n <= 40; n++) {
		for (i = 0; i < 5 * n; i++)
			buf[i] = (uint8_t)rng_below(&r, 256);
		for (i = 0; i < n; i++) {
			buf[5 * i] = (uint8_t)rng_below(&r, 34);
			buf[5 * i + 1] = (uint8_t)rng_below(&r, 34);
			/* rising times, so that nothing is sorted */
			buf[5 * i + 2] = (uint8_t)((buf[5 * i + 2] & 0x80) | i);
		}
		cause = NULL;
		if (data_nmnist_parse(buf, 5 * n, "random", t, xyp, &back,
		    &cause) != 0) {
			diag("%zu events: %s", n, cause);
			free(cause);
			bad++;
			continue;
		}
		for (i = 0; i < n; i++) {
			want_t = (uint32_t)(buf[5 * i + 2] & 0x7f) << 16 |
			    (uint32_t)buf[5 * i + 3] << 8 | buf[5 * i + 4];
			bad += t[i] != want_t ||
			    EVENTSET_X(xyp[i]) != buf[5 * i] ||
			    EVENTSET_Y(xyp[i]) != buf[5 * i + 1] ||
			    EVENTSET_P(xyp[i]) != buf[5 * i + 2] >> 7 ||
			    xyp[i] >> 15 != 0;
		}
	}
	ok(bad == 0, "1 to 40 random events: every time and coordinate as "
	    "decoded byte by byte (%zu wrong)", bad);

	for (c = 0; c < 2; c++) {
		for (i = 0; i < 40; i++) {
			buf[5 * i + c] = 34;
			cause = NULL;
			snprintf(want, sizeof want, "event %zu (byte offset "
			    "%zu): %c = 34 outside 0..33", i, 5 * i + c,
			    c == 0 ? 'x' : 'y');
			named += data_nmnist_parse(buf, 200, "far", t, xyp,
			    &back, &cause) == -1 && cause != NULL &&
			    strstr(cause, want) != NULL;
			free(cause);
			buf[5 * i + c] = 33;
		}
	}
	ok(named == 80, "x or y of 34 at each of 40 events: %zu of 80 "
	    "named", named);
}

/* Returns whether reader r holds exactly the n events of ev. */
static int
reader_holds(const struct nmnist_reader *r, const struct event *ev, size_t n)
{
	size_t	i;

	if (r->n != n)
		return 0;
	for (i = 0; i < n; i++)
		if (r->t[i] != ev[i].t ||
		    r->xyp[i] != EVENTSET_PACK(ev[i].x, ev[i].y, ev[i].p))
			return 0;
	return 1;
}

/*
 * One reader over several files, its buffers kept: a larger recording, a
 * smaller one, a refused one (a message, no events) and the larger again;
 * then freed and used from zero.
 */
static void
test_reader(void)
{
	struct nmnist_reader	 r = { 0 };
	struct event		 big[300], small[3];
	const uint8_t		 bad[10] = { 1, 1, 0, 0, 1, 1, 40, 0, 0, 2 };
	char			*cause = NULL;
	size_t			 i;
	int			 good, rc;

	for (i = 0; i < 300; i++) {
		big[i].t = (uint32_t)(1000 * i);
		big[i].x = (uint8_t)(i % 34);
		big[i].y = (uint8_t)(i * 7 % 34);
		big[i].p = (uint8_t)(i % 3 == 0);
		big[i].pad = 0;
	}
	memcpy(small, big + 100, sizeof small);
	data_nmnist_write_file(at("reader-big.bin"), big, 300, &cause);
	data_nmnist_write_file(at("reader-small.bin"), small, 3, &cause);
	put(at("reader-bad.bin"), bad, sizeof bad);
	good = data_nmnist_read(&r, at("reader-big.bin"), &cause) == 0 &&
	    reader_holds(&r, big, 300);
	good &= data_nmnist_read(&r, at("reader-small.bin"), &cause) == 0 &&
	    reader_holds(&r, small, 3) && r.evcap >= 300;
	ok(good, "reader: 300 events, then 3 in the same buffers");
	rc = data_nmnist_read(&r, at("reader-bad.bin"), &cause);
	ok(rc == -1 && r.n == 0 && cause != NULL && strstr(cause,
	    "reader-bad.bin: event 1 (byte offset 6): y = 40") != NULL,
	    "reader: a bad file refused, no events left: %s",
	    cause != NULL ? cause : "");
	free(cause);
	cause = NULL;
	good = data_nmnist_read(&r, at("reader-big.bin"), &cause) == 0 &&
	    reader_holds(&r, big, 300);
	data_nmnist_reader_free(&r);
	good &= r.buf == NULL && r.n == 0 && r.evcap == 0 &&
	    data_nmnist_read(&r, at("reader-small.bin"), &cause) == 0 &&
	    reader_holds(&r, small, 3);
	ok(good, "reader: the larger file again after it, and from zero "
	    "after a free: %s", cause != NULL ? cause : "same events");
	free(cause);
	data_nmnist_reader_free(&r);
}

#define SORT_STEP	171000u	/* 49 steps stay under 2^23 */

/*
 * 1000 events with 50 distinct times spread over the 23 bits, written out
 * of order: the backwards count and a stable sort, against a counting
 * sort done here.
 */
static void
test_sort(void)
{
	struct event	 in[1000], want[1000], *ev = NULL;
	struct rng	 r;
	size_t		 n, backwards = 0, count = 0, i, k = 0;
	uint32_t	 t;
	char		*cause = NULL;

	rng_seed(&r, 5);
	for (i = 0; i < 1000; i++) {
		in[i].t = rng_below(&r, 50) * SORT_STEP;
		in[i].x = (uint8_t)(i % 34);
		in[i].y = (uint8_t)(i / 34);
		in[i].p = (uint8_t)(i & 1);
		in[i].pad = 0;
		count += i > 0 && in[i].t < in[i - 1].t;
	}
	for (t = 0; t < 50 * SORT_STEP; t += SORT_STEP)
		for (i = 0; i < 1000; i++)
			if (in[i].t == t)
				want[k++] = in[i];
	data_nmnist_write_file(at("shuffled.bin"), in, 1000, &cause);
	ok(data_nmnist_read_file(at("shuffled.bin"), &ev, &n, &backwards,
	    &cause) == 0 && n == 1000 && backwards == count &&
	    memcmp(ev, want, sizeof want) == 0,
	    "1000 shuffled events: %zu backwards, stable sort", count);
	mem_free(ev);
}

/* Writes a synthetic recording to ROOT-relative path sub. */
static void
rec(const char *sub, const struct event *e, size_t n)
{
	char	*cause = NULL;

	mkparents(at(sub));
	if (data_nmnist_write_file(at(sub), e, n, &cause) != 0) {
		diag("%s", cause);
		free(cause);
	}
}

/* Builds the synthetic split "small/Train": labels 1 and 4, 3 recordings. */
static void
make_small(void)
{
	static const struct event	a[3] = { { 100, 1, 2, 1, 0 },
					    { 200, 33, 33, 0, 0 },
					    { 300, 0, 0, 1, 0 } };
	static const struct event	b[2] = { { 7, 5, 6, 0, 0 },
					    { 9, 7, 8, 1, 0 } };
	static const struct event	c[4] = { { 50, 1, 1, 1, 0 },
					    { 10, 2, 2, 0, 0 },
					    { 60, 3, 3, 1, 0 },
					    { 10, 4, 4, 0, 0 } };

	rec("small/Train/1/00005.bin", a, 3);
	rec("small/Train/1/00003.bin", b, 2);
	rec("small/Train/4/00010.bin", c, 4);
	put(at("small/Train/4/._00010.bin"), "junk", 4);
	put(at("small/Train/4/notes.txt"), "ignored", 7);
}

/* The synthetic split in the official layout: order, labels, events. */
static void
test_small(void)
{
	struct data_nmnist_options	 opt = { 1, progress, NULL };
	struct data_nmnist_stats	 st;
	struct eventset			 es;
	size_t				 calls[3] = { 0 };
	char				*cause = NULL;
	int				 rc;

	opt.arg = calls;
	rc = data_nmnist_load(at("small"), "train", &opt, &es, &st, &cause);
	ok(rc == 0 && es.n == 3 && es.width == 34 && es.height == 34,
	    "small split: 3 recordings, hidden and non-.bin files skipped%s%s",
	    cause != NULL ? ": " : "", cause != NULL ? cause : "");
	free(cause);
	if (rc != 0) {
		skip(3, "no split");
		return;
	}
	ok(es.label[0] == 1 && es.id[0] == 3 && es.label[1] == 1 &&
	    es.id[1] == 5 && es.label[2] == 4 && es.id[2] == 10 &&
	    es.off[1] == 2 && es.off[2] == 5 && es.off[3] == 9,
	    "sorted by (digit, number) with offsets 0 2 5 9");
	ok(es.t[2] == 100 && EVENTSET_X(es.xyp[3]) == 33 &&
	    EVENTSET_Y(es.xyp[3]) == 33 && EVENTSET_P(es.xyp[3]) == 0 &&
	    EVENTSET_P(es.xyp[4]) == 1 && es.t[5] == 10 &&
	    EVENTSET_X(es.xyp[5]) == 2 && EVENTSET_X(es.xyp[6]) == 4 &&
	    es.t[8] == 60, "events packed, backwards recording sorted");
	ok(st.files == 3 && st.events == 9 && st.backwards_files == 1 &&
	    st.backwards_events == 2 && st.cache == DATA_CACHE_OFF &&
	    calls[0] == 1 && calls[1] == 3 && calls[2] == 3,
	    "stats: 1 file with 2 backwards events, cache off, progress 3/3");
	data_nmnist_free(&es);
	ok(es.off == NULL && es.n == 0, "data_nmnist_free empties");
}

/* SpikingJelly's layout: ROOT/extract/Train, here of links to real files. */
static void
test_extract(void)
{
	static const char	*pick[3] = { "3/00011.bin", "3/00008.bin",
				    "7/00030.bin" };
	struct data_nmnist_options opt = { 1, NULL, NULL };
	struct eventset		 es;
	struct event		*ev;
	char			 src[PATH_MAX], dst[PATH_MAX];
	char			*cause = NULL;
	const char		*root;
	size_t			 n, i, j;
	int			 same = 1;

	if ((root = tap_fixture("datasets/nmnist-subset/Train", 2)) == NULL)
		return;
	if (realpath(root, src) == NULL)
		diag("realpath %s", root);
	for (i = 0; i < 3; i++) {
		snprintf(src + strlen(src), sizeof src - strlen(src), "/%s",
		    pick[i]);
		snprintf(dst, sizeof dst, "%s/sj/extract/Train/%s", tmp,
		    pick[i]);
		mkparents(dst);
		if (symlink(src, dst) != 0)
			diag("cannot link %s", dst);
		*strrchr(src, '/') = '\0';
		*strrchr(src, '/') = '\0';
	}
	if (data_nmnist_load(at("sj"), "train", &opt, &es, NULL,
	    &cause) != 0) {
		ok(0, "extract/ layout: %s", cause);
		free(cause);
		skip(1, "no split");
		return;
	}
	ok(es.n == 3 && es.label[0] == 3 && es.id[0] == 8 &&
	    es.label[1] == 3 && es.id[1] == 11 && es.label[2] == 7 &&
	    es.id[2] == 30, "extract/ layout found: 3/8, 3/11, 7/30");
	for (i = 0; i < 3; i++) {
		snprintf(dst, sizeof dst, "%s/sj/extract/Train/%u/%05u.bin",
		    tmp, es.label[i], es.id[i]);
		if (data_nmnist_read_file(dst, &ev, &n, NULL, &cause) != 0) {
			same = 0;
			free(cause);
			continue;
		}
		same &= n == es.off[i + 1] - es.off[i];
		for (j = 0; same && j < n; j++)
			same &= es.t[es.off[i] + j] == ev[j].t &&
			    es.xyp[es.off[i] + j] ==
			    EVENTSET_PACK(ev[j].x, ev[j].y, ev[j].p);
		mem_free(ev);
	}
	ok(same, "each recording's events equal those of its file");
	data_nmnist_free(&es);
}

/* Loads a split expecting failure with a message containing want. */
static void
load_refused(const char *root, const char *split, const char *want,
    const char *what)
{
	struct data_nmnist_options	 opt = { 1, NULL, NULL };
	struct eventset			 es;
	char				*cause = NULL;
	int				 rc;

	rc = data_nmnist_load(root, split, &opt, &es, NULL, &cause);
	ok(rc == -1 && es.n == 0 && es.off == NULL && cause != NULL &&
	    strstr(cause, want) != NULL, "%s refused: %s", what,
	    cause != NULL ? cause : "(no message)");
	free(cause);
}

/* Splits that cannot load: missing folders, bad names, a bad recording. */
static void
test_split_errors(void)
{
	static const struct event	bad[2] = { { 1, 0, 0, 1, 0 },
					    { 2, 40, 0, 1, 0 } };
	char				 want[3 * PATH_MAX], real[PATH_MAX];

	mkdir(at("nosplit"), 0700);
	if (realpath(at("nosplit"), real) == NULL)
		diag("realpath");
	snprintf(want, sizeof want, "looked for %s/Train and "
	    "%s/extract/Train", real, real);
	load_refused(at("nosplit"), "train", want, "missing split folder");
	load_refused(at("small"), "test", "extract/Test", "missing test split");
	load_refused(at("small"), "valid", "want \"train\" or \"test\"",
	    "split \"valid\"");
	load_refused(at("absent"), "train", "No such file", "missing root");
	mkdir(at("empty"), 0700);
	mkdir(at("empty/Train"), 0700);
	load_refused(at("empty"), "train", "no recordings",
	    "split without recordings");
	rec("badrec/Train/2/00001.bin", bad, 2);
	load_refused(at("badrec"), "train",
	    "Train/2/00001.bin: event 1 (byte offset 5): x = 40",
	    "split with a bad recording");
	rec("badname/Train/2/x1.bin", bad, 1);
	load_refused(at("badname"), "train", "x1.bin: a recording's name "
	    "must be its number", "recording named x1.bin");
}

/*
 * Flips the byte at offset off of the cache file; with fix, also makes the
 * stored crc32 match again (a valid-looking file with a bad field).
 */
static void
cache_poke(const char *path, long off, uint8_t value, int fix)
{
	uint8_t		*b;
	size_t		 len;
	uint32_t	 crc;

	if ((b = tap_read_file(path, &len)) == NULL || (size_t)off >= len) {
		diag("cannot poke %s", path);
		free(b);
		return;
	}
	b[off] = value;
	if (fix) {
		crc = (uint32_t)crc32(crc32(0, NULL, 0), b, 64);
		crc = (uint32_t)crc32(crc, b + 72, (uInt)(len - 72));
		memcpy(b + 64, &crc, 4);
	}
	put(path, b, len);
	free(b);
}

/*
 * Loads the small split through the cache; checks the data equals ref and
 * the cache state; returns the warning's truth for want (NULL: none).
 */
static int
cached(const struct eventset *ref, enum data_cache_state state,
    const char *want)
{
	struct data_nmnist_stats	 st;
	struct eventset			 es;
	char				*cause = NULL;
	int				 good;

	if (data_nmnist_load(at("small"), "train", NULL, &es, &st,
	    &cause) != 0) {
		diag("load: %s", cause);
		free(cause);
		return 0;
	}
	good = same_set(&es, ref) && st.cache == state &&
	    st.backwards_files == 1 && st.backwards_events == 2 &&
	    st.files == 3 && st.events == 9 &&
	    (want == NULL ? st.warning == NULL :
	    st.warning != NULL && strstr(st.warning, want) != NULL);
	if (st.warning != NULL)
		diag("warning: %s", st.warning);
	free(st.warning);
	data_nmnist_free(&es);
	return good;
}

/* The cache on the small split: hit, touched, damaged, turned off. */
static void
test_cache(void)
{
	static const struct event	 one = { 1, 2, 3, 1, 0 };
	struct data_nmnist_options	 opt = { 1, NULL, NULL };
	struct data_nmnist_stats	 st;
	struct eventset			 ref, es;
	struct timespec			 ts[2];
	const char			*path;
	char				*cause = NULL, stale[2 * PATH_MAX];
	pid_t				 dead;
	int				 n;

	if ((dead = fork()) == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	if (data_nmnist_load(at("small"), "train", &opt, &ref, NULL,
	    &cause) != 0) {
		diag("%s", cause);
		free(cause);
	}
	ok(cached(&ref, DATA_CACHE_ABSENT, NULL) && cache_file() != NULL,
	    "first load: no cache yet, one file written");
	ok(cached(&ref, DATA_CACHE_HIT, NULL), "second load: cache hit, "
	    "same data and stats");
	ts[0].tv_sec = ts[1].tv_sec = 1000000000;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	utimensat(AT_FDCWD, at("small/Train/1/00005.bin"), ts, 0);
	snprintf(stale, sizeof stale, "%s/old.cache.tmp.%ld", cachedir,
	    (long)dead);
	put(stale, "x", 1);
	ok(cached(&ref, DATA_CACHE_STALE, NULL),
	    "a touched recording makes the cache stale");
	ok(access(stale, F_OK) != 0, "rewriting it removes the temporary "
	    "file that a killed process left");
	ok(cached(&ref, DATA_CACHE_HIT, NULL) && cache_file() != NULL,
	    "rewritten: a hit again, still one file in the cache folder");
	put(stale, "x", 1);
	ok(cached(&ref, DATA_CACHE_HIT, NULL) && access(stale, F_OK) != 0,
	    "opening the cache on a hit removes a killed process's "
	    "temporary file too");

	path = cache_file();
	cache_poke(path, 72 + 4 * 8 + 3 + 3 * 4 + 9 * 4, 0x55, 0);
	ok(cached(&ref, DATA_CACHE_DAMAGED, "checksum mismatch"),
	    "a flipped byte: damaged cache ignored with a warning");
	ok(cached(&ref, DATA_CACHE_HIT, NULL), "and rewritten");
	path = cache_file();
	cache_poke(path, 72 + 8, 0x7f, 1);
	ok(cached(&ref, DATA_CACHE_DAMAGED, "bad offset of recording 1"),
	    "a valid checksum over bad offsets: ignored");
	path = cache_file();
	if (truncate(path, 100) != 0)
		diag("cannot truncate %s", path);
	ok(cached(&ref, DATA_CACHE_DAMAGED, "100 bytes, the header needs"),
	    "a truncated cache: ignored");
	put(cache_file(), "hello", 5);
	ok(cached(&ref, DATA_CACHE_DAMAGED, "not a snnwb cache file"),
	    "a foreign file: ignored");

	ok(data_nmnist_load(at("small"), "train", &opt, &es, &st, NULL) == 0 &&
	    same_set(&es, &ref) && st.cache == DATA_CACHE_OFF,
	    "no_cache option: cache off");
	data_nmnist_free(&es);
	setenv("SNNWB_NO_CACHE", "1", 1);
	ok(data_nmnist_load(at("small"), "train", NULL, &es, &st, NULL) == 0 &&
	    st.cache == DATA_CACHE_OFF, "SNNWB_NO_CACHE=1: cache off");
	unsetenv("SNNWB_NO_CACHE");
	data_nmnist_free(&es);

	rec("small/Train/9/00099.bin", &one, 1);
	n = data_nmnist_load(at("small"), "train", NULL, &es, &st, NULL);
	ok(n == 0 && es.n == 4 && es.label[3] == 9 &&
	    st.cache == DATA_CACHE_STALE, "an added recording: stale, 4 "
	    "recordings");
	data_nmnist_free(&es);
	unlink(at("small/Train/9/00099.bin"));
	rmdir(at("small/Train/9"));
	data_nmnist_free(&ref);
}

/* The real subset: counts per digit, order, totals, cache timings. */
static void
test_subset(void)
{
	static const size_t		 want[10] = { 97, 116, 99, 93, 105,
					     92, 94, 117, 87, 100 };
	struct data_nmnist_options	 opt = { 0, progress, NULL };
	struct data_nmnist_stats	 st, st2;
	struct eventset			 es, es2;
	const char			*root;
	size_t				 count[10] = { 0 }, calls[3];
	size_t				 i;
	uint64_t			 e, sx = 0, stime = 0;
	char				*cause = NULL;
	double				 t0, t1, t2;
	int				 order = 1, counts = 1;

	if ((root = tap_fixture("datasets/nmnist-subset", 6)) == NULL)
		return;
	memset(calls, 0, sizeof calls);
	opt.arg = calls;
	t0 = now();
	if (data_nmnist_load(root, "train", &opt, &es, &st, &cause) != 0) {
		ok(0, "load %s: %s", root, cause);
		free(cause);
		skip(5, "no split");
		return;
	}
	t1 = now();
	for (i = 0; i < es.n; i++) {
		count[es.label[i]]++;
		order &= i == 0 || es.label[i] > es.label[i - 1] ||
		    (es.label[i] == es.label[i - 1] && es.id[i] > es.id[i - 1]);
	}
	for (i = 0; i < 10; i++)
		counts &= count[i] == want[i];
	ok(es.n == 1000 && counts, "1000 recordings, per digit 97 116 99 93 "
	    "105 92 94 117 87 100");
	ok(order && es.label[0] == 0 && es.id[0] == 2 &&
	    es.off[1] == 5028, "sorted by (digit, id); first is 0/00002 with "
	    "5028 events");
	for (e = 0; e < es.off[es.n]; e++) {
		sx += EVENTSET_X(es.xyp[e]) + 34u * EVENTSET_Y(es.xyp[e]) +
		    1156u * EVENTSET_P(es.xyp[e]);
		stime += es.t[e];
	}
	ok(es.off[es.n] == 4133231 && sx == 4876163127ull &&
	    stime == 610783373176ull, "4133231 events; sums of x + 34 y + "
	    "1156 p and of t as python3 decodes the files");
	ok(st.files == 1000 && st.events == 4133231 &&
	    st.backwards_files == 0 && st.cache == DATA_CACHE_ABSENT &&
	    calls[0] == 1 && calls[1] == 1000 && calls[2] == 1000,
	    "stats: no backwards timestamps, cache written, progress "
	    "1000/1000");
	t2 = now();
	ok(data_nmnist_load(root, "train", NULL, &es2, &st2, &cause) == 0 &&
	    st2.cache == DATA_CACHE_HIT && same_set(&es, &es2),
	    "second load: cache hit, identical");
	t2 = now() - t2;
	diag("1000 recordings: %.3f s from the files, %.3f s from the cache",
	    t1 - t0, t2);
	data_nmnist_free(&es2);
	load_refused(root, "test", "extract/Test", "subset without Test/");
	data_nmnist_free(&es);
}

/*
 * Every allocation failure in reading a file or loading a split gives an
 * out-of-memory message and leaks nothing (the sanitizer build checks).
 */
static void
test_alloc_failure(void)
{
	struct data_nmnist_stats	 st;
	struct eventset			 es;
	struct event			*ev;
	size_t				 n;
	char				*cause;
	long				 k;
	int				 rc, fails, msgs, cachemode;

	for (k = 0, fails = msgs = 0; k < 20; k++) {
		cause = NULL;
		mem_fail_after(k);
		rc = data_nmnist_read_file(at("small/Train/4/00010.bin"), &ev,
		    &n, NULL, &cause);
		mem_fail_after(-1);
		if (rc == 0)
			break;
		fails++;
		msgs += cause != NULL && strstr(cause, "out of memory") != NULL;
		free(cause);
	}
	ok(rc == 0 && n == 4 && fails == 5 && msgs == fails,
	    "read_file: %d allocation failures reported, then read", fails);
	mem_free(ev);
	for (cachemode = 0; cachemode <= 1; cachemode++) {
		struct data_nmnist_options	opt = { !cachemode, NULL,
		    NULL };

		tap_remove_tree(cachedir);
		for (k = 0, fails = msgs = 0; k < 200; k++) {
			cause = NULL;
			mem_fail_after(k);
			rc = data_nmnist_load(at("small"), "train", &opt, &es,
			    &st, &cause);
			mem_fail_after(-1);
			if (rc == 0 && st.warning == NULL)
				break;
			fails++;
			if (rc == 0)
				msgs += strstr(st.warning, "out of memory") !=
				    NULL;
			else
				msgs += cause != NULL && es.off == NULL &&
				    strstr(cause, "out of memory") != NULL;
			free(cause);
			free(st.warning);
			data_nmnist_free(&es);
		}
		ok(rc == 0 && es.n == 3 && fails > 10 && msgs == fails,
		    "load %s cache: %d allocation failures reported, then "
		    "loaded", cachemode ? "with" : "without", fails);
		data_nmnist_free(&es);
	}
}

int
main(void)
{
	if (mkdtemp(tmp) == NULL)
		skip_all("cannot make a temporary folder");
	snprintf(cachedir, sizeof cachedir, "%s/cache/snnwb", tmp);
	setenv("XDG_CACHE_HOME", at("cache"), 1);
	unsetenv("SNNWB_NO_CACHE");
	test_real_file();
	test_malformed();
	test_parse();
	test_reader();
	test_sort();
	make_small();
	test_small();
	test_extract();
	test_split_errors();
	test_cache();
	test_alloc_failure();
	tap_remove_tree(cachedir);
	test_subset();
	tap_remove_tree(tmp);
	return done_testing();
}
