/*
 * trace_text.c - what --trace prints: each engine event as a line in the
 * kernel's words, naming each VMA by its range as it was at that moment.
 *
 * The wording here is the one the README's transcripts and the users'
 * habits know; changing a format changes what people read, so the formats
 * are kept in one table per kind of event.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "trace_text.h"

static void range(struct strbuf *out, unsigned long start, unsigned long end)
{
	sb_addf(out, "%lx-%lx", start, end);
}

void vm_flag_list(struct strbuf *out, unsigned long f)
{
	bool any = false;

	for (int bit = 0; bit < 64; bit++) {
		const char *name = vm_flag_name(1UL << bit);

		if (!(f & (1UL << bit)) || !name)
			continue;
		sb_addf(out, "%s%s", any ? "|" : "", name);
		any = true;
	}
	if (!any)
		sb_addf(out, "%#lx", f);
}

void veto_text(struct strbuf *out, enum merge_veto veto, unsigned long diff,
	       unsigned src_av, unsigned tgt_av)
{
	switch (veto) {
	case VETO_FLAGS:
		sb_puts(out, "vm_flags differ (");
		vm_flag_list(out, diff);
		sb_puts(out, ")");
		break;
	case VETO_FILE_ANON:
		sb_puts(out, "one is file-backed, one is not");
		break;
	case VETO_FILE_INODE:
		sb_puts(out, "different files");
		break;
	case VETO_FILE_STRUCT:
		sb_puts(out, "different struct file (opened separately)");
		break;
	case VETO_SRC_FORK_CHILD:
		sb_puts(out, "range is a fork child (anon_vma chain not "
			     "singular), target unfaulted");
		break;
	case VETO_COPIED_FORK_CHILD:
		sb_puts(out, "copied-from VMA is a fork child");
		break;
	case VETO_TGT_FORK_CHILD:
		sb_puts(out, "target is a fork child (anon_vma chain not "
			     "singular), range unfaulted");
		break;
	case VETO_ANON_VMA:
		sb_addf(out, "anon_vma differs and both faulted (av%u vs av%u)",
			src_av, tgt_av);
		break;
	case VETO_PGOFF:
		sb_puts(out, "pgoff not contiguous");
		break;
	case VETO_PREV_NEXT_ANON:
		sb_addf(out,
			"prev and next have different anon_vmas (av%u vs "
			"av%u)",
			src_av, tgt_av);
		break;
	case VETO_SPECIAL:
		sb_puts(out, "VM_SPECIAL never merges");
		break;
	case VETO_NO_NEIGHBOUR:
		sb_puts(out, "no prev and no next");
		break;
	case VETO_INCOMPATIBLE:
		sb_puts(out, "no compatible neighbour");
		break;
	case VETO_INSIDE:
		sb_puts(out, "range is strictly inside the VMA");
		break;
	case VETO_NOT_ADJACENT:
		sb_puts(out, "not adjacent");
		break;
	case VETO_NONE:
		sb_puts(out, "compatible");
		break;
	}
}

/* can_vma_merge_{before,after}(next|prev RANGE): yes / no: why */
static void verdict(const struct vmalab_event *ev, struct strbuf *out)
{
	bool before = ev->fn[14] == 'b'; /* can_vma_merge_before */

	if (ev->kind == EV_VETO && ev->code == VETO_PREV_NEXT_ANON) {
		sb_puts(out, "can_vma_merge_right: no: ");
		veto_text(out, VETO_PREV_NEXT_ANON, 0, ev->av, ev->av2);
		return;
	}
	sb_addf(out, "%s(%s ", ev->fn, before ? "next" : "prev");
	range(out, ev->start, ev->end);
	if (ev->kind == EV_CAN_MERGE) {
		sb_puts(out, "): yes");
		return;
	}
	sb_puts(out, "): no: ");
	veto_text(out, (enum merge_veto)ev->code, ev->diff, ev->av, ev->av2);
	if (ev->code != VETO_PGOFF)
		return;
	if (before)
		sb_addf(out, " (next %#lx, range ends at %#lx)", ev->addr,
			ev->value);
	else
		sb_addf(out, " (prev ends at %#lx, range %#lx)", ev->addr,
			ev->value);
}

void mremap_flag_list(struct strbuf *out, unsigned long f)
{
	static const char *const names[] = {"MREMAP_MAYMOVE", "MREMAP_FIXED",
					    "MREMAP_DONTUNMAP"};
	const char *sep = "";

	for (int i = 0; i < 3; i++) {
		if (f & (1UL << i)) {
			sb_addf(out, "%s%s", sep, names[i]);
			sep = "|";
		}
	}
	if (f & ~7UL)
		sb_addf(out, "%s%#lx", sep, f & ~7UL);
}

