/*
 * replay.c - a real program's log replayed into the simulation (see
 * replay.h for what becomes of each kind of line), and the summary of how
 * the simulation's results compare with the kernel's.
 *
 * Every change goes through session_call() (and session_switch()), so a
 * replay is undoable like any script, and what it did is also kept as a
 * script: the scenario that `import FILE NAME` writes.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "replay.h"
#include "session.h"
#include "strace.h"
#include "tree.h"

/* Clone flags that say what a child shares (include/uapi/linux/sched.h). */
#define MAX_FDS_SEEN 16

/* A real task the log names: a process, or a thread of one. */
struct rtask {
	long tid;
	int sim;     /* its simulated pid */
	bool thread; /* not a group leader: its exit ends nothing */
	bool placed; /* a kernel-chosen address seen since its execve */
	bool brk_seen;
	/* An unfinished call: its text so far, and its line. */
	char *pending;
	long pending_line;
	unsigned long pending_seq; /* when, for forks whose child shows first */
	bool pending_fork, pending_thread;
	long early_child; /* the child of the pending fork, made early */
};

enum diff_class {
	DIFF_LOG_GAP,  /* the log does not show what the call depends on */
	DIFF_MODEL,    /* vmalab does not model it */
	DIFF_FIDELITY, /* vmalab and the kernel disagree */
};

struct rdiff {
	long line;
	enum diff_class cls;
	char *text; /* the whole report line */
};

struct rkind {
	char *name;
	unsigned long n;
};

struct replay {
	int depth; /* the source depth whose stream began it */
	const char *src;
	struct rtask *tasks;
	size_t ntasks, captasks;
	unsigned long seq, lines, calls, forks, spawns, execs, given_fds;
	unsigned long execs_given; /* address spaces given after an execve */
	unsigned long placed, agreed, calibrated, fdn;
	struct rkind *kinds;
	size_t nkinds;
	struct rdiff *diffs;
	size_t ndiffs;
	struct strbuf placements; /* the lines of disagreeing placements */
	struct strbuf script;
	struct strbuf *keep; /* where the script goes at the end, or NULL */
	char *broken;	     /* a line strace broke with a message of its own */
	int script_pid;	     /* the pid the script is on */
};

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p)
		abort();
	return p;
}

static char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (!p)
		abort();
	return p;
}

/* ---- formatting a call from its row ---- */

static void format_arg(struct strbuf *out, enum arg_type t, unsigned long v,
		       const char *path)
{
	char buf[512];

	switch (t) {
	case ARG_ADDR:
		if (v)
			sb_addf(out, "%#lx", v);
		else
			sb_puts(out, "NULL");
		break;
	case ARG_PATH:
		sb_puts(out, "\"");
		for (const char *p = path ? path : ""; *p; p++)
			sb_addf(out, *p == '"' || *p == '\\' ? "\\%c" : "%c",
				*p);
		sb_puts(out, "\"");
		break;
	case ARG_FD:
	case ARG_INT:
		sb_addf(out, "%ld", (long)v);
		break;
	case ARG_OFF:
		sb_addf(out, "%#lx", v);
		break;
	case ARG_MODE:
		sb_addf(out, "%#lo", v);
		break;
	default:
		if (arg_types[t].consts) {
			format_constants(t, v, buf, sizeof(buf));
			sb_puts(out, buf);
		} else {
			sb_addf(out, "%lu", v);
		}
		break;
	}
}

void format_call(struct strbuf *out, const struct command *cmd,
		 const struct call *c)
{
	format_call_fds(out, cmd, c, NULL);
}

void format_call_fds(struct strbuf *out, const struct command *cmd,
		     const struct call *c, char *const *fdpaths)
{
	sb_addf(out, "%s(", cmd->name);
	for (int i = 0, n = 0; i < cmd->max_args && i < 6; i++) {
		if (cmd->args[i] == ARG_ANY)
			continue;
		/* Optional trailing arguments that are 0 are left out. */
		if (i >= cmd->min_args && !c->a[i] && c->path_arg != i)
			break;
		sb_puts(out, n++ ? ", " : "");
		format_arg(out, cmd->args[i], c->a[i], c->path);
		if (fdpaths && fdpaths[i] && cmd->args[i] == ARG_FD)
			sb_addf(out, "<%s>", fdpaths[i]);
	}
	sb_puts(out, ")");
}

/* ---- tasks ---- */

static struct rtask *task_find(struct replay *r, long tid)
{
	for (size_t i = 0; i < r->ntasks; i++)
		if (r->tasks[i].tid == tid)
			return &r->tasks[i];
	return NULL;
}

static struct rtask *task_add(struct replay *r, long tid, int sim, bool thread)
{
	struct rtask *t;

	if (r->ntasks == r->captasks) {
		r->captasks = r->captasks ? 2 * r->captasks : 16;
		r->tasks = xrealloc(r->tasks, r->captasks * sizeof(*r->tasks));
	}
	t = &r->tasks[r->ntasks++];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->sim = sim;
	t->thread = thread;
	t->early_child = -1;
	return t;
}

/* ---- the scenario and the counts ---- */

static void script_switch(struct replay *r, int pid)
{
	if (r->script_pid != pid)
		sb_addf(&r->script, "switch %d\n", pid);
	r->script_pid = pid;
}

static void script_call(struct replay *r, int pid, const struct command *cmd,
			const struct call *c)
{
	script_switch(r, pid);
	format_call(&r->script, cmd, c);
	sb_puts(&r->script, "\n");
}

/*
 * Count a skipped kind for the summary.  The session warns about the
 * kinds it knows (a call's name, "---", "+++": skey) once and gives
 * their totals; of the rest the first of each gets a warning here.
 */
