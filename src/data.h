/*
 * data.h: data sets: N-MNIST, MNIST, CIFAR-10 and CIFAR10-DVS readers,
 * frames and their cache, the batch loader and the event-camera
 * simulators. Prototypes grouped by file; conventions in core.h.
 */
#ifndef SNNWB_DATA_H
#define SNNWB_DATA_H

#include "core.h"

/* data-nmnist.c: N-MNIST recordings in the original 40-bit event format. */
#define NMNIST_SIDE	34		/* sensor width and height */
#define NMNIST_TMAX	0x7fffffu	/* largest 23-bit timestamp */
struct event {
	uint32_t	t;	/* microseconds */
	uint8_t		x;	/* 0..33 */
	uint8_t		y;	/* 0..33 */
	uint8_t		p;	/* polarity 0 (OFF) or 1 (ON) */
	uint8_t		pad;
};
int	 data_nmnist_read_file(const char *path, struct event **ev,
	     size_t *n, size_t *backwards, char **cause);
int	 data_nmnist_write_file(const char *path, const struct event *ev,
	     size_t n, char **cause);
/*
 * A split of recordings held compactly in memory, 6 bytes per event: the
 * events of recording i are at [off[i], off[i + 1]) of t and xyp, sorted by
 * time. xyp packs x | y << 7 | p << 14 (EVENTSET_X/Y/P take it apart), so
 * a side is at most EVENTSET_MAXSIDE.
 */
struct eventset {
	size_t		 n;		/* recordings */
	uint64_t	*off;		/* (n + 1) event offsets */
	uint32_t	*t;		/* (events) timestamps, microseconds */
	uint16_t	*xyp;		/* (events) packed coordinates */
	uint8_t		*label;		/* (n) class 0..9 */
	uint32_t	*id;		/* (n) file number, e.g. 1-based MNIST index */
	int		 width;		/* 34 for N-MNIST */
	int		 height;	/* 34 for N-MNIST */
};
#define EVENTSET_MAXSIDE	128
#define EVENTSET_X(v)	((v) & 0x7f)
#define EVENTSET_Y(v)	(((v) >> 7) & 0x7f)
#define EVENTSET_P(v)	(((v) >> 14) & 1)
#define EVENTSET_PACK(x, y, p) \
	((uint16_t)((x) | (y) << 7 | (p) << 14))

/*
 * data-nmnist-parse.c: decoding one recording's bytes. buf (len) holds
 * the recording; t and xyp have room for len / 5 events.
 */
int	 data_nmnist_parse(const uint8_t *buf, size_t len, const char *name,
	     uint32_t *t, uint16_t *xyp, size_t *backwards, char **cause);
/* ev (n) sorted by time, stably; tmp (n) scratch. */
void	 data_nmnist_sort(struct event *ev, struct event *tmp, size_t n);
void	 data_nmnist_unpack(const uint32_t *t, const uint16_t *xyp, size_t n,
	     struct event *ev);
int	 data_nmnist_sort_packed(uint32_t *t, uint16_t *xyp, size_t n,
	     const char *name, char **cause);

/* data-nmnist.c: single recordings into buffers kept from file to file. */
struct nmnist_reader {
	uint8_t		*buf;		/* (cap) the file's bytes */
	size_t		 cap;
	uint32_t	*t;		/* (n) times, sorted */
	uint16_t	*xyp;		/* (n) packed as in struct eventset */
	size_t		 evcap;
	size_t		 n;
	size_t		 backwards;	/* events that went back in the file */
};
int	 data_nmnist_read(struct nmnist_reader *r, const char *path,
	     char **cause);
