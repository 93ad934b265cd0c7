/*
 * test-run.c: run directories and atomic files: an empty name, the lock
 * against a second writer, stale temporary files, a resume that drops rows
 * past the checkpoint and a row cut off by a crash, write errors on a full
 * disk (/dev/full), the dead column, files replaced through symbolic
 * links but never over anything but a regular file, and temporary files
 * removed by a second Ctrl-C's handler and after a failed write, which
 * names the target.
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/snnwb.h"
#include "tap.h"

/* The scratch directory. */
static char tmpdir[] = "/tmp/snnwb-run.XXXXXX";

/* Returns tmpdir/name in one of two static buffers. */
static const char *
at(const char *name)
{
	static char	buf[2][512];
	static int	k;

	k = !k;
	snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
	return buf[k];
}

/* Writes text to path, replacing it. */
static void
put(const char *path, const char *text)
{
	FILE	*f = fopen(path, "w");

	if (f == NULL)
		return;
	fputs(text, f);
	fclose(f);
}

/* Says whether path exists (without following a last symbolic link). */
static int
exists(const char *path)
{
	struct stat	st;

	return lstat(path, &st) == 0;
}

/* Returns the PID of a process that has exited and been reaped. */
static pid_t
dead_pid(void)
{
	pid_t	pid = fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

/* The one layer of every record: its statistics and its name. */
static struct train_layer layer;
static const char *const layer_names[] = { "2" };

/* Opens dir and starts it with config and keep; NULL with *cause set. */
static struct run *
start(const char *dir, const char *config, int keep, char **cause)
{
	struct run	*run = run_open(dir, cause);

	if (run != NULL && run_start(run, config, keep, cause) != 0) {
		run_close(run);
		return NULL;
	}
	return run;
}

/* Fills rec as a record of kind for epoch and batch with 1 layer. */
static void
record(struct train_record *rec, enum train_rec_kind kind, int epoch,
    int batch)
{
	memset(rec, 0, sizeof *rec);
	rec->layer = &layer;
	rec->names = layer_names;
	rec->kind = kind;
	rec->epoch = epoch;
	rec->batch = batch;
	rec->loss = 0.5;
	rec->acc = 0.25;
	rec->test_loss = rec->test_acc = NAN;
	rec->nlayers = 1;
}

/*
 * Records batch 1 of epoch 1, then syncs its epoch record, left in rec;
 * returns what run_sync returns.
 */
static int
sync_epoch(struct run *run, struct train_record *rec, char **cause)
{
	record(rec, TRAIN_REC_BATCH, 1, 1);
	run_record(run, rec);
	record(rec, TRAIN_REC_EPOCH, 1, 1);
	return run_sync(run, rec, cause);
}

/* An empty name, the lock, and stale temporary files. */
static void
test_open(void)
{
	struct run	*run, *two;
	char		*cause = NULL, name[64], mine[64];
	char		 pid[128];

	run = run_open("", &cause);
	ok(run == NULL && cause != NULL &&
	    strstr(cause, "empty") != NULL, "an empty run_dir is refused: %s",
	    cause ? cause : "(none)");
	free(cause);
	cause = NULL;

	snprintf(name, sizeof name, "ck.safetensors.tmp.%ld",
	    (long)dead_pid());
	snprintf(mine, sizeof mine, "ck.safetensors.tmp.%ld",
	    (long)getpid());
	mkdir(at("a"), 0777);
	mkdir(at("a/b"), 0777);
	put(at("a/b/keep.tmp.x"), "x");
	snprintf(pid, sizeof pid, "a/b/%s", name);
	put(at(pid), "stale");
	snprintf(pid, sizeof pid, "a/b/%s", mine);
	put(at(pid), "live");
	run = start(at("a//b/"), "{\"x\": 1}", -1, &cause);
	ok(run != NULL, "a run directory opens (%s)", cause ? cause : "ok");
	free(cause);
	cause = NULL;
	snprintf(pid, sizeof pid, "a/b/%s", name);
	ok(!exists(at(pid)), "the temporary file of a dead process is removed");
	snprintf(pid, sizeof pid, "a/b/%s", mine);
	ok(exists(at(pid)) && exists(at("a/b/keep.tmp.x")),
	    "a living process's temporary file and other names are kept");

	snprintf(pid, sizeof pid, "process %ld", (long)getpid());
	two = start(at("a/b"), "{}", -1, &cause);
	ok(two == NULL && cause != NULL && strstr(cause, pid) != NULL &&
	    strstr(cause, "in use") != NULL,
	    "a second writer is refused, naming the holder: %s",
	    cause ? cause : "(none)");
	free(cause);
	cause = NULL;
	run_close(two);
	run_close(run);
	run = start(at("a/b"), "{}", -1, &cause);
	ok(run != NULL, "closing releases the lock (%s)", cause ? cause :
	    "ok");
	free(cause);
	run_close(run);
}

/* Resuming: rows past the checkpoint and a cut-off row are dropped. */
static void
test_resume(void)
{
	struct train_record	 rec;
	struct run		*run;
	char			*cause = NULL, *text;
	const char		*old = "kind,epoch,batch,loss\n"
				    "batch,1,1,0.9\nepoch,1,1,0.9\n"
				    "batch,2,1,0.8\nba";

	mkdir(at("r"), 0777);
	put(at("r/metrics.csv"), old);
	run = start(at("r"), "{}", -7, &cause);
	text = (char *)tap_read_file(at("r/metrics.csv"), NULL);
	ok(run == NULL && cause != NULL && strstr(cause, "-7") != NULL &&
	    text != NULL && strcmp(text, old) == 0,
	    "a negative epoch to resume after is refused, metrics.csv kept: "
	    "%s", cause ? cause : "(none)");
	free(text);
	free(cause);
	cause = NULL;

	run = start(at("r"), "{}", 1, &cause);
	ok(run != NULL, "resume after epoch 1 (%s)", cause ? cause : "ok");
	free(cause);
	cause = NULL;
	if (run == NULL)
		return;
	record(&rec, TRAIN_REC_BATCH, 2, 1);
	run_record(run, &rec);
	run_close(run);
	text = (char *)tap_read_file(at("r/metrics.csv"), NULL);
	if (!ok(text != NULL && strcmp(text, "kind,epoch,batch,loss\n"
	    "batch,1,1,0.9\nepoch,1,1,0.9\n"
	    "batch,2,1,0.5,0.25,,,0,0,0,0,0,0,0,\n") == 0,
	    "epoch 2's rows and the cut-off row are gone, the next row "
	    "starts its own line") && text != NULL)
		diag("metrics.csv:\n%s", text);
	free(text);

	/* Resuming after epoch 0 leaves the header; no checkpoint, fresh. */
	put(at("r/metrics.csv"), "kind,epoch\nbatch,1,1\nbatch,1,");
	run = start(at("r"), "{}", 0, &cause);
	run_close(run);
	text = (char *)tap_read_file(at("r/metrics.csv"), NULL);
	ok(run != NULL && text != NULL && strcmp(text, "kind,epoch\n") == 0,
	    "resume after epoch 0 keeps only the header");
	free(text);
	free(cause);
}

/* run_sync: the epoch row written once; write errors stop with a message. */
static void
test_sync(void)
{
	struct train_record	 rec;
	struct run		*run;
	char			*cause = NULL, *text, *p;
	int			 rc, n;

	run = start(at("s"), "{}", -1, &cause);
	if (run == NULL) {
		ok(0, "open s: %s", cause);
		free(cause);
		return;
	}
	rc = sync_epoch(run, &rec, &cause);
	text = (char *)tap_read_file(at("s/metrics.csv"), NULL);
	ok(rc == 0 && text != NULL && strstr(text, "epoch,1,1,") != NULL,
	    "run_sync puts the epoch row on disk before the run closes");
	free(text);
	run_record(run, &rec);
	run_close(run);
	text = (char *)tap_read_file(at("s/metrics.csv"), NULL);
	for (n = 0, p = text; p != NULL && (p = strstr(p, "epoch,1,")) !=
	    NULL; p++)
		n++;
	ok(n == 1, "the epoch row is written once (%d)", n);
	free(text);

	if (access("/dev/full", W_OK) != 0) {
		skip(2, "no /dev/full");
		return;
	}
	mkdir(at("full"), 0777);
	if (symlink("/dev/full", at("full/metrics.csv")) != 0) {
		skip(2, "cannot make a symbolic link");
		return;
	}
	run = start(at("full"), "{}", -1, &cause);
	ok(run != NULL, "a run whose metrics.csv is /dev/full opens");
	if (run == NULL) {
		free(cause);
		return;
	}
	rc = sync_epoch(run, &rec, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "metrics.csv") !=
	    NULL && strstr(cause, strerror(ENOSPC)) != NULL,
	    "a full disk fails run_sync, naming metrics.csv: %s",
	    cause ? cause : "(none)");
	free(cause);
	run_close(run);
}

