/*
 * tree.c - the mm's VMA tree: an intrusive AVL tree keyed by vm_start.
 *
 * It stands in for the kernel's maple tree (mm->mm_mt).  Each VMA embeds its
 * node, so the tree allocates nothing and a node converts to its VMA by a
 * cast.  VMAs never overlap, so the in-order walk is sorted by vm_start and
 * by vm_end alike.
 *
 * Every node is augmented with the extent of its subtree (sub_start,
 * sub_end) and the largest gap between two consecutive VMAs inside it
 * (sub_gap).  That lets the gap searches behind get_unmapped_area() skip a
 * whole subtree whose gaps are all too small, so they are O(log n) like
 * mas_empty_area() and mas_empty_area_rev().
 *
 * The free space before the first VMA starts at 0 and the free space after
 * the last one runs to ULONG_MAX: the searches treat both as ordinary gaps
 * by giving the whole tree the bounds [0, ULONG_MAX].
 */
#include <limits.h>
#include <stddef.h>

#include "tree.h"

_Static_assert(offsetof(struct vma, node) == 0,
	       "struct vma must start with its vma_node");

/*
 * The node is the first member of struct vma, so the two pointers are the
 * same address.  The lookups take a const tree but hand back writable VMAs
 * (as find_vma() does), hence the const-dropping cast here and only here.
 */
static inline struct vma *vma_of(const struct vma_node *n)
{
	return (struct vma *)n;
}

static inline unsigned long max_ul(unsigned long a, unsigned long b)
{
	return a > b ? a : b;
}

static inline unsigned long min_ul(unsigned long a, unsigned long b)
{
	return a < b ? a : b;
}

static inline int height(const struct vma_node *n)
{
	return n ? n->height : 0;
}

/*
 * Recompute n's augmented fields from its own VMA and its children, which
 * must already be correct.  Gaps only ever subtract a lower address from a
 * higher one, so none of this can wrap.
 */
static void augment(struct vma_node *n)
{
	const struct vma *v = vma_of(n);
	const struct vma_node *l = n->left, *r = n->right;
	unsigned long gap = 0;

	n->sub_start = v->vm_start;
	n->sub_end = v->vm_end;
	if (l) {
		n->sub_start = l->sub_start;
		gap = max_ul(l->sub_gap, v->vm_start - l->sub_end);
	}
	if (r) {
		n->sub_end = r->sub_end;
		gap = max_ul(gap, max_ul(r->sub_gap, r->sub_start - v->vm_end));
	}
	n->sub_gap = gap;
}

static void update(struct vma_node *n)
{
	int hl = height(n->left), hr = height(n->right);

	n->height = 1 + (hl > hr ? hl : hr);
	augment(n);
}

/* Point whatever held old (parent's link or the root) at new instead. */
static void replace_child(struct vma_tree *t, struct vma_node *parent,
			  struct vma_node *old, struct vma_node *new)
{
	if (!parent)
		t->root = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
}

/*
 * Rotations move whole subtrees, so the set of VMAs below x and y changes:
 * both are recomputed, lower one (x) first.
 */
static struct vma_node *rotate_left(struct vma_tree *t, struct vma_node *x)
{
	struct vma_node *y = x->right;

	x->right = y->left;
	if (y->left)
		y->left->parent = x;
	y->parent = x->parent;
	replace_child(t, x->parent, x, y);
	y->left = x;
	x->parent = y;
	update(x);
	update(y);
	return y;
}

static struct vma_node *rotate_right(struct vma_tree *t, struct vma_node *x)
{
	struct vma_node *y = x->left;

	x->left = y->right;
	if (y->right)
		y->right->parent = x;
	y->parent = x->parent;
	replace_child(t, x->parent, x, y);
	y->right = x;
	x->parent = y;
	update(x);
	update(y);
	return y;
}

/*
 * Recompute n and restore the AVL property at n, whose children are valid
 * AVL trees differing in height by at most 2.  Returns the root of what was
 * n's subtree.
 */
static struct vma_node *rebalance(struct vma_tree *t, struct vma_node *n)
{
	int bf = height(n->left) - height(n->right);

	if (bf > 1) {
		if (height(n->left->left) < height(n->left->right))
			rotate_left(t, n->left);
		return rotate_right(t, n);
	}
	if (bf < -1) {
		if (height(n->right->right) < height(n->right->left))
			rotate_right(t, n->right);
		return rotate_left(t, n);
	}
	update(n);
	return n;
}

/*
 * Walk from n to the root, rebalancing.  This cannot stop early when a
 * height stops changing, as a plain AVL tree would: every ancestor's
 * sub_start/sub_end/sub_gap may still be stale.  The path is O(log n) long.
 */
static void fix_upwards(struct vma_tree *t, struct vma_node *n)
{
	while (n) {
		n = rebalance(t, n);
		n = n->parent;
	}
}

void vt_init(struct vma_tree *t)
{
	t->root = NULL;
	t->count = 0;
}

