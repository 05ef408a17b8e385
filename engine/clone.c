/*
 * clone.c - a copy of a whole machine, for the checkpoints that undo, redo
 * and the timeline start their replays from.
 *
 * The copy is exact: every process with its fd table, mm, VMA tree (node
 * for node, in the same shape) and page tables; every file, inode and
 * anon_vma with its chains in the same order; the counters that name new
 * objects (vma#N, avN, file ids, pids).  So running the same calls on the
 * copy and on the original gives the same results, the same events and the
 * same output.  Each object is copied whole and then its pointers are
 * turned into pointers at the copies, so a scalar field added to any of
 * them is copied without a change here; a new pointer field must be
 * mapped here.
 *
 * The copy has no observers and no checking mode: whoever installs it
 * attaches those, as for a new machine.
 */
#include <stdint.h>
#include <string.h>
#include "internal.h"

/* old pointer -> its copy, open addressing */
struct ptr_map {
	const void **key;
	void **val;
	size_t cap, n;
};

static size_t ptr_hash(const void *p, size_t cap)
{
	uintptr_t x = (uintptr_t)p;

	x ^= x >> 17;
	x *= 0xed5ad4bbU;
	x ^= x >> 11;
	return (size_t)x & (cap - 1);
}

static void map_grow(struct ptr_map *pm)
{
	struct ptr_map old = *pm;

	pm->cap = old.cap ? 2 * old.cap : 256;
	pm->n = 0;
	pm->key = xcalloc(pm->cap * sizeof(*pm->key));
	pm->val = xcalloc(pm->cap * sizeof(*pm->val));
	for (size_t i = 0; i < old.cap; i++) {
		size_t h;

		if (!old.key[i])
			continue;
		for (h = ptr_hash(old.key[i], pm->cap); pm->key[h];
		     h = (h + 1) & (pm->cap - 1))
			;
		pm->key[h] = old.key[i];
		pm->val[h] = old.val[i];
		pm->n++;
	}
	free(old.key);
	free(old.val);
}

static void map_put(struct ptr_map *pm, const void *k, void *v)
{
	size_t h;

	if (2 * (pm->n + 1) > pm->cap)
		map_grow(pm);
	for (h = ptr_hash(k, pm->cap); pm->key[h]; h = (h + 1) & (pm->cap - 1))
		;
	pm->key[h] = k;
	pm->val[h] = v;
	pm->n++;
}

static void *map_get(const struct ptr_map *pm, const void *k)
{
	if (!k || !pm->cap)
		return NULL;
	for (size_t h = ptr_hash(k, pm->cap); pm->key[h];
	     h = (h + 1) & (pm->cap - 1))
		if (pm->key[h] == k)
			return pm->val[h];
	return NULL;
}

static void map_free(struct ptr_map *pm)
{
	free(pm->key);
	free(pm->val);
}

struct cloner {
	struct machine *m; /* the copy */
	struct ptr_map inodes, files, avs, avcs, pages;
	struct mm *mm; /* the mm whose VMAs are being copied */
};

/* A page cache has no anonymous pages. */
static struct anon_page *no_anon_page(void *arg, const struct anon_page *pg)
{
	(void)arg;
	(void)pg;
	abort();
}

/* The copy of an anonymous page: one for all the page tables that map
 * it, in the copy's anon_vma (none if its own is gone: the checker says
 * so in both machines). */
static struct anon_page *clone_page(void *arg, const struct anon_page *pg)
{
	struct cloner *c = arg;
	struct anon_page *n = map_get(&c->pages, pg);
	struct anon_vma *av;

	if (n)
		return n;
	n = xcalloc(sizeof(*n));
	*n = *pg;
	av = map_get(&c->avs, pg->anon_vma);
	n->anon_vma = av && av->id == pg->av ? av : NULL;
	n->charge = pg->charge ? &c->m->phys_pages : NULL;
	map_put(&c->pages, pg, n);
	return n;
}

static char *dup_str(const char *s)
{
	return s ? eng_strdup(NULL, s) : NULL;
}

static struct vm_inode *clone_inode(struct cloner *c, struct vm_inode *in)
{
	struct vm_inode *n = map_get(&c->inodes, in);

