/*
 * model.c - snapshots of VMAs, their differences, and the model that
 * follows the engine's events so that a step's difference is found from
 * the VMAs it touched alone.
 *
 * The model keeps one vma_snap per live VMA of the machine, in a hash on
 * the VMA's id.  During a step its observer notes each VMA an event names
 * (with the engine's pointer, valid until the VMA is freed, and the event
 * that frees it says so).  After the step, each noted VMA is read again
 * and compared with what the model had: that is the step's difference.
 */
#include <stdlib.h>
#include <string.h>
#include "model.h"
#include "procfs.h"
#include "tree.h"

/* ---- snapshots ---- */

void vma_snap_of(struct vma_snap *o, const struct vma *v)
{
	size_t n;
	bool deleted;
	const char *name = vma_name(v, &deleted);

	memset(o, 0, sizeof(*o)); /* snaps compare and store whole */
	o->id = v->id;
	o->pid = v->mm->pid;
	o->start = v->vm_start;
	o->end = v->vm_end;
	o->pgoff = v->vm_pgoff;
	o->flags = v->vm_flags;
	o->file = v->vm_file ? v->vm_file->id : 0;
	o->anon_vma = v->anon_vma ? v->anon_vma->id : 0;
	vma_page_counts(v, &o->rss, &o->anon);
	n = strlen(name);
	if (n >= sizeof(o->name))
		n = sizeof(o->name) - 1;
	memcpy(o->name, name, n);
	o->name[n] = '\0';
}

void mm_counters_of(struct mm_counters *c, const struct mm *mm)
{
	unsigned long rss;

	memset(c, 0, sizeof(*c));
	if (!mm)
		return;
	c->total_vm = mm->total_vm;
	c->locked_vm = mm->locked_vm;
	c->pinned_vm = mm->pinned_vm;
	c->data_vm = mm->data_vm;
	c->exec_vm = mm->exec_vm;
	c->stack_vm = mm->stack_vm;
	mm_rss_counters(mm, &c->anon, &c->file, &c->shmem);
	rss = c->anon + c->file + c->shmem;
	c->peak_vm =
		mm->hiwater_vm > mm->total_vm ? mm->hiwater_vm : mm->total_vm;
	c->peak_rss = mm->hiwater_rss > rss ? mm->hiwater_rss : rss;
	c->pte_tables = mm->pages.tables;
}

void mm_snap_take(struct mm_snap *snap, const struct machine *m, int pid)
{
	const struct mm *mm = m ? machine_mm(m, pid) : NULL;
	const struct vma *v;

	memset(snap, 0, sizeof(*snap));
	if (!mm)
		return;
	snap->pid = pid;
	mm_counters_of(&snap->counters, mm);
	snap->v = calloc(mm->tree.count + 1, sizeof(*snap->v));
	if (!snap->v)
		abort();
	vt_for_each(&mm->tree, v) vma_snap_of(&snap->v[snap->n++], v);
}

void mm_snap_free(struct mm_snap *snap)
{
	free(snap->v);
	memset(snap, 0, sizeof(*snap));
}

/* ---- differences ---- */

/* The file offset relative to the start: what a split leaves alone. */
static long pgoff_delta(const struct vma_snap *v)
{
	return (long)(v->pgoff - (v->start >> PAGE_SHIFT));
}

unsigned vma_snap_diff(const struct vma_snap *a, const struct vma_snap *b)
{
	return (a->start != b->start ? VF_START : 0) |
	       (a->end != b->end ? VF_END : 0) |
	       (a->flags != b->flags ? VF_FLAGS : 0) |
	       (pgoff_delta(a) != pgoff_delta(b) ? VF_PGOFF : 0) |
	       (a->file != b->file ? VF_FILE : 0) |
	       (a->anon_vma != b->anon_vma ? VF_ANON_VMA : 0) |
	       (a->rss != b->rss ? VF_RSS : 0) |
	       (a->anon != b->anon ? VF_ANON : 0);
}

