/*
 * memory.c - the page-table side of the model (mm/memory.c): which pages
 * each process has present, write faults, stack growth, and truncation.
 *
 * A process's present pages are kept as sorted, disjoint runs of addresses,
 * each either anonymous or file (page cache or shmem).  They are indexed by
 * address, not by VMA, because splits and merges never move pages; only
 * munmap, truncation and faults change them.  This is what smaps counts as
 * Rss and Anonymous.
 */
#include <stdio.h>
#include <string.h>
#include "internal.h"

#define RLIMIT_STACK_DEFAULT (8UL << 20)

/* ---- page runs ---- */

/* The index of the first run that ends above addr. */
static size_t run_search(const struct page_set *ps, unsigned long addr)
{
	size_t lo = 0, hi = ps->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ps->runs[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void run_insert_at(struct page_set *ps, size_t i,
			  const struct page_run *r)
{
	if (ps->nr == ps->cap) {
		ps->cap = ps->cap ? 2 * ps->cap : 16;
		ps->runs = realloc(ps->runs, ps->cap * sizeof(*ps->runs));
		if (!ps->runs)
			abort();
	}
	memmove(&ps->runs[i + 1], &ps->runs[i],
		(ps->nr - i) * sizeof(*ps->runs));
	ps->runs[i] = *r;
	ps->nr++;
}

static void run_delete(struct page_set *ps, size_t i, size_t n)
{
	memmove(&ps->runs[i], &ps->runs[i + n],
		(ps->nr - i - n) * sizeof(*ps->runs));
	ps->nr -= n;
}

void pages_remove(struct page_set *ps, unsigned long start, unsigned long end)
{
	size_t i = run_search(ps, start), j;

	if (i < ps->nr && ps->runs[i].start < start &&
	    ps->runs[i].end > end) {
		/* The range is inside one run: cut it in two. */
		struct page_run tail = ps->runs[i];

		tail.start = end;
		ps->runs[i].end = start;
		run_insert_at(ps, i + 1, &tail);
		return;
	}
	if (i < ps->nr && ps->runs[i].start < start) {
		ps->runs[i].end = start;
		i++;
	}
	for (j = i; j < ps->nr && ps->runs[j].end <= end; j++)
		;
	run_delete(ps, i, j - i);
	if (i < ps->nr && ps->runs[i].start < end)
		ps->runs[i].start = end;
}

void pages_add(struct machine *m, struct page_set *ps, unsigned long start,
	       unsigned long end, enum page_kind kind)
{
	struct page_run r = { start, end, kind };
	size_t i;

	(void)m;
	pages_remove(ps, start, end);
	i = run_search(ps, start);
	/* Join the neighbours of the same kind. */
	if (i > 0 && ps->runs[i - 1].end == start &&
	    ps->runs[i - 1].kind == kind) {
		ps->runs[i - 1].end = end;
		if (i < ps->nr && ps->runs[i].start == end &&
		    ps->runs[i].kind == kind) {
			ps->runs[i - 1].end = ps->runs[i].end;
			run_delete(ps, i, 1);
		}
		return;
	}
	if (i < ps->nr && ps->runs[i].start == end && ps->runs[i].kind == kind) {
		ps->runs[i].start = start;
		return;
	}
	run_insert_at(ps, i, &r);
}

bool pages_lookup(const struct page_set *ps, unsigned long addr,
		  enum page_kind *kind)
{
	size_t i = run_search(ps, addr);

	if (i < ps->nr && ps->runs[i].start <= addr) {
		*kind = ps->runs[i].kind;
		return true;
	}
	return false;
}

void pages_count(const struct page_set *ps, unsigned long start,
		 unsigned long end, unsigned long *rss, unsigned long *anon)
{
	*rss = *anon = 0;
	for (size_t i = run_search(ps, start);
	     i < ps->nr && ps->runs[i].start < end; i++) {
		unsigned long n = (MIN(end, ps->runs[i].end) -
				   MAX(start, ps->runs[i].start)) >>
				  PAGE_SHIFT;

		*rss += n;
		if (ps->runs[i].kind == PAGE_ANON)
			*anon += n;
	}
}

int pages_copy(struct machine *m, struct page_set *dst,
	       const struct page_set *src, unsigned long start,
	       unsigned long end)
{
	for (size_t i = run_search(src, start);
	     i < src->nr && src->runs[i].start < end; i++)
		pages_add(m, dst, MAX(start, src->runs[i].start),
			  MIN(end, src->runs[i].end), src->runs[i].kind);
	return 0;
}

void pages_free(struct page_set *ps)
{
	free(ps->runs);
	memset(ps, 0, sizeof(*ps));
}

void vma_page_counts(const struct vma *v, unsigned long *rss,
		     unsigned long *anon)
{
	pages_count(&v->mm->pages, v->vm_start, v->vm_end, rss, anon);
}

/* ---- faults ---- */

/* The file page index addr falls on (linear_page_index). */
static unsigned long linear_page_index(const struct vma *v,
				       unsigned long addr)
{
	return v->vm_pgoff + ((addr - v->vm_start) >> PAGE_SHIFT);
}

static bool beyond_eof(const struct vma *v, unsigned long addr)
{
	unsigned long size = v->vm_file->inode->size;

	return linear_page_index(v, addr) >=
	       (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
}

/*
 * expand_downwards(): a fault below a VM_GROWSDOWN VMA grows it, keeping a
 * guard gap from an accessible VMA below and within RLIMIT_STACK.
 */
static int expand_downwards(struct machine *m, struct vma *v,
			    unsigned long addr)
{
	struct vma *prev = vt_prev(v);
	unsigned long grow;

	addr &= PAGE_MASK;
	if (addr < MMAP_MIN_ADDR)
		return -EPERM;
	if (prev && !(prev->vm_flags & VM_GROWSDOWN) &&
	    (prev->vm_flags & VM_ACCESS_FLAGS) &&
	    addr - prev->vm_end < STACK_GUARD_GAP) {
		trace(m, "expand_downwards(vma %s): within stack_guard_gap of "
			 "vma %s: ENOMEM",
		      VN(v), VN(prev));
		return -ENOMEM;
	}
	if (anon_vma_prepare(m, v))
		return -ENOMEM;
	grow = (v->vm_start - addr) >> PAGE_SHIFT;
	if (grow > v->vm_pgoff)
		return 0;
	if (v->vm_end - addr > RLIMIT_STACK_DEFAULT) {
		trace(m, "expand_downwards(vma %s): over RLIMIT_STACK: ENOMEM",
		      VN(v));
		return -ENOMEM;
	}
	vma_start_write(m, v);
	trace(m, "expand_downwards(vma %s) to %lx", VN(v), addr);
	v->vm_start = addr;
	v->vm_pgoff -= grow;
	vt_update(&v->mm->tree, v);
	if (v->vm_flags & VM_LOCKED)
		v->mm->locked_vm += grow;
	vm_stat_account(v->mm, v->vm_flags, grow);
	return 0;
}

/*
 * One user write fault (handle_mm_fault with FAULT_FLAG_WRITE).  Returns
 * TOUCH_OK or the signal the access gets.
 */
static int write_fault(struct machine *m, unsigned long addr)
{
	struct mm *mm = cur_mm(m);
	struct vma *v = vt_find(&mm->tree, addr);
	enum page_kind kind;

	if (!v)
		return TOUCH_SIGSEGV;
	if (v->vm_start > addr) {
		if (!(v->vm_flags & VM_GROWSDOWN) ||
		    expand_downwards(m, v, addr))
			return TOUCH_SIGSEGV;
		if (v->vm_start > addr)
			return TOUCH_SIGSEGV;
	}
	if (!(v->vm_flags & VM_WRITE)) {
		trace(m, "do_user_addr_fault(%lx): vma %s not writable: "
			 "SIGSEGV",
		      addr, VN(v));
		return TOUCH_SIGSEGV;
	}
	if (pages_lookup(&mm->pages, addr, &kind)) {
		/* do_wp_page(): a private file page is copied */
		if (kind == PAGE_FILE && !(v->vm_flags & VM_SHARED)) {
			if (anon_vma_prepare(m, v))
				return TOUCH_SIGBUS;
			pages_add(m, &mm->pages, addr, addr + PAGE_SIZE,
				  PAGE_ANON);
		}
		return TOUCH_OK;
	}
	if (vma_is_anonymous(v)) {
		/* do_anonymous_page() */
		if (anon_vma_prepare(m, v))
			return TOUCH_SIGBUS;
		pages_add(m, &mm->pages, addr, addr + PAGE_SIZE, PAGE_ANON);
		return TOUCH_OK;
	}
	if (!(v->vm_flags & VM_SHARED)) {
		/* do_cow_fault(): the anon_vma comes before the read */
		if (anon_vma_prepare(m, v))
			return TOUCH_SIGBUS;
		if (beyond_eof(v, addr)) {
			trace(m, "do_cow_fault(%lx): page %#lx beyond EOF: "
				 "SIGBUS",
			      addr, linear_page_index(v, addr));
			return TOUCH_SIGBUS;
		}
		pages_add(m, &mm->pages, addr, addr + PAGE_SIZE, PAGE_ANON);
		return TOUCH_OK;
	}
	/* do_shared_fault() */
	if (beyond_eof(v, addr)) {
		trace(m, "do_shared_fault(%lx): page %#lx beyond EOF: SIGBUS",
		      addr, linear_page_index(v, addr));
		return TOUCH_SIGBUS;
	}
	pages_add(m, &mm->pages, addr, addr + PAGE_SIZE, PAGE_FILE);
	return TOUCH_OK;
}

int vm_touch(struct machine *m, unsigned long addr, unsigned long len,
	     unsigned long *fault_addr)
{
	unsigned long page = addr & PAGE_MASK;
	unsigned long end = addr + len;
	int sig;

	m->op_seq++;
	for (; page < end; page += PAGE_SIZE) {
		sig = write_fault(m, page);
		if (sig) {
			*fault_addr = page;
			return sig;
		}
		if (page + PAGE_SIZE < page)
			break;
	}
	return TOUCH_OK;
}

/*
 * truncate_pagecache(): shrinking a file unmaps every page past the new
 * end from every mapping, private copies included (even_cows).
 */
void truncate_inode_mappings(struct machine *m, struct vm_inode *inode,
			     unsigned long newsize)
{
	unsigned long hole = (newsize + PAGE_SIZE - 1) >> PAGE_SHIFT;

	for (struct proc *p = m->procs; p; p = p->next) {
		struct vma *v;

		vt_for_each(&p->mm.tree, v) {
			unsigned long first, from;

			if (!v->vm_file || v->vm_file->inode != inode)
				continue;
			first = v->vm_pgoff + vma_pages(v);
			if (first <= hole)
				continue;
			from = v->vm_start;
			if (hole > v->vm_pgoff)
				from += (hole - v->vm_pgoff) << PAGE_SHIFT;
			pages_remove(&p->mm.pages, from, v->vm_end);
		}
	}
}
