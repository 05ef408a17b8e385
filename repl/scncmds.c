/*
 * scncmds.c - the scenario commands: save, load, replay, list, show,
 * delete, rename, tag, branch, diff and import.  Their rows are in the one
 * command table (commands.c); they reach the store only through the
 * session's struct store (store.h), and play scenarios back through
 * scn.h, as the UI does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "handlers.h"
#include "replay.h"
#include "model.h"
#include "scn.h"

/* A name for a new scenario: well formed, and not a lesson's. */
static int check_new_name(struct session *s, struct store *st, const char *cmd,
			  const char *name, bool may_exist)
{
	char err[STORE_ERR];
	enum scn_origin origin;
	int version, e;

	if (!scenario_name_ok(name)) {
		session_error(s,
			      "%s: %s: a name is up to 64 letters, digits, "
			      "'-', '_' and '.'",
			      cmd, name);
		return -1;
	}
	e = st->ops->version(st, name, &version, &origin, err, sizeof(err));
	if (e == -ENOENT)
		return 0;
	if (e) {
		session_error(s, "%s: %s", cmd, err);
		return -1;
	}
	if (origin == ORIGIN_LESSON) {
		session_error(s,
			      "%s: %s is a lesson; choose another name "
			      "(branch %s STEP NEW makes a copy to change)",
			      cmd, name, name);
		return -1;
	}
	if (!may_exist) {
		session_error(s, "%s: there is a scenario called %s already",
			      cmd, name);
		return -1;
	}
	return 0;
}

/* Lessons come with vmalab: they are not the user's to change. */
static int refuse_lesson(struct session *s, struct store *st, const char *cmd,
			 const char *name)
{
	char err[STORE_ERR];
	enum scn_origin origin;
	int version;
	int e = st->ops->version(st, name, &version, &origin, err, sizeof(err));

	if (e == -ENOENT) {
		session_error(s, "%s: no scenario called %s (list shows them)",
			      cmd, name);
		return -1;
	}
	if (e) {
		session_error(s, "%s: %s", cmd, err);
		return -1;
	}
	if (origin == ORIGIN_LESSON) {
		session_error(s, "%s: %s is a lesson, which comes with vmalab",
			      cmd, name);
		return -1;
	}
	return 0;
}

static int load_named(struct session *s, struct store *st, const char *cmd,
		      const char *name, struct scenario *scn)
{
	char err[STORE_ERR];
	int e = st->ops->load(st, name, scn, err, sizeof(err));

	if (e) {
		if (e == -ENOENT)
			session_error(s,
				      "%s: no scenario called %s (list shows "
				      "them)",
				      cmd, name);
		else
			session_error(s, "%s: %s", cmd, err);
		return -1;
	}
	return 0;
}

/* ---- save ---- */

/* "--title T" and "--tag T" after the name. */
static int save_options(struct session *s, const struct parsed *p,
			struct scenario *scn)
{
	for (int i = 1; i < p->argc; i += 2) {
		const char *opt = p->argv[i].str;

		if (i + 1 >= p->argc ||
		    (strcmp(opt, "--title") && strcmp(opt, "--tag"))) {
			session_error(s,
				      "save: expected --title T or --tag T, "
				      "got %s",
				      opt);
			return -1;
		}
		if (!strcmp(opt, "--title")) {
			free(scn->title);
			scn->title = scn_strdup(p->argv[i + 1].str);
		} else if (strchr(p->argv[i + 1].str, ',') ||
			   !*p->argv[i + 1].str) {
			session_error(s, "save: a tag has no commas");
			return -1;
		} else {
			scenario_add_tag(scn, p->argv[i + 1].str);
		}
	}
	return 0;
}

/* A variation of the scenario loaded last is a branch of it. */
static void note_parent(const struct session *s, struct scenario *scn)
{
	const struct scenario *l = s->scn ? &s->scn->loaded : NULL;
	size_t same = 0;

	if (!l || !l->name || !strcmp(l->name, scn->name))
		return;
	while (same < l->n && same < scn->n &&
	       !strcmp(l->steps[same].line, scn->steps[same].line))
		same++;
	if (!same)
		return;
	scn->parent = scn_strdup(l->name);
	scn->parent_step = same;
	if (!strcmp(scn->title, scn->name) && l->title) {
		free(scn->title);
		scn->title = scn_strdup(l->title);
	}
}

