/*
 * verify.c - `vmalab verify`: run a script on the engine and on the running
 * kernel side by side, and stop at the first step where they differ.
 *
 * Each line runs on two sessions, one over the engine (with its trace on,
 * so that the step that went wrong can be shown) and one over the kernel
 * backend.  After each line the printed outputs are compared; after each
 * line that ran a call or a touch the current process's state is compared
 * too, since a wrong Rss or a wrong VMA split may not be printed until much
 * later: the whole smaps in a small process, and in a large one the maps
 * and pages about the call, with the whole smaps every so many calls
 * (FULL_RATIO below), so that a script costs time linear in its length;
 * at the end of the script every process's smaps is compared.
 *
 * Comparison is of the contract, less what a simulation cannot know: dev
 * and inode numbers (and so seq_pad's width), and every VMA outside the
 * window.  The addresses the kernel picks itself are compared exactly:
 * the real process's own mappings fill every gap between the window and
 * its mmap_base, and the engine is given them (give_own_layout), so both
 * search the same gaps and land at the window's top.
 * Lines that only the simulation can run (CMD_ENGINE: vma, ps) run on the
 * engine alone and are not compared.
 *
 * `--kernel-only` runs a script on the kernel alone and prints what batch
 * mode would print: that is how golden files are made.
 */
/* Make and check-asan may replace CFLAGS, and -D_GNU_SOURCE with it. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "backend.h"
#include "session.h"
#include "engine.h"
#include "parse.h"
#include "probe.h"
#include "protocol.h"
#include "kernel.h"
#include "linediff.h"
#include "procfs.h"
#include "strbuf.h"
#include "tree.h"

enum verdict {
	AGREE,
	DIFFER,
	FAILED, /* could not run: no kernel, a process died, ... */
};

struct script {
	const char *name;
	char **lines; /* without their newlines */
	size_t n;
};

struct options {
	bool quiet;
	bool kernel_only;
	/* What the live kernel does where kernels differ: the engine
	 * runs with the same. */
	struct machine_params params;
};

/*
 * One script run on both sides.  The backends are read from the sessions
 * each time (a session may replace its backend), never kept aside.
 */
struct verifier {
	const struct script *sc;
	struct session eng, ker;
	size_t ran;	     /* lines run on both sides and compared */
	unsigned long calls; /* system calls among them (not touch) */
	size_t since_full;   /* calls since the last whole smaps compare */
	bool ranged_only;    /* VMALAB_VERIFY_RANGED=1: see FULL_RATIO */
	/* The reserved VMAs give_own_layout() gave pid 1, and of them those
	 * a fork does not copy: not the script's, so FULL_RATIO skips them. */
	size_t reserved, reserved_dontcopy;
};

static void usage(FILE *f)
{
	fputs("usage: vmalab verify [--quiet] FILE...\n"
	      "       vmalab verify --kernel-only FILE...\n"
	      "\n"
	      "Runs each script (- for stdin) on the engine and on this "
	      "kernel, comparing\nthe output of every line and, after each "
	      "call or touch, the smaps of the\ncurrent process (past 16 "
	      "VMAs: the maps and pages about the call, and the\nwhole "
	      "smaps every VMAs/16 calls); at the end, the smaps of every "
	      "process.\nStops a script at its first divergence and shows "
	      "it with the engine's trace.\nA script that compares no system "
	      "call (\"nothing verified\"), or stops\nbefore its end (quit, "
	      "a kernel process lost), fails, saying how far it got.\n"
	      "\n"
	      "Addresses the kernel chooses (mmap with NULL or a hint it does "
	      "not take,\nmremap MREMAP_MAYMOVE without MREMAP_FIXED) are "
	      "compared exactly. The real\nprocess runs without "
	      "randomisation, its mmap_base at 0x400000000000, and\nfills "
	      "every gap between the window's end and there, so the highest "
	      "free\ngap is in the window: such a mapping lands at the "
	      "window's top\n(0x201000000000 and down), where a script can "
	      "name it. The engine is given the\nreal process's mappings as "
	      "reserved VMAs and the same mmap_base. Outside\nthe window "
	      "and the brk area only results are compared, not VMAs.\n"
	      "\n"
	      "  --quiet        print nothing for scripts that agree\n"
	      "  --kernel-only  run on the kernel only and print what batch "
	      "mode prints\n                 (for golden files)\n"
	      "  --help         this text\n"
	      "\n"
	      "Exit status: 0 all agree, 1 some differ, 2 usage or system "
	      "error.\n",
	      f);
}

