/*
 * session.h - running lines against a backend: parse, dispatch through
 * the command table, keep the results and the steps, and route output,
 * events and errors.  Batch mode, the REPL, the UI and verify each hold a
 * session; they differ only in the sinks they install.
 */
#ifndef VMALAB_SESSION_H
#define VMALAB_SESSION_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include "backend.h"
#include "command.h"
#include "diag.h"
#include "engine.h"
#include "strbuf.h"

/*
 * A call's result, kept as a struct: the text in out is made from it
 * ("= -1 ENOMEM (...)" at [off, off + len)), and front ends colour or
 * record it from here, never by reading the text back.
 */
struct result_span {
	int nr;
	enum result_kind kind;
	long ret;	     /* value or -errno; for RES_SIGNAL the signal */
	unsigned long fault; /* RES_SIGNAL: the page that faulted */
	size_t off, len;     /* the result's text in out */
};

/*
 * The steps of a session that changed the machine, for undo, redo and
 * history.  A step is one line and the calls (or switches) it made, kept
 * as calls: replay hands them straight to a fresh backend, with no
 * parsing and no output.  steps[0..pos) are applied; steps[pos..n) were
 * undone and can be redone.
 */
struct step_action {
	bool is_switch; /* else a call */
	struct call c;	/* c.path points at path */
	char *path;
	int pid;
	/* Interrupted (Ctrl-C) when its poll heard this many pages done
	 * (0: it ran whole): a replay stops it at the same page. */
	unsigned long stop_at;
};
struct step {
	char *line;
	bool reset; /* `reset`: replay starts after the last one */
	struct step_action *acts;
	size_t n;
	size_t cum; /* actions in the log up to and with this step */
};
/* A line that printed without changing the machine (maps, echo...),
 * after the first at steps: with the steps, what `save` keeps. */
struct view_line {
	char *line;
	size_t at;
};
/*
 * A checkpoint: a copy of the machine as it was after the first at steps
 * (machine_clone()).  A jump starts from the nearest one at or before its
 * step (or from the machine it has, or a fresh one after a reset,
 * whichever is nearer) and replays the steps' calls from there.
 */
struct checkpoint {
	size_t at;
	struct machine *m;
};
struct step_log {
	struct step *steps;
	size_t n, cap, pos;
	struct view_line *views;
	size_t nviews, capviews;
	struct checkpoint *cps; /* by at, ascending */
	size_t ncps, capcps;
	/* A checkpoint is taken once this many calls were made since the
	 * last one (0: STEP_CHECKPOINT_EVERY); thinned out (every other
	 * one dropped, the interval doubled) past STEP_CHECKPOINT_BYTES. */
	size_t interval;
	size_t cp_bytes; /* what the checkpoints hold, roughly */
};
#define STEP_CHECKPOINT_EVERY 1024
#define STEP_CHECKPOINT_BYTES (256UL << 20)

enum colour_mode { COLOUR_AUTO, COLOUR_ON, COLOUR_OFF };
enum num_format { NUM_HUMAN, NUM_HEX, NUM_DEC };

#define SESSION_MAX_OBSERVERS 6

struct store;
struct scn_state;
struct mm_diff;

/*
 * A session: a backend, the output of the current line, and where events
 * and errors go.  undo, redo and reset replace be with a new backend from
 * new_backend (NULL: they are not available, as in verify), so whoever
 * holds the session must read s->be afresh after each line, and destroy
 * s->be at the end.
 */
struct session {
	struct backend *be;
	struct strbuf out; /* results of the current line */
	struct strbuf tr;  /* trace (and event) lines of the current line */
	struct result_span *spans; /* the results in out */
	size_t nspans, capspans;
	unsigned calls; /* calls the current line made */
	/* The first call of the line that the engine does not simulate
	 * (it returned -ENOSYS): its number, or 0. */
	int unsimulated;
	bool killed;	/* the last call's process was killed in it (OOM) */
	bool refused;	/* the last call was refused (a zombie's) */
	const struct command *last_cmd; /* the line's command, if it parsed */
	bool trace;			/* `# ...` lines after each call */
	/* set check: the engine's checkers around every operation (on
	 * from the start when VMALAB_CHECK=1, as the test suites run) */
	bool check;
	unsigned long violations; /* what they found, in all */
	bool events;		  /* JSON lines of the engine's events */
	bool trace_apart;	  /* a sourced line's trace stays out of out */
	const char *src;	  /* file name for error locations, or NULL */
	long line;
	int errors; /* malformed lines so far */
	struct diag_sink sink;

