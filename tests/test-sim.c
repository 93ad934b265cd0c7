/*
 * test-sim.c: the event-camera simulator: parameters, determinism, the file
 * format, event timing (several events per step, refractory period),
 * background noise on a blank image, batches in N-MNIST's layout,
 * allocation failure, and statistics on MNIST images against the real
 * N-MNIST recordings of the same images when the shared folder is there.
 */
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/snnwb.h"
#include "tap.h"

#define NPIX		(SIM_SIZE * SIM_SIZE)
#define NSTAT		50	/* MNIST images for the statistics */
/*
 * Documented bands on those 50 images (the first 5 real recordings of each
 * digit in the shared subset), at the defaults and seed 1: the simulator
 * gives 3,981 events per recording (real 3,976), ON fraction 0.500 (real
 * 0.499), event-map correlation 0.965 and rate-profile correlation 0.962
 * with the real recordings of the same images.
 */
#define EVENTS_LO	3600
#define EVENTS_HI	4400

static char	tmp[] = "/tmp/snnwb-sim-XXXXXX";

/* Draws a "0": a ring of radius 5 to 8 around the centre, soft edges. */
static void
ring(uint8_t *img)
{
	double	r, v;
	int	x, y;

	for (y = 0; y < SIM_IMAGE; y++) {
		for (x = 0; x < SIM_IMAGE; x++) {
			r = hypot(x - 13.5, (y - 13.5) * 0.8);
			v = 1.5 - fabs(r - 6.5);
			v = v < 0 ? 0 : v > 1 ? 1 : v;
			img[y * SIM_IMAGE + x] = (uint8_t)lrint(255 * v);
		}
	}
}

/*
 * Passes when a call failed (rc -1) with a message containing word; frees
 * the message.
 */
static void
refused(int rc, char *cause, const char *word, const char *what)
{
	ok(rc == -1 && cause != NULL && strstr(cause, word) != NULL, "%s: %s",
	    what, cause != NULL ? cause : "no message");
	free(cause);
}

/* Records img with s and seed; exits the test on failure. */
static struct event *
record(const struct sim *s, const uint8_t *img, uint64_t seed, size_t *n)
{
	struct event	*ev;
	struct rng	 r;
	char		*cause = NULL;

	rng_seed(&r, seed);
	if (sim_recording(s, img, &r, &ev, n, &cause) != 0) {
		ok(0, "sim_recording: %s", cause);
		free(cause);
		exit(done_testing());
	}
	return ev;
}

/* Returns nonzero when the events are sorted and inside the format. */
static int
valid(const struct event *ev, size_t n, double duration)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (ev[i].x >= SIM_SIZE || ev[i].y >= SIM_SIZE ||
		    ev[i].p > 1 || ev[i].t >= duration ||
		    (i > 0 && ev[i].t < ev[i - 1].t)) {
			diag("event %zu: t %u x %u y %u p %u", i, ev[i].t,
			    ev[i].x, ev[i].y, ev[i].p);
			return 0;
		}
	}
	return 1;
}

/* Counts ON events. */
static size_t
count_on(const struct event *ev, size_t n)
{
	size_t	i, on = 0;

	for (i = 0; i < n; i++)
		on += ev[i].p;
	return on;
}

