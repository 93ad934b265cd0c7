/*
 * run.c: a run directory: config.json (everything needed to rerun),
 * metrics.csv (one row per batch and per epoch), checkpoint.safetensors
 * with the optimizer state of its epoch in optimizer-EPOCH.safetensors
 * and the best epoch's weights in best.safetensors (written atomically by
 * checkpoint.c, see train.c), and lock, which the process writing the run
 * holds (flock) and which names its PID. Created with parents as
 * needed. Like a small database, no sequence of crashes may corrupt it:
 * metrics rows are synced before the checkpoint that claims them
 * (run_sync), a resume keeps only rows the checkpoint claims and drops a
 * row that a crash cut off, and the temporary files of dead processes are
 * removed when the directory is opened.
 */
#include <sys/file.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nn.h"

struct run {
	char	*dir;
	char	*metrics_path;
	FILE	*metrics;
	int	 lock;		/* locked descriptor of DIR/lock, or -1 */
	int	 nlayers;	/* spiking layers in the header, or -1 */
	int	 error;		/* errno of the first failed write, or 0 */
	int	 synced;	/* the epoch whose row run_sync wrote, or 0 */
};

/* What a resume reads from the old metrics.csv. */
struct run_trim {
	FILE	*in;
	int	 keep;		/* epochs whose rows are kept */
};

/* Returns "dir/name", allocated; the caller frees it with free(). */
char *
run_path(const struct run *run, const char *name)
{
	return error_printf("%s/%s", run->dir, name);
}

/*
 * Copies from the old metrics file the header and the rows of epochs
 * 1..keep, and stops at a last line without its newline (what a crash
 * cut off, which would otherwise be glued to the next row).
 */
static int
run_trim_copy(FILE *out, void *arg)
{
	struct run_trim	*t = arg;
	char		*line = NULL, kind[16];
	size_t		 size = 0;
	ssize_t		 len;
	int		 epoch, rc = 0;

	while (rc == 0 && (len = getline(&line, &size, t->in)) > 0) {
		if (line[len - 1] != '\n')
			break;
		if (sscanf(line, "%15[a-z],%d,", kind, &epoch) == 2 &&
		    epoch > t->keep)
			continue;
		if (fwrite(line, 1, (size_t)len, out) != (size_t)len)
			rc = -1;
	}
	if (ferror(t->in))
		rc = -1;
	free(line);
	return rc;
}

/*
 * Keeps the header and the complete rows of epochs 1..keep of the metrics
 * file at path (rows of an epoch interrupted before its checkpoint are
 * dropped), rewriting it atomically; a missing file is left missing.
 */
static int
run_trim_metrics(const char *path, int keep, char **cause)
{
	struct run_trim	t;
	int		rc;

	if ((t.in = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return 0;
		return error_set(cause, "cannot read %s: %s", path,
		    strerror(errno));
	}
	t.keep = keep;
	rc = file_write_atomic(path, run_trim_copy, &t, cause);
	fclose(t.in);
	return rc;
}

/*
 * Locks the run directory against a second writer with flock on DIR/lock,
 * which then holds this process's PID; a directory that another process
 * (or another run in this one) holds is refused, naming the holder's PID.
 * The lock lasts until run_close.
 */
static int
run_lock(struct run *run, char **cause)
{
	char	*path, buf[32];
	ssize_t	 n;
	int	 rc = -1;

	if ((path = run_path(run, "lock")) == NULL)
		return error_set(cause, "out of memory");
	run->lock = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0666);
	if (run->lock == -1)
		error_set(cause, "cannot open %s: %s", path, strerror(errno));
	else if (flock(run->lock, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK)
			error_set(cause, "cannot lock %s: %s", path,
			    strerror(errno));
		else {
			n = pread(run->lock, buf, sizeof buf - 1, 0);
			buf[n > 0 ? n : 0] = '\0';
			buf[strspn(buf, "0123456789")] = '\0';
			error_set(cause, "run directory %s is in use by %s%s "
			    "(it holds %s)", run->dir, *buf != '\0' ?
			    "process " : "another process", buf, path);
		}
		close(run->lock);
		run->lock = -1;
	} else {
		snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
		n = (ssize_t)strlen(buf);
		if (ftruncate(run->lock, 0) != 0 ||
		    pwrite(run->lock, buf, (size_t)n, 0) != n)
			error_set(cause, "cannot write %s: %s", path,
			    strerror(errno));
		else
			rc = 0;
	}
	free(path);
	return rc;
}

/*
 * Opens the run directory dir, creating it, locks it (see run_lock) and
 * removes stale temporary files; nothing in it is written until
 * run_start. Returns NULL with *cause set on error.
 */
