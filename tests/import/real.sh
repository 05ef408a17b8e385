#!/usr/bin/env bash
# tests/import/real.sh - real programs in: small C programs
# (tests/import/prog_maps.c: files, mprotect, mremap, fork; prog_heap.c:
# brk) run for real under `vmalab record` and under `strace -f`, replayed,
# and compared with the maps the program itself read at its end.
# Also `attach` on a process this test starts.  Ends "N passed, N failed".
. "$(dirname "$0")/../lib.sh"
# The invariant and lock checkers run after every operation of the replays.
export VMALAB_CHECK=${VMALAB_CHECK:-1}
FAIL_PREFIX="import: "
bad() { failed "$@"; }
check() { ok "$@"; } # description command...
not() { ! "$@"; }

prog=$tmp/prog_maps
if ! ${CC:-cc} -O2 -o "$prog" tests/import/prog_maps.c; then
	bad "cannot build tests/import/prog_maps.c"
	echo "$pass passed, $fail failed"
	exit 1
fi

# Hex addresses padded to 16 digits compare as strings (mawk has no
# strtonum).
hex16() { printf '%016x' "$1"; }

# The VMAs of a maps file that start in the ranges the log's own mmaps
# returned (FILE of "start end" lines, 16 hex digits each), as
# "start-end perms offset name" with the name reduced to its last part.
in_ranges() { # ranges maps
	awk 'function pad(x) { while (length(x) < 16) x = "0" x; return x }
	     NR == FNR { lo[NR] = $1; hi[NR] = $2; n = NR; next }
	     { split($1, r, "-"); s = pad(r[1])
	       for (i = 1; i <= n; i++) if (s >= lo[i] && s < hi[i]) {
		       nm = $6; sub(".*/", "", nm); print $1, $2, $3, nm; break } }' "$1" "$2"
}

# The ranges that pid PID's successful mmaps and mremaps returned in an
# strace -f log (mremap's new length is its third argument).
log_ranges() { # log pid
	local addr len
	awk -v pid="$2" '$1 == pid && $2 ~ /^(mmap|mremap)\(/ && $NF ~ /^0x/ {
		split($0, a, ", "); print $NF, ($2 ~ /^mmap/ ? a[2] : a[3]) }' "$1" |
	while read -r addr len; do
		echo "$(hex16 "$addr") $(hex16 $((addr + len)))"
	done
}

# ---- vmalab record: the replay's final maps against the real ones ----
mkdir "$tmp/rec"
# With an fd inherited (as from make's jobserver or time -o): the program
# starts without it, as the replay's process does.
out=$(cd "$tmp" && "$VM" record -o rec/r -- "$prog" rec 2>"$tmp/rec.err" 3</dev/null)
check "record: two processes" grep -q 'processes: 2 real tasks' <<<"$out"
n=$(grep -c '^# pid [0-9]* (real [0-9]*) at exit: \([0-9]*\) VMAs in the kernel, \1 in vmalab, 0 lines differ$' <<<"$out")
check "record: both processes end with the kernel's maps (got $n of 2)" [ "$n" = 2 ]
check "record: every result as the kernel's" grep -q 'results that differ: 0 ' <<<"$out"
check "record: get_unmapped_area agrees on every kernel-chosen address" \
	grep -q 'differs on 0,' <<<"$out"
check "record: no errors" not grep -q '^error' "$tmp/rec.err"
check "record: the scenario replays in batch mode" \
	"$VM" --batch "$tmp/rec/r.vml" >/dev/null 2>"$tmp/rec2.err"

# ---- the heap: brk grown by malloc and sbrk, shrunk, and a large malloc ----
heap=$tmp/prog_heap
if ! ${CC:-cc} -O2 -o "$heap" tests/import/prog_heap.c; then
	bad "cannot build tests/import/prog_heap.c"
else
	out=$(cd "$tmp" && "$VM" record -o heap -- "$heap" 2>"$tmp/heap.err")
	check "record heap: brk calls in the log" grep -q 'brk(' "$tmp/heap.log"
	check "record heap: [heap] and all else as the kernel's at exit" \
		grep -q '^# pid 1 (real [0-9]*) at exit: \([0-9]*\) VMAs in the kernel, \1 in vmalab, 0 lines differ$' <<<"$out"
	check "record heap: every result as the kernel's" grep -q 'results that differ: 0 ' <<<"$out"
	check "record heap: no errors" not grep -q '^error' "$tmp/heap.err"