/* ---------------------------------------------------------------------- */
/* Scripts and lines.                                                      */
/* ---------------------------------------------------------------------- */

static int read_script(const char *path, struct script *sc)
{
	FILE *in = strcmp(path, "-") ? fopen(path, "r") : stdin;
	/* One byte past the limit: the parser says the line is too long. */
	char *line = malloc(MAX_LINE + 2);
	size_t cap = 0;
	struct stat st;
	long n;

	memset(sc, 0, sizeof(*sc));
	sc->name = strcmp(path, "-") ? path : "<stdin>";
	if (!line)
		abort();
	if (!in || (fstat(fileno(in), &st) == 0 && S_ISDIR(st.st_mode))) {
		fprintf(stderr, "vmalab: verify: %s: %s\n", path,
			strerror(in ? EISDIR : errno));
		if (in && in != stdin)
			fclose(in);
		free(line);
		return -1;
	}
	while ((n = read_line_bounded(in, line, MAX_LINE + 1, NULL)) >= 0) {
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (sc->n == cap) {
			cap = cap ? 2 * cap : 64;
			sc->lines = realloc(sc->lines, cap * sizeof(char *));
		}
		if (!sc->lines || !(sc->lines[sc->n] = strdup(line)))
			abort();
		sc->n++;
	}
	free(line);
	if (ferror(in)) {
		fprintf(stderr, "vmalab: verify: %s: read error: %s\n", path,
			strerror(errno ? errno : EIO));
		if (in != stdin)
			fclose(in);
		return -1;
	}
	if (in != stdin)
		fclose(in);
	return 0;
}

static void free_script(struct script *sc)
{
	for (size_t i = 0; i < sc->n; i++)
		free(sc->lines[i]);
	free(sc->lines);
}

/* ---------------------------------------------------------------------- */
/* Running a script on both sides.                                         */
/* ---------------------------------------------------------------------- */

/* "verify: FILE:LINE: ... after: LINE", the script so far, then what. */
static void report_header(const struct verifier *v, size_t upto,
			  const char *what)
{
	const char *line = upto ? v->sc->lines[upto - 1] : "";

	printf("verify: %s:%zu: engine and kernel differ after: %s\n",
	       v->sc->name, upto, line);
	if (what)
		printf("%s\n", what);
	printf("script:\n");
	for (size_t i = 0; i < upto; i++)
		printf("%5zu  %s\n", i + 1, v->sc->lines[i]);
}

static void report_trace(const struct verifier *v)
{
	const char *tr = sb_str(&v->eng.tr);

	printf("engine trace:\n%s", *tr ? tr : "  (none)\n");
	fflush(stdout);
}

static enum verdict kernel_failed(const struct verifier *v, size_t upto)
{
	fprintf(stderr,
		"verify: %s:%zu: %s (after: %s): stopped, %zu of %zu lines "
		"verified\n",
		v->sc->name, upto, kernel_backend_failure(v->ker.be),
		upto ? v->sc->lines[upto - 1] : "", upto ? upto - 1 : 0,
		v->sc->n);
	return FAILED;
}

/* Count the system calls a line compared (touch is no system call). */
static void count_calls(struct verifier *v)
{
	for (size_t i = 0; i < v->ker.nspans; i++)
		v->calls += v->ker.spans[i].nr >= 0;
}

/* Is there anything but blank lines and comments from line i on? */
static bool lines_left(const struct script *sc, size_t i)
{
	for (; i < sc->n; i++) {
		const char *l = sc->lines[i] + strspn(sc->lines[i], " \t");

		if (*l && *l != '#')
			return true;
	}
	return false;
}

/* The current process's smaps on one side. */
static void current_smaps(struct backend *be, struct strbuf *out)
{
	be->ops->maps(be, true, out);
}

