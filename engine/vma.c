/*
 * vma.c - merging, splitting and unmapping VMAs, after mm/vma.c.
 *
 * The decisions live in small predicates over a state object, struct
 * vma_merge_struct ("vmg"), exactly as in the kernel: is_mergeable_vma(),
 * is_mergeable_anon_vma(), can_vma_merge_{before,after,left,right}(), then
 * vma_merge_new_range() for new mappings and vma_merge_existing_range() for
 * attribute changes, both committed by vma_expand()/commit_merge().
 *
 * Every predicate that says no records why, so the trace can explain each
 * refused merge in the kernel's terms.  Comments draw the cases as the
 * kernel's do: P = prev, V = middle (the VMA being changed), N = next,
 * * = the range.
 */
#include <stdio.h>
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
	FLAG(VM_MERGEABLE),    FLAG(VM_DROPPABLE),
};
#undef FLAG

const char *vm_flag_name(vm_flags_t bit)
{
	for (size_t i = 0; i < ARRAY_SIZE(flag_names); i++)
		if (flag_names[i].flag == bit)
			return flag_names[i].name;
	return NULL;
}

/* "VM_WRITE|VM_ACCOUNT": the names of the bits in f. */
static const char *flag_list(vm_flags_t f, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(flag_names) && n < len; i++)
		if (f & flag_names[i].flag)
			n += snprintf(buf + n, len - n, "%s%s", n ? "|" : "",
				      flag_names[i].name);
	if (!n)
		snprintf(buf, len, "%#lx", f);
	return buf;
}

const char *vma_name(const struct vma *v, char *buf, size_t len)
{
	snprintf(buf, len, "%lx-%lx", v->vm_start, v->vm_end);
	return buf;
}

/*
 * vma_iter_prealloc(): the maple tree preallocates nodes before a change
 * and this can fail.  There is no maple tree here, but the failure point is
 * kept so that tests can check every ENOMEM path changes nothing.
 */