void	 data_nmnist_reader_free(struct nmnist_reader *r);
/* How a split load used the cache (set by data-cache.c). */
enum data_cache_state {
	DATA_CACHE_OFF,		/* disabled, or no cache directory */
	DATA_CACHE_HIT,		/* loaded from the cache */
	DATA_CACHE_ABSENT,	/* no cache file yet */
	DATA_CACHE_STALE,	/* sources changed, or an older cache version */
	DATA_CACHE_DAMAGED	/* ignored with a warning */
};
struct data_nmnist_options {
	int	  no_cache;	/* 1: neither read nor write the cache */
	/* Called every 1000 files and at the end; may be NULL. */
	void	(*progress)(size_t done, size_t total, void *arg);
	void	 *arg;
};
struct data_nmnist_stats {
	size_t			 files;
	uint64_t		 events;
	size_t			 backwards_files;  /* had time going back */
	uint64_t		 backwards_events; /* earlier than the one before */
	enum data_cache_state	 cache;
	char			*warning;	/* on success or NULL; free() */
};
/*
 * split is "train" or "test"; opt may be NULL for defaults (the cache is
 * used unless SNNWB_NO_CACHE is non-empty); stats may be NULL. out is freed
 * with data_nmnist_free.
 */
int	 data_nmnist_load(const char *root, const char *split,
	     const struct data_nmnist_options *opt, struct eventset *out,
	     struct data_nmnist_stats *stats, char **cause);
int	 data_nmnist_alloc(struct eventset *es, size_t n, uint64_t events,
	     char **cause);
void	 data_nmnist_free(struct eventset *es);

/*
 * data-recordings.c: what the N-MNIST and CIFAR10-DVS readers share: one
 * file read whole, events written after a header, the recordings of a
 * split found on disk, and a split loaded through the cache.
 */
int	 data_recordings_slurp(const char *path, uint8_t **buf, size_t *cap,
	     size_t *len, char **cause);
/* encode writes n events (n at most 4096 / size) at out, size bytes each. */
int	 data_recordings_write(const char *path, const void *header,
	     size_t hlen, const struct event *ev, size_t n, size_t size,
	     void (*encode)(const struct event *ev, size_t n, uint8_t *out),
	     char **cause);
/* One recording found on disk. */
struct data_recording {
	char		*path;		/* owned, mem_free */
	const char	*name;		/* into path: the file name */
	uint8_t		 label;
	uint32_t	 id;		/* the file number, eventset id */
	uint64_t	 size;
	int64_t		 mtime_sec;
	int64_t		 mtime_nsec;
};
/* The recordings of a split, in a growing array. */
struct data_recordings {
	struct data_recording	*v;
	size_t			 n;
	size_t			 cap;
};
/* Gives *id for file dir/name, the index-th taken from its folder. */
typedef int (*data_recordings_number_fn)(const char *dir, const char *name,
	     size_t index, uint32_t *id, char **cause);
int	 data_recordings_scan(struct data_recordings *list, const char *dir,
	     const char *suffix, uint8_t label,
	     data_recordings_number_fn number, char **cause);
void	 data_recordings_sort(struct data_recordings *list, int by_id);
void	 data_recordings_free(struct data_recordings *list);
/* A data set of recordings: how a split is found, how a file is decoded. */
struct data_recordings_format {
	const char	*kind;		/* names the cache file */
	const char	*version;	/* first in the cache key: change it
					   when what is cached changes */
	size_t		 event_bytes;	/* a file of s bytes has at most
					   s / event_bytes events */
	int		 side;		/* sensor width and height */
	/* Checks arg before the folder is looked at; may be NULL. */
	int		(*check)(const void *arg, char **cause);
	/*
	 * Fills list with the split arg asks for under the absolute root,
	 * sorted, and desc (descsize) with what picks it, for the cache.
	 */
	int		(*find)(const char *root, const void *arg,
			    struct data_recordings *list, char *desc,
			    size_t descsize, char **cause);
	/* As data_aedat_parse: t and xyp have room for len / event_bytes. */
	int		(*decode)(const uint8_t *buf, size_t len,
			    const char *name, uint32_t *t, uint16_t *xyp,
			    size_t *n, size_t *backwards, char **cause);
};
int	 data_recordings_load(const struct data_recordings_format *fmt,
	     const char *root, const void *arg,
	     const struct data_nmnist_options *opt, struct eventset *out,
	     struct data_nmnist_stats *stats, char **cause);