/* Why mremap refused, with the errno each reason has. */
static void mremap_refusal_text(struct strbuf *out, unsigned long why)
{
	static const char *const text[] = {
		[MREMAP_BAD_FLAGS] = "check_mremap_params: unknown flag: "
				     "EINVAL",
		[MREMAP_ADDR_UNALIGNED] = "check_mremap_params: addr not "
					  "page-aligned: EINVAL",
		[MREMAP_NEW_LEN_ZERO] = "check_mremap_params: new_len is 0: "
					"EINVAL",
		[MREMAP_NEW_LEN_TOO_BIG] = "check_mremap_params: new_len > "
					   "TASK_SIZE: EINVAL",
		[MREMAP_NEW_ADDR_TOO_HIGH] = "check_mremap_params: new_addr + "
					     "new_len > TASK_SIZE: EINVAL",
		[MREMAP_NEW_ADDR_UNALIGNED] = "check_mremap_params: new_addr "
					      "not page-aligned: EINVAL",
		[MREMAP_NO_MAYMOVE] = "check_mremap_params: MREMAP_FIXED or "
				      "MREMAP_DONTUNMAP without "
				      "MREMAP_MAYMOVE: EINVAL",
		[MREMAP_DONTUNMAP_RESIZE] = "check_mremap_params: "
					    "MREMAP_DONTUNMAP with old_len "
					    "!= new_len: EINVAL",
		[MREMAP_OVERLAP] = "check_mremap_params: vrm_overlaps: old "
				   "and new ranges overlap: EINVAL",
		[MREMAP_MAP_COUNT] = "map_count too near max_map_count for "
				     "the splits a move may make: ENOMEM",
		[MREMAP_NO_VMA] = "check_prep_vma: no vma at addr: EFAULT",
		[MREMAP_SEALED] = "check_prep_vma: vma is sealed: EPERM",
		[MREMAP_DUP_PRIVATE] = "check_prep_vma: old_len 0 duplicates "
				       "only shared mappings: EINVAL",
		[MREMAP_DONTUNMAP_SPECIAL] = "check_prep_vma: MREMAP_DONTUNMAP "
					     "of a VM_DONTEXPAND|VM_PFNMAP "
					     "vma: EINVAL",
		[MREMAP_CROSSES_END] = "check_prep_vma: range crosses the "
				       "end of the vma: EFAULT",
		[MREMAP_PGOFF_OVERFLOW] = "check_prep_vma: pgoff + new pages "
					  "overflows: EINVAL",
		[MREMAP_DONTEXPAND] = "check_prep_vma: vma is "
				      "VM_DONTEXPAND|VM_PFNMAP: EFAULT",
		[MREMAP_EXPAND_VM] = "may_expand_vm: over RLIMIT_AS or "
				     "RLIMIT_DATA: ENOMEM",
		[MREMAP_NO_ROOM] = "expand_vma: cannot expand in place and "
				   "no MREMAP_MAYMOVE: ENOMEM",
		[MREMAP_GAP_AT_START] = "remap_move: nothing mapped at addr: "
					"EFAULT",
		[MREMAP_NOT_ENOUGH_MEMORY] = "vrm_calc_charge: "
					     "__vm_enough_memory: more than "
					     "RAM and swap: ENOMEM",
	};

	if (why < sizeof(text) / sizeof(text[0]) && text[why])
		sb_puts(out, text[why]);
}

static void mremap_in_place_text(const struct vmalab_event *ev,
				 struct strbuf *out)
{
	sb_addf(out, "%s(vma %lx-%lx): no: ", ev->fn, ev->start, ev->end);
	switch ((enum mremap_in_place)ev->value) {
	case IN_PLACE_NOT_AT_END:
		sb_puts(out, "the range does not end at vm_end");
		break;
	case IN_PLACE_OVERFLOW:
		sb_puts(out, "vm_end + delta wraps around");
		break;
	case IN_PLACE_NEXT_VMA:
		sb_addf(out, "vma %lx-%lx is in the way", ev->ostart,
			ev->oend);
		break;
	case IN_PLACE_NO_AREA:
		sb_puts(out, "get_unmapped_area(MAP_FIXED) refuses the grown "
			     "range (beyond TASK_SIZE)");
		break;
	}
}

