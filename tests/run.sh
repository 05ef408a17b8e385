#!/usr/bin/env bash
# tests/run.sh - run every test suite and end with "N passed, N failed".
#
#   tests/run.sh            the normal build (build/) and, beside it on a
#                           second CPU, the sanitizer build (build-asan/)
#                           if it exists
#   tests/run.sh --asan     only the sanitizer build
#   tests/run.sh --normal   only the normal build
#
# Each suite prints its own failures; this script adds up the counts.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.."

mode=${1:-all}
total_pass=0
total_fail=0
GEN_SCRIPTS=${GEN_SCRIPTS:-300}
GEN_STEPS=${GEN_STEPS:-40}
# Every suite runs with the engine's invariant and write-lock checkers on
# (engine/check.h): a violation after any operation is an error line.
export VMALAB_CHECK=${VMALAB_CHECK:-1}

# Each suite's line ends with the seconds since the one before (the
# suite's own time: they run one after the other), to see where CI's
# time goes.
last_count=$SECONDS
count() { # suite-name pass fail
	printf '%-28s %5d passed, %d failed  (%ds)\n' "$1" "$2" "$3" \
		$((SECONDS - last_count))
	last_count=$SECONDS
	total_pass=$((total_pass + $2))
	total_fail=$((total_fail + $3))
}

# A program that prints "N passed, N failed" as its last line.
run_counted() { # name command...
	local name=$1 out line p f
	shift
	out=$("$@" 2>&1)
	line=$(printf '%s\n' "$out" | tail -n 1)
	if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]}
	else
		p=0 f=1
	fi
	if [ "$f" != 0 ]; then
		printf '%s\n' "$out" | grep -v '^[0-9]* passed, [0-9]* failed$' | head -n 60
	fi
	count "$name" "$p" "$f"
}

