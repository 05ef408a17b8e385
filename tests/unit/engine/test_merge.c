/*
 * test_merge.c - the merge and split rules of mm/vma.c, one scenario each.
 *
 * The first group ports the scenarios of the kernel's tools/testing/vma
 * merge tests (simple_merge, merge_new, merge_existing, anon_vma_non_
 * mergeable, dup_anon_vma, vmi_prealloc_fail, mmap_region_basic), written
 * against this engine: VMAs are built by hand and one operation is run,
 * then the exact outcome is asserted.  Addresses are in pages, as in the
 * kernel's diagrams: one column is 0x1000.
 */
#include "recorder.h"
#include "harness.h"
#include "internal.h"
#include "checked.h"

#define PG(n) ((unsigned long)(n) << PAGE_SHIFT)
#define RW (VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC)
#define RO (VM_READ | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC)

static struct vma *link_vma(struct machine *m, unsigned long start,
			    unsigned long end, unsigned long pgoff,
			    vm_flags_t flags)
{
	struct mm *mm = cur_mm(m);
	struct vma *v = vm_area_alloc(m, mm);

	v->vm_start = PG(start);
	v->vm_end = PG(end);
	v->vm_pgoff = pgoff;
	v->vm_flags = flags;
	vma_link_new(m, mm, v);
	return v;
}

/* Start a new "operation": vma_start_write() marks are per operation. */
static void new_op(struct machine *m)
{
	op_start(m);
}

static bool write_started(struct machine *m, const struct vma *v)
{
	return v->lock_seq == m->op_seq;
}

/* Events, recorded so tests can ask which VMAs were write-locked. */
static struct recorder rec;

/* Give v its own new anon_vma, as a first fault would with no neighbour. */
static void fault_alone(struct machine *m, struct vma *v)
{
	struct vma *prev = vt_prev(v), *next = vt_next(v);

	/* Hide the neighbours so that no anon_vma is reused. */
	if (prev)
		vt_erase(&v->mm->tree, prev);
	if (next)
		vt_erase(&v->mm->tree, next);
	__anon_vma_prepare(m, v);
	if (prev)
		vt_insert(&v->mm->tree, prev);
	if (next)
		vt_insert(&v->mm->tree, next);
}

/* Make dst share src's anon_vma, as the kernel tests' dummy anon_vma does. */
static void share_anon(struct machine *m, struct vma *dst, struct vma *src)
{
	dst->anon_vma = src->anon_vma;
	anon_vma_clone(m, dst, src);
}

static struct vma *merge_new(struct machine *m, unsigned long start,
			     unsigned long end, unsigned long pgoff,
			     vm_flags_t flags, struct vma_merge_struct *vmg)
{
	struct mm *mm = cur_mm(m);

	memset(vmg, 0, sizeof(*vmg));
	vmg->mm = mm;
	vmg->start = PG(start);
	vmg->end = PG(end);
	vmg->pgoff = pgoff;
	vmg->vm_flags = flags;
	vmg->prev = vt_find_prev(&mm->tree, PG(start));
	vmg->next = vt_find(&mm->tree, PG(start));
	new_op(m);
	return vma_merge_new_range(m, vmg);
}

static struct vma *modify(struct machine *m, struct vma *v, unsigned long start,
			  unsigned long end, vm_flags_t flags, int *err)
{
	struct vma *prev = PG(start) > v->vm_start ? v : vt_prev(v);
	struct vma *ret;

	new_op(m);
	ret = vma_modify_flags(m, prev, v, PG(start), PG(end), &flags);
	*err = IS_ERR(ret) ? (int)PTR_ERR(ret) : 0;
	if (IS_ERR(ret))
		return NULL;
	/* vma_modify_flags() leaves the flags to its caller, which locks
	 * the VMA and sets them, as mprotect_fixup() does. */
	vma_start_write(m, ret);
	ret->vm_flags = flags;
	return ret;
}

#define ASSERT_VMA(v, s, e, pg)                  \
	do {                                     \
		ASSERT_EQ((v)->vm_start, PG(s)); \
		ASSERT_EQ((v)->vm_end, PG(e));   \
		ASSERT_EQ((v)->vm_pgoff, (pg));  \
	} while (0)

