/*
 * test-validate.c: bad input never hangs, crashes or misleads. FIFOs where
 * a checkpoint, a resumed run's checkpoint or a split cache belongs are
 * refused at once (an alarm fails the test instead of hanging it); empty
 * names and directories are named as such; checkpoints are refused for a
 * transposed shape, NaN or infinite weights and out-of-range integers in
 * their description, and load in n log n of their layers; gzip files must
 * end with their CRC-32 and length, and nothing after them, and their
 * messages name the file, not "<fd:3>". Files live in
 * a temporary directory removed at the end.
 */
#include <sys/stat.h>

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "../src/snnwb.h"
#include "tap.h"

/* The temporary directory of this run. */
static char tmpdir[] = "/tmp/snnwb-validate-XXXXXX";

/* Returns the path of name inside the temporary directory (static). */
static const char *
at(const char *name)
{
	static char	path[4][4096];
	static int	next;

	next = (next + 1) % 4;
	snprintf(path[next], sizeof path[next], "%s/%s", tmpdir, name);
	return path[next];
}

/* Writes len bytes of data to path, appending when append is set. */
static void
put_file(const char *path, const void *data, size_t len, int append)
{
	FILE	*fp = fopen(path, append ? "ab" : "wb");

	if (fp == NULL || fwrite(data, 1, len, fp) != len || fclose(fp) != 0)
		diag("cannot write %s", path);
}

/* Appends len bytes of data to path as one gzip member. */
static void
put_gzip(const char *path, const void *data, size_t len)
{
	gzFile	g = gzopen(path, "ab");

	if (g == NULL || gzwrite(g, data, (unsigned)len) != (int)len ||
	    gzclose(g) != Z_OK)
		diag("cannot write %s", path);
}

/* Returns the size of the file at path, or 0. */
static size_t
file_size(const char *path)
{
	struct stat	sb;

	return stat(path, &sb) == 0 ? (size_t)sb.st_size : 0;
}

/* Fails the whole test (a hang is a failure): SIGALRM's action. */
static void
timeout(int sig)
{
	(void)sig;
	write(1, "not ok - timed out: a reader blocked on a FIFO\n", 47);
	_exit(1);
}

/* Passes when cause holds want; frees and clears cause. */
static void
says(int rc, char **cause, const char *want, const char *what)
{
	ok(rc == -1 && *cause != NULL && strstr(*cause, want) != NULL,
	    "%s: %s", what, *cause != NULL ? *cause : "(no error)");
	free(*cause);
	*cause = NULL;
}

/* Sample i of a two-class task of 8 features (for a training run). */
static int
fill_task(const struct dataset *ds, size_t i, float *out, size_t t_stride,
    char **cause)
{
	int	t, f;

	(void)cause;
	for (t = 0; t < ds->T; t++)
		for (f = 0; f < 8; f++)
			out[t * t_stride + f] = (f / 4 == (int)(i % 2)) ? 1 : 0;
	return 0;
}

/* A split's files for data_cache_load: one recording of one event. */
static int
fill_one(void *arg, struct eventset *out, struct data_nmnist_stats *st,
    char **cause)
{
	(void)arg;
	(void)st;
	if (data_nmnist_alloc(out, 1, 1, cause) != 0)
		return -1;
	out->off[0] = 0;
	out->off[1] = 1;
	out->t[0] = 5;
	out->xyp[0] = EVENTSET_PACK(1, 2, 0);
	out->label[0] = 3;
	out->id[0] = 1;
	out->width = out->height = 34;
	return 0;
}

/*
 * FIFOs: snn.load's reader, a resumed run's checkpoint and the split cache
 * refuse one at once, with a message.
 */
