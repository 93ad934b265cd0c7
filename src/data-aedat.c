/*
 * data-aedat.c: jAER AEDAT 2.0 recordings of a DVS128 (128 x 128), as
 * CIFAR10-DVS is published (Li et al. 2017), and whole splits of that set.
 *
 * A file is header lines, each starting with '#' and ending with a line
 * feed, the first "#!AER-DAT2.0", then events of 8 bytes: a big-endian
 * uint32 address and a big-endian uint32 timestamp in microseconds. The
 * address is decoded as SpikingJelly does it (spikingjelly/datasets/
 * cifar10_dvs.py, _load_origin_data): with raw fields
 *
 *	xr = (a & 0xfe) >> 1,  yr = (a & 0x7f00) >> 8,  pr = a & 1,
 *
 * the event is x = 127 - yr, y = 127 - xr, p = 1 - pr, and frames put
 * polarity p in channel p (so channel 0 holds the events with pr = 1).
 * SpikingJelly masks the fields and so never sees a coordinate outside
 * the sensor; here an address with any bit outside 0x7fff set (y of 128
 * or more, or not a DVS128 event at all) is refused, naming the file and
 * byte offset. SpikingJelly skips header lines after stripping white space
 * and stops at one that does not decode as UTF-8; a line here is header
 * when its first byte is '#', which is the same for jAER's own files.
 *
 * Timestamps that go back are counted and the events sorted stably by
 * time, as the N-MNIST reader does (SpikingJelly keeps file order).
 *
 * The set is ROOT/<class>/<name>.aedat, classes airplane .. truck labelled 0 to
 * 9 in that order (SpikingJelly's CIFAR10DVS_CLASS_NAMES, which is also the
 * sorted order of the folder names that torchvision's DatasetFolder uses).
 * Within a class the files are in the lexicographic order of their names
 * (DatasetFolder sorts them: cifar10_airplane_10 before cifar10_airplane_2).
 * The train/test split is SpikingJelly's split_to_train_test_set (utils.py,
 * _split_class_indices): per class, the first ceil(n x train_ratio) files
 * are the training set, the rest the test set; with random_split each
 * class's files are first shuffled (here by Fisher-Yates from seed, not by
 * numpy's global generator), and a split keeps its files in file order.
 *
 * Frames are SpikingJelly's integration (data-frames.c) on the 128 x 128
 * sensor, then resized to size x size as torchvision's
 * transforms.Resize(size) does to a float tensor, which is what
 * SpikingJelly's CIFAR10-DVS training example (activation_based/examples/
 * memopt/data_module.py, Resize(size=(48, 48))) applies: bilinear with
 * antialiasing (torchvision 0.17 and later), a separable triangle filter
 * as wide as the scale, weights normalised per output pixel.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"

#define DATA_AEDAT_MAGIC	"#!AER-DAT2.0"
#define DATA_AEDAT_KEY		"snnwb cifar10-dvs split 2"

/* The class folders, in label order. */
const char *const data_aedat_classes[DATA_AEDAT_NCLASSES] = {
	"airplane", "automobile", "bird", "cat", "deer",
	"dog", "frog", "horse", "ship", "truck"
};

/* Reads a big-endian uint32 at b. */
static uint32_t
data_aedat_be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
}

/*
 * Finds the end of the header of buf (len): *hdr gets the offset of the
 * first event. The first line must be the AEDAT 2.0 magic.
 */
int
data_aedat_header(const uint8_t *buf, size_t len, const char *name,
    size_t *hdr, char **cause)
{
	const uint8_t	*nl;
	size_t		 p = 0, m = sizeof DATA_AEDAT_MAGIC - 1, i;
	char		 first[24];

	if (len < m || memcmp(buf, DATA_AEDAT_MAGIC, m) != 0 ||
	    (len > m && buf[m] != '\r' && buf[m] != '\n')) {
		for (i = 0; i < len && i < sizeof first - 1 &&
		    buf[i] >= ' ' && buf[i] < 127; i++)
			first[i] = (char)buf[i];
		first[i] = '\0';
		return error_set(cause, "%s: byte offset 0: not an AEDAT 2.0 "
		    "file (first line \"%s\", want \"%s\")", name, first,
		    DATA_AEDAT_MAGIC);
	}
	while (p < len && buf[p] == '#') {
		if ((nl = memchr(buf + p, '\n', len - p)) == NULL) {
			p = len;
			break;
		}
		p = (size_t)(nl - buf) + 1;
	}
	*hdr = p;
	return 0;
}

