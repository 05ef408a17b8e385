/*
 * quiz.c - quiz mode, in the manner of the OSTEP simulators' -c: before a
 * step that changes the address space, the student predicts its outcome
 * (which merge case, how many VMAs, what the VMA at the call's address
 * becomes), then sees the answer, the step's output, its commentary and
 * the engine's trace of it.  Scores go to the store (`quiz --scores`).
 *
 * The quiz is a state machine in the session (s->scn->quiz): quiz_start()
 * runs the lesson up to the first question, quiz_answer() grades it, runs
 * that step and the ones after it up to the next question.  The answers
 * come from a recording run of the lesson made at the start, so grading
 * never depends on what else the user typed meanwhile.  The REPL and
 * batch mode drive it with `quiz NAME` and `answer X`; the UI can call
 * the same functions and read quiz_current().
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "handlers.h"
#include "scn.h"

struct quiz {
	struct scenario scn;
	struct recording rec; /* REC_FACTS: the answers */
	size_t next;	      /* the next step to run */
	bool pending;	      /* q is the question of step next */
	struct quiz_question q;
	int asked, right;
};

static const char *const new_choices[] = {
	"no merge: a VMA of its own",
	"expand prev (old vma_merge case 2)",
	"expand next (old vma_merge case 3)",
	"expand prev, remove next (old vma_merge case 1)",
	NULL,
};
static const char *const existing_choices[] = {
	"no merge (a split, or a change in place)",
	"merge left, partial (old vma_merge case 5)",
	"merge right, partial (old vma_merge case 4)",
	"merge both (old vma_merge case 6)",
	"merge left, full (old vma_merge case 7)",
	"merge right, full (old vma_merge case 8)",
	NULL,
};

/* The number of the right choice for a merge (1: no merge). */
static int merge_choice(const struct rec_step *r)
{
	switch (r->merge_case) {
	case MERGE_NEW_EXPAND_PREV:
		return 2;
	case MERGE_NEW_EXPAND_NEXT:
		return 3;
	case MERGE_NEW_EXPAND_BOTH:
		return 4;
	case MERGE_EXISTING_LEFT_PART:
		return 2;
	case MERGE_EXISTING_RIGHT_PART:
		return 3;
	case MERGE_EXISTING_BOTH:
		return 4;
	case MERGE_EXISTING_LEFT_FULL:
		return 5;
	case MERGE_EXISTING_RIGHT_FULL:
		return 6;
	}
	return 1;
}

/* The question step i asks, if it asks one. */
static bool make_question(const struct quiz *z, size_t i,
			  struct quiz_question *q)
{
	const struct rec_step *r = &z->rec.steps[i];
	const char *const *choices;

	memset(q, 0, sizeof(*q));
	if (!r->called)
		return false;
	q->step = i;
	q->line = z->scn.steps[i].line;
	q->comment = z->scn.steps[i].comment;
	if (r->tried != RM_NONE) {
		q->kind = QUIZ_MERGE;
		choices = r->tried == RM_NEW ? new_choices : existing_choices;
		for (int c = 0; choices[c]; c++)
			q->choices[c] = choices[c];
		snprintf(q->prompt, sizeof(q->prompt),
			 "Which merge does %s make?",
			 r->tried == RM_NEW ? "vma_merge_new_range"
					    : "vma_merge_existing_range");
		snprintf(q->answer, sizeof(q->answer), "%d) %s",
			 merge_choice(r), choices[merge_choice(r) - 1]);
	} else if (r->vmas_before != r->vmas_after) {
		q->kind = QUIZ_COUNT;
		snprintf(q->prompt, sizeof(q->prompt),
			 "How many VMAs will pid %d have after it?", r->pid);
		snprintf(q->answer, sizeof(q->answer), "%d", r->vmas_after);
	} else if (r->changed && r->addr) {
		q->kind = QUIZ_VMA;
		snprintf(q->prompt, sizeof(q->prompt),
			 "What will maps show for the VMA at %#lx? "
			 "(START-END PERMS, or none)",
			 r->addr);
		snprintf(q->answer, sizeof(q->answer), "%s", r->vma_after);
	} else {
		return false;
	}
	return true;
}

static bool graded_right(const struct quiz_question *q, const char *a)
{
	unsigned long s1, e1, s2, e2;
	char p1[8], p2[8];
	char *end;
	long n;

	while (isspace((unsigned char)*a))
		a++;
	switch (q->kind) {
	case QUIZ_MERGE:
	case QUIZ_COUNT:
		/* A number; "2) expand prev" reads as 2. */
		n = strtol(a, &end, 10);
		while (isspace((unsigned char)*end))
			end++;
		return end != a && (!*end || *end == ')') &&
		       n == strtol(q->answer, NULL, 10);
	case QUIZ_VMA:
		if (!strcasecmp(q->answer, "none"))
			return !strncasecmp(a, "none", 4);
		return sscanf(a, "%lx-%lx %7s", &s1, &e1, p1) == 3 &&
		       sscanf(q->answer, "%lx-%lx %7s", &s2, &e2, p2) == 3 &&
		       s1 == s2 && e1 == e2 && !strcmp(p1, p2);
	}
	return false;
}

