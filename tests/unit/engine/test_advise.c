/*
 * test_advise.c - madvise, the mlock family and mseal on the engine alone:
 * what verify cannot see (mm->locked_vm, mm->def_flags, the page kinds,
 * the machine's page count) and the ENOSYS of what is not simulated.  The
 * shapes and errors themselves are checked against the kernel by
 * tests/scripts/{madvise,mlock,mseal}-*.vml.
 */
#include "harness.h"
#include "internal.h"

#define BASE 0x200000000000UL
#define PG(n) ((unsigned long)(n) << PAGE_SHIFT)
#define RW (PROT_READ | PROT_WRITE)
#define ANON_FIXED (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

static long call(struct machine *m, int nr, unsigned long a0, unsigned long a1,
		 unsigned long a2, unsigned long a3)
{
	unsigned long a[6] = {a0, a1, a2, a3, (unsigned long)-1, 0}, fault;

	return machine_syscall(m, nr, a, NULL, &fault);
}

static long map(struct machine *m, unsigned long addr, unsigned long len,
		unsigned long flags)
{
	return call(m, NR_mmap, addr, len, RW, ANON_FIXED | flags);
}

static const struct vma *vma_at(struct machine *m, unsigned long addr)
{
	const struct mm *mm = machine_mm(m, machine_current_pid(m));
	const struct vma *v = vt_find(&mm->tree, addr);

	return v && v->vm_start <= addr ? v : NULL;
}

static char page_at(struct machine *m, unsigned long addr)
{
	char out[2];

	machine_pages(m, addr, 1, out);
	return out[0];
}

/*
 *     <-->          mlock
 *   VVVVVVVVVVVV
 *   VVVVLLLLVVVV    locked_vm 4 pages; munlock merges back, locked_vm 0
 */
TEST(mlock_counts_locked_vm)
{
	struct machine *m = machine_new();
	const struct mm *mm;

	ASSERT_EQ(map(m, BASE, PG(12), 0), BASE);
	ASSERT_EQ(call(m, NR_mlock, BASE + PG(4), PG(4), 0, 0), 0);
	mm = machine_mm(m, 1);
	ASSERT_EQ(mm->locked_vm, 4);
	ASSERT_EQ(mm->map_count, 3);
	ASSERT_TRUE(vma_at(m, BASE + PG(4))->vm_flags & VM_LOCKED);
	/* populated with write faults: anonymous pages, an anon_vma */
	ASSERT_EQ(page_at(m, BASE + PG(5)), 'a');
	ASSERT_TRUE(vma_at(m, BASE + PG(4))->anon_vma != NULL);
	/* locking again counts nothing twice */
	ASSERT_EQ(call(m, NR_mlock, BASE, PG(8), 0, 0), 0);
	ASSERT_EQ(mm->locked_vm, 8);
	ASSERT_EQ(call(m, NR_munlock, BASE, PG(12), 0, 0), 0);
	ASSERT_EQ(mm->locked_vm, 0);
	ASSERT_EQ(mm->map_count, 1);
	machine_free(m);
	return true;
}

/* MCL_FUTURE is mm->def_flags; fork does not pass it on. */
TEST(mlockall_future_is_def_flags)
{
	struct machine *m = machine_new();

	ASSERT_EQ(call(m, NR_mlockall, MCL_ONFAULT, 0, 0, 0), -EINVAL);
	ASSERT_EQ(call(m, NR_mlockall, MCL_FUTURE | MCL_ONFAULT, 0, 0, 0), 0);
	ASSERT_EQ(machine_mm(m, 1)->def_flags, VM_LOCKED | VM_LOCKONFAULT);
	ASSERT_EQ(map(m, BASE, PG(2), 0), BASE);
	ASSERT_EQ(vma_at(m, BASE)->vm_flags & VM_LOCKED_MASK,
		  VM_LOCKED | VM_LOCKONFAULT);
	ASSERT_EQ(page_at(m, BASE), '.'); /* on fault: nothing yet */
	ASSERT_EQ(call(m, NR_fork, 0, 0, 0, 0), 2);
	ASSERT_EQ(machine_mm(m, 2)->def_flags, 0);
	ASSERT_EQ(call(m, NR_munlockall, 0, 0, 0, 0), 0);
	ASSERT_EQ(machine_mm(m, 1)->def_flags, 0);
	ASSERT_EQ(vma_at(m, BASE)->vm_flags & VM_LOCKED_MASK, 0);
	machine_free(m);
	return true;
}

/*
 * MADV_FREE: the pages stay (Rss and Anonymous, and the machine's count)
 * as PAGE_LAZYFREE; a write makes one ordinary again; PAGEOUT discards
 * the others.  After a fork the pages are shared: FREE leaves them.
 */
