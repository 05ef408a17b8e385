/*
 * undo.c - stepping the whole machine back and forward.
 *
 * The engine is deterministic, so the state after n steps is whatever
 * replaying those n steps' calls on a fresh machine gives: no inverse
 * operations, and every process, file and anon_vma comes back exactly
 * (even the ids that traces print).  A step keeps the calls its line made,
 * so a replay hands them straight to the backend: no parsing, no output,
 * no errors, no observers.  undo rebuilds the machine from the steps
 * before the last one; redo runs the next step's calls again; reset
 * starts a fresh machine and is itself a step, so undo can go back past it.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "handlers.h"

static void step_free(struct step *st)
{
	for (size_t i = 0; i < st->n; i++)
		free(st->acts[i].path);
	free(st->acts);
	free(st->line);
	memset(st, 0, sizeof(*st));
}

/* Forget the views after the first at steps (after an undo, views of
 * the undone steps may come before views of earlier ones). */
static void views_trim(struct step_log *log, size_t at)
{
	size_t kept = 0;

	for (size_t i = 0; i < log->nviews; i++) {
		if (log->views[i].at > at)
			free(log->views[i].line);
		else
			log->views[kept++] = log->views[i];
	}
	log->nviews = kept;
}

static void step_log_clear(struct step_log *log)
{
	for (size_t i = 0; i < log->n; i++)
		step_free(&log->steps[i]);
	log->n = log->pos = 0;
	views_trim(log, 0);
	for (size_t i = 0; i < log->nviews; i++)
		free(log->views[i].line);
	log->nviews = 0;
}

void step_log_free(struct step_log *log)
{
	step_log_clear(log);
	free(log->steps);
	free(log->views);
	memset(log, 0, sizeof(*log));
}

/* Keep st (taken over) as the next step, dropping any undone ones. */
static void step_log_push(struct step_log *log, struct step *st)
{
	/* A reset needs nothing before it: a dropped log starts again. */
	if (st->reset && log->dropped) {
		log->dropped = false;
		step_log_clear(log);
	}
	if (log->dropped || log->n >= STEP_LOG_MAX) {
		if (!log->dropped)
			step_log_clear(log);
		log->dropped = true;
		step_free(st);
		return;
	}
	/* A new step after an undo drops the undone ones, as editors do. */
	for (size_t i = log->pos; i < log->n; i++)
		step_free(&log->steps[i]);
	log->n = log->pos;
	views_trim(log, log->pos);
	if (log->n == log->cap) {
		log->cap = log->cap ? 2 * log->cap : 64;
		log->steps =
			realloc(log->steps, log->cap * sizeof(log->steps[0]));
		if (!log->steps)
			abort();
	}
	log->steps[log->n] = *st;
	log->pos = ++log->n;
	memset(st, 0, sizeof(*st));
}

void session_commit_step(struct session *s, const char *line, size_t len,
			 bool reset)
{
	struct step *st = &s->pending;
	const char *e = line + len;

	st->reset |= reset;
	if (!s->new_backend || s->no_steps || (!st->n && !st->reset)) {
		step_free(st);
		return;
	}
	while (line < e && isspace((unsigned char)*line))
		line++;
	while (e > line && isspace((unsigned char)e[-1]))
		e--;
	st->line = strndup(line, (size_t)(e - line));
	if (!st->line)
		abort();
	step_log_push(&s->log, st);
}

void session_keep_view(struct session *s, const char *line, size_t len)
{
	struct step_log *log = &s->log;
	const char *e = line + len;
	struct view_line *v;

	if (!s->new_backend || s->no_steps || log->dropped)
		return;
	if (log->nviews >= STEP_LOG_MAX) {
		step_log_clear(log);
		log->dropped = true;
		return;
	}
	if (log->nviews == log->capviews) {
		log->capviews = log->capviews ? 2 * log->capviews : 64;
		log->views = realloc(log->views,
				     log->capviews * sizeof(log->views[0]));
		if (!log->views)
			abort();
	}
	while (line < e && isspace((unsigned char)*line))
		line++;
	while (e > line && isspace((unsigned char)e[-1]))
		e--;
	v = &log->views[log->nviews++];
	v->at = log->pos;
	v->line = strndup(line, (size_t)(e - line));
	if (!v->line)
		abort();
}

