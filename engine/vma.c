/*
 * vma.c - merging, splitting and unmapping VMAs, after mm/vma.c.
 *
 * The decisions live in small predicates over a state object, struct
 * vma_merge_struct ("vmg"), exactly as in the kernel: is_mergeable_vma(),
 * is_mergeable_anon_vma(), can_vma_merge_{before,after,left,right}(), then
 * vma_merge_new_range() for new mappings and vma_merge_existing_range() for
 * attribute changes, both committed by vma_expand()/commit_merge().
 *
 * Every predicate that says no records why in the vmg (enum merge_veto),
 * and observers hear it as an event, so each refused merge can be
 * explained in the kernel's terms; nothing here formats text.  Comments draw the cases as the
 * kernel's do: P = prev, V = middle (the VMA being changed), N = next,
 * * = the range.
 */
#include <string.h>
#include "internal.h"

/* ---- helpers ---- */

#define FLAG(x)       \
	{             \
		x, #x \
	}
static const struct {
	vm_flags_t flag;
	const char *name;
} flag_names[] = {
	FLAG(VM_READ),	       FLAG(VM_WRITE),	     FLAG(VM_EXEC),
	FLAG(VM_SHARED),       FLAG(VM_MAYREAD),     FLAG(VM_MAYWRITE),
	FLAG(VM_MAYEXEC),      FLAG(VM_MAYSHARE),    FLAG(VM_GROWSDOWN),
	FLAG(VM_UFFD_MISSING), FLAG(VM_PFNMAP),	     FLAG(VM_MAYBE_GUARD),
	FLAG(VM_UFFD_WP),      FLAG(VM_LOCKED),	     FLAG(VM_IO),
	FLAG(VM_SEQ_READ),     FLAG(VM_RAND_READ),   FLAG(VM_DONTCOPY),
	FLAG(VM_DONTEXPAND),   FLAG(VM_LOCKONFAULT), FLAG(VM_ACCOUNT),
	FLAG(VM_NORESERVE),    FLAG(VM_HUGETLB),     FLAG(VM_SYNC),
	FLAG(VM_ARCH_1),       FLAG(VM_WIPEONFORK),  FLAG(VM_DONTDUMP),
	FLAG(VM_MIXEDMAP),     FLAG(VM_HUGEPAGE),    FLAG(VM_NOHUGEPAGE),
	FLAG(VM_MERGEABLE),    FLAG(VM_DROPPABLE),   FLAG(VM_SEALED),
};
#undef FLAG

const char *vm_flag_name(vm_flags_t bit)
{
	for (size_t i = 0; i < ARRAY_SIZE(flag_names); i++)
		if (flag_names[i].flag == bit)
			return flag_names[i].name;
	return NULL;
}

/*
 * vma_iter_prealloc(): the maple tree preallocates nodes before a change
 * and this can fail.  There is no maple tree here, but the failure point is
 * kept so that tests can check every ENOMEM path changes nothing.
 */
static int vma_iter_prealloc(struct machine *m)
{
	return eng_fail_point(m) ? -ENOMEM : 0;
}

static void vma_set_range(struct vma *v, unsigned long start, unsigned long end,
			  unsigned long pgoff)
{
	v->vm_start = start;
	v->vm_end = end;
	v->vm_pgoff = pgoff;
}

/*
 * Of struct vma_merge_struct, copied_from (mremap's vma_merge_copied_range),
 * just_expand (brk's do_brk_flags) and give_up_on_oom (userfaultfd) are
 * read here as in the kernel but set by calls vmalab does not model yet.
 */

/* ---- mergeability ---- */

/*
 * Events about the merge go to the vmg's machine; vma_merge_blockers()
 * asks the same predicates with no machine, and so hears nothing.
 */
#define VMG_EVENT(vmg, ...)                           \
	do {                                          \
		if ((vmg)->m)                         \
			EVENT((vmg)->m, __VA_ARGS__); \
	} while (0)

/* Was this VMA ever forked from a parent (vma_is_fork_child)? */
static bool vma_is_fork_child(const struct vma *v)
{
	return v && v->anon_vma && !anon_vma_chain_singular(v);
}

/* make mutants: the merge breaks rule x (a vmg without m never does). */
static bool vmg_mutated(const struct vma_merge_struct *vmg, int x)
{
	return vmg->m && MUTATED(vmg->m, x);
}

static struct vma *vmg_tgt(struct vma_merge_struct *vmg, bool merge_next)
{
	return merge_next ? vmg->next : vmg->prev;
}

/* A predicate says no: keep why in the vmg, as the kernel keeps state. */
static bool vmg_veto(struct vma_merge_struct *vmg, enum merge_veto veto,
		     vm_flags_t diff)
{
	vmg->veto = veto;
	vmg->veto_diff = diff;
	return false;
}

static bool is_mergeable_vma(struct vma_merge_struct *vmg, bool merge_next)
{
	struct vma *v = vmg_tgt(vmg, merge_next);
	vm_flags_t diff = (v->vm_flags ^ vmg->vm_flags) & ~VM_IGNORE_MERGE;

	if (vmg_mutated(vmg, MUT_MERGE_FLAGS))
		diff &= VM_ACCESS_FLAGS;
	if (vmg_mutated(vmg, MUT_MERGE_ACCOUNT))
		diff &= ~VM_ACCOUNT;
	if (diff)
		return vmg_veto(vmg, VETO_FLAGS, diff);
	if (v->vm_file != vmg->file &&
	    vmg_mutated(vmg, MUT_MERGE_FILE_STRUCT) && v->vm_file &&
	    vmg->file && v->vm_file->inode == vmg->file->inode)
		return true;
	if (v->vm_file != vmg->file) {
		if (!v->vm_file || !vmg->file)
			return vmg_veto(vmg, VETO_FILE_ANON, 0);
		if (v->vm_file->inode != vmg->file->inode)
			return vmg_veto(vmg, VETO_FILE_INODE, 0);
		return vmg_veto(vmg, VETO_FILE_STRUCT, 0);
	}
	return true;
}

static bool is_mergeable_anon_vma(struct vma_merge_struct *vmg, bool merge_next)
{
	struct vma *tgt = vmg_tgt(vmg, merge_next);
	struct vma *src = vmg->middle;
	struct anon_vma *tgt_anon = tgt->anon_vma;
	struct anon_vma *src_anon = vmg->anon_vma;

	/* Case 1 - we will dup_anon_vma() from src into tgt. */
	if (!tgt_anon && src_anon) {
		if (vmg_mutated(vmg, MUT_MERGE_DUP_ANON_VMA))
			return vmg_veto(vmg, VETO_ANON_VMA, 0);
		if (vma_is_fork_child(src) &&
		    !vmg_mutated(vmg, MUT_MERGE_FORK_CHILD_SRC))
			return vmg_veto(vmg, VETO_SRC_FORK_CHILD, 0);
		if (vma_is_fork_child(vmg->copied_from) &&
		    !vmg_mutated(vmg, MUT_MERGE_COPIED_FORK_CHILD))
			return vmg_veto(vmg, VETO_COPIED_FORK_CHILD, 0);
		return true;
	}
	/* Case 2 - we will simply use tgt's anon_vma. */
	if (tgt_anon && !src_anon) {
		if (vma_is_fork_child(tgt) &&
		    !vmg_mutated(vmg, MUT_MERGE_FORK_CHILD_TGT))
			return vmg_veto(vmg, VETO_TGT_FORK_CHILD, 0);
		return true;
	}
	/* Case 3 - the anon_vma's are already shared. */
	if (src_anon != tgt_anon && !vmg_mutated(vmg, MUT_MERGE_ANON_VMA))
		return vmg_veto(vmg, VETO_ANON_VMA, 0);
	return true;
}

/*
 * Report what can_vma_merge_{before,after} decided about the neighbour:
 * the veto with its numbers (the two pgoffs that do not meet, the two
 * anon_vmas that differ), or yes.
 */
static bool merge_verdict(struct vma_merge_struct *vmg, bool merge_next,
			  bool ok, unsigned long have, unsigned long want)
{
	struct vma *tgt = vmg_tgt(vmg, merge_next);
	const char *fn =
		merge_next ? "can_vma_merge_before" : "can_vma_merge_after";

	if (ok) {
		VMG_EVENT(vmg, .kind = EV_CAN_MERGE, .fn = fn, .v = tgt);
		return true;
	}
	VMG_EVENT(vmg, .kind = EV_VETO, .fn = fn, .code = vmg->veto, .v = tgt,
		  .diff = vmg->veto_diff, .addr = have, .value = want,
		  .av = vmg->anon_vma ? vmg->anon_vma->id : 0,
		  .av2 = tgt->anon_vma ? tgt->anon_vma->id : 0);
	return false;
}