static void
test_fifos(void)
{
	struct train_config		 cfg;
	struct dataset			 ds;
	struct data_nmnist_stats	 st;
	struct eventset			 es;
	struct rng			 r;
	struct net			*net;
	uint8_t				 labels[8];
	char				*cause = NULL, *cpath = NULL;
	size_t				 i;
	int				 rc;

	if (mkfifo(at("fifo.safetensors"), 0600) != 0) {
		skip(5, "mkfifo failed");
		return;
	}
	alarm(60);
	net = checkpoint_load(at("fifo.safetensors"), &cause);
	says(net == NULL ? -1 : 0, &cause, "not a regular file",
	    "snn.load's reader refuses a FIFO at once");

	/* A resumed run whose checkpoint is a FIFO. */
	mkdir(at("run"), 0777);
	mkfifo(at("run/checkpoint.safetensors"), 0600);
	for (i = 0; i < 8; i++)
		labels[i] = (uint8_t)(i % 2);
	memset(&ds, 0, sizeof ds);
	ds.n = 8;
	ds.label = labels;
	ds.T = 2;
	ds.channels = ds.height = 1;
	ds.width = 8;
	ds.fill = fill_task;
	net = net_new();
	rng_seed(&r, 1);
	if (net == NULL || net_add_linear(net, 8, 2, 1, &r, NULL) != 0) {
		skip(1, "cannot build a network");
	} else {
		train_defaults(&cfg);
		cfg.net = net;
		cfg.train = &ds;
		cfg.epochs = 1;
		cfg.batch = 4;
		cfg.run_dir = at("run");
		cfg.resume = 1;
		rc = train_run(&cfg, NULL, &cause);
		says(rc, &cause, "checkpoint.safetensors: not a regular file",
		    "resuming from a FIFO checkpoint is refused at once");
	}
	net_free(net);

	/* A FIFO where the split cache belongs is a warning, not a hang. */
	setenv("XDG_CACHE_HOME", at("cache"), 1);
	if (data_cache_path("test", tmpdir, "train", &cpath, &cause) != 0 ||
	    file_mkdirs(at("cache/snnwb"), 0700, &cause) != 0 ||
	    mkfifo(cpath, 0600) != 0) {
		skip(3, "no cache path: %s", cause ? cause : "mkfifo failed");
		free(cause);
		cause = NULL;
	} else {
		memset(&st, 0, sizeof st);
		rc = data_cache_read(cpath, 1, &es, &st, &cause);
		ok(rc == -1 && st.cache == DATA_CACHE_DAMAGED && cause &&
		    strstr(cause, "not a regular file"),
		    "data_cache_read refuses a FIFO at once: %s",
		    cause ? cause : "(no error)");
		free(cause);
		cause = NULL;
		memset(&st, 0, sizeof st);
		rc = data_cache_load("test", tmpdir, "train", 1, 0, 1, NULL,
		    NULL, fill_one, NULL, &es, &st, &cause);
		ok(rc == 0 && es.n == 1 && es.label[0] == 3,
		    "the split loads from its files beside a FIFO cache (%s)",
		    cause ? cause : "ok");
		ok(st.warning != NULL && strstr(st.warning,
		    "not a regular file"), "and warns: %s",
		    st.warning ? st.warning : "(no warning)");
		free(st.warning);
		free(cause);
		cause = NULL;
		data_nmnist_free(&es);
	}
	mem_free(cpath);
	unsetenv("XDG_CACHE_HOME");
	alarm(0);
}

/* An empty name and a directory are named as such by every reader. */
static void
test_names(void)
{
	struct st_file	 f;
	struct idx	 x;
	char		*cause = NULL;

	says(file_open_regular("", NULL, &cause), &cause,
	    "an empty file name", "an empty path");
	says(safetensors_read(tmpdir, &f, &cause), &cause,
	    "a directory, not a regular file", "a directory as a checkpoint");
	says(data_idx_read(tmpdir, &x, &cause), &cause,
	    "a directory, not a regular file", "a directory as an IDX file");
}

/*
 * Writes the safetensors file path: one F32 tensor name of shape rows x
 * cols holding v (rows * cols values) and the description desc.
 */
