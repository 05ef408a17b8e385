/*
 * fuzz_scenario.c - libFuzzer target: the scenario loader on hostile
 * input.  The first byte chooses what the rest is:
 *   even: a lesson or scenario file (scenario_parse(): header, metadata,
 *         steps and their commentary), and if it parses, its steps played
 *         on a fresh session (scn_play_begin, scn_play_step) with the
 *         engine's checkers on;
 *   odd:  a database file: written to a temporary file and opened as the
 *         store (db_store_new: the checks of foreign, newer and corrupt
 *         files, migrations), then listed, and every scenario in it loaded
 *         and played.  A refused file is fine; a crash, a leak or a
 *         sanitizer report is not.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "db.h"
#include "scn.h"
#include "session.h"
#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void play(const struct scenario *scn)
{
	struct session s;

	session_init(&s, NULL);
	s.params.mem_total_kb = 16384;
	s.be = engine_backend_new(&s.params);
	s.new_backend = engine_backend_new;
	s.sink = diag_null;
	session_set_check(&s, true);
	if (scn_play_begin(&s, scn) == 0)
		for (size_t i = 0; i < scn->n && i < 200; i++)
			if (scn_play_step(&s, scn, i) < 0)
				break;
	if (s.violations)
		abort();
	session_fini(&s);
	s.be->ops->destroy(s.be);
}

static void from_text(const char *buf, size_t len)
{
	struct scenario scn;
	char err[600];

	if (scenario_parse(buf, len, "fuzz", &scn, err, sizeof(err)))
		return;
	play(&scn);
	scenario_free(&scn);
}

static void from_db(const uint8_t *buf, size_t len)
{
	char path[] = "/tmp/vmalab-fuzz-XXXXXX";
	char err[STORE_ERR];
	struct scenario *list = NULL;
	size_t n = 0;
	struct store *st;
	int fd = mkstemp(path);

	if (fd < 0)
		return;
	if (write(fd, buf, len) != (ssize_t)len) {
		close(fd);
		unlink(path);
		return;
	}
	close(fd);
	st = db_store_new(path);
	db_store_set_timeout(st, 0);
	if (st->ops->open(st, err, sizeof(err)) == 0 &&
	    st->ops->list(st, NULL, &list, &n, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < n && i < 8; i++) {
			struct scenario scn;

			if (st->ops->load(st, list[i].name, &scn, err,
					  sizeof(err)) == 0) {
				play(&scn);
				scenario_free(&scn);
			}
		}
		scenarios_free(list, n);
	}
	st->ops->close(st);
	unlink(path);
	/* SQLite's side files of a WAL database */
	for (const char *ext = "-wal\0-shm\0-journal\0"; *ext;
	     ext += strlen(ext) + 1) {
		char side[64];

		snprintf(side, sizeof(side), "%s%s", path, ext);
		unlink(side);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	if (data[0] & 1)
		from_db(data + 1, size - 1);
	else
		from_text((const char *)data + 1, size - 1);
	return 0;
}
