/*
 * kernel.c - the running kernel as a backend, for `vmalab verify`: the
 * controller side.
 *
 * Each simulated process is a real process (child.c).  The controller
 * talks to each one over a SOCK_SEQPACKET socketpair (protocol.h).  The
 * processes' cwd is a private temporary directory, so scripts' relative
 * paths land there.  Every process is a direct child of the controller
 * (clone with CLONE_PARENT) so that the controller can reap them all and
 * say how one died.
 *
 * What the kernel prints is cut down to the contract's shape: only the
 * VMAs that start in the test window, only the smaps fields the engine
 * prints, and file names as the script spelled them.  Device and inode
 * numbers and seq_pad's padding stay as the kernel printed them.
 *
 * The brk area is the exception to "only the window": brk cannot be moved
 * there.  The real processes' start_brk is wherever exec and ASLR put it
 * (the first process gives vmalab's heap back, child.c), so addresses in
 * the VERIFY_BRK_SPAN bytes above it are moved by (VERIFY_BRK_BASE -
 * start_brk) on the way in and out: the addresses of memory calls, the
 * results of brk, mmap and mremap, touch's faulting page, and the VMAs
 * of maps and smaps.  So a brk script compares as if the real heap began
 * at the simulation's start_brk: shapes and results, not the absolute
 * addresses.  A brk below start_brk (brk(NULL)) goes in as 0.
 */
/* Make and check-asan may replace CFLAGS, and -D_GNU_SOURCE with it. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kernel.h"
#include "nr.h"
#include "procfs.h"
#include "protocol.h"
#include "strbuf.h"

#ifndef SYS_mseal
#define SYS_mseal 462
#endif

#define REPLY_TIMEOUT_MS 10000 /* a process that is silent this long is hung */

/* ---------------------------------------------------------------------- */
/* The controller side.                                                    */
/* ---------------------------------------------------------------------- */

/* A file as the kernel names it (an absolute path), and as the script did. */
struct kname {
	char *real;
	char *given;
};

/* A file mapping the script made: a VMA that starts here has this name. */
struct kregion {
	unsigned long start, end;
	struct kname name;
};

/*
 * A process, and what it takes to print its file names as the script
 * spelled them: /proc prints one path for "data" and "./data", but the
 * simulation prints each VMA's name as its own openat had it.  So we
 * follow which spelling each fd has, and which fd each mapping came from.
 */
struct kproc {
	pid_t pid;	   /* real pid; 0 once reaped */
	int fd;		   /* our end of its channel; -1 once it is gone */
	bool exited;	   /* by exit_group: a zombie, as the engine has it */
	struct kname *fds; /* fds[n]: the file open at fd n */
	int nfds;
	struct kregion *regions; /* oldest first */
	size_t nregions;
};

struct kernel_backend {
	struct backend be;
	char dir[PATH_MAX];  /* the processes' cwd; removed at the end */
	struct kproc *procs; /* procs[i] is simulated pid i + 1 */
	int nprocs, cap;
	int cur;		 /* index of the current process */
	unsigned long start_brk; /* the real processes' (one for all) */
	struct kernel_own_vma *own; /* pid 1's own mappings at the start */
	size_t nown;
	/* Every file the script opened, oldest first: the names of last
	 * resort, for a mapping whose region the regions lost track of
	 * (an mremap that failed part way, or not at all) once no fd has
	 * its file open. */
	struct kname *opened;
	size_t nopened;
	char failure[256];	 /* why calls can no longer run, or "" */
};

static struct kernel_backend *kb(struct backend *be)
{
	return (struct kernel_backend *)be;
}

/* Wait up to a second or so for pid to exit, then make it. */
static int reap(pid_t pid)
{
	int status = 0;

	for (int i = 0; i < 100; i++) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid || (r < 0 && errno != EINTR))
			return status;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

/*
 * Process idx is gone (why == NULL: it closed its channel, so it died) or
 * useless (why says how); kill and reap it, and remember what happened,
 * so that every later call fails and verify can say so.
 */
