/*
 * mmap.c - the mmap() and munmap() system calls: argument checks, the
 * vm_flags a mapping starts with, and where a mapping goes when the caller
 * does not fix it (mm/mmap.c, arch/x86/kernel/sys_x86_64.c, mm/vma.c).
 */
#include "internal.h"

#define PMD_SIZE (1UL << 21)
#define TASK_UNMAPPED_BASE PAGE_ALIGN(TASK_SIZE / 3)
/* x86-64 DEFAULT_MAP_WINDOW: the 47-bit user address space */
#define DEFAULT_MAP_WINDOW ((1UL << 47) - PAGE_SIZE)

/* vm_start_gap(): a stack keeps a guard gap below it. */
static unsigned long vm_start_gap(const struct vma *v)
{
	unsigned long start = v->vm_start;

	if (v->vm_flags & VM_GROWSDOWN) {
		start -= STACK_GUARD_GAP;
		if (start > v->vm_start)
			start = 0;
	}
	return start;
}

/*
 * unmapped_area_topdown() (mm/vma.c): the highest gap in [low, high) that
 * fits length, retried below any stack whose guard gap it would break.
 */
static unsigned long unmapped_area_topdown(struct machine *m, unsigned long len,
					   unsigned long low,
					   unsigned long high)
{
	struct mm *mm = cur_mm(m);
	unsigned long gs, ge, gap;
	struct vma *tmp;

	if (low < m->params.mmap_min_addr)
		low = m->params.mmap_min_addr;
	for (;;) {
		if (high <= low ||
		    !vt_gap_rev(&mm->tree, low, high, len, &gs, &ge))
			return (unsigned long)-ENOMEM;
		gap = ge - len;
		tmp = vt_find(&mm->tree, ge);
		if (tmp && (tmp->vm_flags & VM_GROWSDOWN) &&
		    vm_start_gap(tmp) < ge) {
			high = vm_start_gap(tmp);
			continue;
		}
		return gap;
	}
}

/* unmapped_area() (mm/vma.c): the lowest gap in [low, high) that fits. */
static unsigned long unmapped_area(struct machine *m, unsigned long len,
				   unsigned long low, unsigned long high)
{
	struct mm *mm = cur_mm(m);
	unsigned long gs, ge;
	struct vma *tmp;

	if (low < m->params.mmap_min_addr)
		low = m->params.mmap_min_addr;
	for (;;) {
		if (high <= low ||
		    !vt_gap_fwd(&mm->tree, low, high, len, &gs, &ge))
			return (unsigned long)-ENOMEM;
		tmp = vt_find(&mm->tree, gs);
		if (tmp && (tmp->vm_flags & VM_GROWSDOWN) &&
		    vm_start_gap(tmp) < gs + len) {
			low = tmp->vm_end;
			continue;
		}
		return gs;
	}
}

/* mmap_address_hint_valid() (arch/x86/kernel/sys_x86_64.c) */
static bool mmap_address_hint_valid(unsigned long addr, unsigned long len)
{
	if (TASK_SIZE - len < addr)
		return false;
	return (addr > DEFAULT_MAP_WINDOW) == (addr + len > DEFAULT_MAP_WINDOW);
}

/*
 * arch_get_unmapped_area() for x86-64, the bottom-up search: MAP_32BIT
 * (find_start_end: [1 GiB, 2 GiB), the kernel randomising the start by up
 * to 32 MiB) and the fallback of a failed top-down search
 * ([TASK_UNMAPPED_BASE, TASK_SIZE)).  A hint is taken, rounded up, if it
 * fits below the end and is free.
 */
static unsigned long get_area_bottomup(struct machine *m, unsigned long addr,
				       unsigned long len, unsigned long flags)
{
	struct mm *mm = cur_mm(m);
	unsigned long begin = TASK_UNMAPPED_BASE, end = TASK_SIZE;
	struct vma *v;

	if (flags & MAP_32BIT) {
		begin = 0x40000000UL;
		end = 0x80000000UL;
	}
	if (len > end)
		return (unsigned long)-ENOMEM;
	if (addr) {
		addr = PAGE_ALIGN(addr);
		v = vt_find(&mm->tree, addr);
		if (end - len >= addr && (!v || addr + len <= vm_start_gap(v))) {
			NOTE(m, NOTE_HINT_FREE, .addr = addr);
			return addr;
		}
		NOTE(m, NOTE_HINT_UNUSABLE, .addr = addr);
	}
	return unmapped_area(m, len, begin, end);
}

