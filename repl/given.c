/*
 * given.c - the `given` command (state from outside, as pseudo-calls),
 * and reading a real address space into `given` lines: load-maps from a
 * saved /proc/PID/smaps, attach from a live process's smaps and pagemap.
 * The reading is plain file I/O; the engine only ever sees the calls.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/fs.h>
#include "given.h"
#include "handlers.h"
#include "procfs.h"
#include "hostio.h"

const char given_assumptions[] =
	"# assumed: each VMA with anonymous pages has the anon_vma a first "
	"write fault\n"
	"#   would give it (a compatible neighbour's, else its own); none is "
	"a fork child\n"
	"# assumed: vm_flags from VmFlags, else from the permissions; pages "
	"from pagemap,\n"
	"#   else Anonymous first then file pages from the VMA's start "
	"([stack]: its top)\n";

/* ---- one maps line ---- */

struct maps_rec {
	unsigned long start, end, off;
	char perms[5];
	const char *name; /* into the text */
	size_t name_len;
	vm_flags_t flags;
	bool has_flags;
	unsigned long rss_kb, anon_kb;
};

static bool name_is(const struct maps_rec *r, const char *s)
{
	return r->name_len == strlen(s) && !memcmp(r->name, s, r->name_len);
}

/* Parse "start-end perms offset dev inode [name]" from [s, e). */
static bool parse_maps_line(const char *s, const char *e, struct maps_rec *r)
{
	char buf[512];
	unsigned maj, min;
	unsigned long ino;
	int n = 0;

	snprintf(buf, sizeof(buf), "%.*s", (int)(e - s > 500 ? 500 : e - s), s);
	memset(r, 0, sizeof(*r));
	if (sscanf(buf, "%lx-%lx %4s %lx %x:%x %lu%n", &r->start, &r->end,
		   r->perms, &r->off, &maj, &min, &ino, &n) != 7 ||
	    strlen(r->perms) != 4)
		return false;
	s += n;
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\r'))
		e--;
	r->name = s;
	r->name_len = (size_t)(e - s);
	return true;
}

/* smaps VmFlags mnemonics back to bits. */
static int parse_vmflags(const char *s, const char *e, vm_flags_t *out)
{
	*out = 0;
	while (s < e) {
		const char *w;
		int bit;

		while (s < e && (*s == ' ' || *s == ','))
			s++;
		for (w = s; s < e && *s != ' ' && *s != ','; s++)
			;
		if (s == w)
			break;
		for (bit = 0; bit < 64; bit++) {
			const char *mn = vm_flag_mnemonic(bit);

			if (mn && strlen(mn) == (size_t)(s - w) &&
			    !memcmp(mn, w, (size_t)(s - w)))
				break;
		}
		if (bit == 64)
			return -1;
		*out |= 1UL << bit;
	}
	return 0;
}

/* What the kernel would have for these permissions (no VmFlags). */
static vm_flags_t flags_from_perms(const struct maps_rec *r, int kind)
{
	vm_flags_t f = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;

	f |= r->perms[0] == 'r' ? VM_READ : 0;
	f |= r->perms[1] == 'w' ? VM_WRITE : 0;
	f |= r->perms[2] == 'x' ? VM_EXEC : 0;
	if (r->perms[3] == 's')
		f |= VM_SHARED | VM_MAYSHARE;
	else if (f & VM_WRITE)
		f |= VM_ACCOUNT; /* accountable_mapping() */
	if (kind == GIVEN_STACK)
		f |= VM_GROWSDOWN;
	if (kind == GIVEN_VVAR || kind == GIVEN_VVAR_VCLOCK)
		f = VM_READ | VM_MAYREAD | VM_IO | VM_DONTDUMP | VM_PFNMAP |
		    VM_DONTEXPAND;
	if (kind == GIVEN_VDSO)
		f |= VM_DONTEXPAND;
	return f;
}