/* Saving over a scenario keeps its title, description, tags and origin
 * (what the options do not change). */
static void keep_header(struct store *st, struct scenario *scn)
{
	struct scenario old;
	char err[STORE_ERR];

	if (st->ops->load(st, scn->name, &old, err, sizeof(err)))
		return;
	free(scn->title);
	scn->title = old.title;
	old.title = NULL;
	free(scn->description);
	scn->description = old.description;
	old.description = NULL;
	for (size_t i = 0; i < old.ntags; i++)
		scenario_add_tag(scn, old.tags[i]);
	if (!scn->parent && old.parent) {
		scn->parent = old.parent;
		scn->parent_step = old.parent_step;
		old.parent = NULL;
	}
	scenario_free(&old);
}

int cmd_save(struct session *s, const struct parsed *p)
{
	struct store *st = scn_store(s, "save");
	const char *name = p->argv[0].str;
	struct scenario scn;
	char err[STORE_ERR];

	if (!st || check_new_name(s, st, "save", name, true))
		return -1;
	if (session_scenario(s, name, &scn, err, sizeof(err))) {
		session_error(s, "save: %s", err);
		return -1;
	}
	if (!scn.n) {
		scenario_free(&scn);
		session_error(s, "save: nothing to save yet (no steps since "
				 "the last reset)");
		return -1;
	}
	note_parent(s, &scn);
	keep_header(st, &scn);
	if (save_options(s, p, &scn) ||
	    scenario_fill(&scn, &s->params, err, sizeof(err)) ||
	    st->ops->save(st, &scn, false, err, sizeof(err))) {
		if (*err)
			session_error(s, "save: %s", err);
		scenario_free(&scn);
		return -1;
	}
	sb_addf(&s->out, "saved %s: %zu step%s\n", name, scn.n,
		scn.n == 1 ? "" : "s");
	scenario_free(&scn);
	return 0;
}

/* ---- load and replay ---- */

static void show_comment(struct strbuf *out, const char *comment)
{
	while (comment && *comment) {
		size_t n = strcspn(comment, "\n");

		sb_addf(out, "#%s%.*s\n", n ? " " : "", (int)n, comment);
		comment += n + (comment[n] == '\n');
	}
}

/* The first line where recorded and now differ, for the message. */
static void first_difference(const char *was, const char *now, char *buf,
			     size_t len)
{
	while (*was && *now) {
		size_t a = strcspn(was, "\n"), b = strcspn(now, "\n");

		if (a != b || memcmp(was, now, a))
			break;
		was += a + (was[a] == '\n');
		now += b + (now[b] == '\n');
	}
	snprintf(buf, len, "recorded \"%.*s\", now \"%.*s\"",
		 (int)strcspn(was, "\n"), was, (int)strcspn(now, "\n"), now);
}

/*
 * Play scn in the session, each step a line of its own.  With show, its
 * output (and in the REPL its commentary) becomes this line's output.
 * Returns the number of steps that printed differently, or -1.
 */
static int play(struct session *s, const struct scenario *scn, bool show,
		bool report)
{
	struct gather g = {0};
	int differ = 0, ret = 0;

	swap_line(s, &g);
	if (scn_play_begin(s, scn)) {
		ret = -1;
		goto out;
	}
	for (size_t i = 0; i < scn->n && !s->quit; i++) {
		struct strbuf pre = STRBUF_INIT;
		int r;

		/* Ctrl-C stops between steps: the state after step i. */
		if (i && session_progress(s, "steps", i, scn->n)) {
			session_error(s,
				      "%s: interrupted (Ctrl-C) after step %zu "
				      "of %zu (undo steps back)",
				      scn->name, i, scn->n);
			differ = -1;
			break;
		}
		if (show && s->interactive) {
			show_comment(&pre, scn->steps[i].comment);
			sb_addf(&pre, "%s:%zu> %s\n", scn->name, i + 1,
				scn->steps[i].line);
			sb_add(&g.out, pre.buf ? pre.buf : "", pre.len);
		}
		sb_free(&pre);
		r = scn_play_step(s, scn, i);
		if (r > 0 && report) {
			char why[600];

			first_difference(scn->steps[i].output
						 ? scn->steps[i].output
						 : "",
					 sb_str(&s->out), why, sizeof(why));
			session_error(s,
				      "replay %s: step %zu (%s) printed "
				      "differently: %s",
				      scn->name, i + 1, scn->steps[i].line,
				      why);
		}
		differ += r != 0;
		if (show)
			gather_line(s, &g);
	}
	ret = differ < 0 ? -1 : differ;
out:
	swap_line(s, &g);
	sb_free(&g.out);
	sb_free(&g.tr);
	free(g.spans);
	s->quit = false;
	return ret;
}

