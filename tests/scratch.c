/*
 * scratch.c: the scratch files of snnwb's tests: writing, reading back
 * and removing them (declared in tap.h).
 */
#include <sys/stat.h>

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"

/* Writes len bytes of data to path; a failure is a diagnostic. */
void
tap_write_file(const char *path, const void *data, size_t len)
{
	FILE	*f;

	if ((f = fopen(path, "wb")) == NULL) {
		diag("cannot write %s", path);
		return;
	}
	if (fwrite(data, 1, len, f) != len || fclose(f) != 0)
		diag("cannot write %s", path);
}

/*
 * Reads the whole file at path into a new buffer (free it), one byte
 * longer and NUL-terminated (text reads as a string); *len gets its
 * size unless len is NULL. NULL when it cannot be read.
 */
unsigned char *
tap_read_file(const char *path, size_t *len)
{
	unsigned char	*b = NULL;
	FILE		*f;
	long		 size;
	size_t		 n = 0;

	if (len != NULL)
		*len = 0;
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 &&
	    (b = malloc((size_t)size + 1)) != NULL) {
		n = fread(b, 1, (size_t)size, f);
		b[n] = '\0';
	}
	fclose(f);
	if (len != NULL)
		*len = n;
	return b;
}

/* Removes path and, for a folder, everything below it. */
void
tap_remove_tree(const char *path)
{
	struct stat	 sb;
	struct dirent	*de;
	DIR		*d;
	char		 sub[PATH_MAX];

	if (lstat(path, &sb) != 0)
		return;
	if (S_ISDIR(sb.st_mode) && (d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
			tap_remove_tree(sub);
		}
		closedir(d);
		rmdir(path);
	} else
		unlink(path);
}
