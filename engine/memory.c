/*
 * memory.c - the page-table side of the model (mm/memory.c): which pages
 * each process has present, read and write faults, stack growth, and
 * truncation.
 *
 * A process's present pages are kept as sorted, disjoint runs of addresses,
 * each either anonymous or file (page cache or shmem).  They are indexed by
 * address, not by VMA, because splits and merges never move pages; only
 * munmap, truncation and faults change them.  This is what smaps counts as
 * Rss and Anonymous.
 */
#include <limits.h>
#include <string.h>
#include "internal.h"

#define RLIMIT_STACK_DEFAULT (8UL << 20)

/* ---- the page table ---- */

#define PT_SHIFT 9
#define PT_ENTRIES (1 << PT_SHIFT)
#define PT_LEVELS 4

/*
 * A PTE page: one byte per entry, with counts so smaps need not scan.
 * present counts every entry in use (the table is freed at 0); zero the
 * entries that map the zero page and guard the guard markers, which Rss
 * leaves out.
 */
struct pt_ptes {
	unsigned char pte[PT_ENTRIES];
	unsigned present, anon, zero, guard;
	/* The page each PAGE_ANON entry maps (made with the first one). */
	struct anon_page **pg;
	/* A page cache's folios (made with the first large or marked one):
	 * each entry's FOLIO_ORDER, FOLIO_READAHEAD and FOLIO_DIRTY; 0 is a
	 * plain order-0 folio. */
	unsigned char *folio;
};

/* A directory level (PGD, PUD, PMD): PUD/PMD/PTE tables below it. */
struct pt_dir {
	void *slot[PT_ENTRIES];
	unsigned used;
};

/* The span of addresses one entry covers at level 0 (PGD) .. 3 (PTE). */
static unsigned shift_of(int level)
{
	return PAGE_SHIFT + PT_SHIFT * (PT_LEVELS - 1 - level);
}

static unsigned pt_index(unsigned long addr, int level)
{
	return (addr >> shift_of(level)) & (PT_ENTRIES - 1);
}

/*
 * What the machine's memory count holds for a PTE table: itself (a page
 * of a process's page table) and its pages.  sign is 1 or -1.
 */
static void charge_table(struct page_set *ps, long sign)
{
	ps->tables += (unsigned long)sign;
	if (ps->charge && !ps->page_cache)
		*ps->charge += (unsigned long)sign;
}

/*
 * A page cache counts its pages by entry.  A process's anonymous pages
 * are counted by page (anon_page_put), since after fork one page can sit
 * in many page tables.
 */
static unsigned long table_pages(const struct page_set *ps,
				 const struct pt_ptes *t)
{
	return ps->page_cache ? t->present : 0;
}

/* ---- anonymous pages ---- */

static struct anon_page *anon_page_new(struct page_set *ps,
				       struct anon_vma *av, unsigned long index)
{
	struct anon_page *pg = xcalloc(sizeof(*pg));

	pg->anon_vma = av;
	pg->av = av ? av->id : 0;
	pg->index = index;
	pg->exclusive = true;
	pg->charge = ps->charge;
	if (pg->charge)
		++*pg->charge;
	return pg;
}

/* One page table entry less maps pg: the last one frees it. */
static void anon_page_put(struct anon_page *pg)
{
	if (--pg->mapcount > 0)
		return;
	if (pg->charge)
		--*pg->charge;
	free(pg);
}

/* The first address past what a table at this level maps. */
static unsigned long level_end(int level)
{
	return 1UL << (shift_of(level) + PT_SHIFT);
}

static void *table_new(struct page_set *ps, int level)
{
	if (level == PT_LEVELS - 1) {
		charge_table(ps, 1);
		return xcalloc(sizeof(struct pt_ptes));
	}
	return xcalloc(sizeof(struct pt_dir));
}

/*
 * Find (or make) the PTE table for addr.  A page cache's root gains
 * levels while addr lies past what it maps (a PGD maps it all, as a
 * process's page table does: indices past 2^36 wrap there).
 */
static struct pt_ptes *pte_table(struct page_set *ps, unsigned long addr,
				 bool create)
{
	void *node;

	/* A process's page table (a PGD on top) with every level there:
	 * the walk a fault makes two or three times, unrolled. */
	if (ps->top == 0 && ps->root) {
		const struct pt_dir *pgd = ps->root, *pud, *pmd;
		struct pt_ptes *t;

		pud = pgd->slot[pt_index(addr, 0)];
		pmd = pud ? pud->slot[pt_index(addr, 1)] : NULL;
		t = pmd ? pmd->slot[pt_index(addr, 2)] : NULL;
		if (t)
			return t;
	}
	if (!ps->root) {
		if (!create)
			return NULL;
		ps->top = ps->page_cache ? PT_LEVELS - 1 : 0;
		while (ps->top > 0 && addr >= level_end(ps->top))
			ps->top--;
		ps->root = table_new(ps, ps->top);
	}
	while (ps->top > 0 && addr >= level_end(ps->top)) {
		struct pt_dir *up;

		if (!create)
			return NULL;
		up = xcalloc(sizeof(*up));
		up->slot[0] = ps->root;
		up->used = 1;
		ps->root = up;
		ps->top--;
	}
	node = ps->root;
	for (int level = ps->top; level < PT_LEVELS - 1; level++) {
		struct pt_dir *dir = node;
		void **slot = &dir->slot[pt_index(addr, level)];

		if (!*slot) {
			if (!create)
				return NULL;
			*slot = table_new(ps, level + 1);
			dir->used++;
		}
		node = *slot;
	}
	return node;
}

/* Entry i of t now maps kind (pg: the page, for PAGE_ANON). */
static void pte_set_page(struct page_set *ps, struct pt_ptes *t, unsigned i,
			 enum page_kind kind, struct anon_page *pg)
{
	enum page_kind old = t->pte[i];

	if (ps->charge && ps->page_cache)
		*ps->charge += (kind != PAGE_NONE) - (old != PAGE_NONE);
	t->guard += (kind == PAGE_GUARD) - (old == PAGE_GUARD);
	if (page_is_anon(kind)) {
		if (!t->pg)
			t->pg = xcalloc(PT_ENTRIES * sizeof(*t->pg));
		pg->mapcount++;
	}
	if (page_is_anon(old) && t->pg && t->pg[i]) {
		/* a copy on write maps another page: an edit too */
		ps->edits += kind == old && t->pg[i] != pg;
		anon_page_put(t->pg[i]);
		t->pg[i] = NULL;
	}
	if (page_is_anon(kind))
		t->pg[i] = pg;

	ps->edits += kind != old;
	ps->rss_anon += page_is_anon(kind) - page_is_anon(old);
	ps->rss_file += (kind == PAGE_FILE) - (old == PAGE_FILE);
	t->present += (kind != PAGE_NONE) - (old != PAGE_NONE);
	t->anon += page_is_anon(kind) - page_is_anon(old);
	t->zero += (kind == PAGE_ZERO) - (old == PAGE_ZERO);
	t->pte[i] = kind;
	if (kind == PAGE_NONE && t->folio)
		t->folio[i] = 0;
}

static void pte_set(struct page_set *ps, struct pt_ptes *t, unsigned i,
		    enum page_kind kind)
{
	struct anon_page *pg = NULL;

	/* A kind changed in place (MADV_FREE, a write that dirties a lazily
	 * freed page) keeps its page; else an anonymous page with no
	 * anon_vma, which the checker reports: use page_add_anon(). */
	if (page_is_anon(kind))
		pg = page_is_anon(t->pte[i]) && t->pg && t->pg[i]
			     ? t->pg[i]
			     : anon_page_new(ps, NULL, 0);
	pte_set_page(ps, t, i, kind, pg);
}

/* Drop every page of t's pg array, and the array (and the folio bytes). */
static void put_table_pages(struct pt_ptes *t)
{
	free(t->folio);
	t->folio = NULL;
	if (!t->pg)
		return;
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		if (t->pg[i])
			anon_page_put(t->pg[i]);
	free(t->pg);
	t->pg = NULL;
}

/*
 * Visit the PTE tables that overlap [start, end), with the entries in
 * range.  If fn empties a table (and prune is set), the table and any
 * directory it leaves empty are freed.  Returns true if dir is now empty.
 */
typedef void (*pte_fn)(struct pt_ptes *t, unsigned long base, unsigned from,
		       unsigned to, void *arg);

static bool walk(struct page_set *ps, struct pt_dir *dir, int level,
		 unsigned long base, unsigned long start, unsigned long end,
		 pte_fn fn, void *arg, bool prune)
{
	unsigned long span = 1UL << shift_of(level);

	for (unsigned i = pt_index(start, level); i < PT_ENTRIES; i++) {
		unsigned long lo = base + i * span, hi = lo + span;
		void *child = dir->slot[i];
		bool empty;

		if (lo >= end)
			break;
		if (!child)
			continue;
		if (level == PT_LEVELS - 2) {
			struct pt_ptes *t = child;
			unsigned from = lo < start ? pt_index(start, 3) : 0;
			unsigned to = hi > end ? pt_index(end - 1, 3) + 1
					       : PT_ENTRIES;

			fn(t, lo, from, to, arg);
			empty = t->present == 0;
		} else {
			empty = walk(ps, child, level + 1, lo, MAX(lo, start),
				     MIN(hi, end), fn, arg, prune);
		}
		if (prune && empty) {
			if (level == PT_LEVELS - 2) {
				charge_table(ps, -1);
				free(((struct pt_ptes *)child)->pg);
				free(((struct pt_ptes *)child)->folio);
			}
			free(child);
			dir->slot[i] = NULL;
			dir->used--;
		}
	}
	return dir->used == 0;
}

static void walk_range(const struct page_set *cps, unsigned long start,
		       unsigned long end, pte_fn fn, void *arg, bool prune)
{
	struct page_set *ps = (struct page_set *)cps;
	struct pt_ptes *t = ps->root;

	if (!ps->root || start >= end)
		return;
	if (ps->top > 0) {
		/* Nothing lies past what the root maps. */
		if (start >= level_end(ps->top))
			return;
		end = MIN(end, level_end(ps->top));
	}
	if (ps->top < PT_LEVELS - 1) {
		walk(ps, ps->root, ps->top, 0, start, end, fn, arg, prune);
		return;
	}
	/* A page cache that is one PTE table. */
	fn(t, 0, pt_index(start, 3), pt_index(end - 1, 3) + 1, arg);
	if (prune && !t->present) {
		charge_table(ps, -1);
		free(t->pg);
		free(t->folio);
		free(t);
		ps->root = NULL;
	}
}