/* The kind of VMA a maps name says; path gets the file's path. */
static int kind_of(const struct maps_rec *r, char *path, size_t len,
		   bool *dropped)
{
	static const char deleted[] = " (deleted)";
	size_t n = r->name_len, dl = sizeof(deleted) - 1;

	*dropped = false;
	path[0] = '\0';
	if (!n)
		return r->perms[3] == 's' ? GIVEN_SHMEM : GIVEN_ANON;
	if (name_is(r, "[heap]"))
		return GIVEN_HEAP;
	if (name_is(r, "[stack]"))
		return GIVEN_STACK;
	if (name_is(r, "[vvar]"))
		return GIVEN_VVAR;
	if (name_is(r, "[vvar_vclock]"))
		return GIVEN_VVAR_VCLOCK;
	if (name_is(r, "[vdso]"))
		return GIVEN_VDSO;
	if (name_is(r, "/dev/zero (deleted)"))
		return GIVEN_SHMEM;
	if (r->name[0] == '[') {
		/* [anon:NAME] and the like: not modelled, loaded unnamed. */
		*dropped = true;
		return GIVEN_ANON;
	}
	if (n > dl && !memcmp(r->name + n - dl, deleted, dl)) {
		snprintf(path, len, "%.*s", (int)(n - dl), r->name);
		return GIVEN_FILE_DELETED;
	}
	snprintf(path, len, "%.*s", (int)n, r->name);
	return GIVEN_FILE;
}

static const char *const kind_words[GIVEN__COUNT] = {
	[GIVEN_ANON] = "anon",
	[GIVEN_FILE] = "file",
	[GIVEN_FILE_DELETED] = "deleted",
	[GIVEN_SHMEM] = "shmem",
	[GIVEN_VVAR] = "vvar",
	[GIVEN_VVAR_VCLOCK] = "vvar_vclock",
	[GIVEN_VDSO] = "vdso",
	[GIVEN_HEAP] = "heap",
	[GIVEN_STACK] = "stack",
};

/* ---- `given` lines from smaps text ---- */

static void add_pages_line(struct strbuf *out, unsigned long addr,
			   unsigned long n, char kind)
{
	static const char *const words[] = {
		['a'] = "anon", ['f'] = "file", ['z'] = "zero"};

	sb_addf(out, "given pages %#lx %lu %s\n", addr, n << PAGE_SHIFT,
		words[(unsigned char)kind]);
}

/*
 * Runs of pages of one kind, in address order, as `given pages` lines:
 * a run is written when a page of another kind (or a hole) ends it, so
 * that a VMA of any size costs no memory of its own (a sanitizer's
 * shadow reservation is terabytes).
 */
struct page_runs {
	struct strbuf *out;
	unsigned long start, n;	/* the open run: pages [start, start+n) */
	char kind;		/* 'a', 'f', 'z'; 0 when none is open */
};

static void runs_flush(struct page_runs *rs)
{
	if (rs->kind && rs->n)
		add_pages_line(rs->out, rs->start, rs->n, rs->kind);
	rs->kind = 0;
	rs->n = 0;
}

/* n pages of `kind` ('.' for not present) at addr. */
static void runs_add(struct page_runs *rs, unsigned long addr,
		     unsigned long n, char kind)
{
	if (rs->kind == kind &&
	    rs->start + (rs->n << PAGE_SHIFT) == addr) {
		rs->n += n;
		return;
	}
	runs_flush(rs);
	if (kind == '.' || !n)
		return;
	rs->start = addr;
	rs->n = n;
	rs->kind = kind;
}

#define PM_PRESENT (1ULL << 63)
#define PM_FILE (1ULL << 61)
#define PM_PFN_MASK ((1ULL << 55) - 1)