TEST(free_then_pageout)
{
	struct machine *m = machine_new();
	unsigned long rss, anon, used;

	ASSERT_EQ(map(m, BASE, PG(4), 0), BASE);
	ASSERT_EQ(call(m, NR_TOUCH, BASE, PG(4), 0, 0), TOUCH_OK);
	used = machine_mem_used(m);
	ASSERT_EQ(call(m, NR_madvise, BASE, PG(4), MADV_FREE, 0), 0);
	vma_page_counts(vma_at(m, BASE), &rss, &anon);
	ASSERT_EQ(rss, 4);
	ASSERT_EQ(anon, 4);
	ASSERT_EQ(machine_mem_used(m), used);
	ASSERT_EQ(call(m, NR_TOUCH, BASE, PG(1), 0, 0), TOUCH_OK);
	ASSERT_EQ(call(m, NR_madvise, BASE, PG(4), MADV_PAGEOUT, 0), 0);
	vma_page_counts(vma_at(m, BASE), &rss, &anon);
	ASSERT_EQ(rss, 1);
	ASSERT_EQ(machine_mem_used(m), used - 3);
	/* shared with a child: FREE marks nothing, PAGEOUT keeps it */
	ASSERT_EQ(call(m, NR_fork, 0, 0, 0, 0), 2);
	ASSERT_EQ(call(m, NR_madvise, BASE, PG(4), MADV_FREE, 0), 0);
	ASSERT_EQ(call(m, NR_madvise, BASE, PG(4), MADV_PAGEOUT, 0), 0);
	vma_page_counts(vma_at(m, BASE), &rss, &anon);
	ASSERT_EQ(rss, 1);
	machine_free(m);
	return true;
}

/* A sealed VMA: munmap EPERM with the start split kept; mprotect EPERM. */
TEST(sealed_refuses)
{
	struct machine *m = machine_new();

	ASSERT_EQ(map(m, BASE, PG(8), 0), BASE);
	ASSERT_EQ(call(m, NR_mseal, BASE + PG(4), PG(4), 0, 0), 0);
	ASSERT_TRUE(vma_at(m, BASE + PG(4))->vm_flags & VM_SEALED);
	ASSERT_EQ(call(m, NR_munmap, BASE + PG(2), PG(4), 0, 0), -EPERM);
	ASSERT_EQ(machine_mm(m, 1)->map_count, 3);
	ASSERT_EQ(call(m, NR_mprotect, BASE + PG(4), PG(1), RW, 0), -EPERM);
	ASSERT_EQ(call(m, NR_mseal, BASE + PG(6), PG(4), 0, 0), -ENOMEM);
	ASSERT_EQ(call(m, NR_mseal, BASE, PG(1), 1, 0), -EINVAL);
	machine_free(m);
	return true;
}

/*
 * MADV_POPULATE_READ maps the zero page, POPULATE_WRITE anonymous pages
 * (and an anon_vma), whatever VM_LOCKONFAULT says; the first error stops
 * the walk with the pages before it kept.
 *
 *   ....rr    POPULATE_WRITE of all 6 pages (rr: read-only)
 *   aaaarr    EINVAL at the read-only VMA
 */
TEST(populate)
{
	struct machine *m = machine_new();

	ASSERT_EQ(map(m, BASE, PG(4), 0), BASE);
	ASSERT_EQ(call(m, NR_madvise, BASE, PG(2), MADV_POPULATE_READ, 0), 0);
	ASSERT_EQ(page_at(m, BASE + PG(1)), 'z');
	ASSERT_TRUE(vma_at(m, BASE)->anon_vma == NULL);
	ASSERT_EQ(call(m, NR_mmap, BASE + PG(4), PG(2), PROT_READ, ANON_FIXED),
		  BASE + PG(4));
	ASSERT_EQ(call(m, NR_mlock2, BASE, PG(4), MLOCK_ONFAULT, 0), 0);
	ASSERT_EQ(call(m, NR_madvise, BASE, PG(6), MADV_POPULATE_WRITE, 0),
		  -EINVAL);
	ASSERT_EQ(page_at(m, BASE + PG(1)), 'a');
	ASSERT_EQ(page_at(m, BASE + PG(3)), 'a');
	ASSERT_EQ(page_at(m, BASE + PG(4)), '.');
	ASSERT_TRUE(vma_at(m, BASE)->anon_vma != NULL);
	/* a hole: ENOMEM */
	ASSERT_EQ(call(m, NR_madvise, BASE + PG(6), PG(1), MADV_POPULATE_READ,
		       0),
		  -ENOMEM);
	machine_free(m);
	return true;
}

/*
 * Guard markers: entries in use that Rss leaves out, kept by DONTNEED,
 * copied by fork, dropped by munmap; the machine's page count drops by
 * the pages the install zapped.
 *
 *   AAAA   GUARD_INSTALL of 1-2 -> AggA
 */
