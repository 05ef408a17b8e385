/*
 * madvise.c - the madvise() system call (mm/madvise.c), and prctl's
 * PR_SET_VMA, which names anonymous memory through the same code.
 *
 * do_madvise() checks the advice and the range, then madvise_walk_vmas()
 * hands each VMA's part of the range to madvise_vma_behavior():
 *   - advice that changes vm_flags (DONTFORK, WIPEONFORK, DONTDUMP,
 *     HUGEPAGE, MERGEABLE, SEQUENTIAL, ...) goes through
 *     madvise_update_vma() and vma_modify_flags(): a merge with a
 *     neighbour that would then match, else a split, as mprotect;
 *   - advice about pages changes no VMA: DONTNEED zaps the range, FREE
 *     leaves the pages mapped (lazily freed: PAGE_LAZYFREE, which reclaim
 *     may take later), PAGEOUT unmaps page-cache pages and lazily freed
 *     pages no one else maps, WILLNEED
 *     reads a file ahead, REMOVE punches a hole in a shared file, COLD
 *     only ages pages.
 * GUARD_INSTALL puts guard markers in the page table (SIGSEGV on any
 * access) and sets the sticky VM_MAYBE_GUARD on the VMA without a split;
 * GUARD_REMOVE clears the markers.
 * COLLAPSE is modelled where it makes no huge page: madvise_collapse().
 * POPULATE_READ and POPULATE_WRITE do not walk the VMAs: they fault the
 * range in through GUP (faultin_page_range(), memory.c).
 * A hole does not stop the walk: the VMAs after it are advised too and
 * ENOMEM is returned at the end.  An error from one VMA stops the walk
 * there, the VMAs before it advised.
 *
 * Not simulated (the engine returns -ENOSYS, which verify reports as a
 * failure): MADV_COLLAPSE where it would make a huge page (a block of
 * the range with pages in it) and the memory-failure injection
 * (HWPOISON, SOFT_OFFLINE).
 */
#include "internal.h"

/* struct madvise_behavior: one call's state as the walk goes. */
struct madv {
	struct mm *mm;
	int behavior;
	struct vma *prev, *vma;
	unsigned long start, end; /* the part of the range in vma */
	/* madvise_willneed() dropped the mmap lock: the walk looks the
	 * next VMA up afresh. */
	bool lock_dropped;
};

/* madvise_behavior_valid(), for this kernel's configuration (KSM,
 * THP and memory failure built in). */
static bool madvise_behavior_valid(long behavior)
{
	switch (behavior) {
	case MADV_DOFORK:
	case MADV_DONTFORK:
	case MADV_NORMAL:
	case MADV_SEQUENTIAL:
	case MADV_RANDOM:
	case MADV_REMOVE:
	case MADV_WILLNEED:
	case MADV_DONTNEED:
	case MADV_DONTNEED_LOCKED:
	case MADV_FREE:
	case MADV_COLD:
	case MADV_PAGEOUT:
	case MADV_POPULATE_READ:
	case MADV_POPULATE_WRITE:
	case MADV_MERGEABLE:
	case MADV_UNMERGEABLE:
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
	case MADV_COLLAPSE:
	case MADV_DONTDUMP:
	case MADV_DODUMP:
	case MADV_WIPEONFORK:
	case MADV_KEEPONFORK:
	case MADV_GUARD_INSTALL:
	case MADV_GUARD_REMOVE:
	case MADV_HWPOISON:
	case MADV_SOFT_OFFLINE:
		return true;
	default:
		return false;
	}
}

static bool madvise_simulated(long behavior)
{
	switch (behavior) {
	case MADV_HWPOISON:
	case MADV_SOFT_OFFLINE:
		return false;
	default:
		return true;
	}
}

/* is_discard(): advice that may throw away what the memory holds. */
static bool is_discard(int behavior)
{
	switch (behavior) {
	case MADV_FREE:
	case MADV_DONTNEED:
	case MADV_DONTNEED_LOCKED:
	case MADV_REMOVE:
	case MADV_DONTFORK:
	case MADV_WIPEONFORK:
	case MADV_GUARD_INSTALL:
		return true;
	default:
		return false;
	}
}

