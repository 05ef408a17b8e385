/*
 * explain.c - a step's events as facts (explain_build) and the facts as a
 * short account in plain English (explain_text), in both vocabularies of
 * the merge: the cases of vma_merge_new_range() and
 * vma_merge_existing_range() since 6.12, and the case numbers 1-8 of the
 * old vma_merge() diagram (mm/mmap.c before 6.12) that books and older
 * patches use:
 *
 *     AAAA             AAAA                   AAAA
 *    PPPPPPNNNNNN    PPPPPPNNNNNN       PPPPPPNNNNNN
 *    cannot merge    might become       might become
 *                    PPNNNNNNNNNN       PPPPPPPPPPNN
 *    mmap, brk or    case 4 below       case 5 below
 *    mremap move:
 *                        AAAA               AAAA
 *                    PPPP    NNNN       PPPPNNNNXXXX
 *                    might become       might become
 *                    PPPPPPPPPPPP 1 or  PPPPPPPPPPPP 6 or
 *                    PPPPPPPPNNNN 2 or  PPPPPPPPXXXX 7 or
 *                    PPPPNNNNNNNN 3     PPPPXXXXXXXX 8
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "explain.h"
#include "trace_text.h"

/* ---- the recorder ---- */

void ev_recording_observer(void *arg, const struct vmalab_event *ev)
{
	struct ev_recording *r = arg;

	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->ev = realloc(r->ev, r->cap * sizeof(*r->ev));
		if (!r->ev)
			abort();
	}
	r->ev[r->n] = *ev;
	r->ev[r->n].v = r->ev[r->n].o = NULL;
	r->n++;
}

void ev_recording_free(struct ev_recording *r)
{
	free(r->ev);
	memset(r, 0, sizeof(*r));
}

/* ---- the two vocabularies ---- */

static const struct {
	const char *text;
	int old;
	const char *picture;
} cases[] = {
	[MERGE_NEW_EXPAND_PREV] = {"vma_merge_new_range: expand prev", 2,
				   "PPPP****NNNN -> PPPPPPPPNNNN"},
	[MERGE_NEW_EXPAND_NEXT] = {"vma_merge_new_range: expand next", 3,
				   "PPPP****NNNN -> PPPPNNNNNNNN"},
	[MERGE_NEW_EXPAND_BOTH] = {"vma_merge_new_range: expand prev, "
				   "remove next",
				   1, "PPPP****NNNN -> PPPPPPPPPPPP"},
	[MERGE_EXISTING_BOTH] = {"vma_merge_existing_range: merge both", 6,
				 "PPPPMMMMNNNN -> PPPPPPPPPPPP"},
	[MERGE_EXISTING_LEFT_FULL] = {"vma_merge_existing_range: merge left, "
				      "remove middle",
				      7, "PPPPMMMMNNNN -> PPPPPPPPNNNN"},
	[MERGE_EXISTING_LEFT_PART] = {"vma_merge_existing_range: merge left, "
				      "shrink middle",
				      5, "PPPPMMMMMM -> PPPPPPPPMM"},
	[MERGE_EXISTING_RIGHT_FULL] = {"vma_merge_existing_range: merge "
				       "right, remove middle",
				       8, "PPPPMMMMNNNN -> PPPPNNNNNNNN"},
	[MERGE_EXISTING_RIGHT_PART] = {"vma_merge_existing_range: merge "
				       "right, shrink middle",
				       4, "MMMMMMNNNN -> MMNNNNNNNN"},
};

static bool case_ok(enum merge_case c)
{
	return c >= MERGE_NEW_EXPAND_PREV && c <= MERGE_EXISTING_RIGHT_PART;
}

const char *merge_case_text(enum merge_case c)
{
	return case_ok(c) ? cases[c].text : "no merge";
}

int merge_case_old(enum merge_case c)
{
	return case_ok(c) ? cases[c].old : 0;
}

const char *merge_case_picture(enum merge_case c)
{
	return case_ok(c) ? cases[c].picture : "";
}

/* ---- gathering the facts ---- */

