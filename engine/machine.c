/*
 * machine.c - the simulated machine: processes with their fd tables, the
 * namespace of simulated inodes, the lifetimes of VMAs and files, and fork.
 *
 * Allocations that can fail in the kernel (VMAs, anon_vmas, chains, tree
 * nodes) go through eng_zalloc(), which a test can make fail on the nth
 * call.  Everything else treats running out of host memory as fatal.
 */
#include <string.h>
#include "internal.h"

void *xcalloc(size_t size)
{
	void *p = calloc(1, size);

	if (!p)
		abort();
	return p;
}

bool eng_fail_point(struct machine *m)
{
	return m->fail_after && --m->fail_after == 0;
}

void *eng_zalloc(struct machine *m, size_t size)
{
	if (eng_fail_point(m))
		return NULL;
	return xcalloc(size);
}

#if defined(__SANITIZE_ADDRESS__)
#define POOLS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOLS 0
#endif
#endif
#ifndef POOLS
#define POOLS 1
#endif

void *eng_pool_get(struct machine *m, void **list, size_t size)
{
	void *p = *list;

	if (m->fail_after && --m->fail_after == 0)
		return NULL;
	if (!p)
		return xcalloc(size);
	*list = *(void **)p;
	memset(p, 0, size);
	return p;
}

void eng_pool_put(void **list, void *p)
{
	if (!POOLS) {
		free(p);
		return;
	}
	*(void **)p = *list;
	*list = p;
}

static void pool_free(void **list)
{
	while (*list) {
		void *p = *list;

		*list = *(void **)p;
		free(p);
	}
}

char *eng_strdup(struct machine *m, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = xcalloc(n);

	(void)m;
	memcpy(p, s, n);
	return p;
}

void machine_set_poll(struct machine *m, machine_poll_fn poll, void *arg)
{
	m->poll = poll;
	m->poll_arg = arg;
}

unsigned long machine_stopped_at(const struct machine *m)
{
	return m->poll_stopped;
}

void machine_set_max_map_count(struct machine *m, int n)
{
	m->max_map_count = n;
	m->params.max_map_count = n;
}

const struct machine_params *machine_get_params(const struct machine *m)
{
	return &m->params;
}

void machine_fail_alloc_after(struct machine *m, unsigned long n)
{
	m->fail_after = n;
}

void mm_init(struct mm *mm)
{
	memset(mm, 0, sizeof(*mm));
	vt_init(&mm->tree);
	mm->mmap_base = MMAP_BASE;
	mm->task_size = TASK_SIZE;
	mm->start_brk = mm->brk = START_BRK;
}

struct proc *proc_new(struct machine *m)
{
	struct proc *p = xcalloc(sizeof(*p)), **link;

	p->pid = m->next_pid++;
	mm_init(&p->mm);
	p->mm.pid = p->pid;
	p->mm.pages.charge = &m->phys_pages;
	/* Keep the list sorted by pid: pids only grow, so append. */
	for (link = &m->procs; *link; link = &(*link)->next)
		;
	*link = p;
	return p;
}

/*
 * The first process starts with fds 0-2 open on /dev/null (read-write), as
 * verify's real processes do, so that the script's first openat gets 3.
 */
void open_stdio(struct machine *m, struct proc *p)
{
	struct vm_inode *null = xcalloc(sizeof(*null));

	null->ino = m->next_ino++;
	null->path = eng_strdup(m, "/dev/null");
	null->type = I_CHR;
	for (int fd = 0; fd < 3; fd++)
		p->fds[fd] = file_open(m, null, "/dev/null",
				       FMODE_READ | FMODE_WRITE);
	/* Not in the namespace: freed with its last file, like shmem. */
	null->unlinked = true;
}

