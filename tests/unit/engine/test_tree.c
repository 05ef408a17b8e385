/*
 * test_tree.c - unit tests for engine/tree.c, the B-tree of VMAs.
 *
 * The hand-written tests pin down the cases that are easy to get subtly
 * wrong (erases that empty, merge and collapse nodes, splits in one edit,
 * clipping of gaps at low and high, the free space before the first and
 * after the last VMA).  The randomized test then
 * runs thousands of inserts, erases and in-place resizes and, after every
 * one, compares each query against a sorted array searched by brute force,
 * so a stale augmented field shows up as a wrong gap even if vt_check()
 * itself were to miss it.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#include "harness.h"
#include "tree.h"

#define P(n) ((unsigned long)(n)*PAGE_SIZE)

static struct vma *new_vma(unsigned long start, unsigned long end)
{
	struct vma *v = calloc(1, sizeof(*v));

	if (!v)
		abort();
	v->vm_start = start;
	v->vm_end = end;
	return v;
}

/* splitmix64: a fixed seed gives the same run on every machine. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned long rng_below(uint64_t *s, unsigned long n)
{
	return (unsigned long)(rng_next(s) % n);
}

/* Walk t in order and compare it with want[0..n). */
static bool tree_is(const struct vma_tree *t, struct vma *const *want, size_t n)
{
	struct vma *v;
	size_t i = 0;

	if (t->count != n || !vt_check(t))
		return false;
	vt_for_each(t, v)
	{
		if (i >= n || v != want[i++])
			return false;
	}
	if (i != n)
		return false;
	/* And backwards, which takes the other branch of every step. */
	for (v = vt_last(t); v; v = vt_prev(v)) {
		if (i == 0 || v != want[--i])
			return false;
	}
	return i == 0;
}

/* Erase and free every VMA still in t. */
static void free_all(struct vma_tree *t)
{
	struct vma *v;

	while ((v = vt_first(t))) {
		vt_erase(t, v);
		free(v);
	}
}

TEST(empty)
{
	struct vma_tree t;
	unsigned long gs = 1, ge = 1;

	vt_init(&t);
	ASSERT_TRUE(vt_check(&t));
	ASSERT_TRUE(vt_find(&t, 0) == NULL);
	ASSERT_TRUE(vt_lookup(&t, P(5)) == NULL);
	ASSERT_TRUE(vt_find_prev(&t, ULONG_MAX) == NULL);
	ASSERT_TRUE(vt_first(&t) == NULL);
	ASSERT_TRUE(vt_last(&t) == NULL);
	/* The whole address space is one gap. */
	ASSERT_TRUE(vt_gap_rev(&t, P(1), P(5), P(4), &gs, &ge));
	ASSERT_EQ(gs, P(1));
	ASSERT_EQ(ge, P(5));
	ASSERT_TRUE(vt_gap_fwd(&t, 0, ULONG_MAX, ULONG_MAX, &gs, &ge));
	ASSERT_EQ(gs, 0);
	ASSERT_EQ(ge, ULONG_MAX);
	ASSERT_FALSE(vt_gap_rev(&t, P(1), P(5), P(4) + 1, &gs, &ge));
	ASSERT_FALSE(vt_gap_fwd(&t, P(5), P(1), 0, &gs, &ge));
	return true;
}

TEST(basic_queries)
{
	struct vt_stats st;
	struct vma_tree t;
	struct vma *a = new_vma(P(10), P(20));
	struct vma *b = new_vma(P(20), P(25)); /* adjacent to a */
	struct vma *c = new_vma(P(40), P(50));
	struct vma *want[] = {a, b, c};

	vt_init(&t);
	vt_insert(&t, c);
	vt_insert(&t, a);
	vt_insert(&t, b);
	ASSERT_TRUE(tree_is(&t, want, 3));
	ASSERT_TRUE(vt_first(&t) == a);
	ASSERT_TRUE(vt_last(&t) == c);
	ASSERT_TRUE(vt_next(a) == b);
	ASSERT_TRUE(vt_next(c) == NULL);
	ASSERT_TRUE(vt_prev(a) == NULL);
	ASSERT_TRUE(vt_prev(c) == b);

	/* find_vma(): the first VMA ending above addr. */
	ASSERT_TRUE(vt_find(&t, 0) == a);
	ASSERT_TRUE(vt_find(&t, P(10)) == a);
	ASSERT_TRUE(vt_find(&t, P(20) - 1) == a);
	ASSERT_TRUE(vt_find(&t, P(20)) == b);
	ASSERT_TRUE(vt_find(&t, P(30)) == c);
	ASSERT_TRUE(vt_find(&t, P(50) - 1) == c);
	ASSERT_TRUE(vt_find(&t, P(50)) == NULL);

	ASSERT_TRUE(vt_lookup(&t, P(10) - 1) == NULL);
	ASSERT_TRUE(vt_lookup(&t, P(10)) == a);
	ASSERT_TRUE(vt_lookup(&t, P(20)) == b);
	ASSERT_TRUE(vt_lookup(&t, P(25)) == NULL);
	ASSERT_TRUE(vt_lookup(&t, P(45)) == c);
	ASSERT_TRUE(vt_lookup(&t, ULONG_MAX) == NULL);

	/* The last VMA starting strictly below addr. */
	ASSERT_TRUE(vt_find_prev(&t, P(10)) == NULL);
	ASSERT_TRUE(vt_find_prev(&t, P(10) + 1) == a);
	ASSERT_TRUE(vt_find_prev(&t, P(20)) == a);
	ASSERT_TRUE(vt_find_prev(&t, P(40)) == b);
	ASSERT_TRUE(vt_find_prev(&t, ULONG_MAX) == c);

	/* Augmentation at the root covers the whole tree. */
	vt_stats(&t, &st);
	ASSERT_EQ(st.start, P(10));
	ASSERT_EQ(st.end, P(50));
	ASSERT_EQ(st.gap, P(15));
	free_all(&t);
	ASSERT_EQ(t.count, 0);
	ASSERT_TRUE(t.root == NULL);
	return true;
}

