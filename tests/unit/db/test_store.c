/*
 * test_store.c - the scenario store (db/) and the commands over it: the
 * lesson reader on buffers, save and load of every field, migrations from
 * an empty file and from each older schema (the fixtures in tests/db/),
 * files that must be refused and left untouched (not SQLite, foreign,
 * newer, corrupt), a writer killed with SIGKILL in the middle of a save,
 * lesson versions replacing stored lessons but never user scenarios,
 * quiz scoring with scripted answers, and the examples of every store
 * command run in a session that has a store.
 *
 *   test_store                    run the tests
 *   test_store --fixture N FILE   make an empty store at schema N
 */
#include <errno.h>
#include <glob.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "db.h"
#include "handlers.h"
#include "scn.h"
#include "harness.h"

static char tmpdir[64];
static char err[STORE_ERR];

/* The lesson library, read from scenarios/ as the binary embeds it. */
static struct lesson_src lessons[256];
static size_t nlessons;

static void read_lessons(void)
{
	glob_t g;

	if (glob("scenarios/[0-9][0-9]-*.vml", 0, NULL, &g))
		return;
	for (size_t i = 0; i < g.gl_pathc && nlessons < 256; i++) {
		FILE *f = fopen(g.gl_pathv[i], "r");
		struct strbuf sb = STRBUF_INIT;
		char buf[4096], *name = strdup(strrchr(g.gl_pathv[i], '/') + 1);
		size_t n;

		while (f && (n = fread(buf, 1, sizeof(buf), f)) > 0)
			sb_add(&sb, buf, n);
		if (f)
			fclose(f);
		*strrchr(name, '.') = '\0';
		lessons[nlessons].name = name;
		lessons[nlessons++].text = sb.buf;
	}
	globfree(&g);
}

