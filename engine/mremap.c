/*
 * mremap.c - the mremap() system call (mm/mremap.c).
 *
 * As in the kernel since 6.16, one state object, struct vma_remap_struct
 * ("vrm"), is threaded through small functions that each decide one
 * thing: check_mremap_params() checks the arguments alone,
 * check_prep_vma() the VMA at addr, and then the call takes one path:
 *
 *   mremap_at()  (no new address asked for)
 *     MREMAP_NO_RESIZE  nothing to do
 *     MREMAP_SHRINK     shrink_vma(): unmap the tail
 *     MREMAP_EXPAND     expand_vma(): in place if vma_expandable() (then
 *                       vma_merge_extend(), which may swallow next), else
 *                       with MREMAP_MAYMOVE move_vma() to a new address
 *   mremap_to()  (MREMAP_FIXED or MREMAP_DONTUNMAP)
 *                       unmap the target (FIXED), shrink first, then
 *                       move_vma()
 *   remap_move() (MREMAP_FIXED, old_len == new_len: 6.17+)
 *                       mremap_to() for each VMA of the range, gaps kept
 *
 * move_vma() is copy_vma() (a merge at the destination where it can, an
 * unfaulted anonymous VMA's pgoff reset to the new address) and
 * move_page_tables() (the pages go with the range), then the source is
 * unmapped, or with MREMAP_DONTUNMAP left in place and empty.
 *
 * The numbers for max_map_count are those of 6.17/6.18 (prep_move_vma()
 * and check_mremap_params()), confirmed on the reference kernel.
 */
#include "internal.h"

/* Classify the kind of remap operation being performed. */
enum mremap_type {
	MREMAP_INVALID,	  /* Initial state. */
	MREMAP_NO_RESIZE, /* old_len == new_len, if not moved, do nothing. */
	MREMAP_SHRINK,	  /* old_len > new_len. */
	MREMAP_EXPAND,	  /* old_len < new_len. */
};

/* Describes a VMA mremap() operation and is threaded throughout it. */
struct vma_remap_struct {
	struct machine *m;
	struct mm *mm;
	/* User-provided state. */
	unsigned long addr;	/* User-specified address from which we remap. */
	unsigned long old_len;	/* Length of range being remapped. */
	unsigned long new_len;	/* Desired new length of mapping. */
	unsigned long flags;	/* user-specified MREMAP_* flags. */
	unsigned long new_addr; /* Optionally, desired new address. */
	/* VMA state, determined in do_mremap(). */
	struct vma *vma;
	/* Internal state, determined in do_mremap(). */
	unsigned long delta;	      /* Absolute delta of old_len,new_len. */
	bool mlocked;		      /* Was the VMA mlock()'d? */
	enum mremap_type remap_type; /* expand, shrink, etc. */
	unsigned long charged;	      /* If VM_ACCOUNT, # pages to account. */
};

/* A check said no: tell why (the code implies the errno), return err. */
static long vrm_refuse(struct vma_remap_struct *vrm, enum mremap_refusal why,
		       long err)
{
	NOTE(vrm->m, NOTE_MREMAP_REFUSED, .fn = "mremap", .v = vrm->vma,
	     .addr = vrm->addr, .len = vrm->old_len, .value = why);
	return err;
}

/*
 * can_modify_vma(): an mseal()'d VMA refuses mremap with EPERM.  VM_SEALED
 * arrives with mseal (issue 9 section 5); until then nothing is sealed.
 */
static bool vma_is_sealed(const struct vma *v)
{
#ifdef VM_SEALED
	return v->vm_flags & VM_SEALED;
#else
	(void)v;
	return false;
#endif
}

/* Set vrm->delta to the difference in VMA size specified by user. */
static void vrm_set_delta(struct vma_remap_struct *vrm)
{
	vrm->delta = vrm->old_len > vrm->new_len ? vrm->old_len - vrm->new_len
						 : vrm->new_len - vrm->old_len;
}