static void enter(const struct vmalab_event *ev, struct strbuf *out)
{
	unsigned long end = ev->addr + ev->len;

	switch ((enum ev_fn)ev->code) {
	case FN_DO_MMAP:
		sb_addf(out, "do_mmap(addr %lx, len %#lx)", ev->addr, ev->len);
		break;
	case FN_DO_VMI_MUNMAP:
		sb_addf(out, "do_vmi_munmap(%lx, %#lx)", ev->addr, ev->len);
		break;
	case FN_DO_MPROTECT_PKEY:
		sb_addf(out, "do_mprotect_pkey(%lx, %#lx)", ev->addr, ev->len);
		break;
	case FN_DUP_MMAP:
		sb_addf(out, "dup_mmap: pid %d -> pid %lu", ev->pid, ev->value);
		break;
	case FN_VMA_MERGE_NEW_RANGE:
		sb_addf(out, "vma_merge_new_range(%lx-%lx)", ev->addr, end);
		break;
	case FN_VMA_MERGE_EXISTING_RANGE:
		sb_puts(out, "vma_merge_existing_range(vma ");
		range(out, ev->start, ev->end);
		sb_addf(out, ", %lx-%lx)", ev->addr, end);
		break;
	case FN_VMA_EXPAND:
		sb_puts(out, "vma_expand(vma ");
		range(out, ev->start, ev->end);
		sb_addf(out, ") to %lx-%lx%s", ev->addr, end,
			ev->value ? ", removing next" : "");
		break;
	case FN_SPLIT_VMA:
		sb_puts(out, "__split_vma(vma ");
		range(out, ev->start, ev->end);
		sb_addf(out, ", addr %lx, new_below=%lu)", ev->addr, ev->value);
		break;
	case FN_VMS_GATHER_MUNMAP_VMAS:
		sb_addf(out, "vms_gather_munmap_vmas(%lx-%lx)", ev->addr, end);
		break;
	case FN_DO_EXECVE:
		sb_addf(out,
			"do_execveat_common: pid %d: exec_mmap gives it "
			"a new mm",
			ev->pid);
		break;
	case FN_DO_EXIT:
		sb_addf(out, "do_exit: pid %d: exit_mm, exit_files", ev->pid);
		break;
	case FN_DO_MREMAP:
		sb_addf(out, "do_mremap(%lx, %#lx -> %#lx", ev->addr, ev->len,
			ev->value);
		if (ev->flags) {
			sb_puts(out, ", ");
			mremap_flag_list(out, ev->flags);
		}
		sb_puts(out, ")");
		break;
	case FN_MOVE_VMA:
		sb_puts(out, "move_vma(vma ");
		range(out, ev->start, ev->end);
		sb_addf(out, ", %lx-%lx to %lx)", ev->addr, end, ev->value);
		break;
	case FN_COPY_VMA:
		sb_puts(out, "copy_vma(vma ");
		range(out, ev->start, ev->end);
		sb_addf(out, " to %lx-%lx)", ev->addr, end);
		break;
	case FN_DO_MADVISE:
		sb_addf(out, "do_madvise(%lx, %#lx, advice %ld)", ev->addr,
			ev->len, (long)ev->value);
		break;
	case FN_DO_MLOCK:
		sb_addf(out, "apply_vma_lock_flags(%lx, %#lx, %s)", ev->addr,
			ev->len,
			!(ev->flags & VM_LOCKED)      ? "unlock"
			: ev->flags & VM_LOCKONFAULT ? "VM_LOCKED|VM_LOCKONFAULT"
						     : "VM_LOCKED");
		break;
	case FN_APPLY_MLOCKALL_FLAGS:
		sb_addf(out, "apply_mlockall_flags(%#lx)", ev->value);
		break;
	case FN_DO_MSEAL:
		sb_addf(out, "do_mseal(%lx, %#lx)", ev->addr, ev->len);
		break;
	case FN_SYS_BRK:
		sb_addf(out, "brk(%lx): mm->brk %lx", ev->addr, ev->value);
		break;
	case FN_DO_BRK_FLAGS:
		sb_addf(out, "do_brk_flags(%lx-%lx)", ev->addr, end);
		if (ev->vma) {
			sb_puts(out, ", brk vma ");
			range(out, ev->start, ev->end);
		}
		break;
	case FN__COUNT:
		break;
	}
}

static void merge_case(const struct vmalab_event *ev, struct strbuf *out)
{
	static const char *const text[] = {
		[MERGE_NEW_EXPAND_PREV] = "case expand prev",
		[MERGE_NEW_EXPAND_NEXT] = "case expand next",
		[MERGE_NEW_EXPAND_BOTH] = "case expand prev, remove next",
		[MERGE_EXISTING_BOTH] =
			"case merge both: prev extends over middle and next",
		[MERGE_EXISTING_LEFT_FULL] =
			"case merge left: prev extends, middle is deleted",
		[MERGE_EXISTING_LEFT_PART] =
			"case merge left: prev extends, middle shrinks",
		[MERGE_EXISTING_RIGHT_FULL] = "case merge right: next extends "
					      "down, middle is deleted",
		[MERGE_EXISTING_RIGHT_PART] =
			"case merge right: next extends down, middle shrinks",
	};

	if (ev->code > 0 && ev->code <= MERGE_EXISTING_RIGHT_PART)
		sb_puts(out, text[ev->code]);
}

/* "...(vma RANGE)...": the event's VMA, by its range. */
#define VMA_RANGE(ev) (ev)->start, (ev)->end
/* The file page a fault at ev->addr of the event's VMA falls on. */
#define FILE_INDEX(ev) ((ev)->pgoff + (((ev)->addr - (ev)->start) >> 12))

/* The end of a read-ahead's line: its large folios (page_cache_ra_order():
 * diff is the order), the function, the retry. */
static void folio_order_text(struct strbuf *out, const struct vmalab_event *ev)
{
	if (ev->diff)
		sb_addf(out, " in folios of up to %lu pages", 1UL << ev->diff);
	sb_addf(out, " (%s), then the fault is retried", ev->fn);
}
#define OTHER_RANGE(ev) (ev)->ostart, (ev)->oend