/*
 * can_vma_merge_before(): can the range go in front of next (lower address
 * and lower file offset)?
 */
static bool can_vma_merge_before(struct vma_merge_struct *vmg)
{
	unsigned long pglen = PHYS_PFN(vmg->end - vmg->start);
	struct vma *next = vmg->next;
	bool ok =
		is_mergeable_vma(vmg, true) && is_mergeable_anon_vma(vmg, true);

	if (ok && next->vm_pgoff != vmg->pgoff + pglen &&
	    !vmg_mutated(vmg, MUT_MERGE_PGOFF))
		ok = vmg_veto(vmg, VETO_PGOFF, 0);
	return merge_verdict(vmg, true, ok, next->vm_pgoff, vmg->pgoff + pglen);
}

/* can_vma_merge_after(): can the range follow prev? */
static bool can_vma_merge_after(struct vma_merge_struct *vmg)
{
	struct vma *prev = vmg->prev;
	bool ok = is_mergeable_vma(vmg, false) &&
		  is_mergeable_anon_vma(vmg, false);

	if (ok && prev->vm_pgoff + vma_pages(prev) != vmg->pgoff &&
	    !vmg_mutated(vmg, MUT_MERGE_PGOFF))
		ok = vmg_veto(vmg, VETO_PGOFF, 0);
	return merge_verdict(vmg, false, ok, prev->vm_pgoff + vma_pages(prev),
			     vmg->pgoff);
}

static bool can_vma_merge_left(struct vma_merge_struct *vmg)
{
	return vmg->prev && vmg->prev->vm_end == vmg->start &&
	       can_vma_merge_after(vmg);
}

/* are_anon_vmas_compatible(): at most one faulted, or the same anon_vma. */
static bool are_anon_vmas_compatible(const struct vma *a, const struct vma *b)
{
	return !a->anon_vma || !b->anon_vma || a->anon_vma == b->anon_vma;
}

/*
 * can_vma_merge_right(): next must also be compatible with prev when both
 * sides merge, since prev and next each accepting the range does not make
 * their anon_vmas compatible with each other.
 */
static bool can_vma_merge_right(struct vma_merge_struct *vmg,
				bool can_merge_left)
{
	struct vma *next = vmg->next, *prev = vmg->prev;

	if (!next || vmg->end != next->vm_start || !can_vma_merge_before(vmg))
		return false;
	if (!can_merge_left || are_anon_vmas_compatible(prev, next) ||
	    vmg_mutated(vmg, MUT_MERGE_PREV_NEXT))
		return true;
	vmg_veto(vmg, VETO_PREV_NEXT_ANON, 0);
	VMG_EVENT(vmg, .kind = EV_VETO, .fn = "can_vma_merge_right",
		  .code = VETO_PREV_NEXT_ANON, .v = prev, .o = next,
		  .av = prev->anon_vma->id, .av2 = next->anon_vma->id);
	return false;
}

/* ---- committing a merge ---- */

/*
 * A merge was tried across the boundary between a and b and did not
 * join them: whatever keeps them apart, it is a veto the checker sees.
 */
static void tried_across(struct vma *a, struct vma *b)
{
	if (a && b && a->vm_end == b->vm_start)
		a->unmerged_next = b->unmerged_prev = false;
}

/*
 * dup_anon_vma(): when dst is unfaulted and src is not, dst takes src's
 * anon_vma and a copy of its chain, so the merged range stays reachable
 * from the pages' anon_vma.
 */
static int dup_anon_vma(struct machine *m, struct vma *dst, struct vma *src,
			struct vma **dup)
{
	if (src->anon_vma && !dst->anon_vma) {
		dst->anon_vma = src->anon_vma;
		if (anon_vma_clone(m, dst, src))
			return -ENOMEM;
		EVENT(m, .kind = EV_ANON_VMA, .code = AV_DUP,
		      .fn = "dup_anon_vma", .v = dst, .o = src,
		      .av = dst->anon_vma->id);
		*dup = dst;
	}
	return 0;
}

/* vma_complete(): free the VMAs a merge removed. */
static void remove_merged_vma(struct machine *m, struct vma *v)
{
	struct mm *mm = v->mm;

	EVENT(m, .kind = EV_VMA_FREE, .code = VMA_GONE_MERGE,
	      .fn = "vma_complete", .v = v);
	if (v->vm_file)
		fput(m, v->vm_file);
	unlink_anon_vmas(m, v);
	mm->map_count--;
	vm_area_free(m, v);
}

/* vma_set_range(), telling observers the range before and after. */
static void vma_set_range_ev(struct machine *m, struct vma *v,
			     unsigned long start, unsigned long end,
			     unsigned long pgoff, enum vma_change why,
			     const char *fn)
{
	unsigned long ostart = v->vm_start, oend = v->vm_end;
	unsigned long opgoff = v->vm_pgoff;

	vma_set_range(v, start, end, pgoff);
	EVENT(m, .kind = EV_VMA_CHANGE, .code = why, .fn = fn, .v = v,
	      .ostart = ostart, .oend = oend, .opgoff = opgoff);
}

/*
 * commit_merge(): set the new ranges.  The target (or middle, when next
 * takes over the tail of middle) gets [start, end) and pgoff; the VMA being
 * trimmed starts at end; removed VMAs go.
 */
static int commit_merge(struct machine *m, struct vma_merge_struct *vmg)
{
	struct vma *v = vmg->__adjust_next_start ? vmg->middle : vmg->target;
	struct vma *adjust = NULL, *remove = NULL, *remove2 = NULL;
	struct mm *mm = v->mm;
	unsigned long pgoff = 0;

	if (vma_iter_prealloc(m))
		return -ENOMEM;
	if (vmg->__remove_middle)
		remove = vmg->middle;
	if (vmg->__remove_next) {
		if (remove)
			remove2 = vmg->next;
		else
			remove = vmg->next;
	}
	if (vmg->__adjust_middle_start) {
		adjust = vmg->middle;
		pgoff = adjust->vm_pgoff +
			PHYS_PFN(vmg->end - adjust->vm_start);
	} else if (vmg->__adjust_next_start) {
		adjust = vmg->next;
		pgoff = adjust->vm_pgoff -
			PHYS_PFN(adjust->vm_start - vmg->end);
	}
	/* Take removed VMAs out of the tree before ranges grow over them
	 * (v's vt_update() below makes the one walk up). */
	if (remove)
		vt_erase_into(&mm->tree, remove, v);
	if (remove2)
		vt_erase_into(&mm->tree, remove2, v);
	vma_set_range_ev(m, v, vmg->start, vmg->end, vmg->pgoff,
			 VMA_CHANGE_MERGE, "commit_merge");
	if (adjust)
		vma_set_range_ev(m, adjust, vmg->end, adjust->vm_end, pgoff,
				 VMA_CHANGE_ADJUST, "commit_merge");
	vt_update(&mm->tree, v);
	if (adjust)
		vt_update(&mm->tree, adjust);
	if (remove)
		remove_merged_vma(m, remove);
	if (remove2)
		remove_merged_vma(m, remove2);
	return 0;
}

/* OR sticky flags into the merged VMA, telling observers if that changed. */
static void vma_set_sticky(struct machine *m, struct vma *v, vm_flags_t sticky)
{
	vm_flags_t old = v->vm_flags;

	v->vm_flags |= sticky;
	if (v->vm_flags != old)
		EVENT(m, .kind = EV_VMA_FLAGS, .fn = "vm_flags_set", .v = v,
		      .flags = v->vm_flags, .diff = v->vm_flags ^ old);
}

/*
 * vma_expand(): grow vmg->target to [start, end), swallowing next when end
 * reaches next's end.  Used by vma_merge_new_range().
 */
