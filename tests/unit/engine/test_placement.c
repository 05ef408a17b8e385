/*
 * test_placement.c - where get_unmapped_area() puts a mapping with no
 * fixed address: the 2 MiB alignment of thp_get_unmapped_area() for
 * regular files and large private anonymous mappings, and its padded hint.
 *
 * Each expectation was first seen on this kernel (6.18, ext4, shmem huge
 * pages off) with a small C program run under setarch -R; the assertions
 * are written relative to the previous mapping, so that they hold for any
 * mmap_base.
 */

#include "harness.h"
#include "internal.h"

#define SZ_2M (2UL << 20)
#define SZ_4M (4UL << 20)

static struct machine *with_file(long *fd)
{
	struct machine *m = machine_new();

	*fd = sys_openat(m, AT_FDCWD, "f8m", O_RDWR | O_CREAT, 0644);
	if (*fd >= 0)
		sys_ftruncate(m, *fd, 8UL << 20);
	return m;
}

/*
 * A file mapping that holds a whole PMD of the file is placed so that its
 * address and its offset agree modulo 2 MiB, as high as that allows:
 *
 *   |......|XXXX|      the lowest mapping so far, at prev
 *   |.FFFF.|XXXX|      FFFF: 4 MiB of the file from offset 4 KiB,
 *                      at an address that is 4 KiB past a 2 MiB boundary
 */
TEST(file_aligned_to_offset)
{
	long fd;
	struct machine *m = with_file(&fd);
	long prev, a;

	ASSERT_TRUE(fd >= 0);
	prev = sys_mmap(m, 0, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_TRUE(prev > 0);
	a = sys_mmap(m, 0, SZ_4M, PROT_READ, MAP_PRIVATE, fd, 4096);
	ASSERT_EQ(a & (SZ_2M - 1), 4096);
	ASSERT_TRUE(a + SZ_4M <= (unsigned long)prev);
	ASSERT_TRUE((unsigned long)prev - (a + SZ_4M) < SZ_2M);
	/* MAP_SHARED of the same file is aligned the same way */
	prev = a;
	a = sys_mmap(m, 0, SZ_2M, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_EQ(a, (prev - SZ_2M) & ~(SZ_2M - 1));
	machine_free(m);
	return true;
}

/*
 * 2 MiB + 4 KiB from offset 4 KiB holds no whole PMD of the file (the
 * first boundary, 2 MiB, leaves only 8 KiB after it): no alignment, the
 * mapping goes right below the previous one.
 *
 *   |..FFFFFF|XXXX|
 */
TEST(file_without_whole_pmd_not_aligned)
{
	long fd;
	struct machine *m = with_file(&fd);
	long prev, a;
	unsigned long len = SZ_2M + 4096;

	ASSERT_TRUE(fd >= 0);
	prev = sys_mmap(m, 0, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	a = sys_mmap(m, 0, len, PROT_READ, MAP_PRIVATE, fd, 4096);
	ASSERT_EQ(a, prev - len);
	/* a small file mapping is never aligned either */
	prev = a;
	a = sys_mmap(m, 0, 8192, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_EQ(a, prev - 8192);
	machine_free(m);
	return true;
}

/*
 * A hint is tried with the padded length (len + 2 MiB) first.  A hint with
 * room for len but not for len + 2 MiB is given up for a top-down search,
 * although the mapping itself would fit there:
 *
 *   hint
 *   |FFFF|X        4 MiB would fit before X, 6 MiB would not:
 *                  the file goes elsewhere (anonymous memory would not)
 */
TEST(file_hint_needs_padded_room)
{
	long fd;
	struct machine *m = with_file(&fd);
	const unsigned long h = 0x200000000000UL;

	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(sys_mmap(m, h + SZ_4M, 4096, PROT_READ,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
		  h + SZ_4M);
	ASSERT_NE(sys_mmap(m, h, SZ_4M, PROT_READ, MAP_PRIVATE, fd, 0), h);
	/* with room for the padding the hint is kept */
	ASSERT_EQ(sys_mmap(m, h + 0x800000, SZ_4M, PROT_READ, MAP_PRIVATE, fd,
			   0),
		  h + 0x800000);
	/* anonymous memory with a hint is never padded */
	ASSERT_EQ(sys_mmap(m, h + 0x1000000, SZ_4M, PROT_READ,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
		  h + 0x1000000);
	machine_free(m);
	return true;
}

/*
 * Private anonymous memory without a hint is aligned only when its length
 * is a multiple of 2 MiB; shared anonymous memory (shmem) is not aligned
 * while shmem huge pages are off.
 */
TEST(anon_alignment)
{
	struct machine *m = machine_new();
	long prev, a;

	prev = sys_mmap(m, 0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	a = sys_mmap(m, 0, SZ_4M, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		     0);
	ASSERT_EQ(a, (prev - SZ_4M) & ~(SZ_2M - 1));
	prev = a;
	a = sys_mmap(m, 0, SZ_4M + 4096, PROT_READ,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_EQ(a, prev - SZ_4M - 4096);
	prev = a;
	a = sys_mmap(m, 0, SZ_4M, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1,
		     0);
	ASSERT_EQ(a, prev - SZ_4M);
	machine_free(m);
	return true;
}

static const struct test_case tests[] = {
	TEST_ENTRY(file_aligned_to_offset),
	TEST_ENTRY(file_without_whole_pmd_not_aligned),
	TEST_ENTRY(file_hint_needs_padded_room),
	TEST_ENTRY(anon_alignment),
};

int main(void)
{
	return RUN_TESTS("placement", tests);
}
