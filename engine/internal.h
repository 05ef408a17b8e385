/*
 * internal.h - what the engine's files share and front ends do not see: the
 * machine and its processes, the allocator with failure injection, tracing,
 * and the functions one part of mm/ calls in another.
 */
#ifndef VMALAB_INTERNAL_H
#define VMALAB_INTERNAL_H

#include <errno.h>
#include <stdlib.h>
#include "engine.h"
#include "check.h"
#include "tree.h"

#define MAX_FDS 1024
#define MAX_OBSERVERS 8

struct proc {
	int pid;
	/* SIGKILL pending (the OOM killer chose it): faults and populate
	 * stop, and the process exits when its call returns. */
	bool sigkill;
	int killed;  /* exited on this signal: a zombie, making no calls */
	bool exited; /* exit_group(): a zombie, with no mm and no files */
	struct mm mm;
	struct vm_file *fds[MAX_FDS];
	bool cloexec[MAX_FDS]; /* FD_CLOEXEC: closed by execve */
	struct proc *next;     /* machine's list, by pid */
};

struct machine {
	struct proc *procs;
	struct proc *cur;
	int next_pid;
	struct vm_inode *inodes; /* the simulated file system */
	unsigned long next_ino;
	unsigned next_file_id;
	unsigned next_vma_id;
	unsigned next_anon_vma_id;
	unsigned long next_pfn; /* names of anonymous pages (page#N) */
	struct anon_vma *anon_vmas; /* every live anon_vma */
	struct machine_params params;
	int max_map_count;
	struct engine_observer obs[MAX_OBSERVERS];
	int nobs;
	int depth;		  /* EV_ENTER nesting */
	unsigned long op_seq;	  /* one per system call: vma_start_write */
	unsigned long fail_after; /* fail the nth allocation, 0: never */
	struct op_checker *chk;	  /* checking mode (check.c), or NULL */
	/* Pages of memory in use (page_set.charge), and how many there
	 * are: MemTotal + SwapTotal. */
	unsigned long phys_pages, mem_pages;
	/* VMAs write-locked so far (vma_start_write): every change to a
	 * VMA takes its lock first, so machine_state() sees it. */
	unsigned long vma_writes;
	unsigned long epoch; /* machine_new_epoch() */
	/* Freed VMAs and anon_vma_chains, for the next ones (machine.c). */
	void *free_vmas, *free_avcs;
	/* Pages shmem_acct_size() charged for the live shmem inodes: with
	 * the VM_ACCOUNT VMAs, vm_committed_as (mode 2 only). */
	unsigned long shmem_committed;
	/* machine_set_poll(): the poll, the pages the current call has
	 * passed through op_poll() and about how many it will, and the
	 * count at which the poll stopped it (0: not stopped). */
	machine_poll_fn poll;
	void *poll_arg;
	unsigned long poll_done, poll_total, poll_stopped;
};

/* The rule that make mutants breaks on purpose (params.h), if any. */
#define MUTATED(m, x) ((m)->params.mutate == (x))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define IS_ERR_VALUE(x) ((unsigned long)(x) >= (unsigned long)-4095)
#define offset_in_page(p) ((unsigned long)(p) & ~PAGE_MASK)

/* Allocation (machine.c): eng_zalloc() may fail on purpose, xcalloc() not. */
void *xcalloc(size_t size);
void *eng_zalloc(struct machine *m, size_t size);
/* The failure point of an allocation made elsewhere (or not at all): true
 * if this one is to fail, counted as eng_zalloc() counts. */
bool eng_fail_point(struct machine *m);
char *eng_strdup(struct machine *m, const char *s);
/*
 * Pools: an object of size from the free list (or calloc), zeroed, which
 * may fail on purpose as eng_zalloc() does; and back onto the list.
 * Under AddressSanitizer objects are freed at once, so that a use after
 * free is still seen.
 */
void *eng_pool_get(struct machine *m, void **list, size_t size);
void eng_pool_put(void **list, void *p);

/*
 * events.c: EVENT() builds and sends an event only when someone listens,
 * so that an unobserved machine (undo replay, the benchmarks) pays one
 * test per step and formats nothing.  EV_ENTER/EV_LEAVE keep the depth.
 */
void ev_emit(struct machine *m, struct vmalab_event *ev);
static inline bool ev_on(const struct machine *m)
{
	return m->nobs != 0;
}
#define EVENT(m, ...)                                            \
	do {                                                     \
		if (ev_on(m)) {                                  \
			struct vmalab_event _ev = {__VA_ARGS__}; \
			ev_emit((m), &_ev);                      \
		}                                                \
	} while (0)
