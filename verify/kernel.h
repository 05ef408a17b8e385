/*
 * kernel.h - verify's kernel backend: calls run as real system calls in
 * real processes, one per simulated pid, working in a private directory.
 */
#ifndef VMALAB_KERNEL_H
#define VMALAB_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include "backend.h"

struct backend *kernel_backend_new(char *err, size_t errlen);
/* Why the kernel backend can run no more calls ("kernel process 2 died:
 * signal 11 (SIGSEGV)"), or NULL while all is well. */
const char *kernel_backend_failure(struct backend *be);
/*
 * The maps lines (of the test window) of the current process's VMAs that
 * meet [lo, hi), as `maps` would print them: found by address
 * (PROCMAP_QUERY), so the cost does not grow with the VMAs elsewhere.
 * 0, or -1 if the process did not answer.
 */
struct strbuf;
int kernel_backend_maps_range(struct backend *be, unsigned long lo,
			      unsigned long hi, struct strbuf *out);

/*
 * The first real process's own mappings when it was ready (outside the
 * window and its brk area, below TASK_SIZE): the engine is given them as
 * reserved VMAs, so that both sides search the same gaps.
 */
struct kernel_own_vma {
	unsigned long start, end;
	bool growsdown; /* VM_GROWSDOWN: a guard gap below it */
	bool dontcopy;	/* VM_DONTCOPY: fork does not copy it */
};
size_t kernel_backend_own_vmas(struct backend *be,
			       const struct kernel_own_vma **vmas);

#endif
