/*
 * svg.c - `draw FILE.svg`: the current process's address space as an SVG
 * drawing for slides and notes, in the layout the UI's map pane uses
 * (layout.h: the same bands, colours and collapsed gaps), with the last
 * step's highlight when the front end keeps one (s->last_diff).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "handlers.h"
#include "layout.h"
#include "svg.h"

#define ROW_PX 22
#define MAP_X 130
#define MAP_W 580
#define TOP_PX 46
/* The rows a drawing may spend on scaled bands (the map scrolls past). */
#define SVG_ROWS 60

static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			/* Control bytes are not XML characters. */
			fputc((unsigned char)*s < 0x20 ? '?' : *s, f);
		}
	}
}

static const char *mark_stroke(char mark)
{
	switch (mark) {
	case MARK_NEW:
		return "stroke=\"#1a7f1a\" stroke-width=\"3\"";
	case MARK_CHANGED:
		return "stroke=\"#d9822b\" stroke-width=\"3\"";
	case MARK_REMOVED:
		return "stroke=\"#c0392b\" stroke-width=\"2\" "
		       "stroke-dasharray=\"6 3\"";
	default:
		return "stroke=\"#555555\" stroke-width=\"1\"";
	}
}

static void band_svg(FILE *f, const struct band *b, const struct mm_snap *snap)
{
	int y = TOP_PX + b->row * ROW_PX, h = b->height * ROW_PX;
	char size[32], label[160];

	map_size_str(b->end - b->start, size, sizeof(size));
	fprintf(f,
		"<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
		"fill=\"%s\" %s%s/>\n",
		MAP_X, y, MAP_W, h, look_styles[b->look].rgb,
		mark_stroke(b->mark),
		b->kind == BAND_GAP && b->mark == MARK_NONE
			? " stroke-dasharray=\"4 4\""
			: "");
	fprintf(f,
		"<text x=\"%d\" y=\"%d\" text-anchor=\"end\" "
		"class=\"addr\">%lx</text>\n",
		MAP_X - 8, y + h - 4, b->start);
	if (b->kind == BAND_GAP) {
		fprintf(f,
			"<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" "
			"class=\"gap\">gap (%s)</text>\n",
			MAP_X + MAP_W / 2, y + ROW_PX - 7, size);
		return;
	}
	{
		const struct vma_snap *v = &snap->v[b->vma];
		char perms[5] = {v->flags & VM_READ ? 'r' : '-',
				 v->flags & VM_WRITE ? 'w' : '-',
				 v->flags & VM_EXEC ? 'x' : '-',
				 v->flags & VM_MAYSHARE ? 's' : 'p', 0};
		char marks[17];

		snprintf(label, sizeof(label), "%s %s vma#%u %s", perms, size,
			 v->id, v->name);
		fprintf(f, "<text x=\"%d\" y=\"%d\">", MAP_X + 8,
			y + ROW_PX - 7);
		xml_text(f, label);
		fputs("</text>\n", f);
		fault_marks(v, marks, 16);
		fprintf(f,
			"<text x=\"%d\" y=\"%d\" text-anchor=\"end\" "
			"class=\"addr\">%s</text>\n",
			MAP_X + MAP_W - 6, y + ROW_PX - 7, marks);
	}
}

void svg_write(FILE *f, const struct map_layout *L, const struct mm_snap *snap,
	       const char *title, const char *summary)
{
	int legend_y = TOP_PX + L->rows * ROW_PX + 24;
	int height = legend_y + 2 * ROW_PX;

	fprintf(f,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%d\" viewBox=\"0 0 %d %d\">\n"
		"<style>text { font-family: monospace; font-size: 13px; "
		"fill: #111111; } .addr { fill: #444444; } "
		".gap { font-style: italic; fill: #666666; } "
		".title { font-size: 15px; font-weight: bold; }</style>\n"
		"<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" "
		"fill=\"#ffffff\"/>\n",
		MAP_X + MAP_W + 20, height, MAP_X + MAP_W + 20, height,
		MAP_X + MAP_W + 20, height);
	fputs("<text x=\"10\" y=\"20\" class=\"title\">", f);
	xml_text(f, title);
	fputs("</text>\n<text x=\"10\" y=\"38\">", f);
	xml_text(f, summary && *summary ? summary : "");
	fputs("</text>\n", f);
	for (size_t k = 0; k < L->n; k++)
		band_svg(f, &L->b[k], snap);
	/* The legend: each look's colour, then the marks. */
	for (int i = 0; i < LOOK__COUNT; i++) {
		int x = 10 + i * 100;

		fprintf(f,
			"<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" "
			"fill=\"%s\" stroke=\"#555555\"/>\n"
			"<text x=\"%d\" y=\"%d\">%s</text>\n",
			x, legend_y - 11, look_styles[i].rgb, x + 18, legend_y,
			look_styles[i].name);
	}
	fprintf(f,
		"<text x=\"10\" y=\"%d\">green border: new in the last step; "
		"orange: changed; red dashes: removed; # faulted</text>\n"
		"</svg>\n",
		legend_y + ROW_PX);
}

int cmd_draw(struct session *s, const struct parsed *p)
{
	struct machine *m = session_machine(s);
	int pid = machine_current_pid(m);
	const char *path = p->argv[0].str;
	const struct mm_diff *d = s->last_diff;
	struct mm_snap snap;
	struct map_layout L = {0};
	char title[128], summary[160] = "";
	FILE *f;
	int err = 0;

	f = fopen(path, "w");
	if (!f) {
		session_error(s, "draw: %s: %s", path, strerror(errno));
		return -1;
	}
	mm_snap_take(&snap, m, pid);
	if (d && d->pid != pid)
		d = NULL;
	diff_summary(d, summary, sizeof(summary));
	map_layout_build(&L, &snap, d, 60, SVG_ROWS);
	snprintf(title, sizeof(title), "pid %d: %zu VMA%s", pid, snap.n,
		 snap.n == 1 ? "" : "s");
	svg_write(f, &L, &snap, title, summary);
	if (ferror(f))
		err = errno ? errno : EIO;
	if (fclose(f) && !err)
		err = errno;
	if (err)
		session_error(s, "draw: %s: %s", path, strerror(err));
	else
		sb_addf(&s->out, "drew pid %d (%zu VMA%s) into %s\n", pid,
			snap.n, snap.n == 1 ? "" : "s", path);
	map_layout_free(&L);
	mm_snap_free(&snap);
	return err ? -1 : 0;
}
