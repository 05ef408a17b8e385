/*
 * tree.c - the mm's VMA tree: a B-tree of VMAs, with the ranges packed in
 * the nodes, as the kernel's maple tree keeps its pivots.
 *
 * It stands in for mm->mm_mt.  A node holds up to VT_SLOTS entries, and
 * for each the range it covers: a leaf's entries are VMAs (start and end
 * copied from vm_start and vm_end), an inner node's are its children
 * (start of the first VMA below, end of the last, and the largest gap
 * between two VMAs below, for the gap searches).  A lookup then reads
 * four or five nodes of contiguous keys at 65,530 VMAs, and touches a
 * VMA only once it is found, where an AVL tree of VMAs chases seventeen
 * pointers through as many VMAs scattered over the heap.
 *
 * Each VMA knows its leaf (vt_leaf), so that the neighbours of a VMA and
 * changes to its range in place cost no search; leaves are linked in
 * address order.  VMAs never overlap, so ordering by vm_start also orders
 * by vm_end.
 *
 * The largest gap kept at each entry lets the searches behind
 * get_unmapped_area() skip a whole subtree whose gaps are all too small,
 * so they are O(log n) like mas_empty_area() and mas_empty_area_rev().
 * The free space before the first VMA starts at 0 and the free space
 * after the last one runs to ULONG_MAX: the searches treat both as
 * ordinary gaps by giving the whole tree the bounds [0, ULONG_MAX].
 *
 * Nodes come from aligned_alloc; running out of host memory is fatal.  The
 * allocation the kernel's maple tree can fail is its preallocation,
 * vma_iter_prealloc() in vma.c, which keeps that failure point.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "tree.h"

#define VT_SLOTS 16
#define VT_MIN 4   /* fewer entries: merge with a neighbour if they fit */
#define VT_SLACK 2 /* free entries a node that grows at one end keeps */
#define VT_MAX_DEPTH 32

/*
 * The layout is for the lookups: a node starts on a cache line, with the
 * count and the ends first, so that find_vma() reads the line that says
 * how many entries there are together with the first ends, then the line
 * of the slot it picks (at 65,530 VMAs a leaf is rarely in cache: with
 * the count after the arrays, as it was, every level cost one more miss).
 */
#define VT_ALIGN 64

struct vt_node {
	unsigned char n;
	unsigned char pslot; /* its entry in parent */
	bool leaf;
	unsigned long end[VT_SLOTS];   /* leaf: vm_end; inner: highest */
	unsigned long start[VT_SLOTS]; /* leaf: vm_start; inner: lowest */
	void *slot[VT_SLOTS];	       /* leaf: struct vma; inner: node */
	unsigned long gap[VT_SLOTS];   /* inner: the child's largest gap */
	struct vt_node *parent;
	struct vt_node *prev, *next; /* leaves, in address order */
};

/* Whole cache lines for aligned_alloc(). */
#define VT_NODE_BYTES                                                \
	((sizeof(struct vt_node) + VT_ALIGN - 1) / VT_ALIGN * VT_ALIGN)

static inline unsigned long max_ul(unsigned long a, unsigned long b)
{
	return a > b ? a : b;
}

static inline unsigned long min_ul(unsigned long a, unsigned long b)
{
	return a < b ? a : b;
}

static struct vt_node *node_new(bool leaf)
{
	struct vt_node *x = aligned_alloc(VT_ALIGN, VT_NODE_BYTES);

	if (!x)
		abort();
	memset(x, 0, sizeof(*x));
	x->leaf = leaf;
	return x;
}

/*
 * How many of the n ascending keys a[] are <= key (count_le) or < key
 * (count_lt): a binary search whose steps are conditional moves, not
 * branches, so that it costs the same few instructions wherever the
 * answer lies (the linear scans it replaced mispredicted once a level).
 */
static inline int count_le(const unsigned long *a, int n, unsigned long key)
{
	const unsigned long *base = a;

	if (!n)
		return 0;
	while (n > 1) {
		int half = n / 2;

		base = base[half] <= key ? base + half : base;
		n -= half;
	}
	return (int)(base - a) + (*base <= key);
}

