/*
 * data-nmnist.c: N-MNIST recordings in the original 40-bit event format,
 * and whole splits of them held compactly in a struct eventset.
 *
 * Each event is 5 bytes (Orchard et al. 2015): byte 0 x, byte 1 y, bit 7
 * of byte 2 the polarity (1 ON), and the other 23 bits of bytes 2 to 4 a
 * big-endian timestamp in microseconds. A split is stored as
 * ROOT/Train/<digit>/<id>.bin (the official archive) or, as SpikingJelly
 * leaves it, ROOT/extract/Train/<digit>/<id>.bin; Test likewise.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data.h"

#define DATA_NMNIST_PROGRESS	1000	/* files between reports */
#define DATA_NMNIST_KEY		"snnwb nmnist split 1"

/* One recording found on disk while scanning a split. */
struct data_nmnist_file {
	char		*path;		/* owned, mem_free */
	const char	*name;		/* into path: the file name */
	uint8_t		 label;
	uint32_t	 id;
	uint64_t	 size;
	int64_t		 mtime_sec;
	int64_t		 mtime_nsec;
};

/* The recordings of a split, in a growing array. */
struct data_nmnist_list {
	struct data_nmnist_file	*v;
	size_t			 n;
	size_t			 cap;
};

/*
 * Reads the whole regular file at path into *buf, which is grown with
 * mem_realloc (its capacity kept in *cap) and stays owned by the caller,
 * and stores the length in *len.
 */
