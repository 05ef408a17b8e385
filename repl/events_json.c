/*
 * events_json.c - one JSON object per engine event.  Addresses, lengths
 * and flags are "0x..." strings (a JSON number cannot hold every 64-bit
 * value); ids, depth and counts are numbers; fields an event does not use
 * are left out.
 */
#include "events_json.h"
#include "trace_text.h"

#define NAME(table, i)                                                   \
	((i) >= 0 && (size_t)(i) < sizeof(table) / sizeof((table)[0]) && \
			 (table)[i]                                      \
		 ? (table)[i]                                            \
		 : "?")

static const char *const kinds[] = {
	[EV_ENTER] = "enter",	      [EV_LEAVE] = "leave",
	[EV_MERGE] = "merge",	      [EV_NOMERGE] = "nomerge",
	[EV_VETO] = "veto",	      [EV_CAN_MERGE] = "can_merge",
	[EV_VMA_NEW] = "vma_new",     [EV_VMA_CHANGE] = "vma_change",
	[EV_VMA_FLAGS] = "vma_flags", [EV_VMA_FREE] = "vma_free",
	[EV_LOCK] = "lock",	      [EV_ANON_VMA] = "anon_vma",
	[EV_FAULT] = "fault",	      [EV_ZAP] = "zap",
	[EV_NOTE] = "note",
};

static const char *const merge_cases[] = {
	[MERGE_NEW_EXPAND_PREV] = "new_expand_prev",
	[MERGE_NEW_EXPAND_NEXT] = "new_expand_next",
	[MERGE_NEW_EXPAND_BOTH] = "new_expand_both",
	[MERGE_EXISTING_BOTH] = "existing_both",
	[MERGE_EXISTING_LEFT_FULL] = "existing_left_full",
	[MERGE_EXISTING_LEFT_PART] = "existing_left_partial",
	[MERGE_EXISTING_RIGHT_FULL] = "existing_right_full",
	[MERGE_EXISTING_RIGHT_PART] = "existing_right_partial",
};

static const char *const vetoes[] = {
	[VETO_NONE] = "none",
	[VETO_FLAGS] = "flags",
	[VETO_FILE_ANON] = "file_vs_anon",
	[VETO_FILE_INODE] = "different_files",
	[VETO_FILE_STRUCT] = "different_struct_file",
	[VETO_SRC_FORK_CHILD] = "source_fork_child",
	[VETO_COPIED_FORK_CHILD] = "copied_from_fork_child",
	[VETO_TGT_FORK_CHILD] = "target_fork_child",
	[VETO_ANON_VMA] = "anon_vma_differs",
	[VETO_PGOFF] = "pgoff",
	[VETO_PREV_NEXT_ANON] = "prev_next_anon_vma",
	[VETO_SPECIAL] = "vm_special",
	[VETO_NO_NEIGHBOUR] = "no_neighbour",
	[VETO_INCOMPATIBLE] = "no_compatible_neighbour",
	[VETO_INSIDE] = "inside",
	[VETO_NOT_ADJACENT] = "not_adjacent",
};

static const char *const origins[] = {
	[VMA_FROM_MMAP] = "mmap",   [VMA_FROM_SPLIT] = "split",
	[VMA_FROM_FORK] = "fork",   [VMA_FROM_EXEC] = "exec",
	[VMA_FROM_GIVEN] = "given", [VMA_FROM_MREMAP] = "mremap",
	[VMA_FROM_BRK] = "brk",
};

static const char *const changes[] = {
	[VMA_CHANGE_MERGE] = "merge",
	[VMA_CHANGE_ADJUST] = "adjust",
	[VMA_CHANGE_SPLIT] = "split",
	[VMA_CHANGE_STACK] = "stack",
};

static const char *const gones[] = {
	[VMA_GONE_MERGE] = "merge",
	[VMA_GONE_MUNMAP] = "munmap",
	[VMA_GONE_EXIT] = "exit",
};

static const char *const anon_ops[] = {
	[AV_PREPARE_NEW] = "prepare_new",
	[AV_PREPARE_REUSE] = "prepare_reuse",
	[AV_CLONE_REUSE] = "clone_reuse",
	[AV_FORK_NEW] = "fork_new",
	[AV_DUP] = "dup",
	[AV_UNLINK] = "unlink",
	[AV_LINK] = "link",
	[AV_FREE] = "free",
	[AV_MOVE_RMAP] = "move_rmap",
};

static const char *const page_kinds[] = {
	[PAGE_FILE] = "file",
	[PAGE_ANON] = "anon",
	[PAGE_ZERO] = "zero",
	[PAGE_LAZYFREE] = "lazyfree",
	[PAGE_GUARD] = "guard",
	[PAGE_NOT_UPTODATE] = "not_uptodate",
};

