#!/bin/sh
# tests/db/make-fixtures.sh - remake the fixture stores of each older
# schema: the schema by the migrations db/db.c runs (test_store
# --fixture N), the data by vN.sql as a vmalab of that version kept it.
# The .db files are committed; run this only when adding a version.
set -e
cd "$(dirname "$0")/../.."
for v in 1 2; do
	rm -f tests/db/v$v.db
	build/tests/test_store --fixture $v tests/db/v$v.db
	sqlite3 tests/db/v$v.db <tests/db/v$v.sql
	sqlite3 tests/db/v$v.db 'PRAGMA journal_mode = DELETE' >/dev/null
done