/* Compare smaps of the current processes; what names them for a report. */
static enum verdict compare_smaps(struct verifier *v, size_t upto,
				  const char *what)
{
	struct strbuf k = STRBUF_INIT, e = STRBUF_INIT;
	enum verdict ret = AGREE;

	current_smaps(v->ker.be, &k);
	current_smaps(v->eng.be, &e);
	if (kernel_backend_failure(v->ker.be)) {
		ret = kernel_failed(v, upto);
	} else if (!same_output(sb_str(&k), sb_str(&e))) {
		report_header(v, upto, what);
		show_difference(sb_str(&k), sb_str(&e));
		report_trace(v);
		ret = DIFFER;
	}
	sb_free(&k);
	sb_free(&e);
	return ret;
}

/* A line that one side took as malformed and the other ran. */
static enum verdict report_rejected(struct verifier *v, size_t upto,
				    bool engine_rejected)
{
	const char *what =
		engine_rejected
			? "the engine rejected the line, the kernel ran it"
			: "the kernel rejected the line, the engine ran it";

	report_header(v, upto, what);
	show_difference(sb_str(&v->ker.out), sb_str(&v->eng.out));
	report_trace(v);
	return DIFFER;
}

/*
 * Checks after each call that grow with the process's VMAs would make a
 * script quadratic: a call's smaps compare reads every VMA on both sides.
 * So after a call whose addresses are known, the maps lines of the VMAs
 * about them (found by address on both sides) and their pages are
 * compared, and the whole smaps only once the calls since the last whole
 * compare are a FULL_RATIO-th of the VMAs: FULL_RATIO VMAs' worth
 * of smaps a call.  Below FULL_RATIO VMAs that is every call, as it was.
 * VMALAB_VERIFY_RANGED=1 (for the tests of the ranged check) leaves the
 * whole compare to the end of the script.
 */
#define FULL_RATIO 16
#define PAGES_MAX 4096 /* pages compared about a call, at most */

/* [lo, hi) of one call's addresses, or false if it is not known. */
static bool call_range(const struct step_action *a, long ret,
		       unsigned long *lo, unsigned long *hi)
{
	const unsigned long *x = a->c.a;
	unsigned long l = ~0UL, h = 0;

#define SPAN(s, n)                                      \
	do {                                            \
		unsigned long s_ = (s), e_ = s_ + (n);  \
		if (e_ < s_)                            \
			e_ = ~0UL;                      \
		l = s_ < l ? s_ : l;                    \
		h = e_ > h ? e_ : h;                    \
	} while (0)
	if (a->is_switch)
		return false;
	switch (a->c.nr) {
	case NR_READ:
		/* do_fault_around maps pages about the range, within each
		 * page table (2 MiB) it reaches */
		if (x[1] && x[0] + x[1] > x[0]) {
			l = x[0] & ~((1UL << 21) - 1);
			h = ((x[0] + x[1] - 1) | ((1UL << 21) - 1)) + 1;
			if (!h)
				h = ~0UL;
		}
		break;
	case NR_TOUCH:
	case SYS_munmap:
	case SYS_mprotect:
	case SYS_madvise:
	case SYS_mlock:
	case SYS_munlock:
	case SYS_mlock2:
	case SYS_msync:
		SPAN(x[0], x[1]);
		break;
	case SYS_mmap:
		SPAN(x[0], x[1]);
		if (ret >= 0 || ret < -4095)
			SPAN((unsigned long)ret, x[1]);
		break;
	case SYS_mremap:
		SPAN(x[0], x[1] > x[2] ? x[1] : x[2]);
		SPAN(x[4], x[2]);
		if (ret >= 0 || ret < -4095)
			SPAN((unsigned long)ret, x[2]);
		break;
	case SYS_close:
	case SYS_dup:
	case SYS_dup2:
	case SYS_dup3:
		/* No mapping changes: nothing about them to compare. */
		break;
	case SYS_openat:
		if (x[2] & O_TRUNC) /* truncation reaches every mapping */
			return false;
		break;
	default:
		return false;
	}
#undef SPAN
	if (l > h) { /* nothing */
		*lo = *hi = 0;
		return true;
	}
	/* The neighbours too: a merge or split reaches one page past. */
	*lo = (l & PAGE_MASK) > PAGE_SIZE ? (l & PAGE_MASK) - PAGE_SIZE : 0;
	*hi = h + PAGE_SIZE < h ? ~0UL : PAGE_ALIGN(h) + PAGE_SIZE;
	return true;
}