static int vma_iter_prealloc(struct machine *m)
{
	void *p = eng_zalloc(m, 1);

	if (!p)
		return -ENOMEM;
	free(p);
	return 0;
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

/* Was this VMA ever forked from a parent (vma_is_fork_child)? */
static bool vma_is_fork_child(const struct vma *v)
{
	return v && v->anon_vma && !anon_vma_chain_singular(v);
}

static struct vma *vmg_tgt(struct vma_merge_struct *vmg, bool merge_next)
{
	return merge_next ? vmg->next : vmg->prev;
}

static bool is_mergeable_vma(struct vma_merge_struct *vmg, bool merge_next,
			     char *why, size_t len)
{
	struct vma *v = vmg_tgt(vmg, merge_next);
	vm_flags_t diff = (v->vm_flags ^ vmg->vm_flags) & ~VM_IGNORE_MERGE;
	char fl[160];

	if (diff) {
		snprintf(why, len, "vm_flags differ (%s)",
			 flag_list(diff, fl, sizeof(fl)));
		return false;
	}
	if (v->vm_file != vmg->file) {
		if (!v->vm_file || !vmg->file)
			snprintf(why, len, "one is file-backed, one is not");
		else if (v->vm_file->inode != vmg->file->inode)
			snprintf(why, len, "different files");
		else
			snprintf(why, len,
				 "different struct file "
				 "(opened separately)");
		return false;
	}
	return true;
}

static bool is_mergeable_anon_vma(struct vma_merge_struct *vmg, bool merge_next,
				  char *why, size_t len)
{
	struct vma *tgt = vmg_tgt(vmg, merge_next);
	struct vma *src = vmg->middle;
	struct anon_vma *tgt_anon = tgt->anon_vma;
	struct anon_vma *src_anon = vmg->anon_vma;

	/* Case 1 - we will dup_anon_vma() from src into tgt. */
	if (!tgt_anon && src_anon) {
		if (vma_is_fork_child(src)) {
			snprintf(why, len,
				 "range is a fork child (anon_vma "
				 "chain not singular), target unfaulted");
			return false;
		}
		if (vma_is_fork_child(vmg->copied_from)) {
			snprintf(why, len, "copied-from VMA is a fork child");
			return false;
		}
		return true;
	}
	/* Case 2 - we will simply use tgt's anon_vma. */
	if (tgt_anon && !src_anon) {
		if (vma_is_fork_child(tgt)) {
			snprintf(why, len,
				 "target is a fork child (anon_vma "
				 "chain not singular), range unfaulted");
			return false;
		}
		return true;
	}
	/* Case 3 - the anon_vma's are already shared. */
	if (src_anon != tgt_anon) {
		snprintf(why, len,
			 "anon_vma differs and both faulted "
			 "(av%u vs av%u)",
			 src_anon->id, tgt_anon->id);
		return false;
	}
	return true;
}

/*
 * can_vma_merge_before(): can the range go in front of next (lower address
 * and lower file offset)?
 */
static bool can_vma_merge_before(struct machine *m,
				 struct vma_merge_struct *vmg)
{
	unsigned long pglen = PHYS_PFN(vmg->end - vmg->start);
	char why[200];

	if (!is_mergeable_vma(vmg, true, why, sizeof(why)) ||
	    !is_mergeable_anon_vma(vmg, true, why, sizeof(why))) {
		trace(m, "can_vma_merge_before(next %s): no: %s", VN(vmg->next),
		      why);
		return false;
	}
	if (vmg->next->vm_pgoff != vmg->pgoff + pglen) {
		trace(m,
		      "can_vma_merge_before(next %s): no: pgoff not "
		      "contiguous (next %#lx, range ends at %#lx)",
		      VN(vmg->next), vmg->next->vm_pgoff, vmg->pgoff + pglen);
		return false;
	}
	trace(m, "can_vma_merge_before(next %s): yes", VN(vmg->next));
	return true;
}

/* can_vma_merge_after(): can the range follow prev? */
static bool can_vma_merge_after(struct machine *m, struct vma_merge_struct *vmg)
{
	struct vma *prev = vmg->prev;
	char why[200];

	if (!is_mergeable_vma(vmg, false, why, sizeof(why)) ||
	    !is_mergeable_anon_vma(vmg, false, why, sizeof(why))) {
		trace(m, "can_vma_merge_after(prev %s): no: %s", VN(prev), why);
		return false;
	}
	if (prev->vm_pgoff + vma_pages(prev) != vmg->pgoff) {
		trace(m,
		      "can_vma_merge_after(prev %s): no: pgoff not "
		      "contiguous (prev ends at %#lx, range %#lx)",
		      VN(prev), prev->vm_pgoff + vma_pages(prev), vmg->pgoff);
		return false;
	}
	trace(m, "can_vma_merge_after(prev %s): yes", VN(prev));
	return true;
}

static bool can_vma_merge_left(struct machine *m, struct vma_merge_struct *vmg)
{
	return vmg->prev && vmg->prev->vm_end == vmg->start &&
	       can_vma_merge_after(m, vmg);
}

/*
 * can_vma_merge_right(): next must also be compatible with prev when both
 * sides merge, since prev and next each accepting the range does not make
 * their anon_vmas compatible with each other.
 */
static bool can_vma_merge_right(struct machine *m, struct vma_merge_struct *vmg,
				bool can_merge_left)
{
	struct vma *next = vmg->next, *prev = vmg->prev;

	if (!next || vmg->end != next->vm_start ||
	    !can_vma_merge_before(m, vmg))
		return false;
	if (!can_merge_left)
		return true;
	if (!prev->anon_vma || !next->anon_vma ||
	    prev->anon_vma == next->anon_vma)
		return true;
	trace(m,
	      "can_vma_merge_right: no: prev and next have different "
	      "anon_vmas (av%u vs av%u)",
	      prev->anon_vma->id, next->anon_vma->id);
	return false;
}

/* ---- committing a merge ---- */

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
		trace(m, "dup_anon_vma(dst %s, src %s): anon_vma av%u", VN(dst),
		      VN(src), dst->anon_vma->id);
		*dup = dst;
	}
	return 0;
}