static void
put_checkpoint(const char *path, const char *desc, const char *name,
    int rows, int cols, float *v)
{
	struct st_tensor	 t;
	struct st_file		 f;
	char			*keys[2] = { "format", "snnwb.net" };
	char			*vals[2] = { "pt", NULL };
	char			*cause = NULL;

	vals[1] = (char *)desc;
	memset(&t, 0, sizeof t);
	t.name = (char *)name;
	t.ndim = 2;
	t.shape[0] = rows;
	t.shape[1] = cols;
	t.data = v;
	memset(&f, 0, sizeof f);
	f.n = 1;
	f.t = &t;
	f.nmeta = 2;
	f.meta_key = keys;
	f.meta_val = vals;
	if (safetensors_write(path, &f, &cause) != 0) {
		diag("%s", cause);
		free(cause);
	}
}

/* Returns the seconds checkpoint_load takes on path (best of two). */
static double
load_seconds(const char *path)
{
	struct timespec	 a, b;
	struct net	*net;
	char		*cause = NULL;
	double		 best = 1e9, s;
	int		 k;

	for (k = 0; k < 2; k++) {
		clock_gettime(CLOCK_MONOTONIC, &a);
		net = checkpoint_load(path, &cause);
		clock_gettime(CLOCK_MONOTONIC, &b);
		if (net == NULL) {
			diag("%s", cause);
			free(cause);
			return NAN;
		}
		net_free(net);
		s = (double)(b.tv_sec - a.tv_sec) + 1e-9 *
		    (double)(b.tv_nsec - a.tv_nsec);
		best = s < best ? s : best;
	}
	return best;
}

/* Saves a network of n linear(1, 1) layers to path. */
static int
put_deep(const char *path, int n)
{
	static const char	*layer = "{\"type\": \"linear\", \"in\": 1, "
				    "\"out\": 1}";
	struct net		*net = NULL;
	char			*desc, *cause = NULL;
	size_t			 len = strlen(layer) + 2, at = 0;
	int			 i, rc = -1;

	if ((desc = malloc(64 + (size_t)n * len)) == NULL)
		return -1;
	at += (size_t)sprintf(desc, "{\"type\": \"sequential\", "
	    "\"layers\": [");
	for (i = 0; i < n; i++)
		at += (size_t)sprintf(desc + at, "%s%s", i > 0 ? ", " : "",
		    layer);
	strcpy(desc + at, "]}");
	if ((net = net_json_build(desc, &cause)) != NULL &&
	    checkpoint_save(path, net, NULL, NULL, &cause) == 0)
		rc = 0;
	else
		diag("%s", cause ? cause : "out of memory");
	free(cause);
	free(desc);
	net_free(net);
	return rc;
}

/*
 * Checkpoints: the exact shape, finite values, integers in range in the
 * description, unique child names, and a load that grows as n log n.
 */