/* The dead column: empty on batch rows, 0 or 1 on epoch rows. */
static void
test_dead(void)
{
	struct train_record	 rec;
	struct run		*run;
	char			*cause = NULL, *text;

	run = start(at("d"), "{}", -1, &cause);
	if (run == NULL) {
		ok(0, "open d: %s", cause);
		free(cause);
		return;
	}
	sync_epoch(run, &rec, &cause);
	record(&rec, TRAIN_REC_EPOCH, 2, 1);
	rec.dead = 1;
	run_sync(run, &rec, &cause);
	run_close(run);
	free(cause);
	text = (char *)tap_read_file(at("d/metrics.csv"), NULL);
	if (!ok(text != NULL && strcmp(text, "kind,epoch,batch,loss,acc,"
	    "test_loss,test_acc,samples_per_s,lr,seconds,2.spike_rate,"
	    "2.sg_zero,2.sg_small,2.zero_rows,dead\n"
	    "batch,1,1,0.5,0.25,,,0,0,0,0,0,0,0,\n"
	    "epoch,1,1,0.5,0.25,,,0,0,0,0,0,0,0,0\n"
	    "epoch,2,1,0.5,0.25,,,0,0,0,0,0,0,0,1\n") == 0,
	    "metrics.csv: the dead column, empty on a batch row, 0 or 1 on "
	    "an epoch row") && text != NULL)
		diag("metrics.csv:\n%s", text);
	free(text);
}

