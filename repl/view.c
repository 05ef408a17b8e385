/*
 * view.c - the engine's state as the REPL shows it beyond the contract:
 * `ps`, `vma ADDR`, and the diff printed after each line.
 *
 * Everything here reads engine state through const pointers (vma.h and
 * tree.h) and never changes it.  Sizes follow `set numbers`.
 */
#include <stdlib.h>
#include <string.h>
#include "engine.h"
#include "handlers.h"
#include "model.h"
#include "procfs.h"
#include "tree.h"
#include "trace_text.h"
#include "view.h"

#define DIFF_MAX_LINES 40 /* more than a screen helps nobody */

/* "rw-p", as maps prints it. */
static const char *perms(vm_flags_t f, char buf[5])
{
	buf[0] = f & VM_READ ? 'r' : '-';
	buf[1] = f & VM_WRITE ? 'w' : '-';
	buf[2] = f & VM_EXEC ? 'x' : '-';
	buf[3] = f & VM_MAYSHARE ? 's' : 'p';
	buf[4] = '\0';
	return buf;
}

/* A size as `set numbers` wants it, into a small buffer. */
static const char *size_str(const struct session *s, unsigned long bytes,
			    char *buf, size_t len)
{
	struct strbuf sb = STRBUF_INIT;

	format_size(s, &sb, bytes);
	snprintf(buf, len, "%s", sb_str(&sb));
	sb_free(&sb);
	return buf;
}

#define SIZE(s, bytes) size_str((s), (bytes), (char[32]){0}, 32)

static const char *file_name(const struct vma *v)
{
	if (!v->vm_file)
		return "";
	return v->vm_file->inode->shmem ? "/dev/zero (deleted)"
					: v->vm_file->path;
}

/* ---- the diff printed after each line ---- */

/* ": end was 200000004000, rss 0 -> 16k": what changed from a to b. */
static void describe_change(const struct session *s, const struct vma_snap *a,
			    const struct vma_snap *b, struct strbuf *out)
{
	const vm_flags_t shown = VM_READ | VM_WRITE | VM_EXEC | VM_MAYSHARE;
	vm_flags_t other = (a->flags ^ b->flags) & ~shown;
	const char *sep = ": ";
	char pa[5];

#define ITEM(...)                          \
	do {                               \
		sb_puts(out, sep);         \
		sb_addf(out, __VA_ARGS__); \
		sep = ", ";                \
	} while (0)
	if (a->start != b->start)
		ITEM("start was %08lx", a->start);
	if (a->end != b->end)
		ITEM("end was %08lx", a->end);
	if ((a->flags ^ b->flags) & shown)
		ITEM("was %s", perms(a->flags, pa));
	for (int bit = 0; bit < 64; bit++) {
		const char *name = vm_flag_name(1UL << bit);

		if (other & (1UL << bit))
			ITEM("%c%s", b->flags & (1UL << bit) ? '+' : '-',
			     name ? name : "?");
	}
	if (vma_snap_diff(a, b) & VF_PGOFF)
		ITEM("pgoff was %#lx", a->pgoff);
	if (a->file != b->file)
		ITEM("file was %s", *a->name ? a->name : "none");
	if (a->anon_vma != b->anon_vma && !a->anon_vma)
		ITEM("anon_vma av%u", b->anon_vma);
	else if (a->anon_vma != b->anon_vma && !b->anon_vma)
		ITEM("anon_vma av%u gone", a->anon_vma);
	else if (a->anon_vma != b->anon_vma)
		ITEM("anon_vma av%u -> av%u", a->anon_vma, b->anon_vma);
	if (a->rss != b->rss)
		ITEM("rss %s -> %s", SIZE(s, a->rss * PAGE_SIZE),
		     SIZE(s, b->rss * PAGE_SIZE));
	if (a->anon != b->anon)
		ITEM("anon %s -> %s", SIZE(s, a->anon * PAGE_SIZE),
		     SIZE(s, b->anon * PAGE_SIZE));
#undef ITEM
}

int mm_diff_text(const struct session *s, const struct mm_diff *d,
		 struct strbuf *out)
{
	char pb[5];

	for (size_t i = 0; i < d->n && i < DIFF_MAX_LINES; i++) {
		const struct vma_delta *x = &d->d[i];
		const struct vma_snap *v = x->sign == '-' ? &x->old : &x->new;

		sb_addf(out, "%c %08lx-%08lx %s %6s vma#%u%s%s", x->sign,
			v->start, v->end, perms(v->flags, pb),
			SIZE(s, v->end - v->start), v->id, *v->name ? " " : "",
			v->name);
		if (x->sign == '~')
			describe_change(s, &x->old, &x->new, out);
		sb_puts(out, "\n");
	}
	if (d->n > DIFF_MAX_LINES)
		sb_addf(out, "  ... and %zu more (maps shows them all)\n",
			d->n - DIFF_MAX_LINES);
	return (int)d->n;
}

/* ---- ps ---- */

