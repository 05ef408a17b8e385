/*
 * args.c - the argument types: their constants, how each reads its text,
 * and the table that ties a type to its parser, its Tab candidates and
 * its help.  Errors name what is wrong and, for a misspelt constant or
 * option, the name it was probably meant to be.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"
#include "engine.h"

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
static const struct constant mremap_consts[] = {
	C(MREMAP_MAYMOVE),   C(MREMAP_FIXED),	  C(MREMAP_DONTUNMAP),
};
/* include/uapi/asm-generic/mman-common.h */
static const struct constant madv_consts[] = {
	{ "MADV_NORMAL", 0 },	    { "MADV_RANDOM", 1 },
	{ "MADV_SEQUENTIAL", 2 },   { "MADV_WILLNEED", 3 },
	{ "MADV_DONTNEED", 4 },	    { "MADV_FREE", 8 },
	{ "MADV_REMOVE", 9 },	    { "MADV_DONTFORK", 10 },
	{ "MADV_DOFORK", 11 },	    { "MADV_MERGEABLE", 12 },
	{ "MADV_UNMERGEABLE", 13 }, { "MADV_HUGEPAGE", 14 },
	{ "MADV_NOHUGEPAGE", 15 },  { "MADV_DONTDUMP", 16 },
	{ "MADV_DODUMP", 17 },	    { "MADV_WIPEONFORK", 18 },
	{ "MADV_KEEPONFORK", 19 },  { "MADV_COLD", 20 },
	{ "MADV_PAGEOUT", 21 },	    { "MADV_POPULATE_READ", 22 },
	{ "MADV_POPULATE_WRITE", 23 }, { "MADV_DONTNEED_LOCKED", 24 },
	{ "MADV_COLLAPSE", 25 },    { "MADV_HWPOISON", 100 },
	{ "MADV_SOFT_OFFLINE", 101 }, { "MADV_GUARD_INSTALL", 102 },
	{ "MADV_GUARD_REMOVE", 103 },
};
static const struct constant mlock_consts[] = {
	{ "MLOCK_ONFAULT", 1 },
};
static const struct constant mcl_consts[] = {
	{ "MCL_CURRENT", 1 }, { "MCL_FUTURE", 2 }, { "MCL_ONFAULT", 4 },
};
/* include/uapi/linux/prctl.h */
static const struct constant prctl_consts[] = {
	{ "PR_SET_VMA", 0x53564d41 },
};
static const struct constant prctl_arg_consts[] = {
	{ "PR_SET_VMA_ANON_NAME", 0 },
};
static const struct constant dirfd_consts[] = {
	{ "AT_FDCWD", (unsigned long)AT_FDCWD },
};
#undef C
/* clang-format on */

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

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

static const char *closest_constant(const char *s, enum arg_type t)
{
	const struct arg_type_info *ti = &arg_types[t];
	const char *names[64];
	size_t n = ti->nconsts < 64 ? ti->nconsts : 64;

	for (size_t i = 0; i < n; i++)
		names[i] = ti->consts[i].name;
	return closest_name(s, names, n);
}

/* One more than each character's value as a digit; 0 if it is none. */
#define D10(x) [x] = x - '0' + 1
#define D16(x, v) [x] = v + 1, [x - 'a' + 'A'] = v + 1
static const unsigned char digit_value[256] = {
	D10('0'),     D10('1'),	    D10('2'),	  D10('3'),
	D10('4'),     D10('5'),	    D10('6'),	  D10('7'),
	D10('8'),     D10('9'),	    D16('a', 10), D16('b', 11),
	D16('c', 12), D16('d', 13), D16('e', 14), D16('f', 15),
};
#undef D10
#undef D16

/*
 * A number's sign and base: steps *p over a leading '-' (setting *neg)
 * and "0x" (16), or with octal a leading 0 (8); else 10.
 */