#define GROW(arr, n, cap)                                              \
	do {                                                           \
		if ((n) == (cap)) {                                    \
			(cap) = (cap) ? 2 * (cap) : 8;                 \
			(arr) = realloc((arr), (cap) * sizeof(*(arr))); \
			if (!(arr))                                    \
				abort();                               \
		}                                                      \
	} while (0)

static struct explain_merge *open_merge(struct explanation *x)
{
	return x->nopen ? &x->merges[x->open[x->nopen - 1] - 1] : NULL;
}

static void set_nb(struct explain_nb *nb, enum explain_nb_state st,
		   const struct vmalab_event *ev)
{
	nb->state = st;
	nb->vma = ev->vma;
	nb->start = ev->start;
	nb->end = ev->end;
	if (st == NB_REFUSED) {
		nb->veto = (enum merge_veto)ev->code;
		nb->diff = ev->diff;
		nb->av = ev->av;
		nb->av2 = ev->av2;
		nb->have = ev->addr;
		nb->want = ev->value;
	}
}

static bool is_before(const struct vmalab_event *ev)
{
	return ev->fn && strcmp(ev->fn, "can_vma_merge_before") == 0;
}

static void merge_event(struct explanation *x, const struct vmalab_event *ev)
{
	struct explain_merge *g = open_merge(x);

	if (!g)
		return;
	switch (ev->kind) {
	case EV_VETO:
		if (ev->code == VETO_PREV_NEXT_ANON) {
			g->prev_next_anon = true;
			g->pn_av = ev->av;
			g->pn_av2 = ev->av2;
		} else {
			set_nb(is_before(ev) ? &g->next : &g->prev, NB_REFUSED,
			       ev);
		}
		break;
	case EV_CAN_MERGE:
		set_nb(is_before(ev) ? &g->next : &g->prev, NB_ACCEPTED, ev);
		break;
	case EV_NOTE:
		if (ev->code == NOTE_PREV_APART)
			set_nb(&g->prev, NB_APART, ev);
		else if (ev->code == NOTE_NEXT_APART)
			set_nb(&g->next, NB_APART, ev);
		else if (ev->code == NOTE_MERGE_NOMEM)
			g->nomem = true;
		break;
	case EV_MERGE:
		g->mcase = (enum merge_case)ev->code;
		g->target = ev->vma;
		break;
	case EV_NOMERGE:
		g->why = (enum merge_veto)ev->code;
		break;
	case EV_VMA_FREE:
		if (ev->code == VMA_GONE_MERGE && g->nremoved < 2)
			g->removed[g->nremoved++] = ev->vma;
		break;
	case EV_ANON_VMA:
		if (ev->code == AV_DUP)
			g->dup_av = ev->av;
		break;
	default:
		break;
	}
}

static void enter(struct explanation *x, const struct vmalab_event *ev)
{
	if (ev->depth == 0 && x->npaths < 16) {
		x->path_addr[x->npaths] = ev->addr;
		x->path_len[x->npaths] = ev->len;
		x->paths[x->npaths++] = ev->code;
	}
	if (ev->code == FN_VMA_MERGE_NEW_RANGE ||
	    ev->code == FN_VMA_MERGE_EXISTING_RANGE) {
		struct explain_merge *g;

		GROW(x->merges, x->nmerges, x->capmerges);
		g = &x->merges[x->nmerges++];
		memset(g, 0, sizeof(*g));
		g->fn = (enum ev_fn)ev->code;
		g->pid = ev->pid;
		g->start = ev->addr;
		g->end = ev->addr + ev->len;
		if (g->fn == FN_VMA_MERGE_EXISTING_RANGE) {
			g->middle = ev->vma;
			g->mstart = ev->start;
			g->mend = ev->end;
		}
		if (x->nopen < 8)
			x->open[x->nopen++] = x->nmerges;
	} else if (ev->code == FN_SPLIT_VMA) {
		struct explain_split *sp;

		GROW(x->splits, x->nsplits, x->capsplits);
		sp = &x->splits[x->nsplits++];
		memset(sp, 0, sizeof(*sp));
		sp->pid = ev->pid;
		sp->vma = ev->vma;
		sp->start = ev->start;
		sp->end = ev->end;
		sp->addr = ev->addr;
		sp->new_below = ev->value != 0;
	}
}

