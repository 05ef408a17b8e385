/*
 * test_explain.c - explain's facts, from the events of one call: every
 * merge case of vma_merge_new_range() and vma_merge_existing_range() by
 * its name (the events' own, events_json) and its number in the old
 * vma_merge() diagram, what each neighbour said and on which condition,
 * the splits and the write locks.  The prose is not asserted here
 * (tests/repl/explain.out keeps it readable); the facts are.
 *
 * Addresses are in pages from BASE; in the drawings P is prev, M the
 * middle (the range's VMA), N next, * the range.
 */
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "events_json.h"
#include "explain.h"

#define BASE 0x200000000000UL
#define PG(n) (BASE + ((unsigned long)(n) << PAGE_SHIFT))
#define LEN(n) ((unsigned long)(n) << PAGE_SHIFT)
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

static struct ev_recording rec;
static struct explanation x;

static void map(struct machine *m, unsigned long pg, unsigned long n,
		unsigned long prot)
{
	sys_mmap(m, PG(pg), LEN(n), prot, ANON, -1, 0);
}

/* Record the events of the next call only. */
static struct machine *start(struct machine *m)
{
	struct engine_observer o = {ev_recording_observer, &rec};

	machine_add_observer(m, &o);
	return m;
}

/* The facts of what was recorded; the machine goes. */
static const struct explanation *facts(struct machine *m)
{
	explain_free(&x);
	explain_build(&x, rec.ev, rec.n);
	ev_recording_free(&rec);
	machine_free(m);
	return &x;
}

/* The one merge the call tried ended in case c, named and numbered. */
static bool merged(const struct explanation *e, enum merge_case c,
		   const char *name, int old)
{
	const struct explain_merge *g = e->nmerges ? &e->merges[0] : NULL;

	ASSERT_EQ(e->nmerges, 1);
	ASSERT_EQ(g->mcase, c);
	ASSERT_STREQ(ev_code_name(EV_MERGE, g->mcase), name);
	ASSERT_EQ(merge_case_old(g->mcase), old);
	return true;
}

/* PPPP****  ->  PPPPPPPP: expand prev, old case 2 */
TEST(new_expand_prev)
{
	struct machine *m = machine_new();
	const struct explanation *e;

	map(m, 0, 4, RW);
	map(start(m), 4, 4, RW);
	e = facts(m);
	ASSERT_TRUE(merged(e, MERGE_NEW_EXPAND_PREV, "new_expand_prev", 2));
	ASSERT_EQ(e->merges[0].fn, FN_VMA_MERGE_NEW_RANGE);
	ASSERT_EQ(e->merges[0].prev.state, NB_ACCEPTED);
	ASSERT_EQ(e->merges[0].next.state, NB_ABSENT);
	ASSERT_EQ(e->paths[0], FN_DO_MMAP);
	ASSERT_EQ(e->nlocks, 1); /* vma_expand locks prev */
	ASSERT_EQ(e->made[VMA_FROM_MMAP], 0);
	return true;
}

/* ****NNNN  ->  NNNNNNNN: expand next, old case 3 */
TEST(new_expand_next)
{
	struct machine *m = machine_new();
	const struct explanation *e;

	map(m, 4, 4, RW);
	map(start(m), 0, 4, RW);
	e = facts(m);
	ASSERT_TRUE(merged(e, MERGE_NEW_EXPAND_NEXT, "new_expand_next", 3));
	ASSERT_EQ(e->merges[0].next.state, NB_ACCEPTED);
	ASSERT_EQ(e->merges[0].prev.state, NB_ABSENT);
	return true;
}

/* PP*NN  ->  PPPPP: expand prev, remove next, old case 1 */
TEST(new_expand_both)
{
	struct machine *m = machine_new();
	const struct explanation *e;

	map(m, 0, 2, RW);
	map(m, 3, 2, RW);
	map(start(m), 2, 1, RW);
	e = facts(m);
	ASSERT_TRUE(merged(e, MERGE_NEW_EXPAND_BOTH, "new_expand_both", 1));
	ASSERT_EQ(e->merges[0].prev.state, NB_ACCEPTED);
	ASSERT_EQ(e->merges[0].next.state, NB_ACCEPTED);
	ASSERT_EQ(e->merges[0].nremoved, 1);
	ASSERT_EQ(e->nlocks, 2); /* prev and next */
	return true;
}