/* " 3:data 4:data": the open fds other than the /dev/null stdio ones. */
static void ps_files(const struct machine *m, int pid, struct strbuf *out)
{
	const struct vm_file *const *fds;
	int n = machine_fd_table(m, pid, &fds);

	for (int fd = 0; fd < n; fd++) {
		const struct vm_file *f = fds[fd];

		if (f && !(fd < 3 && f->inode->type == I_CHR))
			sb_addf(out, " %d:%s", fd, f->path);
	}
}

int cmd_ps(struct session *s, const struct parsed *p)
{
	struct machine *m = session_machine(s);
	int n = machine_pids(m, NULL, 0), cur = machine_current_pid(m);
	int *pids = calloc((size_t)n + 1, sizeof(int));

	if (!pids)
		abort();
	machine_pids(m, pids, n);
	sb_addf(&s->out, "  %5s %6s %10s %10s %10s %10s %10s %10s  %s\n", "PID",
		"VMAS", "SIZE", "RSS", "ANON", "LOCKED", "DATA", "STACK",
		"FILES");
	for (int i = 0; i < n; i++) {
		const struct mm *mm = machine_mm(m, pids[i]);
		struct mm_counters c;

		mm_counters_of(&c, mm);
		sb_addf(&s->out, "%c %5d %6lu %10s %10s %10s %10s %10s %10s ",
			pids[i] == cur ? '*' : ' ', pids[i],
			mm ? mm->tree.count : 0UL,
			SIZE(s, c.total_vm * PAGE_SIZE),
			SIZE(s, (c.anon + c.file + c.shmem) * PAGE_SIZE),
			SIZE(s, c.anon * PAGE_SIZE),
			SIZE(s, c.locked_vm * PAGE_SIZE),
			SIZE(s, c.data_vm * PAGE_SIZE),
			SIZE(s, c.stack_vm * PAGE_SIZE));
		if (machine_proc_killed(m, pids[i]))
			sb_puts(&s->out, " killed by SIGKILL (out of memory)");
		else
			ps_files(m, pids[i], &s->out);
		sb_puts(&s->out, "\n");
	}
	free(pids);
	return 0;
}

/* ---- vma ADDR ---- */

static size_t chain_len(const struct vma *v)
{
	size_t n = 0;

	for (const struct anon_vma_chain *c = v->anon_vma_chain; c;
	     c = c->same_vma_next)
		n++;
	return n;
}

static void show_file(const struct session *s, const struct vma *v,
		      struct strbuf *out)
{
	const struct vm_file *f = v->vm_file;

	if (!f) {
		sb_puts(out, "  vm_file     none: anonymous memory\n");
		return;
	}
	sb_addf(out, "  vm_file     %s (file#%u, ino %lu, size %s%s)\n",
		file_name(v), f->id, f->inode->ino, SIZE(s, f->inode->size),
		f->inode->shmem ? ", shmem" : "");
}

static void show_anon(const struct vma *v, struct strbuf *out)
{
	const struct anon_vma *av = v->anon_vma;
	size_t links = chain_len(v);

	if (!av && (v->vm_flags & VM_MAYSHARE)) {
		/* do_shared_fault() writes the page cache; only a private
		 * mapping's write fault copies a page into an anon_vma. */
		sb_addf(out,
			"  anon_vma    none: a shared mapping: its pages live "
			"in %s and\n              never need an anon_vma\n",
			vma_is_shmem(v) ? "shmem" : "the page cache");
		return;
	}
	if (!av) {
		sb_puts(out, "  anon_vma    none: no anonymous page yet "
			     "(anon_vma_prepare runs at the first write "
			     "fault)\n");
		return;
	}
	sb_addf(out,
		"  anon_vma    av%u (root av%u, %lu active VMA%s, %lu "
		"child%s)\n",
		av->id, av->root->id, av->num_active_vmas,
		av->num_active_vmas == 1 ? "" : "s", av->num_children,
		av->num_children == 1 ? "" : "ren");
	sb_puts(out, "  chain      ");
	for (const struct anon_vma_chain *c = v->anon_vma_chain; c;
	     c = c->same_vma_next)
		sb_addf(out, " av%u", c->anon_vma->id);
	sb_addf(out, ": %zu link%s%s\n", links, links == 1 ? "" : "s",
		links > 1 ? ", a fork child (merges only with a VMA of the "
			    "same anon_vma)"
			  : "");
}

/* One row per flag set in this VMA or an adjacent neighbour. */
static void show_flag_table(const struct vma *v, const struct vma *nb[2],
			    const vm_flags_t block[2], struct strbuf *out)
{
	vm_flags_t all = v->vm_flags;

	for (int i = 0; i < 2; i++)
		all |= nb[i] ? nb[i]->vm_flags : 0;
	sb_puts(out, "    flag            smaps  prev  this  next\n");
	for (int bit = 0; bit < 64; bit++) {
		vm_flags_t f = 1UL << bit;
		const char *name = vm_flag_name(1UL << bit);
		const char *mn = vm_flag_mnemonic(bit);
		char col[2][4];

		if (!(all & f))
			continue;
		for (int i = 0; i < 2; i++)
			snprintf(col[i], sizeof(col[i]), "%s%s",
				 !nb[i]		       ? " "
				 : nb[i]->vm_flags & f ? "x"
						       : ".",
				 block[i] & f ? "!" : "");
		sb_addf(out, "    %-15s %-6s %-5s %-5s %s\n", name ? name : "?",
			mn ? mn : "??", col[0], v->vm_flags & f ? "x" : ".",
			col[1]);
	}
	if (block[0] | block[1])
		sb_puts(out, "    (x: set; !: differs from this VMA and "
			     "blocks a merge)\n");
}

