/*
 * sim-calibrate.c: compares the event-camera simulator with real N-MNIST.
 *
 * Loads the real recordings of nmnist-subset/Train/<digit>/<id>.bin from the
 * shared datasets folder, simulates the same MNIST training images (image
 * id - 1 of train-images-idx3-ubyte.gz) with a fixed seed, and prints event
 * counts, ON fraction, background rate, per-image correlation of the event
 * maps and of the event-rate profiles, and the simulator's speed.
 *
 * usage: sim-calibrate [-v] [-s name=value ...] [DATASETS]
 * DATASETS defaults to $SNNWB_SHARED/datasets, else ../shared/datasets.
 * -v adds the mean rate profile and the image position tracks over time;
 * -s overrides a simulator parameter (see sim_set), for tuning.
 */
#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../src/snnwb.h"

#define CAL_SEED	1
#define CAL_BIN		10000	/* profile bin, microseconds */
#define CAL_NBINS	32
#define CAL_PIXELS	(SIM_SIZE * SIM_SIZE)
#define CAL_MAXREC	2000

/* Statistics of one recording. */
struct cal_rec {
	size_t	n;
	size_t	on;
	size_t	border;			/* events in the outer 2-pixel ring */
	double	map[2][CAL_PIXELS];	/* counts per polarity and pixel */
	double	prof[CAL_NBINS];	/* events per bin */
	double	sx[CAL_NBINS];		/* sums of x and y per bin */
	double	sy[CAL_NBINS];
};

/* Sums over all recordings of one kind (real or simulated). */
struct cal_sum {
	double	n, n2, on, border, prof[CAL_NBINS];
	double	sx[CAL_NBINS], sy[CAL_NBINS];
};

/* Tallies the events of one recording into c. */
static void
cal_tally(struct cal_rec *c, const struct event *ev, size_t n)
{
	size_t	i;
	int	b;

	memset(c, 0, sizeof *c);
	c->n = n;
	for (i = 0; i < n; i++) {
		c->on += ev[i].p;
		if (ev[i].x < 2 || ev[i].x >= SIM_SIZE - 2 || ev[i].y < 2 ||
		    ev[i].y >= SIM_SIZE - 2)
			c->border++;
		c->map[ev[i].p][ev[i].y * SIM_SIZE + ev[i].x]++;
		b = (int)(ev[i].t / CAL_BIN);
		if (b >= CAL_NBINS)
			continue;
		c->prof[b]++;
		c->sx[b] += ev[i].x;
		c->sy[b] += ev[i].y;
	}
}

/* Adds one recording to the sums. */
static void
cal_add(struct cal_sum *s, const struct cal_rec *c)
{
	int	b;

	s->n += (double)c->n;
	s->n2 += (double)c->n * (double)c->n;
	s->on += (double)c->on;
	s->border += (double)c->border;
	for (b = 0; b < CAL_NBINS; b++) {
		s->prof[b] += c->prof[b];
		s->sx[b] += c->sx[b];
		s->sy[b] += c->sy[b];
	}
}

/* Pearson correlation of a (n) and b (n); 0 when either is constant. */
static double
cal_pearson(const double *a, const double *b, size_t n)
{
	double	ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
	size_t	i;

	for (i = 0; i < n; i++) {
		ma += a[i];
		mb += b[i];
	}
	ma /= (double)n;
	mb /= (double)n;
	for (i = 0; i < n; i++) {
		sab += (a[i] - ma) * (b[i] - mb);
		saa += (a[i] - ma) * (a[i] - ma);
		sbb += (b[i] - mb) * (b[i] - mb);
	}
	if (saa <= 0 || sbb <= 0)
		return 0;
	return sab / sqrt(saa * sbb);
}

/*
 * The root mean square distance between the real and the simulated mean
 * event positions per time bin, weighted by the real events in the bin.
 */
static double
cal_track(const struct cal_sum *r, const struct cal_sum *s)
{
	double	dx, dy, sum = 0, w = 0;
	int	k;

	for (k = 0; k < CAL_NBINS; k++) {
		if (r->prof[k] == 0 || s->prof[k] == 0)
			continue;
		dx = r->sx[k] / r->prof[k] - s->sx[k] / s->prof[k];
		dy = r->sy[k] / r->prof[k] - s->sy[k] / s->prof[k];
		sum += r->prof[k] * (dx * dx + dy * dy);
		w += r->prof[k];
	}
	return sqrt(sum / w);
}

