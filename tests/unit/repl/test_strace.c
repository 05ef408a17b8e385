/*
 * test_strace.c - reading strace lines (repl/strace.c), every variant
 * from snippets captured on this machine (strace 6 with -f, -tt, -ttt,
 * -r, -T, -y, -yy, on a terminal and to a file), and replaying them
 * (repl/replay.c): processes, fds, placement and the summary's counts.
 */
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "session_fixture.h"
#include "replay.h"
#include "strace.h"
#include "tree.h"

static void parse(const char *line, struct strace_line *sl)
{
	strace_parse_line(line, strlen(line), sl);
}

static bool span_is(const char *s, const char *e, const char *want)
{
	return (size_t)(e - s) == strlen(want) &&
	       !memcmp(s, want, strlen(want));
}

TEST(plain_call_and_address)
{
	struct strace_line sl;

	parse("mmap(NULL, 8192, PROT_READ|PROT_WRITE, "
	      "MAP_PRIVATE|MAP_ANONYMOUS, "
	      "-1, 0) = 0x7f9ba8c5c000",
	      &sl);
	ASSERT_EQ(sl.kind, ST_CALL);
	ASSERT_EQ(sl.pid, -1);
	ASSERT_FALSE(sl.has_time);
	ASSERT_TRUE(span_is(sl.name, sl.name + sl.name_len, "mmap"));
	ASSERT_TRUE(sl.has_result);
	ASSERT_EQ(sl.result, 0x7f9ba8c5c000UL);
	ASSERT_TRUE(span_is(sl.body, sl.body_end,
			    "mmap(NULL, 8192, PROT_READ|PROT_WRITE, "
			    "MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)"));
	return true;
}

TEST(pid_columns_and_timestamps)
{
	static const struct {
		const char *line;
		long pid;
		bool time;
	} cases[] = {
		/* strace -f -o FILE */
		{"4810  brk(NULL)                         = 0x55db91712000",
		 4810, false},
		/* strace -f on a terminal */
		{"[pid  2550] brk(NULL)   = 0x55db91712000", 2550, false},
		/* -f -tt */
		{"2508  08:17:53.632188 brk(NULL)         = 0x55db91712000",
		 2508, true},
		/* -t */
		{"2508  08:17:53 brk(NULL) = 0x55db91712000", 2508, true},
		/* -ttt, no pid */
		{"1796199473.656437 brk(NULL)             = 0x55db91712000", -1,
		 true},
		/* -f -r */
		{"2533       0.000414 brk(NULL)           = 0x55db91712000",
		 2533, true},
		/* -r, no pid */
		{"     0.000414 brk(NULL) = 0x55db91712000", -1, true},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strace_line sl;

		parse(cases[i].line, &sl);
		ASSERT_EQ(sl.kind, ST_CALL);
		ASSERT_EQ(sl.pid, cases[i].pid);
		ASSERT_EQ(sl.has_time, cases[i].time);
		ASSERT_TRUE(span_is(sl.body, sl.body_end, "brk(NULL)"));
		ASSERT_EQ(sl.result, 0x55db91712000UL);
	}
	return true;
}

TEST(results)
{
	struct strace_line sl;

	/* -T: the duration after the result is not part of it */
	parse("1796199473.657271 mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, 3, "
	      "0) "
	      "= 0x7f75496ba000 <0.000019>",
	      &sl);
	ASSERT_EQ(sl.result, 0x7f75496ba000UL);
	parse("4715  execve(\"/usr/local/bin/bash\", [\"bash\"], "
	      "0x7ffd11755ea8 "
	      "/* 37 vars */) = -1 ENOENT (No such file or directory)",
	      &sl);
	ASSERT_EQ(sl.kind, ST_CALL);
	ASSERT_EQ(sl.result, -2);
	parse("4811  exit_group(0)                     = ?", &sl);
	ASSERT_TRUE(sl.has_result && sl.result_unknown);
	parse("4810  wait4(-1, 0x7ffef655b2fc, WNOHANG, NULL) = -1 ECHILD (No "
	      "child processes)",
	      &sl);
	ASSERT_EQ(sl.result, -10);
	parse("100  nanosleep({tv_sec=1, tv_nsec=0}, NULL) = ? ERESTARTSYS (To "
	      "be "
	      "restarted if SA_RESTART is set)",
	      &sl);
	ASSERT_TRUE(sl.result_unknown);
	/* -y on the result: the fd and the file it names */
	parse("2508  08:17:53.635872 openat(AT_FDCWD</tmp/snip>, "
	      "\"/etc/ld.so.cache\", O_RDONLY|O_CLOEXEC) = 3</etc/ld.so.cache>",
	      &sl);
	ASSERT_EQ(sl.result, 3);
	ASSERT_TRUE(span_is(sl.result_path, sl.result_path_end,
			    "/etc/ld.so.cache"));
	/* "== 0" inside the arguments is not the result */
	parse("2549  wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, "
	      "NULL) "
	      "= 2554",
	      &sl);
	ASSERT_EQ(sl.result, 2554);
	return true;
}