/* Parameters: defaults valid, sim_set by name, bad values refused. */
static void
test_params(void)
{
	static const struct {
		const char	*name;
		double		 value;
	} bad[] = {
		{ "c_on", 0 }, { "c_off", -0.1 }, { "dt", 0 }, { "blur", 4 },
		{ "sigma", NAN }, { "noise_on", 1.5 }, { "noise_rate", -1 },
		{ "ink", 0 }, { "duration", 9e6 }, { "path[1].x", 20 },
		{ "path[3].y", -5 }, { "move[1].x.start", 10000 },
		{ "move[0].y.end", 1000 }, { "move[2].x.end", 4e5 },
		{ "refractory", -1 }, { "jitter", INFINITY }
	};
	struct sim_params	 p, q;
	struct sim		 s;
	char			*cause = NULL;
	size_t			 i;
	int			 good = 1, rc;

	sim_defaults(&p);
	ok(sim_validate(&p, &cause) == 0, "defaults are valid");
	q = p;
	ok(sim_set(&q, "c_on", 0.4, NULL) == 0 && q.c_on == 0.4 &&
	    sim_set(&q, "path[2].y", 3, NULL) == 0 && q.path[2][1] == 3 &&
	    sim_set(&q, "move[1].x.end", 2e5, NULL) == 0 &&
	    q.move[1][0][1] == 2e5 &&
	    sim_set(&q, "sensor_seed", 7, NULL) == 0 && q.sensor_seed == 7,
	    "sim_set reaches scalars, path and moves");
	rc = sim_set(&q, "path[4].x", 1, &cause);
	refused(rc, cause, "path[4].x", "sim_set: unknown name");
	cause = NULL;
	ok(sim_set(&q, "move[0].x.mid", 1, NULL) == -1 &&
	    sim_set(&q, "sensor_seed", -1, NULL) == -1,
	    "sim_set: bad move field and negative seed refused");
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		q = p;
		sim_set(&q, bad[i].name, bad[i].value, NULL);
		if (sim_init(&s, &q, &cause) == 0 || cause == NULL ||
		    strstr(cause, bad[i].name) == NULL) {
			diag("%s = %g: %s", bad[i].name, bad[i].value,
			    cause != NULL ? cause : "accepted");
			good = 0;
		}
		free(cause);
		cause = NULL;
	}
	ok(good, "%zu bad parameters refused with their name",
	    sizeof bad / sizeof bad[0]);
	q = p;
	sim_set(&q, "c_on", 0, NULL);
	rc = sim_validate(&q, &cause);
	refused(rc, cause, "c_on is 0", "sim_validate");
}

/* Same seed, same bytes; another seed or sensor, other events. */
static void
test_determinism(const struct sim *s, const uint8_t *img)
{
	struct sim_params	 p = s->p;
	struct sim		 other;
	struct event		*a, *b, *c;
	size_t			 na, nb, nc;

	a = record(s, img, 11, &na);
	b = record(s, img, 11, &nb);
	ok(na > 1000 && na == nb && memcmp(a, b, na * sizeof *a) == 0,
	    "same seed: identical %zu events", na);
	ok(valid(a, na, s->p.duration), "sorted by time, inside 34x34 and "
	    "the recording");
	mem_free(b);
	b = record(s, img, 12, &nb);
	ok(na != nb || memcmp(a, b, na * sizeof *a) != 0,
	    "another seed: other events (%zu, %zu)", na, nb);
	p.sensor_seed = 99;
	sim_init(&other, &p, NULL);
	c = record(&other, img, 11, &nc);
	ok(na != nc || memcmp(a, c, na * sizeof *a) != 0,
	    "another sensor_seed: other events (%zu, %zu)", na, nc);
	sim_free(&other);
	mem_free(a);
	mem_free(b);
	mem_free(c);
}

/* Written with data_nmnist_write_file, read back identical. */
static void
test_format(const struct sim *s, const uint8_t *img)
{
	struct event	*a, *b = NULL;
	size_t		 na, nb = 0, i, back = 1;
	char		 path[PATH_MAX], *cause = NULL;
	int		 same;

	a = record(s, img, 5, &na);
	snprintf(path, sizeof path, "%s/one.bin", tmp);
	ok(data_nmnist_write_file(path, a, na, &cause) == 0 &&
	    data_nmnist_read_file(path, &b, &nb, &back, &cause) == 0,
	    "write and read back: %s", cause != NULL ? cause : "done");
	free(cause);
	same = nb == na && back == 0;
	for (i = 0; same && i < na; i++)
		same = a[i].t == b[i].t && a[i].x == b[i].x &&
		    a[i].y == b[i].y && a[i].p == b[i].p;
	ok(same, "read back: %zu events identical, none backwards", nb);
	mem_free(a);
	mem_free(b);
}

/*
 * Timing: a strong edge in long steps gives several events per pixel and
 * step at distinct interpolated times; no pixel fires twice within the
 * refractory period.
 */
