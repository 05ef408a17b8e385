/*
 * tui.c - the ncurses UI (tui.h).  This file owns the terminal: initscr
 * and endwin, and endwin again on a fatal signal.
 *
 * The screen, from the top: a title row with the last step's summary;
 * the map (ui/layout.h: bands, high addresses on top) beside the VMA
 * table; the trace of the last step beside the anon_vma pane; the status
 * line (errors from the diag sink, the pid, the step); and the command
 * line, which is GNU readline driven through its callback interface
 * (STYLE.md section 5): every key ncurses reads is handed to readline
 * unless it is a navigation key, or a one-key command on an empty line.
 *
 * Keys and lines only change state and set `dirty`; the loop draws once
 * per turn.  The state that costs O(VMAs) (snapshots, the map's layout,
 * the anon_vma list) is made once per step or resize; a frame reads only
 * the rows it shows.  Readline's hooks take no context, so the UI's state
 * is the one static `T` below.
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <curses.h>
#include <readline/history.h>
#include <readline/readline.h>
#include "complete.h"
#include "explain.h"
#include "histfile.h"
#include "layout.h"
#include "model.h"
#include "procfs.h"
#include "tree.h"
#include "tui.h"

#define MIN_COLS 80
#define MIN_ROWS 24
#define PROMPT "vmalab> "

enum pane { P_MAP, P_TABLE, P_TRACE, P_ANON, P__COUNT };
static const char *const pane_names[P__COUNT] = {"map", "VMAs", "trace",
						 "anon_vma"};

/* ---- the one theme table ---- */

enum role {
	R_TITLE,
	R_HEADER,
	R_FOCUS,
	R_STATUS,
	R_ERROR,
	R_NEW,
	R_CHANGED,
	R_REMOVED,
	R_PLAY,
	R_BOX,
	R__COUNT
};
static const struct {
	short fg, bg;  /* COLOR_*, -1 the default */
	attr_t colour; /* with colours */
	attr_t mono;   /* without (NO_COLOR, or none) */
} theme[R__COUNT] = {
	[R_TITLE] = {COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE},
	[R_HEADER] = {COLOR_CYAN, -1, A_BOLD, A_BOLD},
	[R_FOCUS] = {COLOR_BLACK, COLOR_YELLOW, A_BOLD, A_REVERSE | A_BOLD},
	[R_STATUS] = {COLOR_BLACK, COLOR_WHITE, 0, A_REVERSE},
	[R_ERROR] = {COLOR_WHITE, COLOR_RED, A_BOLD, A_BOLD | A_REVERSE},
	[R_NEW] = {COLOR_GREEN, -1, A_BOLD, A_BOLD},
	[R_CHANGED] = {COLOR_YELLOW, -1, A_BOLD, A_BOLD},
	[R_REMOVED] = {COLOR_RED, -1, A_BOLD, A_BOLD},
	[R_PLAY] = {COLOR_GREEN, -1, A_BOLD, A_BOLD},
	[R_BOX] = {COLOR_WHITE, COLOR_BLUE, 0, 0},
};
#define LOOK_PAIR(l) (R__COUNT + 1 + (l))

/* One step's picture: what it changed, its summary and its text. */
struct step_view {
	bool set;
	struct mm_diff diff;
	char summary[160];
	char *text; /* output and trace */
	unsigned long range_start, range_end;
};

static struct {
	struct session *s;
	bool colour;
	bool done, dirty, relayout;
	int rows, cols;
	/* The current process, as of the last step. */
	int pid;
	struct model model;
	struct engine_observer mo;
	struct mm_snap snap;
	bool stale;	      /* snap is behind the machine (F5) */
	struct mm_snap other; /* fork side by side: the next process */
	struct mm_diff diff;  /* the shown step's difference */
	char summary[160];
	char step_line[256]; /* the command the shown step ran */
	unsigned long range_start, range_end; /* what its last call covered */
	struct map_layout L, Lo;
	/* anon_vma pane: its lines, made per step */
	char **anon;
	size_t nanon, capanon;
	/* trace pane: the last line's output and trace */
	struct strbuf trace;
	size_t ntrace; /* lines in it */
	/* step views, by step number (1-based), for undo and redo */
	struct step_view *views;
	size_t nviews, capviews;
	/* view state */
	enum pane focus;
	size_t sel; /* selected VMA: index in snap */
	int map_top;
	size_t table_top, trace_top, anon_top;
	/* the panes' places, made by place_panes() */
	int map_y, map_x, map_h, map_w, tab_x, tab_w, low_y, low_h, tr_w;
	bool side;	  /* fork side by side: two maps */
	bool placed_side; /* the panes were placed for side */
	/* overlays */
	bool help;
	char *details; /* the vma command's output, or NULL */
	int details_top;
	/* status line */
	char status[512];
	bool status_err;
	int caret_col, caret_len; /* in the command line; -1: none */
	char *refill;		  /* the bad line, back in the command line */
	/* the script loaded for playing */
	const char *script_name;
	char **script;
	size_t nscript, next;
	bool playing;
	int speed; /* index in speeds[] */
	struct timespec next_tick;
	/* readline */
	int key; /* the key handed to readline, or EOF */
	char *histfile;
	struct completion comp;
	size_t comp_next;
	FILE *rl_null;
} T;

static const int speeds[] = {2000, 1000, 500, 250, 100, 25};
#define NSPEEDS ((int)(sizeof(speeds) / sizeof(speeds[0])))

static volatile sig_atomic_t fatal_sig;

/*
 * Ctrl-C during a long line.  The terminal is raw, so Ctrl-C is a key,
 * not SIGINT: while a line runs, the session's progress hook reads the
 * keys that came (at most every PROGRESS_KEYS_MS), sets `interrupt` at a
 * Ctrl-C and keeps the others for after the line.  A SIGINT from
 * elsewhere (kill -INT) sets it too.  After PROGRESS_AFTER_MS the hook
 * shows how far the line has got on the status line: the one drawing
 * done from inside a command, since the loop cannot draw until the line
 * is over.
 */
#define PROGRESS_AFTER_MS 500
#define PROGRESS_EVERY_MS 100
#define PROGRESS_KEYS_MS 20
static volatile sig_atomic_t interrupt;
static struct {
	struct timespec start, keys, drawn;
	bool shown;
	char what[48];
	int kept[64]; /* keys read during the line, for after it */
	int nkept;
} progress;

static void place_panes(void);

/* ---- small helpers ---- */

static attr_t role_attr(enum role r)
{
	return T.colour ? (attr_t)COLOR_PAIR(r + 1) | theme[r].colour
			: theme[r].mono;
}

static void put_clipped(int y, int x, int w, const char *text)
{
	if (w > 0)
		mvaddnstr(y, x, text, w);
}

/* Fill row y from x, w columns, with spaces in the current attributes. */
static void blank(int y, int x, int w)
{
	if (w > 0)
		mvhline(y, x, ' ', w);
}

