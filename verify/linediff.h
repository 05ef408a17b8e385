/*
 * linediff.h - does the engine's output agree with the kernel's, and if
 * not, a diff that shows where.
 */
#ifndef VMALAB_LINEDIFF_H
#define VMALAB_LINEDIFF_H

#include <stdbool.h>

/* Do two outputs agree, once filtered to the test window and normalised? */
bool same_output(const char *kernel, const char *engine);
/* Print the two outputs (filtered to the window) as a labelled diff. */
void show_difference(const char *kernel, const char *engine);

#endif