static void
test_timing(const struct sim_params *def, const uint8_t *img)
{
	struct sim_params	 p = *def;
	struct sim		 s;
	struct event		*ev;
	size_t			 n, i;
	double			 last[NPIX], gap = INFINITY;
	int			 k, multi = 0, inside = 1, perstep[NPIX];
	uint32_t		 lastt[NPIX];
	uint32_t		 step, cur = UINT32_MAX;

	p.jitter = 0;
	p.noise_rate = 0;
	p.refractory = 0;
	p.dt = 10000;
	p.ink = 0.01;
	sim_init(&s, &p, NULL);
	ev = record(&s, img, 3, &n);
	for (i = 0; i < n; i++) {
		step = ev[i].t / 10000;
		if (step != cur) {
			memset(perstep, 0, sizeof perstep);
			cur = step;
		}
		k = ev[i].y * SIM_SIZE + ev[i].x;
		if (++perstep[k] > 1 && ev[i].t != lastt[k])
			multi++;
		lastt[k] = ev[i].t;
	}
	ok(multi > 100, "several events per pixel in one 10 ms step, at "
	    "times within it (%d)", multi);
	for (i = 0; i < n; i++)
		inside &= ev[i].t < p.duration;
	ok(inside, "all before the end of the recording");
	mem_free(ev);
	sim_free(&s);

	p = *def;
	p.jitter = 0;
	p.noise_rate = 0;
	p.refractory = 5000;
	sim_init(&s, &p, NULL);
	ev = record(&s, img, 3, &n);
	for (k = 0; k < NPIX; k++)
		last[k] = -INFINITY;
	for (i = 0; i < n; i++) {
		k = ev[i].y * SIM_SIZE + ev[i].x;
		if (ev[i].t - last[k] < gap)
			gap = ev[i].t - last[k];
		last[k] = ev[i].t;
	}
	ok(n > 100 && gap >= 4999, "refractory 5 ms: shortest gap in a "
	    "pixel %.0f us (%zu events)", gap, n);
	mem_free(ev);
	sim_free(&s);
}

/* With symmetric thresholds, swapping ink and paper swaps polarities. */
static void
test_polarity(const struct sim_params *def, const uint8_t *img)
{
	struct sim_params	 p = *def;
	struct sim		 s;
	struct event		*a, *b;
	uint8_t			 bin[SIM_IMAGE * SIM_IMAGE];
	size_t			 na, nb, ona, onb;
	double			 ratio;
	int			 i;

	for (i = 0; i < SIM_IMAGE * SIM_IMAGE; i++)
		bin[i] = img[i] >= 128 ? 255 : 0;
	p.noise_rate = 0;
	p.blur = 0;
	p.sigma = 0;
	p.c_off = p.c_on;
	sim_init(&s, &p, NULL);
	a = record(&s, bin, 8, &na);
	sim_free(&s);
	p.ink = def->paper;
	p.paper = def->ink;
	sim_init(&s, &p, NULL);
	b = record(&s, bin, 8, &nb);
	sim_free(&s);
	ona = count_on(a, na);
	onb = count_on(b, nb);
	ratio = (double)ona / (double)(nb - onb);
	ok(na > 1000 && ratio > 0.97 && ratio < 1.03, "inverted contrast, "
	    "symmetric sensor: ON %zu vs OFF %zu of the inverse", ona,
	    nb - onb);
	mem_free(a);
	mem_free(b);
}

/* A blank image gives only background events, at the documented rate. */
static void
test_blank(const struct sim_params *def)
{
	static const uint8_t	 blank[SIM_IMAGE * SIM_IMAGE];
	struct sim_params	 p = *def;
	struct sim		 s;
	struct event		*ev;
	size_t			 n, total = 0, on = 0, early = 0, i;
	double			 want, mean;
	int			 k, good = 1;

	p.noise_rate = 0;
	sim_init(&s, &p, NULL);
	ev = record(&s, blank, 1, &n);
	ok(n == 0, "blank image, no noise: no events (%zu)", n);
	mem_free(ev);
	sim_free(&s);

	sim_init(&s, def, NULL);
	for (k = 0; k < 40; k++) {
		ev = record(&s, blank, (uint64_t)k, &n);
		good &= valid(ev, n, def->duration);
		total += n;
		on += count_on(ev, n);
		for (i = 0; i < n; i++)
			early += ev[i].t < def->duration / 2;
		mem_free(ev);
	}
	sim_free(&s);
	want = def->noise_rate * NPIX * def->duration * 1e-6;
	mean = (double)total / 40;
	ok(good, "blank image: valid recordings");
	is_double(mean, want, 4 * sqrt(want / 40), "blank image: %.1f "
	    "background events per recording at %g Hz per pixel", mean,
	    def->noise_rate);
	is_double((double)on / (double)total, def->noise_on, 0.05,
	    "blank image: ON fraction of the background");
	is_double((double)early / (double)total, 0.5, 0.05,
	    "blank image: background spread evenly in time");

	p.noise_rate = 100;
	sim_init(&s, &p, NULL);
	ev = record(&s, blank, 2, &n);
	want = 100.0 * NPIX * def->duration * 1e-6;
	is_double((double)n, want, 4 * sqrt(want), "blank image at 100 Hz "
	    "per pixel: %zu events", n);
	mem_free(ev);
	sim_free(&s);
}

