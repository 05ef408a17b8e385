/*
 * strbuf.h - a growable string: output is built in memory first, so that it
 * can be compared (verify), diffed (REPL) or printed.
 */
#ifndef VMALAB_STRBUF_H
#define VMALAB_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char *buf;
	size_t len, cap;
};

#define STRBUF_INIT        \
	{                  \
		NULL, 0, 0 \
	}

void sb_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
void sb_add(struct strbuf *sb, const char *s, size_t n);
/* Room for n more bytes (and the NUL) at sb->buf + sb->len. */
void sb_grow(struct strbuf *sb, size_t n);
static inline void sb_addc(struct strbuf *sb, char c)
{
	if (sb->len + 2 > sb->cap)
		sb_grow(sb, 1);
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = '\0';
}
void sb_puts(struct strbuf *sb, const char *s);
/* Back to the first n bytes (n <= len). */
static inline void sb_truncate(struct strbuf *sb, size_t n)
{
	if (sb->buf && n < sb->len) {
		sb->len = n;
		sb->buf[n] = '\0';
	}
}
/*
 * Numbers written by hand, for the output that every line makes: what
 * printf's "%lu", "%ld", "%#lx" and "%0*lx" would write.
 */
void sb_addu(struct strbuf *sb, unsigned long v);
void sb_addl(struct strbuf *sb, long v);
void sb_addx(struct strbuf *sb, unsigned long v);		 /* %#lx */
void sb_addx_pad(struct strbuf *sb, unsigned long v, int width); /* %0*lx */
/* v right-aligned in width columns, as "%*lu" does. */
void sb_addu_pad(struct strbuf *sb, unsigned long v, int width);
void sb_reset(struct strbuf *sb);
void sb_free(struct strbuf *sb);
/* The contents as a C string ("" when empty; never NULL). */
const char *sb_str(const struct strbuf *sb);

#endif
