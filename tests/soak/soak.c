/*
 * soak.c - `make soak`: a long run of random operations with forks, every
 * one checked by both of the engine's checkers (check.h): the invariant
 * checker (the tree, merges, the anon_vma graph, every anonymous page
 * reachable by rmap) and the VMA write-lock checker.
 *
 *   soak [OPS [SEED]]     default 1,000,000 operations, seed 1
 *
 * The operations come in rounds of ROUND on a fresh machine (so exited
 * processes do not pile up): mmap of private and shared anonymous memory
 * and of a file (MAP_FIXED in a 64-page window, so that most land next to
 * or over another VMA), munmap, mprotect, touch, fork while fewer than 15
 * processes live, switch, and exit_group.  It prints what it did and how
 * many violations the checkers found, and fails if there was one.  Not
 * part of `make check`: it takes a minute or more.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "engine.h"

#define BASE 0x200000000000UL
#define NPAGES 64
#define MAX_LIVE 15
#define ROUND 2000

static uint64_t rng;

static uint64_t next(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned long rn(unsigned long n)
{
	return (unsigned long)(next() % n);
}

static const unsigned long prots[] = {
	PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE, PROT_READ, PROT_NONE,
	PROT_READ | PROT_WRITE | PROT_EXEC};

struct totals {
	unsigned long ops, forks, exits, switches, touches, violations;
	int max_live;
	size_t max_avs, max_vmas;
};

static int live_pids(struct machine *m, int *live)
{
	int pids[4096], n = machine_pids(m, pids, 4096), k = 0;

	for (int i = 0; i < n && i < 4096; i++)
		if (!machine_exited(m, pids[i]) &&
		    !machine_proc_killed(m, pids[i]))
			live[k++] = pids[i];
	return k;
}

static void note_size(struct machine *m, struct totals *t)
{
	size_t avs = 0, vmas = 0;
	int pids[64], n = machine_pids(m, pids, 64);

	for (const struct anon_vma *av = machine_anon_vmas(m); av;
	     av = av->next)
		avs++;
	for (int i = 0; i < n && i < 64; i++) {
		const struct mm *mm = machine_mm(m, pids[i]);

		vmas += mm ? (size_t)mm->map_count : 0;
	}
	if (avs > t->max_avs)
		t->max_avs = avs;
	if (vmas > t->max_vmas)
		t->max_vmas = vmas;
}

static void one_op(struct machine *m, long fd, struct totals *t)
{
	int live[MAX_LIVE * 4], nlive = live_pids(m, live);
	unsigned long pg = rn(NPAGES), len = 1 + rn(8), fault;
	unsigned long addr = BASE + (pg << 12), bytes = len << 12;
	unsigned long prot = prots[rn(5)];
	unsigned long r = rn(100);

	if (nlive > t->max_live)
		t->max_live = nlive;
	if (r < 22) {
		unsigned long flags = MAP_FIXED | MAP_NORESERVE;
		unsigned long k = rn(10);

		if (k < 7)
			sys_mmap(m, addr, bytes, prot,
				 flags | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		else if (k < 8)
			sys_mmap(m, addr, bytes, prot & ~PROT_EXEC,
				 flags | MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		else
			sys_mmap(m, addr, bytes, prot & ~PROT_EXEC,
				 flags | (rn(2) ? MAP_PRIVATE : MAP_SHARED), fd,
				 rn(16) << 12);
	} else if (r < 32) {
		sys_munmap(m, addr, bytes);
	} else if (r < 54) {
		sys_mprotect(m, addr, bytes, prot);
	} else if (r < 82) {
		vm_touch(m, addr, bytes, &fault);
		t->touches++;
	} else if (r < 88) {
		if (nlive < MAX_LIVE && sys_fork(m) > 0)
			t->forks++;
	} else if (r < 97) {
		if (nlive > 1) {
			machine_switch(m, live[rn((unsigned long)nlive)]);
			t->switches++;
		}
	} else if (nlive > 1) {
		int me = machine_current_pid(m);

		sys_exit_group(m, 0);
		t->exits++;
		for (int i = 0; i < nlive; i++)
			if (live[i] != me) {
				machine_switch(m, live[i]);
				break;
			}
	}
	t->ops++;
}

int main(int argc, char **argv)
{
	unsigned long ops = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	struct check_violation v[4];
	struct totals t = {0};
	struct timespec a, b;
	double secs;

	rng = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
	clock_gettime(CLOCK_MONOTONIC, &a);
	while (t.ops < ops) {
		struct machine *m = machine_new();
		long fd;

		machine_set_checking(m, true);
		fd = sys_openat(m, AT_FDCWD, "soak.dat", O_RDWR | O_CREAT,
				0644);
		sys_ftruncate(m, fd, 16 << 12);
		for (int i = 0; i < ROUND && t.ops < ops; i++) {
			int n;

			one_op(m, fd, &t);
			n = machine_check_take(m, v, 4);
			if (n && t.violations < 20)
				fprintf(stderr,
					"violation after op %lu: code %d, pid "
					"%d, vma#%u, av%u\n",
					t.ops, v[0].code, v[0].pid, v[0].vma,
					v[0].av);
			t.violations += (unsigned long)n;
			if (i % 256 == 0)
				note_size(m, &t);
		}
		machine_free(m);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (double)(b.tv_sec - a.tv_sec) +
	       (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	printf("soak: %lu operations (%lu forks, %lu exits, %lu switches, "
	       "%lu touches) in %.1f s, %.1f us each\n",
	       t.ops, t.forks, t.exits, t.switches, t.touches, secs,
	       secs * 1e6 / (double)(t.ops ? t.ops : 1));
	printf("soak: at most %d live processes, %zu VMAs, %zu anon_vmas at "
	       "once\n",
	       t.max_live, t.max_vmas, t.max_avs);
	printf("soak: invariant and write-lock checkers: %lu violations\n",
	       t.violations);
	return t.violations ? 1 : 0;
}
