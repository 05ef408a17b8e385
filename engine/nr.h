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
	NR_close = 3,
	NR_mmap = 9,
	NR_mprotect = 10,
	NR_munmap = 11,
	NR_fork = 57,
	NR_ftruncate = 77,
	NR_openat = 257,
	NR_MAX = 512, /* above every number here */
};

#endif
