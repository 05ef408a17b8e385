/*
 * record.c - `vmalab record [-o NAME] [--aslr] [--] CMD [ARGS...]`.
 *
 * The program runs under ptrace, followed through fork, vfork and clone.
 * Each system call that has a row in the command table (so brk, mremap
 * and the others as they get rows), and open, fork, clone and exit, is
 * written to NAME.log as strace -f -y would write it.  At each execve the
 * new address space is read from /proc/PID/smaps and pagemap and written
 * as `given` lines, since the kernel made it from the ELF; at each exit
 * the real /proc/PID/maps is kept.  Then the log is replayed as `import`
 * does (NAME.vml is the scenario it makes), and each process's final maps
 * in the simulation are compared with the real ones.
 *
 * The program runs with ASLR off (as gdb runs programs), so that its
 * mmap_base and stack are where the simulation puts them; --aslr keeps
 * randomisation.  It starts with fds 0-2 only, whatever vmalab inherited
 * (a shell's, make's jobserver's), so that its open()s return the fds a
 * simulated process's would.  This is the one part of vmalab that touches
 * real processes other than its own children in verify: it only reads
 * them.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>
/* <sys/user.h> has the kernel's page macros; the engine's are the same. */
#undef PAGE_SHIFT
#undef PAGE_SIZE
#undef PAGE_MASK
#include "given.h"
#include "procfs.h"
#include "record.h"
#include "replay.h"
#include "session.h"

/* x86-64 numbers of the calls the recorder treats itself. */
#define SYS_OPEN 2
#define SYS_CLONE 56
#define SYS_FORK 57
#define SYS_VFORK 58
#define SYS_EXIT 60
#define SYS_CLONE3 435
#define CLONE_VM_FLAG 0x100UL
#define CLONE_VFORK_FLAG 0x4000UL
#define CLONE_THREAD_FLAG 0x10000UL

struct task {
	pid_t tid;
	bool in_sys, forked, attached;
	struct user_regs_struct entry;
	char *path;	 /* the string argument, read at entry */
	char *fdpath[6]; /* what each fd argument named, at entry */
	char *held_exit; /* exit_group's line, written after the maps */
	struct task *next;
};

struct recorder {
	struct task *tasks;
	struct strbuf log;
	/* The real maps at each exit, by pid, as "PID\nmaps..." blocks. */
	struct finalmap {
		pid_t pid;
		char *maps;
	} * finals;
	size_t nfinals;
	pid_t root;
};

static struct task *task_get(struct recorder *r, pid_t tid)
{
	struct task *t;

	for (t = r->tasks; t; t = t->next)
		if (t->tid == tid)
			return t;
	t = calloc(1, sizeof(*t));
	if (!t)
		abort();
	t->tid = tid;
	t->next = r->tasks;
	r->tasks = t;
	return t;
}

static void task_clear_args(struct task *t)
{
	free(t->path);
	t->path = NULL;
	for (int i = 0; i < 6; i++) {
		free(t->fdpath[i]);
		t->fdpath[i] = NULL;
	}
}

/* ---- reading the tracee ---- */

static char *read_string(pid_t tid, unsigned long addr)
{
	char buf[4096];
	struct iovec local = {buf, sizeof(buf) - 1},
		     remote = {(void *)addr, sizeof(buf) - 1};
	ssize_t n;

	if (!addr)
		return NULL;
	/* One page at a time would be exact; a path is rarely near an end. */
	n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
	if (n <= 0) {
		remote.iov_len = local.iov_len =
			PAGE_SIZE - (addr & (PAGE_SIZE - 1));
		n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
	}
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return strdup(buf);
}

