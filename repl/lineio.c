/*
 * lineio.c - reading script lines with a bound.  A line is kept up to one
 * byte past MAX_LINE (so that the parser says it is too long) and the rest
 * of it is read but not kept: a gigabyte without a newline costs a line's
 * buffer, not a gigabyte.  A stop flag (Ctrl-C) is polled as it reads.
 */
#include <stdio.h>
#include "args.h"
#include "session.h"

#define POLL_BYTES 65536

long read_line_bounded(FILE *in, char *buf, size_t max,
		       const volatile sig_atomic_t *stop)
{
	size_t n = 0, seen = 0;
	int c;

	while ((c = getc_unlocked(in)) != EOF && c != '\n') {
		if (n < max)
			buf[n++] = (char)c;
		if (++seen % POLL_BYTES == 0 && stop && *stop)
			return -1;
	}
	if (c == EOF && !seen)
		return -1;
	buf[n] = '\0';
	return (long)n;
}
