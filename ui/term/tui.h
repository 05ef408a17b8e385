/*
 * tui.h - the ncurses UI: the address space drawn after every step, the
 * VMA table, the trace and anon_vma panes, a timeline, and GNU readline's
 * command line at the bottom (its callback interface), all over the same
 * session, and so the same command table, as batch mode and the REPL.
 */
#ifndef VMALAB_TUI_H
#define VMALAB_TUI_H

#include "session.h"

/*
 * Run the UI on the terminal until quit or Ctrl-D.  script (may be NULL)
 * is a file loaded for playing: its lines run one by one as the user
 * plays or steps.  Returns 0, or 2 if the file cannot be read.
 */
int tui_run(struct session *s, const char *script);

/*
 * For the redraw benchmark: draw every pane of the UI for session s
 * once, into the current ncurses screen (newterm on any FILE), and
 * update it.  The state is made on the first call (ui_bench_free()
 * drops it); step makes it follow the session's last line.
 */
void tui_bench_frame(struct session *s, int step);
void tui_bench_free(void);

#endif