static const char *tmp(const char *name)
{
	static char path[8][128];
	static int next;
	char *p = path[next++ % 8];

	snprintf(p, 128, "%s/%s", tmpdir, name);
	return p;
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static struct store *open_store(const char *path)
{
	struct store *st = db_store_new(path);

	if (st->ops->open(st, err, sizeof(err))) {
		fprintf(stderr, "open %s: %s\n", path, err);
		st->ops->close(st);
		return NULL;
	}
	st->opened = true;
	return st;
}

/* A session as main() makes one, with a store at path. */
static void fresh(struct session *s, const char *path)
{
	session_init(s, engine_backend_new(NULL));
	s->new_backend = engine_backend_new;
	s->sink = diag_null;
	s->store = path ? db_store_new(path) : NULL;
	if (s->store) {
		s->store->lessons = lessons;
		s->store->nlessons = nlessons;
	}
}

static void done(struct session *s)
{
	struct store *st = s->store;

	session_fini(s);
	s->be->ops->destroy(s->be);
	if (st)
		st->ops->close(st);
}

static void run(struct session *s, const char *line)
{
	session_run_line(s, line, strlen(line));
}

/* A scenario of n steps whose lines all carry tag. */
static void make_scenario(struct scenario *scn, const char *name, size_t n,
			  const char *tag)
{
	memset(scn, 0, sizeof(*scn));
	scn->name = strdup(name);
	scn->title = strdup(tag);
	scn->origin = ORIGIN_USER;
	scn->version = 1;
	for (size_t i = 0; i < n; i++) {
		char line[128], out[128];
		struct scn_step *st;

		snprintf(line, sizeof(line), "echo %s %zu", tag, i);
		snprintf(out, sizeof(out), "%s %zu\n", tag, i);
		st = scenario_add_step(scn, line, i % 3 ? NULL : "a comment");
		st->output = strdup(out);
	}
}

/* ---- the reader ---- */

static const char lesson[] = "# title: A title\n"
			     "# summary: what it shows\n"
			     "# tags: merge, new range\n"
			     "# case: expand prev (old vma_merge case 2)\n"
			     "# version: 3\n"
			     "#\n"
			     "# The description,\n"
			     "# in two paragraphs.\n"
			     "#\n"
			     "# The second.\n"
			     "\n"
			     "# First step's commentary.\n"
			     "#   PPPP\n"
			     "map 0x200000000000 16k rw\n"
			     "maps\n"
			     "\n"
			     "# Cut off by a blank line,\n"
			     "\n"
			     "# but still the next step's.\n"
			     "echo --\n";

TEST(parse_lesson)
{
	struct scenario scn;

	ASSERT_EQ(scenario_parse(lesson, strlen(lesson), "07-x", &scn, err,
				 sizeof(err)),
		  0);
	ASSERT_STREQ(scn.name, "07-x");
	ASSERT_STREQ(scn.title, "A title");
	ASSERT_STREQ(scn.summary, "what it shows");
	ASSERT_STREQ(scn.mcase, "expand prev (old vma_merge case 2)");
	ASSERT_EQ(scn.version, 3);
	ASSERT_EQ(scn.ntags, 2);
	ASSERT_STREQ(scn.tags[1], "new range");
	ASSERT_STREQ(scn.description,
		     "The description,\nin two paragraphs.\n\nThe second.");
	ASSERT_EQ(scn.n, 3);
	ASSERT_STREQ(scn.steps[0].line, "map 0x200000000000 16k rw");
	ASSERT_STREQ(scn.steps[0].comment, "First step's commentary.\n  PPPP");
	ASSERT_TRUE(scn.steps[1].comment == NULL);
	ASSERT_STREQ(scn.steps[2].comment,
		     "Cut off by a blank line,\n\nbut still the next step's.");
	scenario_free(&scn);
	return true;
}

TEST(parse_any_script_and_refuse_bad_bytes)
{
	static const char plain[] = "# a step's comment\nmaps\n";
	static const char bad_version[] =
		"# title: t\n# version: two\n\nmaps\n";
	static const char nul[] = "maps\nma\0ps\n";
	struct scenario scn;

	/* No blank line after the first # block: it is commentary. */
	ASSERT_EQ(scenario_parse(plain, strlen(plain), "p", &scn, err,
				 sizeof(err)),
		  0);
	ASSERT_STREQ(scn.title, "p");
	ASSERT_EQ(scn.n, 1);
	ASSERT_STREQ(scn.steps[0].comment, "a step's comment");
	scenario_free(&scn);
	ASSERT_EQ(scenario_parse(bad_version, strlen(bad_version), "b", &scn,
				 err, sizeof(err)),
		  -1);
	ASSERT_TRUE(strstr(err, "line 2: version"));
	ASSERT_EQ(scenario_parse(nul, sizeof(nul) - 1, "n", &scn, err,
				 sizeof(err)),
		  -1);
	ASSERT_STREQ(err, "line 2: a NUL byte");
	ASSERT_EQ(scenario_parse("", 0, "e", &scn, err, sizeof(err)), 0);
	ASSERT_EQ(scn.n, 0);
	scenario_free(&scn);
	return true;
}

/* ---- the store ---- */

TEST(save_and_load_every_field)
{
	struct store *st = open_store(tmp("fields.db"));
	struct scenario a, b, *v;
	size_t n;

	ASSERT_TRUE(st);
	make_scenario(&a, "base", 5, "one");
	ASSERT_EQ(st->ops->save(st, &a, false, err, sizeof(err)), 0);
	scenario_free(&a);
	make_scenario(&a, "mine", 7, "two");
	scenario_add_tag(&a, "t1");
	scenario_add_tag(&a, "t2");
	a.parent = strdup("base");
	a.parent_step = 3;
	a.steps[1].events = strdup("{\"event\":\"lock\"}\n");
	strcpy(a.steps[1].digest, "0123456789abcdef");
	ASSERT_EQ(st->ops->save(st, &a, false, err, sizeof(err)), 0);
	ASSERT_EQ(st->ops->save(st, &a, true, err, sizeof(err)), -EEXIST);
	ASSERT_EQ(st->ops->load(st, "mine", &b, err, sizeof(err)), 0);
	ASSERT_STREQ(b.title, "two");
	ASSERT_EQ(b.n, 7);
	ASSERT_EQ(b.ntags, 2);
	ASSERT_STREQ(b.tags[0], "t1");
	ASSERT_STREQ(b.parent, "base");
	ASSERT_EQ(b.parent_step, 3);
	ASSERT_TRUE(b.created > 0);
	for (size_t i = 0; i < a.n; i++) {
		ASSERT_STREQ(b.steps[i].line, a.steps[i].line);
		ASSERT_STREQ(b.steps[i].output, a.steps[i].output);
		ASSERT_EQ(!b.steps[i].comment, !a.steps[i].comment);
	}
	ASSERT_STREQ(b.steps[1].events, a.steps[1].events);
	ASSERT_STREQ(b.steps[1].digest, "0123456789abcdef");
	scenario_free(&b);
	ASSERT_EQ(st->ops->load(st, "nope", &b, err, sizeof(err)), -ENOENT);
	ASSERT_EQ(st->ops->list(st, "t2", &v, &n, err, sizeof(err)), 0);
	ASSERT_EQ(n, 1);
	ASSERT_EQ(v[0].n, 7);
	scenarios_free(v, n);
	ASSERT_EQ(st->ops->rename(st, "mine", "base", err, sizeof(err)),
		  -EEXIST);
	ASSERT_EQ(st->ops->rename(st, "mine", "yours", err, sizeof(err)), 0);
	/* Deleting the parent leaves the branch, without a parent. */
	ASSERT_EQ(st->ops->remove(st, "base", err, sizeof(err)), 0);
	ASSERT_EQ(st->ops->remove(st, "base", err, sizeof(err)), -ENOENT);
	ASSERT_EQ(st->ops->load(st, "yours", &b, err, sizeof(err)), 0);
	ASSERT_TRUE(b.parent == NULL);
	scenario_free(&b);
	scenario_free(&a);
	st->ops->close(st);
	return true;
}

/* What the fixture data (tests/db/vN.sql) holds. */
static bool fixture_data_ok(struct store *st, int version)
{
	struct scenario scn;

	ASSERT_EQ(st->ops->load(st, "old-one", &scn, err, sizeof(err)), 0);
	ASSERT_STREQ(scn.title, "From an old vmalab");
	ASSERT_EQ(scn.n, 2);
	ASSERT_STREQ(scn.steps[0].line, "map 0x200000000000 16k rw");
	ASSERT_STREQ(scn.steps[1].output,
		     "200000000000-200000004000 rw-p 00000000 00:00 0 \n");
	ASSERT_STREQ(scn.steps[0].digest, "");
	ASSERT_EQ(scn.ntags, version >= 2 ? 1 : 0);
	scenario_free(&scn);
	return true;
}

TEST(migrations_from_every_older_version)
{
	/* An empty file, then each older schema's fixture. */
	for (int v = 0; v < DB_SCHEMA_VERSION; v++) {
		char name[32];
		struct store *st;
		struct session s;
		struct scenario scn;

		snprintf(name, sizeof(name), "v%d.db", v);
		if (v == 0)
			ASSERT_EQ(sh("touch %s", tmp(name)), 0);
		else
			ASSERT_EQ(sh("cp tests/db/v%d.db %s", v, tmp(name)), 0);
		st = open_store(tmp(name));
		ASSERT_TRUE(st);
		if (v)
			ASSERT_TRUE(fixture_data_ok(st, v));
		st->ops->close(st);
		ASSERT_EQ(sh("test \"$(sqlite3 %s 'PRAGMA user_version')\" = "
			     "%d",
			     tmp(name), DB_SCHEMA_VERSION),
			  0);
		/* And the upgraded file takes everything this code does. */
		fresh(&s, tmp(name));
		run(&s, "map 0x200000000000 16k rw");
		run(&s, "save new-one --tag x");
		run(&s, "quiz 01-new-expand-prev");
		run(&s, "answer 1");
		run(&s, "answer 2");
		run(&s, "answer 1");
		ASSERT_EQ(s.errors, 0);
		ASSERT_TRUE(strstr(sb_str(&s.out), "3 of 3 right"));
		ASSERT_EQ(s.store->ops->load(s.store, "new-one", &scn, err,
					     sizeof(err)),
			  0);
		ASSERT_TRUE(strlen(scn.steps[0].digest) == 16);
		scenario_free(&scn);
		done(&s);
	}
	return true;
}

static unsigned long file_sum(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned long h = 5381;
	int c;

	if (!f)
		return 0;
	while ((c = getc(f)) != EOF)
		h = h * 33 + (unsigned long)c;
	fclose(f);
	return h;
}

/* open fails with an error that says want, and the file is unchanged. */
static bool refused(const char *path, const char *want)
{
	unsigned long before = file_sum(path);
	struct store *st = db_store_new(path);
	int e = st->ops->open(st, err, sizeof(err));

	st->ops->close(st);
	if (e != -EIO || !strstr(err, want) || !strstr(err, "left as it is")) {
		fprintf(stderr, "%s: %d %s\n", path, e, err);
		return false;
	}
	ASSERT_EQ(file_sum(path), before);
	ASSERT_EQ(access(tmp("x-wal"), F_OK), -1);
	return true;
}

TEST(foreign_newer_and_corrupt_files_are_left_alone)
{
	struct store *st;
	struct scenario scn;

	ASSERT_EQ(sh("printf 'not a database at all, not at all....' >%s",
		     tmp("text.db")),
		  0);
	ASSERT_TRUE(refused(tmp("text.db"), "not a SQLite database"));
	ASSERT_EQ(sh("sqlite3 %s 'CREATE TABLE t(x); INSERT INTO t VALUES "
		     "(1)'",
		     tmp("foreign.db")),
		  0);
	ASSERT_TRUE(refused(tmp("foreign.db"), "not a vmalab store"));
	st = open_store(tmp("newer.db"));
	ASSERT_TRUE(st);
	st->ops->close(st);
	ASSERT_EQ(sh("sqlite3 %s 'PRAGMA user_version = 99'", tmp("newer.db")),
		  0);
	ASSERT_TRUE(refused(tmp("newer.db"), "newer vmalab (schema 99"));
	/* Corrupt: many pages of steps, then garbage over a page of them. */
	st = open_store(tmp("corrupt.db"));
	ASSERT_TRUE(st);
	make_scenario(&scn, "big", 3000, "a long line of text to fill pages");
	ASSERT_EQ(st->ops->save(st, &scn, false, err, sizeof(err)), 0);
	scenario_free(&scn);
	st->ops->close(st);
	ASSERT_EQ(sh("sqlite3 %s 'PRAGMA journal_mode = DELETE' >/dev/null && "
		     "dd if=/dev/urandom of=%s bs=4096 seek=5 count=3 "
		     "conv=notrunc 2>/dev/null",
		     tmp("corrupt.db"), tmp("corrupt.db")),
		  0);
	ASSERT_TRUE(refused(tmp("corrupt.db"), "corrupt"));
	return true;
}

/*
 * kill -9 during a save: a child saves version B over version A and
 * SIGKILLs itself after n SQLite steps, somewhere inside the transaction
 * (or after it, for large n).  The file must then hold A or B, whole.
 */
static int die_now(void *arg)
{
	int *left = arg;

	if (--*left == 0)
		raise(SIGKILL);
	return 0;
}

static bool is_version(const struct scenario *scn, const char *tag, size_t n)
{
	char line[128];

	if (scn->n != n || strcmp(scn->title, tag))
		return false;
	for (size_t i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "echo %s %zu", tag, i);
		if (strcmp(scn->steps[i].line, line))
			return false;
	}
	return true;
}

