/*
 * error.c: messages for fallible functions. They are allocated with plain
 * malloc (never the failing test allocator) so a report of an allocation
 * failure can itself be made.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "core.h"

/* Formats into a new string, or a fixed fallback when memory is short. */
static char *
error_vprintf(const char *fmt, va_list ap)
{
	va_list	 aq;
	char	*s;
	int	 len;

	va_copy(aq, ap);
	len = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (len < 0 || (s = malloc((size_t)len + 1)) == NULL)
		return NULL;
	vsnprintf(s, (size_t)len + 1, fmt, ap);
	return s;
}

/* Returns a newly allocated formatted message; the caller frees it. */
char *
error_printf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = error_vprintf(fmt, ap);
	va_end(ap);
	return s;
}

/* Stores a formatted message in *cause (if cause is set) and returns -1. */
int
error_set(char **cause, const char *fmt, ...)
{
	va_list	 ap;

	if (cause == NULL)
		return -1;
	va_start(ap, fmt);
	*cause = error_vprintf(fmt, ap);
	va_end(ap);
	return -1;
}