static void add_lock(struct explanation *x, const struct vmalab_event *ev)
{
	for (size_t i = 0; i < x->nlocks; i++)
		if (x->locks[i].vma == ev->vma && x->locks[i].pid == ev->pid)
			return;
	GROW(x->locks, x->nlocks, x->caplocks);
	x->locks[x->nlocks++] = (struct explain_lock){
		.pid = ev->pid,
		.vma = ev->vma,
		.start = ev->start,
		.end = ev->end,
	};
}

static void fault(struct explanation *x, const struct vmalab_event *ev)
{
	if (ev->fn && strcmp(ev->fn, "wp_page_copy") == 0)
		x->cow_copies++;
	else if (ev->fn && strcmp(ev->fn, "do_wp_page") == 0)
		x->wp_copies++;
	else if (ev->fn && strcmp(ev->fn, "do_read_fault") == 0)
		x->read_faults++;
	else if (ev->fn && strcmp(ev->fn, "do_fault_around") == 0)
		x->around_faults++;
	else if (ev->code == PAGE_ANON)
		x->anon_faults++;
	else if (ev->code == PAGE_ZERO)
		x->zero_faults++;
	else
		x->file_faults++;
}

void explain_build(struct explanation *x, const struct vmalab_event *ev,
		   size_t n)
{
	memset(x, 0, sizeof(*x));
	for (size_t i = 0; i < n; i++) {
		const struct vmalab_event *e = &ev[i];

		merge_event(x, e);
		switch (e->kind) {
		case EV_ENTER:
			enter(x, e);
			break;
		case EV_LEAVE:
			if ((e->code == FN_VMA_MERGE_NEW_RANGE ||
			     e->code == FN_VMA_MERGE_EXISTING_RANGE) &&
			    x->nopen)
				x->nopen--;
			break;
		case EV_VMA_NEW:
			if (e->code > 0 && e->code < 8)
				x->made[e->code]++;
			if (e->code == VMA_FROM_SPLIT && x->nsplits)
				x->splits[x->nsplits - 1].made = e->vma;
			break;
		case EV_VMA_FREE:
			if (e->code > 0 && e->code < 8)
				x->gone[e->code]++;
			break;
		case EV_LOCK:
			add_lock(x, e);
			break;
		case EV_FAULT:
			fault(x, e);
			break;
		case EV_ZAP:
			x->zaps++;
			break;
		case EV_NOTE:
			if (e->code == NOTE_READ_AROUND)
				x->read_ahead += e->len;
			if (e->code == NOTE_ASYNC_READAHEAD) {
				x->async_ahead += e->len;
				x->async_hits++;
			}
			if (e->code == NOTE_GUARD_INSTALL) {
				x->guard_pages += e->len >> PAGE_SHIFT;
				x->guard_zapped += e->value;
			}
			if (e->code == NOTE_GUARD_REMOVE)
				x->guard_removed += e->value;
			if (e->code == NOTE_MADV_POPULATE) {
				x->populate_vmas++;
				x->populate_write |= e->value;
			}
			break;
		case EV_VMA_FLAGS:
			x->flag_changes++;
			break;
		case EV_ANON_VMA:
			if (e->code > 0 && e->code < 16)
				x->anon_ops[e->code]++;
			if (e->code == AV_MOVE_RMAP)
				x->cow_reused++;
			if (e->code == AV_PREPARE_NEW && !x->first_av_new)
				x->first_av_new = e->av;
			if (e->code == AV_PREPARE_REUSE && !x->first_av_reuse)
				x->first_av_reuse = e->av;
			break;
		default:
			break;
		}
	}
}

void explain_free(struct explanation *x)
{
	free(x->merges);
	free(x->splits);
	free(x->locks);
	memset(x, 0, sizeof(*x));
}

/* ---- the words ---- */

/* A paragraph, wrapped at width columns; later lines indented by two. */
static void para(struct strbuf *out, size_t width, const char *text)
{
	const char *p = text;
	size_t col = 0;
	bool first = true;

	while (*p) {
		const char *w = p;
		size_t len;

		while (*w == ' ')
			w++;
		len = strcspn(w, " ");
		if (!len)
			break;
		if (!first && col + 1 + len > width) {
			sb_puts(out, "\n  ");
			col = 2;
		} else if (!first) {
			sb_puts(out, " ");
			col++;
		}
		sb_add(out, w, len);
		col += len;
		first = false;
		p = w + len;
	}
	sb_puts(out, "\n");
}

