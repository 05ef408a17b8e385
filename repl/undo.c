/*
 * undo.c - stepping the whole machine back and forward.
 *
 * The engine is deterministic, so the state after n steps is whatever
 * replaying those n lines on a fresh machine gives: no snapshots, no
 * inverse operations, and every process, file and anon_vma comes back
 * exactly (even the ids that traces print).  undo rebuilds the machine from
 * the steps before the last one; redo runs the next step again; reset
 * starts a fresh machine and is itself a step, so undo can go back past it.
 */
#include <stdlib.h>
#include <string.h>
#include "handlers.h"

static void step_log_clear(struct step_log *log)
{
	for (size_t i = 0; i < log->n; i++)
		free(log->steps[i].line);
	log->n = log->pos = 0;
}

void step_log_record(struct step_log *log, const char *line, bool reset)
{
	/* A reset needs nothing before it: a dropped log starts again. */
	if (reset && log->dropped) {
		log->dropped = false;
		step_log_clear(log);
	}
	if (log->dropped)
		return;
	if (log->n >= STEP_LOG_MAX) {
		step_log_clear(log);
		log->dropped = true;
		return;
	}
	/* A new step after an undo drops the undone ones, as editors do. */
	for (size_t i = log->pos; i < log->n; i++)
		free(log->steps[i].line);
	log->n = log->pos;
	if (log->n == log->cap) {
		log->cap = log->cap ? 2 * log->cap : 64;
		log->steps =
			realloc(log->steps, log->cap * sizeof(log->steps[0]));
		if (!log->steps)
			abort();
	}
	log->steps[log->n].line = strdup(line);
	if (!log->steps[log->n].line)
		abort();
	log->steps[log->n].reset = reset;
	log->pos = ++log->n;
}

void step_log_free(struct step_log *log)
{
	for (size_t i = 0; i < log->n; i++)
		free(log->steps[i].line);
	free(log->steps);
	memset(log, 0, sizeof(*log));
}

void session_run_quiet(struct session *s, const char *line)
{
	struct session saved = *s;

	memset(&s->out, 0, sizeof(s->out));
	memset(&s->tr, 0, sizeof(s->tr));
	s->err = NULL;
	s->trace = false;
	s->replaying = true;
	session_run_line(s, line, strlen(line));
	sb_free(&s->out);
	sb_free(&s->tr);
	/* Keep what the line changed (the backend, quit); restore the rest. */
	s->out = saved.out;
	s->tr = saved.tr;
	s->err = saved.err;
	s->trace = saved.trace;
	s->replaying = saved.replaying;
	s->errors = saved.errors;
	s->src = saved.src;
	s->line = saved.line;
}

/* Replace the backend with a fresh machine. */
static void fresh_machine(struct session *s)
{
	struct backend *old = s->be;

	s->be = s->new_backend(&s->params);
	if (old->ops->set_trace)
		old->ops->set_trace(old, NULL);
	old->ops->destroy(old);
}

int session_replay(struct session *s, size_t upto)
{
	size_t start = 0;

	if (!s->new_backend || upto > s->log.n)
		return -1;
	for (size_t i = 0; i < upto; i++)
		if (s->log.steps[i].reset)
			start = i + 1;
	fresh_machine(s);
	for (size_t i = start; i < upto; i++)
		session_run_quiet(s, s->log.steps[i].line);
	s->log.pos = upto;
	return 0;
}

/* How many steps: the optional count, checked against what there is. */
static int step_count(struct session *s, const struct parsed *p, size_t avail,
		      const char *what)
{
	unsigned long n = p->argc ? p->argv[0].num : 1;

	if (!s->new_backend) {
		session_error(s, "%s: not available here", p->cmd->name);
		return -1;
	}
	if (s->log.dropped) {
		session_error(s,
			      "%s: over %d steps since the last reset are "
			      "too many to keep (reset starts afresh)",
			      p->cmd->name, STEP_LOG_MAX);
		return -1;
	}
	if (!avail) {
		session_error(s, "%s: nothing to %s", p->cmd->name, what);
		return -1;
	}
	if (n == 0 || n > avail) {
		session_error(s, "%s: %lu step%s: there %s only %zu to %s",
			      p->cmd->name, n, n == 1 ? "" : "s",
			      avail == 1 ? "is" : "are", avail, what);
		return -1;
	}
	return (int)n;
}

int cmd_undo(struct session *s, const struct parsed *p)
{
	int n = step_count(s, p, s->log.pos, "undo");

	if (n < 0)
		return -1;
	for (size_t i = s->log.pos; i > s->log.pos - (size_t)n; i--)
		sb_addf(&s->out, "undo: %s\n", s->log.steps[i - 1].line);
	return session_replay(s, s->log.pos - (size_t)n);
}

int cmd_redo(struct session *s, const struct parsed *p)
{
	int n = step_count(s, p, s->log.n - s->log.pos, "redo");

	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		const char *line = s->log.steps[s->log.pos].line;

		sb_addf(&s->out, "redo: %s\n", line);
		session_run_quiet(s, line);
		s->log.pos++;
	}
	return 0;
}

int cmd_reset(struct session *s, const struct parsed *p)
{
	if (!s->new_backend) {
		session_error(s, "reset: not available here");
		return -1;
	}
	fresh_machine(s);
	sb_puts(&s->out, "reset: a fresh machine (undo brings the old one "
			 "back)\n");
	return 0;
}

int cmd_history(struct session *s, const struct parsed *p)
{
	const struct step_log *log = &s->log;

	if (log->dropped) {
		sb_addf(&s->out,
			"over %d steps since the last reset: not kept "
			"(reset starts afresh)\n",
			STEP_LOG_MAX);
		return 0;
	}
	if (!log->n) {
		sb_puts(&s->out, "no steps yet (history lists the lines that "
				 "changed the machine)\n");
		return 0;
	}
	for (size_t i = 0; i < log->n; i++)
		sb_addf(&s->out, "%5zu  %s%s\n", i + 1, log->steps[i].line,
			i < log->pos ? "" : "   (undone: redo runs it again)");
	return 0;
}