static inline int count_lt(const unsigned long *a, int n, unsigned long key)
{
	const unsigned long *base = a;

	if (!n)
		return 0;
	while (n > 1) {
		int half = n / 2;

		base = base[half] < key ? base + half : base;
		n -= half;
	}
	return (int)(base - a) + (*base < key);
}

/* The largest gap between two VMAs inside x's subtree. */
static unsigned long node_gap(const struct vt_node *x)
{
	unsigned long g = 0;
	int n = x->n;

	for (int i = 1; i < n; i++) {
		unsigned long d = x->start[i] - x->end[i - 1];

		g = d > g ? d : g;
	}
	if (!x->leaf)
		for (int i = 0; i < n; i++)
			g = x->gap[i] > g ? x->gap[i] : g;
	return g;
}

/* Where a VMA is in its leaf: a scan of one node's slots. */
static int slot_of(const struct vt_node *x, const void *p)
{
	int i = 0;

	while (x->slot[i] != p)
		i++;
	return i;
}

/* Point entries [from, x->n) of x back at x, where they now are. */
static void adopt_from(struct vt_node *x, int from)
{
	for (int i = from; i < x->n; i++) {
		if (x->leaf) {
			((struct vma *)x->slot[i])->vt_leaf = x;
		} else {
			struct vt_node *c = x->slot[i];

			c->parent = x;
			c->pslot = (unsigned char)i;
		}
	}
}

/*
 * p's largest gap once its entry i has changed from (os, oe, og), where
 * was_max is the largest before, as p's parent keeps it: only the gap of
 * that entry and the two between it and its neighbours can have moved,
 * so p's entries need a scan only when the largest was one of those and
 * none is as large now (mas_update_gap() asks the same of a maple node).
 */
static unsigned long gap_after_entry(const struct vt_node *p, int i,
				     unsigned long os, unsigned long oe,
				     unsigned long og, unsigned long was_max)
{
	unsigned long now = p->gap[i], was = og;

	if (i > 0) {
		now = max_ul(now, p->start[i] - p->end[i - 1]);
		was = max_ul(was, os - p->end[i - 1]);
	}
	if (i + 1 < p->n) {
		now = max_ul(now, p->start[i + 1] - p->end[i]);
		was = max_ul(was, p->start[i + 1] - oe);
	}
	if (now >= was_max)
		return now;
	if (was < was_max)
		return was_max;
	return node_gap(p);
}

/*
 * x changed: bring its entry in its parent up to date, and so on up for
 * as long as something changes.  x's own largest gap is counted afresh;
 * above it, each node's from the one entry that changed.  That needs
 * what a parent keeps of a node (its largest gap) to be true of the
 * node's entries as they are, save those of a node changed since, which
 * must then be fixed up from itself afterwards, with a count afresh: an
 * edit calls fix_up() on every node it changes, after the changes
 * (insert_at() after split_node()), or leaves it to what follows (after
 * take_entry(p), shrink(p) always fixes up from p or from the node p
 * merged into, which corrects what a walk through p counted from its
 * stale entries; vt_erase_into() leaves it to vt_update()).
 */
static void fix_up(struct vt_node *x)
{
	struct vt_node *p;
	unsigned long g;

	if (!x->parent) /* the root: nothing keeps its gap */
		return;
	g = node_gap(x);
	for (; (p = x->parent); x = p) {
		int i = x->pslot;
		unsigned long s = x->start[0], e = x->end[x->n - 1];
		unsigned long os = p->start[i], oe = p->end[i], og = p->gap[i];

		if (os == s && oe == e && og == g)
			return;
		p->start[i] = s;
		p->end[i] = e;
		p->gap[i] = g;
		if (p->parent)
			g = gap_after_entry(p, i, os, oe, og,
					    p->parent->gap[p->pslot]);
	}
}