	if (n || !in)
		return n;
	n = xcalloc(sizeof(*n));
	*n = *in;
	n->path = dup_str(in->path);
	pages_clone(&n->cache, &in->cache,
		    in->cache.charge ? &c->m->phys_pages : NULL, no_anon_page,
		    NULL);
	n->next = NULL;
	map_put(&c->inodes, in, n);
	return n;
}

static struct vm_file *clone_file(struct cloner *c, struct vm_file *f)
{
	struct vm_file *n = map_get(&c->files, f);

	if (n || !f)
		return n;
	n = xcalloc(sizeof(*n));
	*n = *f;
	n->path = dup_str(f->path);
	n->inode = clone_inode(c, f->inode);
	map_put(&c->files, f, n);
	return n;
}

static struct vma *clone_vma(const struct vma *v, void *arg)
{
	struct cloner *c = arg;
	struct vma *n = xcalloc(sizeof(*n));
	struct anon_vma_chain **tail = &n->anon_vma_chain;

	*n = *v;
	n->mm = c->mm;
	n->vm_file = clone_file(c, v->vm_file);
	n->anon_vma = map_get(&c->avs, v->anon_vma);
	n->anon_vma_chain = NULL;
	/* The chain in its order; the anon_vmas' lists are linked later. */
	for (const struct anon_vma_chain *a = v->anon_vma_chain; a;
	     a = a->same_vma_next) {
		struct anon_vma_chain *b = xcalloc(sizeof(*b));

		b->vma = n;
		b->anon_vma = map_get(&c->avs, a->anon_vma);
		*tail = b;
		tail = &b->same_vma_next;
		map_put(&c->avcs, a, b);
	}
	return n;
}

struct machine *machine_clone(const struct machine *src)
{
	struct cloner c = {0};
	struct machine *m = xcalloc(sizeof(*m));
	struct proc **plink = &m->procs;
	struct vm_inode **ilink = &m->inodes;
	struct anon_vma **alink = &m->anon_vmas, *aprev = NULL;

	*m = *src;
	m->procs = m->cur = NULL;
	m->inodes = NULL;
	m->anon_vmas = NULL;
	m->nobs = 0;
	m->depth = 0;
	m->fail_after = 0;
	m->chk = NULL;
	m->poll = NULL; /* nobody asks the copy to stop */
	m->poll_arg = NULL;
	m->free_vmas = m->free_avcs = NULL;
	c.m = m;

	/* The namespace, in its order. */
	for (struct vm_inode *in = src->inodes; in; in = in->next) {
		*ilink = clone_inode(&c, in);
		ilink = &(*ilink)->next;
	}
	/* Every live anon_vma, in the list's order; then their links. */
	for (struct anon_vma *av = src->anon_vmas; av; av = av->next) {
		struct anon_vma *n = xcalloc(sizeof(*n));

		*n = *av;
		n->avcs = NULL;
		n->prev = aprev;
		n->next = NULL;
		*alink = n;
		alink = &n->next;
		aprev = n;
		map_put(&c.avs, av, n);
	}
	for (struct anon_vma *av = src->anon_vmas; av; av = av->next) {
		struct anon_vma *n = map_get(&c.avs, av);

		n->root = map_get(&c.avs, av->root);
		n->parent = map_get(&c.avs, av->parent);
	}
	for (const struct proc *p = src->procs; p; p = p->next) {
		struct proc *n = xcalloc(sizeof(*n));

		*n = *p;
		n->next = NULL;
		c.mm = &n->mm;
		vt_clone(&n->mm.tree, &p->mm.tree, clone_vma, &c);
		pages_clone(&n->mm.pages, &p->mm.pages,
			    p->mm.pages.charge ? &m->phys_pages : NULL,
			    clone_page, &c);
		for (int fd = 0; fd < MAX_FDS; fd++)
			n->fds[fd] = clone_file(&c, p->fds[fd]);
		if (p == src->cur)
			m->cur = n;
		*plink = n;
		plink = &n->next;
	}
	/* Each anon_vma's VMAs, in the order of its list. */
	for (struct anon_vma *av = src->anon_vmas; av; av = av->next) {
		struct anon_vma *n = map_get(&c.avs, av);
		struct anon_vma_chain *prev = NULL, **link = &n->avcs;

		for (struct anon_vma_chain *a = av->avcs; a;
		     a = a->same_anon_next) {
			struct anon_vma_chain *b = map_get(&c.avcs, a);

			if (!b) /* a chain of no VMA: the model is broken */
				abort();
			b->same_anon_prev = prev;
			*link = b;
			link = &b->same_anon_next;
			prev = b;
		}
	}
	map_free(&c.inodes);
	map_free(&c.files);
	map_free(&c.avs);
	map_free(&c.avcs);
	map_free(&c.pages);
	return m;
}

