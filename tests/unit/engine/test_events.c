/*
 * test_events.c - the engine's typed events: every merge case and every
 * refusal is reported with its code (asserted on the events, never on
 * text), any number of observers hear the same steps, and one added in
 * the middle hears what follows.
 *
 * Addresses are in pages from BASE; P, V, N are prev, the VMA being
 * changed (middle) and next, as in the kernel's diagrams.
 */
#include "harness.h"
#include "internal.h"
#include "recorder.h"
#include "checked.h"

#define BASE 0x200000000000UL
#define PG(n) (BASE + ((unsigned long)(n) << PAGE_SHIFT))
#define LEN(n) ((unsigned long)(n) << PAGE_SHIFT)
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

static struct recorder rec;

static long map(struct machine *m, unsigned long pg, unsigned long n,
		unsigned long prot)
{
	return sys_mmap(m, PG(pg), LEN(n), prot, ANON, -1, 0);
}

static void fault(struct machine *m, unsigned long pg)
{
	unsigned long f;

	vm_touch(m, PG(pg), 1, &f);
}

/* The merge case of the last operation, 0 if none. */
static int merge_case(void)
{
	const struct vmalab_event *e = rec_find(&rec, EV_MERGE, -1);

	return e ? e->code : 0;
}

/* Run op with the recorder on; then ask what it did. */
#define RECORDED(m, op, answer)       \
	({                            \
		rec_start(&rec, (m)); \
		op;                   \
		rec_stop(&rec, (m));  \
		answer();             \
	})
/* The merge case op made. */
#define CASE_OF(m, op) RECORDED(m, op, merge_case)

/*
 *  PPPP****        PPPP****NNNN        ****NNNN
 *  expand prev     expand both         expand next
 */
TEST(new_range_cases)
{
	struct machine *m = machine_new();

	map(m, 0, 4, RW);
	ASSERT_EQ(CASE_OF(m, map(m, 4, 4, RW)), MERGE_NEW_EXPAND_PREV);
	map(m, 12, 4, RW);
	ASSERT_EQ(CASE_OF(m, map(m, 8, 4, RW)), MERGE_NEW_EXPAND_BOTH);
	ASSERT_EQ(cur_mm(m)->map_count, 1);
	map(m, 24, 4, RW);
	ASSERT_EQ(CASE_OF(m, map(m, 20, 4, RW)), MERGE_NEW_EXPAND_NEXT);
	/* The merge names its target: prev for both. */
	CASE_OF(m, map(m, 16, 4, RW));
	ASSERT_EQ(rec_find(&rec, EV_MERGE, -1)->start, PG(0));
	ASSERT_EQ(rec_count(&rec, EV_VMA_FREE, VMA_GONE_MERGE), 1);
	machine_free(m);
	return true;
}

/*
 *  PPPPVVVVNNNN  mprotect V as P and N    -> merge both
 *  PPPPVVVV      mprotect all of V as P   -> merge left, V deleted
 *  PPPPVVvv      mprotect the head of V   -> merge left, V shrinks
 *  VVVVNNNN      mprotect all of V as N   -> merge right, V deleted
 *  vvVVNNNN      mprotect the tail of V   -> merge right, V shrinks
 */
