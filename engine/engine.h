/*
 * engine.h - the public face of the vmalab engine: a simulated machine of
 * processes, each with an mm, and the system calls that act on the current
 * process.
 *
 * Every call returns what the kernel returns: a value, or -errno.  Nothing
 * here prints or formats; the steps an operation takes are reported to
 * observers as typed events (events.h).  There are no globals, so any
 * number of machines can live side by side.
 */
#ifndef VMALAB_ENGINE_H
#define VMALAB_ENGINE_H

#include <stdarg.h>
#include <stdint.h>
#include "check.h"
#include "events.h"
#include "nr.h"
#include "params.h"
#include "vma.h"

/* Values of the Linux x86-64 UAPI constants the engine interprets. */
#define PROT_NONE 0x0
#define PROT_READ 0x1
#define PROT_WRITE 0x2
#define PROT_EXEC 0x4
#define PROT_SEM 0x8
#define PROT_GROWSDOWN 0x01000000
#define PROT_GROWSUP 0x02000000

#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_SHARED_VALIDATE 0x03
#define MAP_DROPPABLE 0x08
#define MAP_TYPE 0x0f
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_32BIT 0x40
#define MAP_GROWSDOWN 0x0100
#define MAP_DENYWRITE 0x0800
#define MAP_EXECUTABLE 0x1000
#define MAP_LOCKED 0x2000
#define MAP_NORESERVE 0x4000
#define MAP_POPULATE 0x8000
#define MAP_NONBLOCK 0x10000
#define MAP_STACK 0x20000
#define MAP_HUGETLB 0x40000
#define MAP_SYNC 0x80000
#define MAP_FIXED_NOREPLACE 0x100000
#define MAP_UNINITIALIZED 0x4000000
/* include/linux/mman.h LEGACY_MAP_MASK */
#define LEGACY_MAP_MASK                                                       \
	(MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS |               \
	 MAP_DENYWRITE | MAP_EXECUTABLE | MAP_UNINITIALIZED | MAP_GROWSDOWN | \
	 MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK |           \
	 MAP_STACK | MAP_HUGETLB)

/* include/uapi/linux/mman.h */
#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
#define MREMAP_DONTUNMAP 4
/* madvise() advice (include/uapi/asm-generic/mman-common.h) */
#define MADV_NORMAL 0
#define MADV_RANDOM 1
#define MADV_SEQUENTIAL 2
#define MADV_WILLNEED 3
#define MADV_DONTNEED 4
#define MADV_FREE 8
#define MADV_REMOVE 9
#define MADV_DONTFORK 10
#define MADV_DOFORK 11
#define MADV_MERGEABLE 12
#define MADV_UNMERGEABLE 13
#define MADV_HUGEPAGE 14
#define MADV_NOHUGEPAGE 15
#define MADV_DONTDUMP 16
#define MADV_DODUMP 17
#define MADV_WIPEONFORK 18
#define MADV_KEEPONFORK 19
#define MADV_COLD 20
#define MADV_PAGEOUT 21
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#define MADV_DONTNEED_LOCKED 24
#define MADV_COLLAPSE 25
#define MADV_HWPOISON 100
#define MADV_SOFT_OFFLINE 101
#define MADV_GUARD_INSTALL 102
#define MADV_GUARD_REMOVE 103

/* mlock2() and mlockall() flags */
#define MLOCK_ONFAULT 0x01
#define MCL_CURRENT 1
#define MCL_FUTURE 2
#define MCL_ONFAULT 4

/* prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, addr, len, name) */
#define PR_SET_VMA 0x53564d41
#define PR_SET_VMA_ANON_NAME 0

#define O_ACCMODE 00000003
#define O_RDONLY 00000000
#define O_WRONLY 00000001
#define O_RDWR 00000002
#define O_CREAT 00000100
#define O_EXCL 00000200
#define O_TRUNC 00001000
#define O_APPEND 00002000
#define O_DIRECTORY 00200000
#define O_CLOEXEC 02000000
#define O_PATH 010000000
#define AT_FDCWD (-100)

/* Signals a touch can end with. */
#define TOUCH_OK 0
#define TOUCH_SIGSEGV 11
#define TOUCH_SIGBUS 7
#define TOUCH_SIGKILL 9 /* the OOM killer: machine_proc_killed() */
#define TOUCH_SIGINT 2	/* stopped by the machine's poll (machine_set_poll) */

struct machine;

struct machine *machine_new(void);
struct machine *machine_new_params(const struct machine_params *p);
void machine_free(struct machine *m);
/*
 * An exact copy of m (clone.c): the same calls on both give the same
 * results and events.  The copy has no observers and checking is off.
 */