# Golden files: each tests/golden/NAME.vml has NAME.out, made by running
# the script on the real kernel (vmalab verify --kernel-only).
golden() { # build-dir
	local vm=$1/vmalab p=0 f=0 t out err
	err=$(mktemp)
	for t in tests/golden/*.vml; do
		[ -e "$t" ] || continue
		out=$("$vm" --batch "$t" 2>"$err")
		if [ "$out" == "$(cat "${t%.vml}.out")" ] && [ ! -s "$err" ]; then
			p=$((p + 1))
		else
			f=$((f + 1))
			echo "FAIL golden $t"
			cat "$err"
			diff <(printf '%s\n' "$out") "${t%.vml}.out" | head -n 20
		fi
	done
	rm -f "$err"
	count "golden ($1)" $p $f
}

# Scripts through one `vmalab verify`: every file given is an item, and
# an item passes only if verify said it agreed.  Fewer agreements than
# files (a script that was never run, failed or vanished) fail the rest.
verify_files() { # suite-name build-dir file...
	local name=$1 vm=$2/vmalab n p f log t
	shift 2
	n=$#
	if [ "$n" = 0 ]; then
		echo "FAIL $name: no scripts found"
		count "$name" 0 1
		return
	fi
	if [ ! -x "$vm" ]; then
		echo "FAIL $name: $vm is missing"
		count "$name" 0 "$n"
		return
	fi
	log=$(mktemp)
	"$vm" verify "$@" >"$log" 2>&1
	p=$(printf '%s\n' "$@" | agreed "$log")
	f=$((n - p))
	if [ "$f" != 0 ]; then
		grep -v 'engine and kernel agree$\|^verify: this kernel:' "$log" |
			head -n 80
	fi
	rm -f "$log"
	count "$name" "$p" "$f"
}

# How many of the scripts named on stdin verify's log says agreed.
agreed() { # log
	awk 'NR == FNR { want[$0] = 1; next }
		/^verify: .*: [0-9]+ lines, [0-9]+ calls?, engine and kernel agree$/ {
			t = $0
			sub(/^verify: /, "", t)
			sub(/: [0-9]+ lines, [0-9]+ calls?, engine and kernel agree$/, "", t)
			if ((t in want) && !(t in seen)) { seen[t] = 1; n++ }
		}
		END { print n + 0 }' - "$1"
}

# Hand-written scripts, each run on the engine and on this kernel.
scripts() { # build-dir
	verify_files "verify scripts ($1)" "$1" tests/scripts/*.vml
}

# The lesson library (scenarios/README.md): each NN-name.vml has a title,
# a summary and a version in its header, and passes verify on this kernel.
lesson_header_ok() { # file
	[[ $(basename "$1") =~ ^[0-9][0-9]-[a-z0-9-]+\.vml$ ]] || return 1
	awk '/^$/ { exit } !/^#/ { bad = 1; exit }
		/^# title: ./ { t = 1 } /^# summary: ./ { s = 1 }
		/^# version: [0-9]+$/ { v = 1 }
		END { exit !(t && s && v && !bad) }' "$1"
}

lessons() { # build-dir
	local t p=0 f=0
	for t in scenarios/*.vml; do
		[ -e "$t" ] || continue
		if lesson_header_ok "$t"; then
			p=$((p + 1))
		else
			f=$((f + 1))
			echo "FAIL lesson header $t (needs NN-name.vml, title, summary, version)"
		fi
	done
	count "lesson headers ($1)" "$p" "$f"
	verify_files "verify lessons ($1)" "$1" scenarios/*.vml
}

# The scenario store from the command line (tests/db/store.sh).
store_tests() { # build-dir
	BUILD_DIR=$1 run_counted "scenario store ($1)" tests/db/store.sh
}

# Real programs: recorded, traced with strace -f, replayed, compared with
# their own maps; attach to a live process (tests/import/real.sh).
import_tests() { # build-dir
	BUILD_DIR=$1 run_counted "real programs ($1)" tests/import/real.sh
}

# Random scripts from the seeded generator, all through verify.  A
# missing generator, or one that fails, fails every script it owed.
# verify's check about each call (the maps of the VMAs about it, found by
# address on both sides, and its pages: verify.c FULL_RATIO) with the whole
# smaps compared only at the end, so that every script and lesson, and
# random scripts with forks, exercise it alone.
ranged() { # build-dir random-count
	local tmp seed
	VMALAB_VERIFY_RANGED=1 verify_files "verify scripts and lessons, ranged check ($1)" \
		"$1" tests/scripts/*.vml scenarios/*.vml
	tmp=$(mktemp -d)
	for seed in $(seq 1 "$2"); do
		"$1/tests/scriptgen" -n "$GEN_STEPS" --wild --fork "$seed" >"$tmp/s$seed.vml"
	done
	VMALAB_VERIFY_RANGED=1 verify_files "random --wild --fork, ranged check ($1)" \
		"$1" $(seq -f "$tmp/s%g.vml" 1 "$2")
	rm -rf "$tmp"
}

random_scripts() { # build-dir count steps [generator flags]
	local dir=$1 n=$2 steps=$3 tmp seed bad=0 name
	shift 3
	name="random $* ($dir)"
	if [ ! -x "$dir/tests/scriptgen" ]; then
		echo "FAIL $name: $dir/tests/scriptgen is missing"
		count "$name" 0 "$n"
		return
	fi
	tmp=$(mktemp -d)
	for seed in $(seq 1 "$n"); do
		if ! "$dir/tests/scriptgen" -n "$steps" "$@" "$seed" \
			>"$tmp/s$seed.vml"; then
			bad=$((bad + 1))
			rm -f "$tmp/s$seed.vml"
		fi
	done
	[ "$bad" = 0 ] || echo "FAIL $name: scriptgen failed for $bad seeds"
	# The planned scripts, made or not: a missing one cannot agree.
	verify_files "$name" "$dir" $(seq -f "$tmp/s%g.vml" 1 "$n")
	rm -rf "$tmp"
}

# Every rule of tests/rules.txt has at least 3 guards: scripts whose
# "# guards: ID ..." line names it (a script counts once a rule).  A rule
# with fewer is printed and fails; so does a tag that names no rule.
rule_guards() {
	local out
	out=$(awk '
		FILENAME == "tests/rules.txt" {
			if (/^#/ || !NF)
				next
			if ($1 in n) {
				printf "FAIL tests/rules.txt: %s twice\n", $1
				bad++
			}
			n[$1] = 0
			hidden[$1] = $3 == "hidden"
			order[++rules] = $1
			next
		}
		/^# guards:/ {
			for (i = 3; i <= NF; i++) {
				if (!($i in n)) {
					printf "FAIL %s: guards %s, which " \
						"tests/rules.txt does not name\n",
						FILENAME, $i
					bad++
				} else if (!seen[FILENAME, $i]++) {
					n[$i]++
				}
			}
		}
		END {
			for (i = 1; i <= rules; i++) {
				r = order[i]
				if (hidden[r] && n[r] < 3) {
					# No maps, smaps or result can show it.
					printf "NOTE rule %s: %d guards (hidden: " \
						"its guard is a unit test)\n", r, n[r]
					ok++
				} else if (n[r] < 3) {
					printf "FAIL rule %s: %d guards\n", r, n[r]
					bad++
				} else {
					ok++
				}
			}
			printf "%d passed, %d failed\n", ok, bad
		}' tests/rules.txt tests/scripts/*.vml scenarios/*.vml)
	printf '%s\n' "$out" | grep '^NOTE'
	run_counted "rule guards" printf '%s\n' "$out"
}

# Each mutant rule broken in turn: its guards fail (tests/mutants.sh).
mutants() { # build-dir
	BUILD_DIR=$1 run_counted "mutants ($1)" tests/mutants.sh
}

# Hostile and malformed lines: a clear error each, and nothing changes.
malformed() { # build-dir
	BUILD_DIR=$1 run_counted "malformed ($1)" tests/malformed.sh
}

# verify and this script cannot pass vacuously (tests/verify.sh).
verify_checks() { # build-dir
	BUILD_DIR=$1 run_counted "verify checks ($1)" tests/verify.sh
}

# The REPL: its commands without a terminal, then driven through a pty.
repl_tests() { # build-dir
	BUILD_DIR=$1 run_counted "repl commands ($1)" tests/repl/batch.sh
	BUILD_DIR=$1 run_counted "repl pty ($1)" tests/repl/pty.sh
	BUILD_DIR=$1 run_counted "repl rmap ($1)" tests/repl/rmap.sh
}

# Every unit test that has a source must have been built and run.
unit_tests() { # build-dir
	local b=$1 src t
	for src in tests/unit/*/test_*.c; do
		[ -e "$src" ] || continue
		t=$b/tests/$(basename "$src" .c)
		if [ -x "$t" ]; then
			run_counted "unit $(basename "$t") ($b)" "$t"
		else
			echo "FAIL unit $t is missing (from $src)"
			count "unit $(basename "$t") ($b)" 0 1
		fi
	done
}