/* Move entries [from, x->n) of x to the end of y. */
static void move_entries(struct vt_node *x, int from, struct vt_node *y)
{
	int k = x->n - from;

	memcpy(y->start + y->n, x->start + from, (size_t)k * sizeof(long));
	memcpy(y->end + y->n, x->end + from, (size_t)k * sizeof(long));
	memcpy(y->gap + y->n, x->gap + from, (size_t)k * sizeof(long));
	memcpy(y->slot + y->n, x->slot + from, (size_t)k * sizeof(void *));
	y->n = (unsigned char)(y->n + k);
	x->n = (unsigned char)from;
	adopt_from(y, y->n - k);
}

static void put_entry(struct vt_node *x, int pos, unsigned long start,
		      unsigned long end, unsigned long gap, void *p)
{
	/* A few entries each time: a loop, not four calls of memmove()
	 * (and a leaf has no gaps to move). */
	for (int j = x->n; j > pos; j--) {
		x->start[j] = x->start[j - 1];
		x->end[j] = x->end[j - 1];
		x->slot[j] = x->slot[j - 1];
	}
	if (!x->leaf)
		for (int j = x->n; j > pos; j--)
			x->gap[j] = x->gap[j - 1];
	x->start[pos] = start;
	x->end[pos] = end;
	x->gap[pos] = gap;
	x->slot[pos] = p;
	x->n++;
	if (x->leaf)
		((struct vma *)p)->vt_leaf = x;
	else /* the children after pos moved up a slot */
		adopt_from(x, pos);
}

static void insert_at(struct vma_tree *t, struct vt_node *x, int pos,
		      unsigned long start, unsigned long end, unsigned long gap,
		      void *p);

/*
 * x is full: move its upper entries to a new node y just after it.  A
 * node that grows at one end (mappings made in address order, up or
 * down) splits there, so that it stays nearly full rather than half
 * empty: with VT_SLACK entries free, which a later split of a VMA into
 * three (an mprotect or mlock of its middle) fills in place.  Full, as
 * such nodes were, every first split in one split the node too, and at
 * 65,530 VMAs, where each leaf is met rarely, that was about a fifth of
 * all mprotect calls.  Returns y, already in the parent.
 */
static struct vt_node *split_node(struct vma_tree *t, struct vt_node *x,
				  int pos)
{
	struct vt_node *y = node_new(x->leaf);
	int mid = pos == x->n ? x->n - VT_SLACK
		  : pos == 0  ? VT_SLACK
			      : x->n / 2;

	move_entries(x, mid, y);
	if (x->leaf) {
		y->next = x->next;
		if (y->next)
			y->next->prev = y;
		y->prev = x;
		x->next = y;
	}
	if (!x->parent) {
		struct vt_node *root = node_new(false);

		put_entry(root, 0, x->start[0], x->end[x->n - 1], node_gap(x),
			  x);
		t->root = root;
	}
	insert_at(t, x->parent, x->pslot + 1, y->start[0], y->end[y->n - 1],
		  node_gap(y), y);
	return y;
}

/* Put an entry at pos of x, splitting x first if it is full. */
static void insert_at(struct vma_tree *t, struct vt_node *x, int pos,
		      unsigned long start, unsigned long end, unsigned long gap,
		      void *p)
{
	if (x->n == VT_SLOTS) {
		struct vt_node *y = split_node(t, x, pos);

		if (pos > x->n)
			put_entry(y, pos - x->n, start, end, gap, p);
		else
			put_entry(x, pos, start, end, gap, p);
		/* Both halves' entries in the parent may be stale now. */
		fix_up(x);
		fix_up(y);
		return;
	}
	put_entry(x, pos, start, end, gap, p);
	fix_up(x);
}

void vt_init(struct vma_tree *t)
{
	t->root = NULL;
	t->count = 0;
	t->edits = 0;
}

/* The leaf where a VMA starting at start goes, and its place there. */
static struct vt_node *leaf_for(const struct vma_tree *t, unsigned long start,
				int *pos)
{
	struct vt_node *x = t->root;
	int i;

	while (!x->leaf) {
		/* The last child starting at or below start, or the first. */
		i = count_le(x->start, x->n, start);
		x = x->slot[i ? i - 1 : 0];
	}
	*pos = count_lt(x->start, x->n, start);
	return x;
}