/*
 * Decodes the events of one file in buf (len) into t and xyp (the packed
 * form of struct eventset), which have room for len / 8 events; *n gets
 * the count and *backwards (may be NULL) the events whose time is below
 * the one before, after which the events are sorted stably by time.
 */
int
data_aedat_parse(const uint8_t *buf, size_t len, const char *name,
    uint32_t *t, uint16_t *xyp, size_t *n, size_t *backwards, char **cause)
{
	const uint8_t	*b;
	uint32_t	 a;
	size_t		 hdr, i, count, back = 0, off;

	*n = 0;
	if (data_aedat_header(buf, len, name, &hdr, cause) != 0)
		return -1;
	if ((len - hdr) % 8 != 0)
		return error_set(cause, "%s: %zu bytes after the %zu-byte "
		    "header are not whole 8-byte events: %zu stray bytes at "
		    "byte offset %zu", name, len - hdr, hdr, (len - hdr) % 8,
		    len - (len - hdr) % 8);
	count = (len - hdr) / 8;
	for (i = 0; i < count; i++) {
		off = hdr + 8 * i;
		b = buf + off;
		a = data_aedat_be32(b);
		if ((a & ~(uint32_t)0x7fff) != 0)
			return error_set(cause, "%s: event %zu (byte offset "
			    "%zu): address 0x%08x is outside the DVS128 "
			    "layout (7-bit x, 7-bit y, polarity): not in "
			    "128x128", name, i, off, a);
		t[i] = data_aedat_be32(b + 4);
		xyp[i] = EVENTSET_PACK(127 - ((a >> 8) & 0x7f),
		    127 - ((a >> 1) & 0x7f), 1 - (a & 1));
		back += i > 0 && t[i] < t[i - 1];
	}
	if (back != 0 && data_nmnist_sort_packed(t, xyp, count, name,
	    cause) != 0)
		return -1;
	*n = count;
	if (backwards != NULL)
		*backwards = back;
	return 0;
}

/*
 * Reads the recording at path into a new array *ev of *n events sorted by
 * time (mem_free); *backwards (may be NULL) as data_aedat_parse gives it.
 */
int
data_aedat_read_file(const char *path, struct event **ev, size_t *n,
    size_t *backwards, char **cause)
{
	uint8_t		*buf = NULL;
	uint32_t	*t = NULL;
	uint16_t	*xyp = NULL;
	size_t		 cap = 0, len, m;
	int		 rc = -1;

	*ev = NULL;
	*n = 0;
	if (data_recordings_slurp(path, &buf, &cap, &len, cause) != 0)
		goto out;
	m = len / 8 + 1;
	t = mem_alloc(m * sizeof *t);
	xyp = mem_alloc(m * sizeof *xyp);
	*ev = mem_alloc(m * sizeof **ev);
	if (t == NULL || xyp == NULL || *ev == NULL) {
		error_set(cause, "%s: out of memory for %zu events", path, m);
		goto out;
	}
	if (data_aedat_parse(buf, len, path, t, xyp, n, backwards,
	    cause) != 0)
		goto out;
	data_nmnist_unpack(t, xyp, *n, *ev);
	rc = 0;
out:
	if (rc != 0) {
		mem_free(*ev);
		*ev = NULL;
	}
	mem_free(buf);
	mem_free(t);
	mem_free(xyp);
	return rc;
}

/* Encodes n events as AEDAT 2.0 at out, for data_recordings_write. */
static void
data_aedat_encode(const struct event *ev, size_t n, uint8_t *out)
{
	uint32_t	 a;
	uint8_t		*b;
	size_t		 i;

	for (i = 0; i < n; i++) {
		a = (uint32_t)(127 - ev[i].x) << 8 |
		    (uint32_t)(127 - ev[i].y) << 1 | (uint32_t)(1 - ev[i].p);
		b = out + 8 * i;
		b[0] = (uint8_t)(a >> 24);
		b[1] = (uint8_t)(a >> 16);
		b[2] = (uint8_t)(a >> 8);
		b[3] = (uint8_t)a;
		b[4] = (uint8_t)(ev[i].t >> 24);
		b[5] = (uint8_t)(ev[i].t >> 16);
		b[6] = (uint8_t)(ev[i].t >> 8);
		b[7] = (uint8_t)ev[i].t;
	}
}

