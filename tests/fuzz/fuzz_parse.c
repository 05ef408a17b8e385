/*
 * fuzz_parse.c - libFuzzer target: the line parser.  Every line of the
 * input goes through parse_line(), which must classify it (a command, a
 * blank line, a skipped call or an error) without reading past the line,
 * and leave nothing allocated after parsed_free().
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct parsed parsed;
	char err[600];

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		/* parse_line() takes a line without its newline, not
		 * NUL-terminated: a copy of exactly len bytes lets ASan see
		 * a read past its end. */
		char *line = malloc(len ? len : 1);

		if (!line)
			abort();
		memcpy(line, p, len);
		if (parse_line(line, len, &parsed, err, sizeof(err)) ==
		    PARSE_OK)
			parsed_free(&parsed);
		free(line);
		p += len + 1;
	}
	return 0;
}
