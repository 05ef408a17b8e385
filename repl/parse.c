/*
 * parse.c - reading a line into a struct parsed.
 *
 * One function decides what a line is (blank, comment, call, command, a
 * strace line to skip) and each argument is read by its declared type
 * (args.c).  Errors name the command and the argument position, and carry
 * the nearest name when one is misspelt.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "command.h"
#include "parse.h"

/* isspace() in the C locale, without the call. */
static inline bool is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static void trim(const char **s, const char **e)
{
	while (*s < *e && is_space(**s))
		(*s)++;
	while (*e > *s && is_space((*e)[-1]))
		(*e)--;
}

/* The characters split_call_args() stops at; the rest it steps over. */
static const bool call_special[256] = {
	['"'] = true, ['('] = true, ['['] = true, ['{'] = true,
	[']'] = true, ['}'] = true, [')'] = true, [','] = true,
};

/*
 * The closing quote of the string that opens at p (a '"'), stepping over
 * backslash escapes; e if the line ends first.
 */
static const char *string_end(const char *p, const char *e)
{
	for (p++; p < e && *p != '"'; p++)
		if (*p == '\\' && p + 1 < e)
			p++;
	return p;
}

/*
 * Split "a, b, c)" at top-level commas up to the closing parenthesis.
 * Returns the position after ')' or NULL with err set.
 */
static const char *split_call_args(const char *s, const char *e,
				   const char **starts, const char **ends,
				   int *argc, char *err, size_t errlen)
{
	const char *p = s, *tok = s;
	int depth = 0;

	*argc = 0;
	for (; p < e; p++) {
		if (!call_special[(unsigned char)*p])
			continue;
		if (*p == '"') {
			p = string_end(p, e);
			if (p == e) {
				snprintf(err, errlen, "unbalanced quotes");
				return NULL;
			}
		} else if (*p == '(' || *p == '[' || *p == '{') {
			depth++;
		} else if ((*p == ']' || *p == '}') && depth) {
			depth--;
		} else if (*p == ')' && depth) {
			depth--;
		} else if (!depth && (*p == ',' || *p == ')')) {
			if (*argc == MAX_ARGS) {
				snprintf(err, errlen, "too many arguments");
				return NULL;
			}
			starts[*argc] = tok;
			ends[*argc] = p;
			trim(&starts[*argc], &ends[*argc]);
			/* "f()" has no arguments, not one empty one. */
			if (!(*p == ')' && *argc == 0 && starts[0] == ends[0]))
				(*argc)++;
			tok = p + 1;
			if (*p == ')')
				return p + 1;
		}
	}
	snprintf(err, errlen, "missing ')'");
	return NULL;
}

/*
 * A call's arguments up to the closing ')', each read as it is reached by
 * arg_quick(), with no split and no second pass: true with p's arguments
 * set and *after past the ')'.  False for anything arg_quick() does not
 * take, or the wrong number of arguments: then split_call_args() and
 * convert_args() read the line again, and make the error if there is one.
 */
static bool quick_call_args(const struct command *cmd, const char *s,
			    const char *e, struct parsed *p,
			    const char **after)
{
	int argc = 0;

	while (s < e && is_space(*s))
		s++;
	if (s < e && *s == ')')
		goto close;
	for (;;) {
		if (argc == cmd->max_args)
			return false;
		s = arg_quick(cmd->args[argc], s, e, &p->argv[argc]);
		if (!s)
			return false;
		argc++;
		while (s < e && is_space(*s))
			s++;
		if (s < e && *s == ')')
			break;
		if (s == e || *s != ',')
			return false;
		for (s++; s < e && is_space(*s);)
			s++;
	}
close:
	if (argc < cmd->min_args)
		return false;
	p->argc = argc;
	*after = s + 1;
	return true;
}

/*
 * Split word syntax at spaces, keeping "quoted strings" whole.  Argument
 * rest_at (if not -1) takes the rest of the line, spaces and all.
 */
