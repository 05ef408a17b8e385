/*
 * test_timeline.c - undo, redo and jumps: the machine after a jump to
 * step k is exactly the machine that running the first k steps on a fresh
 * session gives: every process's smaps byte for byte, and every id (VMAs,
 * files, anon_vmas) that traces print, checked by tracing one more line
 * on both.  Random scripts over a small window make the steps: maps,
 * unmaps, protections, touches, forks and switches.
 */
#include <stdlib.h>
#include "handlers.h"
#include "model.h"
#include "procfs.h"
#include "tree.h"
#include "harness.h"
#include "session_fixture.h"

#define W 0x200000000000UL

static unsigned long long rng;

static unsigned rnd(unsigned n)
{
	unsigned long long z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (unsigned)((z ^ (z >> 31)) % n);
}

/* One random step over 32 pages of the window, in pids 1..nproc. */
static void random_line(char *buf, size_t len, int *nproc)
{
	static const char *const prot[] = {"r", "rw", "none", "rx"};
	unsigned long a = W + rnd(32) * 4096UL, n = (1 + rnd(6)) * 4096UL;

	switch (rnd(12)) {
	case 0:
	case 1:
	case 2:
		snprintf(buf, len, "map %#lx %lu %s", a, n, prot[rnd(2)]);
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
	case 9:
		snprintf(buf, len, "touch %#lx %lu", a, n);
		break;
	case 10:
		if (*nproc < 4) {
			snprintf(buf, len, "fork()");
			++*nproc;
			break;
		}
		/* fallthrough */
	default:
		snprintf(buf, len, "switch %d", 1 + (int)rnd((unsigned)*nproc));
		break;
	}
}

/* Every process: its smaps, and the ids behind each VMA. */
static void dump(struct session *s, struct strbuf *out)
{
	struct machine *m = session_machine(s);
	int pids[16], n = machine_pids(m, pids, 16);

	sb_addf(out, "current %d\n", machine_current_pid(m));
	for (int i = 0; i < n; i++) {
		const struct mm *mm = machine_mm(m, pids[i]);
		const struct vma *v;

		sb_addf(out, "pid %d\n", pids[i]);
		show_maps(mm, true, out);
		vt_for_each(&mm->tree, v)
		{
			struct vma_snap snap;

			vma_snap_of(&snap, v);
			sb_addf(out, "vma#%u file %u av%u\n", snap.id,
				snap.file, snap.anon_vma);
		}
	}
}

/* The state after a session has run, and the trace of one more line. */
static void state_then(struct session *s, const char *next, struct strbuf *out)
{
	dump(s, out);
	session_set_trace(s, true);
	run(s, next);
	sb_add(out, sb_str(&s->out), s->out.len);
	sb_add(out, sb_str(&s->tr), s->tr.len);
	session_set_trace(s, false);
	dump(s, out);
}

#define LINES 120

/*
 * Run all the lines on a, jump to step k (perhaps after a first jump
 * elsewhere), and compare with b, which ran only the lines of the first
 * k steps.  Both then trace one more line: the same ids must come out.
 */
static bool jump_matches_replay(unsigned seed, int trial)
{
	char lines[LINES + 1][80];
	struct strbuf ga = STRBUF_INIT, gb = STRBUF_INIT;
	struct session a, b;
	size_t steps, k, first;
	int nproc = 1, i;

	rng = seed;
	for (i = 0; i <= LINES; i++)
		random_line(lines[i], sizeof(lines[i]), &nproc);
	rng = seed * 1000003ULL + (unsigned)trial;
	fresh(&a);
	for (i = 0; i < LINES; i++)
		run(&a, lines[i]);
	steps = session_steps(&a);
	first = rnd((unsigned)steps + 1);
	k = rnd((unsigned)steps + 1);
	ASSERT_EQ(session_jump(&a, first), 0);
	ASSERT_EQ(session_jump(&a, k), 0);
	ASSERT_EQ(session_pos(&a), k);
	ASSERT_EQ(session_steps(&a), steps);
	fresh(&b);
	for (i = 0; session_steps(&b) < k; i++)
		run(&b, lines[i]);
	if (k)
		ASSERT_STREQ(session_step_line(&a, k - 1), lines[i - 1]);
	state_then(&a, lines[LINES], &ga);
	state_then(&b, lines[LINES], &gb);
	ASSERT_STREQ(sb_str(&ga), sb_str(&gb));
	sb_free(&ga);
	sb_free(&gb);
	done(&a);
	done(&b);
	return true;
}

TEST(jump_equals_replay_from_scratch)
{
	for (unsigned seed = 1; seed <= 40; seed++)
		for (int trial = 0; trial < 8; trial++)
			ASSERT_TRUE(jump_matches_replay(seed, trial));
	return true;
}

TEST(jump_bounds)
{
	struct session s;

	fresh(&s);
	ASSERT_EQ(session_jump(&s, 0), 0);
	ASSERT_EQ(session_jump(&s, 1), -1);
	run(&s, "map 0x200000000000 16k rw");
	run(&s, "protect 0x200000001000 4k r");
	ASSERT_EQ(session_steps(&s), 2);
	ASSERT_EQ(session_jump(&s, 3), -1);
	ASSERT_EQ(session_jump(&s, 0), 0);
	ASSERT_EQ(session_pos(&s), 0);
	ASSERT_EQ(session_steps(&s), 2);
	ASSERT_EQ(machine_mm(session_machine(&s), 1)->map_count, 0);
	ASSERT_EQ(session_jump(&s, 2), 0);
	ASSERT_EQ(machine_mm(session_machine(&s), 1)->map_count, 3);
	ASSERT_EQ(session_jump(&s, 1), 0);
	ASSERT_EQ(machine_mm(session_machine(&s), 1)->map_count, 1);
	ASSERT_STREQ(session_step_line(&s, 1), "protect 0x200000001000 4k r");
	ASSERT_TRUE(session_step_line(&s, 2) == NULL);
	/* A new step after a jump back drops the steps after it. */
	run(&s, "unmap 0x200000000000 4k");
	ASSERT_EQ(session_steps(&s), 2);
	ASSERT_EQ(session_pos(&s), 2);
	done(&s);
	return true;
}

static const struct test_case tests[] = {
	TEST_ENTRY(jump_equals_replay_from_scratch),
	TEST_ENTRY(jump_bounds),
};

int main(void)
{
	return RUN_TESTS("timeline", tests);
}
