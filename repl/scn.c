/*
 * scn.c - scenarios in a session: a recording run of a scenario's steps
 * on a fresh machine (what save keeps, what replay and the quiz compare
 * with), the session's history made into a scenario, playing a scenario
 * back as lines of the session, and the store's first use (open, then
 * bring the lessons up to date).
 *
 * A recording runs the steps as lines of a private session, exactly as
 * batch mode would, with one observer that keeps each step's events.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "events_json.h"
#include "handlers.h"
#include "procfs.h"
#include "scn.h"
#include "tree.h"

void scn_digest(const char *text, size_t len, char out[17])
{
	unsigned long long h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)text[i];
		h *= 0x100000001b3ULL;
	}
	snprintf(out, 17, "%016llx", h);
}

/* ---- the session's state ---- */

struct scn_state *scn_state(struct session *s)
{
	if (!s->scn) {
		s->scn = calloc(1, sizeof(*s->scn));
		if (!s->scn)
			abort();
	}
	return s->scn;
}

void scn_state_free(struct session *s)
{
	if (!s->scn)
		return;
	quiz_stop(s);
	scenario_free(&s->scn->loaded);
	free(s->scn);
	s->scn = NULL;
}

/* ---- recording ---- */

struct rec_obs {
	unsigned flags;
	struct strbuf ev;
	enum rec_merge tried;
	int merge_case;
	bool changed;
	char *msg; /* the step's first error */
};

static void rec_event(void *arg, const struct vmalab_event *ev)
{
	struct rec_obs *o = arg;

	if (o->flags & REC_EVENTS)
		event_json(ev, &o->ev);
	if (ev->kind == EV_ENTER && !o->tried) {
		if (ev->code == FN_VMA_MERGE_NEW_RANGE)
			o->tried = RM_NEW;
		else if (ev->code == FN_VMA_MERGE_EXISTING_RANGE)
			o->tried = RM_EXISTING;
	}
	if (ev->kind == EV_MERGE && !o->merge_case)
		o->merge_case = ev->code;
	if (ev->kind == EV_VMA_NEW || ev->kind == EV_VMA_CHANGE ||
	    ev->kind == EV_VMA_FLAGS || ev->kind == EV_VMA_FREE)
		o->changed = true;
}

static void rec_diag(void *arg, const struct diag *d)
{
	struct rec_obs *o = arg;

	if (d->kind == DIAG_ERROR && !o->msg)
		o->msg = scn_strdup(d->msg);
}

void recording_free(struct recording *rec)
{
	for (size_t i = 0; i < rec->n; i++) {
		struct rec_step *r = &rec->steps[i];

		free(r->output);
		free(r->events);
		free(r->error);
		for (size_t j = 0; j < r->ncalls; j++)
			free(r->calls[j].path);
		free(r->calls);
	}
	free(rec->steps);
	memset(rec, 0, sizeof(*rec));
}

/* The command a line runs, if it parses. */
static const struct command *line_command(const char *line)
{
	const struct command *cmd = NULL;
	struct parsed *p = malloc(sizeof(*p));
	char err[600];

	if (!p)
		abort();
	if (parse_line(line, strlen(line), p, err, sizeof(err)) == PARSE_OK)
		cmd = p->cmd;
	parsed_free(p);
	free(p);
	return cmd;
}

static int vma_count(struct machine *m, int pid)
{
	const struct mm *mm = machine_mm(m, pid);

	return mm ? mm->map_count : 0;
}

/* "start-end perms" of the VMA of pid that holds addr, or "none". */
static void vma_at(struct machine *m, int pid, unsigned long addr, char *out,
		   size_t len)
{
	const struct mm *mm = machine_mm(m, pid);
	const struct vma *v = mm ? vt_find(&mm->tree, addr) : NULL;
	struct strbuf sb = STRBUF_INIT;

	if (!v || v->vm_start > addr) {
		snprintf(out, len, "none");
		return;
	}
	show_map_vma(v, &sb);
	snprintf(out, len, "%.*s", (int)maps_field_end(sb_str(&sb), sb.len, 1),
		 sb_str(&sb));
	sb_free(&sb);
}

/* The calls the last line made (its step in the log), with results. */
static void keep_calls(struct session *t, size_t logn, struct rec_step *r)
{
	size_t span = 0;

	(void)logn;
	if (!t->line_nacts)
		return;
	r->calls = calloc(t->line_nacts, sizeof(*r->calls));
	if (!r->calls)
		abort();
	for (size_t i = 0; i < t->line_nacts; i++) {
		const struct step_action *a = &t->line_acts[i];
		struct rec_call *c = &r->calls[r->ncalls++];

		c->is_switch = a->is_switch;
		c->pid = a->pid;
		c->c = a->c;
		if (a->path) {
			c->path = scn_strdup(a->path);
			c->c.path = c->path;
		}
		if (!a->is_switch && span < t->nspans) {
			c->kind = t->spans[span].kind;
			c->ret = t->spans[span].ret;
			c->fault = t->spans[span].fault;
			span++;
		}
	}
}

