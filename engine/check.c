/*
 * check.c - the invariant checker and the VMA write-lock checker.
 *
 * machine_check() walks the whole machine and reports, as codes, every
 * place where the state breaks a rule the kernel keeps: the VMA tree is
 * ordered and its augmented gaps right, VMAs neither overlap nor are
 * empty, map_count counts them, no two adjacent VMAs are left apart that
 * the merge would join, every anon_vma_chain links both ways, the counts
 * of each anon_vma (num_active_vmas, num_children, refcount) match what
 * holds it, no page is present outside a VMA, and every anonymous page is
 * found by rmap_walk_anon() from every VMA that maps it: its anon_vma is
 * alive and on the VMA's chain, its index is linear_page_index() there,
 * and its mapcount counts the entries that map it.
 *
 * Checking mode adds the write-lock rule of seed 001 ("it's hard to
 * validate that all modified VMAs are locked"): op_start() snapshots every
 * VMA, vma_start_write() notes each lock, and the next op_start() (or
 * machine_check_take()) compares.  A VMA whose range, pgoff, flags or
 * anon_vma changed, that went away, or that is new in an mm that was
 * already there, must have been locked in that operation.  Two changes
 * take no write lock in the kernel and are let through: a first anon_vma
 * (__anon_vma_prepare() runs in the fault path under the mmap or VMA read
 * lock, serialised by the page_table_lock) and VM_MAYBE_GUARD
 * (MADV_GUARD_INSTALL sets it atomically under the read lock).
 *
 * The checker's own memory is host memory, not eng_zalloc(): checking must
 * not use up the allocation failures a test injects.
 */
#include <string.h>
#include "internal.h"

/* ---- where violations go ---- */

struct sink {
	struct check_violation *out;
	int max, n;
	unsigned long op;
};

static void add(struct sink *s, const struct check_violation *v)
{
	if (s->n < s->max) {
		s->out[s->n] = *v;
		s->out[s->n].op = s->op;
	}
	s->n++;
}

/* A violation about one VMA (or none), with its numbers. */
static void report(struct sink *s, enum check_code code, int pid,
		   const struct vma *v, const struct vma *other,
		   const struct anon_vma *av, long value, long expect)
{
	struct check_violation x = {
		.code = code,
		.pid = pid,
		.vma = v ? v->id : 0,
		.other = other ? other->id : 0,
		.av = av ? av->id : 0,
		.start = v ? v->vm_start : 0,
		.end = v ? v->vm_end : 0,
		.value = value,
		.expect = expect,
	};

	add(s, &x);
}

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return p;
	*cap = need < 16 ? 16 : 2 * need;
	p = realloc(p, *cap * size);
	if (!p)
		abort();
	return p;
}

/* ---- one mm ---- */

/* Adjacent, alike, and nothing the kernel did has left them apart. */
static bool should_have_merged(const struct vma *prev, const struct vma *v)
{
	vm_flags_t diff;

	if (prev->vm_end != v->vm_start || prev->unmerged_next ||
	    v->unmerged_prev)
		return false;
	return vma_merge_blockers(prev, v, &diff) == VETO_NONE;
}

static void check_vma(struct sink *s, const struct mm *mm, const struct vma *v,
		      const struct vma *prev)
{
	unsigned long rss, anon;

	if (v->mm != mm)
		report(s, CHECK_WRONG_MM, mm->pid, v, NULL, NULL, 0, 0);
	if (v->vm_start >= v->vm_end)
		report(s, CHECK_EMPTY, mm->pid, v, NULL, NULL, 0, 0);
	if (((v->vm_start | v->vm_end) & ~PAGE_MASK) || v->vm_end > TASK_SIZE)
		report(s, CHECK_UNALIGNED, mm->pid, v, NULL, NULL, 0, 0);
	if (prev && prev->vm_end > v->vm_start)
		report(s, CHECK_OVERLAP, mm->pid, v, prev, NULL, 0, 0);
	if (prev && should_have_merged(prev, v))
		report(s, CHECK_MERGEABLE, mm->pid, prev, v, NULL, 0, 0);
	vma_page_counts(v, &rss, &anon);
	if (anon && !v->anon_vma)
		report(s, CHECK_ANON_NO_AV, mm->pid, v, NULL, NULL, (long)anon,
		       0);
}