TEST(kill_during_save_leaves_old_or_new)
{
	const char *path = tmp("kill.db");
	struct store *st = open_store(path);
	struct scenario a;
	int olds = 0, news = 0;

	ASSERT_TRUE(st);
	make_scenario(&a, "victim", 200, "old");
	ASSERT_EQ(st->ops->save(st, &a, false, err, sizeof(err)), 0);
	scenario_free(&a);
	st->ops->close(st);
	for (int n = 1; n < 60000; n = n * 3 / 2 + 1) {
		struct scenario got;
		int status, left = n;
		pid_t pid = fork();

		if (pid == 0) {
			struct store *w = db_store_new(path);
			struct scenario b;

			db_store_set_progress(w, 1, die_now, &left);
			make_scenario(&b, "victim", 300, "new");
			if (!w->ops->open(w, err, sizeof(err)))
				w->ops->save(w, &b, false, err, sizeof(err));
			/* A child that outlived its kill frees what it has, so
			 * that valgrind's leak check of it stays clean. */
			w->ops->close(w);
			scenario_free(&b);
			_exit(3);
		}
		ASSERT_TRUE(pid > 0);
		ASSERT_EQ(waitpid(pid, &status, 0), pid);
		st = open_store(path);
		ASSERT_TRUE(st);
		ASSERT_EQ(st->ops->load(st, "victim", &got, err, sizeof(err)),
			  0);
		if (is_version(&got, "old", 200)) {
			olds++;
		} else {
			ASSERT_TRUE(is_version(&got, "new", 300));
			news++;
		}
		/* Put the old one back for the next round. */
		if (!is_version(&got, "old", 200)) {
			make_scenario(&a, "victim", 200, "old");
			ASSERT_EQ(
				st->ops->save(st, &a, false, err, sizeof(err)),
				0);
			scenario_free(&a);
		}
		scenario_free(&got);
		st->ops->close(st);
		if (WIFEXITED(status))
			break; /* the save finished before n steps */
		ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	}
	/* Killed before the commit many times, and once done. */
	ASSERT_TRUE(olds >= 10);
	ASSERT_TRUE(news >= 1);
	ASSERT_EQ(sh("test \"$(sqlite3 %s 'PRAGMA integrity_check')\" = ok",
		     path),
		  0);
	return true;
}

