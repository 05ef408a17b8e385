/*
 * test_lockcheck.c - the write-lock checker catches a missing lock.
 *
 * This test is linked with --wrap=vma_start_write (test_lockcheck.ldflags),
 * so every call the merge, split, munmap, mmap, mprotect and fault code
 * makes goes through __wrap_vma_start_write() here.  For each scenario it
 * runs the operation once to count the calls, then again once per call,
 * with that one call removed: an engine with one vma_start_write() taken
 * out.  Each time, if the VMA it would have locked got no other lock in
 * the operation, the checker must report that VMA (changed, removed or
 * new without vma_start_write); and with no call removed it must report
 * nothing.
 */
#include "harness.h"
#include "internal.h"
#include "recorder.h"

#define BASE 0x200000000000UL
#define PG(n) (BASE + ((unsigned long)(n) << PAGE_SHIFT))
#define LEN(n) ((unsigned long)(n) << PAGE_SHIFT)
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

void __real_vma_start_write(struct machine *m, struct vma *v);
void __wrap_vma_start_write(struct machine *m, struct vma *v);

static struct {
	int calls;	   /* calls so far in the operation */
	int drop;	   /* the call to leave out (1, 2, ...), 0: none */
	unsigned dropped;  /* the VMA whose lock was left out */
	unsigned ids[256]; /* the VMA of each call */
} w;

void __wrap_vma_start_write(struct machine *m, struct vma *v)
{
	int n = ++w.calls;

	if (n <= (int)ARRAY_SIZE(w.ids))
		w.ids[n - 1] = v->id;
	if (n == w.drop) {
		w.dropped = v->id;
		return;
	}
	__real_vma_start_write(m, v);
}

static void map(struct machine *m, unsigned long pg, unsigned long n,
		unsigned long prot)
{
	sys_mmap(m, PG(pg), LEN(n), prot, ANON | MAP_NORESERVE, -1, 0);
}

static void touch(struct machine *m, unsigned long pg, unsigned long n)
{
	unsigned long f;

	vm_touch(m, PG(pg), LEN(n), &f);
}

struct scenario {
	const char *name;
	void (*setup)(struct machine *m);
	void (*op)(struct machine *m);
};

/* ---- the merge cases, and the other paths that lock ---- */

static void s_prev(struct machine *m)
{
	map(m, 0, 4, RW);
}
static void s_gap(struct machine *m)
{
	map(m, 0, 4, RW);
	map(m, 8, 4, RW);
	touch(m, 8, 1);
}
static void s_three(struct machine *m)
{
	map(m, 0, 12, PROT_READ);
	sys_mprotect(m, PG(4), LEN(4), RW);
	touch(m, 4, 1);
}
static void s_one(struct machine *m)
{
	map(m, 0, 8, RW);
	touch(m, 0, 8);
}
static void s_two(struct machine *m)
{
	map(m, 0, 4, PROT_READ);
	map(m, 4, 4, RW);
}
static void s_stack(struct machine *m)
{
	sys_mmap(m, PG(16), LEN(4), RW, ANON | MAP_GROWSDOWN, -1, 0);
}

static void o_map_after(struct machine *m) /* PPPP**** expand prev */
{
	map(m, 4, 4, RW);
}
static void s_next(struct machine *m)
{
	map(m, 4, 4, RW);
}
static void o_map_before(struct machine *m) /* ****NNNN expand next */
{
	map(m, 0, 4, RW);
}
static void o_fill(struct machine *m) /* PPPP****NNNN both */
{
	map(m, 4, 4, RW);
}
static void o_both(struct machine *m) /* PPPPVVVVNNNN merge both */
{
	sys_mprotect(m, PG(4), LEN(4), PROT_READ);
}
static void o_left_part(struct machine *m) /* PPPPVVvv */
{
	sys_mprotect(m, PG(4), LEN(2), PROT_READ);
}
static void o_left_full(struct machine *m) /* PPPPVVVV */
{
	sys_mprotect(m, PG(4), LEN(4), PROT_READ);
}
static void o_right_full(struct machine *m) /* VVVVNNNN */
{
	sys_mprotect(m, PG(0), LEN(4), RW);
}
static void o_right_part(struct machine *m) /* vvVVNNNN */
{
	sys_mprotect(m, PG(2), LEN(2), RW);
}
static void o_inside(struct machine *m) /* VV**VVVV: two splits */
{
	sys_mprotect(m, PG(2), LEN(2), PROT_READ);
}
static void o_munmap(struct machine *m) /* gather, split both ends */
{
	sys_munmap(m, PG(2), LEN(4));
}
static void o_fixed(struct machine *m) /* MAP_FIXED over the middle */
{
	sys_mmap(m, PG(2), LEN(2), PROT_READ, ANON, -1, 0);
}
static void o_grow(struct machine *m) /* expand_downwards */
{
	touch(m, 15, 1);
}

