/*
 * test_rmap.c - the anon_vma graph of mm/rmap.c, scenario by scenario, in
 * the manner of tools/testing/vma: build it with real calls, then assert
 * the exact anon_vmas, chains and counts.
 *
 * The scenarios: anon_vma_prepare reusing a neighbour's anon_vma
 * (find_mergeable_anon_vma), anon_vma_fork and the chains it makes, the
 * degree rules by which anon_vma_clone reuses an old anon_vma in a fork
 * (num_children < 2 and num_active_vmas == 0), which chain survives a
 * merge (the problem of the 2010 anon_vma_chain merge fix), and the
 * release of every anon_vma with its last VMA.  Every machine runs in
 * checking mode (checked.h), so each operation is also checked against
 * every invariant and the write-lock rule.
 *
 * Addresses are in pages from BASE.
 */
#include "harness.h"
#include "internal.h"
#include "checked.h"

#define BASE 0x200000000000UL
#define PG(n) (BASE + ((unsigned long)(n) << PAGE_SHIFT))
#define LEN(n) ((unsigned long)(n) << PAGE_SHIFT)
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

static void map(struct machine *m, unsigned long pg, unsigned long n,
		unsigned long prot)
{
	sys_mmap(m, PG(pg), LEN(n), prot, ANON | MAP_NORESERVE, -1, 0);
}

static void touch(struct machine *m, unsigned long pg, unsigned long n)
{
	unsigned long f;

	vm_touch(m, PG(pg), LEN(n), &f);
}

static struct vma *vma_at(struct machine *m, int pid, unsigned long pg)
{
	return vt_lookup(&((struct mm *)machine_mm(m, pid))->tree, PG(pg));
}

static int live_anon_vmas(const struct machine *m)
{
	int n = 0;

	for (const struct anon_vma *av = m->anon_vmas; av; av = av->next)
		n++;
	return n;
}

/* The anon_vma of the chain's i-th link, newest first. */
static struct anon_vma *link_av(const struct vma *v, int i)
{
	const struct anon_vma_chain *c = v->anon_vma_chain;

	while (c && i--)
		c = c->same_vma_next;
	return c ? c->anon_vma : NULL;
}

/*
 * __anon_vma_prepare() reuses a neighbour's anon_vma: mprotect splits V,
 * each half faults on its own, and they share one anon_vma, so that
 * mprotect back merges them.
 *
 *  VVVVvvvv  ->  fault V, fault v  ->  one anon_vma  ->  VVVVVVVV
 */
TEST(prepare_reuses_neighbour)
{
	struct machine *m = machine_new();
	struct vma *a, *b;

	map(m, 0, 8, RW);
	sys_mprotect(m, PG(4), LEN(4), PROT_READ);
	touch(m, 0, 1);
	sys_mprotect(m, PG(4), LEN(4), RW);
	/* One VMA again: the unfaulted half joined the faulted one. */
	ASSERT_EQ(cur_mm(m)->map_count, 1);
	sys_mprotect(m, PG(4), LEN(4), PROT_READ);
	a = vma_at(m, 1, 0);
	b = vma_at(m, 1, 4);
	ASSERT_TRUE(a != b && a->anon_vma == b->anon_vma);
	ASSERT_EQ(a->anon_vma->num_active_vmas, 2);
	/* A split copies the chain: both singular, one anon_vma. */
	ASSERT_TRUE(anon_vma_chain_singular(a) && anon_vma_chain_singular(b));
	machine_free(m);

	/* Faulted apart, the second finds the first through the boundary. */
	m = machine_new();
	map(m, 0, 4, RW);
	map(m, 4, 4, PROT_READ);
	touch(m, 0, 1);
	sys_mprotect(m, PG(4), LEN(4), RW | PROT_EXEC);
	touch(m, 4, 1);
	a = vma_at(m, 1, 0);
	b = vma_at(m, 1, 4);
	ASSERT_TRUE(a != b && a->anon_vma == b->anon_vma);
	ASSERT_EQ(live_anon_vmas(m), 1);
	sys_mprotect(m, PG(4), LEN(4), RW);
	ASSERT_EQ(cur_mm(m)->map_count, 1);
	ASSERT_EQ(vma_at(m, 1, 0)->anon_vma->num_active_vmas, 1);
	machine_free(m);
	return true;
}

