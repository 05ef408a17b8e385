#!/usr/bin/env bash
# tests/errno-coverage.sh - which errnos random --errors scripts reach.
#
# Generates N scripts (default 100) with `scriptgen --errors --mremap
# --advise --brk --fork`, runs each through `vmalab --batch`, and tallies
# the `= -1 EXXX (...)` results by call against tests/gen/errnos.txt.  It
# prints a table (per call: the errnos reached of those listed, with how
# often), then every listed errno never reached and every errno reached
# that the list lacks.  Each listed errno is an item: it passes if it was
# reached.  An errno the list lacks fails too, so the list stays the
# kernel's.  Last line: "N passed, N failed".
#
#   BUILD_DIR=build tests/errno-coverage.sh [N] [STEPS]
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.."

b=${BUILD_DIR:-build}
n=${1:-100}
steps=${2:-40}
list=tests/gen/errnos.txt
vm=$b/vmalab
gen=$b/tests/scriptgen
for x in "$vm" "$gen"; do
	if [ ! -x "$x" ]; then
		echo "FAIL errno coverage: $x is missing"
		echo "0 passed, 1 failed"
		exit 1
	fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=0
first=${SEED0:-1}
for seed in $(seq "$first" $((first + n - 1))); do
	if ! "$gen" -n "$steps" --errors --mremap --advise --brk --fork \
		"$seed" >"$tmp/s.vml" ||
		! "$vm" --batch "$tmp/s.vml" >>"$tmp/out" 2>>"$tmp/err"; then
		bad=$((bad + 1))
	fi
done
# "call(...) = -1 ENAME (text)": the call's name and the errno
sed -n 's/^\([a-z0-9_]*\)(.* = -1 \(E[A-Z0-9]*\) (.*)$/\1 \2/p' "$tmp/out" |
	sort | uniq -c >"$tmp/tally"

awk -v n="$n" -v bad="$bad" '
	FNR == NR { hits[$2 " " $3] = $1; next }
	/^#/ || NF < 2 { next }
	{
		key = $1 " " $2
		if (!(key in listed)) {
			listed[key] = 1
			if (!($1 in seen)) { seen[$1] = 1; order[++ncalls] = $1 }
			nlisted[$1]++
			errs[$1] = errs[$1] " " $2
		}
	}
	END {
		printf "errno coverage of %d scripts (--errors --mremap --advise --brk --fork)\n", n
		printf "%-10s %-8s %s\n", "call", "reached", "errnos (times)"
		for (i = 1; i <= ncalls; i++) {
			c = order[i]
			k = split(substr(errs[c], 2), e, " ")
			got = 0
			line = ""
			for (j = 1; j <= k; j++) {
				key = c " " e[j]
				if (key in hits) {
					got++
					line = line " " e[j] "(" hits[key] ")"
				} else {
					line = line " " e[j] "(-)"
					missing = missing "\n  " c " " e[j]
					fail++
				}
			}
			printf "%-10s %2d/%-5d%s\n", c, got, k, line
			total += k
			reached += got
		}
		for (key in hits)
			if (!(key in listed)) {
				extra = extra "\n  " key " (" hits[key] " times)"
				fail++
			}
		printf "total: %d of %d listed errnos reached\n", reached, total
		if (missing != "")
			printf "FAIL never reached:%s\n", missing
		if (extra != "")
			printf "FAIL reached but not in tests/gen/errnos.txt:%s\n", extra
		if (bad) {
			printf "FAIL %d scripts did not generate or run cleanly\n", bad
			fail += bad
		}
		printf "%d passed, %d failed\n", reached, fail
	}' "$tmp/tally" "$list"