/* Where the line's calls reached, or false for a whole compare. */
static bool line_range(const struct session *s, unsigned long *lo,
		       unsigned long *hi)
{
	size_t span = 0;

	*lo = ~0UL;
	*hi = 0;
	/* One result a call, or the results cannot be told apart. */
	if (s->nspans != s->line_nacts)
		return false;
	for (size_t i = 0; i < s->line_nacts; i++) {
		unsigned long l, h;

		if (!call_range(&s->line_acts[i], s->spans[span++].ret, &l, &h))
			return false;
		if (l < h) {
			*lo = l < *lo ? l : *lo;
			*hi = h > *hi ? h : *hi;
		}
	}
	if (*lo > *hi)
		*lo = *hi = 0;
	return true;
}

/* The maps lines of the engine's current VMAs that meet [lo, hi). */
static void engine_maps_range(struct backend *be, unsigned long lo,
			      unsigned long hi, struct strbuf *out)
{
	struct machine *m = engine_backend_machine(be);
	const struct mm *mm = machine_mm(m, machine_current_pid(m));

	for (const struct vma *vma = vt_find(&mm->tree, lo);
	     vma && vma->vm_start < hi; vma = vt_next(vma))
		show_map_vma(vma, out);
}

/* The ranged check about [lo, hi): maps lines, then pages.  *whole is
 * set where it cannot be made (a kernel without PROCMAP_QUERY). */
static enum verdict compare_range(struct verifier *v, size_t upto,
				  unsigned long lo, unsigned long hi,
				  bool *whole)
{
	struct strbuf k = STRBUF_INIT, e = STRBUF_INIT;
	enum verdict ret = AGREE;
	int pid = machine_current_pid(engine_backend_machine(v->eng.be));
	char what[160];

	if (lo >= hi)
		return AGREE;
	if (lo < VERIFY_WINDOW_START)
		lo = VERIFY_WINDOW_START;
	if (hi > VERIFY_WINDOW_END)
		hi = VERIFY_WINDOW_END;
	if (lo >= hi)
		return AGREE;
	if (kernel_backend_maps_range(v->ker.be, lo, hi, &k)) {
		sb_free(&k);
		if (kernel_backend_failure(v->ker.be))
			return kernel_failed(v, upto);
		*whole = true;
		return AGREE;
	}
	engine_maps_range(v->eng.be, lo, hi, &e);
	if (!same_output(sb_str(&k), sb_str(&e))) {
		snprintf(what, sizeof(what),
			 "(the output agrees; the maps of pid %d about "
			 "[%#lx, %#lx), not printed, differ)",
			 pid, lo, hi);
		report_header(v, upto, what);
		show_difference(sb_str(&k), sb_str(&e));
		report_trace(v);
		ret = DIFFER;
	} else if ((hi - lo) / PAGE_SIZE <= PAGES_MAX) {
		unsigned long n = (hi - lo) / PAGE_SIZE;

		sb_reset(&k);
		sb_reset(&e);
		sb_grow(&k, n + 1);
		sb_grow(&e, n + 1);
		if (v->ker.be->ops->pages(v->ker.be, lo, n, k.buf) ||
		    v->eng.be->ops->pages(v->eng.be, lo, n, e.buf)) {
			ret = kernel_backend_failure(v->ker.be)
				      ? kernel_failed(v, upto)
				      : AGREE;
		} else if (memcmp(k.buf, e.buf, n)) {
			unsigned long i = 0;

			while (k.buf[i] == e.buf[i])
				i++;
			snprintf(what, sizeof(what),
				 "(the output agrees; the page at %#lx of pid "
				 "%d, not printed, differs: kernel '%c', "
				 "engine '%c')",
				 lo + i * PAGE_SIZE, pid, k.buf[i], e.buf[i]);
			report_header(v, upto, what);
			report_trace(v);
			ret = DIFFER;
		}
	}
	sb_free(&k);
	sb_free(&e);
	return ret;
}

static enum verdict verify_line(struct verifier *v, size_t i)
{
	const char *line = v->sc->lines[i];
	size_t len = strlen(line);
	int eerr = v->eng.errors, kerr = v->ker.errors;
	unsigned long eviol = v->eng.violations;
	bool erej, krej;
	unsigned long lo, hi;
	char what[96];