/*
 * A resume appends only to a metrics.csv with this run's columns: one
 * written by an older snnwb (no dead column) is refused, naming it.
 */
static void
test_columns(void)
{
	static const char *const other[] = { "fc" };
	struct run	*run;
	char		*cause = NULL;
	int		 rc;

	mkdir(at("c"), 0777);
	put(at("c/metrics.csv"), "kind,epoch,batch,loss,acc,test_loss,"
	    "test_acc,samples_per_s,lr,seconds,2.spike_rate,2.sg_zero,"
	    "2.sg_small,2.zero_rows\nepoch,1,1,0.5,0.25,,,0,0,0,0,0,0,0\n");
	run = start(at("c"), "{}", 1, &cause);
	rc = run != NULL ? run_check_columns(run, 1, 1, layer_names, &cause) : 0;
	ok(rc == -1 && strstr(cause, "metrics.csv has other columns") != NULL,
	    "resume: an older snnwb's metrics.csv (no dead column) is "
	    "refused: %s", cause != NULL ? cause : "accepted");
	free(cause);
	cause = NULL;
	run_close(run);
	put(at("c/metrics.csv"), "kind,epoch,batch,loss,acc,test_loss,"
	    "test_acc,samples_per_s,lr,seconds,2.spike_rate,2.sg_zero,"
	    "2.sg_small,2.zero_rows,dead\nepoch,1,1,0.5,0.25,,,0,0,0,0,0,0,0,0"
	    "\n");
	run = start(at("c"), "{}", 1, &cause);
	rc = run != NULL ? run_check_columns(run, 1, 1, layer_names, &cause) : -1;
	ok(rc == 0, "resume: a metrics.csv with this run's columns is kept: "
	    "%s", cause != NULL ? cause : "yes");
	ok(run != NULL && run_check_columns(run, 1, 1, other, &cause) == -1,
	    "resume: another network's layer names are refused");
	free(cause);
	run_close(run);
}