	/* Observers kept on every machine this session makes. */
	struct engine_observer obs[SESSION_MAX_OBSERVERS];
	int nobs;

	/* For undo, redo and reset; NULL when stepping back is impossible. */
	struct backend *(*new_backend)(const struct machine_params *p);
	struct machine_params params; /* what new machines are made with */
	struct step_log log;
	struct step pending; /* what the current line has done so far */
	/* The calls the last line made (in the log if it was a step). */
	const struct step_action *line_acts;
	size_t line_nacts;
	struct step unkept; /* the last line's, when it was no step */
	/* Keep each line's calls (line_acts) even with no log: verify. */
	bool keep_calls;
	/* No log: the script never steps back (script_may_step()). */
	bool no_steps;
	/* Lines skipped (strace lines of calls not simulated), by kind: a
	 * script warns once per kind, and session_skipped() counts them. */
	struct skipped_kind {
		char name[64];
		unsigned long n;
	} * skipped;
	size_t nskipped;

	/* The interactive REPL: settings, and the terminal's shape. */
	bool interactive;	 /* extras (diffs, colour) may be shown */
	bool diff;		 /* set diff: show what each line changed */
	enum colour_mode colour; /* set colour */
	enum num_format numbers; /* set numbers: sizes in diffs, vma */
	bool tty_colour;	 /* colour allowed: a terminal, no NO_COLOR */
	int term_cols;		 /* the terminal's width */
	int depth;		 /* source nesting */
	bool quit;		 /* quit was run: stop reading */
	/* A real program's log being replayed (replay.h), or NULL. */
	struct replay *replay;
	/* The last step's difference, kept by a front end that follows the
	 * steps with a model (the UI, the REPL), for `draw`'s highlight;
	 * NULL: none (batch mode keeps no model). */
	const struct mm_diff *last_diff;
	/* Set from a signal handler (Ctrl-C), or by the UI when it reads
	 * Ctrl-C during a line: stop a long source, touch, populate, load,
	 * replay or undo (session_progress()). */
	const volatile sig_atomic_t *interrupted;
	/* A front end's display of a long line's progress (the REPL on
	 * stderr, the UI on its status line), or fn NULL. */
	struct progress_hook {
		void (*fn)(void *arg, const char *unit, unsigned long done,
			   unsigned long total);
		void *arg;
	} progress;
	/* The last call's step_action.stop_at, of about stopped_of pages. */
	unsigned long stopped_at, stopped_of;

