/*
 * test_status.c - the mm's counters behind /proc/PID/status: vm_stat_account()
 * classes (total_vm, data_vm, exec_vm, stack_vm), locked_vm, the RSS
 * counters kept per PTE (and by the whole-table fast path), and the lazy
 * peaks hiwater_vm and hiwater_rss.  Columns are pages from A.
 */
#include "harness.h"
#include "internal.h"
#include "checked.h"

#define A 0x200000000000UL
#define PG(n) ((unsigned long)(n) << PAGE_SHIFT)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)
#define RW (PROT_READ | PROT_WRITE)

static unsigned long rss(const struct mm *mm)
{
	unsigned long anon, file, shmem;

	mm_rss_counters(mm, &anon, &file, &shmem);
	return anon + file + shmem;
}

/*
 *   DDDDrrxxSS      rw, r, rx, growsdown: data 4, exec 2, stack 2, total 10
 *   DDrrrrxxSS      mprotect moves 2 pages out of data
 */
TEST(classes_follow_the_flags)
{
	struct machine *m = machine_new();
	const struct mm *mm = machine_mm(m, 1);

	sys_mmap(m, A, PG(4), RW, ANON, -1, 0);
	sys_mmap(m, A + PG(4), PG(2), PROT_READ, ANON, -1, 0);
	sys_mmap(m, A + PG(6), PG(2), PROT_READ | PROT_EXEC, ANON, -1, 0);
	sys_mmap(m, A + PG(8), PG(2), RW, ANON | MAP_GROWSDOWN, -1, 0);
	ASSERT_EQ(mm->total_vm, 10);
	ASSERT_EQ(mm->data_vm, 4);
	ASSERT_EQ(mm->exec_vm, 2);
	ASSERT_EQ(mm->stack_vm, 2);
	ASSERT_EQ(sys_mprotect(m, A + PG(2), PG(2), PROT_READ), 0);
	ASSERT_EQ(mm->data_vm, 2);
	ASSERT_EQ(sys_mprotect(m, A, PG(2), RW | PROT_EXEC), 0);
	ASSERT_EQ(mm->data_vm, 2); /* writable and executable is data */
	ASSERT_EQ(mm->exec_vm, 2);
	ASSERT_EQ(sys_munmap(m, A, PG(10)), 0);
	ASSERT_EQ(mm->total_vm + mm->data_vm + mm->exec_vm + mm->stack_vm, 0);
	ASSERT_EQ(mm->hiwater_vm, 10);
	machine_free(m);
	return true;
}

/* MAP_LOCKED counts in locked_vm; munmap of a part takes it back out. */
TEST(locked_vm_goes_down_on_munmap)
{
	struct machine *m = machine_new();
	const struct mm *mm = machine_mm(m, 1);

	sys_mmap(m, A, PG(8), RW, ANON | MAP_LOCKED, -1, 0);
	ASSERT_EQ(mm->locked_vm, 8);
	ASSERT_EQ(rss(mm), 8);
	sys_munmap(m, A + PG(2), PG(3));
	ASSERT_EQ(mm->locked_vm, 5);
	ASSERT_EQ(rss(mm), 5);
	machine_free(m);
	return true;
}

/*
 * 1024 pages from A - 1 page cover three PTE tables, the middle one full:
 *   |.......P|PPPPPPPP|PPPPPPP.|
 * munmap of all of it clears the full table by the fast path.
 */
TEST(rss_across_full_tables)
{
	struct machine *m = machine_new();
	const struct mm *mm = machine_mm(m, 1);
	unsigned long base = A + PG(511), fault;

	sys_mmap(m, base, PG(1024), RW, ANON, -1, 0);
	ASSERT_EQ(vm_touch(m, base, PG(1024), &fault), TOUCH_OK);
	ASSERT_EQ(mm->pages.rss_anon, 1024);
	ASSERT_EQ(sys_munmap(m, base + PG(1), PG(512)), 0);
	ASSERT_EQ(mm->pages.rss_anon, 512);
	ASSERT_EQ(mm->hiwater_rss, 1024);
	ASSERT_EQ(sys_munmap(m, base, PG(1024)), 0);
	ASSERT_EQ(mm->pages.rss_anon, 0);
	ASSERT_EQ(mm->pages.rss_file, 0);
	machine_free(m);
	return true;
}

/* Shared anonymous pages are shmem, not file (MM_SHMEMPAGES). */
TEST(shmem_is_counted_apart)
{
	struct machine *m = machine_new();
	const struct mm *mm = machine_mm(m, 1);
	unsigned long anon, file, shmem, fault;

	sys_mmap(m, A, PG(4), RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1,
		 0);
	vm_touch(m, A, PG(3), &fault);
	mm_rss_counters(mm, &anon, &file, &shmem);
	ASSERT_EQ(anon, 0);
	ASSERT_EQ(file, 0);
	ASSERT_EQ(shmem, 3);
	ASSERT_EQ(mm->data_vm, 0);
	machine_free(m);
	return true;
}

/*
 * fork: the child has the parent's vm counters but no locked_vm, only
 * the pages of VMAs with an anon_vma, and peaks that start at what it has.
 */
TEST(fork_counters)
{
	struct machine *m = machine_new();
	const struct mm *child;
	unsigned long fault;
	long pid;

	sys_mmap(m, A, PG(4), RW, ANON | MAP_LOCKED, -1, 0);
	sys_mmap(m, A + PG(8), PG(2), RW,
		 MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	vm_touch(m, A + PG(8), PG(2), &fault);
	sys_munmap(m, A + PG(3), PG(1));
	pid = sys_fork(m);
	ASSERT_TRUE(pid > 1);
	child = machine_mm(m, (int)pid);
	ASSERT_EQ(child->total_vm, 5);
	ASSERT_EQ(child->data_vm, 3);
	ASSERT_EQ(child->locked_vm, 0);
	ASSERT_EQ(rss(child), 3);
	ASSERT_EQ(child->hiwater_vm, 5);
	ASSERT_EQ(child->hiwater_rss, 3);
	machine_free(m);
	return true;
}

static const struct test_case tests[] = {
	TEST_ENTRY(classes_follow_the_flags),
	TEST_ENTRY(locked_vm_goes_down_on_munmap),
	TEST_ENTRY(rss_across_full_tables),
	TEST_ENTRY(shmem_is_counted_apart),
	TEST_ENTRY(fork_counters),
};

int main(void)
{
	return RUN_TESTS("status", tests);
}
