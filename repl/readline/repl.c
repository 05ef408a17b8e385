/*
 * repl.c - the interactive REPL on a terminal: GNU readline around the
 * same session, and so the same command table, as batch mode.
 *
 * It uses readline's callback interface with a select() loop rather than
 * readline() itself, so that Ctrl-C is a flag the loop acts on (clear the
 * line, new prompt) instead of work done inside a signal handler, and so
 * that the ncurses UI can later drive the same handlers.  Each line is run
 * by session_run_line(); then come its output (the result coloured), a
 * diff of the current process's VMAs (+ added, - removed, ~ changed), and
 * with `set trace on` the engine's trace.
 *
 * Readline calls its hooks with no context pointer and a signal handler
 * may only set a flag, so this file keeps the one piece of global state
 * in repl/: `repl` below, and the two signal flags.
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>
#include <readline/history.h>
#include <readline/readline.h>
#include "complete.h"
#include "engine.h"
#include "histfile.h"
#include "model.h"
#include "repl.h"
#include "theme.h"
#include "view.h"

static struct {
	struct session *s;
	char *histfile;
	bool done;
	char prompt[128];
	struct completion comp; /* the candidates of the current Tab */
	size_t comp_next;
	struct model model;  /* for the diff after each line */
	struct mm_diff last; /* the last line's that changed something:
			      * draw's highlight (s->last_diff) */
	int caret_col;	     /* prompt width, to point at errors; -1: no */
} repl;

static volatile sig_atomic_t got_sigint, got_sigwinch, got_sigtstp;

/*
 * A line that runs for more than PROGRESS_AFTER_MS shows how far it has
 * got on stderr (when that is a terminal), on one line redrawn at most
 * every PROGRESS_EVERY_MS, and cleared before anything else prints.
 */
#define PROGRESS_AFTER_MS 500
#define PROGRESS_EVERY_MS 100
static struct {
	struct timespec start, last;
	bool on, shown;
	char what[48]; /* the line, cut short */
} progress;

static long ms_since(const struct timespec *t, const struct timespec *now)
{
	return (now->tv_sec - t->tv_sec) * 1000 +
	       (now->tv_nsec - t->tv_nsec) / 1000000;
}

static void progress_start(const char *line)
{
	size_t n = strlen(line);

	progress.on = isatty(STDERR_FILENO);
	progress.shown = false;
	clock_gettime(CLOCK_MONOTONIC, &progress.start);
	progress.last = progress.start;
	if (n >= sizeof(progress.what))
		n = sizeof(progress.what) - 4;
	snprintf(progress.what, sizeof(progress.what), "%.*s%s", (int)n, line,
		 n < strlen(line) ? "..." : "");
}

