/*
 * db.c - the scenario store: one SQLite file, used the way sqlite3's own
 * shell uses it.  All of vmalab's SQL is in this file.
 *
 * - The schema is made and upgraded by the migrations below, run in order
 *   at open from whatever PRAGMA user_version the file has, each in its
 *   own transaction with the new version.
 * - Before anything is written, the file is checked: a file that is not
 *   SQLite, that another program made (its application_id), that a newer
 *   vmalab made (user_version above ours), or that fails quick_check is
 *   refused with a clear error and left exactly as it was.
 * - WAL mode, foreign keys on, a busy timeout; prepared statements with
 *   bound parameters only; every save is one transaction, so a writer
 *   killed half-way leaves the old version or the new one.
 * - Every return code is checked, and sqlite3_errmsg() is reported with
 *   what was being done.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>
#include "db.h"

struct db_store {
	struct store st;
	char *path;
	sqlite3 *db;
	int busy_ms;
	int progress_n;
	int (*progress)(void *);
	void *progress_arg;
};

static struct db_store *dbs(struct store *st)
{
	return (struct db_store *)st;
}

/* ---- the schema, one migration per version ---- */

static const char *const migrations[DB_SCHEMA_VERSION] = {
	/* 0 -> 1: scenarios and their steps. */
	"PRAGMA application_id = 0x766d6c62;"
	"CREATE TABLE scenario ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  title TEXT NOT NULL DEFAULT '',"
	"  description TEXT NOT NULL DEFAULT '',"
	"  origin TEXT NOT NULL CHECK (origin IN ('lesson', 'user', 'import')),"
	"  version INTEGER NOT NULL DEFAULT 1,"
	"  created INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL);"
	"CREATE TABLE step ("
	"  scenario_id INTEGER NOT NULL"
	"    REFERENCES scenario(id) ON DELETE CASCADE,"
	"  idx INTEGER NOT NULL,"
	"  line TEXT NOT NULL,"
	"  comment TEXT,"
	"  output TEXT,"
	"  PRIMARY KEY (scenario_id, idx)) WITHOUT ROWID;",

	/* 1 -> 2: lesson metadata, tags, and branches. */
	"ALTER TABLE scenario ADD COLUMN summary TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE scenario ADD COLUMN kernel TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE scenario ADD COLUMN merge_case TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE scenario ADD COLUMN parent_id INTEGER"
	"  REFERENCES scenario(id) ON DELETE SET NULL;"
	"ALTER TABLE scenario ADD COLUMN parent_step INTEGER;"
	"CREATE TABLE tag ("
	"  scenario_id INTEGER NOT NULL"
	"    REFERENCES scenario(id) ON DELETE CASCADE,"
	"  tag TEXT NOT NULL,"
	"  by_user INTEGER NOT NULL DEFAULT 1,"
	"  UNIQUE (scenario_id, tag));"
	"CREATE INDEX tag_by_name ON tag(tag);",

	/* 2 -> 3: each step's engine events, and quiz results. */
	"ALTER TABLE step ADD COLUMN events TEXT;"
	"ALTER TABLE step ADD COLUMN digest TEXT NOT NULL DEFAULT '';"
	"CREATE TABLE quiz_result ("
	"  id INTEGER PRIMARY KEY,"
	"  scenario_id INTEGER NOT NULL"
	"    REFERENCES scenario(id) ON DELETE CASCADE,"
	"  taken INTEGER NOT NULL,"
	"  asked INTEGER NOT NULL,"
	"  correct INTEGER NOT NULL);"
	"CREATE INDEX quiz_by_scenario ON quiz_result(scenario_id);",
};

/* ---- errors ---- */

/* -errno for a SQLite result code. */
static int errno_of(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
		return -EROFS;
	case SQLITE_CONSTRAINT:
		return -EEXIST;
	default:
		return -EIO;
	}
}

