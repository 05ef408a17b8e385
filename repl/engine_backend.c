/*
 * engine_backend.c - the simulation as a backend: calls go to the engine's
 * sys_* functions, maps come from its state, and trace steps become
 * "# ..." lines.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "backend.h"
#include "engine.h"
#include "procfs.h"

struct engine_backend {
	struct backend be;
	struct machine *m;
	struct strbuf *sink;
};

static struct engine_backend *eb(struct backend *be)
{
	return (struct engine_backend *)be;
}

static long engine_call(struct backend *be, const struct call *c,
			unsigned long *fault)
{
	struct machine *m = eb(be)->m;
	const unsigned long *a = c->a;

	switch (c->nr) {
	case VC_MMAP:
		return sys_mmap(m, a[0], a[1], a[2], a[3], (long)a[4], a[5]);
	case VC_MUNMAP:
		return sys_munmap(m, a[0], a[1]);
	case VC_MPROTECT:
		return sys_mprotect(m, a[0], a[1], a[2]);
	case VC_OPENAT:
		return sys_openat(m, (long)a[0], c->path, a[2], a[3]);
	case VC_CLOSE:
		return sys_close(m, (long)a[0]);
	case VC_FTRUNCATE:
		return sys_ftruncate(m, (long)a[0], a[1]);
	case VC_FORK:
		return sys_fork(m);
	case VC_TOUCH:
		return vm_touch(m, a[0], a[1], fault);
	case VC_NONE:
	case VC__COUNT:
		break;
	}
	return -ENOSYS;
}

static int engine_switch(struct backend *be, int pid)
{
	return machine_switch(eb(be)->m, pid);
}

static int engine_maps(struct backend *be, bool smaps, struct strbuf *out)
{
	struct machine *m = eb(be)->m;

	show_maps(machine_mm(m, machine_current_pid(m)), smaps, out);
	return 0;
}

static int engine_pages(struct backend *be, unsigned long addr, unsigned long n,
			char *out)
{
	struct machine *m = eb(be)->m;

	machine_pages(m, addr, n, out);
	return 0;
}

static void trace_step(void *arg, const struct trace_event *ev)
{
	struct strbuf *sink = arg;

	sb_addf(sink, "# %*s%s\n", 2 * ev->depth, "", ev->text);
}

static void engine_set_trace(struct backend *be, struct strbuf *sink)
{
	struct engine_observer o = {trace_step, sink};

	eb(be)->sink = sink;
	machine_set_observer(eb(be)->m, sink ? &o : NULL);
}

static void engine_destroy(struct backend *be)
{
	machine_free(eb(be)->m);
	free(be);
}

static const struct backend_ops engine_ops = {
	.call = engine_call,
	.switch_to = engine_switch,
	.maps = engine_maps,
	.pages = engine_pages,
	.set_trace = engine_set_trace,
	.destroy = engine_destroy,
};

struct backend *engine_backend_new(const struct machine_params *p)
{
	struct engine_backend *e = calloc(1, sizeof(*e));

	if (!e)
		abort();
	e->be.ops = &engine_ops;
	e->be.name = "engine";
	e->m = p ? machine_new_params(p) : machine_new();
	return &e->be;
}

struct machine *engine_backend_machine(struct backend *be)
{
	return eb(be)->m;
}
