/*
 * strace.c - one strace log line, read without allocating: its prefix,
 * its kind, its recorded result, and the -y fd annotations.
 *
 * The shapes, as strace 6 writes them (each prefix is optional, in this
 * order):
 *   4810  10:23:45.123456 mmap(NULL, 8192, ...) = 0x7f9ba8c5c000 <0.000012>
 *   [pid  4811] 1700000000.123456 vfork( <unfinished ...>
 *   4810       0.000123 <... vfork resumed>) = 4811
 *   4811  +++ exited with 0 +++
 *   4810  --- SIGCHLD {si_signo=SIGCHLD, ...} ---
 *   strace: Process 4811 attached
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "strace.h"

static const char *skip_spaces(const char *s, const char *e)
{
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

static bool is_ident(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* A pid column: digits, then at least one space. */
static const char *pid_column(const char *s, const char *e, long *pid)
{
	const char *p = s;
	long v = 0;

	while (p < e && isdigit((unsigned char)*p) && p - s < 10)
		v = v * 10 + (*p++ - '0');
	if (p == s || (p < e && *p != ' '))
		return NULL;
	*pid = v;
	return skip_spaces(p, e);
}

/* "[pid  4811] " as strace writes it on a terminal. */
static const char *pid_bracket(const char *s, const char *e, long *pid)
{
	const char *p;

	if (e - s < 6 || memcmp(s, "[pid", 4))
		return NULL;
	p = skip_spaces(s + 4, e);
	if (p == e || !isdigit((unsigned char)*p))
		return NULL;
	*pid = 0;
	while (p < e && isdigit((unsigned char)*p) && *pid < 1000000000)
		*pid = *pid * 10 + (*p++ - '0');
	if (p == e || *p != ']')
		return NULL;
	return skip_spaces(p + 1, e);
}

/*
 * A timestamp: -t "10:23:45", -tt "10:23:45.123456", -ttt
 * "1700000000.123456", -r "0.000123" (after any leading spaces).
 */
static const char *timestamp(const char *s, const char *e)
{
	const char *p = s;
	int colons = 0, dots = 0, digits = 0;

	for (; p < e && (isdigit((unsigned char)*p) || *p == ':' || *p == '.');
	     p++) {
		colons += *p == ':';
		dots += *p == '.';
		digits += isdigit((unsigned char)*p) != 0;
	}
	if (p == e || *p != ' ' || !digits || dots > 1 ||
	    !(colons == 2 || (colons == 0 && dots == 1)))
		return NULL;
	return skip_spaces(p, e);
}

/*
 * Where the call that opens at depth `depth` closes: the ')' that brings
 * it to 0, outside strings; NULL if the line ends first.
 */
static const char *call_end(const char *p, const char *e, int depth)
{
	bool quoted = false;

	for (; p < e; p++) {
		if (quoted) {
			if (*p == '\\' && p + 1 < e)
				p++;
			else if (*p == '"')
				quoted = false;
		} else if (*p == '"') {
			quoted = true;
		} else if (*p == '(' || *p == '[' || *p == '{') {
			depth++;
		} else if (*p == ')' || *p == ']' || *p == '}') {
			if (--depth == 0)
				return *p == ')' ? p : NULL;
		}
	}
	return NULL;
}

/* strace's own restart codes (include/linux/errno.h), above errno's. */
static const struct {
	const char *name;
	int value;
} restart_names[] = {
	{"ERESTARTSYS", 512},		{"ERESTARTNOINTR", 513},
	{"ERESTARTNOHAND", 514},	{"ENOIOCTLCMD", 515},
	{"ERESTART_RESTARTBLOCK", 516},
};

int strace_errno(const char *name, size_t len)
{
	for (int i = 1; i < 4096; i++) {
		const char *n = strerrorname_np(i);

		if (n && strlen(n) == len && !memcmp(n, name, len))
			return i;
	}
	for (size_t i = 0; i < sizeof(restart_names) / sizeof(*restart_names);
	     i++)
		if (strlen(restart_names[i].name) == len &&
		    !memcmp(restart_names[i].name, name, len))
			return restart_names[i].value;
	return 0;
}

