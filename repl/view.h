/*
 * view.h - what the REPL shows of the engine's state beyond the contract:
 * the diff printed after each line, and the ps and vma commands.
 */
#ifndef VMALAB_VIEW_H
#define VMALAB_VIEW_H

#include "model.h"
#include "session.h"

/*
 * "+ ...", "- ...", "~ ..." lines, in address order, for the VMAs that
 * appeared, went away or changed (matched by vma#N, so a split shows the
 * kernel's view: one VMA shrinks, a new one appears).  Returns the number
 * of changes.
 */
int mm_diff_text(const struct session *s, const struct mm_diff *d,
		 struct strbuf *out);

#endif
