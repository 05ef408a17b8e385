/*
 * tree.h - the mm's VMA tree: a B-tree keyed by vm_start, its ranges
 * packed in the nodes and augmented with the largest gap between the VMAs
 * of each subtree (tree.c).
 *
 * It plays the part of the kernel's maple tree (mm->mm_mt): find_vma(),
 * vma_lookup(), vma_prev()/vma_next() and the gap search behind
 * get_unmapped_area() (mas_empty_area_rev) are all O(log n).  VMAs never
 * overlap, so ordering by vm_start also orders by vm_end.
 */
#ifndef VMALAB_TREE_H
#define VMALAB_TREE_H

#include "vma.h"

void vt_init(struct vma_tree *t);

/* Link v, which must not overlap any VMA already in t. */
void vt_insert(struct vma_tree *t, struct vma *v);
void vt_erase(struct vma_tree *t, struct vma *v);
/*
 * vt_erase() of a VMA that keep, its neighbour, is about to grow over
 * (commit_merge()): a vt_update(t, keep) must follow.  Where both share
 * a leaf that keeps its extent, the walk up to the root waits for that
 * update and is made once, as the maple tree stores the merged range
 * once (vma_iter_store_overwrite()), rather than once to carry the gap v
 * leaves up to the root and once to take it back.  In between, only the
 * tree's largest gaps above that leaf are stale: find_vma() and the
 * neighbours still work.
 */
void vt_erase_into(struct vma_tree *t, struct vma *v, const struct vma *keep);
/*
 * __split_vma() in one edit: v, in t, has just been shrunk in place, and
 * new (not in t) covers what v gave up, just below or just above it.
 */
void vt_split(struct vma_tree *t, struct vma *v, struct vma *new);
/*
 * dst (uninitialised) becomes a copy of src node for node, in the same
 * shape: each VMA's copy comes from copy(), which gives a new VMA with
 * everything but vt_leaf filled in.
 */
void vt_clone(struct vma_tree *dst, const struct vma_tree *src,
	      struct vma *(*copy)(const struct vma *v, void *arg), void *arg);
/* Free the tree's nodes at once, VMAs left alone; t is then empty. */
void vt_destroy(struct vma_tree *t);

/*
 * v->vm_start or v->vm_end changed in place without passing a neighbour:
 * recompute the augmented fields from v up to the root.
 */
void vt_update(struct vma_tree *t, struct vma *v);

/* find_vma(): the first VMA with vm_end > addr, or NULL. */
struct vma *vt_find(const struct vma_tree *t, unsigned long addr);
/* vma_lookup(): the VMA containing addr, or NULL. */
struct vma *vt_lookup(const struct vma_tree *t, unsigned long addr);
/* The last VMA with vm_start < addr, or NULL (find_vma_prev's prev). */
struct vma *vt_find_prev(const struct vma_tree *t, unsigned long addr);

struct vma *vt_first(const struct vma_tree *t);
struct vma *vt_last(const struct vma_tree *t);
struct vma *vt_next(const struct vma *v);
struct vma *vt_prev(const struct vma *v);

/*
 * mas_empty_area_rev(): the highest gap [gs, ge) (ge exclusive) that lies in
 * [low, high) after clipping and is at least len long.  Space before the
 * first VMA and after the last counts as a gap.  Returns true and fills
 * *gap_start and *gap_end (clipped to [low, high)), or false if none fits.
 */
bool vt_gap_rev(const struct vma_tree *t, unsigned long low, unsigned long high,
		unsigned long len, unsigned long *gap_start,
		unsigned long *gap_end);

/* The same, lowest gap first (mas_empty_area). */
bool vt_gap_fwd(const struct vma_tree *t, unsigned long low, unsigned long high,
		unsigned long len, unsigned long *gap_start,
		unsigned long *gap_end);

/*
 * What the root knows, for tests and the benchmarks: the extent of all
 * the VMAs, the largest gap between two of them, how many levels down
 * the leaves are (0: a leaf is the root), and the nodes and their bytes.
 */
struct vt_stats {
	unsigned long start, end, gap;
	int depth;
	unsigned long nodes, bytes;
};
void vt_stats(const struct vma_tree *t, struct vt_stats *st);

/* Walk every node and check ordering, depths and augmented fields. */
bool vt_check(const struct vma_tree *t);

#define vt_for_each(t, v) for ((v) = vt_first(t); (v); (v) = vt_next(v))

#endif
