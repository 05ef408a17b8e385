/*
 * handlers.h - the handlers that live outside commands.c, next to the
 * state they work on.  The table that names them is still commands.c: a
 * command exists there and nowhere else.
 */
#ifndef VMALAB_HANDLERS_H
#define VMALAB_HANDLERS_H

#include "command.h"
#include "session.h"

/* undo.c */
int cmd_undo(struct session *s, const struct parsed *p);
int cmd_redo(struct session *s, const struct parsed *p);
int cmd_reset(struct session *s, const struct parsed *p);
int cmd_history(struct session *s, const struct parsed *p);

/* view.c */
int cmd_ps(struct session *s, const struct parsed *p);
int cmd_vma(struct session *s, const struct parsed *p);

/* help.c */
int cmd_help(struct session *s, const struct parsed *p);

#endif
