/*
 * args.h - the types of command arguments, each defined once: how its
 * text is read, which constants it takes, what Tab offers for it and what
 * help says about it.  The parser, help and completion all read
 * arg_types[]; a new kind of argument (MREMAP_* flags, say) is one entry
 * there and, if it has names, one table of constants.
 */
#ifndef VMALAB_ARGS_H
#define VMALAB_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#define MAX_ARGS 8
#define MAX_LINE 4096

enum arg_type {
	ARG_NONE,
	ARG_ADDR,     /* number or NULL */
	ARG_LEN,      /* number, with k/M/G/p suffixes */
	ARG_PROT,     /* PROT_* */
	ARG_MAPFLAGS, /* MAP_* */
	ARG_FD,	      /* number (may be -1) */
	ARG_OFF,      /* number */
	ARG_DIRFD,    /* AT_FDCWD or number */
	ARG_PATH,     /* "quoted string" */
	ARG_OFLAGS,   /* O_* */
	ARG_MODE,     /* octal with a leading 0, else decimal */
	ARG_INT,      /* plain number */
	ARG_TEXT,     /* the rest of the line, as is (echo) */
	ARG_PID,      /* a process id (completes to the live pids) */
	ARG_PROTWORD, /* r, rw, r-x, rwx, none, or PROT_* */
	ARG_MAPOPTS,  /* the rest of the line: anon, shared, file FD OFF.. */
	ARG_COMMAND,  /* a command's name (help) */
	ARG_FILE,     /* a file name, bare or "quoted" (source) */
	ARG_OPTION,   /* a setting's name (set) */
	ARG_VALUE,    /* a setting's value (set) */
	ARG_NAME,     /* a scenario's name (save, load, ...) */
	ARG_WORD,     /* a word, or a "quoted string" (--title "A title") */
	ARG_ANY,      /* any text, unread: execve's argv and envp */
	ARG_REST,     /* the rest of the line, as is, after other words */
	ARG_MREMAPFLAGS, /* MREMAP_* */
	ARG_MADVICE,  /* MADV_* (one advice) */
	ARG_MLOCKFLAGS, /* MLOCK_ONFAULT */
	ARG_MCLFLAGS, /* MCL_* */
	ARG_PRCTLOPT, /* PR_SET_VMA, ... */
	ARG_PRCTLARG, /* PR_SET_VMA_ANON_NAME, ... */
	ARG__COUNT
};

struct arg {
	unsigned long num; /* ARG_MAPOPTS: the MAP_* flags */
	char *str;	   /* ARG_PATH, ARG_TEXT and other words: the text */
	long fd;	   /* ARG_MAPOPTS: file FD, or -1 */
	unsigned long off; /* ARG_MAPOPTS: the file offset */
	bool placed;	   /* ARG_MAPOPTS: fixed, noreplace or hint given */
};

struct constant {
	const char *name;
	unsigned long value;
};

/* Why an argument did not read, and which part of it is at fault. */
struct arg_error {
	char msg[400];
	const char *suggestion; /* a name it was probably meant to be */
	const char *bad_s, *bad_e;
};

/* What Tab offers for an argument of a type. */
enum arg_complete {
	AC_NONE,
	AC_CONSTANTS,	   /* the type's constants */
	AC_PROT_WORDS,	   /* r rw rx rwx none, and PROT_* */
	AC_MAP_OPTIONS,	   /* map's option words */
	AC_ADDRESSES,	   /* the VMAs' start addresses */
	AC_PIDS,	   /* the live pids */
	AC_COMMANDS,	   /* command names */
	AC_SETTINGS,	   /* setting names */
	AC_SETTING_VALUES, /* the values of the setting named before */
	AC_FILES,	   /* file names */
	AC_SCENARIOS,	   /* the lessons, and the stored scenarios */
};

/* What help says about an argument of a type (once per page). */
enum arg_help {
	AH_NONE,
	AH_CONSTANTS, /* the constants, joined with | */
	AH_NUMBERS,   /* decimal, 0x, and size suffixes */
	AH_PROTWORD,  /* r, w and x */
	AH_MAPOPTS,   /* map's option words */
	AH_SETTINGS,  /* the table of settings */
};

struct arg_type_info {
	/* Read [s, e) into a; 0, or -1 with err filled in. */
	int (*convert)(enum arg_type t, const char *s, const char *e,
		       struct arg *a, struct arg_error *err);
	const struct constant *consts; /* names it accepts, or NULL */
	size_t nconsts;
	const char *prefix; /* "PROT_": for "expected PROT_..." */
	enum arg_complete complete;
	enum arg_help help;
	bool rest;  /* takes the rest of the line */
	bool sizes; /* numbers may end in k, M, G or p */
};

extern const struct arg_type_info arg_types[ARG__COUNT];

static inline bool arg_takes_rest(enum arg_type t)
{
	return arg_types[t].rest;
}

/* Parse "A|B|0x10" of type t.  0, or -1 with err (and *suggest) set. */
int parse_constants(enum arg_type t, const char *s, unsigned long *out,
		    char *err, size_t errlen, const char **suggest);
/* "PROT_READ|PROT_WRITE": the names for v, for printing. */
void format_constants(enum arg_type t, unsigned long v, char *buf, size_t len);
/* The closest of names[] to s, if close enough to suggest, else NULL. */
const char *closest_name(const char *s, const char *const *names, size_t n);
/*
 * The quick path for an argument of a call: a plain number (hex or
 * decimal), NULL, or constant names joined by '|', read from s (not a
 * space) with no copy and no table walk.  Returns where its text ends,
 * with a filled in; NULL if it is anything else, and then the argument is
 * for its type's convert(), which makes every error.  A strace log is
 * nearly all such arguments.
 */
const char *arg_quick(enum arg_type t, const char *s, const char *e,
		      struct arg *a);
/* Parse a number: decimal, 0x hex, leading '-', k/M/G/p when sizes. */
int parse_number(const char *s, bool sizes, bool octal, unsigned long *out,
		 char *err, size_t errlen);

/* The words `map`'s options accept (anon, shared, file, ...), NULL-ended. */
extern const char *const map_option_words[];
/* The protections as maps prints them, for map and protect. */
extern const char *const prot_words[];

#endif
