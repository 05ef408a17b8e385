/*
 * repl.h - the interactive REPL (GNU readline) on a terminal.
 */
#ifndef VMALAB_REPL_H
#define VMALAB_REPL_H

#include "session.h"

/*
 * Read lines from the terminal until Ctrl-D or quit, running each through
 * the session with a coloured result, a diff of the VMAs and (with `set
 * trace on`) the trace.  Returns the exit status.
 */
int repl_run(struct session *s);

#endif
