/*
 * scriptgen - a seeded random script generator for vmalab.
 *
 * `scriptgen [-n STEPS] [--fork] [--errors] [--wild] [--mremap] [--advise]
 * [--place] SEED` prints one vmalab script (see CONTRACT.md) to stdout.  `make check`
 * feeds hundreds of them through
 * `vmalab verify`, which runs each script on the engine and on the real
 * kernel and compares maps/smaps after every step.
 *
 * Two goals shape everything here:
 *
 *  - Safety.  The scripts run as real system calls, so every address lies in
 *    a 48-page region at the bottom of the test window
 *    0x200000000000-0x201000000000, and every mapping uses MAP_FIXED (or
 *    MAP_FIXED_NOREPLACE) there.  Nothing outside the window is touched.
 *
 *  - Stress on merge/split.  The generator keeps its own page-granular model
 *    of each process (what is mapped, with which prot, kind, file, pgoff and
 *    VM_MAYWRITE) plus the fd tables and file sizes, and uses it to aim most
 *    operations at VMA edges: mappings next to a VMA with the same
 *    attributes and contiguous pgoff, mappings that fill a hole exactly,
 *    mprotect of the middle of a VMA and back again, mprotect of one edge to
 *    the neighbour's prot, munmap across boundaries, touches of one part of
 *    a VMA before its other part changes.
 *
 * The model is an approximation (it does not know about anon_vmas), but it
 * is exact about what decides success: fds, O_RDWR vs O_RDONLY, and which
 * pages are mapped.  Without --errors, the only kernel errors a script can
 * produce are a rare mprotect over a hole (ENOMEM) and faults on touch.
 * File mappings never get PROT_EXEC, so a noexec mount cannot make the
 * kernel and the engine disagree.
 *
 * --mremap adds mremap() calls: shrinks (also across the end of a VMA),
 * growth of a VMA's tail (in place when the pages after it are free, else
 * ENOMEM or, with MREMAP_MAYMOVE, a move to the kernel's choice: the
 * window's top, outside the region), moves with
 * MREMAP_FIXED to a place in the region (the same size, across VMAs and
 * holes; or resized; or with MREMAP_DONTUNMAP), MREMAP_DONTUNMAP with a
 * hint, old_len 0 on shared mappings, and with --errors the calls that
 * check_mremap_params and check_prep_vma refuse.  They act on whatever is
 * there: anonymous, shared and file mappings, faulted or not, and with
 * --wild locked ones.  A VMA moved out of the region is compared still
 * (verify compares the whole window), but the model forgets it.  The
 * options draw nothing when off, so the other suites' scripts are
 * unchanged.
 * --place lets the kernel choose: mmap(NULL), hints taken and not taken
 * (unaligned, into a VMA or a stack's guard gap, beyond TASK_SIZE, below
 * mmap_min_addr), MAP_GROWSDOWN stacks and mremap(MREMAP_MAYMOVE) moves.
 * The region is then at the window's top, in units of 64 KiB, and the
 * generator predicts where the kernel will place each (unmapped_area_
 * topdown(): the highest free run, below a stack's stack_guard_gap) and
 * draws only those that land in the region.
 * --advise adds madvise (every advice the engine simulates: POPULATE_READ
 * and POPULATE_WRITE, guard regions installed, often in the middle of a
 * VMA, and removed later, among them), the mlock family, mseal and
 * prctl(PR_SET_VMA), aimed at VMA edges as mprotect is.
 * The model knows what decides those calls' effect on later ones: which
 * pages are sealed (munmap, mmap over them and mprotect then fail) and
 * which are VM_DONTCOPY (a fork leaves them out of the child).
 *
 * --read adds `read` lines (user read faults: mostly of file pages, so
 * do_read_fault's fault-around and read-around, else of any mapping: the
 * zero page, SIGSEGV at PROT_NONE or a hole, SIGBUS past EOF; touch is
 * always a write) and `pages` lines in the dumps (which pages are present:
 * the zero page, page cache, anonymous).  --procs N forks up to N live
 * processes (fork chains: a child is often made current and forks in
 * turn) and, once three live, makes other ones exit (switch to one,
 * exit_group, switch back; never pid 1), so the pid set shrinks and
 * grows; pids are never reused.
 *
 * --errors adds calls that must fail, aimed so that 100 scripts with
 * --mremap --advise --brk --fork reach every errno of every call that
 * tests/gen/errnos.txt lists (tests/errno-coverage.sh counts them).  What
 * a call needs first (an O_RDONLY fd, a shared mapping of it, a sealed
 * page) is made by ordinary calls the model follows.
 *
 * The PRNG is splitmix64 seeded with SEED: the same seed and options always
 * give the same bytes.  No expression draws two random numbers, so the
 * output does not depend on the compiler's order of evaluation either.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WIN_BASE 0x200000000000ULL
/* --brk: the simulation's start_brk; verify moves it to the real one. */
#define START_BRK 0x555555559000ULL
#define BRK_MAX_PAGES 40 /* the break stays this close to START_BRK */
#define PG 4096UL
#define NPAGES 48 /* pages used, from WIN_BASE */
/*
 * --large: each page of the model stands for a unit of 1 MiB, and the
 * region starts 0x1ff000 above WIN_BASE, so that mappings are 1-8 MiB and
 * cross 2 MiB page-table boundaries: full PTE tables (512 entries) and
 * partial ones at their edges, large munmaps and populates.  No
 * MADV_HUGEPAGE: with THP in "madvise" mode (this kernel's default) no
 * huge page is ever used then, and the engine models none.
 */
#define LARGE_UNIT (1UL << 20)
#define LARGE_BASE (WIN_BASE + 0x1ff000ULL)
/*
 * --place: the kernel chooses addresses.  verify fills every gap between
 * the window and its real process's mmap_base, so the highest gap a
 * top-down search finds is in the window: the region sits at the window's
 * top, where mmap(NULL), hints that are not taken and mremap moves land.
 * A unit is 64 KiB, so that stack_guard_gap (1 MiB) is 16 units and a
 * MAP_GROWSDOWN stack's guard gap falls inside the region.
 */
#define WIN_END 0x201000000000ULL
#define PLACE_UNIT (16UL * PG)
#define GUARD_UNITS 16 /* stack_guard_gap / PLACE_UNIT */

/* The bytes one model page stands for, and where the region starts. */
static unsigned long unit = PG;
static unsigned long long region_base = WIN_BASE;
#define MAX_LEN 8 /* usual maximum length in pages */
#define NFILES 3
#define MAX_OPEN 4 /* open fds per process */
#define FD_FIRST 3
#define FD_SLOTS 8
#define MAX_PROCS 15 /* --procs N: at most this many; else 3 or 4 */
/* --procs: pids are never reused (an exited process stays a zombie), so
 * forks after exits take new pids, up to this many in all */
#define MAX_PIDS 48

#define P_R 1
#define P_W 2
#define P_X 4

#define F_SHARED 0x01
#define F_PRIVATE 0x02
#define F_ANON 0x04
#define F_FIXED 0x08
#define F_NOREPLACE 0x10
#define F_NORESERVE 0x20
#define F_POPULATE 0x40
#define F_LOCKED 0x80
#define F_STACK 0x100
#define F_GROWSDOWN 0x200
/* rarer flags (--wild, --errors): wild_rare_flags() */
#define F_VALIDATE 0x400  /* MAP_SHARED_VALIDATE for MAP_SHARED */
#define F_DROPPABLE 0x800 /* MAP_DROPPABLE for MAP_PRIVATE */
#define F_32BIT 0x1000
#define F_UNINIT 0x2000
#define F_SYNC 0x4000
#define F_HUGETLB 0x8000

enum kind { K_NONE, K_ANON, K_SHANON, K_FPRIV, K_FSHARED };

/* What the model knows of one page of the region. */
struct page {
	enum kind kind;
	int prot;
	int obj; /* file index, or shmem object id */
	long pgoff;
	bool maywrite;
	bool noreserve;
	bool sealed;   /* mseal: munmap, mmap over it, mprotect fail */
	bool dontfork; /* MADV_DONTFORK: not copied by fork */
	bool growsdown; /* MAP_GROWSDOWN: a guard gap below its VMA */
};

struct fdent {
	bool open;
	bool rdwr;
	int file;
};

struct proc {
	struct page pg[NPAGES];
	struct fdent fd[FD_SLOTS];
	unsigned long brk; /* --brk: the break, in bytes above START_BRK */
	bool exited;	   /* --procs: exit_group ended it */
};

/* Pages [s, s + n) of the region. */
struct range {
	int s;
	int n;
};

/* A remembered range to act on later: an mprotect to undo, a touch hint. */
struct memo {
	bool set;
	int pid;
	struct range r;
	int prot;
};

struct gen {
	uint64_t rng;
	unsigned long long seed;
	int nsteps;
	int steps;
	bool opt_fork;
	bool opt_errors;
	bool opt_wild;
	bool opt_mremap;
	bool opt_advise;
	bool opt_brk;
	bool opt_large;
	bool opt_status;
	bool opt_place;
	bool opt_read; /* --read: read lines, and pages in the dumps */
	struct proc proc[MAX_PIDS];
	int nproc; /* pids made: proc[i] is pid i + 1 */
	int nlive; /* of them not exited */
	int cur; /* index into proc[]; the pid is cur + 1 */
	int max_forks;
	int opt_procs; /* --procs N: fork up to N processes, 0: 3 or 4 */
	bool file_exists[NFILES];
	long file_size[NFILES];
	int next_shm;
	int since_dump;
	int dump_gap;
	bool last_smaps;
	struct memo undo;
	struct memo hint;
	struct memo madv_undo; /* prot: the advice that undoes the last one */
};

/* ---- randomness ---- */

static uint64_t rnd(struct gen *g)
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n); 0 when n <= 0. */
static int rn(struct gen *g, int n)
{
	return n > 0 ? (int)(rnd(g) % (uint64_t)n) : 0;
}

static bool chance(struct gen *g, int pct)
{
	return rn(g, 100) < pct;
}

