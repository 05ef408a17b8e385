/*
 * procfs.h - printing VMAs as /proc/PID/maps and smaps do.
 */
#ifndef VMALAB_PROCFS_H
#define VMALAB_PROCFS_H

#include <stdbool.h>
#include "strbuf.h"
#include "vma.h"

void show_map_vma(const struct vma *v, struct strbuf *out);
void show_smap(const struct vma *v, struct strbuf *out);
void show_maps(const struct mm *mm, bool smaps, struct strbuf *out);
/* The smaps mnemonic of one vm_flags bit ("rd"), or NULL. */
const char *vm_flag_mnemonic(int bit);
/* "rd wr mr mw me ac " */
void vm_flags_mnemonics(unsigned long flags, struct strbuf *out);
/* The smaps fields vmalab prints, in order, NULL-terminated. */
extern const char *const smaps_fields[];

#endif
