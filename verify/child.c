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
 *
 * The brk area must start empty, as in a new process, but a process
 * forked from vmalab has vmalab's heap.  So at the start it gives the heap
 * back (brk(start_brk)), and from then on never calls malloc: its buffers
 * are its own mappings (struct cbuf), far from the window and the brk
 * area, and the signal stack is mapped too (touch.c).
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
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "backend.h"
#include "nr.h"
#include "protocol.h"
#include "touch.h"

/* ---------------------------------------------------------------------- */
/* The process side.                                                       */
/* ---------------------------------------------------------------------- */

/*
 * A buffer of its own mapping: no malloc once the heap is given back.
 * Each is one reservation made at the start (MAP_NORESERVE) and never
 * unmapped; cb_reset() drops the pages used.  So between requests the
 * process's own memory stays the same, and /proc/self/status changes
 * only with what the script does (a text past the reservation, 256 MiB,
 * still works: the mapping grows, and VmSize moves with it).
 */
struct cbuf {
	char *buf;
	size_t len, cap;
};

#define CBUF_RESERVE (256UL << 20)

static void cb_grow(struct cbuf *cb, size_t n)
{
	size_t cap = cb->cap ? cb->cap : CBUF_RESERVE;
	void *p;

	while (cap < cb->len + n + 1)
		cap *= 2;
	if (cap == cb->cap)
		return;
	if (!cb->buf) {
		p = mmap(NULL, cap, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	} else {
		/*
		 * Once the gaps below mmap_base are filled (fill_above_window),
		 * a kernel-chosen address is in the test window: a bigger
		 * buffer goes above mmap_base, where nothing searches.
		 */
		p = MAP_FAILED;
		for (unsigned long a = VERIFY_MMAP_BASE;
		     p == MAP_FAILED && a + cap <= VERIFY_BRK_BASE - cap;
		     a += cap)
			p = mmap((void *)a, cap, PROT_NONE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
					 MAP_FIXED_NOREPLACE,
				 -1, 0);
		if (p != MAP_FAILED)
			p = mremap(cb->buf, cb->cap, cap,
				   MREMAP_MAYMOVE | MREMAP_FIXED, p);
	}
	if (p == MAP_FAILED)
		_exit(6);
	cb->buf = p;
	cb->cap = cap;
}

static void cb_add(struct cbuf *cb, const char *s, size_t n)
{
	cb_grow(cb, n);
	memcpy(cb->buf + cb->len, s, n);
	cb->len += n;
	cb->buf[cb->len] = '\0';
}

static const char *cb_str(struct cbuf *cb)
{
	cb_grow(cb, 0);
	return cb->buf;
}

static void cb_reset(struct cbuf *cb)
{
	if (cb->buf && cb->len)
		madvise(cb->buf, (cb->len + KPAGE_SIZE) & ~(KPAGE_SIZE - 1),
			MADV_DONTNEED);
	cb->len = 0;
}

/* The reply's text, and room to read /proc files for the process itself. */
static struct cbuf reply_text, scratch;

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

/* Read a whole /proc file into cb.  0, or -errno. */
static long read_file(const char *path, struct cbuf *cb)
{
	char buf[16384];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		cb_add(cb, buf, (size_t)n);
	if (n < 0) {
		long err = -errno;

		close(fd);
		return err;
	}
	close(fd);
	return 0;
}

/*
 * 0 if nothing of ours is mapped in [lo, hi), else -1 and why (what
 * names the range).
 */
static int range_is_empty(unsigned long lo, unsigned long hi, const char *what,
			  char *why, size_t whylen)
{
	struct cbuf *cb = &scratch;
	const char *line;
	long err;

	cb_reset(cb);
	err = read_file("/proc/self/maps", cb);

	if (err) {
		snprintf(why, whylen, "reading /proc/self/maps: %s",
			 strerror((int)-err));
		return -1;
	}
	for (line = cb_str(cb); *line;) {
		const char *nl = strchrnul(line, '\n');
		unsigned long start, end;

		if (sscanf(line, "%lx-%lx", &start, &end) == 2 && start < hi &&
		    end > lo) {
			snprintf(why, whylen, "%s is not empty: %.*s", what,
				 (int)(nl - line), line);
			return -1;
		}
		line = *nl ? nl + 1 : nl;
	}
	return 0;
}

/*
 * Without randomisation the brk area begins right where the program's
 * .bss ends, and a script's anonymous mapping at start_brk would merge
 * with it (a VMA that then starts outside the area, which verify does
 * not show).  In a new process of the simulation nothing is below.  So
 * the VMA that ends at start_brk gets VM_DONTDUMP (MADV_DONTDUMP: it
 * changes nothing else), whose flags no mapping of a script matches but
 * one it madvised so itself.  (PR_SET_MM could move start_brk instead,
 * but it needs CAP_SYS_RESOURCE, which these machines' root lacks.)
 */
static int brk_set_apart(unsigned long start_brk, char *why, size_t whylen)
{
	struct cbuf *cb = &scratch;
	const char *line;
	long err;

	cb_reset(cb);
	err = read_file("/proc/self/maps", cb);
	if (err) {
		snprintf(why, whylen, "reading /proc/self/maps: %s",
			 strerror((int)-err));
		return -1;
	}
	for (line = cb_str(cb); *line;) {
		const char *nl = strchrnul(line, '\n');
		unsigned long start, end;

		if (sscanf(line, "%lx-%lx", &start, &end) == 2 &&
		    end == start_brk &&
		    madvise((void *)start, end - start, MADV_DONTDUMP)) {
			snprintf(why, whylen, "MADV_DONTDUMP below the brk "
				 "area: %s", strerror(errno));
			return -1;
		}
		line = *nl ? nl + 1 : nl;
	}
	cb_reset(cb);
	return 0;
}

/*
 * Give back the heap vmalab's malloc made, so that the brk area is as in a
 * new process: brk == start_brk (fs/proc/array.c prints it as field 47
 * of /proc/self/stat) and nothing mapped above.  Returns start_brk, or 0
 * and why.
 */
static unsigned long brk_reset(char *why, size_t whylen)
{
	static char stat[4096];
	unsigned long start_brk = 0;
	const char *p;
	ssize_t n;
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || (n = read(fd, stat, sizeof(stat) - 1)) <= 0) {
		snprintf(why, whylen, "reading /proc/self/stat: %s",
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return 0;
	}
	close(fd);
	stat[n] = '\0';
	/* Fields after the command name, which may hold anything. */
	p = strrchr(stat, ')');
	for (int field = 2; p && field < 47; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%lu", &start_brk) != 1 || !start_brk ||
	    start_brk & (KPAGE_SIZE - 1)) {
		snprintf(why, whylen, "no start_brk in /proc/self/stat");
		return 0;
	}
	if ((unsigned long)syscall(SYS_brk, start_brk) != start_brk) {
		snprintf(why, whylen, "brk(%#lx) did not give the heap back",
			 start_brk);
		return 0;
	}
	if (brk_set_apart(start_brk, why, whylen))
		return 0;
	if (range_is_empty(start_brk, start_brk + VERIFY_BRK_SPAN,
			   "the brk area", why, whylen))
		return 0;
	return start_brk;
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
static int status_setup(bool pad);
static void status_fork_setup(void);

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
	status_fork_setup();
	return 0;
}

/* ---------------------------------------------------------------------- */
/* /proc/self/status as the difference from the process's own start.      */
/* ---------------------------------------------------------------------- */

/*
 * The memory lines of task_mem(), in its order (repl/procfs.c prints the
 * simulation's).  The kernel backend reports them as what the script
 * changed: each value less the process's own part, measured when the
 * process starts (pid 1) or is forked, as status less what the script's
 * VMAs (the window and the brk area) make of it, read from smaps.  For
 * that to hold, the process's own memory must not move afterwards: its
 * stack is grown once, its own mappings are populated, its buffers are
 * reservations, it never mallocs; and pid 1 maps PROT_NONE padding so
 * that its VmSize equals its VmPeak (hiwater_vm) at the start.
 */
enum {
	ST_PEAK,
	ST_SIZE,
	ST_LCK,
	ST_PIN,
	ST_HWM,
	ST_RSS,
	ST_ANON,
	ST_FILE,
	ST_SHMEM,
	ST_DATA,
	ST_STK,
	ST_EXE,
	ST_LIB,
	ST_PTE,
	ST_SWAP,
	ST_HUGE,
	ST_N
};

static const char *const st_names[ST_N] = {
	"VmPeak",  "VmSize",  "VmLck",	  "VmPin",	  "VmHWM", "VmRSS",
	"RssAnon", "RssFile", "RssShmem", "VmData",	  "VmStk", "VmExe",
	"VmLib",   "VmPTE",   "VmSwap",	  "HugetlbPages",
};

static long st_base[ST_N];	   /* kB: the process's own part */
static unsigned long st_start_brk; /* the real start_brk */

/* The memory lines of /proc/self/status, in kB.  0, or -errno. */
static long status_read(long v[ST_N])
{
	char buf[8192];
	const char *line;
	ssize_t n, got = 0;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf + got, sizeof(buf) - 1 - (size_t)got)) > 0)
		got += n;
	close(fd);
	if (n < 0)
		return -EIO;
	buf[got] = '\0';
	memset(v, 0, ST_N * sizeof(*v));
	for (line = buf; *line;) {
		const char *nl = strchrnul(line, '\n');

		for (int i = 0; i < ST_N; i++) {
			size_t len = strlen(st_names[i]);

			if (!strncmp(line, st_names[i], len) &&
			    line[len] == ':')
				v[i] = strtol(line + len + 1, NULL, 10);
		}
		line = *nl ? nl + 1 : nl;
	}
	return 0;
}