/* Each page of [start, end) from pagemap read 512 entries at a time. */
static int read_pagemap(int pm, unsigned long start, unsigned long end,
			unsigned long long zpfn, struct page_runs *rs)
{
	unsigned long n = (end - start) >> PAGE_SHIFT;
	unsigned long long buf[512];

	for (unsigned long i = 0; i < n;) {
		size_t k = n - i < 512 ? n - i : 512;
		off_t at = (off_t)(((start >> PAGE_SHIFT) + i) * 8);
		ssize_t got = pread(pm, buf, k * 8, at);

		if (got <= 0)
			return -1;
		k = (size_t)got / 8;
		for (size_t j = 0; j < k; j++) {
			unsigned long long e = buf[j];

			runs_add(rs, start + ((i + j) << PAGE_SHIFT), 1,
				 !(e & PM_PRESENT)		       ? '.'
				 : e & PM_FILE			       ? 'f'
				 : zpfn && (e & PM_PFN_MASK) == zpfn ? 'z'
								       : 'a');
		}
		i += k;
	}
	return 0;
}

/*
 * The PAGEMAP_SCAN ioctl (Linux 6.7, fs/proc/task_mmu.c
 * do_pagemap_scan): the present pages of [start, end) as ranges of one
 * category each, so that a huge sparse VMA costs what is present in it.
 * The zero page is PAGE_IS_PFNZERO without CAP_SYS_ADMIN.  Defined here
 * for headers older than the kernel.
 */
#ifndef PAGEMAP_SCAN
struct page_region {
	unsigned long long start, end, categories;
};
struct pm_scan_arg {
	unsigned long long size, flags, start, end, walk_end, vec, vec_len;
	unsigned long long max_pages, category_inverted, category_mask;
	unsigned long long category_anyof_mask, return_mask;
};
#define PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)
#define PAGE_IS_FILE (1 << 2)
#define PAGE_IS_PRESENT (1 << 3)
#define PAGE_IS_PFNZERO (1 << 5)
#endif

/* 0, or -1 when this kernel has no PAGEMAP_SCAN (then read_pagemap). */
static int scan_pagemap(int pm, unsigned long start, unsigned long end,
			struct page_runs *rs)
{
	struct page_region vec[256];
	struct pm_scan_arg arg = {
		.size = sizeof(arg),
		.vec = (unsigned long long)(unsigned long)vec,
		.vec_len = sizeof(vec) / sizeof(vec[0]),
		.category_anyof_mask = PAGE_IS_PRESENT,
		.return_mask = PAGE_IS_PRESENT | PAGE_IS_FILE | PAGE_IS_PFNZERO,
	};
	unsigned long at = start;

	/* valgrind does not know what PAGEMAP_SCAN writes through arg.vec:
	 * start from defined entries (memcheck would call them
	 * uninitialised) */
	memset(vec, 0, sizeof(vec));
	while (at < end) {
		long got;

		arg.start = at;
		arg.end = end;
		got = ioctl(pm, PAGEMAP_SCAN, &arg);
		if (got < 0)
			return -1;
		for (long i = 0; i < got; i++) {
			unsigned long long c = vec[i].categories;

			runs_add(rs, vec[i].start,
				 (vec[i].end - vec[i].start) >> PAGE_SHIFT,
				 c & PAGE_IS_FILE	 ? 'f'
				 : c & PAGE_IS_PFNZERO ? 'z'
						       : 'a');
		}
		if (arg.walk_end <= at)
			break;
		at = arg.walk_end;
	}
	return 0;
}

/* Without pagemap: Anonymous, then file pages, from one end. */
static void guess_pages(const struct maps_rec *r, int kind,
			struct page_runs *rs)
{
	unsigned long n = (r->end - r->start) >> PAGE_SHIFT;
	unsigned long anon = r->anon_kb / 4, file = 0;

	if (r->rss_kb / 4 > anon)
		file = r->rss_kb / 4 - anon;
	anon = anon < n ? anon : n;
	file = file < n - anon ? file : n - anon;
	if (kind == GIVEN_STACK) {	/* from the top down */
		unsigned long top = r->end - (anon << PAGE_SHIFT);

		runs_add(rs, top - (file << PAGE_SHIFT), file, 'f');
		runs_add(rs, top, anon, 'a');
	} else {
		runs_add(rs, r->start, anon, 'a');
		runs_add(rs, r->start + (anon << PAGE_SHIFT), file, 'f');
	}
	runs_flush(rs);
}

