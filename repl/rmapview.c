/*
 * rmapview.c - the reverse map made visible: `rmap ADDR` (the walk
 * rmap_walk_anon() makes from one page), `anon` (the anon_vma graph of
 * every process, from model.h's anon_graph) and `check` (the engine's
 * invariant checker, now) and `explain [STEP]` (one step's events, as
 * explain.c words them).
 *
 * Everything here reads the engine through const pointers and its walk
 * and check functions; the words are made here, from ids and counts.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "check_text.h"
#include "engine.h"
#include "explain.h"
#include "handlers.h"
#include "model.h"
#include "tree.h"

/* ---- rmap ADDR ---- */

/* What is at addr when it is not an anonymous page. */
static void no_anon_page(struct session *s, const struct mm *mm, int pid,
			 unsigned long addr, enum page_kind kind)
{
	const struct vma *v = vt_lookup(&mm->tree, addr);

	sb_addf(&s->out, "rmap %#lx (pid %d): ", addr, pid);
	if (!v) {
		sb_puts(&s->out, "no VMA there: nothing to walk\n");
		return;
	}
	switch (kind) {
	case PAGE_ZERO:
		sb_puts(&s->out,
			"the shared zero page (a read fault mapped it): it "
			"belongs to no anon_vma and rmap does not track it\n");
		return;
	case PAGE_FILE:
		sb_addf(&s->out,
			"a %s page: its reverse map is the file's i_mmap tree "
			"(rmap_walk_file), not an anon_vma\n",
			v->vm_file && v->vm_file->inode->shmem ? "shmem"
							       : "page-cache");
		return;
	case PAGE_GUARD:
		sb_puts(&s->out,
			"a guard marker (MADV_GUARD_INSTALL): an entry that "
			"maps no page; any access is SIGSEGV\n");
		return;
	default:
		break;
	}
	sb_addf(&s->out, "no page present in vma#%u (touch writes one)\n",
		v->id);
}

int cmd_rmap(struct session *s, const struct parsed *p)
{
	const struct machine *m = session_machine(s);
	int pid = machine_current_pid(m);
	unsigned long addr = p->argv[0].num & PAGE_MASK;
	const struct mm *mm = machine_mm(m, pid);
	struct rmap_walk w;
	size_t maps = 0;
	int err = machine_rmap_walk(m, pid, addr, &w);

	if (err == -ENOENT || err == -ESRCH) {
		if (mm)
			no_anon_page(s, mm, pid, addr, w.kind);
		rmap_walk_free(&w);
		return 0;
	}
	if (err) {
		sb_addf(&s->out,
			"rmap %#lx (pid %d): an anonymous page whose anon_vma "
			"(av%u) is gone: rmap cannot reach it (check says "
			"more)\n",
			addr, pid, w.page ? w.page->av : 0);
		rmap_walk_free(&w);
		return 0;
	}
	sb_addf(&s->out,
		"rmap %#lx (pid %d): page#%lu, index %#lx, anon_vma av%u "
		"(folio->mapping), mapcount %d%s\n",
		addr, pid, w.page->pfn, w.page->index, w.anon_vma->id,
		w.page->mapcount,
		w.page->exclusive ? ", exclusive"
		: w.page->mapcount > 1
			? ", shared: copy on write"
			: "");
	sb_addf(&s->out,
		"  rmap_walk_anon: anon_vma_lock_read(av%u) takes root "
		"av%u's lock; av%u's interval tree has %zu chain%s, %zu "
		"cover%s index %#lx\n",
		w.anon_vma->id, w.root->id, w.anon_vma->id, w.nchains,
		w.nchains == 1 ? "" : "s", w.n, w.n == 1 ? "s" : "",
		w.page->index);
	for (size_t i = 0; i < w.n; i++) {
		const struct rmap_visit *x = &w.v[i];

		sb_addf(&s->out,
			"  pid %d vma#%u %lx-%lx pgoff %#lx-%#lx: address %lx, "
			"%s\n",
			x->pid, x->vma->id, x->vma->vm_start, x->vma->vm_end,
			x->pgoff_start, x->pgoff_last, x->addr,
			x->maps ? "maps the page"
				: "maps no such page (a copy, or nothing)");
		maps += x->maps;
	}
	sb_addf(&s->out, "  %zu mapping%s found\n", maps, maps == 1 ? "" : "s");
	rmap_walk_free(&w);
	return 0;
}

/* ---- anon / avc ---- */