/*
 *  0123
 *  P*N   -> PPP
 */
TEST(simple_merge)
{
	struct machine *m = machine_new();
	struct vma_merge_struct vmg;
	struct vma *a, *merged;

	a = link_vma(m, 0, 1, 0, RW);
	link_vma(m, 2, 3, 2, RW);
	merged = merge_new(m, 1, 2, 1, RW, &vmg);
	ASSERT_TRUE(merged == a);
	ASSERT_EQ(vmg.state, VMA_MERGE_SUCCESS);
	ASSERT_VMA(a, 0, 3, 0);
	ASSERT_EQ(a->vm_flags, RW);
	ASSERT_EQ(cur_mm(m)->map_count, 1);
	ASSERT_TRUE(vt_check(&cur_mm(m)->tree));
	machine_free(m);
	return true;
}

/*
 *  <>
 * VVV  -> V V' V  (the original struct keeps the middle)
 */
TEST(simple_modify)
{
	struct machine *m = machine_new();
	struct vma *v = link_vma(m, 0, 3, 0, RW), *ret, *first, *last;
	int err;

	ret = modify(m, v, 1, 2, RO, &err);
	ASSERT_TRUE(ret == v);
	ASSERT_VMA(v, 1, 2, 1);
	first = vt_first(&cur_mm(m)->tree);
	last = vt_last(&cur_mm(m)->tree);
	ASSERT_VMA(first, 0, 1, 0);
	ASSERT_VMA(last, 2, 3, 2);
	ASSERT_TRUE(first != v && last != v);
	ASSERT_EQ(cur_mm(m)->map_count, 3);
	ASSERT_TRUE(write_started(m, first) && write_started(m, last));
	machine_free(m);
	return true;
}

TEST(simple_expand)
{
	struct machine *m = machine_new();
	struct vma *v = link_vma(m, 0, 1, 0, RW);
	struct vma_merge_struct vmg = {0};

	vmg.mm = cur_mm(m);
	vmg.target = v;
	vmg.start = 0;
	vmg.end = PG(3);
	vmg.pgoff = 0;
	vmg.vm_flags = RW;
	new_op(m);
	ASSERT_EQ(vma_expand(m, &vmg), 0);
	ASSERT_VMA(v, 0, 3, 0);
	ASSERT_TRUE(write_started(m, v));
	machine_free(m);
	return true;
}

/*
 * The merge_new sequence, every VMA sharing one anon_vma:
 *
 * 0123456789abc
 * AA B       CC   start
 * AA*B   DD  CC   merge both        -> AAAA
 * AAAA*  DD  CC   merge prev        -> AAAAA
 * AAAAA *DD  CC   merge next        -> DDD
 * AAAAA*DDD  CC   merge both        -> AAAAAAAAA
 * AAAAAAAAA *CC   merge next        -> CCC
 * AAAAAAAAA*CCC   merge both        -> one VMA
 */