static void diff_push(struct mm_diff *d, char sign, const struct vma_snap *old,
		      const struct vma_snap *new)
{
	struct vma_delta *x;

	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 16;
		d->d = realloc(d->d, d->cap * sizeof(*d->d));
		if (!d->d)
			abort();
	}
	x = &d->d[d->n++];
	memset(x, 0, sizeof(*x));
	x->sign = sign;
	if (old)
		x->old = *old;
	if (new)
		x->new = *new;
	if (old && new)
		x->fields = vma_snap_diff(old, new);
}

/* Address order; at one address the removed VMA reads before the new. */
static int by_address(const void *x, const void *y)
{
	const struct vma_delta *a = x, *b = y;
	unsigned long ka = a->sign == '-' ? a->old.start : a->new.start;
	unsigned long kb = b->sign == '-' ? b->old.start : b->new.start;

	if (ka != kb)
		return ka < kb ? -1 : 1;
	return (a->sign != '-') - (b->sign != '-');
}

static void diff_sort(struct mm_diff *d)
{
	if (d->n > 1)
		qsort(d->d, d->n, sizeof(*d->d), by_address);
}

static int by_id(const void *x, const void *y)
{
	const struct vma_snap *const *a = x, *const *b = y;

	return (*a)->id < (*b)->id ? -1 : (*a)->id > (*b)->id;
}

static const struct vma_snap **sorted_by_id(const struct mm_snap *m)
{
	const struct vma_snap **v = calloc(m->n + 1, sizeof(*v));

	if (!v)
		abort();
	for (size_t i = 0; i < m->n; i++)
		v[i] = &m->v[i];
	qsort(v, m->n, sizeof(*v), by_id);
	return v;
}

void mm_diff_snaps(struct mm_diff *d, const struct mm_snap *a,
		   const struct mm_snap *b)
{
	const struct vma_snap **va = sorted_by_id(a), **vb = sorted_by_id(b);
	size_t i = 0, j = 0;

	d->n = 0;
	d->pid = b->pid;
	while (i < a->n || j < b->n) {
		if (j == b->n || (i < a->n && va[i]->id < vb[j]->id)) {
			diff_push(d, '-', va[i++], NULL);
		} else if (i == a->n || vb[j]->id < va[i]->id) {
			diff_push(d, '+', NULL, vb[j++]);
		} else {
			if (vma_snap_diff(va[i], vb[j]))
				diff_push(d, '~', va[i], vb[j]);
			i++;
			j++;
		}
	}
	free(va);
	free(vb);
	diff_sort(d);
}

void mm_diff_free(struct mm_diff *d)
{
	free(d->d);
	memset(d, 0, sizeof(*d));
}

/* ---- the model ---- */

struct model_touch {
	unsigned id;
	int pid;
	const struct vma *v; /* NULL once the VMA is gone */
	bool gone;	     /* removed: later events of its teardown do not
			      * bring it back */
};

static size_t hash_id(unsigned id, size_t cap)
{
	return (size_t)(id * 2654435761u) & (cap - 1);
}

static struct vma_snap *snap_find(const struct model *mo, unsigned id)
{
	if (!mo->capsnaps)
		return NULL;
	for (size_t i = hash_id(id, mo->capsnaps);;
	     i = (i + 1) & (mo->capsnaps - 1)) {
		if (mo->snaps[i].id == id)
			return &mo->snaps[i];
		if (!mo->snaps[i].id)
			return NULL;
	}
}

static void snap_put(struct model *mo, const struct vma_snap *s);

static void snaps_grow(struct model *mo)
{
	struct vma_snap *old = mo->snaps;
	size_t oldcap = mo->capsnaps;

	mo->capsnaps = oldcap ? 2 * oldcap : 256;
	mo->snaps = calloc(mo->capsnaps, sizeof(*mo->snaps));
	if (!mo->snaps)
		abort();
	mo->nsnaps = 0;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].id)
			snap_put(mo, &old[i]);
	free(old);
}