/* The kernel function whose test a veto is. */
static const char *veto_fn(enum merge_veto v)
{
	switch (v) {
	case VETO_FLAGS:
	case VETO_FILE_ANON:
	case VETO_FILE_INODE:
	case VETO_FILE_STRUCT:
		return "is_mergeable_vma";
	case VETO_SRC_FORK_CHILD:
	case VETO_COPIED_FORK_CHILD:
	case VETO_TGT_FORK_CHILD:
	case VETO_ANON_VMA:
		return "is_mergeable_anon_vma";
	default:
		return NULL;
	}
}

static void nb_text(struct strbuf *sb, const char *side,
		    const struct explain_nb *nb, const struct explain_merge *g)
{
	const char *fn = strcmp(side, "prev") == 0 ? "can_vma_merge_after"
						   : "can_vma_merge_before";

	switch (nb->state) {
	case NB_ABSENT:
		sb_addf(sb, "No VMA touches the range's %s, so there is no %s. ",
			strcmp(side, "prev") == 0 ? "start" : "end", side);
		return;
	case NB_APART:
		sb_addf(sb,
			"%s (vma#%u %lx-%lx) does not touch the range, so it "
			"cannot merge. ",
			side, nb->vma, nb->start, nb->end);
		return;
	case NB_ACCEPTED:
		sb_addf(sb, "%s (vma#%u %lx-%lx) is compatible (%s: yes). ",
			side, nb->vma, nb->start, nb->end, fn);
		return;
	case NB_REFUSED:
		break;
	}
	sb_addf(sb, "%s (vma#%u %lx-%lx) refused: %s", side, nb->vma,
		nb->start, nb->end, fn);
	if (veto_fn(nb->veto))
		sb_addf(sb, " (%s)", veto_fn(nb->veto));
	else if (nb->veto == VETO_PGOFF)
		sb_puts(sb, " (its pgoff test)");
	sb_puts(sb, " says ");
	veto_text(sb, nb->veto, nb->diff, nb->av, nb->av2);
	if (nb->veto == VETO_PGOFF) {
		if (strcmp(side, "prev") == 0)
			sb_addf(sb, ": prev's pages end at pgoff %#lx, the "
				    "range's start at %#lx",
				nb->have, nb->want);
		else
			sb_addf(sb, ": next starts at pgoff %#lx, the range "
				    "would need %#lx",
				nb->have, nb->want);
	}
	sb_puts(sb, ". ");
	(void)g;
}

static const char *const outcome[] = {
	[MERGE_NEW_EXPAND_PREV] = "vma_merge_new_range expands prev over the "
				  "range",
	[MERGE_NEW_EXPAND_NEXT] = "vma_merge_new_range expands next down over "
				  "the range",
	[MERGE_NEW_EXPAND_BOTH] = "vma_merge_new_range expands prev over the "
				  "range and over next, and removes next",
	[MERGE_EXISTING_BOTH] = "vma_merge_existing_range extends prev over "
				"middle and next, and removes both",
	[MERGE_EXISTING_LEFT_FULL] = "vma_merge_existing_range extends prev "
				     "over all of middle, and removes middle",
	[MERGE_EXISTING_LEFT_PART] = "vma_merge_existing_range extends prev "
				     "over the range, and middle shrinks to "
				     "what is left",
	[MERGE_EXISTING_RIGHT_FULL] = "vma_merge_existing_range extends next "
				      "down over all of middle, and removes "
				      "middle",
	[MERGE_EXISTING_RIGHT_PART] = "vma_merge_existing_range extends next "
				      "down over the range, and middle "
				      "shrinks to what is left",
};

