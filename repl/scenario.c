/*
 * scenario.c - scenarios as values: reading a script in the lesson format
 * (scenarios/README.md) into one, and freeing them.
 *
 * The reader works on a buffer with a length, never on a file, so that
 * the store, `import` and a fuzzer all feed it the same way; it accepts
 * any bytes and answers with a scenario or one error naming the line.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"
#include "store.h"
#include "strbuf.h"

char *scn_strdup(const char *s)
{
	char *d = strdup(s ? s : "");

	if (!d)
		abort();
	return d;
}

static char *xstrndup(const char *s, size_t n)
{
	char *d = strndup(s, n);

	if (!d)
		abort();
	return d;
}

static void step_free(struct scn_step *st)
{
	free(st->line);
	free(st->comment);
	free(st->output);
	free(st->events);
}

void scenario_free(struct scenario *scn)
{
	free(scn->name);
	free(scn->title);
	free(scn->summary);
	free(scn->description);
	free(scn->kernel);
	free(scn->mcase);
	free(scn->parent);
	for (size_t i = 0; i < scn->ntags; i++)
		free(scn->tags[i]);
	free(scn->tags);
	for (size_t i = 0; scn->steps && i < scn->n; i++)
		step_free(&scn->steps[i]);
	free(scn->steps);
	memset(scn, 0, sizeof(*scn));
}

void scenarios_free(struct scenario *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		scenario_free(&v[i]);
	free(v);
}

void quiz_scores_free(struct quiz_score *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

struct scn_step *scenario_add_step(struct scenario *scn, const char *line,
				   const char *comment)
{
	struct scn_step *st;

	if (scn->n == scn->cap) {
		scn->cap = scn->cap ? 2 * scn->cap : 16;
		scn->steps = realloc(scn->steps, scn->cap * sizeof(*st));
		if (!scn->steps)
			abort();
	}
	st = &scn->steps[scn->n++];
	memset(st, 0, sizeof(*st));
	st->line = scn_strdup(line);
	st->comment = comment ? scn_strdup(comment) : NULL;
	return st;
}

void scenario_add_tag(struct scenario *scn, const char *tag)
{
	for (size_t i = 0; i < scn->ntags; i++)
		if (!strcmp(scn->tags[i], tag))
			return;
	scn->tags = realloc(scn->tags, (scn->ntags + 1) * sizeof(char *));
	if (!scn->tags)
		abort();
	scn->tags[scn->ntags++] = scn_strdup(tag);
}

const char *scn_origin_name(enum scn_origin o)
{
	switch (o) {
	case ORIGIN_LESSON:
		return "lesson";
	case ORIGIN_IMPORT:
		return "import";
	case ORIGIN_USER:
		break;
	}
	return "user";
}

bool scenario_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (!n || n > 64 || name[0] == '-' || name[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("-_.", name[i]))
			return false;
	return true;
}

/* ---- the reader ---- */

struct reader {
	const char *p, *end;
	long lineno;
};

/* The next line, without its newline (and a CR before it). */
static bool next_line(struct reader *r, const char **s, size_t *n)
{
	const char *nl;

	if (r->p >= r->end)
		return false;
	nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
	*s = r->p;
	*n = (size_t)((nl ? nl : r->end) - r->p);
	r->p = nl ? nl + 1 : r->end;
	if (*n && (*s)[*n - 1] == '\r')
		(*n)--;
	r->lineno++;
	return true;
}