const char *const mutation_names[NR_MUTATIONS] = {
	[MUT_MERGE_FLAGS] = "merge-flags",
	[MUT_MERGE_ACCOUNT] = "merge-account",
	[MUT_MERGE_FILE_STRUCT] = "merge-file-struct",
	[MUT_MERGE_PGOFF] = "merge-pgoff",
	[MUT_MERGE_ANON_VMA] = "merge-anon-vma",
	[MUT_MERGE_DUP_ANON_VMA] = "merge-dup-anon-vma",
	[MUT_MERGE_FORK_CHILD_TGT] = "merge-fork-child-target",
	[MUT_MERGE_FORK_CHILD_SRC] = "merge-fork-child-source",
	[MUT_MERGE_COPIED_FORK_CHILD] = "merge-copied-fork-child",
	[MUT_MERGE_PREV_NEXT] = "merge-prev-next",
	[MUT_MERGE_BEFORE_SPLIT] = "merge-before-split",
	[MUT_MERGE_NEW_RANGE] = "merge-new-range",
	[MUT_ANON_VMA_REUSE] = "anon-vma-reuse",
	[MUT_ANON_VMA_REUSE_PGOFF] = "anon-vma-reuse-pgoff",
	[MUT_ANON_VMA_REUSE_SINGULAR] = "anon-vma-reuse-singular",
	[MUT_ANON_VMA_REUSE_FLAGS] = "anon-vma-reuse-flags",
	[MUT_ANON_VMA_CLONE_REUSE] = "anon-vma-clone-reuse",
	[MUT_ANON_VMA_FORK_OWN] = "anon-vma-fork-own",
	[MUT_COW_FAULT_ANON_VMA] = "cow-fault-anon-vma",
	[MUT_ZERO_PAGE] = "zero-page",
	[MUT_FAULT_AROUND] = "fault-around",
	[MUT_READ_AROUND] = "read-around",
	[MUT_READAHEAD_MARK] = "readahead-mark",
	[MUT_ASYNC_READAHEAD] = "async-readahead",
	[MUT_FOLIO_WHOLE] = "folio-fault-around",
	[MUT_FORK_COPY_PTES] = "fork-copy-ptes",
	[MUT_FORK_DONTCOPY] = "fork-dontcopy",
	[MUT_FORK_WIPEONFORK] = "fork-wipeonfork",
	[MUT_FORK_UNLOCK] = "fork-unlock",
	[MUT_MPROTECT_CHARGE] = "mprotect-charge",
	[MUT_MPROTECT_UNCHARGE] = "mprotect-uncharge",
	[MUT_MPROTECT_HOLE] = "mprotect-hole",
	[MUT_MSEAL_UNMAPPED] = "mseal-unmapped",
	[MUT_MSEAL_MUNMAP] = "mseal-munmap",
	[MUT_MSEAL_MPROTECT] = "mseal-mprotect",
	[MUT_MADVISE_HOLES] = "madvise-holes",
	[MUT_MADVISE_FREE] = "madvise-free",
	[MUT_STACK_GUARD_GAP] = "stack-guard-gap",
	[MUT_STACK_RLIMIT] = "stack-rlimit",
	[MUT_BRK_NEXT_GAP] = "brk-next-gap",
	[MUT_MMAP_POPULATE] = "mmap-populate",
	[MUT_MLOCK_POPULATE] = "mlock-populate",
	[MUT_TRUNCATE_PRIVATE] = "truncate-private",
	[MUT_MREMAP_PGOFF] = "mremap-pgoff",
	[MUT_MREMAP_DONTUNMAP_UNLOCK] = "mremap-dontunmap-unlock",
	[MUT_OVERCOMMIT_GUESS] = "overcommit-guess",
	[MUT_FIXED_NOREPLACE] = "fixed-noreplace",
	[MUT_THP_ALIGN] = "thp-align",
};

int mutation_lookup(const char *name)
{
	for (int i = 1; i < NR_MUTATIONS; i++)
		if (mutation_names[i] && !strcmp(mutation_names[i], name))
			return i;
	return -1;
}

void machine_params_default(struct machine_params *p)
{
	p->zero_page = true;
	p->exec_only_pkey = false;
	p->fault_around_pages = 16;
	p->ra_pages = 2048;
	p->file_folio_order = 9;
	p->max_map_count = DEFAULT_MAX_MAP_COUNT;
	p->mem_total_kb = DEFAULT_MEM_TOTAL_KB;
	p->swap_total_kb = 0;
	p->overcommit_memory = OVERCOMMIT_GUESS;
	p->overcommit_ratio = 50;
	p->overcommit_kbytes = 0;
	p->admin_reserve_kb = 8192;
	p->user_reserve_kb = DEFAULT_USER_RESERVE_KB;
	p->cap_sys_admin = true; /* verify's child runs as root here */
	p->threads_max = DEFAULT_THREADS_MAX;
	p->pid_max = DEFAULT_PID_MAX;
	p->mutate = MUT_NONE;
	p->mmap_min_addr = DEFAULT_LSM_MMAP_MIN_ADDR;
}

