/*
 * rmap.c - the anonymous reverse map: anon_vmas, the anon_vma_chains that
 * link VMAs to them, and their life cycle (mm/rmap.c).
 *
 * Which anon_vma a VMA has, and how many chains link it, decide merges:
 * a VMA whose chain is not singular came from fork ("fork child") and
 * never merges with an unfaulted neighbour, and two faulted VMAs merge only
 * when they share an anon_vma.  So the model keeps the counts the kernel
 * keeps (num_children, num_active_vmas, refcount) and frees anon_vmas when
 * the kernel would.
 */
#include <string.h>
#include "internal.h"

static struct anon_vma *anon_vma_alloc(struct machine *m)
{
	struct anon_vma *av = eng_zalloc(m, sizeof(*av));

	if (!av)
		return NULL;
	av->id = ++m->next_anon_vma_id;
	av->refcount = 1;
	av->root = av;
	av->parent = av;
	/* The machine's list of live anon_vmas, for the graph and checks. */
	av->next = m->anon_vmas;
	if (av->next)
		av->next->prev = av;
	m->anon_vmas = av;
	return av;
}

static void anon_vma_free(struct machine *m, struct anon_vma *av)
{
	EVENT(m, .kind = EV_ANON_VMA, .code = AV_FREE, .fn = "anon_vma_free",
	      .av = av->id);
	if (av->prev)
		av->prev->next = av->next;
	else
		m->anon_vmas = av->next;
	if (av->next)
		av->next->prev = av->prev;
	free(av);
}

/* put_anon_vma() / __put_anon_vma(): a child pins its root. */
static void put_anon_vma(struct machine *m, struct anon_vma *av)
{
	struct anon_vma *root = av->root;

	if (--av->refcount > 0)
		return;
	anon_vma_free(m, av);
	if (root != av && --root->refcount == 0)
		anon_vma_free(m, root);
}

static struct anon_vma_chain *anon_vma_chain_alloc(struct machine *m)
{
	return eng_pool_get(m, &m->free_avcs, sizeof(struct anon_vma_chain));
}

/* anon_vma_chain_link(): newest first on the VMA, and into the av's tree. */
static void anon_vma_chain_link(struct machine *m, struct vma *v,
				struct anon_vma_chain *avc, struct anon_vma *av)
{
	EVENT(m, .kind = EV_ANON_VMA, .code = AV_LINK,
	      .fn = "anon_vma_chain_link", .v = v, .av = av->id);
	avc->vma = v;
	avc->anon_vma = av;
	avc->same_vma_next = v->anon_vma_chain;
	v->anon_vma_chain = avc;
	avc->same_anon_prev = NULL;
	avc->same_anon_next = av->avcs;
	if (av->avcs)
		av->avcs->same_anon_prev = avc;
	av->avcs = avc;
}

static void avc_tree_remove(struct anon_vma_chain *avc)
{
	struct anon_vma *av = avc->anon_vma;

	if (avc->same_anon_prev)
		avc->same_anon_prev->same_anon_next = avc->same_anon_next;
	else
		av->avcs = avc->same_anon_next;
	if (avc->same_anon_next)
		avc->same_anon_next->same_anon_prev = avc->same_anon_prev;
	avc->same_anon_next = avc->same_anon_prev = NULL;
}

bool anon_vma_chain_singular(const struct vma *v)
{
	return v->anon_vma_chain && !v->anon_vma_chain->same_vma_next;
}

int anon_vma_chain_len(const struct vma *v)
{
	int n = 0;

	for (const struct anon_vma_chain *a = v->anon_vma_chain; a;
	     a = a->same_vma_next)
		n++;
	return n;
}

/*
 * __anon_vma_prepare(): the first fault on a VMA gives it an anon_vma,
 * reusing a neighbour's when find_mergeable_anon_vma() finds one, so that
 * pieces split by mprotect and faulted separately can merge again.
 */
