/*
 * mprotect.c - the mprotect() system call (mm/mprotect.c).
 *
 * do_mprotect_pkey() walks the VMAs of the range and hands each piece to
 * mprotect_fixup(), which decides VM_ACCOUNT and then changes the flags
 * through vma_modify_flags(): a merge if a neighbour matches, else a split.
 * A hole stops the walk with ENOMEM, after the VMAs before it changed.
 */
#include "internal.h"

/*
 * mprotect_fixup(): VM_ACCOUNT follows writability of private mappings.
 * Making one writable charges it; making an anonymous VMA read-only again
 * uncharges it only while it has no anon_vma (it was never faulted).
 */
static int mprotect_fixup(struct machine *m, struct vma *v, struct vma **pprev,
			  unsigned long start, unsigned long end,
			  vm_flags_t newflags)
{
	struct mm *mm = v->mm;
	vm_flags_t oldflags = v->vm_flags;
	long nrpages = (end - start) >> PAGE_SHIFT;

	if (!can_modify_vma(v) && !MUTATED(m, MUT_MSEAL_MPROTECT)) {
		NOTE(m, NOTE_SEALED, .fn = "mprotect_fixup", .v = v);
		return -EPERM;
	}
	if (newflags == oldflags) {
		NOTE(m, NOTE_FLAGS_UNCHANGED, .fn = "mprotect_fixup", .v = v);
		*pprev = v;
		return 0;
	}
	if (newflags & VM_WRITE) {
		if (!(oldflags & (VM_ACCOUNT | VM_WRITE | VM_HUGETLB |
				  VM_SHARED | VM_NORESERVE)) &&
		    !MUTATED(m, MUT_MPROTECT_CHARGE)) {
			if (__vm_enough_memory(m, mm, nrpages))
				return -ENOMEM;
			newflags |= VM_ACCOUNT;
			NOTE(m, NOTE_CHARGE, .fn = "mprotect_fixup", .v = v,
			     .value = (unsigned long)nrpages);
		}
	} else if ((oldflags & VM_ACCOUNT) && vma_is_anonymous(v) &&
		   (!v->anon_vma || MUTATED(m, MUT_MPROTECT_UNCHARGE))) {
		newflags &= ~VM_ACCOUNT;
		NOTE(m, NOTE_UNCHARGE, .fn = "mprotect_fixup", .v = v);
	}
	v = vma_modify_flags(m, *pprev, v, start, end, &newflags);
	if (IS_ERR(v))
		return (int)PTR_ERR(v);
	*pprev = v;
	vma_start_write(m, v);
	if (v->vm_flags != newflags)
		EVENT(m, .kind = EV_VMA_FLAGS, .fn = "mprotect_fixup", .v = v,
		      .flags = newflags, .diff = v->vm_flags ^ newflags);
	v->vm_flags = newflags;
	/* A private VM_LOCKED VMA becoming writable: CoW it in now. */
	if ((newflags & VM_WRITE) && (oldflags & VM_LOCKED) &&
	    !(oldflags & (VM_WRITE | VM_SHARED)))
		populate_vma_page_range(m, v, start, end);
	vm_stat_account(mm, oldflags, -nrpages);
	vm_stat_account(mm, newflags, nrpages);
	return 0;
}

static long do_mprotect(struct machine *m, unsigned long start,
			unsigned long len, unsigned long prot)
{
	const unsigned long grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
	struct mm *mm = cur_mm(m);
	unsigned long end, nstart, tmp;
	struct vma *v, *prev;
	int error = 0;

	prot &= ~(PROT_GROWSDOWN | PROT_GROWSUP);
	if (grows == (PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (!len)
		return 0;
	len = PAGE_ALIGN(len);
	end = start + len;
	if (end <= start)
		return -ENOMEM;
	/* arch_validate_prot(): only R, W, X and SEM */
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM))
		return -EINVAL;

	v = vt_find(&mm->tree, start);
	if (!v || v->vm_start >= end)
		return -ENOMEM;
	if (grows & PROT_GROWSDOWN) {
		start = v->vm_start;
		if (!(v->vm_flags & VM_GROWSDOWN))
			return -EINVAL;
	} else {
		if (v->vm_start > start)
			return -ENOMEM;
		if (grows & PROT_GROWSUP)
			return -EINVAL; /* no VM_GROWSUP on x86 */
	}
	prev = vt_prev(v);
	if (start > v->vm_start)
		prev = v;
	/* What the merge checks and a split read next, each otherwise a
	 * wait of its own: the VMA before, v's anon_vma and its chain
	 * (anon_vma_clone()). */
	__builtin_prefetch(prev);
	__builtin_prefetch(v->anon_vma_chain);
	__builtin_prefetch(v->anon_vma);

	nstart = start;
	tmp = v->vm_start;
	while (v && v->vm_start < end) {
		vm_flags_t newflags;

		if (v->vm_start != tmp && MUTATED(m, MUT_MPROTECT_HOLE))
			tmp = nstart = v->vm_start;
		if (v->vm_start != tmp) {
			NOTE(m, NOTE_MPROTECT_HOLE, .addr = tmp);
			error = -ENOMEM;
			break;
		}
		newflags = calc_vm_prot_bits(prot) |
			   (v->vm_flags & ~VM_ACCESS_FLAGS);
		/* newflags >> 4 shifts VM_MAY% in place of VM_% */
		if ((newflags & ~(newflags >> 4)) & VM_ACCESS_FLAGS) {
			NOTE(m, NOTE_MPROTECT_EACCES, .v = v);
			error = -EACCES;
			break;
		}
		tmp = MIN(v->vm_end, end);
		error = mprotect_fixup(m, v, &prev, nstart, tmp, newflags);
		if (error)
			break;
		/* vma_iter_end(): the end of what mprotect_fixup returned */
		tmp = prev->vm_end;
		nstart = tmp;
		v = vt_next(prev);
	}
	if (!error && tmp < end) {
		NOTE(m, NOTE_MPROTECT_END_HOLE, .addr = tmp);
		error = -ENOMEM;
	}
	return error;
}

long sys_mprotect(struct machine *m, unsigned long start, unsigned long len,
		  unsigned long prot)
{
	long ret;

	op_start(m);
	EV_IN(m, FN_DO_MPROTECT_PKEY, .addr = start, .len = len, .value = prot);
	ret = do_mprotect(m, start, len, prot);
	EV_OUT(m, FN_DO_MPROTECT_PKEY);
	return ret;
}