static bool script_addr(unsigned long start)
{
	return (start >= VERIFY_WINDOW_START && start < VERIFY_WINDOW_END) ||
	       start - st_start_brk < VERIFY_BRK_SPAN;
}

static bool has_flag(const char *flags, const char *f)
{
	for (const char *p = flags; (p = strstr(p, f)); p += 2)
		if ((p == flags || p[-1] == ' ') && (p[2] == ' ' || !p[2]))
			return true;
	return false;
}

/*
 * What the script's VMAs make of each line now, from smaps: their sizes
 * by vm_stat_account()'s classes (VmFlags), their Rss split as the RSS
 * counters split it (shmem is /dev/zero, the only shmem a script makes).
 */
static long status_script_part(long v[ST_N])
{
	struct cbuf *cb = &scratch;
	const char *line;
	unsigned long start = 0, end = 0;
	long size = 0, rss = 0, anon = 0, err;
	bool in = false, shmem = false;

	memset(v, 0, ST_N * sizeof(*v));
	cb_reset(cb);
	err = read_file("/proc/self/smaps", cb);
	if (err)
		return err;
	for (line = cb_str(cb); *line;) {
		const char *nl = strchrnul(line, '\n');

		if (sscanf(line, "%lx-%lx", &start, &end) == 2 &&
		    line[strcspn(line, " ")] == ' ') {
			in = script_addr(start);
			size = (long)((end - start) >> 10);
			shmem = strstr(line, "/dev/zero (deleted)") &&
				strstr(line, "/dev/zero (deleted)") < nl;
		} else if (in && !strncmp(line, "Rss:", 4)) {
			rss = strtol(line + 4, NULL, 10);
		} else if (in && !strncmp(line, "Anonymous:", 10)) {
			anon = strtol(line + 10, NULL, 10);
		} else if (in && !strncmp(line, "VmFlags:", 8)) {
			char flags[256];
			size_t len = (size_t)(nl - line) - 8;
			bool wr, sh, gd, ex;

			if (len >= sizeof(flags))
				len = sizeof(flags) - 1;
			memcpy(flags, line + 8, len);
			flags[len] = '\0';
			wr = has_flag(flags, "wr");
			sh = has_flag(flags, "sh");
			gd = has_flag(flags, "gd");
			ex = has_flag(flags, "ex");
			v[ST_SIZE] += size;
			v[ST_PEAK] += size;
			if (has_flag(flags, "lo"))
				v[ST_LCK] += size;
			if (ex && !wr && !gd)
				v[ST_LIB] += size;
			else if (gd)
				v[ST_STK] += size;
			else if (wr && !sh)
				v[ST_DATA] += size;
			v[ST_RSS] += rss;
			v[ST_HWM] += rss;
			v[ST_ANON] += anon;
			v[shmem ? ST_SHMEM : ST_FILE] += rss - anon;
			in = false;
		}
		line = *nl ? nl + 1 : nl;
	}
	cb_reset(cb);
	return 0;
}