/* A number as strace prints results: decimal, -decimal or 0x hex. */
static const char *read_number(const char *p, const char *e, long *v)
{
	bool neg = false;
	unsigned long u = 0;
	const char *start;

	if (p < e && *p == '-') {
		neg = true;
		p++;
	}
	if (e - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		for (p += 2, start = p; p < e && isxdigit((unsigned char)*p);
		     p++)
			u = u * 16 +
			    (unsigned long)(isdigit((unsigned char)*p)
						    ? *p - '0'
						    : (*p | 0x20) - 'a' + 10);
	} else {
		for (start = p; p < e && isdigit((unsigned char)*p); p++)
			u = u * 10 + (unsigned long)(*p - '0');
	}
	if (p == start)
		return NULL;
	*v = neg ? -(long)u : (long)u;
	return p;
}

/*
 * The result after " = ": "0x7f..", "3", "-1 ENOMEM (...)", "?",
 * "3</path>", "0 (Timeout)", "? ERESTARTSYS (...)".
 */
static void parse_result(const char *p, const char *e, struct strace_line *sl)
{
	const char *n;
	long v;

	sl->has_result = true;
	if (p < e && *p == '?') {
		sl->result_unknown = true;
		return;
	}
	n = read_number(p, e, &v);
	if (!n) {
		sl->has_result = false;
		return;
	}
	sl->result = v;
	if (n < e && *n == '<') {
		const char *q = n + 1;
		int depth = 1;

		for (; q < e && depth; q++)
			depth += *q == '<' ? 1 : *q == '>' ? -1 : 0;
		sl->result_path = n + 1;
		sl->result_path_end = q - 1;
		for (const char *r = n + 1; r < q - 1; r++)
			if (*r == '<') {
				sl->result_path_end = r;
				break;
			}
	}
	if (v == -1 && n < e && *n == ' ') {
		const char *name = n + 1, *ne = name;
		int err;

		while (ne < e && (isupper((unsigned char)*ne) ||
				  isdigit((unsigned char)*ne) || *ne == '_'))
			ne++;
		err = strace_errno(name, (size_t)(ne - name));
		if (err)
			sl->result = -err;
	}
}

/* From after the call's ')', a result and a -T duration may follow. */
static void tail(const char *close, const char *e, struct strace_line *sl)
{
	const char *p = skip_spaces(close + 1, e);

	sl->body_end = close + 1;
	if (p < e && *p == '=') {
		const char *r = skip_spaces(p + 1, e), *end = e;

		/* " <0.000012>" at the very end is -T's duration. */
		while (end > r && end[-1] == ' ')
			end--;
		if (end > r && end[-1] == '>') {
			const char *lt = end - 1;

			while (lt > r && lt[-1] != '<' && lt[-1] != ' ')
				lt--;
			if (lt > r && lt[-1] == '<' && lt - 1 > r &&
			    lt[-2] == ' ' && (isdigit((unsigned char)*lt)))
				end = lt - 2;
		}
		parse_result(r, end, sl);
	}
}

static bool starts(const char *s, const char *e, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(e - s) >= n && !memcmp(s, word, n);
}

/* "<... NAME resumed>REST) = RESULT" */
static void resumed(const char *s, const char *e, struct strace_line *sl)
{
	const char *p = skip_spaces(s + 4, e), *name = p, *rest, *close;

	while (p < e && is_ident(*p))
		p++;
	sl->name = name;
	sl->name_len = (size_t)(p - name);
	p = skip_spaces(p, e);
	if (p == name || !starts(p, e, "resumed>"))
		return;
	rest = p + 8;
	sl->kind = ST_RESUMED;
	sl->args = rest;
	close = call_end(rest, e, 1);
	sl->args_end = close ? close : e;
	if (close)
		tail(close, e, sl);
}

/* "NAME(ARGS) = RESULT" or "NAME(ARGS <unfinished ...>" */
static void call(const char *s, const char *e, const char *paren,
		 struct strace_line *sl)
{
	static const char unfinished[] = "<unfinished ...>";
	const size_t ul = sizeof(unfinished) - 1;
	const char *close, *end = e;