/*
 * anon_vma_fork(): the child's VMA links to the parent's anon_vma and to
 * a new one of its own, whose parent and root are the parent's.
 *
 *  pid 1: V (av1)            av1: root av1, children 2 (self, av2)
 *  pid 2: V' (av2 -> av1)    av2: parent av1, root av1; av1 refcount 2
 */
TEST(fork_makes_child_anon_vma)
{
	struct machine *m = machine_new();
	struct vma *v, *c;
	struct anon_vma *av1, *av2;

	map(m, 0, 4, RW);
	map(m, 8, 4, RW); /* never faulted: the child has none either */
	touch(m, 0, 4);
	ASSERT_EQ(sys_fork(m), 2);
	v = vma_at(m, 1, 0);
	c = vma_at(m, 2, 0);
	av1 = v->anon_vma;
	av2 = c->anon_vma;
	ASSERT_TRUE(av1 && av2 && av1 != av2);
	ASSERT_TRUE(av2->parent == av1 && av2->root == av1);
	ASSERT_EQ(anon_vma_chain_len(c), 2);
	ASSERT_TRUE(link_av(c, 0) == av2 && link_av(c, 1) == av1);
	ASSERT_TRUE(anon_vma_chain_singular(v));
	ASSERT_EQ(av1->num_children, 2);
	ASSERT_EQ(av2->num_children, 0);
	ASSERT_EQ(av1->refcount, 2);
	ASSERT_EQ(av1->num_active_vmas, 1);
	ASSERT_EQ(av2->num_active_vmas, 1);
	ASSERT_TRUE(vma_at(m, 2, 8)->anon_vma == NULL);
	/* A grandchild: three links, one root. */
	machine_switch(m, 2);
	ASSERT_EQ(sys_fork(m), 3);
	c = vma_at(m, 3, 0);
	ASSERT_EQ(anon_vma_chain_len(c), 3);
	ASSERT_TRUE(c->anon_vma->parent == av2 && c->anon_vma->root == av1);
	ASSERT_EQ(av1->refcount, 3);
	ASSERT_EQ(av2->num_children, 1);
	machine_free(m);
	return true;
}

/*
 * The degree rules of anon_vma_clone(): a fork reuses the oldest anon_vma
 * of the chain that has no VMA of its own and fewer than two children, so
 * that a long chain of fork-and-exit does not grow without bound.
 *
 *  P (av1) -> C (av2) -> G (av3).  C unmaps its VMA: av2 keeps G's link,
 *  has no active VMA and one child.  G forks: its child reuses av2.
 */
TEST(fork_reuses_idle_anon_vma)
{
	struct machine *m = machine_new();
	struct anon_vma *av1, *av2, *av3;
	struct vma *g;
	int n;

	map(m, 0, 4, RW);
	touch(m, 0, 1);
	sys_fork(m);
	machine_switch(m, 2);
	sys_fork(m);
	av1 = vma_at(m, 1, 0)->anon_vma;
	av2 = vma_at(m, 2, 0)->anon_vma;
	av3 = vma_at(m, 3, 0)->anon_vma;
	ASSERT_TRUE(av3->parent == av2 && av2->parent == av1);
	sys_munmap(m, PG(0), LEN(4));
	ASSERT_EQ(av2->num_active_vmas, 0);
	ASSERT_EQ(av2->num_children, 1);
	n = live_anon_vmas(m);
	machine_switch(m, 3);
	sys_fork(m);
	g = vma_at(m, 4, 0);
	ASSERT_TRUE(g->anon_vma == av2);
	ASSERT_EQ(av2->num_active_vmas, 1);
	/* No new anon_vma; the chain is the grandparent's, copied. */
	ASSERT_EQ(live_anon_vmas(m), n);
	ASSERT_EQ(anon_vma_chain_len(g), 3);
	/* The root is never reused: its self link counts as a child. */
	ASSERT_TRUE(av1->num_children >= 2);
	machine_free(m);
	return true;
}