struct machine *machine_new(void)
{
	struct machine_params p;

	machine_params_default(&p);
	return machine_new_params(&p);
}

struct machine *machine_new_params(const struct machine_params *p)
{
	struct machine *m = xcalloc(sizeof(*m));

	m->next_pid = 1;
	m->next_ino = 1;
	m->params = *p;
	if (!m->params.fault_around_pages)
		m->params.fault_around_pages = 1;
	m->max_map_count = p->max_map_count;
	m->mem_pages =
		(p->mem_total_kb + p->swap_total_kb) / (PAGE_SIZE / 1024);
	m->cur = proc_new(m);
	open_stdio(m, m->cur);
	return m;
}

void close_all_fds(struct machine *m, struct proc *p)
{
	for (int fd = 0; fd < MAX_FDS; fd++) {
		if (p->fds[fd]) {
			fput(m, p->fds[fd]);
			p->fds[fd] = NULL;
		}
		p->cloexec[fd] = false;
	}
}

void machine_free(struct machine *m)
{
	struct proc *p, *pn;
	struct vm_inode *in, *inn;

	if (!m)
		return;
	m->nobs = 0; /* a machine going away tells nobody */
	check_free(m);
	for (p = m->procs; p; p = pn) {
		pn = p->next;
		close_all_fds(m, p);
		mm_destroy(m, &p->mm);
		free(p);
	}
	for (in = m->inodes; in; in = inn) {
		inn = in->next;
		pages_free(&in->cache);
		free(in->path);
		free(in);
	}
	pool_free(&m->free_vmas);
	pool_free(&m->free_avcs);
	free(m);
}

int machine_current_pid(const struct machine *m)
{
	return m->cur->pid;
}

static struct proc *find_proc(const struct machine *m, int pid)
{
	for (struct proc *p = m->procs; p; p = p->next)
		if (p->pid == pid)
			return p;
	return NULL;
}

int machine_switch(struct machine *m, int pid)
{
	struct proc *p = find_proc(m, pid);

	if (!p)
		return -ESRCH;
	m->cur = p;
	return 0;
}

int machine_pids(const struct machine *m, int *pids, int max)
{
	int n = 0;

	for (struct proc *p = m->procs; p; p = p->next, n++)
		if (n < max)
			pids[n] = p->pid;
	return n;
}

const struct mm *machine_mm(const struct machine *m, int pid)
{
	struct proc *p = find_proc(m, pid);

	return p ? &p->mm : NULL;
}

const struct vm_file *machine_fd(const struct machine *m, int pid, int fd)
{
	struct proc *p = find_proc(m, pid);

	if (!p || fd < 0 || fd >= MAX_FDS)
		return NULL;
	return p->fds[fd];
}

int machine_fd_table(const struct machine *m, int pid,
		     const struct vm_file *const **fds)
{
	struct proc *p = find_proc(m, pid);

	*fds = p ? (const struct vm_file *const *)p->fds : NULL;
	return p ? MAX_FDS : 0;
}

struct mm *cur_mm(struct machine *m)
{
	return &m->cur->mm;
}

/*
 * vma_start_write() marks a VMA write-locked until the mmap_lock is dropped.
 * A second call in the same operation is a no-op in the kernel, so it is
 * traced once per operation.
 */
void vma_start_write(struct machine *m, struct vma *v)
{
	if (v->lock_seq == m->op_seq)
		return;
	v->lock_seq = m->op_seq;
	m->vma_writes++;
	if (m->chk)
		check_note_lock(m, v);
	EVENT(m, .kind = EV_LOCK, .fn = "vma_start_write", .v = v);
}

void op_start(struct machine *m)
{
	if (m->chk)
		check_op_start(m);
	m->op_seq++;
}

struct vma *vm_area_alloc(struct machine *m, struct mm *mm)
{
	struct vma *v = eng_pool_get(m, &m->free_vmas, sizeof(*v));

	if (!v)
		return NULL;
	v->mm = mm;
	v->id = ++m->next_vma_id;
	return v;
}

/* vm_area_dup(): a copy that shares file and anon_vma but has no chain. */
struct vma *vm_area_dup(struct machine *m, struct vma *src)
{
	struct vma *v = vm_area_alloc(m, src->mm);

