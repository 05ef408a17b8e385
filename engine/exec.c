/*
 * exec.c - a process's address space begun and ended (fs/exec.c,
 * kernel/exit.c), and address spaces given from outside: a real process's
 * maps (attach, load-maps) or what a log cannot show (the files behind
 * its fds, the layout the kernel randomised).
 *
 * execve() models what the kernel makes before the program runs, at the
 * places it uses without randomisation (as under `setarch -R`): the stack
 * of setup_arg_pages() and the vDSO of map_vdso().  The program's own ELF
 * segments and its interpreter are made by load_elf_binary() from the file,
 * which the simulation never reads: a NOTE says so, and whoever replays a
 * real program gives those VMAs (NR_GIVEN_VMA) when it knows them.
 */
#include <string.h>
#include "internal.h"

/* x86-64 STACK_TOP (TASK_SIZE_LOW), not randomised */
#define STACK_TOP TASK_SIZE
/* setup_arg_pages(): stack_expand, 128 KiB below the argument page */
#define STACK_EXPAND (128UL << 10)
/* vdso_image_64: [vvar] 4 pages, [vvar_vclock] 2 pages, [vdso] 2 pages */
#define VVAR_PAGES 4UL
#define VVAR_VCLOCK_PAGES 2UL
#define VDSO_PAGES 2UL

static struct proc *find_proc(const struct machine *m, int pid)
{
	for (struct proc *p = m->procs; p; p = p->next)
		if (p->pid == pid)
			return p;
	return NULL;
}

bool machine_exited(const struct machine *m, int pid)
{
	struct proc *p = find_proc(m, pid);

	return p && (p->exited || p->killed);
}

/* Link a VMA the kernel (or the caller) made whole, and account it. */
static struct vma *link_made_vma(struct machine *m, struct mm *mm,
				 unsigned long start, unsigned long end,
				 vm_flags_t flags, enum vma_special special)
{
	struct vma *v = vm_area_alloc(m, mm);

	if (!v)
		return NULL;
	v->vm_start = start;
	v->vm_end = end;
	v->vm_flags = flags;
	v->vm_pgoff = start >> PAGE_SHIFT;
	v->special = special;
	vma_link_new(m, mm, v);
	vm_stat_account(mm, flags, (long)vma_pages(v));
	return v;
}

/*
 * setup_arg_pages(): the stack VMA ends at STACK_TOP, spans the page that
 * holds argv, envp and auxv (copy_strings wrote them, so that page is
 * present and anonymous) and stack_expand below it.
 */
static int setup_arg_pages(struct machine *m, struct mm *mm)
{
	const vm_flags_t flags = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE |
				 VM_MAYEXEC | VM_GROWSDOWN | VM_ACCOUNT;
	unsigned long end = STACK_TOP, start = end - PAGE_SIZE - STACK_EXPAND;
	struct vma *v = link_made_vma(m, mm, start, end, flags, 0);

	if (!v)
		return -ENOMEM;
	EVENT(m, .kind = EV_VMA_NEW, .code = VMA_FROM_EXEC,
	      .fn = "setup_arg_pages", .v = v, .flags = flags);
	mm->start_stack = end - PAGE_SIZE;
	if (anon_vma_prepare(m, v))
		return -ENOMEM;
	page_add_anon(m, v, end - PAGE_SIZE);
	EVENT(m, .kind = EV_FAULT, .code = PAGE_ANON, .fn = "copy_strings",
	      .v = v, .addr = end - PAGE_SIZE);
	return 0;
}

/*
 * map_vdso(): one get_unmapped_area() for the three special mappings,
 * so they sit just below mmap_base (below the interpreter, in a real
 * exec).  They are VM_DONTEXPAND, so they never merge.
 */
