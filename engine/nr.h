/*
 * nr.h - the numbers of the system calls vmalab models, as on x86-64
 * (arch/x86/entry/syscalls/syscall_64.tbl), and the pseudo-calls that are
 * not system calls but user-space accesses.  Kept apart from engine.h so
 * that code which includes <sys/syscall.h> can check them against it.
 */
#ifndef VMALAB_NR_H
#define VMALAB_NR_H

enum vmalab_nr {
	NR_TOUCH = -1, /* write one byte to each page (not a system call) */
	/*
	 * State given from outside rather than made by calls: what a real
	 * process already has (attach, load-maps) or what a log does not
	 * show (the files behind its fds).  engine.h says what each takes.
	 */
	NR_SPAWN = -2,	     /* a new empty process; returns its pid */
	NR_GIVEN_VMA = -3,   /* a VMA exactly as given */
	NR_GIVEN_PAGES = -4, /* pages present in the page table as given */
	NR_GIVEN_FILE = -5,  /* a file of at least a size */
	NR_GIVEN_FD = -6,    /* an open file at a given fd */
	NR_LAYOUT = -7,	     /* mmap_base, the brk or the stack as given */
	NR_READ = -8,	     /* read one byte of each page (not a system call) */
	NR_PSEUDO_MIN = -8,
	NR_close = 3,
	NR_mmap = 9,
	NR_mprotect = 10,
	NR_munmap = 11,
	NR_mremap = 25,
	NR_madvise = 28,
	NR_brk = 12,
	NR_dup = 32,
	NR_dup2 = 33,
	NR_fork = 57,
	NR_execve = 59,
	NR_exit = 60,
	NR_ftruncate = 77,
	NR_mlock = 149,
	NR_munlock = 150,
	NR_mlockall = 151,
	NR_munlockall = 152,
	NR_prctl = 157,
	NR_exit_group = 231,
	NR_openat = 257,
	NR_dup3 = 292,
	NR_mlock2 = 325,
	NR_mseal = 462,
	NR_MAX = 512, /* above every number here */
};

#endif