int vma_expand(struct machine *m, struct vma_merge_struct *vmg)
{
	struct vma *target = vmg->target, *next = vmg->next;
	struct vma *anon_dup = NULL;
	bool remove_next = false;
	vm_flags_t sticky;
	int ret = 0;

	vmg->m = m;
	vma_start_write(m, target);
	if (next && target != next && vmg->end == next->vm_end)
		remove_next = true;
	sticky = (vmg->vm_flags | target->vm_flags) & VM_STICKY;
	if (remove_next)
		sticky |= next->vm_flags & VM_STICKY;
	EV_IN(m, FN_VMA_EXPAND, .v = target, .addr = vmg->start,
	      .len = vmg->end - vmg->start, .value = remove_next);
	if (remove_next)
		ret = dup_anon_vma(m, target, next, &anon_dup);
	if (!ret && vmg->copied_from)
		ret = dup_anon_vma(m, target, vmg->copied_from, &anon_dup);
	if (ret) {
		EV_OUT(m, FN_VMA_EXPAND);
		return ret;
	}
	if (remove_next) {
		vma_start_write(m, next);
		vmg->__remove_next = true;
	}
	if (commit_merge(m, vmg)) {
		if (anon_dup)
			unlink_anon_vmas(m, anon_dup);
		if (!vmg->give_up_on_oom)
			vmg->state = VMA_MERGE_ERROR_NOMEM;
		EV_OUT(m, FN_VMA_EXPAND);
		return -ENOMEM;
	}
	vma_set_sticky(m, target, sticky);
	EV_OUT(m, FN_VMA_EXPAND);
	return 0;
}

/* The merge will not happen: say why, in the vmg and to observers. */
static void vmg_nomerge(struct vma_merge_struct *vmg, enum merge_veto why)
{
	vmg->veto = why;
	VMG_EVENT(vmg, .kind = EV_NOMERGE, .code = why, .addr = vmg->start,
		  .len = vmg->end - vmg->start);
}

/*
 * vma_merge_new_range(): a new range [start, end) that is empty is about to
 * be mapped.
 *
 *       ****              ****              ****
 *   PPPP    NNNN      PPPP    NNNN      PPPP    NNNN
 *   PPPPPPPPNNNN      PPPPNNNNNNNN      PPPPPPPPPPPP
 *   expand prev       expand next       expand prev, remove next
 *   (old case 2)      (old case 3)      (old case 1)
 *
 * Returns the expanded VMA, or NULL if the caller must make a new one.
 */
struct vma *vma_merge_new_range(struct machine *m, struct vma_merge_struct *vmg)
{
	struct vma *prev = vmg->prev, *next = vmg->next;
	enum merge_case mcase;
	bool left, right, tol_prev, tol_next;

	vmg->m = m;
	vmg->state = VMA_MERGE_NOMERGE;
	EV_IN(m, FN_VMA_MERGE_NEW_RANGE, .addr = vmg->start,
	      .len = vmg->end - vmg->start);
	if (vmg->vm_flags & VM_SPECIAL) {
		vmg_nomerge(vmg, VETO_SPECIAL);
		goto nomerge;
	}
	if (!prev && !next) {
		vmg_nomerge(vmg, VETO_NO_NEIGHBOUR);
		goto nomerge;
	}
	if (prev && prev->vm_end != vmg->start)
		NOTE(m, NOTE_PREV_APART, .v = prev);
	left = can_vma_merge_left(vmg);
	if (vmg->just_expand) {
		right = false;
	} else {
		if (next && next->vm_start != vmg->end)
			NOTE(m, NOTE_NEXT_APART, .v = next);
		right = can_vma_merge_right(vmg, left);
	}
	if (right) {
		vmg->end = next->vm_end;
		vmg->target = next;
	}
	if (left) {
		vmg->start = prev->vm_start;
		vmg->target = prev;
		vmg->pgoff = prev->vm_pgoff;
		/* No close hooks in the model: next can always be removed. */
	}
	if (!vmg->target) {
		vmg_nomerge(vmg, VETO_INCOMPATIBLE);
		goto nomerge;
	}
	mcase = left && right ? MERGE_NEW_EXPAND_BOTH
		: left	      ? MERGE_NEW_EXPAND_PREV
			      : MERGE_NEW_EXPAND_NEXT;
	EVENT(m, .kind = EV_MERGE, .code = mcase, .fn = "vma_merge_new_range",
	      .v = vmg->target, .o = left && right ? next : NULL);
	/*
	 * The target's outer boundaries: prev's own on the left, next's own
	 * on the right; a side of the range not merged was tried, unless
	 * just_expand never looked at next.
	 */
	tol_prev = left && prev->unmerged_prev;
	tol_next =
		right ? next->unmerged_next
		      : vmg->just_expand && next && next->vm_start == vmg->end;
	if (vma_expand(m, vmg))
		goto nomerge;
	vmg->target->unmerged_prev = tol_prev;
	vmg->target->unmerged_next = tol_next;
	if (!left)
		tried_across(prev, vmg->target);
	if (!right && !vmg->just_expand)
		tried_across(vmg->target, next);
	vmg->state = VMA_MERGE_SUCCESS;
	EV_OUT(m, FN_VMA_MERGE_NEW_RANGE);
	return vmg->target;
nomerge:
	EV_OUT(m, FN_VMA_MERGE_NEW_RANGE);
	return NULL;
}

/*
 * vma_merge_existing_range(): the attributes of [start, end) inside middle
 * are about to change; merge with prev and/or next if they would then be
 * identical.
 *
 *   |<------>|             |<-------->|            |<---->|
 *   PPPP****NNNN           PPPP***VVVV             VVVV***NNNN
 *   both: prev grows,      left: prev grows,       right: next grows down,
 *   middle+next go         middle shrinks/goes     middle shrinks/goes
 *   (old case 6)           (old cases 5, 7)        (old cases 4, 8)
 *
 * A range strictly inside middle (VVV***VVV) can never merge.
 */
static struct vma *vma_merge_existing_range(struct machine *m,
					    struct vma_merge_struct *vmg)
{
	vm_flags_t sticky = vmg->vm_flags & VM_STICKY;
	struct vma *middle = vmg->middle, *prev = vmg->prev, *next;
	struct vma *anon_dup = NULL;
	unsigned long start = vmg->start, end = vmg->end;
	bool left_side = start == middle->vm_start;
	bool right_side = end == middle->vm_end;
	bool merge_left, merge_right, merge_both, tol_prev, tol_next;
	enum merge_case mcase;
	int err = 0;

	vmg->m = m;
	vmg->state = VMA_MERGE_NOMERGE;
	EV_IN(m, FN_VMA_MERGE_EXISTING_RANGE, .v = middle, .addr = start,
	      .len = end - start);
	if (vmg->vm_flags & VM_SPECIAL) {
		vmg_nomerge(vmg, VETO_SPECIAL);
		goto nomerge;
	}
	if (!left_side && !right_side) {
		vmg_nomerge(vmg, VETO_INSIDE);
		goto nomerge;
	}
	merge_left = left_side && can_vma_merge_left(vmg);
	if (left_side && !merge_left && (!prev || prev->vm_end != start))
		NOTE(m, NOTE_NO_PREV_TOUCHING, .v = middle);
	if (right_side) {
		next = vmg->next = vt_next(middle);
		merge_right = can_vma_merge_right(vmg, merge_left);
		if (!merge_right && (!next || next->vm_start != end))
			NOTE(m, NOTE_NO_NEXT_TOUCHING, .v = middle);
	} else {
		merge_right = false;
		next = NULL;
	}
	if (!merge_left && !merge_right) {
		vmg_nomerge(vmg, VETO_INCOMPATIBLE);
		goto nomerge;
	}
	merge_both = merge_left && merge_right;
	vmg->__remove_middle = left_side && right_side;
	vmg->__remove_next = merge_both;

	vma_start_write(m, middle);
	if (merge_right) {
		vma_start_write(m, next);
		vmg->target = next;
		sticky |= next->vm_flags & VM_STICKY;
	}
	if (merge_left) {
		vma_start_write(m, prev);
		vmg->target = prev;
		sticky |= prev->vm_flags & VM_STICKY;
	}