static void merge_text(struct strbuf *out, size_t width,
		       const struct explain_merge *g)
{
	struct strbuf sb = STRBUF_INIT;
	bool existing = g->fn == FN_VMA_MERGE_EXISTING_RANGE;

	if (existing)
		sb_addf(&sb,
			"vma_merge_existing_range (pid %d): the range %lx-%lx "
			"of vma#%u (%lx-%lx, \"middle\") is changing, so it "
			"tries to merge it with a neighbour. ",
			g->pid, g->start, g->end, g->middle, g->mstart,
			g->mend);
	else
		sb_addf(&sb,
			"vma_merge_new_range (pid %d): the new range %lx-%lx "
			"may join a neighbour instead of becoming a VMA. ",
			g->pid, g->start, g->end);
	if (g->why == VETO_SPECIAL || g->why == VETO_INSIDE ||
	    g->why == VETO_NO_NEIGHBOUR) {
		sb_puts(&sb, "It stops at once: ");
		veto_text(&sb, g->why, 0, 0, 0);
		if (g->why == VETO_INSIDE)
			sb_puts(&sb, " (neither end of middle moves, so no "
				     "neighbour can take it)");
		sb_puts(&sb, ".");
		para(out, width, sb_str(&sb));
		sb_free(&sb);
		return;
	}
	if (!existing || g->start == g->mstart)
		nb_text(&sb, "prev", &g->prev, g);
	if (!existing || g->end == g->mend)
		nb_text(&sb, "next", &g->next, g);
	if (g->prev_next_anon)
		sb_addf(&sb,
			"prev and next each accept the range but not each "
			"other: can_vma_merge_right says their anon_vmas "
			"differ (av%u vs av%u), so only prev takes it. ",
			g->pn_av, g->pn_av2);
	if (case_ok(g->mcase)) {
		if (g->mcase == MERGE_NEW_EXPAND_BOTH)
			sb_puts(&sb, "The new range sits between prev and "
				     "next, and both are compatible: ");
		else
			sb_puts(&sb, "So ");
		sb_puts(&sb, outcome[g->mcase]);
		sb_addf(&sb,
			" (case \"%s\"; case %d of the pre-6.12 vma_merge() "
			"diagram, %s).",
			merge_case_text(g->mcase), merge_case_old(g->mcase),
			merge_case_picture(g->mcase));
		if (g->dup_av)
			sb_addf(&sb,
				" The target had no anon_vma: dup_anon_vma "
				"gives it av%u and its chain, so the pages "
				"stay reachable.",
				g->dup_av);
		if (g->nremoved == 1)
			sb_addf(&sb, " vma_complete frees vma#%u.",
				g->removed[0]);
		else if (g->nremoved == 2)
			sb_addf(&sb, " vma_complete frees vma#%u and vma#%u.",
				g->removed[0], g->removed[1]);
	} else if (g->nomem) {
		sb_puts(&sb, "The merge ran out of memory and changed "
			     "nothing.");
	} else {
		sb_addf(&sb, "No merge (%s)%s.",
			existing ? "vma_merge_existing_range returns NULL"
				 : "vma_merge_new_range returns NULL",
			existing ? ": the caller splits instead"
				 : ": __mmap_region makes a new VMA");
	}
	para(out, width, sb_str(&sb));
	sb_free(&sb);
}

static const char *path_name(int fn, unsigned long addr, unsigned long len,
			     char *buf, size_t n)
{
	switch (fn) {
	case FN_DO_MMAP:
		snprintf(buf, n, "do_mmap (addr %lx, len %#lx)", addr, len);
		break;
	case FN_DO_VMI_MUNMAP:
		snprintf(buf, n, "do_vmi_munmap (munmap of %lx-%lx)", addr,
			 addr + len);
		break;
	case FN_DO_MPROTECT_PKEY:
		snprintf(buf, n, "do_mprotect_pkey (mprotect of %lx-%lx)", addr,
			 addr + len);
		break;
	case FN_DUP_MMAP:
		snprintf(buf, n, "dup_mmap (fork copies the VMAs one to one, "
				 "never merging)");
		break;
	default:
		snprintf(buf, n, "%s", ev_fn_name((enum ev_fn)fn));
		break;
	}
	return buf;
}

