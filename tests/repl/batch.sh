#!/usr/bin/env bash
# tests/repl/batch.sh - the REPL's commands without a terminal: the plain
# REPL prints exactly what batch mode prints, shorthand expands to the
# strace form, undo/redo/reset restore the exact state of every process,
# and the new commands' mistakes each give one clear error and change
# nothing.
. "$(dirname "$0")/../lib.sh"
need_vm
cd "$tmp"

# The output of a one-liner must be exactly this.
expect() { # description, lines (;-separated), expected stdout
	local out
	out=$("$VM" -c "$2" 2>&1)
	if [ "$out" == "$3" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $1"
		diff <(printf '%s\n' "$3") <(printf '%s\n' "$out") | head -n 10
	fi
}

# One error line saying want, exit status 1, and maps unchanged.
rejects() { # description, line, expected substring of the error
	local out err rc
	out=$(printf 'map %s 16k rw\ntouch %s 4k\nmaps\n%s\nmaps\n' \
		$A $A "$2" | "$VM" --batch - 2>"$tmp/err")
	rc=$?
	err=$(cat "$tmp/err")
	if [ $rc -ne 1 ] || [ "$(wc -l <"$tmp/err")" -ne 1 ] ||
		! grep -qF -- "$3" "$tmp/err"; then
		fail=$((fail + 1))
		echo "FAIL $1: rc $rc, stderr: $err"
	elif [ "$(sed -n 3p <<<"$out")" != "$(tail -n 1 <<<"$out")" ] ||
		[ "$(wc -l <<<"$out")" -ne 4 ]; then
		fail=$((fail + 1))
		echo "FAIL $1: output changed:"
		printf '%s\n' "$out"
	else
		pass=$((pass + 1))
	fi
}

A=0x200000000000

# ---- the plain REPL is batch mode ----
cat >script.vml <<EOF
# a comment
map $A 16k rw
mmap($A, 4096, PROT_RAED, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
touch $A 8k
fork()
undo
maps
bogus line
smaps
EOF
"$VM" --batch - <script.vml >batch.out 2>batch.err
brc=$?
"$VM" <script.vml >plain.out 2>plain.err
prc=$?
"$VM" --repl <script.vml >repl.out 2>repl.err
rrc=$?
ok "plain REPL stdout equals batch" cmp -s batch.out plain.out
ok "plain REPL stderr equals batch" cmp -s batch.err plain.err
ok "--repl without a terminal is batch" cmp -s batch.out repl.out
ok "exit statuses agree" [ $brc = 1 -a $prc = 1 -a $rrc = 1 ]
ok "no colour without a terminal" bash -c "! grep -q $'\e' batch.out batch.err"

# ---- shorthand ----
expect "map: private anonymous fixed by default" "map $A 16k rw" \
	"mmap($A, 16384, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0) = $A"
expect "m is map; pages; r-x" "m $A 2p r-x" \
	"mmap($A, 8192, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0) = $A"
expect "map NULL lets the kernel choose" "map NULL 4k none" \
	"mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7ffff7ffe000"
expect "map hint" "map $A 4k rw; map $A 4k rw hint" \
	"mmap($A, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0) = $A
mmap($A, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7ffff7ffe000"
expect "map noreplace" "map $A 4k rw; map $A 4k rw noreplace" \
	"mmap($A, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0) = $A
mmap($A, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0) = -1 EEXIST (File exists)"
expect "map shared file with offset and a flag" \
	'openat(AT_FDCWD, "f", O_RDWR|O_CREAT, 0644); ftruncate(3, 64k); map 0x200000000000 8k rw shared file 3 4k populate' \
	'openat(AT_FDCWD, "f", O_RDWR|O_CREAT, 0644) = 3
ftruncate(3, 64k) = 0
mmap(0x200000000000, 8192, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED|MAP_POPULATE, 3, 0x1000) = 0x200000000000'
expect "map shared anonymous, PROT_ names" "map $A 4k PROT_READ|PROT_WRITE shared" \
	"mmap($A, 4096, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED|MAP_ANONYMOUS, -1, 0) = $A"
expect "unmap and protect" "map $A 16k rw; u 0x200000001000 4k; p 0x200000002000 1p r" \
	"mmap($A, 16384, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0) = $A
munmap(0x200000001000, 4096) = 0
mprotect(0x200000002000, 4096, PROT_READ) = 0"
expect "sizes: k, M, G, p" "touch $A 1G; touch $A 2M; touch $A 3p" \
	"touch $A 1G = SIGSEGV ($A)
touch $A 2M = SIGSEGV ($A)
touch $A 3p = SIGSEGV ($A)"

# ---- undo, redo, reset: every process comes back exactly ----
steps="map $A 64k rw;touch $A 16k;fork();protect 0x200000004000 8k r;switch 2;unmap 0x200000002000 4k;touch 0x200000008000 4k"
show="echo ==;ps;switch 1;smaps;switch 2;smaps"
# After each prefix of the steps, the state printed by $show.
IFS=';' read -ra S <<<"$steps"
for n in $(seq 0 ${#S[@]}); do
	prefix=$(IFS=';'; echo "${S[*]:0:$n}")
	"$VM" -c "${prefix:+$prefix;}$show" 2>/dev/null | sed -n '/^==$/,$p' >"state$n"
done
# The whole run, then back one step at a time; then forward again.
for n in $(seq ${#S[@]} -1 1); do
	back=$((${#S[@]} - n + 1))
	"$VM" -c "$steps;undo $back;$show" 2>/dev/null | sed -n '/^==$/,$p' >got
	ok "undo $back gives the state after $((n - 1)) steps" cmp -s got "state$((n - 1))"
done
"$VM" -c "$steps;undo 7;redo 4;$show" 2>/dev/null | sed -n '/^==$/,$p' >got
ok "undo 7, redo 4 gives the state after 4 steps" cmp -s got state4
"$VM" -c "$steps;reset;$show" 2>/dev/null | sed -n '/^==$/,$p' >got
"$VM" -c "$show" 2>/dev/null | sed -n '/^==$/,$p' >fresh
ok "reset gives a fresh machine" cmp -s got fresh
"$VM" -c "$steps;reset;undo;$show" 2>/dev/null | sed -n '/^==$/,$p' >got
ok "undo after reset brings the old machine back" cmp -s got "state${#S[@]}"
"$VM" -c "$steps;undo 2;map 0x200000100000 4k r;redo" >/dev/null 2>err
ok "a new step forgets what could be redone" grep -q 'redo: nothing to redo' err
{ echo "map $A 4k rw"; for _ in $(seq 25000); do echo "touch $A"; done
	for _ in $(seq 12500); do echo "protect $A 4k r"; echo "protect $A 4k rw"; done
	echo "undo 2"; echo history; echo reset; echo "map $A 4k rw"; echo undo; } >long.vml
"$VM" --batch long.vml >out 2>err
ok "a long history is kept whole" grep -q "^undo: protect $A 4k rw$" out
ok "a touch of a page already there is no step" \
	grep -q "^    3  protect $A 4k r$" out
ok "undo in a long history takes back the last steps" \
	grep -q "^25002  protect $A 4k rw   (undone: redo runs it again)$" out
ok "reset starts a history again" grep -q "^undo: map $A 4k rw$" out
expect "history marks undone steps" "map $A 4k rw;unmap $A 4k;undo;history" \
	"mmap($A, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0) = $A
munmap($A, 4096) = 0
undo: unmap $A 4k
    1  map $A 4k rw
    2  unmap $A 4k   (undone: redo runs it again)"

# A batch script keeps no log unless a line can step back: a prefix
# (und), an alias (back), or source, whose script may undo outer steps.
printf 'map %s 8k rw\nunmap %s 4k\nund\nmaps\n' $A $A >und.vml
"$VM" --batch und.vml >out 2>err
ok "undo by prefix in a batch file" grep -q "^undo: unmap $A 4k$" out
printf 'map %s 8k rw\nunmap %s 4k\nback\nredo\n' $A $A >back.vml
"$VM" --batch back.vml >out 2>err
ok "undo by alias in a batch file, then redo" grep -q "^redo: unmap $A 4k$" out
printf 'undo\n' >inner.vml
printf 'map %s 8k rw\nsource inner.vml\nmaps\n' $A >outer.vml
"$VM" --batch outer.vml >out 2>err
ok "a sourced script undoes the outer step" grep -q "^undo: map $A 8k rw$" out
"$VM" --batch - <outer.vml >out 2>err
ok "the same from stdin" grep -q "^undo: map $A 8k rw$" out
printf 'map %s 8k rw\nhistory\n' $A >hist.vml
"$VM" --batch hist.vml >out 2>err
ok "history in a batch file" grep -q "^    1  map $A 8k rw$" out

# A strace log: each kind of skipped line warns once, then the totals.
{ for _ in 1 2 3; do echo 'read(3, "x", 1) = 1'; echo '--- SIGCHLD {si_signo=SIGCHLD} ---'; done
	echo 'write(1, "x", 1) = 1'; echo "mmap($A, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0) = $A"; } >strace.log
"$VM" --batch strace.log >out 2>err
ok "a skipped kind warns once" [ "$(grep -c 'skipping read()' err)" = 1 ]
ok "skipped strace lines warn once" [ "$(grep -c 'skipping strace line' err)" = 1 ]
ok "the totals come at the end" [ "$(tail -n 2 err)" = "warning: skipped 3 read() lines in all
warning: skipped 3 strace '---' lines in all" ]
ok "a kind seen once has no total" [ "$(grep -c 'skipped 1 ' err)" = 0 ]
ok "the calls between still run" grep -q "^mmap($A, .* = $A$" out

# ---- source, set, help, vma, ps ----
printf 'map %s 8k rw\nbogus\necho sourced\n' $A >inc.vml
printf 'source loop.vml\n' >loop.vml
"$VM" -c "source inc.vml;maps" >out 2>err
ok "source runs a script" grep -q '^sourced$' out
ok "source errors name the file and line" grep -q 'error: inc.vml:2: unknown command bogus' err
"$VM" -c "source loop.vml" >/dev/null 2>err
ok "a script that sources itself stops" grep -q 'nested 8 deep' err
"$VM" -c "set trace on;map $A 4k rw" >out
ok "set trace on shows the trace" grep -q '^# ' out
"$VM" -c "help" >out
missing=0
for c in mmap munmap mprotect map unmap protect openat close ftruncate fork \
	touch switch ps maps smaps vma echo source undo redo history reset \
	set help quit; do
	grep -q "^  $c[ ,]" out || { missing=1; echo "help does not list $c"; }
done
ok "help lists every command" [ $missing = 0 ]
"$VM" -c "help mmap" >out
ok "help mmap shows the flags" grep -q 'MAP_FIXED_NOREPLACE' out
ok "help mmap shows an example" grep -q '^Example' out
"$VM" -c "help m" >out
ok "help resolves aliases" grep -q '^map ADDR' out
"$VM" -c "map $A 16k rw;protect 0x200000001000 4k r;vma 0x200000001000" >out
ok "vma decodes the flags" grep -q 'VM_MAYWRITE     mw' out
ok "vma marks a blocking bit" grep -q 'VM_WRITE        wr     x! ' out
ok "vma gives the reason" \
	grep -q 'no merge: vm_flags differ (VM_WRITE|VM_ACCOUNT)' out
"$VM" -c "map $A 16k rw;touch $A 16k;fork();switch 2;vma $A" >out
ok "vma shows a fork child" grep -q 'a fork child' out
"$VM" -c "fork();fork();switch 3;ps" >out
ok "ps lists the processes" [ "$(grep -c '^[ *] *[0-9]' out)" = 3 ]
ok "ps marks the current one" grep -q '^\*     3' out
"$VM" -c "echo a;quit;echo b" >out
ok "quit stops reading" [ "$(cat out)" == a ]

# ---- mistakes: one clear error each, nothing changes ----
rejects "bad protection" "map $A 4k rwz" "map: argument 3: unknown protection rwz"
rejects "misspelt PROT_" "map $A 4k PROT_RAED" "did you mean PROT_READ?"
rejects "misspelt option" "map $A 4k rw anno" "unknown option anno (did you mean anon?)"
rejects "file without fd" "map $A 4k rw file" "file needs an fd"
rejects "anon and file" "map $A 4k rw anon file 3" "anon and file exclude each other"
rejects "shared and private" "map $A 4k rw shared private" "shared and private exclude"
rejects "two placements" "map $A 4k rw fixed hint" "one of fixed, noreplace and hint"
rejects "negative length" "map $A -16k rw" "map: argument 2: negative length"
rejects "negative unmap" "unmap $A -4096" "unmap: argument 2: negative length"
rejects "map too few" "map $A" "expected 3 to 4 arguments"
rejects "map overflow" "map $A 99999999999999999999 rw" "number out of range"
rejects "protect bad prot" "protect $A 4k q" "unknown protection q"
rejects "unmap huge size" "unmap $A 17179869184G" "number out of range"
rejects "vma outside" "vma 0x300000000000" "vma: no VMA contains 0x300000000000"
rejects "vma junk" "vma zz" "vma: argument 1: not a number: zz"
rejects "undo too far" "undo 5" "undo: 5 steps: there are only 2 to undo"
rejects "undo zero" "undo 0" "undo: 0 steps"
rejects "undo negative" "undo -1" "there are only 2 to undo"
rejects "undo overflow" "undo 99999999999999999999999" "number out of range"
rejects "redo nothing" "redo" "redo: nothing to redo"
rejects "reset with args" "reset now" "expected 0 arguments"
rejects "help unknown" "help mmpa" "help: unknown command mmpa (did you mean mmap?)"
rejects "help ambiguous" "help s" "ambiguous command s"
rejects "set unknown" "set colr on" "set: unknown setting colr (did you mean colour?)"
rejects "set bad value" "set colour purple" "set: colour is one of auto, on, off"
rejects "set too many" "set trace on off" "expected 0 to 2 arguments"
rejects "source missing" "source /nonexistent/x.vml" "source: /nonexistent/x.vml: No such file"
rejects "source unbalanced" 'source "x.vml' "unbalanced quotes"
rejects "history with args" "history 1" "expected 0 arguments"
rejects "ps with args" "ps x" "expected 0 arguments"
rejects "switch to nobody" "switch 0" "no process with pid 0"

# ---- --events: one JSON object per engine event, between the results ----
ev=$("$VM" --events -c "map $A 16k r; map 0x200000008000 16k r; map 0x200000004000 16k rw; protect 0x200000004000 16k r")
ok "--events keeps the contract lines" [ "$(grep -c ' = ' <<<"$ev")" = 4 ]
ok "--events lines are valid JSON" python3 -c '
import json, sys
lines = [l for l in sys.stdin.read().splitlines() if l.startswith("{")]
assert len(lines) > 20, len(lines)
for l in lines:
    json.loads(l)
' <<<"$ev"
ok "--events names the merge case" grep -q '"event":"merge","code":"existing_both","fn":"vma_merge_existing_range"' <<<"$ev"
ok "--events names the veto" grep -q '"event":"veto","code":"flags","fn":"can_vma_merge_after".*"diff_names":"VM_WRITE|VM_ACCOUNT"' <<<"$ev"
ok "--events and --trace together" [ "$("$VM" --events --trace -c "map $A 4k rw" | grep -c '^# ')" -gt 0 ]
ok "--batch FILE after --trace" bash -c "printf 'map $A 4k rw
' >t.vml && '$VM' --batch --trace t.vml | grep -q '^# do_mmap'"

# ---- I/O errors are errors ----
printf 'map %s 16k rw\nmaps\n' $A >io.vml
io() { # description, expected status, expected stderr substring, command...
	local desc=$1 want=$2 msg=$3 rc
	shift 3
	"$@" >/dev/null 2>"$tmp/ioerr" </dev/null
	rc=$?
	if [ $rc -ne "$want" ] || [ "$(wc -l <"$tmp/ioerr")" -ne 1 ] ||
		! grep -qF -- "$msg" "$tmp/ioerr"; then
		fail=$((fail + 1))
		echo "FAIL $desc: rc $rc, stderr: $(cat "$tmp/ioerr")"
	else
		pass=$((pass + 1))
	fi
}
io "--batch to a full disk" 2 "write error on standard output: No space left on device" \
	bash -c "'$VM' --batch io.vml >/dev/full"
io "-c to a full disk" 2 "write error on standard output: No space left" \
	bash -c "'$VM' -c 'map $A 4k rw' >/dev/full"
io "source to a full disk stops" 2 "write error on standard output" \
	bash -c "printf 'source io.vml\nsource io.vml\n' | '$VM' --batch - >/dev/full"
io "verify to a full disk" 2 "write error on standard output" \
	bash -c "'$VM' verify io.vml >/dev/full"
io "--batch DIR" 2 "vmalab: $tmp: Is a directory" "$VM" --batch "$tmp"
io "verify DIR" 2 "verify: $tmp: Is a directory" "$VM" verify "$tmp"
io "--batch of a missing file" 2 "vmalab: nope.vml: No such file" "$VM" --batch nope.vml
io "--batch of a file that cannot be read" 1 "error: /proc/self/mem: read error after line 0: Input/output error" \
	"$VM" --batch /proc/self/mem
io "source of a file that cannot be read" 1 "/proc/self/mem: read error after line 0" \
	"$VM" -c "source /proc/self/mem"
# A sourced script's output and errors come in the script's order.
printf 'map %s 16k rw\nbogus\nmaps\n' $A >inner.vml
printf 'source inner.vml\nalso wrong\n' >outer.vml
got=$("$VM" --batch outer.vml 2>&1)
want="mmap(0x200000000000, 16384, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0) = 0x200000000000
error: inner.vml:2: unknown command bogus
200000000000-200000004000 rw-p 00000000 00:00 0 
error: outer.vml:2: unknown command also"
ok "source keeps the script's order" [ "$got" == "$want" ]
# A line without a newline is not read whole before the limit applies.
maxrss() { # command...: its peak RSS in kB
	python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@"
}
head -c 80M /dev/zero | tr '\0' a >long.vml
printf '\nmaps\n' >>long.vml
base=$(maxrss "$VM" --batch io.vml)
big=$(maxrss "$VM" --batch long.vml)
ok "an 80 MiB line costs no more than a short script (${big} kB vs ${base} kB)" [ "$big" -lt $((base + 8192)) ]
big=$(maxrss "$VM" -c "source long.vml")
ok "source of an 80 MiB line, bounded (${big} kB vs ${base} kB)" [ "$big" -lt $((base + 8192)) ]
ok "a long line is one error, and the script goes on" bash -c "'$VM' --batch long.vml 2>&1 | grep -c 'line too long (over 4096 characters)' | grep -qx 1"
rm -f long.vml

# ---- the OOM killer: the machine's memory (--machine mem_total=KB) ----
oom() { "$VM" --machine mem_total=16384 -c "$1" 2>&1; }
expect_oom() { # description, lines, expected output
	local out
	out=$(oom "$2")
	if [ "$out" == "$3" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $1"
		diff <(printf '%s\n' "$3") <(printf '%s\n' "$out") | head -n 10
	fi
}
# (Bigger than RAM + swap: __vm_enough_memory refuses it unless noreserve.)
ok "overcommit: a map larger than memory is ENOMEM" bash -c "'$VM' --machine mem_total=16384 -c 'map $A 64M rw' | grep -q '= -1 ENOMEM'"
expect_oom "touch past memory: SIGKILL at the page" "map $A 64M rw noreserve; touch $A 64M; ps" \
"mmap(0x200000000000, 67108864, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS|MAP_NORESERVE, -1, 0) = 0x200000000000
touch 0x200000000000 64M = SIGKILL (0x200000ff8000: out of memory)
    PID   VMAS       SIZE        RSS       ANON     LOCKED       DATA      STACK  FILES
*     1      0          0          0          0          0          0          0  killed by SIGKILL (out of memory)"
expect_oom "populate past memory: the call never returns" "map $A 64M rw noreserve populate" \
"mmap(0x200000000000, 67108864, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS|MAP_NORESERVE|MAP_POPULATE, -1, 0) = ? +++ killed by SIGKILL (out of memory) +++"
expect_oom "a killed process makes no calls" "map $A 64M rw noreserve populate; map $A 4k rw" \
"mmap(0x200000000000, 67108864, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS|MAP_NORESERVE|MAP_POPULATE, -1, 0) = ? +++ killed by SIGKILL (out of memory) +++
error: -c:2: process 1 was killed by the OOM killer and makes no calls (switch to another process, undo or reset)"
ok "the trace names the OOM kill" bash -c "'$VM' --machine mem_total=16384 --trace -c 'map $A 64M rw noreserve; touch $A 64M' | grep -q '^# out_of_memory(fault at 200000ff8000): no memory left: Killed process 1'"
ok "undo brings a killed process back" bash -c "'$VM' --machine mem_total=16384 -c 'map $A 64M rw noreserve; touch $A 64M; undo; ps' | grep -q '^\*     1      1        64M          0'"
ok "huge populate on the default machine ends (no walk of every page)" bash -c "timeout 120 '$VM' -c 'mmap(NULL, 0x200000016000, PROT_EXEC, MAP_POPULATE|MAP_ANONYMOUS|MAP_SHARED|MAP_NORESERVE, 0, 4096)' | grep -q 'killed by SIGKILL'"

summary