/* The commentary before a question: up to its first question mark (the
 * "Predict: ...?"), so as not to give the answer away. */
static void comment_before(struct strbuf *out, const char *c)
{
	const char *q = c ? strchr(c, '?') : NULL;

	if (!q)
		return;
	q += strcspn(q, "\n");
	while (c < q) {
		size_t n = strcspn(c, "\n");

		if (c + n > q)
			n = (size_t)(q - c);
		sb_addf(out, "#%s%.*s\n", n ? " " : "", (int)n, c);
		c += n + (c[n] == '\n');
	}
}

static void comment_all(struct strbuf *out, const char *c)
{
	while (c && *c) {
		size_t n = strcspn(c, "\n");

		sb_addf(out, "#%s%.*s\n", n ? " " : "", (int)n, c);
		c += n + (c[n] == '\n');
	}
}

static void ask(struct quiz *z, struct strbuf *out)
{
	const struct quiz_question *q = &z->q;

	sb_puts(out, "\n");
	comment_before(out, q->comment);
	sb_addf(out, "question %d, before step %zu: %s\n  %s\n", z->asked + 1,
		q->step + 1, q->line, q->prompt);
	for (int c = 0; q->kind == QUIZ_MERGE && q->choices[c]; c++)
		sb_addf(out, "    %d) %s\n", c + 1, q->choices[c]);
	sb_puts(out, "  (answer N)\n");
}

/*
 * Run the steps from z->next up to the next question (which is asked) or
 * the end (where the score is kept).  Runs inside the caller's line: g
 * gathers each step's output.
 */
static void advance(struct session *s, struct quiz *z, struct gather *g)
{
	while (z->next < z->scn.n) {
		size_t i = z->next;

		if (make_question(z, i, &z->q)) {
			z->pending = true;
			ask(z, &g->out);
			return;
		}
		comment_all(&g->out, z->scn.steps[i].comment);
		sb_addf(&g->out, "%s:%zu> %s\n", z->scn.name, i + 1,
			z->scn.steps[i].line);
		scn_play_step(s, &z->scn, i);
		gather_line(s, g);
		z->next++;
	}
	z->pending = false;
	sb_addf(&g->out, "\nquiz %s: %d of %d right\n", z->scn.name, z->right,
		z->asked);
	if (s->store && s->store->opened && !s->store->readonly) {
		char err[STORE_ERR];

		if (s->store->ops->add_score(s->store, z->scn.name, z->asked,
					     z->right, err, sizeof(err)))
			session_warn(s, "quiz: the score was not kept: %s",
				     err);
	} else {
		session_warn(s, "quiz: the score was not kept (the store "
				"cannot be written)");
	}
	quiz_stop(s);
}

static void gather_end(struct session *s, struct gather *g)
{
	swap_line(s, g);
	sb_free(&g->out);
	sb_free(&g->tr);
	free(g->spans);
}

const struct quiz_question *quiz_current(const struct session *s)
{
	const struct quiz *z = s->scn ? s->scn->quiz : NULL;

	return z && z->pending ? &z->q : NULL;
}

void quiz_stop(struct session *s)
{
	struct quiz *z = s->scn ? s->scn->quiz : NULL;

	if (!z)
		return;
	scenario_free(&z->scn);
	recording_free(&z->rec);
	free(z);
	s->scn->quiz = NULL;
}

int quiz_start(struct session *s, const char *name)
{
	struct store *st = scn_store(s, "quiz");
	struct gather g = {0};
	char err[STORE_ERR];
	struct quiz *z;

	if (!st)
		return -1;
	z = calloc(1, sizeof(*z));
	if (!z)
		abort();
	if (st->ops->load(st, name, &z->scn, err, sizeof(err)) ||
	    scenario_record(&z->scn, &s->params, REC_FACTS, &z->rec, err,
			    sizeof(err))) {
		session_error(s, "quiz: %s", err);
		scenario_free(&z->scn);
		free(z);
		return -1;
	}
	quiz_stop(s);
	scn_state(s)->quiz = z;
	swap_line(s, &g);
	if (scn_play_begin(s, &z->scn)) {
		gather_end(s, &g);
		quiz_stop(s);
		return -1;
	}
	sb_addf(&g.out, "quiz %s: %s\n", z->scn.name, z->scn.title);
	if (*z->scn.summary)
		sb_addf(&g.out, "  %s\n", z->scn.summary);
	sb_puts(&g.out, "Before each step that changes the address space, "
			"predict what it does:\n`answer N` (`answer` alone "
			"shows the answer, `quiz --stop` ends).\n\n");
	advance(s, z, &g);
	gather_end(s, &g);
	return 0;
}

