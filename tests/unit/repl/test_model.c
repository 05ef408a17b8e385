/*
 * test_model.c - the read-only model: the structured difference between
 * two states (added, removed, changed and which fields), and the model
 * that finds a step's difference from the events alone, checked against
 * whole snapshots over thousands of random steps.
 */
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "session_fixture.h"
#include "model.h"
#include "session.h"

#define BASE 0x200000000000UL
#define PG(n) (BASE + ((unsigned long)(n) << PAGE_SHIFT))

/* The difference one line makes, from two whole snapshots. */
static void full_diff(struct session *s, const char *line, struct mm_diff *d)
{
	struct mm_snap a, b;

	mm_snap_take(&a, session_machine(s), 1);
	run(s, line);
	mm_snap_take(&b, session_machine(s), 1);
	mm_diff_snaps(d, &a, &b);
	mm_snap_free(&a);
	mm_snap_free(&b);
}

/*
 *  VVVVVVVVVVVV  mprotect of the middle
 *  VVVV****VVVV  -> vma#1 keeps [4,8) and two new VMAs appear
 */
TEST(split_one_into_three)
{
	struct session s;
	struct mm_diff d = {0};

	fresh(&s);
	run(&s, "map 0x200000000000 48k rw");
	full_diff(&s, "protect 0x200000004000 16k r", &d);
	ASSERT_EQ(d.n, 3);
	ASSERT_EQ(d.d[0].sign, '+');
	ASSERT_EQ(d.d[0].new.start, PG(0));
	ASSERT_EQ(d.d[0].new.end, PG(4));
	ASSERT_EQ(d.d[1].sign, '~');
	ASSERT_EQ(d.d[1].old.id, 1);
	ASSERT_EQ(d.d[1].fields, VF_START | VF_END | VF_FLAGS);
	ASSERT_EQ(d.d[2].sign, '+');
	ASSERT_EQ(d.d[2].new.start, PG(8));
	mm_diff_free(&d);
	done(&s);
	return true;
}

/*
 *  PPPPVVVVNNNN  mprotect V as its neighbours
 *  PPPPPPPPPPPP  -> prev grows; middle and next are removed
 */
TEST(merge_three_into_one)
{
	struct session s;
	struct mm_diff d = {0};

	fresh(&s);
	run(&s, "map 0x200000000000 16k r");
	run(&s, "map 0x200000004000 16k rw");
	run(&s, "map 0x200000008000 16k r");
	full_diff(&s, "protect 0x200000004000 16k r", &d);
	ASSERT_EQ(d.n, 3);
	ASSERT_EQ(d.d[0].sign, '~');
	ASSERT_EQ(d.d[0].fields, VF_END);
	ASSERT_EQ(d.d[0].new.end, PG(12));
	ASSERT_EQ(d.d[1].sign, '-');
	ASSERT_EQ(d.d[1].old.start, PG(4));
	ASSERT_EQ(d.d[2].sign, '-');
	mm_diff_free(&d);
	done(&s);
	return true;
}

TEST(removal_and_flags_and_pages)
{
	struct session s;
	struct mm_diff d = {0};

	fresh(&s);
	run(&s, "map 0x200000000000 16k rw");
	full_diff(&s, "touch 0x200000000000 8k", &d);
	ASSERT_EQ(d.n, 1);
	ASSERT_EQ(d.d[0].fields, VF_ANON_VMA | VF_RSS | VF_ANON);
	ASSERT_EQ(d.d[0].new.rss, 2);
	full_diff(&s, "protect 0x200000000000 16k r", &d);
	ASSERT_EQ(d.n, 1);
	ASSERT_EQ(d.d[0].fields, VF_FLAGS);
	ASSERT_EQ(d.d[0].old.flags ^ d.d[0].new.flags, VM_WRITE);
	full_diff(&s, "unmap 0x200000000000 16k", &d);
	ASSERT_EQ(d.n, 1);
	ASSERT_EQ(d.d[0].sign, '-');
	ASSERT_EQ(d.d[0].old.rss, 2);
	mm_diff_free(&d);
	done(&s);
	return true;
}