static void emit_rec(const struct maps_rec *r, int pm, unsigned long long zpfn,
		     struct strbuf *out, int *dropped)
{
	char path[4096];
	bool drop;
	int kind = kind_of(r, path, sizeof(path), &drop);
	vm_flags_t flags = r->has_flags ? r->flags : flags_from_perms(r, kind);
	struct page_runs rs = {.out = out};
	size_t mark;

	*dropped += drop;
	sb_addf(out, "given vma %s %lx-%lx %lx flags=", kind_words[kind],
		r->start, r->end, r->off);
	for (int bit = 0; bit < 64; bit++)
		if (flags & (1UL << bit))
			sb_addf(out, "%s%s",
				flags & ((1UL << bit) - 1) ? "," : "",
				vm_flag_mnemonic(bit) ? vm_flag_mnemonic(bit)
						      : "??");
	if (*path)
		sb_addf(out, " \"%s\"", path);
	sb_puts(out, "\n");
	mark = out->len;
	if (pm >= 0 && scan_pagemap(pm, r->start, r->end, &rs) == 0) {
		runs_flush(&rs);
		return;
	}
	/* A scan or read that failed part way leaves nothing behind. */
	sb_truncate(out, mark);
	rs.kind = 0;
	if (pm >= 0 && read_pagemap(pm, r->start, r->end, zpfn, &rs) == 0) {
		runs_flush(&rs);
		return;
	}
	sb_truncate(out, mark);
	rs.kind = 0;
	guess_pages(r, kind, &rs);
}

static unsigned long field_kb(const char *s, const char *e)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.*s", (int)(e - s > 60 ? 60 : e - s), s);
	return strtoul(buf, NULL, 10);
}

int maps_to_given(const char *text, size_t len, int pagemap, struct strbuf *out,
		  int *dropped, char *err, size_t errlen)
{
	const char *s = text, *end = text + len;
	unsigned long long zpfn = pagemap >= 0 ? zero_pfn() : 0;
	struct maps_rec r;
	bool have = false;
	int n = 0;
	long lineno = 0;

	*dropped = 0;
	for (; s < end; lineno++) {
		const char *e = memchr(s, '\n', (size_t)(end - s));
		const char *colon;

		e = e ? e : end;
		colon = memchr(s, ':', (size_t)(e - s));
		if (s == e) {
		} else if (colon && colon > s && colon[-1] != ' ' &&
			   !memchr(s, '-', (size_t)(colon - s)) &&
			   !memchr(s, ' ', (size_t)(colon - s))) {
			/* "Key:   value" of the record above */
			if (!have) {
				snprintf(err, errlen,
					 "line %ld: %.*s before any maps line",
					 lineno + 1, (int)(colon - s), s);
				return -1;
			}
			if (colon - s == 7 && !memcmp(s, "VmFlags", 7)) {
				if (parse_vmflags(colon + 1, e, &r.flags)) {
					snprintf(err, errlen,
						 "line %ld: unknown VmFlags "
						 "mnemonic",
						 lineno + 1);
					return -1;
				}
				r.has_flags = true;
			} else if (colon - s == 3 && !memcmp(s, "Rss", 3)) {
				r.rss_kb = field_kb(colon + 1, e);
			} else if (colon - s == 9 &&
				   !memcmp(s, "Anonymous", 9)) {
				r.anon_kb = field_kb(colon + 1, e);
			}
		} else {
			struct maps_rec next;

			if (!parse_maps_line(s, e, &next)) {
				snprintf(err, errlen,
					 "line %ld: not a maps line: %.40s",
					 lineno + 1, s);
				return -1;
			}
			if (have && r.end <= TASK_SIZE) {
				emit_rec(&r, pagemap, zpfn, out, dropped);
				n++;
			} else if (have) {
				(*dropped)++; /* [vsyscall]: not in the mm */
			}
			r = next;
			have = true;
		}
		s = e + (e < end);
	}
	if (have && r.end <= TASK_SIZE) {
		emit_rec(&r, pagemap, zpfn, out, dropped);
		n++;
	} else if (have) {
		(*dropped)++;
	}
	return n;
}