static void kb_lost(struct kernel_backend *k, int idx, const char *why)
{
	struct kproc *p = &k->procs[idx];
	char how[128];
	int status;

	if (why)
		kill(p->pid, SIGKILL);
	status = reap(p->pid);
	if (why)
		snprintf(how, sizeof(how), "%s", why);
	else if (WIFSIGNALED(status))
		snprintf(how, sizeof(how), "died: signal %d (SIG%s)",
			 WTERMSIG(status), sigabbrev_np(WTERMSIG(status)));
	else
		snprintf(how, sizeof(how), "exited with status %d",
			 WEXITSTATUS(status));
	if (!k->failure[0])
		snprintf(k->failure, sizeof(k->failure), "kernel process %d %s",
			 idx + 1, how);
	close(p->fd);
	p->fd = -1;
	p->pid = 0;
}

/* Receive exactly one message of len bytes from process idx, or fail. */
static int kb_recv(struct kernel_backend *k, int idx, void *buf, size_t len)
{
	struct pollfd pfd = {.fd = k->procs[idx].fd, .events = POLLIN};
	ssize_t n;
	int ready;

	do {
		ready = poll(&pfd, 1, REPLY_TIMEOUT_MS);
	} while (ready < 0 && errno == EINTR);
	if (ready <= 0) {
		kb_lost(k, idx,
			ready ? "cannot be polled"
			      : "did not answer within 10 s");
		return -1;
	}
	do {
		n = recv(pfd.fd, buf, len, MSG_TRUNC);
	} while (n < 0 && errno == EINTR);
	if (n == (ssize_t)len)
		return 0;
	if (n <= 0)
		kb_lost(k, idx, NULL);
	else
		kb_lost(k, idx, "sent a malformed reply");
	return -1;
}

/* Send rq (with passfd, if any) to process idx. */
static int kb_send(struct kernel_backend *k, int idx, const struct kreq *rq,
		   int passfd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = (void *)rq, .iov_len = sizeof(*rq)};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	if (passfd >= 0) {
		struct cmsghdr *cm;

		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &passfd, sizeof(int));
	}
	do {
		n = sendmsg(k->procs[idx].fd, &msg, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(*rq))
		return 0;
	kb_lost(k, idx, NULL);
	return -1;
}

/* Receive a reply and its text (if text is NULL, the text is dropped). */
static int kb_reply(struct kernel_backend *k, int idx, struct kreply *r,
		    struct strbuf *text)
{
	char *chunk;
	size_t left;

	if (kb_recv(k, idx, r, sizeof(*r)))
		return -1;
	chunk = malloc(CHUNK);
	if (!chunk)
		abort();
	for (left = r->textlen; left > 0;) {
		size_t n = left < CHUNK ? left : CHUNK;

		if (kb_recv(k, idx, chunk, n)) {
			free(chunk);
			return -1;
		}
		if (text)
			sb_add(text, chunk, n);
		left -= n;
	}
	free(chunk);
	return 0;
}

/* One round trip with the current process.  0, or -1 if it is lost. */
static int kb_exchange(struct kernel_backend *k, const struct kreq *rq,
		       int passfd, struct kreply *r, struct strbuf *text)
{
	int idx = k->cur;

	if (k->procs[idx].fd < 0) {
		if (!k->failure[0])
			snprintf(k->failure, sizeof(k->failure),
				 "kernel process %d is gone", idx + 1);
		return -1;
	}
	if (kb_send(k, idx, rq, passfd))
		return -1;
	return kb_reply(k, idx, r, text);
}

static int kb_add_proc(struct kernel_backend *k, pid_t pid, int fd)
{
	if (k->nprocs == k->cap) {
		int cap = k->cap ? 2 * k->cap : 8;
		struct kproc *p = realloc(k->procs, cap * sizeof(*p));

		if (!p)
			abort();
		k->procs = p;
		k->cap = cap;
	}
	memset(&k->procs[k->nprocs], 0, sizeof(k->procs[0]));
	k->procs[k->nprocs].pid = pid;
	k->procs[k->nprocs].fd = fd;
	return ++k->nprocs;
}

static char *xstrdup(const char *s)
{
	char *d = s ? strdup(s) : NULL;

	if (s && !d)
		abort();
	return d;
}

