/*
 * trace.c - reporting the engine's internal steps to its observer.
 *
 * Steps are formatted only when someone listens, so a machine without an
 * observer (the random tests, undo replay) pays nothing for them.
 */
#include <stdio.h>
#include "internal.h"

void trace(struct machine *m, const char *fmt, ...)
{
	char text[512];
	struct trace_event ev;
	va_list ap;

	if (!m->obs.step)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	ev.depth = m->depth;
	ev.text = text;
	m->obs.step(m->obs.arg, &ev);
}
