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
void sb_puts(struct strbuf *sb, const char *s);
void sb_reset(struct strbuf *sb);
void sb_free(struct strbuf *sb);
/* The contents as a C string ("" when empty; never NULL). */
const char *sb_str(const struct strbuf *sb);

#endif
