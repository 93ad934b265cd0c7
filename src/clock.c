/*
 * clock.c: the monotonic clock that every timing in snnwb reads (epochs,
 * samples per second, profiles, progress).
 */
#include <time.h>

#include "core.h"

/* Returns the seconds of the monotonic clock. */
double
clock_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