/* Grow the stack once, deeper than any request goes. */
static void __attribute__((noinline)) stack_grow(void)
{
	volatile char pad[256 << 10];

	for (size_t i = 0; i < sizeof(pad); i += KPAGE_SIZE)
		pad[i] = 0;
	pad[sizeof(pad) - 1] = 0;
}

/*
 * Under ASan, a frame's redzones are written to the shadow of the stack
 * (addr >> 3, plus the shadow offset of x86-64): those shadow pages are
 * the process's own memory too, and are faulted in with the rest.
 */
static void populate_shadow(unsigned long start, unsigned long end)
{
#ifdef __SANITIZE_ADDRESS__
	unsigned long lo = ((start >> 3) + 0x7fff8000UL) & ~(KPAGE_SIZE - 1);
	unsigned long hi = ((end >> 3) + 0x7fff8000UL + KPAGE_SIZE - 1) &
			   ~(KPAGE_SIZE - 1);

	madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);
#else
	(void)start;
	(void)end;
#endif
}

/*
 * The ranges populate_own() faulted in at the start, with their advice:
 * a forked process faults in the same ones again, and only those (a
 * script VMA that mremap moved out of the window is not its own).
 */
#define OWN_MAX 512
static struct own_range {
	unsigned long start, end;
	int advice;
} own[OWN_MAX];
static int nown;