/* Determine what kind of remap this is: shrink, expand or no resize. */
static enum mremap_type vrm_remap_type(struct vma_remap_struct *vrm)
{
	if (vrm->delta == 0)
		return MREMAP_NO_RESIZE;
	if (vrm->old_len > vrm->new_len)
		return MREMAP_SHRINK;
	return MREMAP_EXPAND;
}

/*
 * vrm_overlaps(): would the old and the new range overlap?
 *
 * start_old    end_old
 *     |-----------|
 *             |-------------|
 *         start_new      end_new
 */
static bool vrm_overlaps(struct vma_remap_struct *vrm)
{
	unsigned long end_old = vrm->addr + vrm->old_len;
	unsigned long end_new = vrm->new_addr + vrm->new_len;

	return end_old > vrm->new_addr && end_new > vrm->addr;
}

/* Will a new address definitely be assigned (MREMAP_FIXED or DONTUNMAP)? */
static bool vrm_implies_new_addr(struct vma_remap_struct *vrm)
{
	return vrm->flags & (MREMAP_FIXED | MREMAP_DONTUNMAP);
}

/* Does this remap ONLY move mappings (MREMAP_FIXED, the same length)? */
static bool vrm_move_only(struct vma_remap_struct *vrm)
{
	return (vrm->flags & MREMAP_FIXED) && vrm->old_len == vrm->new_len;
}

/* Will it expand or move the VMA, so map a new part of the address space? */
static bool vrm_will_map_new(struct vma_remap_struct *vrm)
{
	return vrm->remap_type == MREMAP_EXPAND || vrm_implies_new_addr(vrm);
}

/*
 * vrm_set_new_addr(): get_unmapped_area() for the new range.  MREMAP_FIXED
 * is a MAP_FIXED mmap; MREMAP_DONTUNMAP alone makes new_addr a hint;
 * otherwise the kernel picks, top-down.
 */
static long vrm_set_new_addr(struct vma_remap_struct *vrm)
{
	struct vma *vma = vrm->vma;
	unsigned long map_flags = 0, hint, res;
	/* Page offset _into_ the VMA. */
	unsigned long pgoff =
		vma->vm_pgoff + ((vrm->addr - vma->vm_start) >> PAGE_SHIFT);

	hint = vrm_implies_new_addr(vrm) ? vrm->new_addr : 0;
	if (vrm->flags & MREMAP_FIXED)
		map_flags |= MAP_FIXED;
	if (vma->vm_flags & VM_MAYSHARE)
		map_flags |= MAP_SHARED;
	res = get_unmapped_area(vrm->m, vma->vm_file, hint, vrm->new_len,
				pgoff, map_flags);
	if (IS_ERR_VALUE(res))
		return (long)res;
	NOTE(vrm->m, NOTE_MREMAP_NEW_ADDR, .fn = "vrm_set_new_addr",
	     .addr = res, .len = vrm->new_len, .value = hint);
	vrm->new_addr = res;
	return 0;
}

/*
 * vrm_calc_charge(): an accountable VMA (VM_ACCOUNT) is charged for what
 * it gains: the delta, or with MREMAP_DONTUNMAP the whole new length.
 * security_vm_enough_memory_mm(): by vm.overcommit_memory (vma.c's
 * __vm_enough_memory; the default refuses only more than RAM and swap).
 */
static bool vrm_calc_charge(struct vma_remap_struct *vrm)
{
	unsigned long charged;

	if (!(vrm->vma->vm_flags & VM_ACCOUNT))
		return true;
	if (vrm->flags & MREMAP_DONTUNMAP)
		charged = vrm->new_len >> PAGE_SHIFT;
	else
		charged = vrm->delta >> PAGE_SHIFT;
	if (__vm_enough_memory(vrm->m, vrm->vma->mm, (long)charged)) {
		vrm_refuse(vrm, MREMAP_NOT_ENOUGH_MEMORY, -ENOMEM);
		return false;
	}
	vrm->charged = charged;
	return true;
}

/* Nothing is charged on this machine beyond the check: forget it. */
static void vrm_uncharge(struct vma_remap_struct *vrm)
{
	vrm->charged = 0;
}