void vt_insert(struct vma_tree *t, struct vma *v)
{
	struct vma_node *n = &v->node, *parent = NULL;
	struct vma_node **link = &t->root;

	while (*link) {
		parent = *link;
		if (v->vm_start < vma_of(parent)->vm_start)
			link = &parent->left;
		else
			link = &parent->right;
	}
	n->left = n->right = NULL;
	n->parent = parent;
	n->height = 1;
	*link = n;
	t->count++;
	fix_upwards(t, n);
}

static struct vma_node *leftmost(struct vma_node *n)
{
	while (n->left)
		n = n->left;
	return n;
}

static struct vma_node *rightmost(struct vma_node *n)
{
	while (n->right)
		n = n->right;
	return n;
}

/*
 * Unlink n, which has two children, by moving its in-order successor s into
 * its place.  The nodes are embedded in VMAs, so the kernel's trick of
 * copying the successor's key into n is not available: s itself must be
 * relinked.  Returns the lowest node whose subtree changed.
 */
static struct vma_node *erase_two_children(struct vma_tree *t,
					   struct vma_node *n)
{
	struct vma_node *s = leftmost(n->right);
	struct vma_node *fix = s;

	if (s->parent != n) {
		/* s has no left child; its right child takes its place. */
		fix = s->parent;
		fix->left = s->right;
		if (s->right)
			s->right->parent = fix;
		s->right = n->right;
		s->right->parent = s;
	}
	s->left = n->left;
	s->left->parent = s;
	s->parent = n->parent;
	replace_child(t, n->parent, n, s);
	return fix;
}

void vt_erase(struct vma_tree *t, struct vma *v)
{
	struct vma_node *n = &v->node, *fix;

	if (n->left && n->right) {
		fix = erase_two_children(t, n);
	} else {
		struct vma_node *child = n->left ? n->left : n->right;

		if (child)
			child->parent = n->parent;
		replace_child(t, n->parent, n, child);
		fix = n->parent;
	}
	t->count--;
	fix_upwards(t, fix);
	n->left = n->right = n->parent = NULL;
	n->height = 0;
}

/*
 * The shape is unchanged, so no rotation is needed; only the augmented
 * fields on the path to the root can be stale.
 */
void vt_update(struct vma_tree *t, struct vma *v)
{
	struct vma_node *n;

	(void)t;
	for (n = &v->node; n; n = n->parent)
		augment(n);
}

struct vma *vt_find(const struct vma_tree *t, unsigned long addr)
{
	const struct vma_node *n = t->root, *best = NULL;