static void
test_checkpoints(void)
{
	static const char	*lin = "{\"type\": \"sequential\", \"layers\": "
				    "[{\"type\": \"linear\", \"in\": 4, "
				    "\"out\": 3, \"bias\": false}]}";
	struct net		*net;
	float			 v[12];
	char			*cause = NULL;
	double			 small, big;
	int			 i;

	for (i = 0; i < 12; i++)
		v[i] = (float)i / 10;
	put_checkpoint(at("good.safetensors"), lin, "0.weight", 3, 4, v);
	net = checkpoint_load(at("good.safetensors"), &cause);
	ok(net != NULL && net->tensor[0].p->data[11] == v[11],
	    "the [3, 4] weight loads (%s)", cause ? cause : "ok");
	net_free(net);
	free(cause);
	cause = NULL;

	put_checkpoint(at("t.safetensors"), lin, "0.weight", 4, 3, v);
	net = checkpoint_load(at("t.safetensors"), &cause);
	says(net == NULL ? -1 : 0, &cause, "tensor \"0.weight\" has shape "
	    "[4, 3], the network needs [3, 4]", "a transposed weight with "
	    "as many values");
	net_free(net);

	v[5] = NAN;
	put_checkpoint(at("nan.safetensors"), lin, "0.weight", 3, 4, v);
	net = checkpoint_load(at("nan.safetensors"), &cause);
	says(net == NULL ? -1 : 0, &cause, "tensor \"0.weight\" holds NaN at "
	    "element 5", "a NaN weight is refused, naming the tensor");
	net_free(net);
	v[5] = -INFINITY;
	put_checkpoint(at("inf.safetensors"), lin, "0.weight", 3, 4, v);
	net = checkpoint_load(at("inf.safetensors"), &cause);
	says(net == NULL ? -1 : 0, &cause, "tensor \"0.weight\" holds an "
	    "infinity at element 5", "an infinite weight is refused");
	net_free(net);
	net = net_json_build(lin, &cause);
	if (net == NULL)
		skip(1, "no network: %s", cause);
	else {
		memcpy(v, net->tensor[0].p->data, sizeof v);
		says(checkpoint_load_state(at("inf.safetensors"), net, 1,
		    &cause), &cause, "holds an infinity",
		    "net:load refuses it too");
		ok(memcmp(v, net->tensor[0].p->data, sizeof v) == 0,
		    "and leaves the network unchanged");
	}
	net_free(net);

	net = net_json_build("{\"type\": \"sequential\", \"layers\": "
	    "[{\"type\": \"linear\", \"in\": 4294967300, \"out\": 3}]}",
	    &cause);
	says(net == NULL ? -1 : 0, &cause, "\"in\" must be an integer in "
	    "1..2147483647", "\"in\": 2^32 + 4 is refused, not read as 4");
	net_free(net);
	net = net_json_build("{\"type\": \"sequential\", \"layers\": "
	    "[{\"type\": \"lif\", \"surrogate\": {\"name\": \"t\", "
	    "\"table\": {\"support\": [-1, 1], \"intervals\": 4294967300}}}"
	    "]}", &cause);
	says(net == NULL ? -1 : 0, &cause, "\"intervals\" is 4294967300, out "
	    "of range", "a surrogate table's 2^32 + 4 intervals");
	net_free(net);
	net = net_json_build("{\"type\": \"sequential\", \"layers\": "
	    "[{\"type\": \"relu\", \"name\": \"a\"}, {\"type\": \"relu\"}, "
	    "{\"type\": \"relu\", \"name\": \"a\"}]}", &cause);
	says(net == NULL ? -1 : 0, &cause, "two children named \"a\"",
	    "two children of one name are still refused");
	net_free(net);
	net = net_json_build("{\"type\": \"sequential\", \"layers\": "
	    "[{\"type\": \"relu\", \"name\": \"1\"}, {\"type\": \"relu\"}]}",
	    &cause);
	says(net == NULL ? -1 : 0, &cause, "two children named \"1\"",
	    "a name that an index takes later too");
	net_free(net);

	/* n log n: 4 times the layers take well under 16 times as long. */
	if (put_deep(at("deep1.safetensors"), 3000) != 0 ||
	    put_deep(at("deep4.safetensors"), 12000) != 0) {
		skip(1, "cannot write the deep networks");
		return;
	}
	small = load_seconds(at("deep1.safetensors"));
	big = load_seconds(at("deep4.safetensors"));
	ok(big < 9 * small, "loading 12000 layers takes %.3f s, 3000 layers "
	    "%.3f s: %.1f times (quadratic: 16)", big, small, big / small);
}

/* Flips the bits of the byte at offset in the file at path. */
static void
flip(const char *path, long offset)
{
	FILE	*fp = fopen(path, "r+b");
	int	 c;

	if (fp == NULL || fseek(fp, offset, SEEK_SET) != 0 ||
	    (c = fgetc(fp)) == EOF || fseek(fp, offset, SEEK_SET) != 0 ||
	    fputc(c ^ 0xff, fp) == EOF || fclose(fp) != 0)
		diag("cannot change %s", path);
}

/*
 * gzip: a whole stream and two members read; a stream cut before or in
 * its trailer, a wrong CRC-32 or length, and bytes after the stream are
 * refused with the file's name and the offset.
 */