/* Seconds on a monotonic clock. */
static double
cal_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Prints a usage line and exits 1. */
static void
cal_usage(void)
{
	fprintf(stderr, "usage: sim-calibrate [-v] [-s name=value ...] "
	    "[DATASETS]\n");
	exit(1);
}

/* Formats a path into buf (4096 bytes), or exits when it does not fit. */
static void __attribute__((format(printf, 2, 3)))
cal_path(char *buf, const char *fmt, ...)
{
	va_list	ap;
	int	len;

	va_start(ap, fmt);
	len = vsnprintf(buf, 4096, fmt, ap);
	va_end(ap);
	if (len < 0 || len >= 4096) {
		fprintf(stderr, "sim-calibrate: path too long\n");
		exit(1);
	}
}

/* Lists the recordings: fills ids and labels, returns how many. */
static int
cal_list(const char *root, uint32_t *ids, uint8_t *labels)
{
	char		 dir[4096];
	DIR		*d;
	struct dirent	*de;
	unsigned	 id;
	int		 digit, n = 0;

	for (digit = 0; digit < 10; digit++) {
		cal_path(dir, "%s/nmnist-subset/Train/%d", root, digit);
		if ((d = opendir(dir)) == NULL)
			continue;
		while ((de = readdir(d)) != NULL && n < CAL_MAXREC) {
			if (sscanf(de->d_name, "%u.bin", &id) != 1 || id == 0)
				continue;
			ids[n] = id;
			labels[n++] = (uint8_t)digit;
		}
		closedir(d);
	}
	return n;
}

/* Parses -s name=value into p, or exits with the message. */
static void
cal_override(struct sim_params *p, const char *arg)
{
	char	 name[64], *cause = NULL, *end;
	const char *eq = strchr(arg, '=');
	double	 v;

	if (eq == NULL || (size_t)(eq - arg) >= sizeof name)
		cal_usage();
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	v = strtod(eq + 1, &end);
	if (*end != '\0' || sim_set(p, name, v, &cause) != 0) {
		fprintf(stderr, "sim-calibrate: %s\n",
		    cause != NULL ? cause : "bad value");
		exit(1);
	}
}

/* Prints one row of the comparison table. */
static void
cal_row(const char *what, double real, double sim, const char *fmt)
{
	char	a[32], b[32];

	snprintf(a, sizeof a, fmt, real);
	snprintf(b, sizeof b, fmt, sim);
	printf("%-34s %12s %12s\n", what, a, b);
}