struct machine *machine_clone(const struct machine *m);
/*
 * A digest of the machine's state (clone.c): it changes when anything a
 * call can change does (VMAs, pages, files, fds, processes, the ids that
 * name new objects), so that a line which changed nothing is no step.
 */
uint64_t machine_state(const struct machine *m);
/*
 * The machine changed behind its observers' backs (a replay with none
 * attached): whoever follows it by its events must look at it afresh,
 * as at a new machine.  machine_epoch() says how often that happened.
 */
void machine_new_epoch(struct machine *m);
unsigned long machine_epoch(const struct machine *m);
/* About how many bytes of host memory m holds (its copies cost this). */
size_t machine_footprint(const struct machine *m);
const struct machine_params *machine_get_params(const struct machine *m);
/*
 * Observers of the engine's events (events.h): any number, each called in
 * turn for every event from now on.  add: 0, -EEXIST (the same observer
 * twice), -ENOSPC (too many).  remove: 0 or -ENOENT.
 */
int machine_add_observer(struct machine *m, const struct engine_observer *o);
int machine_remove_observer(struct machine *m, const struct engine_observer *o);
/*
 * Long loops, a touch or a populate (MAP_POPULATE, mlock, mlockall, brk,
 * mremap under VM_LOCKED, MADV_POPULATE_*) of many pages, ask poll every
 * MACHINE_POLL_PAGES pages how far the call has got: done pages of about
 * total.  When poll returns true the call stops before the next page, as
 * the kernel's __get_user_pages() stops at a fatal signal, but nothing is
 * killed: populate gives -EINTR (mlock returns it, MAP_POPULATE ignores
 * it) and a touch ends with TOUCH_SIGINT at that page.  The pages done
 * stay done.  The engine is deterministic, so a poll that stops at the
 * same done again (a replay) leaves the same state.  NULL: never stop.
 * The poll holds for the calls after it, until changed.
 */
#define MACHINE_POLL_PAGES 4096UL
typedef bool (*machine_poll_fn)(void *arg, unsigned long done,
				unsigned long total);
void machine_set_poll(struct machine *m, machine_poll_fn poll, void *arg);
/* The done at which the last call stopped (0: it was not stopped). */
unsigned long machine_stopped_at(const struct machine *m);
/* vm.max_map_count for every process (default 65530). */
void machine_set_max_map_count(struct machine *m, int n);
/* Make the nth allocation from now fail (0: never), to test ENOMEM paths. */
void machine_fail_alloc_after(struct machine *m, unsigned long n);

int machine_current_pid(const struct machine *m);
/* Make pid current; -ESRCH if there is no such process. */
int machine_switch(struct machine *m, int pid);
/*
 * 0 for a live process, else the signal it was killed by (SIGKILL from
 * the OOM killer): it stays as a zombie with an empty mm and no files,
 * and machine_syscall() refuses its calls with -ESRCH.
 */
int machine_proc_killed(const struct machine *m, int pid);
/* Pages of memory in use (anonymous, page cache and shmem, PTE tables),
 * and how many the machine has (MemTotal + SwapTotal). */
unsigned long machine_mem_used(const struct machine *m);
unsigned long machine_mem_pages(const struct machine *m);
/* Pids in ascending order; returns how many (at most max are stored). */
int machine_pids(const struct machine *m, int *pids, int max);
const struct mm *machine_mm(const struct machine *m, int pid);
/* The open file behind fd in process pid, or NULL. */
const struct vm_file *machine_fd(const struct machine *m, int pid, int fd);
/* pid's whole fd table in one lookup (ps over 32,767 processes): its
 * size, or 0 without such a process. */
int machine_fd_table(const struct machine *m, int pid,
		     const struct vm_file *const **fds);

/*
 * A system call by number (nr.h) on the current process, its arguments
 * in the kernel's order; path is openat's string.  NR_TOUCH and NR_READ
 * return a signal (TOUCH_*) with the page in *fault.  -ENOSYS for a number the
 * engine does not model (machine_has_syscall() says which it does).
 */
long machine_syscall(struct machine *m, int nr, const unsigned long a[6],
		     const char *path, unsigned long *fault);
bool machine_has_syscall(int nr);

/* System calls on the current process.  Each returns a value or -errno. */
long sys_mmap(struct machine *m, unsigned long addr, unsigned long len,
	      unsigned long prot, unsigned long flags, long fd,
	      unsigned long off);
long sys_munmap(struct machine *m, unsigned long addr, unsigned long len);
long sys_mprotect(struct machine *m, unsigned long addr, unsigned long len,
		  unsigned long prot);