int cmd_load(struct session *s, const struct parsed *p)
{
	struct store *st = scn_store(s, "load");
	struct scenario scn;
	int differ;

	if (!st || load_named(s, st, "load", p->argv[0].str, &scn))
		return -1;
	differ = play(s, &scn, false, false);
	if (differ >= 0)
		sb_addf(&s->out,
			"loaded %s: %zu step%s (history lists them; undo "
			"steps back)\n",
			scn.name, scn.n, scn.n == 1 ? "" : "s");
	if (differ > 0)
		session_warn(s,
			     "load: %d step%s of %s print differently from "
			     "the recording (replay %s shows which)",
			     differ, differ == 1 ? "" : "s", scn.name,
			     scn.name);
	scenario_free(&scn);
	return differ < 0 ? -1 : 0;
}

int cmd_replay(struct session *s, const struct parsed *p)
{
	struct store *st = scn_store(s, "replay");
	struct scenario scn;
	int differ;

	if (!st || load_named(s, st, "replay", p->argv[0].str, &scn))
		return -1;
	differ = play(s, &scn, true, true);
	if (differ == 0 && s->interactive)
		sb_addf(&s->out, "replay %s: %zu steps, each as recorded\n",
			scn.name, scn.n);
	scenario_free(&scn);
	return differ ? -1 : 0;
}

/* ---- list, show ---- */

static void tags_text(const struct scenario *scn, struct strbuf *out)
{
	for (size_t i = 0; i < scn->ntags; i++)
		sb_addf(out, "%s%s", i ? ", " : "", scn->tags[i]);
}

int cmd_list(struct session *s, const struct parsed *p)
{
	struct store *st = scn_store(s, "list");
	const char *tag = p->argc ? p->argv[0].str : NULL;
	enum scn_origin last = 0;
	struct scenario *v;
	char err[STORE_ERR];
	size_t n;

	if (!st)
		return -1;
	if (st->ops->list(st, tag, &v, &n, err, sizeof(err))) {
		session_error(s, "list: %s", err);
		return -1;
	}
	if (!n)
		sb_addf(&s->out,
			"no scenarios%s%s yet (save NAME keeps "
			"this session's steps)\n",
			tag ? " tagged " : "", tag ? tag : "");
	for (size_t i = 0; i < n; i++) {
		const struct scenario *c = &v[i];
		bool lesson = c->origin == ORIGIN_LESSON;

		if (i == 0 || lesson != (last == ORIGIN_LESSON))
			sb_addf(&s->out, "%s%s\n", i ? "\n" : "",
				lesson ? "lessons (replay NAME plays one, "
					 "quiz NAME asks about it)"
				       : "saved and imported");
		last = c->origin;
		sb_addf(&s->out, "  %-34s %3zu  %s", c->name, c->n, c->title);
		if (c->parent)
			sb_addf(&s->out, "  (from %s, step %zu)", c->parent,
				c->parent_step);
		if (!lesson && c->origin == ORIGIN_IMPORT)
			sb_puts(&s->out, "  (imported)");
		sb_puts(&s->out, "\n");
	}
	scenarios_free(v, n);
	return 0;
}

static void date(long long t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t || !gmtime_r(&tt, &tm))
		snprintf(buf, len, "-");
	else
		strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm);
}

