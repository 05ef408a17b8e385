#!/usr/bin/env bash
# tests/repl/pty.sh - the interactive REPL, driven through a pseudo-terminal
# (a private tmux server): completion, history across restarts, Ctrl-C,
# Ctrl-D, ~/.inputrc, colour and NO_COLOR, undo and redo restoring the exact
# maps output, a multi-line paste, hostile lines that must not kill it,
# and Ctrl-C during a long source, touch and mlock (the progress shown,
# the line stopped, the state whole, undo taking it back).
#
# HOME and XDG_STATE_HOME point into a temporary directory, so the real
# history file is never touched.  There are no fixed sleeps: every step
# polls the screen for what it expects, with a timeout.
. "$(dirname "$0")/../lib.sh"
need_vm
need_tmux pty
POLL_SLEEP=0.02

# Start the REPL in a fresh 160x50 pane; extra arguments go to env, and
# VM_ARGS to vmalab.  Each
# start has a server of its own: a new one on the old socket can race
# with the old one shutting down.
start() {
	tmux_start 160 50 \
		"env -i PATH=/usr/bin:/bin HOME=$tmp/home XDG_STATE_HOME=$tmp/state TERM=xterm-256color $* $VM --repl ${VM_ARGS:-}; echo EXITED=\$?; sleep 60"
	T set-option -g history-limit 5000 >/dev/null 2>&1
	if ! wait_for 'vmalab> '; then
		echo "the REPL did not start in tmux:"
		screen | head -n 5
		echo "$pass passed, $((fail + 1)) failed"
		exit 1
	fi
}

screen() { T capture-pane -p -J -S -5000; }
# The last line with anything on it (where the cursor is), from the
# visible part only: cheap enough to poll.
last_line() { T capture-pane -p -J | grep -v '^$' | tail -n 1 | sed 's/ *$//'; }

coloured() { T capture-pane -p -e | grep -qF -- "$1"; }
not_coloured() { ! coloured $'\e['; }
last_is() { [ "$(last_line)" == "$1" ]; }
at_prompt() { [[ $(last_line) =~ ^vmalab(:[0-9]+)?\>$ ]]; }

# A fixed string anywhere on the screen; the cursor's line, exactly.
wait_for() { poll on_screen "$1"; }
wait_last() { poll last_is "$1"; }

# Type a line, wait for readline to echo it, press Enter, and wait for the
# next prompt: so that each line's output is complete before the next.
run() {
	local prompt
	prompt=$(last_line)
	type_text "$1"
	poll last_is "$prompt $1" || poll last_is "$prompt$1" || return 1
	key Enter
	poll at_prompt
}

on_fail() { screen | grep -v '^$' | tail -n 12 | sed 's/^/    /'; }

# The lines between the output line MARK_A and the prompt of "echo MARK_B".
between() {
	screen | awk -v a="$1" -v b="vmalab> echo $2" \
		'$0 == b { on = 0 } on && !/^vmalab> / { print } $0 == a { on = 1 }'
}

# Capture the maps output now, bracketed by two markers.
maps_now() { # tag
	run "echo <$1" && run maps && run "echo $1>"
	between "<$1" "$1>"
}

# ---- completion ----
start
ok "banner and prompt" wait_for 'help lists the commands'
type_text 'mpr'
key Tab
ok "Tab completes a call's name and opens it" wait_last 'vmalab> mprotect('
key C-u
type_text 'mmap(NULL, 4k, PROT_RE'
key Tab
ok "PROT_ in mmap's third argument" wait_last 'vmalab> mmap(NULL, 4k, PROT_READ'
type_text '|PROT_WR'
key Tab
ok "a second PROT_ after |" \
	wait_last 'vmalab> mmap(NULL, 4k, PROT_READ|PROT_WRITE'
type_text ', MAP_PRIV'
key Tab
ok "MAP_ in mmap's fourth argument" \
	wait_last 'vmalab> mmap(NULL, 4k, PROT_READ|PROT_WRITE, MAP_PRIVATE'
type_text '|MAP_ANONY'
key Tab
type_text ', -1, 0)'
key Enter
ok "the completed call runs" \
	wait_for 'mmap(NULL, 4k, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7ff'
run 'map 0x200000000000 16k rw'
ok "map prints the strace form it ran" wait_for \
	'mmap(0x200000000000, 16384, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0) = 0x200000000000'
