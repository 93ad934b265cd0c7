/*
 * file.c: opening the regular files that the data readers read, and
 * replacing files atomically: the new contents go to a temporary file
 * PATH.tmp.PID beside the target, which is synced and renamed over it, so a
 * crash leaves either the old file or the new one (and at worst a stale
 * temporary file, which file_clean_stale removes later). The temporary
 * files being written are listed, so that a signal that ends the program
 * can remove them first (file_remove_temps).
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"

/* What a temporary file's name holds between the target's name and PID. */
#define FILE_TMP ".tmp."

/* How many temporary files being written are listed at once. */
#define FILE_NTEMPS 8

/*
 * The temporary files being written: a slot's path is set before its
 * flag is released and the flag cleared before the path changes, so that
 * a signal handler or another thread (orphan.c) reading them without the
 * lock sees whole paths only; lock-free atomics are async-signal-safe.
 */
static char file_temps[FILE_NTEMPS][PATH_MAX];
static atomic_int file_temp_used[FILE_NTEMPS];
static pthread_mutex_t file_temps_lock = PTHREAD_MUTEX_INITIALIZER;

/* Lists the temporary file path; returns its slot, or -1 when all are used. */
static int
file_temp_add(const char *path)
{
	int	i, slot = -1;

	if (strlen(path) >= PATH_MAX)
		return -1;
	pthread_mutex_lock(&file_temps_lock);
	for (i = 0; i < FILE_NTEMPS && slot == -1; i++)
		if (!atomic_load_explicit(&file_temp_used[i],
		    memory_order_relaxed)) {
			strcpy(file_temps[i], path);
			atomic_store_explicit(&file_temp_used[i], 1,
			    memory_order_release);
			slot = i;
		}
	pthread_mutex_unlock(&file_temps_lock);
	return slot;
}

/* Takes the temporary file in slot (-1: none) off the list. */
static void
file_temp_drop(int slot)
{
	if (slot == -1)
		return;
	pthread_mutex_lock(&file_temps_lock);
	atomic_store_explicit(&file_temp_used[slot], 0, memory_order_release);
	pthread_mutex_unlock(&file_temps_lock);
}

/*
 * Removes the temporary files being written now, for a signal handler or
 * a thread that ends the program (a second Ctrl-C, an orphaned sweep
 * run): async-signal-safe.
 */
void
file_remove_temps(void)
{
	int	i;

	for (i = 0; i < FILE_NTEMPS; i++)
		if (atomic_load_explicit(&file_temp_used[i],
		    memory_order_acquire))
			unlink(file_temps[i]);
}

/*
 * Opens the regular file at path for reading and returns its descriptor,
 * with its size in *size (size may be NULL); else -1 and a message naming
 * path (or saying that it is empty, or a directory). It opens
 * without blocking, so that a FIFO is refused at once as not a regular
 * file instead of waiting for a writer (for a regular file the flag
 * changes nothing), and a device is never read forever.
 */
int
file_open_regular(const char *path, size_t *size, char **cause)
{
	struct stat	sb;
	int		fd;

	if (*path == '\0') {
		error_set(cause, "an empty file name");
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_NONBLOCK)) == -1) {
		error_set(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == -1)
		error_set(cause, "%s: %s", path, strerror(errno));
	else if (S_ISDIR(sb.st_mode))
		error_set(cause, "%s: a directory, not a regular file", path);
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

/*
 * Says whether anything (a file, a FIFO, a dangling link) is at path,
 * without opening it: a reader then opens it with file_open_regular,
 * which refuses what is not a regular file instead of blocking on it.
 */
int
file_exists(const char *path)
{
	struct stat	sb;

	return lstat(path, &sb) == 0;
}

/*
 * Creates dir and its missing parents (like mkdir -p), new ones with mode
 * (less the umask); dir is not empty.
 */
int
file_mkdirs(const char *dir, int mode, char **cause)
{
	char	*copy, *p;
	int	 rc = 0, last;

	if ((copy = mem_strdup(dir)) == NULL)
		return error_set(cause, "out of memory");
	p = copy;
	do {
		p += strspn(p, "/");
		p += strcspn(p, "/");
		last = *p == '\0';
		*p = '\0';
		if (mkdir(copy, (mode_t)mode) != 0 && errno != EEXIST)
			rc = error_set(cause, "cannot create %s: %s", copy,
			    strerror(errno));
		if (!last)
			*p = '/';
	} while (rc == 0 && !last);
	mem_free(copy);
	return rc;
}

/*
 * Returns the folder holding path, allocated (free()): "." for a bare
 * name, "/" for one in the root; NULL when out of memory.
 */
char *
file_dir(const char *path)
{
	const char	*slash = strrchr(path, '/');

	if (slash == NULL)
		return error_printf(".");
	return error_printf("%.*s", slash == path ? 1 : (int)(slash - path),
	    path);
}

/*
 * Syncs the directory holding target, so that a rename inside it is
 * durable; messages name path, the name the caller knows.
 */
static int
file_sync_dir(const char *path, const char *target, char **cause)
{
	char	*dir;
	int	 fd, rc = 0;

	if ((dir = file_dir(target)) == NULL)
		return error_set(cause, "%s: out of memory", path);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY)) == -1 || fsync(fd) != 0)
		rc = error_set(cause, "%s: syncing directory %s: %s", path,
		    dir, strerror(errno));
	if (fd != -1)
		close(fd);
	free(dir);
	return rc;
}