static void skip_kind_as(struct session *s, struct replay *r, const char *kind,
			 const char *why, const char *skey, const char *swarn)
{
	if (skey)
		session_skip(s, skey, swarn);
	for (size_t i = 0; i < r->nkinds; i++) {
		if (!strcmp(r->kinds[i].name, kind)) {
			r->kinds[i].n++;
			return;
		}
	}
	r->kinds = xrealloc(r->kinds, (r->nkinds + 1) * sizeof(*r->kinds));
	r->kinds[r->nkinds].name = xstrndup(kind, strlen(kind));
	r->kinds[r->nkinds++].n = 1;
	if (!skey)
		session_warn(s, "skipping %s: %s (the summary counts them)",
			     kind, why);
}

static void skip_kind(struct session *s, struct replay *r, const char *kind,
		      const char *why)
{
	skip_kind_as(s, r, kind, why, NULL, NULL);
}

/* A signal or exit line: strace's own, as the session names them. */
static void skip_strace_line(struct session *s, struct replay *r,
			     const char *kind, const struct strace_line *sl)
{
	char warn[128];
	size_t n = (size_t)(sl->body_end - sl->body);

	snprintf(warn, sizeof(warn), "skipping strace line: %.*s",
		 (int)(n > 60 ? 60 : n), sl->body);
	skip_kind_as(s, r, kind, "", sl->body[0] == '-' ? "---" : "+++", warn);
}

static void add_diff(struct replay *r, enum diff_class cls, long line,
		     const char *text)
{
	r->diffs = xrealloc(r->diffs, (r->ndiffs + 1) * sizeof(*r->diffs));
	r->diffs[r->ndiffs].line = line;
	r->diffs[r->ndiffs].cls = cls;
	r->diffs[r->ndiffs++].text = xstrndup(text, strlen(text));
}

/* ---- beginning and ending ---- */

void replay_begin(struct session *s, const char *src, struct strbuf *keep)
{
	struct replay *r = calloc(1, sizeof(*r));

	if (!r)
		abort();
	r->depth = s->depth;
	r->src = src ? src : "-";
	r->keep = keep;
	r->script_pid = machine_current_pid(session_machine(s));
	sb_addf(&r->script,
		"# vmalab scenario: the log %s replayed (vmalab import)\n",
		r->src);
	s->replay = r;
}

static void replay_free(struct replay *r)
{
	for (size_t i = 0; i < r->ntasks; i++)
		free(r->tasks[i].pending);
	for (size_t i = 0; i < r->nkinds; i++)
		free(r->kinds[i].name);
	for (size_t i = 0; i < r->ndiffs; i++)
		free(r->diffs[i].text);
	free(r->broken);
	free(r->tasks);
	free(r->kinds);
	free(r->diffs);
	sb_free(&r->placements);
	sb_free(&r->script);
	free(r);
}

static const char *const class_words[] = {
	[DIFF_LOG_GAP] = "not in the log",
	[DIFF_MODEL] = "a gap of the model",
	[DIFF_FIDELITY] = "a fidelity finding",
};

static void summary(struct replay *r, struct strbuf *out)
{
	unsigned long per[3] = {0};

	sb_addf(out, "# import summary (%s)\n", r->src);
	sb_addf(out, "#   lines read: %lu; calls replayed: %lu\n", r->lines,
		r->calls);
	sb_addf(out,
		"#   processes: %zu real task%s as simulated pids:", r->ntasks,
		r->ntasks == 1 ? "" : "s");
	for (size_t i = 0; i < r->ntasks; i++)
		sb_addf(out, " %ld=%d%s", r->tasks[i].tid, r->tasks[i].sim,
			r->tasks[i].thread ? "(thread)" : "");
	sb_addf(out, "\n#   (%lu by fork, %lu seen first with no fork)\n",
		r->forks, r->spawns);
	for (size_t i = 0; i < r->nkinds; i++)
		sb_addf(out, "#   skipped: %lu %s\n", r->kinds[i].n,
			r->kinds[i].name);
	if (r->execs > r->execs_given)
		sb_addf(out,
			"#   execve: %lu; each program's own ELF mappings (and "
			"its interpreter's) are\n#     made by the kernel at "
			"exec and are not in the log\n",
			r->execs);
	else if (r->execs)
		sb_addf(out,
			"#   execve: %lu; each new address space as the kernel "
			"made it, given from\n#     /proc (the ELF, its "
			"interpreter, the stack and the vDSO)\n",
			r->execs);
	if (r->given_fds)
		sb_addf(out,
			"#   files: %lu fds given the file the log names%s\n",
			r->given_fds,
			r->fdn ? " (fdN where it names none: no openat or -y)"
			       : "");
	sb_addf(out,
		"#   kernel-chosen addresses: %lu placed where the log says; "
		"vmalab's\n#     get_unmapped_area agrees on %lu, differs on "
		"%lu, calibrated %lu (the first\n#     after an execve: "
		"its mmap_base is randomised and its interpreter unknown)\n",
		r->placed, r->agreed, r->placed - r->agreed - r->calibrated,
		r->calibrated);
	sb_add(out, sb_str(&r->placements), r->placements.len);
	for (size_t i = 0; i < r->ndiffs; i++)
		per[r->diffs[i].cls]++;
	sb_addf(out,
		"#   results that differ: %zu (%lu not in the log, %lu gaps of "
		"the model, %lu fidelity findings)\n",
		r->ndiffs, per[DIFF_LOG_GAP], per[DIFF_MODEL],
		per[DIFF_FIDELITY]);
	for (size_t i = 0; i < r->ndiffs; i++)
		sb_addf(out, "#     line %ld: %s: %s\n", r->diffs[i].line,
			class_words[r->diffs[i].cls], r->diffs[i].text);
}