int
data_nmnist_slurp(const char *path, uint8_t **buf, size_t *cap, size_t *len,
    char **cause)
{
	uint8_t		*grown;
	size_t		 want;
	ssize_t		 r;
	int		 fd;

	*len = 0;
	if ((fd = file_open_regular(path, &want, cause)) == -1)
		return -1;
	if (*buf == NULL || *cap < want) {
		if ((grown = mem_realloc(*buf, want)) == NULL) {
			error_set(cause, "%s: out of memory for %zu bytes",
			    path, want);
			goto fail;
		}
		*buf = grown;
		*cap = want;
	}
	while (*len < want) {
		r = read(fd, *buf + *len, want - *len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			error_set(cause, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		*len += (size_t)r;
	}
	close(fd);
	return 0;
fail:
	close(fd);
	return -1;
}

/*
 * Reads the recording at path into r->t and r->xyp (r->n events, sorted by
 * time; r->backwards of them went back in time in the file). r starts
 * zeroed and keeps its buffers from file to file; on failure r->n is 0.
 */
int
data_nmnist_read(struct nmnist_reader *r, const char *path, char **cause)
{
	uint32_t	*t;
	uint16_t	*xyp;
	size_t		 len, n;

	r->n = 0;
	r->backwards = 0;
	if (data_nmnist_slurp(path, &r->buf, &r->cap, &len, cause) != 0)
		return -1;
	if ((n = len / 5) > r->evcap) {
		if ((t = mem_realloc(r->t, n * sizeof *t)) != NULL)
			r->t = t;
		if ((xyp = mem_realloc(r->xyp, n * sizeof *xyp)) != NULL)
			r->xyp = xyp;
		if (t == NULL || xyp == NULL)
			return error_set(cause, "%s: out of memory for %zu "
			    "events", path, n);
		r->evcap = n;
	}
	if (data_nmnist_parse(r->buf, len, path, r->t, r->xyp,
	    &r->backwards, cause) != 0)
		return -1;
	r->n = n;
	return 0;
}

/* Frees the buffers of a reader and leaves it zeroed, ready for reuse. */
void
data_nmnist_reader_free(struct nmnist_reader *r)
{
	mem_free(r->buf);
	mem_free(r->t);
	mem_free(r->xyp);
	memset(r, 0, sizeof *r);
}

/*
 * Reads the recording at path into a new array *ev of *n events sorted by
 * time (the caller frees it with mem_free); *backwards (may be NULL) gets
 * the number of events that went back in time in the file.
 */
int
data_nmnist_read_file(const char *path, struct event **ev, size_t *n,
    size_t *backwards, char **cause)
{
	struct nmnist_reader	 r = { 0 };
	int			 rc = -1;

	*ev = NULL;
	*n = 0;
	if (data_nmnist_read(&r, path, cause) != 0)
		goto out;
	if ((*ev = mem_alloc(r.n * sizeof **ev)) == NULL) {
		error_set(cause, "%s: out of memory for %zu events", path,
		    r.n);
		goto out;
	}
	data_nmnist_unpack(r.t, r.xyp, r.n, *ev);
	*n = r.n;
	if (backwards != NULL)
		*backwards = r.backwards;
	rc = 0;
out:
	data_nmnist_reader_free(&r);
	return rc;
}

/*
 * Writes the n events of ev to path in the 40-bit format, in the order
 * given. Timestamps must fit 23 bits and polarities be 0 or 1; nothing is
 * written when an event does not fit.
 */
int
data_nmnist_write_file(const char *path, const struct event *ev, size_t n,
    char **cause)
{
	uint8_t	 buf[5 * 1024], *b;
	size_t	 i, fill = 0;
	FILE	*f;

	for (i = 0; i < n; i++) {
		if (ev[i].t > NMNIST_TMAX)
			return error_set(cause, "%s: event %zu: timestamp %u "
			    "does not fit 23 bits (at most %u us)", path, i,
			    ev[i].t, NMNIST_TMAX);
		if (ev[i].p > 1)
			return error_set(cause, "%s: event %zu: polarity %u "
			    "is not 0 or 1", path, i, ev[i].p);
	}
	if ((f = fopen(path, "wb")) == NULL)
		return error_set(cause, "%s: %s", path, strerror(errno));
	for (i = 0; i < n; i++) {
		b = buf + fill;
		b[0] = ev[i].x;
		b[1] = ev[i].y;
		b[2] = (uint8_t)(ev[i].p << 7 | ev[i].t >> 16);
		b[3] = (uint8_t)(ev[i].t >> 8);
		b[4] = (uint8_t)ev[i].t;
		fill += 5;
		if (fill == sizeof buf || i == n - 1) {
			if (fwrite(buf, 1, fill, f) != fill)
				goto fail;
			fill = 0;
		}
	}
	if (fclose(f) != 0) {
		f = NULL;
		goto fail;
	}
	return 0;
fail:
	error_set(cause, "%s: %s", path, strerror(errno));
	if (f != NULL)
		fclose(f);
	remove(path);
	return -1;
}

/*
 * Allocates the arrays of es for n recordings and events events, off[0]
 * and off[n] set, the rest uninitialised; es is freed with
 * data_nmnist_free, also after a failure here.
 */
int
data_nmnist_alloc(struct eventset *es, size_t n, uint64_t events,
    char **cause)
{
	memset(es, 0, sizeof *es);
	if (n >= SIZE_MAX / sizeof *es->off || events > SIZE_MAX / 4)
		return error_set(cause, "eventset of %zu recordings and %llu "
		    "events is too large", n, (unsigned long long)events);
	es->n = n;
	es->width = NMNIST_SIDE;
	es->height = NMNIST_SIDE;
	es->off = mem_alloc((n + 1) * sizeof *es->off);
	es->label = mem_alloc(n * sizeof *es->label);
	es->id = mem_alloc(n * sizeof *es->id);
	es->t = mem_alloc((size_t)events * sizeof *es->t);
	es->xyp = mem_alloc((size_t)events * sizeof *es->xyp);
	if (es->off == NULL || es->label == NULL || es->id == NULL ||
	    es->t == NULL || es->xyp == NULL)
		return error_set(cause, "out of memory for %zu recordings of "
		    "%llu events in all", n, (unsigned long long)events);
	es->off[0] = 0;
	es->off[n] = events;
	return 0;
}

/* Frees the arrays of es and empties it; an empty es is fine. */
void
data_nmnist_free(struct eventset *es)
{
	mem_free(es->off);
	mem_free(es->label);
	mem_free(es->id);
	mem_free(es->t);
	mem_free(es->xyp);
	memset(es, 0, sizeof *es);
}

/* Frees the paths of list and the list itself. */
static void
data_nmnist_list_free(struct data_nmnist_list *list)
{
	size_t	i;

	for (i = 0; i < list->n; i++)
		mem_free(list->v[i].path);
	mem_free(list->v);
	memset(list, 0, sizeof *list);
}

/* Returns a new string "a/b" (mem_free), or NULL when memory is short. */
static char *
data_nmnist_join(const char *a, const char *b)
{
	size_t	 len = strlen(a) + 1 + strlen(b) + 1;
	char	*s;

	if ((s = mem_alloc(len)) != NULL)
		snprintf(s, len, "%s/%s", a, b);
	return s;
}

/*
 * Takes the recording number out of a name like "00042.bin" into *id;
 * returns -1 when the name is not digits followed by ".bin".
 */
static int
data_nmnist_number(const char *name, uint32_t *id)
{
	uint64_t	v = 0;
	const char	*p;

	for (p = name; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > UINT32_MAX)
			return -1;
	}
	if (p == name || strcmp(p, ".bin") != 0)
		return -1;
	*id = (uint32_t)v;
	return 0;
}

/*
 * Adds the recordings in folder dir (label digit) to list: every *.bin,
 * whose name must be a number; hidden files are skipped. A missing folder
 * adds nothing.
 */
static int
data_nmnist_scan(const char *dir, int digit, struct data_nmnist_list *list,
    char **cause)
{
	struct data_nmnist_file	*f, *grown;
	struct dirent		*de;
	struct stat		 sb;
	DIR			*d;
	char			*path;
	size_t			 len, cap;
	uint32_t		 id;
	int			 bad;

	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return 0;
		return error_set(cause, "%s: %s", dir, strerror(errno));
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 4 ||
		    strcmp(de->d_name + len - 4, ".bin") != 0)
			continue;
		if (data_nmnist_number(de->d_name, &id) != 0) {
			error_set(cause, "%s/%s: a recording's name must be "
			    "its number, like 00042.bin", dir, de->d_name);
			goto fail;
		}
		if ((path = data_nmnist_join(dir, de->d_name)) == NULL) {
			error_set(cause, "%s: out of memory", dir);
			goto fail;
		}
		bad = stat(path, &sb) != 0;
		if (bad || !S_ISREG(sb.st_mode)) {
			error_set(cause, "%s: %s", path, bad ? strerror(errno) :
			    "not a regular file");
			mem_free(path);
			goto fail;
		}
		if (list->n == list->cap) {
			cap = list->cap == 0 ? 1024 : 2 * list->cap;
			grown = mem_realloc(list->v, cap * sizeof *grown);
			if (grown == NULL) {
				error_set(cause, "%s: out of memory", dir);
				mem_free(path);
				goto fail;
			}
			list->v = grown;
			list->cap = cap;
		}
		f = &list->v[list->n++];
		f->path = path;
		f->name = path + strlen(dir) + 1;
		f->label = (uint8_t)digit;
		f->id = id;
		f->size = (uint64_t)sb.st_size;
		f->mtime_sec = (int64_t)sb.st_mtim.tv_sec;
		f->mtime_nsec = (int64_t)sb.st_mtim.tv_nsec;
	}
	closedir(d);
	return 0;
