/*
 * view.h - what the REPL shows of the engine's state beyond the contract:
 * a snapshot of one process's VMAs and the diff between two snapshots
 * (what a line added, removed or changed), and the ps and vma commands.
 */
#ifndef VMALAB_VIEW_H
#define VMALAB_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include "command.h"
#include "vma.h"

/*
 * One VMA as it was.  Copies, not pointers: undo replaces the whole
 * machine between two snapshots.
 */
struct vma_snap {
	unsigned id; /* the engine's vma#N, stable across replay */
	unsigned long start, end, pgoff;
	vm_flags_t flags;
	unsigned file;		 /* struct vm_file id, 0 for none */
	unsigned anon_vma;	 /* anon_vma id, 0 for none */
	unsigned long rss, anon; /* pages */
	char name[64];		 /* the path maps prints, or "" */
};

struct mm_snap {
	int pid; /* 0: no snapshot (not the simulation) */
	size_t n;
	struct vma_snap *v;
};

void mm_snap_take(struct mm_snap *snap, struct machine *m);
void mm_snap_free(struct mm_snap *snap);
/*
 * "+ ...", "- ...", "~ ..." lines, in address order, for the VMAs that
 * appeared, went away or changed from a to b (matched by vma#N, so a
 * split shows the kernel's view: one VMA shrinks, a new one appears).
 * Returns the number of lines.
 */
int mm_snap_diff(const struct session *s, const struct mm_snap *a,
		 const struct mm_snap *b, struct strbuf *out);

#endif
