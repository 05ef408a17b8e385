/*
 * touch.h - `touch` and `read` for real: one write (or read) to each page
 * of a range, in this process, with the SIGSEGV or SIGBUS of the first
 * page that faults caught and reported.  verify's processes (child.c) and the benchmarks'
 * kernel replayer both touch this way.
 */
#ifndef VMALAB_TOUCH_H
#define VMALAB_TOUCH_H

/* Catch write faults on an alternate stack: 0, or -1 with errno set. */
int touch_install(void);
/*
 * Write one byte to each page of [addr, addr + len), first at addr, then
 * at each following page start.  Returns 0, or the signal of the first
 * fault with its page in *fault.  touch_install() must have run.
 */
long touch_range(unsigned long addr, unsigned long len, unsigned long *fault);
/* The same with a read of one byte of each page (`read`). */
long read_range(unsigned long addr, unsigned long len, unsigned long *fault);

#endif