void vt_insert(struct vma_tree *t, struct vma *v)
{
	struct vt_node *x;
	int pos;

	t->count++;
	t->edits++;
	if (!t->root) {
		x = t->root = node_new(true);
		put_entry(x, 0, v->vm_start, v->vm_end, 0, v);
		return;
	}
	x = leaf_for(t, v->vm_start, &pos);
	insert_at(t, x, pos, v->vm_start, v->vm_end, 0, v);
}

void vt_split(struct vma_tree *t, struct vma *v, struct vma *new)
{
	struct vt_node *x = v->vt_leaf;
	int i = slot_of(x, v);

	x->start[i] = v->vm_start;
	x->end[i] = v->vm_end;
	t->count++;
	t->edits++;
	insert_at(t, x, new->vm_start < v->vm_start ? i : i + 1, new->vm_start,
		  new->vm_end, 0, new);
}

static void take_entry(struct vt_node *x, int i)
{
	/* As in put_entry(): a loop, and no gaps in a leaf. */
	for (int j = i; j < x->n - 1; j++) {
		x->start[j] = x->start[j + 1];
		x->end[j] = x->end[j + 1];
		x->slot[j] = x->slot[j + 1];
	}
	if (!x->leaf)
		for (int j = i; j < x->n - 1; j++)
			x->gap[j] = x->gap[j + 1];
	x->n--;
	if (!x->leaf)
		adopt_from(x, i);
}

static void unlink_leaf(struct vt_node *x)
{
	if (x->prev)
		x->prev->next = x->next;
	if (x->next)
		x->next->prev = x->prev;
}

/*
 * x lost an entry: free it if empty, merge it into a neighbour if it is
 * nearly so and they fit in one node, and keep the root a real root.
 */
static void shrink(struct vma_tree *t, struct vt_node *x)
{
	struct vt_node *p = x->parent, *l, *r;
	int i;

	if (!p) {
		if (!x->n) {
			t->root = NULL;
			free(x);
		} else if (!x->leaf && x->n == 1) {
			t->root = x->slot[0];
			t->root->parent = NULL;
			free(x);
		}
		return;
	}
	i = x->pslot;
	if (!x->n) {
		if (x->leaf)
			unlink_leaf(x);
		free(x);
		take_entry(p, i);
		shrink(t, p);
		return;
	}
	if (x->n >= VT_MIN || p->n < 2) {
		fix_up(x);
		return;
	}
	l = i + 1 < p->n ? x : p->slot[i - 1];
	r = i + 1 < p->n ? p->slot[i + 1] : x;
	if (l->n + r->n > VT_SLOTS) {
		fix_up(x);
		return;
	}
	move_entries(r, 0, l);
	if (r->leaf) {
		l->next = r->next;
		if (l->next)
			l->next->prev = l;
	}
	take_entry(p, r->pslot);
	free(r);
	fix_up(l);
	shrink(t, p);
}

void vt_erase(struct vma_tree *t, struct vma *v)
{
	struct vt_node *x = v->vt_leaf;

	take_entry(x, slot_of(x, v));
	v->vt_leaf = NULL;
	t->count--;
	t->edits++;
	shrink(t, x);
}

void vt_erase_into(struct vma_tree *t, struct vma *v, const struct vma *keep)
{
	struct vt_node *x = v->vt_leaf;
	int i = slot_of(x, v);

	/* The leaf's extent and its entry count stay as they were: only
	 * its gaps are stale until keep's vt_update() walks up. */
	if (x != keep->vt_leaf || i == 0 || i == x->n - 1 || x->n <= VT_MIN) {
		vt_erase(t, v);
		return;
	}
	take_entry(x, i);
	v->vt_leaf = NULL;
	t->count--;
	t->edits++;
}

