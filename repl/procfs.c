/*
 * procfs.c - the engine's state printed as /proc/PID/maps and smaps print
 * it (fs/proc/task_mmu.c: show_map_vma, show_smap, show_smap_vma_flags).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine.h"
#include "procfs.h"
#include "tree.h"

/* show_smap_vma_flags(): one mnemonic per bit, in bit order. */
static const char *const mnemonics[64] = {
	[0] = "rd",  [1] = "wr",  [2] = "ex",  [3] = "sh",  [4] = "mr",
	[5] = "mw",  [6] = "me",  [7] = "ms",  [8] = "gd",  [9] = "um",
	[10] = "pf", [11] = "gu", [12] = "uw", [13] = "lo", [14] = "io",
	[15] = "sr", [16] = "rr", [17] = "dc", [18] = "de", [19] = "lf",
	[20] = "ac", [21] = "nr", [22] = "ht", [23] = "sf", [24] = "ar",
	[25] = "wf", [26] = "dd", [27] = "sd", [28] = "mm", [29] = "hg",
	[30] = "nh", [31] = "mg", [37] = "ss", [38] = "ui", [40] = "dp",
	[42] = "sl",
};

const char *vm_flag_mnemonic(int bit)
{
	return bit >= 0 && bit < 64 ? mnemonics[bit] : NULL;
}

void vm_flags_mnemonics(unsigned long flags, struct strbuf *out)
{
	for (int i = 0; flags; i++, flags >>= 1) {
		const char *m = mnemonics[i] ? mnemonics[i] : "??";

		if (!(flags & 1))
			continue;
		sb_grow(out, 3);
		out->buf[out->len++] = m[0];
		out->buf[out->len++] = m[1];
		out->buf[out->len++] = ' ';
		out->buf[out->len] = '\0';
	}
}

/* The simulated dev:inode; verify ignores these fields. */
static void vma_dev_ino(const struct vma *v, unsigned *major, unsigned *minor,
			unsigned long *ino)
{
	*major = *minor = 0;
	*ino = 0;
	if (!v->vm_file)
		return;
	if (v->vm_file->inode->shmem) {
		*minor = 1;
	} else {
		*major = 0xfe;
	}
	*ino = v->vm_file->inode->ino;
}

/*
 * get_vma_name() (fs/proc/task_mmu.c): the file's path (" (deleted)"
 * when it is unlinked), a special mapping's name, then [heap] and
 * [stack] by the mm's brk area and start_stack; "" for none.
 */
const char *vma_name(const struct vma *v, bool *deleted)
{
	static const char *const specials[] = {
		[VMA_SPECIAL_VVAR] = "[vvar]",
		[VMA_SPECIAL_VVAR_VCLOCK] = "[vvar_vclock]",
		[VMA_SPECIAL_VDSO] = "[vdso]",
		[VMA_SPECIAL_RESERVED] = "[reserved]",
	};
	const struct mm *mm = v->mm;

	*deleted = false;
	if (v->vm_file) {
		if (v->vm_file->inode->shmem)
			return "/dev/zero (deleted)";
		*deleted = v->vm_file->inode->unlinked;
		return v->vm_file->path;
	}
	if (v->special)
		return specials[v->special];
	/* vma_is_initial_heap(), vma_is_initial_stack() */
	if (v->vm_start < mm->brk && v->vm_end > mm->start_brk)
		return "[heap]";
	if (mm->start_stack && v->vm_start <= mm->start_stack &&
	    v->vm_end >= mm->start_stack)
		return "[stack]";
	return "";
}

/*
 * show_vma_header_prefix(): "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu ",
 * written by hand; then seq_pad() to column 73 for the name.
 */
void show_map_vma(const struct vma *v, struct strbuf *out)
{
	unsigned long pgoff = 0, ino;
	unsigned major, minor;
	size_t start = out->len;
	char *p;
	bool deleted;
	const char *name = vma_name(v, &deleted);

	vma_dev_ino(v, &major, &minor, &ino);
	if (v->vm_file)
		pgoff = v->vm_pgoff << PAGE_SHIFT;
	sb_addx_pad(out, v->vm_start, 8);
	sb_addc(out, '-');
	sb_addx_pad(out, v->vm_end, 8);
	sb_grow(out, 6);
	p = out->buf + out->len;
	p[0] = ' ';
	p[1] = v->vm_flags & VM_READ ? 'r' : '-';
	p[2] = v->vm_flags & VM_WRITE ? 'w' : '-';
	p[3] = v->vm_flags & VM_EXEC ? 'x' : '-';
	p[4] = v->vm_flags & VM_MAYSHARE ? 's' : 'p';
	p[5] = ' ';
	out->len += 6;
	sb_addx_pad(out, pgoff, 8);
	sb_addc(out, ' ');
	sb_addx_pad(out, major, 2);
	sb_addc(out, ':');
	sb_addx_pad(out, minor, 2);
	sb_addc(out, ' ');
	sb_addu(out, ino);
	sb_addc(out, ' ');
	if (*name) {
		while (out->len - start < 72)
			sb_addc(out, ' ');
		sb_addc(out, ' ');
		sb_puts(out, name);
		if (deleted)
			sb_puts(out, " (deleted)");
	}
	sb_addc(out, '\n');
}