/* Does this line (up to e) name a command that steps back? */
static bool line_steps(const char *s, const char *e)
{
	char name[64];
	const struct command *c;
	size_t n = 0;

	while (s < e && isspace((unsigned char)*s))
		s++;
	while (s + n < e && n < sizeof(name) - 1 &&
	       (isalnum((unsigned char)s[n]) || s[n] == '_'))
		n++;
	/* A call in strace syntax is never one of them. */
	if (!n || (s + n < e && s[n] == '('))
		return false;
	memcpy(name, s, n);
	name[n] = '\0';
	c = command_find(name, true, NULL, 0);
	return c && (c->flags & CMD_STEPS);
}

bool text_may_step(const char *text, size_t len)
{
	/* Every ';' may end a line, quoted or not: seeing more lines than
	 * there are can only keep a log that is not needed. */
	for (const char *s = text, *end = text + len; s < end;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end, *semi;

		while ((semi = memchr(s, ';', (size_t)(e - s)))) {
			if (line_steps(s, semi))
				return true;
			s = semi + 1;
		}
		if (line_steps(s, e))
			return true;
		s = e + 1;
	}
	return false;
}

/* Run a step's calls again on the current backend, silently. */
static void step_apply(struct backend *be, const struct step *st)
{
	for (size_t i = 0; i < st->n; i++) {
		const struct step_action *a = &st->acts[i];
		unsigned long fault;

		if (a->is_switch)
			be->ops->switch_to(be, a->pid);
		else
			be->ops->call(be, &a->c, &fault);
	}
}

static void attach_observers(struct session *s)
{
	session_apply_check(s);
	if (!s->be->ops->observe)
		return;
	for (int i = 0; i < s->nobs; i++)
		s->be->ops->observe(s->be, &s->obs[i], true);
}

/* A fresh machine with no observers yet (a replay tells nobody). */
static void replace_backend(struct session *s)
{
	struct backend *old = s->be;

	s->be = s->new_backend(&s->params);
	old->ops->destroy(old);
}

void session_fresh_machine(struct session *s)
{
	replace_backend(s);
	attach_observers(s);
}

/* Rebuild the machine as it was after the first upto steps. */
static int session_replay(struct session *s, size_t upto)
{
	size_t start = 0;

	if (!s->new_backend || upto > s->log.n)
		return -1;
	for (size_t i = 0; i < upto; i++)
		if (s->log.steps[i].reset)
			start = i + 1;
	replace_backend(s);
	for (size_t i = start; i < upto; i++)
		step_apply(s->be, &s->log.steps[i]);
	attach_observers(s);
	s->log.pos = upto;
	return 0;
}

int session_jump(struct session *s, size_t step)
{
	if (!s->new_backend || s->log.dropped || step > s->log.n)
		return -1;
	return session_replay(s, step);
}

size_t session_steps(const struct session *s)
{
	return s->log.dropped ? 0 : s->log.n;
}

size_t session_pos(const struct session *s)
{
	return s->log.dropped ? 0 : s->log.pos;
}

const char *session_step_line(const struct session *s, size_t i)
{
	return i < session_steps(s) ? s->log.steps[i].line : NULL;
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
	return session_jump(s, s->log.pos - (size_t)n);
}

int cmd_redo(struct session *s, const struct parsed *p)
{
	int n = step_count(s, p, s->log.n - s->log.pos, "redo");

	if (n < 0)
		return -1;
	for (size_t i = s->log.pos; i < s->log.pos + (size_t)n; i++)
		sb_addf(&s->out, "redo: %s\n", s->log.steps[i].line);
	return session_jump(s, s->log.pos + (size_t)n);
}

int cmd_reset(struct session *s, const struct parsed *p)
{
	if (!s->new_backend) {
		session_error(s, "reset: not available here");
		return -1;
	}
	session_fresh_machine(s);
	s->pending.reset = true;
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
