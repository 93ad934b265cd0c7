/*
 * bench-data.c: how fast snnwb turns N-MNIST recordings into frames.
 *
 * Over the recordings of NMNIST/Train/<digit>/<id>.bin it times, per
 * recording: reading a file (data_nmnist_read, its buffers reused);
 * reading plus integrating into T = 10 frames by number and by time;
 * integrating alone from a split held in memory; and a whole epoch through
 * the batch loader (batches of 64, by number). Two more passes measure
 * what no reader or integration can avoid: opening, reading and closing
 * each file without decoding it (floor_file_us), and zeroing the T frames
 * alone (floor_zero_us). Each pass runs REPS times and the fastest is
 * reported, the usual guard against a busy machine. bench/frames_numpy.py
 * does the same work in numpy; bench/data.sh runs both and compares.
 *
 * usage: bench-data [NMNIST]
 * NMNIST defaults to $SNNWB_SHARED/datasets/nmnist-subset, else
 * ../shared/datasets/nmnist-subset. Prints "name value" lines.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../src/snnwb.h"

#define BENCH_T		10
#define BENCH_SIDE	34
#define BENCH_FRAME	(2 * BENCH_SIDE * BENCH_SIDE)
#define BENCH_REPS	5
#define BENCH_MAXREC	100000

/* The recordings found, in digit then file name order. */
struct bench_files {
	char	**path;
	size_t	  n;
};

/* Scratch buffers for one recording. */
struct bench_buf {
	struct nmnist_reader	 reader;
	float			*frames;	/* (BENCH_T, BENCH_FRAME) */
};

/* Returns the monotonic clock in seconds. */
static double
bench_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Orders two path strings, for qsort. */
static int
bench_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists root/Train/<digit>/<id>.bin into f; returns -1 when none. */
static int
bench_list(const char *root, struct bench_files *f)
{
	char		 dir[4200], path[4600];
	DIR		*d;
	struct dirent	*de;
	size_t		 len, first;
	int		 digit;

	f->path = malloc(BENCH_MAXREC * sizeof *f->path);
	f->n = 0;
	for (digit = 0; digit < 10; digit++) {
		snprintf(dir, sizeof dir, "%s/Train/%d", root, digit);
		if ((d = opendir(dir)) == NULL)
			continue;
		first = f->n;
		while ((de = readdir(d)) != NULL && f->n < BENCH_MAXREC) {
			len = strlen(de->d_name);
			if (len < 5 ||
			    strcmp(de->d_name + len - 4, ".bin") != 0)
				continue;
			snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
			f->path[f->n++] = strdup(path);
		}
		closedir(d);
		qsort(f->path + first, f->n - first, sizeof *f->path,
		    bench_cmp);
	}
	return f->n == 0 ? -1 : 0;
}

/* Reads recording path into b->reader, or exits on failure. */
static void
bench_read(const char *path, struct bench_buf *b)
{
	char	*cause = NULL;

	if (data_nmnist_read(&b->reader, path, &cause) != 0) {
		fprintf(stderr, "bench-data: %s\n", cause);
		exit(1);
	}
}

/* Integrates n events of t and xyp into b->frames, or exits on failure. */
static void
bench_integrate(struct bench_buf *b, const uint32_t *t, const uint16_t *xyp,
    size_t n, const struct frames_opts *o)
{
	char	*cause = NULL;

	if (data_frames_integrate(b->frames, BENCH_FRAME, t, xyp, n,
	    BENCH_SIDE, BENCH_SIDE, o, &cause) != 0) {
		fprintf(stderr, "bench-data: %s\n", cause);
		exit(1);
	}
}

/*
 * One pass over the files: read each, and integrate it with o unless o is
 * NULL. Returns the seconds taken.
 */
static double
bench_pass_files(const struct bench_files *f, struct bench_buf *b,
    const struct frames_opts *o)
{
	double	start = bench_now();
	size_t	i;

	for (i = 0; i < f->n; i++) {
		bench_read(f->path[i], b);
		if (o != NULL)
			bench_integrate(b, b->reader.t, b->reader.xyp,
			    b->reader.n, o);
	}
	return bench_now() - start;
}

/*
 * One pass of the system calls alone: open, read into b's reader buffer
 * (grown by a first data_nmnist_read) and close each file. Returns the
 * seconds taken.
 */
static double
bench_pass_syscalls(const struct bench_files *f, struct bench_buf *b)
{
	double	start = bench_now();
	size_t	i;
	int	fd;

	for (i = 0; i < f->n; i++) {
		if ((fd = open(f->path[i], O_RDONLY)) == -1 ||
		    read(fd, b->reader.buf, b->reader.cap) < 0) {
			perror(f->path[i]);
			exit(1);
		}
		close(fd);
	}
	return bench_now() - start;
}

/* One pass zeroing the frames n times, as integration starts; seconds. */
static double
bench_pass_zero(struct bench_buf *b, size_t n)
{
	double	start = bench_now();
	size_t	i;

	for (i = 0; i < n; i++) {
		memset(b->frames, 0, BENCH_T * BENCH_FRAME * sizeof *b->frames);
		__asm__ volatile("" : : "r"(b->frames) : "memory");
	}
	return bench_now() - start;
}