/* data-aedat.c: jAER AEDAT 2.0 recordings (DVS128) and CIFAR10-DVS. */
#define DATA_AEDAT_SIDE		128	/* sensor width and height */
#define DATA_AEDAT_NCLASSES	10
extern const char *const data_aedat_classes[DATA_AEDAT_NCLASSES];
int	 data_aedat_header(const uint8_t *buf, size_t len, const char *name,
	     size_t *hdr, char **cause);
/* t and xyp have room for len / 8 events. */
int	 data_aedat_parse(const uint8_t *buf, size_t len, const char *name,
	     uint32_t *t, uint16_t *xyp, size_t *n, size_t *backwards,
	     char **cause);
int	 data_aedat_read_file(const char *path, struct event **ev,
	     size_t *n, size_t *backwards, char **cause);
int	 data_aedat_write_file(const char *path, const struct event *ev,
	     size_t n, char **cause);
struct data_aedat_opts {
	const char	*split;		/* "train" or "test" */
	double		 train_ratio;	/* first ceil(n x ratio) per class */
	int		 random_split;	/* shuffle each class first, by seed */
	uint64_t	 seed;
	int		 no_cache;
	void		(*progress)(size_t done, size_t total, void *arg);
	void		*arg;
};
void	 data_aedat_defaults(struct data_aedat_opts *o);
int	 data_aedat_validate(const struct data_aedat_opts *o, char **cause);
int	 data_aedat_load(const char *root, const struct data_aedat_opts *o,
	     struct eventset *out, struct data_nmnist_stats *stats,
	     char **cause);
struct dataset;
struct frames_opts;
int	 data_aedat_dataset(struct dataset *ds, const struct eventset *es,
	     const struct frames_opts *o, int size, char **cause);

/* data-idx.c: MNIST-format IDX files, plain or gzip. */
struct idx {
	int		 ndim;
	int		 dims[4];
	uint8_t		*data;		/* dims[0] * ... bytes, unsigned */
	size_t		 n;		/* total bytes */
};
int	 data_idx_read(const char *path, struct idx *out, char **cause);
void	 data_idx_free(struct idx *x);
int	 data_idx_read_bytes(const char *path, uint8_t **buf, size_t *len,
	     char **cause);
/* buf (len) holds an uncompressed IDX file; name is used in messages. */
int	 data_idx_parse(const uint8_t *buf, size_t len, const char *name,
	     struct idx *out, char **cause);

/* data-mnist.c: MNIST-format image sets as loader data sets. */
struct mnist_set {
	struct idx	images;		/* (n, rows, cols) */
	struct idx	labels;		/* (n) */
};
struct mnist_enc {
	int		T;		/* time steps per image */
	int		poisson;	/* 0: intensity / 255 every step */
	uint64_t	seed;		/* Poisson spikes */
};
struct dataset;
int	 data_mnist_load(const char *root, const char *split,
	     struct mnist_set *set, char **cause);
void	 data_mnist_free(struct mnist_set *set);
int	 data_mnist_dataset(struct dataset *ds, const struct mnist_set *set,
	     const struct mnist_enc *enc, char **cause);

/* data-cifar10.c: CIFAR-10's binary batches as a loader data set. */
#define CIFAR10_SIDE	32
#define CIFAR10_PIXELS	(3 * CIFAR10_SIDE * CIFAR10_SIDE)
#define CIFAR10_RECORD	(1 + CIFAR10_PIXELS)	/* label, R, G, B planes */
#define CIFAR10_PAD	4			/* crop offsets -4..4 */
struct cifar10_set {
	uint8_t		*rec;		/* (n, CIFAR10_RECORD) as read */
	uint8_t		*label;		/* (n) */
	size_t		 n;
};
/* How samples are made; lut[c][b] = (b / 255 - mean[c]) / std[c]. */
struct cifar10_opts {
	int		 augment;	/* random crop and flip per epoch */
	uint64_t	 seed;
	float		 lut[3][256];
};
/* One sample's augmentation: x' (y, x) = x (y + dy, f(x) + dx), 0 outside. */
struct cifar10_aug {
	int		 dy;
	int		 dx;
	int		 flip;		/* f(x) = 31 - x, else x */
};
int	 data_cifar10_load(const char *root, const char *split,
	     struct cifar10_set *set, char **cause);