static void kname_set(struct kname *n, const char *real, const char *given)
{
	char *r = xstrdup(real), *g = xstrdup(given);

	free(n->real);
	free(n->given);
	n->real = r;
	n->given = g;
}

static void proc_set_fd(struct kproc *p, int fd, const char *real,
			const char *given)
{
	if (fd < 0)
		return;
	if (fd >= p->nfds) {
		struct kname *f = realloc(p->fds, (fd + 1) * sizeof(*f));

		if (!f)
			abort();
		memset(f + p->nfds, 0, (fd + 1 - p->nfds) * sizeof(*f));
		p->fds = f;
		p->nfds = fd + 1;
	}
	kname_set(&p->fds[fd], real, given);
}

/* A file is mapped at [start, end) under this name: remember it there. */
static void proc_add_named(struct kproc *p, unsigned long start,
			   unsigned long end, const struct kname *name)
{
	struct kregion *r;
	size_t kept = 0;
	struct kname copy = {0};

	/* name may be one of the regions the loop below drops */
	kname_set(&copy, name->real, name->given);
	/* Older regions wholly under the new one can name nothing now. */
	for (size_t i = 0; i < p->nregions; i++) {
		r = &p->regions[i];
		if (r->start >= start && r->end <= end)
			kname_set(&r->name, NULL, NULL);
		else
			p->regions[kept++] = *r;
	}
	r = realloc(p->regions, (kept + 1) * sizeof(*r));
	if (!r)
		abort();
	p->regions = r;
	p->nregions = kept + 1;
	r[kept].start = start;
	r[kept].end = end;
	r[kept].name = copy;
}

/* The script mapped fd at [start, end): remember its name there. */
static void proc_add_region(struct kproc *p, unsigned long start,
			    unsigned long end, long fd)
{
	if (fd < 0 || fd >= p->nfds || !p->fds[fd].real)
		return;
	proc_add_named(p, start, end, &p->fds[fd]);
}

/*
 * mremap moved or grew [old, old + old_len) to [start, start + new_len):
 * each file mapped there is now also at the same offset from start (a move
 * of several VMAs keeps the gaps between them), and the last one covers
 * any growth.  old_len 0 duplicates the mapping at old.
 */
static void proc_remap_region(struct kproc *p, unsigned long old,
			      unsigned long old_len, unsigned long start,
			      unsigned long new_len)
{
	unsigned long end = old + (old_len ? old_len : 1);
	size_t n = p->nregions, k = 0;
	struct kregion *r = calloc(n + 1, sizeof(*r));

	if (!r)
		abort();
	for (size_t i = 0; i < n; i++) {
		const struct kregion *o = &p->regions[i];
		unsigned long from, to;

		if (!o->name.real || o->end <= old || o->start >= end)
			continue;
		from = (o->start > old ? o->start : old) - old + start;
		to = (o->end < end ? o->end : end) - old + start;
		if (!old_len || o->end >= end)
			to = start + new_len;
		if (to > start + new_len)
			to = start + new_len;
		if (from >= to)
			continue;
		r[k].start = from;
		r[k].end = to;
		kname_set(&r[k++].name, o->name.real, o->name.given);
	}
	for (size_t i = 0; i < k; i++) {
		proc_add_named(p, r[i].start, r[i].end, &r[i].name);
		kname_set(&r[i].name, NULL, NULL);
	}
	free(r);
}

/* A forked process has its parent's fds and mappings, names and all. */
static void proc_copy_names(struct kproc *to, const struct kproc *from)
{
	for (int fd = 0; fd < from->nfds; fd++) {
		if (from->fds[fd].real)
			proc_set_fd(to, fd, from->fds[fd].real,
				    from->fds[fd].given);
	}
	to->regions = calloc(from->nregions + 1, sizeof(*to->regions));
	if (!to->regions)
		abort();
	for (size_t i = 0; i < from->nregions; i++) {
		to->regions[i].start = from->regions[i].start;
		to->regions[i].end = from->regions[i].end;
		kname_set(&to->regions[i].name, from->regions[i].name.real,
			  from->regions[i].name.given);
	}
	to->nregions = from->nregions;
}