int __anon_vma_prepare(struct machine *m, struct vma *v)
{
	struct anon_vma_chain *avc = anon_vma_chain_alloc(m);
	struct anon_vma *av;

	if (!avc)
		return -ENOMEM;
	av = find_mergeable_anon_vma(m, v);
	if (av) {
		EVENT(m, .kind = EV_ANON_VMA, .code = AV_PREPARE_REUSE,
		      .fn = "__anon_vma_prepare", .v = v, .av = av->id);
	} else {
		av = anon_vma_alloc(m);
		if (!av) {
			eng_pool_put(&m->free_avcs, avc);
			return -ENOMEM;
		}
		av->num_children++; /* self-parent link for new root */
		EVENT(m, .kind = EV_ANON_VMA, .code = AV_PREPARE_NEW,
		      .fn = "__anon_vma_prepare", .v = v, .av = av->id);
	}
	v->anon_vma = av;
	anon_vma_chain_link(m, v, avc, av);
	av->num_active_vmas++;
	return 0;
}

/* Link dst to src's anon_vmas, oldest first (list_for_each_entry_reverse). */
static int clone_chain(struct machine *m, struct vma *dst, struct vma *src,
		       struct anon_vma_chain *pavc)
{
	struct anon_vma_chain *avc;
	struct anon_vma *av;

	if (!pavc)
		return 0;
	if (clone_chain(m, dst, src, pavc->same_vma_next))
		return -ENOMEM;
	avc = anon_vma_chain_alloc(m);
	if (!avc)
		return -ENOMEM;
	av = pavc->anon_vma;
	anon_vma_chain_link(m, dst, avc, av);
	/*
	 * Reuse an existing anon_vma that has no VMA and at most one child.
	 * The root is never reused: its self link counts as a child.
	 */
	if (!dst->anon_vma && src->anon_vma &&
	    (av->num_children < 2 || MUTATED(m, MUT_ANON_VMA_CLONE_REUSE)) &&
	    av->num_active_vmas == 0) {
		dst->anon_vma = av;
		EVENT(m, .kind = EV_ANON_VMA, .code = AV_CLONE_REUSE,
		      .fn = "anon_vma_clone", .v = dst, .av = av->id);
	}
	return 0;
}

int anon_vma_clone(struct machine *m, struct vma *dst, struct vma *src)
{
	if (clone_chain(m, dst, src, src->anon_vma_chain)) {
		dst->anon_vma = NULL;
		unlink_anon_vmas(m, dst);
		return -ENOMEM;
	}
	if (dst->anon_vma)
		dst->anon_vma->num_active_vmas++;
	return 0;
}

/*
 * anon_vma_fork(): the child VMA links to every anon_vma of the parent's
 * chain, then gets its own anon_vma for the pages it will CoW.  Its chain
 * is then never singular: it is a fork child for life.
 */
int anon_vma_fork(struct machine *m, struct vma *v, struct vma *pv)
{
	struct anon_vma_chain *avc;
	struct anon_vma *av;

	if (!pv->anon_vma)
		return 0;
	v->anon_vma = NULL;
	if (anon_vma_clone(m, v, pv))
		return -ENOMEM;
	if (v->anon_vma)
		return 0;
	if (MUTATED(m, MUT_ANON_VMA_FORK_OWN)) {
		v->anon_vma = pv->anon_vma;
		v->anon_vma->num_active_vmas++;
		return 0;
	}
	av = anon_vma_alloc(m);
	if (!av)
		goto out_error;
	av->num_active_vmas++;
	avc = anon_vma_chain_alloc(m);
	if (!avc) {
		put_anon_vma(m, av);
		goto out_error;
	}
	av->root = pv->anon_vma->root;
	av->parent = pv->anon_vma;
	av->root->refcount++;
	v->anon_vma = av;
	anon_vma_chain_link(m, v, avc, av);
	av->parent->num_children++;
	EVENT(m, .kind = EV_ANON_VMA, .code = AV_FORK_NEW,
	      .fn = "anon_vma_fork", .v = v, .av = av->id,
	      .av2 = av->parent->id,
	      .value = (unsigned long)anon_vma_chain_len(v));
	return 0;
out_error:
	unlink_anon_vmas(m, v);
	return -ENOMEM;
}

/*
 * unlink_anon_vmas(): drop every chain link of v.  An anon_vma whose tree
 * becomes empty is released, after its parent's child count drops.
 */