void	 data_cifar10_free(struct cifar10_set *set);
void	 data_cifar10_draw(uint64_t seed, int epoch, size_t i,
	     struct cifar10_aug *a);
int	 data_cifar10_dataset(struct dataset *ds, const struct cifar10_set *set,
	     struct cifar10_opts *o, char **cause);

/* data-frames.c: SpikingJelly's integration of events into frames. */
enum frames_split {
	FRAMES_BY_NUMBER,	/* N / T events a frame, the rest to the last */
	FRAMES_BY_TIME,		/* (t_last - t_first) / T us a frame */
	FRAMES_BY_DURATION	/* duration_us a frame from the first event */
};
struct frames_opts {
	enum frames_split	split;
	int			T;		/* frames */
	uint32_t		duration_us;	/* FRAMES_BY_DURATION */
	int			binary;		/* clip counts to 1 */
	float			divide;		/* then divide; 1: off */
};
void	 data_frames_defaults(struct frames_opts *o);
int	 data_frames_validate(const struct frames_opts *o, char **cause);
int	 data_frames_set_split(struct frames_opts *o, const char *name,
	     char **cause);
const char *data_frames_split_name(enum frames_split split);
/*
 * t and xyp (n) one recording's events, times non-decreasing; frame k
 * (2, height, width), channel 0 polarity 0, is written (zeroed first) at
 * out + k * t_stride for k < o->T. Fails on a coordinate outside the frame.
 */
int	 data_frames_integrate(float *out, size_t t_stride,
	     const uint32_t *t, const uint16_t *xyp, size_t n, int height,
	     int width, const struct frames_opts *o, char **cause);

/* data-cache.c: cached compact splits under $XDG_CACHE_HOME. */
#define DATA_CACHE_HASH_INIT	0xcbf29ce484222325ull
uint64_t data_cache_hash(uint64_t h, const void *p, size_t len);
int	 data_cache_path(const char *kind, const char *root,
	     const char *split, char **path, char **cause);
/* Returns 0 on a hit; else -1, st->cache saying why, and a message. */
int	 data_cache_read(const char *path, uint64_t key, struct eventset *es,
	     struct data_nmnist_stats *st, char **cause);
int	 data_cache_write(const char *path, uint64_t key,
	     const struct eventset *es, const struct data_nmnist_stats *st,
	     char **cause);
/* Reads a split's files into an event set for data_cache_load. */
typedef int (*data_cache_fill_fn)(void *arg, struct eventset *out,
	     struct data_nmnist_stats *stats, char **cause);
int	 data_cache_load(const char *kind, const char *root, const char *desc,
	     uint64_t key, int no_cache, size_t nfiles,
	     void (*progress)(size_t, size_t, void *), void *parg,
	     data_cache_fill_fn fill, void *arg, struct eventset *out,
	     struct data_nmnist_stats *stats, char **cause);

/* data-loader.c: shuffled batches prepared by a background thread. */
/*
 * A data set as the loader sees it: n samples of T steps of (channels,
 * height, width) values. fill writes sample i, step k at out + k * t_stride;
 * the loader calls it once a sample from its own thread, so it must only
 * read the data set. Every pointer is borrowed, never owned.
 */