/* vrm_stat_account(): total_vm and friends, locked_vm if VM_LOCKED. */
static void vrm_stat_account(struct vma_remap_struct *vrm, unsigned long bytes)
{
	unsigned long pages = bytes >> PAGE_SHIFT;
	struct vma *vma = vrm->vma;

	vm_stat_account(vrm->mm, vma->vm_flags, (long)pages);
	if (vma->vm_flags & VM_LOCKED) {
		vrm->mm->locked_vm += pages;
		vrm->mlocked = true;
	}
}

/*
 * prep_move_vma(): a move copies a VMA, which may not merge, and then
 * unmaps the source, which may split: keep 3 below max_map_count.
 */
static long prep_move_vma(struct vma_remap_struct *vrm)
{
	if (vrm->mm->map_count >= vrm->m->max_map_count - 3)
		return vrm_refuse(vrm, MREMAP_MAP_COUNT, -ENOMEM);
	return 0;
}

/*
 * unmap_source_vma(): the copy becomes a move.  copy_vma() charged
 * nothing (vrm_calc_charge did), so VM_ACCOUNT is taken off the source
 * for the unmap, lest it be uncharged, and put back on what remains of it
 * on either side:
 *
 *    addr  end              addr  end
 *     |     |                |     |
 * |-------------|   ->   |---|     |---|
 * |     vma     |        | A |     | B |   A and B keep VM_ACCOUNT
 * |-------------|        |---|     |---|
 *
 * If the unmap fails (out of memory), the move stands and the source's
 * VM_ACCOUNT stays off, as in the kernel.
 */
static void unmap_source_vma(struct vma_remap_struct *vrm)
{
	struct machine *m = vrm->m;
	unsigned long addr = vrm->addr, len = vrm->old_len, end = addr + len;
	struct vma *vma = vrm->vma, *prev, *next;
	bool accountable_move = (vma->vm_flags & VM_ACCOUNT) &&
				!(vrm->flags & MREMAP_DONTUNMAP);
	unsigned long vm_start = vma->vm_start, vm_end = vma->vm_end;

	if (accountable_move) {
		vma_start_write(m, vma);
		vma->vm_flags &= ~VM_ACCOUNT;
		NOTE(m, NOTE_MREMAP_UNACCOUNT, .fn = "unmap_source_vma",
		     .v = vma, .addr = addr, .len = len);
	}
	vrm->vma = NULL; /* Invalidated. */
	if (do_vmi_munmap(m, vrm->mm, addr, len))
		return;
	if (!accountable_move)
		return;
	if (vm_start < addr) {
		prev = vt_find_prev(&vrm->mm->tree, addr);
		vma_start_write(m, prev);
		prev->vm_flags |= VM_ACCOUNT;
	}
	if (vm_end > end) {
		next = vt_find(&vrm->mm->tree, end);
		vma_start_write(m, next);
		next->vm_flags |= VM_ACCOUNT;
	}
}

/*
 * copy_vma_and_data(): the destination VMA (copy_vma), then the page
 * table entries of [addr, addr + old_len) follow the range to new_addr
 * (move_page_tables).  The engine's page tables cannot run out of memory
 * half way, so the kernel's move back on failure never happens here.
 */
static int copy_vma_and_data(struct vma_remap_struct *vrm,
			     struct vma **new_vma_ptr)
{
	struct vma *vma = vrm->vma, *new_vma;
	unsigned long new_pgoff =
		vma->vm_pgoff + ((vrm->addr - vma->vm_start) >> PAGE_SHIFT);
	new_vma = copy_vma(vrm->m, &vma, vrm->new_addr, vrm->new_len,
			   new_pgoff);
	if (!new_vma) {
		vrm_uncharge(vrm);
		*new_vma_ptr = NULL;
		return -ENOMEM;
	}
	vrm->vma = vma;
	pages_move(vrm->m, &vrm->mm->pages, vrm->addr, vrm->new_addr,
		   vrm->old_len);
	NOTE(vrm->m, NOTE_MOVE_PAGE_TABLES, .fn = "move_page_tables",
	     .v = new_vma, .addr = vrm->addr, .len = vrm->old_len,
	     .value = vrm->new_addr);
	*new_vma_ptr = new_vma;
	return 0;
}