/* PPPP**** with prev read-only: refused on VM_WRITE; a new VMA */
TEST(new_refused_on_flags)
{
	struct machine *m = machine_new();
	const struct explanation *e;

	map(m, 0, 4, PROT_READ);
	map(m, 6, 2, RW);
	map(start(m), 4, 1, RW);
	e = facts(m);
	ASSERT_EQ(e->nmerges, 1);
	ASSERT_EQ(e->merges[0].mcase, 0);
	ASSERT_EQ(e->merges[0].prev.state, NB_REFUSED);
	ASSERT_EQ(e->merges[0].prev.veto, VETO_FLAGS);
	ASSERT_TRUE(e->merges[0].prev.diff & VM_WRITE);
	ASSERT_EQ(e->merges[0].next.state, NB_APART);
	ASSERT_EQ(e->merges[0].why, VETO_INCOMPATIBLE);
	ASSERT_EQ(e->made[VMA_FROM_MMAP], 1);
	return true;
}

/* PP**NN -> PPPPPP: mprotect back, merge both, old case 6 */
TEST(existing_both)
{
	struct machine *m = machine_new();
	const struct explanation *e;

	map(m, 0, 6, RW);
	sys_mprotect(m, PG(2), LEN(2), PROT_READ);
	sys_mprotect(start(m), PG(2), LEN(2), RW);
	e = facts(m);
	ASSERT_TRUE(merged(e, MERGE_EXISTING_BOTH, "existing_both", 6));
	ASSERT_EQ(e->merges[0].fn, FN_VMA_MERGE_EXISTING_RANGE);
	ASSERT_EQ(e->merges[0].nremoved, 2);
	ASSERT_EQ(e->nlocks, 3); /* prev, middle, next */
	ASSERT_EQ(e->paths[0], FN_DO_MPROTECT_PKEY);
	return true;
}

/* PPMM -> PPPP: merge left, remove middle, old case 7 */
TEST(existing_left_full)
{
	struct machine *m = machine_new();
	const struct explanation *e;

	map(m, 0, 4, RW);
	sys_mprotect(m, PG(2), LEN(2), PROT_READ);
	sys_mprotect(start(m), PG(2), LEN(2), RW);
	e = facts(m);
	ASSERT_TRUE(merged(e, MERGE_EXISTING_LEFT_FULL, "existing_left_full",
			   7));
	ASSERT_EQ(e->merges[0].next.state, NB_ABSENT);
	return true;
}

/* PPMMMM, M[2,4) made like P -> PPPPMM: merge left, old case 5 */
TEST(existing_left_part)
{
	struct machine *m = machine_new();
	const struct explanation *e;

	map(m, 0, 6, RW);
	sys_mprotect(m, PG(2), LEN(4), PROT_READ);
	sys_mprotect(start(m), PG(2), LEN(2), RW);
	e = facts(m);
	ASSERT_TRUE(merged(e, MERGE_EXISTING_LEFT_PART,
			   "existing_left_partial", 5));
	ASSERT_EQ(e->merges[0].nremoved, 0);
	ASSERT_EQ(e->nsplits, 0);
	return true;
}

/* MMNN -> NNNN: merge right, remove middle, old case 8 */
TEST(existing_right_full)
{
	struct machine *m = machine_new();
	const struct explanation *e;

	map(m, 0, 4, RW);
	sys_mprotect(m, PG(0), LEN(2), PROT_READ);
	sys_mprotect(start(m), PG(0), LEN(2), RW);
	e = facts(m);
	ASSERT_TRUE(merged(e, MERGE_EXISTING_RIGHT_FULL,
			   "existing_right_full", 8));
	ASSERT_EQ(e->merges[0].prev.state, NB_ABSENT);
	ASSERT_EQ(e->merges[0].next.state, NB_ACCEPTED);
	return true;
}

/* MMMMNN, M[2,4) made like N -> MMNNNN: merge right, old case 4 */
TEST(existing_right_part)
{
	struct machine *m = machine_new();
	const struct explanation *e;

	map(m, 0, 6, RW);
	sys_mprotect(m, PG(0), LEN(4), PROT_READ);
	sys_mprotect(start(m), PG(2), LEN(2), RW);
	e = facts(m);
	ASSERT_TRUE(merged(e, MERGE_EXISTING_RIGHT_PART,
			   "existing_right_partial", 4));
	return true;
}