/*
 * can_madvise_modify(): a sealed VMA refuses discarding advice only if it
 * is anonymous and not writable; file mappings and writable memory may
 * be discarded anyway (the caller could write zeroes itself).
 */
static bool can_madvise_modify(const struct madv *mb)
{
	const struct vma *v = mb->vma;

	if (!(v->vm_flags & VM_SEALED) || !is_discard(mb->behavior))
		return true;
	if (!vma_is_anonymous(v))
		return true;
	return (v->vm_flags & VM_WRITE) != 0;
}

/* can_madv_lru_vma(): COLD and PAGEOUT leave locked memory alone. */
static bool can_madv_lru_vma(const struct vma *v)
{
	return !(v->vm_flags & (VM_LOCKED | VM_PFNMAP | VM_HUGETLB));
}

static int refuse(struct machine *m, const struct madv *mb, const char *fn,
		  int err)
{
	NOTE(m, NOTE_MADV_REFUSED, .fn = fn, .v = mb->vma,
	     .value = (unsigned long)mb->behavior, .len = (unsigned long)-err);
	return err;
}

/*
 * madvise_update_vma(): the flags for [start, end) of vma, through
 * vma_modify_flags() unless nothing changes.
 */
static int madvise_update_vma(struct machine *m, struct madv *mb,
			      vm_flags_t new_flags)
{
	struct vma *v = mb->vma;

	if (new_flags == v->vm_flags)
		return 0;
	v = vma_modify_flags(m, mb->prev, v, mb->start, mb->end, &new_flags);
	if (IS_ERR(v))
		return (int)PTR_ERR(v);
	mb->vma = v;
	vma_start_write(m, v);
	if (v->vm_flags != new_flags)
		EVENT(m, .kind = EV_VMA_FLAGS, .fn = "madvise_update_vma",
		      .v = v, .flags = new_flags,
		      .diff = v->vm_flags ^ new_flags);
	v->vm_flags = new_flags;
	return 0;
}

/* madvise_dontneed_free(): EINVAL for locked memory (but for
 * DONTNEED_LOCKED) and, for FREE, anything but private anonymous. */
static int madvise_dontneed_free(struct machine *m, struct madv *mb)
{
	struct vma *v = mb->vma;
	vm_flags_t forbidden = VM_PFNMAP;

	if (mb->behavior != MADV_DONTNEED_LOCKED)
		forbidden |= VM_LOCKED;
	if (v->vm_flags & forbidden)
		return refuse(m, mb, "madvise_dontneed_free_valid_vma",
			      -EINVAL);
	if (mb->behavior == MADV_FREE && !MUTATED(m, MUT_MADVISE_FREE)) {
		if (!vma_is_anonymous(v))
			return refuse(m, mb, "madvise_free_single_vma",
				      -EINVAL);
		/* madvise_free_pte_range(): the pages are marked lazyfree
		 * and stay mapped (and counted) until reclaim. */
		NOTE(m, NOTE_MADV_LAZYFREE, .fn = "madvise_free_single_vma",
		     .v = v, .addr = mb->start, .len = mb->end - mb->start);
		madvise_free_range(m, v, mb->start, mb->end);
		return 0;
	}
	zap_page_range(m, v, mb->start, mb->end);
	return 0;
}

/* madvise_remove(): punch a hole in a shared, writable file mapping. */
static int madvise_remove(struct machine *m, struct madv *mb)
{
	struct vma *v = mb->vma;
	unsigned long first, last;

	mb->lock_dropped = true;
	if (v->vm_flags & VM_LOCKED)
		return refuse(m, mb, "madvise_remove", -EINVAL);
	if (!v->vm_file)
		return refuse(m, mb, "madvise_remove", -EINVAL);
	/* vma_is_shared_maywrite() */
	if ((v->vm_flags & (VM_SHARED | VM_MAYWRITE)) !=
	    (VM_SHARED | VM_MAYWRITE))
		return refuse(m, mb, "madvise_remove", -EACCES);
	first = v->vm_pgoff + ((mb->start - v->vm_start) >> PAGE_SHIFT);
	last = first + ((mb->end - mb->start) >> PAGE_SHIFT);
	punch_hole_mappings(m, v->vm_file->inode, first, last);
	return 0;
}