void vt_update(struct vma_tree *t, struct vma *v)
{
	struct vt_node *x = v->vt_leaf;
	int i = slot_of(x, v);

	t->edits++;
	x->start[i] = v->vm_start;
	x->end[i] = v->vm_end;
	fix_up(x);
}

static void free_nodes(struct vt_node *x)
{
	if (!x->leaf)
		for (int i = 0; i < x->n; i++)
			free_nodes(x->slot[i]);
	free(x);
}

void vt_destroy(struct vma_tree *t)
{
	unsigned long edits = t->edits + 1;

	if (t->root)
		free_nodes(t->root);
	vt_init(t);
	t->edits = edits;
}

/* Copy x's subtree; *last is the leaf copied before (address order). */
static struct vt_node *clone_nodes(const struct vt_node *x,
				   struct vt_node *parent,
				   struct vt_node **last,
				   struct vma *(*copy)(const struct vma *v,
						       void *arg),
				   void *arg)
{
	struct vt_node *y = node_new(x->leaf);

	memcpy(y, x, sizeof(*y));
	y->parent = parent;
	y->prev = y->next = NULL;
	for (int i = 0; i < x->n; i++) {
		if (x->leaf) {
			struct vma *v = copy(x->slot[i], arg);

			v->vt_leaf = y;
			y->slot[i] = v;
		} else {
			y->slot[i] =
				clone_nodes(x->slot[i], y, last, copy, arg);
		}
	}
	if (y->leaf) {
		y->prev = *last;
		if (*last)
			(*last)->next = y;
		*last = y;
	}
	return y;
}

void vt_clone(struct vma_tree *dst, const struct vma_tree *src,
	      struct vma *(*copy)(const struct vma *v, void *arg), void *arg)
{
	struct vt_node *last = NULL;

	vt_init(dst);
	dst->count = src->count;
	if (src->root)
		dst->root = clone_nodes(src->root, NULL, &last, copy, arg);
}

struct vma *vt_find(const struct vma_tree *t, unsigned long addr)
{
	const struct vt_node *x = t->root;
	int i;

	if (!x)
		return NULL;
	for (;;) {
		/* Ends are in the same order as starts. */
		i = count_le(x->end, x->n, addr);
		if (i == x->n)
			return NULL;
		if (x->leaf)
			return x->slot[i];
		x = x->slot[i];
	}
}

struct vma *vt_lookup(const struct vma_tree *t, unsigned long addr)
{
	struct vma *v = vt_find(t, addr);

	return v && v->vm_start <= addr ? v : NULL;
}

struct vma *vt_find_prev(const struct vma_tree *t, unsigned long addr)
{
	const struct vt_node *x = t->root;
	int i;

	if (!x)
		return NULL;
	for (;;) {
		i = count_lt(x->start, x->n, addr);
		if (!i)
			return NULL;
		if (x->leaf)
			return x->slot[i - 1];
		x = x->slot[i - 1];
	}
}

struct vma *vt_first(const struct vma_tree *t)
{
	const struct vt_node *x = t->root;

	if (!x)
		return NULL;
	while (!x->leaf)
		x = x->slot[0];
	return x->slot[0];
}

struct vma *vt_last(const struct vma_tree *t)
{
	const struct vt_node *x = t->root;

	if (!x)
		return NULL;
	while (!x->leaf)
		x = x->slot[x->n - 1];
	return x->slot[x->n - 1];
}

struct vma *vt_next(const struct vma *v)
{
	const struct vt_node *x = v->vt_leaf;
	int i = slot_of(x, v);

	if (i + 1 < x->n)
		return x->slot[i + 1];
	return x->next ? x->next->slot[0] : NULL;
}

struct vma *vt_prev(const struct vma *v)
{
	const struct vt_node *x = v->vt_leaf;
	int i = slot_of(x, v);

	if (i > 0)
		return x->slot[i - 1];
	return x->prev ? x->prev->slot[x->prev->n - 1] : NULL;
}