struct dataset {
	size_t		 n;		/* samples */
	const uint8_t	*label;		/* (n) classes */
	int		 T;
	int		 channels;
	int		 height;
	int		 width;
	int		(*fill)(const struct dataset *ds, size_t i, float *out,
			    size_t t_stride, char **cause);
	/* Optional: changes sample i, as fill wrote it, for an epoch. */
	void		(*augment)(const struct dataset *ds, size_t i,
			    int epoch, float *out, size_t t_stride);
	const void	*src;		/* the samples, e.g. an eventset */
	const void	*opts;		/* how to make them, e.g. frames_opts */
};
/* Which samples to use: classes (bit c for class c; 0: all), then n. */
struct subset {
	uint32_t	 classes;
	size_t		 n;		/* 0: all of those */
	int		 random;	/* 0: the first n, 1: drawn with seed */
	uint64_t	 seed;
};
struct loader_opts {
	int		 batch;
	int		 drop_last;	/* leave out a last, smaller batch */
	int		 shuffle;	/* a new order each epoch from seed */
	uint64_t	 seed;
	const uint32_t	*index;		/* (nindex) or NULL: all; copied */
	size_t		 nindex;
	int		 count_nonzero;	/* fill batch.nonzero */
};
/* One batch; the pointers are the loader's, valid until its next call. */
struct batch {
	const float	*x;		/* (T, B, channels, height, width) */
	const int	*labels;	/* (B) */
	const uint32_t	*sample;	/* (B) indices into the data set */
	int		 B;
	int		 T;
	size_t		 index;		/* batch number within the epoch */
	size_t		 nonzero;	/* nonzero values of x, when counted */
};
struct loader;
/* ds refers to es and o, which must outlive it. */
int	 data_loader_eventset(struct dataset *ds, const struct eventset *es,
	     const struct frames_opts *o, char **cause);
size_t	 data_loader_step_size(const struct dataset *ds);
/* *idx (*n) sorted sample indices, freed with mem_free. */
int	 data_loader_subset(const struct dataset *ds, const struct subset *s,
	     uint32_t **idx, size_t *n, char **cause);
void	 data_loader_defaults(struct loader_opts *o);
/* ds must outlive the loader; free it with data_loader_free. */
struct loader *data_loader_new(const struct dataset *ds,
	     const struct loader_opts *o, char **cause);
size_t	 data_loader_most(const struct loader *l);
size_t	 data_loader_batches(const struct loader *l);
int	 data_loader_start_epoch(struct loader *l, int epoch, char **cause);
/* Returns 1 with a batch in *out, 0 at the end of the epoch, or -1. */
int	 data_loader_next(struct loader *l, struct batch *out, char **cause);
void	 data_loader_free(struct loader *l);

/* sim.c: the event-camera simulator (MNIST image to N-MNIST recording). */
#define SIM_SACCADES	3	/* moves of the sensor, a closed triangle */
#define SIM_SIZE	34	/* the sensor field, SIM_SIZE x SIM_SIZE */
#define SIM_IMAGE	28	/* the MNIST image, SIM_IMAGE x SIM_IMAGE */
#define SIM_PATH_MIN	(-4.0)	/* bounds of the image origin in the field */
#define SIM_PATH_MAX	10.0
/*
 * Every parameter of the simulator; sim_defaults documents the calibrated
 * values. Times are microseconds, positions pixels of the 34x34 field,
 * thresholds natural-log units of luminance.
 */
struct sim_params {
	double		ink;		/* luminance of pixel value 255 */
	double		paper;		/* luminance of pixel value 0 */
	double		blur;		/* optics, Gaussian sigma in pixels */
	/* image origin (x, y) before and after each saccade */
	double		path[SIM_SACCADES + 1][2];
	/* per saccade and axis (x, y): start and end of the move */
	double		move[SIM_SACCADES][2][2];
	double		duration;	/* length of the recording */
	double		dt;		/* simulation step */
	double		tau;		/* photoreceptor low-pass, 0: none */
	double		c_on;		/* ON contrast threshold */
	double		c_off;		/* OFF contrast threshold */
	double		sigma;		/* threshold mismatch, std, per pixel */
	double		refractory;	/* dead time after an event */
	double		jitter;		/* timestamp jitter, std */
	double		noise_rate;	/* background events, Hz per pixel */
	double		noise_on;	/* fraction of background events ON */
	uint64_t	sensor_seed;	/* draws the fixed mismatch pattern */
};
/*
 * A sensor ready to record, made by sim_init: owns its arrays until
 * sim_free; recording only reads it, so threads may share one.
 */