	v->eng.line = v->ker.line = (long)i + 1;
	session_run_line(&v->eng, line, len);
	/* The engine broke its own invariants (checking mode): above. */
	if (v->eng.violations != eviol) {
		report_header(v, i + 1,
			      "(the engine's checkers found violations: "
			      "above)");
		report_trace(v);
		return DIFFER;
	}
	/*
	 * A call the engine does not simulate can never agree: it is a
	 * failure that names the call, and the kernel does not run it.
	 */
	if (v->eng.unsimulated) {
		fprintf(stderr,
			"verify: %s:%zu: the engine does not simulate this "
			"call: %s\n",
			v->sc->name, i + 1, line);
		return FAILED;
	}
	/* What only the simulation can show runs on the engine alone. */
	if (v->eng.last_cmd && (v->eng.last_cmd->flags & CMD_ENGINE))
		return AGREE;
	session_run_line(&v->ker, line, len);
	if (kernel_backend_failure(v->ker.be))
		return kernel_failed(v, i + 1);
	erej = v->eng.errors != eerr;
	krej = v->ker.errors != kerr;
	v->ran = i + 1;
	count_calls(v);
	if (erej != krej)
		return report_rejected(v, i + 1, erej);
	if (!same_output(sb_str(&v->ker.out), sb_str(&v->eng.out))) {
		report_header(v, i + 1, NULL);
		show_difference(sb_str(&v->ker.out), sb_str(&v->eng.out));
		report_trace(v);
		return DIFFER;
	}
	/* A line that made calls may have changed what it did not print. */
	if (!v->eng.calls || erej)
		return AGREE;
	if (line_range(&v->eng, &lo, &hi)) {
		const struct machine *m = engine_backend_machine(v->eng.be);
		const struct mm *mm = machine_mm(m, machine_current_pid(m));
		size_t vmas = mm ? (size_t)mm->map_count : 0;
		size_t own = machine_current_pid(m) == 1
				     ? v->reserved
				     : v->reserved - v->reserved_dontcopy;

		vmas = vmas > own ? vmas - own : 0;
		bool whole = false;
		enum verdict r = compare_range(v, i + 1, lo, hi, &whole);

		v->since_full += v->eng.calls;
		if (r != AGREE ||
		    (!whole && (v->ranged_only ||
				v->since_full * FULL_RATIO < vmas)))
			return r;
	}
	v->since_full = 0;
	snprintf(what, sizeof(what),
		 "(the output agrees; the smaps of pid %d, not printed, "
		 "differs)",
		 machine_current_pid(engine_backend_machine(v->eng.be)));
	return compare_smaps(v, i + 1, what);
}

/* At the end: every process's smaps, and no process on one side only. */
static enum verdict verify_end(struct verifier *v)
{
	struct machine *m = engine_backend_machine(v->eng.be);
	int n = machine_pids(m, NULL, 0), *pids = calloc(n + 1, sizeof(int));
	enum verdict ret = AGREE;
	char what[96];

	if (!pids)
		abort();
	machine_pids(m, pids, n);
	sb_reset(&v->eng.tr);
	for (int i = 0; i < n && ret == AGREE; i++) {
		snprintf(what, sizeof(what),
			 "(at the end of the script: the smaps of pid %d "
			 "differs)",
			 pids[i]);
		if (v->ker.be->ops->switch_to(v->ker.be, pids[i])) {
			snprintf(what, sizeof(what),
				 "(at the end of the script: pid %d exists in "
				 "the engine only)",
				 pids[i]);
			report_header(v, v->sc->n, what);
			ret = DIFFER;
			break;
		}
		v->eng.be->ops->switch_to(v->eng.be, pids[i]);
		ret = compare_smaps(v, v->sc->n, what);
	}
	if (ret == AGREE &&
	    !v->ker.be->ops->switch_to(v->ker.be, n ? pids[n - 1] + 1 : 1)) {
		snprintf(what, sizeof(what),
			 "(at the end of the script: pid %d exists in the "
			 "kernel only)",
			 n ? pids[n - 1] + 1 : 1);
		report_header(v, v->sc->n, what);
		ret = DIFFER;
	}
	free(pids);
	return ret;
}