	/* Ends are in the same order as starts, so this is a plain descent. */
	while (n) {
		if (vma_of(n)->vm_end > addr) {
			best = n;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return best ? vma_of(best) : NULL;
}

struct vma *vt_lookup(const struct vma_tree *t, unsigned long addr)
{
	struct vma *v = vt_find(t, addr);

	return v && v->vm_start <= addr ? v : NULL;
}

struct vma *vt_find_prev(const struct vma_tree *t, unsigned long addr)
{
	const struct vma_node *n = t->root, *best = NULL;

	while (n) {
		if (vma_of(n)->vm_start < addr) {
			best = n;
			n = n->right;
		} else {
			n = n->left;
		}
	}
	return best ? vma_of(best) : NULL;
}

struct vma *vt_first(const struct vma_tree *t)
{
	return t->root ? vma_of(leftmost(t->root)) : NULL;
}

struct vma *vt_last(const struct vma_tree *t)
{
	return t->root ? vma_of(rightmost(t->root)) : NULL;
}

struct vma *vt_next(const struct vma *v)
{
	const struct vma_node *n = &v->node;

	if (n->right)
		return vma_of(leftmost(n->right));
	/* Climb until we leave a left subtree: that parent comes next. */
	while (n->parent && n->parent->right == n)
		n = n->parent;
	return n->parent ? vma_of(n->parent) : NULL;
}

struct vma *vt_prev(const struct vma *v)
{
	const struct vma_node *n = &v->node;

	if (n->left)
		return vma_of(rightmost(n->left));
	while (n->parent && n->parent->left == n)
		n = n->parent;
	return n->parent ? vma_of(n->parent) : NULL;
}

/*
 * Gap search.  A subtree is searched together with its bounds: prev_end, the
 * vm_end of the VMA just before it (0 if none), and next_start, the vm_start
 * of the VMA just after it (ULONG_MAX if none).  Its gaps are then the one
 * from prev_end to its first VMA, the ones inside it (sub_gap covers those)
 * and the one from its last VMA to next_start.  An empty subtree is the
 * single gap [prev_end, next_start).  Every gap of the tree belongs to
 * exactly one empty subtree, which is where it is finally tested.
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
 * Can the subtree n, bounded by prev_end and next_start, hold an answer?
 * If it lies wholly outside [low, high], or even its largest gap is too
 * short before any clipping, there is no point in descending into it.
 *
 * This is what makes the search O(log n): a subtree wholly inside
 * [low, high) that passes is certain to hold an answer, so the search only
 * backtracks out of subtrees that straddle low or high, and those lie on
 * two root-to-leaf paths.
 */
static bool may_fit(const struct gap_query *q, const struct vma_node *n,
		    unsigned long prev_end, unsigned long next_start)
{
	unsigned long largest;

	if (next_start < q->low || prev_end > q->high)
		return false;
	largest = max_ul(n->sub_gap, n->sub_start - prev_end);
	largest = max_ul(largest, next_start - n->sub_end);
	return largest >= q->len;
}

static bool search_rev(struct gap_query *q, const struct vma_node *n,
		       unsigned long prev_end, unsigned long next_start)
{
	const struct vma *v;

	if (!n)
		return gap_fits(q, prev_end, next_start);
	if (!may_fit(q, n, prev_end, next_start))
		return false;
	v = vma_of(n);
	return search_rev(q, n->right, v->vm_end, next_start) ||
	       search_rev(q, n->left, prev_end, v->vm_start);
}

static bool search_fwd(struct gap_query *q, const struct vma_node *n,
		       unsigned long prev_end, unsigned long next_start)
{
	const struct vma *v;

	if (!n)
		return gap_fits(q, prev_end, next_start);
	if (!may_fit(q, n, prev_end, next_start))
		return false;
	v = vma_of(n);
	return search_fwd(q, n->left, prev_end, v->vm_start) ||
	       search_fwd(q, n->right, v->vm_end, next_start);
}

/*
 * Both searches recurse, but only as deep as the tree is high: an AVL tree
 * of 2^64 nodes is under 93 levels.
 */
bool vt_gap_rev(const struct vma_tree *t, unsigned long low, unsigned long high,
		unsigned long len, unsigned long *gap_start,
		unsigned long *gap_end)
{
	struct gap_query q = {.low = low, .high = high, .len = len};

	if (low > high || !search_rev(&q, t->root, 0, ULONG_MAX))
		return false;
	*gap_start = q.start;
	*gap_end = q.end;
	return true;
}

bool vt_gap_fwd(const struct vma_tree *t, unsigned long low, unsigned long high,
		unsigned long len, unsigned long *gap_start,
		unsigned long *gap_end)
{
	struct gap_query q = {.low = low, .high = high, .len = len};

	if (low > high || !search_fwd(&q, t->root, 0, ULONG_MAX))
		return false;
	*gap_start = q.start;
	*gap_end = q.end;
	return true;
}

/*
 * Checking.  check_node() verifies a subtree bottom-up, so when it looks at
 * n its children's augmented fields are already known to be right and n's
 * can be checked against them alone.  Returns the subtree's height, or -1.
 */
struct check_state {
	unsigned long seen, limit;
	int depth;
};

/*
 * An AVL tree of n nodes is under 1.45 log2(n + 2) high, so no valid tree
 * with 64-bit addresses is deeper than this.  A deeper one is corrupt, and
 * stopping there keeps the recursion off the end of the stack.
 */
#define VT_MAX_DEPTH 96

static bool node_fields_ok(const struct vma_node *n)
{
	const struct vma *v = vma_of(n);
	const struct vma_node *l = n->left, *r = n->right;
	unsigned long gap = 0;

	if (v->vm_start >= v->vm_end)
		return false;
	/* Order and non-overlap, given that the children are sorted. */
	if (l && l->sub_end > v->vm_start)
		return false;
	if (r && r->sub_start < v->vm_end)
		return false;
	if (n->sub_start != (l ? l->sub_start : v->vm_start))
		return false;
	if (n->sub_end != (r ? r->sub_end : v->vm_end))
		return false;
	if (l)
		gap = max_ul(l->sub_gap, v->vm_start - l->sub_end);
	if (r)
		gap = max_ul(gap, max_ul(r->sub_gap, r->sub_start - v->vm_end));
	return n->sub_gap == gap;
}

static int check_node(struct check_state *cs, const struct vma_node *n,
		      const struct vma_node *parent)
{
	int hl, hr;

	if (!n)
		return 0;
	/* More nodes than count: a cycle or a miscount, stop either way. */
	if (n->parent != parent || ++cs->seen > cs->limit)
		return -1;
	if (++cs->depth > VT_MAX_DEPTH)
		return -1;
	hl = check_node(cs, n->left, n);
	hr = hl < 0 ? -1 : check_node(cs, n->right, n);
	cs->depth--;
	if (hl < 0 || hr < 0)
		return -1;
	if (hl - hr > 1 || hr - hl > 1)
		return -1;
	if (n->height != 1 + (hl > hr ? hl : hr))
		return -1;
	return node_fields_ok(n) ? n->height : -1;
}

bool vt_check(const struct vma_tree *t)
{
	struct check_state cs = {.seen = 0, .limit = t->count, .depth = 0};

	if (check_node(&cs, t->root, NULL) < 0)
		return false;
	return cs.seen == t->count;
}