/*
 * Writes the n events of ev to path as AEDAT 2.0 in the order given,
 * encoded so that data_aedat_parse gives them back; x and y must be below
 * 128 and p 0 or 1, else nothing is written.
 */
int
data_aedat_write_file(const char *path, const struct event *ev, size_t n,
    char **cause)
{
	static const char	header[] = DATA_AEDAT_MAGIC "\r\n"
	    "# This is a raw AE data file - do not edit\r\n"
	    "# Data format is int32 address, int32 timestamp (8 bytes "
	    "total), repeated for each event\r\n"
	    "# Timestamps tick is 1 us\r\n"
	    "# written by snnwb (simulated DVS128 recording)\r\n";
	size_t			i;

	for (i = 0; i < n; i++)
		if (ev[i].x > 127 || ev[i].y > 127 || ev[i].p > 1)
			return error_set(cause, "%s: event %zu: x %u, y %u, "
			    "p %u outside 128x128 and polarity 0 or 1", path,
			    i, ev[i].x, ev[i].y, ev[i].p);
	return data_recordings_write(path, header, sizeof header - 1, ev, n,
	    8, data_aedat_encode, cause);
}

/*
 * Gives as *id the number after the last '_' of a name like
 * "cifar10_cat_17.aedat", or index when there is none, for
 * data_recordings_scan.
 */
static int
data_aedat_number(const char *dir, const char *name, size_t index,
    uint32_t *id, char **cause)
{
	const char	*u = strrchr(name, '_'), *p;
	uint64_t	 v = 0;

	*id = (uint32_t)index;
	if (u == NULL)
		return 0;
	for (p = u + 1; *p >= '0' && *p <= '9'; p++)
		if ((v = v * 10 + (uint64_t)(*p - '0')) > UINT32_MAX)
			return 0;
	if (p != u + 1 && strcmp(p, ".aedat") == 0)
		*id = (uint32_t)v;
	return 0;
}

/*
 * Keeps in list only the files of the split o asks for: per class, the
 * first ceil(count x train_ratio) (after a seeded shuffle with
 * random_split) are "train", the rest "test". list is sorted by class and
 * name on entry and stays so.
 */
static int
data_aedat_split(struct data_recordings *list,
    const struct data_aedat_opts *o, char **cause)
{
	struct data_recording	 tmp;
	struct rng		 r;
	size_t			 lo, hi, i, j, pos, kept = 0;
	uint8_t			*take;
	int			 train = strcmp(o->split, "train") == 0;

	if ((take = mem_alloc(list->n + 1)) == NULL)
		return error_set(cause, "out of memory");
	rng_seed(&r, o->seed);
	for (lo = 0; lo < list->n; lo = hi) {
		for (hi = lo; hi < list->n &&
		    list->v[hi].label == list->v[lo].label; hi++)
			continue;
		for (i = lo; i < hi; i++)
			take[i] = 0;
		if (o->random_split) {
			for (i = hi - lo; i > 1; i--) {
				j = rng_below(&r, (uint32_t)i);
				tmp = list->v[lo + i - 1];
				list->v[lo + i - 1] = list->v[lo + j];
				list->v[lo + j] = tmp;
			}
		}
		pos = (size_t)ceil((double)(hi - lo) * o->train_ratio);
		for (i = lo; i < hi; i++)
			take[i] = (i - lo < pos) == train;
	}
	for (i = 0; i < list->n; i++) {
		if (take[i])
			list->v[kept++] = list->v[i];
		else
			mem_free(list->v[i].path);
	}
	list->n = kept;
	mem_free(take);
	data_recordings_sort(list, 0);
	return 0;
}

/* Checks the split options; the message names the bad one. */
int
data_aedat_validate(const struct data_aedat_opts *o, char **cause)
{
	if (strcmp(o->split, "train") != 0 && strcmp(o->split, "test") != 0)
		return error_set(cause, "CIFAR10-DVS split \"%s\": want "
		    "\"train\" or \"test\"", o->split);
	if (!(o->train_ratio > 0 && o->train_ratio <= 1))
		return error_set(cause, "CIFAR10-DVS train_ratio %g: want a "
		    "number above 0 and at most 1", o->train_ratio);
	return 0;
}