static const struct scenario scenarios[] = {
	{"new range: expand prev", s_prev, o_map_after},
	{"new range: expand next", s_next, o_map_before},
	{"new range: expand both", s_gap, o_fill},
	{"existing: merge both", s_three, o_both},
	{"existing: left partial", s_two, o_left_part},
	{"existing: left full", s_two, o_left_full},
	{"existing: right full", s_two, o_right_full},
	{"existing: right partial", s_two, o_right_part},
	{"mprotect inside: two splits", s_one, o_inside},
	{"munmap: gather and split", s_one, o_munmap},
	{"MAP_FIXED over a VMA", s_one, o_fixed},
	{"stack growth", s_stack, o_grow},
};

/* What the checker said about the operation, and whether vma was named. */
static int run(const struct scenario *s, int drop, unsigned *named)
{
	struct machine *m = machine_new();
	struct check_violation v[32];
	int n;

	machine_set_checking(m, true);
	s->setup(m);
	machine_check_take(m, v, 0);
	w.calls = 0;
	w.drop = drop;
	w.dropped = 0;
	s->op(m);
	w.drop = 0;
	n = machine_check_take(m, v, 32);
	*named = 0;
	for (int i = 0; i < n && i < 32; i++)
		if ((v[i].code == CHECK_LOCK_CHANGED ||
		     v[i].code == CHECK_LOCK_REMOVED ||
		     v[i].code == CHECK_LOCK_NEW) &&
		    v[i].vma == w.dropped)
			*named = v[i].vma;
	machine_free(m);
	return n;
}

TEST(every_lock_left_out_is_caught)
{
	int caught = 0;

	for (size_t i = 0; i < ARRAY_SIZE(scenarios); i++) {
		const struct scenario *s = &scenarios[i];
		unsigned named, ids[256];
		int calls;

		/* Untouched, the engine breaks no rule. */
		if (run(s, 0, &named)) {
			fprintf(stderr, "%s: violations with every lock\n",
				s->name);
			return false;
		}
		calls = w.calls;
		memcpy(ids, w.ids, sizeof(ids));
		ASSERT_TRUE(calls > 0);
		for (int k = 1; k <= calls; k++) {
			bool again = false;

			/* Another call locks the same VMA: still locked. */
			for (int j = 0; j < calls; j++)
				again |= j != k - 1 && ids[j] == ids[k - 1];
			run(s, k, &named);
			if (again)
				continue;
			if (named != ids[k - 1]) {
				fprintf(stderr,
					"%s: lock %d of %d (vma#%u) left out, "
					"not reported\n",
					s->name, k, calls, ids[k - 1]);
				return false;
			}
			caught++;
		}
	}
	/* Every scenario had a lock whose loss was caught. */
	ASSERT_TRUE(caught >= (int)ARRAY_SIZE(scenarios));
	return true;
}

/* The fault path's first anon_vma takes no write lock, and needs none. */
TEST(first_fault_needs_no_lock)
{
	struct machine *m = machine_new();
	struct check_violation v[4];

	machine_set_checking(m, true);
	map(m, 0, 4, RW);
	machine_check_take(m, v, 0);
	w.calls = 0;
	touch(m, 0, 4);
	ASSERT_EQ(w.calls, 0);
	ASSERT_TRUE(vt_find(&cur_mm(m)->tree, PG(0))->anon_vma != NULL);
	ASSERT_EQ(machine_check_take(m, v, 4), 0);
	machine_free(m);
	return true;
}

static const struct test_case tests[] = {
	TEST_ENTRY(every_lock_left_out_is_caught),
	TEST_ENTRY(first_fault_needs_no_lock),
};

int main(void)
{
	return RUN_TESTS("lockcheck", tests);
}
