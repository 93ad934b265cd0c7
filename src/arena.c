/*
 * arena.c: one aligned allocation carved into float buffers. Sizing is done
 * by running the same carving code twice: first in planning mode (no memory,
 * only the total is counted), then for real after arena_commit.
 */
#include <string.h>

#include "core.h"

/* Floats per alignment unit: each buffer starts on a 64-byte boundary. */
#define ARENA_ALIGN 16

/* Starts a planning pass: arena_take only counts until arena_commit. */
void
arena_plan(struct arena *a)
{
	a->base = NULL;
	a->cap = 0;
	a->used = 0;
}

/* Allocates what the planning pass counted, zeroed; -1 when out of memory. */
int
arena_commit(struct arena *a, char **cause)
{
	size_t	n = a->used;

	if ((a->base = mem_aligned(n * sizeof(float))) == NULL)
		return error_set(cause, "out of memory allocating %zu MiB",
		    n * sizeof(float) >> 20);
	memset(a->base, 0, n * sizeof(float));
	a->cap = n;
	a->used = 0;
	return 0;
}

/*
 * Returns the next n floats. While planning it returns NULL and counts; after
 * commit it returns NULL only if the plan was smaller than the takes, which
 * is a programming error the callers check for.
 */
float *
arena_take(struct arena *a, size_t n)
{
	size_t	 start = a->used;

	n = (n + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
	if (a->base == NULL) {
		a->used += n;
		return NULL;
	}
	if (start + n > a->cap)
		return NULL;
	a->used += n;
	return a->base + start;
}

/* Forgets every buffer taken, keeping the memory for a new carving. */
void
arena_clear(struct arena *a)
{
	a->used = 0;
}

/* Frees the memory; the arena is empty afterwards. */
void
arena_free(struct arena *a)
{
	mem_free(a->base);
	arena_plan(a);
}