static void populate_range(const struct own_range *r)
{
	madvise((void *)r->start, r->end - r->start, r->advice);
	populate_shadow(r->start, r->end);
}

/*
 * Fault in the process's own mappings (not the script's, not the
 * reservations), so that running new code or touching new data later
 * adds no pages.  Huge ones (ASan's shadow) are left alone.  -1 if there
 * are more than OWN_MAX.
 */
static int populate_own(void)
{
	struct cbuf *cb = &scratch;
	const char *line;

	cb_reset(cb);
	if (read_file("/proc/self/maps", cb))
		return 0;
	nown = 0;
	/* The list is read whole first: populating changes no VMA. */
	for (line = cb_str(cb); *line;) {
		const char *nl = strchrnul(line, '\n');
		unsigned long start, end;
		char perms[5];

		if (sscanf(line, "%lx-%lx %4s", &start, &end, perms) == 3 &&
		    !script_addr(start) && end - start <= (64UL << 20) &&
		    perms[0] == 'r' &&
		    (start < (unsigned long)reply_text.buf ||
		     start >= (unsigned long)reply_text.buf + reply_text.cap) &&
		    (start < (unsigned long)scratch.buf ||
		     start >= (unsigned long)scratch.buf + scratch.cap)) {
			if (nown == OWN_MAX)
				return -1;
			own[nown++] = (struct own_range){
				start, end,
				perms[1] == 'w' && perms[3] == 'p'
					? MADV_POPULATE_WRITE
					: MADV_POPULATE_READ};
			populate_range(&own[nown - 1]);
		}
		line = *nl ? nl + 1 : nl;
	}
	cb_reset(cb);
	return 0;
}

/*
 * Fill every gap between the test window and mmap_base
 * (VERIFY_MMAP_BASE) with a PROT_NONE reservation, so that the highest
 * gap below mmap_base that unmapped_area_topdown() can find is in the
 * window: kernel-chosen addresses land there, where the script can name
 * them and verify compare them (the engine has the same reservations and
 * mmap_base).  Each is shared anonymous memory (shmem_zero_setup: a file
 * of its own, MAP_NORESERVE so nothing is charged), so no mapping of the
 * script's at the window's top ever merges with it.  Then one
 * mmap(NULL) must come back just below the window's end.  0, or -1.
 */