static void snap_put(struct model *mo, const struct vma_snap *s)
{
	size_t i;

	if (2 * (mo->nsnaps + 1) > mo->capsnaps)
		snaps_grow(mo);
	for (i = hash_id(s->id, mo->capsnaps); mo->snaps[i].id;
	     i = (i + 1) & (mo->capsnaps - 1)) {
		if (mo->snaps[i].id == s->id) {
			mo->snaps[i] = *s;
			return;
		}
	}
	mo->snaps[i] = *s;
	mo->nsnaps++;
}

/* Linear probing: delete by shifting the entries after back. */
static void snap_del(struct model *mo, unsigned id)
{
	size_t mask = mo->capsnaps - 1, i, j;
	struct vma_snap *s = snap_find(mo, id);

	if (!s)
		return;
	i = (size_t)(s - mo->snaps);
	mo->snaps[i].id = 0;
	mo->nsnaps--;
	for (j = (i + 1) & mask; mo->snaps[j].id; j = (j + 1) & mask) {
		size_t home = hash_id(mo->snaps[j].id, mo->capsnaps);

		/* Move j back into the hole at i unless its home is
		 * cyclically in (i, j]. */
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && (home <= i && home > j))) {
			mo->snaps[i] = mo->snaps[j];
			mo->snaps[j].id = 0;
			i = j;
		}
	}
}

void model_init(struct model *mo)
{
	memset(mo, 0, sizeof(*mo));
}

void model_free(struct model *mo)
{
	free(mo->snaps);
	free(mo->touched);
	free(mo->touch_index);
	memset(mo, 0, sizeof(*mo));
}

static struct model_touch *touch_slot(struct model *mo, unsigned id);

static void touch_index_grow(struct model *mo)
{
	size_t cap = mo->captouch_index ? 2 * mo->captouch_index : 64;

	free(mo->touch_index);
	mo->captouch_index = cap;
	mo->touch_index = calloc(cap, sizeof(*mo->touch_index));
	if (!mo->touch_index)
		abort();
	for (size_t k = 0; k < mo->ntouched; k++) {
		size_t i = hash_id(mo->touched[k].id, cap);

		while (mo->touch_index[i])
			i = (i + 1) & (cap - 1);
		mo->touch_index[i] = (unsigned)k + 1;
	}
}

/* This step's entry for id, made if need be. */
static struct model_touch *touch_slot(struct model *mo, unsigned id)
{
	size_t i;

	if (2 * (mo->ntouched + 1) > mo->captouch_index)
		touch_index_grow(mo);
	for (i = hash_id(id, mo->captouch_index); mo->touch_index[i];
	     i = (i + 1) & (mo->captouch_index - 1))
		if (mo->touched[mo->touch_index[i] - 1].id == id)
			return &mo->touched[mo->touch_index[i] - 1];
	if (mo->ntouched == mo->captouched) {
		mo->captouched = mo->captouched ? 2 * mo->captouched : 32;
		mo->touched = realloc(mo->touched,
				      mo->captouched * sizeof(*mo->touched));
		if (!mo->touched)
			abort();
	}
	mo->touch_index[i] = (unsigned)mo->ntouched + 1;
	mo->touched[mo->ntouched] = (struct model_touch){id, 0, NULL, false};
	return &mo->touched[mo->ntouched++];
}

static void touch(struct model *mo, const struct vma *v)
{
	struct model_touch *t = touch_slot(mo, v->id);

	if (t->gone)
		return;
	t->pid = v->mm->pid;
	t->v = v;
}

