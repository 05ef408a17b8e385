/*
 * direct.c - the kernel replayer's backend: calls made by this very
 * process as real system calls, so that every speed figure of `make
 * bench` is a ratio against the kernel doing the same work in the same
 * run (kreplay.c runs scripts with it, bench.c times calls with it).
 *
 * The replayer is batch mode with this backend: the same session reads the
 * lines with the same parser and command table, and prints the same
 * "CALL = RESULT" lines through the same output path; only the calls go
 * to the kernel, each as syscall(nr, ...) from its row's number, and
 * touch as writes whose SIGSEGV or SIGBUS is caught (verify/touch.c).
 * Nothing is checked and there are no extra processes: fork is ENOSYS.
 * maps and smaps print this process's own /proc files as they are.
 *
 * Address space layout randomisation is turned off (the replayer
 * re-executes itself once), so that searches for free space (mmap with
 * MAP_32BIT) see the same address space in every run.  Calls that name
 * addresses must stay in the benchmarks' windows, [1 GiB, 2 GiB) and the
 * test window: a script must not unmap the replayer itself.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "backend.h"
#include "nr.h"
#include "direct.h"
#include "touch.h"

#define LOW_START 0x40000000UL
#define LOW_END 0x80000000UL

static bool in_windows(unsigned long addr, unsigned long len)
{
	unsigned long end = addr + len;

	if (end < addr)
		return false;
	return (addr >= LOW_START && end <= LOW_END) ||
	       (addr >= VERIFY_WINDOW_START && end <= VERIFY_WINDOW_END);
}

/* Does the call name memory outside the windows? */
static bool outside(const struct call *c)
{
	const unsigned long *a = c->a;

	switch (c->nr) {
	case NR_mmap:
		return (a[3] & (MAP_FIXED | MAP_FIXED_NOREPLACE)) &&
		       !in_windows(a[0], a[1]);
	case NR_TOUCH:
	case NR_munmap:
	case NR_mprotect:
	case 28:  /* madvise */
	case 149: /* mlock */
	case 150: /* munlock */
	case 325: /* mlock2 */
	case 462: /* mseal */
		return !in_windows(a[0], a[1]);
	case 25: /* mremap: the new place too, when it is fixed */
		return !in_windows(a[0], a[1]) ||
		       ((a[3] & 2) && !in_windows(a[4], a[2]));
	case 151: /* mlockall */
	case 12:  /* brk */
		return true;
	default:
		return false;
	}
}

static long direct_call(struct backend *be, const struct call *c,
			unsigned long *fault)
{
	unsigned long a[6];
	long ret;

	(void)be;
	if (outside(c)) {
		fprintf(stderr,
			"kreplay: refusing a call outside [1 GiB, 2 GiB) and "
			"the test window\n");
		exit(2);
	}
	if (c->nr == NR_TOUCH)
		return touch_range(c->a[0], c->a[1], fault);
	if (c->nr == NR_fork)
		return -ENOSYS;
	memcpy(a, c->a, sizeof(a));
	if (c->path)
		a[c->path_arg] = (unsigned long)c->path;
	ret = syscall(c->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	return ret == -1 ? -errno : ret;
}

static int direct_switch(struct backend *be, int pid)
{
	(void)be;
	return pid == 1 ? 0 : -ESRCH;
}

static int direct_maps(struct backend *be, bool smaps, struct strbuf *out)
{
	int fd = open(smaps ? "/proc/self/smaps" : "/proc/self/maps",
		      O_RDONLY | O_CLOEXEC);
	char buf[16384];
	ssize_t n;

	(void)be;
	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		sb_add(out, buf, (size_t)n);
	close(fd);
	return n < 0 ? -1 : 0;
}

static int direct_pages(struct backend *be, unsigned long addr, unsigned long n,
			char *out)
{
	(void)be;
	(void)addr;
	(void)n;
	(void)out;
	return -1;
}

static void direct_destroy(struct backend *be)
{
	free(be);
}

static const struct backend_ops direct_ops = {
	.call = direct_call,
	.switch_to = direct_switch,
	.maps = direct_maps,
	.pages = direct_pages,
	.destroy = direct_destroy,
};

struct backend *kernel_direct_new(void)
{
	struct backend *be = calloc(1, sizeof(*be));

	if (!be || touch_install())
		abort();
	be->ops = &direct_ops;
	be->name = "kernel";
	return be;
}

void no_aslr(char **argv)
{
	int pers = personality(0xffffffff);

	if (pers < 0 || (pers & ADDR_NO_RANDOMIZE))
		return;
	if (personality((unsigned long)pers | ADDR_NO_RANDOMIZE) < 0)
		return;
	execv("/proc/self/exe", argv);
	/* Could not re-execute: go on with randomisation. */
}