static void check_mm(struct sink *s, const struct mm *mm)
{
	const struct vma *v, *prev = NULL;
	unsigned long n = 0, inside = 0, all;

	if (!vt_check(&mm->tree))
		report(s, CHECK_TREE, mm->pid, NULL, NULL, NULL, 0, 0);
	vt_for_each(&mm->tree, v)
	{
		check_vma(s, mm, v, prev);
		inside += pages_present(&mm->pages, v->vm_start, v->vm_end);
		prev = v;
		n++;
	}
	if (n != mm->tree.count)
		report(s, CHECK_TREE_COUNT, mm->pid, NULL, NULL, NULL, (long)n,
		       (long)mm->tree.count);
	if (n != (unsigned long)mm->map_count)
		report(s, CHECK_MAP_COUNT, mm->pid, NULL, NULL, NULL,
		       mm->map_count, (long)n);
	all = pages_present(&mm->pages, 0, TASK_SIZE);
	if (all > inside)
		report(s, CHECK_PAGE_OUTSIDE, mm->pid, NULL, NULL, NULL,
		       (long)(all - inside), 0);
}

/* ---- the anon_vma graph ---- */

/* What the walk finds holding one live anon_vma. */
struct av_info {
	const struct anon_vma *av;
	long active;   /* VMAs whose anon_vma it is */
	long links;    /* chain links to it */
	long children; /* live anon_vmas with it as parent, tree not empty */
	long holders;  /* live anon_vmas with it as root, other than itself */
};

struct av_table {
	struct av_info *v;
	size_t n, cap;
};

static int by_av(const void *a, const void *b)
{
	const struct anon_vma *x = ((const struct av_info *)a)->av;
	const struct anon_vma *y = ((const struct av_info *)b)->av;

	return x < y ? -1 : x > y;
}

/* The live anon_vma av, or NULL: never dereference one not found. */
static struct av_info *av_find(const struct av_table *t,
			       const struct anon_vma *av)
{
	struct av_info key = {.av = av};

	return t->n ? bsearch(&key, t->v, t->n, sizeof(*t->v), by_av) : NULL;
}

static void av_table_build(struct av_table *t, const struct machine *m)
{
	memset(t, 0, sizeof(*t));
	for (const struct anon_vma *av = m->anon_vmas; av; av = av->next) {
		t->v = grow(t->v, &t->cap, t->n + 1, sizeof(*t->v));
		memset(&t->v[t->n], 0, sizeof(t->v[0]));
		t->v[t->n++].av = av;
	}
	if (t->n)
		qsort(t->v, t->n, sizeof(*t->v), by_av);
}

static bool chain_has(const struct vma *v, const struct anon_vma *av,
		      const struct anon_vma_chain *upto)
{
	for (const struct anon_vma_chain *c = v->anon_vma_chain; c != upto;
	     c = c->same_vma_next)
		if (c->anon_vma == av)
			return true;
	return false;
}

static bool in_tree(const struct anon_vma *av, const struct anon_vma_chain *avc)
{
	for (const struct anon_vma_chain *c = av->avcs; c;
	     c = c->same_anon_next)
		if (c == avc)
			return true;
	return false;
}

/* One link of v's chain: both ways, one root, parents on the chain. */
static void check_link(struct sink *s, struct av_table *t, int pid,
		       const struct vma *v, const struct anon_vma_chain *c)
{
	const struct anon_vma *av = c->anon_vma, *own = v->anon_vma;
	struct av_info *i = av_find(t, av);

	if (c->vma != v || chain_has(v, av, c))
		report(s, CHECK_CHAIN_LINK, pid, v, NULL, i ? av : NULL, 0, 0);
	if (!i) {
		report(s, CHECK_CHAIN_FREED, pid, v, NULL, NULL, 0, 0);
		return;
	}
	i->links++;
	if (!in_tree(av, c))
		report(s, CHECK_CHAIN_TREE, pid, v, NULL, av, 0, 0);
	if (own && av_find(t, own) && av->root != own->root)
		report(s, CHECK_CHAIN_ROOT, pid, v, NULL, av, 0, 0);
	if (av->parent != av && av_find(t, av->parent) &&
	    !chain_has(v, av->parent, NULL))
		report(s, CHECK_CHAIN_PARENT, pid, v, NULL, av, av->parent->id,
		       0);
}

