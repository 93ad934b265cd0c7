/*
 * data-cache.c: loaded splits cached as binary files under
 * $XDG_CACHE_HOME/snnwb (or ~/.cache/snnwb), so that a split of 60,000
 * recordings loads with one sequential read.
 *
 * A cache file belongs to one machine and is in its byte order: a 72-byte
 * header, then the arrays off, label, id, t and xyp of the eventset.
 *
 *	offset	size	field
 *	0	8	magic "snnwbEVS"
 *	8	4	version (2)
 *	12	4	byte-order mark 0x01020304
 *	16	8	key: a hash of what the split was read from
 *	24	8	recordings n
 *	32	8	events
 *	40	4	width
 *	44	4	height
 *	48	8	recordings with backwards timestamps
 *	56	8	backwards events
 *	64	4	crc32 of bytes 0..63 and of all the arrays
 *	68	4	zero
 *
 * The file's name comes from the source folder and split; a file whose key
 * differs is stale and gets rewritten. Writing goes to a temporary file
 * renamed into place (file_write_atomic), so a reader never sees half a
 * cache.
 */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "data.h"

#define DATA_CACHE_MAGIC	"snnwbEVS"
#define DATA_CACHE_VERSION	2u	/* 2: xyp packs 7-bit x and y */
#define DATA_CACHE_ORDER	0x01020304u
#define DATA_CACHE_HEADER	72
#define DATA_CACHE_CRCAT	64
#define DATA_CACHE_MAXN		(1ull << 32)	/* recordings */
#define DATA_CACHE_MAXEVENTS	(1ull << 48)
#define DATA_CACHE_NARRAYS	5

/* Adds len bytes at p to the 64-bit FNV-1a hash h (DATA_CACHE_HASH_INIT). */
uint64_t
data_cache_hash(uint64_t h, const void *p, size_t len)
{
	const uint8_t	*b = p;

	while (len-- > 0) {
		h ^= *b++;
		h *= 0x100000001b3ull;
	}
	return h;
}

/*
 * Stores in *path (mem_free) the cache file for a split of kind read from
 * the absolute folder root: $XDG_CACHE_HOME/snnwb/KIND-HASH.cache, or
 * $HOME/.cache/snnwb/... when XDG_CACHE_HOME is unset or relative.
 */
int
data_cache_path(const char *kind, const char *root, const char *split,
    char **path, char **cause)
{
	const char	*xdg = getenv("XDG_CACHE_HOME");
	const char	*home = getenv("HOME");
	const char	*base, *sub;
	uint64_t	 h = DATA_CACHE_HASH_INIT;
	int		 len;

	*path = NULL;
	if (xdg != NULL && xdg[0] == '/') {
		base = xdg;
		sub = "snnwb";
	} else if (home != NULL && home[0] == '/') {
		base = home;
		sub = ".cache/snnwb";
	} else
		return error_set(cause, "no cache folder: neither "
		    "XDG_CACHE_HOME nor HOME is an absolute path");
	h = data_cache_hash(h, root, strlen(root) + 1);
	h = data_cache_hash(h, split, strlen(split) + 1);
	len = snprintf(NULL, 0, "%s/%s/%s-%016llx.cache", base, sub, kind,
	    (unsigned long long)h);
	if ((*path = mem_alloc((size_t)len + 1)) == NULL)
		return error_set(cause, "out of memory for the cache path");
	snprintf(*path, (size_t)len + 1, "%s/%s/%s-%016llx.cache", base, sub,
	    kind, (unsigned long long)h);
	return 0;
}

/* Adds len bytes at p to a zlib crc32, in pieces zlib's length type holds. */
static uint32_t
data_cache_crc(uint32_t crc, const void *p, size_t len)
{
	const uint8_t	*b = p;
	size_t		 chunk;

	while (len > 0) {
		chunk = len < UINT_MAX ? len : UINT_MAX;
		crc = (uint32_t)crc32(crc, b, (uInt)chunk);
		b += chunk;
		len -= chunk;
	}
	return crc;
}