	sl->name = s;
	sl->name_len = (size_t)(paren - s);
	sl->args = paren + 1;
	while (end > paren && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if ((size_t)(end - paren) > ul && !memcmp(end - ul, unfinished, ul)) {
		sl->kind = ST_UNFINISHED;
		sl->args_end = end - ul;
		/* "wait4(-1,  <unfinished": one space is strace's own. */
		if (sl->args_end > sl->args && sl->args_end[-1] == ' ')
			sl->args_end--;
		sl->body_end = sl->args_end;
		return;
	}
	close = call_end(paren + 1, e, 1);
	if (!close) {
		sl->kind = ST_OTHER;
		return;
	}
	sl->kind = ST_CALL;
	sl->args_end = close;
	tail(close, e, sl);
}

void strace_parse_line(const char *buf, size_t len, struct strace_line *sl)
{
	const char *s = buf, *e = buf + len, *p, *t;

	memset(sl, 0, sizeof(*sl));
	sl->pid = -1;
	while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' '))
		e--;
	s = skip_spaces(s, e);
	p = pid_bracket(s, e, &sl->pid);
	if (!p)
		p = pid_column(s, e, &sl->pid);
	if (p)
		s = p;
	else
		sl->pid = -1;
	t = timestamp(s, e);
	if (t) {
		sl->has_time = true;
		s = t;
	}
	sl->body = s;
	sl->body_end = e;
	if (s == e) {
		sl->kind = ST_BLANK;
	} else if (starts(s, e, "+++ ")) {
		sl->kind = ST_EXIT;
	} else if (starts(s, e, "--- ")) {
		sl->kind = ST_SIGNAL;
	} else if (starts(s, e, "strace: ")) {
		sl->kind = ST_MESSAGE;
	} else if (starts(s, e, "<... ")) {
		sl->kind = ST_OTHER;
		resumed(s, e, sl);
	} else if (is_ident(*s)) {
		for (p = s; p < e && (is_ident(*p) || *p == '-'); p++)
			;
		if (p < e && *p == '(')
			call(s, e, p, sl);
		else
			sl->kind = p == e || *p == ' ' ? ST_WORDS : ST_OTHER;
	} else {
		sl->kind = ST_OTHER;
	}
}

/* "3</path>" at p (just after a digit run that starts a token)? */
static const char *annotation_end(const char *p, const char *e)
{
	int depth = 0;

	if (p >= e || *p != '<')
		return NULL;
	for (; p < e; p++) {
		if (*p == '<')
			depth++;
		else if (*p == '>' && --depth == 0)
			return p + 1;
	}
	return NULL;
}

size_t strace_strip_fds(const char *s, const char *e, char *out, size_t outlen,
			struct strace_fd *fds, int max, int *nfds)
{
	size_t n = 0;
	bool quoted = false;

	*nfds = 0;
	for (const char *p = s; p < e;) {
		const char *ann = NULL;

		/* "3</path>", "AT_FDCWD</cwd>": an annotation after a word */
		if (!quoted && *p == '<' && p > s && is_ident(p[-1]))
			ann = annotation_end(p, e);
		if (ann) {
			const char *w = p;
			long fd = 0;

			while (w > s && isdigit((unsigned char)w[-1]))
				w--;
			if (w < p && (w == s || !is_ident(w[-1]))) {
				for (const char *d = w; d < p && fd < 1L << 30;
				     d++)
					fd = fd * 10 + (*d - '0');
				if (*nfds < max) {
					struct strace_fd *f = &fds[*nfds];

					f->fd = fd;
					f->path = p + 1;
					f->path_end = ann - 1;
					for (const char *q = p + 1; q < ann - 1;
					     q++)
						if (*q == '<') {
							f->path_end = q;
							break;
						}
				}
				(*nfds)++;
			}
			p = ann;
			continue;
		}
		if (quoted && *p == '\\' && p + 1 < e) {
			if (n + 2 >= outlen)
				return (size_t)-1;
			out[n++] = *p++;
			out[n++] = *p++;
			continue;
		}
		if (*p == '"')
			quoted = !quoted;
		if (n + 1 >= outlen)
			return (size_t)-1;
		out[n++] = *p++;
	}
	out[n] = '\0';
	return n;
}
