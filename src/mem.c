/*
 * mem.c: the engine's allocator. Every engine allocation goes through here
 * so that a test can make the Nth call fail and check the error path.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* Calls left before failure; negative means never fail. */
static long mem_countdown = -1;

/* Returns nonzero when the simulated allocation failure is due now. */
static int
mem_should_fail(void)
{
	if (mem_countdown < 0)
		return 0;
	if (mem_countdown == 0)
		return 1;
	mem_countdown--;
	return 0;
}

/* Lets the next n allocations succeed and fails all after; -1 restores. */
void
mem_fail_after(long n)
{
	mem_countdown = n;
}

/* malloc that can be made to fail; the caller frees with mem_free. */
void *
mem_alloc(size_t size)
{
	if (mem_should_fail())
		return NULL;
	return malloc(size == 0 ? 1 : size);
}

/* calloc that can be made to fail; the caller frees with mem_free. */
void *
mem_calloc(size_t n, size_t size)
{
	if (mem_should_fail())
		return NULL;
	return calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);
}

/* realloc that can be made to fail; p is untouched on failure. */
void *
mem_realloc(void *p, size_t size)
{
	if (mem_should_fail())
		return NULL;
	return realloc(p, size == 0 ? 1 : size);
}

/* A 64-byte aligned block (for vector loops and BLAS); freed with mem_free. */
void *
mem_aligned(size_t size)
{
	void	*p;

	if (mem_should_fail())
		return NULL;
	size = (size + 63) & ~(size_t)63;
	if (posix_memalign(&p, 64, size == 0 ? 64 : size) != 0)
		return NULL;
	return p;
}

/* Frees memory from any function above; NULL is allowed. */
void
mem_free(void *p)
{
	free(p);
}

/* strdup through the failing allocator; the caller frees with mem_free. */
char *
mem_strdup(const char *s)
{
	size_t	 len = strlen(s) + 1;
	char	*copy;

	if ((copy = mem_alloc(len)) != NULL)
		memcpy(copy, s, len);
	return copy;
}
