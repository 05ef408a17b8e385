/*
 * bench.c - the measurements behind `make bench` (tests/bench.sh runs
 * them, several times each, and prints the table with the medians).
 *
 *   bench ops SIDE N [PHASE] time per operation on N VMAs; SIDE is engine
 *                            or kernel (this process's own system calls)
 *   bench trace SEED OPS     print the seeded trace of OPS operations
 *   bench verify-script N    print an N-line script for verify's timing
 *   bench build N            print a script that makes N VMAs
 *   bench undo SEED OPS      undo, redo and jumps after OPS steps
 *   bench repl VMALAB N      a one-page touch in the REPL on N VMAs, from
 *                            Enter to the prompt, through a pty
 *   bench latency            this machine's latency of a load from caches
 *                            and memory, over working sets of 256 KiB-64 MiB
 *
 * `ops` does the same work at every size and on both sides: the same
 * calls, built once as struct calls, handed to the engine
 * (machine_syscall) or to the kernel (syscall(2), touch as real writes).
 * The layout is N VMAs of 3 pages with a page of gap between each, from
 * 1 GiB up, every VMA with its first page written (so each has an
 * anon_vma and its page tables), and then, each timed call by call:
 *
 *   touch     a write to a page never written, of a random VMA
 *   mprotect  the middle page of a random VMA read-only (a split, 1->3),
 *             then read-write again (a merge, 3->1)
 *   search    mmap(NULL, 3 pages, MAP_32BIT): the bottom-up search of
 *             [1 GiB, 2 GiB) for the only hole that fits, made at a
 *             random VMA beforehand (untimed), so that the search passes
 *             over the VMAs below it (a top-down mmap(NULL) on the kernel
 *             would find the free space below its libraries first)
 *   munmap    munmap of a random VMA, then mmap MAP_FIXED of it again
 *             (and its first page written again, untimed)
 *
 * The kernel side runs without address space randomisation, so that its
 * [1 GiB, 2 GiB) is empty and MAP_32BIT searches start at 1 GiB as the
 * engine's do.  "65530" means the limit: the process's VMAs, its own
 * included, fill vm.max_map_count but for 4, the room the splits need.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "direct.h"
#include "engine.h"
#include "session.h"
#include "touch.h"

#define LOW 0x40000000UL /* 1 GiB: where MAP_32BIT searches start */
#define SLOT_PAGES 4	 /* a VMA of 3 pages and a page of gap */
#define VMA_PAGES 3
#define RW (PROT_READ | PROT_WRITE)
#define ANON_FIXED (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)
#define ROOM 4 /* VMAs left free under the limit for splits */
#define W 0x200000000000UL

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned long long rng_state;

static unsigned long rnd(unsigned long n)
{
	unsigned long long z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (unsigned long)((z ^ (z >> 31)) % n);
}

static void die(const char *what)
{
	fprintf(stderr, "bench: %s\n", what);
	exit(2);
}

/* ---- one side: the engine or this process's kernel ---- */

struct side {
	bool kernel;
	struct machine *m;
};

/* One call of a phase; only the timed ones count. */
struct bcall {
	int nr;
	bool timed;
	unsigned long a[4];
};