static void proc_free_names(struct kproc *p)
{
	for (int fd = 0; fd < p->nfds; fd++)
		kname_set(&p->fds[fd], NULL, NULL);
	for (size_t i = 0; i < p->nregions; i++)
		kname_set(&p->regions[i].name, NULL, NULL);
	free(p->fds);
	free(p->regions);
}

static bool kname_is(const struct kname *n, const char *real, size_t len)
{
	return n->real && strlen(n->real) == len && !memcmp(n->real, real, len);
}

/*
 * The script's name for the file the kernel calls real (len bytes), in a
 * VMA that starts at start: that of the newest mapping there.  Where no
 * mapping the script made is known there (mremap moved or grew it in a way
 * the regions do not follow), the newest name the script gave that file,
 * or its fd's.
 */
static const char *proc_given_name(const struct kernel_backend *k,
				   const struct kproc *p, unsigned long start,
				   const char *real, size_t len)
{
	for (size_t i = p->nregions; i-- > 0;) {
		const struct kregion *r = &p->regions[i];

		if (start >= r->start && start < r->end &&
		    kname_is(&r->name, real, len))
			return r->name.given;
	}
	for (size_t i = p->nregions; i-- > 0;)
		if (kname_is(&p->regions[i].name, real, len))
			return p->regions[i].name.given;
	for (int fd = p->nfds; fd-- > 0;)
		if (kname_is(&p->fds[fd], real, len))
			return p->fds[fd].given;
	for (size_t i = k->nopened; i-- > 0;)
		if (kname_is(&k->opened[i], real, len))
			return k->opened[i].given;
	return NULL;
}

/* Keep the names up to date after a call that succeeded or failed. */
static void kb_note_call(struct kernel_backend *k, const struct call *c,
			 long ret, const char *text)
{
	struct kproc *p = &k->procs[k->cur];

	switch (c->nr) {
	case NR_openat:
		if (ret >= 0 && *text) {
			struct kname *o = realloc(
				k->opened, (k->nopened + 1) * sizeof(*o));

			if (!o)
				abort();
			k->opened = o;
			o[k->nopened] = (struct kname){NULL, NULL};
			kname_set(&o[k->nopened++], text, c->path);
			proc_set_fd(p, (int)ret, text, c->path);
		}
		break;
	case NR_close:
		/* The kernel takes fds as unsigned int: so do we. */
		if (ret == 0 && (unsigned int)c->a[0] < (unsigned int)p->nfds)
			kname_set(&p->fds[(unsigned int)c->a[0]], NULL, NULL);
		break;
	case NR_mmap:
		if ((ret >= 0 || ret < -4095) && !(c->a[3] & MAP_ANONYMOUS))
			proc_add_region(p, (unsigned long)ret,
					((unsigned long)ret + c->a[1] + 4095) &
						~4095UL,
					(long)(unsigned int)c->a[4]);
		break;
	case NR_mremap: {
		unsigned long to = (unsigned long)ret;

		/*
		 * remap_move() moves a range of several VMAs one by one: one
		 * that fails part way (at a sealed VMA, say) leaves the VMAs
		 * before it moved.  Its fixed target says where they are.
		 */
		if (ret < 0 && ret >= -4095) {
			if (!(c->a[3] & MREMAP_FIXED))
				break;
			to = c->a[4];
		}
		proc_remap_region(p, c->a[0], (c->a[1] + 4095) & ~4095UL, to,
				  (c->a[2] + 4095) & ~4095UL);
		break;
	}
	default:
		break;
	}
}

/* fork: a new channel goes along with the request. */
static long kb_fork(struct kernel_backend *k, struct kreq *rq)
{
	struct kreply r;
	int sv[2], pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;
	if (kb_exchange(k, rq, sv[1], &r, NULL)) {
		close(sv[0]);
		close(sv[1]);
		return -EIO;
	}
	close(sv[1]);
	if (r.ret <= 0) {
		close(sv[0]);
		return r.ret ? r.ret : -EIO;
	}
	pid = kb_add_proc(k, (pid_t)r.ret, sv[0]);
	proc_copy_names(&k->procs[pid - 1], &k->procs[k->cur]);
	return pid;
}

