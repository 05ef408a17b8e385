/*
 * explain.h - one step as an account: what the engine's events of the
 * step say happened, gathered into facts (struct explanation: which
 * kernel paths ran, each merge tried with what each neighbour said and
 * the case it ended in, each split, each write lock, the anon_vma work
 * and the faults), and those facts in plain English (`explain`).
 *
 * Tests assert on the facts and the case names; the prose is built from
 * them alone, so it cannot say what the events did not.
 */
#ifndef VMALAB_EXPLAIN_H
#define VMALAB_EXPLAIN_H

#include <stddef.h>
#include "engine.h"
#include "strbuf.h"

/* What a merge saw of one neighbour. */
enum explain_nb_state {
	NB_ABSENT = 0, /* no VMA on that side (or not looked at) */
	NB_APART,      /* a VMA, but it does not touch the range */
	NB_REFUSED,    /* can_vma_merge_{after,before} said no */
	NB_ACCEPTED,   /* ... said yes */
};

struct explain_nb {
	enum explain_nb_state state;
	unsigned vma;
	unsigned long start, end;
	enum merge_veto veto; /* NB_REFUSED */
	unsigned long diff;   /* VETO_FLAGS: the bits */
	unsigned av, av2;     /* the range's and the neighbour's anon_vma */
	unsigned long have, want; /* VETO_PGOFF: the pgoffs that differ */
};

struct explain_merge {
	enum ev_fn fn; /* FN_VMA_MERGE_NEW_RANGE or _EXISTING_RANGE */
	int pid;
	unsigned long start, end; /* the range */
	unsigned middle;	  /* existing range: the VMA it is in */
	unsigned long mstart, mend;
	struct explain_nb prev, next;
	/* can_vma_merge_right: prev and next each fit, not each other */
	bool prev_next_anon;
	unsigned pn_av, pn_av2;
	enum merge_case mcase; /* 0: no merge */
	enum merge_veto why;   /* no merge: EV_NOMERGE's reason */
	unsigned target;       /* the VMA that grew */
	unsigned removed[2];   /* VMAs vma_complete removed */
	int nremoved;
	unsigned dup_av; /* dup_anon_vma gave the target this anon_vma */
	bool nomem;
};

struct explain_split {
	int pid;
	unsigned vma;
	unsigned long start, end, addr;
	bool new_below;
	unsigned made; /* the new VMA */
};

struct explain_lock {
	int pid;
	unsigned vma;
	unsigned long start, end;
};

struct explanation {
	/* The kernel paths the step ran, outermost, in order. */
	int paths[16];
	int npaths;
	unsigned long path_addr[16], path_len[16];
	struct explain_merge *merges;
	size_t nmerges, capmerges;
	struct explain_split *splits;
	size_t nsplits, capsplits;
	struct explain_lock *locks;
	size_t nlocks, caplocks;
	/* VMAs made (by origin) and removed (by why), over the step */
	unsigned long made[8], gone[8];
	/* pages faulted in, by the function that did it */
	unsigned long anon_faults, cow_copies, cow_reused, zero_faults,
		file_faults, zaps;
	/* read faults of files: do_read_fault's own pages, the pages
	 * do_fault_around mapped, and the pages read-around read in; and
	 * do_wp_page's copies of the zero page or a page-cache page */
	unsigned long read_faults, around_faults, read_ahead, wp_copies;
	unsigned long async_hits, async_ahead; /* page_cache_async_ra */
	/* anon_vma work, counted by enum anon_op */
	unsigned long anon_ops[16];
	unsigned first_av_new, first_av_reuse; /* examples, for the text */
	unsigned long flag_changes;	       /* EV_VMA_FLAGS events */
	/* madvise's page work: guard markers installed (and the pages the
	 * install zapped first) and cleared; VMAs faulted in through GUP */
	unsigned long guard_pages, guard_zapped, guard_removed;
	unsigned long populate_vmas, populate_write;
	/* the merge being built (index + 1 into merges; 0: none) */
	size_t open[8];
	int nopen;
};

/* Gather the facts of the events of one step. */
void explain_build(struct explanation *x, const struct vmalab_event *ev,
		   size_t n);
void explain_free(struct explanation *x);
/* The account, one short paragraph per fact, into out, wrapped at width
 * columns (EXPLAIN_WIDTH for a terminal line). */
#define EXPLAIN_WIDTH 76
void explain_text(const struct explanation *x, struct strbuf *out,
		  size_t width);

/* "vma_merge_new_range: expand prev"-style names of a case, its old
 * number (1-8 in the pre-6.12 vma_merge() diagram) and its picture. */
const char *merge_case_text(enum merge_case c);
int merge_case_old(enum merge_case c);
const char *merge_case_picture(enum merge_case c);

/*
 * A recorder of events for explain: an observer that copies every event
 * (the v and o pointers cleared: they are only valid during the call).
 */
struct ev_recording {
	struct vmalab_event *ev;
	size_t n, cap;
};
void ev_recording_observer(void *arg, const struct vmalab_event *ev);
void ev_recording_free(struct ev_recording *r);

#endif