/* v[1..15], 5 pages each, 5 pages apart: one leaf. */
static void build_15(struct vma_tree *t, struct vma **v)
{
	vt_init(t);
	for (int i = 1; i <= 15; i++) {
		v[i] = new_vma(P(10 * i), P(10 * i + 5));
		vt_insert(t, v[i]);
	}
}

/* Check t holds v[0..n) minus those flagged in gone[]. */
static bool tree_is_rest(const struct vma_tree *t, struct vma **v,
			 const bool *gone, int n)
{
	struct vma **want = calloc((size_t)n, sizeof(*want));
	size_t k = 0;
	bool ok;

	for (int i = 0; i < n; i++)
		if (!gone[i])
			want[k++] = v[i];
	ok = tree_is(t, want, k);
	free(want);
	return ok;
}

/*
 * Erases in every pattern that empties, merges and collapses nodes: from
 * the front, from the back, every third, a block in the middle, and the
 * rest in a scattered order, checking the whole tree after each.
 */
TEST(erase_shapes)
{
	enum { N = 600 };
	struct vma_tree t;
	struct vma *v[N];
	bool gone[N] = {false};
	struct vt_stats st;
	uint64_t seed = 3;
	int left = N;

	vt_init(&t);
	/* Out of order, so that nodes are part full. */
	for (int i = 0; i < N; i++) {
		int k = (i * 7) % N;

		v[k] = new_vma(P(10 * k), P(10 * k + 5));
	}
	for (int i = 0; i < N; i++)
		vt_insert(&t, v[(i * 7) % N]);
	ASSERT_TRUE(tree_is_rest(&t, v, gone, N));
	vt_stats(&t, &st);
	ASSERT_TRUE(st.depth >= 2);
#define ERASE(k)                                           \
	do {                                               \
		vt_erase(&t, v[k]);                        \
		gone[k] = true;                            \
		left--;                                    \
		ASSERT_TRUE(tree_is_rest(&t, v, gone, N)); \
	} while (0)
	for (int k = 0; k < 40; k++)
		ERASE(k);
	for (int k = N - 1; k >= N - 40; k--)
		ERASE(k);
	for (int k = 40; k < N - 40; k += 3)
		ERASE(k);
	for (int k = 250; k < 350; k++)
		if (!gone[k])
			ERASE(k);
	while (left) {
		int k = (int)rng_below(&seed, N);

		if (!gone[k])
			ERASE(k);
	}
#undef ERASE
	ASSERT_TRUE(t.root == NULL);
	ASSERT_EQ(t.count, 0);
	for (int i = 0; i < N; i++)
		free(v[i]);
	return true;
}

/* __split_vma's one edit, below and above, into full and part full leaves. */
TEST(split_in_one_edit)
{
	enum { N = 64 };
	struct vma_tree t;
	struct vma *v[N], *want[2 * N];
	size_t n = 0;

	vt_init(&t);
	for (int i = 0; i < N; i++) {
		v[i] = new_vma(P(10 * i), P(10 * i + 8));
		vt_insert(&t, v[i]);
	}
	for (int i = 0; i < N; i++) {
		struct vma *nw;

		if (i % 2) {
			nw = new_vma(P(10 * i), P(10 * i + 3));
			v[i]->vm_start = P(10 * i + 3);
			vt_split(&t, v[i], nw);
			want[n++] = nw;
			want[n++] = v[i];
		} else {
			nw = new_vma(P(10 * i + 6), P(10 * i + 8));
			v[i]->vm_end = P(10 * i + 6);
			vt_split(&t, v[i], nw);
			want[n++] = v[i];
			want[n++] = nw;
		}
		ASSERT_TRUE(vt_check(&t));
	}
	ASSERT_TRUE(tree_is(&t, want, n));
	ASSERT_TRUE(vt_prev(want[1]) == want[0]);
	ASSERT_TRUE(vt_next(want[2 * N - 2]) == want[2 * N - 1]);
	free_all(&t);
	return true;
}