static void model_event(void *arg, const struct vmalab_event *ev)
{
	struct model *mo = arg;

	if (ev->kind == EV_VMA_FREE) {
		struct model_touch *t = touch_slot(mo, ev->vma);

		t->pid = ev->pid;
		t->v = NULL;
		t->gone = true;
		return;
	}
	if (ev->v)
		touch(mo, ev->v);
	if (ev->o)
		touch(mo, ev->o);
}

struct engine_observer model_observer(struct model *mo)
{
	return (struct engine_observer){model_event, mo};
}

static void touched_clear(struct model *mo)
{
	mo->ntouched = 0;
	if (mo->touch_index)
		memset(mo->touch_index, 0,
		       mo->captouch_index * sizeof(*mo->touch_index));
}

/* Everything again: a different machine (or the first). */
static void model_resync(struct model *mo, const struct machine *m, int pid,
			 struct mm_diff *out)
{
	struct mm_snap before = {0}, after;
	int pids[256], n = m ? machine_pids(m, pids, 256) : 0;

	if (out && pid) {
		before.pid = pid;
		before.v = calloc(mo->nsnaps + 1, sizeof(*before.v));
		if (!before.v)
			abort();
		for (size_t i = 0; i < mo->capsnaps; i++)
			if (mo->snaps[i].id && mo->snaps[i].pid == pid)
				before.v[before.n++] = mo->snaps[i];
	}
	free(mo->snaps);
	mo->snaps = NULL;
	mo->nsnaps = mo->capsnaps = 0;
	for (int k = 0; k < n && k < 256; k++) {
		mm_snap_take(&after, m, pids[k]);
		for (size_t i = 0; i < after.n; i++)
			snap_put(mo, &after.v[i]);
		if (out && pids[k] == pid)
			mm_diff_snaps(out, &before, &after);
		mm_snap_free(&after);
	}
	free(before.v);
	mo->m = m;
	mo->epoch = machine_epoch(m);
}

void model_step(struct model *mo, const struct machine *m, int pid,
		struct mm_diff *out)
{
	if (out) {
		out->n = 0;
		out->pid = pid;
	}
	if (mo->m != m || mo->epoch != machine_epoch(m)) {
		model_resync(mo, m, pid, out);
		touched_clear(mo);
		return;
	}
	for (size_t k = 0; k < mo->ntouched; k++) {
		const struct model_touch *t = &mo->touched[k];
		struct vma_snap *was = snap_find(mo, t->id), old, now;

		if (was)
			old = *was;
		if (t->v)
			vma_snap_of(&now, t->v);
		if (out && t->pid == pid) {
			if (!was && t->v)
				diff_push(out, '+', NULL, &now);
			else if (was && !t->v)
				diff_push(out, '-', &old, NULL);
			else if (was && vma_snap_diff(&old, &now))
				diff_push(out, '~', &old, &now);
		}
		if (t->v)
			snap_put(mo, &now);
		else if (was)
			snap_del(mo, t->id);
	}
	touched_clear(mo);
	if (out)
		diff_sort(out);
}

/* ---- the anon_vma graph ---- */

struct page_ptrs {
	const struct anon_page **v;
	size_t n, cap;
};

static void collect_page(void *arg, unsigned long addr,
			 const struct anon_page *pg)
{
	struct page_ptrs *p = arg;

	(void)addr;
	if (!pg)
		return;
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 64;
		p->v = realloc(p->v, p->cap * sizeof(*p->v));
		if (!p->v)
			abort();
	}
	p->v[p->n++] = pg;
}

static int by_ptr(const void *a, const void *b)
{
	const void *x = *(const void *const *)a, *y = *(const void *const *)b;

	return x < y ? -1 : x > y;
}

static int by_chain(const void *a, const void *b)
{
	const struct avc_snap *x = a, *y = b;

	if (x->pgoff_start != y->pgoff_start)
		return x->pgoff_start < y->pgoff_start ? -1 : 1;
	if (x->pgoff_last != y->pgoff_last)
		return x->pgoff_last < y->pgoff_last ? -1 : 1;
	return x->vma < y->vma ? -1 : x->vma > y->vma;
}

