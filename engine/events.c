/*
 * events.c - reporting the engine's steps to its observers.
 *
 * An event is built only when someone listens (EVENT() in internal.h tests
 * for an observer before it evaluates anything), and it is never text:
 * the front ends decide what to make of it.  ev_emit() fills in what every
 * event has (depth, pid, the ids and ranges of the VMAs it names) and
 * hands it to each observer in the order they were added.
 */
#include <string.h>
#include "internal.h"

static const char *const fn_names[FN__COUNT] = {
	[FN_DO_MMAP] = "do_mmap",
	[FN_DO_VMI_MUNMAP] = "do_vmi_munmap",
	[FN_DO_MPROTECT_PKEY] = "do_mprotect_pkey",
	[FN_DUP_MMAP] = "dup_mmap",
	[FN_VMA_MERGE_NEW_RANGE] = "vma_merge_new_range",
	[FN_VMA_MERGE_EXISTING_RANGE] = "vma_merge_existing_range",
	[FN_VMA_EXPAND] = "vma_expand",
	[FN_SPLIT_VMA] = "__split_vma",
	[FN_VMS_GATHER_MUNMAP_VMAS] = "vms_gather_munmap_vmas",
	[FN_DO_EXECVE] = "do_execveat_common",
	[FN_DO_EXIT] = "do_exit",
	[FN_DO_MREMAP] = "do_mremap",
	[FN_MOVE_VMA] = "move_vma",
	[FN_COPY_VMA] = "copy_vma",
	[FN_DO_MADVISE] = "do_madvise",
	[FN_DO_MLOCK] = "apply_vma_lock_flags",
	[FN_APPLY_MLOCKALL_FLAGS] = "apply_mlockall_flags",
	[FN_DO_MSEAL] = "do_mseal",
	[FN_SYS_BRK] = "brk",
	[FN_DO_BRK_FLAGS] = "do_brk_flags",
};

const char *ev_fn_name(enum ev_fn fn)
{
	return fn > 0 && fn < FN__COUNT ? fn_names[fn] : "?";
}

void ev_emit(struct machine *m, struct vmalab_event *ev)
{
	const struct vma *v = ev->v, *o = ev->o;

	ev->depth = m->depth;
	ev->pid = v ? v->mm->pid : m->cur->pid;
	if (v && !ev->vma) {
		ev->vma = v->id;
		if (!ev->start && !ev->end) {
			ev->start = v->vm_start;
			ev->end = v->vm_end;
			ev->pgoff = v->vm_pgoff;
		}
	}
	if (o && !ev->other) {
		ev->other = o->id;
		if (!ev->ostart && !ev->oend) {
			ev->ostart = o->vm_start;
			ev->oend = o->vm_end;
			ev->opgoff = o->vm_pgoff;
		}
	}
	for (int i = 0; i < m->nobs; i++)
		m->obs[i].event(m->obs[i].arg, ev);
}

int machine_add_observer(struct machine *m, const struct engine_observer *o)
{
	if (!o || !o->event)
		return -EINVAL;
	for (int i = 0; i < m->nobs; i++)
		if (m->obs[i].event == o->event && m->obs[i].arg == o->arg)
			return -EEXIST;
	if (m->nobs == MAX_OBSERVERS)
		return -ENOSPC;
	m->obs[m->nobs++] = *o;
	return 0;
}

int machine_remove_observer(struct machine *m, const struct engine_observer *o)
{
	for (int i = 0; i < m->nobs; i++) {
		if (m->obs[i].event == o->event && m->obs[i].arg == o->arg) {
			memmove(&m->obs[i], &m->obs[i + 1],
				(size_t)(m->nobs - i - 1) * sizeof(m->obs[0]));
			m->nobs--;
			return 0;
		}
	}
	return -ENOENT;
}
