/*
 * layout.c - the address-space map as bands (layout.h): scaling, gap
 * collapsing, the marks of the last step, each row as text, and the
 * one-line account of what a step did.  Pure: no I/O and no terminal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "layout.h"

const struct look_style look_styles[LOOK__COUNT] = {
	/* letter, name, COLOR_* (0 black ... 7 white), SVG fill */
	[LOOK_ANON] = {'a', "anonymous", 2, "#9fd89f"},
	[LOOK_FILE] = {'f', "file", 4, "#9cc3e6"},
	[LOOK_SHARED] = {'s', "shared", 5, "#d7a6d8"},
	[LOOK_SPECIAL] = {'x', "special", 3, "#f6d28b"},
	[LOOK_LOCKED] = {'L', "locked", 1, "#f19a86"},
	[LOOK_SEALED] = {'S', "sealed", 6, "#8fd3d3"},
	[LOOK_GAP] = {' ', "gap", 7, "#f2f2f2"},
};

enum vma_look vma_look_of(const struct vma_snap *v)
{
#ifdef VM_SEALED
	if (v->flags & VM_SEALED)
		return LOOK_SEALED;
#endif
	if (v->flags & VM_LOCKED_MASK)
		return LOOK_LOCKED;
	if ((v->flags & VM_SPECIAL) ||
	    (v->name[0] == '[' && strcmp(v->name, "[heap]") &&
	     strncmp(v->name, "[stack", 6) && strncmp(v->name, "[anon", 5)))
		return LOOK_SPECIAL;
	if (v->flags & VM_SHARED)
		return LOOK_SHARED;
	if (v->file)
		return LOOK_FILE;
	return LOOK_ANON;
}

void map_size_str(unsigned long bytes, char *buf, size_t n)
{
	static const char *const unit[] = {"B",	  "KiB", "MiB",
					   "GiB", "TiB", "PiB"};
	unsigned long whole = bytes, rest = 0;
	int u = 0;

	while (whole >= 1024 && u < 5) {
		rest = whole % 1024;
		whole /= 1024;
		u++;
	}
	/* One decimal below 10 when it is not whole: "1.5 GiB". */
	if (rest && whole < 10)
		snprintf(buf, n, "%lu.%lu %s", whole, rest * 10 / 1024,
			 unit[u]);
	else
		snprintf(buf, n, "%lu %s", whole, unit[u]);
}

void fault_marks(const struct vma_snap *v, char *buf, int n)
{
	unsigned long pages = (v->end - v->start) >> PAGE_SHIFT;
	unsigned long fill = 0;

	if (pages && v->rss)
		fill = (v->rss * (unsigned long)n + pages - 1) / pages;
	for (int i = 0; i < n; i++)
		buf[i] = (unsigned long)i < fill ? '#' : '.';
	buf[n] = '\0';
}

/* 1 row for a page, one more for each factor of 8, at most the max. */
static int scaled_height(unsigned long bytes)
{
	unsigned long pages = bytes >> PAGE_SHIFT;
	int h = 1;

	while (pages >= 8 && h < BAND_MAX_HEIGHT) {
		pages /= 8;
		h++;
	}
	return h;
}

static struct band *push_band(struct map_layout *L)
{
	if (L->n == L->cap) {
		L->cap = L->cap ? 2 * L->cap : 64;
		L->b = realloc(L->b, L->cap * sizeof(*L->b));
		if (!L->b)
			abort();
	}
	memset(&L->b[L->n], 0, sizeof(L->b[0]));
	return &L->b[L->n++];
}

static void push_gap(struct map_layout *L, unsigned long start,
		     unsigned long end)
{
	struct band *b = push_band(L);

	b->kind = BAND_GAP;
	b->start = start;
	b->end = end;
	b->height = 1;
	b->look = LOOK_GAP;
	b->mark = MARK_NONE;
}

