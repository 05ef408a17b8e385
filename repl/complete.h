/*
 * complete.h - what Tab may insert where the cursor is, worked out from
 * the command table: command names first, then for each argument position
 * what its declared type accepts (PROT_ constants in mmap's third, MAP_ in
 * its fourth, the start addresses of the VMAs where an address goes, ...).
 *
 * Pure: no readline here, so that tests can ask it directly.  repl.c hands
 * the words to readline.
 */
#ifndef VMALAB_COMPLETE_H
#define VMALAB_COMPLETE_H

#include <stdbool.h>
#include <stddef.h>
#include "session.h"

struct completion {
	char **words; /* the candidates that start with the word */
	size_t n, cap;
	char append;	/* what follows a unique match: ' ', '(' or 0 */
	bool filenames; /* a file name goes here: complete files */
};

/*
 * line[0..start) is the text before the word being completed, and word
 * (NUL-terminated) is what has been typed of it.
 */
void complete_line(const struct session *s, const char *line, size_t start,
		   const char *word, struct completion *out);
void completion_free(struct completion *c);

#endif
