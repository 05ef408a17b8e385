/*
 * test_check.c - the invariant checker finds what it is for.
 *
 * Each test builds a sound machine (machine_check() finds nothing), breaks
 * one thing by hand, the way a bug in the engine would, and asserts that
 * machine_check() names it with the right code; then mends it, so the
 * machine can be freed.
 */
#include "harness.h"
#include "internal.h"

#define BASE 0x200000000000UL
#define PG(n) (BASE + ((unsigned long)(n) << PAGE_SHIFT))
#define LEN(n) ((unsigned long)(n) << PAGE_SHIFT)
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

static struct check_violation found[64];
static int nfound;

static void map(struct machine *m, unsigned long pg, unsigned long n,
		unsigned long prot)
{
	sys_mmap(m, PG(pg), LEN(n), prot, ANON, -1, 0);
}

static void touch(struct machine *m, unsigned long pg, unsigned long n)
{
	unsigned long f;

	vm_touch(m, PG(pg), LEN(n), &f);
}

static struct vma *at(struct machine *m, unsigned long pg)
{
	return vt_lookup(&cur_mm(m)->tree, PG(pg));
}

static int check(struct machine *m)
{
	nfound = machine_check(m, found, 64);
	return nfound;
}

/* Was code reported (about vma id, unless 0)? */
static bool reported(enum check_code code, unsigned vma)
{
	for (int i = 0; i < nfound && i < 64; i++)
		if (found[i].code == code && (!vma || found[i].vma == vma))
			return true;
	return false;
}

/* A parent with a faulted VMA and a child: the graph has two levels. */
static struct machine *sound(void)
{
	struct machine *m = machine_new();

	map(m, 0, 4, RW);
	map(m, 8, 4, PROT_READ);
	touch(m, 0, 2);
	sys_fork(m);
	return m;
}

TEST(sound_machine_passes)
{
	struct machine *m = sound();

	ASSERT_EQ(check(m), 0);
	machine_free(m);
	return true;
}

TEST(counts_of_the_mm)
{
	struct machine *m = sound();
	struct vma *v = at(m, 0);

	cur_mm(m)->map_count++;
	ASSERT_TRUE(check(m) && reported(CHECK_MAP_COUNT, 0));
	cur_mm(m)->map_count--;
	v->vm_end = v->vm_start;
	ASSERT_TRUE(check(m) && reported(CHECK_EMPTY, v->id));
	v->vm_end = v->vm_start + LEN(4);
	v->vm_start += 1;
	ASSERT_TRUE(check(m) && reported(CHECK_UNALIGNED, v->id));
	v->vm_start -= 1;
	ASSERT_EQ(check(m), 0);
	machine_free(m);
	return true;
}

/*  PPPPNNNN  made alike by hand, with no merge tried: the kernel would
 *  have merged them. */
TEST(mergeable_neighbours)
{
	struct machine *m = machine_new();
	struct vma *p, *n;

	map(m, 0, 4, RW);
	map(m, 4, 4, PROT_READ);
	ASSERT_EQ(check(m), 0);
	p = at(m, 0);
	n = at(m, 4);
	n->vm_flags = p->vm_flags;
	ASSERT_TRUE(check(m) && reported(CHECK_MERGEABLE, p->id));
	ASSERT_EQ(found[0].other, n->id);
	/* Flags that differ are a veto: nothing to report. */
	touch(m, 0, 1);
	n->vm_flags = (p->vm_flags & ~VM_WRITE);
	ASSERT_EQ(check(m), 0);
	machine_free(m);
	return true;
}

