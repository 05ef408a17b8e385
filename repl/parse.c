/*
 * parse.c - reading a line into a struct parsed.
 *
 * One function decides what a line is (blank, comment, call, command, a
 * strace line to skip) and one converts each argument by its declared type.
 * Errors name the command and the argument position, and suggest the
 * nearest constant when a name is misspelt.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "command.h"
#include "engine.h"
#include "parse.h"

/* ---- constants ---- */

/* The tables are laid out by hand. */
/* clang-format off */
#define C(x) { #x, (unsigned long)(x) }
static const struct constant prot_consts[] = {
	C(PROT_NONE),	   C(PROT_READ),      C(PROT_WRITE),
	C(PROT_EXEC),	   C(PROT_SEM),	      C(PROT_GROWSDOWN),
	C(PROT_GROWSUP),
};
static const struct constant map_consts[] = {
	C(MAP_SHARED),	      C(MAP_PRIVATE),	    C(MAP_SHARED_VALIDATE),
	C(MAP_DROPPABLE),     C(MAP_FIXED),	    C(MAP_ANONYMOUS),
	{ "MAP_ANON", MAP_ANONYMOUS },		    { "MAP_FILE", 0 },
	C(MAP_32BIT),	      C(MAP_GROWSDOWN),	    C(MAP_DENYWRITE),
	C(MAP_EXECUTABLE),    C(MAP_LOCKED),	    C(MAP_NORESERVE),
	C(MAP_POPULATE),      C(MAP_NONBLOCK),	    C(MAP_STACK),
	C(MAP_HUGETLB),	      C(MAP_SYNC),	    C(MAP_FIXED_NOREPLACE),
	C(MAP_UNINITIALIZED),
};
static const struct constant o_consts[] = {
	C(O_RDONLY),	     C(O_WRONLY),	   C(O_RDWR),
	C(O_CREAT),	     C(O_EXCL),		   C(O_TRUNC),
	C(O_APPEND),	     { "O_NOCTTY", 0400 }, { "O_NONBLOCK", 04000 },
	{ "O_DSYNC", 010000 }, { "O_DIRECT", 040000 },
	{ "O_LARGEFILE", 0100000 }, { "O_DIRECTORY", 0200000 },
	{ "O_NOFOLLOW", 0400000 }, { "O_NOATIME", 01000000 },
	{ "O_CLOEXEC", 02000000 }, { "O_SYNC", 04010000 },
	{ "O_PATH", 010000000 },
};
static const struct constant dirfd_consts[] = {
	{ "AT_FDCWD", (unsigned long)AT_FDCWD },
};
#undef C
/* clang-format on */

const struct constant *constants_for(enum arg_type t, size_t *n)
{
	switch (t) {
	case ARG_PROT:
		*n = sizeof(prot_consts) / sizeof(prot_consts[0]);
		return prot_consts;
	case ARG_MAPFLAGS:
		*n = sizeof(map_consts) / sizeof(map_consts[0]);
		return map_consts;
	case ARG_OFLAGS:
		*n = sizeof(o_consts) / sizeof(o_consts[0]);
		return o_consts;
	case ARG_DIRFD:
		*n = 1;
		return dirfd_consts;
	default:
		*n = 0;
		return NULL;
	}
}

/* Levenshtein distance, case-insensitive, for "did you mean". */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[64], cur[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] +
				     (toupper((unsigned char)a[i - 1]) !=
				      toupper((unsigned char)b[j - 1]));
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins)
					   : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof(prev[0]));
	}
	return prev[lb];
}

const char *closest_name(const char *s, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1, limit = strlen(s) / 3 + 1;

	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(s, names[i]);

		if (d < best_d) {
			best_d = d;
			best = names[i];
		}
	}
	return best_d <= limit ? best : NULL;
}

static const char *closest_constant(const char *s, const struct constant *c,
				    size_t n)
{
	const char *names[64];

	for (size_t i = 0; i < n && i < 64; i++)
		names[i] = c[i].name;
	return closest_name(s, names, n < 64 ? n : 64);
}