/* One pass integrating every recording of es with o; returns seconds. */
static double
bench_pass_split(const struct eventset *es, struct bench_buf *b,
    const struct frames_opts *o)
{
	double	start = bench_now();
	size_t	i;

	for (i = 0; i < es->n; i++)
		bench_integrate(b, es->t + es->off[i], es->xyp + es->off[i],
		    es->off[i + 1] - es->off[i], o);
	return bench_now() - start;
}

/* One epoch through the loader, batches of 64 by number; returns seconds. */
static double
bench_pass_loader(const struct eventset *es, const struct frames_opts *o)
{
	struct dataset		 ds;
	struct loader_opts	 lo;
	struct loader		*l;
	struct batch		 batch;
	char			*cause = NULL;
	double			 start;
	int			 rc;

	data_loader_defaults(&lo);
	if (data_loader_eventset(&ds, es, o, &cause) != 0 ||
	    (l = data_loader_new(&ds, &lo, &cause)) == NULL) {
		fprintf(stderr, "bench-data: %s\n", cause);
		exit(1);
	}
	start = bench_now();
	if (data_loader_start_epoch(l, 0, &cause) != 0)
		rc = -1;
	else
		while ((rc = data_loader_next(l, &batch, &cause)) == 1)
			continue;
	if (rc != 0) {
		fprintf(stderr, "bench-data: %s\n", cause);
		exit(1);
	}
	start = bench_now() - start;
	data_loader_free(l);
	return start;
}

/* Returns the fastest of REPS values. */
static double
bench_best(const double *v)
{
	double	best = v[0];
	int	i;

	for (i = 1; i < BENCH_REPS; i++)
		if (v[i] < best)
			best = v[i];
	return best;
}

/* Finds the recordings, times every pass and prints the results. */
int
main(int argc, char **argv)
{
	struct bench_files		 f;
	struct bench_buf		 b = { 0 };
	struct frames_opts		 number, bytime;
	struct data_nmnist_options	 no = { 0 };
	struct eventset			 es;
	const char			*shared = getenv("SNNWB_SHARED");
	char				 root[4096], *cause = NULL;
	double				 read[BENCH_REPS], rn[BENCH_REPS];
	double				 rt[BENCH_REPS], in[BENCH_REPS];
	double				 it[BENCH_REPS], ld[BENCH_REPS];
	double				 sc[BENCH_REPS], zr[BENCH_REPS];
	uint64_t			 events = 0;
	size_t				 i;
	int				 r;

	if (argc > 1)
		snprintf(root, sizeof root, "%s", argv[1]);
	else
		snprintf(root, sizeof root, "%s/datasets/nmnist-subset",
		    shared != NULL && *shared != '\0' ? shared : "../shared");
	if (bench_list(root, &f) != 0) {
		fprintf(stderr, "bench-data: no recordings under %s/Train\n",
		    root);
		return 1;
	}
	no.no_cache = 1;
	if (data_nmnist_load(root, "train", &no, &es, NULL, &cause) != 0) {
		fprintf(stderr, "bench-data: %s\n", cause);
		return 1;
	}
	data_frames_defaults(&number);
	number.T = BENCH_T;
	bytime = number;
	bytime.split = FRAMES_BY_TIME;
	b.frames = mem_aligned(BENCH_T * BENCH_FRAME * sizeof *b.frames);

	bench_pass_files(&f, &b, NULL);		/* warm the page cache */
	for (r = 0; r < BENCH_REPS; r++) {
		read[r] = bench_pass_files(&f, &b, NULL);
		rn[r] = bench_pass_files(&f, &b, &number);
		rt[r] = bench_pass_files(&f, &b, &bytime);
		in[r] = bench_pass_split(&es, &b, &number);
		it[r] = bench_pass_split(&es, &b, &bytime);
		ld[r] = bench_pass_loader(&es, &number);
		sc[r] = bench_pass_syscalls(&f, &b);
		zr[r] = bench_pass_zero(&b, es.n);
	}
	for (i = 0; i < es.n; i++)
		events += es.off[i + 1] - es.off[i];

	printf("recordings %zu\n", f.n);
	printf("events_per_recording %.0f\n", (double)events / (double)es.n);
	printf("read_us %.2f\n", bench_best(read) * 1e6 / (double)f.n);
	printf("read_number_us %.2f\n", bench_best(rn) * 1e6 / (double)f.n);
	printf("read_time_us %.2f\n", bench_best(rt) * 1e6 / (double)f.n);
	printf("integrate_number_us %.2f\n",
	    bench_best(in) * 1e6 / (double)es.n);
	printf("integrate_time_us %.2f\n", bench_best(it) * 1e6 / (double)es.n);
	printf("loader_samples_per_s %.0f\n", (double)es.n / bench_best(ld));
	printf("floor_file_us %.2f\n", bench_best(sc) * 1e6 / (double)f.n);
	printf("floor_zero_us %.2f\n", bench_best(zr) * 1e6 / (double)es.n);

	data_nmnist_free(&es);
	mem_free(b.frames);
	data_nmnist_reader_free(&b.reader);
	for (i = 0; i < f.n; i++)
		free(f.path[i]);
	free(f.path);
	return 0;
}