TEST(update_in_place)
{
	struct vt_stats st;
	struct vma_tree t;
	struct vma *v[16];
	unsigned long gs, ge;

	build_15(&t, v);
	/* All gaps are 5 pages; there is none of 6 below 150 pages. */
	vt_stats(&t, &st);
	ASSERT_EQ(st.gap, P(5));
	ASSERT_FALSE(vt_gap_rev(&t, P(10), P(150), P(6), &gs, &ge));

	/* Shrink v[3] from the top: gap 35..40 grows to 33..40. */
	v[3]->vm_end = P(33);
	ASSERT_FALSE(vt_check(&t)); /* stale until vt_update() */
	vt_update(&t, v[3]);
	ASSERT_TRUE(vt_check(&t));
	vt_stats(&t, &st);
	ASSERT_EQ(st.gap, P(7));
	ASSERT_TRUE(vt_gap_rev(&t, P(10), P(150), P(6), &gs, &ge));
	ASSERT_EQ(gs, P(33));
	ASSERT_EQ(ge, P(40));

	/* Shrink v[8] from below: gap 75..80 becomes 75..82. */
	v[8]->vm_start = P(82);
	vt_update(&t, v[8]);
	ASSERT_TRUE(vt_check(&t));
	ASSERT_TRUE(vt_gap_rev(&t, P(10), P(150), P(7), &gs, &ge));
	ASSERT_EQ(gs, P(75));
	ASSERT_EQ(ge, P(82));
	ASSERT_TRUE(vt_gap_fwd(&t, P(10), P(150), P(7), &gs, &ge));
	ASSERT_EQ(gs, P(33));
	ASSERT_EQ(ge, P(40));

	/* Grow both back and past: v[3] up to v[4], v[8] down to v[7]. */
	v[3]->vm_end = P(40);
	vt_update(&t, v[3]);
	v[8]->vm_start = P(75);
	vt_update(&t, v[8]);
	ASSERT_TRUE(vt_check(&t));
	ASSERT_FALSE(vt_gap_fwd(&t, P(10), P(150), P(6), &gs, &ge));
	ASSERT_TRUE(vt_lookup(&t, P(37)) == v[3]);
	ASSERT_TRUE(vt_lookup(&t, P(75)) == v[8]);
	ASSERT_TRUE(vt_find(&t, P(74)) == v[7]);

	/* Grow the last VMA: the tree's extent moves with it. */
	v[15]->vm_end = P(200);
	vt_update(&t, v[15]);
	ASSERT_TRUE(vt_check(&t));
	vt_stats(&t, &st);
	ASSERT_EQ(st.end, P(200));
	ASSERT_TRUE(vt_gap_fwd(&t, P(150), ULONG_MAX, P(1), &gs, &ge));
	ASSERT_EQ(gs, P(200));
	ASSERT_EQ(ge, ULONG_MAX);
	free_all(&t);
	return true;
}

/*
 * The layout of the gap tests:
 *
 *   [0, 16)  A [16, 32)  [32, 48)  B [48, 56)  [56, 64)  C [64, 80)  [80, ...
 *   64K gap               64K gap               32K gap              end gap
 *
 * (in pages of 4K, i.e. 0x10000 .. 0x50000 in bytes)
 */
static void build_gaps(struct vma_tree *t, struct vma **v)
{
	vt_init(t);
	v[0] = new_vma(0x10000, 0x20000);
	v[1] = new_vma(0x30000, 0x38000);
	v[2] = new_vma(0x40000, 0x50000);
	for (int i = 2; i >= 0; i--)
		vt_insert(t, v[i]);
}

#define ASSERT_GAP(fn, low, high, len, want_s, want_e)         \
	do {                                                   \
		unsigned long _s = 0, _e = 0;                  \
		ASSERT_TRUE(fn(&t, low, high, len, &_s, &_e)); \
		ASSERT_EQ(_s, want_s);                         \
		ASSERT_EQ(_e, want_e);                         \
	} while (0)
#define ASSERT_NO_GAP(fn, low, high, len)                       \
	do {                                                    \
		unsigned long _s, _e;                           \
		ASSERT_FALSE(fn(&t, low, high, len, &_s, &_e)); \
	} while (0)