static int map_vdso(struct machine *m, struct mm *mm)
{
	static const struct {
		unsigned long pages;
		vm_flags_t flags;
		enum vma_special special;
	} parts[] = {
		{VVAR_PAGES,
		 VM_READ | VM_MAYREAD | VM_IO | VM_DONTDUMP | VM_PFNMAP |
			 VM_DONTEXPAND,
		 VMA_SPECIAL_VVAR},
		{VVAR_VCLOCK_PAGES,
		 VM_READ | VM_MAYREAD | VM_IO | VM_DONTDUMP | VM_PFNMAP |
			 VM_DONTEXPAND,
		 VMA_SPECIAL_VVAR_VCLOCK},
		{VDSO_PAGES,
		 VM_READ | VM_EXEC | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC |
			 VM_DONTEXPAND,
		 VMA_SPECIAL_VDSO},
	};
	unsigned long len = (VVAR_PAGES + VVAR_VCLOCK_PAGES + VDSO_PAGES)
			    << PAGE_SHIFT;
	unsigned long addr = get_unmapped_area(m, NULL, 0, len, 0, 0);

	if (IS_ERR_VALUE(addr))
		return (int)addr;
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
		unsigned long end = addr + (parts[i].pages << PAGE_SHIFT);
		struct vma *v = link_made_vma(m, mm, addr, end, parts[i].flags,
					      parts[i].special);

		if (!v)
			return -ENOMEM;
		EVENT(m, .kind = EV_VMA_NEW, .code = VMA_FROM_EXEC,
		      .fn = "map_vdso", .v = v, .flags = v->vm_flags);
		addr = end;
	}
	return 0;
}

/* do_close_on_exec() */
static void do_close_on_exec(struct machine *m, struct proc *p)
{
	for (int fd = 0; fd < MAX_FDS; fd++) {
		if (!p->fds[fd] || !p->cloexec[fd])
			continue;
		NOTE(m, NOTE_CLOSE_ON_EXEC, .fn = "do_close_on_exec",
		     .value = (unsigned long)fd);
		fput(m, p->fds[fd]);
		p->fds[fd] = NULL;
		p->cloexec[fd] = false;
	}
}

/*
 * do_open_execat(): the program must be a regular file.  The namespace
 * is flat, so the path is looked up as it is.
 */
static int open_exec(struct machine *m, const char *path)
{
	struct vm_inode *in;

	if (!path || !*path)
		return -ENOENT;
	if (strlen(path) >= 4096)
		return -ENAMETOOLONG;
	in = inode_lookup(m, path);
	if (!in)
		return -ENOENT;
	return in->type == I_REG && !in->shmem ? 0 : -EACCES;
}

/* begin_new_exec() -> exec_mmap(): the old mm goes, a new one comes. */
static long exec_new_mm(struct machine *m, struct proc *p)
{
	struct mm *mm = &p->mm;
	int err;

	mm_destroy(m, mm);
	mm_init(mm);
	mm->pid = p->pid;
	mm->pages.charge = &m->phys_pages;
	do_close_on_exec(m, p);
	err = setup_arg_pages(m, mm);
	if (!err)
		NOTE(m, NOTE_EXEC_NO_ELF, .fn = "load_elf_binary");
	if (!err)
		err = map_vdso(m, mm);
	return err;
}

long sys_execve(struct machine *m, const char *path)
{
	long err;

	op_start(m);
	err = open_exec(m, path);
	if (err)
		return err;
	EV_IN(m, FN_DO_EXECVE);
	/*
	 * Past the point of no return a failure kills the process; the
	 * simulation's only failure here is an injected ENOMEM.
	 */
	err = exec_new_mm(m, m->cur);
	EV_OUT(m, FN_DO_EXECVE);
	if (err)
		sys_exit_group(m, 0);
	return err;
}

/* do_exit(): exit_mm() frees the address space, exit_files() the fds. */
long sys_exit_group(struct machine *m, long status)
{
	struct proc *p = m->cur;

	(void)status;
	op_start(m);
	EV_IN(m, FN_DO_EXIT);
	do_exit(m, p, 0);
	p->exited = true;
	EV_OUT(m, FN_DO_EXIT);
	return 0;
}

/* ---- state given from outside ---- */

static long spawn(struct machine *m)
{
	struct proc *p = proc_new(m);

	open_stdio(m, p);
	return p->pid;
}

/* The inode at path, made if need be, at least size bytes long. */
static struct vm_inode *given_inode(struct machine *m, const char *path,
				    unsigned long size)
{
	struct vm_inode *in = inode_lookup(m, path);

	if (!in)
		in = inode_create(m, path);
	if (in->type == I_REG && in->size < size)
		in->size = size;
	return in;
}

/*
 * The struct file for a given file VMA: a VMA of the same inode in this
 * mm shares its file, as the segments one fd maps do (so that they merge
 * as the real ones would); else a new one.
 */