/*
 * Give the engine's first process what the real one has beside the
 * script: its own mappings (the program, libc, stack, vDSO, verify's
 * buffers and the reservations that fill the gaps above the window) as
 * reserved VMAs, and its mmap_base, so that get_unmapped_area() searches
 * the same gaps on both sides and a kernel-chosen address compares
 * exactly.  The reserved VMAs are VM_SPECIAL (never merged, locked or
 * populated) and in no counter, so status still shows only the
 * script's part.  Those that meet the engine's brk area are left out:
 * verify moves that area to the real one (kernel.c).
 */
static int give_own_layout(struct verifier *v, struct backend *eng,
			   struct backend *ker)
{
	struct machine *m = engine_backend_machine(eng);
	const struct kernel_own_vma *own;
	size_t n = kernel_backend_own_vmas(ker, &own);
	unsigned long a[6] = {LAYOUT_MMAP_BASE, VERIFY_MMAP_BASE};

	if (machine_syscall(m, NR_LAYOUT, a, NULL, NULL))
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct kernel_own_vma *o = &own[i];

		if (o->start < VERIFY_BRK_BASE + VERIFY_BRK_SPAN &&
		    o->end > VERIFY_BRK_BASE)
			continue;
		a[0] = o->start;
		a[1] = o->end;
		a[2] = o->start >> PAGE_SHIFT;
		a[3] = VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP |
		       (o->growsdown ? VM_GROWSDOWN : 0) |
		       (o->dontcopy ? VM_DONTCOPY : 0);
		a[4] = GIVEN_RESERVED;
		if (machine_syscall(m, NR_GIVEN_VMA, a, NULL, NULL))
			return -1;
		v->reserved++;
		v->reserved_dontcopy += o->dontcopy;
	}
	return 0;
}

static enum verdict verify_script(const struct script *sc,
				  const struct options *o)
{
	struct verifier v = {.sc = sc};
	enum verdict ret = AGREE;
	struct backend *kbe;
	char err[512];
	size_t i;

	kbe = kernel_backend_new(err, sizeof(err));
	if (!kbe) {
		fprintf(stderr,
			"verify: %s: cannot start the kernel side: %s\n",
			sc->name, err);
		return FAILED;
	}
	session_init(&v.eng, engine_backend_new(&o->params));
	session_init(&v.ker, kbe);
	if (give_own_layout(&v, v.eng.be, kbe)) {
		fprintf(stderr,
			"verify: %s: the engine refused the real process's "
			"own mappings\n",
			sc->name);
		session_fini(&v.eng);
		session_fini(&v.ker);
		v.eng.be->ops->destroy(v.eng.be);
		v.ker.be->ops->destroy(v.ker.be);
		return FAILED;
	}
	session_set_trace(&v.eng, true);
	v.eng.keep_calls = true;
	v.ranged_only = getenv("VMALAB_VERIFY_RANGED") &&
			!strcmp(getenv("VMALAB_VERIFY_RANGED"), "1");
	v.eng.src = v.ker.src = sc->name;
	v.ker.sink = diag_null;	  /* each malformed line is reported once */
	v.eng.trace_apart = true; /* a sourced script's trace is no output */
	for (i = 0; i < sc->n && ret == AGREE && !v.eng.quit; i++)
		ret = verify_line(&v, i);
	if (ret == AGREE)
		ret = verify_end(&v);
	if (ret == AGREE && v.eng.quit && lines_left(sc, i)) {
		/* What follows quit was never run: it proves nothing. */
		fprintf(stderr,
			"verify: %s:%zu: quit: stopped, %zu of %zu lines "
			"verified (a script must run to its end)\n",
			sc->name, i, i, sc->n);
		ret = FAILED;
	}
	if (ret == AGREE && !v.calls) {
		fprintf(stderr,
			"verify: %s: nothing verified: %zu lines, no system "
			"call compared with the kernel\n",
			sc->name, sc->n);
		ret = FAILED;
	}
	if (ret == AGREE && v.eng.errors) {
		/* Skipped on both sides, a typo would hide a whole step. */
		fprintf(stderr,
			"verify: %s: %d malformed line%s (above): a script "
			"must be valid to be verified\n",
			sc->name, v.eng.errors, v.eng.errors == 1 ? "" : "s");
		ret = FAILED;
	}
	if (ret == AGREE && !o->quiet)
		printf("verify: %s: %zu lines, %lu call%s, engine and kernel "
		       "agree\n",
		       sc->name, sc->n, v.calls, v.calls == 1 ? "" : "s");
	fflush(stdout);
	session_fini(&v.eng);
	session_fini(&v.ker);
	v.eng.be->ops->destroy(v.eng.be);
	v.ker.be->ops->destroy(v.ker.be);
	return ret;
}