static void clear_ptes(struct pt_ptes *t, unsigned long base, unsigned from,
		       unsigned to, void *arg)
{
	struct page_set *ps = arg;

	(void)base;
	if (from == 0 && to == PT_ENTRIES) {
		if (ps->charge)
			*ps->charge -= table_pages(ps, t);
		ps->rss_anon -= t->anon;
		ps->rss_file -= t->present - t->anon - t->zero - t->guard;
		put_table_pages(t);
		memset(t->pte, 0, sizeof(t->pte));
		ps->edits += t->present;
		t->present = t->anon = t->zero = t->guard = 0;
		return;
	}
	/* An empty entry stays empty: only its folio byte is cleared. */
	for (unsigned i = from; i < to; i++)
		if (t->pte[i] != PAGE_NONE)
			pte_set(ps, t, i, PAGE_NONE);
		else if (t->folio)
			t->folio[i] = 0;
}

void pages_remove(struct page_set *ps, unsigned long start, unsigned long end)
{
	walk_range(ps, start, end, clear_ptes, ps, true);
}

/* zap_pte_range() without ZAP_FLAG_DROP_MARKER: guard markers stay. */
static void zap_ptes(struct pt_ptes *t, unsigned long base, unsigned from,
		     unsigned to, void *arg)
{
	(void)base;
	if (!t->guard) {
		clear_ptes(t, base, from, to, arg);
		return;
	}
	for (unsigned i = from; i < to; i++)
		if (t->pte[i] != PAGE_GUARD)
			pte_set(arg, t, i, PAGE_NONE);
}

void pages_zap(struct page_set *ps, unsigned long start, unsigned long end)
{
	walk_range(ps, start, end, zap_ptes, ps, true);
}

/*
 * unmap_mapping_range() zaps as pages_zap() does but frees no page table:
 * a PTE table stays until free_pgtables() (only MADV_DONTNEED's zap
 * reclaims empty ones, CONFIG_PT_RECLAIM).  filemap_map_pages() can tell.
 */
static void pages_zap_keep_tables(struct page_set *ps, unsigned long start,
				  unsigned long end)
{
	walk_range(ps, start, end, zap_ptes, ps, false);
}

/* A PTE table covers addr (pmd_none() is false there). */
static bool pte_table_present(const struct page_set *ps, unsigned long addr)
{
	return pte_table((struct page_set *)ps, addr, false) != NULL;
}

void pages_add(struct machine *m, struct page_set *ps, unsigned long start,
	       unsigned long end, enum page_kind kind)
{
	(void)m;
	for (unsigned long a = start; a < end; a += PAGE_SIZE) {
		struct pt_ptes *t = pte_table(ps, a, true);

		pte_set(ps, t, pt_index(a, 3), kind);
		if (a + PAGE_SIZE < a)
			break;
	}
}

bool pages_lookup(const struct page_set *ps, unsigned long addr,
		  enum page_kind *kind)
{
	struct pt_ptes *t = pte_table((struct page_set *)ps, addr, false);

	if (!t || !t->pte[pt_index(addr, 3)])
		return false;
	*kind = t->pte[pt_index(addr, 3)];
	return true;
}

/*
 * A page cache entry's folio, as stored: the order of the folio that holds
 * the page (folios are naturally aligned: its first index is idx rounded
 * down to the order) and PG_readahead, kept on each of its pages.
 */
#define FOLIO_ORDER 0x0f
#define FOLIO_READAHEAD 0x10
#define FOLIO_DIRTY 0x20 /* written through a shared mapping */

static unsigned char cache_folio_bits(const struct page_set *ps,
				      unsigned long idx)
{
	struct pt_ptes *t =
		pte_table((struct page_set *)ps, idx << PAGE_SHIFT, false);

	return t && t->folio ? t->folio[pt_index(idx << PAGE_SHIFT, 3)] : 0;
}

static void cache_set_folio_bits(struct page_set *ps, unsigned long idx,
				 unsigned char bits)
{
	struct pt_ptes *t = pte_table(ps, idx << PAGE_SHIFT, false);

	if (!t || (!t->folio && !bits))
		return;
	if (!t->folio)
		t->folio = xcalloc(PT_ENTRIES);
	t->folio[pt_index(idx << PAGE_SHIFT, 3)] = bits;
}

struct counts {
	unsigned long rss, anon;
};

static void count_ptes(struct pt_ptes *t, unsigned long base, unsigned from,
		       unsigned to, void *arg)
{
	struct counts *c = arg;

	(void)base;
	if (from == 0 && to == PT_ENTRIES) {
		c->rss += t->present - t->zero - t->guard;
		c->anon += t->anon;
		return;
	}
	for (unsigned i = from; i < to; i++) {
		c->rss += t->pte[i] != PAGE_NONE && t->pte[i] != PAGE_ZERO &&
			  t->pte[i] != PAGE_GUARD;
		c->anon += page_is_anon(t->pte[i]);
	}
}

void pages_count(const struct page_set *ps, unsigned long start,
		 unsigned long end, unsigned long *rss, unsigned long *anon)
{
	struct counts c = {0, 0};

	walk_range(ps, start, end, count_ptes, &c, false);
	*rss = c.rss;
	*anon = c.anon;
}

struct copy_arg {
	struct machine *m;
	struct page_set *dst;
};

/*
 * copy_present_pte(): the child's entry maps the parent's page.  An
 * anonymous page is now shared (folio_try_dup_anon_rmap_pte clears
 * PageAnonExclusive), so the first write on either side faults
 * (do_wp_page).
 */
static void copy_ptes(struct pt_ptes *t, unsigned long base, unsigned from,
		      unsigned to, void *arg)
{
	struct copy_arg *c = arg;

	for (unsigned i = from; i < to; i++) {
		unsigned long a = base + ((unsigned long)i << PAGE_SHIFT);
		struct anon_page *pg = t->pg ? t->pg[i] : NULL;

		if (!t->pte[i])
			continue;
		if (page_is_anon(t->pte[i]) && pg) {
			pg->exclusive = false;
			pte_set_page(c->dst, pte_table(c->dst, a, true),
				     pt_index(a, 3), t->pte[i], pg);
		} else {
			pages_add(c->m, c->dst, a, a + PAGE_SIZE, t->pte[i]);
		}
	}
}

void pages_copy(struct machine *m, struct page_set *dst,
		const struct page_set *src, unsigned long start,
		unsigned long end)
{
	struct copy_arg c = {m, dst};

	walk_range(src, start, end, copy_ptes, &c, false);
}

struct move_arg {
	unsigned long *addr;
	unsigned char *kind;
	struct anon_page **pg;
	size_t n, cap;
};

static void gather_ptes(struct pt_ptes *t, unsigned long base, unsigned from,
			unsigned to, void *arg)
{
	struct move_arg *mv = arg;

	for (unsigned i = from; i < to; i++) {
		struct anon_page *pg;

		if (!t->pte[i])
			continue;
		if (mv->n == mv->cap) {
			mv->cap = mv->cap ? 2 * mv->cap : 64;
			mv->addr = realloc(mv->addr, mv->cap * sizeof(*mv->addr));
			mv->kind = realloc(mv->kind, mv->cap);
			mv->pg = realloc(mv->pg, mv->cap * sizeof(*mv->pg));
			if (!mv->addr || !mv->kind || !mv->pg)
				abort();
		}
		/* Hold an anonymous page while its entry moves. */
		pg = page_is_anon(t->pte[i]) && t->pg ? t->pg[i] : NULL;
		if (pg)
			pg->mapcount++;
		mv->pg[mv->n] = pg;
		mv->addr[mv->n] = base + ((unsigned long)i << PAGE_SHIFT);
		mv->kind[mv->n++] = t->pte[i];
	}
}

/*
 * move_page_tables(): every entry of [old, old + len) goes to the same
 * offset from new, which must be empty, as move_ptes() moves them (the
 * zero page too).  An anonymous page moves as it is, its anon_vma and
 * index unchanged (copy_vma keeps linear_page_index() the same).
 * Returns how many entries moved.
 */
unsigned long pages_move(struct machine *m, struct page_set *ps,
			 unsigned long old, unsigned long new, unsigned long len)
{
	struct move_arg mv = {0};

	walk_range(ps, old, old + len, gather_ptes, &mv, false);
	pages_remove(ps, old, old + len);
	for (size_t i = 0; i < mv.n; i++) {
		unsigned long a = mv.addr[i] - old + new;

		if (mv.pg[i]) {
			pte_set_page(ps, pte_table(ps, a, true), pt_index(a, 3),
				     mv.kind[i], mv.pg[i]);
			anon_page_put(mv.pg[i]); /* the hold */
		} else {
			pages_add(m, ps, a, a + PAGE_SIZE, mv.kind[i]);
		}
	}
	free(mv.addr);
	free(mv.kind);
	free(mv.pg);
	return mv.n;
}

/*
 * Start the loads of addr's page-table entry, its table's counts and its
 * page pointer, which a fault reads once it has found the VMA: they do
 * not depend on it, so they can come in from memory while find_vma()
 * descends the tree, rather than each after it.
 */
void pages_prefetch(const struct page_set *ps, unsigned long addr)
{
	const struct pt_ptes *t = pte_table((struct page_set *)ps, addr, false);
	unsigned i = pt_index(addr, 3);

	if (!t)
		return;
	__builtin_prefetch(&t->pte[i]);
	__builtin_prefetch(&t->pg);
	if (t->pg)
		__builtin_prefetch(&t->pg[i]);
}

struct anon_page *pages_anon(const struct page_set *ps, unsigned long addr)
{
	struct pt_ptes *t = pte_table((struct page_set *)ps, addr, false);
	unsigned i = pt_index(addr, 3);

	return t && page_is_anon(t->pte[i]) && t->pg ? t->pg[i] : NULL;
}