static void check_chains(struct sink *s, struct av_table *t,
			 const struct mm *mm)
{
	const struct vma *v;

	vt_for_each(&mm->tree, v)
	{
		struct av_info *own =
			v->anon_vma ? av_find(t, v->anon_vma) : NULL;

		if (v->anon_vma && !own)
			report(s, CHECK_CHAIN_FREED, mm->pid, v, NULL, NULL, 0,
			       0);
		if (own)
			own->active++;
		for (const struct anon_vma_chain *c = v->anon_vma_chain; c;
		     c = c->same_vma_next)
			check_link(s, t, mm->pid, v, c);
		if (own ? !chain_has(v, v->anon_vma, NULL)
			: !v->anon_vma && v->anon_vma_chain)
			report(s, CHECK_CHAIN_ANON, mm->pid, v, NULL,
			       own ? v->anon_vma : NULL, 0, 0);
	}
}

/* Does the parent walk from av reach its root within n steps? */
static bool reaches_root(const struct av_table *t, const struct anon_vma *av)
{
	const struct anon_vma *a = av;

	for (size_t steps = 0; steps <= t->n; steps++) {
		if (a == av->root)
			return a->root == a && a->parent == a;
		if (!av_find(t, a->parent))
			return false;
		a = a->parent;
	}
	return false;
}

static void check_anon_vmas(struct sink *s, struct av_table *t)
{
	for (size_t k = 0; k < t->n; k++) {
		const struct anon_vma *av = t->v[k].av;
		struct av_info *p = av_find(t, av->parent);
		struct av_info *r = av_find(t, av->root);

		if (!p || !r || !reaches_root(t, av)) {
			report(s, CHECK_AV_ROOT, 0, NULL, NULL, av, 0, 0);
			continue;
		}
		if (av->avcs)
			p->children++;
		if (r->av != av)
			r->holders++;
	}
	for (size_t k = 0; k < t->n; k++) {
		const struct av_info *i = &t->v[k];
		const struct anon_vma *av = i->av;
		long tree = 0, refs = i->holders + (av->avcs ? 1 : 0);

		for (const struct anon_vma_chain *c = av->avcs; c;
		     c = c->same_anon_next)
			tree++;
		if (tree != i->links)
			report(s, CHECK_AV_TREE, 0, NULL, NULL, av, tree,
			       i->links);
		if ((long)av->num_active_vmas != i->active)
			report(s, CHECK_AV_ACTIVE, 0, NULL, NULL, av,
			       (long)av->num_active_vmas, i->active);
		if ((long)av->num_children != i->children)
			report(s, CHECK_AV_CHILDREN, 0, NULL, NULL, av,
			       (long)av->num_children, i->children);
		if (av->refcount != refs)
			report(s, CHECK_AV_REFCOUNT, 0, NULL, NULL, av,
			       av->refcount, refs);
		if (!av->avcs && !i->children && !i->holders)
			report(s, CHECK_AV_LEAK, 0, NULL, NULL, av, 0, 0);
	}
}

/* ---- anonymous pages and their reverse map ---- */

struct page_list {
	const struct anon_page **v;
	size_t n, cap;
};

struct page_ctx {
	struct sink *s;
	const struct av_table *t;
	const struct vma *v;
	struct page_list *all;
};

/* A violation about the page v maps at addr. */
static void report_page(struct page_ctx *c, enum check_code code,
			unsigned long addr, const struct anon_page *pg,
			long value, long expect)
{
	struct check_violation x = {
		.code = code,
		.pid = c->v->mm->pid,
		.vma = c->v->id,
		.av = pg ? pg->av : 0,
		.start = addr,
		.end = addr + PAGE_SIZE,
		.value = value,
		.expect = expect,
	};

	add(c->s, &x);
}