TEST(merge_new)
{
	struct machine *m = machine_new();
	struct vma_merge_struct vmg;
	struct vma *a, *b, *c, *d, *ret;

	a = link_vma(m, 0, 2, 0, RW);
	b = link_vma(m, 3, 4, 3, RW);
	c = link_vma(m, 0xb, 0xd, 0xb, RW);
	fault_alone(m, a);
	share_anon(m, b, a);
	share_anon(m, c, a);
	d = link_vma(m, 7, 9, 7, RW);
	share_anon(m, d, a);
	ASSERT_EQ(cur_mm(m)->map_count, 4);

	rec_start(&rec, m);
	ret = merge_new(m, 2, 3, 2, RW, &vmg);
	ASSERT_TRUE(ret == a);
	ASSERT_VMA(a, 0, 4, 0);
	/* b is gone, but the events show it was write-locked first. */
	ASSERT_TRUE(write_started(m, a));
	ASSERT_TRUE(rec_locked(&rec, PG(3)));
	ASSERT_EQ(rec_count(&rec, EV_MERGE, MERGE_NEW_EXPAND_BOTH), 1);
	ASSERT_EQ(rec_count(&rec, EV_VMA_FREE, VMA_GONE_MERGE), 1);
	rec_stop(&rec, m);
	(void)b;
	ASSERT_EQ(cur_mm(m)->map_count, 3);

	ret = merge_new(m, 4, 5, 4, RW, &vmg);
	ASSERT_TRUE(ret == a);
	ASSERT_VMA(a, 0, 5, 0);
	ASSERT_EQ(cur_mm(m)->map_count, 3);

	ret = merge_new(m, 6, 7, 6, RW, &vmg);
	ASSERT_TRUE(ret == d);
	ASSERT_VMA(d, 6, 9, 6);
	ASSERT_TRUE(write_started(m, d));

	ret = merge_new(m, 5, 6, 5, RW, &vmg);
	ASSERT_TRUE(ret == a);
	ASSERT_VMA(a, 0, 9, 0);
	ASSERT_EQ(cur_mm(m)->map_count, 2);

	ret = merge_new(m, 0xa, 0xb, 0xa, RW, &vmg);
	ASSERT_TRUE(ret == c);
	ASSERT_VMA(c, 0xa, 0xd, 0xa);

	ret = merge_new(m, 9, 0xa, 9, RW, &vmg);
	ASSERT_TRUE(ret == a);
	ASSERT_VMA(a, 0, 0xd, 0);
	ASSERT_EQ(cur_mm(m)->map_count, 1);
	ASSERT_TRUE(a->anon_vma != NULL);
	ASSERT_TRUE(vt_check(&cur_mm(m)->tree));
	machine_free(m);
	return true;
}

/* VM_SPECIAL never merges, new or existing:  AAA*  and  AAAB */
TEST(merge_special_flags)
{
	static const vm_flags_t special[] = {VM_IO, VM_DONTEXPAND, VM_PFNMAP,
					     VM_MIXEDMAP};

	ASSERT_EQ(VM_SPECIAL, VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP);
	for (size_t i = 0; i < ARRAY_SIZE(special); i++) {
		struct machine *m = machine_new();
		struct vma_merge_struct vmg;
		struct vma *a = link_vma(m, 0, 3, 0, RW | special[i]), *b;
		int err;

		ASSERT_TRUE(merge_new(m, 3, 4, 3, RW | special[i], &vmg) ==
			    NULL);
		ASSERT_EQ(vmg.state, VMA_MERGE_NOMERGE);
		b = link_vma(m, 3, 4, 3, RW);
		/* Giving B A's flags would merge, but they are special. */
		ASSERT_TRUE(modify(m, b, 3, 4, RW | special[i], &err) == b);
		ASSERT_VMA(a, 0, 3, 0);
		ASSERT_VMA(b, 3, 4, 3);
		ASSERT_EQ(cur_mm(m)->map_count, 2);
		machine_free(m);
	}
	return true;
}

/*
 *    <->
 *  VVVVNNN   partial right  -> VNNNNNN, next returned
 */
TEST(merge_existing_partial_right)
{
	struct machine *m = machine_new();
	struct vma *v = link_vma(m, 2, 6, 2, RW);
	struct vma *next = link_vma(m, 6, 9, 6, RO);
	int err;

	ASSERT_TRUE(modify(m, v, 3, 6, RO, &err) == next);
	ASSERT_VMA(next, 3, 9, 3);
	ASSERT_VMA(v, 2, 3, 2);
	ASSERT_TRUE(write_started(m, v) && write_started(m, next));
	ASSERT_EQ(cur_mm(m)->map_count, 2);
	machine_free(m);
	return true;
}

/*
 *  <-->
 *  VVVVNNN   full right  -> NNNNNNN, middle deleted
 */
TEST(merge_existing_full_right)
{
	struct machine *m = machine_new();
	struct vma *v = link_vma(m, 2, 6, 2, RW);
	struct vma *next = link_vma(m, 6, 9, 6, RO);
	int err;

	(void)v;
	ASSERT_TRUE(modify(m, v, 2, 6, RO, &err) == next);
	ASSERT_VMA(next, 2, 9, 2);
	ASSERT_EQ(cur_mm(m)->map_count, 1);
	machine_free(m);
	return true;
}

/*
 *     <->
 *  PPPVVVV   partial left  -> PPPPPPV, middle starts at 6 with pgoff 6
 */