struct run *
run_open(const char *dir, char **cause)
{
	struct run	*run;

	if (*dir == '\0') {
		error_set(cause, "the run directory name is empty");
		return NULL;
	}
	if ((run = mem_calloc(1, sizeof *run)) == NULL ||
	    (run->dir = mem_strdup(dir)) == NULL ||
	    (run->metrics_path = run_path(run, "metrics.csv")) == NULL) {
		if (run != NULL)
			mem_free(run->dir);
		mem_free(run);
		error_set(cause, "out of memory");
		return NULL;
	}
	run->lock = -1;
	run->nlayers = -1;
	if (file_mkdirs(dir, 0777, cause) != 0 || run_lock(run, cause) != 0) {
		run_close(run);
		return NULL;
	}
	file_clean_stale(dir);
	return run;
}

/*
 * Starts writing the run: config (JSON text) goes to config.json. When
 * resuming after keep_epochs finished epochs (>= 0), metrics.csv keeps
 * those epochs' complete rows and is appended to; with keep_epochs -1 it
 * is started afresh.
 */
int
run_start(struct run *run, const char *config, int keep_epochs,
    char **cause)
{
	char	*path;
	int	 rc;

	if (keep_epochs < -1)
		return error_set(cause, "%s: cannot resume after epoch %d",
		    run->dir, keep_epochs);
	if ((path = run_path(run, "config.json")) == NULL)
		return error_set(cause, "out of memory");
	rc = file_write_text(path, config, cause);
	free(path);
	if (rc != 0 || (keep_epochs >= 0 && run_trim_metrics(
	    run->metrics_path, keep_epochs, cause) != 0))
		return -1;
	if ((run->metrics = fopen(run->metrics_path, keep_epochs >= 0 ? "a" :
	    "w")) == NULL)
		return error_set(cause, "cannot write %s: %s",
		    run->metrics_path, strerror(errno));
	if (ftell(run->metrics) > 0)
		run->nlayers = -2;
	return 0;
}

/*
 * Removes what a resume from epoch keep no longer needs: the optimizer
 * states optimizer-N.safetensors of other epochs (those a crash between
 * two writes left). With keep -1, to replace the run, it removes every
 * optimizer state, the checkpoint and the best epoch's weights. -1 with
 * a message if one stays.
 */
int
run_clear(struct run *run, int keep, char **cause)
{
	struct dirent	*de;
	DIR		*d;
	int		 n, end, rc = 0, state;

	if ((d = opendir(run->dir)) == NULL)
		return error_set(cause, "cannot read %s: %s", run->dir,
		    strerror(errno));
	while (rc == 0 && (de = readdir(d)) != NULL) {
		end = 0;
		state = sscanf(de->d_name, "optimizer-%d.safetensors%n", &n,
		    &end) == 1 && end > 0 && de->d_name[end] == '\0';
		if (state ? n == keep : (keep != -1 ||
		    (strcmp(de->d_name, "checkpoint.safetensors") != 0 &&
		    strcmp(de->d_name, "best.safetensors") != 0)))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) != 0 && errno != ENOENT)
			rc = error_set(cause, "cannot remove %s/%s: %s",
			    run->dir, de->d_name, strerror(errno));
	}
	closedir(d);
	return rc;
}

/*
 * Writes to f the CSV header for records with n spiking layers; -1 on
 * error.
 */
static int
run_header(FILE *f, int n, const char *const *names)
{
	int	i, bad;

	bad = fputs("kind,epoch,batch,loss,acc,test_loss,test_acc,"
	    "samples_per_s,lr,seconds", f) == EOF;
	for (i = 0; i < n; i++)
		bad |= fprintf(f, ",%s.spike_rate,%s.sg_zero,%s.sg_small,"
		    "%s.zero_rows", names[i], names[i], names[i], names[i]) < 0;
	bad |= fputs(",dead\n", f) == EOF;
	return bad ? -1 : 0;
}

/*
 * Before a resume keeping keep_epochs (-1: the run starts afresh, nothing
 * to check) and before anything is written: checks that metrics.csv, if
 * its first line is whole, has the header of records with n spiking
 * layers named names. Rows of another network, or with an older snnwb's
 * columns, would not line up with it.
 */