TEST(gap_rev)
{
	struct vma_tree t;
	struct vma *v[3];

	build_gaps(&t, v);
	/* Exact fit in the highest gap below high. */
	ASSERT_GAP(vt_gap_rev, 0, 0x40000, 0x8000, 0x38000, 0x40000);
	/* One byte more skips it for the 64K gap below. */
	ASSERT_GAP(vt_gap_rev, 0, 0x40000, 0x8001, 0x20000, 0x30000);
	/* Clipped at high: 48K of the middle gap is left. */
	ASSERT_GAP(vt_gap_rev, 0, 0x2c000, 0xc000, 0x20000, 0x2c000);
	/* ... too short for 52K, so the gap at the start is chosen. */
	ASSERT_GAP(vt_gap_rev, 0, 0x2c000, 0xd000, 0, 0x10000);
	/* Clipped at low as well. */
	ASSERT_GAP(vt_gap_rev, 0x4000, 0x2c000, 0xc000, 0x20000, 0x2c000);
	ASSERT_GAP(vt_gap_rev, 0x4000, 0x2b000, 0xc000, 0x4000, 0x10000);
	ASSERT_NO_GAP(vt_gap_rev, 0x4001, 0x2b000, 0xc000);
	/* The end gap runs to ULONG_MAX. */
	ASSERT_GAP(vt_gap_rev, 0, ULONG_MAX, 1, 0x50000, ULONG_MAX);
	ASSERT_GAP(vt_gap_rev, 0, ULONG_MAX, ULONG_MAX - 0x50000, 0x50000,
		   ULONG_MAX);
	ASSERT_NO_GAP(vt_gap_rev, 0, ULONG_MAX, ULONG_MAX - 0x50000 + 1);
	ASSERT_GAP(vt_gap_rev, 0, 0x60000, 0x10000, 0x50000, 0x60000);
	ASSERT_GAP(vt_gap_rev, 0, 0x5ffff, 0x10000, 0x20000, 0x30000);
	/* No fit: the ranges only hold 64K and 32K gaps. */
	ASSERT_NO_GAP(vt_gap_rev, 0, 0x60000, 0x10001);
	ASSERT_NO_GAP(vt_gap_rev, 0x10000, 0x40000, 0x10001);
	/* A range inside a VMA, and an inverted range. */
	ASSERT_NO_GAP(vt_gap_rev, 0x11000, 0x1f000, 1);
	ASSERT_NO_GAP(vt_gap_rev, 0x30000, 0x20000, 0);
	/* len == 0: the highest point not strictly inside a VMA. */
	ASSERT_GAP(vt_gap_rev, 0, 0x18000, 0, 0, 0x10000);
	ASSERT_GAP(vt_gap_rev, 0x12000, 0x20000, 0, 0x20000, 0x20000);
	ASSERT_GAP(vt_gap_rev, 0x12000, 0x28000, 0, 0x20000, 0x28000);
	ASSERT_NO_GAP(vt_gap_rev, 0x12000, 0x18000, 0);
	free_all(&t);
	return true;
}

TEST(gap_fwd)
{
	struct vma_tree t;
	struct vma *v[3];

	build_gaps(&t, v);
	/* The gap at the start wins when it fits. */
	ASSERT_GAP(vt_gap_fwd, 0, ULONG_MAX, 0x10000, 0, 0x10000);
	ASSERT_GAP(vt_gap_fwd, 0, ULONG_MAX, 0x10001, 0x50000, ULONG_MAX);
	/* Clipped at low. */
	ASSERT_GAP(vt_gap_fwd, 0x8000, ULONG_MAX, 0x8000, 0x8000, 0x10000);
	ASSERT_GAP(vt_gap_fwd, 0x8000, ULONG_MAX, 0x8001, 0x20000, 0x30000);
	ASSERT_GAP(vt_gap_fwd, 0x24000, ULONG_MAX, 0xc000, 0x24000, 0x30000);
	ASSERT_GAP(vt_gap_fwd, 0x24000, ULONG_MAX, 0xc001, 0x50000, ULONG_MAX);
	/* Exact fit of the 32K gap. */
	ASSERT_GAP(vt_gap_fwd, 0x30000, ULONG_MAX, 0x8000, 0x38000, 0x40000);
	/* Clipped at high. */
	ASSERT_GAP(vt_gap_fwd, 0x30000, 0x3c000, 0x4000, 0x38000, 0x3c000);
	ASSERT_NO_GAP(vt_gap_fwd, 0x30000, 0x3c000, 0x4001);
	ASSERT_GAP(vt_gap_fwd, 0x30000, 0x58000, 0x8000, 0x38000, 0x40000);
	ASSERT_GAP(vt_gap_fwd, 0x39000, 0x58000, 0x8000, 0x50000, 0x58000);
	ASSERT_NO_GAP(vt_gap_fwd, 0x30000, 0x58000, 0x8001);
	/* len == 0: the lowest point not strictly inside a VMA. */
	ASSERT_GAP(vt_gap_fwd, 0, ULONG_MAX, 0, 0, 0x10000);
	ASSERT_GAP(vt_gap_fwd, 0x12000, ULONG_MAX, 0, 0x20000, 0x30000);
	ASSERT_GAP(vt_gap_fwd, 0x38000, 0x38000, 0, 0x38000, 0x38000);
	ASSERT_NO_GAP(vt_gap_fwd, 0x12000, 0x18000, 0);
	free_all(&t);
	return true;
}

TEST(gap_top_of_address_space)
{
	struct vma_tree t;
	struct vma *v[2];
	unsigned long top = ULONG_MAX & PAGE_MASK;

	vt_init(&t);
	v[0] = new_vma(top - P(4), top - P(2));
	v[1] = new_vma(top - P(1), top);
	vt_insert(&t, v[0]);
	vt_insert(&t, v[1]);
	ASSERT_TRUE(vt_check(&t));
	/* Only PAGE_SIZE - 1 bytes are left above the last VMA. */
	ASSERT_GAP(vt_gap_rev, 0, ULONG_MAX, PAGE_SIZE - 1, top, ULONG_MAX);
	ASSERT_GAP(vt_gap_rev, 0, ULONG_MAX, PAGE_SIZE, top - P(2), top - P(1));
	ASSERT_GAP(vt_gap_rev, 0, ULONG_MAX, P(2), 0, top - P(4));
	ASSERT_GAP(vt_gap_fwd, top - P(3), ULONG_MAX, PAGE_SIZE - 1, top - P(2),
		   top - P(1));
	ASSERT_GAP(vt_gap_fwd, top - P(3), ULONG_MAX, PAGE_SIZE, top - P(2),
		   top - P(1));
	ASSERT_NO_GAP(vt_gap_fwd, top - P(3), ULONG_MAX, PAGE_SIZE + 1);
	ASSERT_TRUE(vt_find(&t, ULONG_MAX) == NULL);
	ASSERT_TRUE(vt_find(&t, top - 1) == v[1]);
	ASSERT_TRUE(vt_find_prev(&t, ULONG_MAX) == v[1]);
	free_all(&t);
	return true;
}

