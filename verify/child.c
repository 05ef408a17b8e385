/*
 * child.c - the process side of verify's kernel backend: a real process
 * that runs each request as the raw system call it names (so the result
 * is the kernel's own value or -errno, untouched by libc), catches the
 * faults of touch, reads its own /proc files, and forks for real.
 *
 * A process keeps its channel at CHAN_FD and closes every other fd from 3
 * up, so that openat hands out 3, 4, ... exactly as the simulation does
 * (fds 0-2 stay open, on /dev/null).  fork() gives the new process its
 * own channel, passed with the request (SCM_RIGHTS).
 */
/* Make and check-asan may replace CFLAGS, and -D_GNU_SOURCE with it. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "backend.h"
#include "nr.h"
#include "protocol.h"
#include "strbuf.h"
#include "touch.h"

/* ---------------------------------------------------------------------- */
/* The process side.                                                       */
/* ---------------------------------------------------------------------- */

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

/* The numbers of nr.h are the kernel's own. */
_Static_assert(NR_mmap == SYS_mmap && NR_munmap == SYS_munmap &&
		       NR_mprotect == SYS_mprotect && NR_openat == SYS_openat &&
		       NR_mremap == SYS_mremap &&
		       NR_close == SYS_close && NR_ftruncate == SYS_ftruncate &&
		       NR_fork == SYS_fork && NR_madvise == SYS_madvise &&
		       NR_mlock == SYS_mlock && NR_munlock == SYS_munlock &&
		       NR_mlockall == SYS_mlockall &&
		       NR_munlockall == SYS_munlockall && NR_prctl == SYS_prctl &&
		       NR_mlock2 == SYS_mlock2,
	       "nr.h must match <sys/syscall.h>");
#ifdef SYS_mseal /* glibc's headers may be older than the kernel */
_Static_assert(NR_mseal == SYS_mseal, "nr.h must match <sys/syscall.h>");
#endif

#if defined(__SANITIZE_ADDRESS__)
/*
 * mlockall(MCL_CURRENT) would fault in every VMA of this process, and
 * under AddressSanitizer that is terabytes of shadow memory.  So a
 * sanitized build locks only the test window's VMAs, in address order, as
 * apply_mlockall_flags() would (mlock2 per VMA, errors ignored), after
 * setting mm->def_flags with the real call: mlockall(MCL_FUTURE...) when
 * asked, else munlockall() (the only other way to clear it).  The normal
 * build makes the real call, and the same scripts agree in both.
 */
static long child_mlockall(long flags)
{
	struct strbuf sb = STRBUF_INIT;
	const char *line;
	long ret;

	if (!flags || (flags & ~7L) || flags == 4 || !(flags & 1))
		return raw(syscall(SYS_mlockall, flags));
	if (flags & 2)
		ret = raw(syscall(SYS_mlockall, flags & ~1L));
	else
		ret = raw(syscall(SYS_munlockall));
	if (ret)
		return ret;
	ret = read_file("/proc/self/maps", &sb);
	for (line = sb_str(&sb); !ret && *line;) {
		const char *nl = strchrnul(line, '\n');
		unsigned long start, end;

		if (sscanf(line, "%lx-%lx", &start, &end) == 2 &&
		    start >= VERIFY_WINDOW_START && end <= VERIFY_WINDOW_END)
			(void)syscall(SYS_mlock2, start, end - start,
				      flags & 4 ? 1 : 0);
		line = *nl ? nl + 1 : nl;
	}
	sb_free(&sb);
	return ret;
}
#endif

/*
 * Run one call as the raw system call its number names, the path (if
 * any) put in its argument.  Only what is not a plain system call here is
 * special: touch, fork (which must keep the channel), and the fd table
 * bookkeeping of openat and close.  *text gets what the reply carries
 * besides the value.
 */
