/*
 * commands.c - the command table and its handlers.
 *
 * System calls are given in strace syntax and print "CALL = RESULT" exactly
 * as ../shared/CONTRACT.md says; vmalab's own commands (touch, maps, smaps,
 * switch, echo) are words.  Handlers build a struct call from the parsed
 * arguments and hand it to the session's backend, so the same table drives
 * the engine and the real kernel.
 *
 * The shorthand (map, unmap, protect) expands to those calls and prints
 * the call it ran.  The REPL's own commands are here too; the handlers
 * that belong with their state live beside it (handlers.h): undo.c,
 * view.c (ps, vma) and help.c.  Help and completion read this table.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "engine.h"
#include "handlers.h"
#include "replay.h"

#define SYSCALLS "system calls"
#define SHORTHAND "shorthand (prints the call it runs)"
#define PROCESS "processes and files"
#define INSPECT "inspecting"
#define SCRIPT "scripts"
#define SESSION "this session"
#define SCENARIOS "scenarios and lessons"

/*
 * Every system call command: the arguments in order (a "PATH" goes to
 * c.path), then "TEXT = RESULT", the result printed as the row says.
 */
static int cmd_syscall(struct session *s, const struct parsed *p)
{
	struct call c = {.nr = p->cmd->nr};
	long ret;

	for (int i = 0; i < p->argc && i < 6; i++) {
		if (p->cmd->args[i] == ARG_PATH) {
			c.path = p->argv[i].str;
			c.path_arg = i;
		} else
			c.a[i] = p->argv[i].num;
	}
	ret = session_call(s, &c, NULL);
	session_result(s, p->text, c.nr, p->cmd->result, ret, 0);
	return 0;
}

/* touch and read: one access to each page, the first fault the result. */
static int access_pages(struct session *s, const struct parsed *p, int nr)
{
	unsigned long addr = p->argv[0].num, fault = 0;
	unsigned long len = p->argc > 1 ? p->argv[1].num : 1;
	struct call c = {.nr = nr, .a = {addr, len}};
	long sig;

	if (addr + len < addr) {
		session_error(s,
			      "%s: range %#lx + %#lx wraps around the "
			      "address space",
			      p->cmd->name, addr, len);
		return -1;
	}
	sig = session_call(s, &c, &fault);
	session_result(s, p->text, nr, RES_SIGNAL, sig, fault);
	return 0;
}

static int cmd_touch(struct session *s, const struct parsed *p)
{
	return access_pages(s, p, NR_TOUCH);
}

static int cmd_read(struct session *s, const struct parsed *p)
{
	return access_pages(s, p, NR_READ);
}

static int cmd_switch(struct session *s, const struct parsed *p)
{
	long pid = (long)p->argv[0].num;

	if (pid <= 0 || pid > 1000000 || session_switch(s, (int)pid)) {
		session_error(s, "switch: no process with pid %ld", pid);
		return -1;
	}
	return 0;
}

static int cmd_maps(struct session *s, const struct parsed *p)
{
	(void)p;
	return s->be->ops->maps(s->be, false, &s->out);
}

static int cmd_status(struct session *s, const struct parsed *p)
{
	(void)p;
	if (!s->be->ops->status) {
		session_error(s, "status: the %s has no /proc/PID/status",
			      s->be->name);
		return -1;
	}
	return s->be->ops->status(s->be, &s->out);
}

static int cmd_smaps(struct session *s, const struct parsed *p)
{
	(void)p;
	return s->be->ops->maps(s->be, true, &s->out);
}

#define PAGES_MAX 65536 /* 256 MiB of pages, 64 to a line */

/* "pages ADDR LEN": the page table, 64 pages a line, as pagemap shows it. */
static int cmd_pages(struct session *s, const struct parsed *p)
{
	unsigned long addr = p->argv[0].num & PAGE_MASK;
	unsigned long len = p->argc > 1 ? p->argv[1].num : PAGE_SIZE;
	unsigned long end = p->argv[0].num + len, n;
	char *map;

	if (end < p->argv[0].num || !len) {
		session_error(s, "pages: empty or wrapping range");
		return -1;
	}
	n = (PAGE_ALIGN(end) - addr) >> PAGE_SHIFT;
	if (!n || n > PAGES_MAX) {
		session_error(s, "pages: at most %d pages at a time",
			      PAGES_MAX);
		return -1;
	}
	map = malloc(n + 1);
	if (!map)
		abort();
	if (s->be->ops->pages(s->be, addr, n, map)) {
		free(map);
		session_error(s, "pages: could not read the page table");
		return -1;
	}
	for (unsigned long i = 0; i < n; i += 64)
		sb_addf(&s->out, "%lx %.*s\n", addr + (i << PAGE_SHIFT),
			(int)(n - i < 64 ? n - i : 64), map + i);
	free(map);
	return 0;
}

static int cmd_echo(struct session *s, const struct parsed *p)
{
	sb_addf(&s->out, "%s\n", p->argv[0].str);
	return 0;
}

/* ---- shorthand: words that expand to a call ---- */

/*
 * Run the call a shorthand stands for, exactly as if it had been typed in
 * strace syntax: its output is the contract's "CALL = RESULT" line for
 * the expanded text, so the user learns the real call as they go.
 */
static int run_expanded(struct session *s, const char *name,
			const unsigned long *args, int argc, const char *fmt,
			...) __attribute__((format(printf, 5, 6)));
static int run_expanded(struct session *s, const char *name,
			const unsigned long *args, int argc, const char *fmt,
			...)
{
	const struct command *c = command_find(name, false, NULL, 0);
	struct parsed *q = calloc(1, sizeof(*q));

	va_list ap;
	int ret;

	if (!q || !c)
		abort();
	va_start(ap, fmt);
	vsnprintf(q->text, sizeof(q->text), fmt, ap);
	va_end(ap);
	q->cmd = c;
	q->argc = argc;
	for (int i = 0; i < argc; i++)
		q->argv[i].num = args[i];
	ret = c->exec(s, q);
	free(q);
	return ret;
}

/* A length typed as -4k is a mistake in words, not a test of EINVAL. */
static int check_len(struct session *s, const struct parsed *p)
{
	if ((long)p->argv[1].num >= 0)
		return 0;
	session_error(s, "%s: argument 2: negative length %ld", p->cmd->name,
		      (long)p->argv[1].num);
	return -1;
}

static const char *prot_text(unsigned long prot, char *buf, size_t len)
{
	format_constants(ARG_PROT, prot, buf, len);
	return buf;
}

static int cmd_map(struct session *s, const struct parsed *p)
{
	unsigned long a[6] = {p->argv[0].num,	 p->argv[1].num,
			      p->argv[2].num,	 MAP_PRIVATE | MAP_ANONYMOUS,
			      (unsigned long)-1, 0};
	char prot[128], flags[256], addr[32] = "NULL";
	bool placed = false;

	if (check_len(s, p))
		return -1;
	if (p->argc > 3) {
		a[3] = p->argv[3].num;
		a[4] = (unsigned long)p->argv[3].fd;
		a[5] = p->argv[3].off;
		placed = p->argv[3].placed;
	}
	/* An address means "here" unless hint or noreplace says otherwise. */
	if (!placed && a[0])
		a[3] |= MAP_FIXED;
	if (a[0])
		snprintf(addr, sizeof(addr), "%#lx", a[0]);
	format_constants(ARG_MAPFLAGS, a[3], flags, sizeof(flags));
	return run_expanded(s, "mmap", a, 6, "mmap(%s, %lu, %s, %s, %ld, %#lx)",
			    addr, a[1], prot_text(a[2], prot, sizeof(prot)),
			    flags, (long)a[4], a[5]);
}

static int cmd_unmap(struct session *s, const struct parsed *p)
{
	unsigned long a[2] = {p->argv[0].num, p->argv[1].num};

	if (check_len(s, p))
		return -1;
	return run_expanded(s, "munmap", a, 2, "munmap(%#lx, %lu)", a[0], a[1]);
}

static int cmd_protect(struct session *s, const struct parsed *p)
{
	unsigned long a[3] = {p->argv[0].num, p->argv[1].num, p->argv[2].num};
	char prot[128];

	if (check_len(s, p))
		return -1;
	return run_expanded(s, "mprotect", a, 3, "mprotect(%#lx, %lu, %s)",
			    a[0], a[1], prot_text(a[2], prot, sizeof(prot)));
}

/* ---- scripts and settings ---- */

#define SOURCE_MAX_DEPTH 8

/*
 * Gather a sourced line's output into the caller's line, each trace after
 * its own result (or apart, for verify, which compares output only), and
 * its results with their places in the gathered text.
 */