	/* The scenario store (store.h), NULL when there is none; what the
	 * scenario commands keep between lines (the loaded scenario, the
	 * quiz in progress: scn.h). */
	struct store *store;
	struct scn_state *scn;
	/*
	 * Where each line's output goes as soon as the line is done (set
	 * by session_run_lines() and the front ends), so that a sourced
	 * line's output comes before the next line's errors.  NULL: the
	 * caller reads s->out (verify), and source gathers into it.
	 */
	void (*emit)(struct session *s, void *arg);
	void *emit_arg;
	int write_error; /* errno of a failed write of the output */
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

/*
 * Observers of the engine's events, attached now and to every machine
 * the session makes later (after undo or reset).  0, or -errno.
 */
int session_observe(struct session *s, const struct engine_observer *o);
void session_unobserve(struct session *s, const struct engine_observer *o);
/*
 * Checking mode on the session's machine (and every later one): after
 * each line, what the checkers found is reported as errors.
 */
void session_set_check(struct session *s, bool on);
/* Apply the session's settings to a machine it just made. */
void session_apply_check(struct session *s);
/* Turn the trace (`# ...` lines) or the JSON event lines on or off. */
void session_set_trace(struct session *s, bool on);
void session_set_events(struct session *s, bool on);

/*
 * Run a call and keep it as a step of the current line.  Returns the
 * result (value, -errno, or for NR_TOUCH the signal with *fault).
 */
long session_call(struct session *s, const struct call *c,
		  unsigned long *fault);
/* Switch processes: 0, or -ESRCH.  A step like a call. */
int session_switch(struct session *s, int pid);
/* Print "TEXT = RESULT\n" into out for a call's result. */
void session_result(struct session *s, const char *text, int nr,
		    enum result_kind kind, long ret, unsigned long fault);

/* Report a malformed line or a refused command to the sink. */
void session_error(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* What the engine's checkers found: an error line, not a malformed one. */
void session_violation(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void session_warn(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* An error with the name the user probably meant ("did you mean"). */
void session_error_suggest(struct session *s, const char *suggestion,
			   const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * A skipped line of kind (a call's name, or "---" and "+++" for strace's
 * signal and exit lines): warn the first time, count for the totals that
 * session_skipped() gives at the end of a script.
 */
void session_skip(struct session *s, const char *kind, const char *warn);

/* Parse and run one line; its output is left in s->out (and s->tr). */
void session_run_line(struct session *s, const char *line, size_t len);
/*
 * Run each line of in (newlines stripped), calling emit after each with
 * the line's output in s->out and s->tr.  Stops at quit or an interrupt.
 * Returns 1 if any line was malformed, else 0.
 */
int session_run_lines(struct session *s, FILE *in,
		      void (*emit)(struct session *s, void *arg), void *arg);
/*
 * The same over a whole script in memory: text[len] must be writable
 * and NUL, and each newline becomes a NUL as its line is run.
 */
int session_run_text(struct session *s, char *text, size_t len,
		     void (*emit)(struct session *s, void *arg), void *arg);
/*
 * lineio.c: read one line (its newline dropped) into buf,
 * which holds max + 1 bytes.  Past max bytes the line is read to its end
 * but not kept: a line too long comes back as max bytes, so give max =
 * MAX_LINE + 1 and the parser rejects it.  Returns the length, or -1 at
 * the end of in, on a read error (ferror) or when *stop is set.
 */
/*
 * A long operation has done of total units ("pages", "lines", "steps";
 * total 0: not known): the front end's progress hook hears it.  True if
 * it must stop now (Ctrl-C); the caller stops where the state is whole
 * (between lines or steps; a call at a page) and says so.
 */
bool session_progress(struct session *s, const char *unit, unsigned long done,
		      unsigned long total);
long read_line_bounded(FILE *in, char *buf, size_t max,
		       const volatile sig_atomic_t *stop);
/* Print a line's output and then its trace to out (a FILE *). */
void session_emit(struct session *s, void *out);
/* Run a whole stream as batch mode does, printing to stdout. */
int session_run_stream(struct session *s, FILE *in, FILE *out);
/*
 * Batch mode's way with a script: a regular file is read whole and run
 * from memory, with no step log unless it can step back; anything else
 * runs as a stream.  The skipped-line totals come at the end.
 */
int session_run_file(struct session *s, FILE *in, FILE *out);
/*
 * The warnings for skipped lines that a script did not repeat: how many
 * of each kind were skipped in all, for kinds skipped more than once.
 */
void session_skipped(struct session *s);

/* undo.c: the step log, and stepping through it. */
void step_log_free(struct step_log *log);
/*
 * Could a script step back through the log: does a line of text (lines
 * end at newlines, and at every ';' for one-liners) name a command that
 * does (CMD_STEPS), by name, alias or prefix?  A script that cannot
 * needs no log: batch mode then keeps none (s->no_steps).
 */
bool text_may_step(const char *text, size_t len);
/*
 * Keep the current line's step in the log if it changed the machine
 * (changed: its state digest moved) or was a reset.
 */
void session_commit_step(struct session *s, const char *line, size_t len,
			 bool reset, bool changed);
/* Keep a line that printed without changing the machine, after the
 * steps applied now. */
void session_keep_view(struct session *s, const char *line, size_t len);
/*
 * The timeline: the log holds session_steps() steps, the first
 * session_pos() of them applied.  session_jump() brings the machine to
 * the state after the first step steps (0: the start), as undo and redo
 * do, keeping every step so that any of them can be jumped to again;
 * then session_pos() is step.  0, or -1 if step is past the log or the
 * session cannot step (verify).  Observers hear nothing of the replay;
 * a model attached to the session compares the new machine once.
 * Ctrl-C (session_progress()) stops a long replay between two steps:
 * then session_pos() is where it stopped, and an error says so.
 */
int session_jump(struct session *s, size_t step);
/*
 * Run step i (0-based) again on the state before it with only o
 * listening (explain), then bring the machine back to where it was.
 * 0, or -1 as session_jump().  A reset step tells o nothing.
 */
int session_replay_step(struct session *s, size_t i,
			const struct engine_observer *o);
size_t session_steps(const struct session *s);
size_t session_pos(const struct session *s);
/* The line of step i (0-based), as typed (trimmed), or NULL. */
const char *session_step_line(const struct session *s, size_t i);
/* Replace the backend with a fresh machine, observers attached. */
void session_fresh_machine(struct session *s);

/* Result formatting shared by every call: "-1 ENOMEM (Cannot ...)". */
void format_result(struct strbuf *sb, long ret, bool address);

#endif
