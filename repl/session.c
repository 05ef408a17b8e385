/*
 * session.c - running lines: parse, dispatch through the command table,
 * and route output and errors.  Batch mode, verify and the REPL all run
 * lines here; they differ only in where the output goes.
 *
 * The session also keeps what the interactive REPL adds on top of batch
 * mode: the steps that undo walks back through, and the settings of `set`.
 * None of it changes what batch mode prints.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "command.h"
#include "theme.h"

void session_init(struct session *s, struct backend *be)
{
	memset(s, 0, sizeof(*s));
	s->be = be;
	s->err = stderr;
	s->diff = true;
	s->colour = COLOUR_AUTO;
	s->numbers = NUM_HUMAN;
	s->caret_col = -1;
	s->term_cols = 80;
	machine_params_default(&s->params);
}

void session_fini(struct session *s)
{
	if (s->be && s->be->ops->set_trace)
		s->be->ops->set_trace(s->be, NULL);
	sb_free(&s->out);
	sb_free(&s->tr);
	step_log_free(&s->log);
}

bool session_colour(const struct session *s)
{
	if (!s->interactive)
		return false;
	return s->colour == COLOUR_ON ||
	       (s->colour == COLOUR_AUTO && s->tty_colour);
}

struct machine *session_machine(const struct session *s)
{
	if (!s->be || strcmp(s->be->name, "engine") != 0)
		return NULL;
	return engine_backend_machine(s->be);
}

void format_size(const struct session *s, struct strbuf *sb,
		 unsigned long bytes)
{
	static const char units[] = "kMG";

	if (s->numbers == NUM_HEX) {
		sb_addf(sb, "%#lx", bytes);
		return;
	}
	if (s->numbers == NUM_DEC || !bytes || bytes % 1024) {
		sb_addf(sb, "%lu", bytes);
		return;
	}
	/* Exact, never rounded: what is printed can be typed back in. */
	for (int i = 2; i >= 0; i--) {
		unsigned long unit = 1UL << (10 * (i + 1));

		if (bytes % unit == 0) {
			sb_addf(sb, "%lu%c", bytes / unit, units[i]);
			return;
		}
	}
}

static void report(struct session *s, const char *kind, const char *fmt,
		   va_list ap)
{
	bool colour = session_colour(s);

	if (!s->err)
		return;
	fprintf(s->err, "%s%s:%s ",
		th_on(colour, *kind == 'e' ? TH_ERROR : TH_WARN), kind,
		th_off(colour));
	if (s->src)
		fprintf(s->err, "%s:%ld: ", s->src, s->line);
	vfprintf(s->err, fmt, ap);
	fputc('\n', s->err);
}

void session_error(struct session *s, const char *fmt, ...)
{
	va_list ap;

	s->errors++;
	va_start(ap, fmt);
	report(s, "error", fmt, ap);
	va_end(ap);
}

void session_warn(struct session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(s, "warning", fmt, ap);
	va_end(ap);
}

/*
 * In the REPL the line just typed is on the screen right above: point at
 * the part that is wrong, if it is on one screen line and plain text.
 */
static void show_caret(struct session *s, const char *line,
		       const struct parsed *p)
{
	size_t end = p->err_off + p->err_len;

	if (!s->interactive || s->caret_col < 0 || !s->err || !p->err_len ||
	    s->src || (size_t)s->caret_col + end >= (size_t)s->term_cols)
		return;
	for (size_t i = 0; i < end; i++)
		if (!isprint((unsigned char)line[i]))
			return;
	fprintf(s->err, "%*s%s^", s->caret_col + (int)p->err_off, "",
		th_on(session_colour(s), TH_ERROR));
	for (size_t i = 1; i < p->err_len; i++)
		fputc('~', s->err);
	fprintf(s->err, "%s\n", th_off(session_colour(s)));
}

/* Keep a step that changed the machine, so that undo can go back. */
static void record_step(struct session *s, const struct command *cmd,
			const char *line, size_t len)
{
	const char *e = line + len;
	char *text;

	if (!(cmd->flags & CMD_CHANGES) || s->replaying || !s->new_backend)
		return;
	while (line < e && isspace((unsigned char)*line))
		line++;
	while (e > line && isspace((unsigned char)e[-1]))
		e--;
	text = strndup(line, (size_t)(e - line));
	if (!text)
		abort();
	step_log_record(&s->log, text, cmd->flags & CMD_FRESH);
	free(text);
}