/* "WHAT: sqlite's message", in words for the cases a user meets. */
static int fail(struct db_store *d, int rc, const char *what, char *err,
		size_t errlen)
{
	int e = errno_of(rc);

	if (e == -EBUSY)
		snprintf(err, errlen,
			 "%s: the store %s is locked by another process "
			 "(waited %.1f s)",
			 what, d->path, d->busy_ms / 1000.0);
	else if (e == -EROFS)
		snprintf(err, errlen, "%s: the store %s is read-only (%s)",
			 what, d->path, d->db ? sqlite3_errmsg(d->db) : "");
	else
		snprintf(err, errlen, "%s: %s (%s)", what,
			 d->db ? sqlite3_errmsg(d->db) : sqlite3_errstr(rc),
			 d->path);
	return e;
}

static int exec(struct db_store *d, const char *sql, const char *what,
		char *err, size_t errlen)
{
	int rc = sqlite3_exec(d->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : fail(d, rc, what, err, errlen);
}

/* Prepare sql and bind text parameters ?1.. from args (NULL binds NULL). */
static int prepare(struct db_store *d, sqlite3_stmt **stmt, const char *sql,
		   const char *what, char *err, size_t errlen)
{
	int rc = sqlite3_prepare_v2(d->db, sql, -1, stmt, NULL);

	if (rc != SQLITE_OK) {
		*stmt = NULL;
		return fail(d, rc, what, err, errlen);
	}
	return 0;
}

static int bind_text(sqlite3_stmt *stmt, int i, const char *s)
{
	return s ? sqlite3_bind_text(stmt, i, s, -1, SQLITE_TRANSIENT)
		 : sqlite3_bind_null(stmt, i);
}

static char *col_text(sqlite3_stmt *stmt, int i)
{
	const unsigned char *t = sqlite3_column_text(stmt, i);
	char *s;

	if (!t)
		return NULL;
	s = strdup((const char *)t);
	if (!s)
		abort();
	return s;
}

static char *col_text0(sqlite3_stmt *stmt, int i)
{
	char *s = col_text(stmt, i);

	if (!s) {
		s = strdup("");
		if (!s)
			abort();
	}
	return s;
}

/* ---- opening ---- */

/* mkdir -p of the directory that holds path. */
static int make_parent(const char *path)
{
	char dir[PATH_MAX];
	char *slash;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -1;
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -1;
	return 0;
}

static int pragma_int(struct db_store *d, const char *sql, long *out)
{
	sqlite3_stmt *stmt;
	int rc = sqlite3_prepare_v2(d->db, sql, -1, &stmt, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*out = (long)sqlite3_column_int64(stmt, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(stmt);
	return rc;
}

/*
 * Is this file ours, and one we can read?  Only reads: nothing is written
 * to a file that fails here.
 */
static int check_identity(struct db_store *d, long *version, char *err,
			  size_t errlen)
{
	long app = 0, tables = 0;
	char res[256] = "";
	sqlite3_stmt *stmt;
	int rc;

	rc = pragma_int(d, "PRAGMA application_id", &app);
	if (rc == SQLITE_OK)
		rc = pragma_int(d, "PRAGMA user_version", version);
	if (rc == SQLITE_OK)
		rc = pragma_int(d, "SELECT count(*) FROM sqlite_schema",
				&tables);
	if ((rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT) {
		snprintf(err, errlen,
			 "%s is not a SQLite database, or is corrupt (%s); "
			 "it was left as it is",
			 d->path, sqlite3_errstr(rc));
		return -EIO;
	}
	if (rc != SQLITE_OK)
		return fail(d, rc, "reading the store's header", err, errlen);
	if ((unsigned long)app != DB_APPLICATION_ID && (app || tables)) {
		snprintf(err, errlen,
			 "%s is not a vmalab store (application_id %#lx, %ld "
			 "tables); it was left as it is",
			 d->path, (unsigned long)app, tables);
		return -EIO;
	}
	if (*version > DB_SCHEMA_VERSION) {
		snprintf(err, errlen,
			 "%s was made by a newer vmalab (schema %ld; this one "
			 "knows up to %d); it was left as it is",
			 d->path, *version, DB_SCHEMA_VERSION);
		return -EIO;
	}
	if (!tables)
		return 0;
	rc = sqlite3_prepare_v2(d->db, "PRAGMA quick_check", -1, &stmt, NULL);
	if (rc == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
		snprintf(res, sizeof(res), "%s",
			 (const char *)sqlite3_column_text(stmt, 0));
	else
		snprintf(res, sizeof(res), "%s", sqlite3_errmsg(d->db));
	sqlite3_finalize(stmt);
	if (strcmp(res, "ok")) {
		snprintf(err, errlen,
			 "%s is corrupt (quick_check: %s); it was left as it "
			 "is",
			 d->path, res);
		return -EIO;
	}
	return 0;
}

/* Run the migrations from the file's version up to upto, each one in
 * its own transaction with its new user_version. */
static int migrate(struct db_store *d, int upto, char *err, size_t errlen)
{
	for (;;) {
		char sql[64];
		long v = 0;
		int e = exec(d, "BEGIN IMMEDIATE", "upgrading the store", err,
			     errlen);
		int rc;

		if (e)
			return e;
		/* Another vmalab may have upgraded it while we waited. */
		rc = pragma_int(d, "PRAGMA user_version", &v);
		if (rc != SQLITE_OK) {
			exec(d, "ROLLBACK", "", err, errlen);
			return fail(d, rc, "upgrading the store", err, errlen);
		}
		if (v >= upto) {
			exec(d, "COMMIT", "upgrading the store", err, errlen);
			return 0;
		}
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %ld", v + 1);
		e = exec(d, migrations[v], "upgrading the store", err, errlen);
		if (!e)
			e = exec(d, sql, "upgrading the store", err, errlen);
		if (!e)
			e = exec(d, "COMMIT", "upgrading the store", err,
				 errlen);
		if (e) {
			sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
			return e;
		}
	}
}

static void db_close_handle(struct db_store *d)
{
	if (d->db)
		sqlite3_close(d->db);
	d->db = NULL;
}

static int open_at(struct db_store *d, int upto, char *err, size_t errlen)
{
	long version = 0;
	int rc, e;

	if (make_parent(d->path)) {
		snprintf(err, errlen, "cannot make the directory of %s: %s",
			 d->path, strerror(errno));
		return errno == EROFS || errno == EACCES ? -EROFS : -EIO;
	}
	rc = sqlite3_open_v2(d->path, &d->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		e = fail(d, rc, "opening the scenario store", err, errlen);
		db_close_handle(d);
		return e;
	}
	sqlite3_extended_result_codes(d->db, 1);
	sqlite3_busy_timeout(d->db, d->busy_ms);
	/* SQLite falls back to reading a file it may not write. */
	d->st.readonly = sqlite3_db_readonly(d->db, "main") == 1;
	e = check_identity(d, &version, err, errlen);
	if (!e && !d->st.readonly)
		e = exec(d, "PRAGMA journal_mode = WAL",
			 "opening the scenario store", err, errlen);
	if (!e)
		e = exec(d, "PRAGMA foreign_keys = ON",
			 "opening the scenario store", err, errlen);
	if (!e && version < upto && d->st.readonly) {
		snprintf(err, errlen,
			 "%s is read-only and needs an upgrade (schema %ld "
			 "to %d)",
			 d->path, version, upto);
		e = -EROFS;
	}
	if (!e && version < upto)
		e = migrate(d, upto, err, errlen);
	if (e) {
		db_close_handle(d);
		return e;
	}
	if (d->progress)
		sqlite3_progress_handler(d->db, d->progress_n, d->progress,
					 d->progress_arg);
	return 0;
}

static int db_open(struct store *st, char *err, size_t errlen)
{
	struct db_store *d = dbs(st);

	if (d->db)
		return 0;
	return open_at(d, DB_SCHEMA_VERSION, err, errlen);
}

/* ---- transactions ---- */

static int begin_write(struct db_store *d, const char *what, char *err,
		       size_t errlen)
{
	if (d->st.readonly) {
		snprintf(err, errlen, "%s: the store %s is read-only", what,
			 d->path);
		return -EROFS;
	}
	return exec(d, "BEGIN IMMEDIATE", what, err, errlen);
}

/* COMMIT if e is 0, else ROLLBACK; returns e (or COMMIT's error). */
static int end_write(struct db_store *d, int e, const char *what, char *err,
		     size_t errlen)
{
	if (!e)
		e = exec(d, "COMMIT", what, err, errlen);
	if (e && !sqlite3_get_autocommit(d->db))
		sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
	return e;
}

/* Step a statement that returns no rows, then finalize it. */
static int run(struct db_store *d, sqlite3_stmt *stmt, const char *what,
	       char *err, size_t errlen)
{
	int rc = sqlite3_step(stmt);
	int e = rc == SQLITE_DONE ? 0 : fail(d, rc, what, err, errlen);

	sqlite3_finalize(stmt);
	return e;
}

/* Step a statement that is run again with new parameters: reset it. */
static int step_reset(struct db_store *d, sqlite3_stmt *stmt, const char *what,
		      char *err, size_t errlen)
{
	int rc = sqlite3_step(stmt);

	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : fail(d, rc, what, err, errlen);
}

/* The id of the scenario called name: > 0, 0 if none, or -errno. */
static long long find_id(struct db_store *d, const char *name, const char *what,
			 char *err, size_t errlen)
{
	sqlite3_stmt *stmt;
	long long id = 0;
	int rc, e;

	e = prepare(d, &stmt, "SELECT id FROM scenario WHERE name = ?1", what,
		    err, errlen);
	if (e)
		return e;
	bind_text(stmt, 1, name);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(stmt, 0);
	else if (rc != SQLITE_DONE)
		id = fail(d, rc, what, err, errlen);
	sqlite3_finalize(stmt);
	return id;
}

static int no_such(const char *name, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: no scenario called %s (list shows them)",
		 what, name);
	return -ENOENT;
}

/* ---- save ---- */

static int put_scenario(struct db_store *d, const struct scenario *scn,
			long long id, long long *out_id, char *err,
			size_t errlen)
{
	static const char *const upd =
		"UPDATE scenario SET title = ?2, description = ?3,"
		" origin = ?4, version = ?5, summary = ?6, kernel = ?7,"
		" merge_case = ?8, updated = CAST(strftime('%s', 'now') AS"
		" INTEGER),"
		" parent_id = coalesce((SELECT id FROM scenario WHERE name ="
		" ?9), parent_id), parent_step = coalesce(?10, parent_step)"
		" WHERE id = ?1";
	static const char *const ins =
		"INSERT INTO scenario (name, title, description, origin,"
		" version, summary, kernel, merge_case, created, updated,"
		" parent_id, parent_step) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
		" ?8, CAST(strftime('%s', 'now') AS INTEGER),"
		" CAST(strftime('%s', 'now') AS INTEGER),"
		" (SELECT id FROM scenario WHERE name = ?9), ?10)";
	const char *what = "saving the scenario";
	sqlite3_stmt *stmt;
	int e = prepare(d, &stmt, id ? upd : ins, what, err, errlen);

	if (e)
		return e;
	if (id)
		sqlite3_bind_int64(stmt, 1, id);
	else
		bind_text(stmt, 1, scn->name);
	bind_text(stmt, 2, scn->title ? scn->title : scn->name);
	bind_text(stmt, 3, scn->description ? scn->description : "");
	bind_text(stmt, 4, scn_origin_name(scn->origin));
	sqlite3_bind_int(stmt, 5, scn->version > 0 ? scn->version : 1);
	bind_text(stmt, 6, scn->summary ? scn->summary : "");
	bind_text(stmt, 7, scn->kernel ? scn->kernel : "");
	bind_text(stmt, 8, scn->mcase ? scn->mcase : "");
	bind_text(stmt, 9, scn->parent);
	if (scn->parent)
		sqlite3_bind_int64(stmt, 10, (long long)scn->parent_step);
	else
		sqlite3_bind_null(stmt, 10);
	e = run(d, stmt, what, err, errlen);
	*out_id = id ? id : sqlite3_last_insert_rowid(d->db);
	return e;
}

static int put_steps(struct db_store *d, const struct scenario *scn,
		     long long id, char *err, size_t errlen)
{
	const char *what = "saving the scenario's steps";
	sqlite3_stmt *stmt;
	int e = prepare(d, &stmt, "DELETE FROM step WHERE scenario_id = ?1",
			what, err, errlen);

	if (e)
		return e;
	sqlite3_bind_int64(stmt, 1, id);
	e = run(d, stmt, what, err, errlen);
	stmt = NULL;
	if (!e)
		e = prepare(d, &stmt,
			    "INSERT INTO step (scenario_id, idx, line, comment,"
			    " output, events, digest) VALUES (?1, ?2, ?3, ?4,"
			    " ?5, ?6, ?7)",
			    what, err, errlen);
	for (size_t i = 0; !e && i < scn->n; i++) {
		const struct scn_step *st = &scn->steps[i];

		sqlite3_bind_int64(stmt, 1, id);
		sqlite3_bind_int64(stmt, 2, (long long)i + 1);
		bind_text(stmt, 3, st->line);
		bind_text(stmt, 4, st->comment);
		bind_text(stmt, 5, st->output);
		bind_text(stmt, 6, st->events);
		bind_text(stmt, 7, st->digest);
		e = step_reset(d, stmt, what, err, errlen);
	}
	sqlite3_finalize(stmt);
	return e;
}

/*
 * A lesson's own tags are replaced by the new version's, and the tags a
 * user added to it stay; a user's scenario gets exactly its tags.
 */
static int put_tags(struct db_store *d, const struct scenario *scn,
		    long long id, char *err, size_t errlen)
{
	const char *what = "saving the scenario's tags";
	bool lesson = scn->origin == ORIGIN_LESSON;
	sqlite3_stmt *stmt;
	int e = prepare(d, &stmt,
			"DELETE FROM tag WHERE scenario_id = ?1 AND"
			" (by_user = 0 OR ?2 = 0)",
			what, err, errlen);

	if (e)
		return e;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int(stmt, 2, lesson);
	e = run(d, stmt, what, err, errlen);
	stmt = NULL;
	if (!e)
		e = prepare(d, &stmt,
			    "INSERT OR IGNORE INTO tag (scenario_id, tag,"
			    " by_user) VALUES (?1, ?2, ?3)",
			    what, err, errlen);
	for (size_t i = 0; !e && i < scn->ntags; i++) {
		sqlite3_bind_int64(stmt, 1, id);
		bind_text(stmt, 2, scn->tags[i]);
		sqlite3_bind_int(stmt, 3, !lesson);
		e = step_reset(d, stmt, what, err, errlen);
	}
	sqlite3_finalize(stmt);
	return e;
}

static int db_save(struct store *st, const struct scenario *scn,
		   bool no_replace, char *err, size_t errlen)
{
	struct db_store *d = dbs(st);
	const char *what = "saving the scenario";
	long long id;
	int e = begin_write(d, what, err, errlen);

	if (e)
		return e;
	id = find_id(d, scn->name, what, err, errlen);
	if (id < 0)
		return end_write(d, (int)id, what, err, errlen);
	if (id && no_replace) {
		snprintf(err, errlen, "there is a scenario called %s already",
			 scn->name);
		return end_write(d, -EEXIST, what, err, errlen);
	}
	e = put_scenario(d, scn, id, &id, err, errlen);
	if (!e)
		e = put_steps(d, scn, id, err, errlen);
	if (!e)
		e = put_tags(d, scn, id, err, errlen);
	return end_write(d, e, what, err, errlen);
}

/* ---- load ---- */

#define SCN_COLUMNS                                                         \
	"s.id, s.name, s.title, s.summary, s.description, s.kernel,"        \
	" s.merge_case, s.origin, s.version, s.created, s.updated, p.name," \
	" s.parent_step, (SELECT group_concat(tag, ',') FROM (SELECT tag"   \
	" FROM tag WHERE scenario_id = s.id ORDER BY rowid)), (SELECT"      \
	" count(*) FROM step WHERE scenario_id = s.id)"                     \
	" FROM scenario s LEFT JOIN scenario p ON p.id = s.parent_id"

static void split_tags(struct scenario *scn, const char *tags)
{
	char *copy, *save = NULL;

	if (!tags)
		return;
	copy = strdup(tags);
	if (!copy)
		abort();
	for (char *t = strtok_r(copy, ",", &save); t;
	     t = strtok_r(NULL, ",", &save))
		scenario_add_tag(scn, t);
	free(copy);
}

static enum scn_origin origin_of(const char *s)
{
	if (s && !strcmp(s, "lesson"))
		return ORIGIN_LESSON;
	if (s && !strcmp(s, "import"))
		return ORIGIN_IMPORT;
	return ORIGIN_USER;
}

/* One row of SCN_COLUMNS into scn (no steps); returns its id. */
static long long read_row(sqlite3_stmt *stmt, struct scenario *scn)
{
	const char *origin = (const char *)sqlite3_column_text(stmt, 7);

	memset(scn, 0, sizeof(*scn));
	scn->name = col_text0(stmt, 1);
	scn->title = col_text0(stmt, 2);
	scn->summary = col_text0(stmt, 3);
	scn->description = col_text0(stmt, 4);
	scn->kernel = col_text0(stmt, 5);
	scn->mcase = col_text0(stmt, 6);
	scn->origin = origin_of(origin);
	scn->version = sqlite3_column_int(stmt, 8);
	scn->created = sqlite3_column_int64(stmt, 9);
	scn->updated = sqlite3_column_int64(stmt, 10);
	scn->parent = col_text(stmt, 11);
	scn->parent_step = (size_t)sqlite3_column_int64(stmt, 12);
	split_tags(scn, (const char *)sqlite3_column_text(stmt, 13));
	scn->n = (size_t)sqlite3_column_int64(stmt, 14);
	return sqlite3_column_int64(stmt, 0);
}

static int read_steps(struct db_store *d, long long id, struct scenario *scn,
		      char *err, size_t errlen)
{
	const char *what = "loading the scenario's steps";
	sqlite3_stmt *stmt;
	int rc, e = prepare(d, &stmt,
			    "SELECT line, comment, output, events, digest FROM"
			    " step WHERE scenario_id = ?1 ORDER BY idx",
			    what, err, errlen);

	if (e)
		return e;
	sqlite3_bind_int64(stmt, 1, id);
	scn->n = 0;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *line = (const char *)sqlite3_column_text(stmt, 0);
		const char *comment =
			(const char *)sqlite3_column_text(stmt, 1);
		struct scn_step *st =
			scenario_add_step(scn, line ? line : "", comment);
		const char *dg = (const char *)sqlite3_column_text(stmt, 4);

		st->output = col_text(stmt, 2);
		st->events = col_text(stmt, 3);
		snprintf(st->digest, sizeof(st->digest), "%s", dg ? dg : "");
	}
	e = rc == SQLITE_DONE ? 0 : fail(d, rc, what, err, errlen);
	sqlite3_finalize(stmt);
	return e;
}

static int db_load(struct store *st, const char *name, struct scenario *out,
		   char *err, size_t errlen)
{
	struct db_store *d = dbs(st);
	const char *what = "loading the scenario";
	sqlite3_stmt *stmt;
	long long id = 0;
	int rc, e;

	memset(out, 0, sizeof(*out));
	/* One read transaction: the row and its steps of one version. */
	e = exec(d, "BEGIN", what, err, errlen);
	if (!e)
		e = prepare(d, &stmt,
			    "SELECT " SCN_COLUMNS " WHERE s.name = ?1", what,
			    err, errlen);
	if (e) {
		sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
		return e;
	}
	bind_text(stmt, 1, name);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		id = read_row(stmt, out);
	else
		e = rc == SQLITE_DONE ? no_such(name, "load", err, errlen)
				      : fail(d, rc, what, err, errlen);
	sqlite3_finalize(stmt);
	if (!e)
		e = read_steps(d, id, out, err, errlen);
	sqlite3_exec(d->db, e ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
	if (e)
		scenario_free(out);
	return e;
}

static int db_list(struct store *st, const char *tag, struct scenario **out,
		   size_t *n, char *err, size_t errlen)
{
	struct db_store *d = dbs(st);
	const char *what = "listing the scenarios";
	size_t cap = 0;
	sqlite3_stmt *stmt;
	int rc, e = prepare(d, &stmt,
			    "SELECT " SCN_COLUMNS
			    " WHERE ?1 IS NULL OR s.origin = ?1 OR EXISTS"
			    " (SELECT 1 FROM tag t WHERE t.scenario_id = s.id"
			    " AND t.tag = ?1)"
			    " ORDER BY s.origin <> 'lesson', s.name",
			    what, err, errlen);

	*out = NULL;
	*n = 0;
	if (e)
		return e;
	bind_text(stmt, 1, tag);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 32;
			*out = realloc(*out, cap * sizeof(**out));
			if (!*out)
				abort();
		}
		read_row(stmt, &(*out)[(*n)++]);
	}
	e = rc == SQLITE_DONE ? 0 : fail(d, rc, what, err, errlen);
	sqlite3_finalize(stmt);
	if (e) {
		scenarios_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return e;
}

/* ---- small changes, each its own transaction ---- */

/* Run sql with text parameters a and b; -ENOENT if it changed nothing. */
static int change(struct db_store *d, const char *sql, const char *a,
		  const char *b, const char *what, char *err, size_t errlen)
{
	sqlite3_stmt *stmt;
	int e = begin_write(d, what, err, errlen);

	if (!e)
		e = prepare(d, &stmt, sql, what, err, errlen);
	if (!e) {
		bind_text(stmt, 1, a);
		bind_text(stmt, 2, b);
		e = run(d, stmt, what, err, errlen);
		if (!e && sqlite3_changes(d->db) == 0)
			e = -ENOENT;
	}
	return end_write(d, e, what, err, errlen);
}

static int db_remove(struct store *st, const char *name, char *err,
		     size_t errlen)
{
	int e = change(dbs(st), "DELETE FROM scenario WHERE name = ?1", name,
		       NULL, "deleting the scenario", err, errlen);

	return e == -ENOENT ? no_such(name, "delete", err, errlen) : e;
}

static int db_rename(struct store *st, const char *from, const char *to,
		     char *err, size_t errlen)
{
	int e = change(dbs(st), "UPDATE scenario SET name = ?2 WHERE name = ?1",
		       from, to, "renaming the scenario", err, errlen);

	if (e == -ENOENT)
		return no_such(from, "rename", err, errlen);
	if (e == -EEXIST)
		snprintf(err, errlen,
			 "rename: there is a scenario called %s already", to);
	return e;
}

static int db_tag(struct store *st, const char *name, const char *tag,
		  bool remove, char *err, size_t errlen)
{
	struct db_store *d = dbs(st);
	long long id = find_id(d, name, "tagging", err, errlen);
	int e;

	if (id < 0)
		return (int)id;
	if (!id)
		return no_such(name, "tag", err, errlen);
	e = change(d,
		   remove ? "DELETE FROM tag WHERE tag = ?2 AND scenario_id ="
			    " (SELECT id FROM scenario WHERE name = ?1)"
			  : "INSERT OR IGNORE INTO tag (scenario_id, tag,"
			    " by_user) SELECT id, ?2, 1 FROM scenario WHERE"
			    " name = ?1",
		   name, tag, "tagging the scenario", err, errlen);
	if (e == -ENOENT && remove)
		snprintf(err, errlen, "tag: %s has no tag %s", name, tag);
	return e == -ENOENT && !remove ? 0 : e;
}

static int db_version(struct store *st, const char *name, int *version,
		      enum scn_origin *origin, char *err, size_t errlen)
{
	struct db_store *d = dbs(st);
	const char *what = "looking up a scenario";
	sqlite3_stmt *stmt;
	int rc, e = prepare(d, &stmt,
			    "SELECT version, origin FROM scenario WHERE name ="
			    " ?1",
			    what, err, errlen);

	if (e)
		return e;
	bind_text(stmt, 1, name);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*version = sqlite3_column_int(stmt, 0);
		*origin = origin_of((const char *)sqlite3_column_text(stmt, 1));
	} else {
		e = rc == SQLITE_DONE ? -ENOENT
				      : fail(d, rc, what, err, errlen);
	}
	sqlite3_finalize(stmt);
	return e;
}

static int db_add_score(struct store *st, const char *name, int asked,
			int right, char *err, size_t errlen)
{
	struct db_store *d = dbs(st);
	const char *what = "keeping the quiz score";
	sqlite3_stmt *stmt;
	int e = begin_write(d, what, err, errlen);

	if (!e)
		e = prepare(d, &stmt,
			    "INSERT INTO quiz_result (scenario_id, taken,"
			    " asked, correct) SELECT id, CAST(strftime('%s',"
			    " 'now') AS INTEGER), ?2, ?3 FROM scenario WHERE"
			    " name = ?1",
			    what, err, errlen);
	if (!e) {
		bind_text(stmt, 1, name);
		sqlite3_bind_int(stmt, 2, asked);
		sqlite3_bind_int(stmt, 3, right);
		e = run(d, stmt, what, err, errlen);
		if (!e && !sqlite3_changes(d->db))
			e = no_such(name, "quiz", err, errlen);
	}
	return end_write(d, e, what, err, errlen);
}

static int db_scores(struct store *st, const char *name,
		     struct quiz_score **out, size_t *n, char *err,
		     size_t errlen)
{
	struct db_store *d = dbs(st);
	const char *what = "reading the quiz scores";
	size_t cap = 0;
	sqlite3_stmt *stmt;
	int rc, e = prepare(d, &stmt,
			    "SELECT s.name, q.taken, q.asked, q.correct FROM"
			    " quiz_result q JOIN scenario s ON s.id ="
			    " q.scenario_id WHERE ?1 IS NULL OR s.name = ?1"
			    " ORDER BY q.taken DESC, q.id DESC",
			    what, err, errlen);

	*out = NULL;
	*n = 0;
	if (e)
		return e;
	bind_text(stmt, 1, name);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct quiz_score *q;

		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			*out = realloc(*out, cap * sizeof(**out));
			if (!*out)
				abort();
		}
		q = &(*out)[(*n)++];
		q->name = col_text0(stmt, 0);
		q->taken = sqlite3_column_int64(stmt, 1);
		q->asked = sqlite3_column_int(stmt, 2);
		q->right = sqlite3_column_int(stmt, 3);
	}
	e = rc == SQLITE_DONE ? 0 : fail(d, rc, what, err, errlen);
	sqlite3_finalize(stmt);
	return e;
}