/* madvise_willneed(): read a file ahead; nothing to do for anonymous
 * memory or shmem without swap. */
static int madvise_willneed(struct machine *m, struct madv *mb)
{
	struct vma *v = mb->vma;

	if (!v->vm_file || v->vm_file->inode->shmem)
		return 0;
	mb->lock_dropped = true;
	madvise_willneed_file(m, v, mb->start, mb->end);
	return 0;
}

/*
 * ksm_madvise(): MERGEABLE is ignored (no error) on memory KSM cannot
 * merge (vma_ksm_compatible); UNMERGEABLE on memory that is not.
 */
static void ksm_madvise(const struct vma *v, int behavior,
			vm_flags_t *flags)
{
	if (behavior == MADV_MERGEABLE) {
		if (v->vm_flags & VM_MERGEABLE)
			return;
		if (v->vm_flags & (VM_SHARED | VM_MAYSHARE | VM_PFNMAP |
				   VM_IO | VM_DONTEXPAND | VM_HUGETLB |
				   VM_MIXEDMAP | VM_DROPPABLE))
			return;
		*flags |= VM_MERGEABLE;
	} else {
		*flags &= ~VM_MERGEABLE;
	}
}

/*
 * is_valid_guard_vma(): no guard markers in special or hugetlb VMAs, nor
 * installed in locked ones (whose pages the zap would take); removing
 * them from a locked VMA is allowed.
 */
static bool is_valid_guard_vma(const struct vma *v, bool allow_locked)
{
	vm_flags_t disallowed = VM_SPECIAL | VM_HUGETLB;

	if (!allow_locked)
		disallowed |= VM_LOCKED;
	return !(v->vm_flags & disallowed);
}

/*
 * madvise_guard_install(): anonymous memory gets an anon_vma (its page
 * tables now hold what a fault cannot make again), and the VMA
 * VM_MAYBE_GUARD on the whole of it, set atomically: no split, no write
 * lock (fork copies the page tables of such VMAs, VM_COPY_ON_FORK).  The pages of the range are zapped and every entry becomes a
 * guard marker.
 *
 *   AAAAAAAA      touched
 *   AAggAAAA      GUARD_INSTALL of pages 2-3: Rss 6 pages, smaps "gu"
 */
static int madvise_guard_install(struct machine *m, struct madv *mb)
{
	struct vma *v = mb->vma;
	unsigned long zapped;
	int err;

	if (!is_valid_guard_vma(v, false))
		return refuse(m, mb, "is_valid_guard_vma", -EINVAL);
	/* Anonymous memory only: a file's or shmem's page tables are copied
	 * on fork through VM_MAYBE_GUARD alone. */
	if (vma_is_anonymous(v)) {
		err = anon_vma_prepare(m, v);
		if (err)
			return err;
	}
	if (!(v->vm_flags & VM_MAYBE_GUARD)) {
		v->vm_flags |= VM_MAYBE_GUARD;
		EVENT(m, .kind = EV_VMA_FLAGS, .fn = "madvise_guard_install",
		      .v = v, .flags = v->vm_flags, .diff = VM_MAYBE_GUARD);
	}
	zapped = guard_install_range(m, v, mb->start, mb->end);
	NOTE(m, NOTE_GUARD_INSTALL, .fn = "madvise_guard_install", .v = v,
	     .addr = mb->start, .len = mb->end - mb->start, .value = zapped);
	return 0;
}

/* madvise_guard_remove(): the markers go; VM_MAYBE_GUARD stays. */
static int madvise_guard_remove(struct machine *m, struct madv *mb)
{
	struct vma *v = mb->vma;
	unsigned long n;

	if (!is_valid_guard_vma(v, true))
		return refuse(m, mb, "is_valid_guard_vma", -EINVAL);
	n = guard_remove_range(m, v, mb->start, mb->end);
	NOTE(m, NOTE_GUARD_REMOVE, .fn = "madvise_guard_remove", .v = v,
	     .addr = mb->start, .len = mb->end - mb->start, .value = n);
	return 0;
}

