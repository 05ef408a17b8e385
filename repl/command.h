/*
 * command.h - the one command table, in the manner of tmux's cmd_entry.
 *
 * Batch mode, the REPL and verify all dispatch through commands[].  Each
 * entry declares its syntax and argument types (so parsing, help and
 * completion are generated from it), its help text with an example, and
 * its handler.  A command exists in this table and nowhere else.
 */
#ifndef VMALAB_COMMAND_H
#define VMALAB_COMMAND_H

#include <stdbool.h>
#include <stdio.h>
#include "backend.h"
#include "parse.h"
#include "strbuf.h"

enum cmd_syntax {
	SYN_CALL,	/* strace syntax: name(arg, arg) */
	SYN_WORDS,	/* name arg arg */
};

struct session;

struct command {
	const char *name;
	const char *alias;
	const char *group;	/* for help: "system calls", "vmalab", ... */
	enum cmd_syntax syntax;
	int min_args, max_args;
	enum arg_type args[MAX_ARGS];
	const char *usage;
	const char *summary;
	const char *help;
	const char *example;
	/* Returns 0, or -1 for a usage error already reported. */
	int (*exec)(struct session *s, const struct parsed *p);
};

extern const struct command commands[];
extern const size_t commands_count;

/*
 * Exact name, then alias, then (if prefix) a unique prefix.  NULL if none,
 * with err saying why: unknown (and the nearest name), or ambiguous.
 */
const struct command *command_find(const char *name, bool prefix, char *err,
				   size_t errlen);

/*
 * A session: a backend, where output goes, and how errors are reported.
 * Output of each line is gathered in out and handed on by the caller.
 */
struct session {
	struct backend *be;
	struct strbuf out;	/* results of the current line */
	struct strbuf tr;	/* trace of the current line */
	bool trace;
	const char *src;	/* file name for error locations, or NULL */
	long line;
	int errors;		/* malformed lines so far */
	FILE *err;		/* where error lines go */
};

void session_init(struct session *s, struct backend *be);
void session_fini(struct session *s);
/* Report a malformed line: "error: FILE:LINE: msg". */
void session_error(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void session_warn(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Parse and run one line; its output is left in s->out (and s->tr). */
void session_run_line(struct session *s, const char *line, size_t len);
/* Run a whole stream as batch mode does, printing to stdout. */
int session_run_stream(struct session *s, FILE *in, FILE *out);

/* Result formatting shared by every call: "-1 ENOMEM (Cannot ...)". */
void format_result(struct strbuf *sb, long ret, bool address);

#endif