/*
 * Gap search.  A subtree is searched together with its bounds: prev_end,
 * the vm_end of the VMA just before it (0 if none), and next_start, the
 * vm_start of the VMA just after it (ULONG_MAX if none).  Its gaps are
 * then the one from prev_end to its first VMA, the ones inside it (the
 * largest is kept for it) and the one from its last VMA to next_start.
 * The gap between two neighbouring subtrees is the last of one and the
 * first of the other: the searches meet it once from each side, which
 * changes nothing, as they meet it in address order both times.
 */
struct gap_query {
	unsigned long low, high, len;
	unsigned long start, end; /* the answer */
};

/*
 * Does [gs, ge), clipped to [low, high), hold len bytes?  With len == 0 an
 * empty clipped gap counts as long as it does not lie outside [low, high],
 * so the answer is then the gap at the highest (or lowest) point of
 * [low, high] that is not strictly inside a VMA: possibly an empty one
 * where two VMAs touch.
 */
static bool gap_fits(struct gap_query *q, unsigned long gs, unsigned long ge)
{
	unsigned long s = max_ul(gs, q->low), e = min_ul(ge, q->high);

	if (s > e || e - s < q->len)
		return false;
	q->start = s;
	q->end = e;
	return true;
}

/*
 * Can the subtree x, bounded by prev_end and next_start, with inner gaps
 * of at most gap, hold an answer?  If it lies wholly outside [low, high],
 * or even its largest gap is too short before any clipping, there is no
 * point in descending into it.
 *
 * This is what makes the search O(log n): a subtree wholly inside
 * [low, high) that passes is certain to hold an answer, so the search only
 * backtracks out of subtrees that straddle low or high, and those lie on
 * two root-to-leaf paths.
 */
static bool may_fit(const struct gap_query *q, const struct vt_node *x,
		    unsigned long gap, unsigned long prev_end,
		    unsigned long next_start)
{
	unsigned long largest;

	if (next_start < q->low || prev_end > q->high)
		return false;
	largest = max_ul(gap, x->start[0] - prev_end);
	largest = max_ul(largest, next_start - x->end[x->n - 1]);
	return largest >= q->len;
}

/* Might child i of x, bounded by lo and hi, hold an answer? */
static inline bool child_may_fit(const struct gap_query *q,
				 const struct vt_node *x, int i,
				 unsigned long lo, unsigned long hi)
{
	if (hi < q->low || lo > q->high)
		return false;
	return x->gap[i] >= q->len || x->start[i] - lo >= q->len ||
	       hi - x->end[i] >= q->len;
}

/* x has passed may_fit() (or child_may_fit() in its parent). */
static bool search_rev(struct gap_query *q, const struct vt_node *x,
		       unsigned long prev_end, unsigned long next_start)
{
	for (int i = x->n - 1; i >= 0; i--) {
		unsigned long lo = i ? x->end[i - 1] : prev_end;
		unsigned long hi = i + 1 < x->n ? x->start[i + 1] : next_start;

		if (!x->leaf) {
			if (child_may_fit(q, x, i, lo, hi) &&
			    search_rev(q, x->slot[i], lo, hi))
				return true;
		} else if (gap_fits(q, x->end[i], hi) ||
			   (!i && gap_fits(q, lo, x->start[0]))) {
			return true;
		}
	}
	return false;
}

static bool search_fwd(struct gap_query *q, const struct vt_node *x,
		       unsigned long prev_end, unsigned long next_start)
{
	for (int i = 0; i < x->n; i++) {
		unsigned long lo = i ? x->end[i - 1] : prev_end;
		unsigned long hi = i + 1 < x->n ? x->start[i + 1] : next_start;

		if (!x->leaf) {
			if (child_may_fit(q, x, i, lo, hi) &&
			    search_fwd(q, x->slot[i], lo, hi))
				return true;
		} else if (gap_fits(q, lo, x->start[i]) ||
			   (i + 1 == x->n && gap_fits(q, x->end[i], hi))) {
			return true;
		}
	}
	return false;
}

