/*
 * test_oom.c - the machine's memory (MemTotal + SwapTotal) and the OOM
 * killer: every page in use is counted (anonymous pages, page cache and
 * shmem, PTE tables) and given back when it goes; a fault past the end
 * kills the process with the most pages (select_bad_process), which, if
 * it is the faulting one, stops faulting and exits when its call returns
 * (a zombie, making no calls); huge ranges end there quickly.
 */
#include "harness.h"
#include "internal.h"

#define BASE 0x200000000000UL
#define PG(n) ((unsigned long)(n) << PAGE_SHIFT)
#define RW (PROT_READ | PROT_WRITE)
#define ANON_FIXED (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

/* A machine with this many kB of memory and no swap. */
static struct machine *small_machine(unsigned long kb)
{
	struct machine_params p;

	machine_params_default(&p);
	p.mem_total_kb = kb;
	return machine_new_params(&p);
}

static long call(struct machine *m, int nr, unsigned long a0, unsigned long a1,
		 unsigned long a2, unsigned long a3, unsigned long *fault)
{
	unsigned long a[6] = {a0, a1, a2, a3, (unsigned long)-1, 0};

	return machine_syscall(m, nr, a, NULL, fault);
}

static long map(struct machine *m, unsigned long addr, unsigned long len,
		unsigned long flags)
{
	return call(m, NR_mmap, addr, len, RW, ANON_FIXED | flags, NULL);
}

static long touch(struct machine *m, unsigned long addr, unsigned long len,
		  unsigned long *fault)
{
	return call(m, NR_TOUCH, addr, len, 0, 0, fault);
}

/* Faulted pages and their PTE table count, and all come back. */
TEST(memory_counted_and_returned)
{
	struct machine *m = small_machine(1 << 20);
	unsigned long fault;

	ASSERT_EQ(machine_mem_pages(m), (1UL << 20) / 4);
	ASSERT_EQ(machine_mem_used(m), 0);
	ASSERT_EQ(map(m, BASE, PG(16), 0), BASE);
	ASSERT_EQ(touch(m, BASE, PG(4), &fault), TOUCH_OK);
	ASSERT_EQ(machine_mem_used(m), 4 + 1); /* one PTE table */
	/* shmem: its pages are the inode's, its PTE table the process's */
	ASSERT_EQ(call(m, NR_mmap, BASE + PG(512), PG(8), RW,
		       MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, NULL),
		  BASE + PG(512));
	ASSERT_EQ(touch(m, BASE + PG(512), PG(8), &fault), TOUCH_OK);
	ASSERT_EQ(machine_mem_used(m), 4 + 1 + 8 + 1);
	/* the zero page costs nothing but its PTE table (already there) */
	ASSERT_EQ(call(m, NR_mmap, BASE + PG(16), PG(4), PROT_READ,
		       ANON_FIXED | MAP_POPULATE, NULL),
		  BASE + PG(16));
	ASSERT_EQ(machine_mem_used(m), 4 + 1 + 8 + 1);
	/* fork copies the page table of the anonymous VMA (not of shmem or
	 * the zero-page VMA, which have no anon_vma): the child's PTE table
	 * is new, its entries map the parent's 4 pages (copy on write) */
	ASSERT_EQ(call(m, NR_fork, 0, 0, 0, 0, NULL), 2);
	ASSERT_EQ(machine_mem_used(m), 4 + 2 * 1 + 8 + 1);
	/* the child writes one: wp_page_copy() gives it a page of its own */
	ASSERT_EQ(machine_switch(m, 2), 0);
	ASSERT_EQ(touch(m, BASE, PG(1), &fault), TOUCH_OK);
	ASSERT_EQ(machine_mem_used(m), 5 + 2 * 1 + 8 + 1);
	/* the parent then writes it in place (the page is its alone) */
	ASSERT_EQ(machine_switch(m, 1), 0);
	ASSERT_EQ(touch(m, BASE, PG(1), &fault), TOUCH_OK);
	ASSERT_EQ(machine_mem_used(m), 5 + 2 * 1 + 8 + 1);
	ASSERT_EQ(call(m, NR_munmap, BASE, PG(1024), 0, 0, NULL), 0);
	/* the child's entries keep the three shared pages and its copy;
	 * shmem keeps its pages (the child maps the file), not the
	 * parent's PTE table for them */
	ASSERT_EQ(machine_mem_used(m), 4 + 1 + 8);
	ASSERT_EQ(machine_switch(m, 2), 0);
	ASSERT_EQ(call(m, NR_munmap, BASE, PG(1024), 0, 0, NULL), 0);
	/* the last mapping of the shmem file gone: so are its pages */
	ASSERT_EQ(machine_mem_used(m), 0);
	machine_free(m);
	return true;
}