bool replay_here(const struct session *s)
{
	return s->replay && s->replay->depth == s->depth;
}

void replay_drop(struct session *s)
{
	if (s->replay)
		replay_free(s->replay);
	s->replay = NULL;
}

void replay_end(struct session *s)
{
	struct replay *r = s->replay;

	if (!r || r->depth != s->depth)
		return;
	summary(r, &s->out);
	if (r->keep)
		sb_add(r->keep, sb_str(&r->script), r->script.len);
	s->replay = NULL;
	replay_free(r);
}

/* ---- the simulation's state, read ---- */

static const struct mm *sim_mm(struct session *s, int pid)
{
	return machine_mm(session_machine(s), pid);
}

/* Is all of [addr, addr + len) mapped in pid? */
static bool range_mapped(struct session *s, int pid, unsigned long addr,
			 unsigned long len)
{
	const struct mm *mm = sim_mm(s, pid);
	unsigned long end = PAGE_ALIGN(addr + len);

	addr &= PAGE_MASK;
	while (mm && addr < end) {
		const struct vma *v = vt_find(&mm->tree, addr);

		if (!v || v->vm_start > addr)
			return false;
		addr = v->vm_end;
	}
	return true;
}

static bool range_free(struct session *s, int pid, unsigned long addr,
		       unsigned long len)
{
	const struct mm *mm = sim_mm(s, pid);
	const struct vma *v = mm ? vt_find(&mm->tree, addr) : NULL;

	return !v || v->vm_start >= PAGE_ALIGN(addr + len);
}

int replay_sim_pid(const struct session *s, long tid)
{
	const struct rtask *t = s->replay ? task_find(s->replay, tid) : NULL;

	return t ? t->sim : 0;
}

/* ---- the state a call needs, given ---- */