/* --kernel-only: what batch mode would print, from the kernel. */
static int kernel_only(const struct script *sc)
{
	struct session s;
	struct backend *be;
	char err[512];
	int ret;

	be = kernel_backend_new(err, sizeof(err));
	if (!be) {
		fprintf(stderr,
			"verify: %s: cannot start the kernel side: %s\n",
			sc->name, err);
		return 2;
	}
	session_init(&s, be);
	s.src = sc->name;
	for (size_t i = 0; i < sc->n && !s.quit; i++) {
		s.line = (long)i + 1;
		session_run_line(&s, sc->lines[i], strlen(sc->lines[i]));
		if (kernel_backend_failure(s.be)) {
			fprintf(stderr, "verify: %s:%zu: %s\n", sc->name, i + 1,
				kernel_backend_failure(s.be));
			s.errors = -1;
			break;
		}
		fputs(sb_str(&s.out), stdout);
	}
	fflush(stdout);
	ret = s.errors < 0 ? 2 : s.errors ? 1 : 0;
	session_fini(&s);
	s.be->ops->destroy(s.be);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* The command.                                                            */
/* ---------------------------------------------------------------------- */

static int parse_options(int argc, char **argv, struct options *o, int *first)
{
	int i;

	memset(o, 0, sizeof(*o));
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q")) {
			o->quiet = true;
		} else if (!strcmp(argv[i], "--kernel-only")) {
			o->kernel_only = true;
		} else if (!strcmp(argv[i], "--help") ||
			   !strcmp(argv[i], "-h")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "vmalab: verify: unknown option %s\n",
				argv[i]);
			usage(stderr);
			return -1;
		} else {
			break;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "vmalab: verify: no script given\n");
		usage(stderr);
		return -1;
	}
	*first = i;
	return 0;
}

/*
 * Probe the kernel once, in the directory the kernel side's processes
 * will work in, and say what the engine will assume.
 */
static int start_probe(struct options *o)
{
	const char *tmp = getenv("TMPDIR");
	char err[256], text[400];

	if (probe_machine(&o->params, tmp && *tmp ? tmp : "/tmp", err,
			  sizeof(err)) ||
	    mutation_from_env(&o->params, err, sizeof(err))) {
		fprintf(stderr, "vmalab: verify: %s\n", err);
		return -1;
	}
	format_machine_params(&o->params, text, sizeof(text));
	if (!o->quiet)
		printf("verify: this kernel: %s\n", text);
	return 0;
}

int verify_main(int argc, char **argv)
{
	int first, scripts = 0, agree = 0, differ = 0, failed = 0, status = 0;
	struct options o;

	/* The real process for simulated pid 1, exec'd by the controller. */
	if (argc > 1 && !strcmp(argv[1], "--kernel-process"))
		return child_process_main(argc, argv);
	if (parse_options(argc, argv, &o, &first))
		return 2;
	if (!o.kernel_only && start_probe(&o))
		return 2;
	for (int i = first; i < argc; i++) {
		struct script sc;
		int r;

		scripts++;
		if (read_script(argv[i], &sc)) {
			failed++;
			status = 2;
			continue;
		}
		if (o.kernel_only) {
			r = kernel_only(&sc);
			status = r > status ? r : status;
			free_script(&sc);
			continue;
		}
		switch (verify_script(&sc, &o)) {
		case AGREE:
			agree++;
			break;
		case DIFFER:
			differ++;
			status = status ? status : 1;
			break;
		case FAILED:
			failed++;
			status = 2;
			break;
		}
		free_script(&sc);
	}
	if (!o.kernel_only && scripts > 1 && (!o.quiet || agree < scripts)) {
		printf("verify: %d scripts, %d agree, %d differ", scripts,
		       agree, differ);
		if (failed)
			printf(", %d failed", failed);
		printf("\n");
	}
	return status;
}
