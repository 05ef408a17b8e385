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

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include "backend.h"
#include "engine.h"
#include "parse.h"
#include "strbuf.h"

enum cmd_syntax {
	SYN_CALL,  /* strace syntax: name(arg, arg) */
	SYN_WORDS, /* name arg arg */
};

enum cmd_flags {
	/* Changes the machine: recorded as a step for undo, redo, history. */
	CMD_CHANGES = 1 << 0,
	/* Reads the simulation's state: not available on the kernel. */
	CMD_ENGINE = 1 << 1,
	/* Starts a fresh machine (reset): replay begins after it. */
	CMD_FRESH = 1 << 2,
};

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
	enum vcall call; /* the system call it makes, for cmd_syscall */
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
 * The steps of a session that changed the machine, for undo and redo.
 * The engine is deterministic, so a state is the list of lines that made
 * it: undo replays all but the last on a fresh machine.  steps[0..pos) are
 * applied; steps[pos..n) were undone and can be redone.
 */
struct step {
	char *line;
	bool reset; /* `reset`: replay starts after the last one */
};
struct step_log {
	struct step *steps;
	size_t n, cap, pos;
	/* More than STEP_LOG_MAX steps since the last reset: dropped, so
	 * that a long batch run does not keep every line it ran. */
	bool dropped;
};
#define STEP_LOG_MAX 20000

enum colour_mode { COLOUR_AUTO, COLOUR_ON, COLOUR_OFF };
enum num_format { NUM_HUMAN, NUM_HEX, NUM_DEC };

/*
 * A session: a backend, where output goes, and how errors are reported.
 * Output of each line is gathered in out and handed on by the caller.
 *
 * undo, redo and reset replace be with a new backend from new_backend
 * (NULL: they are not available, as in verify), so whoever holds the
 * session must read s->be afresh after each line, and destroy s->be.
 */
struct session {
	struct backend *be;
	struct strbuf out; /* results of the current line */
	struct strbuf tr;  /* trace of the current line */
	bool trace;
	bool trace_apart; /* a sourced line's trace stays out of out */
	const char *src;  /* file name for error locations, or NULL */
	long line;
	int errors; /* malformed lines so far */
	FILE *err;  /* where error lines go */

	/* For undo, redo and reset; NULL when stepping back is impossible. */
	struct backend *(*new_backend)(const struct machine_params *p);
	struct machine_params params; /* what new machines are made with */
	struct step_log log;
	bool replaying; /* running steps again: record nothing */

	/* The interactive REPL: settings, and the terminal's shape. */
	bool interactive;	 /* extras (diffs, colour) may be shown */
	bool diff;		 /* set diff: show what each line changed */
	enum colour_mode colour; /* set colour */
	enum num_format numbers; /* set numbers: sizes in diffs, vma */
	bool tty_colour;	 /* colour allowed: a terminal, no NO_COLOR */
	int caret_col;		 /* prompt width, to point at errors; -1: no */
	int term_cols;		 /* the terminal's width */
	int depth;		 /* source nesting */
	bool quit;		 /* quit was run: stop reading */
	/* Set from a signal handler (Ctrl-C): stop a long source. */
	const volatile sig_atomic_t *interrupted;
};

/* A setting of `set`: its name, its values, and what it does. */
struct setting {
	const char *name;
	const char *const *values; /* NULL-terminated */
	const char *summary;
};
extern const struct setting settings[];
extern const size_t settings_count;
/* The current value of a setting, as text. */
const char *setting_get(const struct session *s, const struct setting *st);
/* Change a setting: 0, or -1 with err saying why. */
int setting_set(struct session *s, const struct setting *st, const char *value,
		char *err, size_t errlen);

void session_init(struct session *s, struct backend *be);
void session_fini(struct session *s);
/* Is colour on?  Never outside the interactive REPL. */
bool session_colour(const struct session *s);
/* The engine's machine behind the session, or NULL (the kernel). */
struct machine *session_machine(const struct session *s);
/* "16k", "0x4000" or "16384", as `set numbers` says. */
void format_size(const struct session *s, struct strbuf *sb,
		 unsigned long bytes);

/* undo.c: the step log, and stepping through it. */
void step_log_record(struct step_log *log, const char *line, bool reset);
void step_log_free(struct step_log *log);
/* Rebuild the machine as it was after the first upto steps. */
int session_replay(struct session *s, size_t upto);
/* Run one line with no output, no trace and no errors (replay). */
void session_run_quiet(struct session *s, const char *line);
/* Report a malformed line: "error: FILE:LINE: msg". */
void session_error(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void session_warn(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Parse and run one line; its output is left in s->out (and s->tr). */
void session_run_line(struct session *s, const char *line, size_t len);
/*
 * Run each line of in (newlines stripped), calling emit after each with
 * the line's output in s->out and s->tr.  Stops at quit or an interrupt.
 * Returns 1 if any line was malformed, else 0.
 */
int session_run_lines(struct session *s, FILE *in,
		      void (*emit)(struct session *s, void *arg), void *arg);
/* Print a line's output and then its trace to out (a FILE *). */
void session_emit(struct session *s, void *out);
/* Run a whole stream as batch mode does, printing to stdout. */
int session_run_stream(struct session *s, FILE *in, FILE *out);

/* Result formatting shared by every call: "-1 ENOMEM (Cannot ...)". */
void format_result(struct strbuf *sb, long ret, bool address);

#endif
