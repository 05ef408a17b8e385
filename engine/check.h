/*
 * check.h - the engine's own checkers, as codes: the invariants of every
 * mm and of the anon_vma graph, and the VMA write-lock rule.
 *
 * machine_check() looks at the state now.  In checking mode
 * (machine_set_checking()) the engine also runs the write-lock checker
 * around every operation: it notes each VMA that vma_start_write() locked,
 * and at the end of the operation flags every VMA whose range, flags,
 * pgoff or anon_vma changed, that was removed, or that was made in an mm
 * that already existed, without a write lock taken in that operation (the
 * rule the kernel's callers follow since "mm: move vma locking out of
 * vma_prepare", 2023).  Then it runs machine_check() too.
 *
 * Nothing here formats text: a violation is a code with the ids and
 * numbers it is about, and front ends word it (repl/check_text.c).  Tests
 * and fuzzers call these directly as oracles.
 */
#ifndef VMALAB_CHECK_H
#define VMALAB_CHECK_H

#include <stdbool.h>
#include "vma.h"

struct machine;

enum check_code {
	/* One mm: the tree and its VMAs. */
	CHECK_TREE = 1,	  /* vt_check(): order, heights or gaps wrong */
	CHECK_TREE_COUNT, /* value VMAs walked, expect: the tree's count */
	CHECK_MAP_COUNT,  /* value map_count, expect: VMAs in the tree */
	CHECK_EMPTY,	  /* vma: vm_start >= vm_end */
	CHECK_UNALIGNED,  /* vma: a bound not on a page, or past TASK_SIZE */
	CHECK_OVERLAP,	  /* vma starts before other, the one before, ends */
	CHECK_WRONG_MM,	  /* vma is in one mm's tree but names another */
	/*
	 * vma and other (the next VMA) are adjacent and the merge's own
	 * predicates (vma_merge_blockers()) find nothing that keeps them
	 * apart: the kernel would have merged them.
	 */
	CHECK_MERGEABLE,
	/* The anon_vma chains of one VMA. */
	CHECK_CHAIN_ANON,   /* anon_vma av set but not on the chain, or
			       a chain with no anon_vma (av 0) */
	CHECK_CHAIN_LINK,   /* a chain link names another VMA, or av twice */
	CHECK_CHAIN_FREED,  /* a chain link to av, which is not alive */
	CHECK_CHAIN_TREE,   /* a chain link missing from av's tree */
	CHECK_CHAIN_ROOT,   /* av on the chain has another root */
	CHECK_CHAIN_PARENT, /* av on the chain, its parent (value) not */
	/* The anon_vmas. */
	CHECK_AV_TREE,	   /* av's tree: value links, expect: chain links */
	CHECK_AV_ACTIVE,   /* num_active_vmas value, expect: VMAs using av */
	CHECK_AV_CHILDREN, /* num_children value, expect: live children */
	CHECK_AV_REFCOUNT, /* refcount value, expect: what holds av */
	CHECK_AV_ROOT,	   /* av's root is not a root, or not an ancestor */
	CHECK_AV_LEAK,	   /* av serves no VMA and has no child: not freed */
	/* Pages. */
	CHECK_PAGE_OUTSIDE, /* value pages present outside every VMA */
	CHECK_ANON_NO_AV,   /* vma has value anonymous pages, no anon_vma */
	/*
	 * The reverse map of one anonymous page that vma maps at start
	 * (value: the page's index; av: its anon_vma).  rmap_walk_anon()
	 * from the page must find every VMA that maps it.
	 */
	CHECK_PAGE_AV_FREED, /* the page's anon_vma is not alive (or none) */
	CHECK_PAGE_NO_CHAIN, /* vma has no chain link to the page's av */
	CHECK_PAGE_INDEX,    /* expect: linear_page_index() there */
	CHECK_PAGE_MAPCOUNT, /* mapcount value, expect: entries mapping it */
	/* The write-lock checker (checking mode), for one operation. */
	CHECK_LOCK_CHANGED, /* vma changed (what: enum check_field) */
	CHECK_LOCK_REMOVED, /* vma went away */
	CHECK_LOCK_NEW,	    /* vma is new in an mm that existed */
};

/* What changed in a VMA, for CHECK_LOCK_CHANGED. */
enum check_field {
	CHECK_F_RANGE = 1 << 0,
	CHECK_F_PGOFF = 1 << 1,
	CHECK_F_FLAGS = 1 << 2,
	CHECK_F_ANON_VMA = 1 << 3,
};

struct check_violation {
	enum check_code code;
	int pid;
	unsigned vma, other; /* vma#N ids; 0: none */
	unsigned av;	     /* anon_vma id; 0: none */
	/* vma's range (before the operation, for the lock checks) */
	unsigned long start, end;
	long value, expect;
	unsigned what;	  /* enum check_field */
	unsigned long op; /* checking mode: the operation (1, 2, ...) */
};

/*
 * Check every invariant now.  Stores the first max violations in out and
 * returns how many there are (0: all hold).  out may be NULL if max is 0.
 */
int machine_check(const struct machine *m, struct check_violation *out,
		  int max);

/*
 * Checking mode: run the write-lock checker and machine_check() around
 * every operation from now on.  Returns 0 or -ENOMEM.
 */
int machine_set_checking(struct machine *m, bool on);
bool machine_checking(const struct machine *m);
/*
 * End the operation being checked (the next one starts with the next
 * system call or touch), then hand over what checking mode found since
 * the last call: up to max violations into out; returns how many were
 * found (more than max may have been found; the rest are not kept).
 */
int machine_check_take(struct machine *m, struct check_violation *out, int max);
/* Operations checked so far, and violations found in all. */
void machine_check_stats(const struct machine *m, unsigned long *ops,
			 unsigned long *violations);

#endif
