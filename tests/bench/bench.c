/*
 * bench.c - speed and memory of the engine as the address space grows.
 *
 *   bench                  the table: every phase at 1k, 10k and 100k VMAs
 *   bench PHASE N OPS      one phase on N VMAs (for instruction counts
 *                          under callgrind: see tests/bench.sh)
 *
 * Each operation is timed on address spaces of 1,000, 10,000 and 100,000
 * VMAs and reported as a ratio against the 1,000-VMA run in the same
 * process.  Wall-clock ratios also measure the memory hierarchy (1,000
 * VMAs fit in cache, 100,000 do not), so tests/bench.sh adds instruction
 * counts from callgrind, which measure the algorithm alone: with the
 * augmented tree every operation is O(log n) and those ratios stay near 1;
 * a list walk would make them ~10 and ~100.  Memory is bytes per VMA.
 * Nothing here asserts a time: the numbers are for people to read.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static unsigned long slot(unsigned long i)
{
	return W + i * 2 * PAGE_SIZE;
}

/* n single-page VMAs, one page apart so that they never merge. */
static struct machine *build(unsigned long n)
{
	struct machine *m = machine_new();

	machine_set_max_map_count(m, (int)n + 1000);
	for (unsigned long i = 0; i < n; i++)
		sys_mmap(m, slot(i), PAGE_SIZE, PROT_READ | PROT_WRITE, ANON,
			 -1, 0);
	return m;
}

/* Each phase is a function of its own, so callgrind can count it alone. */
__attribute__((noinline)) void
bench_mprotect(struct machine *m, unsigned long n, unsigned long ops)
{
	for (unsigned long i = 0; i < ops; i++) {
		unsigned long a = slot(next_rand() % n);

		sys_mprotect(m, a, PAGE_SIZE, PROT_READ);
		sys_mprotect(m, a, PAGE_SIZE, PROT_READ | PROT_WRITE);
	}
}

__attribute__((noinline)) void bench_touch(struct machine *m, unsigned long n,
					   unsigned long ops)
{
	unsigned long fault;

	for (unsigned long i = 0; i < ops; i++)
		vm_touch(m, slot(next_rand() % n), 1, &fault);
}

__attribute__((noinline)) void
bench_mmap_null(struct machine *m, unsigned long n, unsigned long ops)
{
	(void)n;
	for (unsigned long i = 0; i < ops; i++) {
		long a = sys_mmap(m, 0, PAGE_SIZE, PROT_READ,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		sys_munmap(m, (unsigned long)a, PAGE_SIZE);
	}
}

__attribute__((noinline)) void bench_munmap(struct machine *m, unsigned long n,
					    unsigned long ops)
{
	for (unsigned long i = 0; i < ops && i < n; i++)
		sys_munmap(m, slot(next_rand() % n), PAGE_SIZE);
}

static const struct phase {
	const char *name;
	void (*fn)(struct machine *m, unsigned long n, unsigned long ops);
	unsigned long per_op; /* calls per op, to report per call */
} phases[] = {
	{"mprotect", bench_mprotect, 2},
	{"touch", bench_touch, 1},
	{"mmap_null", bench_mmap_null, 2},
	{"munmap", bench_munmap, 1},
};
#define NPHASES (sizeof(phases) / sizeof(phases[0]))

static double run_phase(const struct phase *p, unsigned long n,
			unsigned long ops)
{
	struct machine *m = build(n);
	double t = now();

	p->fn(m, n, ops);
	t = (now() - t) / (ops * p->per_op);
	machine_free(m);
	return t;
}

static void table(void)
{
	static const unsigned long sizes[] = {1000, 10000, 100000};
	double base[NPHASES];
	size_t heap0;
	unsigned long fault;
	struct machine *m;

	printf("%-8s", "VMAs");
	for (size_t p = 0; p < NPHASES; p++)
		printf(" %17s", phases[p].name);
	printf("\n");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		printf("%-8lu", sizes[i]);
		for (size_t p = 0; p < NPHASES; p++) {
			double t = run_phase(&phases[p], sizes[i], 20000);

			if (i == 0)
				base[p] = t;
			printf(" %7.0f ns x%-5.1f", t * 1e9, t / base[p]);
		}
		printf("\n");
	}
	printf("(ns per call, and xN against the %lu-VMA run)\n", sizes[0]);

	heap0 = mallinfo2().uordblks;
	m = build(200000);
	printf("memory: %.0f bytes per VMA (200000 VMAs; struct vma is %zu)\n",
	       (double)(mallinfo2().uordblks - heap0) / 200000,
	       sizeof(struct vma));
	for (unsigned long i = 0; i < 200000; i += 2)
		vm_touch(m, slot(i), 1, &fault);
	printf("        %.0f bytes per VMA with half of them faulted\n",
	       (double)(mallinfo2().uordblks - heap0) / 200000);
	machine_free(m);
}

int main(int argc, char **argv)
{
	if (argc == 4) {
		for (size_t p = 0; p < NPHASES; p++) {
			if (strcmp(argv[1], phases[p].name) == 0) {
				double t = run_phase(&phases[p],
						     strtoul(argv[2], NULL, 0),
						     strtoul(argv[3], NULL, 0));

				printf("%.0f\n", t * 1e9);
				return 0;
			}
		}
		fprintf(stderr, "bench: unknown phase %s\n", argv[1]);
		return 2;
	}
	table();
	return 0;
}