	if (merge_both) {
		/*
		 * |<-------------------->|
		 * |-------********-------|
		 *   prev   middle   next
		 *  extend  delete  delete
		 */
		mcase = MERGE_EXISTING_BOTH;
		vmg->start = prev->vm_start;
		vmg->end = next->vm_end;
		vmg->pgoff = prev->vm_pgoff;
	} else if (merge_left) {
		/*
		 * |<------------>|      OR
		 * |<----------------->|
		 * |-------*************
		 *   prev     middle
		 *  extend shrink/delete
		 */
		mcase = vmg->__remove_middle ? MERGE_EXISTING_LEFT_FULL
					     : MERGE_EXISTING_LEFT_PART;
		vmg->start = prev->vm_start;
		vmg->pgoff = prev->vm_pgoff;
		if (!vmg->__remove_middle)
			vmg->__adjust_middle_start = true;
	} else {
		/*
		 *     |<------------->| OR
		 * |<----------------->|
		 * *************-------|
		 *    middle     next
		 * shrink/delete extend
		 */
		unsigned long pglen = PHYS_PFN(vmg->end - vmg->start);

		mcase = vmg->__remove_middle ? MERGE_EXISTING_RIGHT_FULL
					     : MERGE_EXISTING_RIGHT_PART;
		if (vmg->__remove_middle) {
			vmg->end = next->vm_end;
			vmg->pgoff = next->vm_pgoff - pglen;
		} else {
			/* We shrink middle and expand next. */
			vmg->__adjust_next_start = true;
			vmg->start = middle->vm_start;
			vmg->end = start;
			vmg->pgoff = middle->vm_pgoff;
		}
	}
	EVENT(m, .kind = EV_MERGE, .code = mcase,
	      .fn = "vma_merge_existing_range", .v = vmg->target, .o = middle);
	/* Both sides of the range were tried: the outer ones are kept. */
	tol_prev = merge_left && prev->unmerged_prev;
	tol_next = merge_right && next->unmerged_next;
	if (merge_both)
		err = dup_anon_vma(m, prev, next->anon_vma ? next : middle,
				   &anon_dup);
	else if (merge_left)
		err = dup_anon_vma(m, prev, middle, &anon_dup);
	else
		err = dup_anon_vma(m, next, middle, &anon_dup);
	if (err || commit_merge(m, vmg))
		goto abort;
	vmg->target->unmerged_prev = tol_prev;
	vmg->target->unmerged_next = tol_next;
	if (!merge_left && left_side)
		tried_across(prev, vmg->target);
	if (!merge_right && right_side)
		tried_across(vmg->target, vt_next(vmg->target));
	vma_set_sticky(m, vmg->target, sticky);
	vmg->state = VMA_MERGE_SUCCESS;
	EV_OUT(m, FN_VMA_MERGE_EXISTING_RANGE);
	return vmg->target;

abort:
	NOTE(m, NOTE_MERGE_NOMEM);
	if (anon_dup)
		unlink_anon_vmas(m, anon_dup);
	/* Nothing changed: report ENOMEM unless asked to just give up. */
	if (!vmg->give_up_on_oom)
		vmg->state = VMA_MERGE_ERROR_NOMEM;
	vmg->start = start;
	vmg->end = end;
nomerge:
	EV_OUT(m, FN_VMA_MERGE_EXISTING_RANGE);
	return NULL;
}

/* ---- splitting ---- */

/*
 * __split_vma(): split at addr.  The original struct keeps the part the
 * caller goes on to operate on: [addr, end) if new_below, else [start,
 * addr).  The other part is a new VMA with an identical anon_vma chain.
 */
int __split_vma(struct machine *m, struct vma *v, unsigned long addr,
		int new_below)
{
	struct mm *mm = v->mm;
	struct vma *new = vm_area_dup(m, v);
	unsigned long ostart = v->vm_start, oend = v->vm_end;
	unsigned long opgoff = v->vm_pgoff;

	if (!new)
		return -ENOMEM;
	if (new_below) {
		new->vm_end = addr;
	} else {
		new->vm_start = addr;
		new->vm_pgoff += (addr - v->vm_start) >> PAGE_SHIFT;
	}
	if (vma_iter_prealloc(m) || anon_vma_clone(m, new, v)) {
		vm_area_free(m, new);
		return -ENOMEM;
	}
	if (new->vm_file)
		get_file(new->vm_file);
	EV_IN(m, FN_SPLIT_VMA, .v = v, .addr = addr, .value = new_below);
	vma_start_write(m, v);
	vma_start_write(m, new);
	if (new_below) {
		v->vm_start = addr;
		v->vm_pgoff += (addr - new->vm_start) >> PAGE_SHIFT;
	} else {
		v->vm_end = addr;
	}
	/* The new boundary: the caller now makes the two sides differ. */
	if (new_below)
		new->unmerged_next = v->unmerged_prev = false;
	else
		v->unmerged_next = new->unmerged_prev = false;
	vt_split(&mm->tree, v, new);
	mm->map_count++;
	EVENT(m, .kind = EV_VMA_CHANGE, .code = VMA_CHANGE_SPLIT,
	      .fn = "__split_vma", .v = v, .ostart = ostart, .oend = oend,
	      .opgoff = opgoff);
	EVENT(m, .kind = EV_VMA_NEW, .code = VMA_FROM_SPLIT,
	      .fn = "__split_vma", .v = new, .o = v, .flags = new->vm_flags);
	NOTE(m, NOTE_SPLIT_DONE, .fn = "__split_vma", .v = v, .o = new);
	EV_OUT(m, FN_SPLIT_VMA);
	return 0;
}

/*
 * An operation failed after splitting v from other and will not merge
 * them again: the kernel leaves them so, and the checker must not expect
 * them merged.
 */
static void keep_apart(struct vma *v, struct vma *next)
{
	v->unmerged_next = true;
	next->unmerged_prev = true;
}

/* split_vma(): __split_vma() after the vm.max_map_count check. */
int split_vma(struct machine *m, struct vma *v, unsigned long addr,
	      int new_below)
{
	if (v->mm->map_count >= m->max_map_count) {
		NOTE(m, NOTE_SPLIT_MAX_MAP_COUNT, .fn = "split_vma", .v = v,
		     .value = (unsigned long)v->mm->map_count,
		     .len = (unsigned long)m->max_map_count);
		return -ENOMEM;
	}
	return __split_vma(m, v, addr, new_below);
}

/*
 * vma_modify(): merge if possible, else split off the parts of the VMA
 * outside [start, end).  Merge is tried first.  Returns the VMA that now
 * covers exactly the range (or the merged VMA), or ERR_PTR(-errno).
 */
static struct vma *vma_modify(struct machine *m, struct vma_merge_struct *vmg)
{
	struct vma *v = vmg->middle, *merged;
	unsigned long start = vmg->start, end = vmg->end;
	int err;

	merged = MUTATED(m, MUT_MERGE_BEFORE_SPLIT)
			 ? NULL
			 : vma_merge_existing_range(m, vmg);
	if (merged)
		return merged;
	if (vmg->state == VMA_MERGE_ERROR_NOMEM)
		return ERR_PTR(-ENOMEM);
	if (v->vm_start < start) {
		err = split_vma(m, v, start, 1);
		if (err)
			return ERR_PTR(err);
	}
	if (v->vm_end > end) {
		err = split_vma(m, v, end, 0);
		if (err) {
			/* The first split stays, and nothing merges it. */
			if (v->vm_start == start && vt_prev(v))
				keep_apart(vt_prev(v), v);
			return ERR_PTR(err);
		}
	}
	/* The merge was tried on exactly this range and its neighbours. */
	v->unmerged_prev = v->unmerged_next = false;
	tried_across(vt_prev(v), v);
	tried_across(v, vt_next(v));
	return v;
}

/* VMG_VMA_STATE(): a vmg describing [start, end) of an existing VMA. */
static void vmg_vma_state(struct vma_merge_struct *vmg, struct vma *prev,
			  struct vma *v, unsigned long start, unsigned long end)
{
	memset(vmg, 0, sizeof(*vmg));
	vmg->mm = v->mm;
	vmg->prev = prev;
	vmg->middle = v;
	vmg->start = start;
	vmg->end = end;
	vmg->vm_flags = v->vm_flags;
	vmg->pgoff = v->vm_pgoff + ((start - v->vm_start) >> PAGE_SHIFT);
	vmg->file = v->vm_file;
	vmg->anon_vma = v->anon_vma;
	vmg->state = VMA_MERGE_START;
}

struct vma *vma_modify_flags(struct machine *m, struct vma *prev, struct vma *v,
			     unsigned long start, unsigned long end,
			     vm_flags_t *vm_flags)
{
	struct vma_merge_struct vmg;
	struct vma *ret;

	vmg_vma_state(&vmg, prev, v, start, end);
	vmg.vm_flags = *vm_flags;
	ret = vma_modify(m, &vmg);
	if (IS_ERR(ret))
		return ret;
	/* Sticky flags may have been kept by the merge: pass them on. */
	if (vmg.state == VMA_MERGE_SUCCESS)
		*vm_flags = ret->vm_flags;
	return ret;
}

