/*
 * test_enomem.c - every allocation that can fail, failing in turn.
 *
 * For each scenario the nth allocation of the operation is made to fail,
 * for every n until the operation succeeds.  After each attempt the tree
 * must be consistent and map_count right; where the kernel makes the
 * operation all-or-nothing (a merge, a single split, a new mapping, fork
 * for the parent) a failed attempt must leave the address space exactly as
 * it was.  Run under ASan, this also proves the error paths leak nothing.
 */
#include <stdio.h>
#include "harness.h"
#include "internal.h"
#include "checked.h"

#define W 0x200000000000UL
#define PG(n) ((unsigned long)(n) << PAGE_SHIFT)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)
#define RW (PROT_READ | PROT_WRITE)

struct scenario {
	const char *name;
	void (*setup)(struct machine *m);
	long (*op)(struct machine *m);
	bool atomic;
};

/* Everything a merge or split can change, one line per VMA. */
static void layout(struct machine *m, char *buf, size_t len)
{
	struct mm *mm = cur_mm(m);
	struct vma *v;
	size_t n = 0;

	buf[0] = '\0';
	vt_for_each(&mm->tree, v)
	{
		unsigned long rss, anon;

		vma_page_counts(v, &rss, &anon);
		n += snprintf(buf + n, n < len ? len - n : 0,
			      "%lx-%lx %lx %lx f%u av%u c%d active%lu "
			      "rss%lu anon%lu\n",
			      v->vm_start, v->vm_end, v->vm_pgoff, v->vm_flags,
			      v->vm_file ? v->vm_file->id : 0,
			      v->anon_vma ? v->anon_vma->id : 0,
			      anon_vma_chain_len(v),
			      v->anon_vma ? v->anon_vma->num_active_vmas : 0,
			      rss, anon);
	}
}

static bool consistent(struct machine *m)
{
	struct mm *mm = cur_mm(m);

	return vt_check(&mm->tree) &&
	       mm->tree.count == (unsigned long)mm->map_count;
}

static void map(struct machine *m, unsigned long start, unsigned long n,
		unsigned long prot)
{
	sys_mmap(m, W + PG(start), PG(n), prot, ANON, -1, 0);
}

static void touch(struct machine *m, unsigned long start, unsigned long n)
{
	unsigned long fault;

	vm_touch(m, W + PG(start), PG(n), &fault);
}

/*      ****
 *  PPPP        a new mapping next to an unfaulted prev: expand prev */
static void setup_prev(struct machine *m)
{
	map(m, 0, 4, RW);
}

static long op_map_after(struct machine *m)
{
	return sys_mmap(m, W + PG(4), PG(4), RW, ANON, -1, 0);
}

/*      ****
 *  PPPP    NNNN   next faulted: expand prev, remove next, dup its anon_vma */
static void setup_gap_faulted_next(struct machine *m)
{
	map(m, 0, 4, RW);
	map(m, 8, 4, RW);
	touch(m, 8, 4);
}

static long op_fill_gap(struct machine *m)
{
	return sys_mmap(m, W + PG(4), PG(4), RW, ANON, -1, 0);
}

/*      <-->
 *  PPPPVVVVNNNN   middle faulted: merge both, dup middle's anon_vma */
static void setup_three(struct machine *m)
{
	/* NORESERVE, so VM_ACCOUNT cannot tell the pieces apart. */
	sys_mmap(m, W, PG(12), PROT_READ, ANON | MAP_NORESERVE, -1, 0);
	sys_mprotect(m, W + PG(4), PG(4), RW);
	touch(m, 4, 4);
}

static long op_mprotect_middle_back(struct machine *m)
{
	return sys_mprotect(m, W + PG(4), PG(4), PROT_READ);
}

/*   <>
 *  VVVVVV   strictly inside: two splits (the first may stay, as in Linux) */
static void setup_one(struct machine *m)
{
	map(m, 0, 6, RW);
	touch(m, 0, 6);
}

static long op_mprotect_inside(struct machine *m)
{
	return sys_mprotect(m, W + PG(2), PG(2), PROT_READ);
}

static long op_munmap_inside(struct machine *m)
{
	return sys_munmap(m, W + PG(2), PG(2));
}

/* A single split at one end. */
static long op_mprotect_head(struct machine *m)
{
	return sys_mprotect(m, W, PG(2), PROT_READ);
}

/* MAP_FIXED over the middle of a faulted VMA. */
static long op_map_fixed_middle(struct machine *m)
{
	return sys_mmap(m, W + PG(2), PG(2), RW, ANON, -1, 0);
}