TEST(chains_and_trees)
{
	struct machine *m = sound();
	struct vma *v = at(m, 0);
	struct anon_vma *av = v->anon_vma;
	struct anon_vma_chain *c = v->anon_vma_chain, *prev, *next;

	/* The VMA's link missing from the anon_vma's tree: unreachable. */
	prev = c->same_anon_prev;
	next = c->same_anon_next;
	if (prev)
		prev->same_anon_next = next;
	else
		av->avcs = next;
	if (next)
		next->same_anon_prev = prev;
	ASSERT_TRUE(check(m) && reported(CHECK_CHAIN_TREE, v->id));
	ASSERT_TRUE(reported(CHECK_AV_TREE, 0));
	if (prev)
		prev->same_anon_next = c;
	else
		av->avcs = c;
	if (next)
		next->same_anon_prev = c;
	ASSERT_EQ(check(m), 0);
	/* An anon_vma with no link to it on the chain. */
	v->anon_vma = NULL;
	ASSERT_TRUE(check(m) && reported(CHECK_CHAIN_ANON, v->id));
	ASSERT_TRUE(reported(CHECK_AV_ACTIVE, 0));
	v->anon_vma = av;
	ASSERT_EQ(check(m), 0);
	machine_free(m);
	return true;
}

TEST(counts_of_anon_vmas)
{
	struct machine *m = sound();
	struct vma *child;
	struct anon_vma *av = at(m, 0)->anon_vma;

	av->num_active_vmas++;
	ASSERT_TRUE(check(m) && reported(CHECK_AV_ACTIVE, 0));
	ASSERT_EQ(found[0].value, 2);
	ASSERT_EQ(found[0].expect, 1);
	av->num_active_vmas--;
	av->num_children--;
	ASSERT_TRUE(check(m) && reported(CHECK_AV_CHILDREN, 0));
	av->num_children++;
	av->refcount++;
	ASSERT_TRUE(check(m) && reported(CHECK_AV_REFCOUNT, 0));
	av->refcount--;
	/* The child's anon_vma with a parent off its chain. */
	machine_switch(m, 2);
	child = at(m, 0);
	child->anon_vma->parent = child->anon_vma;
	ASSERT_TRUE(check(m) && reported(CHECK_AV_ROOT, 0));
	child->anon_vma->parent = av;
	ASSERT_EQ(check(m), 0);
	machine_free(m);
	return true;
}

/* An anon_vma nobody uses that was never freed. */
TEST(leaked_anon_vma)
{
	struct machine *m = machine_new();
	struct vma *v;
	struct anon_vma *av;
	struct anon_vma_chain *c;

	map(m, 0, 4, RW);
	touch(m, 0, 1);
	v = at(m, 0);
	av = v->anon_vma;
	c = v->anon_vma_chain;
	/* Take the VMA off the anon_vma, as a broken unlink would. */
	v->anon_vma = NULL;
	v->anon_vma_chain = NULL;
	av->avcs = NULL;
	av->num_active_vmas = 0;
	av->num_children = 0;
	av->refcount = 0;
	ASSERT_TRUE(check(m) && reported(CHECK_AV_LEAK, 0));
	ASSERT_TRUE(reported(CHECK_ANON_NO_AV, v->id));
	v->anon_vma = av;
	v->anon_vma_chain = c;
	av->avcs = c;
	av->num_active_vmas = av->num_children = 1;
	av->refcount = 1;
	ASSERT_EQ(check(m), 0);
	machine_free(m);
	return true;
}

/* A page left behind in the page table of a VMA that went away. */
TEST(page_outside_vmas)
{
	struct machine *m = machine_new();

	map(m, 0, 4, RW);
	touch(m, 0, 4);
	sys_munmap(m, PG(0), LEN(4));
	ASSERT_EQ(check(m), 0);
	pages_add(m, &cur_mm(m)->pages, PG(2), PG(3), PAGE_ANON);
	ASSERT_TRUE(check(m) && reported(CHECK_PAGE_OUTSIDE, 0));
	ASSERT_EQ(found[0].value, 1);
	pages_remove(&cur_mm(m)->pages, PG(2), PG(3));
	ASSERT_EQ(check(m), 0);
	machine_free(m);
	return true;
}

/* Checking mode reports a broken invariant once, when it breaks. */

/*
 * The reverse map of a page: a wrong index, an anon_vma the VMA has no
 * chain to, a freed anon_vma, a wrong mapcount.  Page 0 is shared by
 * parent and child after fork.
 */