/* Lists the arrays of es with their sizes in bytes, in file order. */
static void
data_cache_arrays(const struct eventset *es, void **p, size_t *len)
{
	size_t	events = (size_t)es->off[es->n];

	p[0] = es->off;
	len[0] = (es->n + 1) * sizeof *es->off;
	p[1] = es->label;
	len[1] = es->n * sizeof *es->label;
	p[2] = es->id;
	len[2] = es->n * sizeof *es->id;
	p[3] = es->t;
	len[3] = events * sizeof *es->t;
	p[4] = es->xyp;
	len[4] = events * sizeof *es->xyp;
}

/* Reads a native 32-bit value at byte at of the header h. */
static uint32_t
data_cache_get32(const uint8_t *h, size_t at)
{
	uint32_t	v;

	memcpy(&v, h + at, sizeof v);
	return v;
}

/* Reads a native 64-bit value at byte at of the header h. */
static uint64_t
data_cache_get64(const uint8_t *h, size_t at)
{
	uint64_t	v;

	memcpy(&v, h + at, sizeof v);
	return v;
}

/* Writes a native 32-bit value at byte at of the header h. */
static void
data_cache_put32(uint8_t *h, size_t at, uint32_t v)
{
	memcpy(h + at, &v, sizeof v);
}

/* Writes a native 64-bit value at byte at of the header h. */
static void
data_cache_put64(uint8_t *h, size_t at, uint64_t v)
{
	memcpy(h + at, &v, sizeof v);
}

/*
 * Checks what the consumers of es rely on: offsets that start at 0, never
 * decrease and end at events, labels 0..9, and coordinates inside the
 * frame.
 */
static int
data_cache_check(const char *path, const struct eventset *es,
    uint64_t events, char **cause)
{
	uint64_t	e;
	size_t		i;

	if (es->off[0] != 0 || es->off[es->n] != events)
		return error_set(cause, "cache %s: offsets %llu to %llu, want "
		    "0 to %llu", path, (unsigned long long)es->off[0],
		    (unsigned long long)es->off[es->n],
		    (unsigned long long)events);
	for (i = 0; i < es->n; i++) {
		if (es->off[i + 1] < es->off[i] || es->off[i + 1] > events)
			return error_set(cause, "cache %s: bad offset of "
			    "recording %zu", path, i + 1);
		if (es->label[i] > 9)
			return error_set(cause, "cache %s: recording %zu: "
			    "label %u", path, i, es->label[i]);
	}
	for (e = 0; e < events; e++)
		if (EVENTSET_X(es->xyp[e]) >= es->width ||
		    EVENTSET_Y(es->xyp[e]) >= es->height)
			return error_set(cause, "cache %s: event %llu outside "
			    "the %dx%d frame", path, (unsigned long long)e,
			    es->width, es->height);
	return 0;
}

/* Removes the temporary files that killed processes left beside path. */
static void
data_cache_clean(const char *path)
{
	char	*dir;

	if ((dir = file_dir(path)) == NULL)
		return;
	file_clean_stale(dir);
	free(dir);
}

/*
 * Reads the cache file at path into es (freed with data_nmnist_free) when
 * it holds key, and fills the counts of st. Otherwise returns -1 with es
 * empty, st->cache saying why (absent, stale or damaged) and a message.
 * The temporary files that killed processes left in the cache folder are
 * removed first.
 */
int
data_cache_read(const char *path, uint64_t key, struct eventset *es,
    struct data_nmnist_stats *st, char **cause)
{
	uint8_t		 h[DATA_CACHE_HEADER];
	void		*p[DATA_CACHE_NARRAYS];
	size_t		 len[DATA_CACHE_NARRAYS], size;
	uint64_t	 n, events, want;
	uint32_t	 width, height, crc;
	char		*msg = NULL;
	FILE		*f;
	int		 fd, i;