/*
 * Scripts run for real: a path must not leave the private directory, or
 * a script could truncate any file the user may write.
 */
static bool path_stays_inside(const char *path)
{
	const char *p = path;

	if (*p == '/')
		return false;
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return false;
		p += n;
		while (*p == '/')
			p++;
	}
	return true;
}

/* An address of the simulation's brk area, moved to the real one. */
static unsigned long brk_to_kernel(const struct kernel_backend *k,
				   unsigned long addr)
{
	if (addr - VERIFY_BRK_BASE < VERIFY_BRK_SPAN)
		return addr - VERIFY_BRK_BASE + k->start_brk;
	return addr;
}

/* A real address, moved back if it lies in the real brk area. */
static unsigned long brk_from_kernel(const struct kernel_backend *k,
				     unsigned long addr)
{
	if (addr - k->start_brk < VERIFY_BRK_SPAN)
		return addr - k->start_brk + VERIFY_BRK_BASE;
	return addr;
}

/* Calls whose first argument is an address (mremap: its fifth too). */
static bool takes_address(int nr)
{
	switch (nr) {
	case NR_TOUCH:
	case NR_READ:
	case SYS_mmap:
	case SYS_munmap:
	case SYS_mprotect:
	case SYS_brk:
	case SYS_mremap:
	case SYS_msync:
	case SYS_mincore:
	case SYS_madvise:
	case SYS_mlock:
	case SYS_munlock:
	case SYS_mlock2:
	case SYS_mseal:
		return true;
	default:
		return false;
	}
}

/* The call as the real process must make it, its brk area moved. */
static void brk_call_to_kernel(const struct kernel_backend *k,
			       unsigned long a[6], int nr)
{
	if (!takes_address(nr))
		return;
	/* Any break below start_brk only asks: so does 0. */
	if (nr == SYS_brk && a[0] < VERIFY_BRK_BASE)
		a[0] = 0;
	a[0] = brk_to_kernel(k, a[0]);
	if (nr == SYS_mremap)
		a[4] = brk_to_kernel(k, a[4]);
}

static long brk_result_from_kernel(const struct kernel_backend *k, int nr,
				   long ret)
{
	if (nr == SYS_brk || ((nr == SYS_mmap || nr == SYS_mremap) &&
			      (unsigned long)ret < -4095UL))
		return (long)brk_from_kernel(k, (unsigned long)ret);
	return ret;
}

/*
 * exit_group (or exit: one thread each): the process ends for real and
 * never answers.  It is reaped at once (every process is our child:
 * CLONE_PARENT); what it mapped is gone, and like the engine's zombie it
 * makes no more calls and has an empty address space.
 */
static long kb_exit(struct kernel_backend *k, const struct kreq *rq)
{
	struct kproc *p = &k->procs[k->cur];
	int status;

	if (p->fd < 0 || kb_send(k, k->cur, rq, -1))
		return -EIO;
	status = reap(p->pid);
	close(p->fd);
	p->fd = -1;
	p->pid = 0;
	p->exited = true;
	if (!WIFEXITED(status)) {
		snprintf(k->failure, sizeof(k->failure),
			 "kernel process %d did not exit cleanly", k->cur + 1);
		return -EIO;
	}
	return 0;
}