/* Two diffs are the same: the same changes, in the same order. */
static bool same_diff(const struct mm_diff *a, const struct mm_diff *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const struct vma_delta *x = &a->d[i], *y = &b->d[i];

		if (x->sign != y->sign || x->fields != y->fields ||
		    (x->sign != '+' &&
		     memcmp(&x->old, &y->old, sizeof(x->old))) ||
		    (x->sign != '-' &&
		     memcmp(&x->new, &y->new, sizeof(x->new))))
			return false;
	}
	return true;
}

static unsigned long long rng = 0x853c49e6748fea9bULL;

static unsigned rnd(unsigned n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng >> 33) % n);
}

/* A random line: mostly calls in a small window, sometimes fork/switch/undo. */
static void random_line(char *buf, size_t len, int nprocs)
{
	static const char *const prot[] = {"r", "rw", "none", "rx"};
	unsigned long a = PG(rnd(64)), n = (1 + rnd(8)) * 4096;

	switch (rnd(12)) {
	case 0:
	case 1:
	case 2:
		snprintf(buf, len, "map %#lx %lu %s", a, n, prot[rnd(4)]);
		break;
	case 3:
		snprintf(buf, len, "map %#lx %lu rw shared", a, n);
		break;
	case 4:
		snprintf(buf, len, "unmap %#lx %lu", a, n);
		break;
	case 5:
	case 6:
		snprintf(buf, len, "protect %#lx %lu %s", a, n, prot[rnd(4)]);
		break;
	case 7:
	case 8:
		snprintf(buf, len, "touch %#lx %lu", a, n);
		break;
	case 9:
		snprintf(buf, len, "%s", nprocs < 6 ? "fork()" : "maps");
		break;
	case 10:
		snprintf(buf, len, "switch %u", 1 + rnd((unsigned)nprocs));
		break;
	default:
		snprintf(buf, len, "%s", rnd(2) ? "undo" : "redo");
		break;
	}
}

/*
 * After every step the model's difference (from the VMAs the events
 * named) equals the difference of whole snapshots of the process.
 */
TEST(model_agrees_with_snapshots)
{
	struct session s;
	struct model mo;
	struct engine_observer o = model_observer(&mo);
	struct mm_diff inc = {0}, full = {0};
	char line[128];
	size_t changes = 0;

	fresh(&s);
	model_init(&mo);
	ASSERT_EQ(session_observe(&s, &o), 0);
	model_step(&mo, session_machine(&s), 0, NULL);
	for (int i = 0; i < 4000; i++) {
		struct machine *m = session_machine(&s);
		int pid = machine_current_pid(m), after;
		struct mm_snap a, b;

		random_line(line, sizeof(line), machine_pids(m, NULL, 0));
		mm_snap_take(&a, m, pid);
		run(&s, line);
		m = session_machine(&s);
		after = machine_current_pid(m);
		mm_snap_take(&b, m, pid);
		mm_diff_snaps(&full, &a, &b);
		model_step(&mo, m, pid, &inc);
		if (!same_diff(&inc, &full)) {
			fprintf(stderr, "step %d (%s): %zu changes, want %zu\n",
				i, line, inc.n, full.n);
			return false;
		}
		(void)after;
		changes += full.n;
		mm_snap_free(&a);
		mm_snap_free(&b);
	}
	/* Not vacuous: the steps changed things, in several processes. */
	ASSERT_TRUE(changes > 2000);
	ASSERT_TRUE(machine_pids(session_machine(&s), NULL, 0) > 1);
	mm_diff_free(&inc);
	mm_diff_free(&full);
	session_unobserve(&s, &o);
	model_free(&mo);
	done(&s);
	return true;
}

static const struct test_case tests[] = {
	TEST_ENTRY(split_one_into_three),
	TEST_ENTRY(merge_three_into_one),
	TEST_ENTRY(removal_and_flags_and_pages),
	TEST_ENTRY(model_agrees_with_snapshots),
};

int main(void)
{
	return RUN_TESTS("model", tests);
}