TEST(check_catches_damage)
{
	struct vma_tree t;
	struct vma *v[64], *w;

	vt_init(&t);
	for (int i = 0; i < 64; i++) {
		/* Gaps of varying size so sub_gap differs between nodes. */
		v[i] = new_vma(P(100 * i), P(100 * i + 1 + i % 7));
		vt_insert(&t, v[i]);
	}
	ASSERT_TRUE(vt_check(&t));
	/* A range changed behind the tree's back, at each end and inside. */
	for (int i = 0; i < 64; i += 21) {
		v[i]->vm_end++;
		ASSERT_FALSE(vt_check(&t));
		v[i]->vm_end--;
		v[i]->vm_start--;
		ASSERT_FALSE(vt_check(&t));
		v[i]->vm_start++;
		ASSERT_TRUE(vt_check(&t));
	}

	t.count++;
	ASSERT_FALSE(vt_check(&t));
	t.count -= 2;
	ASSERT_FALSE(vt_check(&t));
	t.count++;

	/* Overlap with a neighbour, and an empty VMA. */
	w = v[10];
	w->vm_end = v[11]->vm_start + 1;
	vt_update(&t, w);
	ASSERT_FALSE(vt_check(&t));
	w->vm_end = w->vm_start;
	vt_update(&t, w);
	ASSERT_FALSE(vt_check(&t));
	w->vm_end = w->vm_start + PAGE_SIZE;
	vt_update(&t, w);
	ASSERT_TRUE(vt_check(&t));

	/* Out of order: swap two VMAs' ranges behind the tree's back. */
	v[20]->vm_start = P(2100);
	v[20]->vm_end = P(2101);
	v[21]->vm_start = P(2000);
	v[21]->vm_end = P(2001);
	vt_update(&t, v[20]);
	vt_update(&t, v[21]);
	ASSERT_FALSE(vt_check(&t));
	v[20]->vm_start = P(2000);
	v[20]->vm_end = P(2001);
	v[21]->vm_start = P(2100);
	v[21]->vm_end = P(2101);
	vt_update(&t, v[20]);
	vt_update(&t, v[21]);
	ASSERT_TRUE(vt_check(&t));

	free_all(&t);
	return true;
}

/* Sorted inserts fill nodes, sorted erases empty and merge them. */
TEST(sequential_balance)
{
	struct vt_stats st;
	enum { N = 1 << 15 };
	struct vma_tree t;
	struct vma **v = calloc(N, sizeof(*v));
	unsigned long gs, ge;

	ASSERT_TRUE(v != NULL);
	vt_init(&t);
	for (int i = 0; i < N; i++) {
		v[i] = new_vma(P(3 * i + 1), P(3 * i + 2 + (i == N / 3)));
		vt_insert(&t, v[i]);
	}
	ASSERT_TRUE(vt_check(&t));
	ASSERT_EQ(t.count, N);
	/* Inserts in order fill each node but two slots: 14^4 > N. */
	vt_stats(&t, &st);
	ASSERT_TRUE(st.depth <= 4);
	ASSERT_TRUE(st.nodes <= N / 12);
	/* One gap is a page shorter; all others are 2 pages. */
	ASSERT_EQ(st.gap, P(2));
	/* The end gap is clipped to one page, so the one before it wins. */
	ASSERT_GAP(vt_gap_rev, P(1), P(3 * N), P(2), P(3 * N - 4),
		   P(3 * N - 2));
	ASSERT_GAP(vt_gap_fwd, P(2), P(3 * N), P(2), P(2), P(4));
	ASSERT_GAP(vt_gap_fwd, P(1), ULONG_MAX, P(3), P(3 * N - 1), ULONG_MAX);
	ASSERT_NO_GAP(vt_gap_fwd, P(1), P(3 * N), P(3));
	for (int i = N - 1; i >= 0; i -= 2) {
		vt_erase(&t, v[i]);
		free(v[i]);
	}
	ASSERT_TRUE(vt_check(&t));
	ASSERT_TRUE(vt_gap_fwd(&t, P(1), P(3 * N), P(5), &gs, &ge));
	ASSERT_EQ(gs, P(3 * 0 + 2));
	ASSERT_EQ(ge, P(3 * 2 + 1));
	for (int i = 0; i < N; i += 2) {
		vt_erase(&t, v[i]);
		free(v[i]);
		if (i % 1024 == 0)
			ASSERT_TRUE(vt_check(&t));
	}
	ASSERT_TRUE(vt_check(&t));
	ASSERT_TRUE(t.root == NULL);
	free(v);
	return true;
}

