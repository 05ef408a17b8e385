/*
 * kernel_backend.c - the running kernel as a backend, for `vmalab verify`.
 *
 * Each simulated process is a real process.  The controller (vmalab itself)
 * talks to each one over a SOCK_SEQPACKET socketpair: it sends a fixed-size
 * request, the process runs it as a raw system call (so the result is the
 * kernel's own value or -errno, untouched by libc) and answers with the
 * result and, for maps and openat, some text.
 *
 * A process keeps its channel at CHAN_FD and closes every other fd from 3
 * up, so that openat hands out 3, 4, ... exactly as the simulation does
 * (fds 0-2 stay open, on /dev/null).
 * Its cwd is a private temporary directory, so scripts' relative paths
 * land there.  fork() is a real fork; the new process gets its own channel
 * through SCM_RIGHTS with the request.  Every process is a direct child of
 * the controller (clone with CLONE_PARENT) so that the controller can reap
 * them all and say how one died.
 *
 * What the kernel prints is cut down to the contract's shape: only the
 * VMAs that start in the test window, only the smaps fields the engine
 * prints, and file names as the script spelled them.  Device and inode
 * numbers and seq_pad's padding stay as the kernel printed them.
 */
/* Make and check-asan may replace CFLAGS, and -D_GNU_SOURCE with it. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "backend.h"
#include "procfs.h"
#include "strbuf.h"

#define CHAN_FD 1000 /* every process's channel, far above script fds */
#define REPLY_TIMEOUT_MS 10000 /* a process that is silent this long is hung */
#define CHUNK 65536	       /* text travels in messages of at most this */
#define ALTSTACK_SIZE 65536
#define KPAGE_SIZE 4096UL

enum kop {
	KOP_CALL,
	KOP_MAPS,
	KOP_SMAPS,
	KOP_PAGES,
};

/* Controller -> process.  Fixed size: one message per request. */
struct kreq {
	int op;
	int nr; /* enum vcall, for KOP_CALL */
	unsigned long a[6];
	char path[PATH_MAX]; /* openat's path, NUL-terminated */
};

/* Process -> controller; textlen bytes of text follow in CHUNK pieces. */
struct kreply {
	long ret;
	unsigned long fault;
	size_t textlen;
};

/* ---------------------------------------------------------------------- */
/* The process side.                                                       */
/* ---------------------------------------------------------------------- */

/*
 * The only global: the SIGSEGV/SIGBUS handler of a process must know
 * where to jump back to and where to leave the signal and address.  It is
 * used only in the child processes, which have one thread each.
 */
static struct {
	sigjmp_buf env;
	volatile sig_atomic_t armed;
	volatile int sig;
	volatile unsigned long addr;
} touch_state;

static void touch_fault(int sig, siginfo_t *si, void *uc)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};

	(void)uc;
	if (!touch_state.armed) {
		/* Not ours: on return the access faults again and kills us
		 * with the default action, which the controller reports. */
		sigaction(sig, &dfl, NULL);
		return;
	}
	touch_state.armed = 0;
	touch_state.sig = sig;
	touch_state.addr = (unsigned long)si->si_addr;
	siglongjmp(touch_state.env, 1);
}

/* Send a reply and its text; a failure means the controller is gone. */
static void child_reply(int chan, long ret, unsigned long fault,
			const char *text, size_t len)
{
	struct kreply r = {.ret = ret, .fault = fault, .textlen = len};

	if (send(chan, &r, sizeof(r), MSG_NOSIGNAL) != sizeof(r))
		_exit(3);
	while (len > 0) {
		size_t n = len < CHUNK ? len : CHUNK;

		if (send(chan, text, n, MSG_NOSIGNAL) != (ssize_t)n)
			_exit(3);
		text += n;
		len -= n;
	}
}

/* Report a setup failure as the "ready" message, and give up. */
static void __attribute__((noreturn))
child_setup_failed(int chan, const char *what)
{
	char msg[PATH_MAX + 64];

	snprintf(msg, sizeof(msg), "%s: %s", what, strerror(errno));
	child_reply(chan, -1, 0, msg, strlen(msg));
	_exit(1);
}

/* Read a whole /proc file into sb.  0, or -errno. */
static long read_file(const char *path, struct strbuf *sb)
{
	char buf[16384];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		sb_add(sb, buf, (size_t)n);
	if (n < 0) {
		long err = -errno;

		close(fd);
		return err;
	}
	close(fd);
	return 0;
}

