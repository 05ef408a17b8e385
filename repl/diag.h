/*
 * diag.h - the one error sink.  A malformed line, a refused command or a
 * warning is a struct diag, handed to whatever sink the front end
 * installed: batch mode prints `error: FILE:LINE: msg`, the REPL points a
 * caret at the bad argument, the UI puts it in its status line, a replay
 * drops it.  Nothing that reports an error knows where it goes.
 */
#ifndef VMALAB_DIAG_H
#define VMALAB_DIAG_H

#include <stddef.h>
#include <stdio.h>

enum diag_kind { DIAG_ERROR, DIAG_WARNING };

struct diag {
	enum diag_kind kind;
	const char *src; /* the script's name, or NULL for a typed line */
	long line;	 /* its line number (with src) */
	/* The line as given, and the bytes of it at fault (len 0: none). */
	const char *text;
	size_t col, len;
	const char *msg;	/* "mmap: argument 3: unknown constant X" */
	const char *suggestion; /* "PROT_READ" (did you mean), or NULL */
};

struct diag_sink {
	void (*report)(void *arg, const struct diag *d);
	void *arg;
};

/* "error: FILE:LINE: msg (did you mean S?)\n", as batch mode prints it. */
void diag_print(FILE *f, const struct diag *d, const char *colour_on,
		const char *colour_off);
/* The sink that prints to the FILE * in arg (stderr in batch mode). */
void diag_to_file(void *arg, const struct diag *d);
/* The sink that drops everything (replays). */
extern const struct diag_sink diag_null;

#endif