/* ---- lessons ---- */

static const char lesson_v1[] = "# title: Lesson one\n"
				"# summary: s\n"
				"# tags: a\n"
				"# version: 1\n"
				"\n"
				"map 0x200000000000 4k rw\n"
				"maps\n";
static const char lesson_v2[] = "# title: Lesson one, again\n"
				"# summary: s\n"
				"# tags: b\n"
				"# version: 2\n"
				"\n"
				"map 0x200000000000 8k rw\n"
				"maps\n"
				"smaps\n";

TEST(lesson_versions_replace_lessons_only)
{
	const struct lesson_src one[] = {{"90-one", lesson_v1},
					 {"91-two", lesson_v1}};
	const struct lesson_src two[] = {{"90-one", lesson_v2},
					 {"91-two", lesson_v2}};
	struct session s;
	struct scenario scn;

	fresh(&s, tmp("lessons.db"));
	s.store->lessons = one;
	s.store->nlessons = 2;
	run(&s, "list");
	ASSERT_EQ(s.errors, 0);
	ASSERT_TRUE(strstr(sb_str(&s.out), "90-one"));
	run(&s, "tag 90-one mine");
	/* 91-two becomes a user's scenario of that name. */
	run(&s, "map 0x200000000000 4k r");
	ASSERT_EQ(s.store->ops->remove(s.store, "91-two", err, sizeof(err)), 0);
	run(&s, "save 91-two");
	ASSERT_EQ(s.errors, 0);
	run(&s, "save 90-one");
	ASSERT_EQ(s.errors, 1); /* a lesson's name */
	run(&s, "delete 90-one");
	ASSERT_EQ(s.errors, 2);
	ASSERT_EQ(scn_sync_lessons(&s, s.store, one, 2), 0);
	ASSERT_EQ(scn_sync_lessons(&s, s.store, two, 2), 1);
	ASSERT_EQ(s.store->ops->load(s.store, "90-one", &scn, err, sizeof(err)),
		  0);
	ASSERT_STREQ(scn.title, "Lesson one, again");
	ASSERT_EQ(scn.version, 2);
	ASSERT_EQ(scn.n, 3);
	ASSERT_STREQ(scn.steps[1].output,
		     "200000000000-200000002000 rw-p 00000000 00:00 0 \n");
	/* The lesson's tags are the new ones; the user's stay. */
	ASSERT_EQ(scn.ntags, 2);
	ASSERT_TRUE(!strcmp(scn.tags[0], "b") || !strcmp(scn.tags[1], "b"));
	ASSERT_TRUE(!strcmp(scn.tags[0], "mine") ||
		    !strcmp(scn.tags[1], "mine"));
	scenario_free(&scn);
	ASSERT_EQ(s.store->ops->load(s.store, "91-two", &scn, err, sizeof(err)),
		  0);
	ASSERT_EQ(scn.origin, ORIGIN_USER);
	ASSERT_STREQ(scn.steps[0].line, "map 0x200000000000 4k r");
	scenario_free(&scn);
	done(&s);
	return true;
}