	memset(es, 0, sizeof *es);
	data_cache_clean(path);
	st->cache = DATA_CACHE_ABSENT;
	if (!file_exists(path))
		return error_set(cause, "cache %s: no such file", path);
	st->cache = DATA_CACHE_DAMAGED;
	if ((fd = file_open_regular(path, &size, &msg)) == -1) {
		error_set(cause, "cache %s", msg);
		free(msg);
		return -1;
	}
	if ((f = fdopen(fd, "rb")) == NULL) {
		error_set(cause, "cache %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (fread(h, 1, sizeof h, f) != sizeof h ||
	    memcmp(h, DATA_CACHE_MAGIC, 8) != 0) {
		error_set(cause, "cache %s: not a snnwb cache file (no magic "
		    "\"%s\" in its first bytes)", path, DATA_CACHE_MAGIC);
		goto fail;
	}
	if (data_cache_get32(h, 8) != DATA_CACHE_VERSION ||
	    data_cache_get32(h, 12) != DATA_CACHE_ORDER ||
	    data_cache_get64(h, 16) != key) {
		st->cache = DATA_CACHE_STALE;
		error_set(cause, "cache %s: stale (written by another version "
		    "or machine, or the sources changed)", path);
		goto fail;
	}
	n = data_cache_get64(h, 24);
	events = data_cache_get64(h, 32);
	width = data_cache_get32(h, 40);
	height = data_cache_get32(h, 44);
	if (n >= DATA_CACHE_MAXN || events >= DATA_CACHE_MAXEVENTS ||
	    width < 1 || width > EVENTSET_MAXSIDE || height < 1 ||
	    height > EVENTSET_MAXSIDE) {
		error_set(cause, "cache %s: impossible header (%llu "
		    "recordings, %llu events, %ux%u)", path,
		    (unsigned long long)n, (unsigned long long)events, width,
		    height);
		goto fail;
	}
	want = DATA_CACHE_HEADER + (n + 1) * 8 + n * 5 + events * 6;
	if ((uint64_t)size != want) {
		error_set(cause, "cache %s: %zu bytes, the header needs %llu",
		    path, size, (unsigned long long)want);
		goto fail;
	}
	if (data_nmnist_alloc(es, (size_t)n, events, cause) != 0)
		goto fail;
	es->width = (int)width;
	es->height = (int)height;
	data_cache_arrays(es, p, len);
	crc = data_cache_crc((uint32_t)crc32(0, NULL, 0), h,
	    DATA_CACHE_CRCAT);
	for (i = 0; i < DATA_CACHE_NARRAYS; i++) {
		if (fread(p[i], 1, len[i], f) != len[i]) {
			error_set(cause, "cache %s: short read", path);
			goto fail;
		}
		crc = data_cache_crc(crc, p[i], len[i]);
	}
	if (crc != data_cache_get32(h, DATA_CACHE_CRCAT)) {
		error_set(cause, "cache %s: checksum mismatch (damaged)",
		    path);
		goto fail;
	}
	if (data_cache_check(path, es, events, cause) != 0)
		goto fail;
	fclose(f);
	st->cache = DATA_CACHE_HIT;
	st->files = es->n;
	st->events = events;
	st->backwards_files = (size_t)data_cache_get64(h, 48);
	st->backwards_events = data_cache_get64(h, 56);
	return 0;
fail:
	fclose(f);
	data_nmnist_free(es);
	return -1;
}

/* The bytes of a cache file: its header and its arrays. */
struct data_cache_out {
	const uint8_t	*h;
	void		*p[DATA_CACHE_NARRAYS];
	size_t		 len[DATA_CACHE_NARRAYS];
};

/* Writes a struct data_cache_out to f (for file_write_atomic). */
static int
data_cache_put(FILE *f, void *arg)
{
	const struct data_cache_out	*o = arg;
	int				 i;

	if (fwrite(o->h, 1, DATA_CACHE_HEADER, f) != DATA_CACHE_HEADER)
		return -1;
	for (i = 0; i < DATA_CACHE_NARRAYS; i++)
		if (fwrite(o->p[i], 1, o->len[i], f) != o->len[i])
			return -1;
	return 0;
}

/*
 * Writes es under key, with the counts of st, to the cache file path
 * atomically (file_write_atomic), creating its folder (mode 0700); on
 * failure nothing is left. (data_cache_read, called first, removed the
 * temporary files that killed processes left there.)
 */
int
data_cache_write(const char *path, uint64_t key, const struct eventset *es,
    const struct data_nmnist_stats *st, char **cause)
{
	struct data_cache_out	 o;
	uint8_t			 h[DATA_CACHE_HEADER];
	uint32_t		 crc;
	char			*dir;
	int			 i, rc;

	if ((dir = file_dir(path)) == NULL)
		return error_set(cause, "out of memory for the cache path");
	rc = file_mkdirs(dir, 0700, cause);
	free(dir);
	if (rc != 0)
		return -1;
	memset(h, 0, sizeof h);
	memcpy(h, DATA_CACHE_MAGIC, 8);
	data_cache_put32(h, 8, DATA_CACHE_VERSION);
	data_cache_put32(h, 12, DATA_CACHE_ORDER);
	data_cache_put64(h, 16, key);
	data_cache_put64(h, 24, es->n);
	data_cache_put64(h, 32, es->off[es->n]);
	data_cache_put32(h, 40, (uint32_t)es->width);
	data_cache_put32(h, 44, (uint32_t)es->height);
	data_cache_put64(h, 48, st->backwards_files);
	data_cache_put64(h, 56, st->backwards_events);
	data_cache_arrays(es, o.p, o.len);
	crc = data_cache_crc((uint32_t)crc32(0, NULL, 0), h,
	    DATA_CACHE_CRCAT);
	for (i = 0; i < DATA_CACHE_NARRAYS; i++)
		crc = data_cache_crc(crc, o.p[i], o.len[i]);
	data_cache_put32(h, DATA_CACHE_CRCAT, crc);
	o.h = h;
	return file_write_atomic(path, data_cache_put, &o, cause);
}

/*
 * Loads the event set of a split through the cache: desc names the split
 * and its settings under kind (the cache's folder) for root, key
 * fingerprints its files; on a hit the cache's copy, else fill(arg, out,
 * stats, cause) reads the files and the cache is written after. no_cache
 * (or $SNNWB_NO_CACHE) leaves the cache alone; progress (may be NULL)
 * hears of the nfiles at once on a hit. A cache that cannot be used is a
 * warning in stats, never an error.
 */
int
data_cache_load(const char *kind, const char *root, const char *desc,
    uint64_t key, int no_cache, size_t nfiles,
    void (*progress)(size_t, size_t, void *), void *parg,
    data_cache_fill_fn fill, void *arg, struct eventset *out,
    struct data_nmnist_stats *stats, char **cause)
{
	const char	*env = getenv("SNNWB_NO_CACHE");
	char		*cpath = NULL, *msg = NULL;
	int		 rc = -1;

	if (!no_cache && (env == NULL || *env == '\0') &&
	    data_cache_path(kind, root, desc, &cpath, &msg) != 0)
		stats->warning = msg;
	if (cpath != NULL) {
		if (data_cache_read(cpath, key, out, stats, &msg) == 0) {
			if (progress != NULL)
				progress(nfiles, nfiles, parg);
			rc = 0;
			goto out;
		}
		if (stats->cache == DATA_CACHE_DAMAGED)
			stats->warning = msg;
		else
			free(msg);
	}
	if (fill(arg, out, stats, cause) != 0) {
		data_nmnist_free(out);
		goto out;
	}
	stats->files = out->n;
	stats->events = out->off[out->n];
	if (cpath != NULL && data_cache_write(cpath, key, out, stats,
	    &msg) != 0) {
		if (stats->warning == NULL)
			stats->warning = msg;
		else
			free(msg);
	}
	rc = 0;
out:
	mem_free(cpath);
	return rc;
}
