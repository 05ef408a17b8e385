# tests/lib.sh - what the shell suites share, sourced first by each:
#
#   . "$(dirname "$0")/../lib.sh"      (from tests/DIR/NAME.sh)
#
# It moves to the top of the tree and sets B (the build directory:
# $BUILD_DIR, else build), VM (its vmalab, an absolute path), tmp (a
# private directory, removed at exit) and the counters.  Then:
#
#   ok DESC CMD...   CMD must succeed: a pass, else a failure named DESC
#                    (OK_QUIET=1: CMD's output is thrown away)
#   passed           count a pass; failed MSG...: a failure, "FAIL MSG"
#                    (FAIL_PREFIX goes before MSG)
#   on_fail          what ok does after a failure's line (a suite may
#                    define it: the terminal suites show the screen)
#   need_vm          no binary: the suite fails at once
#   summary          "N passed, N failed", and the status to exit with
#
# and for the suites that drive a terminal through a private tmux server:
#
#   need_tmux WHAT   no tmux: the suite fails (a skipped suite must not
#                    look like a passing one)
#   T ARGS...        tmux on this suite's socket (killed at exit)
#   tmux_start W H CMD   a fresh server and a W x H pane running CMD;
#                    each start has a socket of its own, since a new
#                    server on the old one can race with it shutting down
#   poll CMD...      CMD until it succeeds, for up to $WAIT (30) seconds,
#                    every $POLL_SLEEP (0.05); at once if tmux has gone
#   on_screen TEXT, not_on_screen TEXT, type_text TEXT, key KEYS...
#                    (each suite defines screen: what it captures)
#
# A suite ends with `summary` as its last command.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
B=${BUILD_DIR:-build}
VM=$(realpath -m "$B/vmalab")
pass=0
fail=0
tmp=$(mktemp -d)
lib_tmux=0
lib_cleanup() {
	[ "$lib_tmux" = 1 ] && T kill-server >/dev/null 2>&1
	rm -rf "$tmp"
}
trap lib_cleanup EXIT

passed() { pass=$((pass + 1)); }
failed() {
	fail=$((fail + 1))
	echo "FAIL ${FAIL_PREFIX:-}$*"
}
on_fail() { :; }
ok() { # description, then a command that must succeed
	local desc=$1 r
	shift
	if [ "${OK_QUIET:-0}" = 1 ]; then
		"$@" >/dev/null 2>&1
	else
		"$@"
	fi
	r=$?
	if [ $r = 0 ]; then
		passed
	else
		failed "$desc"
		on_fail
	fi
}
summary() {
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
}

need_vm() {
	if [ ! -x "$VM" ]; then
		echo "no binary at $VM"
		echo "0 passed, 1 failed"
		exit 1
	fi
}

need_tmux() { # what needs it, for the message
	if ! command -v tmux >/dev/null 2>&1; then
		echo "tmux is not installed: run make deps (the $1 tests need it)"
		echo "0 passed, 1 failed"
		exit 1
	fi
	lib_tmux=1
	mkdir -p "$tmp/home"
	sock=0
}
T() { tmux -S "$tmp/sock$sock" "$@" 2>/dev/null; }
tmux_start() { # width height command
	T kill-server >/dev/null 2>&1
	sock=$((sock + 1))
	T -f /dev/null new-session -d -x "$1" -y "$2" "$3"
}
poll() {
	local end=$((SECONDS + ${WAIT:-30}))
	until "$@" 2>/dev/null; do
		[ $SECONDS -ge $end ] && return 1
		T has-session 2>/dev/null || return 1
		sleep "${POLL_SLEEP:-0.05}"
	done
}
on_screen() { screen | grep -qF -- "$1"; }
not_on_screen() { ! on_screen "$1"; }
type_text() { T send-keys -l -- "$1"; } # -l: "0x2" is not a key code
key() { T send-keys "$@"; }
