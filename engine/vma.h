/*
 * vma.h - the objects of the simulated mm: VMAs, anon_vmas and their chains,
 * files, and the per-process mm.  Field names follow include/linux/mm_types.h
 * and include/linux/rmap.h so that a reader can hold them side by side.
 *
 * This header is the engine's internal vocabulary.  Front ends read these
 * structures (through const pointers) to draw and print; they never write
 * them.  Only the engine's own .c files change engine state.
 */
#ifndef VMALAB_VMA_H
#define VMALAB_VMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PAGE_ALIGN(x) (((x) + PAGE_SIZE - 1) & PAGE_MASK)
#define PHYS_PFN(x) ((unsigned long)(x) >> PAGE_SHIFT)

/* x86-64, 4-level paging, as on the machines vmalab is measured against. */
#define TASK_SIZE 0x7ffffffff000UL
#define MMAP_BASE 0x7ffff7fff000UL
#define START_BRK 0x555555559000UL
/* vm.mmap_min_addr (dac_mmap_min_addr) on the reference machine; the
 * kernel's own mmap_min_addr is the machine parameter (params.h) */
#define MMAP_MIN_ADDR 0x1000UL
#define DEFAULT_LSM_MMAP_MIN_ADDR 0x10000UL
#define DEFAULT_MAX_MAP_COUNT 65530
/* MemTotal of the reference machine (a 24 GiB virtual machine), in kB. */
#define DEFAULT_MEM_TOTAL_KB 24683652UL
/* init_user_reserve() at boot on it: min(free / 32, 128 MiB), in kB. */
#define DEFAULT_USER_RESERVE_KB 100441UL
/* kernel.threads-max and kernel.pid_max there. */
#define DEFAULT_THREADS_MAX 192726
#define DEFAULT_PID_MAX 32768
#define OVERCOMMIT_GUESS 0
#define OVERCOMMIT_ALWAYS 1
#define OVERCOMMIT_NEVER 2
/* stack_guard_gap: 256 pages (mm/mmap.c) */
#define STACK_GUARD_GAP (256UL << PAGE_SHIFT)

typedef unsigned long vm_flags_t;

/* include/linux/mm.h, x86-64 */
#define VM_NONE 0x00000000UL
#define VM_READ 0x00000001UL
#define VM_WRITE 0x00000002UL
#define VM_EXEC 0x00000004UL
#define VM_SHARED 0x00000008UL
#define VM_MAYREAD 0x00000010UL
#define VM_MAYWRITE 0x00000020UL
#define VM_MAYEXEC 0x00000040UL
#define VM_MAYSHARE 0x00000080UL
#define VM_GROWSDOWN 0x00000100UL
#define VM_UFFD_MISSING 0x00000200UL
#define VM_PFNMAP 0x00000400UL
#define VM_MAYBE_GUARD 0x00000800UL
#define VM_UFFD_WP 0x00001000UL
#define VM_LOCKED 0x00002000UL
#define VM_IO 0x00004000UL
#define VM_SEQ_READ 0x00008000UL
#define VM_RAND_READ 0x00010000UL
#define VM_DONTCOPY 0x00020000UL
#define VM_DONTEXPAND 0x00040000UL
#define VM_LOCKONFAULT 0x00080000UL
#define VM_ACCOUNT 0x00100000UL
#define VM_NORESERVE 0x00200000UL
#define VM_HUGETLB 0x00400000UL
#define VM_SYNC 0x00800000UL
#define VM_ARCH_1 0x01000000UL
#define VM_WIPEONFORK 0x02000000UL
#define VM_DONTDUMP 0x04000000UL
/* CONFIG_MEM_SOFT_DIRTY is off on the reference kernel: VM_SOFTDIRTY is 0. */
#define VM_SOFTDIRTY 0UL
#define VM_MIXEDMAP 0x10000000UL
#define VM_HUGEPAGE 0x20000000UL
#define VM_NOHUGEPAGE 0x40000000UL
#define VM_MERGEABLE 0x80000000UL
#define VM_DROPPABLE (1UL << 40)
/* mseal(): VM_SEALED is bit 42 on 64-bit (smaps "sl"). */
#define VM_SEALED (1UL << 42)

#define VM_ACCESS_FLAGS (VM_READ | VM_WRITE | VM_EXEC)
#define VM_SPECIAL (VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP)
#define VM_LOCKED_MASK (VM_LOCKED | VM_LOCKONFAULT)
/* Flags that do not stop a merge (VM_IGNORE_MERGE/VM_STICKY in 6.18.y). */
#define VM_STICKY (VM_SOFTDIRTY | VM_MAYBE_GUARD)
/* x86-64 VM_DATA_DEFAULT_FLAGS (VM_DATA_FLAGS_TSK_EXEC, no READ_IMPLIES_EXEC) */
#define VM_DATA_DEFAULT_FLAGS \
	(VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC)
#define VM_IGNORE_MERGE VM_STICKY
#define VM_STARTGAP_FLAGS VM_GROWSDOWN

struct vma;
struct anon_vma;