/* ---- munmap ---- */

/*
 * struct vma_munmap_struct: the VMAs gathered for removal, and totals.
 * The kernel keeps the detached VMAs in a maple tree of their own
 * (mas_detach), whose nodes are allocated as VMAs are added and can fail:
 * here an array grown through eng_zalloc(), which can fail the same way
 * (the first few in an array of the struct's own, behind the same failure
 * point: most unmaps detach one or two VMAs).
 */
#define VMS_INLINE 8

struct vma_munmap_struct {
	unsigned long start, end;
	struct vma *prev, *next;
	struct vma **detached;
	struct vma *detached_inline[VMS_INLINE];
	int nr, cap;
	bool clear_ptes; /* the PTEs of the detached VMAs are still there */
	bool split_start; /* the first VMA was split at start */
	struct vma *split_end; /* the last one, split at end */
	unsigned long nr_pages, locked_vm, nr_accounted;
	unsigned long exec_vm, stack_vm, data_vm;
};

static void init_vma_munmap(struct vma_munmap_struct *vms, unsigned long start,
			    unsigned long end)
{
	memset(vms, 0, sizeof(*vms));
	vms->start = start;
	vms->end = end;
	vms->clear_ptes = true;
}

static void vms_free_detached(struct vma_munmap_struct *vms)
{
	if (vms->detached != vms->detached_inline)
		free(vms->detached);
	vms->detached = NULL;
	vms->nr = vms->cap = 0;
}

/* mas_store_gfp(mas_detach, v): 0, or -ENOMEM. */
static int vms_detach(struct machine *m, struct vma_munmap_struct *vms,
		      struct vma *v)
{
	if (!vms->cap) {
		if (eng_fail_point(m))
			return -ENOMEM;
		vms->detached = vms->detached_inline;
		vms->cap = VMS_INLINE;
	} else if (vms->nr == vms->cap) {
		int cap = 2 * vms->cap;
		struct vma **d = eng_zalloc(m, (size_t)cap * sizeof(*d));

		if (!d)
			return -ENOMEM;
		memcpy(d, vms->detached, (size_t)vms->nr * sizeof(*d));
		if (vms->detached != vms->detached_inline)
			free(vms->detached);
		vms->detached = d;
		vms->cap = cap;
	}
	vms->detached[vms->nr++] = v;
	return 0;
}

/* is_{exec,stack,data}_mapping() (mm/internal.h); VM_STACK is GROWSDOWN */
static bool is_exec_mapping(vm_flags_t f)
{
	return (f & (VM_EXEC | VM_WRITE | VM_GROWSDOWN)) == VM_EXEC;
}

static bool is_stack_mapping(vm_flags_t f)
{
	return (f & VM_GROWSDOWN) == VM_GROWSDOWN;
}

static bool is_data_mapping(vm_flags_t f)
{
	return (f & (VM_WRITE | VM_SHARED | VM_GROWSDOWN)) == VM_WRITE;
}

/* Which of exec_vm, stack_vm and data_vm pages of these flags count in. */
static unsigned long *stat_counter(vm_flags_t flags, unsigned long *exec_vm,
				   unsigned long *stack_vm,
				   unsigned long *data_vm)
{
	if (is_exec_mapping(flags))
		return exec_vm;
	if (is_stack_mapping(flags))
		return stack_vm;
	if (is_data_mapping(flags))
		return data_vm;
	return NULL;
}

/* vm_stat_account() (mm/mmap.c) */
void vm_stat_account(struct mm *mm, vm_flags_t flags, long npages)
{
	unsigned long *c =
		stat_counter(flags, &mm->exec_vm, &mm->stack_vm, &mm->data_vm);

	mm->total_vm += npages;
	if (c)
		*c += npages;
}

/* With RLIMIT_AS and RLIMIT_DATA unlimited, as on the reference machine. */
bool may_expand_vm(struct mm *mm, vm_flags_t flags, unsigned long npages)
{
	(void)mm;
	(void)flags;
	(void)npages;
	return true;
}

unsigned long vm_committed_pages(const struct machine *m)
{
	unsigned long pages = m->shmem_committed;
	const struct vma *v;

	for (const struct proc *p = m->procs; p; p = p->next)
		vt_for_each(&p->mm.tree, v)
		{
			if (v->vm_flags & VM_ACCOUNT)
				pages += vma_pages(v);
		}
	return pages;
}

/*
 * __vm_enough_memory() with vm_committed_as given (before this charge).
 * OVERCOMMIT_GUESS refuses only a single request larger than all of RAM
 * and swap (totalram_pages() + total_swap_pages: MemTotal + SwapTotal);
 * OVERCOMMIT_NEVER keeps the committed total below vm_commit_limit()
 * less the reserves.
 */
int vm_enough_memory_at(struct machine *m, const struct mm *mm, long pages,
			unsigned long committed)
{
	const struct machine_params *p = &m->params;
	long allowed;

	if (p->overcommit_memory == OVERCOMMIT_ALWAYS)
		return 0;
	if (p->overcommit_memory == OVERCOMMIT_GUESS) {
		if (pages > (long)m->mem_pages &&
		    !MUTATED(m, MUT_OVERCOMMIT_GUESS))
			goto error;
		return 0;
	}
	/* vm_commit_limit(): no hugetlb pages here */
	if (p->overcommit_kbytes)
		allowed = (long)(p->overcommit_kbytes / (PAGE_SIZE / 1024));
	else
		allowed = (long)(p->mem_total_kb / (PAGE_SIZE / 1024) *
				 p->overcommit_ratio / 100);
	allowed += (long)(p->swap_total_kb / (PAGE_SIZE / 1024));
	/* Reserve some for root. */
	if (!p->cap_sys_admin)
		allowed -= (long)(p->admin_reserve_kb / (PAGE_SIZE / 1024));
	/* Don't let a single process grow so big a user can't recover. */
	if (mm)
		allowed -= MIN((long)(mm->total_vm / 32),
			       (long)(p->user_reserve_kb / (PAGE_SIZE / 1024)));
	if ((long)committed + pages < allowed)
		return 0;
error:
	NOTE(m, NOTE_OVERCOMMIT, .fn = "__vm_enough_memory",
	     .value = (unsigned long)pages,
	     .len = (unsigned long)p->overcommit_memory);
	return -ENOMEM;
}

int __vm_enough_memory(struct machine *m, const struct mm *mm, long pages)
{
	unsigned long committed = 0;

	if (m->params.overcommit_memory == OVERCOMMIT_NEVER)
		committed = vm_committed_pages(m);
	return vm_enough_memory_at(m, mm, pages, committed);
}

/*
 * reattach_vmas(): put the detached VMAs back in the tree.  The splits
 * made at the range's ends stay, as in the kernel, which does not merge
 * them back (nor must the checker expect it to).
 */
static void reattach_vmas(struct mm *mm, struct vma_munmap_struct *vms)
{
	for (int i = 0; i < vms->nr; i++)
		vt_insert(&mm->tree, vms->detached[i]);
	vms_free_detached(vms);
	if (vms->split_start && vms->prev && vms->prev->vm_end == vms->start &&
	    vt_next(vms->prev))
		keep_apart(vms->prev, vt_next(vms->prev));
	if (vms->split_end && vt_next(vms->split_end))
		keep_apart(vms->split_end, vt_next(vms->split_end));
}

/*
 * vms_gather_munmap_vmas(): split the first and last VMA at the range's
 * ends and take every VMA inside out of the tree, keeping the totals to
 * undo the accounting later.  On failure the VMAs gathered so far go back
 * into the tree, but the splits already made stay, as in the kernel.
 */
static int vms_gather_munmap_vmas(struct machine *m, struct mm *mm,
				  struct vma_munmap_struct *vms,
				  struct vma *first)
{
	struct vma *v, *next = NULL;
	unsigned long *stat;
	int error = 0;