/* 0 if nothing of ours is mapped in the test window, else -1 and why. */
static int window_is_empty(char *why, size_t whylen)
{
	struct strbuf sb = STRBUF_INIT;
	const char *line;
	long err = read_file("/proc/self/maps", &sb);

	if (err) {
		snprintf(why, whylen, "reading /proc/self/maps: %s",
			 strerror((int)-err));
		sb_free(&sb);
		return -1;
	}
	for (line = sb_str(&sb); *line;) {
		const char *nl = strchrnul(line, '\n');
		unsigned long start, end;

		if (sscanf(line, "%lx-%lx", &start, &end) == 2 &&
		    start < VERIFY_WINDOW_END && end > VERIFY_WINDOW_START) {
			snprintf(why, whylen,
				 "the test window is not empty: %.*s",
				 (int)(nl - line), line);
			sb_free(&sb);
			return -1;
		}
		line = *nl ? nl + 1 : nl;
	}
	sb_free(&sb);
	return 0;
}

static int set_soft_limit(int resource, rlim_t soft)
{
	struct rlimit rl;

	if (getrlimit(resource, &rl))
		return -1;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < soft) {
		errno = EPERM;
		return -1;
	}
	rl.rlim_cur = soft;
	return setrlimit(resource, &rl);
}

/* Catch write faults on an alternate stack (a touch may hit anything). */
static int install_fault_handlers(void)
{
	struct sigaction sa = {.sa_sigaction = touch_fault};
	stack_t ss = {.ss_size = ALTSTACK_SIZE};

	ss.ss_sp = malloc(ALTSTACK_SIZE);
	if (!ss.ss_sp) {
		errno = ENOMEM;
		return -1;
	}
	if (sigaltstack(&ss, NULL))
		return -1;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, NULL) || sigaction(SIGBUS, &sa, NULL))
		return -1;
	return 0;
}

/*
 * fds 0-2 stay open, as in any process, but on /dev/null: a script's
 * close(1) or ftruncate(1, 0) must not reach vmalab's own output, and the
 * results must not depend on whether vmalab writes to a terminal or a file.
 */
static int stdio_to_null(void)
{
	int fd = open("/dev/null", O_RDWR);

	if (fd < 0)
		return -1;
	for (int i = STDIN_FILENO; i <= STDERR_FILENO; i++) {
		if (fd != i && dup2(fd, i) < 0)
			return -1;
	}
	if (fd > STDERR_FILENO)
		close(fd);
	return 0;
}

/* Die with the controller; it may already be gone. */
static void follow_controller(pid_t controller)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != controller)
		_exit(1);
}

/*
 * Write one byte to each page of [addr, addr + len), first at addr, then
 * at each following page start.  Returns 0, or the signal of the first
 * fault with its page in *fault.  Not sanitized: the writes are meant to
 * fault, and ASan's shadow check of a non-canonical address would fault
 * first, with no address.
 */
static long __attribute__((no_sanitize("address", "undefined")))
do_touch(unsigned long addr, unsigned long len, unsigned long *fault)
{
	unsigned long end = addr + len;

	if (sigsetjmp(touch_state.env, 1)) {
		*fault = touch_state.addr & ~(KPAGE_SIZE - 1);
		return touch_state.sig;
	}
	touch_state.armed = 1;
	for (unsigned long p = addr; p < end; p = (p | (KPAGE_SIZE - 1)) + 1) {
		*(volatile char *)p = 1;
		if ((p | (KPAGE_SIZE - 1)) == ~0UL)
			break;
	}
	touch_state.armed = 0;
	return 0;
}

/* The raw system call's value, or -errno: no libc in between. */
static long raw(long ret)
{
	return ret == -1 ? -errno : ret;
}

/*
 * fork() for real, but with CLONE_PARENT so that the new process is the
 * controller's child too and can be reaped by it.  The memory side is
 * exactly fork's: no CLONE_VM, so dup_mmap() copies the address space.
 * Returns the new real pid in the parent; in the new process it returns 0
 * after making chan its channel.  Calling clone directly skips libc's
 * fork bookkeeping (atfork handlers, the cached thread id), which is fine:
 * the new process only runs this file's loop, single-threaded.
 */