/* Sets the defaults: the training split of SpikingJelly's 0.9 rule. */
void
data_aedat_defaults(struct data_aedat_opts *o)
{
	memset(o, 0, sizeof *o);
	o->split = "train";
	o->train_ratio = 0.9;
}

/* Checks the options (arg) for data_recordings_load. */
static int
data_aedat_check(const void *arg, char **cause)
{
	return data_aedat_validate(arg, cause);
}

/*
 * Lists the split the options arg ask for of the classes under root into
 * list, sorted by class and name; desc gets the split rule.
 */
static int
data_aedat_find(const char *root, const void *arg,
    struct data_recordings *list, char *desc, size_t descsize, char **cause)
{
	const struct data_aedat_opts	*o = arg;
	char				 dir[PATH_MAX];
	int				 label;

	for (label = 0; label < DATA_AEDAT_NCLASSES; label++) {
		if (snprintf(dir, sizeof dir, "%s/%s", root,
		    data_aedat_classes[label]) >= (int)sizeof dir)
			return error_set(cause, "%s: path too long", root);
		if (data_recordings_scan(list, dir, ".aedat", (uint8_t)label,
		    data_aedat_number, cause) != 0)
			return -1;
	}
	if (list->n == 0)
		return error_set(cause, "%s: no recordings (<class>/*.aedat "
		    "for classes airplane .. truck)", root);
	data_recordings_sort(list, 0);
	if (data_aedat_split(list, o, cause) != 0)
		return -1;
	if (list->n == 0)
		return error_set(cause, "%s: the %s split with train_ratio %g "
		    "is empty (ceil(n x train_ratio) of each class's n "
		    "recordings train, the rest test)", root, o->split,
		    o->train_ratio);
	snprintf(desc, descsize, "%s-%.17g-%s-%llu", o->split,
	    o->train_ratio, o->random_split ? "random" : "first",
	    o->random_split ? (unsigned long long)o->seed : 0ull);
	return 0;
}

/* CIFAR10-DVS as data_recordings_load reads it. */
static const struct data_recordings_format data_aedat_format = {
	"cifar10dvs", DATA_AEDAT_KEY, 8, DATA_AEDAT_SIDE, data_aedat_check,
	data_aedat_find, data_aedat_parse
};

/*
 * Loads one split of the CIFAR10-DVS folder root into out (freed with
 * data_nmnist_free), through the cache unless o->no_cache or a non-empty
 * SNNWB_NO_CACHE turns it off; stats (may be NULL) as data_nmnist_load
 * gives them.
 */
int
data_aedat_load(const char *root, const struct data_aedat_opts *o,
    struct eventset *out, struct data_nmnist_stats *stats, char **cause)
{
	struct data_nmnist_options	opt;

	opt.no_cache = o->no_cache;
	opt.progress = o->progress;
	opt.arg = o->arg;
	return data_recordings_load(&data_aedat_format, root, o, &opt, out,
	    stats, cause);
}

/*
 * Fills the taps of torchvision's antialiased bilinear resize from in to
 * out pixels (PyTorch's _upsample_bilinear2d_aa weights): output pixel i
 * reads inputs first[i] .. first[i] + count[i] - 1 with weights
 * w[i * wmax ..], wmax = data_aedat_wmax(in, out).
 */
static void
data_aedat_taps(int in, int out, int wmax, int *first, int *count, float *w)
{
	double	scale = (double)in / out, support, center, tw, v;
	int	i, j, lo, hi;

	support = scale >= 1 ? scale : 1;
	for (i = 0; i < out; i++) {
		center = scale * (i + 0.5);
		lo = (int)(center - support + 0.5);
		lo = lo < 0 ? 0 : lo;
		hi = (int)(center + support + 0.5);
		hi = hi > in ? in : hi;
		first[i] = lo;
		count[i] = hi - lo < wmax ? hi - lo : wmax;
		for (j = 0, tw = 0; j < count[i]; j++) {
			v = 1 - fabs((j + lo - center + 0.5) / support);
			w[i * wmax + j] = (float)(v > 0 ? v : 0);
			tw += v > 0 ? v : 0;
		}
		for (j = 0; j < count[i]; j++)
			w[i * wmax + j] = tw != 0 ?
			    (float)(w[i * wmax + j] / tw) : 0;
	}
}