/*
 * The other half of the degree rule: an anon_vma with no VMA but two
 * children is not reused.  P (av1) -> C (av2); C forks twice, G1 (av3)
 * and G2 (av4), so av2 has two children; C unmaps its VMA.  G1 forks:
 * its child's chain holds av1 (the root: never), av2 (no VMA, but two
 * children: not reused) and av3 (G1's VMA), so it gets a new anon_vma,
 * av5, whose parent is av3.  The pages, the merges and everything that
 * maps and smaps show are the same either way (the rule bounds the
 * anon_vma tree, it does not change what rmap finds), so no verify
 * script can guard it: this test does, and runs the scenario once more
 * with the engine's mutation of the rule (tests/rules.txt,
 * anon-vma-clone-reuse) to see that it would notice.
 */
static bool two_children_fork(int mutate, bool *reused, int *chain)
{
	struct machine_params p;
	struct machine *m;
	struct anon_vma *av2, *av3;
	struct vma *g;

	machine_params_default(&p);
	p.mutate = mutate;
	m = machine_new_params(&p);
	map(m, 0, 4, RW);
	touch(m, 0, 1);
	sys_fork(m);		/* C, pid 2 */
	machine_switch(m, 2);
	sys_fork(m);		/* G1, pid 3 */
	sys_fork(m);		/* G2, pid 4 */
	av2 = vma_at(m, 2, 0)->anon_vma;
	av3 = vma_at(m, 3, 0)->anon_vma;
	ASSERT_EQ(av2->num_children, 2);
	sys_munmap(m, PG(0), LEN(4));
	ASSERT_EQ(av2->num_active_vmas, 0);
	machine_switch(m, 3);
	sys_fork(m);		/* pid 5 */
	g = vma_at(m, 5, 0);
	*reused = g->anon_vma == av2;
	*chain = anon_vma_chain_len(g);
	if (!*reused)
		ASSERT_TRUE(g->anon_vma->parent == av3);
	machine_free(m);
	return true;
}

TEST(fork_two_children_not_reused)
{
	bool reused;
	int chain;

	ASSERT_TRUE(two_children_fork(MUT_NONE, &reused, &chain));
	ASSERT_FALSE(reused);
	ASSERT_EQ(chain, 4);
	/* The rule broken on purpose: av2 is taken, no anon_vma is made. */
	ASSERT_TRUE(two_children_fork(MUT_ANON_VMA_CLONE_REUSE, &reused,
				      &chain));
	ASSERT_TRUE(reused);
	ASSERT_EQ(chain, 3);
	return true;
}

/*
 * The problem of the 2010 anon_vma_chain merge fix (seed 002): a VMA
 * whose anon_vma was reused from a fork child would have only that one
 * link, and a merge that kept it would lose the parent's anon_vma, so the
 * pages shared with the parent could not be reached.  Today
 * reusable_anon_vma() refuses a neighbour whose chain is not singular:
 * the new VMA gets an anon_vma of its own, and the two never merge.
 *
 *  child:  AAAA (av2 -> av1, faulted)  BBBB new, then faulted
 */