/* ---- what a step changed ---- */

static void mix(uint64_t *h, uint64_t x)
{
	*h ^= x + 0x9e3779b97f4a7c15ULL + (*h << 6) + (*h >> 2);
}

/*
 * A digest of everything a call can change, in time proportional to the
 * processes and fds rather than to the VMAs or pages: the counts of
 * edits that the VMA trees, the page tables and vma_start_write() keep,
 * with the scalars beside them.  Two digests of one machine differ if and
 * only if something changed in between (up to a 64-bit collision), which
 * is how the session tells a step from a line that changed nothing.
 */
uint64_t machine_state(const struct machine *m)
{
	uint64_t h = 0;

	mix(&h, m->cur ? (uint64_t)m->cur->pid : 0);
	mix(&h, (uint64_t)m->next_pid);
	mix(&h, m->next_ino);
	mix(&h, m->next_file_id);
	mix(&h, m->next_vma_id);
	mix(&h, m->next_anon_vma_id);
	mix(&h, m->phys_pages);
	mix(&h, m->vma_writes);
	mix(&h, (uint64_t)m->max_map_count);
	for (const struct vm_inode *in = m->inodes; in; in = in->next) {
		mix(&h, in->ino);
		mix(&h, in->size);
		mix(&h, in->cache.edits);
	}
	for (const struct proc *p = m->procs; p; p = p->next) {
		const struct mm *mm = &p->mm;

		mix(&h, (uint64_t)p->pid);
		mix(&h, (uint64_t)p->killed | (uint64_t)p->exited << 8 |
				(uint64_t)p->sigkill << 9);
		mix(&h, mm->tree.count);
		mix(&h, mm->tree.edits);
		mix(&h, mm->pages.edits);
		mix(&h, mm->pages.tables);
		mix(&h, (uint64_t)mm->map_count);
		mix(&h, mm->mmap_base);
		mix(&h, mm->task_size);
		mix(&h, mm->start_brk);
		mix(&h, mm->brk);
		mix(&h, mm->start_stack);
		mix(&h, mm->def_flags);
		mix(&h, mm->total_vm);
		mix(&h, mm->locked_vm);
		mix(&h, mm->data_vm);
		mix(&h, mm->exec_vm);
		mix(&h, mm->stack_vm);
		mix(&h, mm->pinned_vm);
		mix(&h, mm->hiwater_vm);
		mix(&h, mm->hiwater_rss);
		for (int fd = 0; fd < MAX_FDS; fd++) {
			const struct vm_file *f = p->fds[fd];

			if (!f)
				continue;
			mix(&h, (uint64_t)fd << 1 | p->cloexec[fd]);
			mix(&h, f->id);
			mix(&h, f->inode->size);
			mix(&h, f->inode->cache.edits);
		}
	}
	return h;
}

size_t machine_footprint(const struct machine *m)
{
	size_t bytes = sizeof(*m);

	for (const struct proc *p = m->procs; p; p = p->next) {
		struct vt_stats st;

		vt_stats(&p->mm.tree, &st);
		bytes += sizeof(*p) + st.bytes +
			 p->mm.tree.count * (sizeof(struct vma) +
					     sizeof(struct anon_vma_chain)) +
			 p->mm.pages.tables * 640;
	}
	for (const struct anon_vma *av = m->anon_vmas; av; av = av->next)
		bytes += sizeof(*av);
	for (const struct vm_inode *in = m->inodes; in; in = in->next)
		bytes += sizeof(*in) + in->cache.tables * 640;
	return bytes;
}

void machine_new_epoch(struct machine *m)
{
	m->epoch++;
}

unsigned long machine_epoch(const struct machine *m)
{
	return m->epoch;
}
