/*
 * linediff.c - comparing the kernel's output with the engine's, and
 * showing where they differ.
 *
 * Comparison is of the contract, less what a simulation cannot know: dev
 * and inode numbers (and so seq_pad's width), and every VMA outside the
 * window and the brk area (whose real addresses kernel.c has already
 * moved to the simulation's).  Results are compared exactly, the
 * addresses the kernel chose too: the engine searches the same gaps
 * from the same mmap_base (verify.c give_own_layout).
 * A difference is shown as a small unified diff, with the maps line of
 * each VMA whose smaps fields differ.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend.h"
#include "linediff.h"
#include "procfs.h"

#define DIFF_CONTEXT 3
#define LCS_MAX_CELLS 4000000UL /* beyond this, a cruder diff will do */

/* A text cut into lines, pointing into it. */
struct lines {
	const char **s;
	size_t *len;
	size_t n;
};

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

/* The test window, or the brk area (at the simulation's addresses). */
static bool in_window(unsigned long addr)
{
	return (addr >= VERIFY_WINDOW_START && addr < VERIFY_WINDOW_END) ||
	       addr - VERIFY_BRK_BASE < VERIFY_BRK_SPAN;
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

/* "VmRSS:\t..." of status: its field index, or -1. */
static int status_line(const char *s, size_t len)
{
	for (int i = 0; status_fields[i]; i++) {
		size_t n = strlen(status_fields[i]);

		if (n + 1 < len && !memcmp(s, status_fields[i], n) &&
		    s[n] == ':' && s[n + 1] == '\t')
			return i;
	}
	return -1;
}

/*
 * Lines of status verify does not compare: VmHWM (update_hiwater_rss()
 * reads the per-CPU RSS counters approximately: get_mm_rss()) and VmPTE
 * (the engine's page table keeps its tables differently).
 */
static bool status_uncompared(const char *s, size_t len)
{
	int i = status_line(s, len);

	return i >= 0 && (!strcmp(status_fields[i], "VmHWM") ||
			  !strcmp(status_fields[i], "VmPTE"));
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
		else if (!field_line(l.s[i], l.len[i]) ||
			 status_line(l.s[i], l.len[i]) >= 0)
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

static void normalize_line(const char *s, size_t len, struct strbuf *out)
{
	unsigned long start;

	if (maps_line_start(s, len, &start))
		normalize_maps_line(s, len, out);
	else
		sb_add(out, s, len);
}

static void normalize(const char *text, struct strbuf *out)
{
	struct lines l;

	split_lines(text, &l);
	for (size_t i = 0; i < l.n; i++) {
		if (status_uncompared(l.s[i], l.len[i]))
			continue;
		normalize_line(l.s[i], l.len[i], out);
		sb_puts(out, "\n");
	}
	free_lines(&l);
}

/* Do two outputs agree, once filtered to the window and normalised? */
/*
 * A status line the kernel side could not measure ("VmRSS:\t       ? kB",
 * see verify/child.c) matches the engine's line of that name.
 */
static bool same_line(const char *k, size_t klen, const char *e, size_t elen)
{
	static const char unknown[] = "       ? kB";
	int i = status_line(k, klen);
	size_t n;

	if (klen == elen && !memcmp(k, e, klen))
		return true;
	if (i < 0 || status_line(e, elen) != i)
		return false;
	n = strlen(status_fields[i]) + 2;
	return klen == n + sizeof(unknown) - 1 &&
	       !memcmp(k + n, unknown, sizeof(unknown) - 1);
}

static bool same_lines(const char *kernel, const char *engine)
{
	struct lines k, e;
	bool same;

	split_lines(kernel, &k);
	split_lines(engine, &e);
	same = k.n == e.n;
	for (size_t i = 0; same && i < k.n; i++)
		same = same_line(k.s[i], k.len[i], e.s[i], e.len[i]);
	free_lines(&k);
	free_lines(&e);
	return same;
}

bool same_output(const char *kernel, const char *engine)
{
	struct strbuf fk = STRBUF_INIT, fe = STRBUF_INIT;
	struct strbuf nk = STRBUF_INIT, ne = STRBUF_INIT;
	bool same;

	window_filter(kernel, &fk);
	window_filter(engine, &fe);
	normalize(sb_str(&fk), &nk);
	normalize(sb_str(&fe), &ne);
	same = same_lines(sb_str(&nk), sb_str(&ne));
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
void show_difference(const char *kernel, const char *engine)
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
