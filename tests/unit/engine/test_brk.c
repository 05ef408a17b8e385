/*
 * test_brk.c - brk() (mm/mmap.c SYSCALL_DEFINE1(brk)) and do_brk_flags()
 * (mm/vma.c), one scenario each.  Columns are pages from start_brk (S);
 * H is the heap, | the break.  The scripts tests/scripts/brk-*.vml run
 * the same rules against the kernel; these add what verify cannot reach
 * (below start_brk, MCL_FUTURE's def_flags, max_map_count).
 */
#include "harness.h"
#include "internal.h"
#include "checked.h"

#define S START_BRK
#define PG(n) ((unsigned long)(n) << PAGE_SHIFT)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

static int count_vmas(const struct mm *mm)
{
	int n = 0;

	for (struct vma *v = vt_first(&mm->tree); v; v = vt_next(v))
		n++;
	return n;
}

/*
 *   |            brk == start_brk, no heap
 *   HH|          brk(S + 2 pages): a new VMA at S, pgoff S >> PAGE_SHIFT
 *   HHHH|        brk(S + 4 pages): the same VMA, expanded in place
 */
TEST(grow_expands_in_place)
{
	struct machine *m = machine_new();
	const struct mm *mm = machine_mm(m, 1);
	struct vma *h;
	unsigned id;

	ASSERT_EQ(sys_brk(m, 0), S);
	ASSERT_EQ(sys_brk(m, S + PG(2)), S + PG(2));
	h = vt_find(&mm->tree, S);
	ASSERT_TRUE(h && h->vm_start == S && h->vm_end == S + PG(2));
	ASSERT_EQ(h->vm_pgoff, S >> PAGE_SHIFT);
	ASSERT_EQ(h->vm_flags, VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT);
	id = h->id;
	ASSERT_EQ(sys_brk(m, S + PG(4)), S + PG(4));
	h = vt_find(&mm->tree, S);
	ASSERT_EQ(h->id, id);
	ASSERT_EQ(h->vm_end, S + PG(4));
	ASSERT_EQ(count_vmas(mm), 1);
	ASSERT_EQ(mm->total_vm, 4);
	ASSERT_EQ(mm->data_vm, 4);
	machine_free(m);
	return true;
}

/*
 *   HHHH|        brk(S + 2.5 pages): the tail is unmapped, the VMA ends at
 *   HHH|           PAGE_ALIGN(brk), and mm->brk keeps the unaligned value
 *   HHH|         brk(S + 2 pages + 1): same page, nothing unmapped
 */
TEST(shrink_unaligned)
{
	struct machine *m = machine_new();
	const struct mm *mm = machine_mm(m, 1);

	sys_brk(m, S + PG(4));
	ASSERT_EQ(sys_brk(m, S + PG(2) + 0x800), S + PG(2) + 0x800);
	ASSERT_EQ(vt_find(&mm->tree, S)->vm_end, S + PG(3));
	ASSERT_EQ(mm->brk, S + PG(2) + 0x800);
	ASSERT_EQ(sys_brk(m, S + PG(2) + 1), S + PG(2) + 1);
	ASSERT_EQ(vt_find(&mm->tree, S)->vm_end, S + PG(3));
	ASSERT_EQ(mm->total_vm, 3);
	ASSERT_EQ(mm->data_vm, 3);
	/* below start_brk only asks */
	ASSERT_EQ(sys_brk(m, S - 1), S + PG(2) + 1);
	machine_free(m);
	return true;
}

/*
 *   HH|.NN       N two pages above the break
 *   HH|.NN       brk(S + 3 pages) would leave no page below N: refused
 *   HHH|NN       ... and brk(S + 3 pages - 1) too (PAGE_ALIGN)
 */
TEST(next_too_close)
{
	struct machine *m = machine_new();
	const struct mm *mm = machine_mm(m, 1);

	sys_brk(m, S + PG(2));
	ASSERT_EQ(sys_mmap(m, S + PG(4), PG(2), PROT_READ, ANON, -1, 0),
		  S + PG(4));
	ASSERT_EQ(sys_brk(m, S + PG(3) + 1), S + PG(2));
	ASSERT_EQ(sys_brk(m, S + PG(3)), S + PG(3));
	ASSERT_EQ(sys_brk(m, S + PG(5)), S + PG(3));
	ASSERT_EQ(mm->brk, S + PG(3));
	ASSERT_EQ(vt_find(&mm->tree, S)->vm_end, S + PG(3));
	machine_free(m);
	return true;
}

