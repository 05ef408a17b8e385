/*
 * test_pages.c - the page-table side of faults: the shared zero page on
 * read faults of private anonymous memory (do_anonymous_page), its
 * replacement by a real page on a write (do_wp_page), and the machine
 * parameter that turns it off, as on a machine that never maps it; and
 * `read` (vm_read): user read faults of anonymous memory and of files.
 */
#include "harness.h"
#include "internal.h"
#include "checked.h"

#define BASE 0x200000000000UL
#define PG(n) ((unsigned long)(n) << PAGE_SHIFT)

static struct machine *new_machine(bool zero_page)
{
	struct machine_params p;

	machine_params_default(&p);
	p.zero_page = zero_page;
	return machine_new_params(&p);
}

static struct vma *vma_at(struct machine *m, unsigned long addr)
{
	return vt_lookup(&cur_mm(m)->tree, addr);
}

static void counts(struct machine *m, unsigned long addr, unsigned long *rss,
		   unsigned long *anon)
{
	vma_page_counts(vma_at(m, addr), rss, anon);
}

/* populate_vma_page_range() of a read-only private VMA: read faults. */
TEST(populate_read_only_maps_zero_page)
{
	struct machine *m = new_machine(true);
	unsigned long rss, anon;
	char pages[8];

	ASSERT_EQ(
		sys_mmap(m, BASE, PG(4), PROT_READ,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE,
			 -1, 0),
		BASE);
	counts(m, BASE, &rss, &anon);
	ASSERT_EQ(rss, 0);
	ASSERT_EQ(anon, 0);
	ASSERT_TRUE(vma_at(m, BASE)->anon_vma == NULL);
	machine_pages(m, BASE, 4, pages);
	ASSERT_STREQ(pages, "zzzz");
	machine_free(m);
	return true;
}

/*
 * A write to a zero page replaces it with the process's own page, and
 * that is when the anon_vma is prepared (wp_page_copy).
 *
 *   zzzz   after MAP_POPULATE of a read-only mapping
 *   zazz   after mprotect RW and a write to page 1
 */
TEST(write_replaces_zero_page)
{
	struct machine *m = new_machine(true);
	unsigned long rss, anon, fault;
	char pages[8];

	sys_mmap(m, BASE, PG(4), PROT_READ,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE, -1, 0);
	ASSERT_EQ(sys_mprotect(m, BASE, PG(4), PROT_READ | PROT_WRITE), 0);
	ASSERT_TRUE(vma_at(m, BASE)->anon_vma == NULL);
	ASSERT_EQ(vm_touch(m, BASE + PG(1), 1, &fault), TOUCH_OK);
	ASSERT_TRUE(vma_at(m, BASE)->anon_vma != NULL);
	counts(m, BASE, &rss, &anon);
	ASSERT_EQ(rss, 1);
	ASSERT_EQ(anon, 1);
	machine_pages(m, BASE, 4, pages);
	ASSERT_STREQ(pages, "zazz");
	machine_free(m);
	return true;
}

