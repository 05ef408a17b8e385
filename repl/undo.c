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

/* Forget the checkpoints after the first at steps. */
static void cps_trim(struct step_log *log, size_t at)
{
	while (log->ncps && log->cps[log->ncps - 1].at > at) {
		struct checkpoint *cp = &log->cps[--log->ncps];

		log->cp_bytes -= machine_footprint(cp->m);
		machine_free(cp->m);
	}
}

static void step_log_clear(struct step_log *log)
{
	for (size_t i = 0; i < log->n; i++)
		step_free(&log->steps[i]);
	log->n = log->pos = 0;
	cps_trim(log, 0);
	for (size_t i = 0; i < log->nviews; i++)
		free(log->views[i].line);
	log->nviews = 0;
}

void step_log_free(struct step_log *log)
{
	step_log_clear(log);
	free(log->steps);
	free(log->views);
	free(log->cps);
	memset(log, 0, sizeof(*log));
}

/* Actions in the first at steps. */
static size_t cum_at(const struct step_log *log, size_t at)
{
	return at ? log->steps[at - 1].cum : 0;
}

/*
 * Past the budget, every other checkpoint goes and the interval doubles:
 * the replays get at most twice as long, and the checkpoints of a long
 * session stay within STEP_CHECKPOINT_BYTES.
 */
static void cps_thin(struct step_log *log)
{
	size_t kept = 0;

	for (size_t i = 0; i < log->ncps; i++) {
		if (i % 2 == 0 && i + 1 < log->ncps) {
			log->cp_bytes -= machine_footprint(log->cps[i].m);
			machine_free(log->cps[i].m);
		} else {
			log->cps[kept++] = log->cps[i];
		}
	}
	log->ncps = kept;
	log->interval *= 2;
}

/* After step pos was pushed: a checkpoint if the interval has passed. */
static void maybe_checkpoint(struct session *s)
{
	struct step_log *log = &s->log;
	struct machine *m = session_machine(s);
	size_t last = log->ncps ? log->cps[log->ncps - 1].at : 0;
	struct checkpoint *cp;

	if (!m)
		return;
	if (!log->interval)
		log->interval = STEP_CHECKPOINT_EVERY;
	if (cum_at(log, log->pos) - cum_at(log, last) < log->interval)
		return;
	if (log->ncps == log->capcps) {
		log->capcps = log->capcps ? 2 * log->capcps : 16;
		log->cps = realloc(log->cps, log->capcps * sizeof(*log->cps));
		if (!log->cps)
			abort();
	}
	cp = &log->cps[log->ncps++];
	cp->at = log->pos;
	cp->m = machine_clone(m);
	log->cp_bytes += machine_footprint(cp->m);
	while (log->cp_bytes > STEP_CHECKPOINT_BYTES && log->ncps > 1)
		cps_thin(log);
}

/* Keep st (taken over) as the next step, dropping any undone ones. */
static void step_log_push(struct step_log *log, struct step *st)
{
	/* A new step after an undo drops the undone ones, as editors do. */
	for (size_t i = log->pos; i < log->n; i++)
		step_free(&log->steps[i]);
	log->n = log->pos;
	views_trim(log, log->pos);
	cps_trim(log, log->pos);
	if (log->n == log->cap) {
		log->cap = log->cap ? 2 * log->cap : 64;
		log->steps =
			realloc(log->steps, log->cap * sizeof(log->steps[0]));
		if (!log->steps)
			abort();
	}
	st->cum = cum_at(log, log->n) + st->n;
	log->steps[log->n] = *st;
	log->pos = ++log->n;
	memset(st, 0, sizeof(*st));
}

