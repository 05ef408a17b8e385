/*
 * prog_maps.c - a small real program for the import tests: it maps a file
 * privately and shared, lets the kernel choose addresses, splits and
 * merges with mprotect, grows a mapping with mremap (moving it when it
 * cannot grow in place), forks, and the child unmaps part of what it
 * inherited and shrinks a mapping with mremap.  No stdio and no malloc, so that the heap (brk) stays out of
 * the picture; it writes its own maps at the end for the test to compare.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static void dump_maps(const char *path)
{
	char buf[65536];
	int in = open("/proc/self/maps", O_RDONLY);
	int out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n;

	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			break;
	close(in);
	close(out);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";
	char path[4096];
	long pg = 4096;
	int fd;
	char *a, *f, *s, *g;
	pid_t pid;

	if (chdir(dir) != 0)
		return 2;
	fd = open("data.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, 16 * pg) != 0)
		return 2;
	a = mmap(NULL, 8 * pg, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	f = mmap(NULL, 4 * pg, PROT_READ, MAP_PRIVATE, fd, 4 * pg);
	s = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (a == MAP_FAILED || f == MAP_FAILED || s == MAP_FAILED)
		return 2;
	memset(a, 1, 2 * pg);
	s[0] = 1;
	mprotect(a + 2 * pg, 2 * pg, PROT_READ); /* split 1 -> 3 */
	mprotect(a + 2 * pg, 2 * pg, PROT_READ | PROT_WRITE); /* merge back */
	mprotect(a + 6 * pg, 2 * pg, PROT_NONE);
	munmap(f + pg, pg);
	/* grow: in place if the next page is free, else moved */
	g = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g == MAP_FAILED)
		return 2;
	g[0] = 1;
	g = mremap(g, 2 * pg, 6 * pg, MREMAP_MAYMOVE);
	if (g == MAP_FAILED)
		return 2;
	pid = fork();
	if (pid == 0) {
		munmap(a, 2 * pg);
		a[4 * pg] = 2;
		if (mremap(g, 6 * pg, 3 * pg, 0) == MAP_FAILED)
			_exit(2);
		dump_maps("child.maps");
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	close(fd);
	dump_maps("parent.maps");
	return 0;
}