void unlink_anon_vmas(struct machine *m, struct vma *v)
{
	struct anon_vma_chain *avc, *next, *empty = NULL, **tail = &empty;

	if (!v->anon_vma_chain && !v->anon_vma)
		return;
	if (v->anon_vma)
		EVENT(m, .kind = EV_ANON_VMA, .code = AV_UNLINK,
		      .fn = "unlink_anon_vmas", .v = v, .av = v->anon_vma->id);
	for (avc = v->anon_vma_chain; avc; avc = next) {
		next = avc->same_vma_next;
		avc_tree_remove(avc);
		if (!avc->anon_vma->avcs) {
			avc->anon_vma->parent->num_children--;
			avc->same_vma_next = NULL;
			*tail = avc;
			tail = &avc->same_vma_next;
			continue;
		}
		eng_pool_put(&m->free_avcs, avc);
	}
	v->anon_vma_chain = NULL;
	if (v->anon_vma) {
		v->anon_vma->num_active_vmas--;
		v->anon_vma = NULL;
	}
	/* Newest first, so the root is released after its children. */
	for (avc = empty; avc; avc = next) {
		next = avc->same_vma_next;
		put_anon_vma(m, avc->anon_vma);
		eng_pool_put(&m->free_avcs, avc);
	}
}

/* ---- the walk: rmap_walk_anon() ---- */

/* The live anon_vma with this id, or NULL (a page may outlive it only if
 * the model is wrong; the walk then stops, and the checker says why). */
static const struct anon_vma *live_anon_vma(const struct machine *m,
					    unsigned id)
{
	for (const struct anon_vma *av = m->anon_vmas; av; av = av->next)
		if (av->id == id)
			return av;
	return NULL;
}

const struct anon_vma *machine_anon_vmas(const struct machine *m)
{
	return m->anon_vmas;
}

static int by_start_pgoff(const void *a, const void *b)
{
	const struct rmap_visit *x = a, *y = b;

	if (x->pgoff_start != y->pgoff_start)
		return x->pgoff_start < y->pgoff_start ? -1 : 1;
	if (x->pgoff_last != y->pgoff_last)
		return x->pgoff_last < y->pgoff_last ? -1 : 1;
	return x->vma->id < y->vma->id ? -1 : x->vma->id > y->vma->id;
}

/*
 * rmap_walk_anon(): folio_anon_vma() of the page, the root's lock
 * (anon_vma_lock_read takes anon_vma->root->rwsem), then
 * anon_vma_interval_tree_foreach(avc, &anon_vma->rb_root, pgoff, pgoff):
 * every chain whose VMA's [vma_start_pgoff, vma_last_pgoff] holds the
 * page's index, in order of start pgoff, and for each its vma_address().
 * rmap_one() (page_vma_mapped_walk) then finds whether that VMA's page
 * table maps this very page there: after a COW break it maps a copy.
 */
int machine_rmap_walk(const struct machine *m, int pid, unsigned long addr,
		      struct rmap_walk *w)
{
	const struct mm *mm = machine_mm(m, pid);
	const struct anon_page *pg;
	const struct anon_vma *av;
	size_t cap = 0;

	memset(w, 0, sizeof(*w));
	if (!mm)
		return -ESRCH;
	addr &= PAGE_MASK;
	if (!pages_lookup(&mm->pages, addr, &w->kind))
		w->kind = PAGE_NONE;
	pg = pages_anon(&mm->pages, addr);
	if (!pg)
		return w->kind == PAGE_ANON ? -EFAULT : -ENOENT;
	w->page = pg;
	av = live_anon_vma(m, pg->av);
	if (!av)
		return -EFAULT;
	w->anon_vma = av;
	w->root = av->root;
	for (const struct anon_vma_chain *c = av->avcs; c;
	     c = c->same_anon_next) {
		const struct vma *v = c->vma;
		unsigned long first = v->vm_pgoff;
		unsigned long last = v->vm_pgoff + vma_pages(v) - 1;
		struct rmap_visit *x;

		w->nchains++;
		if (pg->index < first || pg->index > last)
			continue;
		if (w->n == cap) {
			cap = cap ? 2 * cap : 8;
			w->v = realloc(w->v, cap * sizeof(*w->v));
			if (!w->v)
				abort();
		}
		x = &w->v[w->n++];
		x->pid = v->mm->pid;
		x->vma = v;
		x->pgoff_start = first;
		x->pgoff_last = last;
		x->addr = v->vm_start + ((pg->index - first) << PAGE_SHIFT);
		x->maps = pages_anon(&v->mm->pages, x->addr) == pg;
	}
	if (w->n > 1)
		qsort(w->v, w->n, sizeof(*w->v), by_start_pgoff);
	return 0;
}

void rmap_walk_free(struct rmap_walk *w)
{
	free(w->v);
	w->v = NULL;
	w->n = 0;
}
