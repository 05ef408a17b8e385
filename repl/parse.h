/*
 * parse.h - one parser for every input line: strace syntax
 * (`mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)`) and
 * word syntax (`touch 0x200000000000 16k`) both become a struct parsed,
 * checked against the command's declared argument types.  Handlers never
 * see raw text, and every usage error is made here.
 */
#ifndef VMALAB_PARSE_H
#define VMALAB_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#define MAX_ARGS 8
#define MAX_LINE 4096

/* What an argument position holds; decides how its text is read. */
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
};

/* Does an argument of this type take the rest of the line? */
static inline bool arg_takes_rest(enum arg_type t)
{
	return t == ARG_TEXT || t == ARG_MAPOPTS;
}

struct arg {
	unsigned long num; /* ARG_MAPOPTS: the MAP_* flags */
	char *str;	   /* ARG_PATH, ARG_TEXT and other words: the text */
	long fd;	   /* ARG_MAPOPTS: file FD, or -1 */
	unsigned long off; /* ARG_MAPOPTS: the file offset */
	bool placed;	   /* ARG_MAPOPTS: fixed, noreplace or hint given */
};

struct command;
struct parsed {
	const struct command *cmd;
	char text[MAX_LINE + 1]; /* the call as written, result stripped */
	int argc;
	struct arg argv[MAX_ARGS];
	/* After PARSE_ERROR: the bytes of the line at fault, if known. */
	size_t err_off, err_len;
};

enum parse_result {
	PARSE_OK,    /* a command to run */
	PARSE_EMPTY, /* blank or comment: nothing to do */
	PARSE_ERROR, /* malformed: err says why */
	PARSE_SKIP,  /* a non-memory system call: err is the warning */
};

enum parse_result parse_line(const char *line, size_t len, struct parsed *p,
			     char *err, size_t errlen);
void parsed_free(struct parsed *p);

/* Constants. */
struct constant {
	const char *name;
	unsigned long value;
};
const struct constant *constants_for(enum arg_type t, size_t *n);
/* Parse "A|B|0x10" of type t.  0 on success, else -1 with err set. */
int parse_constants(enum arg_type t, const char *s, unsigned long *out,
		    char *err, size_t errlen);
/* "PROT_READ|PROT_WRITE": the names for v, for printing. */
void format_constants(enum arg_type t, unsigned long v, char *buf, size_t len);
/* The closest of names[] to s, if close enough to suggest, else NULL. */
const char *closest_name(const char *s, const char *const *names, size_t n);
/* Parse a number: decimal, 0x hex, leading '-', k/M/G/p when sizes. */
int parse_number(const char *s, bool sizes, bool octal, unsigned long *out,
		 char *err, size_t errlen);

/* The words `map`'s options accept (anon, shared, file, ...), NULL-ended. */
extern const char *const map_option_words[];

extern const char *const syscall_names[];
extern const int syscall_names_count;

#endif