static inline unsigned long number_prefix(const char **p, const char *e,
					  bool octal, bool *neg)
{
	const char *s = *p;
	unsigned long base = 10;

	*neg = s < e && *s == '-';
	s += *neg;
	if (e - s >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (octal && e - s >= 2 && s[0] == '0') {
		base = 8;
		s++;
	}
	*p = s;
	return base;
}

/*
 * The digits at *p in base (8, 10 or 16), up to the first that is not
 * one, with no overflow check: for callers that know there are too few
 * to overflow.  Each base has its own loop, so that a digit costs a
 * shift or a multiply by a constant, not a multiply by a variable.
 */
static inline unsigned long digits_unchecked(const char **p, const char *e,
					     unsigned long base)
{
	const char *s = *p;
	unsigned long v = 0;
	unsigned d;

	/* Not a digit: 0 - 1 wraps, past any base. */
#define DIGITS(step)                                                      \
	for (; s < e && (d = digit_value[(unsigned char)*s] - 1u) < base; s++) \
		v = step;
	if (base == 16)
		DIGITS(v << 4 | d)
	else if (base == 10)
		DIGITS(v * 10 + d)
	else
		DIGITS(v * base + d)
#undef DIGITS
	*p = s;
	return v;
}

/*
 * [s, e) as a number: decimal, 0x hex, octal with a leading 0 (if octal),
 * a leading '-', and with sizes a k, M, G or p suffix.  0, -1 if it is
 * not a number, -2 if it is out of range.
 */
static int number_of(const char *s, const char *e, bool sizes, bool octal,
		     unsigned long *out)
{
	const char *p = s;
	bool neg = false;
	unsigned long v = 0, base = number_prefix(&p, e, octal, &neg), mult = 1;
	const char *digits;

	digits = p;
	/* Too few digits to overflow (16^15 and 10^19 are below 2^64, and
	 * 8^19 too): no checks. */
	if (e - p <= (base == 16 ? 15 : 19))
		v = digits_unchecked(&p, e, base);
	for (; p < e; p++) {
		/* Not a digit: 0 - 1 wraps, past any base. */
		unsigned d = digit_value[(unsigned char)*p] - 1u;

		if (d >= base)
			break;
		/* Overflow checks, not a division per digit. */
		if (__builtin_mul_overflow(v, base, &v) ||
		    __builtin_add_overflow(v, d, &v))
			return -2;
	}
	if (p == digits)
		return -1;
	if (sizes && e - p == 1) {
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
	if (p != e)
		return -1;
	if (mult > 1 && v > ULONG_MAX / mult)
		return -2;
	v *= mult;
	if (neg) {
		if (v > (unsigned long)LONG_MAX + 1)
			return -2;
		v = -v;
	}
	*out = v;
	return 0;
}

int parse_number(const char *s, bool sizes, bool octal, unsigned long *out,
		 char *err, size_t errlen)
{
	int r = number_of(s, s + strlen(s), sizes, octal, out);

	if (r == -1)
		snprintf(err, errlen, "not a number: %s", s);
	else if (r == -2)
		snprintf(err, errlen, "number out of range: %s", s);
	return r ? -1 : 0;
}

/*
 * The constants of each type by hash of their names, made at the first
 * lookup: a script names a constant or two on most lines.
 */
#define CONST_SLOTS 64 /* a power of two, over twice any table */

#define FNV_BASIS 2166136261u /* FNV-1a */
#define FNV_PRIME 16777619u

static unsigned const_hash(const char *s, size_t len)
{
	unsigned h = FNV_BASIS;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * FNV_PRIME;
	return h;
}

/* The constant of type t named [s, s + len), whose const_hash() is h. */
static const struct constant *constant_hashed(enum arg_type t, unsigned h,
					      const char *s, size_t len)
{
	static unsigned char slots[ARG__COUNT][CONST_SLOTS]; /* 1 + index */
	static bool made[ARG__COUNT];
	const struct arg_type_info *ti = &arg_types[t];
	unsigned char *sl = slots[t];

	if (!made[t]) {
		for (size_t i = 0; i < ti->nconsts; i++) {
			const char *name = ti->consts[i].name;
			unsigned k = const_hash(name, strlen(name));

			while (sl[k & (CONST_SLOTS - 1)])
				k++;
			sl[k & (CONST_SLOTS - 1)] = (unsigned char)(i + 1);
		}
		made[t] = true;
	}
	for (; sl[h & (CONST_SLOTS - 1)]; h++) {
		const struct constant *c =
			&ti->consts[sl[h & (CONST_SLOTS - 1)] - 1];

		if (!strncmp(c->name, s, len) && !c->name[len])
			return c;
	}
	return NULL;
}

static const struct constant *constant_named(enum arg_type t, const char *s,
					     size_t len)
{
	return constant_hashed(t, const_hash(s, len), s, len);
}

/* [s, e) as "A|B|0x10" of type t: the work of parse_constants(). */
static int constants_of(enum arg_type t, const char *s, const char *e,
			unsigned long *out, char *err, size_t errlen,
			const char **suggest)
{
	const struct arg_type_info *ti = &arg_types[t];
	const char *prefix = ti->prefix ? ti->prefix : "";
	char part[128];
	unsigned long v = 0;

	if (s == e) {
		snprintf(err, errlen, "missing value");
		return -1;
	}
	while (s < e) {
		const char *bar = memchr(s, '|', (size_t)(e - s));
		size_t len = (size_t)((bar ? bar : e) - s);
		const struct constant *found;

		if (len == 0 || len >= sizeof(part)) {
			snprintf(err, errlen, "bad constant list");
			return -1;
		}
		found = constant_named(t, s, len);
		if (found) {
			v |= found->value;
			goto next;
		}
		memcpy(part, s, len);
		part[len] = '\0';
		if (isdigit((unsigned char)part[0]) || part[0] == '-') {
			unsigned long num;

			if (parse_number(part, false, t == ARG_OFLAGS, &num,
					 err, errlen))
				return -1;
			v |= num;
		} else {
			const char *near = closest_constant(part, t);

			if (near && suggest)
				*suggest = near;
			if (near)
				snprintf(err, errlen, "unknown constant %s",
					 part);
			else if (*prefix &&
				 strncmp(part, prefix, strlen(prefix)))
				snprintf(err, errlen,
					 "unknown constant %s (expected %s...)",
					 part, prefix);
			else
				snprintf(err, errlen, "unknown constant %s",
					 part);
			return -1;
		}
	next:
		s += len;
		if (s < e && *s == '|')
			s++;
		if (bar && s == e) {
			snprintf(err, errlen, "bad constant list: trailing |");
			return -1;
		}
	}
	*out = v;
	return 0;
}

int parse_constants(enum arg_type t, const char *s, unsigned long *out,
		    char *err, size_t errlen, const char **suggest)
{
	return constants_of(t, s, s + strlen(s), out, err, errlen, suggest);
}

void format_constants(enum arg_type t, unsigned long v, char *buf, size_t len)
{
	const struct arg_type_info *ti = &arg_types[t];
	size_t n = ti->nconsts, used = 0;
	const struct constant *c = ti->consts;
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

/* ---- strings ---- */

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

const char *const prot_words[] = {"r", "rw", "rx", "rwx", "none", NULL};

/*
 * "rw", "r-x", "rwx", "none": the protection as maps prints it, in any
 * order.  Anything that looks like a constant goes to parse_constants, so
 * that PROT_READ|PROT_WRITE (and its "did you mean") works here too.
 */
static int parse_prot_word(const char *tok, unsigned long *out,
			   struct arg_error *err)
{
	unsigned long v = 0;

	if (!strcmp(tok, "none") || !strcmp(tok, "-") || !strcmp(tok, "---")) {
		*out = PROT_NONE;
		return 0;
	}
	if (!strncmp(tok, "PROT_", 5) || isdigit((unsigned char)*tok))
		return parse_constants(ARG_PROT, tok, out, err->msg,
				       sizeof(err->msg), &err->suggestion);
	for (const char *c = tok; *c; c++) {
		unsigned long bit = *c == 'r'	? PROT_READ
				    : *c == 'w' ? PROT_WRITE
				    : *c == 'x' ? PROT_EXEC
						: 0;

		if (*c == '-' && c - tok < 3)
			continue;
		if (!bit || (v & bit) || c - tok >= 3) {
			snprintf(err->msg, sizeof(err->msg),
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
	const struct arg_type_info *ti = &arg_types[ARG_MAPFLAGS];
	char name[64] = "MAP_";
	size_t i;

	if (strlen(w) > sizeof(name) - 5)
		return false;
	for (i = 0; w[i]; i++)
		name[4 + i] = (char)toupper((unsigned char)w[i]);
	name[4 + i] = '\0';
	for (i = 0; i < ti->nconsts; i++) {
		if (!strcmp(ti->consts[i].name, name)) {
			*flag = ti->consts[i].value;
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
			struct map_opts_state *st, struct arg_error *err)
{
	char *msg = err->msg;
	size_t len = sizeof(err->msg);
	unsigned long flag;

	if (!strcmp(w, "anon") || !strcmp(w, "anonymous")) {
		st->anon = true;
	} else if (!strcmp(w, "private") || !strcmp(w, "shared")) {
		int type = w[0] == 'p' ? MAP_PRIVATE : MAP_SHARED;

		if (st->type && st->type != type) {
			snprintf(msg, len,
				 "shared and private exclude "
				 "each other");
			return -1;
		}
		st->type = type;
	} else if (!strcmp(w, "fixed") || !strcmp(w, "noreplace") ||
		   !strcmp(w, "hint")) {
		if (a->placed) {
			snprintf(msg, len,
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
		    parse_number(next[0], false, false, &fd, msg, len)) {
			snprintf(msg, len,
				 "file needs an fd: file FD "
				 "[OFFSET]");
			return -1;
		}
		st->file = true;
		a->fd = (long)fd;
		if (next[1] && isdigit((unsigned char)next[1][0])) {
			if (parse_number(next[1], true, false, &a->off, msg,
					 len))
				return -1;
			return 2;
		}
		return 1;
	} else if (!strncmp(w, "MAP_", 4)) {
		if (parse_constants(ARG_MAPFLAGS, w, &flag, msg, len,
				    &err->suggestion))
			return -1;
		a->num |= flag;
	} else if (map_flag_word(w, &flag)) {
		a->num |= flag;
	} else {
		err->suggestion = closest_name(w, map_option_words,
					       COUNT(map_option_words) - 1);
		if (err->suggestion)
			snprintf(msg, len, "unknown option %.40s", w);
		else
			snprintf(msg, len,
				 "unknown option %.40s (expected anon, "
				 "shared, file FD [OFFSET], fixed, noreplace, "
				 "hint)",
				 w);
		return -1;
	}
	return 0;
}

/*
 * map's options, the rest of the line: "shared file 3 4k populate".
 * MAP_PRIVATE|MAP_ANONYMOUS unless said otherwise; the caller decides
 * MAP_FIXED from the address when no placement word was given.
 */
static int convert_map_opts(enum arg_type t, const char *s, const char *e,
			    struct arg *a, struct arg_error *err)
{
	const char *words[MAX_ARGS + 2] = {NULL};
	struct map_opts_state st = {0, false, false};
	char text[MAX_LINE + 1], *save = NULL;
	size_t n_text = (size_t)(e - s);
	int n = 0;

	(void)t;
	memcpy(text, s, n_text);
	text[n_text] = '\0';
	a->fd = -1;
	for (char *w = strtok_r(text, " \t", &save); w;
	     w = strtok_r(NULL, " \t", &save)) {
		if (n == MAX_ARGS) {
			snprintf(err->msg, sizeof(err->msg),
				 "too many options");
			return -1;
		}
		words[n++] = w;
	}
	for (int i = 0; i < n; i++) {
		int used = map_opt_word(words[i], words + i + 1, a, &st, err);

		if (used < 0) {
			err->bad_s = s + (words[i] - text);
			err->bad_e = err->bad_s + strlen(words[i]);
			return -1;
		}
		i += used;
	}
	if (st.anon && st.file) {
		snprintf(err->msg, sizeof(err->msg),
			 "anon and file exclude each other");
		return -1;
	}
	if (!(a->num & MAP_TYPE))
		a->num |= st.type ? (unsigned long)st.type : MAP_PRIVATE;
	if (!st.file)
		a->num |= MAP_ANONYMOUS;
	return 0;
}

/* ---- the converters of each type ---- */

/* The argument's text as a C string (it is at most a line long). */
static void token(const char *s, const char *e, char tok[MAX_LINE + 1])
{
	size_t n = (size_t)(e - s);

	memcpy(tok, s, n);
	tok[n] = '\0';
}

static int missing(const char *s, const char *e, struct arg_error *err)
{
	if (s < e)
		return 0;
	snprintf(err->msg, sizeof(err->msg), "missing value");
	return -1;
}

static int convert_number(enum arg_type t, const char *s, const char *e,
			  struct arg *a, struct arg_error *err)
{
	char tok[MAX_LINE + 1];

	if (missing(s, e, err))
		return -1;
	if (t == ARG_ADDR && e - s == 4 && !memcmp(s, "NULL", 4)) {
		a->num = 0;
		return 0;
	}
	if (!number_of(s, e, arg_types[t].sizes, t == ARG_MODE, &a->num))
		return 0;
	/* Not a number: the error names it, so it needs a string. */
	token(s, e, tok);
	return parse_number(tok, arg_types[t].sizes, t == ARG_MODE, &a->num,
			    err->msg, sizeof(err->msg));
}

/* In "PROT_READ|PROT_RAED", point at the part that does not parse. */
static void narrow_to_bad_constant(enum arg_type t, const char *s,
				   const char *e, struct arg_error *err)
{
	char part[128], msg[200];
	unsigned long v;

	while (s < e) {
		const char *bar = memchr(s, '|', (size_t)(e - s));
		size_t n = (size_t)((bar ? bar : e) - s);

		snprintf(part, sizeof(part), "%.*s", (int)n, s);
		if (n &&
		    (n >= sizeof(part) ||
		     parse_constants(t, part, &v, msg, sizeof(msg), NULL))) {
			err->bad_s = s;
			err->bad_e = s + n;
			return;
		}
		s += n + (bar != NULL);
	}
}

static int convert_constants(enum arg_type t, const char *s, const char *e,
			     struct arg *a, struct arg_error *err)
{
	if (missing(s, e, err))
		return -1;
	if (constants_of(t, s, e, &a->num, err->msg, sizeof(err->msg),
			 &err->suggestion) == 0)
		return 0;
	narrow_to_bad_constant(t, s, e, err);
	return -1;
}

/* The characters of a constant's name. */
#define NAME_RANGE(a, b) [a... b] = true
static const bool name_char[256] = {
	NAME_RANGE('0', '9'), NAME_RANGE('A', 'Z'), NAME_RANGE('a', 'z'),
	['_'] = true,
};
#undef NAME_RANGE

/*
 * The last few constant lists that arg_quick() read, by type, with their
 * values: a log spells the same few lists ("PROT_READ|PROT_WRITE",
 * "MAP_PRIVATE|MAP_ANONYMOUS") on line after line.  What the text means
 * never changes, so the memo needs no reset.
 */
#define QUICK_MEMOS 4
static struct quick_memo {
	unsigned char len; /* 0: empty */
	char text[55];
	unsigned long value;
} quick_memo[ARG__COUNT][QUICK_MEMOS];
static unsigned char quick_memo_next[ARG__COUNT];

/*
 * The quick path of a call's argument (see arg_quick() in args.h): a plain
 * number, NULL, or a list of constant names, read as the text is scanned.
 */
const char *arg_quick(enum arg_type t, const char *s, const char *e,
		      struct arg *a)
{
	const struct arg_type_info *ti = &arg_types[t];
	unsigned long v = 0;

	if (ti->convert == convert_constants) {
		const char *list = s;
		struct quick_memo *m = quick_memo[t];

		/* The same list as one of the last few: no lookups. */
		for (int i = 0; i < QUICK_MEMOS; i++) {
			size_t n = m[i].len;

			if (n && (size_t)(e - s) >= n &&
			    !memcmp(s, m[i].text, n) &&
			    (s + n == e || (!name_char[(unsigned char)s[n]] &&
					    s[n] != '|'))) {
				v = m[i].value;
				s += n;
				goto done;
			}
		}
		for (;;) {
			const char *w = s;
			const struct constant *c;
			unsigned h = FNV_BASIS;

			/* A number among the names: the slow path. */
			if (s == e || !name_char[(unsigned char)*s] ||
			    digit_value[(unsigned char)*s] - 1u < 10)
				return NULL;
			for (; s < e && name_char[(unsigned char)*s]; s++)
				h = (h ^ (unsigned char)*s) * FNV_PRIME;
			c = constant_hashed(t, h, w, (size_t)(s - w));
			if (!c)
				return NULL;
			v |= c->value;
			if (s == e || *s != '|')
				break;
			s++;
		}
		if ((size_t)(s - list) <= sizeof(m->text)) {
			m = &m[quick_memo_next[t]++ % QUICK_MEMOS];
			m->len = (unsigned char)(s - list);
			memcpy(m->text, list, m->len);
			m->value = v;
		}
	} else if (ti->convert == convert_number && t != ARG_MODE) {
		unsigned long base;
		const char *digits;
		bool neg;

		if (t == ARG_ADDR && e - s >= 4 && !memcmp(s, "NULL", 4)) {
			s += 4;
			goto done;
		}
		base = number_prefix(&s, e, false, &neg);
		digits = s;
		v = digits_unchecked(&s, e, base);
		/* 15 hex digits or 18 decimal ones cannot overflow, even
		 * negated; more (or none) are for number_of(), which reads
		 * them again with checks. */
		if (s == digits || s - digits > (base == 16 ? 15 : 18))
			return NULL;
		if (neg)
			v = -v;
	} else {
		return NULL;
	}
done:
	/* A suffix (16k), or any other text, is for the slow path. */
	if (s < e && name_char[(unsigned char)*s])
		return NULL;
	memset(a, 0, sizeof(*a));
	a->num = v;
	return s;
}

static int convert_protword(enum arg_type t, const char *s, const char *e,
			    struct arg *a, struct arg_error *err)
{
	char tok[MAX_LINE + 1];

	(void)t;
	if (missing(s, e, err))
		return -1;
	token(s, e, tok);
	return parse_prot_word(tok, &a->num, err);
}

static int convert_path(enum arg_type t, const char *s, const char *e,
			struct arg *a, struct arg_error *err)
{
	(void)t;
	return parse_string(s, e, &a->str, err->msg, sizeof(err->msg));
}

static int convert_text(enum arg_type t, const char *s, const char *e,
			struct arg *a, struct arg_error *err)
{
	(void)t;
	(void)err;
	a->str = strndup(s, (size_t)(e - s));
	if (!a->str)
		abort();
	return 0;
}

/* A bare word, or a "quoted string" (source "my file.vml"). */
static int convert_word(enum arg_type t, const char *s, const char *e,
			struct arg *a, struct arg_error *err)
{
	(void)t;
	if (missing(s, e, err))
		return -1;
	if (*s == '"')
		return parse_string(s, e, &a->str, err->msg, sizeof(err->msg));
	return convert_text(t, s, e, a, err);
}

/* Text the call does not interpret (execve's argv): kept, not read. */
static int convert_any(enum arg_type t, const char *s, const char *e,
		       struct arg *a, struct arg_error *err)
{
	(void)t;
	(void)err;
	(void)s;
	(void)e;
	a->num = 0;
	return 0;
}

#define CONSTS(table) .consts = table, .nconsts = COUNT(table)

const struct arg_type_info arg_types[ARG__COUNT] = {
	[ARG_ADDR] = {convert_number, .complete = AC_ADDRESSES,
		      .help = AH_NUMBERS, .sizes = true},
	[ARG_LEN] = {convert_number, .help = AH_NUMBERS, .sizes = true},
	[ARG_PROT] = {convert_constants, CONSTS(prot_consts), .prefix = "PROT_",
		      .complete = AC_CONSTANTS, .help = AH_CONSTANTS},
	[ARG_MAPFLAGS] = {convert_constants, CONSTS(map_consts),
			  .prefix = "MAP_", .complete = AC_CONSTANTS,
			  .help = AH_CONSTANTS},
	[ARG_FD] = {convert_number},
	[ARG_OFF] = {convert_number, .help = AH_NUMBERS, .sizes = true},
	[ARG_DIRFD] = {convert_constants, CONSTS(dirfd_consts),
		       .complete = AC_CONSTANTS},
	[ARG_PATH] = {convert_path},
	[ARG_OFLAGS] = {convert_constants, CONSTS(o_consts), .prefix = "O_",
			.complete = AC_CONSTANTS, .help = AH_CONSTANTS},
	[ARG_MODE] = {convert_number},
	[ARG_INT] = {convert_number},
	[ARG_TEXT] = {convert_text, .rest = true},
	[ARG_PID] = {convert_number, .complete = AC_PIDS},
	[ARG_PROTWORD] = {convert_protword, .complete = AC_PROT_WORDS,
			  .help = AH_PROTWORD},
	[ARG_MAPOPTS] = {convert_map_opts, .complete = AC_MAP_OPTIONS,
			 .help = AH_MAPOPTS, .rest = true},
	[ARG_COMMAND] = {convert_word, .complete = AC_COMMANDS},
	[ARG_FILE] = {convert_word, .complete = AC_FILES},
	[ARG_OPTION] = {convert_word, .complete = AC_SETTINGS,
			.help = AH_SETTINGS},
	[ARG_VALUE] = {convert_word, .complete = AC_SETTING_VALUES},
	[ARG_NAME] = {convert_word, .complete = AC_SCENARIOS},
	[ARG_WORD] = {convert_word},
	[ARG_ANY] = {convert_any},
	[ARG_REST] = {convert_text, .rest = true},
	[ARG_MREMAPFLAGS] = {convert_constants, CONSTS(mremap_consts),
			     .prefix = "MREMAP_", .complete = AC_CONSTANTS,
			     .help = AH_CONSTANTS},
	[ARG_MADVICE] = {convert_constants, CONSTS(madv_consts),
			 .prefix = "MADV_", .complete = AC_CONSTANTS,
			 .help = AH_CONSTANTS},
	[ARG_MLOCKFLAGS] = {convert_constants, CONSTS(mlock_consts),
			    .prefix = "MLOCK_", .complete = AC_CONSTANTS,
			    .help = AH_CONSTANTS},
	[ARG_MCLFLAGS] = {convert_constants, CONSTS(mcl_consts),
			  .prefix = "MCL_", .complete = AC_CONSTANTS,
			  .help = AH_CONSTANTS},
	[ARG_PRCTLOPT] = {convert_constants, CONSTS(prctl_consts),
			  .prefix = "PR_", .complete = AC_CONSTANTS,
			  .help = AH_CONSTANTS},
	[ARG_PRCTLARG] = {convert_constants, CONSTS(prctl_arg_consts),
			  .prefix = "PR_", .complete = AC_CONSTANTS,
			  .help = AH_CONSTANTS},
};