ok "a diff follows the result" wait_for '+ 200000000000-200000004000 rw-p    16k vma#'
type_text 'munmap(0x2'
key Tab
ok "VMA start addresses complete" wait_last 'vmalab> munmap(0x200000000000'
key C-u
type_text 'protect 0x200000000000 4k '
key Tab Tab
ok "protections complete in words" wait_for 'rwx'
key C-u
type_text 'map 0x200000008000 4k rw sha'
key Tab
ok "map's options complete" wait_last 'vmalab> map 0x200000008000 4k rw shared'
key C-u
type_text 'set colo'
key Tab
type_text 'of'
key Tab
ok "settings and their values complete" wait_last 'vmalab> set colour off'
key C-u
type_text 'help vm'
key Tab
ok "help completes command names" wait_last 'vmalab> help vma'
key C-u

# ---- errors ----
run 'mmap(0x200000000000, 4096, PROT_RAED, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)'
ok "a misspelt constant is named, with a suggestion" wait_for \
	'error: mmap: argument 3: unknown constant PROT_RAED (did you mean PROT_READ?)'
ok "a caret points at it" wait_for \
	"$(printf '%*s^~~~~~~~~' 35 '')"
run 'map 0x200000000000 16k rw anno'
ok "a misspelt map option" wait_for \
	'error: map: argument 4: unknown option anno (did you mean anon?)'

# ---- Ctrl-C ----
type_text 'mmap(0x200000000000, 4096, PROT_READ'
key C-c
ok "Ctrl-C leaves a fresh prompt" wait_last 'vmalab>'
run 'echo after-ctrl-c'
ok "Ctrl-C cancels the line, not the program" wait_for $'\nafter-ctrl-c'
ok "the cancelled line did not run" not_on_screen "missing ')'"

# ---- undo and redo restore the exact maps ----
run 'touch 0x200000000000 8k'
before=$(maps_now A)
run 'protect 0x200000001000 4k r'
run 'unmap 0x200000002000 4k'
after=$(maps_now B)
run 'undo 2'
undone=$(maps_now C)
ok "undo restores the exact maps" [ -n "$before" -a "$before" == "$undone" ]
ok "the state had changed" [ "$before" != "$after" ]
run 'redo 2'
redone=$(maps_now D)
ok "redo restores the exact maps" [ -n "$after" -a "$after" == "$redone" ]
run 'vma 0x200000001000'
ok "vma marks the bits that block a merge" wait_for \
	'no merge: vm_flags differ (VM_WRITE)'

# ---- the scenario store: Tab offers lessons; a quiz in the REPL ----
type_text 'quiz 01-new-exp'
key Tab
ok "Tab completes a lesson's name" wait_last 'vmalab> quiz 01-new-expand-prev'
key Enter
ok "the quiz asks its first question" \
	wait_for 'How many VMAs will pid 1 have after it?'
poll at_prompt
run 'answer 1'
ok "an answer is graded, the step shown" wait_for $'right: 1\n01-new-expand-prev:1> mmap('
run 'quiz --stop'
ok "quiz --stop ends it" wait_for 'quiz stopped (no score kept)'

# ---- a paste of several lines ----
printf 'echo pasted-one\necho pasted-two\n' >"$tmp/paste"
T load-buffer "$tmp/paste"
T paste-buffer -p
ok "each line of a paste runs" wait_for $'\npasted-two'

# ---- hostile lines ----
key Enter
run '((((((((((((((('
run '))))))))))'
run 'openat(AT_FDCWD, "abc, O_RDONLY)'
run 'munmap(0x200000000000, 99999999999999999999999)'
run 'munmap(0x200000000000, -4096)'
run 'map 0x200000000000 -16k rw'
run 'touch 0x200000000000 -1'
run 'undo 99999999999999999999999'
run 'source /nonexistent/file'
run "$(printf 'echo \xc3\xa9\xe2\x82\xac junk')"
head -c 100000 /dev/zero | tr '\0' 'x' >"$tmp/long"
T load-buffer "$tmp/long"
T paste-buffer -p
key Enter
ok "a 100 KB line is refused" wait_for 'line too long'
key C-@
run 'echo still-alive'
ok "hostile lines do not kill the REPL" wait_for $'\nstill-alive'
ok "no crash so far" not_on_screen EXITED

