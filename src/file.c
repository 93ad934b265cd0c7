/*
 * file.c: opening the regular files that the data readers read.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "snnwb.h"

/*
 * Opens the regular file at path for reading and returns its descriptor,
 * with its size in *size (size may be NULL); else -1 and a message naming
 * path. It opens
 * without blocking, so that a FIFO is refused at once as not a regular
 * file instead of waiting for a writer (for a regular file the flag
 * changes nothing), and a device is never read forever.
 */
int
file_open_regular(const char *path, size_t *size, char **cause)
{
	struct stat	sb;
	int		fd;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK)) == -1) {
		error_set(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == -1)
		error_set(cause, "%s: %s", path, strerror(errno));
	else if (!S_ISREG(sb.st_mode))
		error_set(cause, "%s: not a regular file", path);
	else {
		if (size != NULL)
			*size = (size_t)sb.st_size;
		return fd;
	}
	close(fd);
	return -1;
}