/* Remembers the progress reports of a batch. */
struct progress {
	pthread_t	thread;
	int		calls;
	int		wrong_thread;
	size_t		last;
	size_t		total;
	int		stop_at;
};

/* The progress callback: records the call, asks to stop at stop_at. */
static int
on_progress(size_t done, size_t total, void *arg)
{
	struct progress	*pr = arg;

	pr->calls++;
	pr->wrong_thread |= !pthread_equal(pr->thread, pthread_self());
	pr->last = done;
	pr->total = total;
	return pr->stop_at != 0 && pr->calls >= pr->stop_at;
}

/* A batch in N-MNIST's layout, on two threads, matches single recordings. */
static void
test_batch(const struct sim *s, const uint8_t *img)
{
	static uint8_t		 images[6 * SIM_IMAGE * SIM_IMAGE];
	static const uint8_t	 labels[6] = { 0, 0, 3, 9, 3, 0 };
	static const uint32_t	 pick[2] = { 4, 1 };
	struct sim_job		 job;
	struct progress		 pr;
	struct event		*a, *b;
	struct rng		 r;
	char			 dir[PATH_MAX], path[PATH_MAX], *cause = NULL;
	size_t			 na, nb, i;
	int			 same = 1, rc;

	for (i = 0; i < 6; i++) {
		memcpy(images + i * SIM_IMAGE * SIM_IMAGE, img,
		    SIM_IMAGE * SIM_IMAGE);
		images[i * SIM_IMAGE * SIM_IMAGE + i] = 255;
	}
	memset(&job, 0, sizeof job);
	memset(&pr, 0, sizeof pr);
	pr.thread = pthread_self();
	job.images = images;
	job.labels = labels;
	job.n = 6;
	job.first = 99;
	snprintf(dir, sizeof dir, "%s/out/deeper", tmp);
	job.dir = dir;
	job.split = "Test";
	job.seed = 42;
	job.threads = 2;
	job.progress = on_progress;
	job.arg = &pr;
	ok(sim_batch(s, &job, &cause) == 0, "sim_batch, 2 threads: %s",
	    cause != NULL ? cause : "done");
	free(cause);
	cause = NULL;
	ok(pr.calls >= 1 && pr.last == 6 && pr.total == 6 &&
	    !pr.wrong_thread, "progress: %d calls on the calling thread, "
	    "last %zu of %zu", pr.calls, pr.last, pr.total);
	for (i = 0; i < 6; i++) {
		snprintf(path, sizeof path, "%s/out/deeper/Test/%d/%05zu.bin",
		    tmp, labels[i], 100 + i);
		if (data_nmnist_read_file(path, &a, &na, NULL, &cause) != 0) {
			diag("%s", cause);
			free(cause);
			cause = NULL;
			same = 0;
			continue;
		}
		rng_seed(&r, sim_seed(42, 100 + i));
		sim_recording(s, images + i * SIM_IMAGE * SIM_IMAGE, &r, &b,
		    &nb, NULL);
		same &= na == nb && memcmp(a, b, na * sizeof *a) == 0;
		mem_free(a);
		mem_free(b);
	}
	ok(same, "Test/<label>/<id>.bin, ids from 100, each as "
	    "sim_recording seeded with sim_seed(seed, id)");

	job.index = pick;
	job.n = 2;
	job.progress = NULL;
	snprintf(dir, sizeof dir, "%s/picked", tmp);
	rc = sim_batch(s, &job, &cause);
	same = rc == 0;
	for (i = 0; same && i < 6; i++) {
		snprintf(path, sizeof path, "%s/picked/Test/%d/%05zu.bin", tmp,
		    labels[i], 100 + i);
		if (data_nmnist_read_file(path, &a, &na, NULL, NULL) != 0) {
			same = i != pick[0] && i != pick[1];
			continue;
		}
		snprintf(path, sizeof path, "%s/out/deeper/Test/%d/%05zu.bin",
		    tmp, labels[i], 100 + i);
		same = (i == pick[0] || i == pick[1]) &&
		    data_nmnist_read_file(path, &b, &nb, NULL, NULL) == 0 &&
		    na == nb && memcmp(a, b, na * sizeof *a) == 0;
		mem_free(a);
		mem_free(b);
	}
	ok(same, "index {4, 1}: only ids 105 and 102, the same bytes: %s",
	    cause != NULL ? cause : "done");
	free(cause);
	cause = NULL;
	job.index = NULL;
	job.n = 6;
	job.progress = on_progress;

	memset(&pr, 0, sizeof pr);
	pr.thread = pthread_self();
	pr.stop_at = 1;
	job.threads = 1;
	rc = sim_batch(s, &job, &cause);
	refused(rc, cause, "stopped after 1 of 6", "progress stops a batch");
	cause = NULL;
	job.threads = 0;
	rc = sim_batch(s, &job, &cause);
	refused(rc, cause, "threads", "threads 0 refused");
	cause = NULL;
	job.threads = 1;
	job.split = "../x";
	rc = sim_batch(s, &job, &cause);
	refused(rc, cause, "split", "bad split refused");
	cause = NULL;
	job.split = "Train";
	snprintf(dir, sizeof dir, "%s/one.bin/x", tmp);
	rc = sim_batch(s, &job, &cause);
	refused(rc, cause, "one.bin", "folder under a file refused");
}