/*
 * The model for the randomized test: the same VMAs in a sorted array, and
 * every query answered by looking at all of them.
 */
struct model {
	struct vma **v;
	size_t nr, cap;
};

/* Index of the first VMA with vm_start >= addr. */
static size_t model_pos(const struct model *m, unsigned long addr)
{
	size_t i = 0;

	while (i < m->nr && m->v[i]->vm_start < addr)
		i++;
	return i;
}

static struct vma *model_find(const struct model *m, unsigned long addr)
{
	for (size_t i = 0; i < m->nr; i++)
		if (m->v[i]->vm_end > addr)
			return m->v[i];
	return NULL;
}

static struct vma *model_lookup(const struct model *m, unsigned long addr)
{
	for (size_t i = 0; i < m->nr; i++)
		if (m->v[i]->vm_start <= addr && addr < m->v[i]->vm_end)
			return m->v[i];
	return NULL;
}

static struct vma *model_find_prev(const struct model *m, unsigned long addr)
{
	size_t i = model_pos(m, addr);

	return i ? m->v[i - 1] : NULL;
}

/* Gap k of nr + 1: from the end of VMA k - 1 to the start of VMA k. */
static bool model_gap_k(const struct model *m, size_t k, unsigned long low,
			unsigned long high, unsigned long len,
			unsigned long *gs, unsigned long *ge)
{
	unsigned long s = k ? m->v[k - 1]->vm_end : 0;
	unsigned long e = k < m->nr ? m->v[k]->vm_start : ULONG_MAX;

	if (s < low)
		s = low;
	if (e > high)
		e = high;
	if (s > e || e - s < len)
		return false;
	*gs = s;
	*ge = e;
	return true;
}

static bool model_gap(const struct model *m, bool rev, unsigned long low,
		      unsigned long high, unsigned long len, unsigned long *gs,
		      unsigned long *ge)
{
	if (low > high)
		return false;
	for (size_t i = 0; i <= m->nr; i++) {
		size_t k = rev ? m->nr - i : i;

		if (model_gap_k(m, k, low, high, len, gs, ge))
			return true;
	}
	return false;
}

static bool model_overlaps(const struct model *m, unsigned long start,
			   unsigned long end)
{
	for (size_t i = 0; i < m->nr; i++)
		if (m->v[i]->vm_start < end && start < m->v[i]->vm_end)
			return true;
	return false;
}

static void model_insert(struct model *m, struct vma *v)
{
	size_t i = model_pos(m, v->vm_start);

	if (m->nr == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 64;
		m->v = realloc(m->v, m->cap * sizeof(*m->v));
		if (!m->v)
			abort();
	}
	memmove(&m->v[i + 1], &m->v[i], (m->nr - i) * sizeof(*m->v));
	m->v[i] = v;
	m->nr++;
}

static void model_remove(struct model *m, size_t i)
{
	memmove(&m->v[i], &m->v[i + 1], (m->nr - i - 1) * sizeof(*m->v));
	m->nr--;
}

/* One randomized run over a window of npages pages starting at base. */
struct fuzz {
	uint64_t rng;
	unsigned long base, npages;
	struct vma_tree t;
	struct model m;
};

static unsigned long fuzz_page(struct fuzz *f, unsigned long page)
{
	return f->base + page * PAGE_SIZE;
}

/* An address that often sits on or next to a VMA boundary. */
static unsigned long fuzz_addr(struct fuzz *f)
{
	unsigned long a;

	switch (rng_below(&f->rng, 8)) {
	case 0:
		return 0;
	case 1:
		return ULONG_MAX;
	case 2:
		return rng_next(&f->rng);
	case 3:
	case 4:
		if (f->m.nr) {
			struct vma *v = f->m.v[rng_below(&f->rng, f->m.nr)];

			a = rng_below(&f->rng, 2) ? v->vm_start : v->vm_end;
			return a + rng_below(&f->rng, 3) - 1;
		}
		/* fall through */
	default:
		a = fuzz_page(f, rng_below(&f->rng, f->npages + 1));
		return a + rng_below(&f->rng, 3) - 1;
	}
}

static unsigned long fuzz_len(struct fuzz *f)
{
	switch (rng_below(&f->rng, 8)) {
	case 0:
		return 0;
	case 1:
		return rng_below(&f->rng, 3 * PAGE_SIZE);
	case 2:
		return ULONG_MAX - rng_below(&f->rng, f->npages) * PAGE_SIZE;
	default:
		return P(rng_below(&f->rng, 24)) + rng_below(&f->rng, 3) - 1;
	}
}

static void fuzz_insert(struct fuzz *f)
{
	unsigned long first = rng_below(&f->rng, f->npages);
	unsigned long pages = 1 + rng_below(&f->rng, 8);
	unsigned long start, end;
	struct vma *v;

	if (first + pages > f->npages)
		pages = f->npages - first;
	start = fuzz_page(f, first);
	end = fuzz_page(f, first + pages);
	if (model_overlaps(&f->m, start, end))
		return;
	v = new_vma(start, end);
	vt_insert(&f->t, v);
	model_insert(&f->m, v);
}

