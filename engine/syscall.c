/*
 * syscall.c - the engine's system call table: a call by number, as the
 * kernel's sys_call_table dispatches it, so that front ends, the kernel
 * backend and the importers all name a call the same way.  Each entry
 * unpacks the raw arguments into the typed sys_* function.
 */
#include "internal.h"

struct sys_entry {
	long (*fn)(struct machine *m, const unsigned long *a, const char *path,
		   unsigned long *fault);
};

static long e_mmap(struct machine *m, const unsigned long *a, const char *path,
		   unsigned long *fault)
{
	return sys_mmap(m, a[0], a[1], a[2], a[3], (long)a[4], a[5]);
}

static long e_munmap(struct machine *m, const unsigned long *a,
		     const char *path, unsigned long *fault)
{
	return sys_munmap(m, a[0], a[1]);
}

static long e_mprotect(struct machine *m, const unsigned long *a,
		       const char *path, unsigned long *fault)
{
	return sys_mprotect(m, a[0], a[1], a[2]);
}

static long e_mremap(struct machine *m, const unsigned long *a,
		     const char *path, unsigned long *fault)
{
	return sys_mremap(m, a[0], a[1], a[2], a[3], a[4]);
}

static long e_brk(struct machine *m, const unsigned long *a, const char *path,
		  unsigned long *fault)
{
	return sys_brk(m, a[0]);
}

static long e_openat(struct machine *m, const unsigned long *a,
		     const char *path, unsigned long *fault)
{
	return sys_openat(m, (long)a[0], path, a[2], a[3]);
}

static long e_close(struct machine *m, const unsigned long *a, const char *path,
		    unsigned long *fault)
{
	return sys_close(m, (long)a[0]);
}

static long e_ftruncate(struct machine *m, const unsigned long *a,
			const char *path, unsigned long *fault)
{
	return sys_ftruncate(m, (long)a[0], a[1]);
}

static long e_fork(struct machine *m, const unsigned long *a, const char *path,
		   unsigned long *fault)
{
	return sys_fork(m);
}

static long e_dup(struct machine *m, const unsigned long *a, const char *path,
		  unsigned long *fault)
{
	return sys_dup(m, (long)a[0]);
}

static long e_dup2(struct machine *m, const unsigned long *a, const char *path,
		   unsigned long *fault)
{
	return sys_dup2(m, (long)a[0], (long)a[1]);
}

static long e_dup3(struct machine *m, const unsigned long *a, const char *path,
		   unsigned long *fault)
{
	return sys_dup3(m, (long)a[0], (long)a[1], a[2]);
}

static long e_execve(struct machine *m, const unsigned long *a,
		     const char *path, unsigned long *fault)
{
	return sys_execve(m, path);
}

/* No threads are simulated: exit() ends the process as exit_group(). */
static long e_exit_group(struct machine *m, const unsigned long *a,
			 const char *path, unsigned long *fault)
{
	return sys_exit_group(m, (long)a[0]);
}

static long e_madvise(struct machine *m, const unsigned long *a,
		      const char *path, unsigned long *fault)
{
	return sys_madvise(m, a[0], a[1], (long)(int)a[2]);
}

static long e_mlock(struct machine *m, const unsigned long *a,
		    const char *path, unsigned long *fault)
{
	return sys_mlock(m, a[0], a[1]);
}

static long e_mlock2(struct machine *m, const unsigned long *a,
		     const char *path, unsigned long *fault)
{
	return sys_mlock2(m, a[0], a[1], a[2]);
}

static long e_munlock(struct machine *m, const unsigned long *a,
		      const char *path, unsigned long *fault)
{
	return sys_munlock(m, a[0], a[1]);
}

/* mlockall(int flags): the kernel sees the low 32 bits. */
static long e_mlockall(struct machine *m, const unsigned long *a,
		       const char *path, unsigned long *fault)
{
	return sys_mlockall(m, (unsigned long)(int)a[0]);
}

static long e_munlockall(struct machine *m, const unsigned long *a,
			 const char *path, unsigned long *fault)
{
	return sys_munlockall(m);
}

static long e_mseal(struct machine *m, const unsigned long *a,
		    const char *path, unsigned long *fault)
{
	return sys_mseal(m, a[0], a[1], a[2]);
}

static long e_prctl(struct machine *m, const unsigned long *a,
		    const char *path, unsigned long *fault)
{
	/* option is an int */
	return sys_prctl(m, (unsigned int)a[0], a[1], a[2], a[3], path);
}

static const struct sys_entry table[NR_MAX] = {
	[NR_mmap] = {e_mmap},
	[NR_munmap] = {e_munmap},
	[NR_mprotect] = {e_mprotect},
	[NR_mremap] = {e_mremap},
	[NR_brk] = {e_brk},
	[NR_openat] = {e_openat},
	[NR_close] = {e_close},
	[NR_ftruncate] = {e_ftruncate},
	[NR_fork] = {e_fork},
	[NR_dup] = {e_dup},
	[NR_dup2] = {e_dup2},
	[NR_dup3] = {e_dup3},
	[NR_execve] = {e_execve},
	[NR_exit] = {e_exit_group},
	[NR_exit_group] = {e_exit_group},
	[NR_madvise] = {e_madvise},
	[NR_mlock] = {e_mlock},
	[NR_mlock2] = {e_mlock2},
	[NR_munlock] = {e_munlock},
	[NR_mlockall] = {e_mlockall},
	[NR_munlockall] = {e_munlockall},
	[NR_mseal] = {e_mseal},
	[NR_prctl] = {e_prctl},
};

bool machine_has_syscall(int nr)
{
	return (nr < 0 && nr >= NR_PSEUDO_MIN) ||
	       (nr >= 0 && nr < NR_MAX && table[nr].fn);
}

long machine_syscall(struct machine *m, int nr, const unsigned long a[6],
		     const char *path, unsigned long *fault)
{
	unsigned long none;
	long ret;

	if (!machine_has_syscall(nr))
		return -ENOSYS;
	/* A zombie makes no calls (a new process may start). */
	if ((m->cur->killed || m->cur->exited) && nr != NR_SPAWN)
		return -ESRCH;
	m->poll_done = m->poll_total = m->poll_stopped = 0;
	if (nr == NR_TOUCH)
		ret = vm_touch(m, a[0], a[1], fault ? fault : &none);
	else if (nr == NR_READ)
		ret = vm_read(m, a[0], a[1], fault ? fault : &none);
	else if (nr < 0)
		ret = given_call(m, nr, a, path);
	else
		ret = table[nr].fn(m, a, path, fault);
	/* Killed during the call (the OOM killer): it never returns to
	 * user space, but exits. */
	if (m->cur->sigkill)
		do_exit(m, m->cur, TOUCH_SIGKILL);
	return ret;
}
