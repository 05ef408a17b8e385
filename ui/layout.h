/*
 * layout.h - the address-space map as bands: a pure function from a
 * snapshot of one process (repl/model.h) and the size of the space it
 * is drawn in to a list of bands, high addresses at the top as procmap
 * draws them, every gap collapsed into one marked "gap (N GiB)" band.
 *
 * Nothing here draws.  The ncurses map pane, `draw FILE.svg` and the
 * golden tests all read the same bands and the same row text
 * (map_layout_row), so what a test checks is what a user sees.  The
 * layout is made once per step or resize, in O(VMAs); a frame reads only
 * the rows it shows (map_layout_band_at_row is a binary search).
 */
#ifndef VMALAB_UI_LAYOUT_H
#define VMALAB_UI_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include "model.h"

/* What a VMA looks like: its colour in the UI and in drawings. */
enum vma_look {
	LOOK_ANON,    /* private anonymous (heap, stack, mmap) */
	LOOK_FILE,    /* private file */
	LOOK_SHARED,  /* VM_SHARED: shared file or shmem */
	LOOK_SPECIAL, /* VM_SPECIAL, [vdso], [vvar]... */
	LOOK_LOCKED,  /* VM_LOCKED or VM_LOCKONFAULT */
	LOOK_SEALED,  /* mseal()ed */
	LOOK_GAP,     /* unmapped */
	LOOK__COUNT
};

/*
 * The one theme table: each look's letter (for monochrome and the
 * legend), its name, its ncurses colour number (COLOR_*: 0-7) and its
 * colour in an SVG drawing.
 */
struct look_style {
	char letter;
	const char *name;
	int curses_colour;
	const char *rgb;
};
extern const struct look_style look_styles[LOOK__COUNT];

enum vma_look vma_look_of(const struct vma_snap *v);

/* A band's mark from the last step's difference. */
enum band_mark {
	MARK_NONE = ' ',
	MARK_NEW = '+',	    /* the VMA appeared in the step */
	MARK_CHANGED = '~', /* the VMA changed (range, flags, pages...) */
	MARK_REMOVED = '-', /* a gap where a VMA was removed */
};

enum band_kind { BAND_VMA, BAND_GAP };

struct band {
	enum band_kind kind;
	size_t vma; /* BAND_VMA: index in the snapshot's v[] */
	unsigned long start, end;
	int row, height; /* first row from the top, and how many */
	enum vma_look look;
	char mark;     /* enum band_mark */
	bool in_range; /* inside the range the last call covered */
};

/* The top of the user address space (x86-64, 4-level: TASK_SIZE). */
#define MAP_TOP 0x7ffffffff000UL
/* The narrowest a map is drawn; below it rows are cut at the right. */
#define MAP_MIN_WIDTH 30
/* The most rows one band takes, however large, before the zoom. */
#define BAND_MAX_HEIGHT 4
/* With rows to spare, VMA bands are up to this many times as tall. */
#define BAND_ZOOM 3

struct map_layout {
	struct band *b; /* top to bottom: descending addresses */
	size_t n, cap;
	size_t *band_of; /* band_of[i]: the band of snapshot VMA i */
	size_t nvmas;
	int rows;  /* all bands' rows */
	int width; /* the columns each row text takes */
};

/*
 * Lay out snap (in address order) for a space of width x height: every
 * VMA a band and every gap between them (and below the first, and up to
 * MAP_TOP above the last) one gap band.  When every band fits in height
 * rows at its scaled height (1 row for a page, one more for each factor
 * of 8 up to BAND_MAX_HEIGHT), bands take that height, and VMA bands
 * are made up to BAND_ZOOM times as tall while they still fit; otherwise
 * one row each and the map scrolls.  diff (may be NULL) marks the last step's
 * VMAs.  L is reused: map_layout_free() at the end.
 */
void map_layout_build(struct map_layout *L, const struct mm_snap *snap,
		      const struct mm_diff *diff, int width, int height);
void map_layout_free(struct map_layout *L);
/*
 * Mark the bands that [start, end) touches, the range the last call
 * covered (mmap's new mapping, munmap's or mprotect's range): their bars
 * are drawn '[' and ']'.
 */
void map_layout_mark_range(struct map_layout *L, unsigned long start,
			   unsigned long end);
/* The band that holds row (0 <= row < L->rows). */
size_t map_layout_band_at_row(const struct map_layout *L, int row);
/*
 * Row row of the map as text, L->width columns and a NUL, into buf (at
 * least L->width + 1 bytes):
 *
 *     ADDRESS      M|perms size name      fault|
 *
 * the start address on a band's last row (a gap's start on its row), M
 * the band's mark, then the band between bars ('~' for a gap, '[' and
 * ']' for a band in the last call's range).
 */
void map_layout_row(const struct map_layout *L, const struct mm_snap *snap,
		    int row, char *buf);
/* The whole map as text, one row a line (the golden tests). */
char *map_layout_text(const struct map_layout *L, const struct mm_snap *snap);

/*
 * Bring snap up to date with d, a difference of the same process from
 * snap's state (model_step's): the removed VMAs out, the changed and new
 * ones in, in address order, without reading the machine (so a step's
 * cost is copying the array, not a page count of every VMA).  0, or -1
 * if d does not fit snap (snap is then unchanged: take it again).
 */
int mm_snap_apply(struct mm_snap *snap, const struct mm_diff *d);

/* "4k", "1.5M", "128T": a size as the map prints it. */
void map_size_str(unsigned long bytes, char *buf, size_t n);
/* How much of a VMA is faulted in, as n marks of '#' and '.' (faulted
 * pages, rounded up: one page shows). */
void fault_marks(const struct vma_snap *v, char *buf, int n);

/*
 * One line that says what a step did to the VMAs, from its difference:
 * "split 1 -> 3", "merged prev + new + next", "moved 0x... -> 0x...",
 * "new vma#4", "removed vma#2"..., or "" when nothing changed.
 */
void diff_summary(const struct mm_diff *d, char *buf, size_t n);
/*
 * The same, knowing the system call that made the step (its number, or
 * -1): a VMA that mremap grew or shrank in place "grew" or "shrank"
 * rather than merged with a new range.
 */
void diff_summary_call(const struct mm_diff *d, int nr, char *buf, size_t n);

#endif