/*
 * A VMA ending at start_brk is below the brk area: vma_prev_limit() does
 * not return it, so a compatible one is not grown into.
 *   AA|          A anonymous rw, [S - 2 pages, S)
 *   AAHH|        brk: a new VMA beside it, left apart
 */
TEST(vma_below_start_brk_not_expanded)
{
	struct machine *m = machine_new();
	const struct mm *mm = machine_mm(m, 1);
	struct vma *h;

	ASSERT_EQ(sys_mmap(m, S - PG(2), PG(2), PROT_READ | PROT_WRITE, ANON,
			   -1, 0),
		  S - PG(2));
	ASSERT_EQ(sys_brk(m, S + PG(2)), S + PG(2));
	h = vt_find(&mm->tree, S);
	ASSERT_EQ(h->vm_start, S);
	ASSERT_EQ(count_vmas(mm), 2);
	ASSERT_EQ(vt_prev(h)->vm_flags, h->vm_flags);
	ASSERT_TRUE(h->unmerged_prev);
	machine_free(m);
	return true;
}

/*
 * mlockall(MCL_FUTURE) sets VM_LOCKED in def_flags: the heap is locked,
 * counted in locked_vm, and populated (mm_populate) as it grows.
 */
TEST(mcl_future_locks_and_populates)
{
	struct machine *m = machine_new();
	struct mm *mm = (struct mm *)machine_mm(m, 1);
	unsigned long rss, anon;
	struct vma *h;

	mm->def_flags |= VM_LOCKED;
	ASSERT_EQ(sys_brk(m, S + PG(3)), S + PG(3));
	h = vt_find(&mm->tree, S);
	ASSERT_TRUE(h->vm_flags & VM_LOCKED);
	ASSERT_EQ(mm->locked_vm, 3);
	vma_page_counts(h, &rss, &anon);
	ASSERT_EQ(anon, 3);
	ASSERT_EQ(sys_brk(m, S + PG(1)), S + PG(1));
	ASSERT_EQ(mm->locked_vm, 1);
	machine_free(m);
	return true;
}

/* do_brk_flags: map_count > max_map_count refuses (ENOMEM inside). */
TEST(max_map_count)
{
	struct machine *m = machine_new();
	const struct mm *mm = machine_mm(m, 1);

	machine_set_max_map_count(m, 1);
	sys_mmap(m, 0x200000000000UL, PG(1), PROT_READ, ANON, -1, 0);
	sys_mmap(m, 0x200000002000UL, PG(1), PROT_READ | PROT_WRITE, ANON, -1,
		 0);
	ASSERT_EQ(mm->map_count, 2);
	ASSERT_EQ(sys_brk(m, S + PG(1)), S);
	ASSERT_EQ(mm->brk, S);
	ASSERT_TRUE(vt_find(&mm->tree, S) == NULL);
	machine_free(m);
	return true;
}

/* security_vm_enough_memory_mm(): a heap larger than RAM + swap. */
TEST(overcommit_refuses)
{
	struct machine *m = machine_new();
	const struct mm *mm = machine_mm(m, 1);

	ASSERT_EQ(sys_brk(m, S + (64UL << 30)), S);
	ASSERT_EQ(mm->total_vm, 0);
	ASSERT_EQ(sys_brk(m, S + (1UL << 30)), S + (1UL << 30));
	machine_free(m);
	return true;
}

/* The heap gone (munmap): a shrink finds nothing and is refused. */
TEST(shrink_nothing_mapped)
{
	struct machine *m = machine_new();
	const struct mm *mm = machine_mm(m, 1);

	sys_brk(m, S + PG(2));
	ASSERT_EQ(sys_munmap(m, S, PG(2)), 0);
	ASSERT_EQ(sys_brk(m, S), S + PG(2));
	ASSERT_EQ(mm->brk, S + PG(2));
	ASSERT_EQ(mm->total_vm, 0);
	machine_free(m);
	return true;
}

static const struct test_case tests[] = {
	TEST_ENTRY(grow_expands_in_place),
	TEST_ENTRY(shrink_unaligned),
	TEST_ENTRY(next_too_close),
	TEST_ENTRY(vma_below_start_brk_not_expanded),
	TEST_ENTRY(mcl_future_locks_and_populates),
	TEST_ENTRY(max_map_count),
	TEST_ENTRY(shrink_nothing_mapped),
	TEST_ENTRY(overcommit_refuses),
};

int main(void)
{
	return RUN_TESTS("brk", tests);
}