static void anon_op(const struct vmalab_event *ev, struct strbuf *out)
{
	switch ((enum anon_op)ev->code) {
	case AV_PREPARE_NEW:
		sb_addf(out, "anon_vma_prepare(vma %lx-%lx): new anon_vma av%u",
			VMA_RANGE(ev), ev->av);
		break;
	case AV_PREPARE_REUSE:
		sb_addf(out,
			"anon_vma_prepare(vma %lx-%lx): reuse anon_vma av%u "
			"(find_mergeable_anon_vma)",
			VMA_RANGE(ev), ev->av);
		break;
	case AV_CLONE_REUSE:
		sb_addf(out, "anon_vma_clone: reuse anon_vma av%u", ev->av);
		break;
	case AV_FORK_NEW:
		sb_addf(out,
			"anon_vma_fork(vma %lx-%lx): new anon_vma av%u, parent "
			"av%u, %lu chain links",
			VMA_RANGE(ev), ev->av, ev->av2, ev->value);
		break;
	case AV_DUP:
		sb_addf(out,
			"dup_anon_vma(dst %lx-%lx, src %lx-%lx): anon_vma av%u",
			VMA_RANGE(ev), OTHER_RANGE(ev), ev->av);
		break;
	case AV_UNLINK:
		sb_addf(out, "unlink_anon_vmas(vma %lx-%lx): anon_vma av%u",
			VMA_RANGE(ev), ev->av);
		break;
	case AV_MOVE_RMAP:
		sb_addf(out,
			"folio_move_anon_rmap(vma %lx-%lx): the page at %lx is "
			"now in anon_vma av%u",
			VMA_RANGE(ev), ev->addr, ev->av);
		break;
	case AV_LINK:
	case AV_FREE:
		break;
	}
}

