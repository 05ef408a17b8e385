#!/usr/bin/env bash
# tests/soak.sh - the differential soak: SOAK_SCRIPTS random scripts
# (5,000) of SOAK_STEPS steps (100) from the seeded generator, with fork,
# through `vmalab verify` in batches; every one must agree with the
# kernel.  Seeds SOAK_SEED.. (1000000 on: apart from make check's).  Then
# the limits at the issue's sizes (tests/limits.sh, LIMITS=full).
# Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
B=${BUILD_DIR:-build}
n=${SOAK_SCRIPTS:-5000}
steps=${SOAK_STEPS:-100}
seed0=${SOAK_SEED:-1000000}
batch=100
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The generator's flags that exist (--mremap; --advise: madvise, mlock, mseal).
flags=(--fork)
for f in --mremap --advise --madvise --mlock; do
	"$B/tests/scriptgen" -n 2 "$f" 1 >/dev/null 2>&1 && flags+=("$f")
done
echo "soak: $n scripts of $steps steps, scriptgen ${flags[*]} (and --wild, --errors on every 3rd, 5th)"
start=$(date +%s)
for ((b = 0; b < n; b += batch)); do
	rm -f "$tmp"/s*.vml
	for ((i = b; i < b + batch && i < n; i++)); do
		extra=()
		((i % 3 == 0)) && extra+=(--wild)
		((i % 5 == 0)) && extra+=(--errors)
		"$B/tests/scriptgen" -n "$steps" "${flags[@]}" "${extra[@]}" \
			$((seed0 + i)) >"$tmp/s$((seed0 + i)).vml"
	done
	"$B/vmalab" verify "$tmp"/s*.vml >"$tmp/log" 2>&1
	p=$(grep -c 'engine and kernel agree$' "$tmp/log")
	total=$(ls "$tmp"/s*.vml | wc -l)
	pass=$((pass + p))
	fail=$((fail + total - p))
	if [ "$p" != "$total" ]; then
		grep -B2 -A30 'differ after\|died\|did not answer' "$tmp/log" | head -n 60
		mkdir -p "$B/soak-failed"
		for s in "$tmp"/s*.vml; do
			grep -q "$(basename "$s"): .*agree$" "$tmp/log" || cp "$s" "$B/soak-failed/"
		done
	fi
done
echo "soak: $pass agree, $fail differ, $(($(date +%s) - start)) s"
if [ "${SOAK_LIMITS:-1}" = 1 ]; then
	out=$(BUILD_DIR=$B LIMITS=full tests/limits.sh 2>&1)
	printf '%s\n' "$out" | grep -v 'passed, .* failed$'
	line=$(printf '%s\n' "$out" | tail -n 1)
	pass=$((pass + ${line%% *}))
	f=${line#*, }
	fail=$((fail + ${f%% *}))
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