static char *fd_path(pid_t tid, long fd)
{
	char link[64], buf[4096];
	ssize_t n;

	if (fd < 0 || fd > 1 << 20)
		return NULL;
	snprintf(link, sizeof(link), "/proc/%d/fd/%ld", tid, fd);
	n = readlink(link, buf, sizeof(buf) - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return strdup(buf);
}

static void args_of(const struct user_regs_struct *g, unsigned long a[6])
{
	a[0] = g->rdi;
	a[1] = g->rsi;
	a[2] = g->rdx;
	a[3] = g->r10;
	a[4] = g->r8;
	a[5] = g->r9;
}

/* The row a call is written with: open is written as openat. */
static const struct command *row_of(long nr)
{
	if (nr == SYS_OPEN)
		return command_for_nr(NR_openat);
	if (nr == SYS_EXIT)
		return command_for_nr(NR_exit_group);
	return nr >= 0 && nr < NR_MAX ? command_for_nr((int)nr) : NULL;
}

static void call_of(long nr, const struct user_regs_struct *g, struct call *c)
{
	unsigned long a[6];

	memset(c, 0, sizeof(*c));
	args_of(g, a);
	if (nr == SYS_OPEN) {
		c->nr = NR_openat;
		c->a[0] = (unsigned long)AT_FDCWD;
		c->a[2] = a[1];
		c->a[3] = a[2];
		c->path_arg = 1;
		return;
	}
	c->nr = (int)nr;
	memcpy(c->a, a, sizeof(a));
	/* fds are ints to the kernel: AT_FDCWD comes as 0xffffff9c. */
	for (int i = 0; row_of(nr) && i < 6; i++)
		if (row_of(nr)->args[i] == ARG_FD ||
		    row_of(nr)->args[i] == ARG_DIRFD)
			c->a[i] = (unsigned long)(long)(int)c->a[i];
}

/* At entry: the strings and the fds' files, while they are there. */
static void on_entry(struct task *t, long nr)
{
	const struct command *cmd = row_of(nr);
	struct call c;

	task_clear_args(t);
	if (!cmd)
		return;
	call_of(nr, &t->entry, &c);
	for (int i = 0; i < cmd->max_args && i < 6; i++) {
		if (cmd->args[i] == ARG_PATH) {
			t->path = read_string(
				t->tid, nr == SYS_OPEN ? t->entry.rdi : c.a[i]);
			c.path_arg = i;
		} else if (cmd->args[i] == ARG_FD &&
			   !(c.nr == NR_mmap && (c.a[3] & MAP_ANONYMOUS))) {
			t->fdpath[i] = fd_path(t->tid, (long)c.a[i]);
		}
	}
}

static void log_call(struct recorder *r, struct task *t, long nr, long ret,
		     bool unknown)
{
	const struct command *cmd = row_of(nr);
	struct call c;

	call_of(nr, &t->entry, &c);
	for (int i = 0; i < cmd->max_args && i < 6; i++)
		if (cmd->args[i] == ARG_PATH) {
			c.path = t->path ? t->path : "";
			c.path_arg = i;
		}
	sb_addf(&r->log, "%d  ", t->tid);
	format_call_fds(&r->log, cmd, &c, t->fdpath);
	sb_puts(&r->log, " = ");
	if (unknown)
		sb_puts(&r->log, "?");
	else
		format_result(&r->log, ret, cmd->result == RES_ADDR);
	sb_puts(&r->log, "\n");
}

/* /proc/PID/stat field n (1-based), after the command's parentheses. */
static unsigned long stat_field(pid_t pid, int n)
{
	char path[64], buf[4096], *p;
	FILE *f;
	size_t len;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = '\0';
	p = strrchr(buf, ')');
	for (int i = 2; p && i < n; i++)
		p = strchr(p + 1, ' ');
	return p ? strtoul(p + 1, NULL, 10) : 0;
}

/* The new address space of an execve, as `given` lines. */
static void log_exec(struct recorder *r, struct task *t)
{
	struct strbuf lines = {0};
	char err[300];
	int dropped;
	const char *p;

	sb_addf(&r->log, "%d  execve(\"%s\") = 0\n", t->tid,
		t->path ? t->path : "");
	sb_addf(&r->log,
		"%d  # the kernel made these from the ELF (/proc/%d/smaps)\n",
		t->tid, t->tid);
	sb_addf(&r->log, "%d  given layout empty\n", t->tid);
	if (proc_to_given(t->tid, &lines, &dropped, err, sizeof(err)) < 0) {
		sb_addf(&r->log, "%d  # %s\n", t->tid, err);
		return;
	}
	for (p = sb_str(&lines); *p;) {
		size_t n = strcspn(p, "\n");

		sb_addf(&r->log, "%d  %.*s\n", t->tid, (int)n, p);
		p += n + (p[n] == '\n');
	}
	sb_free(&lines);
	/* fs/proc/array.c do_task_stat: 28 startstack, 47 start_brk */
	sb_addf(&r->log, "%d  given layout start_stack %#lx\n", t->tid,
		stat_field(t->tid, 28));
	sb_addf(&r->log, "%d  given layout brk %#lx\n", t->tid,
		stat_field(t->tid, 47));
}

static void keep_final_maps(struct recorder *r, pid_t tid)
{
	char path[64], err[300];
	struct strbuf sb = {0};
	FILE *f;
	char buf[4096];
	size_t n;

	(void)err;
	snprintf(path, sizeof(path), "/proc/%d/maps", tid);
	f = fopen(path, "r");
	if (!f)
		return;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_add(&sb, buf, n);
	fclose(f);
	r->finals = realloc(r->finals, (r->nfinals + 1) * sizeof(*r->finals));
	if (!r->finals)
		abort();
	r->finals[r->nfinals].pid = tid;
	r->finals[r->nfinals++].maps = strdup(sb_str(&sb));
	sb_addf(&r->log,
		"%d  # exit: the real maps are kept for the "
		"comparison\n",
		tid);
	sb_free(&sb);
}

static void log_fork(struct recorder *r, struct task *t, long nr,
		     unsigned long child)
{
	unsigned long flags = 0;

	if (nr == SYS_CLONE)
		flags = t->entry.rdi;
	if (nr == SYS_CLONE3) {
		struct iovec local = {&flags, sizeof(flags)},
			     remote = {(void *)t->entry.rdi, sizeof(flags)};

		if (process_vm_readv(t->tid, &local, 1, &remote, 1, 0) != 8)
			flags = 0;
	}
	if (nr == SYS_CLONE || nr == SYS_CLONE3)
		sb_addf(&r->log, "%d  clone(flags=%s%s%s0) = %lu\n", t->tid,
			flags & CLONE_VM_FLAG ? "CLONE_VM|" : "",
			flags & CLONE_VFORK_FLAG ? "CLONE_VFORK|" : "",
			flags & CLONE_THREAD_FLAG ? "CLONE_THREAD|" : "",
			child);
	else
		sb_addf(&r->log, "%d  %s() = %lu\n", t->tid,
			nr == SYS_VFORK ? "vfork" : "fork", child);
	t->forked = true;
}

static bool is_fork(long nr)
{
	return nr == SYS_FORK || nr == SYS_VFORK || nr == SYS_CLONE ||
	       nr == SYS_CLONE3;
}

/* A syscall stop: entry or exit. */
static void on_syscall(struct recorder *r, struct task *t)
{
	struct user_regs_struct g;
	long nr;

	if (ptrace(PTRACE_GETREGS, t->tid, 0, &g))
		return;
	if (!t->in_sys) {
		t->in_sys = true;
		t->entry = g;
		t->forked = false;
		nr = (long)g.orig_rax;
		on_entry(t, nr);
		if ((nr == NR_exit_group || nr == SYS_EXIT) && row_of(nr)) {
			struct strbuf sb = {0};
			struct recorder tmp = {.log = sb};

			log_call(&tmp, t, nr, 0, true);
			free(t->held_exit);
			t->held_exit = strdup(sb_str(&tmp.log));
			sb_free(&tmp.log);
		}
		return;
	}
	t->in_sys = false;
	nr = (long)t->entry.orig_rax;
	if (is_fork(nr) && !t->forked && (long)g.rax < 0)
		sb_addf(&r->log, "%d  fork() = %ld\n", t->tid, (long)g.rax);
	else if (nr == NR_execve && (long)g.rax == 0)
		; /* written at the exec event */
	else if (row_of(nr) && !is_fork(nr) && nr != NR_exit_group &&
		 nr != SYS_EXIT)
		log_call(r, t, nr, (long)g.rax, false);
}

static void on_event(struct recorder *r, struct task *t, int event)
{
	unsigned long msg = 0;

	ptrace(PTRACE_GETEVENTMSG, t->tid, 0, &msg);
	switch (event) {
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		log_fork(r, t, (long)t->entry.orig_rax, msg);
		task_get(r, (pid_t)msg)->attached = true;
		break;
	case PTRACE_EVENT_EXEC:
		/* A non-leader that execs takes the leader's pid. */
		if ((pid_t)msg != t->tid)
			t = task_get(r, (pid_t)msg);
		log_exec(r, t);
		break;
	case PTRACE_EVENT_EXIT:
		keep_final_maps(r, t->tid);
		if (t->held_exit)
			sb_puts(&r->log, t->held_exit);
		free(t->held_exit);
		t->held_exit = NULL;
		break;
	default:
		break;
	}
}

/* The child: stopped for the tracer, then the program. */
static void run_child(char **argv, bool aslr, int errfd)
{
	int err;

	if (ptrace(PTRACE_TRACEME, 0, 0, 0) == 0) {
		/* Fds 0-2 only (see the top of the file): the others close
		 * at the exec, errfd too, which is how the parent learns
		 * that the exec worked. */
		close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
		if (!aslr)
			personality(ADDR_NO_RANDOMIZE);
		raise(SIGSTOP);
		execvp(argv[0], argv);
	}
	err = errno;
	if (write(errfd, &err, sizeof(err)) < 0)
		_exit(126);
	_exit(127);
}

static int trace_loop(struct recorder *r)
{
	int status, live = 1;
	pid_t tid;

	while (live > 0 && (tid = waitpid(-1, &status, __WALL)) > 0) {
		struct task *t = task_get(r, tid);
		int sig = 0;

		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			if (WIFSIGNALED(status))
				sb_addf(&r->log, "%d  +++ killed by %s +++\n",
					tid,
					sigabbrev_np(WTERMSIG(status))
						? sigabbrev_np(WTERMSIG(status))
						: "a signal");
			else
				sb_addf(&r->log, "%d  +++ exited with %d +++\n",
					tid, WEXITSTATUS(status));
			live--;
			continue;
		}
		if (!WIFSTOPPED(status))
			continue;
		if (WSTOPSIG(status) == (SIGTRAP | 0x80)) {
			on_syscall(r, t);
		} else if (WSTOPSIG(status) == SIGTRAP && status >> 16) {
			int ev = status >> 16;

			on_event(r, t, ev);
			if (ev == PTRACE_EVENT_FORK ||
			    ev == PTRACE_EVENT_VFORK ||
			    ev == PTRACE_EVENT_CLONE)
				live++;
		} else if (WSTOPSIG(status) == SIGSTOP && t->attached) {
			t->attached = false; /* a new child's first stop */
		} else {
			sig = WSTOPSIG(status);
		}
		ptrace(PTRACE_SYSCALL, tid, 0, sig);
	}
	return 0;
}