fi

# ---- strace -f: the log as strace writes it, three ways ----
if ! command -v strace >/dev/null; then
	bad "strace is not installed (make deps installs it)"
else
	for opts in "" "-tt" "-yy -ttt"; do
		d=$tmp/s$RANDOM
		mkdir "$d"
		# shellcheck disable=SC2086
		strace -f $opts -o "$d/log" -e trace=memory,process,openat,close \
			"$prog" "$d" 2>/dev/null
		# strip the timestamps for the range reader
		sed -E 's/^([0-9]+) +[0-9:.]+ /\1 /' "$d/log" >"$d/plain"
		parent=$(awk 'NR == 1 { print $1 }' "$d/plain")
		child=$(awk '$2 ~ /^(fork|vfork|clone)/ && $NF ~ /^[0-9]+$/ { print $NF; exit }' "$d/plain")
		# replay without the exits, then print both processes' maps
		{ grep -v 'exit_group\|+++' "$d/log"
		  printf 'switch 1\nmaps\necho -- pid 2\nswitch 2\nmaps\n'; } >"$d/replay"
		"$VM" --batch "$d/replay" >"$d/out" 2>"$d/err"
		check "strace $opts: no errors" not grep -q '^error' "$d/err"
		sum=$(grep -A20 '^# import summary' "$d/out")
		check "strace $opts: two processes" grep -q 'processes: 2 real tasks' <<<"$sum"
		# Only the RELRO mprotects of the ELF, which the log cannot show,
		# may differ: no gap of the model and no fidelity finding.
		check "strace $opts: no result differs but those not in the log" \
			grep -q '(.* not in the log, 0 gaps of the model, 0 fidelity findings)' <<<"$sum"
		awk '/^-- pid 2$/ { exit } !/^#/ && /^[0-9a-f]+-[0-9a-f]+ /' "$d/out" >"$d/sim1"
		awk 'f && !/^#/ && /^[0-9a-f]+-[0-9a-f]+ /; /^-- pid 2$/ { f = 1 }' "$d/out" >"$d/sim2"
		log_ranges "$d/plain" "$parent" >"$d/r1"
		log_ranges "$d/plain" "$child" >"$d/r2"
		cat "$d/r1" >>"$d/r2" # the child inherits the parent's mappings
		check "strace $opts: the parent's mappings from the log are the real ones" \
			diff <(in_ranges "$d/r1" "$d/parent.maps") <(in_ranges "$d/r1" "$d/sim1")
		check "strace $opts: the child's too" \
			diff <(in_ranges "$d/r2" "$d/child.maps") <(in_ranges "$d/r2" "$d/sim2")
		check "strace $opts: the comparison covers the file and anonymous VMAs" \
			[ "$(in_ranges "$d/r1" "$d/parent.maps" | wc -l)" -ge 5 ]
	done
fi

# ---- attach: a copy of a live process ----
sleep 30 &
spid=$!
sleep 0.2
out=$("$VM" -c "attach $spid; maps" 2>"$tmp/att.err")
# [vsyscall] is the gate area, not a VMA of the mm (get_gate_vma()):
# attach leaves it out and says so.
real=$(grep -v '\[vsyscall\]$' "/proc/$spid/maps" |
	awk '{ nm = $6; sub(".*/", "", nm); print $1, $2, $3, nm }')
kill "$spid" 2>/dev/null
wait "$spid" 2>/dev/null
sim=$(grep -E '^[0-9a-f]+-[0-9a-f]+ ' <<<"$out" | awk '{ nm = $6; sub(".*/", "", nm); print $1, $2, $3, nm }')
check "attach: no errors" not grep -q '^error' "$tmp/att.err"
check "attach: a whole address space (got $(wc -l <<<"$sim") VMAs)" [ "$(wc -l <<<"$sim")" -ge 10 ]
check "attach: the VMAs are the live process's" diff <(echo "$real") <(echo "$sim")

summary