/* arch_get_unmapped_area_topdown() for x86-64. */
static unsigned long get_area_topdown(struct machine *m, unsigned long addr0,
				      unsigned long len, unsigned long flags)
{
	struct mm *mm = cur_mm(m);
	unsigned long high = mm->mmap_base, ret, addr = addr0;
	struct vma *v;

	if (len > TASK_SIZE)
		return (unsigned long)-ENOMEM;
	if (flags & MAP_FIXED)
		return addr;
	if (flags & MAP_32BIT)
		return get_area_bottomup(m, addr0, len, flags);
	if (addr) {
		addr &= PAGE_MASK;
		if (mmap_address_hint_valid(addr, len)) {
			v = vt_find(&mm->tree, addr);
			if (!v || addr + len <= vm_start_gap(v)) {
				NOTE(m, NOTE_HINT_FREE, .addr = addr);
				return addr;
			}
		}
		NOTE(m, NOTE_HINT_UNUSABLE, .addr = addr);
	}
	if (addr > DEFAULT_MAP_WINDOW)
		high += TASK_SIZE - DEFAULT_MAP_WINDOW;
	ret = unmapped_area_topdown(m, len, PAGE_SIZE, high);
	if (!IS_ERR_VALUE(ret))
		return ret;
	/* A failed top-down search falls back to bottom-up, hint and all. */
	return get_area_bottomup(m, addr0, len, flags);
}

/*
 * __thp_get_unmapped_area(): place a mapping so that its address and its
 * file offset agree modulo 2 MiB, where the range then holds at least one
 * whole PMD.  It searches for len + 2 MiB (so that an aligned start fits)
 * and slides up; a hint that fits the padded length is kept as it is.  0
 * means "no aligned placement": the caller searches again for len alone.
 * Anonymous memory comes here with off 0.
 */
static unsigned long thp_get_area(struct machine *m, unsigned long addr,
				  unsigned long len, unsigned long off,
				  unsigned long flags)
{
	unsigned long off_end = off + len;
	unsigned long off_align = (off + PMD_SIZE - 1) & ~(PMD_SIZE - 1);
	unsigned long len_pad = len + PMD_SIZE, ret, off_sub;

	if (off_end <= off_align || off_end - off_align < PMD_SIZE)
		return 0;
	if (len_pad < len || off + len_pad < off)
		return 0;
	ret = get_area_topdown(m, addr, len_pad, flags);
	if (IS_ERR_VALUE(ret))
		return 0;
	if (ret == addr)
		return addr;
	off_sub = (off - ret) & (PMD_SIZE - 1);
	if (!off_sub) /* MMF_TOPDOWN: leave the padding below */
		return ret + PMD_SIZE;
	return ret + off_sub;
}

/*
 * __get_unmapped_area().  The file's own get_unmapped_area decides first:
 * a regular (ext4) file has thp_get_unmapped_area, shmem files and shared
 * anonymous memory have shmem_get_unmapped_area, which does not align
 * while shmem huge pages are off (shmem_enabled "never", as here).
 * Private anonymous mappings with no hint that are a multiple of 2 MiB
 * are aligned by thp_get_unmapped_area_vmflags().
 */
unsigned long get_unmapped_area(struct machine *m, struct vm_file *file,
				unsigned long addr, unsigned long len,
				unsigned long pgoff, unsigned long flags)
{
	unsigned long ret = 0;

	if (len > TASK_SIZE)
		return (unsigned long)-ENOMEM;
	if (MUTATED(m, MUT_THP_ALIGN))
		ret = 0;
	else if (file && !file->inode->shmem && file->inode->type == I_REG)
		ret = thp_get_area(m, addr, len, pgoff << PAGE_SHIFT, flags);
	else if (!file && !(flags & MAP_SHARED) && !addr &&
		 !(len & (PMD_SIZE - 1)))
		ret = thp_get_area(m, 0, len, 0, flags);
	addr = ret ? ret : get_area_topdown(m, addr, len, flags);
	if (IS_ERR_VALUE(addr))
		return addr;
	if (addr > TASK_SIZE - len)
		return (unsigned long)-ENOMEM;
	if (offset_in_page(addr))
		return (unsigned long)-EINVAL;
	return addr;
}

/* round_hint_to_min(): mmap_min_addr is the kernel's (the LSM's), not
 * the sysctl's: a hint below 64 KiB comes up to 64 KiB here. */
