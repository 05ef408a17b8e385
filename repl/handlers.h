/*
 * handlers.h - the handlers that live outside commands.c, next to the
 * state they work on.  The table that names them is still commands.c: a
 * command exists there and nowhere else.
 */
#ifndef VMALAB_HANDLERS_H
#define VMALAB_HANDLERS_H

#include "command.h"
#include "session.h"

/*
 * Lines run inside a line (source, replay): swap_line() gives the outer
 * line's output to g and the session empty buffers; gather_line() after
 * each inner line adds its output and results to g; swap_line() again
 * puts it all back as the outer line's.
 */
struct gather {
	struct strbuf out, tr;
	struct result_span *spans;
	size_t nspans, capspans;
	unsigned calls;
};
void gather_line(struct session *s, void *arg);
void swap_line(struct session *s, struct gather *g);

/* undo.c */
int cmd_undo(struct session *s, const struct parsed *p);
int cmd_redo(struct session *s, const struct parsed *p);
int cmd_reset(struct session *s, const struct parsed *p);
int cmd_history(struct session *s, const struct parsed *p);

/* view.c */
int cmd_ps(struct session *s, const struct parsed *p);
int cmd_vma(struct session *s, const struct parsed *p);

/* rmapview.c */
int cmd_rmap(struct session *s, const struct parsed *p);
int cmd_anon(struct session *s, const struct parsed *p);
int cmd_check(struct session *s, const struct parsed *p);
int cmd_explain(struct session *s, const struct parsed *p);

/* given.c */
int cmd_given(struct session *s, const struct parsed *p);
int cmd_load_maps(struct session *s, const struct parsed *p);
int cmd_attach(struct session *s, const struct parsed *p);

/* ui/svg.c */
int cmd_draw(struct session *s, const struct parsed *p);

/* help.c */
int cmd_help(struct session *s, const struct parsed *p);

/* scncmds.c, export.c, quiz.c: the scenario store's commands */
int cmd_save(struct session *s, const struct parsed *p);
int cmd_load(struct session *s, const struct parsed *p);
int cmd_replay(struct session *s, const struct parsed *p);
int cmd_list(struct session *s, const struct parsed *p);
int cmd_show(struct session *s, const struct parsed *p);
int cmd_delete(struct session *s, const struct parsed *p);
int cmd_rename(struct session *s, const struct parsed *p);
int cmd_tag(struct session *s, const struct parsed *p);
int cmd_branch(struct session *s, const struct parsed *p);
int cmd_diff(struct session *s, const struct parsed *p);
int cmd_import(struct session *s, const struct parsed *p);
/* commands.c: replay a log for import, its scenario into script. */
int import_log(struct session *s, const struct parsed *p,
	       struct strbuf *script);
int cmd_export(struct session *s, const struct parsed *p);
int cmd_quiz(struct session *s, const struct parsed *p);
int cmd_answer(struct session *s, const struct parsed *p);

#endif
