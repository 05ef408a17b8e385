/*
 * store.h - scenarios as values, and the store that keeps them.
 *
 * A scenario is a named list of steps: each step a command line as the
 * command table takes it, with its commentary (the `#` lines above it in
 * a lesson), the contract output it printed when it was recorded, and the
 * engine's events of that run (JSON lines, and a digest of them), so that
 * a replay on a newer engine can say which step changed.
 *
 * The core does not know SQLite: a store is a table of functions that
 * db/ implements and cli/main.c installs in s->store (NULL when there is
 * none).  Every function returns 0, or -errno with err saying what
 * happened in words: -ENOENT no such scenario, -EEXIST the name is taken,
 * -EROFS the store cannot be written, -EBUSY another process holds it
 * locked, -EIO anything else (a corrupt or foreign file, ...).
 */
#ifndef VMALAB_STORE_H
#define VMALAB_STORE_H

#include <stdbool.h>
#include <stddef.h>

enum scn_origin { ORIGIN_LESSON = 1, ORIGIN_USER, ORIGIN_IMPORT };

struct scn_step {
	char *line;	 /* the command, trimmed */
	char *comment;	 /* the `#` lines above it, "# " stripped, or NULL */
	char *output;	 /* what it printed when recorded, or NULL */
	char *events;	 /* the engine's events then, as JSON lines, or NULL */
	char digest[17]; /* FNV-1a 64 of events, in hex; "" if none */
};

struct scenario {
	char *name, *title, *summary, *description;
	char *kernel, *mcase; /* lesson metadata: kernel functions, case */
	char **tags;
	size_t ntags;
	enum scn_origin origin;
	int version;		    /* a lesson's header version; else 1 */
	long long created, updated; /* Unix time, set by the store */
	char *parent;		    /* branched from this scenario, or NULL */
	size_t parent_step;	    /* ... at this step (1-based) */
	struct scn_step *steps;
	size_t n, cap; /* list(): n is the count, steps is NULL */
};

/* A quiz taken: when, and how many of the questions were right. */
struct quiz_score {
	char *name;
	long long taken;
	int asked, right;
};

#define STORE_ERR 512

/* A lesson the binary carries (scenarios/NN-name.vml, made into C). */
struct lesson_src {
	const char *name; /* "01-new-expand-prev" */
	const char *text;
};

struct store;
struct store_ops {
	/* Open (and create or upgrade) the store; called before the rest. */
	int (*open)(struct store *st, char *err, size_t errlen);
	/* Keep scn under its name, in one transaction: a new scenario, or
	 * (unless no_replace) the new version of the one of that name. */
	int (*save)(struct store *st, const struct scenario *scn,
		    bool no_replace, char *err, size_t errlen);
	int (*load)(struct store *st, const char *name, struct scenario *out,
		    char *err, size_t errlen);
	/* Every scenario (tag NULL), or those with the tag or origin
	 * ("lesson", "user", "import"); steps are not loaded. */
	int (*list)(struct store *st, const char *tag, struct scenario **out,
		    size_t *n, char *err, size_t errlen);
	int (*remove)(struct store *st, const char *name, char *err,
		      size_t errlen);
	int (*rename)(struct store *st, const char *from, const char *to,
		      char *err, size_t errlen);
	/* Add tag to name (or take it away, with remove). */
	int (*tag)(struct store *st, const char *name, const char *tag,
		   bool remove, char *err, size_t errlen);
	/* A lesson's stored version and origin (for lessons: 0 or -ENOENT). */
	int (*version)(struct store *st, const char *name, int *version,
		       enum scn_origin *origin, char *err, size_t errlen);
	int (*add_score)(struct store *st, const char *name, int asked,
			 int right, char *err, size_t errlen);
	/* Every quiz taken, newest first (name NULL), or those of one. */
	int (*scores)(struct store *st, const char *name,
		      struct quiz_score **out, size_t *n, char *err,
		      size_t errlen);
	void (*close)(struct store *st);
};

struct store {
	const struct store_ops *ops;
	const char *path;    /* for messages */
	bool opened;	     /* open() succeeded */
	bool failed;	     /* open() failed: do not try again */
	bool readonly;	     /* opened, but cannot be written */
	char why[STORE_ERR]; /* why open() failed */
	/* The lessons to bring up to date at open (scn_sync_lessons). */
	const struct lesson_src *lessons;
	size_t nlessons;
};

/* strdup that never fails (NULL copies as ""). */
char *scn_strdup(const char *s);
void scenario_free(struct scenario *scn);
void scenarios_free(struct scenario *v, size_t n);
void quiz_scores_free(struct quiz_score *v, size_t n);
/* Append a step (strings copied; comment may be NULL). */
struct scn_step *scenario_add_step(struct scenario *scn, const char *line,
				   const char *comment);
/* Add a tag unless it is there already. */
void scenario_add_tag(struct scenario *scn, const char *tag);
const char *scn_origin_name(enum scn_origin o);
/* Is name a scenario name: letters, digits, '-', '_', '.', not first '-'? */
bool scenario_name_ok(const char *name);

/*
 * Read a script in the lesson format (scenarios/README.md) from a buffer:
 * the header's metadata and description, and each step with the `#`
 * lines above it.  Any script reads (it may have no header at all); name
 * is the scenario's name.  0, or -1 with err saying which line is wrong.
 * Takes any bytes: the fuzzer's entry point for the loader.
 */
int scenario_parse(const char *buf, size_t len, const char *name,
		   struct scenario *out, char *err, size_t errlen);

#endif