static long child_fork(int chan, pid_t controller)
{
	long pid;

	if (chan < 0)
		return -EBADF;
	pid = raw(syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, NULL, NULL, 0));
	if (pid != 0) {
		close(chan);
		return pid;
	}
	if (dup2(chan, CHAN_FD) < 0)
		_exit(4);
	close(chan);
	follow_controller(controller);
	return 0;
}

/* Run one call; *text gets what the reply carries besides the value. */
static long child_call(const struct kreq *rq, int passed, pid_t controller,
		       unsigned long *fault, struct strbuf *text)
{
	const unsigned long *a = rq->a;
	char link[64], target[PATH_MAX];
	long ret;
	ssize_t n;

	switch (rq->nr) {
	case VC_MMAP:
		return raw(
			syscall(SYS_mmap, a[0], a[1], a[2], a[3], a[4], a[5]));
	case VC_MUNMAP:
		return raw(syscall(SYS_munmap, a[0], a[1]));
	case VC_MPROTECT:
		return raw(syscall(SYS_mprotect, a[0], a[1], a[2]));
	case VC_OPENAT:
		ret = raw(syscall(SYS_openat, (long)(int)a[0], rq->path, a[2],
				  a[3]));
		if (ret < 0)
			return ret;
		/* The name /proc/PID/maps will print for it. */
		snprintf(link, sizeof(link), "/proc/self/fd/%ld", ret);
		n = readlink(link, target, sizeof(target));
		if (n > 0)
			sb_add(text, target, (size_t)n);
		return ret;
	case VC_CLOSE:
		/* Closing the channel would cut us off: it is not the
		 * script's fd, so answer as if it were not open. */
		if ((int)a[0] == CHAN_FD)
			return -EBADF;
		return raw(syscall(SYS_close, a[0]));
	case VC_FTRUNCATE:
		return raw(syscall(SYS_ftruncate, a[0], a[1]));
	case VC_FORK:
		return child_fork(passed, controller);
	case VC_TOUCH:
		return do_touch(a[0], a[1], fault);
	}
	return -ENOSYS;
}

/* Receive one request, and the fd that comes with a fork.  0 at EOF. */
static ssize_t child_recv(struct kreq *rq, int *passed)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = rq, .iov_len = sizeof(*rq)};
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm;
	ssize_t n;

	*passed = -1;
	do {
		n = recvmsg(CHAN_FD, &msg, 0);
	} while (n < 0 && errno == EINTR);
	cm = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
		memcpy(passed, CMSG_DATA(cm), sizeof(int));
	return n;
}

#define PM_PFN_MASK ((1ULL << 55) - 1)
#define KPF_ZERO_PAGE 24

/*
 * Is the page frame pfn the shared zero page?  /proc/kpageflags says
 * (root only, as verify runs here; elsewhere the PFNs read as 0 and a
 * zero page shows as an anonymous one).
 */
static bool is_zero_pfn(int kpf, unsigned long long pfn)
{
	unsigned long long flags;

	return kpf >= 0 && pfn &&
	       pread(kpf, &flags, sizeof(flags),
		     (off_t)(pfn * sizeof(flags))) == (ssize_t)sizeof(flags) &&
	       (flags >> KPF_ZERO_PAGE) & 1;
}

/*
 * /proc/self/pagemap for n pages from addr: bit 63 present, bit 61 a
 * file page or shared anonymous page, bits 0-54 the PFN (for the zero
 * page: 'z').
 */
static long read_pagemap(unsigned long addr, unsigned long n,
			 struct strbuf *text)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	int kpf = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	unsigned long long e;

	if (fd < 0) {
		if (kpf >= 0)
			close(kpf);
		return -errno;
	}
	for (unsigned long i = 0; i < n; i++) {
		off_t off = (off_t)(((addr / KPAGE_SIZE) + i) * sizeof(e));
		char c = '.';

		if (pread(fd, &e, sizeof(e), off) == (ssize_t)sizeof(e) &&
		    (e >> 63) & 1)
			c = (e >> 61) & 1			? 'f'
			    : is_zero_pfn(kpf, e & PM_PFN_MASK) ? 'z'
								: 'a';
		sb_add(text, &c, 1);
	}
	if (kpf >= 0)
		close(kpf);
	close(fd);
	return 0;
}