static long kernel_call(struct backend *be, const struct call *c,
			unsigned long *fault)
{
	struct kernel_backend *k = kb(be);
	struct strbuf text = STRBUF_INIT;
	struct kreply r;
	struct kreq *rq;

	/* A zombie makes no calls (machine_syscall says -ESRCH too). */
	if (k->procs[k->cur].exited)
		return -ESRCH;
	rq = calloc(1, sizeof(*rq));
	if (!rq)
		abort();
	rq->op = KOP_CALL;
	rq->nr = c->nr;
	rq->path_arg = c->path ? c->path_arg : -1;
	memcpy(rq->a, c->a, sizeof(rq->a));
	brk_call_to_kernel(k, rq->a, c->nr);
	if (c->path) {
		if (!c->path || strlen(c->path) >= sizeof(rq->path)) {
			free(rq);
			return -ENAMETOOLONG;
		}
		if (!path_stays_inside(c->path)) {
			snprintf(k->failure, sizeof(k->failure),
				 "refusing to open \"%.60s\": paths must "
				 "stay in verify's private directory (no "
				 "leading /, no ..)",
				 c->path);
			free(rq);
			return -EIO;
		}
		strcpy(rq->path, c->path);
	}
	/* MADV_HWPOISON (100) and MADV_SOFT_OFFLINE (101): as root these
	 * would poison or offline a real page (madvise_inject_error). */
	if (c->nr == NR_madvise &&
	    ((int)c->a[2] == 100 || (int)c->a[2] == 101)) {
		snprintf(k->failure, sizeof(k->failure),
			 "refusing MADV_HWPOISON and MADV_SOFT_OFFLINE: they "
			 "would damage a page of this machine");
		free(rq);
		return -EIO;
	}
	if (c->nr == NR_fork) {
		r.ret = kb_fork(k, rq);
	} else if (c->nr == NR_exit_group || c->nr == NR_exit) {
		r.ret = kb_exit(k, rq);
	} else if (kb_exchange(k, rq, -1, &r, &text)) {
		r.ret = -EIO;
	} else {
		kb_note_call(k, c, r.ret, sb_str(&text));
		if (fault)
			*fault = brk_from_kernel(k, r.fault);
		r.ret = brk_result_from_kernel(k, c->nr, r.ret);
	}
	sb_free(&text);
	free(rq);
	return r.ret;
}

static int kernel_switch(struct backend *be, int pid)
{
	struct kernel_backend *k = kb(be);

	if (pid < 1 || pid > k->nprocs)
		return -ESRCH;
	k->cur = pid - 1;
	return 0;
}

/* Is "Rss:    ..." one of the fields the engine prints? */
static bool wanted_field(const char *line, size_t len)
{
	for (const char *const *f = smaps_fields; *f; f++) {
		size_t n = strlen(*f);

		if (n <= len && !memcmp(line, *f, n))
			return true;
	}
	return false;
}

/*
 * Append a maps line with the file's name as the script gave it, and its
 * range at the simulation's addresses (brk_from_kernel).
 */
static void put_maps_line(const struct kernel_backend *k, const struct kproc *p,
			  unsigned long start, const char *line, size_t len,
			  struct strbuf *out)
{
	size_t name = maps_name_offset(line, len);
	size_t range = strcspn(line, " ");
	const char *given = NULL;
	unsigned long s0, end;

	if (name < len)
		given = proc_given_name(k, p, start, line + name, len - name);
	if (range < len && brk_from_kernel(k, start) != start &&
	    sscanf(line, "%lx-%lx", &s0, &end) == 2) {
		sb_addf(out, "%08lx-%08lx", brk_from_kernel(k, start),
			brk_from_kernel(k, end - 1) + 1);
		line += range;
		len -= range;
		name -= range;
	}
	if (given) {
		sb_add(out, line, name);
		sb_puts(out, given);
	} else {
		sb_add(out, line, len);
	}
	sb_puts(out, "\n");
}

/*
 * Keep the VMAs that start in the window or the brk area, and of their
 * smaps lines only the fields the engine prints, so both sides have the
 * same shape.
 */
static void filter_proc(const struct kernel_backend *k, const struct kproc *p,
			const char *text, bool smaps, struct strbuf *out)
{
	bool keep = false;

	while (*text) {
		const char *nl = strchrnul(text, '\n');
		size_t len = (size_t)(nl - text);
		unsigned long start;

		if (maps_line_start(text, len, &start)) {
			keep = (start >= VERIFY_WINDOW_START &&
				start < VERIFY_WINDOW_END) ||
			       start - k->start_brk < VERIFY_BRK_SPAN;
			if (keep)
				put_maps_line(k, p, start, text, len, out);
		} else if (keep && smaps && wanted_field(text, len)) {
			sb_add(out, text, len);
			sb_puts(out, "\n");
		}
		text = *nl ? nl + 1 : nl;
	}
}