/*
 * dontunmap_complete(): MREMAP_DONTUNMAP keeps the old VMA, now empty.
 * It is no longer mlock()'d (its pages are gone), and if the whole VMA
 * was copied its anon_vma links go: it is unfaulted again.  Neither
 * change tries a merge, so it may stay apart from a neighbour it matches.
 */
static void dontunmap_complete(struct vma_remap_struct *vrm,
			       struct vma *new_vma)
{
	struct vma *vma = vrm->vma;
	unsigned long start = vrm->addr, end = vrm->addr + vrm->old_len;
	vm_flags_t clear = MUTATED(vrm->m, MUT_MREMAP_DONTUNMAP_UNLOCK)
				   ? 0
				   : vma->vm_flags & VM_LOCKED_MASK;
	bool unlink = new_vma != vma && start == vma->vm_start &&
		      end == vma->vm_end && vma->anon_vma_chain;

	vma_start_write(vrm->m, vma);
	vma->vm_flags &= ~clear;
	if (clear)
		EVENT(vrm->m, .kind = EV_VMA_FLAGS, .fn = "dontunmap_complete",
		      .v = vma, .flags = vma->vm_flags, .diff = clear);
	if (unlink)
		unlink_anon_vmas(vrm->m, vma);
	NOTE(vrm->m, NOTE_DONTUNMAP_COMPLETE, .fn = "dontunmap_complete",
	     .v = vma, .diff = clear, .value = unlink);
	if (clear || unlink)
		vma_changed_unmerged(vma);
	/* Because we won't unmap we don't need to touch locked_vm. */
}

/* move_vma(): copy the VMA and its pages to new_addr, then drop the old. */
static long move_vma(struct vma_remap_struct *vrm)
{
	struct machine *m = vrm->m;
	struct vma *new_vma;
	unsigned long hiwater_vm = vrm->mm->hiwater_vm;
	long err;

	err = prep_move_vma(vrm);
	if (err)
		return err;
	if (!vrm_calc_charge(vrm))
		return -ENOMEM;
	EV_IN(m, FN_MOVE_VMA, .v = vrm->vma, .addr = vrm->addr,
	      .len = vrm->old_len, .value = vrm->new_addr);
	/* We don't want racing faults. */
	vma_start_write(m, vrm->vma);
	err = copy_vma_and_data(vrm, &new_vma);
	if (err) {
		EV_OUT(m, FN_MOVE_VMA);
		return err;
	}
	vrm_stat_account(vrm, vrm->new_len);
	if (vrm->flags & MREMAP_DONTUNMAP)
		dontunmap_complete(vrm, new_vma);
	else
		unmap_source_vma(vrm);
	/*
	 * The move counted the pages twice for a moment: VmPeak does not
	 * show it (move_vma() restores mm->hiwater_vm after the unmap).
	 */
	vrm->mm->hiwater_vm = hiwater_vm;
	EV_OUT(m, FN_MOVE_VMA);
	return (long)vrm->new_addr;
}

/*
 * The checks of check_prep_vma() (remap_is_valid() before 6.17) for a
 * call that maps something new: it grows, or moves.
 */
