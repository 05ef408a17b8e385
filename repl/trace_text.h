/*
 * trace_text.h - the engine's events in the kernel's words: the `# ...`
 * lines of --trace and `set trace on`, and the English for each reason a
 * merge is refused.  This is the one place where merge vetoes become
 * prose; the engine only ever hands out codes.
 */
#ifndef VMALAB_TRACE_TEXT_H
#define VMALAB_TRACE_TEXT_H

#include "engine.h"
#include "strbuf.h"

/*
 * Append ev as one trace line ("# " and two spaces of indent per level)
 * to out, or nothing for the events --trace does not show (VMA and page
 * bookkeeping, chain links).  Every EV_ENTER shows a line, so the
 * engine's depth is the indent.
 */
void trace_event_text(const struct vmalab_event *ev, struct strbuf *out);

/* An observer that appends trace lines to the strbuf in arg. */
void trace_text_observer(void *arg, const struct vmalab_event *ev);

/*
 * Why a merge predicate said no (is_mergeable_vma, is_mergeable_anon_vma)
 * in words: "vm_flags differ (VM_WRITE)", "anon_vma differs and both
 * faulted (av1 vs av2)", ...  src_av is the range's anon_vma id, tgt_av
 * the neighbour's.  The pgoff and adjacency vetoes are worded by their
 * callers, which know the numbers.
 */
void veto_text(struct strbuf *out, enum merge_veto veto, unsigned long diff,
	       unsigned src_av, unsigned tgt_av);

/* "VM_WRITE|VM_ACCOUNT": the names of the bits in f (else its value). */
void vm_flag_list(struct strbuf *out, unsigned long f);
/* "MREMAP_MAYMOVE|MREMAP_FIXED" for mremap's flags (0: nothing). */
void mremap_flag_list(struct strbuf *out, unsigned long f);

#endif