static void __attribute__((noreturn)) child_serve(pid_t controller)
{
	struct strbuf text = STRBUF_INIT;
	struct kreq rq;

	for (;;) {
		unsigned long fault = 0;
		int passed;
		ssize_t n = child_recv(&rq, &passed);
		long ret;

		if (n == 0)
			_exit(0);
		if (n != (ssize_t)sizeof(rq))
			_exit(5);
		sb_reset(&text);
		if (passed >= 0 && (rq.op != KOP_CALL || rq.nr != VC_FORK)) {
			close(passed);
			passed = -1;
		}
		if (rq.op == KOP_CALL) {
			ret = child_call(&rq, passed, controller, &fault,
					 &text);
			/* The new process of a fork says nothing yet. */
			if (rq.nr == VC_FORK && ret == 0)
				continue;
		} else if (rq.op == KOP_PAGES) {
			ret = read_pagemap(rq.a[0], rq.a[1], &text);
		} else {
			ret = read_file(rq.op == KOP_SMAPS ? "/proc/self/smaps"
							   : "/proc/self/maps",
					&text);
		}
		child_reply(CHAN_FD, ret, fault, text.buf, text.len);
	}
}

/*
 * The first process: set up the environment the contract assumes, say
 * "ready" (or why not), then serve.
 */
static void __attribute__((noreturn))
child_main(int chan, const char *dir, pid_t controller)
{
	char why[512];

	/* CHAN_FD must be below RLIMIT_NOFILE before the channel moves. */
	if (set_soft_limit(RLIMIT_NOFILE, 1024))
		child_setup_failed(chan, "RLIMIT_NOFILE");
	if (dup2(chan, CHAN_FD) < 0)
		child_setup_failed(chan, "dup2");
	if (close_range(STDERR_FILENO + 1, CHAN_FD - 1, 0) ||
	    close_range(CHAN_FD + 1, ~0U, 0))
		child_setup_failed(CHAN_FD, "close_range");
	if (stdio_to_null())
		child_setup_failed(CHAN_FD, "/dev/null");
	follow_controller(controller);
	if (set_soft_limit(RLIMIT_STACK, 8UL << 20))
		child_setup_failed(CHAN_FD, "RLIMIT_STACK");
	if (chdir(dir))
		child_setup_failed(CHAN_FD, dir);
	if (install_fault_handlers())
		child_setup_failed(CHAN_FD, "signal handlers");
	if (window_is_empty(why, sizeof(why))) {
		child_reply(CHAN_FD, -1, 0, why, strlen(why));
		_exit(1);
	}
	child_reply(CHAN_FD, 0, 0, NULL, 0);
	child_serve(controller);
}

/* ---------------------------------------------------------------------- */
/* The controller side.                                                    */
/* ---------------------------------------------------------------------- */

/* A file as the kernel names it (an absolute path), and as the script did. */
struct kname {
	char *real;
	char *given;
};

/* A file mapping the script made: a VMA that starts here has this name. */
struct kregion {
	unsigned long start, end;
	struct kname name;
};

/*
 * A process, and what it takes to print its file names as the script
 * spelled them: /proc prints one path for "data" and "./data", but the
 * simulation prints each VMA's name as its own openat had it.  So we
 * follow which spelling each fd has, and which fd each mapping came from.
 */
struct kproc {
	pid_t pid;	   /* real pid; 0 once reaped */
	int fd;		   /* our end of its channel; -1 once it is gone */
	struct kname *fds; /* fds[n]: the file open at fd n */
	int nfds;
	struct kregion *regions; /* oldest first */
	size_t nregions;
};

struct kernel_backend {
	struct backend be;
	char dir[PATH_MAX];  /* the processes' cwd; removed at the end */
	struct kproc *procs; /* procs[i] is simulated pid i + 1 */
	int nprocs, cap;
	int cur;	   /* index of the current process */
	char failure[256]; /* why calls can no longer run, or "" */
};

static struct kernel_backend *kb(struct backend *be)
{
	return (struct kernel_backend *)be;
}

/* Wait up to a second or so for pid to exit, then make it. */
static int reap(pid_t pid)
{
	int status = 0;

	for (int i = 0; i < 100; i++) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid || (r < 0 && errno != EINTR))
			return status;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

/*
 * Process idx is gone (why == NULL: it closed its channel, so it died) or
 * useless (why says how); kill and reap it, and remember what happened,
 * so that every later call fails and verify can say so.
 */