static long side_call(struct side *sd, const struct bcall *c)
{
	unsigned long a[6] = {c->a[0], c->a[1],		  c->a[2],
			      c->a[3], (unsigned long)-1, 0};
	unsigned long fault;
	long ret;

	if (!sd->kernel)
		return machine_syscall(sd->m, c->nr, a, NULL, &fault);
	if (c->nr == NR_TOUCH)
		return touch_range(a[0], a[1], &fault);
	ret = syscall(c->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	return ret == -1 ? -errno : ret;
}

/*
 * Run a phase's calls; the seconds per timed call.  When every call is
 * timed one clock reading brackets them all; else each timed call is
 * bracketed alone, less what an empty bracket costs.
 */
__attribute__((noinline)) static double
run_calls(struct side *sd, const struct bcall *c, size_t n,
	  long (*check)(const struct bcall *c, long ret))
{
	double spent = 0, t, empty = 0;
	size_t timed = 0, i;

	for (i = 0; i < n && c[i].timed; i++)
		;
	if (i == n && !check) {
		t = now();
		for (i = 0; i < n; i++)
			side_call(sd, &c[i]);
		return (now() - t) / (double)n;
	}
	for (i = 0; i < 1000; i++) {
		t = now();
		empty += now() - t;
	}
	empty /= 1000;
	for (i = 0; i < n; i++) {
		long ret;

		if (!c[i].timed) {
			ret = side_call(sd, &c[i]);
		} else {
			t = now();
			ret = side_call(sd, &c[i]);
			spent += now() - t - empty;
			timed++;
		}
		if (check)
			check(&c[i], ret);
	}
	return spent / (double)timed;
}

static unsigned long slot(unsigned long i)
{
	return LOW + i * SLOT_PAGES * PAGE_SIZE;
}

/* VMAs this process has of its own (the kernel's: libraries, stack...). */
static unsigned long own_vmas(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long n = 0;
	int c;

	if (!f)
		die("cannot read /proc/self/maps");
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static void build(struct side *sd, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		struct bcall c = {
			NR_mmap,
			false,
			{slot(i), VMA_PAGES * PAGE_SIZE, RW,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE}};
		long r = side_call(sd, &c);

		if (r != (long)slot(i)) {
			fprintf(stderr, "bench: mmap %lu of %lu: %ld\n", i, n,
				r);
			exit(2);
		}
	}
}

static struct bcall *add(struct bcall *c, size_t *n, int nr, bool timed,
			 unsigned long a0, unsigned long a1, unsigned long a2,
			 unsigned long a3)
{
	c[(*n)++] = (struct bcall){nr, timed, {a0, a1, a2, a3}};
	return c;
}

/* 0 .. n-1 in an array, its first k a draw without replacement (a
 * partial Fisher-Yates shuffle; k == n shuffles it all). */
static unsigned long *shuffled(unsigned long n, unsigned long k)
{
	unsigned long *a = malloc(n * sizeof(*a));

	if (!a)
		die("out of memory");
	for (unsigned long i = 0; i < n; i++)
		a[i] = i;
	for (unsigned long i = 0; i < k && i < n; i++) {
		unsigned long j = i + rnd(n - i), t = a[i];

		a[i] = a[j];
		a[j] = t;
	}
	return a;
}

/* touch: a page never written (1 or 2 of a VMA), drawn without
 * replacement. */
static size_t phase_touch(struct bcall *c, unsigned long n, unsigned long ops)
{
	unsigned long total = 2 * n, *pick = shuffled(total, ops);
	size_t k = 0;

	for (unsigned long i = 0; i < ops && i < total; i++)
		add(c, &k, NR_TOUCH, true,
		    slot(pick[i] / 2) + (1 + pick[i] % 2) * PAGE_SIZE, 1, 0, 0);
	free(pick);
	return k;
}

/* mprotect: the middle page read-only (split 1->3), then back (3->1). */
static size_t phase_mprotect(struct bcall *c, unsigned long n,
			     unsigned long ops)
{
	size_t k = 0;

	for (unsigned long i = 0; i < ops; i += 2) {
		unsigned long mid = slot(rnd(n)) + PAGE_SIZE;

		add(c, &k, NR_mprotect, true, mid, PAGE_SIZE, PROT_READ, 0);
		add(c, &k, NR_mprotect, true, mid, PAGE_SIZE, RW, 0);
	}
	return k;
}

/* search: open a hole at a random VMA, find it, close it again. */
static size_t phase_search(struct bcall *c, unsigned long n, unsigned long ops)
{
	size_t k = 0;

	for (unsigned long i = 0; i < ops; i++) {
		/* Not the first VMA: its gap below lies under 1 GiB. */
		unsigned long s = slot(1 + rnd(n - 1));

		add(c, &k, NR_munmap, false, s, VMA_PAGES * PAGE_SIZE, 0, 0);
		add(c, &k, NR_mmap, true, 0, VMA_PAGES * PAGE_SIZE, RW,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT);
		/* The hole is the gap below s, s, and the gap above. */
		add(c, &k, NR_munmap, false, s - PAGE_SIZE,
		    VMA_PAGES * PAGE_SIZE, 0, 0);
		add(c, &k, NR_mmap, false, s, VMA_PAGES * PAGE_SIZE, RW,
		    ANON_FIXED);
	}
	return k;
}

static long check_search(const struct bcall *c, long ret)
{
	if (c->timed && ret != (long)(c[1].a[0])) {
		fprintf(stderr,
			"bench: the hole is at %#lx, the search "
			"found %#lx\n",
			c[1].a[0], (unsigned long)ret);
		exit(2);
	}
	return ret;
}

/*
 * munmap: a random VMA unmapped, then mapped again (both timed), and its
 * first page written again (not timed), so that every munmap at every
 * size meets what the build left: a VMA with an anon_vma and a page.
 * (Without the write, at 1,000 VMAs four munmaps in five met a VMA
 * remapped before and never written, at 65,530 almost none did.)
 */
static size_t phase_munmap(struct bcall *c, unsigned long n, unsigned long ops)
{
	size_t k = 0;

	for (unsigned long i = 0; i < ops; i += 2) {
		unsigned long s = slot(rnd(n));

		add(c, &k, NR_munmap, true, s, VMA_PAGES * PAGE_SIZE, 0, 0);
		add(c, &k, NR_mmap, true, s, VMA_PAGES * PAGE_SIZE, RW,
		    ANON_FIXED);
		add(c, &k, NR_TOUCH, false, s, 1, 0, 0);
	}
	return k;
}

static const struct phase {
	const char *name;
	size_t (*make)(struct bcall *c, unsigned long n, unsigned long ops);
	unsigned long ops; /* timed calls, the same at every size */
	long (*check)(const struct bcall *c, long ret);
} phases[] = {
	{"touch", phase_touch, 2000, NULL},
	{"mprotect", phase_mprotect, 20000, NULL},
	{"search", phase_search, 4000, check_search},
	{"munmap", phase_munmap, 10000, NULL},
};

static size_t heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/* "bench ops SIDE N": one line per phase, "name ns-per-call". */
static int cmd_ops(char **argv)
{
	struct side sd = {.kernel = !strcmp(argv[2], "kernel")};
	unsigned long want = strtoul(argv[3], NULL, 0), n = want, own;
	size_t heap0;

	if (sd.kernel) {
		no_aslr(argv);
		if (touch_install())
			die("cannot catch faults");
		/* At the limit, the process's own VMAs count too. */
		if (want + ROOM > DEFAULT_MAX_MAP_COUNT)
			n = DEFAULT_MAX_MAP_COUNT - ROOM - own_vmas();
	} else {
		sd.m = machine_new();
		if (want + ROOM > DEFAULT_MAX_MAP_COUNT)
			n = DEFAULT_MAX_MAP_COUNT - ROOM;
	}
	own = sd.kernel ? own_vmas() : 0;
	heap0 = heap_used();
	build(&sd, n);
	if (!sd.kernel)
		printf("memory %.1f\n", (double)(heap_used() - heap0) / n);
	for (unsigned long i = 0; i < n; i++) {
		struct bcall c = {NR_TOUCH, false, {slot(i), 1, 0, 0}};

		side_call(&sd, &c);
	}
	printf("vmas %lu\n", n + own);
	/* Everything the engine holds: VMAs, tree, anon_vmas, pages. */
	if (!sd.kernel)
		printf("state %.1f\n", (double)(heap_used() - heap0) / 1048576);
	for (size_t p = 0; p < sizeof(phases) / sizeof(phases[0]); p++) {
		struct bcall *c;
		size_t k;

		/* "bench ops SIDE N PHASE": that phase alone (callgrind). */
		if (argv[4] && strcmp(argv[4], phases[p].name))
			continue;
		c = malloc(4 * phases[p].ops * sizeof(*c));
		if (!c)
			die("out of memory");
		rng_state = 42 + p;
		k = phases[p].make(c, n, phases[p].ops);
		printf("%s %.1f\n", phases[p].name,
		       run_calls(&sd, c, k, phases[p].check) * 1e9);
		free(c);
	}
	machine_free(sd.m);
	return 0;
}

/*
 * "bench latency": the time of a load whose address the load before it
 * gave, over working sets of 256 KiB to 64 MiB visited in random order,
 * one cache line each.  It shows where this machine's caches end and what
 * a line from memory costs: what an operation's time at a size is made
 * of once the engine's state there (bench ops prints it) is larger.
 */
static char *volatile chase_end;

static int cmd_latency(void)
{
	static const unsigned long kib[] = {256, 1024, 4096, 16384, 65536};

	for (size_t k = 0; k < sizeof(kib) / sizeof(kib[0]); k++) {
		unsigned long lines = kib[k] * 1024 / 64, steps = 2000000;
		char *buf = aligned_alloc(64, lines * 64);
		unsigned long *order = shuffled(lines, lines);
		char *p;
		double t;

		if (!buf)
			die("out of memory");
		/* One cycle through every line, in the shuffled order. */
		for (unsigned long i = 0; i < lines; i++)
			*(char **)(buf + order[i] * 64) =
				buf + order[(i + 1) % lines] * 64;
		p = buf;
		for (unsigned long i = 0; i < lines; i++)
			p = *(char **)p;
		t = now();
		for (unsigned long i = 0; i < steps; i++)
			p = *(char **)p;
		t = now() - t;
		chase_end = p; /* so that the chase is not optimised away */
		printf("latency %lu %.1f\n", kib[k], t / (double)steps * 1e9);
		free(order);
		free(buf);
	}
	return 0;
}

/* ---- scripts ---- */

/*
 * "bench trace SEED OPS": a seeded trace over 8192 pages of the test
 * window.  A page model keeps the calls valid where that matters (touch
 * only writes writable pages); mappings take one of two protections, so
 * that neighbours merge and split.  mremap, madvise and mlock come in
 * when the command table has them.
 */
#define TRACE_PAGES 8192

static int cmd_trace(char **argv)
{
	unsigned long ops = strtoul(argv[3], NULL, 0);
	unsigned char *prot = calloc(TRACE_PAGES, 1); /* 0: unmapped */
	bool mremap = command_find("mremap", false, NULL, 0) != NULL;
	bool madvise = command_find("madvise", false, NULL, 0) != NULL;
	bool mlock = command_find("mlock", false, NULL, 0) != NULL;
	static const char *const names[] = {"", "PROT_READ", "",
					    "PROT_READ|PROT_WRITE"};

	rng_state = strtoull(argv[2], NULL, 0);
	if (!prot)
		die("out of memory");
	printf("# bench trace seed=%s ops=%lu\n", argv[2], ops);
	for (unsigned long i = 0; i < ops; i++) {
		unsigned long p = rnd(TRACE_PAGES), len = 1 + rnd(16), k;
		unsigned long a = W + p * PAGE_SIZE, kind = rnd(100);
		int pr = rnd(2) ? 3 : 1;

		if (p + len > TRACE_PAGES)
			len = TRACE_PAGES - p;
		if (kind < 25) {
			printf("mmap(%#lx, %lu, %s, MAP_PRIVATE|MAP_ANONYMOUS|"
			       "MAP_FIXED, -1, 0)\n",
			       a, len * PAGE_SIZE, names[pr]);
			memset(prot + p, pr, len);
		} else if (kind < 40) {
			printf("munmap(%#lx, %lu)\n", a, len * PAGE_SIZE);
			memset(prot + p, 0, len);
		} else if (kind < 65) {
			printf("mprotect(%#lx, %lu, %s)\n", a, len * PAGE_SIZE,
			       names[pr]);
			for (k = p; k < p + len; k++)
				prot[k] = prot[k] ? (unsigned char)pr : 0;
		} else if (kind < 90 || (!mremap && !madvise && !mlock)) {
			/* A write to writable pages only: no signals. */
			for (k = 0; k < len && prot[p + k] == 3; k++)
				;
			if (!k) {
				i--;
				continue;
			}
			printf("touch %#lx %lu\n", a, k * PAGE_SIZE);
		} else if (kind < 94 && madvise) {
			printf("madvise(%#lx, %lu, MADV_DONTNEED)\n", a,
			       len * PAGE_SIZE);
		} else if (kind < 97 && mlock) {
			printf("mlock(%#lx, %lu)\n", a, len * PAGE_SIZE);
		} else if (mremap) {
			unsigned long q = rnd(TRACE_PAGES - len);

			printf("mremap(%#lx, %lu, %lu, MREMAP_MAYMOVE|"
			       "MREMAP_FIXED, %#lx)\n",
			       a, len * PAGE_SIZE, len * PAGE_SIZE,
			       W + q * PAGE_SIZE);
			/* What moves is not tracked: the pages go. */
			memset(prot + p, 0, len);
			memset(prot + q, 0, len);
		} else {
			i--;
		}
	}
	free(prot);
	return 0;
}

/* "bench build N": N VMAs of one page, a page apart, then a touch. */
static int cmd_build(char **argv)
{
	unsigned long n = strtoul(argv[2], NULL, 0);

	for (unsigned long i = 0; i < n; i++)
		printf("mmap(%#lx, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|"
		       "MAP_ANONYMOUS|MAP_FIXED, -1, 0)\n",
		       W + 2 * i * PAGE_SIZE);
	return 0;
}

/*
 * "bench verify-script N": N lines whose address space grows: new
 * mappings at distinct places (up to N/2 VMAs), protections changed and
 * changed back, touches, unmaps, and an smaps every 1000 lines.
 */
static int cmd_verify_script(char **argv)
{
	unsigned long n = strtoul(argv[2], NULL, 0), made = 0;

	rng_state = 7;
	for (unsigned long i = 1; i <= n; i++) {
		unsigned long k = rnd(10), v = made ? rnd(made) : 0;
		unsigned long a = W + 2 * v * PAGE_SIZE;

		if (i % 1000 == 0)
			printf("smaps\n");
		else if (k < 5 || !made)
			printf("mmap(%#lx, 4096, PROT_READ|PROT_WRITE, "
			       "MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)\n",
			       W + 2 * made++ * PAGE_SIZE);
		else if (k < 7)
			printf("mprotect(%#lx, 4096, %s)\n", a,
			       rnd(2) ? "PROT_READ" : "PROT_READ|PROT_WRITE");
		else if (k < 9)
			printf("touch %#lx\n", a);
		else
			printf("munmap(%#lx, 4096)\n", a);
	}
	return 0;
}

/* ---- undo, redo and jumps ---- */

static double median(double *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
			double t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n ? v[n / 2] : 0;
}

/* This process's CPU time: a figure the other processes of a busy
 * machine do not add their time slices to. */
static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double run_timed(struct session *s, const char *line)
{
	double t = cpu_now();

	session_run_line(s, line, strlen(line));
	return cpu_now() - t;
}

/*
 * "bench undo SEED OPS": the trace's lines as steps of a session that can
 * step back (as the REPL's), until OPS of them were steps (a line that
 * changed nothing is none), then undo, redo and jumps to random steps.
 * One line each: "name median-ms max-ms", or "name refused", in CPU time.
 */
static int cmd_undo(char **argv)
{
	char path[] = "/tmp/vmalab-bench-XXXXXX", *line = NULL;
	double t_undo[20], t_redo[20], t_jump[20], max;
	int fd = mkstemp(path), saved = dup(STDOUT_FILENO);
	struct session s;
	size_t cap = 0, steps, want = strtoul(argv[3], NULL, 0);
	char twice[32], *targv[] = {argv[0], argv[1], argv[2], twice, NULL};
	ssize_t len;
	FILE *in;

	if (fd < 0 || saved < 0)
		die("cannot make a temporary file");
	snprintf(twice, sizeof(twice), "%zu", 2 * want);
	fflush(stdout);
	dup2(fd, STDOUT_FILENO);
	cmd_trace(targv);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(fd);
	in = fopen(path, "r");
	unlink(path);
	if (!in)
		die("cannot read the trace");
	session_init(&s, engine_backend_new(NULL));
	s.new_backend = engine_backend_new;
	s.sink = diag_null;
	while (session_steps(&s) < want &&
	       (len = getline(&line, &cap, in)) > 0) {
		line[len - 1] = '\0';
		session_run_line(&s, line, (size_t)len - 1);
	}
	free(line);
	fclose(in);
	steps = session_steps(&s);
	printf("steps %zu\n", steps);
	for (int i = 0; i < 20; i++) {
		int errors = s.errors;

		t_undo[i] = run_timed(&s, "undo");
		t_redo[i] = run_timed(&s, "redo");
		if (s.errors != errors) {
			printf("undo refused\nredo refused\njump refused\n");
			goto out;
		}
	}
	rng_state = 99;
	for (int i = 0; i < 20; i++) {
		double t = cpu_now();

		if (session_jump(&s, rnd(steps + 1))) {
			printf("jump refused\n");
			goto out;
		}
		t_jump[i] = cpu_now() - t;
	}
	max = 0;
	for (int i = 0; i < 20; i++)
		max = t_undo[i] > max ? t_undo[i] : max;
	printf("undo %.3f %.3f\n", median(t_undo, 20) * 1e3, max * 1e3);
	max = 0;
	for (int i = 0; i < 20; i++)
		max = t_redo[i] > max ? t_redo[i] : max;
	printf("redo %.3f %.3f\n", median(t_redo, 20) * 1e3, max * 1e3);
	max = 0;
	for (int i = 0; i < 20; i++)
		max = t_jump[i] > max ? t_jump[i] : max;
	printf("jump %.3f %.3f\n", median(t_jump, 20) * 1e3, max * 1e3);
out:
	session_fini(&s);
	s.be->ops->destroy(s.be);
	return 0;
}

/* ---- the REPL, through a pseudo-terminal ---- */

struct pty {
	int fd;
	pid_t pid;
	char buf[1 << 16];
	size_t len;
};

/* Read until the output ends with the prompt; false on a timeout. */
static bool until_prompt(struct pty *t, int timeout_ms)
{
	static const char prompt[] = "vmalab> ";

	t->len = 0;
	for (;;) {
		struct pollfd pfd = {.fd = t->fd, .events = POLLIN};
		ssize_t n;

		if (poll(&pfd, 1, timeout_ms) <= 0)
			return false;
		n = read(t->fd, t->buf + t->len, sizeof(t->buf) - 1 - t->len);
		if (n <= 0)
			return false;
		t->len += (size_t)n;
		if (t->len >= sizeof(prompt) - 1 &&
		    !memcmp(t->buf + t->len - (sizeof(prompt) - 1), prompt,
			    sizeof(prompt) - 1))
			return true;
		/* Keep only the tail: the prompt is all we look for. */
		if (t->len > sizeof(t->buf) / 2) {
			memmove(t->buf, t->buf + t->len - 64, 64);
			t->len = 64;
		}
	}
}

static void say(struct pty *t, const char *line)
{
	size_t n = strlen(line);

	if (write(t->fd, line, n) != (ssize_t)n)
		die("cannot write to the pty");
}

/*
 * "bench repl VMALAB N": the REPL on a terminal (HOME in a temporary
 * directory, no colour), N VMAs made by sourcing a script, then 30
 * one-page touches of new pages, each timed from the newline to the
 * next prompt.  Prints "repl median-ms max-ms".
 */
static int cmd_repl(char **argv)
{
	char dir[] = "/tmp/vmalab-repl-XXXXXX", script[PATH_MAX + 32];
	char line[128], cmd[PATH_MAX + 64];
	unsigned long n = strtoul(argv[3], NULL, 0);
	double t[30], max = 0;
	struct pty *pt = calloc(1, sizeof(*pt));
	FILE *f;

	if (!pt || !mkdtemp(dir))
		die("cannot make a temporary directory");
	snprintf(script, sizeof(script), "%s/build.vml", dir);
	f = fopen(script, "w");
	if (!f)
		die("cannot write the build script");
	for (unsigned long i = 0; i < n; i++)
		fprintf(f,
			"mmap(%#lx, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|"
			"MAP_ANONYMOUS|MAP_FIXED, -1, 0)\n",
			W + 3 * i * PAGE_SIZE);
	fclose(f);
	pt->pid = forkpty(&pt->fd, NULL, NULL, NULL);
	if (pt->pid < 0)
		die("forkpty");
	if (pt->pid == 0) {
		setenv("HOME", dir, 1);
		setenv("XDG_STATE_HOME", dir, 1);
		setenv("NO_COLOR", "1", 1);
		setenv("TERM", "dumb", 1);
		/* The plain REPL: on a terminal vmalab alone opens the UI. */
		execl(argv[2], argv[2], "--repl", (char *)NULL);
		_exit(127);
	}
	if (!until_prompt(pt, 10000))
		die("the REPL did not prompt");
	say(pt, "set diff off\n");
	if (!until_prompt(pt, 10000))
		die("no prompt after set");
	snprintf(cmd, sizeof(cmd), "source %s\n", script);
	say(pt, cmd);
	if (!until_prompt(pt, 120000))
		die("no prompt after the build script");
	say(pt, "set diff on\n");
	if (!until_prompt(pt, 10000))
		die("no prompt after set");
	rng_state = 5;
	for (int i = 0; i < 30; i++) {
		double t0;

		snprintf(line, sizeof(line), "touch %#lx",
			 W + 3 * (rnd(n / 30) * 30 + (unsigned long)i) *
					 PAGE_SIZE);
		say(pt, line);
		/* The echo of what was typed, before Enter is timed. */
		usleep(2000);
		while (read(pt->fd, pt->buf, sizeof(pt->buf)) <= 0)
			;
		t0 = now();
		say(pt, "\n");
		if (!until_prompt(pt, 10000))
			die("no prompt after a touch");
		t[i] = now() - t0;
		max = t[i] > max ? t[i] : max;
	}
	say(pt, "quit\n");
	waitpid(pt->pid, NULL, 0);
	unlink(script);
	snprintf(cmd, sizeof(cmd), "%s/vmalab/history", dir);
	unlink(cmd);
	snprintf(cmd, sizeof(cmd), "%s/vmalab", dir);
	rmdir(cmd);
	rmdir(dir);
	printf("repl %.3f %.3f\n", median(t, 30) * 1e3, max * 1e3);
	free(pt);
	return 0;
}

int main(int argc, char **argv)
{
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "ops"))
		return cmd_ops(argv);
	if (argc == 2 && !strcmp(argv[1], "latency"))
		return cmd_latency();
	if (argc == 4 && !strcmp(argv[1], "trace"))
		return cmd_trace(argv);
	if (argc == 3 && !strcmp(argv[1], "build"))
		return cmd_build(argv);
	if (argc == 3 && !strcmp(argv[1], "verify-script"))
		return cmd_verify_script(argv);
	if (argc == 4 && !strcmp(argv[1], "undo"))
		return cmd_undo(argv);
	if (argc == 4 && !strcmp(argv[1], "repl"))
		return cmd_repl(argv);
	fprintf(stderr, "usage: bench ops engine|kernel N | trace SEED OPS | "
			"build N | verify-script N | undo SEED OPS | "
			"repl VMALAB N | latency\n");
	return 2;
}