static void note(const struct vmalab_event *ev, struct strbuf *out)
{
	switch ((enum ev_note)ev->code) {
	case NOTE_TRUNCATE:
		sb_addf(out, "do_truncate: i_size %#lx", ev->value);
		break;
	case NOTE_DUP_SKIP_DONTCOPY:
		sb_addf(out, "dup_mmap: skip vma %lx-%lx: VM_DONTCOPY",
			VMA_RANGE(ev));
		break;
	case NOTE_STACK_GUARD_GAP:
		sb_addf(out,
			"expand_downwards(vma %lx-%lx): within stack_guard_gap "
			"of vma %lx-%lx: ENOMEM",
			VMA_RANGE(ev), OTHER_RANGE(ev));
		break;
	case NOTE_STACK_RLIMIT:
		sb_addf(out,
			"expand_downwards(vma %lx-%lx): over RLIMIT_STACK: "
			"ENOMEM",
			VMA_RANGE(ev));
		break;
	case NOTE_STACK_EXPAND:
		sb_addf(out, "expand_downwards(vma %lx-%lx) to %lx",
			VMA_RANGE(ev), ev->addr);
		break;
	case NOTE_SIGBUS_EOF:
		sb_addf(out, "%s(%lx): page %#lx beyond EOF: SIGBUS", ev->fn,
			ev->addr, ev->value);
		break;
	case NOTE_NOT_WRITABLE:
		sb_addf(out,
			"do_user_addr_fault(%lx): vma %lx-%lx not writable: "
			"SIGSEGV",
			ev->addr, VMA_RANGE(ev));
		break;
	case NOTE_POPULATE_PROT_NONE:
		sb_addf(out,
			"populate_vma_page_range(vma %lx-%lx): PROT_NONE: "
			"EFAULT",
			VMA_RANGE(ev));
		break;
	case NOTE_POPULATE:
		sb_addf(out, "populate_vma_page_range(vma %lx-%lx, %lx-%lx)%s",
			VMA_RANGE(ev), ev->addr, ev->addr + ev->len,
			ev->value ? ": write faults" : "");
		break;
	case NOTE_HINT_FREE:
		sb_addf(out, "get_unmapped_area: hint %lx is free", ev->addr);
		break;
	case NOTE_HINT_UNUSABLE:
		sb_addf(out, "get_unmapped_area: hint %lx not usable",
			ev->addr);
		break;
	case NOTE_NOREPLACE_EEXIST:
		sb_addf(out,
			"do_mmap: MAP_FIXED_NOREPLACE: vma %lx-%lx is in the "
			"way",
			VMA_RANGE(ev));
		break;
	case NOTE_FLAGS_UNCHANGED:
		sb_addf(out, "mprotect_fixup(vma %lx-%lx): flags unchanged",
			VMA_RANGE(ev));
		break;
	case NOTE_CHARGE:
		sb_addf(out,
			"mprotect_fixup: private mapping becomes writable: "
			"charge %lu page%s, set VM_ACCOUNT",
			ev->value, ev->value == 1 ? "" : "s");
		break;
	case NOTE_UNCHARGE:
		sb_puts(out, "mprotect_fixup: unfaulted anonymous VMA loses "
			     "write: clear VM_ACCOUNT");
		break;
	case NOTE_MPROTECT_HOLE:
		sb_addf(out, "do_mprotect_pkey: hole at %lx: ENOMEM", ev->addr);
		break;
	case NOTE_MPROTECT_EACCES:
		sb_addf(out,
			"do_mprotect_pkey: vma %lx-%lx lacks VM_MAY* for the "
			"protection: EACCES",
			VMA_RANGE(ev));
		break;
	case NOTE_MPROTECT_END_HOLE:
		sb_puts(out, "do_mprotect_pkey: range ends in a hole: ENOMEM");
		break;
	case NOTE_PREV_APART:
		sb_addf(out, "prev %lx-%lx does not touch the range",
			VMA_RANGE(ev));
		break;
	case NOTE_NEXT_APART:
		sb_addf(out, "next %lx-%lx does not touch the range",
			VMA_RANGE(ev));
		break;
	case NOTE_NO_PREV_TOUCHING:
		sb_puts(out, "no prev touching the range");
		break;
	case NOTE_NO_NEXT_TOUCHING:
		sb_puts(out, "no next touching the range");
		break;
	case NOTE_MERGE_NOMEM:
		sb_puts(out, "merge aborted: out of memory");
		break;
	case NOTE_SPLIT_DONE:
		sb_addf(out,
			"vma %lx-%lx keeps pgoff %#lx; new vma %lx-%lx pgoff "
			"%#lx",
			VMA_RANGE(ev), ev->pgoff, OTHER_RANGE(ev), ev->opgoff);
		break;
	case NOTE_SPLIT_MAX_MAP_COUNT:
		sb_addf(out,
			"split_vma: map_count %lu >= max_map_count %lu: ENOMEM",
			ev->value, ev->len);
		break;
	case NOTE_GATHER_MAX_MAP_COUNT:
		sb_addf(out, "map_count %lu >= max_map_count: ENOMEM",
			ev->value);
		break;
	case NOTE_GATHER_DETACHED:
		sb_addf(out, "detached %lu vma%s", ev->value,
			ev->value == 1 ? "" : "s");
		break;
	case NOTE_MUNMAP_NOTHING:
		sb_addf(out, "do_vmi_munmap: nothing mapped in %lx-%lx",
			ev->addr, ev->addr + ev->len);
		break;
	case NOTE_OVERCOMMIT:
		sb_addf(out, "__vm_enough_memory(%lu pages): %s: ENOMEM",
			ev->value,
			ev->len == 0
				? "more than RAM + swap (overcommit_memory=0)"
				: "over the commit limit "
				  "(overcommit_memory=2)");
		break;
	case NOTE_FORK_EAGAIN:
		if (!strcmp(ev->fn, "alloc_pid"))
			sb_addf(out,
				"alloc_pid: no free pid below pid_max %lu: "
				"EAGAIN",
				ev->value);
		else
			sb_addf(out,
				"copy_process: %lu tasks >= threads-max: "
				"EAGAIN",
				ev->value);
		break;
	case NOTE_HUGETLB_NOMEM:
		sb_puts(out,
			"hugetlbfs mmap: no huge pages to reserve: ENOMEM");
		break;
	case NOTE_VM_SYNC:
		sb_puts(out,
			"mmap_file: VM_SYNC on a non-DAX file: EOPNOTSUPP");
		break;
	case NOTE_EXEC_NO_ELF:
		sb_puts(out, "load_elf_binary: the program's segments and its "
			     "interpreter are made from the ELF file, which "
			     "vmalab does not read");
		break;
	case NOTE_CLOSE_ON_EXEC:
		sb_addf(out, "do_close_on_exec: close fd %lu (O_CLOEXEC)",
			ev->value);
		break;
	case NOTE_SHMEM_SETUP:
		sb_addf(out,
			"shmem_zero_setup: new shmem file /dev/zero (ino %lu)",
			ev->value);
		break;
	case NOTE_MREMAP_REFUSED:
		mremap_refusal_text(out, ev->value);
		break;
	case NOTE_MREMAP_NOOP:
		sb_puts(out, "mremap_at: MREMAP_NO_RESIZE: nothing to do");
		break;
	case NOTE_MREMAP_SHRINK:
		sb_addf(out, "shrink_vma: unmap the tail %lx-%lx", ev->addr,
			ev->addr + ev->len);
		break;
	case NOTE_MREMAP_IN_PLACE:
		sb_addf(out,
			"expand_vma_in_place: vma_merge_extend(vma %lx-%lx, "
			"delta %#lx)",
			VMA_RANGE(ev), ev->len);
		break;
	case NOTE_MREMAP_NOT_IN_PLACE:
		mremap_in_place_text(ev, out);
		break;
	case NOTE_MREMAP_FIXED_UNMAP:
		sb_addf(out,
			"mremap_to: MREMAP_FIXED: do_munmap(%lx-%lx) first",
			ev->addr, ev->addr + ev->len);
		break;
	case NOTE_MREMAP_NEW_ADDR:
		if (ev->value)
			sb_addf(out,
				"vrm_set_new_addr: get_unmapped_area(%lx) gives "
				"%lx",
				ev->value, ev->addr);
		else
			sb_addf(out,
				"vrm_set_new_addr: get_unmapped_area gives %lx",
				ev->addr);
		break;
	case NOTE_MREMAP_MULTI:
		sb_addf(out, "remap_move: vma %lx-%lx: move %lx-%lx to %lx",
			VMA_RANGE(ev), ev->addr, ev->addr + ev->len,
			ev->value);
		break;
	case NOTE_COPY_VMA_PGOFF:
		if (ev->value == 1)
			sb_addf(out,
				"copy_vma: unfaulted anonymous vma: pgoff "
				"reset to new addr >> PAGE_SHIFT = %#lx",
				ev->addr);
		else
			sb_addf(out, "copy_vma: pgoff %#lx kept (%s)", ev->addr,
				ev->value == 2 ? "faulted: its pages' index"
					       : "the file offset");
		break;
	case NOTE_COPY_VMA_MERGED:
		sb_addf(out, "copy_vma: destination merged into vma %lx-%lx%s",
			VMA_RANGE(ev),
			ev->value ? " (the source itself)" : "");
		break;
	case NOTE_MOVE_PAGE_TABLES:
		sb_addf(out,
			"move_page_tables: the entries of %lx-%lx go to "
			"%lx-%lx",
			ev->addr, ev->addr + ev->len, ev->value,
			ev->value + ev->len);
		break;
	case NOTE_DONTUNMAP_COMPLETE:
		sb_addf(out, "dontunmap_complete: vma %lx-%lx stays, empty",
			VMA_RANGE(ev));
		if (ev->diff) {
			sb_puts(out, "; clear ");
			vm_flag_list(out, ev->diff);
		}
		if (ev->value)
			sb_puts(out, "; unlink_anon_vmas: whole vma moved");
		break;
	case NOTE_MREMAP_UNACCOUNT:
		sb_puts(out, "unmap_source_vma: VM_ACCOUNT off for the unmap "
			     "(the move was charged), back on what remains");
		break;
	case NOTE_MREMAP_POPULATE:
		sb_addf(out, "do_mremap: VM_LOCKED grew: mm_populate(%lx-%lx)",
			ev->addr, ev->addr + ev->len);
		break;
	case NOTE_SEALED:
		sb_addf(out, "%s(vma %lx-%lx): VM_SEALED: EPERM", ev->fn,
			VMA_RANGE(ev));
		break;
	case NOTE_MSEAL_UNMAPPED:
		sb_addf(out, "range_contains_unmapped: hole at %lx: ENOMEM",
			ev->addr);
		break;
	case NOTE_MADV_HOLE:
		sb_addf(out,
			"madvise_walk_vmas: hole at %lx: ENOMEM once the rest "
			"is advised",
			ev->addr);
		break;
	case NOTE_MADV_REFUSED:
		if (ev->len)
			sb_addf(out, "%s(vma %lx-%lx): refused: %s", ev->fn,
				VMA_RANGE(ev),
				ev->len == EACCES ? "EACCES" : "EINVAL");
		else
			sb_addf(out,
				"%s(vma %lx-%lx): special, hugetlb or "
				"droppable: left unlocked",
				ev->fn, VMA_RANGE(ev));
		break;
	case NOTE_MADV_UNKNOWN:
		sb_addf(out, "madvise_behavior_valid(%ld): no: EINVAL",
			(long)ev->value);
		break;
	case NOTE_MADV_LAZYFREE:
		sb_addf(out,
			"madvise_free_single_vma(vma %lx-%lx): %lx-%lx lazily "
			"freed: the pages stay mapped until reclaim",
			VMA_RANGE(ev), ev->addr, ev->addr + ev->len);
		break;
	case NOTE_MADV_POPULATE:
		sb_addf(out, "faultin_page_range(vma %lx-%lx, %lx-%lx): %s faults",
			VMA_RANGE(ev), ev->addr, ev->addr + ev->len,
			ev->value ? "write" : "read");
		break;
	case NOTE_GUARD_INSTALL:
		sb_addf(out,
			"madvise_guard_install(vma %lx-%lx): guard markers "
			"over %lx-%lx",
			VMA_RANGE(ev), ev->addr, ev->addr + ev->len);
		if (ev->value)
			sb_addf(out, ", %lu page%s zapped first", ev->value,
				ev->value == 1 ? "" : "s");
		break;
	case NOTE_GUARD_REMOVE:
		sb_addf(out,
			"madvise_guard_remove(vma %lx-%lx): %lu guard "
			"marker%s cleared in %lx-%lx",
			VMA_RANGE(ev), ev->value, ev->value == 1 ? "" : "s",
			ev->addr, ev->addr + ev->len);
		break;
	case NOTE_GUARD_FAULT:
		sb_addf(out, "handle_pte_marker(%lx): guard marker: SIGSEGV",
			ev->addr);
		break;
	case NOTE_COLLAPSE_NOTHING:
		sb_addf(out,
			"madvise_collapse(vma %lx-%lx): %lx-%lx holds no "
			"aligned 2 MiB block: nothing to collapse",
			VMA_RANGE(ev), ev->addr, ev->addr + ev->len);
		break;
	case NOTE_COLLAPSE_EMPTY:
		sb_addf(out,
			"hpage_collapse_scan_pmd(%lx-%lx): no page table "
			"entry in the block%s: SCAN_PMD_NULL, EINVAL",
			ev->addr, ev->addr + ev->len,
			ev->len > (1UL << 21) ? "s" : "");
		break;
	case NOTE_POPULATE_HOLE:
		sb_addf(out, "__get_user_pages: no VMA at %lx: ENOMEM",
			ev->addr);
		break;
	case NOTE_POPULATE_EFAULT:
		sb_addf(out,
			"faultin_page_range(vma %lx-%lx): the fault at %lx "
			"fails: EFAULT",
			VMA_RANGE(ev), ev->addr);
		break;
	case NOTE_MLOCK_HOLE:
		sb_addf(out, "apply_vma_lock_flags: hole at %lx: ENOMEM",
			ev->addr);
		break;
	case NOTE_DEF_FLAGS:
		sb_addf(out, "apply_mlockall_flags: mm->def_flags %s",
			ev->flags & VM_LOCKONFAULT ? "VM_LOCKED|VM_LOCKONFAULT"
			: ev->flags & VM_LOCKED	   ? "VM_LOCKED"
						   : "without VM_LOCKED");
		break;
	case NOTE_PRCTL_NO_ANON_NAME:
		sb_puts(out, "prctl_set_vma: no CONFIG_ANON_VMA_NAME: EINVAL");
		break;
	case NOTE_BRK_BELOW_MIN:
		sb_addf(out,
			"brk: %lx is below min_brk (start_brk %lx): keep %lx",
			ev->addr, ev->len, ev->value);
		break;
	case NOTE_BRK_SAME_PAGE:
		sb_addf(out,
			"brk: %lx is in the same page as %lx: only mm->brk "
			"changes",
			ev->addr, ev->value);
		break;
	case NOTE_BRK_SHRINK_NOTHING:
		sb_addf(out,
			"brk: nothing mapped in %lx-%lx to unmap: keep %lx",
			PAGE_ALIGN(ev->addr), PAGE_ALIGN(ev->value), ev->value);
		break;
	case NOTE_BRK_LIMITS:
		sb_addf(out, "check_brk_limits: %s: keep %lx",
			strerrorname_np((int)-(long)ev->len), ev->value);
		break;
	case NOTE_BRK_NEXT_TOO_CLOSE:
		sb_addf(out,
			"brk: vma %lx-%lx leaves no free page above %lx%s: "
			"keep %lx",
			VMA_RANGE(ev), PAGE_ALIGN(ev->addr),
			ev->flags & VM_GROWSDOWN ? " and its guard gap" : "",
			ev->value);
		break;
	case NOTE_NOT_ACCESSIBLE:
		sb_addf(out,
			"do_user_addr_fault(%lx): vma %lx-%lx not accessible "
			"(PROT_NONE): SIGSEGV",
			ev->addr, VMA_RANGE(ev));
		break;
	case NOTE_FAULT_AROUND:
		/* A user fault's; populate's are in its own line. */
		if (ev->depth)
			break;
		sb_addf(out,
			"do_fault_around(%lx): %lu page%s of %lx-%lx mapped "
			"from the page cache (filemap_map_pages)",
			ev->addr, ev->value, ev->value == 1 ? "" : "s",
			ev->ostart, ev->oend);
		break;
	case NOTE_READ_AROUND:
	case NOTE_ASYNC_READAHEAD:
		if (ev->depth)
			break;
		sb_addf(out,
			"filemap_fault(%lx): page %#lx %s of pages %#lx-%#lx",
			ev->addr, FILE_INDEX(ev),
			ev->code == NOTE_READ_AROUND
				? "not in the page cache: read-around"
				: "is in a folio marked PG_readahead: "
				  "asynchronous read-ahead",
			ev->value, ev->value + ev->len);
		folio_order_text(out, ev);
		break;
	case NOTE_BRK_FAILED:
		sb_addf(out, "do_brk_flags: %s: keep %lx",
			strerrorname_np((int)-(long)ev->len), ev->value);
		break;
	case NOTE_OOM_KILL:
		sb_addf(out,
			"out_of_memory(fault at %lx): no memory left: Killed "
			"process %lu (oom_badness %lu pages)",
			ev->addr, ev->value, ev->len);
		break;
	}
}