/* Zero pages keep an unfaulted VMA unfaulted: it still merges. */
TEST(zero_page_keeps_vma_mergeable)
{
	struct machine *m = new_machine(true);

	sys_mmap(m, BASE, PG(4), PROT_READ,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE, -1, 0);
	sys_mmap(m, BASE + PG(8), PG(4), PROT_READ,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE, -1, 0);
	/*   PPPP****NNNN: both populated with zero pages, no anon_vma */
	sys_mmap(m, BASE + PG(4), PG(4), PROT_READ,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ASSERT_EQ(cur_mm(m)->map_count, 1);
	machine_free(m);
	return true;
}

/* zero_page off: a read fault allocates a counted page and an anon_vma. */
TEST(no_zero_page_machine)
{
	struct machine *m = new_machine(false);
	unsigned long rss, anon;
	char pages[8];

	sys_mmap(m, BASE, PG(4), PROT_READ,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE, -1, 0);
	counts(m, BASE, &rss, &anon);
	ASSERT_EQ(rss, 4);
	ASSERT_EQ(anon, 4);
	ASSERT_TRUE(vma_at(m, BASE)->anon_vma != NULL);
	machine_pages(m, BASE, 4, pages);
	ASSERT_STREQ(pages, "aaaa");
	machine_free(m);
	return true;
}

/* munmap drops zero-page entries like any other (the table is freed). */
TEST(munmap_clears_zero_pages)
{
	struct machine *m = new_machine(true);
	char pages[8];

	sys_mmap(m, BASE, PG(4), PROT_READ,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE, -1, 0);
	ASSERT_EQ(sys_munmap(m, BASE + PG(1), PG(2)), 0);
	machine_pages(m, BASE, 4, pages);
	ASSERT_STREQ(pages, "z..z");
	ASSERT_EQ(sys_munmap(m, BASE, PG(4)), 0);
	machine_pages(m, BASE, 4, pages);
	ASSERT_STREQ(pages, "....");
	machine_free(m);
	return true;
}

/*
 * read: a user read fault of private anonymous memory is the zero page,
 * and of PROT_WRITE or PROT_EXEC memory too (vma_is_accessible); only
 * PROT_NONE and holes are SIGSEGV, at the first such page.
 *
 *   zz__   rw- read, then ---: SIGSEGV at page 2
 */
TEST(read_maps_zero_page_until_prot_none)
{
	struct machine *m = new_machine(true);
	unsigned long fault = 0;
	char pages[8];

	sys_mmap(m, BASE, PG(2), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	sys_mmap(m, BASE + PG(2), PG(2), PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ASSERT_EQ(vm_read(m, BASE, PG(4), &fault), TOUCH_SIGSEGV);
	ASSERT_EQ(fault, BASE + PG(2));
	machine_pages(m, BASE, 4, pages);
	ASSERT_STREQ(pages, "zz..");
	ASSERT_TRUE(vma_at(m, BASE)->anon_vma == NULL);
	sys_mprotect(m, BASE + PG(2), PG(2), PROT_WRITE);
	ASSERT_EQ(vm_read(m, BASE + PG(2), 1, &fault), TOUCH_OK);
	sys_mprotect(m, BASE + PG(3), PG(1), PROT_EXEC);
	ASSERT_EQ(vm_read(m, BASE + PG(3), 1, &fault), TOUCH_OK);
	machine_pages(m, BASE, 4, pages);
	ASSERT_STREQ(pages, "zzzz");
	ASSERT_EQ(vm_read(m, BASE + PG(16), 1, &fault), TOUCH_SIGSEGV);
	ASSERT_EQ(fault, BASE + PG(16));
	machine_free(m);
	return true;
}

/*
 * With protection keys (exec_only_pkey), a PROT_EXEC-only mapping has the
 * execute-only key, and a read fault of it is SIGSEGV; PROT_READ|PROT_EXEC
 * has key 0 and reads as before.
 *
 *   x.r     x: --x, SIGSEGV at page 0; r: r-x, the zero page
 */
TEST(exec_only_pkey_refuses_reads)
{
	struct machine_params p;
	struct machine *m;
	unsigned long fault = 0;
	char pages[8];

	machine_params_default(&p);
	p.exec_only_pkey = true;
	m = machine_new_params(&p);
	sys_mmap(m, BASE, PG(1), PROT_EXEC,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	sys_mmap(m, BASE + PG(2), PG(1), PROT_READ | PROT_EXEC,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ASSERT_EQ(vm_read(m, BASE, 1, &fault), TOUCH_SIGSEGV);
	ASSERT_EQ(fault, BASE);
	ASSERT_EQ(vm_read(m, BASE + PG(2), 1, &fault), TOUCH_OK);
	machine_pages(m, BASE, 3, pages);
	ASSERT_STREQ(pages, "..z");
	/* mprotect to r-x drops the key: the read goes through */
	sys_mprotect(m, BASE, PG(1), PROT_READ | PROT_EXEC);
	ASSERT_EQ(vm_read(m, BASE, 1, &fault), TOUCH_OK);
	machine_free(m);
	return true;
}

/*
 * A read of a private file mapping: do_read_fault reads around the
 * missing page and do_fault_around maps the cached window (16 pages from
 * the aligned start, clamped to the VMA and EOF); no anon_vma.  A write
 * then copies one page (do_wp_page).  Past EOF a read is SIGBUS.
 *
 *   ffffff.. (EOF at 6)   after a read of page 2
 *   ffafff..              after a write to page 2
 */
TEST(read_file_fault_around_then_write)
{
	struct machine *m = new_machine(true);
	unsigned long fault = 0, rss, anon;
	char pages[16];
	long fd = sys_openat(m, AT_FDCWD, "f", O_RDWR | O_CREAT, 0600);

	ASSERT_EQ(sys_ftruncate(m, fd, PG(6)), 0);
	sys_mmap(m, BASE, PG(8), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_FIXED, fd, 0);
	ASSERT_EQ(vm_read(m, BASE + PG(2), 1, &fault), TOUCH_OK);
	machine_pages(m, BASE, 8, pages);
	ASSERT_STREQ(pages, "ffffff..");
	ASSERT_TRUE(vma_at(m, BASE)->anon_vma == NULL);
	ASSERT_EQ(vm_touch(m, BASE + PG(2), 1, &fault), TOUCH_OK);
	ASSERT_TRUE(vma_at(m, BASE)->anon_vma != NULL);
	machine_pages(m, BASE, 8, pages);
	ASSERT_STREQ(pages, "ffafff..");
	counts(m, BASE, &rss, &anon);
	ASSERT_EQ(rss, 6);
	ASSERT_EQ(anon, 1);
	ASSERT_EQ(vm_read(m, BASE + PG(5), PG(2), &fault), TOUCH_SIGBUS);
	ASSERT_EQ(fault, BASE + PG(6));
	machine_free(m);
	return true;
}

/* The page cache of v's file. */
static struct page_set *cache_of(struct machine *m, unsigned long addr)
{
	return &vma_at(m, addr)->vm_file->inode->cache;
}

/*
 * A page cache is as tall as its highest index needs: the first fault of
 * a shmem object makes one PTE table (512 pages), not a PGD, PUD and PMD
 * above it.  An index past 512 pages puts a PMD on top, one past 2^18 a
 * PUD; pages already there stay where they were.
 *
 *   f...............    one page at index 0: a PTE table alone
 *   f.......f.......    and at index 2^18 + 1: PUD, PMD, two PTE tables
 */
TEST(page_cache_grows_levels_as_needed)
{
	struct machine *m = new_machine(true);
	unsigned long len = 2UL << 30, far = (1UL << 30) + PG(1);
	struct page_set *c;
	struct machine *copy;

	ASSERT_EQ(sys_mmap(m, BASE, len, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
		  BASE);
	c = cache_of(m, BASE);
	ASSERT_TRUE(c->root == NULL);
	ASSERT_EQ(vm_touch(m, BASE, 1, &(unsigned long){0}), 0);
	ASSERT_EQ(c->top, 3);
	ASSERT_EQ(c->tables, 1);
	ASSERT_EQ(pages_present(c, 0, ~0UL), 1);
	ASSERT_EQ(vm_touch(m, BASE + far, 1, &(unsigned long){0}), 0);
	ASSERT_EQ(c->top, 1);
	ASSERT_EQ(c->tables, 2);
	ASSERT_EQ(pages_present(c, 0, ~0UL), 2);
	ASSERT_EQ(pages_present(c, 0, PG(1)), 1);
	ASSERT_EQ(pages_present(c, far, far + PG(1)), 1);
	ASSERT_EQ(pages_present(c, PG(1), far), 0);
	/* A copy of the machine has the same cache, shape and all. */
	copy = machine_clone(m);
	c = cache_of(copy, BASE);
	ASSERT_EQ(c->top, 1);
	ASSERT_EQ(pages_present(c, 0, ~0UL), 2);
	machine_free(copy);
	c = cache_of(m, BASE);
	pages_remove(c, 0, PG(1));
	ASSERT_EQ(pages_present(c, 0, ~0UL), 1);
	ASSERT_EQ(c->tables, 1);
	ASSERT_EQ(sys_munmap(m, BASE, len), 0);
	machine_free(m);
	return true;
}

/* The whole cache of a one-table file goes when its last page does. */
TEST(page_cache_of_one_table_empties)
{
	struct machine *m = new_machine(true);
	struct page_set *c;

	sys_mmap(m, BASE, PG(4), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	c = cache_of(m, BASE);
	ASSERT_EQ(vm_touch(m, BASE + PG(2), PG(2), &(unsigned long){0}), 0);
	ASSERT_EQ(c->top, 3);
	ASSERT_EQ(pages_present(c, PG(2), PG(4)), 2);
	ASSERT_EQ(pages_present(c, 0, PG(2)), 0);
	pages_remove(c, 0, ~0UL);
	ASSERT_TRUE(c->root == NULL);
	ASSERT_EQ(c->tables, 0);
	machine_free(m);
	return true;
}

static const struct test_case tests[] = {
	TEST_ENTRY(populate_read_only_maps_zero_page),
	TEST_ENTRY(write_replaces_zero_page),
	TEST_ENTRY(zero_page_keeps_vma_mergeable),
	TEST_ENTRY(no_zero_page_machine),
	TEST_ENTRY(munmap_clears_zero_pages),
	TEST_ENTRY(read_maps_zero_page_until_prot_none),
	TEST_ENTRY(exec_only_pkey_refuses_reads),
	TEST_ENTRY(read_file_fault_around_then_write),
	TEST_ENTRY(page_cache_grows_levels_as_needed),
	TEST_ENTRY(page_cache_of_one_table_empties),
};

int main(void)
{
	return RUN_TESTS("pages", tests);
}