/* ---- sessions ---- */

TEST(save_keeps_what_printed_and_undo_drops_it)
{
	struct session s;
	struct scenario scn;

	fresh(&s, tmp("session.db"));
	run(&s, "map 0x200000000000 16k rw");
	run(&s, "maps");
	run(&s, "protect 0x200000001000 4k r");
	run(&s, "maps");
	run(&s, "undo");
	run(&s, "echo after undo");
	run(&s, "touch 0x200000000000");
	run(&s, "bogus");
	run(&s, "help");
	run(&s, "save s");
	ASSERT_EQ(s.errors, 1);
	ASSERT_EQ(s.store->ops->load(s.store, "s", &scn, err, sizeof(err)), 0);
	ASSERT_EQ(scn.n, 4);
	ASSERT_STREQ(scn.steps[0].line, "map 0x200000000000 16k rw");
	ASSERT_STREQ(scn.steps[1].line, "maps");
	ASSERT_STREQ(scn.steps[2].line, "echo after undo");
	ASSERT_STREQ(scn.steps[3].line, "touch 0x200000000000");
	ASSERT_STREQ(scn.steps[3].output, "touch 0x200000000000 = 0\n");
	scenario_free(&scn);
	/* A reset starts the scenario afresh. */
	run(&s, "reset");
	run(&s, "save t");
	ASSERT_EQ(s.errors, 2);
	done(&s);
	return true;
}

