#!/usr/bin/env bash
# tests/repl/rmap.sh - the reverse map made visible: `rmap`, `anon`/`avc`,
# `check`, `vma` of a shared mapping, and `explain`, as text.  What they
# say is asserted line by line on the facts (ids, counts, which process
# maps which page), so that a wrong graph fails here.
. "$(dirname "$0")/../lib.sh"
need_vm

# Does the output of the lines (;-separated) hold this line exactly?
has() { # description, lines, expected line
	local out
	out=$("$VM" -c "$2" 2>&1)
	if grep -qxF -- "$3" <<<"$out"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $1: no line '$3' in:"
		printf '%s\n' "$out" | head -n 30
	fi
}

# Does it not hold this text anywhere?
lacks() { # description, lines, text
	local out
	out=$("$VM" -c "$2" 2>&1)
	if grep -qF -- "$3" <<<"$out"; then
		fail=$((fail + 1))
		echo "FAIL $1: '$3' in:"
		printf '%s\n' "$out" | head -n 30
	else
		pass=$((pass + 1))
	fi
}

A=0x200000000000
FORK="map $A 16k rw;touch $A 16k;fork();switch 2;touch 0x200000001000"

# ---- rmap ----
has "rmap: a page fork shared" "$FORK;rmap $A" \
	"rmap 0x200000000000 (pid 2): page#1, index 0x200000000, anon_vma av1 (folio->mapping), mapcount 2, shared: copy on write"
has "rmap: the walk's lock and tree" "$FORK;rmap $A" \
	"  rmap_walk_anon: anon_vma_lock_read(av1) takes root av1's lock; av1's interval tree has 2 chains, 2 cover index 0x200000000"
has "rmap: found in the parent" "$FORK;rmap $A" \
	"  pid 1 vma#1 200000000000-200000004000 pgoff 0x200000000-0x200000003: address 200000000000, maps the page"
has "rmap: found in the child" "$FORK;rmap $A" \
	"  pid 2 vma#2 200000000000-200000004000 pgoff 0x200000000-0x200000003: address 200000000000, maps the page"
has "rmap: the child's copy is in its own anon_vma" "$FORK;rmap 0x200000001000" \
	"rmap 0x200000001000 (pid 2): page#5, index 0x200000001, anon_vma av2 (folio->mapping), mapcount 1, exclusive"
has "rmap: the child's copy, under the root's lock" "$FORK;rmap 0x200000001000" \
	"  rmap_walk_anon: anon_vma_lock_read(av2) takes root av1's lock; av2's interval tree has 1 chain, 1 covers index 0x200000001"
has "rmap: the parent's page after the child's copy" "$FORK;switch 1;rmap 0x200000001000" \
	"  pid 2 vma#2 200000000000-200000004000 pgoff 0x200000000-0x200000003: address 200000001000, maps no such page (a copy, or nothing)"
has "rmap: one mapping left" "$FORK;switch 1;rmap 0x200000001000" "  1 mapping found"
has "rmap: the zero page" "map $A 16k r populate;rmap $A" \
	"rmap 0x200000000000 (pid 1): the shared zero page (a read fault mapped it): it belongs to no anon_vma and rmap does not track it"
has "rmap: shmem" "map $A 16k rw shared;touch $A;rmap $A" \
	"rmap 0x200000000000 (pid 1): a shmem page: its reverse map is the file's i_mmap tree (rmap_walk_file), not an anon_vma"
has "rmap: nothing there" "map $A 16k rw;rmap $A" \
	"rmap 0x200000000000 (pid 1): no page present in vma#1 (touch writes one)"
has "rmap: no VMA" "rmap $A" "rmap 0x200000000000 (pid 1): no VMA there: nothing to walk"
has "rmap: after the parent unmaps, the child's write moves the page" \
	"map $A 16k rw;touch $A 16k;fork();munmap($A, 16384);switch 2;touch $A;rmap $A" \
	"rmap 0x200000000000 (pid 2): page#1, index 0x200000000, anon_vma av2 (folio->mapping), mapcount 1, exclusive"

