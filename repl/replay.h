/*
 * replay.h - replaying a real program's log (strace [-f] [-tt|-ttt|-r]
 * [-y|-yy] -e trace=memory[,process,...], or what `vmalab record`
 * writes) into the simulation, and the report of how its results compare
 * with the ones the log recorded.
 *
 * A stream becomes a log at its first line that only strace writes (a
 * pid column, a timestamp, an exit or signal line, half a call, an fd
 * annotation, an execve), or from its start for `import`.  From then on
 * every line goes through replay_line():
 * - each real pid is a simulated process: the first is the current one,
 *   a fork, vfork or clone (not of a thread) forks its parent, a pid seen
 *   first with no fork pending is a new process (given process); threads
 *   (CLONE_VM without CLONE_VFORK) share their parent's;
 * - the calls that have a row in the command table run as calls, by that
 *   row; the rest are counted and skipped, with one warning per name;
 * - an fd a mapping uses is given the file the log names (openat, -y),
 *   else one named fdN, grown to cover the mapping;
 * - an address the kernel chose (mmap without MAP_FIXED, mremap moving)
 *   is placed where the log says, and get_unmapped_area() is asked where
 *   the simulation would have put it;
 * - each result that differs from the recorded one is kept for the
 *   summary, as a log gap, a model gap or a fidelity finding.
 */
#ifndef VMALAB_REPLAY_H
#define VMALAB_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include "strbuf.h"

struct session;
struct command;
struct call;
struct replay;

/*
 * Handle a line if the stream is (or has just shown itself to be) a log.
 * true: the line was handled, output and errors made; false: it is an
 * ordinary script line.
 */
bool replay_line(struct session *s, const char *line, size_t len);
/*
 * A log from the first line of the stream about to run at depth
 * s->depth (import), its scenario (a script) added to keep at the end
 * if keep is not NULL.
 */
void replay_begin(struct session *s, const char *src, struct strbuf *keep);
/*
 * End the log the stream at this source depth began: print the summary
 * into s->out.  Nothing if no log began at this depth.
 */
void replay_end(struct session *s);

/* Is the file at path an strace log (by its first lines)? */
bool replay_file_is_log(const char *path);
/* Did a log begin at the session's current source depth? */
bool replay_here(const struct session *s);
/* Forget a log without a summary (the session is going away). */
void replay_drop(struct session *s);

/* "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 3, 0)": a call in strace
 * syntax from its row and its raw arguments. */
void format_call(struct strbuf *out, const struct command *cmd,
		 const struct call *c);
/* The same, with "<PATH>" after each fd argument i that fdpaths[i] names
 * (as strace -y writes it); fdpaths may be NULL. */
void format_call_fds(struct strbuf *out, const struct command *cmd,
		     const struct call *c, char *const *fdpaths);
/* The simulated pid of a real task of the log being replayed, or 0. */
int replay_sim_pid(const struct session *s, long tid);

#endif