#define HPAGE_PMD_SIZE (1UL << 21)
#define HPAGE_PMD_MASK (~(HPAGE_PMD_SIZE - 1))
#define HPAGE_PMD_NR (HPAGE_PMD_SIZE >> PAGE_SHIFT)

/*
 * thp_vma_allowable_order(vma, TVA_FORCED_COLLAPSE, PMD_ORDER): may this
 * VMA hold a PMD-sized THP, whatever the sysfs setting?  Not with
 * VM_NOHUGEPAGE, nor in special or hugetlb VMAs; anonymous memory needs
 * its anon_vma (none yet: nothing to collapse); of files only shmem
 * (shmem_enabled "never" is not "deny"), regular files not (no
 * CONFIG_READ_ONLY_THP_FOR_FS file ever qualified here); and the VMA
 * must hold an aligned 2 MiB block, its pgoff aligned with it
 * (thp_vma_suitable_order() at vm_end - HPAGE_PMD_SIZE).
 */
static bool thp_vma_collapse_allowed(const struct vma *v)
{
	unsigned long haddr;

	if (v->vm_flags & (VM_NOHUGEPAGE | VM_SPECIAL | VM_HUGETLB))
		return false;
	if (vma_is_anonymous(v)) {
		if (!v->anon_vma)
			return false;
	} else if (!vma_is_shmem(v)) {
		return false;
	}
	if (((v->vm_start >> PAGE_SHIFT) - v->vm_pgoff) % HPAGE_PMD_NR)
		return false;
	if (v->vm_end - v->vm_start < HPAGE_PMD_SIZE)
		return false;
	haddr = (v->vm_end - HPAGE_PMD_SIZE) & HPAGE_PMD_MASK;
	return haddr >= v->vm_start;
}

/*
 * madvise_collapse() (mm/khugepaged.c), for what it decides without
 * making a huge page: EINVAL where the VMA may not hold one; then the
 * aligned 2 MiB blocks of the range, [hstart, hend).  None (the range
 * holds no whole block) is 0; a range whose rounded-up start passes its
 * rounded-down end makes (hend - hstart) wrap, so no count of collapsed
 * blocks can equal it: EINVAL (last_fail SCAN_FAIL).  A block with no
 * entry at all is SCAN_PMD_NULL or SCAN_PTE_NON_PRESENT: EINVAL, nothing
 * changed, if every block is so.  A block with pages would be collapsed
 * into a THP (Rss 2 MiB), which the engine does not model: ENOSYS.
 *
 *   |  2 MiB  |  2 MiB  |      PMD boundaries
 *   VVVVVVVVVVVVVVVVVVVVV      a faulted anonymous VMA
 *     <-->                     no whole block: 0
 *   <--------->                one block, no page in it: EINVAL
 */
static int madvise_collapse(struct machine *m, struct madv *mb)
{
	struct vma *v = mb->vma;
	unsigned long hstart, hend;

	/* a MAP_DROPPABLE VMA is anonymous memory here too (measured) */
	if (!thp_vma_collapse_allowed(v))
		return refuse(m, mb, "thp_vma_allowable_order", -EINVAL);
	hstart = (mb->start + ~HPAGE_PMD_MASK) & HPAGE_PMD_MASK;
	hend = mb->end & HPAGE_PMD_MASK;
	if (hstart == hend) {
		NOTE(m, NOTE_COLLAPSE_NOTHING, .fn = "madvise_collapse", .v = v,
		     .addr = mb->start, .len = mb->end - mb->start);
		return 0;
	}
	if (hstart > hend)
		return refuse(m, mb, "madvise_collapse", -EINVAL);
	for (unsigned long a = hstart; a < hend; a += HPAGE_PMD_SIZE)
		if (pages_present(&v->mm->pages, a, a + HPAGE_PMD_SIZE))
			return -ENOSYS;
	NOTE(m, NOTE_COLLAPSE_EMPTY, .fn = "hpage_collapse_scan_pmd", .v = v,
	     .addr = hstart, .len = hend - hstart);
	return -EINVAL;
}

