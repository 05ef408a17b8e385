/*
 * procfs.c - the engine's state printed as /proc/PID/maps and smaps print
 * it (fs/proc/task_mmu.c: show_map_vma, show_smap, show_smap_vma_flags).
 */
#include <stdio.h>
#include <stdlib.h>
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
	for (int i = 0; i < 64; i++) {
		if (!(flags & (1UL << i)))
			continue;
		sb_addf(out, "%s ", mnemonics[i] ? mnemonics[i] : "??");
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

/* show_vma_header_prefix() then seq_pad() to column 73 for the name. */
void show_map_vma(const struct vma *v, struct strbuf *out)
{
	unsigned long long pgoff = 0;
	unsigned long ino;
	unsigned major, minor;
	size_t start = out->len;

	vma_dev_ino(v, &major, &minor, &ino);
	if (v->vm_file)
		pgoff = (unsigned long long)v->vm_pgoff << PAGE_SHIFT;
	sb_addf(out, "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu ", v->vm_start,
		v->vm_end, v->vm_flags & VM_READ ? 'r' : '-',
		v->vm_flags & VM_WRITE ? 'w' : '-',
		v->vm_flags & VM_EXEC ? 'x' : '-',
		v->vm_flags & VM_MAYSHARE ? 's' : 'p', pgoff, major, minor,
		ino);
	if (v->vm_file) {
		while (out->len - start < 72)
			sb_puts(out, " ");
		sb_puts(out, " ");
		if (v->vm_file->inode->shmem)
			sb_puts(out, "/dev/zero (deleted)");
		else
			sb_puts(out, v->vm_file->path);
	}
	sb_puts(out, "\n");
}

static void smap_field(struct strbuf *out, const char *name, unsigned long kb)
{
	sb_addf(out, "%-16s%8lu kB\n", name, kb);
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
	sb_puts(out, "VmFlags: ");
	vm_flags_mnemonics(v->vm_flags, out);
	sb_puts(out, "\n");
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
