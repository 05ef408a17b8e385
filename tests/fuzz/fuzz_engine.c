/*
 * fuzz_engine.c - libFuzzer target: the engine driven by random sequences
 * of system calls, decoded from the input's bytes.  Addresses fall mostly
 * on pages of a small window (where merges and splits happen) and now and
 * then anywhere; lengths are mostly a few pages and now and then anything.
 * After each call the contract's printers (maps and smaps) run over every
 * process, as they would after each line of a script.
 *
 * Oracles: the sanitizers, the printers' own walk of each mm, and the
 * engine's checkers (engine/check.h) in checking mode: the invariants of
 * every mm and anon_vma and the VMA write-lock rule, after every call.
 * A violation aborts, so that libFuzzer keeps the input.
 *
 * The machine is small (mem_total 1 to 16 MiB): every loop over pages is
 * bounded by memory (the OOM killer), and a small one keeps each input
 * fast.  The same code runs on the default 24 GiB machine.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include "check.h"
#include "engine.h"
#include "procfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define WINDOW 0x200000000000UL
#define PAGE 4096UL

struct input {
	const uint8_t *p, *end;
};

static unsigned byte(struct input *in)
{
	return in->p < in->end ? *in->p++ : 0;
}

static unsigned long raw(struct input *in)
{
	unsigned long v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | byte(in);
	return v;
}

/* A page of the window (sometimes off by a byte), or anything. */
static unsigned long addr(struct input *in)
{
	unsigned k = byte(in);

	if (k >= 0xf0)
		return raw(in);
	return WINDOW + (k & 0x7f) * PAGE + (k & 0x80 ? 1 : 0);
}

static unsigned long length(struct input *in)
{
	unsigned k = byte(in);

	if (k >= 0xf0)
		return raw(in);
	return (k & 0x3f) * PAGE + (k & 0x40 ? 1 : 0);
}

static unsigned long mmap_flags(struct input *in)
{
	static const unsigned long bits[] = {
		MAP_SHARED,	     MAP_PRIVATE,   MAP_FIXED,
		MAP_ANONYMOUS,	     MAP_GROWSDOWN, MAP_LOCKED,
		MAP_NORESERVE,	     MAP_POPULATE,  MAP_FIXED_NOREPLACE,
		MAP_DROPPABLE,	     MAP_STACK,	    MAP_SYNC,
		MAP_SHARED_VALIDATE, MAP_32BIT,	    MAP_HUGETLB,
		MAP_NONBLOCK,
	};
	unsigned mask = byte(in) | byte(in) << 8;
	unsigned long flags = 0;

	for (unsigned i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (mask & (1u << i))
			flags |= bits[i];
	return flags;
}

static const char *const paths[] = {
	"a", "b", "dir/", "d/x", "///", ".", "..", "a/", "", "x/../a",
};

static unsigned long open_flags(struct input *in)
{
	static const unsigned long bits[] = {
		O_WRONLY, O_RDWR,      O_CREAT, O_EXCL,
		O_TRUNC,  O_DIRECTORY, O_PATH,	O_APPEND,
	};
	unsigned mask = byte(in);
	unsigned long flags = 0;

	for (unsigned i = 0; i < 8; i++)
		if (mask & (1u << i))
			flags |= bits[i];
	return flags;
}

static void show_all(struct machine *m)
{
	int pids[64], n = machine_pids(m, pids, 64);
	struct strbuf sb = {0};

	for (int i = 0; i < n && i < 64; i++)
		show_maps(machine_mm(m, pids[i]), true, &sb);
	sb_free(&sb);
}

static void step(struct machine *m, struct input *in)
{
	unsigned long a[6] = {0}, fault;
	const char *path = NULL;
	int pids[64], n;
	int nr;

	switch (byte(in) % 11) {
	case 0:
		nr = NR_mmap;
		a[0] = byte(in) & 1 ? 0 : addr(in);
		a[1] = length(in);
		a[2] = byte(in) & 7;
		a[3] = mmap_flags(in);
		a[4] = byte(in) & 1 ? (unsigned long)-1 : 3 + byte(in) % 4;
		a[5] = length(in);
		break;
	case 1:
		nr = NR_munmap;
		a[0] = addr(in);
		a[1] = length(in);
		break;
	case 2:
		nr = NR_mprotect;
		a[0] = addr(in);
		a[1] = length(in);
		a[2] = byte(in) & 7;
		break;
	case 3:
		nr = byte(in) & 1 ? NR_READ : NR_TOUCH;
		a[0] = addr(in);
		a[1] = length(in);
		break;
	case 4:
		nr = NR_fork;
		break;
	case 5:
		n = machine_pids(m, pids, 64);
		n = n < 64 ? n : 64;
		machine_switch(m, n ? pids[byte(in) % (unsigned)n] : 1);
		return;
	case 6:
		nr = NR_openat;
		a[0] = (unsigned long)AT_FDCWD;
		path = paths[byte(in) % (sizeof(paths) / sizeof(paths[0]))];
		a[2] = open_flags(in);
		a[3] = 0644;
		break;
	case 7:
		nr = NR_close;
		a[0] = byte(in) % 8;
		break;
	case 8:
		nr = NR_ftruncate;
		a[0] = byte(in) % 8;
		a[1] = length(in);
		break;
	case 9:
		nr = NR_mremap;
		a[0] = addr(in);
		a[1] = length(in);
		a[2] = length(in);
		a[3] = byte(in) & 0x17; /* MAYMOVE, FIXED, DONTUNMAP, 0x10 */
		a[4] = addr(in);
		break;
	default:
		nr = (int)(byte(in) | (byte(in) & 1) << 8);
		for (int i = 0; i < 6; i++)
			a[i] = length(in);
		break;
	}
	machine_syscall(m, nr, a, path, &fault);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, data + size};
	struct machine_params params;
	struct machine *m;

	/*
	 * A small machine (1 to 16 MiB), so that a fault loop over a huge
	 * range ends in the OOM killer within milliseconds; and now and
	 * then a low max_map_count.
	 */
	machine_params_default(&params);
	params.mem_total_kb = 1024 * (1 + byte(&in) % 16);
	if (size && data[0] & 1)
		params.max_map_count = 8;
	m = machine_new_params(&params);
	if (machine_set_checking(m, true))
		abort();
	while (in.p < in.end) {
		struct check_violation v;

		step(m, &in);
		show_all(m);
		if (machine_check_take(m, &v, 1)) {
			fprintf(stderr, "check: code %d pid %d vma#%u\n",
				v.code, v.pid, v.vma);
			abort();
		}
	}
	machine_free(m);
	return 0;
}