/* vma_complete(): free the VMAs a merge removed. */
static void remove_merged_vma(struct machine *m, struct vma *v)
{
	struct mm *mm = v->mm;

	trace(m, "vma_complete: remove vma %s", VN(v));
	if (v->vm_file)
		fput(m, v->vm_file);
	unlink_anon_vmas(m, v);
	mm->map_count--;
	vm_area_free(m, v);
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
	/* Take removed VMAs out of the tree before ranges grow over them. */
	if (remove)
		vt_erase(&mm->tree, remove);
	if (remove2)
		vt_erase(&mm->tree, remove2);
	trace(m, "commit_merge: vma %s becomes %lx-%lx pgoff %#lx", VN(v),
	      vmg->start, vmg->end, vmg->pgoff);
	vma_set_range(v, vmg->start, vmg->end, vmg->pgoff);
	if (adjust) {
		trace(m, "commit_merge: vma %s now starts at %lx pgoff %#lx",
		      VN(adjust), vmg->end, pgoff);
		vma_set_range(adjust, vmg->end, adjust->vm_end, pgoff);
	}
	vt_update(&mm->tree, v);
	if (adjust)
		vt_update(&mm->tree, adjust);
	if (remove)
		remove_merged_vma(m, remove);
	if (remove2)
		remove_merged_vma(m, remove2);
	return 0;
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

	vma_start_write(m, target);
	if (next && target != next && vmg->end == next->vm_end)
		remove_next = true;
	sticky = (vmg->vm_flags | target->vm_flags) & VM_STICKY;
	if (remove_next)
		sticky |= next->vm_flags & VM_STICKY;
	trace(m, "vma_expand(vma %s) to %lx-%lx%s", VN(target), vmg->start,
	      vmg->end, remove_next ? ", removing next" : "");
	trace_enter(m);
	if (remove_next)
		ret = dup_anon_vma(m, target, next, &anon_dup);
	if (!ret && vmg->copied_from)
		ret = dup_anon_vma(m, target, vmg->copied_from, &anon_dup);
	if (ret) {
		trace_leave(m);
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
		trace_leave(m);
		return -ENOMEM;
	}
	target->vm_flags |= sticky;
	trace_leave(m);
	return 0;
}

/*
 * vma_merge_new_range(): a new range [start, end) that is empty is about to
 * be mapped.
 *
 *       ****              ****              ****
 *   PPPP    NNNN      PPPP    NNNN      PPPP    NNNN
 *   PPPPPPPPNNNN      PPPPNNNNNNNN      PPPPPPPPPPPP
 *   expand prev       expand next       expand prev, remove next
 *
 * Returns the expanded VMA, or NULL if the caller must make a new one.
 */
struct vma *vma_merge_new_range(struct machine *m, struct vma_merge_struct *vmg)
{
	struct vma *prev = vmg->prev, *next = vmg->next;
	unsigned long end = vmg->end;
	bool left, right;
	const char *what;

	vmg->state = VMA_MERGE_NOMERGE;
	trace(m, "vma_merge_new_range(%lx-%lx)", vmg->start, vmg->end);
	trace_enter(m);
	if (vmg->vm_flags & VM_SPECIAL) {
		trace(m, "no merge: VM_SPECIAL never merges");
		goto nomerge;
	}
	if (!prev && !next) {
		trace(m, "no merge: no prev and no next");
		goto nomerge;
	}
	if (prev && prev->vm_end != vmg->start)
		trace(m, "prev %s does not touch the range", VN(prev));
	left = can_vma_merge_left(m, vmg);
	if (vmg->just_expand) {
		right = false;
	} else {
		if (next && next->vm_start != vmg->end)
			trace(m, "next %s does not touch the range", VN(next));
		right = can_vma_merge_right(m, vmg, left);
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
		(void)end;
	}
	if (!vmg->target) {
		trace(m, "no merge: no compatible neighbour");
		goto nomerge;
	}
	what = left && right ? "case expand prev, remove next"
	       : left	     ? "case expand prev"
			     : "case expand next";
	trace(m, "%s", what);
	if (vma_expand(m, vmg))
		goto nomerge;
	vmg->state = VMA_MERGE_SUCCESS;
	trace_leave(m);
	return vmg->target;
nomerge:
	trace_leave(m);
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
	bool merge_left, merge_right, merge_both;
	int err = 0;

