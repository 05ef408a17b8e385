/*
 * hostio.h - the few things the command core asks of the host itself:
 * opening files read-only and the frame of the shared zero page.  Apart
 * from the rest because they need the system's <fcntl.h> and
 * <sys/mman.h>, whose constants the engine's headers define too.
 */
#ifndef VMALAB_HOSTIO_H
#define VMALAB_HOSTIO_H

/* open(path, O_RDONLY | O_CLOEXEC): an fd, or -1 with errno set. */
int host_open_read(const char *path);

/* The zero page's pfn, or 0 if pagemap hides frames from us. */
unsigned long long zero_pfn(void);

#endif
