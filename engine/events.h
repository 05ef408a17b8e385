/*
 * events.h - what the engine tells its observers: one typed event per step
 * an operation takes, in the kernel's terms.
 *
 * Events carry codes and ids, never prose.  Front ends turn them into what
 * they need: the `# ...` lines of --trace, JSON lines, the REPL's diff, the
 * UI's highlight, the recorder's digest.  Any number of observers can
 * listen at once (machine_add_observer()); with none attached the engine
 * builds no event at all.
 *
 * The names of kernel functions in `fn` are identifiers, not English:
 * "vma_merge_new_range" is what a reader greps mm/vma.c for.
 */
#ifndef VMALAB_EVENTS_H
#define VMALAB_EVENTS_H

#include <stdbool.h>

struct vma;

enum ev_kind {
	EV_ENTER = 1,  /* code: enum ev_fn; the steps up to EV_LEAVE nest
			  (do_mremap: flags are the MREMAP_* flags) */
	EV_LEAVE,      /* code: the same enum ev_fn */
	EV_MERGE,      /* code: enum merge_case; vma: the target */
	EV_NOMERGE,    /* code: enum merge_veto: why no merge was made */
	EV_VETO,       /* code: enum merge_veto: a can_vma_merge_* said no */
	EV_CAN_MERGE,  /* a can_vma_merge_{before,after} said yes */
	EV_VMA_NEW,    /* code: enum vma_origin; vma now exists */
	EV_VMA_CHANGE, /* code: enum vma_change; range/pgoff after, o* before */
	EV_VMA_FLAGS,  /* vm_flags of vma are now flags; diff: what changed */
	EV_VMA_FREE,   /* code: enum vma_gone; vma is gone */
	EV_LOCK,       /* vma_start_write(vma) */
	EV_ANON_VMA,   /* code: enum anon_op; av (and av2) */
	EV_FAULT,      /* code: enum page_kind; addr is now present in vma */
	EV_ZAP,	       /* pages of [start, end) in vma left the page table */
	EV_NOTE,       /* code: enum ev_note: one decision of a function */
};

/* Kernel functions that nest the steps they take. */
enum ev_fn {
	FN_DO_MMAP = 1,
	FN_DO_VMI_MUNMAP,
	FN_DO_MPROTECT_PKEY,
	FN_DUP_MMAP,
	FN_VMA_MERGE_NEW_RANGE,
	FN_VMA_MERGE_EXISTING_RANGE,
	FN_VMA_EXPAND,
	FN_SPLIT_VMA,
	FN_VMS_GATHER_MUNMAP_VMAS,
	FN_DO_EXECVE, /* do_execveat_common */
	FN_DO_EXIT,   /* do_exit */
	FN_DO_MREMAP, /* do_mremap */
	FN_MOVE_VMA,  /* move_vma */
	FN_COPY_VMA,  /* copy_vma */
	FN_DO_MADVISE,
	FN_DO_MLOCK,		   /* do_mlock and munlock: apply_vma_lock_flags */
	FN_APPLY_MLOCKALL_FLAGS,   /* mlockall, munlockall */
	FN_DO_MSEAL,
	FN_SYS_BRK,   /* SYSCALL_DEFINE1(brk) */
	FN_DO_BRK_FLAGS,
	FN__COUNT
};

/*
 * The cases of vma_merge_new_range() and vma_merge_existing_range(), with
 * the number of each in the pre-6.12 vma_merge() diagram in a comment.
 */
enum merge_case {
	MERGE_NEW_EXPAND_PREV = 1, /* old case 2: PPPP**** -> PPPPPPPP */
	MERGE_NEW_EXPAND_NEXT,	   /* old case 3: ****NNNN -> NNNNNNNN */
	MERGE_NEW_EXPAND_BOTH,	   /* old case 1: PPPP****NNNN -> one */
	MERGE_EXISTING_BOTH,	   /* old case 6: PPPPVVVVNNNN -> one */
	MERGE_EXISTING_LEFT_FULL,  /* old case 7: PPPPVVVV -> PPPPPPPP */
	MERGE_EXISTING_LEFT_PART,  /* old case 5: PPPPVVvv -> PPPPPPvv */
	MERGE_EXISTING_RIGHT_FULL, /* old case 8: VVVVNNNN -> NNNNNNNN */
	MERGE_EXISTING_RIGHT_PART, /* old case 4: vvVVNNNN -> vvNNNNNN */
};