TEST(merge_existing_partial_left)
{
	struct machine *m = machine_new();
	struct vma *prev = link_vma(m, 0, 3, 0, RO);
	struct vma *v = link_vma(m, 3, 7, 3, RW);
	int err;

	ASSERT_TRUE(modify(m, v, 3, 6, RO, &err) == prev);
	ASSERT_VMA(prev, 0, 6, 0);
	ASSERT_VMA(v, 6, 7, 6);
	ASSERT_TRUE(write_started(m, prev) && write_started(m, v));
	ASSERT_EQ(cur_mm(m)->map_count, 2);
	machine_free(m);
	return true;
}

/*
 *     <-->
 *  PPPVVVV   full left  -> PPPPPPP
 */
TEST(merge_existing_full_left)
{
	struct machine *m = machine_new();
	struct vma *prev = link_vma(m, 0, 3, 0, RO);
	struct vma *v = link_vma(m, 3, 7, 3, RW);
	int err;

	ASSERT_TRUE(modify(m, v, 3, 7, RO, &err) == prev);
	ASSERT_VMA(prev, 0, 7, 0);
	ASSERT_EQ(cur_mm(m)->map_count, 1);
	machine_free(m);
	return true;
}

/*
 *     <-->
 *  PPPVVVVNNN   both  -> PPPPPPPPPP
 */
TEST(merge_existing_both)
{
	struct machine *m = machine_new();
	struct vma *prev = link_vma(m, 0, 3, 0, RO);
	struct vma *v = link_vma(m, 3, 7, 3, RW);
	struct vma *next = link_vma(m, 7, 9, 7, RO);
	int err;

	ASSERT_TRUE(modify(m, v, 3, 7, RO, &err) == prev);
	ASSERT_VMA(prev, 0, 9, 0);
	ASSERT_EQ(cur_mm(m)->map_count, 1);
	(void)next;
	machine_free(m);
	return true;
}

/*
 * Ranges strictly inside the middle never merge; they split it in three:
 *
 *  PPPVVVVVNNN  with any of  [4,5) [5,6) [6,7) [4,7) [4,6) [5,7)
 */
TEST(merge_existing_inside)
{
	static const unsigned long ranges[][2] = {
		{4, 5}, {5, 6}, {6, 7}, {4, 7}, {4, 6}, {5, 7},
	};

	for (size_t i = 0; i < ARRAY_SIZE(ranges); i++) {
		struct machine *m = machine_new();
		struct vma *prev = link_vma(m, 0, 3, 0, RO);
		struct vma *v = link_vma(m, 3, 8, 3, RW);
		struct vma *next = link_vma(m, 8, 0xb, 8, RO);
		unsigned long s = ranges[i][0], e = ranges[i][1];
		int err;

		ASSERT_TRUE(modify(m, v, s, e, RO, &err) == v);
		ASSERT_VMA(v, s, e, s);
		ASSERT_VMA(prev, 0, 3, 0);
		ASSERT_VMA(next, 8, 0xb, 8);
		ASSERT_EQ(cur_mm(m)->map_count, 5);
		ASSERT_TRUE(vt_check(&cur_mm(m)->tree));
		machine_free(m);
	}
	return true;
}

/*
 * prev and next have different anon_vmas, middle none:
 *
 *     <-->
 *  PPPVVVVNNN  ->  PPPPPPPNNN   (only prev merges; next is not locked)
 */
TEST(anon_vma_non_mergeable)
{
	struct machine *m = machine_new();
	struct vma *prev = link_vma(m, 0, 3, 0, RO);
	struct vma *v = link_vma(m, 3, 7, 3, RW);
	struct vma *next = link_vma(m, 7, 0xa, 7, RO);
	struct vma_merge_struct vmg;
	int err;

	fault_alone(m, prev);
	fault_alone(m, next);
	ASSERT_TRUE(prev->anon_vma != next->anon_vma);
	ASSERT_TRUE(modify(m, v, 3, 7, RO, &err) == prev);
	ASSERT_VMA(prev, 0, 7, 0);
	ASSERT_VMA(next, 7, 0xa, 7);
	ASSERT_FALSE(write_started(m, next));
	ASSERT_EQ(cur_mm(m)->map_count, 2);
	machine_free(m);

	/* The same for a new range:  PPP****NNN -> PPPPPPPNNN */
	m = machine_new();
	prev = link_vma(m, 0, 3, 0, RW);
	next = link_vma(m, 7, 0xa, 7, RW);
	fault_alone(m, prev);
	fault_alone(m, next);
	ASSERT_TRUE(merge_new(m, 3, 7, 3, RW, &vmg) == prev);
	ASSERT_VMA(prev, 0, 7, 0);
	ASSERT_VMA(next, 7, 0xa, 7);
	ASSERT_FALSE(write_started(m, next));
	machine_free(m);
	return true;
}