static void faults_text(struct strbuf *out, size_t width,
			const struct explanation *x)
{
	struct strbuf sb = STRBUF_INIT;

	if (x->populate_vmas)
		sb_addf(&sb,
			"MADV_POPULATE faulted %lu VMA%s in through GUP "
			"(faultin_page_range), as %s faults. ",
			x->populate_vmas, x->populate_vmas == 1 ? "" : "s",
			x->populate_write ? "write" : "read");
	if (x->anon_faults)
		sb_addf(&sb,
			"%lu anonymous page%s faulted in, each with its "
			"anon_vma and index (folio_add_new_anon_rmap). ",
			x->anon_faults, x->anon_faults == 1 ? " was" : "s were");
	if (x->cow_copies)
		sb_addf(&sb,
			"%lu write%s hit a page still shared since fork: "
			"wp_page_copy gave the writer a copy in its own "
			"anon_vma. ",
			x->cow_copies, x->cow_copies == 1 ? "" : "s");
	if (x->cow_reused)
		sb_addf(&sb,
			"%lu write%s found a page fork had shared but no "
			"other process maps any more: it is reused, and "
			"folio_move_anon_rmap moves it to the writer's "
			"anon_vma. ",
			x->cow_reused, x->cow_reused == 1 ? "" : "s");
	if (x->zero_faults)
		sb_addf(&sb, "%lu read fault%s mapped the shared zero page. ",
			x->zero_faults, x->zero_faults == 1 ? "" : "s");
	if (x->file_faults)
		sb_addf(&sb, "%lu page-cache or shmem page%s mapped. ",
			x->file_faults, x->file_faults == 1 ? " was" : "s were");
	if (x->read_ahead)
		sb_addf(&sb,
			"The page cache missed, so filemap_fault read %lu "
			"page%s around the fault first "
			"(do_sync_mmap_readahead) and the fault was retried. ",
			x->read_ahead, x->read_ahead == 1 ? "" : "s");
	if (x->async_hits)
		sb_addf(&sb,
			"%lu fault%s found a folio marked PG_readahead, so "
			"%lu more page%s were read ahead "
			"(page_cache_async_ra) and the fault was retried. ",
			x->async_hits, x->async_hits == 1 ? "" : "s",
			x->async_ahead, x->async_ahead == 1 ? "" : "s");
	if (x->read_faults)
		sb_addf(&sb,
			"%lu read fault%s mapped a page of the file "
			"read-only (do_read_fault). ",
			x->read_faults, x->read_faults == 1 ? "" : "s");
	if (x->around_faults)
		sb_addf(&sb,
			"do_fault_around mapped %lu page%s already in the "
			"page cache around the fault (filemap_map_pages): "
			"reading them will not fault. ",
			x->around_faults, x->around_faults == 1 ? "" : "s");
	if (x->wp_copies)
		sb_addf(&sb,
			"%lu write%s found a page mapped read-only (the zero "
			"page or a page of the page cache): do_wp_page gave "
			"a private anonymous copy (wp_page_copy), which needs "
			"the anon_vma. ",
			x->wp_copies, x->wp_copies == 1 ? "" : "s");
	if (x->guard_pages)
		sb_addf(&sb,
			"%lu page table entr%s became guard markers "
			"(madvise_guard_install): no page, and any access "
			"is SIGSEGV%s. ",
			x->guard_pages, x->guard_pages == 1 ? "y" : "ies",
			x->guard_zapped ? "; the pages there were zapped first"
					: "");
	if (x->guard_removed)
		sb_addf(&sb,
			"%lu guard marker%s cleared (madvise_guard_remove): "
			"the next access faults a page in. ",
			x->guard_removed, x->guard_removed == 1 ? " was" : "s were");
	if (x->anon_ops[AV_PREPARE_NEW])
		sb_addf(&sb,
			"__anon_vma_prepare made a new anon_vma (av%u): no "
			"neighbour had one to share. ",
			x->first_av_new);
	if (x->anon_ops[AV_PREPARE_REUSE])
		sb_addf(&sb,
			"__anon_vma_prepare reused av%u of a neighbour "
			"(find_mergeable_anon_vma), so the two can merge "
			"again later. ",
			x->first_av_reuse);
	if (x->anon_ops[AV_FORK_NEW])
		sb_addf(&sb,
			"anon_vma_fork gave %lu child VMA%s an anon_vma of "
			"its own, chained under the parent's. ",
			x->anon_ops[AV_FORK_NEW],
			x->anon_ops[AV_FORK_NEW] == 1 ? "" : "s");
	if (x->anon_ops[AV_CLONE_REUSE])
		sb_addf(&sb,
			"anon_vma_clone reused %lu old anon_vma%s that had no "
			"VMA and fewer than two children. ",
			x->anon_ops[AV_CLONE_REUSE],
			x->anon_ops[AV_CLONE_REUSE] == 1 ? "" : "s");
	if (x->anon_ops[AV_FREE])
		sb_addf(&sb, "%lu anon_vma%s freed with %s last chain. ",
			x->anon_ops[AV_FREE],
			x->anon_ops[AV_FREE] == 1 ? " was" : "s were",
			x->anon_ops[AV_FREE] == 1 ? "its" : "their");
	if (sb.len)
		para(out, width, sb_str(&sb));
	sb_free(&sb);
}