static void check_page(void *arg, unsigned long addr,
		       const struct anon_page *pg)
{
	struct page_ctx *c = arg;
	const struct vma *v = c->v;
	unsigned long index = v->vm_pgoff + ((addr - v->vm_start) >> PAGE_SHIFT);
	struct av_info *i;

	if (!pg) {
		report_page(c, CHECK_PAGE_AV_FREED, addr, NULL, 0, 0);
		return;
	}
	c->all->v = grow(c->all->v, &c->all->cap, c->all->n + 1,
			 sizeof(*c->all->v));
	c->all->v[c->all->n++] = pg;
	i = pg->av ? av_find(c->t, pg->anon_vma) : NULL;
	if (!i || i->av->id != pg->av) {
		report_page(c, CHECK_PAGE_AV_FREED, addr, pg, (long)pg->index,
			    0);
		return;
	}
	if (!chain_has(v, i->av, NULL))
		report_page(c, CHECK_PAGE_NO_CHAIN, addr, pg, (long)pg->index,
			    0);
	if (pg->index != index)
		report_page(c, CHECK_PAGE_INDEX, addr, pg, (long)pg->index,
			    (long)index);
}

static void check_pages(struct sink *s, const struct av_table *t,
			const struct mm *mm, struct page_list *all)
{
	const struct vma *v;

	vt_for_each(&mm->tree, v)
	{
		struct page_ctx c = {s, t, v, all};

		pages_for_each_anon(&mm->pages, v->vm_start, v->vm_end,
				    check_page, &c);
	}
}

static int by_page(const void *a, const void *b)
{
	const struct anon_page *x = *(const struct anon_page *const *)a;
	const struct anon_page *y = *(const struct anon_page *const *)b;

	return x < y ? -1 : x > y;
}

/* Each page's mapcount is the number of entries that map it. */
static void check_mapcounts(struct sink *s, struct page_list *all)
{
	if (all->n > 1)
		qsort(all->v, all->n, sizeof(*all->v), by_page);
	for (size_t k = 0, run; k < all->n; k += run) {
		const struct anon_page *pg = all->v[k];

		for (run = 1; k + run < all->n && all->v[k + run] == pg; run++)
			;
		if (pg->mapcount != (int)run) {
			struct check_violation x = {
				.code = CHECK_PAGE_MAPCOUNT,
				.av = pg->av,
				.value = pg->mapcount,
				.expect = (long)run,
			};

			add(s, &x);
		}
	}
}

static int check_all(const struct machine *m, struct sink *s)
{
	struct av_table t;
	struct page_list all = {NULL, 0, 0};

	av_table_build(&t, m);
	for (const struct proc *p = m->procs; p; p = p->next) {
		check_mm(s, &p->mm);
		check_chains(s, &t, &p->mm);
		check_pages(s, &t, &p->mm, &all);
	}
	check_anon_vmas(s, &t);
	check_mapcounts(s, &all);
	free(all.v);
	free(t.v);
	return s->n;
}

int machine_check(const struct machine *m, struct check_violation *out, int max)
{
	struct sink s = {out, out ? max : 0, 0, 0};

	return check_all(m, &s);
}

/* ---- checking mode: the write-lock checker ---- */

/* One VMA as it was when the operation started. */
struct vma_was {
	unsigned id;
	int pid;
	unsigned long start, end, pgoff;
	vm_flags_t flags;
	const struct anon_vma *anon_vma; /* compared, never dereferenced */
	bool seen;			 /* still there at the end */
};

#define CHECK_KEEP 64
#define CHECK_STATE_MAX 256

struct op_checker {
	bool open; /* an operation is being checked */
	struct vma_was *was;
	size_t nwas, capwas;
	int *pids;
	size_t npids, cappids;
	unsigned *locked;
	size_t nlocked, caplocked;
	unsigned *exited; /* freed by exit_mmap(): need no lock */
	size_t nexited, capexited;
	struct check_violation kept[CHECK_KEEP];
	int nkept;
	/* What machine_check() found after the last operation: a broken
	 * invariant is reported when it breaks, not after every operation. */
	struct check_violation last[CHECK_STATE_MAX];
	int nlast;
	unsigned long found; /* since the last machine_check_take() */
	unsigned long ops, total;
};