/*
 * Present pages of one process: a four-level page table as on x86-64
 * (memory.c), one byte per PTE.  This is the page-table side of the model:
 * what smaps counts as Rss and Anonymous.
 */
/*
 * PAGE_ZERO is the shared zero page: present in the page table, but not a
 * page of this process's (vm_normal_page() is NULL for it), so smaps
 * counts it in neither Rss nor Anonymous.
 */
/*
 * PAGE_LAZYFREE is an anonymous page that MADV_FREE marked clean and lazily
 * free: still mapped and counted (Rss, Anonymous), dirtied again by a
 * write, and dropped by reclaim (MADV_PAGEOUT) where a dirty one stays.
 */
/*
 * PAGE_GUARD is a guard-region PTE marker (MADV_GUARD_INSTALL,
 * PTE_MARKER_GUARD): an entry in use that maps no page (no Rss), on which
 * every access is SIGSEGV.  Ordinary zapping (MADV_DONTNEED, truncation,
 * hole punching) keeps it; unmapping drops it (ZAP_FLAG_DROP_MARKER).
 */
enum page_kind {
	PAGE_NONE = 0,
	PAGE_FILE = 1,
	PAGE_ANON = 2,
	PAGE_ZERO = 3,
	PAGE_LAZYFREE = 4,
	PAGE_GUARD = 5,
	/* In a page cache only: a folio that is there but not uptodate
	 * (ext4_block_truncate_page() made it): fault-around and read-ahead
	 * pass it by, a fault on it reads it. */
	PAGE_NOT_UPTODATE = 6,
};
/* An anonymous page of the process's own, lazily freed or not. */
static inline bool page_is_anon(enum page_kind k)
{
	return k == PAGE_ANON || k == PAGE_LAZYFREE;
}
struct pt_dir;

/*
 * An anonymous page (a struct folio of one page), shared by every page
 * table that maps it: after fork both processes map the same page until
 * one writes (do_wp_page: wp_page_copy, or wp_page_reuse once the page is
 * the writer's alone).  anon_vma and index are folio->mapping (with
 * PAGE_MAPPING_ANON) and folio->index, set by folio_add_new_anon_rmap()
 * at the fault: the anon_vma of the faulting VMA and the page's
 * linear_page_index() there.  rmap_walk_anon() starts from them.
 */
struct anon_page {
	struct anon_vma *anon_vma; /* dereference only while av is alive */
	unsigned av;		   /* anon_vma's id */
	unsigned long index;
	unsigned long pfn;   /* a stable name for the page (page#N) */
	int mapcount;	     /* page table entries that map it */
	bool exclusive;	     /* PageAnonExclusive: the writer's alone */
	unsigned long *charge; /* the machine's count of pages in use */
};
struct page_set {
	/*
	 * The top table, at level top: 0 (a PGD) for a process's page
	 * table; a page cache starts with one PTE table (level 3) and gains
	 * a directory above it each time an index outgrows what it covers,
	 * so a small file's cache is one PTE table, not four levels.
	 */
	void *root;
	unsigned char top;
	/*
	 * The machine's count of pages in use (NULL: not counted): a page
	 * cache counts its pages, a page table its anonymous pages and its
	 * PTE tables (page-cache pages it maps are the cache's).
	 */
	unsigned long *charge;
	bool page_cache;
	unsigned long tables; /* PTE tables (mm_pgtables_bytes) */
	unsigned long edits;  /* entries changed, for machine_state() */
	/* Present pages by kind, kept as each PTE changes (the zero page
	 * counts in neither): MM_ANONPAGES, and MM_FILEPAGES with
	 * MM_SHMEMPAGES, which mm_rss_counters() tells apart. */
	unsigned long rss_anon, rss_file;
};

/*
 * A simulated inode with its size.  Shared anonymous mappings get one each
 * from shmem_zero_setup(), named "/dev/zero" and printed "(deleted)".
 */
struct vm_inode {
	unsigned long ino;
	char *path;
	unsigned long size; /* i_size in bytes */
	bool shmem;
	enum { I_REG, I_DIR, I_CHR } type; /* file, "."/"..", /dev/null */
	bool unlinked; /* not in the namespace: freed with its files */
	/* shmem's page cache, as runs of page index << PAGE_SHIFT */
	struct page_set cache;
	int refcount; /* the files (open descriptions) that use it */
	unsigned long acct_pages; /* shmem_acct_size(): charged to commit */
	struct vm_inode *next;	  /* the machine's namespace */
};

/* f_mode bits (include/linux/fs.h) */
#define FMODE_READ 0x1
#define FMODE_WRITE 0x2
#define FMODE_PATH 0x4000 /* O_PATH: a name, not an open file */

/*
 * A simulated struct file: one open file description.  VMAs point at this,
 * not at the inode, so two opens of one path give VMAs that never merge
 * (is_mergeable_vma compares vm_file pointers).
 */
/*
 * struct file_ra_state: the read-ahead window a file's faults last set
 * (mm/readahead.c): [start, start + size), of which the last async_size
 * pages begin at the folio marked PG_readahead; order, the folio order it
 * used; mmap_miss, page-cache misses net of hits (do_sync_mmap_readahead()
 * stops reading around past MMAP_LOTSAMISS).
 */