/*
 * dup_anon_vma(): the survivor takes the anon_vma of what it swallows.
 *
 *  PPP*NNN    (only next faulted) expand prev over next -> prev has it
 *  PPPVVVNNN  (only next faulted) merge both            -> prev has it
 *  PPPVVVNNN  (only middle faulted) merge both          -> prev has it
 *  PPPVVV     (middle faulted) partial merge left       -> prev has it
 *  VVVNNN     (middle faulted) partial merge right      -> next has it
 */
TEST(dup_anon_vma)
{
	struct machine *m = machine_new();
	struct vma *prev = link_vma(m, 0, 3, 0, RW), *v, *next;
	struct vma_merge_struct vmg;
	int err;

	next = link_vma(m, 4, 7, 4, RW);
	fault_alone(m, next);
	ASSERT_TRUE(merge_new(m, 3, 4, 3, RW, &vmg) == prev);
	ASSERT_VMA(prev, 0, 7, 0);
	ASSERT_TRUE(prev->anon_vma != NULL);
	ASSERT_TRUE(anon_vma_chain_singular(prev));
	machine_free(m);

	m = machine_new();
	prev = link_vma(m, 0, 3, 0, RO);
	v = link_vma(m, 3, 6, 3, RW);
	next = link_vma(m, 6, 9, 6, RO);
	fault_alone(m, next);
	ASSERT_TRUE(modify(m, v, 3, 6, RO, &err) == prev);
	ASSERT_VMA(prev, 0, 9, 0);
	ASSERT_TRUE(prev->anon_vma != NULL);
	machine_free(m);

	m = machine_new();
	prev = link_vma(m, 0, 3, 0, RO);
	v = link_vma(m, 3, 6, 3, RW);
	next = link_vma(m, 6, 9, 6, RO);
	fault_alone(m, v);
	ASSERT_TRUE(modify(m, v, 3, 6, RO, &err) == prev);
	ASSERT_VMA(prev, 0, 9, 0);
	ASSERT_TRUE(prev->anon_vma != NULL);
	machine_free(m);

	m = machine_new();
	prev = link_vma(m, 0, 3, 0, RO);
	v = link_vma(m, 3, 6, 3, RW);
	fault_alone(m, v);
	ASSERT_TRUE(modify(m, v, 3, 5, RO, &err) == prev);
	ASSERT_VMA(prev, 0, 5, 0);
	ASSERT_VMA(v, 5, 6, 5);
	ASSERT_TRUE(prev->anon_vma == v->anon_vma);
	machine_free(m);

	m = machine_new();
	v = link_vma(m, 0, 3, 0, RW);
	next = link_vma(m, 3, 6, 3, RO);
	fault_alone(m, v);
	ASSERT_TRUE(modify(m, v, 1, 3, RO, &err) == next);
	ASSERT_VMA(next, 1, 6, 1);
	ASSERT_VMA(v, 0, 1, 0);
	ASSERT_TRUE(next->anon_vma == v->anon_vma);
	machine_free(m);
	return true;
}

/*
 * vmi_prealloc_fail: the allocation behind a merge fails.  The merge
 * reports ENOMEM and no VMA changes; the anon_vma it had duplicated is
 * unlinked again.
 *
 *     <-->
 *  PPPVVVV  (middle faulted, prev not)
 */