static void kb_lost(struct kernel_backend *k, int idx, const char *why)
{
	struct kproc *p = &k->procs[idx];
	char how[128];
	int status;

	if (why)
		kill(p->pid, SIGKILL);
	status = reap(p->pid);
	if (why)
		snprintf(how, sizeof(how), "%s", why);
	else if (WIFSIGNALED(status))
		snprintf(how, sizeof(how), "died: signal %d (SIG%s)",
			 WTERMSIG(status), sigabbrev_np(WTERMSIG(status)));
	else
		snprintf(how, sizeof(how), "exited with status %d",
			 WEXITSTATUS(status));
	if (!k->failure[0])
		snprintf(k->failure, sizeof(k->failure), "kernel process %d %s",
			 idx + 1, how);
	close(p->fd);
	p->fd = -1;
	p->pid = 0;
}

/* Receive exactly one message of len bytes from process idx, or fail. */
static int kb_recv(struct kernel_backend *k, int idx, void *buf, size_t len)
{
	struct pollfd pfd = {.fd = k->procs[idx].fd, .events = POLLIN};
	ssize_t n;
	int ready;

	do {
		ready = poll(&pfd, 1, REPLY_TIMEOUT_MS);
	} while (ready < 0 && errno == EINTR);
	if (ready <= 0) {
		kb_lost(k, idx,
			ready ? "cannot be polled"
			      : "did not answer within 10 s");
		return -1;
	}
	do {
		n = recv(pfd.fd, buf, len, MSG_TRUNC);
	} while (n < 0 && errno == EINTR);
	if (n == (ssize_t)len)
		return 0;
	if (n <= 0)
		kb_lost(k, idx, NULL);
	else
		kb_lost(k, idx, "sent a malformed reply");
	return -1;
}

/* Send rq (with passfd, if any) to process idx. */
static int kb_send(struct kernel_backend *k, int idx, const struct kreq *rq,
		   int passfd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = (void *)rq, .iov_len = sizeof(*rq)};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	if (passfd >= 0) {
		struct cmsghdr *cm;

		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &passfd, sizeof(int));
	}
	do {
		n = sendmsg(k->procs[idx].fd, &msg, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(*rq))
		return 0;
	kb_lost(k, idx, NULL);
	return -1;
}

/* Receive a reply and its text (if text is NULL, the text is dropped). */
static int kb_reply(struct kernel_backend *k, int idx, struct kreply *r,
		    struct strbuf *text)
{
	char *chunk;
	size_t left;

	if (kb_recv(k, idx, r, sizeof(*r)))
		return -1;
	chunk = malloc(CHUNK);
	if (!chunk)
		abort();
	for (left = r->textlen; left > 0;) {
		size_t n = left < CHUNK ? left : CHUNK;

		if (kb_recv(k, idx, chunk, n)) {
			free(chunk);
			return -1;
		}
		if (text)
			sb_add(text, chunk, n);
		left -= n;
	}
	free(chunk);
	return 0;
}

/* One round trip with the current process.  0, or -1 if it is lost. */
static int kb_exchange(struct kernel_backend *k, const struct kreq *rq,
		       int passfd, struct kreply *r, struct strbuf *text)
{
	int idx = k->cur;

	if (k->procs[idx].fd < 0) {
		if (!k->failure[0])
			snprintf(k->failure, sizeof(k->failure),
				 "kernel process %d is gone", idx + 1);
		return -1;
	}
	if (kb_send(k, idx, rq, passfd))
		return -1;
	return kb_reply(k, idx, r, text);
}

static int kb_add_proc(struct kernel_backend *k, pid_t pid, int fd)
{
	if (k->nprocs == k->cap) {
		int cap = k->cap ? 2 * k->cap : 8;
		struct kproc *p = realloc(k->procs, cap * sizeof(*p));

		if (!p)
			abort();
		k->procs = p;
		k->cap = cap;
	}
	memset(&k->procs[k->nprocs], 0, sizeof(k->procs[0]));
	k->procs[k->nprocs].pid = pid;
	k->procs[k->nprocs].fd = fd;
	return ++k->nprocs;
}

static char *xstrdup(const char *s)
{
	char *d = s ? strdup(s) : NULL;

	if (s && !d)
		abort();
	return d;
}

