/*
 * verify.c - `vmalab verify`: run a script on the engine and on the running
 * kernel side by side, and stop at the first step where they differ.
 *
 * Each line runs on two sessions, one over the engine (with its trace on,
 * so that the step that went wrong can be shown) and one over the kernel
 * backend.  After each line the printed outputs are compared; after each
 * line that ran a call or a touch the current process's smaps is compared
 * too, since a wrong Rss or a wrong VMA split may not be printed until much
 * later; at the end of the script every process's smaps is compared.
 *
 * Comparison is of the contract, less what a simulation cannot know: dev
 * and inode numbers (and so seq_pad's width), the addresses the kernel
 * picks itself outside the test window, and every VMA outside the window.
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
#include "backend.h"
#include "command.h"
#include "engine.h"
#include "parse.h"
#include "probe.h"
#include "procfs.h"
#include "strbuf.h"

#define DIFF_CONTEXT 3
#define LCS_MAX_CELLS 4000000UL /* beyond this, a cruder diff will do */

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
};

/* A text cut into lines, pointing into it. */
struct lines {
	const char **s;
	size_t *len;
	size_t n;
};

static void usage(FILE *f)
{
	fputs("usage: vmalab verify [--quiet] FILE...\n"
	      "       vmalab verify --kernel-only FILE...\n"
	      "\n"
	      "Runs each script (- for stdin) on the engine and on this "
	      "kernel, comparing\nthe output of every line and, after each "
	      "call or touch, the smaps of the\ncurrent process; at the "
	      "end, the smaps of every process.  Stops a script\nat its "
	      "first divergence and shows it with the engine's trace.\n"
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
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	memset(sc, 0, sizeof(*sc));
	sc->name = strcmp(path, "-") ? path : "<stdin>";
	if (!in) {
		fprintf(stderr, "vmalab: verify: %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	while ((n = getline(&line, &cap, in)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		sc->lines = realloc(sc->lines, (sc->n + 1) * sizeof(char *));
		if (!sc->lines || !(sc->lines[sc->n] = strdup(line)))
			abort();
		sc->n++;
	}
	free(line);
	if (ferror(in)) {
		fprintf(stderr, "vmalab: verify: %s: read error\n", path);
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

static void split_lines(const char *text, struct lines *l)
{
	memset(l, 0, sizeof(*l));
	while (*text) {
		const char *nl = strchrnul(text, '\n');

		l->s = realloc(l->s, (l->n + 1) * sizeof(*l->s));
		l->len = realloc(l->len, (l->n + 1) * sizeof(*l->len));
		if (!l->s || !l->len)
			abort();
		l->s[l->n] = text;
		l->len[l->n] = (size_t)(nl - text);
		l->n++;
		text = *nl ? nl + 1 : nl;
	}
}

static void free_lines(struct lines *l)
{
	free(l->s);
	free(l->len);
}

/* ---------------------------------------------------------------------- */
/* Normalising output for comparison.                                      */
/* ---------------------------------------------------------------------- */

static bool in_window(unsigned long addr)
{
	return addr >= VERIFY_WINDOW_START && addr < VERIFY_WINDOW_END;
}

/* "Rss:  ...", "VmFlags: ...": an smaps field line. */
static bool field_line(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len &&
	       (s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') ||
		(s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
		i++;
	return i > 0 && i < len && s[i] == ':';
}

/*
 * Drop the VMAs (maps lines and their smaps fields) that start outside
 * the window: the engine prints all of its VMAs, the kernel side only
 * those in the window, and outside it the two have nothing in common.
 */
static void window_filter(const char *text, struct strbuf *out)
{
	struct lines l;
	bool dropping = false;

	split_lines(text, &l);
	for (size_t i = 0; i < l.n; i++) {
		unsigned long start;

		if (maps_line_start(l.s[i], l.len[i], &start))
			dropping = !in_window(start);
		else if (!field_line(l.s[i], l.len[i]))
			dropping = false;
		if (dropping)
			continue;
		sb_add(out, l.s[i], l.len[i]);
		sb_puts(out, "\n");
	}
	free_lines(&l);
}

/* "start-end perms offset name": without dev, inode and padding. */
static void normalize_maps_line(const char *s, size_t len, struct strbuf *out)
{
	size_t name = maps_name_offset(s, len);

	sb_add(out, s, maps_field_end(s, len, 2));
	if (name < len) {
		sb_puts(out, " ");
		sb_add(out, s + name, len - name);
	}
}

/*
 * "mmap(NULL, ...) = 0x7f...": an address the kernel chose outside the
 * window equals any other such address.  True if it rewrote the line.
 */
static bool normalize_result_line(const char *s, size_t len, struct strbuf *out)
{
	const char *eq = NULL;
	unsigned long addr;
	char *end;

	if (strncmp(s, "mmap(", 5) && strncmp(s, "mremap(", 7))
		return false;
	for (size_t i = 0; i + 3 <= len; i++) {
		if (!memcmp(s + i, " = ", 3))
			eq = s + i;
	}
	if (!eq || strncmp(eq + 3, "0x", 2))
		return false;
	addr = strtoul(eq + 3, &end, 16);
	if (end != s + len || in_window(addr))
		return false;
	sb_add(out, s, (size_t)(eq - s));
	sb_puts(out, " = <outside the window>");
	return true;
}

static void normalize_line(const char *s, size_t len, struct strbuf *out)
{
	unsigned long start;

	if (maps_line_start(s, len, &start))
		normalize_maps_line(s, len, out);
	else if (!normalize_result_line(s, len, out))
		sb_add(out, s, len);
}

static void normalize(const char *text, struct strbuf *out)
{
	struct lines l;

	split_lines(text, &l);
	for (size_t i = 0; i < l.n; i++) {
		normalize_line(l.s[i], l.len[i], out);
		sb_puts(out, "\n");
	}
	free_lines(&l);
}

/* Do two outputs agree, once filtered to the window and normalised? */
static bool same_output(const char *kernel, const char *engine)
{
	struct strbuf fk = STRBUF_INIT, fe = STRBUF_INIT;
	struct strbuf nk = STRBUF_INIT, ne = STRBUF_INIT;
	bool same;

	window_filter(kernel, &fk);
	window_filter(engine, &fe);
	normalize(sb_str(&fk), &nk);
	normalize(sb_str(&fe), &ne);
	same = !strcmp(sb_str(&nk), sb_str(&ne));
	sb_free(&fk);
	sb_free(&fe);
	sb_free(&nk);
	sb_free(&ne);
	return same;
}

/* ---------------------------------------------------------------------- */
/* Showing a difference: a small unified diff of the two outputs.          */
/* ---------------------------------------------------------------------- */

struct diff_line {
	char tag; /* ' ', '-' (kernel only) or '+' (engine only) */
	const char *s;
	size_t len;
};

struct diff {
	struct diff_line *d;
	size_t n;
};

static void diff_push(struct diff *df, char tag, const char *s, size_t len)
{
	df->d = realloc(df->d, (df->n + 1) * sizeof(*df->d));
	if (!df->d)
		abort();
	df->d[df->n++] = (struct diff_line){tag, s, len};
}

/* Normalised keys of each line, so that equal means "agrees". */
static char **line_keys(const struct lines *l)
{
	char **keys = calloc(l->n + 1, sizeof(char *));

	if (!keys)
		abort();
	for (size_t i = 0; i < l->n; i++) {
		struct strbuf sb = STRBUF_INIT;

		normalize_line(l->s[i], l->len[i], &sb);
		keys[i] = strdup(sb_str(&sb));
		if (!keys[i])
			abort();
		sb_free(&sb);
	}
	return keys;
}

static void free_keys(char **keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
}

/*
 * The middle of the diff, [ka, kb) of the kernel's lines against [ea, eb)
 * of the engine's: a longest common subsequence when that is cheap, else
 * all of one side and then all of the other.
 */
static void diff_middle(struct diff *df, const struct lines *k, char **kk,
			size_t ka, size_t kb, const struct lines *e, char **ek,
			size_t ea, size_t eb)
{
	size_t n = kb - ka, m = eb - ea, i = 0, j = 0;
	unsigned *t;

	if (n * m > LCS_MAX_CELLS ||
	    !(t = calloc((n + 1) * (m + 1), sizeof(*t)))) {
		for (i = ka; i < kb; i++)
			diff_push(df, '-', k->s[i], k->len[i]);
		for (j = ea; j < eb; j++)
			diff_push(df, '+', e->s[j], e->len[j]);
		return;
	}
	/* t[i][j]: the LCS length of kernel[i..] and engine[j..]. */
	for (i = n; i-- > 0;) {
		for (j = m; j-- > 0;) {
			unsigned *c = &t[i * (m + 1) + j];

			if (!strcmp(kk[ka + i], ek[ea + j]))
				*c = t[(i + 1) * (m + 1) + j + 1] + 1;
			else if (t[(i + 1) * (m + 1) + j] >=
				 t[i * (m + 1) + j + 1])
				*c = t[(i + 1) * (m + 1) + j];
			else
				*c = t[i * (m + 1) + j + 1];
		}
	}
	for (i = 0, j = 0; i < n || j < m;) {
		if (i < n && j < m && !strcmp(kk[ka + i], ek[ea + j])) {
			diff_push(df, ' ', k->s[ka + i], k->len[ka + i]);
			i++;
			j++;
		} else if (j == m ||
			   (i < n && t[(i + 1) * (m + 1) + j] >=
					     t[i * (m + 1) + j + 1])) {
			diff_push(df, '-', k->s[ka + i], k->len[ka + i]);
			i++;
		} else {
			diff_push(df, '+', e->s[ea + j], e->len[ea + j]);
			j++;
		}
	}
	free(t);
}

static void build_diff(struct diff *df, const struct lines *k,
		       const struct lines *e)
{
	char **kk = line_keys(k), **ek = line_keys(e);
	size_t pre = 0, suf = 0;

	while (pre < k->n && pre < e->n && !strcmp(kk[pre], ek[pre]))
		pre++;
	while (suf < k->n - pre && suf < e->n - pre &&
	       !strcmp(kk[k->n - 1 - suf], ek[e->n - 1 - suf]))
		suf++;
	for (size_t i = 0; i < pre; i++)
		diff_push(df, ' ', k->s[i], k->len[i]);
	diff_middle(df, k, kk, pre, k->n - suf, e, ek, pre, e->n - suf);
	for (size_t i = k->n - suf; i < k->n; i++)
		diff_push(df, ' ', k->s[i], k->len[i]);
	free_keys(kk, k->n);
	free_keys(ek, e->n);
}

/*
 * Which lines of the diff to print: DIFF_CONTEXT lines around each change,
 * and the maps line of the VMA that an smaps change belongs to, so that a
 * wrong "Rss:" says whose it is.
 */
static bool *diff_shown(const struct diff *df)
{
	bool *show = calloc(df->n + 1, sizeof(bool));
	unsigned long start;

	if (!show)
		abort();
	for (size_t i = 0; i < df->n; i++) {
		if (df->d[i].tag == ' ')
			continue;
		for (size_t j = i > DIFF_CONTEXT ? i - DIFF_CONTEXT : 0;
		     j < df->n && j <= i + DIFF_CONTEXT; j++)
			show[j] = true;
		for (size_t j = i + 1; j-- > 0;) {
			if (maps_line_start(df->d[j].s, df->d[j].len, &start)) {
				show[j] = true;
				break;
			}
		}
	}
	return show;
}

static void print_diff(const struct diff *df)
{
	bool *show = diff_shown(df);
	bool skipped = false;

	printf("--- kernel\n+++ engine\n");
	for (size_t i = 0; i < df->n; i++) {
		if (!show[i]) {
			skipped = true;
			continue;
		}
		if (skipped)
			printf("@@ ...\n");
		skipped = false;
		printf("%c%.*s\n", df->d[i].tag, (int)df->d[i].len, df->d[i].s);
	}
	if (skipped)
		printf("@@ ...\n");
	if (!df->n)
		printf(" (both empty)\n");
	free(show);
}

/* The two outputs (filtered to the window) as a labelled diff. */
static void show_difference(const char *kernel, const char *engine)
{
	struct strbuf fk = STRBUF_INIT, fe = STRBUF_INIT;
	struct lines k, e;
	struct diff df = {NULL, 0};

	window_filter(kernel, &fk);
	window_filter(engine, &fe);
	split_lines(sb_str(&fk), &k);
	split_lines(sb_str(&fe), &e);
	build_diff(&df, &k, &e);
	print_diff(&df);
	free(df.d);
	free_lines(&k);
	free_lines(&e);
	sb_free(&fk);
	sb_free(&fe);
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
	fprintf(stderr, "verify: %s:%zu: %s (after: %s)\n", v->sc->name, upto,
		kernel_backend_failure(v->ker.be),
		upto ? v->sc->lines[upto - 1] : "");
	return FAILED;
}

/*
 * What a line is: one that may change state (a system call, a touch, or
 * a shorthand or a source that runs them), after which the hidden state
 * is compared too; or one that only the
 * simulation can run (it shows the engine's internals), which runs on the
 * engine alone.  Malformed lines are neither; the sessions report them.
 */
static void classify_line(const char *line, size_t len, bool *changes,
			  bool *engine_only)
{
	struct parsed *p = malloc(sizeof(*p));
	char err[600];

	if (!p)
		abort();
	*changes = *engine_only = false;
	if (parse_line(line, len, p, err, sizeof(err)) == PARSE_OK) {
		*changes = (p->cmd->flags & CMD_CHANGES) ||
			   p->cmd->syntax == SYN_CALL ||
			   !strcmp(p->cmd->name, "touch") ||
			   !strcmp(p->cmd->name, "source");
		*engine_only = p->cmd->flags & CMD_ENGINE;
		parsed_free(p);
	}
	free(p);
}

/* The current process's smaps on one side (no trace of this). */
static void current_smaps(struct backend *be, struct strbuf *out)
{
	if (be->ops->set_trace)
		be->ops->set_trace(be, NULL);
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

static enum verdict verify_line(struct verifier *v, size_t i)
{
	const char *line = v->sc->lines[i];
	size_t len = strlen(line);
	int eerr = v->eng.errors, kerr = v->ker.errors;
	bool changes, engine_only, erej, krej;
	char what[96];

	classify_line(line, len, &changes, &engine_only);
	v->eng.line = v->ker.line = (long)i + 1;
	session_run_line(&v->eng, line, len);
	if (engine_only)
		return AGREE;
	session_run_line(&v->ker, line, len);
	if (kernel_backend_failure(v->ker.be))
		return kernel_failed(v, i + 1);
	erej = v->eng.errors != eerr;
	krej = v->ker.errors != kerr;
	if (erej != krej)
		return report_rejected(v, i + 1, erej);
	if (!same_output(sb_str(&v->ker.out), sb_str(&v->eng.out))) {
		report_header(v, i + 1, NULL);
		show_difference(sb_str(&v->ker.out), sb_str(&v->eng.out));
		report_trace(v);
		return DIFFER;
	}
	if (!changes || erej)
		return AGREE;
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

static enum verdict verify_script(const struct script *sc,
				  const struct options *o)
{
	struct verifier v = {.sc = sc};
	enum verdict ret = AGREE;
	struct backend *kbe;
	char err[512];

	kbe = kernel_backend_new(err, sizeof(err));
	if (!kbe) {
		fprintf(stderr,
			"verify: %s: cannot start the kernel side: %s\n",
			sc->name, err);
		return FAILED;
	}
	session_init(&v.eng, engine_backend_new(&o->params));
	session_init(&v.ker, kbe);
	v.eng.trace = true;
	v.eng.src = v.ker.src = sc->name;
	v.ker.err = NULL;	  /* each malformed line is reported once */
	v.eng.trace_apart = true; /* a sourced script's trace is no output */
	for (size_t i = 0; i < sc->n && ret == AGREE && !v.eng.quit; i++)
		ret = verify_line(&v, i);
	if (ret == AGREE)
		ret = verify_end(&v);
	if (ret == AGREE && v.eng.errors) {
		/* Skipped on both sides, a typo would hide a whole step. */
		fprintf(stderr,
			"verify: %s: %d malformed line%s (above): a script "
			"must be valid to be verified\n",
			sc->name, v.eng.errors, v.eng.errors == 1 ? "" : "s");
		ret = FAILED;
	}
	if (ret == AGREE && !o->quiet)
		printf("verify: %s: %zu lines, engine and kernel agree\n",
		       sc->name, sc->n);
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
	char err[256], text[160];

	if (probe_machine(&o->params, tmp && *tmp ? tmp : "/tmp", err,
			  sizeof(err))) {
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
