/*
 * kernel.h - verify's kernel backend: calls run as real system calls in
 * real processes, one per simulated pid, working in a private directory.
 */
#ifndef VMALAB_KERNEL_H
#define VMALAB_KERNEL_H

#include <stddef.h>
#include "backend.h"

struct backend *kernel_backend_new(char *err, size_t errlen);
/* Why the kernel backend can run no more calls ("kernel process 2 died:
 * signal 11 (SIGSEGV)"), or NULL while all is well. */
const char *kernel_backend_failure(struct backend *be);

#endif