/* Start argv under ptrace.  0, or -1 with the reason printed. */
static int start(struct recorder *r, char **argv, bool aslr)
{
	int pipefd[2], err = 0, status;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		run_child(argv, aslr, pipefd[1]);
	close(pipefd[1]);
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)) {
		if (read(pipefd[0], &err, sizeof(err)) != sizeof(err))
			err = 0;
		close(pipefd[0]);
		if (err == EPERM || err == EACCES)
			fprintf(stderr,
				"vmalab record: ptrace is not permitted here "
				"(%s): kernel.yama.ptrace_scope, a seccomp "
				"filter or a container without "
				"CAP_SYS_PTRACE forbids it.\nRecord with "
				"strace instead if it may run: strace -f -y -e "
				"trace=memory,process -o LOG CMD, then "
				"vmalab --batch LOG\n",
				strerror(err));
		else
			fprintf(stderr,
				"vmalab record: %s could not start%s%s\n",
				argv[0], err ? ": " : "",
				err ? strerror(err) : "");
		return -1;
	}
	close(pipefd[0]);
	r->root = pid;
	if (ptrace(PTRACE_SETOPTIONS, pid, 0,
		   PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK |
			   PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
			   PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT |
			   PTRACE_O_EXITKILL)) {
		fprintf(stderr, "vmalab record: PTRACE_SETOPTIONS: %s\n",
			strerror(errno));
		kill(pid, SIGKILL);
		return -1;
	}
	ptrace(PTRACE_SYSCALL, pid, 0, 0);
	return 0;
}