int cmd_show(struct session *s, const struct parsed *p)
{
	struct store *st = scn_store(s, "show");
	struct strbuf *o = &s->out;
	char made[40], changed[40];
	struct scenario scn;

	if (!st || load_named(s, st, "show", p->argv[0].str, &scn))
		return -1;
	date(scn.created, made, sizeof(made));
	date(scn.updated, changed, sizeof(changed));
	sb_addf(o, "%s: %s\n", scn.name, scn.title);
	if (*scn.summary)
		sb_addf(o, "  %s\n", scn.summary);
	sb_addf(o, "  %s, version %d, %zu steps; saved %s, changed %s\n",
		scn_origin_name(scn.origin), scn.version, scn.n, made, changed);
	if (scn.ntags) {
		sb_puts(o, "  tags: ");
		tags_text(&scn, o);
		sb_puts(o, "\n");
	}
	if (*scn.mcase)
		sb_addf(o, "  case: %s\n", scn.mcase);
	if (*scn.kernel)
		sb_addf(o, "  kernel: %s\n", scn.kernel);
	if (scn.parent)
		sb_addf(o, "  branched from %s at step %zu\n", scn.parent,
			scn.parent_step);
	if (*scn.description)
		sb_addf(o, "\n%s\n", scn.description);
	sb_puts(o, "\n");
	for (size_t i = 0; i < scn.n; i++) {
		const char *c = scn.steps[i].comment;

		while (c && *c) {
			size_t n = strcspn(c, "\n");

			sb_addf(o, "      # %.*s\n", (int)n, c);
			c += n + (c[n] == '\n');
		}
		sb_addf(o, "%4zu  %s\n", i + 1, scn.steps[i].line);
	}
	scenario_free(&scn);
	return 0;
}

/* ---- delete, rename, tag ---- */

int cmd_delete(struct session *s, const struct parsed *p)
{
	struct store *st = scn_store(s, "delete");
	const char *name = p->argv[0].str;
	char err[STORE_ERR];

	if (!st || refuse_lesson(s, st, "delete", name))
		return -1;
	if (st->ops->remove(st, name, err, sizeof(err))) {
		session_error(s, "delete: %s", err);
		return -1;
	}
	sb_addf(&s->out, "deleted %s\n", name);
	return 0;
}

int cmd_rename(struct session *s, const struct parsed *p)
{
	struct store *st = scn_store(s, "rename");
	const char *from = p->argv[0].str, *to = p->argv[1].str;
	char err[STORE_ERR];

	if (!st || refuse_lesson(s, st, "rename", from) ||
	    check_new_name(s, st, "rename", to, false))
		return -1;
	if (st->ops->rename(st, from, to, err, sizeof(err))) {
		session_error(s, "%s", err);
		return -1;
	}
	sb_addf(&s->out, "renamed %s to %s\n", from, to);
	return 0;
}

int cmd_tag(struct session *s, const struct parsed *p)
{
	struct store *st = scn_store(s, "tag");
	const char *name = p->argv[0].str, *tag = p->argv[1].str;
	bool remove = tag[0] == '-' && tag[1];
	char err[STORE_ERR];

	if (!st)
		return -1;
	tag += remove;
	if (!*tag || strchr(tag, ',')) {
		session_error(s, "tag: a tag is a word without commas");
		return -1;
	}
	if (st->ops->tag(st, name, tag, remove, err, sizeof(err))) {
		session_error(s, "%s", err);
		return -1;
	}
	sb_addf(&s->out, "%s %s %s\n", name, remove ? "is no longer" : "is",
		tag);
	return 0;
}

/* ---- branch ---- */

int cmd_branch(struct session *s, const struct parsed *p)
{
	struct store *st = scn_store(s, "branch");
	const char *name = p->argv[0].str, *to = p->argv[2].str;
	unsigned long at = p->argv[1].num;
	struct scenario scn;
	char err[STORE_ERR];

	if (!st || check_new_name(s, st, "branch", to, false) ||
	    load_named(s, st, "branch", name, &scn))
		return -1;
	if (at < 1 || at > scn.n) {
		session_error(s, "branch: %s has steps 1 to %zu, not %lu", name,
			      scn.n, at);
		scenario_free(&scn);
		return -1;
	}
	/* Steps after at go; the rest, recorded as they are, stay. */
	while (scn.n > at) {
		struct scn_step *x = &scn.steps[--scn.n];

		free(x->line);
		free(x->comment);
		free(x->output);
		free(x->events);
	}
	free(scn.parent);
	scn.parent = scn.name;
	scn.parent_step = at;
	scn.name = scn_strdup(to);
	scn.origin = ORIGIN_USER;
	scn.version = 1;
	if (st->ops->save(st, &scn, true, err, sizeof(err))) {
		session_error(s, "branch: %s", err);
		scenario_free(&scn);
		return -1;
	}
	sb_addf(&s->out,
		"branch %s: steps 1-%lu of %s (load %s goes on from "
		"there)\n",
		to, at, name, to);
	scenario_free(&scn);
	return 0;
}