static void kname_set(struct kname *n, const char *real, const char *given)
{
	char *r = xstrdup(real), *g = xstrdup(given);

	free(n->real);
	free(n->given);
	n->real = r;
	n->given = g;
}

static void proc_set_fd(struct kproc *p, int fd, const char *real,
			const char *given)
{
	if (fd < 0)
		return;
	if (fd >= p->nfds) {
		struct kname *f = realloc(p->fds, (fd + 1) * sizeof(*f));

		if (!f)
			abort();
		memset(f + p->nfds, 0, (fd + 1 - p->nfds) * sizeof(*f));
		p->fds = f;
		p->nfds = fd + 1;
	}
	kname_set(&p->fds[fd], real, given);
}

/* The script mapped fd at [start, end): remember its name there. */
static void proc_add_region(struct kproc *p, unsigned long start,
			    unsigned long end, long fd)
{
	struct kregion *r;
	size_t kept = 0;

	if (fd < 0 || fd >= p->nfds || !p->fds[fd].real)
		return;
	/* Older regions wholly under the new one can name nothing now. */
	for (size_t i = 0; i < p->nregions; i++) {
		r = &p->regions[i];
		if (r->start >= start && r->end <= end)
			kname_set(&r->name, NULL, NULL);
		else
			p->regions[kept++] = *r;
	}
	r = realloc(p->regions, (kept + 1) * sizeof(*r));
	if (!r)
		abort();
	p->regions = r;
	p->nregions = kept + 1;
	r[kept].start = start;
	r[kept].end = end;
	memset(&r[kept].name, 0, sizeof(r[kept].name));
	kname_set(&r[kept].name, p->fds[fd].real, p->fds[fd].given);
}

/* A forked process has its parent's fds and mappings, names and all. */
static void proc_copy_names(struct kproc *to, const struct kproc *from)
{
	for (int fd = 0; fd < from->nfds; fd++) {
		if (from->fds[fd].real)
			proc_set_fd(to, fd, from->fds[fd].real,
				    from->fds[fd].given);
	}
	to->regions = calloc(from->nregions + 1, sizeof(*to->regions));
	if (!to->regions)
		abort();
	for (size_t i = 0; i < from->nregions; i++) {
		to->regions[i].start = from->regions[i].start;
		to->regions[i].end = from->regions[i].end;
		kname_set(&to->regions[i].name, from->regions[i].name.real,
			  from->regions[i].name.given);
	}
	to->nregions = from->nregions;
}

static void proc_free_names(struct kproc *p)
{
	for (int fd = 0; fd < p->nfds; fd++)
		kname_set(&p->fds[fd], NULL, NULL);
	for (size_t i = 0; i < p->nregions; i++)
		kname_set(&p->regions[i].name, NULL, NULL);
	free(p->fds);
	free(p->regions);
}

/*
 * The script's name for the file the kernel calls real (len bytes), in a
 * VMA that starts at start: that of the newest mapping there.
 */
static const char *proc_given_name(const struct kproc *p, unsigned long start,
				   const char *real, size_t len)
{
	for (size_t i = p->nregions; i-- > 0;) {
		const struct kregion *r = &p->regions[i];

		if (start >= r->start && start < r->end &&
		    strlen(r->name.real) == len &&
		    !memcmp(r->name.real, real, len))
			return r->name.given;
	}
	return NULL;
}

/* Keep the names up to date after a call that succeeded or failed. */
static void kb_note_call(struct kernel_backend *k, const struct call *c,
			 long ret, const char *text)
{
	struct kproc *p = &k->procs[k->cur];

	switch (c->nr) {
	case VC_OPENAT:
		if (ret >= 0 && *text)
			proc_set_fd(p, (int)ret, text, c->path);
		break;
	case VC_CLOSE:
		/* The kernel takes fds as unsigned int: so do we. */
		if (ret == 0 && (unsigned int)c->a[0] < (unsigned int)p->nfds)
			kname_set(&p->fds[(unsigned int)c->a[0]], NULL, NULL);
		break;
	case VC_MMAP:
		if ((ret >= 0 || ret < -4095) && !(c->a[3] & MAP_ANONYMOUS))
			proc_add_region(p, (unsigned long)ret,
					(unsigned long)ret + c->a[1],
					(long)(unsigned int)c->a[4]);
		break;
	default:
		break;
	}
}