static const char *const notes[] = {
	[NOTE_TRUNCATE] = "truncate",
	[NOTE_DUP_SKIP_DONTCOPY] = "dup_skip_dontcopy",
	[NOTE_STACK_GUARD_GAP] = "stack_guard_gap",
	[NOTE_STACK_RLIMIT] = "stack_rlimit",
	[NOTE_STACK_EXPAND] = "stack_expand",
	[NOTE_SIGBUS_EOF] = "sigbus_eof",
	[NOTE_NOT_WRITABLE] = "not_writable",
	[NOTE_POPULATE_PROT_NONE] = "populate_prot_none",
	[NOTE_POPULATE] = "populate",
	[NOTE_HINT_FREE] = "hint_free",
	[NOTE_HINT_UNUSABLE] = "hint_unusable",
	[NOTE_NOREPLACE_EEXIST] = "noreplace_eexist",
	[NOTE_FLAGS_UNCHANGED] = "flags_unchanged",
	[NOTE_CHARGE] = "charge",
	[NOTE_UNCHARGE] = "uncharge",
	[NOTE_MPROTECT_HOLE] = "mprotect_hole",
	[NOTE_MPROTECT_EACCES] = "mprotect_eacces",
	[NOTE_MPROTECT_END_HOLE] = "mprotect_end_hole",
	[NOTE_PREV_APART] = "prev_apart",
	[NOTE_NEXT_APART] = "next_apart",
	[NOTE_NO_PREV_TOUCHING] = "no_prev_touching",
	[NOTE_NO_NEXT_TOUCHING] = "no_next_touching",
	[NOTE_MERGE_NOMEM] = "merge_nomem",
	[NOTE_SPLIT_DONE] = "split_done",
	[NOTE_SPLIT_MAX_MAP_COUNT] = "split_max_map_count",
	[NOTE_GATHER_MAX_MAP_COUNT] = "gather_max_map_count",
	[NOTE_GATHER_DETACHED] = "gather_detached",
	[NOTE_MUNMAP_NOTHING] = "munmap_nothing",
	[NOTE_HUGETLB_NOMEM] = "hugetlb_nomem",
	[NOTE_OVERCOMMIT] = "overcommit",
	[NOTE_FORK_EAGAIN] = "fork_eagain",
	[NOTE_VM_SYNC] = "vm_sync",
	[NOTE_SHMEM_SETUP] = "shmem_setup",
	[NOTE_OOM_KILL] = "oom_kill",
	[NOTE_EXEC_NO_ELF] = "exec_elf_not_modelled",
	[NOTE_CLOSE_ON_EXEC] = "close_on_exec",
	[NOTE_MREMAP_REFUSED] = "mremap_refused",
	[NOTE_MREMAP_NOOP] = "mremap_noop",
	[NOTE_MREMAP_SHRINK] = "mremap_shrink",
	[NOTE_MREMAP_IN_PLACE] = "mremap_expand_in_place",
	[NOTE_MREMAP_NOT_IN_PLACE] = "mremap_not_in_place",
	[NOTE_MREMAP_FIXED_UNMAP] = "mremap_fixed_unmap",
	[NOTE_MREMAP_NEW_ADDR] = "mremap_new_addr",
	[NOTE_MREMAP_MULTI] = "mremap_multi",
	[NOTE_COPY_VMA_PGOFF] = "copy_vma_pgoff",
	[NOTE_COPY_VMA_MERGED] = "copy_vma_merged",
	[NOTE_MOVE_PAGE_TABLES] = "move_page_tables",
	[NOTE_DONTUNMAP_COMPLETE] = "dontunmap_complete",
	[NOTE_MREMAP_UNACCOUNT] = "mremap_unaccount",
	[NOTE_MREMAP_POPULATE] = "mremap_populate",
	[NOTE_SEALED] = "sealed",
	[NOTE_MSEAL_UNMAPPED] = "mseal_unmapped",
	[NOTE_MADV_HOLE] = "madvise_hole",
	[NOTE_MADV_REFUSED] = "refused",
	[NOTE_MADV_UNKNOWN] = "madvise_unknown",
	[NOTE_MADV_LAZYFREE] = "madvise_lazyfree",
	[NOTE_MADV_POPULATE] = "madvise_populate",
	[NOTE_POPULATE_HOLE] = "populate_hole",
	[NOTE_POPULATE_EFAULT] = "populate_efault",
	[NOTE_GUARD_INSTALL] = "guard_install",
	[NOTE_GUARD_REMOVE] = "guard_remove",
	[NOTE_GUARD_FAULT] = "guard_fault",
	[NOTE_COLLAPSE_NOTHING] = "collapse_nothing",
	[NOTE_COLLAPSE_EMPTY] = "collapse_empty",
	[NOTE_MLOCK_HOLE] = "mlock_hole",
	[NOTE_DEF_FLAGS] = "def_flags",
	[NOTE_PRCTL_NO_ANON_NAME] = "prctl_no_anon_vma_name",
	[NOTE_BRK_BELOW_MIN] = "brk_below_min",
	[NOTE_BRK_SAME_PAGE] = "brk_same_page",
	[NOTE_BRK_SHRINK_NOTHING] = "brk_shrink_nothing",
	[NOTE_BRK_LIMITS] = "brk_limits",
	[NOTE_BRK_NEXT_TOO_CLOSE] = "brk_next_too_close",
	[NOTE_BRK_FAILED] = "brk_failed",
	[NOTE_NOT_ACCESSIBLE] = "not_accessible",
	[NOTE_FAULT_AROUND] = "fault_around",
	[NOTE_READ_AROUND] = "read_around",
	[NOTE_ASYNC_READAHEAD] = "async_readahead",
};