void page_add_anon(struct machine *m, struct vma *v, unsigned long addr)
{
	struct page_set *ps = &v->mm->pages;
	struct anon_page *pg = anon_page_new(
		ps, v->anon_vma,
		v->vm_pgoff + ((addr - v->vm_start) >> PAGE_SHIFT));

	pg->pfn = ++m->next_pfn;
	pte_set_page(ps, pte_table(ps, addr, true), pt_index(addr, 3),
		     PAGE_ANON, pg);
}

struct anon_walk {
	void (*fn)(void *arg, unsigned long addr, const struct anon_page *pg);
	void *arg;
};

static void anon_ptes(struct pt_ptes *t, unsigned long base, unsigned from,
		      unsigned to, void *arg)
{
	struct anon_walk *w = arg;

	if (!t->anon)
		return;
	for (unsigned i = from; i < to; i++)
		if (page_is_anon(t->pte[i]))
			w->fn(w->arg, base + ((unsigned long)i << PAGE_SHIFT),
			      t->pg ? t->pg[i] : NULL);
}

void pages_for_each_anon(const struct page_set *ps, unsigned long start,
			 unsigned long end,
			 void (*fn)(void *arg, unsigned long addr,
				    const struct anon_page *pg),
			 void *arg)
{
	struct anon_walk w = {fn, arg};

	walk_range(ps, start, end, anon_ptes, &w, false);
}

static void count_present(struct pt_ptes *t, unsigned long base, unsigned from,
			  unsigned to, void *arg)
{
	unsigned long *n = arg;

	(void)base;
	if (from == 0 && to == PT_ENTRIES) {
		*n += t->present;
		return;
	}
	for (unsigned i = from; i < to; i++)
		*n += t->pte[i] != PAGE_NONE;
}

unsigned long pages_present(const struct page_set *ps, unsigned long start,
			    unsigned long end)
{
	unsigned long n = 0;

	walk_range(ps, start, end, count_present, &n, false);
	return n;
}

static void count_guard(struct pt_ptes *t, unsigned long base, unsigned from,
			unsigned to, void *arg)
{
	unsigned long *n = arg;

	(void)base;
	if (!t->guard)
		return;
	for (unsigned i = from; i < to; i++)
		*n += t->pte[i] == PAGE_GUARD;
}

unsigned long guard_count(const struct page_set *ps, unsigned long start,
			  unsigned long end)
{
	unsigned long n = 0;

	walk_range(ps, start, end, count_guard, &n, false);
	return n;
}

static void free_table(struct page_set *ps, void *node, int level)
{
	struct pt_dir *dir = node;

	if (level == PT_LEVELS - 1) {
		if (ps->charge)
			*ps->charge -= table_pages(ps, node);
		put_table_pages(node);
		charge_table(ps, -1);
		free(node);
		return;
	}
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		if (dir->slot[i])
			free_table(ps, dir->slot[i], level + 1);
	free(dir);
}

struct clone_arg {
	struct anon_page *(*page_copy)(void *arg, const struct anon_page *pg);
	void *arg;
};

static void *clone_dir(const struct pt_dir *dir, int level,
		       const struct clone_arg *c)
{
	struct pt_dir *d;

	if (level == PT_LEVELS - 1) {
		const struct pt_ptes *o = (const void *)dir;
		struct pt_ptes *t = xcalloc(sizeof(*t));

		memcpy(t, o, sizeof(*t));
		if (o->folio) {
			t->folio = xcalloc(PT_ENTRIES);
			memcpy(t->folio, o->folio, PT_ENTRIES);
		}
		if (o->pg) {
			t->pg = xcalloc(PT_ENTRIES * sizeof(*t->pg));
			for (unsigned i = 0; i < PT_ENTRIES; i++)
				if (o->pg[i])
					t->pg[i] = c->page_copy(c->arg,
								o->pg[i]);
		}
		return t;
	}
	d = xcalloc(sizeof(*d));
	d->used = dir->used;
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		if (dir->slot[i])
			d->slot[i] = clone_dir(dir->slot[i], level + 1, c);
	return d;
}

void pages_clone(struct page_set *dst, const struct page_set *src,
		 unsigned long *charge,
		 struct anon_page *(*page_copy)(void *arg,
						const struct anon_page *pg),
		 void *arg)
{
	struct clone_arg c = {page_copy, arg};

	*dst = *src;
	dst->charge = charge;
	dst->root = src->root ? clone_dir(src->root, src->top, &c) : NULL;
}

void pages_free(struct page_set *ps)
{
	if (ps->root) {
		free_table(ps, ps->root, ps->top);
		ps->edits++;
	}
	ps->root = NULL;
	ps->rss_anon = ps->rss_file = 0;
}

void machine_pages(struct machine *m, unsigned long addr, unsigned long n,
		   char *out)
{
	struct page_set *ps = &cur_mm(m)->pages;
	enum page_kind kind;

	for (unsigned long i = 0; i < n; i++) {
		unsigned long a = (addr & PAGE_MASK) + (i << PAGE_SHIFT);

		if (!pages_lookup(ps, a, &kind))
			out[i] = '.';
		else
			out[i] = page_is_anon(kind)   ? 'a'
				 : kind == PAGE_ZERO  ? 'z'
				 : kind == PAGE_GUARD ? 'g'
						      : 'f';
	}
	out[n] = '\0';
}

void vma_page_counts(const struct vma *v, unsigned long *rss,
		     unsigned long *anon)
{
	pages_count(&v->mm->pages, v->vm_start, v->vm_end, rss, anon);
}

/* ---- faults ---- */

/* Make addr present in v's page table as kind, and tell observers. */
static void map_page(struct machine *m, struct vma *v, unsigned long addr,
		     enum page_kind kind, const char *fn)
{
	if (kind == PAGE_ANON)
		page_add_anon(m, v, addr); /* folio_add_new_anon_rmap() */
	else
		pages_add(m, &v->mm->pages, addr, addr + PAGE_SIZE, kind);
	EVENT(m, .kind = EV_FAULT, .code = kind, .fn = fn, .v = v,
	      .addr = addr);
}

/*
 * do_wp_page() on an anonymous page: a page that is this process's alone
 * is written in place (wp_page_reuse; wp_can_reuse_anon_folio() first
 * moves a page that fork had shared to the writer's anon_vma:
 * folio_move_anon_rmap), a page still shared is copied (wp_page_copy:
 * a new page in the writer's anon_vma, the old one keeps its other
 * mappings).
 */
static int do_wp_page_anon(struct machine *m, struct vma *v,
			   unsigned long addr)
{
	struct anon_page *pg = pages_anon(&v->mm->pages, addr);

	if (!pg || pg->exclusive)
		return TOUCH_OK;
	if (pg->mapcount == 1) {
		v->mm->pages.edits++; /* the page changed: machine_state() */
		pg->exclusive = true;
		if (pg->anon_vma != v->anon_vma) {
			pg->anon_vma = v->anon_vma;
			pg->av = v->anon_vma ? v->anon_vma->id : 0;
			EVENT(m, .kind = EV_ANON_VMA, .code = AV_MOVE_RMAP,
			      .fn = "folio_move_anon_rmap", .v = v,
			      .av = pg->av, .addr = addr);
		}
		return TOUCH_OK;
	}
	if (anon_vma_prepare(m, v))
		return TOUCH_SIGBUS;
	map_page(m, v, addr, PAGE_ANON, "wp_page_copy");
	return TOUCH_OK;
}

/* The file page index addr falls on (linear_page_index). */
static unsigned long linear_page_index(const struct vma *v, unsigned long addr)
{
	return v->vm_pgoff + ((addr - v->vm_start) >> PAGE_SHIFT);
}

static bool beyond_eof(const struct vma *v, unsigned long addr)
{
	unsigned long size = v->vm_file->inode->size;

	return linear_page_index(v, addr) >= (size + PAGE_SIZE - 1) >>
	       PAGE_SHIFT;
}

/*
 * expand_downwards(): a fault below a VM_GROWSDOWN VMA grows it, keeping a
 * guard gap from an accessible VMA below and within RLIMIT_STACK.
 */
static int expand_downwards(struct machine *m, struct vma *v,
			    unsigned long addr)
{
	struct vma *prev = vt_prev(v);
	unsigned long grow, ostart;

	addr &= PAGE_MASK;
	if (addr < m->params.mmap_min_addr)
		return -EPERM;
	if (prev && !(prev->vm_flags & VM_GROWSDOWN) &&
	    (prev->vm_flags & VM_ACCESS_FLAGS) &&
	    addr - prev->vm_end < STACK_GUARD_GAP &&
	    !MUTATED(m, MUT_STACK_GUARD_GAP)) {
		NOTE(m, NOTE_STACK_GUARD_GAP, .fn = "expand_downwards", .v = v,
		     .o = prev);
		return -ENOMEM;
	}
	if (anon_vma_prepare(m, v))
		return -ENOMEM;
	grow = (v->vm_start - addr) >> PAGE_SHIFT;
	if (grow > v->vm_pgoff)
		return 0;
	if (v->vm_end - addr > RLIMIT_STACK_DEFAULT &&
	    !MUTATED(m, MUT_STACK_RLIMIT)) {
		NOTE(m, NOTE_STACK_RLIMIT, .fn = "expand_downwards", .v = v);
		return -ENOMEM;
	}
	vma_start_write(m, v);
	NOTE(m, NOTE_STACK_EXPAND, .fn = "expand_downwards", .v = v,
	     .addr = addr);
	ostart = v->vm_start;
	v->vm_start = addr;
	v->vm_pgoff -= grow;
	/* A stack that grows to touch the VMA below is not merged with it. */
	if (prev && prev->vm_end == addr)
		v->unmerged_prev = prev->unmerged_next = true;
	vt_update(&v->mm->tree, v);
	EVENT(m, .kind = EV_VMA_CHANGE, .code = VMA_CHANGE_STACK,
	      .fn = "expand_downwards", .v = v, .ostart = ostart,
	      .oend = v->vm_end, .opgoff = v->vm_pgoff + grow);
	if (v->vm_flags & VM_LOCKED)
		v->mm->locked_vm += grow;
	vm_stat_account(v->mm, v->vm_flags, grow);
	return 0;
}

