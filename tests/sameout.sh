#!/usr/bin/env bash
# tests/sameout.sh - does a change keep every byte of output?  Runs two
# vmalab binaries over the same scripts and compares stdout, stderr and
# the exit status, in batch mode plain, with --trace and with --events.
#
#   tests/sameout.sh OLD-VMALAB [NEW-VMALAB] [GENERATED]
#
# The scripts: tests/scripts, tests/golden, tests/known, scenarios, and
# GENERATED (default 300) from the seeded generator with each of its
# option sets.  Speed work must not change output: run this against a
# build of the commit before it.  Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
old=${1:?usage: tests/sameout.sh OLD-VMALAB [NEW-VMALAB] [GENERATED]}
new=${2:-build/vmalab}
ngen=${3:-300}
gen=${GEN:-build/tests/scriptgen}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
for f in tests/scripts/*.vml tests/golden/*.vml tests/known/*.vml scenarios/*.vml; do
	[ -e "$f" ] && cp "$f" "$tmp/$n-$(basename "$f")" && n=$((n + 1))
done
i=0
for opts in "" "--fork" "--errors" "--wild --fork" "--wild --fork --errors"; do
	for seed in $(seq 1 $((ngen / 5))); do
		# shellcheck disable=SC2086
		"$gen" -n $((20 + seed % 200)) $opts "$seed" >"$tmp/gen$i.vml"
		i=$((i + 1))
	done
done

pass=0 fail=0
run() { # binary mode file out-prefix
	local mode=$2
	(cd "$tmp" && "$1" $mode "$3" >"$4.out" 2>"$4.err"; echo $? >"$4.rc")
}
for f in "$tmp"/*.vml; do
	for mode in "--batch" "--batch --trace" "--batch --events"; do
		run "$(realpath "$old")" "$mode" "$f" "$tmp/o"
		run "$(realpath "$new")" "$mode" "$f" "$tmp/n"
		if cmp -s "$tmp/o.out" "$tmp/n.out" && cmp -s "$tmp/o.err" "$tmp/n.err" &&
			cmp -s "$tmp/o.rc" "$tmp/n.rc"; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			echo "DIFFER: $mode $(basename "$f")"
			diff "$tmp/o.out" "$tmp/n.out" | head -n 5
			diff "$tmp/o.err" "$tmp/n.err" | head -n 5
		fi
	done
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