	vmg->state = VMA_MERGE_NOMERGE;
	trace(m, "vma_merge_existing_range(vma %s, %lx-%lx)", VN(middle), start,
	      end);
	trace_enter(m);
	if (vmg->vm_flags & VM_SPECIAL) {
		trace(m, "no merge: VM_SPECIAL never merges");
		goto nomerge;
	}
	if (!left_side && !right_side) {
		trace(m, "no merge: range is strictly inside the VMA");
		goto nomerge;
	}
	merge_left = left_side && can_vma_merge_left(m, vmg);
	if (left_side && !merge_left && (!prev || prev->vm_end != start))
		trace(m, "no prev touching the range");
	if (right_side) {
		next = vmg->next = vt_next(middle);
		merge_right = can_vma_merge_right(m, vmg, merge_left);
		if (!merge_right && (!next || next->vm_start != end))
			trace(m, "no next touching the range");
	} else {
		merge_right = false;
		next = NULL;
	}
	if (!merge_left && !merge_right) {
		trace(m, "no merge: no compatible neighbour");
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
		trace(m, "case merge both: prev extends over middle and next");
		vmg->start = prev->vm_start;
		vmg->end = next->vm_end;
		vmg->pgoff = prev->vm_pgoff;
		err = dup_anon_vma(m, prev, next->anon_vma ? next : middle,
				   &anon_dup);
	} else if (merge_left) {
		/*
		 * |<------------>|      OR
		 * |<----------------->|
		 * |-------*************
		 *   prev     middle
		 *  extend shrink/delete
		 */
		trace(m, "case merge left: prev extends, middle %s",
		      vmg->__remove_middle ? "is deleted" : "shrinks");
		vmg->start = prev->vm_start;
		vmg->pgoff = prev->vm_pgoff;
		if (!vmg->__remove_middle)
			vmg->__adjust_middle_start = true;
		err = dup_anon_vma(m, prev, middle, &anon_dup);
	} else {
		/*
		 *     |<------------->| OR
		 * |<----------------->|
		 * *************-------|
		 *    middle     next
		 * shrink/delete extend
		 */
		unsigned long pglen = PHYS_PFN(vmg->end - vmg->start);

		trace(m, "case merge right: next extends down, middle %s",
		      vmg->__remove_middle ? "is deleted" : "shrinks");
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
		err = dup_anon_vma(m, next, middle, &anon_dup);
	}
	if (err || commit_merge(m, vmg))
		goto abort;
	vmg->target->vm_flags |= sticky;
	vmg->state = VMA_MERGE_SUCCESS;
	trace_leave(m);
	return vmg->target;

abort:
	trace(m, "merge aborted: out of memory");
	if (anon_dup)
		unlink_anon_vmas(m, anon_dup);
	/* Nothing changed: report ENOMEM unless asked to just give up. */
	if (!vmg->give_up_on_oom)
		vmg->state = VMA_MERGE_ERROR_NOMEM;
	vmg->start = start;
	vmg->end = end;
nomerge:
	trace_leave(m);
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
	trace(m, "__split_vma(vma %s, addr %lx, new_below=%d)", VN(v), addr,
	      new_below);
	trace_enter(m);
	vma_start_write(m, v);
	vma_start_write(m, new);
	if (new_below) {
		v->vm_start = addr;
		v->vm_pgoff += (addr - new->vm_start) >> PAGE_SHIFT;
	} else {
		v->vm_end = addr;
	}
	vt_update(&mm->tree, v);
	vt_insert(&mm->tree, new);
	mm->map_count++;
	trace(m, "vma %s keeps pgoff %#lx; new vma %s pgoff %#lx", VN(v),
	      v->vm_pgoff, VN(new), new->vm_pgoff);
	trace_leave(m);
	return 0;
}

/* split_vma(): __split_vma() after the vm.max_map_count check. */
int split_vma(struct machine *m, struct vma *v, unsigned long addr,
	      int new_below)
{
	if (v->mm->map_count >= m->max_map_count) {
		trace(m, "split_vma: map_count %d >= max_map_count %d: ENOMEM",
		      v->mm->map_count, m->max_map_count);
		return -ENOMEM;
	}
	return __split_vma(m, v, addr, new_below);
}

/*
 * vma_modify(): merge if possible, else split off the parts of the VMA
 * outside [start, end).  Merge is tried first.  Returns the VMA that now
 * covers exactly the range (or the merged VMA), or NULL with *err set.
 */