/* A folio of in at idx, uptodate or not. */
static bool page_cached(const struct vm_inode *in, unsigned long idx)
{
	enum page_kind kind;

	/* The cache is a page table: indices past 2^36 cannot be in it. */
	return idx < (1UL << 36) &&
	       pages_lookup(&in->cache, idx << PAGE_SHIFT, &kind);
}

/* An uptodate folio of in at idx: what filemap_map_pages() maps. */
static bool page_uptodate(const struct vm_inode *in, unsigned long idx)
{
	enum page_kind kind;

	return idx < (1UL << 36) &&
	       pages_lookup(&in->cache, idx << PAGE_SHIFT, &kind) &&
	       kind == PAGE_FILE;
}

/* The address of file page idx in v. */
static unsigned long page_address_in(const struct vma *v, unsigned long idx)
{
	return v->vm_start + ((idx - v->vm_pgoff) << PAGE_SHIFT);
}

/* A folio of the page cache: its first index, order, PG_readahead and
 * whether it is dirty. */
struct folio_ref {
	unsigned long index;
	unsigned order;
	bool readahead, dirty;
};

/* filemap_get_folio(): the folio that holds page idx, if any. */
static bool filemap_get_folio(const struct vm_inode *in, unsigned long idx,
			      struct folio_ref *f)
{
	unsigned char bits;

	if (!page_cached(in, idx))
		return false;
	bits = cache_folio_bits(&in->cache, idx);
	f->order = bits & FOLIO_ORDER;
	f->index = idx & ~((1UL << f->order) - 1);
	f->readahead = bits & FOLIO_READAHEAD;
	f->dirty = bits & FOLIO_DIRTY;
	return true;
}

/* folio_next_index(): the first index past the folio. */
static unsigned long folio_next_index(const struct folio_ref *f)
{
	return f->index + (1UL << f->order);
}

/*
 * Where v maps folio f ([*fs, *fe)), and whether that lies within v and
 * one page table: what mapping the folio whole needs (filemap_map_pages(),
 * finish_fault()).
 */
static bool folio_fits_pte_table(const struct vma *v, const struct folio_ref *f,
				 unsigned long *fs, unsigned long *fe)
{
	*fs = page_address_in(v, f->index);
	*fe = *fs + (PAGE_SIZE << f->order);
	return *fs >= v->vm_start && *fe <= v->vm_end &&
	       (*fs >> 21) == ((*fe - 1) >> 21);
}

static void folio_set_bits(struct vm_inode *in, const struct folio_ref *f)
{
	unsigned bits = f->order | (f->readahead ? FOLIO_READAHEAD : 0) |
			(f->dirty ? FOLIO_DIRTY : 0);

	for (unsigned long i = 0; i < 1UL << f->order; i++)
		cache_set_folio_bits(&in->cache, f->index + i,
				     (unsigned char)bits);
}

/* folio_clear_readahead() */
static void folio_clear_readahead(struct vm_inode *in, struct folio_ref *f)
{
	f->readahead = false;
	folio_set_bits(in, f);
}

/*
 * filemap_add_folio() of a new folio of 2^order pages at index (aligned):
 * -EEXIST if any of its pages is in the cache already (the xarray slot is
 * taken), as read-ahead then stops making large folios.
 */
static int filemap_add_folio(struct machine *m, struct vm_inode *in,
			     unsigned long index, unsigned order,
			     bool readahead)
{
	struct folio_ref f = {index, order, readahead, false};
	unsigned long n = 1UL << order;

	if (index + n > (1UL << 36))
		return -EEXIST;
	for (unsigned long i = 0; i < n; i++)
		if (page_cached(in, index + i))
			return -EEXIST;
	pages_add(m, &in->cache, index << PAGE_SHIFT, (index + n) << PAGE_SHIFT,
		  PAGE_FILE);
	if (order || readahead)
		folio_set_bits(in, &f);
	return 0;
}

/*
 * unmap_mapping_range() with even_cows 0 over file pages [first, last):
 * every page-cache page of them mapped anywhere goes; private copies stay.
 */
static void unmap_mapping_pages(struct machine *m, struct vm_inode *in,
				unsigned long first, unsigned long last)
{
	for (struct proc *p = m->procs; p; p = p->next) {
		struct vma *v;

		vt_for_each(&p->mm.tree, v)
		{
			unsigned long from, to;

			if (!v->vm_file || v->vm_file->inode != in ||
			    last <= v->vm_pgoff ||
			    first >= v->vm_pgoff + vma_pages(v))
				continue;
			from = v->vm_start +
			       ((MAX(first, v->vm_pgoff) - v->vm_pgoff)
				<< PAGE_SHIFT);
			to = v->vm_start +
			     ((MIN(last, v->vm_pgoff + vma_pages(v)) -
			       v->vm_pgoff)
			      << PAGE_SHIFT);
			for (unsigned long a = from; a < to; a += PAGE_SIZE) {
				enum page_kind kind;

				if (!pages_lookup(&p->mm.pages, a, &kind) ||
				    kind != PAGE_FILE)
					continue;
				pages_zap_keep_tables(&p->mm.pages, a,
						      a + PAGE_SIZE);
				EVENT(m, .kind = EV_ZAP,
				      .fn = "unmap_mapping_range", .v = v,
				      .addr = a, .len = PAGE_SIZE);
			}
		}
	}
}

/* folio_mark_dirty(): a write through a shared mapping (do_shared_fault,
 * wp_page_shared); nothing here writes it back. */
static void folio_mark_dirty(struct vm_inode *in, unsigned long idx)
{
	struct folio_ref f;

	if (in->shmem || !filemap_get_folio(in, idx, &f) || f.dirty)
		return;
	f.dirty = true;
	folio_set_bits(in, &f);
}

/*
 * Removing [first, last) from the page cache splits a large folio that
 * runs past either end (truncate_inode_partial_folio() ->
 * try_folio_split()): what stays becomes the naturally aligned folios
 * that tile it, the first keeping PG_readahead.
 */
static void split_folio_outside(struct machine *m, struct vm_inode *in,
				unsigned long idx, unsigned long first,
				unsigned long last, bool *keep)
{
	struct folio_ref f;
	unsigned long end, a;
	bool mark;

	if (!filemap_get_folio(in, idx, &f) || !f.order)
		return;
	end = folio_next_index(&f);
	if (f.index >= first && end <= last)
		return;
	/* __folio_split() unmaps the folio and remaps only anonymous ones */
	unmap_mapping_pages(m, in, f.index, end);
	/* A dirty folio does not split: it stays whole, zeroed past the
	 * cut, and truncate_inode_partial_folio() keeps it. */
	if (f.dirty) {
		*keep = true;
		return;
	}
	mark = f.readahead;
	for (a = f.index; a < end;) {
		unsigned long stop = a < first ? MIN(first, end) : end;
		struct folio_ref part = {a, 0, false, false};

		if (a >= first && a < last) {
			a = MIN(last, end);
			continue;
		}
		while (part.order < f.order &&
		       !(a & ((2UL << part.order) - 1)) &&
		       a + (2UL << part.order) <= stop)
			part.order++;
		part.readahead = mark && a == f.index;
		folio_set_bits(in, &part);
		a += 1UL << part.order;
	}
}

static void page_cache_remove(struct machine *m, struct vm_inode *in,
			      unsigned long first, unsigned long last)
{
	if (first >= last || first >= (1UL << 36))
		return;
	last = MIN(last, 1UL << 36);
	bool keep_first = false, keep_last = false;
	struct folio_ref f;

	split_folio_outside(m, in, first, first, last, &keep_first);
	split_folio_outside(m, in, last - 1, first, last, &keep_last);
	/* what stays of an unsplit dirty folio at either end */
	if (keep_first && filemap_get_folio(in, first, &f))
		first = MIN(folio_next_index(&f), last);
	if (keep_last && filemap_get_folio(in, last - 1, &f))
		last = MAX(f.index, first);
	pages_remove(&in->cache, first << PAGE_SHIFT, last << PAGE_SHIFT);
}

/* The last page index of in that holds a byte, or ULONG_MAX if empty. */
static unsigned long last_index(const struct vm_inode *in)
{
	return in->size ? (in->size - 1) >> PAGE_SHIFT : ULONG_MAX;
}

/*
 * page_cache_ra_unbounded(): order-0 folios for the pages of
 * [index, index + nr) not in the cache, the one at index + nr - lookahead
 * (if new) marked PG_readahead.
 */
static void page_cache_ra_unbounded(struct machine *m, struct vm_inode *in,
				    unsigned long index, unsigned long nr,
				    unsigned long lookahead)
{
	unsigned long mark = lookahead <= nr ? index + nr - lookahead
					     : ULONG_MAX;
	const bool no_mark = MUTATED(m, MUT_READAHEAD_MARK);

	for (unsigned long i = index; i < index + nr && i < (1UL << 36); i++)
		if (!page_cached(in, i))
			filemap_add_folio(m, in, i, 0, i == mark && !no_mark);
}

/* do_page_cache_ra(): page_cache_ra_unbounded() up to EOF. */
static void do_page_cache_ra(struct machine *m, struct vm_inode *in,
			     unsigned long index, unsigned long nr,
			     unsigned long lookahead)
{
	unsigned long end_index = last_index(in);

	if (!in->size || index > end_index)
		return;
	if (nr > end_index - index)
		nr = end_index - index + 1;
	page_cache_ra_unbounded(m, in, index, nr, lookahead);
}

static unsigned ilog2_ul(unsigned long x)
{
	return x ? 63 - (unsigned)__builtin_clzl(x) : 0;
}

/*
 * page_cache_ra_order(): read the window ra describes from start, in
 * folios of ra->order (capped by the file system's largest and by the
 * window), smaller where start is not aligned or EOF is near, the one
 * that holds start + size - async_size marked.  A page already cached
 * stops the large folios; do_page_cache_ra() reads the rest in order-0
 * folios.
 */
static void page_cache_ra_order(struct machine *m, struct vm_inode *in,
				struct file_ra_state *ra, unsigned long start)
{
	unsigned long index = start, limit = last_index(in);
	unsigned long mark = start + ra->size - ra->async_size;
	unsigned order = ra->order;
	const bool no_mark = MUTATED(m, MUT_READAHEAD_MARK);
	int err = 0;