TEST(quiz_scoring_with_scripted_answers)
{
	struct session s;
	struct quiz_score *v;
	size_t n;

	fresh(&s, tmp("quiz.db"));
	run(&s, "answer 1");
	ASSERT_EQ(s.errors, 1);
	run(&s, "quiz 01-new-expand-prev");
	ASSERT_TRUE(quiz_current(&s));
	ASSERT_EQ(quiz_current(&s)->kind, QUIZ_COUNT);
	run(&s, "answer 2"); /* one VMA: wrong */
	ASSERT_TRUE(strstr(sb_str(&s.out), "not quite: the answer is 1"));
	ASSERT_EQ(quiz_current(&s)->kind, QUIZ_MERGE);
	ASSERT_STREQ(quiz_current(&s)->answer,
		     "2) expand prev (old vma_merge case 2)");
	run(&s, "answer 2"); /* expand prev: right */
	ASSERT_TRUE(strstr(sb_str(&s.out), "right: 2)"));
	ASSERT_TRUE(strstr(sb_str(&s.out), "# do_mmap"));
	run(&s, "answer"); /* shown: counts as wrong */
	ASSERT_TRUE(quiz_current(&s) == NULL);
	ASSERT_TRUE(strstr(sb_str(&s.out), "1 of 3 right"));
	/* The lesson 10: a split in three, then a no-op mprotect. */
	run(&s, "quiz 10-existing-split-three");
	while (quiz_current(&s)) {
		const struct quiz_question *q = quiz_current(&s);
		char line[160];

		snprintf(line, sizeof(line), "answer %s", q->answer);
		run(&s, line);
	}
	ASSERT_TRUE(strstr(sb_str(&s.out), "quiz 10-existing-split-three: "));
	ASSERT_EQ(s.errors, 1);
	ASSERT_EQ(s.store->ops->scores(s.store, NULL, &v, &n, err, sizeof(err)),
		  0);
	ASSERT_EQ(n, 2);
	ASSERT_EQ(v[0].asked, v[0].right); /* all right, newest first */
	ASSERT_STREQ(v[1].name, "01-new-expand-prev");
	ASSERT_EQ(v[1].asked, 3);
	ASSERT_EQ(v[1].right, 1);
	quiz_scores_free(v, n);
	run(&s, "quiz --scores");
	ASSERT_TRUE(strstr(sb_str(&s.out), " 1 of  3 right"));
	done(&s);
	return true;
}