static struct vma *vma_modify(struct machine *m, struct vma_merge_struct *vmg,
			      int *err)
{
	struct vma *v = vmg->middle, *merged;
	unsigned long start = vmg->start, end = vmg->end;

	*err = 0;
	merged = vma_merge_existing_range(m, vmg);
	if (merged)
		return merged;
	if (vmg->state == VMA_MERGE_ERROR_NOMEM) {
		*err = -ENOMEM;
		return NULL;
	}
	if (v->vm_start < start) {
		*err = split_vma(m, v, start, 1);
		if (*err)
			return NULL;
	}
	if (v->vm_end > end) {
		*err = split_vma(m, v, end, 0);
		if (*err)
			return NULL;
	}
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
			     vm_flags_t *vm_flags, int *err)
{
	struct vma_merge_struct vmg;
	struct vma *ret;

	vmg_vma_state(&vmg, prev, v, start, end);
	vmg.vm_flags = *vm_flags;
	ret = vma_modify(m, &vmg, err);
	if (!ret)
		return NULL;
	/* Sticky flags may have been kept by the merge: pass them on. */
	if (vmg.state == VMA_MERGE_SUCCESS)
		*vm_flags = ret->vm_flags;
	return ret;
}

/* ---- munmap ---- */

/* struct vma_munmap_struct: the VMAs gathered for removal, and totals. */
struct vma_munmap_struct {
	unsigned long start, end;
	struct vma *prev, *next;
	struct vma **detached;
	int nr, cap;
	unsigned long nr_pages, locked_vm, nr_accounted;
	unsigned long exec_vm, stack_vm, data_vm;
};