TEST(fork_child_anon_vma_not_reused)
{
	struct machine *m = machine_new();
	struct vma *a, *b;

	map(m, 0, 4, RW);
	touch(m, 0, 4);
	sys_fork(m);
	machine_switch(m, 2);
	map(m, 4, 4, PROT_READ); /* unlike A, so that it stays apart */
	sys_mprotect(m, PG(4), LEN(4), RW);
	/* A is a fork child: the unfaulted B does not merge with it. */
	ASSERT_EQ(cur_mm(m)->map_count, 2);
	touch(m, 4, 1);
	a = vma_at(m, 2, 0);
	b = vma_at(m, 2, 4);
	ASSERT_TRUE(b->anon_vma && b->anon_vma != a->anon_vma);
	ASSERT_TRUE(anon_vma_chain_singular(b));
	ASSERT_TRUE(b->anon_vma->root == b->anon_vma);
	/* Faulted on both sides with different anon_vmas: never merged. */
	sys_mprotect(m, PG(4), LEN(4), PROT_READ);
	sys_mprotect(m, PG(4), LEN(4), RW);
	ASSERT_EQ(cur_mm(m)->map_count, 2);
	machine_free(m);
	return true;
}

/*
 * Split pieces of one fork child share its anon_vma and chain, so they
 * merge back; pieces faulted in the parent before fork get different
 * anon_vmas in the child, one each, and do not.
 */
TEST(fork_child_pieces)
{
	struct machine *m = machine_new();
	struct vma *c;

	map(m, 0, 8, RW);
	touch(m, 0, 8);
	sys_fork(m);
	machine_switch(m, 2);
	sys_mprotect(m, PG(2), LEN(2), PROT_READ);
	ASSERT_EQ(cur_mm(m)->map_count, 3);
	sys_mprotect(m, PG(2), LEN(2), RW);
	ASSERT_EQ(cur_mm(m)->map_count, 1);
	c = vma_at(m, 2, 0);
	ASSERT_EQ(anon_vma_chain_len(c), 2);
	ASSERT_EQ(c->anon_vma->num_active_vmas, 1);
	machine_free(m);

	/* Split before the fork: two children's anon_vmas. */
	m = machine_new();
	map(m, 0, 8, RW);
	touch(m, 0, 8);
	sys_mprotect(m, PG(4), LEN(4), PROT_READ);
	sys_fork(m);
	machine_switch(m, 2);
	ASSERT_TRUE(vma_at(m, 2, 0)->anon_vma != vma_at(m, 2, 4)->anon_vma);
	sys_mprotect(m, PG(4), LEN(4), RW);
	ASSERT_EQ(cur_mm(m)->map_count, 2);
	/* In the parent the two pieces still share one and merge. */
	machine_switch(m, 1);
	sys_mprotect(m, PG(4), LEN(4), RW);
	ASSERT_EQ(cur_mm(m)->map_count, 1);
	machine_free(m);
	return true;
}

/*
 * dup_anon_vma() when a merge extends an unfaulted VMA over a faulted
 * one: the survivor takes the anon_vma and a copy of the whole chain, so
 * that it is reachable from every anon_vma the swallowed VMA was.
 *
 *  PPPP****NNNN   N faulted, P not: P grows over N and takes av1
 */
TEST(dup_anon_vma_on_merge)
{
	struct machine *m = machine_new();
	struct vma *p;
	struct anon_vma *av;

	map(m, 0, 4, RW);
	map(m, 8, 4, RW);
	touch(m, 8, 1);
	av = vma_at(m, 1, 8)->anon_vma;
	map(m, 4, 4, RW);
	ASSERT_EQ(cur_mm(m)->map_count, 1);
	p = vma_at(m, 1, 0);
	ASSERT_TRUE(p->anon_vma == av);
	ASSERT_TRUE(anon_vma_chain_singular(p));
	ASSERT_EQ(av->num_active_vmas, 1);
	ASSERT_EQ(live_anon_vmas(m), 1);
	machine_free(m);

	/* A fork child is never the source of a dup into an unfaulted one. */
	m = machine_new();
	map(m, 4, 4, RW);
	touch(m, 4, 1);
	sys_fork(m);
	machine_switch(m, 2);
	map(m, 0, 4, RW);
	ASSERT_EQ(cur_mm(m)->map_count, 2);
	ASSERT_TRUE(vma_at(m, 2, 0)->anon_vma == NULL);
	machine_free(m);
	return true;
}