/* ---- replay and comparison ---- */

/* "start-end perms offset name" of a maps line, without dev and inode. */
static void maps_key(const char *line, size_t len, struct strbuf *out)
{
	size_t f3 = maps_field_end(line, len, 2);
	size_t name = maps_name_offset(line, len);

	sb_add(out, line, f3);
	if (name < len) {
		sb_puts(out, " ");
		sb_add(out, line + name, len - name);
	}
}

static void keys_of(const char *maps, struct strbuf *out, int *n)
{
	*n = 0;
	while (*maps) {
		size_t len = strcspn(maps, "\n");
		unsigned long start;

		if (maps_line_start(maps, len, &start) && start < TASK_SIZE) {
			maps_key(maps, len, out);
			sb_puts(out, "\n");
			(*n)++;
		}
		maps += len + (maps[len] == '\n');
	}
}

/* Lines of a that b lacks, each printed with mark. */
static int only_in(const char *a, const char *b, char mark, struct strbuf *out)
{
	int n = 0;

	while (*a) {
		size_t len = strcspn(a, "\n");
		const char *p = b;
		bool found = false;

		while (*p && !found) {
			size_t l = strcspn(p, "\n");

			found = l == len && !memcmp(p, a, len);
			p += l + (p[l] == '\n');
		}
		if (!found) {
			sb_addf(out, "#     %c %.*s\n", mark, (int)len, a);
			n++;
		}
		a += len + (a[len] == '\n');
	}
	return n;
}