static int split_words(const char *s, const char *e, int rest_at,
		       const char **starts, const char **ends, int *argc,
		       char *err, size_t errlen)
{
	*argc = 0;
	while (s < e) {
		while (s < e && is_space(*s))
			s++;
		if (s == e)
			break;
		if (*argc == MAX_ARGS) {
			snprintf(err, errlen, "too many arguments");
			return -1;
		}
		starts[*argc] = s;
		if (*argc == rest_at) {
			ends[(*argc)++] = e;
			break;
		}
		if (*s == '"') {
			s = string_end(s, e);
			if (s == e) {
				snprintf(err, errlen, "unbalanced quotes");
				return -1;
			}
			s++;
		} else {
			while (s < e && !is_space(*s))
				s++;
		}
		ends[(*argc)++] = s;
	}
	return 0;
}

/* A trailing strace result " = ..." at top level, or NULL. */
static const char *find_result(const char *s, const char *e)
{
	bool quoted = false;

	for (const char *p = s; p + 1 < e; p++) {
		if (quoted && *p == '\\')
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == '=' && p > s && is_space(p[-1]))
			return p;
	}
	return NULL;
}

static bool is_syscall_name(const char *name)
{
	for (int i = 0; i < syscall_names_count; i++)
		if (strcmp(syscall_names[i], name) == 0)
			return true;
	return false;
}

/* The call as written: a line is never longer than text holds. */
static void set_text(struct parsed *p, const char *s, const char *e)
{
	size_t n = (size_t)(e - s);

	if (n > MAX_LINE)
		n = MAX_LINE;
	memcpy(p->text, s, n);
	p->text[n] = '\0';
}

void parsed_free(struct parsed *p)
{
	/* Only the first argc arguments are ever converted (convert_args()
	 * counts one before it converts it, so a failed one is freed too). */
	for (int i = 0; i < p->argc; i++) {
		if (p->argv[i].str) {
			free(p->argv[i].str);
			p->argv[i].str = NULL;
		}
	}
	p->argc = 0;
}

/* At most 40 characters of [s, e), for quoting the line in an error. */
static int clip40(const char *s, const char *e)
{
	return e - s < 40 ? (int)(e - s) : 40;
}