/* Allocation failure in sim_init and sim_recording: messages, no leaks. */
static void
test_nomem(const struct sim_params *p, const uint8_t *img)
{
	struct sim	 s;
	struct event	*ev;
	struct rng	 r;
	char		*cause = NULL;
	size_t		 n;
	long		 k;
	int		 failed = 0, fine = 0;

	mem_fail_after(1);
	k = sim_init(&s, p, &cause);
	mem_fail_after(-1);
	refused((int)k, cause, "out of memory", "sim_init without memory");
	cause = NULL;
	sim_init(&s, p, NULL);
	for (k = 0; k < 6; k++) {
		rng_seed(&r, 1);
		mem_fail_after(k);
		if (sim_recording(&s, img, &r, &ev, &n, &cause) == 0) {
			fine++;
			mem_free(ev);
		} else if (cause != NULL && strstr(cause, "memory") &&
		    ev == NULL && n == 0)
			failed++;
		mem_fail_after(-1);
		free(cause);
		cause = NULL;
	}
	sim_free(&s);
	ok(failed >= 2 && fine >= 1, "sim_recording: %d allocation failures "
	    "reported, %d runs with enough", failed, fine);
}

/* Pearson correlation of a (n) and b (n). */
static double
pearson(const double *a, const double *b, size_t n)
{
	double	ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
	size_t	i;

	for (i = 0; i < n; i++) {
		ma += a[i] / (double)n;
		mb += b[i] / (double)n;
	}
	for (i = 0; i < n; i++) {
		sab += (a[i] - ma) * (b[i] - mb);
		saa += (a[i] - ma) * (a[i] - ma);
		sbb += (b[i] - mb) * (b[i] - mb);
	}
	return saa > 0 && sbb > 0 ? sab / sqrt(saa * sbb) : 0;
}

/* Event maps (34x34, polarities summed) and 10 ms profiles (31 bins). */
static void
tally(const struct event *ev, size_t n, double *map, double *prof)
{
	size_t	i;

	memset(map, 0, NPIX * sizeof *map);
	memset(prof, 0, 31 * sizeof *prof);
	for (i = 0; i < n; i++) {
		map[ev[i].y * SIM_SIZE + ev[i].x]++;
		if (ev[i].t < 310000)
			prof[ev[i].t / 10000]++;
	}
}

/*
 * Statistics on the first 5 real recordings of each digit in the shared
 * subset and the same MNIST images: documented bands for the simulated
 * events alone, then their agreement with the real recordings.
 */