/* Returns the most taps an output pixel of an in to out resize reads. */
static int
data_aedat_wmax(int in, int out)
{
	double	scale = (double)in / out;

	return 2 * (int)ceil(scale >= 1 ? scale : 1) + 2;
}

/*
 * Resizes T frames of (2, in, in) at src (contiguous) to (2, out, out) at
 * dst + k * t_stride: along rows first, then along columns.
 */
static int
data_aedat_resize(const float *src, int T, int in, float *dst,
    size_t t_stride, int out, char **cause)
{
	int		 first[DATA_AEDAT_SIDE], count[DATA_AEDAT_SIDE];
	int		 wmax = data_aedat_wmax(in, out), k, c, y, x, j;
	const float	*s;
	float		*w, *tmp, *d, acc;

	if ((w = mem_alloc(((size_t)out * wmax + (size_t)in * out) *
	    sizeof *w)) == NULL)
		return error_set(cause, "out of memory resizing frames");
	tmp = w + (size_t)out * wmax;
	data_aedat_taps(in, out, wmax, first, count, w);
	for (k = 0; k < T; k++) {
		for (c = 0; c < 2; c++) {
			s = src + ((size_t)k * 2 + (size_t)c) * in * in;
			d = dst + (size_t)k * t_stride + (size_t)c * out * out;
			for (y = 0; y < in; y++)
				for (x = 0; x < out; x++) {
					acc = 0;
					for (j = 0; j < count[x]; j++)
						acc += w[x * wmax + j] *
						    s[y * in + first[x] + j];
					tmp[y * out + x] = acc;
				}
			for (y = 0; y < out; y++)
				for (x = 0; x < out; x++) {
					acc = 0;
					for (j = 0; j < count[y]; j++)
						acc += w[y * wmax + j] *
						    tmp[(first[y] + j) * out +
						    x];
					d[y * out + x] = acc;
				}
		}
	}
	mem_free(w);
	return 0;
}

/*
 * Fills sample i: the recording integrated at the sensor size, then
 * resized to the data set's size when that is smaller.
 */
static int
data_aedat_fill(const struct dataset *ds, size_t i, float *out,
    size_t t_stride, char **cause)
{
	const struct eventset	*es = ds->src;
	uint64_t		 lo = es->off[i], hi = es->off[i + 1];
	size_t			 fsize = 2 * (size_t)es->height * es->width;
	float			*full = out;
	char			*why = NULL;
	int			 rc = 0;

	if (ds->width != es->width &&
	    (full = mem_alloc((size_t)ds->T * fsize * sizeof *full)) == NULL)
		return error_set(cause, "recording %zu: out of memory", i);
	if (data_frames_integrate(full, full == out ? t_stride : fsize,
	    es->t + lo, es->xyp + lo, (size_t)(hi - lo), es->height,
	    es->width, ds->opts, &why) != 0) {
		error_set(cause, "recording %zu (id %u, class %u): %s", i,
		    (unsigned)es->id[i], (unsigned)es->label[i],
		    why != NULL ? why : "out of memory");
		free(why);
		if (full != out)
			mem_free(full);
		return -1;
	}
	if (full != out) {
		rc = data_aedat_resize(full, ds->T, es->width, out, t_stride,
		    ds->width, cause);
		mem_free(full);
	}
	return rc;
}

/*
 * Makes ds serve the recordings of es (128 x 128) as frames made with o
 * and resized to size x size (1 to 128). es and o must outlive ds.
 */
int
data_aedat_dataset(struct dataset *ds, const struct eventset *es,
    const struct frames_opts *o, int size, char **cause)
{
	if (size < 1 || size > es->width || es->width != es->height)
		return error_set(cause, "CIFAR10-DVS: size %d: want 1 to %d",
		    size, es->width);
	if (data_loader_eventset(ds, es, o, cause) != 0)
		return -1;
	ds->height = ds->width = size;
	ds->fill = data_aedat_fill;
	return 0;
}