/* Ask the current process for some text (op with two arguments): 0 if
 * it answered with success. */
static int kb_ask(struct kernel_backend *k, enum kop op, unsigned long a0,
		  unsigned long a1, struct strbuf *text)
{
	struct kreq *rq = calloc(1, sizeof(*rq));
	struct kreply r;
	int ret;

	if (!rq)
		abort();
	rq->op = op;
	rq->a[0] = a0;
	rq->a[1] = a1;
	ret = !kb_exchange(k, rq, -1, &r, text) && r.ret == 0 ? 0 : -1;
	free(rq);
	return ret;
}

static int kernel_maps(struct backend *be, bool smaps, struct strbuf *out)
{
	struct kernel_backend *k = kb(be);
	struct strbuf text = STRBUF_INIT;
	int ret;

	if (k->procs[k->cur].exited)
		return 0; /* exit_mmap() left nothing */
	ret = kb_ask(k, smaps ? KOP_SMAPS : KOP_MAPS, 0, 0, &text);

	if (!ret)
		filter_proc(k, &k->procs[k->cur], sb_str(&text), smaps, out);
	sb_free(&text);
	return ret;
}

int kernel_backend_maps_range(struct backend *be, unsigned long lo,
			      unsigned long hi, struct strbuf *out)
{
	struct kernel_backend *k = kb(be);
	struct strbuf text = STRBUF_INIT;
	int ret;

	if (k->procs[k->cur].exited)
		return 0;
	ret = kb_ask(k, KOP_MAPS_RANGE, lo, hi, &text);

	if (!ret)
		filter_proc(k, &k->procs[k->cur], sb_str(&text), false, out);
	sb_free(&text);
	return ret;
}

static int kernel_status(struct backend *be, struct strbuf *out)
{
	return kb_ask(kb(be), KOP_STATUS, 0, 0, out);
}

static int kernel_pages(struct backend *be, unsigned long addr, unsigned long n,
			char *out)
{
	struct strbuf text = STRBUF_INIT;
	int ret;

	if (kb(be)->procs[kb(be)->cur].exited) {
		memset(out, '.', n);
		out[n] = '\0';
		return 0;
	}
	ret = kb_ask(kb(be), KOP_PAGES, brk_to_kernel(kb(be), addr), n, &text);

	if (!ret && text.len != n)
		ret = -1;
	if (!ret) {
		memcpy(out, text.buf, n);
		out[n] = '\0';
	}
	sb_free(&text);
	return ret;
}

/* rm -r of the private directory; scripts only create plain files. */
static void remove_tree(int parent, const char *name)
{
	int fd = openat(parent, name,
			O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (unlinkat(fd, e->d_name, 0) && errno == EISDIR)
			remove_tree(fd, e->d_name);
	}
	closedir(d);
	if (unlinkat(parent, name, AT_REMOVEDIR))
		fprintf(stderr, "vmalab: removing %s: %m\n", name);
}

static void kernel_destroy(struct backend *be)
{
	struct kernel_backend *k = kb(be);

	for (int i = 0; i < k->nprocs; i++) {
		if (k->procs[i].fd >= 0)
			close(k->procs[i].fd);
		if (k->procs[i].pid > 0) {
			kill(k->procs[i].pid, SIGKILL);
			reap(k->procs[i].pid);
		}
	}
	if (k->dir[0])
		remove_tree(AT_FDCWD, k->dir);
	for (int i = 0; i < k->nprocs; i++)
		proc_free_names(&k->procs[i]);
	free(k->procs);
	for (size_t i = 0; i < k->nopened; i++)
		kname_set(&k->opened[i], NULL, NULL);
	free(k->opened);
	free(k->own);
	free(k);
}

static const struct backend_ops kernel_ops = {
	.call = kernel_call,
	.switch_to = kernel_switch,
	.maps = kernel_maps,
	.status = kernel_status,
	.pages = kernel_pages,
	.destroy = kernel_destroy,
};