struct sim {
	struct sim_params p;
	float		*thr_on;	/* (SIM_SIZE^2) per-pixel thresholds */
	float		*thr_off;	/* (SIM_SIZE^2) */
	int		 nsteps;
	float		*ox;		/* (nsteps + 1) image origin, step k */
	float		*oy;		/* (nsteps + 1) */
};
/*
 * A batch written in N-MNIST's layout, dir/split/<label>/<id>.bin with id
 * = first + j + 1 as 5 digits for image j: the images 0..n-1, or those
 * listed in index. Recording j uses a generator seeded from seed and its
 * id, so the output does not depend on threads. progress, when set, is
 * called on the calling thread only; nonzero stops the batch.
 */
struct sim_job {
	const uint8_t	*images;	/* (n, or more with index, 28, 28) */
	const uint8_t	*labels;	/* (as many) 0..9 */
	const uint32_t	*index;		/* (n) images to record, or NULL */
	size_t		 n;		/* recordings */
	size_t		 first;		/* 0-based index of images[0] */
	const char	*dir;
	const char	*split;		/* "Train" or "Test" */
	uint64_t	 seed;
	int		 threads;	/* 1..SIM_MAXTHREADS */
	int		(*progress)(size_t done, size_t total, void *arg);
	void		*arg;
};
#define SIM_MAXTHREADS	64
void	 sim_defaults(struct sim_params *p);
int	 sim_set(struct sim_params *p, const char *name, double value,
	     char **cause);
int	 sim_validate(const struct sim_params *p, char **cause);
int	 sim_init(struct sim *s, const struct sim_params *p, char **cause);
void	 sim_free(struct sim *s);
int	 sim_recording(const struct sim *s, const uint8_t *img,
	     struct rng *r, struct event **ev, size_t *n, char **cause);
uint64_t sim_seed(uint64_t seed, uint64_t id);
/* Shared with sim-dvs.c: the saccade's easing and a mismatch draw. */
double	 sim_profile(double u);
float	 sim_threshold(double c, double sigma, struct rng *r);
int	 sim_batch(const struct sim *s, const struct sim_job *job,
	     char **cause);

/* sim-dvs.c: CIFAR10-DVS-like recordings (CIFAR-10 image to DVS128). */
#define SIM_DVS_SIDE	128
struct sim_dvs_params {
	struct sim_params sensor;	/* pixel model; path, move, ink, paper
					   and blur unused */
	double	scale;		/* sensor pixels per image pixel */
	double	radius;		/* half the side of the square loop, px */
	double	period;		/* one loop, microseconds */
	int	loops;
	double	black;		/* monitor luminance of pixel value 0 */
	double	white;		/* ... of 255 */
	double	background;	/* ... around the image */
};
void	 sim_dvs_defaults(struct sim_dvs_params *p);
int	 sim_dvs_validate(const struct sim_dvs_params *p, char **cause);
int	 sim_dvs_recording(const struct sim_dvs_params *p, const uint8_t *rgb,
	     struct rng *r, struct event **ev, size_t *n, char **cause);
int	 sim_dvs_read_cifar(const char *path, uint8_t **rec, size_t *n,
	     char **cause);
int	 sim_dvs_write_set(const struct sim_dvs_params *p, const uint8_t *rec,
	     size_t n, const char *dir, uint64_t seed, uint64_t *events,
	     void (*progress)(size_t, size_t, void *), void *arg,
	     char **cause);

#endif