fail:
	closedir(d);
	return -1;
}

/* Orders recordings by label, then number, then name, for qsort. */
static int
data_nmnist_cmp(const void *a, const void *b)
{
	const struct data_nmnist_file	*fa = a, *fb = b;

	if (fa->label != fb->label)
		return fa->label < fb->label ? -1 : 1;
	if (fa->id != fb->id)
		return fa->id < fb->id ? -1 : 1;
	return strcmp(fa->name, fb->name);
}

/* Returns nonzero when path names a folder (or a link to one). */
static int
data_nmnist_isdir(const char *path)
{
	struct stat	sb;

	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/*
 * Finds the split folder under root (official layout, then SpikingJelly's
 * extract/) and lists its recordings into list sorted by (label, number).
 */
static int
data_nmnist_find(const char *root, const char *split,
    struct data_nmnist_list *list, char **cause)
{
	const char	*sub;
	char		 path[PATH_MAX];
	int		 digit, len;

	if (strcmp(split, "train") == 0)
		sub = "Train";
	else if (strcmp(split, "test") == 0)
		sub = "Test";
	else
		return error_set(cause, "N-MNIST split \"%s\": want \"train\" "
		    "or \"test\"", split);
	len = snprintf(path, sizeof path, "%s/%s", root, sub);
	if (len >= (int)sizeof path - 2)
		return error_set(cause, "%s: path too long", root);
	if (!data_nmnist_isdir(path)) {
		len = snprintf(path, sizeof path, "%s/extract/%s", root, sub);
		if (len >= (int)sizeof path - 2 || !data_nmnist_isdir(path))
			return error_set(cause, "no N-MNIST %s split in %s: "
			    "looked for %s/%s and %s/extract/%s", split, root,
			    root, sub, root, sub);
	}
	for (digit = 0; digit < 10; digit++) {
		snprintf(path + len, sizeof path - (size_t)len, "/%d", digit);
		if (data_nmnist_scan(path, digit, list, cause) != 0)
			return -1;
	}
	path[len] = '\0';
	if (list->n == 0)
		return error_set(cause, "%s: no recordings (<number>.bin in "
		    "folders 0 to 9)", path);
	qsort(list->v, list->n, sizeof *list->v, data_nmnist_cmp);
	return 0;
}

/*
 * The cache key of a split: the format version, the absolute root, the
 * split, and the label, number, name, size and mtime of every recording.
 */
static uint64_t
data_nmnist_key(const char *root, const char *split,
    const struct data_nmnist_list *list)
{
	const struct data_nmnist_file	*f;
	uint64_t			 h = DATA_CACHE_HASH_INIT;
	size_t				 i;

	h = data_cache_hash(h, DATA_NMNIST_KEY, sizeof DATA_NMNIST_KEY);
	h = data_cache_hash(h, root, strlen(root) + 1);
	h = data_cache_hash(h, split, strlen(split) + 1);
	for (i = 0; i < list->n; i++) {
		f = &list->v[i];
		h = data_cache_hash(h, &f->label, sizeof f->label);
		h = data_cache_hash(h, &f->id, sizeof f->id);
		h = data_cache_hash(h, f->name, strlen(f->name) + 1);
		h = data_cache_hash(h, &f->size, sizeof f->size);
		h = data_cache_hash(h, &f->mtime_sec, sizeof f->mtime_sec);
		h = data_cache_hash(h, &f->mtime_nsec, sizeof f->mtime_nsec);
	}
	return h;
}

/*
 * Reads every recording of list into out (allocated here) and counts the
 * events and the backwards timestamps in st.
 */
static int
data_nmnist_read_all(const struct data_nmnist_list *list,
    const struct data_nmnist_options *opt, struct eventset *out,
    struct data_nmnist_stats *st, char **cause)
{
	const struct data_nmnist_file	*f;
	uint8_t				*buf = NULL;
	uint64_t			 events = 0, o;
	size_t				 i, len, back, cap = 0;
	int				 rc = -1;

	for (i = 0; i < list->n; i++)
		events += list->v[i].size / 5;
	if (data_nmnist_alloc(out, list->n, events, cause) != 0)
		return -1;
	for (i = 0, o = 0; i < list->n; i++) {
		f = &list->v[i];
		if (data_nmnist_slurp(f->path, &buf, &cap, &len, cause) != 0)
			goto out;
		if (len != f->size) {
			error_set(cause, "%s: changed while loading (%zu "
			    "bytes, %llu before)", f->path, len,
			    (unsigned long long)f->size);
			goto out;
		}
		if (data_nmnist_parse(buf, len, f->path, out->t + o,
		    out->xyp + o, &back, cause) != 0)
			goto out;
		o += len / 5;
		out->off[i + 1] = o;
		out->label[i] = f->label;
		out->id[i] = f->id;
		if (back != 0) {
			st->backwards_files++;
			st->backwards_events += back;
		}
		if (opt->progress != NULL &&
		    ((i + 1) % DATA_NMNIST_PROGRESS == 0 || i + 1 == list->n))
			opt->progress(i + 1, list->n, opt->arg);
	}
	rc = 0;
out:
	mem_free(buf);
	return rc;
}

/* What data_nmnist_fill reads: the split's files and the options. */
struct data_nmnist_fill {
	const struct data_nmnist_list	*list;
	const struct data_nmnist_options *opt;
};

/* Reads the files of a split for data_cache_load. */
static int
data_nmnist_fill(void *arg, struct eventset *out,
    struct data_nmnist_stats *stats, char **cause)
{
	const struct data_nmnist_fill	*f = arg;

	return data_nmnist_read_all(f->list, f->opt, out, stats, cause);
}

/*
 * Loads a whole split ("train" or "test") of the N-MNIST folder root into
 * out, through the cache unless opt or a non-empty SNNWB_NO_CACHE turns it
 * off. stats (may be NULL) gets the counts and, after a success where the
 * cache could not be used, a warning the caller frees. out is freed with
 * data_nmnist_free.
 */
int
data_nmnist_load(const char *root, const char *split,
    const struct data_nmnist_options *opt, struct eventset *out,
    struct data_nmnist_stats *stats, char **cause)
{
	struct data_nmnist_options	 defaults = { 0, NULL, NULL };
	struct data_nmnist_stats	 local;
	struct data_nmnist_list		 list = { NULL, 0, 0 };
	struct data_nmnist_fill		 fill;
	char				*real;
	int				 rc = -1;

	memset(out, 0, sizeof *out);
	if (stats == NULL)
		stats = &local;
	memset(stats, 0, sizeof *stats);
	if (opt == NULL)
		opt = &defaults;
	if ((real = realpath(root, NULL)) == NULL)
		return error_set(cause, "%s: %s", root, strerror(errno));
	if (data_nmnist_find(real, split, &list, cause) != 0)
		goto out;
	fill.list = &list;
	fill.opt = opt;
	rc = data_cache_load("nmnist", real, split, data_nmnist_key(real,
	    split, &list), opt->no_cache, list.n, opt->progress, opt->arg,
	    data_nmnist_fill, &fill, out, stats, cause);
out:
	if (stats == &local || rc != 0) {
		free(stats->warning);
		stats->warning = NULL;
	}
	data_nmnist_list_free(&list);
	free(real);
	return rc;
}