TEST(prealloc_fail)
{
	struct machine *m = machine_new();
	struct vma *prev = link_vma(m, 0, 3, 0, RO);
	struct vma *v = link_vma(m, 3, 7, 3, RW);
	int err = 0;

	fault_alone(m, v);
	/* dup_anon_vma's clone allocates one chain link; then prealloc. */
	machine_fail_alloc_after(m, 2);
	ASSERT_TRUE(modify(m, v, 3, 7, RO, &err) == NULL);
	ASSERT_EQ(err, -ENOMEM);
	ASSERT_VMA(prev, 0, 3, 0);
	ASSERT_VMA(v, 3, 7, 3);
	ASSERT_TRUE(prev->anon_vma == NULL);
	ASSERT_TRUE(prev->anon_vma_chain == NULL);
	ASSERT_EQ(v->anon_vma->num_active_vmas, 1);
	machine_fail_alloc_after(m, 0);
	machine_free(m);
	return true;
}

/*
 * mmap_region_basic: two mappings, then one adjacent to each:
 *
 *   0x24d000 *** 0x250000 AAA   0x300000 BBB ***
 *   -> [0x24d000, 0x253000) and [0x300000, 0x306000)
 */
TEST(mmap_region_basic)
{
	struct machine *m = machine_new();
	const unsigned long fl = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
	const unsigned long prot = PROT_READ | PROT_WRITE;
	struct vma *v;

	ASSERT_EQ(sys_mmap(m, 0x300000, 0x3000, prot, fl, -1, 0), 0x300000);
	ASSERT_EQ(sys_mmap(m, 0x250000, 0x3000, prot, fl, -1, 0), 0x250000);
	ASSERT_EQ(sys_mmap(m, 0x303000, 0x3000, prot, fl, -1, 0), 0x303000);
	ASSERT_EQ(sys_mmap(m, 0x24d000, 0x3000, prot, fl, -1, 0), 0x24d000);
	ASSERT_EQ(cur_mm(m)->map_count, 2);
	v = vt_first(&cur_mm(m)->tree);
	ASSERT_EQ(v->vm_start, 0x24d000);
	ASSERT_EQ(v->vm_end, 0x253000);
	ASSERT_EQ(v->vm_pgoff, 0x24d);
	v = vt_next(v);
	ASSERT_EQ(v->vm_start, 0x300000);
	ASSERT_EQ(v->vm_end, 0x306000);
	ASSERT_EQ(v->vm_pgoff, 0x300);
	machine_free(m);
	return true;
}

/*
 * split_vma() refuses at vm.max_map_count; __split_vma in munmap's first
 * split checks only for a split in the middle.
 */
TEST(max_map_count)
{
	struct machine *m = machine_new();
	struct vma *v = link_vma(m, 0, 4, 0, RW);
	int err;

	m->max_map_count = 1;
	ASSERT_TRUE(modify(m, v, 1, 2, RO, &err) == NULL);
	ASSERT_EQ(err, -ENOMEM);
	ASSERT_VMA(v, 0, 4, 0);
	ASSERT_EQ(do_vmi_munmap(m, cur_mm(m), PG(1), PG(1)), -ENOMEM);
	/* Unmapping an end needs no extra VMA: allowed.  The split leaves
	 * the original struct on the unmapped part, so it is freed. */
	ASSERT_EQ(do_vmi_munmap(m, cur_mm(m), PG(3), PG(1)), 0);
	ASSERT_VMA(vt_first(&cur_mm(m)->tree), 0, 3, 0);
	ASSERT_EQ(cur_mm(m)->map_count, 1);
	machine_free(m);
	return true;
}

static const struct test_case tests[] = {
	TEST_ENTRY(simple_merge),
	TEST_ENTRY(simple_modify),
	TEST_ENTRY(simple_expand),
	TEST_ENTRY(merge_new),
	TEST_ENTRY(merge_special_flags),
	TEST_ENTRY(merge_existing_partial_right),
	TEST_ENTRY(merge_existing_full_right),
	TEST_ENTRY(merge_existing_partial_left),
	TEST_ENTRY(merge_existing_full_left),
	TEST_ENTRY(merge_existing_both),
	TEST_ENTRY(merge_existing_inside),
	TEST_ENTRY(anon_vma_non_mergeable),
	TEST_ENTRY(dup_anon_vma),
	TEST_ENTRY(prealloc_fail),
	TEST_ENTRY(mmap_region_basic),
	TEST_ENTRY(max_map_count),
};

int main(void)
{
	return RUN_TESTS("merge", tests);
}