static void record_facts(struct session *t, struct rec_obs *o,
			 struct rec_step *r)
{
	struct machine *m = session_machine(t);

	r->tried = o->tried;
	r->merge_case = o->merge_case;
	r->changed = o->changed;
	r->pid = machine_current_pid(m);
	r->vmas_after = vma_count(m, r->pid);
	if (t->calls) {
		for (size_t i = 0; i < t->line_nacts; i++) {
			if (!t->line_acts[i].is_switch) {
				r->called = true;
				r->addr = t->line_acts[i].c.a[0];
				break;
			}
		}
	}
	vma_at(m, r->pid, r->addr, r->vma_after, sizeof(r->vma_after));
}

int scenario_record(const struct scenario *scn, const struct machine_params *p,
		    unsigned flags, struct recording *rec, char *err,
		    size_t errlen)
{
	struct rec_obs o = {.flags = flags};
	struct engine_observer ob = {rec_event, &o};
	struct session t;

	memset(rec, 0, sizeof(*rec));
	for (size_t i = 0; i < scn->n; i++) {
		const struct command *cmd = line_command(scn->steps[i].line);

		if (cmd && (cmd->flags & CMD_META)) {
			snprintf(err, errlen,
				 "step %zu: %s is not a step of a scenario",
				 i + 1, cmd->name);
			return -1;
		}
	}
	session_init(&t, engine_backend_new(p));
	t.new_backend = engine_backend_new;
	if (p)
		t.params = *p;
	t.sink = (struct diag_sink){rec_diag, &o};
	t.src = scn->name;
	session_observe(&t, &ob);
	rec->steps = calloc(scn->n ? scn->n : 1, sizeof(*rec->steps));
	if (!rec->steps)
		abort();
	for (size_t i = 0; i < scn->n; i++) {
		struct rec_step *r = &rec->steps[i];
		const char *line = scn->steps[i].line;
		struct machine *m = session_machine(&t);
		size_t logn = t.log.n;

		sb_reset(&o.ev);
		o.tried = RM_NONE;
		o.merge_case = 0;
		o.changed = false;
		r->vmas_before = vma_count(m, machine_current_pid(m));
		t.line = (long)i + 1;
		session_run_line(&t, line, strlen(line));
		rec->n++;
		r->output = scn_strdup(sb_str(&t.out));
		r->cmd = t.last_cmd;
		if (o.msg) {
			r->error = o.msg;
			o.msg = NULL;
			rec->errors++;
		}
		scn_digest(sb_str(&o.ev), o.ev.len, r->digest);
		if (flags & REC_EVENTS)
			r->events = scn_strdup(sb_str(&o.ev));
		if (flags & REC_FACTS)
			record_facts(&t, &o, r);
		if (flags & REC_CALLS)
			keep_calls(&t, logn, r);
	}
	session_fini(&t);
	t.be->ops->destroy(t.be);
	sb_free(&o.ev);
	free(o.msg);
	return 0;
}

int scenario_fill(struct scenario *scn, const struct machine_params *p,
		  char *err, size_t errlen)
{
	struct recording rec;

	if (scenario_record(scn, p, REC_EVENTS, &rec, err, errlen))
		return -1;
	for (size_t i = 0; i < rec.n; i++) {
		struct scn_step *st = &scn->steps[i];
		struct rec_step *r = &rec.steps[i];

		if (r->error) {
			snprintf(err, errlen, "step %zu (%s): %s", i + 1,
				 st->line, r->error);
			recording_free(&rec);
			return -1;
		}
		free(st->output);
		free(st->events);
		st->output = r->output;
		st->events = r->events;
		r->output = r->events = NULL;
		memcpy(st->digest, r->digest, sizeof(st->digest));
	}
	recording_free(&rec);
	return 0;
}

/* ---- the session's history as a scenario ---- */

