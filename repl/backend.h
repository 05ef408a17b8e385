/*
 * backend.h - what a script runs against.
 *
 * The same call goes either to the engine (the simulation) or to the
 * running kernel (real processes, for `verify`).  A call is a system call
 * number with its raw arguments, exactly what the kernel's syscall entry
 * sees, so that both sides take it from the same row of the command table.
 * Both answer in the same terms: a result or -errno, and maps/smaps text
 * in the contract's format, so the two can be compared line by line.
 */
#ifndef VMALAB_BACKEND_H
#define VMALAB_BACKEND_H

#include <stdbool.h>
#include "events.h"
#include "nr.h"
#include "strbuf.h"

/*
 * What a long call (a touch or populate of many pages) asks every so many
 * pages: done of about total; true stops it there (machine_set_poll()).
 * The kernel backend never asks: its calls run whole.
 */
struct call_poll {
	bool (*fn)(void *arg, unsigned long done, unsigned long total);
	void *arg;
};

struct call {
	int nr;		    /* enum vmalab_nr: __NR_* or NR_TOUCH */
	unsigned long a[6]; /* the arguments, in the system call's order */
	const char *path;   /* openat's path (the string argument) */
	int path_arg;	    /* which argument path stands for */
	const struct call_poll *poll; /* NULL: the call runs whole */
};

/* The window of addresses that verify compares. */
#define VERIFY_WINDOW_START 0x200000000000UL
#define VERIFY_WINDOW_END 0x201000000000UL
/*
 * The brk area, which cannot live in the window: verify compares the
 * first VERIFY_BRK_SPAN bytes above the real process's own start_brk as
 * if they began at the simulation's start_brk (vma.h START_BRK).
 */
#define VERIFY_BRK_BASE 0x555555559000UL
#define VERIFY_BRK_SPAN (1UL << 30)
/*
 * Where verify's real processes start their top-down searches (their
 * mm->mmap_base): the first is exec'd without randomisation and with a
 * stack limit that puts mmap_base here (arch/x86/mm/mmap.c mmap_base()),
 * below the program and its brk area, and it fills every gap between the
 * window and here.  So the highest free gap below mmap_base is in the
 * window: a kernel-chosen address lands there, the same in the engine
 * (given the same mappings as reserved VMAs, and this mmap_base).
 */
#define VERIFY_MMAP_BASE 0x400000000000UL

struct backend;
struct backend_ops {
	/*
	 * Run c in the current process.  Returns the call's value or -errno.
	 * For NR_TOUCH it returns 0 or the signal number, and the faulting
	 * page in *fault.
	 */
	long (*call)(struct backend *be, const struct call *c,
		     unsigned long *fault);
	/* Make pid current: 0, or -ESRCH. */
	int (*switch_to)(struct backend *be, int pid);
	/* Append the current process's maps (or smaps) in contract format. */
	int (*maps)(struct backend *be, bool smaps, struct strbuf *out);
	/*
	 * Append the memory lines of the current process's /proc/PID/status
	 * (NULL: the backend has none).  The kernel's are given as the
	 * difference from the real process's own start (verify/child.c).
	 */
	int (*status)(struct backend *be, struct strbuf *out);
	/*
	 * Which pages of [addr, addr + n pages) are present in the current
	 * process's page tables: one character each, 'a' anonymous, 'f' file
	 * or shmem (pagemap's "file-page or shared-anon" bit), 'z' the zero
	 * page, '.' absent.
	 */
	int (*pages)(struct backend *be, unsigned long addr, unsigned long n,
		     char *out);
	/* Attach (on) or detach an observer of the engine's events.  NULL
	 * for the kernel, which keeps its steps to itself. */
	int (*observe)(struct backend *be, const struct engine_observer *o,
		       bool on);
	void (*destroy)(struct backend *be);
};

struct backend {
	const struct backend_ops *ops;
	const char *name; /* "engine", "kernel" */
};

struct machine;
struct machine_params;
/* The simulation, on a machine with these parameters (NULL: defaults). */
struct backend *engine_backend_new(const struct machine_params *p);
struct machine *engine_backend_machine(struct backend *be);
/* The simulation on m, which the backend then owns. */
struct backend *engine_backend_of(struct machine *m);

#endif
