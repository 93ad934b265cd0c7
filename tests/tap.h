/*
 * tap.h: a small Test Anything Protocol library for snnwb's tests.
 */
#ifndef TAP_H
#define TAP_H

#include <stddef.h>

void	 plan(int n);
int	 ok(int cond, const char *fmt, ...)
	     __attribute__((format(printf, 2, 3)));
int	 is_double(double got, double want, double eps, const char *fmt, ...)
	     __attribute__((format(printf, 4, 5)));
int	 is_close_array(const float *got, const double *want, size_t n,
	     double rtol, double atol, const char *fmt, ...)
	     __attribute__((format(printf, 6, 7)));
void	 diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	 skip(int n, const char *fmt, ...)
	     __attribute__((format(printf, 2, 3)));
void	 skip_all(const char *fmt, ...)
	     __attribute__((format(printf, 1, 2), noreturn));
int	 done_testing(void);
const char *tap_shared(const char *sub);
const char *tap_fixture(const char *sub, int n);

/* scratch.c: the tests' scratch files. */
void	 tap_write_file(const char *path, const void *data, size_t len);
unsigned char *tap_read_file(const char *path, size_t *len);
void	 tap_remove_tree(const char *path);

/* refdata.c: the reference files of ../shared/reference (see its README). */
struct refarray {
	char	 name[64];
	size_t	 n;
	double	*v;
};
struct refdata {
	int		 narrays;
	struct refarray	*arrays;
	int		 nnotes;
	char		**keys;
	char		**values;
};
int	 refdata_load(const char *path, struct refdata *rd, char **cause);
const struct refarray *refdata_array(const struct refdata *rd,
	     const char *name);
const char *refdata_note(const struct refdata *rd, const char *key);
void	 refdata_free(struct refdata *rd);
float	*refdata_floats(const struct refarray *a);
char	**tap_list_dir(const char *dir, const char *suffix, int *n);

#endif
