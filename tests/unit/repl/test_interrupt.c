/*
 * test_interrupt.c - Ctrl-C during a long line (engine.h machine_set_poll,
 * session.h session_progress).  The engine stops a touch or a populate at
 * the page where its poll said stop, keeping the pages done; the session
 * says so, keeps the step, and undo and redo come back to exactly that
 * state; a script, a scenario and an undo over many steps stop between
 * two lines or steps.  The "Ctrl-C" here is the flag a progress hook sets
 * once the work has gone far enough, so every test is deterministic.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "engine.h"
#include "handlers.h"
#include "harness.h"
#include "session_fixture.h"

#define W 0x200000000000UL
#define MiB (1UL << 20)

/* ---- the engine ---- */

struct stop_at {
	unsigned long at, asked, total, last;
};

static bool stop_when(void *arg, unsigned long done, unsigned long total)
{
	struct stop_at *p = arg;

	p->asked++;
	p->total = total;
	p->last = done;
	return done >= p->at;
}

static unsigned long present(struct machine *m, unsigned long addr,
			     unsigned long n)
{
	char *buf = malloc(n + 1); /* and a NUL */
	unsigned long k = 0;

	machine_pages(m, addr, n, buf);
	for (unsigned long i = 0; i < n; i++)
		k += buf[i] != '.';
	free(buf);
	return k;
}

/*
 *  AAAAAAAAAAAAAAAA........   touch of 64 MiB, stopped at page 8192
 */