/* madvise_vma_behavior(): one VMA's part of the range. */
static int madvise_vma_behavior(struct machine *m, struct madv *mb)
{
	struct vma *v = mb->vma;
	vm_flags_t new_flags = v->vm_flags;
	int behavior = mb->behavior, error;

	if (!can_madvise_modify(mb)) {
		NOTE(m, NOTE_SEALED, .fn = "can_madvise_modify", .v = v);
		return -EPERM;
	}
	switch (behavior) {
	case MADV_REMOVE:
		return madvise_remove(m, mb);
	case MADV_WILLNEED:
		return madvise_willneed(m, mb);
	case MADV_COLD:
		if (!can_madv_lru_vma(v))
			return refuse(m, mb, "madvise_cold", -EINVAL);
		return 0;
	case MADV_PAGEOUT:
		if (!can_madv_lru_vma(v))
			return refuse(m, mb, "madvise_pageout", -EINVAL);
		madvise_pageout_range(m, v, mb->start, mb->end);
		return 0;
	case MADV_FREE:
	case MADV_DONTNEED:
	case MADV_DONTNEED_LOCKED:
		return madvise_dontneed_free(m, mb);
	case MADV_COLLAPSE:
		return madvise_collapse(m, mb);
	case MADV_GUARD_INSTALL:
		return madvise_guard_install(m, mb);
	case MADV_GUARD_REMOVE:
		return madvise_guard_remove(m, mb);
	case MADV_NORMAL:
		new_flags &= ~(VM_RAND_READ | VM_SEQ_READ);
		break;
	case MADV_SEQUENTIAL:
		new_flags = (new_flags & ~VM_RAND_READ) | VM_SEQ_READ;
		break;
	case MADV_RANDOM:
		new_flags = (new_flags & ~VM_SEQ_READ) | VM_RAND_READ;
		break;
	case MADV_DONTFORK:
		new_flags |= VM_DONTCOPY;
		break;
	case MADV_DOFORK:
		if (new_flags & VM_IO)
			return refuse(m, mb, "madvise_vma_behavior", -EINVAL);
		new_flags &= ~VM_DONTCOPY;
		break;
	case MADV_WIPEONFORK:
		/* only private anonymous memory */
		if (v->vm_file || (new_flags & VM_SHARED))
			return refuse(m, mb, "madvise_vma_behavior", -EINVAL);
		new_flags |= VM_WIPEONFORK;
		break;
	case MADV_KEEPONFORK:
		if (new_flags & VM_DROPPABLE)
			return refuse(m, mb, "madvise_vma_behavior", -EINVAL);
		new_flags &= ~VM_WIPEONFORK;
		break;
	case MADV_DONTDUMP:
		new_flags |= VM_DONTDUMP;
		break;
	case MADV_DODUMP:
		if ((!(new_flags & VM_HUGETLB) && (new_flags & VM_SPECIAL)) ||
		    (new_flags & VM_DROPPABLE))
			return refuse(m, mb, "madvise_vma_behavior", -EINVAL);
		new_flags &= ~VM_DONTDUMP;
		break;
	case MADV_MERGEABLE:
	case MADV_UNMERGEABLE:
		ksm_madvise(v, behavior, &new_flags);
		break;
	case MADV_HUGEPAGE:
		/* hugepage_madvise() */
		new_flags = (new_flags & ~VM_NOHUGEPAGE) | VM_HUGEPAGE;
		break;
	case MADV_NOHUGEPAGE:
		new_flags = (new_flags & ~VM_HUGEPAGE) | VM_NOHUGEPAGE;
		break;
	}
	error = madvise_update_vma(m, mb, new_flags);
	/* Out of kernel memory (a split failed): EAGAIN, try again. */
	return error == -ENOMEM ? -EAGAIN : error;
}

