#!/usr/bin/env bash
# tests/limits.sh - vmalab at the sizes and limits where the kernel sets
# them: bounded memory and time, and the kernel's errors at the limits.
#
#   tests/limits.sh         the cheap set (make check): 100,000 lines, a
#                           1 MB line, a 100 MB line on stdin, source
#                           /dev/zero, 65,530 VMAs in each of 3
#                           processes, a fork chain to pid_max=400
#   LIMITS=full ...         the issue's sizes (make limits, make soak): a
#                           million lines, 65,530 VMAs in each of 15
#                           processes, a fork chain to this machine's
#                           pid_max (32768)
#
# Each case checks its output and, with /usr/bin/time, its peak memory.
# Ends with "N passed, N failed".
. "$(dirname "$0")/lib.sh"
OK_QUIET=1
FAIL_PREFIX="limits: "
full=0
[ "${LIMITS:-}" = full ] && full=1
W=0x200000000000
# The checkers (VMALAB_CHECK, which run.sh sets) look at every VMA after
# every call: at 65,530 VMAs that is the test's whole time.  Sizes here are
# the engine's own.
unset VMALAB_CHECK

# Run the script: output in $tmp/out, errors in $tmp/err, peak RSS (kB)
# in $rss and seconds in $secs.  A timeout is a failure.
measure() { # timeout script [vmalab options...]
	local t=$1 s=$2
	shift 2
	if [ -x /usr/bin/time ]; then
		timeout "$t" /usr/bin/time -f '%M %e' -o "$tmp/time" \
			"$VM" "$@" --batch "$s" >"$tmp/out" 2>"$tmp/err"
	else
		timeout "$t" "$VM" "$@" --batch "$s" >"$tmp/out" 2>"$tmp/err"
		echo "0 0" >"$tmp/time"
	fi
	rc=$?
	read -r rss secs < <(tail -n 1 "$tmp/time") || rss=0
	echo "  $(basename "$s"): ${secs:-?} s, ${rss:-?} kB (status $rc)"
}

below() { [ "${rss:-0}" -le "$1" ]; }

# ---- many lines: memory is the script's, not per line ----
lines=$((full ? 1000000 : 100000))
awk -v n=$((lines / 2)) -v b=$W 'BEGIN {
	print "map " b " 16k rw"
	for (i = 0; i < n; i++) {
		print "mprotect(0x200000001000, 4096, PROT_READ)"
		print "mprotect(0x200000001000, 4096, PROT_READ|PROT_WRITE)"
	}
	print "maps" }' >"$tmp/lines.vml"
measure 300 "$tmp/lines.vml"
ok "$lines lines run" test "$rc" = 0
ok "$lines lines: every call answered" test "$(grep -c '= 0$' "$tmp/out")" = "$lines"
ok "$lines lines: the last line's maps" grep -qx '200000000000-200000004000 rw-p 00000000 00:00 0 ' "$tmp/out"
# the script (47 bytes a line) is read whole: memory is about its size
ok "$lines lines: memory about the script's size" below $((lines * 48 / 1024 + 32768))

# ---- a 1 MB line: one error, nothing changes, memory bounded ----
{
	printf 'map %s 4k rw\n' $W
	printf 'echo %01048576d\n' 0
	printf 'mmap(%s' $W
	for i in $(seq 1 1000); do printf ', 0x1000'; done | tr -d '\n'
	printf '%01048576d)\n' 0
	printf 'maps\n'
} >"$tmp/bigline.vml"
measure 60 "$tmp/bigline.vml"
ok "1 MB lines: status 1 (malformed lines)" test "$rc" = 1
ok "1 MB lines: one error each" test "$(grep -c 'line too long' "$tmp/err")" = 2
ok "1 MB lines: nothing changed" test "$(tail -n 1 "$tmp/out")" = "200000000000-200000001000 rw-p 00000000 00:00 0 "
ok "1 MB lines: memory bounded (32 MB)" below 32768

# ---- one line without a newline: read with a bound ----
# (once read whole first: a gigabyte on stdin took 978 MB before "line
# too long", and source /dev/zero grew to 2 GB in 5 s)
big=$((full ? 1000000000 : 100000000))
head -c $big /dev/zero | tr '\0' a | measure 120 -
ok "a $big-byte line on stdin: one error" test "$(grep -c 'line too long' "$tmp/err")" = 1
ok "a $big-byte line on stdin: memory bounded (16 MB)" below 16384
# source /dev/zero is one endless line: after 3 s, still a line's buffer
# (its peak, VmHWM, read from /proc while it runs)
"$VM" -c 'source /dev/zero' >/dev/null 2>&1 &
zpid=$!
sleep 3
rss=$(awk '/^VmHWM:/ { print $2 }' "/proc/$zpid/status" 2>/dev/null)
echo "  source /dev/zero: 3 s, ${rss:-?} kB"
ok "source /dev/zero still reads after 3 s" test -n "$rss"
ok "source /dev/zero: memory bounded (16 MB)" below 16384
kill "$zpid" 2>/dev/null
wait "$zpid" 2>/dev/null