TEST(touch_stops_at_the_page)
{
	struct machine *m = machine_new();
	struct stop_at p = {.at = 2 * MACHINE_POLL_PAGES};
	unsigned long fault = 0, n = 64 * MiB / 4096;

	ASSERT_EQ(sys_mmap(m, W, 64 * MiB, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
		  W);
	machine_set_poll(m, stop_when, &p);
	ASSERT_EQ(machine_syscall(m, NR_TOUCH, (unsigned long[6]){W, 64 * MiB},
				  NULL, &fault),
		  TOUCH_SIGINT);
	ASSERT_EQ(fault, W + p.at * 4096);
	ASSERT_EQ(machine_stopped_at(m), p.at);
	ASSERT_EQ(p.asked, 2);
	ASSERT_EQ(p.total, n);
	ASSERT_EQ(present(m, W, n), p.at);
	/* the next call starts afresh: never stopped, it runs whole */
	machine_set_poll(m, NULL, NULL);
	ASSERT_EQ(machine_syscall(m, NR_TOUCH, (unsigned long[6]){W, 64 * MiB},
				  NULL, &fault),
		  TOUCH_OK);
	ASSERT_EQ(machine_stopped_at(m), 0);
	ASSERT_EQ(present(m, W, n), n);
	machine_free(m);
	return true;
}

/* mlock: VM_LOCKED on all of it, populated up to the stop, -EINTR as
 * __mm_populate() gives at a fatal signal; MAP_POPULATE ignores it. */
TEST(populate_stops_with_eintr)
{
	struct machine *m = machine_new();
	struct stop_at p = {.at = MACHINE_POLL_PAGES};
	unsigned long n = 64 * MiB / 4096;
	const struct mm *mm;

	ASSERT_EQ(sys_mmap(m, W, 64 * MiB, PROT_READ,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
		  W);
	machine_set_poll(m, stop_when, &p);
	ASSERT_EQ(machine_syscall(m, NR_mlock, (unsigned long[6]){W, 64 * MiB},
				  NULL, NULL),
		  -EINTR);
	mm = machine_mm(m, 1);
	ASSERT_EQ(mm->locked_vm, n);
	ASSERT_EQ(present(m, W, n), p.at);
	p.asked = 0;
	ASSERT_EQ(machine_syscall(
			  m, NR_mmap,
			  (unsigned long[6]){W + 64 * MiB, 64 * MiB, PROT_READ,
					     MAP_PRIVATE | MAP_ANONYMOUS |
						     MAP_FIXED | MAP_POPULATE,
					     (unsigned long)-1, 0},
			  NULL, NULL),
		  W + 64 * MiB);
	ASSERT_EQ(p.asked, 1);
	ASSERT_EQ(present(m, W + 64 * MiB, n), p.at);
	/* MADV_POPULATE_READ (faultin_page_range) gives -EINTR too */
	ASSERT_EQ(sys_munmap(m, W, 64 * MiB), 0);
	ASSERT_EQ(sys_mmap(m, W, 64 * MiB, PROT_READ,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
		  W);
	ASSERT_EQ(machine_syscall(m, NR_madvise,
				  (unsigned long[6]){W, 64 * MiB,
						     MADV_POPULATE_READ},
				  NULL, NULL),
		  -EINTR);
	ASSERT_EQ(present(m, W, n), p.at);
	machine_free(m);
	return true;
}

/* ---- the session ---- */

static volatile sig_atomic_t flag;
static unsigned long stop_units;
static const char *stop_unit;

/* The "Ctrl-C": pressed once the work is stop_units of stop_unit in. */
static void press_at(void *arg, const char *unit, unsigned long done,
		     unsigned long total)
{
	(void)arg;
	(void)total;
	if (!strcmp(unit, stop_unit) && done >= stop_units)
		flag = 1;
}

static void interruptible(struct session *s, const char *unit, unsigned long at)
{
	fresh(s);
	flag = 0;
	stop_unit = unit;
	stop_units = at;
	s->interrupted = &flag;
	s->progress = (struct progress_hook){press_at, NULL};
}

static void smaps_of(struct session *s, struct strbuf *out)
{
	sb_reset(out);
	s->be->ops->maps(s->be, true, out);
}

TEST(session_touch_interrupted_then_undo_redo)
{
	struct session s;
	struct strbuf before = STRBUF_INIT, now = STRBUF_INIT;
	uint64_t state;
	int errors;

	interruptible(&s, "pages", 3 * MACHINE_POLL_PAGES);
	run(&s, "map 0x200000000000 64M rw");
	errors = s.errors;
	run(&s, "touch 0x200000000000 64M");
	ASSERT_TRUE(strstr(sb_str(&s.out),
			   "touch 0x200000000000 64M = SIGINT (0x200003000000: "
			   "interrupted before this page)"));
	ASSERT_EQ(s.errors, errors + 1);
	ASSERT_EQ(session_steps(&s), 2);
	state = machine_state(session_machine(&s));
	smaps_of(&s, &before);
	ASSERT_TRUE(strstr(sb_str(&before), "Rss:               49152 kB"));
	flag = 0;
	stop_unit = "none";
	run(&s, "history");
	ASSERT_TRUE(strstr(sb_str(&s.out), "touch 0x200000000000 64M   "
					   "(interrupted: part of it was "
					   "done)"));
	run(&s, "undo");
	ASSERT_NE(machine_state(session_machine(&s)), state);
	run(&s, "redo");
	/* the replay stops at the same page: the same state, exactly */
	ASSERT_EQ(machine_state(session_machine(&s)), state);
	smaps_of(&s, &now);
	ASSERT_STREQ(sb_str(&now), sb_str(&before));
	run(&s, "check");
	ASSERT_TRUE(strstr(sb_str(&s.out), "every invariant holds"));
	sb_free(&before);
	sb_free(&now);
	done(&s);
	return true;
}

TEST(session_source_stops_between_lines)
{
	struct session s;
	char path[] = "/tmp/vmalab-interrupt-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	char line[64];

	ASSERT_TRUE(f);
	for (int i = 0; i < 100; i++)
		fprintf(f, "map %#lx 4k %s\n", W + 8192UL * (unsigned long)i,
			i % 2 ? "r" : "rw");
	fclose(f);
	interruptible(&s, "lines", 40);
	snprintf(line, sizeof(line), "source %s", path);
	run(&s, line);
	unlink(path);
	/* the progress hook hears "lines" before each line: 40 ran */
	ASSERT_EQ(machine_mm(session_machine(&s), 1)->map_count, 40);
	ASSERT_EQ(s.errors, 1);
	done(&s);
	return true;
}

TEST(session_undo_stops_between_steps)
{
	struct session s;
	char line[64];

	interruptible(&s, "none", 0);
	for (int i = 0; i < 30; i++) {
		snprintf(line, sizeof(line), "map %#lx 4k %s",
			 W + 8192UL * (unsigned long)i, i % 2 ? "r" : "rw");
		run(&s, line);
	}
	ASSERT_EQ(session_pos(&s), 30);
	run(&s, "reset");
	ASSERT_EQ(session_pos(&s), 31);
	/* undo replays the 30 steps on a fresh machine: stopped after 12 */
	stop_unit = "steps";
	stop_units = 12;
	run(&s, "undo");
	ASSERT_EQ(session_pos(&s), 12);
	ASSERT_EQ(machine_mm(session_machine(&s), 1)->map_count, 12);
	flag = 0;
	stop_unit = "none";
	run(&s, "redo 19");
	ASSERT_EQ(session_pos(&s), 31);
	ASSERT_EQ(machine_mm(session_machine(&s), 1)->map_count, 0);
	done(&s);
	return true;
}

int main(void)
{
	static const struct test_case tests[] = {
		TEST_ENTRY(touch_stops_at_the_page),
		TEST_ENTRY(populate_stops_with_eintr),
		TEST_ENTRY(session_touch_interrupted_then_undo_redo),
		TEST_ENTRY(session_source_stops_between_lines),
		TEST_ENTRY(session_undo_stops_between_steps),
	};

	return run_tests("interrupt", tests, sizeof(tests) / sizeof(tests[0]));
}