/*
 * mremap() (mm/mremap.c): resize [addr, addr + old_len) to new_len, in
 * place or, with MREMAP_MAYMOVE, by moving it (to new_addr with
 * MREMAP_FIXED).  Returns the address it now starts at, or -errno.
 */
long sys_mremap(struct machine *m, unsigned long addr, unsigned long old_len,
		unsigned long new_len, unsigned long flags,
		unsigned long new_addr);
/* brk(): the new break, or the old one if refused (never -errno). */
long sys_brk(struct machine *m, unsigned long brk);
long sys_openat(struct machine *m, long dirfd, const char *path,
		unsigned long flags, unsigned long mode);
long sys_close(struct machine *m, long fd);
long sys_ftruncate(struct machine *m, long fd, unsigned long len);
long sys_fork(struct machine *m);
long sys_madvise(struct machine *m, unsigned long start, unsigned long len,
		 long behavior);
long sys_mlock(struct machine *m, unsigned long start, unsigned long len);
long sys_mlock2(struct machine *m, unsigned long start, unsigned long len,
		unsigned long flags);
long sys_munlock(struct machine *m, unsigned long start, unsigned long len);
long sys_mlockall(struct machine *m, unsigned long flags);
long sys_munlockall(struct machine *m);
long sys_mseal(struct machine *m, unsigned long start, unsigned long len,
	       unsigned long flags);
/* Only PR_SET_VMA is modelled (EINVAL: no CONFIG_ANON_VMA_NAME); any
 * other option is -ENOSYS, not simulated. */
long sys_prctl(struct machine *m, unsigned long option, unsigned long arg2,
	       unsigned long arg3, unsigned long arg4, const char *name);
long sys_dup(struct machine *m, long oldfd);
long sys_dup2(struct machine *m, long oldfd, long newfd);
long sys_dup3(struct machine *m, long oldfd, long newfd, unsigned long flags);
/*
 * execve(): ENOENT unless path is a file of the simulated file system.
 * The old mm goes (exec_mmap), FD_CLOEXEC fds close, and the new mm has
 * what the kernel makes before the program runs, at the places it uses
 * without randomisation: the stack (setup_arg_pages, its top page holding
 * argv and envp) and the vDSO (map_vdso: [vvar], [vvar_vclock], [vdso]).
 * The ELF's own segments and its interpreter are not modelled: the
 * program file is never read.
 */
long sys_execve(struct machine *m, const char *path);
/* exit_group(): the process keeps its pid as a zombie, with no mm. */
long sys_exit_group(struct machine *m, long status);
/* Has pid exited?  false for a live pid or no such process. */
bool machine_exited(const struct machine *m, int pid);

/*
 * The pseudo-calls that give state (nr.h NR_SPAWN ... NR_LAYOUT), with
 * their arguments in a[]:
 *   NR_SPAWN        a new process with an empty mm and fds 0-2 on
 *                   /dev/null; returns its pid (the current one stays)
 *   NR_GIVEN_VMA    [a0, a1) with pgoff a2, vm_flags a3, kind a4 (enum
 *                   given_kind), path for a file; 0, -EINVAL (a bad
 *                   range or kind) or -EEXIST (it overlaps a VMA)
 *   NR_GIVEN_PAGES  [a0, a0 + a1) present as a2 (enum page_kind);
 *                   anonymous pages give their VMA an anon_vma as
 *                   anon_vma_prepare() would; -EFAULT outside every VMA
 *   NR_GIVEN_FILE   the regular file path exists, at least a0 bytes long
 *   NR_GIVEN_FD     fd a0 holds a new open of file path (made if need
 *                   be) with access mode and O_CLOEXEC from a1
 *   NR_LAYOUT       field a0 (enum layout_field) of the mm is a1
 */
enum given_kind {
	GIVEN_ANON = 0,
	GIVEN_FILE,	    /* path, in the namespace */
	GIVEN_FILE_DELETED, /* path, unlinked: "(deleted)" */
	GIVEN_SHMEM,	    /* shared anonymous: /dev/zero (deleted) */
	GIVEN_VVAR,
	GIVEN_VVAR_VCLOCK,
	GIVEN_VDSO,
	GIVEN_HEAP,  /* anonymous; the brk area is this VMA */
	GIVEN_STACK, /* anonymous; start_stack is inside it */
	/*
	 * Address space that is taken but not the simulation's to show or
	 * count: verify gives the engine the real process's own mappings
	 * this way, so that both search the same gaps.  No counter of
	 * vm_stat_account() sees it; give it VM_SPECIAL flags, so that
	 * nothing merges with, locks or populates it.
	 */
	GIVEN_RESERVED,
	GIVEN__COUNT
};
enum layout_field {
	LAYOUT_MMAP_BASE = 1, /* where top-down searches start */
	LAYOUT_BRK,	      /* start_brk and brk, with no heap yet */
	LAYOUT_START_STACK,
	LAYOUT_EMPTY, /* no VMAs and no pages: the mm is given whole next */
};