static unsigned long round_hint_to_min(const struct machine *m,
				       unsigned long hint)
{
	hint &= PAGE_MASK;
	if (hint && hint < m->params.mmap_min_addr)
		return PAGE_ALIGN(m->params.mmap_min_addr);
	return hint;
}

static vm_flags_t calc_vm_flag_bits(unsigned long flags)
{
	return (flags & MAP_GROWSDOWN ? VM_GROWSDOWN : 0) |
	       (flags & MAP_LOCKED ? VM_LOCKED : 0) |
	       (flags & MAP_SYNC ? VM_SYNC : 0) |
	       (flags & MAP_STACK ? VM_NOHUGEPAGE : 0);
}

/* The file checks of do_mmap(): modes, types, and the flags they allow. */
/*
 * file_mmap_ok(): the mapping must end within the largest file offset,
 * MAX_LFS_FILESIZE for a regular file (ULONG_MAX for others).
 */
static bool file_mmap_ok(struct vm_file *file, unsigned long pgoff,
			 unsigned long len)
{
	unsigned long maxsize = file->inode->type == I_REG ? (~0UL >> 1) : ~0UL;

	if (len > maxsize)
		return false;
	maxsize -= len;
	return pgoff <= maxsize >> PAGE_SHIFT;
}

static long mmap_file_checks(struct vm_file *file, unsigned long prot,
			     unsigned long flags, unsigned long pgoff,
			     unsigned long len, vm_flags_t *vm_flags)
{
	if (!file_mmap_ok(file, pgoff, len))
		return -EOVERFLOW;
	switch (flags & MAP_TYPE) {
	case MAP_SHARED:
		/* Unknown flags are silently dropped for legacy MAP_SHARED. */
		flags &= LEGACY_MAP_MASK;
		/* fallthrough */
	case MAP_SHARED_VALIDATE:
		/*
		 * flags_mask: LEGACY_MAP_MASK and the file's own
		 * mmap_supported_flags, MAP_SYNC for ext4 (which refuses it
		 * only later, in ext4_file_mmap(), after a MAP_FIXED unmap:
		 * mmap-sync-validate-hole.vml), none for shmem.
		 */
		if (flags & ~(LEGACY_MAP_MASK |
			      (file->inode->shmem ? 0 : MAP_SYNC)))
			return -EOPNOTSUPP;
		if ((prot & PROT_WRITE) && !(file->f_mode & FMODE_WRITE))
			return -EACCES;
		*vm_flags |= VM_SHARED | VM_MAYSHARE;
		if (!(file->f_mode & FMODE_WRITE))
			*vm_flags &= ~(VM_MAYWRITE | VM_SHARED);
		/* fallthrough */
	case MAP_PRIVATE:
		if (!(file->f_mode & FMODE_READ))
			return -EACCES;
		/* A directory or /dev/null has no ->mmap (can_mmap_file). */
		if (file->inode->type != I_REG)
			return -ENODEV;
		if (*vm_flags & VM_GROWSDOWN)
			return -EINVAL;
		return 0;
	default:
		return -EINVAL;
	}
}

/* The anonymous branch of do_mmap(). */
static long mmap_anon_checks(unsigned long addr, unsigned long flags,
			     vm_flags_t *vm_flags, unsigned long *pgoff)
{
	switch (flags & MAP_TYPE) {
	case MAP_SHARED:
		if (*vm_flags & VM_GROWSDOWN)
			return -EINVAL;
		*pgoff = 0;
		*vm_flags |= VM_SHARED | VM_MAYSHARE;
		return 0;
	case MAP_DROPPABLE:
		/* Droppable pages may vanish: no lock, no stack, no fork. */
		if (flags & (MAP_LOCKED | MAP_HUGETLB))
			return -EINVAL;
		if (*vm_flags & VM_GROWSDOWN)
			return -EINVAL;
		*vm_flags |= VM_DROPPABLE | VM_NORESERVE | VM_WIPEONFORK |
			     VM_DONTDUMP;
		/* fallthrough */
	case MAP_PRIVATE:
		/* pgoff from the address, so unfaulted anon VMAs line up */
		*pgoff = addr >> PAGE_SHIFT;
		return 0;
	default:
		return -EINVAL;
	}
}

