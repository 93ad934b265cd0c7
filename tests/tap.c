/*
 * tap.c: TAP output for the tests. A test prints "ok N" or "not ok N" with
 * the worst offending value, and done_testing() returns the exit status:
 * nonzero when anything failed, so a failing test fails loudly.
 */
#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

static int tap_planned = -1;
static int tap_run;
static int tap_failed;

/* Announces the number of tests (call before the first ok, or not at all). */
void
plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

/* Prints one result line with a formatted description. */
static int
tap_result(int cond, const char *fmt, va_list ap)
{
	tap_run++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_run);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	return cond;
}

/* Reports one test: passes when cond is nonzero. */
int
ok(int cond, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	tap_result(cond, fmt, ap);
	va_end(ap);
	return cond;
}

/* Passes when |got - want| <= eps; a failure shows both values. */
int
is_double(double got, double want, double eps, const char *fmt, ...)
{
	va_list	ap;
	int	cond = fabs(got - want) <= eps;

	va_start(ap, fmt);
	tap_result(cond, fmt, ap);
	va_end(ap);
	if (!cond)
		diag("got %.9g, want %.9g (eps %g)", got, want, eps);
	return cond;
}

/*
 * Passes when every |got[i] - want[i]| <= atol or <= rtol * |want[i]|; a
 * failure names the worst element, its values and how many elements failed.
 */
int
is_close_array(const float *got, const double *want, size_t n, double rtol,
    double atol, const char *fmt, ...)
{
	va_list	ap;
	size_t	i, worst = 0, bad = 0;
	double	err, excess, worst_excess = 0;

	for (i = 0; i < n; i++) {
		err = fabs((double)got[i] - want[i]);
		if (err <= atol || err <= rtol * fabs(want[i]))
			continue;
		if (isnan(got[i]) && isnan(want[i]))
			continue;
		excess = isnan(err) ? INFINITY : err - atol;
		if (bad == 0 || excess > worst_excess) {
			worst = i;
			worst_excess = excess;
		}
		bad++;
	}
	va_start(ap, fmt);
	tap_result(bad == 0, fmt, ap);
	va_end(ap);
	if (bad != 0)
		diag("%zu of %zu differ; worst at [%zu]: got %.9g, want %.9g",
		    bad, n, worst, got[worst], want[worst]);
	return bad == 0;
}

/* Prints a diagnostic line ("# ...") on stdout. */
void
diag(const char *fmt, ...)
{
	va_list	ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Reports n skipped tests with a reason. */
void
skip(int n, const char *fmt, ...)
{
	va_list	ap;
	char	reason[512];

	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	while (n-- > 0) {
		tap_run++;
		printf("ok %d # SKIP %s\n", tap_run, reason);
	}
	fflush(stdout);
}

/* Skips the whole test program with a reason and exits 0. */
void
skip_all(const char *fmt, ...)
{
	va_list	ap;

	printf("1..0 # SKIP ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(0);
}

/* Ends the test: prints the plan if none was given; returns the exit code. */
int
done_testing(void)
{
	if (tap_planned < 0)
		printf("1..%d\n", tap_run);
	else if (tap_planned != tap_run) {
		diag("planned %d tests but ran %d", tap_planned, tap_run);
		return 1;
	}
	if (tap_failed != 0)
		diag("%d of %d tests failed", tap_failed, tap_run);
	return tap_failed != 0 || tap_run == 0;
}

/* Writes the path of sub inside the shared folder into path (size len). */
static void
tap_shared_path(const char *sub, char *path, size_t len)
{
	const char	*root = getenv("SNNWB_SHARED");

	if (root == NULL || *root == '\0')
		root = "../shared";
	snprintf(path, len, "%s/%s", root, sub);
}

/*
 * Returns the path of sub inside the shared folder ($SNNWB_SHARED, set by
 * the Makefile to ../shared beside the source tree), or NULL when it is not
 * there. The string is static: copy it before the next call.
 */
const char *
tap_shared(const char *sub)
{
	static char	 path[4096];
	FILE		*f;
	DIR		*d;

	tap_shared_path(sub, path, sizeof path);
	if ((d = opendir(path)) != NULL) {
		closedir(d);
		return path;
	}
	if ((f = fopen(path, "rb")) != NULL) {
		fclose(f);
		return path;
	}
	return NULL;
}

/*
 * Returns tap_shared(sub); when the fixture is missing, reports the n tests
 * that need it, failed when $SNNWB_REQUIRE_SHARED is "yes" (CI, make
 * distcheck) and skipped otherwise, each naming its path, and returns NULL.
 */
const char *
tap_fixture(const char *sub, int n)
{
	const char	*found = tap_shared(sub), *req;
	char		 path[4096];

	if (found != NULL)
		return found;
	tap_shared_path(sub, path, sizeof path);
	req = getenv("SNNWB_REQUIRE_SHARED");
	if (req == NULL || strcmp(req, "yes") != 0) {
		skip(n, "fixture %s not found (set SNNWB_SHARED)", path);
		return NULL;
	}
	while (n-- > 0)
		ok(0, "fixture %s exists (SNNWB_REQUIRE_SHARED=yes)", path);
	return NULL;
}

/* Compares two strings through pointers, for qsort. */
static int
tap_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Returns the sorted names in dir ending in suffix (NULL-terminated, count
 * in *n); free each name and the array with free().
 */
char **
tap_list_dir(const char *dir, const char *suffix, int *n)
{
	DIR		*d;
	struct dirent	*de;
	char		**names = NULL;
	size_t		 len, slen = strlen(suffix);
	int		 count = 0;

	*n = 0;
	if ((d = opendir(dir)) == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < slen || strcmp(de->d_name + len - slen, suffix) != 0)
			continue;
		names = realloc(names, (size_t)(count + 2) * sizeof *names);
		names[count++] = strdup(de->d_name);
		names[count] = NULL;
	}
	closedir(d);
	if (names != NULL)
		qsort(names, (size_t)count, sizeof *names, tap_cmp);
	*n = count;
	return names;
}