const char *ev_kind_name(enum ev_kind k)
{
	return NAME(kinds, (int)k);
}

const char *ev_code_name(enum ev_kind k, int code)
{
	switch (k) {
	case EV_ENTER:
	case EV_LEAVE:
		return ev_fn_name((enum ev_fn)code);
	case EV_MERGE:
		return NAME(merge_cases, code);
	case EV_NOMERGE:
	case EV_VETO:
		return NAME(vetoes, code);
	case EV_VMA_NEW:
		return NAME(origins, code);
	case EV_VMA_CHANGE:
		return NAME(changes, code);
	case EV_VMA_FREE:
		return NAME(gones, code);
	case EV_ANON_VMA:
		return NAME(anon_ops, code);
	case EV_FAULT:
		return NAME(page_kinds, code);
	case EV_NOTE:
		return NAME(notes, code);
	case EV_CAN_MERGE:
	case EV_VMA_FLAGS:
	case EV_LOCK:
	case EV_ZAP:
		break;
	}
	return NULL;
}

static void hex(struct strbuf *out, const char *key, unsigned long v)
{
	sb_addf(out, ",\"%s\":\"%#lx\"", key, v);
}

static void num(struct strbuf *out, const char *key, unsigned long v)
{
	sb_addf(out, ",\"%s\":%lu", key, v);
}

void event_json(const struct vmalab_event *ev, struct strbuf *out)
{
	const char *code = ev_code_name(ev->kind, ev->code);

	sb_addf(out, "{\"event\":\"%s\"", ev_kind_name(ev->kind));
	if (code)
		sb_addf(out, ",\"code\":\"%s\"", code);
	if (ev->fn)
		sb_addf(out, ",\"fn\":\"%s\"", ev->fn);
	num(out, "depth", (unsigned long)ev->depth);
	num(out, "pid", (unsigned long)ev->pid);
	if (ev->vma) {
		num(out, "vma", ev->vma);
		hex(out, "start", ev->start);
		hex(out, "end", ev->end);
		hex(out, "pgoff", ev->pgoff);
	}
	if (ev->other)
		num(out, "other", ev->other);
	if (ev->other || ev->kind == EV_VMA_CHANGE) {
		hex(out, "ostart", ev->ostart);
		hex(out, "oend", ev->oend);
		hex(out, "opgoff", ev->opgoff);
	}
	if (ev->addr)
		hex(out, "addr", ev->addr);
	if (ev->len)
		hex(out, "len", ev->len);
	if (ev->value)
		num(out, "value", ev->value);
	if (ev->av)
		num(out, "av", ev->av);
	if (ev->av2)
		num(out, "av2", ev->av2);
	if (ev->flags && ev->kind == EV_ENTER && ev->code == FN_DO_MREMAP) {
		hex(out, "flags", ev->flags);
		sb_puts(out, ",\"flag_names\":\"");
		mremap_flag_list(out, ev->flags);
		sb_puts(out, "\"");
	} else if (ev->flags) {
		hex(out, "flags", ev->flags);
		sb_puts(out, ",\"flag_names\":\"");
		vm_flag_list(out, ev->flags);
		sb_puts(out, "\"");
	}
	if (ev->diff) {
		hex(out, "diff", ev->diff);
		sb_puts(out, ",\"diff_names\":\"");
		vm_flag_list(out, ev->diff);
		sb_puts(out, "\"");
	}
	sb_puts(out, "}\n");
}

void events_json_observer(void *arg, const struct vmalab_event *ev)
{
	event_json(ev, arg);
}