static long remap_is_valid(struct vma_remap_struct *vrm)
{
	struct vma *vma = vrm->vma;
	unsigned long addr = vrm->addr, old_len = vrm->old_len;
	unsigned long new_len = vrm->new_len, pgoff;

	/*
	 * !old_len duplicates a mapping: only a shared one makes sense (a
	 * private one would be a new, unrelated mapping).
	 */
	if (!old_len && !(vma->vm_flags & (VM_SHARED | VM_MAYSHARE)))
		return vrm_refuse(vrm, MREMAP_DUP_PRIVATE, -EINVAL);
	if ((vrm->flags & MREMAP_DONTUNMAP) &&
	    (vma->vm_flags & (VM_DONTEXPAND | VM_PFNMAP)))
		return vrm_refuse(vrm, MREMAP_DONTUNMAP_SPECIAL, -EINVAL);
	/* A shrink may unmap across the end of the VMA. */
	if (vrm->remap_type == MREMAP_SHRINK)
		old_len = new_len;
	/*
	 * We can't remap across the end of the VMA: another may be next.
	 *
	 *       addr   vma->vm_end
	 *  |-----.----------|
	 *        .<--------->xxx>
	 *            old_len
	 */
	if (old_len > vma->vm_end - addr)
		return vrm_refuse(vrm, MREMAP_CROSSES_END, -EFAULT);
	if (new_len == old_len)
		return 0;
	/* Need to be careful about a growing mapping */
	pgoff = vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
	if (pgoff + (new_len >> PAGE_SHIFT) < pgoff)
		return vrm_refuse(vrm, MREMAP_PGOFF_OVERFLOW, -EINVAL);
	if (vma->vm_flags & (VM_DONTEXPAND | VM_PFNMAP))
		return vrm_refuse(vrm, MREMAP_DONTEXPAND, -EFAULT);
	/* mlock_future_ok(): root has CAP_IPC_LOCK, no RLIMIT_MEMLOCK. */
	if (!may_expand_vm(vrm->mm, vma->vm_flags, vrm->delta >> PAGE_SHIFT))
		return vrm_refuse(vrm, MREMAP_EXPAND_VM, -ENOMEM);
	return 0;
}

/* check_prep_vma(): the VMA at addr, and what kind of remap this is. */
static long check_prep_vma(struct vma_remap_struct *vrm)
{
	struct vma *vma = vrm->vma;

	if (!vma)
		return vrm_refuse(vrm, MREMAP_NO_VMA, -EFAULT);
	/* If mseal()'d, mremap() is prohibited. */
	if (vma_is_sealed(vma))
		return vrm_refuse(vrm, MREMAP_SEALED, -EPERM);
	vrm_set_delta(vrm);
	vrm->remap_type = vrm_remap_type(vrm);
	/* For convenience, we set new_addr even if VMA won't move. */
	if (!vrm_implies_new_addr(vrm))
		vrm->new_addr = vrm->addr;
	if (vrm_will_map_new(vrm))
		return remap_is_valid(vrm);
	return 0;
}

/*
 * shrink_vma(): unmap [addr + new_len, addr + old_len).  It may cross into
 * later VMAs.  When the call goes on (mremap_to), vrm->vma is looked up
 * again: the unmap may have split it.
 *
 *   VVVVVVVV   ->   VVVV          (do_vmi_munmap of the tail)
 */
static long shrink_vma(struct vma_remap_struct *vrm, bool reload)
{
	unsigned long unmap_start = vrm->addr + vrm->new_len;
	int res;

	NOTE(vrm->m, NOTE_MREMAP_SHRINK, .fn = "shrink_vma",
	     .addr = unmap_start, .len = vrm->delta);
	res = do_vmi_munmap(vrm->m, vrm->mm, unmap_start, vrm->delta);
	vrm->vma = NULL; /* Invalidated. */
	if (res)
		return res;
	if (reload) {
		vrm->vma = vt_lookup(&vrm->mm->tree, vrm->addr);
		if (!vrm->vma)
			return vrm_refuse(vrm, MREMAP_NO_VMA, -EFAULT);
	}
	return 0;
}

/*
 * mremap_to(): a move to a given address (MREMAP_FIXED, whose target is
 * unmapped first, as a MAP_FIXED mmap's is) or with MREMAP_DONTUNMAP.
 */