static int by_id(const void *a, const void *b)
{
	unsigned x = ((const struct vma_was *)a)->id;
	unsigned y = ((const struct vma_was *)b)->id;

	return x < y ? -1 : x > y;
}

static int by_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

static void snapshot(struct op_checker *c, const struct machine *m)
{
	c->nwas = c->npids = 0;
	for (const struct proc *p = m->procs; p; p = p->next) {
		const struct vma *v;

		c->pids = grow(c->pids, &c->cappids, c->npids + 1,
			       sizeof(*c->pids));
		c->pids[c->npids++] = p->pid;
		vt_for_each(&p->mm.tree, v)
		{
			c->was = grow(c->was, &c->capwas, c->nwas + 1,
				      sizeof(*c->was));
			c->was[c->nwas++] = (struct vma_was){
				.id = v->id,
				.pid = p->pid,
				.start = v->vm_start,
				.end = v->vm_end,
				.pgoff = v->vm_pgoff,
				.flags = v->vm_flags,
				.anon_vma = v->anon_vma,
			};
		}
	}
	if (c->nwas)
		qsort(c->was, c->nwas, sizeof(*c->was), by_id);
}

void check_note_lock(struct machine *m, const struct vma *v)
{
	struct op_checker *c = m->chk;

	c->locked = grow(c->locked, &c->caplocked, c->nlocked + 1,
			 sizeof(*c->locked));
	c->locked[c->nlocked++] = v->id;
}

/*
 * exit_mmap() takes no VMA locks: with mm_users at 0 no lockless reader
 * can reach the mm, whether the process exits, is killed, or execs into
 * a new mm (the old one goes when its last user drops it).
 */
void check_note_exit(struct machine *m, const struct vma *v)
{
	struct op_checker *c = m->chk;

	c->exited = grow(c->exited, &c->capexited, c->nexited + 1,
			 sizeof(*c->exited));
	c->exited[c->nexited++] = v->id;
}

static bool in_ids(const unsigned *ids, size_t n, unsigned id)
{
	return n && bsearch(&id, ids, n, sizeof(id), by_uint);
}

static bool was_locked(const struct op_checker *c, unsigned id)
{
	return in_ids(c->locked, c->nlocked, id);
}

static bool had_pid(const struct op_checker *c, int pid)
{
	for (size_t i = 0; i < c->npids; i++)
		if (c->pids[i] == pid)
			return true;
	return false;
}

/* What changed that needs the write lock (enum check_field). */
static unsigned lock_needed(const struct vma_was *w, const struct vma *v)
{
	unsigned what = 0;

	if (w->start != v->vm_start || w->end != v->vm_end)
		what |= CHECK_F_RANGE;
	if (w->pgoff != v->vm_pgoff)
		what |= CHECK_F_PGOFF;
	if ((w->flags ^ v->vm_flags) & ~VM_MAYBE_GUARD)
		what |= CHECK_F_FLAGS;
	/* A first anon_vma comes from the fault path: no write lock. */
	if (w->anon_vma != v->anon_vma && (w->anon_vma || what))
		what |= CHECK_F_ANON_VMA;
	return what;
}

static void lock_violation(struct sink *s, enum check_code code,
			   const struct vma_was *w, int pid, unsigned id,
			   unsigned what)
{
	struct check_violation x = {
		.code = code,
		.pid = pid,
		.vma = id,
		.start = w ? w->start : 0,
		.end = w ? w->end : 0,
		.what = what,
	};

	add(s, &x);
}