/*
 * Why two VMAs, or a range and a neighbour, do not merge: what the merge
 * predicates decide (is_mergeable_vma, is_mergeable_anon_vma, the pgoff
 * tests of can_vma_merge_{before,after}, can_vma_merge_right's prev/next
 * test), and the reasons a merge as a whole is not attempted.
 */
enum merge_veto {
	VETO_NONE = 0,
	VETO_FLAGS,		/* vm_flags differ: diff holds the bits */
	VETO_FILE_ANON,		/* one is file-backed, one is not */
	VETO_FILE_INODE,	/* two different files */
	VETO_FILE_STRUCT,	/* one file opened twice: two struct files */
	VETO_SRC_FORK_CHILD,	/* faulted range from fork, target unfaulted */
	VETO_COPIED_FORK_CHILD, /* mremap: the copied-from VMA is a fork child */
	VETO_TGT_FORK_CHILD,	/* target from fork, range unfaulted */
	VETO_ANON_VMA,		/* both faulted, different anon_vmas */
	VETO_PGOFF,		/* the pages would not be contiguous in pgoff */
	VETO_PREV_NEXT_ANON,	/* prev and next each fit, not each other */
	VETO_SPECIAL,		/* VM_SPECIAL never merges */
	VETO_NO_NEIGHBOUR,	/* no prev and no next */
	VETO_INCOMPATIBLE,	/* no neighbour that touches and fits */
	VETO_INSIDE,		/* the range is strictly inside one VMA */
	VETO_NOT_ADJACENT,	/* the two VMAs do not touch */
};

/* How a VMA came to be. */
enum vma_origin {
	VMA_FROM_MMAP = 1, /* __mmap_new_vma */
	VMA_FROM_SPLIT,	   /* __split_vma: the new part */
	VMA_FROM_FORK,	   /* dup_mmap: the child's copy */
	VMA_FROM_EXEC,	   /* execve: the stack and the vDSO (fn says which) */
	VMA_FROM_GIVEN,	   /* given from outside (a real process's maps) */
	VMA_FROM_MREMAP,   /* copy_vma: mremap's destination, no merge */
	VMA_FROM_BRK,	   /* do_brk_flags: a new brk VMA */
};

/* What changed a VMA's range or pgoff. */
enum vma_change {
	VMA_CHANGE_MERGE = 1, /* commit_merge: the merge target */
	VMA_CHANGE_ADJUST,    /* commit_merge: middle or next trimmed */
	VMA_CHANGE_SPLIT,     /* __split_vma: the original part */
	VMA_CHANGE_STACK,     /* expand_downwards */
};

/* Why a VMA went away. */
enum vma_gone {
	VMA_GONE_MERGE = 1, /* vma_complete: merged into its neighbour */
	VMA_GONE_MUNMAP,    /* remove_vma after munmap or MAP_FIXED */
	VMA_GONE_EXIT,	    /* the process went away */
};

enum anon_op {
	AV_PREPARE_NEW = 1, /* __anon_vma_prepare: a new anon_vma */
	AV_PREPARE_REUSE,   /* __anon_vma_prepare: find_mergeable_anon_vma */
	AV_CLONE_REUSE,	    /* anon_vma_clone reused av for the child */
	AV_FORK_NEW,	    /* anon_vma_fork: a new anon_vma, parent av2 */
	AV_DUP,		    /* dup_anon_vma: vma takes av from other */
	AV_UNLINK,	    /* unlink_anon_vmas: vma drops av */
	AV_LINK,	    /* anon_vma_chain_link: vma linked to av */
	AV_FREE,	    /* the anon_vma itself is freed */
	AV_MOVE_RMAP,	    /* folio_move_anon_rmap: the page at addr
			       now belongs to vma's anon_vma av */
};

/*
 * Why mremap() refused, in its order of checks (check_mremap_params,
 * check_prep_vma, remap_move, prep_move_vma, expand_vma): each has one
 * errno, which observers know from the code.
 */