/* fork: a new channel goes along with the request. */
static long kb_fork(struct kernel_backend *k, struct kreq *rq)
{
	struct kreply r;
	int sv[2], pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;
	if (kb_exchange(k, rq, sv[1], &r, NULL)) {
		close(sv[0]);
		close(sv[1]);
		return -EIO;
	}
	close(sv[1]);
	if (r.ret <= 0) {
		close(sv[0]);
		return r.ret ? r.ret : -EIO;
	}
	pid = kb_add_proc(k, (pid_t)r.ret, sv[0]);
	proc_copy_names(&k->procs[pid - 1], &k->procs[k->cur]);
	return pid;
}

/*
 * Scripts run for real: a path must not leave the private directory, or
 * a script could truncate any file the user may write.
 */
static bool path_stays_inside(const char *path)
{
	const char *p = path;

	if (*p == '/')
		return false;
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return false;
		p += n;
		while (*p == '/')
			p++;
	}
	return true;
}

static long kernel_call(struct backend *be, const struct call *c,
			unsigned long *fault)
{
	struct kernel_backend *k = kb(be);
	struct strbuf text = STRBUF_INIT;
	struct kreply r;
	struct kreq *rq = calloc(1, sizeof(*rq));

	if (!rq)
		abort();
	rq->op = KOP_CALL;
	rq->nr = c->nr;
	memcpy(rq->a, c->a, sizeof(rq->a));
	if (c->nr == VC_OPENAT) {
		if (!c->path || strlen(c->path) >= sizeof(rq->path)) {
			free(rq);
			return -ENAMETOOLONG;
		}
		if (!path_stays_inside(c->path)) {
			snprintf(k->failure, sizeof(k->failure),
				 "refusing to open \"%.60s\": paths must "
				 "stay in verify's private directory (no "
				 "leading /, no ..)",
				 c->path);
			free(rq);
			return -EIO;
		}
		strcpy(rq->path, c->path);
	}
	if (c->nr == VC_FORK) {
		r.ret = kb_fork(k, rq);
	} else if (kb_exchange(k, rq, -1, &r, &text)) {
		r.ret = -EIO;
	} else {
		kb_note_call(k, c, r.ret, sb_str(&text));
		if (fault)
			*fault = r.fault;
	}
	sb_free(&text);
	free(rq);
	return r.ret;
}

static int kernel_switch(struct backend *be, int pid)
{
	struct kernel_backend *k = kb(be);

	if (pid < 1 || pid > k->nprocs)
		return -ESRCH;
	k->cur = pid - 1;
	return 0;
}

/* Is "Rss:    ..." one of the fields the engine prints? */
static bool wanted_field(const char *line, size_t len)
{
	for (const char *const *f = smaps_fields; *f; f++) {
		size_t n = strlen(*f);

		if (n <= len && !memcmp(line, *f, n))
			return true;
	}
	return false;
}

/* Append a maps line with the file's name as the script gave it. */
static void put_maps_line(const struct kproc *p, unsigned long start,
			  const char *line, size_t len, struct strbuf *out)
{
	size_t name = maps_name_offset(line, len);
	const char *given = NULL;

	if (name < len)
		given = proc_given_name(p, start, line + name, len - name);
	if (given) {
		sb_add(out, line, name);
		sb_puts(out, given);
	} else {
		sb_add(out, line, len);
	}
	sb_puts(out, "\n");
}

/*
 * Keep the VMAs that start in the window, and of their smaps lines only
 * the fields the engine prints, so both sides have the same shape.
 */
static void filter_proc(const struct kproc *p, const char *text, bool smaps,
			struct strbuf *out)
{
	bool keep = false;

	while (*text) {
		const char *nl = strchrnul(text, '\n');
		size_t len = (size_t)(nl - text);
		unsigned long start;

		if (maps_line_start(text, len, &start)) {
			keep = start >= VERIFY_WINDOW_START &&
			       start < VERIFY_WINDOW_END;
			if (keep)
				put_maps_line(p, start, text, len, out);
		} else if (keep && smaps && wanted_field(text, len)) {
			sb_add(out, text, len);
			sb_puts(out, "\n");
		}
		text = *nl ? nl + 1 : nl;
	}
}

/* Ask the current process for some text (op with two arguments): 0 if
 * it answered with success. */