#define NOTE(m, note, ...) \
	EVENT((m), .kind = EV_NOTE, .code = (note), __VA_ARGS__)
/* Enter fn (its event first, at the outer depth), and leave it. */
#define EV_IN(m, fnc, ...)                                  \
	do {                                                \
		EVENT((m), .kind = EV_ENTER, .code = (fnc), \
		      .fn = ev_fn_name(fnc), __VA_ARGS__);  \
		(m)->depth++;                               \
	} while (0)
#define EV_OUT(m, fnc)                                      \
	do {                                                \
		(m)->depth--;                               \
		EVENT((m), .kind = EV_LEAVE, .code = (fnc), \
		      .fn = ev_fn_name(fnc));               \
	} while (0)

/* ERR_PTR() and friends, as include/linux/err.h has them. */
#define MAX_ERRNO 4095
static inline void *ERR_PTR(long error)
{
	return (void *)error;
}
static inline long PTR_ERR(const void *ptr)
{
	return (long)ptr;
}
static inline bool IS_ERR(const void *ptr)
{
	return IS_ERR_VALUE((unsigned long)ptr);
}

/*
 * Every system call (and touch) starts here: a new operation, for
 * vma_start_write() and for the checkers of checking mode.
 */
void op_start(struct machine *m);

/* check.c: checking mode's side of an operation */
void check_op_start(struct machine *m);
void check_note_lock(struct machine *m, const struct vma *v);
void check_note_exit(struct machine *m, const struct vma *v);
void check_free(struct machine *m);

/* machine.c */
struct mm *cur_mm(struct machine *m);
void vma_start_write(struct machine *m, struct vma *v);
struct vma *vm_area_alloc(struct machine *m, struct mm *mm);
struct vma *vm_area_dup(struct machine *m, struct vma *src);
void vm_area_free(struct machine *m, struct vma *v);
void get_file(struct vm_file *f);
void fput(struct machine *m, struct vm_file *f);
struct vm_file *shmem_zero_setup(struct machine *m, unsigned long size);
void mm_destroy(struct machine *m, struct mm *mm);
void do_exit(struct machine *m, struct proc *p, int sig);
struct vm_file *fget(struct machine *m, long fd);
struct proc *proc_new(struct machine *m);
void open_stdio(struct machine *m, struct proc *p);
void mm_init(struct mm *mm);
void close_all_fds(struct machine *m, struct proc *p);
/* The inode a path names in the flat namespace, or NULL. */
struct vm_inode *inode_lookup(struct machine *m, const char *path);
/* A new regular file at path (which must not exist). */
struct vm_inode *inode_create(struct machine *m, const char *path);
struct vm_file *file_open(struct machine *m, struct vm_inode *in,
			  const char *path, unsigned f_mode);
/* fd_install(): fd (closing what was there) now holds f. */
void fd_install(struct machine *m, struct proc *p, unsigned fd,
		struct vm_file *f, bool cloexec);

/* rmap.c */
int __anon_vma_prepare(struct machine *m, struct vma *v);
static inline int anon_vma_prepare(struct machine *m, struct vma *v)
{
	return v->anon_vma ? 0 : __anon_vma_prepare(m, v);
}
int anon_vma_clone(struct machine *m, struct vma *dst, struct vma *src);
int anon_vma_fork(struct machine *m, struct vma *child, struct vma *parent);
void unlink_anon_vmas(struct machine *m, struct vma *v);
bool anon_vma_chain_singular(const struct vma *v);
int anon_vma_chain_len(const struct vma *v);

/* vma.c: the merge engine */
struct vma_merge_struct {
	struct machine *m; /* whom to tell (NULL: vma_merge_blockers) */
	struct mm *mm;
	struct vma *prev, *middle, *next, *target;
	unsigned long start, end, pgoff;
	vm_flags_t vm_flags;
	struct vm_file *file;
	struct anon_vma *anon_vma;
	struct vma *copied_from;
	enum {
		VMA_MERGE_START,
		VMA_MERGE_ERROR_NOMEM,
		VMA_MERGE_NOMERGE,
		VMA_MERGE_SUCCESS
	} state;
	bool just_expand;
	bool give_up_on_oom;
	bool __adjust_middle_start, __adjust_next_start;
	bool __remove_middle, __remove_next;
	/* Why the last merge predicate said no, and the vm_flags bits at
	 * fault (VETO_FLAGS); kept here as the kernel keeps its state. */
	enum merge_veto veto;
	vm_flags_t veto_diff;
};