static long mremap_to(struct vma_remap_struct *vrm)
{
	long err;

	if (vrm->flags & MREMAP_FIXED) {
		NOTE(vrm->m, NOTE_MREMAP_FIXED_UNMAP, .fn = "mremap_to",
		     .addr = vrm->new_addr, .len = vrm->new_len);
		err = do_vmi_munmap(vrm->m, vrm->mm, vrm->new_addr,
				    vrm->new_len);
		vrm->vma = NULL; /* Invalidated. */
		if (err)
			return err;
		/* A part of the VMA moved elsewhere in the same VMA. */
		vrm->vma = vt_lookup(&vrm->mm->tree, vrm->addr);
		if (!vrm->vma)
			return vrm_refuse(vrm, MREMAP_NO_VMA, -EFAULT);
	}
	if (vrm->remap_type == MREMAP_SHRINK) {
		err = shrink_vma(vrm, true);
		if (err)
			return err;
		/* Set up for the move now shrink has been executed. */
		vrm->old_len = vrm->new_len;
	}
	/* MREMAP_DONTUNMAP expands by old_len since old_len == new_len */
	if ((vrm->flags & MREMAP_DONTUNMAP) &&
	    !may_expand_vm(vrm->mm, vrm->vma->vm_flags,
			   vrm->old_len >> PAGE_SHIFT))
		return vrm_refuse(vrm, MREMAP_EXPAND_VM, -ENOMEM);
	err = vrm_set_new_addr(vrm);
	if (err)
		return err;
	return move_vma(vrm);
}

/*
 * vma_expandable(): nothing in [vm_end, vm_end + delta), and the grown
 * VMA still fits the address space (get_unmapped_area with MAP_FIXED).
 */
static bool vma_expandable(struct vma_remap_struct *vrm)
{
	struct vma *vma = vrm->vma, *other;
	unsigned long end = vma->vm_end + vrm->delta;

	if (end < vma->vm_end) {
		NOTE(vrm->m, NOTE_MREMAP_NOT_IN_PLACE, .fn = "vma_expandable",
		     .v = vma, .value = IN_PLACE_OVERFLOW);
		return false;
	}
	other = vt_find(&vrm->mm->tree, vma->vm_end);
	if (other && other->vm_start < end) {
		NOTE(vrm->m, NOTE_MREMAP_NOT_IN_PLACE, .fn = "vma_expandable",
		     .v = vma, .o = other, .value = IN_PLACE_NEXT_VMA);
		return false;
	}
	if (get_unmapped_area(vrm->m, NULL, vma->vm_start, end - vma->vm_start,
			      0, MAP_FIXED) &
	    ~PAGE_MASK) {
		NOTE(vrm->m, NOTE_MREMAP_NOT_IN_PLACE, .fn = "vma_expandable",
		     .v = vma, .value = IN_PLACE_NO_AREA);
		return false;
	}
	return true;
}

/* vrm_can_expand_in_place(): the range ends at vm_end, and there is room. */
static bool vrm_can_expand_in_place(struct vma_remap_struct *vrm)
{
	if (vrm->vma->vm_end - vrm->addr != vrm->old_len) {
		NOTE(vrm->m, NOTE_MREMAP_NOT_IN_PLACE,
		     .fn = "vrm_can_expand_in_place", .v = vrm->vma,
		     .value = IN_PLACE_NOT_AT_END);
		return false;
	}
	return vma_expandable(vrm);
}

/*
 * expand_vma_in_place(): vma_merge_extend() grows the VMA by delta, and
 * takes in next if the growth reaches it and next fits.
 */
static long expand_vma_in_place(struct vma_remap_struct *vrm)
{
	struct vma *vma;

	if (!vrm_calc_charge(vrm))
		return -ENOMEM;
	NOTE(vrm->m, NOTE_MREMAP_IN_PLACE, .fn = "expand_vma_in_place",
	     .v = vrm->vma, .addr = vrm->vma->vm_end, .len = vrm->delta);
	vma = vma_merge_extend(vrm->m, vrm->vma, vrm->delta);
	if (!vma) {
		vrm_uncharge(vrm);
		return -ENOMEM;
	}
	vrm->vma = vma;
	vrm_stat_account(vrm, vrm->delta);
	return 0;
}