void gather_line(struct session *s, void *arg)
{
	struct gather *g = arg;
	size_t base = g->out.len;

	sb_add(&g->out, sb_str(&s->out), s->out.len);
	sb_add(s->trace_apart ? &g->tr : &g->out, sb_str(&s->tr), s->tr.len);
	g->calls += s->calls;
	if (g->nspans + s->nspans > g->capspans) {
		g->capspans = 2 * (g->nspans + s->nspans);
		g->spans = realloc(g->spans, g->capspans * sizeof(*g->spans));
		if (!g->spans)
			abort();
	}
	for (size_t i = 0; i < s->nspans; i++) {
		g->spans[g->nspans] = s->spans[i];
		g->spans[g->nspans++].off += base;
	}
}

/* Swap the session's line state with what g holds. */
void swap_line(struct session *s, struct gather *g)
{
	struct gather t = {s->out,    s->tr,	   s->spans,
			   s->nspans, s->capspans, s->calls};

	s->out = g->out;
	s->tr = g->tr;
	s->spans = g->spans;
	s->nspans = g->nspans;
	s->capspans = g->capspans;
	s->calls = g->calls;
	*g = t;
}

static int cmd_source(struct session *s, const struct parsed *p)
{
	const char *path = p->argv[0].str, *src = s->src;
	long lineno = s->line;
	struct gather g = {0};
	struct stat st;
	FILE *in;

	if (s->depth >= SOURCE_MAX_DEPTH) {
		session_error(s,
			      "source: %s: nested %d deep (does it source "
			      "itself?)",
			      path, s->depth);
		return -1;
	}
	in = fopen(path, "r");
	if (!in) {
		session_error(s, "source: %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(in), &st) == 0 && S_ISDIR(st.st_mode)) {
		session_error(s, "source: %s: %s", path, strerror(EISDIR));
		fclose(in);
		return -1;
	}
	/* g takes the caller's line; the session gets empty buffers. */
	swap_line(s, &g);
	s->src = path;
	s->line = 0;
	s->depth++;
	/*
	 * Each sourced line goes out as it is done, before the next line's
	 * errors, where the front end says; else (verify) it is gathered
	 * into the line that ran source.
	 */
	if (s->emit)
		session_run_lines(s, in, s->emit, s->emit_arg);
	else
		session_run_lines(s, in, gather_line, &g);
	s->depth--;
	/* quit in a script ends that script, not the session (unless its
	 * output could not be written). */
	s->quit = s->write_error != 0;
	s->src = src;
	s->line = lineno;
	swap_line(s, &g);
	sb_free(&g.out);
	sb_free(&g.tr);
	free(g.spans);
	fclose(in);
	return 0;
}

/*
 * import of a log (scncmds.c's cmd_import sends logs here): a fresh
 * machine (a step: undo brings the old one back), the log replayed from
 * its first line, its summary in out, and the scenario it made (a
 * script) added to script.
 */
int import_log(struct session *s, const struct parsed *p, struct strbuf *script)
{
	struct parsed src = *p;
	int ret;

	if (!s->new_backend || !session_machine(s)) {
		session_error(s, "import: not available here");
		return -1;
	}
	session_fresh_machine(s);
	s->pending.reset = true;
	/* The log runs one source level down, where cmd_source reads it. */
	s->depth++;
	replay_begin(s, p->argv[0].str, script);
	s->depth--;
	src.argc = 1;
	ret = cmd_source(s, &src);
	s->depth++;
	if (replay_here(s)) /* the source failed before reading it */
		replay_drop(s);
	s->depth--;
	return ret;
}

static const struct setting *find_setting(struct session *s, const char *name)
{
	const char *names[16], *near;

	for (size_t i = 0; i < settings_count; i++) {
		if (!strcmp(settings[i].name, name) ||
		    (!strcmp(name, "color") &&
		     !strcmp(settings[i].name, "colour")))
			return &settings[i];
		names[i] = settings[i].name;
	}
	near = closest_name(name, names, settings_count);
	if (near)
		session_error_suggest(s, near, "set: unknown setting %s", name);
	else
		session_error(s,
			      "set: unknown setting %s (help set lists "
			      "them)",
			      name);
	return NULL;
}

static int cmd_set(struct session *s, const struct parsed *p)
{
	const struct setting *st;
	char err[200];

	if (!p->argc) {
		for (size_t i = 0; i < settings_count; i++)
			sb_addf(&s->out, "%-8s %s\n", settings[i].name,
				setting_get(s, &settings[i]));
		return 0;
	}
	st = find_setting(s, p->argv[0].str);
	if (!st)
		return -1;
	if (p->argc == 2 &&
	    setting_set(s, st, p->argv[1].str, err, sizeof(err))) {
		session_error(s, "set: %s", err);
		return -1;
	}
	sb_addf(&s->out, "%-8s %s\n", st->name, setting_get(s, st));
	return 0;
}

static int cmd_quit(struct session *s, const struct parsed *p)
{
	s->quit = true;
	return 0;
}

const struct command commands[] = {
	{
		.name = "mmap",
		.group = SYSCALLS,
		.syntax = SYN_CALL,
		.min_args = 6,
		.max_args = 6,
		.args = {ARG_ADDR, ARG_LEN, ARG_PROT, ARG_MAPFLAGS, ARG_FD,
			 ARG_OFF},
		.usage = "mmap(ADDR|NULL, LEN, PROT, FLAGS, FD, OFF)",
		.summary = "map memory: anonymous, shared or from a file",
		.help = "Creates a mapping, merging it with a compatible "
			"neighbour when\nvma_merge_new_range() allows. PROT is "
			"PROT_* joined by |, FLAGS is\nMAP_* (MAP_PRIVATE or "
			"MAP_SHARED, plus MAP_ANONYMOUS, MAP_FIXED,\n"
			"MAP_FIXED_NOREPLACE, MAP_NORESERVE, MAP_POPULATE, "
			"MAP_LOCKED,\nMAP_GROWSDOWN, ...). FD is -1 for "
			"anonymous memory. Prints the address,\nor the "
			"kernel's error. `map` says the same in fewer words.",
		.example = "mmap(0x200000000000, 16384, PROT_READ|PROT_WRITE, "
			   "MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)",
		.nr = NR_mmap,
		.result = RES_ADDR,
		.exec = cmd_syscall,
	},
	{
		.name = "munmap",
		.group = SYSCALLS,
		.syntax = SYN_CALL,
		.min_args = 2,
		.max_args = 2,
		.args = {ARG_ADDR, ARG_LEN},
		.usage = "munmap(ADDR, LEN)",
		.summary = "unmap a range, splitting VMAs at its ends",
		.help = "Removes every mapping in [ADDR, ADDR+LEN), splitting "
			"the VMAs that\nstraddle either end (__split_vma). "
			"Holes are fine.",
		.example = "map 0x200000000000 16k rw\n"
			   "munmap(0x200000001000, 4096)",
		.nr = NR_munmap,
		.exec = cmd_syscall,
	},
	{
		.name = "mprotect",
		.group = SYSCALLS,
		.syntax = SYN_CALL,
		.min_args = 3,
		.max_args = 3,
		.args = {ARG_ADDR, ARG_LEN, ARG_PROT},
		.usage = "mprotect(ADDR, LEN, PROT)",
		.summary = "change protection: merge with a neighbour or split",
		.help = "Changes the protection of [ADDR, ADDR+LEN) through "
			"vma_modify_flags():\nmerge with a neighbour that "
			"would then match, else split. A hole gives\nENOMEM "
			"after the VMAs before it were changed.",
		.example = "map 0x200000000000 16k rw\n"
			   "mprotect(0x200000001000, 4096, PROT_READ)",
		.nr = NR_mprotect,
		.exec = cmd_syscall,
	},
	{
		.name = "mremap",
		.group = SYSCALLS,
		.syntax = SYN_CALL,
		.min_args = 4,
		.max_args = 5,
		.args = {ARG_ADDR, ARG_LEN, ARG_LEN, ARG_MREMAPFLAGS, ARG_ADDR},
		.usage = "mremap(OLD, OLDLEN, NEWLEN, FLAGS[, NEWADDR])",
		.summary = "resize or move a mapping: shrink, expand, move",
		.help = "Resizes [OLD, OLD+OLDLEN) to NEWLEN, as mm/mremap.c "
			"does: a shrink unmaps the\ntail; a growth expands "
			"in place when nothing is in the way (vma_expandable,\n"
			"then vma_merge_extend, which may merge with next); "
			"else, with\nMREMAP_MAYMOVE, the range moves to a new "
			"address (top-down, or NEWADDR\nwith MREMAP_FIXED, "
			"which unmaps what is there first). copy_vma() merges\n"
			"at the destination where it can; an unfaulted "
			"anonymous VMA's pgoff\nbecomes NEWADDR >> 12 so that "
			"it can. MREMAP_DONTUNMAP (with MAYMOVE,\nOLDLEN == "
			"NEWLEN) leaves the old VMA in place and empty. FLAGS "
			"is 0 or\nMREMAP_* joined by |. OLDLEN 0 on a shared "
			"mapping makes a second mapping\nof the same pages. "
			"Prints the new address, or the kernel's error.",
		.example = "map 0x200000000000 16k rw\n"
			   "mremap(0x200000000000, 16384, 8192, 0)\n"
			   "mremap(0x200000000000, 8192, 16384, 0)\n"
			   "mremap(0x200000000000, 16384, 16384, "
			   "MREMAP_MAYMOVE|MREMAP_FIXED, 0x200000100000)",
		.nr = NR_mremap,
		.result = RES_ADDR,
		.exec = cmd_syscall,
	},
	{
		.name = "madvise",
		.group = SYSCALLS,
		.syntax = SYN_CALL,
		.min_args = 3,
		.max_args = 3,
		.args = {ARG_ADDR, ARG_LEN, ARG_MADVICE},
		.usage = "madvise(ADDR, LEN, ADVICE)",
		.summary = "advise: change VMA flags (split/merge) or drop pages",
		.help = "Advice that changes vm_flags (MADV_DONTFORK/DOFORK, "
			"WIPEONFORK/KEEPONFORK,\nDONTDUMP/DODUMP, "
			"HUGEPAGE/NOHUGEPAGE, MERGEABLE/UNMERGEABLE,\n"
			"SEQUENTIAL/RANDOM/NORMAL) goes through "
			"madvise_update_vma() and\nvma_modify_flags(): merge "
			"or split, as mprotect. MADV_DONTNEED drops the\n"
			"pages of the range; FREE, WILLNEED, COLD, PAGEOUT "
			"and the others change no\nVMA. EINVAL for unknown "
			"advice or advice the VMA refuses (DONTNEED on a\n"
			"locked VMA), EPERM for discarding advice on a sealed "
			"read-only anonymous\nVMA, and ENOMEM for a hole, "
			"reported after the mapped parts were advised.\n"
			"MADV_POPULATE_READ/WRITE fault the range in as read "
			"or write faults (GUP:\nENOMEM at a hole, EINVAL where "
			"the VMA forbids the access, EFAULT where a\nfault "
			"fails, the pages before it kept).\n"
			"MADV_GUARD_INSTALL zaps the range and puts guard "
			"markers in its page\ntable entries (any access: "
			"SIGSEGV; 'g' in pages); the VMA is not split but\n"
			"gets the sticky VM_MAYBE_GUARD (gu). "
			"MADV_GUARD_REMOVE clears the markers.\n"
			"MADV_COLLAPSE: EINVAL where the VMA may not hold a "
			"2 MiB THP, 0 where the\nrange holds no aligned "
			"2 MiB block.\n"
			"Not simulated (the engine says ENOSYS, verify fails): "
			"MADV_COLLAPSE of a block\nwith pages (it would make "
			"a huge page), MADV_HWPOISON, MADV_SOFT_OFFLINE.",
		.example = "map 0x200000000000 16k rw\n"
			   "madvise(0x200000001000, 4096, MADV_DONTFORK)\n"
			   "touch 0x200000000000 16k\n"
			   "madvise(0x200000000000, 8192, MADV_DONTNEED)",
		.nr = NR_madvise,
		.exec = cmd_syscall,
	},
	{
		.name = "mlock",
		.group = SYSCALLS,
		.syntax = SYN_CALL,
		.min_args = 2,
		.max_args = 2,
		.args = {ARG_ADDR, ARG_LEN},
		.usage = "mlock(ADDR, LEN)",
		.summary = "lock a range: VM_LOCKED (split/merge), fault it in",
		.help = "Sets VM_LOCKED on [ADDR, ADDR+LEN) through "
			"mlock_fixup() and\nvma_modify_flags(), then faults "
			"the pages in as MAP_POPULATE does (a\nwrite fault "
			"for private writable VMAs, the zero page for "
			"read-only\nprivate anonymous ones). ENOMEM for a "
			"hole, before anything changes.",
		.example = "map 0x200000000000 16k rw\n"
			   "mlock(0x200000001000, 8192)",
		.nr = NR_mlock,
		.exec = cmd_syscall,
	},
	{
		.name = "mlock2",
		.group = SYSCALLS,
		.syntax = SYN_CALL,
		.min_args = 3,
		.max_args = 3,
		.args = {ARG_ADDR, ARG_LEN, ARG_MLOCKFLAGS},
		.usage = "mlock2(ADDR, LEN, FLAGS)",
		.summary = "mlock, or with MLOCK_ONFAULT lock pages as they fault",
		.help = "mlock() with FLAGS 0. MLOCK_ONFAULT sets VM_LOCKED "
			"and VM_LOCKONFAULT\n(smaps: lo lf) and faults "
			"nothing in. Other flags: EINVAL.",
		.example = "map 0x200000000000 16k rw\n"
			   "mlock2(0x200000000000, 16384, MLOCK_ONFAULT)",
		.nr = NR_mlock2,
		.exec = cmd_syscall,
	},
	{
		.name = "munlock",
		.group = SYSCALLS,
		.syntax = SYN_CALL,
		.min_args = 2,
		.max_args = 2,
		.args = {ARG_ADDR, ARG_LEN},
		.usage = "munlock(ADDR, LEN)",
		.summary = "unlock a range: clear VM_LOCKED (split/merge)",
		.help = "Clears VM_LOCKED and VM_LOCKONFAULT on [ADDR, "
			"ADDR+LEN) through\nmlock_fixup(); the pages stay. "
			"ENOMEM for a hole, before anything changes.",
		.example = "map 0x200000000000 16k rw\n"
			   "mlock(0x200000000000, 16384)\n"
			   "munlock(0x200000001000, 4096)",
		.nr = NR_munlock,
		.exec = cmd_syscall,
	},
	{
		.name = "mlockall",
		.group = SYSCALLS,
		.syntax = SYN_CALL,
		.min_args = 1,
		.max_args = 1,
		.args = {ARG_MCLFLAGS},
		.usage = "mlockall(FLAGS)",
		.summary = "lock every VMA (MCL_CURRENT) and later ones (MCL_FUTURE)",
		.help = "MCL_CURRENT locks every VMA now (apply_mlockall_flags, "
			"then populates\nthem); MCL_FUTURE makes later "
			"mappings VM_LOCKED (mm->def_flags);\nMCL_ONFAULT "
			"with either locks on fault instead. MCL_ONFAULT "
			"alone, or\nunknown bits: EINVAL.",
		.example = "map 0x200000000000 16k r\n"
			   "mlockall(MCL_CURRENT|MCL_FUTURE)\n"
			   "map 0x200000010000 8k rw",
		.nr = NR_mlockall,
		.exec = cmd_syscall,
	},
	{
		.name = "munlockall",
		.group = SYSCALLS,
		.syntax = SYN_CALL,
		.min_args = 0,
		.max_args = 0,
		.usage = "munlockall()",
		.summary = "unlock every VMA and forget MCL_FUTURE",
		.help = "Clears VM_LOCKED and VM_LOCKONFAULT from every VMA and "
			"from\nmm->def_flags (apply_mlockall_flags(0)).",
		.example = "map 0x200000000000 16k rw\n"
			   "mlockall(MCL_CURRENT)\n"
			   "munlockall()",
		.nr = NR_munlockall,
		.exec = cmd_syscall,
	},
	{
		.name = "mseal",
		.group = SYSCALLS,
		.syntax = SYN_CALL,
		.min_args = 3,
		.max_args = 3,
		.args = {ARG_ADDR, ARG_LEN, ARG_INT},
		.usage = "mseal(ADDR, LEN, FLAGS)",
		.summary = "seal a range: VM_SEALED (split/merge), no more changes",
		.help = "Sets VM_SEALED (smaps: sl) on [ADDR, ADDR+LEN) through "
			"vma_modify_flags().\nFLAGS must be 0. A hole anywhere "
			"gives ENOMEM and changes nothing.\nSealed VMAs then "
			"refuse munmap, mmap MAP_FIXED over them, mprotect,\n"
			"mremap and discarding madvise on read-only anonymous "
			"memory with EPERM.",
		.example = "map 0x200000000000 16k rw\n"
			   "mseal(0x200000001000, 4096, 0)\n"
			   "smaps",
		.nr = NR_mseal,
		.exec = cmd_syscall,
	},
	{
		.name = "prctl",
		.group = SYSCALLS,
		.syntax = SYN_CALL,
		.min_args = 5,
		.max_args = 5,
		.args = {ARG_PRCTLOPT, ARG_PRCTLARG, ARG_ADDR, ARG_LEN,
			 ARG_PATH},
		.usage = "prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, ADDR, LEN, "
			 "\"NAME\")",
		.summary = "name anonymous memory (EINVAL: no CONFIG_ANON_VMA_NAME)",
		.help = "Only PR_SET_VMA is modelled. The reference kernel is "
			"built without\nCONFIG_ANON_VMA_NAME, so prctl_set_vma() "
			"returns EINVAL and no VMA\nchanges. Other options "
			"are not simulated.",
		.example = "map 0x200000000000 16k rw\n"
			   "prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, "
			   "0x200000000000, 4096, \"heap\")",
		.nr = NR_prctl,
		.exec = cmd_syscall,
	},
	{
		.name = "brk",
		.group = SYSCALLS,
		.syntax = SYN_CALL,
		.min_args = 1,
		.max_args = 1,
		.args = {ARG_ADDR},
		.usage = "brk(ADDR|NULL)",
		.summary = "move the program break: grow or shrink [heap]",
		.help = "Sets the end of the heap, which starts at start_brk "
			"(0x555555559000 in a\nnew process), and prints the "
			"break: the new one, or the old one when the\nkernel "
			"refuses. brk(NULL), or anything below start_brk, "
			"only asks. Growing\nuses do_brk_flags(), which "
			"expands the heap VMA in place when it ends at\nthe "
			"old break and can merge, else makes a new VMA; "
			"shrinking unmaps. The\nbreak may be unaligned: the "
			"VMA ends at the next page. It is refused when\n"
			"another mapping lies within a page above the new "
			"break (a stack: within\nits guard gap), and "
			"shrinking is refused when nothing is mapped there.\n"
			"With mlockall(MCL_FUTURE) the new pages are locked "
			"and populated.\nThe VMA overlapping [start_brk, brk) "
			"is named [heap]. verify runs brk\nrelative to the "
			"real process's own start_brk (the brk area, up to "
			"1 GiB\nabove it, is compared as if it began at "
			"0x555555559000).",
		.example = "brk(NULL)\n"
			   "brk(0x55555555b000)\n"
			   "brk(0x55555555c800)\n"
			   "maps\n"
			   "brk(0x55555555a000)",
		.nr = NR_brk,
		.result = RES_ADDR,
		.exec = cmd_syscall,
	},
	{
		.name = "map",
		.alias = "m",
		.group = SHORTHAND,
		.syntax = SYN_WORDS,
		.min_args = 3,
		.max_args = 4,
		.args = {ARG_ADDR, ARG_LEN, ARG_PROTWORD, ARG_MAPOPTS},
		.usage = "map ADDR|NULL LEN PROT [OPTION...]",
		.summary = "mmap in words: map 0x200000000000 16k rw",
		.help = "Maps LEN bytes at ADDR and prints the mmap() call it "
			"ran, with its result.\nPROT is written as maps "
			"shows it. Without options the mapping is private\n"
			"and anonymous, and an ADDR other than NULL is "
			"MAP_FIXED (say hint to let\nthe kernel choose "
			"when ADDR is taken, or noreplace for EEXIST).\n"
			"A file mapping names its fd: file FD [OFFSET].",
		.example = "map 0x200000000000 16k rw\n"
			   "map 0x200000004000 4p r\n"
			   "openat(AT_FDCWD, \"data\", O_RDWR|O_CREAT, 0644)\n"
			   "ftruncate(3, 64k)\n"
			   "map 0x200000010000 8k rw shared file 3 4k",
		.exec = cmd_map,
	},
	{
		.name = "unmap",
		.alias = "u",
		.group = SHORTHAND,
		.syntax = SYN_WORDS,
		.min_args = 2,
		.max_args = 2,
		.args = {ARG_ADDR, ARG_LEN},
		.usage = "unmap ADDR LEN",
		.summary = "munmap in words: unmap 0x200000001000 4k",
		.help = "Unmaps [ADDR, ADDR+LEN) and prints the munmap() call "
			"it ran, with its\nresult.",
		.example = "map 0x200000000000 16k rw\n"
			   "unmap 0x200000001000 4k",
		.exec = cmd_unmap,
	},
	{
		.name = "protect",
		.alias = "p",
		.group = SHORTHAND,
		.syntax = SYN_WORDS,
		.min_args = 3,
		.max_args = 3,
		.args = {ARG_ADDR, ARG_LEN, ARG_PROTWORD},
		.usage = "protect ADDR LEN PROT",
		.summary = "mprotect in words: protect 0x200000001000 4k r",
		.help = "Changes the protection of [ADDR, ADDR+LEN) and prints "
			"the mprotect()\ncall it ran, with its result. PROT "
			"is written as maps shows it.",
		.example = "map 0x200000000000 16k rw\n"
			   "protect 0x200000001000 4k r",
		.exec = cmd_protect,
	},
	{
		.name = "openat",
		.group = PROCESS,
		.syntax = SYN_CALL,
		.min_args = 3,
		.max_args = 4,
		.args = {ARG_DIRFD, ARG_PATH, ARG_OFLAGS, ARG_MODE},
		.usage = "openat(AT_FDCWD, \"PATH\", FLAGS[, MODE])",
		.summary = "open (or create) a simulated file",
		.help = "Opens PATH and prints the new fd (the lowest free, "
			"from 3). O_CREAT\nmakes an empty file; ftruncate "
			"sizes it. Two opens of one file give\ntwo struct "
			"files, and their mappings never merge.",
		.example = "openat(AT_FDCWD, \"data\", O_RDWR|O_CREAT, 0644)",
		.nr = NR_openat,
		.exec = cmd_syscall,
	},
	{
		.name = "close",
		.group = PROCESS,
		.syntax = SYN_CALL,
		.min_args = 1,
		.max_args = 1,
		.args = {ARG_FD},
		.usage = "close(FD)",
		.summary = "close an fd (mappings of it stay)",
		.help = "Closes FD. A mapping keeps its own reference to the "
			"file.",
		.example = "openat(AT_FDCWD, \"data\", O_RDWR|O_CREAT, 0644)\n"
			   "close(3)",
		.nr = NR_close,
		.exec = cmd_syscall,
	},
	{
		.name = "ftruncate",
		.group = PROCESS,
		.syntax = SYN_CALL,
		.min_args = 2,
		.max_args = 2,
		.args = {ARG_FD, ARG_LEN},
		.usage = "ftruncate(FD, LEN)",
		.summary = "set a file's size",
		.help = "Sets the size of FD's file. Shrinking unmaps the "
			"pages "
			"past the new end\nfrom every mapping; touching them "
			"then gives SIGBUS.",
		.example = "openat(AT_FDCWD, \"data\", O_RDWR|O_CREAT, 0644)\n"
			   "ftruncate(3, 65536)",
		.nr = NR_ftruncate,
		.exec = cmd_syscall,
	},
	{
		.name = "fork",
		.group = PROCESS,
		.syntax = SYN_CALL,
		.min_args = 0,
		.max_args = 0,
		.usage = "fork()",
		.summary = "fork the current process (it stays current)",
		.help = "Creates a child with the next free pid (dup_mmap: "
			"the VMAs are copied\none to one and faulted ones go "
			"through anon_vma_fork). Prints the\nchild's pid; the "
			"parent stays current (see switch and ps).",
		.example = "map 0x200000000000 16k rw\n"
			   "touch 0x200000000000 4k\n"
			   "fork()",
		.nr = NR_fork,
		.exec = cmd_syscall,
	},
	{
		.name = "execve",
		.group = PROCESS,
		.syntax = SYN_CALL,
		.min_args = 1,
		.max_args = 3,
		.args = {ARG_PATH, ARG_ANY, ARG_ANY},
		.usage = "execve(\"PATH\"[, ARGV, ENVP])",
		.summary = "replace the address space (stack and vDSO only)",
		.help = "Runs PATH, which must be a simulated file: the old mm "
			"goes (exec_mmap),\nO_CLOEXEC fds close, and the new "
			"mm has what the kernel makes before\nthe program "
			"runs: [stack] and the vDSO ([vvar], [vvar_vclock],\n"
			"[vdso]) where they go without randomisation. The "
			"program's own ELF\nsegments are made from the file "
			"by load_elf_binary, which vmalab does\nnot read: "
			"give them with `given vma` if you know them. ARGV "
			"and ENVP\nare accepted as strace writes them and "
			"ignored.",
		.example = "openat(AT_FDCWD, \"prog\", O_RDWR|O_CREAT, 0755)\n"
			   "execve(\"prog\", [\"prog\"], 0x7ffc0 /* 1 var */)\n"
			   "maps",
		.nr = NR_execve,
		.exec = cmd_syscall,
	},
	{
		.name = "exit_group",
		.group = PROCESS,
		.syntax = SYN_CALL,
		.min_args = 1,
		.max_args = 1,
		.args = {ARG_INT},
		.usage = "exit_group(STATUS)",
		.summary = "end the current process (it stays as a zombie)",
		.help = "Ends the current process: its mm and its fds go "
			"(exit_mm, exit_files).\nThe pid stays, with no VMAs; "
			"it makes no more calls (ESRCH).",
		.example = "fork()\n"
			   "switch 2\n"
			   "exit_group(0)",
		.nr = NR_exit_group,
		.result = RES_NONE,
		.exec = cmd_syscall,
	},
	{
		.name = "dup",
		.group = PROCESS,
		.syntax = SYN_CALL,
		.min_args = 1,
		.max_args = 1,
		.args = {ARG_FD},
		.usage = "dup(FD)",
		.summary = "the same open file at the lowest free fd",
		.help = "Gives the open file of FD a second fd, the lowest "
			"free. Mappings made\nthrough either share one struct "
			"file, so they can merge.",
		.example = "openat(AT_FDCWD, \"data\", O_RDWR|O_CREAT, 0644)\n"
			   "dup(3)",
		.nr = NR_dup,
		.exec = cmd_syscall,
	},
	{
		.name = "dup2",
		.group = PROCESS,
		.syntax = SYN_CALL,
		.min_args = 2,
		.max_args = 2,
		.args = {ARG_FD, ARG_FD},
		.usage = "dup2(OLDFD, NEWFD)",
		.summary = "OLDFD's open file at NEWFD (closing it first)",
		.help = "Makes NEWFD refer to OLDFD's open file, closing what "
			"NEWFD held. The\nsame fd twice returns it.",
		.example = "openat(AT_FDCWD, \"data\", O_RDWR|O_CREAT, 0644)\n"
			   "dup2(3, 7)",
		.nr = NR_dup2,
		.exec = cmd_syscall,
	},
	{
		.name = "dup3",
		.group = PROCESS,
		.syntax = SYN_CALL,
		.min_args = 3,
		.max_args = 3,
		.args = {ARG_FD, ARG_FD, ARG_OFLAGS},
		.usage = "dup3(OLDFD, NEWFD, FLAGS)",
		.summary = "dup2 with O_CLOEXEC; the same fd twice is EINVAL",
		.help = "As dup2(), but FLAGS may be O_CLOEXEC (execve then "
			"closes NEWFD), and\nOLDFD == NEWFD is EINVAL.",
		.example = "openat(AT_FDCWD, \"data\", O_RDWR|O_CREAT, 0644)\n"
			   "dup3(3, 7, O_CLOEXEC)",
		.nr = NR_dup3,
		.exec = cmd_syscall,
	},
	{
		.name = "given",
		.group = PROCESS,
		.syntax = SYN_WORDS,
		.flags = CMD_ENGINE,
		.min_args = 1,
		.max_args = 2,
		.args = {ARG_WORD, ARG_REST},
		.usage = "given process|vma|pages|file|fd|layout ...",
		.summary = "state given from outside, not made by calls",
		.help = "Gives the simulation what a real process has but no "
			"call in a script\nmade (attach, load-maps, record "
			"and import write these lines):\n"
			"  given process                 a new empty process "
			"(prints its pid)\n"
			"  given vma KIND START-END OFF flags=rd,wr,... "
			"[\"PATH\"]\n"
			"      KIND: anon file deleted shmem vvar vvar_vclock "
			"vdso heap stack\n"
			"  given pages ADDR LEN anon|file|zero   present "
			"pages\n"
			"  given file \"PATH\" SIZE        a file at least "
			"SIZE bytes long\n"
			"  given fd FD \"PATH\" O_FLAGS    FD opens PATH "
			"(made if need be)\n"
			"  given layout mmap_base|brk|start_stack ADDR, or "
			"layout empty",
		.example = "given process\n"
			   "switch 2\n"
			   "given vma anon 7f0000000000-7f0000004000 0 "
			   "flags=rd,wr,mr,mw,me,ac\n"
			   "given pages 0x7f0000000000 8k anon",
		.exec = cmd_given,
	},
	{
		.name = "load-maps",
		.group = PROCESS,
		.syntax = SYN_WORDS,
		.flags = CMD_ENGINE,
		.min_args = 1,
		.max_args = 1,
		.args = {ARG_FILE},
		.usage = "load-maps FILE",
		.summary = "a new process with the VMAs of a saved smaps",
		.help = "Reads a saved /proc/PID/smaps (or maps) and makes a "
			"new process, now\ncurrent, with those VMAs: ranges, "
			"permissions, offsets, names, VmFlags\nand Rss as "
			"present pages. What the text cannot say is assumed, "
			"and said.",
		.example = "load-maps /proc/self/smaps",
		.exec = cmd_load_maps,
	},
	{
		.name = "attach",
		.group = PROCESS,
		.syntax = SYN_WORDS,
		.flags = CMD_ENGINE,
		.min_args = 1,
		.max_args = 1,
		.args = {ARG_WORD},
		.usage = "attach PID|self",
		.summary = "a copy of a live process's address space",
		.help = "Reads /proc/PID/smaps and /proc/PID/pagemap of a "
			"running process and\nmakes a new simulated process, "
			"now current, with the same VMAs and\npresent pages "
			"(self: vmalab's own). The real process is only read, "
			"never\ntouched.",
		.example = "attach self",
		.exec = cmd_attach,
	},
	{
		.name = "touch",
		.group = INSPECT,
		.syntax = SYN_WORDS,
		.min_args = 1,
		.max_args = 2,
		.args = {ARG_ADDR, ARG_LEN},
		.usage = "touch ADDR [LEN]",
		.summary = "write-fault every page of a range",
		.help = "Writes one byte to each page of [ADDR, ADDR+LEN) (LEN "
			"defaults to 1)\nas a user write fault. A private "
			"writable page gets an anon_vma\n(anon_vma_prepare). "
			"Stops at the first page that faults:\nSIGSEGV, or "
			"SIGBUS past the end of a file. Ctrl-C stops it too\n"
			"(= SIGINT at the next page); the pages done stay "
			"done.",
		.example = "map 0x200000000000 16k rw\n"
			   "touch 0x200000000000 16384",
		.exec = cmd_touch,
	},
	{
		.name = "read",
		.group = INSPECT,
		.syntax = SYN_WORDS,
		.min_args = 1,
		.max_args = 2,
		.args = {ARG_ADDR, ARG_LEN},
		.usage = "read ADDR [LEN]",
		.summary = "read-fault every page of a range",
		.help = "Reads one byte of each page of [ADDR, ADDR+LEN) (LEN "
			"defaults to 1)\nas a user read fault. Private anonymous "
			"memory maps the shared zero\npage (do_anonymous_page: "
			"no anon_vma, not in Rss); a file maps its\npage-cache "
			"page and the pages around it (do_read_fault, "
			"do_fault_around).\nA later write copies the page "
			"(do_wp_page). Stops at the first page\nthat faults: "
			"SIGSEGV (PROT_NONE, nothing mapped), or SIGBUS past "
			"the\nend of a file.",
		.example = "map 0x200000000000 16k r\n"
			   "read 0x200000000000 16384\n"
			   "pages 0x200000000000 16k",
		.exec = cmd_read,
	},
	{
		.name = "switch",
		.group = PROCESS,
		.syntax = SYN_WORDS,
		.min_args = 1,
		.max_args = 1,
		.args = {ARG_PID},
		.usage = "switch PID",
		.summary = "make another process current",
		.help = "Makes PID the current process: calls, maps and vma "
			"then act on it.\nPrints nothing. ps lists the "
			"processes.",
		.example = "fork()\n"
			   "switch 2",
		.exec = cmd_switch,
	},
	{
		.name = "ps",
		.group = PROCESS,
		.syntax = SYN_WORDS,
		.flags = CMD_ENGINE,
		.min_args = 0,
		.max_args = 0,
		.usage = "ps",
		.summary = "list the processes (* marks the current one)",
		.help = "Lists each simulated process with its number of VMAs, "
			"the size they\nspan, and the pages present (Rss) and "
			"anonymous among them.",
		.example = "map 0x200000000000 16k rw\n"
			   "fork()\n"
			   "ps",
		.exec = cmd_ps,
	},
	{
		.name = "maps",
		.group = INSPECT,
		.syntax = SYN_WORDS,
		.min_args = 0,
		.max_args = 0,
		.usage = "maps",
		.summary = "print /proc/PID/maps of the current process",
		.help = "Prints the current process's VMAs as "
			"/proc/PID/maps does.",
		.example = "map 0x200000000000 16k rw\n"
			   "maps",
		.exec = cmd_maps,
	},
	{
		.name = "smaps",
		.group = INSPECT,
		.syntax = SYN_WORDS,
		.min_args = 0,
		.max_args = 0,
		.usage = "smaps",
		.summary = "print /proc/PID/smaps (Rss, Anonymous, VmFlags)",
		.help = "Prints each VMA's maps line, then Size, Rss, "
			"Anonymous and VmFlags as\n/proc/PID/smaps does.",
		.example = "map 0x200000000000 16k rw\n"
			   "touch 0x200000000000 4k\n"
			   "smaps",
		.exec = cmd_smaps,
	},
	{
		.name = "status",
		.group = INSPECT,
		.syntax = SYN_WORDS,
		.min_args = 0,
		.max_args = 0,
		.usage = "status",
		.summary = "print the memory lines of /proc/PID/status",
		.help = "Prints VmPeak ... HugetlbPages as /proc/PID/status "
			"does (task_mem), from the\nmm's counters: total_vm "
			"(VmSize), locked_vm (VmLck), pinned_vm (VmPin),\n"
			"data_vm (VmData), stack_vm (VmStk), exec_vm "
			"(VmExe + VmLib), the RSS\ncounters (RssAnon, RssFile, "
			"RssShmem) and their peaks, hiwater_vm (VmPeak)\nand "
			"hiwater_rss (VmHWM), which are only raised when the "
			"value is about to\ndrop (munmap, truncation). What it "
			"cannot know: VmExe is 0 (no ELF text\nis loaded, so "
			"executable mappings count in VmLib), VmPTE counts "
			"only the\nengine's PTE tables (it frees one with "
			"its last page; the kernel keeps it\nwhile a VMA "
			"covers it, and counts PMD and PUD tables too), VmPin, "
			"VmSwap\nand HugetlbPages are 0. verify compares the "
			"difference from the real\nprocess's own start, for "
			"every line but VmHWM (the kernel raises it from\n"
			"its per-CPU RSS counters, read approximately) and "
			"VmPTE.",
		.example =
			"map 0x200000000000 2m rw\n"
			"touch 0x200000000000 64k\n"
			"mprotect(0x200000000000, 4096, PROT_READ|PROT_EXEC)\n"
			"status",
		.exec = cmd_status,
	},
	{
		.name = "pages",
		.group = INSPECT,
		.syntax = SYN_WORDS,
		.min_args = 1,
		.max_args = 2,
		.args = {ARG_ADDR, ARG_LEN},
		.usage = "pages ADDR [LEN]",
		.summary =
			"which pages are present: a anonymous, f file, . none",
		.help = "Prints the page table over [ADDR, ADDR+LEN), 64 pages "
			"a line: 'a' for an\nanonymous page, 'f' for a "
			"page-cache or shmem page, 'z' the zero page, 'g'\na "
			"guard marker, '.' for none. It is\nwhat "
			"/proc/PID/pagemap says, so verify compares it with "
			"the "
			"kernel too.\nRss in smaps counts the a and f pages of "
			"a "
			"VMA.",
		.example = "map 0x200000000000 16k rw\n"
			   "touch 0x200000001000 8k\n"
			   "pages 0x200000000000 16k",
		.exec = cmd_pages,
	},
	{
		.name = "vma",
		.group = INSPECT,
		.syntax = SYN_WORDS,
		.flags = CMD_ENGINE,
		.min_args = 1,
		.max_args = 1,
		.args = {ARG_ADDR},
		.usage = "vma ADDR",
		.summary = "every field of the VMA at ADDR, and why it did "
			   "not merge",
		.help = "Shows the VMA that contains ADDR: range, vm_pgoff, "
			"file, anon_vma and\nits chain (a chain of more than "
			"one link is a fork child), Rss, and\nvm_flags by "
			"name and smaps mnemonic beside both neighbours'. A "
			"flag marked\n! differs from a neighbour and keeps "
			"the two apart; the last lines give\nthe reason "
			"vma_merge_blockers() finds for each neighbour.",
		.example = "map 0x200000000000 16k rw\n"
			   "protect 0x200000001000 4k r\n"
			   "vma 0x200000001000",
		.exec = cmd_vma,
	},
	{
		.name = "rmap",
		.group = INSPECT,
		.syntax = SYN_WORDS,
		.flags = CMD_ENGINE,
		.min_args = 1,
		.max_args = 1,
		.args = {ARG_ADDR},
		.usage = "rmap ADDR",
		.summary = "the reverse map of the page at ADDR "
			   "(rmap_walk_anon)",
		.help = "Walks the reverse map of the anonymous page at ADDR "
			"in the current\nprocess the way rmap_walk_anon() does: "
			"from the page's anon_vma\n(folio->mapping) and index "
			"(folio->index), into that anon_vma's interval\ntree of "
			"chains, keeping those whose VMA's pgoff range holds "
			"the index,\nto each VMA in any process and the address "
			"the page has there. Each\nline says whether that "
			"VMA's page table maps this very page: after a\nwrite "
			"breaks copy on write, the writer maps a copy of its "
			"own. A file or\nshmem page is found through the "
			"file's i_mmap instead; rmap says so.",
		.example = "map 0x200000000000 16k rw\n"
			   "touch 0x200000000000 16k\n"
			   "fork()\n"
			   "switch 2\n"
			   "touch 0x200000001000\n"
			   "rmap 0x200000000000\n"
			   "rmap 0x200000001000",
		.exec = cmd_rmap,
	},
	{
		.name = "anon",
		.alias = "avc",
		.group = INSPECT,
		.syntax = SYN_WORDS,
		.flags = CMD_ENGINE,
		.min_args = 0,
		.max_args = 0,
		.usage = "anon",
		.summary = "the anon_vma graph of every process (alias avc)",
		.help = "Prints every live anon_vma as mm/rmap.c keeps it: "
			"its root and parent\n(children indented under their "
			"parent), refcount, num_children,\nnum_active_vmas and "
			"the anonymous pages that belong to it, then its\n"
			"interval tree of anon_vma_chains in pgoff order: one "
			"per VMA, of any\nprocess, that may map its pages. "
			"\"its anon_vma\" marks the VMA whose own\nanon_vma it "
			"is. After fork the child's VMA is chained to the "
			"parent's\nanon_vma too: that is how a page the two "
			"share is found from both.",
		.example = "map 0x200000000000 16k rw\n"
			   "touch 0x200000000000 16k\n"
			   "fork()\n"
			   "anon",
		.exec = cmd_anon,
	},
	{
		.name = "check",
		.group = INSPECT,
		.syntax = SYN_WORDS,
		.flags = CMD_ENGINE,
		.min_args = 0,
		.max_args = 0,
		.usage = "check",
		.summary = "run the engine's invariant checker now",
		.help = "Checks every invariant of the simulated machine now "
			"and prints what\nbreaks: the VMA tree (order, gaps, "
			"map_count), no empty or overlapping\nVMAs, no two "
			"neighbours left apart that the merge would join, "
			"every\nanon_vma_chain linked both ways, the counts of "
			"each anon_vma, and every\nanonymous page reachable by "
			"rmap from each VMA that maps it. `set check\non` runs "
			"it, and the VMA write-lock checker, after every "
			"call.",
		.example = "map 0x200000000000 16k rw\n"
			   "touch 0x200000000000 16k\n"
			   "check",
		.exec = cmd_check,
	},
	{
		.name = "explain",
		.group = INSPECT,
		.syntax = SYN_WORDS,
		.flags = CMD_ENGINE | CMD_META | CMD_STEPS,
		.min_args = 0,
		.max_args = 1,
		.args = {ARG_INT},
		.usage = "explain [STEP]",
		.summary = "the last step (or STEP of history) in plain words",
		.help = "Tells what the kernel did in the last step, or in "
			"step STEP as history\nnumbers them, from the engine's "
			"events: which kernel path ran, each\nmerge tried "
			"(vma_merge_new_range or vma_merge_existing_range), "
			"what\nprev and next said and on which condition one "
			"refused, the case the\nmerge ended in with its number "
			"in the pre-6.12 vma_merge() diagram\n(cases 1-8), "
			"each split, the faults and anon_vma work, and every "
			"VMA\nwrite-locked (vma_start_write). The step is run "
			"again on a copy of the\nstate before it; the machine "
			"is left as it is.",
		.example = "map 0x200000000000 4k rw\n"
			   "map 0x200000002000 4k rw\n"
			   "map 0x200000001000 4k rw\n"
			   "explain",
		.exec = cmd_explain,
	},
	{
		.name = "echo",
		.group = SCRIPT,
		.syntax = SYN_WORDS,
		.min_args = 1,
		.max_args = 1,
		.args = {ARG_TEXT},
		.usage = "echo TEXT",
		.summary = "print TEXT",
		.help = "Prints TEXT. Scripts use `echo --` to separate steps.",
		.example = "echo --",
		.exec = cmd_echo,
	},
	{
		.name = "draw",
		.group = INSPECT,
		.syntax = SYN_WORDS,
		.flags = CMD_ENGINE | CMD_META,
		.min_args = 1,
		.max_args = 1,
		.args = {ARG_FILE},
		.usage = "draw FILE.svg",
		.summary = "draw the address space as an SVG picture",
		.help = "Writes the current process's VMAs to FILE as an SVG "
			"drawing, laid out as\nthe UI's map: high addresses at "
			"the top, one band per VMA coloured by\nkind "
			"(anonymous, "
			"file, shared, special, locked), each gap one band\n"
			"\"gap (N GiB)\", # marks for the faulted part. In the "
			"UI and the REPL the\nlast step's VMAs are outlined "
			"(green new, orange changed, red removed).",
		.example = "map 0x200000000000 16k rw\n"
			   "draw /dev/null",
		.exec = cmd_draw,
	},
	{
		.name = "source",
		.group = SCRIPT,
		.syntax = SYN_WORDS,
		.flags = CMD_META | CMD_STEPS,
		.min_args = 1,
		.max_args = 1,
		.args = {ARG_FILE},
		.usage = "source FILE",
		.summary = "run the lines of a script",
		.help = "Runs each line of FILE as if typed here (# starts a "
			"comment). Errors\nname the file and line. Each line "
			"that changes the machine is a step\nof its own for "
			"undo. Ctrl-C stops it between two lines (or in a\n"
			"long one); quit in FILE ends FILE only.",
		.example = "source /dev/null",
		.exec = cmd_source,
	},
	{
		.name = "save",
		.group = SCENARIOS,
		.syntax = SYN_WORDS,
		/* It reads the step log: a script that saves keeps one. */
		.flags = CMD_META | CMD_STORE | CMD_STEPS,
		.min_args = 1,
		.max_args = 7,
		.args = {ARG_NAME, ARG_WORD, ARG_WORD, ARG_WORD, ARG_WORD,
			 ARG_WORD, ARG_WORD},
		.usage = "save NAME [--title T] [--tag T]...",
		.summary = "keep this session's steps as a scenario",
		.help = "Keeps the steps since the last reset (what history "
			"lists, and the lines\nthat printed between them, "
			"such as maps) as the scenario NAME, with\nthe output "
			"each step prints and the engine's events, in one "
			"transaction.\nSaving under a name again replaces "
			"that scenario. Steps that came from\nthe scenario "
			"loaded last keep its commentary.",
		.example = "map 0x200000000000 16k rw\n"
			   "maps\n"
			   "save first-map --title \"One mapping\" --tag mine",
		.exec = cmd_save,
	},
	{
		.name = "load",
		.group = SCENARIOS,
		.syntax = SYN_WORDS,
		.flags = CMD_META | CMD_STORE,
		.min_args = 1,
		.max_args = 1,
		.args = {ARG_NAME},
		.usage = "load NAME",
		.summary =
			"run a scenario's steps silently, to go on from there",
		.help = "Starts a fresh machine (undo brings the old one back) "
			"and runs every\nstep of NAME without printing them: "
			"history lists them, undo steps\nback through them. "
			"save NEW then keeps a variation, as a branch of NAME.",
		.example = "load 01-new-expand-prev\n"
			   "history",
		.exec = cmd_load,
	},
	{
		.name = "replay",
		.group = SCENARIOS,
		.syntax = SYN_WORDS,
		.flags = CMD_META | CMD_STORE,
		.min_args = 1,
		.max_args = 1,
		.args = {ARG_NAME},
		.usage = "replay NAME",
		.summary = "run a scenario, printing it, and check it",
		.help = "Like load, but prints each step's output (in the REPL "
			"with its\ncommentary), and reports each step that "
			"prints something other than\nwhat it printed when "
			"the scenario was saved: a regression check.",
		.example = "replay 01-new-expand-prev",
		.exec = cmd_replay,
	},
	{
		.name = "list",
		.group = SCENARIOS,
		.syntax = SYN_WORDS,
		.flags = CMD_META | CMD_STORE,
		.min_args = 0,
		.max_args = 1,
		.args = {ARG_WORD},
		.usage = "list [TAG]",
		.summary = "the lessons and saved scenarios (or those tagged)",
		.help = "Lists the lessons, then the saved and imported "
			"scenarios, each with its\nnumber of steps and title. "
			"TAG keeps those with that tag, or that\norigin "
			"(lesson, user, import).",
		.example = "list merge",
		.exec = cmd_list,
	},
	{
		.name = "show",
		.group = SCENARIOS,
		.syntax = SYN_WORDS,
		.flags = CMD_META | CMD_STORE,
		.min_args = 1,
		.max_args = 1,
		.args = {ARG_NAME},
		.usage = "show NAME",
		.summary = "a scenario's description and its steps",
		.help = "Shows NAME's title, origin, version, tags, where it "
			"was branched from,\nits description, and its steps "
			"numbered, with their commentary.",
		.example = "show 03-new-expand-prev-remove-next",
		.exec = cmd_show,
	},
	{
		.name = "delete",
		.group = SCENARIOS,
		.syntax = SYN_WORDS,
		.flags = CMD_META | CMD_STORE,
		.min_args = 1,
		.max_args = 1,
		.args = {ARG_NAME},
		.usage = "delete NAME",
		.summary = "delete a saved scenario",
		.help = "Deletes the scenario NAME and its quiz scores. "
			"Lessons cannot be deleted.",
		.example = "map 0x200000000000 4k rw\n"
			   "save scratch\n"
			   "delete scratch",
		.exec = cmd_delete,
	},
	{
		.name = "rename",
		.group = SCENARIOS,
		.syntax = SYN_WORDS,
		.flags = CMD_META | CMD_STORE,
		.min_args = 2,
		.max_args = 2,
		.args = {ARG_NAME, ARG_NAME},
		.usage = "rename OLD NEW",
		.summary = "rename a saved scenario",
		.help = "Renames the scenario OLD to NEW. Lessons keep their "
			"names.",
		.example = "map 0x200000000000 4k rw\n"
			   "save scratch\n"
			   "rename scratch scratch2",
		.exec = cmd_rename,
	},
	{
		.name = "tag",
		.group = SCENARIOS,
		.syntax = SYN_WORDS,
		.flags = CMD_META | CMD_STORE,
		.min_args = 2,
		.max_args = 2,
		.args = {ARG_NAME, ARG_WORD},
		.usage = "tag NAME TAG",
		.summary = "tag a scenario (-TAG takes the tag away)",
		.help = "Adds TAG to the scenario NAME (list TAG then finds "
			"it); -TAG removes it.\nThe tags you add to a lesson "
			"stay when a newer version replaces it.",
		.example = "tag 01-new-expand-prev week1",
		.exec = cmd_tag,
	},
	{
		.name = "branch",
		.group = SCENARIOS,
		.syntax = SYN_WORDS,
		.flags = CMD_META | CMD_STORE,
		.min_args = 3,
		.max_args = 3,
		.args = {ARG_NAME, ARG_INT, ARG_NAME},
		.usage = "branch NAME STEP NEW",
		.summary = "a new scenario from the first STEP steps of NAME",
		.help = "Makes the scenario NEW from steps 1 to STEP of NAME "
			"(as show numbers\nthem), commentary and all, and "
			"remembers where it came from. load NEW\nthen goes "
			"on from there; save NEW keeps what you add.",
		.example = "branch 01-new-expand-prev 3 my-variation",
		.exec = cmd_branch,
	},
	{
		.name = "diff",
		.group = SCENARIOS,
		.syntax = SYN_WORDS,
		.flags = CMD_META | CMD_STORE,
		.min_args = 2,
		.max_args = 2,
		.args = {ARG_NAME, ARG_NAME},
		.usage = "diff NAME1 NAME2",
		.summary = "the first step after which two scenarios differ",
		.help = "Runs both scenarios side by side and stops at the "
			"first step after\nwhich their processes' VMAs "
			"differ: it shows both steps, then the VMAs\nonly in "
			"NAME1 (-) and only in NAME2 (+).",
		.example = "diff 01-new-expand-prev 02-new-expand-next",
		.exec = cmd_diff,
	},
	{
		.name = "export",
		.group = SCENARIOS,
		.syntax = SYN_WORDS,
		.flags = CMD_META | CMD_STORE,
		.min_args = 1,
		.max_args = 5,
		.args = {ARG_NAME, ARG_WORD, ARG_WORD, ARG_WORD, ARG_WORD},
		.usage = "export NAME [--format script|c|json] [-o FILE]",
		.summary = "a scenario as a script, a C program or JSON",
		.help = "Prints NAME (or writes it to FILE): script is the "
			"lesson format that\n--batch, verify and import take; "
			"c is a standalone program that makes\nthe same calls "
			"on a real kernel and checks every result and maps "
			"line,\nreporting PASS/FAIL per step as kselftest "
			"does (TAP); json carries the\nsteps, their outputs "
			"and their events.",
		.example = "export 01-new-expand-prev --format script",
		.exec = cmd_export,
	},
	{
		.name = "import",
		.group = SCENARIOS,
		.syntax = SYN_WORDS,
		.flags = CMD_META | CMD_STORE,
		.min_args = 1,
		.max_args = 2,
		.args = {ARG_FILE, ARG_NAME},
		.usage = "import FILE [NAME]",
		.summary =
			"keep a script, or a real program's strace log, as a "
			"scenario",
		.help = "Reads FILE in the lesson format (any script will do: "
			"the header and\n# commentary are optional), runs it "
			"to record each step's output, and\nkeeps it as NAME "
			"(by default the file's name without .vml).\n"
			"An strace log (strace -f -e trace=memory,process "
			"...; -tt, -y and the\nlike are fine) or what vmalab "
			"record wrote is replayed first, on a fresh\nmachine "
			"(undo brings the old one back): one simulated "
			"process per real\none, files named after the log's "
			"paths (else fdN), each address the\nkernel chose "
			"placed where the log says, and a summary: calls "
			"replayed,\nlines skipped by kind, where "
			"get_unmapped_area would have placed things,\nand "
			"every result that differs, with why. The replay is "
			"what is kept\n(without a store, it is only run).",
		.example = "import /dev/null empty",
		.exec = cmd_import,
	},
	{
		.name = "quiz",
		.group = SCENARIOS,
		.syntax = SYN_WORDS,
		.flags = CMD_META | CMD_STORE,
		.min_args = 0,
		.max_args = 1,
		.args = {ARG_NAME},
		.usage = "quiz [LESSON|--scores|--stop]",
		.summary = "predict each step of a lesson, and be scored",
		.help = "Plays LESSON (by default the first not quizzed yet), "
			"stopping before\neach step that changes the address "
			"space to ask which merge it makes,\nhow many VMAs "
			"there will be, or what the VMA at its address "
			"becomes.\nanswer N answers; then come the step, the "
			"engine's trace and the\ncommentary. --scores lists "
			"the scores kept; --stop gives up.",
		.example = "quiz 01-new-expand-prev\n"
			   "answer 1",
		.exec = cmd_quiz,
	},
	{
		.name = "answer",
		.group = SCENARIOS,
		.syntax = SYN_WORDS,
		.flags = CMD_META | CMD_STORE,
		.min_args = 0,
		.max_args = 1,
		.args = {ARG_TEXT},
		.usage = "answer [ANSWER]",
		.summary =
			"answer the quiz's question (alone: show the answer)",
		.help = "Answers the question the quiz is asking: a choice's "
			"number, a number of\nVMAs, or START-END PERMS for a "
			"VMA. With nothing, shows the answer\n(counted as "
			"wrong). Then the quiz runs the step and goes on.",
		.example = "quiz 01-new-expand-prev\n"
			   "answer 1",
		.exec = cmd_answer,
	},
	{
		.name = "undo",
		.alias = "back",
		.group = SESSION,
		.syntax = SYN_WORDS,
		.flags = CMD_META | CMD_STEPS,
		.min_args = 0,
		.max_args = 1,
		.args = {ARG_INT},
		.usage = "undo [N]",
		.summary = "step the whole machine back (N steps)",
		.help = "Takes back the last N steps (default 1): every "
			"process, file and\nanon_vma returns to what it "
			"was, exactly. A step is a line that changed\nthe "
			"machine: a call, touch, switch or reset. A line "
			"that changed\nnothing (a failed mmap, a touch of "
			"pages already there) is no step;\na failed call "
			"that changed something (a MAP_FIXED that left a "
			"hole) is\none. Prints the steps taken back.",
		.example = "map 0x200000000000 16k rw\n"
			   "unmap 0x200000001000 4k\n"
			   "undo\n"
			   "maps",
		.exec = cmd_undo,
	},
	{
		.name = "redo",
		.group = SESSION,
		.syntax = SYN_WORDS,
		.flags = CMD_META | CMD_STEPS,
		.min_args = 0,
		.max_args = 1,
		.args = {ARG_INT},
		.usage = "redo [N]",
		.summary = "run again the steps undo took back",
		.help = "Runs again the next N steps that undo took back "
			"(default 1). A new\nstep after an undo forgets the "
			"steps that could be redone.",
		.example = "map 0x200000000000 16k rw\n"
			   "undo\n"
			   "redo",
		.exec = cmd_redo,
	},
	{
		.name = "history",
		.group = SESSION,
		.syntax = SYN_WORDS,
		.flags = CMD_META | CMD_STEPS,
		.min_args = 0,
		.max_args = 0,
		.usage = "history",
		.summary = "the steps of this session, for undo and redo",
		.help = "Lists the lines that changed the machine, numbered, "
			"with the ones\nundo took back marked. (Up and Down "
			"recall every line typed, from\nearlier sessions "
			"too.)",
		.example = "map 0x200000000000 16k rw\n"
			   "history",
		.exec = cmd_history,
	},
	{
		.name = "reset",
		.group = SESSION,
		.syntax = SYN_WORDS,
		.flags = CMD_META,
		.min_args = 0,
		.max_args = 0,
		.usage = "reset",
		.summary = "start again with a fresh machine",
		.help = "Replaces every process with one empty pid 1. It is a "
			"step like any\nother: undo brings the old machine "
			"back.",
		.example = "map 0x200000000000 16k rw\n"
			   "reset\n"
			   "undo",
		.exec = cmd_reset,
	},
	{
		.name = "set",
		.group = SESSION,
		.syntax = SYN_WORDS,
		.flags = CMD_META,
		.min_args = 0,
		.max_args = 2,
		.args = {ARG_OPTION, ARG_VALUE},
		.usage = "set [NAME [VALUE]]",
		.summary = "show or change a setting (trace, colour, ...)",
		.help = "With no argument, lists the settings; with a NAME, "
			"shows one; with a\nVALUE, changes it. trace on shows "
			"the engine's steps after each call.",
		.example = "set trace on\n"
			   "map 0x200000000000 4k rw\n"
			   "set trace off",
		.exec = cmd_set,
	},
	{
		.name = "help",
		.group = SESSION,
		.syntax = SYN_WORDS,
		.flags = CMD_META,
		.min_args = 0,
		.max_args = 1,
		.args = {ARG_COMMAND},
		.usage = "help [COMMAND]",
		.summary = "list the commands, or show one in full",
		.help = "Lists the commands by topic, or shows one command's "
			"syntax, what each\nargument accepts, and examples "
			"that run as they are.",
		.example = "help mmap",
		.exec = cmd_help,
	},
	{
		.name = "quit",
		.alias = "exit",
		.group = SESSION,
		.syntax = SYN_WORDS,
		.flags = CMD_META,
		.min_args = 0,
		.max_args = 0,
		.usage = "quit",
		.summary = "leave vmalab (Ctrl-D does too)",
		.help = "Leaves vmalab. In a script, stops reading it.",
		.example = "quit",
		.exec = cmd_quit,
	},
};

const size_t commands_count = sizeof(commands) / sizeof(commands[0]);

/*
 * Exact names and aliases by hash: every line of a script looks its
 * command up.  The table is made at the first lookup.
 */
#define NAME_SLOTS 512 /* a power of two, over twice the names */

static unsigned name_hash(const char *s)
{
	unsigned h = 2166136261u; /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static void name_slot(short *slots, const char *name, short index)
{
	unsigned h = name_hash(name);

	while (slots[h & (NAME_SLOTS - 1)])
		h++;
	slots[h & (NAME_SLOTS - 1)] = (short)(index + 1);
}

static const struct command *command_exact(const char *name)
{
	static short slots[NAME_SLOTS]; /* 1 + index into commands[] */
	static bool made;
	unsigned h;

	if (!made) {
		_Static_assert(sizeof(commands) / sizeof(commands[0]) * 2 <
				       NAME_SLOTS / 2,
			       "NAME_SLOTS is too small");
		for (size_t i = 0; i < commands_count; i++) {
			name_slot(slots, commands[i].name, (short)i);
			if (commands[i].alias)
				name_slot(slots, commands[i].alias, (short)i);
		}
		made = true;
	}
	for (h = name_hash(name); slots[h & (NAME_SLOTS - 1)]; h++) {
		const struct command *c =
			&commands[slots[h & (NAME_SLOTS - 1)] - 1];

		if (!strcmp(c->name, name) ||
		    (c->alias && !strcmp(c->alias, name)))
			return c;
	}
	return NULL;
}

const struct command *command_find(const char *name, bool prefix, char *err,
				   size_t errlen)
{
	const struct command *found = command_exact(name);
	size_t len = strlen(name), matches = 0;
	char list[256];

	if (found)
		return found;
	list[0] = '\0';
	for (size_t i = 0; prefix && i < commands_count; i++) {
		if (strncmp(commands[i].name, name, len) == 0) {
			size_t used = strlen(list);

			snprintf(list + used, sizeof(list) - used, "%s%s",
				 matches ? ", " : "", commands[i].name);
			found = &commands[i];
			matches++;
		}
	}
	if (matches == 1)
		return found;
	if (err && matches > 1)
		snprintf(err, errlen, "ambiguous command %s: could be %s", name,
			 list);
	else if (err)
		snprintf(err, errlen, "unknown command %s", name);
	return NULL;
}

const char *command_suggest(const char *name)
{
	const char *names[64];
	size_t n = 0, len = strlen(name), prefix_of = 0;

	/* A prefix of several names is ambiguous, not misspelt. */
	for (size_t i = 0; i < commands_count; i++)
		prefix_of += strncmp(commands[i].name, name, len) == 0;
	if (prefix_of > 1)
		return NULL;
	for (size_t i = 0; i < commands_count && n < 64; i++)
		names[n++] = commands[i].name;
	return closest_name(name, names, n);
}

const struct command *command_for_nr(int nr)
{
	for (size_t i = 0; i < commands_count; i++)
		if (commands[i].exec == cmd_syscall && commands[i].nr == nr)
			return &commands[i];
	return NULL;
}