static struct vm_file *given_file(struct machine *m, struct mm *mm,
				  struct vm_inode *in, const char *path,
				  vm_flags_t flags)
{
	struct vma *v;

	vt_for_each(&mm->tree, v)
	{
		if (v->vm_file && v->vm_file->inode == in) {
			get_file(v->vm_file);
			return v->vm_file;
		}
	}
	return file_open(m, in, path,
			 FMODE_READ |
				 (flags & VM_MAYWRITE && flags & VM_MAYSHARE
					  ? FMODE_WRITE
					  : 0));
}

static struct vm_file *given_deleted(struct machine *m, const char *path,
				     unsigned long size, bool shmem)
{
	struct vm_inode *in = xcalloc(sizeof(*in));

	in->ino = m->next_ino++;
	in->path = eng_strdup(m, path);
	in->size = size;
	in->shmem = shmem;
	in->unlinked = true;
	in->cache.charge = &m->phys_pages;
	return file_open(m, in, path, FMODE_READ | FMODE_WRITE);
}

static bool given_range_ok(const struct mm *mm, unsigned long start,
			   unsigned long end)
{
	return start < end && !(start & ~PAGE_MASK) && !(end & ~PAGE_MASK) &&
	       end <= mm->task_size && start >= MMAP_MIN_ADDR;
}

static struct vm_file *given_vma_file(struct machine *m, struct mm *mm,
				      const unsigned long *a, const char *path)
{
	unsigned long size = (a[2] << PAGE_SHIFT) + (a[1] - a[0]);

	switch ((enum given_kind)a[4]) {
	case GIVEN_FILE:
		return given_file(m, mm, given_inode(m, path, size), path,
				  a[3]);
	case GIVEN_FILE_DELETED:
		return given_deleted(m, path, size, false);
	case GIVEN_SHMEM:
		return given_deleted(m, "/dev/zero", size, true);
	default:
		return NULL;
	}
}

static long given_vma(struct machine *m, const unsigned long *a,
		      const char *path)
{
	static const enum vma_special specials[GIVEN__COUNT] = {
		[GIVEN_VVAR] = VMA_SPECIAL_VVAR,
		[GIVEN_VVAR_VCLOCK] = VMA_SPECIAL_VVAR_VCLOCK,
		[GIVEN_VDSO] = VMA_SPECIAL_VDSO,
		[GIVEN_RESERVED] = VMA_SPECIAL_RESERVED,
	};
	struct mm *mm = cur_mm(m);
	enum given_kind kind = (enum given_kind)a[4];
	struct vma *v, *in_way;

	if (!given_range_ok(mm, a[0], a[1]) || a[4] >= GIVEN__COUNT)
		return -EINVAL;
	if ((kind == GIVEN_FILE || kind == GIVEN_FILE_DELETED) &&
	    (!path || !*path))
		return -EINVAL;
	in_way = vt_find(&mm->tree, a[0]);
	if (in_way && in_way->vm_start < a[1])
		return -EEXIST;
	v = link_made_vma(m, mm, a[0], a[1], a[3], specials[kind]);
	if (!v)
		return -ENOMEM;
	/* Taken, but in no counter: undo link_made_vma's account. */
	if (kind == GIVEN_RESERVED)
		vm_stat_account(mm, v->vm_flags, -(long)vma_pages(v));
	v->vm_file = given_vma_file(m, mm, a, path);
	if (v->vm_file)
		v->vm_pgoff = a[2];
	if (kind == GIVEN_HEAP) {
		mm->start_brk = a[0];
		mm->brk = a[1];
	} else if (kind == GIVEN_STACK) {
		mm->start_stack = a[1] - PAGE_SIZE;
	}
	EVENT(m, .kind = EV_VMA_NEW, .code = VMA_FROM_GIVEN, .fn = "given",
	      .v = v, .flags = v->vm_flags);
	return 0;
}

/* linear_page_index() */
static unsigned long page_index(const struct vma *v, unsigned long addr)
{
	return ((addr - v->vm_start) >> PAGE_SHIFT) + v->vm_pgoff;
}

