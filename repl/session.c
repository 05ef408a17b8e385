/*
 * session.c - running lines: parse, dispatch through the command table,
 * and route output and errors.  Batch mode, verify and the REPL all run
 * lines here; they differ only in where the output goes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "command.h"

void session_init(struct session *s, struct backend *be)
{
	memset(s, 0, sizeof(*s));
	s->be = be;
	s->err = stderr;
}

void session_fini(struct session *s)
{
	if (s->be && s->be->ops->set_trace)
		s->be->ops->set_trace(s->be, NULL);
	sb_free(&s->out);
	sb_free(&s->tr);
}

static void report(struct session *s, const char *kind, const char *fmt,
		   va_list ap)
{
	if (!s->err)
		return;
	fprintf(s->err, "%s: ", kind);
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
		session_error(s, "%s", err);
		return;
	case PARSE_SKIP:
		session_warn(s, "%s", err);
		return;
	case PARSE_OK:
		break;
	}
	p.cmd->exec(s, &p);
	parsed_free(&p);
}

int session_run_stream(struct session *s, FILE *in, FILE *out)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, in)) >= 0) {
		s->line++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		session_run_line(s, line, (size_t)n);
		fputs(sb_str(&s->out), out);
		fputs(sb_str(&s->tr), out);
		fflush(out);
	}
	free(line);
	return s->errors ? 1 : 0;
}