	if (!m->params.file_folio_order) {
		ra->order = 0;
		do_page_cache_ra(m, in, start, ra->size, ra->async_size);
		return;
	}
	limit = MIN(limit, index + ra->size - 1);
	order = MIN(order, m->params.file_folio_order);
	order = MIN(order, ilog2_ul(ra->size));
	ra->order = order;
	while (index <= limit) {
		unsigned o = order;

		if (index & ((1UL << o) - 1))
			o = (unsigned)__builtin_ctzl(index);
		while (o > 0 && index + (1UL << o) - 1 > limit)
			o--;
		err = filemap_add_folio(
			m, in, index, o,
			index == (mark & ~((1UL << o) - 1)) && !no_mark);
		if (err)
			break;
		index += 1UL << o;
	}
	if (err && ra->size > index - start)
		do_page_cache_ra(m, in, index, ra->size - (index - start),
				 ra->async_size);
}

/* get_init_ra_size() and get_next_ra_size() (mm/readahead.c) */
static unsigned long get_init_ra_size(unsigned long size, unsigned long max)
{
	unsigned long n = 1;

	while (n < size)
		n <<= 1;
	if (n <= max / 32)
		return n * 4;
	if (n <= max / 4)
		return n * 2;
	return max;
}

static unsigned long get_next_ra_size(const struct file_ra_state *ra,
				      unsigned long max)
{
	if (ra->size < max / 16)
		return 4 * ra->size;
	if (ra->size <= max / 2)
		return 2 * ra->size;
	return max;
}

/*
 * page_cache_sync_ra() for a VM_SEQ_READ fault at index: a fault is no
 * read() (prev_pos stays -1), so only page 0 starts a window (async half
 * of it); elsewhere the cache behind is never longer than the request and
 * ra_pages are read as they are, state untouched.
 */
static void page_cache_sync_ra(struct machine *m, struct vm_inode *in,
			       struct file_ra_state *ra, unsigned long index)
{
	unsigned long req = m->params.ra_pages;

	if (index) {
		do_page_cache_ra(m, in, index, req, 0);
		return;
	}
	ra->start = 0;
	ra->size = get_init_ra_size(req, req);
	ra->async_size = ra->size > req ? ra->size - req : ra->size >> 1;
	ra->order = 0;
	page_cache_ra_order(m, in, ra, ra->start);
}

/* page_cache_next_miss(): the first index from idx not cached, within
 * max pages (else one past them). */
static unsigned long page_cache_next_miss(const struct vm_inode *in,
					  unsigned long idx, unsigned long max)
{
	for (unsigned long i = 0; i < max; i++)
		if (!page_cached(in, idx + i))
			return idx + i;
	return idx + max;
}

/*
 * page_cache_async_ra(): a fault at index hit folio f, marked
 * PG_readahead: the mark goes, and the next window is read, in folios two
 * orders larger.  At the expected place (the window's marked folio) it
 * follows the last window, ramped up; elsewhere it starts at the next
 * page not cached, sized from the cached run.
 */
static void page_cache_async_ra(struct machine *m, struct vma *v,
				struct folio_ref *f, unsigned long index)
{
	struct vm_inode *in = v->vm_file->inode;
	struct file_ra_state *ra = &v->vm_file->f_ra;
	unsigned long max = m->params.ra_pages, expected, end, aligned, align;

	folio_clear_readahead(in, f);
	if (MUTATED(m, MUT_ASYNC_READAHEAD))
		return;
	expected = (ra->start + ra->size - ra->async_size) &
		   ~((1UL << f->order) - 1);
	if (index == expected) {
		ra->start += ra->size;
		ra->size = MAX(ra->size, get_next_ra_size(ra, max));
	} else {
		unsigned long start = page_cache_next_miss(in, index + 1, max);

		if (!start || start - index > max)
			return;
		ra->start = start;
		ra->size = start - index + max;
		ra->size = get_next_ra_size(ra, max);
	}
	ra->order += 2;
	/* max > 0: do_async_mmap_readahead() checked ra_pages */
	align = 1UL << MIN(ra->order, (unsigned)__builtin_ctzl(max));
	end = ra->start + ra->size;
	aligned = end & ~(align - 1);
	if (aligned > ra->start)
		ra->size -= end - aligned;
	ra->async_size = ra->size;
	end = MIN(ra->start + ra->size, last_index(in) + 1);
	NOTE(m, NOTE_ASYNC_READAHEAD, .fn = "page_cache_async_ra", .v = v,
	     .addr = page_address_in(v, index), .value = ra->start,
	     .len = end > ra->start ? end - ra->start : 0,
	     .diff = MIN(ra->order, m->params.file_folio_order));
	page_cache_ra_order(m, in, ra, ra->start);
}

#define MMAP_LOTSAMISS 100

/*
 * do_sync_mmap_readahead(): the fault at idx missed the page cache.
 * VM_HUGEPAGE reads two PMD folios from the PMD-aligned index (one with
 * VM_RAND_READ); otherwise VM_RAND_READ reads nothing ahead, VM_SEQ_READ
 * is page_cache_sync_ra(), and a file that misses much more than it hits
 * (mmap_miss) stops reading around.  The read-around is ra_pages, half
 * of them before the fault, the last quarter behind a PG_readahead mark;
 * for VM_EXEC, ra_pages from the fault within the VMA, unmarked.
 */
static void do_sync_mmap_readahead(struct machine *m, struct vma *v,
				   unsigned long addr, unsigned long idx)
{
	struct vm_inode *in = v->vm_file->inode;
	struct file_ra_state *ra = &v->vm_file->f_ra;
	const unsigned long ra_pages = m->params.ra_pages;
	unsigned long start;

	if (v->vm_flags & VM_HUGEPAGE) {
		start = idx & ~511UL;
		ra->size = v->vm_flags & VM_RAND_READ ? 512 : 1024;
		ra->async_size = 512;
		ra->order = 9;
		goto read;
	}
	if ((v->vm_flags & (VM_RAND_READ | VM_EXEC)) == VM_RAND_READ ||
	    !ra_pages)
		return;
	if (v->vm_flags & VM_SEQ_READ) {
		page_cache_sync_ra(m, in, ra, idx);
		NOTE(m, NOTE_READ_AROUND, .fn = "page_cache_sync_ra", .v = v,
		     .addr = addr, .value = idx,
		     .len = MIN(idx ? ra_pages : ra->size,
				last_index(in) + 1 - idx));
		return;
	}
	if (ra->mmap_miss < MMAP_LOTSAMISS * 10)
		ra->mmap_miss++;
	if (ra->mmap_miss > MMAP_LOTSAMISS)
		return;
	if (v->vm_flags & VM_EXEC) {
		unsigned long vend = v->vm_pgoff + vma_pages(v);

		ra->start = MAX(idx, v->vm_pgoff);
		ra->size = MIN(ra->start + ra_pages, vend) - ra->start;
		ra->async_size = 0;
	} else {
		ra->start = idx > ra_pages / 2 ? idx - ra_pages / 2 : 0;
		ra->size = ra_pages;
		ra->async_size = ra_pages / 4;
	}
	ra->order = 0;
	start = ra->start;
read:
	NOTE(m, NOTE_READ_AROUND, .fn = "do_sync_mmap_readahead", .v = v,
	     .addr = addr, .value = start,
	     .len = MIN(start + ra->size, last_index(in) + 1) - start,
	     .diff = MIN(ra->order, m->params.file_folio_order));
	page_cache_ra_order(m, in, ra, start);
}

/*
 * do_async_mmap_readahead(): a fault that found its folio in the cache
 * counts a hit (mmap_miss), and a folio marked PG_readahead starts the
 * asynchronous read-ahead.  True if the mmap lock was dropped for it, so
 * the fault is retried (VM_FAULT_RETRY).
 */
static bool do_async_mmap_readahead(struct machine *m, struct vma *v,
				    struct folio_ref *f, unsigned long idx)
{
	struct file_ra_state *ra = &v->vm_file->f_ra;

	if (v->vm_flags & VM_RAND_READ || !m->params.ra_pages)
		return false;
	if (ra->mmap_miss)
		ra->mmap_miss--;
	if (!f->readahead)
		return false;
	page_cache_async_ra(m, v, f, idx);
	return true;
}

/*
 * filemap_fault() (shmem_fault() for shmem) for the page at addr, within
 * EOF: a folio that is there may start asynchronous read-ahead; a miss
 * reads around it (do_sync_mmap_readahead()), or just the page.  True if
 * the mmap lock was dropped on the way (a miss always, for the read), so
 * that the fault is retried (VM_FAULT_RETRY).
 */
static bool filemap_fault(struct machine *m, struct vma *v, unsigned long addr)
{
	struct vm_inode *in = v->vm_file->inode;
	unsigned long idx = linear_page_index(v, addr);
	struct folio_ref f;
	bool retry = false;

	if (in->shmem) {
		if (!page_cached(in, idx))
			filemap_add_folio(m, in, idx, 0, false);
		return false;
	}
	if (filemap_get_folio(in, idx, &f)) {
		retry = do_async_mmap_readahead(m, v, &f, idx);
		if (!page_uptodate(in, idx)) {
			/* page_not_uptodate: filemap_read_folio() */
			pages_add(m, &in->cache, idx << PAGE_SHIFT,
				  (idx + 1) << PAGE_SHIFT, PAGE_FILE);
			retry = true;
		}
		return retry;
	}
	if (!MUTATED(m, MUT_READ_AROUND))
		do_sync_mmap_readahead(m, v, addr, idx);
	if (!page_cached(in, idx))
		filemap_add_folio(m, in, idx, 0, false);
	return true;
}

/*
 * The pages do_fault_around() maps on a read fault: the window of
 * fault_around_bytes (16 pages by default) around addr, aligned in the
 * address space, clamped to the VMA and the page table; filemap_map_pages()
 * maps the uptodate folios there that are not marked PG_readahead
 * (next_uptodate_folio()), within EOF, each whole where it lies within
 * the VMA and one page table and ends before the file's last page
 * (file_end >= folio_next_index()), else the part in the window.  Each page it
 * looks at counts against mmap_miss.
 */