TEST(unfinished_and_resumed)
{
	struct strace_line sl;

	parse("4810  vfork( <unfinished ...>", &sl);
	ASSERT_EQ(sl.kind, ST_UNFINISHED);
	ASSERT_EQ(sl.pid, 4810);
	ASSERT_TRUE(span_is(sl.args, sl.args_end, ""));
	parse("4810  wait4(-1,  <unfinished ...>", &sl);
	ASSERT_EQ(sl.kind, ST_UNFINISHED);
	ASSERT_TRUE(span_is(sl.args, sl.args_end, "-1, "));
	parse("4810  <... vfork resumed>)              = 4811", &sl);
	ASSERT_EQ(sl.kind, ST_RESUMED);
	ASSERT_TRUE(span_is(sl.name, sl.name + sl.name_len, "vfork"));
	ASSERT_TRUE(span_is(sl.args, sl.args_end, ""));
	ASSERT_EQ(sl.result, 4811);
	parse("<... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, "
	      "NULL) = 2554",
	      &sl);
	ASSERT_EQ(sl.kind, ST_RESUMED);
	ASSERT_EQ(sl.pid, -1);
	ASSERT_TRUE(
		span_is(sl.args, sl.args_end,
			"[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL"));
	ASSERT_EQ(sl.result, 2554);
	return true;
}

TEST(other_lines)
{
	struct strace_line sl;

	parse("4811  +++ exited with 0 +++", &sl);
	ASSERT_EQ(sl.kind, ST_EXIT);
	ASSERT_EQ(sl.pid, 4811);
	parse("2911  +++ killed by SIGKILL +++", &sl);
	ASSERT_EQ(sl.kind, ST_EXIT);
	parse("4810  --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, "
	      "si_pid=4811, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---",
	      &sl);
	ASSERT_EQ(sl.kind, ST_SIGNAL);
	parse("strace: Process 2555 attached", &sl);
	ASSERT_EQ(sl.kind, ST_MESSAGE);
	parse("4810  given layout brk 0x555555559000", &sl);
	ASSERT_EQ(sl.kind, ST_WORDS);
	parse("", &sl);
	ASSERT_EQ(sl.kind, ST_BLANK);
	parse("4810  ", &sl);
	ASSERT_EQ(sl.kind, ST_BLANK);
	parse(")))(((", &sl);
	ASSERT_EQ(sl.kind, ST_OTHER);
	parse("mmap(NULL, 4096", &sl);
	ASSERT_EQ(sl.kind, ST_OTHER);
	parse("<... >", &sl);
	ASSERT_EQ(sl.kind, ST_OTHER);
	return true;
}

