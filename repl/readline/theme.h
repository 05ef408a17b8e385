/*
 * theme.h - the REPL's colours, in one table.
 *
 * Each role has one SGR sequence.  Callers ask th_on(colour, role) and get
 * "" when colour is off (not a terminal, NO_COLOR, `set colour off`), so
 * that plain output is the same code path with empty strings.
 */
#ifndef VMALAB_THEME_H
#define VMALAB_THEME_H

#include <stdbool.h>

enum theme_role {
	TH_PROMPT, /* "vmalab>" */
	TH_OK,	   /* a call's result: "= 0x200000000000" */
	TH_FAIL,   /* a failed call: "= -1 ENOMEM (...)", SIGSEGV */
	TH_ADD,	   /* diff: "+" a VMA that appeared */
	TH_DEL,	   /* diff: "-" a VMA that went away */
	TH_CHANGE, /* diff: "~" a VMA that changed */
	TH_TRACE,  /* "# vma_merge_new_range: ..." */
	TH_ERROR,  /* "error:" and the caret under the mistake */
	TH_WARN,   /* "warning:" */
	TH_NOTE,   /* asides: "now in pid 2", "expands to" */
	TH_HEAD,   /* headings in help */
	TH__COUNT
};

const char *th_on(bool colour, enum theme_role role);
const char *th_off(bool colour);

#endif