static void do_fault_around(struct machine *m, struct vma *v,
			    unsigned long addr)
{
	const unsigned long window = m->params.fault_around_pages * PAGE_SIZE;
	unsigned long pmd = addr & ~((1UL << 21) - 1);
	unsigned long from = MAX(MAX(addr & ~(window - 1), v->vm_start), pmd);
	unsigned long to =
		MIN(MIN(from + window, pmd + (1UL << 21)), v->vm_end);
	struct vm_inode *in = v->vm_file->inode;
	struct file_ra_state *ra = &v->vm_file->f_ra;
	struct page_set *ps = &v->mm->pages;
	unsigned long mapped = 0, seen = 0, lo = from, hi = to;
	enum page_kind kind;

	if (MUTATED(m, MUT_FAULT_AROUND) || m->params.fault_around_pages < 2)
		return;
	for (unsigned long a = from; a < to;) {
		unsigned long idx = linear_page_index(v, a);
		unsigned long fs, fe, next;
		bool whole;
		struct folio_ref f;

		if (!filemap_get_folio(in, idx, &f) || f.readahead ||
		    !page_uptodate(in, idx) || beyond_eof(v, a)) {
			a += PAGE_SIZE;
			continue;
		}
		/*
		 * The first folio decides whether filemap_map_pmd() runs,
		 * which installs the PTE table: not for one that reaches
		 * the last page before EOF (file_end >= folio_next_index()
		 * fails), and without a table nothing is mapped.
		 */
		if (!seen && last_index(in) < folio_next_index(&f) &&
		    !pte_table_present(ps, a))
			break;
		whole = folio_fits_pte_table(v, &f, &fs, &fe);
		next = MIN(fe, to);
		if (f.order && whole && !MUTATED(m, MUT_FOLIO_WHOLE) &&
		    folio_next_index(&f) <= last_index(in)) {
			lo = MIN(lo, fs);
			hi = MAX(hi, fe);
		} else {
			fs = a;
			fe = next;
		}
		for (unsigned long p = fs; p < fe; p += PAGE_SIZE) {
			seen++;
			if (beyond_eof(v, p) || pages_lookup(ps, p, &kind))
				continue;
			map_page(m, v, p, PAGE_FILE, "do_fault_around");
			mapped++;
		}
		a = next;
	}
	ra->mmap_miss = ra->mmap_miss > seen ? ra->mmap_miss - (unsigned)seen
					     : 0;
	if (mapped)
		NOTE(m, NOTE_FAULT_AROUND, .fn = "do_fault_around", .v = v,
		     .addr = addr, .ostart = lo, .oend = hi, .value = mapped);
}

/*
 * finish_fault() of a file page: the whole folio where it lies within the
 * VMA and one page table and none of its pages is mapped yet, else the
 * page alone.
 */
static void finish_fault(struct machine *m, struct vma *v, unsigned long addr,
			 const char *fn)
{
	struct vm_inode *in = v->vm_file->inode;
	struct page_set *ps = &v->mm->pages;
	struct folio_ref f;
	unsigned long fs, fe;
	enum page_kind kind;

	/* a folio past EOF is mapped a page at a time (needs_fallback) */
	if (filemap_get_folio(in, linear_page_index(v, addr), &f) && f.order &&
	    !MUTATED(m, MUT_FOLIO_WHOLE) &&
	    (in->shmem || folio_next_index(&f) <= last_index(in) + 1)) {
		if (folio_fits_pte_table(v, &f, &fs, &fe)) {
			unsigned long p;

			for (p = fs; p < fe; p += PAGE_SIZE)
				if (pages_lookup(ps, p, &kind))
					break;
			if (p == fe) {
				for (p = fs; p < fe; p += PAGE_SIZE)
					map_page(m, v, p, PAGE_FILE, fn);
				return;
			}
		}
	}
	map_page(m, v, addr, PAGE_FILE, fn);
}

static int sigbus_beyond_eof(struct machine *m, struct vma *v,
			     unsigned long addr, bool write)
{
	NOTE(m, NOTE_SIGBUS_EOF,
	     .fn = !write		     ? "do_read_fault"
		   : v->vm_flags & VM_SHARED ? "do_shared_fault"
					     : "do_cow_fault",
	     .v = v, .addr = addr, .value = linear_page_index(v, addr));
	return TOUCH_SIGBUS;
}

/*
 * do_read_fault(): fault-around first, with the page cache as it is;
 * else filemap_fault(), and when that dropped the lock (a miss read
 * around, a marked folio read ahead) the fault is retried
 * (VM_FAULT_RETRY), so fault-around runs again over the new pages;
 * finish_fault() maps what it still has not.
 */
static int do_read_fault(struct machine *m, struct vma *v, unsigned long addr)
{
	enum page_kind kind;

	/* filemap_map_pages() mapped the page itself: VM_FAULT_NOPAGE */
	do_fault_around(m, v, addr);
	if (pages_lookup(&v->mm->pages, addr, &kind))
		return TOUCH_OK;
	if (beyond_eof(v, addr))
		return sigbus_beyond_eof(m, v, addr, false);
	if (filemap_fault(m, v, addr)) {
		do_fault_around(m, v, addr);
		if (pages_lookup(&v->mm->pages, addr, &kind))
			return TOUCH_OK;
	}
	finish_fault(m, v, addr, "do_read_fault");
	return TOUCH_OK;
}

/*
 * handle_mm_fault() for one page that the VMA allows: fills the page-table
 * entry the way do_anonymous_page(), do_read_fault(), do_cow_fault(),
 * do_shared_fault() and do_wp_page() would.  Returns TOUCH_OK or SIGBUS.
 */
static int handle_mm_fault(struct machine *m, struct vma *v, unsigned long addr,
			   bool write)
{
	struct page_set *ps = &v->mm->pages;
	enum page_kind kind;

	/* A new anonymous page takes its anon_vma's id: start the load now,
	 * beside the page table walk's, rather than after it (at 65,530
	 * VMAs this miss was a third of a touch). */
	__builtin_prefetch(v->anon_vma);
	if (pages_lookup(ps, addr, &kind)) {
		/* handle_pte_marker(): a guard marker is VM_FAULT_SIGSEGV */
		if (kind == PAGE_GUARD) {
			NOTE(m, NOTE_GUARD_FAULT, .fn = "handle_pte_marker",
			     .v = v, .addr = addr);
			return TOUCH_SIGSEGV;
		}
		/*
		 * A write dirties a lazily freed page: reclaim keeps it.  A
		 * page fork still shares is write-protected in both page
		 * tables: do_wp_page() copies it for the writer, and the
		 * other process keeps the clean, lazily freed page.
		 */
		if (write && kind == PAGE_LAZYFREE) {
			struct anon_page *pg = pages_anon(ps, addr);

			if (pg && pg->mapcount > 1)
				return do_wp_page_anon(m, v, addr);
			/* the same page, dirty again (pte_set keeps it) */
			pages_add(m, ps, addr, addr + PAGE_SIZE, PAGE_ANON);
			EVENT(m, .kind = EV_FAULT, .code = PAGE_ANON,
			      .fn = "handle_pte_fault", .v = v, .addr = addr);
			return do_wp_page_anon(m, v, addr);
		}
		/*
		 * do_wp_page(): a private copy of a page-cache page, or of
		 * the zero page (wp_page_copy() prepares the anon_vma).
		 */
		if (write && kind != PAGE_ANON && !(v->vm_flags & VM_SHARED)) {
			if (anon_vma_prepare(m, v))
				return TOUCH_SIGBUS;
			map_page(m, v, addr, PAGE_ANON, "do_wp_page");
		}
		if (write && kind == PAGE_ANON)
			return do_wp_page_anon(m, v, addr);
		/* wp_page_shared() */
		if (write && kind == PAGE_FILE && v->vm_file)
			folio_mark_dirty(v->vm_file->inode,
					 linear_page_index(v, addr));
		return TOUCH_OK;
	}
	if (vma_is_anonymous(v)) {
		/*
		 * do_anonymous_page(): a read maps the shared zero page,
		 * with no anon_vma, unless the machine does not use it.
		 */
		if (!write && m->params.zero_page &&
		    !MUTATED(m, MUT_ZERO_PAGE)) {
			map_page(m, v, addr, PAGE_ZERO, "do_anonymous_page");
			return TOUCH_OK;
		}
		if (anon_vma_prepare(m, v))
			return TOUCH_SIGBUS;
		map_page(m, v, addr, PAGE_ANON, "do_anonymous_page");
		return TOUCH_OK;
	}
	if (!write)
		return do_read_fault(m, v, addr);
	/* do_cow_fault(): the anon_vma comes before the read */
	if (MUTATED(m, MUT_COW_FAULT_ANON_VMA) && beyond_eof(v, addr))
		return sigbus_beyond_eof(m, v, addr, true);
	if (!(v->vm_flags & VM_SHARED) && anon_vma_prepare(m, v))
		return TOUCH_SIGBUS;
	if (beyond_eof(v, addr))
		return sigbus_beyond_eof(m, v, addr, true);
	/* __do_fault(); a retry finds the page cached */
	filemap_fault(m, v, addr);
	if (v->vm_flags & VM_SHARED) {
		finish_fault(m, v, addr, "do_shared_fault");
		folio_mark_dirty(v->vm_file->inode, linear_page_index(v, addr));
	} else
		map_page(m, v, addr, PAGE_ANON, "do_cow_fault");
	return TOUCH_OK;
}

/*
 * One user fault (do_user_addr_fault): find the VMA, grow a stack down to
 * it (a read grows it as a write does), check access (access_error()),
 * then handle_mm_fault().  A write needs VM_WRITE; a read only an
 * accessible VMA (vma_is_accessible(): on x86 PROT_WRITE and PROT_EXEC
 * mappings are readable, so only PROT_NONE refuses a read; with
 * protection keys, a PROT_EXEC-only one has the execute-only key, which
 * arch_vma_access_permitted() refuses: machine parameter exec_only_pkey).
 */
