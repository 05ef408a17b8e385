/*
 * diag.c - printing diagnostics, and the sinks everyone shares.
 */
#include <stdio.h>
#include "diag.h"

void diag_print(FILE *f, const struct diag *d, const char *colour_on,
		const char *colour_off)
{
	fprintf(f, "%s%s:%s ", colour_on,
		d->kind == DIAG_ERROR ? "error" : "warning", colour_off);
	if (d->src)
		fprintf(f, "%s:%ld: ", d->src, d->line);
	fputs(d->msg, f);
	if (d->suggestion)
		fprintf(f, " (did you mean %s?)", d->suggestion);
	fputc('\n', f);
}

void diag_to_file(void *arg, const struct diag *d)
{
	/* What was printed before the error comes before it. */
	fflush(stdout);
	diag_print(arg, d, "", "");
}

static void drop(void *arg, const struct diag *d)
{
	(void)arg;
	(void)d;
}

const struct diag_sink diag_null = {drop, NULL};