/* ---- diff ---- */

/* A scenario run step by step in a private session. */
struct runner {
	struct session t;
	const struct scenario *scn;
	size_t next;
};

static void runner_start(struct runner *r, const struct scenario *scn,
			 const struct machine_params *p)
{
	memset(r, 0, sizeof(*r));
	session_init(&r->t, engine_backend_new(p));
	r->t.new_backend = engine_backend_new;
	r->t.params = *p;
	r->t.sink = diag_null;
	r->scn = scn;
}

static void runner_step(struct runner *r)
{
	if (r->next < r->scn->n) {
		const char *line = r->scn->steps[r->next++].line;

		session_run_line(&r->t, line, strlen(line));
	}
}

static void runner_stop(struct runner *r)
{
	session_fini(&r->t);
	r->t.be->ops->destroy(r->t.be);
}

/* Same VMA, as far as an address space goes (ids may differ). */
static bool same_vma(const struct vma_snap *a, const struct vma_snap *b)
{
	return a->start == b->start && a->end == b->end &&
	       a->flags == b->flags && a->pgoff == b->pgoff &&
	       !strcmp(a->name, b->name) && a->rss == b->rss &&
	       a->anon == b->anon && !a->anon_vma == !b->anon_vma;
}

static void snap_line(const struct session *s, char sign,
		      const struct vma_snap *v, const char *where,
		      struct strbuf *out)
{
	char perms[5] = {
		v->flags & VM_READ ? 'r' : '-',
		v->flags & VM_WRITE ? 'w' : '-',
		v->flags & VM_EXEC ? 'x' : '-',
		v->flags & VM_MAYSHARE ? 's' : 'p',
		'\0',
	};
	sb_addf(out, "%c %08lx-%08lx %s ", sign, v->start, v->end, perms);
	format_size(s, out, v->end - v->start);
	sb_addf(out, " rss ");
	format_size(s, out, v->rss << 12);
	sb_addf(out, "%s%s%s  (%s)\n", v->anon_vma ? " anon_vma" : "",
		*v->name ? " " : "", v->name, where);
}

/* Append how pid differs between the two; 0 if it does not. */
static int diff_pid(const struct session *s, const struct machine *ma,
		    const struct machine *mb, int pid, const char *na,
		    const char *nb, struct strbuf *out)
{
	struct mm_snap a = {0}, b = {0};
	size_t i = 0, j = 0;
	int n = 0;

	if (machine_mm(ma, pid))
		mm_snap_take(&a, ma, pid);
	if (machine_mm(mb, pid))
		mm_snap_take(&b, mb, pid);
	while (i < a.n || j < b.n) {
		const struct vma_snap *x = i < a.n ? &a.v[i] : NULL;
		const struct vma_snap *y = j < b.n ? &b.v[j] : NULL;

		if (x && y && same_vma(x, y)) {
			i++, j++;
			continue;
		}
		if (!n++)
			sb_addf(out, "pid %d:\n", pid);
		if (x && (!y || x->start <= y->start)) {
			snap_line(s, '-', x, na, out);
			i++;
		}
		if (y && (!x || y->start <= x->start)) {
			snap_line(s, '+', y, nb, out);
			j++;
		}
	}
	mm_snap_free(&a);
	mm_snap_free(&b);
	return n;
}

static int diff_machines(const struct session *s, struct runner *a,
			 struct runner *b, struct strbuf *out)
{
	struct machine *ma = session_machine(&a->t),
		       *mb = session_machine(&b->t);
	int pa[64], pb[64], n = 0;
	int na = machine_pids(ma, pa, 64), nb = machine_pids(mb, pb, 64);
	int top = 0;

	for (int i = 0; i < na && i < 64; i++)
		top = pa[i] > top ? pa[i] : top;
	for (int i = 0; i < nb && i < 64; i++)
		top = pb[i] > top ? pb[i] : top;
	for (int pid = 1; pid <= top; pid++)
		n += diff_pid(s, ma, mb, pid, a->scn->name, b->scn->name, out);
	return n;
}