# The UI: draw's SVG, and the ncurses UI driven through tmux.
ui_tests() { # build-dir
	BUILD_DIR=$1 run_counted "ui draw ($1)" tests/ui/draw.sh
	BUILD_DIR=$1 run_counted "ui tmux ($1)" tests/ui/tui.sh
}

# Sizes and limits, small (tests/limits.sh; make limits at full size).
limits_tests() { # build-dir
	BUILD_DIR=$1 run_counted "limits ($1)" tests/limits.sh
}

# Every errno of every call reached by 100 --errors scripts, against the
# list in tests/gen/errnos.txt (tests/errno-coverage.sh).
errno_coverage() { # build-dir
	BUILD_DIR=$1 run_counted "errno coverage ($1)" tests/errno-coverage.sh
}

# make install into a temporary prefix: the binary, man page, completion.
install_tests() { # build-dir
	BUILD_DIR=$1 run_counted "install ($1)" tests/install.sh
}

# The libFuzzer targets (tests/fuzz/): built with clang in build-fuzz/,
# every input of their corpora once (the seeds and the crashes found
# before), then a smoke of FUZZ_SMOKE seconds each (60).
fuzz_smoke() {
	local log
	log=$(mktemp)
	if ! make --no-print-directory fuzz-build >"$log" 2>&1; then
		echo "FAIL fuzz: make fuzz-build"
		tail -n 20 "$log"
		count "fuzz build" 0 1
	else
		SMOKE=${FUZZ_SMOKE:-60} run_counted "fuzz corpus and smoke" \
			tests/fuzz/run.sh check
	fi
	rm -f "$log"
}