static void progress_clear(void)
{
	if (!progress.shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	progress.shown = false;
}

/* The session's progress hook (session_progress()). */
static void show_progress(void *arg, const char *unit, unsigned long done,
			  unsigned long total)
{
	struct timespec now;

	(void)arg;
	if (!progress.on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (ms_since(&progress.start, &now) < PROGRESS_AFTER_MS ||
	    (progress.shown &&
	     ms_since(&progress.last, &now) < PROGRESS_EVERY_MS))
		return;
	progress.last = now;
	fflush(stdout);
	fprintf(stderr, "\r\033[K%s: %lu", progress.what, done);
	if (total)
		fprintf(stderr, " of %lu %s (%lu%%)", total, unit,
			(unsigned long)(100.0 * (double)done / (double)total));
	else
		fprintf(stderr, " %s", unit);
	fprintf(stderr, ", %lds; Ctrl-C stops",
		ms_since(&progress.start, &now) / 1000);
	fflush(stderr);
	progress.shown = true;
}

static void on_signal(int sig)
{
	if (sig == SIGINT)
		got_sigint = 1;
	else if (sig == SIGTSTP)
		got_sigtstp = 1;
	else
		got_sigwinch = 1;
}

/* "vmalab> ", or "vmalab:2> " once there is more than one process. */
static void update_prompt(void)
{
	struct session *s = repl.s;
	struct machine *m = session_machine(s);
	bool c = session_colour(s);
	char pid[16] = "";

	if (m && machine_pids(m, NULL, 0) > 1)
		snprintf(pid, sizeof(pid), ":%d", machine_current_pid(m));
	/* \001 and \002 tell readline the escapes take no room. */
	snprintf(repl.prompt, sizeof(repl.prompt), "%s%s%svmalab%s%s%s%s> ",
		 c ? "\001" : "", th_on(c, TH_PROMPT), c ? "\002" : "", pid,
		 c ? "\001" : "", th_off(c), c ? "\002" : "");
	repl.caret_col = (int)strlen("vmalab> ") + (int)strlen(pid);
	rl_set_prompt(repl.prompt);
}

/* Print out, its results coloured as their structs say (spans). */
static void print_output(const struct session *s, bool colour)
{
	const char *text = sb_str(&s->out);
	size_t at = 0;

	for (size_t i = 0; colour && i < s->nspans; i++) {
		const struct result_span *r = &s->spans[i];
		bool failed = r->kind == RES_SIGNAL
				      ? r->ret != 0
				      : r->ret < 0 && r->ret >= -4095;

		fwrite(text + at, 1, r->off - at, stdout);
		fputs(th_on(colour, failed ? TH_FAIL : TH_OK), stdout);
		fwrite(text + r->off, 1, r->len, stdout);
		fputs(th_off(colour), stdout);
		at = r->off + r->len;
	}
	fputs(text + at, stdout);
}

/* Print text line by line; TH_ADD means "colour by + - ~". */
static void print_text(const char *text, int role, bool colour)
{
	while (*text) {
		size_t n = strcspn(text, "\n");
		int r = role;

		if (role == TH_ADD)
			r = text[0] == '+'   ? TH_ADD
			    : text[0] == '-' ? TH_DEL
			    : text[0] == '~' ? TH_CHANGE
					     : TH_NOTE;
		fputs(th_on(colour, (enum theme_role)r), stdout);
		fwrite(text, 1, n, stdout);
		fprintf(stdout, "%s\n", th_off(colour));
		text += n + (text[n] == '\n');
	}
}

/*
 * The REPL's error sink: the message, coloured, and above it a caret
 * under the part of the line just typed that is wrong (if it is on one
 * screen line and plain text, and was typed rather than sourced).
 */
static void repl_diag(void *arg, const struct diag *d)
{
	struct session *s = arg;
	bool colour = session_colour(s);
	size_t end = d->col + d->len;
	bool caret = d->text && d->len && !d->src && repl.caret_col >= 0 &&
		     (size_t)repl.caret_col + end < (size_t)s->term_cols;

	fflush(stdout);
	progress_clear();
	for (size_t i = 0; caret && i < end; i++)
		if (!isprint((unsigned char)d->text[i]))
			caret = false;
	if (caret) {
		fprintf(stderr, "%*s%s^", repl.caret_col + (int)d->col, "",
			th_on(colour, TH_ERROR));
		for (size_t i = 1; i < d->len; i++)
			fputc('~', stderr);
		fprintf(stderr, "%s\n", th_off(colour));
	}
	diag_print(stderr, d,
		   th_on(colour, d->kind == DIAG_ERROR ? TH_ERROR : TH_WARN),
		   th_off(colour));
}

/* A sourced line's output and trace, printed as soon as it is done. */
static void emit_sourced(struct session *s, void *arg)
{
	bool colour = session_colour(s);

	(void)arg;
	progress_clear();
	print_output(s, colour);
	print_text(sb_str(&s->tr), TH_TRACE, colour);
	fflush(stdout);
}

/* Run one line, then print its output, its diff and its trace. */
static void run_one(const char *line, bool first)
{
	struct session *s = repl.s;
	struct machine *m;
	struct mm_diff diff = {0};
	struct strbuf text = STRBUF_INIT;
	bool colour = session_colour(s);
	int rows, cols, before;

	rl_get_screen_size(&rows, &cols);
	s->term_cols = cols > 0 ? cols : 80;
	/* Only the first line of a paste sits right after the prompt. */
	if (!first)
		repl.caret_col = -1;
	m = session_machine(s);
	before = m ? machine_current_pid(m) : 0;
	fflush(stdout);
	progress_start(line);
	session_run_line(s, line, strlen(line));
	progress_clear();
	got_sigint = 0; /* a Ctrl-C during the command was for it */
	m = session_machine(s);
	print_output(s, colour);
	/* The model follows every line, shown or not. */
	if (m) {
		int after = machine_current_pid(m);

		model_step(&repl.model, m, before == after ? after : 0, &diff);
		if (s->diff)
			mm_diff_text(s, &diff, &text);
		if (s->diff && before && before != after)
			sb_addf(&text, "  (now in pid %d)\n", after);
	}
	print_text(sb_str(&text), TH_ADD, colour);
	print_text(sb_str(&s->tr), TH_TRACE, colour);
	fflush(stdout);
	sb_free(&text);
	if (diff.n) {
		struct mm_diff t = repl.last;

		repl.last = diff;
		diff = t;
		s->last_diff = &repl.last;
	}
	mm_diff_free(&diff);
}

/* A line from readline; a paste may hold several. */
static void on_line(char *line)
{
	char *p, *nl;
	bool first = true;

	if (!line) {
		/* Ctrl-D on an empty line. */
		fputc('\n', stdout);
		repl.done = true;
		rl_callback_handler_remove();
		return;
	}
	for (p = line; !repl.s->quit; p = nl + 1, first = false) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		history_add_line(repl.histfile, p);
		run_one(p, first);
		if (!nl)
			break;
	}
	free(line);
	if (repl.s->quit) {
		repl.done = true;
		rl_callback_handler_remove();
		return;
	}
	update_prompt();
}

/* Ctrl-C: drop what was typed, as shells do, and prompt again. */
static void cancel_line(void)
{
	rl_point = rl_end;
	rl_redisplay();
	fputs("^C", stdout);
	fflush(stdout);
	rl_crlf();
	rl_callback_sigcleanup();
	rl_free_line_state();
	rl_replace_line("", 0);
	rl_point = 0;
	rl_on_new_line();
	rl_redisplay();
}

static char *next_match(const char *text, int state)
{
	(void)text;
	if (!state)
		repl.comp_next = 0;
	if (repl.comp_next >= repl.comp.n)
		return NULL;
	return strdup(repl.comp.words[repl.comp_next++]);
}

static char **attempt_completion(const char *text, int start, int end)
{
	char **matches;

	(void)end;
	completion_free(&repl.comp);
	complete_line(repl.s, rl_line_buffer, (size_t)start, text, &repl.comp);
	if (repl.comp.filenames)
		return NULL; /* readline's own file name completion */
	rl_attempted_completion_over = 1;
	rl_completion_append_character = repl.comp.append;
	if (!repl.comp.n)
		return NULL;
	matches = rl_completion_matches(text, next_match);
	completion_free(&repl.comp);
	return matches;
}

static void setup_readline(void)
{
	rl_readline_name = "vmalab"; /* $if vmalab in ~/.inputrc */
	rl_catch_signals = 0;	     /* Ctrl-C is ours: see cancel_line */
	rl_catch_sigwinch = 0;
	rl_attempted_completion_function = attempt_completion;
	/* "PROT_READ|PROT_W": each constant, argument and word completes. */
	rl_completer_word_break_characters = " \t,(|";
	rl_completer_quote_characters = "\"";
}

static void setup_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: select() must return so the loop sees the flag. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGWINCH, &sa, NULL);
	sigaction(SIGTSTP, &sa, NULL);
}

