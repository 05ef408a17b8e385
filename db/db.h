/*
 * db.h - the scenario store in one SQLite file: the implementation of the
 * core's struct store (repl/store.h).  This directory is the only one that
 * includes sqlite3.h; the schema is in docs/store.md.
 */
#ifndef VMALAB_DB_H
#define VMALAB_DB_H

#include <stddef.h>
#include "store.h"

/* The schema version this code reads and writes (PRAGMA user_version). */
#define DB_SCHEMA_VERSION 3
/* PRAGMA application_id of a vmalab store: "vmlb". */
#define DB_APPLICATION_ID 0x766d6c62

/*
 * A store in the file at path.  Nothing is opened yet: the file (and its
 * directory) is made, checked and upgraded by the first ops->open(), so a
 * session that never saves never touches it.  Free with ops->close().
 */
struct store *db_store_new(const char *path);

/*
 * Where the store lives: $VMALAB_DB, else $XDG_DATA_HOME/vmalab/vmalab.db,
 * else ~/.local/share/vmalab/vmalab.db.  0, or -1 if there is no home.
 */
int db_default_path(char *buf, size_t len);

/* How long to wait for another process's lock, in ms (default 2000;
 * $VMALAB_DB_TIMEOUT_MS overrides it). */
void db_store_set_timeout(struct store *st, int ms);

/*
 * For tests.  db_create_at_version() makes a fresh store at an older
 * schema version, with the migrations this code runs (the fixtures of
 * tests/db/ were made so).  db_store_set_progress() calls cb every n
 * SQLite steps of the open connection (a non-zero return aborts the
 * statement): the kill test uses it to die in the middle of a save.
 */
int db_create_at_version(const char *path, int version, char *err,
			 size_t errlen);
void db_store_set_progress(struct store *st, int n, int (*cb)(void *),
			   void *arg);

#endif