TEST(existing_range_cases)
{
	struct machine *m = machine_new();

	map(m, 0, 4, PROT_READ);
	map(m, 4, 4, RW);
	map(m, 8, 4, PROT_READ);
	ASSERT_EQ(CASE_OF(m, sys_mprotect(m, PG(4), LEN(4), PROT_READ)),
		  MERGE_EXISTING_BOTH);
	/* prev, middle and next were write-locked; middle and next went. */
	ASSERT_TRUE(rec_locked(&rec, PG(0)) && rec_locked(&rec, PG(4)) &&
		    rec_locked(&rec, PG(8)));
	ASSERT_EQ(rec_count(&rec, EV_VMA_FREE, VMA_GONE_MERGE), 2);

	map(m, 16, 4, PROT_READ);
	map(m, 20, 4, RW);
	ASSERT_EQ(CASE_OF(m, sys_mprotect(m, PG(20), LEN(4), PROT_READ)),
		  MERGE_EXISTING_LEFT_FULL);
	map(m, 28, 4, PROT_READ);
	map(m, 32, 4, RW);
	ASSERT_EQ(CASE_OF(m, sys_mprotect(m, PG(32), LEN(2), PROT_READ)),
		  MERGE_EXISTING_LEFT_PART);
	map(m, 40, 4, RW);
	map(m, 44, 4, PROT_READ);
	ASSERT_EQ(CASE_OF(m, sys_mprotect(m, PG(40), LEN(4), PROT_READ)),
		  MERGE_EXISTING_RIGHT_FULL);
	map(m, 52, 4, RW);
	map(m, 56, 4, PROT_READ);
	ASSERT_EQ(CASE_OF(m, sys_mprotect(m, PG(54), LEN(2), PROT_READ)),
		  MERGE_EXISTING_RIGHT_PART);
	/* Strictly inside: no merge at all, and it says so. */
	map(m, 64, 4, RW);
	ASSERT_EQ(CASE_OF(m, sys_mprotect(m, PG(65), LEN(1), PROT_READ)), 0);
	ASSERT_EQ(rec_count(&rec, EV_NOMERGE, VETO_INSIDE), 1);
	ASSERT_EQ(rec_count(&rec, EV_VMA_NEW, VMA_FROM_SPLIT), 2);
	machine_free(m);
	return true;
}

/* The veto the last refused can_vma_merge_* gave, or -1. */
static int last_veto(void)
{
	int code = -1;

	for (int i = 0; i < rec.n; i++)
		if (rec.ev[i].kind == EV_VETO)
			code = rec.ev[i].code;
	return code;
}

/* The veto op's last refusal gave. */
#define VETO_OF(m, op) RECORDED(m, op, last_veto)

TEST(refusals_have_codes)
{
	struct machine *m = machine_new();
	long fd1, fd2;

	/* PPPP**** with PROT_READ against RW: vm_flags differ. */
	map(m, 0, 4, RW);
	ASSERT_EQ(VETO_OF(m, map(m, 4, 4, PROT_READ)), VETO_FLAGS);
	ASSERT_TRUE(rec_find(&rec, EV_VETO, VETO_FLAGS)->diff & VM_WRITE);
	/* Two faulted VMAs with their own anon_vmas. */
	map(m, 16, 4, RW);
	fault(m, 16);
	map(m, 24, 4, RW);
	fault(m, 24);
	map(m, 20, 4, PROT_READ);
	ASSERT_EQ(VETO_OF(m, sys_mprotect(m, PG(20), LEN(4), RW)),
		  VETO_PREV_NEXT_ANON);
	/* A file next to anonymous memory. */
	fd1 = sys_openat(m, AT_FDCWD, "f", O_RDWR | O_CREAT, 0600);
	sys_ftruncate(m, fd1, LEN(64));
	ASSERT_EQ(VETO_OF(m, sys_mmap(m, PG(28), LEN(4), RW,
				      MAP_PRIVATE | MAP_FIXED, fd1, LEN(28))),
		  VETO_FILE_ANON);
	/* The same file opened twice: two struct files. */
	fd2 = sys_openat(m, AT_FDCWD, "f", O_RDWR, 0);
	ASSERT_EQ(VETO_OF(m, sys_mmap(m, PG(32), LEN(4), RW,
				      MAP_PRIVATE | MAP_FIXED, fd2, LEN(32))),
		  VETO_FILE_STRUCT);
	/* One fd, but the offsets do not follow on. */
	ASSERT_EQ(VETO_OF(m, sys_mmap(m, PG(36), LEN(4), RW,
				      MAP_PRIVATE | MAP_FIXED, fd2, 0)),
		  VETO_PGOFF);
	machine_free(m);
	return true;
}

/*
 * A fork child's VMA (its chain has two links) refuses an unfaulted
 * neighbour in both directions (vma_is_fork_child).
 */
