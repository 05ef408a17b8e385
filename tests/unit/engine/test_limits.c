/*
 * test_limits.c - where the kernel sets limits on processes, the engine
 * fails as it does: copy_process() refuses a fork with EAGAIN when the
 * tasks reach kernel.threads-max, and alloc_pid() when no pid below
 * kernel.pid_max is free (after dup_mmap: copy_mm() comes first).  On
 * this kernel, a fork chain in a pid namespace whose pid_max is 400 ends
 * with EAGAIN when the pids up to 399 are taken (docs/kernel-notes.md).
 */
#include "harness.h"
#include "internal.h"

#define BASE 0x200000000000UL

static struct machine *machine_limits(int threads_max, int pid_max)
{
	struct machine_params p;

	machine_params_default(&p);
	p.threads_max = threads_max;
	p.pid_max = pid_max;
	return machine_new_params(&p);
}

/* A fork chain: each child forks the next, until EAGAIN. */
TEST(fork_chain_ends_at_pid_max)
{
	struct machine *m = machine_limits(1000, 400);
	long pid = 1, child;
	int forks = 0;

	ASSERT_EQ(sys_mmap(m, BASE, 16384, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
		  (long)BASE);
	while ((child = sys_fork(m)) > 0) {
		forks++;
		ASSERT_EQ(child, pid + 1);
		pid = child;
		ASSERT_EQ(machine_switch(m, (int)pid), 0);
	}
	ASSERT_EQ(child, -EAGAIN);
	/* pids 1..399: 398 forks, the pid of the last 399 */
	ASSERT_EQ(forks, 398);
	ASSERT_EQ(pid, 399);
	/* the failed fork left nothing: the next one fails the same way */
	ASSERT_EQ(sys_fork(m), -EAGAIN);
	ASSERT_EQ(machine_switch(m, 400), -ESRCH);
	machine_free(m);
	return true;
}

TEST(fork_ends_at_threads_max)
{
	struct machine *m = machine_limits(10, 32768);
	int forks = 0;

	while (sys_fork(m) > 0)
		forks++;
	ASSERT_EQ(forks, 9); /* 10 tasks */
	ASSERT_EQ(sys_fork(m), -EAGAIN);
	/* zombies count until reaped (nothing reaps here) */
	ASSERT_EQ(machine_switch(m, 2), 0);
	ASSERT_EQ(sys_exit_group(m, 0), 0);
	ASSERT_EQ(machine_switch(m, 1), 0);
	ASSERT_EQ(sys_fork(m), -EAGAIN);
	machine_free(m);
	return true;
}

static const struct test_case tests[] = {
	TEST_ENTRY(fork_chain_ends_at_pid_max),
	TEST_ENTRY(fork_ends_at_threads_max),
};

int main(void)
{
	return RUN_TESTS("limits", tests);
}
