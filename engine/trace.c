/*
 * trace.c - reporting the engine's internal steps to its observer.
 *
 * Steps are formatted only when someone listens (the trace() macro in
 * internal.h tests for an observer before evaluating its arguments), so a
 * machine without one (undo replay, the benchmarks) pays nothing for them.
 */
#include <stdio.h>
#include "internal.h"

void trace_emit(struct machine *m, const char *fmt, ...)
{
	char text[512];
	struct trace_event ev;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	ev.depth = m->depth;
	ev.text = text;
	m->obs.step(m->obs.arg, &ev);
}