TEST(fd_annotations)
{
	static const char y[] =
		"mmap(NULL, 1974096, PROT_READ, MAP_PRIVATE|MAP_DENYWRITE, "
		"3</usr/lib/x86_64-linux-gnu/libc.so.6>, 0)";
	static const char yy[] = "close(1</dev/null<char 1:3>>)";
	static const char cwd[] =
		"openat(AT_FDCWD</tmp/snip>, \"a<b>\", O_RDONLY|O_CLOEXEC)";
	struct strace_fd fds[4];
	char out[512];
	int n;

	ASSERT_NE(strace_strip_fds(y, y + strlen(y), out, sizeof(out), fds, 4,
				   &n),
		  (size_t)-1);
	ASSERT_STREQ(out, "mmap(NULL, 1974096, PROT_READ, "
			  "MAP_PRIVATE|MAP_DENYWRITE, 3, 0)");
	ASSERT_EQ(n, 1);
	ASSERT_EQ(fds[0].fd, 3);
	ASSERT_TRUE(span_is(fds[0].path, fds[0].path_end,
			    "/usr/lib/x86_64-linux-gnu/libc.so.6"));
	strace_strip_fds(yy, yy + strlen(yy), out, sizeof(out), fds, 4, &n);
	ASSERT_STREQ(out, "close(1)");
	ASSERT_TRUE(span_is(fds[0].path, fds[0].path_end, "/dev/null"));
	/* AT_FDCWD's directory goes; a '<' inside a string stays. */
	strace_strip_fds(cwd, cwd + strlen(cwd), out, sizeof(out), fds, 4, &n);
	ASSERT_STREQ(out, "openat(AT_FDCWD, \"a<b>\", O_RDONLY|O_CLOEXEC)");
	ASSERT_EQ(n, 0);
	/* Too small a buffer says so. */
	ASSERT_EQ(strace_strip_fds(y, y + strlen(y), out, 8, fds, 4, &n),
		  (size_t)-1);
	return true;
}

/* ---- replaying ---- */

static const char *const sh_log[] = {
	"4810  execve(\"/usr/bin/sh\", [\"sh\", \"-c\", \"ls\"], 0x7ffe /* 37 "
	"vars */) = 0",
	"4810  mmap(NULL, 8192, PROT_READ|PROT_WRITE, "
	"MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f9ba8c5c000",
	"4810  mmap(NULL, 41375, PROT_READ, MAP_PRIVATE, 3, 0) = "
	"0x7f9ba8c51000",
	"4810  mprotect(0x55db6bf1d000, 8192, PROT_READ) = 0",
	"4810  munmap(0x7f9ba8c51000, 41375)     = 0",
	"4810  vfork( <unfinished ...>",
	"4811  execve(\"/usr/bin/ls\", [\"ls\", \"/\"], 0x55db /* 37 vars */ "
	"<unfinished ...>",
	"4810  <... vfork resumed>)              = 4811",
	"4810  wait4(-1,  <unfinished ...>",
	"4811  <... execve resumed>)             = 0",
	"4811  mmap(NULL, 258, PROT_READ, MAP_PRIVATE, 3</usr/lib/locale/x>, "
	"0) "
	"= 0x7f05179bd000",
	"4811  mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, 3</usr/lib/locale/y>, "
	"0) "
	"= 0x7f05179bb000",
	"4811  exit_group(0)                     = ?",
	"4811  +++ exited with 0 +++",
	"4810  <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, "
	"NULL) = 4811",
	"4810  --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED} ---",
	"4810  exit_group(0)                     = ?",
	"4810  +++ exited with 0 +++",
};

static void replay_all(struct session *s, const char *const *lines, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		s->line++;
		run(s, lines[i]);
	}
}

static const struct vma *vma_at(struct session *s, int pid, unsigned long a)
{
	const struct mm *mm = machine_mm(session_machine(s), pid);
	const struct vma *v = vt_find(&mm->tree, a);

	return v && v->vm_start <= a ? v : NULL;
}

