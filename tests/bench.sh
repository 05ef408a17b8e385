#!/usr/bin/env bash
# tests/bench.sh - make bench: the wall-clock table, then instruction counts
# per call from callgrind (repeatable, and blind to the cache), each as a
# ratio against the 1,000-VMA baseline measured in the same run.
set -u
BENCH=${1:-build/tests/bench}
"$BENCH"
if ! command -v valgrind >/dev/null 2>&1; then
	echo "(valgrind not installed: make deps adds it for instruction counts)"
	exit 0
fi
echo
echo "instructions per call (callgrind), and xN against 1000 VMAs:"
ops=2000
printf '%-10s' phase
for n in 1000 10000 100000; do printf ' %18s' "$n VMAs"; done
echo
for phase in mprotect touch mmap_null munmap; do
	printf '%-10s' "$phase"
	base=
	for n in 1000 10000 100000; do
		out=$(mktemp)
		valgrind --tool=callgrind --callgrind-out-file="$out" \
			--toggle-collect="bench_$phase" "$BENCH" "$phase" "$n" "$ops" \
			>/dev/null 2>&1
		ir=$(awk '/^summary:/ {print $2}' "$out")
		rm -f "$out"
		calls=$ops
		case $phase in mprotect|mmap_null) calls=$((ops * 2)) ;; esac
		per=$((ir / calls))
		[ -z "$base" ] && base=$per
		printf ' %9d x%-7s' "$per" "$(awk -v a="$per" -v b="$base" 'BEGIN {printf "%.2f", a / b}')"
	done
	echo
done
