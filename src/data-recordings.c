/*
 * data-recordings.c: what the readers of event-camera data sets share
 * (N-MNIST in data-nmnist.c, CIFAR10-DVS in data-aedat.c): reading a file
 * whole, writing events after a header, the list of recordings found on
 * disk, and loading a whole split of them into a struct eventset through
 * the cache. A format brings its scan and split rules and its decoder in
 * a struct data_recordings_format; the decoder is called once a file.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data.h"

#define DATA_RECORDINGS_PROGRESS	1000	/* files between reports */

/*
 * Reads the whole regular file at path into *buf, which is grown with
 * mem_realloc (its capacity kept in *cap) and stays owned by the caller,
 * and stores the length in *len.
 */
int
data_recordings_slurp(const char *path, uint8_t **buf, size_t *cap,
    size_t *len, char **cause)
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
 * Writes hlen bytes of header, then the n events of ev to path, encode
 * turning a run of them into size bytes an event; after a failure path
 * is removed.
 */
int
data_recordings_write(const char *path, const void *header, size_t hlen,
    const struct event *ev, size_t n, size_t size,
    void (*encode)(const struct event *, size_t, uint8_t *), char **cause)
{
	uint8_t	 buf[4096];
	size_t	 i, run, most = sizeof buf / size;
	FILE	*f;

	if ((f = fopen(path, "wb")) == NULL)
		return error_set(cause, "%s: %s", path, strerror(errno));
	if (hlen > 0 && fwrite(header, 1, hlen, f) != hlen)
		goto fail;
	for (i = 0; i < n; i += run) {
		run = n - i < most ? n - i : most;
		encode(ev + i, run, buf);
		if (fwrite(buf, 1, run * size, f) != run * size)
			goto fail;
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

/* Frees the paths of list and the list itself, leaving it empty. */
void
data_recordings_free(struct data_recordings *list)
{
	size_t	i;

	for (i = 0; i < list->n; i++)
		mem_free(list->v[i].path);
	mem_free(list->v);
	memset(list, 0, sizeof *list);
}

/*
 * Adds the file dir/name to list with label and id, and its size and
 * mtime; it must be a regular file or a link to one.
 */
static int
data_recordings_add(struct data_recordings *list, const char *dir,
    const char *name, uint8_t label, uint32_t id, char **cause)
{
	struct data_recording	*r, *grown;
	struct stat		 sb;
	size_t			 cap, len = strlen(dir) + 1 + strlen(name) + 1;
	char			*path;
	int			 bad;

	if ((path = mem_alloc(len)) == NULL)
		return error_set(cause, "%s: out of memory", dir);
	snprintf(path, len, "%s/%s", dir, name);
	bad = stat(path, &sb) != 0;
	if (bad || !S_ISREG(sb.st_mode)) {
		error_set(cause, "%s: %s", path, bad ? strerror(errno) :
		    "not a regular file");
		mem_free(path);
		return -1;
	}
	if (list->n == list->cap) {
		cap = list->cap == 0 ? 1024 : 2 * list->cap;
		if ((grown = mem_realloc(list->v, cap * sizeof *grown)) ==
		    NULL) {
			mem_free(path);
			return error_set(cause, "%s: out of memory", dir);
		}
		list->v = grown;
		list->cap = cap;
	}
	r = &list->v[list->n++];
	r->path = path;
	r->name = path + strlen(dir) + 1;
	r->label = label;
	r->id = id;
	r->size = (uint64_t)sb.st_size;
	r->mtime_sec = (int64_t)sb.st_mtim.tv_sec;
	r->mtime_nsec = (int64_t)sb.st_mtim.tv_nsec;
	return 0;
}

/*
 * Adds to list (label) the files of folder dir whose names end in suffix,
 * hidden ones left out, in the order readdir gives them; number gives
 * each one's id from its name and its place among them, or refuses it
 * with a message. A missing folder adds nothing.
 */
int
data_recordings_scan(struct data_recordings *list, const char *dir,
    const char *suffix, uint8_t label, data_recordings_number_fn number,
    char **cause)
{
	struct dirent	*de;
	DIR		*d;
	size_t		 len, slen = strlen(suffix), first = list->n;
	uint32_t	 id;

	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return 0;
		return error_set(cause, "%s: %s", dir, strerror(errno));
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < slen ||
		    strcmp(de->d_name + len - slen, suffix) != 0)
			continue;
		if (number(dir, de->d_name, list->n - first, &id,
		    cause) != 0 || data_recordings_add(list, dir, de->d_name,
		    label, id, cause) != 0) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return 0;
}

/* Orders recordings by label, then name (strcmp, Python's str order). */
static int
data_recordings_cmp(const void *a, const void *b)
{
	const struct data_recording	*ra = a, *rb = b;

	if (ra->label != rb->label)
		return ra->label < rb->label ? -1 : 1;
	return strcmp(ra->name, rb->name);
}

/* Orders recordings by label, then id, then name. */
static int
data_recordings_cmp_id(const void *a, const void *b)
{
	const struct data_recording	*ra = a, *rb = b;

	if (ra->label == rb->label && ra->id != rb->id)
		return ra->id < rb->id ? -1 : 1;
	return data_recordings_cmp(a, b);
}

/* Sorts list by label, then by id when by_id is set, then by name. */
void
data_recordings_sort(struct data_recordings *list, int by_id)
{
	qsort(list->v, list->n, sizeof *list->v, by_id ?
	    data_recordings_cmp_id : data_recordings_cmp);
}

/*
 * The cache key of a split: the format's version, the absolute root, the
 * description of the split, and the label, id, name, size and mtime of
 * every recording in it.
 */
static uint64_t
data_recordings_key(const char *version, const char *root, const char *desc,
    const struct data_recordings *list)
{
	const struct data_recording	*r;
	uint64_t			 h = DATA_CACHE_HASH_INIT;
	size_t				 i;

	h = data_cache_hash(h, version, strlen(version) + 1);
	h = data_cache_hash(h, root, strlen(root) + 1);
	h = data_cache_hash(h, desc, strlen(desc) + 1);
	for (i = 0; i < list->n; i++) {
		r = &list->v[i];
		h = data_cache_hash(h, &r->label, sizeof r->label);
		h = data_cache_hash(h, &r->id, sizeof r->id);
		h = data_cache_hash(h, r->name, strlen(r->name) + 1);
		h = data_cache_hash(h, &r->size, sizeof r->size);
		h = data_cache_hash(h, &r->mtime_sec, sizeof r->mtime_sec);
		h = data_cache_hash(h, &r->mtime_nsec, sizeof r->mtime_nsec);
	}
	return h;
}

/* What data_recordings_fill reads: the format, the files, the options. */
struct data_recordings_fill {
	const struct data_recordings_format	*fmt;
	const struct data_recordings		*list;
	const struct data_nmnist_options	*opt;
};

/*
 * Reads every recording of a split into out (allocated here) with the
 * format's decoder, and counts the backwards timestamps in st; this is
 * the fill of data_cache_load.
 */
static int
data_recordings_fill(void *arg, struct eventset *out,
    struct data_nmnist_stats *st, char **cause)
{
	const struct data_recordings_fill	*fill = arg;
	const struct data_recordings		*list = fill->list;
	const struct data_nmnist_options	*opt = fill->opt;
	const struct data_recording		*r;
	uint8_t					*buf = NULL;
	uint64_t				 room = 0, o;
	size_t					 i, len, n, back, cap = 0;
	int					 rc = -1;

	for (i = 0; i < list->n; i++)
		room += list->v[i].size / fill->fmt->event_bytes;
	if (data_nmnist_alloc(out, list->n, room, cause) != 0)
		return -1;
	out->width = out->height = fill->fmt->side;
	for (i = 0, o = 0; i < list->n; i++) {
		r = &list->v[i];
		if (data_recordings_slurp(r->path, &buf, &cap, &len,
		    cause) != 0)
			goto out;
		if (len != r->size) {
			error_set(cause, "%s: changed while loading (%zu "
			    "bytes, %llu before)", r->path, len,
			    (unsigned long long)r->size);
			goto out;
		}
		if (fill->fmt->decode(buf, len, r->path, out->t + o,
		    out->xyp + o, &n, &back, cause) != 0)
			goto out;
		o += n;
		out->off[i + 1] = o;
		out->label[i] = r->label;
		out->id[i] = r->id;
		if (back != 0) {
			st->backwards_files++;
			st->backwards_events += back;
		}
		if (opt->progress != NULL && ((i + 1) %
		    DATA_RECORDINGS_PROGRESS == 0 || i + 1 == list->n))
			opt->progress(i + 1, list->n, opt->arg);
	}
	rc = 0;
out:
	mem_free(buf);
	return rc;
}

/*
 * Loads the split that fmt's find picks with arg under the data set
 * folder root into out, through the cache unless opt->no_cache or a
 * non-empty SNNWB_NO_CACHE turns it off. stats (may be NULL) gets the
 * counts and, after a success where the cache could not be used, a
 * warning the caller frees. out is freed with data_nmnist_free.
 */
int
data_recordings_load(const struct data_recordings_format *fmt,
    const char *root, const void *arg, const struct data_nmnist_options *opt,
    struct eventset *out, struct data_nmnist_stats *stats, char **cause)
{
	struct data_nmnist_stats	 local;
	struct data_recordings		 list = { NULL, 0, 0 };
	struct data_recordings_fill	 fill;
	char				*real, desc[128];
	int				 rc = -1;

	memset(out, 0, sizeof *out);
	if (stats == NULL)
		stats = &local;
	memset(stats, 0, sizeof *stats);
	if (fmt->check != NULL && fmt->check(arg, cause) != 0)
		return -1;
	if ((real = realpath(root, NULL)) == NULL)
		return error_set(cause, "%s: %s", root, strerror(errno));
	if (fmt->find(real, arg, &list, desc, sizeof desc, cause) != 0)
		goto out;
	fill.fmt = fmt;
	fill.list = &list;
	fill.opt = opt;
	rc = data_cache_load(fmt->kind, real, desc, data_recordings_key(
	    fmt->version, real, desc, &list), opt->no_cache, list.n,
	    opt->progress, opt->arg, data_recordings_fill, &fill, out, stats,
	    cause);
out:
	if (stats == &local || rc != 0) {
		free(stats->warning);
		stats->warning = NULL;
	}
	data_recordings_free(&list);
	free(real);
	return rc;
}