static int fill_one(unsigned long lo, unsigned long hi)
{
	void *p = mmap((void *)lo, hi - lo, PROT_NONE,
		       MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE |
			       MAP_FIXED_NOREPLACE,
		       -1, 0);

	return p == (void *)lo ? 0 : -1;
}

static int fill_above_window(void)
{
	struct cbuf *cb = &scratch;
	unsigned long top = VERIFY_WINDOW_END;
	const char *line;
	void *p;
	int ret = 0;

	cb_reset(cb);
	if (read_file("/proc/self/maps", cb))
		return -1;
	/* maps is in address order; filling changes nothing read. */
	for (line = cb_str(cb); *line && !ret;) {
		const char *nl = strchrnul(line, '\n');
		unsigned long start, end;

		if (sscanf(line, "%lx-%lx", &start, &end) == 2 &&
		    end > top && start < VERIFY_MMAP_BASE) {
			if (start > top)
				ret = fill_one(top, start);
			top = end;
		}
		line = *nl ? nl + 1 : nl;
	}
	cb_reset(cb);
	if (!ret && top < VERIFY_MMAP_BASE)
		ret = fill_one(top, VERIFY_MMAP_BASE);
	if (ret)
		return -1;
	p = mmap(NULL, KPAGE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		 0);
	if (p == MAP_FAILED)
		return -1;
	munmap(p, KPAGE_SIZE);
	if ((unsigned long)p != VERIFY_WINDOW_END - KPAGE_SIZE) {
		errno = EADDRNOTAVAIL;
		return -1;
	}
	return 0;
}

/*
 * Take the process's own part of each line, now that its own memory is
 * settled.  pad: the first process, whose VmPeak (the controller's, from
 * before the heap went) is raised to by PROT_NONE padding.
 */
static int status_setup(bool pad)
{
	long now[ST_N], part[ST_N];

	cb_grow(&reply_text, 0);
	cb_grow(&scratch, 0);
	stack_grow();
	if (populate_own() || status_read(now))
		return -1;
	/*
	 * Its own mappings are made: fill the gaps above the window (its
	 * probe's munmap raises hiwater_vm, so before the padding), then
	 * pad above mmap_base, where no search goes.
	 */
	if (pad && (fill_above_window() || status_read(now)))
		return -1;
	if (pad && now[ST_PEAK] > now[ST_SIZE] &&
	    mmap((void *)VERIFY_MMAP_BASE,
		 (unsigned long)(now[ST_PEAK] - now[ST_SIZE]) << 10, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
			 MAP_FIXED_NOREPLACE,
		 -1, 0) == MAP_FAILED)
		return -1;
	if (status_read(now) || status_script_part(part))
		return -1;
	for (int i = 0; i < ST_N; i++)
		st_base[i] = now[i] - part[i];
	return 0;
}

/*
 * A forked process keeps its parent's own part.  fork copied the parent's
 * own memory as it was, but for the page-cache pages of mappings without
 * an anon_vma (the program's text: vma_needs_copy() says no), which
 * populating the parent's own ranges again brings back.  Measuring
 * afresh, as at the start, would be wrong three times: the script's VMAs
 * that mremap moved out of the window (the child has them too) would
 * count as the child's own, populating them would fault in pages the
 * script never touched, and stack_grow() from this deeper frame would
 * grow the stack past what the parent had.
 */
static void status_fork_setup(void)
{
	for (int i = 0; i < nown; i++)
		populate_range(&own[i]);
}

/*
 * The memory lines of status, less the process's own part.  Under ASan
 * the process's own part does not stay put (ASan's runtime maps and
 * touches memory of its own: measured, 512 kB of VmData and 68 kB of
 * RssAnon during one script), so every value is "?", which verify
 * matches with anything (linediff.c).
 */