	EV_IN(m, FN_VMS_GATHER_MUNMAP_VMAS, .addr = vms->start,
	      .len = vms->end - vms->start);
	if (vms->start > first->vm_start) {
		/* Only a split in the middle can raise map_count. */
		if (vms->end < first->vm_end &&
		    mm->map_count >= m->max_map_count) {
			NOTE(m, NOTE_GATHER_MAX_MAP_COUNT,
			     .value = (unsigned long)mm->map_count);
			error = -ENOMEM;
			goto out;
		}
		/* Don't bother splitting a VMA that cannot be unmapped. */
		if (!can_modify_vma(first) && !MUTATED(m, MUT_MSEAL_MUNMAP)) {
			NOTE(m, NOTE_SEALED, .fn = "vms_gather_munmap_vmas",
			     .v = first);
			error = -EPERM;
			goto out;
		}
		error = __split_vma(m, first, vms->start, 1);
		if (error)
			goto out;
		vms->split_start = true;
	}
	vms->prev = vt_prev(first);
	for (v = first; v && v->vm_start < vms->end; v = next) {
		if (!can_modify_vma(v) && !MUTATED(m, MUT_MSEAL_MUNMAP)) {
			NOTE(m, NOTE_SEALED, .fn = "vms_gather_munmap_vmas",
			     .v = v);
			error = -EPERM;
			goto reattach;
		}
		if (v->vm_end > vms->end) {
			error = __split_vma(m, v, vms->end, 0);
			if (error)
				goto reattach;
			vms->split_end = v;
		}
		next = vt_next(v);
		vma_start_write(m, v);
		error = vms_detach(m, vms, v);
		if (error)
			goto reattach;
		vt_erase(&mm->tree, v);
		vms->nr_pages += vma_pages(v);
		if (v->vm_flags & VM_LOCKED)
			vms->locked_vm += vma_pages(v);
		if (v->vm_flags & VM_ACCOUNT)
			vms->nr_accounted += vma_pages(v);
		stat = stat_counter(v->vm_flags, &vms->exec_vm, &vms->stack_vm,
				    &vms->data_vm);
		if (stat)
			*stat += vma_pages(v);
	}
	vms->next = next;
	NOTE(m, NOTE_GATHER_DETACHED, .value = (unsigned long)vms->nr);
	goto out;
reattach:
	reattach_vmas(mm, vms);
out:
	EV_OUT(m, FN_VMS_GATHER_MUNMAP_VMAS);
	return error;
}

/* vms_clear_ptes(): zap the pages of the detached VMAs. */
static void vms_clear_ptes(struct machine *m, struct mm *mm,
			   struct vma_munmap_struct *vms)
{
	update_hiwater_rss(mm);
	for (int i = 0; i < vms->nr; i++) {
		struct vma *v = vms->detached[i];

		pages_remove(&mm->pages, v->vm_start, v->vm_end);
		EVENT(m, .kind = EV_ZAP, .fn = "unmap_vmas", .v = v,
		      .addr = v->vm_start, .len = v->vm_end - v->vm_start);
	}
	vms->clear_ptes = false;
}

/* vms_complete_munmap_vmas(): account, zap and free what was gathered. */
static void vms_complete_munmap_vmas(struct machine *m, struct mm *mm,
				     struct vma_munmap_struct *vms)
{
	mm->map_count -= vms->nr;
	mm->locked_vm -= vms->locked_vm;
	if (vms->clear_ptes)
		vms_clear_ptes(m, mm, vms);
	/* Update high watermark before we lower total_vm */
	update_hiwater_vm(mm);
	mm->total_vm -= vms->nr_pages;
	mm->exec_vm -= vms->exec_vm;
	mm->stack_vm -= vms->stack_vm;
	mm->data_vm -= vms->data_vm;
	for (int i = 0; i < vms->nr; i++) {
		struct vma *v = vms->detached[i];

		EVENT(m, .kind = EV_VMA_FREE, .code = VMA_GONE_MUNMAP,
		      .fn = "remove_vma", .v = v);
		unlink_anon_vmas(m, v);
		if (v->vm_file)
			fput(m, v->vm_file);
		vm_area_free(m, v);
	}
	vms_free_detached(vms);
}

/*
 * vms_abort_munmap_vmas(): mmap failed after gathering what it replaces.
 * Before the PTEs were cleared the old VMAs simply go back; after, they
 * cannot, and the kernel completes the unmap, leaving a hole.
 */
static void vms_abort_munmap_vmas(struct machine *m, struct mm *mm,
				  struct vma_munmap_struct *vms)
{
	if (!vms->nr)
		return;
	if (vms->clear_ptes) {
		reattach_vmas(mm, vms);
		return;
	}
	vms_complete_munmap_vmas(m, mm, vms);
}

/* do_vmi_munmap(): munmap() after the argument checks. */
int do_vmi_munmap(struct machine *m, struct mm *mm, unsigned long start,
		  unsigned long len)
{
	struct vma_munmap_struct vms;
	unsigned long end;
	struct vma *v;
	int error;

	if (offset_in_page(start) || start > TASK_SIZE ||
	    len > TASK_SIZE - start)
		return -EINVAL;
	end = start + PAGE_ALIGN(len);
	if (end == start)
		return -EINVAL;
	v = vt_find(&mm->tree, start);
	if (!v || v->vm_start >= end) {
		NOTE(m, NOTE_MUNMAP_NOTHING, .addr = start, .len = end - start);
		return 0;
	}
	/* What unmapping v reads next, each otherwise a wait of its own:
	 * its anon_vma and chain (unlink_anon_vmas), its pages. */
	__builtin_prefetch(v->anon_vma_chain);
	__builtin_prefetch(v->anon_vma);
	pages_prefetch(&mm->pages, v->vm_start);
	init_vma_munmap(&vms, start, end);
	error = vms_gather_munmap_vmas(m, mm, &vms, v);
	if (error)
		return error;
	vms_complete_munmap_vmas(m, mm, &vms);
	return 0;
}

/* ---- mmap_region ---- */

/*
 * struct mmap_state (mm/vma.c): what __mmap_region() knows about the
 * mapping it is making, threaded through __mmap_setup(), __mmap_new_vma()
 * and __mmap_complete().
 */
struct mmap_state {
	struct machine *m;
	struct mm *mm;
	unsigned long addr, end, pgoff, pglen;
	vm_flags_t vm_flags;
	struct vm_file *file;
	unsigned long charged;
	struct vma *prev, *next;
	struct vma_munmap_struct vms; /* what MAP_FIXED replaces */
};

/* accountable_mapping(): private writable mappings are charged. */
static bool accountable_mapping(vm_flags_t vm_flags)
{
	return (vm_flags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) == VM_WRITE;
}

void vma_link_new(struct machine *m, struct mm *mm, struct vma *v)
{
	vma_start_write(m, v);
	vt_insert(&mm->tree, v);
	mm->map_count++;
}

/*
 * __mmap_setup(): gather (and split) what the new range replaces, find
 * prev and next as they will be after the unmap, charge, and clear the
 * old PTEs while the VMAs are detached.
 */
static int __mmap_setup(struct mmap_state *map)
{
	struct machine *m = map->m;
	struct mm *mm = map->mm;
	struct vma_munmap_struct *vms = &map->vms;
	struct vma *first = vt_find(&mm->tree, map->addr);
	int error;

	init_vma_munmap(vms, map->addr, map->end);
	if (first && first->vm_start < map->end) {
		error = vms_gather_munmap_vmas(m, mm, vms, first);
		if (error)
			return error;
		map->prev = vms->prev;
		map->next = vms->next;
	} else {
		map->next = first;
		map->prev = vt_find_prev(&mm->tree, map->addr);
		/* The merge checks read prev; first is on its way. */
		__builtin_prefetch(map->prev);
	}
	if (!may_expand_vm(mm, map->vm_flags, map->pglen - vms->nr_pages))
		return -ENOMEM;
	if (accountable_mapping(map->vm_flags)) {
		map->charged = map->pglen - vms->nr_accounted;
		/* What MAP_FIXED replaces is still committed until the
		 * unmap completes: detached, so not in the tree's count. */
		if (map->charged &&
		    vm_enough_memory_at(
			    m, mm, (long)map->charged,
			    m->params.overcommit_memory == OVERCOMMIT_NEVER
				    ? vm_committed_pages(m) + vms->nr_accounted
				    : 0))
			return -ENOMEM;
		vms->nr_accounted = 0;
		map->vm_flags |= VM_ACCOUNT;
	}
	/* vms_clean_up_area(): clear the old PTEs while VMAs are detached. */
	vms_clear_ptes(m, mm, vms);
	return 0;
}