/*
 * madvise_walk_vmas(): each VMA of [start, end) in turn.  A hole is
 * remembered and skipped; past the last VMA the walk ends with ENOMEM.
 *
 *      <----------------->      the range
 *   AAAA    BBBBBB    CCCC      A and B advised, then ENOMEM (no VMA
 *                               at the end: the gap after C)
 */
static int madvise_walk_vmas(struct machine *m, struct madv *mb)
{
	struct mm *mm = mb->mm;
	unsigned long last_end = mb->end;
	struct vma *v, *prev;
	int unmapped_error = 0, error;

	v = vt_find(&mm->tree, mb->start);
	prev = v ? vt_prev(v) : NULL;
	if (v && mb->start > v->vm_start)
		prev = v;
	for (;;) {
		if (!v) {
			NOTE(m, NOTE_MADV_HOLE, .fn = "madvise_walk_vmas",
			     .addr = mb->start);
			return -ENOMEM;
		}
		if (mb->start < v->vm_start) {
			NOTE(m, NOTE_MADV_HOLE, .fn = "madvise_walk_vmas",
			     .addr = mb->start);
			if (MUTATED(m, MUT_MADVISE_HOLES))
				return -ENOMEM;
			unmapped_error = -ENOMEM;
			mb->start = v->vm_start;
			if (mb->start >= last_end)
				break;
		}
		mb->end = MIN(v->vm_end, last_end);
		mb->prev = prev;
		mb->vma = v;
		error = madvise_vma_behavior(m, mb);
		if (error)
			return error;
		if (mb->lock_dropped) {
			prev = v = NULL;
			mb->lock_dropped = false;
		} else {
			v = mb->vma;
			prev = v;
		}
		if (v && mb->end < v->vm_end)
			mb->end = v->vm_end;
		if (mb->end >= last_end)
			break;
		v = vt_find(&mm->tree, mb->end);
		mb->start = mb->end;
	}
	return unmapped_error;
}

static long do_madvise(struct machine *m, unsigned long start,
		       unsigned long len_in, long behavior)
{
	struct madv mb = {.mm = cur_mm(m), .behavior = (int)behavior};
	unsigned long len;

	/* madvise_should_skip(): is_valid_madvise(), then an empty range */
	if (!madvise_behavior_valid(behavior)) {
		NOTE(m, NOTE_MADV_UNKNOWN, .fn = "madvise_behavior_valid",
		     .value = (unsigned long)behavior);
		return -EINVAL;
	}
	if (start & ~PAGE_MASK)
		return -EINVAL;
	len = PAGE_ALIGN(len_in);
	if (len_in && !len)
		return -EINVAL;
	if (start + len < start)
		return -EINVAL;
	if (start + len == start)
		return 0;
	if (!madvise_simulated(behavior))
		return -ENOSYS;
	/* madvise_do_behavior(): populate is GUP's walk, not the VMAs' */
	if (behavior == MADV_POPULATE_READ || behavior == MADV_POPULATE_WRITE)
		return faultin_page_range(m, start, start + len,
					  behavior == MADV_POPULATE_WRITE);
	mb.start = start;
	mb.end = start + len;
	return madvise_walk_vmas(m, &mb);
}

long sys_madvise(struct machine *m, unsigned long start, unsigned long len,
		 long behavior)
{
	long ret;

	op_start(m);
	EV_IN(m, FN_DO_MADVISE, .addr = start, .len = len,
	      .value = (unsigned long)behavior);
	ret = do_madvise(m, start, len, behavior);
	EV_OUT(m, FN_DO_MADVISE);
	return ret;
}

/*
 * prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, ...): prctl_set_vma() is
 * madvise_set_anon_name() with CONFIG_ANON_VMA_NAME, and EINVAL without;
 * the reference kernel has it off.  Other options are not simulated.
 */
long sys_prctl(struct machine *m, unsigned long option, unsigned long arg2,
	       unsigned long arg3, unsigned long arg4, const char *name)
{
	op_start(m);
	if (option != PR_SET_VMA)
		return -ENOSYS;
	NOTE(m, NOTE_PRCTL_NO_ANON_NAME, .fn = "prctl_set_vma", .addr = arg3,
	     .len = arg4);
	return -EINVAL;
}