static void compare_maps(struct session *s, pid_t real, const char *maps,
			 struct strbuf *report, int *differ)
{
	int sim = replay_sim_pid(s, real);
	struct strbuf mine = {0}, kr = {0}, ks = {0}, lines = {0};
	int nreal, nsim, d;

	if (!sim)
		return;
	show_maps(machine_mm(session_machine(s), sim), false, &mine);
	keys_of(maps, &kr, &nreal);
	keys_of(sb_str(&mine), &ks, &nsim);
	d = only_in(sb_str(&kr), sb_str(&ks), '+', &lines);
	d += only_in(sb_str(&ks), sb_str(&kr), '-', &lines);
	sb_addf(report,
		"# pid %d (real %d) at exit: %d VMAs in the kernel, %d in "
		"vmalab, %d lines differ%s\n",
		sim, real, nreal, nsim, d,
		d ? " (+ only the kernel's, - only vmalab's)" : "");
	sb_add(report, sb_str(&lines), lines.len);
	*differ += d;
	sb_free(&mine);
	sb_free(&kr);
	sb_free(&ks);
	sb_free(&lines);
}

static const char *final_maps(struct recorder *r, pid_t pid, size_t *from)
{
	for (size_t i = *from; i < r->nfinals; i++)
		if (r->finals[i].pid == pid) {
			*from = i + 1;
			return r->finals[i].maps;
		}
	return NULL;
}