/* "mlock_fixup: vma 200000000000-200000004000: +VM_LOCKED" */
static void vma_flags_text(const struct vmalab_event *ev, struct strbuf *out)
{
	sb_addf(out, "%s: vma %lx-%lx:", ev->fn, VMA_RANGE(ev));
	for (int bit = 0; bit < 64; bit++) {
		unsigned long f = 1UL << bit;
		const char *name = vm_flag_name(f);

		if (!(ev->diff & f))
			continue;
		if (name)
			sb_addf(out, " %c%s", ev->flags & f ? '+' : '-', name);
		else
			sb_addf(out, " %cbit%d", ev->flags & f ? '+' : '-', bit);
	}
}

/*
 * A page a user access faulted in (depth 0: a touch or read; populate's
 * faults are summed up by its populate_vma_page_range line).
 */
static void fault_text(const struct vmalab_event *ev, struct strbuf *out)
{
	static const struct {
		const char *fn;
		int code;  /* -1: any */
		bool page; /* name the file page first */
		const char *what;
	} words[] = {
		{"do_anonymous_page", PAGE_ZERO, false,
		 "a read: the shared zero page, no anon_vma"},
		{"do_anonymous_page", -1, false, "a new anonymous page"},
		{"do_read_fault", -1, true, "mapped read-only"},
		{"do_shared_fault", -1, true, "mapped shared"},
		{"do_cow_fault", -1, true, "a private anonymous copy of it"},
		{"do_wp_page", -1, false,
		 "a write to a page mapped read-only (the zero page or the "
		 "page cache): wp_page_copy gives a private anonymous copy"},
		{"wp_page_copy", -1, false,
		 "a write to a page shared since fork: the writer gets its "
		 "own copy"},
		{"handle_pte_fault", -1, false,
		 "a write makes a lazily freed page dirty again"},
	};

	if (ev->depth || !ev->fn)
		return;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcmp(ev->fn, words[i].fn) ||
		    (words[i].code >= 0 && words[i].code != ev->code))
			continue;
		sb_addf(out, "%s(%lx): ", ev->fn, ev->addr);
		if (words[i].page)
			sb_addf(out, "page %#lx of the file, ", FILE_INDEX(ev));
		sb_puts(out, words[i].what);
		return;
	}
}

