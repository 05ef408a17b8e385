/*
 * test_overcommit.c - __vm_enough_memory() (mm/util.c) by
 * vm.overcommit_memory.  Mode 0 (OVERCOMMIT_GUESS) refuses one request
 * larger than RAM + swap (totalram_pages() + total_swap_pages): a private
 * writable mapping (accountable_mapping), a shared anonymous one of any
 * protection (shmem_acct_size), and mprotect making a private mapping
 * writable (mprotect_fixup); MAP_NORESERVE is never charged.  Mode 1
 * refuses nothing.  Mode 2 (OVERCOMMIT_NEVER) keeps vm_committed_as below
 * vm_commit_limit() (RAM * overcommit_ratio / 100 + swap, or
 * overcommit_kbytes + swap) less the reserves, ignores MAP_NORESERVE, and
 * charges fork (dup_mmap) for the child's copies.
 */
#include "harness.h"
#include "internal.h"

#define BASE 0x200000000000UL
#define PG(n) ((unsigned long)(n) << PAGE_SHIFT)
#define RW (PROT_READ | PROT_WRITE)
#define ANON_FIXED (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)
#define ENOMEM_RET ((long)-ENOMEM)

/* 4096 kB of RAM (1024 pages) and 1024 kB of swap (256 pages). */
static struct machine *machine_mode(int mode)
{
	struct machine_params p;

	machine_params_default(&p);
	p.mem_total_kb = 4096;
	p.swap_total_kb = 1024;
	p.overcommit_memory = mode;
	p.overcommit_ratio = 50;
	p.user_reserve_kb = 0;
	p.admin_reserve_kb = 0;
	return machine_new_params(&p);
}

static long mmap_(struct machine *m, unsigned long addr, unsigned long len,
		  unsigned long prot, unsigned long flags)
{
	unsigned long a[6] = {addr, len, prot, flags, (unsigned long)-1, 0};

	return machine_syscall(m, NR_mmap, a, NULL, NULL);
}

static long call2(struct machine *m, int nr, unsigned long a0, unsigned long a1,
		  unsigned long a2)
{
	unsigned long a[6] = {a0, a1, a2, 0, 0, 0};

	return machine_syscall(m, nr, a, NULL, NULL);
}

static int count_vmas(struct machine *m)
{
	return cur_mm(m)->map_count;
}

/* Mode 0: RAM + swap is 1280 pages: 1280 is allowed, 1281 is not. */
TEST(guess_refuses_one_request_over_ram_and_swap)
{
	struct machine *m = machine_mode(OVERCOMMIT_GUESS);

	ASSERT_EQ(mmap_(m, BASE, PG(1281), RW, ANON_FIXED), ENOMEM_RET);
	ASSERT_EQ(count_vmas(m), 0);
	ASSERT_EQ(mmap_(m, BASE, PG(1280), RW, ANON_FIXED), (long)BASE);
	/* not a total: a second one as big is fine */
	ASSERT_EQ(mmap_(m, BASE + PG(4096), PG(1280), RW, ANON_FIXED),
		  (long)(BASE + PG(4096)));
	/* read-only private and MAP_NORESERVE are not charged */
	ASSERT_EQ(mmap_(m, BASE + PG(8192), PG(100000), PROT_READ, ANON_FIXED),
		  (long)(BASE + PG(8192)));
	ASSERT_EQ(mmap_(m, BASE + PG(200000), PG(100000), RW,
			ANON_FIXED | MAP_NORESERVE),
		  (long)(BASE + PG(200000)));
	/* mprotect making the read-only one writable is one request */
	ASSERT_EQ(call2(m, NR_mprotect, BASE + PG(8192), PG(100000), RW),
		  ENOMEM_RET);
	ASSERT_EQ(vt_find(&cur_mm(m)->tree, BASE + PG(8192))->vm_flags &
			  (VM_WRITE | VM_ACCOUNT),
		  0);
	ASSERT_EQ(call2(m, NR_mprotect, BASE + PG(8192), PG(1000), RW), 0);
	machine_free(m);
	return true;
}

/*
 * Mode 0, MAP_FIXED over a mapping:
 *   private: the check is in __mmap_setup(), before the old PTEs go, so
 *   the old VMA comes back whole (AAAA stays AAAA);
 *   shared anonymous: shmem_zero_setup() fails in __mmap_new_vma(), after
 *   vms_clean_up_area(): the old VMA is gone, a hole is left (AAAA -> ____).
 */
TEST(guess_fixed_over_a_mapping)
{
	struct machine *m = machine_mode(OVERCOMMIT_GUESS);

	ASSERT_EQ(mmap_(m, BASE, PG(4), RW, ANON_FIXED), (long)BASE);
	ASSERT_EQ(mmap_(m, BASE, PG(2000), RW, ANON_FIXED), ENOMEM_RET);
	ASSERT_EQ(count_vmas(m), 1);
	ASSERT_EQ(vt_find(&cur_mm(m)->tree, BASE)->vm_end, BASE + PG(4));
	/* replacing accounted pages charges only the difference: 1284 - 4 */
	ASSERT_EQ(mmap_(m, BASE, PG(1284), RW, ANON_FIXED), (long)BASE);
	ASSERT_EQ(call2(m, NR_munmap, BASE, PG(1284), 0), 0);
	ASSERT_EQ(mmap_(m, BASE, PG(4), RW, ANON_FIXED), (long)BASE);
	ASSERT_EQ(mmap_(m, BASE, PG(2000), PROT_READ,
			MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED),
		  ENOMEM_RET);
	ASSERT_EQ(count_vmas(m), 0);
	/* with MAP_NORESERVE shmem is not charged */
	ASSERT_EQ(mmap_(m, BASE, PG(2000), PROT_READ,
			MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE),
		  (long)BASE);
	machine_free(m);
	return true;
}