static void set_status(bool err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_status(bool err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(T.status, sizeof(T.status), fmt, ap);
	va_end(ap);
	T.status_err = err;
	T.dirty = true;
}

static void free_lines(char ***v, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free((*v)[i]);
	free(*v);
	*v = NULL;
	*n = 0;
}

static size_t count_lines(const char *t)
{
	size_t n = 0;

	for (; *t; t++)
		n += *t == '\n';
	return n;
}

/* Line i of text (no newline) into buf. */
static void nth_line(const char *t, size_t i, char *buf, size_t n)
{
	size_t len;

	while (i && *t) {
		const char *nl = strchr(t, '\n');

		if (!nl)
			return (void)(buf[0] = '\0');
		t = nl + 1;
		i--;
	}
	len = strcspn(t, "\n");
	if (len >= n)
		len = n - 1;
	memcpy(buf, t, len);
	buf[len] = '\0';
	/* Tabs and control bytes would move the cursor. */
	for (size_t k = 0; k < len; k++)
		if ((unsigned char)buf[k] < 0x20)
			buf[k] = ' ';
}

/* ---- the model: snapshots and their views, once per step ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void anon_push(const char *line)
{
	if (T.nanon == T.capanon) {
		T.capanon = T.capanon ? 2 * T.capanon : 64;
		T.anon = realloc(T.anon, T.capanon * sizeof(*T.anon));
		if (!T.anon)
			abort();
	}
	T.anon[T.nanon++] = strdup(line);
}

/*
 * The anon_vma pane: each anon_vma and the VMAs (of every process)
 * linked to it by their anon_vma_chain, so that what fork shares is one
 * entry with VMAs of two pids under it.  At most ANON_MAX links.
 */
#define ANON_MAX 4000

/* The VMAs of pid that have an anon_vma, in order: for the current
 * process from the snapshot (index in *k), else by walking the tree. */
static const struct vma *next_anon(const struct mm *mm, int pid, size_t *k,
				   const struct vma *v)
{
	if (pid != T.snap.pid || T.stale)
		return v ? vt_next(v) : vt_first(&mm->tree);
	for (; *k < T.snap.n; (*k)++)
		if (T.snap.v[*k].anon_vma)
			return vt_lookup(&mm->tree, T.snap.v[(*k)++].start);
	return NULL;
}

static const struct vma *first_anon(const struct mm *mm, int pid, size_t *k)
{
	*k = 0;
	return next_anon(mm, pid, k, NULL);
}
static void build_anon(struct machine *m)
{
	int pids[64], np = m ? machine_pids(m, pids, 64) : 0;
	char **keys = NULL, line[160];
	size_t nk = 0, cap = 0, more = 0;
	unsigned last = 0;

	free_lines(&T.anon, &T.nanon);
	T.capanon = 0;
	for (int i = 0; i < np && np <= 64; i++) {
		const struct mm *mm = machine_mm(m, pids[i]);
		const struct vma *v;
		size_t k = 0;

		if (!mm)
			continue;
		/* Every link of every VMA's chain: a fork child's VMA is
		 * under its parent's anon_vma too.  The current process is
		 * read from its snapshot: only VMAs with an anon_vma are
		 * looked up in the tree. */
		for (v = first_anon(mm, pids[i], &k); v;
		     v = next_anon(mm, pids[i], &k, v)) {
			for (const struct anon_vma_chain *c = v->anon_vma_chain;
			     c; c = c->same_vma_next) {
				if (nk >= ANON_MAX) {
					more++;
					continue;
				}
				if (nk == cap) {
					cap = cap ? 2 * cap : 64;
					keys = realloc(keys,
						       cap * sizeof(*keys));
					if (!keys)
						abort();
				}
				/* Sorted as text: anon_vma, pid, address. */
				snprintf(line, sizeof(line),
					 "%08u %05d %016lx vma#%u%s",
					 c->anon_vma->id, pids[i], v->vm_start,
					 v->id,
					 c->anon_vma == v->anon_vma
						 ? ""
						 : " (chain: from fork)");
				keys[nk++] = strdup(line);
			}
		}
	}
	if (nk)
		qsort(keys, nk, sizeof(*keys), cmp_str);
	for (size_t k = 0; k < nk; k++) {
		unsigned id = (unsigned)strtoul(keys[k], NULL, 10);
		int pid = (int)strtol(keys[k] + 9, NULL, 10);
		unsigned long start = strtoul(keys[k] + 15, NULL, 16);

		if (id != last) {
			snprintf(line, sizeof(line), "anon_vma#%u", id);
			anon_push(line);
			last = id;
		}
		snprintf(line, sizeof(line), "  pid %d %lx %s", pid, start,
			 keys[k] + 32);
		anon_push(line);
		free(keys[k]);
	}
	free(keys);
	if (!nk)
		anon_push("(no anon_vma yet: a write fault makes one)");
	if (more) {
		snprintf(line, sizeof(line), "... and %zu more VMAs", more);
		anon_push(line);
	}
}

static void layout_maps(void)
{
	map_layout_build(&T.L, &T.snap, &T.diff, T.map_w, T.map_h - 1);
	if (T.diff.pid == T.snap.pid)
		map_layout_mark_range(&T.L, T.range_start, T.range_end);
	if (T.side)
		map_layout_build(&T.Lo, &T.other, NULL, T.map_w, T.map_h - 1);
	T.relayout = false;
}

/*
 * Read the machine again: after a step, a jump, or a process switch.
 * d: the step's difference in the current process, applied to the
 * snapshot instead of reading every VMA again (O(changed) work but the
 * array copy), when the snapshot is of the state d starts from.
 */
static void take_snapshots(const struct mm_diff *d)
{
	struct machine *m = session_machine(T.s);
	int pids[2], pid = m ? machine_current_pid(m) : 0;

	if (!d || T.stale || !pid || T.snap.pid != pid || d->pid != pid ||
	    mm_snap_apply(&T.snap, d)) {
		mm_snap_free(&T.snap);
		mm_snap_take(&T.snap, m, pid);
	}
	T.stale = false;
	mm_snap_free(&T.other);
	T.pid = pid;
	/* Two or more processes: the other one (the parent or the first
	 * child) beside the current one. */
	T.side = false;
	if (m && machine_pids(m, pids, 2) > 1) {
		int o = pids[0] == T.pid ? pids[1] : pids[0];

		mm_snap_take(&T.other, m, o);
		T.side = true;
	}
	if (T.sel >= T.snap.n)
		T.sel = T.snap.n ? T.snap.n - 1 : 0;
	if (T.side != T.placed_side)
		place_panes(); /* one map or two */
	build_anon(m);
	T.relayout = true;
	T.dirty = true;
}

static void view_free(struct step_view *v)
{
	mm_diff_free(&v->diff);
	free(v->text);
	memset(v, 0, sizeof(*v));
}

/* Keep what step pos showed, to show it again after undo and redo. */
static void keep_view(size_t pos, bool fast)
{
	struct step_view *v;

	if (!pos)
		return;
	if (pos > T.capviews) {
		size_t cap = T.capviews ? 2 * T.capviews : 64;

		while (cap < pos)
			cap *= 2;
		T.views = realloc(T.views, cap * sizeof(*T.views));
		if (!T.views)
			abort();
		memset(T.views + T.capviews, 0,
		       (cap - T.capviews) * sizeof(*T.views));
		T.capviews = cap;
	}
	if (pos > T.nviews)
		T.nviews = pos;
	v = &T.views[pos - 1];
	view_free(v);
	v->set = true;
	v->diff.pid = T.diff.pid;
	v->diff.n = v->diff.cap = T.diff.n;
	v->diff.d = malloc((T.diff.n + 1) * sizeof(*T.diff.d));
	if (!v->diff.d)
		abort();
	if (T.diff.n)
		memcpy(v->diff.d, T.diff.d, T.diff.n * sizeof(*T.diff.d));
	snprintf(v->summary, sizeof(v->summary), "%s", T.summary);
	/* Run at once (F5): no trace was made, none is kept. */
	v->text = fast ? NULL : strdup(sb_str(&T.trace));
	v->range_start = T.range_start;
	v->range_end = T.range_end;
}

/* Show step pos as it was shown when it was made. */
static void show_view(size_t pos)
{
	const struct step_view *v =
		pos && pos <= T.nviews ? &T.views[pos - 1] : NULL;
	const char *line = pos ? session_step_line(T.s, pos - 1) : NULL;

	T.diff.n = 0;
	T.summary[0] = '\0';
	T.range_start = T.range_end = 0;
	sb_reset(&T.trace);
	if (v && v->set) {
		T.range_start = v->range_start;
		T.range_end = v->range_end;
		for (size_t i = 0; i < v->diff.n; i++) {
			if (T.diff.n == T.diff.cap) {
				T.diff.cap = T.diff.cap ? 2 * T.diff.cap : 8;
				T.diff.d =
					realloc(T.diff.d,
						T.diff.cap * sizeof(*T.diff.d));
				if (!T.diff.d)
					abort();
			}
			T.diff.d[T.diff.n++] = v->diff.d[i];
		}
		T.diff.pid = v->diff.pid;
		snprintf(T.summary, sizeof(T.summary), "%s", v->summary);
		sb_puts(&T.trace, v->text ? v->text : "");
	}
	snprintf(T.step_line, sizeof(T.step_line), "%s", line ? line : "");
	T.ntrace = count_lines(sb_str(&T.trace));
	T.trace_top = 0;
	T.s->last_diff = &T.diff;
}

/* ---- running lines ---- */

/* The system call the step at pos made last, or -1. */
static int last_call_nr(size_t pos)
{
	const struct session *s = T.s;
	const struct step *st;

	if (!pos || pos > s->log.n)
		return -1;
	st = &s->log.steps[pos - 1];
	for (size_t i = st->n; i-- > 0;)
		if (!st->acts[i].is_switch)
			return st->acts[i].c.nr;
	return -1;
}

/*
 * The range the line's last call covered: the step's last call and the
 * line's last result (both that call's).  0-0 when it failed, or when
 * the call has no range (fork, openat...).
 */
static void call_range(size_t pos)
{
	const struct session *s = T.s;
	const struct step *st;
	const struct result_span *r;
	const struct call *c = NULL;
	unsigned long len;

	T.range_start = T.range_end = 0;
	if (!pos || pos > s->log.n || !s->nspans)
		return;
	st = &s->log.steps[pos - 1];
	for (size_t i = st->n; i-- > 0 && !c;)
		if (!st->acts[i].is_switch)
			c = &st->acts[i].c;
	r = &s->spans[s->nspans - 1];
	if (!c || r->nr != c->nr || (r->ret < 0 && r->ret >= -4095))
		return;
	switch (c->nr) {
	case NR_mmap:
		len = (c->a[1] + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
		T.range_start = (unsigned long)r->ret;
		T.range_end = (unsigned long)r->ret + len;
		break;
	case 25: /* mremap: the new place and length */
		T.range_start = (unsigned long)r->ret;
		T.range_end = (unsigned long)r->ret + c->a[2];
		break;
	case NR_TOUCH:
	case NR_READ:
		if (r->ret)
			return; /* a signal */
				/* fall through */
	case NR_munmap:
	case NR_mprotect:
	case 28:  /* madvise */
	case 149: /* mlock */
	case 150: /* munlock */
		len = (c->a[1] + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
		T.range_start = c->a[0] & ~(PAGE_SIZE - 1);
		T.range_end = T.range_start + len;
		break;
	default:
		break;
	}
}

static long ms_since(const struct timespec *t, const struct timespec *now)
{
	return (now->tv_sec - t->tv_sec) * 1000 +
	       (now->tv_nsec - t->tv_nsec) / 1000000;
}

/* A key (or the play timer) starts what may be a long action. */
static void progress_start(void)
{
	interrupt = 0;
	progress.shown = false;
	progress.nkept = 0;
	progress.what[0] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &progress.start);
	progress.keys = progress.drawn = progress.start;
}

/* The action is over: the keys typed meanwhile go back to ncurses. */
static void progress_end(void)
{
	while (progress.nkept > 0)
		ungetch(progress.kept[--progress.nkept]);
	if (progress.shown)
		T.dirty = true;
	progress.shown = false;
	interrupt = 0;
}

static void read_keys(void)
{
	int key;

	timeout(0);
	while ((key = getch()) != ERR) {
		if (key == 3)
			interrupt = 1;
		else if (progress.nkept < (int)(sizeof(progress.kept) /
						sizeof(progress.kept[0])))
			progress.kept[progress.nkept++] = key;
	}
}

/* The session's progress hook (session_progress()). */
static void show_progress(void *arg, const char *unit, unsigned long done,
			  unsigned long total)
{
	struct timespec now;
	char text[160];
	int n;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (ms_since(&progress.keys, &now) >= PROGRESS_KEYS_MS) {
		progress.keys = now;
		read_keys();
	}
	if (ms_since(&progress.start, &now) < PROGRESS_AFTER_MS ||
	    (progress.shown &&
	     ms_since(&progress.drawn, &now) < PROGRESS_EVERY_MS))
		return;
	progress.drawn = now;
	n = snprintf(text, sizeof(text), "%s: %lu", progress.what, done);
	if (total)
		n += snprintf(
			text + n, sizeof(text) - (size_t)n,
			" of %lu %s (%lu%%)", total, unit,
			(unsigned long)(100.0 * (double)done / (double)total));
	else
		n += snprintf(text + n, sizeof(text) - (size_t)n, " %s", unit);
	snprintf(text + n, sizeof(text) - (size_t)n, ", %lds; Ctrl-C stops",
		 ms_since(&progress.start, &now) / 1000);
	attrset(role_attr(R_PLAY));
	blank(T.rows - 2, 0, T.cols);
	put_clipped(T.rows - 2, 0, T.cols, text);
	attrset(A_NORMAL);
	refresh();
	progress.shown = true;
}

static void on_sigint(int sig)
{
	(void)sig;
	interrupt = 1;
}

/*
 * The diag sink: the first message of a line goes to the status line,
 * with a caret under the bad part of a typed line.
 */
static void tui_diag(void *arg, const struct diag *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)arg;
	if (T.status_err && T.caret_col != -2)
		return; /* keep the line's first error */
	f = open_memstream(&buf, &len);
	if (!f)
		return;
	diag_print(f, d, "", "");
	fclose(f);
	len = strcspn(buf, "\n");
	buf[len] = '\0';
	set_status(d->kind == DIAG_ERROR, "%s", buf);
	free(buf);
	T.caret_col = -1;
	if (d->text && d->len && !d->src) {
		T.caret_col = (int)d->col;
		T.caret_len = (int)d->len;
	}
}

/*
 * Run one line through the session and follow its effects: the model's
 * difference, the snapshots, the trace pane and the step's view.  fast:
 * a script being run to its end, drawn once at the end.
 */
static void run_line(const char *line, bool typed, bool fast)
{
	struct session *s = T.s;
	struct machine *m = session_machine(s);
	int before = m ? machine_current_pid(m) : 0;
	int nproc = m ? machine_pids(m, NULL, 0) : 0;
	size_t pos0 = session_pos(s), steps0 = session_steps(s);
	struct mm_diff d = {0};
	int errors = s->errors;

	struct ev_recording rec = {NULL, 0, 0};
	struct engine_observer rec_obs = {ev_recording_observer, &rec};
	bool recording = false;

	T.status[0] = '\0';
	T.status_err = false;
	T.caret_col = -2; /* the next diag is this line's first */
	s->term_cols = T.tr_w > 20 ? T.tr_w - 1 : 79;
	/* The step's events, for its account in the trace pane (explain);
	 * the session moves its observers to any machine the line makes. */
	if (!fast)
		recording = !session_observe(s, &rec_obs);
	if (!progress.what[0] || typed)
		snprintf(progress.what, sizeof(progress.what), "%.44s%s", line,
			 strlen(line) > 44 ? "..." : "");
	session_run_line(s, line, strlen(line));
	if (recording)
		session_unobserve(s, &rec_obs);
	if (T.caret_col == -2)
		T.caret_col = -1;
	m = session_machine(s);
	if (m) {
		int after = machine_current_pid(m);

		model_step(&T.model, m, before == after ? after : 0, &d);
	}
	/* The trace pane: the line, its output, then its trace. */
	if (!fast || s->quit) {
		sb_reset(&T.trace);
		sb_addf(&T.trace, "%s%s\n", PROMPT, line);
		sb_puts(&T.trace, sb_str(&s->out));
		/* A new step: its account (explain) before the raw trace. */
		if (rec.n && session_steps(s) != steps0) {
			struct explanation x;

			explain_build(&x, rec.ev, rec.n);
			explain_text(&x, &T.trace,
				     T.tr_w > 27 ? (size_t)T.tr_w - 3 : 24);
			explain_free(&x);
		}
		sb_puts(&T.trace, sb_str(&s->tr));
		T.ntrace = count_lines(sb_str(&T.trace));
		T.trace_top = 0;
	}
	if (session_steps(s) == steps0 && session_pos(s) != pos0) {
		/* undo or redo typed: the step's own picture, as < and >. */
		show_view(session_pos(s));
		take_snapshots(NULL);
	} else if (session_pos(s) != pos0 || session_steps(s) != steps0 ||
		   d.n) {
		/* A step (or a jump): the new picture. */
		mm_diff_free(&T.diff);
		T.diff = d;
		memset(&d, 0, sizeof(d));
		diff_summary_call(&T.diff, last_call_nr(session_pos(s)),
				  T.summary, sizeof(T.summary));
		if (m && machine_pids(m, NULL, 0) > nproc) {
			int pids[64], n = machine_pids(m, pids, 64);

			snprintf(T.summary, sizeof(T.summary),
				 "new process: pid %d",
				 pids[(n > 64 ? 64 : n) - 1]);
		} else if (m && machine_current_pid(m) != before) {
			snprintf(T.summary, sizeof(T.summary), "now in pid %d",
				 machine_current_pid(m));
		}
		snprintf(T.step_line, sizeof(T.step_line), "%s", line);
		call_range(session_pos(s));
		s->last_diff = &T.diff;
		if (fast)
			T.stale = true; /* taken whole at the end */
		else
			take_snapshots(m && machine_current_pid(m) == before
					       ? &T.diff
					       : NULL);
		keep_view(session_pos(s), fast);
	}
	ev_recording_free(&rec);
	mm_diff_free(&d);
	/* A typo comes back to be mended; an interrupted line does not. */
	if (typed && s->errors > errors && !interrupt) {
		free(T.refill);
		T.refill = strdup(line);
	}
	if (s->quit)
		T.done = true;
	T.dirty = true;
}

/* Jump the timeline to step pos (undo, redo, @N), showing that step. */
static void jump_to(size_t pos)
{
	struct session *s = T.s;
	struct mm_diff d = {0};

	if (pos > session_steps(s) || session_jump(s, pos)) {
		set_status(true, "no step %zu: the timeline has 0..%zu", pos,
			   session_steps(s));
		return;
	}
	/* The model compares the new machine once; the step's own picture
	 * is the one kept when it was made. */
	model_step(&T.model, session_machine(s), 0, &d);
	mm_diff_free(&d);
	show_view(session_pos(s));
	take_snapshots(NULL);
	/* Ctrl-C stops a long jump at a step: its error says which. */
	if (session_pos(s) == pos)
		set_status(false, "step %zu of %zu", pos, session_steps(s));
}

static void step_back(void)
{
	if (!session_pos(T.s)) {
		set_status(true, "at the start: nothing to undo");
		return;
	}
	jump_to(session_pos(T.s) - 1);
}

/* Forward: redo a step taken back, else the script's next line. */
static bool step_forward(void)
{
	if (session_pos(T.s) < session_steps(T.s)) {
		jump_to(session_pos(T.s) + 1);
		return true;
	}
	while (T.script && T.next < T.nscript) {
		size_t pos = session_pos(T.s);
		const char *line = T.script[T.next++];

		run_line(line, false, false);
		if (session_pos(T.s) != pos || T.status_err)
			break;
	}
	if (T.script && T.next >= T.nscript) {
		T.playing = false;
		if (!T.status_err)
			set_status(false, "%s: played to its end (%zu lines)",
				   T.script_name, T.nscript);
		return false;
	}
	if (!T.script) {
		set_status(true, "at the end: no step to redo");
		return false;
	}
	return true;
}

/* Run what is left of the script at once, drawn at the end. */
static void play_to_end(void)
{
	size_t from = T.next;
	bool trace = T.s->trace;

	/* No trace text for lines nobody will see. */
	session_set_trace(T.s, false);
	snprintf(progress.what, sizeof(progress.what), "%s", "F5");
	while (T.script && T.next < T.nscript && !T.done) {
		if (session_progress(T.s, "lines", T.next - from,
				     T.nscript - from)) {
			set_status(true,
				   "interrupted (Ctrl-C): %s stopped before "
				   "line %zu",
				   T.script_name, T.next + 1);
			break;
		}
		run_line(T.script[T.next++], false, true);
	}
	session_set_trace(T.s, trace);
	sb_reset(&T.trace);
	sb_addf(&T.trace,
		"(F5: lines %zu to %zu run at once, without a trace)\n",
		from + 1, T.next);
	T.ntrace = count_lines(sb_str(&T.trace));
	T.trace_top = 0;
	T.playing = false;
	take_snapshots(NULL);
	if (T.script && !T.status_err && T.next >= T.nscript)
		set_status(false, "%s: played to its end (%zu lines)",
			   T.script_name, T.nscript);
}

static int load_script(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, capv = 0;
	ssize_t n;

	if (!f)
		return -1;
	while ((n = getline(&line, &cap, f)) >= 0) {
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (T.nscript == capv) {
			capv = capv ? 2 * capv : 64;
			T.script = realloc(T.script, capv * sizeof(*T.script));
			if (!T.script)
				abort();
		}
		T.script[T.nscript++] = strdup(line);
	}
	free(line);
	fclose(f);
	T.script_name = path;
	return 0;
}

/* ---- placing the panes ---- */

static void place_panes(void)
{
	int body;

	getmaxyx(stdscr, T.rows, T.cols);
	body = T.rows - 3; /* title, status, command line */
	T.map_y = 1;
	T.map_h = body * 3 / 5;
	T.map_x = 0;
	T.map_w = T.cols >= 150 ? 60 : T.cols / 2;
	if (T.map_w < MAP_MIN_WIDTH + 2)
		T.map_w = MAP_MIN_WIDTH + 2;
	T.tab_x = T.map_w;
	T.tab_w = T.cols - T.map_w;
	T.side = T.other.pid != 0;
	T.placed_side = T.side;
	if (T.side) {
		/* Two maps side by side, the table below them. */
		T.map_w = T.cols / 2;
		T.tab_x = 0;
		T.tab_w = T.cols;
	}
	T.low_y = T.map_y + T.map_h;
	T.low_h = body - T.map_h;
	T.tr_w = T.cols * 3 / 5;
	T.relayout = true;
}

/* ---- drawing ---- */

static void draw_header(int y, int x, int w, enum pane p, const char *extra)
{
	char buf[256];

	/* The focused pane's name in brackets: seen without colours too. */
	snprintf(buf, sizeof(buf), "%s%s%s%s%s", T.focus == p ? "[" : " ",
		 pane_names[p], T.focus == p ? "]" : " ",
		 extra && *extra ? " " : "", extra ? extra : "");
	attrset(role_attr(T.focus == p ? R_FOCUS : R_HEADER));
	blank(y, x, w);
	put_clipped(y, x, w, buf);
	attrset(A_NORMAL);
}

static enum role mark_role(char mark)
{
	return mark == MARK_NEW	      ? R_NEW
	       : mark == MARK_CHANGED ? R_CHANGED
				      : R_REMOVED;
}

/* One map: its header and the rows from top that fit. */
static void draw_map(const struct map_layout *L, const struct mm_snap *snap,
		     int x, int w, int top, bool current)
{
	char row[512], extra[96];
	int h = T.map_h - 1;
	size_t selband = snap->n && current ? L->band_of[T.sel] : (size_t)-1;

	snprintf(extra, sizeof(extra), "pid %d, %zu VMA%s%s", snap->pid,
		 snap->n, snap->n == 1 ? "" : "s",
		 T.side ? (current ? " (current)" : "") : "");
	if (current || !T.side)
		draw_header(T.map_y, x, w, P_MAP, extra);
	else {
		attrset(role_attr(R_HEADER));
		blank(T.map_y, x, w);
		put_clipped(T.map_y, x + 1, w - 1, extra);
		attrset(A_NORMAL);
	}
	for (int r = 0; r < h; r++) {
		int lr = top + r, y = T.map_y + 1 + r;
		size_t k;
		const struct band *b;
		int bw = L->width < w ? L->width : w;

		blank(y, x, w);
		if (lr >= L->rows)
			continue;
		k = map_layout_band_at_row(L, lr);
		b = &L->b[k];
		map_layout_row(L, snap, lr, row);
		mvaddnstr(y, x, row, bw);
		/* The band's colour between its bars. */
		if (b->kind == BAND_VMA && T.colour && bw > 15)
			mvchgat(y, x + 14, bw - 15, A_NORMAL,
				(short)LOOK_PAIR(b->look), NULL);
		if (k == selband && bw > 15)
			mvchgat(y, x + 14, bw - 15, A_REVERSE,
				T.colour ? (short)LOOK_PAIR(b->look) : 0, NULL);
		if (b->mark != MARK_NONE) {
			attr_t a = role_attr(mark_role(b->mark));

			mvchgat(y, x, 13, a, PAIR_NUMBER(a), NULL);
		}
	}
}

/* Keep the selected VMA's band in the map's rows. */
static void follow_selection(void)
{
	int h = T.map_h - 1;
	const struct band *b;

	if (!T.snap.n || !T.L.n)
		return;
	b = &T.L.b[T.L.band_of[T.sel]];
	if (b->row < T.map_top)
		T.map_top = b->row;
	if (b->row + b->height > T.map_top + h)
		T.map_top = b->row + b->height - h;
	if (T.map_top < 0)
		T.map_top = 0;
	if (T.sel < T.table_top)
		T.table_top = T.sel;
}

static char mark_of_vma(size_t i)
{
	return T.L.n && i < T.L.nvmas ? T.L.b[T.L.band_of[i]].mark : ' ';
}

static void draw_table(void)
{
	int y0 = T.side ? T.low_y : T.map_y, h, x = T.tab_x, w = T.tab_w;
	char extra[64], line[512], size[32], pg[24], av[16];
	struct strbuf fl = STRBUF_INIT;

	if (T.side)
		return; /* with two maps the table gives way */
	h = T.map_h - 2;
	snprintf(extra, sizeof(extra), "%zu of %zu", T.snap.n ? T.sel + 1 : 0,
		 T.snap.n);
	draw_header(y0, x, w, P_TABLE, extra);
	attrset(role_attr(R_HEADER));
	blank(y0 + 1, x, w);
	/* Narrow: start, size, perms, anon_vma and name; wide: all. */
	put_clipped(
		y0 + 1, x, w,
		w < 96 ? "  start            size perm anon  file"
		       : "  start        end            size perm     pgoff "
			 "anon  flags / file");
	attrset(A_NORMAL);
	if (T.sel >= T.table_top + (size_t)h)
		T.table_top = T.sel - (size_t)h + 1;
	for (int r = 0; r < h; r++) {
		size_t i = T.table_top + (size_t)r;
		const struct vma_snap *v;
		char perms[5], mark;

		blank(y0 + 2 + r, x, w);
		if (i >= T.snap.n)
			continue;
		v = &T.snap.v[i];
		perms[0] = v->flags & VM_READ ? 'r' : '-';
		perms[1] = v->flags & VM_WRITE ? 'w' : '-';
		perms[2] = v->flags & VM_EXEC ? 'x' : '-';
		perms[3] = v->flags & VM_MAYSHARE ? 's' : 'p';
		perms[4] = '\0';
		map_size_str(v->end - v->start, size, sizeof(size));
		snprintf(pg, sizeof(pg), "%lx", v->pgoff);
		if (v->anon_vma)
			snprintf(av, sizeof(av), "#%u", v->anon_vma);
		else
			snprintf(av, sizeof(av), "-");
		sb_reset(&fl);
		vm_flags_mnemonics(v->flags, &fl);
		mark = mark_of_vma(i);
		if (w < 96)
			snprintf(line, sizeof(line), "%c %012lx %8s %s %-5s %s",
				 mark, v->start, size, perms, av, v->name);
		else
			snprintf(line, sizeof(line),
				 "%c %012lx %012lx %8s %s %9s %-5s %s%s%s",
				 mark, v->start, v->end, size, perms, pg, av,
				 sb_str(&fl), v->name[0] ? " " : "", v->name);
		if (i == T.sel)
			attrset(T.focus == P_TABLE ? A_REVERSE
						   : A_REVERSE | A_DIM);
		else if (mark != ' ')
			attrset(role_attr(mark_role(mark)));
		put_clipped(y0 + 2 + r, x, w, line);
		attrset(A_NORMAL);
	}
	sb_free(&fl);
}

static void draw_text_pane(enum pane p, int x, int w, const char *extra,
			   size_t top, size_t n, const char *text,
			   char *const *lines)
{
	int h = T.low_h - 1;
	char line[512];

	draw_header(T.low_y, x, w, p, extra);
	for (int r = 0; r < h; r++) {
		size_t i = top + (size_t)r;

		blank(T.low_y + 1 + r, x, w);
		if (i >= n)
			continue;
		if (lines)
			snprintf(line, sizeof(line), "%s", lines[i]);
		else
			nth_line(text, i, line, sizeof(line));
		if (line[0] == '#')
			attrset(A_DIM);
		put_clipped(T.low_y + 1 + r, x + 1, w - 2, line);
		attrset(A_NORMAL);
	}
}

static void draw_title(void)
{
	char buf[512];

	snprintf(buf, sizeof(buf), " vmalab  step %zu/%zu  %s%s%s%s",
		 session_pos(T.s), session_steps(T.s),
		 T.summary[0] ? T.summary : "",
		 T.summary[0] && T.step_line[0] ? "  <- " : "",
		 T.step_line[0] ? T.step_line : "",
		 !T.summary[0] && !T.step_line[0]
			 ? "type a command below (? or F1: help)"
			 : "");
	attrset(role_attr(R_TITLE));
	blank(0, 0, T.cols);
	put_clipped(0, 0, T.cols, buf);
	attrset(A_NORMAL);
}

static void draw_status(void)
{
	int y = T.rows - 2;
	char right[160];
	int rw;

	if (T.script)
		snprintf(right, sizeof(right), " %s %zu/%zu %dms | pid %d ",
			 T.playing ? "playing" : "paused", T.next, T.nscript,
			 speeds[T.speed], T.pid);
	else
		snprintf(right, sizeof(right), " pid %d | step %zu/%zu ", T.pid,
			 session_pos(T.s), session_steps(T.s));
	rw = (int)strlen(right);
	attrset(role_attr(T.status_err ? R_ERROR : R_STATUS));
	blank(y, 0, T.cols);
	if (T.status_err && T.caret_col >= 0 &&
	    (int)strlen(PROMPT) + T.caret_col + T.caret_len + 2 +
			    (int)strlen(T.status) <
		    T.cols) {
		/* A caret above the bad part of the line below. */
		int at = (int)strlen(PROMPT) + T.caret_col;

		mvaddch(y, at, '^');
		for (int i = 1; i < T.caret_len; i++)
			mvaddch(y, at + i, '~');
		put_clipped(y, at + T.caret_len + 1,
			    T.cols - at - T.caret_len - 1, T.status);
		/* The error and its caret before the pid and step. */
		rw = 0;
	} else {
		put_clipped(y, 0, T.cols - rw, T.status);
	}
	attrset(role_attr(T.playing ? R_PLAY : R_STATUS));
	if (rw)
		put_clipped(y, T.cols - rw, rw, right);
	attrset(A_NORMAL);
}

/* The command line, scrolled so that the cursor shows; returns its x. */
static int draw_cmdline(void)
{
	int y = T.rows - 1, pl = (int)strlen(PROMPT), room = T.cols - pl - 1;
	int point = rl_point, from = 0;
	const char *buf = rl_line_buffer ? rl_line_buffer : "";

	if (point > room)
		from = point - room;
	blank(y, 0, T.cols);
	attrset(A_BOLD);
	mvaddstr(y, 0, PROMPT);
	attrset(A_NORMAL);
	put_clipped(y, pl, room + 1, buf + from);
	return pl + point - from;
}

/* A box in the middle with lines of text, from line top. */
static void draw_box(const char *title, const char *text, int top)
{
	int n = (int)count_lines(text), w = 0, h, y0, x0;
	char line[256];

	for (int i = 0; i < n; i++) {
		nth_line(text, (size_t)i, line, sizeof(line));
		if ((int)strlen(line) > w)
			w = (int)strlen(line);
	}
	w += 4;
	if (w > T.cols - 2)
		w = T.cols - 2;
	h = n + 2;
	if (h > T.rows - 2)
		h = T.rows - 2;
	y0 = (T.rows - h) / 2;
	x0 = (T.cols - w) / 2;
	attrset(role_attr(R_BOX));
	for (int r = 0; r < h; r++)
		blank(y0 + r, x0, w);
	mvhline(y0, x0, '-', w);
	mvhline(y0 + h - 1, x0, '-', w);
	put_clipped(y0, x0 + 2, w - 4, title);
	for (int r = 0; r < h - 2; r++) {
		nth_line(text, (size_t)(top + r), line, sizeof(line));
		mvaddch(y0 + 1 + r, x0, '|');
		mvaddch(y0 + 1 + r, x0 + w - 1, '|');
		put_clipped(y0 + 1 + r, x0 + 2, w - 4, line);
	}
	attrset(A_NORMAL);
}

static const char help_text[] =
	"Type a command and Enter, as in the REPL (help lists them; Tab\n"
	"completes, Ctrl-P/Ctrl-N/Ctrl-R history, Ctrl-C clears the line).\n"
	"\n"
	"Keys (the one-key ones on an empty command line):\n"
	"  Tab          next pane (map, VMAs, trace, anon_vma)\n"
	"  Up/Down      move the selection, or scroll the pane\n"
	"  PgUp/PgDn    a page;  Home/End  first/last VMA\n"
	"  Enter        the selected VMA's details (vma ADDR)\n"
	"  < or F2      step back (undo)    > or F3  step forward (redo,\n"
	"               or the script's next line)\n"
	"  Space or F4  play / pause the script   + -  faster / slower\n"
	"  F5           run the rest of the script at once\n"
	"  @N Enter     jump to step N          ? or F1  this help\n"
	"  Esc          close a box             Ctrl-D or quit: leave\n"
	"  Ctrl-C       clear the line; stop a line that runs (long touch,\n"
	"               populate, source, load, undo): the error says where\n"
	"  mouse        click a band or a row to select it\n"
	"\n"
	"Map: high addresses at the top; a band per VMA, each gap one\n"
	"~~ gap (size) ~~ band. A row: START M|k perms size vma#N name ##..|\n"
	"  k: a anonymous  f file  s shared  x special  L locked  S sealed\n"
	"  ##..  how much of the VMA is faulted in (a quarter a mark)\n"
	"  M (the last step): + new   ~ changed   - removed (a gap now)\n"
	"  [ ]  bands in the range the last call covered\n";

static void draw_all(void)
{
	int cx;

	erase();
	if (T.rows < MIN_ROWS || T.cols < MIN_COLS) {
		mvprintw(0, 0, "vmalab needs %dx%d at least (this is %dx%d)",
			 MIN_COLS, MIN_ROWS, T.cols, T.rows);
		cx = draw_cmdline();
		move(T.rows - 1, cx);
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	if (T.relayout)
		layout_maps();
	draw_title();
	draw_map(&T.L, &T.snap, 0, T.map_w, T.map_top, true);
	if (T.side)
		draw_map(&T.Lo, &T.other, T.map_w, T.cols - T.map_w, 0, false);
	draw_table();
	draw_text_pane(P_TRACE, 0, T.tr_w, "the last line", T.trace_top,
		       T.ntrace, sb_str(&T.trace), NULL);
	draw_text_pane(P_ANON, T.tr_w, T.cols - T.tr_w, "by anon_vma",
		       T.anon_top, T.nanon, NULL, T.anon);
	draw_status();
	if (T.help)
		draw_box(" help (Esc closes) ", help_text, 0);
	else if (T.details)
		draw_box(" vma (Esc closes, arrows scroll) ", T.details,
			 T.details_top);
	cx = draw_cmdline();
	move(T.rows - 1, cx);
	wnoutrefresh(stdscr);
	doupdate();
	T.dirty = false;
}

/* ---- keys ---- */

static void select_vma(long to)
{
	if (!T.snap.n)
		return;
	if (to < 0)
		to = 0;
	if (to >= (long)T.snap.n)
		to = (long)T.snap.n - 1;
	T.sel = (size_t)to;
	follow_selection();
	T.dirty = true;
}

static void open_details(void)
{
	char line[64];
	struct session *s = T.s;

	if (!T.snap.n)
		return;
	snprintf(line, sizeof(line), "vma %#lx", T.snap.v[T.sel].start);
	session_run_line(s, line, strlen(line));
	free(T.details);
	T.details = strdup(sb_str(&s->out));
	T.details_top = 0;
	T.dirty = true;
}

static void scroll_text(size_t *top, size_t n, long by)
{
	long t = (long)*top + by;

	if (t > (long)n - 1)
		t = (long)n - 1;
	*top = t < 0 ? 0 : (size_t)t;
	T.dirty = true;
}

/* Up, Down, PgUp, PgDn, Home, End in the focused pane. */
static void navigate(int key)
{
	long page = T.map_h > 4 ? T.map_h - 3 : 1;
	long by = key == KEY_UP ? -1 : key == KEY_DOWN ? 1 : 0;

	if (key == KEY_PPAGE)
		by = -page;
	if (key == KEY_NPAGE)
		by = page;
	if (T.details) {
		T.details_top += (int)by;
		if (T.details_top < 0)
			T.details_top = 0;
		T.dirty = true;
		return;
	}
	switch (T.focus) {
	case P_MAP:
		/* Up is towards higher addresses. */
		if (key == KEY_HOME)
			select_vma((long)T.snap.n - 1);
		else if (key == KEY_END)
			select_vma(0);
		else
			select_vma((long)T.sel - by);
		break;
	case P_TABLE:
		if (key == KEY_HOME)
			select_vma(0);
		else if (key == KEY_END)
			select_vma((long)T.snap.n - 1);
		else
			select_vma((long)T.sel + by);
		break;
	case P_TRACE:
		scroll_text(&T.trace_top, T.ntrace, by);
		break;
	case P_ANON:
		scroll_text(&T.anon_top, T.nanon, by);
		break;
	default:
		break;
	}
}

static void click(int y, int x)
{
	if (y > T.map_y && y < T.map_y + T.map_h && x < T.map_w) {
		int row = T.map_top + (y - T.map_y - 1);

		if (row < T.L.rows) {
			const struct band *b =
				&T.L.b[map_layout_band_at_row(&T.L, row)];

			T.focus = P_MAP;
			if (b->kind == BAND_VMA)
				select_vma((long)b->vma);
		}
	} else if (!T.side && y >= T.map_y + 2 && y < T.map_y + T.map_h &&
		   x >= T.tab_x) {
		size_t i = T.table_top + (size_t)(y - T.map_y - 2);

		T.focus = P_TABLE;
		if (i < T.snap.n)
			select_vma((long)i);
	}
	T.dirty = true;
}

static void schedule_tick(void)
{
	clock_gettime(CLOCK_MONOTONIC, &T.next_tick);
	T.next_tick.tv_nsec += (long)speeds[T.speed] * 1000000L;
	T.next_tick.tv_sec += T.next_tick.tv_nsec / 1000000000L;
	T.next_tick.tv_nsec %= 1000000000L;
}

static void toggle_play(void)
{
	if (!T.script || T.next >= T.nscript) {
		set_status(true, "no script to play: start vmalab FILE");
		return;
	}
	T.playing = !T.playing;
	if (T.playing)
		schedule_tick();
	T.dirty = true;
}

static void suspend(void)
{
	def_prog_mode();
	endwin();
	signal(SIGTSTP, SIG_DFL);
	raise(SIGTSTP);
	reset_prog_mode();
	clearok(stdscr, TRUE);
	T.dirty = true;
}

/*
 * A key that is not text for the command line: true if it was used.
 * One-key commands work only while the line is empty.
 */
static bool ui_key(int key)
{
	bool empty = rl_end == 0;

	if (T.help && (key == 27 || key == '?' || key == KEY_F(1) ||
		       key == '\n' || key == 'q')) {
		T.help = false;
		T.dirty = true;
		return true;
	}
	if (T.details && (key == 27 || key == '\n' || key == 'q')) {
		free(T.details);
		T.details = NULL;
		T.dirty = true;
		return true;
	}
	switch (key) {
	case KEY_RESIZE:
		place_panes();
		follow_selection();
		T.dirty = true;
		return true;
	case KEY_F(1):
		T.help = !T.help;
		T.dirty = true;
		return true;
	case KEY_F(2):
		step_back();
		return true;
	case KEY_F(3):
		step_forward();
		return true;
	case KEY_F(4):
		toggle_play();
		return true;
	case KEY_F(5):
		play_to_end();
		return true;
	case KEY_UP:
	case KEY_DOWN:
	case KEY_PPAGE:
	case KEY_NPAGE:
		navigate(key);
		return true;
	case KEY_MOUSE: {
		MEVENT ev;

		if (getmouse(&ev) == OK &&
		    (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)))
			click(ev.y, ev.x);
		return true;
	}
	case 26:
		suspend();
		return true; /* Ctrl-Z */
	default:
		break;
	}
	if (!empty)
		return false;
	switch (key) {
	case '\t':
		T.focus = (enum pane)((T.focus + 1) % P__COUNT);
		if (T.side && T.focus == P_TABLE)
			T.focus = P_TRACE; /* the table gives way to the maps */
		T.dirty = true;
		return true;
	case KEY_BTAB:
		T.focus = (enum pane)((T.focus + P__COUNT - 1) % P__COUNT);
		T.dirty = true;
		return true;
	case KEY_HOME:
	case KEY_END:
		navigate(key);
		return true;
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (T.focus == P_MAP || T.focus == P_TABLE) {
			open_details();
			return true;
		}
		return false;
	case '?':
		T.help = true;
		T.dirty = true;
		return true;
	case '<':
		step_back();
		return true;
	case '>':
		step_forward();
		return true;
	case ' ':
		toggle_play();
		return true;
	case '+':
		if (T.speed < NSPEEDS - 1)
			T.speed++;
		T.dirty = true;
		return true;
	case '-':
		if (T.speed > 0)
			T.speed--;
		T.dirty = true;
		return true;
	case 27:
		return true;
	default:
		return false;
	}
}

/* Keys ncurses decoded that readline knows as control characters. */
static int to_readline(int key)
{
	switch (key) {
	case KEY_LEFT:
		return 2; /* Ctrl-B */
	case KEY_RIGHT:
		return 6; /* Ctrl-F */
	case KEY_HOME:
		return 1; /* Ctrl-A */
	case KEY_END:
		return 5; /* Ctrl-E */
	case KEY_BACKSPACE:
		return 127;
	case KEY_DC:
		return rl_point < rl_end ? 4 : -1;
	case KEY_ENTER:
		return '\r';
	default:
		return key >= 0 && key < 256 ? key : -1;
	}
}

/* ---- readline through its callback interface ---- */

static int rl_getc_hook(FILE *f)
{
	int c = T.key;

	(void)f;
	T.key = EOF;
	return c;
}

static int rl_avail_hook(void)
{
	return T.key != EOF;
}

static void rl_redisplay_hook(void)
{
	T.dirty = true;
}

static void rl_prep_hook(int meta)
{
	(void)meta;
}

static void rl_deprep_hook(void)
{
}

/* Ctrl-C: drop what was typed, and stop a script that plays. */
static int clear_line(int count, int key)
{
	(void)count;
	(void)key;
	rl_replace_line("", 0);
	rl_point = rl_end = 0;
	if (T.playing) {
		T.playing = false;
		set_status(false, "paused");
	}
	T.dirty = true;
	return 0;
}

static char *next_match(const char *text, int state)
{
	(void)text;
	if (!state)
		T.comp_next = 0;
	if (T.comp_next >= T.comp.n)
		return NULL;
	return strdup(T.comp.words[T.comp_next++]);
}

static char **attempt_completion(const char *text, int start, int end)
{
	char **matches;

	(void)end;
	completion_free(&T.comp);
	complete_line(T.s, rl_line_buffer, (size_t)start, text, &T.comp);
	if (T.comp.filenames)
		return NULL;
	rl_attempted_completion_over = 1;
	rl_completion_append_character = T.comp.append;
	if (!T.comp.n)
		return NULL;
	matches = rl_completion_matches(text, next_match);
	completion_free(&T.comp);
	return matches;
}

/* The candidates of an ambiguous Tab, in the status line. */
static void show_matches(char **matches, int n, int max)
{
	size_t at = 0;

	(void)max;
	at += (size_t)snprintf(T.status, sizeof(T.status), "%d: ", n);
	for (int i = 1; i <= n && at < sizeof(T.status) - 1; i++)
		at += (size_t)snprintf(T.status + at, sizeof(T.status) - at,
				       "%s ", matches[i]);
	T.status_err = false;
	T.caret_col = -1;
	T.dirty = true;
}

static bool jump_line(const char *line)
{
	char *end;
	unsigned long n;

	if (line[0] != '@' || !isdigit((unsigned char)line[1]))
		return false;
	n = strtoul(line + 1, &end, 10);
	if (*end) {
		set_status(true, "@N jumps to step N: %s", line);
		return true;
	}
	jump_to((size_t)n);
	return true;
}

static void on_line(char *line)
{
	if (!line) {
		T.done = true; /* Ctrl-D */
		return;
	}
	if (*line) {
		history_add_line(T.histfile, line);
		add_history(line);
	}
	if (!jump_line(line) && *line)
		run_line(line, true, false);
	free(line);
}

static void setup_readline(void)
{
	T.rl_null = fopen("/dev/null", "w");
	rl_readline_name = "vmalab";
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0;
	rl_prep_term_function = rl_prep_hook;
	rl_deprep_term_function = rl_deprep_hook;
	rl_getc_function = rl_getc_hook;
	rl_input_available_hook = rl_avail_hook;
	rl_redisplay_function = rl_redisplay_hook;
	rl_outstream = T.rl_null;
	rl_attempted_completion_function = attempt_completion;
	rl_completion_display_matches_hook = show_matches;
	rl_completer_word_break_characters = " \t,(|";
	rl_completer_quote_characters = "\"";
	T.key = EOF;
	rl_callback_handler_install(PROMPT, on_line);
	rl_bind_key('\003', clear_line);
}

/* ---- the terminal ---- */

static void on_fatal(int sig)
{
	fatal_sig = sig;
	endwin();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void start_terminal(void)
{
	const char *nc = getenv("NO_COLOR");

	initscr();
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED, NULL);
	mouseinterval(0);
	T.colour = has_colors() && !(nc && *nc);
	if (T.colour) {
		start_color();
		use_default_colors();
		for (int r = 0; r < R__COUNT; r++)
			init_pair((short)(r + 1), theme[r].fg, theme[r].bg);
		for (int l = 0; l < LOOK__COUNT; l++)
			init_pair((short)LOOK_PAIR(l), COLOR_BLACK,
				  (short)look_styles[l].curses_colour);
	}
	signal(SIGSEGV, on_fatal);
	signal(SIGABRT, on_fatal);
	signal(SIGTERM, on_fatal);
	signal(SIGHUP, on_fatal);
	signal(SIGINT, on_sigint);
	place_panes();
}

static void tui_init(struct session *s)
{
	memset(&T, 0, sizeof(T));
	T.s = s;
	T.speed = 2;
	T.caret_col = -1;
	T.focus = P_MAP;
	model_init(&T.model);
	T.mo = model_observer(&T.model);
	session_observe(s, &T.mo);
	model_step(&T.model, session_machine(s), 0, NULL);
	s->interactive = true;
	s->tty_colour = false;
	s->src = NULL;
	s->emit = NULL;
	s->sink = (struct diag_sink){tui_diag, NULL};
	s->interrupted = &interrupt;
	s->progress = (struct progress_hook){show_progress, NULL};
	session_set_trace(s, true);
}

static void tui_fini(void)
{
	session_unobserve(T.s, &T.mo);
	T.s->last_diff = NULL;
	model_free(&T.model);
	mm_snap_free(&T.snap);
	mm_snap_free(&T.other);
	mm_diff_free(&T.diff);
	map_layout_free(&T.L);
	map_layout_free(&T.Lo);
	free_lines(&T.anon, &T.nanon);
	free_lines(&T.script, &T.nscript);
	for (size_t i = 0; i < T.nviews; i++)
		view_free(&T.views[i]);
	free(T.views);
	sb_free(&T.trace);
	free(T.details);
	free(T.refill);
	completion_free(&T.comp);
}

/* Milliseconds to the next tick of a playing script, or -1. */
static int ms_to_tick(void)
{
	struct timespec now;
	long ms;

	if (!T.playing)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (T.next_tick.tv_sec - now.tv_sec) * 1000 +
	     (T.next_tick.tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : (int)ms;
}

int tui_run(struct session *s, const char *script)
{
	tui_init(s);
	if (script && load_script(script)) {
		fprintf(stderr, "vmalab: %s: %s\n", script, strerror(errno));
		tui_fini();
		return 2;
	}
	T.histfile = history_start();
	setup_readline();
	start_terminal();
	take_snapshots(NULL);
	if (script)
		set_status(false,
			   "%s: %zu lines loaded; Space plays, > steps, "
			   "F5 runs to the end",
			   script, T.nscript);
	while (!T.done) {
		int key, wait;

		if (T.dirty || T.relayout)
			draw_all();
		wait = ms_to_tick();
		timeout(wait);
		key = getch();
		progress_start();
		if (key == ERR) {
			if (T.playing && ms_to_tick() == 0) {
				if (step_forward())
					schedule_tick();
			}
			progress_end();
			continue;
		}
		if (ui_key(key)) {
			progress_end();
			continue;
		}
		key = to_readline(key);
		if (key < 0)
			continue;
		T.key = key;
		rl_callback_read_char();
		progress_end();
		if (T.refill) {
			rl_replace_line(T.refill, 0);
			rl_point = rl_end;
			free(T.refill);
			T.refill = NULL;
		}
		T.dirty = true;
	}
	rl_callback_handler_remove();
	endwin();
	history_finish(T.histfile);
	if (T.rl_null)
		fclose(T.rl_null);
	tui_fini();
	return 0;
}

/* ---- the redraw benchmark ---- */

static bool bench_ready;

void tui_bench_frame(struct session *s, int step)
{
	if (!bench_ready) {
		tui_init(s);
		s->sink = diag_null;
		keypad(stdscr, TRUE);
		T.colour = false;
		place_panes();
		take_snapshots(NULL);
		bench_ready = true;
	}
	if (step) {
		/* A step as typed: the first page made read-only (merging
		 * with the second) and writable again (splitting back). */
		char line[64];

		snprintf(line, sizeof(line), "protect %#lx 4k %s",
			 T.snap.n ? T.snap.v[0].start : 0,
			 step % 2 ? "r" : "rw");
		run_line(line, false, false);
	}
	draw_all();
	/* Move the selection, so that each frame draws other rows. */
	select_vma((long)(T.sel + 37) % (long)(T.snap.n ? T.snap.n : 1));
}

void tui_bench_free(void)
{
	if (bench_ready)
		tui_fini();
	bench_ready = false;
}