struct vma *vma_merge_new_range(struct machine *m,
				struct vma_merge_struct *vmg);
int vma_expand(struct machine *m, struct vma_merge_struct *vmg);
int __split_vma(struct machine *m, struct vma *v, unsigned long addr,
		int new_below);
int split_vma(struct machine *m, struct vma *v, unsigned long addr,
	      int new_below);
/* The merged or split VMA for [start, end), or ERR_PTR(-errno). */
struct vma *vma_modify_flags(struct machine *m, struct vma *prev, struct vma *v,
			     unsigned long start, unsigned long end,
			     vm_flags_t *vm_flags);
int do_vmi_munmap(struct machine *m, struct mm *mm, unsigned long start,
		  unsigned long len);
int do_brk_flags(struct machine *m, struct vma *vma, unsigned long addr,
		 unsigned long len, vm_flags_t vm_flags);
/* __mmap_region(): addr, or an error value (IS_ERR_VALUE). */
unsigned long mmap_region(struct machine *m, struct vm_file *file,
			  unsigned long addr, unsigned long len,
			  vm_flags_t vm_flags, unsigned long pgoff);
struct anon_vma *find_mergeable_anon_vma(struct machine *m, struct vma *v);
/* mremap's side of mm/vma.c: in-place growth and the destination VMA. */
struct vma *vma_merge_extend(struct machine *m, struct vma *v,
			     unsigned long delta);
struct vma *copy_vma(struct machine *m, struct vma **vmap, unsigned long addr,
		     unsigned long len, unsigned long pgoff);
void vma_changed_unmerged(struct vma *v);
void vma_link_new(struct machine *m, struct mm *mm, struct vma *v);

/* memory.c: the page-table side */
void pages_add(struct machine *m, struct page_set *ps, unsigned long start,
	       unsigned long end, enum page_kind kind);
void pages_remove(struct page_set *ps, unsigned long start, unsigned long end);
/* As pages_remove(), but guard markers stay (an ordinary zap). */
void pages_zap(struct page_set *ps, unsigned long start, unsigned long end);
/* The guard markers of [start, end). */
unsigned long guard_count(const struct page_set *ps, unsigned long start,
			  unsigned long end);
/*
 * Start the loads of addr's page-table entry, its table's counts and its
 * page pointer (a hint: no effect on the model).
 */
void pages_prefetch(const struct page_set *ps, unsigned long addr);
bool pages_lookup(const struct page_set *ps, unsigned long addr,
		  enum page_kind *kind);
void pages_count(const struct page_set *ps, unsigned long start,
		 unsigned long end, unsigned long *rss, unsigned long *anon);
void pages_copy(struct machine *m, struct page_set *dst,
		const struct page_set *src, unsigned long start,
		unsigned long end);
void pages_free(struct page_set *ps);
/* dst (uninitialised) becomes a copy of src, counted in charge (which
 * already holds its pages: the machine's count is copied whole).  Each
 * anonymous page is mapped through page_copy (the copy of a page shared
 * by several page tables must be one page too). */
void pages_clone(struct page_set *dst, const struct page_set *src,
		 unsigned long *charge,
		 struct anon_page *(*page_copy)(void *arg,
						const struct anon_page *pg),
		 void *arg);
/* move_page_tables(): [old, old + len) to new, the pages unchanged;
 * how many entries moved. */
unsigned long pages_move(struct machine *m, struct page_set *ps,
			 unsigned long old, unsigned long new, unsigned long len);
/* The anonymous page mapped at addr, or NULL. */
struct anon_page *pages_anon(const struct page_set *ps, unsigned long addr);
/* A new anonymous page at addr in v: v's anon_vma, its linear index. */
void page_add_anon(struct machine *m, struct vma *v, unsigned long addr);
/* Every PAGE_ANON entry of [start, end) with its page (NULL: none). */
void pages_for_each_anon(const struct page_set *ps, unsigned long start,
			 unsigned long end,
			 void (*fn)(void *arg, unsigned long addr,
				    const struct anon_page *pg),
			 void *arg);
/* Entries in use over [start, end): every present page, the zero page too. */
unsigned long pages_present(const struct page_set *ps, unsigned long start,
			    unsigned long end);
void truncate_inode_mappings(struct machine *m, struct vm_inode *inode,
			     unsigned long newsize);
void mm_populate(struct machine *m, unsigned long start, unsigned long len);
/* fatal_signal_pending(current) */
static inline bool fatal_signal_pending(const struct machine *m)
{
	return m->cur->sigkill;
}
/*
 * Before each page of a long loop: true once the machine's poll has said
 * stop in this call (it is asked every MACHINE_POLL_PAGES pages).
 */