struct file_ra_state {
	unsigned long start, size, async_size;
	unsigned order;
	unsigned mmap_miss;
};

struct vm_file {
	unsigned id;
	struct vm_inode *inode;
	char *path; /* as the caller spelled it */
	unsigned f_mode;
	int refcount; /* fds + VMAs */
	struct file_ra_state f_ra;
};

/*
 * struct anon_vma_chain: one link between a VMA and an anon_vma it may hold
 * pages of.  same_vma is the VMA's chain, newest first (list_add in
 * anon_vma_chain_link); same_anon is the anon_vma's set of VMAs (the kernel's
 * interval tree, kept here as a plain list: the walk, rmap_walk_anon() in
 * rmap.c, picks and orders the chains as the tree's stabbing query does).
 */
struct anon_vma_chain {
	struct vma *vma;
	/* The kernel's rb node is keyed by the VMA's pgoff range
	 * [vma_start_pgoff, vma_last_pgoff]; rmap_walk_anon's
	 * anon_vma_interval_tree_foreach() visits the chains whose range
	 * holds the page's index, in order of start pgoff (rmap.c). */
	struct anon_vma *anon_vma;
	struct anon_vma_chain *same_vma_next;
	struct anon_vma_chain *same_anon_next, *same_anon_prev;
};

/* mm/rmap.c */
struct anon_vma {
	unsigned id; /* stable name for traces: av1, av2, ... */
	struct anon_vma *root;
	struct anon_vma *parent;
	int refcount;
	unsigned long num_children;
	unsigned long num_active_vmas;
	struct anon_vma_chain *avcs;  /* rb_root: the VMAs it serves */
	struct anon_vma *next, *prev; /* the machine's live anon_vmas */
};

/*
 * The special mappings the kernel installs at exec (_install_special_mapping
 * in arch_setup_additional_pages): maps names them by their
 * vm_special_mapping, so the engine keeps which one a VMA is.
 */
enum vma_special {
	VMA_SPECIAL_NONE = 0,
	VMA_SPECIAL_VVAR,	 /* [vvar] */
	VMA_SPECIAL_VVAR_VCLOCK, /* [vvar_vclock] */
	VMA_SPECIAL_VDSO,	 /* [vdso] */
	VMA_SPECIAL_RESERVED,	 /* given reserved (GIVEN_RESERVED) */
};

/* A node of the mm's VMA tree (tree.c). */
struct vt_node;

struct vma {
	struct vt_node *vt_leaf; /* the tree's leaf that holds it */
	unsigned long vm_start, vm_end;
	unsigned long vm_pgoff;
	vm_flags_t vm_flags;
	struct vm_file *vm_file;
	struct anon_vma *anon_vma;
	struct anon_vma_chain *anon_vma_chain; /* newest first */
	struct mm *mm;
	unsigned id;		/* stable name for traces: vma#1, ... */
	unsigned long lock_seq; /* vma_start_write() count */
	/*
	 * The boundary with the VMA before (after) this one was made, or
	 * made alike, without a merge being tried across it: dup_mmap()
	 * clears VM_LOCKED and drops the anon_vma of VM_WIPEONFORK copies,
	 * brk only expands, an operation that fails after a split leaves
	 * it.  A compatible neighbour may then stay apart there, so the
	 * invariant checker leaves that pair alone.  A merge tried across
	 * the boundary clears it.
	 */
	bool unmerged_prev, unmerged_next;
	enum vma_special special;
};

static inline unsigned long vma_pages(const struct vma *v)
{
	return (v->vm_end - v->vm_start) >> PAGE_SHIFT;
}

static inline bool vma_is_anonymous(const struct vma *v)
{
	/* vma_is_anonymous(): !vma->vm_ops.  shmem and files have vm_ops. */
	return v->vm_file == NULL;
}

static inline bool vma_is_shmem(const struct vma *v)
{
	return v->vm_file && v->vm_file->inode->shmem;
}

/* The root of one mm's VMA tree. */
struct vma_tree {
	struct vt_node *root;
	unsigned long count;
	unsigned long edits; /* inserts, erases, splits and updates */
};

struct mm {
	int pid; /* the process that owns it */
	struct vma_tree tree;
	int map_count;
	unsigned long mmap_base;
	unsigned long task_size;
	unsigned long start_brk, brk;
	unsigned long start_stack; /* [stack] is the VMA that holds it */
	vm_flags_t def_flags;
	/* Pages, as vm_stat_account() and the lock paths keep them. */
	unsigned long total_vm, locked_vm, data_vm, exec_vm, stack_vm;
	unsigned long pinned_vm; /* no call pins pages here: always 0 */
	/* The highest total_vm and RSS seen when they were about to drop
	 * (update_hiwater_vm, update_hiwater_rss): VmPeak and VmHWM. */
	unsigned long hiwater_vm, hiwater_rss;
	struct page_set pages;
};

#endif
