/*
 * procfs.h - printing VMAs as /proc/PID/maps and smaps do.
 */
#ifndef VMALAB_PROCFS_H
#define VMALAB_PROCFS_H

#include <stdbool.h>
#include "strbuf.h"
#include "vma.h"

/* The name maps prints for v ("" for none); *deleted: add " (deleted)". */
const char *vma_name(const struct vma *v, bool *deleted);
void show_map_vma(const struct vma *v, struct strbuf *out);
void show_smap(const struct vma *v, struct strbuf *out);
void show_maps(const struct mm *mm, bool smaps, struct strbuf *out);
/*
 * The memory lines of /proc/PID/status (fs/proc/task_mmu.c task_mem, and
 * hugetlb_report_usage), in its format and order.
 */
void show_status(const struct mm *mm, struct strbuf *out);
/* Their names, in order, NULL-terminated ("VmPeak", ...). */
extern const char *const status_fields[];
/* The smaps mnemonic of one vm_flags bit ("rd"), or NULL. */
const char *vm_flag_mnemonic(int bit);
/* "rd wr mr mw me ac " */
void vm_flags_mnemonics(unsigned long flags, struct strbuf *out);
/* Reading maps lines back (verify compares the kernel's with ours). */
/* "200000000000-...": a maps line; its start address in *start. */
bool maps_line_start(const char *line, size_t len, unsigned long *start);
/* Where field n (0: range, 1: perms, 2: offset, 3: dev, 4: inode) ends. */
size_t maps_field_end(const char *line, size_t len, int n);
/* Where the name starts (after the inode and seq_pad's padding). */
size_t maps_name_offset(const char *line, size_t len);

/* The smaps fields vmalab prints, in order, NULL-terminated. */
extern const char *const smaps_fields[];

#endif