/*
 * A touch past the end of memory: the faulting process is the biggest,
 * so it is killed at the page that found none, and exits.
 *
 *   AAAAAAAAAAAAAAAA......   64 MiB touched on a 16 MiB machine
 *   (nothing)                after: SIGKILL, exit_mmap
 */
TEST(touch_past_memory_kills_the_faulting_process)
{
	struct machine *m = small_machine(16384);
	unsigned long fault = 0;

	/* more than RAM + swap: only MAP_NORESERVE gets past
	 * __vm_enough_memory() */
	ASSERT_EQ(map(m, BASE, 64UL << 20, 0), -ENOMEM);
	ASSERT_EQ(map(m, BASE, 64UL << 20, MAP_NORESERVE), BASE);
	ASSERT_EQ(touch(m, BASE, 64UL << 20, &fault), TOUCH_SIGKILL);
	/* 4096 pages: 4088 anonymous ones and their 8 PTE tables */
	ASSERT_EQ(fault, BASE + PG(4088));
	ASSERT_EQ(machine_proc_killed(m, 1), TOUCH_SIGKILL);
	ASSERT_TRUE(vt_first(&machine_mm(m, 1)->tree) == NULL);
	ASSERT_EQ(machine_mem_used(m), 0);
	/* a zombie makes no calls */
	ASSERT_EQ(map(m, BASE, PG(1), 0), -ESRCH);
	ASSERT_EQ(machine_fd(m, 1, 0), 0);
	machine_free(m);
	return true;
}

/* MAP_POPULATE of 32 TiB of shmem stops at the end of memory. */
TEST(populate_of_a_huge_range_ends_in_the_oom_killer)
{
	struct machine *m = small_machine(16384);
	long ret =
		call(m, NR_mmap, 0, 0x200000016000UL, PROT_EXEC,
		     MAP_POPULATE | MAP_ANONYMOUS | MAP_SHARED | MAP_NORESERVE,
		     NULL);

	ASSERT_FALSE(IS_ERR_VALUE(ret));
	ASSERT_EQ(machine_proc_killed(m, 1), TOUCH_SIGKILL);
	ASSERT_EQ(machine_mem_used(m), 0);
	machine_free(m);
	return true;
}

/*
 * Another process has more pages: it is the one killed (and reaped at
 * once), and the faulting process carries on.
 */
TEST(oom_kills_the_biggest_process)
{
	struct machine *m = small_machine(16384);
	unsigned long fault;

	ASSERT_EQ(map(m, BASE, 12UL << 20, 0), BASE);
	ASSERT_EQ(call(m, NR_fork, 0, 0, 0, 0, NULL), 2);
	ASSERT_EQ(machine_switch(m, 2), 0);
	ASSERT_EQ(touch(m, BASE, 10UL << 20, &fault), TOUCH_OK);
	ASSERT_EQ(machine_switch(m, 1), 0);
	ASSERT_EQ(touch(m, BASE, 8UL << 20, &fault), TOUCH_OK);
	ASSERT_EQ(machine_proc_killed(m, 2), TOUCH_SIGKILL);
	ASSERT_EQ(machine_proc_killed(m, 1), 0);
	ASSERT_EQ(machine_mem_used(m), 2048 + 4);
	machine_free(m);
	return true;
}

static const struct test_case tests[] = {
	TEST_ENTRY(memory_counted_and_returned),
	TEST_ENTRY(touch_past_memory_kills_the_faulting_process),
	TEST_ENTRY(populate_of_a_huge_range_ends_in_the_oom_killer),
	TEST_ENTRY(oom_kills_the_biggest_process),
};

int main(void)
{
	return RUN_TESTS("oom", tests);
}
