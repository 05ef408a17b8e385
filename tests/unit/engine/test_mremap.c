/*
 * test_mremap.c - the mremap paths that a script on the live kernel cannot
 * reach cheaply: the max_map_count margins of check_mremap_params() and
 * prep_move_vma() (tens of thousands of mappings on the real machine;
 * the numbers were measured there with a C program, see
 * docs/kernel-notes.md), VMAs with VM_DONTEXPAND, VM_PFNMAP or VM_IO
 * (device mappings), and the typed events each path reports.
 */
#include "recorder.h"
#include "harness.h"
#include "internal.h"
#include "checked.h"

#define W 0x200000000000UL
#define PG(n) ((unsigned long)(n) << PAGE_SHIFT)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)
#define RW (PROT_READ | PROT_WRITE)
#define VRW (VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC)

static struct recorder rec;

static void map(struct machine *m, unsigned long start, unsigned long n,
		unsigned long prot)
{
	sys_mmap(m, W + PG(start), PG(n), prot, ANON, -1, 0);
}

/* n one-page VMAs far from the test range, each alone (a gap between). */
static void fill(struct machine *m, int n)
{
	for (int i = 0; i < n; i++)
		sys_mmap(m, W + PG(0x10000 + 2 * i), PG(1), PROT_READ, ANON,
			 -1, 0);
}

static const struct vmalab_event *refused(const struct recorder *r)
{
	return rec_find(r, EV_NOTE, NOTE_MREMAP_REFUSED);
}

/*
 *   VVVV      mremap(V+1p, 1p, 1p, FIXED, far): needs map_count + 2 < max - 3
 * On the kernel (max 65530) the move worked at map_count 65524 and failed
 * with ENOMEM at 65525.
 */
TEST(fixed_move_map_count_margin)
{
	struct machine *m = machine_new();
	long ret;

	machine_set_max_map_count(m, 20);
	map(m, 0, 4, RW);
	fill(m, 14); /* map_count 15 = max - 5 */
	rec_start(&rec, m);
	ret = sys_mremap(m, W + PG(1), PG(1), PG(1),
			 MREMAP_MAYMOVE | MREMAP_FIXED, W + PG(100));
	ASSERT_EQ(ret, -ENOMEM);
	ASSERT_EQ(refused(&rec)->value, MREMAP_MAP_COUNT);
	rec_stop(&rec, m);
	sys_munmap(m, W + PG(0x10000), PG(1)); /* map_count 14 = max - 6 */
	ret = sys_mremap(m, W + PG(1), PG(1), PG(1),
			 MREMAP_MAYMOVE | MREMAP_FIXED, W + PG(100));
	ASSERT_EQ(ret, W + PG(100));
	machine_free(m);
	return true;
}

/*
 *   VVVVN     mremap(V, 4p, 5p, MAYMOVE) moves: prep_move_vma needs
 * map_count < max - 3 (the kernel: fine at 65526, ENOMEM at 65527).
 */
TEST(maymove_map_count_margin)
{
	struct machine *m = machine_new();
	long ret;

	machine_set_max_map_count(m, 20);
	map(m, 0, 4, RW);
	map(m, 4, 1, PROT_READ);
	fill(m, 15); /* map_count 17 = max - 3 */
	ret = sys_mremap(m, W, PG(4), PG(5), MREMAP_MAYMOVE, 0);
	ASSERT_EQ(ret, -ENOMEM);
	sys_munmap(m, W + PG(0x10000), PG(1)); /* 16 = max - 4 */
	ret = sys_mremap(m, W, PG(4), PG(5), MREMAP_MAYMOVE, 0);
	ASSERT_TRUE(ret > 0 && ret != (long)W);
	machine_free(m);
	return true;
}

/*
 *   VVVVVV    a shrink inside V splits it: only split_vma's own limit
 * (the kernel shrank at map_count 65529, one below the maximum).
 */
TEST(shrink_needs_only_split_margin)
{
	struct machine *m = machine_new();

	machine_set_max_map_count(m, 20);
	map(m, 0, 6, RW);
	fill(m, 18); /* map_count 19 */
	ASSERT_EQ(sys_mremap(m, W + PG(1), PG(2), PG(1), 0, 0), W + PG(1));
	ASSERT_EQ(cur_mm(m)->map_count, 20);
	machine_free(m);
	return true;
}

/* A VMA as a driver would make it (io_remap_pfn_range & co.). */
static void given(struct machine *m, unsigned long start, unsigned long n,
		  vm_flags_t flags)
{
	unsigned long a[6] = {W + PG(start), W + PG(start + n),
			      (W >> PAGE_SHIFT) + start, flags, GIVEN_ANON};

	machine_syscall(m, NR_GIVEN_VMA, a, NULL, NULL);
}

/*
 * VM_DONTEXPAND / VM_PFNMAP: growing is EFAULT, MREMAP_DONTUNMAP EINVAL;
 * a plain move of the same size is allowed.
 */
