/*
 * touch.c - writes and reads that may fault, with the fault caught: the
 * real side of `touch` and `read`.
 *
 * The handler runs on an alternate stack (a touch may hit anything, the
 * stack's guard gap included) and jumps back into touch_range().  It is
 * installed with SA_NODEFER and the jump keeps the signal mask as it is,
 * so that a touch that does not fault costs no system call at all.
 */
/* Make and check-asan may replace CFLAGS, and -D_GNU_SOURCE with it. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <stdlib.h>
#include "touch.h"

#define ALTSTACK_SIZE 65536
#define TOUCH_PAGE 4096UL

/*
 * The only global: the SIGSEGV/SIGBUS handler of a process must know
 * where to jump back to and where to leave the signal and address.  The
 * processes that touch have one thread each.
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

int touch_install(void)
{
	struct sigaction sa = {.sa_sigaction = touch_fault};
	stack_t ss = {.ss_size = ALTSTACK_SIZE};

	/* Not malloc: the process gives its heap back (child.c). */
	ss.ss_sp = mmap(NULL, ALTSTACK_SIZE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ss.ss_sp == MAP_FAILED)
		return -1;
	if (sigaltstack(&ss, NULL))
		return -1;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, NULL) || sigaction(SIGBUS, &sa, NULL))
		return -1;
	return 0;
}

/*
 * Not sanitized: the accesses are meant to fault, and ASan's shadow check
 * of a non-canonical address would fault first, with no address.
 */
static void __attribute__((noinline, no_sanitize("address", "undefined")))
access_pages(unsigned long addr, unsigned long len, int write)
{
	unsigned long end = addr + len;

	for (unsigned long p = addr; p < end; p = (p | (TOUCH_PAGE - 1)) + 1) {
		if (write)
			*(volatile char *)p = 1;
		else
			(void)*(volatile char *)p;
		if ((p | (TOUCH_PAGE - 1)) == ~0UL)
			break;
	}
}

/* The fault jumps back here, out of access_pages(). */
static long access_range(unsigned long addr, unsigned long len,
			 unsigned long *fault, int write)
{
	if (sigsetjmp(touch_state.env, 0)) {
		*fault = touch_state.addr & ~(TOUCH_PAGE - 1);
		return touch_state.sig;
	}
	touch_state.armed = 1;
	access_pages(addr, len, write);
	touch_state.armed = 0;
	return 0;
}

long touch_range(unsigned long addr, unsigned long len, unsigned long *fault)
{
	return access_range(addr, len, fault, 1);
}

long read_range(unsigned long addr, unsigned long len, unsigned long *fault)
{
	return access_range(addr, len, fault, 0);
}