# ---- anon / avc ----
has "anon: counts" "$FORK;anon" "2 anon_vmas, 3 chains (anon_vma_chain)"
has "anon: the root" "$FORK;anon" \
	"av1 (root): refcount 2, num_children 2, num_active_vmas 1, 4 pages"
has "anon: the root's tree names the child" "$FORK;anon" \
	"  chain: pid 2 vma#2 200000000000-200000004000 pgoff 0x200000000-0x200000003"
has "anon: the child's anon_vma under its parent" "$FORK;avc" \
	"  av2 (root av1, parent av1): refcount 1, num_children 0, num_active_vmas 1, 1 page"
has "anon: the child's own chain" "$FORK;avc" \
	"    chain: pid 2 vma#2 200000000000-200000004000 pgoff 0x200000000-0x200000003 (its anon_vma)"
has "anon: a grandchild three deep" "$FORK;fork();switch 3;anon" \
	"    av3 (root av1, parent av2): refcount 1, num_children 0, num_active_vmas 1, 0 pages"
has "anon: none" "map $A 16k rw;anon" "no anon_vma: no process has written an anonymous page yet"

# ---- check ----
has "check: a sound machine" "$FORK;check" \
	"check: every invariant holds (2 processes, 2 VMAs, 2 anon_vmas)"

# ---- vma of a shared mapping ----
has "vma: shmem never needs an anon_vma" "map $A 16k rw shared;touch $A;vma $A" \
	"  anon_vma    none: a shared mapping: its pages live in shmem and"
lacks "vma: shmem is not waiting for a fault" "map $A 16k rw shared;touch $A;vma $A" \
	"anon_vma_prepare runs at the first write fault"
has "vma: a private mapping before its fault" "map $A 16k rw;vma $A" \
	"  anon_vma    none: no anonymous page yet (anon_vma_prepare runs at the first write fault)"

# ---- explain ----
has "explain: the last step" "map $A 8k rw;map 0x200000003000 8k rw;map 0x200000002000 4k rw;explain" \
	"step 3: map 0x200000002000 4k rw"
has "explain STEP: an earlier one" "map $A 8k rw;map 0x200000003000 8k rw;explain 1" \
	"step 1: map 0x200000000000 8k rw"
has "explain: an undone step is marked" "map $A 8k rw;map 0x200000003000 8k rw;undo;explain 2" \
	"step 2: map 0x200000003000 8k rw   (undone)"
has "explain: no step yet" "explain" "error: -c:1: explain: no step yet (history lists the steps)"
has "explain: no such step" "map $A 8k rw;explain 5" "error: -c:2: explain: no step 5 (history lists 1)"
# explain leaves the machine as it was: what follows is the same
S="map $A 8k rw;touch $A 8k;fork();switch 2;touch $A"
a=$("$VM" -c "$S;echo MARK;anon;pages $A 8k;ps" 2>&1 | sed -n '/^MARK$/,$p')
b=$("$VM" -c "$S;explain 3;echo MARK;anon;pages $A 8k;ps" 2>&1 | sed -n '/^MARK$/,$p')
if [ -n "$a" ] && [ "$a" == "$b" ]; then
	pass=$((pass + 1))
else
	fail=$((fail + 1))
	echo "FAIL explain changed the machine:"
	diff <(printf '%s\n' "$a") <(printf '%s\n' "$b") | head -n 20
fi
# The prose after each merge case, kept readable (a golden file: when
# the wording changes on purpose, regenerate cases.out and read it).
if diff -u tests/repl/explain/cases.out \
	<("$VM" --batch tests/repl/explain/cases.vml 2>&1) >"$tmp/d"; then
	pass=$((pass + 1))
else
	fail=$((fail + 1))
	echo "FAIL explain prose (tests/repl/explain/cases.out):"
	head -n 30 "$tmp/d"
fi

summary
