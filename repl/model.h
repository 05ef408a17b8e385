/*
 * model.h - the read-only model that front ends draw and record from: a
 * VMA as a value (struct vma_snap), a process as an array of them, and
 * the structured difference between two states.
 *
 * Front ends never keep struct vma pointers (undo replaces the whole
 * machine); they keep snaps, which are copies.  struct model follows the
 * engine's events and so knows which VMAs a step touched: the difference
 * a step made costs O(VMAs touched), not O(VMAs).
 */
#ifndef VMALAB_MODEL_H
#define VMALAB_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include "engine.h"

/* One VMA as it was. */
struct vma_snap {
	unsigned id; /* the engine's vma#N, stable across replay */
	int pid;
	unsigned long start, end, pgoff;
	vm_flags_t flags;
	unsigned file;		 /* struct vm_file id, 0 for none */
	unsigned anon_vma;	 /* anon_vma id, 0 for none */
	unsigned long rss, anon; /* pages */
	char name[64];		 /* the path maps prints, or "" */
};

void vma_snap_of(struct vma_snap *o, const struct vma *v);

/* Every VMA of one process, in address order. */
/*
 * The mm's counters, in pages, as /proc/PID/status shows them (`status`;
 * the UI's VMA table footer): total_vm (VmSize), locked_vm, pinned_vm,
 * data_vm, exec_vm, stack_vm, the RSS counters (MM_ANONPAGES,
 * MM_FILEPAGES, MM_SHMEMPAGES), the peaks as task_mem() prints them
 * (VmPeak, VmHWM), and the PTE tables.
 */
struct mm_counters {
	unsigned long total_vm, locked_vm, pinned_vm, data_vm, exec_vm;
	unsigned long stack_vm, anon, file, shmem, peak_vm, peak_rss;
	unsigned long pte_tables;
};
void mm_counters_of(struct mm_counters *c, const struct mm *mm);

struct mm_snap {
	int pid; /* 0: no snapshot (not the simulation) */
	size_t n;
	struct vma_snap *v;
	struct mm_counters counters;
};

void mm_snap_take(struct mm_snap *snap, const struct machine *m, int pid);
void mm_snap_free(struct mm_snap *snap);

/* What changed in a VMA that is in both states. */
enum vma_field {
	VF_START = 1 << 0,
	VF_END = 1 << 1,
	VF_FLAGS = 1 << 2,
	VF_PGOFF = 1 << 3, /* the offset relative to the start changed */
	VF_FILE = 1 << 4,
	VF_ANON_VMA = 1 << 5,
	VF_RSS = 1 << 6,
	VF_ANON = 1 << 7,
};

/* '+' added (new only), '-' removed (old only), '~' changed (fields). */
struct vma_delta {
	char sign;
	unsigned fields; /* enum vma_field, for '~' */
	struct vma_snap old, new;
};

/* The difference between two states of one process, in address order. */
struct mm_diff {
	int pid;
	size_t n, cap;
	struct vma_delta *d;
};

/* What differs between a and b (VMAs matched by id). */
unsigned vma_snap_diff(const struct vma_snap *a, const struct vma_snap *b);
/* The whole difference between two snapshots of one process. */
void mm_diff_snaps(struct mm_diff *d, const struct mm_snap *a,
		   const struct mm_snap *b);
void mm_diff_free(struct mm_diff *d);

/*
 * The model: the last known state of every VMA of every process, kept up
 * to date from the events of the steps.  Attach model_observer() to the
 * machine (session_observe), then after each step call model_step(): it
 * reports what the step changed in process pid and remembers the new
 * state.  When the machine is a different one (undo, reset) it compares
 * everything once, and follows the new machine from then on.
 */
struct model_touch;
struct model {
	const struct machine *m;
	unsigned long epoch; /* m's, when last seen (machine_epoch) */
	struct vma_snap *snaps; /* open addressing on id */
	size_t nsnaps, capsnaps;
	struct model_touch *touched; /* this step's, in the order seen */
	size_t ntouched, captouched;
	unsigned *touch_index; /* open addressing on id: 1 + touched[] */
	size_t captouch_index;
};

/*
 * The anon_vma graph (mm/rmap.c) as values, for `anon` and the UI's pane:
 * every live anon_vma with its root, parent and counts, the anonymous
 * pages whose folio->mapping it is, and its interval tree of chains (one
 * per VMA linked to it, any process), in the tree's order (start pgoff).
 * A VMA's chain is the set of anon_vmas whose chains name it.
 */
struct avc_snap {
	int pid;
	unsigned vma; /* vma#N */
	unsigned long start, end;
	unsigned long pgoff_start, pgoff_last; /* the tree's key */
	bool own; /* this anon_vma is the VMA's vma->anon_vma */
};
struct av_snap {
	unsigned id, root, parent; /* parent == id: a root */
	int refcount;
	unsigned long num_children, num_active_vmas;
	unsigned long pages; /* anonymous pages that belong to it */
	int depth;	     /* parent links up to the root */
	size_t nchains;
	struct avc_snap *chains;
};
struct anon_graph {
	size_t n;
	struct av_snap *av; /* each root, then its descendants (depth first,
			       by id), then the next root */
};
void anon_graph_take(struct anon_graph *g, const struct machine *m);
void anon_graph_free(struct anon_graph *g);

void model_init(struct model *mo);
void model_free(struct model *mo);
struct engine_observer model_observer(struct model *mo);
void model_step(struct model *mo, const struct machine *m, int pid,
		struct mm_diff *out);

#endif