static void trim(const char **s, size_t *n)
{
	while (*n && isspace((unsigned char)**s))
		(*s)++, (*n)--;
	while (*n && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

/* "# text" -> "text"; "#" -> "". */
static void uncomment(const char *s, size_t n, struct strbuf *out)
{
	s++, n--;
	if (n && *s == ' ')
		s++, n--;
	sb_add(out, s, n);
}

/* "guards" (the rules of tests/rules.txt the lesson guards) is for the
 * tests alone: read and dropped. */
static const char *const meta_keys[] = {"title", "summary", "tags",  "kernel",
					"case",	 "version", "guards"};

/* "# key: value" with a known key: which one (index), else -1. */
static int meta_line(const char *s, size_t n, const char **val, size_t *vlen)
{
	if (n < 2 || s[0] != '#' || s[1] != ' ')
		return -1;
	s += 2, n -= 2;
	for (size_t k = 0; k < sizeof(meta_keys) / sizeof(meta_keys[0]); k++) {
		size_t kl = strlen(meta_keys[k]);

		if (n > kl && !memcmp(s, meta_keys[k], kl) && s[kl] == ':') {
			*val = s + kl + 1;
			*vlen = n - kl - 1;
			trim(val, vlen);
			return (int)k;
		}
	}
	return -1;
}

static void set_tags(struct scenario *scn, const char *v, size_t n)
{
	while (n) {
		const char *comma = memchr(v, ',', n);
		size_t len = comma ? (size_t)(comma - v) : n;
		const char *t = v;
		size_t tl = len;

		trim(&t, &tl);
		if (tl) {
			char *tag = xstrndup(t, tl);

			scenario_add_tag(scn, tag);
			free(tag);
		}
		v += len + (comma != NULL);
		n -= len + (comma != NULL);
	}
}

static int set_meta(struct scenario *scn, int key, const char *v, size_t n,
		    long lineno, char *err, size_t errlen)
{
	char *text = xstrndup(v, n), *end;
	long ver;

	switch (key) {
	case 0:
		free(scn->title);
		scn->title = text;
		return 0;
	case 1:
		free(scn->summary);
		scn->summary = text;
		return 0;
	case 2:
		set_tags(scn, v, n);
		break;
	case 3:
		free(scn->kernel);
		scn->kernel = text;
		return 0;
	case 4:
		free(scn->mcase);
		scn->mcase = text;
		return 0;
	case 6:
		break;
	default:
		ver = strtol(text, &end, 10);
		if (!*text || *end || ver < 1 || ver > 1000000) {
			snprintf(err, errlen,
				 "line %ld: version must be a whole number "
				 "from 1",
				 lineno);
			free(text);
			return -1;
		}
		scn->version = (int)ver;
		break;
	}
	free(text);
	return 0;
}

/* Drop blank lines at the end of a text made of lines. */
static char *finish_text(struct strbuf *sb)
{
	char *s;

	while (sb->len && sb->buf[sb->len - 1] == '\n')
		sb->len--;
	s = xstrndup(sb_str(sb), sb->len);
	sb_free(sb);
	return s;
}

/*
 * The header: the first block of `#` lines, if a blank line (or the end)
 * follows it; otherwise those lines are the first step's commentary.
 * 0, or -1 for bad metadata.
 */
static int read_header(struct reader *r, struct scenario *scn, char *err,
		       size_t errlen)
{
	struct reader probe = *r;
	struct strbuf desc = STRBUF_INIT;
	const char *s;
	size_t n;
	bool in_meta = true, header = false;

	while (next_line(&probe, &s, &n)) {
		if (!n) {
			header = true;
			break;
		}
		if (s[0] != '#')
			break;
		if (probe.p >= probe.end)
			header = true;
	}
	if (!header)
		return 0;
	while (next_line(r, &s, &n) && n) {
		const char *v;
		size_t vl;
		int key = in_meta ? meta_line(s, n, &v, &vl) : -1;

		if (key >= 0) {
			if (set_meta(scn, key, v, vl, r->lineno, err, errlen)) {
				sb_free(&desc);
				return -1;
			}
			continue;
		}
		in_meta = false;
		if (!desc.len && n == 1)
			continue; /* the "#" between metadata and text */
		uncomment(s, n, &desc);
		sb_puts(&desc, "\n");
	}
	scn->description = finish_text(&desc);
	return 0;
}

static int read_body(struct reader *r, struct scenario *scn, char *err,
		     size_t errlen)
{
	struct strbuf comment = STRBUF_INIT;
	bool after_blank = false;
	const char *s;
	size_t n;

	while (next_line(r, &s, &n)) {
		trim(&s, &n);
		if (!n) {
			after_blank = comment.len > 0;
			continue;
		}
		if (s[0] == '#') {
			/* A run cut off by a blank line still goes with the
			 * step below, a blank line apart. */
			if (after_blank)
				sb_puts(&comment, "\n");
			after_blank = false;
			uncomment(s, n, &comment);
			sb_puts(&comment, "\n");
			continue;
		}
		if (n > MAX_LINE) {
			snprintf(err, errlen, "line %ld: longer than %d bytes",
				 r->lineno, MAX_LINE);
			sb_free(&comment);
			return -1;
		}
		{
			char *line = xstrndup(s, n);
			char *c = comment.len ? finish_text(&comment) : NULL;

			scenario_add_step(scn, line, c);
			free(line);
			free(c);
		}
		sb_reset(&comment);
		after_blank = false;
	}
	sb_free(&comment);
	return 0;
}

int scenario_parse(const char *buf, size_t len, const char *name,
		   struct scenario *out, char *err, size_t errlen)
{
	struct reader r = {buf, buf + len, 0};
	const char *nul = memchr(buf, '\0', len);

	memset(out, 0, sizeof(*out));
	if (nul) {
		long line = 1;

		for (const char *p = buf; p < nul; p++)
			line += *p == '\n';
		snprintf(err, errlen, "line %ld: a NUL byte", line);
		return -1;
	}
	out->name = scn_strdup(name);
	out->version = 1;
	out->origin = ORIGIN_IMPORT;
	if (read_header(&r, out, err, errlen) ||
	    read_body(&r, out, err, errlen)) {
		scenario_free(out);
		return -1;
	}
	if (!out->title)
		out->title = scn_strdup(name);
	if (!out->summary)
		out->summary = scn_strdup("");
	if (!out->description)
		out->description = scn_strdup("");
	if (!out->kernel)
		out->kernel = scn_strdup("");
	if (!out->mcase)
		out->mcase = scn_strdup("");
	return 0;
}