static void check_locks(struct sink *s, struct op_checker *c,
			const struct machine *m)
{
	if (c->nlocked)
		qsort(c->locked, c->nlocked, sizeof(*c->locked), by_uint);
	if (c->nexited)
		qsort(c->exited, c->nexited, sizeof(*c->exited), by_uint);
	for (const struct proc *p = m->procs; p; p = p->next) {
		const struct vma *v;

		if (!had_pid(c, p->pid))
			continue; /* a new mm: nobody else can see it yet */
		vt_for_each(&p->mm.tree, v)
		{
			struct vma_was key = {.id = v->id}, *w = NULL;
			unsigned what;

			if (c->nwas)
				w = bsearch(&key, c->was, c->nwas,
					    sizeof(*c->was), by_id);
			if (!w) {
				if (!was_locked(c, v->id))
					lock_violation(s, CHECK_LOCK_NEW, NULL,
						       p->pid, v->id, 0);
				continue;
			}
			w->seen = true;
			what = lock_needed(w, v);
			if (what && !was_locked(c, v->id))
				lock_violation(s, CHECK_LOCK_CHANGED, w, p->pid,
					       v->id, what);
		}
	}
	for (size_t i = 0; i < c->nwas; i++) {
		const struct vma_was *w = &c->was[i];

		if (!w->seen && machine_mm(m, w->pid) &&
		    !in_ids(c->exited, c->nexited, w->id) &&
		    !was_locked(c, w->id))
			lock_violation(s, CHECK_LOCK_REMOVED, w, w->pid, w->id,
				       0);
	}
}

static bool same_violation(const struct check_violation *a,
			   const struct check_violation *b)
{
	return a->code == b->code && a->pid == b->pid && a->vma == b->vma &&
	       a->other == b->other && a->av == b->av;
}

/* The invariants after this operation: only the newly broken ones. */
static void check_state(struct sink *s, struct op_checker *c,
			const struct machine *m)
{
	struct check_violation now[CHECK_STATE_MAX];
	struct sink st = {now, CHECK_STATE_MAX, 0, s->op};
	int n;

	check_all(m, &st);
	n = st.n < CHECK_STATE_MAX ? st.n : CHECK_STATE_MAX;
	for (int i = 0; i < n; i++) {
		bool old = false;

		for (int j = 0; j < c->nlast && !old; j++)
			old = same_violation(&now[i], &c->last[j]);
		if (!old)
			add(s, &now[i]);
	}
	s->n += st.n - n; /* too many to tell apart: all count */
	memcpy(c->last, now, (size_t)n * sizeof(now[0]));
	c->nlast = n;
}

static void check_op_end(struct machine *m)
{
	struct op_checker *c = m->chk;
	struct sink s = {c->kept + c->nkept, CHECK_KEEP - c->nkept, 0,
			 ++c->ops};

	check_locks(&s, c, m);
	check_state(&s, c, m);
	c->nkept += s.n < s.max ? s.n : s.max;
	c->found += (unsigned long)s.n;
	c->total += (unsigned long)s.n;
	c->open = false;
}

void check_op_start(struct machine *m)
{
	struct op_checker *c = m->chk;

	if (c->open)
		check_op_end(m);
	snapshot(c, m);
	c->nlocked = 0;
	c->nexited = 0;
	c->open = true;
}

void check_free(struct machine *m)
{
	struct op_checker *c = m->chk;

	if (!c)
		return;
	free(c->was);
	free(c->pids);
	free(c->locked);
	free(c->exited);
	free(c);
	m->chk = NULL;
}

int machine_set_checking(struct machine *m, bool on)
{
	if (!on) {
		check_free(m);
		return 0;
	}
	if (!m->chk) {
		m->chk = calloc(1, sizeof(*m->chk));
		if (!m->chk)
			return -ENOMEM;
	}
	return 0;
}

bool machine_checking(const struct machine *m)
{
	return m->chk != NULL;
}

int machine_check_take(struct machine *m, struct check_violation *out, int max)
{
	struct op_checker *c = m->chk;
	int n, keep;

	if (!c)
		return 0;
	if (c->open)
		check_op_end(m);
	keep = c->nkept < max ? c->nkept : max;
	if (keep > 0)
		memcpy(out, c->kept, (size_t)keep * sizeof(*out));
	n = (int)c->found;
	c->nkept = 0;
	c->found = 0;
	return n;
}

void machine_check_stats(const struct machine *m, unsigned long *ops,
			 unsigned long *violations)
{
	*ops = m->chk ? m->chk->ops : 0;
	*violations = m->chk ? m->chk->total : 0;
}