static int user_fault(struct machine *m, unsigned long addr, bool write)
{
	struct mm *mm = cur_mm(m);
	struct vma *v;

	pages_prefetch(&mm->pages, addr);
	v = vt_find(&mm->tree, addr);

	if (!v)
		return TOUCH_SIGSEGV;
	if (v->vm_start > addr) {
		if (!(v->vm_flags & VM_GROWSDOWN) ||
		    expand_downwards(m, v, addr))
			return TOUCH_SIGSEGV;
		if (v->vm_start > addr)
			return TOUCH_SIGSEGV;
	}
	if (write && !(v->vm_flags & VM_WRITE)) {
		NOTE(m, NOTE_NOT_WRITABLE, .fn = "do_user_addr_fault", .v = v,
		     .addr = addr);
		return TOUCH_SIGSEGV;
	}
	if (!write && (!(v->vm_flags & VM_ACCESS_FLAGS) ||
		       (m->params.exec_only_pkey &&
			(v->vm_flags & VM_ACCESS_FLAGS) == VM_EXEC))) {
		NOTE(m, NOTE_NOT_ACCESSIBLE, .fn = "do_user_addr_fault",
		     .v = v, .addr = addr);
		return TOUCH_SIGSEGV;
	}
	return handle_mm_fault(m, v, addr, write);
}

/* oom_badness(): the pages a process would give back (Rss, PTE tables). */
static unsigned long oom_badness(struct proc *p)
{
	unsigned long rss, anon;

	pages_count(&p->mm.pages, 0, ~0UL, &rss, &anon);
	return rss + p->mm.pages.tables;
}

/*
 * out_of_memory() after a fault that took a page: past MemTotal +
 * SwapTotal, select_bad_process() picks the live process with the most
 * pages (the later one on a tie, as oom_evaluate_task() does) and kills
 * it.  Another process exits at once (the OOM reaper frees its memory)
 * and the fault goes on; the faulting one gets SIGKILL, which stops its
 * faults and populate, and exits when its call returns.  The engine does
 * not reclaim: page cache counts until its file goes.  Returns true if
 * the current process was killed.
 */
static bool out_of_memory(struct machine *m, unsigned long addr)
{
	while (m->phys_pages > m->mem_pages && !fatal_signal_pending(m)) {
		struct proc *victim = NULL;
		unsigned long most = 0;

		for (struct proc *p = m->procs; p; p = p->next) {
			unsigned long points;

			if (p->killed)
				continue;
			points = oom_badness(p);
			if (!victim || points >= most) {
				victim = p;
				most = points;
			}
		}
		NOTE(m, NOTE_OOM_KILL, .fn = "out_of_memory", .addr = addr,
		     .value = (unsigned long)victim->pid, .len = most);
		if (victim == m->cur)
			victim->sigkill = true;
		else
			do_exit(m, victim, TOUCH_SIGKILL);
	}
	return fatal_signal_pending(m);
}

/* x86-64: a non-canonical address is a general protection fault. */
static bool non_canonical(unsigned long addr)
{
	return addr >= 0x800000000000UL && addr < 0xffff800000000000UL;
}

/* Each page of [addr, addr + len) in order, as user reads or writes. */
static int access_range(struct machine *m, unsigned long addr,
			unsigned long len, unsigned long *fault_addr,
			bool write)
{
	unsigned long page = addr & PAGE_MASK;
	unsigned long end = addr + len;
	int sig;

	op_start(m);
	if (!len)
		return TOUCH_OK;
	op_poll_total(m, (PAGE_ALIGN(end) - page) >> PAGE_SHIFT);
	for (; page < end; page += PAGE_SIZE) {
		if (op_poll(m)) {
			/* stopped from outside (Ctrl-C): before this page */
			*fault_addr = page;
			return TOUCH_SIGINT;
		}
		if (non_canonical(page)) {
			/* #GP carries no address: si_addr is 0. */
			*fault_addr = 0;
			return TOUCH_SIGSEGV;
		}
		sig = user_fault(m, page, write);
		if (!sig && out_of_memory(m, page))
			sig = TOUCH_SIGKILL;
		if (sig) {
			*fault_addr = page;
			return sig;
		}
		if (page + PAGE_SIZE < page)
			break;
	}
	return TOUCH_OK;
}

int vm_touch(struct machine *m, unsigned long addr, unsigned long len,
	     unsigned long *fault_addr)
{
	return access_range(m, addr, len, fault_addr, true);
}

int vm_read(struct machine *m, unsigned long addr, unsigned long len,
	    unsigned long *fault_addr)
{
	return access_range(m, addr, len, fault_addr, false);
}

/*
 * populate_vma_page_range(): fault in [start, end) of one VMA through GUP.
 * Private writable mappings take write faults (to break CoW now); the rest
 * read faults, forced unless the VMA is PROT_NONE.  Stops at the first
 * page that fails: 0, or -EFAULT (PROT_NONE, SIGBUS past EOF) or -EINTR
 * (killed).
 */
