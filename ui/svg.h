/*
 * svg.h - the address-space map as an SVG drawing (`draw FILE.svg`).
 */
#ifndef VMALAB_UI_SVG_H
#define VMALAB_UI_SVG_H

#include <stdio.h>
#include "layout.h"

/* The bands of L as an SVG document, with a title, the step's summary
 * and the legend. */
void svg_write(FILE *f, const struct map_layout *L, const struct mm_snap *snap,
	       const char *title, const char *summary);

#endif