int
run_check_columns(struct run *run, int keep_epochs, int n,
    const char *const *names, char **cause)
{
	char	*want = NULL, *have = NULL;
	size_t	 wsize = 0, hsize = 0;
	ssize_t	 len;
	FILE	*f;
	int	 rc = 0;

	if (keep_epochs < 0)
		return 0;
	if ((f = fopen(run->metrics_path, "r")) == NULL)
		return errno == ENOENT ? 0 : error_set(cause, "cannot read "
		    "%s: %s", run->metrics_path, strerror(errno));
	len = getline(&have, &hsize, f);
	fclose(f);
	if (len <= 0 || have[len - 1] != '\n') {
		free(have);
		return 0;
	}
	if ((f = open_memstream(&want, &wsize)) == NULL) {
		free(have);
		return error_set(cause, "out of memory");
	}
	rc = run_header(f, n, names);
	if (fclose(f) != 0 || rc != 0)
		rc = error_set(cause, "out of memory");
	else if (strcmp(have, want) != 0)
		rc = error_set(cause, "%s has other columns than this run "
		    "writes (another network's, or an older snnwb's): "
		    "overwrite = true starts the run again",
		    run->metrics_path);
	free(have);
	free(want);
	return rc;
}

/* Prints a number, or nothing for NaN (an empty CSV field); -1 on error. */
static int
run_number(FILE *f, double v)
{
	return (isnan(v) ? fputs(",", f) : fprintf(f, ",%.6g", v)) < 0 ?
	    -1 : 0;
}

/* Writes the row of the batch or epoch record rec; -1 on a write error. */
static int
run_row(struct run *run, const struct train_record *rec)
{
	FILE	*f = run->metrics;
	int	 i, bad = 0;

	if (run->nlayers == -1)
		bad |= run_header(f, rec->nlayers, rec->names);
	run->nlayers = rec->nlayers;
	bad |= fprintf(f, "%s,%d,%d", rec->kind == TRAIN_REC_BATCH ?
	    "batch" : "epoch", rec->epoch, rec->batch) < 0;
	bad |= run_number(f, rec->loss);
	bad |= run_number(f, rec->acc);
	bad |= run_number(f, rec->test_loss);
	bad |= run_number(f, rec->test_acc);
	bad |= run_number(f, rec->samples_per_s);
	bad |= run_number(f, rec->lr);
	bad |= run_number(f, rec->seconds);
	for (i = 0; i < rec->nlayers; i++) {
		bad |= run_number(f, rec->layer[i].rate);
		bad |= run_number(f, rec->layer[i].sg_zero);
		bad |= run_number(f, rec->layer[i].sg_small);
		bad |= run_number(f, rec->layer[i].zero_rows);
	}
	bad |= run_number(f, rec->kind == TRAIN_REC_EPOCH ? rec->dead : NAN);
	bad |= fputc('\n', f) == EOF;
	return bad ? -1 : 0;
}

/*
 * Appends a batch or epoch record to metrics.csv (other kinds, and the
 * epoch record that run_sync wrote already, are ignored). A write error is
 * kept and returned by the next run_sync; later rows are dropped.
 */
void
run_record(struct run *run, const struct train_record *rec)
{
	if (run->error != 0 || (rec->kind != TRAIN_REC_BATCH &&
	    rec->kind != TRAIN_REC_EPOCH) || (rec->kind == TRAIN_REC_EPOCH &&
	    rec->epoch == run->synced))
		return;
	errno = 0;
	if (run_row(run, rec) != 0)
		run->error = errno != 0 ? errno : EIO;
}

/*
 * Writes the epoch record rec and makes every row so far durable (flushed
 * and synced), so that the checkpoint saved next never claims rows that a
 * crash could lose. Returns -1 and a message naming metrics.csv if any
 * write since the run was opened failed (a full disk): then training must
 * stop.
 */
int
run_sync(struct run *run, const struct train_record *rec, char **cause)
{
	if (rec->epoch != run->synced) {
		run_record(run, rec);
		run->synced = rec->epoch;
	}
	errno = 0;
	if (run->error == 0 && (fflush(run->metrics) != 0 ||
	    (fsync(fileno(run->metrics)) != 0 && errno != EINVAL)))
		run->error = errno != 0 ? errno : EIO;
	if (run->error != 0)
		return error_set(cause, "cannot write %s: %s",
		    run->metrics_path, strerror(run->error));
	return 0;
}

/* Returns the run's directory. */
const char *
run_dir(const struct run *run)
{
	return run->dir;
}

/* Flushes and closes the run and releases its lock; NULL is allowed. */
void
run_close(struct run *run)
{
	if (run == NULL)
		return;
	if (run->metrics != NULL)
		fclose(run->metrics);
	if (run->lock != -1)
		close(run->lock);
	free(run->metrics_path);
	mem_free(run->dir);
	mem_free(run);
}