	if (!v)
		return NULL;
	v->vm_start = src->vm_start;
	v->vm_end = src->vm_end;
	v->vm_pgoff = src->vm_pgoff;
	v->vm_flags = src->vm_flags;
	v->vm_file = src->vm_file;
	v->anon_vma = src->anon_vma;
	v->unmerged_prev = src->unmerged_prev;
	v->unmerged_next = src->unmerged_next;
	v->special = src->special;
	return v;
}

void vm_area_free(struct machine *m, struct vma *v)
{
	eng_pool_put(&m->free_vmas, v);
}

void get_file(struct vm_file *f)
{
	f->refcount++;
}

static void iput(struct machine *m, struct vm_inode *in)
{
	if (--in->refcount > 0 || !in->unlinked)
		return;
	/* An unlinked shmem inode goes with its last file. */
	m->shmem_committed -= in->acct_pages;
	pages_free(&in->cache);
	free(in->path);
	free(in);
}

void fput(struct machine *m, struct vm_file *f)
{
	if (--f->refcount > 0)
		return;
	iput(m, f->inode);
	free(f->path);
	free(f);
}

struct vm_file *file_open(struct machine *m, struct vm_inode *in,
			  const char *path, unsigned f_mode)
{
	struct vm_file *f = xcalloc(sizeof(*f));

	f->id = ++m->next_file_id;
	f->inode = in;
	f->path = eng_strdup(m, path);
	f->f_mode = f_mode;
	f->refcount = 1;
	in->refcount++;
	return f;
}

/*
 * shmem_zero_setup(): a shared anonymous mapping is backed by a new,
 * unlinked shmem file "/dev/zero" the size of the mapping.  Each mmap makes
 * its own, which is why two such mappings never merge.
 */
struct vm_file *shmem_zero_setup(struct machine *m, unsigned long size)
{
	struct vm_inode *in = xcalloc(sizeof(*in));

	in->ino = m->next_ino++;
	in->cache.charge = &m->phys_pages;
	in->cache.page_cache = true;
	in->path = eng_strdup(m, "/dev/zero");
	in->size = size;
	in->shmem = true;
	in->unlinked = true;
	return file_open(m, in, "/dev/zero", FMODE_READ | FMODE_WRITE);
}

void mm_destroy(struct machine *m, struct mm *mm)
{
	struct vma *v, *next;

	/* exit_mmap(): unmap_vmas() before free_pgtables() unlinks. */
	pages_free(&mm->pages);
	for (v = vt_first(&mm->tree); v; v = next) {
		next = vt_next(v);
		EVENT(m, .kind = EV_VMA_FREE, .code = VMA_GONE_EXIT,
		      .fn = "exit_mmap", .v = v);
		if (m->chk)
			check_note_exit(m, v);
		unlink_anon_vmas(m, v);
		if (v->vm_file)
			fput(m, v->vm_file);
		vm_area_free(m, v);
	}
	/* The tree goes whole (its leaves still name the freed VMAs). */
	vt_destroy(&mm->tree);
}

/* ---- the file system and the fd table ---- */

static struct vm_inode *lookup_inode(struct machine *m, const char *path)
{
	for (struct vm_inode *in = m->inodes; in; in = in->next)
		if (strcmp(in->path, path) == 0)
			return in;
	return NULL;
}

