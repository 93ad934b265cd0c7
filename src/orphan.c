/*
 * orphan.c: a process that snn.sweep starts for one run ends when the
 * sweep's process ends, however it ends (kill -9 included), so that no
 * run goes on unwatched beside the same run started again. The sweep
 * hands its children the write end of a pipe whose read end it alone
 * holds, as the descriptor named by SNNWB_SWEEP_WATCH; a thread here
 * sleeps in poll(2) until the read end is closed (the pipe reports an
 * error then), removes the temporary files being written and ends the
 * process with status 255, which makes xargs(1) start no further runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"

/* The environment variable that names the descriptor to watch. */
#define ORPHAN_VAR "SNNWB_SWEEP_WATCH"

/* The status of a process ended because its sweep ended. */
#define ORPHAN_STATUS 255

/* Waits until the pipe fd has no reader left, then ends the process. */
static void *
orphan_main(void *arg)
{
	static const char	 msg[] = "snnwb: the sweep that started this "
				     "run has ended: stopping the run\n";
	struct pollfd		 pfd;

	pfd.fd = (int)(intptr_t)arg;
	pfd.events = 0;
	for (;;) {
		pfd.revents = 0;
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			break;
		if (pfd.revents != 0)
			break;
	}
	(void)write(STDERR_FILENO, msg, sizeof msg - 1);
	file_remove_temps();
	_exit(ORPHAN_STATUS);
}

/*
 * When SNNWB_SWEEP_WATCH names a pipe descriptor, watches it on a thread
 * of its own (see above); the variable is removed so that processes this
 * one starts do not watch it, and the descriptor is not passed on. Does
 * nothing without the variable or when it names no pipe.
 */
void
orphan_watch(void)
{
	pthread_t	 thread;
	sigset_t	 all, old;
	struct stat	 st;
	const char	*value;
	char		*end;
	long		 fd;
	int		 bad;

	if ((value = getenv(ORPHAN_VAR)) == NULL)
		return;
	errno = 0;
	fd = strtol(value, &end, 10);
	bad = errno != 0 || end == value || *end != '\0' ||
	    fd <= STDERR_FILENO || fd > INT_MAX;
	if (unsetenv(ORPHAN_VAR) != 0 || bad || fstat((int)fd, &st) != 0 ||
	    !S_ISFIFO(st.st_mode))
		return;
	(void)fcntl((int)fd, F_SETFD, FD_CLOEXEC);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if (pthread_create(&thread, NULL, orphan_main,
	    (void *)(intptr_t)fd) == 0)
		pthread_detach(thread);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}