/* unlink_anon_vmas(): the last VMA of each anon_vma frees it, root last. */
TEST(anon_vmas_freed_with_last_vma)
{
	struct machine *m = machine_new();

	map(m, 0, 4, RW);
	touch(m, 0, 1);
	sys_fork(m);
	machine_switch(m, 2);
	sys_fork(m);
	ASSERT_EQ(live_anon_vmas(m), 3);
	/* The parent's VMA goes first: av1 stays for its descendants. */
	machine_switch(m, 1);
	sys_munmap(m, PG(0), LEN(4));
	ASSERT_EQ(live_anon_vmas(m), 3);
	machine_switch(m, 3);
	sys_munmap(m, PG(0), LEN(4));
	ASSERT_EQ(live_anon_vmas(m), 2);
	machine_switch(m, 2);
	sys_munmap(m, PG(0), LEN(4));
	ASSERT_EQ(live_anon_vmas(m), 0);
	machine_free(m);
	return true;
}


static const struct anon_page *page_at(struct machine *m, int pid,
				       unsigned long pg)
{
	return machine_anon_page(m, pid, PG(pg));
}

/*
 * Copy on write after fork: the child's page table maps the parent's
 * pages (folio->mapping is still the parent's anon_vma), the first write
 * on one side copies the page into the writer's own anon_vma
 * (wp_page_copy), and the other side then writes its page in place
 * (wp_page_reuse: it is that side's alone).
 *
 *  P: AAAA (av1)   fork   C: AAAA (same pages)   C writes page 1:
 *  C: A a A A  (a: a new page in av2)   P writes page 1: no copy
 */
TEST(cow_after_fork)
{
	struct machine *m = machine_new();
	const struct anon_page *p0, *p1, *c1;
	struct anon_vma *av1, *av2;
	struct rmap_walk w;

	map(m, 0, 4, RW);
	touch(m, 0, 4);
	av1 = vma_at(m, 1, 0)->anon_vma;
	p0 = page_at(m, 1, 0);
	ASSERT_TRUE(p0 && p0->anon_vma == av1 && p0->index == PG(0) >> 12);
	ASSERT_EQ(p0->mapcount, 1);
	ASSERT_TRUE(p0->exclusive);
	ASSERT_EQ(sys_fork(m), 2);
	av2 = vma_at(m, 2, 0)->anon_vma;
	ASSERT_TRUE(page_at(m, 2, 0) == p0);
	ASSERT_EQ(p0->mapcount, 2);
	ASSERT_FALSE(p0->exclusive);
	/* rmap from the shared page finds both processes */
	ASSERT_EQ(machine_rmap_walk(m, 2, PG(0), &w), 0);
	ASSERT_TRUE(w.anon_vma == av1 && w.root == av1);
	ASSERT_EQ(w.n, 2);
	ASSERT_TRUE(w.v[0].maps && w.v[1].maps);
	ASSERT_TRUE(w.v[0].pid != w.v[1].pid);
	ASSERT_EQ(w.v[0].addr, PG(0));
	rmap_walk_free(&w);
	/* the child writes page 1: a copy of its own, in av2 */
	p1 = page_at(m, 1, 1);
	machine_switch(m, 2);
	touch(m, 1, 1);
	c1 = page_at(m, 2, 1);
	ASSERT_TRUE(c1 != p1 && c1->anon_vma == av2);
	ASSERT_EQ(c1->index, p1->index);
	ASSERT_TRUE(c1->exclusive);
	ASSERT_EQ(p1->mapcount, 1);
	/* the parent's page 1: av1's tree still names the child's VMA,
	 * which maps another page there */
	ASSERT_EQ(machine_rmap_walk(m, 1, PG(1), &w), 0);
	ASSERT_EQ(w.n, 2);
	ASSERT_EQ(w.v[0].maps + w.v[1].maps, 1);
	rmap_walk_free(&w);
	/* the child's copy is found from av2 alone */
	ASSERT_EQ(machine_rmap_walk(m, 2, PG(1), &w), 0);
	ASSERT_TRUE(w.anon_vma == av2 && w.root == av1);
	ASSERT_EQ(w.n, 1);
	ASSERT_EQ(w.v[0].pid, 2);
	rmap_walk_free(&w);
	/* the parent writes page 1 in place */
	machine_switch(m, 1);
	touch(m, 1, 1);
	ASSERT_TRUE(page_at(m, 1, 1) == p1 && p1->anon_vma == av1);
	ASSERT_TRUE(p1->exclusive);
	/* page 0 is still shared */
	ASSERT_TRUE(page_at(m, 1, 0) == page_at(m, 2, 0));
	machine_free(m);
	return true;
}