/* __mmap_new_vma(): no merge was possible; make a VMA for the range. */
static int __mmap_new_vma(struct mmap_state *map, struct vma **vmap)
{
	struct machine *m = map->m;
	struct vm_file *file = map->file;
	struct vma *v;

	if (map->vm_flags & VM_HUGETLB) {
		/* hugetlb_reserve_pages(): vm.nr_hugepages is 0 here. */
		NOTE(m, NOTE_HUGETLB_NOMEM);
		return -ENOMEM;
	}
	v = vm_area_alloc(m, map->mm);
	if (!v)
		return -ENOMEM;
	vma_set_range(v, map->addr, map->end, map->pgoff);
	v->vm_flags = map->vm_flags;
	if (vma_iter_prealloc(m)) {
		vm_area_free(m, v);
		return -ENOMEM;
	}
	if (file) {
		/*
		 * The file's mmap hook runs here, after any MAP_FIXED unmap.
		 * ext4_file_mmap() refuses VM_SYNC on a file that is not DAX.
		 */
		if (map->vm_flags & VM_SYNC) {
			NOTE(m, NOTE_VM_SYNC);
			vm_area_free(m, v);
			return -EOPNOTSUPP;
		}
		v->vm_file = file;
		get_file(file);
	} else if (map->vm_flags & VM_SHARED) {
		/* shmem_acct_size(): the whole object is charged, whatever
		 * the protection, unless VM_NORESERVE. */
		unsigned long acct = 0;

		if (!(map->vm_flags & VM_NORESERVE)) {
			acct = map->pglen;
			if (__vm_enough_memory(m, map->mm, (long)acct)) {
				vm_area_free(m, v);
				return -ENOMEM;
			}
		}
		v->vm_file = shmem_zero_setup(m, map->end - map->addr);
		v->vm_file->inode->acct_pages = acct;
		m->shmem_committed += acct;
		NOTE(m, NOTE_SHMEM_SETUP, .value = v->vm_file->inode->ino);
	}
	EVENT(m, .kind = EV_VMA_NEW, .code = VMA_FROM_MMAP,
	      .fn = "__mmap_new_vma", .v = v, .flags = v->vm_flags);
	vma_link_new(m, map->mm, v);
	*vmap = v;
	return 0;
}

/* __mmap_complete(): finish the unmap, account, and lock if asked. */
static void __mmap_complete(struct mmap_state *map, struct vma *v)
{
	struct mm *mm = map->mm;

	vms_complete_munmap_vmas(map->m, mm, &map->vms);
	vm_stat_account(mm, v->vm_flags, map->pglen);
	/*
	 * What mlock_fixup() would not lock keeps no VM_LOCKED from mmap
	 * either (MCL_FUTURE's def_flags): special, hugetlb and droppable
	 * VMAs.  do_mmap() decided to populate before this, so a droppable
	 * mapping is still faulted in (mmap-droppable-mlockall.vml).
	 */
	if (v->vm_flags & VM_LOCKED) {
		if (v->vm_flags & (VM_SPECIAL | VM_HUGETLB | VM_DROPPABLE))
			v->vm_flags &= ~VM_LOCKED_MASK;
		else
			mm->locked_vm += map->pglen;
	}
}

/*
 * __mmap_region(): unmap what is in the way (MAP_FIXED), charge, then merge
 * with a neighbour or make a new VMA.
 */
unsigned long mmap_region(struct machine *m, struct vm_file *file,
			  unsigned long addr, unsigned long len,
			  vm_flags_t vm_flags, unsigned long pgoff)
{
	struct mmap_state map = {
		.m = m,
		.mm = cur_mm(m),
		.addr = addr,
		.end = addr + len,
		.pgoff = pgoff,
		.pglen = PHYS_PFN(len),
		.vm_flags = vm_flags,
		.file = file,
	};
	struct vma *v = NULL;
	bool nomem = false;
	int error;

	error = __mmap_setup(&map);
	if (error)
		goto abort_munmap;
	if ((map.prev || map.next) && !MUTATED(m, MUT_MERGE_NEW_RANGE)) {
		struct vma_merge_struct vmg = {
			.mm = map.mm,
			.start = map.addr,
			.end = map.end,
			.vm_flags = map.vm_flags,
			.pgoff = map.pgoff,
			.file = map.file,
			.prev = map.prev,
			.next = map.next,
		};

		v = vma_merge_new_range(m, &vmg);
		nomem = !v && vmg.target; /* it chose a target, then failed */
	}
	if (!v) {
		error = __mmap_new_vma(&map, &v);
		if (error)
			goto abort_munmap;
		/* The merge ran out of memory: a new VMA beside its match. */
		v->unmerged_prev = v->unmerged_next = nomem;
		if (!nomem) {
			tried_across(vt_prev(v), v);
			tried_across(v, vt_next(v));
		}
	}
	__mmap_complete(&map, v);
	return addr;

abort_munmap:
	vms_abort_munmap_vmas(m, map.mm, &map.vms);
	return (unsigned long)(long)error;
}

/* ---- brk ---- */

/*
 * do_brk_flags() (mm/vma.c): the heap grows by [addr, addr + len).  The
 * brk VMA below (vma, found by brk() no lower than start_brk) is expanded
 * in place when it ends at addr and vma_merge_new_range() in its
 * just_expand mode allows; the VMA after is never looked at.  Otherwise a
 * new anonymous VMA is made, pgoff addr >> PAGE_SHIFT.
 *
 *       <-->              <-->            <-->
 *   HHHH         ->   HHHHHHHH        HHHH    (no prev)     HHHH  HHHH
 *   expand prev in place          (prev ends short, or differs: new vma)
 *
 * The flags are VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT | mm->def_flags, so
 * MCL_FUTURE's VM_LOCKED comes along.  The kernel then sets VM_SOFTDIRTY,
 * which is 0 here (vma.h) and which merging ignores anyway.
 */
int do_brk_flags(struct machine *m, struct vma *vma, unsigned long addr,
		 unsigned long len, vm_flags_t vm_flags)
{
	struct mm *mm = cur_mm(m);
	struct vma *v = NULL;
	int ret = 0;

	EV_IN(m, FN_DO_BRK_FLAGS, .v = vma, .addr = addr, .len = len);
	vm_flags |= VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT | mm->def_flags;
	if (!may_expand_vm(mm, vm_flags, len >> PAGE_SHIFT) ||
	    mm->map_count > m->max_map_count ||
	    __vm_enough_memory(m, mm, (long)(len >> PAGE_SHIFT))) {
		ret = -ENOMEM;
		goto out;
	}
	if (vma && vma->vm_end == addr) {
		struct vma_merge_struct vmg = {
			.mm = mm,
			.start = addr,
			.end = addr + len,
			.vm_flags = vm_flags,
			.pgoff = PHYS_PFN(addr),
			.prev = vma,
			.just_expand = true,
		};

		v = vma_merge_new_range(m, &vmg);
		if (!v && vmg.state == VMA_MERGE_ERROR_NOMEM) {
			ret = -ENOMEM;
			goto out;
		}
	}
	if (!v) {
		v = vm_area_alloc(m, mm);
		if (!v) {
			ret = -ENOMEM;
			goto out;
		}
		vma_set_range(v, addr, addr + len, PHYS_PFN(addr));
		v->vm_flags = vm_flags;
		if (vma_iter_prealloc(m)) {
			vm_area_free(m, v);
			ret = -ENOMEM;
			goto out;
		}
		EVENT(m, .kind = EV_VMA_NEW, .code = VMA_FROM_BRK,
		      .fn = "do_brk_flags", .v = v, .flags = v->vm_flags);
		vma_link_new(m, mm, v);
		/*
		 * No merge was tried with the VMA before unless it was the
		 * brk VMA and ended at addr: a compatible VMA ending at
		 * start_brk stays apart.  Nothing can touch the end (brk
		 * keeps a page free above the break).
		 */
		if (vma && vma->vm_end == addr)
			tried_across(vma, v);
		else if (vt_prev(v) && vt_prev(v)->vm_end == addr)
			keep_apart(vt_prev(v), v);
	}
	mm->total_vm += len >> PAGE_SHIFT;
	mm->data_vm += len >> PAGE_SHIFT;
	if (vm_flags & VM_LOCKED)
		mm->locked_vm += len >> PAGE_SHIFT;
out:
	EV_OUT(m, FN_DO_BRK_FLAGS);
	return ret;
}

/* ---- anon_vma reuse on first fault ---- */

