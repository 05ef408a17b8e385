#!/usr/bin/env bash
# tests/verify.sh - verify and tests/run.sh cannot pass vacuously.
#
# Each case is a script or a test setup that once "passed" without
# proving anything: an empty script, a script of comments, a script that
# quit half way, a kernel process that died, a missing generator or unit
# binary.  Each must now fail, and say why.  Ends "N passed, N failed".
. "$(dirname "$0")/lib.sh"

MAP='mmap(0x200000000000, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)'

# verify FILE must exit with status want and say pattern on stderr (an
# empty pattern: say nothing there).
expect_verify() { # name want pattern script-text
	local name=$1 want=$2 pat=$3 f=$tmp/$1.vml rc
	printf '%b' "$4" >"$f"
	"$VM" verify --quiet "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" != "$want" ]; then
		failed "verify $name: status $rc, want $want"
		cat "$tmp/out" "$tmp/err"
	elif [ -z "$pat" ] && [ -s "$tmp/err" ]; then
		failed "verify $name: stderr not empty:"
		cat "$tmp/err"
	elif [ -n "$pat" ] && ! grep -q -- "$pat" "$tmp/err"; then
		failed "verify $name: no \"$pat\" in:"
		cat "$tmp/err"
	else
		passed
	fi
}

expect_verify empty 2 'nothing verified: 0 lines' ''
expect_verify comments 2 'nothing verified: 3 lines' '# a comment\n\n   # another\n'
expect_verify no-syscall 2 'no system call compared' 'touch 0x200000000000\nmaps\necho --\n'
expect_verify quit-early 2 'quit: stopped, 2 of 3 lines verified' \
	"$MAP\nquit\nmunmap(0x200000000000, 4096)\n"
# quit as the last line leaves nothing unverified.
expect_verify quit-last 0 '' "$MAP\nquit\n# the end\n"
# Unmapping the kernel process's own text kills it (the engine's process
# has nothing there): verify says how far it got.
expect_verify lost-process 2 'died: signal 11 (SIGSEGV).*stopped, 1 of 3 lines verified' \
	"$MAP\nmunmap(0x1000, 0x7ffffffe0000)\nmaps\n"

# A script that agrees says how many calls it compared.
printf '%s\nmaps\n' "$MAP" >"$tmp/one.vml"
if "$VM" verify "$tmp/one.vml" | grep -qx "verify: $tmp/one.vml: 2 lines, 1 call, engine and kernel agree"; then
	passed
else
	failed "verify one.vml: no agreement line with its call count"
fi

# tests/run.sh's suites, from a build directory with parts missing.
suite() { # what to run (in a subshell with run.sh's functions)
	(
		RUN_SH_LIB=1
		# shellcheck source=tests/run.sh
		. tests/run.sh
		"$@" >"$tmp/suite.out" 2>&1
		echo "$total_pass $total_fail"
	)
}

expect_suite() { # name want-pass want-fail command...
	local name=$1 want="$2 $3" got
	shift 3
	got=$(suite "$@")
	if [ "$got" == "$want" ]; then
		passed
	else
		failed "run.sh $name: \"$got\" passed/failed, want \"$want\""
		cat "$tmp/suite.out"
	fi
}

fake=$tmp/build
mkdir -p "$fake/tests"
ln -s "$VM" "$fake/vmalab"
# No generator: every script it owed fails.
expect_suite no-generator 0 4 random_scripts "$fake" 4 10
# A generator that writes nothing (as a missing one once did through a
# redirect): empty scripts verify nothing, so all fail.
printf '#!/bin/sh\nexit 0\n' >"$fake/tests/scriptgen"
chmod +x "$fake/tests/scriptgen"
expect_suite empty-generator 0 3 random_scripts "$fake" 3 10
# A generator that fails: its scripts are planned, so they fail.
printf '#!/bin/sh\nexit 1\n' >"$fake/tests/scriptgen"
expect_suite failing-generator 0 2 random_scripts "$fake" 2 10
# The real generator: all pass.
ln -sf "$PWD/$B/tests/scriptgen" "$fake/tests/scriptgen"
expect_suite real-generator 2 0 random_scripts "$fake" 2 10
# No unit binaries: each test source is a failure.
nunit=$(ls tests/unit/*/test_*.c | wc -l)
expect_suite no-unit-binaries 0 "$nunit" unit_tests "$fake"
# A script that is missing is planned, so it fails.
printf '%s\n' "$MAP" >"$tmp/a.vml"
expect_suite missing-script 1 1 verify_files files "$fake" "$tmp/a.vml" "$tmp/gone.vml"
# No vmalab at all.
rm "$fake/vmalab"
expect_suite no-vmalab 0 2 verify_files files "$fake" "$tmp/a.vml" "$tmp/a.vml"

summary