static void fuzz_erase(struct fuzz *f)
{
	size_t i;
	struct vma *v;

	if (!f->m.nr)
		return;
	i = rng_below(&f->rng, f->m.nr);
	v = f->m.v[i];
	vt_erase(&f->t, v);
	model_remove(&f->m, i);
	free(v);
}

/* Move either end of a VMA anywhere between its neighbours. */
static void fuzz_resize(struct fuzz *f)
{
	size_t i;
	struct vma *v;
	unsigned long lo, hi, pages;

	if (!f->m.nr)
		return;
	i = rng_below(&f->rng, f->m.nr);
	v = f->m.v[i];
	lo = i ? f->m.v[i - 1]->vm_end : f->base;
	hi = i + 1 < f->m.nr ? f->m.v[i + 1]->vm_start
			     : fuzz_page(f, f->npages);
	if (rng_below(&f->rng, 2)) {
		pages = (v->vm_end - lo) / PAGE_SIZE;
		v->vm_start = lo + P(rng_below(&f->rng, pages));
	} else {
		pages = (hi - v->vm_start) / PAGE_SIZE;
		v->vm_end = v->vm_start + P(1 + rng_below(&f->rng, pages));
	}
	vt_update(&f->t, v);
}

/* commit_merge(): a VMA grows over the next one or two, which go. */
static void fuzz_merge(struct fuzz *f)
{
	size_t i, k;
	struct vma *v;

	if (f->m.nr < 2)
		return;
	i = rng_below(&f->rng, f->m.nr - 1);
	k = 1 + (i + 2 < f->m.nr && rng_below(&f->rng, 2));
	v = f->m.v[i];
	for (size_t j = 0; j < k; j++)
		vt_erase_into(&f->t, f->m.v[i + 1 + j], v);
	v->vm_end = f->m.v[i + k]->vm_end;
	vt_update(&f->t, v);
	for (size_t j = 0; j < k; j++) {
		free(f->m.v[i + 1]);
		model_remove(&f->m, i + 1);
	}
}

static bool fuzz_compare_gaps(struct fuzz *f)
{
	unsigned long low = fuzz_addr(f), high = fuzz_addr(f);
	unsigned long len = fuzz_len(f);
	unsigned long ms = 0, me = 0, ts = 0, te = 0;
	bool rev;

	/* Mostly well-formed ranges, sometimes inverted ones. */
	if (low > high && rng_below(&f->rng, 8)) {
		unsigned long tmp = low;

		low = high;
		high = tmp;
	}
	for (int k = 0; k < 2; k++) {
		bool mf, tf;

		rev = k == 0;
		mf = model_gap(&f->m, rev, low, high, len, &ms, &me);
		if (rev)
			tf = vt_gap_rev(&f->t, low, high, len, &ts, &te);
		else
			tf = vt_gap_fwd(&f->t, low, high, len, &ts, &te);
		if (mf != tf || (mf && (ms != ts || me != te))) {
			fprintf(stderr,
				"gap_%s(%#lx, %#lx, %#lx): tree %d [%#lx, "
				"%#lx) model %d [%#lx, %#lx)\n",
				rev ? "rev" : "fwd", low, high, len, tf, ts, te,
				mf, ms, me);
			return false;
		}
	}
	return true;
}

static bool fuzz_compare(struct fuzz *f)
{
	ASSERT_TRUE(tree_is(&f->t, f->m.v, f->m.nr));
	for (int q = 0; q < 12; q++) {
		unsigned long a = fuzz_addr(f);

		ASSERT_TRUE(vt_find(&f->t, a) == model_find(&f->m, a));
		ASSERT_TRUE(vt_lookup(&f->t, a) == model_lookup(&f->m, a));
		ASSERT_TRUE(vt_find_prev(&f->t, a) ==
			    model_find_prev(&f->m, a));
		ASSERT_TRUE(fuzz_compare_gaps(f));
	}
	return true;
}

/*
 * A tree made in address order, up or down, leaves room in each node for
 * a split into three: mprotect of any VMA's middle page and back costs no
 * new node, and the merge back walks up to the root once.
 *
 *   VVV.VVV.VVV    ->  VpV.VVV.VVV  (vt_split twice: no node allocated)
 *   VpV.VVV.VVV    ->  VVV.VVV.VVV  (vt_erase_into twice, vt_update)
 */