int cmd_anon(struct session *s, const struct parsed *p)
{
	struct anon_graph g;
	size_t chains = 0;

	(void)p;
	anon_graph_take(&g, session_machine(s));
	for (size_t i = 0; i < g.n; i++)
		chains += g.av[i].nchains;
	if (!g.n) {
		sb_puts(&s->out, "no anon_vma: no process has written an "
				 "anonymous page yet\n");
		return 0;
	}
	sb_addf(&s->out, "%zu anon_vma%s, %zu chain%s (anon_vma_chain)\n", g.n,
		g.n == 1 ? "" : "s", chains, chains == 1 ? "" : "s");
	for (size_t i = 0; i < g.n; i++) {
		const struct av_snap *a = &g.av[i];
		int ind = 2 * a->depth;

		sb_addf(&s->out, "%*sav%u", ind, "", a->id);
		if (a->parent == a->id)
			sb_puts(&s->out, " (root)");
		else
			sb_addf(&s->out, " (root av%u, parent av%u)", a->root,
				a->parent);
		sb_addf(&s->out,
			": refcount %d, num_children %lu, num_active_vmas %lu, "
			"%lu page%s\n",
			a->refcount, a->num_children, a->num_active_vmas,
			a->pages, a->pages == 1 ? "" : "s");
		for (size_t c = 0; c < a->nchains; c++) {
			const struct avc_snap *x = &a->chains[c];

			sb_addf(&s->out,
				"%*s  chain: pid %d vma#%u %lx-%lx pgoff "
				"%#lx-%#lx%s\n",
				ind, "", x->pid, x->vma, x->start, x->end,
				x->pgoff_start, x->pgoff_last,
				x->own ? " (its anon_vma)" : "");
		}
	}
	anon_graph_free(&g);
	return 0;
}

/* ---- check ---- */

#define CHECK_LIST 20

int cmd_check(struct session *s, const struct parsed *p)
{
	const struct machine *m = session_machine(s);
	struct check_violation v[CHECK_LIST];
	int n = machine_check(m, v, CHECK_LIST);
	int pids[1024], np = machine_pids(m, pids, 1024);
	size_t vmas = 0, avs = 0;

	(void)p;
	for (int i = 0; i < np && i < 1024; i++) {
		const struct mm *mm = machine_mm(m, pids[i]);

		vmas += mm ? mm->map_count : 0;
	}
	for (const struct anon_vma *av = machine_anon_vmas(m); av;
	     av = av->next)
		avs++;
	if (!n) {
		sb_addf(&s->out,
			"check: every invariant holds (%d process%s, %zu "
			"VMA%s, %zu anon_vma%s)\n",
			np, np == 1 ? "" : "es", vmas, vmas == 1 ? "" : "s",
			avs, avs == 1 ? "" : "s");
		return 0;
	}
	sb_addf(&s->out, "check: %d violation%s\n", n, n == 1 ? "" : "s");
	for (int i = 0; i < n && i < CHECK_LIST; i++) {
		struct strbuf sb = STRBUF_INIT;

		check_text(&v[i], &sb);
		sb_addf(&s->out, "  %s\n", sb_str(&sb));
		sb_free(&sb);
	}
	if (n > CHECK_LIST)
		sb_addf(&s->out, "  and %d more\n", n - CHECK_LIST);
	return 0;
}

/* ---- explain [STEP] ---- */

int cmd_explain(struct session *s, const struct parsed *p)
{
	size_t pos = session_pos(s), n;
	struct ev_recording rec = {NULL, 0, 0};
	struct engine_observer o = {ev_recording_observer, &rec};
	struct explanation x;

	if (!s->new_backend) {
		session_error(s, "explain: not available here");
		return -1;
	}
	n = p->argc ? p->argv[0].num : pos;
	if (!pos && !p->argc) {
		session_error(s, "explain: no step yet (history lists the "
				 "steps)");
		return -1;
	}
	if (n == 0 || n > session_steps(s)) {
		session_error(s, "explain: no step %zu (history lists %zu)", n,
			      session_steps(s));
		return -1;
	}
	if (session_replay_step(s, n - 1, &o)) {
		ev_recording_free(&rec);
		session_error(s, "explain: step %zu cannot be replayed", n);
		return -1;
	}
	sb_addf(&s->out, "step %zu: %s%s\n", n, session_step_line(s, n - 1),
		n > pos ? "   (undone)" : "");
	explain_build(&x, rec.ev, rec.n);
	explain_text(&x, &s->out, EXPLAIN_WIDTH);
	explain_free(&x);
	ev_recording_free(&rec);
	return 0;
}