enum mremap_refusal {
	MREMAP_BAD_FLAGS = 1,	   /* EINVAL: a flag beyond the three */
	MREMAP_ADDR_UNALIGNED,	   /* EINVAL */
	MREMAP_NEW_LEN_ZERO,	   /* EINVAL: new_len (page-aligned) is 0 */
	MREMAP_NEW_LEN_TOO_BIG,	   /* EINVAL: new_len > TASK_SIZE */
	MREMAP_NEW_ADDR_TOO_HIGH,  /* EINVAL: new_addr + new_len > TASK_SIZE */
	MREMAP_NEW_ADDR_UNALIGNED, /* EINVAL */
	MREMAP_NO_MAYMOVE,	   /* EINVAL: FIXED or DONTUNMAP, no MAYMOVE */
	MREMAP_DONTUNMAP_RESIZE,   /* EINVAL: DONTUNMAP with old_len != new_len */
	MREMAP_OVERLAP,		   /* EINVAL: vrm_overlaps() */
	MREMAP_MAP_COUNT,	   /* ENOMEM: too near max_map_count */
	MREMAP_NO_VMA,		   /* EFAULT: nothing mapped at addr */
	MREMAP_SEALED,		   /* EPERM: can_modify_vma() */
	MREMAP_DUP_PRIVATE,	   /* EINVAL: old_len 0 on a private mapping */
	MREMAP_DONTUNMAP_SPECIAL,  /* EINVAL: DONTUNMAP, VM_DONTEXPAND|PFNMAP */
	MREMAP_CROSSES_END,	   /* EFAULT: the range goes past vm_end */
	MREMAP_PGOFF_OVERFLOW,	   /* EINVAL: pgoff + new pages wraps */
	MREMAP_DONTEXPAND,	   /* EFAULT: growing VM_DONTEXPAND|PFNMAP */
	MREMAP_EXPAND_VM,	   /* ENOMEM: may_expand_vm() */
	MREMAP_NO_ROOM,		   /* ENOMEM: not expandable, no MAYMOVE */
	MREMAP_GAP_AT_START,	   /* EFAULT: remap_move(): hole at addr */
	MREMAP_NOT_ENOUGH_MEMORY,  /* ENOMEM: __vm_enough_memory() */
};

/* Why vrm_can_expand_in_place() said no. */
enum mremap_in_place {
	IN_PLACE_NOT_AT_END = 1, /* addr + old_len is not vm_end */
	IN_PLACE_OVERFLOW,	 /* vm_end + delta wraps */
	IN_PLACE_NEXT_VMA,	 /* find_vma_intersection(): other is there */
	IN_PLACE_NO_AREA,	 /* get_unmapped_area(MAP_FIXED) refused */
};