int cmd_diff(struct session *s, const struct parsed *p)
{
	struct store *st = scn_store(s, "diff");
	struct scenario x, y;
	struct runner a, b;
	struct strbuf how = STRBUF_INIT;
	size_t steps;

	if (!st || load_named(s, st, "diff", p->argv[0].str, &x))
		return -1;
	if (load_named(s, st, "diff", p->argv[1].str, &y)) {
		scenario_free(&x);
		return -1;
	}
	runner_start(&a, &x, &s->params);
	runner_start(&b, &y, &s->params);
	steps = x.n > y.n ? x.n : y.n;
	for (size_t i = 0; i < steps; i++) {
		runner_step(&a);
		runner_step(&b);
		if (!diff_machines(s, &a, &b, &how))
			continue;
		sb_addf(&s->out, "%s and %s first differ after step %zu:\n",
			x.name, y.name, i + 1);
		sb_addf(&s->out, "  %s: %s\n  %s: %s\n", x.name,
			i < x.n ? x.steps[i].line : "(no more steps)", y.name,
			i < y.n ? y.steps[i].line : "(no more steps)");
		sb_add(&s->out, sb_str(&how), how.len);
		break;
	}
	if (!how.len)
		sb_addf(&s->out,
			"%s and %s leave the same address spaces after each "
			"of %zu steps\n",
			x.name, y.name, steps);
	sb_free(&how);
	runner_stop(&a);
	runner_stop(&b);
	scenario_free(&x);
	scenario_free(&y);
	return 0;
}

/* ---- import ---- */

static char *read_all(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	struct strbuf sb = STRBUF_INIT;
	char buf[8192];
	size_t n;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_add(&sb, buf, n);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		fclose(f);
		sb_free(&sb);
		return NULL;
	}
	fclose(f);
	*len = sb.len;
	return sb.buf ? sb.buf : scn_strdup("");
}

/* "dir/07-name.vml" -> "07-name". */
static char *name_of_file(const char *path)
{
	const char *base = strrchr(path, '/');
	char *name = scn_strdup(base ? base + 1 : path);
	char *dot = strrchr(name, '.');

	if (dot && dot != name)
		*dot = '\0';
	return name;
}

/*
 * A real program's log: replayed (replay.c), and the scenario its replay
 * made is what is kept, when there is a store to keep it in.
 */
static char *import_log_text(struct session *s, const struct parsed *p,
			     size_t *len)
{
	struct strbuf script = {0};

	if (import_log(s, p, &script)) {
		sb_free(&script);
		return NULL;
	}
	*len = script.len;
	return script.buf ? script.buf : scn_strdup("");
}

int cmd_import(struct session *s, const struct parsed *p)
{
	bool log = replay_file_is_log(p->argv[0].str);
	struct store *st;
	char *name, *text, err[STORE_ERR];
	struct scenario scn;
	size_t len;
	int e;

	if (log && !s->store && p->argc < 2) {
		text = import_log_text(s, p, &len);
		free(text);
		return text ? 0 : -1;
	}
	st = scn_store(s, "import");
	if (!st)
		return -1;
	name = p->argc > 1 ? scn_strdup(p->argv[1].str)
			   : name_of_file(p->argv[0].str);
	if (check_new_name(s, st, "import", name, false)) {
		free(name);
		return -1;
	}
	if (log) {
		text = import_log_text(s, p, &len);
		if (!text) {
			free(name);
			return -1;
		}
	} else {
		text = read_all(p->argv[0].str, &len, err, sizeof(err));
	}
	e = !text || scenario_parse(text, len, name, &scn, err, sizeof(err));
	free(text);
	if (!e) {
		scn.origin = ORIGIN_IMPORT;
		scn.version = 1;
		e = scenario_fill(&scn, &s->params, err, sizeof(err)) ||
		    st->ops->save(st, &scn, true, err, sizeof(err));
		if (!e)
			sb_addf(&s->out, "imported %s: %zu steps\n", name,
				scn.n);
		scenario_free(&scn);
	}
	if (e)
		session_error(s, "import: %s", err);
	free(name);
	return e ? -1 : 0;
}