TEST(replay_processes_files_and_summary)
{
	struct session s;
	struct machine *m;
	const struct vma *v;
	char *sum;

	fresh(&s);
	replay_all(&s, sh_log, sizeof(sh_log) / sizeof(sh_log[0]));
	m = session_machine(&s);
	/* One simulated process per real one: 4810 is 1, 4811 its child 2 */
	ASSERT_EQ(machine_pids(m, NULL, 0), 2);
	ASSERT_TRUE(machine_exited(m, 1) && machine_exited(m, 2));
	ASSERT_TRUE(s.replay != NULL);
	sb_reset(&s.out);
	replay_end(&s);
	sum = strdup(sb_str(&s.out));
	ASSERT_TRUE(strstr(sum, "lines read: 18; calls replayed: 11"));
	ASSERT_TRUE(strstr(sum, "4810=1 4811=2"));
	ASSERT_TRUE(strstr(sum, "(1 by fork, 0 seen first with no fork)"));
	ASSERT_TRUE(strstr(sum, "skipped: 1 wait4()"));
	ASSERT_TRUE(strstr(sum, "skipped: 2 exit lines"));
	ASSERT_TRUE(strstr(sum, "skipped: 1 signal lines"));
	ASSERT_TRUE(strstr(sum, "execve: 2"));
	/* 4 placements: the first after each execve calibrates */
	ASSERT_TRUE(strstr(sum, "4 placed where the log says"));
	ASSERT_TRUE(strstr(sum, "agrees on 2, differs on 0, calibrated 2"));
	/* The binary's RELRO was mapped by the kernel: not in the log */
	ASSERT_TRUE(strstr(sum, "results that differ: 1 (1 not in the log"));
	ASSERT_TRUE(strstr(sum, "line 4: not in the log: pid 1: "
				"mprotect(0x55db6bf1d000, 8192, PROT_READ)"));
	free(sum);
	done(&s);

	/* The same lines, with the state checked before the exits. */
	fresh(&s);
	replay_all(&s, sh_log, 12);
	m = session_machine(&s);
	v = vma_at(&s, 1, 0x7f9ba8c5c000UL);
	ASSERT_TRUE(v && v->vm_start == 0x7f9ba8c5c000UL && !v->vm_file);
	ASSERT_TRUE(vma_at(&s, 1, 0x7f9ba8c51000UL) == NULL); /* unmapped */
	/* -y names the files; each mapping sized into its file */
	v = vma_at(&s, 2, 0x7f05179bd000UL);
	ASSERT_TRUE(v && v->vm_file);
	ASSERT_STREQ(v->vm_file->path, "/usr/lib/locale/x");
	v = vma_at(&s, 2, 0x7f05179bb000UL);
	ASSERT_TRUE(v && v->vm_file);
	ASSERT_STREQ(v->vm_file->path, "/usr/lib/locale/y");
	ASSERT_EQ(v->vm_end - v->vm_start, 8192);
	ASSERT_TRUE(v->vm_file->inode->size >= 8192);
	/* the stand-ins of execve: [stack] at the top */
	ASSERT_TRUE(vma_at(&s, 2, 0x7fffffffe000UL) != NULL);
	replay_drop(&s);
	done(&s);
	return true;
}

/* An ordinary script with results in it is not a log. */
TEST(scripts_with_results_are_not_logs)
{
	struct session s;

	fresh(&s);
	run(&s, "mmap(0x200000000000, 4096, PROT_READ, "
		"MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0) = 0x200000000000");
	ASSERT_TRUE(s.replay == NULL);
	ASSERT_STREQ(sb_str(&s.out), "mmap(0x200000000000, 4096, PROT_READ, "
				     "MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, "
				     "0) = 0x200000000000\n");
	done(&s);
	return true;
}

/* A thread (clone3 with CLONE_VM) shares its process's mm. */
TEST(threads_share_the_process)
{
	static const char *const log[] = {
		"100  mmap(NULL, 8192, PROT_READ|PROT_WRITE, "
		"MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000010000",
		"100  "
		"clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|"
		"CLONE_THREAD, exit_signal=0, stack=0x7f00, "
		"stack_size=0x7fff80} "
		"=> {parent_tid=[101]}, 88) = 101",
		"101  mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, "
		"-1, "
		"0) = 0x7f000000f000",
		"101  exit(0) = ?",
		"101  +++ exited with 0 +++",
		"100  mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, "
		"-1, "
		"0) = 0x7f000000e000",
	};
	struct session s;

	fresh(&s);
	replay_all(&s, log, sizeof(log) / sizeof(log[0]));
	ASSERT_EQ(machine_pids(session_machine(&s), NULL, 0), 1);
	ASSERT_FALSE(machine_exited(session_machine(&s), 1));
	ASSERT_TRUE(vma_at(&s, 1, 0x7f000000f000UL) != NULL);
	ASSERT_TRUE(vma_at(&s, 1, 0x7f000000e000UL) != NULL);
	replay_drop(&s);
	done(&s);
	return true;
}

static const struct test_case tests[] = {
	TEST_ENTRY(plain_call_and_address),
	TEST_ENTRY(pid_columns_and_timestamps),
	TEST_ENTRY(results),
	TEST_ENTRY(unfinished_and_resumed),
	TEST_ENTRY(other_lines),
	TEST_ENTRY(fd_annotations),
	TEST_ENTRY(replay_processes_files_and_summary),
	TEST_ENTRY(scripts_with_results_are_not_logs),
	TEST_ENTRY(threads_share_the_process),
};

int main(void)
{
	return RUN_TESTS("strace", tests);
}
