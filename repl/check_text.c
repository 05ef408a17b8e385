/*
 * check_text.c - what the engine's checkers found (engine/check.h), in
 * words: one line per violation, naming the VMAs and anon_vmas by the ids
 * the trace and `vma`, `anon` print.
 */
#include "check_text.h"

/* "vma#3 (pid 2, 200000000000-200000004000)" */
static void vma_name(const struct check_violation *v, struct strbuf *out)
{
	sb_addf(out, "vma#%u (pid %d", v->vma, v->pid);
	if (v->start || v->end)
		sb_addf(out, ", %lx-%lx", v->start, v->end);
	sb_puts(out, ")");
}

static void fields(unsigned what, struct strbuf *out)
{
	static const char *const names[] = {"range", "pgoff", "vm_flags",
					    "anon_vma"};
	const char *sep = "";

	for (unsigned i = 0; i < 4; i++) {
		if (what & (1u << i)) {
			sb_addf(out, "%s%s", sep, names[i]);
			sep = ", ";
		}
	}
}

static void av_counts(const char *field, const struct check_violation *v,
		      const char *holders, struct strbuf *out)
{
	sb_addf(out, "av%u: %s is %ld, but %ld %s", v->av, field, v->value,
		v->expect, holders);
}

void check_text(const struct check_violation *v, struct strbuf *out)
{
	if (v->op)
		sb_addf(out, "operation %lu: ", v->op);
	switch (v->code) {
	case CHECK_TREE:
		sb_addf(out,
			"pid %d: the VMA tree is broken (order, heights or "
			"augmented gaps: vt_check)",
			v->pid);
		break;
	case CHECK_TREE_COUNT:
		sb_addf(out, "pid %d: %ld VMAs in the tree, which counts %ld",
			v->pid, v->value, v->expect);
		break;
	case CHECK_MAP_COUNT:
		sb_addf(out,
			"pid %d: map_count is %ld, but %ld VMAs are mapped",
			v->pid, v->value, v->expect);
		break;
	case CHECK_EMPTY:
		vma_name(v, out);
		sb_puts(out, " is empty");
		break;
	case CHECK_UNALIGNED:
		vma_name(v, out);
		sb_puts(out, " is not on page boundaries below TASK_SIZE");
		break;
	case CHECK_OVERLAP:
		vma_name(v, out);
		sb_addf(out, " overlaps vma#%u before it", v->other);
		break;
	case CHECK_WRONG_MM:
		vma_name(v, out);
		sb_puts(out, " is in this mm's tree but names another mm");
		break;
	case CHECK_MERGEABLE:
		vma_name(v, out);
		sb_addf(out,
			" and vma#%u are adjacent and compatible "
			"(vma_merge_blockers finds no veto): the kernel would "
			"have merged them",
			v->other);
		break;
	case CHECK_CHAIN_ANON:
		vma_name(v, out);
		if (v->av)
			sb_addf(out, ": its anon_vma av%u is not on its chain",
				v->av);
		else
			sb_puts(out, ": an anon_vma_chain but no anon_vma");
		break;
	case CHECK_CHAIN_LINK:
		vma_name(v, out);
		sb_puts(out, ": a chain link names another VMA, or an anon_vma "
			     "twice");
		break;
	case CHECK_CHAIN_FREED:
		vma_name(v, out);
		sb_puts(out, ": links to an anon_vma that was freed");
		break;
	case CHECK_CHAIN_TREE:
		vma_name(v, out);
		sb_addf(out,
			": its link to av%u is missing from av%u's tree, so "
			"rmap would not find it",
			v->av, v->av);
		break;
	case CHECK_CHAIN_ROOT:
		vma_name(v, out);
		sb_addf(out, ": av%u on its chain has another root", v->av);
		break;
	case CHECK_CHAIN_PARENT:
		vma_name(v, out);
		sb_addf(out, ": av%u is on its chain, its parent av%ld is not",
			v->av, v->value);
		break;
	case CHECK_AV_TREE:
		sb_addf(out, "av%u: %ld links in its tree, %ld on VMA chains",
			v->av, v->value, v->expect);
		break;
	case CHECK_AV_ACTIVE:
		av_counts("num_active_vmas", v, "VMAs have it as anon_vma",
			  out);
		break;
	case CHECK_AV_CHILDREN:
		av_counts("num_children", v,
			  "anon_vmas with VMAs have it as parent", out);
		break;
	case CHECK_AV_REFCOUNT:
		av_counts(
			"refcount", v,
			"references are held (its tree, and children by root)",
			out);
		break;
	case CHECK_AV_ROOT:
		sb_addf(out, "av%u: its parents do not lead to its root",
			v->av);
		break;
	case CHECK_AV_LEAK:
		sb_addf(out,
			"av%u serves no VMA and has no children, yet was not "
			"freed",
			v->av);
		break;
	case CHECK_PAGE_OUTSIDE:
		sb_addf(out, "pid %d: %ld page%s present outside every VMA",
			v->pid, v->value, v->value == 1 ? "" : "s");
		break;
	case CHECK_ANON_NO_AV:
		vma_name(v, out);
		sb_addf(out,
			" has %ld anonymous page%s but no anon_vma: rmap "
			"cannot reach them",
			v->value, v->value == 1 ? "" : "s");
		break;
	case CHECK_PAGE_AV_FREED:
		sb_addf(out,
			"vma#%u (pid %d): the anonymous page at %lx has no "
			"live anon_vma (av%u): rmap cannot reach it",
			v->vma, v->pid, v->start, v->av);
		break;
	case CHECK_PAGE_NO_CHAIN:
		sb_addf(out,
			"vma#%u (pid %d) maps the page at %lx (index %#lx) of "
			"av%u but has no chain to av%u: rmap_walk_anon misses "
			"it",
			v->vma, v->pid, v->start, (unsigned long)v->value, v->av,
			v->av);
		break;
	case CHECK_PAGE_INDEX:
		sb_addf(out,
			"vma#%u (pid %d): the page at %lx has index %#lx, but "
			"linear_page_index there is %#lx",
			v->vma, v->pid, v->start, (unsigned long)v->value,
			(unsigned long)v->expect);
		break;
	case CHECK_PAGE_MAPCOUNT:
		sb_addf(out,
			"a page of av%u has mapcount %ld, but %ld page table "
			"entries map it",
			v->av, v->value, v->expect);
		break;
	case CHECK_LOCK_CHANGED:
		vma_name(v, out);
		sb_puts(out, ": ");
		fields(v->what, out);
		sb_puts(out, " changed without vma_start_write");
		break;
	case CHECK_LOCK_REMOVED:
		vma_name(v, out);
		sb_puts(out, " was removed without vma_start_write");
		break;
	case CHECK_LOCK_NEW:
		vma_name(v, out);
		sb_puts(out, " was added to a live mm without vma_start_write");
		break;
	}
}