/* Runs the comparison; see the comment at the top. */
int
main(int argc, char **argv)
{
	static uint32_t		 ids[CAL_MAXREC];
	static uint8_t		 labels[CAL_MAXREC];
	struct sim_params	 p;
	struct sim		 s;
	struct idx		 images;
	static struct cal_rec	 real, simr;
	struct cal_sum		 sr, ss;
	struct event		*ev;
	struct rng		 r;
	const char		*root, *env;
	static char		 path[4096], rootbuf[4096];
	char			*cause = NULL;
	double			 cmap[3] = { 0 }, cprof = 0, t, elapsed = 0;
	double			 a[CAL_PIXELS], b[CAL_PIXELS], sd[2], mean[2];
	size_t			 n;
	int			 i, j, c, k, nrec, verbose = 0;

	sim_defaults(&p);
	while ((c = getopt(argc, argv, "vs:")) != -1) {
		if (c == 'v')
			verbose = 1;
		else if (c == 's')
			cal_override(&p, optarg);
		else
			cal_usage();
	}
	if (optind < argc)
		root = argv[optind];
	else if ((env = getenv("SNNWB_SHARED")) != NULL && *env != '\0') {
		cal_path(rootbuf, "%s/datasets", env);
		root = rootbuf;
	} else
		root = "../shared/datasets";
	if ((nrec = cal_list(root, ids, labels)) == 0) {
		fprintf(stderr, "sim-calibrate: no recordings under "
		    "%s/nmnist-subset/Train\n", root);
		return 1;
	}
	cal_path(path, "%s/mnist/train-images-idx3-ubyte.gz", root);
	if (data_idx_read(path, &images, &cause) != 0 ||
	    sim_init(&s, &p, &cause) != 0) {
		fprintf(stderr, "sim-calibrate: %s\n", cause);
		return 1;
	}
	memset(&sr, 0, sizeof sr);
	memset(&ss, 0, sizeof ss);
	for (i = 0; i < nrec; i++) {
		cal_path(path, "%s/nmnist-subset/Train/%d/%05u.bin", root,
		    labels[i], ids[i]);
		if (data_nmnist_read_file(path, &ev, &n, NULL, &cause) != 0) {
			fprintf(stderr, "sim-calibrate: %s\n", cause);
			return 1;
		}
		cal_tally(&real, ev, n);
		mem_free(ev);
		if (ids[i] > (uint32_t)images.dims[0]) {
			fprintf(stderr, "sim-calibrate: %s: no image %u\n",
			    path, ids[i]);
			return 1;
		}
		rng_seed(&r, sim_seed(CAL_SEED, ids[i]));
		t = cal_now();
		if (sim_recording(&s, images.data + (size_t)(ids[i] - 1) *
		    SIM_IMAGE * SIM_IMAGE, &r, &ev, &n, &cause) != 0) {
			fprintf(stderr, "sim-calibrate: %s\n", cause);
			return 1;
		}
		elapsed += cal_now() - t;
		cal_tally(&simr, ev, n);
		mem_free(ev);
		cal_add(&sr, &real);
		cal_add(&ss, &simr);
		for (k = 0; k < CAL_PIXELS; k++) {
			a[k] = real.map[0][k] + real.map[1][k];
			b[k] = simr.map[0][k] + simr.map[1][k];
		}
		cmap[0] += cal_pearson(a, b, CAL_PIXELS);
		cmap[1] += cal_pearson(real.map[1], simr.map[1],
		    CAL_PIXELS);
		cmap[2] += cal_pearson(real.map[0], simr.map[0],
		    CAL_PIXELS);
		cprof += cal_pearson(real.prof, simr.prof, CAL_NBINS);
	}
	for (j = 0; j < 2; j++) {
		const struct cal_sum *q = j == 0 ? &sr : &ss;

		mean[j] = q->n / nrec;
		sd[j] = sqrt(q->n2 / nrec - mean[j] * mean[j]);
	}
	printf("%d recordings of %s/nmnist-subset, seed %d\n", nrec, root,
	    CAL_SEED);
	printf("%-34s %12s %12s\n", "", "real", "sim");
	cal_row("events per recording, mean", mean[0], mean[1], "%.1f");
	cal_row("events per recording, sd", sd[0], sd[1], "%.1f");
	cal_row("ON fraction", sr.on / sr.n, ss.on / ss.n, "%.4f");
	cal_row("border events, Hz per pixel", sr.border / nrec /
	    (CAL_PIXELS - 30 * 30) / (p.duration * 1e-6), ss.border / nrec /
	    (CAL_PIXELS - 30 * 30) / (p.duration * 1e-6), "%.3f");
	printf("per-image correlation, sim vs real:\n");
	printf("  event map, both polarities       %.4f\n", cmap[0] / nrec);
	printf("  event map, ON                    %.4f\n", cmap[1] / nrec);
	printf("  event map, OFF                   %.4f\n", cmap[2] / nrec);
	printf("  rate profile, %d ms bins         %.4f\n", CAL_BIN / 1000,
	    cprof / nrec);
	printf("  mean rate profiles               %.4f\n",
	    cal_pearson(sr.prof, ss.prof, CAL_NBINS));
	printf("  image position track, rms px     %.3f\n",
	    cal_track(&sr, &ss));
	printf("speed: %.0f recordings per second on one thread\n",
	    nrec / elapsed);
	if (verbose) {
		printf("\n  ms   real   sim   real x,y mean  sim x,y mean\n");
		for (k = 0; k < CAL_NBINS; k++)
			printf("%4d %6.1f %5.1f   %5.2f %5.2f   %5.2f %5.2f\n",
			    k * CAL_BIN / 1000, sr.prof[k] / nrec,
			    ss.prof[k] / nrec,
			    sr.sx[k] / (sr.prof[k] + 1e-9),
			    sr.sy[k] / (sr.prof[k] + 1e-9),
			    ss.sx[k] / (ss.prof[k] + 1e-9),
			    ss.sy[k] / (ss.prof[k] + 1e-9));
	}
	sim_free(&s);
	data_idx_free(&images);
	return 0;
}