TEST(fork_child_vetoes)
{
	struct machine *m = machine_new();

	map(m, 0, 4, RW);
	fault(m, 0);
	machine_switch(m, (int)sys_fork(m));
	/* ****: unfaulted range next to the child's faulted VMA */
	ASSERT_EQ(VETO_OF(m, map(m, 4, 4, RW)), VETO_TGT_FORK_CHILD);
	/* the child's faulted VMA changing next to an unfaulted one */
	sys_mprotect(m, PG(4), LEN(4), RW | PROT_EXEC);
	ASSERT_EQ(VETO_OF(m, sys_mprotect(m, PG(0), LEN(4), RW | PROT_EXEC)),
		  VETO_SRC_FORK_CHILD);
	machine_free(m);
	return true;
}

/* Two observers hear the same events, in the same order. */
TEST(two_observers_see_every_event)
{
	static struct recorder a, b;
	struct engine_observer oa = rec_observer(&a), ob = rec_observer(&b);
	struct machine *m = machine_new();

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	ASSERT_EQ(machine_add_observer(m, &oa), 0);
	ASSERT_EQ(machine_add_observer(m, &ob), 0);
	ASSERT_EQ(machine_add_observer(m, &ob), -EEXIST);
	map(m, 0, 4, RW);
	map(m, 4, 4, RW);
	fault(m, 1);
	sys_mprotect(m, PG(2), LEN(1), PROT_READ);
	sys_munmap(m, PG(0), LEN(1));
	ASSERT_TRUE(a.n > 20 && !a.overflow);
	ASSERT_EQ(a.n, b.n);
	for (int i = 0; i < a.n; i++) {
		ASSERT_EQ(a.ev[i].kind, b.ev[i].kind);
		ASSERT_EQ(a.ev[i].code, b.ev[i].code);
		ASSERT_EQ(a.ev[i].vma, b.ev[i].vma);
		ASSERT_EQ(a.ev[i].start, b.ev[i].start);
	}
	ASSERT_EQ(machine_remove_observer(m, &oa), 0);
	ASSERT_EQ(machine_remove_observer(m, &oa), -ENOENT);
	map(m, 8, 4, RW);
	ASSERT_TRUE(b.n > a.n);
	machine_free(m);
	return true;
}

/* An observer added in the middle hears what follows, nothing before. */
TEST(late_observer)
{
	struct machine *m = machine_new();

	map(m, 0, 4, RW);
	rec_start(&rec, m);
	ASSERT_EQ(rec.n, 0);
	map(m, 4, 4, RW);
	ASSERT_EQ(rec_count(&rec, EV_ENTER, FN_DO_MMAP), 1);
	ASSERT_EQ(rec_count(&rec, EV_MERGE, MERGE_NEW_EXPAND_PREV), 1);
	/* Depth nests the merge inside do_mmap. */
	ASSERT_EQ(rec_find(&rec, EV_ENTER, FN_DO_MMAP)->depth, 0);
	ASSERT_EQ(rec_find(&rec, EV_MERGE, -1)->depth, 2);
	ASSERT_EQ(rec.ev[rec.n - 1].kind, EV_LEAVE);
	ASSERT_EQ(rec.ev[rec.n - 1].depth, 0);
	rec_stop(&rec, m);
	machine_free(m);
	return true;
}

/* The pid of an event is the process whose mm it is about. */
TEST(events_name_their_process)
{
	struct machine *m = machine_new();
	const struct vmalab_event *e;

	map(m, 0, 4, RW);
	rec_start(&rec, m);
	sys_fork(m);
	e = rec_find(&rec, EV_VMA_NEW, VMA_FROM_FORK);
	ASSERT_TRUE(e != NULL);
	ASSERT_EQ(e->pid, 2);
	ASSERT_EQ(e->start, PG(0));
	ASSERT_EQ(rec_find(&rec, EV_ENTER, FN_DUP_MMAP)->pid, 1);
	rec_stop(&rec, m);
	machine_free(m);
	return true;
}

static const struct test_case tests[] = {
	TEST_ENTRY(new_range_cases),
	TEST_ENTRY(existing_range_cases),
	TEST_ENTRY(refusals_have_codes),
	TEST_ENTRY(fork_child_vetoes),
	TEST_ENTRY(two_observers_see_every_event),
	TEST_ENTRY(late_observer),
	TEST_ENTRY(events_name_their_process),
};

int main(void)
{
	return RUN_TESTS("events", tests);
}
