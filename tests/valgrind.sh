#!/usr/bin/env bash
# tests/valgrind.sh - the suite's programs under valgrind (memcheck): no
# error and no leak (definite, indirect or possible) in any of them.
#
#   every unit test binary;
#   vmalab --batch on every golden, verify and lesson script (the engine's
#   side), with --trace and --events on some, and with the checkers on;
#   vmalab verify on a slice of scripts (the controller; its child makes
#   the raw system calls, and is left out: --trace-children=no);
#   the scenario store: save, list, load, replay, export, a corrupt file;
#   malformed lines, the install's --man and --bash-completion.
#
# Ends with "N passed, N failed".  VALGRIND_SLICE=N runs every Nth script
# only (default 1: all).
set -u
cd "$(dirname "$0")/.."
B=${BUILD_DIR:-build}
VM=$B/vmalab
slice=${VALGRIND_SLICE:-1}
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind is not installed (make deps)"
	echo "0 passed, 1 failed"
	exit 1
fi

VG=(valgrind -q --error-exitcode=99 --leak-check=full
	--show-leak-kinds=definite,indirect,possible
	--errors-for-leak-kinds=definite,indirect,possible
	--trace-children=no --num-callers=30
	# Forked children without exec are test scaffolding (the store
	# test's child killed by SIGKILL in the middle of a save) or verify's
	# kernel-side process: their memory at a kill is no leak.
	--child-silent-after-fork=yes)

run() { # description command...
	local d=$1 rc
	shift
	"${VG[@]}" --log-file="$tmp/vg.log" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	if [ $rc = 99 ] || [ -s "$tmp/vg.log" ]; then
		fail=$((fail + 1))
		echo "FAIL valgrind: $d"
		head -n 40 "$tmp/vg.log"
	else
		pass=$((pass + 1))
	fi
}

# ---- unit tests ----
for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	run "$(basename "$t")" "$t"
done

# ---- scripts on the engine ----
i=0
export VMALAB_CHECK=1
for f in tests/golden/*.vml tests/scripts/*.vml scenarios/*.vml; do
	i=$((i + 1))
	[ $((i % slice)) = 0 ] || continue
	case $i in
	*3) run "--batch --trace $f" "$VM" --batch --trace "$f" ;;
	*7) run "--batch --events $f" "$VM" --batch --events "$f" ;;
	*) run "--batch $f" "$VM" --batch "$f" ;;
	esac
done
for f in tests/fuzz/corpus/strace/*; do
	run "strace log $f" "$VM" --batch "$f"
done
unset VMALAB_CHECK

# ---- verify (the controller side) ----
i=0
for f in tests/scripts/*.vml; do
	i=$((i + 1))
	[ $((i % (10 * slice))) = 1 ] || continue
	run "verify $f" "$VM" verify --quiet "$f"
done

# ---- -c lines, malformed lines, undo ----
A=0x200000000000
run "-c with undo and redo" "$VM" -c "map $A 16k rw; touch $A 8k; fork(); switch 2; munmap($A, 4096); undo; redo; maps; smaps; ps; history"
run "malformed lines" "$VM" -c "mmpa(1); mmap($A, 4096, PROT_RAED, 0, 0, 0); map; \"unterminated; help mmap; help nosuch; set trace maybe"
run "--help" "$VM" --help
run "--man" "$VM" --man
run "--bash-completion" "$VM" --bash-completion
run "usage error" "$VM" -c

# ---- the scenario store ----
db=$tmp/store.db
run "store: save" "$VM" --db "$db" -c "map $A 16k rw; touch $A 4k; save mine"
run "store: list, show, load, replay" "$VM" --db "$db" -c "list; show mine; load mine; replay 01-new-expand-prev"
run "store: export, branch, diff, delete" "$VM" --db "$db" -c "export mine $tmp/mine.vml; branch mine other; diff mine other; delete other"
printf 'not a database at all\n%.0s' {1..200} >"$tmp/corrupt.db"
run "store: a corrupt file" "$VM" --db "$tmp/corrupt.db" -c "list"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