static void db_close(struct store *st)
{
	struct db_store *d = dbs(st);

	db_close_handle(d);
	free(d->path);
	free(d);
}

static const struct store_ops db_ops = {
	.open = db_open,
	.save = db_save,
	.load = db_load,
	.list = db_list,
	.remove = db_remove,
	.rename = db_rename,
	.tag = db_tag,
	.version = db_version,
	.add_score = db_add_score,
	.scores = db_scores,
	.close = db_close,
};

struct store *db_store_new(const char *path)
{
	struct db_store *d = calloc(1, sizeof(*d));
	const char *ms = getenv("VMALAB_DB_TIMEOUT_MS");

	if (!d)
		abort();
	d->path = strdup(path);
	if (!d->path)
		abort();
	d->st.ops = &db_ops;
	d->st.path = d->path;
	d->busy_ms = ms && *ms ? atoi(ms) : 2000;
	return &d->st;
}

void db_store_set_timeout(struct store *st, int ms)
{
	struct db_store *d = dbs(st);

	d->busy_ms = ms;
	if (d->db)
		sqlite3_busy_timeout(d->db, ms);
}

void db_store_set_progress(struct store *st, int n, int (*cb)(void *),
			   void *arg)
{
	struct db_store *d = dbs(st);

	d->progress_n = n;
	d->progress = cb;
	d->progress_arg = arg;
	if (d->db)
		sqlite3_progress_handler(d->db, n, cb, arg);
}

int db_create_at_version(const char *path, int version, char *err,
			 size_t errlen)
{
	struct store *st = db_store_new(path);
	int e;

	if (version < 0 || version > DB_SCHEMA_VERSION) {
		snprintf(err, errlen, "no schema version %d", version);
		e = -EINVAL;
	} else {
		e = open_at(dbs(st), version, err, errlen);
	}
	db_close(st);
	return e;
}

int db_default_path(char *buf, size_t len)
{
	const char *env = getenv("VMALAB_DB"), *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	int n;

	if (env && *env)
		n = snprintf(buf, len, "%s", env);
	else if (xdg && *xdg == '/')
		n = snprintf(buf, len, "%s/vmalab/vmalab.db", xdg);
	else if (home && *home)
		n = snprintf(buf, len, "%s/.local/share/vmalab/vmalab.db",
			     home);
	else
		return -1;
	return n > 0 && (size_t)n < len ? 0 : -1;
}
