/*
 * mlock.c - mlock(), mlock2(), munlock(), mlockall() and munlockall()
 * (mm/mlock.c).
 *
 * apply_vma_lock_flags() walks the VMAs of the range and hands each piece
 * to mlock_fixup(), which sets or clears VM_LOCKED and VM_LOCKONFAULT
 * through vma_modify_flags(): a merge with a neighbour that would then
 * match, else a split.  A hole stops the walk with ENOMEM, the VMAs before
 * it changed (and, for mlock, not populated).  mlock then faults the range
 * in as MAP_POPULATE does (__mm_populate), except that an error there is
 * the call's: EFAULT (PROT_NONE, past EOF) reads as ENOMEM.
 *
 * mlockall(MCL_FUTURE) puts VM_LOCKED in mm->def_flags, which do_mmap()
 * (and brk's do_brk_flags()) add to every new mapping; fork does not pass
 * it on (mm_init keeps only VM_NOHUGEPAGE), and dup_mmap clears the
 * child's VM_LOCKED.  The simulated process has CAP_IPC_LOCK, so
 * RLIMIT_MEMLOCK never refuses.
 */
#include "internal.h"

/*
 * mlock_fixup(): [start, end) of v gets newflags' lock bits.  Special,
 * hugetlb and droppable VMAs are left alone (no error).  *pprev is the
 * VMA that now ends where the next piece starts.
 */
static int mlock_fixup(struct machine *m, struct vma *v, struct vma **pprev,
		       unsigned long start, unsigned long end,
		       vm_flags_t newflags)
{
	struct mm *mm = v->mm;
	vm_flags_t oldflags = v->vm_flags;
	long nr_pages;

	if (newflags == oldflags || (oldflags & (VM_SPECIAL | VM_HUGETLB |
						 VM_DROPPABLE))) {
		if (newflags != oldflags)
			NOTE(m, NOTE_MADV_REFUSED, .fn = "mlock_fixup", .v = v);
		else
			NOTE(m, NOTE_FLAGS_UNCHANGED, .fn = "mlock_fixup",
			     .v = v);
		*pprev = v;
		return 0;
	}
	v = vma_modify_flags(m, *pprev, v, start, end, &newflags);
	if (IS_ERR(v))
		return (int)PTR_ERR(v);
	nr_pages = (long)((end - start) >> PAGE_SHIFT);
	if (!(newflags & VM_LOCKED))
		nr_pages = -nr_pages;
	else if (oldflags & VM_LOCKED)
		nr_pages = 0;
	mm->locked_vm += (unsigned long)nr_pages;
	vma_start_write(m, v);
	if (v->vm_flags != newflags)
		EVENT(m, .kind = EV_VMA_FLAGS, .fn = "mlock_fixup", .v = v,
		      .flags = newflags, .diff = v->vm_flags ^ newflags);
	v->vm_flags = newflags;
	*pprev = v;
	return 0;
}

/*
 * apply_vma_lock_flags(): the range must start in a VMA; each VMA in turn
 * until a hole.
 *
 *     <------------->      mlock(range)
 *   AAAAAA    BBBBBB       A's part locked, then ENOMEM at the hole;
 *   AAaaaa    BBBBBB       B is not reached
 */
static int apply_vma_lock_flags(struct machine *m, unsigned long start,
				unsigned long len, vm_flags_t flags)
{
	struct mm *mm = cur_mm(m);
	unsigned long nstart, end = start + len, tmp;
	struct vma *v, *prev;
	int error;

	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	/* vma_iter_load(): the VMA that holds start */
	v = vt_find(&mm->tree, start);
	if (!v || v->vm_start > start) {
		NOTE(m, NOTE_MLOCK_HOLE, .fn = "apply_vma_lock_flags",
		     .addr = start);
		return -ENOMEM;
	}
	prev = vt_prev(v);
	if (start > v->vm_start)
		prev = v;
	nstart = start;
	tmp = v->vm_start;
	while (v && v->vm_start < end) {
		vm_flags_t newflags;

		if (v->vm_start != tmp) {
			NOTE(m, NOTE_MLOCK_HOLE, .fn = "apply_vma_lock_flags",
			     .addr = tmp);
			return -ENOMEM;
		}
		newflags = (v->vm_flags & ~VM_LOCKED_MASK) | flags;
		tmp = MIN(v->vm_end, end);
		error = mlock_fixup(m, v, &prev, nstart, tmp, newflags);
		if (error)
			return error;
		/* vma_iter_end(): the end of what mlock_fixup left */
		tmp = prev->vm_end;
		nstart = tmp;
		v = vt_next(prev);
	}
	if (tmp < end) {
		NOTE(m, NOTE_MLOCK_HOLE, .fn = "apply_vma_lock_flags",
		     .addr = tmp);
		return -ENOMEM;
	}
	return 0;
}

