#!/usr/bin/env bash
# tests/mutants.sh - make mutants: break each mutant rule of tests/rules.txt
# in turn (VMALAB_MUTATE=ID, engine/params.h) and check that every script
# tagged "# guards: ID" then fails under `vmalab verify` on this kernel,
# and that all of them pass with no mutation.
#
#   tests/mutants.sh [RULE...]   the rules given, or every mutant rule
#
# One line a rule: its guards and how many failed, then the guards that
# still agreed with the kernel.  Ends with "N passed, N failed": an item
# for each rule (all its guards failed) and one for the run without a
# mutation.  The engine's own checkers are off (VMALAB_CHECK=0), so a
# guard fails only by differing from the kernel.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD_DIR=${BUILD_DIR:-build}
VM=$BUILD_DIR/vmalab
export VMALAB_CHECK=0
RUN_SH_LIB=1 source tests/run.sh

pass=0
fail=0
if [ ! -x "$VM" ]; then
	echo "FAIL $VM is missing"
	echo "0 passed, 1 failed"
	exit 1
fi

# The scripts that guard rule $1.
guards_of() {
	grep -l -E "^# guards:(.* )?$1( |\$)" tests/scripts/*.vml scenarios/*.vml \
		2>/dev/null
}

rules=("$@")
if [ ${#rules[@]} = 0 ]; then
	mapfile -t rules < <(awk '!/^#/ && NF && $3 == "mutant" { print $1 }' \
		tests/rules.txt)
fi

all=()
for r in "${rules[@]}"; do
	if ! awk -v r="$r" '!/^#/ && $1 == r && $3 == "mutant" { f = 1 }
		END { exit !f }' tests/rules.txt; then
		echo "FAIL $r: not a mutant rule of tests/rules.txt"
		fail=$((fail + 1))
		continue
	fi
	mapfile -t g < <(guards_of "$r")
	all+=("${g[@]}")
	if [ ${#g[@]} = 0 ]; then
		printf '%-26s no guards\n' "$r"
		fail=$((fail + 1))
		continue
	fi
	log=$(mktemp)
	VMALAB_MUTATE=$r "$VM" verify "${g[@]}" >"$log" 2>&1
	if grep -q 'no engine mutation named' "$log"; then
		echo "FAIL $r: the engine has no such mutation"
		fail=$((fail + 1))
		rm -f "$log"
		continue
	fi
	agreed_n=$(printf '%s\n' "${g[@]}" | agreed "$log")
	printf '%-26s %3d guards, %3d fail with the mutation\n' "$r" \
		${#g[@]} $((${#g[@]} - agreed_n))
	if [ "$agreed_n" = 0 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		grep -E '^verify: .*engine and kernel agree$' "$log" |
			sed 's/^verify: /  FAIL still agrees: /; s/: [0-9]* lines.*//'
	fi
	rm -f "$log"
done

# Without a mutation every guard agrees (a guard that always fails proves
# nothing).
if [ ${#all[@]} -gt 0 ]; then
	mapfile -t all < <(printf '%s\n' "${all[@]}" | sort -u)
	log=$(mktemp)
	VMALAB_MUTATE= "$VM" verify "${all[@]}" >"$log" 2>&1
	n=$(printf '%s\n' "${all[@]}" | agreed "$log")
	printf '%-26s %3d guards, %3d agree\n' "(no mutation)" ${#all[@]} "$n"
	if [ "$n" = ${#all[@]} ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		grep -E 'differ|FAIL' "$log" | head -n 20
	fi
	rm -f "$log"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