/* out = the first n bytes of s, cut to fit (names are < PATH_MAX here). */
static void copy_name(char *out, size_t len, const char *s, size_t n)
{
	if (n >= len)
		n = len - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

/*
 * Paths are kept lexically: "./a" and "a" name one file.  The namespace is
 * flat: the working directory ("." or "..") is the only directory, so a
 * relative path through any other directory does not exist.
 */
static void normalize_path(const char *path, char *out, size_t len)
{
	while (path[0] == '.' && path[1] == '/') {
		path += 2;
		while (*path == '/')
			path++;
	}
	copy_name(out, len, *path ? path : ".", strlen(path));
}

/* PATH_MAX and NAME_MAX (255 per component): ENAMETOOLONG. */
static int name_too_long(const char *path)
{
	size_t comp = 0;

	if (strlen(path) >= 4096)
		return -ENAMETOOLONG;
	for (const char *p = path; *p; p++) {
		comp = *p == '/' ? 0 : comp + 1;
		if (comp > 255)
			return -ENAMETOOLONG;
	}
	return 0;
}

/*
 * "name/" must be a directory: a regular file is ENOTDIR, a new name with
 * O_CREAT is EISDIR (open_last_lookups), without it ENOENT.
 */
static int trailing_slash(struct machine *m, const char *path,
			  unsigned long flags)
{
	size_t n = strlen(path);
	char name[4096];

	if (n < 2 || path[n - 1] != '/')
		return 0;
	while (n > 0 && path[n - 1] == '/')
		n--;
	/* "///" is the root directory, which a trailing slash suits. */
	if (!n)
		return 0;
	copy_name(name, sizeof(name), path, n);
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return 0;
	if (lookup_inode(m, name))
		return -ENOTDIR;
	return flags & O_CREAT ? -EISDIR : -ENOENT;
}

/* ".", "..", or the root directory ("/", "//", ...). */
static bool is_dir_name(const char *name)
{
	return !strcmp(name, ".") || !strcmp(name, "..") ||
	       (name[0] == '/' && !name[strspn(name, "/")]);
}

/*
 * The path walk: ENOENT for a missing directory on the way, ENOTDIR for a
 * regular file used as one.  Returns 0 when name is a plain name.
 */
static int walk_path(struct machine *m, const char *name)
{
	const char *slash = strchr(name, '/');
	char first[4096];

	if (name[0] == '/' || !slash)
		return 0;
	copy_name(first, sizeof(first), name, (size_t)(slash - name));
	if (is_dir_name(first))
		return walk_path(m, slash + 1);
	return lookup_inode(m, first) ? -ENOTDIR : -ENOENT;
}

static struct vm_inode *new_inode(struct machine *m, const char *name, int type)
{
	struct vm_inode *in = xcalloc(sizeof(*in));

	in->ino = m->next_ino++;
	in->cache.charge = &m->phys_pages;
	in->cache.page_cache = true;
	in->path = eng_strdup(m, name);
	in->type = type;
	in->next = m->inodes;
	m->inodes = in;
	return in;
}

/* do_open()/may_open() checks of an existing inode against the flags. */
static int may_open(const struct vm_inode *in, unsigned long flags)
{
	if ((flags & O_CREAT) && (flags & O_EXCL))
		return -EEXIST;
	if (in->type == I_DIR) {
		if ((flags & O_CREAT) || (flags & O_ACCMODE) != O_RDONLY ||
		    (flags & O_TRUNC))
			return -EISDIR;
	} else if (flags & O_DIRECTORY) {
		return -ENOTDIR;
	}
	return 0;
}

/* fds are unsigned int to the kernel: higher bits of the argument go. */
static struct vm_file *fd_get(struct machine *m, long fd)
{
	unsigned int ufd = (unsigned int)fd;

	if (ufd >= MAX_FDS)
		return NULL;
	return m->cur->fds[ufd];
}

long sys_openat(struct machine *m, long dirfd, const char *path,
		unsigned long flags, unsigned long mode)
{
	struct vm_inode *in;
	char name[4096];
	unsigned f_mode;
	int fd, err;

	(void)mode;
	op_start(m);
	if (!path || !*path)
		return -ENOENT;
	err = name_too_long(path);
	if (err)
		return err;
	/* O_PATH ignores every flag but O_DIRECTORY/O_NOFOLLOW/O_CLOEXEC. */
	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY;
	/* build_open_flags(): O_CREAT|O_DIRECTORY is EINVAL since 6.4 */
	if ((flags & O_CREAT) && (flags & O_DIRECTORY))
		return -EINVAL;
	if (path[0] != '/' && (int)dirfd != AT_FDCWD) {
		struct vm_file *dir = fd_get(m, dirfd);

		if (!dir)
			return -EBADF;
		/* Only the working directory is modelled as an fd's dir. */
		if (dir->inode->type != I_DIR || strcmp(dir->inode->path, "."))
			return dir->inode->type == I_DIR ? -ENOENT : -ENOTDIR;
	}
	err = trailing_slash(m, path, flags);
	if (err)
		return err;
	normalize_path(path, name, sizeof(name));
	err = walk_path(m, name);
	if (err)
		return err;
	in = lookup_inode(m, name);
	if (!in && is_dir_name(name))
		in = new_inode(m, name, I_DIR);
	if (!in && !(flags & O_CREAT))
		return -ENOENT;
	if (in) {
		err = may_open(in, flags);
		if (err)
			return err;
	}
	for (fd = 0; fd < MAX_FDS && m->cur->fds[fd]; fd++)
		;
	if (fd == MAX_FDS)
		return -EMFILE;
	if (!in)
		in = new_inode(m, name, I_REG);
	switch (flags & O_PATH ? -1 : (long)(flags & O_ACCMODE)) {
	case O_RDONLY:
		f_mode = FMODE_READ;
		break;
	case O_WRONLY:
		f_mode = FMODE_WRITE;
		break;
	case O_RDWR:
		f_mode = FMODE_READ | FMODE_WRITE;
		break;
	case O_ACCMODE:
		f_mode = 0;
		break;
	default:
		f_mode = FMODE_PATH;
		break;
	}
	/* handle_truncate(): O_TRUNC needs write permission, not FMODE_WRITE */
	if ((flags & O_TRUNC) && !(flags & O_PATH) && in->type == I_REG &&
	    in->size) {
		in->size = 0;
		truncate_inode_mappings(m, in, 0);
	}
	m->cur->fds[fd] = file_open(m, in, path, f_mode);
	m->cur->cloexec[fd] = (flags & O_CLOEXEC) != 0;
	return fd;
}

struct vm_inode *inode_lookup(struct machine *m, const char *path)
{
	char name[4096];

	normalize_path(path, name, sizeof(name));
	return lookup_inode(m, name);
}

struct vm_inode *inode_create(struct machine *m, const char *path)
{
	char name[4096];

	normalize_path(path, name, sizeof(name));
	return new_inode(m, name, I_REG);
}

void fd_install(struct machine *m, struct proc *p, unsigned fd,
		struct vm_file *f, bool cloexec)
{
	struct vm_file *old = p->fds[fd];

	p->fds[fd] = f;
	p->cloexec[fd] = cloexec;
	if (old)
		fput(m, old);
}

/* The lowest free fd at or above from, or -EMFILE. */
static long alloc_fd(struct proc *p, unsigned from)
{
	for (unsigned fd = from; fd < MAX_FDS; fd++)
		if (!p->fds[fd])
			return fd;
	return -EMFILE;
}

/* dup(): the same open file at the lowest free fd, without FD_CLOEXEC. */
long sys_dup(struct machine *m, long oldfd)
{
	struct vm_file *f = fd_get(m, oldfd);
	long fd;

	m->op_seq++;
	if (!f)
		return -EBADF;
	fd = alloc_fd(m->cur, 0);
	if (fd < 0)
		return fd;
	get_file(f);
	fd_install(m, m->cur, (unsigned)fd, f, false);
	return fd;
}

/*
 * dup3() (fs/file.c ksys_dup3, do_dup2): newfd, closed first if open,
 * holds oldfd's file.  flags may be only O_CLOEXEC; oldfd == newfd is
 * EINVAL.  dup2() is the same but returns newfd for oldfd == newfd.
 */
long sys_dup3(struct machine *m, long oldfd, long newfd, unsigned long flags)
{
	struct vm_file *f;

	m->op_seq++;
	if (flags & ~(unsigned long)O_CLOEXEC)
		return -EINVAL;
	if ((unsigned int)oldfd == (unsigned int)newfd)
		return -EINVAL;
	if ((unsigned int)newfd >= MAX_FDS)
		return -EBADF;
	f = fd_get(m, oldfd);
	if (!f)
		return -EBADF;
	get_file(f);
	fd_install(m, m->cur, (unsigned int)newfd, f, flags & O_CLOEXEC);
	return (unsigned int)newfd;
}

long sys_dup2(struct machine *m, long oldfd, long newfd)
{
	if ((unsigned int)oldfd == (unsigned int)newfd) {
		m->op_seq++;
		return fd_get(m, oldfd) ? (long)(unsigned int)newfd : -EBADF;
	}
	return sys_dup3(m, oldfd, newfd, 0);
}

/* fget(): an O_PATH fd is not an open file for mmap or ftruncate. */
struct vm_file *fget(struct machine *m, long fd)
{
	struct vm_file *f = fd_get(m, fd);

	return f && !(f->f_mode & FMODE_PATH) ? f : NULL;
}

long sys_close(struct machine *m, long fd)
{
	struct vm_file *f = fd_get(m, fd);

	op_start(m);
	if (!f)
		return -EBADF;
	m->cur->fds[(unsigned int)fd] = NULL;
	m->cur->cloexec[(unsigned int)fd] = false;
	fput(m, f);
	return 0;
}

/* ext4's s_maxbytes with 4 KiB blocks: 16 TiB - 4 KiB (ext4_max_size). */
#define FILE_SIZE_MAX 0xffffffff000UL

long sys_ftruncate(struct machine *m, long fd, unsigned long len)
{
	struct vm_file *f = fget(m, fd);
	struct vm_inode *in;

	op_start(m);
	/* do_sys_ftruncate(): the length is checked before the fd */
	if ((long)len < 0)
		return -EINVAL;
	if (!f)
		return -EBADF;
	if (f->inode->type != I_REG || !(f->f_mode & FMODE_WRITE))
		return -EINVAL;
	if (len > FILE_SIZE_MAX)
		return -EFBIG;
	in = f->inode;
	if (len < in->size)
		truncate_inode_mappings(m, in, len);
	/* ext4_setattr(): the block at the new EOF is zeroed past it
	 * (ext4_truncate), or, growing, the block at the old one */
	ext4_block_truncate_page(m, in, len <= in->size ? len : in->size);
	in->size = len;
	NOTE(m, NOTE_TRUNCATE, .fn = "do_truncate", .value = len);
	return 0;
}

/* ---- fork ---- */

/*
 * vma_needs_copy(): page tables are copied only where a fault could not
 * fill them again: VMAs with an anon_vma (or PFN maps), and those that
 * may hold guard markers (VM_COPY_ON_FORK: VM_MAYBE_GUARD), file pages
 * and all.
 */
static bool vma_needs_copy(const struct vma *src)
{
	return (src->vm_flags & (VM_PFNMAP | VM_MIXEDMAP | VM_MAYBE_GUARD)) ||
	       src->anon_vma;
}

static int dup_vma(struct machine *m, struct mm *mm, struct mm *oldmm,
		   struct vma *mpnt, unsigned long *committed)
{
	struct vma *tmp;
	bool wipe = (mpnt->vm_flags & VM_WIPEONFORK) &&
		    !MUTATED(m, MUT_FORK_WIPEONFORK);

	vma_start_write(m, mpnt);
	if ((mpnt->vm_flags & VM_DONTCOPY) && !MUTATED(m, MUT_FORK_DONTCOPY)) {
		NOTE(m, NOTE_DUP_SKIP_DONTCOPY, .fn = "dup_mmap", .v = mpnt);
		/* A reserved VMA (GIVEN_RESERVED) was never counted. */
		if (mpnt->special != VMA_SPECIAL_RESERVED)
			vm_stat_account(mm, mpnt->vm_flags,
					-(long)vma_pages(mpnt));
		return 0;
	}
	/* The child's copy is committed too. */
	if (mpnt->vm_flags & VM_ACCOUNT) {
		if (vm_enough_memory_at(m, oldmm, (long)vma_pages(mpnt),
					*committed))
			return -ENOMEM;
		*committed += vma_pages(mpnt);
	}
	tmp = vm_area_dup(m, mpnt);
	if (!tmp)
		return -ENOMEM;
	tmp->mm = mm;
	if (wipe) {
		tmp->anon_vma = NULL;
	} else if (anon_vma_fork(m, tmp, mpnt)) {
		vm_area_free(m, tmp);
		return -ENOMEM;
	}
	/* The child is not re-merged where these make neighbours alike. */
	if (tmp->vm_flags & (VM_LOCKED_MASK | VM_WIPEONFORK))
		tmp->unmerged_prev = tmp->unmerged_next = true;
	if (!MUTATED(m, MUT_FORK_UNLOCK))
		tmp->vm_flags &= ~VM_LOCKED_MASK;
	vt_insert(&mm->tree, tmp);
	mm->map_count++;
	EVENT(m, .kind = EV_VMA_NEW, .code = VMA_FROM_FORK, .fn = "dup_mmap",
	      .v = tmp, .o = mpnt, .flags = tmp->vm_flags);
	if (tmp->vm_file)
		get_file(tmp->vm_file);
	if (!wipe && (vma_needs_copy(mpnt) || MUTATED(m, MUT_FORK_COPY_PTES)))
		pages_copy(m, &mm->pages, &oldmm->pages, mpnt->vm_start,
			   mpnt->vm_end);
	return 0;
}

/*
 * do_exit() of a process killed by sig: exit_files() and exit_mmap().  It
 * stays in the process table as a zombie (no parent reaps it here), with
 * an empty mm and no files.
 */
void do_exit(struct machine *m, struct proc *p, int sig)
{
	close_all_fds(m, p);
	mm_destroy(m, &p->mm);
	mm_init(&p->mm);
	p->mm.pid = p->pid;
	p->mm.pages.charge = &m->phys_pages;
	p->sigkill = false;
	p->killed = sig;
}

unsigned long machine_mem_used(const struct machine *m)
{
	return m->phys_pages;
}

unsigned long machine_mem_pages(const struct machine *m)
{
	return m->mem_pages;
}

int machine_proc_killed(const struct machine *m, int pid)
{
	struct proc *p = find_proc(m, pid);

	return p ? p->killed : 0;
}

static void proc_remove(struct machine *m, struct proc *p)
{
	struct proc **link;

	for (link = &m->procs; *link != p; link = &(*link)->next)
		;
	*link = p->next;
	close_all_fds(m, p);
	mm_destroy(m, &p->mm);
	free(p);
}

/* dup_mmap() (mm/mmap.c): copy the VMA tree one to one, never re-merging. */
long sys_fork(struct machine *m)
{
	struct proc *parent = m->cur, *child;
	struct mm *oldmm = &parent->mm, *mm;
	struct vma *mpnt;
	unsigned long committed = 0;
	int nr_threads = 0;

	op_start(m);
	/* copy_process(): every task counts until it is reaped */
	for (struct proc *p = m->procs; p; p = p->next)
		nr_threads++;
	if (nr_threads >= m->params.threads_max) {
		NOTE(m, NOTE_FORK_EAGAIN, .fn = "copy_process",
		     .value = (unsigned long)nr_threads);
		return -EAGAIN;
	}
	if (m->params.overcommit_memory == OVERCOMMIT_NEVER)
		committed = vm_committed_pages(m);
	child = proc_new(m);
	mm = &child->mm;
	mm->mmap_base = oldmm->mmap_base;
	mm->start_stack = oldmm->start_stack;
	mm->start_brk = oldmm->start_brk;
	mm->brk = oldmm->brk;
	/* mm_init(): only VM_NOHUGEPAGE of def_flags survives (no MCL_FUTURE) */
	mm->def_flags = oldmm->def_flags & VM_NOHUGEPAGE;
	mm->total_vm = oldmm->total_vm;
	mm->data_vm = oldmm->data_vm;
	mm->exec_vm = oldmm->exec_vm;
	mm->stack_vm = oldmm->stack_vm;
	EV_IN(m, FN_DUP_MMAP, .value = (unsigned long)child->pid);
	vt_for_each(&oldmm->tree, mpnt)
	{
		if (dup_vma(m, mm, oldmm, mpnt, &committed)) {
			/* Out of memory: the kernel fails the fork. */
			EV_OUT(m, FN_DUP_MMAP);
			proc_remove(m, child);
			m->next_pid--; /* copy_mm() fails before alloc_pid() */
			return -ENOMEM;
		}
	}
	EV_OUT(m, FN_DUP_MMAP);
	/* alloc_pid(), after copy_mm(): no pid below pid_max is free (the
	 * simulation's pids only grow: none is ever reaped). */
	if (child->pid >= m->params.pid_max) {
		NOTE(m, NOTE_FORK_EAGAIN, .fn = "alloc_pid",
		     .value = (unsigned long)m->params.pid_max);
		proc_remove(m, child);
		m->next_pid--;
		return -EAGAIN;
	}
	/* dup_mm(): the child's peaks start at what it has */
	mm->hiwater_rss = mm->pages.rss_anon + mm->pages.rss_file;
	mm->hiwater_vm = mm->total_vm;
	for (int fd = 0; fd < MAX_FDS; fd++) {
		if (parent->fds[fd]) {
			child->fds[fd] = parent->fds[fd];
			child->cloexec[fd] = parent->cloexec[fd];
			get_file(child->fds[fd]);
		}
	}
	return child->pid;
}