/*
 * A page fork shared, left to one process, moves to the writer's
 * anon_vma when written (wp_can_reuse_anon_folio: folio_move_anon_rmap),
 * so that a later walk need not search the parent's tree.
 *
 *  P: AAAA (av1)  fork  P unmaps  C writes page 0: same page, now av2
 */
TEST(reuse_moves_page_to_writer)
{
	struct machine *m = machine_new();
	const struct anon_page *p0;
	struct anon_vma *av2;

	map(m, 0, 4, RW);
	touch(m, 0, 4);
	ASSERT_EQ(sys_fork(m), 2);
	p0 = page_at(m, 1, 0);
	ASSERT_EQ(sys_munmap(m, PG(0), LEN(4)), 0);
	ASSERT_EQ(p0->mapcount, 1);
	machine_switch(m, 2);
	av2 = vma_at(m, 2, 0)->anon_vma;
	ASSERT_TRUE(p0->anon_vma != av2);
	touch(m, 0, 1);
	ASSERT_TRUE(page_at(m, 2, 0) == p0);
	ASSERT_TRUE(p0->anon_vma == av2 && p0->exclusive);
	/* the other three still belong to av1, still alive for them */
	ASSERT_TRUE(page_at(m, 2, 1)->anon_vma == av2->parent);
	machine_free(m);
	return true;
}

/*
 * A page keeps its index through splits and merges: mprotect splits V
 * and puts it back, and every page is still found at its address.
 *
 *  AAAA  ->  AArA  ->  AAAA
 */
TEST(index_survives_split_and_merge)
{
	struct machine *m = machine_new();
	struct rmap_walk w;

	map(m, 0, 4, RW);
	touch(m, 0, 4);
	ASSERT_EQ(sys_mprotect(m, PG(2), LEN(1), PROT_READ), 0);
	ASSERT_EQ(machine_rmap_walk(m, 1, PG(2), &w), 0);
	ASSERT_EQ(w.n, 1);
	ASSERT_TRUE(w.v[0].vma == vma_at(m, 1, 2) && w.v[0].maps);
	ASSERT_EQ(w.nchains, 3);
	rmap_walk_free(&w);
	ASSERT_EQ(sys_mprotect(m, PG(2), LEN(1), RW), 0);
	ASSERT_EQ(machine_rmap_walk(m, 1, PG(3), &w), 0);
	ASSERT_EQ(w.nchains, 1);
	ASSERT_TRUE(w.n == 1 && w.v[0].addr == PG(3) && w.v[0].maps);
	rmap_walk_free(&w);
	/* a file page or nothing: no anonymous page to walk from */
	ASSERT_EQ(machine_rmap_walk(m, 1, PG(9), &w), -ENOENT);
	machine_free(m);
	return true;
}


/*
 * machine_clone() (undo's checkpoints) keeps the pages as they are: a
 * page fork shared is one page in the copy too, in the copy's anon_vma,
 * and copy on write in the copy works as in the original.
 */