/* do_mmap(), in the kernel's order of checks. */
static long do_mmap(struct machine *m, struct vm_file *file, unsigned long addr,
		    unsigned long len, unsigned long prot, unsigned long flags,
		    unsigned long pgoff)
{
	struct mm *mm = cur_mm(m);
	vm_flags_t vm_flags;
	long err;

	if (!len)
		return -EINVAL;
	if (flags & MAP_FIXED_NOREPLACE)
		flags |= MAP_FIXED;
	if (!(flags & MAP_FIXED))
		addr = round_hint_to_min(m, addr);
	len = PAGE_ALIGN(len);
	if (!len)
		return -ENOMEM;
	if (pgoff + (len >> PAGE_SHIFT) < pgoff)
		return -EOVERFLOW;
	if (mm->map_count > m->max_map_count)
		return -ENOMEM;
	vm_flags = calc_vm_prot_bits(prot) | calc_vm_flag_bits(flags) |
		   mm->def_flags | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
	/* hugetlb_get_unmapped_area(): a fixed address must be aligned. */
	if ((flags & MAP_HUGETLB) && (flags & MAP_FIXED) &&
	    (addr & (PMD_SIZE - 1)))
		return -EINVAL;
	addr = get_unmapped_area(m, file, addr, len, pgoff, flags);
	if (IS_ERR_VALUE(addr))
		return (long)addr;
	if ((flags & MAP_FIXED_NOREPLACE) && !MUTATED(m, MUT_FIXED_NOREPLACE)) {
		struct vma *v = vt_find(&mm->tree, addr);

		if (v && v->vm_start < addr + len) {
			NOTE(m, NOTE_NOREPLACE_EEXIST, .v = v);
			return -EEXIST;
		}
	}
	if (file)
		err = mmap_file_checks(file, prot, flags, pgoff, len,
				       &vm_flags);
	else
		err = mmap_anon_checks(addr, flags, &vm_flags, &pgoff);
	if (err)
		return err;
	/* Ignored when the kernel never overcommits. */
	if ((flags & MAP_NORESERVE) &&
	    m->params.overcommit_memory != OVERCOMMIT_NEVER)
		vm_flags |= VM_NORESERVE;
	/* The hugetlbfs file's mmap reserves huge pages: none here. */
	if (flags & MAP_HUGETLB)
		vm_flags |= VM_HUGETLB;
	addr = mmap_region(m, file, addr, len, vm_flags, pgoff);
	/* vm_mmap_pgoff(): populate after the mmap lock is dropped */
	if (!IS_ERR_VALUE(addr) && !MUTATED(m, MUT_MMAP_POPULATE) &&
	    ((vm_flags & VM_LOCKED) ||
	     (flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE))
		mm_populate(m, addr, len);
	return (long)addr;
}

long sys_mmap(struct machine *m, unsigned long addr, unsigned long len,
	      unsigned long prot, unsigned long flags, long fd,
	      unsigned long off)
{
	struct vm_file *file = NULL;
	long ret;

	op_start(m);
	if (off & ~PAGE_MASK)
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS)) {
		file = fget(m, fd);
		if (!file)
			return -EBADF;
		if (flags & MAP_HUGETLB)
			return -EINVAL;
	} else if (flags & MAP_HUGETLB) {
		/* hugetlb_file_setup(): the length in huge pages */
		len = (len + PMD_SIZE - 1) & ~(PMD_SIZE - 1);
	}
	EV_IN(m, FN_DO_MMAP, .addr = addr, .len = len, .value = prot);
	ret = do_mmap(m, file, addr, len, prot, flags, off >> PAGE_SHIFT);
	EV_OUT(m, FN_DO_MMAP);
	return ret;
}

long sys_munmap(struct machine *m, unsigned long addr, unsigned long len)
{
	long ret;

	op_start(m);
	EV_IN(m, FN_DO_VMI_MUNMAP, .addr = addr, .len = len);
	ret = do_vmi_munmap(m, cur_mm(m), addr, len);
	EV_OUT(m, FN_DO_VMI_MUNMAP);
	return ret;
}

/*
 * check_brk_limits() (mm/mmap.c): the new range must fit the address space
 * (get_unmapped_area with MAP_FIXED), and MCL_FUTURE's locking the
 * RLIMIT_MEMLOCK, which root's CAP_IPC_LOCK lifts (mlock_future_ok).
 */
static long check_brk_limits(struct machine *m, unsigned long addr,
			     unsigned long len)
{
	unsigned long mapped =
		get_unmapped_area(m, NULL, addr, len, 0, MAP_FIXED);

	return IS_ERR_VALUE(mapped) ? (long)mapped : 0;
}

