/*
 * mseal.c - the mseal() system call (mm/mseal.c, Linux 6.10+).
 *
 * do_mseal() checks its arguments, refuses a range with any hole in it
 * (ENOMEM, before anything changes: range_contains_unmapped), then sets
 * VM_SEALED on every VMA of the range through vma_modify_flags(), with the
 * split and merge that causes.  A sealed VMA then refuses, with EPERM:
 * munmap and mmap over it (vms_gather_munmap_vmas), mprotect
 * (mprotect_fixup), mremap, and discarding madvise on read-only anonymous
 * memory (can_madvise_modify).  Each checks can_modify_vma() (internal.h)
 * as it reaches the VMA, so what came before in the range was done.
 * There is no unseal.
 */
#include "internal.h"

/* range_contains_unmapped(): a gap anywhere in [start, end). */
static bool range_contains_unmapped(struct machine *m, struct mm *mm,
				    unsigned long start, unsigned long end)
{
	unsigned long prev_end = start;
	struct vma *v;

	for (v = vt_find(&mm->tree, start); v && v->vm_start < end;
	     v = vt_next(v)) {
		if (v->vm_start > prev_end)
			break;
		prev_end = v->vm_end;
	}
	if (prev_end < end) {
		NOTE(m, NOTE_MSEAL_UNMAPPED, .fn = "range_contains_unmapped",
		     .addr = prev_end);
		return true;
	}
	return false;
}

/* mseal_apply(): seal each VMA of the range that is not sealed yet. */
static int mseal_apply(struct machine *m, struct mm *mm, unsigned long start,
		       unsigned long end)
{
	struct vma *v = vt_find(&mm->tree, start), *prev = vt_prev(v);

	if (start > v->vm_start)
		prev = v;
	while (v && v->vm_start < end) {
		unsigned long cstart = MAX(v->vm_start, start);
		unsigned long cend = MIN(v->vm_end, end);

		if (!(v->vm_flags & VM_SEALED)) {
			vm_flags_t flags = v->vm_flags | VM_SEALED;

			v = vma_modify_flags(m, prev, v, cstart, cend, &flags);
			if (IS_ERR(v))
				return (int)PTR_ERR(v);
			vma_start_write(m, v);
			if (!(v->vm_flags & VM_SEALED))
				EVENT(m, .kind = EV_VMA_FLAGS, .fn = "mseal_apply",
				      .v = v, .flags = v->vm_flags | VM_SEALED,
				      .diff = VM_SEALED);
			v->vm_flags |= VM_SEALED;
		}
		prev = v;
		v = vt_next(v);
	}
	return 0;
}

static long do_mseal(struct machine *m, unsigned long start,
		     unsigned long len_in, unsigned long flags)
{
	struct mm *mm = cur_mm(m);
	unsigned long len, end;

	if (flags)
		return -EINVAL;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	len = PAGE_ALIGN(len_in);
	/* len rounded up from a small negative number to zero */
	if (len_in && !len)
		return -EINVAL;
	end = start + len;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	if (range_contains_unmapped(m, mm, start, end) &&
	    !MUTATED(m, MUT_MSEAL_UNMAPPED))
		return -ENOMEM;
	return mseal_apply(m, mm, start, end);
}

long sys_mseal(struct machine *m, unsigned long start, unsigned long len,
	       unsigned long flags)
{
	long ret;

	op_start(m);
	EV_IN(m, FN_DO_MSEAL, .addr = start, .len = len, .value = flags);
	ret = do_mseal(m, start, len, flags);
	EV_OUT(m, FN_DO_MSEAL);
	return ret;
}