long populate_vma_page_range(struct machine *m, struct vma *v,
			     unsigned long start, unsigned long end)
{
	bool write = (v->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE;

	if (v->vm_flags & VM_LOCKONFAULT)
		return 0;
	if (fatal_signal_pending(m))
		return -EINTR;
	if (!(v->vm_flags & VM_ACCESS_FLAGS)) {
		NOTE(m, NOTE_POPULATE_PROT_NONE,
		     .fn = "populate_vma_page_range", .v = v);
		return -EFAULT;
	}
	NOTE(m, NOTE_POPULATE, .fn = "populate_vma_page_range", .v = v,
	     .addr = start, .len = end - start, .value = write);
	for (unsigned long a = start; a < end; a += PAGE_SIZE) {
		/* __get_user_pages(): fatal_signal_pending() before each
		 * page; here also the machine's poll (Ctrl-C) */
		if (op_poll(m))
			return -EINTR;
		if (handle_mm_fault(m, v, a, write))
			return -EFAULT;
		if (out_of_memory(m, a))
			return -EINTR;
	}
	return 0;
}

/*
 * check_vma_flags() for MADV_POPULATE_(READ|WRITE): GUP without
 * FOLL_FORCE needs the access the fault would make.
 */
static bool populate_vma_ok(const struct vma *v, bool write)
{
	if (v->vm_flags & (VM_IO | VM_PFNMAP))
		return false;
	return (v->vm_flags & (write ? VM_WRITE : VM_READ)) != 0;
}

/*
 * faultin_page_range(): MADV_POPULATE_READ/WRITE fault [start, end) in
 * as read or write faults (__get_user_pages with FOLL_MADV_POPULATE),
 * page by page, whatever the VMA's lock flags.  Each VMA is looked up
 * where the walk reaches it (vma_lookup: no stack growth): none there is
 * ENOMEM, one that does not allow the access (check_vma_flags) EINVAL,
 * a fault that fails (SIGBUS past EOF, SIGSEGV) EFAULT; the pages before
 * stay faulted in.
 */
long faultin_page_range(struct machine *m, unsigned long start,
			unsigned long end, bool write)
{
	struct mm *mm = cur_mm(m);
	struct vma *v = NULL;

	op_poll_total(m, (end - start) >> PAGE_SHIFT);
	for (unsigned long a = start; a < end; a += PAGE_SIZE) {
		if (!v || a >= v->vm_end) {
			v = vt_find(&mm->tree, a);
			if (!v || v->vm_start > a) {
				NOTE(m, NOTE_POPULATE_HOLE,
				     .fn = "__get_user_pages", .addr = a);
				return -ENOMEM;
			}
			if (!populate_vma_ok(v, write)) {
				NOTE(m, NOTE_MADV_REFUSED,
				     .fn = "check_vma_flags", .v = v,
				     .value = write ? MADV_POPULATE_WRITE
						    : MADV_POPULATE_READ,
				     .len = EINVAL);
				return -EINVAL;
			}
			NOTE(m, NOTE_MADV_POPULATE, .fn = "faultin_page_range",
			     .v = v, .addr = a,
			     .len = MIN(end, v->vm_end) - a, .value = write);
		}
		/* fatal_signal_pending(), and the machine's poll (Ctrl-C) */
		if (op_poll(m))
			return -EINTR;
		if (handle_mm_fault(m, v, a, write)) {
			NOTE(m, NOTE_POPULATE_EFAULT, .fn = "faultin_page_range",
			     .v = v, .addr = a);
			return -EFAULT;
		}
		if (out_of_memory(m, a))
			return -EINTR;
	}
	return 0;
}

/* __mm_populate(): every VMA of the range; the first error stops it
 * unless ignore_errors (mmap's MAP_POPULATE and MAP_LOCKED). */
long __mm_populate(struct machine *m, unsigned long start, unsigned long len,
		   bool ignore_errors)
{
	struct mm *mm = cur_mm(m);
	unsigned long end = start + len, nstart, nend;
	struct vma *v;
	long ret;

	op_poll_total(m, len >> PAGE_SHIFT);
	for (nstart = start; nstart < end; nstart = nend) {
		if (fatal_signal_pending(m) || m->poll_stopped)
			return ignore_errors ? 0 : -EINTR;
		v = vt_find(&mm->tree, nstart);
		if (!v || v->vm_start >= end)
			break;
		nend = MIN(end, v->vm_end);
		if (v->vm_flags & (VM_IO | VM_PFNMAP))
			continue;
		if (nstart < v->vm_start)
			nstart = v->vm_start;
		ret = populate_vma_page_range(m, v, nstart, nend);
		if (ret && !ignore_errors)
			return ret;
	}
	return 0;
}

void mm_populate(struct machine *m, unsigned long start, unsigned long len)
{
	__mm_populate(m, start, len, true);
}

/*
 * truncate_pagecache(): shrinking a file unmaps every page past the new
 * end from every mapping, private copies included (even_cows).
 */
void truncate_inode_mappings(struct machine *m, struct vm_inode *inode,
			     unsigned long newsize)
{
	unsigned long hole = (newsize + PAGE_SIZE - 1) >> PAGE_SHIFT;

	/* truncate_inode_pages(): the page cache past the end goes too */
	page_cache_remove(m, inode, hole, 1UL << 36);

	for (struct proc *p = m->procs; p; p = p->next) {
		struct vma *v;

		vt_for_each(&p->mm.tree, v)
		{
			unsigned long first, from;

			if (!v->vm_file || v->vm_file->inode != inode)
				continue;
			if (!(v->vm_flags & VM_SHARED) &&
			    MUTATED(m, MUT_TRUNCATE_PRIVATE))
				continue;
			first = v->vm_pgoff + vma_pages(v);
			if (first <= hole)
				continue;
			from = v->vm_start;
			if (hole > v->vm_pgoff)
				from += (hole - v->vm_pgoff) << PAGE_SHIFT;
			update_hiwater_rss(&p->mm);
			pages_zap_keep_tables(&p->mm.pages, from, v->vm_end);
			EVENT(m, .kind = EV_ZAP, .fn = "unmap_mapping_range",
			      .v = v, .addr = from, .len = v->vm_end - from);
		}
	}
}

/* ---- madvise's page-only advice ---- */

/* zap_page_range_single(): every page of [start, end) in v goes; guard
 * markers stay (no ZAP_FLAG_DROP_MARKER). */
void zap_page_range(struct machine *m, struct vma *v, unsigned long start,
		    unsigned long end)
{
	pages_zap(&v->mm->pages, start, end);
	EVENT(m, .kind = EV_ZAP, .fn = "zap_page_range_single", .v = v,
	      .addr = start, .len = end - start);
}

/* The page-cache page of inode at idx mapped (as itself, not a private
 * copy) in each process's page table: folio_mapcount(). */
static unsigned long file_page_mapcount(struct machine *m,
					const struct vm_inode *in,
					unsigned long idx)
{
	unsigned long n = 0;

	for (struct proc *p = m->procs; p; p = p->next) {
		struct vma *v;

		vt_for_each(&p->mm.tree, v)
		{
			enum page_kind kind;
			unsigned long addr;

			if (!v->vm_file || v->vm_file->inode != in ||
			    idx < v->vm_pgoff || idx - v->vm_pgoff >= vma_pages(v))
				continue;
			addr = v->vm_start + ((idx - v->vm_pgoff) << PAGE_SHIFT);
			if (pages_lookup(&p->mm.pages, addr, &kind) &&
			    kind == PAGE_FILE)
				n++;
		}
	}
	return n;
}

/* folio_mapcount() of the anonymous page at addr of v: the page tables
 * (this process's and fork's relatives') that map that very page; a
 * page a relative replaced by a copy on write is no longer counted. */
static unsigned long anon_page_mapcount(const struct vma *v,
					unsigned long addr)
{
	const struct anon_page *pg = pages_anon(&v->mm->pages, addr);

	return pg ? (unsigned long)pg->mapcount : 1;
}

/*
 * madvise_free_pte_range(): the anonymous pages of [start, end) that only
 * this process maps become lazily free (clean, still mapped); pages
 * shared with a fork child or parent are left as they are.
 */
void madvise_free_range(struct machine *m, struct vma *v, unsigned long start,
			unsigned long end)
{
	struct page_set *ps = &v->mm->pages;

	for (unsigned long a = start; a < end; a += PAGE_SIZE) {
		enum page_kind kind;

		if (pages_lookup(ps, a, &kind) && kind == PAGE_ANON &&
		    anon_page_mapcount(v, a) == 1)
			pages_add(m, ps, a, a + PAGE_SIZE, PAGE_LAZYFREE);
	}
}

/*
 * madvise_pageout(): reclaim_pages() on the pages of [start, end) that
 * only this mapping maps (folio_mapcount() == 1).  Page-cache and shmem
 * pages are unmapped (try_to_unmap), and so are lazily freed anonymous
 * pages (discarded); other anonymous pages stay, since there is no swap;
 * the zero page is not a folio of ours.  The page cache keeps the page (a
 * later fault finds it), which changes no result here.  A VM_DROPPABLE
 * VMA's anonymous pages are never swap-backed (folio_add_new_anon_rmap),
 * and try_to_unmap_one() discards them dirty or not: they go too.
 */
void madvise_pageout_range(struct machine *m, struct vma *v,
			   unsigned long start, unsigned long end)
{
	struct page_set *ps = &v->mm->pages;

	for (unsigned long a = start; a < end; a += PAGE_SIZE) {
		enum page_kind kind;

		if (!pages_lookup(ps, a, &kind))
			continue;
		if (kind == PAGE_FILE && v->vm_file) {
			struct vm_inode *in = v->vm_file->inode;
			struct folio_ref f;

			unsigned long idx = linear_page_index(v, a);

			if (file_page_mapcount(m, in, idx) != 1)
				continue;
			/*
			 * pageout() sets PG_reclaim, the bit PG_readahead
			 * is; shmem_writeout() with no swap redirties the
			 * folio and leaves the bit, so fault-around passes
			 * it by from now on.
			 */
			if (in->shmem && !m->params.swap_total_kb &&
			    !MUTATED(m, MUT_READAHEAD_MARK) &&
			    filemap_get_folio(in, idx, &f)) {
				f.readahead = true;
				folio_set_bits(in, &f);
			}
		} else if ((kind != PAGE_LAZYFREE &&
			    !(kind == PAGE_ANON &&
			      (v->vm_flags & VM_DROPPABLE))) ||
			   anon_page_mapcount(v, a) != 1) {
			continue;
		}
		pages_remove(ps, a, a + PAGE_SIZE);
		EVENT(m, .kind = EV_ZAP, .fn = "reclaim_pages", .v = v,
		      .addr = a, .len = PAGE_SIZE);
	}
}

/*
 * madvise_willneed() on a regular file: vfs_fadvise(POSIX_FADV_WILLNEED)
 * reads the range into the page cache (force_page_cache_ra(): at most
 * ra_pages, not past EOF) and maps nothing.
 */
void madvise_willneed_file(struct machine *m, struct vma *v,
			   unsigned long start, unsigned long end)
{
	struct vm_inode *in = v->vm_file->inode;
	unsigned long idx = linear_page_index(v, start);
	unsigned long n = (end - start) >> PAGE_SHIFT;
	unsigned long eof = (in->size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	unsigned long last;

	n = MIN(n, MAX(m->params.ra_pages, 1));
	last = MIN(idx + n, eof);
	if (idx < last && last <= (1UL << 36))
		page_cache_ra_unbounded(m, in, idx, last - idx, 0);
}

/*
 * ext4_block_truncate_page(): ftruncate zeroes the block past EOF in the
 * page that holds it: the new EOF when the size does not grow
 * (ext4_truncate), the old one when it grows.  If that size is not block
 * aligned, the zeroing goes through a folio it creates if none is cached
 * (__ext4_block_zero_page_range: FGP_CREAT) and leaves not uptodate,
 * even when the block is a hole.  Fault-around and read-ahead then pass
 * it by; only a fault on the page itself reads it.
 *
 *   0         1         2        file pages; EOF in page 1 (7869 bytes)
 *   ffffffffff?                  ftruncate(147456): page 1 not uptodate
 *   f.ff                         a read fault on page 0: fault-around
 *                                maps 0, 2, 3, not 1
 */
void ext4_block_truncate_page(struct machine *m, struct vm_inode *in,
			      unsigned long size)
{
	unsigned long idx = size >> PAGE_SHIFT;

	if (in->shmem || !(size & ~PAGE_MASK) || page_cached(in, idx))
		return;
	pages_add(m, &in->cache, idx << PAGE_SHIFT, (idx + 1) << PAGE_SHIFT,
		  PAGE_NOT_UPTODATE);
}

/*
 * madvise_remove(): vfs_fallocate(FALLOC_FL_PUNCH_HOLE|KEEP_SIZE) over
 * the file pages [first, last): truncate_pagecache_range() drops them
 * from the page cache and from every mapping of the file, but keeps
 * private copies (unmap_mapping_range with even_cows 0).
 */
void punch_hole_mappings(struct machine *m, struct vm_inode *in,
			 unsigned long first, unsigned long last)
{
	if (first >= (1UL << 36))
		return;
	last = MIN(last, 1UL << 36);
	page_cache_remove(m, in, first, last);
	unmap_mapping_pages(m, in, first, last);
}

/*
 * madvise_guard_install()'s page-table walk: the pages of [start, end)
 * are zapped (zap_page_range_single: guard markers already there stay),
 * then every entry becomes a guard marker (guard_install_set_pte).
 * Returns how many pages the zap took.
 */
unsigned long guard_install_range(struct machine *m, struct vma *v,
				  unsigned long start, unsigned long end)
{
	struct page_set *ps = &v->mm->pages;
	unsigned long rss, anon;

	pages_count(ps, start, end, &rss, &anon);
	if (pages_present(ps, start, end) - guard_count(ps, start, end))
		zap_page_range(m, v, start, end);
	pages_add(m, ps, start, end, PAGE_GUARD);
	return rss;
}

/* guard_remove_pte_entry(): each guard marker of [start, end) cleared. */
unsigned long guard_remove_range(struct machine *m, struct vma *v,
				 unsigned long start, unsigned long end)
{
	struct page_set *ps = &v->mm->pages;
	unsigned long n = 0;

	(void)m;
	for (unsigned long a = start; a < end; a += PAGE_SIZE) {
		enum page_kind kind;

		if (pages_lookup(ps, a, &kind) && kind == PAGE_GUARD) {
			pages_remove(ps, a, a + PAGE_SIZE);
			n++;
		}
	}
	return n;
}

const struct anon_page *machine_anon_page(const struct machine *m, int pid,
					  unsigned long addr)
{
	const struct mm *mm = machine_mm(m, pid);

	return mm ? pages_anon(&mm->pages, addr & PAGE_MASK) : NULL;
}

/*
 * The RSS counters as /proc/PID/status shows them (task_mem): anonymous
 * pages, page-cache pages, and shmem pages (those of shared anonymous
 * mappings, which the page table holds as file pages).
 */
void mm_rss_counters(const struct mm *mm, unsigned long *anon,
		     unsigned long *file, unsigned long *shmem)
{
	unsigned long sh = 0, rss, a;
	const struct vma *v;

	vt_for_each(&mm->tree, v)
	{
		if (!vma_is_shmem(v))
			continue;
		vma_page_counts(v, &rss, &a);
		sh += rss - a;
	}
	*anon = mm->pages.rss_anon;
	*shmem = sh;
	*file = mm->pages.rss_file - sh;
}

void machine_for_each_anon_page(const struct machine *m, int pid,
				void (*fn)(void *arg, unsigned long addr,
					   const struct anon_page *pg),
				void *arg)
{
	const struct mm *mm = machine_mm(m, pid);

	if (mm)
		pages_for_each_anon(&mm->pages, 0, TASK_SIZE, fn, arg);
}