# ---- colour ----
run 'map 0x200000010000 4k r'
ok "results are coloured on a terminal" coloured $'= \e[32m0x200000010000'

# ---- Ctrl-D and history across restarts ----
run 'echo remember-me'
key C-d
ok "Ctrl-D exits with status 0" wait_for 'EXITED=0'
hist="$tmp/state/vmalab/history"
ok "history is kept in XDG_STATE_HOME" grep -qx 'echo remember-me' "$hist"

printf '$if vmalab\n"\\C-xh": "echo from-inputrc\\n"\n$endif\n' \
	>"$tmp/home/.inputrc"
start NO_COLOR=1
key Up
ok "history comes back after a restart" wait_last 'vmalab> echo remember-me'
key C-u
key C-x h
ok "~/.inputrc is read, under \$if vmalab" wait_for $'\nfrom-inputrc'
run 'map 0x200000000000 4k r'
ok "NO_COLOR: no colour at all" not_coloured
type_text 'quit'
key Enter
ok "quit exits" wait_for 'EXITED=0'


# ---- Ctrl-C during a long line: it stops, and the state stays whole ----
# A long source: a map, three million lines that change nothing (each
# asks the progress hook), then a map that must not run.
{
	echo 'map 0x200000000000 16k rw'
	awk 'BEGIN { for (i = 0; i < 3000000; i++) print "switch 1" }'
	echo 'map 0x200000100000 16k rw'
} >"$tmp/long.vml"
invariants() { [ "$(screen | grep -c 'check: every invariant holds')" -ge "$1" ]; }
# the machine has 200 GB, so that a touch of 64 GiB runs for a while
VM_ARGS="--machine mem_total=200000000" start NO_COLOR=1
type_text "source $tmp/long.vml"
key Enter
ok "a long source shows its progress on stderr" \
	wait_for "source $tmp/long.vml: "
ok "... and how to stop it" wait_for ' lines, '
key C-c
ok "Ctrl-C stops the source between two lines" \
	wait_for 'interrupted (Ctrl-C): the lines before this one ran'
poll at_prompt
run 'maps'
ok "the lines before it ran" wait_for '200000000000-200000004000 rw-p 00000000 00:00 0'
ok "the last line did not" not_on_screen '200000100000-200000104000'
run 'check'
ok "the state is whole after a stopped source" poll invariants 1
# source /dev/zero: one endless line, read with a bound, stopped too
type_text 'source /dev/zero'
key Enter
poll last_is 'vmalab> source /dev/zero'
sleep 0.3
key C-c
ok "Ctrl-C stops source /dev/zero" wait_for 'interrupted (Ctrl-C) while reading line 1'
poll at_prompt
# A long touch: 16M pages, stopped at a page; the pages before it stay.
run 'map 0x220000000000 64G rw noreserve'
type_text 'touch 0x220000000000 64G'
key Enter
ok "a long touch shows its progress" wait_for 'touch 0x220000000000 64G: '
key C-c
ok "Ctrl-C stops the touch before a page" \
	wait_for ': interrupted before this page)'
ok "... the result names the page" \
	poll on_screen 'touch 0x220000000000 64G = SIGINT (0x22'
ok "... and the error how far it got" wait_for 'error: interrupted (Ctrl-C) after '
poll at_prompt
run 'check'
ok "the state is whole after a stopped touch" poll invariants 2
run 'history'
ok "history marks the stopped step" \
	wait_for 'touch 0x220000000000 64G   (interrupted: part of it was done)'
run 'undo'
ok "undo takes the stopped touch back" wait_for 'undo: touch 0x220000000000 64G'
run 'check'
ok "... to a whole state" poll invariants 3
# A long populate: mlock of a TiB of the zero page.
run 'map 0x210000000000 1024G r noreserve'
type_text 'mlock(0x210000000000, 1024G)'
key Enter
ok "a long mlock shows its progress" wait_for 'mlock(0x210000000000, 1024G): '
key C-c
ok "Ctrl-C stops the populate: EINTR, as GUP at a fatal signal" \
	wait_for 'mlock(0x210000000000, 1024G) = -1 EINTR (Interrupted system call)'
poll at_prompt
run 'undo'
ok "undo takes the stopped mlock back" wait_for ': -VM_LOCKED'
run 'echo still-here'
ok "the REPL survives each Ctrl-C" wait_for $'\nstill-here'
ok "... and never left" not_on_screen EXITED

summary