/* "%-16s%8lu kB\n": the name is never longer than 16. */
static void smap_field(struct strbuf *out, const char *name, unsigned long kb)
{
	size_t n = strlen(name);

	sb_add(out, name, n);
	while (n++ < 16)
		sb_addc(out, ' ');
	sb_addu_pad(out, kb, 8);
	sb_add(out, " kB\n", 4);
}

void show_smap(const struct vma *v, struct strbuf *out)
{
	unsigned long rss, anon;

	show_map_vma(v, out);
	vma_page_counts(v, &rss, &anon);
	smap_field(out, "Size:", (v->vm_end - v->vm_start) >> 10);
	smap_field(out, "KernelPageSize:", PAGE_SIZE >> 10);
	smap_field(out, "MMUPageSize:", PAGE_SIZE >> 10);
	smap_field(out, "Rss:", rss * (PAGE_SIZE >> 10));
	smap_field(out, "Anonymous:", anon * (PAGE_SIZE >> 10));
	sb_add(out, "VmFlags: ", 9);
	vm_flags_mnemonics(v->vm_flags, out);
	sb_addc(out, '\n');
}

const char *const smaps_fields[] = {
	"Size:",      "KernelPageSize:", "MMUPageSize:", "Rss:",
	"Anonymous:", "VmFlags:",	 NULL,
};

void show_maps(const struct mm *mm, bool smaps, struct strbuf *out)
{
	const struct vma *v;

	vt_for_each(&mm->tree, v)
	{
		if (smaps)
			show_smap(v, out);
		else
			show_map_vma(v, out);
	}
}

static bool is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool maps_line_start(const char *line, size_t len, unsigned long *start)
{
	size_t i = 0;

	while (i < len && is_lower_hex(line[i]))
		i++;
	if (i == 0 || i >= len || line[i] != '-')
		return false;
	*start = strtoul(line, NULL, 16);
	return true;
}

size_t maps_field_end(const char *line, size_t len, int n)
{
	size_t i = 0;

	for (int field = 0; field <= n; field++) {
		if (field && i < len)
			i++; /* the space before the field */
		while (i < len && line[i] != ' ')
			i++;
	}
	return i;
}

size_t maps_name_offset(const char *line, size_t len)
{
	size_t i = maps_field_end(line, len, 4);

	while (i < len && line[i] == ' ')
		i++;
	return i;
}

const char *const status_fields[] = {
	"VmPeak",  "VmSize",  "VmLck",	  "VmPin",	  "VmHWM", "VmRSS",
	"RssAnon", "RssFile", "RssShmem", "VmData",	  "VmStk", "VmExe",
	"VmLib",   "VmPTE",   "VmSwap",	  "HugetlbPages", NULL,
};

/*
 * task_mem(): SEQ_PUT_DEC prints pages as kB, right-aligned in 8 columns
 * after a tab.  What the engine cannot know it prints as the kernel would
 * for a process with nothing else:
 *   VmExe   the ELF's text (end_code - start_code): no ELF is loaded, so
 *           0, and every executable mapping counts in VmLib;
 *   VmPTE   the engine's PTE tables only (its page table frees a table
 *           when its last page goes, where free_pgtables() keeps it while
 *           a VMA covers its range, and it counts no PMD or PUD tables);
 *   VmPin   0: nothing here pins pages (io_uring, RDMA);
 *   VmSwap, HugetlbPages: 0, no swap and no huge pages.
 */
void show_status(const struct mm *mm, struct strbuf *out)
{
	unsigned long anon, file, shmem, rss, hiwater_vm, hiwater_rss;
	unsigned long text = 0, lib;
	const unsigned long v[] = {
		0, /* VmPeak, below */
		mm->total_vm,
		mm->locked_vm,
		mm->pinned_vm,
		0, /* VmHWM */
		0, /* VmRSS */
		0, /* RssAnon */
		0, /* RssFile */
		0, /* RssShmem */
		mm->data_vm,
		mm->stack_vm,
		0, /* VmExe */
		0, /* VmLib */
		mm->pages.tables,
		0, /* VmSwap */
		0, /* HugetlbPages */
	};
	unsigned long val[16];

	mm_rss_counters(mm, &anon, &file, &shmem);
	rss = anon + file + shmem;
	hiwater_vm =
		mm->hiwater_vm > mm->total_vm ? mm->hiwater_vm : mm->total_vm;
	hiwater_rss = mm->hiwater_rss > rss ? mm->hiwater_rss : rss;
	lib = mm->exec_vm - text;
	memcpy(val, v, sizeof(val));
	val[0] = hiwater_vm;
	val[4] = hiwater_rss;
	val[5] = rss;
	val[6] = anon;
	val[7] = file;
	val[8] = shmem;
	val[11] = text;
	val[12] = lib;
	for (int i = 0; status_fields[i]; i++) {
		sb_puts(out, status_fields[i]);
		sb_puts(out, ":\t");
		sb_addu_pad(out, val[i] << (PAGE_SHIFT - 10), 8);
		sb_puts(out, " kB\n");
	}
}