static void
test_gzip(void)
{
	uint8_t		 img[8 + 100], *buf = NULL;
	struct idx	 x;
	char		*cause = NULL, want[256];
	size_t		 i, len = 0, size;
	int		 rc;

	img[0] = img[1] = 0;
	img[2] = 8;
	img[3] = 1;
	img[4] = img[5] = img[6] = 0;
	img[7] = 100;
	for (i = 0; i < 100; i++)
		img[8 + i] = (uint8_t)(i * 7);
	put_gzip(at("ok.gz"), img, sizeof img);
	rc = data_idx_read(at("ok.gz"), &x, &cause);
	ok(rc == 0 && x.n == 100 && x.data[99] == (uint8_t)(99 * 7),
	    "a gzip IDX file reads (%s)", cause ? cause : "ok");
	data_idx_free(&x);
	put_gzip(at("two.gz"), img, 50);
	put_gzip(at("two.gz"), img + 50, sizeof img - 50);
	rc = data_idx_read(at("two.gz"), &x, &cause);
	ok(rc == 0 && x.n == 100 && x.data[99] == (uint8_t)(99 * 7),
	    "so does one of two gzip members (%s)", cause ? cause : "ok");
	data_idx_free(&x);

	size = file_size(at("ok.gz"));
	put_gzip(at("cut8.gz"), img, sizeof img);
	if (truncate(at("cut8.gz"), (off_t)size - 8) != 0)
		diag("cannot truncate");
	snprintf(want, sizeof want, "cut8.gz: truncated gzip data: the file "
	    "ends at byte %zu before the stream's end", size - 8);
	says(data_idx_read(at("cut8.gz"), &x, &cause), &cause, want,
	    "a gzip file without its CRC-32 and length");
	put_gzip(at("cut4.gz"), img, sizeof img);
	if (truncate(at("cut4.gz"), (off_t)size - 4) != 0)
		diag("cannot truncate");
	says(data_idx_read(at("cut4.gz"), &x, &cause), &cause,
	    "cut4.gz: truncated gzip data", "one without its length");

	put_gzip(at("crc.gz"), img, sizeof img);
	flip(at("crc.gz"), (long)size - 8);
	says(data_idx_read(at("crc.gz"), &x, &cause), &cause,
	    "crc.gz: damaged gzip data at byte 127: incorrect data check",
	    "a wrong CRC-32");
	put_gzip(at("isize.gz"), img, sizeof img);
	flip(at("isize.gz"), (long)size - 2);
	says(data_idx_read(at("isize.gz"), &x, &cause), &cause,
	    "incorrect length check", "a wrong length (ISIZE)");

	put_gzip(at("junk.gz"), img, sizeof img);
	put_file(at("junk.gz"), "junk", 4, 1);
	snprintf(want, sizeof want, "junk.gz: trailing data after the gzip "
	    "stream at byte %zu", size);
	says(data_idx_read(at("junk.gz"), &x, &cause), &cause, want,
	    "bytes after the stream, with their offset");
	says(data_idx_read_bytes(at("junk.gz"), &buf, &len, &cause), &cause,
	    want, "the same for CIFAR-10's whole-file reader");
	mem_free(buf);
	put_gzip(at("bad2.gz"), img, sizeof img);
	put_file(at("bad2.gz"), "\x1f\x8b\x00\x00", 4, 1);
	says(data_idx_read(at("bad2.gz"), &x, &cause), &cause,
	    "bad2.gz: ", "a second member with a broken header");
	put_file(at("plain"), img, sizeof img, 0);
	rc = data_idx_read(at("plain"), &x, &cause);
	ok(rc == 0 && x.n == 100 && x.data[1] == 7,
	    "a plain IDX file still reads (%s)", cause ? cause : "ok");
	data_idx_free(&x);
	free(cause);
}

int
main(void)
{
	char	cmd[128];

	if (mkdtemp(tmpdir) == NULL)
		skip_all("cannot make a temporary directory");
	signal(SIGALRM, timeout);
	test_fifos();
	test_names();
	test_checkpoints();
	test_gzip();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		diag("cannot remove %s", tmpdir);
	return done_testing();
}