static int view_order(const void *a, const void *b)
{
	const struct view_line *x = *(const struct view_line *const *)a;
	const struct view_line *y = *(const struct view_line *const *)b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Carry the loaded scenario's commentary to the steps that match it. */
static void carry_comments(const struct session *s, struct scenario *out)
{
	const struct scenario *l = s->scn ? &s->scn->loaded : NULL;

	if (!l || !l->name)
		return;
	for (size_t i = 0; i < out->n && i < l->n; i++) {
		if (strcmp(out->steps[i].line, l->steps[i].line))
			break;
		if (l->steps[i].comment)
			out->steps[i].comment = scn_strdup(l->steps[i].comment);
	}
}

int session_scenario(const struct session *s, const char *name,
		     struct scenario *out, char *err, size_t errlen)
{
	const struct step_log *log = &s->log;
	const struct view_line **views;
	size_t start = 0, v = 0, nv = 0;

	memset(out, 0, sizeof(*out));
	if (!s->new_backend) {
		snprintf(err, errlen, "this session keeps no history");
		return -1;
	}
	for (size_t i = 0; i < log->pos; i++)
		if (log->steps[i].reset)
			start = i + 1;
	views = calloc(log->nviews + 1, sizeof(*views));
	if (!views)
		abort();
	for (size_t i = 0; i < log->nviews; i++)
		if (log->views[i].at >= start && log->views[i].at <= log->pos)
			views[nv++] = &log->views[i];
	qsort(views, nv, sizeof(*views), view_order);
	out->name = scn_strdup(name);
	out->title = scn_strdup(name);
	out->origin = ORIGIN_USER;
	out->version = 1;
	for (size_t at = start;; at++) {
		while (v < nv && views[v]->at == at)
			scenario_add_step(out, views[v++]->line, NULL);
		if (at == log->pos)
			break;
		scenario_add_step(out, log->steps[at].line, NULL);
	}
	free(views);
	carry_comments(s, out);
	return 0;
}

/* ---- playing ---- */

/* Remember scn's lines and commentary, for save. */
static void remember(struct session *s, const struct scenario *scn)
{
	struct scn_state *st = scn_state(s);

	scenario_free(&st->loaded);
	st->loaded.name = scn_strdup(scn->name);
	st->loaded.title = scn_strdup(scn->title);
	for (size_t i = 0; i < scn->n; i++)
		scenario_add_step(&st->loaded, scn->steps[i].line,
				  scn->steps[i].comment);
}

int scn_play_begin(struct session *s, const struct scenario *scn)
{
	int errors = s->errors;

	if (!s->new_backend) {
		session_error(s, "%s: not available here (no undo)", scn->name);
		return -1;
	}
	/* A step of its own, as `reset` is: undo brings back the old one. */
	session_run_line(s, "reset", 5);
	sb_reset(&s->out);
	if (s->errors != errors)
		return -1;
	remember(s, scn);
	return 0;
}

int scn_play_step(struct session *s, const struct scenario *scn, size_t i)
{
	const struct scn_step *st = &scn->steps[i];
	const char *src = s->src;
	long line = s->line;
	int errors = s->errors;

	s->src = scn->name;
	s->line = (long)i + 1;
	session_run_line(s, st->line, strlen(st->line));
	s->src = src;
	s->line = line;
	if (s->errors != errors)
		return -1;
	return st->output && !strcmp(st->output, sb_str(&s->out)) ? 0 : 1;
}

/* ---- the store ---- */

int scn_sync_lessons(struct session *s, struct store *st,
		     const struct lesson_src *lessons, size_t n)
{
	char err[STORE_ERR];
	int saved = 0;

	for (size_t i = 0; i < n; i++) {
		const struct lesson_src *l = &lessons[i];
		struct scenario scn;
		enum scn_origin origin;
		int version, e;

		if (scenario_parse(l->text, strlen(l->text), l->name, &scn, err,
				   sizeof(err))) {
			session_warn(s, "lesson %s: %s", l->name, err);
			continue;
		}
		e = st->ops->version(st, l->name, &version, &origin, err,
				     sizeof(err));
		if (e && e != -ENOENT) {
			scenario_free(&scn);
			session_warn(s, "lesson %s: %s", l->name, err);
			return -1;
		}
		/* A user's scenario of that name is theirs; a stored
		 * lesson as new as this one needs nothing. */
		if (!e && (origin != ORIGIN_LESSON || version >= scn.version)) {
			scenario_free(&scn);
			continue;
		}
		scn.origin = ORIGIN_LESSON;
		e = scenario_fill(&scn, &s->params, err, sizeof(err));
		if (!e)
			e = st->ops->save(st, &scn, false, err, sizeof(err));
		if (e)
			session_warn(s, "lesson %s: %s", l->name, err);
		else
			saved++;
		scenario_free(&scn);
	}
	return saved;
}

struct store *scn_store(struct session *s, const char *cmd)
{
	struct store *st = s->store;

	if (!st) {
		session_error(s, "%s: no scenario store", cmd);
		return NULL;
	}
	if (!st->opened && !st->failed) {
		if (st->ops->open(st, st->why, sizeof(st->why))) {
			st->failed = true;
		} else {
			st->opened = true;
			if (!st->readonly)
				scn_sync_lessons(s, st, st->lessons,
						 st->nlessons);
		}
	}
	if (st->failed) {
		session_error(s, "%s: %s", cmd, st->why);
		return NULL;
	}
	return st;
}