/* expand_vma(): in place if it can, else move (with MREMAP_MAYMOVE). */
static long expand_vma(struct vma_remap_struct *vrm)
{
	long err;

	if (vrm_can_expand_in_place(vrm)) {
		err = expand_vma_in_place(vrm);
		if (err)
			return err;
		return (long)vrm->addr;
	}
	if (!(vrm->flags & MREMAP_MAYMOVE))
		return vrm_refuse(vrm, MREMAP_NO_ROOM, -ENOMEM);
	err = vrm_set_new_addr(vrm);
	if (err)
		return err;
	return move_vma(vrm);
}

/* mremap_at(): resize in place, or move to wherever the kernel picks. */
static long mremap_at(struct vma_remap_struct *vrm)
{
	long res;

	switch (vrm->remap_type) {
	case MREMAP_INVALID:
		break;
	case MREMAP_NO_RESIZE:
		NOTE(vrm->m, NOTE_MREMAP_NOOP, .fn = "mremap_at",
		     .addr = vrm->addr, .len = vrm->old_len);
		return (long)vrm->addr;
	case MREMAP_SHRINK:
		res = shrink_vma(vrm, false);
		if (res)
			return res;
		return (long)vrm->addr;
	case MREMAP_EXPAND:
		return expand_vma(vrm);
	}
	return -EINVAL;
}

/* check_mremap_params(): the arguments alone, before any VMA is looked at. */
static long check_mremap_params(struct vma_remap_struct *vrm)
{
	unsigned long flags = vrm->flags;

	if (flags & ~(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP))
		return vrm_refuse(vrm, MREMAP_BAD_FLAGS, -EINVAL);
	if (offset_in_page(vrm->addr))
		return vrm_refuse(vrm, MREMAP_ADDR_UNALIGNED, -EINVAL);
	/*
	 * A zero old_len is allowed (the DOS-emu "duplicate shm area"
	 * thing), a zero new_len is nonsensical.
	 */
	if (!vrm->new_len)
		return vrm_refuse(vrm, MREMAP_NEW_LEN_ZERO, -EINVAL);
	if (vrm->new_len > TASK_SIZE)
		return vrm_refuse(vrm, MREMAP_NEW_LEN_TOO_BIG, -EINVAL);
	/* Remainder of checks are for cases with specific new_addr. */
	if (!vrm_implies_new_addr(vrm))
		return 0;
	if (vrm->new_addr > TASK_SIZE - vrm->new_len)
		return vrm_refuse(vrm, MREMAP_NEW_ADDR_TOO_HIGH, -EINVAL);
	if (offset_in_page(vrm->new_addr))
		return vrm_refuse(vrm, MREMAP_NEW_ADDR_UNALIGNED, -EINVAL);
	/* A fixed address implies a move. */
	if (!(flags & MREMAP_MAYMOVE))
		return vrm_refuse(vrm, MREMAP_NO_MAYMOVE, -EINVAL);
	/* MREMAP_DONTUNMAP does not allow resizing in the process. */
	if ((flags & MREMAP_DONTUNMAP) && vrm->old_len != vrm->new_len)
		return vrm_refuse(vrm, MREMAP_DONTUNMAP_RESIZE, -EINVAL);
	if (vrm_overlaps(vrm))
		return vrm_refuse(vrm, MREMAP_OVERLAP, -EINVAL);
	/*
	 * Both the target and the source may be split in three before
	 * move_vma()'s own check (3 below the limit): stay 2 more below it
	 * before unmapping anything.
	 */
	if (vrm->mm->map_count + 2 >= vrm->m->max_map_count - 3)
		return vrm_refuse(vrm, MREMAP_MAP_COUNT, -ENOMEM);
	return 0;
}

/*
 * remap_move(): MREMAP_FIXED with old_len == new_len moves every VMA in
 * [addr, addr + old_len), each split as needed, keeping the gaps between
 * them (6.17+).  The range must start in a VMA; a gap at its end is fine.
 *
 *           X        Y                      X        Y
 *         <--->     <->                   <--->     <->
 * |-------|   |-----| |-----|     |-------|   |-----| |-----|
 * |   A   |   |  B  | |  C  | --> |   A'  |   |  B' | |  C' |
 * |-------|   |-----| |-----|     |-------|   |-----| |-----|
 *                               new_addr
 */
