#!/usr/bin/env bash
# tests/fuzz/run.sh - run the libFuzzer targets of build-fuzz/fuzz/.
#
#   run.sh check            every input of each target's corpus once (the
#                           seeds and the crashes found before, kept as
#                           regression inputs), then a smoke of SMOKE
#                           seconds per target (60; 0 skips it)
#   run.sh fuzz SECONDS     each target for SECONDS, new inputs kept in
#                           build-fuzz/corpus/NAME, crashes and hangs in
#                           build-fuzz/artifacts/
#
# A target fuzz_NAME.c has its corpus in tests/fuzz/corpus/NAME/.  Ends
# with "N passed, N failed" (one per target and stage).
set -u
cd "$(dirname "$0")/../.."
mode=${1:-check}
secs=${2:-60}
smoke=${SMOKE:-60}
bin=build-fuzz/fuzz
pass=0 fail=0
mkdir -p build-fuzz/artifacts build-fuzz/logs

# The options every run takes: a hang is an input that runs past 10 s,
# and a leak or a sanitizer report is a failure, as a crash is.
opts=(-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 -print_final_stats=1)

result() { # name ok log
	if [ "$2" = 0 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL fuzz $1 (log: $3)"
		grep -m 20 -E 'ERROR|SUMMARY|runtime error|Test unit written|timeout' "$3"
	fi
}

for t in "$bin"/fuzz_*; do
	[ -x "$t" ] || continue
	name=${t##*/fuzz_}
	seeds=tests/fuzz/corpus/$name
	work=build-fuzz/corpus/$name
	mkdir -p "$seeds" "$work"
	art=build-fuzz/artifacts/$name-
	case $mode in
	check)
		log=build-fuzz/logs/$name-corpus.log
		"$t" "${opts[@]}" -runs=0 "$seeds" </dev/null >"$log" 2>&1
		result "$name corpus" $? "$log"
		if [ "$smoke" != 0 ]; then
			log=build-fuzz/logs/$name-smoke.log
			tmp=$(mktemp -d)
			"$t" "${opts[@]}" -max_total_time="$smoke" \
				-artifact_prefix="$art" "$tmp" "$seeds" \
				</dev/null >"$log" 2>&1
			result "$name smoke" $? "$log"
			rm -rf "$tmp"
		fi
		;;
	fuzz)
		log=build-fuzz/logs/$name-fuzz.log
		"$t" "${opts[@]}" -max_total_time="$secs" \
			-artifact_prefix="$art" "$work" "$seeds" \
			</dev/null >"$log" 2>&1
		result "$name fuzz" $? "$log"
		grep -E '^stat::|DONE' "$log" | tr '\n' ' '
		echo
		;;
	esac
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
