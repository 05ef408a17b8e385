/*
 * test_timeline.c - undo, redo and jumps: the machine after a jump to
 * step k is exactly the machine that running the first k steps on a fresh
 * session gives: every process's smaps byte for byte, and every id (VMAs,
 * files, anon_vmas) that traces print, checked by tracing one more line
 * on both.  Random scripts over a small window make the steps: maps,
 * unmaps, protections, touches, forks and switches.
 */
#include <stdio.h>
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
static bool jump_matches_replay(unsigned seed, int trial, size_t interval)
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
	a.log.interval = interval;
	for (i = 0; i < LINES; i++)
		run(&a, lines[i]);
	steps = session_steps(&a);
	first = rnd((unsigned)steps + 1);
	k = rnd((unsigned)steps + 1);
	if (interval && interval < 4)
		ASSERT_TRUE(a.log.ncps > 0);
	ASSERT_EQ(session_jump(&a, first), 0);
	/* From the checkpoint before, or onward from first. */
	ASSERT_EQ(session_jump(&a, rnd((unsigned)steps + 1)), 0);
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
			ASSERT_TRUE(jump_matches_replay(seed, trial, 0));
	return true;
}

/* The same with a checkpoint every few calls: most jumps start at one. */
TEST(jump_from_checkpoints_equals_replay)
{
	for (unsigned seed = 1; seed <= 20; seed++)
		for (int trial = 0; trial < 8; trial++)
			ASSERT_TRUE(jump_matches_replay(seed, trial,
							1 + (size_t)trial % 3));
	return true;
}

/*
 * machine_clone(): the copy and the original, given the same lines, say
 * the same things (traces with every id) and end the same, and neither
 * disturbs the other; the original is freed first.
 */
TEST(clone_behaves_as_the_original)
{
	for (unsigned seed = 1; seed <= 12; seed++) {
		char line[80];
		struct strbuf ga = STRBUF_INIT, gb = STRBUF_INIT;
		struct session a, b;
		int nproc = 1, nb;

		rng = seed;
		fresh(&a);
		for (int i = 0; i < LINES; i++) {
			random_line(line, sizeof(line), &nproc);
			run(&a, line);
		}
		fresh(&b);
		b.be->ops->destroy(b.be);
		b.be = engine_backend_of(machine_clone(session_machine(&a)));
		nb = nproc;
		for (int i = 0; i < 40; i++) {
			random_line(line, sizeof(line), &nproc);
			state_then(&a, line, &ga);
			state_then(&b, line, &gb);
			ASSERT_STREQ(sb_str(&ga), sb_str(&gb));
		}
		(void)nb;
		done(&a);
		run(&b, "fork()");
		run(&b, "maps");
		done(&b);
		sb_free(&ga);
		sb_free(&gb);
	}
	return true;
}

/* How many steps the log holds after each line of lines. */
static bool steps_after(const char *const *lines, const size_t *want)
{
	struct session s;

	fresh(&s);
	for (size_t i = 0; lines[i]; i++) {
		run(&s, lines[i]);
		if (session_steps(&s) != want[i]) {
			fprintf(stderr, "after '%s': %zu steps, want %zu\n",
				lines[i], session_steps(&s), want[i]);
			done(&s);
			return false;
		}
	}
	done(&s);
	return true;
}

/*
 * A line is a step only if it changed the machine (help undo): a failed
 * mmap, a touch of a page already there, a switch to the current
 * process, an munmap of nothing and an mprotect to the same protection
 * are not; a failed MAP_FIXED that left a hole is, and so is a touch
 * that faults and a switch.
 */
TEST(steps_are_changes)
{
	static const char *const lines[] = {
		"map 0x200000200000 8k rw",
		"mmap(0x200000200001, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS"
		"|MAP_FIXED, -1, 0)",
		"touch 0x200000200000",
		"touch 0x200000200000",
		"maps",
		"unmap 0x200000400000 4k",
		"protect 0x200000200000 8k rw",
		"protect 0x200000200000 4k r",
		"switch 1",
		"mmap(0x200000200000, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS"
		"|MAP_FIXED|MAP_HUGETLB, -1, 0)",
		"touch 0x200000200000",
		"fork()",
		"switch 2",
		"switch 2",
		NULL,
	};
	static const size_t want[] = {1, 1, 2, 2, 2, 2, 2, 3, 3, 4, 4, 5, 6, 6};
	struct session s;

	ASSERT_TRUE(steps_after(lines, want));
	/* undo takes back the hole, and the failed lines are not in it. */
	fresh(&s);
	for (size_t i = 0; i < 10; i++)
		run(&s, lines[i]);
	run(&s, "undo");
	ASSERT_TRUE(strstr(sb_str(&s.out), "MAP_HUGETLB") != NULL);
	ASSERT_EQ(machine_mm(session_machine(&s), 1)->map_count, 2);
	run(&s, "history");
	ASSERT_TRUE(strstr(sb_str(&s.out), "0x200000200001") == NULL);
	ASSERT_TRUE(strstr(sb_str(&s.out), "switch") == NULL);
	done(&s);
	return true;
}

/* No cap: a long session keeps every step, and undo after it is exact. */
TEST(long_history_kept)
{
	struct session s, t;
	char line[80];

	fresh(&s);
	for (int i = 0; i < 30000; i++) {
		snprintf(line, sizeof(line), "map %#lx 4k %s",
			 W + (unsigned long)(i % 512) * 4096, i % 2 ? "r" : "rw");
		run(&s, line);
	}
	ASSERT_EQ(session_steps(&s), 30000);
	ASSERT_TRUE(s.log.ncps > 0);
	run(&s, "undo 3");
	ASSERT_EQ(session_pos(&s), 29997);
	fresh(&t);
	for (int i = 0; i < 29997; i++) {
		snprintf(line, sizeof(line), "map %#lx 4k %s",
			 W + (unsigned long)(i % 512) * 4096, i % 2 ? "r" : "rw");
		run(&t, line);
	}
	run(&s, "maps");
	run(&t, "maps");
	ASSERT_STREQ(sb_str(&s.out), sb_str(&t.out));
	run(&s, "redo 2");
	ASSERT_EQ(session_pos(&s), 29999);
	done(&s);
	done(&t);
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
	TEST_ENTRY(jump_from_checkpoints_equals_replay),
	TEST_ENTRY(clone_behaves_as_the_original),
	TEST_ENTRY(steps_are_changes),
	TEST_ENTRY(long_history_kept),
};

int main(void)
{
	return RUN_TESTS("timeline", tests);
}