static int kb_ask(struct kernel_backend *k, enum kop op, unsigned long a0,
		  unsigned long a1, struct strbuf *text)
{
	struct kreq *rq = calloc(1, sizeof(*rq));
	struct kreply r;
	int ret;

	if (!rq)
		abort();
	rq->op = op;
	rq->a[0] = a0;
	rq->a[1] = a1;
	ret = !kb_exchange(k, rq, -1, &r, text) && r.ret == 0 ? 0 : -1;
	free(rq);
	return ret;
}

static int kernel_maps(struct backend *be, bool smaps, struct strbuf *out)
{
	struct kernel_backend *k = kb(be);
	struct strbuf text = STRBUF_INIT;
	int ret = kb_ask(k, smaps ? KOP_SMAPS : KOP_MAPS, 0, 0, &text);

	if (!ret)
		filter_proc(&k->procs[k->cur], sb_str(&text), smaps, out);
	sb_free(&text);
	return ret;
}

static int kernel_pages(struct backend *be, unsigned long addr, unsigned long n,
			char *out)
{
	struct strbuf text = STRBUF_INIT;
	int ret = kb_ask(kb(be), KOP_PAGES, addr, n, &text);

	if (!ret && text.len != n)
		ret = -1;
	if (!ret) {
		memcpy(out, text.buf, n);
		out[n] = '\0';
	}
	sb_free(&text);
	return ret;
}

/* rm -r of the private directory; scripts only create plain files. */
static void remove_tree(int parent, const char *name)
{
	int fd = openat(parent, name,
			O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (unlinkat(fd, e->d_name, 0) && errno == EISDIR)
			remove_tree(fd, e->d_name);
	}
	closedir(d);
	if (unlinkat(parent, name, AT_REMOVEDIR))
		fprintf(stderr, "vmalab: removing %s: %m\n", name);
}

static void kernel_destroy(struct backend *be)
{
	struct kernel_backend *k = kb(be);

	for (int i = 0; i < k->nprocs; i++) {
		if (k->procs[i].fd >= 0)
			close(k->procs[i].fd);
		if (k->procs[i].pid > 0) {
			kill(k->procs[i].pid, SIGKILL);
			reap(k->procs[i].pid);
		}
	}
	if (k->dir[0])
		remove_tree(AT_FDCWD, k->dir);
	for (int i = 0; i < k->nprocs; i++)
		proc_free_names(&k->procs[i]);
	free(k->procs);
	free(k);
}

static const struct backend_ops kernel_ops = {
	.call = kernel_call,
	.switch_to = kernel_switch,
	.maps = kernel_maps,
	.pages = kernel_pages,
	.set_trace = NULL,
	.destroy = kernel_destroy,
};

/* Start simulated pid 1 and wait until it says it is ready. */
static int kb_start(struct kernel_backend *k, char *err, size_t errlen)
{
	struct strbuf text = STRBUF_INIT;
	pid_t controller = getpid(), pid;
	struct kreply r;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		snprintf(err, errlen, "socketpair: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0)
		child_main(sv[1], k->dir, controller);
	close(sv[1]);
	kb_add_proc(k, pid, sv[0]);
	if (kb_reply(k, 0, &r, &text)) {
		snprintf(err, errlen, "%s", k->failure);
		sb_free(&text);
		return -1;
	}
	if (r.ret != 0) {
		snprintf(err, errlen, "kernel process 1: %s", sb_str(&text));
		sb_free(&text);
		return -1;
	}
	sb_free(&text);
	return 0;
}

struct backend *kernel_backend_new(char *err, size_t errlen)
{
	struct kernel_backend *k = calloc(1, sizeof(*k));
	const char *tmp = getenv("TMPDIR");

	if (!k)
		abort();
	k->be.ops = &kernel_ops;
	k->be.name = "kernel";
	snprintf(k->dir, sizeof(k->dir), "%s/vmalab-verify-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(k->dir)) {
		snprintf(err, errlen, "mkdtemp %s: %s", k->dir,
			 strerror(errno));
		k->dir[0] = '\0';
		kernel_destroy(&k->be);
		return NULL;
	}
	if (kb_start(k, err, errlen)) {
		kernel_destroy(&k->be);
		return NULL;
	}
	return &k->be;
}

const char *kernel_backend_failure(struct backend *be)
{
	struct kernel_backend *k = kb(be);

	return k->failure[0] ? k->failure : NULL;
}