/* The VMA of snap that starts at start, or snap->n. */
static size_t vma_at(const struct mm_snap *snap, unsigned long start)
{
	size_t lo = 0, hi = snap->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (snap->v[mid].start < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < snap->n && snap->v[lo].start == start ? lo : snap->n;
}

/* The band that holds address addr (bands descend), or L->n. */
static size_t band_at_addr(const struct map_layout *L, unsigned long addr)
{
	size_t lo = 0, hi = L->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (L->b[mid].start > addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < L->n && addr < L->b[lo].end ? lo : L->n;
}

static void mark_bands(struct map_layout *L, const struct mm_snap *snap,
		       const struct mm_diff *d)
{
	for (size_t i = 0; d && d->pid == snap->pid && i < d->n; i++) {
		const struct vma_delta *e = &d->d[i];
		size_t k;

		if (e->sign == '-') {
			/* Each gap the removed VMA's range now falls in. */
			unsigned long a = e->old.start;

			while (a < e->old.end &&
			       (k = band_at_addr(L, a)) < L->n) {
				if (L->b[k].kind == BAND_GAP)
					L->b[k].mark = MARK_REMOVED;
				a = L->b[k].end;
			}
			continue;
		}
		k = vma_at(snap, e->new.start);
		if (k < snap->n)
			L->b[L->band_of[k]].mark =
				e->sign == '+' ? MARK_NEW : MARK_CHANGED;
	}
}

static int cmp_start(const void *a, const void *b)
{
	const struct vma_snap *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static int cmp_index(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

int mm_snap_apply(struct mm_snap *snap, const struct mm_diff *d)
{
	struct vma_snap *ins, *v;
	size_t *rem, nins = 0, nrem = 0, i = 0, r = 0, k = 0, n;

	if (d->pid != snap->pid)
		return -1;
	if (!d->n)
		return 0;
	ins = malloc(d->n * sizeof(*ins));
	rem = malloc(d->n * sizeof(*rem));
	if (!ins || !rem)
		abort();
	for (size_t j = 0; j < d->n; j++) {
		const struct vma_delta *e = &d->d[j];

		if (e->sign != '+') {
			size_t at = vma_at(snap, e->old.start);

			if (at == snap->n || snap->v[at].id != e->old.id)
				goto misfit;
			rem[nrem++] = at;
		}
		if (e->sign != '-')
			ins[nins++] = e->new;
	}
	qsort(rem, nrem, sizeof(*rem), cmp_index);
	qsort(ins, nins, sizeof(*ins), cmp_start);
	for (size_t j = 1; j < nrem; j++)
		if (rem[j] == rem[j - 1])
			goto misfit;
	n = snap->n - nrem + nins;
	v = malloc((n + 1) * sizeof(*v));
	if (!v)
		abort();
	/* One merge: the old array less the removed, and the inserted. */
	for (size_t o = 0; o < n;) {
		if (r < nrem && i == rem[r]) {
			i++, r++;
		} else if (k < nins &&
			   (i == snap->n || ins[k].start < snap->v[i].start)) {
			v[o++] = ins[k++];
		} else if (i < snap->n) {
			v[o++] = snap->v[i++];
		} else {
			break;
		}
	}
	free(snap->v);
	snap->v = v;
	snap->n = n;
	free(ins);
	free(rem);
	return 0;
misfit:
	free(ins);
	free(rem);
	return -1;
}

void map_layout_build(struct map_layout *L, const struct mm_snap *snap,
		      const struct mm_diff *diff, int width, int height)
{
	unsigned long above = MAP_TOP;
	long want = 0, zoom = 1;
	int row = 0;

	L->n = 0;
	L->width = width < MAP_MIN_WIDTH ? MAP_MIN_WIDTH : width;
	free(L->band_of);
	L->nvmas = snap->n;
	L->band_of = calloc(snap->n + 1, sizeof(*L->band_of));
	if (!L->band_of)
		abort();
	/* Top down: the gap above each VMA, then the VMA. */
	for (size_t i = snap->n; i-- > 0;) {
		const struct vma_snap *v = &snap->v[i];
		struct band *b;

		if (v->end < above)
			push_gap(L, v->end, above);
		b = push_band(L);
		b->kind = BAND_VMA;
		b->vma = i;
		b->start = v->start;
		b->end = v->end;
		b->height = scaled_height(v->end - v->start);
		b->look = vma_look_of(v);
		b->mark = MARK_NONE;
		L->band_of[i] = L->n - 1;
		above = v->start < above ? v->start : above;
	}
	if (above > 0)
		push_gap(L, 0, above);
	for (size_t k = 0; k < L->n; k++)
		want += L->b[k].height;
	/* Room to spare: VMA bands up to BAND_ZOOM times as tall. */
	if (want <= height) {
		long vrows = want - (long)(L->n - snap->n);

		zoom = vrows ? (height - (want - vrows)) / vrows : 1;
		zoom = zoom < 1 ? 1 : zoom > BAND_ZOOM ? BAND_ZOOM : zoom;
	}
	for (size_t k = 0; k < L->n; k++) {
		if (want > height)
			L->b[k].height = 1;
		else if (L->b[k].kind == BAND_VMA)
			L->b[k].height *= (int)zoom;
		L->b[k].row = row;
		row += L->b[k].height;
	}
	L->rows = row;
	mark_bands(L, snap, diff);
}

void map_layout_free(struct map_layout *L)
{
	free(L->b);
	free(L->band_of);
	memset(L, 0, sizeof(*L));
}

void map_layout_mark_range(struct map_layout *L, unsigned long start,
			   unsigned long end)
{
	size_t k;

	if (start >= end)
		return;
	/* Bands descend: from the one that holds end - 1, downwards. */
	k = band_at_addr(L, end - 1);
	for (; k < L->n && L->b[k].end > start; k++)
		L->b[k].in_range = true;
}

size_t map_layout_band_at_row(const struct map_layout *L, int row)
{
	size_t lo = 0, hi = L->n;

	/* The last band whose first row is at or above row. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (L->b[mid].row <= row)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static void perms_str(vm_flags_t f, char *p)
{
	p[0] = f & VM_READ ? 'r' : '-';
	p[1] = f & VM_WRITE ? 'w' : '-';
	p[2] = f & VM_EXEC ? 'x' : '-';
	p[3] = f & VM_MAYSHARE ? 's' : 'p';
	p[4] = '\0';
}

/* Copy text into row[at, at + room), cut at the room. */
static void put(char *row, int at, int room, const char *text)
{
	for (int i = 0; i < room && text[i]; i++)
		row[at + i] = text[i];
}

void map_layout_row(const struct map_layout *L, const struct mm_snap *snap,
		    int row, char *buf)
{
	int w = L->width, inner = w - 15;
	const struct band *b;
	char text[160], size[32], addr[16];
	int line;

	memset(buf, ' ', (size_t)w);
	buf[w] = '\0';
	if (!L->n || row < 0 || row >= L->rows)
		return;
	b = &L->b[map_layout_band_at_row(L, row)];
	line = row - b->row;
	buf[12] = b->mark;
	buf[13] = buf[w - 1] = b->kind == BAND_GAP ? '~' : '|';
	if (b->in_range) {
		buf[13] = '[';
		buf[w - 1] = ']';
	}
	if (line == b->height - 1) {
		snprintf(addr, sizeof(addr), "%12lx", b->start);
		put(buf, 0, 12, addr);
	}
	map_size_str(b->end - b->start, size, sizeof(size));
	if (b->kind == BAND_GAP) {
		int len = snprintf(text, sizeof(text), " gap (%s) ", size);
		int at = len < inner ? (inner - len) / 2 : 0;

		memset(buf + 14, '~', (size_t)inner);
		put(buf, 14 + at, inner - at, text);
		return;
	}
	{
		const struct vma_snap *v = &snap->v[b->vma];
		char perms[5], marks[8];

		perms_str(v->flags, perms);
		if (line == 0 && b->height == 1)
			snprintf(text, sizeof(text), "%c %s %s vma#%u %s",
				 look_styles[b->look].letter, perms, size,
				 v->id, v->name);
		else if (line == 0)
			snprintf(text, sizeof(text), "%c %s %s",
				 look_styles[b->look].letter, perms, size);
		else if (line == 1)
			snprintf(text, sizeof(text), "  vma#%u %s", v->id,
				 v->name);
		else
			text[0] = '\0';
		/* The fault marks at the right, when there is room. */
		if (line == 0 && inner >= 24) {
			fault_marks(v, marks, 4);
			put(buf, 14, inner - 6, text);
			put(buf, 14 + inner - 5, 4, marks);
		} else {
			put(buf, 14, inner, text);
		}
	}
}

char *map_layout_text(const struct map_layout *L, const struct mm_snap *snap)
{
	size_t w = (size_t)L->width;
	char *out = malloc((w + 1) * (size_t)L->rows + 1), *p = out;

	if (!out)
		abort();
	for (int r = 0; r < L->rows; r++) {
		map_layout_row(L, snap, r, p);
		/* Rows keep their trailing bar; only blanks past it go. */
		p += w;
		*p++ = '\n';
	}
	*p = '\0';
	return out;
}

/* ---- what a step did ---- */

struct piece {
	unsigned long start, end;
	bool existed;
};

static int piece_cmp(const void *a, const void *b)
{
	const struct piece *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * A merge: the one VMA that grew, and the pieces it is made of (its old
 * range, the VMAs removed into it, and the new range between them), named
 * as the kernel's comments name them: prev, middle or new, next.
 */
static void merge_summary(const struct mm_diff *d, const struct vma_delta *g,
			  char *buf, size_t n)
{
	struct piece p[8];
	int np = 0, existing = 0;
	unsigned long at = g->new.start;
	char names[96] = "";

	for (size_t i = 0; i < d->n && np < 4; i++) {
		const struct vma_delta *e = &d->d[i];

		if (e->sign == '-' || e == g)
			p[np++] = (struct piece){e == g ? e->old.start
							: e->old.start,
						 e->old.end, true};
	}
	if (np >= 4) {
		snprintf(buf, n, "merged %zu VMAs into vma#%u", d->n,
			 g->new.id);
		return;
	}
	qsort(p, (size_t)np, sizeof(p[0]), piece_cmp);
	/* The parts of the result no old VMA had: the new range. */
	for (int i = 0, m = np; i < m; i++) {
		if (p[i].start > at)
			p[np++] = (struct piece){at, p[i].start, false};
		at = p[i].end > at ? p[i].end : at;
	}
	if (at < g->new.end)
		p[np++] = (struct piece){at, g->new.end, false};
	qsort(p, (size_t)np, sizeof(p[0]), piece_cmp);
	for (int i = 0; i < np; i++)
		existing += p[i].existed;
	if (np > 3) {
		snprintf(buf, n, "merged %d VMAs into vma#%u", existing,
			 g->new.id);
		return;
	}
	for (int i = 0; i < np; i++) {
		const char *name = !p[i].existed ? "new"
				   : i == 0	 ? "prev"
				   : i == np - 1 ? "next"
						 : "middle";

		if (np == 2 && existing == 2)
			name = i == 0 ? "prev" : "next";
		strcat(names, i ? " + " : "");
		strcat(names, name);
	}
	snprintf(buf, n, "merged %s", names);
}

void diff_summary(const struct mm_diff *d, char *buf, size_t n)
{
	diff_summary_call(d, -1, buf, n);
}

void diff_summary_call(const struct mm_diff *d, int nr, char *buf, size_t n)
{
	const struct vma_delta *add = NULL, *del = NULL, *chg = NULL;
	size_t a = 0, r = 0, c = 0, ranged = 0;
	long faulted = 0;

	buf[0] = '\0';
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		const struct vma_delta *e = &d->d[i];

		if (e->sign == '+')
			a++, add = add ? add : e;
		else if (e->sign == '-')
			r++, del = del ? del : e;
		else {
			c++, chg = chg ? chg : e;
			ranged += !!(e->fields & (VF_START | VF_END));
			faulted += (long)e->new.rss - (long)e->old.rss;
		}
	}
	if (!d->n)
		return;
	if (a == 1 && r == 1 && !c &&
	    add->new.end - add->new.start == del->old.end - del->old.start &&
	    (add->new.start >= del->old.end ||
	     add->new.end <= del->old.start)) {
		snprintf(buf, n, "moved %#lx -> %#lx", del->old.start,
			 add->new.start);
		return;
	}
	if (a == 1 && r == 1 && !c && add->new.start >= del->old.start &&
	    add->new.end <= del->old.end) {
		snprintf(buf, n, "vma#%u cut: vma#%u is what is left",
			 del->old.id, add->new.id);
		return;
	}
	if (c == 1 && !a && !r && ranged &&
	    chg->new.end - chg->new.start == chg->old.end - chg->old.start &&
	    (chg->new.start >= chg->old.end ||
	     chg->new.end <= chg->old.start)) {
		snprintf(buf, n, "moved %#lx -> %#lx", chg->old.start,
			 chg->new.start);
		return;
	}
	if (c == 1 && !ranged && !a && !r) {
		if (chg->fields & VF_FLAGS) {
			char p0[5], p1[5];

			perms_str(chg->old.flags, p0);
			perms_str(chg->new.flags, p1);
			snprintf(buf, n, "vma#%u: flags %s -> %s", chg->new.id,
				 p0, p1);
		} else if (faulted) {
			snprintf(buf, n, "vma#%u: %+ld page%s faulted",
				 chg->new.id, faulted,
				 faulted == 1 || faulted == -1 ? "" : "s");
		} else {
			snprintf(buf, n, "vma#%u changed", chg->new.id);
		}
		return;
	}
	if (c >= 1 && !ranged && !a && !r) {
		snprintf(buf, n, "%zu VMAs changed", c);
		return;
	}
	if (c == 1 && ranged && a >= 1 && !r &&
	    chg->new.end - chg->new.start < chg->old.end - chg->old.start) {
		snprintf(buf, n, "split 1 -> %zu", a + 1);
		return;
	}
	if (nr == 25 /* mremap */ && c == 1 && ranged && !a && !r &&
	    chg->new.start == chg->old.start) {
		char from[32], to[32];

		map_size_str(chg->old.end - chg->old.start, from, sizeof(from));
		map_size_str(chg->new.end - chg->new.start, to, sizeof(to));
		snprintf(buf, n, "vma#%u %s in place: %s -> %s", chg->new.id,
			 chg->new.end > chg->old.end ? "grew" : "shrank", from,
			 to);
		return;
	}
	if (c == 1 && ranged && !a &&
	    (chg->new.start < chg->old.start || chg->new.end > chg->old.end)) {
		merge_summary(d, chg, buf, n);
		return;
	}
	if (c == 2 && ranged == 2 && !a && !r) {
		const struct vma_delta *x = &d->d[0], *y = &d->d[1];
		const struct vma_delta *g =
			x->new.end - x->new.start > x->old.end - x->old.start
				? x
				: y;

		snprintf(buf, n, "vma#%u grew into vma#%u", g->new.id,
			 (g == x ? y : x)->new.id);
		return;
	}
	if (c == 1 && ranged && !a && !r) {
		snprintf(buf, n, "vma#%u shrank", chg->new.id);
		return;
	}
	if (!a && !c) {
		if (r == 1)
			snprintf(buf, n, "removed vma#%u", del->old.id);
		else
			snprintf(buf, n, "removed %zu VMAs", r);
		return;
	}
	if (!r && !c) {
		if (a == 1)
			snprintf(buf, n, "new vma#%u", add->new.id);
		else
			snprintf(buf, n, "%zu new VMAs", a);
		return;
	}
	snprintf(buf, n, "%zu new, %zu removed, %zu changed", a, r, c);
}