static long given_pages(struct machine *m, unsigned long addr,
			unsigned long len, unsigned long kind)
{
	struct mm *mm = cur_mm(m);
	unsigned long end = PAGE_ALIGN(addr + len);

	addr &= PAGE_MASK;
	if (end < addr || !kind || kind > PAGE_ZERO)
		return -EINVAL;
	for (unsigned long a = addr; a < end; a += PAGE_SIZE) {
		struct vma *v = vt_find(&mm->tree, a);

		if (!v || v->vm_start > a)
			return -EFAULT;
		if (kind == PAGE_ANON && anon_vma_prepare(m, v))
			return -ENOMEM;
		if (kind == PAGE_FILE && v->vm_file)
			pages_add(m, &v->vm_file->inode->cache,
				  page_index(v, a) << PAGE_SHIFT,
				  (page_index(v, a) + 1) << PAGE_SHIFT,
				  PAGE_FILE);
		if (kind == PAGE_ANON)
			page_add_anon(m, v, a);
		else
			pages_add(m, &mm->pages, a, a + PAGE_SIZE,
				  (enum page_kind)kind);
		EVENT(m, .kind = EV_FAULT, .code = (int)kind, .fn = "given",
		      .v = v, .addr = a);
	}
	return 0;
}

static long given_fd(struct machine *m, unsigned long fd, unsigned long flags,
		     const char *path)
{
	static const unsigned modes[4] = {FMODE_READ, FMODE_WRITE,
					  FMODE_READ | FMODE_WRITE, 0};
	struct vm_inode *in;

	if (fd >= MAX_FDS)
		return -EBADF;
	if (!path || !*path)
		return -ENOENT;
	in = given_inode(m, path, 0);
	fd_install(m, m->cur, (unsigned)fd,
		   file_open(m, in, path, modes[flags & O_ACCMODE]),
		   (flags & O_CLOEXEC) != 0);
	return (long)fd;
}

static long layout(struct machine *m, unsigned long field, unsigned long v)
{
	struct mm *mm = cur_mm(m);

	if (v & ~PAGE_MASK && field != LAYOUT_START_STACK)
		return -EINVAL;
	if (v > mm->task_size)
		return -EINVAL;
	switch (field) {
	case LAYOUT_MMAP_BASE:
		mm->mmap_base = v;
		return 0;
	case LAYOUT_BRK:
		/* Only before the heap exists: the brk area starts here. */
		if (mm->brk != mm->start_brk)
			return -EBUSY;
		mm->start_brk = mm->brk = v;
		return 0;
	case LAYOUT_START_STACK:
		mm->start_stack = v;
		return 0;
	case LAYOUT_EMPTY:
		mm_destroy(m, mm);
		mm_init(mm);
		mm->pid = m->cur->pid;
		mm->pages.charge = &m->phys_pages;
		return 0;
	default:
		return -EINVAL;
	}
}

long given_call(struct machine *m, int nr, const unsigned long *a,
		const char *path)
{
	op_start(m);
	switch (nr) {
	case NR_SPAWN:
		return spawn(m);
	case NR_GIVEN_VMA:
		return given_vma(m, a, path);
	case NR_GIVEN_PAGES:
		return given_pages(m, a[0], a[1], a[2]);
	case NR_GIVEN_FILE:
		if (!path || !*path)
			return -ENOENT;
		return given_inode(m, path, a[0])->type == I_REG ? 0 : -EISDIR;
	case NR_GIVEN_FD:
		return given_fd(m, a[0], a[1], path);
	case NR_LAYOUT:
		return layout(m, a[0], a[1]);
	default:
		return -ENOSYS;
	}
}

long machine_get_unmapped_area(struct machine *m, long fd, unsigned long addr,
			       unsigned long len, unsigned long pgoff,
			       unsigned long flags)
{
	struct vm_file *file = NULL;
	int nobs = m->nobs;
	unsigned long ret;

	if (!(flags & MAP_ANONYMOUS)) {
		file = fget(m, fd);
		if (!file)
			return -EBADF;
	}
	if (!len)
		return -EINVAL;
	len = PAGE_ALIGN(len);
	if (!len)
		return -ENOMEM;
	if (flags & MAP_FIXED_NOREPLACE)
		flags |= MAP_FIXED;
	if (!(flags & MAP_FIXED)) {
		addr &= PAGE_MASK;
		if (addr && addr < m->params.mmap_min_addr)
			addr = PAGE_ALIGN(m->params.mmap_min_addr);
	}
	/* A question, not a step: nobody is told. */
	m->nobs = 0;
	ret = get_unmapped_area(m, file, addr, len, pgoff, flags);
	m->nobs = nobs;
	return (long)ret;
}
