/*
 * run.c: a run directory: config.json (everything needed to rerun),
 * metrics.csv (one row per batch and per epoch) and checkpoint.safetensors
 * (written atomically by checkpoint.c). Created with parents as needed.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "snnwb.h"

struct run {
	char	*dir;
	FILE	*metrics;
	int	 nlayers;	/* spiking layers in the header, or -1 */
};

/* Creates dir and its missing parents (like mkdir -p). */
static int
run_mkdirs(const char *dir, char **cause)
{
	char	*copy, *p, c;
	int	 rc = 0;

	if ((copy = mem_strdup(dir)) == NULL)
		return error_set(cause, "out of memory");
	for (p = copy + 1; rc == 0; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(copy, 0777) != 0 && errno != EEXIST)
			rc = error_set(cause, "cannot create %s: %s", copy,
			    strerror(errno));
		*p = c;
		if (c == '\0')
			break;
	}
	mem_free(copy);
	return rc;
}

/* Returns "dir/name", allocated; the caller frees it with free(). */
char *
run_path(const struct run *run, const char *name)
{
	return error_printf("%s/%s", run->dir, name);
}

/*
 * Writes text and a newline to path atomically (temp file, then rename):
 * path keeps its old contents when anything fails.
 */
int
run_write_file(const char *path, const char *text, char **cause)
{
	char	*tmp;
	FILE	*f;
	int	 rc = 0;

	if ((tmp = error_printf("%s.tmp", path)) == NULL)
		return error_set(cause, "out of memory");
	if ((f = fopen(tmp, "w")) == NULL) {
		rc = error_set(cause, "cannot write %s: %s", tmp,
		    strerror(errno));
		free(tmp);
		return rc;
	}
	if (fputs(text, f) == EOF || fputc('\n', f) == EOF)
		rc = error_set(cause, "cannot write %s: %s", tmp,
		    strerror(errno));
	if (fclose(f) != 0 && rc == 0)
		rc = error_set(cause, "cannot write %s: %s", tmp,
		    strerror(errno));
	if (rc == 0 && rename(tmp, path) != 0)
		rc = error_set(cause, "cannot rename %s to %s: %s", tmp, path,
		    strerror(errno));
	if (rc != 0)
		remove(tmp);
	free(tmp);
	return rc;
}

/*
 * Keeps the header and the rows of epochs 1..keep of the metrics file at
 * path (rows of an epoch interrupted before its checkpoint are dropped).
 */
static int
run_trim_metrics(const char *path, int keep, char **cause)
{
	FILE	*in, *out;
	char	*tmp, line[4096], kind[16];
	int	 epoch, rc = 0;

	if ((in = fopen(path, "r")) == NULL)
		return 0;
	if ((tmp = error_printf("%s.tmp", path)) == NULL ||
	    (out = fopen(tmp, "w")) == NULL) {
		fclose(in);
		rc = error_set(cause, "cannot rewrite %s: %s", path,
		    strerror(errno));
		free(tmp);
		return rc;
	}
	while (fgets(line, sizeof line, in) != NULL) {
		if (sscanf(line, "%15[a-z],%d,", kind, &epoch) == 2 &&
		    epoch > keep)
			continue;
		fputs(line, out);
	}
	fclose(in);
	if (fclose(out) != 0 || rename(tmp, path) != 0)
		rc = error_set(cause, "cannot rewrite %s: %s", path,
		    strerror(errno));
	free(tmp);
	return rc;
}

/*
 * Opens the run directory dir, creating it, and writes config (JSON text) to
 * config.json. When resuming after keep_epochs finished epochs (>= 0),
 * metrics.csv keeps those epochs' rows and is appended to; with keep_epochs
 * -1 it is started afresh. Returns NULL with *cause set on error.
 */
struct run *
run_open(const char *dir, const char *config, int keep_epochs, char **cause)
{
	struct run	*run;
	char		*path = NULL;

	if ((run = mem_calloc(1, sizeof *run)) == NULL ||
	    (run->dir = mem_strdup(dir)) == NULL) {
		mem_free(run);
		error_set(cause, "out of memory");
		return NULL;
	}
	run->nlayers = -1;
	if (run_mkdirs(dir, cause) != 0)
		goto fail;
	if ((path = run_path(run, "config.json")) == NULL ||
	    run_write_file(path, config, cause) != 0)
		goto fail;
	free(path);
	if ((path = run_path(run, "metrics.csv")) == NULL)
		goto fail;
	if (keep_epochs >= 0 &&
	    run_trim_metrics(path, keep_epochs, cause) != 0)
		goto fail;
	if ((run->metrics = fopen(path, keep_epochs >= 0 ? "a" : "w")) ==
	    NULL) {
		error_set(cause, "cannot write %s: %s", path, strerror(errno));
		goto fail;
	}
	if (ftell(run->metrics) > 0)
		run->nlayers = -2;
	free(path);
	return run;
fail:
	free(path);
	run_close(run);
	return NULL;
}

/* Writes the CSV header for records with n spiking layers. */
static void
run_header(struct run *run, int n, const char *const *names)
{
	int	i;

	fputs("kind,epoch,batch,loss,acc,test_loss,test_acc,samples_per_s,"
	    "lr,seconds", run->metrics);
	for (i = 0; i < n; i++)
		fprintf(run->metrics, ",%s.spike_rate,%s.sg_zero,%s.sg_small,"
		    "%s.zero_rows", names[i], names[i], names[i], names[i]);
	fputc('\n', run->metrics);
}

/* Prints a number, or nothing for NaN (an empty CSV field). */
static void
run_number(FILE *f, double v)
{
	if (isnan(v))
		fputs(",", f);
	else
		fprintf(f, ",%.6g", v);
}

/* Appends a batch or epoch record to metrics.csv (other kinds are ignored). */
void
run_record(struct run *run, const struct train_record *rec,
    const char *const *names)
{
	int	i;

	if (rec->kind != TRAIN_REC_BATCH && rec->kind != TRAIN_REC_EPOCH)
		return;
	if (run->nlayers == -1)
		run_header(run, rec->nlayers, names);
	run->nlayers = rec->nlayers;
	fprintf(run->metrics, "%s,%d,%d", rec->kind == TRAIN_REC_BATCH ?
	    "batch" : "epoch", rec->epoch, rec->batch);
	run_number(run->metrics, rec->loss);
	run_number(run->metrics, rec->acc);
	run_number(run->metrics, rec->test_loss);
	run_number(run->metrics, rec->test_acc);
	run_number(run->metrics, rec->samples_per_s);
	run_number(run->metrics, rec->lr);
	run_number(run->metrics, rec->seconds);
	for (i = 0; i < rec->nlayers; i++) {
		run_number(run->metrics, rec->layer[i].rate);
		run_number(run->metrics, rec->layer[i].sg_zero);
		run_number(run->metrics, rec->layer[i].sg_small);
		run_number(run->metrics, rec->layer[i].zero_rows);
	}
	fputc('\n', run->metrics);
	if (rec->kind == TRAIN_REC_EPOCH)
		fflush(run->metrics);
}

/* Returns the run's directory. */
const char *
run_dir(const struct run *run)
{
	return run->dir;
}

/* Flushes and closes the run; NULL is allowed. */
void
run_close(struct run *run)
{
	if (run == NULL)
		return;
	if (run->metrics != NULL)
		fclose(run->metrics);
	mem_free(run->dir);
	mem_free(run);
}
