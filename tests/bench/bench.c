/*
 * bench.c - speed and memory of the engine as the address space grows.
 *
 * Each operation is timed on address spaces of 1,000, 10,000 and 100,000
 * VMAs, and reported as a ratio against the 1,000-VMA run of the same
 * process: with the augmented tree every operation is O(log n), so the
 * ratios should stay small (a list walk would make them ~10 and ~100).
 * Memory is reported as bytes per VMA.  Nothing here asserts a time: the
 * numbers are for people to read (make bench).
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "engine.h"

#define W 0x200000000000UL
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned long long rng = 0x9e3779b97f4a7c15ULL;

static unsigned long next_rand(void)
{
	unsigned long long z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (unsigned long)(z ^ (z >> 31));
}

/* n single-page VMAs, one page apart so that they never merge. */
static struct machine *build(unsigned long n)
{
	struct machine *m = machine_new();

	machine_set_max_map_count(m, (int)n + 1000);
	for (unsigned long i = 0; i < n; i++)
		sys_mmap(m, W + i * 2 * PAGE_SIZE, PAGE_SIZE,
			 PROT_READ | PROT_WRITE, ANON, -1, 0);
	return m;
}

struct result {
	double map, mprotect, touch, unmapped_area, munmap;
};

static void measure(unsigned long n, unsigned long ops, struct result *r)
{
	struct machine *m;
	unsigned long fault;
	double t;

	t = now();
	m = build(n);
	r->map = (now() - t) / n;

	t = now();
	for (unsigned long i = 0; i < ops; i++) {
		unsigned long a = W + (next_rand() % n) * 2 * PAGE_SIZE;

		/* Split off nothing, then back: a modify and a merge try. */
		sys_mprotect(m, a, PAGE_SIZE, PROT_READ);
		sys_mprotect(m, a, PAGE_SIZE, PROT_READ | PROT_WRITE);
	}
	r->mprotect = (now() - t) / (2 * ops);

	t = now();
	for (unsigned long i = 0; i < ops; i++)
		vm_touch(m, W + (next_rand() % n) * 2 * PAGE_SIZE, 1, &fault);
	r->touch = (now() - t) / ops;

	t = now();
	for (unsigned long i = 0; i < ops; i++) {
		long a = sys_mmap(m, 0, PAGE_SIZE, PROT_READ,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		sys_munmap(m, (unsigned long)a, PAGE_SIZE);
	}
	r->unmapped_area = (now() - t) / ops;

	t = now();
	for (unsigned long i = 0; i < n; i++)
		sys_munmap(m, W + i * 2 * PAGE_SIZE, PAGE_SIZE);
	r->munmap = (now() - t) / n;
	machine_free(m);
}

/* Bytes of heap in use: what the engine allocated. */
static size_t heap_used(void)
{
	return mallinfo2().uordblks;
}

int main(void)
{
	static const unsigned long sizes[] = { 1000, 10000, 100000 };
	struct result base = { 0 }, r;
	size_t heap0, heap1;
	unsigned long fault;
	struct machine *m;

	printf("%-9s %14s %14s %14s %14s %14s\n", "VMAs", "mmap ns",
	       "mprotect ns", "touch ns", "mmap(NULL) ns", "munmap ns");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		measure(sizes[i], 20000, &r);
		if (i == 0)
			base = r;
		printf("%-9lu %8.0f x%-4.1f %8.0f x%-4.1f %8.0f x%-4.1f "
		       "%8.0f x%-4.1f %8.0f x%-4.1f\n",
		       sizes[i], r.map * 1e9, r.map / base.map,
		       r.mprotect * 1e9, r.mprotect / base.mprotect,
		       r.touch * 1e9, r.touch / base.touch,
		       r.unmapped_area * 1e9,
		       r.unmapped_area / base.unmapped_area, r.munmap * 1e9,
		       r.munmap / base.munmap);
	}
	printf("(xN: time per operation against the %lu-VMA run; O(log n) "
	       "keeps these near 1-2)\n",
	       sizes[0]);

	heap0 = heap_used();
	m = build(200000);
	heap1 = heap_used();
	printf("memory: %.0f bytes per VMA (200000 VMAs; sizeof(struct vma) "
	       "is %zu)\n",
	       (double)(heap1 - heap0) / 200000, sizeof(struct vma));
	for (unsigned long i = 0; i < 200000; i += 2)
		vm_touch(m, W + i * 2 * PAGE_SIZE, 1, &fault);
	printf("        %.0f bytes per VMA with every other VMA faulted\n",
	       (double)(heap_used() - heap0) / 200000);
	machine_free(m);
	return 0;
}
