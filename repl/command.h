/*
 * command.h - the one command table, in the manner of tmux's cmd_entry.
 *
 * Batch mode, the REPL, the UI and verify all dispatch through it.  Each
 * entry declares its syntax and argument types (so parsing, help and
 * completion are generated from it), its help text with an example, and
 * its handler.  A system call is an entry whose handler is cmd_syscall:
 * its number (nr.h) is all the engine and the kernel backend need to run
 * it, so adding one is a row here and the engine's code.
 */
#ifndef VMALAB_COMMAND_H
#define VMALAB_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include "parse.h"

enum cmd_syntax {
	SYN_CALL,  /* strace syntax: name(arg, arg) */
	SYN_WORDS, /* name arg arg */
};

enum cmd_flags {
	/* Reads the simulation's state: not available on the kernel. */
	CMD_ENGINE = 1 << 1,
	/* Not a step of a scenario (undo, help, save...): save leaves it
	 * out, and a scenario may not hold it. */
	CMD_META = 1 << 2,
	/* Works on the scenario store: refused when there is none. */
	CMD_STORE = 1 << 3,
	/* Reads or rewinds the step log (undo, redo, history), or may run
	 * lines that do (source): a script without one keeps no log. */
	CMD_STEPS = 1 << 4,
};

/* How a call's result prints: "= 3", "= 0x7f...", "= SIGSEGV (0x...)". */
enum result_kind { RES_INT, RES_ADDR, RES_SIGNAL, RES_NONE /* "?" */ };

struct session;

struct command {
	const char *name;
	const char *alias;
	const char *group; /* for help: "system calls", "vmalab", ... */
	enum cmd_syntax syntax;
	unsigned flags; /* enum cmd_flags */
	int min_args, max_args;
	enum arg_type args[MAX_ARGS];
	const char *usage;
	const char *summary;
	const char *help;
	/* Lines that run as they are in a fresh session, '\n' between. */
	const char *example;
	/* For cmd_syscall: the call's number and how its result prints. */
	int nr;
	enum result_kind result;
	/* Returns 0, or -1 for a usage error already reported. */
	int (*exec)(struct session *s, const struct parsed *p);
};

extern const struct command commands[];
extern const size_t commands_count;

/*
 * Exact name, then alias, then (if prefix) a unique prefix.  NULL if none,
 * with err saying why: unknown, or ambiguous (listing the candidates).
 */
const struct command *command_find(const char *name, bool prefix, char *err,
				   size_t errlen);
/* The command name closest to a misspelt one (not an ambiguous prefix of
 * several), or NULL. */
const char *command_suggest(const char *name);
/* The command that makes system call nr, or NULL. */
const struct command *command_for_nr(int nr);

#endif