static long remap_move(struct vma_remap_struct *vrm)
{
	unsigned long start = vrm->addr, end = vrm->addr + vrm->old_len;
	unsigned long target_addr = vrm->new_addr, last_end = 0, from = start;
	long res = -EFAULT;
	bool seen_vma = false;
	struct vma *vma;

	while (from < end && (vma = vt_find(&vrm->mm->tree, from)) &&
	       vma->vm_start < end) {
		unsigned long addr = MAX(vma->vm_start, start);
		unsigned long len = MIN(end, vma->vm_end) - addr;
		unsigned long offset;
		long res_vma;

		/* No gap permitted at the start of the range. */
		if (!seen_vma && start < vma->vm_start)
			return vrm_refuse(vrm, MREMAP_GAP_AT_START, -EFAULT);
		offset = seen_vma ? vma->vm_start - last_end : 0;
		last_end = vma->vm_end;
		vrm->vma = vma;
		vrm->addr = addr;
		vrm->new_addr = target_addr + offset;
		vrm->old_len = vrm->new_len = len;
		if (seen_vma || vma->vm_end < end)
			NOTE(vrm->m, NOTE_MREMAP_MULTI, .fn = "remap_move",
			     .v = vma, .addr = addr, .len = len,
			     .value = vrm->new_addr);
		res_vma = check_prep_vma(vrm);
		if (!res_vma)
			res_vma = mremap_to(vrm);
		if (IS_ERR_VALUE(res_vma))
			return res_vma;
		if (!seen_vma)
			res = res_vma;
		seen_vma = true;
		target_addr = (unsigned long)res_vma + vrm->new_len;
		from = addr + len;
	}
	if (!seen_vma)
		vrm_refuse(vrm, MREMAP_NO_VMA, -EFAULT);
	return res;
}

/* do_mremap(): the checks, then one of the paths, then populate. */
static long do_mremap(struct vma_remap_struct *vrm)
{
	long res;

	vrm->old_len = PAGE_ALIGN(vrm->old_len);
	vrm->new_len = PAGE_ALIGN(vrm->new_len);
	res = check_mremap_params(vrm);
	if (res)
		return res;
	if (vrm_move_only(vrm)) {
		res = remap_move(vrm);
	} else {
		vrm->vma = vt_lookup(&vrm->mm->tree, vrm->addr);
		res = check_prep_vma(vrm);
		if (res)
			return res;
		res = vrm_implies_new_addr(vrm) ? mremap_to(vrm)
						: mremap_at(vrm);
	}
	/* A locked VMA that grew: fault in what it gained. */
	if (!IS_ERR_VALUE(res) && vrm->mlocked && vrm->new_len > vrm->old_len) {
		NOTE(vrm->m, NOTE_MREMAP_POPULATE, .fn = "do_mremap",
		     .addr = vrm->new_addr + vrm->old_len, .len = vrm->delta);
		mm_populate(vrm->m, vrm->new_addr + vrm->old_len, vrm->delta);
	}
	return res;
}

long sys_mremap(struct machine *m, unsigned long addr, unsigned long old_len,
		unsigned long new_len, unsigned long flags,
		unsigned long new_addr)
{
	struct vma_remap_struct vrm = {
		.m = m,
		.mm = cur_mm(m),
		.addr = addr,
		.old_len = old_len,
		.new_len = new_len,
		.flags = flags,
		.new_addr = new_addr,
		.remap_type = MREMAP_INVALID,
	};
	long ret;

	op_start(m);
	EV_IN(m, FN_DO_MREMAP, .addr = addr, .len = old_len, .value = new_len,
	      .flags = flags);
	ret = do_mremap(&vrm);
	EV_OUT(m, FN_DO_MREMAP);
	return ret;
}
