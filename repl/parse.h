/*
 * parse.h - one parser for every input line: strace syntax
 * (`mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)`) and
 * word syntax (`touch 0x200000000000 16k`) both become a struct parsed,
 * checked against the command's declared argument types (args.h).
 * Handlers never see raw text, and every usage error is made here.
 */
#ifndef VMALAB_PARSE_H
#define VMALAB_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include "args.h"

struct command;
struct parsed {
	const struct command *cmd;
	char text[MAX_LINE + 1]; /* the call as written, result stripped */
	int argc;
	struct arg argv[MAX_ARGS];
	/* After PARSE_ERROR: the bytes of the line at fault, if known, and
	 * the name the user probably meant. */
	size_t err_off, err_len;
	const char *suggestion;
};

enum parse_result {
	PARSE_OK,    /* a command to run */
	PARSE_EMPTY, /* blank or comment: nothing to do */
	PARSE_ERROR, /* malformed: err says why */
	PARSE_SKIP,  /* a non-memory system call: err is the warning, and
		      * text what kind of line it is: the call's name, or
		      * "---" and "+++" for strace's signal and exit lines */
};

enum parse_result parse_line(const char *line, size_t len, struct parsed *p,
			     char *err, size_t errlen);
void parsed_free(struct parsed *p);

extern const char *const syscall_names[];
extern const int syscall_names_count;

#endif