int parse_number(const char *s, bool sizes, bool octal, unsigned long *out,
		 char *err, size_t errlen)
{
	const char *p = s;
	bool neg = false;
	unsigned long v = 0, base = 10, mult = 1;
	int digits = 0;

	if (*p == '-') {
		neg = true;
		p++;
	}
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	} else if (octal && p[0] == '0' && p[1]) {
		base = 8;
		p++;
	}
	for (; *p; p++, digits++) {
		int d;

		if (isdigit((unsigned char)*p))
			d = *p - '0';
		else if (base == 16 && isxdigit((unsigned char)*p))
			d = tolower((unsigned char)*p) - 'a' + 10;
		else
			break;
		if (d >= (int)base)
			break;
		if (v > (ULONG_MAX - (unsigned long)d) / base) {
			snprintf(err, errlen, "number out of range: %s", s);
			return -1;
		}
		v = v * base + (unsigned long)d;
	}
	if (!digits) {
		snprintf(err, errlen, "not a number: %s", s);
		return -1;
	}
	if (*p && sizes && !p[1]) {
		switch (*p) {
		case 'k':
		case 'K':
			mult = 1UL << 10;
			break;
		case 'm':
		case 'M':
			mult = 1UL << 20;
			break;
		case 'g':
		case 'G':
			mult = 1UL << 30;
			break;
		case 'p':
		case 'P':
			mult = PAGE_SIZE;
			break;
		default:
			mult = 0;
			break;
		}
		if (mult)
			p++;
	}
	if (*p) {
		snprintf(err, errlen, "not a number: %s", s);
		return -1;
	}
	if (mult > 1 && v > ULONG_MAX / mult) {
		snprintf(err, errlen, "number out of range: %s", s);
		return -1;
	}
	v *= mult;
	if (neg) {
		if (v > (unsigned long)LONG_MAX + 1) {
			snprintf(err, errlen, "number out of range: %s", s);
			return -1;
		}
		v = -v;
	}
	*out = v;
	return 0;
}

static const char *type_prefix(enum arg_type t)
{
	switch (t) {
	case ARG_PROT:
		return "PROT_";
	case ARG_MAPFLAGS:
		return "MAP_";
	case ARG_OFLAGS:
		return "O_";
	default:
		return "";
	}
}

int parse_constants(enum arg_type t, const char *s, unsigned long *out,
		    char *err, size_t errlen)
{
	size_t n, len;
	const struct constant *c = constants_for(t, &n);
	char part[128];
	unsigned long v = 0;

	if (!*s) {
		snprintf(err, errlen, "missing value");
		return -1;
	}
	while (*s) {
		const char *bar = strchr(s, '|');
		size_t i;

		len = bar ? (size_t)(bar - s) : strlen(s);
		if (len == 0 || len >= sizeof(part)) {
			snprintf(err, errlen, "bad constant list");
			return -1;
		}
		memcpy(part, s, len);
		part[len] = '\0';
		for (i = 0; i < n; i++)
			if (strcmp(part, c[i].name) == 0)
				break;
		if (i < n) {
			v |= c[i].value;
		} else if (isdigit((unsigned char)part[0]) || part[0] == '-') {
			unsigned long num;

			if (parse_number(part, false, t == ARG_OFLAGS, &num,
					 err, errlen))
				return -1;
			v |= num;
		} else {
			const char *near = closest_constant(part, c, n);

			if (near)
				snprintf(err, errlen,
					 "unknown constant %s (did you mean "
					 "%s?)",
					 part, near);
			else if (*type_prefix(t) &&
				 strncmp(part, type_prefix(t),
					 strlen(type_prefix(t))))
				snprintf(err, errlen,
					 "unknown constant %s (expected %s...)",
					 part, type_prefix(t));
			else
				snprintf(err, errlen, "unknown constant %s",
					 part);
			return -1;
		}
		s += len;
		if (*s == '|')
			s++;
		if (bar && !*s) {
			snprintf(err, errlen, "bad constant list: trailing |");
			return -1;
		}
	}
	*out = v;
	return 0;
}

void format_constants(enum arg_type t, unsigned long v, char *buf, size_t len)
{
	size_t n, used = 0;
	const struct constant *c = constants_for(t, &n);
	unsigned long left = v;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (!c[i].value || (c[i].value & left) != c[i].value)
			continue;
		/* MAP_SHARED_VALIDATE covers SHARED|PRIVATE: prefer it. */
		used += snprintf(buf + used, used < len ? len - used : 0,
				 "%s%s", used ? "|" : "", c[i].name);
		left &= ~c[i].value;
	}
	if (left || !used) {
		if (!used && !left && n && c[0].value == 0)
			snprintf(buf, len, "%s", c[0].name);
		else
			snprintf(buf + used, used < len ? len - used : 0,
				 "%s%#lx", used ? "|" : "", left);
	}
}

