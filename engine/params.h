/*
 * params.h - the parameters of a simulated machine that differ between
 * kernels and machines.  Apart from engine.h so that code which includes
 * the system's headers (the probe) can use it without the engine's copies
 * of the UAPI constants.
 */
#ifndef VMALAB_PARAMS_H
#define VMALAB_PARAMS_H

#include <stdbool.h>

/*
 * Engine mutations, for the tests alone (tests/rules.txt, make mutants):
 * each breaks one rule of tests/rules.txt on purpose, under the rule's id,
 * so that the scripts tagged as guarding it can be seen to fail.  Real use
 * is MUT_NONE; the front ends set another only from VMALAB_MUTATE.
 */
enum mutation {
	MUT_NONE,
	MUT_MERGE_FLAGS,	  /* is_mergeable_vma: only VM_ACCESS_FLAGS */
	MUT_MERGE_ACCOUNT,	  /* is_mergeable_vma: VM_ACCOUNT ignored */
	MUT_MERGE_FILE_STRUCT,	  /* is_mergeable_vma: one inode is enough */
	MUT_MERGE_PGOFF,	  /* can_vma_merge_*: pgoff not compared */
	MUT_MERGE_ANON_VMA,	  /* is_mergeable_anon_vma case 3 accepts */
	MUT_MERGE_DUP_ANON_VMA,	  /* case 1 refused (the pre-6.16 rule) */
	MUT_MERGE_FORK_CHILD_TGT, /* case 2 accepts a fork child target */
	MUT_MERGE_FORK_CHILD_SRC, /* case 1 accepts a fork child source */
	MUT_MERGE_COPIED_FORK_CHILD, /* case 1 ignores copied_from */
	MUT_MERGE_PREV_NEXT,	/* can_vma_merge_right: prev vs next skipped */
	MUT_MERGE_BEFORE_SPLIT, /* vma_modify: split without a merge */
	MUT_MERGE_NEW_RANGE,	/* __mmap_region: no merge for a new map */
	MUT_ANON_VMA_REUSE,	/* __anon_vma_prepare: never reuse */
	MUT_ANON_VMA_REUSE_PGOFF,    /* anon_vma_compatible: pgoff not linear */
	MUT_ANON_VMA_REUSE_SINGULAR, /* reusable_anon_vma: any chain */
	MUT_ANON_VMA_REUSE_FLAGS,    /* anon_vma_compatible: R/W/X compared */
	MUT_ANON_VMA_CLONE_REUSE,    /* anon_vma_clone: num_children ignored */
	MUT_ANON_VMA_FORK_OWN,	     /* anon_vma_fork: no anon_vma of its own */
	MUT_COW_FAULT_ANON_VMA,	     /* do_cow_fault: EOF before anon_vma */
	MUT_ZERO_PAGE,		     /* do_anonymous_page: reads allocate */
	MUT_FAULT_AROUND,	     /* do_read_fault: no do_fault_around */
	MUT_READ_AROUND,	     /* filemap_fault: only the page is read */
	MUT_READAHEAD_MARK,	     /* page_cache_ra_order: no marks */
	MUT_ASYNC_READAHEAD,	     /* page_cache_async_ra: no read */
	MUT_FOLIO_WHOLE,	     /* filemap_map_pages: window part only */
	MUT_FORK_COPY_PTES,	     /* vma_needs_copy: every VMA copied */
	MUT_FORK_DONTCOPY,	     /* dup_mmap: VM_DONTCOPY copied */
	MUT_FORK_WIPEONFORK,	     /* dup_mmap: VM_WIPEONFORK copied whole */
	MUT_FORK_UNLOCK,	     /* dup_mmap: VM_LOCKED kept */
	MUT_MPROTECT_CHARGE,   /* mprotect_fixup: no VM_ACCOUNT on write */
	MUT_MPROTECT_UNCHARGE, /* mprotect_fixup: anon_vma not looked at */
	MUT_MPROTECT_HOLE,     /* do_mprotect_pkey: a hole is skipped */
	MUT_MSEAL_UNMAPPED,    /* do_mseal: a hole is not refused */
	MUT_MSEAL_MUNMAP,      /* vms_gather_munmap_vmas: seals ignored */
	MUT_MSEAL_MPROTECT,    /* mprotect_fixup: seals ignored */
	MUT_MADVISE_HOLES,     /* madvise_walk_vmas: stops at a hole */
	MUT_MADVISE_FREE,      /* MADV_FREE zaps as DONTNEED does */
	MUT_STACK_GUARD_GAP,   /* expand_downwards: no guard gap */
	MUT_STACK_RLIMIT,      /* expand_downwards: no RLIMIT_STACK */
	MUT_BRK_NEXT_GAP,      /* brk: the next VMA not looked at */
	MUT_MMAP_POPULATE,     /* do_mmap: no mm_populate */
	MUT_MLOCK_POPULATE,    /* do_mlock: no __mm_populate */
	MUT_TRUNCATE_PRIVATE,  /* truncation skips private VMAs */
	MUT_MREMAP_PGOFF,      /* copy_vma: unfaulted keeps its pgoff */
	MUT_MREMAP_DONTUNMAP_UNLOCK, /* VM_LOCKED kept */
	MUT_OVERCOMMIT_GUESS,	     /* mode 0 refuses nothing */
	MUT_FIXED_NOREPLACE,	     /* MAP_FIXED_NOREPLACE replaces */
	MUT_THP_ALIGN,		     /* get_unmapped_area: no thp alignment */
	NR_MUTATIONS
};
/* The rule ids of the mutations, by enum mutation (NULL for MUT_NONE). */
extern const char *const mutation_names[NR_MUTATIONS];
/* The mutation of that rule id, or -1. */
int mutation_lookup(const char *name);