/* MM**MM: strictly inside, no merge; two splits, both parts locked */
TEST(existing_inside_splits)
{
	struct machine *m = machine_new();
	const struct explanation *e;

	map(m, 0, 6, RW);
	sys_mprotect(start(m), PG(2), LEN(2), PROT_READ);
	e = facts(m);
	ASSERT_EQ(e->nmerges, 1);
	ASSERT_EQ(e->merges[0].why, VETO_INSIDE);
	ASSERT_EQ(e->nsplits, 2);
	ASSERT_TRUE(e->splits[0].made && e->splits[1].made);
	ASSERT_EQ(e->splits[0].addr, PG(2));
	ASSERT_EQ(e->splits[1].addr, PG(4));
	ASSERT_TRUE(e->nlocks >= 2);
	ASSERT_EQ(e->flag_changes, 1);
	return true;
}

/* After fork the child's write copies the shared page. */
TEST(cow_copy_is_told)
{
	struct machine *m = machine_new();
	const struct explanation *e;
	unsigned long f;

	map(m, 0, 4, RW);
	vm_touch(m, PG(0), LEN(4), &f);
	sys_fork(m);
	machine_switch(m, 2);
	vm_touch(start(m), PG(0), LEN(2), &f);
	e = facts(m);
	ASSERT_EQ(e->cow_copies, 2);
	ASSERT_EQ(e->anon_faults, 0);
	ASSERT_EQ(e->nmerges, 0);
	return true;
}

/*
 * AAAA   GUARD_INSTALL of 1-2 -> AggA: two markers, two pages zapped;
 * GUARD_REMOVE of 1 clears one; POPULATE_WRITE faults the VMA in.
 */
TEST(guard_and_populate_are_told)
{
	struct machine *m = machine_new();
	const struct explanation *e;
	unsigned long f;

	map(m, 0, 4, RW);
	vm_touch(m, PG(0), LEN(4), &f);
	sys_madvise(start(m), PG(1), LEN(2), MADV_GUARD_INSTALL);
	e = facts(m);
	ASSERT_EQ(e->guard_pages, 2);
	ASSERT_EQ(e->guard_zapped, 2);
	ASSERT_EQ(e->guard_removed, 0);
	m = machine_new();
	map(m, 0, 4, RW);
	sys_madvise(m, PG(1), LEN(2), MADV_GUARD_INSTALL);
	sys_madvise(start(m), PG(0), LEN(4), MADV_GUARD_REMOVE);
	e = facts(m);
	ASSERT_EQ(e->guard_removed, 2);
	m = machine_new();
	map(m, 0, 4, RW);
	sys_madvise(start(m), PG(0), LEN(4), MADV_POPULATE_WRITE);
	e = facts(m);
	ASSERT_EQ(e->populate_vmas, 1);
	ASSERT_EQ(e->populate_write, 1);
	ASSERT_EQ(e->anon_faults, 4);
	return true;
}

/* The prose names the case in both vocabularies. */
TEST(text_names_both_vocabularies)
{
	struct machine *m = machine_new();
	struct strbuf sb = STRBUF_INIT;
	char *t, *w;

	map(m, 0, 2, RW);
	map(m, 3, 2, RW);
	map(start(m), 2, 1, RW);

	explain_text(facts(m), &sb, EXPLAIN_WIDTH);
	/* unwrapped: each "\n  " a space again */
	t = strdup(sb_str(&sb));
	for (char *r = w = t; *r; r++) {
		if (r[0] == '\n' && r[1] == ' ' && r[2] == ' ') {
			*w++ = ' ';
			r += 2;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	ASSERT_TRUE(strstr(t, "vma_merge_new_range: expand prev, "
			      "remove next") != NULL);
	ASSERT_TRUE(strstr(t, "case 1 of the pre-6.12") != NULL);
	free(t);
	sb_free(&sb);
	explain_free(&x);
	return true;
}

static const struct test_case tests[] = {
	TEST_ENTRY(new_expand_prev),
	TEST_ENTRY(new_expand_next),
	TEST_ENTRY(new_expand_both),
	TEST_ENTRY(new_refused_on_flags),
	TEST_ENTRY(existing_both),
	TEST_ENTRY(existing_left_full),
	TEST_ENTRY(existing_left_part),
	TEST_ENTRY(existing_right_full),
	TEST_ENTRY(existing_right_part),
	TEST_ENTRY(existing_inside_splits),
	TEST_ENTRY(cow_copy_is_told),
	TEST_ENTRY(guard_and_populate_are_told),
	TEST_ENTRY(text_names_both_vocabularies),
};

int main(void)
{
	return RUN_TESTS("explain", tests);
}