static bool split_and_merge_back(bool down)
{
	enum { N = 4096 };
	struct vma_tree t;
	struct vma **v = calloc(N, sizeof(*v));
	struct vt_stats st;
	unsigned long nodes;
	int deferred = 0;

	ASSERT_TRUE(v != NULL);
	vt_init(&t);
	for (int k = 0; k < N; k++) {
		int i = down ? N - 1 - k : k;

		v[i] = new_vma(P(4 * i), P(4 * i + 3));
		vt_insert(&t, v[i]);
	}
	vt_stats(&t, &st);
	nodes = st.nodes;
	for (int i = 0; i < N; i += 7) {
		struct vma *mid = new_vma(P(4 * i + 1), P(4 * i + 2));
		struct vma *hi = new_vma(P(4 * i + 2), P(4 * i + 3));
		bool one_leaf;

		v[i]->vm_end = P(4 * i + 2);
		vt_split(&t, v[i], hi);
		v[i]->vm_end = P(4 * i + 1);
		vt_split(&t, v[i], mid);
		ASSERT_TRUE(vt_check(&t));
		vt_stats(&t, &st);
		ASSERT_EQ(st.nodes, nodes);
		ASSERT_TRUE(vt_next(v[i]) == mid && vt_next(mid) == hi);

		/* The merge back.  With all three in one leaf, and hi not
		 * its last entry, the gap hi leaves (1 + 1 + 1 pages, the
		 * largest) goes up only with the vt_update(). */
		one_leaf = v[i]->vt_leaf == hi->vt_leaf && vt_next(hi) &&
			   vt_next(hi)->vt_leaf == hi->vt_leaf;
		vt_erase_into(&t, mid, v[i]);
		vt_erase_into(&t, hi, v[i]);
		if (one_leaf) {
			ASSERT_FALSE(vt_check(&t));
			deferred++;
		}
		v[i]->vm_end = P(4 * i + 3);
		vt_update(&t, v[i]);
		ASSERT_TRUE(vt_check(&t));
		vt_stats(&t, &st);
		ASSERT_EQ(st.gap, P(1));
		ASSERT_TRUE(vt_lookup(&t, P(4 * i + 2)) == v[i]);
		free(mid);
		free(hi);
	}
	ASSERT_TRUE(tree_is(&t, v, N));
	/* Most merges were in one leaf. */
	ASSERT_TRUE(deferred > N / 7 / 2);
	free_all(&t);
	free(v);
	return true;
}

TEST(split_fits_in_a_grown_node)
{
	ASSERT_TRUE(split_and_merge_back(false));
	ASSERT_TRUE(split_and_merge_back(true));
	return true;
}

/* fill: inserts to make first (compared now and then), for a deep tree. */
static bool fuzz_run_filled(uint64_t seed, unsigned long base,
			    unsigned long npages, int fill, int ops)
{
	struct fuzz f = {.rng = seed, .base = base, .npages = npages};
	bool ok = true;

	vt_init(&f.t);
	for (int i = 0; i < fill && ok; i++) {
		fuzz_insert(&f);
		if (i % 256 == 0)
			ok = fuzz_compare(&f);
	}
	for (int i = 0; i < ops && ok; i++) {
		unsigned long op = rng_below(&f.rng, 8);

		/* Fill up for the first half, then drain. */
		if (op < 4 - (i > ops / 2 ? 2 : 0))
			fuzz_insert(&f);
		else if (op < 6)
			fuzz_erase(&f);
		else if (op < 7)
			fuzz_resize(&f);
		else
			fuzz_merge(&f);
		ok = fuzz_compare(&f);
		if (!ok)
			fprintf(stderr, "seed %#llx base %#lx: op %d failed\n",
				(unsigned long long)seed, base, i);
	}
	/* The tree and the model hold the same VMAs: free them once. */
	free_all(&f.t);
	free(f.m.v);
	return ok;
}

static bool fuzz_run(uint64_t seed, unsigned long base, unsigned long npages,
		     int ops)
{
	return fuzz_run_filled(seed, base, npages, 0, ops);
}

TEST(random_differential)
{
	static const uint64_t seeds[] = {1, 0x5eed, 0xdeadbeef, 42};

	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		/* Low memory, including address 0 itself. */
		ASSERT_TRUE(fuzz_run(seeds[i], 0, 512, 4000));
		/* A window ending at the last page of the address space. */
		ASSERT_TRUE(fuzz_run(seeds[i] + 7,
				     (ULONG_MAX & PAGE_MASK) - P(511), 511,
				     4000));
		/* A sparse window, where whole subtrees get pruned. */
		ASSERT_TRUE(
			fuzz_run(seeds[i] + 13, 0x7f0000000000UL, 8192, 3000));
	}
	/* Room for a thousand VMAs and more: three levels and up, where
	 * fix_up() counts the gaps of the nodes above a leaf from the one
	 * entry that changed (gap_after_entry). */
	for (size_t i = 0; i < 2; i++)
		ASSERT_TRUE(fuzz_run_filled(seeds[i] + 21, 0x7f0000000000UL,
					    32768, 3000, 4000));
	return true;
}

static const struct test_case tests[] = {
	TEST_ENTRY(empty),
	TEST_ENTRY(basic_queries),
	TEST_ENTRY(erase_shapes),
	TEST_ENTRY(split_in_one_edit),
	TEST_ENTRY(update_in_place),
	TEST_ENTRY(gap_rev),
	TEST_ENTRY(gap_fwd),
	TEST_ENTRY(gap_top_of_address_space),
	TEST_ENTRY(check_catches_damage),
	TEST_ENTRY(sequential_balance),
	TEST_ENTRY(split_fits_in_a_grown_node),
	TEST_ENTRY(random_differential),
};

int main(void)
{
	return RUN_TESTS("tree", tests);
}
