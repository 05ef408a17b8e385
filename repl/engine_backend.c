/*
 * engine_backend.c - the simulation as a backend: calls go to the engine's
 * system call table, maps come from its state, observers to its machine.
 */
#include <errno.h>
#include <stdlib.h>
#include "backend.h"
#include "engine.h"
#include "procfs.h"

struct engine_backend {
	struct backend be;
	struct machine *m;
};

static struct engine_backend *eb(struct backend *be)
{
	return (struct engine_backend *)be;
}

static long engine_call(struct backend *be, const struct call *c,
			unsigned long *fault)
{
	struct machine *m = eb(be)->m;

	machine_set_poll(m, c->poll ? c->poll->fn : NULL,
			 c->poll ? c->poll->arg : NULL);
	return machine_syscall(m, c->nr, c->a, c->path, fault);
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

static int engine_status(struct backend *be, struct strbuf *out)
{
	struct machine *m = eb(be)->m;

	show_status(machine_mm(m, machine_current_pid(m)), out);
	return 0;
}

static int engine_pages(struct backend *be, unsigned long addr, unsigned long n,
			char *out)
{
	machine_pages(eb(be)->m, addr, n, out);
	return 0;
}

static int engine_observe(struct backend *be, const struct engine_observer *o,
			  bool on)
{
	struct machine *m = eb(be)->m;

	return on ? machine_add_observer(m, o) : machine_remove_observer(m, o);
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
	.status = engine_status,
	.pages = engine_pages,
	.observe = engine_observe,
	.destroy = engine_destroy,
};

struct backend *engine_backend_of(struct machine *m)
{
	struct engine_backend *e = calloc(1, sizeof(*e));

	if (!e)
		abort();
	e->be.ops = &engine_ops;
	e->be.name = "engine";
	e->m = m;
	return &e->be;
}

struct backend *engine_backend_new(const struct machine_params *p)
{
	return engine_backend_of(p ? machine_new_params(p) : machine_new());
}

struct machine *engine_backend_machine(struct backend *be)
{
	return be->ops == &engine_ops ? eb(be)->m : NULL;
}
