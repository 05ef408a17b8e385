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
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>
#include <readline/history.h>
#include <readline/readline.h>
#include "complete.h"
#include "engine.h"
#include "history.h"
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
} repl;

static volatile sig_atomic_t got_sigint, got_sigwinch, got_sigtstp;

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
	s->caret_col = (int)strlen("vmalab> ") + (int)strlen(pid);
	rl_set_prompt(repl.prompt);
}

/* Is text a call's result: 0x.., a number, -1 EXXX (...), SIGSEGV (..)? */
static int result_kind(const char *r, size_t len)
{
	size_t i = r[0] == '-' ? 1 : 0;

	if (len > 3 && (!strncmp(r, "-1 E", 4) || !strncmp(r, "SIG", 3)))
		return TH_FAIL;
	if (len > 2 && r[0] == '0' && r[1] == 'x')
		i = 2;
	if (i == len)
		return -1;
	for (; i < len; i++)
		if (!strchr("0123456789abcdef", r[i]))
			return -1;
	return TH_OK;
}

/* "CALL = RESULT": the result in green, or red when it failed. */
static void print_line(const char *line, size_t len, bool colour)
{
	const char *eq = NULL;
	int kind;

	for (size_t i = 0; i + 3 <= len; i++)
		if (!memcmp(line + i, " = ", 3))
			eq = line + i + 3;
	kind = eq ? result_kind(eq, len - (size_t)(eq - line)) : -1;
	if (!colour || kind < 0) {
		fwrite(line, 1, len, stdout);
	} else {
		fwrite(line, 1, (size_t)(eq - line), stdout);
		fputs(th_on(colour, (enum theme_role)kind), stdout);
		fwrite(eq, 1, len - (size_t)(eq - line), stdout);
		fputs(th_off(colour), stdout);
	}
	fputc('\n', stdout);
}

/* Print text line by line; role < 0 means "colour the results". */
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
		if (r < 0) {
			print_line(text, n, colour);
		} else {
			fputs(th_on(colour, (enum theme_role)r), stdout);
			fwrite(text, 1, n, stdout);
			fprintf(stdout, "%s\n", th_off(colour));
		}
		text += n + (text[n] == '\n');
	}
}

/* Run one line, then print its output, its diff and its trace. */
static void run_one(const char *line, bool first)
{
	struct session *s = repl.s;
	struct mm_snap before, after;
	struct strbuf diff = STRBUF_INIT;
	bool colour = session_colour(s);
	int rows, cols;

	rl_get_screen_size(&rows, &cols);
	s->term_cols = cols > 0 ? cols : 80;
	/* Only the first line of a paste sits right after the prompt. */
	if (!first)
		s->caret_col = -1;
	mm_snap_take(&before, s->diff ? session_machine(s) : NULL);
	fflush(stdout);
	session_run_line(s, line, strlen(line));
	got_sigint = 0; /* a Ctrl-C during the command was for it */
	mm_snap_take(&after, s->diff ? session_machine(s) : NULL);
	print_text(sb_str(&s->out), -1, colour);
	mm_snap_diff(s, &before, &after, &diff);
	if (before.pid && after.pid && before.pid != after.pid)
		sb_addf(&diff, "  (now in pid %d)\n", after.pid);
	print_text(sb_str(&diff), TH_ADD, colour);
	print_text(sb_str(&s->tr), TH_TRACE, colour);
	fflush(stdout);
	sb_free(&diff);
	mm_snap_free(&before);
	mm_snap_free(&after);
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

	memset(&repl, 0, sizeof(repl));
	repl.s = s;
	s->interactive = true;
	s->src = NULL;
	s->interrupted = &got_sigint;
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
	/* Mistakes typed at a prompt were answered there: not a failure. */
	return 0;
}