/* The whole of a (proc) file: its size is not known in advance. */
static int slurp(const char *path, struct strbuf *sb, char *err, size_t errlen)
{
	char buf[65536];
	int fd = host_open_read(path);
	ssize_t n;

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		sb_add(sb, buf, (size_t)n);
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int proc_to_given(int pid, struct strbuf *out, int *dropped, char *err,
		  size_t errlen)
{
	struct strbuf text = {0};
	char path[64];
	int pm, n;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	if (slurp(path, &text, err, errlen)) {
		sb_free(&text);
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	pm = host_open_read(path);
	n = maps_to_given(sb_str(&text), text.len, pm, out, dropped, err,
			  errlen);
	if (pm >= 0)
		close(pm);
	sb_free(&text);
	return n;
}

/* ---- the `given` command ---- */

/* The next word of *s (a "quoted string" unquoted), or NULL at the end. */
static char *next_word(const char **s, char *buf, size_t len)
{
	const char *p = *s;
	size_t n = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return NULL;
	if (*p == '"') {
		for (p++; *p && *p != '"'; p++) {
			if (*p == '\\' && p[1])
				p++;
			if (n + 1 < len)
				buf[n++] = *p;
		}
		if (*p != '"')
			return NULL;
		p++;
	} else {
		for (; *p && *p != ' ' && *p != '\t'; p++)
			if (n + 1 < len)
				buf[n++] = *p;
	}
	buf[n] = '\0';
	*s = p;
	return buf;
}

static int word_number(const char **s, unsigned long *v, char *err,
		       size_t errlen, const char *what)
{
	char w[64];

	if (!next_word(s, w, sizeof(w))) {
		snprintf(err, errlen, "missing %s", what);
		return -1;
	}
	if (parse_number(w, true, false, v, err, errlen)) {
		snprintf(err, errlen, "%s: not a number: %s", what, w);
		return -1;
	}
	return 0;
}

static int index_of(const char *w, const char *const *words, int n)
{
	for (int i = 0; i < n; i++)
		if (words[i] && !strcmp(words[i], w))
			return i;
	return -1;
}

/* "vma KIND START-END OFFSET flags=rd,wr,... ["PATH"]" */
static int given_vma_call(const char *rest, struct call *c, char *path,
			  size_t plen, char *err, size_t errlen)
{
	char w[4096];
	int kind;

	if (!next_word(&rest, w, sizeof(w)) ||
	    (kind = index_of(w, kind_words, GIVEN__COUNT)) < 0) {
		snprintf(err, errlen,
			 "vma: expected a kind (anon, file, deleted, shmem, "
			 "vvar, vvar_vclock, vdso, heap, stack)");
		return -1;
	}
	if (!next_word(&rest, w, sizeof(w)) ||
	    sscanf(w, "%lx-%lx", &c->a[0], &c->a[1]) != 2) {
		snprintf(err, errlen, "vma: expected START-END in hex");
		return -1;
	}
	if (!next_word(&rest, w, sizeof(w)) ||
	    sscanf(w, "%lx", &c->a[2]) != 1) {
		snprintf(err, errlen, "vma: expected the offset in hex");
		return -1;
	}
	c->a[2] >>= PAGE_SHIFT;
	if (!next_word(&rest, w, sizeof(w)) || strncmp(w, "flags=", 6) ||
	    parse_vmflags(w + 6, w + strlen(w), &c->a[3])) {
		snprintf(err, errlen,
			 "vma: expected flags=MNEMONIC,... as smaps names "
			 "them");
		return -1;
	}
	c->a[4] = (unsigned long)kind;
	if (next_word(&rest, path, plen))
		c->path = path;
	return 0;
}

static int given_pages_call(const char *rest, struct call *c, char *err,
			    size_t errlen)
{
	static const char *const kinds[] = {[PAGE_ANON] = "anon",
					    [PAGE_FILE] = "file",
					    [PAGE_ZERO] = "zero"};
	char w[64];
	int k;

	if (word_number(&rest, &c->a[0], err, errlen, "address") ||
	    word_number(&rest, &c->a[1], err, errlen, "length"))
		return -1;
	if (!next_word(&rest, w, sizeof(w)) ||
	    (k = index_of(w, kinds, 4)) < 0) {
		snprintf(err, errlen, "pages: expected anon, file or zero");
		return -1;
	}
	c->a[2] = (unsigned long)k;
	return 0;
}

static int given_layout_call(const char *rest, struct call *c, char *err,
			     size_t errlen)
{
	static const char *const fields[] = {
		[LAYOUT_MMAP_BASE] = "mmap_base",
		[LAYOUT_BRK] = "brk",
		[LAYOUT_START_STACK] = "start_stack",
		[LAYOUT_EMPTY] = "empty",
	};
	char w[64];
	int f;

	if (!next_word(&rest, w, sizeof(w)) ||
	    (f = index_of(w, fields, 5)) < 0) {
		snprintf(err, errlen,
			 "layout: expected mmap_base, brk, start_stack or "
			 "empty");
		return -1;
	}
	c->a[0] = (unsigned long)f;
	if (f != LAYOUT_EMPTY)
		return word_number(&rest, &c->a[1], err, errlen, "address");
	return 0;
}

/*
 * One `given` line (without the word "given") into a call.  0, or -1
 * with err set.  path is the buffer c->path may point at.
 */
static int given_call_of(const char *what, const char *rest, struct call *c,
			 char *path, size_t plen, char *err, size_t errlen)
{
	char w[64];

	memset(c, 0, sizeof(*c));
	rest = rest ? rest : "";
	if (!strcmp(what, "process")) {
		c->nr = NR_SPAWN;
		return 0;
	}
	if (!strcmp(what, "vma")) {
		c->nr = NR_GIVEN_VMA;
		return given_vma_call(rest, c, path, plen, err, errlen);
	}
	if (!strcmp(what, "pages")) {
		c->nr = NR_GIVEN_PAGES;
		return given_pages_call(rest, c, err, errlen);
	}
	if (!strcmp(what, "layout")) {
		c->nr = NR_LAYOUT;
		return given_layout_call(rest, c, err, errlen);
	}
	if (!strcmp(what, "file") || !strcmp(what, "fd")) {
		bool fd = what[1] == 'd';

		c->nr = fd ? NR_GIVEN_FD : NR_GIVEN_FILE;
		if (fd && word_number(&rest, &c->a[0], err, errlen, "fd"))
			return -1;
		if (!next_word(&rest, path, plen)) {
			snprintf(err, errlen, "%s: expected \"PATH\"", what);
			return -1;
		}
		c->path = path;
		if (!fd)
			return word_number(&rest, &c->a[0], err, errlen,
					   "size");
		if (!next_word(&rest, w, sizeof(w)) ||
		    parse_constants(ARG_OFLAGS, w, &c->a[1], err, errlen,
				    NULL)) {
			snprintf(err, errlen, "fd: expected O_ flags");
			return -1;
		}
		return 0;
	}
	snprintf(err, errlen,
		 "unknown kind %s (process, vma, pages, file, fd, layout)",
		 what);
	return -1;
}

int cmd_given(struct session *s, const struct parsed *p)
{
	char err[300], path[4096];
	struct call c;
	long ret;

	if (given_call_of(p->argv[0].str, p->argc > 1 ? p->argv[1].str : NULL,
			  &c, path, sizeof(path), err, sizeof(err))) {
		session_error(s, "given: %s", err);
		return -1;
	}
	ret = session_call(s, &c, NULL);
	session_result(s, p->text, c.nr, RES_INT, ret, 0);
	return 0;
}

/*
 * Run `given` lines (as maps_to_given writes them) silently, as part of
 * the current line's step.  Counts what they made.  0, or -1 at the first
 * line that fails, with err set.
 */
struct given_count {
	unsigned long vmas, pages, anon;
};

static int run_given_lines(struct session *s, const char *text,
			   struct given_count *n, char *err, size_t errlen)
{
	char line[8192], what[16], path[4096];

	while (*text) {
		size_t len = strcspn(text, "\n");
		const char *rest = line;
		struct call c;
		long ret;

		snprintf(line, sizeof(line), "%.*s", (int)len, text);
		text += len + (text[len] == '\n');
		if (!next_word(&rest, what, sizeof(what)) ||
		    strcmp(what, "given") ||
		    !next_word(&rest, what, sizeof(what)))
			continue;
		if (given_call_of(what, rest, &c, path, sizeof(path), err,
				  errlen))
			return -1;
		ret = session_call(s, &c, NULL);
		if (ret < 0) {
			snprintf(err, errlen, "%.200s: %s", line,
				 strerror((int)-ret));
			return -1;
		}
		n->vmas += c.nr == NR_GIVEN_VMA;
		if (c.nr == NR_GIVEN_PAGES && c.a[2] != PAGE_ZERO)
			n->pages += c.a[1] >> PAGE_SHIFT;
		if (c.nr == NR_GIVEN_PAGES && c.a[2] == PAGE_ANON)
			n->anon += c.a[1] >> PAGE_SHIFT;
	}
	return 0;
}

/* A new process holding the given lines' VMAs, made current. */
static int load_given(struct session *s, const char *what, const char *lines,
		      int dropped)
{
	struct call spawn_call = {.nr = NR_SPAWN};
	struct given_count n = {0};
	char err[600];
	long pid = session_call(s, &spawn_call, NULL);

	if (pid < 0 || session_switch(s, (int)pid)) {
		session_error(s, "%s: no new process: %s", what,
			      strerror(pid < 0 ? (int)-pid : ESRCH));
		return -1;
	}
	if (run_given_lines(s, lines, &n, err, sizeof(err))) {
		session_error(s, "%s: %s", what, err);
		return -1;
	}
	sb_addf(&s->out,
		"%s: pid %ld (now current): %lu VMAs, %lu pages present "
		"(%lu anonymous)\n",
		what, pid, n.vmas, n.pages, n.anon);
	if (dropped)
		sb_addf(&s->out,
			"# %d left out or unnamed: [vsyscall] is not in the "
			"mm, [anon:NAME] names are not modelled\n",
			dropped);
	sb_puts(&s->out, given_assumptions);
	return 0;
}

int cmd_load_maps(struct session *s, const struct parsed *p)
{
	struct strbuf text = {0}, lines = {0};
	char err[600], what[512];
	int dropped, n, ret = -1;

	snprintf(what, sizeof(what), "load-maps %s", p->argv[0].str);
	if (slurp(p->argv[0].str, &text, err, sizeof(err))) {
		session_error(s, "load-maps: %s", err);
		goto out;
	}
	n = maps_to_given(sb_str(&text), text.len, -1, &lines, &dropped, err,
			  sizeof(err));
	if (n < 0)
		session_error(s, "load-maps: %s: %s", p->argv[0].str, err);
	else
		ret = load_given(s, what, sb_str(&lines), dropped);
out:
	sb_free(&text);
	sb_free(&lines);
	return ret;
}

int cmd_attach(struct session *s, const struct parsed *p)
{
	struct strbuf lines = {0};
	char err[600], what[64], *end;
	const char *arg = p->argv[0].str;
	long pid = strcmp(arg, "self") ? strtol(arg, &end, 10) : (long)getpid();

	int dropped, ret = -1;

	snprintf(what, sizeof(what), "attach %ld", pid);
	if (strcmp(arg, "self") && (*end || pid <= 0 || pid > 0x3fffffff)) {
		session_error(s, "attach: %s is not a pid", arg);
	} else if (proc_to_given((int)pid, &lines, &dropped, err, sizeof(err)) <
		   0) {
		session_error(s, "attach: %s", err);
	} else {
		ret = load_given(s, what, sb_str(&lines), dropped);
	}
	sb_free(&lines);
	return ret;
}