static void vms_detach(struct vma_munmap_struct *vms, struct vma *v)
{
	if (vms->nr == vms->cap) {
		vms->cap = vms->cap ? 2 * vms->cap : 8;
		vms->detached = realloc(vms->detached,
					vms->cap * sizeof(*vms->detached));
		if (!vms->detached)
			abort();
	}
	vms->detached[vms->nr++] = v;
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

static void reattach_vmas(struct mm *mm, struct vma_munmap_struct *vms)
{
	for (int i = 0; i < vms->nr; i++)
		vt_insert(&mm->tree, vms->detached[i]);
	vms->nr = 0;
}

/*
 * vms_gather_munmap_vmas(): split the first and last VMA at the range's
 * ends and take every VMA inside out of the tree, keeping the totals to
 * undo the accounting later.
 */
static int vms_gather_munmap_vmas(struct machine *m, struct mm *mm,
				  struct vma_munmap_struct *vms,
				  struct vma *first)
{
	struct vma *v, *next = NULL;
	unsigned long *stat;
	int error;

	trace(m, "vms_gather_munmap_vmas(%lx-%lx)", vms->start, vms->end);
	trace_enter(m);
	if (vms->start > first->vm_start) {
		/* Only a split in the middle can raise map_count. */
		if (vms->end < first->vm_end &&
		    mm->map_count >= m->max_map_count) {
			trace(m, "map_count %d >= max_map_count: ENOMEM",
			      mm->map_count);
			trace_leave(m);
			return -ENOMEM;
		}
		error = __split_vma(m, first, vms->start, 1);
		if (error) {
			trace_leave(m);
			return error;
		}
	}
	vms->prev = vt_prev(first);
	for (v = first; v && v->vm_start < vms->end; v = next) {
		if (v->vm_end > vms->end) {
			error = __split_vma(m, v, vms->end, 0);
			if (error) {
				reattach_vmas(mm, vms);
				trace_leave(m);
				return error;
			}
		}
		next = vt_next(v);
		vma_start_write(m, v);
		vt_erase(&mm->tree, v);
		vms_detach(vms, v);
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
	trace(m, "detached %d vma%s", vms->nr, vms->nr == 1 ? "" : "s");
	trace_leave(m);
	return 0;
}

/* vms_clear_ptes(): zap the pages of the detached VMAs. */
static void vms_clear_ptes(struct mm *mm, struct vma_munmap_struct *vms)
{
	for (int i = 0; i < vms->nr; i++)
		pages_remove(&mm->pages, vms->detached[i]->vm_start,
			     vms->detached[i]->vm_end);
}

/* vms_complete_munmap_vmas(): account, zap and free what was gathered. */
static void vms_complete_munmap_vmas(struct machine *m, struct mm *mm,
				     struct vma_munmap_struct *vms)
{
	mm->map_count -= vms->nr;
	mm->locked_vm -= vms->locked_vm;
	vms_clear_ptes(mm, vms);
	mm->total_vm -= vms->nr_pages;
	mm->exec_vm -= vms->exec_vm;
	mm->stack_vm -= vms->stack_vm;
	mm->data_vm -= vms->data_vm;
	for (int i = 0; i < vms->nr; i++) {
		struct vma *v = vms->detached[i];

		trace(m, "remove_vma(vma %s)", VN(v));
		unlink_anon_vmas(m, v);
		if (v->vm_file)
			fput(m, v->vm_file);
		vm_area_free(m, v);
	}
	free(vms->detached);
	vms->detached = NULL;
	vms->nr = vms->cap = 0;
}

/* do_vmi_munmap(): munmap() after the argument checks. */
int do_vmi_munmap(struct machine *m, struct mm *mm, unsigned long start,
		  unsigned long len)
{
	struct vma_munmap_struct vms = {0};
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
		trace(m, "do_vmi_munmap: nothing mapped in %lx-%lx", start,
		      end);
		return 0;
	}
	vms.start = start;
	vms.end = end;
	error = vms_gather_munmap_vmas(m, mm, &vms, v);
	if (error) {
		free(vms.detached);
		return error;
	}
	vms_complete_munmap_vmas(m, mm, &vms);
	return 0;
}

/* ---- mmap_region ---- */

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

/* __mmap_new_vma(): no merge was possible; make a VMA for the range. */
static struct vma *__mmap_new_vma(struct machine *m, struct mm *mm,
				  struct vm_file *file, unsigned long addr,
				  unsigned long len, vm_flags_t vm_flags,
				  unsigned long pgoff, int *err)
{
	struct vma *v;

	*err = -ENOMEM;
	if (vm_flags & VM_HUGETLB) {
		/* hugetlb_reserve_pages(): vm.nr_hugepages is 0 here. */
		trace(m, "hugetlbfs mmap: no huge pages to reserve: ENOMEM");
		return NULL;
	}
	v = vm_area_alloc(m, mm);
	if (!v)
		return NULL;
	vma_set_range(v, addr, addr + len, pgoff);
	v->vm_flags = vm_flags;
	if (vma_iter_prealloc(m)) {
		vm_area_free(m, v);
		return NULL;
	}
	if (file) {
		/*
		 * The file's mmap hook runs here, after any MAP_FIXED unmap.
		 * ext4_file_mmap() refuses VM_SYNC on a file that is not DAX.
		 */
		if (vm_flags & VM_SYNC) {
			trace(m, "mmap_file: VM_SYNC on a non-DAX file: "
				 "EOPNOTSUPP");
			vm_area_free(m, v);
			*err = -EOPNOTSUPP;
			return NULL;
		}
		v->vm_file = file;
		get_file(file);
	} else if (vm_flags & VM_SHARED) {
		v->vm_file = shmem_zero_setup(m, len);
		trace(m, "shmem_zero_setup: new shmem file /dev/zero (ino %lu)",
		      v->vm_file->inode->ino);
	}
	trace(m, "__mmap_new_vma: new vma %s pgoff %#lx", VN(v), pgoff);
	vma_link_new(m, mm, v);
	return v;
}

/*
 * __mmap_region(): unmap what is in the way (MAP_FIXED), charge, then merge
 * with a neighbour or make a new VMA.
 */
unsigned long mmap_region(struct machine *m, struct vm_file *file,
			  unsigned long addr, unsigned long len,
			  vm_flags_t vm_flags, unsigned long pgoff)
{
	struct mm *mm = cur_mm(m);
	struct vma_munmap_struct vms = {.start = addr, .end = addr + len};
	struct vma_merge_struct vmg = {0};
	struct vma *first = vt_find(&mm->tree, addr), *v = NULL;
	struct vma *prev, *next;
	int error;

	if (first && first->vm_start < addr + len) {
		error = vms_gather_munmap_vmas(m, mm, &vms, first);
		if (error) {
			free(vms.detached);
			return (unsigned long)(long)error;
		}
		prev = vms.prev;
		next = vms.next;
	} else {
		next = first;
		prev = vt_find_prev(&mm->tree, addr);
	}
	if (!may_expand_vm(mm, vm_flags, PHYS_PFN(len) - vms.nr_pages)) {
		reattach_vmas(mm, &vms);
		free(vms.detached);
		return (unsigned long)-ENOMEM;
	}
	if (accountable_mapping(vm_flags))
		vm_flags |= VM_ACCOUNT;
	/* vms_clean_up_area(): clear the old PTEs while VMAs are detached. */
	vms_clear_ptes(mm, &vms);

	if (prev || next) {
		vmg.mm = mm;
		vmg.start = addr;
		vmg.end = addr + len;
		vmg.vm_flags = vm_flags;
		vmg.pgoff = pgoff;
		vmg.file = file;
		vmg.prev = prev;
		vmg.next = next;
		v = vma_merge_new_range(m, &vmg);
	}
	if (!v)
		v = __mmap_new_vma(m, mm, file, addr, len, vm_flags, pgoff,
				   &error);
	if (!v) {
		/*
		 * The PTEs are already gone, so the old VMAs cannot come
		 * back: the kernel completes the unmap and leaves a hole
		 * (vms_abort_munmap_vmas).
		 */
		vms_complete_munmap_vmas(m, mm, &vms);
		return (unsigned long)(long)error;
	}
	/* __mmap_complete() */
	vms_complete_munmap_vmas(m, mm, &vms);
	vm_stat_account(mm, v->vm_flags, PHYS_PFN(len));
	if (v->vm_flags & VM_LOCKED) {
		if (v->vm_flags & VM_SPECIAL)
			v->vm_flags &= ~VM_LOCKED_MASK;
		else
			mm->locked_vm += PHYS_PFN(len);
	}
	return addr;
}

/* ---- anon_vma reuse on first fault ---- */

/*
 * anon_vma_compatible(): adjacent, same file, flags differing only in what
 * mprotect changes, and linear pgoff.
 */
static bool anon_vma_compatible(const struct vma *a, const struct vma *b)
{
	return a->vm_end == b->vm_start && a->vm_file == b->vm_file &&
	       !((a->vm_flags ^ b->vm_flags) &
		 ~(VM_ACCESS_FLAGS | VM_IGNORE_MERGE)) &&
	       b->vm_pgoff == a->vm_pgoff + ((b->vm_start - a->vm_start) >>
					     PAGE_SHIFT);
}

/* reusable_anon_vma(): old's anon_vma, if old never went through fork. */
static struct anon_vma *reusable_anon_vma(struct vma *old, struct vma *a,
					  struct vma *b)
{
	if (anon_vma_compatible(a, b) && old->anon_vma &&
	    anon_vma_chain_singular(old))
		return old->anon_vma;
	return NULL;
}

/* find_mergeable_anon_vma(): try next first, then prev. */
struct anon_vma *find_mergeable_anon_vma(struct machine *m, struct vma *v)
{
	struct vma *next = vt_next(v), *prev = vt_prev(v);
	struct anon_vma *av = NULL;

	(void)m;
	if (next) {
		av = reusable_anon_vma(next, v, next);
		if (av)
			return av;
	}
	if (prev)
		av = reusable_anon_vma(prev, prev, v);
	return av;
}

/* ---- explaining a boundary ---- */

/*
 * vma_merge_blockers(): why prev and next, neighbours in one mm, are two
 * VMAs.  It asks what can_vma_merge_after() would say if next's range were
 * merged into prev with next's attributes.  Returns true if they could
 * merge; else false with the reason in why and the vm_flags bits that
 * differ (those that count) in *diff.
 */
bool vma_merge_blockers(const struct vma *prev, const struct vma *next,
			vm_flags_t *diff, char *why, size_t len)
{
	struct vma_merge_struct vmg = {0};

	*diff = (prev->vm_flags ^ next->vm_flags) & ~VM_IGNORE_MERGE;
	if (prev->vm_end != next->vm_start) {
		snprintf(why, len, "not adjacent (gap of %#lx)",
			 next->vm_start - prev->vm_end);
		return false;
	}
	if ((prev->vm_flags | next->vm_flags) & VM_SPECIAL) {
		snprintf(why, len, "VM_SPECIAL never merges");
		return false;
	}
	vmg.prev = (struct vma *)prev;
	vmg.middle = (struct vma *)next;
	vmg.start = next->vm_start;
	vmg.end = next->vm_end;
	vmg.vm_flags = next->vm_flags;
	vmg.file = next->vm_file;
	vmg.anon_vma = next->anon_vma;
	vmg.pgoff = next->vm_pgoff;
	if (!is_mergeable_vma(&vmg, false, why, len) ||
	    !is_mergeable_anon_vma(&vmg, false, why, len))
		return false;
	if (prev->vm_pgoff + vma_pages(prev) != next->vm_pgoff) {
		snprintf(why, len,
			 "pgoff not contiguous (prev ends at %#lx, "
			 "next starts at %#lx)",
			 prev->vm_pgoff + vma_pages(prev), next->vm_pgoff);
		return false;
	}
	snprintf(why, len, "compatible: a change at the boundary would merge");
	return true;
}
