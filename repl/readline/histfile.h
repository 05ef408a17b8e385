/*
 * histfile.h - the REPL's line history, kept across sessions in
 * $XDG_STATE_HOME/vmalab/history (~/.local/state/vmalab/history), or
 * ~/.vmalab_history when that cannot be made, capped at HISTORY_MAX lines.
 */
#ifndef VMALAB_HISTFILE_H
#define VMALAB_HISTFILE_H

#define HISTORY_MAX 2000
#define HISTORY_LINE_MAX 4096

/* Load the history file; returns its path (to free), or NULL: no file. */
char *history_start(void);
/* Add a line typed (not a blank one, nor one starting with a space, nor
 * the previous line again) and append it to the file at once, so that a
 * crash or a second REPL loses nothing. */
void history_add_line(const char *path, const char *line);
/* Trim the file to HISTORY_MAX lines. */
void history_finish(char *path);

#endif