static bool gap_search(const struct vma_tree *t, bool rev, unsigned long low,
		       unsigned long high, unsigned long len,
		       unsigned long *gap_start, unsigned long *gap_end)
{
	struct gap_query q = {.low = low, .high = high, .len = len};
	const struct vt_node *r = t->root;
	bool found;

	if (low > high)
		return false;
	if (!r)
		found = gap_fits(&q, 0, ULONG_MAX);
	else if (!may_fit(&q, r, node_gap(r), 0, ULONG_MAX))
		found = false;
	else if (rev)
		found = search_rev(&q, r, 0, ULONG_MAX);
	else
		found = search_fwd(&q, r, 0, ULONG_MAX);
	if (!found)
		return false;
	*gap_start = q.start;
	*gap_end = q.end;
	return true;
}

bool vt_gap_rev(const struct vma_tree *t, unsigned long low, unsigned long high,
		unsigned long len, unsigned long *gap_start,
		unsigned long *gap_end)
{
	return gap_search(t, true, low, high, len, gap_start, gap_end);
}

bool vt_gap_fwd(const struct vma_tree *t, unsigned long low, unsigned long high,
		unsigned long len, unsigned long *gap_start,
		unsigned long *gap_end)
{
	return gap_search(t, false, low, high, len, gap_start, gap_end);
}

static void count_nodes(const struct vt_node *x, struct vt_stats *st)
{
	st->nodes++;
	if (!x->leaf)
		for (int i = 0; i < x->n; i++)
			count_nodes(x->slot[i], st);
}

void vt_stats(const struct vma_tree *t, struct vt_stats *st)
{
	const struct vt_node *x = t->root;

	memset(st, 0, sizeof(*st));
	if (!x)
		return;
	st->start = x->start[0];
	st->end = x->end[x->n - 1];
	st->gap = node_gap(x);
	for (; !x->leaf; x = x->slot[0])
		st->depth++;
	count_nodes(t->root, st);
	st->bytes = st->nodes * VT_NODE_BYTES;
}

/*
 * Checking.  check_node() verifies a subtree: every node but the root
 * holds entries, in order and apart, each leaf entry's range is its VMA's
 * and the VMA points back at the leaf, each inner entry's range and gap
 * are its child's, every leaf is at the same depth, and the leaves are
 * linked in order.  Returns false at the first fault.
 */
struct check_state {
	unsigned long seen, limit;
	int leaf_depth;
	const struct vt_node *last_leaf;
	unsigned long last_end;
};

static bool check_node(struct check_state *cs, const struct vt_node *x,
		       const struct vt_node *parent, int depth)
{
	if (!x || x->parent != parent || depth > VT_MAX_DEPTH || !x->n ||
	    x->n > VT_SLOTS)
		return false;
	for (int i = 0; i < x->n; i++) {
		if (x->start[i] >= x->end[i] || x->start[i] < cs->last_end)
			return false;
		if (x->leaf) {
			const struct vma *v = x->slot[i];

			/* More VMAs than count: a cycle or a miscount. */
			if (++cs->seen > cs->limit || v->vt_leaf != x ||
			    v->vm_start != x->start[i] ||
			    v->vm_end != x->end[i])
				return false;
			cs->last_end = x->end[i];
		} else {
			const struct vt_node *c = x->slot[i];

			if (c->pslot != i || !check_node(cs, c, x, depth + 1) ||
			    x->start[i] != c->start[0] ||
			    x->end[i] != c->end[c->n - 1] ||
			    x->gap[i] != node_gap(c))
				return false;
		}
	}
	if (x->leaf) {
		if (cs->leaf_depth < 0)
			cs->leaf_depth = depth;
		if (depth != cs->leaf_depth || x->prev != cs->last_leaf ||
		    (cs->last_leaf && cs->last_leaf->next != x))
			return false;
		cs->last_leaf = x;
	}
	return true;
}

bool vt_check(const struct vma_tree *t)
{
	struct check_state cs = {.limit = t->count, .leaf_depth = -1};

	if (!t->root)
		return t->count == 0;
	if (!check_node(&cs, t->root, NULL, 0) || cs.last_leaf->next)
		return false;
	return cs.seen == t->count;
}