/* Atomic files: through symbolic links, never over a non-regular file. */
static void
test_atomic(void)
{
	char	*cause = NULL, *text, tmp[600];
	int	 rc;

	put(at("target.json"), "old\n");
	chmod(at("target.json"), 0600);
	symlink("target.json", at("link.json"));
	rc = file_write_text(at("link.json"), "new", &cause);
	text = (char *)tap_read_file(at("target.json"), NULL);
	ok(rc == 0 && text != NULL && strcmp(text, "new\n") == 0,
	    "a symbolic link is written through to its target (%s)",
	    cause ? cause : "ok");
	free(text);
	free(cause);
	cause = NULL;
	{
		struct stat	st;

		ok(lstat(at("link.json"), &st) == 0 && S_ISLNK(st.st_mode) &&
		    stat(at("target.json"), &st) == 0 &&
		    (st.st_mode & 0777) == 0600,
		    "the link stays a link and the target keeps its mode");
	}
	mkdir(at("dir.json"), 0777);
	rc = file_write_text(at("dir.json"), "x", &cause);
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", at("dir.json"),
	    (long)getpid());
	ok(rc == -1 && cause != NULL && strstr(cause, "dir.json is not a "
	    "regular file") != NULL && !exists(tmp),
	    "a directory is not replaced: %s", cause ? cause : "(none)");
	free(cause);
	cause = NULL;
	mkfifo(at("fifo.json"), 0666);
	rc = file_write_text(at("fifo.json"), "x", &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "not a regular file"),
	    "a FIFO is not replaced: %s", cause ? cause : "(none)");
	free(cause);
	cause = NULL;
	symlink("missing.json", at("dangling.json"));
	rc = file_write_text(at("dangling.json"), "x", &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "missing file") &&
	    !exists(at("missing.json")),
	    "a dangling symbolic link is refused: %s", cause ? cause :
	    "(none)");
	free(cause);
	cause = NULL;
	if (access("/dev/full", W_OK) == 0) {
		symlink("/dev/full", at("full.json"));
		rc = file_write_text(at("full.json"), "x", &cause);
		ok(rc == -1 && cause != NULL && strstr(cause,
		    "full.json is not a regular file") != NULL,
		    "a link to a device is refused: %s", cause ? cause :
		    "(none)");
		free(cause);
	} else
		skip(1, "no /dev/full");
}

/* The temporary file of the write in progress, for temp_gone. */
static char temp_path[600];

/*
 * Writes a line, then does what a second Ctrl-C's handler does
 * (file_remove_temps) and reports whether the temporary file went with
 * it; fails the write so that the target stays.
 */
static int
temp_gone(FILE *fp, void *arg)
{
	int	*gone = arg;

	fputs("partial\n", fp);
	fflush(fp);
	*gone = access(temp_path, F_OK) == 0 ? 0 : -1;
	file_remove_temps();
	if (*gone == 0)
		*gone = access(temp_path, F_OK) != 0;
	errno = EINTR;
	return -1;
}

/*
 * Temporary files: those being written are removed by file_remove_temps
 * (the second Ctrl-C), and a write that fails (a file size limit, as a
 * full disk) names the target, not the temporary file, and leaves none.
 */
static void
test_temps(void)
{
	struct rlimit	 old, lim;
	char		*cause = NULL, *text, big[65536];
	int		 gone = 0, rc;

	put(at("kept.json"), "old\n");
	snprintf(temp_path, sizeof temp_path, "%s.tmp.%ld", at("kept.json"),
	    (long)getpid());
	rc = file_write_atomic(at("kept.json"), temp_gone, &gone, &cause);
	text = (char *)tap_read_file(at("kept.json"), NULL);
	ok(rc == -1 && gone == 1 && text != NULL && strcmp(text, "old\n") ==
	    0, "file_remove_temps removes the temporary file being written "
	    "(%s), the target stays", gone == -1 ? "it was never there" :
	    gone == 1 ? "removed" : "still there");
	free(text);
	free(cause);
	cause = NULL;

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = 4096;
	setrlimit(RLIMIT_FSIZE, &lim);
	rc = file_write_text(at("kept.json"), big, &cause);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_DFL);
	ok(rc == -1 && cause != NULL && strstr(cause, "kept.json:") != NULL &&
	    strstr(cause, ".tmp.") == NULL && access(temp_path, F_OK) != 0,
	    "a write past the size limit names the target and leaves no "
	    "temporary file: %s", cause ? cause : "(none)");
	free(cause);
}

int
main(void)
{
	char	cmd[600];

	if (mkdtemp(tmpdir) == NULL)
		skip_all("cannot create a temporary directory");
	test_open();
	test_resume();
	test_sync();
	test_dead();
	test_columns();
	test_atomic();
	test_temps();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		diag("could not remove %s", tmpdir);
	return done_testing();
}
