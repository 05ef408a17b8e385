/*
 * given.h - address spaces given from outside: a real process's
 * /proc/PID/smaps (attach, load-maps, record) read into `given` lines,
 * the script form of the engine's pseudo-calls NR_SPAWN ... NR_LAYOUT.
 *
 * What a maps text cannot say is assumed, and the assumptions are
 * printed with the result:
 * - anon_vma identities: each VMA with anonymous pages gets one as a
 *   first write fault would (anon_vma_prepare: a compatible neighbour's,
 *   else a new one); none is a fork child, so no chains reach other
 *   processes.
 * - without VmFlags (a plain maps file): vm_flags from the permissions,
 *   VM_MAY* all set, VM_ACCOUNT on private writable mappings, VM_GROWSDOWN
 *   on [stack].
 * - without pagemap (a saved smaps): Anonymous pages first, then the
 *   rest of Rss as file pages, from the start of the VMA ([stack]: from
 *   its top).
 * - anonymous VMA names ([anon:NAME]) are not modelled: such VMAs load
 *   unnamed.
 */
#ifndef VMALAB_GIVEN_H
#define VMALAB_GIVEN_H

#include <stdbool.h>
#include <stddef.h>
#include "strbuf.h"

/*
 * Turn smaps (or maps) text into `given vma` and `given pages` lines in
 * out.  pagemap, if >= 0, is an open /proc/PID/pagemap: pages are read
 * from it exactly.  Returns the number of VMAs, or -1 with err set; notes
 * (VMAs left out, names dropped) are counted in *dropped.
 */
int maps_to_given(const char *text, size_t len, int pagemap, struct strbuf *out,
		  int *dropped, char *err, size_t errlen);

/* Read /proc/PID/smaps (and pagemap) of a live process into out. */
int proc_to_given(int pid, struct strbuf *out, int *dropped, char *err,
		  size_t errlen);

/* The assumptions above, as '# ' lines. */
extern const char given_assumptions[];

#endif