TEST(clone_keeps_shared_pages)
{
	struct machine *m = machine_new(), *c;
	const struct anon_page *a, *b;
	uint64_t before;

	map(m, 0, 4, RW);
	touch(m, 0, 4);
	ASSERT_EQ(sys_fork(m), 2);
	c = machine_clone(m);
	ASSERT_EQ(machine_check(c, NULL, 0), 0);
	a = machine_anon_page(c, 1, PG(0));
	b = machine_anon_page(c, 2, PG(0));
	ASSERT_TRUE(a && a == b && a != page_at(m, 1, 0));
	ASSERT_EQ(a->mapcount, 2);
	ASSERT_TRUE(a->anon_vma == vt_lookup(&machine_mm(c, 1)->tree, PG(0))
					   ->anon_vma);
	ASSERT_EQ(machine_mem_used(c), machine_mem_used(m));
	/* a write in the copy breaks CoW there, and is a change of state */
	before = machine_state(c);
	machine_switch(c, 2);
	touch(c, 0, 1);
	ASSERT_TRUE(machine_anon_page(c, 2, PG(0)) != a);
	ASSERT_EQ(a->mapcount, 1);
	ASSERT_TRUE(machine_state(c) != before);
	ASSERT_TRUE(page_at(m, 2, 0) == page_at(m, 1, 0));
	machine_free(c);
	machine_free(m);
	return true;
}


/*
 * The dup_anon_vma() cases of the kernel's tools/testing/vma
 * (test_dup_anon_vma): a merge whose target is unfaulted and takes in a
 * faulted VMA must give the target that VMA's anon_vma and chain, or its
 * pages fall out of the reverse map.  p/m/n unfaulted, P/M/N faulted.
 */
static bool page_found_from(struct machine *m, unsigned long pg,
			    const struct vma *v)
{
	struct rmap_walk w;
	bool found = false;

	if (machine_rmap_walk(m, 1, PG(pg), &w))
		return false;
	for (size_t i = 0; i < w.n; i++)
		found |= w.v[i].vma == v && w.v[i].maps;
	rmap_walk_free(&w);
	return found;
}

/*  pp*NN -> ppppp: vma_expand of prev over next (dup from next) */
TEST(dup_anon_vma_new_range_expand)
{
	struct machine *m = machine_new();
	struct anon_vma *av;
	struct vma *v;

	map(m, 3, 2, RW);
	touch(m, 3, 2);
	ASSERT_EQ(sys_mprotect(m, PG(3), LEN(2), PROT_READ), 0);
	av = vma_at(m, 1, 3)->anon_vma;
	map(m, 0, 2, PROT_READ);
	map(m, 2, 1, PROT_READ);
	v = vma_at(m, 1, 0);
	ASSERT_TRUE(v == vma_at(m, 1, 4) && v->vm_end == PG(5));
	ASSERT_TRUE(v->anon_vma == av && anon_vma_chain_singular(v));
	ASSERT_TRUE(page_found_from(m, 4, v));
	machine_free(m);
	return true;
}

/*  ppMMnn -> pppppp: merge both, the faulted middle (dup from middle) */
TEST(dup_anon_vma_existing_both_middle)
{
	struct machine *m = machine_new();
	struct anon_vma *av;
	struct vma *v;

	map(m, 0, 6, PROT_READ);
	ASSERT_EQ(sys_mprotect(m, PG(2), LEN(2), RW), 0);
	touch(m, 2, 2);
	av = vma_at(m, 1, 2)->anon_vma;
	ASSERT_TRUE(av && !vma_at(m, 1, 0)->anon_vma);
	ASSERT_EQ(sys_mprotect(m, PG(2), LEN(2), PROT_READ), 0);
	v = vma_at(m, 1, 0);
	ASSERT_TRUE(v == vma_at(m, 1, 5));
	ASSERT_TRUE(v->anon_vma == av);
	ASSERT_EQ(av->num_active_vmas, 1);
	ASSERT_TRUE(page_found_from(m, 3, v));
	machine_free(m);
	return true;
}

