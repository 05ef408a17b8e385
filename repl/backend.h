/*
 * backend.h - what a script runs against.
 *
 * The same parsed call goes either to the engine (the simulation) or to the
 * running kernel (real processes, for `verify`).  Both answer in the same
 * terms: a result or -errno, and maps/smaps text in the contract's format,
 * so the two can be compared line by line.
 */
#ifndef VMALAB_BACKEND_H
#define VMALAB_BACKEND_H

#include <stdbool.h>
#include "strbuf.h"

/* The calls a script can make of a process. */
enum vcall {
	VC_NONE, /* a command that is not a call */
	VC_MMAP,
	VC_MUNMAP,
	VC_MPROTECT,
	VC_OPENAT,
	VC_CLOSE,
	VC_FTRUNCATE,
	VC_FORK,
	VC_TOUCH,
	VC__COUNT
};

struct call {
	enum vcall nr;
	unsigned long a[6]; /* the arguments, in the system call's order */
	const char *path;   /* openat's path */
};

/* The window of addresses that verify compares. */
#define VERIFY_WINDOW_START 0x200000000000UL
#define VERIFY_WINDOW_END 0x201000000000UL

struct backend;
struct backend_ops {
	/*
	 * Run c in the current process.  Returns the call's value or -errno.
	 * For VC_TOUCH it returns 0 or the signal number, and the faulting
	 * page in *fault.
	 */
	long (*call)(struct backend *be, const struct call *c,
		     unsigned long *fault);
	/* Make pid current: 0, or -ESRCH. */
	int (*switch_to)(struct backend *be, int pid);
	/* Append the current process's maps (or smaps) in contract format. */
	int (*maps)(struct backend *be, bool smaps, struct strbuf *out);
	/*
	 * Which pages of [addr, addr + n pages) are present in the current
	 * process's page tables: one character each, 'a' anonymous, 'f' file
	 * or shmem (pagemap's "file-page or shared-anon" bit), '.' absent.
	 */
	int (*pages)(struct backend *be, unsigned long addr, unsigned long n,
		     char *out);
	/* Send trace lines ("# ..." each) to sink, or stop if NULL.  May be
	 * NULL: the kernel keeps its steps to itself. */
	void (*set_trace)(struct backend *be, struct strbuf *sink);
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
/* The kernel: run calls in real child processes, cwd in a private dir. */
struct backend *kernel_backend_new(char *err, size_t errlen);
/* Why the kernel backend can run no more calls ("kernel process 2 died:
 * signal 11 (SIGSEGV)"), or NULL while all is well. */
const char *kernel_backend_failure(struct backend *be);

#endif