/* One decision inside a kernel function, with the numbers it used. */
enum ev_note {
	NOTE_TRUNCATE = 1,	   /* do_truncate: i_size is value */
	NOTE_DUP_SKIP_DONTCOPY,	   /* dup_mmap skips vma */
	NOTE_STACK_GUARD_GAP,	   /* expand_downwards: other too close */
	NOTE_STACK_RLIMIT,	   /* expand_downwards: over RLIMIT_STACK */
	NOTE_STACK_EXPAND,	   /* expand_downwards grows vma to addr */
	NOTE_SIGBUS_EOF,	   /* fn: page value beyond EOF at addr */
	NOTE_NOT_WRITABLE,	   /* do_user_addr_fault at addr */
	NOTE_POPULATE_PROT_NONE,   /* populate_vma_page_range: EFAULT */
	NOTE_POPULATE,		   /* [start, end) of vma; value: write */
	NOTE_HINT_FREE,		   /* get_unmapped_area: hint addr is free */
	NOTE_HINT_UNUSABLE,	   /* get_unmapped_area: hint addr taken */
	NOTE_NOREPLACE_EEXIST,	   /* MAP_FIXED_NOREPLACE: vma in the way */
	NOTE_FLAGS_UNCHANGED,	   /* mprotect_fixup: nothing to do */
	NOTE_CHARGE,		   /* mprotect_fixup: charge value pages */
	NOTE_UNCHARGE,		   /* mprotect_fixup: clear VM_ACCOUNT */
	NOTE_MPROTECT_HOLE,	   /* do_mprotect_pkey: hole at addr */
	NOTE_MPROTECT_EACCES,	   /* do_mprotect_pkey: vma lacks VM_MAY* */
	NOTE_MPROTECT_END_HOLE,	   /* do_mprotect_pkey: ends in a hole */
	NOTE_PREV_APART,	   /* prev (vma) does not touch the range */
	NOTE_NEXT_APART,	   /* next (vma) does not touch the range */
	NOTE_NO_PREV_TOUCHING,	   /* vma_merge_existing_range */
	NOTE_NO_NEXT_TOUCHING,	   /* vma_merge_existing_range */
	NOTE_MERGE_NOMEM,	   /* merge aborted: out of memory */
	NOTE_SPLIT_DONE,	   /* __split_vma: vma and other's pgoffs */
	NOTE_SPLIT_MAX_MAP_COUNT,  /* split_vma: value = map_count */
	NOTE_GATHER_MAX_MAP_COUNT, /* vms_gather_munmap_vmas: ditto */
	NOTE_GATHER_DETACHED,	   /* vms_gather_munmap_vmas: value VMAs */
	NOTE_MUNMAP_NOTHING,	   /* do_vmi_munmap: nothing in [start, end) */
	NOTE_HUGETLB_NOMEM,	   /* no huge pages to reserve */
	NOTE_VM_SYNC,		   /* mmap_file: VM_SYNC on a non-DAX file */
	NOTE_SHMEM_SETUP,	   /* shmem_zero_setup: inode value */
	NOTE_OOM_KILL,		   /* out_of_memory: kill pid value (len:
				      pages in use, addr: the fault) */
	NOTE_EXEC_NO_ELF,	   /* load_elf_binary: segments not modelled */
	NOTE_CLOSE_ON_EXEC,	   /* do_close_on_exec: fd value closed */
	/* mremap (mm/mremap.c); addr, len: the old range */
	NOTE_MREMAP_REFUSED,	  /* value: enum mremap_refusal */
	NOTE_MREMAP_NOOP,	  /* mremap_at: the same length: nothing */
	NOTE_MREMAP_SHRINK,	  /* shrink_vma: unmap [addr, addr + len) */
	NOTE_MREMAP_IN_PLACE,	  /* expand_vma_in_place: vma grows by len */
	NOTE_MREMAP_NOT_IN_PLACE, /* value: enum mremap_in_place; o */
	NOTE_MREMAP_FIXED_UNMAP,  /* mremap_to: unmap [addr, +len) first */
	NOTE_MREMAP_NEW_ADDR,	  /* vrm_set_new_addr: addr; value: the
				     address asked for (FIXED or a hint) */
	NOTE_MREMAP_MULTI,	  /* remap_move: vma's [addr, +len) to value */
	NOTE_COPY_VMA_PGOFF,	  /* copy_vma: pgoff in addr (value: 1 reset
				     to the new addr >> PAGE_SHIFT, 2 kept:
				     faulted anon, 0 kept: file offset) */
	NOTE_COPY_VMA_MERGED,	  /* copy_vma: merged into vma; value: 1 if
				     vma is the source itself */
	NOTE_MOVE_PAGE_TABLES,	  /* the entries of [addr, +len) go to value */
	NOTE_DONTUNMAP_COMPLETE,  /* dontunmap_complete: vma keeps its
				     range; diff: flags cleared; value: 1
				     if its anon_vmas were unlinked */
	NOTE_MREMAP_UNACCOUNT,	  /* unmap_source_vma: VM_ACCOUNT kept off
				     the unmap, back on what stays */
	NOTE_MREMAP_POPULATE,	  /* do_mremap: locked: populate [addr, +len) */
	NOTE_OVERCOMMIT,	   /* __vm_enough_memory: value pages refused
				      (len: vm.overcommit_memory) */
	NOTE_FORK_EAGAIN,	   /* copy_process: value tasks (threads-max),
				      or alloc_pid: value pid_max */
	/* mseal, madvise, the mlock family, prctl */
	NOTE_SEALED,		   /* fn: vma is sealed: EPERM */
	NOTE_MSEAL_UNMAPPED,	   /* range_contains_unmapped: ENOMEM */
	NOTE_MADV_HOLE,		   /* madvise_walk_vmas: hole at addr */
	NOTE_MADV_REFUSED,	   /* fn: vma refuses advice value: EINVAL */
	NOTE_MADV_UNKNOWN,	   /* madvise_behavior_valid: value: EINVAL */
	NOTE_MADV_LAZYFREE,	   /* madvise_free_single_vma: pages stay */
	NOTE_MADV_POPULATE,	   /* faultin_page_range: [addr, +len) of
				      vma; value: write faults */
	NOTE_POPULATE_HOLE,	   /* __get_user_pages: no VMA at addr */
	NOTE_POPULATE_EFAULT,	   /* faultin_page_range: addr faults */
	NOTE_GUARD_INSTALL,	   /* [addr, +len) of vma: guard markers;
				      value: pages zapped first */
	NOTE_GUARD_REMOVE,	   /* [addr, +len) of vma: value markers gone */
	NOTE_GUARD_FAULT,	   /* handle_pte_marker: guard at addr */
	NOTE_COLLAPSE_NOTHING,	   /* madvise_collapse: [addr, +len) of vma
				      holds no aligned 2 MiB block: 0 */
	NOTE_COLLAPSE_EMPTY,	   /* hpage_collapse_scan_pmd: the blocks of
				      [addr, +len) have no entry: EINVAL */
	NOTE_MLOCK_HOLE,	   /* apply_vma_lock_flags: hole: ENOMEM */
	NOTE_DEF_FLAGS,		   /* mm->def_flags is now flags */
	NOTE_PRCTL_NO_ANON_NAME,   /* prctl_set_vma: no CONFIG_ANON_VMA_NAME */
	/* brk: addr is the break asked for, value the break kept */
	NOTE_BRK_BELOW_MIN,	 /* below min_brk (len: start_brk) */
	NOTE_BRK_SAME_PAGE,	 /* PAGE_ALIGN(brk) == PAGE_ALIGN(mm->brk) */
	NOTE_BRK_SHRINK_NOTHING, /* no VMA in [newbrk, oldbrk) to unmap */
	NOTE_BRK_LIMITS,	 /* check_brk_limits: len is -errno */
	NOTE_BRK_NEXT_TOO_CLOSE, /* vma: the next VMA leaves no page */
	NOTE_BRK_FAILED,	 /* do_brk_flags: len is -errno */
	/* read faults */
	NOTE_NOT_ACCESSIBLE, /* do_user_addr_fault: a read of PROT_NONE */
	NOTE_FAULT_AROUND,   /* do_fault_around (fault at addr): value pages
				of [ostart, oend) mapped from the cache */
	NOTE_READ_AROUND,    /* filemap_fault (fault at addr) missed: len
				pages read from page value, in folios of
				order diff */
	NOTE_ASYNC_READAHEAD, /* filemap_fault (fault at addr) hit a folio
				marked PG_readahead: len pages read from
				page value, in folios of order diff */
};

/*
 * One step.  Which fields mean something depends on kind (see above);
 * the rest are 0.  vma and other are stable ids (vma#N); their ranges are
 * copied at the moment of the event.  v and o point at the VMAs
 * themselves and are valid only during the observer's call.
 */
struct vmalab_event {
	enum ev_kind kind;
	int code;
	const char *fn; /* the kernel function: "vma_merge_new_range" */
	int depth;	/* nesting: EV_ENTERs not yet left */
	int pid;	/* the process whose mm this is */
	unsigned vma, other;
	unsigned long start, end, pgoff;    /* vma's (after a change) */
	unsigned long ostart, oend, opgoff; /* other's (vma's before) */
	unsigned long addr, len, value;
	unsigned av, av2; /* anon_vma ids (avN) */
	unsigned long flags, diff;
	const struct vma *v, *o;
};

struct engine_observer {
	void (*event)(void *arg, const struct vmalab_event *ev);
	void *arg;
};

/* The kernel function's name for an enum ev_fn. */
const char *ev_fn_name(enum ev_fn fn);

#endif