/* An index drawn with the given weights; -1 if they are all zero. */
static int pick_weighted(struct gen *g, const int *w, int n)
{
	int i, total = 0, x;

	for (i = 0; i < n; i++)
		total += w[i];
	if (total <= 0)
		return -1;
	x = rn(g, total);
	for (i = 0; i < n; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

static int min_int(int a, int b)
{
	return a < b ? a : b;
}

/* ---- output ---- */

static void vline(const char *fmt, va_list ap)
{
	vprintf(fmt, ap);
	putchar('\n');
}

/* A line that is not a step (switch, echo, maps). */
static void line(struct gen *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void line(struct gen *g, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(fmt, ap);
	va_end(ap);
	g->last_smaps = false;
}

/* A system call or touch: counts as a step. */
static void step(struct gen *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void step(struct gen *g, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(fmt, ap);
	va_end(ap);
	g->last_smaps = false;
	g->steps++;
	g->since_dump++;
}

static unsigned long long page_addr(int page);

/* Print `maps` or (mostly) `smaps`, now and then after an `echo --`. */
static void dump(struct gen *g)
{
	if (chance(g, 15))
		line(g, "echo --");
	if (g->opt_status)
		line(g, "status");
	if (g->opt_read && chance(g, 20)) {
		/* which pages are present: 'z' the zero page, 'f' the page
		 * cache (the whole region; --large: 1-2 MiB of it) */
		if (unit == PG)
			line(g, "pages %#llx %lu", region_base, NPAGES * PG);
		else
			line(g, "pages %#llx %lu", page_addr(rn(g, NPAGES - 1)),
			     (1 + (unsigned long)rn(g, 2)) * unit);
	}
	if (chance(g, 20) && g->steps < g->nsteps) {
		line(g, "maps");
	} else {
		line(g, "smaps");
		g->last_smaps = true;
	}
	g->since_dump = 0;
	g->dump_gap = 4 + rn(g, 3);
}

static unsigned long long page_addr(int page)
{
	return region_base + (unsigned long long)page * unit;
}

/* Length in bytes of n pages; now and then not a multiple of the page size. */
static unsigned long range_len(struct gen *g, int n)
{
	unsigned long len = (unsigned long)n * unit;

	if (chance(g, 6))
		len -= 1 + (unsigned long)rn(g, PG - 1);
	return len;
}

static const char *prot_str(int prot, char *buf, size_t sz)
{
	if (!prot) {
		snprintf(buf, sz, "PROT_NONE");
		return buf;
	}
	snprintf(buf, sz, "%s%s%s", prot & P_R ? "|PROT_READ" : "",
		 prot & P_W ? "|PROT_WRITE" : "",
		 prot & P_X ? "|PROT_EXEC" : "");
	return buf + 1;
}

static const char *flags_str(int f, char *buf, size_t sz)
{
	const char *fix = f & F_NOREPLACE ? "|MAP_FIXED_NOREPLACE"
			  : f & F_FIXED	  ? "|MAP_FIXED"
					  : "";

	size_t n;

	snprintf(buf, sz, "%s%s%s%s%s%s%s%s%s",
		 f & F_VALIDATE ? "|MAP_SHARED_VALIDATE"
		 : f & F_SHARED ? "|MAP_SHARED"
				: "",
		 f & F_DROPPABLE ? "|MAP_DROPPABLE"
		 : f & F_PRIVATE ? "|MAP_PRIVATE"
				 : "",
		 f & F_ANON ? "|MAP_ANONYMOUS" : "", fix,
		 f & F_NORESERVE ? "|MAP_NORESERVE" : "",
		 f & F_POPULATE ? "|MAP_POPULATE" : "",
		 f & F_LOCKED ? "|MAP_LOCKED" : "",
		 f & F_STACK ? "|MAP_STACK" : "",
		 f & F_GROWSDOWN ? "|MAP_GROWSDOWN" : "");
	n = strlen(buf);
	snprintf(buf + n, sz - n, "%s%s%s%s", f & F_32BIT ? "|MAP_32BIT" : "",
		 f & F_UNINIT ? "|MAP_UNINITIALIZED" : "",
		 f & F_SYNC ? "|MAP_SYNC" : "",
		 f & F_HUGETLB ? "|MAP_HUGETLB" : "");
	return buf + 1;
}

static void emit_mmap(struct gen *g, unsigned long long addr, unsigned long len,
		      int prot, int flags, int fd, unsigned long long off)
{
	char pb[64], fb[256];

	step(g, "mmap(%#llx, %lu, %s, %s, %d, %#llx)", addr, len,
	     prot_str(prot, pb, sizeof(pb)), flags_str(flags, fb, sizeof(fb)),
	     fd, off);
}

static void emit_mprotect(struct gen *g, unsigned long long addr,
			  unsigned long len, int prot)
{
	char pb[64];

	step(g, "mprotect(%#llx, %lu, %s)", addr, len,
	     prot_str(prot, pb, sizeof(pb)));
}

/* ---- the model ---- */

static struct proc *cur(struct gen *g)
{
	return &g->proc[g->cur];
}

static int pid(struct gen *g)
{
	return g->cur + 1;
}

static bool is_mapped(const struct page *pg)
{
	return pg->kind != K_NONE;
}

static bool is_free(const struct page *pg)
{
	return pg->kind == K_NONE;
}

static bool is_writable(const struct page *pg)
{
	return pg->kind != K_NONE && (pg->prot & P_W);
}

static bool is_file(const struct page *pg)
{
	return pg->kind == K_FPRIV || pg->kind == K_FSHARED;
}

/* Would page b, just after page a, belong to the same VMA as a? */
static bool same_vma(const struct page *a, const struct page *b)
{
	return a->kind != K_NONE && a->kind == b->kind && a->prot == b->prot &&
	       a->obj == b->obj && a->maywrite == b->maywrite &&
	       a->noreserve == b->noreserve && a->sealed == b->sealed &&
	       a->dontfork == b->dontfork && b->pgoff == a->pgoff + 1;
}

/* The model's VMAs: maximal runs of pages with the same attributes. */
static int collect_segs(const struct proc *p, struct range *out)
{
	int i = 0, n = 0;

	while (i < NPAGES) {
		int s = i;

		if (!is_mapped(&p->pg[i])) {
			i++;
			continue;
		}
		for (i++; i < NPAGES && same_vma(&p->pg[i - 1], &p->pg[i]); i++)
			;
		out[n].s = s;
		out[n++].n = i - s;
	}
	return n;
}

/* Maximal runs of pages for which pred holds. */
static int collect_runs(const struct proc *p, struct range *out,
			bool (*pred)(const struct page *))
{
	int i = 0, n = 0;

	while (i < NPAGES) {
		int s = i;

		if (!pred(&p->pg[i])) {
			i++;
			continue;
		}
		while (i < NPAGES && pred(&p->pg[i]))
			i++;
		out[n].s = s;
		out[n++].n = i - s;
	}
	return n;
}

static int count_pages(const struct proc *p, bool (*pred)(const struct page *))
{
	int i, n = 0;

	for (i = 0; i < NPAGES; i++)
		n += pred(&p->pg[i]);
	return n;
}

/* The model's VMA that holds page i. */
static struct range seg_of(const struct proc *p, int i)
{
	struct range r = {i, 1};

	while (r.s > 0 && same_vma(&p->pg[r.s - 1], &p->pg[r.s]))
		r.s--;
	while (i + 1 < NPAGES && same_vma(&p->pg[i], &p->pg[i + 1]))
		i++;
	r.n = i + 1 - r.s;
	return r;
}

/* Number of free pages from page i upwards (dir 1) or below it (dir -1). */
static int free_run(const struct proc *p, int i, int dir)
{
	int n = 0;

	if (dir < 0)
		i--;
	for (; i >= 0 && i < NPAGES && is_free(&p->pg[i]); i += dir)
		n++;
	return n;
}

static bool range_mapped(const struct proc *p, struct range r)
{
	int i;

	for (i = r.s; i < r.s + r.n; i++)
		if (!is_mapped(&p->pg[i]))
			return false;
	return true;
}

static bool range_free(const struct proc *p, struct range r)
{
	int i;

	for (i = r.s; i < r.s + r.n; i++)
		if (is_mapped(&p->pg[i]))
			return false;
	return true;
}

/* A random sub-range of [s, s + n), at most maxn pages long. */
static struct range sub_range(struct gen *g, int s, int n, int maxn)
{
	struct range r;

	r.n = 1 + rn(g, min_int(n, maxn));
	r.s = s + rn(g, n - r.n + 1);
	return r;
}

static struct range random_range(struct gen *g, int maxn)
{
	struct range r;

	r.s = rn(g, NPAGES);
	r.n = 1 + rn(g, min_int(maxn, NPAGES - r.s));
	return r;
}

static void apply_map(struct proc *p, struct range r, const struct page *first)
{
	int i;

	for (i = 0; i < r.n; i++) {
		p->pg[r.s + i] = *first;
		p->pg[r.s + i].pgoff = first->pgoff + i;
	}
}

static bool range_sealed(const struct proc *p, struct range r)
{
	int i;

	for (i = r.s; i < r.s + r.n; i++)
		if (is_mapped(&p->pg[i]) && p->pg[i].sealed)
			return true;
	return false;
}

/* munmap (and mmap MAP_FIXED over r): EPERM, and no change, if any VMA
 * of the range is sealed. */
static void apply_unmap(struct proc *p, struct range r)
{
	if (range_sealed(p, r))
		return;
	memset(&p->pg[r.s], 0, sizeof(p->pg[0]) * (size_t)r.n);
}

/*
 * mprotect changes VMA after VMA from the start and stops with ENOMEM at the
 * first hole, or with EACCES at the first VMA that may not become writable;
 * what it changed before stays changed.
 */
static void apply_mprotect(struct proc *p, struct range r, int prot)
{
	int i;

	for (i = r.s; i < r.s + r.n; i++) {
		struct page *pg = &p->pg[i];

		if (!is_mapped(pg) || ((prot & P_W) && !pg->maywrite) ||
		    pg->sealed)
			return;
		pg->prot = prot;
	}
}

/* Prot bits that mprotect must not ask for on the mapped pages of r. */
static int forbidden_prot(const struct proc *p, struct range r)
{
	int i, forbid = 0;

	for (i = r.s; i < r.s + r.n; i++) {
		const struct page *pg = &p->pg[i];

		if (!is_mapped(pg))
			continue;
		if (is_file(pg))
			forbid |= P_X;
		if (!pg->maywrite)
			forbid |= P_W;
	}
	return forbid;
}

/* ---- fds ---- */

static int nopen(const struct proc *p)
{
	int i, n = 0;

	for (i = 0; i < FD_SLOTS; i++)
		n += p->fd[i].open;
	return n;
}

static int lowest_free_fd(const struct proc *p)
{
	int i;

	for (i = 0; i < FD_SLOTS && p->fd[i].open; i++)
		;
	return i;
}

/* A random open fd slot; rdwr: 1 only O_RDWR, 0 only O_RDONLY, -1 any. */
static int random_fd(struct gen *g, int rdwr)
{
	const struct proc *p = cur(g);
	int i, n = 0, slots[FD_SLOTS];

	for (i = 0; i < FD_SLOTS; i++)
		if (p->fd[i].open && (rdwr < 0 || p->fd[i].rdwr == rdwr))
			slots[n++] = i;
	return n ? slots[rn(g, n)] : -1;
}

/* A closed fd number (never open in this process): EBADF. */
static int bad_fd(struct gen *g)
{
	const struct proc *p = cur(g);
	int i, n = 0, slots[FD_SLOTS];

	for (i = 0; i < FD_SLOTS; i++)
		if (!p->fd[i].open)
			slots[n++] = i;
	return FD_FIRST + slots[rn(g, n)];
}

static void file_name(int file, char *buf, size_t sz)
{
	snprintf(buf, sz, "\"file%d\"", file);
}

/* ---- choosing prots and mmap attributes ---- */

static const int prot_vals[] = {0, P_R, P_R | P_W, P_R | P_W | P_X, P_R | P_X};
static const int prot_wts[] = {10, 25, 40, 10, 15};
#define NPROTS ((int)(sizeof(prot_vals) / sizeof(prot_vals[0])))

static int random_prot(struct gen *g, int forbid)
{
	int i, w[NPROTS];

	for (i = 0; i < NPROTS; i++)
		w[i] = (prot_vals[i] & forbid) ? 0 : prot_wts[i];
	return prot_vals[pick_weighted(g, w, NPROTS)];
}

/* A prot other than old (if it can be found). */
static int other_prot(struct gen *g, int old, int forbid)
{
	int i, prot = old;

	for (i = 0; i < 8 && prot == old; i++)
		prot = random_prot(g, forbid);
	return prot == old ? (old ? 0 : P_R) : prot;
}

/* The offset (in pages) of a new file mapping at r, with no neighbour. */
static long random_pgoff(struct gen *g, struct range r)
{
	int k = rn(g, 100);

	if (k < 55)
		return r.s; /* file page k at window page k */
	if (k < 80)
		return rn(g, NPAGES);
	return 0;
}

static void random_attrs(struct gen *g, struct range r, struct page *pg,
			 int *slot)
{
	int w[3] = {50, 15, 35};

	memset(pg, 0, sizeof(*pg));
	pg->noreserve = chance(g, 12);
	pg->maywrite = true;
	*slot = random_fd(g, -1);
	if (*slot < 0)
		w[2] = 0;
	switch (pick_weighted(g, w, 3)) {
	case 0:
		pg->kind = K_ANON;
		pg->prot = random_prot(g, 0);
		return;
	case 1:
		pg->kind = K_SHANON;
		pg->prot = random_prot(g, 0);
		return;
	}
	pg->kind = chance(g, 50) ? K_FPRIV : K_FSHARED;
	pg->obj = cur(g)->fd[*slot].file;
	pg->maywrite = pg->kind == K_FPRIV || cur(g)->fd[*slot].rdwr;
	pg->prot = random_prot(g, P_X | (pg->maywrite ? 0 : P_W));
	pg->pgoff = random_pgoff(g, r);
}

/*
 * An fd through which file mapping pg can be made, preferring one that
 * gives the same VM_MAYWRITE; adjusts pg to the fd found.
 */
static bool fd_for_page(struct gen *g, struct page *pg, int *slot)
{
	const struct proc *p = cur(g);
	int i, any = -1;

	for (i = 0; i < FD_SLOTS; i++) {
		const struct fdent *f = &p->fd[i];

		if (!f->open || f->file != pg->obj)
			continue;
		if (pg->kind == K_FPRIV || f->rdwr == pg->maywrite) {
			*slot = i;
			return true;
		}
		any = i;
	}
	if (any < 0)
		return false;
	*slot = any;
	pg->maywrite = p->fd[any].rdwr;
	if (!pg->maywrite)
		pg->prot &= ~P_W;
	return true;
}

/* ---- where to mmap: each strategy also proposes attributes (want) ---- */

/* Just before or after a VMA, with its attributes and contiguous pgoff. */
static bool place_adjacent(struct gen *g, struct range *r, struct page *want)
{
	const struct proc *p = cur(g);
	struct range segs[NPAGES], sg;
	int ns = collect_segs(p, segs), room, hole;

	if (!ns)
		return false;
	sg = segs[rn(g, ns)];
	if (chance(g, 50)) {
		r->s = sg.s + sg.n;
		room = NPAGES - r->s;
		hole = free_run(p, r->s, 1);
		if (room <= 0)
			return false;
		r->n = 1 + rn(g, min_int(MAX_LEN,
					 hole && chance(g, 70) ? hole : room));
		*want = p->pg[r->s - 1];
		want->pgoff++;
	} else {
		room = sg.s;
		hole = free_run(p, sg.s, -1);
		if (room <= 0)
			return false;
		r->n = 1 + rn(g, min_int(MAX_LEN,
					 hole && chance(g, 70) ? hole : room));
		r->s = sg.s - r->n;
		*want = p->pg[sg.s];
		want->pgoff -= r->n;
	}
	return true;
}

/* Exactly a hole between two VMAs, like one of them. */
static bool place_hole(struct gen *g, struct range *r, struct page *want)
{
	const struct proc *p = cur(g);
	struct range holes[NPAGES];
	int i, n = collect_runs(p, holes, is_free), k = 0;

	for (i = 0; i < n; i++)
		if (holes[i].s > 0 && holes[i].s + holes[i].n < NPAGES &&
		    holes[i].n <= 2 * MAX_LEN)
			holes[k++] = holes[i];
	if (!k)
		return false;
	*r = holes[rn(g, k)];
	if (chance(g, 50)) {
		*want = p->pg[r->s - 1];
		want->pgoff++;
	} else {
		*want = p->pg[r->s + r->n];
		want->pgoff -= r->n;
	}
	return true;
}

/* Over part of a VMA (MAP_FIXED replaces it), mostly with its attributes. */
static bool place_inside(struct gen *g, struct range *r, struct page *want)
{
	const struct proc *p = cur(g);
	struct range segs[NPAGES], sg;
	int ns = collect_segs(p, segs);

	if (!ns)
		return false;
	sg = segs[rn(g, ns)];
	*r = sub_range(g, sg.s, sg.n, MAX_LEN);
	*want = p->pg[r->s];
	if (chance(g, 30))
		want->prot = other_prot(g, want->prot, is_file(want) ? P_X : 0);
	return true;
}

typedef bool (*place_fn)(struct gen *, struct range *, struct page *);

/* Choose the range of a new mapping; false if no attributes are proposed. */
static bool place_mapping(struct gen *g, struct range *r, struct page *want)
{
	static const place_fn fns[] = {place_adjacent, place_hole,
				       place_inside};
	int w[] = {45, 22, 10, 23}, k;

	while ((k = pick_weighted(g, w, 4)) >= 0 && k < 3) {
		if (fns[k](g, r, want))
			return true;
		w[k] = 0;
	}
	*r = random_range(g, chance(g, 10) ? 2 * MAX_LEN : MAX_LEN);
	return false;
}

/* ---- operations; each returns false if it cannot be done now ---- */

static int map_flags(const struct page *pg, bool noreplace)
{
	int flags = noreplace ? F_NOREPLACE : F_FIXED;

	if (pg->kind == K_SHANON || pg->kind == K_FSHARED)
		flags |= F_SHARED;
	else
		flags |= F_PRIVATE;
	if (pg->kind == K_ANON || pg->kind == K_SHANON)
		flags |= F_ANON;
	if (pg->noreserve)
		flags |= F_NORESERVE;
	return flags;
}

/*
 * --wild: flags that change pages or flags but not the generator's model
 * of prot and kind: populate and lock fault pages in, MAP_STACK sets
 * VM_NOHUGEPAGE, and an anonymous private mapping may grow down.
 */
static int wild_flags(struct gen *g, const struct page *pg)
{
	int f = 0;

	if (chance(g, 12))
		f |= F_POPULATE;
	if (chance(g, 6))
		f |= F_LOCKED;
	if (chance(g, 6))
		f |= F_STACK;
	if (pg->kind == K_ANON && chance(g, 6))
		f |= F_GROWSDOWN;
	return f;
}

/*
 * --wild: the rarer flags this kernel accepts, where they leave the model
 * as it is.  MAP_32BIT and MAP_UNINITIALIZED are ignored with MAP_FIXED
 * (MAP_32BIT only steers get_unmapped_area; MAP_UNINITIALIZED needs
 * CONFIG_MMAP_ALLOW_UNINITIALIZED).  MAP_SYNC on anonymous memory is
 * kept as VM_SYNC ("sf"); on a file ext4 refuses it (--errors).
 * MAP_SHARED_VALIDATE maps a file as MAP_SHARED does when every other
 * flag is in LEGACY_MAP_MASK (not MAP_32BIT, not MAP_FIXED_NOREPLACE).
 * MAP_DROPPABLE (6.11+) is private anonymous memory with VM_DROPPABLE,
 * VM_WIPEONFORK, VM_DONTDUMP and VM_NORESERVE; MAP_LOCKED or
 * MAP_GROWSDOWN with it is EINVAL, so they are dropped here.
 */
static int wild_rare_flags(struct gen *g, const struct page *pg, int flags)
{
	bool anon = pg->kind == K_ANON || pg->kind == K_SHANON;

	if (!g->opt_wild)
		return flags;
	if (chance(g, 3))
		flags |= F_32BIT;
	if (chance(g, 3))
		flags |= F_UNINIT;
	if (chance(g, 4) && anon)
		flags |= F_SYNC;
	if (pg->kind == K_FSHARED && chance(g, 20) &&
	    !(flags & (F_32BIT | F_NOREPLACE)))
		flags |= F_VALIDATE;
	if (pg->kind == K_ANON && chance(g, 6)) {
		flags |= F_DROPPABLE;
		flags &= ~(F_LOCKED | F_GROWSDOWN);
	}
	return flags;
}

static bool op_mmap(struct gen *g)
{
	struct proc *p = cur(g);
	struct range r;
	struct page pg;
	int slot = -1, flags;
	bool like = place_mapping(g, &r, &pg) && chance(g, 90);

	if (like && pg.kind == K_SHANON && chance(g, 50))
		like = false; /* a new shmem object never merges anyway */
	if (like && is_file(&pg) && !fd_for_page(g, &pg, &slot))
		like = false;
	if (!like)
		random_attrs(g, r, &pg, &slot);
	if (pg.kind == K_ANON) {
		pg.obj = 0;
		pg.pgoff = r.s;
	} else if (pg.kind == K_SHANON) {
		pg.obj = g->next_shm++;
		pg.pgoff = 0;
	} else if (pg.pgoff < 0) {
		pg.pgoff = r.s;
	}
	if (pg.kind == K_FSHARED && !pg.maywrite)
		pg.prot &= ~P_W; /* else EACCES */
	flags = map_flags(&pg, range_free(p, r) && chance(g, 20));
	if (g->opt_wild)
		flags = wild_rare_flags(g, &pg, flags | wild_flags(g, &pg));
	emit_mmap(g, page_addr(r.s), range_len(g, r.n), pg.prot, flags,
		  is_file(&pg) ? FD_FIRST + slot : -1,
		  is_file(&pg) ? (unsigned long long)pg.pgoff * unit : 0);
	pg.sealed = pg.dontfork = false;
	pg.growsdown = (flags & F_GROWSDOWN) != 0;
	if (!range_sealed(p, r))
		apply_map(p, r, &pg);
	return true;
}

/* What to munmap: mostly one VMA, part of one, or across its end. */
static struct range munmap_range(struct gen *g)
{
	struct range segs[NPAGES], sg;
	int ns = collect_segs(cur(g), segs), k = rn(g, 100), lo;

	if (!ns || k < 25)
		return random_range(g, chance(g, 20) ? 3 * MAX_LEN : MAX_LEN);
	sg = segs[rn(g, ns)];
	if (k < 40)
		return sg;
	if (k < 60 && sg.n >= 3) /* a hole in the middle */
		return sub_range(g, sg.s + 1, sg.n - 2, MAX_LEN);
	if (k < 80) /* anywhere inside, often at an edge */
		return sub_range(g, sg.s, sg.n, MAX_LEN);
	lo = sg.s + sg.n / 2;
	return sub_range(g, lo, min_int(NPAGES - lo, sg.n + MAX_LEN),
			 2 * MAX_LEN);
}

static bool op_munmap(struct gen *g)
{
	struct range r = munmap_range(g);

	step(g, "munmap(%#llx, %lu)", page_addr(r.s), range_len(g, r.n));
	apply_unmap(cur(g), r);
	return true;
}

/* mprotect strategies: set r and prot, or return false. */

static bool mp_undo(struct gen *g, struct range *r, int *prot)
{
	if (!g->undo.set || g->undo.pid != pid(g) ||
	    !range_mapped(cur(g), g->undo.r))
		return false;
	*r = g->undo.r;
	*prot = g->undo.prot;
	g->undo.set = false;
	return true;
}

/* The part of a VMA next to the one that was just touched. */
static bool mp_hint(struct gen *g, struct range *r, int *prot)
{
	const struct proc *p = cur(g);

	if (!g->hint.set || g->hint.pid != pid(g) ||
	    !range_mapped(p, g->hint.r))
		return false;
	*r = g->hint.r;
	*prot = other_prot(g, p->pg[r->s].prot, 0);
	g->hint.set = false;
	return true;
}

static bool pick_seg(struct gen *g, struct range *sg, int min_pages)
{
	struct range segs[NPAGES];
	int i, ns = collect_segs(cur(g), segs), k = 0;

	for (i = 0; i < ns; i++)
		if (segs[i].n >= min_pages)
			segs[k++] = segs[i];
	if (!k)
		return false;
	*sg = segs[rn(g, k)];
	return true;
}

/* Split a VMA in three, and remember how to merge it back. */
static bool mp_middle(struct gen *g, struct range *r, int *prot)
{
	struct range sg;
	int old;

	if (!pick_seg(g, &sg, 3))
		return false;
	*r = sub_range(g, sg.s + 1, sg.n - 2, MAX_LEN);
	old = cur(g)->pg[sg.s].prot;
	*prot = other_prot(g, old, 0);
	g->undo = (struct memo){true, pid(g), *r, old};
	return true;
}

/* The prot of the mapped page i, or -1. */
static int prot_at(const struct proc *p, int i)
{
	if (i < 0 || i >= NPAGES || !is_mapped(&p->pg[i]))
		return -1;
	return p->pg[i].prot;
}

/* One edge of a VMA, mostly to the prot of the neighbour on that side. */
static bool mp_edge(struct gen *g, struct range *r, int *prot)
{
	const struct proc *p = cur(g);
	struct range sg;
	int n, nb;

	if (!pick_seg(g, &sg, 1))
		return false;
	n = sg.n > 1 ? 1 + rn(g, min_int(sg.n - 1, MAX_LEN)) : 1;
	if (chance(g, 50)) {
		*r = (struct range){sg.s, n};
		nb = prot_at(p, sg.s - 1);
	} else {
		*r = (struct range){sg.s + sg.n - n, n};
		nb = prot_at(p, sg.s + sg.n);
	}
	if (nb >= 0 && nb != p->pg[sg.s].prot && chance(g, 75))
		*prot = nb;
	else
		*prot = other_prot(g, p->pg[sg.s].prot, 0);
	return true;
}

/* A whole VMA, to the prot of one of its neighbours. */
static bool mp_whole(struct gen *g, struct range *r, int *prot)
{
	const struct proc *p = cur(g);
	struct range sg;
	int left, right, old;

	if (!pick_seg(g, &sg, 1))
		return false;
	*r = sg;
	old = p->pg[sg.s].prot;
	left = prot_at(p, sg.s - 1);
	right = prot_at(p, sg.s + sg.n);
	if (left >= 0 && left != old && (right < 0 || chance(g, 50)))
		*prot = left;
	else if (right >= 0 && right != old)
		*prot = right;
	else
		*prot = other_prot(g, old, 0);
	return true;
}

/* Across a boundary between two mapped VMAs, and no further than mapped. */
static bool mp_span(struct gen *g, struct range *r, int *prot)
{
	const struct proc *p = cur(g);
	int i, n = 0, b, lo, hi, k, bounds[NPAGES];

	for (i = 1; i < NPAGES; i++)
		if (is_mapped(&p->pg[i - 1]) && is_mapped(&p->pg[i]) &&
		    !same_vma(&p->pg[i - 1], &p->pg[i]))
			bounds[n++] = i;
	if (!n)
		return false;
	b = bounds[rn(g, n)];
	lo = b - 1;
	for (k = rn(g, 5); k && lo > 0 && is_mapped(&p->pg[lo - 1]); k--)
		lo--;
	hi = b + 1;
	for (k = rn(g, 5); k && hi < NPAGES && is_mapped(&p->pg[hi]); k--)
		hi++;
	*r = (struct range){lo, hi - lo};
	*prot = chance(g, 50) ? p->pg[b - 1].prot : p->pg[b].prot;
	if (chance(g, 30))
		*prot = random_prot(g, 0);
	return true;
}

/* Anywhere: may start in or run into a hole (ENOMEM). */
static bool mp_random(struct gen *g, struct range *r, int *prot)
{
	*r = random_range(g, MAX_LEN);
	*prot = random_prot(g, 0);
	return true;
}

typedef bool (*mp_fn)(struct gen *, struct range *, int *);

static bool op_mprotect(struct gen *g)
{
	static const mp_fn fns[] = {mp_undo,  mp_hint, mp_middle, mp_edge,
				    mp_whole, mp_span, mp_random};
	int w[] = {25, 15, 22, 25, 10, 15, g->opt_errors ? 4 : 2}, k, prot;
	struct range r;

	while ((k = pick_weighted(g, w, 7)) >= 0) {
		if (fns[k](g, &r, &prot))
			break;
		w[k] = 0;
	}
	if (k < 0)
		return false;
	prot &= ~forbidden_prot(cur(g), r);
	emit_mprotect(g, page_addr(r.s), range_len(g, r.n), prot);
	apply_mprotect(cur(g), r, prot);
	return true;
}

/* After touching r, remember the untouched part of r's VMA for mprotect. */
static void set_touch_hint(struct gen *g, struct range r)
{
	const struct proc *p = cur(g);
	struct range sg;

	if (!is_mapped(&p->pg[r.s]))
		return;
	sg = seg_of(p, r.s);
	g->hint = (struct memo){true, pid(g), {sg.s, r.s - sg.s}, 0};
	if (r.s == sg.s) {
		g->hint.r.s = r.s + r.n;
		g->hint.r.n = sg.s + sg.n - g->hint.r.s;
	}
	g->hint.set = g->hint.r.n > 0;
}

static bool op_touch(struct gen *g)
{
	struct range runs[NPAGES], r;
	int k = rn(g, 100), n = 0;

	if (k < 85)
		n = collect_runs(cur(g), runs, is_writable);
	if (!n && k < 97)
		n = collect_runs(cur(g), runs, is_mapped);
	if (n) {
		r = runs[rn(g, n)];
		if (chance(g, 70) || r.n > 2 * MAX_LEN)
			r = sub_range(g, r.s, r.n, MAX_LEN);
	} else if (g->opt_place) {
		/* a fault in a hole below a stack would grow it */
		return false;
	} else {
		r = random_range(g, 2);
	}
	step(g, "touch %#llx %lu", page_addr(r.s), (unsigned long)r.n * unit);
	set_touch_hint(g, r);
	return true;
}

/*
 * read: user read faults.  Mostly file pages (do_read_fault, fault-around
 * and read-around), else any mapped pages (the zero page for private
 * anonymous memory; SIGSEGV at PROT_NONE), now and then a random range
 * (SIGSEGV at a hole).  Nothing in the model changes.
 */
static bool op_read(struct gen *g)
{
	struct range runs[NPAGES], r;
	int k = rn(g, 100), n = 0;

	if (k < 60)
		n = collect_runs(cur(g), runs, is_file);
	if (!n && k < 95)
		n = collect_runs(cur(g), runs, is_mapped);
	if (n) {
		r = runs[rn(g, n)];
		if (chance(g, 70) || r.n > 2 * MAX_LEN)
			r = sub_range(g, r.s, r.n, MAX_LEN);
	} else {
		r = random_range(g, 2);
	}
	step(g, "read %#llx %lu", page_addr(r.s), (unsigned long)r.n * unit);
	return true;
}

/* A file size: often the whole region, sometimes short or ragged. */
static long file_size(struct gen *g)
{
	int k = rn(g, 100);
	long size;

	if (k < 45)
		return (long)NPAGES * (long)unit;
	if (k < 70)
		return (long)(1 + rn(g, NPAGES)) * (long)unit;
	if (k < 85)
		return 1 + rn(g, NPAGES * (int)unit);
	size = (long)rn(g, 4) * (long)unit;
	return chance(g, 50) ? size + rn(g, PG) : size;
}

static void emit_ftruncate(struct gen *g, int slot)
{
	long size = file_size(g);

	g->file_size[cur(g)->fd[slot].file] = size;
	step(g, "ftruncate(%d, %ld)", FD_FIRST + slot, size);
}

/* Create the next file, O_RDWR, and give it a size. */
static void open_new_file(struct gen *g, int slot)
{
	char name[32];
	int file;

	for (file = 0; g->file_exists[file]; file++)
		;
	file_name(file, name, sizeof(name));
	step(g, "openat(AT_FDCWD, %s, O_RDWR|O_CREAT, 0644)", name);
	g->file_exists[file] = true;
	cur(g)->fd[slot] = (struct fdent){true, true, file};
	if (g->steps < g->nsteps)
		emit_ftruncate(g, slot);
}

/* Open a file made before, often O_RDONLY (more so with --errors). */
static void open_old_file(struct gen *g, int slot)
{
	int file, k, ro = g->opt_errors ? 60 : 40;
	char name[32];

	do
		file = rn(g, NFILES);
	while (!g->file_exists[file]);
	file_name(file, name, sizeof(name));
	k = rn(g, 100);
	if (k < ro)
		step(g, "openat(AT_FDCWD, %s, O_RDONLY)", name);
	else if (k < ro + 30)
		step(g, "openat(AT_FDCWD, %s, O_RDWR)", name);
	else
		step(g, "openat(AT_FDCWD, %s, O_RDWR|O_CREAT, 0644)", name);
	cur(g)->fd[slot] = (struct fdent){true, k >= ro, file};
}

static bool op_openat(struct gen *g)
{
	const struct proc *p = cur(g);
	int i, nexist = 0;

	if (nopen(p) >= MAX_OPEN)
		return false;
	for (i = 0; i < NFILES; i++)
		nexist += g->file_exists[i];
	if (nexist < NFILES && (!nexist || chance(g, 45)))
		open_new_file(g, lowest_free_fd(p));
	else
		open_old_file(g, lowest_free_fd(p));
	return true;
}

static bool op_ftruncate(struct gen *g)
{
	int slot = random_fd(g, 1);

	if (slot < 0)
		return false;
	emit_ftruncate(g, slot);
	return true;
}

static bool op_close(struct gen *g)
{
	int slot = random_fd(g, -1);

	if (slot < 0)
		return false;
	step(g, "close(%d)", FD_FIRST + slot);
	cur(g)->fd[slot].open = false;
	return true;
}

static void switch_to(struct gen *g, int idx)
{
	g->cur = idx;
	line(g, "switch %d", pid(g));
}

static bool op_fork(struct gen *g)
{
	int child = g->nproc;

	if (!g->opt_fork || g->steps < 3)
		return false;
	if (g->opt_procs ? g->nlive >= g->opt_procs || g->nproc >= MAX_PIDS
			 : g->nproc > g->max_forks)
		return false;
	g->proc[child] = *cur(g);
	for (int i = 0; i < NPAGES; i++)
		if (g->proc[child].pg[i].dontfork)
			memset(&g->proc[child].pg[i], 0, sizeof(struct page));
	g->nproc++;
	g->nlive++;
	step(g, "fork()");
	if (chance(g, 40) && g->steps < g->nsteps)
		switch_to(g, child);
	return true;
}

/* A live process other than the current one (and from index from on),
 * at random; -1 if none. */
static int live_from(struct gen *g, int from)
{
	int n = 0, pick;

	for (int i = from; i < g->nproc; i++)
		n += i != g->cur && !g->proc[i].exited;
	if (!n)
		return -1;
	pick = rn(g, n);
	for (int i = from; i < g->nproc; i++)
		if (i != g->cur && !g->proc[i].exited && !pick--)
			return i;
	return -1;
}

static int other_live(struct gen *g)
{
	return live_from(g, 0);
}

/*
 * --procs: another process exits (switch to it, exit_group, switch back),
 * so the pid set shrinks as well as grows.  Its mappings go (exit_mmap):
 * pages it shared by fork or mapped from a file are mapped once less.
 */
static bool op_exit(struct gen *g)
{
	int back = g->cur, victim;

	/*
	 * Never pid 1: verify's processes are raw clones that keep pid 1's
	 * thread id in glibc's pthread struct, and under ASan a caught fault
	 * (siglongjmp: __asan_handle_no_return -> pthread_getattr_np) fails
	 * once that thread is gone.
	 */
	if (!g->opt_procs || g->nlive < 3)
		return false;
	victim = live_from(g, 1);
	if (victim < 0)
		return false;
	switch_to(g, victim);
	step(g, "exit_group(0)");
	g->proc[victim].exited = true;
	g->nlive--;
	switch_to(g, back);
	return true;
}

/* ---- mremap (--mremap) ---- */

static const char *mremap_flags_str(int f)
{
	static const char *const s[] = {
		"0",
		"MREMAP_MAYMOVE",
		"MREMAP_FIXED",
		"MREMAP_MAYMOVE|MREMAP_FIXED",
		"MREMAP_DONTUNMAP",
		"MREMAP_MAYMOVE|MREMAP_DONTUNMAP",
		"MREMAP_FIXED|MREMAP_DONTUNMAP",
		"MREMAP_MAYMOVE|MREMAP_FIXED|MREMAP_DONTUNMAP",
	};

	return s[f & 7];
}

#define MR_MAYMOVE 1
#define MR_FIXED 2
#define MR_DONTUNMAP 4

static void emit_mremap(struct gen *g, int from, unsigned long old_len,
			unsigned long new_len, int flags, int to)
{
	if (flags & (MR_FIXED | MR_DONTUNMAP))
		step(g, "mremap(%#llx, %lu, %lu, %s, %#llx)", page_addr(from),
		     old_len, new_len, mremap_flags_str(flags), page_addr(to));
	else
		step(g, "mremap(%#llx, %lu, %lu, %s)", page_addr(from), old_len,
		     new_len, mremap_flags_str(flags));
}

/*
 * The model of a move: the pages of [from, from + n_old) go to to (gaps
 * kept), the last one's attributes extended to n_new pages; the source
 * stays with MREMAP_DONTUNMAP.  Anonymous pages take pgoffs from their new
 * place, as an unfaulted VMA would (the model does not know which are
 * faulted: it only aims).
 */
static void apply_move(struct proc *p, int from, int n_old, int to, int n_new,
		       bool dontunmap)
{
	struct page saved[NPAGES], last;
	int i;

	memcpy(saved, &p->pg[from], sizeof(saved[0]) * (size_t)n_old);
	if (!dontunmap)
		apply_unmap(p, (struct range){from, n_old});
	apply_unmap(p, (struct range){to, n_new});
	for (i = 0; i < n_new; i++) {
		if (i < n_old) {
			p->pg[to + i] = saved[i];
		} else {
			last = saved[n_old - 1];
			if (!is_mapped(&last))
				break;
			last.pgoff += i - n_old + 1;
			p->pg[to + i] = last;
		}
		if (p->pg[to + i].kind == K_ANON)
			p->pg[to + i].pgoff = to + i;
	}
}

/* A target of n pages in the region that does not overlap [s, s + n_old). */
static int move_target(struct gen *g, int s, int n_old, int n)
{
	int t, tries;

	for (tries = 0; tries < 16; tries++) {
		t = rn(g, NPAGES - n + 1);
		if (t + n <= s || t >= s + n_old)
			return t;
	}
	return -1;
}

/* Shrink: the tail of a VMA (or beyond it) goes, in place. */
static bool mr_shrink(struct gen *g)
{
	struct range sg;
	int s, old, nnew, flags;

	if (!pick_seg(g, &sg, 2))
		return false;
	s = sg.s + rn(g, sg.n - 1);
	old = sg.s + sg.n - s;
	if (chance(g, 20))
		old = min_int(old + 1 + rn(g, MAX_LEN), NPAGES - s);
	nnew = 1 + rn(g, old - 1);
	flags = chance(g, 30) ? MR_MAYMOVE : 0;
	emit_mremap(g, s, range_len(g, old), range_len(g, nnew), flags, 0);
	apply_unmap(cur(g), (struct range){s + nnew, old - nnew});
	return true;
}

/* Grow the tail of a VMA: in place if the pages after it are free. */
static bool mr_grow(struct gen *g)
{
	struct proc *p = cur(g);
	struct range sg;
	int s, old, delta, end, flags;

	if (!pick_seg(g, &sg, 1))
		return false;
	end = sg.s + sg.n;
	s = sg.s + rn(g, sg.n);
	old = end - s;
	delta = 1 + rn(g, 4);
	if (end + delta > NPAGES)
		return false;
	flags = chance(g, 40) ? MR_MAYMOVE : 0;
	emit_mremap(g, s, (unsigned long)old * PG,
		    range_len(g, old + delta), flags, 0);
	if (range_free(p, (struct range){end, delta}))
		apply_move(p, s, old, s, old + delta, true);
	else if (flags & MR_MAYMOVE)
		apply_unmap(p, (struct range){s, old}); /* out of the window */
	return true;
}

/*
 * MREMAP_FIXED to a place in the region, the same size (across VMAs and
 * holes: remap_move), or resized; sometimes with MREMAP_DONTUNMAP.
 */
static bool mr_fixed(struct gen *g)
{
	struct proc *p = cur(g);
	struct range sg;
	int s, old, nnew, t, flags = MR_MAYMOVE | MR_FIXED;

	if (!pick_seg(g, &sg, 1))
		return false;
	s = sg.s + rn(g, sg.n);
	old = 1 + rn(g, min_int(sg.s + sg.n - s, MAX_LEN));
	if (chance(g, 15)) /* across the end: several VMAs, or a hole */
		old = min_int(old + 1 + rn(g, MAX_LEN), NPAGES - s);
	nnew = chance(g, 60) ? old : 1 + rn(g, MAX_LEN);
	if (nnew == old && chance(g, 25))
		flags |= MR_DONTUNMAP;
	t = move_target(g, s, old, nnew);
	if (t < 0)
		return false;
	emit_mremap(g, s, (unsigned long)old * PG, range_len(g, nnew), flags,
		    t);
	if (nnew == old || range_mapped(p, (struct range){s, old}))
		apply_move(p, s, old, t, nnew, flags & MR_DONTUNMAP);
	return true;
}

/* MREMAP_DONTUNMAP without FIXED: new_addr is a hint. */
static bool mr_dontunmap_hint(struct gen *g)
{
	struct proc *p = cur(g);
	struct range sg;
	int s, n, t;

	if (!pick_seg(g, &sg, 1))
		return false;
	s = sg.s + rn(g, sg.n);
	n = 1 + rn(g, min_int(sg.s + sg.n - s, MAX_LEN));
	t = move_target(g, s, n, n);
	if (t < 0)
		return false;
	emit_mremap(g, s, (unsigned long)n * PG, (unsigned long)n * PG,
		    MR_MAYMOVE | MR_DONTUNMAP, t);
	if (range_free(p, (struct range){t, n}))
		apply_move(p, s, n, t, n, true);
	else
		apply_move(p, s, n, s, n, true); /* out of the window */
	return true;
}

/* Grow a piece from the middle of a VMA: it moves out of the window. */
static bool mr_move_out(struct gen *g)
{
	struct range sg, r;

	if (!pick_seg(g, &sg, 3))
		return false;
	r = sub_range(g, sg.s, sg.n - 1, MAX_LEN);
	emit_mremap(g, r.s, (unsigned long)r.n * PG,
		    (unsigned long)(r.n + 1 + rn(g, 4)) * PG, MR_MAYMOVE, 0);
	apply_unmap(cur(g), r);
	return true;
}

static bool is_shared(const struct page *pg)
{
	return pg->kind == K_SHANON || pg->kind == K_FSHARED;
}

/* old_len 0 on a shared mapping: a second mapping of the same pages. */
static bool mr_dup_shared(struct gen *g)
{
	struct proc *p = cur(g);
	struct range runs[NPAGES], r;
	int n = collect_runs(p, runs, is_shared), s, nnew, t;

	if (!n)
		return false;
	r = runs[rn(g, n)];
	s = r.s + rn(g, r.n);
	nnew = 1 + rn(g, 4);
	t = move_target(g, s, 1, nnew);
	if (t < 0)
		return false;
	emit_mremap(g, s, 0, (unsigned long)nnew * PG,
		    MR_MAYMOVE | MR_FIXED, t);
	apply_move(p, s, 1, t, nnew, true);
	return true;
}

typedef bool (*mr_fn)(struct gen *);

static bool op_mremap(struct gen *g)
{
	static const mr_fn fns[] = {mr_shrink,	       mr_grow,	    mr_fixed,
				    mr_dontunmap_hint, mr_move_out, mr_dup_shared};
	int w[] = {18, 26, 32, 8, 8, 8}, k;

	if (!g->opt_mremap)
		return false;
	while ((k = pick_weighted(g, w, 6)) >= 0) {
		if (fns[k](g))
			return true;
		w[k] = 0;
	}
	return false;
}

/* ---- brk (--brk) ---- */

/*
 * The heap: brk to grow (sometimes unaligned, sometimes within the same
 * page), shrink, ask (NULL), or go below start_brk; touches of the heap;
 * mprotect and munmap of parts of it (after which growth makes a new VMA
 * or is refused); and a page mapped just above the break, in the way of
 * the next growth.  The model keeps only the break it asked for: whether
 * the kernel granted it is in the output, which verify compares.
 */
static unsigned long brk_page(struct gen *g, unsigned long top_pages)
{
	return START_BRK + (unsigned long)rn(g, (int)top_pages) * PG;
}

static bool op_brk(struct gen *g)
{
	struct proc *p = cur(g);
	unsigned long pages = (p->brk + PG - 1) / PG, to;
	int k = rn(g, 100), n;

	if (!g->opt_brk)
		return false;
	if (k < 34 || !pages) {
		to = p->brk + (unsigned long)(1 + rn(g, 6)) * PG;
		if (chance(g, 25))
			to -= (unsigned long)rn(g, (int)PG);
		if (to / PG > BRK_MAX_PAGES)
			to = (unsigned long)rn(g, 4) * PG;
		p->brk = to;
		step(g, "brk(%#llx)", START_BRK + to);
	} else if (k < 52) {
		to = (unsigned long)rn(g, (int)p->brk + 1);
		if (chance(g, 50))
			to &= ~(PG - 1);
		p->brk = to;
		step(g, "brk(%#llx)", START_BRK + to);
	} else if (k < 58) {
		step(g, chance(g, 70) ? "brk(NULL)" : "brk(0x555555558000)");
	} else if (k < 62) {
		to = pages * PG - (unsigned long)rn(g, (int)PG);
		p->brk = to;
		step(g, "brk(%#llx)", START_BRK + to);
	} else if (k < 80) {
		n = 1 + rn(g, 4);
		step(g, "touch %#lx %lu", brk_page(g, pages),
		     (unsigned long)n * PG);
	} else if (k < 88) {
		n = 1 + rn(g, 3);
		step(g, "mprotect(%#lx, %lu, %s)", brk_page(g, pages),
		     (unsigned long)n * PG,
		     chance(g, 50) ? "PROT_READ" : "PROT_READ|PROT_WRITE");
	} else if (k < 93) {
		n = 1 + rn(g, 3);
		step(g, "munmap(%#lx, %lu)", brk_page(g, pages + 2),
		     (unsigned long)n * PG);
	} else {
		n = 1 + rn(g, 3);
		step(g,
		     "mmap(%#llx, %lu, PROT_READ|PROT_WRITE, "
		     "MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)",
		     START_BRK + (pages + (unsigned long)n) * PG, PG);
	}
	return true;
}

/* ---- calls that must fail (--errors) ---- */

/* A mapped page, or -1. */
static int some_mapped_page(struct gen *g)
{
	struct range runs[NPAGES];
	int n = collect_runs(cur(g), runs, is_mapped);
	struct range r;

	if (!n)
		return -1;
	r = runs[rn(g, n)];
	return r.s + rn(g, r.n);
}

static unsigned long long unaligned_addr(struct gen *g)
{
	unsigned long long addr = page_addr(rn(g, NPAGES));

	return addr + 1 + (unsigned long long)rn(g, PG - 1);
}

static bool err_mmap_unaligned(struct gen *g)
{
	unsigned long long addr = unaligned_addr(g);

	emit_mmap(g, addr, (unsigned long)(1 + rn(g, 4)) * PG, P_R | P_W,
		  F_PRIVATE | F_ANON | F_FIXED, -1, 0);
	return true;
}

static bool err_mmap_zero_len(struct gen *g)
{
	emit_mmap(g, page_addr(rn(g, NPAGES)), 0, P_R,
		  F_PRIVATE | F_ANON | F_FIXED, -1, 0);
	return true;
}

static bool err_mmap_bad_fd(struct gen *g)
{
	int fd = chance(g, 30) ? -1 : bad_fd(g);

	emit_mmap(g, page_addr(rn(g, NPAGES)), PG, P_R, F_PRIVATE | F_FIXED, fd,
		  0);
	return true;
}

static bool err_mmap_noreplace(struct gen *g)
{
	int i = some_mapped_page(g), s, n;

	if (i < 0)
		return false;
	s = i - rn(g, min_int(i + 1, 3));
	n = min_int(i - s + 1 + rn(g, 3), NPAGES - s);
	emit_mmap(g, page_addr(s), (unsigned long)n * PG, P_R | P_W,
		  F_PRIVATE | F_ANON | F_NOREPLACE, -1, 0);
	return true;
}

static bool err_mmap_wshared_rdonly(struct gen *g)
{
	int slot = random_fd(g, 0);
	struct range r = random_range(g, MAX_LEN);

	if (slot < 0)
		return false;
	emit_mmap(g, page_addr(r.s), (unsigned long)r.n * PG, P_R | P_W,
		  F_SHARED | F_FIXED, FD_FIRST + slot,
		  (unsigned long long)r.s * PG);
	return true;
}

static bool err_mmap_bad_off(struct gen *g)
{
	int slot = random_fd(g, -1);
	struct range r = random_range(g, MAX_LEN);

	if (slot < 0)
		return false;
	emit_mmap(g, page_addr(r.s), (unsigned long)r.n * PG, P_R,
		  F_PRIVATE | F_FIXED, FD_FIRST + slot,
		  (unsigned long long)r.s * PG + 1 + (unsigned)rn(g, PG - 1));
	return true;
}

static bool err_mmap_no_type(struct gen *g)
{
	emit_mmap(g, page_addr(rn(g, NPAGES)), PG, P_R, F_ANON | F_FIXED, -1,
		  0);
	return true;
}

static bool err_munmap(struct gen *g)
{
	if (chance(g, 50))
		step(g, "munmap(%#llx, %lu)", unaligned_addr(g), PG);
	else
		step(g, "munmap(%#llx, 0)", page_addr(rn(g, NPAGES)));
	return true;
}

static bool err_mprotect_unaligned(struct gen *g)
{
	emit_mprotect(g, unaligned_addr(g), PG, P_R);
	return true;
}

/* From a hole, or from a VMA into the hole after it (partly applied). */
static bool err_mprotect_hole(struct gen *g)
{
	struct proc *p = cur(g);
	struct range holes[NPAGES], h, r;
	int n = collect_runs(p, holes, is_free), prot;

	if (!n)
		return false;
	h = holes[rn(g, n)];
	if (h.s > 0 && chance(g, 50)) {
		r.s = h.s - 1 - rn(g, min_int(h.s, 3));
		r.n = h.s - r.s + 1 + rn(g, h.n);
	} else {
		r = sub_range(g, h.s, h.n, MAX_LEN);
		r.n = min_int(r.n + rn(g, 4), NPAGES - r.s);
	}
	prot = random_prot(g, forbidden_prot(p, r));
	emit_mprotect(g, page_addr(r.s), (unsigned long)r.n * PG, prot);
	apply_mprotect(p, r, prot);
	return true;
}

/* PROT_WRITE on a shared mapping of an O_RDONLY fd: EACCES. */
static bool err_mprotect_rdonly(struct gen *g)
{
	struct proc *p = cur(g);
	struct range r;
	int i, n = 0, pages[NPAGES];

	for (i = 0; i < NPAGES; i++)
		if (is_mapped(&p->pg[i]) && !p->pg[i].maywrite)
			pages[n++] = i;
	if (!n)
		return false;
	r = seg_of(p, pages[rn(g, n)]);
	emit_mprotect(g, page_addr(r.s), (unsigned long)r.n * PG, P_R | P_W);
	apply_mprotect(p, r, P_R | P_W);
	return true;
}

static bool err_fd_calls(struct gen *g)
{
	int slot = random_fd(g, 0), k = rn(g, 4);

	if (k == 0 && slot >= 0)
		step(g, "ftruncate(%d, %lu)", FD_FIRST + slot, PG);
	else if (k == 1)
		step(g, "openat(AT_FDCWD, \"missing\", O_RDONLY)");
	else if (k == 2)
		step(g, "ftruncate(%d, %lu)", bad_fd(g), PG);
	else
		step(g, "close(%d)", bad_fd(g));
	return true;
}

/* mremap calls the kernel refuses (--mremap --errors): nothing changes. */
static bool err_mremap(struct gen *g)
{
	int i = some_mapped_page(g), k = rn(g, 8), t;

	if (!g->opt_mremap || i < 0)
		return false;
	t = move_target(g, i, 1, 1);
	if (t < 0)
		return false;
	switch (k) {
	case 0: /* unaligned addr */
		step(g, "mremap(%#llx, %lu, %lu, 0)", unaligned_addr(g), PG,
		     PG);
		break;
	case 1: /* a flag beyond the three */
		step(g, "mremap(%#llx, %lu, %lu, 8)", page_addr(i), PG, PG);
		break;
	case 2: /* FIXED without MAYMOVE */
		emit_mremap(g, i, PG, PG, MR_FIXED, t);
		break;
	case 3: /* DONTUNMAP resizing */
		emit_mremap(g, i, PG, 2 * PG, MR_MAYMOVE | MR_DONTUNMAP, t);
		break;
	case 4: /* the target overlaps the source */
		emit_mremap(g, i, PG, PG, MR_MAYMOVE | MR_FIXED, i);
		break;
	case 5: /* new_len 0 */
		emit_mremap(g, i, PG, 0, MR_MAYMOVE, 0);
		break;
	case 6: /* no VMA there: EFAULT (or a private duplicate: EINVAL) */
		/* Past the region, but --place's ends at the window's end,
		 * where verify's own mappings are: then the window's base. */
		{
			int past = 1 + rn(g, 8);

			step(g, "mremap(%#llx, %lu, %lu, MREMAP_MAYMOVE)",
			     g->opt_place
				     ? WIN_BASE + (unsigned long long)past * PG
				     : page_addr(NPAGES + past),
			     PG, 2 * PG);
		}
		break;
	default:
		if (is_shared(&cur(g)->pg[i]))
			return false;
		emit_mremap(g, i, 0, PG, MR_MAYMOVE, 0);
		break;
	}
	return true;
}

/* ---- every errno of every call (--errors) ---- */

/*
 * tests/gen/errnos.txt lists, for each call vmalab simulates, the errnos
 * the kernel returns for it in this setting (root, the test window, no
 * huge pages); tests/errno-coverage.sh checks that 100 --errors scripts
 * reach each.  The err_* functions above came first; these reach the
 * rest.  Each changes nothing in the model (the call fails before it
 * changes anything), except the mmap and mseal some of them make first.
 */

#define TASK_SIZE_X86 0x7ffffffff000ULL

/* A page of the region nothing maps, or -1. */
static int some_free_page(struct gen *g)
{
	struct range runs[NPAGES], r;
	int n = collect_runs(cur(g), runs, is_free);

	if (!n)
		return -1;
	r = runs[rn(g, n)];
	return r.s + rn(g, r.n);
}

static bool is_sealed(const struct page *pg)
{
	return is_mapped(pg) && pg->sealed;
}

static void emit_mseal_page(struct gen *g, int i)
{
	step(g, "mseal(%#llx, %lu, 0)", page_addr(i), unit);
	cur(g)->pg[i].sealed = true;
}

/* A sealed page; with --advise, mseal one first if there is none. */
static int sealed_page(struct gen *g)
{
	struct range runs[NPAGES], r;
	int n = collect_runs(cur(g), runs, is_sealed), i;

	if (n) {
		r = runs[rn(g, n)];
		return r.s + rn(g, r.n);
	}
	if (!g->opt_advise || (i = some_mapped_page(g)) < 0)
		return -1;
	emit_mseal_page(g, i);
	return i;
}

/* An existing file's index, or -1. */
static int some_file(struct gen *g)
{
	int i, n = 0, files[NFILES];

	for (i = 0; i < NFILES; i++)
		if (g->file_exists[i])
			files[n++] = i;
	return n ? files[rn(g, n)] : -1;
}

/* An O_RDONLY fd's slot; one is opened if there is none (and room). */
static int rdonly_fd(struct gen *g)
{
	struct proc *p = cur(g);
	int slot = random_fd(g, 0), file;
	char name[32];

	if (slot >= 0)
		return slot;
	if (nopen(p) >= MAX_OPEN)
		return -1;
	if ((file = some_file(g)) < 0) {
		if (nopen(p) + 2 > MAX_OPEN)
			return -1;
		open_new_file(g, lowest_free_fd(p));
		file = some_file(g);
	}
	slot = lowest_free_fd(p);
	file_name(file, name, sizeof(name));
	step(g, "openat(AT_FDCWD, %s, O_RDONLY)", name);
	p->fd[slot] = (struct fdent){true, false, file};
	return slot;
}

/* An open fd's slot; one is opened if there is none. */
static int some_fd(struct gen *g)
{
	int slot = random_fd(g, -1);

	return slot >= 0 ? slot : rdonly_fd(g);
}

/*
 * A page mapped shared from an O_RDONLY fd (no VM_MAYWRITE): one there,
 * or a new mapping of one or two free pages, or -1.
 */
static int ro_shared_page(struct gen *g)
{
	struct proc *p = cur(g);
	struct range holes[NPAGES], r;
	struct page pg;
	int i, n = 0, pages[NPAGES], slot;

	for (i = 0; i < NPAGES; i++)
		if (p->pg[i].kind == K_FSHARED && !p->pg[i].maywrite)
			pages[n++] = i;
	if (n)
		return pages[rn(g, n)];
	n = collect_runs(p, holes, is_free);
	if (!n || (slot = rdonly_fd(g)) < 0)
		return -1;
	r = holes[rn(g, n)];
	r.n = min_int(r.n, 2);
	memset(&pg, 0, sizeof(pg));
	pg.kind = K_FSHARED;
	pg.prot = P_R;
	pg.obj = p->fd[slot].file;
	pg.pgoff = r.s;
	emit_mmap(g, page_addr(r.s), (unsigned long)r.n * unit, P_R,
		  F_SHARED | F_FIXED, FD_FIRST + slot,
		  (unsigned long long)r.s * unit);
	apply_map(p, r, &pg);
	return r.s;
}

/* EACCES: MAP_SHARED|PROT_WRITE through an O_RDONLY fd (do_mmap). */
static bool ek_mmap_eacces(struct gen *g)
{
	int slot = rdonly_fd(g);
	struct range r = random_range(g, MAX_LEN);

	if (slot < 0)
		return false;
	emit_mmap(g, page_addr(r.s), (unsigned long)r.n * unit, P_R | P_W,
		  F_SHARED | F_FIXED, FD_FIRST + slot,
		  (unsigned long long)r.s * unit);
	return true;
}

/* EACCES: PROT_WRITE where VM_MAYWRITE is clear (do_mprotect_pkey). */
static bool ek_mprotect_eacces(struct gen *g)
{
	int i = ro_shared_page(g);
	struct range r;

	if (i < 0)
		return false;
	r = seg_of(cur(g), i);
	emit_mprotect(g, page_addr(r.s), (unsigned long)r.n * unit,
		      P_R | P_W);
	return true;
}

/* ENODEV: fds 0-2 are /dev/null, which has no ->mmap. */
static bool ek_mmap_enodev(struct gen *g)
{
	emit_mmap(g, page_addr(rn(g, NPAGES)), PG, P_R, F_PRIVATE | F_FIXED,
		  rn(g, 3), 0);
	return true;
}

/* ENOMEM: a length beyond TASK_SIZE (__get_unmapped_area). */
static bool ek_mmap_enomem(struct gen *g)
{
	static const unsigned long long lens[] = {
		0x800000000000ULL, 0xfffffffffffff000ULL, TASK_SIZE_X86 + PG};

	step(g, "mmap(%#llx, %#llx, PROT_READ, "
		"MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)",
	     page_addr(rn(g, NPAGES)), lens[rn(g, 3)]);
	return true;
}

/* EOPNOTSUPP: MAP_SHARED_VALIDATE with a flag outside LEGACY_MAP_MASK. */
static bool ek_mmap_eopnotsupp(struct gen *g)
{
	int slot = some_fd(g);

	if (slot < 0)
		return false;
	step(g, "mmap(%#llx, %lu, PROT_READ, "
		"MAP_SHARED_VALIDATE|MAP_FIXED|%s, %d, 0)",
	     page_addr(rn(g, NPAGES)), PG,
	     chance(g, 50) ? "0x200000" : "0x400000",
	     FD_FIRST + slot);
	return true;
}

/* EOVERFLOW: the mapping would end past MAX_LFS_FILESIZE (file_mmap_ok). */
static bool ek_mmap_eoverflow(struct gen *g)
{
	int slot = some_fd(g);

	if (slot < 0)
		return false;
	emit_mmap(g, page_addr(rn(g, NPAGES - 1)), 2 * PG, P_R,
		  chance(g, 50) ? F_PRIVATE | F_FIXED : F_SHARED | F_FIXED,
		  FD_FIRST + slot,
		  chance(g, 50) ? 0x7ffffffffffff000ULL : 0x8000000000000000ULL);
	return true;
}

/* EINVAL from the flags: a type anonymous memory has not, a stack on a
 * file or on shared memory, a droppable mapping that would be locked. */
static bool ek_mmap_einval_flags(struct gen *g)
{
	static const char *const flags[] = {
		"MAP_SHARED_VALIDATE|MAP_ANONYMOUS|MAP_FIXED",
		"MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED|MAP_GROWSDOWN",
		"MAP_DROPPABLE|MAP_ANONYMOUS|MAP_FIXED|MAP_LOCKED",
		"MAP_DROPPABLE|MAP_ANONYMOUS|MAP_FIXED|MAP_GROWSDOWN",
	};

	step(g, "mmap(%#llx, %lu, PROT_READ, %s, -1, 0)",
	     page_addr(rn(g, NPAGES)), PG, flags[rn(g, 4)]);
	return true;
}

/* EPERM: MAP_FIXED over a sealed VMA (can_modify_mm in do_vmi_munmap). */
static bool ek_mmap_sealed(struct gen *g)
{
	int i = sealed_page(g);

	if (i < 0)
		return false;
	emit_mmap(g, page_addr(i), PG, P_R | P_W, F_PRIVATE | F_ANON | F_FIXED,
		  -1, 0);
	return true;
}

static bool ek_munmap_sealed(struct gen *g)
{
	int i = sealed_page(g);

	if (i < 0)
		return false;
	step(g, "munmap(%#llx, %lu)", page_addr(i), unit);
	return true;
}

/* EINVAL from the prot: an unknown bit (arch_validate_prot), both grow
 * directions, or PROT_GROWSUP (x86 has no VM_GROWSUP). */
static bool ek_mprotect_einval_prot(struct gen *g)
{
	static const char *const prots[] = {
		"PROT_READ|0x10",
		"PROT_READ|PROT_GROWSDOWN|PROT_GROWSUP",
		"PROT_READ|PROT_GROWSUP",
	};
	int i = some_mapped_page(g);

	if (i < 0)
		return false;
	step(g, "mprotect(%#llx, %lu, %s)", page_addr(i), unit,
	     prots[rn(g, 3)]);
	return true;
}

static bool ek_mprotect_sealed(struct gen *g)
{
	int i = sealed_page(g), prot;
	struct range r;

	if (i < 0)
		return false;
	r = (struct range){i, 1};
	prot = other_prot(g, cur(g)->pg[i].prot, forbidden_prot(cur(g), r));
	emit_mprotect(g, page_addr(i), unit, prot);
	return true;
}

/* ENOMEM: grow a VMA in place into the next one (vma_expandable). */
static bool ek_mremap_enomem(struct gen *g)
{
	const struct proc *p = cur(g);
	struct range segs[NPAGES];
	int i, n = collect_segs(p, segs), k = 0, s, end;

	if (!g->opt_mremap)
		return false;
	for (i = 0; i < n; i++)
		if (segs[i].s + segs[i].n < NPAGES &&
		    is_mapped(&p->pg[segs[i].s + segs[i].n]))
			segs[k++] = segs[i];
	if (!k)
		return false;
	i = rn(g, k);
	end = segs[i].s + segs[i].n;
	s = segs[i].s + rn(g, segs[i].n);
	emit_mremap(g, s, (unsigned long)(end - s) * unit,
		    (unsigned long)(end - s + 1 + rn(g, 3)) * unit, 0, 0);
	return true;
}

static bool ek_mremap_sealed(struct gen *g)
{
	int i;

	if (!g->opt_mremap || (i = sealed_page(g)) < 0)
		return false;
	emit_mremap(g, i, unit, 2 * unit, MR_MAYMOVE, 0);
	return true;
}

/* madvise: EINVAL (unknown advice, unaligned start), ENOMEM (a hole). */
static bool ek_madvise_einval(struct gen *g)
{
	if (!g->opt_advise)
		return false;
	if (chance(g, 50))
		step(g, "madvise(%#llx, %lu, %d)", page_addr(rn(g, NPAGES)), PG,
		     chance(g, 50) ? 99 : 7);
	else
		step(g, "madvise(%#llx, %lu, MADV_NORMAL)", unaligned_addr(g),
		     PG);
	return true;
}

static bool ek_madvise_enomem(struct gen *g)
{
	int f = some_free_page(g);

	if (!g->opt_advise || f < 0)
		return false;
	step(g, "madvise(%#llx, %lu, %s)", page_addr(f), unit,
	     chance(g, 50) ? "MADV_NORMAL" : "MADV_DONTNEED");
	return true;
}

/* EPERM: a discarding advice on a sealed read-only anonymous VMA
 * (can_madvise_modify: is_ro_anon); made here if there is none. */
static bool ek_madvise_sealed(struct gen *g)
{
	struct proc *p = cur(g);
	int i, n = 0, pages[NPAGES];
	struct page pg;

	if (!g->opt_advise)
		return false;
	for (i = 0; i < NPAGES; i++)
		if (p->pg[i].kind == K_ANON && p->pg[i].sealed &&
		    !(p->pg[i].prot & P_W))
			pages[n++] = i;
	if (n) {
		i = pages[rn(g, n)];
	} else {
		if ((i = some_free_page(g)) < 0)
			return false;
		memset(&pg, 0, sizeof(pg));
		pg.kind = K_ANON;
		pg.prot = P_R;
		pg.maywrite = true;
		pg.pgoff = i;
		emit_mmap(g, page_addr(i), unit, P_R,
			  F_PRIVATE | F_ANON | F_FIXED, -1, 0);
		apply_map(p, (struct range){i, 1}, &pg);
		emit_mseal_page(g, i);
	}
	step(g, "madvise(%#llx, %lu, %s)", page_addr(i), unit,
	     chance(g, 50) ? "MADV_DONTNEED" : "MADV_FREE");
	return true;
}

/* EACCES: MADV_REMOVE on a file VMA that is not shared and writable
 * (a private one, or one of an O_RDONLY fd, made here if need be). */
static bool ek_madvise_eacces(struct gen *g)
{
	const struct proc *p = cur(g);
	int i, n = 0, pages[NPAGES];
	struct range r;

	if (!g->opt_advise)
		return false;
	for (i = 0; i < NPAGES; i++)
		if (is_file(&p->pg[i]) &&
		    (p->pg[i].kind == K_FPRIV || !p->pg[i].maywrite))
			pages[n++] = i;
	i = n ? pages[rn(g, n)] : ro_shared_page(g);
	if (i < 0)
		return false;
	r = seg_of(p, i);
	step(g, "madvise(%#llx, %lu, MADV_REMOVE)", page_addr(r.s),
	     (unsigned long)r.n * unit);
	return true;
}

/* The mlock family: a length that wraps (EINVAL), a range that starts
 * in a hole (ENOMEM), flags mlock2 and mlockall do not know (EINVAL). */
static bool ek_mlock(struct gen *g)
{
	static const char *const calls[] = {"mlock", "munlock", "mlock2"};
	int k = rn(g, 3), f = some_free_page(g);
	const char *call = calls[k], *tail = k == 2 ? ", 0" : "";

	if (!g->opt_advise)
		return false;
	if (f < 0 || chance(g, 50))
		step(g, "%s(%#llx, 0xfffffffffffff000%s)", call,
		     page_addr(rn(g, NPAGES)), tail);
	else
		step(g, "%s(%#llx, %lu%s)", call, page_addr(f), unit, tail);
	return true;
}

static bool ek_mlock_flags(struct gen *g)
{
	int i = some_mapped_page(g);

	if (!g->opt_advise)
		return false;
	if (i >= 0 && chance(g, 50))
		step(g, "mlock2(%#llx, %lu, %d)", page_addr(i), unit,
		     chance(g, 50) ? 2 : 0x100);
	else
		step(g, "mlockall(%s)", chance(g, 50) ? "MCL_ONFAULT" : "8");
	return true;
}

/* mseal: unaligned or wrapping (EINVAL), a hole (ENOMEM); prctl: this
 * kernel has no CONFIG_ANON_VMA_NAME (EINVAL). */
static bool ek_mseal_prctl(struct gen *g)
{
	int f = some_free_page(g), k = rn(g, 4);

	if (!g->opt_advise)
		return false;
	if (k == 0)
		step(g, "mseal(%#llx, %lu, 0)", unaligned_addr(g), PG);
	else if (k == 1)
		step(g, "mseal(%#llx, 0xfffffffffffff000, 0)",
		     page_addr(rn(g, NPAGES)));
	else if (k == 2 && f >= 0)
		step(g, "mseal(%#llx, %lu, 0)", page_addr(f), unit);
	else
		step(g, "prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, %#llx, %lu, "
			"\"name\")",
		     page_addr(rn(g, NPAGES)), unit);
	return true;
}

/* openat: O_EXCL on a file there (EEXIST), a directory for writing
 * (EISDIR), a file as a directory (ENOTDIR), O_CREAT|O_DIRECTORY
 * (EINVAL), a name over NAME_MAX (ENAMETOOLONG), a closed dirfd (EBADF). */
static bool ek_openat(struct gen *g)
{
	struct proc *p = cur(g);
	char name[32], longname[300];
	int file = some_file(g), k = rn(g, 7);

	if (file < 0 && k >= 0 && k <= 3 && k != 1 && nopen(p) < MAX_OPEN) {
		open_new_file(g, lowest_free_fd(p));
		file = some_file(g);
	}
	if (file >= 0)
		file_name(file, name, sizeof(name));
	if (k == 0 && file >= 0) {
		step(g, "openat(AT_FDCWD, %s, O_RDWR|O_CREAT|O_EXCL, 0644)",
		     name);
	} else if (k == 1) {
		step(g, "openat(AT_FDCWD, \".\", %s)",
		     chance(g, 50) ? "O_RDWR" : "O_WRONLY|O_CREAT, 0644");
	} else if (k == 2 && file >= 0) {
		step(g, "openat(AT_FDCWD, \"file%d/x\", O_RDONLY)", file);
	} else if (k == 3 && file >= 0) {
		step(g, "openat(AT_FDCWD, %s, O_RDONLY|O_DIRECTORY)", name);
	} else if (k == 4) {
		step(g, "openat(AT_FDCWD, \"missing\", "
			"O_RDWR|O_CREAT|O_DIRECTORY, 0644)");
	} else if (k == 5) {
		int len = 256 + rn(g, 8);

		memset(longname, 'n', (size_t)len);
		longname[len] = '\0';
		step(g, "openat(AT_FDCWD, \"%s\", O_RDWR|O_CREAT, 0644)",
		     longname);
	} else {
		step(g, "openat(%d, \"file0\", O_RDONLY)", bad_fd(g));
	}
	return true;
}

/* ftruncate: a negative length or /dev/null (EINVAL), past the
 * filesystem's s_maxbytes (EFBIG). */
static bool ek_ftruncate(struct gen *g)
{
	int slot = random_fd(g, 1);

	if (slot >= 0 && chance(g, 50))
		step(g, "ftruncate(%d, 0x7fffffffffffffff)", FD_FIRST + slot);
	else if (chance(g, 50))
		step(g, "ftruncate(%d, -1)", rn(g, FD_FIRST + 2));
	else
		step(g, "ftruncate(%d, %lu)", rn(g, 3), PG);
	return true;
}

/* dup, dup2, dup3: a closed fd or one past RLIMIT_NOFILE (EBADF); dup3
 * to itself or with a flag other than O_CLOEXEC (EINVAL). */
static bool ek_dup(struct gen *g)
{
	int k = rn(g, 4), fd = rn(g, 3), other = chance(g, 50);

	if (k == 0)
		step(g, "dup(%d)", bad_fd(g));
	else if (k == 1 && other)
		step(g, "dup2(%d, %d)", bad_fd(g), rn(g, 3));
	else if (k == 1)
		step(g, "dup2(%d, 1048576)", fd);
	else if (k == 2)
		step(g, "dup3(%d, %d, 0)", bad_fd(g), FD_FIRST + FD_SLOTS);
	else if (other)
		step(g, "dup3(%d, %d, 0)", fd, fd);
	else
		step(g, "dup3(%d, %d, 1)", fd, FD_FIRST + FD_SLOTS);
	return true;
}

#define HPAGE_SIZE 0x200000ULL

/*
 * MAP_HUGETLB with vm.nr_hugepages 0: a fixed address that is not 2 MiB
 * aligned is EINVAL (hugetlb_get_unmapped_area), anything else ENOMEM
 * when the huge pages are reserved, and that comes after a MAP_FIXED
 * unmap: the 2 MiB the call covered are left a hole.  Over the whole
 * region that is done rarely, and not with --large (the hole would end
 * inside a model page).
 */
static bool ek_mmap_hugetlb(struct gen *g)
{
	struct proc *p = cur(g);
	unsigned long long a = (region_base + HPAGE_SIZE - 1) & ~(HPAGE_SIZE - 1);
	int k = rn(g, 8), i = rn(g, NPAGES);

	if (k < 4 && (page_addr(i) & (HPAGE_SIZE - 1))) {
		emit_mmap(g, page_addr(i), (unsigned long)(1 + rn(g, 4)) * unit,
			  P_R | P_W, F_PRIVATE | F_ANON | F_FIXED | F_HUGETLB,
			  -1, 0);
	} else if (k < 7 || unit != PG || a != region_base) {
		step(g, "mmap(NULL, %lu, PROT_READ|PROT_WRITE, "
			"MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB, -1, 0)",
		     (unsigned long)(1 + rn(g, 4)) * unit);
	} else {
		/* [a, a + 2 MiB) holds the whole region */
		emit_mmap(g, a, PG, P_R | P_W,
			  F_PRIVATE | F_ANON | F_FIXED | F_HUGETLB, -1, 0);
		apply_unmap(p, (struct range){0, NPAGES});
	}
	return true;
}

/*
 * MAP_SYNC on an ext4 file (not DAX): ext4_file_mmap() refuses VM_SYNC
 * with EOPNOTSUPP, whatever the map type (MAP_SHARED drops the flag from
 * flags but calc_vm_flag_bits() has set VM_SYNC already), and it runs in
 * __mmap_new_vma(), after MAP_FIXED unmapped the range: a hole is left.
 */
static bool ek_mmap_sync_file(struct gen *g)
{
	static const int types[] = {F_SHARED | F_VALIDATE, F_SHARED, F_PRIVATE};
	struct range r = random_range(g, 4);
	int slot = some_fd(g);

	if (slot < 0)
		return false;
	emit_mmap(g, page_addr(r.s), (unsigned long)r.n * unit, P_R,
		  types[rn(g, 3)] | F_FIXED | F_SYNC, FD_FIRST + slot,
		  (unsigned long long)r.s * unit);
	apply_unmap(cur(g), r);
	return true;
}

/* The simplest: close and ftruncate of a closed fd (EBADF), open of a
 * file that is not there (ENOENT). */
static bool ek_fd_simple(struct gen *g)
{
	int k = rn(g, 3);

	if (k == 0)
		step(g, "close(%d)", bad_fd(g));
	else if (k == 1)
		step(g, "ftruncate(%d, %lu)", bad_fd(g), PG);
	else
		step(g, "openat(AT_FDCWD, \"missing%d\", O_RDWR)", rn(g, 3));
	return true;
}

typedef bool (*reach_fn)(struct gen *);

/* One of the calls above; false if none can be made now. */
static bool err_reach(struct gen *g)
{
	static const reach_fn fns[] = {
		ek_mmap_eacces,	       ek_mprotect_eacces,
		ek_mmap_enodev,	       ek_mmap_enomem,	 ek_mmap_eopnotsupp,
		ek_mmap_eoverflow,     ek_mmap_einval_flags, ek_mmap_sealed,
		ek_munmap_sealed,      ek_mprotect_einval_prot,
		ek_mprotect_sealed,    ek_mremap_enomem, ek_mremap_sealed,
		ek_madvise_einval,     ek_madvise_enomem, ek_madvise_sealed,
		ek_madvise_eacces,     ek_mlock,	 ek_mlock_flags,
		ek_mseal_prctl,	       ek_openat,	 ek_ftruncate,
		ek_dup,		       ek_fd_simple,	 ek_mmap_hugetlb,
		ek_mmap_sync_file,
	};
	/* about one for each errno a function reaches */
	static const int wts[] = {2, 2, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1,
				  2, 1, 1, 2, 6, 2, 4, 8, 3, 4, 3, 2, 1};
	enum { N = (int)(sizeof(fns) / sizeof(fns[0])) };
	int w[N], k;

	_Static_assert(sizeof(wts) == sizeof(fns) / sizeof(fns[0]) * sizeof(int),
		       "a weight for each function");
	for (k = 0; k < N; k++)
		w[k] = wts[k];
	while ((k = pick_weighted(g, w, N)) >= 0) {
		if (fns[k](g))
			return true;
		w[k] = 0;
	}
	return false;
}

typedef bool (*err_fn)(struct gen *);

static bool op_error(struct gen *g)
{
	static const err_fn fns[] = {
		err_mmap_unaligned,	 err_mmap_zero_len,
		err_mmap_bad_fd,	 err_mmap_noreplace,
		err_mmap_wshared_rdonly, err_mmap_bad_off,
		err_mmap_no_type,	 err_munmap,
		err_mprotect_unaligned,	 err_mprotect_hole,
		err_mprotect_rdonly,	 err_fd_calls,
		err_mremap,		 err_reach,
	};
	int w[] = {8, 6, 8, 14, 12, 6, 4, 8, 6, 14, 12, 10,
		   g->opt_mremap ? 16 : 0, 400},
	    k;
	int n = (int)(sizeof(w) / sizeof(w[0]));

	if (!g->opt_errors)
		return false;
	while ((k = pick_weighted(g, w, n)) >= 0) {
		if (fns[k](g))
			return true;
		w[k] = 0;
	}
	return false;
}

/* ---- madvise, the mlock family, mseal (--advise) ---- */

struct advice {
	const char *name;
	int weight;
	int undo; /* index of the advice that undoes it, or -1 */
};

enum {
	A_DONTFORK,
	A_DOFORK,
	A_WIPEONFORK,
	A_KEEPONFORK,
	A_DONTDUMP,
	A_DODUMP,
	A_HUGEPAGE,
	A_NOHUGEPAGE,
	A_MERGEABLE,
	A_UNMERGEABLE,
	A_SEQUENTIAL,
	A_RANDOM,
	A_NORMAL,
	A_DONTNEED,
	A_FREE,
	A_WILLNEED,
	A_COLD,
	A_PAGEOUT,
	A_REMOVE,
	A_DONTNEED_LOCKED,
	A_POPULATE_READ,
	A_POPULATE_WRITE,
	A_GUARD_INSTALL,
	A_GUARD_REMOVE,
	A_COLLAPSE,
	A_NR
};

static const struct advice advices[A_NR] = {
	[A_DONTFORK] = {"MADV_DONTFORK", 8, A_DOFORK},
	[A_DOFORK] = {"MADV_DOFORK", 4, -1},
	[A_WIPEONFORK] = {"MADV_WIPEONFORK", 7, A_KEEPONFORK},
	[A_KEEPONFORK] = {"MADV_KEEPONFORK", 3, -1},
	[A_DONTDUMP] = {"MADV_DONTDUMP", 6, A_DODUMP},
	[A_DODUMP] = {"MADV_DODUMP", 3, -1},
	[A_HUGEPAGE] = {"MADV_HUGEPAGE", 5, A_NOHUGEPAGE},
	[A_NOHUGEPAGE] = {"MADV_NOHUGEPAGE", 4, A_HUGEPAGE},
	[A_MERGEABLE] = {"MADV_MERGEABLE", 4, A_UNMERGEABLE},
	[A_UNMERGEABLE] = {"MADV_UNMERGEABLE", 2, -1},
	[A_SEQUENTIAL] = {"MADV_SEQUENTIAL", 4, A_NORMAL},
	[A_RANDOM] = {"MADV_RANDOM", 4, A_NORMAL},
	[A_NORMAL] = {"MADV_NORMAL", 3, -1},
	[A_DONTNEED] = {"MADV_DONTNEED", 12, -1},
	[A_FREE] = {"MADV_FREE", 6, -1},
	[A_WILLNEED] = {"MADV_WILLNEED", 4, -1},
	[A_COLD] = {"MADV_COLD", 3, -1},
	[A_PAGEOUT] = {"MADV_PAGEOUT", 5, -1},
	[A_REMOVE] = {"MADV_REMOVE", 4, -1},
	[A_DONTNEED_LOCKED] = {"MADV_DONTNEED_LOCKED", 3, -1},
	[A_POPULATE_READ] = {"MADV_POPULATE_READ", 4, -1},
	[A_POPULATE_WRITE] = {"MADV_POPULATE_WRITE", 5, -1},
	[A_GUARD_INSTALL] = {"MADV_GUARD_INSTALL", 9, A_GUARD_REMOVE},
	[A_GUARD_REMOVE] = {"MADV_GUARD_REMOVE", 4, -1},
	[A_COLLAPSE] = {"MADV_COLLAPSE", 2, -1},
};

/* What the advice's ranges aim at: the middle of a VMA (to undo later),
 * one edge, a whole VMA, across a boundary, or anywhere (holes). */
static struct range advise_range(struct gen *g, bool *middle)
{
	struct range sg, r;
	int k = rn(g, 100), n;

	*middle = false;
	if (k < 30 && pick_seg(g, &sg, 3)) {
		*middle = true;
		return sub_range(g, sg.s + 1, sg.n - 2, MAX_LEN);
	}
	if (k < 55 && pick_seg(g, &sg, 1)) {
		n = sg.n > 1 ? 1 + rn(g, min_int(sg.n - 1, MAX_LEN)) : 1;
		if (chance(g, 50))
			return (struct range){sg.s, n};
		return (struct range){sg.s + sg.n - n, n};
	}
	if (k < 75 && pick_seg(g, &sg, 1))
		return sg;
	if (k < 90 && mp_span(g, &r, &n))
		return r;
	return random_range(g, chance(g, 30) ? 2 * MAX_LEN : MAX_LEN);
}

/* The model's side of madvise: DONTFORK and DOFORK, VMA by VMA until a
 * sealed read-only anonymous VMA refuses (EPERM). */
static void apply_madvise(struct proc *p, struct range r, int a)
{
	int i;

	if (a != A_DONTFORK && a != A_DOFORK)
		return;
	for (i = r.s; i < r.s + r.n; i++) {
		struct page *pg = &p->pg[i];

		if (!is_mapped(pg))
			continue;
		if (a == A_DONTFORK && pg->sealed && pg->kind == K_ANON &&
		    !(pg->prot & P_W))
			return;
		pg->dontfork = a == A_DONTFORK;
	}
}

static void emit_madvise(struct gen *g, struct range r, int a)
{
	step(g, "madvise(%#llx, %lu, %s)", page_addr(r.s), range_len(g, r.n),
	     advices[a].name);
	apply_madvise(cur(g), r, a);
}

static bool op_madvise(struct gen *g)
{
	int w[A_NR], a;
	struct range r;
	bool middle;

	if (g->madv_undo.set && g->madv_undo.pid == pid(g) &&
	    range_mapped(cur(g), g->madv_undo.r) && chance(g, 40)) {
		g->madv_undo.set = false;
		emit_madvise(g, g->madv_undo.r, g->madv_undo.prot);
		return true;
	}
	for (a = 0; a < A_NR; a++)
		w[a] = advices[a].weight;
	/* With --large a VMA can hold a 2 MiB block that MADV_COLLAPSE
	 * would make a huge page of, or a fault in a MADV_HUGEPAGE one map
	 * a THP (the huge zero page on a read), which the engine does not
	 * model. */
	if (g->opt_large)
		w[A_COLLAPSE] = w[A_HUGEPAGE] = 0;
	a = pick_weighted(g, w, A_NR);
	r = advise_range(g, &middle);
	if (middle && advices[a].undo >= 0 &&
	    !(g->opt_large && advices[a].undo == A_HUGEPAGE))
		g->madv_undo = (struct memo){true, pid(g), r, advices[a].undo};
	emit_madvise(g, r, a);
	/* with --errors, a read of the markers just installed: EFAULT */
	if (a == A_GUARD_INSTALL && g->opt_errors && chance(g, 40))
		emit_madvise(g, r, A_POPULATE_READ);
	return true;
}

static bool op_mlock(struct gen *g)
{
	static const char *const mcl[] = {
		"MCL_CURRENT",		       "MCL_FUTURE",
		"MCL_CURRENT|MCL_FUTURE",      "MCL_CURRENT|MCL_ONFAULT",
		"MCL_FUTURE|MCL_ONFAULT",      "MCL_CURRENT|MCL_FUTURE|MCL_ONFAULT",
		"MCL_ONFAULT",		       "0",
	};
	int k = rn(g, 100), m;
	bool middle;
	struct range r = advise_range(g, &middle);
	unsigned long long addr = page_addr(r.s);
	unsigned long len = range_len(g, r.n);

	/* now and then an unaligned start: mlock rounds it down */
	if (chance(g, 8)) {
		addr += 1 + (unsigned long long)rn(g, PG - 1);
		len = PG;
	}
	if (k < 35) {
		step(g, "mlock(%#llx, %lu)", addr, len);
	} else if (k < 60) {
		step(g, "munlock(%#llx, %lu)", addr, len);
	} else if (k < 78) {
		step(g, "mlock2(%#llx, %lu, %s)", addr, len,
		     chance(g, 60) ? "MLOCK_ONFAULT" : "0");
	} else if (k < 92 && !g->opt_status) {
		/* Not with --status: a real mlockall locks and populates the
		 * verifier's own memory too (tests/known/status-mlockall.vml) */
		m = rn(g, g->opt_errors ? 8 : 6);
		step(g, "mlockall(%s)", mcl[m]);
	} else {
		step(g, "munlockall()");
	}
	return true;
}

/* mseal: mostly part of one VMA, now and then across VMAs or holes. */
static bool op_mseal(struct gen *g)
{
	struct proc *p = cur(g);
	struct range sg, r;
	int i;

	if (pick_seg(g, &sg, 1) && chance(g, 80))
		r = sub_range(g, sg.s, sg.n, 3);
	else
		r = random_range(g, MAX_LEN);
	if (g->opt_errors && chance(g, 15)) {
		step(g, "mseal(%#llx, %lu, %d)", page_addr(r.s),
		     (unsigned long)r.n * PG, chance(g, 50) ? 1 : 0);
		return true;
	}
	step(g, "mseal(%#llx, %lu, 0)", page_addr(r.s), range_len(g, r.n));
	/* a hole anywhere: ENOMEM, nothing sealed */
	if (!range_mapped(p, r))
		return true;
	for (i = r.s; i < r.s + r.n; i++)
		p->pg[i].sealed = true;
	return true;
}

static bool op_advise(struct gen *g)
{
	int k = rn(g, 100);
	struct range r;

	if (!g->opt_advise)
		return false;
	if (k < 58)
		return op_madvise(g);
	if (k < 90)
		return op_mlock(g);
	if (k < 97 || !pick_seg(g, &r, 1))
		return op_mseal(g);
	step(g, "prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, %#llx, %lu, "
		"\"name\")",
	     page_addr(r.s), (unsigned long)r.n * PG);
	return true;
}

/* ---- the kernel's placement (--place) ---- */

/*
 * Where unmapped_area_topdown() puts n units in the region, or -1 if it
 * would go below the region.  Above the region is verify's filler (taken,
 * no stack); below it the window is empty.  The highest free run that has
 * n units below high wins, its end cut at high; if the VMA above it is a
 * stack whose guard gap (vm_start_gap) reaches into it, the search starts
 * again below vm_start_gap().
 */
static int place_topdown(const struct proc *p, int n)
{
	int high = NPAGES;

	while (high > 0) {
		int b = high, a, end;

		/* the highest run [a, b) with a page free below high */
		while (b > 0 && is_mapped(&p->pg[b - 1]))
			b--;
		if (b == 0)
			return -1;
		for (a = b; a > 0 && !is_mapped(&p->pg[a - 1]); a--)
			;
		/* the run's true end, above high if high cut it */
		for (end = b; end < NPAGES && !is_mapped(&p->pg[end]); end++)
			;
		if (a > 0 && b - a < n) {
			high = a;
			continue;
		}
		if (end < NPAGES && p->pg[end].growsdown &&
		    end - GUARD_UNITS < b) {
			high = end - GUARD_UNITS;
			continue;
		}
		return b - n >= 0 ? b - n : -1;
	}
	return -1;
}

/*
 * arch_get_unmapped_area_topdown()'s hint rule: the hint is taken if the
 * range fits below TASK_SIZE and ends at or below vm_start_gap() of the
 * VMA after it (find_vma(): the one that ends above the hint).
 */
static bool hint_taken(const struct proc *p, int i, int n)
{
	int j = i, gap;

	while (j < NPAGES && !is_mapped(&p->pg[j]))
		j++;
	if (j == i)
		return false; /* inside a VMA */
	gap = j == NPAGES || !p->pg[j].growsdown ? j : j - GUARD_UNITS;
	return i + n <= gap;
}

/* mmap with no MAP_FIXED: addr is "NULL" or a hint. */
static void emit_mmap_at(struct gen *g, const char *addr, unsigned long len,
			 int prot, int flags, int fd, unsigned long long off)
{
	char pb[64], fb[128];

	step(g, "mmap(%s, %lu, %s, %s, %d, %#llx)", addr, len,
	     prot_str(prot, pb, sizeof(pb)), flags_str(flags, fb, sizeof(fb)),
	     fd, off);
}

/* The attributes of a new mapping of n units, and its fd slot. */
static int place_attrs(struct gen *g, struct page *pg, int n, int *slot)
{
	random_attrs(g, (struct range){0, n}, pg, slot);
	if (pg->kind == K_ANON) {
		pg->obj = 0;
	} else if (pg->kind == K_SHANON) {
		pg->obj = g->next_shm++;
		pg->pgoff = 0;
	}
	if (pg->kind == K_FSHARED && !pg->maywrite)
		pg->prot &= ~P_W;
	return map_flags(pg, false) & ~F_FIXED;
}

/* Map n units at u as the kernel placed them. */
static void place_apply(struct gen *g, int u, int n, struct page *pg)
{
	if (pg->kind == K_ANON)
		pg->pgoff = u;
	apply_map(cur(g), (struct range){u, n}, pg);
}

/* mmap(NULL): top-down; sometimes a stack (MAP_GROWSDOWN). */
static bool pl_null(struct gen *g)
{
	struct page pg;
	int slot, n = 1 + rn(g, MAX_LEN / 2), u, flags;

	flags = place_attrs(g, &pg, n, &slot);
	if (pg.kind == K_ANON && chance(g, 20))
		flags |= F_GROWSDOWN;
	u = place_topdown(cur(g), n);
	if (u < 0)
		return false;
	emit_mmap_at(g, "NULL", range_len(g, n), pg.prot, flags,
		     is_file(&pg) ? FD_FIRST + slot : -1,
		     is_file(&pg) ? (unsigned long long)pg.pgoff * unit : 0);
	pg.growsdown = (flags & F_GROWSDOWN) != 0;
	place_apply(g, u, n, &pg);
	return true;
}

/*
 * A hint: free (taken), in a VMA or reaching into one or into a stack's
 * guard gap (top-down instead), unaligned (rounded down), one that does
 * not fit below TASK_SIZE, or one below mmap_min_addr (raised to it,
 * 64 KiB, far below the window: unmapped at once).
 */
static bool pl_hint(struct gen *g)
{
	struct proc *p = cur(g);
	struct page pg;
	char addr[32];
	int slot, n = 1 + rn(g, MAX_LEN / 2), k = rn(g, 100), i, u, flags;
	unsigned long len;

	flags = place_attrs(g, &pg, n, &slot);
	len = range_len(g, n);
	i = rn(g, NPAGES);
	if (k < 8) {
		/* below mmap_min_addr: 0x1000 or unaligned, up to 0x10000 */
		snprintf(addr, sizeof(addr), "%#lx",
			 chance(g, 50) ? PG : 0x10000UL - 1 - (unsigned)rn(g, PG));
		emit_mmap_at(g, addr, len, pg.prot, flags,
			     is_file(&pg) ? FD_FIRST + slot : -1,
			     is_file(&pg) ? (unsigned long long)pg.pgoff * unit
					  : 0);
		step(g, "munmap(0x10000, %lu)", (unsigned long)n * unit);
		return true;
	}
	if (k < 16) {
		/* no room below TASK_SIZE: mmap_address_hint_valid() fails */
		snprintf(addr, sizeof(addr), "%#llx",
			 0x7ffffffff000ULL - (unsigned long long)PG *
						     (unsigned)rn(g, 4));
		u = place_topdown(p, n);
	} else {
		snprintf(addr, sizeof(addr), "%#llx",
			 page_addr(i) + (chance(g, 20) ? 1 + (unsigned)rn(g, PG - 1)
						       : 0));
		u = hint_taken(p, i, n) ? i : place_topdown(p, n);
	}
	if (u < 0)
		return false;
	emit_mmap_at(g, addr, len, pg.prot, flags,
		     is_file(&pg) ? FD_FIRST + slot : -1,
		     is_file(&pg) ? (unsigned long long)pg.pgoff * unit : 0);
	place_apply(g, u, n, &pg);
	return true;
}

/* A stack at a free run, MAP_FIXED: its guard gap then shapes the rest. */
static bool pl_stack(struct gen *g)
{
	struct proc *p = cur(g);
	struct page pg = {.kind = K_ANON, .prot = P_R | P_W, .maywrite = true,
			  .growsdown = true};
	int n = 1 + rn(g, 2), s = GUARD_UNITS + rn(g, NPAGES - GUARD_UNITS - n + 1);
	struct range r = {s, n};

	if (!range_free(p, r))
		return false;
	emit_mmap(g, page_addr(s), range_len(g, n), pg.prot,
		  F_PRIVATE | F_ANON | F_FIXED | F_GROWSDOWN, -1, 0);
	place_apply(g, s, n, &pg);
	return true;
}

/*
 * mremap(MREMAP_MAYMOVE) of a VMA's last units to more than fits in place
 * (the next units are taken, or the region ends): vrm_set_new_addr() moves
 * it top-down, with the old range still mapped while it searches.
 */
static bool pl_mremap(struct gen *g)
{
	struct proc *p = cur(g);
	struct range sg;
	int end, old, nnew, s, u;

	if (!pick_seg(g, &sg, 1))
		return false;
	end = sg.s + sg.n;
	if (p->pg[sg.s].growsdown || p->pg[sg.s].sealed)
		return false;
	old = 1 + rn(g, min_int(sg.n, 2));
	s = end - old;
	nnew = old + 1 + rn(g, 3);
	if (end + nnew - old <= NPAGES &&
	    range_free(p, (struct range){end, nnew - old}))
		return false; /* it would grow in place */
	u = place_topdown(p, nnew);
	if (u < 0)
		return false;
	emit_mremap(g, s, range_len(g, old), range_len(g, nnew), MR_MAYMOVE,
		    0);
	apply_move(p, s, old, u, nnew, false);
	return true;
}

static bool op_place(struct gen *g)
{
	int k = rn(g, 100);

	if (!g->opt_place)
		return false;
	if (k < 35)
		return pl_null(g);
	if (k < 65)
		return pl_hint(g);
	if (k < 80)
		return pl_stack(g);
	return pl_mremap(g);
}

/* ---- the main loop ---- */

enum op {
	OP_MMAP,
	OP_MUNMAP,
	OP_MPROTECT,
	OP_TOUCH,
	OP_OPENAT,
	OP_FTRUNCATE,
	OP_CLOSE,
	OP_FORK,
	OP_ERROR,
	OP_MREMAP,
	OP_ADVISE,
	OP_BRK,
	OP_READ,
	OP_EXIT,
	OP_PLACE,
	OP_NR
};

/* Weights that keep the region about half full, and files in use. */
static void op_weights(struct gen *g, int *w)
{
	const struct proc *p = cur(g);
	int mapped = count_pages(p, is_mapped), open = nopen(p);
	int writable = count_pages(p, is_writable);

	w[OP_MMAP] = mapped < 10 ? 60 : mapped > 36 ? 16 : 28;
	w[OP_MUNMAP] = mapped < 10 ? 2 : mapped > 36 ? 22 : 10;
	w[OP_MPROTECT] = mapped < 4 ? 4 : 28;
	w[OP_TOUCH] = writable ? 18 : mapped ? 3 : 0;
	w[OP_OPENAT] = open >= MAX_OPEN ? 0 : open ? 3 : 8;
	w[OP_FTRUNCATE] = 3;
	w[OP_CLOSE] = open >= MAX_OPEN ? 6 : 2;
	w[OP_FORK] = !g->opt_fork	      ? 0
		     : g->opt_procs	      ? (g->nlive < g->opt_procs ? 30 : 0)
		     : g->nproc > 1	      ? 3
					      : 4 + g->steps / 2;
	w[OP_ERROR] = g->opt_errors ? 40 : 0;
	w[OP_MREMAP] = !g->opt_mremap ? 0 : mapped < 4 ? 4 : 24;
	w[OP_ADVISE] = g->opt_advise && mapped ? 26 : 0;
	w[OP_BRK] = g->opt_brk ? 30 : 0;
	w[OP_READ] = !g->opt_read ? 0 : mapped ? 12 : 1;
	w[OP_EXIT] = !g->opt_procs || g->nlive < 3	? 0
		     : g->nlive >= g->opt_procs ? 20
						: 5;
	w[OP_PLACE] = g->opt_place ? 40 : 0;
}

static void do_step(struct gen *g)
{
	static bool (*const ops[OP_NR])(struct gen *) = {
		op_mmap,      op_munmap, op_mprotect, op_touch, op_openat,
		op_ftruncate, op_close,	 op_fork,     op_error, op_mremap,
		op_advise,
		op_brk,	      op_read,	 op_exit,
		op_place,
	};
	int w[OP_NR], k;

	op_weights(g, w);
	while ((k = pick_weighted(g, w, OP_NR)) >= 0) {
		if (ops[k](g))
			return;
		w[k] = 0;
	}
	op_mmap(g); /* not reached: op_mmap always succeeds */
}

static void maybe_switch(struct gen *g)
{
	int to;

	if (g->nlive < 2 || !chance(g, 12))
		return;
	to = other_live(g);
	if (to >= 0)
		switch_to(g, to);
}

static void generate(struct gen *g)
{
	printf("# scriptgen seed=%llu steps=%d%s%s%s%s%s%s%s%s%s%s", g->seed,
	       g->nsteps, g->opt_fork ? " --fork" : "",
	       g->opt_errors ? " --errors" : "", g->opt_wild ? " --wild" : "",
	       g->opt_mremap ? " --mremap" : "", g->opt_advise ? " --advise" : "",
	       g->opt_brk ? " --brk" : "", g->opt_large ? " --large" : "",
	       g->opt_status ? " --status" : "", g->opt_read ? " --read" : "",
	       g->opt_place ? " --place" : "");
	if (g->opt_procs)
		printf(" --procs %d", g->opt_procs);
	printf("\n");
	g->rng = g->seed;
	g->nproc = g->nlive = 1;
	g->dump_gap = 4 + rn(g, 3);
	if (g->opt_fork)
		g->max_forks = 2 + rn(g, 2);
	if (g->opt_procs)
		g->max_forks = g->opt_procs - 1;
	while (g->steps < g->nsteps) {
		maybe_switch(g);
		do_step(g);
		if (g->since_dump >= g->dump_gap)
			dump(g);
	}
	if (!g->last_smaps) {
		if (g->opt_status)
			line(g, "status");
		line(g, "smaps");
	}
}

static void usage(FILE *f)
{
	fprintf(f, "usage: scriptgen [-n STEPS] [--fork] [--procs N] [--errors] "
		   "[--wild] [--mremap] [--advise] [--brk] [--large] [--status] "
		   "[--read] [--place] SEED\n");
}

static bool parse_num(const char *s, unsigned long long *out)
{
	char *end;

	if (!*s || *s == '-')
		return false;
	*out = strtoull(s, &end, 10);
	return !*end;
}

int main(int argc, char **argv)
{
	static struct gen g;
	unsigned long long n;
	bool have_seed = false;
	int i;

	g.nsteps = 40;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--fork")) {
			g.opt_fork = true;
		} else if (!strcmp(argv[i], "--errors")) {
			g.opt_errors = true;
		} else if (!strcmp(argv[i], "--wild")) {
			g.opt_wild = true;
		} else if (!strcmp(argv[i], "--mremap")) {
			g.opt_mremap = true;
		} else if (!strcmp(argv[i], "--advise")) {
			g.opt_advise = true;
		} else if (!strcmp(argv[i], "--brk")) {
			g.opt_brk = true;
		} else if (!strcmp(argv[i], "--status")) {
			g.opt_status = true;
		} else if (!strcmp(argv[i], "--read")) {
			g.opt_read = true;
		} else if (!strcmp(argv[i], "--place")) {
			g.opt_place = true;
			unit = PLACE_UNIT;
			region_base = WIN_END - (unsigned long long)NPAGES * unit;
		} else if (!strcmp(argv[i], "--large")) {
			g.opt_large = true;
			unit = LARGE_UNIT;
			region_base = LARGE_BASE;
		} else if (!strcmp(argv[i], "-h") ||
			   !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--procs") && i + 1 < argc &&
			   parse_num(argv[i + 1], &n) && n >= 2 &&
			   n <= MAX_PROCS) {
			g.opt_procs = (int)n;
			g.opt_fork = true;
			i++;
		} else if (!strcmp(argv[i], "-n") && i + 1 < argc &&
			   parse_num(argv[i + 1], &n) && n >= 1 &&
			   n <= 1000000) {
			g.nsteps = (int)n;
			i++;
		} else if (!have_seed && parse_num(argv[i], &g.seed)) {
			have_seed = true;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!have_seed) {
		usage(stderr);
		return 2;
	}
	/* Each moves the region, to a place and a unit of its own. */
	if (g.opt_large && g.opt_place) {
		fprintf(stderr, "scriptgen: --large and --place each choose "
				"the region: give one\n");
		return 2;
	}
	generate(&g);
	return fflush(stdout) ? 1 : 0;
}
