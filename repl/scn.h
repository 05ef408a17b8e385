/*
 * scn.h - scenarios in a session: recording them, playing them back, and
 * the quiz.  This is the API the command handlers (save, load, replay,
 * quiz, ...) and the UI share; the UI plays a scenario on its timeline
 * with scn_play_begin() and scn_play_step(), and drives a quiz with the
 * quiz_*() functions, so that both go through the same session.
 */
#ifndef VMALAB_SCN_H
#define VMALAB_SCN_H

#include <stdbool.h>
#include "session.h"
#include "store.h"

/* ---- recording: a scenario's steps run on a fresh machine ---- */

enum rec_flags {
	REC_EVENTS = 1 << 0, /* each step's events, as JSON lines */
	REC_FACTS = 1 << 1,  /* what the quiz asks about */
	REC_CALLS = 1 << 2,  /* the calls each step made, with results */
};

/* A call a step made, and what it returned (REC_CALLS). */
struct rec_call {
	bool is_switch; /* switch pid, else the call c */
	int pid;
	struct call c; /* c.path points at path */
	char *path;
	enum result_kind kind;
	long ret;
	unsigned long fault;
};

/* The merge a step made, as the quiz asks it (REC_FACTS). */
enum rec_merge {
	RM_NONE,     /* no merge was considered */
	RM_NEW,	     /* vma_merge_new_range was tried */
	RM_EXISTING, /* vma_merge_existing_range was tried */
};

struct rec_step {
	char *output; /* the contract output */
	char *events; /* JSON lines (REC_EVENTS), or NULL */
	char digest[17];
	char *error; /* the line was refused: the message; else NULL */
	const struct command *cmd;
	/* REC_FACTS */
	enum rec_merge tried;
	int merge_case; /* enum merge_case of the first merge, or 0 */
	bool called;	/* the step made a call (not a switch) */
	int pid;	/* the current process after the step */
	int vmas_before, vmas_after; /* its VMA count */
	bool changed;	    /* a VMA of pid appeared, went or changed */
	unsigned long addr; /* the first call's address */
	char vma_after[64]; /* "start-end perms" of the VMA at addr */
	/* REC_CALLS */
	struct rec_call *calls;
	size_t ncalls;
};

struct recording {
	struct rec_step *steps;
	size_t n;
	int errors; /* steps refused */
};

/*
 * Run every step of scn in a private session on a fresh machine made
 * with p, keeping what flags ask for.  0, or -1 if a step is not a
 * scenario step (err says which).
 */
int scenario_record(const struct scenario *scn, const struct machine_params *p,
		    unsigned flags, struct recording *rec, char *err,
		    size_t errlen);
void recording_free(struct recording *rec);
/* Set each step's output, events and digest from a recording run. */
int scenario_fill(struct scenario *scn, const struct machine_params *p,
		  char *err, size_t errlen);

/*
 * The session's history as a scenario called name: the steps applied
 * since the last reset and the lines that printed between them.  Steps
 * that came from the scenario loaded last keep its commentary.
 */
int session_scenario(const struct session *s, const char *name,
		     struct scenario *out, char *err, size_t errlen);

/* ---- playing a scenario in the session ---- */

/*
 * Start playing scn: a fresh machine, as `reset` gives (so undo goes back
 * to what was there before).  Then scn_play_step() runs step i as a line
 * of its own (its output in s->out, as if typed) and says whether it
 * printed what was recorded: 0 the same, 1 different (or not recorded),
 * -1 refused.  The session remembers scn as the one loaded, so that a
 * later save keeps its commentary.
 */
int scn_play_begin(struct session *s, const struct scenario *scn);
int scn_play_step(struct session *s, const struct scenario *scn, size_t i);

/* ---- the store ---- */

/* The session's store, opened (and its lessons brought up to date) on
 * first use; NULL after reporting why to cmd's error. */
struct store *scn_store(struct session *s, const char *cmd);
/*
 * Bring the lessons in the store up to date: each one not there, or there
 * with a lower version, is recorded and saved; user scenarios are never
 * touched.  Returns how many were saved, or -1.
 */
int scn_sync_lessons(struct session *s, struct store *st,
		     const struct lesson_src *lessons, size_t n);

/* ---- the quiz (quiz.c) ---- */

enum quiz_kind {
	QUIZ_MERGE, /* which merge case: a choice */
	QUIZ_COUNT, /* how many VMAs: a number */
	QUIZ_VMA,   /* the VMA at an address: "start-end perms" */
};

struct quiz_question {
	enum quiz_kind kind;
	size_t step; /* 0-based step of the lesson */
	const char *line;
	const char *comment; /* or NULL */
	char prompt[256];
	const char *choices[8]; /* QUIZ_MERGE, NULL-terminated */
	char answer[128];	/* the right answer, as text */
};

struct quiz_verdict {
	bool right;
	char answer[128]; /* the right one */
};

/* Is a quiz in progress?  Its current question (NULL when none). */
const struct quiz_question *quiz_current(const struct session *s);
/* Start quizzing on the lesson name (taken from the store); the first
 * steps and the first question go to s->out.  0, or -1 reported. */
int quiz_start(struct session *s, const char *name);
/* Answer the current question: the verdict, then the step's output and
 * the next question (or the score) go to s->out.  0, or -1 reported. */
int quiz_answer(struct session *s, const char *answer, struct quiz_verdict *v);
void quiz_stop(struct session *s);

/* What a session keeps between the scenario commands. */
struct quiz;
struct scn_state {
	struct scenario loaded; /* name NULL: none */
	struct quiz *quiz;
};
struct scn_state *scn_state(struct session *s);
void scn_state_free(struct session *s);

/* FNV-1a 64 of text, as 16 hex digits. */
void scn_digest(const char *text, size_t len, char out[17]);

#endif
