/*
 * direct.h - the kernel replayer's backend, for the benchmarks: calls
 * made by this very process as raw system calls (direct.c).
 */
#ifndef VMALAB_DIRECT_H
#define VMALAB_DIRECT_H

#include "backend.h"

/* A backend whose calls are this process's own system calls. */
struct backend *kernel_direct_new(void);
/* Run again (execv) without address space randomisation, once. */
void no_aslr(char **argv);

#endif