static long status_diff(struct cbuf *text)
{
	long now[ST_N], err = status_read(now);
	char line[64];

	if (err)
		return err;
	for (int i = 0; i < ST_N; i++) {
#ifdef __SANITIZE_ADDRESS__
		int n = snprintf(line, sizeof(line), "%s:\t%8s kB\n",
				 st_names[i], "?");
#else
		int n = snprintf(line, sizeof(line), "%s:\t%8ld kB\n",
				 st_names[i], now[i] - st_base[i]);
#endif

		cb_add(text, line, (size_t)n);
	}
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
	struct cbuf *sb = &scratch;
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
	cb_reset(sb);
	ret = read_file("/proc/self/maps", sb);
	/* The script's VMAs: the window and the brk area. */
	for (line = cb_str(sb); !ret && *line;) {
		const char *nl = strchrnul(line, '\n');
		unsigned long start, end;

		if (sscanf(line, "%lx-%lx", &start, &end) == 2 &&
		    script_addr(start))
			(void)syscall(SYS_mlock2, start, end - start,
				      flags & 4 ? 1 : 0);
		line = *nl ? nl + 1 : nl;
	}
	cb_reset(sb);
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
		       unsigned long *fault, struct cbuf *text)
{
	unsigned long a[6];
	char link[64], target[PATH_MAX];
	long ret;
	ssize_t n;

	memcpy(a, rq->a, sizeof(a));
	switch (rq->nr) {
	case NR_TOUCH:
		return touch_range(a[0], a[1], fault);
	case NR_READ:
		return read_range(a[0], a[1], fault);
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
			cb_add(text, target, (size_t)n);
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
 * page: 'z'); bit 58 (PM_GUARD_REGION) a guard marker, not present: 'g'.
 */
static long read_pagemap(unsigned long addr, unsigned long n, struct cbuf *text)
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

		if (pread(fd, &e, sizeof(e), off) != (ssize_t)sizeof(e))
			e = 0;
		if ((e >> 63) & 1)
			c = (e >> 61) & 1			? 'f'
			    : is_zero_pfn(kpf, e & PM_PFN_MASK) ? 'z'
								: 'a';
		else if ((e >> 58) & 1)
			c = 'g';
		cb_add(text, &c, 1);
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
			   struct cbuf *text)
{
	char line[128];
	int n = snprintf(line, sizeof(line),
			 "%08llx-%08llx %c%c%c%c %08llx %02x:%02x %llu ",
			 q->vma_start, q->vma_end,
			 q->vma_flags & VL_QUERY_READABLE ? 'r' : '-',
			 q->vma_flags & VL_QUERY_WRITABLE ? 'w' : '-',
			 q->vma_flags & VL_QUERY_EXECUTABLE ? 'x' : '-',
			 q->vma_flags & VL_QUERY_SHARED ? 's' : 'p',
			 q->vma_offset, q->dev_major, q->dev_minor, q->inode);

	cb_add(text, line, (size_t)n);
	/* seq_setwidth(m, 25 + sizeof(void *) * 6 - 1), then seq_pad(m,
	 * ' '): spaces to column 72 and one more. */
	if (q->vma_name_size && name[0]) {
		for (; n < 73; n++)
			cb_add(text, " ", 1);
		cb_add(text, name, strlen(name));
	}
	cb_add(text, "\n", 1);
}

/* The maps lines of the VMAs that meet [lo, hi): by PROCMAP_QUERY, or
 * from the whole of maps where the kernel has no such ioctl. */
static long read_maps_range(unsigned long lo, unsigned long hi,
			    struct cbuf *text)
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
	struct cbuf *text = &reply_text;
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
		cb_reset(text);
		if (passed >= 0 && (rq.op != KOP_CALL || rq.nr != NR_fork)) {
			close(passed);
			passed = -1;
		}
		if (rq.op == KOP_CALL) {
			ret = child_call(&rq, passed, controller, &fault, text);
			/* The new process of a fork says nothing yet. */
			if (rq.nr == NR_fork && ret == 0)
				continue;
		} else if (rq.op == KOP_PAGES) {
			ret = read_pagemap(rq.a[0], rq.a[1], text);
		} else if (rq.op == KOP_MAPS_RANGE) {
			ret = read_maps_range(rq.a[0], rq.a[1], text);
		} else if (rq.op == KOP_STATUS) {
			ret = status_diff(text);
		} else {
			ret = read_file(rq.op == KOP_SMAPS ? "/proc/self/smaps"
							   : "/proc/self/maps",
					text);
		}
		child_reply(CHAN_FD, ret, fault, cb_str(text), text->len);
	}
}