/*
 * SYSCALL_DEFINE1(brk) (mm/mmap.c).  The result is always a break: the new
 * one, or the old one when the request is refused.  mm->brk keeps the
 * value asked for, unaligned; the VMAs end at PAGE_ALIGN of it.
 *
 *   brk < min_brk (start_brk; brk(0) asks)       -> the old break
 *   PAGE_ALIGN(brk) == PAGE_ALIGN(mm->brk)        -> just set mm->brk
 *   shrink: a VMA in [newbrk, oldbrk)             -> do_vmi_align_munmap
 *           nothing there (the heap was unmapped) -> the old break
 *   grow:   check_brk_limits, then the next VMA must leave a page above
 *           newbrk (and a stack its guard gap: vm_start_gap), then
 *           do_brk_flags; with MCL_FUTURE (def_flags VM_LOCKED) populate
 *
 * RLIMIT_DATA is unlimited (check_data_rlimit never refuses), and with
 * CONFIG_COMPAT_BRK off min_brk is start_brk.
 */
long sys_brk(struct machine *m, unsigned long brk)
{
	struct mm *mm = cur_mm(m);
	unsigned long origbrk = mm->brk, newbrk, oldbrk, min_brk;
	struct vma *next, *brkvma;
	long err;

	op_start(m);
	EV_IN(m, FN_SYS_BRK, .addr = brk, .value = origbrk);
	min_brk = mm->start_brk;
	if (brk < min_brk) {
		NOTE(m, NOTE_BRK_BELOW_MIN, .addr = brk, .value = origbrk,
		     .len = min_brk);
		goto out;
	}
	newbrk = PAGE_ALIGN(brk);
	oldbrk = PAGE_ALIGN(mm->brk);
	if (oldbrk == newbrk) {
		NOTE(m, NOTE_BRK_SAME_PAGE, .addr = brk, .value = origbrk);
		mm->brk = brk;
		goto success;
	}
	/* Always allow shrinking brk. */
	if (brk <= mm->brk) {
		brkvma = vt_find(&mm->tree, newbrk);
		if (!brkvma || brkvma->vm_start >= oldbrk) {
			NOTE(m, NOTE_BRK_SHRINK_NOTHING, .addr = brk,
			     .value = origbrk);
			goto out;
		}
		mm->brk = brk;
		EV_IN(m, FN_DO_VMI_MUNMAP, .addr = newbrk,
		      .len = oldbrk - newbrk);
		err = do_vmi_munmap(m, mm, newbrk, oldbrk - newbrk);
		EV_OUT(m, FN_DO_VMI_MUNMAP);
		if (err) {
			mm->brk = origbrk;
			goto out;
		}
		goto success;
	}
	err = check_brk_limits(m, oldbrk, newbrk - oldbrk);
	if (err) {
		NOTE(m, NOTE_BRK_LIMITS, .addr = brk, .value = origbrk,
		     .len = (unsigned long)err);
		goto out;
	}
	/* Only the next VMA within stack_guard_gap of the expansion counts. */
	next = vt_find(&mm->tree, oldbrk);
	if (next && next->vm_start < newbrk + PAGE_SIZE + STACK_GUARD_GAP &&
	    newbrk + PAGE_SIZE > vm_start_gap(next) &&
	    !MUTATED(m, MUT_BRK_NEXT_GAP)) {
		NOTE(m, NOTE_BRK_NEXT_TOO_CLOSE, .v = next, .addr = brk,
		     .value = origbrk);
		goto out;
	}
	/* vma_prev_limit(&vmi, mm->start_brk) */
	brkvma = vt_find_prev(&mm->tree, oldbrk);
	if (brkvma && brkvma->vm_end <= mm->start_brk)
		brkvma = NULL;
	err = do_brk_flags(m, brkvma, oldbrk, newbrk - oldbrk, 0);
	if (err < 0) {
		NOTE(m, NOTE_BRK_FAILED, .addr = brk, .value = origbrk,
		     .len = (unsigned long)err);
		goto out;
	}
	mm->brk = brk;
	if (mm->def_flags & VM_LOCKED)
		mm_populate(m, oldbrk, newbrk - oldbrk);
success:
	EV_OUT(m, FN_SYS_BRK);
	return (long)brk;
out:
	mm->brk = origbrk;
	EV_OUT(m, FN_SYS_BRK);
	return (long)origbrk;
}