static long child_call(const struct kreq *rq, int passed, pid_t controller,
		       unsigned long *fault, struct strbuf *text)
{
	unsigned long a[6];
	char link[64], target[PATH_MAX];
	long ret;
	ssize_t n;

	memcpy(a, rq->a, sizeof(a));
	switch (rq->nr) {
	case NR_TOUCH:
		return touch_range(a[0], a[1], fault);
	case NR_fork:
		return child_fork(passed, controller);
#if defined(__SANITIZE_ADDRESS__)
	case NR_mlockall:
		return child_mlockall((long)(int)a[0]);
#endif
	case NR_close:
		/* Closing the channel would cut us off: it is not the
		 * script's fd, so answer as if it were not open. */
		if ((int)a[0] == CHAN_FD)
			return -EBADF;
		break;
	}
	if (rq->path_arg >= 0 && rq->path_arg < 6)
		a[rq->path_arg] = (unsigned long)rq->path;
	ret = raw(syscall(rq->nr, a[0], a[1], a[2], a[3], a[4], a[5]));
	if (rq->nr == NR_openat && ret >= 0) {
		/* The name /proc/PID/maps will print for it. */
		snprintf(link, sizeof(link), "/proc/self/fd/%ld", ret);
		n = readlink(link, target, sizeof(target));
		if (n > 0)
			sb_add(text, target, (size_t)n);
	}
	return ret;
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

/*
 * The PROCMAP_QUERY ioctl on /proc/PID/maps (Linux 6.11,
 * fs/proc/task_mmu.c do_procmap_query): one VMA by address, in O(log n),
 * where a read of maps formats every VMA.  The UAPI of linux/fs.h, for
 * headers older than the kernel.
 */
#define VL_PROCMAP_QUERY 0xC0686611UL /* _IOWR('f', 17, struct ...) */
#define VL_QUERY_COVERING_OR_NEXT_VMA 0x10
#define VL_QUERY_READABLE 0x01
#define VL_QUERY_WRITABLE 0x02
#define VL_QUERY_EXECUTABLE 0x04
#define VL_QUERY_SHARED 0x08
struct vl_procmap_query {
	unsigned long long size, query_flags, query_addr;
	unsigned long long vma_start, vma_end, vma_flags, vma_page_size;
	unsigned long long vma_offset, inode;
	unsigned int dev_major, dev_minor, vma_name_size, build_id_size;
	unsigned long long vma_name_addr, build_id_addr;
};

/* A maps line as show_map_vma() prints it: the name padded to column 73. */
static void put_query_line(const struct vl_procmap_query *q, const char *name,
			   struct strbuf *text)
{
	size_t at = text->len;

	sb_addf(text, "%08llx-%08llx %c%c%c%c %08llx %02x:%02x %llu ",
		q->vma_start, q->vma_end,
		q->vma_flags & VL_QUERY_READABLE ? 'r' : '-',
		q->vma_flags & VL_QUERY_WRITABLE ? 'w' : '-',
		q->vma_flags & VL_QUERY_EXECUTABLE ? 'x' : '-',
		q->vma_flags & VL_QUERY_SHARED ? 's' : 'p', q->vma_offset,
		q->dev_major, q->dev_minor, q->inode);
	/* seq_setwidth(m, 25 + sizeof(void *) * 6 - 1), then seq_pad(m,
	 * ' '): spaces to column 72 and one more. */
	if (q->vma_name_size && name[0]) {
		while (text->len - at < 72)
			sb_addc(text, ' ');
		sb_addc(text, ' ');
		sb_puts(text, name);
	}
	sb_addc(text, '\n');
}

/* The maps lines of the VMAs that meet [lo, hi): by PROCMAP_QUERY, or
 * from the whole of maps where the kernel has no such ioctl. */
static long read_maps_range(unsigned long lo, unsigned long hi,
			    struct strbuf *text)
{
	static char name[PATH_MAX + 64];
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	unsigned long addr = lo;

	if (fd < 0)
		return -errno;
	while (addr < hi) {
		struct vl_procmap_query q = {
			.size = sizeof(q),
			.query_flags = VL_QUERY_COVERING_OR_NEXT_VMA,
			.query_addr = addr,
			.vma_name_size = sizeof(name),
			.vma_name_addr = (unsigned long)name,
		};

		if (ioctl(fd, VL_PROCMAP_QUERY, &q)) {
			long err = errno == ENOENT ? 0 : -errno;

			close(fd);
			return err;
		}
		if (q.vma_start >= hi)
			break;
		put_query_line(&q, name, text);
		addr = q.vma_end;
	}
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
		if (passed >= 0 && (rq.op != KOP_CALL || rq.nr != NR_fork)) {
			close(passed);
			passed = -1;
		}
		if (rq.op == KOP_CALL) {
			ret = child_call(&rq, passed, controller, &fault,
					 &text);
			/* The new process of a fork says nothing yet. */
			if (rq.nr == NR_fork && ret == 0)
				continue;
		} else if (rq.op == KOP_PAGES) {
			ret = read_pagemap(rq.a[0], rq.a[1], &text);
		} else if (rq.op == KOP_MAPS_RANGE) {
			ret = read_maps_range(rq.a[0], rq.a[1], &text);
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
void child_main(int chan, const char *dir, pid_t controller)
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
	if (touch_install())
		child_setup_failed(CHAN_FD, "signal handlers");
	if (window_is_empty(why, sizeof(why))) {
		child_reply(CHAN_FD, -1, 0, why, strlen(why));
		_exit(1);
	}
	child_reply(CHAN_FD, 0, 0, NULL, 0);
	child_serve(controller);
}