/*
 * What differs between kernels and machines and changes results.  The
 * defaults are a fresh machine of the reference kind (Linux 6.18 on
 * x86-64, ext4 on a virtio disk); `vmalab verify` probes the live kernel
 * for each and runs the engine with what it found.
 */
struct machine_params {
	/* do_anonymous_page(): a read fault on private anonymous memory maps
	 * the shared zero page (uncounted, no anon_vma) rather than a new
	 * page.  Upstream does unless mm_forbids_zeropage(). */
	bool zero_page;
	/* A CPU with protection keys (pku and ospke in /proc/cpuinfo):
	 * mmap and mprotect give a PROT_EXEC-only mapping the mm's
	 * execute-only key (arch_override_mprotect_pkey()), which denies
	 * data reads, so a read fault of it is SIGSEGV (access_error():
	 * arch_vma_access_permitted()).  Off on the reference machine. */
	bool exec_only_pkey;
	/* fault_around_bytes / PAGE_SIZE: pages do_fault_around() maps on a
	 * read fault of a file (16; 1 turns fault-around off). */
	unsigned long fault_around_pages;
	/* The file's bdi read_ahead_kb / 4: the read-around window of
	 * do_sync_mmap_readahead() (2048 for 8192 KiB). */
	unsigned long ra_pages;
	/* mapping_max_folio_order() of a regular file's page cache: the
	 * largest folio read-ahead makes (page_cache_ra_order()).  ext4 has
	 * large folios since 6.16: MAX_PAGECACHE_ORDER, 9 (a PMD) on
	 * x86-64; 0 for a file system without them. */
	unsigned file_folio_order;
	/* vm.max_map_count (65530). */
	int max_map_count;
	/* MemTotal and SwapTotal of /proc/meminfo, in kB: the memory the
	 * OOM killer guards (24683652 and 0 on the reference machine, a
	 * 24 GiB virtual machine without swap). */
	unsigned long mem_total_kb, swap_total_kb;
	/* __vm_enough_memory() (mm/util.c): vm.overcommit_memory (0 guess:
	 * one request larger than RAM + swap fails; 1 always; 2 never:
	 * the committed total stays below the commit limit),
	 * vm.overcommit_ratio (50) or vm.overcommit_kbytes (0) for that
	 * limit, and the reserves mode 2 keeps: admin_reserve_kbytes
	 * (8192) unless the process has CAP_SYS_ADMIN, user_reserve_kbytes
	 * (min(free/32, 128 MiB) at boot: 100441 on the reference machine). */
	int overcommit_memory;
	unsigned long overcommit_ratio, overcommit_kbytes;
	unsigned long admin_reserve_kb, user_reserve_kb;
	bool cap_sys_admin; /* the simulated processes have CAP_SYS_ADMIN */
	/* copy_process(): kernel.threads-max (nr_threads >= max_threads:
	 * EAGAIN; 192726 on the reference machine, from its memory) and
	 * kernel.pid_max (alloc_pid() finds no free pid: EAGAIN; 32768).
	 * Zombies keep their pid and count: nothing reaps them here.  As
	 * root, RLIMIT_NPROC does not apply. */
	int threads_max, pid_max;
	/* enum mutation: MUT_NONE but in make mutants (VMALAB_MUTATE). */
	int mutate;
	/* The kernel's mmap_min_addr: max(vm.mmap_min_addr,
	 * CONFIG_LSM_MMAP_MIN_ADDR) (security/min_addr.c), the lowest
	 * address round_hint_to_min() lets a hint be and vm_unmapped_area()
	 * searches from.  65536 on the reference machine although the
	 * sysctl says 4096: the LSM's minimum wins.  (MAP_FIXED below it is
	 * allowed with CAP_SYS_RAWIO, as root has: cap_mmap_addr() checks
	 * only the sysctl's dac_mmap_min_addr.) */
	unsigned long mmap_min_addr;
};
void machine_params_default(struct machine_params *p);

#endif