/*
 * Replay the log in a fresh session, comparing the maps at each exit
 * marker before the exit itself runs.  The replay's own output goes to
 * out (NULL: nowhere), its summary and the comparison to report.
 */
static int replay_log(struct recorder *r, const char *name, FILE *out,
		      struct strbuf *report, struct strbuf *script)
{
	struct session s;
	const char *p = sb_str(&r->log);
	size_t next = 0;
	int differ = 0;

	session_init(&s, engine_backend_new(NULL));
	s.src = name;
	replay_begin(&s, name, script);
	while (*p) {
		size_t len = strcspn(p, "\n");
		long pid = strtol(p, NULL, 10);
		const char *maps;

		s.line++;
		if (len > 10 && strstr(p, "  # exit: the real maps") &&
		    strstr(p, "  # exit: the real maps") < p + len &&
		    (maps = final_maps(r, (pid_t)pid, &next)))
			compare_maps(&s, (pid_t)pid, maps, report, &differ);
		session_run_line(&s, p, len);
		if (out)
			session_emit(&s, out);
		p += len + (p[len] == '\n');
	}
	sb_reset(&s.out);
	replay_end(&s);
	sb_add(report, sb_str(&s.out), s.out.len);
	session_fini(&s);
	s.be->ops->destroy(s.be);
	return differ;
}

static int write_file(const char *path, const struct strbuf *sb)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(sb_str(sb), f) < 0 || fclose(f)) {
		fprintf(stderr, "vmalab record: %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	return 0;
}

static void usage(void)
{
	fputs("usage: vmalab record [-o NAME] [--aslr] [-v] [--] CMD "
	      "[ARGS...]\n"
	      "  runs CMD under ptrace and writes NAME.log (its memory calls "
	      "in strace's\n  syntax, with the maps each execve made) and "
	      "NAME.vml (the replay as a\n  scenario); prints the replay's "
	      "summary and how the final maps compare.\n"
	      "  -o NAME  where to write (default: record)\n"
	      "  --aslr   keep address randomisation (off by default, as in "
	      "gdb)\n"
	      "  -v       print the replay of every call too\n",
	      stderr);
}

int record_main(int argc, char **argv)
{
	struct recorder r = {0};
	struct strbuf report = {0}, script = {0};
	const char *name = "record";
	char path[4096];
	bool aslr = false, verbose = false;
	int i, differ;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			name = argv[++i];
		} else if (!strcmp(argv[i], "--aslr")) {
			aslr = true;
		} else if (!strcmp(argv[i], "-v")) {
			verbose = true;
		} else {
			usage();
			return 2;
		}
	}
	if (i == argc) {
		usage();
		return 2;
	}
	if (start(&r, argv + i, aslr))
		return 2;
	trace_loop(&r);
	snprintf(path, sizeof(path), "%s.log", name);
	if (write_file(path, &r.log))
		return 2;
	differ =
		replay_log(&r, path, verbose ? stdout : NULL, &report, &script);
	snprintf(path, sizeof(path), "%s.vml", name);
	if (write_file(path, &script))
		return 2;
	printf("# record: %s.log (the log) and %s.vml (the scenario)\n", name,
	       name);
	fputs(sb_str(&report), stdout);
	sb_free(&report);
	sb_free(&script);
	sb_free(&r.log);
	for (struct task *t = r.tasks, *n; t; t = n) {
		n = t->next;
		task_clear_args(t);
		free(t->held_exit);
		free(t);
	}
	for (size_t k = 0; k < r.nfinals; k++)
		free(r.finals[k].maps);
	free(r.finals);
	return differ ? 1 : 0;
}