/* Why lo and hi are two VMAs, in words, from vma_merge_blockers(). */
static void blockers_text(const struct vma *lo, const struct vma *hi,
			  enum merge_veto veto, vm_flags_t diff,
			  struct strbuf *out)
{
	switch (veto) {
	case VETO_NONE:
		sb_puts(out,
			"compatible: a change at the boundary would merge");
		break;
	case VETO_NOT_ADJACENT:
		sb_addf(out, "not adjacent (gap of %#lx)",
			hi->vm_start - lo->vm_end);
		break;
	case VETO_PGOFF:
		sb_addf(out,
			"pgoff not contiguous (prev ends at %#lx, next starts "
			"at %#lx)",
			lo->vm_pgoff + vma_pages(lo), hi->vm_pgoff);
		break;
	default:
		veto_text(out, veto, diff, hi->anon_vma ? hi->anon_vma->id : 0,
			  lo->anon_vma ? lo->anon_vma->id : 0);
		break;
	}
}

static void show_neighbour(const struct session *s, const char *label,
			   const struct vma *lo, const struct vma *hi,
			   const struct vma *nb, vm_flags_t *block,
			   struct strbuf *out)
{
	enum merge_veto veto;
	vm_flags_t diff = 0;
	char pb[5];

	*block = 0;
	if (!nb) {
		sb_addf(out, "  %-10s  none\n", label);
		return;
	}
	veto = vma_merge_blockers(lo, hi, &diff);
	/* Only an adjacent neighbour's differing flags are what blocks. */
	if (veto != VETO_NONE && lo->vm_end == hi->vm_start)
		*block = diff;
	sb_addf(out, "  %-10s  vma#%u %08lx-%08lx %s %s: %s", label, nb->id,
		nb->vm_start, nb->vm_end, perms(nb->vm_flags, pb),
		SIZE(s, nb->vm_end - nb->vm_start),
		veto == VETO_NONE ? "could merge: " : "no merge: ");
	blockers_text(lo, hi, veto, diff, out);
	sb_puts(out, "\n");
}

int cmd_vma(struct session *s, const struct parsed *p)
{
	struct machine *m = session_machine(s);
	const struct mm *mm = machine_mm(m, machine_current_pid(m));
	unsigned long addr = p->argv[0].num, rss, anon;
	const struct vma *v = vt_lookup(&mm->tree, addr), *nb[2];
	struct strbuf nbtext = STRBUF_INIT;
	vm_flags_t block[2];
	char pb[5];

	if (!v) {
		const struct vma *next = vt_find(&mm->tree, addr);

		if (next)
			session_error(s,
				      "vma: no VMA contains %#lx (the next "
				      "one starts at %#lx)",
				      addr, next->vm_start);
		else
			session_error(s,
				      "vma: no VMA contains %#lx (maps "
				      "lists them)",
				      addr);
		return -1;
	}
	nb[0] = vt_prev(v);
	nb[1] = vt_next(v);
	vma_page_counts(v, &rss, &anon);
	sb_addf(&s->out, "vma#%u %08lx-%08lx %s %s (%lu page%s)\n", v->id,
		v->vm_start, v->vm_end, perms(v->vm_flags, pb),
		SIZE(s, v->vm_end - v->vm_start), vma_pages(v),
		vma_pages(v) == 1 ? "" : "s");
	sb_addf(&s->out, "  vm_pgoff    %#lx%s\n", v->vm_pgoff,
		v->vm_file ? ""
			   : " (the address's page number: maps "
			     "prints 0)");
	show_file(s, v, &s->out);
	show_anon(v, &s->out);
	sb_addf(&s->out, "  pages       rss %s, anonymous %s\n",
		SIZE(s, rss * PAGE_SIZE), SIZE(s, anon * PAGE_SIZE));
	sb_addf(&s->out, "  lock_seq    %lu (vma_start_write)\n", v->lock_seq);
	/* Neighbours first, into a side buffer: the table needs the bits. */
	show_neighbour(s, "prev", nb[0], v, nb[0], &block[0], &nbtext);
	show_neighbour(s, "next", v, nb[1], nb[1], &block[1], &nbtext);
	sb_addf(&s->out, "  vm_flags    %#lx  ", v->vm_flags);
	vm_flags_mnemonics(v->vm_flags, &s->out);
	sb_puts(&s->out, "\n");
	show_flag_table(v, nb, block, &s->out);
	sb_puts(&s->out, sb_str(&nbtext));
	sb_free(&nbtext);
	return 0;
}