/* ---- lines ---- */

static void trim(const char **s, const char **e)
{
	while (*s < *e && isspace((unsigned char)**s))
		(*s)++;
	while (*e > *s && isspace((unsigned char)(*e)[-1]))
		(*e)--;
}

/*
 * One escape as strace writes them: \n \t \v \f \r \\ \" \xHH and
 * octal \NNN.  *s is at the backslash and is left on the escape's last
 * character.  Returns the character, or -1 (with *s on the unknown one).
 */
static int unescape(const char **s, const char *e)
{
	const char *p = *s + 1;
	int c = 0, n;

	*s = p;
	switch (*p) {
	case 'n':
		return '\n';
	case 't':
		return '\t';
	case 'v':
		return '\v';
	case 'f':
		return '\f';
	case 'r':
		return '\r';
	case '\\':
		return '\\';
	case '"':
		return '"';
	case 'x':
		for (n = 0; n < 2 && p + 1 < e && isxdigit((unsigned char)p[1]);
		     n++, p++)
			c = c * 16 +
			    (isdigit((unsigned char)p[1])
				     ? p[1] - '0'
				     : tolower((unsigned char)p[1]) - 'a' + 10);
		if (!n)
			return -1;
		*s = p;
		return c;
	default:
		for (n = 0; n < 3 && p < e && *p >= '0' && *p <= '7'; n++, p++)
			c = c * 8 + (*p - '0');
		if (!n || c > 255)
			return -1;
		*s = p - 1;
		return c;
	}
}