static enum parse_result fail(char *err, size_t errlen, const char *name,
			      const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static enum parse_result fail(char *err, size_t errlen, const char *name,
			      const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (name)
		snprintf(err, errlen, "%s: %s", name, msg);
	else
		snprintf(err, errlen, "%s", msg);
	return PARSE_ERROR;
}

static enum parse_result convert_args(const struct command *cmd,
				      const char *line, const char **starts,
				      const char **ends, int argc,
				      struct parsed *p, char *err,
				      size_t errlen)
{
	char msg[400];

	if (argc < cmd->min_args || argc > cmd->max_args) {
		if (cmd->min_args == cmd->max_args)
			snprintf(msg, sizeof(msg),
				 "expected %d argument%s, got %d (usage: %s)",
				 cmd->min_args, cmd->min_args == 1 ? "" : "s",
				 argc, cmd->usage);
		else
			snprintf(msg, sizeof(msg),
				 "expected %d to %d arguments, got %d "
				 "(usage: %s)",
				 cmd->min_args, cmd->max_args, argc,
				 cmd->usage);
		return fail(err, errlen, cmd->name, "%s", msg);
	}
	for (int i = 0; i < argc; i++) {
		enum arg_type t = cmd->args[i];
		struct arg_error ae;

		/* Not an initializer: it would clear msg, a few hundred
		 * bytes, for each argument of each line. */
		ae.msg[0] = '\0';
		ae.suggestion = NULL;
		ae.bad_s = starts[i];
		ae.bad_e = ends[i];
		memset(&p->argv[i], 0, sizeof(p->argv[i]));
		p->argc = i + 1;
		if (arg_types[t].convert(t, starts[i], ends[i], &p->argv[i],
					 &ae)) {
			parsed_free(p);
			p->err_off = (size_t)(ae.bad_s - line);
			p->err_len = (size_t)(ae.bad_e - ae.bad_s);
			p->suggestion = ae.suggestion;
			snprintf(err, errlen, "%s: argument %d: %s", cmd->name,
				 i + 1, ae.msg);
			return PARSE_ERROR;
		}
	}
	p->argc = argc;
	return PARSE_OK;
}

enum parse_result parse_line(const char *line, size_t len, struct parsed *p,
			     char *err, size_t errlen)
{
	const char *s = line, *e = line + len, *name_end, *after, *res;
	const char *starts[MAX_ARGS], *ends[MAX_ARGS];
	const struct command *cmd;
	char name[64], why[256];
	bool open_paren, quick;
	int argc;

	/* Not a memset: text alone is a page, and most of it is not used. */
	p->cmd = NULL;
	p->text[0] = '\0';
	p->argc = 0;
	p->err_off = p->err_len = 0;
	p->suggestion = NULL;
	for (int i = 0; i < MAX_ARGS; i++)
		p->argv[i].str = NULL;
	if (memchr(line, '\0', len))
		return fail(err, errlen, NULL, "%s", "NUL byte in line");
	if (len > MAX_LINE)
		return fail(err, errlen, NULL,
			    "line too long (over %s characters)", "4096");
	trim(&s, &e);
	if (s == e || *s == '#')
		return PARSE_EMPTY;
	if ((e - s >= 3 && (!strncmp(s, "---", 3) || !strncmp(s, "+++", 3)))) {
		snprintf(err, errlen, "skipping strace line: %.*s",
			 (int)(e - s > 60 ? 60 : e - s), s);
		set_text(p, s, s + 3);
		return PARSE_SKIP;
	}
	/* Names are words: letters, digits, '_', and '-' within one. */
	for (name_end = s; name_end < e && (isalnum((unsigned char)*name_end) ||
					    *name_end == '_' ||
					    (*name_end == '-' && name_end > s));
	     name_end++)
		;
	if (name_end == s || name_end - s >= (long)sizeof(name))
		return fail(err, errlen, NULL, "not a command: %.*s",
			    clip40(s, e), s);
	memcpy(name, s, (size_t)(name_end - s));
	name[name_end - s] = '\0';
	/* The line need not end in a NUL: what follows the name, or 0. */
	open_paren = name_end < e && *name_end == '(';

	/* Calls in strace syntax must be spelt out; words may be prefixes. */
	cmd = command_find(name, !open_paren, why, sizeof(why));
	/* read(3, ...) in a strace log is the system call, not `read` */
	if (cmd && cmd->syntax != SYN_CALL && open_paren &&
	    is_syscall_name(name))
		cmd = NULL;
	if (!cmd) {
		if (open_paren && is_syscall_name(name)) {
			snprintf(err, errlen, "skipping %s(): not simulated",
				 name);
			set_text(p, s, name_end);
			return PARSE_SKIP;
		}
		p->err_off = (size_t)(s - line);
		p->err_len = (size_t)(name_end - s);
		p->suggestion = command_suggest(name);
		return fail(err, errlen, NULL, "%s", why);
	}
	p->cmd = cmd;
	if (cmd->syntax == SYN_CALL) {
		if (!open_paren)
			return fail(err, errlen, cmd->name,
				    "expected '(' after the name (usage: %s)",
				    cmd->usage);
		quick = quick_call_args(cmd, name_end + 1, e, p, &after);
		if (!quick)
			after = split_call_args(name_end + 1, e, starts, ends,
						&argc, why, sizeof(why));
		if (!after)
			return fail(err, errlen, cmd->name, "%s", why);
		res = after;
		while (res < e && is_space(*res))
			res++;
		if (res < e && *res != '=') {
			p->argc = 0;
			return fail(err, errlen, cmd->name,
				    "unexpected text after ')': %.*s",
				    clip40(res, e), res);
		}
		set_text(p, s, after);
		if (quick)
			return PARSE_OK;
	} else {
		const char *body = name_end;
		int rest_at = -1;

		for (int i = 0; i < cmd->max_args && rest_at < 0; i++)
			if (arg_takes_rest(cmd->args[i]))
				rest_at = i;
		if (body < e && !is_space(*body))
			return fail(err, errlen, NULL, "not a command: %.*s",
				    clip40(s, e), s);
		if (cmd->args[0] != ARG_TEXT) {
			res = find_result(body, e);
			if (res)
				e = res;
			trim(&s, &e);
		}
		set_text(p, s, e);
		while (body < e && is_space(*body))
			body++;
		if (cmd->args[0] == ARG_TEXT) {
			starts[0] = body;
			ends[0] = e;
			argc = 1;
		} else if (split_words(body, e, rest_at, starts, ends, &argc,
				       why, sizeof(why))) {
			return fail(err, errlen, cmd->name, "%s", why);
		}
	}
	return convert_args(cmd, line, starts, ends, argc, p, err, errlen);
}
