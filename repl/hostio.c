/*
 * hostio.c - opening host files, and the shared zero page's frame: read a
 * fresh private anonymous page (do_anonymous_page maps the zero page)
 * and look it up in our own pagemap.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "hostio.h"

int host_open_read(const char *path)
{
	return open(path, O_RDONLY | O_CLOEXEC);
}

unsigned long long zero_pfn(void)
{
	long page = sysconf(_SC_PAGESIZE);
	volatile char *p = mmap(NULL, (size_t)page, PROT_READ,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long long e = 0;
	int fd;

	if (p == MAP_FAILED)
		return 0;
	(void)p[0];
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd >= 0) {
		if (pread(fd, &e, sizeof(e),
			  (off_t)((unsigned long)p / (unsigned long)page *
				  sizeof(e))) != sizeof(e))
			e = 0;
		close(fd);
	}
	munmap((void *)p, (size_t)page);
	if (!(e & (1ULL << 63)))
		return 0;
	return e & ((1ULL << 55) - 1);
}