void session_commit_step(struct session *s, const char *line, size_t len,
			 bool reset, bool changed)
{
	struct step *st = &s->pending;
	const char *e = line + len;

	st->reset |= reset;
	step_free(&s->unkept);
	s->line_acts = NULL;
	s->line_nacts = 0;
	if (!s->new_backend || s->no_steps ||
	    (!st->reset && (!st->n || !changed))) {
		/* No step: the calls stay readable until the next line. */
		s->unkept = *st;
		s->line_acts = st->acts;
		s->line_nacts = st->n;
		memset(st, 0, sizeof(*st));
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
	s->line_acts = s->log.steps[s->log.n - 1].acts;
	s->line_nacts = s->log.steps[s->log.n - 1].n;
	maybe_checkpoint(s);
}

void session_keep_view(struct session *s, const char *line, size_t len)
{
	struct step_log *log = &s->log;
	const char *e = line + len;
	struct view_line *v;

	if (!s->new_backend || s->no_steps)
		return;
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

/*
 * Does this line (up to e) name a command that steps back?  first[] holds
 * the first letters of their names and aliases: a line that starts with
 * any other letter (an mmap, a touch) is not one, with no lookup.
 */
static bool line_steps(const char *s, const char *e, const bool *first)
{
	char name[64];
	const struct command *c;
	size_t n = 0;

	while (s < e && isspace((unsigned char)*s))
		s++;
	if (s == e || !first[(unsigned char)*s])
		return false;
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
	bool first[256] = {false};

	for (size_t i = 0; i < commands_count; i++)
		if (commands[i].flags & CMD_STEPS) {
			first[(unsigned char)commands[i].name[0]] = true;
			if (commands[i].alias)
				first[(unsigned char)commands[i].alias[0]] =
					true;
		}
	/* One scan of the whole text for a ';' (a log has none), rather
	 * than one per line. */
	bool semis = memchr(text, ';', len) != NULL;

	for (const char *s = text, *end = text + len; s < end;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end, *semi;

		/* Where a line may start: its beginning, and after a ';'. */
		if (line_steps(s, e, first))
			return true;
		while (semis && (semi = memchr(s, ';', (size_t)(e - s)))) {
			s = semi + 1;
			if (line_steps(s, e, first))
				return true;
		}
		s = e + 1;
	}
	return false;
}

/* A call that was interrupted stops at the same page again. */
static bool stop_as_before(void *arg, unsigned long done, unsigned long total)
{
	const struct step_action *a = arg;

	(void)total;
	return done >= a->stop_at;
}

/* Run a step's calls again on the current backend, silently. */
static void step_apply(struct backend *be, const struct step *st)
{
	for (size_t i = 0; i < st->n; i++) {
		const struct step_action *a = &st->acts[i];
		struct call_poll poll = {stop_as_before, (void *)a};
		struct call c = a->c;
		unsigned long fault;

		if (a->is_switch) {
			be->ops->switch_to(be, a->pid);
			continue;
		}
		c.poll = a->stop_at ? &poll : NULL;
		be->ops->call(be, &c, &fault);
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

/* Replace the backend (with no observers yet: a replay tells nobody). */
static void install_backend(struct session *s, struct backend *be)
{
	struct backend *old = s->be;

	s->be = be;
	old->ops->destroy(old);
}

void session_fresh_machine(struct session *s)
{
	install_backend(s, s->new_backend(&s->params));
	attach_observers(s);
}

/* The last checkpoint at or before step at, or NULL. */
static const struct checkpoint *checkpoint_before(const struct step_log *log,
						  size_t at)
{
	size_t lo = 0, hi = log->ncps;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (log->cps[mid].at <= at)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &log->cps[lo - 1] : NULL;
}

/*
 * Bring the machine to the state after the first upto steps: from the
 * nearest of the machine there is (if it is not past upto), the last
 * checkpoint at or before upto, and a fresh machine after the last reset
 * before upto, replaying the steps' calls from there.
 */
static int session_replay(struct session *s, size_t upto, bool may_stop)
{
	struct step_log *log = &s->log;
	struct machine *m = session_machine(s);
	const struct checkpoint *cp = m ? checkpoint_before(log, upto) : NULL;
	enum { FROM_FRESH, FROM_HERE, FROM_CHECKPOINT } how = FROM_FRESH;
	size_t from = 0;

	if (!s->new_backend || upto > log->n)
		return -1;
	if (cp && cp->at > from) {
		from = cp->at;
		how = FROM_CHECKPOINT;
	}
	if (m && log->pos <= upto && log->pos >= from) {
		from = log->pos;
		how = FROM_HERE;
	}
	/* A reset between there and upto: a fresh machine after it. */
	for (size_t i = upto; i > from; i--) {
		if (log->steps[i - 1].reset) {
			from = i;
			how = FROM_FRESH;
			break;
		}
	}
	switch (how) {
	case FROM_FRESH:
		install_backend(s, s->new_backend(&s->params));
		break;
	case FROM_CHECKPOINT:
		install_backend(s, engine_backend_of(machine_clone(cp->m)));
		break;
	case FROM_HERE:
		if (from == upto)
			return 0; /* already there */
		/* Onward on this machine, which its observers will hear
		 * nothing of: they see it as a new machine (its epoch). */
		for (int i = 0; i < s->nobs; i++)
			s->be->ops->observe(s->be, &s->obs[i], false);
		machine_set_checking(m, false);
		machine_new_epoch(m);
		break;
	}
	for (size_t i = from; i < upto; i++) {
		/* Ctrl-C stops between steps: the machine is the one after
		 * step i, a state of the history. */
		if (may_stop && i > from &&
		    session_progress(s, "steps", i - from, upto - from)) {
			upto = i;
			session_error(s,
				      "interrupted (Ctrl-C): at step %zu of "
				      "%zu (undo and redo go on from there)",
				      upto, log->n);
			break;
		}
		step_apply(s->be, &log->steps[i]);
	}
	attach_observers(s);
	log->pos = upto;
	return 0;
}

int session_replay_step(struct session *s, size_t i,
			const struct engine_observer *o)
{
	size_t pos = s->log.pos;

	if (!s->new_backend || !s->be->ops->observe || i >= s->log.n ||
	    session_replay(s, i, false))
		return -1;
	if (!s->log.steps[i].reset) {
		/* Only o hears the step; the rest see a new machine after. */
		for (int k = 0; k < s->nobs; k++)
			s->be->ops->observe(s->be, &s->obs[k], false);
		machine_set_checking(session_machine(s), false);
		s->be->ops->observe(s->be, o, true);
		step_apply(s->be, &s->log.steps[i]);
		s->be->ops->observe(s->be, o, false);
		s->log.pos = i + 1;
		machine_new_epoch(session_machine(s));
		attach_observers(s);
	}
	return session_replay(s, pos, false);
}

int session_jump(struct session *s, size_t step)
{
	if (!s->new_backend || step > s->log.n)
		return -1;
	return session_replay(s, step, true);
}

size_t session_steps(const struct session *s)
{
	return s->log.n;
}

size_t session_pos(const struct session *s)
{
	return s->log.pos;
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

static bool step_stopped(const struct step *st)
{
	for (size_t i = 0; i < st->n; i++)
		if (st->acts[i].stop_at)
			return true;
	return false;
}

int cmd_history(struct session *s, const struct parsed *p)
{
	const struct step_log *log = &s->log;

	if (!log->n) {
		sb_puts(&s->out, "no steps yet (history lists the lines that "
				 "changed the machine)\n");
		return 0;
	}
	for (size_t i = 0; i < log->n; i++)
		sb_addf(&s->out, "%5zu  %s%s%s\n", i + 1, log->steps[i].line,
			step_stopped(&log->steps[i])
				? "   (interrupted: part of it was done)"
				: "",
			i < log->pos ? "" : "   (undone: redo runs it again)");
	return 0;
}