/*
 * Finds the file that writing path replaces: path itself when nothing is
 * there, else the regular file that path is or names through symbolic
 * links (anything else is refused). Returns it allocated (free()), with its
 * mode in *mode, or -1 in *mode when it does not exist yet.
 */
static char *
file_target(const char *path, mode_t *mode, char **cause)
{
	struct stat	 sb;
	char		*target;

	*mode = (mode_t)-1;
	if (*path == '\0') {
		error_set(cause, "an empty file name");
		return NULL;
	}
	if (stat(path, &sb) != 0) {
		if (errno == ENOENT && lstat(path, &sb) == 0) {
			error_set(cause, "%s is a symbolic link to a missing "
			    "file", path);
			return NULL;
		}
		if (errno != ENOENT) {
			error_set(cause, "%s: %s", path, strerror(errno));
			return NULL;
		}
		if ((target = error_printf("%s", path)) == NULL)
			error_set(cause, "%s: out of memory", path);
		return target;
	}
	if (!S_ISREG(sb.st_mode)) {
		error_set(cause, "%s is not a regular file", path);
		return NULL;
	}
	*mode = sb.st_mode & 07777;
	if ((target = realpath(path, NULL)) == NULL)
		error_set(cause, "%s: %s", path, strerror(errno));
	return target;
}

/*
 * Replaces the file at path atomically with what fn(fp, arg) writes (fn
 * returns -1 with errno set on a write error): path must be missing or a
 * regular file; a symbolic link is written through to its target, which
 * keeps its permissions. The data and the rename are synced; on failure
 * path is unchanged and no temporary file is left. Messages name path.
 */
int
file_write_atomic(const char *path, int (*fn)(FILE *, void *), void *arg,
    char **cause)
{
	char	*target, *tmp = NULL;
	mode_t	 mode;
	FILE	*fp = NULL;
	int	 fd, rc = -1, slot = -1;

	if ((target = file_target(path, &mode, cause)) == NULL)
		return -1;
	if ((tmp = error_printf("%s" FILE_TMP "%ld", target,
	    (long)getpid())) == NULL) {
		error_set(cause, "%s: out of memory", path);
		goto out;
	}
	slot = file_temp_add(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	    0666);
	if (fd == -1 || (mode != (mode_t)-1 && fchmod(fd, mode) != 0) ||
	    (fp = fdopen(fd, "wb")) == NULL) {
		error_set(cause, "cannot write %s: %s", path, strerror(errno));
		if (fd != -1) {
			close(fd);
			unlink(tmp);
		}
		goto out;
	}
	errno = 0;
	if (fn(fp, arg) != 0 || fflush(fp) != 0 || fsync(fileno(fp)) != 0) {
		error_set(cause, "cannot write %s: %s", path,
		    errno != 0 ? strerror(errno) : "write error");
		fclose(fp);
		unlink(tmp);
		goto out;
	}
	if (fclose(fp) != 0 || rename(tmp, target) != 0) {
		error_set(cause, "cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = file_sync_dir(path, target, cause);
out:
	file_temp_drop(slot);
	free(tmp);
	free(target);
	return rc;
}

/*
 * Removes the temporary files NAME.tmp.PID in dir left by processes that
 * are gone (a crash or kill -9 during file_write_atomic). Best effort: a
 * file that cannot be removed stays.
 */
void
file_clean_stale(const char *dir)
{
	struct dirent	*de;
	const char	*s;
	char		*end;
	DIR		*d;
	long		 pid;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if ((s = strstr(de->d_name, FILE_TMP)) == NULL)
			continue;
		while (strstr(s + 1, FILE_TMP) != NULL)
			s = strstr(s + 1, FILE_TMP);
		s += strlen(FILE_TMP);
		if (*s < '1' || *s > '9')
			continue;
		errno = 0;
		pid = strtol(s, &end, 10);
		if (*end != '\0' || errno != 0 || pid > INT_MAX)
			continue;
		if (kill((pid_t)pid, 0) == -1 && errno == ESRCH)
			unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}

/* Writes the text (a string) and a newline to fp; -1 on a write error. */
static int
file_put_text(FILE *fp, void *text)
{
	return fputs(text, fp) == EOF || fputc('\n', fp) == EOF ? -1 : 0;
}

/*
 * Writes text and a newline to path atomically (see file_write_atomic):
 * path keeps its old contents when anything fails.
 */
int
file_write_text(const char *path, const char *text, char **cause)
{
	return file_write_atomic(path, file_put_text, (void *)text, cause);
}
