/*
 * strbuf.c - growable strings.  Running out of memory is fatal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "strbuf.h"

void sb_grow(struct strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;

	if (need <= sb->cap)
		return;
	sb->cap = sb->cap ? sb->cap : 64;
	while (sb->cap < need)
		sb->cap *= 2;
	sb->buf = realloc(sb->buf, sb->cap);
	if (!sb->buf)
		abort();
}

void sb_add(struct strbuf *sb, const char *s, size_t n)
{
	sb_grow(sb, n);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sb_puts(struct strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	sb_grow(sb, (size_t)n);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void sb_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_vaddf(sb, fmt, ap);
	va_end(ap);
}

static const char hexdigits[] = "0123456789abcdef";

/* Write the digits of v in base b, lowest first, into the end of tmp. */
static size_t digits(char *end, unsigned long v, unsigned base)
{
	size_t n = 0;

	do {
		*--end = hexdigits[v % base];
		v /= base;
		n++;
	} while (v);
	return n;
}

void sb_addu(struct strbuf *sb, unsigned long v)
{
	char tmp[24];
	size_t n = digits(tmp + sizeof(tmp), v, 10);

	sb_add(sb, tmp + sizeof(tmp) - n, n);
}

void sb_addl(struct strbuf *sb, long v)
{
	if (v < 0) {
		sb_addc(sb, '-');
		sb_addu(sb, -(unsigned long)v);
	} else {
		sb_addu(sb, (unsigned long)v);
	}
}

void sb_addx(struct strbuf *sb, unsigned long v)
{
	char tmp[24];
	size_t n = digits(tmp + sizeof(tmp), v, 16);

	/* "%#lx" writes no 0x before a zero. */
	if (v)
		sb_add(sb, "0x", 2);
	sb_add(sb, tmp + sizeof(tmp) - n, n);
}

static void add_padded(struct strbuf *sb, unsigned long v, unsigned base,
		       int width, char pad)
{
	char tmp[24];
	size_t n = digits(tmp + sizeof(tmp), v, base);

	sb_grow(sb, n + (width > 0 ? (size_t)width : 0));
	for (size_t i = n; (long)i < width; i++)
		sb->buf[sb->len++] = pad;
	sb_add(sb, tmp + sizeof(tmp) - n, n);
}

void sb_addx_pad(struct strbuf *sb, unsigned long v, int width)
{
	add_padded(sb, v, 16, width, '0');
}

void sb_addu_pad(struct strbuf *sb, unsigned long v, int width)
{
	add_padded(sb, v, 10, width, ' ');
}

void sb_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

void sb_free(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

const char *sb_str(const struct strbuf *sb)
{
	return sb->buf ? sb->buf : "";
}