static int by_snap_id(const void *a, const void *b)
{
	const struct av_snap *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Append av (from the sorted flat array) and its children, depth first. */
static void graph_order(struct av_snap *flat, size_t n, size_t k, int depth,
			struct av_snap *out, size_t *nout, unsigned char *done)
{
	if (done[k])
		return;
	done[k] = 1;
	flat[k].depth = depth;
	out[(*nout)++] = flat[k];
	for (size_t c = 0; c < n; c++)
		if (!done[c] && flat[c].parent == flat[k].id &&
		    flat[c].id != flat[k].id)
			graph_order(flat, n, c, depth + 1, out, nout, done);
}

void anon_graph_take(struct anon_graph *g, const struct machine *m)
{
	struct page_ptrs pages = {NULL, 0, 0};
	struct av_snap *flat;
	unsigned char *done;
	size_t n = 0, k = 0;
	int pids[1024], np;

	memset(g, 0, sizeof(*g));
	for (const struct anon_vma *av = machine_anon_vmas(m); av;
	     av = av->next)
		n++;
	if (!n)
		return;
	flat = calloc(n, sizeof(*flat));
	g->av = calloc(n, sizeof(*g->av));
	done = calloc(n, 1);
	if (!flat || !g->av || !done)
		abort();
	for (const struct anon_vma *av = machine_anon_vmas(m); av;
	     av = av->next, k++) {
		struct av_snap *a = &flat[k];
		size_t c = 0;

		a->id = av->id;
		a->root = av->root->id;
		a->parent = av->parent->id;
		a->refcount = av->refcount;
		a->num_children = av->num_children;
		a->num_active_vmas = av->num_active_vmas;
		for (const struct anon_vma_chain *x = av->avcs; x;
		     x = x->same_anon_next)
			a->nchains++;
		a->chains = a->nchains ? calloc(a->nchains, sizeof(*a->chains))
				       : NULL;
		for (const struct anon_vma_chain *x = av->avcs; x;
		     x = x->same_anon_next, c++) {
			const struct vma *v = x->vma;

			a->chains[c] = (struct avc_snap){
				.pid = v->mm->pid,
				.vma = v->id,
				.start = v->vm_start,
				.end = v->vm_end,
				.pgoff_start = v->vm_pgoff,
				.pgoff_last = v->vm_pgoff + vma_pages(v) - 1,
				.own = v->anon_vma == av,
			};
		}
		if (a->nchains > 1)
			qsort(a->chains, a->nchains, sizeof(*a->chains),
			      by_chain);
	}
	qsort(flat, n, sizeof(*flat), by_snap_id);
	/* Pages: each counted once, however many processes map it. */
	np = machine_pids(m, pids, 1024);
	for (int i = 0; i < np && i < 1024; i++)
		machine_for_each_anon_page(m, pids[i], collect_page, &pages);
	if (pages.n > 1)
		qsort(pages.v, pages.n, sizeof(*pages.v), by_ptr);
	for (size_t i = 0; i < pages.n; i++) {
		struct av_snap key = {.id = pages.v[i]->av}, *a;

		if (i && pages.v[i] == pages.v[i - 1])
			continue;
		a = bsearch(&key, flat, n, sizeof(*flat), by_snap_id);
		if (a)
			a->pages++;
	}
	free(pages.v);
	for (size_t r = 0; r < n; r++)
		if (flat[r].parent == flat[r].id)
			graph_order(flat, n, r, 0, g->av, &g->n, done);
	for (size_t r = 0; r < n; r++) /* a broken graph: keep the rest */
		graph_order(flat, n, r, 0, g->av, &g->n, done);
	free(done);
	free(flat);
}

void anon_graph_free(struct anon_graph *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->av[i].chains);
	free(g->av);
	g->av = NULL;
	g->n = 0;
}