TEST(no_store_is_a_clear_error)
{
	struct session s;

	fresh(&s, NULL);
	run(&s, "list");
	ASSERT_EQ(s.errors, 1);
	done(&s);
	fresh(&s, "/proc/vmalab/no/such/dir/x.db");
	run(&s, "list");
	run(&s, "map 0x200000000000 4k rw");
	run(&s, "save x");
	ASSERT_EQ(s.errors, 2);
	ASSERT_TRUE(s.store->failed);
	ASSERT_TRUE(strstr(s.store->why, "cannot make the directory"));
	done(&s);
	return true;
}

/* Each store command's example runs without an error, with a store. */
TEST(every_store_example_runs)
{
	for (size_t i = 0; i < commands_count; i++) {
		const char *ex = commands[i].example;
		struct session s;
		char name[64];

		if (!(commands[i].flags & CMD_STORE))
			continue;
		snprintf(name, sizeof(name), "ex-%s.db", commands[i].name);
		fresh(&s, tmp(name));
		while (*ex) {
			size_t n = strcspn(ex, "\n");

			session_run_line(&s, ex, n);
			if (s.errors) {
				fprintf(stderr, "example of %s fails: %.*s\n",
					commands[i].name, (int)n, ex);
				done(&s);
				return false;
			}
			ex += n + (ex[n] == '\n');
		}
		done(&s);
	}
	return true;
}

static const struct test_case tests[] = {
	TEST_ENTRY(parse_lesson),
	TEST_ENTRY(parse_any_script_and_refuse_bad_bytes),
	TEST_ENTRY(save_and_load_every_field),
	TEST_ENTRY(migrations_from_every_older_version),
	TEST_ENTRY(foreign_newer_and_corrupt_files_are_left_alone),
	TEST_ENTRY(kill_during_save_leaves_old_or_new),
	TEST_ENTRY(lesson_versions_replace_lessons_only),
	TEST_ENTRY(save_keeps_what_printed_and_undo_drops_it),
	TEST_ENTRY(quiz_scoring_with_scripted_answers),
	TEST_ENTRY(no_store_is_a_clear_error),
	TEST_ENTRY(every_store_example_runs),
};

int main(int argc, char **argv)
{
	int ret;

	if (argc == 4 && !strcmp(argv[1], "--fixture")) {
		if (db_create_at_version(argv[3], atoi(argv[2]), err,
					 sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		return 0;
	}
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vmalab-test-store-XXXXXX");
	if (!mkdtemp(tmpdir))
		return 1;
	setenv("VMALAB_DB_TIMEOUT_MS", "2000", 1);
	read_lessons();
	ret = RUN_TESTS("store", tests);
	sh("rm -rf %s", tmpdir);
	return ret;
}