# ---- max_map_count: 65,530 VMAs, ENOMEM past it, then forks ----
procs=$((full ? 15 : 3))
# one read-only mapping, every other page made writable: 2K+1 VMAs
{
	b=$((0x200000000000))
	printf 'map %#x %#x r\n' $b $(((2 * 32764 + 1) * 4096))
	for ((i = 0; i < 32764; i++)); do
		printf 'mprotect(%#x, 4096, PROT_READ|PROT_WRITE)\n' $((b + (2 * i + 1) * 4096))
	done
	echo "map 0x300000000000 16k r"
	echo "ps"
	# do_mmap() refuses when map_count > max_map_count: the 65,531st
	# mapping is made, the one after is not; a split needs map_count <
	# max_map_count (__split_vma)
	echo "map 0x300000010000 4k r"
	echo "map 0x300000020000 4k r"
	echo "mprotect(0x300000001000, 4096, PROT_READ|PROT_WRITE)"
	echo "munmap(0x300000010000, 4096)"
	for ((i = 1; i < procs; i++)); do echo "fork()"; done
	echo "ps"
} >"$tmp/vmas.vml"
measure 300 "$tmp/vmas.vml"
ok "65530 VMAs: one process has them" grep -qE '^\* +1 +65530 ' "$tmp/out"
ok "65530 VMAs: the next mapping is made (map_count > max_map_count refuses)" \
	grep -qx 'mmap(0x300000010000, 4096, PROT_READ, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0) = 0x300000010000' "$tmp/out"
ok "65530 VMAs: past it, mmap ENOMEM" \
	grep -qx 'mmap(0x300000020000, 4096, PROT_READ, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0) = -1 ENOMEM (Cannot allocate memory)' "$tmp/out"
ok "65530 VMAs: a split ENOMEM" \
	grep -qx 'mprotect(0x300000001000, 4096, PROT_READ|PROT_WRITE) = -1 ENOMEM (Cannot allocate memory)' "$tmp/out"
ok "65530 VMAs in each of $procs processes" \
	test "$(grep -cE '^[* ] +[0-9]+ +65530 ' "$tmp/out")" = $((procs + 1))
# at most the kernel's own cost of a VMA (232 bytes: vm_area_struct and
# its share of maple-tree nodes) for each copy, and 64 MB besides; the
# engine's is about 155 (make bench).  (The bound was 20 bytes a copy,
# which 15 processes could never meet: 161 MB measured.)
ok "65530 VMAs x $procs: memory bounded" below $((procs * 65530 * 232 / 1024 + 65536))

# ---- load-maps of a huge sparse VMA: memory is what is present ----
# A 64 TiB reservation (a sanitizer's shadow is one) with 8 kB resident:
# the given lines are runs, never a byte per page (repl/given.c).
{
	printf '200000000000-600000000000 rw-p 00000000 00:00 0 \n'
	printf 'Rss:                   8 kB\nAnonymous:             8 kB\n'
	printf 'VmFlags: rd wr mr mw me ac \n'
} >"$tmp/huge.smaps"
printf 'load-maps %s\npages 0x200000000000 16384\n' "$tmp/huge.smaps" >"$tmp/huge.vml"
measure 30 "$tmp/huge.vml"
ok "load-maps of a 64 TiB VMA: its two anonymous pages" \
	grep -qx '200000000000 aa\.\.' "$tmp/out"
ok "load-maps of a 64 TiB VMA: memory bounded" below 65536

# ---- a fork chain to the process limit: EAGAIN ----
pid_max=$((full ? 32768 : 400))
{
	printf 'map %s 16k rw\n' $W
	for i in $(seq 2 $((pid_max - 1))); do printf 'fork()\nswitch %d\n' "$i"; done
	printf 'fork()\nfork()\nps\n'
} >"$tmp/chain.vml"
opts=()
[ $full = 0 ] && opts=(--machine pid_max=$pid_max)
measure 1800 "$tmp/chain.vml" "${opts[@]}"
ok "fork chain: $((pid_max - 2)) forks" test "$(grep -c '^fork() = [0-9]' "$tmp/out")" = $((pid_max - 2))
ok "fork chain: then EAGAIN (alloc_pid)" \
	test "$(grep -c '^fork() = -1 EAGAIN (Resource temporarily unavailable)$' "$tmp/out")" = 2
ok "fork chain: $((pid_max - 1)) processes" grep -qE "^\* +$((pid_max - 1)) +1 " "$tmp/out"

summary