TEST(dontexpand_pfnmap)
{
	struct machine *m = machine_new();

	given(m, 0, 4, VRW | VM_DONTEXPAND);
	given(m, 8, 4, VRW | VM_PFNMAP | VM_IO);
	rec_start(&rec, m);
	ASSERT_EQ(sys_mremap(m, W, PG(4), PG(6), MREMAP_MAYMOVE, 0), -EFAULT);
	ASSERT_EQ(refused(&rec)->value, MREMAP_DONTEXPAND);
	ASSERT_EQ(sys_mremap(m, W + PG(8), PG(4), PG(5), 0, 0), -EFAULT);
	ASSERT_EQ(sys_mremap(m, W, PG(4), PG(4),
			     MREMAP_MAYMOVE | MREMAP_DONTUNMAP, W + PG(100)),
		  -EINVAL);
	rec_stop(&rec, m);
	ASSERT_EQ(sys_mremap(m, W, PG(4), PG(4), MREMAP_MAYMOVE | MREMAP_FIXED,
			     W + PG(200)),
		  W + PG(200));
	ASSERT_EQ(sys_mremap(m, W + PG(200), PG(4), PG(2), 0, 0), W + PG(200));
	machine_free(m);
	return true;
}

/*
 * VM_IO (VM_SPECIAL) without DONTEXPAND: vma_merge_extend() never merges
 * a VM_SPECIAL range, so the growth in place fails with ENOMEM even with
 * room after it.
 */
TEST(special_grow_in_place_is_enomem)
{
	struct machine *m = machine_new();

	given(m, 0, 4, VRW | VM_IO);
	ASSERT_EQ(sys_mremap(m, W, PG(4), PG(6), 0, 0), -ENOMEM);
	ASSERT_EQ(vt_lookup(&cur_mm(m)->tree, W)->vm_end, W + PG(4));
	machine_free(m);
	return true;
}

/*
 * The typed events name the path: shrink, growth in place (and the merge
 * with next), a move with the destination merged, and one without.
 *
 *   VVVV    NNNN   grow V by 4p: in place, next taken in
 *   PPPP(faulted) ....  SSSS(unfaulted) moved beside P: pgoff reset, merged
 */
TEST(path_events)
{
	struct machine *m = machine_new();
	const struct vmalab_event *ev;
	unsigned long fault, rss, anon;

	map(m, 0, 4, RW);
	map(m, 8, 4, RW);
	rec_start(&rec, m);
	ASSERT_EQ(sys_mremap(m, W, PG(4), PG(8), 0, 0), W);
	ASSERT_EQ(rec_count(&rec, EV_NOTE, NOTE_MREMAP_IN_PLACE), 1);
	ASSERT_EQ(rec_count(&rec, EV_MERGE, MERGE_NEW_EXPAND_BOTH), 1);
	rec_stop(&rec, m);

	rec_start(&rec, m);
	ASSERT_EQ(sys_mremap(m, W, PG(12), PG(6), 0, 0), W);
	ev = rec_find(&rec, EV_NOTE, NOTE_MREMAP_SHRINK);
	ASSERT_TRUE(ev && ev->addr == W + PG(6) && ev->len == PG(6));
	rec_stop(&rec, m);

	vm_touch(m, W, PG(6), &fault);
	map(m, 100, 4, RW);
	rec_start(&rec, m);
	ASSERT_EQ(sys_mremap(m, W + PG(100), PG(4), PG(4),
			     MREMAP_MAYMOVE | MREMAP_FIXED, W + PG(6)),
		  W + PG(6));
	ev = rec_find(&rec, EV_NOTE, NOTE_COPY_VMA_PGOFF);
	ASSERT_TRUE(ev && ev->value == 1 && ev->addr == (W >> PAGE_SHIFT) + 6);
	ASSERT_EQ(rec_count(&rec, EV_NOTE, NOTE_COPY_VMA_MERGED), 1);
	ASSERT_EQ(rec_count(&rec, EV_VMA_NEW, VMA_FROM_MREMAP), 0);
	rec_stop(&rec, m);
	ASSERT_EQ(vt_lookup(&cur_mm(m)->tree, W)->vm_end, W + PG(10));

	/* faulted, moved away: pgoff kept, a new VMA there */
	rec_start(&rec, m);
	ASSERT_EQ(sys_mremap(m, W, PG(10), PG(10),
			     MREMAP_MAYMOVE | MREMAP_FIXED, W + PG(200)),
		  W + PG(200));
	ev = rec_find(&rec, EV_NOTE, NOTE_COPY_VMA_PGOFF);
	ASSERT_TRUE(ev && ev->value == 2 && ev->addr == W >> PAGE_SHIFT);
	ASSERT_EQ(rec_count(&rec, EV_VMA_NEW, VMA_FROM_MREMAP), 1);
	ev = rec_find(&rec, EV_NOTE, NOTE_MOVE_PAGE_TABLES);
	ASSERT_TRUE(ev && ev->addr == W && ev->value == W + PG(200));
	rec_stop(&rec, m);
	vma_page_counts(vt_lookup(&cur_mm(m)->tree, W + PG(200)), &rss, &anon);
	ASSERT_EQ(rss, 6);
	ASSERT_EQ(anon, 6);
	machine_free(m);
	return true;
}

static const struct test_case tests[] = {
	TEST_ENTRY(fixed_move_map_count_margin),
	TEST_ENTRY(maymove_map_count_margin),
	TEST_ENTRY(shrink_needs_only_split_margin),
	TEST_ENTRY(dontexpand_pfnmap),
	TEST_ENTRY(special_grow_in_place_is_enomem),
	TEST_ENTRY(path_events),
};

int main(void)
{
	return RUN_TESTS("mremap", tests);
}