suites() { # build-dir random-count
	local b=$1
	unit_tests "$b"
	golden "$b"
	malformed "$b"
	verify_checks "$b"
	repl_tests "$b"
	ui_tests "$b"
	[ "$b" = build ] && install_tests "$b"
	[ "$b" = build ] && limits_tests "$b"
	[ "$b" = build ] && rule_guards
	[ "$b" = build ] && mutants "$b"
	scripts "$b"
	lessons "$b"
	ranged "$b" "$(($2 / 3))"
	store_tests "$b"
	import_tests "$b"
	random_scripts "$b" "$2" "$GEN_STEPS"
	random_scripts "$b" "$(($2 / 3))" "$GEN_STEPS" --fork
	# fork and switch among up to 15 processes (copy on write, the
	# anon_vma graph of every process, through both checkers)
	random_scripts "$b" "$2" "$GEN_STEPS" --procs 15
	random_scripts "$b" "$(($2 / 3))" "$GEN_STEPS" --errors
	random_scripts "$b" "$(($2 / 3))" "$GEN_STEPS" --wild --fork
	# the kernel's own choices: mmap(NULL), hints, stacks' guard gaps and
	# mremap moves, at the window's top, compared exactly
	random_scripts "$b" "$(($2 / 3))" "$GEN_STEPS" --place --fork
	random_scripts "$b" "$(($2 / 30 + 2))" 300 --wild --fork --errors
	random_scripts "$b" "$(($2 / 3))" "$GEN_STEPS" --mremap --wild --fork
	random_scripts "$b" "$(($2 / 30 + 2))" "$GEN_STEPS" --mremap --fork --errors
	# madvise, the mlock family, mseal; MAP_POPULATE/MAP_LOCKED anywhere
	random_scripts "$b" "$(($2 / 3))" "$GEN_STEPS" --advise --wild --fork
	random_scripts "$b" "$(($2 / 30 + 2))" 300 --advise --wild --fork \
		--errors
	random_scripts "$b" "$(($2 / 3))" "$GEN_STEPS" --brk --fork --status
	random_scripts "$b" "$(($2 * 2 / 3))" 20 --large --wild --fork --status
	random_scripts "$b" "$(($2 / 10 + 2))" "$GEN_STEPS" --brk --wild --fork --errors
	# every errno: the scripts errno_coverage counts, under verify
	[ "$b" = build ] && errno_coverage "$b"
	random_scripts "$b" "$(($2 / 3))" "$GEN_STEPS" --errors --mremap --advise \
		--brk --fork
	# user read faults (zero page, fault-around, read-around, SIGBUS past
	# EOF) and pages lines; processes that exit while others fork on
	random_scripts "$b" "$(($2 / 3))" "$GEN_STEPS" --read --wild --fork
	random_scripts "$b" "$(($2 / 3))" 100 --read --procs 15
	random_scripts "$b" "$(($2 / 10 + 2))" 100 --read --procs 6 --advise \
		--wild --mremap
	random_scripts "$b" "$(($2 / 10 + 2))" 20 --read --large --wild --fork
	# nearly every flag at once: the kernel's placements with reads,
	# advice, brk, status lines and errors in six processes
	random_scripts "$b" "$(($2 / 30 + 2))" 100 --procs 6 --read --advise \
		--mremap --place --brk --status --errors --wild
	# last in the normal half, the shorter one while the other runs
	[ "$b" = build ] && fuzz_smoke
}

# tests/verify.sh sources this file for its functions alone.
[ "${RUN_SH_LIB:-}" = 1 ] && return 0

# The sanitizer half beside the normal one, on a second CPU, its lines
# kept and printed after the normal half's as if it had run second (its
# totals come back on a last line of their own).  RUN_SH_SERIAL=1 runs
# the halves one after the other.
asan_beside() {
	local log pid totals ap=0 af=1
	log=$(mktemp)
	(
		total_pass=0 total_fail=0 last_count=$SECONDS
		suites build-asan $((GEN_SCRIPTS / 5))
		echo "asan-half-total $total_pass $total_fail"
	) >"$log" 2>&1 &
	pid=$!
	suites build "$GEN_SCRIPTS"
	wait "$pid"
	grep -v '^asan-half-total ' "$log"
	totals=$(grep '^asan-half-total ' "$log")
	if [ -n "$totals" ]; then
		read -r _ ap af <<<"$totals"
	else
		echo "FAIL the sanitizer half ended without its totals"
	fi
	total_pass=$((total_pass + ap))
	total_fail=$((total_fail + af))
	rm -f "$log"
}

case $mode in
all)
	if [ -x build-asan/vmalab ] && [ "${RUN_SH_SERIAL:-}" != 1 ] &&
		[ "$(nproc 2>/dev/null || echo 1)" -ge 2 ]; then
		asan_beside
	else
		suites build "$GEN_SCRIPTS"
		[ -x build-asan/vmalab ] && suites build-asan $((GEN_SCRIPTS / 5))
	fi
	;;
--normal) suites build "$GEN_SCRIPTS" ;;
--asan) suites build-asan $((GEN_SCRIPTS / 5)) ;;
esac
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