int quiz_answer(struct session *s, const char *answer, struct quiz_verdict *v)
{
	struct quiz *z = s->scn ? s->scn->quiz : NULL;
	struct gather g = {0};
	bool trace = s->trace;
	size_t i;

	if (!z || !z->pending) {
		session_error(s, "answer: no question is waiting (quiz NAME "
				 "starts a quiz)");
		return -1;
	}
	i = z->q.step;
	v->right = answer && graded_right(&z->q, answer);
	snprintf(v->answer, sizeof(v->answer), "%s", z->q.answer);
	z->asked++;
	z->right += v->right;
	swap_line(s, &g);
	if (!answer)
		sb_addf(&g.out, "the answer: %s\n", z->q.answer);
	else if (v->right)
		sb_addf(&g.out, "right: %s\n", z->q.answer);
	else
		sb_addf(&g.out, "not quite: the answer is %s\n", z->q.answer);
	sb_addf(&g.out, "%s:%zu> %s\n", z->scn.name, i + 1,
		z->scn.steps[i].line);
	/* The explanation: the engine's own steps, then the commentary. */
	session_set_trace(s, true);
	scn_play_step(s, &z->scn, i);
	session_set_trace(s, trace);
	gather_line(s, &g);
	comment_all(&g.out, z->scn.steps[i].comment);
	z->next = i + 1;
	advance(s, z, &g);
	gather_end(s, &g);
	return 0;
}

/* ---- the commands ---- */

static int show_scores(struct session *s)
{
	struct store *st = scn_store(s, "quiz");
	struct quiz_score *v;
	char err[STORE_ERR];
	size_t n;

	if (!st)
		return -1;
	if (st->ops->scores(st, NULL, &v, &n, err, sizeof(err))) {
		session_error(s, "quiz: %s", err);
		return -1;
	}
	if (!n)
		sb_puts(&s->out, "no quizzes taken yet (quiz NAME starts "
				 "one)\n");
	for (size_t i = 0; i < n; i++) {
		char when[32] = "-";
		time_t t = (time_t)v[i].taken;
		struct tm tm;

		if (gmtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
		sb_addf(&s->out, "  %-34s %2d of %2d right  %s UTC\n",
			v[i].name, v[i].right, v[i].asked, when);
	}
	quiz_scores_free(v, n);
	return 0;
}

/* With no name: the first lesson not quizzed yet. */
static char *next_lesson(struct session *s, struct store *st)
{
	struct scenario *v;
	struct quiz_score *q;
	size_t n, nq;
	char err[STORE_ERR], *name = NULL;

	if (st->ops->list(st, "lesson", &v, &n, err, sizeof(err)))
		return NULL;
	if (st->ops->scores(st, NULL, &q, &nq, err, sizeof(err)))
		nq = 0, q = NULL;
	for (size_t i = 0; i < n && !name; i++) {
		bool taken = false;

		for (size_t j = 0; j < nq; j++)
			taken |= !strcmp(q[j].name, v[i].name);
		if (!taken)
			name = strdup(v[i].name);
	}
	if (!name && n)
		name = strdup(v[0].name);
	scenarios_free(v, n);
	quiz_scores_free(q, nq);
	return name;
}

int cmd_quiz(struct session *s, const struct parsed *p)
{
	const char *arg = p->argc ? p->argv[0].str : NULL;
	struct store *st;
	char *name;
	int ret;

	if (arg && !strcmp(arg, "--scores"))
		return show_scores(s);
	if (arg && !strcmp(arg, "--stop")) {
		if (!quiz_current(s)) {
			session_error(s, "quiz: no quiz in progress");
			return -1;
		}
		quiz_stop(s);
		sb_puts(&s->out, "quiz stopped (no score kept)\n");
		return 0;
	}
	if (arg && arg[0] == '-') {
		session_error(s, "quiz: expected a lesson's name, --scores or "
				 "--stop");
		return -1;
	}
	st = scn_store(s, "quiz");
	if (!st)
		return -1;
	name = arg ? strdup(arg) : next_lesson(s, st);
	if (!name) {
		session_error(s, "quiz: no lessons in the store");
		return -1;
	}
	ret = quiz_start(s, name);
	free(name);
	return ret;
}

int cmd_answer(struct session *s, const struct parsed *p)
{
	struct quiz_verdict v;

	const char *a = p->argc ? p->argv[0].str : NULL;

	return quiz_answer(s, a && *a ? a : NULL, &v);
}