/*  ppmmNN -> pppppp: merge both, the faulted next (dup from next) */
TEST(dup_anon_vma_existing_both_next)
{
	struct machine *m = machine_new();
	struct anon_vma *av;
	struct vma *v;

	map(m, 4, 2, RW);
	touch(m, 4, 2);
	ASSERT_EQ(sys_mprotect(m, PG(4), LEN(2), PROT_READ), 0);
	av = vma_at(m, 1, 4)->anon_vma;
	map(m, 0, 2, PROT_READ);
	map(m, 2, 2, RW);
	ASSERT_TRUE(vma_at(m, 1, 2) != vma_at(m, 1, 4));
	ASSERT_EQ(sys_mprotect(m, PG(2), LEN(2), PROT_READ), 0);
	v = vma_at(m, 1, 0);
	ASSERT_TRUE(v == vma_at(m, 1, 5) && v->anon_vma == av);
	ASSERT_TRUE(page_found_from(m, 5, v));
	machine_free(m);
	return true;
}

/*  ppMM -> pppp: merge left (dup from middle);  MMnn -> nnnn: right */
TEST(dup_anon_vma_existing_one_side)
{
	struct machine *m = machine_new();
	struct anon_vma *av;
	struct vma *v;

	map(m, 0, 4, PROT_READ);
	ASSERT_EQ(sys_mprotect(m, PG(2), LEN(2), RW), 0);
	touch(m, 2, 2);
	av = vma_at(m, 1, 2)->anon_vma;
	ASSERT_EQ(sys_mprotect(m, PG(2), LEN(2), PROT_READ), 0);
	v = vma_at(m, 1, 0);
	ASSERT_TRUE(v == vma_at(m, 1, 3) && v->anon_vma == av);
	ASSERT_TRUE(page_found_from(m, 2, v));
	ASSERT_EQ(sys_munmap(m, PG(0), LEN(4)), 0);
	map(m, 0, 4, PROT_READ);
	ASSERT_EQ(sys_mprotect(m, PG(0), LEN(2), RW), 0);
	touch(m, 0, 2);
	av = vma_at(m, 1, 0)->anon_vma;
	ASSERT_EQ(sys_mprotect(m, PG(0), LEN(2), PROT_READ), 0);
	v = vma_at(m, 1, 3);
	ASSERT_TRUE(v == vma_at(m, 1, 0) && v->anon_vma == av);
	ASSERT_TRUE(page_found_from(m, 1, v));
	machine_free(m);
	return true;
}

static const struct test_case tests[] = {
	TEST_ENTRY(prepare_reuses_neighbour),
	TEST_ENTRY(fork_makes_child_anon_vma),
	TEST_ENTRY(fork_reuses_idle_anon_vma),
	TEST_ENTRY(fork_two_children_not_reused),
	TEST_ENTRY(fork_child_anon_vma_not_reused),
	TEST_ENTRY(fork_child_pieces),
	TEST_ENTRY(dup_anon_vma_on_merge),
	TEST_ENTRY(anon_vmas_freed_with_last_vma),
	TEST_ENTRY(cow_after_fork),
	TEST_ENTRY(reuse_moves_page_to_writer),
	TEST_ENTRY(index_survives_split_and_merge),
	TEST_ENTRY(clone_keeps_shared_pages),
	TEST_ENTRY(dup_anon_vma_new_range_expand),
	TEST_ENTRY(dup_anon_vma_existing_both_middle),
	TEST_ENTRY(dup_anon_vma_existing_both_next),
	TEST_ENTRY(dup_anon_vma_existing_one_side),
};

int main(void)
{
	return RUN_TESTS("rmap", tests);
}