/*
 * Where get_unmapped_area() would place mmap(addr, len, ..., flags, fd,
 * pgoff) in the current process now, without mapping anything or telling
 * the observers: an address, or -errno.
 */
long machine_get_unmapped_area(struct machine *m, long fd, unsigned long addr,
			       unsigned long len, unsigned long pgoff,
			       unsigned long flags);

/*
 * Write one byte to every page of [addr, addr + len) in order, as user-space
 * write faults.  Returns TOUCH_OK, or the signal of the first page that
 * faults, with that page in *fault_addr.
 */
int vm_touch(struct machine *m, unsigned long addr, unsigned long len,
	     unsigned long *fault_addr);
/*
 * Read one byte of every page of [addr, addr + len) in order, as user-space
 * read faults (private anonymous memory gets the zero page, files their
 * page-cache pages and the fault-around window), with vm_touch's results.
 */
int vm_read(struct machine *m, unsigned long addr, unsigned long len,
	    unsigned long *fault_addr);

/*
 * Why two neighbouring VMAs are separate, decided by the merge's own
 * predicates (can_vma_merge_left's view of next joining prev): VETO_NONE
 * if nothing but the boundary keeps them apart, else the reason, with the
 * vm_flags bits that differ (and count for merging) in *diff.
 */
enum merge_veto vma_merge_blockers(const struct vma *prev,
				   const struct vma *next, vm_flags_t *diff);

/*
 * The current process's page table over [addr, addr + n pages): out[i] is
 * 'a' (anonymous), 'f' (page cache or shmem), 'z' (the shared zero page)
 * or '.' (absent).
 */
void machine_pages(struct machine *m, unsigned long addr, unsigned long n,
		   char *out);

/* "VM_WRITE" for the bit VM_WRITE; NULL for a bit without a name. */
const char *vm_flag_name(vm_flags_t bit);

/*
 * MM_ANONPAGES, MM_FILEPAGES and MM_SHMEMPAGES of an mm: the RSS lines of
 * /proc/PID/status.  The other counters are fields of struct mm.
 */
void mm_rss_counters(const struct mm *mm, unsigned long *anon,
		     unsigned long *file, unsigned long *shmem);

/*
 * The reverse map of the anonymous page at addr in process pid, walked as
 * rmap_walk_anon() walks it (rmap.c): the page (its anon_vma and index),
 * the anon_vma whose interval tree is searched and the root whose lock
 * the walk takes, and each chain found, in the tree's order, with the
 * address the page has in that VMA and whether its page table maps this
 * very page there.  Returns 0; -ESRCH (no such process), -ENOENT (no
 * anonymous page at addr: w->kind says what is there), -EFAULT (a page
 * whose anon_vma is gone: the checker reports it).  Free with
 * rmap_walk_free().
 */
struct rmap_visit {
	int pid;
	const struct vma *vma;
	unsigned long pgoff_start, pgoff_last; /* the chain's tree key */
	unsigned long addr;		       /* vma_address() */
	bool maps;			       /* page_vma_mapped_walk() */
};
struct rmap_walk {
	enum page_kind kind; /* what addr maps */
	const struct anon_page *page;
	const struct anon_vma *anon_vma; /* folio_anon_vma() */
	const struct anon_vma *root;	 /* whose rwsem the walk takes */
	size_t nchains;			 /* chains in anon_vma's tree */
	size_t n;			 /* of them, those that hold index */
	struct rmap_visit *v;
};
int machine_rmap_walk(const struct machine *m, int pid, unsigned long addr,
		      struct rmap_walk *w);
void rmap_walk_free(struct rmap_walk *w);
/* The live anon_vmas, newest first (follow ->next). */
const struct anon_vma *machine_anon_vmas(const struct machine *m);
/* The anonymous page at addr in pid's page table, or NULL. */
const struct anon_page *machine_anon_page(const struct machine *m, int pid,
					  unsigned long addr);

/* Every anonymous page in pid's page table, in address order (pg may be
 * NULL only if the model is broken: the checker reports it). */
void machine_for_each_anon_page(const struct machine *m, int pid,
				void (*fn)(void *arg, unsigned long addr,
					   const struct anon_page *pg),
				void *arg);

/* Page counts for smaps: present pages and the anonymous ones among them. */
void vma_page_counts(const struct vma *v, unsigned long *rss,
		     unsigned long *anon);

#endif
