#!/usr/bin/env bash
# tests/db/store.sh - the scenario store from the command line: every
# lesson replays byte for byte as batch mode prints it; save, load and
# replay of a session give the same bytes; the exported C program compiles
# with -Wall -Werror, passes on this kernel and fails when one expected
# line is edited; export script/json; a read-only location, a store locked
# by another process, a corrupt file; the quiz with scripted answers.
. "$(dirname "$0")/../lib.sh"
ROOT=$PWD
need_vm
export VMALAB_DB=$tmp/store.db
unset XDG_DATA_HOME

# ---- every lesson: replay prints what batch mode prints ----
for f in scenarios/[0-9][0-9]-*.vml; do
	n=$(basename "$f" .vml)
	"$VM" --batch "$f" >"$tmp/batch.out" 2>&1
	"$VM" -c "replay $n" >"$tmp/replay.out" 2>&1
	ok "replay $n is byte-identical to --batch" \
		cmp -s "$tmp/batch.out" "$tmp/replay.out"
done

# ---- a session: save, load, replay ----
cat >"$tmp/s.vml" <<'EOF'
map 0x200000000000 16k rw
maps
echo --
mmap(0x200000004000, 16384, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
openat(AT_FDCWD, "data", O_RDWR|O_CREAT, 0644)
ftruncate(3, 65536)
map 0x200000010000 8k rw shared file 3 4k
touch 0x200000000000 8k
fork()
switch 2
mprotect(0x200000004000, 16384, PROT_READ|PROT_WRITE)
smaps
EOF
(cd "$tmp" && "$VM" --batch s.vml >s.out 2>&1)
(cd "$tmp" && { cat s.vml; echo 'save mine --title "My session" --tag t'; } |
	"$VM" --batch - >save.out 2>&1)
ok "save prints what batch mode does, then saved" \
	test "$(cat "$tmp/s.out"; echo "saved mine: 12 steps")" == "$(cat "$tmp/save.out")"
(cd "$tmp" && "$VM" -c "replay mine" >re.out 2>&1)
ok "save then replay is byte-identical" cmp -s "$tmp/s.out" "$tmp/re.out"
(cd "$tmp" && "$VM" -c "load mine; smaps" >load.out 2>&1)
ok "load then smaps shows the last state" \
	test "$(sed -n '/^200000000000/,$p' "$tmp/load.out")" == \
	"$(sed -n '/^200000000000/,$p' "$tmp/s.out" | sed -n '/^--$/,$p' | sed 1d | sed -n '/^200000000000/,$p')"
(cd "$tmp" && "$VM" -c "load mine; save mine2; replay mine2" >re2.out 2>&1)
ok "load, save again, replay" test "$(sed 1,2d "$tmp/re2.out")" == "$(cat "$tmp/s.out")"

printf 'map 0x200000000000 4k rw\nreset\nmap 0x200000001000 4k rw\nmaps\nsave after-reset\n' |
	"$VM" --batch - >/dev/null
ok "a batch script's save keeps the steps after its last reset" \
	test "$("$VM" -c 'show after-reset' | sed -n '/^ *[0-9]  /p')" == \
	"$(printf '   1  map 0x200000001000 4k rw\n   2  maps')"

# A step whose recording no longer matches is reported, and exit is 1.
sqlite3 "$VMALAB_DB" "UPDATE step SET output = 'stale' || char(10) WHERE idx = 2 AND scenario_id = (SELECT id FROM scenario WHERE name = 'mine')"
"$VM" -c "replay mine" >"$tmp/stale.out" 2>"$tmp/stale.err"
rc=$?
ok "replay reports a step that printed differently" \
	grep -q "replay mine: step 2 (maps) printed differently: recorded \"stale\"" "$tmp/stale.err"
ok "... with exit status 1" test $rc = 1

# ---- export ----
export_c() { # lesson
	"$VM" -c "export $1 --format c -o $tmp/$1.c" >/dev/null &&
		cc -Wall -Werror -o "$tmp/$1" "$tmp/$1.c" &&
		"$tmp/$1" >"$tmp/$1.tap" &&
		! grep -q '^not ok' "$tmp/$1.tap" &&
		grep -q '^# Totals: pass:[0-9]* fail:0 ' "$tmp/$1.tap"
}
for n in 01-new-expand-prev 17-story-anon-vma-chain 27-file-truncate-sigbus \
	32-stack-growsdown; do
	ok "export $n --format c: compiles, passes on this kernel" export_c $n
done
# A shell, make's jobserver or time -o may leave fds open: the program
# closes them, so that the script's open() still returns 3.
ok "an exported program passes with fds 3 and 4 inherited" \
	sh -c '"$1" 3</dev/null 4</dev/null | grep -q "^# Totals: pass:[0-9]* fail:0 "' - \
	"$tmp/27-file-truncate-sigbus"
# One expected maps line edited: that step fails, and so does the program.
sed '0,/"200000000000-200000004000 rw-p 00000000",/s//"200000000000-200000005000 rw-p 00000000",/' \
	"$tmp/01-new-expand-prev.c" >"$tmp/edited.c"
differ() { ! cmp -s "$1" "$2"; }
ok "the edit changed the program" differ "$tmp/edited.c" "$tmp/01-new-expand-prev.c"
cc -Wall -Werror -o "$tmp/edited" "$tmp/edited.c"
"$tmp/edited" >"$tmp/edited.tap"
rc=$?
ok "an edited expected line fails its step" grep -q '^not ok 2 maps$' "$tmp/edited.tap"
ok "... and the program exits 1" test $rc = 1
# A saved session with fork, files and switch, as a C program too.
(cd "$tmp" && "$VM" -c "export mine --format c -o mine.c" >/dev/null &&
	cc -Wall -Werror -o mine mine.c && ./mine >mine.tap)
ok "export of a session with fork and files passes" grep -q '^# Totals: pass:10 fail:0 ' "$tmp/mine.tap"

"$VM" -c "export 14-mprotect-split-and-remerge --format script" >"$tmp/14.vml"
ok "export script passes verify" "$VM" verify --quiet "$tmp/14.vml"
"$VM" -c "import $tmp/14.vml copy14" >/dev/null
"$VM" -c "show 14-mprotect-split-and-remerge" | sed 1,3d >"$tmp/show.a"
"$VM" -c "show copy14" | sed 1,3d >"$tmp/show.b"
ok "export script then import keeps steps and commentary" cmp -s "$tmp/show.a" "$tmp/show.b"
"$VM" -c "export 20-fork-copies-vmas --format json" >"$tmp/20.json"
ok "export json is JSON with the steps' events" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["name"] == "20-fork-copies-vmas" and d["origin"] == "lesson"
assert any(e["event"] == "anon_vma" for s in d["steps"] for e in s["events"])
assert all(len(s["digest"]) == 16 for s in d["steps"])
' "$tmp/20.json"

# ---- branch and diff ----
"$VM" -c "branch 03-new-expand-prev-remove-next 4 three" >/dev/null
out=$("$VM" -c "load three; mprotect(0x200000008000, 16384, PROT_READ); save three; list user")
ok "a branch shows where it came from" grep -q 'three .*(from 03-new-expand-prev-remove-next, step 4)' <<<"$out"
out=$("$VM" -c "diff 03-new-expand-prev-remove-next three")
ok "diff finds the first step where two scenarios differ" \
	grep -q '^03-new-expand-prev-remove-next and three first differ after step 5:' <<<"$out"

# ---- the quiz, answers scripted ----
out=$(printf 'quiz 01-new-expand-prev\nanswer 1\nanswer 2\nanswer 4\nquiz --scores\n' |
	"$VM" --batch - 2>&1)
ok "quiz in batch mode: scored" grep -q '^quiz 01-new-expand-prev: 2 of 3 right$' <<<"$out"
ok "quiz --scores lists the score" grep -q '^  01-new-expand-prev  *2 of  3 right' <<<"$out"

# ---- stores that cannot be used ----
# Locked: another process holds the write lock; save waits, then says so.
(sqlite3 "$VMALAB_DB" "BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS lockme(x);" \
	".shell touch $tmp/locked" ".shell sleep 3" "COMMIT;" &)
for _ in $(seq 100); do [ -e "$tmp/locked" ] && break; sleep 0.05; done
start=$(date +%s%N)
VMALAB_DB_TIMEOUT_MS=1000 "$VM" -c "map 0x200000000000 4k rw; save locked; maps" >"$tmp/lk.out" 2>"$tmp/lk.err"
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
ok "a locked store: a clear error" grep -q "save: saving the scenario: the store .* is locked by another process (waited 1.0 s)" "$tmp/lk.err"
ok "... after the busy timeout ($ms ms)" test $ms -ge 900
ok "... and the session goes on" grep -q '^200000000000-200000001000 rw-p' "$tmp/lk.out"
ok "... with exit status 1" test $rc = 1
sleep 3.2
ok "once the lock is gone, save works" "$VM" -c "map 0x200000000000 4k rw; save locked" >/dev/null

# Read-only: a store on a read-only mount can be read, not written.
mkdir -p "$tmp/ro"
cp "$VMALAB_DB" "$tmp/ro/ro.db"
sqlite3 "$tmp/ro/ro.db" 'PRAGMA journal_mode = DELETE' >/dev/null
if unshare -m true 2>/dev/null; then
	unshare -m sh -c "mount --bind '$tmp/ro' '$tmp/ro' && mount -o remount,bind,ro '$tmp/ro' &&
		VMALAB_DB='$tmp/ro/ro.db' '$VM' -c 'list user; map 0x200000000000 4k rw; save x; maps' >'$tmp/ro.out' 2>'$tmp/ro.err';
		echo \$? >'$tmp/ro.rc';
		VMALAB_DB='$tmp/ro/new/x.db' '$VM' -c 'list; maps' >'$tmp/ro2.out' 2>'$tmp/ro2.err'"
	ok "a read-only store is read" grep -q '^  mine ' "$tmp/ro.out"
	ok "... and save gives a clear error" grep -q "save: saving the scenario: the store $tmp/ro/ro.db is read-only" "$tmp/ro.err"
	ok "... and the session goes on" grep -q '^200000000000-200000001000 rw-p' "$tmp/ro.out"
	ok "... exit status 1" test "$(cat "$tmp/ro.rc")" = 1
	ok "no store can be made on a read-only mount: a clear error" \
		grep -q "list: cannot make the directory of $tmp/ro/new/x.db: Read-only file system" "$tmp/ro2.err"
else
	echo "FAIL read-only: cannot make a mount namespace here"
	fail=$((fail + 1))
fi

# Corrupt: a clear error, the file untouched, the session goes on.
printf 'SQLite format 3\0garbage garbage garbage garbage' >"$tmp/bad.db"
sum=$(md5sum <"$tmp/bad.db")
"$VM" --db "$tmp/bad.db" -c "list; map 0x200000000000 4k rw; maps" >"$tmp/bad.out" 2>"$tmp/bad.err"
ok "a corrupt file: a clear error" grep -q "list: $tmp/bad.db is not a SQLite database, or is corrupt" "$tmp/bad.err"
ok "... the file untouched" test "$(md5sum <"$tmp/bad.db")" == "$sum"
ok "... and the session goes on" grep -q '^200000000000-200000001000 rw-p' "$tmp/bad.out"
ok "--db wins over VMALAB_DB" test ! -e "$VMALAB_DB.nothing"
out=$(env -u VMALAB_DB HOME= "$VM" -c 'list' 2>&1)
ok "no home and no VMALAB_DB: no scenario store" grep -q 'list: no scenario store' <<<"$out"
out=$(env -u VMALAB_DB XDG_DATA_HOME="$tmp/xdg" "$VM" -c 'list lesson' 2>&1)
ok "the store lives in XDG_DATA_HOME" test -s "$tmp/xdg/vmalab/vmalab.db"

summary
