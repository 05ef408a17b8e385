#!/usr/bin/env bash
# tests/install.sh - vmalab as a distribution would package it: `make
# install` into a temporary prefix (DESTDIR and PREFIX), then the
# installed binary runs, `man -l` renders the page with no warnings and
# lists every command `help` lists, and the bash completion completes
# from the command table.  Also the command line's usage errors.
. "$(dirname "$0")/lib.sh"
OK_QUIET=1

# ---- make install ----
make --no-print-directory -s BUILD="$B" DESTDIR="$tmp/root" PREFIX=/opt/vl \
	install >"$tmp/make.log" 2>&1
ok "make install DESTDIR PREFIX" test $? = 0
root=$tmp/root/opt/vl
VM=$root/bin/vmalab
ok "binary installed" test -x "$VM"
ok "lessons installed" test -s "$root/share/vmalab/lessons/01-new-expand-prev.vml"
n_src=$(ls scenarios/[0-9][0-9]-*.vml | wc -l)
n_inst=$(ls "$root"/share/vmalab/lessons/[0-9][0-9]-*.vml | wc -l)
ok "every lesson installed ($n_inst of $n_src)" test "$n_src" = "$n_inst"
ok "man page installed" test -s "$root/share/man/man1/vmalab.1"
ok "completion installed" test -s "$root/share/bash-completion/completions/vmalab"
ok "nothing outside DESTDIR" test -z "$(ls /opt/vl 2>/dev/null)"

# ---- the installed binary ----
"$VM" --version >"$tmp/v"
ok "--version" grep -qE '^vmalab [0-9]+\.[0-9]+' "$tmp/v"
"$VM" -c 'map 0x200000000000 16k rw; maps' >"$tmp/out" 2>&1
ok "installed vmalab runs -c" grep -q '^200000000000-200000004000 rw-p' "$tmp/out"
"$VM" --batch "$root/share/vmalab/lessons/01-new-expand-prev.vml" >"$tmp/out" 2>&1
ok "installed vmalab runs an installed lesson" test $? = 0
"$VM" "$root/share/vmalab/lessons/01-new-expand-prev.vml" </dev/null >"$tmp/out2" 2>&1
ok "vmalab FILE off a terminal is --batch FILE" cmp "$tmp/out" "$tmp/out2"
db=$tmp/store.db
"$VM" --db "$db" -c 'list' >"$tmp/out" 2>&1
ok "the built-in lessons load into a store" grep -q 'new-expand-prev' "$tmp/out"

# ---- --help lists every mode and option ----
"$VM" --help >"$tmp/help"
for m in --batch -c --trace --events --machine --db --repl verify record \
	--version --help --man --bash-completion; do
	ok "--help lists $m" grep -qE "^  $m( |$)" "$tmp/help"
done
ok "--help synopsis has vmalab FILE" grep -qE '^ +vmalab .*\] FILE$' "$tmp/help"

# ---- the manual page ----
page=$root/share/man/man1/vmalab.1
MANWIDTH=80 man -l "$page" >"$tmp/man" 2>"$tmp/manerr"
ok "man -l renders" test -s "$tmp/man"
MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null | grep -v '^$' >"$tmp/warn"
ok "man page without groff warnings" test ! -s "$tmp/warn"
[ -s "$tmp/warn" ] && head -n 5 "$tmp/warn"
ok "man page is vmalab --man" cmp "$page" <("$VM" --man)
# Every command `help` lists, and its summary, is in the page.
"$VM" -c help >"$tmp/helpcmds"
missing=0 ncmd=0
while read -r name summary; do
	ncmd=$((ncmd + 1))
	name=${name%,}
	if ! grep -q "^       $name[ (]\|^       $name\$" "$tmp/man"; then
		missing=1
		echo "man page lacks $name"
	fi
done < <(sed -n 's/^  \([a-z][a-z_0-9-]*\),\{0,1\} .*/\1/p' "$tmp/helpcmds" | sort -u)
ok "man page has all $ncmd commands of help" test "$missing" = 0 -a "$ncmd" -gt 20
ok "man page has the settings" grep -q '^SETTINGS' "$tmp/man"

# ---- the bash completion ----
comp() { # words... -> COMPREPLY, one a line
	bash --norc --noprofile -c '
		source "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_vmalab; printf "%s\n" "${COMPREPLY[@]}"' \
		comp "$root/share/bash-completion/completions/vmalab" "$@" 2>&1
}
ok "completion: -c mm -> mmap" grep -qx mmap <(comp vmalab -c mm)
ok "completion: -c 'mpr -> mprotect" grep -qx mprotect <(comp vmalab -c "'mpr")
ok "completion: --mach -> --machine" grep -qx -- --machine <(comp vmalab --mach)
ok "completion: --machine zero -> zero_page=" grep -qx zero_page= <(comp vmalab --machine zero)
ok "completion: --machine a=1,max -> a=1,max_map_count=" \
	grep -qx a=1,max_map_count= <(comp vmalab --machine a=1,max)
ok "completion: ver -> verify" grep -qx verify <(comp vmalab ver)
ok "completion: verify --k -> --kernel-only" grep -qx -- --kernel-only <(comp vmalab verify --k)
ok "completion: complete -F registered" bash --norc -c \
	"source $root/share/bash-completion/completions/vmalab; complete -p vmalab | grep -q _vmalab"
# Every command of the table is offered after -c.
"$VM" -c help | sed -n 's/^  \([a-z][a-z_0-9-]*\).*/\1/p' | sort -u >"$tmp/names"
comp vmalab -c '' | sort -u >"$tmp/offered"
ok "completion offers every command of help" test -z "$(comm -23 "$tmp/names" "$tmp/offered")"

# ---- usage errors ----
usage_err() { # description want-substring args...
	local d=$1 want=$2
	shift 2
	"$VM" "$@" </dev/null >"$tmp/o" 2>"$tmp/e"
	local rc=$?
	if [ $rc = 2 ] && grep -qF -- "$want" "$tmp/e" && [ ! -s "$tmp/o" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $d: status $rc, stderr:"
		head -n 3 "$tmp/e"
	fi
}
usage_err "-c without its argument" "-c needs an argument" -c
usage_err "--db without its argument" "--db needs an argument" --db
usage_err "--machine without its argument" "--machine needs an argument" --machine
usage_err "unknown option" "unknown option --frob" --frob
usage_err "vmalab NOSUCHFILE" "nosuch.vml: No such file or directory" "$tmp/nosuch.vml"
usage_err "vmalab DIR" "Is a directory" "$tmp"
usage_err "two scripts" "one script at a time" "$page" "$page"
usage_err "-c and a script" "one or the other" -c maps "$page"
usage_err "--batch without a file" "--batch needs a FILE" --batch

summary
