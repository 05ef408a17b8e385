#!/usr/bin/env bash
# tests/ui/tui.sh - the ncurses UI as a user sees it: vmalab in a private
# tmux server, keys and commands sent, and assertions on the text of
# `tmux capture-pane -p`.  A merge case's bands and highlight, a split's
# three bands, resizing to 80x24 and back, undo and redo restoring the
# screen, the last call's range, ? and F1, a bad command's error in the
# status line, Ctrl-C, Ctrl-Z under a shell and fg, the VMA details, fork
# side by side, NO_COLOR, playing a script to its end, a 65,530-VMA
# machine that opens and scrolls, and Ctrl-C during a long touch and a
# long source (progress on the status line, the line stopped, the state
# whole, the keys typed meanwhile kept).
#
# No fixed sleeps: each step polls the screen, with a timeout.  Without
# tmux the suite fails (a skipped suite must not look like a pass).
. "$(dirname "$0")/../lib.sh"
need_vm
need_tmux UI

# Start the UI in a fresh WxH pane: start W H [ENV=V...] [-- ARGS].
start() {
	local w=$1 h=$2 envs="" args=""
	shift 2
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		envs="$envs $1"
		shift
	done
	[ $# -gt 0 ] && shift && args="$*"
	tmux_start "$w" "$h" \
		"env -i PATH=/usr/bin:/bin HOME=$tmp/home XDG_STATE_HOME=$tmp/state TERM=screen $envs $VM $args; echo EXITED=\$?; sleep 60"
	if ! poll on_screen 'vmalab>'; then
		echo "the UI did not start in tmux:"
		screen | head -n 5
		fail=$((fail + 1))
		return 1
	fi
}

screen() { T capture-pane -p; }
# The screen without its first row (step counter) and last two (status
# and command line): the panes.
panes() { screen | sed '1d' | head -n -2; }
# The map's rows that carry an address (a band's start), cut after the
# band's left edge: the bands top down, with their marks.
map_edges() { screen | sed -n '3,$p' | cut -c1-14 | grep -E '^ *[0-9a-f]+[ +~-][][|~]' | sed 's/ *$//'; }
row_is() { [ "$(screen | sed -n "$1p" | sed 's/ *$//')" == "$2" ]; }
status_has() { screen | tail -n 2 | head -n 1 | grep -qF -- "$1"; }
cmdline_is() { [ "$(screen | tail -n 1 | sed 's/ *$//')" == "$1" ]; }
# Type a line and Enter, then wait until the title shows it ran.
run() {
	type_text "$1"
	poll cmdline_is "vmalab> $1" || return 1
	key Enter
	poll cmdline_is "vmalab>"
}
# Type quit and Enter: no prompt comes back to wait for.
leave() {
	type_text quit
	poll cmdline_is "vmalab> quit" || return 1
	key Enter
}
on_fail() { screen | sed 's/ *$//' | grep -v '^$' | head -n 40 | sed 's/^/    /'; }
slow() { # seconds command...: poll with a longer timeout
	local WAIT=$1
	shift
	"$@"
}
panes_are() { [ "$(panes)" == "$1" ]; }
same_text() { [ "$1" == "$2" ] || { diff <(echo "$1") <(echo "$2") | head -n 20; false; }; }
width_at_most() { ! screen | awk -v w="$1" 'length($0) > w { bad = 1 } END { exit !bad }'; }

# ---- a merge case: prev + new + next ----
start 120 36 || exit 1
ok "the UI opens with a command line" cmdline_is "vmalab>"
ok "the map pane and an empty address space" on_screen "gap (127 TiB)"
run 'map 0x200000000000 16k rw'
run 'map 0x200000008000 16k rw'
ok "two VMAs, two bands" on_screen "2 VMAs"
run 'map 0x200000004000 16k rw'
ok "merge: one band of 48 KiB, marked changed" \
	poll on_screen "~[a rw-p 48 KiB"
ok "merge: the map's bands, top down" same_text "$(map_edges)" \
"20000000c000 ~
200000000000~[
           0 ~"
ok "merge: the summary" poll on_screen "merged prev + new + next"
ok "merge: the trace pane shows the kernel's steps" on_screen "vma_merge_new_range"
ok "merge: the trace pane explains the step (explain)" on_screen "Kernel path: do_mmap (addr 200000004000, len 0x4000)."
ok "merge: the explanation names the old vma_merge() case" on_screen "case 1 of the"
ok "merge: one anon_vma-less VMA in the table" on_screen "1 of 1"

# ---- a split: three bands, and undo/redo restore the screen ----
run 'reset'
run 'map 0x200000000000 48k rw'
before=$(panes)
run 'protect 0x200000004000 16k r'
ok "split: the summary" poll on_screen "split 1 -> 3"
ok "split: three bands, new + changed + new" same_text "$(map_edges)" \
"20000000c000 ~
200000008000+|
200000004000~[
200000000000+|
           0 ~"
ok "split: the middle one read-only" on_screen "~[a r--p 16 KiB"
ok "split: vma#1 kept the middle" on_screen "~[  vma#1"
split=$(panes)
key '<'
ok "undo: back to the step before" poll on_screen "new vma#1  <- map 0x200000000000 48k rw"
ok "undo restores the panes exactly" same_text "$(panes)" "$before"
key '>'
ok "redo: forward again" poll on_screen "split 1 -> 3  <- protect"
ok "redo restores the split exactly" same_text "$(panes)" "$split"
run 'undo'
ok "typed undo is the same step back" same_text "$(panes)" "$before"
run 'redo'

# ---- the range the last call covered ----
ok "the call's range: the middle band's bars" on_screen "200000004000~[                      "
run 'unmap 0x200000008000 4k'
ok "unmap: the kernel's split, summarised" poll on_screen "vma#3 cut: vma#"
ok "unmap: the gap it left, marked and in the range" on_screen "200000008000-[~~~"
key '<'
ok "and back" poll panes_are "$split"

# ---- selection and the VMA details ----
key Tab
ok "Tab moves to the VMA table" poll on_screen "[VMAs]"
key Down
ok "Down moves the cursor" poll on_screen "2 of 3"
key Enter
ok "Enter opens the vma details" poll on_screen "vm_pgoff"
ok "the details are the selected VMA's" on_screen "vma#1 200000004000-200000008000"
key Escape
ok "Esc closes them" poll not_on_screen "vm_pgoff"

# ---- help ----
key '?'
ok "? shows the help" poll on_screen "Keys (the one-key ones"
ok "the help has the legend" on_screen "a anonymous  f file  s shared"
key Escape
ok "Esc closes the help" poll not_on_screen "Keys (the one-key ones"
key F1
ok "F1 shows the help" poll on_screen "Keys (the one-key ones"
key F1
poll not_on_screen "Keys (the one-key ones"
type_text 'echo ?'
ok "? is text when the line is not empty" poll cmdline_is "vmalab> echo ?"
ok "... and no help" not_on_screen "Keys (the one-key ones"
key C-c
ok "Ctrl-C clears the line" poll cmdline_is "vmalab>"

# ---- a bad command ----
good=$(panes)
type_text 'mmap(NULL, 4k, PROT_RAED, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)'
key Enter
ok "a bad command: the error in the status line" \
	poll status_has "error: mmap: argument 3: unknown constant PROT_RAED"
ok "a caret under the bad argument" status_has "^~~~~~~~~ error"
ok "the line comes back to be fixed" \
	cmdline_is "vmalab> mmap(NULL, 4k, PROT_RAED, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)"
ok "nothing changed in the map and the table" same_text "$(panes | head -n 20)" "$(echo "$good" | head -n 20)"
ok "still running" not_on_screen EXITED
key C-c
poll cmdline_is "vmalab>"

# ---- resize to 80x24 and back ----
big=$(screen)
T resize-window -x 80 -y 24
ok "80x24: the map is still drawn" poll on_screen "~[a r--p 16 KiB"
ok "80x24: all its bands" same_text "$(map_edges)" \
"20000000c000 ~
200000008000+|
200000004000~[
200000000000+|
           0 ~"
ok "80x24: the table is still drawn" on_screen "[VMAs]"
ok "80x24: nothing wider than the screen" width_at_most 80
ok "80x24: the command line at the bottom" cmdline_is "vmalab>"
T resize-window -x 60 -y 20
ok "smaller than 80x24: it says so" poll on_screen "vmalab needs 80x24 at least"
T resize-window -x 120 -y 36
screen_is() { [ "$(screen)" == "$1" ]; }
ok "back to 120x36: the same screen as before" poll screen_is "$big"
leave
ok "quit leaves with status 0" poll on_screen "EXITED=0"

# ---- fork: two maps side by side, the shared anon_vma linked ----
start 100 30 || exit 1
run 'map 0x200000000000 16k rw'
run 'touch 0x200000000000 4k'
run 'fork()'
ok "fork: both maps, side by side" poll sh -c "tmux -S '$tmp/sock$sock' capture-pane -p | grep -q 'pid 1, 1 VMA (current)  *pid 2, 1 VMA'"
ok "fork: the title says so" on_screen "new process: pid 2"
ok "fork: the child's VMA under the parent's anon_vma" on_screen "pid 2 200000000000 vma#2 (chain: fro"
leave

# ---- NO_COLOR: monochrome, the same text ----
start 100 30 NO_COLOR=1 || exit 1
run 'map 0x200000000000 16k rw'
ok "NO_COLOR: no colour escapes" sh -c "! tmux -S '$tmp/sock$sock' capture-pane -p -e | grep -q \$'\\e\\[[0-9;]*3[0-7]m'"
ok "NO_COLOR: the band is there" on_screen "+[a rw-p 16 KiB"
key C-d
ok "Ctrl-D leaves" poll on_screen "EXITED=0"

# ---- Ctrl-Z: stop under a shell with job control, and fg draws again ----
T kill-server >/dev/null 2>&1
sock=$((sock + 1))
T -f /dev/null new-session -d -x 100 -y 30 \
	"env -i PATH=/usr/bin:/bin HOME=$tmp/home XDG_STATE_HOME=$tmp/state TERM=screen PS1='sh$ ' bash --norc --noprofile -i"
poll on_screen 'sh$'
type_text "$VM"
key Enter
ok "started from an interactive shell" poll cmdline_is "vmalab>"
run 'map 0x200000000000 16k rw'
key C-z
ok "Ctrl-Z stops it: the shell says so" poll on_screen "Stopped"
ok "... and the UI is gone" not_on_screen "[map]"
type_text 'fg'
key Enter
ok "fg: the UI is drawn again" poll on_screen "[map] pid 1, 1 VMA"
ok "... and takes commands" run 'map 0x200000008000 16k rw'
ok "... that work" poll on_screen "2 VMAs"
leave
ok "quit goes back to the shell" poll on_screen 'sh$'

# ---- playing a script ----
cat >"$tmp/play.vml" <<'EOF'
# a split and a merge back
map 0x200000000000 48k rw
protect 0x200000004000 16k r
maps
protect 0x200000004000 16k rw
EOF
start 120 36 -- "$tmp/play.vml" || exit 1
ok "FILE is loaded, not run" poll status_has "5 lines loaded"
ok "nothing ran yet" on_screen "step 0/0"
key '>'
ok "> runs the script's first step" poll on_screen "step 1/1"
key '>'
ok "> the next: the split" poll on_screen "split 1 -> 3"
key + + +
key Space
ok "Space plays it to its end" slow 60 poll status_has "played to its end (5 lines)"
ok "the last step: merged back" on_screen "merged prev + middle + next"
ok "at step 3" on_screen "step 3/3"
key '<'
ok "and steps back through it" poll on_screen "split 1 -> 3"
type_text '@0'
key Enter
ok "@0 jumps to the start" poll on_screen "step 0/3"
ok "... an empty map again" on_screen "gap (127 TiB)"
leave

# ---- a 65,530-VMA machine ----
awk 'BEGIN { print "map 0x200000000000 " 65530 * 4 "k rw"
	for (i = 1; i < 65530; i += 2)
		printf "protect 0x2000%08x 4k r\n", i * 4096 }' >"$tmp/big.vml"
start 120 36 -- "$tmp/big.vml" || exit 1
key F5
ok "65,530 VMAs: played to the end" slow 120 poll status_has "played to its end"
ok "65,530 VMAs in the map's header" on_screen "pid 1, 65530 VMAs"
key Tab
key End
ok "End: the table's last row" poll on_screen "65530 of 65530"
ok "... and the map's top band" sh -c "tmux -S '$tmp/sock$sock' capture-pane -p | grep -q '^20000fff9000.[[|]a r--p 4 KiB'"
key PPage
ok "PgUp scrolls a page" poll sh -c "tmux -S '$tmp/sock$sock' capture-pane -p | grep -q '655[0-9][0-9] of 65530'"
key Home
ok "Home: the first VMA" poll on_screen "1 of 65530"
leave
ok "it leaves" poll on_screen "EXITED=0"


# ---- Ctrl-C during a long line: the UI reads it as a key ----
# The machine has 200 GB, so that a touch of 64 GiB runs for a while.
start 120 36 -- --machine mem_total=200000000 || exit 1
run 'map 0x200000000000 64G rw noreserve'
type_text 'touch 0x200000000000 64G'
key Enter
ok "a long touch shows its progress on the status line" \
	poll status_has 'touch 0x200000000000 64G: '
key C-c
ok "Ctrl-C stops it: the status line says how far it got" \
	poll status_has 'interrupted (Ctrl-C) after '
ok "... the command line is free, not refilled" poll cmdline_is "vmalab>"
ok "... the result names the page it stopped before" \
	on_screen 'touch 0x200000000000 64G = SIGINT (0x2'
ok "... and the step is kept" on_screen 'step 2/2'
run 'check'
ok "the state is whole after a stopped touch" poll on_screen 'check: every invariant holds'
key '<'
ok "< takes the stopped touch back" poll on_screen 'step 1/2'
# a long source: three million lines that change nothing, then a map
{
	awk 'BEGIN { for (i = 0; i < 3000000; i++) print "switch 1" }'
	echo 'map 0x300000000000 16k rw'
} >"$tmp/long.vml"
type_text "source $tmp/long.vml"
key Enter
ok "a long source shows its progress" poll status_has " lines, "
type_text 'x'
key C-c
ok "Ctrl-C stops the source between two lines" \
	poll status_has 'interrupted (Ctrl-C): the lines before this one ran'
ok "... before its last line" not_on_screen '300000000000'
ok "keys typed meanwhile come after it" poll cmdline_is "vmalab> x"
key C-c
ok "Ctrl-C at the prompt still clears the line" poll cmdline_is "vmalab>"
leave
ok "the UI survives each Ctrl-C, and leaves" poll on_screen "EXITED=0"

summary