void explain_text(const struct explanation *x, struct strbuf *out,
		  size_t width)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[128];

	if (x->npaths) {
		sb_puts(&sb, "Kernel path: ");
		for (int i = 0; i < x->npaths; i++)
			sb_addf(&sb, "%s%s", i ? ", then " : "",
				path_name(x->paths[i], x->path_addr[i],
					  x->path_len[i], buf, sizeof(buf)));
		sb_puts(&sb, ".");
		para(out, width, sb_str(&sb));
		sb_reset(&sb);
	} else if (x->anon_faults || x->cow_copies || x->cow_reused ||
		   x->zero_faults || x->file_faults || x->read_faults ||
		   x->around_faults || x->wp_copies) {
		para(out, width, "Kernel path: page faults (do_user_addr_fault, "
			  "handle_mm_fault).");
	}
	for (size_t i = 0; i < x->nmerges; i++)
		merge_text(out, width, &x->merges[i]);
	for (size_t i = 0; i < x->nsplits; i++) {
		const struct explain_split *sp = &x->splits[i];

		sb_addf(&sb,
			"__split_vma split vma#%u (%lx-%lx) at %lx: the new "
			"VMA vma#%u takes the part %s %lx, and vma#%u keeps "
			"the rest.",
			sp->vma, sp->start, sp->end, sp->addr, sp->made,
			sp->new_below ? "below" : "from", sp->addr, sp->vma);
		para(out, width, sb_str(&sb));
		sb_reset(&sb);
	}
	if (x->gone[VMA_GONE_MUNMAP]) {
		sb_addf(&sb, "%lu VMA%s unmapped (remove_vma).",
			x->gone[VMA_GONE_MUNMAP],
			x->gone[VMA_GONE_MUNMAP] == 1 ? " was" : "s were");
		para(out, width, sb_str(&sb));
		sb_reset(&sb);
	}
	if (x->made[VMA_FROM_MMAP]) {
		sb_addf(&sb, "%lu new VMA%s made (__mmap_new_vma).",
			x->made[VMA_FROM_MMAP],
			x->made[VMA_FROM_MMAP] == 1 ? " was" : "s were");
		para(out, width, sb_str(&sb));
		sb_reset(&sb);
	}
	if (x->made[VMA_FROM_FORK]) {
		sb_addf(&sb, "fork copied %lu VMA%s into the child.",
			x->made[VMA_FROM_FORK],
			x->made[VMA_FROM_FORK] == 1 ? "" : "s");
		para(out, width, sb_str(&sb));
		sb_reset(&sb);
	}
	faults_text(out, width, x);
	if (x->nlocks) {
		sb_puts(&sb, "Write-locked (vma_start_write):");
		for (size_t i = 0; i < x->nlocks; i++)
			sb_addf(&sb, "%s vma#%u %lx-%lx", i ? "," : "",
				x->locks[i].vma, x->locks[i].start,
				x->locks[i].end);
		sb_puts(&sb, ".");
		para(out, width, sb_str(&sb));
		sb_reset(&sb);
	}
	if (!out->len)
		para(out, width, "Nothing happened in the kernel's mm: no VMA, page or "
			  "anon_vma changed.");
	sb_free(&sb);
}