void trace_event_text(const struct vmalab_event *ev, struct strbuf *out)
{
	size_t mark = out->len;

	sb_addf(out, "# %*s", 2 * ev->depth, "");
	switch (ev->kind) {
	case EV_ENTER:
		enter(ev, out);
		break;
	case EV_MERGE:
		merge_case(ev, out);
		break;
	case EV_NOMERGE:
		sb_puts(out, "no merge: ");
		veto_text(out, (enum merge_veto)ev->code, 0, 0, 0);
		break;
	case EV_VETO:
	case EV_CAN_MERGE:
		verdict(ev, out);
		break;
	case EV_VMA_NEW:
		if (ev->code == VMA_FROM_MMAP)
			sb_addf(out,
				"__mmap_new_vma: new vma %lx-%lx pgoff %#lx",
				VMA_RANGE(ev), ev->pgoff);
		else if (ev->code == VMA_FROM_EXEC)
			sb_addf(out, "%s: new vma %lx-%lx", ev->fn,
				VMA_RANGE(ev));
		else if (ev->code == VMA_FROM_BRK)
			sb_addf(out, "do_brk_flags: new vma %lx-%lx pgoff %#lx",
				VMA_RANGE(ev), ev->pgoff);
		else if (ev->code == VMA_FROM_GIVEN)
			sb_addf(out, "given: vma %lx-%lx pgoff %#lx",
				VMA_RANGE(ev), ev->pgoff);
		else if (ev->code == VMA_FROM_MREMAP)
			sb_addf(out,
				"copy_vma: no merge: new vma %lx-%lx pgoff "
				"%#lx",
				VMA_RANGE(ev), ev->pgoff);
		break;
	case EV_VMA_CHANGE:
		if (ev->code == VMA_CHANGE_MERGE)
			sb_addf(out,
				"commit_merge: vma %lx-%lx becomes %lx-%lx "
				"pgoff %#lx",
				OTHER_RANGE(ev), VMA_RANGE(ev), ev->pgoff);
		else if (ev->code == VMA_CHANGE_ADJUST)
			sb_addf(out,
				"commit_merge: vma %lx-%lx now starts at %lx "
				"pgoff %#lx",
				OTHER_RANGE(ev), ev->start, ev->pgoff);
		break;
	case EV_VMA_FREE:
		if (ev->code == VMA_GONE_MERGE)
			sb_addf(out, "vma_complete: remove vma %lx-%lx",
				VMA_RANGE(ev));
		else if (ev->code == VMA_GONE_MUNMAP)
			sb_addf(out, "remove_vma(vma %lx-%lx)", VMA_RANGE(ev));
		break;
	case EV_LOCK:
		sb_addf(out, "vma_start_write(vma %lx-%lx)", VMA_RANGE(ev));
		break;
	case EV_ANON_VMA:
		anon_op(ev, out);
		break;
	case EV_NOTE:
		note(ev, out);
		break;
	case EV_VMA_FLAGS:
		vma_flags_text(ev, out);
		break;
	case EV_FAULT:
		fault_text(ev, out);
		break;
	case EV_LEAVE:
	case EV_ZAP:
		break;
	}
	/* Nothing said: take the prefix back. */
	if (out->len == mark + 2 + 2 * (size_t)ev->depth) {
		out->len = mark;
		if (out->buf)
			out->buf[mark] = '\0';
		return;
	}
	sb_puts(out, "\n");
}

void trace_text_observer(void *arg, const struct vmalab_event *ev)
{
	trace_event_text(ev, arg);
}
