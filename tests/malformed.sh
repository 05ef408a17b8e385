#!/usr/bin/env bash
# tests/malformed.sh - every malformed or hostile line gets exactly one clear
# "error:" line on stderr, the exit status is 1, nothing crashes, and the
# address space is the same afterwards.
. "$(dirname "$0")/lib.sh"

setup='mmap(0x200000000000, 16384, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
touch 0x200000000000 4096
maps'

check() { # description line [expected-substring]
	local desc=$1 line=$2 want=${3:-} out err rc after
	out=$(mktemp -p "$tmp") err=$(mktemp -p "$tmp")
	printf '%s\n%s\nmaps\n' "$setup" "$line" | "$VM" --batch - >"$out" 2>"$err"
	rc=$?
	after=$(tail -n 1 "$out")
	if [ $rc -ne 1 ]; then
		echo "FAIL $desc: exit status $rc, want 1"
	elif [ "$(wc -l <"$err")" -ne 1 ] || ! grep -q '^error: ' "$err"; then
		echo "FAIL $desc: want one error line, got:"; head -n 3 "$err"
	elif [ -n "$want" ] && ! grep -qF -- "$want" "$err"; then
		echo "FAIL $desc: error does not say '$want':"; cat "$err"
	elif [ "$(sed -n 3p "$out")" != "$after" ] || [ "$(wc -l <"$out")" -ne 4 ]; then
		echo "FAIL $desc: output changed:"; cat "$out"
	else
		pass=$((pass + 1)); rm -f "$out" "$err"; return
	fi
	fail=$((fail + 1))
	rm -f "$out" "$err"
}

A='0x200000000000'
check "unknown call" "mmpa($A, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)" "unknown command mmpa (did you mean mmap?)"
check "unknown constant" "mmap($A, 4096, PROT_RAED, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)" "mmap: argument 3: unknown constant PROT_RAED (did you mean PROT_READ?)"
check "unknown flag" "mmap($A, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMUS, -1, 0)" "did you mean MAP_ANONYMOUS?"
check "wrong family" "mprotect($A, 4096, MAP_SHARED)" "argument 3: unknown constant MAP_SHARED"
check "missing paren" "mmap($A, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0" "missing ')'"
check "bad number" "munmap(0x2000zz, 4096)" "argument 1: not a number: 0x2000zz"
check "overflow" "munmap($A, 99999999999999999999999)" "number out of range"
check "hex overflow" "munmap(0x1ffffffffffffffff, 4096)" "number out of range"
check "too few args" "mmap($A, 4096, PROT_READ)" "expected 6 arguments, got 3"
check "too many args" "munmap($A, 4096, 1)" "expected 2 arguments, got 3"
check "empty arg" "munmap($A, )" "argument 2: missing value"
check "trailing bar" "mprotect($A, 4096, PROT_READ|)" "trailing |"
check "text after call" "mprotect($A, 4096, PROT_READ) please" "unexpected text after ')'"
check "word syntax for a call" "munmap $A 4096" "expected '('"
check "no parens" "fork" "expected '('"
check "unbalanced quotes" 'openat(AT_FDCWD, "abc, O_RDONLY)' "unbalanced quotes"
check "unquoted path" "openat(AT_FDCWD, abc, O_RDONLY)" "quoted string"
check "touch without address" "touch" "expected 1 to 2 arguments"
check "touch bad address" "touch abc" "not a number"
check "touch wraps" "touch $A -1" "wraps"
check "switch to nobody" "switch 99" "no process with pid 99"
check "switch to text" "switch x" "not a number"
check "maps with args" "maps now" "expected 0 arguments"
check "only parens" "((((((" "not a command"
check "closing parens" "))))))" "not a command"
check "equals" "= 0x200000000000" "not a command"
check "ambiguous prefix" "ma 1" "ambiguous command ma: could be madvise, map, maps"
check "unknown word" "frobnicate 1 2" "unknown command frobnicate"
check "long line" "mmap($A, 4096, PROT_READ, MAP_PRIVATE, -1, 0) $(head -c 102400 /dev/zero | tr '\0' 'x')" "line too long"
check "NUL byte" "$(printf 'munmap(0x200000000000, 4096)\001')" "unexpected text"
check "negative fd word" "close(-)" "not a number"
check "deep nesting" "munmap(((((((((0))))))))), 4096)" ""
check "binary junk" "$(printf '\x01\x02\x03\xff\xfe')" "not a command"

# A real NUL byte cannot travel through a shell variable: write it directly.
out=$( { printf '%s\n' "$setup"; printf 'munmap(0x200000000000,\0 4096)\nmaps\n'; } | "$VM" --batch - 2>&1 >/dev/null)
if [ $? -ne 1 ] || ! grep -q 'NUL byte' <<<"$out"; then
	echo "FAIL NUL byte: $out"; fail=$((fail + 1))
else
	pass=$((pass + 1))
fi

summary