/* Read a "quoted string" with C escapes into out. */
static int parse_string(const char *s, const char *e, char **out, char *err,
			size_t errlen)
{
	char *buf, *o;

	if (e - s < 2 || *s != '"' || e[-1] != '"') {
		snprintf(err, errlen, "expected a \"quoted string\"");
		return -1;
	}
	buf = o = malloc((size_t)(e - s));
	if (!buf)
		abort();
	for (s++, e--; s < e; s++) {
		if (*s == '\\' && s + 1 < e) {
			int c = unescape(&s, e);

			if (c < 0) {
				free(buf);
				snprintf(err, errlen,
					 "unknown escape \\%c in string", *s);
				return -1;
			}
			*o++ = (char)c;
		} else if (*s == '"') {
			free(buf);
			snprintf(err, errlen, "unbalanced quotes");
			return -1;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	if (strlen(buf) != (size_t)(o - buf)) {
		free(buf);
		snprintf(err, errlen, "NUL byte in string");
		return -1;
	}
	*out = buf;
	return 0;
}

/* ---- word syntax: protections and map options ---- */

/*
 * "rw", "r-x", "rwx", "none": the protection as maps prints it, in any
 * order.  Anything that looks like a constant goes to parse_constants, so
 * that PROT_READ|PROT_WRITE (and its "did you mean") works here too.
 */
static int parse_prot_word(const char *tok, unsigned long *out, char *err,
			   size_t errlen)
{
	unsigned long v = 0;

	if (!strcmp(tok, "none") || !strcmp(tok, "-") || !strcmp(tok, "---")) {
		*out = PROT_NONE;
		return 0;
	}
	if (!strncmp(tok, "PROT_", 5) || isdigit((unsigned char)*tok))
		return parse_constants(ARG_PROT, tok, out, err, errlen);
	for (const char *c = tok; *c; c++) {
		unsigned long bit = *c == 'r'	? PROT_READ
				    : *c == 'w' ? PROT_WRITE
				    : *c == 'x' ? PROT_EXEC
						: 0;

		if (*c == '-' && c - tok < 3)
			continue;
		if (!bit || (v & bit) || c - tok >= 3) {
			snprintf(err, errlen,
				 "unknown protection %.40s (use r, w and x "
				 "together, as in rw or r-x, or none)",
				 tok);
			return -1;
		}
		v |= bit;
	}
	*out = v;
	return 0;
}

const char *const map_option_words[] = {
	"anon",	     "shared", "private",  "file",	"fixed",
	"noreplace", "hint",   "populate", "locked",	"noreserve",
	"growsdown", "stack",  "hugetlb",  "droppable", NULL,
};

/* "populate" is MAP_POPULATE: any MAP_ flag, in lower case, is a word. */
static bool map_flag_word(const char *w, unsigned long *flag)
{
	char name[64] = "MAP_";
	size_t n, i;
	const struct constant *c = constants_for(ARG_MAPFLAGS, &n);

	if (strlen(w) > sizeof(name) - 5)
		return false;
	for (i = 0; w[i]; i++)
		name[4 + i] = (char)toupper((unsigned char)w[i]);
	name[4 + i] = '\0';
	for (i = 0; i < n; i++) {
		if (!strcmp(c[i].name, name)) {
			*flag = c[i].value;
			return true;
		}
	}
	return false;
}

struct map_opts_state {
	int type; /* 0, MAP_PRIVATE or MAP_SHARED */
	bool anon, file;
};

/* One word of map's options; *next is the word after it, for "file". */
static int map_opt_word(const char *w, const char **next, struct arg *a,
			struct map_opts_state *st, char *err, size_t errlen)
{
	unsigned long flag;

	if (!strcmp(w, "anon") || !strcmp(w, "anonymous")) {
		st->anon = true;
	} else if (!strcmp(w, "private") || !strcmp(w, "shared")) {
		int type = w[0] == 'p' ? MAP_PRIVATE : MAP_SHARED;

		if (st->type && st->type != type) {
			snprintf(err, errlen,
				 "shared and private exclude "
				 "each other");
			return -1;
		}
		st->type = type;
	} else if (!strcmp(w, "fixed") || !strcmp(w, "noreplace") ||
		   !strcmp(w, "hint")) {
		if (a->placed) {
			snprintf(err, errlen,
				 "give one of fixed, noreplace "
				 "and hint");
			return -1;
		}
		a->placed = true;
		a->num |= w[0] == 'f'	? MAP_FIXED
			  : w[0] == 'n' ? MAP_FIXED_NOREPLACE
					: 0;
	} else if (!strcmp(w, "file")) {
		unsigned long fd;

		if (!next[0] ||
		    parse_number(next[0], false, false, &fd, err, errlen)) {
			snprintf(err, errlen,
				 "file needs an fd: file FD "
				 "[OFFSET]");
			return -1;
		}
		st->file = true;
		a->fd = (long)fd;
		if (next[1] && isdigit((unsigned char)next[1][0])) {
			if (parse_number(next[1], true, false, &a->off, err,
					 errlen))
				return -1;
			return 2;
		}
		return 1;
	} else if (!strncmp(w, "MAP_", 4)) {
		if (parse_constants(ARG_MAPFLAGS, w, &flag, err, errlen))
			return -1;
		a->num |= flag;
	} else if (map_flag_word(w, &flag)) {
		a->num |= flag;
	} else {
		const char *near = closest_name(
			w, map_option_words,
			sizeof(map_option_words) / sizeof(char *) - 1);

		snprintf(err, errlen, "unknown option %.40s (%s%s%s)", w,
			 near ? "did you mean "
			      : "expected anon, shared, "
				"file FD [OFFSET], fixed, "
				"noreplace, hint",
			 near ? near : "", near ? "?" : "");
		return -1;
	}
	return 0;
}

/*
 * map's options, the rest of the line: "shared file 3 4k populate".
 * MAP_PRIVATE|MAP_ANONYMOUS unless said otherwise; the caller decides
 * MAP_FIXED from the address when no placement word was given.
 */
static int parse_map_opts(char *text, struct arg *a, const char **bad,
			  char *err, size_t errlen)
{
	const char *words[MAX_ARGS + 2] = {NULL};
	struct map_opts_state st = {0, false, false};
	char *save = NULL;
	int n = 0;

	a->fd = -1;
	for (char *w = strtok_r(text, " \t", &save); w;
	     w = strtok_r(NULL, " \t", &save)) {
		if (n == MAX_ARGS) {
			snprintf(err, errlen, "too many options");
			return -1;
		}
		words[n++] = w;
	}
	for (int i = 0; i < n; i++) {
		int used = map_opt_word(words[i], words + i + 1, a, &st, err,
					errlen);

		if (used < 0) {
			*bad = words[i];
			return -1;
		}
		i += used;
	}
	if (st.anon && st.file) {
		snprintf(err, errlen, "anon and file exclude each other");
		return -1;
	}
	if (!(a->num & MAP_TYPE))
		a->num |= st.type ? (unsigned long)st.type : MAP_PRIVATE;
	if (!st.file)
		a->num |= MAP_ANONYMOUS;
	return 0;
}

/* In "PROT_READ|PROT_RAED", point at the part that does not parse. */
static void narrow_to_bad_constant(enum arg_type t, const char *s,
				   const char *e, const char **bad_s,
				   const char **bad_e)
{
	char part[128], err[200];
	unsigned long v;

	while (s < e) {
		const char *bar = memchr(s, '|', (size_t)(e - s));
		size_t n = (size_t)((bar ? bar : e) - s);

		snprintf(part, sizeof(part), "%.*s", (int)n, s);
		if (n && (n >= sizeof(part) ||
			  parse_constants(t, part, &v, err, sizeof(err)))) {
			*bad_s = s;
			*bad_e = s + n;
			return;
		}
		s += n + (bar != NULL);
	}
}

/* A bare word, or a "quoted string" (source "my file.vml"). */
static int parse_word(const char *s, const char *e, char **out, char *err,
		      size_t errlen)
{
	if (*s == '"')
		return parse_string(s, e, out, err, errlen);
	*out = strndup(s, (size_t)(e - s));
	if (!*out)
		abort();
	return 0;
}

/*
 * Convert one argument's text by its declared type.  On error, *bad_s and
 * *bad_e may be narrowed to the part of the argument at fault.
 */
static int convert_arg(enum arg_type t, const char *s, const char *e,
		       struct arg *a, const char **bad_s, const char **bad_e,
		       char *err, size_t errlen)
{
	char tok[MAX_LINE + 1];
	size_t n = (size_t)(e - s);

	memset(a, 0, sizeof(*a));
	if (t == ARG_PATH)
		return parse_string(s, e, &a->str, err, errlen);
	if (t == ARG_TEXT) {
		a->str = strndup(s, n);
		if (!a->str)
			abort();
		return 0;
	}
	if (n && (t == ARG_COMMAND || t == ARG_FILE || t == ARG_OPTION ||
		  t == ARG_VALUE))
		return parse_word(s, e, &a->str, err, errlen);
	if (t == ARG_MAPOPTS) {
		const char *bad = NULL;
		int ret;

		memcpy(tok, s, n);
		tok[n] = '\0';
		ret = parse_map_opts(tok, a, &bad, err, errlen);
		if (ret && bad) {
			*bad_s = s + (bad - tok);
			*bad_e = *bad_s + strlen(bad);
		}
		return ret;
	}
	memcpy(tok, s, n);
	tok[n] = '\0';
	if (!n) {
		snprintf(err, errlen, "missing value");
		return -1;
	}
	switch (t) {
	case ARG_ADDR:
		if (strcmp(tok, "NULL") == 0) {
			a->num = 0;
			return 0;
		}
		return parse_number(tok, true, false, &a->num, err, errlen);
	case ARG_LEN:
		return parse_number(tok, true, false, &a->num, err, errlen);
	case ARG_FD:
	case ARG_OFF:
	case ARG_INT:
	case ARG_PID:
		return parse_number(tok, t == ARG_OFF, false, &a->num, err,
				    errlen);
	case ARG_PROTWORD:
		return parse_prot_word(tok, &a->num, err, errlen);
	case ARG_MODE:
		return parse_number(tok, false, true, &a->num, err, errlen);
	case ARG_PROT:
	case ARG_MAPFLAGS:
	case ARG_OFLAGS:
	case ARG_DIRFD:
		if (parse_constants(t, tok, &a->num, err, errlen) == 0)
			return 0;
		narrow_to_bad_constant(t, s, e, bad_s, bad_e);
		return -1;
	default:
		snprintf(err, errlen, "unexpected argument");
		return -1;
	}
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
	bool quoted = false;
	int depth = 0;

	*argc = 0;
	for (; p < e; p++) {
		if (quoted) {
			if (*p == '\\' && p + 1 < e)
				p++;
			else if (*p == '"')
				quoted = false;
			continue;
		}
		if (*p == '"') {
			quoted = true;
		} else if (*p == '(' || *p == '[' || *p == '{') {
			depth++;
		} else if ((*p == ']' || *p == '}') && depth) {
			depth--;
		} else if (*p == ')' && depth) {
			depth--;
		} else if (*p == ',' || *p == ')') {
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
	snprintf(err, errlen, quoted ? "unbalanced quotes" : "missing ')'");
	return NULL;
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
		while (s < e && isspace((unsigned char)*s))
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
			for (s++; s < e && *s != '"'; s++)
				if (*s == '\\' && s + 1 < e)
					s++;
			if (s == e) {
				snprintf(err, errlen, "unbalanced quotes");
				return -1;
			}
			s++;
		} else {
			while (s < e && !isspace((unsigned char)*s))
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
		else if (!quoted && *p == '=' && p > s &&
			 isspace((unsigned char)p[-1]))
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

void parsed_free(struct parsed *p)
{
	for (int i = 0; i < MAX_ARGS; i++) {
		free(p->argv[i].str);
		p->argv[i].str = NULL;
	}
	p->argc = 0;
}

static enum parse_result fail(char *err, size_t errlen, const char *name,
			      const char *fmt, const char *what)
{
	char msg[512];

	snprintf(msg, sizeof(msg), fmt, what);
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
		const char *bad_s = starts[i], *bad_e = ends[i];

		if (convert_arg(cmd->args[i], starts[i], ends[i], &p->argv[i],
				&bad_s, &bad_e, msg, sizeof(msg))) {
			parsed_free(p);
			p->err_off = (size_t)(bad_s - line);
			p->err_len = (size_t)(bad_e - bad_s);
			snprintf(err, errlen, "%s: argument %d: %s", cmd->name,
				 i + 1, msg);
			return PARSE_ERROR;
		}
		p->argc = i + 1;
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
	int argc;

	memset(p, 0, sizeof(*p));
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
		return PARSE_SKIP;
	}
	for (name_end = s; name_end < e && (isalnum((unsigned char)*name_end) ||
					    *name_end == '_');
	     name_end++)
		;
	if (name_end == s || name_end - s >= (long)sizeof(name))
		return fail(err, errlen, NULL, "not a command: %.40s", s);
	memcpy(name, s, (size_t)(name_end - s));
	name[name_end - s] = '\0';

	/* Calls in strace syntax must be spelt out; words may be prefixes. */
	cmd = command_find(name, *name_end != '(', why, sizeof(why));
	if (!cmd) {
		if (*name_end == '(' && is_syscall_name(name)) {
			snprintf(err, errlen, "skipping %s(): not simulated",
				 name);
			return PARSE_SKIP;
		}
		p->err_off = (size_t)(s - line);
		p->err_len = (size_t)(name_end - s);
		return fail(err, errlen, NULL, "%s", why);
	}
	p->cmd = cmd;
	if (cmd->syntax == SYN_CALL) {
		if (*name_end != '(')
			return fail(err, errlen, cmd->name,
				    "expected '(' after the name (usage: %s)",
				    cmd->usage);
		after = split_call_args(name_end + 1, e, starts, ends, &argc,
					why, sizeof(why));
		if (!after)
			return fail(err, errlen, cmd->name, "%s", why);
		res = after;
		while (res < e && isspace((unsigned char)*res))
			res++;
		if (res < e && *res != '=')
			return fail(err, errlen, cmd->name,
				    "unexpected text after ')': %.40s", res);
		snprintf(p->text, sizeof(p->text), "%.*s", (int)(after - s), s);
	} else {
		const char *body = name_end;
		int rest_at = -1;

		for (int i = 0; i < cmd->max_args && rest_at < 0; i++)
			if (arg_takes_rest(cmd->args[i]))
				rest_at = i;
		if (body < e && !isspace((unsigned char)*body))
			return fail(err, errlen, NULL, "not a command: %.40s",
				    s);
		if (cmd->args[0] != ARG_TEXT) {
			res = find_result(body, e);
			if (res)
				e = res;
			trim(&s, &e);
		}
		snprintf(p->text, sizeof(p->text), "%.*s", (int)(e - s), s);
		while (body < e && isspace((unsigned char)*body))
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
