/*
 * strace.h - reading one line of an strace log: the prefix strace puts
 * before a call (a pid column or "[pid N]", a -t/-tt/-ttt/-r timestamp),
 * what kind of line it is (a call, half a call, a signal, an exit, a
 * message of strace's own), the recorded result, and the -y/-yy fd
 * annotations ("3</usr/lib/libc.so.6>").
 *
 * Pure functions over a buffer: no allocation, no state, nothing kept
 * past the call but pointers into the caller's buffer.  The importer
 * (replay.c) joins the halves and runs the calls.
 */
#ifndef VMALAB_STRACE_H
#define VMALAB_STRACE_H

#include <stdbool.h>
#include <stddef.h>

enum strace_kind {
	ST_BLANK,      /* nothing after the prefix */
	ST_CALL,       /* name(args) = result */
	ST_UNFINISHED, /* name(args <unfinished ...> */
	ST_RESUMED,    /* <... name resumed>rest) = result */
	ST_SIGNAL,     /* --- SIGCHLD {...} --- */
	ST_EXIT,       /* +++ exited with 0 +++, +++ killed by SIGKILL +++ */
	ST_MESSAGE,    /* strace: Process 12 attached, and its other notes */
	ST_WORDS,      /* a word after the prefix: a vmalab command line */
	ST_OTHER,      /* anything else */
};

struct strace_line {
	enum strace_kind kind;
	long pid;      /* the pid column or [pid N]; -1 when there is none */
	bool has_time; /* a -t, -tt, -ttt or -r timestamp was there */
	/* After the prefix: the call (or words) up to and without the
	 * result, the -T duration and trailing spaces. */
	const char *body, *body_end;
	const char *name; /* the call's name (ST_CALL ... ST_RESUMED) */
	size_t name_len;
	/* ST_CALL, ST_UNFINISHED: the arguments after '(' (for
	 * ST_UNFINISHED without " <unfinished ...>"); ST_RESUMED: the rest
	 * after "resumed>", up to and without the closing ')'. */
	const char *args, *args_end;
	/* The recorded result, if any. */
	bool has_result;
	bool result_unknown; /* "= ?": the call did not return (exit) */
	long result;	     /* a value, or -errno for "-1 ENAME (...)" */
	/* The result's own -y annotation: "= 3</etc/ld.so.cache>". */
	const char *result_path, *result_path_end;
};

/* Classify one line (no newline).  Never fails: see ST_OTHER. */
void strace_parse_line(const char *buf, size_t len, struct strace_line *sl);

/* One -y annotation removed by strace_strip_fds(). */
struct strace_fd {
	long fd;
	const char *path,
		*path_end; /* "/dev/null" of "1</dev/null<char 1:3>>" */
};

/*
 * Copy [s, e) to out without its fd annotations ("3</path>" becomes
 * "3"), outside quoted strings.  Each one removed is kept in fds[] (up to
 * max; *nfds says how many there were).  Returns the length written, or
 * (size_t)-1 if out is too small.
 */
size_t strace_strip_fds(const char *s, const char *e, char *out, size_t outlen,
			struct strace_fd *fds, int max, int *nfds);

/* "ENOMEM" to ENOMEM (and strace's ERESTART* names); 0 if unknown. */
int strace_errno(const char *name, size_t len);

#endif