static long run_pseudo(struct session *s, struct replay *r, struct call *c,
		       const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static long run_pseudo(struct session *s, struct replay *r, struct call *c,
		       const char *fmt, ...)
{
	va_list ap;

	script_switch(r, machine_current_pid(session_machine(s)));
	va_start(ap, fmt);
	sb_vaddf(&r->script, fmt, ap);
	va_end(ap);
	sb_puts(&r->script, "\n");
	return session_call(s, c, NULL);
}

static void quote_into(char *out, size_t len, const char *path)
{
	size_t n = 0;

	for (; *path && n + 3 < len; path++) {
		if (*path == '"' || *path == '\\')
			out[n++] = '\\';
		out[n++] = *path;
	}
	out[n] = '\0';
}

/* Make fd in the current process hold path (opened as flags). */
static void give_fd(struct session *s, struct replay *r, long fd,
		    const char *path, unsigned long flags)
{
	struct call c = {.nr = NR_GIVEN_FD, .a = {(unsigned long)fd, flags}};
	char q[4200], fl[128];

	c.path = path;
	quote_into(q, sizeof(q), path);
	format_constants(ARG_OFLAGS, flags, fl, sizeof(fl));
	run_pseudo(s, r, &c, "given fd %ld \"%s\" %s", fd, q, fl);
	r->given_fds++;
}

static void give_file(struct session *s, struct replay *r, const char *path,
		      unsigned long size)
{
	struct call c = {.nr = NR_GIVEN_FILE, .a = {size}};
	char q[4200];

	c.path = path;
	quote_into(q, sizeof(q), path);
	run_pseudo(s, r, &c, "given file \"%s\" %lu", q, size);
}

static const char *annotated(const struct strace_fd *fds, int nfds, long fd,
			     char *buf, size_t len)
{
	for (int i = 0; i < nfds && i < MAX_FDS_SEEN; i++)
		if (fds[i].fd == fd) {
			snprintf(buf, len, "%.*s",
				 (int)(fds[i].path_end - fds[i].path),
				 fds[i].path);
			return buf;
		}
	return NULL;
}

/*
 * fd must be open for the call: on the file the log names for it, else
 * on what the simulation has, else on "fdN".  mode: the access the
 * recorded call needed.
 */
static void ensure_fd(struct session *s, struct replay *r, int pid, long fd,
		      const char *named, unsigned long mode)
{
	const struct vm_file *f = machine_fd(session_machine(s), pid, (int)fd);
	char fdn[32];

	if (fd < 0 || fd >= 1024)
		return;
	if (f && (!named || !strcmp(f->path, named)) &&
	    (!(mode & O_RDWR) || (f->f_mode & FMODE_WRITE)))
		return;
	if (!named) {
		snprintf(fdn, sizeof(fdn), "fd%ld", fd);
		named = f ? f->path : fdn;
		r->fdn += !f;
	}
	give_fd(s, r, fd, named, mode);
}

/* The file behind fd is at least size bytes long. */
static void ensure_size(struct session *s, struct replay *r, int pid, long fd,
			unsigned long size)
{
	const struct vm_file *f = machine_fd(session_machine(s), pid, (int)fd);

	if (f && f->inode->size < size)
		give_file(s, r, f->path, size);
}

/* ---- placing what the kernel placed ---- */

static void set_layout(struct session *s, struct replay *r, int field,
		       unsigned long v, const char *name)
{
	struct call c = {.nr = NR_LAYOUT, .a = {(unsigned long)field, v}};

	run_pseudo(s, r, &c, "given layout %s %#lx", name, v);
}

/*
 * An address the kernel chose: ask get_unmapped_area where the
 * simulation would put it.  The first such placement after an execve
 * sets mmap_base under it instead (ASLR and the interpreter the log does
 * not show decide it); the rest are checks of the placement model.
 */
static void check_placement(struct session *s, struct replay *r,
			    struct rtask *t, long lineno, long fd,
			    unsigned long hint, unsigned long len,
			    unsigned long flags, unsigned long recorded,
			    const char *text)
{
	struct machine *m = session_machine(s);
	long want = machine_get_unmapped_area(m, fd, hint, len, 0, flags);

	r->placed++;
	if (want == (long)recorded) {
		r->agreed++;
	} else if (!t->placed) {
		r->calibrated++;
		set_layout(s, r, LAYOUT_MMAP_BASE, recorded + PAGE_ALIGN(len),
			   "mmap_base");
	} else {
		sb_addf(&r->placements,
			"#     line %ld: %s: the log has %#lx, vmalab would "
			"choose %#lx\n",
			lineno, text, recorded, (unsigned long)want);
	}
	t->placed = true;
}

/* ---- one call ---- */

struct logcall {
	long line;
	const char *shown; /* the text printed before " = " */
	const char *name;
	size_t name_len;
	char text[MAX_LINE + 1]; /* name(args) without fd annotations */
	/* name(args) as the log has it: fds[] point into it */
	char raw[MAX_LINE + 1];
	struct strace_fd fds[MAX_FDS_SEEN];
	int nfds;
	bool has_result, result_unknown;
	long result;
	char result_path[4096];
};

static bool name_is(const struct logcall *lc, const char *n)
{
	return lc->name_len == strlen(n) && !memcmp(lc->name, n, lc->name_len);
}

/* "flags=CLONE_VM|..." in the arguments: a thread, or a vfork child? */
static bool clone_shares_mm(const char *text)
{
	const char *f = strstr(text, "flags=");
	char flags[512];
	bool vm = false, vfork = false;

	if (!f)
		return false;
	snprintf(flags, sizeof(flags), "%s", f + 6);
	for (char *tok = strtok(flags, "|,} "); tok;
	     tok = strtok(NULL, "|,} ")) {
		vm |= !strcmp(tok, "CLONE_VM");
		vfork |= !strcmp(tok, "CLONE_VFORK");
		if (strncmp(tok, "CLONE_", 6))
			break;
	}
	return vm && !vfork;
}

static bool is_fork_name(const struct logcall *lc)
{
	return name_is(lc, "fork") || name_is(lc, "vfork") ||
	       name_is(lc, "clone") || name_is(lc, "clone2") ||
	       name_is(lc, "clone3");
}

static void switch_to(struct session *s, int pid)
{
	if (machine_current_pid(session_machine(s)) != pid)
		session_switch(s, pid);
}

/* Fork t's process for child tid, or make the child a thread of it. */
static int do_fork(struct session *s, struct replay *r, struct rtask *t,
		   long child, bool thread)
{
	struct call c = {.nr = NR_fork};
	long pid;

	if (thread) {
		task_add(r, child, t->sim, true);
		return t->sim;
	}
	switch_to(s, t->sim);
	pid = session_call(s, &c, NULL);
	script_call(r, t->sim, command_for_nr(NR_fork), &c);
	if (pid < 0)
		return (int)pid;
	r->forks++;
	task_add(r, child, (int)pid, false);
	return (int)pid;
}

static void show(struct session *s, const struct logcall *lc, int nr,
		 enum result_kind kind, long ret)
{
	session_result(s, lc->shown, nr, kind, ret, 0);
}

static void fork_call(struct session *s, struct replay *r, struct rtask *t,
		      struct logcall *lc)
{
	bool thread = name_is(lc, "clone") || name_is(lc, "clone3")
			      ? clone_shares_mm(lc->text)
			      : false;
	long child = lc->has_result ? lc->result : -1;
	long ret;

	if (!lc->has_result) {
		/* No child to name: a fork of the script's own. */
		struct call c = {.nr = NR_fork};

		switch_to(s, t->sim);
		ret = session_call(s, &c, NULL);
		script_call(r, t->sim, command_for_nr(NR_fork), &c);
		r->calls++;
		show(s, lc, NR_fork, RES_INT, ret);
		return;
	}
	if (child <= 0) {
		show(s, lc, NR_fork, RES_INT, child < 0 ? child : -EAGAIN);
		return;
	}
	if (t->early_child == child) {
		struct rtask *ct = task_find(r, child);

		ret = ct ? ct->sim : -ESRCH;
	} else if (task_find(r, child)) {
		ret = task_find(r, child)->sim; /* its lines came first */
	} else {
		ret = do_fork(s, r, t, child, thread);
	}
	t->early_child = -1;
	r->calls++;
	show(s, lc, NR_fork, RES_INT, ret);
}

static bool is_dir_open(const struct call *c)
{
	size_t n = strlen(c->path);

	return (c->a[2] & O_DIRECTORY) || (n && c->path[n - 1] == '/') ||
	       !strcmp(c->path, ".") || !strcmp(c->path, "..");
}

/* Whether a differing result is the log's gap, the model's or neither. */
static enum diff_class classify(struct session *s, int pid,
				const struct command *cmd, const struct call *c,
				long ret, long recorded, const char **why)
{
	if (ret == -ENOSYS) {
		*why = "the call is not modelled";
		return DIFF_MODEL;
	}
	if (recorded >= 0 && ret < 0 && cmd->args[0] == ARG_ADDR &&
	    cmd->args[1] == ARG_LEN &&
	    !range_mapped(s, pid, c->a[0], c->a[1])) {
		*why = "the range was mapped before the log shows it: by the "
		       "kernel at execve (the program's ELF and its "
		       "interpreter) or by a call the log does not trace";
		return DIFF_LOG_GAP;
	}
	if (recorded >= 0 && ret == -EBADF) {
		*why = "the fd was opened by a call the log does not trace";
		return DIFF_LOG_GAP;
	}
	if (c->nr == NR_openat && recorded >= 0 && ret >= 0) {
		*why = "an fd below it is free here: a call the log does not "
		       "trace (dup2, say) had filled it; vmalab moves the fd "
		       "to the recorded one";
		return DIFF_LOG_GAP;
	}
	if (c->nr == NR_openat && recorded >= 0 && is_dir_open(c)) {
		*why = "directories are not modelled (the simulated file "
		       "system is flat)";
		return DIFF_MODEL;
	}
	if (recorded >= 0 && ret == -ENOENT && c->nr == NR_openat) {
		*why = "the simulated file system is flat: only the working "
		       "directory and absolute paths";
		return DIFF_MODEL;
	}
	*why = "vmalab and the kernel disagree (--trace shows the engine's "
	       "steps)";
	return DIFF_FIDELITY;
}

static void compare(struct session *s, struct replay *r, const struct rtask *t,
		    const struct logcall *lc, const struct command *cmd,
		    const struct call *c, long ret)
{
	struct strbuf sb = {0};
	const char *why;
	enum diff_class cls;

	if (!lc->has_result || lc->result_unknown || ret == lc->result ||
	    cmd->result == RES_NONE)
		return;
	cls = classify(s, t->sim, cmd, c, ret, lc->result, &why);
	sb_addf(&sb, "pid %d: %s: the log has ", t->sim, lc->text);
	format_result(&sb, lc->result, cmd->result == RES_ADDR);
	sb_puts(&sb, ", vmalab ");
	format_result(&sb, ret, cmd->result == RES_ADDR);
	sb_addf(&sb, ": %s", why);
	add_diff(r, cls, lc->line, sb_str(&sb));
	sb_free(&sb);
}

/*
 * openat gave another fd than the kernel did: a call the log does not
 * trace (a dup2, say) left the tables apart.  Move it to the recorded fd,
 * so that later calls on it find it.
 */
static void move_fd(struct session *s, struct replay *r, int pid, long got,
		    long want)
{
	struct call d = {.nr = NR_dup2,
			 .a = {(unsigned long)got, (unsigned long)want}};
	struct call c = {.nr = NR_close, .a = {(unsigned long)got}};

	if (got < 0 || want < 0 || got == want || want >= 1024)
		return;
	session_call(s, &d, NULL);
	script_call(r, pid, command_for_nr(NR_dup2), &d);
	session_call(s, &c, NULL);
	script_call(r, pid, command_for_nr(NR_close), &c);
	/* The kernel had every fd below want taken: so must vmalab. */
	for (long fd = 0; fd < want; fd++) {
		char name[32];

		if (machine_fd(session_machine(s), pid, (int)fd))
			continue;
		snprintf(name, sizeof(name), "fd%ld", fd);
		give_fd(s, r, fd, name, O_RDWR);
	}
}

/* The fd arguments of a call that the recorded call found open. */
static void give_call_fds(struct session *s, struct replay *r, struct rtask *t,
			  const struct logcall *lc, const struct command *cmd,
			  struct call *c)
{
	char path[4096];
	bool anon_map = c->nr == NR_mmap && (c->a[3] & MAP_ANONYMOUS);
	bool ok = !lc->has_result || lc->result >= 0;

	for (int i = 0; i < cmd->max_args && i < 6; i++) {
		const char *named;
		unsigned long mode = O_RDONLY;

		if (cmd->args[i] != ARG_FD || anon_map ||
		    (c->nr == NR_dup2 && i))
			continue;
		if (c->nr == NR_dup3 && i)
			continue;
		named = annotated(lc->fds, lc->nfds, (long)c->a[i], path,
				  sizeof(path));
		if (!named && !ok)
			continue;
		/* A shared writable mapping needs a file open for writing. */
		if (c->nr == NR_mmap && (c->a[3] & MAP_TYPE) != MAP_PRIVATE &&
		    (c->a[2] & PROT_WRITE))
			mode = O_RDWR;
		if (c->nr == NR_ftruncate)
			mode = O_RDWR;
		ensure_fd(s, r, t->sim, (long)c->a[i], named, mode);
	}
	if (c->nr == NR_mmap && !anon_map && ok)
		ensure_size(s, r, t->sim, (long)c->a[4],
			    PAGE_ALIGN(c->a[5] + c->a[1]));
	/* The file exists: the call found it (directories are not
	 * modelled, so none is made for one). */
	if ((c->nr == NR_execve || c->nr == NR_openat) && ok && c->path &&
	    lc->has_result && !(c->nr == NR_openat && is_dir_open(c)))
		give_file(s, r, c->path, 0);
}

/* Where the kernel chose the address, use the one the log recorded. */
static void place(struct session *s, struct replay *r, struct rtask *t,
		  const struct logcall *lc, const struct command *cmd,
		  struct call *c)
{
	bool ok = lc->has_result && lc->result >= 0 && !lc->result_unknown;
	unsigned long rec = (unsigned long)lc->result;

	if (!ok)
		return;
	if (c->nr == NR_mmap &&
	    !(c->a[3] & (MAP_FIXED | MAP_FIXED_NOREPLACE))) {
		check_placement(s, r, t, lc->line, (long)c->a[4], c->a[0],
				c->a[1], c->a[3], rec, lc->text);
		if (range_free(s, t->sim, rec, c->a[1])) {
			c->a[0] = rec;
			c->a[3] |= MAP_FIXED_NOREPLACE;
		}
	} else if (!strcmp(cmd->name, "mremap") && (c->a[3] & MREMAP_MAYMOVE) &&
		   !(c->a[3] & MREMAP_FIXED) && rec != c->a[0]) {
		const struct mm *mm = sim_mm(s, t->sim);
		const struct vma *v = mm ? vt_find(&mm->tree, c->a[0]) : NULL;
		/* vrm_set_new_addr(): MAP_SHARED for VM_MAYSHARE; a file
		 * mapping, like a shared one, is never THP-aligned. */
		unsigned long fl =
			MAP_ANONYMOUS |
			(v && (v->vm_file || v->vm_flags & VM_MAYSHARE)
				 ? MAP_SHARED
				 : MAP_PRIVATE);

		check_placement(s, r, t, lc->line, -1, 0, c->a[2], fl, rec,
				lc->text);
		if (range_free(s, t->sim, rec, c->a[2])) {
			c->a[3] |= MREMAP_FIXED;
			c->a[4] = rec;
		}
	}
}

/* The first brk() after an execve says where the brk area starts. */
static void place_brk(struct session *s, struct replay *r, struct rtask *t,
		      const struct logcall *lc, const struct command *cmd)
{
	const struct mm *mm = sim_mm(s, t->sim);

	if (strcmp(cmd->name, "brk") || t->brk_seen || !mm)
		return;
	t->brk_seen = true;
	if (lc->has_result && lc->result > 0 && mm->brk == mm->start_brk &&
	    (unsigned long)lc->result != mm->brk)
		set_layout(s, r, LAYOUT_BRK, (unsigned long)lc->result, "brk");
}

static void call_from_parsed(const struct parsed *p, struct call *c)
{
	memset(c, 0, sizeof(*c));
	c->nr = p->cmd->nr;
	for (int i = 0; i < p->argc && i < 6; i++) {
		if (p->cmd->args[i] == ARG_PATH) {
			c->path = p->argv[i].str;
			c->path_arg = i;
		} else {
			c->a[i] = p->argv[i].num;
		}
	}
}

/* The text of a call vmalab names differently: open, creat, exit. */
static bool translate(struct logcall *lc)
{
	char tmp[MAX_LINE + 1];
	const char *args = lc->text + lc->name_len + 1;

	if (name_is(lc, "open")) {
		snprintf(tmp, sizeof(tmp), "openat(AT_FDCWD, %s", args);
	} else if (name_is(lc, "exit")) {
		snprintf(tmp, sizeof(tmp), "exit_group(%s", args);
	} else {
		return false;
	}
	memcpy(lc->text, tmp, sizeof(tmp));
	lc->name = lc->text;
	lc->name_len = strcspn(lc->text, "(");
	return true;
}

static void run_call(struct session *s, struct replay *r, struct rtask *t,
		     struct logcall *lc)
{
	const struct command *cmd;
	char err[600], kind[80];
	struct parsed p;
	struct call c;
	long ret;

	if (is_fork_name(lc)) {
		fork_call(s, r, t, lc);
		return;
	}
	if (name_is(lc, "exit") && t->thread) {
		skip_kind(s, r, "exit() of a thread", "the process goes on");
		return;
	}
	translate(lc);
	snprintf(kind, sizeof(kind), "%.*s()", (int)lc->name_len, lc->name);
	{
		char name[64];

		snprintf(name, sizeof(name), "%.*s", (int)lc->name_len,
			 lc->name);
		cmd = command_find(name, false, NULL, 0);
	}
	if (!cmd || cmd->syntax != SYN_CALL || command_for_nr(cmd->nr) != cmd) {
		char name[64], warn[128];

		snprintf(name, sizeof(name), "%.*s", (int)lc->name_len,
			 lc->name);
		snprintf(warn, sizeof(warn), "skipping %s(): not simulated",
			 name);
		skip_kind_as(s, r, kind, "not simulated", name, warn);
		return;
	}
	if (parse_line(lc->text, strlen(lc->text), &p, err, sizeof(err)) !=
	    PARSE_OK) {
		skip_kind(s, r, "calls vmalab cannot read", err);
		parsed_free(&p);
		return;
	}
	call_from_parsed(&p, &c);
	switch_to(s, t->sim);
	give_call_fds(s, r, t, lc, cmd, &c);
	place_brk(s, r, t, lc, cmd);
	place(s, r, t, lc, cmd, &c);
	ret = session_call(s, &c, NULL);
	script_call(r, t->sim, cmd, &c);
	r->calls++;
	if (c.nr == NR_execve && ret == 0) {
		r->execs++;
		t->placed = t->brk_seen = false;
	}
	show(s, lc, c.nr, cmd->result, ret);
	compare(s, r, t, lc, cmd, &c, ret);
	if (c.nr == NR_openat && lc->has_result)
		move_fd(s, r, t->sim, ret, lc->result);
	parsed_free(&p);
}

/* ---- lines ---- */

/* Does this line show that the stream is an strace log? */
static bool looks_like_log(const struct strace_line *sl)
{
	if (sl->pid >= 0 || sl->has_time)
		return sl->kind != ST_BLANK && sl->kind != ST_OTHER;
	switch (sl->kind) {
	case ST_UNFINISHED:
	case ST_RESUMED:
	case ST_SIGNAL:
	case ST_EXIT:
	case ST_MESSAGE:
		return true;
	case ST_CALL:
		/* strace's first line, with the result it recorded */
		return sl->has_result && sl->name_len == 6 &&
		       !memcmp(sl->name, "execve", 6);
	default:
		return false;
	}
}

/*
 * The lines of a script are calls and commands: most can be told from the
 * start of a log without strace_parse_line(), which would scan every
 * argument.  A line that starts (after blanks) with a letter or '_' has
 * no pid column, no "[pid N]" and no timestamp (they start with a digit
 * or '['), and is not a signal, exit or resumed line; unless it is one of
 * strace's own messages, an execve (the log's first call) or ends in '>'
 * (" <unfinished ...>"), strace_parse_line() finds an ST_CALL, ST_WORDS
 * or ST_OTHER without a pid or time, which looks_like_log() refuses.
 * False means: ask strace_parse_line().
 */
static bool never_starts_log(const char *s, size_t len)
{
	const char *e = s + len;

	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
			 e[-1] == '\n'))
		e--;
	if (s == e || !(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	if (e[-1] == '>')
		return false;
	if ((e - s >= 8 && !memcmp(s, "strace: ", 8)) ||
	    (e - s >= 6 && !memcmp(s, "execve", 6)))
		return false;
	return true;
}

bool replay_file_is_log(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[MAX_LINE + 2];
	bool log = false;

	for (int i = 0; f && i < 50 && fgets(line, sizeof(line), f); i++) {
		struct strace_line sl;

		strace_parse_line(line, strlen(line), &sl);
		if (sl.kind == ST_BLANK || *sl.body == '#')
			continue;
		log = looks_like_log(&sl);
		break;
	}
	if (f)
		fclose(f);
	return log;
}

/* The task a line is about; a pid seen for the first time gets one. */
static struct rtask *line_task(struct session *s, struct replay *r, long tid)
{
	struct rtask *t = task_find(r, tid), *fork = NULL;
	struct call c = {.nr = NR_SPAWN};
	long pid;

	if (t)
		return t;
	if (!r->ntasks)
		return task_add(r, tid, machine_current_pid(session_machine(s)),
				false);
	/* On a terminal strace names the first process only once there
	 * are others: a line without a pid is the first task's. */
	if (tid < 0)
		return &r->tasks[0];
	/* A child often speaks before its parent's fork returns. */
	for (size_t i = 0; i < r->ntasks; i++)
		if (r->tasks[i].pending_fork && r->tasks[i].early_child < 0 &&
		    (!fork || r->tasks[i].pending_seq > fork->pending_seq))
			fork = &r->tasks[i];
	if (fork) {
		bool thread = fork->pending_thread;
		long ftid = fork->tid;

		fork->early_child = tid;
		do_fork(s, r, fork, tid, thread);
		(void)ftid;
		return task_find(r, tid);
	}
	/* ...and from then on by its pid, which no fork returned. */
	t = task_find(r, -1);
	if (t) {
		t->tid = tid;
		return t;
	}
	pid = session_call(s, &c, NULL);
	sb_addf(&r->script, "given process\n");
	r->spawns++;
	return task_add(r, tid, (int)pid, false);
}

static void exit_line(struct session *s, struct replay *r, struct rtask *t,
		      const struct strace_line *sl)
{
	struct call c = {.nr = NR_exit_group};

	skip_strace_line(s, r, "exit lines (+++ ... +++)", sl);
	if (t->thread || machine_exited(session_machine(s), t->sim))
		return;
	/* Killed by a signal: the kernel ended it without exit_group. */
	switch_to(s, t->sim);
	session_call(s, &c, NULL);
	script_call(r, t->sim, command_for_nr(NR_exit_group), &c);
}

/* A call's text into lc: annotations out, and what to print. */
static bool fill_call(struct logcall *lc, const char *name, size_t name_len,
		      const char *args, size_t args_len, const char *more,
		      size_t more_len)
{
	/* In lc, not on the stack: the paths of lc->fds point into it. */
	char *raw = lc->raw;
	int n = snprintf(raw, sizeof(lc->raw), "%.*s(%.*s%.*s)", (int)name_len,
			 name, (int)args_len, args, (int)more_len, more);

	if (n < 0 || (size_t)n >= sizeof(lc->raw))
		return false;
	if (strace_strip_fds(raw, raw + n, lc->text, sizeof(lc->text), lc->fds,
			     MAX_FDS_SEEN, &lc->nfds) == (size_t)-1)
		return false;
	lc->name = lc->text;
	lc->name_len = name_len;
	return true;
}

static void take_result(struct logcall *lc, const struct strace_line *sl)
{
	lc->has_result = sl->has_result;
	lc->result_unknown = sl->result_unknown;
	lc->result = sl->result;
	if (sl->result_path)
		snprintf(lc->result_path, sizeof(lc->result_path), "%.*s",
			 (int)(sl->result_path_end - sl->result_path),
			 sl->result_path);
}

static void unfinished(struct replay *r, struct rtask *t,
		       const struct strace_line *sl, const char *line,
		       long lineno)
{
	free(t->pending);
	t->pending = xstrndup(sl->name, (size_t)(sl->args_end - sl->name));
	t->pending_line = lineno;
	t->pending_seq = ++r->seq;
	t->pending_fork = false;
	if ((sl->name_len == 5 && !memcmp(sl->name, "vfork", 5)) ||
	    (sl->name_len == 4 && !memcmp(sl->name, "fork", 4)) ||
	    (sl->name_len >= 5 && !memcmp(sl->name, "clone", 5))) {
		char args[MAX_LINE + 1];

		snprintf(args, sizeof(args), "%.*s",
			 (int)(sl->args_end - sl->args), sl->args);
		t->pending_fork = true;
		t->pending_thread = sl->name_len > 4 &&
				    !memcmp(sl->name, "clone", 5) &&
				    clone_shares_mm(args);
		t->early_child = -1;
	}
	(void)line;
}

static void call_line(struct session *s, struct replay *r, struct rtask *t,
		      const struct strace_line *sl, const char *line,
		      long lineno)
{
	struct logcall *lc = calloc(1, sizeof(*lc));
	char shown[MAX_LINE + 1];
	bool ok;

	if (!lc)
		abort();
	lc->line = lineno;
	if (sl->kind == ST_RESUMED) {
		const char *open = t->pending ? strchr(t->pending, '(') : NULL;

		if (!open) {
			skip_kind(s, r,
				  "resumed calls whose start is not in "
				  "the log",
				  "nothing to join");
			free(lc);
			return;
		}
		ok = fill_call(lc, t->pending, (size_t)(open - t->pending),
			       open + 1, strlen(open + 1), sl->args,
			       (size_t)(sl->args_end - sl->args));
		{
			size_t pre = (size_t)(sl->body - line) % sizeof(shown);
			size_t n = strlen(lc->text);

			if (pre + n >= sizeof(shown))
				n = sizeof(shown) - 1 - pre;
			memcpy(shown, line, pre);
			memcpy(shown + pre, lc->text, n);
			shown[pre + n] = '\0';
		}
		free(t->pending);
		t->pending = NULL;
		t->pending_fork = false;
	} else {
		ok = fill_call(lc, sl->name, sl->name_len, sl->args,
			       (size_t)(sl->args_end - sl->args), "", 0);
		snprintf(shown, sizeof(shown), "%.*s",
			 (int)(sl->body_end - line), line);
	}
	if (!ok) {
		skip_kind(s, r, "calls too long to read", "over 4096 bytes");
		free(lc);
		return;
	}
	lc->shown = shown;
	take_result(lc, sl);
	run_call(s, r, t, lc);
	free(lc);
}

/*
 * A vmalab line in a log (record writes `given` lines): run it as is, in
 * its task's process.  A line with no pid column is the user's own (maps,
 * switch, ...) and runs in the current process, so that `switch` after a
 * log works.
 */
static void words_line(struct session *s, struct replay *r, struct rtask *t,
		       const struct strace_line *sl)
{
	size_t n = (size_t)(sl->body_end - sl->body);
	int pid = sl->pid < 0 ? machine_current_pid(session_machine(s))
			      : t->sim;
	char err[600];
	struct parsed p;

	switch_to(s, pid);
	if (n == 18 && !memcmp(sl->body, "given layout empty", 18))
		r->execs_given++;
	switch (parse_line(sl->body, n, &p, err, sizeof(err))) {
	case PARSE_OK:
		p.cmd->exec(s, &p);
		parsed_free(&p);
		script_switch(r, pid);
		sb_addf(&r->script, "%.*s\n", (int)n, sl->body);
		r->script_pid = machine_current_pid(session_machine(s));
		break;
	case PARSE_ERROR:
		session_error(s, "%s", err);
		break;
	default:
		break;
	}
}

/*
 * strace on a terminal breaks a line with its own message
 * ("...SIGCHLDstrace: Process 2555 attached") and goes on with the rest
 * on the next: keep the head, and join it to the next line.
 */
static bool broken_line(struct session *s, struct replay *r, const char *line,
			size_t len)
{
	const char *msg = memmem(line, len, "strace: Process ", 16);
	char *joined;
	size_t n;
	bool ret;

	if (msg && msg > line) {
		free(r->broken);
		r->broken = xstrndup(line, (size_t)(msg - line));
		r->lines++;
		skip_kind(s, r, "strace messages", "strace's own notes");
		return true;
	}
	if (!r->broken)
		return false;
	n = strlen(r->broken);
	joined = xrealloc(r->broken, n + len + 1);
	r->broken = NULL;
	memcpy(joined + n, line, len);
	joined[n + len] = '\0';
	r->lines--; /* one line of the log, read in two */
	ret = replay_line(s, joined, n + len);
	free(joined);
	return ret;
}

bool replay_line(struct session *s, const char *line, size_t len)
{
	struct strace_line sl;
	struct replay *r = s->replay;
	struct rtask *t;

	if (!session_machine(s))
		return false;
	if (r && r->depth == s->depth && broken_line(s, r, line, len))
		return true;
	if (!r && never_starts_log(line, len))
		return false;
	strace_parse_line(line, len, &sl);
	if (!r) {
		if (!looks_like_log(&sl))
			return false;
		replay_begin(s, s->src, NULL);
		r = s->replay;
	}
	if (r->depth != s->depth)
		return false;
	r->lines++;
	if (sl.kind == ST_BLANK || *sl.body == '#')
		return true;
	if (sl.kind == ST_MESSAGE) {
		skip_kind(s, r, "strace messages", "strace's own notes");
		return true;
	}
	if (sl.kind == ST_OTHER) {
		skip_kind(s, r, "lines not understood", "not a call");
		return true;
	}
	t = line_task(s, r, sl.pid);
	if (!t) {
		/* Its fork failed in the simulation (the parent was killed,
		 * or a limit was reached): there is no process to run it. */
		skip_kind(s, r, "lines of a process the simulation has not",
			  "its fork failed here");
		return true;
	}
	switch (sl.kind) {
	case ST_SIGNAL:
		skip_strace_line(s, r, "signal lines (--- SIG... ---)", &sl);
		break;
	case ST_EXIT:
		exit_line(s, r, t, &sl);
		break;
	case ST_UNFINISHED:
		unfinished(r, t, &sl, line, s->line);
		break;
	case ST_RESUMED:
	case ST_CALL:
		call_line(s, r, t, &sl, line, s->line);
		break;
	case ST_WORDS:
		words_line(s, r, t, &sl);
		break;
	default:
		break;
	}
	return true;
}