/*
 * The first process: set up the environment the contract assumes, say
 * "ready" (or why not), then serve.
 */
/*
 * Keep the process (and the children it forks) on the CPU it starts on.
 * A page just faulted in waits in that CPU's LRU batch, and MADV_COLD and
 * MADV_PAGEOUT drain only the batch of the CPU they run on
 * (lru_add_drain()) before they isolate pages: a process that moved to
 * another CPU in between leaves the page where reclaim cannot take it.
 */
static void stay_on_one_cpu(void)
{
	int cpu = sched_getcpu();
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	(void)sched_setaffinity(0, sizeof(set), &set);
}

void child_main(int chan, const char *dir, pid_t controller)
{
	unsigned long start_brk;
	char why[512];

	stay_on_one_cpu();
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
	/* From here on, no malloc: the heap is gone. */
	start_brk = brk_reset(why, sizeof(why));
	if (!start_brk || range_is_empty(VERIFY_WINDOW_START, VERIFY_WINDOW_END,
					 "the test window", why, sizeof(why))) {
		child_reply(CHAN_FD, -1, 0, why, strlen(why));
		_exit(1);
	}
	st_start_brk = start_brk;
	if (status_setup(true))
		child_setup_failed(CHAN_FD,
				   "its own memory (status, or filling the "
				   "gaps above the window)");
	child_reply(CHAN_FD, 0, start_brk, NULL, 0);
	child_serve(controller);
}

/*
 * The stack limit at exec decides mmap_base (arch/x86/mm/mmap.c
 * mmap_base(): TASK_SIZE - (rlim_cur + stack_guard_gap), no random part
 * without PF_RANDOMIZE), and mmap_base is kept for the process's life.
 * The new program sets the limit back to 8 MiB (child_main).
 */
#define STACK_GUARD_GAP_BYTES (256UL << 12)
#define TASK_SIZE_64 0x7ffffffff000UL

void child_exec(int chan, const char *dir, pid_t controller)
{
	unsigned long want = TASK_SIZE_64 - STACK_GUARD_GAP_BYTES -
			     VERIFY_MMAP_BASE;
	char chanarg[16], ctlarg[16], self[PATH_MAX];
	char *argv[] = {"vmalab", "verify", "--kernel-process", chanarg,
			(char *)dir,	  ctlarg, NULL};
	struct rlimit rl;
	int pers = personality(0xffffffff);
	ssize_t n;

	if (pers == -1 || personality((unsigned long)pers | ADDR_NO_RANDOMIZE) == -1)
		child_setup_failed(chan, "personality(ADDR_NO_RANDOMIZE)");
	if (getrlimit(RLIMIT_STACK, &rl))
		child_setup_failed(chan, "getrlimit(RLIMIT_STACK)");
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want) {
		errno = EPERM;
		child_setup_failed(chan, "RLIMIT_STACK (its hard limit is too "
					 "low to place mmap_base)");
	}
	rl.rlim_cur = want;
	if (setrlimit(RLIMIT_STACK, &rl))
		child_setup_failed(chan, "RLIMIT_STACK");
	/* The channel stays open across the exec. */
	if (fcntl(chan, F_SETFD, 0))
		child_setup_failed(chan, "fcntl");
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		child_setup_failed(chan, "/proc/self/exe");
	self[n] = '\0';
	snprintf(chanarg, sizeof(chanarg), "%d", chan);
	snprintf(ctlarg, sizeof(ctlarg), "%ld", (long)controller);
	execv(self, argv);
	child_setup_failed(chan, self);
}

int child_process_main(int argc, char **argv)
{
	char *end;
	long chan, controller;

	if (argc != 5)
		return 2;
	chan = strtol(argv[2], &end, 10);
	if (*end || chan < 0 || chan > 0x7fffffff)
		return 2;
	controller = strtol(argv[4], &end, 10);
	if (*end || controller <= 0)
		return 2;
	child_main((int)chan, argv[3], (pid_t)controller);
}