/*
 * anon_vma_compatible(): adjacent, same file, flags differing only in what
 * mprotect changes, and linear pgoff.
 */
static bool anon_vma_compatible(const struct machine *m, const struct vma *a,
				const struct vma *b)
{
	vm_flags_t ignore = MUTATED(m, MUT_ANON_VMA_REUSE_FLAGS)
				    ? VM_IGNORE_MERGE
				    : VM_ACCESS_FLAGS | VM_IGNORE_MERGE;

	return a->vm_end == b->vm_start && a->vm_file == b->vm_file &&
	       !((a->vm_flags ^ b->vm_flags) & ~ignore) &&
	       (b->vm_pgoff == a->vm_pgoff + ((b->vm_start - a->vm_start) >>
					      PAGE_SHIFT) ||
		MUTATED(m, MUT_ANON_VMA_REUSE_PGOFF));
}

/* reusable_anon_vma(): old's anon_vma, if old never went through fork. */
static struct anon_vma *reusable_anon_vma(const struct machine *m,
					  struct vma *old, struct vma *a,
					  struct vma *b)
{
	if (MUTATED(m, MUT_ANON_VMA_REUSE))
		return NULL;
	if (anon_vma_compatible(m, a, b) && old->anon_vma &&
	    (anon_vma_chain_singular(old) ||
	     MUTATED(m, MUT_ANON_VMA_REUSE_SINGULAR)))
		return old->anon_vma;
	return NULL;
}

/* find_mergeable_anon_vma(): try next first, then prev. */
struct anon_vma *find_mergeable_anon_vma(struct machine *m, struct vma *v)
{
	struct vma *next = vt_next(v), *prev = vt_prev(v);
	struct anon_vma *av = NULL;

	if (next) {
		av = reusable_anon_vma(m, next, v, next);
		if (av)
			return av;
	}
	if (prev)
		av = reusable_anon_vma(m, prev, prev, v);
	return av;
}

/* ---- explaining a boundary ---- */

/*
 * vma_merge_blockers(): why prev and next, neighbours in one mm, are two
 * VMAs.  It asks the merge's own predicates what can_vma_merge_left()
 * would say if next's range were merged into prev with next's attributes
 * (VMG_VMA_STATE of next, as mprotect of next would build it), so that it
 * cannot disagree with a real merge.  VETO_NONE: they could merge.
 */
enum merge_veto vma_merge_blockers(const struct vma *prev,
				   const struct vma *next, vm_flags_t *diff)
{
	struct vma_merge_struct vmg;

	*diff = (prev->vm_flags ^ next->vm_flags) & ~VM_IGNORE_MERGE;
	if (prev->vm_end != next->vm_start)
		return VETO_NOT_ADJACENT;
	if ((prev->vm_flags | next->vm_flags) & VM_SPECIAL)
		return VETO_SPECIAL;
	vmg_vma_state(&vmg, (struct vma *)prev, (struct vma *)next,
		      next->vm_start, next->vm_end);
	return can_vma_merge_left(&vmg) ? VETO_NONE : vmg.veto;
}

/* ---- mremap's side: growing in place and the destination of a move ---- */

/*
 * vma_merge_extend(): mremap grows v in place by delta: a new range
 * [vm_end, vm_end + delta) merged into v (its prev), and into next too
 * when the growth reaches it and next fits:
 *
 *        <-->                   <-->
 *   VVVV         NNNN      VVVV    NNNN
 *   VVVVVVVV     NNNN      VVVVVVVVVVVV   (expand prev, remove next)
 *
 * The vmg takes v's attributes (VMG_VMA_STATE) but no middle.  NULL when
 * no merge was made (VM_SPECIAL, or out of memory): mremap says ENOMEM.
 */
struct vma *vma_merge_extend(struct machine *m, struct vma *v,
			     unsigned long delta)
{
	struct vma_merge_struct vmg;

	vmg_vma_state(&vmg, v, v, v->vm_end, v->vm_end + delta);
	vmg.next = vt_next(v);
	vmg.middle = NULL; /* v populates the vmg's fields only */
	return vma_merge_new_range(m, &vmg);
}

/*
 * copy_vma(): the destination of a move, [addr, addr + len) at pgoff,
 * made like *vmap.  vma_merge_copied_range() first: copied_from is the
 * source, there is no middle, and the source's anon_vma goes with the
 * range.  An unfaulted anonymous VMA has no pages whose index must be
 * kept, so its pgoff is reset to addr >> PAGE_SHIFT, as a new mapping
 * there would have, which lets it merge with its new neighbours:
 *
 *   PPPP(faulted)    VVVV(unfaulted)    ->   PPPPVVVV merged: one VMA
 *
 * A faulted one keeps its pgoff (its pages' index in the anon_vma), and
 * merges only where that pgoff happens to be linear.  If the destination
 * merged into the source itself, *vmap becomes the merged VMA.  NULL when
 * out of memory.
 */
struct vma *copy_vma(struct machine *m, struct vma **vmap, unsigned long addr,
		     unsigned long len, unsigned long pgoff)
{
	struct vma *vma = *vmap, *new_vma;
	struct mm *mm = vma->mm;
	unsigned long vma_start = vma->vm_start;
	struct vma_merge_struct vmg;
	int why_pgoff = vma->vm_file ? 0 : 2; /* kept: file offset, index */
	bool nomem;

	EV_IN(m, FN_COPY_VMA, .v = vma, .addr = addr, .len = len);
	vmg_vma_state(&vmg, NULL, vma, addr, addr + len);
	if (vma_is_anonymous(vma) && !vma->anon_vma &&
	    !MUTATED(m, MUT_MREMAP_PGOFF)) {
		pgoff = addr >> PAGE_SHIFT;
		why_pgoff = 1;
	}
	NOTE(m, NOTE_COPY_VMA_PGOFF, .fn = "copy_vma", .v = vma, .addr = pgoff,
	     .value = (unsigned long)why_pgoff);
	vmg.prev = vt_find_prev(&mm->tree, addr);
	vmg.next = vt_find(&mm->tree, addr);
	vmg.pgoff = pgoff;
	/* vma_merge_copied_range() */
	vmg.copied_from = vmg.middle;
	vmg.middle = NULL;
	new_vma = vma_merge_new_range(m, &vmg);
	if (new_vma) {
		bool self = vma_start >= new_vma->vm_start &&
			    vma_start < new_vma->vm_end;

		/* Only an unfaulted VMA, its pgoff made linear, merges
		 * with itself. */
		if (self)
			*vmap = new_vma;
		NOTE(m, NOTE_COPY_VMA_MERGED, .fn = "copy_vma", .v = new_vma,
		     .value = self);
		EV_OUT(m, FN_COPY_VMA);
		return new_vma;
	}
	nomem = vmg.state == VMA_MERGE_ERROR_NOMEM;
	new_vma = vm_area_dup(m, vma);
	if (!new_vma)
		goto out;
	vma_set_range(new_vma, addr, addr + len, pgoff);
	if (anon_vma_clone(m, new_vma, vma)) {
		vm_area_free(m, new_vma);
		new_vma = NULL;
		goto out;
	}
	/* vma_link(): the tree's preallocation can fail too */
	if (vma_iter_prealloc(m)) {
		unlink_anon_vmas(m, new_vma);
		vm_area_free(m, new_vma);
		new_vma = NULL;
		goto out;
	}
	if (new_vma->vm_file)
		get_file(new_vma->vm_file);
	EVENT(m, .kind = EV_VMA_NEW, .code = VMA_FROM_MREMAP, .fn = "copy_vma",
	      .v = new_vma, .o = vma, .flags = new_vma->vm_flags);
	vma_link_new(m, mm, new_vma);
	new_vma->unmerged_prev = new_vma->unmerged_next = nomem;
	if (!nomem) {
		tried_across(vt_prev(new_vma), new_vma);
		tried_across(new_vma, vt_next(new_vma));
	}
out:
	EV_OUT(m, FN_COPY_VMA);
	return new_vma;
}

/*
 * A VMA's flags or anon_vma changed without a merge being tried (mremap's
 * dontunmap_complete): it may now match a neighbour it stays apart from.
 */
void vma_changed_unmerged(struct vma *v)
{
	struct vma *prev = vt_prev(v), *next = vt_next(v);

	if (prev && prev->vm_end == v->vm_start)
		keep_apart(prev, v);
	if (next && v->vm_end == next->vm_start)
		keep_apart(v, next);
}