static inline bool op_poll(struct machine *m)
{
	unsigned long done = m->poll_done++;

	if (m->poll_stopped)
		return true;
	if (!done || done % MACHINE_POLL_PAGES || !m->poll)
		return false;
	if (m->poll(m->poll_arg, done, m->poll_total))
		m->poll_stopped = done;
	return m->poll_stopped != 0;
}
/* A long loop of about pages pages begins (the first one in a call
 * sets the total the poll hears). */
static inline void op_poll_total(struct machine *m, unsigned long pages)
{
	if (!m->poll_total)
		m->poll_total = pages;
}
long populate_vma_page_range(struct machine *m, struct vma *v,
			     unsigned long start, unsigned long end);
long __mm_populate(struct machine *m, unsigned long start, unsigned long len,
		   bool ignore_errors);
/* MADV_POPULATE_READ/WRITE: 0, or -ENOMEM, -EINVAL, -EFAULT, -EINTR. */
long faultin_page_range(struct machine *m, unsigned long start,
			unsigned long end, bool write);

/*
 * can_modify_vma() (mm/vma.h): a sealed VMA refuses munmap, mmap over it,
 * mprotect and mremap (the callers return EPERM).
 */
static inline bool can_modify_vma(const struct vma *v)
{
	return !(v->vm_flags & VM_SEALED);
}

/* memory.c: what madvise does to pages */
void zap_page_range(struct machine *m, struct vma *v, unsigned long start,
		    unsigned long end);
void madvise_free_range(struct machine *m, struct vma *v, unsigned long start,
			unsigned long end);
void madvise_pageout_range(struct machine *m, struct vma *v,
			   unsigned long start, unsigned long end);
void madvise_willneed_file(struct machine *m, struct vma *v,
			   unsigned long start, unsigned long end);
void punch_hole_mappings(struct machine *m, struct vm_inode *in,
			 unsigned long first, unsigned long last);
void ext4_block_truncate_page(struct machine *m, struct vm_inode *in,
			      unsigned long size);
/* MADV_GUARD_INSTALL's walk: the pages zapped; GUARD_REMOVE's: the
 * markers cleared. */
unsigned long guard_install_range(struct machine *m, struct vma *v,
				  unsigned long start, unsigned long end);
unsigned long guard_remove_range(struct machine *m, struct vma *v,
				 unsigned long start, unsigned long end);

/* calc_vm_prot_bits(): PROT_* to VM_*; other prot bits mean nothing. */
static inline vm_flags_t calc_vm_prot_bits(unsigned long prot)
{
	return (prot & PROT_READ ? VM_READ : 0) |
	       (prot & PROT_WRITE ? VM_WRITE : 0) |
	       (prot & PROT_EXEC ? VM_EXEC : 0);
}

/* exec.c: the pseudo-calls NR_SPAWN ... NR_LAYOUT */
long given_call(struct machine *m, int nr, const unsigned long *a,
		const char *path);

/* mmap.c: __get_unmapped_area(), an address or an error value */
unsigned long get_unmapped_area(struct machine *m, struct vm_file *file,
				unsigned long addr, unsigned long len,
				unsigned long pgoff, unsigned long flags);

/* mm accounting (mmap.c) */
void vm_stat_account(struct mm *mm, vm_flags_t flags, long npages);
/* include/linux/mm.h: remember the peak before lowering it. */
static inline void update_hiwater_rss(struct mm *mm)
{
	unsigned long rss = mm->pages.rss_anon + mm->pages.rss_file;

	if (mm->hiwater_rss < rss)
		mm->hiwater_rss = rss;
}
static inline void update_hiwater_vm(struct mm *mm)
{
	if (mm->hiwater_vm < mm->total_vm)
		mm->hiwater_vm = mm->total_vm;
}
bool may_expand_vm(struct mm *mm, vm_flags_t flags, unsigned long npages);
/*
 * __vm_enough_memory() (mm/util.c, through security_vm_enough_memory_mm):
 * may mm commit pages more?  0 or -ENOMEM, by vm.overcommit_memory.
 * vm_committed_pages() is vm_committed_as: the pages of every VM_ACCOUNT
 * VMA and charged shmem inode (counted when asked: mode 2 only).
 */
int __vm_enough_memory(struct machine *m, const struct mm *mm, long pages);
unsigned long vm_committed_pages(const struct machine *m);
int vm_enough_memory_at(struct machine *m, const struct mm *mm, long pages,
			unsigned long committed);

#endif