static void
test_stats(const struct sim *s)
{
	struct idx	 images;
	struct event	*ev;
	struct rng	 r;
	const char	*dir;
	char		 path[PATH_MAX], *cause = NULL, **names;
	uint32_t	 ids[NSTAT];
	int		 labels[NSTAT], digit, nn, j, k = 0;
	double		 sn = 0, son = 0, rn = 0, ron = 0, cmap = 0, cprof = 0;
	double		 smap[NPIX], sprof[31], rmap[NPIX], rprof[31];
	size_t		 n;

	if ((dir = tap_fixture("datasets/mnist/train-images-idx3-ubyte.gz",
	    6)) == NULL)
		return;
	if (data_idx_read(dir, &images, &cause) != 0) {
		ok(0, "read %s: %s", dir, cause);
		free(cause);
		skip(5, "no MNIST images");
		return;
	}
	for (digit = 0; digit < 10; digit++) {
		snprintf(path, sizeof path, "datasets/nmnist-subset/Train/%d",
		    digit);
		if ((dir = tap_fixture(path, 6)) == NULL) {
			data_idx_free(&images);
			return;
		}
		names = tap_list_dir(dir, ".bin", &nn);
		for (j = 0; j < nn; j++) {
			if (j < NSTAT / 10) {
				ids[k] = (uint32_t)strtoul(names[j], NULL, 10);
				labels[k++] = digit;
			}
			free(names[j]);
		}
		free(names);
	}
	if (k < NSTAT) {
		ok(0, "the shared subset holds %d of the %d recordings needed",
		    k, NSTAT);
		skip(5, "too few recordings");
		data_idx_free(&images);
		return;
	}
	for (k = 0; k < NSTAT; k++) {
		rng_seed(&r, sim_seed(1, ids[k]));
		sim_recording(s, images.data + (size_t)(ids[k] - 1) *
		    SIM_IMAGE * SIM_IMAGE, &r, &ev, &n, NULL);
		sn += (double)n / NSTAT;
		son += (double)count_on(ev, n);
		tally(ev, n, smap, sprof);
		mem_free(ev);
		snprintf(path, sizeof path,
		    "datasets/nmnist-subset/Train/%d/%05u.bin", labels[k],
		    ids[k]);
		if (data_nmnist_read_file(tap_shared(path), &ev, &n, NULL,
		    &cause) != 0) {
			ok(0, "%s", cause);
			free(cause);
			data_idx_free(&images);
			return;
		}
		rn += (double)n / NSTAT;
		ron += (double)count_on(ev, n);
		tally(ev, n, rmap, rprof);
		mem_free(ev);
		cmap += pearson(smap, rmap, NPIX) / NSTAT;
		cprof += pearson(sprof, rprof, 31) / NSTAT;
	}
	data_idx_free(&images);
	son /= sn * NSTAT;
	ron /= rn * NSTAT;
	ok(sn > EVENTS_LO && sn < EVENTS_HI, "%d MNIST "
	    "images: %.0f events per recording", NSTAT, sn);
	ok(son > 0.48 && son < 0.52, "ON fraction %.3f", son);
	ok(fabs(sn / rn - 1) < 0.1, "events within 10%% of the real "
	    "recordings: %.0f vs %.0f", sn, rn);
	ok(fabs(son - ron) < 0.02, "ON fraction within 0.02 of the real: "
	    "%.3f vs %.3f", son, ron);
	ok(cmap > 0.94, "event maps correlate with the real ones: %.3f",
	    cmap);
	ok(cprof > 0.93, "10 ms rate profiles correlate with the real ones: "
	    "%.3f", cprof);
}

/* Runs every group of tests. */
int
main(void)
{
	struct sim_params	 p;
	struct sim		 s;
	uint8_t			 img[SIM_IMAGE * SIM_IMAGE];
	char			*cause = NULL;

	if (mkdtemp(tmp) == NULL)
		skip_all("cannot create a temporary folder");
	ring(img);
	sim_defaults(&p);
	test_params();
	if (sim_init(&s, &p, &cause) != 0) {
		ok(0, "sim_init: %s", cause);
		return done_testing();
	}
	test_determinism(&s, img);
	test_format(&s, img);
	test_timing(&p, img);
	test_polarity(&p, img);
	test_blank(&p);
	test_batch(&s, img);
	test_nomem(&p, img);
	test_stats(&s);
	sim_free(&s);
	tap_remove_tree(tmp);
	return done_testing();
}