/* __mlock_posix_error_return(): what POSIX says mlock fails with. */
static long mlock_posix_error(long err)
{
	if (err == -EFAULT)
		return -ENOMEM;
	if (err == -ENOMEM)
		return -EAGAIN;
	return err;
}

static long do_mlock(struct machine *m, unsigned long start, unsigned long len,
		     vm_flags_t flags)
{
	long error;

	len = PAGE_ALIGN(len + offset_in_page(start));
	start &= PAGE_MASK;
	EV_IN(m, FN_DO_MLOCK, .addr = start, .len = len, .flags = flags);
	error = apply_vma_lock_flags(m, start, len, flags);
	EV_OUT(m, FN_DO_MLOCK);
	if (error)
		return error;
	if (MUTATED(m, MUT_MLOCK_POPULATE))
		return 0;
	error = __mm_populate(m, start, len, false);
	return error ? mlock_posix_error(error) : 0;
}

long sys_mlock(struct machine *m, unsigned long start, unsigned long len)
{
	op_start(m);
	return do_mlock(m, start, len, VM_LOCKED);
}

long sys_mlock2(struct machine *m, unsigned long start, unsigned long len,
		unsigned long flags)
{
	vm_flags_t vm_flags = VM_LOCKED;

	op_start(m);
	if (flags & ~MLOCK_ONFAULT)
		return -EINVAL;
	if (flags & MLOCK_ONFAULT)
		vm_flags |= VM_LOCKONFAULT;
	return do_mlock(m, start, len, vm_flags);
}

long sys_munlock(struct machine *m, unsigned long start, unsigned long len)
{
	long ret;

	op_start(m);
	len = PAGE_ALIGN(len + offset_in_page(start));
	start &= PAGE_MASK;
	EV_IN(m, FN_DO_MLOCK, .addr = start, .len = len);
	ret = apply_vma_lock_flags(m, start, len, 0);
	EV_OUT(m, FN_DO_MLOCK);
	return ret;
}

/*
 * apply_mlockall_flags(): MCL_FUTURE sets mm->def_flags; MCL_CURRENT
 * changes every VMA, errors ignored.  0 (munlockall) clears both.
 */
static void apply_mlockall_flags(struct machine *m, unsigned long flags)
{
	struct mm *mm = cur_mm(m);
	vm_flags_t to_add = 0;
	struct vma *v, *prev = NULL, *next;

	mm->def_flags &= ~VM_LOCKED_MASK;
	if (flags & MCL_FUTURE) {
		mm->def_flags |= VM_LOCKED;
		if (flags & MCL_ONFAULT)
			mm->def_flags |= VM_LOCKONFAULT;
	}
	NOTE(m, NOTE_DEF_FLAGS, .fn = "apply_mlockall_flags",
	     .flags = mm->def_flags);
	if ((flags & MCL_FUTURE) && !(flags & MCL_CURRENT))
		return;
	if (flags & MCL_CURRENT) {
		to_add |= VM_LOCKED;
		if (flags & MCL_ONFAULT)
			to_add |= VM_LOCKONFAULT;
	}
	for (v = vt_first(&mm->tree); v; v = next) {
		vm_flags_t newflags = (v->vm_flags & ~VM_LOCKED_MASK) | to_add;

		if (mlock_fixup(m, v, &prev, v->vm_start, v->vm_end, newflags))
			prev = v; /* errors are ignored */
		next = vt_next(prev);
	}
}

long sys_mlockall(struct machine *m, unsigned long flags)
{
	op_start(m);
	if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) ||
	    flags == MCL_ONFAULT)
		return -EINVAL;
	EV_IN(m, FN_APPLY_MLOCKALL_FLAGS, .value = flags);
	apply_mlockall_flags(m, flags);
	EV_OUT(m, FN_APPLY_MLOCKALL_FLAGS);
	if (flags & MCL_CURRENT)
		mm_populate(m, 0, TASK_SIZE);
	return 0;
}

long sys_munlockall(struct machine *m)
{
	op_start(m);
	EV_IN(m, FN_APPLY_MLOCKALL_FLAGS, .value = 0);
	apply_mlockall_flags(m, 0);
	EV_OUT(m, FN_APPLY_MLOCKALL_FLAGS);
	return 0;
}