/*
 * The own mappings of pid 1, from its smaps: every VMA below TASK_SIZE
 * ([vsyscall] is above) outside the window and the real brk area, with
 * the VmFlags that decide placement (gd) and fork (dc).
 */
static void kb_read_own(struct kernel_backend *k, const char *text)
{
	size_t cap = 0;
	bool kept = false; /* the VMA whose fields follow is in own[] */

	while (*text) {
		const char *nl = strchrnul(text, '\n');
		size_t len = (size_t)(nl - text);
		unsigned long start, end;
		struct kernel_own_vma *o;

		if (maps_line_start(text, len, &start) &&
		    sscanf(text, "%lx-%lx", &start, &end) == 2) {
			if (end > 0x7ffffffff000UL ||
			    (start < VERIFY_WINDOW_END &&
			     end > VERIFY_WINDOW_START) ||
			    (start < k->start_brk + VERIFY_BRK_SPAN &&
			     end > k->start_brk)) {
				start = end = 0;
			}
			kept = start < end;
			if (kept) {
				if (k->nown == cap) {
					cap = cap ? 2 * cap : 64;
					o = realloc(k->own, cap * sizeof(*o));
					if (!o)
						abort();
					k->own = o;
				}
				o = &k->own[k->nown++];
				memset(o, 0, sizeof(*o));
				o->start = start;
				o->end = end;
			}
		} else if (kept && !strncmp(text, "VmFlags:", 8)) {
			struct kernel_own_vma *last = &k->own[k->nown - 1];

			for (const char *f = text + 8; f + 2 <= nl; f++) {
				if (f[-1] != ' ' || (f + 2 < nl && f[2] != ' '))
					continue;
				if (!strncmp(f, "gd", 2))
					last->growsdown = true;
				if (!strncmp(f, "dc", 2))
					last->dontcopy = true;
			}
		}
		text = *nl ? nl + 1 : nl;
	}
}

size_t kernel_backend_own_vmas(struct backend *be,
			       const struct kernel_own_vma **vmas)
{
	*vmas = kb(be)->own;
	return kb(be)->nown;
}

/* Start simulated pid 1 and wait until it says it is ready. */
static int kb_start(struct kernel_backend *k, char *err, size_t errlen)
{
	struct strbuf text = STRBUF_INIT;
	pid_t controller = getpid(), pid;
	struct kreply r;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		snprintf(err, errlen, "socketpair: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0)
		child_exec(sv[1], k->dir, controller);
	close(sv[1]);
	kb_add_proc(k, pid, sv[0]);
	if (kb_reply(k, 0, &r, &text)) {
		snprintf(err, errlen, "%s", k->failure);
		sb_free(&text);
		return -1;
	}
	if (r.ret != 0) {
		snprintf(err, errlen, "kernel process 1: %s", sb_str(&text));
		sb_free(&text);
		return -1;
	}
	k->start_brk = r.fault;
	sb_free(&text);
	if (kb_ask(k, KOP_SMAPS, 0, 0, &text)) {
		snprintf(err, errlen, "kernel process 1: its smaps: %s",
			 k->failure[0] ? k->failure : "no answer");
		sb_free(&text);
		return -1;
	}
	kb_read_own(k, sb_str(&text));
	sb_free(&text);
	return 0;
}

struct backend *kernel_backend_new(char *err, size_t errlen)
{
	struct kernel_backend *k = calloc(1, sizeof(*k));
	const char *tmp = getenv("TMPDIR");

	if (!k)
		abort();
	k->be.ops = &kernel_ops;
	k->be.name = "kernel";
	snprintf(k->dir, sizeof(k->dir), "%s/vmalab-verify-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(k->dir)) {
		snprintf(err, errlen, "mkdtemp %s: %s", k->dir,
			 strerror(errno));
		k->dir[0] = '\0';
		kernel_destroy(&k->be);
		return NULL;
	}
	if (kb_start(k, err, errlen)) {
		kernel_destroy(&k->be);
		return NULL;
	}
	return &k->be;
}

const char *kernel_backend_failure(struct backend *be)
{
	struct kernel_backend *k = kb(be);

	return k->failure[0] ? k->failure : NULL;
}