/* The first fault: anon_vma_prepare. */
static void setup_unfaulted(struct machine *m)
{
	map(m, 0, 4, RW);
	map(m, 4, 4, PROT_READ);
}

static long op_touch(struct machine *m)
{
	unsigned long fault;

	return vm_touch(m, W, PG(4), &fault);
}

/* fork of faulted and unfaulted VMAs: the parent must not change. */
static void setup_fork(struct machine *m)
{
	map(m, 0, 4, RW);
	map(m, 8, 4, PROT_READ);
	touch(m, 0, 2);
	sys_fork(m);
	machine_switch(m, 2);
	touch(m, 0, 4);
}

static long op_fork(struct machine *m)
{
	return sys_fork(m);
}

/*       <-->
 *  VVVV    NNNN   mremap grows V in place and takes in N */
static void setup_grow(struct machine *m)
{
	map(m, 0, 4, RW);
	touch(m, 0, 4);
	map(m, 8, 4, RW);
}

static long op_mremap_grow(struct machine *m)
{
	return sys_mremap(m, W, PG(4), PG(8), 0, 0);
}

/* VV<>VV -> the middle moves away: copy_vma, then the source splits */
static long op_mremap_move_middle(struct machine *m)
{
	return sys_mremap(m, W + PG(2), PG(2), PG(3), MREMAP_MAYMOVE, 0);
}

/* MREMAP_DONTUNMAP of a whole faulted VMA: its anon_vma links go */
static long op_mremap_dontunmap(struct machine *m)
{
	return sys_mremap(m, W, PG(6), PG(6),
			  MREMAP_MAYMOVE | MREMAP_DONTUNMAP, W + PG(100));
}

static const struct scenario scenarios[] = {
	{"mremap grow in place", setup_grow, op_mremap_grow, true},
	{"mremap move middle", setup_one, op_mremap_move_middle, true},
	{"mremap DONTUNMAP", setup_one, op_mremap_dontunmap, true},
	{"map after prev", setup_prev, op_map_after, true},
	{"fill gap, faulted next", setup_gap_faulted_next, op_fill_gap, true},
	{"mprotect merge both", setup_three, op_mprotect_middle_back, true},
	{"mprotect head (one split)", setup_one, op_mprotect_head, true},
	{"mprotect inside", setup_one, op_mprotect_inside, false},
	{"munmap inside", setup_one, op_munmap_inside, false},
	{"MAP_FIXED over middle", setup_one, op_map_fixed_middle, false},
	{"first fault", setup_unfaulted, op_touch, true},
	{"fork of a fork child", setup_fork, op_fork, true},
};

static bool run_scenario(const struct scenario *s)
{
	char before[4096], after[4096];
	int failures = 0;

	for (unsigned long n = 1; n < 200; n++) {
		struct machine *m = machine_new();
		int npids = 0;
		long ret;

		s->setup(m);
		layout(m, before, sizeof(before));
		npids = machine_pids(m, NULL, 0);
		machine_fail_alloc_after(m, n);
		ret = s->op(m);
		/* Did the nth allocation happen at all?  If not, we are done. */
		bool failed = m->fail_after == 0;

		machine_fail_alloc_after(m, 0);
		layout(m, after, sizeof(after));
		if (!consistent(m)) {
			fprintf(stderr, "%s: n=%lu: tree inconsistent\n",
				s->name, n);
			machine_free(m);
			return false;
		}
		if (!failed) {
			machine_free(m);
			ASSERT_TRUE(failures > 0);
			return ret >= 0;
		}
		failures++;
		if (s->atomic && (ret == -ENOMEM || ret == TOUCH_SIGBUS) &&
		    strcmp(before, after) != 0) {
			fprintf(stderr,
				"%s: n=%lu: ENOMEM changed the layout\n"
				"before:\n%safter:\n%s",
				s->name, n, before, after);
			machine_free(m);
			return false;
		}
		if (s->op == op_fork && ret < 0 &&
		    machine_pids(m, NULL, 0) != npids) {
			fprintf(stderr, "%s: failed fork left a process\n",
				s->name);
			machine_free(m);
			return false;
		}
		machine_free(m);
	}
	return false;
}

TEST(enomem_paths)
{
	for (size_t i = 0; i < ARRAY_SIZE(scenarios); i++)
		if (!run_scenario(&scenarios[i])) {
			fprintf(stderr, "scenario failed: %s\n",
				scenarios[i].name);
			return false;
		}
	return true;
}

static const struct test_case tests[] = {
	TEST_ENTRY(enomem_paths),
};

int main(void)
{
	return RUN_TESTS("enomem", tests);
}
