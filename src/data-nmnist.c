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

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "data.h"

#define DATA_NMNIST_KEY		"snnwb nmnist split 1"

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
	if (data_recordings_slurp(path, &r->buf, &r->cap, &len, cause) != 0)
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

/* Encodes n events in the 40-bit format at out, for data_recordings_write. */
static void
data_nmnist_encode(const struct event *ev, size_t n, uint8_t *out)
{
	uint8_t	*b;
	size_t	 i;

	for (i = 0; i < n; i++) {
		b = out + 5 * i;
		b[0] = ev[i].x;
		b[1] = ev[i].y;
		b[2] = (uint8_t)(ev[i].p << 7 | ev[i].t >> 16);
		b[3] = (uint8_t)(ev[i].t >> 8);
		b[4] = (uint8_t)ev[i].t;
	}
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
	size_t	i;

	for (i = 0; i < n; i++) {
		if (ev[i].t > NMNIST_TMAX)
			return error_set(cause, "%s: event %zu: timestamp %u "
			    "does not fit 23 bits (at most %u us)", path, i,
			    ev[i].t, NMNIST_TMAX);
		if (ev[i].p > 1)
			return error_set(cause, "%s: event %zu: polarity %u "
			    "is not 0 or 1", path, i, ev[i].p);
	}
	return data_recordings_write(path, NULL, 0, ev, n, 5,
	    data_nmnist_encode, cause);
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

/*
 * Takes the recording number out of a name like "00042.bin" (in folder
 * dir) into *id, for data_recordings_scan; a name that is not digits
 * followed by ".bin" is refused.
 */
static int
data_nmnist_number(const char *dir, const char *name, size_t index,
    uint32_t *id, char **cause)
{
	uint64_t	v = 0;
	const char	*p;

	for (p = name; *p >= '0' && *p <= '9' && v <= UINT32_MAX; p++)
		v = v * 10 + (uint64_t)(*p - '0');
	if (p == name || v > UINT32_MAX || strcmp(p, ".bin") != 0)
		return error_set(cause, "%s/%s: a recording's name must be "
		    "its number, like 00042.bin", dir, name);
	*id = (uint32_t)v;
	return 0;
}

/* Returns nonzero when path names a folder (or a link to one). */
static int
data_nmnist_isdir(const char *path)
{
	struct stat	sb;

	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/*
 * Finds the split folder (arg, "train" or "test") under root, the official
 * layout, then SpikingJelly's extract/, and lists its recordings into list
 * sorted by (label, number); desc gets the split.
 */
static int
data_nmnist_find(const char *root, const void *arg,
    struct data_recordings *list, char *desc, size_t descsize, char **cause)
{
	const char	*split = arg, *sub;
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
		if (data_recordings_scan(list, path, ".bin", (uint8_t)digit,
		    data_nmnist_number, cause) != 0)
			return -1;
	}
	path[len] = '\0';
	if (list->n == 0)
		return error_set(cause, "%s: no recordings (<number>.bin in "
		    "folders 0 to 9)", path);
	data_recordings_sort(list, 1);
	snprintf(desc, descsize, "%s", split);
	return 0;
}

/*
 * Decodes one recording for data_recordings_load: data_nmnist_parse, and
 * *n = len / 5 events.
 */
static int
data_nmnist_decode(const uint8_t *buf, size_t len, const char *name,
    uint32_t *t, uint16_t *xyp, size_t *n, size_t *backwards, char **cause)
{
	*n = 0;
	if (data_nmnist_parse(buf, len, name, t, xyp, backwards, cause) != 0)
		return -1;
	*n = len / 5;
	return 0;
}

/* N-MNIST as data_recordings_load reads it. */
static const struct data_recordings_format data_nmnist_format = {
	"nmnist", DATA_NMNIST_KEY, 5, NMNIST_SIDE, NULL, data_nmnist_find,
	data_nmnist_decode
};

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
	static const struct data_nmnist_options	defaults = { 0, NULL, NULL };

	return data_recordings_load(&data_nmnist_format, root, split,
	    opt != NULL ? opt : &defaults, out, stats, cause);
}