TEST(guard)
{
	struct machine *m = machine_new();
	unsigned long rss, anon, before;
	const struct vma *v;

	ASSERT_EQ(map(m, BASE, PG(4), 0), BASE);
	ASSERT_EQ(call(m, NR_TOUCH, BASE, PG(4), 0, 0), TOUCH_OK);
	before = m->phys_pages;
	ASSERT_EQ(call(m, NR_madvise, BASE + PG(1), PG(2), MADV_GUARD_INSTALL,
		       0),
		  0);
	ASSERT_EQ(m->phys_pages, before - 2);
	v = vma_at(m, BASE);
	ASSERT_TRUE(v->vm_start == BASE && v->vm_end == BASE + PG(4));
	ASSERT_TRUE(v->vm_flags & VM_MAYBE_GUARD);
	vma_page_counts(v, &rss, &anon);
	ASSERT_EQ(rss, 2);
	ASSERT_EQ(page_at(m, BASE + PG(1)), 'g');
	ASSERT_EQ(call(m, NR_madvise, BASE, PG(4), MADV_DONTNEED, 0), 0);
	ASSERT_EQ(page_at(m, BASE + PG(2)), 'g');
	ASSERT_EQ(call(m, NR_TOUCH, BASE, PG(4), 0, 0), TOUCH_SIGSEGV);
	ASSERT_EQ(call(m, NR_fork, 0, 0, 0, 0), 2);
	ASSERT_EQ(machine_switch(m, 2), 0);
	ASSERT_EQ(page_at(m, BASE + PG(1)), 'g');
	ASSERT_EQ(call(m, NR_madvise, BASE + PG(1), PG(1), MADV_GUARD_REMOVE,
		       0),
		  0);
	ASSERT_EQ(page_at(m, BASE + PG(1)), '.');
	ASSERT_EQ(page_at(m, BASE + PG(2)), 'g');
	ASSERT_EQ(call(m, NR_munmap, BASE, PG(4), 0, 0), 0);
	ASSERT_EQ(map(m, BASE, PG(4), 0), BASE);
	ASSERT_EQ(page_at(m, BASE + PG(2)), '.');
	machine_free(m);
	return true;
}

/*
 * MADV_COLLAPSE without a huge page: a small or never faulted VMA is
 * EINVAL; then the whole 2 MiB blocks of the range: none is 0, a start
 * rounded up past the rounded-down end EINVAL, an empty block EINVAL,
 * one with a page (a THP: not modelled) ENOSYS.
 */
TEST(collapse)
{
	struct machine *m = machine_new();
	const unsigned long mb2 = 1UL << 21;

	ASSERT_EQ(map(m, BASE, PG(4), 0), BASE);
	ASSERT_EQ(call(m, NR_TOUCH, BASE, PG(1), 0, 0), TOUCH_OK);
	ASSERT_EQ(call(m, NR_madvise, BASE, PG(1), MADV_COLLAPSE, 0), -EINVAL);
	ASSERT_EQ(map(m, BASE + 2 * mb2, 2 * mb2, 0), BASE + 2 * mb2);
	ASSERT_EQ(call(m, NR_madvise, BASE + 2 * mb2, PG(1), MADV_COLLAPSE, 0),
		  -EINVAL);
	ASSERT_EQ(call(m, NR_TOUCH, BASE + 3 * mb2, PG(1), 0, 0), TOUCH_OK);
	ASSERT_EQ(call(m, NR_madvise, BASE + 2 * mb2, PG(4), MADV_COLLAPSE, 0),
		  0);
	ASSERT_EQ(call(m, NR_madvise, BASE + 2 * mb2 + PG(1), PG(1),
		       MADV_COLLAPSE, 0),
		  -EINVAL);
	ASSERT_EQ(call(m, NR_madvise, BASE + 2 * mb2, mb2, MADV_COLLAPSE, 0),
		  -EINVAL);
	ASSERT_EQ(call(m, NR_madvise, BASE + 3 * mb2, mb2, MADV_COLLAPSE, 0),
		  -ENOSYS);
	machine_free(m);
	return true;
}

/* What the engine does not simulate says so: -ENOSYS, no change. */
TEST(unsimulated_is_enosys)
{
	struct machine *m = machine_new();

	ASSERT_EQ(map(m, BASE, PG(4), 0), BASE);
	ASSERT_EQ(call(m, NR_madvise, BASE, PG(1), MADV_HWPOISON, 0),
		  -ENOSYS);
	ASSERT_EQ(call(m, NR_madvise, BASE, PG(1), MADV_SOFT_OFFLINE, 0),
		  -ENOSYS);
	ASSERT_EQ(page_at(m, BASE), '.');
	/* but the argument checks come first, as in the kernel */
	ASSERT_EQ(call(m, NR_madvise, BASE + 1, PG(1), MADV_HWPOISON, 0),
		  -EINVAL);
	ASSERT_EQ(call(m, NR_prctl, 1, 0, 0, 0), -ENOSYS);
	ASSERT_EQ(call(m, NR_prctl, PR_SET_VMA, PR_SET_VMA_ANON_NAME, BASE,
		       PG(1)),
		  -EINVAL);
	machine_free(m);
	return true;
}

static const struct test_case tests[] = {
	TEST_ENTRY(mlock_counts_locked_vm),
	TEST_ENTRY(mlockall_future_is_def_flags),
	TEST_ENTRY(free_then_pageout),
	TEST_ENTRY(sealed_refuses),
	TEST_ENTRY(populate),
	TEST_ENTRY(guard),
	TEST_ENTRY(collapse),
	TEST_ENTRY(unsimulated_is_enosys),
};

int main(void)
{
	return RUN_TESTS("advise", tests);
}