void session_run_line(struct session *s, const char *line, size_t len)
{
	struct parsed p;
	char err[600];

	sb_reset(&s->out);
	sb_reset(&s->tr);
	if (s->be->ops->set_trace)
		s->be->ops->set_trace(s->be, s->trace ? &s->tr : NULL);
	switch (parse_line(line, len, &p, err, sizeof(err))) {
	case PARSE_EMPTY:
		return;
	case PARSE_ERROR:
		show_caret(s, line, &p);
		session_error(s, "%s", err);
		return;
	case PARSE_SKIP:
		session_warn(s, "%s", err);
		return;
	case PARSE_OK:
		break;
	}
	if ((p.cmd->flags & CMD_ENGINE) && !session_machine(s)) {
		session_error(s, "%s: only the simulation can do this",
			      p.cmd->name);
	} else if (p.cmd->exec(s, &p) == 0) {
		record_step(s, p.cmd, line, len);
	}
	parsed_free(&p);
}

int session_run_lines(struct session *s, FILE *in,
		      void (*emit)(struct session *s, void *arg), void *arg)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while (!s->quit && (n = getline(&line, &cap, in)) >= 0) {
		if (s->interrupted && *s->interrupted) {
			session_error(s, "interrupted");
			break;
		}
		s->line++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		session_run_line(s, line, (size_t)n);
		emit(s, arg);
	}
	free(line);
	return s->errors ? 1 : 0;
}

void session_emit(struct session *s, void *out)
{
	fputs(sb_str(&s->out), out);
	fputs(sb_str(&s->tr), out);
	fflush(out);
}

int session_run_stream(struct session *s, FILE *in, FILE *out)
{
	return session_run_lines(s, in, session_emit, out);
}

/* ---- settings ---- */

static const char *const on_off[] = {"on", "off", NULL};
static const char *const colour_values[] = {"auto", "on", "off", NULL};
static const char *const number_values[] = {"human", "hex", "dec", NULL};

enum { SET_TRACE, SET_DIFF, SET_COLOUR, SET_NUMBERS };

const struct setting settings[] = {
	[SET_TRACE] = {"trace", on_off, "the engine's steps after each call"},
	[SET_DIFF] = {"diff", on_off, "what each line changed, as + - ~"},
	[SET_COLOUR] = {"colour", colour_values,
			"colour on a terminal; auto honours NO_COLOR"},
	[SET_NUMBERS] = {"numbers", number_values,
			 "sizes as 16k, 0x4000 or 16384"},
};
const size_t settings_count = sizeof(settings) / sizeof(settings[0]);

const char *setting_get(const struct session *s, const struct setting *st)
{
	switch (st - settings) {
	case SET_TRACE:
		return s->trace ? "on" : "off";
	case SET_DIFF:
		return s->diff ? "on" : "off";
	case SET_COLOUR:
		return colour_values[s->colour];
	default:
		return number_values[s->numbers];
	}
}

int setting_set(struct session *s, const struct setting *st, const char *value,
		char *err, size_t errlen)
{
	int i;

	for (i = 0; st->values[i]; i++)
		if (!strcmp(st->values[i], value))
			break;
	if (!st->values[i]) {
		size_t used =
			(size_t)snprintf(err, errlen, "%s is one of", st->name);

		for (i = 0; st->values[i] && used < errlen; i++)
			used += (size_t)snprintf(err + used, errlen - used,
						 "%s %s", i ? "," : "",
						 st->values[i]);
		return -1;
	}
	/* The values are listed in the order of their enums. */
	switch (st - settings) {
	case SET_TRACE:
		s->trace = i == 0;
		break;
	case SET_DIFF:
		s->diff = i == 0;
		break;
	case SET_COLOUR:
		s->colour = (enum colour_mode)i;
		break;
	default:
		s->numbers = (enum num_format)i;
		break;
	}
	return 0;
}