TEST(pages_unreachable_by_rmap)
{
	struct machine *m = sound();
	struct vma *v = at(m, 0);
	struct anon_page *pg = pages_anon(&cur_mm(m)->pages, PG(0));
	struct anon_vma *av = pg->anon_vma, *other;
	unsigned long index = pg->index;

	ASSERT_EQ(pg->mapcount, 2);
	pg->index++;
	ASSERT_TRUE(check(m) > 0);
	ASSERT_TRUE(reported(CHECK_PAGE_INDEX, v->id));
	pg->index = index;
	/* the child's own anon_vma: the parent has no chain to it */
	machine_switch(m, 2);
	other = at(m, 0)->anon_vma;
	machine_switch(m, 1);
	pg->anon_vma = other;
	pg->av = other->id;
	ASSERT_TRUE(check(m) > 0);
	ASSERT_TRUE(reported(CHECK_PAGE_NO_CHAIN, v->id));
	ASSERT_FALSE(reported(CHECK_PAGE_NO_CHAIN, at(m, 0)->id + 1000));
	pg->av = 999; /* an anon_vma that is not alive */
	ASSERT_TRUE(check(m) > 0);
	ASSERT_TRUE(reported(CHECK_PAGE_AV_FREED, v->id));
	pg->anon_vma = av;
	pg->av = av->id;
	pg->mapcount = 3;
	ASSERT_TRUE(check(m) > 0);
	ASSERT_TRUE(reported(CHECK_PAGE_MAPCOUNT, 0));
	pg->mapcount = 2;
	ASSERT_EQ(check(m), 0);
	machine_free(m);
	return true;
}

TEST(checking_mode_reports_once)
{
	struct machine *m = machine_new();
	struct check_violation v[4];

	machine_set_checking(m, true);
	map(m, 0, 4, RW);
	ASSERT_EQ(machine_check_take(m, v, 4), 0);
	cur_mm(m)->map_count++;
	map(m, 8, 4, RW);
	map(m, 16, 4, RW);
	ASSERT_EQ(machine_check_take(m, v, 4), 1);
	ASSERT_EQ(v[0].code, CHECK_MAP_COUNT);
	ASSERT_EQ(v[0].op, 2);
	cur_mm(m)->map_count--;
	map(m, 24, 4, RW);
	ASSERT_EQ(machine_check_take(m, v, 4), 0);
	machine_free(m);
	return true;
}

/*
 * exit_mmap() frees every VMA without vma_start_write (mm_users is 0),
 * at exit_group and for the old mm of an execve: no lock violation.
 * A munmap of the same VMAs without their locks would be one.
 */
TEST(exit_mmap_needs_no_locks)
{
	struct machine *m = machine_new();
	struct check_violation v[4];

	machine_set_checking(m, true);
	map(m, 0, 4, RW);
	map(m, 8, 4, RW);
	ASSERT_EQ(sys_fork(m), 2);
	ASSERT_TRUE(sys_openat(m, AT_FDCWD, "prog", O_RDWR | O_CREAT, 0755) >= 0);
	ASSERT_EQ(sys_execve(m, "prog"), 0);
	ASSERT_EQ(machine_check_take(m, v, 4), 0);
	ASSERT_EQ(machine_switch(m, 2), 0);
	map(m, 16, 4, RW);
	ASSERT_EQ(sys_exit_group(m, 0), 0);
	ASSERT_EQ(machine_check_take(m, v, 4), 0);
	machine_free(m);
	return true;
}

static const struct test_case tests[] = {
	TEST_ENTRY(sound_machine_passes),
	TEST_ENTRY(counts_of_the_mm),
	TEST_ENTRY(mergeable_neighbours),
	TEST_ENTRY(chains_and_trees),
	TEST_ENTRY(counts_of_anon_vmas),
	TEST_ENTRY(leaked_anon_vma),
	TEST_ENTRY(page_outside_vmas),
	TEST_ENTRY(pages_unreachable_by_rmap),
	TEST_ENTRY(checking_mode_reports_once),
	TEST_ENTRY(exit_mmap_needs_no_locks),
};

int main(void)
{
	return RUN_TESTS("check", tests);
}
