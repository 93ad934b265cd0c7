/*
 * fuzz-file.c: hands a fuzz input to readers that open a path. The input
 * goes into one anonymous in-memory file (memfd_create), reused from input
 * to input and gone when the process ends, named by its /proc/self/fd
 * link: opening that link gives a regular file of exactly the input.
 */
#define _GNU_SOURCE
#include <sys/mman.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"

/* Returns a path to a regular file holding the size bytes of data. */
const char *
fuzz_file(const uint8_t *data, size_t size)
{
	static char	path[64];
	static int	fd = -1;

	if (fd == -1) {
		if ((fd = memfd_create("fuzz", 0)) == -1) {
			perror("memfd_create");
			abort();
		}
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 || (size > 0 &&
	    pwrite(fd, data, size, 0) != (ssize_t)size)) {
		perror("fuzz_file");
		abort();
	}
	return path;
}