TEST(always_refuses_nothing)
{
	struct machine *m = machine_mode(OVERCOMMIT_ALWAYS);

	ASSERT_EQ(mmap_(m, BASE, PG(1UL << 28), RW, ANON_FIXED), (long)BASE);
	ASSERT_EQ(mmap_(m, BASE + PG(1UL << 28), PG(1UL << 20), RW,
			MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED),
		  (long)(BASE + PG(1UL << 28)));
	machine_free(m);
	return true;
}

/*
 * Mode 2: the limit is 1024 * 50 / 100 + 256 = 768 pages, and the total
 * committed must stay below it (committed + pages < allowed).
 */
TEST(never_keeps_the_total_below_the_commit_limit)
{
	struct machine *m = machine_mode(OVERCOMMIT_NEVER);

	ASSERT_EQ(mmap_(m, BASE, PG(768), RW, ANON_FIXED), ENOMEM_RET);
	ASSERT_EQ(mmap_(m, BASE, PG(500), RW, ANON_FIXED), (long)BASE);
	ASSERT_EQ(vm_committed_pages(m), 500);
	/* the total counts: 500 + 267 < 768, 500 + 268 is not */
	ASSERT_EQ(mmap_(m, BASE + PG(1000), PG(268), RW, ANON_FIXED),
		  ENOMEM_RET);
	/* MAP_NORESERVE is ignored: charged all the same */
	ASSERT_EQ(mmap_(m, BASE + PG(1000), PG(268), RW,
			ANON_FIXED | MAP_NORESERVE),
		  ENOMEM_RET);
	/* shmem counts, and is given back with its inode */
	ASSERT_EQ(mmap_(m, BASE + PG(1000), PG(200), PROT_READ,
			MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED),
		  (long)(BASE + PG(1000)));
	ASSERT_EQ(vm_committed_pages(m), 700);
	ASSERT_EQ(mmap_(m, BASE + PG(2000), PG(68), RW, ANON_FIXED),
		  ENOMEM_RET);
	ASSERT_EQ(call2(m, NR_munmap, BASE + PG(1000), PG(200), 0), 0);
	ASSERT_EQ(vm_committed_pages(m), 500);
	/* MAP_FIXED over accounted pages: they are still committed while
	 * the new range is charged (500 + 500 - 500 < 768) */
	ASSERT_EQ(mmap_(m, BASE, PG(500), RW, ANON_FIXED), (long)BASE);
	ASSERT_EQ(vm_committed_pages(m), 500);
	/* fork charges the child's copy: 500 + 500 is over */
	ASSERT_EQ(call2(m, NR_fork, 0, 0, 0), ENOMEM_RET);
	ASSERT_EQ(call2(m, NR_munmap, BASE + PG(200), PG(300), 0), 0);
	ASSERT_EQ(call2(m, NR_fork, 0, 0, 0), 2);
	ASSERT_EQ(vm_committed_pages(m), 400);
	machine_free(m);
	return true;
}

/* Mode 2 with overcommit_kbytes, the reserves and total_vm / 32. */
TEST(never_with_kbytes_and_reserves)
{
	struct machine_params p;
	struct machine *m;

	machine_params_default(&p);
	p.mem_total_kb = 4096;
	p.swap_total_kb = 0;
	p.overcommit_memory = OVERCOMMIT_NEVER;
	p.overcommit_kbytes = 2048; /* 512 pages */
	p.admin_reserve_kb = 400;   /* 100 pages */
	p.user_reserve_kb = 40;	    /* 10 pages */
	p.cap_sys_admin = false;
	m = machine_new_params(&p);
	/* allowed = 512 - 100 - min(0 / 32, 10) = 412 */
	ASSERT_EQ(mmap_(m, BASE, PG(412), RW, ANON_FIXED), ENOMEM_RET);
	/* a big read-only mapping raises total_vm: min(3200/32, 10) = 10 */
	ASSERT_EQ(mmap_(m, BASE + PG(10000), PG(3200), PROT_READ, ANON_FIXED),
		  (long)(BASE + PG(10000)));
	ASSERT_EQ(mmap_(m, BASE, PG(402), RW, ANON_FIXED), ENOMEM_RET);
	ASSERT_EQ(mmap_(m, BASE, PG(401), RW, ANON_FIXED), (long)BASE);
	machine_free(m);
	p.cap_sys_admin = true; /* no admin reserve */
	m = machine_new_params(&p);
	ASSERT_EQ(mmap_(m, BASE, PG(511), RW, ANON_FIXED), (long)BASE);
	machine_free(m);
	return true;
}

static const struct test_case tests[] = {
	TEST_ENTRY(guess_refuses_one_request_over_ram_and_swap),
	TEST_ENTRY(guess_fixed_over_a_mapping),
	TEST_ENTRY(always_refuses_nothing),
	TEST_ENTRY(never_keeps_the_total_below_the_commit_limit),
	TEST_ENTRY(never_with_kbytes_and_reserves),
};

int main(void)
{
	return RUN_TESTS("overcommit", tests);
}