/*
 * Ctrl-Z: give the shell a sane terminal, stop, and on fg take raw mode
 * back and redraw the line (what readline does when it owns signals).
 */
static void suspend(void)
{
	rl_deprep_terminal();
	signal(SIGTSTP, SIG_DFL);
	raise(SIGTSTP);
	setup_signals();
	rl_prep_terminal(1);
	rl_forced_update_display();
}

static void print_banner(struct session *s)
{
	bool c = session_colour(s);

	printf("vmalab: Linux VMAs, simulated. %shelp%s lists the commands, "
	       "Tab completes,\nundo steps back, Ctrl-D leaves. Try: "
	       "%smap 0x200000000000 16k rw%s\n",
	       th_on(c, TH_HEAD), th_off(c), th_on(c, TH_HEAD), th_off(c));
}

int repl_run(struct session *s)
{
	const char *no_color = getenv("NO_COLOR"), *term = getenv("TERM");
	struct engine_observer mo;

	memset(&repl, 0, sizeof(repl));
	repl.s = s;
	repl.caret_col = -1;
	model_init(&repl.model);
	mo = model_observer(&repl.model);
	session_observe(s, &mo);
	model_step(&repl.model, session_machine(s), 0, NULL);
	s->interactive = true;
	s->src = NULL;
	s->interrupted = &got_sigint;
	s->progress = (struct progress_hook){show_progress, NULL};
	s->emit = emit_sourced;
	s->emit_arg = NULL;
	s->sink = (struct diag_sink){repl_diag, s};
	s->tty_colour = isatty(STDOUT_FILENO) && !(no_color && *no_color) &&
			!(term && !strcmp(term, "dumb"));
	setup_readline();
	setup_signals();
	repl.histfile = history_start();
	print_banner(s);
	update_prompt();
	rl_callback_handler_install(repl.prompt, on_line);
	while (!repl.done) {
		fd_set fds;
		int r;

		FD_ZERO(&fds);
		FD_SET(fileno(rl_instream), &fds);
		r = select(fileno(rl_instream) + 1, &fds, NULL, NULL, NULL);
		if (got_sigwinch) {
			got_sigwinch = 0;
			rl_resize_terminal();
		}
		if (got_sigtstp) {
			got_sigtstp = 0;
			suspend();
			continue;
		}
		if (got_sigint) {
			got_sigint = 0;
			cancel_line();
			continue;
		}
		if (r < 0 && errno != EINTR)
			break;
		if (r > 0)
			rl_callback_read_char();
	}
	if (!repl.done)
		rl_callback_handler_remove();
	completion_free(&repl.comp);
	history_finish(repl.histfile);
	session_unobserve(s, &mo);
	model_free(&repl.model);
	s->last_diff = NULL;
	mm_diff_free(&repl.last);
	/* Mistakes typed at a prompt were answered there: not a failure. */
	return 0;
}
